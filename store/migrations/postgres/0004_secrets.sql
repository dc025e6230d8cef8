-- 0004 (PostgreSQL): environment secrets, stored encrypted.
--
-- The store never sees a secret's value: ciphertext is sealed and opened
-- by the secrets package (AES-256-GCM, with the project, environment and
-- name as additional data, so a row copied under another name or
-- environment does not open). The name check repeats the secrets
-- package's rule, an environment variable name of at most 128 characters,
-- so that rows written by hand obey it too. The regular expressions are
-- case-sensitive; the byte length keeps the name to ASCII.
CREATE TABLE environment_secrets (
	environment_id BIGINT NOT NULL REFERENCES environments (id) ON DELETE CASCADE,
	name           TEXT COLLATE "C" NOT NULL
	               CHECK (length(name) BETWEEN 1 AND 128
	                      AND name !~ '[^A-Za-z0-9_]'
	                      AND name ~ '^[A-Za-z_]'
	                      AND octet_length(name) = length(name)),
	ciphertext     BYTEA NOT NULL CHECK (length(ciphertext) > 0),
	updated_at     TEXT COLLATE "C" NOT NULL,
	PRIMARY KEY (environment_id, name)
);
