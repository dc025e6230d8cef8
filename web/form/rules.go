package form

import (
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/cloudoven/cloudoven/catalog"
)

// RulesOf looks up the rules the docs state for an argument by schema path
// (catalog.Type.Rules); nil means none.
type RulesOf func(schemaPath string) []catalog.Rule

// Constraints is what the docs' rules say about one field, in the form's terms: whether it
// is a choice, the bounds its input carries, its placeholder, its hints and whether
// changing it replaces the resource. The texts come from crawled docs: templates render
// them as text, never as markup.
type Constraints struct {
	// Choices are the values an enumeration allows, as the docs list them; Partial says
	// the docs' list is not exhaustive ("such as"), so another value may be typed.
	Choices []string
	Partial bool
	// ChoicesSentence is the docs' sentence that lists Choices, the choice's title.
	ChoicesSentence string
	// Min and Max bound a number; nil when the docs give no bound.
	Min, Max *float64
	// MinLength and MaxLength bound a string's length in characters; 0 when not given.
	MinLength, MaxLength int
	// Default is what Terraform uses when the argument is left out.
	Default string
	// ForcesNew is the docs' sentence saying that changing the argument replaces the
	// resource; "" when none says so or the body is not a managed resource's.
	ForcesNew string
	// Hints are short texts shown under the input, each with the sentence it came from.
	Hints []Hint
}

// Hint is one line under a field: Text says the rule in a few words, Sentence is the
// docs' sentence it was mined from.
type Hint struct {
	Kind     catalog.RuleKind
	Text     string
	Sentence string
}

// constraints reads the rules of one argument. Of several rules of a kind, the first wins:
// a form shows one list and one range, and validation reports every rule anyway.
func constraints(rulesOf RulesOf, schemaPath string, w Widget, managed bool) Constraints {
	var c Constraints
	if rulesOf == nil {
		return c
	}
	seen := map[catalog.RuleKind]bool{}
	for _, r := range rulesOf(schemaPath) {
		if seen[r.Kind] {
			continue
		}
		seen[r.Kind] = true
		switch r.Kind {
		case catalog.RuleEnum:
			if w == BoolWidget || len(r.Values) == 0 {
				continue
			}
			c.Choices, c.Partial, c.ChoicesSentence = r.Values, r.Partial, r.Sentence
			switch {
			case w == ExprWidget:
				c.hint(r, "values the docs list: "+strings.Join(r.Values, ", "))
			case r.Partial:
				c.hint(r, "suggestions from the docs; another value may be typed")
			}
		case catalog.RuleRange:
			if r.Min == nil && r.Max == nil {
				continue
			}
			c.Min, c.Max = r.Min, r.Max
			c.hint(r, bounds(r.Min, r.Max, ""))
		case catalog.RuleLength:
			if r.Min == nil && r.Max == nil {
				continue
			}
			c.MinLength, c.MaxLength = wholeLength(r.Min), wholeLength(r.Max)
			c.hint(r, bounds(r.Min, r.Max, " characters"))
		case catalog.RulePattern, catalog.RuleCase:
			// The sentence says it best ("can contain only letters, numbers and
			// hyphens"); an RE2 pattern is no HTML pattern attribute (JavaScript's
			// syntax differs), so the server's validation checks it.
			c.hint(r, r.Sentence)
		case catalog.RuleDefault:
			c.Default = r.Default
		case catalog.RuleForcesNew:
			if managed {
				c.ForcesNew = r.Sentence
			}
		case catalog.RuleConflictsWith:
			c.hint(r, "not together with "+strings.Join(r.Paths, ", "))
		case catalog.RuleExactlyOneOf:
			c.hint(r, "exactly one of "+strings.Join(r.Paths, ", "))
		case catalog.RuleAtLeastOneOf:
			c.hint(r, "at least one of "+strings.Join(r.Paths, ", "))
		case catalog.RuleRequiredWith:
			if len(r.Paths) > 0 {
				c.hint(r, "required with "+strings.Join(r.Paths, ", "))
			} else if len(r.Values) > 0 {
				c.hint(r, "required when "+r.Values[0])
			}
		}
	}
	return c
}

