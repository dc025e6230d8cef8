package web

import (
	"bufio"
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/cloudoven/cloudoven/catalog"
	"github.com/cloudoven/cloudoven/deployment"
	"github.com/cloudoven/cloudoven/runner"
	"github.com/cloudoven/cloudoven/runs"
	"github.com/cloudoven/cloudoven/secrets"
	"github.com/cloudoven/cloudoven/store"
	"github.com/cloudoven/cloudoven/web/paths"
)

// fakePlanJSON is what `terraform show -json` prints for the fake plan: web is created, db
// updated in place.
const fakePlanJSON = `{"format_version":"1.2","terraform_version":"1.5.7","resource_changes":[` +
	`{"address":"terraform_data.web","mode":"managed","type":"terraform_data","name":"web","provider_name":"terraform.io/builtin/terraform","change":{"actions":["create"],"before":null,"after":{"input":"westeurope"},"after_unknown":{"id":true}}},` +
	`{"address":"terraform_data.db","mode":"managed","type":"terraform_data","name":"db","provider_name":"terraform.io/builtin/terraform","change":{"actions":["update"],"before":{"id":"x","input":"a"},"after":{"id":"x","input":"b"},"after_unknown":{}}}]}`

// fakeExecutor stands in for Docker: a plan prints numbered lines (one with the secret
// value terraform would see) and the plan JSON and saves a plan file; an apply prints its
// lines. With a gate, a plan stops halfway until the gate is closed or the run canceled.
type fakeExecutor struct {
	gate chan struct{}
	mu   sync.Mutex
	jobs []runner.Job
}

func (f *fakeExecutor) Run(ctx context.Context, job runner.Job, out io.Writer) (runner.Result, error) {
	f.mu.Lock()
	f.jobs = append(f.jobs, job)
	f.mu.Unlock()
	if !slices.Contains(job.Collect, "tfplan") {
		for i := 1; i <= 3; i++ {
			fmt.Fprintf(out, "apply line %d\n", i)
		}
		return runner.Result{}, nil
	}
	for i := 1; i <= 4; i++ {
		fmt.Fprintf(out, "plan line %d <b>&\n", i)
	}
	fmt.Fprintf(out, "the secret is %s\n", job.Env["ARM_ACCESS_KEY"])
	if f.gate != nil {
		select {
		case <-f.gate:
		case <-ctx.Done():
			return runner.Result{}, ctx.Err()
		}
	}
	for i := 5; i <= 8; i++ {
		fmt.Fprintf(out, "plan line %d\n", i)
	}
	fmt.Fprintln(out, fakePlanJSON)
	return runner.Result{Files: map[string][]byte{"tfplan": []byte("fake plan")}}, nil
}

// runApp is deployApp with runs configured over exec: it returns the app and the
// deployment page path.
func runApp(t *testing.T, exec runner.Executor) (*testApp, string) {
	t.Helper()
	return runAppWith(t, exec, "")
}

// runAppWith is runApp with the runner named by label.
func runAppWith(t *testing.T, exec runner.Executor, label string) (*testApp, string) {
	t.Helper()
	a := newTestApp(t)
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		t.Fatal(err)
	}
	box, err := secrets.NewBox(key)
	if err != nil {
		t.Fatal(err)
	}
	vault := secrets.NewVault(a.store, box)
	cat := testCatalog(t)
	hub := runs.NewHub(a.store, nil)
	catalogs := func() *catalog.Catalog { return cat }
	svc := runs.New(runs.Options{
		Store: a.store, Executor: exec, Hub: hub,
		Prepare:    runs.NewPreparer(a.store, catalogs, vault),
		Guardrails: deployment.NewResolver(deployment.Config{Store: a.store, Rules: a.store, Catalog: catalogs}),
	})
	ctx, cancel := context.WithCancel(context.Background())
	if err := svc.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); svc.Wait() })
	a.handler = newHandler(t, Config{
		Store: a.store, Catalog: cat, Logger: a.logger(), PasswordParams: cheapParams,
		Secrets: vault, Runs: svc, RunLogs: hub, RunnerLabel: label,
	})
	a.signInAdmin()
	a.createProject("team")
	a.importDoc("team", varsDoc, "first")
	return a, setUpDeployment(t, a)
}

