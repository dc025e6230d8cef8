package runs

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudoven/cloudoven/store"
)

func TestServicePlanDiff(t *testing.T) {
	t.Parallel()
	f := newService(t, false, 2)
	ctx := t.Context()
	r, err := f.svc.Plan(ctx, "payments", f.deps[0], "ada", false)
	if err != nil {
		t.Fatal(err)
	}
	planned := f.waitState(t, r.ID, store.RunPlanned)
	d, err := f.svc.PlanDiff(ctx, planned)
	if err != nil {
		t.Fatal(err)
	}
	type change struct {
		Address string
		Action  Action
		Paths   string
	}
	var got []change
	for _, rd := range d.Resources {
		var paths []string
		for _, a := range rd.Attributes {
			paths = append(paths, a.Path+"="+a.After.String())
		}
		got = append(got, change{rd.Address, rd.Action, strings.Join(paths, " ")})
	}
	want := []change{
		{"terraform_data.a", ActionUpdate, `input="two" output=(known after apply)`},
		{"terraform_data.b", ActionReplace, `id=(known after apply) triggers_replace="y"`},
		{"terraform_data.c", ActionDestroy, "id= input= output="},
		{"terraform_data.d", ActionCreate, `id=(known after apply) input="new" output=(known after apply)`},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("PlanDiff (-want +got):\n%s", diff)
	}

	// Another key opens nothing.
	other := New(Options{Store: f.store, Sealer: newSealer(t)})
	if _, err := other.PlanDiff(ctx, planned); err == nil || !strings.Contains(err.Error(), "secret key") {
		t.Errorf("PlanDiff under another key: %v", err)
	}
	if _, err := f.svc.PlanDiff(ctx, store.Run{ID: "run-nosuchrun"}); err == nil {
		t.Error("PlanDiff of a missing run: no error")
	}
}

func TestDiffCacheKeepsTheLast(t *testing.T) {
	t.Parallel()
	var c diffCache
	for i := range diffCacheSize + 2 {
		c.put("run-"+string(rune('a'+i)), Diff{MoreResources: i})
	}
	for i := range diffCacheSize + 2 {
		d, ok := c.get("run-" + string(rune('a'+i)))
		if want := i >= 2; ok != want || ok && d.MoreResources != i {
			t.Errorf("run %d: kept %v (%+v), want kept %v", i, ok, d, want)
		}
	}
}
