package environments_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/docker/docker/api/types/network"

	"github.com/cloudoven/cloudoven/blueprint"
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

// egressDoc needs nothing but Terraform's builtin provider, so a run installs nothing and
// every connection it makes is to its state backend.
const egressDoc = `{"format": 1, "name": "app", "resources": [
  {"type": "terraform_data", "name": "probe", "config": {"input": {"literal": "hello"}}}]}`

// hostListener is a server on every address of this machine that records who asked it for
// what: what a blueprint would send a secret to. It answers like an http backend that has no
// state yet.
type hostListener struct {
	port string
	mu   sync.Mutex
	got  []string
}

func newHostListener(t *testing.T) *hostListener {
	t.Helper()
	l, err := net.Listen("tcp4", "0.0.0.0:0")
	if err != nil {
		t.Fatal(err)
	}
	h := &hostListener{}
	_, h.port, _ = net.SplitHostPort(l.Addr().String())
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.mu.Lock()
		h.got = append(h.got, r.Method+" "+r.URL.Path+" from "+r.RemoteAddr)
		h.mu.Unlock()
		http.NotFound(w, r)
	}), ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return h
}

func (h *hostListener) requests() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.got...)
}

// egressApp is the interface with runs on the real Docker Engine and CloudOven's state
// backend served where a container on Docker's default bridge finds the host: the bridge's
// gateway address, which is also where the host listeners are reached.
type egressApp struct {
	*webtest.App
	gateway string
}

