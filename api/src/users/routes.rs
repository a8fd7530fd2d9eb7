//! `/users` and `/users/{id}/grants`.
use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};

use super::dto::{CreateGrant, CreateUser, UpdateUser, UserView};
use super::service;
use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::http::{created, if_match_version, ok_with_etag, ListParams, Page, ValidJson};
use crate::AppState;

/// List the accounts the caller manages.
///
/// Administrators see everyone; street and community staff see accounts with a role inside their
/// region. `q` searches usernames and display names; `sort` takes `username`, `display_name`, `created_at`.
#[utoipa::path(
    tag = "users",
    operation_id = "users_list",
    params(ListParams),
    responses(
        (status = 200, body = Page<UserView>),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/users")]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    params: web::Query<ListParams>,
) -> Result<HttpResponse, ApiError> {
    let paging = params.paging()?;
    let sorts = params.sorts(service::SORT_KEYS)?;
    let q = params.query();
    let page = paging.clone();
    let (items, total) = crate::db::run(&state.pool, move |c| {
        service::list(c, &caller, q, sorts, paging)
    })
    .await?;
    Ok(HttpResponse::Ok().json(Page {
        items,
        total,
        page: page.page,
        per_page: page.per_page,
    }))
}

/// Create an account with roles inside the caller's scope.
#[utoipa::path(
    tag = "users",
    operation_id = "users_create",
    request_body = CreateUser,
    params(("Idempotency-Key" = Option<String>, Header)),
    responses(
        (status = 201, body = UserView, headers(("Location" = String))),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`duplicate` username", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/users")]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: ValidJson<CreateUser>,
) -> Result<HttpResponse, ApiError> {
    let input = body.0;
    let view = crate::db::run(&state.pool, move |c| service::create(c, &caller, input)).await?;
    Ok(created(
        format!("/api/v1/users/{}", view.id),
        &view,
        view.version,
    ))
}

/// Read one account.
#[utoipa::path(
    tag = "users",
    operation_id = "users_get",
    params(("id" = String, Path)),
    responses(
        (status = 200, body = UserView),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/users/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let view = crate::db::run(&state.pool, move |c| service::get(c, &caller, &id)).await?;
    Ok(ok_with_etag(&view, view.version))
}

/// Change an account: display name, active, password (ends its sessions) or unlock.
#[utoipa::path(
    tag = "users",
    operation_id = "users_update",
    request_body = UpdateUser,
    params(("id" = String, Path), ("If-Match" = Option<String>, Header)),
    responses(
        (status = 200, body = UserView),
        (status = 403, description = "the account also holds roles outside your scope", body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 412, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[patch("/users/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<String>,
    body: ValidJson<UpdateUser>,
) -> Result<HttpResponse, ApiError> {
    let if_match = if_match_version(&req)?;
    let (id, input) = (id.into_inner(), body.0);
    let view = crate::db::run(&state.pool, move |c| {
        service::update(c, &caller, &id, input, if_match)
    })
    .await?;
    Ok(ok_with_etag(&view, view.version))
}

/// Delete an account and its grants and sessions (its audit trail stays).
#[utoipa::path(
    tag = "users",
    operation_id = "users_delete",
    params(("id" = String, Path)),
    responses(
        (status = 204, description = "deleted"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`self`: your own account", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[delete("/users/{id}")]
pub async fn delete(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    crate::db::run(&state.pool, move |c| service::delete(c, &caller, &id)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Grant a role on a scope inside the caller's own.
#[utoipa::path(
    tag = "users",
    operation_id = "users_grant",
    request_body = CreateGrant,
    params(("id" = String, Path)),
    responses(
        (status = 201, body = UserView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`duplicate`: already granted", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/users/{id}/grants")]
pub async fn grant(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: ValidJson<CreateGrant>,
) -> Result<HttpResponse, ApiError> {
    let (id, input) = (id.into_inner(), body.0);
    let view = crate::db::run(&state.pool, move |c| {
        service::add_grant(c, &caller, &id, input)
    })
    .await?;
    Ok(created(
        format!("/api/v1/users/{}", view.id),
        &view,
        view.version,
    ))
}

/// Revoke one of a user's grants.
#[utoipa::path(
    tag = "users",
    operation_id = "users_revoke",
    params(("id" = String, Path), ("grant_id" = String, Path)),
    responses(
        (status = 204, description = "revoked"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[delete("/users/{id}/grants/{grant_id}")]
pub async fn revoke(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (id, grant_id) = path.into_inner();
    crate::db::run(&state.pool, move |c| {
        service::remove_grant(c, &caller, &id, &grant_id)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
