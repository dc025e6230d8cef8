package state

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/cloudoven/cloudoven/store"
)

// PathPrefix is where the server's routes start. A state's address is
//
//	<base URL>/api/v1/state/<project>/<deployment id>
//
// and the same URL serves as the http backend's address, lock_address and
// unlock_address (methods GET, POST, DELETE, LOCK and UNLOCK, Terraform's
// defaults). The deployment's id, not its state key, names the state: the
// id never changes, and a key could be any path.
const PathPrefix = "/api/v1/state/"

// MaxStateBytes is the largest state the server accepts (413 above it).
const MaxStateBytes = 64 << 20

// Address returns the http backend address of a deployment's state on a
// CloudOven server reachable at baseURL.
func Address(baseURL, project string, deploymentID int64) string {
	return strings.TrimRight(baseURL, "/") + PathPrefix + url.PathEscape(project) + "/" + strconv.FormatInt(deploymentID, 10)
}

// Store is what the server needs from the store.
type Store interface {
	Deployment(ctx context.Context, project string, id int64) (store.Deployment, error)
	LatestStateVersion(ctx context.Context, deploymentID int64) (store.StateVersion, error)
	AddStateVersion(ctx context.Context, v store.StateVersion, lockID string) (store.StateVersion, error)
	LockState(ctx context.Context, deploymentID int64, l store.StateLock) (store.StateLock, error)
	UnlockState(ctx context.Context, deploymentID int64, l store.StateLock) (store.StateLock, error)
}

// Server implements Terraform's http backend protocol for deployments'
// state: every POST becomes a store.StateVersion whose state is a blob in
// a BlobStore. Mount it at PathPrefix.
//
// What a request may do is its credentials' Grant, whatever it asks:
//
//	GET                 any scope
//	LOCK                any scope, while the state is unlocked (or to
//	                    take again the lock its own run holds): the lock
//	                    is recorded as the run's
//	UNLOCK with an ID   any scope, of the lock its own run took (409 with
//	                    the holder's lock info otherwise)
//	POST                ScopeApply, under the lock its own run holds
//	                    (403 for another scope, 409 without that lock)
//	UNLOCK, no body     nobody (403): terraform force-unlock; an operator
//	                    force-unlocks on the deployment page instead
//	DELETE              nobody (403): state versions are kept
type Server struct {
	store    Store
	blobs    BlobStore
	auth     Authorizer
	log      *slog.Logger
	mux      *http.ServeMux
	maxBytes int64
}

// NewServer returns a Server keeping versions in st and state in blobs,
// letting in the requests auth accepts. A nil log discards.
func NewServer(st Store, blobs BlobStore, auth Authorizer, log *slog.Logger) *Server {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Server{store: st, blobs: blobs, auth: auth, log: log, mux: http.NewServeMux(), maxBytes: MaxStateBytes}
	const route = PathPrefix + "{project}/{deployment}"
	s.mux.HandleFunc("GET "+route, s.get)
	s.mux.HandleFunc("POST "+route, s.post)
	s.mux.HandleFunc("DELETE "+route, s.delete)
	s.mux.HandleFunc("LOCK "+route, s.lock)
	s.mux.HandleFunc("UNLOCK "+route, s.unlock)
	return s
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mux.ServeHTTP(w, r)
}

// deployment authorizes the request and finds the deployment it
// addresses, or answers the request itself and returns false. Credentials
// are checked before the deployment is looked up, so a caller without
// them cannot tell which deployments exist.
func (s *Server) deployment(w http.ResponseWriter, r *http.Request) (store.Deployment, Grant, bool) {
	project := r.PathValue("project")
	id, err := strconv.ParseInt(r.PathValue("deployment"), 10, 64)
	if err != nil || id <= 0 {
		http.Error(w, "no such deployment: the address ends in /<project>/<deployment id>", http.StatusNotFound)
		return store.Deployment{}, Grant{}, false
	}
	g, err := s.auth.Authorize(r, project, id)
	if err != nil && !errors.Is(err, ErrUnauthorized) {
		// The credentials could not be checked (the store did not answer): terraform's
		// http backend retries a 5xx, where a 401 would fail the run.
		s.internalError(w, r, id, err)
		return store.Deployment{}, Grant{}, false
	}
	if err != nil {
		w.Header().Set("WWW-Authenticate", `Basic realm="CloudOven state", charset="UTF-8"`)
		http.Error(w, "the credentials are missing, expired, or not for this state", http.StatusUnauthorized)
		return store.Deployment{}, Grant{}, false
	}
	if g.Scope != ScopePlan && g.Scope != ScopeApply {
		http.Error(w, "these credentials may not use this state", http.StatusForbidden)
		return store.Deployment{}, Grant{}, false
	}
	d, err := s.store.Deployment(r.Context(), project, id)
	if errors.Is(err, store.ErrNotFound) {
		http.Error(w, "no such deployment", http.StatusNotFound)
		return store.Deployment{}, Grant{}, false
	}
	if err != nil {
		s.internalError(w, r, id, err)
		return store.Deployment{}, Grant{}, false
	}
	return d, g, true
}

