package blueprints_test

import (
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/cloudoven/cloudoven/web/htmltest"
	"github.com/cloudoven/cloudoven/web/paths"
	"github.com/cloudoven/cloudoven/web/webtest"
)

// oldConfig is the azurerm 2.x configuration the upgrade package's tests use.
func oldConfig(t *testing.T) []byte {
	t.Helper()
	data, err := os.ReadFile("../../upgrade/testdata/azurerm2x/main.tf")
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// importOld imports the 2.x configuration as blueprint "platform" and returns the report page.
func importOld(t *testing.T, a *webtest.App) *goquery.Document {
	t.Helper()
	a.CreateProject("team")
	w := postFiles(a, tfUpload{fields: map[string]string{"name": "platform"}, files: []namedFile{{"main.tf", oldConfig(t)}}}, false)
	webtest.WantStatus(t, w, http.StatusSeeOther)
	if got, want := w.Header().Get("Location"), paths.BlueprintUpgrade("team", "platform"); got != want {
		t.Fatalf("the import landed on %q, want the report %q", got, want)
	}
	return a.Page(w.Header().Get("Location"))
}

func itemByName(doc *goquery.Document, name string) *goquery.Selection {
	return webtest.ByTestID(doc, "upgrade-item").FilterFunction(func(_ int, s *goquery.Selection) bool {
		return s.AttrOr("data-name", "") == name
	})
}

// TestImportOldConfigurationShowsReport: the import keeps what is valid, lands on the
// report, which lists each held item with its replacement and guide section, and the
// blueprint page links the report while items remain.
func TestImportOldConfigurationShowsReport(t *testing.T) {
	t.Parallel()
	a := webtest.NewApp(t)
	doc := importOld(t, a)

	if got := strings.TrimSpace(webtest.WantOne(t, doc, "upgrade-held-count")); got != "23" {
		t.Errorf("held count %q", got)
	}
	if n := webtest.ByTestID(doc, "upgrade-item").Length(); n != 23 {
		t.Errorf("%d items listed", n)
	}
	if got := strings.TrimSpace(webtest.WantOne(t, doc, "apply-renames")); got != "Apply 7 renames" {
		t.Errorf("button %q", got)
	}
	tests := []struct{ name, replacement, section string }{
		{"azurerm_kubernetes_cluster.aks.default_node_pool[0].enable_auto_scaling", "default_node_pool.enable_auto_scaling → default_node_pool.auto_scaling_enabled", "4.0-upgrade-guide § `azurerm_kubernetes_cluster`"},
		{"azurerm_monitor_diagnostic_setting.aks.log[0]", "log → enabled_log", "4.0-upgrade-guide § `azurerm_monitor_diagnostic_setting`"},
		{"azurerm_app_service.web", "azurerm_app_service → azurerm_linux_web_app, azurerm_windows_web_app", "5.0-upgrade-guide § `azurerm_app_service`"},
		{"azurerm_postgresql_server.db", "azurerm_postgresql_server → no replacement named", "5.0-upgrade-guide § `azurerm_postgresql_server`"},
	}
	for _, tt := range tests {
		it := itemByName(doc, tt.name)
		if it.Length() != 1 {
			t.Errorf("%s: %d items", tt.name, it.Length())
			continue
		}
		if got := squash(webtest.ByTestID(it, "upgrade-item-replacement").Text()); got != tt.replacement {
			t.Errorf("%s: replacement %q, want %q", tt.name, got, tt.replacement)
		}
		if tt.name == "azurerm_postgresql_server.db" {
			if got := squash(webtest.ByTestID(it, "upgrade-item-suggested").Text()); !strings.HasPrefix(got, "Suggested: azurerm_postgresql_flexible_server (") {
				t.Errorf("%s: suggestion %q", tt.name, got)
			}
		}
		guide := webtest.ByTestID(it, "upgrade-item-guide")
		if got := strings.TrimSpace(guide.Text()); got != tt.section || !strings.HasPrefix(guide.AttrOr("href", ""), "https://registry.terraform.io/providers/hashicorp/azurerm/5.2.0/docs/guides/") {
			t.Errorf("%s: guide link %q → %q", tt.name, got, guide.AttrOr("href", ""))
		}
		if webtest.ByTestID(it, "upgrade-item-hcl").Text() == "" {
			t.Errorf("%s: no held text", tt.name)
		}
	}

	page := a.Page(paths.Blueprint("team", "platform"))
	if href := webtest.ByTestID(page, "upgrade-report-link").AttrOr("href", ""); href != paths.BlueprintUpgrade("team", "platform") {
		t.Errorf("the blueprint page links the report at %q", href)
	}
	main := webtest.WantOne(t, page, "file-main.tf")
	if strings.Contains(main, "azurerm_postgresql_server") || !strings.Contains(main, `resource "azurerm_storage_account" "state"`) {
		t.Errorf("generated main.tf keeps a held item or lost a kept one:\n%s", main)
	}
}

// TestApplyRenamesOnReport: the button rewrites the renames and imports again: a new
// version with them, and a report of the rest without any mechanical item.
func TestApplyRenamesOnReport(t *testing.T) {
	t.Parallel()
	a := webtest.NewApp(t)
	doc := importOld(t, a)
	form := webtest.ByTestID(doc, "apply-renames-form")
	w := a.PostForm(form.AttrOr("action", ""), htmltest.FormValues(form), false)
	webtest.WantStatus(t, w, http.StatusSeeOther)
	doc = a.Page(w.Header().Get("Location"))
	if got := strings.TrimSpace(webtest.WantOne(t, doc, "upgrade-held-count")); got != "16" {
		t.Errorf("after the renames %q items are held, want 16", got)
	}
	if webtest.ByTestID(doc, "apply-renames").Length() != 0 || itemByName(doc, "azurerm_network_interface.jump.enable_ip_forwarding").Length() != 0 {
		t.Error("a rename is still offered after applying them")
	}
	if v := webtest.WantOne(t, doc, "upgrade-version-link"); strings.TrimSpace(v) != "v2" {
		t.Errorf("the report is of %q, want v2", v)
	}
	page := a.Page(paths.BlueprintVersion("team", "platform", 2))
	if main := webtest.WantOne(t, page, "file-main.tf"); !strings.Contains(main, "ip_forwarding_enabled          = false") {
		t.Errorf("v2 main.tf lacks the renamed argument:\n%s", main)
	}
	var text string
	webtest.ByTestID(doc, "upgrade-file").Each(func(_ int, s *goquery.Selection) { text += s.Text() })
	if !strings.Contains(text, "auto_scaling_enabled    = true # the cluster autoscaler") {
		t.Errorf("the kept configuration lacks the rename with its comment:\n%s", text)
	}
}

// TestReimportFixedConfiguration: the configuration edited on the report imports as the next
// version; a broken edit is refused with what was typed kept; once nothing is held the report
// is gone and the blueprint page no longer links it.
func TestReimportFixedConfiguration(t *testing.T) {
	t.Parallel()
	a := webtest.NewApp(t)
	doc := importOld(t, a)
	form := webtest.ByTestID(doc, "upgrade-import-form")

	broken := "resource \"azurerm_resource_group\" \"main\" {\n  name = \n}\n"
	v := htmltest.FormValues(form)
	v["text"] = []string{broken}
	w := a.PostForm(form.AttrOr("action", ""), v, false)
	webtest.WantStatus(t, w, http.StatusUnprocessableEntity)
	refused := webtest.ParseHTML(t, w)
	if got := webtest.ByTestID(refused, "upgrade-file").Text(); got != broken {
		t.Errorf("the refused text was not kept: %q", got)
	}
	if webtest.ByTestID(refused, "import-problem").Length() == 0 {
		t.Error("the refusal lists no problem")
	}

	fixed := `terraform {
  required_providers {
    azurerm = {
      source  = "hashicorp/azurerm"
      version = "~> 5.2"
    }
  }
}

provider "azurerm" {
  features {}
}

resource "azurerm_resource_group" "main" {
  name     = "rg-platform"
  location = "westeurope"
}
`
	v["text"] = []string{fixed}
	w = a.PostForm(form.AttrOr("action", ""), v, false)
	webtest.WantStatus(t, w, http.StatusSeeOther)
	if got, want := w.Header().Get("Location"), paths.BlueprintVersion("team", "platform", 2); got != want {
		t.Errorf("landed on %q, want %q", got, want)
	}
	webtest.WantStatus(t, a.Get(paths.BlueprintUpgrade("team", "platform"), false), http.StatusNotFound)
	if webtest.ByTestID(a.Page(paths.Blueprint("team", "platform")), "upgrade-notice").Length() != 0 {
		t.Error("the blueprint page still links a report")
	}
	other := url.Values{"file": {"other.tf"}, "text": {fixed}}
	for k, vs := range htmltest.FormValues(form) {
		if k != "file" && k != "text" {
			other[k] = vs
		}
	}
	webtest.WantStatus(t, a.PostForm(paths.UpgradeImport("team", "platform"), other, false), http.StatusNotFound)
}

func squash(s string) string { return strings.Join(strings.Fields(s), " ") }

// TestViewerReadsReportOnly: a viewer reads the report, without its forms, and cannot post
// them.
func TestViewerReadsReportOnly(t *testing.T) {
	t.Parallel()
	a := webtest.NewApp(t)
	importOld(t, a)
	vera := a.As("vera")
	if err := a.Store.SetMember(t.Context(), "team", "vera", "viewer"); err != nil {
		t.Fatal(err)
	}
	doc := vera.Page(paths.BlueprintUpgrade("team", "platform"))
	if webtest.ByTestID(doc, "upgrade-item").Length() == 0 {
		t.Error("a viewer sees no items")
	}
	if webtest.ByTestID(doc, "apply-renames-form").Length() != 0 || webtest.ByTestID(doc, "upgrade-import-form").Length() != 0 {
		t.Error("a viewer is offered the forms")
	}
	webtest.WantStatus(t, vera.PostForm(paths.UpgradeRenames("team", "platform"), url.Values{}, false), http.StatusForbidden)
	webtest.WantStatus(t, vera.PostForm(paths.UpgradeImport("team", "platform"), url.Values{}, false), http.StatusForbidden)
}
