package runview_test

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/cloudoven/cloudoven/store"
	"github.com/cloudoven/cloudoven/web/htmltest"
	"github.com/cloudoven/cloudoven/web/paths"
	"github.com/cloudoven/cloudoven/web/webtest"
)

func pageLog(doc *goquery.Document) []string {
	var out []string
	doc.Find(`[data-testid="log-line"]`).Each(func(_ int, s *goquery.Selection) {
		out = append(out, strings.TrimSuffix(s.Text(), "\n"))
	})
	return out
}

func TestRunPlanApproveApply(t *testing.T) {
	t.Parallel()
	a, deployment := webtest.RunApp(t, &webtest.FakeExecutor{})
	page := a.Page(deployment)
	webtest.WantOne(t, page, "runs-empty")
	webtest.WantOne(t, page, "state-versions-empty")

	id := a.StartRun(deployment, "plan")
	a.WaitRun(id, store.RunPlanned)
	page = a.Page(paths.Run("team", id))
	if got := webtest.WantOne(t, page, "run-state"); got != "planned" {
		t.Errorf("state %q", got)
	}
	if got := webtest.WantOne(t, page, "run-created-by"); got != "admin" {
		t.Errorf("created by %q", got)
	}
	sum := webtest.ByTestID(page, "run-summary")
	if sum.AttrOr("data-add", "") != "1" || sum.AttrOr("data-change", "") != "1" || sum.AttrOr("data-destroy", "") != "0" {
		t.Errorf("summary %q", sum.Text())
	}
	web := page.Find(`[data-testid="run-change"][data-address="terraform_data.web"]`)
	db := page.Find(`[data-testid="run-change"][data-address="terraform_data.db"]`)
	if web.AttrOr("data-action", "") != "create" || db.AttrOr("data-action", "") != "update" ||
		web.AttrOr("open", "no") != "" || db.AttrOr("open", "no") != "" {
		t.Errorf("changes: %q", webtest.ByTestID(page, "run-changes").Text())
	}
	if got, want := attributes(web), []string{"id: (known after apply)", `input: "westeurope"`}; !slices.Equal(got, want) {
		t.Errorf("web's attributes %q, want %q", got, want)
	}
	if got, want := attributes(db), []string{`input: "a" | → "b"`}; !slices.Equal(got, want) {
		t.Errorf("db's attributes %q, want %q", got, want)
	}
	if got, want := pageLog(page), a.StoredLog(id); !slices.Equal(got, want) || len(got) < 9 {
		t.Errorf("the page shows the log\n%q\nthe store has\n%q", got, want)
	}
	if !slices.Contains(pageLog(page), "plan line 1 <b>&") {
		t.Errorf("log lines are not shown as text: %q", pageLog(page))
	}
	webtest.WantOne(t, page, "run-approve")
	webtest.WantOne(t, page, "run-discard")

	w := a.PostForm(webtest.ByTestID(page, "run-approve-form").AttrOr("action", ""), htmltest.FormValues(webtest.ByTestID(page, "run-approve-form")), false)
	webtest.WantStatus(t, w, http.StatusSeeOther)
	a.WaitRun(id, store.RunApplied)
	page = a.Page(paths.Run("team", id))
	if got := webtest.WantOne(t, page, "run-state"); got != "applied" {
		t.Errorf("state %q", got)
	}
	if got := webtest.WantOne(t, page, "run-approved-by"); got != "admin" {
		t.Errorf("approved by %q", got)
	}
	if webtest.ByTestID(page, "run-actions").Length() != 0 || webtest.ByTestID(page, "run-live").Length() != 0 {
		t.Error("an applied run still offers actions or a live log")
	}
	if log := pageLog(page); !slices.Contains(log, "apply line 3") {
		t.Errorf("the applied run's log: %q", log)
	}

	page = a.Page(deployment)
	row := page.Find(`[data-testid="run-row"][data-run="` + id + `"]`)
	if row.AttrOr("data-state", "") != "applied" {
		t.Errorf("the deployment's runs: %q", webtest.ByTestID(page, "runs-table").Text())
	}
	entries, err := a.Store.AuditLog(context.Background(), "team", 100)
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
	exec := &webtest.FakeExecutor{Gate: make(chan struct{})}
	a, deployment := webtest.RunApp(t, exec)

	// Canceled while it plans.
	id := a.StartRun(deployment, "plan")
	a.WaitLogLines(id, 5)
	page := a.Page(paths.Run("team", id))
	webtest.WantOne(t, page, "run-cancel")
	w := a.PostForm(paths.RunCancel("team", id), htmltest.FormValues(webtest.ByTestID(page, "run-cancel-form")), false)
	webtest.WantStatus(t, w, http.StatusSeeOther)
	r := a.WaitRun(id, store.RunCanceled)
	if r.CanceledBy != "admin" {
		t.Errorf("canceled by %q", r.CanceledBy)
	}
	w = a.PostForm(paths.RunCancel("team", id), nil, true)
	webtest.WantStatus(t, w, http.StatusConflict)
	doc := webtest.WantFragment(t, w, "run-status")
	if got := webtest.WantOne(t, doc, "run-problem"); !strings.Contains(got, "canceled") {
		t.Errorf("409 says %q", got)
	}

	// Discarded once planned; approving it then is a conflict.
	close(exec.Gate)
	id = a.StartRun(deployment, "plan")
	a.WaitRun(id, store.RunPlanned)
	webtest.WantStatus(t, a.PostForm(paths.RunDiscard("team", id), nil, false), http.StatusSeeOther)
	a.WaitRun(id, store.RunDiscarded)
	w = a.PostForm(paths.RunApprove("team", id), nil, false)
	webtest.WantStatus(t, w, http.StatusConflict)
	if got := webtest.WantOne(t, webtest.ParseHTML(t, w), "run-problem"); !strings.Contains(got, "discarded, so it cannot be approved") {
		t.Errorf("409 says %q", got)
	}
	// A run of another project, or none, is not found.
	webtest.WantStatus(t, a.Get(paths.Project("team")+"/runs/run-nosuchrun", false), http.StatusNotFound)
	webtest.WantStatus(t, a.Get(paths.Project("team")+"/runs/NOT%20VALID", false), http.StatusNotFound)

	// Guardrails that block refuse a plan, not a destroy.
	a.ImportDoc("team", webtest.GuardedDoc, "resource group")
	webtest.WantStatus(t, a.PostForm(paths.Rules("team"), url.Values{"rules": {`{"rules":[{"id":"required-tags","tags":["cost-center"]}]}`}}, false), http.StatusSeeOther)
	v := htmltest.FormValues(webtest.ParseHTML(t, a.Get(paths.Environment("team", "dev"), false)).Find(`[data-testid="runner-form"]`))
	v.Set("policy_blocking", "on")
	webtest.WantStatus(t, a.PostForm(paths.EnvRunner("team", "dev"), v, false), http.StatusSeeOther)
	webtest.WantStatus(t, a.PostForm(deployment+"/promote", url.Values{"version": {"2"}}, false), http.StatusSeeOther)
	page = a.Page(deployment)
	webtest.WantOne(t, page, "plan-blocked")
	w = a.PostForm(paths.DeploymentRuns("team", 1), url.Values{"op": {"plan"}}, true)
	webtest.WantStatus(t, w, http.StatusConflict)
	if got := webtest.WantOne(t, webtest.WantFragment(t, w, "deploy-runs"), "runs-problem"); !strings.Contains(got, "guardrail findings block plans") {
		t.Errorf("the refused plan says %q", got)
	}
	w = a.PostForm(paths.DeploymentRuns("team", 1), url.Values{"op": {"apply-everything"}}, false)
	webtest.WantStatus(t, w, http.StatusUnprocessableEntity)
}

