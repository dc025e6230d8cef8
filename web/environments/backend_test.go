package environments_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/cloudoven/cloudoven/blueprint"
	"github.com/cloudoven/cloudoven/web"
	"github.com/cloudoven/cloudoven/web/paths"
	"github.com/cloudoven/cloudoven/web/webtest"
)

func TestEnvironmentBackend(t *testing.T) {
	t.Parallel()
	a := webtest.EnvApp(t)
	page := a.CreateEnv("dev")
	if got := webtest.ByTestID(page, "backend-type").Find("option[selected]").AttrOr("value", "x"); got != "http" {
		t.Errorf("a new environment's backend is %q", got)
	}

	// Switching the type shows that type's settings (htmx asks for the section alone).
	r, _ := http.NewRequest(http.MethodGet, paths.Environment("team", "dev")+"?backend_type=azurerm", nil)
	r.Header.Set("HX-Request", "true")
	r.Header.Set("HX-Target", "env-backend")
	w := a.Do(r)
	webtest.WantStatus(t, w, http.StatusOK)
	section := webtest.WantFragment(t, w, "env-backend")
	for _, name := range []string{"storage_account_name", "container_name", "key", "resource_group_name"} {
		if section.Find(`[data-testid="backend-setting"][data-setting="`+name+`"]`).Length() != 1 {
			t.Errorf("azurerm setting %s is missing", name)
		}
	}
	if section.Find(`[data-setting="use_msi"], [data-setting="use_azuread_auth"]`).Length() != 0 {
		t.Error("the auth flags are inputs besides the auth mode")
	}
	if section.Find(`[data-setting="storage_account_name"] [data-testid="backend-required"]`).Length() != 1 ||
		section.Find(`[data-setting="key"] [data-testid="backend-required"]`).Length() != 0 {
		t.Error("required settings are not marked (the key is filled by deployments)")
	}
	modes := webtest.ByTestID(section, "backend-auth-mode")
	if modes.Length() != 4 {
		t.Fatalf("%d auth modes", modes.Length())
	}
	ak := section.Find(`[data-mode="access_key"] [data-testid="backend-auth-secret"]`)
	if ak.Length() != 1 || ak.Text() != "ARM_ACCESS_KEY" {
		t.Errorf("access key mode names secrets %q", ak.Text())
	}

	// Saving with a missing required setting saves and shows the problem beside the field.
	doc, code := a.SubmitForm(section, "backend-form", func(v url.Values) {
		v.Set("set.container_name", "tfstate")
		v.Set("auth_mode", "azuread")
	})
	if code != http.StatusOK {
		t.Fatalf("status %d:\n%s", code, doc.Text())
	}
	if !strings.Contains(webtest.FieldErrorText(doc, "storage_account_name"), "needs storage_account_name") {
		t.Errorf("storage_account_name: %q", webtest.FieldErrorText(doc, "storage_account_name"))
	}
	env := storedEnv(a, "dev")
	if env.Backend.Type != "azurerm" || env.Backend.Config["container_name"] != "tfstate" || env.Backend.Config["use_azuread_auth"] != true {
		t.Errorf("stored backend %+v", env.Backend)
	}

	// Changing the auth mode swaps the flags.
	doc, code = a.SubmitForm(doc, "backend-form", func(v url.Values) {
		v.Set("set.storage_account_name", "stplatform")
		v.Set("auth_mode", "managed_identity")
	})
	if code != http.StatusOK {
		t.Fatal(code)
	}
	env = storedEnv(a, "dev")
	if env.Backend.Config["use_msi"] != true || env.Backend.Config["use_azuread_auth"] != nil {
		t.Errorf("after choosing managed identity: %v", env.Backend.Config)
	}
	if got := doc.Find(`input[name="auth_mode"][checked]`).AttrOr("value", ""); got != "managed_identity" {
		t.Errorf("the form shows mode %q", got)
	}
	if webtest.ByTestID(doc, "backend-diagnostics").Length() != 0 || doc.Find(`[data-testid="field-error"]`).Length() != 0 {
		t.Errorf("a complete backend shows problems: %s", doc.Text())
	}

	// Typed settings are checked: a number that is not one is refused, nothing lost.
	http1 := a.Page(paths.Environment("team", "dev") + "?backend_type=http")
	if webtest.ByTestID(http1, "backend-credentials").Length() != 1 || !strings.Contains(webtest.ByTestID(http1, "backend-credentials").Text(), "TF_HTTP_PASSWORD") {
		t.Error("the http backend does not say its password is a secret")
	}
	doc, code = a.SubmitForm(http1, "backend-form", func(v url.Values) {
		v.Set("set.address", "https://state.example.com/x")
		v.Set("set.retry_max", "lots")
	})
	if code != http.StatusUnprocessableEntity {
		t.Fatalf("status %d", code)
	}
	if !strings.Contains(webtest.FieldErrorText(doc, "retry_max"), "not a number") {
		t.Errorf("retry_max: %q", webtest.FieldErrorText(doc, "retry_max"))
	}
	if v := doc.Find(`[data-setting="address"] input`).AttrOr("value", ""); v != "https://state.example.com/x" {
		t.Errorf("the typed address was lost: %q", v)
	}
	if storedEnv(a, "dev").Backend.Type != "azurerm" {
		t.Error("a refused backend was saved")
	}
	doc, code = a.SubmitForm(http1, "backend-form", func(v url.Values) {
		v.Set("set.address", "https://state.example.com/x")
		v.Set("set.retry_max", "4")
		v.Set("set.skip_cert_verification", "true")
	})
	if code != http.StatusOK {
		t.Fatalf("status %d: %s", code, doc.Text())
	}
	if env := storedEnv(a, "dev"); env.Backend.Type != "http" || env.Backend.Config["skip_cert_verification"] != true {
		t.Errorf("stored %+v", env.Backend)
	}

	// An unknown type is refused.
	w = a.PostForm(paths.EnvBackend("team", "dev"), url.Values{"backend_type": {"consul"}}, true)
	webtest.WantStatus(t, w, http.StatusUnprocessableEntity)
	if !strings.Contains(w.Body.String(), "no backend type") {
		t.Errorf("unknown type:\n%s", w.Body)
	}
	// Back to none.
	w = a.PostForm(paths.EnvBackend("team", "dev"), url.Values{"backend_type": {""}}, false)
	webtest.WantStatus(t, w, http.StatusSeeOther)
	if env := storedEnv(a, "dev"); env.Backend.Type != "" || env.Backend.Config != nil {
		t.Errorf("after choosing none: %+v", env.Backend)
	}
}

