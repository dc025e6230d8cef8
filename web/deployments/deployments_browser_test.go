package deployments_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/cloudoven/cloudoven/web/paths"
	"github.com/cloudoven/cloudoven/web/webtest"
)

// TestBrowserEnvironmentAndDeployment is the environments issue's acceptance test in a real
// Chromium: sign in, start a blueprint from a starter, create an environment with variable
// values, an azurerm backend and a secret, bind the blueprint to it, and download the
// deployment's zip: it holds the backend block and the tfvars, and nowhere the secret.
func TestBrowserEnvironmentAndDeployment(t *testing.T) {
	a := webtest.EnvApp(t)
	srv, ctx := webtest.SignedInBrowser(t, a.Handler)

	run := webtest.Runner(t, ctx)
	const secret = "Sup3r-secret-client-value"

	run("starting a blueprint from the state-bootstrap starter",
		chromedp.Navigate(srv.URL+paths.Project("team")),
		chromedp.WaitVisible(webtest.Sel("new-blueprint-form")),
		webtest.SendKeys(webtest.Sel("new-blueprint-name"), "state"),
		webtest.ChooseOption(webtest.Sel("new-blueprint-starter"), "state-bootstrap"),
		webtest.Click(webtest.Sel("new-blueprint-submit")),
		chromedp.WaitVisible(webtest.Sel("editor")),
	)
	webtest.WaitJS(t, ctx, "the starter in the editor", webtest.PreviewHas(`resource "azurerm_storage_account" "state"`))
	webtest.Screenshot(t, ctx, "1-starter")

	run("creating the environment",
		chromedp.Navigate(srv.URL+paths.Environments("team")),
		chromedp.WaitVisible(webtest.Sel("env-create-form")),
		webtest.SendKeys(webtest.Sel("env-name-input"), "dev"),
		webtest.Click(webtest.Sel("env-create-submit")),
		chromedp.WaitVisible(webtest.Sel("environment-title")),
	)

	// Values for the starter's variables.
	run("filling the variables",
		chromedp.Navigate(srv.URL+paths.EnvironmentBlueprint("team", "dev", "state", 0)),
		chromedp.WaitVisible(`[data-variable="storage_account_name"] input`),
		webtest.SendKeys(`[data-variable="storage_account_name"] input`, "stcloudoventfstate"),
		webtest.Click(webtest.Sel("variables-submit")),
	)
	webtest.WaitJS(t, ctx, "the saved value", `(document.querySelector('[data-variable="storage_account_name"] input')||{}).value === "stcloudoventfstate" && !document.querySelector('#env-variables .htmx-request')`)

	// An azurerm backend with Azure AD auth.
	run("choosing the azurerm backend", webtest.ChooseOption(webtest.Sel("backend-type"), "azurerm"))
	webtest.WaitJS(t, ctx, "the azurerm settings", `!!document.querySelector('[name="set.storage_account_name"]')`)
	run("filling the backend",
		webtest.SendKeys(`[name="set.storage_account_name"]`, "stplatformstate"),
		webtest.SendKeys(`[name="set.container_name"]`, "tfstate"),
		webtest.Click(`[data-testid="backend-auth-input"][value="azuread"]`),
		webtest.Click(webtest.Sel("backend-submit")),
	)
	webtest.WaitJS(t, ctx, "the saved backend", `(document.querySelector('[name="set.storage_account_name"]')||{}).value === "stplatformstate"`)

	// A secret, written once and never shown again.
	run("adding a secret",
		webtest.Click(`#env-secrets > summary`),
		chromedp.WaitVisible(webtest.Sel("secret-name-input")),
		webtest.SendKeys(webtest.Sel("secret-name-input"), "ARM_CLIENT_SECRET"),
		webtest.SendKeys(webtest.Sel("secret-value-input"), secret),
		webtest.Click(webtest.Sel("secret-submit")),
	)
	webtest.WaitJS(t, ctx, "the secret listed", `[...document.querySelectorAll('[data-testid="secret-name"]')].some(e => e.textContent.includes("ARM_CLIENT_SECRET"))`)
	webtest.Screenshot(t, ctx, "2-environment")
	var html string
	run("reading the environment page", chromedp.OuterHTML("html", &html))
	if strings.Contains(html, secret) {
		t.Fatal("the environment page shows the secret's value")
	}

	// Bind the starter blueprint to the environment.
	var zipHref string
	run("creating the deployment",
		chromedp.Navigate(srv.URL+paths.Deployments("team")),
		chromedp.WaitVisible(webtest.Sel("deploy-form")),
		webtest.ChooseOption(webtest.Sel("deploy-blueprint"), "state"),
	)
	webtest.WaitJS(t, ctx, "the state key placeholder of the state blueprint", `(document.querySelector('[data-testid="deploy-state-key"]')||{}).placeholder === "team/state/dev.tfstate"`)
	run("creating the deployment",
		webtest.ChooseOption(webtest.Sel("deploy-environment"), "dev"),
		webtest.Click(webtest.Sel("deploy-submit")),
		chromedp.WaitVisible(webtest.Sel("deployment-title")),
		chromedp.AttributeValue(webtest.Sel("deployment-zip"), "href", &zipHref, nil),
		chromedp.OuterHTML("html", &html),
	)
	webtest.Screenshot(t, ctx, "3-deployment")
	if strings.Contains(html, secret) {
		t.Fatal("the deployment page shows the secret's value")
	}

	resp, err := a.HTTPGet(srv.URL + zipHref)
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
	files := webtest.UnzipFiles(t, body)
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
	if tfvars, ok := webtest.UnzipAll(t, body)["terraform.tfvars"]; !ok || !strings.Contains(string(tfvars), `storage_account_name = "stcloudoventfstate"`) {
		t.Errorf("terraform.tfvars:\n%s", tfvars)
	}
	for name, content := range webtest.UnzipAll(t, body) {
		if strings.Contains(string(content), secret) {
			t.Errorf("%s in the zip holds the secret", name)
		}
	}
}
