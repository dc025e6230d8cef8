-- 0004: environment secrets, stored encrypted.
--
-- The store never sees a secret's value: ciphertext is sealed and opened
-- by the secrets package (AES-256-GCM, with the project, environment and
-- name as additional data, so a row copied under another name or
-- environment does not open). The name check repeats the secrets
-- package's rule, an environment variable name of at most 128 characters,
-- so that rows written by hand obey it too. GLOB is case-sensitive; it
-- and length() stop at a NUL, which the byte length catches.
CREATE TABLE environment_secrets (
	environment_id INTEGER NOT NULL REFERENCES environments (id) ON DELETE CASCADE,
	name           TEXT NOT NULL
	               CHECK (length(name) BETWEEN 1 AND 128
	                      AND name NOT GLOB '*[^A-Za-z0-9_]*'
	                      AND substr(name, 1, 1) GLOB '[A-Za-z_]'
	                      AND length(CAST(name AS BLOB)) = length(name)),
	ciphertext     BLOB NOT NULL CHECK (length(ciphertext) > 0),
	updated_at     TEXT NOT NULL,
	PRIMARY KEY (environment_id, name)
) STRICT;
