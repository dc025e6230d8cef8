package environments_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/cloudoven/cloudoven/blueprint"
	"github.com/cloudoven/cloudoven/web/environments"
	"github.com/cloudoven/cloudoven/web/paths"
	"github.com/cloudoven/cloudoven/web/webtest"
)

// storedEnv reads an environment's document back from the store.
func storedEnv(a *webtest.App, name string) *blueprint.Environment {
	a.T.Helper()
	e, err := a.Store.Environment(context.Background(), "team", name)
	if err != nil {
		a.T.Fatal(err)
	}
	env, err := blueprint.ParseEnvironment(e.Document)
	if err != nil {
		a.T.Fatalf("the stored environment does not parse: %v\n%s", err, e.Document)
	}
	return env
}

func variableField(doc *goquery.Document, name string) *goquery.Selection {
	return doc.Find(`[data-testid="variable-field"][data-variable="` + name + `"]`)
}

func TestEnvironmentsListAndCreate(t *testing.T) {
	t.Parallel()
	a := webtest.EnvApp(t)

	doc := a.Page(paths.Environments("team"))
	webtest.WantOne(t, doc, "environments-empty")
	page := a.CreateEnv("dev")
	if got := webtest.WantOne(t, page, "environment-title"); got != "dev" {
		t.Errorf("title %q", got)
	}
	env := storedEnv(a, "dev")
	if env.Runner.TerraformVersion != "1.5.7" || env.Runner.NetworkMode != "bridge" {
		t.Errorf("a new environment has runner settings %+v", env.Runner)
	}

	doc = a.Page(paths.Environments("team"))
	row := doc.Find(`[data-testid="environment-row"][data-environment="dev"]`)
	if row.Length() != 1 || row.Find(`[data-testid="environment-link"]`).AttrOr("href", "") != paths.Environment("team", "dev") {
		t.Errorf("the list does not link dev:\n%s", doc.Find("main").Text())
	}

	project := a.Page(paths.Project("team"))
	if webtest.ByTestID(project, "project-environments-link").AttrOr("href", "") != paths.Environments("team") ||
		webtest.ByTestID(project, "project-deployments-link").AttrOr("href", "") != paths.Deployments("team") {
		t.Error("the project page does not link environments and deployments")
	}
}

func TestEnvironmentCreateRefusesBadNames(t *testing.T) {
	t.Parallel()
	a := webtest.EnvApp(t)
	a.CreateEnv("dev")
	for _, c := range []struct{ name, want string }{
		{"Prod EU", "not valid"},
		{"", "not valid"},
		{"dev", "already"},
		{strings.Repeat("x", 64), "not valid"},
	} {
		w := a.PostForm(paths.Environments("team"), url.Values{"name": {c.name}}, true)
		webtest.WantStatus(t, w, http.StatusUnprocessableEntity)
		doc := webtest.WantFragment(t, w, "env-create")
		if got := webtest.WantOne(t, doc, "env-name-error"); !strings.Contains(got, c.want) {
			t.Errorf("name %q: error %q, want it to say %q", c.name, got, c.want)
		}
		if got := webtest.ByTestID(doc, "env-name-input").AttrOr("value", ""); got != c.name {
			t.Errorf("the typed name %q was lost: %q", c.name, got)
		}
	}
	w := a.PostForm(paths.Environments("nope"), url.Values{"name": {"dev"}}, false)
	if w.Code != http.StatusNotFound && w.Code != http.StatusForbidden {
		t.Errorf("an unknown project answers %d", w.Code)
	}
	w = a.Get(paths.Environment("team", "nope"), false)
	webtest.WantStatus(t, w, http.StatusNotFound)
}

