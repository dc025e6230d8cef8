package environments_test

import (
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

func variableField(doc *goquery.Document, name string) *goquery.Selection {
	return doc.Find(`[data-testid="variable-field"][data-variable="` + name + `"]`)
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
	if !strings.Contains(webtest.FieldErrorText(doc, "node_count"), "expected a number") {
		t.Errorf("node_count: %q", webtest.FieldErrorText(doc, "node_count"))
	}
	if !strings.Contains(webtest.FieldErrorText(doc, "tags"), "plain data") {
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

	// A value of the wrong type is refused like one that cannot be read: it names the type.
	doc, code = a.SubmitForm(page, "variables-form", func(v url.Values) { v.Set("var.tags", `["a"]`) })
	if code != http.StatusUnprocessableEntity {
		t.Fatalf("status %d, want 422", code)
	}
	if got := webtest.FieldErrorText(doc, "tags"); !strings.Contains(got, "expected map(string), got a list") {
		t.Errorf("a list for a map: %q", got)
	}
	if !storedEnv(a, "dev").Variables["tags"].IsZero() {
		t.Error("a value of the wrong type was saved")
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
