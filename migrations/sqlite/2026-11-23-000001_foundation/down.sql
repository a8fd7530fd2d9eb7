DROP TABLE idempotency_keys; DROP TABLE audit_events; DROP TABLE refresh_tokens; DROP TABLE grants; DROP TABLE users; DROP TABLE branches; DROP TABLE regions;
