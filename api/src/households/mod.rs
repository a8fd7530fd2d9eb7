//! Households in grids: addresses, residents, the head of household (personal data, masked), tags
//! for key groups; and the grid workers' visits with the coverage targets from the seed reports.
pub mod dto;
pub mod import;
pub mod routes;
pub mod service;
pub mod visits;

/// Registers this domain's endpoints (in this order: actix tries them in turn).
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(routes::import_template)
        .service(routes::import)
        .service(routes::list)
        .service(routes::create)
        .service(routes::get)
        .service(routes::update)
        .service(routes::delete)
        .service(routes::coverage)
        .service(routes::list_visits)
        .service(routes::create_visit);
}
