//! Resident concerns (社情民意 / 矛盾联动化解): one state machine from report to the reporter's
//! feedback, routing by category with due times, warnings and escalation, repeats linked, the
//! 12345 hot-line measures, and an Open311 GeoReport v2 facade.
pub mod dto;
pub mod metrics;
pub mod open311;
pub mod routes;
pub mod service;

/// Registers this domain's endpoints (in this order: actix tries them in turn).
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(routes::concern_metrics)
        .service(routes::list)
        .service(routes::create)
        .service(routes::get)
        .service(routes::accept)
        .service(routes::start)
        .service(routes::resolve)
        .service(routes::feedback)
        .service(routes::route)
        .service(routes::withdraw)
        .service(routes::add_photo)
        .service(routes::photo)
        .service(routes::list_routes)
        .service(routes::set_route)
        .service(open311::list_services)
        .service(open311::service_definition)
        .service(open311::file_request)
        .service(open311::list_requests)
        .service(open311::get_request);
}
