package crawler

import (
	"regexp"
	"slices"
	"strings"

	tfjson "github.com/hashicorp/terraform-json"

	"github.com/cloudoven/cloudoven/catalog"
)

// Reading the argument and attribute lists: bullets, block introductions and the groups
// they open.

// mode is what the bullets of a reference section document.
type mode int

const (
	modeArguments mode = iota
	modeAttributes
	modeTimeouts
)

// docParser collects a page's reference sections as groups of bullets, then resolves every
// group's block paths at once: a hand-written page may introduce a block before or after the
// bullet that references it, so its place is known only once the whole page is read.
type docParser struct {
	doc    *catalog.Doc
	groups []*group
	nodes  map[string]bool // every schema path; true for a block or an object. nil without a schema
	// containers are the paths of the blocks and objects of each name, sorted.
	containers map[string][]string
}

// group is the bullets under one heading, rule or intro line: the top level, a block an
// intro names by its last name ("A `b` block supports"), or blocks named by full path
// (tfplugindocs' "Nested Schema for `a.b`").
type group struct {
	names     []string // nil for the top level
	parents   []string // "A `b` nested within the `p` block"
	explicit  bool     // names are full paths
	children  *group   // "Each nested block consists of": the blocks nested in this group's
	afterRule bool     // a top-level group a "---" started
	discard   bool     // top-level bullets outside the reference sections
	mode      mode     // of the intro, for its callouts
	items     []*item
	notes     []string // callouts right after the intro, appended to the block's own description
	paths     []string // resolved
}

// item is one argument bullet.
type item struct {
	name     string
	mode     mode
	desc     []string
	argument bool   // an attribute's bullet says "(Required)" or "(Optional)"
	schemaOf string // tfplugindocs: the path whose nested schema this one's is ("set_wo" → "set")
	alias    string // the block name a bullet's text gives: `pre_action` - "one or more `action` block as defined below"
}

func newDocParser(schema *tfjson.Schema) *docParser {
	p := &docParser{doc: &catalog.Doc{
		Arguments:  map[string]string{},
		Attributes: map[string]string{},
		Timeouts:   map[string]string{},
	}}
	if schema == nil || schema.Block == nil {
		return p
	}
	p.nodes = schemaPaths(schema.Block)
	p.containers = map[string][]string{}
	for path, container := range p.nodes {
		if container {
			n := lastName(path)
			p.containers[n] = append(p.containers[n], path)
		}
	}
	for _, ps := range p.containers {
		slices.Sort(ps)
	}
	return p
}

func (p *docParser) target(m mode) map[string]string {
	switch m {
	case modeAttributes:
		return p.doc.Attributes
	case modeTimeouts:
		return p.doc.Timeouts
	}
	return p.doc.Arguments
}

