-- Grids (网格): a community's cells of about 400 households, each a branch's responsibility area,
-- with a WGS-84 GeoJSON boundary and its bounding box (for the point lookup's index prefilter),
-- and the history of who held each of the three grid roles (一格三员).
CREATE TABLE grids (
    id TEXT PRIMARY KEY NOT NULL,
    community_id TEXT NOT NULL REFERENCES regions(id),
    branch_id TEXT REFERENCES branches(id),
    name TEXT NOT NULL,
    code TEXT,
    household_count INTEGER NOT NULL DEFAULT 0,
    boundary TEXT,
    min_lng DOUBLE PRECISION,
    min_lat DOUBLE PRECISION,
    max_lng DOUBLE PRECISION,
    max_lat DOUBLE PRECISION,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX grids_community_name ON grids(community_id, name);
CREATE UNIQUE INDEX grids_code ON grids(code);
CREATE INDEX grids_branch ON grids(branch_id);
CREATE INDEX grids_bbox ON grids(min_lng, max_lng, min_lat, max_lat);

CREATE TABLE grid_roles (
    id TEXT PRIMARY KEY NOT NULL,
    grid_id TEXT NOT NULL REFERENCES grids(id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    user_id TEXT REFERENCES users(id),
    person_name TEXT NOT NULL,
    started_on DATE NOT NULL,
    ended_on DATE,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX grid_roles_grid ON grid_roles(grid_id, role, ended_on);
CREATE INDEX grid_roles_user ON grid_roles(user_id);
