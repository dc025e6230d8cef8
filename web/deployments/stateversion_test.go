package deployments_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/cloudoven/cloudoven/internal/testenv"
	"github.com/cloudoven/cloudoven/state"
	"github.com/cloudoven/cloudoven/store"
	"github.com/cloudoven/cloudoven/web"
	"github.com/cloudoven/cloudoven/web/paths"
	"github.com/cloudoven/cloudoven/web/webtest"
)

// The secrets of stateConfig: a sensitive variable's value before and after its rotation.
// No page may hold them, in any form.
const (
	stateSecretBefore = "Pa55word-before-rotation"
	stateSecretAfter  = "Pa55word-after-rotation"
)

// stateConfig is what a deployment's runs could apply: terraform_data resources (no
// provider download) with a sensitive variable in one's input, a sensitive output built
// from it, and plain outputs; rotated changes them, adds one resource and removes another.
func stateConfig(rotated bool) string {
	password, tags, n, extra := stateSecretBefore, `["a", "b"]`, 2, `resource "terraform_data" "gone" {
  input = "soon removed"
}`
	if rotated {
		password, tags, n, extra = stateSecretAfter, `["a", "c"]`, 3, `resource "terraform_data" "fresh" {
  input = "new"
}`
	}
	return fmt.Sprintf(`variable "password" {
  type      = string
  sensitive = true
  default   = %q
}

resource "terraform_data" "plain" {
  input = { name = "web", tags = %s }
}

resource "terraform_data" "secret" {
  input = { user = "admin", password = var.password }
}

resource "terraform_data" "many" {
  count = %d
  input = "item-${count.index}"
}

%s

output "name" {
  value = terraform_data.plain.output.name
}

output "complex" {
  value = terraform_data.plain.output
}

output "db_password" {
  value     = var.password
  sensitive = true
}
`, password, tags, n, extra)
}

var (
	realStatesOnce sync.Once
	realStateFiles [][]byte
)

// realStates are the state files terraform 1.5.7 writes applying stateConfig(false), then
// stateConfig(true); made once for the package's tests.
func realStates(t *testing.T) [][]byte {
	t.Helper()
	testenv.Terraform(t)
	realStatesOnce.Do(func() { realStateFiles = testenv.ApplyStates(t, stateConfig(false), stateConfig(true)) })
	if len(realStateFiles) != 2 {
		t.Fatal("the state files were not made (see the first test that asked)")
	}
	return realStateFiles
}

// stateFixture is the webtest deployment with CloudOven's state store: blobs hold the
// state files of its versions.
type stateFixture struct {
	a          *webtest.App
	blobs      *state.DirStore
	deployment string
	id         int64
}

func newStateFixture(t *testing.T, configure func(*web.Config)) *stateFixture {
	t.Helper()
	blobs := state.NewDirStore(t.TempDir())
	a := webtest.EnvAppWith(t, func(c *web.Config) {
		c.StateBlobs = blobs
		if configure != nil {
			configure(c)
		}
	})
	d := webtest.SetUpDeployment(t, a)
	return &stateFixture{a: a, blobs: blobs, deployment: d, id: mustID(t, d)}
}

