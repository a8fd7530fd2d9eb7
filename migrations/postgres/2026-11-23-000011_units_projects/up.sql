-- Co-building units (驻区单位 / 共建单位), their pairing with communities (结对共建), and the
-- street's yearly list of service projects (项目化) in two-level categories, claimed by units (认领)
-- up to each project's need.
CREATE TABLE units (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    party_org TEXT,
    address TEXT,
    contact_name TEXT,
    contact_phone TEXT,
    region_id TEXT NOT NULL REFERENCES regions(id),
    status TEXT NOT NULL DEFAULT 'active',
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX units_name ON units(name);
CREATE INDEX units_region ON units(region_id, name);

CREATE TABLE unit_pairings (
    unit_id TEXT NOT NULL REFERENCES units(id),
    community_id TEXT NOT NULL REFERENCES regions(id),
    paired_on DATE NOT NULL,
    PRIMARY KEY (unit_id, community_id)
);
CREATE INDEX unit_pairings_community ON unit_pairings(community_id);

CREATE TABLE service_categories (
    id TEXT PRIMARY KEY NOT NULL,
    region_id TEXT NOT NULL REFERENCES regions(id),
    year INTEGER NOT NULL,
    parent_id TEXT REFERENCES service_categories(id),
    name TEXT NOT NULL,
    sort INTEGER NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX service_categories_name ON service_categories(region_id, year, name);

CREATE TABLE service_projects (
    id TEXT PRIMARY KEY NOT NULL,
    region_id TEXT NOT NULL REFERENCES regions(id),
    year INTEGER NOT NULL,
    category_id TEXT NOT NULL REFERENCES service_categories(id),
    name TEXT NOT NULL,
    description TEXT,
    need INTEGER NOT NULL,
    claimed INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL DEFAULT 'open',
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX service_projects_year ON service_projects(region_id, year, category_id);

CREATE TABLE project_claims (
    id TEXT PRIMARY KEY NOT NULL,
    project_id TEXT NOT NULL REFERENCES service_projects(id),
    unit_id TEXT NOT NULL REFERENCES units(id),
    commitment TEXT NOT NULL,
    capacity INTEGER,
    starts_on DATE NOT NULL,
    ends_on DATE NOT NULL,
    status TEXT NOT NULL DEFAULT 'active',
    claimed_by TEXT NOT NULL,
    claimed_at TIMESTAMP NOT NULL,
    withdrawn_at TIMESTAMP
);
CREATE UNIQUE INDEX project_claims_unit ON project_claims(project_id, unit_id);
CREATE INDEX project_claims_by_unit ON project_claims(unit_id, status);
