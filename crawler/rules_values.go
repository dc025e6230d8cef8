package crawler

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/zclconf/go-cty/cty"

	"github.com/cloudoven/cloudoven/catalog"
)

// The parsers of the rules on an argument's own value: enumerations, numeric ranges,
// defaults, and string length, characters and case. Each returns why it did not keep a
// sentence it recognised ("" when it kept it or did not recognise it).

// parseNumber reads a number as the docs write one; a leading zero ("0777", an octal file
// mode) is not a decimal number.
func parseNumber(s string) (float64, bool) {
	s = strings.Trim(s, "` ")
	d := strings.TrimPrefix(s, "-")
	if d == "" || len(d) > 1 && d[0] == '0' && d[1] != '.' {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil
}

const num = "`?(-?[0-9][0-9,]*(?:\\.[0-9]+)?)\\s?`?"

var (
	rangeSubject = `(?:^|,\s*which\s+)(?:(?:the )?(?:possible|valid|allowed|accepted|supported) values? (?:are|is|range|ranges|vary|varies|must be|should be|can be)|supports? values|(?:the |this |a )?(?:value|number|integer) (?:must|should|can|has to)(?: be)?(?: set)?|(?:it |this |values? )?(?:must|should|can|has to)(?: be)?(?: set)?|must be a (?:value|number|integer))(?: (?:an? )?(?:value|number|integers?|whole number)s?)?`
	rangeRe      = regexp.MustCompile(`(?i)` + rangeSubject + `\s+(?:between|from|in the range(?: of)?)\s+` + num + `(?:\s+([a-z%]+))?\s*(?:and|to|-)\s+` + num + `(?:\s+([a-z%]+))?(?:\s*\(([^)]*)\)|\s+(inclusive))?$`)
	minRe        = regexp.MustCompile(`(?i)` + rangeSubject + `\s+(?:at least|greater than or equal to|a minimum of|no less than|equal to or greater than)\s+` + num + `(?:\s+([a-z%]+))?$`)
	maxRe        = regexp.MustCompile(`(?i)` + rangeSubject + `\s+(?:at most|less than or equal to|a maximum of|no more than|no greater than|up to|equal to or less than)\s+` + num + `(?:\s+([a-z%]+))?$`)
)

// theDefaultRe is a remark on a bound: "between `7` and `90` (the default) days".
var theDefaultRe = regexp.MustCompile(`\s*\(the default\)`)

// countUnits are units that say a bound is about something other than the number itself.
var countUnits = map[string]bool{"items": true, "elements": true, "entries": true, "characters": true, "values": true, "tags": true, "blocks": true, "times": true}

// numberRange reads "Possible values are between `30` and `730`", "must be at least 1".
func (m *ruleMiner) numberRange(raw, s string) string {
	var lo, hi *float64
	num := func(s string) (*float64, bool) {
		f, ok := parseNumber(strings.ReplaceAll(s, ",", ""))
		return &f, ok
	}
	var ok1, ok2 = true, true
	s = theDefaultRe.ReplaceAllString(s, "")
	switch {
	case rangeRe.MatchString(s):
		mt := rangeRe.FindStringSubmatch(s)
		u1, u2 := strings.ToLower(mt[2]), strings.ToLower(mt[4])
		if countUnits[u1] || countUnits[u2] || u1 != "" && u2 != "" && u1 != u2 && u1+"s" != u2 {
			return ""
		}
		if strings.Contains(strings.ToLower(mt[5]), "exclusive") {
			return "a range that is not inclusive"
		}
		lo, ok1 = num(mt[1])
		hi, ok2 = num(mt[3])
	case minRe.MatchString(s):
		mt := minRe.FindStringSubmatch(s)
		if countUnits[strings.ToLower(mt[2])] {
			return ""
		}
		lo, ok1 = num(mt[1])
	case maxRe.MatchString(s):
		mt := maxRe.FindStringSubmatch(s)
		if countUnits[strings.ToLower(mt[2])] {
			return ""
		}
		hi, ok2 = num(mt[1])
	default:
		return ""
	}
	if !ok1 || !ok2 {
		return "a bound is not a decimal number"
	}
	if lo != nil && hi != nil && *lo > *hi {
		return "the lower bound is above the upper one"
	}
	if m.arg.scalarType() != cty.Number {
		return "a numeric range on an argument that is not a number"
	}
	m.add(catalog.Rule{Kind: catalog.RuleRange, Min: lo, Max: hi, Sentence: raw})
	return ""
}

// defaultRe reads a default at the end of a sentence; helm's docs lose the space after a
// period ("Prevent hooks from running.Defaults to `false`").
var defaultRe = regexp.MustCompile("(?i)(?:^|[,;(]\\s*|\\s|[a-z]\\.)(?:defaults to|the default(?: value)? is|default(?: value)? is)\\s+(`[^`]*`|\"[^\"]*\"|'[^']*'|-?[0-9]+(?:\\.[0-9]+)?|true|false)\\s*\\)?(?:\\s*\\([^)]*\\))?$")

// bareDefaultRe is a default written as one bare word that makes up the whole sentence, as
// the kubernetes docs write an enumeration's default ("Defaults to File").
var bareDefaultRe = regexp.MustCompile(`^(?:Optional: )?Defaults to ([A-Z][A-Za-z0-9]*)$`)

// defaultValue reads "Defaults to `Free`".
func (m *ruleMiner) defaultValue(raw, s string) string {
	mt := defaultRe.FindStringSubmatch(s)
	if mt == nil {
		bare := bareDefaultRe.FindStringSubmatch(s)
		if bare == nil {
			return ""
		}
		if m.arg.kind != argAttr || m.arg.typ != cty.String {
			return "a default written bare on an argument that is not a string"
		}
		m.add(catalog.Rule{Kind: catalog.RuleDefault, Default: bare[1], Sentence: raw})
		return ""
	}
	v := mt[1]
	if len(v) >= 2 && strings.ContainsRune("`'\"", rune(v[0])) {
		v = v[1 : len(v)-1]
	}
	switch m.arg.scalarType() {
	case cty.Number:
		if _, ok := parseNumber(v); !ok {
			return "the default of a number argument is not a number"
		}
	case cty.Bool:
		if v != "true" && v != "false" {
			return "the default of a bool argument is not true or false"
		}
	case cty.String:
	default:
		return ""
	}
	if m.arg.kind != argAttr || !m.arg.typ.IsPrimitiveType() {
		return ""
	}
	m.add(catalog.Rule{Kind: catalog.RuleDefault, Default: v, Sentence: raw})
	return ""
}

// stringConstraintDeny are words that say a sentence constrains something other than the
// whole value, or only under a condition.
var stringConstraintDeny = regexp.MustCompile(`(?i)\b(?:each|keys?|when|unless|segment|combined|total|together|per|prefix(?:ed)?|suffix|for (?:a|an|linux|windows))\b|\bif\b(?: specified)?`)

func stringSentenceOK(s string) bool {
	for _, m := range stringConstraintDeny.FindAllString(s, -1) {
		if !strings.EqualFold(m, "if specified") {
			return false
		}
	}
	return true
}

var (
	lenRangeRe = regexp.MustCompile(`(?i)(?:\b(?:between|from)\s+` + num + `\s*(?:and|to|-)\s*` + num + `|\b` + "([0-9]+)\\s?-\\s?([0-9]+)" + `)\s*(?:(?:alphanumeric|lowercase|unicode)\s+)?characters\b`)
	// lenClassRe reads a length stated with the allowed characters: "should include 4-63
	// letters, digits or '-'" (the characters are read by pattern).
	lenClassRe = regexp.MustCompile(`(?i)\b(?:include|contain|consist of)\s+([0-9]+)\s?-\s?([0-9]+)\s+(` + classList + `)`)
	lenMaxRe   = regexp.MustCompile(`(?i)\b(?:up to|maximum of|maximum length of|maximum length is|max length is|max length:|at most|no more than|cannot exceed|can't exceed|must not exceed|not exceed|can't be longer than|cannot be longer than|not be longer than|no longer than|limited to|maximum)\s+` + num + `\s*characters\b`)
	lenMinRe   = regexp.MustCompile(`(?i)\b(?:at least|minimum of|minimum length of)\s+` + num + `\s+characters\b`)
)

// length reads "between 1 and 54 characters", "up to 80 characters".
func (m *ruleMiner) length(raw, s string) string {
	var lo, hi *float64
	num := func(s string) *float64 {
		f, ok := parseNumber(s)
		if !ok {
			return nil
		}
		return &f
	}
	switch {
	case lenClassRe.MatchString(s):
		mt := lenClassRe.FindStringSubmatch(s)
		lo, hi = num(mt[1]), num(mt[2])
	case lenRangeRe.MatchString(s):
		mt := lenRangeRe.FindStringSubmatch(s)
		if mt[1] != "" {
			lo, hi = num(mt[1]), num(mt[2])
		} else {
			lo, hi = num(mt[3]), num(mt[4])
		}
		if lo == nil || hi == nil {
			return "a length bound is not a number"
		}
	case lenMaxRe.MatchString(s):
		if hi = num(lenMaxRe.FindStringSubmatch(s)[1]); hi == nil {
			return "a length bound is not a number"
		}
	case lenMinRe.MatchString(s):
		if lo = num(lenMinRe.FindStringSubmatch(s)[1]); lo == nil {
			return "a length bound is not a number"
		}
	default:
		return ""
	}
	if !stringSentenceOK(s) {
		return "the length is stated under a condition or for a part of the value"
	}
	if m.arg.kind != argAttr || m.arg.typ != cty.String {
		return "a length on an argument that is not a string"
	}
	if lo != nil && hi != nil && *lo > *hi {
		return "the lower bound is above the upper one"
	}
	m.add(catalog.Rule{Kind: catalog.RuleLength, Min: lo, Max: hi, Sentence: raw})
	return ""
}

var caseRe = regexp.MustCompile(`(?i)\b(?:(?:must|should) be (?:in |all |entirely )?(lower ?case|upper ?case)|(?:should|must) not contain any (upper ?case|lower ?case) (?:letters|characters))$`)

// caseRule reads "must be lowercase", "should not contain any uppercase letters".
func (m *ruleMiner) caseRule(raw, s string) string {
	mt := caseRe.FindStringSubmatch(s)
	if mt == nil {
		return ""
	}
	if !stringSentenceOK(s) {
		return "the case is stated under a condition or for a part of the value"
	}
	if m.arg.kind != argAttr || m.arg.typ != cty.String {
		return "a case on an argument that is not a string"
	}
	c := "lower"
	switch {
	case mt[1] != "" && strings.HasPrefix(strings.ToLower(mt[1]), "upper"):
		c = "upper"
	case mt[2] != "" && strings.HasPrefix(strings.ToLower(mt[2]), "lower"):
		c = "upper"
	}
	m.add(catalog.Rule{Kind: catalog.RuleCase, Values: []string{c}, Sentence: raw})
	return ""
}
