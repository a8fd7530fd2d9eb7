//! Satisfaction polls (民意测评) of a community's cadres: one anonymous vote per account, the
//! satisfaction rate per cadre with the 60 % / 70 % outcomes, and rectification (整改) with a
//! deadline for the warned.
pub mod dto;
pub mod electorate;
pub mod routes;
pub mod service;

/// Registers this domain's endpoints (in this order: actix tries them in turn).
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(routes::list)
        .service(routes::create)
        .service(routes::get)
        .service(routes::vote)
        .service(routes::close)
        .service(routes::results)
        .service(routes::list_rectifications)
        .service(routes::update_rectification);
}
