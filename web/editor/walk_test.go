package editor

import (
	"bytes"
	"context"
	"log/slog"
	"slices"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/google/go-cmp/cmp"
	tfjson "github.com/hashicorp/terraform-json"

	"github.com/cloudoven/cloudoven/blueprint"
	"github.com/cloudoven/cloudoven/catalog"
	"github.com/cloudoven/cloudoven/deployment"
	"github.com/cloudoven/cloudoven/internal/testenv"
	"github.com/cloudoven/cloudoven/web/form"
	"github.com/cloudoven/cloudoven/web/htmltest"
	"github.com/cloudoven/cloudoven/web/page"
)

// TestEditorFormForEveryType walks every resource and data source type of the embedded
// catalog through the editor's item form: the form of a resource whose required arguments
// hold placeholders must offer each of them and each required block, and what a browser
// submits from it, applied to an empty config, must give back exactly that config, which
// validates and generates. The config comes only from the rendered HTML, so a value that
// does not survive render → submit → parse fails its type here.
func TestEditorFormForEveryType(t *testing.T) {
	t.Parallel()
	cat := testenv.Catalog(t)
	s := walkServer(t)
	var walked, failed, keys atomic.Int64
	t.Run("types", func(t *testing.T) {
		for _, kind := range []catalog.Kind{catalog.KindResource, catalog.KindDataSource} {
			for _, name := range cat.TypeNames(kind) {
				typ := cat.Lookup(kind, name)
				t.Run(typeKindSegment(kind)+"/"+name, func(t *testing.T) {
					t.Parallel()
					walked.Add(1)
					defer func() {
						if t.Failed() {
							failed.Add(1)
						}
					}()
					keys.Add(int64(walkType(t, s, cat, typ)))
				})
			}
		}
	})
	t.Logf("walked %d types, %d failed; %d required arguments and block instances offered", walked.Load(), failed.Load(), keys.Load())
	if walked.Load() < 1000 {
		t.Errorf("walked only %d types; the embedded catalog has well over a thousand", walked.Load())
	}
}

// walkServer is just enough of the editor to build its props: the catalog, a frame whose
// static files have fixed URLs, and the default checks (a resolver without stores).
func walkServer(t *testing.T) *Handlers {
	t.Helper()
	cat := testenv.Catalog(t)
	return New(page.NewFrame(nil, fixedAssets{}, slog.New(slog.DiscardHandler), nil), nil, func() *catalog.Catalog { return cat },
		deployment.NewResolver(deployment.Config{}))
}

// fixedAssets gives every static file the same made-up hash.
type fixedAssets struct{}

func (fixedAssets) URL(name string) string { return "/static/test/" + name }

