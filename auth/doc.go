// Package auth is CloudOven's sign-in logic without I/O: the project roles and their order,
// argon2id password hashing, session and CSRF tokens, and the in-memory limiter of failed
// sign-ins.
//
// It is not the HTTP side (web/account reads cookies, web/page checks roles per route) nor
// persistence (package store keeps users, sessions, memberships and the audit log). Start
// with role.go; password.go holds the hash format.
package auth
