package main

import (
	"context"
	"crypto/rand"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/cloudoven/cloudoven/internal/testenv"
	"github.com/cloudoven/cloudoven/state"
	"github.com/cloudoven/cloudoven/store"
	"github.com/cloudoven/cloudoven/web/webtest"
)

// TestReplicasInTheBrowser is a user in Chromium on one of two servers that share a
// PostgreSQL database and an Azure Blob container (Azurite), with the Docker executor,
// watching a run the other server executes: the plan's log and progress bar arrive live,
// the approve button applies it (whichever server claims the apply), the page follows to
// applied; once the finished run's log has moved to the blob store, the page reloaded shows
// every line again.
func TestReplicasInTheBrowser(t *testing.T) {
	testenv.RunnerImage(t)
	testenv.Docker(t)
	dbURL := testenv.Postgres(t)
	blobURL := testenv.Azurite(t)
	dir := t.TempDir()
	container := "browser-" + strings.ToLower(rand.Text()[:12])
	args := func(i int) []string {
		name := "replica-" + strconv.Itoa(i)
		return []string{"serve", "-addr", "127.0.0.1:0", "-data-dir", filepath.Join(dir, name), "-database", dbURL,
			"-secret-key-file", filepath.Join(dir, "secret.key"), "-runner", "docker", "-replica", name,
			"-run-lease", "10s", "-run-concurrency", "1", "-state-blob-url", blobURL, "-state-blob-container", container,
			"-state-blob-account", testenv.AzuriteAccount, "-state-blob-key", testenv.AzuriteKey}
	}
	procs := []*serveProcess{startServeProcessWith(t, args(0)...)}
	m := regexp.MustCompile(`CloudOven created the first user admin with password (\S+);`).FindStringSubmatch(strings.Join(procs[0].before, ""))
	if m == nil {
		t.Fatalf("no first-user message before the start line: %q", procs[0].before)
	}
	procs = append(procs, startServeProcessWith(t, args(1)...))
	password := m[1]

	// Set up over HTTP on server 0, as in the other replica tests.
	b := signIn(t, procs[0].base, password)
	b.do(http.MethodPost, "/projects", url.Values{"name": {"team"}})
	b.do(http.MethodPost, "/projects/team/blueprints", url.Values{"document_text": {changingBlueprint(40)}, "message": {"chain"}})
	b.do(http.MethodPost, "/projects/team/environments", url.Values{"name": {"dev"}})
	b.do(http.MethodPost, "/projects/team/environments/dev/backend", url.Values{"backend_type": {"http"}})
	b.do(http.MethodPost, "/projects/team/environments/dev/runner", url.Values{"network_mode": {"host"}, "egress": {"open"}})
	doc, _ := b.do(http.MethodPost, "/projects/team/deployments", url.Values{"blueprint": {"chain"}, "environment": {"dev"}})
	runPath, err := b.submit(testID(doc, "plan-form").AttrOr("action", ""), url.Values{"op": {"plan"}})
	runID, ok := strings.CutPrefix(runPath, "/projects/team/runs/")
	if err != nil || !ok {
		t.Fatalf("planning ended at %s: %v", runPath, err)
	}

	// The browser goes to the server that does not execute the plan.
	st, err := store.Open(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	cred, err := state.SharedKey(testenv.AzuriteAccount, testenv.AzuriteKey)
	if err != nil {
		t.Fatal(err)
	}
	blobs, err := state.NewAzureStore(blobURL, container, cred)
	if err != nil {
		t.Fatal(err)
	}
	st.SetArchive(blobs)
	executor := ""
	for deadline := time.Now().Add(2 * time.Minute); executor == ""; time.Sleep(50 * time.Millisecond) {
		if executor, _, err = st.RunRunner(t.Context(), runID); err != nil {
			t.Fatal(err)
		}
		if time.Now().After(deadline) {
			t.Fatal("no server claimed the plan")
		}
	}
	watcher := procs[0]
	if executor == "replica-0" {
		watcher = procs[1]
	}
	t.Logf("%s executes the plan; the browser is on the other server", executor)

	ctx := webtest.NewBrowser(t)
	run := webtest.Runner(t, ctx)
	webtest.BrowserSignIn(t, ctx, strings.TrimSuffix(watcher.base, "/"), "admin", password)
	run("open the run", chromedp.Navigate(strings.TrimSuffix(watcher.base, "/")+runPath), webtest.Settle())
	webtest.WaitJS(t, ctx, "the plan's log lines", `document.querySelectorAll('[data-testid="log-line"]').length > 5`)
	webtest.WaitJS(t, ctx, "the plan's progress bar", `Number((document.querySelector('[data-testid="run-progress-bar"]')||{dataset:{}}).dataset.total) >= 40`)
	webtest.WaitJS(t, ctx, "the approve button", `!!document.querySelector('[data-testid="run-approve"]')`)
	webtest.Screenshot(t, ctx, "planned-on-the-other-server")
	run("approve", webtest.Click(webtest.Sel("run-approve")))
	// An apply with real providers may take minutes on a busy machine.
	webtest.WaitJSWithin(t, ctx, "the run applied", `(document.querySelector('[data-testid="run-state"]')||{textContent:""}).textContent.includes("applied")`, 3*time.Minute)
	webtest.WaitJS(t, ctx, "the apply's progress bar complete", `(function(){var p=document.querySelector('[data-testid="run-progress-bar"]');
		return p && p.dataset.complete === "true" && Number(p.dataset.done) === Number(p.dataset.total) && Number(p.dataset.total) >= 40})()`)
	webtest.Screenshot(t, ctx, "applied-on-the-other-server")

	// The finished log moves to the blob store; the page reloaded reads it from there.
	checkLogsArchived(t, st, blobs, []string{runID})
	lines, err := st.RunLog(t.Context(), runID, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	run("reload the finished run", chromedp.Reload(), webtest.Settle())
	var shown int
	run("count the lines", chromedp.Evaluate(`document.querySelectorAll('[data-testid="log-line"]').length`, &shown))
	if shown != len(lines) || len(lines) < 40 {
		t.Errorf("the finished run's page shows %d log lines; the archived log has %d", shown, len(lines))
	}
	webtest.Screenshot(t, ctx, "archived-log")
}
