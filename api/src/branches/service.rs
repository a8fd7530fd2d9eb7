//! Branch rules: a child ranks below its parent and serves the parent's region or one inside it;
//! region staff manage the branches serving their regions, secretaries their own subtree; a branch
//! with sub-organisations or members cannot be deleted.
use chrono::Utc;
use diesel::prelude::*;
use serde_json::json;

use super::dto::{
    check_establishment, BranchKind, BranchView, CreateBranch, Establishment, MoveBranch,
    UpdateBranch,
};
use super::model::Branch;
use crate::auth::policy::BranchReach;
use crate::auth::Caller;
use crate::db::schema::{branches, grants, regions};
use crate::db::DbConn;
use crate::error::ErrorCode;
use crate::error::{expect_version, ApiError, ApiResult, FieldError};
use crate::http::list::{like_pattern, Paging, Sort};
use crate::{audit, tree, tree_move};

pub const SORT_KEYS: &[&str] = &[
    "name",
    "kind",
    "path",
    "member_count",
    "created_at",
    "updated_at",
];
pub const TREE_LIMIT: i64 = 10_000;

#[derive(Debug, Clone, Default)]
pub struct BranchFilter {
    pub parent_id: Option<String>,
    pub region_id: Option<String>,
    pub kind: Option<BranchKind>,
    pub establishment: Option<Establishment>,
    pub q: Option<String>,
}

type Joined = diesel::dsl::InnerJoin<branches::table, regions::table>;

/// Branches joined to the regions they serve, restricted to the reach: region staff by a range on
/// the region path (one index range, then the branches' covering `(region_id, path, id)` index),
/// secretaries by a range on the branch path. No id lists, so the statements stay cacheable.
fn boxed_visible<'a>(
    reach: &BranchReach,
) -> diesel::dsl::IntoBoxed<'a, Joined, crate::db::MultiBackend> {
    crate::branch_scope!(
        branches::table.inner_join(regions::table).into_boxed(),
        reach
    )
}

fn child_counts(
    conn: &mut DbConn,
    ids: &[String],
) -> QueryResult<std::collections::HashMap<String, i64>> {
    if ids.is_empty() {
        return Ok(Default::default());
    }
    let rows: Vec<(Option<String>, i64)> = branches::table
        .filter(branches::parent_id.eq_any(ids))
        .group_by(branches::parent_id)
        .select((branches::parent_id, diesel::dsl::count_star()))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(p, n)| p.map(|p| (p, n)))
        .collect())
}

fn views(conn: &mut DbConn, rows: Vec<(Branch, String)>) -> QueryResult<Vec<BranchView>> {
    let ids: Vec<String> = rows.iter().map(|(b, _)| b.id.clone()).collect();
    let counts = child_counts(conn, &ids)?;
    Ok(rows
        .into_iter()
        .map(|(b, region_name)| {
            let n = counts.get(&b.id).copied().unwrap_or(0);
            BranchView::from_row(b, region_name, n)
        })
        .collect())
}

