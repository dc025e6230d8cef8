package editor_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/cloudoven/cloudoven/store"
	"github.com/cloudoven/cloudoven/web"
	"github.com/cloudoven/cloudoven/web/htmltest"
	"github.com/cloudoven/cloudoven/web/paths"
	"github.com/cloudoven/cloudoven/web/webtest"
)

// The editor's benchmarks go through the whole handler (routing, cross-origin check, store,
// validation, generation, templ) over a real SQLite store and the full embedded catalog, on
// a blueprint with a filled resource group and AKS cluster: the form a user waits for most.
// scripts/bench-editor.sh measures the same page end to end, over HTTP, with wrk.

const (
	benchAKS       = "azurerm_kubernetes_cluster.main"
	benchNodeKey   = "default_node_pool[0].node_count"
	benchSearchQ   = "kubernetes cluster"
	benchProject   = "team"
	benchBlueprint = "net"
)

// benchEditor is the web handler over a real store in b.TempDir(), holding the project
// "team" and the blueprint "net" with a resource group and an AKS cluster in its draft.
// The test helpers take *testing.T, hence this small twin for benchmarks.
type benchEditor struct {
	b       *testing.B
	handler http.Handler
	session *webtest.Session
}

func newBenchEditor(b *testing.B) *benchEditor {
	b.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(b.TempDir(), "cloudoven.db"))
	if err != nil {
		b.Fatalf("opening the store: %v", err)
	}
	b.Cleanup(func() { st.Close() })
	h, err := web.New(web.Config{Store: st, Catalog: webtest.Catalog(b), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatalf("web.New: %v", err)
	}
	e := &benchEditor{b: b, handler: h, session: webtest.SignIn(b, h, st, "admin", true)}
	if _, err := st.CreateProject(ctx, benchProject, "a benchmark project"); err != nil {
		b.Fatalf("creating the project: %v", err)
	}
	e.want(e.post("/projects/team/new-blueprint", url.Values{"name": {benchBlueprint}}, false), http.StatusSeeOther)

	for _, typ := range []string{"azurerm_resource_group", "azurerm_kubernetes_cluster"} {
		e.want(e.post(paths.EditAdd(benchProject, benchBlueprint), url.Values{"type": {typ}, "kind": {"resource"}}, false), http.StatusSeeOther)
	}
	e.fill("azurerm_resource_group.main", "", map[string]string{"name": "rg-payments", "location": "westeurope"})
	e.fill(benchAKS, "add:identity", nil)
	e.fill(benchAKS, "", map[string]string{
		"name":                         "aks-payments",
		"location":                     "westeurope",
		"resource_group_name:mode":     "ref",
		"resource_group_name":          "azurerm_resource_group.main.name",
		"dns_prefix":                   "payments",
		"default_node_pool[0].name":    "system",
		"default_node_pool[0].vm_size": "Standard_D2s_v5",
		benchNodeKey:                   "2",
		"identity[0].type":             "SystemAssigned",
	})
	return e
}

func (e *benchEditor) do(r *http.Request) *httptest.ResponseRecorder {
	e.session.Apply(r)
	w := httptest.NewRecorder()
	e.handler.ServeHTTP(w, r)
	return w
}

func (e *benchEditor) get(path string, htmx bool) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodGet, path, nil)
	if htmx {
		r.Header.Set("HX-Request", "true")
	}
	return e.do(r)
}

func (e *benchEditor) post(path string, form url.Values, htmx bool) *httptest.ResponseRecorder {
	return e.postBody(path, form.Encode(), htmx)
}

// postBody posts an already encoded form, so the benchmarks do not time the encoding.
func (e *benchEditor) postBody(path, body string, htmx bool) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if htmx {
		r.Header.Set("HX-Request", "true")
	}
	return e.do(r)
}

func (e *benchEditor) want(w *httptest.ResponseRecorder, status int) {
	e.b.Helper()
	if w.Code != status {
		e.b.Fatalf("status %d, want %d; body:\n%s", w.Code, status, w.Body)
	}
}

func (e *benchEditor) page(w *httptest.ResponseRecorder) *goquery.Document {
	e.b.Helper()
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(w.Body.Bytes()))
	if err != nil {
		e.b.Fatalf("parsing the HTML answer: %v", err)
	}
	return doc
}

