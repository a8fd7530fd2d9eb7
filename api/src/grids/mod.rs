//! Grids (网格): the cells a community is cut into, each a branch's responsibility area, with its
//! boundary on a map and the three grid roles (一格三员) with their history.
pub mod dto;
pub mod geo;
pub mod routes;
pub mod service;
