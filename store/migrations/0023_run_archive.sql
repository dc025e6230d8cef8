-- 0023: saved plans and finished runs' logs kept in a blob store when the server has one
-- (see archive.go). plan_archived says the run's sealed plan and its JSON are the blobs
-- runs/<id>/plan and runs/<id>/plan-json, with plan and plan_json NULL here.
-- log_archive_seq is the Seq of the last line in the blob runs/<id>/log-<seq>.gz, whose
-- lines left run_log_lines; 0 when the log has no archive.
ALTER TABLE runs ADD COLUMN plan_archived INTEGER NOT NULL DEFAULT 0 CHECK (plan_archived IN (0, 1));
ALTER TABLE runs ADD COLUMN log_archive_seq INTEGER NOT NULL DEFAULT 0 CHECK (log_archive_seq >= 0);
