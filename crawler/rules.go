package crawler

import (
	"regexp"
	"sort"
	"strings"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/zclconf/go-cty/cty"

	"github.com/cloudoven/cloudoven/catalog"
)

// Mining rules from the docs' prose: each argument's description is cut into sentences, and
// each sentence is read by the parsers of rules_values.go and rules_cross.go. A sentence
// becomes a rule only when it states the constraint in a form a parser knows from end to
// end; a sentence that looks like a rule (it holds one of ruleTriggers) and yields none is
// reported as Unparsed, never guessed, since a wrong rule is a false alarm for every user of
// that argument.

// Unparsed is a sentence of the docs that looks like a rule but did not become one.
type Unparsed struct {
	Path     string // schema path of the argument whose description holds it
	Sentence string
	Reason   string
}

// ruleTriggers are the phrases that make a sentence look like a rule, lower case.
var ruleTriggers = []string{
	"possible values", "possible value is", "valid values", "valid value", "allowed values", "accepted values",
	"supported values", "must be one of", "can be either", "must be either",
	"between", "at least", "maximum of", "minimum of", "at most", "characters",
	"defaults to", "forces a new", "conflicts with", "one of", "required when", "required if",
	"lowercase", "lower case", "uppercase", "upper case",
}

// MineRules reads the rules the docs of one type state, by schema path, and lists the
// sentences that look like rules but did not parse. ts is the type's schema: a rule on a path
// the schema does not have, or whose values do not fit the argument's type, is not kept.
func MineRules(doc *catalog.Doc, ts *tfjson.Schema) (map[string][]catalog.Rule, []Unparsed) {
	if doc == nil || ts == nil || ts.Block == nil {
		return nil, nil
	}
	var unparsed []Unparsed
	rules := map[string][]catalog.Rule{}
	paths := make([]string, 0, len(doc.Arguments))
	for p := range doc.Arguments {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, path := range paths {
		arg := lookupArg(ts.Block, path)
		if arg.kind == argNone {
			continue
		}
		m := ruleMiner{root: ts.Block, path: path, arg: arg}
		for _, s := range sentences(doc.Arguments[path]) {
			before := len(m.rules)
			reason := m.sentence(s)
			if len(m.rules) == before && looksLikeRule(s) {
				if reason == "" {
					reason = "no parser matched"
				}
				unparsed = append(unparsed, Unparsed{Path: path, Sentence: s, Reason: reason})
			}
		}
		kept, dropped := m.settle()
		for _, d := range dropped {
			unparsed = append(unparsed, Unparsed{Path: path, Sentence: d.Sentence, Reason: "the docs state several " + string(d.Kind) + " rules for this argument"})
		}
		if len(kept) > 0 {
			rules[path] = kept
		}
	}
	if len(rules) == 0 {
		rules = nil
	}
	return rules, unparsed
}

func looksLikeRule(s string) bool { return containsAny(strings.ToLower(s), ruleTriggers) }

func containsAny(s string, words []string) bool {
	for _, w := range words {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// ruleMiner mines the sentences of one argument.
type ruleMiner struct {
	root  *tfjson.SchemaBlock
	path  string
	arg   argInfo
	rules []catalog.Rule
}

func (m *ruleMiner) add(r catalog.Rule) { m.rules = append(m.rules, r) }

// sentence reads one sentence; it returns why a sentence that looks like a rule was not
// kept, when it knows ("" otherwise).
func (m *ruleMiner) sentence(raw string) string {
	s := cleanSentence(raw)
	l := strings.ToLower(s)
	var reasons []string
	for _, p := range []struct {
		words []string
		parse func(raw, s string) string
	}{
		{[]string{"value", "one of", "either", "option"}, m.enum},
		{[]string{"between", "from", "range", "least", "most", "minimum", "maximum", "than", "up to"}, m.numberRange},
		{[]string{"default"}, m.defaultValue},
		{[]string{"character", "include"}, m.length},
		{[]string{" with", "only", "include"}, m.pattern},
		{[]string{"case"}, m.caseRule},
		{[]string{"forces"}, m.forcesNew},
		{[]string{"conflict", "only one", "cannot be"}, m.conflicts},
		{[]string{"one of", "1 of"}, m.oneOf},
		{[]string{"required"}, m.requiredWhen},
	} {
		if !containsAny(l, p.words) {
			continue
		}
		if r := p.parse(raw, s); r != "" {
			reasons = append(reasons, r)
		}
	}
	return strings.Join(reasons, "; ")
}

// settle drops the kinds the docs state more than once with different content (a second
// enumeration in a note, "when x, possible values are ..."): which one holds is not known.
func (m *ruleMiner) settle() (kept, dropped []catalog.Rule) {
	byKind := map[catalog.RuleKind][]catalog.Rule{}
	for _, r := range m.rules {
		byKind[r.Kind] = append(byKind[r.Kind], r)
	}
	single := map[catalog.RuleKind]bool{
		catalog.RuleEnum: true, catalog.RuleRange: true, catalog.RuleLength: true,
		catalog.RuleDefault: true, catalog.RuleCase: true,
	}
	for _, r := range m.rules {
		rs := byKind[r.Kind]
		if single[r.Kind] && len(rs) > 1 && !sameRules(rs) {
			dropped = append(dropped, r)
			continue
		}
		if single[r.Kind] && len(rs) > 1 && rs[0].Sentence != r.Sentence {
			continue // the same rule stated twice: keep the first
		}
		if r.Kind == catalog.RuleForcesNew && len(rs) > 1 && rs[0].Sentence != r.Sentence {
			continue
		}
		kept = append(kept, r)
	}
	return kept, dropped
}

func sameRules(rs []catalog.Rule) bool {
	for _, r := range rs[1:] {
		a, b := rs[0], r
		a.Sentence, b.Sentence = "", ""
		if !rulesEqual(a, b) {
			return false
		}
	}
	return true
}

func rulesEqual(a, b catalog.Rule) bool {
	eqf := func(x, y *float64) bool { return x == nil && y == nil || x != nil && y != nil && *x == *y }
	return a.Kind == b.Kind && strings.Join(a.Values, "\x00") == strings.Join(b.Values, "\x00") &&
		a.Partial == b.Partial && eqf(a.Min, b.Min) && eqf(a.Max, b.Max) && a.Pattern == b.Pattern &&
		a.Default == b.Default && strings.Join(a.Paths, "\x00") == strings.Join(b.Paths, "\x00")
}

// argKind is what a schema path names.
type argKind int

const (
	argNone   argKind = iota
	argAttr           // an attribute with a cty type
	argNested         // an attribute with nested attributes
	argBlock          // a nested block
)

type argInfo struct {
	kind argKind
	typ  cty.Type // argAttr
}

// lookupArg finds what path names in the schema.
func lookupArg(b *tfjson.SchemaBlock, path string) argInfo {
	names := strings.Split(path, ".")
	var attrs map[string]*tfjson.SchemaAttribute
	obj := cty.NilType // inside an attribute of object type, written as blocks
	for i, n := range names {
		last := i == len(names)-1
		if obj != cty.NilType {
			if !obj.HasAttribute(n) {
				return argInfo{}
			}
			t := obj.AttributeType(n)
			if last {
				return argInfo{kind: argAttr, typ: t}
			}
			if obj = objectOf(t); obj == cty.NilType {
				return argInfo{}
			}
			continue
		}
		if attrs != nil {
			a := attrs[n]
			if a == nil {
				return argInfo{}
			}
			if a.AttributeNestedType != nil {
				if last {
					return argInfo{kind: argNested}
				}
				attrs = a.AttributeNestedType.Attributes
				continue
			}
			if last {
				return argInfo{kind: argAttr, typ: a.AttributeType}
			}
			return argInfo{}
		}
		if a := b.Attributes[n]; a != nil {
			if a.AttributeNestedType != nil {
				if last {
					return argInfo{kind: argNested}
				}
				attrs = a.AttributeNestedType.Attributes
				continue
			}
			if last {
				return argInfo{kind: argAttr, typ: a.AttributeType}
			}
			// azurerm's security_rule: a list of objects the docs describe as a block.
			if obj = objectOf(a.AttributeType); obj == cty.NilType {
				return argInfo{}
			}
			continue
		}
		nb := b.NestedBlocks[n]
		if nb == nil || nb.Block == nil {
			return argInfo{}
		}
		if last {
			return argInfo{kind: argBlock}
		}
		b = nb.Block
	}
	return argInfo{}
}

// objectOf is the object type of an object, or of the elements of a list or set of them.
func objectOf(t cty.Type) cty.Type {
	if t.IsListType() || t.IsSetType() {
		t = t.ElementType()
	}
	if t.IsObjectType() {
		return t
	}
	return cty.NilType
}

// scalarType is the type a value rule checks: the attribute's own primitive type, or the
// element type of a list or set of primitives (the docs' values then apply to each element).
func (a argInfo) scalarType() cty.Type {
	if a.kind != argAttr {
		return cty.NilType
	}
	t := a.typ
	if t.IsListType() || t.IsSetType() {
		t = t.ElementType()
	}
	if t.IsPrimitiveType() {
		return t
	}
	return cty.NilType
}

// sentences cuts a description into sentences. A period ends one when it stands outside
// backticks and is followed by a space and a capital, a backtick, a callout, or the end; a
// callout ("-> **Note:**") starts a new one. Whitespace is collapsed.
func sentences(text string) []string {
	text = strings.Join(strings.Fields(text), " ")
	var out []string
	var b strings.Builder
	flush := func() {
		if s := strings.TrimSpace(b.String()); s != "" {
			out = append(out, s)
		}
		b.Reset()
	}
	inCode := false
	for i := 0; i < len(text); i++ {
		c := text[i]
		if !inCode && strings.IndexByte("-~!*", c) >= 0 && (i == 0 || text[i-1] == ' ') {
			if m := calloutRe.FindString(text[i:min(len(text), i+40)]); m != "" {
				flush()
				i += len(m) - 1
				continue
			}
		}
		b.WriteByte(c)
		switch {
		case c == '`':
			inCode = !inCode
		case (c == '.' || c == '?') && !inCode && endsSentence(text, i):
			flush()
		}
	}
	flush()
	return out
}

var calloutRe = regexp.MustCompile(`^(?:[-~!]>\s*)?\*\*(?:Note|NOTE|Warning|WARNING|Caution|Important|IMPORTANT)\*\*:?\s*|^[-~!]>\s*(?:\*\*(?:Note|NOTE)[:.]?\*\*:?\s*)?|^\*\*(?:Note|NOTE):\*\*\s*`)

func endsSentence(text string, i int) bool {
	if i+1 == len(text) {
		return true
	}
	if text[i+1] != ' ' || i+2 >= len(text) {
		return i+2 >= len(text)
	}
	word := text[:i]
	if j := strings.LastIndexByte(word, ' '); j >= 0 {
		word = word[j+1:]
	}
	switch strings.ToLower(strings.Trim(word, "(")) {
	case "e.g", "i.e", "eg", "ie", "vs", "approx", "no":
		return false
	}
	n := text[i+2]
	return n >= 'A' && n <= 'Z' || n == '`' || n == '-' || n == '~' || n == '!' || n == '*' || n == '(' || n >= '0' && n <= '9'
}

var (
	linkRe = regexp.MustCompile(`\[([^\]]*)\]\([^)]*\)`)
	boldRe = regexp.MustCompile(`\*\*([^*]*)\*\*`)
)

// cleanSentence is the text parsers read: links reduced to their text, bold marks and the
// final period removed.
func cleanSentence(s string) string {
	s = linkRe.ReplaceAllString(s, "$1")
	s = boldRe.ReplaceAllString(s, "$1")
	s = strings.TrimSpace(s)
	s = strings.TrimSuffix(s, ".")
	return strings.TrimSpace(s)
}
