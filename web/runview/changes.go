package runview

import (
	"context"
	"strconv"
	"strings"

	"github.com/cloudoven/cloudoven/runs"
	"github.com/cloudoven/cloudoven/store"
	"github.com/cloudoven/cloudoven/web/page"
)

// openChangesUpTo is how many resource changes a plan may list and still show each one's
// attributes unfolded: past that, a reviewer unfolds the ones to read.
const openChangesUpTo = 5

// changesProps is what the plan changes, attribute by attribute, on the run page.
type changesProps struct {
	// Counts are the changes per action, from the run's Summary: they show even when the
	// diff cannot be read.
	Counts []actionCount
	// Known says Diff was read from the run's saved plan; Problem says why it was not.
	Known   bool
	Problem string
	Diff    runs.Diff
	Open    bool
}

type actionCount struct {
	Action runs.Action
	N      int
}

// changes reads the diff of a planned run's saved plan. A diff that cannot be read leaves
// the counts and the list of resources, and says why.
func (s *Handlers) changes(ctx context.Context, run store.Run, sum runs.Summary) changesProps {
	c := changesProps{Counts: summaryCounts(sum)}
	if len(sum.Resources) == 0 {
		return c
	}
	if s.runs == nil {
		c.Problem = "The attributes each change sets cannot be shown: runs are not configured on this server."
		return c
	}
	d, err := s.runs.PlanDiff(ctx, run)
	if err != nil {
		s.logger.Error("reading a plan's changes", "run", run.ID, "err", err)
		c.Problem = "The attributes each change sets cannot be shown: the saved plan could not be read. The server's log says why."
		return c
	}
	c.Known, c.Diff, c.Open = true, d, len(d.Resources) <= openChangesUpTo
	return c
}

// summaryCounts counts a Summary's resource changes per action, in runs.Actions' order,
// leaving out the actions it has none of.
func summaryCounts(sum runs.Summary) []actionCount {
	n := map[runs.Action]int{}
	for _, rc := range sum.Resources {
		if a, ok := rc.Action(); ok {
			n[a]++
		}
	}
	var out []actionCount
	for _, a := range runs.Actions {
		if n[a] > 0 {
			out = append(out, actionCount{Action: a, N: n[a]})
		}
	}
	return out
}

// actionText is how the page names a resource change's action.
func actionText(r runs.ResourceDiff) string {
	if r.Action != runs.ActionReplace {
		return string(r.Action)
	}
	if r.CreateFirst {
		return "replace (create, then destroy)"
	}
	return "replace (destroy, then create)"
}

// showsBefore and showsAfter say which sides of its attributes a change shows: a create
// or a read has no before, a destroy no after.
func showsBefore(a runs.Action) bool { return a != runs.ActionCreate && a != runs.ActionRead }
func showsAfter(a runs.Action) bool  { return a != runs.ActionDestroy }

// valueClass marks the values that are not values: sensitive and unknown.
func valueClass(v runs.Value) string {
	switch {
	case v.Sensitive:
		return "plan-value value-sensitive"
	case v.Unknown:
		return "plan-value value-unknown"
	}
	return "plan-value"
}

func attributesText(r runs.ResourceDiff) string {
	n := len(r.Attributes) + r.MoreAttributes
	return strconv.Itoa(n) + " " + page.Plural(n, "attribute", "attributes")
}

// summaryAction names a Summary's resource change's action, as a Diff does.
func summaryAction(rc runs.ResourceChange) string {
	if a, ok := rc.Action(); ok {
		return string(a)
	}
	return strings.Join(rc.Actions, ", ")
}
