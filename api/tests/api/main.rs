//! Black-box HTTP tests of the whole app on SQLite and PostgreSQL (see `common`).
mod common;

mod auth;
mod branches;
mod concerns;
mod concurrency;
mod contract;
mod grids;
mod hostile;
mod households;
mod import;
mod meetings;
mod members;
mod orders;
mod phones;
mod polls;
mod regions;
mod schema;
mod server;
mod services;
mod stats;
mod trust;
mod users;
mod volunteers;
