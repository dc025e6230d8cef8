package account

import (
	"context"
	"net/http"
	"time"

	"github.com/cloudoven/cloudoven/auth"
	"github.com/cloudoven/cloudoven/store"
	"github.com/cloudoven/cloudoven/web/page"
)

// Store is what sign-in, sessions, accounts, users and the audit log keep in the store.
// *store.Store has it.
type Store interface {
	CreateUser(ctx context.Context, name, passwordHash string, admin bool) (store.User, error)
	User(ctx context.Context, name string) (store.User, error)
	Users(ctx context.Context) ([]store.User, error)
	SetPassword(ctx context.Context, name, passwordHash string) error
	CreateSession(ctx context.Context, tokenHash string, userID int64, now, expiresAt time.Time) error
	Session(ctx context.Context, tokenHash string) (store.Session, error)
	TouchSession(ctx context.Context, tokenHash string, at time.Time) error
	DeleteSession(ctx context.Context, tokenHash string) error
	DeleteUserSessions(ctx context.Context, userID int64, keep string) error
	Project(ctx context.Context, name string) (store.Project, error)
	AuditLog(ctx context.Context, project string, limit int) ([]store.AuditEntry, error)
	// The sign-in throttle's counts, shared by every replica on the database.
	auth.Ledger
}

// Options are the settings of sign-in and sessions.
type Options struct {
	// SecureCookies marks the session cookie Secure even when the request did not come over
	// TLS (a TLS-terminating proxy in front).
	SecureCookies bool
	// PasswordParams are argon2id's costs for new password hashes; zero means
	// auth.DefaultParams.
	PasswordParams auth.Params
	// HashBudget is the memory password hashes may hold at once, in bytes; zero means
	// auth.DefaultHashBudget.
	HashBudget int64
}

// Handlers answers sign-in and sign-out, the account page, the global admin's users page,
// and the audit log; Authenticate guards every request of the interface with the session.
type Handlers struct {
	frame          *page.Frame
	store          Store
	now            func() time.Time
	secureCookies  bool
	passwordParams auth.Params
	signins        *auth.Throttle // failed sign-ins, per user name and client address
	hasher         *auth.Hasher   // every password hash of the interface, within one memory budget
	dummy          dummyHash
}

// New returns the account handlers.
func New(frame *page.Frame, st Store, opts Options) *Handlers {
	return &Handlers{
		frame:          frame,
		store:          st,
		now:            frame.Now,
		secureCookies:  opts.SecureCookies,
		passwordParams: opts.PasswordParams,
		signins:        auth.NewThrottle(st, frame.Now),
		hasher:         auth.NewHasher(opts.HashBudget),
	}
}

// Routes registers sign-in (open to everyone), sign-out and the account page (any signed-in
// user), users (global admins) and the audit logs (global admins; a project's to its
// admins).
func (s *Handlers) Routes(rt page.Router) {
	rt.Handle("GET /signin", page.Public, s.showSignIn)
	rt.Handle("POST /signin", page.Public, s.signIn)
	rt.Handle("POST /signout", page.SignedIn, s.signOut)
	rt.Handle("GET /account", page.SignedIn, s.showAccount)
	rt.Handle("POST /account/password", page.SignedIn, s.changePassword)

	rt.Handle("GET /admin/users", page.GlobalAdmin, s.showUsers)
	rt.Handle("POST /admin/users", page.GlobalAdmin, s.createUser)
	rt.Handle("GET /admin/audit", page.GlobalAdmin, s.showAudit)
	rt.Handle("GET /projects/{project}/audit", page.Admin, s.showAudit)
}

// Authenticate puts the session's identity into every request, sends signed-out visitors to
// the sign-in page (only the sign-in page, static files and the health check are open) and
// refuses a state-changing request that does not carry the session's CSRF token.
func (s *Handlers) Authenticate(next http.Handler) http.Handler { return s.authenticate(next) }
