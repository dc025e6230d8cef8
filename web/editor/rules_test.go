package editor_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/cloudoven/cloudoven/catalog"
	"github.com/cloudoven/cloudoven/internal/testenv"
	"github.com/cloudoven/cloudoven/web"
	"github.com/cloudoven/cloudoven/web/paths"
	"github.com/cloudoven/cloudoven/web/webtest"
)

func num(f float64) *float64 { return &f }

// aksRules are rules as the crawler mines them from azurerm_kubernetes_cluster's docs, some
// with the markup crawled text may hold.
var aksRules = testenv.TypeRules{
	"sku_tier": {
		{Kind: catalog.RuleEnum, Values: []string{"Free", "Standard", "Premium"}, Sentence: "Possible values are `Free`, `Standard` and `Premium`."},
		{Kind: catalog.RuleDefault, Default: "Free", Sentence: "Defaults to `Free`."},
	},
	"dns_prefix": {
		{Kind: catalog.RuleForcesNew, Sentence: "Changing this forces a new resource to be created."},
		{Kind: catalog.RuleLength, Min: num(1), Max: num(54), Sentence: "between 1 and 54 characters in length"},
		{Kind: catalog.RulePattern, Pattern: `^[a-zA-Z0-9-]+$`, Sentence: "can contain only letters, numbers and hyphens <script>alert(1)</script>"},
	},
	"kubernetes_version": {
		{Kind: catalog.RuleEnum, Values: []string{"1.30", "1.31"}, Partial: true, Sentence: "such as `1.30`"},
	},
	"default_node_pool.node_count": {
		{Kind: catalog.RuleRange, Min: num(0), Max: num(1000), Sentence: "must be between `0` and `1000`"},
	},
	"default_node_pool.vm_size": {
		{Kind: catalog.RuleForcesNew, Sentence: "Changing this forces a new resource to be created."},
	},
}

// rulesEditorApp is EditorApp over a catalog whose azurerm_kubernetes_cluster (resource and
// data source) has aksRules.
func rulesEditorApp(t *testing.T) *webtest.App {
	t.Helper()
	cat := testenv.CatalogWithRules(t, map[string]testenv.TypeRules{
		"azurerm_kubernetes_cluster":      aksRules,
		"data.azurerm_kubernetes_cluster": {"name": aksRules["dns_prefix"][:1]},
	})
	a := webtest.NewAppWith(t, func(c *web.Config) { c.Catalog = cat })
	a.CreateProject("team")
	w := a.PostForm(paths.NewBlueprint("team"), url.Values{"name": {"net"}}, false)
	webtest.WantStatus(t, w, http.StatusSeeOther)
	return a
}

func fieldOf(page *goquery.Document, key string) *goquery.Selection {
	return page.Find(`[data-testid="field"][data-key="` + key + `"]`)
}

