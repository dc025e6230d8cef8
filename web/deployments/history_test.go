package deployments_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/cloudoven/cloudoven/store"
	"github.com/cloudoven/cloudoven/web/paths"
	"github.com/cloudoven/cloudoven/web/webtest"
)

// TestDeploymentRunHistory: the deployment page lists each run with what its plan found, who
// started and who approved it, the blueprint version, and how long it took once it ended.
func TestDeploymentRunHistory(t *testing.T) {
	t.Parallel()
	a, deployment := webtest.RunApp(t, &webtest.FakeExecutor{})
	id := a.StartRun(deployment, "plan")
	a.WaitRun(id, store.RunPlanned)
	webtest.WantStatus(t, a.PostForm(paths.RunApprove("team", id), nil, false), http.StatusSeeOther)
	a.WaitRun(id, store.RunApplied)

	row := webtest.ParseHTML(t, a.Get(deployment, false)).Find(`[data-testid="run-row"][data-run="` + id + `"]`)
	if row.Length() != 1 {
		t.Fatal("the run is not listed")
	}
	if got := strings.TrimSpace(row.Find(`[data-testid="run-row-changes"]`).Text()); got != "+1 ~1 -0" {
		t.Errorf("changes %q", got)
	}
	if got := strings.Join(strings.Fields(row.Find(`[data-testid="run-row-by"]`).Text()), " "); got != "admin , approved by admin" && got != "admin, approved by admin" {
		t.Errorf("by %q", got)
	}
	if got := strings.TrimSpace(row.Find(`[data-testid="run-row-duration"]`).Text()); got == "" || !strings.HasSuffix(got, "s") {
		t.Errorf("duration %q", got)
	}
	if !strings.Contains(row.Text(), "v1") {
		t.Errorf("no blueprint version in %q", row.Text())
	}
}
