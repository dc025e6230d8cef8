package store

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"sync"
	"sync/atomic"
)

// Archive is a blob store the Store keeps what is large and written once in, when the
// server has one (SetArchive): the saved plans (sealed, as in the database) and the logs of
// finished runs. Keys are '/'-separated relative paths under runs/. *state.AzureStore and
// *state.DirStore have it; Get of a missing key fails.
//
// Without an Archive, plans and logs stay in the database. With one, a plan is written to it
// when it is saved (TransitionRun) and a finished run's log when ArchiveRunLog is called; what
// the database held before stays readable there, so an Archive can be added to a store in use.
type Archive interface {
	Put(ctx context.Context, key string, data []byte) error
	Get(ctx context.Context, key string) ([]byte, error)
	Delete(ctx context.Context, key string) error
}

// archive holds the Store's Archive and a few decoded log archives: a finished run's page
// reads its log in pages of 1000 lines, and an archive never changes once written.
type archive struct {
	blobs atomic.Pointer[Archive]
	mu    sync.Mutex
	logs  map[string][]RunLogLine // logKey → archived lines, at most maxCachedLogs
}

const (
	maxCachedLogs = 8
	// maxLogArchiveBytes bounds a log archive as read back (uncompressed): a blob store
	// that returns something else than what was written must not exhaust the server.
	maxLogArchiveBytes = 512 << 20
)

// SetArchive makes a the Store's Archive (nil: none). Call it before the Store is used for
// runs; every server sharing the database must be given the same blob store, since a run's
// plan or log may be read by any of them.
func (s *Store) SetArchive(a Archive) {
	if a == nil {
		s.archive.blobs.Store(nil)
		return
	}
	s.archive.blobs.Store(&a)
}

func (s *Store) archiveBlobs() Archive {
	if p := s.archive.blobs.Load(); p != nil {
		return *p
	}
	return nil
}

func planKey(runID string) string     { return "runs/" + runID + "/plan" }
func planJSONKey(runID string) string { return "runs/" + runID + "/plan-json" }

// RunLogArchiveKey is the blob key of a run's log archive whose last line is last. Named by
// its last line, an archive is never replaced by another under the same name: a server that
// archived fewer lines, racing one that archived more, cannot overwrite the longer archive
// the run records.
func RunLogArchiveKey(runID string, last int) string {
	return "runs/" + runID + "/log-" + strconv.Itoa(last) + ".gz"
}

var errNoArchive = errors.New("it is kept in a blob store this server is not configured with (give it the same -state-blob-url as the others)")

// archivedPlan reads a run's sealed plan and its JSON from the Archive.
func (s *Store) archivedPlan(ctx context.Context, runID string) (plan, planJSON []byte, err error) {
	a := s.archiveBlobs()
	if a == nil {
		return nil, nil, errNoArchive
	}
	if plan, err = a.Get(ctx, planKey(runID)); err != nil {
		return nil, nil, fmt.Errorf("reading the saved plan from the blob store: %w", err)
	}
	if planJSON, err = a.Get(ctx, planJSONKey(runID)); err != nil {
		return nil, nil, fmt.Errorf("reading the plan's JSON from the blob store: %w", err)
	}
	return plan, planJSON, nil
}

// putPlan writes a run's sealed plan and its JSON to the Archive, when there is one, and
// reports whether it did.
func (s *Store) putPlan(ctx context.Context, runID string, plan, planJSON []byte) (bool, error) {
	a := s.archiveBlobs()
	if a == nil {
		return false, nil
	}
	if err := a.Put(ctx, planKey(runID), plan); err != nil {
		return false, fmt.Errorf("writing the saved plan to the blob store: %w", err)
	}
	if err := a.Put(ctx, planJSONKey(runID), planJSON); err != nil {
		return false, fmt.Errorf("writing the plan's JSON to the blob store: %w", err)
	}
	return true, nil
}

// dropPlan deletes what putPlan wrote for a run whose transition then failed; the blobs
// are keyed by the run, so one left behind is only overwritten later.
func (s *Store) dropPlan(ctx context.Context, runID string) {
	if a := s.archiveBlobs(); a != nil {
		a.Delete(context.WithoutCancel(ctx), planKey(runID))
		a.Delete(context.WithoutCancel(ctx), planJSONKey(runID))
	}
}

