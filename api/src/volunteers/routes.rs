//! `/volunteer-teams`, `/volunteers`, `/activities`, `/service-hours`, `/service-hour-claims`
//! and the team calendars.
use actix_web::{delete, get, patch, post, put, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use diesel::prelude::*;
use serde::Deserialize;
use utoipa::IntoParams;

use super::dto::*;
use super::{activities, card, ledger, teams};
use crate::auth::Caller;
use crate::error::ErrorCode;
use crate::error::{ApiError, Problem};
use crate::http::{created, if_match_version, ok_with_etag, ListParams, Page, ValidJson};
use crate::AppState;

macro_rules! page {
    ($paging:expr, $result:expr) => {{
        let (items, total) = $result;
        HttpResponse::Ok().json(Page {
            items,
            total,
            page: $paging.page,
            per_page: $paging.per_page,
        })
    }};
}

// ---------- teams ----------

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TeamFilters {
    /// A region and its subtree.
    pub region_id: Option<String>,
    pub kind: Option<TeamKind>,
    pub status: Option<TeamStatus>,
    /// Only the teams the signed-in volunteer is in.
    pub mine: Option<bool>,
}

/// Volunteer teams: a public directory, ordered by community and name.
#[utoipa::path(
    tag = "volunteers",
    operation_id = "volunteer_teams_list",
    params(ListParams, TeamFilters),
    responses((status = 200, body = Page<TeamView>), (status = 400, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[get("/volunteer-teams")]
pub async fn list_teams(
    state: web::Data<AppState>,
    caller: Caller,
    params: web::Query<ListParams>,
    f: web::Query<TeamFilters>,
) -> Result<HttpResponse, ApiError> {
    let paging = params.paging()?;
    let f = f.into_inner();
    let filter = teams::TeamFilter {
        region_id: f.region_id,
        kind: f.kind,
        status: f.status,
        mine: f.mine.unwrap_or(false),
        q: params.query(),
    };
    let p = paging.clone();
    Ok(page!(
        p,
        crate::db::run(&state.pool, move |c| teams::list_teams(
            c, &caller, filter, paging
        ))
        .await?
    ))
}

/// Found a team in a community (its staff) — optionally led by a volunteer.
#[utoipa::path(
    tag = "volunteers",
    operation_id = "volunteer_teams_create",
    request_body = CreateTeam,
    params(("Idempotency-Key" = Option<String>, Header)),
    responses(
        (status = 201, body = TeamView, headers(("Location" = String))),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`duplicate_name`", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/volunteer-teams")]
pub async fn create_team(
    state: web::Data<AppState>,
    caller: Caller,
    body: ValidJson<CreateTeam>,
) -> Result<HttpResponse, ApiError> {
    let input = body.0;
    let view = crate::db::run(&state.pool, move |c| teams::create_team(c, &caller, input)).await?;
    Ok(created(
        format!("/api/v1/volunteer-teams/{}", view.id),
        &view,
        view.version,
    ))
}

#[utoipa::path(
    tag = "volunteers",
    operation_id = "volunteer_teams_get",
    params(("id" = String, Path)),
    responses((status = 200, body = TeamView), (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[get("/volunteer-teams/{id}")]
pub async fn get_team(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let view = crate::db::run(&state.pool, move |c| teams::get_team(c, &caller, &id)).await?;
    Ok(ok_with_etag(&view, view.version))
}

/// Change a team (its leader or its community's staff); `status: inactive` retires it.
#[utoipa::path(
    tag = "volunteers",
    operation_id = "volunteer_teams_update",
    request_body = UpdateTeam,
    params(("id" = String, Path), ("If-Match" = Option<String>, Header)),
    responses(
        (status = 200, body = TeamView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 412, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[patch("/volunteer-teams/{id}")]
pub async fn update_team(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<String>,
    body: ValidJson<UpdateTeam>,
) -> Result<HttpResponse, ApiError> {
    let if_match = if_match_version(&req)?;
    let (id, input) = (id.into_inner(), body.0);
    let view = crate::db::run(&state.pool, move |c| {
        teams::update_team(c, &caller, &id, input, if_match)
    })
    .await?;
    Ok(ok_with_etag(&view, view.version))
}

/// A team's members (phones masked; a keeper reads one with `GET /volunteers/{id}?unmask=true`).
#[utoipa::path(
    tag = "volunteers",
    operation_id = "volunteer_teams_members",
    params(("id" = String, Path)),
    responses((status = 200, body = Vec<TeamMemberView>), (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[get("/volunteer-teams/{id}/members")]
pub async fn team_members(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    Ok(HttpResponse::Ok()
        .json(crate::db::run(&state.pool, move |c| teams::team_members(c, &caller, &id)).await?))
}

/// Add a volunteer to a team (a volunteer may be in several teams).
#[utoipa::path(
    tag = "volunteers",
    operation_id = "volunteer_teams_add_member",
    request_body = AddTeamMember,
    params(("id" = String, Path)),
    responses(
        (status = 201, body = Vec<TeamMemberView>),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`already_member`", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/volunteer-teams/{id}/members")]
pub async fn add_team_member(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: ValidJson<AddTeamMember>,
) -> Result<HttpResponse, ApiError> {
    let (id, input) = (id.into_inner(), body.0);
    Ok(HttpResponse::Created().json(
        crate::db::run(&state.pool, move |c| {
            teams::join_team(c, &caller, &id, input)
        })
        .await?,
    ))
}

/// Take a volunteer out of a team (its keepers, or the volunteer themself); the leader cannot leave.
#[utoipa::path(
    tag = "volunteers",
    operation_id = "volunteer_teams_remove_member",
    params(("id" = String, Path), ("volunteer_id" = String, Path)),
    responses(
        (status = 204, description = "removed"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`leader_cannot_leave`", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[delete("/volunteer-teams/{id}/members/{volunteer_id}")]
pub async fn remove_team_member(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (id, v) = path.into_inner();
    crate::db::run(&state.pool, move |c| teams::leave_team(c, &caller, &id, &v)).await?;
    Ok(HttpResponse::NoContent().finish())
}

// ---------- volunteers ----------

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VolunteerFilters {
    pub region_id: Option<String>,
    pub team_id: Option<String>,
    /// Party members only (`true`) or residents only (`false`).
    pub party_member: Option<bool>,
}

/// Volunteers in the caller's regions, phones masked. `q` searches names, or a phone number
/// exactly.
#[utoipa::path(
    tag = "volunteers",
    operation_id = "volunteers_list",
    params(ListParams, VolunteerFilters),
    responses((status = 200, body = Page<VolunteerView>), (status = 400, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[get("/volunteers")]
pub async fn list_volunteers(
    state: web::Data<AppState>,
    caller: Caller,
    params: web::Query<ListParams>,
    f: web::Query<VolunteerFilters>,
) -> Result<HttpResponse, ApiError> {
    let paging = params.paging()?;
    let f = f.into_inner();
    let q = params.query();
    let q_phone_index = q
        .as_deref()
        .and_then(|q| crate::phones::query_index(&state.sealer, q));
    let filter = teams::VolunteerFilter {
        region_id: f.region_id,
        team_id: f.team_id,
        party_member: f.party_member,
        q,
        q_phone_index,
    };
    let p = paging.clone();
    Ok(page!(
        p,
        crate::db::run(&state.pool, move |c| teams::list_volunteers(
            c, &caller, filter, paging
        ))
        .await?
    ))
}

/// Register a volunteer (a party member, or a resident with or without an account).
#[utoipa::path(
    tag = "volunteers",
    operation_id = "volunteers_create",
    request_body = CreateVolunteer,
    params(("Idempotency-Key" = Option<String>, Header)),
    responses(
        (status = 201, body = VolunteerView, headers(("Location" = String))),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`duplicate`", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/volunteers")]
pub async fn create_volunteer(
    state: web::Data<AppState>,
    caller: Caller,
    body: ValidJson<CreateVolunteer>,
) -> Result<HttpResponse, ApiError> {
    let input = body.0;
    let sealer = state.sealer.clone();
    let view = crate::db::run(&state.pool, move |c| {
        teams::create_volunteer(c, &sealer, &caller, input)
    })
    .await?;
    Ok(created(format!("/api/v1/volunteers/{}", view.id), &view, 1))
}

/// The signed-in user's volunteer record (made when they first sign up for an activity).
#[utoipa::path(
    tag = "volunteers",
    operation_id = "volunteers_me",
    responses((status = 200, body = VolunteerView), (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[get("/volunteers/me")]
pub async fn my_volunteer(
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok()
        .json(crate::db::run(&state.pool, move |c| teams::my_volunteer(c, &caller)).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UnmaskParam {
    /// Show the phone in clear (the volunteer, their community's staff and their teams' keepers;
    /// recorded, and the volunteer can see who did in `GET /me/data-access`).
    pub unmask: Option<bool>,
}

/// Read one volunteer; `unmask=true` shows the phone (audited).
#[utoipa::path(
    tag = "volunteers",
    operation_id = "volunteers_get",
    params(("id" = String, Path), UnmaskParam),
    responses(
        (status = 200, body = VolunteerView),
        (status = 403, description = "your role may not unmask", body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/volunteers/{id}")]
pub async fn get_volunteer(
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
    Ok(HttpResponse::Ok().json(
        crate::db::run(&state.pool, move |c| {
            teams::read_volunteer(c, &sealer, &caller, &id, unmask)
        })
        .await?,
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CardParams {
    /// First day (default 1 January of this year).
    pub from: Option<NaiveDate>,
    /// Last day (default today).
    pub to: Option<NaiveDate>,
    /// `json` (default), `xlsx` or `csv`: the card as a sheet for the work unit.
    pub format: Option<String>,
}

/// A volunteer's service card (党员联系卡): hours by kind and source, teams, activities, the ledger.
#[utoipa::path(
    tag = "volunteers",
    operation_id = "volunteers_service_card",
    params(("id" = String, Path), CardParams),
    responses(
        (status = 200, description = "the card; with `format=xlsx|csv` a sheet to download", content((ServiceCard = "application/json"), ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), ("text/csv"))),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/volunteers/{id}/service-card")]
pub async fn service_card(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    q: web::Query<CardParams>,
) -> Result<HttpResponse, ApiError> {
    let q = q.into_inner();
    let id = id.into_inner();
    let sheet = match q.format.as_deref() {
        None | Some("json") => None,
        other => Some(crate::tabular::Format::from_param(other)?),
    };
    let today = crate::clock::today();
    let from = q
        .from
        .unwrap_or_else(|| NaiveDate::from_ymd_opt(today.year(), 1, 1).expect("1 January"));
    let to = q.to.unwrap_or(today);
    let card = crate::db::run(&state.pool, move |c| card::card(c, &caller, &id, from, to)).await?;
    match sheet {
        None => Ok(HttpResponse::Ok().json(card)),
        Some(f) => Ok(crate::tabular::attachment(
            card::card_sheet(&card, f)?,
            f,
            "service-card",
        )),
    }
}

// ---------- activities ----------

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ActivityFilters {
    pub team_id: Option<String>,
    /// A region and its subtree.
    pub region_id: Option<String>,
    /// Activities still running at or after this time.
    pub from: Option<DateTime<Utc>>,
    /// Activities starting before this time.
    pub to: Option<DateTime<Utc>>,
    pub status: Option<ActivityStatus>,
    /// Only those the signed-in volunteer signed up for.
    pub mine: Option<bool>,
}

/// Activities, soonest first: calls for volunteers, open to every signed-in user.
#[utoipa::path(
    tag = "volunteers",
    operation_id = "activities_list",
    params(ListParams, ActivityFilters),
    responses((status = 200, body = Page<ActivityView>), (status = 400, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[get("/activities")]
pub async fn list_activities(
    state: web::Data<AppState>,
    caller: Caller,
    params: web::Query<ListParams>,
    f: web::Query<ActivityFilters>,
) -> Result<HttpResponse, ApiError> {
    let paging = params.paging()?;
    let f = f.into_inner();
    let filter = activities::ActivityFilter {
        team_id: f.team_id,
        region_id: f.region_id,
        from: f.from,
        to: f.to,
        status: f.status,
        mine: f.mine.unwrap_or(false),
        q: params.query(),
    };
    let p = paging.clone();
    Ok(page!(
        p,
        crate::db::run(&state.pool, move |c| activities::list(
            c, &caller, filter, paging
        ))
        .await?
    ))
}

/// Schedule an activity for a team (its leader or its community's staff).
#[utoipa::path(
    tag = "volunteers",
    operation_id = "activities_create",
    request_body = CreateActivity,
    params(("Idempotency-Key" = Option<String>, Header)),
    responses(
        (status = 201, body = ActivityView, headers(("Location" = String))),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`team_inactive`", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/activities")]
pub async fn create_activity(
    state: web::Data<AppState>,
    caller: Caller,
    body: ValidJson<CreateActivity>,
) -> Result<HttpResponse, ApiError> {
    let input = body.0;
    let view = crate::db::run(&state.pool, move |c| activities::create(c, &caller, input)).await?;
    Ok(created(
        format!("/api/v1/activities/{}", view.id),
        &view,
        view.version,
    ))
}

#[utoipa::path(
    tag = "volunteers",
    operation_id = "activities_get",
    params(("id" = String, Path)),
    responses((status = 200, body = ActivityView), (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[get("/activities/{id}")]
pub async fn get_activity(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let view = crate::db::run(&state.pool, move |c| activities::get(c, &caller, &id)).await?;
    Ok(ok_with_etag(&view, view.version))
}

/// Change a scheduled activity; a larger capacity promotes from the waiting list.
#[utoipa::path(
    tag = "volunteers",
    operation_id = "activities_update",
    request_body = UpdateActivity,
    params(("id" = String, Path), ("If-Match" = Option<String>, Header)),
    responses(
        (status = 200, body = ActivityView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 412, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[patch("/activities/{id}")]
pub async fn update_activity(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<String>,
    body: ValidJson<UpdateActivity>,
) -> Result<HttpResponse, ApiError> {
    let if_match = if_match_version(&req)?;
    let (id, input) = (id.into_inner(), body.0);
    let view = crate::db::run(&state.pool, move |c| {
        activities::update(c, &caller, &id, input, if_match)
    })
    .await?;
    Ok(ok_with_etag(&view, view.version))
}

macro_rules! action {
    ($name:ident, $path:literal, $op:literal, $doc:literal, $call:path) => {
        #[doc = $doc]
        #[utoipa::path(
            tag = "volunteers",
            operation_id = $op,
            params(("id" = String, Path)),
            responses(
                (status = 200, body = ActivityView),
                (status = 403, body = Problem, content_type = "application/problem+json"),
                (status = 404, body = Problem, content_type = "application/problem+json"),
                (status = 409, description = "`invalid_transition` (naming the current state) and the like", body = Problem, content_type = "application/problem+json"),
            ),
            security(("bearer" = []))
        )]
        #[post($path)]
        pub async fn $name(state: web::Data<AppState>, caller: Caller, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
            let id = id.into_inner();
            Ok(HttpResponse::Ok().json(crate::db::run(&state.pool, move |c| $call(c, &caller, &id)).await?))
        }
    };
    // The same, for an action that needs the sealer (it may make the caller's volunteer record,
    // whose phone is sealed).
    ($name:ident, $path:literal, $op:literal, $doc:literal, $call:path, sealed) => {
        #[doc = $doc]
        #[utoipa::path(
            tag = "volunteers",
            operation_id = $op,
            params(("id" = String, Path)),
            responses(
                (status = 200, body = ActivityView),
                (status = 403, body = Problem, content_type = "application/problem+json"),
                (status = 404, body = Problem, content_type = "application/problem+json"),
                (status = 409, description = "`invalid_transition` (naming the current state) and the like", body = Problem, content_type = "application/problem+json"),
            ),
            security(("bearer" = []))
        )]
        #[post($path)]
        pub async fn $name(state: web::Data<AppState>, caller: Caller, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
            let (id, sealer) = (id.into_inner(), state.sealer.clone());
            Ok(HttpResponse::Ok().json(crate::db::run(&state.pool, move |c| $call(c, &sealer, &caller, &id)).await?))
        }
    };
}

action!(
    cancel_activity,
    "/activities/{id}/cancel",
    "activities_cancel",
    "Cancel an activity that has not started.",
    activities::cancel
);
action!(
    close_activity,
    "/activities/{id}/close",
    "activities_close",
    "Close an ended activity: everyone's hours are settled into the ledger at once.",
    activities::close
);
action!(
    sign_up,
    "/activities/{id}/sign-up",
    "activities_sign_up",
    "Sign up (a place, or the waiting list when full).",
    activities::sign_up,
    sealed
);
action!(
    withdraw,
    "/activities/{id}/withdraw",
    "activities_withdraw",
    "Withdraw a sign-up before the start; the first on the waiting list takes the place.",
    activities::withdraw
);

/// Who signed up (its keepers): places, waiting list in order, check-ins and marks.
#[utoipa::path(
    tag = "volunteers",
    operation_id = "activities_signups",
    params(("id" = String, Path)),
    responses((status = 200, body = Vec<SignupView>), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[get("/activities/{id}/signups")]
pub async fn signups(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    Ok(HttpResponse::Ok()
        .json(crate::db::run(&state.pool, move |c| activities::signups(c, &caller, &id)).await?))
}

/// The rotating check-in code for the organiser's screen (shown as a QR code of `check_in_url`).
#[utoipa::path(
    tag = "volunteers",
    operation_id = "activities_check_in_code",
    params(("id" = String, Path)),
    responses((status = 200, body = CheckInCode), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[get("/activities/{id}/check-in-code")]
pub async fn check_in_code(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let code = crate::db::run(&state.pool, move |c| activities::code(c, &caller, &id)).await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(code))
}

/// Check in with the organiser's code or a position near the venue, from 30 minutes before the start to the end.
#[utoipa::path(
    tag = "volunteers",
    operation_id = "activities_check_in",
    request_body = CheckInRequest,
    params(("id" = String, Path)),
    responses(
        (status = 200, body = ActivityView),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`outside_check_in_window`, `not_signed_up`, `invalid_transition`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`code_invalid`, `too_far`", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/activities/{id}/check-in")]
pub async fn check_in(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: ValidJson<CheckInRequest>,
) -> Result<HttpResponse, ApiError> {
    let (id, input) = (id.into_inner(), body.0);
    Ok(HttpResponse::Ok().json(
        crate::db::run(&state.pool, move |c| {
            activities::check_in(c, &caller, &id, input)
        })
        .await?,
    ))
}

/// Check out (the same proof as check-in), from the start to an hour after the end; credits the hours.
#[utoipa::path(
    tag = "volunteers",
    operation_id = "activities_check_out",
    request_body = CheckInRequest,
    params(("id" = String, Path)),
    responses(
        (status = 200, body = ActivityView),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/activities/{id}/check-out")]
pub async fn check_out(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: ValidJson<CheckInRequest>,
) -> Result<HttpResponse, ApiError> {
    let (id, input) = (id.into_inner(), body.0);
    Ok(HttpResponse::Ok().json(
        crate::db::run(&state.pool, move |c| {
            activities::check_out(c, &caller, &id, input)
        })
        .await?,
    ))
}

/// Mark attendance (present, late, excused, absent); hours already credited follow the marks.
#[utoipa::path(
    tag = "volunteers",
    operation_id = "activities_mark_attendance",
    request_body = MarkAttendance,
    params(("id" = String, Path)),
    responses(
        (status = 200, body = Vec<SignupView>),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[put("/activities/{id}/attendance")]
pub async fn mark_attendance(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: ValidJson<MarkAttendance>,
) -> Result<HttpResponse, ApiError> {
    let (id, input) = (id.into_inner(), body.0);
    Ok(HttpResponse::Ok().json(
        crate::db::run(&state.pool, move |c| {
            activities::mark(c, &caller, &id, input)
        })
        .await?,
    ))
}

// ---------- the ledger ----------

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HourFilters {
    pub volunteer_id: Option<String>,
    pub team_id: Option<String>,
    pub region_id: Option<String>,
    pub activity_id: Option<String>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

/// Ledger entries the caller may see (their own; their teams'; their regions'), newest first.
#[utoipa::path(
    tag = "volunteers",
    operation_id = "service_hours_list",
    params(ListParams, HourFilters),
    responses((status = 200, body = Page<HourEntryView>), (status = 400, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[get("/service-hours")]
pub async fn list_hours(
    state: web::Data<AppState>,
    caller: Caller,
    params: web::Query<ListParams>,
    f: web::Query<HourFilters>,
) -> Result<HttpResponse, ApiError> {
    let paging = params.paging()?;
    let f = f.into_inner();
    let filter = ledger::EntryFilter {
        volunteer_id: f.volunteer_id,
        team_id: f.team_id,
        region_id: f.region_id,
        activity_id: f.activity_id,
        from: f.from,
        to: f.to,
    };
    let p = paging.clone();
    Ok(page!(
        p,
        crate::db::run(&state.pool, move |c| ledger::list(
            c, &caller, filter, paging
        ))
        .await?
    ))
}

/// Correct an entry: it is reversed and, unless `minutes` is 0, replaced — never edited.
#[utoipa::path(
    tag = "volunteers",
    operation_id = "service_hours_correct",
    request_body = CorrectEntry,
    params(("id" = String, Path)),
    responses(
        (status = 201, body = Correction),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`entry_reversed`, `entry_is_reversal`, `make_up_exceeds_activity`", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/service-hours/{id}/correct")]
pub async fn correct_hours(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: ValidJson<CorrectEntry>,
) -> Result<HttpResponse, ApiError> {
    let (id, input) = (id.into_inner(), body.0);
    Ok(HttpResponse::Created().json(
        crate::db::run(&state.pool, move |c| {
            ledger::correct(c, &caller, &id, input)
        })
        .await?,
    ))
}

/// A year (`2026`), quarter (`2026-Q4`) or month (`2026-11`).
pub fn parse_span(s: Option<&str>) -> Result<(NaiveDate, NaiveDate), ApiError> {
    let today = crate::clock::today();
    match s {
        None => Ok((
            NaiveDate::from_ymd_opt(today.year(), 1, 1).expect("a date"),
            NaiveDate::from_ymd_opt(today.year(), 12, 31).expect("a date"),
        )),
        Some(y) if y.len() == 4 && y.chars().all(|c| c.is_ascii_digit()) => {
            let year: i32 = y
                .parse()
                .map_err(|_| ApiError::bad_request(ErrorCode::InvalidPeriod, "bad year"))?;
            Ok((
                NaiveDate::from_ymd_opt(year, 1, 1)
                    .ok_or_else(|| ApiError::bad_request(ErrorCode::InvalidPeriod, "bad year"))?,
                NaiveDate::from_ymd_opt(year, 12, 31).expect("a date"),
            ))
        }
        Some(p) => {
            let p = crate::households::visits::parse_period(p).map_err(|_| {
                ApiError::bad_request(
                    ErrorCode::InvalidPeriod,
                    "period is a year (2026), a quarter (2026-Q4) or a month (2026-11)",
                )
            })?;
            Ok((p.from, p.to))
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TotalParams {
    /// `volunteer` (default), `team`, `region` or `month`.
    pub group_by: Option<String>,
    /// A year (`2026`, the default: this year), quarter (`2026-Q4`) or month (`2026-11`).
    pub period: Option<String>,
    pub region_id: Option<String>,
    pub team_id: Option<String>,
}

/// Hours per volunteer, team, community or month; credited and make-up apart.
#[utoipa::path(
    tag = "volunteers",
    operation_id = "service_hours_totals",
    params(TotalParams),
    responses((status = 200, body = HourTotals), (status = 400, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[get("/service-hours/totals")]
pub async fn totals(
    state: web::Data<AppState>,
    caller: Caller,
    q: web::Query<TotalParams>,
) -> Result<HttpResponse, ApiError> {
    let q = q.into_inner();
    let group_by = q.group_by.unwrap_or_else(|| "volunteer".into());
    if !["volunteer", "team", "region", "month"].contains(&group_by.as_str()) {
        return Err(ApiError::bad_request(
            ErrorCode::InvalidQuery,
            "group_by is volunteer, team, region or month",
        ));
    }
    let (from, to) = parse_span(q.period.as_deref())?;
    let r = crate::db::run(&state.pool, move |c| {
        ledger::totals(
            c,
            &caller,
            &group_by,
            q.region_id.as_deref(),
            q.team_id.as_deref(),
            from,
            to,
        )
    })
    .await?;
    Ok(HttpResponse::Ok().json(r))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RankingParams {
    /// A street or community (and its subtree).
    pub region_id: String,
    /// A year, quarter or month (default this year).
    pub period: Option<String>,
    /// Rows (default 20, at most 100).
    pub limit: Option<i64>,
}

/// Who served most: volunteers by hours in a region over a period.
#[utoipa::path(
    tag = "volunteers",
    operation_id = "service_hours_ranking",
    params(RankingParams),
    responses((status = 200, body = Ranking), (status = 400, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[get("/service-hours/ranking")]
pub async fn ranking(
    state: web::Data<AppState>,
    caller: Caller,
    q: web::Query<RankingParams>,
) -> Result<HttpResponse, ApiError> {
    let q = q.into_inner();
    let (from, to) = parse_span(q.period.as_deref())?;
    let limit = q.limit.unwrap_or(20);
    if !(1..=100).contains(&limit) {
        return Err(ApiError::bad_request(
            ErrorCode::InvalidQuery,
            "limit is 1 to 100",
        ));
    }
    let memo = state.rankings.clone();
    let r = crate::db::run(&state.pool, move |c| {
        ledger::ranking(c, &memo, &caller, &q.region_id, from, to, limit)
    })
    .await?;
    Ok(HttpResponse::Ok().json(r))
}

// ---------- claims ----------

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ClaimFilters {
    pub team_id: Option<String>,
    pub status: Option<ClaimStatus>,
    /// Only the caller's own claims.
    pub mine: Option<bool>,
}

/// The approval queue: make-up hour claims of the teams the caller keeps (oldest first), or their own.
#[utoipa::path(
    tag = "volunteers",
    operation_id = "hour_claims_list",
    params(ListParams, ClaimFilters),
    responses((status = 200, body = Page<ClaimView>), (status = 400, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[get("/service-hour-claims")]
pub async fn list_claims(
    state: web::Data<AppState>,
    caller: Caller,
    params: web::Query<ListParams>,
    f: web::Query<ClaimFilters>,
) -> Result<HttpResponse, ApiError> {
    let paging = params.paging()?;
    let f = f.into_inner();
    let filter = ledger::ClaimFilter {
        team_id: f.team_id,
        status: f.status,
        mine: f.mine.unwrap_or(false),
    };
    let p = paging.clone();
    Ok(page!(
        p,
        crate::db::run(&state.pool, move |c| ledger::list_claims(
            c, &caller, filter, paging
        ))
        .await?
    ))
}

/// Claim make-up hours (补录) for oneself, or as a team's keeper for a member.
#[utoipa::path(
    tag = "volunteers",
    operation_id = "hour_claims_create",
    request_body = CreateClaim,
    params(("Idempotency-Key" = Option<String>, Header)),
    responses(
        (status = 201, body = ClaimView, headers(("Location" = String))),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`exceeds_activity`, `not_in_team` …", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/service-hour-claims")]
pub async fn create_claim(
    state: web::Data<AppState>,
    caller: Caller,
    body: ValidJson<CreateClaim>,
) -> Result<HttpResponse, ApiError> {
    let input = body.0;
    let view = crate::db::run(&state.pool, move |c| {
        ledger::create_claim(c, &caller, input)
    })
    .await?;
    Ok(created(
        format!("/api/v1/service-hour-claims/{}", view.id),
        &view,
        1,
    ))
}

macro_rules! decide {
    ($name:ident, $path:literal, $op:literal, $doc:literal, $approve:expr) => {
        #[doc = $doc]
        #[utoipa::path(
            tag = "volunteers",
            operation_id = $op,
            request_body = DecideClaim,
            params(("id" = String, Path)),
            responses(
                (status = 200, body = ClaimView),
                (status = 403, body = Problem, content_type = "application/problem+json"),
                (status = 404, body = Problem, content_type = "application/problem+json"),
                (status = 409, description = "`invalid_transition`, `make_up_exceeds_activity`", body = Problem, content_type = "application/problem+json"),
            ),
            security(("bearer" = []))
        )]
        #[post($path)]
        pub async fn $name(state: web::Data<AppState>, caller: Caller, id: web::Path<String>, body: ValidJson<DecideClaim>) -> Result<HttpResponse, ApiError> {
            let (id, input) = (id.into_inner(), body.0);
            Ok(HttpResponse::Ok().json(crate::db::run(&state.pool, move |c| ledger::decide_claim(c, &caller, &id, $approve, input)).await?))
        }
    };
}

decide!(
    approve_claim,
    "/service-hour-claims/{id}/approve",
    "hour_claims_approve",
    "Approve a claim: its make-up hours enter the ledger (within the activity's length).",
    true
);
decide!(
    reject_claim,
    "/service-hour-claims/{id}/reject",
    "hour_claims_reject",
    "Refuse a claim.",
    false
);

// ---------- calendars ----------

/// A team's activity calendar (iCalendar) for phone calendars; the secret in the URL is the credential.
#[utoipa::path(
    tag = "volunteers",
    operation_id = "volunteer_teams_calendar",
    params(("file" = String, Path, description = "`<secret>.ics`")),
    responses((status = 200, description = "the feed", content_type = "text/calendar"), (status = 404, body = Problem, content_type = "application/problem+json")),
    security(())
)]
#[get("/calendars/teams/{file}")]
pub async fn team_calendar(
    state: web::Data<AppState>,
    file: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let secret = file
        .into_inner()
        .strip_suffix(".ics")
        .map(str::to_owned)
        .ok_or_else(|| ApiError::not_found("calendar"))?;
    let text = crate::db::run(&state.pool, move |c| {
        use crate::db::schema::volunteer_teams;
        let team: Option<(String, String)> = volunteer_teams::table
            .filter(volunteer_teams::calendar_secret.eq(&secret))
            .select((volunteer_teams::id, volunteer_teams::name))
            .first(c)
            .optional()?;
        let (id, name) = team.ok_or_else(|| ApiError::not_found("calendar"))?;
        let events = activities::calendar_events(c, Some(&id), None)?;
        Ok(crate::ics::calendar(&format!("同心 · {name}"), &events))
    })
    .await?;
    Ok(HttpResponse::Ok()
        .content_type("text/calendar; charset=utf-8")
        .insert_header(("Cache-Control", "private, max-age=300"))
        .body(text))
}
