package editor_test

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/cloudoven/cloudoven/blueprint"
	"github.com/cloudoven/cloudoven/internal/testenv"
	"github.com/cloudoven/cloudoven/web/paths"
	"github.com/cloudoven/cloudoven/web/webtest"
)

// fieldErrorHas is a JavaScript test that the error slot of the field key contains s.
func fieldErrorHas(key, s string) string {
	return `(document.querySelector('[data-error-for="` + key + `"]')||{textContent:""}).textContent.includes(` + webtest.JS(s) + `)`
}

// clearInput empties an input; the keys typed next fire the input events.
func clearInput(sel string) chromedp.Action {
	var got string
	return chromedp.Evaluate(`(function(){var s=document.querySelector(`+webtest.JS(sel)+`);s.value="";return s.value})()`, &got)
}

// TestBrowserEditor is the editor's acceptance test in a real Chromium with htmx running:
// create a blueprint, add a resource group and an AKS cluster by searching the catalog,
// fill the required fields (the reference picker for resource_group_name and location), add
// a block, watch the preview follow, see a bad value's error under its field, save, and
// check the downloaded zip with terraform fmt, hclsyntax and the catalog.
func TestBrowserEditor(t *testing.T) {
	terraform := testenv.Terraform(t)
	app := webtest.NewApp(t)
	app.CreateProject("payments")
	srv, ctx := webtest.SignedInBrowser(t, app.Handler)

	run := webtest.Runner(t, ctx)

	run("creating the blueprint",
		chromedp.Navigate(srv.URL+paths.Project("payments")),
		chromedp.WaitVisible(webtest.Sel("new-blueprint-form")),
		webtest.SendKeys(webtest.Sel("new-blueprint-name"), "aks"),
		webtest.Click(webtest.Sel("new-blueprint-submit")),
		chromedp.WaitVisible(webtest.Sel("editor")),
	)

	addType := func(query, typ string) {
		t.Helper()
		row := `li.type-row[data-type="` + typ + `"] button`
		run("adding "+typ,
			clearInput(webtest.Sel("add-search")),
			webtest.SendKeys(webtest.Sel("add-search"), query),
			chromedp.WaitVisible(row),
		)
		webtest.Screenshot(t, ctx, "search-"+typ)
		run("adding "+typ, webtest.Click(row))
		webtest.WaitJS(t, ctx, typ+" in the editor", `(document.querySelector('[data-testid="item-address"]')||{textContent:""}).textContent.includes(`+webtest.JS(typ+".main")+`)`)
	}

	// The resource group: two required fields, typed.
	addType("resource group", "azurerm_resource_group")
	run("filling the resource group",
		webtest.SendKeys(`input[name="name"]`, "rg-payments"),
		webtest.SendKeys(`input[name="location"]`, "westeurope"),
	)
	webtest.WaitJS(t, ctx, "the preview to show the resource group", webtest.PreviewHas(`name     = "rg-payments"`))
	webtest.Screenshot(t, ctx, "1-resource-group")

	// The cluster.
	addType("kubernetes cluster", "azurerm_kubernetes_cluster")
	run("filling the cluster",
		webtest.SendKeys(`input[name="name"]`, "aks-payments"),
		// dns_prefix is optional in the schema (dns_prefix_private_cluster is the other way),
		// so it sits with the folded optional arguments.
		webtest.Click(`[data-testid="optional-args"][data-key=""] > summary`),
		webtest.SendKeys(`input[name="dns_prefix"]`, "payments"),
	)
	webtest.WaitJS(t, ctx, "the preview to show the cluster's name", webtest.PreviewHas(`name       = "aks-payments"`))
	for _, ref := range []struct{ field, value string }{
		{"resource_group_name", "azurerm_resource_group.main.name"},
		{"location", "azurerm_resource_group.main.location"},
	} {
		picker := `[data-key="` + ref.field + `"] select[data-testid="ref-picker"]`
		run("switching "+ref.field+" to a reference",
			webtest.Click(`[data-key="`+ref.field+`"] button[data-mode="ref"]`),
			chromedp.WaitVisible(picker),
		)
		webtest.WaitJS(t, ctx, "the picker to offer "+ref.value, `!!document.querySelector(`+webtest.JS(picker+` option[value="`+ref.value+`"]`)+`)`)
		run("picking "+ref.value, webtest.ChooseOption(picker, ref.value))
		webtest.WaitJS(t, ctx, "the preview to show "+ref.value, webtest.PreviewHas(ref.value))
	}
	webtest.Screenshot(t, ctx, "2-references")

	// default_node_pool comes with the cluster (the schema requires exactly one); fill it,
	// with a bad node_count first.
	run("filling the node pool",
		webtest.SendKeys(`[name="default_node_pool[0].name"]`, "system"),
		webtest.Click(`[data-testid="optional-args"][data-key="default_node_pool[0]"] > summary`),
		webtest.SendKeys(`[name="default_node_pool[0].vm_size"]`, "Standard_D2s_v5"),
		webtest.SendKeys(`[name="default_node_pool[0].node_count"]`, "two"),
	)
	webtest.WaitJS(t, ctx, "node_count's error under the field", fieldErrorHas("default_node_pool[0].node_count", "number"))
	var png []byte
	run("photographing the bad value", chromedp.Screenshot(`[data-testid="field"][data-key="default_node_pool[0].node_count"]`, &png))
	if err := os.WriteFile(filepath.Join(testenv.OutputDir(t), "3-bad-value.png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
	run("fixing node_count",
		clearInput(`[name="default_node_pool[0].node_count"]`),
		webtest.SendKeys(`[name="default_node_pool[0].node_count"]`, "2"),
	)
	webtest.WaitJS(t, ctx, "node_count's error to go", "!"+fieldErrorHas("default_node_pool[0].node_count", "number")+" && "+webtest.PreviewHas("node_count = 2"))

	// Add the identity block and fill it.
	run("adding the identity block",
		webtest.Click(`button[data-block="identity"]`),
		chromedp.WaitVisible(`[name="identity[0].type"]`),
		webtest.SendKeys(`[name="identity[0].type"]`, "SystemAssigned"),
	)
	webtest.WaitJS(t, ctx, "the preview to show the identity block", webtest.PreviewHas(`type = "SystemAssigned"`))
	webtest.WaitJS(t, ctx, "no errors left", `document.querySelector('[data-testid="preview-summary"]').dataset.errors === "0"`)
	webtest.Screenshot(t, ctx, "4-valid")

	// Save: the blueprint page shows version 2.
	var zipHref string
	run("saving",
		webtest.SendKeys(webtest.Sel("save-message"), "AKS with its resource group"),
		webtest.Click(webtest.Sel("save-version")),
		chromedp.WaitVisible(`[data-testid="shown-version"][data-version="2"]`),
		chromedp.AttributeValue(webtest.Sel("download-zip"), "href", &zipHref, nil),
	)
	webtest.Screenshot(t, ctx, "5-saved")

	resp, err := app.HTTPGet(srv.URL + zipHref)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	files := webtest.UnzipFiles(t, body)
	dir := t.TempDir()
	for name, src := range files {
		if _, diags := hclsyntax.ParseConfig(src, name, hcl.InitialPos); diags.HasErrors() {
			t.Errorf("%s does not parse: %s", name, diags.Error())
		}
		if err := os.WriteFile(filepath.Join(dir, name), src, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	main := string(files["main.tf"])
	for _, want := range []string{
		`resource "azurerm_kubernetes_cluster" "main"`,
		"resource_group_name = azurerm_resource_group.main.name",
		"location            = azurerm_resource_group.main.location",
		"default_node_pool {",
		"identity {",
	} {
		if !strings.Contains(main, want) {
			t.Errorf("main.tf in the zip lacks %q:\n%s", want, main)
		}
	}
	fmtCmd := exec.Command(terraform, "fmt", "-check", "-diff", dir)
	fmtCmd.Env = os.Environ()
	for k, v := range testenv.TerraformEnv(t) {
		fmtCmd.Env = append(fmtCmd.Env, k+"="+v)
	}
	if out, err := fmtCmd.CombinedOutput(); err != nil {
		t.Errorf("terraform fmt -check: %v\n%s", err, out)
	}
	b, diags := blueprint.Import(files)
	if diags.HasErrors() {
		t.Fatalf("the zip's files do not import: %v", diags)
	}
	b.Name = "aks"
	if ds := blueprint.Validate(b, webtest.Catalog(t)); ds.HasErrors() {
		t.Errorf("the zip's files do not validate against the catalog:\n%v", ds)
	}
}
