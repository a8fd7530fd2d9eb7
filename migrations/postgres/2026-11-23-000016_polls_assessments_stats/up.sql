-- Satisfaction polls (民意测评) of a community's cadres. Votes are anonymous by construction:
-- a ballot row says only that an account has voted (no time, no choice), and each cadre keeps
-- only the tallies, so not even the database can tell who voted what.
CREATE TABLE polls (
    id TEXT PRIMARY KEY NOT NULL,
    community_id TEXT NOT NULL REFERENCES regions(id),
    title TEXT NOT NULL,
    opens_at TIMESTAMP NOT NULL,
    closes_at TIMESTAMP NOT NULL,
    closed_at TIMESTAMP,
    rectification_days INTEGER NOT NULL,
    ballots INTEGER NOT NULL DEFAULT 0,
    created_by TEXT NOT NULL REFERENCES users(id),
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX polls_community ON polls(community_id, closes_at);

CREATE TABLE poll_cadres (
    id TEXT PRIMARY KEY NOT NULL,
    poll_id TEXT NOT NULL REFERENCES polls(id),
    name TEXT NOT NULL,
    position TEXT NOT NULL,
    sort INTEGER NOT NULL,
    satisfied INTEGER NOT NULL DEFAULT 0,
    basically_satisfied INTEGER NOT NULL DEFAULT 0,
    dissatisfied INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX poll_cadres_poll ON poll_cadres(poll_id, sort);

CREATE TABLE poll_ballots (
    poll_id TEXT NOT NULL REFERENCES polls(id),
    voter_id TEXT NOT NULL REFERENCES users(id),
    PRIMARY KEY (poll_id, voter_id)
);

-- A warned cadre's rectification (整改) with its deadline.
CREATE TABLE rectifications (
    id TEXT PRIMARY KEY NOT NULL,
    poll_id TEXT NOT NULL REFERENCES polls(id),
    cadre_id TEXT NOT NULL REFERENCES poll_cadres(id),
    cadre_name TEXT NOT NULL,
    satisfaction_rate DOUBLE PRECISION NOT NULL,
    due_on DATE NOT NULL,
    plan TEXT,
    report TEXT,
    status TEXT NOT NULL,
    completed_at TIMESTAMP,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX rectifications_cadre ON rectifications(cadre_id);

-- The five-good (五好) score sheet of a community for a year: the assessors' entries, and when
-- final, the computed items frozen as they were.
CREATE TABLE assessments (
    id TEXT PRIMARY KEY NOT NULL,
    community_id TEXT NOT NULL REFERENCES regions(id),
    year INTEGER NOT NULL,
    entered TEXT NOT NULL DEFAULT '{}',
    computed TEXT,
    status TEXT NOT NULL,
    finalized_at TIMESTAMP,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX assessments_community_year ON assessments(community_id, year);

-- Figures frozen "as of" a past date, so year-end figures stay what they were when the tree or
-- the rosters change later.
CREATE TABLE stat_snapshots (
    scope_key TEXT NOT NULL,
    period_from DATE NOT NULL,
    as_of DATE NOT NULL,
    figures TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (scope_key, period_from, as_of)
);
