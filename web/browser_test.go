package web_test

import (
	"archive/zip"
	"bytes"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/cloudoven/cloudoven/web/webtest"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// TestBrowserImportBlueprint drives the first slice as a user does, in a real Chromium with
// htmx running: create a project, paste the AKS blueprint, read the generated Terraform,
// download the zip, and search the catalog as one types.
func TestBrowserImportBlueprint(t *testing.T) {
	app := webtest.NewApp(t)
	srv, ctx := webtest.SignedInBrowser(t, app.Handler)

	aks, err := os.ReadFile("../blueprint/testdata/generate/aks.blueprint.json")
	if err != nil {
		t.Fatal(err)
	}

	// A bad project name is refused next to the field, without leaving the page.
	var fieldError string
	err = chromedp.Run(ctx,
		chromedp.Navigate(srv.URL+"/"),
		chromedp.WaitVisible(webtest.Sel("project-form")),
		webtest.SendKeys(webtest.Sel("project-name-input"), "../x"),
		webtest.Click(webtest.Sel("project-submit")),
		chromedp.WaitVisible(webtest.Sel("project-name-error")),
		chromedp.Text(`[data-testid="project-form"]`, &fieldError),
	)
	if err != nil {
		t.Fatalf("submitting a bad name: %v", err)
	}
	if !strings.Contains(fieldError, "not valid") {
		t.Errorf("the form does not explain the bad name; it says: %q", fieldError)
	}
	webtest.Screenshot(t, ctx, "1-bad-project-name")

	var title string
	err = chromedp.Run(ctx,
		chromedp.Clear(webtest.Sel("project-name-input")),
		webtest.SendKeys(webtest.Sel("project-name-input"), "payments"),
		webtest.SendKeys(webtest.Sel("project-description-input"), "Payments team platform"),
		webtest.Click(webtest.Sel("project-submit")),
		chromedp.WaitVisible(webtest.Sel("import-form")),
		chromedp.Text(webtest.Sel("project-title"), &title),
	)
	if err != nil {
		t.Fatalf("creating the project: %v", err)
	}
	if !strings.Contains(title, "payments") {
		t.Errorf("project page title = %q", title)
	}

	// Paste the AKS blueprint; the page moves to the blueprint with its generated files.
	var mainTF, zipHref string
	err = chromedp.Run(ctx,
		chromedp.SetValue(webtest.Sel("import-text-input"), string(aks)),
		webtest.SendKeys(webtest.Sel("import-message-input"), "first cut"),
		webtest.Click(webtest.Sel("import-submit")),
		chromedp.WaitVisible(webtest.Sel("file-main.tf")),
		chromedp.Text(webtest.Sel("file-main.tf"), &mainTF),
		chromedp.AttributeValue(webtest.Sel("download-zip"), "href", &zipHref, nil),
	)
	if err != nil {
		t.Fatalf("importing the blueprint: %v", err)
	}
	webtest.Screenshot(t, ctx, "2-blueprint")
	for _, want := range []string{`resource "azurerm_kubernetes_cluster" "aks"`, "default_node_pool {", `source  = "hashicorp/azurerm"`} {
		if !strings.Contains(mainTF, want) {
			t.Errorf("main.tf on the page lacks %q", want)
		}
	}

	// The download link gives the same files in a zip.
	resp, err := app.HTTPGet(srv.URL + zipHref)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	zr, err := zip.NewReader(bytes.NewReader(body), int64(len(body)))
	if err != nil {
		t.Fatalf("downloaded zip: %v", err)
	}
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
		if !strings.HasSuffix(f.Name, ".tf") {
			continue
		}
		rc, _ := f.Open()
		src, _ := io.ReadAll(rc)
		rc.Close()
		if _, diags := hclsyntax.ParseConfig(src, f.Name, hcl.InitialPos); diags.HasErrors() {
			t.Errorf("%s in the zip does not parse: %s", f.Name, diags.Error())
		}
		if f.Name == "main.tf" && strings.TrimSpace(string(src)) != strings.TrimSpace(mainTF) {
			t.Errorf("main.tf in the zip differs from the page")
		}
	}
	if got := strings.Join(names, ","); got != "README.md,main.tf,outputs.tf,variables.tf" {
		t.Errorf("zip entries = %s", got)
	}

	// Catalog search answers while typing (htmx swaps the results in).
	var first string
	err = chromedp.Run(ctx,
		webtest.Click(webtest.Sel("nav-catalog")),
		chromedp.WaitVisible(webtest.Sel("catalog-search-input")),
		webtest.SendKeys(webtest.Sel("catalog-search-input"), "kubernetes cluster"),
		chromedp.WaitVisible(webtest.Sel("catalog-type-name")),
		chromedp.Text(webtest.Sel("catalog-type-name"), &first),
	)
	if err != nil {
		t.Fatalf("searching the catalog: %v", err)
	}
	webtest.Screenshot(t, ctx, "3-catalog-search")
	if strings.TrimSpace(first) != "azurerm_kubernetes_cluster" {
		t.Errorf("first search result = %q, want azurerm_kubernetes_cluster", first)
	}
}
