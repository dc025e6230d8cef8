package runs

import (
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	tfjson "github.com/hashicorp/terraform-json"
)

// Diff is what a plan will change, attribute by attribute, for a reviewer to read before
// approving it. It holds values of the plan, so it is built from the plan JSON when shown
// and never stored: the plan JSON is stored sealed, and a Summary holds no values.
type Diff struct {
	// Counts are the resource changes per action, all of them, shown or not.
	Counts map[Action]int
	// Resources are the changes in the plan's order, at most 1,000 (diffLimits).
	Resources []ResourceDiff
	// MoreResources counts the changes left out of Resources.
	MoreResources int
}

// Action is what a plan does to a resource, in the words the run page uses.
type Action string

// The actions a Diff names; a no-op is left out.
const (
	ActionCreate  Action = "create"
	ActionUpdate  Action = "update"
	ActionReplace Action = "replace"
	ActionDestroy Action = "destroy"
	ActionRead    Action = "read"
)

// Actions lists the actions in the order the run page counts them.
var Actions = []Action{ActionCreate, ActionUpdate, ActionReplace, ActionDestroy, ActionRead}

// ResourceDiff is one resource the plan changes.
type ResourceDiff struct {
	Address string
	Action  Action
	// CreateFirst says a replacement creates the new object before it destroys the old one
	// (create_before_destroy); otherwise it destroys first.
	CreateFirst bool
	// Attributes are, for a create or a read, the values it will have; for a destroy, the
	// values it had; for an update or a replacement, only what changes. Nested blocks and
	// lists are flattened into paths (default_node_pool[0].vm_size), sorted.
	Attributes []AttributeDiff
	// MoreAttributes counts the attributes left out of Attributes.
	MoreAttributes int
}

// AttributeDiff is one attribute (a leaf of a nested value) of a resource change.
type AttributeDiff struct {
	Path          string
	Before, After Value
	// ForcesReplacement says a change of this attribute is why the resource is replaced.
	ForcesReplacement bool
}

// Value is one side of an AttributeDiff, as the page shows it.
type Value struct {
	// Text is the value as terraform writes it ("two" quoted, 3, true, null, [], {}), cut
	// to 200 characters (diffLimits); empty when Sensitive or Unknown.
	Text string
	// Sensitive values are never read: Text stays empty.
	Sensitive bool
	// Unknown values are known after apply only.
	Unknown bool
	// Length is the value's full length in characters when Text was cut, 0 otherwise.
	Length int
}

// String is the value as the page shows it.
func (v Value) String() string {
	switch {
	case v.Sensitive:
		return "(sensitive)"
	case v.Unknown:
		return "(known after apply)"
	case v.Length > 0:
		return fmt.Sprintf("%s… (%d characters)", v.Text, v.Length)
	}
	return v.Text
}

// diffLimits bound what a Diff holds, so that a page showing it stays readable and small
// whatever the plan (whose JSON is itself bounded by maxPlanJSON).
type diffLimits struct {
	resources  int // resource changes listed
	attributes int // attributes per resource
	total      int // attributes over all resources
	valueRunes int // characters of a value
}

var defaultDiffLimits = diffLimits{resources: 1000, attributes: 500, total: 10000, valueRunes: 200}

// DiffPlan reads the output of `terraform show -json <planfile>` into a Diff. Values marked
// sensitive (before_sensitive, after_sensitive, at any depth) are never read into it.
func DiffPlan(showJSON []byte) (Diff, error) {
	return diffPlan(showJSON, defaultDiffLimits)
}

func diffPlan(showJSON []byte, lim diffLimits) (Diff, error) {
	var p tfjson.Plan
	if err := json.Unmarshal(showJSON, &p); err != nil {
		return Diff{}, fmt.Errorf("reading the plan JSON's changes: %w", err)
	}
	if err := p.Validate(); err != nil {
		return Diff{}, fmt.Errorf("reading the plan JSON's changes: %w", err)
	}
	d := Diff{Counts: map[Action]int{}}
	budget := lim.total
	for _, rc := range p.ResourceChanges {
		if rc == nil || rc.Change == nil {
			continue
		}
		act, createFirst, ok := diffAction(rc.Change.Actions)
		if !ok {
			continue
		}
		d.Counts[act]++
		if len(d.Resources) >= lim.resources {
			d.MoreResources++
			continue
		}
		r := ResourceDiff{Address: rc.Address, Action: act, CreateFirst: createFirst}
		keep := min(lim.attributes, budget)
		n := 0
		flattenChange(rc.Change, act, lim.valueRunes, func(a AttributeDiff) {
			if n < keep {
				r.Attributes = append(r.Attributes, a)
			}
			n++
		})
		r.MoreAttributes = n - len(r.Attributes)
		budget -= len(r.Attributes)
		d.Resources = append(d.Resources, r)
	}
	return d, nil
}

