package deployments_test

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/cloudoven/cloudoven/web/htmltest"
	"github.com/cloudoven/cloudoven/web/page"
	"github.com/cloudoven/cloudoven/web/paths"
	"github.com/cloudoven/cloudoven/web/webtest"
)

func deploymentFile(doc *goquery.Document, name string) string {
	return webtest.ByTestID(doc, "file-"+name).Text()
}

func TestDeploymentShowsTheFilesARunUses(t *testing.T) {
	t.Parallel()
	a, path := webtest.DeployApp(t)
	page := a.Page(path)
	if got := webtest.WantOne(t, page, "deployment-state-key"); got != "team/app/dev.tfstate" {
		t.Errorf("state key %q", got)
	}
	main := deploymentFile(page, "main.tf")
	for _, want := range []string{`backend "azurerm"`, `key                  = "team/app/dev.tfstate"`, `storage_account_name = "stplatform"`} {
		if !strings.Contains(main, want) {
			t.Errorf("main.tf lacks %q:\n%s", want, main)
		}
	}
	if tfvars := deploymentFile(page, "terraform.tfvars"); !strings.Contains(tfvars, `location = "westeurope"`) {
		t.Errorf("terraform.tfvars:\n%s", tfvars)
	}
	if strings.Contains(page.Text(), "no default and no value") {
		t.Error("db_password is set by TF_VAR_db_password, yet reported missing")
	}
	if strings.Contains(webtest.HTML(t, page), webtest.SecretValue) {
		t.Error("the deployment page shows a secret's value")
	}
	list := a.Page(paths.Deployments("team"))
	row := list.Find(`[data-testid="deployment-row"][data-blueprint="app"][data-environment="dev"]`)
	if row.Length() != 1 || row.Find(`[data-testid="deployment-link"]`).AttrOr("href", "") != path {
		t.Errorf("the list does not link the deployment:\n%s", list.Find("main").Text())
	}

	// The zip holds the same files, and no secret.
	w := a.Get(webtest.ByTestID(page, "deployment-zip").AttrOr("href", ""), false)
	webtest.WantStatus(t, w, http.StatusOK)
	if ct := w.Header().Get("Content-Type"); ct != "application/zip" {
		t.Fatalf("Content-Type %q", ct)
	}
	zr, err := zip.NewReader(bytes.NewReader(w.Body.Bytes()), int64(w.Body.Len()))
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]string{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		names[f.Name] = string(b)
		if strings.Contains(string(b), webtest.SecretValue) {
			t.Errorf("%s in the zip holds a secret's value", f.Name)
		}
	}
	for _, n := range []string{"main.tf", "variables.tf", "outputs.tf", "terraform.tfvars", "README.md"} {
		if _, ok := names[n]; !ok {
			t.Errorf("the zip has no %s", n)
		}
	}
	if names["main.tf"] != main {
		t.Error("the zip's main.tf differs from the page's")
	}
	for _, p := range []string{paths.Environment("team", "dev"), paths.Environments("team"), paths.Deployments("team")} {
		if strings.Contains(a.Get(p, false).Body.String(), webtest.SecretValue) {
			t.Errorf("%s shows a secret's value", p)
		}
	}
}

func TestDeploymentDiagnosticsForAnUnsatisfiedEnvironment(t *testing.T) {
	t.Parallel()
	a := webtest.EnvApp(t)
	a.CreateEnv("bare")
	w := a.PostForm(paths.Deployments("team"), url.Values{"blueprint": {"app"}, "environment": {"bare"}}, false)
	webtest.WantStatus(t, w, http.StatusSeeOther)
	page := a.Page(w.Header().Get("Location"))
	paths := webtest.ByTestID(page, "deployment-diagnostics").Find(`[data-testid="diagnostic-path"]`).Map(func(_ int, s *goquery.Selection) string { return s.Text() })
	joined := strings.Join(paths, " ")
	for _, want := range []string{"environment.variables.location", "environment.variables.db_password"} {
		if !strings.Contains(joined, want) {
			t.Errorf("no diagnostic at %s; have %v", want, paths)
		}
	}
	if deploymentFile(page, "main.tf") == "" {
		t.Error("the files are not shown beside the diagnostics")
	}
}

