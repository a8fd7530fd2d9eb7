-- Volunteers (志愿者), volunteer teams (志愿服务队), their activities with sign-ups and
-- check-ins, and one ledger of service hours (服务时长).
--
-- A volunteer is a person who serves: a party member (member_id) or a resident, with an account
-- (user_id) or kept by staff. Every hour is one row of `service_hours`, whatever its source; a
-- row is never updated or deleted: a correction is a reversing row (`reverses_id`, minutes
-- negated; each row reversed at most once) and, when it replaces, a new row. Totals are sums, so
-- they always reconcile. `service_hours_monthly` is the per-person, per-community, per-month sum
-- of the ledger, kept in the same transaction as every ledger row, for rankings and cards.
CREATE TABLE volunteers (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    phone TEXT,
    member_id TEXT REFERENCES members(id),
    user_id TEXT REFERENCES users(id),
    region_id TEXT NOT NULL REFERENCES regions(id),
    specialties TEXT NOT NULL DEFAULT '[]',
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX volunteers_member ON volunteers(member_id);
CREATE UNIQUE INDEX volunteers_user ON volunteers(user_id);
CREATE INDEX volunteers_region ON volunteers(region_id, name);

CREATE TABLE volunteer_teams (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    colour TEXT,
    specialties TEXT NOT NULL DEFAULT '[]',
    description TEXT,
    region_id TEXT NOT NULL REFERENCES regions(id),
    branch_id TEXT REFERENCES branches(id),
    leader_id TEXT REFERENCES volunteers(id),
    status TEXT NOT NULL DEFAULT 'active',
    member_count INTEGER NOT NULL DEFAULT 0,
    calendar_secret TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX volunteer_teams_name ON volunteer_teams(region_id, name);
CREATE UNIQUE INDEX volunteer_teams_calendar ON volunteer_teams(calendar_secret);

CREATE TABLE team_members (
    team_id TEXT NOT NULL REFERENCES volunteer_teams(id),
    volunteer_id TEXT NOT NULL REFERENCES volunteers(id),
    joined_on DATE NOT NULL,
    PRIMARY KEY (team_id, volunteer_id)
);
CREATE INDEX team_members_volunteer ON team_members(volunteer_id);

-- `code_secret` keys the rotating check-in code the organiser shows; the venue's position and
-- radius bound check-in by place.
CREATE TABLE activities (
    id TEXT PRIMARY KEY NOT NULL,
    team_id TEXT NOT NULL REFERENCES volunteer_teams(id),
    title TEXT NOT NULL,
    description TEXT,
    place TEXT NOT NULL,
    latitude DOUBLE PRECISION,
    longitude DOUBLE PRECISION,
    check_in_radius_m INTEGER NOT NULL DEFAULT 200,
    starts_at TIMESTAMP NOT NULL,
    ends_at TIMESTAMP NOT NULL,
    capacity INTEGER NOT NULL,
    confirmed_count INTEGER NOT NULL DEFAULT 0,
    waitlist_count INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL DEFAULT 'scheduled',
    code_secret TEXT NOT NULL,
    created_by TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX activities_team ON activities(team_id, starts_at);
CREATE INDEX activities_starts ON activities(starts_at);

CREATE TABLE activity_signups (
    activity_id TEXT NOT NULL REFERENCES activities(id),
    volunteer_id TEXT NOT NULL REFERENCES volunteers(id),
    status TEXT NOT NULL,
    signed_up_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    checked_in_at TIMESTAMP,
    checked_out_at TIMESTAMP,
    check_in_method TEXT,
    attendance TEXT,
    PRIMARY KEY (activity_id, volunteer_id)
);
CREATE INDEX activity_signups_volunteer ON activity_signups(volunteer_id, signed_up_at);
CREATE INDEX activity_signups_queue ON activity_signups(activity_id, status, signed_up_at);

CREATE TABLE service_hours (
    id TEXT PRIMARY KEY NOT NULL,
    volunteer_id TEXT NOT NULL REFERENCES volunteers(id),
    team_id TEXT REFERENCES volunteer_teams(id),
    region_id TEXT NOT NULL REFERENCES regions(id),
    source TEXT NOT NULL,
    source_id TEXT,
    kind TEXT NOT NULL,
    minutes INTEGER NOT NULL,
    served_on DATE NOT NULL,
    reverses_id TEXT REFERENCES service_hours(id),
    note TEXT,
    recorded_by TEXT,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX service_hours_reverses ON service_hours(reverses_id);
CREATE INDEX service_hours_volunteer ON service_hours(volunteer_id, served_on);
CREATE INDEX service_hours_source ON service_hours(source_id, volunteer_id);
CREATE INDEX service_hours_team ON service_hours(team_id, served_on);

CREATE TABLE service_hours_monthly (
    region_id TEXT NOT NULL REFERENCES regions(id),
    month TEXT NOT NULL,
    volunteer_id TEXT NOT NULL REFERENCES volunteers(id),
    credited_minutes BIGINT NOT NULL DEFAULT 0,
    make_up_minutes BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (region_id, month, volunteer_id)
);
CREATE INDEX service_hours_monthly_volunteer ON service_hours_monthly(volunteer_id, month);

-- Hours added by hand (补录): asked for, then approved (which writes the ledger row) or refused.
CREATE TABLE hour_claims (
    id TEXT PRIMARY KEY NOT NULL,
    volunteer_id TEXT NOT NULL REFERENCES volunteers(id),
    team_id TEXT NOT NULL REFERENCES volunteer_teams(id),
    activity_id TEXT REFERENCES activities(id),
    minutes INTEGER NOT NULL,
    served_on DATE NOT NULL,
    reason TEXT NOT NULL,
    status TEXT NOT NULL,
    requested_by TEXT NOT NULL,
    requested_at TIMESTAMP NOT NULL,
    decided_by TEXT,
    decided_at TIMESTAMP,
    decision_note TEXT,
    entry_id TEXT REFERENCES service_hours(id)
);
CREATE INDEX hour_claims_team ON hour_claims(team_id, status, requested_at);
CREATE INDEX hour_claims_volunteer ON hour_claims(volunteer_id, requested_at);

INSERT INTO data_versions (name, version) VALUES ('service_hours', 0);
