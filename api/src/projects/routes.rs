//! HTTP handlers of projects.
use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
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
pub struct CategoryParams {
    /// The street whose list it is.
    pub region_id: String,
    pub year: i32,
}

/// A street's project categories for a year, as a two-level tree.
#[utoipa::path(
    tag = "units",
    operation_id = "service_categories_list",
    params(CategoryParams),
    responses((status = 200, body = Vec<CategoryView>), (status = 400, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[get("/service-categories")]
pub async fn list_categories(
    state: web::Data<AppState>,
    _caller: Caller,
    q: web::Query<CategoryParams>,
) -> Result<HttpResponse, ApiError> {
    let q = q.into_inner();
    Ok(HttpResponse::Ok().json(
        crate::db::run(&state.pool, move |c| {
            service::categories(c, &q.region_id, q.year)
        })
        .await?,
    ))
}

/// Add a category (or, with `parent_id`, a subcategory) to a street's list for a year.
#[utoipa::path(
    tag = "units",
    operation_id = "service_categories_create",
    request_body = CreateCategory,
    responses(
        (status = 201, body = CategoryView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`duplicate_name`", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/service-categories")]
pub async fn create_category(
    state: web::Data<AppState>,
    caller: Caller,
    body: ValidJson<CreateCategory>,
) -> Result<HttpResponse, ApiError> {
    let input = body.0;
    Ok(HttpResponse::Created().json(
        crate::db::run(&state.pool, move |c| {
            service::create_category(c, &caller, input)
        })
        .await?,
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProjectFilters {
    pub region_id: Option<String>,
    pub year: Option<i32>,
    /// A category and its subcategories.
    pub category_id: Option<String>,
    /// Only open projects that still want units.
    pub open_places: Option<bool>,
}

/// The year's project list (a public catalogue), by category.
#[utoipa::path(
    tag = "units",
    operation_id = "service_projects_list",
    params(ListParams, ProjectFilters),
    responses((status = 200, body = Page<ProjectView>), (status = 400, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[get("/service-projects")]
pub async fn list_projects(
    state: web::Data<AppState>,
    _caller: Caller,
    params: web::Query<ListParams>,
    f: web::Query<ProjectFilters>,
) -> Result<HttpResponse, ApiError> {
    let paging = params.paging()?;
    let f = f.into_inner();
    let filter = service::ProjectFilter {
        region_id: f.region_id,
        year: f.year,
        category_id: f.category_id,
        open_places: f.open_places.unwrap_or(false),
        q: params.query(),
    };
    let p = paging.clone();
    let (items, total) = crate::db::run(&state.pool, move |c| {
        service::list_projects(c, filter, paging)
    })
    .await?;
    Ok(HttpResponse::Ok().json(Page {
        items,
        total,
        page: p.page,
        per_page: p.per_page,
    }))
}

/// Add a project to the street's list under a (sub)category, with how many units it wants.
#[utoipa::path(
    tag = "units",
    operation_id = "service_projects_create",
    request_body = CreateProject,
    params(("Idempotency-Key" = Option<String>, Header)),
    responses((status = 201, body = ProjectView, headers(("Location" = String))), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[post("/service-projects")]
pub async fn create_project(
    state: web::Data<AppState>,
    caller: Caller,
    body: ValidJson<CreateProject>,
) -> Result<HttpResponse, ApiError> {
    let input = body.0;
    let view = crate::db::run(&state.pool, move |c| {
        service::create_project(c, &caller, input)
    })
    .await?;
    Ok(created(
        format!("/api/v1/service-projects/{}", view.id),
        &view,
        view.version,
    ))
}

/// One project with its claims.
#[utoipa::path(
    tag = "units",
    operation_id = "service_projects_get",
    params(("id" = String, Path)),
    responses((status = 200, body = ProjectView), (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[get("/service-projects/{id}")]
pub async fn get_project(
    state: web::Data<AppState>,
    _caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let view = crate::db::run(&state.pool, move |c| service::get_project(c, &id)).await?;
    Ok(ok_with_etag(&view, view.version))
}

/// Change a project; `need` cannot go below the claims made; `status: closed` stops claims.
#[utoipa::path(
    tag = "units",
    operation_id = "service_projects_update",
    request_body = UpdateProject,
    params(("id" = String, Path), ("If-Match" = Option<String>, Header)),
    responses(
        (status = 200, body = ProjectView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 412, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[patch("/service-projects/{id}")]
pub async fn update_project(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<String>,
    body: ValidJson<UpdateProject>,
) -> Result<HttpResponse, ApiError> {
    let if_match = if_match_version(&req)?;
    let (id, input) = (id.into_inner(), body.0);
    let view = crate::db::run(&state.pool, move |c| {
        service::update_project(c, &caller, &id, input, if_match)
    })
    .await?;
    Ok(ok_with_etag(&view, view.version))
}

/// A unit claims a project (认领) with what it commits; up to the project's need.
#[utoipa::path(
    tag = "units",
    operation_id = "service_projects_claim",
    request_body = CreateProjectClaim,
    params(("id" = String, Path)),
    responses(
        (status = 201, body = ProjectView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`project_fully_claimed`, `already_claimed`, `invalid_transition`", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/service-projects/{id}/claims")]
pub async fn claim_project(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: ValidJson<CreateProjectClaim>,
) -> Result<HttpResponse, ApiError> {
    let (id, input) = (id.into_inner(), body.0);
    Ok(HttpResponse::Created()
        .json(crate::db::run(&state.pool, move |c| service::claim(c, &caller, &id, input)).await?))
}

/// Withdraw a unit's claim; its place opens again.
#[utoipa::path(
    tag = "units",
    operation_id = "service_projects_withdraw_claim",
    params(("id" = String, Path), ("unit_id" = String, Path)),
    responses((status = 200, body = ProjectView), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[delete("/service-projects/{id}/claims/{unit_id}")]
pub async fn withdraw_claim(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (id, unit) = path.into_inner();
    Ok(HttpResponse::Ok().json(
        crate::db::run(&state.pool, move |c| {
            service::withdraw(c, &caller, &id, &unit)
        })
        .await?,
    ))
}