pub fn list(
    conn: &mut DbConn,
    caller: &Caller,
    filter: BranchFilter,
    sorts: Vec<Sort>,
    paging: Paging,
) -> ApiResult<(Vec<BranchView>, i64)> {
    let reach = caller.branches_readable();
    // The same filters on the joined query and, for a caller who sees everything, on the bare
    // table, whose count reads the smallest index instead of joining every row.
    macro_rules! filtered {
        ($q:expr) => {{
            let mut q = $q;
            if let Some(p) = &filter.parent_id {
                q = q.filter(branches::parent_id.eq(p.clone()));
            }
            if let Some(r) = &filter.region_id {
                q = q.filter(branches::region_id.eq(r.clone()));
            }
            if let Some(k) = filter.kind {
                q = q.filter(branches::kind.eq(k.as_str()));
            }
            if let Some(e) = filter.establishment {
                q = q.filter(branches::establishment.eq(e.as_str()));
            }
            if let Some(text) = &filter.q {
                let pat = like_pattern(text);
                q = q.filter(
                    branches::name
                        .like(pat.clone())
                        .escape('\\')
                        .or(branches::secretary_name.like(pat).escape('\\')),
                );
            }
            q
        }};
    }
    let build = || filtered!(boxed_visible(&reach));
    let total: i64 = if reach.all() {
        filtered!(branches::table.into_boxed())
            .count()
            .get_result(conn)?
    } else {
        build().count().get_result(conn)?
    };
    let mut q = build();
    let sorts = if sorts.is_empty() {
        vec![Sort {
            key: "path".into(),
            desc: false,
        }]
    } else {
        sorts
    };
    for s in &sorts {
        q = match (s.key.as_str(), s.desc) {
            ("name", false) => q.then_order_by(branches::name.asc()),
            ("name", true) => q.then_order_by(branches::name.desc()),
            ("kind", false) => q.then_order_by(branches::kind.asc()),
            ("kind", true) => q.then_order_by(branches::kind.desc()),
            ("member_count", false) => q.then_order_by(branches::member_count.asc()),
            ("member_count", true) => q.then_order_by(branches::member_count.desc()),
            ("created_at", false) => q.then_order_by(branches::created_at.asc()),
            ("created_at", true) => q.then_order_by(branches::created_at.desc()),
            ("updated_at", false) => q.then_order_by(branches::updated_at.asc()),
            ("updated_at", true) => q.then_order_by(branches::updated_at.desc()),
            (_, false) => q.then_order_by(branches::path.asc()),
            (_, true) => q.then_order_by(branches::path.desc()),
        };
    }
    // Deferred join: pick the page's ids from the (covering) indexes first, then load just those
    // rows with their region names, instead of sorting whole rows of the scope.
    let ids: Vec<String> = q
        .then_order_by(branches::id.asc())
        .limit(paging.per_page)
        .offset(paging.offset())
        .select(branches::id)
        .load(conn)?;
    // The child count rides along as a correlated subquery (portable SQL) instead of a second query.
    let mut rows: Vec<(Branch, String, i64)> = branches::table
        .inner_join(regions::table)
        .filter(crate::db::any_of::any_of(branches::id, &ids))
        .select((
            Branch::as_select(),
            regions::name,
            diesel::dsl::sql::<diesel::sql_types::BigInt>(
                "(SELECT COUNT(*) FROM branches AS c WHERE c.parent_id = branches.id)",
            ),
        ))
        .load(conn)?;
    rows.sort_by_key(|(b, _, _)| ids.iter().position(|id| *id == b.id));
    Ok((
        rows.into_iter()
            .map(|(b, name, children)| BranchView::from_row(b, name, children))
            .collect(),
        total,
    ))
}

pub fn tree(
    conn: &mut DbConn,
    caller: &Caller,
    root_id: Option<&str>,
) -> ApiResult<Vec<BranchView>> {
    let mut q = boxed_visible(&caller.branches_readable());
    if let Some(root) = root_id {
        let (b, _, _) = get_visible(conn, caller, root)?;
        let (lo, hi) = tree::range(&b.path);
        q = q
            .filter(branches::path.ge(lo))
            .filter(branches::path.lt(hi));
    }
    let rows: Vec<(Branch, String)> = q
        .order(branches::path.asc())
        .limit(TREE_LIMIT)
        .select((Branch::as_select(), regions::name))
        .load(conn)?;
    Ok(views(conn, rows)?)
}

/// The branch with its region's path and name, if the caller may read it; otherwise 404.
pub fn get_visible(
    conn: &mut DbConn,
    caller: &Caller,
    id: &str,
) -> ApiResult<(Branch, String, String)> {
    let row: Option<(Branch, String, String)> = branches::table
        .inner_join(regions::table)
        .filter(branches::id.eq(id))
        .select((Branch::as_select(), regions::path, regions::name))
        .first(conn)
        .optional()?;
    match row {
        Some((b, rpath, rname)) if caller.branches_readable().contains(&b.path, &rpath) => {
            Ok((b, rpath, rname))
        }
        _ => Err(ApiError::not_found("branch")),
    }
}

pub fn view(conn: &mut DbConn, caller: &Caller, id: &str) -> ApiResult<BranchView> {
    let (b, _, rname) = get_visible(conn, caller, id)?;
    Ok(views(conn, vec![(b, rname)])?.remove(0))
}