func TestEnvironmentVariablesTypedByBlueprint(t *testing.T) {
	t.Parallel()
	a := webtest.EnvApp(t)
	page := a.CreateEnv("dev")

	if got := webtest.ByTestID(page, "variables-blueprint").Find("option[selected]").AttrOr("value", ""); got != "app" {
		t.Errorf("the blueprint shown is %q", got)
	}
	wantInput := map[string]string{"location": "string", "node_count": "number", "enabled": "bool", "tags": "hcl", "db_password": "sensitive"}
	for name, input := range wantInput {
		f := variableField(page, name)
		if got := f.Find(`[data-testid="variable-input"]`).AttrOr("data-input", ""); got != input {
			t.Errorf("%s has input %q, want %q", name, got, input)
		}
	}
	if variableField(page, "location").Find(`[data-testid="variable-required"]`).Length() != 1 ||
		variableField(page, "node_count").Find(`[data-testid="variable-required"]`).Length() != 0 {
		t.Error("required variables are not marked, or optional ones are")
	}
	if typ := variableField(page, "db_password").Find(`input[data-testid="variable-input"]`).AttrOr("type", ""); typ != "password" {
		t.Errorf("the sensitive variable's input is %q, want password", typ)
	}
	// Unset required values are diagnostics next to their fields.
	if !strings.Contains(webtest.FieldErrorText(page, "location"), "no default and no value") {
		t.Errorf("location has no error: %q", webtest.FieldErrorText(page, "location"))
	}

	doc, code := a.SubmitForm(page, "variables-form", func(v url.Values) {
		v.Set("var.location", "westeurope")
		v.Set("var.node_count", "5")
		v.Set("var.enabled", "false")
		v.Set("var.tags", `{ env = "dev" }`)
		v.Set("var.db_password", "hunter2-tfvars")
	})
	if code != http.StatusOK {
		t.Fatalf("saving values: %d\n%s", code, doc.Text())
	}
	webtest.WantOne(t, doc, "variables-saved")
	env := storedEnv(a, "dev")
	got := map[string]string{}
	for n, v := range env.Variables {
		got[n], _ = blueprint.FormatValue(v)
	}
	want := map[string]string{"location": `"westeurope"`, "node_count": "5", "enabled": "false", "tags": `{ env = "dev" }`, "db_password": `"hunter2-tfvars"`}
	for n, w := range want {
		if strings.Join(strings.Fields(got[n]), " ") != w {
			t.Errorf("stored %s = %s, want %s", n, got[n], w)
		}
	}
	// Values come back in their inputs; the sensitive one never does.
	page = a.Page(paths.Environment("team", "dev"))
	if v := variableField(page, "location").Find("input").AttrOr("value", ""); v != "westeurope" {
		t.Errorf("location shows %q", v)
	}
	if strings.Contains(page.Text(), "hunter2-tfvars") || strings.Contains(webtest.HTML(t, page), "hunter2-tfvars") {
		t.Error("the page shows a sensitive variable's value")
	}
	if variableField(page, "db_password").Find(`[data-testid="variable-clear"]`).Length() != 1 {
		t.Error("a stored sensitive value cannot be removed")
	}
	// The sensitive value in tfvars is a warning pointing at TF_VAR_.
	if !strings.Contains(webtest.FieldErrorText(page, "db_password"), "sensitive") {
		t.Errorf("db_password: %q", webtest.FieldErrorText(page, "db_password"))
	}
	// An empty sensitive input keeps the stored value; the clear box removes it.
	_, code = a.SubmitForm(page, "variables-form", nil)
	if code != http.StatusOK || storedEnv(a, "dev").Variables["db_password"].IsZero() {
		t.Error("saving without typing the sensitive value lost it")
	}
	_, code = a.SubmitForm(page, "variables-form", func(v url.Values) { v.Set("clear.db_password", "on") })
	if code != http.StatusOK || !storedEnv(a, "dev").Variables["db_password"].IsZero() {
		t.Error("the clear box did not remove the sensitive value")
	}
}

