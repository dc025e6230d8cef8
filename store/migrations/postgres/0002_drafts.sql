-- 0002 (PostgreSQL): blueprint drafts, the editor's working copy.
--
-- A blueprint has at most one draft, rewritten on every edit in the
-- browser and turned into a version on Save (CommitDraft). Drafts are not
-- history: they are overwritten in place and deleted once committed.
--
-- base_version is the version the draft started from. The composite
-- reference makes rows written by hand obey the same rule as SaveDraft.
-- It has no ON DELETE action and is checked at the end of the statement,
-- so deleting a blueprint (or its project) cascades to the versions and
-- the draft together.
CREATE TABLE blueprint_drafts (
	blueprint_id BIGINT PRIMARY KEY REFERENCES blueprints (id) ON DELETE CASCADE,
	base_version BIGINT NOT NULL,
	document     BYTEA NOT NULL,
	updated_at   TEXT COLLATE "C" NOT NULL,
	FOREIGN KEY (blueprint_id, base_version)
		REFERENCES blueprint_versions (blueprint_id, version)
);
