//! Branch meetings (三会一课 and 主题党日) and their attendance.
pub mod dto;
pub mod routes;
pub mod service;

/// Registers this domain's endpoints (in this order: actix tries them in turn).
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(routes::list)
        .service(routes::create)
        .service(routes::attendance_rates)
        .service(routes::get)
        .service(routes::update)
        .service(routes::delete)
        .service(routes::record_attendance);
}
