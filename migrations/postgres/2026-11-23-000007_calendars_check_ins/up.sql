-- Subscribable calendars: phone calendars cannot send a bearer token, so each user may have one
-- secret feed URL; only its SHA-256 is kept, and rotating it revokes the old URL.
CREATE TABLE calendar_feeds (
    user_id TEXT PRIMARY KEY NOT NULL REFERENCES users(id),
    token_hash TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX calendar_feeds_token ON calendar_feeds(token_hash);

-- Check-ins (双报到): an in-service member registers with the community where they live; the
-- community sees who has checked in; ending a check-in keeps it in history.
CREATE TABLE check_ins (
    id TEXT PRIMARY KEY NOT NULL,
    member_id TEXT NOT NULL REFERENCES members(id),
    community_id TEXT NOT NULL REFERENCES regions(id),
    checked_in_on DATE NOT NULL,
    ended_on DATE,
    note TEXT,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX check_ins_member ON check_ins(member_id, ended_on);
CREATE INDEX check_ins_community ON check_ins(community_id, ended_on);
