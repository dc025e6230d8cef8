package web

import (
	"io/fs"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/cloudoven/cloudoven/internal/testenv"
	"github.com/cloudoven/cloudoven/web/paths"
)

func TestStaticAssetsAreHashedAndImmutable(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	doc := wantFullPage(t, a.get(paths.Projects(), false))
	hashed := regexp.MustCompile(`^/static/[0-9a-f]{10}/`)

	css := byTestID(doc, "stylesheet").AttrOr("href", "")
	if !hashed.MatchString(css) || !strings.HasSuffix(css, "/app.css") {
		t.Fatalf("stylesheet URL %q is not a content-hashed /static/ URL", css)
	}
	w := a.get(css, false)
	wantStatus(t, w, http.StatusOK)
	if got := w.Header().Get("Cache-Control"); got != "public, max-age=31536000, immutable" {
		t.Errorf("Cache-Control %q", got)
	}
	if got := w.Header().Get("Content-Type"); !strings.HasPrefix(got, "text/css") {
		t.Errorf("Content-Type %q", got)
	}
	if !strings.Contains(w.Body.String(), "--accent") {
		t.Errorf("app.css was not served")
	}

	script := byTestID(doc, "htmx-script").AttrOr("src", "")
	if !strings.HasPrefix(script, "/static/") || !strings.HasSuffix(script, "/"+htmxFile) {
		t.Fatalf("htmx script src %q does not point at %s", script, htmxFile)
	}
	if _, err := fs.Stat(staticFiles, "static/"+htmxFile); err != nil {
		testenv.Unavailable(t, htmxFile+" is not embedded (run make assets): "+err.Error())
	}
	if !hashed.MatchString(script) {
		t.Errorf("htmx script src %q has no content hash", script)
	}
	w = a.get(script, false)
	wantStatus(t, w, http.StatusOK)
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
	a := newTestApp(t)
	t.Run("stale hash is served uncached", func(t *testing.T) {
		w := a.get("/static/0000000000/app.css", false)
		wantStatus(t, w, http.StatusOK)
		if got := w.Header().Get("Cache-Control"); got != "no-cache" {
			t.Errorf("Cache-Control %q, want no-cache", got)
		}
	})
	for _, path := range []string{"/static/x/nope.css", "/static/x/vendor", "/static/x/vendor/", "/static/x/../web.go"} {
		t.Run(path, func(t *testing.T) {
			w := a.get(path, false)
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
	h := newHandler(t, Config{Store: fakeStore{}, Catalog: testCatalog(t), Dev: true, StaticDir: "static"})
	a := &testApp{t: t, handler: h}
	css := paths.Static(devHash, "app.css")
	w := a.get(css, false)
	wantStatus(t, w, http.StatusOK)
	if got := w.Header().Get("Cache-Control"); got != "no-cache" {
		t.Errorf("Cache-Control %q, want no-cache", got)
	}
	if _, err := New(Config{Store: fakeStore{}, Catalog: testCatalog(t), Dev: true, StaticDir: t.TempDir() + "/missing"}); err == nil {
		t.Errorf("New accepted a missing static directory")
	}
}
