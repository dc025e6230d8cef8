package blueprint

import (
	"fmt"
	"sort"
	"strings"

	"github.com/agext/levenshtein"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// validIdentifier is Terraform's rule for block labels and names: a letter or underscore
// first, then letters, digits, underscores and dashes.
func validIdentifier(s string) bool {
	if !hclsyntax.ValidIdentifier(s) {
		return false
	}
	c := s[0]
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func checkName(d *diags, path, what, name string) bool {
	if name == "" {
		d.errorf(path, fmt.Sprintf("missing %s name", what), "give it a name of letters, digits, underscores and dashes, starting with a letter")
		return false
	}
	if !validIdentifier(name) {
		d.errorf(path, fmt.Sprintf("invalid %s name %q", what, name), "a name starts with a letter or underscore and holds only letters, digits, underscores and dashes, e.g. %q", suggestIdentifier(name))
		return false
	}
	return true
}

// suggestIdentifier turns an invalid name into the nearest valid one, for error details.
func suggestIdentifier(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-':
			b.WriteRune(r)
		case b.Len() > 0 && !strings.HasSuffix(b.String(), "_"):
			b.WriteByte('_')
		}
	}
	out := strings.Trim(b.String(), "_-")
	if out == "" || !validIdentifier(out) {
		out = "main"
		if b.Len() > 0 {
			out = "r_" + strings.Trim(b.String(), "_-")
		}
	}
	return out
}

// didYouMean returns ` Did you mean "x"?` for the closest candidate within a small edit
// distance, or "".
func didYouMean(given string, candidates []string) string {
	best := closest(given, candidates)
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" Did you mean %q?", best)
}

// closest is the candidate nearest to given within a small edit distance, or "".
func closest(given string, candidates []string) string {
	if len(given) > 80 {
		return "" // nobody misspells that long a name, and edit distance is quadratic
	}
	best, bestDist := "", 4
	sorted := append([]string(nil), candidates...)
	sort.Strings(sorted)
	for _, c := range sorted {
		if d := levenshtein.Distance(given, c, nil); d < bestDist {
			best, bestDist = c, d
		}
	}
	return best
}
