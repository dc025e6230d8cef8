package editor_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/cloudoven/cloudoven/blueprint"
	"github.com/cloudoven/cloudoven/web/htmltest"
	"github.com/cloudoven/cloudoven/web/paths"
	"github.com/cloudoven/cloudoven/web/webtest"
)

const modulesDoc = `{"format": 1, "name": "net",
  "resources": [{"type": "terraform_data", "name": "web", "config": {"input": {"ref": "module.net.id"}}}],
  "modules": [
    {"name": "net", "source": "./modules/net", "inputs": {"name": {"literal": "demo"}, "tags": {"expr": "{ team = \"platform\" }"}}},
    {"name": "aks", "source": "Azure/aks/azurerm", "version": "~> 9.0", "count": {"literal": 1},
     "depends_on": ["module.net"], "inputs": {"prefix": {"ref": "module.net.id"}}}
  ],
  "module_files": [{"path": "modules/net/main.tf", "content": "variable \"name\" {}\n\nvariable \"tags\" {}\n\noutput \"id\" {\n  value = var.name\n}\n"}]}`

// The editor lists a blueprint's module calls, edits their inputs as expressions, places
// their diagnostics on those inputs, and keeps every call and module file through edits of
// other items and Save version.
func TestEditorModuleCalls(t *testing.T) {
	t.Parallel()
	a := webtest.NewApp(t)
	a.CreateProject("team")
	a.ImportDoc("team", modulesDoc, "")

	page := a.EditorPage("modules")
	calls := webtest.ByTestID(page, "module-call")
	if calls.Length() != 2 {
		t.Fatalf("%d module calls shown, want 2", calls.Length())
	}
	if got := strings.TrimSpace(webtest.ByTestID(calls.Eq(1), "module-source").Text()); got != "Azure/aks/azurerm" {
		t.Errorf("source of aks shown as %q", got)
	}
	if got := strings.TrimSpace(webtest.ByTestID(calls.Eq(1), "module-version").Text()); got != "~> 9.0" {
		t.Errorf("version of aks shown as %q", got)
	}
	if got := strings.TrimSpace(webtest.ByTestID(page, "module-files").Text()); got != "modules/net/main.tf" {
		t.Errorf("module files shown as %q", got)
	}
	if !strings.Contains(webtest.ByTestID(page, "outline").Text()+page.Text(), "Module calls") {
		t.Errorf("the outline has no module calls entry")
	}
	// A graph node module.NAME opens the same item.
	if got := strings.TrimSpace(webtest.ByTestID(a.EditorPage("module.aks"), "item-address").Text()); got != "Module calls" {
		t.Errorf("module.aks opens %q", got)
	}

	// An input refers to an undeclared variable: the error is shown under that input.
	after := a.SubmitItem(page, func(v url.Values) { v.Set("module.0.name", "var.region") })
	page = a.EditorPage("modules")
	field := page.Find(`[data-key="module.0.name"]`)
	if !strings.Contains(field.Text(), "undeclared variable var.region") {
		t.Errorf("the input's error is not under it:\n%s\n(preview: %s)", field.Text(), webtest.ByTestID(after, "diagnostics").Text())
	}
	a.SubmitItem(page, func(v url.Values) { v.Set("module.0.name", `"${terraform_data.web.id}-net"`) })

	// Renaming a call rewrites the references to it; a taken name is refused.
	page = a.EditorPage("modules")
	w := a.PostForm(page.Find("#item-form").AttrOr("action", ""), withOp(func() url.Values {
		v := htmltest.FormValues(page.Find("#item-form"))
		v.Set("module.0.@name", "aks")
		return v
	}(), "rename"), true)
	webtest.WantStatus(t, w, http.StatusOK)
	if msg := webtest.ByTestID(webtest.ParseHTML(t, w), "item-problem").Text(); !strings.Contains(msg, "The name aks is taken by another module call.") {
		t.Errorf("renaming to a taken name: %q", msg)
	}
	page = a.EditorPage("modules")
	w = a.PostForm(page.Find("#item-form").AttrOr("action", ""), withOp(func() url.Values {
		v := htmltest.FormValues(page.Find("#item-form"))
		v.Set("module.0.@name", "network")
		return v
	}(), "rename"), true)
	webtest.WantStatus(t, w, http.StatusOK)
	if main := webtest.ParseHTML(t, w).Find(`[data-testid="preview-file"][data-file="main.tf"]`).Text(); !strings.Contains(main, `module "network"`) ||
		!strings.Contains(main, "input = module.network.id") || !strings.Contains(main, "depends_on = [module.network]") {
		t.Errorf("main.tf after the rename:\n%s", main)
	}

	// Editing a resource does not lose the calls.
	a.SubmitItem(a.EditorPage("terraform_data.web"), nil)
	save := htmltest.FormValues(webtest.ByTestID(a.EditorPage("modules"), "save-form"))
	save.Set("message", "module input")
	w = a.PostForm(paths.Edit("team", "net")+"/save", save, false)
	webtest.WantStatus(t, w, http.StatusSeeOther)
	v, err := a.Store.BlueprintVersion(context.Background(), "team", "net", 2)
	if err != nil {
		t.Fatal(err)
	}
	b, err := blueprint.ParseDocument(v.Document)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Modules) != 2 || len(b.ModuleFiles) != 1 || b.Modules[1].Version != "~> 9.0" || len(b.Modules[1].DependsOn) != 1 {
		t.Fatalf("the saved version lost module calls: %s", v.Document)
	}
	if b.Modules[0].Name != "network" {
		t.Errorf("the rename was not saved: %s", b.Modules[0].Name)
	}
	if got, _ := blueprint.FormatValue(*b.Modules[0].Inputs.Attribute("name")); got != `"${terraform_data.web.id}-net"` {
		t.Errorf("input saved as %s", got)
	}
	// An input not edited keeps its value (the form writes it in terraform fmt's layout).
	if got, _ := blueprint.FormatValue(*b.Modules[0].Inputs.Attribute("tags")); strings.Join(strings.Fields(got), " ") != `{ team = "platform" }` {
		t.Errorf("an input not edited changed: %s", got)
	}
}
