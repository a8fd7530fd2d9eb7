-- Party members (党员), their transfers between branches (组织关系转接), their places in
-- interest-based branches, and branch meetings (三会一课, 主题党日) with attendance.
--
-- The ID number (身份证号) is never stored in clear: `id_number_sealed` is AES-256-GCM under the
-- deployment's data key (bound to the member's id), `id_number_index` an HMAC of it for
-- duplicate checks and exact lookup, `id_number_masked` what lists show.
CREATE TABLE members (
    id TEXT PRIMARY KEY NOT NULL,
    branch_id TEXT NOT NULL REFERENCES branches(id),
    name TEXT NOT NULL,
    gender TEXT NOT NULL,
    birth_date DATE NOT NULL,
    id_number_sealed TEXT NOT NULL,
    id_number_index TEXT NOT NULL,
    id_number_masked TEXT NOT NULL,
    phone TEXT,
    education TEXT,
    joined_on DATE NOT NULL,
    join_md TEXT NOT NULL,
    full_member_on DATE,
    category TEXT NOT NULL,
    grid_id TEXT REFERENCES grids(id),
    household_id TEXT REFERENCES households(id),
    work_unit TEXT,
    user_id TEXT REFERENCES users(id),
    status TEXT NOT NULL DEFAULT 'active',
    status_changed_on DATE,
    status_reason TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX members_id_number ON members(id_number_index);
CREATE UNIQUE INDEX members_user ON members(user_id);
CREATE INDEX members_branch ON members(branch_id, status, name);
CREATE INDEX members_join_md ON members(join_md);
CREATE INDEX members_grid ON members(grid_id);

-- Transfers are requested out of one branch and accepted into another; the member stays in the
-- old branch until the receiving side accepts. `to_branch_id` is null for a transfer out of
-- the system (to another district), which makes the member historical once done.
CREATE TABLE member_transfers (
    id TEXT PRIMARY KEY NOT NULL,
    member_id TEXT NOT NULL REFERENCES members(id),
    from_branch_id TEXT NOT NULL REFERENCES branches(id),
    to_branch_id TEXT REFERENCES branches(id),
    destination TEXT,
    status TEXT NOT NULL,
    reason TEXT,
    requested_by TEXT NOT NULL,
    requested_at TIMESTAMP NOT NULL,
    decided_by TEXT,
    decided_at TIMESTAMP,
    decision_note TEXT
);
CREATE INDEX member_transfers_member ON member_transfers(member_id, requested_at);
CREATE INDEX member_transfers_to ON member_transfers(to_branch_id, status);

-- Interest-based branches (e.g. an art-troupe branch) a member also belongs to.
CREATE TABLE member_affiliations (
    id TEXT PRIMARY KEY NOT NULL,
    member_id TEXT NOT NULL REFERENCES members(id),
    branch_id TEXT NOT NULL REFERENCES branches(id),
    joined_on DATE NOT NULL,
    left_on DATE
);
CREATE INDEX member_affiliations_member ON member_affiliations(member_id);
CREATE INDEX member_affiliations_branch ON member_affiliations(branch_id, left_on);

CREATE TABLE meetings (
    id TEXT PRIMARY KEY NOT NULL,
    branch_id TEXT NOT NULL REFERENCES branches(id),
    kind TEXT NOT NULL,
    held_on DATE NOT NULL,
    topic TEXT NOT NULL,
    place TEXT,
    minutes TEXT,
    expected_count INTEGER NOT NULL DEFAULT 0,
    present_count INTEGER NOT NULL DEFAULT 0,
    excused_count INTEGER NOT NULL DEFAULT 0,
    recorded BOOLEAN NOT NULL DEFAULT FALSE,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX meetings_branch_date ON meetings(branch_id, held_on);
CREATE INDEX meetings_date ON meetings(held_on);

-- Who was expected (the branch's members when the meeting was called: later transfers do not
-- rewrite history) and how each attended.
CREATE TABLE meeting_attendance (
    meeting_id TEXT NOT NULL REFERENCES meetings(id),
    member_id TEXT NOT NULL REFERENCES members(id),
    member_name TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'unrecorded',
    reason TEXT,
    PRIMARY KEY (meeting_id, member_id)
);
CREATE INDEX meeting_attendance_member ON meeting_attendance(member_id);
