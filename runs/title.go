// How a run names itself: what it does and how far it went, so a destroy never reads like a
// plan and an applied plan says it applied.

package runs

import "github.com/cloudoven/cloudoven/store"

// Title names what r does, by the stages it reached: "plan" or "plan → apply" for a plan,
// "Destroy plan" or "Destroy plan → destroy" for a destroy. A run reaches its apply once
// approved, whether or not the apply then succeeded.
func Title(r Run) string {
	applied := r.ApprovedBy != "" || r.State == store.RunApproved || r.State == store.RunApplying || r.State == store.RunApplied
	switch {
	case r.Operation == store.RunOpDestroy && applied:
		return "Destroy plan → destroy"
	case r.Operation == store.RunOpDestroy:
		return "Destroy plan"
	case applied:
		return string(r.Operation) + " → apply"
	}
	return string(r.Operation)
}

// StateLabel is how r's state reads: "no changes" for a plan that ended by itself
// (NoChanges), the state's name otherwise.
func StateLabel(r Run) string {
	if NoChanges(r) {
		return "no changes"
	}
	return string(r.State)
}
