//! Users and their role grants. Staff manage the accounts whose grants all lie inside their scope.
pub mod dto;
pub mod routes;
pub mod service;

/// Registers this domain's endpoints (in this order: actix tries them in turn).
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(routes::list)
        .service(routes::create)
        .service(routes::get)
        .service(routes::update)
        .service(routes::delete)
        .service(routes::grant)
        .service(routes::revoke);
}
