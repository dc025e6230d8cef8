// Package form turns a provider schema and a blueprint body into the editor's form, and the
// submitted form back into a body. It also defines what the editor's forms post: the names
// of their inputs (keys.go) and the ops of their buttons (op.go), which templates write and
// handlers read through the same functions.
//
// Every input is named by its key, the argument's path inside the body as diagnostics write
// it: "location", "default_node_pool[0].vm_size". The key's mode input (ModeKey,
// "<key>:mode") says whether the text is a plain value, a reference or an HCL expression,
// and a block's count input (CountKey, "<key>#n") how many instances the form holds. Parse
// leaves anything the form did not submit as it was, so a form that shows part of a body
// never loses the rest; an argument or block type it adds goes where blueprint.Placement
// puts it (ParseOptions: back where the draft's base version had it, else in schema order,
// Order), never at the end for having been typed last. A button that changes the form's structure (adds or removes a block,
// switches a field's mode) posts an Op; ParseOp reads it and refuses anything else.
//
// A field also carries what the docs' rules say about it (rules.go, from catalog.Rule):
// the values of an enumeration, a number's bounds, a string's length, the default, and
// whether changing it replaces the resource; the editor's templates make inputs of them.
package form

import (
	"math/big"
	"sort"
	"strconv"
	"strings"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/zclconf/go-cty/cty"

	"github.com/cloudoven/cloudoven/blueprint"
	"github.com/cloudoven/cloudoven/catalog"
)

// Widget is the kind of input an argument gets.
type Widget string

const (
	TextWidget   Widget = "text"   // a string
	NumberWidget Widget = "number" // a number
	BoolWidget   Widget = "bool"   // unset / true / false
	ExprWidget   Widget = "expr"   // lists, sets, maps, objects and dynamic values: an HCL expression
)

// Mode is how an argument's text is read.
type Mode string

const (
	ValueMode Mode = "value" // a plain string, number or bool
	RefMode   Mode = "ref"   // a reference: var.x, azurerm_resource_group.main.name
	ExprMode  Mode = "expr"  // any HCL expression
)

// Field is one argument's input.
type Field struct {
	Name        string // location
	Key         string // default_node_pool[0].vm_size
	SchemaPath  string // default_node_pool.vm_size, how docs key arguments
	Description string
	Type        cty.Type
	TypeLabel   string // catalog.TypeLabel: string, number, bool, list(string), map(string), object, any
	Required    bool
	Sensitive   bool
	Deprecated  bool
	Widget      Widget
	Mode        Mode
	Text        string // the input's current text
	Set         bool
	Rules       Constraints // what the docs' rules say (rules.go)
}

// Modes lists the modes the field can switch to: a plain value only for strings, numbers
// and bools.
func (f Field) Modes() []Mode {
	if f.Widget == ExprWidget {
		return []Mode{RefMode, ExprMode}
	}
	return []Mode{ValueMode, RefMode, ExprMode}
}

// Block is one nested block type with its instances.
type Block struct {
	Name        string
	Key         string // default_node_pool, or default_node_pool[0].upgrade_settings
	SchemaPath  string
	Description string
	MinItems    int
	MaxItems    int // 0: no limit
	Instances   []Body
	ForcesNew   string // the docs' sentence: changing the block replaces the resource
}

// CanAdd reports whether another instance fits.
func (b Block) CanAdd() bool { return b.MaxItems == 0 || len(b.Instances) < b.MaxItems }

// CanRemove reports whether an instance can go without falling below MinItems.
func (b Block) CanRemove() bool { return len(b.Instances) > b.MinItems }

// InstanceKey is the key of the block's i-th instance: default_node_pool[0].
func (b Block) InstanceKey(i int) string { return InstanceKey(b.Key, i) }

// CountKey names the input holding how many instances the form has.
func (b Block) CountKey() string { return CountKey(b.Key) }

// Body is the form of one body: a resource's config, a provider's, or a nested block's.
type Body struct {
	Key      string  // "" at the top, default_node_pool[0] for a block instance
	Required []Field // required arguments, always shown
	Set      []Field // optional arguments with a value
	Unset    []Field // optional arguments without one, folded away
	Blocks   []Block // required block types first, then by name
	// Kept lists what the body holds that the schema does not describe (an argument the
	// provider dropped, a list of objects written as blocks): shown, submitted back as it was.
	Kept []string
}

