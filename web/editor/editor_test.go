package editor_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/cloudoven/cloudoven/blueprint"
	"github.com/cloudoven/cloudoven/store"
	"github.com/cloudoven/cloudoven/web/editor"
	formpkg "github.com/cloudoven/cloudoven/web/form"
	"github.com/cloudoven/cloudoven/web/htmltest"
	"github.com/cloudoven/cloudoven/web/paths"
	"github.com/cloudoven/cloudoven/web/webtest"
)

func TestEditorAddsTypeWithItsRequirements(t *testing.T) {
	t.Parallel()
	a := webtest.EditorApp(t)
	page := a.AddType("azurerm_resource_group", "resource")

	if got := strings.TrimSpace(page.Find(`[data-testid="item-address"]`).Text()); got != "azurerm_resource_group.main" {
		t.Errorf("item = %q", got)
	}
	for _, key := range []string{"name", "location"} {
		field := page.Find(`[data-testid="field"][data-key="` + key + `"]`)
		if field.Length() != 1 || !field.HasClass("required") {
			t.Errorf("required field %s: %d found", key, field.Length())
		}
		if !strings.Contains(webtest.FieldErrorText(page, key), "missing required argument") {
			t.Errorf("field %s shows %q, want its missing-argument error", key, webtest.FieldErrorText(page, key))
		}
		if doc := field.Find(`[data-testid="field-doc"]`).Text(); doc == "" {
			t.Errorf("field %s has no description from the docs", key)
		}
	}
	if page.Find(`[data-testid="field"][data-key="id"]`).Length() != 0 {
		t.Error("computed-only id is offered")
	}
	if n := page.Find(`[data-testid="optional-args"] [data-testid="field"]`).Length(); n == 0 {
		t.Error("optional arguments are not offered")
	}
	if page.Find(`[data-testid="doc-panel"]`).Length() != 1 {
		t.Error("no doc panel")
	}
	main := webtest.PreviewFile(page, "main.tf")
	for _, want := range []string{`resource "azurerm_resource_group" "main"`, `source  = "hashicorp/azurerm"`, "features {}"} {
		if !strings.Contains(main, want) {
			t.Errorf("preview main.tf lacks %q:\n%s", want, main)
		}
	}
	if got := page.Find(`[data-testid="preview-summary"]`).AttrOr("data-errors", ""); got != "2" {
		t.Errorf("preview counts %s errors, want 2 (name and location)", got)
	}
	if page.Find(`[data-testid="outline-item"][data-item="azurerm_resource_group.main"] [data-testid="outline-errors"]`).Text() != "2" {
		t.Error("the outline does not count the item's errors")
	}

	// A second one gets a free name.
	page = a.AddType("azurerm_resource_group", "resource")
	if got := strings.TrimSpace(page.Find(`[data-testid="item-address"]`).Text()); got != "azurerm_resource_group.main2" {
		t.Errorf("second item = %q", got)
	}
}

func TestEditorTypingUpdatesThePreviewOnly(t *testing.T) {
	t.Parallel()
	a := webtest.EditorApp(t)
	page := a.AddType("azurerm_resource_group", "resource")
	got := a.SubmitItem(page, func(v url.Values) {
		v.Set("name", "rg-payments")
		v.Set("location", "westeurope")
	})
	if got.Find("#item-form").Length() != 0 {
		t.Error("typing re-rendered the form (the field being typed in would lose focus)")
	}
	main := webtest.PreviewFile(got, "main.tf")
	if !strings.Contains(main, `name     = "rg-payments"`) || !strings.Contains(main, `location = "westeurope"`) {
		t.Errorf("preview main.tf:\n%s", main)
	}
	if n := got.Find(`[data-testid="preview-summary"]`).AttrOr("data-errors", ""); n != "0" {
		t.Errorf("%s errors after filling both fields", n)
	}
	if o := got.Find(`#outline[hx-swap-oob]`); o.Length() != 1 || o.Find(`[data-testid="outline-errors"]`).Length() != 0 {
		t.Error("the outline is not refreshed with the preview")
	}
	// The draft was saved: a reload shows the values.
	page = a.EditorPage("azurerm_resource_group.main")
	if v := page.Find(`input[name="name"]`).AttrOr("value", ""); v != "rg-payments" {
		t.Errorf("reloaded name = %q", v)
	}
	if !strings.Contains(page.Find(`[data-testid="draft-state"]`).Text(), "draft of v1") {
		t.Errorf("draft state = %q", page.Find(`[data-testid="draft-state"]`).Text())
	}
}

