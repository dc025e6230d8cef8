package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/cloudoven/cloudoven/web/paths"
)

// Environments hold credentials and deployments are what runs: an editor composes
// blueprints but cannot change either; an operator can.
func TestEditorCannotOperate(t *testing.T) {
	t.Parallel()
	a, deployment := deployApp(t)
	erin, otto := a.as("erin"), a.as("otto")
	for user, role := range map[string]string{"erin": "editor", "otto": "operator"} {
		if err := a.store.SetMember(context.Background(), "team", user, role); err != nil {
			t.Fatal(err)
		}
	}

	wantStatus(t, erin.get(paths.Environment("team", "dev"), false), http.StatusOK)
	wantStatus(t, erin.get(deployment, false), http.StatusOK)
	for _, post := range []struct {
		path string
		form url.Values
	}{
		{paths.Environments("team"), url.Values{"name": {"prod"}}},
		{paths.EnvSecrets("team", "dev"), url.Values{"name": {"ARM_CLIENT_SECRET"}, "value": {"s3cr3t-value"}}},
		{paths.EnvRunner("team", "dev"), url.Values{"network_mode": {"none"}}},
		{paths.Deployments("team"), url.Values{"blueprint": {"app"}, "environment": {"dev"}}},
	} {
		w := erin.postForm(post.path, post.form, false)
		wantStatus(t, w, http.StatusForbidden)
		if !strings.Contains(w.Body.String(), "operator role") {
			t.Errorf("POST %s: the 403 page does not name the operator role", post.path)
		}
	}
	if names, _ := a.store.EnvironmentSecrets(context.Background(), "team", "dev"); len(names) != 2 {
		t.Errorf("%d secrets after the editor's refused write, want the 2 set up", len(names))
	}

	w := otto.postForm(paths.Environments("team"), url.Values{"name": {"prod"}}, false)
	wantStatus(t, w, http.StatusSeeOther)
	w = otto.postForm(paths.EnvSecrets("team", "prod"), url.Values{"name": {"ARM_CLIENT_SECRET"}, "value": {"s3cr3t-value"}}, false)
	wantStatus(t, w, http.StatusSeeOther)
}

func TestDeploymentGuardrails(t *testing.T) {
	t.Parallel()
	a, deployment := deployApp(t)
	page := parseHTML(t, a.get(deployment, false))
	if g := page.Find(`[data-testid="deployment-guardrails"]`); g.AttrOr("data-findings", "") != "0" {
		t.Fatalf("terraform_data alone has %s findings", g.AttrOr("data-findings", ""))
	}

	// Version 2 adds a resource group without the project's required tag; the environment
	// makes findings block.
	a.importDoc("team", guardedDoc, "resource group")
	w := a.postForm(paths.Rules("team"), url.Values{"rules": {`{"rules":[{"id":"required-tags","tags":["cost-center"]}]}`}}, false)
	wantStatus(t, w, http.StatusSeeOther)
	v := formValues(parseHTML(t, a.get(paths.Environment("team", "dev"), false)).Find(`[data-testid="runner-form"]`))
	v.Set("policy_blocking", "on")
	wantStatus(t, a.postForm(paths.EnvRunner("team", "dev"), v, false), http.StatusSeeOther)
	wantStatus(t, a.postForm(deployment+"/promote", url.Values{"version": {"2"}}, false), http.StatusSeeOther)

	page = parseHTML(t, a.get(deployment, false))
	g := page.Find(`[data-testid="deployment-guardrails"]`)
	if g.AttrOr("data-blocking", "") != "true" || page.Find(`[data-testid="guardrails-blocking"]`).Length() != 1 {
		t.Errorf("the blocking environment is not shown as blocking")
	}
	f := g.Find(`[data-testid="deployment-finding"][data-rule="required-tags"]`)
	if f.Length() != 1 || f.AttrOr("data-resource", "") != "azurerm_resource_group.rg" || !strings.Contains(f.Text(), "cost-center") {
		t.Errorf("findings: %q", g.Text())
	}
}

// guardedDoc is varsDoc with an azurerm resource group that sets no tags.
const guardedDoc = `{"format": 1, "name": "app",
  "required_providers": [{"name": "azurerm", "source": "hashicorp/azurerm", "version": "~> 5.2"}],
  "providers": [{"name": "azurerm", "config": {"features": [{}]}}],
  "variables": [
  {"name": "location", "type": "string", "description": "Azure region."},
  {"name": "node_count", "type": "number", "default": {"literal": 3}},
  {"name": "enabled", "type": "bool", "default": {"literal": true}},
  {"name": "tags", "type": "map(string)", "default": {"literal": {}}},
  {"name": "db_password", "type": "string", "sensitive": true}
], "resources": [
  {"type": "terraform_data", "name": "web", "config": {"input": {"ref": "var.location"}}},
  {"type": "azurerm_resource_group", "name": "rg", "config": {"name": {"literal": "rg-app"}, "location": {"ref": "var.location"}}}
]}`