// walkReference reads a reference section into groups: bullets, the lines that introduce
// nested blocks, "---" rules that return to the top level, sub-headings, and callouts.
//
// loose is for the other sections, where only an intro's bullets document arguments: helm
// describes its `set` blocks below an example.
func (p *docParser) walkReference(lines []line, start mode, loose bool) {
	m := start
	top := func() *group {
		g := p.newGroup(nil, nil, false, m)
		g.discard = loose
		return g
	}
	g := top()
	var cur *item  // the bullet being read
	var last *item // the last bullet: a callout after it is part of its description
	intro := false // a callout now belongs to the intro of g
	blank := false

	for i := 0; i < len(lines); i++ {
		l := lines[i]
		t := strings.TrimSpace(l.text)
		indent := indentOf(l.text)
		if l.code {
			if cur != nil && (indent >= 2 || !blank) {
				cur.desc = append(cur.desc, dedent(l.text, 2))
				continue
			}
			cur, last, intro = nil, nil, false
			continue
		}
		if t == "" {
			blank = true
			continue
		}
		wasBlank := blank
		blank = false

		if l.level > 0 {
			cur, last, intro = nil, nil, false
			if names, explicit, nm, ok := p.heading(l.heading, start, m); ok {
				m = nm
				if names != nil || explicit {
					g = p.newGroup(names, nil, explicit, m)
					intro = true
				}
			} else {
				m = nm
			}
			continue
		}
		if _, note, n := noteAt(lines, i); n > 0 {
			i += n - 1
			switch {
			case cur != nil && indent >= 2, last != nil:
				it := cur
				if it == nil {
					it = last
				}
				it.desc = append(it.desc, "", note)
			case intro:
				g.notes = append(g.notes, note)
			}
			cur = nil
			continue
		}
		if isRule(t) && indent < 2 {
			cur, last, intro = nil, nil, false
			if start != modeTimeouts {
				m = start
			}
			g = top()
			g.afterRule = true
			continue
		}
		if isBullet(l.text) && indent < 2 {
			cur, last, intro = nil, nil, false
			name, paren, desc, ok := parseBullet(l.text)
			if !ok {
				continue
			}
			if m != modeTimeouts && paren == "" && bulletIntroRE.MatchString(desc) {
				g = p.newGroup([]string{name}, nil, false, m)
				intro = true
				continue
			}
			if m == modeTimeouts {
				if p.doc.Timeouts[name] == "" {
					p.doc.Timeouts[name] = composeDesc(m, paren, desc)
				}
				continue
			}
			cur = &item{name: name, mode: m, desc: []string{composeDesc(m, paren, desc)}, alias: aliasOf(name, desc)}
			if !strings.Contains(l.text, "nested schema") {
			} else if a := anchorRE.FindStringSubmatch(l.text); a != nil {
				cur.schemaOf = strings.ReplaceAll(a[1], "--", ".")
			}
			// An attribute list that says "(Optional)" documents an argument the page forgot
			// to list with the others.
			cur.argument = m == modeAttributes && settableParenRE.MatchString(paren)
			last = cur
			g.items = append(g.items, cur)
			continue
		}
		if cur != nil && (indent >= 2 || !wasBlank) {
			cur.desc = append(cur.desc, dedent(l.text, 2))
			continue
		}
		cur, last, intro = nil, nil, false
		afterRule := g.names == nil && g.children == nil && g.afterRule
		switch strings.ToLower(strings.TrimSuffix(t, ":")) {
		case "required", "optional":
			m = modeArguments
			continue
		case "read-only", "read only":
			m = modeAttributes
			continue
		}
		if m == modeTimeouts {
			continue
		}
		if names, parents, exports, ok := parseIntro(t); ok {
			// "In addition to the arguments defined above, the `b` block exports the following
			// attributes:" within the arguments.
			if m = start; exports {
				m = modeAttributes
			}
			g = p.newGroup(names, parents, false, m)
			intro = true
		} else if bm := blockStartRE.FindStringSubmatch(t); bm != nil && afterRule && len(g.items) == 0 {
			// "---" then "A `b` block as defined below." then b's bullets.
			g = p.newGroup(backticked(bm[1]), nil, false, m)
			intro = true
		} else if eachNestedRE.MatchString(t) && len(g.items) > 0 {
			outer := g
			g = p.newGroup(nil, nil, false, m)
			g.children = outer
		}
	}
}

func (p *docParser) newGroup(names, parents []string, explicit bool, m mode) *group {
	g := &group{names: names, parents: parents, explicit: explicit, mode: m}
	p.groups = append(p.groups, g)
	return g
}

const nestedSchemaFor = "Nested Schema for"

// heading reads a sub-heading of a reference section: "### Nested Schema for `a.b`" and
// "### `block`" start a group; "#### Arguments", "### Read-Only", "### Timeouts" switch what
// the bullets document. ok is false for other headings, which leave the group as it is.
func (p *docParser) heading(h string, start, m mode) (names []string, explicit bool, next mode, ok bool) {
	lower := strings.ToLower(strings.TrimSpace(h))
	if m == modeTimeouts {
		m = start
	}
	switch {
	case len(h) >= len(nestedSchemaFor) && strings.EqualFold(h[:len(nestedSchemaFor)], nestedSchemaFor):
		list, in, _ := strings.Cut(h[len(nestedSchemaFor):], " in ")
		parent := ""
		if ps := backticked(in); len(ps) > 0 {
			parent = ps[0]
		}
		for _, name := range backticked(list) {
			names = append(names, joinPath(parent, name))
		}
		return names, true, modeArguments, true
	case strings.HasPrefix(lower, "argument"), lower == "required", lower == "optional":
		return nil, false, modeArguments, true
	case strings.HasPrefix(lower, "attribute"), strings.HasPrefix(lower, "read-only"), strings.HasPrefix(lower, "read only"):
		return nil, false, modeAttributes, true
	case strings.HasPrefix(lower, "timeout"):
		return nil, false, modeTimeouts, true
	}
	if strings.HasPrefix(strings.TrimSpace(h), "`") {
		if names := backticked(h); len(names) > 0 {
			return names[:1], false, m, true
		}
	}
	return nil, false, m, false
}