func TestDeploymentCreateRefusesBadInput(t *testing.T) {
	t.Parallel()
	a, _ := webtest.DeployApp(t)
	a.CreateEnv("prod")
	for _, c := range []struct {
		name   string
		form   url.Values
		field  string
		want   string
		status int
	}{
		{"unknown blueprint", url.Values{"blueprint": {"nope"}, "environment": {"prod"}}, "deploy-blueprint-error", "no blueprint named", 422},
		{"unknown environment", url.Values{"blueprint": {"app"}, "environment": {"nope"}}, "deploy-environment-error", "no environment named", 422},
		{"no version like that", url.Values{"blueprint": {"app"}, "environment": {"prod"}, "version": {"7"}}, "deploy-version-error", "versions 1 to 1", 422},
		{"version not a number", url.Values{"blueprint": {"app"}, "environment": {"prod"}, "version": {"v1"}}, "deploy-version-error", "versions 1 to 1", 422},
		{"bad state key", url.Values{"blueprint": {"app"}, "environment": {"prod"}, "state_key": {"../x.tfstate"}}, "deploy-state-key-error", "not valid", 422},
		{"state key in use", url.Values{"blueprint": {"app"}, "environment": {"prod"}, "state_key": {"team/app/dev.tfstate"}}, "deploy-state-key-error", "used by another deployment", 422},
		{"deployed already", url.Values{"blueprint": {"app"}, "environment": {"dev"}}, "deploy-environment-error", "already", 422},
	} {
		t.Run(c.name, func(t *testing.T) {
			w := a.PostForm(paths.Deployments("team"), c.form, true)
			webtest.WantStatus(t, w, c.status)
			doc := webtest.WantFragment(t, w, "deploy-form")
			if got := webtest.WantOne(t, doc, c.field); !strings.Contains(got, c.want) {
				t.Errorf("%s = %q, want %q", c.field, got, c.want)
			}
			if got := webtest.ByTestID(doc, "deploy-state-key").AttrOr("value", ""); got != c.form.Get("state_key") {
				t.Errorf("the typed state key was lost: %q", got)
			}
		})
	}
	w := a.PostForm(paths.Deployments("team"), url.Values{"blueprint": {"app"}, "environment": {"prod"}, "state_key": {strings.Repeat("k", page.MaxFormBytes)}}, true)
	webtest.WantStatus(t, w, http.StatusRequestEntityTooLarge)
	ds, err := a.Store.Deployments(context.Background(), "team")
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 1 {
		t.Errorf("%d deployments after refused posts, want 1", len(ds))
	}

	// htmx refreshes the form when the choice changes, to show the default state key.
	r, _ := http.NewRequest(http.MethodGet, paths.Deployments("team")+"?blueprint=app&environment=prod", nil)
	r.Header.Set("HX-Request", "true")
	r.Header.Set("HX-Target", "deploy-form")
	w = a.Do(r)
	webtest.WantStatus(t, w, http.StatusOK)
	doc := webtest.WantFragment(t, w, "deploy-form")
	if got := webtest.ByTestID(doc, "deploy-state-key").AttrOr("placeholder", ""); got != "team/app/prod.tfstate" {
		t.Errorf("placeholder %q", got)
	}

	for _, p := range []string{paths.Deployments("team") + "/abc", paths.Deployments("team") + "/999", paths.Deployments("team") + "/999/terraform.zip"} {
		if w := a.Get(p, false); w.Code != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", p, w.Code)
		}
	}
}

func TestDeploymentPromote(t *testing.T) {
	t.Parallel()
	a, path := webtest.DeployApp(t)
	page := a.Page(path)
	webtest.WantOne(t, page, "promote-message")
	if webtest.ByTestID(page, "promote-form").Length() != 0 {
		t.Error("a promote button without a newer version")
	}

	a.ImportDoc("team", webtest.VarsDocV2, "second")
	page = a.Page(path)
	webtest.WantOne(t, page, "deployment-behind")
	if got := webtest.ByTestID(page, "promote-to").Find("option").Length(); got != 1 {
		t.Errorf("%d newer versions offered, want 1", got)
	}

	// Compare: the generated files of v1 and v2 with this environment applied.
	f := webtest.ByTestID(page, "promote-compare-form")
	q := htmltest.FormValues(f)
	r, _ := http.NewRequest(http.MethodGet, f.AttrOr("action", "")+"?"+q.Encode(), nil)
	r.Header.Set("HX-Request", "true")
	r.Header.Set("HX-Target", "deploy-promote")
	w := a.Do(r)
	webtest.WantStatus(t, w, http.StatusOK)
	diff := webtest.WantFragment(t, w, "deploy-promote")
	vars := diff.Find(`[data-testid="diff-file"][data-file="variables.tf"]`)
	if !strings.Contains(vars.Find(`[data-op="add"]`).Text(), "zone") || !strings.Contains(vars.Find(`[data-op="del"]`).Text(), "db_password") {
		t.Errorf("the variables.tf diff:\n%s", vars.Text())
	}
	// main.tf keeps its backend and resources: only the header naming the version changes.
	mainDiff := diff.Find(`[data-testid="diff-summary-file"][data-file="main.tf"]`)
	if adds, dels := mainDiff.Find(`[data-testid="diff-adds"]`).Text(), mainDiff.Find(`[data-testid="diff-dels"]`).Text(); adds != "+1" || dels != "−1" {
		t.Errorf("main.tf changes %s %s, want only its header", adds, dels)
	}
	if strings.Contains(w.Body.String(), webtest.SecretValue) {
		t.Error("the diff shows a secret")
	}

	// Older and equal versions and versions that do not exist are refused.
	for _, c := range []struct {
		version string
		status  int
	}{{"1", http.StatusConflict}, {"9", http.StatusUnprocessableEntity}, {"x", http.StatusUnprocessableEntity}} {
		w := a.PostForm(paths.DeploymentPromote("team", 1), url.Values{"version": {c.version}}, true)
		webtest.WantStatus(t, w, c.status)
		webtest.WantOne(t, webtest.WantFragment(t, w, "deploy-promote"), "promote-problem")
	}
	if preview := a.Page(paths.DeploymentPreview("team", 1, 1)); webtest.ByTestID(preview, "promote-problem").Length() != 1 {
		t.Error("a preview of an older version is not refused")
	}

	_, code := a.SubmitForm(diff, "promote-form", nil)
	if code != http.StatusNoContent {
		t.Fatalf("promote: %d", code)
	}
	d, err := a.Store.Deployment(context.Background(), "team", 1)
	if err != nil {
		t.Fatal(err)
	}
	if d.BlueprintVersion != 2 || d.StateKey != "team/app/dev.tfstate" {
		t.Errorf("after promotion: %+v", d)
	}
	page = a.Page(path)
	if webtest.ByTestID(page, "deployment-behind").Length() != 0 || !strings.Contains(webtest.WantOne(t, page, "deployment-blueprint"), "v2") {
		t.Error("the page does not show v2")
	}
	w = a.PostForm(paths.DeploymentPromote("team", 1), url.Values{"version": {"2"}}, true)
	webtest.WantStatus(t, w, http.StatusConflict)
}
