package runview_test

import (
	"context"
	"fmt"
	"io"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/cloudoven/cloudoven/runner"
	"github.com/cloudoven/cloudoven/web/paths"
	"github.com/cloudoven/cloudoven/web/webtest"
)

// stallingExecutor plans as terraform's machine-readable UI reports it: a version line,
// then, once the test releases it, one planned change; then it holds the plan until the run
// is canceled, as a plan waiting on a slow backend does.
type stallingExecutor struct{ release chan struct{} }

func (s stallingExecutor) Run(ctx context.Context, job runner.Job, out io.Writer) (runner.Result, error) {
	fmt.Fprintln(out, `{"@level":"info","@message":"Terraform 1.5.7","type":"version","terraform":"1.5.7","ui":"1.1"}`)
	select {
	case <-s.release:
	case <-ctx.Done():
		return runner.Result{}, ctx.Err()
	}
	fmt.Fprintln(out, `{"@level":"info","@message":"terraform_data.a: Plan to create","type":"planned_change","change":{"resource":{"addr":"terraform_data.a","resource_type":"terraform_data","resource_name":"a","resource_key":null,"module":"","implied_provider":"terraform"},"action":"create"}}`)
	<-ctx.Done()
	return runner.Result{}, ctx.Err()
}

// TestBrowserRunStatusKeepsItsControls: the live progress a running plan streams replaces
// the progress bar and nothing else. The run's facts and its Cancel button stay on the
// page, and Cancel stops the run.
func TestBrowserRunStatusKeepsItsControls(t *testing.T) {
	exec := stallingExecutor{release: make(chan struct{})}
	a, deployment := webtest.RunApp(t, exec)
	srv, browser := webtest.SignedInBrowser(t, a.Handler)
	run := webtest.Runner(t, browser)
	id := a.StartRun(deployment, "plan")
	runState := `(document.querySelector('[data-testid="run-state"]')||{textContent:""}).textContent.trim()`

	run("opening the running plan",
		chromedp.Navigate(srv.URL+paths.Run("team", id)),
		chromedp.WaitVisible(webtest.Sel("run-cancel")),
	)
	webtest.WaitJS(t, browser, "the run to be running", runState+` === "running"`)
	// The planned change arrives over the open stream: a progress event.
	close(exec.release)
	webtest.WaitJS(t, browser, "the streamed progress", `(document.querySelector('[data-testid="run-progress-bar"]')||{textContent:""}).textContent.includes("1 change planned")`)
	webtest.WaitJS(t, browser, "the facts and Cancel still there",
		`!!document.querySelector('[data-testid="run-facts"]') && !!document.querySelector('[data-testid="run-cancel"]') && `+runState+` === "running"`)
	webtest.Screenshot(t, browser, "running-with-progress")

	run("pressing Cancel", webtest.Click(webtest.Sel("run-cancel")))
	webtest.WaitJS(t, browser, "the run canceled", runState+` === "canceled"`)
}