// addVersion records data as the deployment's next state version, written by run runID, as
// CloudOven's backend does; keep false leaves its blob out of the store.
func (f *stateFixture) addVersion(t *testing.T, data []byte, runID string, keep bool) store.StateVersion {
	t.Helper()
	ctx := context.Background()
	v, err := state.NewVersion(f.id, data)
	if err != nil {
		t.Fatal(err)
	}
	v.RunID = runID
	if keep {
		if err := f.blobs.Put(ctx, v.BlobKey, data); err != nil {
			t.Fatal(err)
		}
	}
	v, err = f.a.Store.AddStateVersion(ctx, v, "")
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// wantNoStateSecret fails when a response holds a secret of stateConfig anywhere: text,
// attributes, scripts.
func wantNoStateSecret(t *testing.T, what, body string) {
	t.Helper()
	for _, s := range []string{stateSecretBefore, stateSecretAfter, "Pa55word"} {
		if strings.Contains(body, s) {
			t.Errorf("%s holds the sensitive value %q", what, s)
		}
	}
}

func get(t *testing.T, a *webtest.App, path string, want int) (*goquery.Document, string) {
	t.Helper()
	w := a.Get(path, false)
	webtest.WantStatus(t, w, want)
	body := w.Body.String()
	return webtest.ParseHTML(t, w), body
}

func rowByAttr(doc *goquery.Document, testID, attr, value string) *goquery.Selection {
	return webtest.ByTestID(doc, testID).FilterFunction(func(_ int, s *goquery.Selection) bool {
		return s.AttrOr(attr, "") == value
	})
}

func TestStateVersionPageShowsOutputsAndResources(t *testing.T) {
	t.Parallel()
	files := realStates(t)
	f := newStateFixture(t, nil)
	f.addVersion(t, files[0], "", true)
	v2 := f.addVersion(t, files[1], "run-42", true)

	// The deployment page links each version, and the diff with the one before.
	dep, _ := get(t, f.a, f.deployment, http.StatusOK)
	links := webtest.ByTestID(dep, "state-version-link")
	if links.Length() != 2 || links.First().AttrOr("href", "") != paths.DeploymentStateVersion("team", f.id, 2) {
		t.Fatalf("state version links: %d, first %q", links.Length(), links.First().AttrOr("href", ""))
	}
	if got := webtest.ByTestID(dep, "state-version-compare"); got.Length() != 1 || got.AttrOr("href", "") != paths.DeploymentStateCompare("team", f.id, 1, 2) {
		t.Errorf("compare links: %d, %q", got.Length(), got.AttrOr("href", ""))
	}

	doc, body := get(t, f.a, links.First().AttrOr("href", ""), http.StatusOK)
	wantNoStateSecret(t, "the state version page", body)
	for id, want := range map[string]string{
		"state-serial":  fmt.Sprint(v2.Serial),
		"state-lineage": v2.Lineage,
		"state-sha256":  v2.SHA256,
		"state-run":     "run-42",
	} {
		if got := strings.TrimSpace(webtest.ByTestID(doc, id).Text()); got != want {
			t.Errorf("%s: %q, want %q", id, got, want)
		}
	}
	if got := webtest.ByTestID(doc, "state-run").AttrOr("href", ""); got != paths.Run("team", "run-42") {
		t.Errorf("the run link goes to %q", got)
	}
	if got := webtest.ByTestID(doc, "state-compare-previous").AttrOr("href", ""); got != paths.DeploymentStateCompare("team", f.id, 1, 2) {
		t.Errorf("compare with previous goes to %q", got)
	}
	webtest.WantOne(t, doc, "state-terraform-version")
	if n := webtest.ByTestID(doc, "state-problem").Length(); n != 0 {
		t.Errorf("a problem is shown: %s", webtest.ByTestID(doc, "state-problem").Text())
	}

	outputs := map[string]*goquery.Selection{}
	webtest.ByTestID(doc, "state-output-row").Each(func(_ int, s *goquery.Selection) { outputs[s.AttrOr("data-name", "")] = s })
	if len(outputs) != 3 {
		t.Fatalf("%d outputs listed, want 3", len(outputs))
	}
	value := func(name string) string {
		return webtest.ByTestID(outputs[name].Find("*"), "state-output-value").Text()
	}
	if got := value("name"); got != `"web"` {
		t.Errorf("output name shows %q", got)
	}
	if got, want := value("complex"), "{\n  \"name\": \"web\",\n  \"tags\": [\n    \"a\",\n    \"c\"\n  ]\n}"; got != want {
		t.Errorf("output complex shows\n%s\nwant it pretty-printed\n%s", got, want)
	}
	if got := outputs["db_password"]; got.AttrOr("data-sensitive", "") != "true" || value("db_password") != "sensitive" {
		t.Errorf("output db_password: sensitive %q, shows %q", got.AttrOr("data-sensitive", ""), value("db_password"))
	}

	many := rowByAttr(doc, "state-resource", "data-address", "terraform_data.many")
	if many.AttrOr("data-instances", "") != "3" || !strings.Contains(many.Text(), "count") || !strings.Contains(many.Text(), "terraform.io/builtin/terraform") {
		t.Errorf("terraform_data.many: %q instances, %q", many.AttrOr("data-instances", ""), strings.Join(strings.Fields(many.Text()), " "))
	}
	if n := webtest.ByTestID(doc, "state-resource").Length(); n != 4 {
		t.Errorf("%d resources listed, want 4", n)
	}
}

func TestStateCompareShowsWhatChanged(t *testing.T) {
	t.Parallel()
	files := realStates(t)
	f := newStateFixture(t, nil)
	f.addVersion(t, files[0], "run-1", true)
	f.addVersion(t, files[1], "run-2", true)

	doc, body := get(t, f.a, paths.DeploymentStateCompare("team", f.id, 1, 2), http.StatusOK)
	wantNoStateSecret(t, "the compare page", body)
	for id, want := range map[string]string{"state-diff-added": "2", "state-diff-removed": "1", "state-diff-changed": "2"} {
		if got := webtest.ByTestID(doc, id).Text(); got != want {
			t.Errorf("%s: %s, want %s", id, got, want)
		}
	}
	changes := map[string]string{}
	webtest.ByTestID(doc, "state-diff-resource").Each(func(_ int, s *goquery.Selection) {
		changes[s.AttrOr("data-address", "")] = s.AttrOr("data-change", "")
	})
	for address, want := range map[string]string{
		"terraform_data.fresh": "added", "terraform_data.many[2]": "added", "terraform_data.gone": "removed",
		"terraform_data.plain": "changed", "terraform_data.secret": "changed",
	} {
		if changes[address] != want {
			t.Errorf("%s: %q, want %q (all: %v)", address, changes[address], want, changes)
		}
	}
	attr := func(address, path string) (before, after *goquery.Selection) {
		row := rowByAttr(doc, "state-diff-resource", "data-address", address).Find(`[data-testid="state-diff-attribute"][data-path="` + path + `"]`)
		return row.Find(`[data-testid="state-diff-before"]`), row.Find(`[data-testid="state-diff-after"]`)
	}
	if b, a := attr("terraform_data.plain", "input.tags[1]"); b.Text() != `"b"` || !strings.Contains(a.Text(), `"c"`) {
		t.Errorf("terraform_data.plain input.tags[1]: %q → %q", b.Text(), a.Text())
	}
	for _, path := range []string{"input.password", "output.password"} {
		b, a := attr("terraform_data.secret", path)
		if b.Text() != "(sensitive)" || !strings.Contains(a.Text(), "(sensitive)") || !b.HasClass("value-sensitive") {
			t.Errorf("terraform_data.secret %s: %q → %q, want both sensitive", path, b.Text(), a.Text())
		}
	}
	out := rowByAttr(doc, "state-diff-output", "data-name", "db_password")
	if out.AttrOr("data-change", "") != "changed" || strings.Count(out.Text(), "(sensitive)") != 2 {
		t.Errorf("output db_password: %q", strings.Join(strings.Fields(out.Text()), " "))
	}
	if n := rowByAttr(doc, "state-diff-output", "data-name", "name").Length(); n != 0 {
		t.Error("output name is listed as changed; it did not change")
	}
	if got := webtest.ByTestID(doc, "state-compare-from-link").AttrOr("href", ""); got != paths.DeploymentStateVersion("team", f.id, 1) {
		t.Errorf("the from link goes to %q", got)
	}

	// Without versions named, the latest is compared with the one before.
	doc, _ = get(t, f.a, paths.DeploymentStateCompareForm("team", f.id), http.StatusOK)
	if got := webtest.ByTestID(doc, "state-compare-to-link").Text(); got != "2" {
		t.Errorf("the default comparison is to version %q", got)
	}
	// Backwards: what undoing version 2 would change.
	doc, _ = get(t, f.a, paths.DeploymentStateCompare("team", f.id, 2, 1), http.StatusOK)
	if got := webtest.ByTestID(doc, "state-diff-removed").Text(); got != "2" {
		t.Errorf("from 2 to 1, %s removed, want 2", got)
	}
}

// bigState is a valid state file over state.MaxShowBytes.
func bigState() []byte {
	return fmt.Appendf(nil, `{"version":4,"serial":9,"lineage":"big","outputs":{"blob":{"value":%q,"type":"string"}},"resources":[]}`,
		strings.Repeat("x", state.MaxShowBytes))
}

func TestStateVersionPageSaysWhyItShowsNoState(t *testing.T) {
	t.Parallel()
	files := realStates(t)
	tests := []struct {
		name      string
		configure func(*web.Config)
		data      []byte
		keep      bool
		says      string
	}{
		{"a missing state file", nil, files[0], false, "missing from CloudOven's state store"},
		{"a state over the size shown", nil, bigState(), true, "CloudOven shows states up to 8.0 MiB"},
		{"no state store configured", func(c *web.Config) { c.StateBlobs = nil }, files[0], true, "not configured"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newStateFixture(t, tt.configure)
			v := f.addVersion(t, tt.data, "run-1", tt.keep)
			f.addVersion(t, files[1], "run-2", true)
			doc, body := get(t, f.a, paths.DeploymentStateVersion("team", f.id, v.Version), http.StatusOK)
			wantNoStateSecret(t, "the page", body)
			if got := webtest.ByTestID(doc, "state-problem").Text(); !strings.Contains(got, tt.says) {
				t.Errorf("the page says %q, want %q", got, tt.says)
			}
			if got := webtest.ByTestID(doc, "state-sha256").Text(); got != v.SHA256 {
				t.Errorf("the recorded SHA-256 is not shown: %q", got)
			}
			if n := webtest.ByTestID(doc, "state-outputs").Length() + webtest.ByTestID(doc, "state-resources").Length(); n != 0 {
				t.Error("outputs or resources are shown without a state file read")
			}
			doc, _ = get(t, f.a, paths.DeploymentStateCompare("team", f.id, v.Version, v.Version+1), http.StatusOK)
			if got := webtest.ByTestID(doc, "state-problem").Text(); !strings.Contains(got, tt.says) {
				t.Errorf("the compare page says %q, want %q", got, tt.says)
			}
			webtest.WantOne(t, doc, "state-compare-form")
		})
	}
}

