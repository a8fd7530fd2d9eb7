-- Bumped by every write to a grid's households or visits, so that reports computed from them
-- (visit coverage) can be cached and still be exact: a cached report names the versions of
-- the grids it was computed from, and any instance can tell whether it is still current.
ALTER TABLE grids ADD COLUMN activity_version BIGINT NOT NULL DEFAULT 0;
