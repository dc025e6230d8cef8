package runview_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cloudoven/cloudoven/catalog"
	"github.com/cloudoven/cloudoven/runner"
	"github.com/cloudoven/cloudoven/runs"
	"github.com/cloudoven/cloudoven/store"
	"github.com/cloudoven/cloudoven/web"
	"github.com/cloudoven/cloudoven/web/paths"
	"github.com/cloudoven/cloudoven/web/webtest"
)

// signalExecutor stands in for Docker: its plan writes each line sent on lines, and reports
// the moment it wrote it on wrote, until the run is canceled.
type signalExecutor struct {
	started chan struct{}
	lines   chan string
	wrote   chan time.Time
}

func (f *signalExecutor) Run(ctx context.Context, job runner.Job, out io.Writer) (runner.Result, error) {
	close(f.started)
	for {
		select {
		case line := <-f.lines:
			t := time.Now()
			if _, err := io.WriteString(out, line+"\n"); err != nil {
				return runner.Result{}, err
			}
			f.wrote <- t
		case <-ctx.Done():
			return runner.Result{}, ctx.Err()
		}
	}
}

// BenchmarkRunLogSSELatency measures a run's live log end to end: from the moment an
// executor writes a line to the moment a signed-in client following the run's event stream
// over real HTTP has read that line's event. The path is the real one: the run service's
// output writer, the Hub (which stores each batch in SQLite before fanning it out), the SSE
// handler and its flush. Lines are sent one at a time, each after the previous one arrived,
// so the numbers are latency, not throughput.
func BenchmarkRunLogSSELatency(b *testing.B) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(b.TempDir(), "cloudoven.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	cat := webtest.Catalog(b)
	if _, err := st.CreateProject(ctx, "team", ""); err != nil {
		b.Fatal(err)
	}
	if _, _, err := st.CreateBlueprint(ctx, "team", "demo", "", []byte(webtest.ValidDoc), ""); err != nil {
		b.Fatal(err)
	}
	if _, err := st.CreateEnvironment(ctx, "team", "dev", []byte(`{"format": 1, "name": "dev", "backend": {"type": "http"}}`)); err != nil {
		b.Fatal(err)
	}
	d, err := st.CreateDeployment(ctx, "team", "demo", 1, "dev", "")
	if err != nil {
		b.Fatal(err)
	}

	exec := &signalExecutor{started: make(chan struct{}), lines: make(chan string), wrote: make(chan time.Time, 1)}
	quiet := slog.New(slog.DiscardHandler)
	hub := runs.NewHub(st, quiet)
	svc := runs.New(runs.Options{
		Store: st, Executor: exec, Hub: hub, Logger: quiet,
		Prepare: runs.NewPreparer(st, func() *catalog.Catalog { return cat }, nil),
		Sealer:  webtest.SecretBox(b),
	})
	runCtx, cancel := context.WithCancel(ctx)
	if err := svc.Start(runCtx); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { cancel(); svc.Wait() })
	h, err := web.New(web.Config{Store: st, Catalog: cat, Logger: quiet, PasswordParams: webtest.CheapParams, Runs: svc, RunLogs: hub})
	if err != nil {
		b.Fatal(err)
	}
	ses := webtest.SignIn(b, h, st, "admin", true)
	srv := httptest.NewServer(h)
	b.Cleanup(srv.Close)

	run, err := svc.Plan(ctx, "team", d.ID, "admin", false)
	if err != nil {
		b.Fatal(err)
	}
	select {
	case <-exec.started:
	case <-time.After(30 * time.Second):
		b.Fatal("the executor was not called within 30s")
	}
	req, err := http.NewRequest(http.MethodGet, srv.URL+paths.RunLog("team", run.ID)+"?after=0", nil)
	if err != nil {
		b.Fatal(err)
	}
	ses.Apply(req)
	resp, err := srv.Client().Do(req)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { resp.Body.Close() })
	if resp.StatusCode != http.StatusOK {
		b.Fatalf("the event stream answers %s", resp.Status)
	}
	sc := bufio.NewScanner(resp.Body)
	// awaitLine reads the stream up to the line event whose data holds marker.
	awaitLine := func(marker string) {
		event := ""
		for sc.Scan() {
			switch line := sc.Text(); {
			case strings.HasPrefix(line, "event: "):
				event = strings.TrimPrefix(line, "event: ")
			case event == "line" && strings.HasPrefix(line, "data: ") && strings.Contains(line, marker):
				return
			case line == "":
				event = ""
			}
		}
		b.Fatalf("the stream ended before %s arrived: %v", marker, sc.Err())
	}

	latencies := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		marker := fmt.Sprintf("bench-line-%d.", i)
		exec.lines <- marker
		awaitLine(marker)
		got := time.Now()
		latencies = append(latencies, got.Sub(<-exec.wrote))
	}
	b.StopTimer()
	slices.Sort(latencies)
	quantile := func(q float64) float64 {
		return float64(latencies[int(q*float64(len(latencies)-1))]) / float64(time.Microsecond)
	}
	b.ReportMetric(quantile(0.50), "p50-µs")
	b.ReportMetric(quantile(0.99), "p99-µs")
}
