//! Member rules: the roster is read within the caller's branch reach (region staff by region,
//! secretaries by branch subtree, a member only themselves); ID numbers are sealed at rest and
//! shown masked except to staff and secretaries who ask, each such read audited; a member has one
//! formal branch (a 总支, 支部 or 党小组), any number of interest-based ones, and is never deleted:
//! leaving or dying makes them historical, and they can be restored.
use chrono::{Datelike, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde_json::json;

use super::dto::*;
use super::id_number;
use crate::audit;
use crate::auth::policy::BranchReach;
use crate::auth::Caller;
use crate::db::any_of::any_of;
use crate::db::schema::{
    branches, grids, households, member_affiliations, members, regions, users,
};
use crate::db::DbConn;
use crate::error::ErrorCode;
use crate::error::{expect_version, ApiError, ApiResult};
use crate::http::list::{like_pattern, Paging, Sort};
use crate::phones::{self, PhoneColumn};
use crate::sealed::Sealer;
use crate::versions::GroupMemo;

pub const SORT_KEYS: &[&str] = &["name", "joined_on", "birth_date", "created_at"];
/// Kinds of organisation a member's formal membership can be in.
pub const FORMAL_KINDS: [&str; 3] = ["general_branch", "branch", "group"];

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = members, treat_none_as_default_value = false)]
pub struct Member {
    pub id: String,
    pub branch_id: String,
    pub name: String,
    pub gender: Gender,
    pub birth_date: NaiveDate,
    pub id_number_sealed: String,
    pub id_number_index: String,
    pub id_number_masked: String,
    pub phone_sealed: Option<String>,
    pub phone_index: Option<String>,
    pub phone_masked: Option<String>,
    pub education: Option<String>,
    pub joined_on: NaiveDate,
    pub join_md: String,
    pub full_member_on: Option<NaiveDate>,
    pub category: Category,
    pub grid_id: Option<String>,
    pub household_id: Option<String>,
    pub work_unit: Option<String>,
    pub user_id: Option<String>,
    pub status: MemberStatus,
    pub status_changed_on: Option<NaiveDate>,
    pub status_reason: Option<String>,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

pub fn seal_context(member_id: &str) -> String {
    format!("members.id_number:{member_id}")
}

pub fn age_on(birth: NaiveDate, day: NaiveDate) -> i32 {
    let mut age = day.year() - birth.year();
    if (day.month(), day.day()) < (birth.month(), birth.day()) {
        age -= 1;
    }
    age
}

type Joined =
    diesel::dsl::InnerJoin<members::table, diesel::dsl::InnerJoin<branches::table, regions::table>>;

/// Members joined to their branch and its region, restricted to what the caller may read: only
/// the non-empty parts of the reach are put in the filter (an `OR` with a dead branch keeps SQLite
/// from using the path indexes). A caller without any reach lists only their own record.
pub fn boxed_visible<'a>(
    caller: &Caller,
) -> diesel::dsl::IntoBoxed<'a, Joined, crate::db::MultiBackend> {
    let q = members::table
        .inner_join(branches::table.inner_join(regions::table))
        .into_boxed();
    let reach = caller.branches_readable();
    if reach.is_empty() {
        return q.filter(members::user_id.eq(caller.user_id.clone()));
    }
    crate::branch_scope!(q, &reach)
}

type BranchesJoined = diesel::dsl::InnerJoin<branches::table, regions::table>;

/// The branches whose members a caller may list, the same way.
fn visible_branches<'a>(
    caller: &Caller,
) -> Option<diesel::dsl::IntoBoxed<'a, BranchesJoined, crate::db::MultiBackend>> {
    let reach = caller.branches_readable();
    (!reach.is_empty()).then(|| {
        crate::branch_scope!(
            branches::table.inner_join(regions::table).into_boxed(),
            &reach
        )
    })
}

/// What a caller may do with one member.
pub struct MemberAccess {
    pub member: Member,
    pub branch_name: String,
    pub branch_path: String,
    /// Staff of the branch's region or the secretary of the branch (or above it).
    pub keeper: bool,
    pub own: bool,
}

pub fn load(conn: &mut DbConn, id: &str) -> QueryResult<Option<(Member, String, String, String)>> {
    members::table
        .inner_join(branches::table.inner_join(regions::table))
        .filter(members::id.eq(id))
        .select((
            Member::as_select(),
            branches::name,
            branches::path,
            regions::path,
        ))
        .first(conn)
        .optional()
}

pub fn access(conn: &mut DbConn, caller: &Caller, id: &str) -> ApiResult<MemberAccess> {
    let Some((m, branch_name, bpath, rpath)) = load(conn, id)? else {
        return Err(ApiError::not_found("member"));
    };
    let own = m.user_id.as_deref() == Some(caller.user_id.as_str());
    if !(own || caller.branches_readable().contains(&bpath, &rpath)) {
        return Err(ApiError::not_found("member"));
    }
    let keeper = caller.branches_writable().contains(&bpath, &rpath);
    Ok(MemberAccess {
        member: m,
        branch_name,
        branch_path: bpath,
        keeper,
        own,
    })
}

