package runner

import (
	"archive/tar"
	"context"
	"io"
	"time"

	"github.com/cloudoven/cloudoven/runner/stage"
)

// How often the executor looks at the stage driver's status file while its container
// runs: often just after a step started, since the next may follow soon (a show after its
// plan, a check after an init that had nothing to install), less and less often while a
// step goes on, down to stageWatchSlowest.
const (
	stageWatchFastest = 100 * time.Millisecond
	stageWatchSlowest = 2 * time.Second
)

// watchSteps tells Job.Started of each step the stage driver of container id starts, as
// its status file says, until stop is closed. The driver rewrites the file before each
// step, so the file's modification time is when that step started. Step 0 is reported
// before the container starts; a step that came and went between two looks is not
// reported. Failures to look are not the job's: the next look may succeed, and the end of
// the job says where it ended.
func (e *execution) watchSteps(ctx context.Context, id string, stop <-chan struct{}) {
	interval := stageWatchFastest
	timer := time.NewTimer(interval)
	defer timer.Stop()
	last, seen := 0, time.Time{}
	for {
		select {
		case <-stop:
			return
		case <-ctx.Done():
			return
		case <-timer.C:
		}
		interval = min(interval*3/2, stageWatchSlowest)
		if st, at, ok := e.stageStatus(ctx, id); ok && at.After(seen) {
			seen = at
			if st.ExitCode == nil && st.Step > last {
				last = st.Step
				e.job.Started(st.Step, at)
				interval = stageWatchFastest
			}
		}
		timer.Reset(interval)
	}
}

// stageStatus reads the driver's status file from the running container, with its
// modification time.
func (e *execution) stageStatus(ctx context.Context, id string) (stage.Status, time.Time, bool) {
	rc, stat, err := e.d.cli.CopyFromContainer(ctx, id, workdir+"/"+stage.StatusFile)
	if err != nil {
		return stage.Status{}, time.Time{}, false
	}
	defer rc.Close()
	tr := tar.NewReader(rc)
	hdr, err := tr.Next()
	if err != nil || hdr.Typeflag != tar.TypeReg || hdr.Size > maxStatus {
		return stage.Status{}, time.Time{}, false
	}
	data, err := io.ReadAll(io.LimitReader(tr, maxStatus))
	if err != nil {
		return stage.Status{}, time.Time{}, false
	}
	st, err := stage.ParseStatus(data, len(e.job.Steps))
	if err != nil {
		return stage.Status{}, time.Time{}, false
	}
	return st, stat.Mtime, true
}