func TestStateComparePageRefusesBadVersions(t *testing.T) {
	t.Parallel()
	files := realStates(t)
	f := newStateFixture(t, nil)
	f.addVersion(t, files[0], "", true)
	f.addVersion(t, files[1], "", true)
	tests := []struct {
		query  url.Values
		status int
		says   string
	}{
		{url.Values{"from": {"abc"}, "to": {"2"}}, http.StatusUnprocessableEntity, "by number (from)"},
		{url.Values{"from": {"1"}, "to": {strings.Repeat("9", 40)}}, http.StatusUnprocessableEntity, "by number (to)"},
		{url.Values{"from": {"1"}, "to": {"99"}}, http.StatusNotFound, "no state version 99"},
		{url.Values{"from": {"2"}, "to": {"2"}}, http.StatusUnprocessableEntity, "two different versions"},
	}
	for _, tt := range tests {
		t.Run(tt.query.Encode(), func(t *testing.T) {
			t.Parallel()
			doc, _ := get(t, f.a, paths.DeploymentStateCompareForm("team", f.id)+"?"+tt.query.Encode(), tt.status)
			if got := webtest.ByTestID(doc, "state-problem").Text(); !strings.Contains(got, tt.says) {
				t.Errorf("the page says %q, want %q", got, tt.says)
			}
			webtest.WantOne(t, doc, "state-compare-form")
		})
	}
	for _, p := range []string{
		paths.Deployment("team", f.id) + "/state/x", paths.DeploymentStateVersion("team", f.id, 0),
		paths.DeploymentStateVersion("team", f.id, 3), paths.DeploymentStateVersion("team", f.id+1, 1),
	} {
		webtest.WantStatus(t, f.a.Get(p, false), http.StatusNotFound)
	}
}

