-- 0018: a run's timeline and its diagnostics. run_steps has one row per step a
-- run's stages ran (plan.init, plan.check, plan.plan, apply.init, apply.apply),
-- with when it started and finished as the runner reported them. run_diagnostics
-- keeps terraform's errors and warnings of the run, redacted as its log is, and
-- at most 50 of them (the store refuses more). Runs from before keep neither:
-- their pages show the stage times the runs table has.
CREATE TABLE run_steps (
	run_id      TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
	step        TEXT NOT NULL CHECK (length(step) BETWEEN 1 AND 32),
	position    INTEGER NOT NULL CHECK (position >= 0),
	state       TEXT NOT NULL CHECK (state IN ('pending', 'running', 'done', 'failed', 'skipped', 'canceled')),
	started_at  TEXT,
	finished_at TEXT,
	PRIMARY KEY (run_id, step)
) STRICT, WITHOUT ROWID;

CREATE TABLE run_diagnostics (
	run_id   TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
	seq      INTEGER NOT NULL CHECK (seq BETWEEN 1 AND 50),
	step     TEXT NOT NULL CHECK (length(step) <= 32),
	severity TEXT NOT NULL CHECK (severity IN ('error', 'warning')),
	summary  TEXT NOT NULL CHECK (length(summary) <= 1024),
	detail   TEXT NOT NULL CHECK (length(detail) <= 8192),
	file     TEXT NOT NULL CHECK (length(file) <= 256),
	line     INTEGER NOT NULL CHECK (line >= 0),
	address  TEXT NOT NULL CHECK (length(address) <= 512),
	path     TEXT NOT NULL CHECK (length(path) <= 512),
	PRIMARY KEY (run_id, seq)
) STRICT, WITHOUT ROWID;