// diffAction names terraform's actions; ok is false for a no-op (and anything unknown).
func diffAction(a tfjson.Actions) (act Action, createFirst, ok bool) {
	switch {
	case a.DestroyBeforeCreate():
		return ActionReplace, false, true
	case a.CreateBeforeDestroy():
		return ActionReplace, true, true
	case a.Create():
		return ActionCreate, false, true
	case a.Update():
		return ActionUpdate, false, true
	case a.Delete():
		return ActionDestroy, false, true
	case a.Read():
		return ActionRead, false, true
	}
	return "", false, false
}

// flattenChange calls emit for each attribute of c the action shows, sorted by path.
func flattenChange(c *tfjson.Change, act Action, valueRunes int, emit func(AttributeDiff)) {
	var replace []string
	for _, rp := range c.ReplacePaths {
		if steps, ok := rp.([]any); ok {
			replace = append(replace, pathString(steps))
		}
	}
	w := walker{act: act, valueRunes: valueRunes, replace: replace, emit: emit}
	before, after := c.Before, c.After
	switch act {
	case ActionCreate, ActionRead:
		before = nil
	case ActionDestroy:
		after = nil
	}
	w.walk(nil, before, after, c.AfterUnknown, c.BeforeSensitive, c.AfterSensitive)
}

type walker struct {
	act        Action
	valueRunes int
	replace    []string
	emit       func(AttributeDiff)
}

// walk visits before and after at path together, with their marks: after_unknown,
// before_sensitive and after_sensitive mirror the values' shape, with true for a value
// (or a whole block) that is unknown or sensitive. It looks inside a side only where that
// side is a list or an object and neither sensitive nor unknown: a sensitive block shows
// neither its values nor its keys.
func (w walker) walk(path []any, before, after, unknown, bsens, asens any) {
	u, bs, as := unknown == true, bsens == true, asens == true
	bOpen := !bs && isContainer(before)
	aOpen := !as && !u && isContainer(after)
	if !bOpen && !aOpen {
		w.leaf(path, before, after, u, bs, as)
		return
	}
	plain := func(open, sens bool, v any) bool { return !open && !sens && v != nil }
	if bOpen && aOpen && kindOf(before) != kindOf(after) || plain(bOpen, bs, before) || plain(aOpen, as || u, after) {
		// A dynamic value changed its type: one side's paths go, the other's come.
		w.walk(path, before, nil, nil, bsens, nil)
		w.walk(path, nil, after, unknown, nil, asens)
		return
	}
	var keys []any
	switch {
	case bOpen && aOpen:
		keys = childKeys(before, after, unknown)
	case bOpen:
		keys = childKeys(before)
	default:
		keys = childKeys(after, unknown)
	}
	if len(keys) == 0 {
		// An empty list or object is a value of its own.
		w.leaf(path, before, after, u, bs, as)
		return
	}
	for _, k := range keys {
		p := append(append([]any(nil), path...), k)
		w.walk(p, child(before, k), child(after, k), child(unknown, k), child(bsens, k), child(asens, k))
	}
}

// leaf emits one attribute if the action shows it: a create or read its non-null values, a
// destroy its non-null values, an update or replacement what changes.
func (w walker) leaf(path []any, before, after any, unknown, bs, as bool) {
	switch w.act {
	case ActionCreate, ActionRead:
		if after == nil && !unknown {
			return
		}
	case ActionDestroy:
		if before == nil {
			return
		}
	default:
		if !unknown && bs == as && reflect.DeepEqual(before, after) {
			return
		}
	}
	p := pathString(path)
	a := AttributeDiff{Path: p, ForcesReplacement: w.forcesReplacement(p)}
	switch {
	case bs:
		a.Before = Value{Sensitive: true}
	default:
		a.Before = w.value(before)
	}
	switch {
	case as:
		a.After = Value{Sensitive: true}
	case unknown:
		a.After = Value{Unknown: true}
	default:
		a.After = w.value(after)
	}
	switch w.act {
	case ActionCreate, ActionRead:
		a.Before = Value{}
	case ActionDestroy:
		a.After = Value{}
	}
	w.emit(a)
}