// forbid answers 403 for a request its credentials' scope does not allow,
// saying why, and logs it: run credentials that try are worth knowing of.
func (s *Server) forbid(w http.ResponseWriter, r *http.Request, d store.Deployment, g Grant, why string) {
	s.log.Warn("state request refused", "method", r.Method, "deployment", d.ID, "run", g.RunID, "scope", g.Scope.String())
	http.Error(w, why, http.StatusForbidden)
}

func (s *Server) internalError(w http.ResponseWriter, r *http.Request, deploymentID int64, err error) {
	s.log.Error("state request", "method", r.Method, "deployment", deploymentID, "err", err)
	http.Error(w, "internal error", http.StatusInternalServerError)
}

// storeError answers for an error from the store: 409 for a conflict
// (with its message, which names no secret), 404, or 500.
func (s *Server) storeError(w http.ResponseWriter, r *http.Request, deploymentID int64, err error) {
	switch {
	case errors.Is(err, store.ErrConflict):
		http.Error(w, err.Error(), http.StatusConflict)
	case errors.Is(err, store.ErrNotFound):
		http.Error(w, "no such deployment", http.StatusNotFound)
	default:
		s.internalError(w, r, deploymentID, err)
	}
}

// readBody reads at most limit bytes of the body, answering 413 beyond
// that and 400 when a Content-MD5 header (Terraform sends one) does not
// match.
func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, bool) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		http.Error(w, fmt.Sprintf("the request body is over the limit of %d bytes", limit), http.StatusRequestEntityTooLarge)
		return nil, false
	}
	if err != nil {
		http.Error(w, "reading the request body: "+err.Error(), http.StatusBadRequest)
		return nil, false
	}
	if want := r.Header.Get("Content-MD5"); want != "" {
		sum := md5.Sum(body)
		if want != base64.StdEncoding.EncodeToString(sum[:]) {
			http.Error(w, "the body does not match its Content-MD5 header", http.StatusBadRequest)
			return nil, false
		}
	}
	return body, true
}

