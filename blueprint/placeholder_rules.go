package blueprint

import (
	"math/big"
	"strings"
	"unicode/utf8"

	"github.com/zclconf/go-cty/cty"

	"github.com/cloudoven/cloudoven/catalog"
)

// placeholderByRules makes a placeholder keep the rules of the docs, so that a new resource
// validates: an enumeration's first value, a number within its range, and a string of the
// allowed characters and length. A placeholder no rule constrains is returned as it is.
func placeholderByRules(v Value, rules []catalog.Rule) Value {
	if len(rules) == 0 {
		return v
	}
	switch v.Kind {
	case ListKind:
		items := make([]Value, len(v.List))
		for i, item := range v.List {
			items[i] = placeholderByRules(item, rules)
		}
		return List(items...)
	case LiteralKind:
	default:
		return v
	}
	lit := v.Literal
	for _, r := range rules {
		switch {
		case r.Kind == catalog.RuleEnum && !r.Partial && len(r.Values) > 0:
			if lit.Type() == cty.Number {
				if f, _, err := big.ParseFloat(r.Values[0], 10, 512, big.ToNearestEven); err == nil {
					return Value{Kind: LiteralKind, Literal: cty.NumberVal(f)}
				}
				return v
			}
			return String(r.Values[0])
		case r.Kind == catalog.RuleRange && lit.Type() == cty.Number:
			n := lit.AsBigFloat()
			if r.Min != nil && n.Cmp(big.NewFloat(*r.Min)) < 0 {
				lit = cty.NumberFloatVal(*r.Min)
			} else if r.Max != nil && n.Cmp(big.NewFloat(*r.Max)) > 0 {
				lit = cty.NumberFloatVal(*r.Max)
			}
		}
	}
	if lit.Type() == cty.String {
		lit = cty.StringVal(placeholderFitting(lit.AsString(), rules))
	}
	return Value{Kind: LiteralKind, Literal: lit}
}

// placeholderFitting is s, or the first of a few plainer strings, that keeps every pattern,
// case and length rule; s when none does.
func placeholderFitting(s string, rules []catalog.Rule) string {
	plain := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, strings.ToLower(s))
	for _, c := range []string{s, strings.ToLower(s), plain, "example", "example1"} {
		for _, fitted := range []string{c, fitLength(c, rules)} {
			if fitted != "" && keepsRules(fitted, rules) {
				return fitted
			}
		}
	}
	return s
}

// fitLength pads c with its last character or cuts it to the length rules' bounds.
func fitLength(c string, rules []catalog.Rule) string {
	for _, r := range rules {
		if r.Kind != catalog.RuleLength || c == "" {
			continue
		}
		if r.Max != nil && utf8.RuneCountInString(c) > int(*r.Max) {
			c = string([]rune(c)[:int(*r.Max)])
		}
		if r.Min != nil && utf8.RuneCountInString(c) < int(*r.Min) {
			c += strings.Repeat(c[len(c)-1:], int(*r.Min)-utf8.RuneCountInString(c))
		}
	}
	return c
}

func keepsRules(s string, rules []catalog.Rule) bool {
	for _, r := range rules {
		switch r.Kind {
		case catalog.RulePattern:
			if re := rulePattern(r.Pattern); re != nil && !re.MatchString(s) {
				return false
			}
		case catalog.RuleLength:
			n := float64(utf8.RuneCountInString(s))
			if r.Min != nil && n < *r.Min || r.Max != nil && n > *r.Max {
				return false
			}
		case catalog.RuleCase:
			if len(r.Values) > 0 && (r.Values[0] == "lower" && s != strings.ToLower(s) || r.Values[0] == "upper" && s != strings.ToUpper(s)) {
				return false
			}
		}
	}
	return true
}
