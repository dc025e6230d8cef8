package crawler

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/zclconf/go-cty/cty"

	"github.com/cloudoven/cloudoven/schemas"
)

// ParseDoc parses one documentation page into a schemas.Doc. Two page shapes are understood:
// the hand-written one (azurerm, azuread: "## Arguments Reference" with bullets like
// "* `name` - (Required) text" and nested blocks introduced by "A `block` block supports the
// following:") and the tfplugindocs one (kubernetes, helm, random: "## Schema" with
// "### Nested Schema for `a.b`").
//
// Arguments and attributes are keyed by their schema path ("network_profile.
// load_balancer_profile.idle_timeout_in_minutes"). Hand-written pages name a nested block
// only by its last name, so the block is looked up in schema: it sits where a bullet of the
// page references it, and failing that where the schema has a block of that name (see
// docParser.resolve). schema may be nil; keys are then the block names as the page gives them.
//
// Descriptions are kept whole, as markdown, with the callouts ("~> **Note:** ...") that follow
// an argument appended, because the rules forms and validation need ("Possible values are",
// "Defaults to", "Changing this forces a new resource to be created", "one of either `a` or
// `b` must be specified") live in that prose. Body and Import keep their callouts too; Notes
// lists every callout of the page, wherever it stands.
//
// ParseDoc fails only on an empty page; anything else it does not understand is skipped.
func ParseDoc(provider string, page Page, schema *tfjson.Schema) (*schemas.Doc, error) {
	text := normalizeNewlines(page.Markdown)
	if strings.TrimSpace(text) == "" {
		return nil, fmt.Errorf("parsing the page of %s: %w", page.TypeName(provider), errEmptyPage)
	}
	front, text := splitFrontMatter(text)
	lines := scanLines(text)

	p := newDocParser(schema)
	doc := p.doc
	doc.Subcategory = front["subcategory"]
	if doc.Subcategory == "" {
		doc.Subcategory = page.Subcategory
	}

	// The lead section runs from the title to the first "##" heading.
	start, end := 0, len(lines)
	for i, l := range lines {
		if l.level == 1 && doc.Title == "" {
			doc.Title = cleanTitle(l.heading)
			start = i + 1
			continue
		}
		if l.level > 0 && l.level <= 2 {
			end = i
			break
		}
	}
	if start > end {
		start = end
	}
	doc.Body = joinLines(lines[start:end])
	if doc.Title == "" {
		doc.Title = page.Title
	}
	if doc.Title == "" {
		doc.Title = page.TypeName(provider)
	}
	doc.Description = oneLine(front["description"])
	if doc.Description == "" {
		doc.Description = firstSentence(leadParagraph(lines[start:end]))
	}

	for i := 0; i < len(lines); i++ {
		if k, text, n := noteAt(lines, i); n > 0 {
			doc.Notes = append(doc.Notes, schemas.Note{Kind: k, Text: noteText(text)})
			i += n - 1
		}
	}

	for _, s := range sections(lines, end) {
		title := strings.ToLower(strings.TrimSpace(strings.ReplaceAll(s.title, "`", "")))
		body := lines[s.start+1 : s.end]
		switch {
		case strings.HasPrefix(title, "argument"), strings.HasPrefix(title, "nested block"), strings.HasPrefix(title, "block"):
			p.walkReference(body, modeArguments, false)
		case strings.HasPrefix(title, "attribute"):
			p.walkReference(body, modeAttributes, false)
		case title == "schema":
			p.walkReference(body, modeArguments, false)
		case strings.HasPrefix(title, "timeout"):
			p.walkReference(body, modeTimeouts, false)
		case strings.HasPrefix(title, "import"):
			if doc.Import == "" {
				doc.Import = joinLines(body)
			}
		case strings.Contains(title, "example") || strings.Contains(title, "usage"):
			doc.Examples = append(doc.Examples, examples(body)...)
			p.walkReference(body, modeArguments, true)
		default:
			p.walkReference(body, modeArguments, true)
		}
	}
	p.resolve()
	p.store()
	if len(doc.Arguments) == 0 {
		doc.Arguments = nil
	}
	if len(doc.Attributes) == 0 {
		doc.Attributes = nil
	}
	if len(doc.Timeouts) == 0 {
		doc.Timeouts = nil
	}
	return doc, nil
}

