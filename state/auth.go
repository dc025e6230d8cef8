package state

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/cloudoven/cloudoven/store"
)

// ErrUnauthorized reports a request without valid credentials for the
// state it addresses.
var ErrUnauthorized = errors.New("unauthorized")

// Scope is what a credential may do with the state of its deployment,
// decided by the stage of the run it was issued for. No scope deletes
// state or force-unlocks it: state versions are kept, and breaking a lock
// is an operator's action on the deployment page.
type Scope int

const (
	// ScopePlan is a plan stage's (of a plan or a destroy): read the state
	// (GET), take the lock while the state is unlocked (LOCK), and release
	// the lock it took (UNLOCK with its ID). It writes nothing.
	ScopePlan Scope = iota + 1
	// ScopeApply is an apply stage's (of a plan or a destroy): what
	// ScopePlan may, and write new state versions (POST) under the lock
	// it took.
	ScopeApply
)

// String names the scope: plan, apply, or none for the zero Scope.
func (s Scope) String() string {
	switch s {
	case ScopePlan:
		return "plan"
	case ScopeApply:
		return "apply"
	}
	return "none"
}

// Grant is what a request's credentials may do: the run they were issued
// to, recorded with the locks it takes and the versions it writes, and
// their Scope.
type Grant struct {
	RunID string
	Scope Scope
}

// Authorizer decides what a request may do with the state of a
// deployment. The server answers 401 when it returns an error.
type Authorizer interface {
	Authorize(r *http.Request, project string, deploymentID int64) (Grant, error)
}

// DefaultTokenTTL is how long a token from TokenAuthorizer or
// StoreAuthorizer lasts unless revoked first: longer than a run's
// wall-clock limit.
const DefaultTokenTTL = 6 * time.Hour

// maxUsernameBytes and maxPasswordBytes bound what Authorize reads from a
// request before it hashes or looks anything up; issued credentials are
// far shorter.
const (
	maxUsernameBytes = 64
	maxPasswordBytes = 128
)

// newCredentials makes a username and password for one stage of a run.
func newCredentials() (username, password string) {
	var u [12]byte
	var p [32]byte
	rand.Read(u[:]) // crypto/rand.Read never fails (Go 1.24)
	rand.Read(p[:])
	return "run-" + hex.EncodeToString(u[:]), base64.RawURLEncoding.EncodeToString(p[:])
}

// basicAuth reads the request's Basic auth credentials, refusing
// oversized ones.
func basicAuth(r *http.Request) (user, pass string, ok bool) {
	user, pass, ok = r.BasicAuth()
	if !ok || user == "" || len(user) > maxUsernameBytes || len(pass) > maxPasswordBytes {
		return "", "", false
	}
	return user, pass, true
}

// TokenAuthorizer issues per-run credentials for the http backend and
// checks them, in one process's memory, as SHA-256 hashes: a server
// restart forgets them, and another replica never knew them. It serves
// tests and a single process; StoreAuthorizer is what the server runs
// with. It is safe for concurrent use.
type TokenAuthorizer struct {
	ttl time.Duration
	now func() time.Time

	mu     sync.Mutex
	tokens map[string]token // by username
}

type token struct {
	hash         [sha256.Size]byte
	project      string
	deploymentID int64
	runID        string
	scope        Scope
	expires      time.Time
}

// NewTokenAuthorizer returns a TokenAuthorizer whose tokens expire after
// ttl (DefaultTokenTTL when ttl <= 0).
func NewTokenAuthorizer(ttl time.Duration) *TokenAuthorizer {
	if ttl <= 0 {
		ttl = DefaultTokenTTL
	}
	return &TokenAuthorizer{ttl: ttl, now: time.Now, tokens: map[string]token{}}
}

// Issue returns Basic auth credentials that let run runID do what scope
// allows with the state of one deployment until they expire or
// Revoke(runID). The runner hands them to terraform as TF_HTTP_USERNAME
// and TF_HTTP_PASSWORD. It never fails.
func (a *TokenAuthorizer) Issue(_ context.Context, project string, deploymentID int64, runID string, scope Scope) (username, password string, err error) {
	username, password = newCredentials()
	now := a.now()
	a.mu.Lock()
	defer a.mu.Unlock()
	for name, t := range a.tokens {
		if !now.Before(t.expires) {
			delete(a.tokens, name)
		}
	}
	a.tokens[username] = token{
		hash:         sha256.Sum256([]byte(password)),
		project:      project,
		deploymentID: deploymentID,
		runID:        runID,
		scope:        scope,
		expires:      now.Add(a.ttl),
	}
	return username, password, nil
}

// Revoke ends every credential issued to runID. It never fails.
func (a *TokenAuthorizer) Revoke(_ context.Context, runID string) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	for name, t := range a.tokens {
		if t.runID == runID {
			delete(a.tokens, name)
		}
	}
	return nil
}

