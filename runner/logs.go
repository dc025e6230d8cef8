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
	rc, err := cli.ContainerLogs(ctx, id, container.LogsOptions{ShowStdout: true, ShowStderr: true, Follow: true})
	if err != nil {
		return err
	}
	defer rc.Close()
	stdout, stderr := &lineWriter{out: out}, &lineWriter{out: out}
	_, err = stdcopy.StdCopy(stdout, stderr, rc)
	stdout.flush()
	stderr.flush()
	return err
}

// lineWriter passes whole lines to out, one Write per line, newline included. Each stream
// has its own, so a partial line on stderr never splices into one on stdout. A failing out
// is not the job's failure: its errors are dropped and the stream still drained.
type lineWriter struct {
	out io.Writer
	buf []byte
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
	_, _ = w.out.Write(line)
	w.buf = w.buf[:0]
}

// flush passes on a last line that had no newline.
func (w *lineWriter) flush() {
	if len(w.buf) > 0 {
		w.emit(append(w.buf, '\n'))
	}
}
