package providersview_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/cloudoven/cloudoven/providers"
	"github.com/cloudoven/cloudoven/store"
	"github.com/cloudoven/cloudoven/web"
	"github.com/cloudoven/cloudoven/web/paths"
	"github.com/cloudoven/cloudoven/web/providersview"
	"github.com/cloudoven/cloudoven/web/webtest"
)

const lock = `provider "registry.terraform.io/hashicorp/random" {
  version = "3.6.0"
  hashes = [
    "h1:aaaa",
  ]
}
`

// fakeCache is a provider cache in memory; Remove fails for a package named in failing.
type fakeCache struct {
	mu      sync.Mutex
	pkgs    []providers.Package
	failing string
	listErr error
}

func (c *fakeCache) List(ctx context.Context) ([]providers.Package, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.pkgs), c.listErr
}

func (c *fakeCache) Remove(ctx context.Context, source, version, platform string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	p := providers.Package{Source: source, Version: version, Platform: platform}
	if p.Path() == c.failing {
		return errors.New("removing the package's directory: permission denied")
	}
	for i, q := range c.pkgs {
		if q.Path() == p.Path() {
			c.pkgs = slices.Delete(c.pkgs, i, i+1)
			return nil
		}
	}
	return errors.New("no such package in the cache")
}

func (c *fakeCache) paths() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for _, p := range c.pkgs {
		out = append(out, p.Path())
	}
	return out
}

func newCache() *fakeCache {
	pkg := func(source, version string) providers.Package {
		return providers.Package{Source: source, Version: version, Platform: "linux_amd64", Size: 3 << 20,
			Hashes: []string{"h1:" + version}, From: "registry"}
	}
	return &fakeCache{pkgs: []providers.Package{
		pkg("registry.terraform.io/hashicorp/random", "3.6.0"),
		pkg("registry.terraform.io/hashicorp/random", "3.5.1"),
		pkg("registry.terraform.io/hashicorp/null", "3.2.1"),
	}}
}

