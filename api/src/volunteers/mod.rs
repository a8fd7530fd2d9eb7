//! Volunteers (志愿者), volunteer teams (志愿服务队), their activities with sign-up and
//! fraud-resistant check-in, and the one ledger of service hours (服务时长) with the service card.
pub mod activities;
pub mod card;
pub mod checkin;
pub mod dto;
pub mod ledger;
pub mod routes;
pub mod teams;

/// Registers this domain's endpoints (in this order: actix tries them in turn).
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(routes::list_teams)
        .service(routes::create_team)
        .service(routes::get_team)
        .service(routes::update_team)
        .service(routes::team_members)
        .service(routes::add_team_member)
        .service(routes::remove_team_member)
        .service(routes::list_volunteers)
        .service(routes::create_volunteer)
        .service(routes::my_volunteer)
        .service(routes::get_volunteer)
        .service(routes::service_card)
        .service(routes::list_activities)
        .service(routes::create_activity)
        .service(routes::get_activity)
        .service(routes::update_activity)
        .service(routes::cancel_activity)
        .service(routes::close_activity)
        .service(routes::sign_up)
        .service(routes::withdraw)
        .service(routes::signups)
        .service(routes::check_in_code)
        .service(routes::check_in)
        .service(routes::check_out)
        .service(routes::mark_attendance)
        .service(routes::totals)
        .service(routes::ranking)
        .service(routes::list_hours)
        .service(routes::correct_hours)
        .service(routes::list_claims)
        .service(routes::create_claim)
        .service(routes::approve_claim)
        .service(routes::reject_claim)
        .service(routes::team_calendar);
}
