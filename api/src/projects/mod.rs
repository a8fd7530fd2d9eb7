//! The street's yearly menu-style service project list (菜单式服务): categories, projects, and units' claims (认领).
pub mod dto;
pub mod routes;
pub mod service;

/// Registers this domain's endpoints (in this order: actix tries them in turn).
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(routes::list_categories)
        .service(routes::create_category)
        .service(routes::list_projects)
        .service(routes::create_project)
        .service(routes::get_project)
        .service(routes::update_project)
        .service(routes::claim_project)
        .service(routes::withdraw_claim);
}