// Fields is every field of the body and its blocks' instances, in form order.
func (b Body) Fields() []Field {
	out := append(append(append([]Field(nil), b.Required...), b.Set...), b.Unset...)
	for _, blk := range b.Blocks {
		for _, in := range blk.Instances {
			out = append(out, in.Fields()...)
		}
	}
	return out
}

// Docs looks up an argument's description by schema path; nil means none.
type Docs func(schemaPath string) string

// Options tune Build.
type Options struct {
	Docs Docs
	// Modes overrides the mode a field shows in, by key, for a form re-rendered after the
	// author switched a field's mode.
	Modes map[string]Mode
	// Rules looks up the docs' rules of an argument (choices, bounds, defaults); Managed
	// says the body is a managed resource's, whose forces_new rules mark their fields.
	Rules   RulesOf
	Managed bool
}

// Build makes the form of body, laid out by schema.
func Build(schema *tfjson.SchemaBlock, body blueprint.Body, opts Options) Body {
	return build(schema, body, "", "", opts)
}

func build(schema *tfjson.SchemaBlock, body blueprint.Body, key, schemaPath string, opts Options) Body {
	out := Body{Key: key}
	if schema == nil {
		for _, a := range body.Attributes {
			out.Kept = append(out.Kept, a.Name)
		}
		for _, b := range body.Blocks {
			out.Kept = append(out.Kept, b.Type+" block")
		}
		return out
	}
	for _, name := range sortedKeys(schema.Attributes) {
		a := schema.Attributes[name]
		if a == nil || (a.Computed && !a.Optional && !a.Required) {
			continue // computed-only: nothing to set
		}
		if key == "" && name == "id" && a.Computed {
			continue // SDKv2 providers list the resource id as optional; nobody sets it
		}
		f := field(name, a, JoinKey(key, name), JoinKey(schemaPath, name), body.Attribute(name), opts)
		switch {
		case a.Required:
			out.Required = append(out.Required, f)
		case f.Set:
			out.Set = append(out.Set, f)
		default:
			out.Unset = append(out.Unset, f)
		}
	}
	for _, name := range blockNames(schema) {
		bt := schema.NestedBlocks[name]
		b := Block{
			Name:       name,
			Key:        JoinKey(key, name),
			SchemaPath: JoinKey(schemaPath, name),
			MinItems:   int(bt.MinItems),
			MaxItems:   int(bt.MaxItems),
		}
		if bt.NestingMode == tfjson.SchemaNestingModeSingle || bt.NestingMode == tfjson.SchemaNestingModeGroup {
			b.MaxItems = 1
		}
		if bt.Block != nil {
			b.Description = describe(opts.Docs, b.SchemaPath, bt.Block.Description)
		}
		b.ForcesNew = constraints(opts.Rules, b.SchemaPath, ExprWidget, opts.Managed).ForcesNew
		for i, inst := range body.BlocksOf(name) {
			b.Instances = append(b.Instances, build(bt.Block, inst.Body, b.InstanceKey(i), b.SchemaPath, opts))
		}
		out.Blocks = append(out.Blocks, b)
	}
	for _, a := range body.Attributes {
		if sa := schema.Attributes[a.Name]; sa == nil || (sa.Computed && !sa.Optional && !sa.Required) {
			out.Kept = append(out.Kept, a.Name)
		}
	}
	for _, b := range body.Blocks {
		if schema.NestedBlocks[b.Type] == nil {
			out.Kept = append(out.Kept, b.Type+" block")
		}
	}
	return out
}