// The state pages need the deployment page's role: a viewer reads them; a non-member is
// told nothing exists.
func TestStateVersionPagesNeedViewer(t *testing.T) {
	t.Parallel()
	files := realStates(t)
	f := newStateFixture(t, nil)
	f.addVersion(t, files[0], "", true)
	f.addVersion(t, files[1], "", true)
	vic, nora := f.a.As("vic"), f.a.As("nora")
	if err := f.a.Store.SetMember(context.Background(), "team", "vic", "viewer"); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{paths.DeploymentStateVersion("team", f.id, 2), paths.DeploymentStateCompare("team", f.id, 1, 2)} {
		w := vic.Get(p, false)
		webtest.WantStatus(t, w, http.StatusOK)
		wantNoStateSecret(t, "the viewer's "+p, w.Body.String())
		webtest.WantStatus(t, nora.Get(p, false), http.StatusNotFound)
	}
}

// An environment's secret reaches terraform as a variable (TF_VAR_db_password) that the
// blueprint need not mark sensitive, so the state holds it unmarked: the state pages conceal
// it all the same.
func TestStatePagesConcealTheEnvironmentsSecrets(t *testing.T) {
	t.Parallel()
	config := func(n int) string {
		return fmt.Sprintf(`variable "db_password" {
  type    = string
  default = %q
}

resource "terraform_data" "db" {
  input = { password = var.db_password, n = %d }
}

output "db_password" {
  value = var.db_password
}

output "n" {
  value = %d
}
`, webtest.SecretValue, n, n)
	}
	testenv.Terraform(t)
	files := testenv.ApplyStates(t, config(1), config(2))
	if !strings.Contains(string(files[0]), webtest.SecretValue) {
		t.Fatal("the state does not hold the secret: the test proves nothing")
	}
	f := newStateFixture(t, nil)
	f.addVersion(t, files[0], "", true)
	f.addVersion(t, files[1], "", true)

	doc, body := get(t, f.a, paths.DeploymentStateVersion("team", f.id, 2), http.StatusOK)
	if strings.Contains(body, webtest.SecretValue) {
		t.Error("the state version page shows the environment's secret")
	}
	row := rowByAttr(doc, "state-output-row", "data-name", "db_password")
	if row.AttrOr("data-sensitive", "") != "true" || row.Find(`[data-testid="state-output-copy"]`).Length() != 1 {
		t.Errorf("output db_password is not concealed: %q", strings.Join(strings.Fields(row.Text()), " "))
	}
	if got := webtest.ByTestID(rowByAttr(doc, "state-output-row", "data-name", "n").Find("*"), "state-output-value").Text(); got != "2" {
		t.Errorf("output n shows %q", got)
	}

	doc, body = get(t, f.a, paths.DeploymentStateCompare("team", f.id, 1, 2), http.StatusOK)
	if strings.Contains(body, webtest.SecretValue) {
		t.Error("the compare page shows the environment's secret")
	}
	if n := webtest.ByTestID(doc, "state-diff-attribute").Length(); n != 2 {
		t.Errorf("%d attributes changed, want input.n and output.n", n)
	}
}