func TestRunRoles(t *testing.T) {
	t.Parallel()
	a, deployment := webtest.RunApp(t, &webtest.FakeExecutor{})
	id := a.StartRun(deployment, "plan")
	a.WaitRun(id, store.RunPlanned)
	vera, erin := a.As("vera"), a.As("erin")
	for user, role := range map[string]string{"vera": "viewer", "erin": "editor"} {
		if err := a.Store.SetMember(context.Background(), "team", user, role); err != nil {
			t.Fatal(err)
		}
	}
	page := vera.Page(deployment)
	if webtest.ByTestID(page, "plan").Length() != 0 {
		t.Error("a viewer is offered Plan")
	}
	webtest.WantStatus(t, vera.PostForm(paths.DeploymentRuns("team", 1), url.Values{"op": {"plan"}}, false), http.StatusForbidden)
	page = vera.Page(paths.Run("team", id))
	if webtest.ByTestID(page, "run-approve").Length() != 0 {
		t.Error("a viewer is offered Approve")
	}
	webtest.WantStatus(t, erin.PostForm(paths.RunApprove("team", id), nil, false), http.StatusForbidden)
	webtest.WantStatus(t, erin.PostForm(paths.RunDiscard("team", id), nil, false), http.StatusForbidden)
	webtest.WantStatus(t, erin.PostForm(paths.RunCancel("team", id), nil, false), http.StatusForbidden)
	if r := a.WaitRun(id, store.RunPlanned); r.ApprovedBy != "" {
		t.Errorf("approved by %q", r.ApprovedBy)
	}
}

func TestRunsNotConfigured(t *testing.T) {
	t.Parallel()
	a, deployment := webtest.DeployApp(t)
	page := a.Page(deployment)
	webtest.WantOne(t, page, "runs-not-configured")
	if webtest.ByTestID(page, "plan").Length() != 0 {
		t.Error("Plan is offered without a runner")
	}
	webtest.WantStatus(t, a.PostForm(paths.DeploymentRuns("team", 1), url.Values{"op": {"plan"}}, false), http.StatusServiceUnavailable)
}

