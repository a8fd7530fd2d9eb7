//! Volunteers (志愿者), volunteer teams (志愿服务队), their activities with sign-up and
//! fraud-resistant check-in, and the one ledger of service hours (服务时长) with the service card.
pub mod activities;
pub mod card;
pub mod checkin;
pub mod dto;
pub mod ledger;
pub mod routes;
pub mod teams;
