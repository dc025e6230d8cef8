// Package account is the web feature of who is signed in: the sign-in page (attempts go
// through auth.Throttle before their password is checked, and every password hash through
// one auth.Hasher; refused attempts share audit rows), sessions and their cookie, the check every request passes
// (Authenticate: the session, sign-in for visitors, the CSRF token of every state-changing
// request), the account page with its password change, the global admin's users page, and
// the audit log (all of it for global admins, a project's for its admins).
//
// It is not authorization inside a project: page.Router checks project roles. Start with
// Handlers (handlers.go) and session.go.
package account