func TestEnvironmentVariablesBadInputLosesNothing(t *testing.T) {
	t.Parallel()
	a := webtest.EnvApp(t)
	page := a.CreateEnv("dev")
	doc, code := a.SubmitForm(page, "variables-form", func(v url.Values) {
		v.Set("var.location", "northeurope")
		v.Set("var.node_count", "many")
		v.Set("var.tags", `{ env = var.x }`)
	})
	if code != http.StatusUnprocessableEntity {
		t.Fatalf("status %d, want 422", code)
	}
	webtest.WantOne(t, doc, "variables-problem")
	if !strings.Contains(webtest.FieldErrorText(doc, "node_count"), "not a number") {
		t.Errorf("node_count: %q", webtest.FieldErrorText(doc, "node_count"))
	}
	if !strings.Contains(webtest.FieldErrorText(doc, "tags"), "plain value") {
		t.Errorf("tags: %q", webtest.FieldErrorText(doc, "tags"))
	}
	if v := variableField(doc, "location").Find("input").AttrOr("value", ""); v != "northeurope" {
		t.Errorf("the typed location was lost: %q", v)
	}
	if v := variableField(doc, "node_count").Find("input").AttrOr("value", ""); v != "many" {
		t.Errorf("the typed number was lost: %q", v)
	}
	if len(storedEnv(a, "dev").Variables) != 0 {
		t.Error("values were saved although some could not be read")
	}

	// A value of the wrong type that parses is saved, and the diagnostic says why it is wrong.
	doc, code = a.SubmitForm(page, "variables-form", func(v url.Values) { v.Set("var.tags", `["a"]`) })
	if code != http.StatusOK {
		t.Fatalf("status %d", code)
	}
	if webtest.FieldErrorText(doc, "tags") == "" {
		t.Error("a list for a map shows no problem")
	}
	if storedEnv(a, "dev").Variables["tags"].IsZero() {
		t.Error("a value the blueprint refuses was not saved")
	}

	// An oversized form is 413, with the section and nothing saved.
	before := storedEnv(a, "dev")
	w := a.PostForm(paths.EnvVariables("team", "dev"), url.Values{"blueprint": {"app"}, "var.location": {strings.Repeat("x", environments.MaxEnvFormBytes)}}, true)
	webtest.WantStatus(t, w, http.StatusRequestEntityTooLarge)
	if !strings.Contains(w.Body.String(), "larger than") {
		t.Errorf("the 413 answer does not say why:\n%s", w.Body)
	}
	if after := storedEnv(a, "dev"); len(after.Variables) != len(before.Variables) {
		t.Error("an oversized form changed the environment")
	}

	// An unknown blueprint is refused with a message.
	w = a.PostForm(paths.EnvVariables("team", "dev"), url.Values{"blueprint": {"nope"}, "var.location": {"x"}}, true)
	webtest.WantStatus(t, w, http.StatusUnprocessableEntity)
	if doc := webtest.ParseHTML(t, w); !strings.Contains(webtest.WantOne(t, doc, "variables-problem"), "no blueprint named") {
		t.Error("an unknown blueprint is not explained")
	}
}