pub fn view(
    conn: &mut DbConn,
    sealer: &Sealer,
    m: Member,
    branch_name: String,
    unmasked: bool,
) -> ApiResult<MemberView> {
    let interest: Vec<(String, String)> = member_affiliations::table
        .inner_join(branches::table.on(branches::id.eq(member_affiliations::branch_id)))
        .filter(member_affiliations::member_id.eq(&m.id))
        .filter(member_affiliations::left_on.is_null())
        .order(branches::name.asc())
        .select((branches::id, branches::name))
        .load(conn)?;
    Ok(view_with(sealer, m, branch_name, unmasked, interest))
}

fn view_with(
    sealer: &Sealer,
    m: Member,
    branch_name: String,
    unmasked: bool,
    interest: Vec<(String, String)>,
) -> MemberView {
    let category = m.category;
    let id_number = if unmasked {
        // A value that does not open (wrong data key) is shown masked rather than failing the read.
        sealer
            .open(&seal_context(&m.id), &m.id_number_sealed)
            .unwrap_or_else(|| m.id_number_masked.clone())
    } else {
        m.id_number_masked.clone()
    };
    let today = crate::clock::today();
    MemberView {
        age: age_on(m.birth_date, today),
        probationary: m.full_member_on.is_none_or(|f| f > today),
        management_mode: category.management_mode().into(),
        category,
        gender: m.gender,
        status: m.status,
        phone: if unmasked {
            phones::reveal(
                sealer,
                PhoneColumn::Member,
                &m.id,
                m.phone_sealed.as_deref(),
                m.phone_masked.as_deref(),
            )
        } else {
            m.phone_masked.clone()
        },
        masked: !unmasked,
        id_number,
        interest_branches: interest
            .into_iter()
            .map(|(id, name)| BranchRef { id, name })
            .collect(),
        id: m.id,
        branch_id: m.branch_id,
        branch_name,
        name: m.name,
        birth_date: m.birth_date,
        education: m.education,
        joined_on: m.joined_on,
        full_member_on: m.full_member_on,
        grid_id: m.grid_id,
        household_id: m.household_id,
        work_unit: m.work_unit,
        user_id: m.user_id,
        status_changed_on: m.status_changed_on,
        status_reason: m.status_reason,
        version: m.version,
        created_at: m.created_at.and_utc(),
        updated_at: m.updated_at.and_utc(),
    }
}

#[derive(Debug, Clone, Default)]
pub struct MemberFilter {
    /// The branch and its subtree.
    pub branch_id: Option<String>,
    pub category: Option<Category>,
    pub grid_id: Option<String>,
    pub age_min: Option<i32>,
    pub age_max: Option<i32>,
    pub join_year: Option<i32>,
    /// `active` (default), `historical` or `all`.
    pub status: Option<String>,
    pub q: Option<String>,
    /// The blind index of `q` when it is a phone number (see `phones::query_index`).
    pub q_phone_index: Option<String>,
}

impl MemberFilter {
    /// Any filter besides the status and the subtree.
    fn narrows(&self) -> bool {
        self.category.is_some()
            || self.grid_id.is_some()
            || self.age_min.is_some()
            || self.age_max.is_some()
            || self.join_year.is_some()
            || self.q.is_some()
    }
}

/// The roster filters other than scope and subtree, on any members query.
macro_rules! member_filters {
    ($q:expr, $filter:expr, $today:expr) => {{
        let mut q = $q;
        let filter: &MemberFilter = $filter;
        match filter.status.as_deref() {
            Some("all") => {}
            Some("historical") => q = q.filter(members::status.ne("active")),
            _ => q = q.filter(members::status.eq("active")),
        }
        if let Some(c) = filter.category {
            q = q.filter(members::category.eq(c.as_str()));
        }
        if let Some(g) = &filter.grid_id {
            q = q.filter(members::grid_id.eq(g.clone()));
        }
        // Age a..b today: born after (today - (b+1) years) and on or before (today - a years).
        if let Some(a) = filter.age_min {
            q = q.filter(members::birth_date.le(years_before($today, a)));
        }
        if let Some(b) = filter.age_max {
            q = q.filter(members::birth_date.gt(years_before($today, b.saturating_add(1))));
        }
        if let Some(y) = filter.join_year {
            let from = NaiveDate::from_ymd_opt(y, 1, 1).unwrap_or(NaiveDate::MIN);
            let to = y
                .checked_add(1)
                .and_then(|n| NaiveDate::from_ymd_opt(n, 1, 1))
                .unwrap_or(NaiveDate::MAX);
            q = q
                .filter(members::joined_on.ge(from))
                .filter(members::joined_on.lt(to));
        }
        if let Some(text) = &filter.q {
            // A name, or (a number) a phone, matched by its blind index.
            let by_name = members::name.like(like_pattern(text)).escape('\\');
            q = match &filter.q_phone_index {
                Some(index) => q.filter(by_name.or(members::phone_index.eq(index.clone()))),
                None => q.filter(by_name),
            };
        }
        q
    }};
}

