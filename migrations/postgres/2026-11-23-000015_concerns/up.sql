-- Resident concerns (社情民意 / 矛盾联动化解): reported in a grid, routed by category to the
-- department or unit that can solve it with due times, accepted, worked on, resolved, and closed
-- only on the reporter's feedback; reopened when they are not satisfied; escalated to the
-- street when overdue or reopened three times. Repeats at the same place are linked.
-- (32 columns, diesel's limit here: the handler is a unit when handler_id is set, satisfied
-- feedback is feedback_count - reopen_count, a closed concern's updated_at is when it closed.)

-- Where a street sends each category, and how long acceptance and resolution may take.
CREATE TABLE concern_routes (
    street_id TEXT NOT NULL REFERENCES regions(id),
    category TEXT NOT NULL,
    handler_type TEXT NOT NULL,
    handler_id TEXT,
    handler_name TEXT NOT NULL,
    accept_hours INTEGER NOT NULL,
    resolve_hours INTEGER NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (street_id, category)
);

CREATE TABLE concerns (
    id TEXT PRIMARY KEY NOT NULL,
    community_id TEXT NOT NULL REFERENCES regions(id),
    grid_id TEXT REFERENCES grids(id),
    household_id TEXT REFERENCES households(id),
    visit_id TEXT REFERENCES visits(id),
    lng DOUBLE PRECISION,
    lat DOUBLE PRECISION,
    address TEXT,
    category TEXT NOT NULL,
    urgency TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    reporter_id TEXT NOT NULL REFERENCES users(id),
    reporter_name TEXT NOT NULL,
    contact_phone TEXT,
    channel TEXT NOT NULL,
    status TEXT NOT NULL,
    handler_id TEXT,
    handler_name TEXT NOT NULL,
    accept_due_at TIMESTAMP NOT NULL,
    resolve_due_at TIMESTAMP NOT NULL,
    accepted_at TIMESTAMP,
    resolved_at TIMESTAMP,
    resolution TEXT,
    reopen_count INTEGER NOT NULL DEFAULT 0,
    feedback_count INTEGER NOT NULL DEFAULT 0,
    warned_at TIMESTAMP,
    escalated_at TIMESTAMP,
    repeat_of_id TEXT REFERENCES concerns(id),
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX concerns_community ON concerns(community_id, created_at);
CREATE INDEX concerns_grid ON concerns(grid_id, category, created_at);
CREATE INDEX concerns_household ON concerns(household_id, category, created_at);
CREATE INDEX concerns_reporter ON concerns(reporter_id, created_at);
CREATE INDEX concerns_handler ON concerns(handler_id, status);
CREATE INDEX concerns_open_due ON concerns(status, resolve_due_at);
CREATE INDEX concerns_repeat ON concerns(repeat_of_id);

CREATE TABLE concern_events (
    id TEXT PRIMARY KEY NOT NULL,
    concern_id TEXT NOT NULL REFERENCES concerns(id),
    at TIMESTAMP NOT NULL,
    actor_id TEXT,
    actor_name TEXT,
    action TEXT NOT NULL,
    from_status TEXT,
    to_status TEXT NOT NULL,
    note TEXT
);
CREATE INDEX concern_events_concern ON concern_events(concern_id, at);

CREATE TABLE concern_photos (
    id TEXT PRIMARY KEY NOT NULL,
    concern_id TEXT NOT NULL REFERENCES concerns(id),
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    content BYTEA,
    url TEXT,
    uploaded_by TEXT NOT NULL REFERENCES users(id),
    uploaded_at TIMESTAMP NOT NULL
);
CREATE INDEX concern_photos_concern ON concern_photos(concern_id, uploaded_at);
