package web_test

import (
	"io/fs"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/cloudoven/cloudoven/internal/testenv"
	"github.com/cloudoven/cloudoven/web"
	"github.com/cloudoven/cloudoven/web/page"
	"github.com/cloudoven/cloudoven/web/paths"
	"github.com/cloudoven/cloudoven/web/webtest"
)

func TestStaticAssetsAreHashedAndImmutable(t *testing.T) {
	t.Parallel()
	a := webtest.NewApp(t)
	doc := webtest.WantFullPage(t, a.Get(paths.Projects(), false))
	hashed := regexp.MustCompile(`^/static/[0-9a-f]{10}/`)

	css := webtest.ByTestID(doc, "stylesheet").AttrOr("href", "")
	if !hashed.MatchString(css) || !strings.HasSuffix(css, "/app.css") {
		t.Fatalf("stylesheet URL %q is not a content-hashed /static/ URL", css)
	}
	w := a.Get(css, false)
	webtest.WantStatus(t, w, http.StatusOK)
	if got := w.Header().Get("Cache-Control"); got != "public, max-age=31536000, immutable" {
		t.Errorf("Cache-Control %q", got)
	}
	if got := w.Header().Get("Content-Type"); !strings.HasPrefix(got, "text/css") {
		t.Errorf("Content-Type %q", got)
	}
	if !strings.Contains(w.Body.String(), "--accent") {
		t.Errorf("app.css was not served")
	}

	script := webtest.ByTestID(doc, "htmx-script").AttrOr("src", "")
	if !strings.HasPrefix(script, "/static/") || !strings.HasSuffix(script, "/"+page.HTMXFile) {
		t.Fatalf("htmx script src %q does not point at %s", script, page.HTMXFile)
	}
	if _, err := fs.Stat(web.StaticFiles, "static/"+page.HTMXFile); err != nil {
		testenv.Unavailable(t, page.HTMXFile+" is not embedded (run make assets): "+err.Error())
	}
	if !hashed.MatchString(script) {
		t.Errorf("htmx script src %q has no content hash", script)
	}
	w = a.Get(script, false)
	webtest.WantStatus(t, w, http.StatusOK)
	if got := w.Header().Get("Cache-Control"); got != "public, max-age=31536000, immutable" {
		t.Errorf("htmx Cache-Control %q", got)
	}
	if got := w.Header().Get("Content-Type"); !strings.HasPrefix(got, "text/javascript") {
		t.Errorf("htmx Content-Type %q", got)
	}
	if !strings.Contains(w.Body.String(), "htmx") {
		t.Errorf("the htmx file was not served")
	}
}

func TestStaticAssetEdgeCases(t *testing.T) {
	t.Parallel()
	a := webtest.NewApp(t)
	t.Run("stale hash is served uncached", func(t *testing.T) {
		w := a.Get("/static/0000000000/app.css", false)
		webtest.WantStatus(t, w, http.StatusOK)
		if got := w.Header().Get("Cache-Control"); got != "no-cache" {
			t.Errorf("Cache-Control %q, want no-cache", got)
		}
	})
	for _, path := range []string{"/static/x/nope.css", "/static/x/vendor", "/static/x/vendor/", "/static/x/../web.go"} {
		t.Run(path, func(t *testing.T) {
			w := a.Get(path, false)
			if w.Code != http.StatusNotFound && (w.Code < 300 || w.Code > 399) {
				t.Errorf("status %d, want 404 or the mux's clean-path redirect", w.Code)
			}
			if strings.Contains(w.Body.String(), "package web") {
				t.Errorf("a source file leaked")
			}
		})
	}
}

func TestDevModeServesFromDisk(t *testing.T) {
	t.Parallel()
	if _, err := os.Stat("static/app.css"); err != nil {
		t.Fatalf("go test runs a package's tests in its own directory; static/app.css is missing: %v", err)
	}
	h := webtest.NewHandler(t, web.Config{Store: fakeStore{}, Catalog: webtest.Catalog(t), Dev: true, StaticDir: "static"})
	a := &webtest.App{T: t, Handler: h}
	css := paths.Static(web.DevHash, "app.css")
	w := a.Get(css, false)
	webtest.WantStatus(t, w, http.StatusOK)
	if got := w.Header().Get("Cache-Control"); got != "no-cache" {
		t.Errorf("Cache-Control %q, want no-cache", got)
	}
	if _, err := web.New(web.Config{Store: fakeStore{}, Catalog: webtest.Catalog(t), Dev: true, StaticDir: t.TempDir() + "/missing"}); err == nil {
		t.Errorf("New accepted a missing static directory")
	}
}
