-- 0022 (PostgreSQL): the catalog the last crawl published, so every replica of a server
-- takes it (see catalog.go). One row at most: generation counts publications up from 1,
-- sha256 is the hex SHA-256 of blob, the catalog's files as a gzipped tar (at most 64 MiB,
-- see MaxCatalogBytes). Replicas poll generation alone and read the blob only when it moved.
CREATE TABLE catalog_publication (
	id           BIGINT PRIMARY KEY CHECK (id = 1),
	generation   BIGINT NOT NULL CHECK (generation >= 1),
	sha256       TEXT COLLATE "C" NOT NULL CHECK (length(sha256) = 64),
	published_at TEXT COLLATE "C" NOT NULL,
	size         BIGINT NOT NULL CHECK (size >= 0),
	blob         BYTEA NOT NULL
);