// blockNames orders block types: those the schema requires first, then by name.
func blockNames(schema *tfjson.SchemaBlock) []string {
	names := sortedKeys(schema.NestedBlocks)
	sort.SliceStable(names, func(i, j int) bool {
		ri, rj := schema.NestedBlocks[names[i]].MinItems > 0, schema.NestedBlocks[names[j]].MinItems > 0
		return ri && !rj
	})
	return names
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func describe(docs Docs, schemaPath, fallback string) string {
	if docs != nil {
		if d := docs(schemaPath); d != "" {
			return d
		}
	}
	return fallback
}

func field(name string, a *tfjson.SchemaAttribute, key, schemaPath string, val *blueprint.Value, opts Options) Field {
	ty := blueprint.AttributeType(a)
	f := Field{
		Name:        name,
		Key:         key,
		SchemaPath:  schemaPath,
		Description: describe(opts.Docs, schemaPath, a.Description),
		Type:        ty,
		TypeLabel:   catalog.TypeLabel(ty),
		Required:    a.Required,
		Sensitive:   a.Sensitive,
		Deprecated:  a.Deprecated,
		Widget:      widgetFor(ty),
		Mode:        ValueMode,
	}
	if f.Widget == ExprWidget {
		f.Mode = ExprMode
	}
	f.Rules = constraints(opts.Rules, schemaPath, f.Widget, opts.Managed)
	if val != nil && !val.IsZero() {
		f.Set = true
		f.Mode, f.Text = textOf(*val, f.Widget)
	}
	if m, ok := opts.Modes[key]; ok && m != f.Mode && (m != ValueMode || f.Widget != ExprWidget) {
		f.Text = switchMode(f.Text, f.Mode, m, val)
		f.Mode = m
	}
	return f
}

// switchMode is the text a field shows after its mode changes from one to to.
func switchMode(text string, from, to Mode, val *blueprint.Value) string {
	switch to {
	case ExprMode:
		if val != nil && !val.IsZero() {
			if s, err := blueprint.FormatValue(*val); err == nil {
				return s
			}
		}
		return text
	case RefMode:
		if from == ExprMode {
			if v, err := blueprint.ParseValue(text); err == nil && v.Kind == blueprint.ReferenceKind {
				return v.Ref
			}
		}
		return "" // chosen from the picker
	}
	// ValueMode: a plain value reads back from a literal.
	if val != nil && val.Kind == blueprint.LiteralKind {
		_, t := textOf(*val, TextWidget)
		return t
	}
	return ""
}

func widgetFor(ty cty.Type) Widget {
	switch ty {
	case cty.String:
		return TextWidget
	case cty.Number:
		return NumberWidget
	case cty.Bool:
		return BoolWidget
	}
	return ExprWidget
}

// textOf is how a value shows in a field with widget w.
func textOf(v blueprint.Value, w Widget) (Mode, string) {
	switch v.Kind {
	case blueprint.ReferenceKind:
		return RefMode, v.Ref
	case blueprint.LiteralKind:
		lit := v.Literal
		if w != ExprWidget && !lit.IsNull() && lit.IsKnown() {
			switch lit.Type() {
			case cty.String:
				// A text input cannot hold a line break (browsers strip it), so a
				// multi-line string is shown as an expression, in a textarea.
				if !strings.ContainsAny(lit.AsString(), "\r\n") {
					return ValueMode, lit.AsString()
				}
			case cty.Number:
				if w == NumberWidget {
					return ValueMode, lit.AsBigFloat().Text('f', -1)
				}
			case cty.Bool:
				if w == BoolWidget {
					return ValueMode, strconv.FormatBool(lit.True())
				}
			}
		}
	}
	s, err := blueprint.FormatValue(v)
	if err != nil {
		// Only a value the document format would not have accepted gets here.
		return ExprMode, v.Expr
	}
	return ExprMode, s
}

// Values is what a submitted form holds, as url.Values does.
type Values interface {
	Has(key string) bool
	Get(key string) string
}

// ParseOptions say where Parse puts what a body did not hold: the order of a body's
// arguments is blueprint.Placement's rule (blueprint/order.go).
type ParseOptions struct {
	// Prior gives the body as the blueprint version the draft started from has it: an
	// argument cleared and set again within the draft goes back where that version has it.
	// Nil for none.
	Prior func() blueprint.Body
	// Example gives the type's doc example as blueprint.ExampleOrder reads it: a new
	// argument goes where the schema orders it, required first, then as the example writes
	// them. Nil for none.
	//
	// Both are called only when something is placed: most posts of a form place nothing.
	Example func() []string
}

// Parse reads a submitted form into a body laid out by schema. old is the body the form was
// built from: arguments and blocks the form did not submit keep their old values, and
// attributes keep their old order, so that a partial form loses nothing. An argument set
// that old lacks goes where opts place it, never at the end for being typed last.
func Parse(schema *tfjson.SchemaBlock, old blueprint.Body, values Values, opts ParseOptions) blueprint.Body {
	return parse(schema, old, values, "", "", blueprint.Placement{Prior: opts.Prior}, opts.Example)
}

// Order is the schema order of the arguments and block types of a body with schema:
// blueprint.SchemaOrder, with the names example (blueprint.ExampleOrder's paths) writes at
// schemaPath; example may be nil.
func Order(schema *tfjson.SchemaBlock, schemaPath string, example func() []string) (attrs, blocks func(string) (int, bool)) {
	if schema == nil {
		return nil, nil
	}
	var here []string
	names := func() []string {
		if here == nil && example != nil {
			here = blueprint.ExampleNames(example(), schemaPath)
		}
		return here
	}
	attrs = blueprint.SchemaOrder(sortedKeys(schema.Attributes), func(n string) bool {
		return schema.Attributes[n] != nil && schema.Attributes[n].Required
	}, names)
	blocks = blueprint.SchemaOrder(sortedKeys(schema.NestedBlocks), func(n string) bool {
		return schema.NestedBlocks[n] != nil && schema.NestedBlocks[n].MinItems > 0
	}, names)
	return attrs, blocks
}

func parse(schema *tfjson.SchemaBlock, old blueprint.Body, values Values, key, schemaPath string, place blueprint.Placement, example func() []string) blueprint.Body {
	if schema == nil {
		return old
	}
	attrRank, blockRank := Order(schema, schemaPath, example)
	out := old
	attrs := place
	attrs.Rank = attrRank
	for _, name := range sortedKeys(schema.Attributes) {
		a := schema.Attributes[name]
		k := JoinKey(key, name)
		if a == nil || !values.Has(k) {
			continue
		}
		out.SetAttribute(name, readValue(values.Get(k), Mode(values.Get(ModeKey(k))), widgetFor(blueprint.AttributeType(a))), attrs)
	}

	// A block type the form submitted is replaced by the submitted instances where its
	// first old instance stood, or where the placement puts the type.
	blocks := place
	blocks.Rank = blockRank
	for _, name := range sortedKeys(schema.NestedBlocks) {
		bt := schema.NestedBlocks[name]
		k := JoinKey(key, name)
		if bt == nil || !values.Has(CountKey(k)) {
			continue
		}
		n, err := strconv.Atoi(values.Get(CountKey(k)))
		if err != nil || n < 0 || n > maxInstances {
			continue
		}
		olds := old.BlocksOf(name)
		instances := make([]blueprint.Block, n)
		for i := range instances {
			var ob blueprint.Body
			if i < len(olds) {
				ob = olds[i].Body
			}
			inner := place.Block(name, i, nil)
			instances[i] = blueprint.Block{Type: name, Body: parse(bt.Block, ob, values, InstanceKey(k, i), JoinKey(schemaPath, name), inner, example)}
		}
		out.SetBlocks(name, instances, blocks)
	}
	return out
}

// maxInstances bounds a submitted block count, so a forged form cannot make the server
// build millions of empty blocks.
const maxInstances = 1000

// readValue reads one field. Empty text unsets the argument. A plain value that does not
// fit its widget (abc for a number) is kept as a string, which validation then reports next
// to the field; an expression that does not parse is kept as written, and reported the same
// way.
func readValue(text string, mode Mode, w Widget) blueprint.Value {
	if strings.TrimSpace(text) == "" {
		return blueprint.Value{}
	}
	switch mode {
	case RefMode:
		return blueprint.Ref(strings.TrimSpace(text))
	case ExprMode:
		v, _ := blueprint.ParseValue(text)
		return v
	}
	switch w {
	case NumberWidget:
		if f, _, err := big.ParseFloat(strings.TrimSpace(text), 10, 512, big.ToNearestEven); err == nil {
			return blueprint.Literal(cty.NumberVal(f))
		}
		return blueprint.String(text)
	case BoolWidget:
		if b, err := strconv.ParseBool(text); err == nil {
			return blueprint.Bool(b)
		}
		return blueprint.String(text)
	case ExprWidget:
		v, _ := blueprint.ParseValue(text)
		return v
	}
	return blueprint.String(text)
}

// FieldFor maps a diagnostic's path inside a body (default_node_pool[0].vm_size,
// tags["env"]) to the key of the field or block that shows it, trimming the path from the
// end until it names one; "" when nothing does.
func FieldFor(keys map[string]bool, path string) string {
	for path != "" {
		if keys[path] {
			return path
		}
		cut := max(strings.LastIndex(path, "."), strings.LastIndex(path, "["))
		if cut <= 0 {
			return ""
		}
		path = path[:cut]
	}
	return ""
}

// Keys is the set of every field, block and block-instance key of the form.
func (b Body) Keys() map[string]bool {
	keys := map[string]bool{}
	b.addKeys(keys)
	return keys
}

func (b Body) addKeys(keys map[string]bool) {
	for _, f := range b.Fields() {
		keys[f.Key] = true
	}
	var walk func(Body)
	walk = func(body Body) {
		for _, blk := range body.Blocks {
			keys[blk.Key] = true
			for i, in := range blk.Instances {
				keys[blk.InstanceKey(i)] = true
				walk(in)
			}
		}
	}
	walk(b)
}
