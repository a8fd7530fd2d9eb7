//! `/grids`, `/grids/locate` and `/grids/{id}/roles`.
use actix_web::http::header;
use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;

use super::dto::{
    AssignGridRole, CoordinateSystem, CreateGrid, GridRoleView, GridView, UpdateGrid,
    VacateGridRole,
};
use super::service::{self, GridFilter};
use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::http::{created, if_match_version, ok_with_etag, ListParams, Page, ValidJson};
use crate::AppState;

/// A map asks for every grid of a street at once; JSON pages stay at 100.
const MAX_FEATURES: i64 = 1000;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct GridFilters {
    pub community_id: Option<String>,
    /// A community or a street: every grid inside it.
    pub region_id: Option<String>,
    pub branch_id: Option<String>,
    /// `true`: only grids with a role nobody holds; `false`: only fully staffed grids.
    pub vacant: Option<bool>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LocateParams {
    /// Longitude.
    #[param(example = 119.975)]
    pub lng: f64,
    /// Latitude.
    #[param(example = 31.795)]
    pub lat: f64,
    /// `wgs84` (default, GPS) or `gcj02` (AMap/Tencent coordinates).
    pub coordinate_system: Option<CoordinateSystem>,
}

fn wants_geojson(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("application/geo+json"))
}

/// List the grids the caller can see.
///
/// With `Accept: application/geo+json` the answer is a GeoJSON FeatureCollection (RFC 7946) for a
/// map or a GIS tool, with up to 1,000 features a page. `sort` takes `name`, `code`,
/// `household_count`, `created_at`; `q` searches names and codes.
#[utoipa::path(
    tag = "grids",
    operation_id = "grids_list",
    params(ListParams, GridFilters),
    responses(
        (status = 200, description = "A page of grids; with `Accept: application/geo+json`, a GeoJSON FeatureCollection", content(
            (Page<GridView> = "application/json"),
            ("application/geo+json"),
        )),
        (status = 400, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/grids")]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    params: web::Query<ListParams>,
    filters: web::Query<GridFilters>,
) -> Result<HttpResponse, ApiError> {
    let geojson = wants_geojson(&req);
    let mut params = params.into_inner();
    let wanted = params.per_page;
    if geojson {
        params.per_page = Some(1);
    }
    let mut paging = params.paging()?;
    if geojson {
        paging.per_page = wanted.unwrap_or(MAX_FEATURES).clamp(1, MAX_FEATURES);
    }
    let sorts = params.sorts(service::SORT_KEYS)?;
    let filters = filters.into_inner();
    let filter = GridFilter {
        community_id: filters.community_id,
        region_id: filters.region_id,
        branch_id: filters.branch_id,
        vacant: filters.vacant,
        q: params.query(),
    };
    let page = paging.clone();
    let (items, total) = crate::db::run(&state.pool, move |c| {
        service::list(c, &caller, filter, sorts, paging)
    })
    .await?;
    if geojson {
        let body = service::feature_collection(&items, total, page.page, page.per_page);
        return Ok(HttpResponse::Ok()
            .content_type("application/geo+json")
            .body(body.to_string()));
    }
    Ok(HttpResponse::Ok().json(Page {
        items,
        total,
        page: page.page,
        per_page: page.per_page,
    }))
}

/// The grid containing a point — a reported address's or a phone's position.
#[utoipa::path(
    tag = "grids",
    operation_id = "grids_locate",
    params(LocateParams),
    responses(
        (status = 200, body = GridView),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "no grid you can see contains the point", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/grids/locate")]
pub async fn locate(
    state: web::Data<AppState>,
    caller: Caller,
    params: web::Query<LocateParams>,
) -> Result<HttpResponse, ApiError> {
    let p = params.into_inner();
    let view = crate::db::run(&state.pool, move |c| {
        service::locate(
            c,
            &caller,
            p.lng,
            p.lat,
            p.coordinate_system.unwrap_or_default(),
        )
    })
    .await?;
    Ok(HttpResponse::Ok().json(view))
}

/// Create a grid in a community the caller manages.
#[utoipa::path(
    tag = "grids",
    operation_id = "grids_create",
    request_body = CreateGrid,
    params(("Idempotency-Key" = Option<String>, Header)),
    responses(
        (status = 201, body = GridView, headers(("Location" = String))),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`duplicate` name in the community or code", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "field errors, e.g. `invalid_geometry` with the reason", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/grids")]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: ValidJson<CreateGrid>,
) -> Result<HttpResponse, ApiError> {
    let input = body.0;
    let view = crate::db::run(&state.pool, move |c| service::create(c, &caller, input)).await?;
    Ok(created(
        format!("/api/v1/grids/{}", view.id),
        &view,
        view.version,
    ))
}

