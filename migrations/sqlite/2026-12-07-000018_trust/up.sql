-- Trust (issue 14): sessions that end at once, sign-in throttled per account and source, poll
-- electorates, idempotency keys that a crash cannot leave stuck, and jobs with a lease.

-- Every access token carries the account's session version; sign-out, a password change, a role
-- change or a detected refresh-token reuse bumps it, which ends every session of the account.
ALTER TABLE users ADD COLUMN session_version INTEGER NOT NULL DEFAULT 0;
-- The home community of a resident or member: who is in a community poll's electorate (and the
-- default community of their screens).
ALTER TABLE users ADD COLUMN community_id TEXT REFERENCES regions(id);
CREATE INDEX users_community ON users(community_id);
-- Members' accounts start in the community of their grid, else of the region their branch serves.
UPDATE users SET community_id = COALESCE(
    (SELECT g.community_id FROM members m JOIN grids g ON g.id = m.grid_id WHERE m.user_id = users.id),
    (SELECT r.id FROM members m JOIN branches b ON b.id = m.branch_id JOIN regions r ON r.id = b.region_id
      WHERE m.user_id = users.id AND r.level = 'community'))
WHERE community_id IS NULL;

-- Failed sign-ins counted per account and source address: one source cannot lock the account
-- for everyone else, and each further failure from it doubles the wait.
CREATE TABLE login_throttles (
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    source TEXT NOT NULL,
    failures INTEGER NOT NULL,
    blocked_until TIMESTAMP,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, source)
);
CREATE INDEX login_throttles_updated ON login_throttles(updated_at);

-- A poll's electorate: `community` (the residents and members whose home community it is) or
-- `list` (the accounts in poll_electors). Its size is fixed when the poll closes.
ALTER TABLE polls ADD COLUMN electorate TEXT NOT NULL DEFAULT 'community';
ALTER TABLE polls ADD COLUMN electorate_size INTEGER;
CREATE TABLE poll_electors (
    poll_id TEXT NOT NULL REFERENCES polls(id),
    user_id TEXT NOT NULL REFERENCES users(id),
    PRIMARY KEY (poll_id, user_id)
);
CREATE INDEX poll_electors_user ON poll_electors(user_id);

-- An idempotency key is claimed for a lease (seconds, not the key's 24 hours), and the business
-- transaction itself marks it committed: after a crash a retry either replays the answer, learns
-- that the request was carried out, or runs (once) because nothing was committed.
ALTER TABLE idempotency_keys ADD COLUMN lease_until TIMESTAMP;
ALTER TABLE idempotency_keys ADD COLUMN committed_at TIMESTAMP;

-- A running job holds a lease that its progress renews; a job whose lease ran out (its server
-- stopped) is failed by the minute sweep of any server, with a message.
ALTER TABLE jobs ADD COLUMN lease_until TIMESTAMP;
CREATE INDEX jobs_open ON jobs(status, lease_until);
