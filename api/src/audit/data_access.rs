//! `GET /api/v1/me/data-access`: who has seen the caller's personal data in clear, for people
//! with no member record whose access log they could read — residents who ordered a service or
//! reported a concern, volunteers, units' contacts — and for members too.
//!
//! An event is the caller's when it names them as its subject (`audit_events.subject_id`, set by
//! [`super::record_unmask`]), when it unmasked a unit the caller is a contact of (a unit's contact
//! phone belongs to whoever answers it for the unit), or when it unmasked the caller's own member
//! record. The caller's own reads are left out.
use actix_web::{get, web, HttpResponse};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use super::AuditEvent;
use crate::auth::Caller;
use crate::db::schema::{audit_events, members};
use crate::db::DbConn;
use crate::error::{ApiError, ApiResult, Problem};
use crate::http::list::{like_pattern, Paging};
use crate::http::{ListParams, Page};
use crate::AppState;

#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"id": "0193a1b2-0000-7000-8000-00000000e001", "at": "2026-11-23T03:00:00Z", "actor_name": "unit1", "record_type": "service_order", "record_id": "0193a1b2-0000-7000-8000-000000004001", "fields": ["contact_phone"]}))]
pub struct DataAccessView {
    pub id: String,
    /// When it was shown.
    pub at: DateTime<Utc>,
    /// Who was shown it (their account name).
    pub actor_name: Option<String>,
    /// The kind of record: `member`, `volunteer`, `unit`, `service_order`, `concern`.
    pub record_type: String,
    pub record_id: Option<String>,
    /// What was shown in clear, e.g. `phone`, `contact_phone`, `id_number`.
    pub fields: Vec<String>,
}

impl From<AuditEvent> for DataAccessView {
    fn from(e: AuditEvent) -> Self {
        let detail: Option<serde_json::Value> = e
            .detail
            .as_deref()
            .and_then(|d| serde_json::from_str(d).ok());
        let fields = detail
            .as_ref()
            .and_then(|d| d.get("fields"))
            .and_then(|f| f.as_array())
            .map(|f| {
                f.iter()
                    .filter_map(|x| x.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        DataAccessView {
            id: e.id,
            at: e.at.and_utc(),
            actor_name: e.actor_name,
            record_type: e.entity_type,
            record_id: e.entity_id,
            fields,
        }
    }
}

/// The unmasks of the caller's personal data by others, newest first; `q` matches who (their
/// account name, in part) or the kind of record.
pub fn list(
    conn: &mut DbConn,
    caller: &Caller,
    q: Option<String>,
    paging: Paging,
) -> ApiResult<(Vec<DataAccessView>, i64)> {
    let my_members: Vec<String> = members::table
        .filter(members::user_id.eq(&caller.user_id))
        .select(members::id)
        .load(conn)?;
    let my_units = caller.unit_ids();
    let me = caller.user_id.clone();
    let build = || {
        let mut query = audit_events::table
            .into_boxed::<crate::db::MultiBackend>()
            .filter(audit_events::action.eq("unmask"))
            .filter(
                audit_events::subject_id
                    .eq(me.clone())
                    .or(audit_events::entity_type
                        .eq("unit")
                        .and(audit_events::entity_id.eq_any(my_units.clone())))
                    .or(audit_events::entity_type
                        .eq("member")
                        .and(audit_events::entity_id.eq_any(my_members.clone()))),
            )
            .filter(
                audit_events::actor_id
                    .is_null()
                    .or(audit_events::actor_id.ne(me.clone())),
            );
        if let Some(text) = &q {
            query = query.filter(
                audit_events::actor_name
                    .like(like_pattern(text))
                    .escape('\\')
                    .or(audit_events::entity_type.eq(text.clone())),
            );
        }
        query
    };
    let total: i64 = build().count().get_result(conn)?;
    let rows: Vec<AuditEvent> = build()
        .order((audit_events::at.desc(), audit_events::id.desc()))
        .limit(paging.per_page)
        .offset(paging.offset())
        .select(AuditEvent::as_select())
        .load(conn)?;
    Ok((rows.into_iter().map(DataAccessView::from).collect(), total))
}

/// Who has seen your personal data (phone numbers, ID numbers) in clear, and when, newest first:
/// for residents who ordered a service or reported a concern, volunteers, units' contacts and
/// members alike. `q` matches who (their account name, in part) or the kind of record
/// (`service_order`); there is no `sort`.
#[utoipa::path(
    tag = "auth",
    operation_id = "me_data_access_list",
    params(ListParams),
    responses(
        (status = 200, body = Page<DataAccessView>),
        (status = 400, description = "`invalid_page`, `invalid_sort`", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/me/data-access")]
pub async fn my_data_access(
    state: web::Data<AppState>,
    caller: Caller,
    params: web::Query<ListParams>,
) -> Result<HttpResponse, ApiError> {
    let paging = params.paging()?;
    params.sorts(&[])?;
    let (page, q) = (paging.clone(), params.query());
    let (items, total) = crate::db::run(&state.pool, move |c| list(c, &caller, q, paging)).await?;
    Ok(HttpResponse::Ok().json(Page {
        items,
        total,
        page: page.page,
        per_page: page.per_page,
    }))
}
