//! `/households`, `/visits` and `/visits/coverage`.
use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::IntoParams;

use super::dto::{CreateHousehold, CreateVisit, HouseholdView, UpdateHousehold, VisitView};
use super::service::{self, HouseholdFilter};
use super::visits::{self, Coverage, VisitFilter};
use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::http::{created, if_match_version, ok_with_etag, ListParams, Page, ValidJson};
use crate::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HouseholdFilters {
    pub grid_id: Option<String>,
    /// Only key-group households (elderly living alone, disabled, hardship).
    pub key_group: Option<bool>,
    /// Only households with this tag.
    pub tag: Option<String>,
    /// Not visited for this many days, or never.
    pub overdue_days: Option<i64>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UnmaskParam {
    /// Show the head of household's name and phone in clear (staff and the grid's workers; audited).
    pub unmask: Option<bool>,
}

/// List households. Phones are masked for everyone (read one household with `unmask=true`);
/// names are masked except for the grid's own workers (each such read is recorded in the audit
/// trail). `q` searches building, room and name, or a phone number exactly (`q=13812345678`);
/// `sort` takes `address`, `last_visited_on`, `residents`, `created_at`.
#[utoipa::path(
    tag = "households",
    operation_id = "households_list",
    params(ListParams, HouseholdFilters),
    responses((status = 200, body = Page<HouseholdView>), (status = 400, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[get("/households")]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    params: web::Query<ListParams>,
    filters: web::Query<HouseholdFilters>,
) -> Result<HttpResponse, ApiError> {
    let paging = params.paging()?;
    let sorts = params.sorts(service::SORT_KEYS)?;
    let f = filters.into_inner();
    let q = params.query();
    let q_phone_index = q
        .as_deref()
        .and_then(|q| crate::phones::query_index(&state.sealer, q));
    let filter = HouseholdFilter {
        grid_id: f.grid_id,
        key_group: f.key_group,
        tag: f.tag,
        overdue_days: f.overdue_days,
        q,
        q_phone_index,
    };
    let page = paging.clone();
    let memo = state.groups.clone();
    let (items, total) = crate::db::run(&state.pool, move |c| {
        service::list(c, &memo, &caller, filter, sorts, paging)
    })
    .await?;
    Ok(HttpResponse::Ok().json(Page {
        items,
        total,
        page: page.page,
        per_page: page.per_page,
    }))
}

/// Add a household to a grid.
#[utoipa::path(
    tag = "households",
    operation_id = "households_create",
    request_body = CreateHousehold,
    params(("Idempotency-Key" = Option<String>, Header)),
    responses(
        (status = 201, body = HouseholdView, headers(("Location" = String))),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`duplicate` address in the grid", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/households")]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: ValidJson<CreateHousehold>,
) -> Result<HttpResponse, ApiError> {
    let input = body.0;
    let sealer = state.sealer.clone();
    let view = crate::db::run(&state.pool, move |c| {
        service::create(c, &sealer, &caller, input)
    })
    .await?;
    Ok(created(
        format!("/api/v1/households/{}", view.id),
        &view,
        view.version,
    ))
}

