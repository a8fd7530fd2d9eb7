//! Regions: the district → street → community tree that scopes almost every record.
pub mod dto;
pub mod model;
pub mod routes;
pub mod service;

/// Registers this domain's endpoints (in this order: actix tries them in turn).
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(routes::list)
        .service(routes::tree)
        .service(routes::create)
        .service(routes::get)
        .service(routes::update)
        .service(routes::move_region)
        .service(routes::delete);
}
