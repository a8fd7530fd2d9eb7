-- Co-building agreements (共建协议) and yearly responsibility agreements (目标责任书) between a
-- unit and a community or the street: commitments with targets, the signed documents, and
-- progress computed from the orders the unit delivered (契约化服务).
CREATE TABLE agreements (
    id TEXT PRIMARY KEY NOT NULL,
    unit_id TEXT NOT NULL REFERENCES units(id),
    region_id TEXT NOT NULL REFERENCES regions(id),
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    starts_on DATE NOT NULL,
    ends_on DATE NOT NULL,
    signed_on DATE,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX agreements_unit ON agreements(unit_id, starts_on);
CREATE INDEX agreements_region ON agreements(region_id, starts_on);

CREATE TABLE agreement_commitments (
    id TEXT PRIMARY KEY NOT NULL,
    agreement_id TEXT NOT NULL REFERENCES agreements(id),
    description TEXT NOT NULL,
    category_id TEXT REFERENCES service_categories(id),
    target_orders INTEGER,
    target_minutes INTEGER,
    sort INTEGER NOT NULL
);
CREATE INDEX agreement_commitments_agreement ON agreement_commitments(agreement_id, sort);

-- Signed documents are kept in the database with everything else, so one backup holds them.
CREATE TABLE agreement_documents (
    id TEXT PRIMARY KEY NOT NULL,
    agreement_id TEXT NOT NULL REFERENCES agreements(id),
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    content BYTEA NOT NULL,
    uploaded_by TEXT NOT NULL,
    uploaded_at TIMESTAMP NOT NULL
);
CREATE INDEX agreement_documents_agreement ON agreement_documents(agreement_id, uploaded_at);
