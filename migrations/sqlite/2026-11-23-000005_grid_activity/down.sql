ALTER TABLE grids DROP COLUMN activity_version;