// A log archive is gzip over the lines in order, each its Seq and its length as unsigned
// varints and its bytes as stored: a line keeps every byte, valid UTF-8 or not.
func encodeLogArchive(lines []RunLogLine) ([]byte, error) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	var head [2 * binary.MaxVarintLen64]byte
	for _, l := range lines {
		n := binary.PutUvarint(head[:], uint64(l.Seq))
		n += binary.PutUvarint(head[n:], uint64(len(l.Text)))
		if _, err := zw.Write(head[:n]); err != nil {
			return nil, err
		}
		if _, err := io.WriteString(zw, l.Text); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func decodeLogArchive(data []byte) ([]RunLogLine, error) {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	r := bufio.NewReader(io.LimitReader(zr, maxLogArchiveBytes))
	var lines []RunLogLine
	for {
		seq, err := binary.ReadUvarint(r)
		if err == io.EOF {
			return lines, nil
		}
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", len(lines)+1, err)
		}
		n, err := binary.ReadUvarint(r)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", len(lines)+1, noEOF(err))
		}
		if n > MaxRunLogLineBytes || seq < 1 || seq > math.MaxInt32 {
			return nil, fmt.Errorf("line %d: sequence %d, length %d: not a line of a log", len(lines)+1, seq, n)
		}
		if len(lines) > 0 && int(seq) <= lines[len(lines)-1].Seq {
			return nil, fmt.Errorf("line %d: sequence %d does not follow %d", len(lines)+1, seq, lines[len(lines)-1].Seq)
		}
		text := make([]byte, n)
		if _, err := io.ReadFull(r, text); err != nil {
			return nil, fmt.Errorf("line %d: %w", len(lines)+1, noEOF(err))
		}
		lines = append(lines, RunLogLine{Seq: int(seq), Text: string(text)})
	}
}

