package state

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net/http"
	"sync"
	"time"
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

// DefaultTokenTTL is how long a token from TokenAuthorizer lasts unless
// revoked first: longer than a run's wall-clock limit.
const DefaultTokenTTL = 6 * time.Hour

// TokenAuthorizer issues per-run credentials for the http backend and
// checks them. Tokens live in memory only, as SHA-256 hashes: a server
// restart ends every run anyway (runs in flight are marked interrupted).
// It is safe for concurrent use.
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
// and TF_HTTP_PASSWORD.
func (a *TokenAuthorizer) Issue(project string, deploymentID int64, runID string, scope Scope) (username, password string) {
	var u [12]byte
	var p [32]byte
	rand.Read(u[:]) // crypto/rand.Read never fails (Go 1.24)
	rand.Read(p[:])
	username = "run-" + hex.EncodeToString(u[:])
	password = base64.RawURLEncoding.EncodeToString(p[:])
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
	return username, password
}

// Revoke ends every credential issued to runID.
func (a *TokenAuthorizer) Revoke(runID string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for name, t := range a.tokens {
		if t.runID == runID {
			delete(a.tokens, name)
		}
	}
}

func (a *TokenAuthorizer) lookup(r *http.Request) (token, bool) {
	user, pass, ok := r.BasicAuth()
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
