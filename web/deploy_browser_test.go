package web

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/cloudoven/cloudoven/web/paths"
)

// TestBrowserEnvironmentAndDeployment is the environments issue's acceptance test in a real
// Chromium: sign in, start a blueprint from a starter, create an environment with variable
// values, an azurerm backend and a secret, bind the blueprint to it, and download the
// deployment's zip: it holds the backend block and the tfvars, and nowhere the secret.
func TestBrowserEnvironmentAndDeployment(t *testing.T) {
	a := envApp(t)
	srv := httptest.NewServer(a.handler)
	t.Cleanup(srv.Close)
	ctx := newBrowser(t)
	signIn(t, ctx, srv.URL, "admin", testPassword)

	run := func(what string, actions ...chromedp.Action) {
		t.Helper()
		if err := chromedp.Run(ctx, actions...); err != nil {
			screenshot(t, ctx, "failed")
			t.Fatalf("%s: %v", what, err)
		}
	}
	const secret = "Sup3r-secret-client-value"

	run("starting a blueprint from the state-bootstrap starter",
		chromedp.Navigate(srv.URL+paths.Project("team")),
		chromedp.WaitVisible(testIDSel("new-blueprint-form")),
		chromedp.SendKeys(testIDSel("new-blueprint-name"), "state"),
		chooseOption(testIDSel("new-blueprint-starter"), "state-bootstrap"),
		chromedp.Click(testIDSel("new-blueprint-submit")),
		chromedp.WaitVisible(testIDSel("editor")),
	)
	waitJS(t, ctx, "the starter in the editor", previewHas(`resource "azurerm_storage_account" "state"`))
	screenshot(t, ctx, "1-starter")

	run("creating the environment",
		chromedp.Navigate(srv.URL+paths.Environments("team")),
		chromedp.WaitVisible(testIDSel("env-create-form")),
		chromedp.SendKeys(testIDSel("env-name-input"), "dev"),
		chromedp.Click(testIDSel("env-create-submit")),
		chromedp.WaitVisible(testIDSel("environment-title")),
	)

	// Values for the starter's variables.
	run("filling the variables",
		chromedp.Navigate(srv.URL+paths.EnvironmentBlueprint("team", "dev", "state", 0)),
		chromedp.WaitVisible(`[data-variable="storage_account_name"] input`),
		chromedp.SendKeys(`[data-variable="storage_account_name"] input`, "stcloudoventfstate"),
		chromedp.Click(testIDSel("variables-submit")),
	)
	waitJS(t, ctx, "the saved value", `(document.querySelector('[data-variable="storage_account_name"] input')||{}).value === "stcloudoventfstate" && !document.querySelector('#env-variables .htmx-request')`)

	// An azurerm backend with Azure AD auth.
	run("choosing the azurerm backend", chooseOption(testIDSel("backend-type"), "azurerm"))
	waitJS(t, ctx, "the azurerm settings", `!!document.querySelector('[name="set.storage_account_name"]')`)
	run("filling the backend",
		chromedp.SendKeys(`[name="set.storage_account_name"]`, "stplatformstate"),
		chromedp.SendKeys(`[name="set.container_name"]`, "tfstate"),
		chromedp.Click(`[data-testid="backend-auth-input"][value="azuread"]`),
		chromedp.Click(testIDSel("backend-submit")),
	)
	waitJS(t, ctx, "the saved backend", `(document.querySelector('[name="set.storage_account_name"]')||{}).value === "stplatformstate"`)

	// A secret, written once and never shown again.
	run("adding a secret",
		chromedp.SendKeys(testIDSel("secret-name-input"), "ARM_CLIENT_SECRET"),
		chromedp.SendKeys(testIDSel("secret-value-input"), secret),
		chromedp.Click(testIDSel("secret-submit")),
	)
	waitJS(t, ctx, "the secret listed", `[...document.querySelectorAll('[data-testid="secret-name"]')].some(e => e.textContent.includes("ARM_CLIENT_SECRET"))`)
	screenshot(t, ctx, "2-environment")
	var html string
	run("reading the environment page", chromedp.OuterHTML("html", &html))
	if strings.Contains(html, secret) {
		t.Fatal("the environment page shows the secret's value")
	}

	// Bind the starter blueprint to the environment.
	var zipHref string
	run("creating the deployment",
		chromedp.Navigate(srv.URL+paths.Deployments("team")),
		chromedp.WaitVisible(testIDSel("deploy-form")),
		chooseOption(testIDSel("deploy-blueprint"), "state"),
	)
	waitJS(t, ctx, "the state key placeholder of the state blueprint", `(document.querySelector('[data-testid="deploy-state-key"]')||{}).placeholder === "team/state/dev.tfstate"`)
	run("creating the deployment",
		chooseOption(testIDSel("deploy-environment"), "dev"),
		chromedp.Click(testIDSel("deploy-submit")),
		chromedp.WaitVisible(testIDSel("deployment-title")),
		chromedp.AttributeValue(testIDSel("deployment-zip"), "href", &zipHref, nil),
		chromedp.OuterHTML("html", &html),
	)
	screenshot(t, ctx, "3-deployment")
	if strings.Contains(html, secret) {
		t.Fatal("the deployment page shows the secret's value")
	}

	resp, err := a.httpGet(srv.URL + zipHref)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("zip download: %s", resp.Status)
	}
	if strings.Contains(string(body), secret) {
		t.Fatal("the zip holds the secret's value")
	}
	files := unzipFiles(t, body)
	main := string(files["main.tf"])
	for _, want := range []string{
		`backend "azurerm" {`,
		`storage_account_name = "stplatformstate"`,
		`container_name       = "tfstate"`,
		`key                  = "team/state/dev.tfstate"`,
		`use_azuread_auth     = true`,
	} {
		if !strings.Contains(main, want) {
			t.Errorf("main.tf lacks %q:\n%s", want, main)
		}
	}
	if tfvars, ok := unzipAll(t, body)["terraform.tfvars"]; !ok || !strings.Contains(string(tfvars), `storage_account_name = "stcloudoventfstate"`) {
		t.Errorf("terraform.tfvars:\n%s", tfvars)
	}
	for name, content := range unzipAll(t, body) {
		if strings.Contains(string(content), secret) {
			t.Errorf("%s in the zip holds the secret", name)
		}
	}
}
