package web

import (
	"context"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/cloudoven/cloudoven/web/page"
)

func renderToString(t *testing.T, md string, resolve page.DocLinkResolver) string {
	t.Helper()
	var b strings.Builder
	if err := page.DocMarkdown(md, resolve).Render(context.Background(), &b); err != nil {
		t.Fatalf("rendering: %v", err)
	}
	return b.String()
}

// wantInert fails when html holds anything that could run script.
func wantInert(t *testing.T, html string) {
	t.Helper()
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(html))
	if err != nil {
		t.Fatalf("parsing: %v", err)
	}
	// The layout's own scripts come from /static/; anything else came from the docs.
	doc.Find("script").Each(func(_ int, s *goquery.Selection) {
		if src := s.AttrOr("src", ""); !strings.HasPrefix(src, "/static/") {
			t.Errorf("a <script> element with src %q in:\n%s", src, html)
		}
	})
	doc.Find("*").Each(func(_ int, s *goquery.Selection) {
		for _, a := range s.Nodes[0].Attr {
			if strings.HasPrefix(strings.ToLower(a.Key), "on") {
				t.Errorf("event handler attribute %s=%q in:\n%s", a.Key, a.Val, html)
			}
			if (a.Key == "href" || a.Key == "src") && strings.Contains(strings.ToLower(a.Val), "javascript:") {
				t.Errorf("javascript: URL in %s=%q in:\n%s", a.Key, a.Val, html)
			}
		}
	})
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
			wantInert(t, html)
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
		resolve  page.DocLinkResolver
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

func TestSiblingDocLinks(t *testing.T) {
	t.Parallel()
	s := &server{catalogs: staticCatalog{testCatalog(t)}}
	resolve := s.docLinks("azurerm", "resource")
	tests := map[string]string{
		"public_ip.html":                               "/catalog/types/resource/azurerm_public_ip",
		"./key_vault.html.markdown":                    "/catalog/types/resource/azurerm_key_vault",
		"../d/client_config.html":                      "/catalog/types/data/azurerm_client_config",
		"/docs/providers/azurerm/r/public_ip.html":     "/catalog/types/resource/azurerm_public_ip",
		"/docs/providers/azurerm/r/public_ip.html#foo": "/catalog/types/resource/azurerm_public_ip",
		"/docs/state/sensitive-data.html":              "",
		"no_such_type.html":                            "",
		"../guides/upgrade.html":                       "",
	}
	for dest, want := range tests {
		got, ok := resolve(dest)
		if !ok {
			got = ""
		}
		if got != want {
			t.Errorf("%s resolves to %q, want %q", dest, got, want)
		}
	}
}
