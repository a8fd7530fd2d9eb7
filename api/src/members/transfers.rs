//! Transfers of membership between branches (组织关系转接): the sending side requests, the
//! receiving side accepts or rejects, the sender may cancel while it is pending. The member stays
//! in the old branch until accepted, so they belong to exactly one formal branch at every moment.
//! A transfer out of the system (to another district) is final when requested and makes the
//! member historical. Every request stays in the history.
use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;
use serde_json::json;

use super::dto::{DecideTransfer, RequestTransfer, TransferStatus, TransferView};
use super::service::{self, access};
use crate::audit;
use crate::auth::Caller;
use crate::db::schema::{branches, member_transfers, members, regions};
use crate::db::DbConn;
use crate::error::ErrorCode;
use crate::error::{ApiError, ApiResult};
use crate::http::list::Paging;
use crate::members::dto::MemberStatus;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = member_transfers)]
pub struct Transfer {
    pub id: String,
    pub member_id: String,
    pub from_branch_id: String,
    pub to_branch_id: Option<String>,
    pub destination: Option<String>,
    pub status: TransferStatus,
    pub reason: Option<String>,
    pub requested_by: String,
    pub requested_at: NaiveDateTime,
    pub decided_by: Option<String>,
    pub decided_at: Option<NaiveDateTime>,
    pub decision_note: Option<String>,
}

fn branch_name(conn: &mut DbConn, id: &str) -> QueryResult<String> {
    branches::table.find(id).select(branches::name).first(conn)
}

fn view(conn: &mut DbConn, t: Transfer) -> ApiResult<TransferView> {
    let member_name: String = members::table
        .find(&t.member_id)
        .select(members::name)
        .first(conn)?;
    let from_branch_name = branch_name(conn, &t.from_branch_id)?;
    let to_branch_name = match &t.to_branch_id {
        Some(b) => Some(branch_name(conn, b)?),
        None => None,
    };
    Ok(TransferView {
        status: t.status,
        id: t.id,
        member_id: t.member_id,
        member_name,
        from_branch_id: t.from_branch_id,
        from_branch_name,
        to_branch_id: t.to_branch_id,
        to_branch_name,
        destination: t.destination,
        reason: t.reason,
        requested_by: t.requested_by,
        requested_at: t.requested_at.and_utc(),
        decided_by: t.decided_by,
        decided_at: t.decided_at.map(|d| d.and_utc()),
        decision_note: t.decision_note,
    })
}

fn paths(
    conn: &mut DbConn,
    branch_id: &str,
) -> QueryResult<Option<(String, String, String, String, String)>> {
    branches::table
        .inner_join(regions::table)
        .filter(branches::id.eq(branch_id))
        .select((
            branches::kind,
            branches::establishment,
            branches::path,
            regions::path,
            branches::name,
        ))
        .first(conn)
        .optional()
}

