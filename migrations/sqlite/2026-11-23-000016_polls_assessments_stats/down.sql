DROP TABLE stat_snapshots;
DROP TABLE assessments;
DROP TABLE rectifications;
DROP TABLE poll_ballots;
DROP TABLE poll_cadres;
DROP TABLE polls;
