-- Phone numbers sealed at rest, like members' ID numbers: each phone column gets its sealed value
-- (AES-256-GCM bound to the row, `v1:` + base64), a blind index (HMAC-SHA256 of the digits) for
-- exact lookups, and the masked form that lists show. The clear columns stay (nullable) until
-- every deployment has run the start-up step that seals existing rows and empties them
-- (`tongxin::phones::seal_at_rest`); no code writes them any more.
ALTER TABLE households ADD COLUMN head_phone_sealed TEXT;
ALTER TABLE households ADD COLUMN head_phone_index TEXT;
ALTER TABLE households ADD COLUMN head_phone_masked TEXT;
CREATE INDEX households_head_phone_index ON households(head_phone_index);

ALTER TABLE members ADD COLUMN phone_sealed TEXT;
ALTER TABLE members ADD COLUMN phone_index TEXT;
ALTER TABLE members ADD COLUMN phone_masked TEXT;
CREATE INDEX members_phone_index ON members(phone_index);

ALTER TABLE volunteers ADD COLUMN phone_sealed TEXT;
ALTER TABLE volunteers ADD COLUMN phone_index TEXT;
ALTER TABLE volunteers ADD COLUMN phone_masked TEXT;
CREATE INDEX volunteers_phone_index ON volunteers(phone_index);

ALTER TABLE units ADD COLUMN contact_phone_sealed TEXT;
ALTER TABLE units ADD COLUMN contact_phone_index TEXT;
ALTER TABLE units ADD COLUMN contact_phone_masked TEXT;
CREATE INDEX units_contact_phone_index ON units(contact_phone_index);

ALTER TABLE service_orders ADD COLUMN contact_phone_sealed TEXT;
ALTER TABLE service_orders ADD COLUMN contact_phone_index TEXT;
ALTER TABLE service_orders ADD COLUMN contact_phone_masked TEXT;
CREATE INDEX service_orders_contact_phone_index ON service_orders(contact_phone_index);

ALTER TABLE concerns ADD COLUMN contact_phone_sealed TEXT;
ALTER TABLE concerns ADD COLUMN contact_phone_index TEXT;
ALTER TABLE concerns ADD COLUMN contact_phone_masked TEXT;
CREATE INDEX concerns_contact_phone_index ON concerns(contact_phone_index);

-- Whose personal data an event revealed (a user id), so that the person can see who looked.
ALTER TABLE audit_events ADD COLUMN subject_id TEXT;
CREATE INDEX audit_events_subject ON audit_events(subject_id, at);