func (w walker) forcesReplacement(p string) bool {
	within := func(inner, outer string) bool {
		return inner == outer || strings.HasPrefix(inner, outer+".") || strings.HasPrefix(inner, outer+"[")
	}
	for _, rp := range w.replace {
		if within(p, rp) || within(rp, p) {
			return true
		}
	}
	return false
}

// value writes a value as terraform does, cut to valueRunes characters. walk hands it
// only values not marked sensitive, and no list or object but an empty one.
func (w walker) value(v any) Value {
	var s string
	switch v := v.(type) {
	case nil:
		return Value{Text: "null"}
	case string:
		if n := utf8.RuneCountInString(v); n > w.valueRunes {
			return Value{Text: strconv.Quote(cutRunes(v, w.valueRunes)), Length: n}
		}
		return Value{Text: strconv.Quote(v)}
	case float64:
		s = strconv.FormatFloat(v, 'f', -1, 64)
	case bool:
		s = strconv.FormatBool(v)
	default:
		b, err := json.Marshal(v)
		if err != nil {
			return Value{Text: "?"}
		}
		s = string(b)
	}
	if n := utf8.RuneCountInString(s); n > w.valueRunes {
		return Value{Text: cutRunes(s, w.valueRunes), Length: n}
	}
	return Value{Text: s}
}

func cutRunes(s string, n int) string {
	i := 0
	for j := range s {
		if i == n {
			return s[:j]
		}
		i++
	}
	return s
}

func isContainer(v any) bool {
	switch v.(type) {
	case map[string]any, []any:
		return true
	}
	return false
}

// kindOf tells an object from a list from anything else.
func kindOf(v any) byte {
	switch v.(type) {
	case map[string]any:
		return 'o'
	case []any:
		return 'l'
	}
	return 's'
}

// childKeys are the keys (strings, sorted) or indexes (ints) of the containers among vs.
func childKeys(vs ...any) []any {
	names := map[string]bool{}
	n := 0
	for _, v := range vs {
		switch v := v.(type) {
		case map[string]any:
			for k := range v {
				names[k] = true
			}
		case []any:
			n = max(n, len(v))
		}
	}
	var out []any
	if len(names) > 0 {
		sorted := make([]string, 0, len(names))
		for k := range names {
			sorted = append(sorted, k)
		}
		sort.Strings(sorted)
		for _, k := range sorted {
			out = append(out, k)
		}
		return out
	}
	for i := range n {
		out = append(out, i)
	}
	return out
}

// child is v's element k, or nil. A mark that is true for a whole container is true for
// its elements too.
func child(v any, k any) any {
	if v == true {
		return true
	}
	switch v := v.(type) {
	case map[string]any:
		if s, ok := k.(string); ok {
			return v[s]
		}
	case []any:
		if i, ok := k.(int); ok && i < len(v) {
			return v[i]
		}
	}
	return nil
}

var identifier = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// pathString writes a path as terraform's addresses do: default_node_pool[0].vm_size,
// tags["cost-center"]. Steps are strings (keys) and numbers (indexes, float64 from JSON).
func pathString(steps []any) string {
	var b strings.Builder
	for _, s := range steps {
		switch s := s.(type) {
		case string:
			if identifier.MatchString(s) {
				if b.Len() > 0 {
					b.WriteByte('.')
				}
				b.WriteString(s)
			} else {
				b.WriteString("[" + strconv.Quote(s) + "]")
			}
		case int:
			b.WriteString("[" + strconv.Itoa(s) + "]")
		case float64:
			b.WriteString("[" + strconv.FormatFloat(s, 'f', -1, 64) + "]")
		}
	}
	return b.String()
}

// Action is what the plan does to the resource, as a Diff names it; ok is false for a
// no-op (which a Summary leaves out) and for actions CloudOven does not know.
func (r ResourceChange) Action() (act Action, ok bool) {
	as := make(tfjson.Actions, len(r.Actions))
	for i, a := range r.Actions {
		as[i] = tfjson.Action(a)
	}
	act, _, ok = diffAction(as)
	return act, ok
}