func (a *TokenAuthorizer) lookup(r *http.Request) (token, bool) {
	user, pass, ok := basicAuth(r)
	if !ok {
		return token{}, false
	}
	a.mu.Lock()
	t, ok := a.tokens[user]
	a.mu.Unlock()
	if !ok {
		return token{}, false
	}
	sum := sha256.Sum256([]byte(pass))
	if subtle.ConstantTimeCompare(sum[:], t.hash[:]) != 1 || !a.now().Before(t.expires) {
		return token{}, false
	}
	return t, true
}

// Authorize accepts a request whose Basic auth credentials were issued for
// this project and deployment and are still valid, and answers what they
// were issued for.
func (a *TokenAuthorizer) Authorize(r *http.Request, project string, deploymentID int64) (Grant, error) {
	t, ok := a.lookup(r)
	if !ok || t.project != project || t.deploymentID != deploymentID {
		return Grant{}, ErrUnauthorized
	}
	return Grant{RunID: t.runID, Scope: t.scope}, nil
}

// TokenStore keeps the credentials of a StoreAuthorizer; *store.Store has
// it.
type TokenStore interface {
	CreateStateToken(ctx context.Context, tok store.StateToken, now time.Time) error
	StateToken(ctx context.Context, username string) (store.StateToken, error)
	DeleteStateTokens(ctx context.Context, runID string) error
}

// StoreAuthorizer issues per-run credentials for the http backend and
// checks them as TokenAuthorizer does, but keeps them in a TokenStore, so
// that every replica of the server on one database accepts a run's
// credentials wherever the run executes, and a revoke on one replica holds
// on every other at once: each request reads its credentials afresh, and
// nothing is cached. Only the SHA-256 of a password is stored. It is safe
// for concurrent use.
type StoreAuthorizer struct {
	store TokenStore
	ttl   time.Duration
	now   func() time.Time
}

// NewStoreAuthorizer returns a StoreAuthorizer keeping its credentials in
// st, which expire after ttl (DefaultTokenTTL when ttl <= 0).
func NewStoreAuthorizer(st TokenStore, ttl time.Duration) *StoreAuthorizer {
	if ttl <= 0 {
		ttl = DefaultTokenTTL
	}
	return &StoreAuthorizer{store: st, ttl: ttl, now: time.Now}
}

// Issue returns Basic auth credentials that let run runID do what scope
// allows with the state of one deployment until they expire or
// Revoke(runID), once they are stored: a store error returns no
// credentials, so no run starts with credentials that nobody accepts. It
// deletes expired credentials on the way.
func (a *StoreAuthorizer) Issue(ctx context.Context, project string, deploymentID int64, runID string, scope Scope) (username, password string, err error) {
	username, password = newCredentials()
	sum := sha256.Sum256([]byte(password))
	now := a.now()
	err = a.store.CreateStateToken(ctx, store.StateToken{
		Username:       username,
		PasswordSHA256: hex.EncodeToString(sum[:]),
		Project:        project,
		DeploymentID:   deploymentID,
		RunID:          runID,
		Scope:          scope.String(),
		ExpiresAt:      now.Add(a.ttl),
	}, now)
	if err != nil {
		return "", "", fmt.Errorf("issuing state credentials: %w", err)
	}
	return username, password, nil
}

// Revoke ends every credential issued to runID, on every replica.
func (a *StoreAuthorizer) Revoke(ctx context.Context, runID string) error {
	return a.store.DeleteStateTokens(ctx, runID)
}

// Authorize accepts a request whose Basic auth credentials were issued for
// this project and deployment and are still valid, and answers what they
// were issued for: ErrUnauthorized when they are not, another error when
// the store could not say.
func (a *StoreAuthorizer) Authorize(r *http.Request, project string, deploymentID int64) (Grant, error) {
	user, pass, ok := basicAuth(r)
	if !ok {
		return Grant{}, ErrUnauthorized
	}
	t, err := a.store.StateToken(r.Context(), user)
	if errors.Is(err, store.ErrNotFound) {
		return Grant{}, ErrUnauthorized
	}
	if err != nil {
		return Grant{}, fmt.Errorf("authorizing a state request: %w", err)
	}
	want, err := hex.DecodeString(t.PasswordSHA256)
	sum := sha256.Sum256([]byte(pass))
	if err != nil || subtle.ConstantTimeCompare(sum[:], want) != 1 || !a.now().Before(t.ExpiresAt) ||
		t.Project != project || t.DeploymentID != deploymentID {
		return Grant{}, ErrUnauthorized
	}
	scope := ScopePlan
	switch t.Scope {
	case ScopePlan.String():
	case ScopeApply.String():
		scope = ScopeApply
	default:
		return Grant{}, ErrUnauthorized
	}
	return Grant{RunID: t.RunID, Scope: scope}, nil
}