func TestStatePagesOfADeploymentWithoutState(t *testing.T) {
	t.Parallel()
	files := realStates(t)
	f := newStateFixture(t, nil)
	doc, _ := get(t, f.a, paths.DeploymentStateCompareForm("team", f.id), http.StatusOK)
	if got := webtest.ByTestID(doc, "state-problem").Text(); !strings.Contains(got, "no state versions") {
		t.Errorf("with no versions the compare page says %q", got)
	}
	webtest.WantStatus(t, f.a.Get(paths.DeploymentStateVersion("team", f.id, 1), false), http.StatusNotFound)

	f.addVersion(t, files[0], "", true)
	doc, _ = get(t, f.a, paths.DeploymentStateVersion("team", f.id, 1), http.StatusOK)
	webtest.WantOne(t, doc, "state-compare-none")
	webtest.WantOne(t, doc, "state-run-unknown")
	if n := webtest.ByTestID(doc, "state-compare-previous").Length(); n != 0 {
		t.Error("the first version offers a comparison with the one before")
	}
	doc, _ = get(t, f.a, paths.DeploymentStateCompareForm("team", f.id), http.StatusOK)
	if got := webtest.ByTestID(doc, "state-problem").Text(); !strings.Contains(got, "one state version only") {
		t.Errorf("with one version the compare page says %q", got)
	}
}
