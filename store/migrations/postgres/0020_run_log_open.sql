-- 0020 (PostgreSQL): whether a run's log is open, for followers on a replica
-- that is not writing it. The runs package's Hub sets it when it opens the log
-- and clears it once every line of the stage is stored, so a follower that
-- sees it cleared and reads once more has every line. A new run's log is open
-- from its creation (queued). Runs from before are open only if a stage may
-- still write: the server's start interrupts and closes those.
ALTER TABLE runs ADD COLUMN log_open BIGINT NOT NULL DEFAULT 1 CHECK (log_open IN (0, 1));

UPDATE runs SET log_open = 0 WHERE state NOT IN ('queued', 'running', 'approved', 'applying');
