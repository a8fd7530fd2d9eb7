//! Branches: the party organisation tree (党工委 → 党委 → 总支 → 支部 → 党小组), each node
//! attached to the region it serves.
pub mod committees;
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
        .service(routes::move_branch)
        .service(routes::delete)
        .service(routes::committees)
        .service(routes::elect_committee)
        .service(routes::committee_reminders);
}
