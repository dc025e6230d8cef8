package runs

import (
	"testing"

	"github.com/cloudoven/cloudoven/store"
)

func TestTitleAndStateLabel(t *testing.T) {
	t.Parallel()
	none := []byte(`{"add":0,"change":0,"destroy":0,"replace":0}`)
	some := []byte(`{"add":1,"change":0,"destroy":0,"replace":0}`)
	for _, tc := range []struct {
		name         string
		run          Run
		title, state string
	}{
		{"a planned plan", Run{Operation: store.RunOpPlan, State: store.RunPlanned}, "plan", "planned"},
		{"an applying plan", Run{Operation: store.RunOpPlan, State: store.RunApplying, ApprovedBy: "bob"}, "plan → apply", "applying"},
		{"an apply that errored", Run{Operation: store.RunOpPlan, State: store.RunErrored, ApprovedBy: "bob"}, "plan → apply", "errored"},
		{"a plan that errored", Run{Operation: store.RunOpPlan, State: store.RunErrored}, "plan", "errored"},
		{"a planned destroy", Run{Operation: store.RunOpDestroy, State: store.RunPlanned}, "Destroy plan", "planned"},
		{"an applied destroy", Run{Operation: store.RunOpDestroy, State: store.RunApplied, ApprovedBy: "bob"}, "Destroy plan → destroy", "applied"},
		{"a plan with no changes", Run{Operation: store.RunOpPlan, State: store.RunDiscarded, Summary: none}, "plan", "no changes"},
		{"a plan a user discarded", Run{Operation: store.RunOpPlan, State: store.RunDiscarded, CanceledBy: "bob", Summary: none}, "plan", "discarded"},
		{"a plan discarded with changes", Run{Operation: store.RunOpPlan, State: store.RunDiscarded, Summary: some}, "plan", "discarded"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Title(tc.run); got != tc.title {
				t.Errorf("Title = %q, want %q", got, tc.title)
			}
			if got := StateLabel(tc.run); got != tc.state {
				t.Errorf("StateLabel = %q, want %q", got, tc.state)
			}
		})
	}
}
