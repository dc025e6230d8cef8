-- 0021: what the state backend kept in one server's memory, kept here so that every
-- replica on one database answers alike.
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
