package htmltest

import (
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// WantInert fails when html holds anything that could run script.
func WantInert(t testing.TB, html string) {
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
