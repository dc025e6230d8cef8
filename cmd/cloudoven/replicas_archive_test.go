package main

import (
	"context"
	"testing"
	"time"

	"github.com/cloudoven/cloudoven/state"
	"github.com/cloudoven/cloudoven/store"
)

// checkLogsArchived waits until every finished run's log has left the database for the
// blob store (the server that ends a stage moves its log at once, and every server looks
// for the others every 30 s), then reads each run's log back as any server would, from
// the blob store: lines numbered from 1 without a gap. A run that was planned has its
// saved plan there too.
func checkLogsArchived(t *testing.T, st *store.Store, blobs *state.AzureStore, runIDs []string) {
	t.Helper()
	ctx := context.Background()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		ids, err := st.RunLogsToArchive(ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(ids) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the logs of %d finished runs are still in the database 2 minutes after the last run ended: %v", len(ids), ids)
		}
		time.Sleep(500 * time.Millisecond)
	}
	for _, id := range runIDs {
		last, err := st.LastRunLogSeq(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := blobs.Get(ctx, store.RunLogArchiveKey(id, last)); err != nil {
			t.Errorf("run %s: no log archive in the blob store: %v", id, err)
			continue
		}
		lines, err := st.RunLog(ctx, id, 0, 0)
		if err != nil {
			t.Errorf("run %s: reading its archived log: %v", id, err)
			continue
		}
		for i, l := range lines {
			if l.Seq != i+1 {
				t.Errorf("run %s: line %d of its archived log has Seq %d", id, i+1, l.Seq)
				break
			}
		}
		r, err := st.Run(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if r.State == store.RunApplied {
			if _, _, err := st.RunPlan(ctx, id); err != nil {
				t.Errorf("run %s: its saved plan: %v", id, err)
			}
			if _, err := blobs.Get(ctx, "runs/"+id+"/plan"); err != nil {
				t.Errorf("run %s was applied but its saved plan is not in the blob store: %v", id, err)
			}
		}
	}
}
