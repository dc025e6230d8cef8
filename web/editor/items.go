package editor

import (
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"

	tfjson "github.com/hashicorp/terraform-json"

	"github.com/cloudoven/cloudoven/blueprint"
	"github.com/cloudoven/cloudoven/catalog"
	"github.com/cloudoven/cloudoven/web/components"
	"github.com/cloudoven/cloudoven/web/form"
	"github.com/cloudoven/cloudoven/web/page"
	"github.com/cloudoven/cloudoven/web/paths"
)

// fieldProblems holds the diagnostics of an item by form key.
type fieldProblems map[string][]components.Diagnostic

// resourceEditor is the form of one resource or data source.
type resourceEditor struct {
	Address   string
	Type      string
	Name      string
	Data      bool
	TypeURL   string
	Doc       *catalog.Doc
	Known     bool // the catalog has the type
	Form      form.Body
	Problems  fieldProblems
	Pickers   map[string]refPicker // by key, for fields in reference mode
	Count     string
	ForEach   string
	DependsOn string // one reference a line
	Provider  string
	Providers []string // provider configurations of the type's provider: azurerm, azurerm.west
}

func resourceView(es *editorSession, addr string, problems fieldProblems, modes map[string]form.Mode) *resourceEditor {
	r := es.bp.Resource(addr)
	if r == nil {
		return nil
	}
	re := &resourceEditor{
		Address: addr, Type: r.Type, Name: r.Name, Data: r.Mode == blueprint.DataMode,
		Problems: problems, Provider: r.Provider, DependsOn: strings.Join(r.DependsOn, "\n"),
	}
	kind := kindOfResource(r)
	re.TypeURL = paths.CatalogType(typeKindSegment(kind), r.Type)
	if r.Count != nil {
		re.Count, _ = blueprint.FormatValue(*r.Count)
	}
	if r.ForEach != nil {
		re.ForEach, _ = blueprint.FormatValue(*r.ForEach)
	}
	typ := es.cat.Lookup(kind, r.Type)
	var schema *tfjson.SchemaBlock
	if typ != nil && typ.Schema != nil {
		re.Known = true
		re.Doc = typ.Doc
		schema = typ.Schema.Block
		prefix := typ.Provider.Name
		for _, p := range es.bp.Providers {
			if p.Name == prefix {
				re.Providers = append(re.Providers, p.Address())
			}
		}
	}
	re.Form = form.Build(schema, r.Config, form.Options{Docs: docsOf(typ), Modes: modes, Rules: rulesOf(typ), Managed: !re.Data})
	re.Pickers = map[string]refPicker{}
	for _, f := range re.Form.Fields() {
		if f.Mode == form.RefMode {
			c := blueprint.ReferenceCandidates(es.bp, es.cat, addr, f.SchemaPath, f.Type)
			re.Pickers[f.Key] = newRefPicker(c[:min(len(c), maxCandidates)], f.Text)
		}
	}
	return re
}

// typeKindSegment is the kind as the type page's URL writes it.
func typeKindSegment(k catalog.Kind) string {
	if k == catalog.KindDataSource {
		return "data"
	}
	return "resource"
}

// docsOf looks arguments up in a type's crawled docs.
func docsOf(typ *catalog.Type) form.Docs {
	if typ == nil || typ.Doc == nil {
		return nil
	}
	return func(path string) string { return docText(typ.Doc.Arguments[path]) }
}

var (
	mdLink     = regexp.MustCompile(`\[([^\]]+)\]\([^)\s]+\)`)
	mdCallout  = regexp.MustCompile(`(^|\s)(~>|->|!>)\s*`)
	mdEmphasis = strings.NewReplacer("**", "", "__", "", "`", "")
)

// docText is an argument's markdown description as plain text for the form: links keep
// their text, code spans and emphasis lose their marks, callout arrows go. The type page
// shows the same docs fully rendered.
func docText(md string) string {
	s := mdLink.ReplaceAllString(md, "$1")
	s = mdCallout.ReplaceAllString(s, "$1")
	return strings.TrimSpace(mdEmphasis.Replace(s))
}

// postedModes collects the modes the submitted form's fields were in, so a re-rendered form
// keeps a field the author just switched to reference mode in that mode.
func postedModes(values url.Values, op form.Op) map[string]form.Mode {
	modes := map[string]form.Mode{}
	for k, v := range values {
		if key, ok := form.ParseModeKey(k); ok && len(v) > 0 {
			modes[key] = form.Mode(v[0])
		}
	}
	if op.Kind == form.OpMode {
		modes[op.Key] = op.Mode
	}
	return modes
}

