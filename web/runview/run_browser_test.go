package runview_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/chromedp/chromedp"

	"github.com/cloudoven/cloudoven/catalog"
	"github.com/cloudoven/cloudoven/internal/testenv"
	"github.com/cloudoven/cloudoven/providers"
	"github.com/cloudoven/cloudoven/runner"
	"github.com/cloudoven/cloudoven/runs"
	"github.com/cloudoven/cloudoven/secrets"
	"github.com/cloudoven/cloudoven/state"
	"github.com/cloudoven/cloudoven/web"
	"github.com/cloudoven/cloudoven/web/paths"
	"github.com/cloudoven/cloudoven/web/webtest"
)

// runsDoc is a blueprint of terraform_data resources: Terraform's builtin provider, so a run
// needs nothing from the network but CloudOven's own state backend.
const runsDoc = `{"format": 1, "name": "app",
  "variables": [{"name": "greeting", "type": "string", "default": {"literal": "hello"}}],
  "resources": [
    {"type": "terraform_data", "name": "first", "config": {"input": {"ref": "var.greeting"}}},
    {"type": "terraform_data", "name": "second", "config": {"input": {"ref": "terraform_data.first.output"}}}
  ],
  "outputs": [{"name": "said", "value": {"ref": "terraform_data.second.output"}}]}`

