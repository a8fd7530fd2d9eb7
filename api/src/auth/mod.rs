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

/// Registers this domain's endpoints (in this order: actix tries them in turn).
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(routes::login)
        .service(routes::refresh)
        .service(routes::logout)
        .service(routes::client_token)
        .service(routes::me);
}
