package state

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	_ "modernc.org/sqlite"

	"github.com/cloudoven/cloudoven/store"
)

// fixture is a server on a real SQLite store and a directory blob store,
// with one deployment and the credentials of run-1's apply for it.
type fixture struct {
	srv        *Server
	store      *store.Store
	dbPath     string
	blobs      *DirStore
	auth       *TokenAuthorizer
	deployment store.Deployment
	user, pass string
	path       string // the state's URL path
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := t.Context()
	dir := t.TempDir()
	f := &fixture{dbPath: filepath.Join(dir, "cloudoven.db"), blobs: NewDirStore(filepath.Join(dir, "blobs"))}
	st, err := store.Open(ctx, f.dbPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	f.store = st
	if _, err := st.CreateProject(ctx, "payments", ""); err != nil {
		t.Fatal(err)
	}
	if _, _, err := st.CreateBlueprint(ctx, "payments", "aks", "", []byte(`{"format":1}`), ""); err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateEnvironment(ctx, "payments", "dev", nil); err != nil {
		t.Fatal(err)
	}
	if f.deployment, err = st.CreateDeployment(ctx, "payments", "aks", 1, "dev", ""); err != nil {
		t.Fatal(err)
	}
	f.auth = NewTokenAuthorizer(time.Hour)
	f.user, f.pass, _ = f.auth.Issue(ctx, "payments", f.deployment.ID, "run-1", ScopeApply) // never fails
	f.srv = NewServer(st, f.blobs, f.auth, slog.New(slog.DiscardHandler))
	f.path = Address("", "payments", f.deployment.ID)
	return f
}

// do sends a request with the fixture's credentials.
func (f *fixture) do(t *testing.T, method, target string, body []byte) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(method, target, bytes.NewReader(body))
	r.SetBasicAuth(f.user, f.pass)
	w := httptest.NewRecorder()
	f.srv.ServeHTTP(w, r)
	return w
}

// as is the fixture with other credentials for its deployment.
func (f *fixture) as(runID string, scope Scope) *fixture {
	g := *f
	g.user, g.pass, _ = f.auth.Issue(context.Background(), "payments", f.deployment.ID, runID, scope) // never fails
	return &g
}

// write writes state as terraform does: under a lock it takes and releases.
func (f *fixture) write(t *testing.T, state []byte) {
	t.Helper()
	id := fmt.Sprintf("write-%x", sha256.Sum256(state))
	wantStatus(t, "LOCK", f.do(t, "LOCK", f.path, lockInfo(id)), http.StatusOK)
	wantStatus(t, "POST", f.do(t, "POST", f.path+"?ID="+id, state), http.StatusOK)
	wantStatus(t, "UNLOCK", f.do(t, "UNLOCK", f.path, lockInfo(id)), http.StatusOK)
}

func wantStatus(t *testing.T, what string, w *httptest.ResponseRecorder, want int) {
	t.Helper()
	if w.Code != want {
		t.Fatalf("%s: status %d, want %d; body %q", what, w.Code, want, w.Body.String())
	}
}

// tfstate is a state file as Terraform 1.5 writes it, with a sensitive
// output whose value must never reach the store.
func tfstate(lineage string, serial int) []byte {
	return fmt.Appendf(nil, `{
  "version": 4,
  "terraform_version": "1.5.7",
  "serial": %d,
  "lineage": %q,
  "outputs": {
    "db_password": {"value": "hunter2-sensitive", "type": "string", "sensitive": true},
    "names": {"value": ["a", "b"], "type": ["tuple", ["string", "string"]]}
  },
  "resources": [
    {"mode": "managed", "type": "terraform_data", "name": "a", "provider": "provider[\"terraform.io/builtin/terraform\"]",
     "instances": [{"schema_version": 0, "attributes": {"id": "1"}}, {"index_key": 1, "schema_version": 0, "attributes": {"id": "2"}}]},
    {"mode": "data", "type": "terraform_remote_state", "name": "x", "provider": "provider[\"terraform.io/builtin/terraform\"]",
     "instances": [{"schema_version": 0, "attributes": {}}]}
  ],
  "check_results": null
}
`, serial, lineage)
}

