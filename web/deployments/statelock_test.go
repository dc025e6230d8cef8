package deployments_test

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cloudoven/cloudoven/catalog"
	"github.com/cloudoven/cloudoven/runner"
	"github.com/cloudoven/cloudoven/runs"
	"github.com/cloudoven/cloudoven/secrets"
	"github.com/cloudoven/cloudoven/state"
	"github.com/cloudoven/cloudoven/store"
	"github.com/cloudoven/cloudoven/web"
	"github.com/cloudoven/cloudoven/web/htmltest"
	"github.com/cloudoven/cloudoven/web/paths"
	"github.com/cloudoven/cloudoven/web/webtest"
)

// lockingExecutor plays a terraform plan that takes the state lock with the credentials its
// run got, then dies holding it (killed, out of memory) once release is closed.
type lockingExecutor struct {
	release chan struct{}
	locked  chan string // the lock ID, once taken
}

func (e *lockingExecutor) Run(ctx context.Context, job runner.Job, out io.Writer) (runner.Result, error) {
	id := "tf-lock-" + job.RunID
	info := fmt.Sprintf(`{"ID":%q,"Operation":"OperationTypePlan","Info":"","Who":"cloudoven@c0ffee","Version":"1.5.7","Created":"2026-01-02T03:04:05Z","Path":""}`, id)
	r, err := http.NewRequestWithContext(ctx, "LOCK", job.Env["TF_HTTP_LOCK_ADDRESS"], strings.NewReader(info))
	if err != nil {
		return runner.Result{}, err
	}
	r.SetBasicAuth(job.Env["TF_HTTP_USERNAME"], job.Env["TF_HTTP_PASSWORD"])
	res, err := http.DefaultClient.Do(r)
	if err != nil {
		return runner.Result{}, err
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return runner.Result{}, fmt.Errorf("LOCK answered %d", res.StatusCode)
	}
	e.locked <- id
	fmt.Fprintln(out, "Acquiring state lock. This may take a few moments...")
	select {
	case <-e.release:
	case <-ctx.Done():
		return runner.Result{}, ctx.Err()
	}
	fmt.Fprintln(out, "Killed")
	return runner.Result{ExitCode: 137}, nil
}

// stateApp is the interface with runs over exec and CloudOven's state backend beside it on
// one real HTTP server, as serve has them; project "team" deploys app to dev, whose backend
// is CloudOven's. It returns the app and the deployment page's path.
func stateApp(t *testing.T, exec runner.Executor) (*webtest.App, string) {
	t.Helper()
	a := webtest.NewApp(t)
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
	hub := runs.NewHub(a.Store, a.Logger())
	svc := runs.New(runs.Options{
		Store: a.Store, Executor: exec, Hub: hub,
		Prepare:    runs.NewPreparer(a.Store, func() *catalog.Catalog { return webtest.Catalog(t) }, vault),
		Sealer:     box,
		Authorizer: authz, StateURL: srv.URL, Logger: a.Logger(),
	})
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(func() { cancel(); svc.Wait() })
	if err := svc.Start(ctx); err != nil {
		t.Fatal(err)
	}
	app = webtest.NewHandler(t, web.Config{Store: a.Store, Catalog: webtest.Catalog(t), Logger: a.Logger(),
		PasswordParams: webtest.CheapParams, Secrets: vault, Runs: svc, RunLogs: hub})
	a.Handler = app
	a.SignInAdmin()
	a.CreateProject("team")
	a.ImportDoc("team", webtest.ValidDoc, "one resource")
	webtest.WantStatus(t, a.PostForm(paths.Environments("team"), url.Values{"name": {"dev"}}, false), http.StatusSeeOther)
	webtest.WantStatus(t, a.PostForm(paths.EnvBackend("team", "dev"), url.Values{"backend_type": {"http"}}, false), http.StatusSeeOther)
	w := a.PostForm(paths.Deployments("team"), url.Values{"blueprint": {"demo"}, "environment": {"dev"}}, false)
	webtest.WantStatus(t, w, http.StatusSeeOther)
	return a, w.Header().Get("Location")
}

