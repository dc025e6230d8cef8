package crawler

import (
	"regexp"
	"strings"

	tfjson "github.com/hashicorp/terraform-json"

	"github.com/cloudoven/cloudoven/catalog"
)

// GuideReport is what parsing a provider's guides found: the upgrade entries per guide and
// the sentences that read like an entry (they say something was removed, renamed,
// superseded or replaced) but did not parse, which are reported, never guessed.
type GuideReport struct {
	Guides   []GuideCount
	Unparsed []UnparsedSentence
}

// GuideCount is the number of entries one guide gave.
type GuideCount struct {
	Guide    string
	Entries  int
	Unparsed int
}

// UnparsedSentence is a guide sentence that reads like an entry and did not parse.
type UnparsedSentence struct {
	Guide, Section, Sentence, Why string
}

// Entries is the number of entries of every guide.
func (r GuideReport) Entries() int {
	n := 0
	for _, g := range r.Guides {
		n += g.Entries
	}
	return n
}

var (
	guideHeading  = regexp.MustCompile(`^(#{1,6})\s+(.*?)\s*#*\s*$`)
	guideLink     = regexp.MustCompile(`\[([^\]]*)\]\([^)]*\)`)
	guideBullet   = regexp.MustCompile(`^\s*(?:[*+-]|\d+\.)\s+`)
	guideNote     = regexp.MustCompile(`^(?:->|~>|!>)\s*`)
	guideTicked   = regexp.MustCompile("`([^`]+)`")
	guideLooksLik = regexp.MustCompile(`(?i)\b(?:removed|renamed|superseded|in favou?r of|replaced (?:by|with)|retired)\b`)
	guideIdent    = regexp.MustCompile(`^[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)*$`)
	guideRenamed  = regexp.MustCompile(`(?i)\b(?:has been|have been|will be|is being|was) renamed (?:to )?(?:the )?` + "`([^`]+)`")
	guideFavour   = regexp.MustCompile(`(?i)\b(?:in favou?r of|superseded by|replaced (?:by|with))\b(.*)$`)
	guideRemoved  = regexp.MustCompile(`(?i)\b(?:removed|retired)\b`)
	guideThisType = regexp.MustCompile(`(?i)\bthis (?:deprecated )?(resource|data source)\b`)
	guideFromType = regexp.MustCompile(`(?i)\bremoved from the (.*?)\b(resources?|data sources?)\b(?: and (data sources?))?`)
	guideNounPre  = regexp.MustCompile(`(?i)\b(field|property|block|attribute|argument)\s+$`)
	guideNounPost = regexp.MustCompile(`(?i)^\s+(field|property|block|attribute|argument)\b`)
	guideWithin   = regexp.MustCompile(`(?i)^\s+(?:field |property |block )?within the ` + "`([^`]+)`" + ` block`)
	// guideTailStop ends the part of a sentence that names replacements: what follows
	// explains why, or says more than what replaces the thing.
	guideTailStop = regexp.MustCompile(`(?i)\s(?:-|since|as|because|to be consistent|to better|and has been|and have been|and will|and is|which|whilst|for (?:both|deployment|hybrid|linux|windows))\s`)
)

// ParseGuides reads a provider's guides into upgrade entries. A guide sentence becomes an
// entry when it names what was removed or renamed (a type in a section about a type, or an
// argument or block of that type) and the verb says which; replacements are the names
// ticked after "in favour of", "superseded by", "replaced by" or "renamed to", resolved
// against schema. Entries of the same guide about the same thing are kept once, the first
// that names a replacement winning.
func ParseGuides(provider string, guides []Page, schema *tfjson.ProviderSchema) ([]catalog.Upgrade, GuideReport) {
	var all []catalog.Upgrade
	var rep GuideReport
	for _, g := range guides {
		gp := guideParser{provider: provider, guide: g.Slug, schema: schema, seen: map[string]int{}}
		gp.parse(g.Markdown)
		all = append(all, gp.entries...)
		rep.Guides = append(rep.Guides, GuideCount{Guide: g.Slug, Entries: len(gp.entries), Unparsed: len(gp.unparsed)})
		rep.Unparsed = append(rep.Unparsed, gp.unparsed...)
	}
	return all, rep
}

type guideParser struct {
	provider string
	guide    string
	schema   *tfjson.ProviderSchema
	entries  []catalog.Upgrade
	seen     map[string]int // kind type path → index in entries
	unparsed []UnparsedSentence

	h2              string // the current level-2 heading
	section, anchor string
	typ             string
	kind            catalog.Kind
}

