-- 0017: the results of the providers' check (package providercheck), by the hash
-- of what decides them: the generated files, the provider versions and
-- terraform's version. The result is a JSON document opaque to the store. Rows
-- are a cache: any can be dropped, and the oldest are when there are too many.
CREATE TABLE provider_checks (
	key        TEXT PRIMARY KEY CHECK (length(key) BETWEEN 1 AND 128),
	result     BLOB NOT NULL,
	checked_at TEXT NOT NULL
) STRICT;

CREATE INDEX provider_checks_checked_at ON provider_checks (checked_at);
