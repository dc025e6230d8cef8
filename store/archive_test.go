package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// memArchive is an Archive in memory, for the store's own tests; the server's real blob
// stores (a directory, Azure Blob Storage through Azurite) are tested with it in the runs
// and state packages.
type memArchive struct {
	mu    sync.Mutex
	blobs map[string][]byte
	fail  error // Put fails with it when set
}

func (m *memArchive) Put(_ context.Context, key string, data []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail != nil {
		return m.fail
	}
	if m.blobs == nil {
		m.blobs = map[string][]byte{}
	}
	m.blobs[key] = bytes.Clone(data)
	return nil
}

func (m *memArchive) Get(_ context.Context, key string) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	b, ok := m.blobs[key]
	if !ok {
		return nil, fmt.Errorf("%s: blob not found", key)
	}
	return bytes.Clone(b), nil
}

func (m *memArchive) Delete(_ context.Context, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.blobs, key)
	return nil
}

func (m *memArchive) keys() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	var ks []string
	for k := range m.blobs {
		ks = append(ks, k)
	}
	return ks
}

func planRun(t *testing.T, s *Store, id string, plan string) {
	t.Helper()
	ctx := t.Context()
	if _, err := s.TransitionRun(ctx, id, RunTransition{To: RunRunning}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.TransitionRun(ctx, id, RunTransition{To: RunPlanned, Plan: []byte(plan), PlanJSON: []byte(plan + " json"),
		Summary: []byte(`{"add":1}`), PlanSealed: true}); err != nil {
		t.Fatal(err)
	}
}

func TestArchivedPlan(t *testing.T) {
	t.Parallel()
	s, dep := newRunnable(t)
	ctx := t.Context()
	createRun(t, s, dep, "in-db")
	planRun(t, s, "in-db", "sealed before")

	a := &memArchive{}
	s.SetArchive(a)
	createRun(t, s, dep, "in-blobs")
	planRun(t, s, "in-blobs", "sealed after")

	var inDB int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM runs WHERE id = 'in-blobs' AND plan IS NULL AND plan_json IS NULL AND plan_archived = 1`).Scan(&inDB); err != nil || inDB != 1 {
		t.Errorf("the plan saved with an archive is in the database (%d, %v): want it only in the blob store", inDB, err)
	}
	if got := string(a.blobs["runs/in-blobs/plan"]); got != "sealed after" {
		t.Errorf("blob runs/in-blobs/plan = %q", got)
	}
	for id, want := range map[string]string{"in-db": "sealed before", "in-blobs": "sealed after"} {
		plan, planJSON, err := s.RunPlan(ctx, id)
		if err != nil || string(plan) != want || string(planJSON) != want+" json" {
			t.Errorf("RunPlan(%s) = %q, %q, %v; want %q", id, plan, planJSON, err, want)
		}
	}

	// A server on the same database without the blob store says where the plan is.
	s.SetArchive(nil)
	if _, _, err := s.RunPlan(ctx, "in-blobs"); err == nil || !strings.Contains(err.Error(), "blob store") {
		t.Errorf("RunPlan without the archive: %v, want an error naming the blob store", err)
	}
	s.SetArchive(a)

	// A plan the blob store refuses is not saved, and the run stays where it was.
	createRun(t, s, dep, "refused")
	if _, err := s.TransitionRun(ctx, "refused", RunTransition{To: RunRunning}); err != nil {
		t.Fatal(err)
	}
	a.fail = errors.New("the storage account is unreachable")
	_, err := s.TransitionRun(ctx, "refused", RunTransition{To: RunPlanned, Plan: []byte("p"), PlanJSON: []byte("j"), Summary: []byte("{}"), PlanSealed: true})
	if err == nil || !strings.Contains(err.Error(), "unreachable") {
		t.Errorf("planned with the blob store down: %v, want its error", err)
	}
	if r, _ := s.Run(ctx, "refused"); r.State != RunRunning {
		t.Errorf("after the refused plan the run is %s, want running", r.State)
	}
	a.fail = nil

	// A transition that loses its race takes its blobs back.
	if _, err := s.TransitionRun(ctx, "refused", RunTransition{To: RunCanceled, By: "ada"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.TransitionRun(ctx, "refused", RunTransition{To: RunPlanned, Plan: []byte("p"), PlanJSON: []byte("j"), Summary: []byte("{}"), PlanSealed: true}); !errors.Is(err, ErrConflict) {
		t.Errorf("planned after canceled: %v, want ErrConflict", err)
	}
	for _, k := range a.keys() {
		if strings.HasPrefix(k, "runs/refused/") {
			t.Errorf("blob %s left behind by a refused transition", k)
		}
	}

	// A lost secret key takes the sealed plans it sealed, in the blob store too.
	if _, err := s.ForgetSealed(ctx, strings.Repeat("b", 64), "ada"); err != nil {
		t.Fatal(err)
	}
	if ks := a.keys(); len(ks) != 0 {
		t.Errorf("after ForgetSealed the blob store holds %v", ks)
	}
}

func finishRun(t *testing.T, s *Store, id string) {
	t.Helper()
	ctx := t.Context()
	if _, err := s.TransitionRun(ctx, id, RunTransition{To: RunRunning}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.TransitionRun(ctx, id, RunTransition{To: RunErrored, Error: "x"}); err != nil {
		t.Fatal(err)
	}
}

func TestArchiveRunLog(t *testing.T) {
	t.Parallel()
	s, dep := newRunnable(t)
	ctx := t.Context()
	a := &memArchive{}
	s.SetArchive(a)
	createRun(t, s, dep, "run-1")
	createRun(t, s, dep, "run-2")
	lines := []RunLogLine{{1, "one"}, {2, "two"}, {3, ""}, {4, "tab\there, bytes \xff\x00 too"}, {5, "five"}}
	if err := s.AppendRunLog(ctx, "run-1", lines); err != nil {
		t.Fatal(err)
	}
	if testDialect == "postgres" {
		lines[3].Text = "tab\there, bytes \uFFFD\uFFFD too" // what PostgreSQL's text keeps
	}
	if _, err := s.ArchiveRunLog(ctx, "run-1"); !errors.Is(err, ErrConflict) {
		t.Errorf("archiving a queued run's log: %v, want ErrConflict", err)
	}
	finishRun(t, s, "run-1")
	finishRun(t, s, "run-2")
	if _, err := s.ArchiveRunLog(ctx, "run-1"); !errors.Is(err, ErrConflict) {
		t.Errorf("archiving an open log: %v, want ErrConflict", err)
	}
	for _, id := range []string{"run-1", "run-2"} {
		if err := s.SetRunLogOpen(ctx, id, false); err != nil {
			t.Fatal(err)
		}
	}
	ids, err := s.RunLogsToArchive(ctx, 0)
	if err != nil || !cmp.Equal(ids, []string{"run-1"}) {
		t.Errorf("RunLogsToArchive = %v, %v; want [run-1] (run-2 has no lines)", ids, err)
	}
	if moved, err := s.ArchiveRunLog(ctx, "run-1"); err != nil || !moved {
		t.Fatalf("ArchiveRunLog = %v, %v", moved, err)
	}
	if moved, err := s.ArchiveRunLog(ctx, "run-2"); err != nil || moved {
		t.Errorf("ArchiveRunLog of a run without lines = %v, %v; want nothing moved", moved, err)
	}
	var left int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM run_log_lines WHERE run_id = 'run-1'`).Scan(&left); err != nil || left != 0 {
		t.Errorf("%d lines left in the database (%v)", left, err)
	}
	if ids, err := s.RunLogsToArchive(ctx, 0); err != nil || len(ids) != 0 {
		t.Errorf("RunLogsToArchive after = %v, %v", ids, err)
	}
	checkLog := func(when string, want []RunLogLine) {
		t.Helper()
		got, err := s.RunLog(ctx, "run-1", 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s: RunLog (-want +got):\n%s", when, diff)
		}
		if got, err := s.RunLog(ctx, "run-1", 1, 2); err != nil || !cmp.Equal(got, want[1:3]) {
			t.Errorf("%s: RunLog after 1, 2 lines = %v, %v", when, got, err)
		}
		if got, err := s.RunLog(ctx, "run-1", want[len(want)-1].Seq, 0); err != nil || len(got) != 0 {
			t.Errorf("%s: RunLog after the last = %v, %v", when, got, err)
		}
		last, err := s.LastRunLogSeq(ctx, "run-1")
		if err != nil || last != want[len(want)-1].Seq {
			t.Errorf("%s: LastRunLogSeq = %d, %v", when, last, err)
		}
		for text, seq := range map[string]int{"two": 2, "": 3, "five": 5, "absent": 0} {
			if got, err := s.RunLogSeqOf(ctx, "run-1", text); err != nil || got != seq {
				t.Errorf("%s: RunLogSeqOf(%q) = %d, %v; want %d", when, text, got, err, seq)
			}
		}
	}
	checkLog("archived", lines)

	// A line stored after the archive (a late writer) is read with it, and the next
	// archive takes it too.
	if err := s.AppendRunLog(ctx, "run-1", []RunLogLine{{6, "late"}}); err != nil {
		t.Fatal(err)
	}
	lines = append(lines, RunLogLine{6, "late"})
	checkLog("a line after the archive", lines)
	if moved, err := s.ArchiveRunLog(ctx, "run-1"); err != nil || !moved {
		t.Fatalf("ArchiveRunLog again = %v, %v", moved, err)
	}
	checkLog("archived twice", lines)
	// A server that archived fewer lines and writes late writes under its own name: the
	// archive the run records is not touched.
	a.Put(ctx, RunLogArchiveKey("run-1", 5), []byte("a shorter archive, written late"))
	checkLog("a shorter archive written late", lines)

	// A blob store that gives back something else is an error, not lines.
	a.Put(ctx, RunLogArchiveKey("run-1", 6), []byte("not gzip"))
	s.archive.mu.Lock()
	s.archive.logs = nil
	s.archive.mu.Unlock()
	if _, err := s.RunLog(ctx, "run-1", 0, 0); err == nil {
		t.Error("RunLog of a damaged archive: no error")
	}
	s.SetArchive(nil)
	if _, err := s.RunLog(ctx, "run-1", 0, 0); err == nil || !strings.Contains(err.Error(), "blob store") {
		t.Errorf("RunLog of an archived log without the blob store: %v", err)
	}
	if ids, err := s.RunLogsToArchive(ctx, 0); err != nil || ids != nil {
		t.Errorf("RunLogsToArchive without a blob store = %v, %v", ids, err)
	}
}

func TestLogArchiveRoundTrip(t *testing.T) {
	t.Parallel()
	lines := []RunLogLine{{1, ""}, {2, strings.Repeat("x", MaxRunLogLineBytes)}, {7, "\x00\xff\n\r"}}
	data, err := encodeLogArchive(lines)
	if err != nil {
		t.Fatal(err)
	}
	got, err := decodeLogArchive(data)
	if err != nil || !cmp.Equal(got, lines) {
		t.Errorf("round trip = %d lines, %v", len(got), err)
	}
	for _, bad := range [][]RunLogLine{{{2, "a"}, {2, "b"}}, {{3, "a"}, {1, "b"}}, {{0, "a"}}} {
		data, _ := encodeLogArchive(bad)
		if _, err := decodeLogArchive(data); err == nil {
			t.Errorf("decoding %v: no error", bad)
		}
	}
	if _, err := decodeLogArchive(data[:len(data)/2]); err == nil {
		t.Error("decoding a truncated archive: no error")
	}
}
