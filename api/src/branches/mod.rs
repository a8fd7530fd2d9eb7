//! Branches: the party organisation tree (党工委 → 党委 → 总支 → 支部 → 党小组), each node
//! attached to the region it serves.
pub mod committees;
pub mod dto;
pub mod model;
pub mod routes;
pub mod service;