func lockInfo(id string) []byte {
	return fmt.Appendf(nil, `{"ID":%q,"Operation":"OperationTypeApply","Info":"","Who":"someone@host","Version":"1.5.7","Created":"2026-01-02T03:04:05Z","Path":""}`, id)
}

func TestAddress(t *testing.T) {
	t.Parallel()
	got := Address("http://127.0.0.1:8080/", "payments", 42)
	if want := "http://127.0.0.1:8080/api/v1/state/payments/42"; got != want {
		t.Errorf("Address = %q, want %q", got, want)
	}
}

func TestGetWithoutStateIsNoContent(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	w := f.do(t, "GET", f.path, nil)
	wantStatus(t, "GET", w, http.StatusNoContent)
	if w.Body.Len() != 0 {
		t.Errorf("GET body = %q, want none", w.Body.String())
	}
}

func TestPostRecordsVersions(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	states := [][]byte{tfstate("lin-1", 1), tfstate("lin-1", 2), tfstate("lin-2", 1)}
	for _, s := range states {
		f.write(t, s)
	}
	// Writing the newest state again records nothing new.
	f.write(t, states[2])

	got, err := f.store.StateVersions(ctx, f.deployment.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	var want []store.StateVersion
	for i, s := range states {
		sum := sha256.Sum256(s)
		want = append([]store.StateVersion{{
			DeploymentID: f.deployment.ID,
			Version:      i + 1,
			Serial:       []int64{1, 2, 1}[i],
			Lineage:      []string{"lin-1", "lin-1", "lin-2"}[i],
			SHA256:       hex.EncodeToString(sum[:]),
			BlobKey:      BlobKey(f.deployment.ID, hex.EncodeToString(sum[:])),
			Size:         int64(len(s)),
			Outputs: map[string]store.StateOutput{
				"db_password": {Sensitive: true, Type: json.RawMessage(`"string"`)},
				"names":       {Type: json.RawMessage(`["tuple",["string","string"]]`)},
			},
			Resources: 2,
			RunID:     "run-1",
		}}, want...)
	}
	ignoreTime := cmp.FilterPath(func(p cmp.Path) bool { return p.Last().String() == ".CreatedAt" }, cmp.Ignore())
	if diff := cmp.Diff(want, got, ignoreTime); diff != "" {
		t.Errorf("StateVersions (-want +got):\n%s", diff)
	}
	for _, v := range got {
		blob, err := f.blobs.Get(ctx, v.BlobKey)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(blob, states[v.Version-1]) {
			t.Errorf("blob of version %d differs from the state posted", v.Version)
		}
	}

	// Read the column itself, past the store's API.
	db, err := sql.Open("sqlite", f.dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, `SELECT outputs FROM state_versions`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var outputs string
		if err := rows.Scan(&outputs); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(outputs, "hunter2") {
			t.Errorf("the outputs column holds a sensitive value: %s", outputs)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}

	w := f.do(t, "GET", f.path, nil)
	wantStatus(t, "GET", w, http.StatusOK)
	if !bytes.Equal(w.Body.Bytes(), states[2]) {
		t.Errorf("GET answered %q, want the newest state", w.Body.String())
	}
	sum := md5.Sum(states[2])
	if got, want := w.Header().Get("Content-MD5"), base64.StdEncoding.EncodeToString(sum[:]); got != want {
		t.Errorf("Content-MD5 = %q, want %q", got, want)
	}
}

func TestPostRefusals(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		prep   func(t *testing.T, f *fixture)
		target string // after the state's path; the fixture holds lock "mine"
		body   []byte
		header map[string]string
		want   int
	}{
		{
			name: "older serial of the same lineage",
			prep: func(t *testing.T, f *fixture) {
				wantStatus(t, "POST serial 3", f.do(t, "POST", f.path+"?ID=mine", tfstate("l", 3)), http.StatusOK)
			},
			target: "?ID=mine",
			body:   tfstate("l", 2),
			want:   http.StatusConflict,
		},
		{name: "wrong lock id", target: "?ID=other", body: tfstate("l", 1), want: http.StatusConflict},
		{name: "no lock id", body: tfstate("l", 1), want: http.StatusConflict},
		{
			name: "lock id of a lock not held",
			prep: func(t *testing.T, f *fixture) {
				wantStatus(t, "UNLOCK", f.do(t, "UNLOCK", f.path, lockInfo("mine")), http.StatusOK)
			},
			target: "?ID=mine",
			body:   tfstate("l", 1),
			want:   http.StatusConflict,
		},
		{name: "not JSON", target: "?ID=mine", body: []byte("serial = 1"), want: http.StatusBadRequest},
		{name: "no lineage", target: "?ID=mine", body: []byte(`{"version":4,"serial":1}`), want: http.StatusBadRequest},
		{name: "old format", target: "?ID=mine", body: []byte(`{"version":3,"serial":1,"lineage":"l"}`), want: http.StatusBadRequest},
		{
			name:   "Content-MD5 mismatch",
			target: "?ID=mine",
			body:   tfstate("l", 1),
			header: map[string]string{"Content-MD5": base64.StdEncoding.EncodeToString(make([]byte, 16))},
			want:   http.StatusBadRequest,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			wantStatus(t, "LOCK", f.do(t, "LOCK", f.path, lockInfo("mine")), http.StatusOK)
			if tc.prep != nil {
				tc.prep(t, f)
			}
			before, err := f.store.StateVersions(t.Context(), f.deployment.ID, 0)
			if err != nil {
				t.Fatal(err)
			}
			r := httptest.NewRequest("POST", f.path+tc.target, bytes.NewReader(tc.body))
			r.SetBasicAuth(f.user, f.pass)
			for k, v := range tc.header {
				r.Header.Set(k, v)
			}
			w := httptest.NewRecorder()
			f.srv.ServeHTTP(w, r)
			wantStatus(t, "POST", w, tc.want)
			after, err := f.store.StateVersions(t.Context(), f.deployment.ID, 0)
			if err != nil {
				t.Fatal(err)
			}
			if len(after) != len(before) {
				t.Errorf("a refused POST recorded a version: %d versions before, %d after", len(before), len(after))
			}
		})
	}
}

