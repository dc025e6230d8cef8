-- 0021: what sign-in and the state backend kept in one server's memory, kept here so that
-- every replica on one database answers alike.
--
-- state_tokens are the Basic auth credentials a run's terraform uses with CloudOven's
-- state backend, one row per stage of a run: only the SHA-256 of the password (in hex),
-- so a copy of the database authorizes nobody. A run may execute on one replica while its
-- terraform's requests reach another; a revoke deletes the run's rows.
CREATE TABLE state_tokens (
	username        TEXT PRIMARY KEY CHECK (length(username) BETWEEN 1 AND 64),
	password_sha256 TEXT NOT NULL CHECK (length(password_sha256) = 64),
	project         TEXT NOT NULL CHECK (length(project) BETWEEN 1 AND 63),
	deployment_id   INTEGER NOT NULL,
	run_id          TEXT NOT NULL CHECK (length(run_id) BETWEEN 1 AND 64),
	scope           TEXT NOT NULL CHECK (scope IN ('plan', 'apply')),
	expires_at      TEXT NOT NULL
) STRICT, WITHOUT ROWID;

CREATE INDEX state_tokens_run_id ON state_tokens (run_id);
CREATE INDEX state_tokens_expires_at ON state_tokens (expires_at);

-- The sign-in throttle's counts (auth.Throttle). signin_failures has one row per attempt
-- counted as a failure, for the ceilings per user name and per address; rows past the
-- ceilings' window are pruned. signin_pairs has the count of a user name from an address
-- ('' for a time not yet known) and its last successful sign-in there; a pair is pruned
-- when both are stale. Names are what was typed (cut to 63 bytes), not users' ids: an
-- unknown name is counted as a known one is.
CREATE TABLE signin_failures (
	id        INTEGER PRIMARY KEY,
	user_name TEXT NOT NULL CHECK (length(user_name) <= 256),
	address   TEXT NOT NULL CHECK (length(address) <= 256),
	at        TEXT NOT NULL
) STRICT;

CREATE INDEX signin_failures_user_name ON signin_failures (user_name, at);
CREATE INDEX signin_failures_address ON signin_failures (address, at);
CREATE INDEX signin_failures_at ON signin_failures (at);

CREATE TABLE signin_pairs (
	user_name       TEXT NOT NULL CHECK (length(user_name) <= 256),
	address         TEXT NOT NULL CHECK (length(address) <= 256),
	failures        INTEGER NOT NULL CHECK (failures >= 0),
	last_failure_at TEXT NOT NULL DEFAULT '',
	known_at        TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (user_name, address)
) STRICT, WITHOUT ROWID;

CREATE INDEX signin_pairs_last_failure_at ON signin_pairs (last_failure_at);
