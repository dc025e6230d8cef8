package upgrade

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/cloudoven/cloudoven/catalog"
)

// WriteReport prints a report for the CLI: a summary line, then per item where it is, old →
// new, whether ApplyRenames can apply it, why it was held, and the guide section with its
// sentence and link.
func WriteReport(w io.Writer, r Report, cat *catalog.Catalog) error {
	bw := bufio.NewWriter(w)
	n := len(r.Items)
	fmt.Fprintf(bw, "Upgrade report: %d %s held back from the blueprint, %d mechanical (-apply-renames applies them), %d with a replacement the guides name\n",
		n, plural(n, "item", "items"), r.Mechanical(), r.WithReplacement())
	for _, it := range r.Items {
		fmt.Fprintf(bw, "\n%s:%d  %s (%s)\n", it.File, it.Line, it.Name(), it.What)
		if it.Upgrade != nil || len(it.Replacements) > 0 {
			fmt.Fprintf(bw, "  %s → %s\n", it.Old(), orNone(it.Replacements))
		}
		if it.Suggested != "" {
			fmt.Fprintf(bw, "  suggested: %s (%s)\n", it.Suggested, it.SuggestedWhy)
		}
		switch {
		case it.Mechanical:
			fmt.Fprintf(bw, "  mechanical: applied by -apply-renames\n")
		case it.NotMechanical != "":
			fmt.Fprintf(bw, "  to fix by hand: %s\n", it.NotMechanical)
		default:
			fmt.Fprintf(bw, "  to fix by hand\n")
		}
		fmt.Fprintf(bw, "  why: %s\n", it.Why)
		if it.Upgrade != nil {
			fmt.Fprintf(bw, "  guide: %s: %q\n", it.Section(), it.Upgrade.Sentence)
			if url := it.GuideURL(cat.ProviderOfType(strings.TrimPrefix(it.Address, "data."))); url != "" {
				fmt.Fprintf(bw, "  %s\n", url)
			}
		}
		for _, u := range it.Related {
			fmt.Fprintf(bw, "  also: %s → %s (%s § %s)\n", u.Path, orNone(u.Replacements), u.Guide, u.Section)
		}
	}
	return bw.Flush()
}

func orNone(s []string) string {
	if len(s) == 0 {
		return "no replacement named"
	}
	return strings.Join(s, ", ")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
