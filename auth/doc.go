// Package auth is CloudOven's sign-in logic without I/O: the project roles and their order,
// argon2id password hashing (and a Hasher that keeps hashes within a memory budget), the
// rules a new password must pass (CheckPassword, with an embedded list of common passwords;
// NOTICE.md names its source and licence), session and CSRF tokens, and the Throttle of
// failed sign-ins, whose counts it keeps in a Ledger it is given.
//
// It is not the HTTP side (web/account reads cookies, web/page checks roles per route) nor
// persistence (package store keeps users, sessions, memberships, the audit log and the
// Throttle's Ledger, so that replicas share it). Start
// with role.go; password.go holds the hash format, throttle.go the limits on guessing.
package auth