// applyBodyOp applies an add or remove op to a body laid out by schema.
func applyBodyOp(schema *tfjson.SchemaBlock, body blueprint.Body, op form.Op, opts form.ParseOptions) (blueprint.Body, string) {
	var err error
	switch op.Kind {
	case form.OpAddBlock:
		body, err = form.AddBlock(schema, body, op.Key, opts)
	case form.OpRemoveBlock:
		body, err = form.RemoveBlock(schema, body, op.Key)
	}
	if err != nil {
		return body, page.Capitalize(err.Error()) + "."
	}
	return body, ""
}

func applyResource(es *editorSession, addr string, values url.Values, op form.Op) (editOutcome, error) {
	r := es.bp.Resource(addr)
	if r == nil {
		return editOutcome{}, page.ErrNotFound
	}
	ed := editOutcome{item: addr, modes: postedModes(values, op)}
	typ := es.cat.Lookup(kindOfResource(r), r.Type)
	var schema *tfjson.SchemaBlock
	opts := form.ParseOptions{Prior: es.priorBody(func(b *blueprint.Blueprint) *blueprint.Body {
		if pr := b.Resource(addr); pr != nil {
			return &pr.Config
		}
		return nil
	})}
	if typ != nil && typ.Schema != nil {
		schema = typ.Schema.Block
		opts.Example = sync.OnceValue(func() []string { return blueprint.TypeExample(typ) })
	}
	r.Config = form.Parse(schema, r.Config, values, opts)
	if values.Has(form.MetaCount) {
		r.Count = metaValue(values.Get(form.MetaCount))
	}
	if values.Has(form.MetaForEach) {
		r.ForEach = metaValue(values.Get(form.MetaForEach))
	}
	if values.Has(form.MetaDependsOn) {
		r.DependsOn = lines(values.Get(form.MetaDependsOn))
	}
	if values.Has(form.MetaProvider) {
		r.Provider = strings.TrimSpace(values.Get(form.MetaProvider))
	}
	switch op.Kind {
	case form.OpDelete:
		es.bp.RemoveResource(addr)
		ed.item = es.defaultItem()
	case form.OpRename:
		name := strings.TrimSpace(values.Get(form.MetaName))
		if name == r.Name {
			break
		}
		mode, typ := r.Mode, r.Type
		// Every reference to the resource follows the new name.
		if _, err := blueprint.RenameResource(es.bp, addr, name); err != nil {
			ed.problem = strings.TrimSuffix(page.Capitalize(strings.TrimPrefix(err.Error(), "renaming "+addr+": ")), ".") + "."
			break
		}
		ed.item = blueprint.Resource{Mode: mode, Type: typ, Name: name}.Address()
	default:
		r.Config, ed.problem = applyBodyOp(schema, r.Config, op, opts)
	}
	return ed, es.priorErr
}

// metaValue reads count or for_each; empty unsets it.
func metaValue(s string) *blueprint.Value {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	v, _ := blueprint.ParseValue(s)
	return &v
}

// lines splits a textarea into its non-empty, trimmed lines.
func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// providerSource is the source of the provider with local name name: its
// required_providers entry's, else Terraform's default, hashicorp/NAME.
func providerSource(es *editorSession, name string) string {
	source := ""
	for _, rp := range es.bp.RequiredProviders {
		if rp.Name == name {
			source = rp.Source
		}
	}
	if source == "" {
		source = "hashicorp/" + name
	}
	return source
}

// providerSchema is the configuration schema of the provider with local name name.
func providerSchema(es *editorSession, name string) *tfjson.SchemaBlock {
	p := es.cat.Provider(providerSource(es, name))
	if p == nil || p.Schema == nil || p.Schema.ConfigSchema == nil {
		return nil
	}
	return p.Schema.ConfigSchema.Block
}

// providerEditor is the form of one provider configuration.
type providerEditor struct {
	Address  string
	Name     string
	Alias    string
	Known    bool
	Form     form.Body
	Problems fieldProblems
}

func providerView(es *editorSession, addr string, problems fieldProblems, modes map[string]form.Mode) *providerEditor {
	_, pc := es.provider(addr)
	if pc == nil {
		return nil
	}
	schema := providerSchema(es, pc.Name)
	return &providerEditor{
		Address: addr, Name: pc.Name, Alias: pc.Alias, Known: schema != nil, Problems: problems,
		Form: form.Build(schema, pc.Config, form.Options{Modes: modes}),
	}
}

