package environments_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/cloudoven/cloudoven/web/environments"
	"github.com/cloudoven/cloudoven/web/paths"
	"github.com/cloudoven/cloudoven/web/webtest"
)

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
