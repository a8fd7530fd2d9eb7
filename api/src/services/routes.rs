//! `/units`, `/service-categories` and `/service-projects` (with claims).
use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;

use super::dto::*;
use super::{agreements, orders, projects, units, wishes};
use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::http::{created, if_match_version, ok_with_etag, ListParams, Page, ValidJson};
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
    let filter = units::UnitFilter {
        region_id: f.region_id,
        community_id: f.community_id,
        kind: f.kind,
        q,
        q_phone_index,
    };
    let p = paging.clone();
    let (items, total) = crate::db::run(&state.pool, move |c| {
        units::list(c, &caller, filter, paging)
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
        units::create(c, &sealer, &caller, input)
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
        units::read(c, &sealer, &caller, &id, unmask)
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
        units::update(c, &sealer, &caller, &id, input, if_match)
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
        .json(crate::db::run(&state.pool, move |c| units::pair(c, &caller, &id, input)).await?))
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
        units::unpair(c, &caller, &id, &community)
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
    Ok(HttpResponse::Ok()
        .json(crate::db::run(&state.pool, move |c| projects::unit_claims(c, &caller, &id)).await?))
}

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
            projects::categories(c, &q.region_id, q.year)
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
            projects::create_category(c, &caller, input)
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
    let filter = projects::ProjectFilter {
        region_id: f.region_id,
        year: f.year,
        category_id: f.category_id,
        open_places: f.open_places.unwrap_or(false),
        q: params.query(),
    };
    let p = paging.clone();
    let (items, total) = crate::db::run(&state.pool, move |c| {
        projects::list_projects(c, filter, paging)
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
        projects::create_project(c, &caller, input)
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
    let view = crate::db::run(&state.pool, move |c| projects::get_project(c, &id)).await?;
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
        projects::update_project(c, &caller, &id, input, if_match)
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
    Ok(HttpResponse::Created().json(
        crate::db::run(&state.pool, move |c| {
            projects::claim(c, &caller, &id, input)
        })
        .await?,
    ))
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
            projects::withdraw(c, &caller, &id, &unit)
        })
        .await?,
    ))
}

// ---------- menus ----------

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MenuFilters {
    /// A community's menu.
    pub community_id: Option<String>,
    pub provider_type: Option<ProviderType>,
    pub provider_id: Option<String>,
    pub category_id: Option<String>,
    /// Withdrawn items too.
    pub all: Option<bool>,
}