var errEmptyPage = errors.New("the page is empty")

// line is one line of a page, classified once.
type line struct {
	text    string
	code    bool   // inside a fenced code block, the fences included
	fence   string // the info string, on an opening fence
	opening bool   // an opening fence
	level   int    // heading level, 0 when not a heading
	heading string
}

var headingRE = regexp.MustCompile(`^ {0,3}(#{1,6})(?:[ \t]+(.*?))?[ \t]*$`)

// scanLines classifies the lines of a page: fenced code (so that "# comment" in HCL is not a
// heading), then headings.
func scanLines(text string) []line {
	raw := strings.Split(text, "\n")
	out := make([]line, len(raw))
	var fenceChar byte
	fenceLen := 0
	for i, s := range raw {
		out[i].text = s
		t := strings.TrimLeft(s, " \t")
		if fenceLen > 0 {
			out[i].code = true
			if n := leadingRun(t, fenceChar); n >= fenceLen && strings.TrimSpace(t[n:]) == "" {
				fenceLen = 0
			}
			continue
		}
		if c := firstByte(t); c == '`' || c == '~' {
			if n := leadingRun(t, c); n >= 3 {
				info := strings.TrimSpace(t[n:])
				// A backtick fence's info string cannot hold a backtick: "```x```" is inline code.
				if c == '~' || !strings.Contains(info, "`") {
					fenceChar, fenceLen = c, n
					out[i].code, out[i].opening, out[i].fence = true, true, info
					continue
				}
			}
		}
		if firstByte(strings.TrimLeft(s, " ")) != '#' {
			continue
		}
		if m := headingRE.FindStringSubmatch(s); m != nil {
			out[i].level = len(m[1])
			out[i].heading = strings.TrimSpace(strings.TrimRight(m[2], "#"))
		}
	}
	return out
}

func firstByte(s string) byte {
	if s == "" {
		return 0
	}
	return s[0]
}

func leadingRun(s string, c byte) int {
	n := 0
	for n < len(s) && s[n] == c {
		n++
	}
	return n
}

func indentOf(s string) int {
	n := 0
	for _, r := range s {
		switch r {
		case ' ':
			n++
		case '\t':
			n += 4
		default:
			return n
		}
	}
	return n
}

// section is a "##" heading and the lines up to the next one.
type section struct {
	title      string
	start, end int // start is the heading's line
}

func sections(lines []line, from int) []section {
	var out []section
	for i := from; i < len(lines); i++ {
		if lines[i].level == 0 || lines[i].level > 2 {
			continue
		}
		if n := len(out); n > 0 {
			out[n-1].end = i
		}
		out = append(out, section{title: lines[i].heading, start: i, end: len(lines)})
	}
	return out
}

