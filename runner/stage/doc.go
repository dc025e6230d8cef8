// Package stage is the protocol between the Docker executor and cloudoven-stage, the small
// driver the runner image carries that runs all of a job's terraform commands in one
// container, and the driver itself (Driver), which cmd/cloudoven-stage wraps.
//
// The executor starts the container with the driver as its entrypoint and one argument, a
// Spec in JSON: the steps (terraform's arguments) and which steps' stdout goes to a
// workspace file instead of the log. The driver runs them in order with the image's
// terraform, writes a Status to StatusFile in the workspace before each step and after the
// last, with when each step started, and exits with the exit code of the step that ended
// the job; the executor reads the status back to know which step that was and when each
// started, and looks at it while the container runs to follow the steps.
//
// For an executor that shares no file system with the container (Kubernetes), the Spec
// may also name an archive the driver unpacks into the workspace first (Spec.Unpack) and
// ask for a report on stdout (Spec.Report, report.go): lines that start with a nonce and
// say when each step starts and, after the last, the Status and the content of some
// workspace files, which the executor reads with ReportReader.
//
// It uses the standard library only: the driver is a static binary on an image with
// nothing else. It is not the executor (package runner) and knows nothing of Docker.
//
// Start with spec.go (Spec, Status, the names and limits both sides share), then
// driver.go.
package stage