/// Read one household; `unmask=true` shows the name and phone (audited).
#[utoipa::path(
    tag = "households",
    operation_id = "households_get",
    params(("id" = String, Path), UnmaskParam),
    responses(
        (status = 200, body = HouseholdView),
        (status = 403, description = "your role may not unmask", body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/households/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    q: web::Query<UnmaskParam>,
) -> Result<HttpResponse, ApiError> {
    let (id, unmask) = (id.into_inner(), q.unmask.unwrap_or(false));
    let sealer = state.sealer.clone();
    let view = crate::db::run(&state.pool, move |c| {
        service::get(c, &sealer, &caller, &id, unmask)
    })
    .await?;
    Ok(ok_with_etag(&view, view.version))
}

/// Change a household's residents, head of household or tags.
#[utoipa::path(
    tag = "households",
    operation_id = "households_update",
    request_body = UpdateHousehold,
    params(("id" = String, Path), ("If-Match" = Option<String>, Header)),
    responses(
        (status = 200, body = HouseholdView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 412, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[patch("/households/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<String>,
    body: ValidJson<UpdateHousehold>,
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

/// Delete a household that has no visits.
#[utoipa::path(
    tag = "households",
    operation_id = "households_delete",
    params(("id" = String, Path)),
    responses(
        (status = 204, description = "deleted"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`household_has_visits`", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[delete("/households/{id}")]
pub async fn delete(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    crate::db::run(&state.pool, move |c| service::delete(c, &caller, &id)).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VisitFilters {
    pub grid_id: Option<String>,
    pub household_id: Option<String>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

/// Log a household visit (as the signed-in grid worker or staff member).
#[utoipa::path(
    tag = "visits",
    operation_id = "visits_create",
    request_body = CreateVisit,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a phone's retried submission safe")),
    responses(
        (status = 201, body = VisitView, headers(("Location" = String))),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/visits")]
pub async fn create_visit(
    state: web::Data<AppState>,
    caller: Caller,
    body: ValidJson<CreateVisit>,
) -> Result<HttpResponse, ApiError> {
    let input = body.0;
    let view = crate::db::run(&state.pool, move |c| visits::create(c, &caller, input)).await?;
    Ok(HttpResponse::Created()
        .insert_header((
            "Location",
            format!("/api/v1/visits?household_id={}", view.household_id),
        ))
        .json(view))
}

/// List visits, newest first.
#[utoipa::path(
    tag = "visits",
    operation_id = "visits_list",
    params(ListParams, VisitFilters),
    responses((status = 200, body = Page<VisitView>)),
    security(("bearer" = []))
)]
#[get("/visits")]
pub async fn list_visits(
    state: web::Data<AppState>,
    caller: Caller,
    params: web::Query<ListParams>,
    filters: web::Query<VisitFilters>,
) -> Result<HttpResponse, ApiError> {
    let paging = params.paging()?;
    let f = filters.into_inner();
    let filter = VisitFilter {
        grid_id: f.grid_id,
        household_id: f.household_id,
        from: f.from,
        to: f.to,
    };
    let page = paging.clone();
    let (items, total) = crate::db::run(&state.pool, move |c| {
        visits::list(c, &caller, filter, paging)
    })
    .await?;
    Ok(HttpResponse::Ok().json(Page {
        items,
        total,
        page: page.page,
        per_page: page.per_page,
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CoverageParams {
    /// A month (`2026-11`) or a quarter (`2026-Q4`).
    #[param(example = "2026-Q4")]
    pub period: String,
    /// One grid…
    pub grid_id: Option<String>,
    /// …or every grid of a community or street (default: every grid you can see).
    pub region_id: Option<String>,
}

/// Visit coverage for a grid, community or street over a month or quarter, per grid and per
/// worker, with each target from the seed reports marked met or missed.
#[utoipa::path(
    tag = "visits",
    operation_id = "visits_coverage",
    params(CoverageParams),
    responses(
        (status = 200, body = Coverage),
        (status = 400, description = "`invalid_period`", body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/visits/coverage")]
pub async fn coverage(
    state: web::Data<AppState>,
    caller: Caller,
    params: web::Query<CoverageParams>,
) -> Result<HttpResponse, ApiError> {
    let p = params.into_inner();
    let period = visits::parse_period(&p.period)?;
    let memo = state.coverage.clone();
    let result = crate::db::run(&state.pool, move |c| {
        visits::coverage_memo(
            c,
            &memo,
            &caller,
            p.grid_id.as_deref(),
            p.region_id.as_deref(),
            period,
        )
    })
    .await?;
    Ok(HttpResponse::Ok().json(&*result))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TemplateParams {
    /// `xlsx` (default) or `csv`.
    pub format: Option<String>,
}

/// The import template: the columns, with one example row.
#[utoipa::path(
    tag = "households",
    operation_id = "households_import_template",
    params(TemplateParams),
    responses(
        (status = 200, description = "the template file: XLSX, or CSV with `format=csv`", content(("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), ("text/csv"))),
        (status = 400, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/households/import-template")]
pub async fn import_template(
    _caller: Caller,
    params: web::Query<TemplateParams>,
) -> Result<HttpResponse, ApiError> {
    let format = crate::tabular::Format::from_param(params.format.as_deref())?;
    Ok(crate::tabular::attachment(
        super::import::template(format)?,
        format,
        "households-template",
    ))
}

/// The multipart body of an import.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct ImportUpload {
    /// A `.csv` (UTF-8) or `.xlsx` file laid out like the template, at most 20 MB.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

/// Import households from a CSV or XLSX file. Answers 202 with a job to poll at `Location`:
/// valid lines are written together, bad lines come back with their line numbers, and
/// re-importing the same file updates instead of duplicating.
#[utoipa::path(
    tag = "households",
    operation_id = "households_import",
    request_body(content = ImportUpload, content_type = "multipart/form-data"),
    responses(
        (status = 202, body = crate::jobs::JobView, headers(("Location" = String))),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 413, body = Problem, content_type = "application/problem+json"),
        (status = 415, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "the file is unusable: `file_unreadable`, `file_too_large_unpacked`, `too_many_rows`, `too_many_columns`, `too_many_strings`, `line_too_long`, `missing_columns`, `file_empty`, `file_not_utf8`", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "`imports_busy`: other imports are running (see `Retry-After`)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/households/import")]
pub async fn import(
    state: web::Data<AppState>,
    caller: Caller,
    payload: actix_multipart::Multipart,
) -> Result<HttpResponse, ApiError> {
    // Who may import is known from the token: refuse before a byte of the upload is read.
    if caller.regions_writable().is_empty() && caller.grid_ids().is_empty() {
        return Err(ApiError::forbidden(
            "households are imported by staff and grid workers",
        ));
    }
    let slot = state.imports.slot()?;
    let (bytes, format) = crate::tabular::read_upload(payload).await?;
    let rows = state
        .imports
        .parse(move || super::import::parse(&bytes, format))
        .await?;
    let owner = caller.user_id.clone();
    let job = crate::db::run(&state.pool, move |c| {
        Ok(crate::jobs::create(c, &owner, "households_import")?)
    })
    .await?;
    let (pool, sealer, job_id) = (state.pool.clone(), state.sealer.clone(), job.id.clone());
    actix_web::rt::spawn(async move {
        let _ = web::block(move || {
            super::import::run(&pool, &sealer, &caller, &job_id, rows);
            drop(slot);
        })
        .await;
    });
    Ok(HttpResponse::Accepted()
        .insert_header(("Location", format!("/api/v1/jobs/{}", job.id)))
        .json(job))
}
