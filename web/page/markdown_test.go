package page

import (
	"context"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/cloudoven/cloudoven/web/htmltest"
)

func renderToString(t *testing.T, md string, resolve DocLinkResolver) string {
	t.Helper()
	var b strings.Builder
	if err := DocMarkdown(md, resolve).Render(context.Background(), &b); err != nil {
		t.Fatalf("rendering: %v", err)
	}
	return b.String()
}

func TestRenderMarkdownIsInert(t *testing.T) {
	t.Parallel()
	for name, md := range map[string]string{
		"script element":     "before <script>alert(1)</script> after",
		"script block":       "<script>\nalert(1)\n</script>",
		"javascript link":    "[x](javascript:alert(1))",
		"javascript mixed":   "[x](JaVaScRiPt:alert(1)) and <a href=\"javascript:alert(1)\">y</a>",
		"onerror attribute":  `<img src=x onerror=alert(1)>`,
		"image javascript":   "![x](javascript:alert(1))",
		"autolink":           "<javascript:alert(1)>",
		"html in callout":    "-> **Note:** <svg onload=alert(1)>",
		"data url":           "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
		"reference link":     "[x][r]\n\n[r]: javascript:alert(1)",
		"entity-encoded url": "[x](&#106;avascript:alert(1))",
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			html := renderToString(t, md, nil)
			htmltest.WantInert(t, html)
			if strings.Contains(strings.ToLower(html), "data:text") {
				t.Errorf("data: URL kept:\n%s", html)
			}
		})
	}
}

func TestRenderMarkdownLinks(t *testing.T) {
	t.Parallel()
	resolve := func(dest string) (string, bool) {
		if dest == "cluster.html" {
			return "/catalog/types/resource/p_cluster", true
		}
		return "", false
	}
	tests := []struct {
		name, md string
		resolve  DocLinkResolver
		href     string // "" when the link must be unwrapped
	}{
		{"absolute kept", "[x](https://learn.microsoft.com/a)", nil, "https://learn.microsoft.com/a"},
		{"mailto kept", "[x](mailto:a@example.com)", nil, "mailto:a@example.com"},
		{"registry path unwrapped", "[x](/docs/state/sensitive-data.html)", nil, ""},
		{"sibling unwrapped without a resolver", "[x](./cluster.html.markdown)", nil, ""},
		{"sibling resolved", "[x](cluster.html)", resolve, "/catalog/types/resource/p_cluster"},
		{"unknown sibling unwrapped", "[x](other.html)", resolve, ""},
		{"anchor unwrapped", "[x](#example)", resolve, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			html := renderToString(t, tt.md, tt.resolve)
			doc, err := goquery.NewDocumentFromReader(strings.NewReader(html))
			if err != nil {
				t.Fatal(err)
			}
			a := doc.Find("a")
			if strings.TrimSpace(doc.Text()) != "x" {
				t.Errorf("text %q, want x:\n%s", doc.Text(), html)
			}
			if tt.href == "" {
				if a.Length() != 0 {
					t.Errorf("link kept:\n%s", html)
				}
				return
			}
			if a.Length() != 1 || a.AttrOr("href", "") != tt.href {
				t.Fatalf("want one link to %s:\n%s", tt.href, html)
			}
			if rel := a.AttrOr("rel", ""); !strings.Contains(rel, "nofollow") || !strings.Contains(rel, "noopener") {
				t.Errorf("rel=%q, want nofollow noopener", rel)
			}
		})
	}
}