func TestPostWithHeldLock(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	wantStatus(t, "LOCK", f.do(t, "LOCK", f.path, lockInfo("abc")), http.StatusOK)
	wantStatus(t, "POST", f.do(t, "POST", f.path+"?ID=abc", tfstate("l", 1)), http.StatusOK)
	wantStatus(t, "UNLOCK", f.do(t, "UNLOCK", f.path, lockInfo("abc")), http.StatusOK)
	wantStatus(t, "POST after unlock", f.do(t, "POST", f.path, tfstate("l", 2)), http.StatusConflict)
	wantStatus(t, "POST under the released lock", f.do(t, "POST", f.path+"?ID=abc", tfstate("l", 2)), http.StatusConflict)
}

func TestLockConflictAnswersHolder(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	held := lockInfo("first")
	wantStatus(t, "LOCK first", f.do(t, "LOCK", f.path, held), http.StatusOK)
	w := f.do(t, "LOCK", f.path, lockInfo("second"))
	wantStatus(t, "LOCK second", w, http.StatusLocked)
	if got := w.Body.String(); got != string(held) {
		t.Errorf("423 body = %s, want the holder's lock info %s", got, held)
	}
	if ct := w.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("423 Content-Type = %q, want application/json", ct)
	}
	wantStatus(t, "LOCK first again", f.do(t, "LOCK", f.path, held), http.StatusOK)
	wantStatus(t, "LOCK without ID", f.do(t, "LOCK", f.path, []byte(`{"Who":"x"}`)), http.StatusBadRequest)
	wantStatus(t, "LOCK with a body that is not JSON", f.do(t, "LOCK", f.path, []byte(`ID=x`)), http.StatusBadRequest)
}

func TestUnlockWithOtherIDConflicts(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	held := lockInfo("first")
	wantStatus(t, "LOCK", f.do(t, "LOCK", f.path, held), http.StatusOK)
	w := f.do(t, "UNLOCK", f.path, lockInfo("second"))
	wantStatus(t, "UNLOCK with another id", w, http.StatusConflict)
	if got := w.Body.String(); got != string(held) {
		t.Errorf("409 body = %s, want the holder's lock info %s", got, held)
	}
	wantStatus(t, "UNLOCK", f.do(t, "UNLOCK", f.path, held), http.StatusOK)
	wantStatus(t, "LOCK by another after unlock", f.do(t, "LOCK", f.path, lockInfo("second")), http.StatusOK)
}

