DELETE FROM data_versions WHERE name = 'service_hours';
DROP TABLE hour_claims;
DROP TABLE service_hours_monthly;
DROP TABLE service_hours;
DROP TABLE activity_signups;
DROP TABLE activities;
DROP TABLE team_members;
DROP TABLE volunteer_teams;
DROP TABLE volunteers;
