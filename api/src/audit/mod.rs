//! Audit events: every create, update, delete (and sign-in) leaves a row — who, what, which
//! record, when, from where. Rows are written in the same transaction as the change they describe.
pub mod data_access;
pub mod routes;

use chrono::Utc;
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::caller::Actor;
use crate::db::schema::audit_events;
use crate::db::DbConn;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = audit_events)]
pub struct AuditEvent {
    pub id: String,
    pub at: chrono::NaiveDateTime,
    pub actor_id: Option<String>,
    pub actor_name: Option<String>,
    pub action: String,
    pub entity_type: String,
    pub entity_id: Option<String>,
    pub client_addr: Option<String>,
    pub detail: Option<String>,
    /// The account whose personal data the event revealed (unmasks), who may see it.
    pub subject_id: Option<String>,
}

/// Writes one audit event. `detail` is a small JSON value (changed fields, never secrets).
pub fn record(
    conn: &mut DbConn,
    actor: &Actor,
    action: &str,
    entity_type: &str,
    entity_id: Option<&str>,
    detail: Option<serde_json::Value>,
) -> QueryResult<()> {
    // Any change may alter an account, its grants or the paths its scopes resolve to. Cached
    // callers are dropped once the change has committed (not before, or a request in between
    // would cache what is about to change).
    crate::db::after_commit(conn, crate::auth::caller::invalidate_cached_callers);
    // A change to the trees or the grids changes the groups the big lists page through (their
    // names, order and membership), so the cached per-group counts must be recomputed.
    if matches!(entity_type, "grid" | "branch" | "region") {
        crate::versions::bump(conn, crate::versions::HOUSEHOLDS)?;
        crate::versions::bump(conn, crate::versions::MEMBERS)?;
    }
    // Rankings name volunteers and their communities.
    if matches!(entity_type, "region" | "volunteer") {
        crate::versions::bump(conn, crate::versions::HOURS)?;
    }
    insert(conn, actor, action, entity_type, entity_id, None, detail)
}

/// Records that `actor` was shown personal data in clear (an unmask): the record, what was shown
/// (`detail`, e.g. `{"fields": ["phone"]}`) and whose data it was — `subject_id`, the account of
/// the person it belongs to, when they have one, so they can see the read in
/// `GET /me/data-access`. A read changes nothing, so nothing cached is invalidated.
pub fn record_unmask(
    conn: &mut DbConn,
    actor: &Actor,
    entity_type: &str,
    entity_id: &str,
    subject_id: Option<&str>,
    detail: serde_json::Value,
) -> QueryResult<()> {
    insert(
        conn,
        actor,
        "unmask",
        entity_type,
        Some(entity_id),
        subject_id,
        Some(detail),
    )
}

fn insert(
    conn: &mut DbConn,
    actor: &Actor,
    action: &str,
    entity_type: &str,
    entity_id: Option<&str>,
    subject_id: Option<&str>,
    detail: Option<serde_json::Value>,
) -> QueryResult<()> {
    diesel::insert_into(audit_events::table)
        .values(AuditEvent {
            id: crate::new_id(),
            at: Utc::now().naive_utc(),
            actor_id: actor.id.clone(),
            actor_name: actor.name.clone(),
            action: action.to_string(),
            entity_type: entity_type.to_string(),
            entity_id: entity_id.map(str::to_owned),
            client_addr: actor.addr.clone(),
            detail: detail.map(|d| d.to_string()),
            subject_id: subject_id.map(str::to_owned),
        })
        .execute(conn)
        .map(|_| ())
}

/// The events about one record, newest first.
pub fn for_entity(
    conn: &mut DbConn,
    entity_type: &str,
    entity_id: &str,
    paging: crate::http::list::Paging,
) -> QueryResult<(Vec<AuditEventView>, i64)> {
    let base = || {
        audit_events::table
            .filter(audit_events::entity_type.eq(entity_type.to_owned()))
            .filter(audit_events::entity_id.eq(entity_id.to_owned()))
    };
    let total: i64 = base().count().get_result(conn)?;
    let rows: Vec<AuditEvent> = base()
        .order((audit_events::at.desc(), audit_events::id.desc()))
        .limit(paging.per_page)
        .offset(paging.offset())
        .select(AuditEvent::as_select())
        .load(conn)?;
    Ok((rows.into_iter().map(Into::into).collect(), total))
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"id": "01937c9e-0000-7000-8000-000000000001", "at": "2026-11-23T03:00:00Z", "actor_id": "01937c9e-0000-7000-8000-0000000000aa", "actor_name": "street1", "action": "update", "entity_type": "region", "entity_id": "01937c9e-0000-7000-8000-0000000000bb", "client_addr": "10.1.2.3", "detail": {"name": "斜桥巷社区"}, "subject_id": null}))]
pub struct AuditEventView {
    pub id: String,
    pub at: chrono::DateTime<Utc>,
    pub actor_id: Option<String>,
    pub actor_name: Option<String>,
    /// `create`, `update`, `delete`, `move`, `login`, `login_failed`, `grant`, `revoke`, `unmask` …
    pub action: String,
    pub entity_type: String,
    pub entity_id: Option<String>,
    pub client_addr: Option<String>,
    pub detail: Option<serde_json::Value>,
    /// For an `unmask`: the account whose personal data was shown, if the person has one.
    pub subject_id: Option<String>,
}

impl From<AuditEvent> for AuditEventView {
    fn from(e: AuditEvent) -> Self {
        AuditEventView {
            id: e.id,
            at: e.at.and_utc(),
            actor_id: e.actor_id,
            actor_name: e.actor_name,
            action: e.action,
            entity_type: e.entity_type,
            entity_id: e.entity_id,
            client_addr: e.client_addr,
            detail: e.detail.and_then(|d| serde_json::from_str(&d).ok()),
            subject_id: e.subject_id,
        }
    }
}

/// Registers this domain's endpoints (in this order: actix tries them in turn).
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(data_access::my_data_access)
        .service(routes::list);
}
