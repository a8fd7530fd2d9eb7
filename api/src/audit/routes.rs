//! `GET /api/v1/audit-events`: the trail is for administrators only. Staff reading the events of
//! their own scope needs each event's scope recorded; until then an event about another street's
//! people must not leak, so nobody but an administrator reads it.
use actix_web::{get, web, HttpResponse};
use diesel::prelude::*;
use serde::Deserialize;
use utoipa::IntoParams;

use super::{AuditEvent, AuditEventView};
use crate::auth::Caller;
use crate::db::schema::audit_events;
use crate::error::{ApiError, Problem};
use crate::http::{ListParams, Page};
use crate::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditFilters {
    pub entity_type: Option<String>,
    pub entity_id: Option<String>,
    pub actor_id: Option<String>,
    pub action: Option<String>,
}

/// List audit events, newest first.
#[utoipa::path(
    tag = "audit-events",
    operation_id = "audit_events_list",
    params(ListParams, AuditFilters),
    responses(
        (status = 200, body = Page<AuditEventView>),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/audit-events")]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    params: web::Query<ListParams>,
    filters: web::Query<AuditFilters>,
) -> Result<HttpResponse, ApiError> {
    caller.require_admin()?;
    let paging = params.paging()?;
    let filters = filters.into_inner();
    let page = crate::db::run(&state.pool, move |c| {
        let build = || {
            let mut q = audit_events::table.into_boxed();
            if let Some(v) = &filters.entity_type {
                q = q.filter(audit_events::entity_type.eq(v.clone()));
            }
            if let Some(v) = &filters.entity_id {
                q = q.filter(audit_events::entity_id.eq(v.clone()));
            }
            if let Some(v) = &filters.actor_id {
                q = q.filter(audit_events::actor_id.eq(v.clone()));
            }
            if let Some(v) = &filters.action {
                q = q.filter(audit_events::action.eq(v.clone()));
            }
            q
        };
        let total: i64 = build().count().get_result(c)?;
        let rows: Vec<AuditEvent> = build()
            .order((audit_events::at.desc(), audit_events::id.desc()))
            .limit(paging.per_page)
            .offset(paging.offset())
            .select(AuditEvent::as_select())
            .load(c)?;
        Ok(Page {
            items: rows.into_iter().map(AuditEventView::from).collect(),
            total,
            page: paging.page,
            per_page: paging.per_page,
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(page))
}
