package environments_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/cloudoven/cloudoven/blueprint"
	"github.com/cloudoven/cloudoven/web/htmltest"
	"github.com/cloudoven/cloudoven/web/paths"
	"github.com/cloudoven/cloudoven/web/webtest"
)

// TestEnvironmentPageSections: the values are open, every other section is closed to a line
// that says what it holds, and a section just saved comes back open.
func TestEnvironmentPageSections(t *testing.T) {
	t.Parallel()
	a := webtest.EnvApp(t)
	page := a.CreateEnv("dev")
	open := map[string]bool{"variables": true, "backend": false, "runner": false, "secrets": false}
	for section, want := range open {
		d := page.Find(`details.env-section[data-section="` + section + `"]`)
		if d.Length() != 1 {
			t.Fatalf("the page has %d %s sections", d.Length(), section)
		}
		if _, got := d.Attr("open"); got != want {
			t.Errorf("section %s open: %t, want %t", section, got, want)
		}
		if strings.TrimSpace(d.Find(`[data-testid="env-section-summary"] .section-summary`).Text()) == "" {
			t.Errorf("section %s says nothing while closed", section)
		}
	}
	if got := webtest.WantOne(t, page, "variables-summary"); !strings.Contains(got, "5 variables of app v1") || !strings.Contains(got, "2 without a value") {
		t.Errorf("values summary %q", got)
	}
	if got := webtest.WantOne(t, page, "secrets-summary"); got != "none yet" {
		t.Errorf("secrets summary %q", got)
	}

	w := a.PostForm(paths.EnvBackend("team", "dev"), url.Values{
		"backend_type": {"azurerm"}, "auth_mode": {"access_key"},
		"set.storage_account_name": {"stplatform"}, "set.container_name": {"tfstate"},
	}, true)
	webtest.WantStatus(t, w, http.StatusOK)
	frag := webtest.WantFragment(t, w, "env-backend")
	if _, open := webtest.ByTestID(frag, "env-backend").Attr("open"); !open {
		t.Error("the backend section just saved is closed")
	}
	w = a.PostForm(paths.EnvSecrets("team", "dev"), url.Values{"name": {"ARM_ACCESS_KEY"}, "value": {webtest.SecretValue}}, false)
	webtest.WantStatus(t, w, http.StatusSeeOther)

	page = a.Page(paths.Environment("team", "dev"))
	if got := webtest.WantOne(t, page, "backend-summary"); got != "azurerm, account stplatform, container tfstate" {
		t.Errorf("backend summary %q", got)
	}
	if got := webtest.WantOne(t, page, "secrets-summary"); got != "1 set (hidden): ARM_ACCESS_KEY" {
		t.Errorf("secrets summary %q", got)
	}
	if got := webtest.WantOne(t, page, "runner-summary"); !strings.Contains(got, "Terraform "+blueprint.DefaultTerraformVersion) {
		t.Errorf("runner summary %q", got)
	}
	if strings.Contains(webtest.HTML(t, page), webtest.SecretValue) {
		t.Error("the page shows a secret's value")
	}
}

