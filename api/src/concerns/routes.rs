//! `/concerns` (with photos, transitions and the 12345 measures) and `/concern-routes`.
use actix_web::{get, post, put, web, HttpResponse};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::IntoParams;

use super::dto::*;
use super::{metrics, service};
use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::http::{created, ListParams, Page, ValidJson};
use crate::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ConcernFilters {
    /// Concerns in communities under this region.
    pub region_id: Option<String>,
    pub grid_id: Option<String>,
    /// One status or several, comma-separated (`reported,reopened`).
    pub status: Option<String>,
    pub category: Option<ConcernCategory>,
    /// Escalated to the street (督办).
    pub escalated: Option<bool>,
    /// Not finished and past the resolution due time.
    pub overdue: Option<bool>,
    /// Only those I reported.
    pub mine: Option<bool>,
    /// Only those routed to a unit I act for.
    pub handling: Option<bool>,
    /// Only repeats of an earlier concern at the same place.
    pub repeats: Option<bool>,
    /// Reported on or after this day.
    pub from: Option<NaiveDate>,
    /// Reported on or before this day.
    pub to: Option<NaiveDate>,
}

fn statuses(s: Option<&str>) -> Result<Vec<ConcernStatus>, ApiError> {
    let Some(s) = s.filter(|s| !s.is_empty()) else {
        return Ok(vec![]);
    };
    s.split(',')
        .map(|x| {
            ConcernStatus::parse(x.trim()).ok_or_else(|| {
                ApiError::field(
                    "status",
                    "invalid_choice",
                    format!("unknown status `{}`", x.trim()),
                )
            })
        })
        .collect()
}

