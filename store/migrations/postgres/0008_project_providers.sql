-- 0008 (PostgreSQL): the provider sources each project allows beyond the catalog's (package policy
-- checks blueprints against them). Sources are stored as policy.ParseProviderSource
-- writes them: lowercase, with their registry host. Who allowed a source, and when, is
-- kept beside it (and in the audit log).

CREATE TABLE project_providers (
	project_id BIGINT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
	source     TEXT COLLATE "C" NOT NULL CHECK (length(source) BETWEEN 1 AND 255),
	added_by   TEXT COLLATE "C" NOT NULL DEFAULT '',
	added_at   TEXT COLLATE "C" NOT NULL,
	PRIMARY KEY (project_id, source)
);
