-- 0006 (PostgreSQL): Terraform state kept by CloudOven's own http backend (package state).
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
-- SQLite's json_valid: PostgreSQL 15 has no IS JSON, and a failed cast
-- would be an error other than a CHECK's.
CREATE FUNCTION cloudoven_json_valid(doc text) RETURNS boolean
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
	PERFORM doc::jsonb;
	RETURN true;
EXCEPTION WHEN others THEN
	RETURN false;
END;
$$;

CREATE TABLE state_versions (
	deployment_id BIGINT NOT NULL REFERENCES deployments (id) ON DELETE CASCADE,
	version       BIGINT NOT NULL CHECK (version >= 1),
	serial        BIGINT NOT NULL CHECK (serial >= 0),
	lineage       TEXT COLLATE "C" NOT NULL,
	sha256        TEXT COLLATE "C" NOT NULL CHECK (length(sha256) = 64),
	blob_key      TEXT COLLATE "C" NOT NULL CHECK (length(blob_key) BETWEEN 1 AND 1024),
	size          BIGINT NOT NULL CHECK (size >= 0),
	outputs       TEXT COLLATE "C" NOT NULL DEFAULT '{}' CHECK (cloudoven_json_valid(outputs)),
	resources     BIGINT NOT NULL DEFAULT 0 CHECK (resources >= 0),
	run_id        TEXT COLLATE "C",
	created_at    TEXT COLLATE "C" NOT NULL,
	PRIMARY KEY (deployment_id, version)
);

-- At most one lock per deployment's state. lock_id is the ID Terraform
-- chose; info is the lock info JSON it sent, returned verbatim to whoever
-- finds the state locked.
CREATE TABLE state_locks (
	deployment_id BIGINT PRIMARY KEY REFERENCES deployments (id) ON DELETE CASCADE,
	lock_id       TEXT COLLATE "C" NOT NULL CHECK (length(lock_id) BETWEEN 1 AND 256),
	info          TEXT COLLATE "C" NOT NULL CHECK (cloudoven_json_valid(info)),
	created_at    TEXT COLLATE "C" NOT NULL
);