pub fn request(
    conn: &mut DbConn,
    caller: &Caller,
    input: RequestTransfer,
) -> ApiResult<TransferView> {
    crate::db::write(conn, |c| {
        let acc = access(c, caller, &input.member_id)
            .map_err(|_| ApiError::field("member_id", "not_found", "the member does not exist"))?;
        if !acc.keeper {
            return Err(ApiError::forbidden(
                "a transfer is requested by the member's branch secretary or community staff",
            ));
        }
        let m = &acc.member;
        if m.status != MemberStatus::Active {
            return Err(ApiError::conflict(
                ErrorCode::MemberHistorical,
                format!("the member is {}; only active members transfer", m.status),
            ));
        }
        let pending: i64 = member_transfers::table
            .filter(member_transfers::member_id.eq(&m.id))
            .filter(member_transfers::status.eq("pending"))
            .count()
            .get_result(c)?;
        if pending > 0 {
            return Err(ApiError::conflict(
                ErrorCode::TransferPending,
                "the member already has a transfer waiting to be accepted",
            ));
        }
        if let Some(to) = &input.to_branch_id {
            // Any formal branch in the system may receive, even outside the sender's scope.
            let Some((kind, est, ..)) = paths(c, to)? else {
                return Err(ApiError::field(
                    "to_branch_id",
                    "not_found",
                    "the branch does not exist",
                ));
            };
            if est != "formal" || !service::FORMAL_KINDS.contains(&kind.as_str()) {
                return Err(ApiError::field(
                    "to_branch_id",
                    "not_formal_branch",
                    "members transfer into a formal general branch, branch or party group",
                ));
            }
            if to == &m.branch_id {
                return Err(ApiError::field(
                    "to_branch_id",
                    "same_branch",
                    "the member is already in this branch",
                ));
            }
        }
        let now = Utc::now().naive_utc();
        let external = input.to_branch_id.is_none();
        let t = Transfer {
            id: crate::new_id(),
            member_id: m.id.clone(),
            from_branch_id: m.branch_id.clone(),
            to_branch_id: input.to_branch_id.clone(),
            destination: input
                .destination
                .as_deref()
                .map(str::trim)
                .filter(|d| !d.is_empty())
                .map(str::to_owned),
            status: if external {
                TransferStatus::Accepted
            } else {
                TransferStatus::Pending
            },
            reason: input
                .reason
                .as_deref()
                .map(str::trim)
                .filter(|d| !d.is_empty())
                .map(str::to_owned),
            requested_by: caller.username.clone(),
            requested_at: now,
            decided_by: external.then(|| caller.username.clone()),
            decided_at: external.then_some(now),
            decision_note: None,
        };
        diesel::insert_into(member_transfers::table)
            .values(&t)
            .execute(c)?;
        if external {
            diesel::update(members::table.find(&m.id))
                .set((
                    members::status.eq("transferred_out"),
                    members::status_changed_on.eq(Some(now.date())),
                    members::status_reason.eq(t.destination.clone()),
                    members::version.eq(m.version + 1),
                    members::updated_at.eq(now),
                ))
                .execute(c)?;
            service::recount(c, &m.branch_id)?;
        }
        audit::record(
            c,
            &caller.actor(),
            "transfer_request",
            "member",
            Some(&m.id),
            Some(
                json!({"transfer_id": t.id, "to_branch_id": t.to_branch_id, "destination": t.destination}),
            ),
        )?;
        view(c, t)
    })
}

fn load(conn: &mut DbConn, id: &str) -> QueryResult<Option<Transfer>> {
    member_transfers::table
        .find(id)
        .select(Transfer::as_select())
        .first(conn)
        .optional()
}

/// Who may see a transfer: keepers of either side. Who may decide: the receiving side's keepers.
fn sides(conn: &mut DbConn, caller: &Caller, t: &Transfer) -> ApiResult<(bool, bool)> {
    let side = |c: &mut DbConn, b: &str| -> ApiResult<(bool, bool)> {
        Ok(match paths(c, b)? {
            Some((_, _, bp, rp, _)) => (
                caller.branches_readable().contains(&bp, &rp),
                caller.branches_writable().contains(&bp, &rp),
            ),
            None => (false, false),
        })
    };
    let (from_read, from_write) = side(conn, &t.from_branch_id)?;
    let (to_read, to_write) = match &t.to_branch_id {
        Some(b) => side(conn, b)?,
        None => (false, false),
    };
    if !(from_read || to_read) {
        return Err(ApiError::not_found("transfer"));
    }
    Ok((from_write, to_write))
}

pub fn get(conn: &mut DbConn, caller: &Caller, id: &str) -> ApiResult<TransferView> {
    let t = load(conn, id)?.ok_or_else(|| ApiError::not_found("transfer"))?;
    sides(conn, caller, &t)?;
    view(conn, t)
}

pub enum Decision {
    Accept,
    Reject,
    Cancel,
}

