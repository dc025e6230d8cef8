package editor_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/cloudoven/cloudoven/web/paths"
	"github.com/cloudoven/cloudoven/web/webtest"
)

func TestNewBlueprintFromStarter(t *testing.T) {
	t.Parallel()
	a := webtest.NewApp(t)
	a.CreateProject("team")
	page := webtest.ParseHTML(t, a.Get(paths.Project("team"), false))
	if n := page.Find(`[data-testid="new-blueprint-starter"] option[value!=""]`).Length(); n != 6 {
		t.Errorf("%d starters offered, want 6", n)
	}
	w := a.PostForm("/projects/team/new-blueprint", url.Values{"name": {"aks"}, "starter": {"aks-baseline"}}, false)
	webtest.WantStatus(t, w, http.StatusSeeOther)
	ed := webtest.ParseHTML(t, a.Get(w.Header().Get("Location"), false))
	if n := ed.Find(`[data-testid="preview-summary"]`).AttrOr("data-errors", ""); n != "0" {
		t.Errorf("the AKS starter has %s errors in the editor", n)
	}
	if !strings.Contains(webtest.PreviewFile(ed, "main.tf"), `resource "azurerm_kubernetes_cluster"`) {
		t.Error("the starter's cluster is not in the preview")
	}
	w = a.PostForm("/projects/team/new-blueprint", url.Values{"name": {"x"}, "starter": {"nope"}}, true)
	webtest.WantStatus(t, w, http.StatusUnprocessableEntity)
}
