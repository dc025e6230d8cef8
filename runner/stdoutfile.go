package runner

import (
	"bytes"
	"fmt"
	"io"

	"github.com/cloudoven/cloudoven/runner/stage"
)

// A step's stdout may go to a workspace file instead of the output (Job.StdoutFiles). The
// stage driver writes it in the container; the executors that run steps one by one (local,
// and Docker with an image without the driver) write it here, with the same limit and the
// same words when it is passed.

// cappedWriter passes at most left bytes to w and swallows the rest, so terraform never
// blocks on a full pipe; over says something was swallowed, err the first write error.
type cappedWriter struct {
	w    io.Writer
	left int64
	over bool
	err  error
}

func (c *cappedWriter) Write(p []byte) (int, error) {
	n := len(p)
	if int64(len(p)) > c.left {
		p = p[:c.left]
		c.over = true
	}
	if len(p) > 0 && c.err == nil {
		if _, err := c.w.Write(p); err != nil {
			c.err = err
		}
		c.left -= int64(len(p))
	}
	return n, nil
}

// capture holds a Docker step's stdout bound for a workspace file.
type capture struct {
	buf bytes.Buffer
	cappedWriter
}

func newCapture() *capture {
	c := &capture{}
	c.reset()
	return c
}

// reset empties the capture, for the stream to be read again from its start.
func (c *capture) reset() {
	if c == nil {
		return
	}
	c.buf.Reset()
	c.cappedWriter = cappedWriter{w: &c.buf, left: stage.MaxStdoutFile}
}

// stdoutFileTooLong is the line saying a step wrote more than a stdout file may hold; the
// step then ends the job with exit code 1.
func stdoutFileTooLong(i int, name string) string {
	return fmt.Sprintf("cloudoven: step %d wrote more than %d MiB to %s: the rest was left out", i+1, stage.MaxStdoutFile>>20, name)
}
