package crawler

import (
	"regexp"
	"strings"

	"github.com/cloudoven/cloudoven/catalog"
)

// The parsers of forces-new and of the rules between arguments. The arguments a sentence
// names are resolved against the schema, first beside the argument, then from the type's
// root; a name that resolves nowhere leaves the sentence unparsed.

var (
	forcesNewRe   = regexp.MustCompile(`(?i)\bchanging this(?: value| property| field| argument| attribute| block)? forces? (?:a )?new\b`)
	conditionalRe = regexp.MustCompile(`(?i)\b(?:if|when|unless|except|only|once|after|before|while)\b`)
	nameList      = "((?:`[^`]+`(?:\\s*,\\s*(?:and |or )?|\\s+and\\s+|\\s+or\\s+)?)+)"
	conflictsRe   = []*regexp.Regexp{
		regexp.MustCompile(`(?i)(?:^|[?.;]\s+)(?:this (?:field |argument |property |block )?)?conflicts with (?:the )?` + nameList + `(?: (?:argument|property|field|block)s?)?$`),
		regexp.MustCompile(`(?i)^cannot be (?:used|set|specified)(?: together| at the same time)? (?:with|alongside) ` + nameList + `$`),
	}
	onlyOneRe     = regexp.MustCompile(`(?i)^only one of (?:either )?(?:the )?` + nameList + `(?: (?:argument|propert(?:y|ie)|field|block)s?)? (?:can|may|should|must) be (?:specified|set|used|defined|configured|provided)$`)
	oneOfRe       = regexp.MustCompile(`(?i)^(exactly |one and only |only |)(?:one|1) of (either )?(?:the )?` + nameList + `(?: (?:argument|propert(?:y|ie)|field|block)s?)? (?:must|should|has to|needs to) be (?:specified|set|provided|defined|configured)$`)
	oneOfReq      = regexp.MustCompile(`(?i)^(exactly |)one of (either )?(?:the )?` + nameList + ` (?:is|are) required$`)
	atLeastRe     = regexp.MustCompile(`(?i)^at least one of (?:the )?` + nameList + `(?: (?:argument|propert(?:y|ie)|field|block)s?)? (?:must|should|has to|needs to) be (?:specified|set|provided|defined|configured)$`)
	requiredRe    = regexp.MustCompile("(?i)^(?:this (?:property |field |value |argument |block )?is |(`[^`]+`) is |)required (?:when|if) `([^`]+)` is (?:set to )?((?:`[^`]+`(?:\\s*,\\s*(?:or )?|\\s+or\\s+)?)+)$")
	requiredSetRe = regexp.MustCompile("(?i)^(?:this (?:property |field |value |argument |block )?is |(`[^`]+`) is |)required (?:when|if) `([^`]+)` is (?:set|specified|provided|configured)$")
	backtickRe    = regexp.MustCompile("`([^`]+)`")
)

// forcesNew reads "Changing this forces a new resource to be created", unless a condition
// limits it ("when", "if", "unless").
func (m *ruleMiner) forcesNew(raw, s string) string {
	if !forcesNewRe.MatchString(s) {
		return ""
	}
	if conditionalRe.MatchString(s) {
		return "forces a new resource only under a condition"
	}
	m.add(catalog.Rule{Kind: catalog.RuleForcesNew, Sentence: raw})
	return ""
}

// names lists the backticked names of a list, resolved to schema paths.
func (m *ruleMiner) names(list string) ([]string, string) {
	var out []string
	for _, mt := range backtickRe.FindAllStringSubmatch(list, -1) {
		p, ok := m.resolve(mt[1])
		if !ok {
			return nil, "an argument the schema does not have: " + mt[1]
		}
		out = append(out, p)
	}
	return out, ""
}

