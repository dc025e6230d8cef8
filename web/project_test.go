package web_test

import (
	"net/http"
	"testing"

	"github.com/cloudoven/cloudoven/web/paths"
	"github.com/cloudoven/cloudoven/web/webtest"
)

func TestHomeRedirectsToProjects(t *testing.T) {
	t.Parallel()
	a := webtest.NewApp(t)
	w := a.Get("/", false)
	webtest.WantStatus(t, w, http.StatusSeeOther)
	if loc := w.Header().Get("Location"); loc != paths.Projects() {
		t.Errorf("Location %q, want %q", loc, paths.Projects())
	}
}

func TestHealthz(t *testing.T) {
	t.Parallel()
	a := webtest.NewApp(t)
	w := a.Get(paths.Health(), false)
	webtest.WantStatus(t, w, http.StatusOK)
	if w.Body.String() != "ok" {
		t.Errorf("body %q, want ok", w.Body)
	}
}

func TestUnknownProjectIs404(t *testing.T) {
	t.Parallel()
	a := webtest.NewApp(t)
	a.CreateProject("payments")
	a.ImportDoc("payments", webtest.ValidDoc, "")
	for _, path := range []string{
		paths.Project("nope"),
		paths.Blueprint("nope", "demo"),
		paths.Blueprint("payments", "nope"),
		paths.BlueprintVersion("payments", "demo", 7),
		paths.Blueprint("payments", "demo") + "?version=abc",
		paths.VersionZip("payments", "demo", 2),
		paths.VersionDocument("payments", "nope", 1),
		paths.Version("payments", "demo", 0) + "/terraform.zip",
		"/no/such/page",
	} {
		t.Run(path, func(t *testing.T) {
			t.Parallel()
			w := a.Get(path, false)
			webtest.WantStatus(t, w, http.StatusNotFound)
			doc := webtest.WantFullPage(t, w)
			if got := webtest.WantOne(t, doc, "error-title"); got != "Not found" {
				t.Errorf("error title %q", got)
			}
			webtest.WantOne(t, doc, "error-home")
		})
	}
	t.Run("import into unknown project", func(t *testing.T) {
		t.Parallel()
		w := a.PostMultipart(paths.Blueprints("nope"), webtest.Upload{Files: map[string][]byte{"document": []byte(webtest.ValidDoc)}}, false)
		webtest.WantStatus(t, w, http.StatusNotFound)
	})
}