/// What a roster page depends on, with the members' data version read now (every write to a
/// member, an affiliation or the branch tree bumps it in its own transaction): the key the page is
/// remembered under, so a remembered page is exact on any instance. `today` is in it because ages
/// and probation are.
pub fn page_key(
    conn: &mut DbConn,
    caller: &Caller,
    filter: &MemberFilter,
    sorts: &[Sort],
    paging: &Paging,
) -> QueryResult<String> {
    Ok(format!(
        "members|{}|{:?}|{filter:?}|{sorts:?}|{}|{}|{}|{}",
        caller.user_id,
        caller.branches_readable(),
        paging.page,
        paging.per_page,
        crate::clock::today(),
        crate::versions::current(conn, crate::versions::MEMBERS)?
    ))
}

pub fn list(
    conn: &mut DbConn,
    memo: &GroupMemo,
    sealer: &Sealer,
    caller: &Caller,
    filter: MemberFilter,
    sorts: Vec<Sort>,
    paging: Paging,
) -> ApiResult<(Vec<MemberView>, i64)> {
    let subtree = match &filter.branch_id {
        Some(b) => {
            let path: Option<(String, String)> = branches::table
                .inner_join(regions::table)
                .filter(branches::id.eq(b))
                .select((branches::path, regions::path))
                .first(conn)
                .optional()?;
            match path {
                Some((bp, rp)) if caller.branches_readable().contains(&bp, &rp) => Some(bp),
                _ => {
                    return Err(ApiError::field(
                        "branch_id",
                        "not_found",
                        "the branch does not exist",
                    ))
                }
            }
        }
        None => None,
    };
    let today = crate::clock::today();
    if sorts.is_empty() {
        if let Some(result) = list_by_branch(
            conn,
            memo,
            sealer,
            caller,
            &filter,
            subtree.as_deref(),
            paging.clone(),
            today,
        )? {
            return Ok(result);
        }
    }
    macro_rules! filtered {
        () => {{
            let mut q = boxed_visible(caller);
            if let Some(p) = &subtree {
                let (lo, hi) = crate::tree::range(p);
                q = q
                    .filter(branches::path.ge(lo))
                    .filter(branches::path.lt(hi));
            }
            member_filters!(q, &filter, today)
        }};
    }
    let total: i64 = filtered!().count().get_result(conn)?;
    let mut q = filtered!();
    for s in &sorts {
        q = match (s.key.as_str(), s.desc) {
            ("joined_on", false) => q.then_order_by(members::joined_on.asc()),
            ("joined_on", true) => q.then_order_by(members::joined_on.desc()),
            ("birth_date", false) => q.then_order_by(members::birth_date.asc()),
            ("birth_date", true) => q.then_order_by(members::birth_date.desc()),
            ("created_at", false) => q.then_order_by(members::created_at.asc()),
            ("created_at", true) => q.then_order_by(members::created_at.desc()),
            (_, false) => q.then_order_by(members::name.asc()),
            (_, true) => q.then_order_by(members::name.desc()),
        };
    }
    let rows: Vec<(Member, String)> = q
        .then_order_by(branches::path.asc())
        .then_order_by(members::name.asc())
        .then_order_by(members::id.asc())
        .limit(paging.per_page)
        .offset(paging.offset())
        .select((Member::as_select(), branches::name))
        .load(conn)?;
    Ok((views(conn, sealer, rows)?, total))
}

/// The default roster order (branch by branch in tree order, then by name), paged per branch: the
/// members of each visible branch are counted from the `(branch_id, status, name)` index, and the
/// page is read from the one or two branches it falls in — no sort over the whole scope. `None`
/// for a caller with no branch reach (they see only their own record, through the general path).
fn list_by_branch(
    conn: &mut DbConn,
    memo: &GroupMemo,
    sealer: &Sealer,
    caller: &Caller,
    filter: &MemberFilter,
    subtree: Option<&str>,
    paging: Paging,
    today: NaiveDate,
) -> ApiResult<Option<(Vec<MemberView>, i64)>> {
    if visible_branches(caller).is_none() {
        return Ok(None);
    }
    // The per-branch counts depend on the caller's reach, the subtree, the filters, today (ages)
    // and the members' data version, read fresh on every request.
    let key = format!(
        "mb|{:?}|{subtree:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{today}|{}",
        caller.branches_readable(),
        filter.status,
        filter.category,
        filter.grid_id,
        filter.age_min,
        filter.age_max,
        filter.join_year,
        filter.q,
        caller.user_id,
        crate::versions::current(conn, crate::versions::MEMBERS)?
    );
    let groups = match memo.get(&key) {
        Some(g) => g,
        None => {
            let g = branch_counts(conn, caller, filter, subtree, today)?;
            memo.put(key, g)
        }
    };
    let total: i64 = groups.iter().map(|g| g.2).sum();
    let plain = !filter.narrows() && filter.status.as_deref().is_none_or(|s| s == "active");
    // Small branches (a few members each, or a narrow filter that leaves a few in each) put one
    // page across many of them: then the whole of those branches is read in one statement and cut
    // up here, instead of one statement per branch.
    let spans = crate::versions::spans(&groups, paging.offset(), paging.per_page);
    let spanned: i64 = spans.iter().map(|(i, _, _)| groups[*i].2).sum();
    if spans.len() > 1 && spanned <= ONE_READ_MAX {
        let ids = spans.iter().map(|(i, _, _)| groups[*i].0.as_str());
        let one: members::BoxedQuery<'_, crate::db::MultiBackend> = members::table
            .into_boxed()
            .filter(any_of(members::branch_id, ids));
        let one: members::BoxedQuery<'_, crate::db::MultiBackend> =
            member_filters!(one, filter, today);
        let all: Vec<Member> = one
            .order((members::name.asc(), members::id.asc()))
            .select(Member::as_select())
            .load(conn)?;
        let mut by_branch: std::collections::HashMap<String, Vec<Member>> = Default::default();
        for m in all {
            by_branch.entry(m.branch_id.clone()).or_default().push(m);
        }
        let mut rows = Vec::with_capacity(paging.per_page as usize);
        for (i, skip, take) in spans {
            let (id, name, _) = &groups[i];
            let list = by_branch.remove(id).unwrap_or_default();
            rows.extend(
                list.into_iter()
                    .skip(skip as usize)
                    .take(take as usize)
                    .map(|m| (m, name.clone())),
            );
        }
        return Ok(Some((views(conn, sealer, rows)?, total)));
    }
    let rows = crate::versions::page_through(
        &groups,
        paging.offset(),
        paging.per_page,
        |id, limit, offset| -> QueryResult<Vec<Member>> {
            if plain {
                // The common roster, unboxed so the connection keeps the prepared statement.
                members::table
                    .filter(members::branch_id.eq(id))
                    .filter(members::status.eq("active"))
                    .order((members::name.asc(), members::id.asc()))
                    .limit(limit)
                    .offset(offset)
                    .select(Member::as_select())
                    .load(conn)
            } else {
                let one: members::BoxedQuery<'_, crate::db::MultiBackend> = members::table
                    .into_boxed()
                    .filter(members::branch_id.eq(id.to_owned()));
                let one: members::BoxedQuery<'_, crate::db::MultiBackend> =
                    member_filters!(one, filter, today);
                one.order((members::name.asc(), members::id.asc()))
                    .limit(limit)
                    .offset(offset)
                    .select(Member::as_select())
                    .load(conn)
            }
        },
    )?;
    Ok(Some((views(conn, sealer, rows)?, total)))
}