func TestEnvironmentRunner(t *testing.T) {
	t.Parallel()
	a := webtest.EnvApp(t)
	page := a.CreateEnv("dev")
	if v := webtest.ByTestID(page, "runner-terraform-version").AttrOr("value", ""); v != "1.5.7" {
		t.Errorf("default Terraform version %q", v)
	}
	if v := webtest.ByTestID(page, "runner-network-mode").Find("option[selected]").AttrOr("value", ""); v != "bridge" {
		t.Errorf("default network %q", v)
	}

	doc, code := a.SubmitForm(page, "runner-form", func(v url.Values) {
		v.Set("image", "Bad Image")
		v.Set("terraform_version", "latest")
		v.Set("network_mode", "nat")
		v.Set("allowed_registries", "registry.terraform.io\nhttps://bad.example.com")
	})
	if code != http.StatusUnprocessableEntity {
		t.Fatalf("status %d", code)
	}
	for key, want := range map[string]string{
		"runner.image":              "invalid image reference",
		"runner.terraform_version":  "invalid Terraform version",
		"runner.network_mode":       "unknown network mode",
		"runner.allowed_registries": "invalid registry host",
	} {
		if got := webtest.FieldErrorText(doc, key); !strings.Contains(got, want) {
			t.Errorf("%s: %q, want %q", key, got, want)
		}
	}
	if v := webtest.ByTestID(doc, "runner-image").AttrOr("value", ""); v != "Bad Image" {
		t.Errorf("the typed image was lost: %q", v)
	}
	if storedEnv(a, "dev").Runner.Image != "" {
		t.Error("invalid runner settings were saved")
	}

	doc, code = a.SubmitForm(page, "runner-form", func(v url.Values) {
		v.Set("image", "registry.example.com/platform/terraform:1.6.6")
		v.Set("terraform_version", "1.6.6")
		v.Set("network_mode", "none")
		v.Set("allowed_registries", "registry.terraform.io\n\nregistry.example.com:5000\n")
		v.Set("policy_blocking", "on")
	})
	if code != http.StatusOK {
		t.Fatalf("status %d: %s", code, doc.Text())
	}
	webtest.WantOne(t, doc, "runner-saved")
	got := storedEnv(a, "dev").Runner
	want := blueprint.RunnerSettings{Image: "registry.example.com/platform/terraform:1.6.6", TerraformVersion: "1.6.6", NetworkMode: "none",
		AllowedRegistries: []string{"registry.terraform.io", "registry.example.com:5000"}, PolicyBlocking: true}
	if strings.Join(got.AllowedRegistries, ",") != strings.Join(want.AllowedRegistries, ",") || got.Image != want.Image ||
		got.TerraformVersion != want.TerraformVersion || got.NetworkMode != want.NetworkMode || !got.PolicyBlocking {
		t.Errorf("stored %+v, want %+v", got, want)
	}
	page = a.Page(paths.Environment("team", "dev"))
	if _, ok := webtest.ByTestID(page, "runner-policy-blocking").Attr("checked"); !ok {
		t.Error("policy blocking is not shown as set")
	}
}

