-- Micro-wishes (微心愿): posted by a resident, checked by the community, shown on the
-- community's wish wall (names masked), adopted by a volunteer or a unit, fulfilled, thanked.
CREATE TABLE wishes (
    id TEXT PRIMARY KEY NOT NULL,
    community_id TEXT NOT NULL REFERENCES regions(id),
    resident_id TEXT NOT NULL REFERENCES users(id),
    resident_name TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT,
    status TEXT NOT NULL,
    decision_note TEXT,
    adopter_type TEXT,
    adopter_id TEXT,
    adopter_name TEXT,
    approved_at TIMESTAMP,
    adopted_at TIMESTAMP,
    fulfilled_at TIMESTAMP,
    evidence TEXT NOT NULL DEFAULT '[]',
    minutes INTEGER,
    thanks TEXT,
    thanked_at TIMESTAMP,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX wishes_wall ON wishes(community_id, status, created_at);
CREATE INDEX wishes_resident ON wishes(resident_id, created_at);
