package web

import (
	"context"
	"encoding/json"
	"io"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/cloudoven/cloudoven/blueprint"
	"github.com/cloudoven/cloudoven/internal/testenv"
	"github.com/cloudoven/cloudoven/web/paths"
)

// waitJS waits, in the browser, until a JavaScript expression is true: only the page's own
// progress (htmx requests, swaps) is waited for; nothing is timed.
func waitJS(t *testing.T, ctx context.Context, what, expr string) {
	t.Helper()
	// Polled from Go rather than with chromedp.Poll, whose in-page poller dies with the page
	// when a click navigates.
	deadline := time.After(30 * time.Second)
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	var err error
	for {
		var ok bool
		if err = chromedp.Run(ctx, chromedp.Evaluate(expr, &ok)); err == nil && ok {
			return
		}
		select {
		case <-tick.C:
			continue
		case <-deadline:
		}
		break
	}
	{
		screenshot(t, ctx, "timeout")
		var state string
		_ = chromedp.Run(ctx, chromedp.Evaluate(`JSON.stringify({errors: (document.querySelector('[data-testid="preview-diagnostics"]')||{textContent:""}).textContent.replace(/\s+/g, " ")})`, &state))
		t.Fatalf("waiting for %s: %v (page state: %s)", what, err, state)
	}
}

