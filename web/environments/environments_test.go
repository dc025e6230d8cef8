package environments_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/cloudoven/cloudoven/blueprint"
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

// TestEnvironmentNewUsesCloudOvenState: a new environment's backend is CloudOven's own http
// backend, so its deployments' runs keep their state from the first apply; the page says so.
func TestEnvironmentNewUsesCloudOvenState(t *testing.T) {
	t.Parallel()
	a := webtest.EnvApp(t)
	page := a.CreateEnv("dev")
	env := storedEnv(a, "dev")
	if env.Backend.Type != "http" || len(env.Backend.Config) != 0 {
		t.Errorf("a new environment's backend is %+v, want CloudOven's (http, no settings)", env.Backend)
	}
	if got := webtest.ByTestID(page, "backend-type").Find("option[selected]").AttrOr("value", "x"); got != "http" {
		t.Errorf("the page shows backend %q", got)
	}
	if got := webtest.ByTestID(page, "backend-state").AttrOr("data-keeper", ""); got != "cloudoven" {
		t.Errorf("the backend section says the state is kept by %q, want cloudoven: %s", got, webtest.ByTestID(page, "backend-state").Text())
	}
	row := a.Page(paths.Environments("team")).Find(`[data-testid="environment-row"][data-environment="dev"] [data-testid="environment-backend"]`)
	if !strings.Contains(row.Text(), "http") {
		t.Errorf("the list shows backend %q", row.Text())
	}
}
