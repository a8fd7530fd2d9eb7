//! Party members (党员): the roster, transfers between branches, interest-based branches.
pub mod birthdays;
pub mod check_ins;
pub mod dto;
pub mod id_number;
pub mod import;
pub mod routes;
pub mod service;
pub mod transfers;

/// Registers this domain's endpoints (in this order: actix tries them in turn).
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(routes::party_birthdays)
        .service(routes::check_ins)
        .service(routes::create_check_in)
        .service(routes::end_check_in)
        .service(routes::import_template)
        .service(routes::import)
        .service(routes::export)
        .service(routes::list)
        .service(routes::create)
        .service(routes::mine)
        .service(routes::get)
        .service(routes::update)
        .service(routes::change_status)
        .service(routes::join_interest)
        .service(routes::leave_interest)
        .service(routes::access_log)
        .service(routes::member_transfers)
        .service(routes::service_report)
        .service(routes::request_transfer)
        .service(routes::pending_transfers)
        .service(routes::get_transfer)
        .service(routes::accept_transfer)
        .service(routes::reject_transfer)
        .service(routes::cancel_transfer);
}
