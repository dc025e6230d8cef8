// Package store keeps CloudOven's projects, blueprints (with their
// immutable version history and the editor's drafts), environments (and
// their encrypted secrets), deployments, runs with their logs, state
// versions and locks, users, sessions, project members, the audit log
// (where an event that may repeat without bound is one row per window,
// with a count), projects' guardrail rules and the provider sources each
// project allows (provider.go), and what an import of an older provider
// version's Terraform held back from a blueprint (upgrade.go), and what every replica must
// see alike of sign-in and the state backend: the sign-in throttle's counts (signin.go, the
// auth.Ledger) and runs' state credentials (statetoken.go) in one SQLite file, through the pure-Go
// driver modernc.org/sqlite, or in one PostgreSQL database, through pgx's
// database/sql driver (postgres.go), for several replicas on one database.
//
// Open takes a file path or a postgres:// URL. For a file it creates the
// file if needed, turns on WAL, foreign keys and a busy timeout, and applies
// the embedded migrations in migrations/ in order, each once; for
// PostgreSQL it applies migrations/postgres/ (the same numbers and names,
// in PostgreSQL's words) under an advisory lock, so replicas starting at
// once do not race. Every write that touches more than one row runs in a
// transaction that takes the write lock at BEGIN (SQLite's BEGIN IMMEDIATE,
// or a transaction-scoped advisory lock in PostgreSQL), so concurrent
// callers (for example two browsers saving the same blueprint) are
// serialised rather than failing or losing a version.
//
// The store's SQL is written once, in what both databases understand, with
// '?' placeholders; the dialect (dialect.go) rebinds them to $n for
// PostgreSQL, turns bools into the 0/1 integers both schemas keep, reads
// each driver's unique and foreign key violations, and has inTx run again a
// transaction PostgreSQL aborted (serialization failure, deadlock). Both
// schemas store times as the same fixed-width text and compare text byte by
// byte (COLLATE "C" in PostgreSQL), so ordering is the same in both. One
// difference remains: PostgreSQL's text holds neither NUL nor invalid
// UTF-8, which it stores as U+FFFD where SQLite keeps the bytes.
//
// A blueprint's draft has a revision (DraftHead) that every draft write,
// discard and commit moves on: SaveDraft, DiscardDraft and CommitDraft
// refuse with ErrConflict a write made on a view of the draft that someone
// else has changed since (DraftHead.Admits), and SaveDraft one whose
// document was made from an older read, so concurrent editors never
// overwrite each other's work unseen.
//
// Notify and Listen (notify.go) tell other replicas that something
// changed, through PostgreSQL's NOTIFY and one LISTENing connection per
// Store, or within the process for SQLite; writes others follow notify in
// their own transaction (AppendRunLog on RunLogChannel), so a listener
// that reads after a notification sees the write. A listener that may have
// missed one (it read too slowly, or the connection was lost) gets an
// empty payload: read again.
//
// Documents (a blueprint version's JSON, an environment's settings) are
// opaque bytes here: the blueprint package defines and validates them. The
// store checks only what it owns: names (ValidName), sizes
// (MaxDocumentBytes, MaxTextBytes), uniqueness and existence. Its errors
// wrap ErrNotFound, ErrConflict, ErrInvalidName and ErrTooLarge, so
// callers such as web can pick a status code with errors.Is.
//
// It does not interpret documents and does not hold Terraform state itself:
// state blobs live in blob stores (package state), and a state version row
// only names its blob. State versions are never deleted but with their
// deployment; a state lock records the run that took it, and only that run
// releases it or writes under it, unless an operator breaks it
// (BreakStateLock). Secret values and saved plans arrive already sealed
// (packages secrets and runs); the store refuses a saved plan not marked
// sealed, records the id of the key that seals (sealed.go), and can count
// and, for a key lost for good, forget what that key sealed.
//
// For several replicas on one database it also holds the crawl lock, one crawl at a time
// across replicas (crawllock.go), and the catalog the last crawl published, which every
// replica polls and takes (catalog.go).
//
// Start reading at store.go (Open, migrations, errors), then the schema in
// migrations/0001_init.sql, then blueprint.go for versioning; db.go and
// dialect.go for what differs between the two databases. The tests run on
// SQLite, or on PostgreSQL with CLOUDOVEN_TEST_STORE=postgres (make test
// runs both).
package store
