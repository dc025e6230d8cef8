package deployments_test

import (
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"testing"

	"github.com/cloudoven/cloudoven/web/htmltest"
	"github.com/cloudoven/cloudoven/web/paths"
	"github.com/cloudoven/cloudoven/web/webtest"
)

// keepsEveryState is what the deployment page may say only where CloudOven's own backend
// keeps the deployment's state.
const keepsEveryState = "CloudOven keeps every state"

// TestDeploymentPageSaysWhereStateIsKept: the deployment page says who keeps the state of its
// runs, and it is true for each backend: CloudOven's http backend keeps every state as a
// version; an azurerm backend keeps it outside CloudOven; a local backend, or none, keeps it
// nowhere once the run's workspace is removed, so Plan is refused before anything runs.
func TestDeploymentPageSaysWhereStateIsKept(t *testing.T) {
	t.Parallel()
	exec := &webtest.FakeExecutor{}
	a, deployment := webtest.RunApp(t, exec)
	setBackend := func(typ string) {
		t.Helper()
		webtest.WantStatus(t, a.PostForm(paths.EnvBackend("team", "dev"), url.Values{"backend_type": {typ}}, false), http.StatusSeeOther)
	}
	keeping := func(wantKeeper string, wants ...string) {
		t.Helper()
		page := a.Page(deployment)
		el := webtest.ByTestID(page, "state-keeping")
		if el.Length() != 1 {
			t.Errorf("the deployment page does not say who keeps the state; its runs section says: %s",
				strings.Join(strings.Fields(webtest.ByTestID(page, "deployment-runs").Text()), " "))
		}
		if got := el.AttrOr("data-keeper", ""); got != wantKeeper {
			t.Errorf("state kept by %q, want %q: %s", got, wantKeeper, el.Text())
		}
		for _, want := range wants {
			if !strings.Contains(el.Text(), want) {
				t.Errorf("the state line lacks %q: %s", want, el.Text())
			}
		}
		if says := strings.Contains(page.Text(), keepsEveryState); says != (wantKeeper == "cloudoven") {
			t.Errorf("with keeper %s the page says %q: %t", wantKeeper, keepsEveryState, says)
		}
	}

	// webtest's deployment is on an azurerm backend.
	keeping("backend", "azurerm", "stplatform")

	setBackend("http")
	keeping("cloudoven", keepsEveryState)
	id := a.StartRun(deployment, "plan")
	if id == "" {
		t.Fatal("no run started with CloudOven's backend")
	}

	for _, typ := range []string{"local", ""} {
		setBackend(typ)
		keeping("nowhere", "removed")
		page := a.Page(deployment)
		if hint := webtest.ByTestID(page, "plan-blocked").Text(); !strings.Contains(hint, "state") {
			t.Errorf("backend %q: Plan is not marked as refused: %q", typ, hint)
		}
		before := len(exec.Jobs())
		w := a.PostForm(paths.DeploymentRuns("team", mustID(t, deployment)), htmltest.FormValues(webtest.ByTestID(page, "plan-form")), true)
		webtest.WantStatus(t, w, http.StatusConflict)
		problem := webtest.WantFragment(t, w, "deploy-runs")
		if got := webtest.ByTestID(problem, "runs-problem").Text(); !strings.Contains(got, "state") {
			t.Errorf("backend %q: the refusal says %q", typ, got)
		}
		if n := webtest.ByTestID(a.Page(deployment), "run-row").Length(); n != 1 {
			t.Errorf("backend %q: %d runs listed after the refused plan, want only the first", typ, n)
		}
		if after := len(exec.Jobs()); after != before {
			t.Errorf("backend %q: the refused plan ran %d jobs", typ, after-before)
		}
	}
}

// mustID is the deployment id that ends a deployment page's path.
func mustID(t *testing.T, p string) int64 {
	t.Helper()
	id, err := strconv.ParseInt(path.Base(p), 10, 64)
	if err != nil {
		t.Fatalf("deployment path %q: %v", p, err)
	}
	return id
}
