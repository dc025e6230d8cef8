package editor_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/cloudoven/cloudoven/web/editor"
	"github.com/cloudoven/cloudoven/web/form"
	"github.com/cloudoven/cloudoven/web/htmltest"
	"github.com/cloudoven/cloudoven/web/webtest"
)

// opsApp is an editor holding every kind of item with every kind of button: a cluster with
// block instances to remove and block types to add, a provider configuration, rows in each
// table, and a required provider without a configuration.
func opsApp(t *testing.T) *webtest.App {
	t.Helper()
	a := webtest.EditorApp(t)
	a.AddType("azurerm_kubernetes_cluster", "resource")
	a.AddType("azurerm_client_config", "data")
	for _, item := range []string{"variables", "locals", "outputs"} {
		page := a.EditorPage(item)
		webtest.WantStatus(t, a.PostForm(page.Find("#item-form").AttrOr("action", ""), withOp(htmltest.FormValues(page.Find("#item-form")), "add"), true), http.StatusOK)
	}
	a.AddType("kubernetes_namespace", "resource")
	return a
}

// Every button of every editor form posts an op that ParseOp reads back exactly, and that
// its item takes.
func TestEditorButtonsPostOpsTheEditorReads(t *testing.T) {
	t.Parallel()
	a := opsApp(t)
	kinds := map[form.OpKind]bool{}
	for _, item := range []string{"azurerm_kubernetes_cluster.main", "data.azurerm_client_config.main", "provider:azurerm", "variables", "locals", "outputs", "settings"} {
		page := a.EditorPage(item)
		buttons := page.Find(`#item-form button[name="` + form.OpName + `"]`)
		if buttons.Length() == 0 {
			t.Errorf("%s: no op buttons", item)
		}
		buttons.Each(func(_ int, b *goquery.Selection) {
			v := b.AttrOr("value", "")
			op, err := form.ParseOp(v)
			if err != nil {
				t.Errorf("%s: the button %q posts an op the editor cannot read: %v", item, b.Text(), err)
				return
			}
			if op.String() != v {
				t.Errorf("%s: the button posts %q, which reads back as %q", item, v, op.String())
			}
			if !slices.Contains(editor.ItemOps(item), op.Kind) {
				t.Errorf("%s: the button %q posts a %s op, which its item refuses", item, v, op.Kind)
			}
			kinds[op.Kind] = true
		})
	}
	for k := form.OpRename; k <= form.OpConfigure; k++ {
		if !kinds[k] {
			t.Errorf("no button posts a %s op", k)
		}
	}
}

// An op that does not parse, or that its item does not take, is refused with 422 and a
// message, and nothing the form carried is saved.
func TestEditorRefusesMalformedOps(t *testing.T) {
	t.Parallel()
	a := opsApp(t)
	for _, tc := range []struct {
		item, op, want string
	}{
		{"azurerm_kubernetes_cluster.main", "frob", `no such op`},
		{"azurerm_kubernetes_cluster.main", "remove:abc", `remove takes a row number`},
		{"azurerm_kubernetes_cluster.main", "add:", `add takes the key of a block type`},
		{"azurerm_kubernetes_cluster.main", "mode:location=bogus", `the mode is value, ref or expr`},
		{"azurerm_kubernetes_cluster.main", "add", `has no add row button`},
		{"azurerm_kubernetes_cluster.main", "remove:0", `has no remove row button`},
		{"azurerm_kubernetes_cluster.main", "configure:azurerm", `has no configure button`},
		{"provider:azurerm", "rename", `has no rename button`},
		{"variables", "remove:identity[0]", `has no remove block button`},
		{"variables", "mode:v[0].name=ref", `has no mode button`},
		{"outputs", "mode:o[0]=ref", `key of a field`},
		{"locals", "delete", `has no delete button`},
		{"settings", "add", `has no add row button`},
	} {
		t.Run(tc.item+" "+tc.op, func(t *testing.T) {
			page := a.EditorPage(tc.item)
			v := htmltest.FormValues(page.Find("#item-form"))
			changed := changeAField(t, v)
			w := a.PostForm(page.Find("#item-form").AttrOr("action", ""), withOp(v, tc.op), true)
			webtest.WantStatus(t, w, http.StatusUnprocessableEntity)
			if got := w.Header().Get("HX-Retarget"); got != "#flash" {
				t.Errorf("HX-Retarget %q, want #flash", got)
			}
			if msg := webtest.WantOne(t, webtest.ParseHTML(t, w), "flash"); !strings.Contains(msg, tc.want) || !strings.Contains(msg, "othing was saved") {
				t.Errorf("the refusal says %q, want it to mention %q and that nothing was saved", msg, tc.want)
			}
			again := htmltest.FormValues(a.EditorPage(tc.item).Find("#item-form"))
			if again.Get(changed) == "changed-by-a-refused-post" {
				t.Errorf("the refused post saved %s", changed)
			}
		})
	}
	// Without htmx the refusal is an error page with the same status.
	page := a.EditorPage("variables")
	w := a.PostForm(page.Find("#item-form").AttrOr("action", ""), withOp(htmltest.FormValues(page.Find("#item-form")), "remove:x"), false)
	webtest.WantStatus(t, w, http.StatusUnprocessableEntity)
}

// changeAField sets a text input of the form to a value nothing else uses, and returns its
// name.
func changeAField(t *testing.T, v url.Values) string {
	t.Helper()
	for _, k := range []string{"name", form.VariablesTable.FieldKey(0, "description"), form.LocalsTable.FieldKey(0, "name"), form.OutputsTable.FieldKey(0, "description"), "description", "subscription_id"} {
		if v.Has(k) {
			v.Set(k, "changed-by-a-refused-post")
			return k
		}
	}
	t.Fatalf("the form has none of the fields the test changes: %v", v)
	return ""
}
