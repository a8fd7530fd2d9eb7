use actix_web::{get, web, HttpResponse};

use super::JobView;
use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::AppState;

/// A background job's progress and the errors it found, line by line.
#[utoipa::path(
    tag = "jobs",
    operation_id = "jobs_get",
    params(("id" = String, Path)),
    responses((status = 200, body = JobView), (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[get("/jobs/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let job = crate::db::run(&state.pool, move |c| super::get(c, &caller, &id)).await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(job))
}
