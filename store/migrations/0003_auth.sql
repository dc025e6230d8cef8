-- 0003: users, sessions, project memberships and the audit log.
--
-- Passwords are stored only as argon2id hashes in the PHC string form
-- ($argon2id$v=19$m=...,t=...,p=...$salt$hash); sessions only as the
-- SHA-256 of their token, so a copy of this file signs nobody in.

CREATE TABLE users (
	id            INTEGER PRIMARY KEY,
	name          TEXT NOT NULL UNIQUE
	              CHECK (length(name) BETWEEN 1 AND 63
	                     AND name NOT GLOB '*[^a-z0-9_-]*'
	                     AND substr(name, 1, 1) GLOB '[a-z0-9]'),
	password_hash TEXT NOT NULL CHECK (password_hash LIKE '$argon2id$%'),
	admin         INTEGER NOT NULL DEFAULT 0 CHECK (admin IN (0, 1)),
	created_at    TEXT NOT NULL,
	updated_at    TEXT NOT NULL
) STRICT;

-- expires_at is the absolute end; last_seen_at drives the idle timeout.
CREATE TABLE sessions (
	token_hash   TEXT PRIMARY KEY CHECK (length(token_hash) = 64),
	user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	created_at   TEXT NOT NULL,
	last_seen_at TEXT NOT NULL,
	expires_at   TEXT NOT NULL
) STRICT;

CREATE INDEX sessions_user_id ON sessions (user_id);

CREATE TABLE project_members (
	project_id INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
	user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	role       TEXT NOT NULL CHECK (role IN ('viewer', 'editor', 'operator', 'admin')),
	created_at TEXT NOT NULL,
	PRIMARY KEY (project_id, user_id)
) STRICT;

CREATE INDEX project_members_user_id ON project_members (user_id);

-- The audit log names users and projects by name, not by id, so entries
-- outlive what they are about.
CREATE TABLE audit_log (
	id      INTEGER PRIMARY KEY,
	at      TEXT NOT NULL,
	user    TEXT NOT NULL DEFAULT '',
	action  TEXT NOT NULL,
	project TEXT NOT NULL DEFAULT '',
	target  TEXT NOT NULL DEFAULT '',
	detail  TEXT NOT NULL DEFAULT ''
) STRICT;

CREATE INDEX audit_log_project ON audit_log (project, id);
