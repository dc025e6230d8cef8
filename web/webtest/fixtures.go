package webtest

import (
	"crypto/rand"
	"net/http"
	"net/url"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/cloudoven/cloudoven/secrets"
	"github.com/cloudoven/cloudoven/store"
	"github.com/cloudoven/cloudoven/web"
	"github.com/cloudoven/cloudoven/web/htmltest"
	"github.com/cloudoven/cloudoven/web/paths"
)

// VarsDoc is a blueprint with a variable of each kind the environment page edits.
const VarsDoc = `{"format": 1, "name": "app", "variables": [
  {"name": "location", "type": "string", "description": "Azure region."},
  {"name": "node_count", "type": "number", "default": {"literal": 3}},
  {"name": "enabled", "type": "bool", "default": {"literal": true}},
  {"name": "tags", "type": "map(string)", "default": {"literal": {}}},
  {"name": "db_password", "type": "string", "sensitive": true}
], "resources": [{"type": "terraform_data", "name": "web", "config": {"input": {"ref": "var.location"}}}]}`

// VarsDocV2 is VarsDoc that drops db_password and adds zone.
const VarsDocV2 = `{"format": 1, "name": "app", "variables": [
  {"name": "location", "type": "string", "description": "Azure region."},
  {"name": "node_count", "type": "number", "default": {"literal": 3}},
  {"name": "enabled", "type": "bool", "default": {"literal": true}},
  {"name": "tags", "type": "map(string)", "default": {"literal": {}}},
  {"name": "zone", "type": "string", "default": {"literal": "1"}}
], "resources": [{"type": "terraform_data", "name": "web", "config": {"input": {"ref": "var.location"}}}]}`

// GuardedDoc is VarsDoc with an azurerm resource group that sets no tags.
const GuardedDoc = `{"format": 1, "name": "app",
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

// SecretValue is set as a secret in tests that check no page or file ever shows it.
const SecretValue = "s3cr3t-Value-that-must-never-show"

// EnvApp is a signed-in app with secrets configured (a real vault over the app's store),
// project "team" and blueprint "app" (VarsDoc).
func EnvApp(t testing.TB) *App {
	t.Helper()
	return EnvAppWith(t, nil)
}

// EnvAppWith is EnvApp with configure changing the web.Config first.
func EnvAppWith(t testing.TB, configure func(*web.Config)) *App {
	t.Helper()
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		t.Fatal(err)
	}
	box, err := secrets.NewBox(key)
	if err != nil {
		t.Fatal(err)
	}
	a := NewAppWith(t, func(c *web.Config) {
		c.Secrets = secrets.NewVault(c.Store.(*store.Store), box)
		if configure != nil {
			configure(c)
		}
	})
	a.CreateProject("team")
	a.ImportDoc("team", VarsDoc, "first")
	return a
}

// CreateEnv creates an environment of project "team" through its form and returns its page.
func (a *App) CreateEnv(name string) *goquery.Document {
	a.T.Helper()
	w := a.PostForm(paths.Environments("team"), url.Values{"name": {name}}, false)
	WantStatus(a.T, w, http.StatusSeeOther)
	if loc := w.Header().Get("Location"); loc != paths.Environment("team", name) {
		a.T.Fatalf("creating an environment redirects to %q", loc)
	}
	return a.Page(paths.Environment("team", name))
}

// DeployApp is EnvApp with SetUpDeployment; it returns the app and the deployment page
// path of app → dev.
func DeployApp(t testing.TB) (*App, string) {
	t.Helper()
	a := EnvApp(t)
	return a, SetUpDeployment(t, a)
}

// SetUpDeployment gives a (project "team" with blueprint "app") environment "dev": an
// azurerm backend with an access key, a value for location and two secrets, and deploys
// app to it through the forms; it returns the deployment page path.
func SetUpDeployment(t testing.TB, a *App) string {
	t.Helper()
	page := a.CreateEnv("dev")
	if _, code := a.SubmitForm(page, "variables-form", func(v url.Values) { v.Set("var.location", "westeurope") }); code != http.StatusOK {
		t.Fatalf("saving values: %d", code)
	}
	w := a.PostForm(paths.EnvBackend("team", "dev"), url.Values{
		"backend_type": {"azurerm"}, "auth_mode": {"access_key"},
		"set.storage_account_name": {"stplatform"}, "set.container_name": {"tfstate"},
	}, false)
	WantStatus(t, w, http.StatusSeeOther)
	w = a.PostForm(paths.EnvSecrets("team", "dev"), url.Values{"name": {"ARM_ACCESS_KEY"}, "value": {SecretValue}}, false)
	WantStatus(t, w, http.StatusSeeOther)
	w = a.PostForm(paths.EnvSecrets("team", "dev"), url.Values{"name": {"TF_VAR_db_password"}, "value": {SecretValue}}, false)
	WantStatus(t, w, http.StatusSeeOther)

	list := a.Page(paths.Deployments("team"))
	WantOne(t, list, "deployments-empty")
	if got := ByTestID(list, "deploy-state-key").AttrOr("placeholder", ""); got != "team/app/dev.tfstate" {
		t.Errorf("state key placeholder %q", got)
	}
	w = a.PostForm(paths.Deployments("team"), htmltest.FormValues(ByTestID(list, "deploy-form")), false)
	WantStatus(t, w, http.StatusSeeOther)
	return w.Header().Get("Location")
}

// EditorApp is an app with a project "team" and an empty blueprint "net" in the editor.
func EditorApp(t testing.TB) *App {
	t.Helper()
	a := NewApp(t)
	a.CreateProject("team")
	w := a.PostForm(paths.NewBlueprint("team"), url.Values{"name": {"net"}}, false)
	WantStatus(t, w, http.StatusSeeOther)
	if loc := w.Header().Get("Location"); loc != paths.Edit("team", "net") {
		t.Fatalf("new blueprint redirects to %q, want the editor", loc)
	}
	return a
}

// AddType adds a type to blueprint "net" of project "team" (EditorApp) through the editor's
// Add button and returns the item's page.
func (a *App) AddType(typ, kind string) *goquery.Document {
	a.T.Helper()
	w := a.PostForm(paths.EditAdd("team", "net"), url.Values{"type": {typ}, "kind": {kind}}, false)
	WantStatus(a.T, w, http.StatusSeeOther)
	w = a.Get(w.Header().Get("Location"), false)
	WantStatus(a.T, w, http.StatusOK)
	return ParseHTML(a.T, w)
}

// EditorPage opens the editor of blueprint "net" of project "team" on item.
func (a *App) EditorPage(item string) *goquery.Document {
	a.T.Helper()
	w := a.Get(paths.EditItem("team", "net", item), false)
	WantStatus(a.T, w, http.StatusOK)
	return ParseHTML(a.T, w)
}

// SubmitItem posts the editor's item form of page with changes applied, as htmx does, and
// fails unless it is answered with 200.
func (a *App) SubmitItem(page *goquery.Document, change func(url.Values)) *goquery.Document {
	a.T.Helper()
	f := page.Find("#item-form")
	if f.Length() != 1 {
		a.T.Fatalf("the page has %d item forms", f.Length())
	}
	v := htmltest.FormValues(f)
	if change != nil {
		change(v)
	}
	w := a.PostForm(f.AttrOr("action", ""), v, true)
	WantStatus(a.T, w, http.StatusOK)
	return ParseHTML(a.T, w)
}
