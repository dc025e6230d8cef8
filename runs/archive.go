package runs

import (
	"context"
	"time"
)

// logArchiver is what a Store may also do: move the logs of finished runs to a blob store
// (store.Store.SetArchive). *store.Store has it; without a blob store it moves nothing.
type logArchiver interface {
	RunLogsToArchive(ctx context.Context, limit int) ([]string, error)
	ArchiveRunLog(ctx context.Context, runID string) (bool, error)
}

// archiveEvery is how often a server looks for finished runs whose log is still in the
// database: those that ended on another server, by a user's discard, or while the blob
// store was down. A stage that ends here is archived at once.
const archiveEvery = 30 * time.Second

// archiveBatch bounds one look, so a large backlog (a blob store added to a database in
// use) moves a little at a time and never holds the loop long.
const archiveBatch = 50

// archiveLoop moves finished runs' logs to the blob store whenever woken and every
// archiveEvery, until ctx ends. Servers sharing a database may move the same log at once:
// they write the same blob and the store records it once.
func (s *Service) archiveLoop(ctx context.Context, a logArchiver) {
	defer s.wg.Done()
	t := time.NewTicker(archiveEvery)
	defer t.Stop()
	for {
		for ctx.Err() == nil {
			if s.archiveLogs(ctx, a) < archiveBatch {
				break // a full batch may have more behind it
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-s.archiveWake:
		case <-t.C:
		}
	}
}

// archiveLogs moves up to archiveBatch logs and returns how many it looked at.
func (s *Service) archiveLogs(ctx context.Context, a logArchiver) int {
	ids, err := a.RunLogsToArchive(ctx, archiveBatch)
	if err != nil {
		if ctx.Err() == nil {
			s.log.Error("listing run logs to archive", "err", err)
		}
		return 0
	}
	for _, id := range ids {
		if _, err := a.ArchiveRunLog(ctx, id); err != nil {
			if ctx.Err() == nil {
				// Kept in the database, and tried again at the next look.
				s.log.Error("archiving a run's log to the blob store", "run", id, "err", err)
			}
			return 0
		}
	}
	return len(ids)
}

// wakeArchiver asks the archiver to look now: a stage ended here.
func (s *Service) wakeArchiver() {
	select {
	case s.archiveWake <- struct{}{}:
	default:
	}
}
