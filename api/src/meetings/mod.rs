//! Branch meetings (三会一课 and 主题党日) and their attendance.
pub mod dto;
pub mod routes;
pub mod service;
