-- 0013 (PostgreSQL): saved plans stored sealed, and the id of the key that seals.
--
-- A saved plan holds the values of the run's variables, TF_VAR_ secrets among
-- them, and its JSON every value of the plan: package runs seals both with the
-- secret key (AES-256-GCM, bound to the run) before they reach the store.
-- plan_sealed says a row's plan and plan_json are sealed; rows written before
-- this migration hold them in the clear (0) until the run service seals them
-- at its next start.
ALTER TABLE runs ADD COLUMN plan_sealed BIGINT NOT NULL DEFAULT 0 CHECK (plan_sealed IN (0, 1));

-- The id of the key that sealed the database's secrets and plans (package
-- secrets derives it from the key; it tells nothing of the key itself), so a
-- lost or wrong key is found at start, before anything is sealed beside the
-- old values or a run fails on them. One row at most.
CREATE TABLE secret_key (
	id          BIGINT PRIMARY KEY CHECK (id = 1),
	key_id      TEXT COLLATE "C" NOT NULL CHECK (length(key_id) BETWEEN 1 AND 128),
	recorded_at TEXT COLLATE "C" NOT NULL
);
