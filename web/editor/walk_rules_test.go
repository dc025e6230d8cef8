package editor

import (
	"log/slog"
	"sync/atomic"
	"testing"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/zclconf/go-cty/cty"

	"github.com/cloudoven/cloudoven/blueprint"
	"github.com/cloudoven/cloudoven/catalog"
	"github.com/cloudoven/cloudoven/deployment"
	"github.com/cloudoven/cloudoven/internal/testenv"
	"github.com/cloudoven/cloudoven/web/page"
)

// TestEditorFormForEveryTypeWithRules is TestEditorFormForEveryType over a catalog whose
// every argument has docs rules: enumerations (some partial) that do not list the
// placeholder values, bounds, lengths, defaults and forces_new. Choices, suggestions and
// number inputs must give back exactly what the config held: the form never changes a
// value the docs' list does not hold.
func TestEditorFormForEveryTypeWithRules(t *testing.T) {
	t.Parallel()
	base := testenv.Catalog(t)
	rules := map[string]testenv.TypeRules{}
	for _, kind := range []catalog.Kind{catalog.KindResource, catalog.KindDataSource} {
		for _, name := range base.TypeNames(kind) {
			typ := base.Lookup(kind, name)
			if typ.Schema == nil || typ.Schema.Block == nil {
				continue
			}
			key := name
			if kind == catalog.KindDataSource {
				key = "data." + name
			}
			rules[key] = testenv.TypeRules{}
			syntheticRules(typ.Schema.Block, "", rules[key])
		}
	}
	cat := testenv.CatalogWithRules(t, rules)
	s := New(page.NewFrame(nil, fixedAssets{}, slog.New(slog.DiscardHandler), nil), nil, func() *catalog.Catalog { return cat },
		deployment.NewResolver(deployment.Config{}))
	var walked atomic.Int64
	t.Run("types", func(t *testing.T) {
		for _, kind := range []catalog.Kind{catalog.KindResource, catalog.KindDataSource} {
			for _, name := range cat.TypeNames(kind) {
				typ := cat.Lookup(kind, name)
				t.Run(typeKindSegment(kind)+"/"+name, func(t *testing.T) {
					t.Parallel()
					walked.Add(1)
					walkType(t, s, cat, typ)
				})
			}
		}
	})
	if walked.Load() < 1000 {
		t.Errorf("walked only %d types", walked.Load())
	}
}

// syntheticRules gives every argument of schema, and every block, rules of the kinds the
// form reads, varied by the argument's position so that each input shape is walked.
func syntheticRules(schema *tfjson.SchemaBlock, prefix string, into testenv.TypeRules) {
	i := 0
	for name, a := range schema.Attributes {
		if a == nil {
			continue
		}
		p := joinSchema(prefix, name)
		ty := blueprint.AttributeType(a)
		var rs []catalog.Rule
		// The rules agree with one another, as real ones do: validation checks them, and
		// the placeholders a new resource gets keep them.
		switch {
		case ty == cty.String:
			rs = append(rs,
				catalog.Rule{Kind: catalog.RuleEnum, Values: []string{"alpha", "beta"}, Partial: i%3 == 2, Sentence: "Possible values are `alpha` and `beta`."},
				catalog.Rule{Kind: catalog.RuleLength, Min: floatPtr(1), Max: floatPtr(8), Sentence: "between 1 and 8 characters"},
				catalog.Rule{Kind: catalog.RuleDefault, Default: "alpha", Sentence: "Defaults to `alpha`."},
			)
		case ty == cty.Number:
			if i%2 == 0 {
				rs = append(rs, catalog.Rule{Kind: catalog.RuleEnum, Values: []string{"7", "8"}, Sentence: "Possible values are `7` and `8`."})
			}
			rs = append(rs,
				catalog.Rule{Kind: catalog.RuleRange, Min: floatPtr(5), Max: floatPtr(9), Sentence: "between `5` and `9`"},
				catalog.Rule{Kind: catalog.RuleDefault, Default: "7", Sentence: "Defaults to `7`."},
			)
		case ty == cty.Bool:
			rs = append(rs, catalog.Rule{Kind: catalog.RuleDefault, Default: "false", Sentence: "Defaults to `false`."})
		case ty.IsListType() && ty.ElementType() == cty.String, ty.IsSetType() && ty.ElementType() == cty.String:
			rs = append(rs, catalog.Rule{Kind: catalog.RuleEnum, Values: []string{"alpha", "beta"}, Sentence: "Possible values are `alpha` and `beta`."})
		}
		rs = append(rs, catalog.Rule{Kind: catalog.RuleForcesNew, Sentence: "Changing this forces a new resource to be created."})
		into[p] = rs
		i++
	}
	for name, bt := range schema.NestedBlocks {
		if bt == nil || bt.Block == nil {
			continue
		}
		p := joinSchema(prefix, name)
		into[p] = []catalog.Rule{{Kind: catalog.RuleForcesNew, Sentence: "Changing this forces a new resource to be created."}}
		syntheticRules(bt.Block, p, into)
	}
}

func joinSchema(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix + "." + name
}

func floatPtr(f float64) *float64 { return &f }
