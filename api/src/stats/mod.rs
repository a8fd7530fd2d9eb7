//! Statistics for any region or branch subtree and period: one overview built from additive
//! counters per region (so any subtree, its children and the whole city are sums of the same
//! rows), a monthly series, per-grid figures for the map, figures frozen "as of" a past date,
//! an XLSX export, and the five-good (五好) assessment on top.
pub mod assessment;
pub mod compute;
pub mod dto;
pub mod routes;
pub mod service;
