package runview_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/cloudoven/cloudoven/catalog"
	"github.com/cloudoven/cloudoven/internal/testenv"
	"github.com/cloudoven/cloudoven/runner"
	"github.com/cloudoven/cloudoven/runs"
	"github.com/cloudoven/cloudoven/secrets"
	"github.com/cloudoven/cloudoven/state"
	"github.com/cloudoven/cloudoven/store"
	"github.com/cloudoven/cloudoven/web"
	"github.com/cloudoven/cloudoven/web/paths"
	"github.com/cloudoven/cloudoven/web/webtest"
)

// badInputDoc is runsDoc with an input terraform's own check refuses: tonumber of a word.
const badInputDoc = `{"format": 1, "name": "app",
  "resources": [
    {"type": "terraform_data", "name": "first", "config": {"input": {"literal": "hello"}}},
    {"type": "terraform_data", "name": "bad", "config": {"input": {"expr": "tonumber(\"abc\")"}}}
  ]}`

// localRunApp is an app whose runs execute real terraform on this machine (the local
// executor) against CloudOven's own state backend, with doc deployed to environment dev.
// It returns the app, its server and the deployment page's path.
func localRunApp(t *testing.T, doc string) (*webtest.App, *httptest.Server, string) {
	t.Helper()
	bin := testenv.Terraform(t)
	a := webtest.NewApp(t)
	var app http.Handler
	mux := http.NewServeMux()
	authz := state.NewTokenAuthorizer(0)
	mux.Handle(state.PathPrefix, state.NewServer(a.Store, state.NewDirStore(t.TempDir()), authz, a.Logger()))
	mux.Handle("/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { app.ServeHTTP(w, r) }))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	box := webtest.SecretBox(t)
	vault := secrets.NewVault(a.Store, box)
	hub := runs.NewHub(a.Store, a.Logger())
	svc := runs.New(runs.Options{
		Store: a.Store, Executor: runner.NewLocal(runner.LocalOptions{Terraform: bin, Logger: a.Logger()}), Hub: hub,
		Prepare:    runs.NewPreparer(a.Store, func() *catalog.Catalog { return webtest.Catalog(t) }, vault),
		Sealer:     box,
		Authorizer: authz, StateURL: srv.URL, Logger: a.Logger(),
	})
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(func() { cancel(); svc.Wait() })
	if err := svc.Start(ctx); err != nil {
		t.Fatal(err)
	}
	app = webtest.NewHandler(t, web.Config{Store: a.Store, Catalog: webtest.Catalog(t), Logger: a.Logger(), PasswordParams: webtest.CheapParams,
		Secrets: vault, Runs: svc, RunLogs: hub, RunnerLabel: "local"})
	a.Handler = app
	a.SignInAdmin()
	a.CreateProject("team")
	a.ImportDoc("team", doc, "first")
	webtest.WantStatus(t, a.PostForm(paths.Environments("team"), url.Values{"name": {"dev"}}, false), http.StatusSeeOther)
	webtest.WantStatus(t, a.PostForm(paths.EnvBackend("team", "dev"), url.Values{"backend_type": {"http"}}, false), http.StatusSeeOther)
	w := a.PostForm(paths.Deployments("team"), url.Values{"blueprint": {"app"}, "environment": {"dev"}}, false)
	webtest.WantStatus(t, w, http.StatusSeeOther)
	return a, srv, w.Header().Get("Location")
}

// inWindow is true when the element sel is in the window, from its top to its bottom.
func inWindow(sel string) string {
	return `(function(){var e=document.querySelector(` + webtest.JS(sel) + `); if(!e) return false; var r=e.getBoundingClientRect();` +
		` return r.width > 0 && r.top >= 0 && r.bottom <= window.innerHeight})()`
}

func stepState(step string) string {
	return `(document.querySelector('[data-testid="timeline-step"][data-step="` + step + `"]')||{dataset:{}}).dataset.state`
}

// TestBrowserRunFailsOnABlueprintField: a plan whose field terraform's own check refuses
// fails at the check. On a 1,280×800 window the page shows, without scrolling, the state,
// the timeline (init done, check failed, plan skipped) and the error's block naming the
// blueprint field with a link to it in the editor; the plan's log section is open.
func TestBrowserRunFailsOnABlueprintField(t *testing.T) {
	_, srv, deployment := localRunApp(t, badInputDoc)
	browser := webtest.NewBrowser(t)
	webtest.BrowserSignIn(t, browser, srv.URL, "admin", webtest.Password)
	run := webtest.Runner(t, browser)
	runState := `(document.querySelector('[data-testid="run-state"]')||{textContent:""}).textContent.trim()`

	run("pressing Plan on a 1,280×800 window",
		chromedp.EmulateViewport(1280, 800),
		chromedp.Navigate(srv.URL+deployment),
		chromedp.WaitVisible(webtest.Sel("plan")),
		webtest.Click(webtest.Sel("plan")),
		chromedp.WaitVisible(webtest.Sel("run-timeline")),
	)
	webtest.WaitJS(t, browser, "the run to fail", runState+` === "errored"`)
	webtest.WaitJS(t, browser, "the timeline: init done, check failed, plan skipped",
		stepState(runs.StepPlanInit)+` === "done" && `+stepState(runs.StepPlanCheck)+` === "failed" && `+stepState(runs.StepPlanPlan)+` === "skipped"`)
	field := `[data-testid="run-diagnostic"][data-severity="error"][data-path="resources[terraform_data.bad].input"]`
	webtest.WaitJS(t, browser, "the error block naming the field", `!!document.querySelector(`+webtest.JS(field)+`)`)
	webtest.WaitJS(t, browser, "the state, the timeline and the first error in the window without scrolling",
		inWindow(webtest.Sel("run-state"))+" && "+inWindow(webtest.Sel("run-timeline"))+" && "+inWindow(`[data-testid="run-diagnostic"]`)+
			` && window.scrollY === 0 && window.innerWidth === 1280`)
	webtest.Screenshot(t, browser, "run-failed-on-a-field")

	var summary, detail, href, where, duration string
	run("reading the error block",
		chromedp.Text(field+` [data-testid="run-diagnostic-summary"]`, &summary),
		chromedp.Text(field+` [data-testid="run-diagnostic-detail"]`, &detail),
		chromedp.AttributeValue(field+` a[data-testid="run-diagnostic-field"]`, "href", &href, nil),
		chromedp.Text(field+` [data-testid="run-diagnostic-where"]`, &where),
		chromedp.Text(`[data-testid="timeline-step"][data-step="plan.init"] [data-testid="timeline-step-duration"]`, &duration),
	)
	if !strings.HasSuffix(summary, "Invalid function argument") || !strings.Contains(detail, `cannot convert "abc" to number`) || !strings.HasPrefix(where, "main.tf line ") {
		t.Errorf("the error block says %q, %q, at %q", summary, detail, where)
	}
	if href != paths.EditItem("team", "app", "terraform_data.bad") {
		t.Errorf("the field links to %q", href)
	}
	if !strings.HasSuffix(duration, "s") {
		t.Errorf("init's duration %q", duration)
	}
	webtest.WaitJS(t, browser, "the plan's log section open and failed",
		`document.querySelector('[data-testid="log-stage"][data-stage="plan"]').open && `+
			`document.querySelector('[data-testid="log-stage"][data-stage="plan"] [data-testid="log-stage-state"]').textContent === "failed"`)
	// Long lines wrap: the log never scrolls sideways.
	webtest.WaitJS(t, browser, "the log's lines wrapped",
		`[...document.querySelectorAll('[data-testid="log-lines"]')].every(p => p.scrollWidth <= p.clientWidth)`)
}

// TestBrowserRunPlanApplyTimeline: a plan that passes, approved and applied, as a user
// watches it live: the timeline's steps all end done, each with a duration, and the log has
// a section per stage, the apply's lines in the apply's, each with its duration.
func TestBrowserRunPlanApplyTimeline(t *testing.T) {
	a, srv, deployment := localRunApp(t, runsDoc)
	browser := webtest.NewBrowser(t)
	webtest.BrowserSignIn(t, browser, srv.URL, "admin", webtest.Password)
	run := webtest.Runner(t, browser)
	runState := `(document.querySelector('[data-testid="run-state"]')||{textContent:""}).textContent.trim()`

	run("pressing Plan on a 1,280×800 window",
		chromedp.EmulateViewport(1280, 800),
		chromedp.Navigate(srv.URL+deployment),
		chromedp.WaitVisible(webtest.Sel("plan")),
		webtest.Click(webtest.Sel("plan")),
		chromedp.WaitVisible(webtest.Sel("run-timeline")),
	)
	webtest.WaitJS(t, browser, "the plan to finish", runState+` === "planned"`)
	webtest.WaitJS(t, browser, "the plan's steps done, the approval waiting",
		stepState(runs.StepPlanInit)+` === "done" && `+stepState(runs.StepPlanCheck)+` === "done" && `+stepState(runs.StepPlanPlan)+` === "done" && `+
			stepState("approval")+` === "running" && `+stepState(runs.StepApplyApply)+` === "pending"`)
	webtest.WaitJS(t, browser, "the state, the timeline, the controls and the counts in the window without scrolling",
		inWindow(webtest.Sel("run-state"))+" && "+inWindow(webtest.Sel("run-timeline"))+" && "+inWindow(webtest.Sel("run-approve"))+" && "+
			inWindow(webtest.Sel("run-summary"))+` && window.scrollY === 0`)
	webtest.Screenshot(t, browser, "run-planned-timeline")

	run("pressing Approve", webtest.Click(webtest.Sel("run-approve")))
	webtest.WaitJS(t, browser, "the apply to finish", runState+` === "applied"`)
	webtest.WaitJS(t, browser, "every step done with a duration",
		`(function(){var steps=[...document.querySelectorAll('[data-testid="timeline-step"]')].filter(s => s.dataset.stage);`+
			` return steps.length === 5 && steps.every(s => s.dataset.state === "done" && !!s.querySelector('[data-testid="timeline-step-duration"]'))})()`)
	webtest.WaitJS(t, browser, "the apply's lines in the apply's section",
		`(document.querySelector('[data-testid="log-stage"][data-stage="apply"]')||{textContent:""}).textContent.includes("Apply complete")`+
			` && !document.querySelector('[data-testid="log-stage"][data-stage="plan"]').textContent.includes("Apply complete")`)
	webtest.Screenshot(t, browser, "run-applied-timeline")

	// Reloaded, the finished run shows both sections with their durations, the apply's open.
	run("reloading the run", chromedp.Reload(), chromedp.WaitVisible(webtest.Sel("run-finished")))
	webtest.WaitJS(t, browser, "both stages' sections with durations",
		`[...document.querySelectorAll('[data-testid="log-stage"]')].map(s => s.dataset.stage + ":" + s.dataset.state + ":" + !!s.querySelector('[data-testid="log-stage-duration"]')).join(",") === "plan:done:true,apply:done:true"`+
			` && document.querySelector('[data-testid="log-stage"][data-stage="apply"]').open`)
	webtest.Screenshot(t, browser, "run-applied-reloaded")
	if r := a.WaitRun(strings.TrimPrefix(currentPath(t, browser), paths.Project("team")+"/runs/"), store.RunApplied); r.ApprovedBy != "admin" {
		t.Errorf("approved by %q", r.ApprovedBy)
	}
}

func currentPath(t *testing.T, browser context.Context) string {
	t.Helper()
	var loc string
	if err := chromedp.Run(browser, chromedp.Evaluate(`location.pathname`, &loc)); err != nil {
		t.Fatal(err)
	}
	return loc
}
