DROP TABLE agreement_documents;
DROP TABLE agreement_commitments;
DROP TABLE agreements;
