//! Grids (网格): the cells a community is cut into, each a branch's responsibility area, with its
//! boundary on a map and the three grid roles (一格三员) with their history.
pub mod dto;
pub mod geo;
pub mod routes;
pub mod service;

/// Registers this domain's endpoints (in this order: actix tries them in turn).
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(routes::list)
        .service(routes::locate)
        .service(routes::create)
        .service(routes::get)
        .service(routes::update)
        .service(routes::delete)
        .service(routes::roles)
        .service(routes::assign_role)
        .service(routes::vacate_role);
}
