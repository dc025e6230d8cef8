package catalog

// RuleKind names what a Rule constrains.
type RuleKind string

const (
	// RuleEnum: the value is one of Values ("Possible values are `Standard` and `WildCard`").
	// Partial marks a list the docs say is not exhaustive ("such as", "for example").
	RuleEnum RuleKind = "enum"
	// RuleRange: a number within Min and Max, either of which may be absent
	// ("between `30` and `730`", "must be at least 1").
	RuleRange RuleKind = "range"
	// RuleLength: a string's length within Min and Max ("between 1 and 63 characters").
	RuleLength RuleKind = "length"
	// RulePattern: a string matching Pattern, an RE2 expression anchored at both ends, built
	// from what the docs say about allowed characters ("can contain only letters, numbers and
	// hyphens", "must start with a letter").
	RulePattern RuleKind = "pattern"
	// RuleCase: a string in one case, Values[0] "lower" or "upper".
	RuleCase RuleKind = "case"
	// RuleDefault: the value Terraform uses when the argument is left out, in Default.
	RuleDefault RuleKind = "default"
	// RuleForcesNew: changing the argument replaces the resource.
	RuleForcesNew RuleKind = "forces_new"
	// RuleConflictsWith: the argument may not be set together with any of Paths.
	RuleConflictsWith RuleKind = "conflicts_with"
	// RuleExactlyOneOf: exactly one of Paths (the argument among them) must be set.
	RuleExactlyOneOf RuleKind = "exactly_one_of"
	// RuleAtLeastOneOf: at least one of Paths (the argument among them) must be set.
	RuleAtLeastOneOf RuleKind = "at_least_one_of"
	// RuleRequiredWith: the argument must be set when Paths are (RequiredWhen: when the
	// condition in Values[0] holds, e.g. "type = UserAssigned"; with several Values, when
	// any one of them holds: "type = UserAssigned", "type = SystemAssigned, UserAssigned").
	RuleRequiredWith RuleKind = "required_with"
)

// Rule is one constraint on an argument, mined by the crawler from the sentence of the
// provider's docs that states it and kept with that sentence, so every finding can quote
// the docs. Paths are schema paths relative to the type: "default_node_pool.vm_size".
type Rule struct {
	Kind     RuleKind `json:"kind"`
	Values   []string `json:"values,omitempty"`
	Partial  bool     `json:"partial,omitempty"`
	Min      *float64 `json:"min,omitempty"`
	Max      *float64 `json:"max,omitempty"`
	Pattern  string   `json:"pattern,omitempty"`
	Default  string   `json:"default,omitempty"`
	Paths    []string `json:"paths,omitempty"`
	Sentence string   `json:"sentence"`
}

// Rules returns the rules the docs state for one argument of the type, by schema path;
// nil when the docs state none or the type has no docs.
func (t *Type) Rules(path string) []Rule {
	if t == nil || t.Doc == nil {
		return nil
	}
	return t.Doc.Rules[path]
}

// RulesOf returns the rules of the given kind for one argument.
func (t *Type) RulesOf(path string, kind RuleKind) []Rule {
	var out []Rule
	for _, r := range t.Rules(path) {
		if r.Kind == kind {
			out = append(out, r)
		}
	}
	return out
}
