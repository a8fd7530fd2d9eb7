//! Households in grids: addresses, residents, the head of household (personal data, masked), tags
//! for key groups; and the grid workers' visits with the coverage targets from the seed reports.
pub mod dto;
pub mod import;
pub mod routes;
pub mod service;
pub mod visits;
