-- 0017 (PostgreSQL): the results of the providers' check (package providercheck), by the hash
-- of what decides them: the generated files, the provider versions and
-- terraform's version. The result is a JSON document opaque to the store. Rows
-- are a cache: any can be dropped, and the oldest are when there are too many.
CREATE TABLE provider_checks (
	key        TEXT COLLATE "C" PRIMARY KEY CHECK (length(key) BETWEEN 1 AND 128),
	result     BYTEA NOT NULL,
	checked_at TEXT COLLATE "C" NOT NULL
);

CREATE INDEX provider_checks_checked_at ON provider_checks (checked_at);