func TestEditorFieldsShowTheDocsRules(t *testing.T) {
	t.Parallel()
	a := rulesEditorApp(t)
	page := a.AddType("azurerm_kubernetes_cluster", "resource")

	// An enumeration is a choice, unset with the default named.
	sku := fieldOf(page, "sku_tier").Find(`select[name="sku_tier"][data-testid="choice"]`)
	if sku.Length() != 1 {
		t.Fatalf("sku_tier is no choice:\n%s", webtest.HTML(t, page))
	}
	var opts []string
	sku.Find("option").Each(func(_ int, o *goquery.Selection) {
		opts = append(opts, o.AttrOr("value", "")+"="+strings.TrimSpace(o.Text()))
	})
	if got, want := strings.Join(opts, "|"), "=not set (default: Free)|Free=Free|Standard=Standard|Premium=Premium"; got != want {
		t.Errorf("sku_tier options %s, want %s", got, want)
	}
	if got := sku.AttrOr("title", ""); got != "Possible values are `Free`, `Standard` and `Premium`." {
		t.Errorf("the choice's title %q does not quote the docs", got)
	}
	if sku.Find("option[selected]").AttrOr("value", "x") != "" {
		t.Error("an unset sku_tier does not select the empty choice")
	}

	// A range is a number input with its bounds and a hint it is described by.
	nc := fieldOf(page, "default_node_pool[0].node_count")
	in := nc.Find(`input[name="default_node_pool[0].node_count"]`)
	if in.AttrOr("type", "") != "number" || in.AttrOr("min", "") != "0" || in.AttrOr("max", "") != "1000" || in.AttrOr("step", "") != "any" {
		t.Errorf("node_count input: %s", webtest.HTML(t, goquery.NewDocumentFromNode(in.Get(0))))
	}
	hints := nc.Find(`[data-testid="field-hints"]`)
	if id := in.AttrOr("aria-describedby", ""); id == "" || hints.AttrOr("id", "") != id {
		t.Errorf("node_count is described by %q, its hints have id %q", id, hints.AttrOr("id", ""))
	}
	if got := strings.TrimSpace(hints.Find(`[data-kind="range"]`).Text()); got != "between 0 and 1000" {
		t.Errorf("node_count hint %q", got)
	}
	if got := hints.Find(`[data-kind="range"]`).AttrOr("title", ""); got != "must be between `0` and `1000`" {
		t.Errorf("node_count hint quotes %q", got)
	}

	// A length bounds the text input; the pattern's sentence is the hint, as text.
	dns := fieldOf(page, "dns_prefix")
	din := dns.Find(`input[name="dns_prefix"]`)
	if din.AttrOr("minlength", "") != "1" || din.AttrOr("maxlength", "") != "54" {
		t.Errorf("dns_prefix minlength %q maxlength %q", din.AttrOr("minlength", ""), din.AttrOr("maxlength", ""))
	}
	if _, ok := din.Attr("pattern"); ok {
		t.Error("dns_prefix has an HTML pattern: JavaScript reads RE2 differently")
	}
	if got := dns.Find(`[data-kind="pattern"]`).Text(); !strings.Contains(got, "only letters, numbers and hyphens <script>") {
		t.Errorf("dns_prefix pattern hint %q", got)
	}
	if dns.Find("script").Length() != 0 {
		t.Error("a crawled sentence was rendered as markup")
	}

	// Forces-new: a mark beside the label, quoting the docs; on a block's argument too.
	for _, key := range []string{"dns_prefix", "default_node_pool[0].vm_size"} {
		mark := fieldOf(page, key).Find(`.field-head [data-testid="forces-new"]`)
		if mark.Length() != 1 || !strings.Contains(mark.Text(), "replaces the resource") || !strings.Contains(mark.AttrOr("title", ""), "Changing this forces a new resource to be created.") {
			t.Errorf("%s forces-new mark: %d, %q, title %q", key, mark.Length(), mark.Text(), mark.AttrOr("title", ""))
		}
	}
	if n := fieldOf(page, "sku_tier").Find(`[data-testid="forces-new"]`).Length(); n != 0 {
		t.Error("sku_tier is marked forces-new")
	}

	// A partial list suggests its values in a datalist.
	kv := fieldOf(page, "kubernetes_version").Find(`input[data-testid="suggest"]`)
	list := page.Find(`datalist#` + strings.ReplaceAll(kv.AttrOr("list", "?"), ".", `\.`))
	if kv.Length() != 1 || list.Find("option").Length() != 2 {
		t.Errorf("kubernetes_version: %d suggest inputs, datalist with %d options", kv.Length(), list.Find("option").Length())
	}

	// A choice posts like any input: picking Premium puts it in the preview.
	got := a.SubmitItem(page, func(v url.Values) { v.Set("sku_tier", "Premium") })
	if main := webtest.PreviewFile(got, "main.tf"); !regexp.MustCompile(`(?m)^\s*sku_tier\s*= "Premium"$`).MatchString(main) {
		t.Errorf("preview lacks sku_tier Premium:\n%s", main)
	}
	if sel := fieldOf(a.EditorPage("azurerm_kubernetes_cluster.main"), "sku_tier").Find("option[selected]").AttrOr("value", ""); sel != "Premium" {
		t.Errorf("after choosing Premium the choice selects %q", sel)
	}
}

// TestEditorChoiceKeepsAValueTheDocsDoNotList: a value outside the docs' list shows,
// selected and named as such, and survives every later post of the form unchanged.
func TestEditorChoiceKeepsAValueTheDocsDoNotList(t *testing.T) {
	t.Parallel()
	a := rulesEditorApp(t)
	page := a.AddType("azurerm_kubernetes_cluster", "resource")
	a.SubmitItem(page, func(v url.Values) { v.Set("sku_tier", "Enterprise") })

	page = a.EditorPage("azurerm_kubernetes_cluster.main")
	sku := fieldOf(page, "sku_tier")
	sel := sku.Find("select option[selected]")
	if sel.Length() != 1 || sel.AttrOr("value", "") != "Enterprise" || sel.AttrOr("data-testid", "") != "unlisted-choice" {
		t.Fatalf("the unlisted value is not the selected choice:\n%s", webtest.HTML(t, page))
	}
	if !strings.Contains(sku.Find(`[data-testid="hint-unlisted"]`).Text(), "Enterprise is not among the values the docs list") {
		t.Errorf("no hint that Enterprise is not listed")
	}
	// Changing another field posts the choice as it is: Enterprise stays.
	got := a.SubmitItem(page, func(v url.Values) { v.Set("dns_prefix", "aks") })
	if main := webtest.PreviewFile(got, "main.tf"); !strings.Contains(main, `"Enterprise"`) || !strings.Contains(main, `"aks"`) {
		t.Errorf("the unlisted value was lost:\n%s", main)
	}
}

func TestEditorForcesNewOnManagedResourcesOnly(t *testing.T) {
	t.Parallel()
	a := rulesEditorApp(t)
	page := a.AddType("azurerm_kubernetes_cluster", "data")
	if n := page.Find(`[data-testid="forces-new"]`).Length(); n != 0 {
		t.Errorf("a data source shows %d forces-new marks", n)
	}
	page = a.AddType("azurerm_kubernetes_cluster", "resource")
	if n := page.Find(`[data-testid="forces-new"]`).Length(); n != 2 {
		t.Errorf("the resource shows %d forces-new marks, want 2 (dns_prefix, default_node_pool[0].vm_size)", n)
	}
}
