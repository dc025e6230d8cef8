-- 0006: Terraform state kept by CloudOven's own http backend (package state).
--
-- Every state Terraform writes becomes a new row in state_versions; the
-- state itself is a blob in a blob store (blob_key names it), so this file
-- stays small and never holds secrets from the state. version counts from
-- 1 within a deployment: Terraform's serial is not enough as a key, since
-- a new lineage starts its serials again. outputs is a JSON object of
-- output name -> {"sensitive": bool, "type": <cty type JSON>}, without
-- values, so a sensitive output's value never reaches this file. run_id
-- names the run whose credentials wrote the version, when known; it is not
-- a reference, so a version outlives its run's row.
CREATE TABLE state_versions (
	deployment_id INTEGER NOT NULL REFERENCES deployments (id) ON DELETE CASCADE,
	version       INTEGER NOT NULL CHECK (version >= 1),
	serial        INTEGER NOT NULL CHECK (serial >= 0),
	lineage       TEXT NOT NULL,
	sha256        TEXT NOT NULL CHECK (length(sha256) = 64),
	blob_key      TEXT NOT NULL CHECK (length(blob_key) BETWEEN 1 AND 1024),
	size          INTEGER NOT NULL CHECK (size >= 0),
	outputs       TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(outputs)),
	resources     INTEGER NOT NULL DEFAULT 0 CHECK (resources >= 0),
	run_id        TEXT,
	created_at    TEXT NOT NULL,
	PRIMARY KEY (deployment_id, version)
) STRICT;

-- At most one lock per deployment's state. lock_id is the ID Terraform
-- chose; info is the lock info JSON it sent, returned verbatim to whoever
-- finds the state locked.
CREATE TABLE state_locks (
	deployment_id INTEGER PRIMARY KEY REFERENCES deployments (id) ON DELETE CASCADE,
	lock_id       TEXT NOT NULL CHECK (length(lock_id) BETWEEN 1 AND 256),
	info          TEXT NOT NULL CHECK (json_valid(info)),
	created_at    TEXT NOT NULL
) STRICT;