// walkType checks the form of typ and returns how many required arguments and block
// instances it found offered.
func walkType(t *testing.T, s *Handlers, cat *catalog.Catalog, typ *catalog.Type) int {
	if typ.Schema == nil || typ.Schema.Block == nil {
		t.Fatal("the catalog has no schema for the type")
	}
	schema := typ.Schema.Block
	es := &editorSession{project: "team", name: "walk", bp: &blueprint.Blueprint{Name: "walk"}, cat: cat}
	res := blueprint.NewResource(typ, nil)
	if res.Mode == blueprint.DataMode {
		es.bp.Data = append(es.bp.Data, res)
	} else {
		es.bp.Resources = append(es.bp.Resources, res)
	}
	if rp, ok := blueprint.RequiredProviderFor(typ); ok {
		es.bp.RequiredProviders = append(es.bp.RequiredProviders, rp)
	}
	if pc, ok := blueprint.ProviderConfigFor(typ); ok {
		es.bp.Providers = append(es.bp.Providers, pc)
	}
	addr := res.Address()
	if diags := blueprint.Validate(es.bp, cat); diags.HasErrors() {
		t.Fatalf("the placeholder config does not validate, so the walk proves nothing:\n%s", diags.Errors().Error())
	}
	wantFiles := generated(t, es.bp)
	// The form writes lists and maps as HCL, which the editor reads back the way Import does:
	// ["a"] is one literal, not a list of literals. Both generate the same HCL; the document
	// to compare with is the placeholder config read the editor's way.
	want := canonicalDocument(t, es.bp, addr)

	props, err := s.editorProps(es, addr, nil)
	if err != nil {
		t.Fatalf("building the editor: %v", err)
	}
	if props.Resource == nil || !props.Resource.Known {
		t.Fatalf("the editor does not show %s as a known type", addr)
	}
	var buf bytes.Buffer
	if err := editorItem(props).Render(context.Background(), &buf); err != nil {
		t.Fatalf("rendering the form: %v", err)
	}
	doc, err := goquery.NewDocumentFromReader(&buf)
	if err != nil {
		t.Fatalf("parsing the form: %v", err)
	}
	f := doc.Find("#item-form")
	if f.Length() != 1 {
		t.Fatalf("%d item forms", f.Length())
	}

	shown := map[string]bool{}
	f.Find(`[data-testid="field"], [data-testid="block-instance"]`).Each(func(_ int, el *goquery.Selection) {
		shown[el.AttrOr("data-key", "")] = true
	})
	values := htmltest.FormValues(f)
	required := requiredKeys(schema, res.Config, "")
	for _, k := range required {
		if !shown[k] {
			t.Errorf("the form does not offer %s", k)
		}
	}
	for _, k := range blockCountKeys(schema, res.Config, "") {
		if !values.Has(k) {
			t.Errorf("the form does not submit %s", k)
		}
	}

	r := es.bp.Resource(addr)
	r.Config = form.Skeleton(schema, blueprint.TypeExample(typ))
	ed, err := applyResource(es, addr, values, form.Op{})
	if err != nil {
		t.Fatalf("applying the form: %v", err)
	}
	if ed.problem != "" || ed.item != addr {
		t.Fatalf("applying the form: problem %q, item %q", ed.problem, ed.item)
	}
	got, err := es.bp.MarshalDocument()
	if err != nil {
		t.Fatalf("marshalling the submitted blueprint: %v", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("the submitted form does not give back the placeholder config (-want +got):\n%s", diff)
	}
	if diags := blueprint.Validate(es.bp, cat); diags.HasErrors() {
		t.Errorf("the submitted config does not validate:\n%s", diags.Errors().Error())
	}
	if diff := cmp.Diff(wantFiles, generated(t, es.bp)); diff != "" {
		t.Errorf("the submitted config generates other files than the placeholder config (-want +got):\n%s", diff)
	}
	return len(required)
}

// generated is b's files by name.
func generated(t *testing.T, b *blueprint.Blueprint) map[string]string {
	t.Helper()
	files, err := blueprint.Generate(b, blueprint.GenerateOptions{})
	if err != nil {
		t.Fatalf("generating: %v", err)
	}
	out := map[string]string{}
	for _, f := range files {
		out[f.Name] = string(f.Content)
	}
	return out
}

// canonicalDocument is b's document with the config of the resource at addr read back the
// way the editor reads HCL, leaving b as it was.
func canonicalDocument(t *testing.T, b *blueprint.Blueprint, addr string) []byte {
	t.Helper()
	c := *b
	c.Resources = slices.Clone(b.Resources)
	c.Data = slices.Clone(b.Data)
	if r := c.Resource(addr); r != nil {
		r.Config = canonicalBody(t, r.Config)
	}
	doc, err := c.MarshalDocument()
	if err != nil {
		t.Fatalf("marshalling the placeholder blueprint: %v", err)
	}
	return doc
}

func canonicalBody(t *testing.T, body blueprint.Body) blueprint.Body {
	t.Helper()
	var out blueprint.Body
	for _, a := range body.Attributes {
		src, err := blueprint.FormatValue(a.Value)
		if err != nil {
			t.Fatalf("formatting %s: %v", a.Name, err)
		}
		v, err := blueprint.ParseValue(src)
		if err != nil {
			t.Fatalf("reading back %s = %s: %v", a.Name, src, err)
		}
		out.Attributes = append(out.Attributes, blueprint.Attribute{Name: a.Name, Value: v})
	}
	for _, b := range body.Blocks {
		out.Blocks = append(out.Blocks, blueprint.Block{Type: b.Type, Body: canonicalBody(t, b.Body)})
	}
	return out
}

// requiredKeys lists the form keys of body's required arguments and of its block instances,
// recursively: default_node_pool[0], default_node_pool[0].vm_size.
func requiredKeys(schema *tfjson.SchemaBlock, body blueprint.Body, prefix string) []string {
	var keys []string
	for name, a := range schema.Attributes {
		if a != nil && a.Required {
			keys = append(keys, walkJoin(prefix, name))
		}
	}
	for name, bt := range schema.NestedBlocks {
		for i, inst := range body.BlocksOf(name) {
			k := walkJoin(prefix, name) + "[" + strconv.Itoa(i) + "]"
			keys = append(keys, k)
			if bt != nil && bt.Block != nil {
				keys = append(keys, requiredKeys(bt.Block, inst.Body, k)...)
			}
		}
	}
	slices.Sort(keys)
	return keys
}

// blockCountKeys lists the count inputs ("<key>#n") of the block types body holds.
func blockCountKeys(schema *tfjson.SchemaBlock, body blueprint.Body, prefix string) []string {
	var keys []string
	for name, bt := range schema.NestedBlocks {
		insts := body.BlocksOf(name)
		if len(insts) > 0 {
			keys = append(keys, walkJoin(prefix, name)+"#n")
		}
		for i, inst := range insts {
			if bt != nil && bt.Block != nil {
				keys = append(keys, blockCountKeys(bt.Block, inst.Body, walkJoin(prefix, name)+"["+strconv.Itoa(i)+"]")...)
			}
		}
	}
	slices.Sort(keys)
	return keys
}

func walkJoin(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix + "." + name
}
