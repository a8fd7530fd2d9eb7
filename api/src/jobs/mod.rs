//! Background jobs: long imports run off the request, and the client polls `GET /jobs/{id}` for
//! progress and the per-line errors.
//!
//! A job holds a lease that its progress renews. A job whose lease ran out — its server stopped
//! or crashed while it was queued or running — can no longer move, so any server fails it (the
//! minute sweep, or the next read of it) with a message saying to import the file again. Imports
//! write all their rows in one transaction, so a job that died wrote nothing.
use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::db::schema::jobs;
use crate::db::DbConn;
use crate::error::{ApiError, ApiResult};

/// How long a job may go without progress before it is taken for dead: imports report every
/// 500 lines, and their one write transaction of at most 200,000 rows takes seconds.
pub const LEASE_SECS: i64 = 300;

/// What the client is told about a job whose server stopped.
pub const ABANDONED: &str =
    "the server stopped while this job ran; nothing was written — import the file again";

fn lease(at: NaiveDateTime) -> NaiveDateTime {
    at + chrono::Duration::seconds(LEASE_SECS)
}

pub mod routes;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct LineError {
    /// The line in the file (the header is line 1).
    pub line: i64,
    pub field: String,
    pub message: String,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = jobs)]
struct JobRow {
    id: String,
    kind: String,
    owner_id: String,
    status: String,
    total: i32,
    processed: i32,
    created_count: i32,
    updated_count: i32,
    errors: String,
    message: Option<String>,
    created_at: NaiveDateTime,
    finished_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"id": "0193a1b2-0000-7000-8000-000000000900", "kind": "households_import", "status": "succeeded", "total": 120, "processed": 120, "created": 117, "updated": 1, "errors": [{"line": 7, "field": "head_phone", "message": "head_phone must be a phone number"}], "message": null, "created_at": "2026-11-23T03:00:00Z", "finished_at": "2026-11-23T03:00:02Z"}))]
pub struct JobView {
    pub id: String,
    pub kind: String,
    /// `queued`, `running`, `succeeded` (bad lines are listed in `errors`) or `failed` (nothing was written).
    pub status: String,
    pub total: i32,
    pub processed: i32,
    pub created: i32,
    pub updated: i32,
    pub errors: Vec<LineError>,
    pub message: Option<String>,
    pub created_at: chrono::DateTime<Utc>,
    pub finished_at: Option<chrono::DateTime<Utc>>,
}

impl From<JobRow> for JobView {
    fn from(j: JobRow) -> Self {
        JobView {
            id: j.id,
            kind: j.kind,
            status: j.status,
            total: j.total,
            processed: j.processed,
            created: j.created_count,
            updated: j.updated_count,
            errors: serde_json::from_str(&j.errors).unwrap_or_default(),
            message: j.message,
            created_at: j.created_at.and_utc(),
            finished_at: j.finished_at.map(|t| t.and_utc()),
        }
    }
}

pub fn create(conn: &mut DbConn, owner_id: &str, kind: &str) -> QueryResult<JobView> {
    let id = crate::new_id();
    diesel::insert_into(jobs::table)
        .values((
            jobs::id.eq(&id),
            jobs::kind.eq(kind),
            jobs::owner_id.eq(owner_id),
            jobs::status.eq("queued"),
            jobs::created_at.eq(Utc::now().naive_utc()),
            jobs::lease_until.eq(Some(lease(Utc::now().naive_utc()))),
        ))
        .execute(conn)?;
    jobs::table
        .find(&id)
        .select(JobRow::as_select())
        .first(conn)
        .map(JobView::from)
}

pub fn progress(conn: &mut DbConn, id: &str, total: i32, processed: i32) -> QueryResult<usize> {
    diesel::update(jobs::table.find(id))
        .set((
            jobs::status.eq("running"),
            jobs::total.eq(total),
            jobs::processed.eq(processed),
            jobs::lease_until.eq(Some(lease(Utc::now().naive_utc()))),
        ))
        .execute(conn)
}

pub fn finish(
    conn: &mut DbConn,
    id: &str,
    ok: bool,
    created: i32,
    updated: i32,
    errors: &[LineError],
    message: Option<String>,
) -> QueryResult<usize> {
    diesel::update(jobs::table.find(id))
        .set((
            jobs::status.eq(if ok { "succeeded" } else { "failed" }),
            jobs::created_count.eq(created),
            jobs::updated_count.eq(updated),
            jobs::errors.eq(serde_json::to_string(errors).unwrap_or_else(|_| "[]".into())),
            jobs::message.eq(message),
            jobs::finished_at.eq(Some(Utc::now().naive_utc())),
            jobs::lease_until.eq(None::<NaiveDateTime>),
        ))
        .execute(conn)
}

/// Fails the queued or running jobs whose lease ran out before `at` (their server is gone);
/// returns how many. Safe on several servers: each row changes once.
pub fn fail_abandoned(conn: &mut DbConn, at: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(
        jobs::table
            .filter(jobs::status.eq_any(["queued", "running"]))
            .filter(jobs::lease_until.lt(at).or(jobs::lease_until.is_null())),
    )
    .set((
        jobs::status.eq("failed"),
        jobs::message.eq(Some(ABANDONED)),
        jobs::finished_at.eq(Some(at)),
        jobs::lease_until.eq(None::<NaiveDateTime>),
    ))
    .execute(conn)
}

/// A job is visible to the account that started it (and administrators).
pub fn get(conn: &mut DbConn, caller: &Caller, id: &str) -> ApiResult<JobView> {
    let at = Utc::now().naive_utc();
    // A job that can no longer move is reported failed at once, not after the next sweep.
    diesel::update(
        jobs::table
            .find(id)
            .filter(jobs::status.eq_any(["queued", "running"]))
            .filter(jobs::lease_until.lt(at).or(jobs::lease_until.is_null())),
    )
    .set((
        jobs::status.eq("failed"),
        jobs::message.eq(Some(ABANDONED)),
        jobs::finished_at.eq(Some(at)),
        jobs::lease_until.eq(None::<NaiveDateTime>),
    ))
    .execute(conn)?;
    let row: Option<JobRow> = jobs::table
        .find(id)
        .select(JobRow::as_select())
        .first(conn)
        .optional()?;
    match row {
        Some(j) if j.owner_id == caller.user_id || caller.is_admin() => Ok(j.into()),
        _ => Err(ApiError::not_found("job")),
    }
}

/// Registers this domain's endpoints (in this order: actix tries them in turn).
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(routes::get);
}