/// Concerns the caller may see, newest first: their own reports, their grids', their units',
/// and everything in the regions they read.
#[utoipa::path(
    tag = "concerns",
    operation_id = "concerns_list",
    params(ListParams, ConcernFilters),
    responses((status = 200, body = Page<ConcernView>), (status = 400, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[get("/concerns")]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    params: web::Query<ListParams>,
    f: web::Query<ConcernFilters>,
) -> Result<HttpResponse, ApiError> {
    let paging = params.paging()?;
    let f = f.into_inner();
    let filter = service::ConcernFilter {
        status: statuses(f.status.as_deref())?,
        region_id: f.region_id,
        grid_id: f.grid_id,
        category: f.category,
        escalated: f.escalated,
        overdue: f.overdue,
        mine: f.mine.unwrap_or(false),
        handling: f.handling.unwrap_or(false),
        repeats: f.repeats,
        from: f.from,
        to: f.to,
        q_phone_index: params
            .query()
            .as_deref()
            .and_then(|q| crate::phones::query_index(&state.sealer, q)),
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

/// Report a concern (社情民意): routed at once by its category to the street's handler, with
/// acceptance and resolution due times (urgent halves them); linked to an earlier concern of the
/// same category at the same place.
#[utoipa::path(
    tag = "concerns",
    operation_id = "concerns_create",
    request_body = CreateConcern,
    params(("Idempotency-Key" = Option<String>, Header)),
    responses(
        (status = 201, body = ConcernView, headers(("Location" = String))),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`outside_grids` when a point is in no grid and no community is named", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/concerns")]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: ValidJson<CreateConcern>,
) -> Result<HttpResponse, ApiError> {
    let input = body.0;
    let sealer = state.sealer.clone();
    let view = crate::db::run(&state.pool, move |c| {
        service::create(c, &sealer, &caller, input, None)
    })
    .await?;
    Ok(created(
        format!("/api/v1/concerns/{}", view.id),
        &view,
        view.version,
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UnmaskParam {
    /// Show the contact phone in clear (the reporter, the handler and staff; recorded, and the
    /// reporter can see who did in `GET /me/data-access`).
    pub unmask: Option<bool>,
}

/// A concern with its timeline, photos and linked repeats; `unmask=true` shows the contact phone
/// (audited).
#[utoipa::path(
    tag = "concerns",
    operation_id = "concerns_get",
    params(("id" = String, Path), UnmaskParam),
    responses(
        (status = 200, body = ConcernView),
        (status = 403, description = "your role may not unmask", body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/concerns/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    q: web::Query<UnmaskParam>,
) -> Result<HttpResponse, ApiError> {
    let (id, unmask, sealer) = (
        id.into_inner(),
        q.unmask.unwrap_or(false),
        state.sealer.clone(),
    );
    let view = crate::db::run(&state.pool, move |c| {
        service::read(c, &sealer, &caller, &id, unmask)
    })
    .await?;
    Ok(crate::http::ok_with_etag(&view, view.version))
}

macro_rules! transition {
    ($fn_name:ident, $path:literal, $op:literal, $body:ty, $doc:literal, $call:path) => {
        #[doc = $doc]
        #[utoipa::path(
            tag = "concerns",
            operation_id = $op,
            request_body = $body,
            params(("id" = String, Path)),
            responses(
                (status = 200, body = ConcernView),
                (status = 403, body = Problem, content_type = "application/problem+json"),
                (status = 404, body = Problem, content_type = "application/problem+json"),
                (status = 409, description = "`invalid_transition`, naming the current status", body = Problem, content_type = "application/problem+json"),
                (status = 422, body = Problem, content_type = "application/problem+json"),
            ),
            security(("bearer" = []))
        )]
        #[post($path)]
        pub async fn $fn_name(state: web::Data<AppState>, caller: Caller, id: web::Path<String>, body: ValidJson<$body>) -> Result<HttpResponse, ApiError> {
            let (id, input) = (id.into_inner(), body.0);
            Ok(HttpResponse::Ok().json(crate::db::run(&state.pool, move |c| $call(c, &caller, &id, input)).await?))
        }
    };
}

transition!(
    accept,
    "/concerns/{id}/accept",
    "concerns_accept",
    ConcernNote,
    "The handler accepts (受理).",
    service::accept
);
transition!(
    start,
    "/concerns/{id}/start",
    "concerns_start",
    ConcernNote,
    "The handler starts work (办理).",
    service::start
);
transition!(
    resolve,
    "/concerns/{id}/resolve",
    "concerns_resolve",
    ResolveConcern,
    "The handler says how it was solved (办结); the reporter is asked for feedback.",
    service::resolve
);
transition!(
    feedback,
    "/concerns/{id}/feedback",
    "concerns_feedback",
    ConcernFeedback,
    "The reporter's feedback (评价): satisfied closes the concern, not satisfied reopens it; the third reopening escalates it to the street. The street's staff may record a call-back (回访).",
    service::feedback
);
transition!(route, "/concerns/{id}/route", "concerns_route", RouteConcern, "Staff send the concern to another department or unit; the new handler accepts again, with new due times.", service::route);
transition!(
    withdraw,
    "/concerns/{id}/withdraw",
    "concerns_withdraw",
    ConcernNote,
    "The reporter withdraws the concern before work starts.",
    service::withdraw
);

/// Add a photo (JPEG or PNG, ≤ 5 MB, at most 9) as multipart `file`.
#[utoipa::path(
    tag = "concerns",
    operation_id = "concerns_add_photo",
    params(("id" = String, Path)),
    request_body(content_type = "multipart/form-data", description = "`file`: the photo"),
    responses(
        (status = 201, body = ConcernView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`too_many_photos`", body = Problem, content_type = "application/problem+json"),
        (status = 413, body = Problem, content_type = "application/problem+json"),
        (status = 415, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`image_too_large`: more pixels than a phone photo", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/concerns/{id}/photos")]
pub async fn add_photo(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    payload: actix_multipart::Multipart,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    // The caller's right is checked before a byte of the upload is read.
    let (check_caller, check_id) = (caller.clone(), id.clone());
    crate::db::run(&state.pool, move |c| {
        service::may_add_photo(c, &check_caller, &check_id)
    })
    .await?;
    let (name, bytes) = crate::tabular::read_file_field(payload, service::MAX_PHOTO_BYTES).await?;
    Ok(HttpResponse::Created().json(
        crate::db::run(&state.pool, move |c| {
            service::add_photo(c, &caller, &id, name, bytes)
        })
        .await?,
    ))
}

#[utoipa::path(
    tag = "concerns",
    operation_id = "concerns_photo",
    params(("id" = String, Path), ("photo_id" = String, Path)),
    responses((status = 200, description = "the photo", content(("image/jpeg"), ("image/png"))), (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[get("/concerns/{id}/photos/{photo_id}")]
pub async fn photo(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (id, photo) = path.into_inner();
    let (content_type, bytes) = crate::db::run(&state.pool, move |c| {
        service::photo(c, &caller, &id, &photo)
    })
    .await?;
    Ok(HttpResponse::Ok()
        .content_type(content_type)
        .insert_header(("Cache-Control", "private, max-age=86400"))
        .body(bytes))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MetricsQuery {
    /// The region (street, community …); default the caller's first region.
    pub region_id: String,
    /// First day (default: the first of this year).
    pub from: Option<NaiveDate>,
    /// Last day (default: today).
    pub to: Option<NaiveDate>,
}

/// The 12345 measures over concerns reported in a region and period: on-time acceptance and
/// resolution, satisfaction and reopen rates, by status and category.
#[utoipa::path(
    tag = "concerns",
    operation_id = "concerns_metrics",
    params(MetricsQuery),
    responses((status = 200, body = ConcernMetrics), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[get("/concerns/metrics")]
pub async fn concern_metrics(
    state: web::Data<AppState>,
    caller: Caller,
    q: web::Query<MetricsQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = q.into_inner();
    let today = crate::clock::today();
    let from = q.from.unwrap_or_else(|| {
        NaiveDate::from_ymd_opt(chrono::Datelike::year(&today), 1, 1).unwrap_or(today)
    });
    let to = q.to.unwrap_or(today);
    if to < from {
        return Err(ApiError::field("to", "out_of_range", "to is before from"));
    }
    let m = crate::db::run(&state.pool, move |c| {
        use diesel::prelude::*;
        let path: Option<String> = crate::db::schema::regions::table
            .find(&q.region_id)
            .select(crate::db::schema::regions::path)
            .first(c)
            .optional()?;
        let path = path
            .filter(|p| caller.regions_readable().contains(p))
            .ok_or_else(|| ApiError::not_found("region"))?;
        let (lo, hi) = crate::tree::range(&path);
        Ok(metrics::compute(
            c,
            (&lo, &hi),
            crate::clock::start_of(from),
            crate::clock::start_of(to + chrono::Duration::days(1)),
            chrono::Utc::now().naive_utc(),
        )?)
    })
    .await?;
    Ok(HttpResponse::Ok().json(m))
}

/// Where a street sends each category of concern, and the hours allowed.
#[utoipa::path(
    tag = "concerns",
    operation_id = "concern_routes_get",
    params(("street_id" = String, Path)),
    responses((status = 200, body = ConcernRoutes), (status = 400, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[get("/streets/{street_id}/concern-routes")]
pub async fn list_routes(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    Ok(HttpResponse::Ok()
        .json(crate::db::run(&state.pool, move |c| service::list_routes(c, &caller, &id)).await?))
}

/// Set where a street sends a category (the street's staff).
#[utoipa::path(
    tag = "concerns",
    operation_id = "concern_routes_set",
    request_body = ConcernRoute,
    params(("street_id" = String, Path)),
    responses(
        (status = 200, body = ConcernRoutes),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[put("/streets/{street_id}/concern-routes")]
pub async fn set_route(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: ValidJson<ConcernRoute>,
) -> Result<HttpResponse, ApiError> {
    let (id, input) = (id.into_inner(), body.0);
    Ok(HttpResponse::Ok().json(
        crate::db::run(&state.pool, move |c| {
            service::set_route(c, &caller, &id, input)
        })
        .await?,
    ))
}