// resolve finds the schema path of a name the docs give: beside the argument, else from the
// type's root. "dns_settings[0].dns_servers" is "dns_settings.dns_servers".
func (m *ruleMiner) resolve(name string) (string, bool) {
	name = strings.ReplaceAll(name, "[0]", "")
	if name == "" || strings.ContainsAny(name, " =[]*") {
		return "", false
	}
	if parent := parentOf(m.path); parent != "" {
		if p := parent + "." + name; lookupArg(m.root, p).kind != argNone {
			return p, true
		}
	}
	if lookupArg(m.root, name).kind != argNone {
		return name, true
	}
	return "", false
}

// conflicts reads "Conflicts with `x`" and "Only one of `a` or `b` can be specified".
func (m *ruleMiner) conflicts(raw, s string) string {
	var list string
	only := false
	for _, re := range conflictsRe {
		if mt := re.FindStringSubmatch(s); mt != nil {
			list = mt[1]
			break
		}
	}
	if list == "" {
		if mt := onlyOneRe.FindStringSubmatch(s); mt != nil {
			list, only = mt[1], true
		}
	}
	if list == "" {
		return ""
	}
	paths, why := m.names(list)
	if why != "" {
		return why
	}
	var others []string
	self := false
	for _, p := range paths {
		if p == m.path {
			self = true
		} else {
			others = append(others, p)
		}
	}
	if only && !self {
		return "the sentence does not name the argument it describes"
	}
	if len(others) == 0 {
		return "no other argument named"
	}
	m.add(catalog.Rule{Kind: catalog.RuleConflictsWith, Paths: others, Sentence: raw})
	return ""
}

// oneOf reads "Exactly one of `a` or `b` must be specified" (exactly_one_of), "One of `a` or
// `b` must be specified" and "At least one of ..." (at_least_one_of: "one of ... must" says
// that one is needed, not that two are refused, unless it says "exactly" or "either").
func (m *ruleMiner) oneOf(raw, s string) string {
	kind := catalog.RuleAtLeastOneOf
	var list string
	switch {
	case oneOfRe.MatchString(s):
		mt := oneOfRe.FindStringSubmatch(s)
		if mt[1] != "" || mt[2] != "" {
			kind = catalog.RuleExactlyOneOf
		}
		list = mt[3]
	case oneOfReq.MatchString(s):
		mt := oneOfReq.FindStringSubmatch(s)
		if mt[1] != "" || mt[2] != "" {
			kind = catalog.RuleExactlyOneOf
		}
		list = mt[3]
	case atLeastRe.MatchString(s):
		list = atLeastRe.FindStringSubmatch(s)[1]
	default:
		return ""
	}
	paths, why := m.names(list)
	if why != "" {
		return why
	}
	if len(paths) < 2 {
		return "fewer than two arguments named"
	}
	self := false
	for _, p := range paths {
		self = self || p == m.path
	}
	if !self {
		return "the sentence does not name the argument it describes"
	}
	m.add(catalog.Rule{Kind: kind, Paths: paths, Sentence: raw})
	return ""
}

// requiredWhen reads "Required when `type` is set to `UserAssigned`" (Values hold one
// condition per value: "type = UserAssigned") and "Required if `x` is set".
func (m *ruleMiner) requiredWhen(raw, s string) string {
	var subject, other, vals string
	switch {
	case requiredRe.MatchString(s):
		mt := requiredRe.FindStringSubmatch(s)
		subject, other, vals = mt[1], mt[2], mt[3]
	case requiredSetRe.MatchString(s):
		mt := requiredSetRe.FindStringSubmatch(s)
		subject, other = mt[1], mt[2]
	default:
		return ""
	}
	if subject != "" && strings.Trim(subject, "`") != lastName(m.path) {
		return "the sentence is about another argument"
	}
	p, ok := m.resolve(other)
	if !ok {
		return "an argument the schema does not have: " + other
	}
	if p == m.path {
		return "required when itself is set"
	}
	r := catalog.Rule{Kind: catalog.RuleRequiredWith, Paths: []string{p}, Sentence: raw}
	for _, mt := range backtickRe.FindAllStringSubmatch(vals, -1) {
		r.Values = append(r.Values, lastName(p)+" = "+mt[1])
	}
	m.add(r)
	return ""
}