/// Above this many members in the branches a page spans, the page is read branch by branch.
const ONE_READ_MAX: i64 = 400;

/// The visible formal branches in tree order with how many of their members pass the filters.
fn branch_counts(
    conn: &mut DbConn,
    caller: &Caller,
    filter: &MemberFilter,
    subtree: Option<&str>,
    today: NaiveDate,
) -> ApiResult<crate::versions::Groups> {
    let Some(mut q) = visible_branches(caller) else {
        return Ok(vec![]);
    };
    if let Some(p) = subtree {
        let (lo, hi) = crate::tree::range(p);
        q = q
            .filter(branches::path.ge(lo))
            .filter(branches::path.lt(hi));
    }
    let branch_list: Vec<(String, String)> = q
        .filter(branches::kind.eq_any(FORMAL_KINDS))
        .order(branches::path.asc())
        .select((branches::id, branches::name))
        .load(conn)?;
    let mut counts: std::collections::HashMap<String, i64> = Default::default();
    let only_status = !filter.narrows();
    for chunk in branch_list.chunks(500) {
        let ids: Vec<&str> = chunk.iter().map(|(id, _)| id.as_str()).collect();
        if only_status {
            // The common roster: counted inside the database from the covering index.
            let base = members::table
                .filter(members::branch_id.eq_any(&ids))
                .group_by(members::branch_id);
            let part: Vec<(String, i64)> = match filter.status.as_deref() {
                Some("all") => base
                    .select((members::branch_id, diesel::dsl::count_star()))
                    .load(conn)?,
                Some("historical") => base
                    .filter(members::status.ne("active"))
                    .select((members::branch_id, diesel::dsl::count_star()))
                    .load(conn)?,
                _ => base
                    .filter(members::status.eq("active"))
                    .select((members::branch_id, diesel::dsl::count_star()))
                    .load(conn)?,
            };
            counts.extend(part);
            continue;
        }
        let scoped: members::BoxedQuery<'_, crate::db::MultiBackend> = members::table
            .into_boxed()
            .filter(members::branch_id.eq_any(ids));
        let scoped: members::BoxedQuery<'_, crate::db::MultiBackend> =
            member_filters!(scoped, filter, today);
        for b in scoped.select(members::branch_id).load::<String>(conn)? {
            *counts.entry(b).or_default() += 1;
        }
    }
    Ok(branch_list
        .into_iter()
        .map(|(id, name)| {
            let n = counts.get(&id).copied().unwrap_or(0);
            (id, name, n)
        })
        .collect())
}
/// Masked views of a page, with each member's interest branches in one query.
fn views(
    conn: &mut DbConn,
    sealer: &Sealer,
    rows: Vec<(Member, String)>,
) -> ApiResult<Vec<MemberView>> {
    let ids: Vec<&str> = rows.iter().map(|(m, _)| m.id.as_str()).collect();
    let mut interest: std::collections::HashMap<String, Vec<(String, String)>> = Default::default();
    if !ids.is_empty() {
        let aff: Vec<(String, String, String)> = member_affiliations::table
            .inner_join(branches::table.on(branches::id.eq(member_affiliations::branch_id)))
            .filter(any_of(member_affiliations::member_id, &ids))
            .filter(member_affiliations::left_on.is_null())
            .order(branches::name.asc())
            .select((member_affiliations::member_id, branches::id, branches::name))
            .load(conn)?;
        for (m, id, name) in aff {
            interest.entry(m).or_default().push((id, name));
        }
    }
    let items = rows
        .into_iter()
        .map(|(m, bname)| {
            let i = interest.remove(&m.id).unwrap_or_default();
            view_with(sealer, m, bname, false, i)
        })
        .collect();
    Ok(items)
}

