-- 0024: how far a run's executing stage (or its last one) has got, as the runs package's
-- Progress in JSON, written by the server executing it about once a second, so the run
-- page on every server shows the progress bar. NULL before a stage reported any.
ALTER TABLE runs ADD COLUMN progress TEXT;