func TestEditorReferencePickerAndBlocks(t *testing.T) {
	t.Parallel()
	a := webtest.EditorApp(t)
	a.AddType("azurerm_resource_group", "resource")
	page := a.AddType("azurerm_kubernetes_cluster", "resource")

	// The default_node_pool the schema requires is there, and cannot be removed.
	pool := page.Find(`[data-testid="block"][data-key="default_node_pool"]`)
	if pool.Length() != 1 || pool.Find(`[data-testid="block-instance"]`).Length() != 1 {
		t.Fatalf("default_node_pool block: %d", pool.Length())
	}
	if pool.Find(`[data-testid="remove-block"]`).Length() != 0 {
		t.Error("the required default_node_pool can be removed")
	}

	// Switching resource_group_name to a reference re-renders the form with the picker.
	w := a.PostForm(page.Find("#item-form").AttrOr("action", ""), withOp(htmltest.FormValues(page.Find("#item-form")), "mode:resource_group_name=ref"), true)
	webtest.WantStatus(t, w, http.StatusOK)
	if w.Header().Get("HX-Retarget") != "#item-form" {
		t.Errorf("HX-Retarget = %q", w.Header().Get("HX-Retarget"))
	}
	got := webtest.ParseHTML(t, w)
	picker := got.Find(`[data-key="resource_group_name"] select[data-testid="ref-picker"]`)
	if picker.Length() != 1 {
		t.Fatalf("no reference picker after switching modes")
	}
	first := picker.Find("option[value!='']").First().AttrOr("value", "")
	if first != "azurerm_resource_group.main.name" {
		t.Errorf("best candidate = %q, want azurerm_resource_group.main.name", first)
	}

	// Pick it, add an identity block and give node_count a bad value.
	v := htmltest.FormValues(got.Find("#item-form"))
	v.Set("resource_group_name", "azurerm_resource_group.main.name")
	v.Set("default_node_pool[0].node_count", "abc")
	w = a.PostForm(got.Find("#item-form").AttrOr("action", ""), withOp(v, "add:identity"), true)
	webtest.WantStatus(t, w, http.StatusOK)
	got = webtest.ParseHTML(t, w)
	if got.Find(`[data-testid="block"][data-key="identity"] [data-testid="block-instance"]`).Length() != 1 {
		t.Error("no identity block after adding one")
	}
	if !strings.Contains(webtest.FieldErrorText(got, "default_node_pool[0].node_count"), "number") {
		t.Errorf("node_count error = %q, want one about numbers", webtest.FieldErrorText(got, "default_node_pool[0].node_count"))
	}
	if v := got.Find(`[name="default_node_pool[0].node_count"]`).AttrOr("value", ""); v != "abc" {
		t.Errorf("the bad value was not kept as typed: %q", v)
	}
	main := webtest.PreviewFile(got, "main.tf")
	if !strings.Contains(main, "resource_group_name = azurerm_resource_group.main.name") {
		t.Errorf("preview lacks the reference:\n%s", main)
	}
	li := got.Find(`[data-testid="diagnostic"][data-field="default_node_pool[0].node_count"]`)
	if li.Length() != 1 || li.AttrOr("data-item", "") != "azurerm_kubernetes_cluster.main" {
		t.Errorf("the preview does not place the node_count error on its field")
	}

	// Remove the identity block again.
	w = a.PostForm(got.Find("#item-form").AttrOr("action", ""), withOp(htmltest.FormValues(got.Find("#item-form")), "remove:identity[0]"), true)
	webtest.WantStatus(t, w, http.StatusOK)
	if webtest.ParseHTML(t, w).Find(`[data-testid="block"][data-key="identity"]`).Length() != 0 {
		t.Error("identity block still shown after removing it")
	}
}

