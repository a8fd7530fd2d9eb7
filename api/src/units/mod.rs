//! Co-building units (驻区单位 / 共建单位) and their pairing (结对共建) with communities.
pub mod dto;
pub mod routes;
pub mod service;

/// Registers this domain's endpoints (in this order: actix tries them in turn).
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(routes::list_units)
        .service(routes::create_unit)
        .service(routes::get_unit)
        .service(routes::update_unit)
        .service(routes::pair_unit)
        .service(routes::unpair_unit)
        .service(routes::unit_claims);
}
