-- 0010 (PostgreSQL): repeated audit entries kept as one row with a count.
--
-- An event that can repeat without bound (a refused sign-in) is recorded
-- once per window under a repeat key; each repeat within the window adds
-- one to count and moves last_at. Other entries keep count 1, an empty
-- last_at and an empty repeat_key.

ALTER TABLE audit_log ADD COLUMN count BIGINT NOT NULL DEFAULT 1 CHECK (count >= 1);
ALTER TABLE audit_log ADD COLUMN last_at TEXT COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE audit_log ADD COLUMN repeat_key TEXT COLLATE "C" NOT NULL DEFAULT '';

CREATE INDEX audit_log_repeat_key ON audit_log (repeat_key, id) WHERE repeat_key != '';