func withOp(v url.Values, op string) url.Values {
	v.Set("op", op)
	return v
}

func TestEditorSaveMakesAVersion(t *testing.T) {
	t.Parallel()
	a := webtest.EditorApp(t)
	page := a.AddType("azurerm_resource_group", "resource")
	a.SubmitItem(page, func(v url.Values) { v.Set("name", "rg"); v.Set("location", "westeurope") })

	// The save form carries the revision of the draft the page showed.
	save := htmltest.FormValues(webtest.ByTestID(page, "save-form"))
	save.Set("message", "resource group")
	w := a.PostForm(paths.Edit("team", "net")+"/save", save, false)
	webtest.WantStatus(t, w, http.StatusSeeOther)
	if loc := w.Header().Get("Location"); loc != paths.BlueprintVersion("team", "net", 2) {
		t.Errorf("save redirects to %q", loc)
	}
	v, err := a.Store.BlueprintVersion(context.Background(), "team", "net", 2)
	if err != nil {
		t.Fatal(err)
	}
	if v.Message != "resource group" || !strings.Contains(string(v.Document), `"azurerm_resource_group"`) {
		t.Errorf("version 2: %q %s", v.Message, v.Document)
	}
	if _, err := a.Store.Draft(context.Background(), "team", "net"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("draft after saving: %v", err)
	}
	// Saving with nothing changed makes no version.
	page = a.EditorPage("azurerm_resource_group.main")
	w = a.PostForm(paths.Edit("team", "net")+"/save", htmltest.FormValues(webtest.ByTestID(page, "save-form")), false)
	webtest.WantStatus(t, w, http.StatusSeeOther)
	if vs, _ := a.Store.BlueprintVersions(context.Background(), "team", "net"); len(vs) != 2 {
		t.Errorf("%d versions after an empty save", len(vs))
	}
}

func TestEditorDiscardDraft(t *testing.T) {
	t.Parallel()
	a := webtest.EditorApp(t)
	page := a.AddType("azurerm_resource_group", "resource")
	w := a.PostForm(paths.Edit("team", "net")+"/discard", htmltest.FormValues(webtest.ByTestID(page, "discard-form")), false)
	webtest.WantStatus(t, w, http.StatusSeeOther)
	page = a.EditorPage("settings")
	if page.Find(`[data-testid="outline-item"][data-item="azurerm_resource_group.main"]`).Length() != 0 {
		t.Error("the discarded resource is still there")
	}
}

