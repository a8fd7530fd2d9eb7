//! `/polls` (votes, close, results) and `/rectifications`.
use actix_web::{get, patch, post, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;

use super::dto::*;
use super::service;
use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::http::{created, if_match_version, ok_with_etag, ListParams, Page, ValidJson};
use crate::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PollFilters {
    pub community_id: Option<String>,
    pub status: Option<PollStatus>,
}

/// Polls: staff see their communities' polls; residents and members the open ones.
#[utoipa::path(
    tag = "polls",
    operation_id = "polls_list",
    params(ListParams, PollFilters),
    responses((status = 200, body = Page<PollView>), (status = 400, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[get("/polls")]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    params: web::Query<ListParams>,
    f: web::Query<PollFilters>,
) -> Result<HttpResponse, ApiError> {
    let paging = params.paging()?;
    let f = f.into_inner();
    // Newest closing first is the one order offered.
    params.sorts(&[])?;
    let filter = service::PollFilter {
        community_id: f.community_id,
        status: f.status,
        q: params.query(),
    };
    let p = paging.clone();
    let (items, total) = crate::db::run(&state.pool, move |c| {
        service::list(c, &caller, filter, paging)
    })
    .await?;
    Ok(HttpResponse::Ok().json(Page {
        items,
        total,
        page: p.page,
        per_page: p.per_page,
    }))
}

/// Set up a poll of a community's cadres (民意测评).
#[utoipa::path(
    tag = "polls",
    operation_id = "polls_create",
    request_body = CreatePoll,
    params(("Idempotency-Key" = Option<String>, Header)),
    responses((status = 201, body = PollView, headers(("Location" = String))), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[post("/polls")]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: ValidJson<CreatePoll>,
) -> Result<HttpResponse, ApiError> {
    let input = body.0;
    let view = crate::db::run(&state.pool, move |c| service::create(c, &caller, input)).await?;
    Ok(created(
        format!("/api/v1/polls/{}", view.id),
        &view,
        view.version,
    ))
}

#[utoipa::path(
    tag = "polls",
    operation_id = "polls_get",
    params(("id" = String, Path)),
    responses((status = 200, body = PollView), (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[get("/polls/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let view = crate::db::run(&state.pool, move |c| service::get(c, &caller, &id)).await?;
    Ok(ok_with_etag(&view, view.version))
}

/// Vote: one rating for every cadre, once per account, while the poll is open. Anonymous: only
/// the fact of voting is kept with the account, never the ratings.
#[utoipa::path(
    tag = "polls",
    operation_id = "polls_vote",
    request_body = CastVote,
    params(("id" = String, Path)),
    responses(
        (status = 201, body = PollView),
        (status = 403, description = "staff do not vote", body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`already_voted`, `poll_not_open`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`incomplete`: every cadre exactly once", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/polls/{id}/votes")]
pub async fn vote(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: ValidJson<CastVote>,
) -> Result<HttpResponse, ApiError> {
    let (id, input) = (id.into_inner(), body.0);
    Ok(HttpResponse::Created()
        .json(crate::db::run(&state.pool, move |c| service::vote(c, &caller, &id, input)).await?))
}

/// Close a poll early; the warned cadres get a rectification with a deadline.
#[utoipa::path(
    tag = "polls",
    operation_id = "polls_close",
    params(("id" = String, Path)),
    responses((status = 200, body = PollResults), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, description = "`poll_closed`", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[post("/polls/{id}/close")]
pub async fn close(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    Ok(HttpResponse::Ok()
        .json(crate::db::run(&state.pool, move |c| service::close(c, &caller, &id)).await?))
}

/// Results per cadre with the satisfaction rate and its outcome (under 60 % dismissal, under
/// 70 % warning): for staff, once the poll has closed.
#[utoipa::path(
    tag = "polls",
    operation_id = "polls_results",
    params(("id" = String, Path)),
    responses((status = 200, body = PollResults), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, description = "`poll_open`", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[get("/polls/{id}/results")]
pub async fn results(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    Ok(HttpResponse::Ok()
        .json(crate::db::run(&state.pool, move |c| service::results(c, &caller, &id)).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RectificationFilters {
    pub community_id: Option<String>,
    pub status: Option<RectificationStatus>,
}

/// Rectifications of warned cadres, soonest due first.
#[utoipa::path(
    tag = "polls",
    operation_id = "rectifications_list",
    params(ListParams, RectificationFilters),
    responses((status = 200, body = Page<RectificationView>)),
    security(("bearer" = []))
)]
#[get("/rectifications")]
pub async fn list_rectifications(
    state: web::Data<AppState>,
    caller: Caller,
    params: web::Query<ListParams>,
    f: web::Query<RectificationFilters>,
) -> Result<HttpResponse, ApiError> {
    let paging = params.paging()?;
    let f = f.into_inner();
    let p = paging.clone();
    params.sorts(&[])?;
    let q = params.query();
    let (items, total) = crate::db::run(&state.pool, move |c| {
        service::list_rectifications(c, &caller, f.community_id, f.status, q, paging)
    })
    .await?;
    Ok(HttpResponse::Ok().json(Page {
        items,
        total,
        page: p.page,
        per_page: p.per_page,
    }))
}

/// Record a rectification's plan and report; `done` closes it (a report is required).
#[utoipa::path(
    tag = "polls",
    operation_id = "rectifications_update",
    request_body = UpdateRectification,
    params(("id" = String, Path), ("If-Match" = Option<String>, Header)),
    responses(
        (status = 200, body = RectificationView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 412, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[patch("/rectifications/{id}")]
pub async fn update_rectification(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<String>,
    body: ValidJson<UpdateRectification>,
) -> Result<HttpResponse, ApiError> {
    let if_match = if_match_version(&req)?;
    let (id, input) = (id.into_inner(), body.0);
    let view = crate::db::run(&state.pool, move |c| {
        service::update_rectification(c, &caller, &id, input, if_match)
    })
    .await?;
    Ok(ok_with_etag(&view, view.version))
}