func noEOF(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// archivedLog returns the lines of a run's log archive whose last line is last, from the
// cache when it holds them.
func (s *Store) archivedLog(ctx context.Context, runID string, last int) ([]RunLogLine, error) {
	key := RunLogArchiveKey(runID, last)
	s.archive.mu.Lock()
	lines, ok := s.archive.logs[key]
	s.archive.mu.Unlock()
	if ok {
		return lines, nil
	}
	a := s.archiveBlobs()
	if a == nil {
		return nil, fmt.Errorf("reading the log archive of run %s: %w", quote(runID), errNoArchive)
	}
	data, err := a.Get(ctx, key)
	if err != nil {
		return nil, fmt.Errorf("reading the log archive of run %s from the blob store: %w", quote(runID), err)
	}
	if lines, err = decodeLogArchive(data); err != nil {
		return nil, fmt.Errorf("reading the log archive of run %s: %w", quote(runID), err)
	}
	if len(lines) == 0 || lines[len(lines)-1].Seq != last {
		return nil, fmt.Errorf("reading the log archive of run %s: it does not end at line %d", quote(runID), last)
	}
	s.archive.mu.Lock()
	if s.archive.logs == nil || len(s.archive.logs) >= maxCachedLogs {
		s.archive.logs = map[string][]RunLogLine{}
	}
	s.archive.logs[key] = lines
	s.archive.mu.Unlock()
	return lines, nil
}

// RunLogsToArchive lists, oldest first and at most limit, the runs whose log ArchiveRunLog
// would move to the Archive: finished, their log closed, with lines in the database. It is
// empty without an Archive.
func (s *Store) RunLogsToArchive(ctx context.Context, limit int) ([]string, error) {
	if s.archiveBlobs() == nil {
		return nil, nil
	}
	if limit <= 0 {
		limit = noLimit
	}
	args := []any{}
	in := ""
	for st := range runTransitions {
		if in != "" {
			in += ", "
		}
		in += "?"
		args = append(args, string(st))
	}
	args = append(args, limit)
	rows, err := s.db.QueryContext(ctx, `SELECT r.id FROM runs r WHERE r.state NOT IN (`+in+`) AND r.log_open = 0
		AND EXISTS (SELECT 1 FROM run_log_lines l WHERE l.run_id = r.id) ORDER BY r.seq LIMIT ?`, args...)
	if err != nil {
		return nil, fmt.Errorf("listing run logs to archive: %w", err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("listing run logs to archive: %w", err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("listing run logs to archive: %w", err)
	}
	return ids, nil
}

// ArchiveRunLog moves the log of a finished run whose log is closed from the database to
// the Archive, and reports whether it moved any line: the archive is written first (with
// every line the run has, those of an earlier archive included), then the run records it
// and its lines leave the database, in one transaction. RunLog and the other readers give
// the same lines before and after. Servers racing to archive the same run write the same
// blob, and one of them records it. A run not finished, or whose log is open, is
// ErrConflict; without an Archive nothing moves.
func (s *Store) ArchiveRunLog(ctx context.Context, runID string) (bool, error) {
	fail := func(err error) (bool, error) {
		return false, fmt.Errorf("archiving the log of run %s: %w", quote(runID), err)
	}
	a := s.archiveBlobs()
	if a == nil {
		return false, nil
	}
	var state string
	var open bool
	var archived int
	err := s.db.QueryRowContext(ctx, `SELECT state, log_open <> 0, log_archive_seq FROM runs WHERE id = ?`, runID).Scan(&state, &open, &archived)
	if errors.Is(err, sql.ErrNoRows) {
		err = errorf(ErrNotFound, err, "no such run")
	}
	if err != nil {
		return fail(err)
	}
	if !RunState(state).Done() || open {
		return fail(errorf(ErrConflict, nil, "the run is %s and its log may still grow", state))
	}
	fresh, err := s.tableLog(ctx, runID, 0, noLimit)
	if err != nil {
		return fail(err)
	}
	if len(fresh) == 0 {
		return false, nil
	}
	lines := fresh
	if archived > 0 {
		old, err := s.archivedLog(ctx, runID, archived)
		if err != nil {
			return fail(err)
		}
		lines = mergeLog(old, fresh)
	}
	data, err := encodeLogArchive(lines)
	if err != nil {
		return fail(err)
	}
	last := lines[len(lines)-1].Seq
	if err := a.Put(ctx, RunLogArchiveKey(runID, last), data); err != nil {
		return fail(fmt.Errorf("writing the archive to the blob store: %w", err))
	}
	var recorded int
	err = s.inTx(ctx, func(tx *txn) error {
		if _, err := tx.ExecContext(ctx, `UPDATE runs SET log_archive_seq = ? WHERE id = ? AND log_archive_seq < ?`, last, runID, last); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `SELECT log_archive_seq FROM runs WHERE id = ?`, runID).Scan(&recorded); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM run_log_lines WHERE run_id = ? AND seq <= ?`, runID, last)
		return err
	})
	if err != nil {
		return fail(err)
	}
	// A longer archive recorded meanwhile by another server wins; this one is read by
	// nobody. (An archive this one replaces is left in place: a reader may still be on its
	// way to it.)
	if recorded > last {
		a.Delete(ctx, RunLogArchiveKey(runID, last))
	}
	return true, nil
}

// mergeLog returns the lines of old and fresh by Seq, a Seq in both once (fresh's).
func mergeLog(old, fresh []RunLogLine) []RunLogLine {
	out := make([]RunLogLine, 0, len(old)+len(fresh))
	i, j := 0, 0
	for i < len(old) || j < len(fresh) {
		switch {
		case j == len(fresh) || i < len(old) && old[i].Seq < fresh[j].Seq:
			out = append(out, old[i])
			i++
		case i == len(old) || fresh[j].Seq < old[i].Seq:
			out = append(out, fresh[j])
			j++
		default:
			out = append(out, fresh[j])
			i, j = i+1, j+1
		}
	}
	return out
}

// linesAfter returns at most limit of lines after afterSeq (all when limit <= 0).
func linesAfter(lines []RunLogLine, afterSeq, limit int) []RunLogLine {
	i := 0
	for i < len(lines) && lines[i].Seq <= afterSeq {
		i++
	}
	lines = lines[i:]
	if limit > 0 && len(lines) > limit {
		lines = lines[:limit]
	}
	return lines
}