func (gp *guideParser) parse(markdown string) {
	_, text := splitFrontMatter(normalizeNewlines(markdown))
	var unit []string
	flush := func() {
		if len(unit) > 0 {
			gp.unit(strings.Join(unit, " "))
			unit = nil
		}
	}
	fenced := false
	for _, line := range strings.Split(text, "\n") {
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "```") {
			flush()
			fenced = !fenced
			continue
		}
		if fenced {
			continue
		}
		if m := guideHeading.FindStringSubmatch(trimmed); m != nil {
			flush()
			gp.heading(len(m[1]), m[2])
			continue
		}
		switch {
		case trimmed == "" || trimmed == "---":
			flush()
		case guideBullet.MatchString(line):
			flush()
			unit = append(unit, guideBullet.ReplaceAllString(line, ""))
		default:
			unit = append(unit, trimmed)
		}
	}
	flush()
}

func (gp *guideParser) heading(level int, text string) {
	gp.section, gp.anchor = cleanGuideText(text), guideAnchor(text)
	if level <= 2 {
		gp.h2 = gp.section
	}
	gp.typ, gp.kind = "", catalog.KindResource
	for _, m := range guideTicked.FindAllStringSubmatch(text, -1) {
		if gp.isTypeName(m[1]) {
			gp.typ = m[1]
			break
		}
	}
	lower, h2 := strings.ToLower(text), strings.ToLower(strings.TrimSpace(gp.h2))
	switch {
	case strings.Contains(lower, "resource:"):
	case strings.Contains(lower, "data source"), strings.HasSuffix(h2, "data sources"):
		gp.kind = catalog.KindDataSource
	}
}

// guideAnchor is the anchor the registry and GitHub give a heading: lowercase, punctuation
// dropped, spaces to dashes.
func guideAnchor(heading string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(heading) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '_', r == '-':
			b.WriteRune(r)
		case r == ' ':
			b.WriteByte('-')
		}
	}
	return b.String()
}

func cleanGuideText(s string) string {
	s = guideLink.ReplaceAllString(s, "$1")
	s = strings.ReplaceAll(s, "**", "")
	return strings.Join(strings.Fields(s), " ")
}

func (gp *guideParser) isTypeName(s string) bool {
	return strings.HasPrefix(s, gp.provider+"_") && guideIdent.MatchString(s) && !strings.Contains(s, ".")
}

// unit reads one paragraph or bullet, sentence by sentence.
func (gp *guideParser) unit(text string) {
	text = cleanGuideText(guideNote.ReplaceAllString(strings.TrimSpace(text), ""))
	for _, s := range splitSentences(text) {
		if !guideLooksLik.MatchString(s) || !strings.Contains(s, "`") && gp.typ == "" {
			continue
		}
		if why := gp.sentence(s); why != "" {
			gp.unparsed = append(gp.unparsed, UnparsedSentence{Guide: gp.guide, Section: gp.section, Sentence: s, Why: why})
		}
	}
}

// splitSentences splits at a full stop followed by a space and a capital letter, a tick or
// a bracket, never inside ticks.
func splitSentences(text string) []string {
	var out []string
	inTick := false
	start := 0
	for i := 0; i < len(text); i++ {
		switch text[i] {
		case '`':
			inTick = !inTick
		case '.', '!', '?':
			if inTick || i+2 >= len(text) || text[i+1] != ' ' {
				continue
			}
			if c := text[i+2]; c >= 'A' && c <= 'Z' || c == '`' || c == '[' {
				out = append(out, strings.TrimSpace(text[start:i+1]))
				start = i + 2
			}
		}
	}
	if rest := strings.TrimSpace(text[start:]); rest != "" {
		out = append(out, rest)
	}
	return out
}