func normalizeNewlines(s string) string {
	s = strings.TrimPrefix(s, "\ufeff")
	if strings.IndexByte(s, '\r') < 0 {
		return s
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.ReplaceAll(s, "\r", "\n")
}

// splitFrontMatter takes the YAML front matter off a page. Only the flat "key: value" shapes
// doc pages use are understood: plain, quoted and block ("|-", ">") scalars.
func splitFrontMatter(text string) (map[string]string, string) {
	front := map[string]string{}
	first, rest, ok := strings.Cut(text, "\n")
	if !ok || strings.TrimSpace(first) != "---" {
		return front, text
	}
	var fm []string
	closed := false
	for rest != "" || !closed {
		var l string
		l, rest, ok = strings.Cut(rest, "\n")
		if t := strings.TrimRight(l, " \t"); t == "---" || t == "..." {
			closed = true
			break
		}
		fm = append(fm, l)
		if !ok {
			break
		}
	}
	if !closed {
		return front, text
	}
	for i := 0; i < len(fm); i++ {
		l := fm[i]
		if indentOf(l) > 0 || strings.HasPrefix(strings.TrimSpace(l), "#") {
			continue
		}
		key, value, ok := strings.Cut(l, ":")
		if !ok {
			continue
		}
		key = strings.TrimSpace(key)
		value = strings.TrimSpace(value)
		// The value's continuation: the indented lines that follow.
		var more []string
		for i+1 < len(fm) && (indentOf(fm[i+1]) > 0 || strings.TrimSpace(fm[i+1]) == "") {
			i++
			more = append(more, strings.TrimSpace(fm[i]))
		}
		switch {
		case strings.HasPrefix(value, "|") || strings.HasPrefix(value, ">"):
			sep := " "
			if value[0] == '|' {
				sep = "\n"
			}
			value = strings.TrimSpace(strings.Join(more, sep))
		case strings.HasPrefix(value, `"`):
			value = unquoteDouble(strings.Join(append([]string{value}, more...), " "))
		case strings.HasPrefix(value, `'`):
			v := strings.TrimSpace(strings.Join(append([]string{value}, more...), " "))
			v = strings.TrimPrefix(v, "'")
			if j := strings.LastIndex(v, "'"); j >= 0 {
				v = v[:j]
			}
			value = strings.ReplaceAll(v, "''", "'")
		default:
			value = strings.TrimSpace(strings.Join(append([]string{value}, more...), " "))
		}
		front[key] = value
	}
	return front, rest
}

func unquoteDouble(s string) string {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(s, `"`)
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '"' {
			break
		}
		if c == '\\' && i+1 < len(s) {
			i++
			switch s[i] {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			default:
				b.WriteByte(s[i])
			}
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

var titlePrefixRE = regexp.MustCompile(`(?i)^(resource|data source|data-source|datasource|ephemeral resource|ephemeral)\s*:\s*`)
var titleSuffixRE = regexp.MustCompile(`(?i)\s*\((resource|data source|ephemeral resource)\)$`)

func cleanTitle(s string) string {
	s = strings.ReplaceAll(s, "`", "")
	s = titlePrefixRE.ReplaceAllString(strings.TrimSpace(s), "")
	return strings.TrimSpace(titleSuffixRE.ReplaceAllString(s, ""))
}

// joinLines is lines as markdown, without blank lines at either end and without lines that
// are only an HTML comment ("<!-- schema generated by tfplugindocs -->").
func joinLines(lines []line) string {
	parts := make([]string, 0, len(lines))
	for _, l := range lines {
		t := strings.TrimRight(l.text, " \t")
		if !l.code && isComment(t) {
			continue
		}
		parts = append(parts, t)
	}
	return strings.TrimSpace(strings.Join(parts, "\n"))
}

func isComment(s string) bool {
	s = strings.TrimSpace(s)
	return len(s) >= 7 && strings.HasPrefix(s, "<!--") && strings.HasSuffix(s, "-->") && !strings.Contains(s[4:len(s)-3], "-->")
}

// leadParagraph is the first paragraph of prose of the lead section: not a callout, a
// heading, code or an HTML comment.
func leadParagraph(lines []line) string {
	var para []string
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		t := strings.TrimSpace(l.text)
		if _, _, n := noteAt(lines, i); n > 0 {
			if len(para) > 0 {
				break
			}
			i += n - 1
			continue
		}
		if l.code || l.level > 0 || t == "" || strings.HasPrefix(t, "<!--") {
			if len(para) > 0 {
				break
			}
			continue
		}
		para = append(para, t)
	}
	return strings.Join(para, " ")
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// firstSentence is s up to the first full stop that ends a sentence ("e.g." does not).
func firstSentence(s string) string {
	s = oneLine(s)
	inCode := false
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '`':
			inCode = !inCode
		case '.':
			if inCode || i+1 < len(s) && s[i+1] != ' ' {
				continue
			}
			word := s[strings.LastIndexByte(s[:i], ' ')+1 : i]
			if w := strings.ToLower(word); w == "e.g" || w == "i.e" || w == "etc" || w == "vs" {
				continue
			}
			return s[:i+1]
		}
	}
	return s
}

// noteAt reports the callout that starts at lines[i]: its kind, its text (marker included)
// and how many lines it spans, or n == 0 when none starts there.
func noteAt(lines []line, i int) (kind, text string, n int) {
	l := lines[i]
	if l.code || l.level > 0 {
		return "", "", 0
	}
	t := strings.TrimSpace(l.text)
	switch {
	case strings.HasPrefix(t, "->"):
		kind = "note"
	case strings.HasPrefix(t, "~>"):
		kind = "warning"
	case strings.HasPrefix(t, "!>"):
		kind = "caution"
	default:
		return "", "", 0
	}
	para := []string{t}
	for n = 1; i+n < len(lines); n++ {
		next := lines[i+n]
		nt := strings.TrimSpace(next.text)
		if nt == "" || next.code || next.level > 0 || isBullet(next.text) || strings.HasPrefix(nt, "->") ||
			strings.HasPrefix(nt, "~>") || strings.HasPrefix(nt, "!>") || isRule(nt) {
			break
		}
		para = append(para, nt)
	}
	return kind, strings.Join(para, "\n"), n
}

var noteLabelRE = regexp.MustCompile(`^\*\*(?i:note|notes|warning|caution|important)\s*:?\s*\*\*\s*:?\s*`)

// noteText is a callout's text without its marker and a generic "**Note:**" label.
func noteText(s string) string {
	s = strings.TrimSpace(s[2:])
	return strings.TrimSpace(noteLabelRE.ReplaceAllString(s, ""))
}

func isRule(t string) bool {
	if len(t) < 3 {
		return false
	}
	c := t[0]
	if c != '-' && c != '*' && c != '_' {
		return false
	}
	n := 0
	for i := 0; i < len(t); i++ {
		switch t[i] {
		case c:
			n++
		case ' ', '\t':
		default:
			return false
		}
	}
	return n >= 3
}

func isBullet(s string) bool {
	t := strings.TrimLeft(s, " \t")
	return len(t) >= 2 && (t[0] == '*' || t[0] == '-' || t[0] == '+') && (t[1] == ' ' || t[1] == '\t')
}

// examples are the HCL code blocks of an example section.
func examples(lines []line) []string {
	var out []string
	for i := 0; i < len(lines); i++ {
		if !lines[i].opening {
			continue
		}
		info := lines[i].fence
		lang := strings.ToLower(strings.Fields(info + " x")[0])
		indent := indentOf(lines[i].text)
		var code []string
		j := i + 1
		for ; j < len(lines) && lines[j].code && !lines[j].opening; j++ {
			code = append(code, dedent(lines[j].text, indent))
		}
		// The closing fence is the last code line before the next opening or prose.
		if len(code) > 0 && isFence(code[len(code)-1]) {
			code = code[:len(code)-1]
		}
		i = j - 1
		src := strings.TrimRight(strings.Join(code, "\n"), "\n ")
		switch {
		case strings.TrimSpace(src) == "":
		case lang == "hcl" || lang == "terraform" || lang == "tf":
			out = append(out, src)
		case info == "" && looksLikeHCL(src):
			out = append(out, src)
		}
	}
	return out
}

func isFence(s string) bool {
	t := strings.TrimSpace(s)
	return strings.HasPrefix(t, "```") && strings.Trim(t, "`") == "" || strings.HasPrefix(t, "~~~") && strings.Trim(t, "~") == ""
}

var hclBlockRE = regexp.MustCompile(`(?m)^\s*(resource|data|provider|module|variable|output)\s+"|^\s*(terraform|locals)\s*\{`)

func looksLikeHCL(src string) bool { return hclBlockRE.MatchString(src) }

func dedent(s string, n int) string {
	i := 0
	for i < len(s) && i < n && s[i] == ' ' {
		i++
	}
	return s[i:]
}

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
	doc    *schemas.Doc
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
	p := &docParser{doc: &schemas.Doc{
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

// maxNesting bounds the rounds of resolve.
const maxNesting = 16

// resolve finds every group's block paths. A block sits where the page references it: under
// each group with a bullet of that name (or whose text calls it "an `x` block as defined
// below"), which the schema confirms. Groups reference each other in any order, so this
// runs to a fixed point. A block no bullet references falls back to the schema: the blocks
// of that name under a block the page reached, else all of them.
func (p *docParser) resolve() {
	type ref struct {
		g     *group
		child string
	}
	refs := map[string][]ref{}
	for _, g := range p.groups {
		switch {
		case g.children != nil:
		case g.names == nil:
			g.paths = []string{""}
		case g.explicit || p.nodes == nil:
			g.paths = g.names
		}
		if g.discard {
			continue
		}
		for _, it := range g.items {
			refs[it.name] = append(refs[it.name], ref{g, it.name})
			if it.alias != "" {
				refs[it.alias] = append(refs[it.alias], ref{g, it.name})
			}
		}
	}
	if p.nodes == nil {
		p.nestedInEach()
		return
	}
	var intros []*group
	for _, g := range p.groups {
		if g.names != nil && !g.explicit {
			intros = append(intros, g)
		}
	}
	// Each round settles one more level of nesting; schemas are not deeper than this.
	for range maxNesting {
		changed := false
		reached := map[string]bool{"": true}
		for _, g := range p.groups {
			for _, path := range g.paths {
				reached[path] = true
			}
		}
		for _, g := range intros {
			var paths []string
			for _, name := range g.names {
				var found []string
				for _, r := range refs[lastName(name)] {
					for _, pp := range r.g.paths {
						c := joinPath(pp, r.child)
						if p.nodes[c] && (!strings.Contains(name, ".") || strings.HasSuffix("."+parentOf(c), "."+parentOf(name))) {
							found = append(found, c)
						}
					}
				}
				found = p.under(found, g.parents)
				if len(found) == 0 {
					found = p.fallback(name, g.parents, reached)
				}
				paths = append(paths, found...)
			}
			paths = uniq(paths)
			if !slices.Equal(paths, g.paths) {
				g.paths, changed = paths, true
			}
		}
		if !changed {
			break
		}
	}
	p.splitFamilies(intros)
	p.sharedSchemas()
	p.nestedInEach()
}

// nestedInEach resolves "Each nested block consists of": the blocks the bullets before it
// named.
func (p *docParser) nestedInEach() {
	for _, g := range p.groups {
		if g.children == nil {
			continue
		}
		for _, it := range g.children.items {
			for _, pp := range g.children.paths {
				if c := joinPath(pp, it.name); p.nodes == nil || p.nodes[c] {
					g.paths = append(g.paths, c)
				}
			}
		}
	}
}

// sharedSchemas applies tfplugindocs' shared nested schemas: after "Nested Schema for
// `namespace_selector` and `label_selector` in `a`", the page documents the children of
// both under one of them ("Nested Schema for `a.label_selector.match_expressions`"); a
// bullet whose "see below for nested schema" link points at another block's schema
// (`set_wo` → #nestedblock--set) shares that block's descriptions.
func (p *docParser) sharedSchemas() {
	same := map[string][]string{}
	for _, g := range p.groups {
		if !g.explicit || len(g.paths) < 2 {
			continue
		}
		for _, a := range g.paths {
			for _, b := range g.paths {
				if a != b && parentOf(a) == parentOf(b) {
					same[a] = append(same[a], b)
				}
			}
		}
	}
	for _, g := range p.groups {
		if !g.explicit && g.names != nil || len(g.paths) == 0 {
			continue
		}
		for _, it := range g.items {
			if own := joinPath(g.paths[0], it.name); it.schemaOf != "" && it.schemaOf != own && p.nodes[own] {
				same[it.schemaOf] = append(same[it.schemaOf], own)
			}
		}
	}
	if len(same) == 0 {
		return
	}
	for _, g := range p.groups {
		paths := g.paths
		for _, path := range g.paths {
			for i := 0; i <= len(path); i++ {
				if i < len(path) && path[i] != '.' {
					continue
				}
				for _, other := range same[path[:i]] {
					if c := other + path[i:]; p.nodes[c] {
						paths = append(paths, c)
					}
				}
			}
		}
		g.paths = uniq(paths)
	}
}

// under keeps the paths whose parent is one of parents, when that leaves any.
func (p *docParser) under(paths, parents []string) []string {
	if len(parents) == 0 {
		return paths
	}
	var out []string
	for _, c := range paths {
		for _, parent := range parents {
			if pp := parentOf(c); pp == parent || strings.HasSuffix(pp, "."+parent) {
				out = append(out, c)
			}
		}
	}
	if len(out) == 0 {
		return paths
	}
	return out
}

func (p *docParser) fallback(name string, parents []string, reached map[string]bool) []string {
	var cands []string
	for _, c := range p.containers[lastName(name)] {
		if c == name || strings.HasSuffix(c, "."+name) {
			cands = append(cands, c)
		}
	}
	cands = p.under(cands, parents)
	var near []string
	for _, c := range cands {
		if reached[parentOf(c)] {
			near = append(near, c)
		}
	}
	switch {
	case len(near) > 0:
		return near
	case len(cands) > 0:
		return cands
	}
	return []string{name} // not in the schema: reported as unknown
}

// splitFamilies handles a block name documented twice, once per place it occurs ("A `rule`
// block supports" for two different rules): each place goes to the intro whose bullets fit
// it best.
func (p *docParser) splitFamilies(intros []*group) {
	families := map[string][]*group{}
	for _, g := range intros {
		if len(g.names) == 1 {
			k := fmt.Sprint(g.mode, g.names[0])
			families[k] = append(families[k], g)
		}
	}
	for _, fam := range families {
		if len(fam) < 2 || len(fam[0].paths) < 2 {
			continue
		}
		all := fam[0].paths
		assigned := make([][]string, len(fam))
		for _, path := range all {
			best, fits := -1, []int{}
			for _, g := range fam {
				fit := 0
				for _, it := range g.items {
					if _, ok := p.nodes[joinPath(path, it.name)]; ok {
						fit++
					}
				}
				fits = append(fits, fit)
				if fit > best {
					best = fit
				}
			}
			for i := range fam {
				if fits[i] == best {
					assigned[i] = append(assigned[i], path)
				}
			}
		}
		for i, g := range fam {
			if len(assigned[i]) > 0 && slices.Equal(g.paths, all) {
				g.paths = assigned[i]
			}
		}
	}
}

// store writes every group's bullets under their schema paths, the first non-empty
// description of a path winning. A bullet the schema has under none of its group's paths is
// kept under the first, so the coverage report shows it as unknown.
func (p *docParser) store() {
	for _, g := range p.groups {
		if g.discard {
			continue
		}
		for _, it := range g.items {
			desc := strings.TrimSpace(strings.Join(it.desc, "\n"))
			var keys []string
			for _, path := range g.paths {
				k := joinPath(path, it.name)
				if _, ok := p.nodes[k]; ok || p.nodes == nil {
					keys = append(keys, k)
				}
			}
			if len(keys) == 0 && len(g.paths) > 0 {
				keys = []string{joinPath(g.paths[0], it.name)}
			}
			for _, k := range keys {
				if it.argument && p.doc.Arguments[k] == "" && desc != "" {
					p.doc.Arguments[k] = desc
				}
				into := p.target(it.mode)
				// tfplugindocs documents the timeouts block as "Nested Schema for `timeouts`".
				if rest, ok := strings.CutPrefix(k, "timeouts."); ok && (p.nodes == nil || p.nodes["timeouts"]) {
					into, k = p.doc.Timeouts, rest
				}
				if into[k] == "" && desc != "" {
					into[k] = desc
				}
			}
		}
	}
	for _, g := range p.groups {
		into := p.target(g.mode)
		for _, note := range g.notes {
			for _, path := range g.paths {
				if d := into[path]; d != "" && !strings.Contains(d, note) {
					into[path] = d + "\n\n" + note
				}
			}
		}
	}
}

func uniq(in []string) []string {
	out := slices.Clone(in)
	slices.Sort(out)
	return slices.Compact(out)
}

// schemaPaths lists every path of a schema block: attributes, nested blocks, and the fields
// of nested attributes and of object-typed attributes ("kube_config.host"). The value is
// true for a path that holds further paths.
func schemaPaths(b *tfjson.SchemaBlock) map[string]bool {
	out := map[string]bool{}
	var block func(prefix string, b *tfjson.SchemaBlock)
	var object func(prefix string, t cty.Type)
	object = func(prefix string, t cty.Type) {
		for t.IsCollectionType() {
			t = t.ElementType()
		}
		if !t.IsObjectType() {
			return
		}
		out[prefix] = true
		for name, at := range t.AttributeTypes() {
			p := prefix + "." + name
			out[p] = false
			object(p, at)
		}
	}
	var nested func(prefix string, attrs map[string]*tfjson.SchemaAttribute)
	nested = func(prefix string, attrs map[string]*tfjson.SchemaAttribute) {
		for name, a := range attrs {
			p := joinPath(prefix, name)
			out[p] = false
			if a == nil {
				continue
			}
			if a.AttributeNestedType != nil {
				out[p] = true
				nested(p, a.AttributeNestedType.Attributes)
				continue
			}
			object(p, a.AttributeType)
		}
	}
	block = func(prefix string, b *tfjson.SchemaBlock) {
		if b == nil {
			return
		}
		nested(prefix, b.Attributes)
		for name, bt := range b.NestedBlocks {
			p := joinPath(prefix, name)
			out[p] = true
			if bt != nil {
				block(p, bt.Block)
			}
		}
	}
	block("", b)
	return out
}
