package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/cloudoven/cloudoven/web/paths"
)

// evil is what a hostile author types into every free-text field.
const evil = `<script>alert(1)</script><a href="javascript:alert(1)">x</a><img src=x onerror=alert(1)>`

// Every page that shows author-written or crawled text renders it inert: a project's
// description, a variable's description, a crawled doc page in the editor.
func TestUserTextRendersInert(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)

	// A project name cannot hold markup at all; the refusal echoes it inert.
	w := a.postForm(paths.Projects(), url.Values{"name": {evil}, "description": {"x"}}, false)
	wantStatus(t, w, http.StatusUnprocessableEntity)
	wantInert(t, w.Body.String())

	w = a.postForm(paths.Projects(), url.Values{"name": {"team"}, "description": {evil}}, false)
	wantStatus(t, w, http.StatusSeeOther)
	for _, path := range []string{paths.Projects(), paths.Project("team")} {
		w := a.get(path, false)
		wantStatus(t, w, http.StatusOK)
		wantInert(t, w.Body.String())
		if !strings.Contains(w.Body.String(), "&lt;script&gt;") {
			t.Errorf("%s does not show the description as text", path)
		}
	}

	desc, _ := json.Marshal(evil)
	doc := `{"format": 1, "name": "app", "description": ` + string(desc) + `, "variables": [{"name": "location", "type": "string", "description": ` + string(desc) + `}],
	  "outputs": [{"name": "where", "value": {"ref": "var.location"}, "description": ` + string(desc) + `}]}`
	a.importDoc("team", doc, "evil")
	wantStatus(t, a.postForm(paths.Environments("team"), url.Values{"name": {"dev"}}, false), http.StatusSeeOther)
	for _, path := range []string{
		paths.Blueprint("team", "app"),
		paths.EditItem("team", "app", "variables"),
		paths.EditItem("team", "app", "outputs"),
		paths.EditItem("team", "app", "settings"),
		paths.Diff("team", "app"),
		paths.EnvironmentBlueprint("team", "dev", "app", 0),
	} {
		w := a.get(path, false)
		wantStatus(t, w, http.StatusOK)
		wantInert(t, w.Body.String())
	}
}

func TestCrawledDocsRenderInertInTheEditor(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	a.handler = newHandler(t, Config{Store: a.store, Catalog: xssCatalog(t), Logger: a.logger(), PasswordParams: cheapParams})
	a.signInAdmin()
	a.createProject("team")
	w := a.postForm("/projects/team/new-blueprint", url.Values{"name": {"evil"}}, false)
	wantStatus(t, w, http.StatusSeeOther)
	w = a.postForm(paths.EditAdd("team", "evil"), url.Values{"type": {"evil_thing"}, "kind": {"resource"}}, false)
	wantStatus(t, w, http.StatusSeeOther)
	w = a.get(w.Header().Get("Location"), false)
	wantStatus(t, w, http.StatusOK)
	page := parseHTML(t, w)
	if page.Find(`[data-testid="doc-panel"]`).Length() != 1 || page.Find(`[data-testid="field-doc"]`).Length() == 0 {
		t.Fatal("the editor shows no docs for the evil type, so this test proves nothing")
	}
	wantInert(t, w.Body.String())
	// The catalog search in the editor shows the crawled title and description too.
	w = a.get(paths.Catalog("evil")+"&project=team&blueprint=evil", true)
	wantStatus(t, w, http.StatusOK)
	wantInert(t, w.Body.String())
}