func applyProvider(es *editorSession, addr string, values url.Values, op form.Op) (editOutcome, error) {
	i, pc := es.provider(addr)
	if pc == nil {
		return editOutcome{}, page.ErrNotFound
	}
	ed := editOutcome{item: itemProvider + addr, modes: postedModes(values, op)}
	schema := providerSchema(es, pc.Name)
	opts := form.ParseOptions{Prior: es.priorBody(func(b *blueprint.Blueprint) *blueprint.Body {
		for i := range b.Providers {
			if b.Providers[i].Address() == addr {
				return &b.Providers[i].Config
			}
		}
		return nil
	})}
	pc.Config = form.Parse(schema, pc.Config, values, opts)
	if op.Kind == form.OpDelete {
		es.bp.Providers = append(es.bp.Providers[:i:i], es.bp.Providers[i+1:]...)
		ed.item = itemSettings
		return ed, nil
	}
	pc.Config, ed.problem = applyBodyOp(schema, pc.Config, op, opts)
	return ed, es.priorErr
}

// rowOp reads the add and remove ops of the variables, locals and outputs tables; removing a
// row the table does not have (any more) does nothing.
func rowOp(op form.Op, n int) (add bool, remove int) {
	switch op.Kind {
	case form.OpAddRow:
		return true, -1
	case form.OpRemoveRow:
		if op.Index < n {
			return false, op.Index
		}
	}
	return false, -1
}

// rowCount is how many rows a table submitted; absent or malformed keeps the current count.
func rowCount(values url.Values, key string, current int) int {
	n, err := strconv.Atoi(values.Get(key))
	if err != nil || n < 0 || n > 10000 {
		return current
	}
	return n
}

// rowValue reads a value cell: empty is null, so that a half-written row still saves.
func rowValue(s string) blueprint.Value {
	if strings.TrimSpace(s) == "" {
		return blueprint.Null()
	}
	v, _ := blueprint.ParseValue(s)
	return v
}

func formatOr(v *blueprint.Value) string {
	if v == nil {
		return ""
	}
	s, _ := blueprint.FormatValue(*v)
	return s
}

// formatDefault is v's default as its input shows it: what ParseVariableValue reads back.
func formatDefault(v blueprint.Variable) string {
	if v.Default == nil {
		return ""
	}
	if v.Default.Kind == blueprint.ExpressionKind {
		return v.Default.Expr // kept as typed
	}
	return blueprint.FormatVariableValue(*v.Default, v.Type)
}

// variableRow is one row of the variables table.
type variableRow struct {
	Key         string // v[0]
	Name        string
	Type        string
	Default     string
	Description string
	Sensitive   bool
	Rules       int // validation rules, kept but edited in the document
}

type variablesEditor struct {
	Rows     []variableRow
	Problems fieldProblems
}

func variablesView(es *editorSession, problems fieldProblems) *variablesEditor {
	ve := &variablesEditor{Problems: problems}
	for i, v := range es.bp.Variables {
		ve.Rows = append(ve.Rows, variableRow{
			Key: form.VariablesTable.RowKey(i), Name: v.Name, Type: v.Type, Default: formatDefault(v),
			Description: v.Description, Sensitive: v.Sensitive, Rules: len(v.Validations),
		})
	}
	return ve
}

func applyVariables(es *editorSession, values url.Values, op form.Op) editOutcome {
	t := form.VariablesTable
	n := rowCount(values, t.CountKey(), len(es.bp.Variables))
	out := make([]blueprint.Variable, 0, n+1)
	for i := range n {
		var v blueprint.Variable
		if i < len(es.bp.Variables) {
			v = es.bp.Variables[i]
		}
		if values.Has(t.FieldKey(i, "name")) {
			v.Name = strings.TrimSpace(values.Get(t.FieldKey(i, "name")))
			v.Type = strings.TrimSpace(values.Get(t.FieldKey(i, "type")))
			v.Description = values.Get(t.FieldKey(i, "description"))
			v.Sensitive = values.Get(t.FieldKey(i, "sensitive")) == "true"
			v.Default = nil
			// One rule for a value typed for a variable, here and in environments; what it
			// cannot read is kept as typed, and validation says why next to the field.
			if dv, set, _ := blueprint.ParseVariableValue("", values.Get(t.FieldKey(i, "default")), v.Type); set {
				v.Default = &dv
			}
		}
		out = append(out, v)
	}
	add, remove := rowOp(op, len(out))
	if add {
		out = append(out, blueprint.Variable{Name: freeName("var", len(out), func(s string) bool {
			return containsName(out, func(v blueprint.Variable) string { return v.Name }, s)
		}), Type: "string"})
	}
	if remove >= 0 {
		out = append(out[:remove:remove], out[remove+1:]...)
	}
	es.bp.Variables = out
	return editOutcome{item: itemVariables}
}