func TestEnvironmentVariablesKeepOtherValues(t *testing.T) {
	t.Parallel()
	a := webtest.EnvApp(t)
	a.ImportDoc("team", webtest.VarsDocV2, "second")
	page := a.CreateEnv("dev")
	if got := webtest.ByTestID(page, "variables-version").Find("option[selected]").AttrOr("value", "x"); got != "" {
		t.Errorf("the version shown by default is %q, want latest", got)
	}
	// Version 1 declares db_password; set it there.
	v1 := a.Page(paths.EnvironmentBlueprint("team", "dev", "app", 1))
	if variableField(v1, "db_password").Length() != 1 {
		t.Fatal("version 1's variables are not shown")
	}
	if _, code := a.SubmitForm(v1, "variables-form", func(v url.Values) {
		v.Set("var.location", "westeurope")
		v.Set("var.db_password", "pw-value")
	}); code != http.StatusOK {
		t.Fatalf("saving v1 values: %d", code)
	}
	// The latest version does not declare it: the value is kept and listed, not an error.
	latest := a.Page(paths.Environment("team", "dev"))
	other := latest.Find(`[data-testid="variables-other"][data-variable="db_password"]`)
	if other.Length() != 1 {
		t.Fatalf("the value for db_password is not listed:\n%s", webtest.ByTestID(latest, "env-variables").Text())
	}
	if strings.Contains(latest.Text(), "has no variable") {
		t.Error("a value for another version's variable is shown as an error")
	}
	if _, code := a.SubmitForm(latest, "variables-form", func(v url.Values) { v.Set("var.zone", "2") }); code != http.StatusOK {
		t.Fatal("saving the latest version's values")
	}
	env := storedEnv(a, "dev")
	if env.Variables["db_password"].IsZero() || env.Variables["zone"].IsZero() {
		t.Errorf("values lost: %v", env.Variables)
	}
	if _, code := a.SubmitForm(latest, "variables-form", func(v url.Values) { v.Set("drop.db_password", "on") }); code != http.StatusOK {
		t.Fatal("dropping a value")
	}
	if !storedEnv(a, "dev").Variables["db_password"].IsZero() {
		t.Error("the drop box did not remove the value")
	}

	// htmx asks for the variables section alone when the blueprint choice changes.
	r, _ := http.NewRequest(http.MethodGet, paths.EnvironmentBlueprint("team", "dev", "app", 1), nil)
	r.Header.Set("HX-Request", "true")
	r.Header.Set("HX-Target", "env-variables")
	w := a.Do(r)
	webtest.WantStatus(t, w, http.StatusOK)
	webtest.WantFragment(t, w, "env-variables")
}

