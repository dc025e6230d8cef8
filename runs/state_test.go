package runs

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cloudoven/cloudoven/store"
)

// TestRunWithoutKeptStateIsRefusedWhenItStarts: a Service without Options.State queues a
// plan or destroy of a deployment whose environment has a local backend (or its environment
// changed while the run waited); the stage refuses it before the executor sees anything,
// with the reason in the run's error and log.
func TestRunWithoutKeptStateIsRefusedWhenItStarts(t *testing.T) {
	t.Parallel()
	loadFixtures(t)
	ctx := t.Context()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "cloudoven.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.CreateProject(ctx, "team", ""); err != nil {
		t.Fatal(err)
	}
	if _, _, err := st.CreateBlueprint(ctx, "team", "app", "", []byte(dockerDoc), ""); err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateEnvironment(ctx, "team", "dev", []byte(`{"format": 1, "name": "dev", "backend": {"type": "local"}}`)); err != nil {
		t.Fatal(err)
	}
	d, err := st.CreateDeployment(ctx, "team", "app", 1, "dev", "")
	if err != nil {
		t.Fatal(err)
	}
	exec := newFakeExecutor(false)
	svc := New(Options{Sealer: newSealer(t), Store: st, Executor: exec, Hub: NewHub(st, nil), Prepare: NewPreparer(st, embeddedCatalog, nil)})
	runCtx, cancel := context.WithCancel(context.Background())
	t.Cleanup(func() { cancel(); svc.Wait() })
	if err := svc.Start(runCtx); err != nil {
		t.Fatal(err)
	}
	for _, destroy := range []bool{false, true} {
		r, err := svc.Plan(ctx, "team", d.ID, "alice", destroy)
		if err != nil {
			t.Fatalf("destroy %t: without Options.State, Plan queues: %v", destroy, err)
		}
		r = waitState(t, st, r.ID, store.RunErrored)
		if !strings.Contains(r.Error, "has a local backend") || !strings.Contains(r.Error, "removed when the run ends") {
			t.Errorf("destroy %t: the run's error does not say why: %q", destroy, r.Error)
		}
		if jobs := exec.jobsOf(r.ID); len(jobs) != 0 {
			t.Errorf("destroy %t: the refused run reached the executor: %d jobs", destroy, len(jobs))
		}
		lines, err := st.RunLog(ctx, r.ID, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(lines) == 0 || !strings.Contains(lines[len(lines)-1].Text, "has a local backend") {
			t.Errorf("destroy %t: the log does not say why the run was refused: %v", destroy, lines)
		}
	}
}