func TestEditorVariablesLocalsOutputs(t *testing.T) {
	t.Parallel()
	a := webtest.EditorApp(t)
	// Add a variable, then type into it.
	page := a.EditorPage("variables")
	w := a.PostForm(page.Find("#item-form").AttrOr("action", ""), withOp(htmltest.FormValues(page.Find("#item-form")), "add"), true)
	webtest.WantStatus(t, w, http.StatusOK)
	got := webtest.ParseHTML(t, w)
	if got.Find(`[data-testid="variable-row"]`).Length() != 1 {
		t.Fatal("no variable row after adding one")
	}
	v := htmltest.FormValues(got.Find("#item-form"))
	v.Set("v[0].name", "location")
	v.Set("v[0].default", `"westeurope"`)
	v.Set("v[0].description", "Azure region")
	w = a.PostForm(got.Find("#item-form").AttrOr("action", ""), v, true)
	webtest.WantStatus(t, w, http.StatusOK)
	vars := webtest.PreviewFile(webtest.ParseHTML(t, w), "variables.tf")
	for _, want := range []string{`variable "location"`, `default     = "westeurope"`, `description = "Azure region"`} {
		if !strings.Contains(vars, want) {
			t.Errorf("variables.tf lacks %q:\n%s", want, vars)
		}
	}

	// A local and a sensitive output.
	page = a.EditorPage("locals")
	w = a.PostForm(page.Find("#item-form").AttrOr("action", ""), withOp(htmltest.FormValues(page.Find("#item-form")), "add"), true)
	got = webtest.ParseHTML(t, w)
	v = htmltest.FormValues(got.Find("#item-form"))
	v.Set("l[0].name", "prefix")
	v.Set("l[0].value", `"pay-${var.location}"`)
	webtest.WantStatus(t, a.PostForm(got.Find("#item-form").AttrOr("action", ""), v, true), http.StatusOK)

	page = a.EditorPage("outputs")
	w = a.PostForm(page.Find("#item-form").AttrOr("action", ""), withOp(htmltest.FormValues(page.Find("#item-form")), "add"), true)
	got = webtest.ParseHTML(t, w)
	v = htmltest.FormValues(got.Find("#item-form"))
	v.Set("o[0].name", "prefix")
	v.Set("o[0].value", "local.prefix")
	v.Set("o[0].sensitive", "true")
	w = a.PostForm(got.Find("#item-form").AttrOr("action", ""), v, true)
	got = webtest.ParseHTML(t, w)
	if outs := webtest.PreviewFile(got, "outputs.tf"); !strings.Contains(outs, "value     = local.prefix") || !strings.Contains(outs, "sensitive = true") {
		t.Errorf("outputs.tf:\n%s", outs)
	}
	if n := got.Find(`[data-testid="preview-summary"]`).AttrOr("data-errors", ""); n != "0" {
		t.Errorf("%s errors: %s", n, got.Find(`[data-testid="preview-diagnostics"]`).Text())
	}

	// A bad variable name is shown on its row.
	page = a.EditorPage("variables")
	got = a.SubmitItem(page, func(v url.Values) { v.Set("v[0].name", "1bad") })
	li := got.Find(`[data-testid="diagnostic"][data-item="variables"]`)
	if li.Length() == 0 || li.First().AttrOr("data-field", "") != "v[0].name" {
		t.Errorf("bad variable name not placed on its field: %d diagnostics, field %q", li.Length(), li.First().AttrOr("data-field", ""))
	}

	// Remove the output.
	page = a.EditorPage("outputs")
	w = a.PostForm(page.Find("#item-form").AttrOr("action", ""), withOp(htmltest.FormValues(page.Find("#item-form")), "remove:0"), true)
	if webtest.ParseHTML(t, w).Find(`[data-testid="output-row"]`).Length() != 0 {
		t.Error("output still there after removing it")
	}
}

func TestEditorProviderConfiguration(t *testing.T) {
	t.Parallel()
	a := webtest.EditorApp(t)
	a.AddType("azurerm_resource_group", "resource")
	page := a.EditorPage("provider:azurerm")
	if page.Find(`[data-testid="block"][data-key="features"]`).Length() != 1 {
		t.Error("the azurerm provider form has no features block")
	}
	got := a.SubmitItem(page, func(v url.Values) {
		v.Set("subscription_id", "var.subscription_id")
		v.Set("subscription_id:mode", "ref")
	})
	if !strings.Contains(webtest.PreviewFile(got, "main.tf"), "subscription_id = var.subscription_id") {
		t.Errorf("provider block:\n%s", webtest.PreviewFile(got, "main.tf"))
	}
	if li := got.Find(`[data-testid="diagnostic"][data-item="provider:azurerm"][data-field="subscription_id"]`); li.Length() != 1 {
		t.Error("the undeclared variable is not placed on the provider's field")
	}
}

