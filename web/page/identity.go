package page

import (
	"context"

	"github.com/cloudoven/cloudoven/auth"
	"github.com/cloudoven/cloudoven/store"
)

// Identity is the signed-in user of a request, and their role in the request's project once
// a project route's guard has checked it.
type Identity struct {
	User      store.User
	TokenHash string // the session's token hash
	CSRF      string // the session's CSRF token
	Role      auth.Role
}

// CSRFField and CSRFHeader carry the session's CSRF token: the hidden field of a plain form
// (CSRFInput), the header htmx sends (app.js reads the layout's meta tag).
const (
	CSRFField  = "csrf_token"
	CSRFHeader = "X-CSRF-Token"
)

type identityKey struct{}

// IdentityOf is the request's signed-in user; nil when signed out.
func IdentityOf(ctx context.Context) *Identity {
	id, _ := ctx.Value(identityKey{}).(*Identity)
	return id
}

// WithIdentity is ctx with id as the signed-in user.
func WithIdentity(ctx context.Context, id *Identity) context.Context {
	return context.WithValue(ctx, identityKey{}, id)
}

// SignedInUser is the name of the signed-in user, or "".
func SignedInUser(ctx context.Context) string {
	if id := IdentityOf(ctx); id != nil {
		return id.User.Name
	}
	return ""
}

// IsGlobalAdmin reports whether the signed-in user is a global admin.
func IsGlobalAdmin(ctx context.Context) bool {
	id := IdentityOf(ctx)
	return id != nil && id.User.Admin
}

// CSRFToken is the session's CSRF token, for the layout's meta tag and CSRFInput.
func CSRFToken(ctx context.Context) string {
	if id := IdentityOf(ctx); id != nil {
		return id.CSRF
	}
	return ""
}

// RoleAllows reports whether the signed-in user's role in the request's project allows need
// (for templates that hide what the user may not do).
func RoleAllows(ctx context.Context, need auth.Role) bool {
	id := IdentityOf(ctx)
	return id != nil && id.Role.Allows(need)
}
