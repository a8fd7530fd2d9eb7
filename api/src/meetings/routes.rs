//! `/meetings`, `/meetings/{id}/attendance` and `/meetings/attendance-rates`.
use actix_web::{delete, get, patch, post, put, web, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::IntoParams;

use super::dto::*;
use super::service::{self, MeetingFilter};
use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::http::{created, if_match_version, ok_with_etag, ListParams, Page, ValidJson};
use crate::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MeetingFilters {
    /// The branch and every organisation under it.
    pub branch_id: Option<String>,
    pub kind: Option<MeetingKind>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// Only the meetings the signed-in member is expected at.
    pub mine: Option<bool>,
}

/// List meetings in the caller's reach, newest first.
#[utoipa::path(
    tag = "meetings",
    operation_id = "meetings_list",
    params(ListParams, MeetingFilters),
    responses((status = 200, body = Page<MeetingView>), (status = 400, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[get("/meetings")]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    params: web::Query<ListParams>,
    filters: web::Query<MeetingFilters>,
) -> Result<HttpResponse, ApiError> {
    let paging = params.paging()?;
    let f = filters.into_inner();
    let filter = MeetingFilter {
        branch_id: f.branch_id,
        kind: f.kind,
        from: f.from,
        to: f.to,
        mine: f.mine.unwrap_or(false),
    };
    let page = paging.clone();
    let (items, total) = crate::db::run(&state.pool, move |c| {
        service::list(c, &caller, filter, paging)
    })
    .await?;
    Ok(HttpResponse::Ok().json(Page {
        items,
        total,
        page: page.page,
        per_page: page.per_page,
    }))
}

/// Call a meeting: its expected attendees are the branch's members now.
#[utoipa::path(
    tag = "meetings",
    operation_id = "meetings_create",
    request_body = CreateMeeting,
    params(("Idempotency-Key" = Option<String>, Header)),
    responses(
        (status = 201, body = MeetingView, headers(("Location" = String))),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/meetings")]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: ValidJson<CreateMeeting>,
) -> Result<HttpResponse, ApiError> {
    let input = body.0;
    let view = crate::db::run(&state.pool, move |c| service::create(c, &caller, input)).await?;
    Ok(created(
        format!("/api/v1/meetings/{}", view.id),
        &view,
        view.version,
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RateParams {
    /// A month (`2026-11`) or a quarter (`2026-Q4`).
    pub period: String,
    /// A branch subtree.
    pub branch_id: Option<String>,
    /// A region (street or community).
    pub region_id: Option<String>,
}

/// Attendance rate per branch over a month or quarter, with the 80 % line and the branches under it.
#[utoipa::path(
    tag = "meetings",
    operation_id = "meetings_attendance_rates",
    params(RateParams),
    responses(
        (status = 200, body = AttendanceReport),
        (status = 400, description = "`invalid_period`", body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/meetings/attendance-rates")]
pub async fn attendance_rates(
    state: web::Data<AppState>,
    caller: Caller,
    params: web::Query<RateParams>,
) -> Result<HttpResponse, ApiError> {
    let p = params.into_inner();
    let period = crate::households::visits::parse_period(&p.period)?;
    let report = crate::db::run(&state.pool, move |c| {
        service::report(
            c,
            &caller,
            p.branch_id.as_deref(),
            p.region_id.as_deref(),
            period,
        )
    })
    .await?;
    Ok(HttpResponse::Ok().json(report))
}

/// One meeting with its attendance sheet.
#[utoipa::path(
    tag = "meetings",
    operation_id = "meetings_get",
    params(("id" = String, Path)),
    responses((status = 200, body = MeetingView), (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[get("/meetings/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let view = crate::db::run(&state.pool, move |c| service::get(c, &caller, &id)).await?;
    Ok(ok_with_etag(&view, view.version))
}

/// Change a meeting's kind, date, topic, place or minutes.
#[utoipa::path(
    tag = "meetings",
    operation_id = "meetings_update",
    request_body = UpdateMeeting,
    params(("id" = String, Path), ("If-Match" = Option<String>, Header)),
    responses(
        (status = 200, body = MeetingView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 412, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[patch("/meetings/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<String>,
    body: ValidJson<UpdateMeeting>,
) -> Result<HttpResponse, ApiError> {
    let if_match = if_match_version(&req)?;
    let (id, input) = (id.into_inner(), body.0);
    let view = crate::db::run(&state.pool, move |c| {
        service::update(c, &caller, &id, input, if_match)
    })
    .await?;
    Ok(ok_with_etag(&view, view.version))
}

/// Cancel a meeting whose attendance has not been recorded.
#[utoipa::path(
    tag = "meetings",
    operation_id = "meetings_delete",
    params(("id" = String, Path)),
    responses(
        (status = 204, description = "deleted"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`meeting_recorded`", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[delete("/meetings/{id}")]
pub async fn delete(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    crate::db::run(&state.pool, move |c| service::delete(c, &caller, &id)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Record attendance (present, absent, or excused with a reason) for expected members.
#[utoipa::path(
    tag = "meetings",
    operation_id = "meetings_record_attendance",
    request_body = RecordAttendance,
    params(("id" = String, Path), ("If-Match" = Option<String>, Header)),
    responses(
        (status = 200, body = MeetingView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`meeting_not_held`", body = Problem, content_type = "application/problem+json"),
        (status = 412, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`not_expected` member, excused without a reason", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[put("/meetings/{id}/attendance")]
pub async fn record_attendance(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<String>,
    body: ValidJson<RecordAttendance>,
) -> Result<HttpResponse, ApiError> {
    let if_match = if_match_version(&req)?;
    let (id, input) = (id.into_inner(), body.0);
    let view = crate::db::run(&state.pool, move |c| {
        service::record(c, &caller, &id, input, if_match)
    })
    .await?;
    Ok(ok_with_etag(&view, view.version))
}