func TestEditorRefusesBadInput(t *testing.T) {
	t.Parallel()
	a := webtest.EditorApp(t)
	page := a.AddType("azurerm_resource_group", "resource")
	action := page.Find("#item-form").AttrOr("action", "")

	t.Run("unknown type", func(t *testing.T) {
		w := a.PostForm(paths.EditAdd("team", "net"), url.Values{"type": {"azurerm_nope"}, "kind": {"resource"}}, true)
		webtest.WantStatus(t, w, http.StatusUnprocessableEntity)
		if !strings.Contains(w.Body.String(), "azurerm_nope") {
			t.Errorf("answer: %s", w.Body)
		}
	})
	t.Run("bad rename", func(t *testing.T) {
		v := withOp(htmltest.FormValues(page.Find("#item-form")), "rename")
		v.Set("@name", "not a name")
		w := a.PostForm(action, v, true)
		webtest.WantStatus(t, w, http.StatusOK)
		if p := webtest.ParseHTML(t, w).Find(`#item-problem`).Text(); !strings.Contains(p, `Invalid name "not a name"`) {
			t.Errorf("no problem shown for a bad name: %q", p)
		}
	})
	t.Run("rename", func(t *testing.T) {
		v := withOp(htmltest.FormValues(page.Find("#item-form")), "rename")
		v.Set("@name", "core")
		w := a.PostForm(action, v, true)
		if got := w.Header().Get("HX-Redirect"); got != paths.EditItem("team", "net", "azurerm_resource_group.core") {
			t.Errorf("rename redirects to %q", got)
		}
	})
	t.Run("oversized form", func(t *testing.T) {
		w := a.PostForm(paths.Edit("team", "net")+"/item?item=azurerm_resource_group.core", url.Values{"name": {strings.Repeat("x", editor.MaxEditFormBytes+1)}}, true)
		webtest.WantStatus(t, w, http.StatusRequestEntityTooLarge)
		p := a.EditorPage("azurerm_resource_group.core")
		if p.Find(`[data-testid="item-address"]`).Length() != 1 {
			t.Error("the resource is gone after a refused edit")
		}
	})
	t.Run("unknown item", func(t *testing.T) {
		rev := page.Find(`#item-form-revision`).AttrOr("value", "")
		w := a.PostForm(paths.Edit("team", "net")+"/item?item=azurerm_x.y", url.Values{"draft:revision": {rev}}, true)
		webtest.WantStatus(t, w, http.StatusNotFound)
	})
	t.Run("unknown blueprint", func(t *testing.T) {
		webtest.WantStatus(t, a.Get(paths.Edit("team", "nope"), false), http.StatusNotFound)
	})
	t.Run("bad new blueprint name", func(t *testing.T) {
		w := a.PostForm("/projects/team/new-blueprint", url.Values{"name": {"Bad Name"}}, true)
		webtest.WantStatus(t, w, http.StatusUnprocessableEntity)
		w = a.PostForm("/projects/team/new-blueprint", url.Values{"name": {"net"}}, true)
		webtest.WantStatus(t, w, http.StatusConflict)
	})
}

func TestEditorDraftZip(t *testing.T) {
	t.Parallel()
	a := webtest.EditorApp(t)
	page := a.AddType("azurerm_resource_group", "resource")
	a.SubmitItem(page, func(v url.Values) { v.Set("name", "rg"); v.Set("location", "westeurope") })
	w := a.Get(paths.Edit("team", "net")+"/terraform.zip", false)
	webtest.WantStatus(t, w, http.StatusOK)
	if ct := w.Header().Get("Content-Type"); ct != "application/zip" {
		t.Errorf("Content-Type %q", ct)
	}
	files := webtest.UnzipFiles(t, w.Body.Bytes())
	b, diags := blueprint.Import(files)
	if diags.HasErrors() {
		t.Fatalf("the zip's files do not import: %v", diags)
	}
	b.Name = "net"
	if ds := blueprint.Validate(b, webtest.Catalog(t)); ds.HasErrors() {
		t.Errorf("the zip's files do not validate: %v", ds)
	}
}

