package crawler

import (
	"errors"
	"regexp"
	"strings"
)

// The markdown side of doc parsing: lines, sections, front matter, notes and examples.

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
