package crawler

import (
	"bytes"
	"errors"
	"regexp"
	"slices"
	"strings"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	gmtext "github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// The markdown side of doc parsing: lines, sections, front matter, notes and examples.

var errEmptyPage = errors.New("the page is empty")

// line is one line of a page, classified once.
type line struct {
	text    string
	code    bool   // inside a fenced code block, the fences included
	level   int    // heading level, 0 when not a heading
	heading string // the heading's text
}

// fence is a fenced code block: its opening fence's line, its content lines [from, to), and
// the info string. A closing fence, if any, is line to.
type fence struct {
	open, from, to int
	info           string
}

// markdownPage is a page (front matter taken off) as goldmark reads it: every line,
// classified, the lines of its headings and its fenced code blocks, in page order.
type markdownPage struct {
	lines    []line
	headings []int
	fences   []fence
}

// markdownParser reads the structure a doc page's sections and examples are cut along:
// ATX headings and fenced code blocks; the rest of a page is text. Where CommonMark
// would read a page otherwise, it keeps to how pages are written (and were read before
// goldmark):
//
//   - Setext headings are not parsed: "Text" over "---" is a line of text and a rule, and
//     the rule returns a reference section to its top level.
//   - HTML blocks are not parsed: tfplugindocs puts `<a id="nestedblock--x"></a>` right
//     above "### Nested Schema for `x`", and an HTML block would swallow that heading.
//     Lines of HTML are text; joinLines drops the comment lines.
//   - Indented code blocks are not parsed: an indented line is text (a bullet's indented
//     continuation), and goes to the text around it (textParser).
//   - Lists are not parsed: bullets are wording, read line by line (docs_bullets.go). So a
//     fence under a list item is a fence however far it is indented (random's "1. Step:"
//     with four-space fences), and it runs to its closing fence even past the item's
//     indentation, where CommonMark would end it with the item.
//   - Fences open and close at any indentation (fenceParser), not only up to three spaces
//     in.
//   - Block quotes and link reference definitions are not parsed: pages do not use them
//     for structure.
//
// Inline content is not parsed at all (textParser, headingParser): the AST gives where
// headings and fences are; their text is read from the page's lines.
var markdownParser = parser.NewParser(
	parser.WithBlockParsers(
		util.Prioritized(headingParser{parser.NewATXHeadingParser()}, 600),
		util.Prioritized(fenceParser{parser.NewFencedCodeBlockParser()}, 700),
		util.Prioritized(textParser{}, 1000),
	),
	parser.WithInlineParsers(),
	parser.WithParagraphTransformers(),
)

// closedAt is the attribute fenceParser sets on a fenced code block that a closing fence
// ended: the offset of that fence's line. A block without it runs to the end of the page.
var closedAt = []byte("closedAt")

// fenceParser is goldmark's fenced code block parser, opening and closing at any
// indentation, and noting where a block's closing fence is, which the AST does not keep.
type fenceParser struct{ parser.BlockParser }

func (fenceParser) CanAcceptIndentedLine() bool { return true }

func (p fenceParser) Open(parent ast.Node, reader gmtext.Reader, pc parser.Context) (ast.Node, parser.State) {
	// goldmark gives a line no block offset when its indentation is wider in columns than
	// the line is long in bytes ("\t\t```"): the fence starts after the indentation anyway.
	if pc.BlockOffset() < 0 {
		line, _ := reader.PeekLine()
		if i := len(line) - len(bytes.TrimLeft(line, " \t")); i < len(line) {
			pc.SetBlockOffset(i)
		}
	}
	return p.BlockParser.Open(parent, reader, pc)
}

func (p fenceParser) Continue(node ast.Node, reader gmtext.Reader, pc parser.Context) parser.State {
	// The inner parser sees the line without its indentation, so a closing fence closes
	// however far it is indented.
	line, seg := reader.PeekLine()
	if n := len(line) - len(bytes.TrimLeft(line, " \t")); n > 0 {
		reader.Advance(n)
	}
	state := p.BlockParser.Continue(node, reader, pc)
	if state == parser.Close {
		node.SetAttribute(closedAt, seg.Start)
	}
	node.Lines().SetSliced(0, 0) // the content is read from the page: keep no segments
	return state
}

// headingParser is goldmark's ATX heading parser, keeping no segment of the heading's
// text, which is read from its line, so that goldmark's inline pass has nothing to do.
type headingParser struct{ parser.BlockParser }

func (p headingParser) Open(parent ast.Node, reader gmtext.Reader, pc parser.Context) (ast.Node, parser.State) {
	node, state := p.BlockParser.Open(parent, reader, pc)
	if node != nil {
		node.Lines().Clear()
	}
	return node, state
}

// textParser reads the lines between headings and fences, blank ones included, as one
// paragraph, and keeps none of them: the text is read from the page, line by line, so
// goldmark's inline pass has nothing to do. Splitting it at blank lines would change
// nothing, as headings and fences interrupt a paragraph. It takes indented lines too,
// where goldmark's paragraph parser leaves them to an indented code block parser; with
// none, goldmark stops reading a page at an indented line that follows a blank one.
type textParser struct{}

func (textParser) Trigger() []byte { return nil }

func (textParser) Open(_ ast.Node, reader gmtext.Reader, _ parser.Context) (ast.Node, parser.State) {
	reader.AdvanceToEOL()
	return ast.NewParagraph(), parser.NoChildren
}

func (textParser) Continue(_ ast.Node, reader gmtext.Reader, _ parser.Context) parser.State {
	reader.AdvanceToEOL()
	return parser.Continue | parser.NoChildren
}

func (textParser) Close(ast.Node, gmtext.Reader, parser.Context) {}
func (textParser) CanInterruptParagraph() bool                   { return false }
func (textParser) CanAcceptIndentedLine() bool                   { return true }

// readMarkdown parses text with goldmark and classifies its lines from the AST.
func readMarkdown(text string) markdownPage {
	src := []byte(text)
	count := strings.Count(text, "\n") + 1
	md := markdownPage{lines: make([]line, 0, count)}
	starts := make([]int, 0, count) // the offset of each line in src
	off := 0
	for s := range strings.SplitSeq(text, "\n") {
		md.lines = append(md.lines, line{text: s})
		starts = append(starts, off)
		off += len(s) + 1
	}
	lineOf := func(offset int) int {
		i, found := slices.BinarySearch(starts, offset)
		if !found {
			i--
		}
		return i
	}

	doc := markdownParser.Parse(gmtext.NewReader(src))
	for n := doc.FirstChild(); n != nil; n = n.NextSibling() {
		switch n := n.(type) {
		case *ast.Heading:
			i := lineOf(n.Pos())
			// The heading's text is read from its line: a closing run of "#" goes even when
			// no space precedes it ("## Example#"), as it always has.
			t := strings.TrimLeft(md.lines[i].text, " ")
			h := strings.Trim(t[n.Level:], " \t")
			md.lines[i].level = n.Level
			md.lines[i].heading = strings.TrimSpace(strings.TrimRight(h, "#"))
			md.headings = append(md.headings, i)
		case *ast.FencedCodeBlock:
			f := fence{open: lineOf(n.Pos()), to: len(md.lines)}
			f.from = f.open + 1
			if n.Info != nil {
				f.info = strings.TrimSpace(string(n.Info.Segment.Value(src)))
			}
			end := f.to
			if v, ok := n.AttributeString(string(closedAt)); ok {
				f.to = lineOf(v.(int))
				end = f.to + 1
			}
			for i := f.open; i < end; i++ {
				md.lines[i].code = true
			}
			md.fences = append(md.fences, f)
		}
	}
	return md
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

// section is a "#" or "##" heading and the lines up to the next one.
type section struct {
	title      string
	start, end int // start is the heading's line
}

// sections are the page's sections whose heading is on line from or after it.
func (md markdownPage) sections(from int) []section {
	var out []section
	for _, i := range md.headings {
		if i < from || md.lines[i].level > 2 {
			continue
		}
		if n := len(out); n > 0 {
			out[n-1].end = i
		}
		out = append(out, section{title: md.lines[i].heading, start: i, end: len(md.lines)})
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

// examples are the HCL code blocks of an example section: the fenced blocks that open in
// it, tagged hcl, terraform or tf, or untagged and looking like HCL.
func (md markdownPage) examples(s section) []string {
	var out []string
	for _, f := range md.fences {
		if f.open <= s.start || f.open >= s.end {
			continue
		}
		lang := strings.ToLower(strings.Fields(f.info + " x")[0])
		indent := indentOf(md.lines[f.open].text)
		code := make([]string, 0, f.to-f.from)
		for _, l := range md.lines[f.from:f.to] {
			code = append(code, dedent(l.text, indent))
		}
		src := strings.TrimRight(strings.Join(code, "\n"), "\n ")
		switch {
		case strings.TrimSpace(src) == "":
		case lang == "hcl" || lang == "terraform" || lang == "tf":
			out = append(out, src)
		case f.info == "" && looksLikeHCL(src):
			out = append(out, src)
		}
	}
	return out
}

var hclBlockRE = regexp.MustCompile(`^\s*(resource|data|provider|module|variable|output)\s+"|^\s*(terraform|locals)\s*\{`)

// looksLikeHCL tells whether a line of src opens a top-level HCL block.
func looksLikeHCL(src string) bool {
	for l := range strings.SplitSeq(src, "\n") {
		if hclBlockRE.MatchString(l) {
			return true
		}
	}
	return false
}

func dedent(s string, n int) string {
	i := 0
	for i < len(s) && i < n && s[i] == ' ' {
		i++
	}
	return s[i:]
}
