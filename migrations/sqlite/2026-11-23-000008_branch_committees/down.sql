DROP TABLE branch_committees;