func TestEnvironmentBackend(t *testing.T) {
	t.Parallel()
	a := webtest.EnvApp(t)
	page := a.CreateEnv("dev")
	if got := webtest.ByTestID(page, "backend-type").Find("option[selected]").AttrOr("value", "x"); got != "" {
		t.Errorf("a new environment's backend is %q", got)
	}
	webtest.WantOne(t, page, "backend-none")

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

func TestEnvironmentSecretsAreWriteOnly(t *testing.T) {
	t.Parallel()
	a := webtest.EnvApp(t)
	page := a.CreateEnv("dev")
	webtest.WantOne(t, page, "secrets-empty")

	doc, code := a.SubmitForm(page, "secret-form", func(v url.Values) {
		v.Set("name", "ARM_ACCESS_KEY")
		v.Set("value", webtest.SecretValue)
	})
	if code != http.StatusOK {
		t.Fatalf("status %d: %s", code, doc.Text())
	}
	if got := webtest.WantOne(t, doc, "secrets-saved"); !strings.Contains(got, "ARM_ACCESS_KEY") {
		t.Errorf("saved message %q", got)
	}
	row := doc.Find(`[data-testid="secret-row"][data-secret="ARM_ACCESS_KEY"]`)
	if row.Length() != 1 || row.Find(`[data-testid="secret-updated"] time`).Length() != 1 {
		t.Fatalf("the secret is not listed with its time:\n%s", doc.Text())
	}
	if strings.Contains(webtest.HTML(t, doc), webtest.SecretValue) {
		t.Fatal("the answer to setting a secret shows its value")
	}
	if strings.Contains(a.Log.String(), webtest.SecretValue) {
		t.Error("the log has the secret's value")
	}

	// Replace keeps one row; bad names and empty values are refused next to their fields.
	doc, code = a.SubmitForm(doc, "secret-replace-form", func(v url.Values) { v.Set("value", webtest.SecretValue+"-2") })
	if code != http.StatusOK || doc.Find(`[data-testid="secret-row"]`).Length() != 1 {
		t.Fatalf("replace: %d, %d rows", code, doc.Find(`[data-testid="secret-row"]`).Length())
	}
	for _, c := range []struct{ name, value, id, want string }{
		{"1BAD", "x", "secret-name-error", "not valid"},
		{"has space", "x", "secret-name-error", "not valid"},
		{"GOOD", "", "secret-value-error", "Type the secret's value"},
		{"BIG", strings.Repeat("v", 64<<10+1), "secret-value-error", "limit"},
	} {
		w := a.PostForm(paths.EnvSecrets("team", "dev"), url.Values{"name": {c.name}, "value": {c.value}}, true)
		webtest.WantStatus(t, w, http.StatusUnprocessableEntity)
		d := webtest.WantFragment(t, w, "env-secrets")
		if got := webtest.WantOne(t, d, c.id); !strings.Contains(got, c.want) {
			t.Errorf("%q: %s = %q, want %q", c.name, c.id, got, c.want)
		}
		if v := webtest.ByTestID(d, "secret-value-input").AttrOr("value", ""); v != "" {
			t.Error("a refused value is echoed back")
		}
	}
	w := a.PostForm(paths.EnvSecrets("team", "dev"), url.Values{"name": {"HUGE"}, "value": {strings.Repeat("v", environments.MaxEnvFormBytes)}}, true)
	webtest.WantStatus(t, w, http.StatusRequestEntityTooLarge)

	// The azurerm auth modes say which secrets are set.
	page = a.Page(paths.Environment("team", "dev") + "?backend_type=azurerm")
	if got := page.Find(`[data-mode="access_key"] [data-testid="backend-auth-secret"]`).AttrOr("data-set", ""); got != "true" {
		t.Errorf("ARM_ACCESS_KEY shows as set=%q", got)
	}

	// Delete.
	doc, code = a.SubmitForm(page, "secret-delete-form", nil)
	if code != http.StatusOK {
		t.Fatalf("delete: %d", code)
	}
	webtest.WantOne(t, doc, "secrets-empty")

	// No page of the environment ever shows a value.
	if _, code := a.SubmitForm(a.Page(paths.Environment("team", "dev")), "secret-form", func(v url.Values) {
		v.Set("name", "TF_VAR_db_password")
		v.Set("value", webtest.SecretValue)
	}); code != http.StatusOK {
		t.Fatal(code)
	}
	page = a.Page(paths.Environment("team", "dev"))
	if got := webtest.WantOne(t, page, "variable-from-secret"); !strings.Contains(got, "TF_VAR_db_password") {
		t.Errorf("db_password does not say the secret sets it: %q", got)
	}
	if webtest.FieldErrorText(page, "db_password") != "" {
		t.Errorf("a variable set by a secret still shows a problem: %q", webtest.FieldErrorText(page, "db_password"))
	}
	for _, path := range []string{
		paths.Environments("team"),
		paths.Environment("team", "dev"),
		paths.Environment("team", "dev") + "?backend_type=azurerm",
		paths.EnvironmentBlueprint("team", "dev", "app", 1),
		paths.Project("team"),
	} {
		for _, htmx := range []bool{false, true} {
			if w := a.Get(path, htmx); strings.Contains(w.Body.String(), webtest.SecretValue) {
				t.Errorf("%s shows a secret's value", path)
			}
		}
	}
}

func TestEnvironmentSecretsNotConfigured(t *testing.T) {
	t.Parallel()
	a := webtest.NewApp(t)
	a.CreateProject("team")
	w := a.PostForm(paths.Environments("team"), url.Values{"name": {"dev"}}, false)
	webtest.WantStatus(t, w, http.StatusSeeOther)
	page := a.Page(paths.Environment("team", "dev"))
	webtest.WantOne(t, page, "secrets-not-configured")
	if webtest.ByTestID(page, "secret-form").Length() != 0 {
		t.Error("a secret form without a secret store")
	}
	webtest.WantOne(t, page, "variables-no-blueprint")
	w = a.PostForm(paths.EnvSecrets("team", "dev"), url.Values{"name": {"A"}, "value": {"b"}}, true)
	webtest.WantStatus(t, w, http.StatusServiceUnavailable)
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