func (c *Constraints) hint(r catalog.Rule, text string) {
	if strings.TrimSpace(text) != "" {
		c.Hints = append(c.Hints, Hint{Kind: r.Kind, Text: text, Sentence: r.Sentence})
	}
}

// bounds says a range in words: "between 30 and 730", "at least 1", "at most 63 characters".
func bounds(lo, hi *float64, unit string) string {
	switch {
	case lo != nil && hi != nil:
		return "between " + FormatNumber(*lo) + " and " + FormatNumber(*hi) + unit
	case lo != nil:
		return "at least " + FormatNumber(*lo) + unit
	}
	return "at most " + FormatNumber(*hi) + unit
}

// FormatNumber writes a bound the way the docs and an HTML number input do: 30, 0.5, -1.
func FormatNumber(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// wholeLength is a length bound as an input's minlength or maxlength takes it; 0 (no
// attribute) for none, or for one that is not a whole number of characters.
func wholeLength(f *float64) int {
	if f == nil || *f < 0 || *f != math.Trunc(*f) || *f > 1<<20 {
		return 0
	}
	return int(*f)
}

// ChoiceInput reports whether the field shows its enumeration as a choice: a plain value
// (not a reference or an expression) of a string or a number whose docs list every value.
func (f Field) ChoiceInput() bool {
	return f.Mode == ValueMode && (f.Widget == TextWidget || f.Widget == NumberWidget) &&
		len(f.Rules.Choices) > 0 && !f.Rules.Partial && !f.Sensitive
}

// SuggestInput reports whether the field is a text input that suggests the docs' values: a
// plain value whose docs list is marked partial.
func (f Field) SuggestInput() bool {
	return f.Mode == ValueMode && (f.Widget == TextWidget || f.Widget == NumberWidget) &&
		len(f.Rules.Choices) > 0 && f.Rules.Partial && !f.Sensitive
}

// Unlisted reports whether the field holds a value the docs' list does not have: the
// choice keeps and shows it rather than change the author's value.
func (f Field) Unlisted() bool {
	return f.Text != "" && !slices.Contains(f.Rules.Choices, f.Text)
}

// RangeInput reports whether the field is a number input with the docs' bounds. A value
// an HTML number input cannot hold (text, a number beyond float64) keeps the text input,
// as a number input would empty it and the next post would lose it.
func (f Field) RangeInput() bool {
	if f.Mode != ValueMode || f.Widget != NumberWidget || (f.Rules.Min == nil && f.Rules.Max == nil) {
		return false
	}
	if f.Text == "" {
		return true
	}
	if !htmlNumber.MatchString(f.Text) {
		return false
	}
	v, err := strconv.ParseFloat(f.Text, 64)
	return err == nil && !math.IsInf(v, 0)
}

// htmlNumber is HTML's valid floating-point number: what a number input keeps as its value.
var htmlNumber = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$`)

// Placeholder is what an empty input shows: the default Terraform uses, if the docs say.
func (f Field) Placeholder() string {
	if f.Rules.Default == "" {
		return ""
	}
	return "default: " + f.Rules.Default
}

// UnsetLabel is the empty choice of a select: "not set", with the default when the docs
// give one.
func (f Field) UnsetLabel() string {
	if f.Rules.Default == "" {
		return "not set"
	}
	return "not set (default: " + f.Rules.Default + ")"
}

// HintsID is the id of the element holding the field's hints, for aria-describedby; ""
// when it has none.
func (f Field) HintsID() string {
	if len(f.Rules.Hints) == 0 && !(f.ChoiceInput() && f.Unlisted()) {
		return ""
	}
	return "h-" + f.Key
}

// ListID is the id of the datalist of a SuggestInput field.
func (f Field) ListID() string { return "l-" + f.Key }
