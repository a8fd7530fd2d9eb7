//! `/members`, `/members/{id}/…` and `/member-transfers`.
use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;

use super::dto::*;
use super::service::{self, MemberFilter};
use super::transfers::{self, Decision};
use crate::audit::AuditEventView;
use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::http::{created, if_match_version, ok_with_etag, ListParams, Page, ValidJson};
use crate::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MemberFilters {
    /// The branch and every organisation under it.
    pub branch_id: Option<String>,
    pub category: Option<Category>,
    pub grid_id: Option<String>,
    /// Age today, at least (0 to 150).
    #[param(minimum = 0, maximum = 150)]
    pub age_min: Option<i32>,
    /// Age today, at most (0 to 150).
    #[param(minimum = 0, maximum = 150)]
    pub age_max: Option<i32>,
    /// Joined the party in this year.
    #[param(minimum = 1900, maximum = 9999)]
    pub join_year: Option<i32>,
    /// `active` (default), `historical` (left, deceased, transferred out) or `all`.
    pub status: Option<String>,
}

impl MemberFilters {
    /// The filter, checked: ages 0 to 150, a join year 1900 to 9999 and a known status, else a 422.
    fn checked(
        self,
        q: Option<String>,
        sealer: &crate::sealed::Sealer,
    ) -> Result<MemberFilter, ApiError> {
        let mut errors = vec![];
        for (field, age) in [("age_min", self.age_min), ("age_max", self.age_max)] {
            if age.is_some_and(|a| !(0..=150).contains(&a)) {
                crate::http::json::rules::field(
                    &mut errors,
                    field,
                    "out_of_range",
                    format!("{field} is an age from 0 to 150"),
                );
            }
        }
        if self.join_year.is_some_and(|y| !(1900..=9999).contains(&y)) {
            crate::http::json::rules::field(
                &mut errors,
                "join_year",
                "out_of_range",
                "join_year is a year from 1900 to 9999",
            );
        }
        if self
            .status
            .as_deref()
            .is_some_and(|s| !["active", "historical", "all"].contains(&s))
        {
            crate::http::json::rules::field(
                &mut errors,
                "status",
                "invalid",
                "status is active, historical or all",
            );
        }
        crate::http::json::rules::finish(errors).map_err(ApiError::validation)?;
        let f = self;
        // A phone number as `q` is looked up by its blind index (phones are sealed at rest).
        let q_phone_index = q
            .as_deref()
            .and_then(|q| crate::phones::query_index(sealer, q));
        Ok(MemberFilter {
            branch_id: f.branch_id,
            category: f.category,
            grid_id: f.grid_id,
            age_min: f.age_min,
            age_max: f.age_max,
            join_year: f.join_year,
            status: f.status,
            q,
            q_phone_index,
        })
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UnmaskParam {
    /// Show the ID number and phone (the branch's secretary and community staff; audited).
    pub unmask: Option<bool>,
}

/// List members in the caller's reach: masked ID numbers and phones. `q` searches names, or a
/// phone number exactly (`q=13900001234`);
/// `sort` takes `name`, `joined_on`, `birth_date`, `created_at`.
#[utoipa::path(
    tag = "members",
    operation_id = "members_list",
    params(ListParams, MemberFilters),
    responses((status = 200, body = Page<MemberView>), (status = 400, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[get("/members")]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    params: web::Query<ListParams>,
    filters: web::Query<MemberFilters>,
) -> Result<HttpResponse, ApiError> {
    let paging = params.paging()?;
    let sorts = params.sorts(service::SORT_KEYS)?;
    let filter = filters
        .into_inner()
        .checked(params.query(), &state.sealer)?;
    let sealer = state.sealer.clone();
    let (memo, pages) = (state.groups.clone(), state.pages.clone());
    // Pages are remembered as sent until the members' data version moves: a repeated page costs
    // one primary-key read.
    let body = crate::db::run(&state.pool, move |c| {
        let key = service::page_key(c, &caller, &filter, &sorts, &paging)?;
        crate::http::list::remembered_page(&pages, key, &paging, || {
            service::list(c, &memo, &sealer, &caller, filter, sorts, paging.clone())
        })
    })
    .await?;
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .body(body))
}

/// Add a member to a formal branch. The ID number is checked (length, date, check digit) and
/// must agree with gender and birth date; it is stored sealed, never in clear.
#[utoipa::path(
    tag = "members",
    operation_id = "members_create",
    request_body = CreateMember,
    params(("Idempotency-Key" = Option<String>, Header)),
    responses(
        (status = 201, body = MemberView, headers(("Location" = String))),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`duplicate` ID number", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/members")]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: ValidJson<CreateMember>,
) -> Result<HttpResponse, ApiError> {
    let input = body.0;
    let sealer = state.sealer.clone();
    let view = crate::db::run(&state.pool, move |c| {
        service::create(c, &sealer, &caller, input)
    })
    .await?;
    Ok(created(
        format!("/api/v1/members/{}", view.id),
        &view,
        view.version,
    ))
}

