package state

import (
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/cloudoven/cloudoven/internal/testenv"
	"github.com/cloudoven/cloudoven/store"
)

// openReplicas opens one database twice, as two replicas of the server do: a SQLite file,
// or a PostgreSQL database (testenv.Postgres).
func openReplicas(t *testing.T, dialect string) (*store.Store, *store.Store) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "cloudoven.db")
	if dialect == "postgres" {
		path = testenv.Postgres(t)
	}
	var sts [2]*store.Store
	for i := range sts {
		st, err := store.Open(t.Context(), path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		sts[i] = st
	}
	return sts[0], sts[1]
}

// authorize asks a whether the credentials may use the state of project's deployment.
func authorize(a Authorizer, user, pass, project string, deploymentID int64) (Grant, error) {
	r := httptest.NewRequest("GET", Address("", project, deploymentID), nil)
	r.SetBasicAuth(user, pass)
	return a.Authorize(r, project, deploymentID)
}

// TestStoreAuthorizerAcrossReplicas: credentials one replica issues are accepted by
// another on the same database, for what they were issued for only, until the first
// replica revokes them; wrong passwords and expired credentials are refused.
func TestStoreAuthorizerAcrossReplicas(t *testing.T) {
	t.Parallel()
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			stA, stB := openReplicas(t, dialect)
			now := time.Date(2026, 5, 6, 7, 8, 9, 0, time.UTC)
			a, b := NewStoreAuthorizer(stA, time.Hour), NewStoreAuthorizer(stB, time.Hour)
			a.now = func() time.Time { return now }
			b.now = a.now

			user, pass, err := a.Issue(ctx, "payments", 7, "run-1", ScopeApply)
			if err != nil {
				t.Fatal(err)
			}
			planUser, planPass, err := a.Issue(ctx, "payments", 7, "run-1", ScopePlan)
			if err != nil {
				t.Fatal(err)
			}
			otherUser, otherPass, err := b.Issue(ctx, "payments", 7, "run-2", ScopePlan)
			if err != nil {
				t.Fatal(err)
			}
			for _, tc := range []struct {
				name       string
				by         *StoreAuthorizer
				user, pass string
				want       Grant
			}{
				{"issued on A, asked of B", b, user, pass, Grant{RunID: "run-1", Scope: ScopeApply}},
				{"the plan's, asked of B", b, planUser, planPass, Grant{RunID: "run-1", Scope: ScopePlan}},
				{"issued on B, asked of A", a, otherUser, otherPass, Grant{RunID: "run-2", Scope: ScopePlan}},
			} {
				if g, err := authorize(tc.by, tc.user, tc.pass, "payments", 7); err != nil || g != tc.want {
					t.Errorf("%s: %+v, %v; want %+v", tc.name, g, err, tc.want)
				}
			}
			for _, tc := range []struct {
				name       string
				user, pass string
				project    string
				deployment int64
			}{
				{"wrong password", user, pass + "x", "payments", 7},
				{"another's password", user, otherPass, "payments", 7},
				{"unknown user", "run-nobody", pass, "payments", 7},
				{"another deployment", user, pass, "payments", 8},
				{"another project", user, pass, "billing", 7},
				{"oversized user", string(make([]byte, 100)), pass, "payments", 7},
			} {
				if g, err := authorize(b, tc.user, tc.pass, tc.project, tc.deployment); !errors.Is(err, ErrUnauthorized) {
					t.Errorf("%s: %+v, %v; want ErrUnauthorized", tc.name, g, err)
				}
			}

			// A revoke on A holds on B at once, for every credential of the run and no other.
			if err := a.Revoke(ctx, "run-1"); err != nil {
				t.Fatal(err)
			}
			for _, c := range [][2]string{{user, pass}, {planUser, planPass}} {
				if _, err := authorize(b, c[0], c[1], "payments", 7); !errors.Is(err, ErrUnauthorized) {
					t.Errorf("revoked on A, B answered %v; want ErrUnauthorized", err)
				}
			}
			if _, err := authorize(b, otherUser, otherPass, "payments", 7); err != nil {
				t.Errorf("run-2's credentials after revoking run-1: %v", err)
			}

			// Expired on B's clock: refused, though A never revoked them.
			now = now.Add(time.Hour)
			if _, err := authorize(b, otherUser, otherPass, "payments", 7); !errors.Is(err, ErrUnauthorized) {
				t.Errorf("expired credentials: %v; want ErrUnauthorized", err)
			}
		})
	}
}

// TestStoreAuthorizerStoreErrors: a store that cannot store credentials makes Issue fail
// with none, and one that cannot be read makes the server answer 500 (which terraform
// retries) rather than 401.
func TestStoreAuthorizerStoreErrors(t *testing.T) {
	t.Parallel()
	st, _ := openReplicas(t, "sqlite")
	a := NewStoreAuthorizer(st, 0)
	user, pass, err := a.Issue(t.Context(), "payments", 7, "run-1", ScopePlan)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	if u, p, err := a.Issue(t.Context(), "payments", 7, "run-2", ScopePlan); err == nil || u != "" || p != "" {
		t.Errorf("Issue on a closed store: %q, %q, %v; want an error and no credentials", u, p, err)
	}
	if _, err := authorize(a, user, pass, "payments", 7); err == nil || errors.Is(err, ErrUnauthorized) {
		t.Errorf("Authorize on a closed store: %v; want an error other than ErrUnauthorized", err)
	}
	srv := NewServer(st, NewDirStore(t.TempDir()), a, slog.New(slog.DiscardHandler))
	r := httptest.NewRequest("GET", Address("", "payments", 7), nil)
	r.SetBasicAuth(user, pass)
	w := httptest.NewRecorder()
	srv.ServeHTTP(w, r)
	wantStatus(t, "GET", w, http.StatusInternalServerError)
}
