package deployments_test

import (
	"context"
	"errors"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/cloudoven/cloudoven/store"
	"github.com/cloudoven/cloudoven/web"
	"github.com/cloudoven/cloudoven/web/deployments"
	"github.com/cloudoven/cloudoven/web/paths"
	"github.com/cloudoven/cloudoven/web/webtest"
)

const (
	lockOld = `# This file is maintained automatically by "terraform init".
# Manual edits may be lost in future updates.

provider "registry.terraform.io/hashicorp/random" {
  version     = "3.6.0"
  constraints = "~> 3.0"
  hashes = [
    "h1:aaaa",
    "zh:bbbb",
  ]
}
`
	lockNew = `# This file is maintained automatically by "terraform init".
# Manual edits may be lost in future updates.

provider "registry.terraform.io/hashicorp/random" {
  version     = "3.6.3"
  constraints = "~> 3.0"
  hashes = [
    "h1:cccc",
  ]
}
`
)

// fakeUpgrader answers Upgrade with lock or err, and remembers what it was asked.
type fakeUpgrader struct {
	mu      sync.Mutex
	lock    []byte
	err     error
	calls   int
	files   map[string][]byte
	current []byte
}

func (f *fakeUpgrader) Upgrade(ctx context.Context, files map[string][]byte, current []byte) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	f.files, f.current = files, current
	return f.lock, f.err
}

