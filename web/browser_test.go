package web

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/cloudoven/cloudoven/internal/testenv"
)

// newBrowser starts headless Chromium (Debian's) for one test.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	exec := testenv.Chromium(t)
	// Not t.TempDir: Chromium's helper processes may still be writing the profile when the
	// test ends, and a failed removal would fail the test.
	profile, err := os.MkdirTemp("", "cloudoven-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	opts := []chromedp.ExecAllocatorOption{chromedp.ExecPath(exec), chromedp.UserDataDir(profile), chromedp.WindowSize(1280, 1000)}
	for _, f := range testenv.ChromiumFlags {
		opts = append(opts, chromedp.Flag(f, true))
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 2*time.Minute)
	t.Cleanup(func() {
		cancelTimeout()
		cancelCtx()
		cancelAlloc()
		os.RemoveAll(profile)
	})
	if err := chromedp.Run(ctx); err != nil {
		t.Fatalf("starting chromium: %v", err)
	}
	return ctx
}

func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	var png []byte
	if err := chromedp.Run(ctx, chromedp.FullScreenshot(&png, 100)); err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	path := filepath.Join(testenv.OutputDir(t), name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", path)
}

func testIDSel(id string) string { return `[data-testid="` + id + `"]` }

// TestBrowserImportBlueprint drives the first slice as a user does, in a real Chromium with
// htmx running: create a project, paste the AKS blueprint, read the generated Terraform,
// download the zip, and search the catalog as one types.
func TestBrowserImportBlueprint(t *testing.T) {
	app := newTestApp(t)
	srv := httptest.NewServer(app.handler)
	t.Cleanup(srv.Close)
	ctx := newBrowser(t)
	signIn(t, ctx, srv.URL, "admin", testPassword)

	aks, err := os.ReadFile("../blueprint/testdata/generate/aks.blueprint.json")
	if err != nil {
		t.Fatal(err)
	}

	// A bad project name is refused next to the field, without leaving the page.
	var fieldError string
	err = chromedp.Run(ctx,
		chromedp.Navigate(srv.URL+"/"),
		chromedp.WaitVisible(testIDSel("project-form")),
		chromedp.SendKeys(testIDSel("project-name-input"), "../x"),
		chromedp.Click(testIDSel("project-submit")),
		chromedp.WaitVisible(testIDSel("project-name-error")),
		chromedp.Text(`[data-testid="project-form"]`, &fieldError),
	)
	if err != nil {
		t.Fatalf("submitting a bad name: %v", err)
	}
	if !strings.Contains(fieldError, "not valid") {
		t.Errorf("the form does not explain the bad name; it says: %q", fieldError)
	}
	screenshot(t, ctx, "1-bad-project-name")

	var title string
	err = chromedp.Run(ctx,
		chromedp.Clear(testIDSel("project-name-input")),
		chromedp.SendKeys(testIDSel("project-name-input"), "payments"),
		chromedp.SendKeys(testIDSel("project-description-input"), "Payments team platform"),
		chromedp.Click(testIDSel("project-submit")),
		chromedp.WaitVisible(testIDSel("import-form")),
		chromedp.Text(testIDSel("project-title"), &title),
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
		chromedp.SetValue(testIDSel("import-text-input"), string(aks)),
		chromedp.SendKeys(testIDSel("import-message-input"), "first cut"),
		chromedp.Click(testIDSel("import-submit")),
		chromedp.WaitVisible(testIDSel("file-main.tf")),
		chromedp.Text(testIDSel("file-main.tf"), &mainTF),
		chromedp.AttributeValue(testIDSel("download-zip"), "href", &zipHref, nil),
	)
	if err != nil {
		t.Fatalf("importing the blueprint: %v", err)
	}
	screenshot(t, ctx, "2-blueprint")
	for _, want := range []string{`resource "azurerm_kubernetes_cluster" "aks"`, "default_node_pool {", `source  = "hashicorp/azurerm"`} {
		if !strings.Contains(mainTF, want) {
			t.Errorf("main.tf on the page lacks %q", want)
		}
	}

	// The download link gives the same files in a zip.
	resp, err := app.httpGet(srv.URL + zipHref)
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
		chromedp.Click(testIDSel("nav-catalog")),
		chromedp.WaitVisible(testIDSel("catalog-search-input")),
		chromedp.SendKeys(testIDSel("catalog-search-input"), "kubernetes cluster"),
		chromedp.WaitVisible(testIDSel("catalog-type-name")),
		chromedp.Text(testIDSel("catalog-type-name"), &first),
	)
	if err != nil {
		t.Fatalf("searching the catalog: %v", err)
	}
	screenshot(t, ctx, "3-catalog-search")
	if strings.TrimSpace(first) != "azurerm_kubernetes_cluster" {
		t.Errorf("first search result = %q, want azurerm_kubernetes_cluster", first)
	}
}