// startRun presses a deployment page's Plan (or Destroy) button and returns the run's id.
func (a *testApp) startRun(deployment, op string) string {
	a.t.Helper()
	page := a.envPage(deployment)
	form := byTestID(page, op+"-form")
	if form.Length() != 1 {
		a.t.Fatalf("the deployment page has no %s button", op)
	}
	w := a.postForm(form.AttrOr("action", ""), formValues(form), false)
	wantStatus(a.t, w, http.StatusSeeOther)
	loc := w.Header().Get("Location")
	prefix := paths.Project("team") + "/runs/"
	if !strings.HasPrefix(loc, prefix) {
		a.t.Fatalf("starting a run redirects to %q", loc)
	}
	return strings.TrimPrefix(loc, prefix)
}

// waitRun waits until the run is in state.
func (a *testApp) waitRun(id string, state store.RunState) store.Run {
	a.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		r, err := a.store.Run(context.Background(), id)
		if err != nil {
			a.t.Fatal(err)
		}
		if r.State == state {
			return r
		}
		if time.Now().After(deadline) {
			a.t.Fatalf("run %s is %s, want %s (error %q)", id, r.State, state, r.Error)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitLogLines waits until the run's stored log has at least n lines.
func (a *testApp) waitLogLines(id string, n int) {
	a.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		ls, err := a.store.RunLog(context.Background(), id, 0, 0)
		if err != nil {
			a.t.Fatal(err)
		}
		if len(ls) >= n {
			return
		}
		if time.Now().After(deadline) {
			a.t.Fatalf("run %s has %d log lines, want %d", id, len(ls), n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (a *testApp) storedLog(id string) []string {
	a.t.Helper()
	ls, err := a.store.RunLog(context.Background(), id, 0, 0)
	if err != nil {
		a.t.Fatal(err)
	}
	var out []string
	for _, l := range ls {
		out = append(out, l.Text)
	}
	return out
}

func pageLog(doc *goquery.Document) []string {
	var out []string
	doc.Find(`[data-testid="log-line"]`).Each(func(_ int, s *goquery.Selection) {
		out = append(out, strings.TrimSuffix(s.Text(), "\n"))
	})
	return out
}

func TestRunPlanApproveApply(t *testing.T) {
	t.Parallel()
	a, deployment := runApp(t, &fakeExecutor{})
	page := a.envPage(deployment)
	wantOne(t, page, "runs-empty")
	wantOne(t, page, "state-versions-empty")

	id := a.startRun(deployment, "plan")
	a.waitRun(id, store.RunPlanned)
	page = a.envPage(paths.Run("team", id))
	if got := wantOne(t, page, "run-state"); got != "planned" {
		t.Errorf("state %q", got)
	}
	if got := wantOne(t, page, "run-created-by"); got != "admin" {
		t.Errorf("created by %q", got)
	}
	sum := byTestID(page, "run-summary")
	if sum.AttrOr("data-add", "") != "1" || sum.AttrOr("data-change", "") != "1" || sum.AttrOr("data-destroy", "") != "0" {
		t.Errorf("summary %q", sum.Text())
	}
	web := page.Find(`[data-testid="run-change"][data-address="terraform_data.web"]`)
	db := page.Find(`[data-testid="run-change"][data-address="terraform_data.db"]`)
	if web.AttrOr("data-action", "") != "add" || db.AttrOr("data-action", "") != "change" ||
		strings.TrimSpace(db.Find(`[data-testid="run-change-attributes"]`).Text()) != "input" {
		t.Errorf("changes: %q", byTestID(page, "run-changes").Text())
	}
	if got, want := pageLog(page), a.storedLog(id); !slices.Equal(got, want) || len(got) < 9 {
		t.Errorf("the page shows the log\n%q\nthe store has\n%q", got, want)
	}
	if !slices.Contains(pageLog(page), "plan line 1 <b>&") {
		t.Errorf("log lines are not shown as text: %q", pageLog(page))
	}
	wantOne(t, page, "run-approve")
	wantOne(t, page, "run-discard")

	w := a.postForm(byTestID(page, "run-approve-form").AttrOr("action", ""), formValues(byTestID(page, "run-approve-form")), false)
	wantStatus(t, w, http.StatusSeeOther)
	a.waitRun(id, store.RunApplied)
	page = a.envPage(paths.Run("team", id))
	if got := wantOne(t, page, "run-state"); got != "applied" {
		t.Errorf("state %q", got)
	}
	if got := wantOne(t, page, "run-approved-by"); got != "admin" {
		t.Errorf("approved by %q", got)
	}
	if byTestID(page, "run-actions").Length() != 0 || byTestID(page, "run-live").Length() != 0 {
		t.Error("an applied run still offers actions or a live log")
	}
	if log := pageLog(page); !slices.Contains(log, "apply line 3") {
		t.Errorf("the applied run's log: %q", log)
	}

	page = a.envPage(deployment)
	row := page.Find(`[data-testid="run-row"][data-run="` + id + `"]`)
	if row.AttrOr("data-state", "") != "applied" {
		t.Errorf("the deployment's runs: %q", byTestID(page, "runs-table").Text())
	}
	entries, err := a.store.AuditLog(context.Background(), "team", 100)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range entries {
		actions = append(actions, e.Action)
	}
	if !slices.Contains(actions, "run.create") || !slices.Contains(actions, "run.approve") {
		t.Errorf("audit log actions %q", actions)
	}
}

func TestRunDiscardCancelAndConflicts(t *testing.T) {
	t.Parallel()
	exec := &fakeExecutor{gate: make(chan struct{})}
	a, deployment := runApp(t, exec)

	// Canceled while it plans.
	id := a.startRun(deployment, "plan")
	a.waitLogLines(id, 5)
	page := a.envPage(paths.Run("team", id))
	wantOne(t, page, "run-cancel")
	w := a.postForm(paths.RunCancel("team", id), formValues(byTestID(page, "run-cancel-form")), false)
	wantStatus(t, w, http.StatusSeeOther)
	r := a.waitRun(id, store.RunCanceled)
	if r.CanceledBy != "admin" {
		t.Errorf("canceled by %q", r.CanceledBy)
	}
	w = a.postForm(paths.RunCancel("team", id), nil, true)
	wantStatus(t, w, http.StatusConflict)
	doc := wantFragment(t, w, "run-status")
	if got := wantOne(t, doc, "run-problem"); !strings.Contains(got, "canceled") {
		t.Errorf("409 says %q", got)
	}

	// Discarded once planned; approving it then is a conflict.
	close(exec.gate)
	id = a.startRun(deployment, "plan")
	a.waitRun(id, store.RunPlanned)
	wantStatus(t, a.postForm(paths.RunDiscard("team", id), nil, false), http.StatusSeeOther)
	a.waitRun(id, store.RunDiscarded)
	w = a.postForm(paths.RunApprove("team", id), nil, false)
	wantStatus(t, w, http.StatusConflict)
	if got := wantOne(t, parseHTML(t, w), "run-problem"); !strings.Contains(got, "discarded, so it cannot be approved") {
		t.Errorf("409 says %q", got)
	}
	// A run of another project, or none, is not found.
	wantStatus(t, a.get(paths.Project("team")+"/runs/run-nosuchrun", false), http.StatusNotFound)
	wantStatus(t, a.get(paths.Project("team")+"/runs/NOT%20VALID", false), http.StatusNotFound)

	// Guardrails that block refuse a plan, not a destroy.
	a.importDoc("team", guardedDoc, "resource group")
	wantStatus(t, a.postForm(paths.Rules("team"), url.Values{"rules": {`{"rules":[{"id":"required-tags","tags":["cost-center"]}]}`}}, false), http.StatusSeeOther)
	v := formValues(parseHTML(t, a.get(paths.Environment("team", "dev"), false)).Find(`[data-testid="runner-form"]`))
	v.Set("policy_blocking", "on")
	wantStatus(t, a.postForm(paths.EnvRunner("team", "dev"), v, false), http.StatusSeeOther)
	wantStatus(t, a.postForm(deployment+"/promote", url.Values{"version": {"2"}}, false), http.StatusSeeOther)
	page = a.envPage(deployment)
	wantOne(t, page, "plan-blocked")
	w = a.postForm(paths.DeploymentRuns("team", 1), url.Values{"op": {"plan"}}, true)
	wantStatus(t, w, http.StatusConflict)
	if got := wantOne(t, wantFragment(t, w, "deploy-runs"), "runs-problem"); !strings.Contains(got, "guardrail findings block plans") {
		t.Errorf("the refused plan says %q", got)
	}
	w = a.postForm(paths.DeploymentRuns("team", 1), url.Values{"op": {"apply-everything"}}, false)
	wantStatus(t, w, http.StatusUnprocessableEntity)
}

func TestRunRoles(t *testing.T) {
	t.Parallel()
	a, deployment := runApp(t, &fakeExecutor{})
	id := a.startRun(deployment, "plan")
	a.waitRun(id, store.RunPlanned)
	vera, erin := a.as("vera"), a.as("erin")
	for user, role := range map[string]string{"vera": "viewer", "erin": "editor"} {
		if err := a.store.SetMember(context.Background(), "team", user, role); err != nil {
			t.Fatal(err)
		}
	}
	page := vera.envPage(deployment)
	if byTestID(page, "plan").Length() != 0 {
		t.Error("a viewer is offered Plan")
	}
	wantStatus(t, vera.postForm(paths.DeploymentRuns("team", 1), url.Values{"op": {"plan"}}, false), http.StatusForbidden)
	page = vera.envPage(paths.Run("team", id))
	if byTestID(page, "run-approve").Length() != 0 {
		t.Error("a viewer is offered Approve")
	}
	wantStatus(t, erin.postForm(paths.RunApprove("team", id), nil, false), http.StatusForbidden)
	wantStatus(t, erin.postForm(paths.RunDiscard("team", id), nil, false), http.StatusForbidden)
	wantStatus(t, erin.postForm(paths.RunCancel("team", id), nil, false), http.StatusForbidden)
	if r := a.waitRun(id, store.RunPlanned); r.ApprovedBy != "" {
		t.Errorf("approved by %q", r.ApprovedBy)
	}
}

func TestRunsNotConfigured(t *testing.T) {
	t.Parallel()
	a, deployment := deployApp(t)
	page := a.envPage(deployment)
	wantOne(t, page, "runs-not-configured")
	if byTestID(page, "plan").Length() != 0 {
		t.Error("Plan is offered without a runner")
	}
	wantStatus(t, a.postForm(paths.DeploymentRuns("team", 1), url.Values{"op": {"plan"}}, false), http.StatusServiceUnavailable)
}

// The runner is named beside Plan and on the run page; one that does not isolate runs is a
// warning there, an isolated one a plain hint.
func TestRunRunnerLabel(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, label string
		warning     bool
	}{
		{"local warns", "local terraform on the server: NOT isolated, development only", true},
		{"docker informs", "Docker (isolated)", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a, deployment := runAppWith(t, &fakeExecutor{}, tt.label)
			id := a.startRun(deployment, "plan")
			for _, page := range []string{deployment, paths.Run("team", id)} {
				label := byTestID(a.envPage(page), "runner-label")
				if label.Length() != 1 {
					t.Fatalf("%s: %d runner labels, want 1", page, label.Length())
				}
				if !strings.Contains(label.Text(), tt.label) {
					t.Errorf("%s: runner label %q lacks %q", page, label.Text(), tt.label)
				}
				if got := label.HasClass("note-caution") && label.AttrOr("data-isolated", "") == "false"; got != tt.warning {
					t.Errorf("%s: runner label shown as a warning: %v, want %v (class %q)", page, got, tt.warning, label.AttrOr("class", ""))
				}
			}
		})
	}
}

// sseEvent is one server-sent event.
type sseEvent struct{ id, name, data string }

// readEvents reads events from body until it ends or stop says so.
func readEvents(t *testing.T, body io.Reader, stop func(sseEvent) bool) []sseEvent {
	t.Helper()
	var evs []sseEvent
	var cur sseEvent
	var data []string
	sc := bufio.NewScanner(body)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "":
			if cur.name == "" && data == nil {
				continue
			}
			cur.data = strings.Join(data, "\n")
			evs = append(evs, cur)
			if stop != nil && stop(cur) {
				return evs
			}
			cur, data = sseEvent{}, nil
		case strings.HasPrefix(line, ":"), strings.HasPrefix(line, "retry:"):
		case strings.HasPrefix(line, "id: "):
			cur.id = strings.TrimPrefix(line, "id: ")
		case strings.HasPrefix(line, "event: "):
			cur.name = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			data = append(data, strings.TrimPrefix(line, "data: "))
		default:
			t.Errorf("unexpected stream line %q", line)
		}
	}
	return evs
}

// eventLines are the log lines of a stream's line events, checking each id is its seq.
func eventLines(t *testing.T, evs []sseEvent) []string {
	t.Helper()
	var out []string
	for _, e := range evs {
		if e.name != "line" {
			continue
		}
		doc, err := goquery.NewDocumentFromReader(strings.NewReader(e.data))
		if err != nil {
			t.Fatal(err)
		}
		span := doc.Find(`[data-testid="log-line"]`)
		if span.AttrOr("data-seq", "") != e.id {
			t.Errorf("event id %s carries line %s", e.id, span.AttrOr("data-seq", ""))
		}
		out = append(out, strings.TrimSuffix(span.Text(), "\n"))
	}
	return out
}

func TestRunLogStreamResumes(t *testing.T) {
	t.Parallel()
	exec := &fakeExecutor{gate: make(chan struct{})}
	a, deployment := runApp(t, exec)
	srv := httptest.NewServer(a.withSession(a.handler))
	t.Cleanup(srv.Close)
	id := a.startRun(deployment, "plan")
	a.waitLogLines(id, 5)

	open := func(lastEventID string) *http.Response {
		req, err := http.NewRequest(http.MethodGet, srv.URL+paths.RunLog("team", id)+"?after=0&state=queued", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Accept-Encoding", "gzip")
		if lastEventID != "" {
			req.Header.Set("Last-Event-ID", lastEventID)
		}
		a.session.apply(req)
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { resp.Body.Close() })
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") || resp.Header.Get("Content-Encoding") != "" {
			t.Fatalf("the stream answers %d %q %q", resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Content-Encoding"))
		}
		return resp
	}

	// One follower connected mid-run, reading to the end.
	whole := make(chan []sseEvent, 1)
	mid := open("")
	go func() { whole <- readEvents(t, mid.Body, nil) }()

	// Another reads three lines (unbuffered by gzip, live), drops the connection, and
	// comes back with the last id it saw.
	first := open("")
	part := readEvents(t, first.Body, func(e sseEvent) bool { return e.name == "line" && e.id == "3" })
	first.Body.Close()
	second := open("3")

	close(exec.gate)
	a.waitRun(id, store.RunPlanned)
	wantStatus(t, a.postForm(paths.RunApprove("team", id), nil, false), http.StatusSeeOther)
	a.waitRun(id, store.RunApplied)
	rest := readEvents(t, second.Body, nil)

	want := a.storedLog(id)
	if len(want) < 12 {
		t.Fatalf("the stored log has %d lines: %q", len(want), want)
	}
	var all []sseEvent
	select {
	case all = <-whole:
	case <-time.After(20 * time.Second):
		t.Fatal("the mid-run stream did not end with the run")
	}
	if got := eventLines(t, all); !slices.Equal(got, want) {
		t.Errorf("the mid-run follower got\n%q\nwant\n%q", got, want)
	}
	if got := append(eventLines(t, part), eventLines(t, rest)...); !slices.Equal(got, want) {
		t.Errorf("the reconnecting follower got\n%q\nwant\n%q", got, want)
	}
	var states []string
	for _, e := range all {
		if e.name == "state" {
			states = append(states, e.data)
		}
	}
	if !slices.Contains(states, "planned") || !slices.Contains(states, "applied") {
		t.Errorf("state events %q", states)
	}
	if last := all[len(all)-1]; last.name != "end" || last.data != "applied" {
		t.Errorf("the stream ends with %+v", last)
	}
	for _, evs := range [][]sseEvent{all, part, rest} {
		for _, e := range evs {
			if strings.Contains(e.data, secretValue) {
				t.Errorf("the stream sends the secret: %q", e.data)
			}
		}
	}
	for _, l := range want {
		if strings.Contains(l, secretValue) {
			t.Errorf("the stored log holds the secret: %q", l)
		}
	}
	if !slices.ContainsFunc(want, func(l string) bool { return strings.HasPrefix(l, "the secret is ") }) {
		t.Errorf("the line that printed the secret is missing: %q", want)
	}
	if strings.Contains(pageHTML(t, a.envPage(paths.Run("team", id))), secretValue) {
		t.Error("the run page shows the secret")
	}

	// A finished run's stream sends what is after Last-Event-ID and ends.
	again := readEvents(t, open("10").Body, nil)
	if got := eventLines(t, again); !slices.Equal(got, want[10:]) {
		t.Errorf("after 10: %q, want %q", got, want[10:])
	}
}
