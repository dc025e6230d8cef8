-- 0019 (PostgreSQL): runs claimed from the store by any of several servers.
--
-- A server that starts a run's stage claims it (runner names the server, lease_expires_at is
-- when the claim lapses unless the server renews it) and renews the lease while the stage
-- executes. A run whose lease lapsed is marked interrupted by whichever server notices.
-- cancel_requested_by is a user's cancel of a stage another server executes; that server
-- reads it when it renews the lease and stops the stage. Runs from before have no lease: a
-- running or applying one is treated as lapsed.
ALTER TABLE runs ADD COLUMN runner TEXT COLLATE "C" NOT NULL DEFAULT '' CHECK (length(runner) <= 128);
ALTER TABLE runs ADD COLUMN lease_expires_at TEXT COLLATE "C";
ALTER TABLE runs ADD COLUMN cancel_requested_by TEXT COLLATE "C" NOT NULL DEFAULT '';

CREATE INDEX runs_state_seq ON runs (state, seq);