// TestEnvironmentVariablesErrorOnTheField: a value that cannot be used is refused with 422
// and the section alone for htmx; its message is under its input, which says it is invalid
// and is described by the message; a list above links to it; every typed value is kept.
func TestEnvironmentVariablesErrorOnTheField(t *testing.T) {
	t.Parallel()
	a := webtest.EnvApp(t)
	page := a.CreateEnv("dev")
	v := htmltest.FormValues(webtest.ByTestID(page, "variables-form"))
	v.Set("var.location", "northeurope")
	v.Set("var.node_count", "three")
	v.Set("var.tags", `{ env = "dev" }`)
	w := a.PostForm(paths.EnvVariables("team", "dev"), v, true)
	webtest.WantStatus(t, w, http.StatusUnprocessableEntity)
	doc := webtest.WantFragment(t, w, "env-variables")

	input := variableField(doc, "node_count").Find(`[data-testid="variable-input"]`)
	if got := input.AttrOr("aria-invalid", ""); got != "true" {
		t.Errorf("node_count aria-invalid=%q", got)
	}
	var described []string
	for _, id := range strings.Fields(input.AttrOr("aria-describedby", "")) {
		described = append(described, doc.Find("#"+id).Text())
	}
	if got := strings.Join(described, " | "); !strings.Contains(got, `expected a number, got "three"`) || !strings.Contains(got, "like 3 or 2.5") {
		t.Errorf("node_count is described by %q", got)
	}
	link := doc.Find(`[data-testid="variables-error-link"][data-variable="node_count"]`)
	if link.AttrOr("href", "") != "#var-node_count" || doc.Find("#var-node_count").Length() != 1 {
		t.Errorf("the error summary links node_count to %q", link.AttrOr("href", ""))
	}
	if doc.Find(`[data-testid="variables-error-link"][data-variable="location"]`).Length() != 0 {
		t.Error("the error summary lists location, which holds a value")
	}
	if got := webtest.WantOne(t, doc, "variables-problem"); !strings.Contains(got, "nothing was saved") {
		t.Errorf("the problem says %q", got)
	}
	for name, want := range map[string]string{"location": "northeurope", "node_count": "three", "tags": `{ env = "dev" }`} {
		f := variableField(doc, name).Find(`[data-testid="variable-input"]`)
		got := f.AttrOr("value", "")
		if goquery.NodeName(f) == "textarea" {
			got = f.Text()
		}
		if got != want {
			t.Errorf("%s lost what was typed: %q, want %q", name, got, want)
		}
	}
	// location holds a value now: nothing on it says it has none.
	loc := variableField(doc, "location")
	if got := loc.Find(`[data-testid="variable-input"]`).AttrOr("aria-invalid", ""); got != "false" {
		t.Errorf("location aria-invalid=%q", got)
	}
	if text := loc.Text(); strings.Contains(text, "no value") || strings.Contains(text, "not set") {
		t.Errorf("location holds a value but says: %q", strings.Join(strings.Fields(text), " "))
	}
	if got := loc.Find(`[data-testid="variable-status"]`).AttrOr("data-state", ""); got != "typed" {
		t.Errorf("location state %q, want typed", got)
	}
	if len(storedEnv(a, "dev").Variables) != 0 {
		t.Error("values were saved although one was refused")
	}

	// Fixed, the same form saves all of them.
	v.Set("var.node_count", "3")
	w = a.PostForm(paths.EnvVariables("team", "dev"), v, true)
	webtest.WantStatus(t, w, http.StatusOK)
	doc = webtest.WantFragment(t, w, "env-variables")
	webtest.WantOne(t, doc, "variables-saved")
	for _, name := range []string{"location", "node_count", "tags"} {
		if variableField(doc, name).Find(`[aria-invalid="true"]`).Length() != 0 || webtest.FieldErrorText(doc, name) != "" {
			t.Errorf("the saved %s still shows an error: %q", name, webtest.FieldErrorText(doc, name))
		}
	}
	if got := len(storedEnv(a, "dev").Variables); got != 3 {
		t.Errorf("%d values stored, want 3", got)
	}

	// Without htmx, the refused form is the whole page with the section open.
	v.Set("var.enabled", "maybe")
	w = a.PostForm(paths.EnvVariables("team", "dev"), v, false)
	webtest.WantStatus(t, w, http.StatusUnprocessableEntity)
	full := webtest.WantFullPage(t, w)
	if got := variableField(full, "enabled").Find(`[data-testid="variable-input"]`).AttrOr("aria-invalid", ""); got != "true" {
		t.Errorf("enabled aria-invalid=%q on the full page", got)
	}
}