// TestBrowserPlanApproveApply is the runner's acceptance test in a real Chromium, on the real
// Docker Engine with the runner image and CloudOven's own state backend (each stage with its
// own scoped credentials): press Plan, watch the log lines arrive, press Approve, see the
// apply finish, the state version listed and the state unlocked.
func TestBrowserPlanApproveApply(t *testing.T) {
	testenv.RunnerImage(t)
	a := webtest.NewApp(t)

	// One server for the app and the state backend, as serve has it; the run service needs
	// the server's URL, so the web handler is set once both exist.
	var app http.Handler
	mux := http.NewServeMux()
	authz := state.NewTokenAuthorizer(0)
	mux.Handle(state.PathPrefix, state.NewServer(a.Store, state.NewDirStore(t.TempDir()), authz, a.Logger()))
	mux.Handle("/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { app.ServeHTTP(w, r) }))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		t.Fatal(err)
	}
	box, err := secrets.NewBox(key)
	if err != nil {
		t.Fatal(err)
	}
	vault := secrets.NewVault(a.Store, box)
	instance := make([]byte, 6)
	if _, err := rand.Read(instance); err != nil {
		t.Fatal(err)
	}
	exec, err := runner.NewDocker(runner.DockerOptions{Instance: "test-" + hex.EncodeToString(instance), Logger: a.Logger()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		// Whatever this test's instance left on the daemon, even after a failure.
		exec.RemoveOrphans(context.Background(), nil)
		exec.Close()
	})
	hub := runs.NewHub(a.Store, a.Logger())
	// Providers from the server's cache, as serve wires it: this blueprint needs none
	// beyond terraform's builtin one, so the run reads an empty mirror and downloads nothing.
	cache, err := providers.Open(t.TempDir(), providers.Options{Terraform: testenv.Terraform(t), Logger: a.Logger()})
	if err != nil {
		t.Fatal(err)
	}
	svc := runs.New(runs.Options{
		Store: a.Store, Executor: exec, Hub: hub,
		Prepare:     runs.NewPreparer(a.Store, func() *catalog.Catalog { return webtest.Catalog(t) }, vault),
		Sealer:      box,
		NetworkMode: "host", // the container reaches the state backend on this machine's loopback
		Authorizer:  authz, StateURL: srv.URL, Logger: a.Logger(),
		Locks: a.Store,
		Providers: &providers.Server{Cache: cache, Volumes: providers.NewVolumes(testenv.Docker(t), runner.DefaultImage, "test-"+hex.EncodeToString(instance), cache),
			Platform: exec.Platform},
	})
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(func() { cancel(); svc.Wait() })
	if err := svc.Start(ctx); err != nil {
		t.Fatal(err)
	}
	app = webtest.NewHandler(t, web.Config{Store: a.Store, Catalog: webtest.Catalog(t), Logger: a.Logger(), PasswordParams: webtest.CheapParams, Secrets: vault, Runs: svc, RunLogs: hub})
	a.Handler = app
	a.SignInAdmin()

	// Project, blueprint, an environment whose backend is CloudOven's, a deployment.
	a.CreateProject("team")
	a.ImportDoc("team", runsDoc, "two resources")
	webtest.WantStatus(t, a.PostForm(paths.Environments("team"), url.Values{"name": {"dev"}}, false), http.StatusSeeOther)
	webtest.WantStatus(t, a.PostForm(paths.EnvBackend("team", "dev"), url.Values{"backend_type": {"http"}}, false), http.StatusSeeOther)
	// The state backend is on loopback, which only the service's host networking reaches,
	// and that only with egress open (package environments tests egress control).
	webtest.WantStatus(t, a.PostForm(paths.EnvRunner("team", "dev"), url.Values{"egress": {"open"}}, false), http.StatusSeeOther)
	w := a.PostForm(paths.Deployments("team"), url.Values{"blueprint": {"app"}, "environment": {"dev"}}, false)
	webtest.WantStatus(t, w, http.StatusSeeOther)
	deployment := w.Header().Get("Location")

	browser := webtest.NewBrowser(t)
	webtest.BrowserSignIn(t, browser, srv.URL, "admin", webtest.Password)
	run := webtest.Runner(t, browser)
	runState := `(document.querySelector('[data-testid="run-state"]')||{textContent:""}).textContent.trim()`

	run("pressing Plan",
		chromedp.Navigate(srv.URL+deployment),
		chromedp.WaitVisible(webtest.Sel("plan")),
		webtest.Click(webtest.Sel("plan")),
		chromedp.WaitVisible(webtest.Sel("run-log")),
	)
	webtest.WaitJS(t, browser, "log lines to arrive", `document.querySelectorAll('[data-testid="log-line"]').length > 0`)
	webtest.WaitJS(t, browser, "the plan to finish", runState+` === "planned"`)
	webtest.WaitJS(t, browser, "the plan's lines", `document.querySelector('[data-testid="run-log"]').textContent.includes("terraform_data.second")`)
	webtest.WaitJS(t, browser, "the providers' check", `document.querySelector('[data-testid="run-log"]').textContent.includes("the providers' check before the plan (terraform validate with the providers' own code) found no problems")`)
	webtest.Screenshot(t, browser, "1-planned")

	run("pressing Approve", webtest.Click(webtest.Sel("run-approve")))
	webtest.WaitJS(t, browser, "the apply to finish", runState+` === "applied"`)
	webtest.WaitJS(t, browser, "the apply's lines", `document.querySelector('[data-testid="run-log"]').textContent.includes("Apply complete")`)
	webtest.Screenshot(t, browser, "2-applied")
	var facts string
	run("reading the run's facts", chromedp.Text(webtest.Sel("run-facts"), &facts))
	if strings.Contains(facts, "@") || strings.Contains(facts, "components.") {
		t.Errorf("template source leaked into the page: %q", facts)
	}
	var shownSeqs []string
	run("reading the log", chromedp.Evaluate(`[...document.querySelectorAll('[data-testid="log-line"]')].map(e => e.dataset.seq)`, &shownSeqs))

	run("opening the deployment",
		chromedp.Navigate(srv.URL+deployment),
		chromedp.WaitVisible(webtest.Sel("state-versions")),
	)
	webtest.WaitJS(t, browser, "a state version listed", `!!document.querySelector('[data-testid="state-version"][data-version="1"][data-resources="2"]')`)
	webtest.WaitJS(t, browser, "the state unlocked", `!!document.querySelector('[data-testid="state-unlocked"]')`)
	webtest.Screenshot(t, browser, "3-state-version")

	// The log the browser shows is the one stored, line for line.
	page := webtest.ParseHTML(t, a.Get(deployment, false))
	link := page.Find(`[data-testid="run-link"]`).First().AttrOr("href", "")
	if link == "" {
		t.Fatal("the deployment lists no run")
	}
	var storedSeqs []string
	webtest.ParseHTML(t, a.Get(link, false)).Find(`[data-testid="log-line"]`).Each(func(_ int, l *goquery.Selection) {
		storedSeqs = append(storedSeqs, l.AttrOr("data-seq", ""))
	})
	if len(storedSeqs) == 0 || strings.Join(shownSeqs, ",") != strings.Join(storedSeqs, ",") {
		t.Errorf("the browser showed lines %v, the store has %v", shownSeqs, storedSeqs)
	}
}
