//! `/branches`: thin handlers — extract, call the service inside `db::run`, respond.
use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;

use super::dto::{BranchKind, BranchView, CreateBranch, Establishment, MoveBranch, UpdateBranch};
use super::service::{self, BranchFilter};
use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::http::{created, if_match_version, ok_with_etag, ListParams, Page, ValidJson};
use crate::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BranchFilters {
    /// Only the direct sub-organisations of this branch.
    pub parent_id: Option<String>,
    /// Only branches serving this region.
    pub region_id: Option<String>,
    pub kind: Option<BranchKind>,
    pub establishment: Option<Establishment>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TreeParams {
    /// Only this organisation and its subtree.
    pub root_id: Option<String>,
}

/// List the party organisations the caller can see.
///
/// `q` searches names and secretaries; `sort` takes `name`, `kind`, `path`, `member_count`, `created_at`, `updated_at`.
#[utoipa::path(
    tag = "branches",
    operation_id = "branches_list",
    params(ListParams, BranchFilters),
    responses(
        (status = 200, body = Page<BranchView>),
        (status = 400, description = "bad paging or sort", body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/branches")]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    params: web::Query<ListParams>,
    filters: web::Query<BranchFilters>,
) -> Result<HttpResponse, ApiError> {
    let paging = params.paging()?;
    let sorts = params.sorts(service::SORT_KEYS)?;
    let filters = filters.into_inner();
    let filter = BranchFilter {
        parent_id: filters.parent_id,
        region_id: filters.region_id,
        kind: filters.kind,
        establishment: filters.establishment,
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

/// Every organisation the caller can see (or the subtree under `root_id`), in tree order.
#[utoipa::path(
    tag = "branches",
    operation_id = "branches_tree",
    params(TreeParams),
    responses(
        (status = 200, body = Vec<BranchView>),
        (status = 401, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/branches/tree")]
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

/// Create a party organisation under a parent the caller manages (or a top-level one for a region).
#[utoipa::path(
    tag = "branches",
    operation_id = "branches_create",
    request_body = CreateBranch,
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first response for a retried request")),
    responses(
        (status = 201, body = BranchView, headers(("Location" = String), ("ETag" = String))),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`duplicate` name among siblings", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/branches")]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: ValidJson<CreateBranch>,
) -> Result<HttpResponse, ApiError> {
    let input = body.0;
    let view = crate::db::run(&state.pool, move |c| service::create(c, &caller, input)).await?;
    Ok(created(
        format!("/api/v1/branches/{}", view.id),
        &view,
        view.version,
    ))
}

/// Read one party organisation.
#[utoipa::path(
    tag = "branches",
    operation_id = "branches_get",
    params(("id" = String, Path)),
    responses(
        (status = 200, body = BranchView, headers(("ETag" = String))),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "missing or outside your scope", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/branches/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let view = crate::db::run(&state.pool, move |c| service::view(c, &caller, &id)).await?;
    Ok(ok_with_etag(&view, view.version))
}

/// Change an organisation's name, secretary, region or establishment.
#[utoipa::path(
    tag = "branches",
    operation_id = "branches_update",
    request_body = UpdateBranch,
    params(("id" = String, Path), ("If-Match" = Option<String>, Header, description = "The ETag last read, e.g. \"3\"")),
    responses(
        (status = 200, body = BranchView, headers(("ETag" = String))),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "the organisation changed since you read it", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[patch("/branches/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<String>,
    body: ValidJson<UpdateBranch>,
) -> Result<HttpResponse, ApiError> {
    let if_match = if_match_version(&req)?;
    let (id, input) = (id.into_inner(), body.0);
    let view = crate::db::run(&state.pool, move |c| {
        service::update(c, &caller, &id, input, if_match)
    })
    .await?;
    Ok(ok_with_etag(&view, view.version))
}

/// Move an organisation (and its subtree) under another parent of a higher kind.
#[utoipa::path(
    tag = "branches",
    operation_id = "branches_move",
    request_body = MoveBranch,
    params(("id" = String, Path), ("If-Match" = Option<String>, Header)),
    responses(
        (status = 200, body = BranchView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 412, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`invalid_parent`", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/branches/{id}/move")]
pub async fn move_branch(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<String>,
    body: ValidJson<MoveBranch>,
) -> Result<HttpResponse, ApiError> {
    let if_match = if_match_version(&req)?;
    let (id, input) = (id.into_inner(), body.0);
    let view = crate::db::run(&state.pool, move |c| {
        service::move_to(c, &caller, &id, input, if_match)
    })
    .await?;
    Ok(ok_with_etag(&view, view.version))
}

/// Delete an organisation with no sub-organisations, members or grants.
#[utoipa::path(
    tag = "branches",
    operation_id = "branches_delete",
    params(("id" = String, Path), ("If-Match" = Option<String>, Header)),
    responses(
        (status = 204, description = "deleted"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`branch_not_empty`: it has sub-organisations, members or grants", body = Problem, content_type = "application/problem+json"),
        (status = 412, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[delete("/branches/{id}")]
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

/// A branch's committees by term (换届), newest first; `current` marks the sitting one.
#[utoipa::path(
    tag = "branches",
    operation_id = "branches_committees",
    params(("id" = String, Path)),
    responses((status = 200, body = Vec<super::committees::CommitteeView>), (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[get("/branches/{id}/committees")]
pub async fn committees(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let items = crate::db::run(&state.pool, move |c| {
        super::committees::list(c, &caller, &id)
    })
    .await?;
    Ok(HttpResponse::Ok().json(items))
}

/// Record a new committee term (the previous terms are kept).
#[utoipa::path(
    tag = "branches",
    operation_id = "branches_elect_committee",
    request_body = super::committees::ElectCommittee,
    params(("id" = String, Path)),
    responses(
        (status = 201, body = super::committees::CommitteeView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/branches/{id}/committees")]
pub async fn elect_committee(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: ValidJson<super::committees::ElectCommittee>,
) -> Result<HttpResponse, ApiError> {
    let (id, input) = (id.into_inner(), body.0);
    let view = crate::db::run(&state.pool, move |c| {
        super::committees::elect(c, &caller, &id, input)
    })
    .await?;
    Ok(HttpResponse::Created()
        .insert_header((
            "Location",
            format!("/api/v1/branches/{}/committees", view.branch_id),
        ))
        .json(view))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReminderParams {
    /// The day to remind as of (default today).
    pub on: Option<chrono::NaiveDate>,
}

/// Committee terms in the caller's reach that end within six months, within a month, or are over.
#[utoipa::path(
    tag = "branches",
    operation_id = "branch_committees_reminders",
    params(ReminderParams),
    responses((status = 200, body = Vec<super::committees::TermReminder>)),
    security(("bearer" = []))
)]
#[get("/branch-committees/reminders")]
pub async fn committee_reminders(
    state: web::Data<AppState>,
    caller: Caller,
    q: web::Query<ReminderParams>,
) -> Result<HttpResponse, ApiError> {
    let on = q.on.unwrap_or_else(|| crate::clock::today());
    let items = crate::db::run(&state.pool, move |c| {
        super::committees::reminders(c, &caller, on)
    })
    .await?;
    Ok(HttpResponse::Ok().json(items))
}
