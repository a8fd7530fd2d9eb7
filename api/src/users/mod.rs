//! Users and their role grants. Staff manage the accounts whose grants all lie inside their scope.
pub mod dto;
pub mod routes;
pub mod service;