// get answers the newest state, or 204 when there is none. Terraform
// 1.5.7 reads 204 and 404 alike as "no state yet"; 204 keeps 404 for an
// address that names no deployment.
func (s *Server) get(w http.ResponseWriter, r *http.Request) {
	d, _, ok := s.deployment(w, r)
	if !ok {
		return
	}
	v, err := s.store.LatestStateVersion(r.Context(), d.ID)
	if errors.Is(err, store.ErrNotFound) {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if err != nil {
		s.internalError(w, r, d.ID, err)
		return
	}
	data, err := s.blobs.Get(r.Context(), v.BlobKey)
	if err != nil {
		s.internalError(w, r, d.ID, fmt.Errorf("reading state version %d: %w", v.Version, err))
		return
	}
	// A blob that changed under its version must not reach Terraform,
	// which would build on it and write it back as the truth.
	if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != v.SHA256 {
		s.internalError(w, r, d.ID, fmt.Errorf("state version %d: blob %s does not match its SHA-256", v.Version, v.BlobKey))
		return
	}
	sum := md5.Sum(data)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-MD5", base64.StdEncoding.EncodeToString(sum[:]))
	w.Header().Set("ETag", `"`+v.SHA256+`"`)
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	w.Write(data)
}

// BlobKey is the blob key of a deployment's state with the given SHA-256:
// content-addressed, so writing the same state again is harmless and two
// versions never share a blob they could overwrite.
func BlobKey(deploymentID int64, sha256Hex string) string {
	return "deployments/" + strconv.FormatInt(deploymentID, 10) + "/" + sha256Hex + ".tfstate"
}

// post stores a new state version. The query parameter ID is the lock ID
// Terraform holds (it sends one whenever it locked first, and a run's
// terraform always locks first: runs get TF_HTTP_LOCK_ADDRESS).
//
// The blob is written before the version is recorded, so a recorded
// version always has its blob; a write refused by the store's checks
// (409) can leave an unreferenced blob behind.
func (s *Server) post(w http.ResponseWriter, r *http.Request) {
	d, g, ok := s.deployment(w, r)
	if !ok {
		return
	}
	if g.Scope != ScopeApply {
		s.forbid(w, r, d, g, "a plan's credentials do not write state; its apply's do")
		return
	}
	lockID := r.URL.Query().Get("ID")
	if lockID == "" {
		http.Error(w, "a run writes state only under the lock it holds: LOCK first and send its ID", http.StatusConflict)
		return
	}
	data, ok := readBody(w, r, s.maxBytes)
	if !ok {
		return
	}
	v, err := NewVersion(d.ID, data)
	if err != nil {
		http.Error(w, "reading the state: "+err.Error(), http.StatusBadRequest)
		return
	}
	v.RunID = g.RunID
	if err := s.blobs.Put(r.Context(), v.BlobKey, data); err != nil {
		s.internalError(w, r, d.ID, err)
		return
	}
	v, err = s.store.AddStateVersion(r.Context(), v, lockID)
	if err != nil {
		s.storeError(w, r, d.ID, err)
		return
	}
	s.log.Info("state version stored", "deployment", d.ID, "version", v.Version, "serial", v.Serial, "run", v.RunID)
	w.WriteHeader(http.StatusOK)
}

// delete is refused to every credential: CloudOven keeps every state
// version (they go only with their deployment). Terraform's http backend
// sends DELETE only to delete a workspace, which it does not support, so
// terraform never needs it.
func (s *Server) delete(w http.ResponseWriter, r *http.Request) {
	d, g, ok := s.deployment(w, r)
	if !ok {
		return
	}
	s.forbid(w, r, d, g, "CloudOven keeps every state version: no credential deletes state")
}

// lockInfo reads the lock info body of LOCK and UNLOCK; ok is false after
// answering the request. An empty body gives an empty id.
func readLockInfo(w http.ResponseWriter, r *http.Request) (id string, body []byte, ok bool) {
	body, ok = readBody(w, r, store.MaxStateLockInfoBytes)
	if !ok || len(bytes.TrimSpace(body)) == 0 {
		return "", nil, ok
	}
	var info struct{ ID string }
	if err := json.Unmarshal(body, &info); err != nil {
		http.Error(w, "the lock info is not a JSON object: "+err.Error(), http.StatusBadRequest)
		return "", nil, false
	}
	return info.ID, body, true
}

func writeLockInfo(w http.ResponseWriter, status int, info []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(info)
}

// lock takes the lock: 200 with the lock info when acquired (or already
// held by the same ID), 423 with the holder's lock info when another ID
// holds it, which Terraform reports as "state already locked".
func (s *Server) lock(w http.ResponseWriter, r *http.Request) {
	d, g, ok := s.deployment(w, r)
	if !ok {
		return
	}
	id, info, ok := readLockInfo(w, r)
	if !ok {
		return
	}
	if id == "" {
		http.Error(w, "the lock info has no ID", http.StatusBadRequest)
		return
	}
	held, err := s.store.LockState(r.Context(), d.ID, store.StateLock{ID: id, RunID: g.RunID, Info: info})
	if errors.Is(err, store.ErrConflict) {
		writeLockInfo(w, http.StatusLocked, held.Info)
		return
	}
	if err != nil {
		s.storeError(w, r, d.ID, err)
		return
	}
	writeLockInfo(w, http.StatusOK, held.Info)
}

// unlock releases the lock whose ID the body names, if the request's run
// took it: 200, or 409 with the holder's lock info when another lock, or
// another run's, holds the state. An empty body asks to force the unlock
// (what `terraform force-unlock` sends with Terraform 1.5.7, whose http
// backend forgets the lock ID it is given): no credential may, since it
// would release a lock another terraform still works under; an operator
// does it on the deployment page.
func (s *Server) unlock(w http.ResponseWriter, r *http.Request) {
	d, g, ok := s.deployment(w, r)
	if !ok {
		return
	}
	id, body, ok := readLockInfo(w, r)
	if !ok {
		return
	}
	if body == nil {
		s.forbid(w, r, d, g, "run credentials do not force-unlock state: an operator force-unlocks it on the deployment page")
		return
	}
	held, err := s.store.UnlockState(r.Context(), d.ID, store.StateLock{ID: id, RunID: g.RunID})
	if errors.Is(err, store.ErrConflict) {
		writeLockInfo(w, http.StatusConflict, held.Info)
		return
	}
	if err != nil {
		s.storeError(w, r, d.ID, err)
		return
	}
	w.WriteHeader(http.StatusOK)
}