// lockApp is DeployApp with up as the lock upgrader (nil: none) and lock as the
// deployment's lock file (nil: none); it returns the deployment's page and id.
func lockApp(t *testing.T, up deployments.LockUpgrader, lock string) (*webtest.App, string, int64) {
	t.Helper()
	a, dep := webtest.DeployApp(t)
	if up != nil {
		a.Reconfigure(func(c *web.Config) { c.LockUpgrader = up })
	}
	id, err := strconv.ParseInt(path.Base(dep), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	if lock != "" {
		if _, err := a.Store.SetDeploymentLock(t.Context(), store.DeploymentLock{DeploymentID: id, Lock: []byte(lock), RunID: "run-1", Reason: "first terraform init"}, nil); err != nil {
			t.Fatal(err)
		}
	}
	return a, dep, id
}

func TestDeploymentPageShowsItsLockFile(t *testing.T) {
	t.Parallel()
	a, dep, _ := lockApp(t, nil, "")
	doc := a.Page(dep)
	webtest.WantOne(t, doc, "lock-none")
	if got := webtest.WantOne(t, doc, "providers-not-configured"); got != deployments.ProvidersNotConfigured {
		t.Errorf("without an upgrader the page says %q", got)
	}
	if webtest.ByTestID(doc, "upgrade-form").Length() != 0 {
		t.Error("the page offers an upgrade without an upgrader")
	}

	a, dep, _ = lockApp(t, &fakeUpgrader{}, lockOld)
	doc = a.Page(dep)
	row := doc.Find(`[data-testid="lock-provider"][data-source="registry.terraform.io/hashicorp/random"]`)
	if row.Length() != 1 || row.AttrOr("data-version", "") != "3.6.0" {
		t.Fatalf("locked providers: %q", webtest.ByTestID(doc, "lock-providers").Text())
	}
	if got := strings.TrimSpace(webtest.ByTestID(row, "lock-hashes").Text()); got != "2" {
		t.Errorf("hashes shown as %q, want 2", got)
	}
	if !strings.Contains(row.Text(), "~> 3.0") {
		t.Errorf("the constraints are not shown: %q", row.Text())
	}
	if raw := webtest.ByTestID(doc, "lock-raw").Find("pre").Text(); raw != lockOld {
		t.Errorf("the raw lock file is %q", raw)
	}
	if href := webtest.ByTestID(doc, "lock-run").AttrOr("href", ""); href != paths.Run("team", "run-1") {
		t.Errorf("the run that locked it links to %q", href)
	}
	webtest.WantOne(t, doc, "upgrade-form")
}

func TestDeploymentZipCarriesTheLockFile(t *testing.T) {
	t.Parallel()
	a, dep, _ := lockApp(t, nil, "")
	w := a.Get(dep+"/terraform.zip", false)
	webtest.WantStatus(t, w, http.StatusOK)
	if _, ok := webtest.UnzipAll(t, w.Body.Bytes())[".terraform.lock.hcl"]; ok {
		t.Error("the zip of a deployment without a lock file has one")
	}
	a, dep, _ = lockApp(t, nil, lockOld)
	w = a.Get(dep+"/terraform.zip", false)
	webtest.WantStatus(t, w, http.StatusOK)
	files := webtest.UnzipAll(t, w.Body.Bytes())
	if got := string(files[".terraform.lock.hcl"]); got != lockOld {
		t.Errorf("the zip's lock file is %q", got)
	}
	if _, ok := files["main.tf"]; !ok {
		t.Errorf("the zip lost the generated files: %d files", len(files))
	}
}

// TestUpgradeProviders: the candidate waits as a diff; "Use these versions" makes it the
// lock file, audited, and clears it.
func TestUpgradeProviders(t *testing.T) {
	t.Parallel()
	up := &fakeUpgrader{lock: []byte(lockNew)}
	a, dep, id := lockApp(t, up, lockOld)
	ctx := t.Context()
	w := a.PostForm(paths.DeploymentProviders("team", id), nil, true)
	webtest.WantStatus(t, w, http.StatusNoContent)
	if got := w.Header().Get("HX-Redirect"); got != paths.DeploymentProviders("team", id) {
		t.Fatalf("redirected to %q", got)
	}
	if _, ok := up.files["main.tf"]; !ok || string(up.current) != lockOld {
		t.Errorf("the upgrader got files %d and current %q", len(up.files), up.current)
	}
	if l, _ := a.Store.DeploymentLock(ctx, id); string(l.Lock) != lockOld {
		t.Errorf("the upgrade changed the lock before it was used")
	}
	doc := a.Page(dep)
	webtest.WantOne(t, doc, "lock-pending")

	doc = a.Page(paths.DeploymentProviders("team", id))
	c := webtest.ByTestID(doc, "upgrade-change")
	if c.Length() != 1 || c.AttrOr("data-from", "") != "3.6.0" || c.AttrOr("data-to", "") != "3.6.3" {
		t.Errorf("changes: %q", webtest.ByTestID(doc, "upgrade-changes").Text())
	}
	if f := doc.Find(`[data-testid="diff-file"][data-file=".terraform.lock.hcl"]`); f.Length() != 1 || !strings.Contains(f.Text(), `"3.6.3"`) {
		t.Errorf("the lock file's diff: %q", f.Text())
	}

	w = a.PostForm(paths.DeploymentProvidersUse("team", id), nil, false)
	webtest.WantStatus(t, w, http.StatusSeeOther)
	l, err := a.Store.DeploymentLock(ctx, id)
	if err != nil || string(l.Lock) != lockNew || l.By != "admin" {
		t.Errorf("after use the lock is %+v, %v", l, err)
	}
	if p, _ := a.Store.PendingLock(ctx, id); p.Lock != nil {
		t.Error("still pending after use")
	}
	es, err := a.Store.AuditLog(ctx, "team", 5)
	if err != nil || len(es) == 0 || es[0].Action != "deployment.providers.upgrade" || es[0].Target != strconv.FormatInt(id, 10) {
		t.Errorf("audit log: %+v, %v", es, err)
	}
	webtest.WantOne(t, a.Page(paths.DeploymentProviders("team", id)), "upgrade-none")
	// Using it again: nothing is pending any more.
	webtest.WantStatus(t, a.PostForm(paths.DeploymentProvidersUse("team", id), nil, false), http.StatusConflict)
}

func TestUpgradeProvidersSaysWhatHappened(t *testing.T) {
	t.Parallel()
	up := &fakeUpgrader{lock: []byte(lockOld)}
	a, _, id := lockApp(t, up, lockOld)
	ctx := t.Context()

	w := a.PostForm(paths.DeploymentProviders("team", id), nil, true)
	webtest.WantStatus(t, w, http.StatusOK)
	doc := webtest.WantFragment(t, w, "deploy-lock")
	if got := webtest.WantOne(t, doc, "lock-message"); got != deployments.AlreadyNewest {
		t.Errorf("no change says %q", got)
	}

	up.lock, up.err = nil, errors.New("registry.terraform.io is unreachable: dial tcp: i/o timeout")
	w = a.PostForm(paths.DeploymentProviders("team", id), nil, true)
	webtest.WantStatus(t, w, http.StatusUnprocessableEntity)
	if got := webtest.WantOne(t, webtest.ParseHTML(t, w), "lock-problem"); !strings.Contains(got, "registry.terraform.io is unreachable") {
		t.Errorf("the upgrader's error shows as %q", got)
	}

	up.lock, up.err = []byte("not a lock {"), nil
	w = a.PostForm(paths.DeploymentProviders("team", id), nil, true)
	webtest.WantStatus(t, w, http.StatusUnprocessableEntity)
	webtest.WantOne(t, webtest.ParseHTML(t, w), "lock-problem")
	if p, _ := a.Store.PendingLock(ctx, id); p.Lock != nil {
		t.Errorf("a refused upgrade left a pending lock: %q", p.Lock)
	}

	// Without an upgrader the post is refused with the same words as the page.
	b, _, id2 := lockApp(t, nil, lockOld)
	w = b.PostForm(paths.DeploymentProviders("team", id2), nil, true)
	webtest.WantStatus(t, w, http.StatusServiceUnavailable)
}

// TestUpgradeProvidersDiscardAndConflict: Discard drops the candidate; a candidate made from
// a lock file that has changed since is refused, and the newer lock stays.
func TestUpgradeProvidersDiscardAndConflict(t *testing.T) {
	t.Parallel()
	up := &fakeUpgrader{lock: []byte(lockNew)}
	a, _, id := lockApp(t, up, lockOld)
	ctx := t.Context()
	webtest.WantStatus(t, a.PostForm(paths.DeploymentProviders("team", id), nil, false), http.StatusSeeOther)
	webtest.WantStatus(t, a.PostForm(paths.DeploymentProvidersDiscard("team", id), nil, false), http.StatusSeeOther)
	if p, _ := a.Store.PendingLock(ctx, id); p.Lock != nil {
		t.Error("still pending after discard")
	}

	webtest.WantStatus(t, a.PostForm(paths.DeploymentProviders("team", id), nil, false), http.StatusSeeOther)
	changed := strings.Replace(lockOld, `"zh:bbbb",`, `"zh:bbbb",`+"\n    \"zh:dddd\",", 1)
	if _, err := a.Store.SetDeploymentLock(ctx, store.DeploymentLock{DeploymentID: id, Lock: []byte(changed), RunID: "run-2"}, []byte(lockOld)); err != nil {
		t.Fatal(err)
	}
	webtest.WantOne(t, a.Page(paths.DeploymentProviders("team", id)), "upgrade-problem")
	w := a.PostForm(paths.DeploymentProvidersUse("team", id), nil, false)
	webtest.WantStatus(t, w, http.StatusConflict)
	if got := webtest.WantOne(t, webtest.ParseHTML(t, w), "upgrade-problem"); !strings.Contains(got, "changed since") {
		t.Errorf("the conflict says %q", got)
	}
	if l, _ := a.Store.DeploymentLock(ctx, id); string(l.Lock) != changed {
		t.Errorf("a stale upgrade replaced the newer lock: %q", l.Lock)
	}
}

// TestUpgradeProvidersNeedsOperator: a viewer sees the lock file but cannot upgrade.
func TestUpgradeProvidersNeedsOperator(t *testing.T) {
	t.Parallel()
	up := &fakeUpgrader{lock: []byte(lockNew)}
	a, dep, id := lockApp(t, up, lockOld)
	vic := a.As("vic")
	if err := a.Store.SetMember(t.Context(), "team", "vic", "viewer"); err != nil {
		t.Fatal(err)
	}
	doc := vic.Page(dep)
	webtest.WantOne(t, doc, "lock-providers")
	if webtest.ByTestID(doc, "upgrade-form").Length() != 0 {
		t.Error("a viewer is offered the upgrade")
	}
	for _, p := range []string{paths.DeploymentProviders("team", id), paths.DeploymentProvidersUse("team", id), paths.DeploymentProvidersDiscard("team", id)} {
		webtest.WantStatus(t, vic.PostForm(p, nil, false), http.StatusForbidden)
	}
	if up.calls != 0 {
		t.Errorf("a viewer's post reached the upgrader %d times", up.calls)
	}
}
