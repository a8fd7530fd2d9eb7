//! Micro-wishes (微心愿): posted by residents, checked by the community, adopted and fulfilled by members and units.
pub mod dto;
pub mod routes;
pub mod service;

/// Registers this domain's endpoints (in this order: actix tries them in turn).
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(routes::list_wishes)
        .service(routes::create_wish)
        .service(routes::get_wish)
        .service(routes::review_wish)
        .service(routes::adopt_wish)
        .service(routes::fulfil_wish)
        .service(routes::thank_wish)
        .service(routes::withdraw_wish);
}
