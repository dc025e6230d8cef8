package runview

import (
	"context"
	"log/slog"

	"github.com/cloudoven/cloudoven/runs"
	"github.com/cloudoven/cloudoven/store"
	"github.com/cloudoven/cloudoven/web/components"
	"github.com/cloudoven/cloudoven/web/page"
)

// Store is what the run pages read from the store; *store.Store has it.
type Store interface {
	Deployment(ctx context.Context, project string, id int64) (store.Deployment, error)
	Run(ctx context.Context, id string) (store.Run, error)
	RunLog(ctx context.Context, runID string, afterSeq, limit int) ([]store.RunLogLine, error)
	RunLogSeqOf(ctx context.Context, runID, text string) (int, error)
	RunSteps(ctx context.Context, runID string) ([]store.RunStep, error)
	RunDiagnostics(ctx context.Context, runID string) ([]store.RunDiagnostic, error)
}

// RunService is what the run pages ask of the run lifecycle; *runs.Service has it.
type RunService interface {
	Approve(ctx context.Context, runID, user string) (store.Run, error)
	Discard(ctx context.Context, runID, user string) (store.Run, error)
	Cancel(ctx context.Context, runID, user string) (store.Run, error)
	Progress(runID string) (runs.Progress, bool)
	PlanDiff(ctx context.Context, run store.Run) (runs.Diff, error)
}

// RunLogs follows a run's log; *runs.Hub has it.
type RunLogs interface {
	Subscribe(ctx context.Context, runID string, afterSeq int) (<-chan runs.Line, error)
}

// Handlers answers a run's page, its live log, and the actions that move a run on.
type Handlers struct {
	frame   *page.Frame
	store   Store
	runs    RunService // nil when runs are not configured
	runLogs RunLogs
	runner  components.RunnerLabel
	logger  *slog.Logger
}

// New returns the run handlers; runs and logs are nil together when runs are not
// configured (stored runs still show, and actions say why they cannot happen).
func New(frame *page.Frame, st Store, runs RunService, logs RunLogs, runner components.RunnerLabel) *Handlers {
	return &Handlers{frame: frame, store: st, runs: runs, runLogs: logs, runner: runner, logger: frame.Logger()}
}

// Routes registers the run pages: members watch a run; operators approve, discard and
// cancel it. The run is {id}, so the audit log names it.
func (s *Handlers) Routes(rt page.Router) {
	rt.Handle("GET /projects/{project}/runs/{id}", page.Viewer, s.showRun)
	rt.Handle("GET /projects/{project}/runs/{id}/log", page.Viewer, s.streamRunLog)
	rt.Handle("POST /projects/{project}/runs/{id}/approve", page.Operator.Audited("run.approve"), s.approveRun)
	rt.Handle("POST /projects/{project}/runs/{id}/discard", page.Operator.Audited("run.discard"), s.discardRun)
	rt.Handle("POST /projects/{project}/runs/{id}/cancel", page.Operator.Audited("run.cancel"), s.cancelRun)
}
