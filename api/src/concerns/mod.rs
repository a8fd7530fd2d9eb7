//! Resident concerns (社情民意 / 矛盾联动化解): one state machine from report to the reporter's
//! feedback, routing by category with due times, warnings and escalation, repeats linked, the
//! 12345 hot-line measures, and an Open311 GeoReport v2 facade.
pub mod dto;
pub mod metrics;
pub mod open311;
pub mod routes;
pub mod service;
