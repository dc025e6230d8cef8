package web

import (
	"net/http"
	"testing"

	"github.com/cloudoven/cloudoven/web/paths"
)

func TestHomeRedirectsToProjects(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	w := a.get("/", false)
	wantStatus(t, w, http.StatusSeeOther)
	if loc := w.Header().Get("Location"); loc != paths.Projects() {
		t.Errorf("Location %q, want %q", loc, paths.Projects())
	}
}

func TestHealthz(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	w := a.get(paths.Health(), false)
	wantStatus(t, w, http.StatusOK)
	if w.Body.String() != "ok" {
		t.Errorf("body %q, want ok", w.Body)
	}
}

func TestUnknownProjectIs404(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	a.createProject("payments")
	a.importDoc("payments", validDoc, "")
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
			w := a.get(path, false)
			wantStatus(t, w, http.StatusNotFound)
			doc := wantFullPage(t, w)
			if got := wantOne(t, doc, "error-title"); got != "Not found" {
				t.Errorf("error title %q", got)
			}
			wantOne(t, doc, "error-home")
		})
	}
	t.Run("import into unknown project", func(t *testing.T) {
		t.Parallel()
		w := a.postMultipart(paths.Blueprints("nope"), upload{files: map[string][]byte{"document": []byte(validDoc)}}, false)
		wantStatus(t, w, http.StatusNotFound)
	})
}
