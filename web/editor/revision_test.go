package editor_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/cloudoven/cloudoven/blueprint"
	"github.com/cloudoven/cloudoven/web/htmltest"
	"github.com/cloudoven/cloudoven/web/paths"
	"github.com/cloudoven/cloudoven/web/webtest"
)

// draftResources counts the resources of blueprint "net"'s draft in the store.
func draftResources(t *testing.T, a *webtest.App) int {
	t.Helper()
	d, err := a.Store.Draft(context.Background(), "team", "net")
	if err != nil {
		t.Fatalf("reading the draft: %v", err)
	}
	bp, err := blueprint.ParseDocument(d.Document)
	if err != nil {
		t.Fatalf("parsing the draft: %v", err)
	}
	return len(bp.Resources)
}

// TestEditorParallelAddsLoseNothing posts 12 adds at once to one draft, as a user clicking
// Add in several tabs (or a script) does: each is answered 303 (added) or 409 (refused, to
// be retried after a reload), and the draft holds exactly one resource per 303.
func TestEditorParallelAddsLoseNothing(t *testing.T) {
	t.Parallel()
	a := webtest.EditorApp(t)
	const n = 12
	codes := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := a.PostForm(paths.EditAdd("team", "net"), url.Values{"type": {"terraform_data"}, "kind": {"resource"}}, false)
			codes[i] = w.Code
		}()
	}
	wg.Wait()
	added := 0
	for i, code := range codes {
		switch code {
		case http.StatusSeeOther:
			added++
		case http.StatusConflict:
		default:
			t.Errorf("add %d answered %d, want 303 or 409", i+1, code)
		}
	}
	if got := draftResources(t, a); got != added {
		t.Errorf("the draft holds %d resources, but %d adds were answered 303 (answers %v)", got, added, codes)
	}
	if added == 0 {
		t.Errorf("no add of %d was kept (answers %v)", n, codes)
	}
	t.Logf("%d of %d adds kept (answers %v)", added, n, codes)
}

// editorAs is the app signed in as user, an editor of project "team".
func editorAs(t *testing.T, a *webtest.App, user string) *webtest.App {
	t.Helper()
	b := a.As(user)
	if err := a.Store.SetMember(context.Background(), "team", user, "editor"); err != nil {
		t.Fatal(err)
	}
	return b
}

// postItem posts the item form of page with change applied, as htmx does.
func postItem(a *webtest.App, page *goquery.Document, change func(url.Values)) *httptest.ResponseRecorder {
	f := page.Find("#item-form")
	v := htmltest.FormValues(f)
	if change != nil {
		change(v)
	}
	return a.PostForm(f.AttrOr("action", ""), v, true)
}

