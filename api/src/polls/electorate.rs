//! Who may see and vote in a poll: its electorate. A `community` poll's electorate is the
//! residents and members whose home community it is (`users.community_id`); a `list` poll's is
//! the accounts named when it was set up (`poll_electors`). Anyone else gets 404 for the poll,
//! as for any record outside their scope, and turnout is counted against the electorate.
use diesel::prelude::*;

use super::dto::Electorate;
use super::service::Poll;
use crate::auth::{Caller, Role};
use crate::db::schema::{grants, poll_electors, polls, users};
use crate::db::DbConn;
use crate::error::{ApiError, ApiResult};

/// The most accounts a named list may hold.
pub const MAX_ELECTORS: usize = 50_000;

/// Residents and party members vote; staff do not.
pub fn may_vote(caller: &Caller) -> bool {
    caller.has_role(Role::Resident) || caller.has_role(Role::Member)
}

pub fn kind(p: &Poll) -> Electorate {
    p.electorate
}

/// Whether the caller is in the poll's electorate.
pub fn includes(conn: &mut DbConn, caller: &Caller, p: &Poll) -> QueryResult<bool> {
    if !may_vote(caller) {
        return Ok(false);
    }
    Ok(match kind(p) {
        Electorate::Community => caller.community_id.as_deref() == Some(p.community_id.as_str()),
        Electorate::List => {
            poll_electors::table
                .find((&p.id, &caller.user_id))
                .count()
                .get_result::<i64>(conn)?
                > 0
        }
    })
}

/// The accounts that may vote: fixed at the close, counted live while the poll runs.
pub fn size(conn: &mut DbConn, p: &Poll) -> QueryResult<i64> {
    if let Some(n) = p.electorate_size {
        return Ok(i64::from(n));
    }
    count(conn, &p.id, kind(p), &p.community_id)
}

pub fn count(
    conn: &mut DbConn,
    poll_id: &str,
    kind: Electorate,
    community_id: &str,
) -> QueryResult<i64> {
    match kind {
        Electorate::List => poll_electors::table
            .filter(poll_electors::poll_id.eq(poll_id))
            .count()
            .get_result(conn),
        Electorate::Community => users::table
            .filter(users::community_id.eq(community_id))
            .filter(users::active.eq(true))
            .filter(diesel::dsl::exists(
                grants::table
                    .filter(grants::user_id.eq(users::id))
                    .filter(grants::role.eq_any([Role::Resident.as_str(), Role::Member.as_str()])),
            ))
            .count()
            .get_result(conn),
    }
}

/// Records a named list: every id must be an active resident or member account.
pub fn set_list(conn: &mut DbConn, poll_id: &str, ids: &[String]) -> ApiResult<()> {
    let mut ids: Vec<&String> = ids.iter().collect();
    ids.sort();
    ids.dedup();
    for chunk in ids.chunks(500) {
        let known: i64 = users::table
            .filter(users::id.eq_any(chunk.iter().map(|s| s.as_str())))
            .filter(users::active.eq(true))
            .filter(diesel::dsl::exists(
                grants::table
                    .filter(grants::user_id.eq(users::id))
                    .filter(grants::role.eq_any([Role::Resident.as_str(), Role::Member.as_str()])),
            ))
            .count()
            .get_result(conn)?;
        if known != chunk.len() as i64 {
            return Err(ApiError::field(
                "elector_ids",
                "not_found",
                "every elector must be an active resident or member account",
            ));
        }
        let rows: Vec<_> = chunk
            .iter()
            .map(|u| {
                (
                    poll_electors::poll_id.eq(poll_id),
                    poll_electors::user_id.eq(u.as_str()),
                )
            })
            .collect();
        crate::bulk_insert!(conn, poll_electors::table, rows);
    }
    Ok(())
}

/// Fixes the electorate's size when the poll closes, so turnout does not drift as people move.
pub fn freeze(conn: &mut DbConn, p: &Poll) -> QueryResult<()> {
    let n = count(conn, &p.id, kind(p), &p.community_id)?;
    diesel::update(polls::table.find(&p.id))
        .set(polls::electorate_size.eq(Some(n as i32)))
        .execute(conn)?;
    Ok(())
}
