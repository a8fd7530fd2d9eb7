//! Co-building and responsibility agreements (共建协议 / 目标责任书) with commitments and signed documents.
pub mod dto;
pub mod routes;
pub mod service;

/// Registers this domain's endpoints (in this order: actix tries them in turn).
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(routes::list_agreements)
        .service(routes::create_agreement)
        .service(routes::get_agreement)
        .service(routes::upload_agreement_document)
        .service(routes::download_agreement_document);
}