func TestEditorSettingsAndMetaArguments(t *testing.T) {
	t.Parallel()
	a := webtest.EditorApp(t)
	page := a.AddType("azurerm_resource_group", "resource")

	// count and depends_on are meta-arguments of the resource's form.
	got := a.SubmitItem(page, func(v url.Values) {
		v.Set("name", "rg")
		v.Set("location", "westeurope")
		v.Set("@count", "2")
		v.Set("@depends_on", "azurerm_nope.x\n")
	})
	main := webtest.PreviewFile(got, "main.tf")
	if !strings.Contains(main, "count = 2") {
		t.Errorf("count not generated:\n%s", main)
	}
	li := got.Find(`[data-testid="diagnostic"][data-item="azurerm_resource_group.main"][data-field="@depends_on"]`)
	if li.Length() == 0 {
		t.Errorf("the bad depends_on entry is not placed on its field: %s", got.Find(`[data-testid="preview-diagnostics"]`).Text())
	}

	// Deleting the provider configuration, then configuring it again from the settings.
	page = a.EditorPage("provider:azurerm")
	w := a.PostForm(page.Find("#item-form").AttrOr("action", ""), withOp(htmltest.FormValues(page.Find("#item-form")), "delete"), true)
	if loc := w.Header().Get("HX-Redirect"); loc != paths.EditItem("team", "net", "settings") {
		t.Errorf("deleting the provider redirects to %q", loc)
	}
	page = a.EditorPage("settings")
	if page.Find(`[data-testid="required-providers"] tbody tr`).Length() != 1 {
		t.Error("settings do not list the azurerm requirement")
	}
	if !strings.Contains(page.Find(`[data-testid="preview-diagnostics"]`).Text(), "needs a provider configuration") {
		t.Error("no diagnostic for the missing provider block")
	}
	btn := page.Find(`[data-testid="configure-provider"]`)
	if btn.Length() != 1 {
		t.Fatal("no button to configure azurerm")
	}
	w = a.PostForm(page.Find("#item-form").AttrOr("action", ""), withOp(htmltest.FormValues(page.Find("#item-form")), btn.AttrOr("value", "")), true)
	if loc := w.Header().Get("HX-Redirect"); loc != paths.EditItem("team", "net", "provider:azurerm") {
		t.Errorf("configuring redirects to %q", loc)
	}
	page = a.EditorPage("provider:azurerm")
	if !strings.Contains(webtest.PreviewFile(page, "main.tf"), "features {}") {
		t.Errorf("the new azurerm block lacks features {}:\n%s", webtest.PreviewFile(page, "main.tf"))
	}

	// The version constraint is editable.
	page = a.EditorPage("settings")
	got = a.SubmitItem(page, func(v url.Values) { v.Set("rp[0].version", "~> 5.0"); v.Set("required_version", ">= 1.5.0") })
	main = webtest.PreviewFile(got, "main.tf")
	if !strings.Contains(main, `version = "~> 5.0"`) || !strings.Contains(main, `required_version = ">= 1.5.0"`) {
		t.Errorf("settings not applied:\n%s", main)
	}
}

func TestEditorWithoutJavaScriptRedirects(t *testing.T) {
	t.Parallel()
	a := webtest.EditorApp(t)
	page := a.AddType("azurerm_resource_group", "resource")
	v := htmltest.FormValues(page.Find("#item-form"))
	v.Set("name", "rg")
	w := a.PostForm(page.Find("#item-form").AttrOr("action", ""), v, false)
	webtest.WantStatus(t, w, http.StatusSeeOther)
	if loc := w.Header().Get("Location"); loc != paths.EditItem("team", "net", "azurerm_resource_group.main") {
		t.Errorf("plain post redirects to %q", loc)
	}
	if v := a.EditorPage("azurerm_resource_group.main").Find(`input[name="name"]`).AttrOr("value", ""); v != "rg" {
		t.Errorf("plain post did not save: name = %q", v)
	}
}

