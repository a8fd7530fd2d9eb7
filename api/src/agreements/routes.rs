//! HTTP handlers of agreements.
use actix_web::{get, post, web, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;

use super::dto::*;
use super::service;
use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::http::{created, ok_with_etag, ValidJson};
use crate::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AgreementFilters {
    pub unit_id: Option<String>,
    pub region_id: Option<String>,
}

/// Agreements the caller may see (their regions', or their unit's), newest term first, with progress.
#[utoipa::path(
    tag = "units",
    operation_id = "agreements_list",
    params(AgreementFilters),
    responses((status = 200, body = Vec<AgreementView>)),
    security(("bearer" = []))
)]
#[get("/agreements")]
pub async fn list_agreements(
    state: web::Data<AppState>,
    caller: Caller,
    f: web::Query<AgreementFilters>,
) -> Result<HttpResponse, ApiError> {
    let f = f.into_inner();
    Ok(HttpResponse::Ok().json(
        crate::db::run(&state.pool, move |c| {
            service::list(c, &caller, f.unit_id.as_deref(), f.region_id.as_deref())
        })
        .await?,
    ))
}

/// Enter a co-building or responsibility agreement with its commitments (the community's or street's staff).
#[utoipa::path(
    tag = "units",
    operation_id = "agreements_create",
    request_body = CreateAgreement,
    params(("Idempotency-Key" = Option<String>, Header)),
    responses((status = 201, body = AgreementView, headers(("Location" = String))), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[post("/agreements")]
pub async fn create_agreement(
    state: web::Data<AppState>,
    caller: Caller,
    body: ValidJson<CreateAgreement>,
) -> Result<HttpResponse, ApiError> {
    let input = body.0;
    let view = crate::db::run(&state.pool, move |c| service::create(c, &caller, input)).await?;
    Ok(created(
        format!("/api/v1/agreements/{}", view.id),
        &view,
        view.version,
    ))
}

/// One agreement with each commitment's progress from the orders the unit delivered.
#[utoipa::path(
    tag = "units",
    operation_id = "agreements_get",
    params(("id" = String, Path)),
    responses((status = 200, body = AgreementView), (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[get("/agreements/{id}")]
pub async fn get_agreement(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let view = crate::db::run(&state.pool, move |c| service::get(c, &caller, &id)).await?;
    Ok(ok_with_etag(&view, view.version))
}

/// Attach a signed document (multipart field `file`: a PDF, JPEG or PNG up to 10 MB).
#[utoipa::path(
    tag = "units",
    operation_id = "agreements_upload_document",
    params(("id" = String, Path)),
    request_body(content = String, description = "multipart/form-data with a `file` field", content_type = "multipart/form-data"),
    responses(
        (status = 201, body = AgreementView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 413, body = Problem, content_type = "application/problem+json"),
        (status = 415, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`image_too_large`", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/agreements/{id}/documents")]
pub async fn upload_agreement_document(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    payload: actix_multipart::Multipart,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    // The caller's right is checked before a byte of the upload is read.
    let (check_caller, check_id) = (caller.clone(), id.clone());
    crate::db::run(&state.pool, move |c| {
        service::may_upload(c, &check_caller, &check_id)
    })
    .await?;
    let (name, bytes) =
        crate::tabular::read_file_field(payload, service::MAX_DOCUMENT_BYTES).await?;
    Ok(HttpResponse::Created().json(
        crate::db::run(&state.pool, move |c| {
            service::upload(c, &caller, &id, name, bytes)
        })
        .await?,
    ))
}

/// Download a signed document.
#[utoipa::path(
    tag = "units",
    operation_id = "agreements_download_document",
    params(("id" = String, Path), ("document_id" = String, Path)),
    responses((status = 200, description = "the file as uploaded", content(("application/pdf"), ("image/jpeg"), ("image/png"))), (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[get("/agreements/{id}/documents/{document_id}")]
pub async fn download_agreement_document(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (id, doc) = path.into_inner();
    let (name, content_type, bytes) = crate::db::run(&state.pool, move |c| {
        service::download(c, &caller, &id, &doc)
    })
    .await?;
    let ascii: String = name
        .chars()
        .map(|ch| {
            if ch.is_ascii_alphanumeric() || ".-_".contains(ch) {
                ch
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b".-_".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    Ok(HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}"),
        ))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .body(bytes))
}
