-- 0009 (PostgreSQL): the run whose credentials took a state lock (package state).
--
-- Only that run may release the lock or write state under it, and the
-- deployment page shows it as the lock's holder beside the lock info
-- Terraform sent (which the holder wrote itself, so it proves nothing).
-- Locks taken before this column existed have no run: no run's credentials
-- release them; an operator force-unlocks them on the deployment page.
ALTER TABLE state_locks ADD COLUMN run_id TEXT COLLATE "C"
	CHECK (run_id IS NULL OR length(run_id) BETWEEN 1 AND 64);