// sentence parses one sentence that reads like an entry; it returns why when it does not.
func (gp *guideParser) sentence(s string) string {
	change, repl, ok := gp.verb(s)
	if !ok {
		return "no removal, rename or replacement the parser understands"
	}
	ticks := guideTicked.FindAllStringSubmatchIndex(s, -1)
	// Sentences about the section's type itself.
	if gp.typ != "" && (guideThisType.MatchString(s) && !strings.HasPrefix(strings.ToLower(s), "the `")) {
		gp.addType(gp.kind, gp.typ, change, repl, s)
		return ""
	}
	if len(ticks) == 0 {
		return "names nothing in ticks"
	}
	subject := s[ticks[0][2]:ticks[0][3]]
	if gp.isTypeName(subject) && (subject == gp.typ || gp.typ == "") && !guideFromType.MatchString(s) {
		kind := gp.kind
		if strings.Contains(strings.ToLower(s[ticks[0][1]:min(len(s), ticks[0][1]+14)]), "data source") {
			kind = catalog.KindDataSource
		}
		gp.addType(kind, subject, change, repl, s)
		return ""
	}
	if !guideIdent.MatchString(subject) {
		return "the first ticked name is not an argument or type name"
	}
	// "The `x` property has been removed from the `azurerm_a` and `azurerm_b` resources".
	types := map[catalog.Kind][]string{}
	if m := guideFromType.FindStringSubmatch(s); m != nil {
		kind := catalog.KindResource
		if strings.HasPrefix(strings.ToLower(m[2]), "data") {
			kind = catalog.KindDataSource
		}
		for _, t := range guideTicked.FindAllStringSubmatch(m[1], -1) {
			if gp.isTypeName(t[1]) {
				types[kind] = append(types[kind], t[1])
				if m[3] != "" {
					types[catalog.KindDataSource] = append(types[catalog.KindDataSource], t[1])
				}
			}
		}
	} else if gp.typ != "" {
		types[gp.kind] = []string{gp.typ}
	}
	if len(types) == 0 {
		return "the sentence names no type and stands in no type's section"
	}
	noun := ""
	if m := guideNounPre.FindStringSubmatch(s[:ticks[0][0]]); m != nil {
		noun = strings.ToLower(m[1])
	}
	after := s[ticks[0][1]:]
	path := subject
	if m := guideWithin.FindStringSubmatch(after); m != nil {
		path = m[1] + "." + subject
		after = after[len(m[0]):]
	}
	if m := guideNounPost.FindStringSubmatch(after); m != nil && noun == "" {
		noun = strings.ToLower(m[1])
	}
	for _, kind := range []catalog.Kind{catalog.KindResource, catalog.KindDataSource} { // never map order: the catalog is compared byte for byte
		for _, t := range types[kind] {
			gp.addPath(kind, t, path, noun, change, repl, s)
		}
	}
	return ""
}

// verb finds what happened and the ticked names that replace it.
func (gp *guideParser) verb(s string) (catalog.UpgradeChange, []string, bool) {
	if m := guideRenamed.FindStringSubmatch(s); m != nil && guideIdent.MatchString(m[1]) {
		return catalog.UpgradeRenamed, []string{m[1]}, true
	}
	if m := guideFavour.FindStringSubmatch(s); m != nil {
		tail := m[1]
		if loc := guideTailStop.FindStringIndex(tail); loc != nil {
			tail = tail[:loc[0]]
		}
		var repl []string
		for _, t := range guideTicked.FindAllStringSubmatch(tail, -1) {
			if guideIdent.MatchString(t[1]) && !strings.HasPrefix(t[1], "v") {
				repl = append(repl, t[1])
			}
		}
		switch len(repl) {
		case 0:
			return catalog.UpgradeRemoved, nil, true // replaced by something the guide names in prose
		case 1:
			return catalog.UpgradeRenamed, repl, true
		}
		return catalog.UpgradeReplaced, repl, true
	}
	if guideRemoved.MatchString(s) {
		return catalog.UpgradeRemoved, nil, true
	}
	return "", nil, false
}

func (gp *guideParser) typeSchemas(kind catalog.Kind) map[string]*tfjson.Schema {
	if gp.schema == nil {
		return nil
	}
	if kind == catalog.KindDataSource {
		return gp.schema.DataSourceSchemas
	}
	return gp.schema.ResourceSchemas
}

func (gp *guideParser) addType(kind catalog.Kind, typ string, change catalog.UpgradeChange, repl []string, s string) {
	target := catalog.UpgradeResource
	if kind == catalog.KindDataSource {
		target = catalog.UpgradeDataSource
	}
	u := gp.entry(change, target, kind, typ, "", repl, s)
	u.Mechanical = change == catalog.UpgradeRenamed && len(repl) == 1 && gp.typeSchemas(kind)[repl[0]] != nil
	gp.add(u)
}

