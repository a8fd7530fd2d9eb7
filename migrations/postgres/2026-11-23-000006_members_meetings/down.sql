DROP TABLE meeting_attendance;
DROP TABLE meetings;
DROP TABLE member_affiliations;
DROP TABLE member_transfers;
DROP TABLE members;
