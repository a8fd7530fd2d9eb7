//! HTTP handlers of units.
use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;

use super::dto::*;
use super::service;
use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::http::{created, if_match_version, ok_with_etag, ListParams, Page, ValidJson};
use crate::projects::dto::ClaimOfProject;
use crate::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UnitFilters {
    /// Units sitting in this region or paired with a community under it.
    pub region_id: Option<String>,
    /// Units paired with this community.
    pub community_id: Option<String>,
    pub kind: Option<UnitKind>,
}

/// Co-building units the caller may see, by name; contact phones masked. `q` searches names, or a
/// contact phone number exactly.
#[utoipa::path(
    tag = "units",
    operation_id = "units_list",
    params(ListParams, UnitFilters),
    responses((status = 200, body = Page<UnitView>), (status = 400, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[get("/units")]
pub async fn list_units(
    state: web::Data<AppState>,
    caller: Caller,
    params: web::Query<ListParams>,
    f: web::Query<UnitFilters>,
) -> Result<HttpResponse, ApiError> {
    let paging = params.paging()?;
    let f = f.into_inner();
    let q = params.query();
    let q_phone_index = q
        .as_deref()
        .and_then(|q| crate::phones::query_index(&state.sealer, q));
    let filter = service::UnitFilter {
        region_id: f.region_id,
        community_id: f.community_id,
        kind: f.kind,
        q,
        q_phone_index,
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

/// Register a unit in a street (its staff), optionally paired with communities at once.
#[utoipa::path(
    tag = "units",
    operation_id = "units_create",
    request_body = CreateUnit,
    params(("Idempotency-Key" = Option<String>, Header)),
    responses(
        (status = 201, body = UnitView, headers(("Location" = String))),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`duplicate_name`", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/units")]
pub async fn create_unit(
    state: web::Data<AppState>,
    caller: Caller,
    body: ValidJson<CreateUnit>,
) -> Result<HttpResponse, ApiError> {
    let input = body.0;
    let sealer = state.sealer.clone();
    let view = crate::db::run(&state.pool, move |c| {
        service::create(c, &sealer, &caller, input)
    })
    .await?;
    Ok(created(
        format!("/api/v1/units/{}", view.id),
        &view,
        view.version,
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UnitUnmaskParam {
    /// Show the contact phone in clear (the street's staff who keep the unit and its contacts;
    /// recorded, and the unit's contacts can see who did in `GET /me/data-access`).
    pub unmask: Option<bool>,
}

/// Read one unit; `unmask=true` shows the contact phone (audited).
#[utoipa::path(
    tag = "units",
    operation_id = "units_get",
    params(("id" = String, Path), UnitUnmaskParam),
    responses(
        (status = 200, body = UnitView),
        (status = 403, description = "your role may not unmask", body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/units/{id}")]
pub async fn get_unit(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    q: web::Query<UnitUnmaskParam>,
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
    Ok(ok_with_etag(&view, view.version))
}

/// Change a unit: the street's staff anything; the unit's own contacts its contact details.
#[utoipa::path(
    tag = "units",
    operation_id = "units_update",
    request_body = UpdateUnit,
    params(("id" = String, Path), ("If-Match" = Option<String>, Header)),
    responses(
        (status = 200, body = UnitView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 412, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[patch("/units/{id}")]
pub async fn update_unit(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<String>,
    body: ValidJson<UpdateUnit>,
) -> Result<HttpResponse, ApiError> {
    let if_match = if_match_version(&req)?;
    let (id, input) = (id.into_inner(), body.0);
    let sealer = state.sealer.clone();
    let view = crate::db::run(&state.pool, move |c| {
        service::update(c, &sealer, &caller, &id, input, if_match)
    })
    .await?;
    Ok(ok_with_etag(&view, view.version))
}

/// Pair a unit with a community (结对共建).
#[utoipa::path(
    tag = "units",
    operation_id = "units_pair",
    request_body = PairUnit,
    params(("id" = String, Path)),
    responses(
        (status = 201, body = UnitView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`already_paired`", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/units/{id}/pairings")]
pub async fn pair_unit(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: ValidJson<PairUnit>,
) -> Result<HttpResponse, ApiError> {
    let (id, input) = (id.into_inner(), body.0);
    Ok(HttpResponse::Created()
        .json(crate::db::run(&state.pool, move |c| service::pair(c, &caller, &id, input)).await?))
}

/// End a pairing.
#[utoipa::path(
    tag = "units",
    operation_id = "units_unpair",
    params(("id" = String, Path), ("community_id" = String, Path)),
    responses((status = 204, description = "unpaired"), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[delete("/units/{id}/pairings/{community_id}")]
pub async fn unpair_unit(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (id, community) = path.into_inner();
    crate::db::run(&state.pool, move |c| {
        service::unpair(c, &caller, &id, &community)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The projects a unit has claimed (active and withdrawn).
#[utoipa::path(
    tag = "units",
    operation_id = "units_claims",
    params(("id" = String, Path)),
    responses((status = 200, body = Vec<ClaimOfProject>), (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[get("/units/{id}/claims")]
pub async fn unit_claims(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    Ok(HttpResponse::Ok().json(
        crate::db::run(&state.pool, move |c| {
            crate::projects::service::unit_claims(c, &caller, &id)
        })
        .await?,
    ))
}
