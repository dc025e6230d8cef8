package runs

import (
	"encoding/json"
	"fmt"
	"testing"
)

// bigPlanJSON is a show -json of n updated resources, each with attrs changed attributes
// of a 40-character string and a nested block.
func bigPlanJSON(b *testing.B, n, attrs int) []byte {
	b.Helper()
	var rcs []any
	for i := range n {
		before, after := map[string]any{}, map[string]any{}
		for j := range attrs {
			before[fmt.Sprintf("attr_%d", j)] = fmt.Sprintf("%040d", j)
			after[fmt.Sprintf("attr_%d", j)] = fmt.Sprintf("%040d", j+1)
		}
		before["block"] = []any{map[string]any{"size": "small", "count": 1}}
		after["block"] = []any{map[string]any{"size": "large", "count": 2}}
		rcs = append(rcs, map[string]any{
			"address": fmt.Sprintf("x.r%d", i), "mode": "managed", "type": "x", "name": fmt.Sprintf("r%d", i),
			"change": map[string]any{"actions": []string{"update"}, "before": before, "after": after,
				"after_unknown": map[string]any{}, "before_sensitive": map[string]any{}, "after_sensitive": map[string]any{}},
		})
	}
	out, err := json.Marshal(map[string]any{"format_version": "1.2", "resource_changes": rcs})
	if err != nil {
		b.Fatal(err)
	}
	return out
}

// BenchmarkDiffPlan measures what the run page pays, on each view of a planned run, to
// read its plan's changes: a plan of 1,000 updated resources of 50 attributes each.
func BenchmarkDiffPlan(b *testing.B) {
	show := bigPlanJSON(b, 1000, 50)
	b.SetBytes(int64(len(show)))
	b.ReportAllocs()
	for b.Loop() {
		d, err := DiffPlan(show)
		if err != nil {
			b.Fatal(err)
		}
		if len(d.Resources) != 1000 {
			b.Fatalf("%d resources", len(d.Resources))
		}
	}
}
