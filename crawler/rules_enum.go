package crawler

import (
	"regexp"
	"strings"

	"github.com/zclconf/go-cty/cty"

	"github.com/cloudoven/cloudoven/catalog"
)

// Enumerations: "Possible values are `A`, `B` (remark) and `C`" and the forms the
// kubernetes docs use, which write the values bare ("One of Always, Never, IfNotPresent")
// or as a Go list (`Must be one of ["" "Memory"]`).

var (
	enumRe = regexp.MustCompile(`(?i)(?:^|, |,|\s-\s)((?:the )?(?:currently )?(?:possible|valid|allowed|accepted|supported) (?:values?|options?) (?:are|is|include|includes)|(?:(?:currently|at this time),? )?(?:the )?only (?:possible|valid|allowed|supported) (?:values?|options?) (?:is|are)|(?:it |this |the value |this value |value )?(?:must|can|should) be (?:one of|either)(?: the following)?|^one of)\s*:?\s*(.+)$`)
	// enumPrefixDeny are words that make the text before a list mid-sentence a condition or a
	// part of the value ("The first segment of the `sku_name` ..., possible values are").
	enumPrefixDeny = regexp.MustCompile(`(?i)\b(?:when|if|unless|where|segment|part|first|second|third|last|each|except|case|otherwise|legacy|older|newer|prior|before|after|only|depending)\b`)
	// whenSpecifiedRe is a condition that is no condition: an enumeration only ever checks a
	// value that is set.
	whenSpecifiedRe = regexp.MustCompile(`(?i)^(?:when|if) specified,?\s*$`)
	// enumTailRe is a default or remark that follows the list in the same sentence.
	enumTailRe     = regexp.MustCompile("(?i)\\s*(?:[,;]\\s*(?:and )?|\\(|\\s)(?:defaults to|the default is|default is|default value is|the default value is|with a default of)\\s+(?:`[^`]*`|\"[^\"]*\"|'[^']*'|[\\w.-]+)\\)?$")
	italicRemarkRe = regexp.MustCompile(`^for _[^_]+_`)
	partialRe      = regexp.MustCompile(`(?i)\b(?:include|includes|such as|for example|e\.g|among others|not limited to|etc)\b`)
	// bareValueRe is a value written without quotes: one word of the kind an API spells an
	// enumeration with ("IfNotPresent", "HugePages-2Mi", "linux").
	bareValueRe = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_-]*`)
	// goListRe is a Go-style list of quoted strings, as kubernetes' validation messages print
	// one: ["" "Memory" "HugePages"].
	goListRe = regexp.MustCompile(`^\[((?:"[^"]*"\s*)+)\]$`)
	goItemRe = regexp.MustCompile(`"([^"]*)"`)
)

// bareStopWords are words that, written bare after "one of" or "values are", start prose,
// not a list of values.
var bareStopWords = map[string]bool{
	"the": true, "a": true, "an": true, "any": true, "all": true, "both": true, "either": true,
	"empty": true, "other": true, "others": true, "following": true, "these": true, "those": true,
	"value": true, "values": true, "string": true, "strings": true, "number": true, "numbers": true,
	"true": true, "false": true, "null": true, "not": true, "no": true, "set": true, "specified": true,
	"between": true, "from": true, "in": true, "on": true, "of": true, "to": true, "for": true,
	"with": true, "see": true, "this": true, "that": true, "it": true, "its": true, "their": true,
	"etc": true, "e": true, "i": true, "is": true, "are": true, "be": true,
}

// listItem is one value of a list and how the docs wrote it.
type listItem struct {
	value   string
	quote   byte // '`', '\'', '"', or 0 for a bare word
	remark  string
	goQuote bool // a string of a Go-style list, where "" is the empty string
}

// enum reads "Possible values are `A`, `B` (remark) and `C`", and its variants.
func (m *ruleMiner) enum(raw, s string) string {
	loc := enumRe.FindStringSubmatchIndex(s)
	if loc == nil {
		return ""
	}
	if prefix := s[:loc[2]]; enumPrefixDeny.MatchString(prefix) && !whenSpecifiedRe.MatchString(prefix) {
		return "the values follow a condition or name a part of the value: " + prefix
	}
	mt := []string{s[loc[2]:loc[3]], s[loc[4]:loc[5]]}
	list := strings.ReplaceAll(enumTailRe.ReplaceAllString(mt[1], ""), "`,and ", "`, and ")
	t := m.arg.scalarType()
	items, rest, ok := valueList(list, t == cty.String)
	if !ok || len(items) == 0 {
		return "the values are not all quoted"
	}
	bare := 0
	for _, it := range items {
		if it.quote == 0 {
			bare++
		}
	}
	if bare > 0 && len(items) < 2 {
		return "a single value written bare"
	}
	if bare > 0 && mixedCase(items) {
		// "valid values are windows, Linux": the provider's check likely ignores case
		return "the values are written bare in more than one case"
	}
	partial := partialRe.MatchString(mt[0]) || partialRe.MatchString(rest)
	switch strings.ToLower(strings.TrimSpace(rest)) {
	case "", "only", "(default)", "etc", "and so on", "is allowed", "are allowed":
	default:
		if !partial {
			return "text follows the values: " + rest
		}
	}
	values := make([]string, len(items))
	var defaults []string
	for i, it := range items {
		v := it.value
		values[i] = v
		if v == "" && !it.goQuote && it.quote != '"' || strings.ContainsAny(v, "*<>{}") || strings.Contains(v, "...") {
			partial = true
		}
		if strings.EqualFold(it.remark, "default") {
			defaults = append(defaults, v)
		}
	}
	switch {
	case t == cty.String:
	case t == cty.Number:
		for _, v := range values {
			if _, ok := parseNumber(v); !ok {
				return "a value of a number argument is not a number: " + v
			}
		}
	case t == cty.Bool:
		return "values for a bool argument"
	default:
		return "values for an argument that is not a string or number (or a list of them)"
	}
	m.add(catalog.Rule{Kind: catalog.RuleEnum, Values: values, Partial: partial, Sentence: raw})
	// "None (default), HostToContainer and Bidirectional": the remark names the default of
	// an argument that holds one value (a list's default is not one of its elements).
	if len(defaults) == 1 && defaults[0] != "" && !partial && m.arg.kind == argAttr && m.arg.typ.IsPrimitiveType() {
		m.add(catalog.Rule{Kind: catalog.RuleDefault, Default: defaults[0], Sentence: raw})
	}
	return ""
}

// valueList reads values in backticks or quotes separated by commas, "and", "or" and "/",
// each optionally followed by a parenthesised remark, or a Go-style list of quoted strings;
// with bare, a value may also be one word without quotes. rest is what follows the list.
func valueList(s string, bare bool) (items []listItem, rest string, ok bool) {
	s = strings.TrimSpace(s)
	if mt := goListRe.FindStringSubmatch(s); mt != nil {
		for _, q := range goItemRe.FindAllStringSubmatch(mt[1], -1) {
			items = append(items, listItem{value: q[1], quote: '"', goQuote: true})
		}
		return items, "", len(items) > 0
	}
	for {
		if s == "" {
			return items, s, len(items) > 0
		}
		var it listItem
		before := s
		switch {
		case strings.ContainsRune("`'\"", rune(s[0])):
			end := strings.IndexByte(s[1:], s[0])
			if end < 0 {
				return nil, s, false
			}
			v := s[1 : 1+end]
			if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
				v = v[1 : len(v)-1] // `"Web, Publishing"`: the quotes are HCL's, not the value's
			}
			it = listItem{value: v, quote: s[0]}
			s = strings.TrimSpace(s[2+end:])
		case bare && bareValueRe.MatchString(s):
			w := bareValueRe.FindString(s)
			after := s[len(w):]
			// a bare word ends at a separator, a remark or the end: "Always, Never"
			if bareStopWords[strings.ToLower(w)] || after != "" && !strings.HasPrefix(after, ",") && !strings.HasPrefix(after, " ") {
				return items, s, len(items) > 0
			}
			it = listItem{value: w}
			s = strings.TrimSpace(after)
		default:
			return items, s, len(items) > 0
		}
		if m := italicRemarkRe.FindString(s); m != "" {
			s = strings.TrimSpace(s[len(m):]) // `ios` for _iOS_: a label of the value
		}
		if strings.HasPrefix(s, "(") {
			close := strings.IndexByte(s, ')')
			if close < 0 {
				return nil, s, false
			}
			it.remark = strings.TrimSpace(s[1:close])
			s = strings.TrimSpace(s[close+1:])
		}
		items = append(items, it)
		sep := false
		for _, p := range []string{", and ", ", or ", ",", "and ", "or ", "/"} {
			if strings.HasPrefix(s, p) {
				s = strings.TrimSpace(s[len(p):])
				sep = true
				break
			}
		}
		if !sep {
			if it.quote == 0 && s != "" {
				// a bare word followed by prose starts the prose, not a value: "`NFSv3` or
				// `NFSv4.1`, multi-protocol is not supported".
				items = items[:len(items)-1]
				return items, strings.TrimSpace(before), len(items) > 0
			}
			return items, s, true
		}
	}
}

// mixedCase says whether some values start with a lower case letter and others with an
// upper case one.
func mixedCase(items []listItem) bool {
	lower, upper := false, false
	for _, it := range items {
		if it.value == "" {
			continue
		}
		c := it.value[0]
		lower = lower || c >= 'a' && c <= 'z'
		upper = upper || c >= 'A' && c <= 'Z'
	}
	return lower && upper
}
