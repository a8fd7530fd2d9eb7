//! Party members (党员): the roster, transfers between branches, interest-based branches.
pub mod birthdays;
pub mod check_ins;
pub mod dto;
pub mod id_number;
pub mod import;
pub mod routes;
pub mod service;
pub mod transfers;