func TestUnauthorizedRequests(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	other, err := f.store.CreateEnvironment(ctx, "payments", "prod", nil)
	if err != nil {
		t.Fatal(err)
	}
	d2, err := f.store.CreateDeployment(ctx, "payments", "aks", 1, other.Name, "")
	if err != nil {
		t.Fatal(err)
	}
	otherUser, otherPass, _ := f.auth.Issue(ctx, "payments", d2.ID, "run-2", ScopeApply)
	revokedUser, revokedPass, _ := f.auth.Issue(ctx, "payments", f.deployment.ID, "run-3", ScopeApply)
	f.auth.Revoke(ctx, "run-3")

	expiring := NewTokenAuthorizer(time.Minute)
	now := time.Now()
	expiring.now = func() time.Time { return now }
	expiredUser, expiredPass, _ := expiring.Issue(ctx, "payments", f.deployment.ID, "run-4", ScopeApply)
	now = now.Add(time.Minute)

	for _, tc := range []struct {
		name       string
		auth       Authorizer
		user, pass string
		noAuth     bool
	}{
		{name: "no credentials", noAuth: true},
		{name: "wrong password", user: f.user, pass: f.pass + "x"},
		{name: "unknown user", user: "run-nobody", pass: f.pass},
		{name: "credentials of another deployment", user: otherUser, pass: otherPass},
		{name: "revoked credentials", user: revokedUser, pass: revokedPass},
		{name: "expired credentials", auth: expiring, user: expiredUser, pass: expiredPass},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := f.srv
			if tc.auth != nil {
				srv = NewServer(f.store, f.blobs, tc.auth, slog.New(slog.DiscardHandler))
			}
			for _, method := range []string{"GET", "POST", "DELETE", "LOCK", "UNLOCK"} {
				r := httptest.NewRequest(method, f.path, bytes.NewReader(tfstate("l", 1)))
				if !tc.noAuth {
					r.SetBasicAuth(tc.user, tc.pass)
				}
				w := httptest.NewRecorder()
				srv.ServeHTTP(w, r)
				wantStatus(t, method, w, http.StatusUnauthorized)
				if !strings.HasPrefix(w.Header().Get("WWW-Authenticate"), "Basic ") {
					t.Errorf("%s: WWW-Authenticate = %q, want a Basic challenge", method, w.Header().Get("WWW-Authenticate"))
				}
			}
		})
	}
	if vs, err := f.store.StateVersions(ctx, f.deployment.ID, 0); err != nil || len(vs) != 0 {
		t.Errorf("unauthorized POSTs stored %d versions (err %v)", len(vs), err)
	}
}

func TestUnknownDeploymentIsNotFound(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	// Credentials for a deployment that is not in the store (deleted, say).
	user, pass, _ := f.auth.Issue(t.Context(), "payments", 999, "run-9", ScopePlan)
	for _, target := range []string{Address("", "payments", 999), PathPrefix + "payments/not-a-number"} {
		r := httptest.NewRequest("GET", target, nil)
		r.SetBasicAuth(user, pass)
		w := httptest.NewRecorder()
		f.srv.ServeHTTP(w, r)
		wantStatus(t, "GET "+target, w, http.StatusNotFound)
	}
}

func TestBodyTooLarge(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.srv.maxBytes = 100
	wantStatus(t, "POST", f.do(t, "POST", f.path+"?ID=x", tfstate("l", 1)), http.StatusRequestEntityTooLarge)
	huge := append([]byte(`{"ID":"x","Info":"`), bytes.Repeat([]byte("a"), store.MaxStateLockInfoBytes)...)
	wantStatus(t, "LOCK", f.do(t, "LOCK", f.path, append(huge, `"}`...)), http.StatusRequestEntityTooLarge)
}

func TestOtherMethodsNotAllowed(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	w := f.do(t, "PATCH", f.path, nil)
	wantStatus(t, "PATCH", w, http.StatusMethodNotAllowed)
}
