package crawler

import (
	"regexp"
	"strings"

	"github.com/zclconf/go-cty/cty"

	"github.com/cloudoven/cloudoven/catalog"
)

// The allowed characters of a string ("can contain only letters, numbers and hyphens") and
// its first and last ("must begin and end with a letter or number"), read into one anchored
// RE2 pattern per sentence. Only what a sentence states is kept: a constraint it adds that no
// parser knows ("cannot be all numbers") is left out, so the pattern may allow more than the
// provider does, never less.

// charClasses maps the docs' names of character classes to RE2 class contents.
var charClasses = map[string]string{
	"letter": "a-zA-Z", "letters": "a-zA-Z", "alphabets": "a-zA-Z",
	"lowercase letter": "a-z", "lowercase letters": "a-z", "lower case letter": "a-z", "lower case letters": "a-z",
	"uppercase letter": "A-Z", "uppercase letters": "A-Z", "upper case letter": "A-Z", "upper case letters": "A-Z",
	"number": "0-9", "numbers": "0-9", "digit": "0-9", "digits": "0-9", "numerals": "0-9",
	"alphanumeric": "a-zA-Z0-9", "alphanumerics": "a-zA-Z0-9", "alphanumeric character": "a-zA-Z0-9", "alphanumeric characters": "a-zA-Z0-9",
	"lowercase alphanumeric": "a-z0-9", "lowercase alphanumeric character": "a-z0-9", "lowercase alphanumeric characters": "a-z0-9",
	"hyphen": `\-`, "hyphens": `\-`, "dash": `\-`, "dashes": `\-`, "`hyphens`": `\-`,
	"underscore": "_", "underscores": "_", "period": `\.`, "periods": `\.`, "dot": `\.`, "dots": `\.`,
	"space": " ", "spaces": " ", "parentheses": "()", "`a-z`": "a-z", "`0-9`": "0-9",
	"'-'": `\-`, "`-`": `\-`, "'_'": "_", "`_`": "_", "'.'": `\.`, "`.`": `\.`,
}

const classWord = "(?:(?:lower ?case |upper ?case )?(?:letters?|alphabets|numbers?|digits?|numerals|alphanumerics?(?: characters?)?)|hyphens?|dash(?:es)?|underscores?|periods?|dots?|spaces?|parentheses|`hyphens`|`a-z`|`0-9`|'[-_.]'|`[-_.]`)(?:\\s*\\([^)]*\\))?"

var (
	classList = classWord + `(?:(?:\s*,\s*(?:and |or )?|\s+and\s+|\s+or\s+)(?:an? )?` + classWord + `)*`
	allowedRe = []*regexp.Regexp{
		regexp.MustCompile(`(?i)\b(?:contains?|includes?|consists? of)\s+only\s+(` + classList + `)`),
		regexp.MustCompile(`(?i)\bonly\s+(?:contains?|includes?|consists? of)\s+(` + classList + `)`),
		regexp.MustCompile(`(?i)\b(?:can|may|must)\s+only\s+(?:contain|include|consist of|be)\s+(` + classList + `)`),
		regexp.MustCompile(`(?i)\bonly\s+(` + classList + `)\s+(?:characters\s+)?(?:are\s+)?allowed`),
		regexp.MustCompile(`(?i)\b(?:should|must|can)\s+(?:include|contain|consist of)\s+[0-9]+\s?-\s?[0-9]+\s+(` + classList + `)`),
	}
	startRe    = regexp.MustCompile(`(?i)\b(?:begins?|starts?|starting)\s+with\s+(?:an?\s+)?(` + classList + `)`)
	endRe      = regexp.MustCompile(`(?i)\b(?:ends?|ending)\s+with\s+(?:an?\s+)?(` + classList + `)`)
	bothRe     = regexp.MustCompile(`(?i)\b(?:begin|start)\s+and\s+end\s+with\s+(?:an?\s+)?(` + classList + `)`)
	negationRe = regexp.MustCompile(`(?i)(?:\bnot|\bcannot|n't|\bnever|\bnor)\s+(?:\w+\s+){0,2}$`)
	classSplit = regexp.MustCompile(`(?i)\s*,\s*(?:and |or )?(?:an? )?|\s+and\s+(?:an? )?|\s+or\s+(?:an? )?`)
	parenRe    = regexp.MustCompile(`\s*\([^)]*\)`)
)

// classOf turns a list of class names into the contents of an RE2 class; ok is false when a
// name is not known.
func classOf(list string) (string, bool) {
	list = strings.ToLower(parenRe.ReplaceAllString(list, ""))
	var b strings.Builder
	seen := map[string]bool{}
	for _, w := range classSplit.Split(strings.TrimSpace(list), -1) {
		c, ok := charClasses[strings.TrimSpace(w)]
		if !ok {
			return "", false
		}
		if !seen[c] {
			seen[c] = true
			b.WriteString(c)
		}
	}
	return b.String(), b.Len() > 0
}

// pattern reads allowed, first and last characters.
func (m *ruleMiner) pattern(raw, s string) string {
	find := func(re *regexp.Regexp) (string, bool, string) {
		loc := re.FindStringSubmatchIndex(s)
		if loc == nil {
			return "", false, ""
		}
		if negationRe.MatchString(s[:loc[0]]) {
			return "", false, ""
		}
		c, ok := classOf(s[loc[2]:loc[3]])
		if !ok {
			return "", false, "a character class the parser does not know: " + s[loc[2]:loc[3]]
		}
		return c, true, ""
	}
	var allowed, start, end string
	var hasAllowed, hasStart, hasEnd bool
	var why string
	for _, re := range allowedRe {
		if c, ok, w := find(re); ok {
			allowed, hasAllowed = c, true
			break
		} else if w != "" {
			why = w
		}
	}
	if c, ok, w := find(bothRe); ok {
		start, end, hasStart, hasEnd = c, c, true, true
	} else {
		if w != "" {
			why = w
		}
		if c, ok, w := find(startRe); ok {
			start, hasStart = c, true
		} else if w != "" {
			why = w
		}
		if c, ok, w := find(endRe); ok {
			end, hasEnd = c, true
		} else if w != "" {
			why = w
		}
	}
	if !hasAllowed && !hasStart && !hasEnd {
		return why
	}
	if !stringSentenceOK(s) {
		return "the characters are stated under a condition or for a part of the value"
	}
	if m.arg.kind != argAttr || m.arg.typ != cty.String {
		return "allowed characters on an argument that is not a string"
	}
	mid := "(?s:.*)"
	if hasAllowed {
		mid = "[" + allowed + "]*"
	}
	var p string
	switch {
	case hasStart && hasEnd:
		p = "^[" + start + "](?:" + mid + "[" + end + "])?$"
	case hasStart:
		p = "^[" + start + "]" + mid + "$"
	case hasEnd:
		p = "^" + mid + "[" + end + "]$"
	default:
		p = "^" + mid + "$"
	}
	if _, err := regexp.Compile(p); err != nil {
		return "the pattern built does not compile"
	}
	m.add(catalog.Rule{Kind: catalog.RulePattern, Pattern: p, Sentence: raw})
	return ""
}