fn get_writable(conn: &mut DbConn, caller: &Caller, id: &str) -> ApiResult<(Branch, String)> {
    let (b, rpath, _) = get_visible(conn, caller, id)?;
    if !caller.branches_writable().contains(&b.path, &rpath) {
        return Err(ApiError::forbidden(
            "you may read this branch but not change it",
        ));
    }
    Ok((b, rpath))
}

/// The region a branch will serve: readable by the caller and inside `within` (the parent's region).
fn region_for(
    conn: &mut DbConn,
    caller: &Caller,
    region_id: &str,
    within: Option<&str>,
) -> ApiResult<String> {
    let path: Option<String> = regions::table
        .find(region_id)
        .select(regions::path)
        .first(conn)
        .optional()?;
    let Some(path) = path.filter(|p| caller.regions_readable().contains(p)) else {
        return Err(ApiError::field(
            "region_id",
            "not_found",
            "the region does not exist",
        ));
    };
    if let Some(parent_region) = within {
        if !path.starts_with(parent_region) {
            return Err(ApiError::field(
                "region_id",
                "outside_parent",
                "a branch serves its parent's region or a region inside it",
            ));
        }
    }
    Ok(path)
}

fn check_parent(kind: BranchKind, parent: &Branch) -> ApiResult<()> {
    let parent_kind = parent.kind;
    if kind.rank() <= parent_kind.rank() {
        return Err(ApiError::field(
            "parent_id",
            "invalid_parent",
            format!(
                "a {} cannot be placed under a {}",
                kind.as_str(),
                parent_kind.as_str()
            ),
        ));
    }
    Ok(())
}

fn check_unique_name(
    conn: &mut DbConn,
    id: Option<&str>,
    parent_id: Option<&str>,
    name: &str,
) -> ApiResult<()> {
    let mut q = branches::table
        .filter(branches::name.eq(name.to_string()))
        .into_boxed();
    q = match parent_id {
        Some(p) => q.filter(branches::parent_id.eq(p.to_string())),
        None => q.filter(branches::parent_id.is_null()),
    };
    if let Some(id) = id {
        q = q.filter(branches::id.ne(id.to_string()));
    }
    if q.count().get_result::<i64>(conn)? > 0 {
        return Err(ApiError {
            errors: Some(vec![FieldError {
                field: "name".into(),
                code: "duplicate".into(),
                message: "a sibling organisation has this name".into(),
            }]),
            ..ApiError::conflict(ErrorCode::Duplicate, "a sibling organisation has this name")
        });
    }
    Ok(())
}

fn reload(conn: &mut DbConn, id: &str) -> ApiResult<BranchView> {
    let (b, rname): (Branch, String) = branches::table
        .inner_join(regions::table)
        .filter(branches::id.eq(id))
        .select((Branch::as_select(), regions::name))
        .first(conn)?;
    Ok(views(conn, vec![(b, rname)])?.remove(0))
}

pub fn create(conn: &mut DbConn, caller: &Caller, input: CreateBranch) -> ApiResult<BranchView> {
    crate::db::write(conn, |c| {
        let (parent, parent_region) = match input.parent_id.as_deref() {
            Some(pid) => {
                let (p, rpath, _) = get_visible(c, caller, pid).map_err(|_| {
                    ApiError::field(
                        "parent_id",
                        "not_found",
                        "the parent organisation does not exist",
                    )
                })?;
                if !caller.branches_writable().contains(&p.path, &rpath) {
                    return Err(ApiError::forbidden(
                        "you may not add organisations under this parent",
                    ));
                }
                check_parent(input.kind, &p)?;
                (Some(p), Some(rpath))
            }
            None => {
                if !input.kind.may_be_root() {
                    return Err(ApiError::field(
                        "parent_id",
                        "required",
                        format!("a {} needs a parent organisation", input.kind.as_str()),
                    ));
                }
                (None, None)
            }
        };
        let region_path = region_for(c, caller, &input.region_id, parent_region.as_deref())?;
        if parent.is_none() && !caller.regions_writable().contains(&region_path) {
            return Err(ApiError::forbidden(
                "only staff of the region may create a top-level organisation for it",
            ));
        }
        let name = input.name.trim().to_string();
        check_unique_name(c, None, input.parent_id.as_deref(), &name)?;
        let id = crate::new_id();
        let now = Utc::now().naive_utc();
        let row = Branch {
            path: tree::child_path(parent.as_ref().map(|p| p.path.as_str()), &id),
            depth: parent.as_ref().map(|p| p.depth + 1).unwrap_or(0),
            id: id.clone(),
            parent_id: parent.map(|p| p.id),
            region_id: input.region_id.clone(),
            kind: input.kind,
            establishment: input.establishment,
            name,
            secretary_name: input
                .secretary_name
                .as_deref()
                .map(str::trim)
                .map(str::to_owned),
            member_count: 0,
            version: 1,
            created_at: now,
            updated_at: now,
        };
        diesel::insert_into(branches::table)
            .values(&row)
            .execute(c)?;
        audit::record(
            c,
            &caller.actor(),
            "create",
            "branch",
            Some(&id),
            Some(json!({"name": row.name, "kind": row.kind, "parent_id": row.parent_id})),
        )?;
        reload(c, &id)
    })
}