/// Read one grid with its current role holders and vacancies.
#[utoipa::path(
    tag = "grids",
    operation_id = "grids_get",
    params(("id" = String, Path)),
    responses((status = 200, body = GridView), (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[get("/grids/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let view = crate::db::run(&state.pool, move |c| service::get(c, &caller, &id)).await?;
    Ok(ok_with_etag(&view, view.version))
}

/// Change a grid's name, code, branch or boundary.
#[utoipa::path(
    tag = "grids",
    operation_id = "grids_update",
    request_body = UpdateGrid,
    params(("id" = String, Path), ("If-Match" = Option<String>, Header)),
    responses(
        (status = 200, body = GridView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 412, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[patch("/grids/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<String>,
    body: ValidJson<UpdateGrid>,
) -> Result<HttpResponse, ApiError> {
    let if_match = if_match_version(&req)?;
    let (id, input) = (id.into_inner(), body.0);
    let view = crate::db::run(&state.pool, move |c| {
        service::update(c, &caller, &id, input, if_match)
    })
    .await?;
    Ok(ok_with_etag(&view, view.version))
}

/// Delete a grid with no households and no grid workers.
#[utoipa::path(
    tag = "grids",
    operation_id = "grids_delete",
    params(("id" = String, Path), ("If-Match" = Option<String>, Header)),
    responses(
        (status = 204, description = "deleted"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`grid_not_empty`", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[delete("/grids/{id}")]
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

/// Who held each grid role, and when (newest first per role).
#[utoipa::path(
    tag = "grids",
    operation_id = "grids_roles",
    params(("id" = String, Path)),
    responses((status = 200, body = Vec<GridRoleView>), (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[get("/grids/{id}/roles")]
pub async fn roles(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let items =
        crate::db::run(&state.pool, move |c| service::role_history(c, &caller, &id)).await?;
    Ok(HttpResponse::Ok().json(items))
}

/// Give a grid role to a person; the previous holder's term ends the day before.
#[utoipa::path(
    tag = "grids",
    operation_id = "grids_assign_role",
    request_body = AssignGridRole,
    params(("id" = String, Path)),
    responses(
        (status = 200, body = GridView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/grids/{id}/roles")]
pub async fn assign_role(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: ValidJson<AssignGridRole>,
) -> Result<HttpResponse, ApiError> {
    let (id, input) = (id.into_inner(), body.0);
    let view = crate::db::run(&state.pool, move |c| {
        service::assign_role(c, &caller, &id, input)
    })
    .await?;
    Ok(HttpResponse::Ok().json(view))
}

/// Leave a grid role unfilled (it is then listed as vacant).
#[utoipa::path(
    tag = "grids",
    operation_id = "grids_vacate_role",
    request_body = VacateGridRole,
    params(("id" = String, Path)),
    responses(
        (status = 200, body = GridView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`role_vacant`: nobody holds it", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/grids/{id}/vacate-role")]
pub async fn vacate_role(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: ValidJson<VacateGridRole>,
) -> Result<HttpResponse, ApiError> {
    let (id, input) = (id.into_inner(), body.0);
    let view = crate::db::run(&state.pool, move |c| {
        service::vacate_role(c, &caller, &id, input)
    })
    .await?;
    Ok(HttpResponse::Ok().json(view))
}
