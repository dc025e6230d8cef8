// A plan with no changes has nothing to approve: it ends as it is saved, discarded by
// nobody, and lets the deployment's next run start at once.

package runs

import (
	"encoding/json"

	"github.com/cloudoven/cloudoven/store"
)

// NoChangesMessage is what the log and the run page say of a plan with no changes.
const NoChangesMessage = "No changes: the infrastructure matches the configuration"

// NoChanges reports whether r is a plan that found nothing to change and so ended by
// itself: discarded by nobody, with a Summary without changes. A plan a user discarded
// (CanceledBy set) is not one, whatever it found.
func NoChanges(r Run) bool {
	if r.State != store.RunDiscarded || r.CanceledBy != "" || len(r.Summary) == 0 {
		return false
	}
	var s Summary
	if err := json.Unmarshal(r.Summary, &s); err != nil {
		return false
	}
	return !s.HasChanges()
}