/// The same day `years` years earlier (28 February for a 29th in a common year); past the
/// calendar's ends, its first or last day.
pub fn years_before(day: NaiveDate, years: i32) -> NaiveDate {
    let Some(year) = day.year().checked_sub(years) else {
        return if years > 0 {
            NaiveDate::MIN
        } else {
            NaiveDate::MAX
        };
    };
    NaiveDate::from_ymd_opt(year, day.month(), day.day())
        .or_else(|| NaiveDate::from_ymd_opt(year, 2, 28))
        .unwrap_or(if years > 0 {
            NaiveDate::MIN
        } else {
            NaiveDate::MAX
        })
}

/// One member; `unmask` shows the ID number and phone to keepers (audited) and to the member.
pub fn get(
    conn: &mut DbConn,
    sealer: &Sealer,
    caller: &Caller,
    id: &str,
    unmask: bool,
) -> ApiResult<MemberView> {
    let acc = access(conn, caller, id)?;
    if unmask {
        if !(acc.keeper || acc.own) {
            return Err(ApiError::forbidden(
                "your role may not see members' ID numbers and phones",
            ));
        }
        if !acc.own {
            audit::record_unmask(
                conn,
                &caller.actor(),
                "member",
                id,
                acc.member.user_id.as_deref(),
                json!({"fields": ["id_number", "phone"]}),
            )?;
        }
    }
    view(conn, sealer, acc.member, acc.branch_name, unmask)
}

/// The formal branch a member can be put in: one the caller keeps, of a kind that holds members.
fn formal_branch(
    conn: &mut DbConn,
    caller: &Caller,
    id: &str,
    field: &str,
) -> ApiResult<(String, String)> {
    let found: Option<(String, String, String, String, String)> = branches::table
        .inner_join(regions::table)
        .filter(branches::id.eq(id))
        .select((
            branches::name,
            branches::kind,
            branches::establishment,
            branches::path,
            regions::path,
        ))
        .first(conn)
        .optional()?;
    let Some((name, kind, est, bpath, rpath)) =
        found.filter(|f| caller.branches_readable().contains(&f.3, &f.4))
    else {
        return Err(ApiError::field(
            field,
            "not_found",
            "the branch does not exist",
        ));
    };
    if est != "formal" || !FORMAL_KINDS.contains(&kind.as_str()) {
        return Err(ApiError::field(field, "not_formal_branch", "members belong to a formal general branch, branch or party group; interest-based branches are joined besides"));
    }
    if !caller.branches_writable().contains(&bpath, &rpath) {
        return Err(ApiError::forbidden(
            "you may not keep this branch's members",
        ));
    }
    Ok((name, bpath))
}

/// Recounts who is on a branch's rolls (formal members and interest-branch members), which
/// also keeps a branch with members from being dissolved.
pub fn recount(conn: &mut DbConn, branch_id: &str) -> QueryResult<()> {
    crate::versions::bump(conn, crate::versions::MEMBERS)?;
    let formal: i64 = members::table
        .filter(members::branch_id.eq(branch_id))
        .filter(members::status.eq("active"))
        .count()
        .get_result(conn)?;
    let interest: i64 = member_affiliations::table
        .inner_join(members::table)
        .filter(member_affiliations::branch_id.eq(branch_id))
        .filter(member_affiliations::left_on.is_null())
        .filter(members::status.eq("active"))
        .count()
        .get_result(conn)?;
    diesel::update(branches::table.find(branch_id))
        .set(branches::member_count.eq((formal + interest) as i32))
        .execute(conn)?;
    Ok(())
}

fn check_links(
    conn: &mut DbConn,
    grid_id: Option<&str>,
    household_id: Option<&str>,
    user_id: Option<&str>,
    member_id: Option<&str>,
) -> ApiResult<()> {
    if let Some(g) = grid_id {
        let n: i64 = grids::table
            .filter(grids::id.eq(g))
            .count()
            .get_result(conn)?;
        if n == 0 {
            return Err(ApiError::field(
                "grid_id",
                "not_found",
                "the grid does not exist",
            ));
        }
    }
    if let Some(h) = household_id {
        let hg: Option<String> = households::table
            .find(h)
            .select(households::grid_id)
            .first(conn)
            .optional()?;
        match hg {
            None => {
                return Err(ApiError::field(
                    "household_id",
                    "not_found",
                    "the household does not exist",
                ))
            }
            Some(hg) if grid_id.is_some_and(|g| g != hg) => {
                return Err(ApiError::field(
                    "household_id",
                    "mismatch",
                    "the household is in another grid",
                ))
            }
            _ => {}
        }
    }
    if let Some(u) = user_id {
        let n: i64 = users::table
            .filter(users::id.eq(u))
            .count()
            .get_result(conn)?;
        if n == 0 {
            return Err(ApiError::field(
                "user_id",
                "not_found",
                "the user does not exist",
            ));
        }
        let mut q = members::table.filter(members::user_id.eq(u)).into_boxed();
        if let Some(m) = member_id {
            q = q.filter(members::id.ne(m.to_owned()));
        }
        let taken: i64 = q.count().get_result(conn)?;
        if taken > 0 {
            return Err(ApiError::field(
                "user_id",
                "duplicate",
                "the account already belongs to another member",
            ));
        }
    }
    Ok(())
}