var (
	bulletIntroRE   = regexp.MustCompile(`(?i)^(?:block\s+)?(?:supports?|exports?|contains?)\b.*:\s*$`)
	eachNestedRE    = regexp.MustCompile(`(?i)^each (?:of these |of the )?nested blocks? (?:consists|contains|supports|has)\b`)
	settableParenRE = regexp.MustCompile(`(?i)^\s*(required|optional)\s*(,|$)`)
	seeBelowRE      = regexp.MustCompile(`\s*\(see \[below for nested schema\]\(#[^)]*\)\)`)
	anchorRE        = regexp.MustCompile(`\(see \[below for nested schema\]\(#nested(?:block|att)--([A-Za-z0-9_-]+)\)\)`)
	aliasRE         = regexp.MustCompile("`([A-Za-z0-9_]+)`\\s+blocks?\\s+(?:(?:as|which\\s+(?:is|are))\\s+)?(?:defined?|documented|described)(?:\\s+as)?\\s+(?:below|above)")
)

// aliasOf is the block name a bullet's text says the bullet is, when it is not the bullet's
// own name: `pre_action` - "One or more `action` blocks as defined below".
func aliasOf(name, desc string) string {
	if !strings.Contains(desc, "block") {
		return ""
	}
	if m := aliasRE.FindStringSubmatch(desc); m != nil && m[1] != name {
		return m[1]
	}
	return ""
}

// parseBullet splits "* `name` - (Optional) text" into its name, the parenthesis after it
// (without brackets) and the text. Real pages vary: "-" or "–" or ":" or nothing between
// name and text, a parenthesis before the hyphen, extra spaces.
func parseBullet(s string) (name, paren, desc string, ok bool) {
	name, desc, ok = splitBullet(s)
	if !ok {
		return "", "", "", false
	}
	if strings.HasPrefix(desc, "(") {
		if j := closingParen(desc); j > 0 {
			paren, desc = desc[1:j], strings.TrimSpace(desc[j+1:])
			desc = strings.TrimSpace(strings.TrimLeft(desc, "-–—:"))
		}
	}
	if strings.Contains(desc, "(see [below") {
		desc = seeBelowRE.ReplaceAllString(desc, "")
	}
	return name, paren, desc, true
}

// splitBullet takes the marker, the backticked name and what separates it from the text off
// a bullet: "* `name` - text", "- [`name`](#name): text", "* `name`- text", "* `name` `- text".
func splitBullet(s string) (name, rest string, ok bool) {
	t := strings.TrimLeft(s, " \t")
	if len(t) < 2 || t[0] != '*' && t[0] != '-' && t[0] != '+' || t[1] != ' ' && t[1] != '\t' {
		return "", "", false
	}
	t = strings.TrimLeft(t[1:], " \t")
	link := strings.HasPrefix(t, "[")
	if link {
		t = t[1:]
	}
	if !strings.HasPrefix(t, "`") {
		return "", "", false
	}
	end := strings.IndexByte(t[1:], '`')
	if end < 0 {
		return "", "", false
	}
	name, t = t[1:1+end], t[2+end:]
	if !bulletName(name) {
		return "", "", false
	}
	if link && strings.HasPrefix(t, "]") {
		t = t[1:]
		if strings.HasPrefix(t, "(") {
			if j := strings.IndexByte(t, ')'); j >= 0 {
				t = t[j+1:]
			}
		}
	}
	t = strings.TrimLeft(t, " \t")
	t = strings.TrimPrefix(t, "`")
	t = strings.TrimLeft(t, " \t")
	if sep := strings.TrimLeft(t, "-–—:"); len(sep) < len(t) && (sep == "" || sep[0] == ' ' || sep[0] == '\t') {
		t = sep
	}
	return name, strings.TrimSpace(t), true
}

func bulletName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '_':
		case (c == '.' || c == '-') && i > 0:
		default:
			return false
		}
	}
	return true
}

func closingParen(s string) int {
	depth := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}

var typeParenRE = regexp.MustCompile(`^(?i:string|number|bool|boolean|integer|float|dynamic|object|block|attributes?|list|set|map)\b`)

// composeDesc is a bullet's description. "(Required)" and "(Optional)" are dropped, since the
// schema says so, and so is tfplugindocs' "(Block List, Max: 1)"; anything else in the
// parenthesis ("Forces new resource", a timeout's "Defaults to 30 minutes") stays.
func composeDesc(m mode, paren, desc string) string {
	if paren == "" {
		return desc
	}
	if m == modeTimeouts {
		return strings.TrimSpace("(" + paren + ") " + desc)
	}
	if typeParenRE.MatchString(strings.TrimSpace(paren)) {
		return desc
	}
	var keep []string
	for _, part := range strings.Split(paren, ",") {
		part = strings.TrimSpace(part)
		switch strings.ToLower(part) {
		case "required", "optional", "computed", "":
			continue
		}
		keep = append(keep, part)
	}
	if len(keep) == 0 {
		return desc
	}
	return strings.TrimSpace("(" + strings.Join(keep, ", ") + ") " + desc)
}

