package runs

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/cloudoven/cloudoven/providers"
	"github.com/cloudoven/cloudoven/store"
)

// A deployment's lock file is terraform's own .terraform.lock.hcl, kept by Options.Locks. A
// plan or destroy stage writes it into the workspace beside the generated files, so init
// installs the versions it records and checks their hashes; init refuses, with its own
// message on the run's log, a locked version the configuration's constraints no longer
// allow, and only an "upgrade providers" (outside the runs) moves a locked version. After
// the stage the file terraform leaves is read back: it is kept when the deployment had none,
// or when terraform only added to it (a provider the configuration now needs, more hashes of
// a locked version). An apply installs the providers its saved plan carries the lock of.

// withLock adds the deployment's stored lock file to the stage's files and returns it (nil:
// none).
func (s *Service) withLock(ctx context.Context, deploymentID int64, st *stage) ([]byte, error) {
	if s.opts.Locks == nil {
		return nil, nil
	}
	l, err := s.opts.Locks.DeploymentLock(ctx, deploymentID)
	if err != nil {
		return nil, fmt.Errorf("reading the deployment's lock file: %w", err)
	}
	if l.Lock == nil {
		return nil, nil
	}
	// The preparer's map may be shared with its caller.
	st.files = maps.Clone(st.files)
	if st.files == nil {
		st.files = map[string][]byte{}
	}
	st.files[lockFileName] = l.Lock
	return l.Lock, nil
}

// keepLock stores the lock file a stage's terraform left (after) when it is the deployment's
// first or only adds to the one the stage started with (before). A lock kept meanwhile by
// someone else (an upgrade) wins: the store refuses to overwrite it. It never fails the run:
// the next run computes the lock again.
func (s *Service) keepLock(ctx context.Context, r Run, before, after []byte) {
	if s.opts.Locks == nil || after == nil || string(before) == string(after) {
		return
	}
	reason := "first terraform init"
	if before != nil {
		added, err := onlyAdds(before, after)
		if err != nil || !added {
			s.log.Warn("a run's lock file was not kept: it changes what the deployment's lock records", "run", r.ID, "deployment", r.DeploymentID, "err", err)
			return
		}
		reason = "terraform init added to it"
	}
	if _, err := providers.ParseLock(after); err != nil {
		s.log.Warn("a run's lock file was not kept", "run", r.ID, "deployment", r.DeploymentID, "err", err)
		return
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	_, err := s.opts.Locks.SetDeploymentLock(sctx, store.DeploymentLock{DeploymentID: r.DeploymentID, Lock: after, RunID: r.ID, Reason: reason}, before)
	switch {
	case errors.Is(err, store.ErrConflict):
		s.log.Info("a run's lock file was not kept: the deployment's lock changed while it ran", "run", r.ID, "deployment", r.DeploymentID)
	case err != nil:
		s.log.Error("keeping a run's lock file", "run", r.ID, "deployment", r.DeploymentID, "err", err)
	default:
		s.log.Info("lock file kept", "run", r.ID, "deployment", r.DeploymentID, "reason", reason)
	}
}

// onlyAdds reports whether after records every provider of before at the same version with
// at least the same hashes: new providers and new hashes are all that differ. A changed
// constraints string with the same version is an addition too: terraform rewrites it from
// the configuration, and the version it checked still satisfies it.
func onlyAdds(before, after []byte) (bool, error) {
	b, err := providers.ParseLock(before)
	if err != nil {
		return false, fmt.Errorf("the deployment's lock file: %w", err)
	}
	a, err := providers.ParseLock(after)
	if err != nil {
		return false, fmt.Errorf("the run's lock file: %w", err)
	}
	for _, old := range b.Providers {
		now, ok := a.Provider(old.Source)
		if !ok || now.Version != old.Version {
			return false, nil
		}
		for _, h := range old.Hashes {
			if !slices.Contains(now.Hashes, h) {
				return false, nil
			}
		}
	}
	return true, nil
}