// TestEditorStaleWriteIsRefused: two authors open the same item; the second to type, whose
// form shows the draft from before the first one's change, is answered 409 with a message to
// reload, and the draft keeps the first one's change. After a reload the change goes in.
func TestEditorStaleWriteIsRefused(t *testing.T) {
	t.Parallel()
	alice := webtest.EditorApp(t)
	alice.AddType("azurerm_resource_group", "resource")
	bob := editorAs(t, alice, "bob")
	const item = "azurerm_resource_group.main"
	alicePage := alice.EditorPage(item)
	bobPage := webtest.ParseHTML(t, bob.Get(paths.EditItem("team", "net", item), false))

	webtest.WantStatus(t, postItem(bob, bobPage, func(v url.Values) { v.Set("name", "rg-bob") }), http.StatusOK)
	w := postItem(alice, alicePage, func(v url.Values) { v.Set("name", "rg-alice") })
	webtest.WantStatus(t, w, http.StatusConflict)
	if got := w.Body.String(); !strings.Contains(got, "Reload") {
		t.Errorf("the refusal does not say to reload:\n%s", got)
	}
	if main := webtest.PreviewFile(alice.EditorPage(item), "main.tf"); !strings.Contains(main, `"rg-bob"`) || strings.Contains(main, "rg-alice") {
		t.Errorf("the draft lost bob's change or took alice's stale one:\n%s", main)
	}

	// Reloaded, alice sees bob's change and hers goes in.
	alicePage = alice.EditorPage(item)
	webtest.WantStatus(t, postItem(alice, alicePage, func(v url.Values) { v.Set("name", "rg-alice") }), http.StatusOK)
	if main := webtest.PreviewFile(bob.EditorPage(item), "main.tf"); !strings.Contains(main, `"rg-alice"`) {
		t.Errorf("alice's change after a reload is not in the draft:\n%s", main)
	}

	// bob's form is stale now. A stale save or discard would keep or throw away changes
	// their author has not seen: refused too.
	webtest.WantStatus(t, postItem(bob, bobPage, func(v url.Values) { v.Set("location", "westeurope") }), http.StatusConflict)
	save := htmltest.FormValues(webtest.ByTestID(bobPage, "save-form"))
	webtest.WantStatus(t, bob.PostForm(paths.EditSave("team", "net"), save, false), http.StatusConflict)
	webtest.WantStatus(t, bob.PostForm(paths.EditDiscard("team", "net"), htmltest.FormValues(webtest.ByTestID(bobPage, "discard-form")), false), http.StatusConflict)
	if main := webtest.PreviewFile(alice.EditorPage(item), "main.tf"); !strings.Contains(main, `"rg-alice"`) {
		t.Errorf("a refused save or discard changed the draft:\n%s", main)
	}

	// alice, up to date, discards; bob adds a resource to the new draft. alice's discard
	// form, from before, does not match the new draft although it is "the draft" again.
	discard := htmltest.FormValues(webtest.ByTestID(alicePage, "discard-form"))
	webtest.WantStatus(t, alice.PostForm(paths.EditDiscard("team", "net"), discard, false), http.StatusSeeOther)
	webtest.WantStatus(t, bob.PostForm(paths.EditAdd("team", "net"), url.Values{"type": {"terraform_data"}, "kind": {"resource"}}, false), http.StatusSeeOther)
	webtest.WantStatus(t, alice.PostForm(paths.EditDiscard("team", "net"), discard, false), http.StatusConflict)
	if got := draftResources(t, alice); got != 1 {
		t.Errorf("after bob's add the draft holds %d resources, want 1", got)
	}
}

// TestEditorOwnEarlierRequestsNeverConflict: htmx replaces an in-flight request when the
// author types on (hx-sync), so a request can reach the server and change the draft while
// its answer, with the new revision, is dropped. The author's next requests still carry the
// older revision: they must go in, not be refused as stale. Every answer carries the
// revision of the draft it shows, for the form to send next.
func TestEditorOwnEarlierRequestsNeverConflict(t *testing.T) {
	t.Parallel()
	a := webtest.EditorApp(t)
	const item = "azurerm_resource_group.main"
	page := a.AddType("azurerm_resource_group", "resource")
	var last *httptest.ResponseRecorder
	for _, name := range []string{"r", "rg", "rg-", "rg-a"} {
		last = postItem(a, page, func(v url.Values) { v.Set("name", name) })
		webtest.WantStatus(t, last, http.StatusOK)
	}
	if main := webtest.PreviewFile(a.EditorPage(item), "main.tf"); !strings.Contains(main, `"rg-a"`) {
		t.Errorf("the draft does not hold the last change:\n%s", main)
	}
	// The answer updates the form's revision out of band, without replacing the form.
	rev := webtest.ParseHTML(t, last).Find(`#item-form-revision[hx-swap-oob]`)
	if rev.Length() != 1 || rev.AttrOr("value", "") == page.Find(`#item-form-revision`).AttrOr("value", "") {
		t.Fatalf("the answer carries no new revision for the form: %d elements, value %q", rev.Length(), rev.AttrOr("value", ""))
	}
	page.Find(`#item-form-revision`).SetAttr("value", rev.AttrOr("value", ""))
	webtest.WantStatus(t, postItem(a, page, func(v url.Values) { v.Set("name", "rg-ab") }), http.StatusOK)
}
