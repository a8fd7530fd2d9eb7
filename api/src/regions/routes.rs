//! `/regions`: thin handlers — extract, call the service inside `db::run`, respond.
use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;

use super::dto::{CreateRegion, MoveRegion, RegionLevel, RegionView, UpdateRegion};
use super::service::{self, RegionFilter};
use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::http::{created, if_match_version, ok_with_etag, ListParams, Page, ValidJson};
use crate::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RegionFilters {
    /// Only the children of this region.
    pub parent_id: Option<String>,
    pub level: Option<RegionLevel>,
}

/// List the regions the caller can see.
///
/// `q` searches names and codes; `sort` takes `name`, `code`, `level`, `path`, `created_at`, `updated_at`.
#[utoipa::path(
    tag = "regions",
    operation_id = "regions_list",
    params(ListParams, RegionFilters),
    responses(
        (status = 200, body = Page<RegionView>),
        (status = 400, description = "bad paging or sort", body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/regions")]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    params: web::Query<ListParams>,
    filters: web::Query<RegionFilters>,
) -> Result<HttpResponse, ApiError> {
    let paging = params.paging()?;
    let sorts = params.sorts(service::SORT_KEYS)?;
    let filter = RegionFilter {
        parent_id: filters.parent_id.clone(),
        level: filters.level,
        q: params.query(),
    };
    let page = paging.clone();
    let (items, total) = crate::db::run(&state.pool, move |c| {
        service::list(c, &caller, filter, sorts, paging)
    })
    .await?;
    Ok(HttpResponse::Ok().json(Page {
        items,
        total,
        page: page.page,
        per_page: page.per_page,
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TreeParams {
    /// Only this region and its subtree.
    pub root_id: Option<String>,
}

/// Every region the caller can see (or the subtree under `root_id`), in tree order (parents first).
#[utoipa::path(
    tag = "regions",
    operation_id = "regions_tree",
    params(TreeParams),
    responses(
        (status = 200, body = Vec<RegionView>),
        (status = 401, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/regions/tree")]
pub async fn tree(
    state: web::Data<AppState>,
    caller: Caller,
    params: web::Query<TreeParams>,
) -> Result<HttpResponse, ApiError> {
    let root = params.into_inner().root_id;
    let items = crate::db::run(&state.pool, move |c| {
        service::tree(c, &caller, root.as_deref())
    })
    .await?;
    Ok(HttpResponse::Ok().json(items))
}

/// Create a region under a parent the caller manages.
#[utoipa::path(
    tag = "regions",
    operation_id = "regions_create",
    request_body = CreateRegion,
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first response for a retried request")),
    responses(
        (status = 201, body = RegionView, headers(("Location" = String), ("ETag" = String))),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`duplicate` name among siblings or code", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/regions")]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: ValidJson<CreateRegion>,
) -> Result<HttpResponse, ApiError> {
    let input = body.0;
    let view = crate::db::run(&state.pool, move |c| service::create(c, &caller, input)).await?;
    Ok(created(
        format!("/api/v1/regions/{}", view.id),
        &view,
        view.version,
    ))
}

/// Read one region.
#[utoipa::path(
    tag = "regions",
    operation_id = "regions_get",
    params(("id" = String, Path)),
    responses(
        (status = 200, body = RegionView, headers(("ETag" = String))),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "missing or outside your scope", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/regions/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let view = crate::db::run(&state.pool, move |c| {
        let row = service::get_visible(c, &caller, &id)?;
        service::view(c, row)
    })
    .await?;
    Ok(ok_with_etag(&view, view.version))
}

/// Rename a region or change its code.
#[utoipa::path(
    tag = "regions",
    operation_id = "regions_update",
    request_body = UpdateRegion,
    params(("id" = String, Path), ("If-Match" = Option<String>, Header, description = "The ETag last read, e.g. \"3\"")),
    responses(
        (status = 200, body = RegionView, headers(("ETag" = String))),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "the region changed since you read it", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[patch("/regions/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<String>,
    body: ValidJson<UpdateRegion>,
) -> Result<HttpResponse, ApiError> {
    let if_match = if_match_version(&req)?;
    let (id, input) = (id.into_inner(), body.0);
    let view = crate::db::run(&state.pool, move |c| {
        service::update(c, &caller, &id, input, if_match)
    })
    .await?;
    Ok(ok_with_etag(&view, view.version))
}

/// Move a region (and its subtree) under another parent of the right level.
#[utoipa::path(
    tag = "regions",
    operation_id = "regions_move",
    request_body = MoveRegion,
    params(("id" = String, Path), ("If-Match" = Option<String>, Header)),
    responses(
        (status = 200, body = RegionView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 412, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`invalid_parent`", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/regions/{id}/move")]
pub async fn move_region(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<String>,
    body: ValidJson<MoveRegion>,
) -> Result<HttpResponse, ApiError> {
    let if_match = if_match_version(&req)?;
    let (id, input) = (id.into_inner(), body.0);
    let view = crate::db::run(&state.pool, move |c| {
        service::move_to(c, &caller, &id, input, if_match)
    })
    .await?;
    Ok(ok_with_etag(&view, view.version))
}

/// Delete an empty region.
#[utoipa::path(
    tag = "regions",
    operation_id = "regions_delete",
    params(("id" = String, Path), ("If-Match" = Option<String>, Header)),
    responses(
        (status = 204, description = "deleted"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`region_not_empty`: it has child regions, branches or grants", body = Problem, content_type = "application/problem+json"),
        (status = 412, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[delete("/regions/{id}")]
pub async fn delete(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let if_match = if_match_version(&req)?;
    let id = id.into_inner();
    crate::db::run(&state.pool, move |c| {
        service::delete(c, &caller, &id, if_match)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
