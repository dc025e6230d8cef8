package blueprints_test

import (
	"net/http"
	"testing"

	"github.com/cloudoven/cloudoven/web/htmltest"
	"github.com/cloudoven/cloudoven/web/paths"
	"github.com/cloudoven/cloudoven/web/webtest"
)

// TestProjectListsUnsavedDrafts: the project's list of blueprints marks the ones whose editor
// holds changes not saved as a version, and stops once the draft is discarded.
func TestProjectListsUnsavedDrafts(t *testing.T) {
	t.Parallel()
	a := webtest.EditorApp(t)
	draft := func() int {
		return webtest.ParseHTML(t, a.Get(paths.Project("team"), false)).Find(`[data-testid="blueprint-row"][data-blueprint="net"] [data-testid="blueprint-draft"]`).Length()
	}
	if n := draft(); n != 0 {
		t.Fatalf("a blueprint without a draft is marked %d times", n)
	}
	page := a.AddType("azurerm_resource_group", "resource")
	if n := draft(); n != 1 {
		t.Fatalf("a blueprint with a draft is marked %d times", n)
	}
	w := a.PostForm(paths.EditDiscard("team", "net"), htmltest.FormValues(webtest.ByTestID(page, "discard-form")), false)
	webtest.WantStatus(t, w, http.StatusSeeOther)
	if n := draft(); n != 0 {
		t.Errorf("a discarded draft is still marked (%d)", n)
	}
}
