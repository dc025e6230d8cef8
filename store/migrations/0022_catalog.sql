-- 0022: the catalog the last crawl published, so every replica of a server takes it (see
-- catalog.go). One row at most: generation counts publications up from 1, sha256 is the
-- hex SHA-256 of blob, the catalog's files as a gzipped tar (at most 64 MiB, see
-- MaxCatalogBytes). Replicas poll generation alone and read the blob only when it moved.
CREATE TABLE catalog_publication (
	id           INTEGER PRIMARY KEY CHECK (id = 1),
	generation   INTEGER NOT NULL CHECK (generation >= 1),
	sha256       TEXT NOT NULL CHECK (length(sha256) = 64),
	published_at TEXT NOT NULL,
	size         INTEGER NOT NULL CHECK (size >= 0),
	blob         BLOB NOT NULL
) STRICT;
