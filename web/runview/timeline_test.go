package runview_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/cloudoven/cloudoven/store"
	"github.com/cloudoven/cloudoven/web/htmltest"
	"github.com/cloudoven/cloudoven/web/paths"
	"github.com/cloudoven/cloudoven/web/webtest"
)

// TestRunPageShowsDiagnosticsAsBlocks: a run's kept errors come first, under the timeline,
// each with its summary, detail, where terraform put it and the blueprint field it is on,
// linked to the editor; the warnings come after the controls, three of them shown and the
// rest folded under a summary that counts them.
func TestRunPageShowsDiagnosticsAsBlocks(t *testing.T) {
	t.Parallel()
	a, deployment := webtest.RunApp(t, &webtest.FakeExecutor{})
	id := a.StartRun(deployment, "plan")
	a.WaitRun(id, store.RunPlanned)
	var ds []store.RunDiagnostic
	for i := range 5 {
		ds = append(ds, store.RunDiagnostic{Step: "plan.plan", Severity: "warning", Summary: fmt.Sprintf("warning %d", i+1), Detail: "old argument"})
	}
	ds = append(ds, store.RunDiagnostic{Step: "plan.check", Severity: "error", Summary: "terraform says: Invalid value", Detail: "Use one of\n  A\n  B",
		File: "main.tf", Line: 7, Address: "terraform_data.web", Path: "resources[terraform_data.web].input"},
		store.RunDiagnostic{Step: "plan.init", Severity: "error", Summary: "Failed to query available provider packages <b>"})
	if _, err := a.Store.AddRunDiagnostics(t.Context(), id, ds); err != nil {
		t.Fatal(err)
	}
	page := a.Page(paths.Run("team", id))
	blocks := webtest.ByTestID(page, "run-diagnostic")
	var order []string
	blocks.Each(func(_ int, b *goquery.Selection) {
		order = append(order, b.AttrOr("data-severity", "")+" "+strings.TrimSpace(webtest.ByTestID(b, "run-diagnostic-summary").Text()))
	})
	want := "error terraform says: Invalid value, error Failed to query available provider packages <b>, " +
		"warning warning 1, warning warning 2, warning warning 3, warning warning 4, warning warning 5"
	if got := strings.Join(order, ", "); got != want {
		t.Errorf("blocks:\n%s\nwant\n%s", got, want)
	}
	first := blocks.First()
	field := webtest.ByTestID(first, "run-diagnostic-field")
	if got := field.AttrOr("href", ""); got != paths.EditItem("team", "app", "terraform_data.web") || strings.TrimSpace(field.Text()) != "resources[terraform_data.web].input" {
		t.Errorf("the field %q links to %q", field.Text(), got)
	}
	if got := webtest.ByTestID(first, "run-diagnostic-where").Text(); got != "main.tf line 7 in terraform_data.web" {
		t.Errorf("where %q", got)
	}
	if got := webtest.ByTestID(first, "run-diagnostic-detail").Text(); got != "Use one of\n  A\n  B" {
		t.Errorf("detail %q", got)
	}
	if got := webtest.ByTestID(first, "run-diagnostic-step").Text(); got != "plan · Check" {
		t.Errorf("step %q", got)
	}
	if n := webtest.ByTestID(blocks.Eq(1), "run-diagnostic-field").Length(); n != 0 {
		t.Error("a diagnostic on no field names one")
	}
	more := webtest.ByTestID(page, "run-diagnostics-more")
	if got := strings.TrimSpace(more.Find("summary").Text()); got != "2 more warnings" || webtest.ByTestID(more, "run-diagnostic").Length() != 2 {
		t.Errorf("folded warnings %q with %d blocks", got, webtest.ByTestID(more, "run-diagnostic").Length())
	}
	if _, ok := more.Attr("open"); ok {
		t.Error("the folded warnings are open")
	}
	// The errors come under the timeline, the warnings after the controls, which they must
	// not push out of sight.
	var order2 []string
	page.Find(`[data-testid="run-timeline"], [data-testid="run-errors"], [data-testid="run-actions"], [data-testid="run-warnings"], [data-testid="run-log"]`).Each(func(_ int, s *goquery.Selection) {
		order2 = append(order2, s.AttrOr("data-testid", ""))
	})
	if got := strings.Join(order2, " "); got != "run-timeline run-errors run-actions run-warnings run-log" {
		t.Errorf("the page's parts in order: %s", got)
	}
}

// TestRunPageTimelineAndLogSections: a plan → apply run's page lists its steps in order
// with their states, and its log in a section per stage, the separator opening the
// apply's; the live page's sections take their own events.
func TestRunPageTimelineAndLogSections(t *testing.T) {
	t.Parallel()
	exec := &webtest.FakeExecutor{}
	a, deployment := webtest.RunApp(t, exec)
	id := a.StartRun(deployment, "plan")
	a.WaitRun(id, store.RunPlanned)

	steps := func(page *goquery.Document) string {
		var out []string
		webtest.ByTestID(page, "timeline-step").Each(func(_ int, s *goquery.Selection) {
			out = append(out, s.AttrOr("data-step", "")+":"+s.AttrOr("data-state", ""))
		})
		return strings.Join(out, " ")
	}
	sections := func(page *goquery.Document) string {
		var out []string
		webtest.ByTestID(page, "log-stage").Each(func(_ int, s *goquery.Selection) {
			_, open := s.Attr("open")
			out = append(out, fmt.Sprintf("%s:%s:%d:%v:%s", s.AttrOr("data-stage", ""), s.AttrOr("data-state", ""),
				webtest.ByTestID(s, "log-line").Length(), open, webtest.ByTestID(s, "log-lines").AttrOr("sse-swap", "-")))
		})
		return strings.Join(out, " ")
	}

	page := a.Page(paths.Run("team", id))
	if got, want := steps(page), "queued:done plan.init:done plan.check:done plan.plan:done approval:running apply.init:pending apply.apply:pending"; got != want {
		t.Errorf("planned timeline:\n%s\nwant\n%s", got, want)
	}
	// Live: both sections open, each taking its own line events.
	if got, want := sections(page), "plan:done:9:true:line apply:pending:0:true:apply-line"; got != want {
		t.Errorf("planned sections %s, want %s", got, want)
	}
	webtest.WantOne(t, page, "log-stage-waiting")

	form := webtest.ByTestID(page, "run-approve-form")
	webtest.WantStatus(t, a.PostForm(form.AttrOr("action", ""), htmltest.FormValues(form), false), http.StatusSeeOther)
	a.WaitRun(id, store.RunApplied)
	page = a.Page(paths.Run("team", id))
	if got, want := steps(page), "queued:done plan.init:done plan.check:done plan.plan:done approval:done apply.init:done apply.apply:done"; got != want {
		t.Errorf("applied timeline:\n%s\nwant\n%s", got, want)
	}
	// Finished: the last stage open; the apply's section starts with the separator.
	if got, want := sections(page), "plan:done:9:false:- apply:done:4:true:-"; got != want {
		t.Errorf("applied sections %s, want %s", got, want)
	}
	apply := page.Find(`[data-testid="log-stage"][data-stage="apply"] [data-testid="log-line"]`)
	if !apply.First().HasClass("log-separator") {
		t.Errorf("the apply's section starts with %q", apply.First().Text())
	}
	if got := webtest.ByTestID(page, "timeline-step").Filter(`[data-step="approval"]`).Text(); !strings.Contains(got, "Approved by admin") {
		t.Errorf("the approval step says %q", got)
	}
}