var (
	backtickRE  = regexp.MustCompile("`([^`]+)`")
	introVerbRE = regexp.MustCompile(`(?i)\b(supports?|exports?|contains?|has|have|returns?|provides?|configures?|allows?|defines?|represents?|takes?|accepts?)\b`)
	// introNamesRE is the tail of an intro's subject: the block names, "block(s)", and an
	// optional parent ("nested within the `p` block").
	introNamesRE = regexp.MustCompile("(?i)((?:`[A-Za-z0-9_.]+`(?:\\s*,\\s*(?:and\\s+|or\\s+)?|\\s+and\\s+|\\s+or\\s+)?)+)\\s*(?:\\([^)]*\\)\\s*)?(?:blocks?|objects?|elements?)?\\s*(?:(?:nested\\s+)?(?:within|in|inside|under|for|of)\\s+(?:the\\s+|an?\\s+|each\\s+)?`([A-Za-z0-9_.]+)`\\s*(?:blocks?)?\\s*)?$")
	blockLineRE  = regexp.MustCompile("(?i)^(?:an?\\s+|the\\s+|each\\s+)?(?:\\([^)]*\\)\\s*)?((?:`[A-Za-z0-9_.]+`(?:\\s*,\\s*(?:and\\s+|or\\s+)?|\\s+and\\s+|\\s+or\\s+)?)+)\\s*(?:\\([^)]*\\)\\s*)?blocks?\\b.*:\\s*$")
	blockStartRE = regexp.MustCompile("(?i)^(?:an?\\s+|the\\s+)?((?:`[A-Za-z0-9_.]+`(?:\\s*,\\s*(?:and\\s+|or\\s+)?|\\s+and\\s+|\\s+or\\s+)?)+)\\s*blocks?\\b")
	exportsRE    = regexp.MustCompile(`(?i)\b(exports?|returns?)\b`)
	introLeadRE  = regexp.MustCompile(`(?i)(?:^|[\s,])(?:a|an|the|each|every|he|in|element|elements)\s*(?:\([^)]*\)\s*)?$`)
)

// parseIntro recognises a line that introduces a nested block's bullets: "A `b` block supports
// the following:", "The `a` and `b` blocks export:", "A `b` nested within the `p` block
// supports the following::", "`b` supports the following:". Conditions ("When `x` is set to
// `y` the following fields ...") are not intros.
func parseIntro(t string) (names, parents []string, exports, ok bool) {
	if !strings.Contains(t, "`") {
		return nil, nil, false, false
	}
	if m := blockLineRE.FindStringSubmatch(t); m != nil {
		// "A `b` block is used when ... It supports the following:"
		return backticked(m[1]), nil, exportsRE.MatchString(t), true
	}
	loc := introVerbRE.FindStringIndex(t)
	if loc == nil {
		// "`b` The things this has with the following properties:"
		if strings.HasPrefix(t, "`") && strings.HasSuffix(t, ":") && strings.Contains(strings.ToLower(t), "following") {
			if n := backticked(t); len(n) > 0 {
				return n[:1], nil, false, true
			}
		}
		return nil, nil, false, false
	}
	subject := strings.TrimSpace(t[:loc[0]])
	rest := strings.ToLower(t[loc[1]:])
	if !strings.HasSuffix(strings.TrimSpace(t), ":") && !strings.Contains(rest, "following") {
		return nil, nil, false, false
	}
	m := introNamesRE.FindStringSubmatchIndex(subject)
	if m == nil {
		return nil, nil, false, false
	}
	if lead := subject[:m[0]]; strings.TrimSpace(lead) != "" && !introLeadRE.MatchString(lead) {
		return nil, nil, false, false
	}
	names = backticked(subject[m[2]:m[3]])
	if m[4] >= 0 {
		parents = []string{subject[m[4]:m[5]]}
	}
	return names, parents, exportsRE.MatchString(t[loc[0]:loc[1]]), len(names) > 0
}

func backticked(s string) []string {
	var out []string
	for _, m := range backtickRE.FindAllStringSubmatch(s, -1) {
		out = append(out, strings.TrimSpace(m[1]))
	}
	return out
}

func joinPath(parent, name string) string {
	if parent == "" {
		return name
	}
	return parent + "." + name
}

func parentOf(path string) string {
	if i := strings.LastIndexByte(path, '.'); i >= 0 {
		return path[:i]
	}
	return ""
}

func lastName(path string) string {
	return path[strings.LastIndexByte(path, '.')+1:]
}
