-- 0001: projects, versioned blueprints, environments and deployments.
--
-- Times are UTC text in a fixed-width RFC 3339 form (see timeLayout in
-- store.go), so they read well in the sqlite3 shell and sort as text.
-- Name checks repeat ValidName so that rows written by hand obey the same
-- rule as rows written by the store.

CREATE TABLE projects (
	id          INTEGER PRIMARY KEY,
	name        TEXT NOT NULL UNIQUE
	            CHECK (length(name) BETWEEN 1 AND 63
	                   AND name NOT GLOB '*[^a-z0-9_-]*'
	                   AND substr(name, 1, 1) GLOB '[a-z0-9]'),
	description TEXT NOT NULL DEFAULT '',
	created_at  TEXT NOT NULL
) STRICT;

CREATE TABLE blueprints (
	id          INTEGER PRIMARY KEY,
	project_id  INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
	name        TEXT NOT NULL
	            CHECK (length(name) BETWEEN 1 AND 63
	                   AND name NOT GLOB '*[^a-z0-9_-]*'
	                   AND substr(name, 1, 1) GLOB '[a-z0-9]'),
	description TEXT NOT NULL DEFAULT '',
	created_at  TEXT NOT NULL,
	UNIQUE (project_id, name)
) STRICT;

-- A blueprint's latest version and its updated_at are derived from this
-- table rather than stored on blueprints, so they cannot drift.
CREATE TABLE blueprint_versions (
	blueprint_id INTEGER NOT NULL REFERENCES blueprints (id) ON DELETE CASCADE,
	version      INTEGER NOT NULL CHECK (version >= 1),
	document     BLOB NOT NULL,
	sha256       TEXT NOT NULL CHECK (length(sha256) = 64),
	message      TEXT NOT NULL DEFAULT '',
	created_at   TEXT NOT NULL,
	PRIMARY KEY (blueprint_id, version)
) STRICT;

-- Versions are immutable: a deployment pins one, and what it pinned must
-- not change under it.
CREATE TRIGGER blueprint_versions_no_update
BEFORE UPDATE ON blueprint_versions
BEGIN
	SELECT RAISE(ABORT, 'blueprint versions are immutable');
END;

-- Deleting a version is refused while its blueprint exists. SQLite runs
-- ON DELETE CASCADE after the parent row is gone, so deleting a whole
-- blueprint (or project) still removes its versions.
CREATE TRIGGER blueprint_versions_no_delete
BEFORE DELETE ON blueprint_versions
WHEN EXISTS (SELECT 1 FROM blueprints WHERE id = OLD.blueprint_id)
BEGIN
	SELECT RAISE(ABORT, 'blueprint versions are immutable');
END;

CREATE TABLE environments (
	id         INTEGER PRIMARY KEY,
	project_id INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
	name       TEXT NOT NULL
	           CHECK (length(name) BETWEEN 1 AND 63
	                  AND name NOT GLOB '*[^a-z0-9_-]*'
	                  AND substr(name, 1, 1) GLOB '[a-z0-9]'),
	document   BLOB NOT NULL,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	UNIQUE (project_id, name)
) STRICT;

-- A deployment owns its state, so its blueprint, version and environment
-- cannot be deleted from under it (the references have no ON DELETE
-- action; they are checked at the end of the statement, which lets a
-- project delete cascade through everything at once). state_key is unique
-- across projects because all state lives in one blob store.
CREATE TABLE deployments (
	id                INTEGER PRIMARY KEY,
	project_id        INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
	blueprint_id      INTEGER NOT NULL REFERENCES blueprints (id),
	blueprint_version INTEGER NOT NULL,
	environment_id    INTEGER NOT NULL REFERENCES environments (id),
	state_key         TEXT NOT NULL UNIQUE,
	created_at        TEXT NOT NULL,
	updated_at        TEXT NOT NULL,
	UNIQUE (blueprint_id, environment_id),
	FOREIGN KEY (blueprint_id, blueprint_version)
		REFERENCES blueprint_versions (blueprint_id, version)
) STRICT;

CREATE INDEX deployments_project_id ON deployments (project_id);
CREATE INDEX deployments_environment_id ON deployments (environment_id);