func (gp *guideParser) addPath(kind catalog.Kind, typ, path, noun string, change catalog.UpgradeChange, repl []string, s string) {
	var block *tfjson.SchemaBlock
	if ts := gp.typeSchemas(kind)[typ]; ts != nil {
		block = ts.Block
	}
	parent := ""
	if i := strings.LastIndex(path, "."); i >= 0 {
		parent = path[:i]
	}
	resolved := make([]string, len(repl))
	for i, r := range repl {
		resolved[i] = r
		if gp.isTypeName(r) || strings.Contains(r, ".") || parent == "" {
			continue
		}
		if schemaKindAt(block, parent+"."+r) != "" || schemaKindAt(block, r) == "" {
			resolved[i] = parent + "." + r
		}
	}
	for _, r := range resolved {
		if gp.isTypeName(r) {
			change = catalog.UpgradeReplaced // by another resource: never a rename
		}
	}
	target := catalog.UpgradeArgument
	if noun == "block" {
		target = catalog.UpgradeBlock
	}
	u := gp.entry(change, target, kind, typ, path, resolved, s)
	if change == catalog.UpgradeRenamed && len(resolved) == 1 {
		r := resolved[0]
		rParent := ""
		if i := strings.LastIndex(r, "."); i >= 0 {
			rParent = r[:i]
		}
		got := schemaKindAt(block, r)
		want := map[string]string{"block": "block", "field": "attribute", "property": "attribute", "attribute": "attribute", "argument": "attribute"}[noun]
		// An argument keeps its value only under a true rename: one the guide calls so, or
		// the same words reordered (enable_http2 → http2_enabled). "In favour of" also
		// joins names whose values differ: data_factory_name → data_factory_id, and
		// disable_ip_masking → ip_masking_enabled, which inverts it. A block's content is
		// checked against the new block when the rename is applied.
		from, to := lastSegment(path), lastSegment(r)
		sameValue := got == "block" || sameWords(from, to) ||
			guideRenamed.MatchString(s) && strings.TrimSuffix(from, "s") != strings.TrimSuffix(to, "s") // zones → zone takes one value, not a list
		u.Mechanical = rParent == parent && got != "" && (want == "" || want == got) && sameValue
	}
	gp.add(u)
}

func (gp *guideParser) entry(change catalog.UpgradeChange, target catalog.UpgradeTarget, kind catalog.Kind, typ, path string, repl []string, s string) catalog.Upgrade {
	return catalog.Upgrade{
		Change: change, Target: target, Kind: kind, Type: typ, Path: path, Replacements: repl,
		Guide: gp.guide, Section: gp.section, Anchor: gp.anchor, Sentence: s,
	}
}

func (gp *guideParser) add(u catalog.Upgrade) {
	key := string(u.Kind) + " " + u.Type + " " + u.Path
	if i, ok := gp.seen[key]; ok {
		if len(gp.entries[i].Replacements) == 0 && len(u.Replacements) > 0 {
			gp.entries[i] = u
		}
		return
	}
	gp.seen[key] = len(gp.entries)
	gp.entries = append(gp.entries, u)
}

// schemaKindAt says whether path names an "attribute" or a "block" of b; "" when b has
// neither there.
func schemaKindAt(b *tfjson.SchemaBlock, path string) string {
	parts := strings.Split(path, ".")
	for i, p := range parts {
		if b == nil {
			return ""
		}
		last := i == len(parts)-1
		if a := b.Attributes[p]; a != nil {
			if last {
				return "attribute"
			}
			return ""
		}
		nb := b.NestedBlocks[p]
		if nb == nil {
			return ""
		}
		if last {
			return "block"
		}
		b = nb.Block
	}
	return ""
}

func lastSegment(path string) string { return path[strings.LastIndex(path, ".")+1:] }

// sameWords says whether two argument names hold the same words in any order, reading
// "enable" as "enabled" (enable_auto_scaling, auto_scaling_enabled). "enabled" on one side
// only does not match (public_network_access_enabled, a bool, became public_network_access,
// a string), nor does a "disable" on either side: the value would have to be inverted.
func sameWords(a, b string) bool {
	words := func(s string) map[string]int {
		m := map[string]int{}
		for _, w := range strings.Split(s, "_") {
			if w == "enable" {
				w = "enabled"
			}
			m[w]++
		}
		return m
	}
	wa, wb := words(a), words(b)
	for _, m := range []map[string]int{wa, wb} {
		if m["disable"] > 0 || m["disabled"] > 0 {
			return false
		}
	}
	if len(wa) != len(wb) {
		return false
	}
	for w, n := range wa {
		if wb[w] != n {
			return false
		}
	}
	return true
}
