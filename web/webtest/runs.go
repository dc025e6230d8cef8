package webtest

import (
	"context"
	"crypto/rand"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/cloudoven/cloudoven/catalog"
	"github.com/cloudoven/cloudoven/deployment"
	"github.com/cloudoven/cloudoven/runner"
	"github.com/cloudoven/cloudoven/runs"
	"github.com/cloudoven/cloudoven/secrets"
	"github.com/cloudoven/cloudoven/store"
	"github.com/cloudoven/cloudoven/web"
	"github.com/cloudoven/cloudoven/web/htmltest"
	"github.com/cloudoven/cloudoven/web/paths"
)

// RunApp is DeployApp with runs configured over exec (a real run service, preparer, log hub,
// guardrails and state check): it returns the app and the deployment page path.
func RunApp(t testing.TB, exec runner.Executor) (*App, string) {
	t.Helper()
	return RunAppWith(t, exec, "")
}

// RunAppWith is RunApp with the runner named by label.
func RunAppWith(t testing.TB, exec runner.Executor, label string) (*App, string) {
	t.Helper()
	a := NewApp(t)
	box := SecretBox(t)
	vault := secrets.NewVault(a.Store, box)
	cat := Catalog(t)
	hub := runs.NewHub(a.Store, nil)
	catalogs := func() *catalog.Catalog { return cat }
	resolver := deployment.NewResolver(deployment.Config{Store: a.Store, Rules: a.Store, Providers: a.Store, Catalog: catalogs})
	svc := runs.New(runs.Options{
		Store: a.Store, Executor: exec, Hub: hub,
		Prepare:    runs.NewPreparer(a.Store, catalogs, vault),
		Sealer:     box,
		Guardrails: resolver,
		State:      resolver,
	})
	ctx, cancel := context.WithCancel(context.Background())
	if err := svc.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); svc.Wait() })
	a.Handler = NewHandler(t, web.Config{
		Store: a.Store, Catalog: cat, Logger: a.Logger(), PasswordParams: CheapParams,
		Secrets: vault, Runs: svc, RunLogs: hub, RunnerLabel: label,
	})
	a.SignInAdmin()
	a.CreateProject("team")
	a.ImportDoc("team", VarsDoc, "first")
	return a, SetUpDeployment(t, a)
}

// SecretBox is a secrets.Box under a fresh random key: what seals an app's environment
// secrets and saved plans.
func SecretBox(t testing.TB) *secrets.Box {
	t.Helper()
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		t.Fatal(err)
	}
	box, err := secrets.NewBox(key)
	if err != nil {
		t.Fatal(err)
	}
	return box
}

// StartRun presses a deployment page's Plan (or Destroy) button and returns the run's id.
func (a *App) StartRun(deployment, op string) string {
	a.T.Helper()
	page := a.Page(deployment)
	form := ByTestID(page, op+"-form")
	if form.Length() != 1 {
		a.T.Fatalf("the deployment page has no %s button", op)
	}
	values := htmltest.FormValues(form)
	if op == "destroy" {
		// Confirmed as a user does: by typing the name the form asks for.
		values.Set("confirm", ByTestID(page, "destroy-name").Text())
	}
	w := a.PostForm(form.AttrOr("action", ""), values, false)
	WantStatus(a.T, w, http.StatusSeeOther)
	loc := w.Header().Get("Location")
	prefix := paths.Project("team") + "/runs/"
	if !strings.HasPrefix(loc, prefix) {
		a.T.Fatalf("starting a run redirects to %q", loc)
	}
	return strings.TrimPrefix(loc, prefix)
}

// WaitRun waits until the run is in state.
func (a *App) WaitRun(id string, state store.RunState) store.Run {
	a.T.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		r, err := a.Store.Run(context.Background(), id)
		if err != nil {
			a.T.Fatal(err)
		}
		if r.State == state {
			return r
		}
		if time.Now().After(deadline) {
			a.T.Fatalf("run %s is %s, want %s (error %q)", id, r.State, state, r.Error)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// WaitLogLines waits until the run's stored log has at least n lines.
func (a *App) WaitLogLines(id string, n int) {
	a.T.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		ls, err := a.Store.RunLog(context.Background(), id, 0, 0)
		if err != nil {
			a.T.Fatal(err)
		}
		if len(ls) >= n {
			return
		}
		if time.Now().After(deadline) {
			a.T.Fatalf("run %s has %d log lines, want %d", id, len(ls), n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (a *App) StoredLog(id string) []string {
	a.T.Helper()
	ls, err := a.Store.RunLog(context.Background(), id, 0, 0)
	if err != nil {
		a.T.Fatal(err)
	}
	var out []string
	for _, l := range ls {
		out = append(out, l.Text)
	}
	return out
}