/// Inserts a checked member (also used by demo data and the import); the caller has checked the branch.
pub fn insert(conn: &mut DbConn, sealer: &Sealer, input: &CreateMember) -> ApiResult<Member> {
    let idn = id_number::parse(&input.id_number)
        .map_err(|(code, msg)| ApiError::field("id_number", code, msg))?;
    let index = sealer.blind_index("id_number", &idn.value);
    let taken: i64 = members::table
        .filter(members::id_number_index.eq(&index))
        .count()
        .get_result(conn)?;
    if taken > 0 {
        return Err(ApiError {
            errors: Some(vec![crate::error::FieldError {
                field: "id_number".into(),
                code: "duplicate".into(),
                message: "a member with this ID number is already on the roster".into(),
            }]),
            ..ApiError::conflict(
                ErrorCode::Duplicate,
                "a member with this ID number is already on the roster",
            )
        });
    }
    let id = crate::new_id();
    let now = Utc::now().naive_utc();
    let trim = |s: &Option<String>| {
        s.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let phone = phones::seal(sealer, PhoneColumn::Member, &id, input.phone.as_deref());
    let m = Member {
        id_number_sealed: sealer.seal(&seal_context(&id), &idn.value),
        id_number_index: index,
        id_number_masked: id_number::mask(&idn.value),
        id,
        branch_id: input.branch_id.clone(),
        name: input.name.trim().into(),
        gender: input.gender,
        birth_date: idn.birth_date,
        phone_sealed: phone.sealed,
        phone_index: phone.index,
        phone_masked: phone.masked,
        education: trim(&input.education),
        joined_on: input.joined_on,
        join_md: input.joined_on.format("%m-%d").to_string(),
        full_member_on: input.full_member_on,
        category: input.category,
        grid_id: input.grid_id.clone(),
        household_id: input.household_id.clone(),
        work_unit: trim(&input.work_unit),
        user_id: input.user_id.clone(),
        status: MemberStatus::Active,
        status_changed_on: None,
        status_reason: None,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    diesel::insert_into(members::table)
        .values(&m)
        .execute(conn)?;
    Ok(m)
}

pub fn create(
    conn: &mut DbConn,
    sealer: &Sealer,
    caller: &Caller,
    input: CreateMember,
) -> ApiResult<MemberView> {
    crate::db::write(conn, |c| {
        let (branch_name, _) = formal_branch(c, caller, &input.branch_id, "branch_id")?;
        check_links(
            c,
            input.grid_id.as_deref(),
            input.household_id.as_deref(),
            input.user_id.as_deref(),
            None,
        )?;
        let m = insert(c, sealer, &input)?;
        recount(c, &m.branch_id)?;
        audit::record(
            c,
            &caller.actor(),
            "create",
            "member",
            Some(&m.id),
            Some(json!({"branch_id": m.branch_id, "category": m.category})),
        )?;
        view(c, sealer, m, branch_name, false)
    })
}

#[derive(AsChangeset)]
#[diesel(table_name = members)]
struct MemberChanges {
    name: Option<String>,
    phone_sealed: Option<Option<String>>,
    phone_index: Option<Option<String>>,
    phone_masked: Option<Option<String>>,
    education: Option<Option<String>>,
    joined_on: Option<NaiveDate>,
    join_md: Option<String>,
    full_member_on: Option<Option<NaiveDate>>,
    category: Option<String>,
    grid_id: Option<Option<String>>,
    household_id: Option<Option<String>>,
    work_unit: Option<Option<String>>,
    user_id: Option<Option<String>>,
    version: i32,
    updated_at: NaiveDateTime,
}

fn keeper(conn: &mut DbConn, caller: &Caller, id: &str) -> ApiResult<MemberAccess> {
    let acc = access(conn, caller, id)?;
    if !acc.keeper {
        return Err(ApiError::forbidden(
            "only the branch's secretary and the community's staff keep its members",
        ));
    }
    Ok(acc)
}

pub fn update(
    conn: &mut DbConn,
    sealer: &Sealer,
    caller: &Caller,
    id: &str,
    input: UpdateMember,
    if_match: Option<i32>,
) -> ApiResult<MemberView> {
    crate::db::write(conn, |c| {
        let acc = keeper(c, caller, id)?;
        let m = &acc.member;
        expect_version(m.version, if_match, input.version)?;
        let grid = input.grid_id.clone().unwrap_or(m.grid_id.clone());
        let household = input.household_id.clone().unwrap_or(m.household_id.clone());
        check_links(
            c,
            grid.as_deref(),
            household.as_deref(),
            input.user_id.clone().flatten().as_deref(),
            Some(id),
        )?;
        let category = input.category.unwrap_or(m.category);
        let work_unit = input.work_unit.clone().unwrap_or(m.work_unit.clone());
        if category == Category::InService
            && work_unit.as_deref().is_none_or(|w| w.trim().is_empty())
        {
            return Err(ApiError::field(
                "work_unit",
                "required",
                "an in-service member's work unit is required",
            ));
        }
        let joined = input.joined_on.unwrap_or(m.joined_on);
        if input
            .full_member_on
            .clone()
            .unwrap_or(m.full_member_on)
            .is_some_and(|f| f < joined)
        {
            return Err(ApiError::field(
                "full_member_on",
                "before_joining",
                "full membership comes after joining",
            ));
        }
        let trim = |v: Option<Option<String>>| {
            v.map(|o| o.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()))
        };
        let phone = input
            .phone
            .as_ref()
            .map(|p| phones::seal(sealer, PhoneColumn::Member, id, p.as_deref()));
        let changes = MemberChanges {
            name: input.name.as_deref().map(str::trim).map(str::to_owned),
            phone_sealed: phone.as_ref().map(|p| p.sealed.clone()),
            phone_index: phone.as_ref().map(|p| p.index.clone()),
            phone_masked: phone.as_ref().map(|p| p.masked.clone()),
            education: trim(input.education.clone()),
            joined_on: input.joined_on,
            join_md: input.joined_on.map(|j| j.format("%m-%d").to_string()),
            full_member_on: input.full_member_on,
            category: input.category.map(|c| c.as_str().to_owned()),
            grid_id: input.grid_id.clone(),
            household_id: input.household_id.clone(),
            work_unit: trim(input.work_unit.clone()),
            user_id: input.user_id.clone(),
            version: m.version + 1,
            updated_at: Utc::now().naive_utc(),
        };
        let n = diesel::update(
            members::table
                .find(id)
                .filter(members::version.eq(m.version)),
        )
        .set(&changes)
        .execute(c)?;
        crate::versions::bump(c, crate::versions::MEMBERS)?;
        if n == 0 {
            return Err(ApiError::precondition_failed(m.version));
        }
        let fields: Vec<&str> = [
            ("name", input.name.is_some()),
            ("phone", input.phone.is_some()),
            ("education", input.education.is_some()),
            ("joined_on", input.joined_on.is_some()),
            ("full_member_on", input.full_member_on.is_some()),
            ("category", input.category.is_some()),
            ("grid_id", input.grid_id.is_some()),
            ("household_id", input.household_id.is_some()),
            ("work_unit", input.work_unit.is_some()),
            ("user_id", input.user_id.is_some()),
        ]
        .into_iter()
        .filter_map(|(f, set)| set.then_some(f))
        .collect();
        audit::record(
            c,
            &caller.actor(),
            "update",
            "member",
            Some(id),
            Some(json!({"fields": fields})),
        )?;
        let (m, bname, _, _) = load(c, id)?.ok_or_else(|| ApiError::not_found("member"))?;
        view(c, sealer, m, bname, false)
    })
}

/// Makes a member historical (left, deceased) or restores them; nothing is deleted.
pub fn change_status(
    conn: &mut DbConn,
    sealer: &Sealer,
    caller: &Caller,
    id: &str,
    input: ChangeStatus,
    if_match: Option<i32>,
) -> ApiResult<MemberView> {
    crate::db::write(conn, |c| {
        let acc = keeper(c, caller, id)?;
        let m = &acc.member;
        expect_version(m.version, if_match, input.version)?;
        let current = m.status.as_str();
        let to = input.status.as_str();
        let allowed = match (current, to) {
            ("active", "left" | "deceased") => true,
            ("left" | "deceased" | "transferred_out", "active") => true,
            _ => false,
        };
        if !allowed {
            return Err(ApiError::invalid_transition(current, &format!("set_{to}")));
        }
        let on = input.on.unwrap_or_else(|| crate::clock::today());
        let n = diesel::update(
            members::table
                .find(id)
                .filter(members::version.eq(m.version)),
        )
        .set((
            members::status.eq(to),
            members::status_changed_on.eq(Some(on)),
            members::status_reason.eq(input.reason.as_deref().map(str::trim)),
            members::version.eq(m.version + 1),
            members::updated_at.eq(Utc::now().naive_utc()),
        ))
        .execute(c)?;
        if n == 0 {
            return Err(ApiError::precondition_failed(m.version));
        }
        if to != "active" {
            diesel::update(
                member_affiliations::table
                    .filter(member_affiliations::member_id.eq(id))
                    .filter(member_affiliations::left_on.is_null()),
            )
            .set(member_affiliations::left_on.eq(Some(on)))
            .execute(c)?;
        }
        recount(c, &m.branch_id)?;
        let affiliated: Vec<String> = member_affiliations::table
            .filter(member_affiliations::member_id.eq(id))
            .select(member_affiliations::branch_id)
            .load(c)?;
        for b in affiliated {
            recount(c, &b)?;
        }
        audit::record(
            c,
            &caller.actor(),
            "status",
            "member",
            Some(id),
            Some(json!({"from": current, "to": to, "on": on})),
        )?;
        let (m, bname, _, _) = load(c, id)?.ok_or_else(|| ApiError::not_found("member"))?;
        view(c, sealer, m, bname, false)
    })
}

/// Joins an interest-based branch (e.g. an art-troupe branch) besides the formal one.
pub fn join_interest(
    conn: &mut DbConn,
    sealer: &Sealer,
    caller: &Caller,
    id: &str,
    input: JoinInterestBranch,
) -> ApiResult<MemberView> {
    crate::db::write(conn, |c| {
        let acc = access(c, caller, id)?;
        if acc.member.status != MemberStatus::Active {
            return Err(ApiError::conflict(
                ErrorCode::MemberHistorical,
                "a historical member cannot join a branch",
            ));
        }
        let found: Option<(String, String, String)> = branches::table
            .inner_join(regions::table)
            .filter(branches::id.eq(&input.branch_id))
            .select((branches::establishment, branches::path, regions::path))
            .first(c)
            .optional()?;
        let Some((est, bpath, rpath)) =
            found.filter(|f| caller.branches_readable().contains(&f.1, &f.2))
        else {
            return Err(ApiError::field(
                "branch_id",
                "not_found",
                "the branch does not exist",
            ));
        };
        if est != "interest" {
            return Err(ApiError::field(
                "branch_id",
                "not_interest_branch",
                "only interest-based branches are joined besides the formal one",
            ));
        }
        if !(acc.keeper || BranchReach::contains(&caller.branches_writable(), &bpath, &rpath)) {
            return Err(ApiError::forbidden(
                "you may not change this member's branches",
            ));
        }
        let open: i64 = member_affiliations::table
            .filter(member_affiliations::member_id.eq(id))
            .filter(member_affiliations::branch_id.eq(&input.branch_id))
            .filter(member_affiliations::left_on.is_null())
            .count()
            .get_result(c)?;
        if open > 0 {
            return Err(ApiError::conflict(
                ErrorCode::Duplicate,
                "the member already belongs to this branch",
            ));
        }
        diesel::insert_into(member_affiliations::table)
            .values((
                member_affiliations::id.eq(crate::new_id()),
                member_affiliations::member_id.eq(id),
                member_affiliations::branch_id.eq(&input.branch_id),
                member_affiliations::joined_on
                    .eq(input.joined_on.unwrap_or_else(|| crate::clock::today())),
            ))
            .execute(c)?;
        recount(c, &input.branch_id)?;
        audit::record(
            c,
            &caller.actor(),
            "join_branch",
            "member",
            Some(id),
            Some(json!({"branch_id": input.branch_id})),
        )?;
        view(c, sealer, acc.member, acc.branch_name, false)
    })
}

pub fn leave_interest(
    conn: &mut DbConn,
    sealer: &Sealer,
    caller: &Caller,
    id: &str,
    branch_id: &str,
) -> ApiResult<MemberView> {
    crate::db::write(conn, |c| {
        let acc = access(c, caller, id)?;
        let bp: Option<(String, String)> = branches::table
            .inner_join(regions::table)
            .filter(branches::id.eq(branch_id))
            .select((branches::path, regions::path))
            .first(c)
            .optional()?;
        let may = bp.is_some_and(|(b, r)| caller.branches_writable().contains(&b, &r));
        if !(acc.keeper || may) {
            return Err(ApiError::forbidden(
                "you may not change this member's branches",
            ));
        }
        let n = diesel::update(
            member_affiliations::table
                .filter(member_affiliations::member_id.eq(id))
                .filter(member_affiliations::branch_id.eq(branch_id))
                .filter(member_affiliations::left_on.is_null()),
        )
        .set(member_affiliations::left_on.eq(Some(crate::clock::today())))
        .execute(c)?;
        if n == 0 {
            return Err(ApiError::not_found("interest branch membership"));
        }
        recount(c, branch_id)?;
        audit::record(
            c,
            &caller.actor(),
            "leave_branch",
            "member",
            Some(id),
            Some(json!({"branch_id": branch_id})),
        )?;
        view(c, sealer, acc.member, acc.branch_name, false)
    })
}

/// Who read or changed a member's record, and when (个人信息查阅记录), for the member and keepers.
pub fn access_log(
    conn: &mut DbConn,
    caller: &Caller,
    id: &str,
    paging: Paging,
) -> ApiResult<(Vec<crate::audit::AuditEventView>, i64)> {
    let acc = access(conn, caller, id)?;
    if !(acc.own || acc.keeper) {
        return Err(ApiError::forbidden(
            "only the member and their branch's keepers see who read the record",
        ));
    }
    Ok(crate::audit::for_entity(conn, "member", id, paging)?)
}

/// The caller's own member record, if they are a member.
pub fn mine(conn: &mut DbConn, sealer: &Sealer, caller: &Caller) -> ApiResult<MemberView> {
    let found: Option<(Member, String)> = members::table
        .inner_join(branches::table)
        .filter(members::user_id.eq(&caller.user_id))
        .select((Member::as_select(), branches::name))
        .first(conn)
        .optional()?;
    let (m, bname) = found.ok_or_else(|| ApiError::not_found("member"))?;
    view(conn, sealer, m, bname, true)
}
