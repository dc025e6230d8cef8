package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/cloudoven/cloudoven/web/htmltest"
	"github.com/cloudoven/cloudoven/web/paths"
	"github.com/cloudoven/cloudoven/web/webtest"
)

// Environments hold credentials and deployments are what runs: an editor composes
// blueprints but cannot change either; an operator can.
func TestEditorCannotOperate(t *testing.T) {
	t.Parallel()
	a, deployment := webtest.DeployApp(t)
	erin, otto := a.As("erin"), a.As("otto")
	for user, role := range map[string]string{"erin": "editor", "otto": "operator"} {
		if err := a.Store.SetMember(context.Background(), "team", user, role); err != nil {
			t.Fatal(err)
		}
	}

	webtest.WantStatus(t, erin.Get(paths.Environment("team", "dev"), false), http.StatusOK)
	webtest.WantStatus(t, erin.Get(deployment, false), http.StatusOK)
	for _, post := range []struct {
		path string
		form url.Values
	}{
		{paths.Environments("team"), url.Values{"name": {"prod"}}},
		{paths.EnvSecrets("team", "dev"), url.Values{"name": {"ARM_CLIENT_SECRET"}, "value": {"s3cr3t-value"}}},
		{paths.EnvRunner("team", "dev"), url.Values{"network_mode": {"none"}}},
		{paths.Deployments("team"), url.Values{"blueprint": {"app"}, "environment": {"dev"}}},
	} {
		w := erin.PostForm(post.path, post.form, false)
		webtest.WantStatus(t, w, http.StatusForbidden)
		if !strings.Contains(w.Body.String(), "operator role") {
			t.Errorf("POST %s: the 403 page does not name the operator role", post.path)
		}
	}
	if names, _ := a.Store.EnvironmentSecrets(context.Background(), "team", "dev"); len(names) != 2 {
		t.Errorf("%d secrets after the editor's refused write, want the 2 set up", len(names))
	}

	w := otto.PostForm(paths.Environments("team"), url.Values{"name": {"prod"}}, false)
	webtest.WantStatus(t, w, http.StatusSeeOther)
	w = otto.PostForm(paths.EnvSecrets("team", "prod"), url.Values{"name": {"ARM_CLIENT_SECRET"}, "value": {"s3cr3t-value"}}, false)
	webtest.WantStatus(t, w, http.StatusSeeOther)
}

func TestDeploymentGuardrails(t *testing.T) {
	t.Parallel()
	a, deployment := webtest.DeployApp(t)
	page := webtest.ParseHTML(t, a.Get(deployment, false))
	if g := page.Find(`[data-testid="deployment-guardrails"]`); g.AttrOr("data-findings", "") != "0" {
		t.Fatalf("terraform_data alone has %s findings", g.AttrOr("data-findings", ""))
	}

	// Version 2 adds a resource group without the project's required tag; the environment
	// makes findings block.
	a.ImportDoc("team", webtest.GuardedDoc, "resource group")
	w := a.PostForm(paths.Rules("team"), url.Values{"rules": {`{"rules":[{"id":"required-tags","tags":["cost-center"]}]}`}}, false)
	webtest.WantStatus(t, w, http.StatusSeeOther)
	v := htmltest.FormValues(webtest.ParseHTML(t, a.Get(paths.Environment("team", "dev"), false)).Find(`[data-testid="runner-form"]`))
	v.Set("policy_blocking", "on")
	webtest.WantStatus(t, a.PostForm(paths.EnvRunner("team", "dev"), v, false), http.StatusSeeOther)
	webtest.WantStatus(t, a.PostForm(deployment+"/promote", url.Values{"version": {"2"}}, false), http.StatusSeeOther)

	page = webtest.ParseHTML(t, a.Get(deployment, false))
	g := page.Find(`[data-testid="deployment-guardrails"]`)
	if g.AttrOr("data-blocking", "") != "true" || page.Find(`[data-testid="guardrails-blocking"]`).Length() != 1 {
		t.Errorf("the blocking environment is not shown as blocking")
	}
	f := g.Find(`[data-testid="deployment-finding"][data-rule="required-tags"]`)
	if f.Length() != 1 || f.AttrOr("data-resource", "") != "azurerm_resource_group.rg" || !strings.Contains(f.Text(), "cost-center") {
		t.Errorf("findings: %q", g.Text())
	}
}
