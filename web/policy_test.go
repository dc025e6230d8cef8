package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/cloudoven/cloudoven/web/paths"
)

func TestNewBlueprintFromStarter(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	a.createProject("team")
	page := parseHTML(t, a.get(paths.Project("team"), false))
	if n := page.Find(`[data-testid="new-blueprint-starter"] option[value!=""]`).Length(); n != 6 {
		t.Errorf("%d starters offered, want 6", n)
	}
	w := a.postForm("/projects/team/new-blueprint", url.Values{"name": {"aks"}, "starter": {"aks-baseline"}}, false)
	wantStatus(t, w, http.StatusSeeOther)
	ed := parseHTML(t, a.get(w.Header().Get("Location"), false))
	if n := ed.Find(`[data-testid="preview-summary"]`).AttrOr("data-errors", ""); n != "0" {
		t.Errorf("the AKS starter has %s errors in the editor", n)
	}
	if !strings.Contains(previewFile(ed, "main.tf"), `resource "azurerm_kubernetes_cluster"`) {
		t.Error("the starter's cluster is not in the preview")
	}
	w = a.postForm("/projects/team/new-blueprint", url.Values{"name": {"x"}, "starter": {"nope"}}, true)
	wantStatus(t, w, http.StatusUnprocessableEntity)
}
