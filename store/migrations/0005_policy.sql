-- 0005: each project's guardrail rules, a small JSON document (package policy reads it).
-- A project without a row uses the default rules.

CREATE TABLE project_policies (
	project_id INTEGER PRIMARY KEY REFERENCES projects (id) ON DELETE CASCADE,
	document   BLOB NOT NULL,
	updated_at TEXT NOT NULL
) STRICT;
