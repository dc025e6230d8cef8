-- 0005 (PostgreSQL): each project's guardrail rules, a small JSON document (package policy reads it).
-- A project without a row uses the default rules.

CREATE TABLE project_policies (
	project_id BIGINT PRIMARY KEY REFERENCES projects (id) ON DELETE CASCADE,
	document   BYTEA NOT NULL,
	updated_at TEXT COLLATE "C" NOT NULL
);
