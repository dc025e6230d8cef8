package crawler

import (
	"bufio"
	"fmt"
	"io"
	"slices"

	tfjson "github.com/hashicorp/terraform-json"

	"github.com/cloudoven/cloudoven/catalog"
)

// Coverage measures how much of a provider's schema its parsed docs describe: the share of
// settable arguments that have a description at their schema path. It is the figure to
// watch when the doc parser changes, and Unknown shows where it resolved a path wrongly.
type Coverage struct {
	Provider string
	// Arguments counts the settable arguments of every resource and data source: the
	// required or optional attributes, inside nested blocks and nested attributes too.
	// Nested block names are not counted (a block's own line rarely says more than "A `b`
	// block as defined below"), nor the timeouts block or attribute, nor the top-level id,
	// nor the fields of an object-typed attribute, which the schema does not mark required
	// or optional.
	Arguments int
	// Described counts the arguments the docs give a non-empty description.
	Described int
	// Unmatched are the arguments without a description, "azurerm_x.block.name" (a data
	// source's prefixed "data."), sorted.
	Unmatched []string
	// Unknown are the documented argument paths the schema does not have, in the same form,
	// sorted: a block resolved to the wrong place, a renamed or removed argument.
	Unknown []string
	// Rules counts the rules the docs hold, by kind (coverage_rules.go).
	Rules map[catalog.RuleKind]int
	// Unparsed are the sentences that look like rules but did not become one, as
	// "azurerm_x.path: reason: sentence", sorted.
	Unparsed []string
}

// Percent is Described as a percentage of Arguments; 0 when there are no arguments.
func (c Coverage) Percent() float64 {
	if c.Arguments == 0 {
		return 0
	}
	return 100 * float64(c.Described) / float64(c.Arguments)
}

// MeasureCoverage measures docs against schema. Types the docs have no page for count as
// undescribed; pages for types the schema lacks are ignored.
func MeasureCoverage(provider string, schema *tfjson.ProviderSchema, docs *catalog.Docs) Coverage {
	c := Coverage{Provider: provider}
	if schema == nil {
		return c
	}
	if docs == nil {
		docs = &catalog.Docs{}
	}
	c.measure("", schema.ResourceSchemas, docs.Resources)
	c.measure("data.", schema.DataSourceSchemas, docs.DataSources)
	slices.Sort(c.Unmatched)
	slices.Sort(c.Unknown)
	slices.Sort(c.Unparsed)
	return c
}

func (c *Coverage) measure(prefix string, types map[string]*tfjson.Schema, docs map[string]*catalog.Doc) {
	for name, ts := range types {
		if ts == nil || ts.Block == nil {
			continue
		}
		doc := docs[name]
		var args map[string]string
		if doc != nil {
			args = doc.Arguments
		}
		for _, p := range settable(ts.Block) {
			c.Arguments++
			if args[p] != "" {
				c.Described++
			} else {
				c.Unmatched = append(c.Unmatched, prefix+name+"."+p)
			}
		}
		if doc == nil {
			continue
		}
		c.measureRules(prefix+name, doc, ts)
		known := schemaPaths(ts.Block)
		for p := range args {
			if _, ok := known[p]; !ok {
				c.Unknown = append(c.Unknown, prefix+name+"."+p)
			}
		}
	}
}

// settable lists the paths of a block's required and optional attributes, recursively.
func settable(b *tfjson.SchemaBlock) []string {
	var out []string
	var attrs func(prefix string, as map[string]*tfjson.SchemaAttribute)
	attrs = func(prefix string, as map[string]*tfjson.SchemaAttribute) {
		for name, a := range as {
			if a == nil || !a.Required && !a.Optional || prefix == "" && (name == "id" || name == "timeouts") {
				continue
			}
			p := joinPath(prefix, name)
			out = append(out, p)
			if a.AttributeNestedType != nil {
				attrs(p, a.AttributeNestedType.Attributes)
			}
		}
	}
	var block func(prefix string, b *tfjson.SchemaBlock)
	block = func(prefix string, b *tfjson.SchemaBlock) {
		attrs(prefix, b.Attributes)
		for name, bt := range b.NestedBlocks {
			if bt == nil || bt.Block == nil || prefix == "" && name == "timeouts" {
				continue
			}
			block(joinPath(prefix, name), bt.Block)
		}
	}
	block("", b)
	return out
}

// WriteReport writes the coverage figures, then every unmatched and every unknown path, then
// the rules per kind and the sentences that did not parse, when there are any.
func (c Coverage) WriteReport(w io.Writer) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "# %s: %d of %d arguments described (%.1f%%)\n", c.Provider, c.Described, c.Arguments, c.Percent())
	fmt.Fprintf(bw, "\n## unmatched: %d arguments without a description\n\n", len(c.Unmatched))
	for _, u := range c.Unmatched {
		fmt.Fprintln(bw, u)
	}
	fmt.Fprintf(bw, "\n## unknown: %d documented arguments the schema does not have\n\n", len(c.Unknown))
	for _, u := range c.Unknown {
		fmt.Fprintln(bw, u)
	}
	c.writeRules(bw)
	return bw.Flush()
}
