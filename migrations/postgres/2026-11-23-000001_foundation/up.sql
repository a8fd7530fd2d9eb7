-- Foundation: the region and branch trees, users with grants, auth tokens, audit events, idempotency.
-- Paths are materialized as '/<id>/<id>/.../' so a subtree is one index range scan.
-- PostgreSQL: path uses the "C" collation so that byte order makes the prefix range scan correct.
CREATE TABLE regions (
    id TEXT PRIMARY KEY NOT NULL,
    parent_id TEXT REFERENCES regions(id),
    level TEXT NOT NULL,
    name TEXT NOT NULL,
    code TEXT,
    path TEXT COLLATE "C" NOT NULL,
    depth INTEGER NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX regions_path ON regions(path);
CREATE INDEX regions_parent ON regions(parent_id);
CREATE UNIQUE INDEX regions_code ON regions(code);

CREATE TABLE branches (
    id TEXT PRIMARY KEY NOT NULL,
    parent_id TEXT REFERENCES branches(id),
    region_id TEXT NOT NULL REFERENCES regions(id),
    kind TEXT NOT NULL,
    establishment TEXT NOT NULL,
    name TEXT NOT NULL,
    secretary_name TEXT,
    member_count INTEGER NOT NULL DEFAULT 0,
    path TEXT COLLATE "C" NOT NULL,
    depth INTEGER NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX branches_path ON branches(path);
CREATE INDEX branches_parent ON branches(parent_id);
CREATE INDEX branches_region_name ON branches(region_id, name, id);
CREATE INDEX branches_region_path ON branches(region_id, path, id);

CREATE TABLE users (
    id TEXT PRIMARY KEY NOT NULL,
    username TEXT NOT NULL,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until TIMESTAMP,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX users_username ON users(username);

CREATE TABLE grants (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    scope_type TEXT NOT NULL,
    scope_id TEXT,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX grants_user ON grants(user_id);
CREATE INDEX grants_scope ON grants(scope_type, scope_id);

CREATE TABLE refresh_tokens (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    family_id TEXT NOT NULL,
    token_hash TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    rotated_at TIMESTAMP,
    revoked_at TIMESTAMP
);
CREATE UNIQUE INDEX refresh_tokens_hash ON refresh_tokens(token_hash);
CREATE INDEX refresh_tokens_family ON refresh_tokens(family_id);

CREATE TABLE audit_events (
    id TEXT PRIMARY KEY NOT NULL,
    at TIMESTAMP NOT NULL,
    actor_id TEXT,
    actor_name TEXT,
    action TEXT NOT NULL,
    entity_type TEXT NOT NULL,
    entity_id TEXT,
    client_addr TEXT,
    detail TEXT
);
CREATE INDEX audit_events_entity ON audit_events(entity_type, entity_id, at);
CREATE INDEX audit_events_actor ON audit_events(actor_id, at);
CREATE INDEX audit_events_at ON audit_events(at);

CREATE TABLE idempotency_keys (
    id TEXT PRIMARY KEY NOT NULL,
    owner TEXT NOT NULL,
    key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status INTEGER,
    location TEXT,
    body TEXT,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX idempotency_keys_owner_key ON idempotency_keys(owner, key);
CREATE INDEX idempotency_keys_created ON idempotency_keys(created_at);
