//! Statistics for any region or branch subtree and period: one overview built from additive
//! counters per region (so any subtree, its children and the whole city are sums of the same
//! rows), a monthly series, per-grid figures for the map, figures frozen "as of" a past date,
//! an XLSX export, and the five-good (五好) assessment on top.
pub mod assessment;
pub mod compute;
pub mod dto;
pub mod routes;
pub mod service;

/// Registers this domain's endpoints (in this order: actix tries them in turn).
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(routes::overview)
        .service(routes::breakdown)
        .service(routes::series)
        .service(routes::export)
        .service(routes::get_assessment)
        .service(routes::update_assessment);
}