func TestEnvironmentBackendCreateStateContainer(t *testing.T) {
	t.Parallel()
	a := webtest.EnvApp(t)
	a.CreateEnv("dev")
	if n := webtest.ByTestID(a.Page(paths.Environment("team", "dev")+"?backend_type=http"), "backend-create-container").Length(); n != 0 {
		t.Errorf("the http backend offers creating a container (%d)", n)
	}
	page := a.Page(paths.Environment("team", "dev") + "?backend_type=azurerm")
	box := webtest.ByTestID(page, "backend-create-container")
	if box.Length() != 1 || !strings.Contains(webtest.ByTestID(page, "backend-create-container-field").Text(), "needs ARM_ACCESS_KEY as a secret") {
		t.Fatalf("the azurerm backend does not offer creating the container:\n%s", webtest.ByTestID(page, "backend-form").Text())
	}
	if _, ok := box.Attr("checked"); ok {
		t.Error("creating the container is on for a new environment")
	}

	// Saved with the box ticked; without the access key the form says what is missing.
	doc, code := a.SubmitForm(page, "backend-form", func(v url.Values) {
		v.Set("set.storage_account_name", "stplatform")
		v.Set("set.container_name", "tfstate")
		v.Set("auth_mode", "access_key")
		v.Set("create_state_container", "on")
	})
	if code != http.StatusOK {
		t.Fatalf("status %d:\n%s", code, doc.Text())
	}
	if !storedEnv(a, "dev").Runner.CreateStateContainer {
		t.Fatal("create_state_container was not saved")
	}
	if _, ok := webtest.ByTestID(doc, "backend-create-container").Attr("checked"); !ok {
		t.Error("the saved form does not show the box ticked")
	}
	if got := webtest.FieldErrorText(doc, "runner.create_state_container"); !strings.Contains(got, "ARM_ACCESS_KEY") {
		t.Errorf("without the secret the box says %q", got)
	}

	// With the secret the problem goes; saving the runner settings keeps the setting.
	if doc, code := a.SubmitForm(a.Page(paths.Environment("team", "dev")), "secret-form", func(v url.Values) {
		v.Set("name", "ARM_ACCESS_KEY")
		v.Set("value", webtest.SecretValue)
	}); code != http.StatusOK {
		t.Fatalf("status %d: %s", code, doc.Text())
	}
	page = a.Page(paths.Environment("team", "dev"))
	if got := webtest.FieldErrorText(page, "runner.create_state_container"); got != "" {
		t.Errorf("with the secret the box says %q", got)
	}
	if doc, code := a.SubmitForm(page, "runner-form", nil); code != http.StatusOK {
		t.Fatalf("runner form: status %d: %s", code, doc.Text())
	}
	if !storedEnv(a, "dev").Runner.CreateStateContainer {
		t.Error("saving the runner settings turned off creating the container")
	}

	// Unticked, it is off; another backend type turns it off too.
	if _, code := a.SubmitForm(page, "backend-form", func(v url.Values) { v.Del("create_state_container") }); code != http.StatusOK {
		t.Fatalf("status %d", code)
	}
	if storedEnv(a, "dev").Runner.CreateStateContainer {
		t.Error("unticking did not turn creating the container off")
	}
	if _, code := a.SubmitForm(page, "backend-form", nil); code != http.StatusOK {
		t.Fatalf("status %d", code)
	}
	if !storedEnv(a, "dev").Runner.CreateStateContainer {
		t.Fatal("ticking again did not turn creating the container on")
	}
	w := a.PostForm(paths.EnvBackend("team", "dev"), url.Values{"backend_type": {"local"}, "create_state_container": {"on"}}, false)
	webtest.WantStatus(t, w, http.StatusSeeOther)
	if env := storedEnv(a, "dev"); env.Backend.Type != "local" || env.Runner.CreateStateContainer {
		t.Errorf("after choosing local: backend %q, create_state_container %v", env.Backend.Type, env.Runner.CreateStateContainer)
	}
}

// TestEnvironmentBackendSaysWhereTheStateGoes: the http backend without an address keeps
// the state in CloudOven's own backend; the form says at which address runs reach it, or
// that runs are not configured.
func TestEnvironmentBackendSaysWhereTheStateGoes(t *testing.T) {
	t.Parallel()
	a := webtest.EnvAppWith(t, func(c *web.Config) { c.StateURL = "http://172.17.0.1:41234" })
	page := a.CreateEnv("dev")
	if got := webtest.WantOne(t, page, "backend-state-address"); !strings.Contains(got, "http://172.17.0.1:41234/api/v1/state/team/<deployment id>") {
		t.Errorf("the http backend says %q", got)
	}
	none := webtest.EnvApp(t)
	if got := webtest.WantOne(t, none.CreateEnv("dev"), "backend-state-address"); !strings.Contains(got, "runs are not configured") {
		t.Errorf("without runs, the http backend says %q", got)
	}
}
