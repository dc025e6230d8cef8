package deployments

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/cloudoven/cloudoven/runs"
	"github.com/cloudoven/cloudoven/state"
	"github.com/cloudoven/cloudoven/store"
	"github.com/cloudoven/cloudoven/web/components"
	"github.com/cloudoven/cloudoven/web/page"
	"github.com/cloudoven/cloudoven/web/paths"
)

// A run's terraform locks the deployment's state on CloudOven's backend while it plans or
// applies, with the run's own credentials, which cannot force a lock open. A lock its
// terraform left behind (killed, or cut off from the backend) stays until an operator
// force-unlocks it here, seeing the run that took it; the audit log records who did.

// stateLockProps is the deployment page's state lock: who holds it, and the operator's
// force-unlock.
type stateLockProps struct {
	Held      bool
	ID        string
	RunID     string // the run whose credentials took it; empty for a lock older than that record
	RunURL    string
	Created   components.Time
	Operation string // what terraform says it was doing: plan, apply
	Who       string // terraform's user@host inside the run's container
	Version   string
	Action    string // the force-unlock form's; empty when runs are not configured
	Problem   string
}

// maxLockText bounds what the page shows of the texts terraform wrote in its lock info.
const maxLockText = 200

func lockText(s string) string {
	if len(s) <= maxLockText {
		return s
	}
	return strings.ToValidUTF8(s[:maxLockText], "") + "…"
}

// stateLock reads the deployment's state lock for its page.
func (s *Handlers) stateLock(ctx context.Context, project string, d store.Deployment) (stateLockProps, error) {
	l, err := s.store.StateLock(ctx, d.ID)
	if errors.Is(err, store.ErrNotFound) {
		return stateLockProps{}, nil
	}
	if err != nil {
		return stateLockProps{}, err
	}
	info := state.ParseLockInfo(l.Info)
	p := stateLockProps{
		Held: true, ID: l.ID, RunID: l.RunID, Created: components.NewTime(l.CreatedAt),
		Operation: lockText(info.OperationName()), Who: lockText(info.Who), Version: lockText(info.Version),
	}
	if l.RunID != "" {
		p.RunURL = paths.Run(project, l.RunID)
	}
	if s.runs != nil {
		p.Action = paths.DeploymentStateUnlock(project, d.ID)
	}
	return p, nil
}

// forceUnlock answers POST /projects/{project}/deployments/{id}/state/unlock with lock_id,
// the lock the operator was shown: it is released unless its run still executes or another
// lock holds the state now.
func (s *Handlers) forceUnlock(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	project := r.PathValue("project")
	d, err := s.deploymentOf(r)
	if err != nil {
		return err
	}
	refuse := func(status int, problem string) error {
		props, err := s.deployPage(ctx, project, d)
		if err != nil {
			return err
		}
		props.Runs.Lock.Problem = problem
		return s.frame.Render(w, r, status, deployPage(props), deployRunsFragment)
	}
	if s.runs == nil {
		return refuse(http.StatusServiceUnavailable, components.RunsNotConfigured)
	}
	if err := page.ParseForm(w, r, page.MaxFormBytes); err != nil {
		return refuse(page.FormStatus(err), page.FormRefusal(err))
	}
	lockID := r.PostForm.Get("lock_id")
	if lockID == "" {
		return refuse(http.StatusUnprocessableEntity, "Choose the lock to force-unlock: the form names none.")
	}
	held, err := s.runs.ForceUnlock(ctx, project, d.ID, lockID, page.SignedInUser(ctx))
	var inUse *runs.LockInUseError
	switch {
	case errors.As(err, &inUse):
		return refuse(http.StatusConflict, fmt.Sprintf("Run %s still executes under this lock, and its terraform would fail to save the state it changes without it. Cancel the run instead: terraform releases its lock when it stops.", inUse.RunID))
	case errors.Is(err, store.ErrNotFound):
		return refuse(http.StatusConflict, "The state is not locked any more: nothing was unlocked.")
	case errors.Is(err, store.ErrConflict):
		return refuse(http.StatusConflict, "Another lock holds the state now: nothing was unlocked. Look at the lock below before you force-unlock it.")
	case err != nil:
		return err
	}
	detail := "lock " + held.ID + " held by "
	if held.RunID != "" {
		detail += "run " + held.RunID
	} else {
		detail += "no recorded run"
	}
	if info := state.ParseLockInfo(held.Info); info.Operation != "" || info.Who != "" {
		detail += fmt.Sprintf(" (terraform %s by %s)", info.OperationName(), info.Who)
	}
	s.frame.Audit(r, "state.force_unlock", project, strconv.FormatInt(d.ID, 10), detail)
	page.Redirect(w, r, paths.Deployment(project, d.ID))
	return nil
}
