//! Menus (单位列菜谱) and service orders (居民来点菜): 点单 → 派单 → 接单 → 完成 → 评单.
pub mod dto;
pub mod menus;
mod providers;
pub mod routes;
pub mod service;

/// Registers this domain's endpoints (in this order: actix tries them in turn).
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(routes::list_menu)
        .service(routes::create_menu_item)
        .service(routes::get_menu_item)
        .service(routes::update_menu_item)
        .service(routes::list_orders)
        .service(routes::create_order)
        .service(routes::get_order)
        .service(routes::dispatch_order)
        .service(routes::accept_order)
        .service(routes::decline_order)
        .service(routes::complete_order)
        .service(routes::rate_order)
        .service(routes::cancel_order);
}
