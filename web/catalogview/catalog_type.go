package catalogview

import (
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/a-h/templ"
	tfjson "github.com/hashicorp/terraform-json"

	"github.com/cloudoven/cloudoven/catalog"
	"github.com/cloudoven/cloudoven/web/page"
	"github.com/cloudoven/cloudoven/web/paths"
)

// typeProps is the page of one resource or data source type: its docs as rendered markdown
// and its argument reference built from the schema, which is the truth the docs describe.
type typeProps struct {
	Layout         page.Layout
	Name           string
	Kind           string // resource or data
	ProviderName   string
	ProviderSource string
	Version        string
	Subcategory    string
	Description    string // one line, plain text
	Body           templ.Component
	Notes          []noteView
	Arguments      blockView
	Attributes     []argRow // computed-only, at any depth
	Examples       []string
	Import         templ.Component
	HasDoc         bool
	SearchURL      string
}

// noteView is a callout; Kind is note, warning or caution.
type noteView struct {
	Kind string
	Text templ.Component
}

// blockView is the arguments of a block, required first, and its nested blocks.
type blockView struct {
	Path        string // "" for the type itself
	Name        string
	Nesting     string // list, set, single, map, group
	Limits      string // "at most 1", "1 to 3", …; "" when unbounded
	Deprecated  bool
	Description templ.Component // nil when the docs say nothing
	Args        []argRow
	Blocks      []blockView
}

type argRow struct {
	Name        string
	Path        string
	Type        string
	Required    bool
	Computed    bool // optional arguments the provider fills in when unset
	Sensitive   bool
	Deprecated  bool
	Description templ.Component // nil when the docs say nothing
}

// schemaKind is a kind as a URL writes it: resource or data.
func schemaKind(k string) catalog.Kind { return catalog.Kind(k) }

// showType answers GET /catalog/types/{kind}/{name}.
func (s *Handlers) showType(w http.ResponseWriter, r *http.Request) error {
	kind := r.PathValue("kind")
	if kind != string(catalog.KindResource) && kind != string(catalog.KindDataSource) {
		return page.ErrNotFound
	}
	t := s.catalog().Lookup(schemaKind(kind), r.PathValue("name"))
	if t == nil || t.Schema == nil || t.Schema.Block == nil {
		return page.ErrNotFound
	}
	return s.frame.Render(w, r, http.StatusOK, typePage(s.typeView(t)), "")
}

func (s *Handlers) typeView(t *catalog.Type) typeProps {
	kind := string(t.Kind)
	p := typeProps{
		Layout:         s.frame.Layout(t.Name, page.NavCatalog, page.CatalogCrumb(), page.Crumb{Label: t.Provider.Name, URL: paths.Catalog(t.Name)}),
		Name:           t.Name,
		Kind:           kind,
		ProviderName:   t.Provider.Name,
		ProviderSource: t.Provider.Source,
		Version:        t.Provider.Version,
		SearchURL:      paths.Catalog(t.Name),
	}
	links := s.docLinks(t.Provider.Name, kind)
	doc := t.Doc
	if doc == nil {
		doc = &catalog.Doc{}
	} else {
		p.HasDoc = true
	}
	p.Subcategory = doc.Subcategory
	p.Description = doc.Description
	if doc.Description == "" {
		p.Description = t.Schema.Block.Description
	}
	// The body repeats the page's callouts, which the notes show styled by kind.
	if body := withoutLead(page.WithoutCallouts(doc.Body), p.Description); body != "" {
		p.Body = page.DocMarkdown(body, links)
	}
	for _, n := range doc.Notes {
		p.Notes = append(p.Notes, noteView{Kind: noteKind(n.Kind), Text: page.DocMarkdown(n.Text, links)})
	}
	p.Examples = doc.Examples
	if strings.TrimSpace(doc.Import) != "" {
		p.Import = page.DocMarkdown(doc.Import, links)
	}
	v := referenceBuilder{doc: doc, links: links}
	p.Arguments = v.block("", "", t.Schema.Block)
	p.Attributes = v.attributes
	return p
}

