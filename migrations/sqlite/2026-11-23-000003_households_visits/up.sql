-- Households in grids, and grid workers' visits to them (走访 / 入户).
-- An address (building, unit, room) is unique within a grid: it is the key that makes a
-- re-imported household list update rows instead of duplicating them.
CREATE TABLE households (
    id TEXT PRIMARY KEY NOT NULL,
    grid_id TEXT NOT NULL REFERENCES grids(id),
    building TEXT NOT NULL,
    unit TEXT NOT NULL DEFAULT '',
    room TEXT NOT NULL,
    residents INTEGER NOT NULL DEFAULT 1,
    head_name TEXT NOT NULL,
    head_phone TEXT,
    tags TEXT NOT NULL DEFAULT '',
    key_group BOOLEAN NOT NULL DEFAULT FALSE,
    last_visited_on DATE,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX households_address ON households(grid_id, building, unit, room);
CREATE INDEX households_grid_visited ON households(grid_id, last_visited_on);
CREATE INDEX households_grid_key ON households(grid_id, key_group);

CREATE TABLE visits (
    id TEXT PRIMARY KEY NOT NULL,
    household_id TEXT NOT NULL REFERENCES households(id),
    grid_id TEXT NOT NULL REFERENCES grids(id),
    worker_id TEXT REFERENCES users(id),
    worker_name TEXT NOT NULL,
    visited_on DATE NOT NULL,
    kind TEXT NOT NULL,
    notes TEXT,
    concern_found BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX visits_grid_date ON visits(grid_id, visited_on, household_id);
CREATE INDEX visits_household_date ON visits(household_id, visited_on);
CREATE INDEX visits_worker_date ON visits(worker_id, visited_on);
