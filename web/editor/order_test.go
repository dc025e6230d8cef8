package editor_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudoven/cloudoven/web/paths"
	"github.com/cloudoven/cloudoven/web/webtest"
)

// TestEditorClearAndSetAgainKeepsOrder posts the AKS starter's cluster form with values
// cleared, then with them set again one request at a time, in either order: main.tf comes
// back byte for byte, the arguments where the starter had them.
func TestEditorClearAndSetAgainKeepsOrder(t *testing.T) {
	t.Parallel()
	const item = "azurerm_kubernetes_cluster.main"
	tests := []struct {
		name  string
		clear []string // cleared in one post
		again []string // then set again, one post each
	}{
		{name: "the first argument", clear: []string{"name"}, again: []string{"name"}},
		{name: "one in the middle", clear: []string{"sku_tier"}, again: []string{"sku_tier"}},
		{name: "two, set again in their order", clear: []string{"location", "dns_prefix"}, again: []string{"location", "dns_prefix"}},
		{name: "two, set again the other way round", clear: []string{"location", "dns_prefix"}, again: []string{"dns_prefix", "location"}},
		{name: "a nested block's argument", clear: []string{"default_node_pool[0].vm_size"}, again: []string{"default_node_pool[0].vm_size"}},
		{name: "the last argument", clear: []string{"tags"}, again: []string{"tags"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a := webtest.NewApp(t)
			a.CreateProject("team")
			w := a.PostForm(paths.NewBlueprint("team"), url.Values{"name": {"net"}, "starter": {"aks-baseline"}}, false)
			webtest.WantStatus(t, w, http.StatusSeeOther)
			page := a.EditorPage(item)
			before := webtest.PreviewFile(page, "main.tf")
			original := map[string]string{}
			for _, k := range tt.clear {
				v := page.Find(`#item-form [name="` + k + `"]`)
				original[k] = v.AttrOr("value", "")
				if v.Is("select") {
					original[k] = v.Find("option[selected]").AttrOr("value", "")
				}
				if original[k] == "" {
					t.Fatalf("the starter's form has no value for %s", k)
				}
			}
			got := a.SubmitItem(page, func(v url.Values) {
				for _, k := range tt.clear {
					v.Set(k, "")
				}
			})
			main := webtest.PreviewFile(got, "main.tf")
			if n := strings.Count(before, "\n") - strings.Count(main, "\n"); n != len(tt.clear) {
				t.Fatalf("clearing %v took %d lines out of main.tf, want %d:\n%s", tt.clear, n, len(tt.clear), main)
			}
			set := map[string]bool{}
			for _, k := range tt.again {
				set[k] = true
				got = a.SubmitItem(page, func(v url.Values) {
					for _, c := range tt.clear {
						if !set[c] {
							v.Set(c, "")
						}
					}
				})
			}
			if diff := cmp.Diff(before, webtest.PreviewFile(got, "main.tf")); diff != "" {
				t.Errorf("main.tf after clearing %v and setting %v again (-before +after):\n%s", tt.clear, tt.again, diff)
			}
		})
	}
}
