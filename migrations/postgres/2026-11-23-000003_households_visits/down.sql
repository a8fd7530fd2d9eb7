DROP TABLE visits; DROP TABLE households;