pub fn decide(
    conn: &mut DbConn,
    caller: &Caller,
    id: &str,
    decision: Decision,
    input: DecideTransfer,
) -> ApiResult<TransferView> {
    crate::db::write(conn, |c| {
        let t = load(c, id)?.ok_or_else(|| ApiError::not_found("transfer"))?;
        let (from_write, to_write) = sides(c, caller, &t)?;
        let (action, to_status) = match decision {
            Decision::Accept => ("accept", "accepted"),
            Decision::Reject => ("reject", "rejected"),
            Decision::Cancel => ("cancel", "cancelled"),
        };
        if t.status != TransferStatus::Pending {
            return Err(ApiError::invalid_transition(t.status.as_str(), action));
        }
        let allowed = match decision {
            Decision::Accept | Decision::Reject => to_write,
            Decision::Cancel => from_write,
        };
        if !allowed {
            return Err(ApiError::forbidden(match decision {
                Decision::Cancel => "only the sending branch's keepers cancel a transfer",
                _ => "only the receiving branch's secretary or community staff accept or reject a transfer",
            }));
        }
        let now = Utc::now().naive_utc();
        diesel::update(
            member_transfers::table
                .find(id)
                .filter(member_transfers::status.eq("pending")),
        )
        .set((
            member_transfers::status.eq(to_status),
            member_transfers::decided_by.eq(Some(caller.username.clone())),
            member_transfers::decided_at.eq(Some(now)),
            member_transfers::decision_note.eq(input
                .note
                .as_deref()
                .map(str::trim)
                .filter(|n| !n.is_empty())),
        ))
        .execute(c)?;
        if let (Decision::Accept, Some(to)) = (&decision, &t.to_branch_id) {
            let version: i32 = members::table
                .find(&t.member_id)
                .select(members::version)
                .first(c)?;
            diesel::update(members::table.find(&t.member_id))
                .set((
                    members::branch_id.eq(to),
                    members::version.eq(version + 1),
                    members::updated_at.eq(now),
                ))
                .execute(c)?;
            service::recount(c, &t.from_branch_id)?;
            service::recount(c, to)?;
        }
        audit::record(
            c,
            &caller.actor(),
            &format!("transfer_{action}"),
            "member",
            Some(&t.member_id),
            Some(json!({"transfer_id": id})),
        )?;
        let t = load(c, id)?.ok_or_else(|| ApiError::not_found("transfer"))?;
        view(c, t)
    })
}

/// A member's transfers, newest first (the history is never rewritten).
pub fn for_member(
    conn: &mut DbConn,
    caller: &Caller,
    member_id: &str,
) -> ApiResult<Vec<TransferView>> {
    access(conn, caller, member_id)?;
    let rows: Vec<Transfer> = member_transfers::table
        .filter(member_transfers::member_id.eq(member_id))
        .order((
            member_transfers::requested_at.desc(),
            member_transfers::id.desc(),
        ))
        .select(Transfer::as_select())
        .load(conn)?;
    rows.into_iter().map(|t| view(conn, t)).collect()
}

/// Transfers waiting for the caller: pending ones into branches they keep.
pub fn incoming(
    conn: &mut DbConn,
    caller: &Caller,
    paging: Paging,
) -> ApiResult<(Vec<TransferView>, i64)> {
    let pending: Vec<Transfer> = member_transfers::table
        .filter(member_transfers::status.eq("pending"))
        .order(member_transfers::requested_at.asc())
        .select(Transfer::as_select())
        .load(conn)?;
    let mut mine = vec![];
    for t in pending {
        if let Ok((from_write, to_write)) = sides(conn, caller, &t) {
            if to_write || from_write {
                mine.push(t);
            }
        }
    }
    let total = mine.len() as i64;
    let page: Vec<Transfer> = mine
        .into_iter()
        .skip(paging.offset() as usize)
        .take(paging.per_page as usize)
        .collect();
    let items = page
        .into_iter()
        .map(|t| view(conn, t))
        .collect::<ApiResult<Vec<_>>>()?;
    Ok((items, total))
}