/// A community's menu (单位列菜谱), public to every signed-in user.
#[utoipa::path(
    tag = "orders",
    operation_id = "menu_items_list",
    params(ListParams, MenuFilters),
    responses((status = 200, body = Page<MenuItemView>), (status = 400, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[get("/menu-items")]
pub async fn list_menu(
    state: web::Data<AppState>,
    caller: Caller,
    params: web::Query<ListParams>,
    f: web::Query<MenuFilters>,
) -> Result<HttpResponse, ApiError> {
    let paging = params.paging()?;
    let f = f.into_inner();
    let filter = orders::MenuFilter {
        community_id: f.community_id,
        provider_type: f.provider_type,
        provider_id: f.provider_id,
        category_id: f.category_id,
        all: f.all.unwrap_or(false),
        q: params.query(),
    };
    let p = paging.clone();
    let (items, total) = crate::db::run(&state.pool, move |c| {
        orders::list_menu(c, &caller, filter, paging)
    })
    .await?;
    Ok(HttpResponse::Ok().json(Page {
        items,
        total,
        page: p.page,
        per_page: p.per_page,
    }))
}

/// Publish a service on a community's menu (its provider, or the community's staff).
#[utoipa::path(
    tag = "orders",
    operation_id = "menu_items_create",
    request_body = CreateMenuItem,
    params(("Idempotency-Key" = Option<String>, Header)),
    responses((status = 201, body = MenuItemView, headers(("Location" = String))), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 422, description = "`not_paired` and the like", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[post("/menu-items")]
pub async fn create_menu_item(
    state: web::Data<AppState>,
    caller: Caller,
    body: ValidJson<CreateMenuItem>,
) -> Result<HttpResponse, ApiError> {
    let input = body.0;
    let view = crate::db::run(&state.pool, move |c| {
        orders::create_menu_item(c, &caller, input)
    })
    .await?;
    Ok(created(
        format!("/api/v1/menu-items/{}", view.id),
        &view,
        view.version,
    ))
}

#[utoipa::path(
    tag = "orders",
    operation_id = "menu_items_get",
    params(("id" = String, Path)),
    responses((status = 200, body = MenuItemView), (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[get("/menu-items/{id}")]
pub async fn get_menu_item(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let view = crate::db::run(&state.pool, move |c| orders::get_menu_item(c, &caller, &id)).await?;
    Ok(ok_with_etag(&view, view.version))
}

/// Change or withdraw a menu item.
#[utoipa::path(
    tag = "orders",
    operation_id = "menu_items_update",
    request_body = UpdateMenuItem,
    params(("id" = String, Path), ("If-Match" = Option<String>, Header)),
    responses((status = 200, body = MenuItemView), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 412, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[patch("/menu-items/{id}")]
pub async fn update_menu_item(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<String>,
    body: ValidJson<UpdateMenuItem>,
) -> Result<HttpResponse, ApiError> {
    let if_match = if_match_version(&req)?;
    let (id, input) = (id.into_inner(), body.0);
    let view = crate::db::run(&state.pool, move |c| {
        orders::update_menu_item(c, &caller, &id, input, if_match)
    })
    .await?;
    Ok(ok_with_etag(&view, view.version))
}

// ---------- orders ----------

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OrderFilters {
    /// A street or community and its subtree (the dispatch board).
    pub region_id: Option<String>,
    pub status: Option<OrderStatus>,
    /// Only orders past a due time (not accepted, or not done, in time).
    pub overdue: Option<bool>,
    /// Only my own orders (as a resident).
    pub mine: Option<bool>,
    /// Only orders dispatched to me (a unit I act for, a team I lead, or me as a volunteer).
    pub assigned: Option<bool>,
}

/// Orders, newest first: the dispatch board for staff, "my orders" for residents and providers.
#[utoipa::path(
    tag = "orders",
    operation_id = "service_orders_list",
    params(ListParams, OrderFilters),
    responses((status = 200, body = Page<OrderView>), (status = 400, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[get("/service-orders")]
pub async fn list_orders(
    state: web::Data<AppState>,
    caller: Caller,
    params: web::Query<ListParams>,
    f: web::Query<OrderFilters>,
) -> Result<HttpResponse, ApiError> {
    let paging = params.paging()?;
    let f = f.into_inner();
    let filter = orders::OrderFilter {
        region_id: f.region_id,
        status: f.status,
        overdue: f.overdue.unwrap_or(false),
        mine: f.mine.unwrap_or(false),
        assigned: f.assigned.unwrap_or(false),
    };
    let p = paging.clone();
    let (items, total) = crate::db::run(&state.pool, move |c| {
        orders::list(c, &caller, filter, paging)
    })
    .await?;
    Ok(HttpResponse::Ok().json(Page {
        items,
        total,
        page: p.page,
        per_page: p.per_page,
    }))
}

/// Order a service (点单) from the menu, or ask for something not on it. Send an
/// `Idempotency-Key`: a retried request then returns the first order instead of a second one.
#[utoipa::path(
    tag = "orders",
    operation_id = "service_orders_create",
    request_body = CreateOrder,
    params(("Idempotency-Key" = Option<String>, Header)),
    responses((status = 201, body = OrderView, headers(("Location" = String))), (status = 409, description = "the same Idempotency-Key with another body", body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[post("/service-orders")]
pub async fn create_order(
    state: web::Data<AppState>,
    caller: Caller,
    body: ValidJson<CreateOrder>,
) -> Result<HttpResponse, ApiError> {
    let input = body.0;
    let sealer = state.sealer.clone();
    let view = crate::db::run(&state.pool, move |c| {
        orders::create(c, &sealer, &caller, input)
    })
    .await?;
    Ok(created(
        format!("/api/v1/service-orders/{}", view.id),
        &view,
        view.version,
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OrderUnmaskParam {
    /// Show the contact phone in clear (the resident, the community's staff and the provider the
    /// order is dispatched to; recorded, and the resident can see who did in `GET /me/data-access`).
    pub unmask: Option<bool>,
}

/// One order with its timeline and what the caller may do next; `unmask=true` shows the contact
/// phone (audited).
#[utoipa::path(
    tag = "orders",
    operation_id = "service_orders_get",
    params(("id" = String, Path), OrderUnmaskParam),
    responses(
        (status = 200, body = OrderView),
        (status = 403, description = "your role may not unmask", body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/service-orders/{id}")]
pub async fn get_order(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    q: web::Query<OrderUnmaskParam>,
) -> Result<HttpResponse, ApiError> {
    let (id, unmask, sealer) = (
        id.into_inner(),
        q.unmask.unwrap_or(false),
        state.sealer.clone(),
    );
    let view = crate::db::run(&state.pool, move |c| {
        orders::read(c, &sealer, &caller, &id, unmask)
    })
    .await?;
    Ok(ok_with_etag(&view, view.version))
}

macro_rules! order_action {
    ($name:ident, $path:literal, $op:literal, $doc:literal, $body:ty, $call:path) => {
        #[doc = $doc]
        #[utoipa::path(
            tag = "orders",
            operation_id = $op,
            request_body = $body,
            params(("id" = String, Path)),
            responses(
                (status = 200, body = OrderView),
                (status = 403, body = Problem, content_type = "application/problem+json"),
                (status = 404, body = Problem, content_type = "application/problem+json"),
                (status = 409, description = "`invalid_transition`: the detail names the current state", body = Problem, content_type = "application/problem+json"),
                (status = 422, body = Problem, content_type = "application/problem+json"),
            ),
            security(("bearer" = []))
        )]
        #[post($path)]
        pub async fn $name(state: web::Data<AppState>, caller: Caller, id: web::Path<String>, body: ValidJson<$body>) -> Result<HttpResponse, ApiError> {
            let (id, input) = (id.into_inner(), body.0);
            Ok(HttpResponse::Ok().json(crate::db::run(&state.pool, move |c| $call(c, &caller, &id, input)).await?))
        }
    };
}

order_action!(dispatch_order, "/service-orders/{id}/dispatch", "service_orders_dispatch", "Dispatch (派单) to a unit, team or volunteer serving the community, with the time to accept and to finish (the community's staff; again while not accepted).", DispatchOrder, orders::dispatch);
order_action!(
    accept_order,
    "/service-orders/{id}/accept",
    "service_orders_accept",
    "Accept (接单) an order dispatched to you.",
    OrderNote,
    orders::accept
);
order_action!(
    decline_order,
    "/service-orders/{id}/decline",
    "service_orders_decline",
    "Decline with a reason; the order goes back to dispatch.",
    DeclineOrder,
    orders::decline
);
order_action!(
    complete_order,
    "/service-orders/{id}/complete",
    "service_orders_complete",
    "Mark done with evidence; a volunteer's or team's minutes go into the service-hours ledger.",
    CompleteOrder,
    orders::complete
);
order_action!(
    rate_order,
    "/service-orders/{id}/rate",
    "service_orders_rate",
    "Rate the service (评单), 1–5 stars (the resident who ordered).",
    RateOrder,
    orders::rate
);
order_action!(
    cancel_order,
    "/service-orders/{id}/cancel",
    "service_orders_cancel",
    "Cancel an order not yet accepted (its resident, or the community's staff).",
    OrderNote,
    orders::cancel
);

// ---------- wishes ----------

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WishFilters {
    pub community_id: Option<String>,
    pub status: Option<WishStatus>,
    /// Only my own wishes.
    pub mine: Option<bool>,
}

/// The wish wall (open and later wishes, names masked), the staff's review queue
/// (`status=posted`), or my own wishes.
#[utoipa::path(
    tag = "orders",
    operation_id = "wishes_list",
    params(ListParams, WishFilters),
    responses((status = 200, body = Page<WishView>), (status = 400, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[get("/wishes")]
pub async fn list_wishes(
    state: web::Data<AppState>,
    caller: Caller,
    params: web::Query<ListParams>,
    f: web::Query<WishFilters>,
) -> Result<HttpResponse, ApiError> {
    let paging = params.paging()?;
    let f = f.into_inner();
    let filter = wishes::WishFilter {
        community_id: f.community_id,
        status: f.status,
        mine: f.mine.unwrap_or(false),
    };
    let p = paging.clone();
    let (items, total) = crate::db::run(&state.pool, move |c| {
        wishes::list(c, &caller, filter, paging)
    })
    .await?;
    Ok(HttpResponse::Ok().json(Page {
        items,
        total,
        page: p.page,
        per_page: p.per_page,
    }))
}

/// Post a micro-wish (微心愿) in a community; the community checks it before it goes on the wall.
#[utoipa::path(
    tag = "orders",
    operation_id = "wishes_create",
    request_body = CreateWish,
    params(("Idempotency-Key" = Option<String>, Header)),
    responses((status = 201, body = WishView, headers(("Location" = String))), (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[post("/wishes")]
pub async fn create_wish(
    state: web::Data<AppState>,
    caller: Caller,
    body: ValidJson<CreateWish>,
) -> Result<HttpResponse, ApiError> {
    let input = body.0;
    let view = crate::db::run(&state.pool, move |c| wishes::create(c, &caller, input)).await?;
    Ok(created(
        format!("/api/v1/wishes/{}", view.id),
        &view,
        view.version,
    ))
}

#[utoipa::path(
    tag = "orders",
    operation_id = "wishes_get",
    params(("id" = String, Path)),
    responses((status = 200, body = WishView), (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[get("/wishes/{id}")]
pub async fn get_wish(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let view = crate::db::run(&state.pool, move |c| wishes::get(c, &caller, &id)).await?;
    Ok(ok_with_etag(&view, view.version))
}

macro_rules! wish_action {
    ($name:ident, $path:literal, $op:literal, $doc:literal, $body:ty, $call:path) => {
        #[doc = $doc]
        #[utoipa::path(
            tag = "orders",
            operation_id = $op,
            request_body = $body,
            params(("id" = String, Path)),
            responses(
                (status = 200, body = WishView),
                (status = 403, body = Problem, content_type = "application/problem+json"),
                (status = 404, body = Problem, content_type = "application/problem+json"),
                (status = 409, description = "`invalid_transition`: the detail names the current state", body = Problem, content_type = "application/problem+json"),
                (status = 422, body = Problem, content_type = "application/problem+json"),
            ),
            security(("bearer" = []))
        )]
        #[post($path)]
        pub async fn $name(state: web::Data<AppState>, caller: Caller, id: web::Path<String>, body: ValidJson<$body>) -> Result<HttpResponse, ApiError> {
            let (id, input) = (id.into_inner(), body.0);
            Ok(HttpResponse::Ok().json(crate::db::run(&state.pool, move |c| $call(c, &caller, &id, input)).await?))
        }
    };
}

wish_action!(
    review_wish,
    "/wishes/{id}/review",
    "wishes_review",
    "Approve a posted wish onto the wall, or reject it with a reason (the community's staff).",
    ReviewWish,
    wishes::review
);

/// Adopt an open wish, as yourself or for a unit you act for.
#[utoipa::path(
    tag = "orders",
    operation_id = "wishes_adopt",
    request_body = AdoptWish,
    params(("id" = String, Path)),
    responses(
        (status = 200, body = WishView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`invalid_transition`: the detail names the current state", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/wishes/{id}/adopt")]
pub async fn adopt_wish(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: ValidJson<AdoptWish>,
) -> Result<HttpResponse, ApiError> {
    // Adopting as yourself may make your volunteer record, whose phone is sealed.
    let (id, input, sealer) = (id.into_inner(), body.0, state.sealer.clone());
    Ok(HttpResponse::Ok().json(
        crate::db::run(&state.pool, move |c| {
            wishes::adopt(c, &sealer, &caller, &id, input)
        })
        .await?,
    ))
}

wish_action!(fulfil_wish, "/wishes/{id}/fulfil", "wishes_fulfil", "Mark an adopted wish fulfilled with evidence (the adopter); a volunteer's minutes go into the hours ledger.", FulfilWish, wishes::fulfil);
wish_action!(
    thank_wish,
    "/wishes/{id}/thank",
    "wishes_thank",
    "Thank the adopter (the resident who made the wish).",
    ThankWish,
    wishes::thank
);

/// Take back a wish not yet adopted (its resident).
#[utoipa::path(
    tag = "orders",
    operation_id = "wishes_withdraw",
    params(("id" = String, Path)),
    responses((status = 200, body = WishView), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[post("/wishes/{id}/withdraw")]
pub async fn withdraw_wish(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    Ok(HttpResponse::Ok()
        .json(crate::db::run(&state.pool, move |c| wishes::withdraw(c, &caller, &id)).await?))
}

// ---------- agreements ----------

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
            agreements::list(c, &caller, f.unit_id.as_deref(), f.region_id.as_deref())
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
    let view = crate::db::run(&state.pool, move |c| agreements::create(c, &caller, input)).await?;
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
    let view = crate::db::run(&state.pool, move |c| agreements::get(c, &caller, &id)).await?;
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
        agreements::may_upload(c, &check_caller, &check_id)
    })
    .await?;
    let (name, bytes) =
        crate::tabular::read_file_field(payload, agreements::MAX_DOCUMENT_BYTES).await?;
    Ok(HttpResponse::Created().json(
        crate::db::run(&state.pool, move |c| {
            agreements::upload(c, &caller, &id, name, bytes)
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
        agreements::download(c, &caller, &id, &doc)
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
