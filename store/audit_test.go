package store

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestRepeatedAuditShareARowPerWindow(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := t.Context()
	start := time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)
	refused := func(at time.Time, key string) {
		t.Helper()
		e := AuditEntry{At: at, User: "ann", Action: "signin.refused", Target: "ann", Detail: "too many failed sign-ins from 192.0.2.7"}
		if err := s.RecordRepeatedAudit(ctx, e, key, 15*time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 5 {
		refused(start.Add(time.Duration(i)*time.Minute), "ann|192.0.2.7")
	}
	refused(start.Add(2*time.Minute), "bob|192.0.2.7")
	if err := s.RecordAudit(ctx, AuditEntry{At: start, User: "ann", Action: "signin"}); err != nil {
		t.Fatal(err)
	}
	refused(start.Add(15*time.Minute), "ann|192.0.2.7") // the window is over: a new row

	es, err := s.AuditLog(ctx, "", 10)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range es {
		last := ""
		if !e.Last.IsZero() {
			last = e.Last.Sub(start).String()
		}
		got = append(got, fmt.Sprintf("%s %s ×%d %s", e.Action, e.At.Sub(start), e.Count, last))
	}
	want := []string{"signin.refused 15m0s ×1 ", "signin 0s ×1 ", "signin.refused 2m0s ×1 ", "signin.refused 0s ×5 4m0s"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("audit log (-want +got):\n%s", diff)
	}
}
