package crawler

import (
	"bufio"
	"fmt"
	"slices"

	tfjson "github.com/hashicorp/terraform-json"

	"github.com/cloudoven/cloudoven/catalog"
)

// measureRules counts the rules of one type's doc and mines its prose again for the
// sentences that look like rules but did not parse (MineRules is deterministic, so they are
// the ones the crawl left out).
func (c *Coverage) measureRules(name string, doc *catalog.Doc, ts *tfjson.Schema) {
	for _, rs := range doc.Rules {
		for _, r := range rs {
			if c.Rules == nil {
				c.Rules = map[catalog.RuleKind]int{}
			}
			c.Rules[r.Kind]++
		}
	}
	mined, unparsed := MineRules(doc, ts)
	unparsed = append(unparsed, dropOverridden(name, mined)...)
	for _, u := range unparsed {
		c.Unparsed = append(c.Unparsed, fmt.Sprintf("%s.%s: %s: %s", name, u.Path, u.Reason, u.Sentence))
	}
}

// RuleCount is the number of rules of every kind.
func (c Coverage) RuleCount() int {
	n := 0
	for _, k := range c.Rules {
		n += k
	}
	return n
}

func (c Coverage) writeRules(bw *bufio.Writer) {
	if len(c.Rules) == 0 && len(c.Unparsed) == 0 {
		return
	}
	kinds := make([]string, 0, len(c.Rules))
	for k := range c.Rules {
		kinds = append(kinds, string(k))
	}
	slices.Sort(kinds)
	fmt.Fprintf(bw, "\n## rules: %d mined from the docs\n\n", c.RuleCount())
	for _, k := range kinds {
		fmt.Fprintf(bw, "%s %d\n", k, c.Rules[catalog.RuleKind(k)])
	}
	fmt.Fprintf(bw, "\n## unparsed: %d sentences that look like rules but did not parse\n\n", len(c.Unparsed))
	for _, u := range c.Unparsed {
		fmt.Fprintln(bw, u)
	}
}