// The runner is named beside Plan and on the run page; one that does not isolate runs is a
// warning there, an isolated one a plain hint.
func TestRunRunnerLabel(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, label string
		warning     bool
	}{
		{"local warns", "local terraform on the server: NOT isolated, egress not enforced, development only", true},
		{"docker informs", "Docker (isolated)", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a, deployment := webtest.RunAppWith(t, &webtest.FakeExecutor{}, tt.label)
			id := a.StartRun(deployment, "plan")
			for _, page := range []string{deployment, paths.Run("team", id)} {
				label := webtest.ByTestID(a.Page(page), "runner-label")
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

// eventLines are the log lines of a stream's line events, checking each id is its seq and
// that the lines from CloudOven's apply separator on come as the apply section's.
func eventLines(t *testing.T, evs []sseEvent) []string {
	t.Helper()
	var out []string
	for _, e := range evs {
		if e.name != "line" && e.name != "apply-line" {
			continue
		}
		if apply := strings.Contains(e.data, "log-separator") || strings.Contains(e.data, ">apply line"); apply != (e.name == "apply-line") {
			t.Errorf("event %s %s carries %s", e.name, e.id, e.data)
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
	exec := &webtest.FakeExecutor{Gate: make(chan struct{})}
	a, deployment := webtest.RunApp(t, exec)
	srv := httptest.NewServer(a.WithSession(a.Handler))
	t.Cleanup(srv.Close)
	id := a.StartRun(deployment, "plan")
	a.WaitLogLines(id, 5)

	open := func(lastEventID string) *http.Response {
		req, err := http.NewRequest(http.MethodGet, srv.URL+paths.RunLog("team", id)+"?after=0&state=queued", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Accept-Encoding", "gzip")
		if lastEventID != "" {
			req.Header.Set("Last-Event-ID", lastEventID)
		}
		a.Session.Apply(req)
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

	close(exec.Gate)
	a.WaitRun(id, store.RunPlanned)
	webtest.WantStatus(t, a.PostForm(paths.RunApprove("team", id), nil, false), http.StatusSeeOther)
	a.WaitRun(id, store.RunApplied)
	rest := readEvents(t, second.Body, nil)

	want := a.StoredLog(id)
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
			if strings.Contains(e.data, webtest.SecretValue) {
				t.Errorf("the stream sends the secret: %q", e.data)
			}
		}
	}
	for _, l := range want {
		if strings.Contains(l, webtest.SecretValue) {
			t.Errorf("the stored log holds the secret: %q", l)
		}
	}
	if !slices.ContainsFunc(want, func(l string) bool { return strings.HasPrefix(l, "the secret is ") }) {
		t.Errorf("the line that printed the secret is missing: %q", want)
	}
	if strings.Contains(webtest.HTML(t, a.Page(paths.Run("team", id))), webtest.SecretValue) {
		t.Error("the run page shows the secret")
	}

	// A finished run's stream sends what is after Last-Event-ID and ends.
	again := readEvents(t, open("10").Body, nil)
	if got := eventLines(t, again); !slices.Equal(got, want[10:]) {
		t.Errorf("after 10: %q, want %q", got, want[10:])
	}
}

// TestRunLogStreamBringsAPageUpToDate: a page rendered while the run was queued connects
// its stream only after the run has ended (a plan that fails its check within a second).
// The stream still sends the timeline and the log sections' heads as they are now, before
// it ends, so the page never keeps "running" heads under a final state.
func TestRunLogStreamBringsAPageUpToDate(t *testing.T) {
	t.Parallel()
	exec := &webtest.FakeExecutor{}
	a, deployment := webtest.RunApp(t, exec)
	srv := httptest.NewServer(a.WithSession(a.Handler))
	t.Cleanup(srv.Close)
	id := a.StartRun(deployment, "plan")
	a.WaitRun(id, store.RunPlanned)
	webtest.WantStatus(t, a.PostForm(paths.RunDiscard("team", id), nil, false), http.StatusSeeOther)
	a.WaitRun(id, store.RunDiscarded)

	req, err := http.NewRequest(http.MethodGet, srv.URL+paths.RunLog("team", id)+"?after=0&state=queued", nil)
	if err != nil {
		t.Fatal(err)
	}
	a.Session.Apply(req)
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	evs := readEvents(t, resp.Body, nil)
	got := map[string]string{}
	for _, e := range evs {
		got[e.name] = e.data
	}
	for _, name := range []string{"state", "timeline", "plan-head", "apply-head"} {
		if _, ok := got[name]; !ok {
			t.Errorf("the stream sent no %s event before it ended: %+v", name, evs)
		}
	}
	if !strings.Contains(got["plan-head"], "done") {
		t.Errorf("the plan's head says %q", got["plan-head"])
	}
	if last := evs[len(evs)-1]; last.name != "end" || last.data != "discarded" {
		t.Errorf("the stream ends with %+v", last)
	}
}
