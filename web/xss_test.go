package web_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/cloudoven/cloudoven/web"
	"github.com/cloudoven/cloudoven/web/htmltest"
	"github.com/cloudoven/cloudoven/web/paths"
	"github.com/cloudoven/cloudoven/web/webtest"
)

// evil is what a hostile author types into every free-text field.
const evil = `<script>alert(1)</script><a href="javascript:alert(1)">x</a><img src=x onerror=alert(1)>`

// Every page that shows author-written or crawled text renders it inert: a project's
// description, a variable's description, a crawled doc page in the editor.
func TestUserTextRendersInert(t *testing.T) {
	t.Parallel()
	a := webtest.NewApp(t)

	// A project name cannot hold markup at all; the refusal echoes it inert.
	w := a.PostForm(paths.Projects(), url.Values{"name": {evil}, "description": {"x"}}, false)
	webtest.WantStatus(t, w, http.StatusUnprocessableEntity)
	htmltest.WantInert(t, w.Body.String())

	w = a.PostForm(paths.Projects(), url.Values{"name": {"team"}, "description": {evil}}, false)
	webtest.WantStatus(t, w, http.StatusSeeOther)
	for _, path := range []string{paths.Projects(), paths.Project("team")} {
		w := a.Get(path, false)
		webtest.WantStatus(t, w, http.StatusOK)
		htmltest.WantInert(t, w.Body.String())
		if !strings.Contains(w.Body.String(), "&lt;script&gt;") {
			t.Errorf("%s does not show the description as text", path)
		}
	}

	desc, _ := json.Marshal(evil)
	doc := `{"format": 1, "name": "app", "description": ` + string(desc) + `, "variables": [{"name": "location", "type": "string", "description": ` + string(desc) + `}],
	  "outputs": [{"name": "where", "value": {"ref": "var.location"}, "description": ` + string(desc) + `}]}`
	a.ImportDoc("team", doc, "evil")
	webtest.WantStatus(t, a.PostForm(paths.Environments("team"), url.Values{"name": {"dev"}}, false), http.StatusSeeOther)
	for _, path := range []string{
		paths.Blueprint("team", "app"),
		paths.EditItem("team", "app", "variables"),
		paths.EditItem("team", "app", "outputs"),
		paths.EditItem("team", "app", "settings"),
		paths.Diff("team", "app"),
		paths.EnvironmentBlueprint("team", "dev", "app", 0),
	} {
		w := a.Get(path, false)
		webtest.WantStatus(t, w, http.StatusOK)
		htmltest.WantInert(t, w.Body.String())
	}
}

func TestCrawledDocsRenderInertInTheEditor(t *testing.T) {
	t.Parallel()
	a := webtest.NewApp(t)
	a.Handler = webtest.NewHandler(t, web.Config{Store: a.Store, Catalog: webtest.XSSCatalog(t), Logger: a.Logger(), PasswordParams: webtest.CheapParams})
	a.SignInAdmin()
	a.CreateProject("team")
	w := a.PostForm("/projects/team/new-blueprint", url.Values{"name": {"evil"}}, false)
	webtest.WantStatus(t, w, http.StatusSeeOther)
	w = a.PostForm(paths.EditAdd("team", "evil"), url.Values{"type": {"evil_thing"}, "kind": {"resource"}}, false)
	webtest.WantStatus(t, w, http.StatusSeeOther)
	w = a.Get(w.Header().Get("Location"), false)
	webtest.WantStatus(t, w, http.StatusOK)
	page := webtest.ParseHTML(t, w)
	if page.Find(`[data-testid="doc-panel"]`).Length() != 1 || page.Find(`[data-testid="field-doc"]`).Length() == 0 {
		t.Fatal("the editor shows no docs for the evil type, so this test proves nothing")
	}
	htmltest.WantInert(t, w.Body.String())
	// The catalog search in the editor shows the crawled title and description too.
	w = a.Get(paths.Catalog("evil")+"&project=team&blueprint=evil", true)
	webtest.WantStatus(t, w, http.StatusOK)
	htmltest.WantInert(t, w.Body.String())
}
