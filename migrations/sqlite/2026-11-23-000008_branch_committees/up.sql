-- Branch committees by term (换届): each row is one term with its members; the current committee
-- is the term that has started most recently. Terms are kept, never rewritten.
CREATE TABLE branch_committees (
    id TEXT PRIMARY KEY NOT NULL,
    branch_id TEXT NOT NULL REFERENCES branches(id),
    term_start DATE NOT NULL,
    term_end DATE NOT NULL,
    members TEXT NOT NULL DEFAULT '[]',
    created_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX branch_committees_term ON branch_committees(branch_id, term_start);
CREATE INDEX branch_committees_end ON branch_committees(term_end);
