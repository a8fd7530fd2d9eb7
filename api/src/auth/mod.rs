//! Authentication (passwords, access tokens, rotating refresh tokens, lockout, rate limit) and
//! authorization (roles on scopes, the `Caller` extractor, the scope policy).
pub mod caller;
pub mod jwt;
pub mod password;
pub mod policy;
pub mod rate_limit;
pub mod roles;
pub mod routes;
pub mod service;

pub use caller::Caller;
pub use roles::{Role, ScopeType};
