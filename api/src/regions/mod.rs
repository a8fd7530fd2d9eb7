//! Regions: the district → street → community tree that scopes almost every record.
pub mod dto;
pub mod model;
pub mod routes;
pub mod service;