func newEgressApp(t *testing.T) *egressApp {
	t.Helper()
	testenv.RunnerImage(t)
	cli := testenv.Docker(t)
	bridge, err := cli.NetworkInspect(context.Background(), "bridge", network.InspectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	gateway := bridgeGateway(t, bridge)

	a := webtest.NewApp(t)
	var app http.Handler
	mux := http.NewServeMux()
	authz := state.NewTokenAuthorizer(0)
	mux.Handle(state.PathPrefix, state.NewServer(a.Store, state.NewDirStore(t.TempDir()), authz, a.Logger()))
	mux.Handle("/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { app.ServeHTTP(w, r) }))
	srv := httptest.NewUnstartedServer(mux)
	l, err := net.Listen("tcp4", net.JoinHostPort(gateway, "0"))
	if err != nil {
		t.Fatal(err)
	}
	srv.Listener.Close()
	srv.Listener = l
	srv.Start()
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
	instance := make([]byte, 6)
	if _, err := rand.Read(instance); err != nil {
		t.Fatal(err)
	}
	exec, err := runner.NewDocker(runner.DockerOptions{Instance: "test-" + hex.EncodeToString(instance), Logger: a.Logger()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		// Whatever this test's instance left on the daemon, even after a failure.
		exec.RemoveOrphans(context.Background(), nil)
		exec.Close()
	})
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
	a.ImportDoc("team", egressDoc, "one terraform_data")
	return &egressApp{App: a, gateway: gateway}
}

// bridgeGateway is the host's address on Docker's default bridge: the IPAM gateway, or, as
// the daemon leaves it out for its own default bridge, the bridge interface's address.
func bridgeGateway(t *testing.T, bridge network.Inspect) string {
	t.Helper()
	for _, c := range bridge.IPAM.Config {
		if c.Gateway != "" {
			return c.Gateway
		}
	}
	name := bridge.Options["com.docker.network.bridge.name"]
	if name == "" {
		name = "docker0"
	}
	ifc, err := net.InterfaceByName(name)
	if err != nil {
		testenv.Unavailable(t, "the Docker bridge "+name+" is not an interface of this machine (a remote daemon?): "+err.Error())
	}
	addrs, err := ifc.Addrs()
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range addrs {
		if ip, ok := a.(*net.IPNet); ok && ip.IP.To4() != nil {
			return ip.IP.String()
		}
	}
	t.Fatalf("the Docker bridge %s has no IPv4 address", name)
	return ""
}

// plan creates environment name through the forms, with an http backend at address
// (CloudOven's own when empty) and the runner form's fields, deploys app to it and plans.
// It returns the run once it has ended, planned or not, and its log.
func (a *egressApp) plan(name, address string, runnerForm url.Values) (store.Run, string) {
	t := a.T
	t.Helper()
	webtest.WantStatus(t, a.PostForm(paths.Environments("team"), url.Values{"name": {name}}, false), http.StatusSeeOther)
	backend := url.Values{"backend_type": {"http"}}
	if address != "" {
		backend.Set("set.address", address)
	}
	webtest.WantStatus(t, a.PostForm(paths.EnvBackend("team", name), backend, false), http.StatusSeeOther)
	form := url.Values{"terraform_version": {"1.5.7"}, "network_mode": {"bridge"}}
	for k, v := range runnerForm {
		form[k] = v
	}
	if w := a.PostForm(paths.EnvRunner("team", name), form, false); w.Code != http.StatusSeeOther {
		t.Fatalf("saving the runner settings of %s: %d\n%s", name, w.Code, w.Body)
	}
	w := a.PostForm(paths.Deployments("team"), url.Values{"blueprint": {"app"}, "environment": {name}}, false)
	webtest.WantStatus(t, w, http.StatusSeeOther)
	id := a.StartRun(w.Header().Get("Location"), "plan")
	deadline := time.Now().Add(3 * time.Minute)
	for {
		r, err := a.Store.Run(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if r.State == store.RunPlanned || r.State.Done() {
			return r, strings.Join(a.StoredLog(id), "\n")
		}
		if time.Now().After(deadline) {
			t.Fatalf("run %s of %s is still %s", id, name, r.State)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestRunEgress runs plans on the real Docker Engine whose state backend is a listener on
// this machine, the way a blueprint would reach anything to send a secret to: a run whose
// environment says none or an allow-list without that listener must not reach it, while
// one that lists it, or says open, does. Every mode still reaches CloudOven's own state
// backend.
func TestRunEgress(t *testing.T) {
	a := newEgressApp(t)

	t.Run("none reaches no host listener", func(t *testing.T) {
		h := newHostListener(t)
		target := net.JoinHostPort(a.gateway, h.port)
		r, log := a.plan("none", "http://"+target+"/state", url.Values{"egress": {"none"}})
		if got := h.requests(); len(got) > 0 {
			t.Fatalf("the host listener received %d requests from a run whose egress is none: %v", len(got), got)
		}
		if r.State != store.RunErrored {
			t.Errorf("run is %s, want errored: its backend is unreachable", r.State)
		}
		if !strings.Contains(log, "egress to "+target+" refused") {
			t.Errorf("the run's log does not say the proxy refused %s:\n%s", target, log)
		}
	})

	t.Run("none reaches CloudOven's state backend", func(t *testing.T) {
		r, log := a.plan("none-state", "", url.Values{"egress": {"none"}})
		if r.State != store.RunPlanned {
			t.Fatalf("run is %s (%s), want planned:\n%s", r.State, r.Error, log)
		}
	})

	t.Run("allow-list reaches no unlisted listener", func(t *testing.T) {
		listed, unlisted := newHostListener(t), newHostListener(t)
		target := net.JoinHostPort(a.gateway, unlisted.port)
		r, log := a.plan("unlisted", "http://"+target+"/state", url.Values{"egress": {"allow-list"},
			"egress_hosts": {"management.azure.com\n" + net.JoinHostPort(a.gateway, listed.port)}})
		if got := unlisted.requests(); len(got) > 0 {
			t.Fatalf("the unlisted host listener received %d requests from a run with an allow-list: %v", len(got), got)
		}
		if r.State != store.RunErrored {
			t.Errorf("run is %s, want errored: its backend is not allowed", r.State)
		}
		if !strings.Contains(log, "egress to "+target+" refused") {
			t.Errorf("the run's log does not say the proxy refused %s:\n%s", target, log)
		}
	})

	t.Run("allow-list reaches a listed listener", func(t *testing.T) {
		h := newHostListener(t)
		target := net.JoinHostPort(a.gateway, h.port)
		r, log := a.plan("listed", "http://"+target+"/state", url.Values{"egress": {"allow-list"},
			"egress_hosts": {"management.azure.com\n" + target}})
		if r.State != store.RunPlanned {
			t.Fatalf("run is %s (%s), want planned:\n%s", r.State, r.Error, log)
		}
		if got := h.requests(); len(got) == 0 {
			t.Errorf("the listed host listener received nothing")
		}
	})

	t.Run("open reaches the host listener", func(t *testing.T) {
		h := newHostListener(t)
		r, log := a.plan("open", fmt.Sprintf("http://%s/state", net.JoinHostPort(a.gateway, h.port)), url.Values{"egress": {"open"}})
		if r.State != store.RunPlanned {
			t.Fatalf("run is %s (%s), want planned:\n%s", r.State, r.Error, log)
		}
		if got := h.requests(); len(got) == 0 {
			t.Errorf("the host listener received nothing from a run whose egress is open")
		}
	})
}

// The runner form shows a new environment's allow-list, refuses hosts that are not host
// names or wildcards (keeping what was typed), and refuses host networking with egress
// control.
func TestEnvironmentRunnerEgressForm(t *testing.T) {
	t.Parallel()
	a := webtest.EnvApp(t)
	page := a.CreateEnv("dev")
	if v := webtest.ByTestID(page, "runner-egress").Find("option[selected]").AttrOr("value", ""); v != "allow-list" {
		t.Errorf("a new environment's egress is %q, want allow-list", v)
	}
	if got, want := webtest.ByTestID(page, "runner-egress-hosts").Text(), strings.Join(blueprint.DefaultEgressHosts(), "\n"); got != want {
		t.Errorf("a new environment's allowed hosts:\n%s\nwant:\n%s", got, want)
	}
	if webtest.ByTestID(page, "runner-egress-open").Length() != 0 {
		t.Error("a new environment is shown as open")
	}

	typed := "management.azure.com\nhttps://evil.example.com/x\n*.com"
	doc, code := a.SubmitForm(page, "runner-form", func(v url.Values) { v.Set("egress_hosts", typed) })
	if code != http.StatusUnprocessableEntity {
		t.Fatalf("bad hosts: status %d", code)
	}
	if got := webtest.FieldErrorText(doc, "runner.egress_hosts"); !strings.Contains(got, `invalid egress host "https://evil.example.com/x"`) ||
		!strings.Contains(got, `invalid egress host "*.com"`) || !strings.Contains(got, "top-level domain") {
		t.Errorf("the hosts' errors: %q", got)
	}
	if got := webtest.ByTestID(doc, "runner-egress-hosts").Text(); got != typed {
		t.Errorf("the typed hosts were lost: %q", got)
	}
	if got := storedEnv(a, "dev").Runner.EgressHosts; strings.Join(got, ",") != strings.Join(blueprint.DefaultEgressHosts(), ",") {
		t.Errorf("invalid hosts were saved: %v", got)
	}

	doc, code = a.SubmitForm(page, "runner-form", func(v url.Values) { v.Set("network_mode", "host") })
	if code != http.StatusUnprocessableEntity || !strings.Contains(webtest.FieldErrorText(doc, "runner.network_mode"), "host networking cannot hold a run to egress allow-list") {
		t.Errorf("host networking with an allow-list: %d %q", code, webtest.FieldErrorText(doc, "runner.network_mode"))
	}

	doc, code = a.SubmitForm(page, "runner-form", func(v url.Values) {
		v.Set("egress", "none")
		v.Set("egress_hosts", "management.azure.com\n\n  vault.example.com:8200  \n")
	})
	if code != http.StatusOK {
		t.Fatalf("egress none: status %d\n%s", code, doc.Text())
	}
	got := storedEnv(a, "dev").Runner
	if got.Egress != "none" || strings.Join(got.EgressHosts, ",") != "management.azure.com,vault.example.com:8200" {
		t.Errorf("stored egress %q hosts %v", got.Egress, got.EgressHosts)
	}
	// A post from a form without the egress fields keeps them.
	w := a.PostForm(paths.EnvRunner("team", "dev"), url.Values{"terraform_version": {"1.5.7"}, "network_mode": {"bridge"}}, false)
	webtest.WantStatus(t, w, http.StatusSeeOther)
	if got := storedEnv(a, "dev").Runner; got.Egress != "none" || len(got.EgressHosts) != 2 {
		t.Errorf("a post without the egress fields changed them: %q %v", got.Egress, got.EgressHosts)
	}

	// An empty allow-list saves, with a warning beside it.
	_, code = a.SubmitForm(a.Page(paths.Environment("team", "dev")), "runner-form", func(v url.Values) {
		v.Set("egress", "allow-list")
		v.Set("egress_hosts", "")
	})
	if code != http.StatusOK {
		t.Fatalf("an empty allow-list: status %d", code)
	}
	page = a.Page(paths.Environment("team", "dev"))
	if w := page.Find(`[data-error-for="runner.egress_hosts"] [data-severity="warning"]`); !strings.Contains(w.Text(), "the allow-list is empty") {
		t.Errorf("no warning for an empty allow-list: %q", webtest.FieldErrorText(page, "runner.egress_hosts"))
	}
}

// An environment stored before egress control reads, and shows, as open: its runs keep
// working as they did, and the page says what that means.
func TestEnvironmentStoredBeforeEgressIsOpen(t *testing.T) {
	t.Parallel()
	a := webtest.EnvApp(t)
	a.CreateEnv("old")
	if _, err := a.Store.UpdateEnvironment(context.Background(), "team", "old",
		[]byte(`{"format": 1, "name": "old", "runner": {"terraform_version": "1.5.7", "network_mode": "bridge"}}`)); err != nil {
		t.Fatal(err)
	}
	page := a.Page(paths.Environment("team", "old"))
	if v := webtest.ByTestID(page, "runner-egress").Find("option[selected]").AttrOr("value", ""); v != "open" {
		t.Errorf("egress shown as %q, want open", v)
	}
	webtest.WantOne(t, page, "runner-egress-open")
	if got := storedEnv(a, "old").Runner.Egress; got != "open" {
		t.Errorf("the stored environment reads as egress %q, want open", got)
	}
}