/// The signed-in member's own record, unmasked.
#[utoipa::path(
    tag = "members",
    operation_id = "members_mine",
    responses((status = 200, body = MemberView), (status = 404, description = "the account is not a member's", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[get("/members/me")]
pub async fn mine(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, ApiError> {
    let sealer = state.sealer.clone();
    let view = crate::db::run(&state.pool, move |c| service::mine(c, &sealer, &caller)).await?;
    Ok(ok_with_etag(&view, view.version))
}

/// Read one member; `unmask=true` shows the ID number and phone (audited).
#[utoipa::path(
    tag = "members",
    operation_id = "members_get",
    params(("id" = String, Path), UnmaskParam),
    responses(
        (status = 200, body = MemberView),
        (status = 403, description = "your role may not unmask", body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/members/{id}")]
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

/// Change a member's details (not their branch: that is a transfer; not their status: see `/status`).
#[utoipa::path(
    tag = "members",
    operation_id = "members_update",
    request_body = UpdateMember,
    params(("id" = String, Path), ("If-Match" = Option<String>, Header)),
    responses(
        (status = 200, body = MemberView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 412, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[patch("/members/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<String>,
    body: ValidJson<UpdateMember>,
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

/// Make a member historical (`left`, `deceased`) or restore them (`active`). Members are never deleted.
#[utoipa::path(
    tag = "members",
    operation_id = "members_change_status",
    request_body = ChangeStatus,
    params(("id" = String, Path), ("If-Match" = Option<String>, Header)),
    responses(
        (status = 200, body = MemberView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`invalid_transition`", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/members/{id}/status")]
pub async fn change_status(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<String>,
    body: ValidJson<ChangeStatus>,
) -> Result<HttpResponse, ApiError> {
    let if_match = if_match_version(&req)?;
    let (id, input) = (id.into_inner(), body.0);
    let sealer = state.sealer.clone();
    let view = crate::db::run(&state.pool, move |c| {
        service::change_status(c, &sealer, &caller, &id, input, if_match)
    })
    .await?;
    Ok(ok_with_etag(&view, view.version))
}

/// Join an interest-based branch besides the formal one.
#[utoipa::path(
    tag = "members",
    operation_id = "members_join_interest_branch",
    request_body = JoinInterestBranch,
    params(("id" = String, Path)),
    responses(
        (status = 200, body = MemberView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`duplicate` or `member_historical`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`not_interest_branch`", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/members/{id}/interest-branches")]
pub async fn join_interest(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: ValidJson<JoinInterestBranch>,
) -> Result<HttpResponse, ApiError> {
    let (id, input) = (id.into_inner(), body.0);
    let sealer = state.sealer.clone();
    let view = crate::db::run(&state.pool, move |c| {
        service::join_interest(c, &sealer, &caller, &id, input)
    })
    .await?;
    Ok(HttpResponse::Ok().json(view))
}

/// Leave an interest-based branch (the membership is kept in history with its end date).
#[utoipa::path(
    tag = "members",
    operation_id = "members_leave_interest_branch",
    params(("id" = String, Path), ("branch_id" = String, Path)),
    responses((status = 200, body = MemberView), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[delete("/members/{id}/interest-branches/{branch_id}")]
pub async fn leave_interest(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (id, branch_id) = path.into_inner();
    let sealer = state.sealer.clone();
    let view = crate::db::run(&state.pool, move |c| {
        service::leave_interest(c, &sealer, &caller, &id, &branch_id)
    })
    .await?;
    Ok(HttpResponse::Ok().json(view))
}

/// Who has read or changed this member's record, newest first — for the member themselves
/// (as personal-information law expects) and for their branch's keepers.
#[utoipa::path(
    tag = "members",
    operation_id = "members_access_log",
    params(("id" = String, Path), ListParams),
    responses((status = 200, body = Page<AuditEventView>), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[get("/members/{id}/access-log")]
pub async fn access_log(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    params: web::Query<ListParams>,
) -> Result<HttpResponse, ApiError> {
    let paging = params.paging()?;
    let (id, page) = (id.into_inner(), paging.clone());
    let (items, total) = crate::db::run(&state.pool, move |c| {
        service::access_log(c, &caller, &id, paging)
    })
    .await?;
    Ok(HttpResponse::Ok().json(Page {
        items,
        total,
        page: page.page,
        per_page: page.per_page,
    }))
}

/// A member's transfers, newest first.
#[utoipa::path(
    tag = "members",
    operation_id = "members_transfers",
    params(("id" = String, Path)),
    responses((status = 200, body = Vec<TransferView>), (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[get("/members/{id}/transfers")]
pub async fn member_transfers(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let items =
        crate::db::run(&state.pool, move |c| transfers::for_member(c, &caller, &id)).await?;
    Ok(HttpResponse::Ok().json(items))
}

/// Request a transfer out of the member's branch: into another formal branch (pending until the
/// receiving side accepts) or out of the system (final; the member becomes historical).
#[utoipa::path(
    tag = "members",
    operation_id = "member_transfers_create",
    request_body = RequestTransfer,
    params(("Idempotency-Key" = Option<String>, Header)),
    responses(
        (status = 201, body = TransferView, headers(("Location" = String))),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`transfer_pending`, `member_historical`", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/member-transfers")]
pub async fn request_transfer(
    state: web::Data<AppState>,
    caller: Caller,
    body: ValidJson<RequestTransfer>,
) -> Result<HttpResponse, ApiError> {
    let input = body.0;
    let view = crate::db::run(&state.pool, move |c| transfers::request(c, &caller, input)).await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/member-transfers/{}", view.id)))
        .json(view))
}

/// Pending transfers into or out of the branches the caller keeps.
#[utoipa::path(
    tag = "members",
    operation_id = "member_transfers_pending",
    params(ListParams),
    responses((status = 200, body = Page<TransferView>)),
    security(("bearer" = []))
)]
#[get("/member-transfers")]
pub async fn pending_transfers(
    state: web::Data<AppState>,
    caller: Caller,
    params: web::Query<ListParams>,
) -> Result<HttpResponse, ApiError> {
    let paging = params.paging()?;
    let page = paging.clone();
    let (items, total) = crate::db::run(&state.pool, move |c| {
        transfers::incoming(c, &caller, paging)
    })
    .await?;
    Ok(HttpResponse::Ok().json(Page {
        items,
        total,
        page: page.page,
        per_page: page.per_page,
    }))
}

/// One transfer.
#[utoipa::path(
    tag = "members",
    operation_id = "member_transfers_get",
    params(("id" = String, Path)),
    responses((status = 200, body = TransferView), (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[get("/member-transfers/{id}")]
pub async fn get_transfer(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let view = crate::db::run(&state.pool, move |c| transfers::get(c, &caller, &id)).await?;
    Ok(HttpResponse::Ok().json(view))
}

async fn decide(
    state: web::Data<AppState>,
    caller: Caller,
    id: String,
    decision: Decision,
    input: DecideTransfer,
) -> Result<HttpResponse, ApiError> {
    let view = crate::db::run(&state.pool, move |c| {
        transfers::decide(c, &caller, &id, decision, input)
    })
    .await?;
    Ok(HttpResponse::Ok().json(view))
}

/// Accept a transfer into a branch the caller keeps: the member moves at once.
#[utoipa::path(
    tag = "members",
    operation_id = "member_transfers_accept",
    request_body = DecideTransfer,
    params(("id" = String, Path)),
    responses(
        (status = 200, body = TransferView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`invalid_transition`: not pending", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/member-transfers/{id}/accept")]
pub async fn accept_transfer(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: ValidJson<DecideTransfer>,
) -> Result<HttpResponse, ApiError> {
    decide(state, caller, id.into_inner(), Decision::Accept, body.0).await
}

/// Reject a transfer into a branch the caller keeps; the member stays where they are.
#[utoipa::path(
    tag = "members",
    operation_id = "member_transfers_reject",
    request_body = DecideTransfer,
    params(("id" = String, Path)),
    responses(
        (status = 200, body = TransferView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`invalid_transition`: not pending", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/member-transfers/{id}/reject")]
pub async fn reject_transfer(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: ValidJson<DecideTransfer>,
) -> Result<HttpResponse, ApiError> {
    decide(state, caller, id.into_inner(), Decision::Reject, body.0).await
}

/// Withdraw a pending transfer (the sending side).
#[utoipa::path(
    tag = "members",
    operation_id = "member_transfers_cancel",
    request_body = DecideTransfer,
    params(("id" = String, Path)),
    responses(
        (status = 200, body = TransferView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`invalid_transition`: not pending", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/member-transfers/{id}/cancel")]
pub async fn cancel_transfer(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: ValidJson<DecideTransfer>,
) -> Result<HttpResponse, ApiError> {
    decide(state, caller, id.into_inner(), Decision::Cancel, body.0).await
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FormatParam {
    /// `xlsx` (default) or `csv`.
    pub format: Option<String>,
}

/// The roster import template: the columns, with one example row.
#[utoipa::path(
    tag = "members",
    operation_id = "members_import_template",
    params(FormatParam),
    responses(
        (status = 200, description = "the template: XLSX, or CSV with `format=csv`", content(("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), ("text/csv"))),
        (status = 400, description = "`invalid_format`", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/members/import-template")]
pub async fn import_template(
    _caller: Caller,
    params: web::Query<FormatParam>,
) -> Result<HttpResponse, ApiError> {
    let format = crate::tabular::Format::from_param(params.format.as_deref())?;
    Ok(crate::tabular::attachment(
        super::import::template(format)?,
        format,
        "members-template",
    ))
}

/// Import the roster from a CSV or XLSX file laid out like the template. Answers 202 with a job to
/// poll: valid lines are written together, bad lines come back with their line numbers, members
/// are matched by ID number so that re-importing updates instead of duplicating.
#[utoipa::path(
    tag = "members",
    operation_id = "members_import",
    request_body(content = crate::households::routes::ImportUpload, content_type = "multipart/form-data"),
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
#[post("/members/import")]
pub async fn import(
    state: web::Data<AppState>,
    caller: Caller,
    payload: actix_multipart::Multipart,
) -> Result<HttpResponse, ApiError> {
    if caller.branches_writable().regions.is_empty()
        && caller.branches_writable().branches.is_empty()
    {
        return Err(ApiError::forbidden(
            "the roster is imported by branch secretaries and staff",
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
        Ok(crate::jobs::create(c, &owner, "members_import")?)
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

/// The roster as a sheet, with the list's filters, in the caller's scope, ID numbers and phones
/// masked. At most 200,000 rows.
#[utoipa::path(
    tag = "members",
    operation_id = "members_export",
    params(FormatParam, MemberFilters, ("q" = Option<String>, Query)),
    responses(
        (status = 200, description = "the sheet: XLSX, or CSV with `format=csv`", content(("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), ("text/csv"))),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`too_many` rows", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/members/export")]
pub async fn export(
    state: web::Data<AppState>,
    caller: Caller,
    fmt: web::Query<FormatParam>,
    filters: web::Query<MemberFilters>,
    params: web::Query<ListParams>,
) -> Result<HttpResponse, ApiError> {
    let format = crate::tabular::Format::from_param(fmt.format.as_deref())?;
    let filter = filters
        .into_inner()
        .checked(params.query(), &state.sealer)?;
    let sealer = state.sealer.clone();
    let memo = state.groups.clone();
    let bytes = crate::db::run(&state.pool, move |c| {
        super::import::export(c, &memo, &sealer, &caller, filter, format)
    })
    .await?;
    Ok(crate::tabular::attachment(bytes, format, "members"))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BirthdayParams {
    /// `week` (Monday to Sunday, default) or `month`.
    pub within: Option<String>,
    /// A day in the week or month (default today).
    pub on: Option<chrono::NaiveDate>,
}

/// Party birthdays (政治生日) this week or month among the members in the caller's reach.
#[utoipa::path(
    tag = "members",
    operation_id = "members_party_birthdays",
    params(BirthdayParams, ListParams),
    responses((status = 200, body = Page<super::birthdays::PartyBirthday>), (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[get("/members/party-birthdays")]
pub async fn party_birthdays(
    state: web::Data<AppState>,
    caller: Caller,
    q: web::Query<BirthdayParams>,
    params: web::Query<ListParams>,
) -> Result<HttpResponse, ApiError> {
    let paging = params.paging()?;
    let month = match q.within.as_deref() {
        None | Some("week") => false,
        Some("month") => true,
        Some(_) => {
            return Err(ApiError::field(
                "within",
                "invalid",
                "within is week or month",
            ))
        }
    };
    let on = q.on.unwrap_or_else(|| crate::clock::today());
    let page = paging.clone();
    let (items, total) = crate::db::run(&state.pool, move |c| {
        super::birthdays::list(c, &caller, on, month, paging)
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
pub struct CheckInFilters {
    pub community_id: Option<String>,
    /// Only current (`true`) or ended (`false`) check-ins.
    pub active: Option<bool>,
}

/// Check-ins (双报到) with the communities the caller reads, or the caller's own.
#[utoipa::path(
    tag = "members",
    operation_id = "check_ins_list",
    params(CheckInFilters, ListParams),
    responses((status = 200, body = Page<super::check_ins::CheckInView>)),
    security(("bearer" = []))
)]
#[get("/check-ins")]
pub async fn check_ins(
    state: web::Data<AppState>,
    caller: Caller,
    f: web::Query<CheckInFilters>,
    params: web::Query<ListParams>,
) -> Result<HttpResponse, ApiError> {
    let paging = params.paging()?;
    let f = f.into_inner();
    let page = paging.clone();
    let (items, total) = crate::db::run(&state.pool, move |c| {
        super::check_ins::list(c, &caller, f.community_id.as_deref(), f.active, paging)
    })
    .await?;
    Ok(HttpResponse::Ok().json(Page {
        items,
        total,
        page: page.page,
        per_page: page.per_page,
    }))
}

/// An in-service member checks in with their home community (themselves, or by their branch's keepers).
#[utoipa::path(
    tag = "members",
    operation_id = "check_ins_create",
    request_body = super::check_ins::CreateCheckIn,
    responses(
        (status = 201, body = super::check_ins::CheckInView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`already_checked_in`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`not_in_service`", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/check-ins")]
pub async fn create_check_in(
    state: web::Data<AppState>,
    caller: Caller,
    body: ValidJson<super::check_ins::CreateCheckIn>,
) -> Result<HttpResponse, ApiError> {
    let input = body.0;
    let view = crate::db::run(&state.pool, move |c| {
        super::check_ins::create(c, &caller, input)
    })
    .await?;
    Ok(HttpResponse::Created()
        .insert_header((
            "Location",
            format!("/api/v1/check-ins?community_id={}", view.community_id),
        ))
        .json(view))
}

/// End a check-in (the member moved); it stays in history.
#[utoipa::path(
    tag = "members",
    operation_id = "check_ins_end",
    params(("id" = String, Path)),
    responses(
        (status = 200, body = super::check_ins::CheckInView),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`invalid_transition`: already ended", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/check-ins/{id}/end")]
pub async fn end_check_in(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let view = crate::db::run(&state.pool, move |c| super::check_ins::end(c, &caller, &id)).await?;
    Ok(HttpResponse::Ok().json(view))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportParams {
    pub from: chrono::NaiveDate,
    pub to: chrono::NaiveDate,
    /// `json` (default), `xlsx` or `csv`.
    pub format: Option<String>,
}

/// A member's service report over a period, to send to their work unit: check-ins and the
/// meetings they were expected at, as JSON or a sheet.
#[utoipa::path(
    tag = "members",
    operation_id = "members_service_report",
    params(("id" = String, Path), ReportParams),
    responses(
        (status = 200, description = "the report; with `format=xlsx|csv` a sheet to download", content((super::check_ins::ServiceReport = "application/json"), ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), ("text/csv"))),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/members/{id}/service-report")]
pub async fn service_report(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    q: web::Query<ReportParams>,
) -> Result<HttpResponse, ApiError> {
    let q = q.into_inner();
    let id = id.into_inner();
    let sheet = match q.format.as_deref() {
        None | Some("json") => None,
        other => Some(crate::tabular::Format::from_param(other)?),
    };
    let report = crate::db::run(&state.pool, move |c| {
        super::check_ins::report(c, &caller, &id, q.from, q.to)
    })
    .await?;
    match sheet {
        None => Ok(HttpResponse::Ok().json(report)),
        Some(f) => Ok(crate::tabular::attachment(
            super::check_ins::report_sheet(&report, f)?,
            f,
            "service-report",
        )),
    }
}