pub fn update(
    conn: &mut DbConn,
    caller: &Caller,
    id: &str,
    input: UpdateBranch,
    if_match: Option<i32>,
) -> ApiResult<BranchView> {
    crate::db::write(conn, |c| {
        let (current, _) = get_writable(c, caller, id)?;
        expect_version(current.version, if_match, input.version)?;
        let kind = current.kind;
        let establishment = input.establishment.unwrap_or(current.establishment);
        let mut errors = vec![];
        check_establishment(&mut errors, kind, establishment);
        if !errors.is_empty() {
            return Err(ApiError::validation(errors));
        }
        if let Some(region_id) = &input.region_id {
            let parent_region: Option<String> = match &current.parent_id {
                Some(pid) => Some(
                    branches::table
                        .inner_join(regions::table)
                        .filter(branches::id.eq(pid))
                        .select(regions::path)
                        .first(c)?,
                ),
                None => None,
            };
            let new_region_path = region_for(c, caller, region_id, parent_region.as_deref())?;
            if !caller
                .branches_writable()
                .contains(&current.path, &new_region_path)
            {
                return Err(ApiError::field(
                    "region_id",
                    "outside_scope",
                    "you may not attach the branch to that region",
                ));
            }
        }
        let name = input.name.as_deref().map(str::trim).map(str::to_owned);
        if let Some(n) = &name {
            check_unique_name(c, Some(id), current.parent_id.as_deref(), n)?;
        }
        let secretary = input
            .secretary_name
            .clone()
            .map(|s| s.map(|v| v.trim().to_string()));
        let changed = diesel::update(
            branches::table
                .find(id)
                .filter(branches::version.eq(current.version)),
        )
        .set((
            branches::name.eq(name.clone().unwrap_or(current.name.clone())),
            branches::secretary_name
                .eq(secretary.clone().unwrap_or(current.secretary_name.clone())),
            branches::region_id.eq(input.region_id.clone().unwrap_or(current.region_id.clone())),
            branches::establishment.eq(establishment.as_str()),
            branches::version.eq(current.version + 1),
            branches::updated_at.eq(Utc::now().naive_utc()),
        ))
        .execute(c)?;
        if changed == 0 {
            return Err(ApiError::precondition_failed(current.version));
        }
        audit::record(
            c,
            &caller.actor(),
            "update",
            "branch",
            Some(id),
            Some(
                json!({"name": name, "secretary_name": secretary, "region_id": input.region_id, "establishment": input.establishment}),
            ),
        )?;
        reload(c, id)
    })
}

