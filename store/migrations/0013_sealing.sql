-- 0013: saved plans stored sealed.
--
-- A saved plan holds the values of the run's variables, TF_VAR_ secrets among
-- them, and its JSON every value of the plan: package runs seals both with the
-- secret key (AES-256-GCM, bound to the run) before they reach the store.
-- plan_sealed says a row's plan and plan_json are sealed; rows written before
-- this migration hold them in the clear (0) until the run service seals them
-- at its next start.
ALTER TABLE runs ADD COLUMN plan_sealed INTEGER NOT NULL DEFAULT 0 CHECK (plan_sealed IN (0, 1));
