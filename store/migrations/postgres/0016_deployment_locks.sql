-- 0016 (PostgreSQL): each deployment's dependency lock file (.terraform.lock.hcl), and the
-- candidate an "upgrade providers" request made, waiting to be used or discarded.
--
-- lock is the file as terraform wrote it (or as an upgrade made it); who wrote it
-- is a run (run_id) or a user (updated_by), and reason says why. A candidate
-- keeps the lock it was made from (base, empty when the deployment had none), so
-- using it refuses a candidate whose base is no longer the deployment's lock.
-- Both go with their deployment.
CREATE TABLE deployment_locks (
	deployment_id BIGINT PRIMARY KEY REFERENCES deployments (id) ON DELETE CASCADE,
	lock          BYTEA NOT NULL,
	updated_at    TEXT COLLATE "C" NOT NULL,
	updated_by    TEXT COLLATE "C" NOT NULL DEFAULT '',
	run_id        TEXT COLLATE "C" NOT NULL DEFAULT '',
	reason        TEXT COLLATE "C" NOT NULL DEFAULT ''
);

CREATE TABLE deployment_lock_candidates (
	deployment_id BIGINT PRIMARY KEY REFERENCES deployments (id) ON DELETE CASCADE,
	lock          BYTEA NOT NULL,
	base          BYTEA NOT NULL,
	created_at    TEXT COLLATE "C" NOT NULL,
	created_by    TEXT COLLATE "C" NOT NULL DEFAULT ''
);
