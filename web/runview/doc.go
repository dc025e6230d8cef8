// Package runview is the web feature of a run: its page (status, a timeline of its steps,
// terraform's errors and warnings as blocks placed on the blueprint's fields, progress, plan
// summary, what the plan changes attribute by attribute, the log in a section per stage),
// the live log as an event stream that resumes after the last line a browser saw (and
// moves the timeline and the sections' headings on), and approve, discard and cancel. The page says
// what the run is (runs.Title: "plan → apply", a destroy in the danger colour, approved with
// "Approve and destroy") and how a plan with no changes ended (runs.NoChanges).
//
// The lifecycle is package runs'; starting a run is package deployments'. Start with Handlers
// (handlers.go), then run.go, timeline.go, diagnostics.go, changes.go and log.go.
package runview