func TestEditorRenameFollowsReferences(t *testing.T) {
	t.Parallel()
	a := webtest.EditorApp(t)
	page := a.AddType("azurerm_resource_group", "resource")
	a.SubmitItem(page, func(v url.Values) { v.Set("name", "rg"); v.Set("location", "westeurope") })
	page = a.AddType("azurerm_kubernetes_cluster", "resource")
	a.SubmitItem(page, func(v url.Values) {
		v.Set("resource_group_name", "azurerm_resource_group.main.name")
		v.Set("resource_group_name:mode", "ref")
		v.Set("location", `"${azurerm_resource_group.main.location}"`)
		v.Set("location:mode", "expr")
	})
	page = a.EditorPage("azurerm_resource_group.main")
	v := withOp(htmltest.FormValues(page.Find("#item-form")), "rename")
	v.Set("@name", "core")
	w := a.PostForm(page.Find("#item-form").AttrOr("action", ""), v, true)
	if loc := w.Header().Get("HX-Redirect"); loc != paths.EditItem("team", "net", "azurerm_resource_group.core") {
		t.Fatalf("rename redirects to %q", loc)
	}
	main := webtest.PreviewFile(a.EditorPage("azurerm_resource_group.core"), "main.tf")
	for _, want := range []string{`resource "azurerm_resource_group" "core"`, "resource_group_name = azurerm_resource_group.core.name", "azurerm_resource_group.core.location"} {
		if !strings.Contains(main, want) {
			t.Errorf("main.tf after the rename lacks %q:\n%s", want, main)
		}
	}
	if strings.Contains(main, "azurerm_resource_group.main") {
		t.Errorf("an old reference is left:\n%s", main)
	}
}

func TestEditorExpressionErrorsStayWithTheirField(t *testing.T) {
	t.Parallel()
	a := webtest.EditorApp(t)
	page := a.AddType("azurerm_resource_group", "resource")
	got := a.SubmitItem(page, func(v url.Values) {
		v.Set("name", "rg")
		v.Set("location", "merge(var.a,")
		v.Set("location:mode", "expr")
	})
	li := got.Find(`[data-testid="diagnostic"][data-field="location"]`)
	if li.Length() == 0 {
		t.Fatalf("no diagnostic on location for an unfinished expression: %s", got.Find(`[data-testid="preview-diagnostics"]`).Text())
	}
	// The preview stays, with the unfinished value as null.
	if main := webtest.PreviewFile(got, "main.tf"); !strings.Contains(main, "location = null") {
		t.Errorf("preview with an unfinished expression:\n%s", main)
	}
	if p := got.Find(`[data-testid="generate-error"]`).Text(); !strings.Contains(p, "1 value cannot be written yet") {
		t.Errorf("generate problem = %q", p)
	}
	// What was typed is kept, to be fixed, not dropped.
	page = a.EditorPage("azurerm_resource_group.main")
	if v := page.Find(`textarea[name="location"]`).Text(); v != "merge(var.a," {
		t.Errorf("the expression came back as %q", v)
	}
}