pub fn move_to(
    conn: &mut DbConn,
    caller: &Caller,
    id: &str,
    input: MoveBranch,
    if_match: Option<i32>,
) -> ApiResult<BranchView> {
    crate::db::write(conn, |c| {
        let (current, region_path) = get_writable(c, caller, id)?;
        let writable = caller.branches_writable();
        if !writable.regions.contains(&region_path)
            && !writable.branches.strictly_contains(&current.path)
        {
            return Err(ApiError::forbidden(
                "you may not move the organisation your access is granted on",
            ));
        }
        expect_version(current.version, if_match, input.version)?;
        let (parent, parent_region, _) =
            get_visible(c, caller, &input.parent_id).map_err(|_| {
                ApiError::field(
                    "parent_id",
                    "not_found",
                    "the parent organisation does not exist",
                )
            })?;
        if !writable.contains(&parent.path, &parent_region) {
            return Err(ApiError::forbidden(
                "you may not move organisations under this parent",
            ));
        }
        if parent.path.starts_with(&current.path) {
            return Err(ApiError::field(
                "parent_id",
                "invalid_parent",
                "an organisation cannot move under itself",
            ));
        }
        let kind = current.kind;
        check_parent(kind, &parent)?;
        if !region_path.starts_with(&parent_region) {
            return Err(ApiError::field(
                "parent_id",
                "outside_parent",
                "the new parent serves a region that does not contain this branch's region",
            ));
        }
        if current.parent_id.as_deref() == Some(parent.id.as_str()) {
            return reload(c, id);
        }
        check_unique_name(c, Some(id), Some(&parent.id), &current.name)?;
        let new_path = tree::child_path(Some(&parent.path), id);
        tree_move!(
            c,
            branches,
            &current.path,
            &new_path,
            parent.depth + 1 - current.depth
        );
        diesel::update(branches::table.find(id))
            .set((
                branches::parent_id.eq(Some(parent.id.clone())),
                branches::version.eq(current.version + 1),
                branches::updated_at.eq(Utc::now().naive_utc()),
            ))
            .execute(c)?;
        audit::record(
            c,
            &caller.actor(),
            "move",
            "branch",
            Some(id),
            Some(json!({"from": current.parent_id, "to": parent.id})),
        )?;
        reload(c, id)
    })
}

pub fn delete(
    conn: &mut DbConn,
    caller: &Caller,
    id: &str,
    if_match: Option<i32>,
) -> ApiResult<()> {
    crate::db::write(conn, |c| {
        let (current, region_path) = get_writable(c, caller, id)?;
        let writable = caller.branches_writable();
        if !writable.regions.contains(&region_path)
            && !writable.branches.strictly_contains(&current.path)
        {
            return Err(ApiError::forbidden(
                "you may not delete the organisation your access is granted on",
            ));
        }
        expect_version(current.version, if_match, None)?;
        let children: i64 = branches::table
            .filter(branches::parent_id.eq(id))
            .count()
            .get_result(c)?;
        let grant_count: i64 = grants::table
            .filter(grants::scope_type.eq("branch"))
            .filter(grants::scope_id.eq(id))
            .count()
            .get_result(c)?;
        if children > 0 || current.member_count > 0 || grant_count > 0 {
            return Err(ApiError::conflict(
                ErrorCode::BranchNotEmpty,
                format!(
                    "the organisation still has {children} sub-organisation(s), {} member(s) and {grant_count} user grant(s); move or remove them first",
                    current.member_count
                ),
            ));
        }
        // Records that reference the organisation and are kept as history (historical members,
        // transfers, meetings, committee terms) also keep it from being deleted.
        use crate::db::schema::{
            branch_committees, meetings, member_affiliations, member_transfers, members,
        };
        let history: i64 = members::table
            .filter(members::branch_id.eq(id))
            .count()
            .get_result::<i64>(c)?
            + meetings::table
                .filter(meetings::branch_id.eq(id))
                .count()
                .get_result::<i64>(c)?
            + branch_committees::table
                .filter(branch_committees::branch_id.eq(id))
                .count()
                .get_result::<i64>(c)?
            + member_affiliations::table
                .filter(member_affiliations::branch_id.eq(id))
                .count()
                .get_result::<i64>(c)?
            + member_transfers::table
                .filter(
                    member_transfers::from_branch_id
                        .eq(id)
                        .or(member_transfers::to_branch_id.eq(id)),
                )
                .count()
                .get_result::<i64>(c)?;
        if history > 0 {
            return Err(ApiError::conflict(
                ErrorCode::BranchNotEmpty,
                format!("the organisation has {history} record(s) of members, meetings, transfers or committee terms, which are kept"),
            ));
        }
        diesel::delete(branches::table.find(id)).execute(c)?;
        audit::record(
            c,
            &caller.actor(),
            "delete",
            "branch",
            Some(id),
            Some(json!({"name": current.name, "kind": current.kind})),
        )?;
        Ok(())
    })
}
