//! HTTP handlers of orders.
use actix_web::{get, patch, post, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;

use super::dto::*;
use super::menus;
use super::service;
use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::http::{created, if_match_version, ok_with_etag, ListParams, Page, ValidJson};
use crate::AppState;

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
    let filter = menus::MenuFilter {
        community_id: f.community_id,
        provider_type: f.provider_type,
        provider_id: f.provider_id,
        category_id: f.category_id,
        all: f.all.unwrap_or(false),
        q: params.query(),
    };
    let p = paging.clone();
    let (items, total) = crate::db::run(&state.pool, move |c| {
        menus::list_menu(c, &caller, filter, paging)
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
        menus::create_menu_item(c, &caller, input)
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
    let view = crate::db::run(&state.pool, move |c| menus::get_menu_item(c, &caller, &id)).await?;
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
        menus::update_menu_item(c, &caller, &id, input, if_match)
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
    let filter = service::OrderFilter {
        region_id: f.region_id,
        status: f.status,
        overdue: f.overdue.unwrap_or(false),
        mine: f.mine.unwrap_or(false),
        assigned: f.assigned.unwrap_or(false),
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
        service::create(c, &sealer, &caller, input)
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
        service::read(c, &sealer, &caller, &id, unmask)
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

order_action!(dispatch_order, "/service-orders/{id}/dispatch", "service_orders_dispatch", "Dispatch (派单) to a unit, team or volunteer serving the community, with the time to accept and to finish (the community's staff; again while not accepted).", DispatchOrder, service::dispatch);
order_action!(
    accept_order,
    "/service-orders/{id}/accept",
    "service_orders_accept",
    "Accept (接单) an order dispatched to you.",
    OrderNote,
    service::accept
);
order_action!(
    decline_order,
    "/service-orders/{id}/decline",
    "service_orders_decline",
    "Decline with a reason; the order goes back to dispatch.",
    DeclineOrder,
    service::decline
);
order_action!(
    complete_order,
    "/service-orders/{id}/complete",
    "service_orders_complete",
    "Mark done with evidence; a volunteer's or team's minutes go into the service-hours ledger.",
    CompleteOrder,
    service::complete
);
order_action!(
    rate_order,
    "/service-orders/{id}/rate",
    "service_orders_rate",
    "Rate the service (评单), 1–5 stars (the resident who ordered).",
    RateOrder,
    service::rate
);
order_action!(
    cancel_order,
    "/service-orders/{id}/cancel",
    "service_orders_cancel",
    "Cancel an order not yet accepted (its resident, or the community's staff).",
    OrderNote,
    service::cancel
);
