package runner

import (
	"bytes"
	"context"
	"io"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/client"
	"github.com/docker/docker/pkg/stdcopy"
)

// maxLine bounds a line held back waiting for its newline; a longer one is passed on in
// pieces.
const maxLine = 1 << 20

// streamLogs follows a container's stdout and stderr until it exits and writes them to out
// line by line. The daemon keeps the two streams in the order they were written, and
// following from the start (no Since) loses nothing written before the stream opened.
func streamLogs(ctx context.Context, cli *client.Client, id string, out io.Writer) error {
	_, err := readLogs(ctx, cli, id, out, true, linesPassed{}, nil)
	return err
}

// linesPassed counts the whole lines a log reader has passed on, per stream.
type linesPassed struct{ stdout, stderr int }

// readLogs writes a container's output to out line by line, following it until the
// container exits when follow is set, and leaving out the first lines of each stream that
// skip counts (those a reader before it passed on). When ctx ends first, a partial last
// line is held back, not passed on as if whole, so that a later reader that skips what this
// one passed gives it complete. With a capture, stdout goes there, bytes as they are,
// instead of to out.
func readLogs(ctx context.Context, cli *client.Client, id string, out io.Writer, follow bool, skip linesPassed, capture *capture) (linesPassed, error) {
	rc, err := cli.ContainerLogs(ctx, id, container.LogsOptions{ShowStdout: true, ShowStderr: true, Follow: follow})
	if err != nil {
		return skip, err
	}
	defer rc.Close()
	stdout := &lineWriter{out: out, skip: skip.stdout}
	stderr := &lineWriter{out: out, skip: skip.stderr}
	var stdoutW io.Writer = stdout
	if capture != nil {
		stdoutW = capture
	}
	_, err = stdcopy.StdCopy(stdoutW, stderr, rc)
	if ctx.Err() == nil {
		stdout.flush()
		stderr.flush()
	}
	return linesPassed{stdout: stdout.lines, stderr: stderr.lines}, err
}

// lineWriter passes whole lines to out, one Write per line, newline included. Each stream
// has its own, so a partial line on stderr never splices into one on stdout. A failing out
// is not the job's failure: its errors are dropped and the stream still drained.
type lineWriter struct {
	out   io.Writer
	buf   []byte
	skip  int // lines still to leave out
	lines int // lines seen, those left out included
}

func (w *lineWriter) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			w.buf = append(w.buf, p...)
			if len(w.buf) >= maxLine {
				w.emit(append(w.buf, '\n'))
			}
			break
		}
		if len(w.buf) == 0 {
			w.emit(p[:i+1])
		} else {
			w.emit(append(w.buf, p[:i+1]...))
		}
		p = p[i+1:]
	}
	return n, nil
}

func (w *lineWriter) emit(line []byte) {
	w.lines++
	if w.skip > 0 {
		w.skip--
	} else {
		_, _ = w.out.Write(line)
	}
	w.buf = w.buf[:0]
}

// flush passes on a last line that had no newline.
func (w *lineWriter) flush() {
	if len(w.buf) > 0 {
		w.emit(append(w.buf, '\n'))
	}
}
