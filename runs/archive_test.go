package runs

import (
	"bytes"
	"context"
	"errors"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cloudoven/cloudoven/internal/testenv"
	"github.com/cloudoven/cloudoven/runner"
	"github.com/cloudoven/cloudoven/state"
	"github.com/cloudoven/cloudoven/store"
)

const archiveDoc = `{"format": 1, "name": "app",
  "resources": [{"type": "terraform_data", "name": "greeting", "config": {"input": {"literal": "hello"}}}]}`

// TestPlansAndLogsInAzureBlob plans and applies with real terraform, a SQLite store and
// Azure Blob Storage (Azurite) as the store's blob store: the saved plan is written there
// sealed and applied from there, and once the run is finished its log moves there, read
// back line for line; a server on the same database without the blob store has neither.
func TestPlansAndLogsInAzureBlob(t *testing.T) {
	bin := testenv.Terraform(t)
	serviceURL := testenv.Azurite(t)
	ctx := context.Background()
	cred, err := state.SharedKey(testenv.AzuriteAccount, testenv.AzuriteKey)
	if err != nil {
		t.Fatal(err)
	}
	if err := state.EnsureContainer(ctx, serviceURL, "cloudoven-runs-test", cred); err != nil {
		t.Fatal(err)
	}
	blobs, err := state.NewAzureStore(serviceURL, "cloudoven-runs-test", cred)
	if err != nil {
		t.Fatal(err)
	}
	dbPath := filepath.Join(t.TempDir(), "cloudoven.db")
	st, err := store.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	st.SetArchive(blobs)
	d := seedDeployment(t, st, archiveDoc)
	svc := startLocalService(t, st, bin)
	// Another server on the same database, not given the blob store.
	bare, err := store.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { bare.Close() })

	r, err := svc.Plan(ctx, "team", d, "alice", false)
	if err != nil {
		t.Fatal(err)
	}
	waitState(t, st, r.ID, store.RunPlanned)
	sealed, err := blobs.Get(ctx, "runs/"+r.ID+"/plan")
	if err != nil {
		t.Fatalf("the saved plan is not in the blob store: %v", err)
	}
	if bytes.HasPrefix(sealed, []byte("PK\x03\x04")) || bytes.Contains(sealed, []byte("terraform_data")) {
		t.Error("the blob store holds the saved plan in the clear")
	}
	if plan, _, err := st.RunPlan(ctx, r.ID); err != nil || !bytes.Equal(plan, sealed) {
		t.Errorf("RunPlan = %d bytes, %v; want the blob's %d", len(plan), err, len(sealed))
	}
	if _, _, err := bare.RunPlan(ctx, r.ID); err == nil || !strings.Contains(err.Error(), "blob store") {
		t.Errorf("RunPlan without the blob store: %v, want an error naming it (the plan must not be in the database)", err)
	}
	if _, err := svc.Approve(ctx, r.ID, "bob"); err != nil {
		t.Fatal(err)
	}
	waitState(t, st, r.ID, store.RunApplied)

	// The finished run's log moves to the blob store as soon as the stage ends.
	waitLogArchived(t, st, blobs, r.ID)
	lines, err := st.RunLog(ctx, r.ID, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	text := ""
	for i, l := range lines {
		if l.Seq != i+1 {
			t.Fatalf("line %d has Seq %d: the archived log has a gap or a repeat", i+1, l.Seq)
		}
		text += l.Text + "\n"
	}
	for _, want := range []string{"Plan: 1 to add", "Apply complete! Resources: 1 added"} {
		if !strings.Contains(text, want) {
			t.Errorf("the archived log lacks %q:\n%s", want, text)
		}
	}
	if _, err := bare.RunLog(ctx, r.ID, 0, 0); err == nil || !strings.Contains(err.Error(), "blob store") {
		t.Errorf("RunLog without the blob store: %v, want an error naming it (the lines must have left the database)", err)
	}
	if ids, err := st.RunLogsToArchive(ctx, 0); err != nil || len(ids) != 0 {
		t.Errorf("logs left to archive: %v, %v", ids, err)
	}
}

// seedDeployment stores project team, blueprint app (version 1 from doc), environment dev
// with CloudOven's http backend and a deployment of app to dev, and returns its id.
func seedDeployment(t *testing.T, st *store.Store, doc string) int64 {
	t.Helper()
	ctx := context.Background()
	if _, err := st.CreateProject(ctx, "team", ""); err != nil {
		t.Fatal(err)
	}
	if _, _, err := st.CreateBlueprint(ctx, "team", "app", "", []byte(doc), ""); err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateEnvironment(ctx, "team", "dev", []byte(`{"format": 1, "name": "dev", "backend": {"type": "http"}}`)); err != nil {
		t.Fatal(err)
	}
	d, err := st.CreateDeployment(ctx, "team", "app", 1, "dev", "")
	if err != nil {
		t.Fatal(err)
	}
	return d.ID
}

// startLocalService starts a Service running real terraform (bin) with the local executor
// against CloudOven's own state backend on loopback, stopped with the test.
func startLocalService(t *testing.T, st *store.Store, bin string) *Service {
	t.Helper()
	authz := state.NewTokenAuthorizer(0)
	srv := httptest.NewServer(state.NewServer(st, state.NewDirStore(t.TempDir()), authz, nil))
	t.Cleanup(srv.Close)
	svc := New(Options{
		Store: st, Executor: runner.NewLocal(runner.LocalOptions{Terraform: bin}), Hub: NewHub(st, nil),
		Prepare: NewPreparer(st, embeddedCatalog, nil), Sealer: newSealer(t), Authorizer: authz, StateURL: srv.URL,
	})
	runCtx, cancel := context.WithCancel(context.Background())
	t.Cleanup(func() { cancel(); svc.Wait() })
	if err := svc.Start(runCtx); err != nil {
		t.Fatal(err)
	}
	return svc
}

// waitLogArchived waits, for at most a minute, until the run's log is archived in blobs
// under the name its last line gives.
func waitLogArchived(t *testing.T, st *store.Store, blobs *state.AzureStore, runID string) {
	t.Helper()
	ctx := context.Background()
	deadline := time.Now().Add(time.Minute)
	for {
		last, err := st.LastRunLogSeq(ctx, runID)
		if err != nil {
			t.Fatal(err)
		}
		_, err = blobs.Get(ctx, store.RunLogArchiveKey(runID, last))
		if err == nil {
			return
		}
		if !errors.Is(err, state.ErrNotFound) || time.Now().After(deadline) {
			t.Fatalf("the run's log is not archived: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
