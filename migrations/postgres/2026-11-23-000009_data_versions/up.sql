-- A version per kind of data, bumped in the same transaction as every write to it, so that any
-- instance can check a cached answer (a scope's per-group counts) with one primary-key read.
CREATE TABLE data_versions (
    name TEXT PRIMARY KEY NOT NULL,
    version BIGINT NOT NULL DEFAULT 0
);
INSERT INTO data_versions (name, version) VALUES ('households', 0), ('members', 0);