// js quotes s as a JavaScript string literal.
func js(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// previewHas is a JavaScript test that main.tf in the preview contains s.
func previewHas(s string) string {
	return `(document.querySelector('[data-testid="preview-file"][data-file="main.tf"] code')||{textContent:""}).textContent.includes(` + js(s) + `)`
}

// fieldErrorHas is a JavaScript test that the error slot of the field key contains s.
func fieldErrorHas(key, s string) string {
	return `(document.querySelector('[data-error-for="` + key + `"]')||{textContent:""}).textContent.includes(` + js(s) + `)`
}

// clearInput empties an input; the keys typed next fire the input events.
func clearInput(sel string) chromedp.Action {
	var got string
	return chromedp.Evaluate(`(function(){var s=document.querySelector(`+js(sel)+`);s.value="";return s.value})()`, &got)
}

// chooseOption picks value in the select matched by sel, as a user would: the select fires
// change, which posts the form.
func chooseOption(sel, value string) chromedp.Action {
	var got string
	return chromedp.Evaluate(`(function(){var s=document.querySelector(`+js(sel)+`);s.value=`+js(value)+`;s.dispatchEvent(new Event("change",{bubbles:true}));return s.value})()`, &got)
}

// TestBrowserEditor is the editor's acceptance test in a real Chromium with htmx running:
// create a blueprint, add a resource group and an AKS cluster by searching the catalog,
// fill the required fields (the reference picker for resource_group_name and location), add
// a block, watch the preview follow, see a bad value's error under its field, save, and
// check the downloaded zip with terraform fmt, hclsyntax and the catalog.
func TestBrowserEditor(t *testing.T) {
	terraform := testenv.Terraform(t)
	app := newTestApp(t)
	app.createProject("payments")
	srv := httptest.NewServer(app.handler)
	t.Cleanup(srv.Close)
	ctx := newBrowser(t)
	signIn(t, ctx, srv.URL, "admin", testPassword)

	run := func(what string, actions ...chromedp.Action) {
		t.Helper()
		if err := chromedp.Run(ctx, actions...); err != nil {
			screenshot(t, ctx, "failed")
			t.Fatalf("%s: %v", what, err)
		}
	}

	run("creating the blueprint",
		chromedp.Navigate(srv.URL+paths.Project("payments")),
		chromedp.WaitVisible(testIDSel("new-blueprint-form")),
		chromedp.SendKeys(testIDSel("new-blueprint-name"), "aks"),
		chromedp.Click(testIDSel("new-blueprint-submit")),
		chromedp.WaitVisible(testIDSel("editor")),
	)

	addType := func(query, typ string) {
		t.Helper()
		row := `li.type-row[data-type="` + typ + `"] button`
		run("adding "+typ,
			clearInput(testIDSel("add-search")),
			chromedp.SendKeys(testIDSel("add-search"), query),
			chromedp.WaitVisible(row),
		)
		screenshot(t, ctx, "search-"+typ)
		run("adding "+typ, chromedp.Click(row))
		waitJS(t, ctx, typ+" in the editor", `(document.querySelector('[data-testid="item-address"]')||{textContent:""}).textContent.includes(`+js(typ+".main")+`)`)
	}

	// The resource group: two required fields, typed.
	addType("resource group", "azurerm_resource_group")
	run("filling the resource group",
		chromedp.SendKeys(`input[name="name"]`, "rg-payments"),
		chromedp.SendKeys(`input[name="location"]`, "westeurope"),
	)
	waitJS(t, ctx, "the preview to show the resource group", previewHas(`name     = "rg-payments"`))
	screenshot(t, ctx, "1-resource-group")

	// The cluster.
	addType("kubernetes cluster", "azurerm_kubernetes_cluster")
	run("filling the cluster",
		chromedp.SendKeys(`input[name="name"]`, "aks-payments"),
		// dns_prefix is optional in the schema (dns_prefix_private_cluster is the other way),
		// so it sits with the folded optional arguments.
		chromedp.Click(`[data-testid="optional-args"][data-key=""] > summary`),
		chromedp.SendKeys(`input[name="dns_prefix"]`, "payments"),
	)
	waitJS(t, ctx, "the preview to show the cluster's name", previewHas(`name       = "aks-payments"`))
	for _, ref := range []struct{ field, value string }{
		{"resource_group_name", "azurerm_resource_group.main.name"},
		{"location", "azurerm_resource_group.main.location"},
	} {
		picker := `[data-key="` + ref.field + `"] select[data-testid="ref-picker"]`
		run("switching "+ref.field+" to a reference",
			chromedp.Click(`[data-key="`+ref.field+`"] button[data-mode="ref"]`),
			chromedp.WaitVisible(picker),
		)
		waitJS(t, ctx, "the picker to offer "+ref.value, `!!document.querySelector(`+js(picker+` option[value="`+ref.value+`"]`)+`)`)
		run("picking "+ref.value, chooseOption(picker, ref.value))
		waitJS(t, ctx, "the preview to show "+ref.value, previewHas(ref.value))
	}
	screenshot(t, ctx, "2-references")

	// default_node_pool comes with the cluster (the schema requires exactly one); fill it,
	// with a bad node_count first.
	run("filling the node pool",
		chromedp.SendKeys(`[name="default_node_pool[0].name"]`, "system"),
		chromedp.Click(`[data-testid="optional-args"][data-key="default_node_pool[0]"] > summary`),
		chromedp.SendKeys(`[name="default_node_pool[0].vm_size"]`, "Standard_D2s_v5"),
		chromedp.SendKeys(`[name="default_node_pool[0].node_count"]`, "two"),
	)
	waitJS(t, ctx, "node_count's error under the field", fieldErrorHas("default_node_pool[0].node_count", "number"))
	var png []byte
	run("photographing the bad value", chromedp.Screenshot(`[data-testid="field"][data-key="default_node_pool[0].node_count"]`, &png))
	if err := os.WriteFile(filepath.Join(testenv.OutputDir(t), "3-bad-value.png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
	run("fixing node_count",
		clearInput(`[name="default_node_pool[0].node_count"]`),
		chromedp.SendKeys(`[name="default_node_pool[0].node_count"]`, "2"),
	)
	waitJS(t, ctx, "node_count's error to go", "!"+fieldErrorHas("default_node_pool[0].node_count", "number")+" && "+previewHas("node_count = 2"))

	// Add the identity block and fill it.
	run("adding the identity block",
		chromedp.Click(`button[data-block="identity"]`),
		chromedp.WaitVisible(`[name="identity[0].type"]`),
		chromedp.SendKeys(`[name="identity[0].type"]`, "SystemAssigned"),
	)
	waitJS(t, ctx, "the preview to show the identity block", previewHas(`type = "SystemAssigned"`))
	waitJS(t, ctx, "no errors left", `document.querySelector('[data-testid="preview-summary"]').dataset.errors === "0"`)
	screenshot(t, ctx, "4-valid")

	// Save: the blueprint page shows version 2.
	var zipHref string
	run("saving",
		chromedp.SendKeys(testIDSel("save-message"), "AKS with its resource group"),
		chromedp.Click(testIDSel("save-version")),
		chromedp.WaitVisible(`[data-testid="shown-version"][data-version="2"]`),
		chromedp.AttributeValue(testIDSel("download-zip"), "href", &zipHref, nil),
	)
	screenshot(t, ctx, "5-saved")

	resp, err := app.httpGet(srv.URL + zipHref)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	files := unzipFiles(t, body)
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
	if ds := blueprint.Validate(b, testCatalog(t)); ds.HasErrors() {
		t.Errorf("the zip's files do not validate against the catalog:\n%v", ds)
	}
}
