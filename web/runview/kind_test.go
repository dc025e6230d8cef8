package runview_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/cloudoven/cloudoven/runs"
	"github.com/cloudoven/cloudoven/store"
	"github.com/cloudoven/cloudoven/web/htmltest"
	"github.com/cloudoven/cloudoven/web/paths"
	"github.com/cloudoven/cloudoven/web/webtest"
)

func TestRunWithNoChangesEndsByItself(t *testing.T) {
	t.Parallel()
	a, deployment := webtest.RunApp(t, &webtest.FakeExecutor{PlanJSON: webtest.FakeNoChangesPlanJSON})
	id := a.StartRun(deployment, "plan")
	r := a.WaitRun(id, store.RunDiscarded)
	if r.CanceledBy != "" || r.Error != "" {
		t.Errorf("run %+v: want it ended by itself, without an error", r)
	}
	page := a.Page(paths.Run("team", id))
	if got := webtest.WantOne(t, page, "run-state"); got != "no changes" {
		t.Errorf("state %q, want no changes", got)
	}
	if got := webtest.WantOne(t, page, "run-ended-no-changes"); !strings.Contains(got, "No changes: the infrastructure matches the configuration") {
		t.Errorf("the page says %q", got)
	}
	webtest.WantOne(t, page, "run-no-changes")
	for _, id := range []string{"run-actions", "run-approve", "run-live", "run-canceled-by", "run-error"} {
		if webtest.ByTestID(page, id).Length() != 0 {
			t.Errorf("a plan with no changes shows %s", id)
		}
	}
	if log := pageLog(page); !slices.Contains(log, "CloudOven: "+runs.NoChangesMessage+"; nothing to apply.") {
		t.Errorf("the log: %q", log)
	}
	row := a.Page(deployment).Find(`[data-testid="run-row"][data-run="` + id + `"]`)
	if got := strings.TrimSpace(webtest.ByTestID(row, "run-row-state").Text()); got != "no changes" {
		t.Errorf("the deployment page lists the run as %q", got)
	}
	// The deployment is not held: the next plan runs without anyone discarding the first.
	next := a.StartRun(deployment, "plan")
	a.WaitRun(next, store.RunDiscarded)
}

func TestRunTitleFollowsTheRun(t *testing.T) {
	t.Parallel()
	a, deployment := webtest.RunApp(t, &webtest.FakeExecutor{})
	id := a.StartRun(deployment, "plan")
	a.WaitRun(id, store.RunPlanned)
	page := a.Page(paths.Run("team", id))
	if got := strings.Fields(webtest.WantOne(t, page, "run-title")); !slices.Equal(got, []string{"plan", id}) {
		t.Errorf("a planned run's title %q", got)
	}
	if got := webtest.WantOne(t, page, "run-approve"); got != "Approve and apply" {
		t.Errorf("approve button %q", got)
	}
	if slices.Contains(pageLog(page), runs.ApplySeparator) {
		t.Error("a plan's log has the apply separator")
	}
	form := webtest.ByTestID(page, "run-approve-form")
	webtest.WantStatus(t, a.PostForm(form.AttrOr("action", ""), htmltest.FormValues(form), false), http.StatusSeeOther)
	a.WaitRun(id, store.RunApplied)
	page = a.Page(paths.Run("team", id))
	if got := strings.Fields(webtest.WantOne(t, page, "run-title")); !slices.Equal(got, []string{"plan", "→", "apply", id}) {
		t.Errorf("an applied run's title %q", got)
	}
	if got := page.Find("title").Text(); !strings.Contains(got, "plan → apply") {
		t.Errorf("the document's title %q", got)
	}
	log := pageLog(page)
	plan, sep, apply := slices.Index(log, "plan line 8"), slices.Index(log, runs.ApplySeparator), slices.Index(log, "apply line 1")
	if plan < 0 || sep != plan+1 || apply <= sep {
		t.Errorf("want the plan's lines, the separator, then the apply's: %q", log)
	}
	if page.Find(`[data-testid="log-line"].log-separator`).Length() != 1 {
		t.Error("the separator is not marked as one")
	}
}

func TestDestroyRunIsUnmistakable(t *testing.T) {
	t.Parallel()
	a, deployment := webtest.RunApp(t, &webtest.FakeExecutor{})
	id := a.StartRun(deployment, "destroy")
	a.WaitRun(id, store.RunPlanned)
	page := a.Page(paths.Run("team", id))
	title := webtest.WantOne(t, page, "run-title")
	if !strings.Contains(title, "Destroy plan") || !webtest.ByTestID(page, "run-title").HasClass("run-title-destroy") {
		t.Errorf("a destroy's title %q", title)
	}
	webtest.WantOne(t, page, "run-destroy-badge")
	approve := webtest.ByTestID(page, "run-approve")
	if got := strings.TrimSpace(approve.Text()); got != "Approve and destroy" || !approve.HasClass("danger") {
		t.Errorf("approve button %q (class %q)", got, approve.AttrOr("class", ""))
	}
	row := a.Page(deployment).Find(`[data-testid="run-row"][data-run="` + id + `"]`)
	if got := strings.TrimSpace(webtest.ByTestID(row, "run-row-destroy").Text()); got != "Destroy plan" {
		t.Errorf("the deployment page lists the destroy as %q", got)
	}
	form := webtest.ByTestID(page, "run-approve-form")
	webtest.WantStatus(t, a.PostForm(form.AttrOr("action", ""), htmltest.FormValues(form), false), http.StatusSeeOther)
	a.WaitRun(id, store.RunApplied)
	page = a.Page(paths.Run("team", id))
	if got := webtest.WantOne(t, page, "run-title"); !strings.Contains(got, "Destroy plan → destroy") {
		t.Errorf("an applied destroy's title %q", got)
	}
}
