package runs

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/cloudoven/cloudoven/store"
)

// BenchmarkHubLineLatency is the time from a line of terraform's output reaching the hub to
// a follower (what the run page's SSE stream reads) receiving it: the line is stored in
// SQLite first, so the number includes the write. ns/op is per line; the p50/p99 metrics are
// the same lines' latencies.
func BenchmarkHubLineLatency(b *testing.B) {
	ctx := context.Background()
	s, err := store.Open(ctx, filepath.Join(b.TempDir(), "cloudoven.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	if _, err := s.CreateProject(ctx, "team", ""); err != nil {
		b.Fatal(err)
	}
	if _, _, err := s.CreateBlueprint(ctx, "team", "app", "", []byte(`{"format":1}`), ""); err != nil {
		b.Fatal(err)
	}
	if _, err := s.CreateEnvironment(ctx, "team", "dev", nil); err != nil {
		b.Fatal(err)
	}
	d, err := s.CreateDeployment(ctx, "team", "app", 1, "dev", "")
	if err != nil {
		b.Fatal(err)
	}
	if _, err := s.CreateRun(ctx, store.Run{ID: "bench", DeploymentID: d.ID, Operation: store.RunOpPlan, BlueprintVersion: 1}); err != nil {
		b.Fatal(err)
	}
	h := NewHub(s, nil)
	if err := h.Open(ctx, "bench"); err != nil {
		b.Fatal(err)
	}
	ch, err := h.Subscribe(ctx, "bench", 0)
	if err != nil {
		b.Fatal(err)
	}
	var lat []time.Duration
	for b.Loop() {
		start := time.Now()
		h.Append("bench", "terraform_data.r1: Creating...")
		if _, ok := <-ch; !ok {
			b.Fatal("the stream ended")
		}
		lat = append(lat, time.Since(start))
	}
	if len(lat) > 0 {
		slices.Sort(lat)
		b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
		b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
	}
}
