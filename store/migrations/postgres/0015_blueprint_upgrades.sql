-- 0015 (PostgreSQL): what an import of Terraform written for an older provider version held
-- back, kept with the blueprint until it is fixed.
--
-- One row per blueprint: the configuration as it was imported (sources, a JSON
-- object of file name to text) and the upgrade report (package upgrade's JSON),
-- with the blueprint version that import made. Both are opaque to the store. A
-- later upgrade import of the same blueprint replaces the row; an import that
-- holds nothing back, or the blueprint's deletion, removes it.
CREATE TABLE blueprint_upgrades (
	blueprint_id BIGINT PRIMARY KEY REFERENCES blueprints (id) ON DELETE CASCADE,
	version      BIGINT NOT NULL CHECK (version >= 1),
	sources      BYTEA NOT NULL,
	report       BYTEA NOT NULL,
	created_at   TEXT COLLATE "C" NOT NULL
);
