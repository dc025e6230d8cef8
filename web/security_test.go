package web_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/cloudoven/cloudoven/web/paths"
	"github.com/cloudoven/cloudoven/web/webtest"
)

func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	a := webtest.NewApp(t)
	for _, path := range []string{paths.Projects(), "/no/such/page", paths.Health()} {
		w := a.Get(path, false)
		h := w.Header()
		csp := h.Get("Content-Security-Policy")
		for _, want := range []string{"script-src 'self'", "style-src 'self'", "frame-ancestors 'none'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("%s: Content-Security-Policy %q lacks %q", path, csp, want)
			}
		}
		if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
			t.Errorf("%s: Content-Security-Policy %q allows inline code", path, csp)
		}
		for k, want := range map[string]string{
			"X-Content-Type-Options": "nosniff",
			"Referrer-Policy":        "same-origin",
			"X-Frame-Options":        "DENY",
		} {
			if got := h.Get(k); got != want {
				t.Errorf("%s: %s %q, want %q", path, k, got, want)
			}
		}
	}
}

func TestLayoutNeedsNoInlineStyles(t *testing.T) {
	t.Parallel()
	a := webtest.NewApp(t)
	doc := webtest.WantFullPage(t, a.Get(paths.Catalog(""), false))
	if got := doc.Find(`meta[name="htmx-config"]`).AttrOr("content", ""); !strings.Contains(got, `"includeIndicatorStyles":false`) {
		t.Errorf("htmx-config %q does not turn indicator styles off", got)
	}
	if n := doc.Find("style, [style]").Length(); n != 0 {
		t.Errorf("%d inline styles, which the CSP refuses", n)
	}
	if n := doc.Find("script:not([src])").Length(); n != 0 {
		t.Errorf("%d inline scripts, which the CSP refuses", n)
	}
}

func TestCrossSitePostIsRefused(t *testing.T) {
	t.Parallel()
	a := webtest.NewApp(t)
	post := func(site string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodPost, paths.Projects(), strings.NewReader(url.Values{"name": {"evil"}}.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.Header.Set("Sec-Fetch-Site", site)
		return a.Do(r)
	}
	w := post("cross-site")
	webtest.WantStatus(t, w, http.StatusForbidden)
	doc := webtest.WantFullPage(t, w)
	if got := webtest.WantOne(t, doc, "error-title"); got != "Request refused" {
		t.Errorf("error title %q", got)
	}
	ps, err := a.Store.Projects(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 0 {
		t.Errorf("a cross-site post created %v", ps)
	}

	// The same post from CloudOven's own page goes through.
	webtest.WantStatus(t, post("same-origin"), http.StatusSeeOther)
}
