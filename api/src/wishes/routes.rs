//! HTTP handlers of wishes.
use actix_web::{get, post, web, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;

use super::dto::*;
use super::service;
use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::http::{created, ok_with_etag, ListParams, Page, ValidJson};
use crate::AppState;

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
    let filter = service::WishFilter {
        community_id: f.community_id,
        status: f.status,
        mine: f.mine.unwrap_or(false),
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
    let view = crate::db::run(&state.pool, move |c| service::create(c, &caller, input)).await?;
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
    let view = crate::db::run(&state.pool, move |c| service::get(c, &caller, &id)).await?;
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
    service::review
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
            service::adopt(c, &sealer, &caller, &id, input)
        })
        .await?,
    ))
}

wish_action!(fulfil_wish, "/wishes/{id}/fulfil", "wishes_fulfil", "Mark an adopted wish fulfilled with evidence (the adopter); a volunteer's minutes go into the hours ledger.", FulfilWish, service::fulfil);
wish_action!(
    thank_wish,
    "/wishes/{id}/thank",
    "wishes_thank",
    "Thank the adopter (the resident who made the wish).",
    ThankWish,
    service::thank
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
        .json(crate::db::run(&state.pool, move |c| service::withdraw(c, &caller, &id)).await?))
}
