-- 0007: runs of a deployment and their logs.
--
-- A run plans a deployment and, once approved, applies exactly the plan it
-- saved (plan holds terraform's saved plan file, plan_json what
-- `terraform show -json` printed for it, summary the runs package's count
-- and per-resource actions, as JSON). The store checks that state moves
-- only along the lifecycle (store/run.go); the CHECKs below keep rows
-- written by hand to known values.
--
-- Runs go with their deployment. The id is chosen by the caller (runs
-- package) so that it can be announced to log followers before the row
-- exists; seq orders runs by creation, since created_at can repeat.
CREATE TABLE runs (
	seq               INTEGER PRIMARY KEY,
	id                TEXT NOT NULL UNIQUE
	                  CHECK (length(id) BETWEEN 1 AND 64 AND id NOT GLOB '*[^a-z0-9-]*'),
	deployment_id     INTEGER NOT NULL REFERENCES deployments (id) ON DELETE CASCADE,
	operation         TEXT NOT NULL CHECK (operation IN ('plan', 'apply', 'destroy')),
	state             TEXT NOT NULL
	                  CHECK (state IN ('queued', 'running', 'planned', 'approved', 'applying', 'applied',
	                                   'errored', 'canceled', 'discarded', 'interrupted')),
	blueprint_version INTEGER NOT NULL,
	created_by        TEXT NOT NULL DEFAULT '',
	approved_by       TEXT NOT NULL DEFAULT '',
	canceled_by       TEXT NOT NULL DEFAULT '',
	created_at        TEXT NOT NULL,
	started_at        TEXT,
	finished_at       TEXT,
	error             TEXT NOT NULL DEFAULT '',
	plan              BLOB,
	plan_json         BLOB,
	summary           TEXT
) STRICT;

CREATE INDEX runs_deployment_id ON runs (deployment_id, seq);
CREATE INDEX runs_state ON runs (state);

-- One row per output line; seq counts from 1 within a run and continues
-- across its plan and apply stages.
CREATE TABLE run_log_lines (
	run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
	seq    INTEGER NOT NULL CHECK (seq >= 1),
	line   TEXT NOT NULL,
	PRIMARY KEY (run_id, seq)
) STRICT, WITHOUT ROWID;