// providersApp is a deployment whose lock file names random 3.6.0, and cache as the
// server's provider cache.
func providersApp(t *testing.T, cache providersview.Cache) (*webtest.App, int64) {
	t.Helper()
	a, dep := webtest.DeployApp(t)
	a.Reconfigure(func(c *web.Config) { c.ProviderCache = cache })
	id, err := strconv.ParseInt(path.Base(dep), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Store.SetDeploymentLock(t.Context(), store.DeploymentLock{DeploymentID: id, Lock: []byte(lock), RunID: "run-1"}, nil); err != nil {
		t.Fatal(err)
	}
	return a, id
}

func TestProvidersPageListsThePackagesAndTheirUsers(t *testing.T) {
	t.Parallel()
	cache := newCache()
	a, id := providersApp(t, cache)
	doc := a.Page(paths.AdminProviders())
	if n := webtest.ByTestID(doc, "provider-row").Length(); n != 3 {
		t.Fatalf("%d rows, want 3", n)
	}
	used := doc.Find(`[data-testid="provider-row"][data-version="3.6.0"]`)
	if used.AttrOr("data-used", "") != "1" || !strings.Contains(used.Text(), "3.0 MiB") {
		t.Errorf("random 3.6.0's row: %q", used.Text())
	}
	if href := webtest.ByTestID(used, "provider-used-by").AttrOr("href", ""); href != paths.Deployment("team", id) {
		t.Errorf("its deployment links to %q", href)
	}
	if webtest.ByTestID(doc.Find(`[data-testid="provider-row"][data-version="3.5.1"]`), "provider-unused").Length() != 1 {
		t.Error("random 3.5.1 is not shown unused")
	}
	// Admins find it beside the other admin pages.
	if href := webtest.ByTestID(doc, "nav-providers").AttrOr("href", ""); href != paths.AdminProviders() {
		t.Errorf("the navigation links to %q", href)
	}
}

func TestProvidersPageIsForAdminsOnly(t *testing.T) {
	t.Parallel()
	a, _ := providersApp(t, newCache())
	olga := a.As("olga")
	if err := a.Store.SetMember(t.Context(), "team", "olga", "admin"); err != nil {
		t.Fatal(err)
	}
	webtest.WantStatus(t, olga.Get(paths.AdminProviders(), false), http.StatusForbidden)
	webtest.WantStatus(t, olga.PostForm(paths.AdminProvidersPrune(), nil, false), http.StatusForbidden)
	if webtest.ByTestID(olga.Page(paths.Projects()), "nav-providers").Length() != 0 {
		t.Error("a project admin's navigation links to the providers page")
	}
	// Every post carries the CSRF token.
	webtest.WantStatus(t, a.WithoutCSRF().PostForm(paths.AdminProvidersPrune(), nil, false), http.StatusForbidden)
}

func TestProvidersRemoveAndPrune(t *testing.T) {
	t.Parallel()
	cache := newCache()
	a, _ := providersApp(t, cache)
	remove := func(version, source string) *webtestResponse {
		w := a.PostForm(paths.AdminProviderRemove(), url.Values{"source": {source}, "version": {version}, "platform": {"linux_amd64"}}, false)
		return &webtestResponse{code: w.Code, doc: webtest.ParseHTML(t, w).Text()}
	}
	if r := remove("3.2.1", "registry.terraform.io/hashicorp/null"); r.code != http.StatusOK || !strings.Contains(r.doc, "Removed registry.terraform.io/hashicorp/null 3.2.1") {
		t.Errorf("remove: %d %q", r.code, r.doc)
	}
	if got := cache.paths(); len(got) != 2 {
		t.Errorf("after remove the cache holds %q", got)
	}
	if r := remove("9.9.9", "registry.terraform.io/hashicorp/null"); r.code != http.StatusUnprocessableEntity || !strings.Contains(r.doc, "could not be removed: no such package") {
		t.Errorf("removing what is not there: %d", r.code)
	}
	if r := remove("", ""); r.code != http.StatusUnprocessableEntity {
		t.Errorf("removing nothing: %d", r.code)
	}
	es, _ := a.Store.AuditLog(t.Context(), "", 5)
	if len(es) == 0 || es[0].Action != "provider.remove" || es[0].Target != "registry.terraform.io/hashicorp/null/3.2.1/linux_amd64" {
		t.Errorf("audit log: %+v", es)
	}

	w := a.PostForm(paths.AdminProvidersPrune(), nil, false)
	webtest.WantStatus(t, w, http.StatusOK)
	if got := cache.paths(); !slices.Equal(got, []string{"registry.terraform.io/hashicorp/random/3.6.0/linux_amd64"}) {
		t.Errorf("after prune the cache holds %q, want only what the lock names", got)
	}
	w = a.PostForm(paths.AdminProvidersPrune(), nil, false)
	if got := webtest.WantOne(t, webtest.ParseHTML(t, w), "providers-message"); !strings.Contains(got, "Nothing to prune") {
		t.Errorf("a second prune says %q", got)
	}
}

func TestProvidersErrorsAreSaid(t *testing.T) {
	t.Parallel()
	cache := newCache()
	cache.failing = "registry.terraform.io/hashicorp/null/3.2.1/linux_amd64"
	a, _ := providersApp(t, cache)
	w := a.PostForm(paths.AdminProvidersPrune(), nil, false)
	webtest.WantStatus(t, w, http.StatusUnprocessableEntity)
	doc := webtest.ParseHTML(t, w)
	if got := webtest.WantOne(t, doc, "providers-problem"); !strings.Contains(got, "permission denied") {
		t.Errorf("a failed prune says %q", got)
	}
	cache.listErr = errors.New("reading the cache directory: input/output error")
	doc = a.Page(paths.AdminProviders())
	if got := webtest.WantOne(t, doc, "providers-problem"); !strings.Contains(got, "input/output error") {
		t.Errorf("a failed list says %q", got)
	}

	// Without a cache the page says so and the posts are refused.
	b := webtest.NewApp(t)
	doc = b.Page(paths.AdminProviders())
	if got := webtest.WantOne(t, doc, "providers-not-configured"); got != providersview.NotConfigured {
		t.Errorf("without a cache: %q", got)
	}
	webtest.WantStatus(t, b.PostForm(paths.AdminProvidersPrune(), nil, false), http.StatusServiceUnavailable)
}

type webtestResponse struct {
	code int
	doc  string
}
