package deployments_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/cloudoven/cloudoven/web/webtest"
)

func TestDestroyAsksForTheDeploymentsName(t *testing.T) {
	t.Parallel()
	a, deployment := webtest.RunApp(t, &webtest.FakeExecutor{})
	page := a.Page(deployment)
	if got := webtest.WantOne(t, page, "destroy-name"); got != "app → dev" {
		t.Fatalf("the destroy form asks for %q", got)
	}
	action := webtest.ByTestID(page, "destroy-form").AttrOr("action", "")
	for _, tc := range []struct {
		name, typed, says string
	}{
		{"nothing typed", "", "type the deployment's name, app → dev"},
		{"another deployment's name", "app → prod", "does not match app → dev"},
		{"too long", strings.Repeat("a", 600), "does not match"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := a.PostForm(action, url.Values{"op": {"destroy"}, "confirm": {tc.typed}}, true)
			webtest.WantStatus(t, w, http.StatusUnprocessableEntity)
			got := webtest.WantOne(t, webtest.WantFragment(t, w, "deploy-runs"), "runs-problem")
			if !strings.Contains(got, "Nothing was destroyed") || !strings.Contains(got, tc.says) {
				t.Errorf("the refusal says %q", got)
			}
		})
	}
	d, err := a.Store.Deployments(context.Background(), "team")
	if err != nil || len(d) != 1 {
		t.Fatalf("deployments %v, %v", d, err)
	}
	if rs, err := a.Store.DeploymentRuns(context.Background(), d[0].ID, 0); err != nil || len(rs) != 0 {
		t.Fatalf("refused destroys created runs %v (%v)", rs, err)
	}
	// Typed as on a keyboard without the arrow.
	w := a.PostForm(action, url.Values{"op": {"destroy"}, "confirm": {"  app -> dev "}}, false)
	webtest.WantStatus(t, w, http.StatusSeeOther)
	rs, err := a.Store.DeploymentRuns(context.Background(), d[0].ID, 0)
	if err != nil || len(rs) != 1 || rs[0].Operation != "destroy" {
		t.Fatalf("after a confirmed destroy the runs are %v (%v)", rs, err)
	}
}
