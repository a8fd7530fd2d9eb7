DROP TABLE grid_roles; DROP TABLE grids;