// TestEditorRemovesAnUnusedRequiredProvider: a required provider that no resource uses can be
// removed from the settings, its configuration with it; one in use says what uses it and stays.
func TestEditorRemovesAnUnusedRequiredProvider(t *testing.T) {
	t.Parallel()
	a := webtest.EditorApp(t)
	a.AddType("azurerm_resource_group", "resource")

	page := a.EditorPage("settings")
	if got := page.Find(`[data-testid="required-provider-uses"][data-provider="azurerm"]`).Text(); !strings.Contains(got, "used by 1") {
		t.Fatalf("azurerm in use says %q", got)
	}
	if page.Find(`[data-testid="remove-required-provider"]`).Length() != 0 {
		t.Error("a provider in use offers Remove")
	}
	// Asked anyway (a stale page): refused, saying why.
	form := page.Find("#item-form")
	got := webtest.ParseHTML(t, a.PostForm(form.AttrOr("action", ""), withOp(htmltest.FormValues(form), formpkg.RemoveRowOp(0).String()), true))
	if msg := got.Find(`[data-testid="item-problem"]`).Text(); !strings.Contains(msg, "azurerm is used by 1 resource or data source") {
		t.Errorf("removing a provider in use says %q", msg)
	}

	// The resource goes; then the provider can.
	page = a.EditorPage("azurerm_resource_group.main")
	a.PostForm(page.Find("#item-form").AttrOr("action", ""), withOp(htmltest.FormValues(page.Find("#item-form")), "delete"), true)
	page = a.EditorPage("settings")
	btn := page.Find(`[data-testid="remove-required-provider"][data-provider="azurerm"]`)
	if btn.Length() != 1 {
		t.Fatal("an unused provider offers no Remove")
	}
	form = page.Find("#item-form")
	a.PostForm(form.AttrOr("action", ""), withOp(htmltest.FormValues(form), btn.AttrOr("value", "")), true)
	page = a.EditorPage("settings")
	if n := page.Find(`[data-testid="required-providers"] tbody tr`).Length(); n != 0 {
		t.Errorf("%d required providers left", n)
	}
	if main := webtest.PreviewFile(page, "main.tf"); strings.Contains(main, "azurerm") {
		t.Errorf("main.tf still names azurerm:\n%s", main)
	}
}

// TestEditorVariableDefaultQuotingRule: a default is typed as an environment's value is
// (blueprint.ParseVariableValue): a string as it is, quoted or not; other types in HCL,
// checked against the type next to the field.
func TestEditorVariableDefaultQuotingRule(t *testing.T) {
	t.Parallel()
	a := webtest.EditorApp(t)
	page := a.EditorPage("variables")
	w := a.PostForm(page.Find("#item-form").AttrOr("action", ""), withOp(htmltest.FormValues(page.Find("#item-form")), "add"), true)
	webtest.WantStatus(t, w, http.StatusOK)
	form := webtest.ParseHTML(t, w).Find("#item-form")
	action := form.AttrOr("action", "")
	post := func(typ, def string) *goquery.Document {
		t.Helper()
		v := htmltest.FormValues(form)
		v.Set("v[0].name", "location")
		v.Set("v[0].type", typ)
		v.Set("v[0].default", def)
		w := a.PostForm(action, v, true)
		webtest.WantStatus(t, w, http.StatusOK)
		return webtest.ParseHTML(t, w)
	}
	for _, def := range []string{"northeurope", `"northeurope"`} {
		doc := post("string", def)
		if vars := webtest.PreviewFile(doc, "variables.tf"); !strings.Contains(vars, `default = "northeurope"`) && !strings.Contains(vars, `default     = "northeurope"`) {
			t.Errorf("default %s: variables.tf:\n%s", def, vars)
		}
		if n := doc.Find(`[data-testid="preview-summary"]`).AttrOr("data-errors", ""); n != "0" {
			t.Errorf("default %s: %s errors: %s", def, n, doc.Find(`[data-testid="preview-diagnostics"]`).Text())
		}
		if got := a.EditorPage("variables").Find(`[name="v[0].default"]`).Text(); got != "northeurope" {
			t.Errorf("default %s is shown as %q", def, got)
		}
	}
	doc := post("list(string)", `["10.0.0.0/16"]`)
	if vars := webtest.PreviewFile(doc, "variables.tf"); !strings.Contains(vars, `["10.0.0.0/16"]`) {
		t.Errorf("a list default: variables.tf:\n%s", vars)
	}
	doc = post("number", "many")
	if got := doc.Find(`[data-testid="preview-diagnostics"]`).Text(); !strings.Contains(got, `expected a number, got "many"`) {
		t.Errorf("a word for a number: %q", strings.Join(strings.Fields(got), " "))
	}
	page = a.EditorPage("variables")
	if got := page.Find(`[name="v[0].default"]`).Text(); got != "many" {
		t.Errorf("the refused default is shown as %q, want what was typed", got)
	}
	if got := webtest.FieldErrorText(page, "v[0].default"); !strings.Contains(got, "expected a number") {
		t.Errorf("the default's field says %q", got)
	}
}