// A lock a run's terraform left behind is shown on the deployment page with the run that
// took it; only an operator can force it open there, never while that run still executes,
// and the audit log records who did.
func TestDeploymentForceUnlock(t *testing.T) {
	t.Parallel()
	exec := &lockingExecutor{release: make(chan struct{}), locked: make(chan string, 1)}
	a, deployment := stateApp(t, exec)
	ctx := context.Background()
	id, err := strconv.ParseInt(deployment[strings.LastIndex(deployment, "/")+1:], 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	page := a.Page(deployment)
	webtest.WantOne(t, page, "state-unlocked")

	run := a.StartRun(deployment, "plan")
	var lockID string
	select {
	case lockID = <-exec.locked:
	case <-time.After(20 * time.Second):
		t.Fatal("the plan did not take the state lock")
	}

	page = a.Page(deployment)
	lock := webtest.ByTestID(page, "state-lock")
	if lock.Length() != 1 || lock.AttrOr("data-lock-id", "") != lockID || lock.AttrOr("data-run", "") != run {
		t.Fatalf("the page does not show lock %s held by run %s: %q", lockID, run, lock.Text())
	}
	if href := webtest.ByTestID(lock, "state-lock-run").AttrOr("href", ""); href != paths.Run("team", run) {
		t.Errorf("the lock links its run at %q", href)
	}
	for testID, want := range map[string]string{"state-lock-who": "cloudoven@c0ffee", "state-lock-operation": "plan"} {
		if got := strings.TrimSpace(webtest.ByTestID(lock, testID).Text()); got != want {
			t.Errorf("%s = %q, want %q", testID, got, want)
		}
	}
	form := webtest.ByTestID(page, "state-unlock-form")
	if form.Length() != 1 {
		t.Fatal("the operator is offered no force-unlock")
	}
	action, values := form.AttrOr("action", ""), htmltest.FormValues(form)

	// While the run that holds the lock executes, its terraform needs it.
	w := a.PostForm(action, values, true)
	webtest.WantStatus(t, w, http.StatusConflict)
	if got := webtest.ByTestID(webtest.ParseHTML(t, w), "state-lock-problem").Text(); !strings.Contains(got, run) || !strings.Contains(got, "Cancel") {
		t.Errorf("the refusal says %q", got)
	}
	close(exec.release)
	a.WaitRun(run, store.RunErrored)

	// Viewers and editors see the lock, but only an operator opens it.
	as := map[string]*webtest.App{}
	for user, role := range map[string]string{"vera": "viewer", "erin": "editor", "otto": "operator"} {
		as[user] = a.As(user)
		if err := a.Store.SetMember(ctx, "team", user, role); err != nil {
			t.Fatal(err)
		}
	}
	for _, user := range []string{"vera", "erin"} {
		as := as[user]
		p := as.Page(deployment)
		if webtest.ByTestID(p, "state-lock").Length() != 1 || webtest.ByTestID(p, "state-unlock-form").Length() != 0 {
			t.Errorf("%s: the lock is not shown, or its force-unlock is offered", user)
		}
		webtest.WantStatus(t, as.PostForm(action, values, false), http.StatusForbidden)
	}
	if l, err := a.Store.StateLock(ctx, id); err != nil || l.ID != lockID {
		t.Fatalf("after refused force-unlocks the lock is %+v, %v; want %s held", l, err, lockID)
	}

	otto := as["otto"]
	w = otto.PostForm(action, values, false)
	webtest.WantStatus(t, w, http.StatusSeeOther)
	if loc := w.Header().Get("Location"); loc != deployment {
		t.Errorf("force-unlock redirects to %q", loc)
	}
	if _, err := a.Store.StateLock(ctx, id); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the lock is still held after the force-unlock: %v", err)
	}
	webtest.WantOne(t, otto.Page(deployment), "state-unlocked")
	entries, err := a.Store.AuditLog(ctx, "team", 20)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range entries {
		if e.Action == "state.force_unlock" {
			found = true
			if e.User != "otto" || e.Target != strconv.FormatInt(id, 10) || !strings.Contains(e.Detail, lockID) || !strings.Contains(e.Detail, run) {
				t.Errorf("audit entry %+v; want otto, deployment %d, lock %s of run %s", e, id, lockID, run)
			}
		}
	}
	if !found {
		t.Errorf("no state.force_unlock in the audit log: %+v", entries)
	}

	// The form of a lock that is gone unlocks nothing, and says so.
	w = otto.PostForm(action, values, true)
	webtest.WantStatus(t, w, http.StatusConflict)
	if got := webtest.ByTestID(webtest.ParseHTML(t, w), "state-lock-problem").Text(); !strings.Contains(got, "not locked") {
		t.Errorf("unlocking again says %q", got)
	}
}
