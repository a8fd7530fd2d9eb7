DROP TABLE check_ins;
DROP TABLE calendar_feeds;
