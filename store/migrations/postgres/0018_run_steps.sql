-- 0018 (PostgreSQL): a run's timeline and its diagnostics. run_steps has one row per step a
-- run's stages ran (plan.init, plan.check, plan.plan, apply.init, apply.apply),
-- with when it started and finished as the runner reported them. run_diagnostics
-- keeps terraform's errors and warnings of the run, redacted as its log is, and
-- at most 50 of them (the store refuses more). Runs from before keep neither:
-- their pages show the stage times the runs table has.
CREATE TABLE run_steps (
	run_id      TEXT COLLATE "C" NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
	step        TEXT COLLATE "C" NOT NULL CHECK (length(step) BETWEEN 1 AND 32),
	position    BIGINT NOT NULL CHECK (position >= 0),
	state       TEXT COLLATE "C" NOT NULL CHECK (state IN ('pending', 'running', 'done', 'failed', 'skipped', 'canceled')),
	started_at  TEXT COLLATE "C",
	finished_at TEXT COLLATE "C",
	PRIMARY KEY (run_id, step)
);

CREATE TABLE run_diagnostics (
	run_id   TEXT COLLATE "C" NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
	seq      BIGINT NOT NULL CHECK (seq BETWEEN 1 AND 50),
	step     TEXT COLLATE "C" NOT NULL CHECK (length(step) <= 32),
	severity TEXT COLLATE "C" NOT NULL CHECK (severity IN ('error', 'warning')),
	summary  TEXT COLLATE "C" NOT NULL CHECK (length(summary) <= 1024),
	detail   TEXT COLLATE "C" NOT NULL CHECK (length(detail) <= 8192),
	file     TEXT COLLATE "C" NOT NULL CHECK (length(file) <= 256),
	line     BIGINT NOT NULL CHECK (line >= 0),
	address  TEXT COLLATE "C" NOT NULL CHECK (length(address) <= 512),
	path     TEXT COLLATE "C" NOT NULL CHECK (length(path) <= 512),
	PRIMARY KEY (run_id, seq)
);
