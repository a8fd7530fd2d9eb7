DROP TABLE concern_photos;
DROP TABLE concern_events;
DROP TABLE concerns;
DROP TABLE concern_routes;
