DROP TABLE project_claims;
DROP TABLE service_projects;
DROP TABLE service_categories;
DROP TABLE unit_pairings;
DROP TABLE units;