// localRow is one row of the locals table.
type localRow struct {
	Key   string
	Name  string
	Value string
}

type localsEditor struct {
	Rows     []localRow
	Problems fieldProblems
}

func localsView(es *editorSession, problems fieldProblems) *localsEditor {
	le := &localsEditor{Problems: problems}
	for i, l := range es.bp.Locals {
		v := l.Value
		le.Rows = append(le.Rows, localRow{Key: form.LocalsTable.RowKey(i), Name: l.Name, Value: formatOr(&v)})
	}
	return le
}

func applyLocals(es *editorSession, values url.Values, op form.Op) editOutcome {
	t := form.LocalsTable
	n := rowCount(values, t.CountKey(), len(es.bp.Locals))
	out := make([]blueprint.Local, 0, n+1)
	for i := range n {
		var l blueprint.Local
		if i < len(es.bp.Locals) {
			l = es.bp.Locals[i]
		} else {
			l.Value = blueprint.Null()
		}
		if values.Has(t.FieldKey(i, "name")) {
			l.Name = strings.TrimSpace(values.Get(t.FieldKey(i, "name")))
			l.Value = rowValue(values.Get(t.FieldKey(i, "value")))
		}
		out = append(out, l)
	}
	add, remove := rowOp(op, len(out))
	if add {
		out = append(out, blueprint.Local{Name: freeName("local", len(out), func(s string) bool {
			return containsName(out, func(l blueprint.Local) string { return l.Name }, s)
		}), Value: blueprint.Null()})
	}
	if remove >= 0 {
		out = append(out[:remove:remove], out[remove+1:]...)
	}
	es.bp.Locals = out
	return editOutcome{item: itemLocals}
}

// outputRow is one row of the outputs table.
type outputRow struct {
	Key         string
	Name        string
	Value       string
	Description string
	Sensitive   bool
}

type outputsEditor struct {
	Rows     []outputRow
	Problems fieldProblems
	// Suggestions are attributes worth exporting, offered as "add" buttons.
	Suggestions []string
}

func outputsView(es *editorSession, problems fieldProblems) *outputsEditor {
	oe := &outputsEditor{Problems: problems}
	for i, o := range es.bp.Outputs {
		v := o.Value
		oe.Rows = append(oe.Rows, outputRow{Key: form.OutputsTable.RowKey(i), Name: o.Name, Value: formatOr(&v), Description: o.Description, Sensitive: o.Sensitive})
	}
	return oe
}

func applyOutputs(es *editorSession, values url.Values, op form.Op) editOutcome {
	t := form.OutputsTable
	n := rowCount(values, t.CountKey(), len(es.bp.Outputs))
	out := make([]blueprint.Output, 0, n+1)
	for i := range n {
		var o blueprint.Output
		if i < len(es.bp.Outputs) {
			o = es.bp.Outputs[i]
		} else {
			o.Value = blueprint.Null()
		}
		if values.Has(t.FieldKey(i, "name")) {
			o.Name = strings.TrimSpace(values.Get(t.FieldKey(i, "name")))
			o.Value = rowValue(values.Get(t.FieldKey(i, "value")))
			o.Description = values.Get(t.FieldKey(i, "description"))
			o.Sensitive = values.Get(t.FieldKey(i, "sensitive")) == "true"
		}
		out = append(out, o)
	}
	add, remove := rowOp(op, len(out))
	if add {
		out = append(out, blueprint.Output{Name: freeName("output", len(out), func(s string) bool {
			return containsName(out, func(o blueprint.Output) string { return o.Name }, s)
		}), Value: blueprint.Null()})
	}
	if remove >= 0 {
		out = append(out[:remove:remove], out[remove+1:]...)
	}
	es.bp.Outputs = out
	return editOutcome{item: itemOutputs}
}

func containsName[T any](list []T, name func(T) string, s string) bool {
	for _, x := range list {
		if name(x) == s {
			return true
		}
	}
	return false
}

// freeName is prefix_N for the first N from n+1 that taken does not know.
func freeName(prefix string, n int, taken func(string) bool) string {
	for i := n + 1; ; i++ {
		if s := fmt.Sprintf("%s_%d", prefix, i); !taken(s) {
			return s
		}
	}
}