// itemForm opens the editor on item and returns where its form posts and what a browser
// would submit.
func (e *benchEditor) itemForm(item string) (string, url.Values) {
	e.b.Helper()
	w := e.get(paths.EditItem(benchProject, benchBlueprint, item), false)
	e.want(w, http.StatusOK)
	f := e.page(w).Find("#item-form")
	if f.Length() != 1 {
		e.b.Fatalf("the editor on %s has %d item forms", item, f.Length())
	}
	return f.AttrOr("action", ""), htmltest.FormValues(f)
}

// fill submits item's form with values set (and op, when not empty), as htmx does.
func (e *benchEditor) fill(item, op string, values map[string]string) {
	e.b.Helper()
	action, v := e.itemForm(item)
	for k, x := range values {
		v.Set(k, x)
	}
	if op != "" {
		v.Set("op", op)
	}
	e.want(e.post(action, v, true), http.StatusOK)
}

// BenchmarkEditorAKSForm opens the editor on the AKS cluster: the whole page, with the
// schema-driven form (the largest of the azurerm types), the outline and the preview.
func BenchmarkEditorAKSForm(b *testing.B) {
	e := newBenchEditor(b)
	path := paths.EditItem(benchProject, benchBlueprint, benchAKS)
	if doc := e.page(e.get(path, false)); doc.Find(`[data-testid="block"][data-key="default_node_pool"]`).Length() != 1 {
		b.Fatal("the AKS form has no default_node_pool block")
	}
	var n int
	for b.Loop() {
		w := e.get(path, false)
		if w.Code != http.StatusOK {
			b.Fatalf("status %d", w.Code)
		}
		n = w.Body.Len()
	}
	b.ReportMetric(float64(n), "resp-bytes")
}

// BenchmarkEditorSearch is one keystroke in the editor's "add a type" search: the htmx
// request for the results only, in add mode, over all types of the catalog.
func BenchmarkEditorSearch(b *testing.B) {
	e := newBenchEditor(b)
	path := paths.Catalog("") + "?" + url.Values{"q": {benchSearchQ}, "project": {benchProject}, "blueprint": {benchBlueprint}}.Encode()
	if w := e.get(path, true); !strings.Contains(w.Body.String(), "azurerm_kubernetes_cluster") {
		b.Fatalf("searching %q does not find azurerm_kubernetes_cluster:\n%s", benchSearchQ, w.Body)
	}
	var n int
	for b.Loop() {
		w := e.get(path, true)
		if w.Code != http.StatusOK {
			b.Fatalf("status %d", w.Code)
		}
		n = w.Body.Len()
	}
	b.ReportMetric(float64(n), "resp-bytes")
}

// BenchmarkEditorEditPreview is one debounced input on the AKS form: htmx posts the whole
// form with one value changed; the server parses it, applies it to the draft, saves the
// draft to SQLite, validates, generates and renders the preview. The node count alternates
// between two values so every post is a real change.
func BenchmarkEditorEditPreview(b *testing.B) {
	e := newBenchEditor(b)
	action, v := e.itemForm(benchAKS)
	var bodies [2]string
	for i, count := range []string{"3", "2"} {
		v.Set(benchNodeKey, count)
		bodies[i] = v.Encode()
	}
	w := e.postBody(action, bodies[0], true)
	e.want(w, http.StatusOK)
	doc := e.page(w)
	if doc.Find("#item-form").Length() != 0 {
		b.Fatal("typing re-rendered the form")
	}
	if main := webtest.PreviewFile(doc, "main.tf"); !strings.Contains(main, "node_count") || !strings.Contains(main, "= 3") {
		b.Fatalf("the preview does not show the new node count:\n%s", main)
	}
	if errs := doc.Find(`[data-testid="preview-summary"]`).AttrOr("data-errors", ""); errs != "0" {
		b.Logf("the preview shows %s errors: %s", errs, doc.Find(`[data-testid="preview-diagnostics"]`).Text())
	}
	var n, i int
	for b.Loop() {
		w := e.postBody(action, bodies[i%2], true)
		if w.Code != http.StatusOK {
			b.Fatalf("status %d", w.Code)
		}
		n = w.Body.Len()
		i++
	}
	// After the loop: b.Loop resets the timer, and with it any metric reported before.
	b.ReportMetric(float64(len(bodies[0])), "form-bytes")
	b.ReportMetric(float64(n), "resp-bytes")
}