// TestEnvironmentVariableStatus: each field says what it holds: its own value, the
// blueprint's default, a secret, or nothing.
func TestEnvironmentVariableStatus(t *testing.T) {
	t.Parallel()
	a := webtest.EnvApp(t)
	page := a.CreateEnv("dev")
	status := func(doc *goquery.Document, name string) (string, string) {
		s := variableField(doc, name).Find(`[data-testid="variable-status"]`)
		return s.AttrOr("data-state", ""), strings.TrimSpace(s.Text())
	}
	want := func(doc *goquery.Document, name, state, text string) {
		t.Helper()
		if gs, gt := status(doc, name); gs != state || gt != text {
			t.Errorf("%s: %s %q, want %s %q", name, gs, gt, state, text)
		}
	}
	want(page, "location", "unset", "not set")
	want(page, "node_count", "default", "default: 3")
	want(page, "enabled", "default", "default: true")
	want(page, "tags", "default", "default: {}")
	want(page, "db_password", "unset", "not set")

	if _, code := a.SubmitForm(page, "variables-form", func(v url.Values) {
		v.Set("var.location", "westeurope")
		v.Set("var.node_count", "5")
		v.Set("var.db_password", "pw-in-tfvars")
	}); code != http.StatusOK {
		t.Fatalf("saving: %d", code)
	}
	page = a.Page(paths.Environment("team", "dev"))
	want(page, "location", "set", "set here")
	want(page, "node_count", "set", "set here")
	want(page, "enabled", "default", "default: true")
	want(page, "db_password", "hidden", "set (hidden)")
	if got := variableField(page, "location").Find("input").AttrOr("value", ""); got != "westeurope" {
		t.Errorf("location shows %q", got)
	}

	// A sensitive value kept as the secret TF_VAR_db_password instead.
	if _, code := a.SubmitForm(page, "variables-form", func(v url.Values) { v.Set("clear.db_password", "on") }); code != http.StatusOK {
		t.Fatal("clearing db_password")
	}
	w := a.PostForm(paths.EnvSecrets("team", "dev"), url.Values{"name": {"TF_VAR_db_password"}, "value": {webtest.SecretValue}}, false)
	webtest.WantStatus(t, w, http.StatusSeeOther)
	page = a.Page(paths.Environment("team", "dev"))
	want(page, "db_password", "secret", "set (hidden) by the secret TF_VAR_db_password")
	if strings.Contains(webtest.HTML(t, page), webtest.SecretValue) || strings.Contains(webtest.HTML(t, page), "pw-in-tfvars") {
		t.Error("the page shows a sensitive value")
	}
}

// TestEnvironmentValuesQuotingRule: a string value is the text typed, quoted or not; other
// types are HCL; what is stored is what terraform.tfvars says.
func TestEnvironmentValuesQuotingRule(t *testing.T) {
	t.Parallel()
	a := webtest.EnvApp(t)
	page := a.CreateEnv("dev")
	for _, typed := range []string{"northeurope", `"northeurope"`, `  northeurope `} {
		doc, code := a.SubmitForm(page, "variables-form", func(v url.Values) {
			v.Set("var.location", typed)
			v.Set("var.tags", `{"env": "dev"}`)
		})
		if code != http.StatusOK {
			t.Fatalf("%s: status %d\n%s", typed, code, webtest.ByTestID(doc, "env-variables").Text())
		}
		env := storedEnv(a, "dev")
		if got, _ := blueprint.FormatValue(env.Variables["location"]); got != `"northeurope"` {
			t.Errorf("%s is stored as %s, want the string northeurope", typed, got)
		}
		if got, _ := blueprint.FormatValue(env.Variables["tags"]); strings.Join(strings.Fields(got), " ") != `{ env = "dev" }` {
			t.Errorf("tags stored as %s", got)
		}
		if got := variableField(doc, "location").Find("input").AttrOr("value", ""); got != "northeurope" {
			t.Errorf("%s is shown as %q", typed, got)
		}
	}
	// Quotes keep what a bare value cannot say: the empty string.
	if _, code := a.SubmitForm(page, "variables-form", func(v url.Values) { v.Set("var.location", `""`) }); code != http.StatusOK {
		t.Fatal("saving the empty string")
	}
	if got, _ := blueprint.FormatValue(storedEnv(a, "dev").Variables["location"]); got != `""` {
		t.Errorf(`"" is stored as %s`, got)
	}
	if got := variableField(a.Page(paths.Environment("team", "dev")), "location").Find("input").AttrOr("value", "x"); got != `""` {
		t.Errorf("the empty string is shown as %q", got)
	}
}