// withoutLead drops the body's first paragraph when it only repeats the description, which
// the page already shows as its lead.
func withoutLead(body, description string) string {
	body = strings.TrimSpace(body)
	first, rest, _ := strings.Cut(body, "\n\n")
	norm := func(s string) string { return strings.TrimRight(strings.TrimSpace(s), ".") }
	if description != "" && strings.EqualFold(norm(first), norm(description)) {
		return strings.TrimSpace(rest)
	}
	return body
}

func noteKind(k string) string {
	switch k {
	case "warning", "caution":
		return k
	}
	return "note"
}

// referenceBuilder walks a schema into the argument reference, collecting computed-only
// attributes on the way.
type referenceBuilder struct {
	doc        *catalog.Doc
	links      page.DocLinkResolver
	attributes []argRow
}

func (b *referenceBuilder) block(path, name string, blk *tfjson.SchemaBlock) blockView {
	v := blockView{Path: path, Name: name, Deprecated: blk.Deprecated}
	if path != "" {
		v.Description = b.describe(b.doc.Arguments[path], blk.Description)
	}
	for _, an := range sortedKeys(blk.Attributes) {
		a := blk.Attributes[an]
		if a == nil {
			continue
		}
		row := argRow{
			Name:       an,
			Path:       joinPath(path, an),
			Type:       attributeType(a),
			Required:   a.Required,
			Computed:   a.Computed,
			Sensitive:  a.Sensitive,
			Deprecated: a.Deprecated,
		}
		if !a.Required && !a.Optional {
			desc := b.doc.Attributes[row.Path]
			if desc == "" {
				desc = b.doc.Arguments[row.Path]
			}
			row.Description = b.describe(desc, a.Description)
			b.attributes = append(b.attributes, row)
			continue
		}
		desc := b.doc.Arguments[row.Path]
		if desc == "" && strings.HasPrefix(row.Path, "timeouts.") {
			desc = b.doc.Timeouts[an]
		}
		row.Description = b.describe(desc, a.Description)
		v.Args = append(v.Args, row)
	}
	// Required first, each group in name order (the sort is stable over sorted names).
	sort.SliceStable(v.Args, func(i, j int) bool { return v.Args[i].Required && !v.Args[j].Required })
	for _, bn := range sortedKeys(blk.NestedBlocks) {
		nb := blk.NestedBlocks[bn]
		if nb == nil || nb.Block == nil {
			continue
		}
		child := b.block(joinPath(path, bn), bn, nb.Block)
		child.Nesting = string(nb.NestingMode)
		child.Limits = limits(nb.MinItems, nb.MaxItems)
		v.Blocks = append(v.Blocks, child)
	}
	return v
}

// describe renders the doc's text, or the schema's when the docs have none.
func (b *referenceBuilder) describe(doc, schema string) templ.Component {
	md := doc
	if strings.TrimSpace(md) == "" {
		md = schema
	}
	if strings.TrimSpace(md) == "" {
		return nil
	}
	return page.DocMarkdown(md, b.links)
}

func joinPath(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// limits says how many items a nested block takes; "" when any number will do.
func limits(minItems, maxItems uint64) string {
	switch {
	case minItems == 0 && maxItems == 0:
		return ""
	case minItems == 0:
		return "at most " + strconv.FormatUint(maxItems, 10)
	case maxItems == 0:
		return "at least " + strconv.FormatUint(minItems, 10)
	case minItems == maxItems:
		return "exactly " + strconv.FormatUint(minItems, 10)
	}
	return strconv.FormatUint(minItems, 10) + " to " + strconv.FormatUint(maxItems, 10)
}

// attributeType names an attribute's type the way Terraform configuration writes it. A nested
// attribute type is labelled from its nesting mode, as catalog.TypeLabel labels the object
// type it stands for (list(object), object).
func attributeType(a *tfjson.SchemaAttribute) string {
	if nt := a.AttributeNestedType; nt != nil {
		switch nt.NestingMode {
		case tfjson.SchemaNestingModeList:
			return "list(object)"
		case tfjson.SchemaNestingModeSet:
			return "set(object)"
		case tfjson.SchemaNestingModeMap:
			return "map(object)"
		}
		return "object"
	}
	return catalog.TypeLabel(a.AttributeType)
}
