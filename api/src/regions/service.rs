//! Region rules: levels nest district → street → community; staff change only their subtree and
//! cannot move or delete the root of their own scope; a region with children or branches stays.
use chrono::Utc;
use diesel::prelude::*;
use serde_json::json;

use super::dto::{CreateRegion, MoveRegion, RegionLevel, RegionView, UpdateRegion};
use super::model::Region;
use crate::auth::policy::Reach;
use crate::auth::Caller;
use crate::db::schema::{branches, grants, grids, regions};
use crate::db::DbConn;
use crate::error::ErrorCode;
use crate::error::{expect_version, ApiError, ApiResult, FieldError};
use crate::http::list::{like_pattern, Paging, Sort};
use crate::tree;
use crate::{audit, path_filter, tree_move};

pub const SORT_KEYS: &[&str] = &["name", "code", "level", "path", "created_at", "updated_at"];
/// The tree endpoint returns at most this many regions (a city has a few thousand).
pub const TREE_LIMIT: i64 = 10_000;

#[derive(Debug, Clone, Default)]
pub struct RegionFilter {
    pub parent_id: Option<String>,
    pub level: Option<RegionLevel>,
    pub q: Option<String>,
}

fn boxed_visible<'a>(reach: &Reach) -> regions::BoxedQuery<'a, crate::db::MultiBackend> {
    let q = regions::table.into_boxed();
    match reach {
        Reach::All => q,
        Reach::Within(prefixes) => q.filter(path_filter!(regions::path, prefixes)),
    }
}

fn child_counts(
    conn: &mut DbConn,
    ids: &[String],
) -> QueryResult<std::collections::HashMap<String, i64>> {
    if ids.is_empty() {
        return Ok(Default::default());
    }
    let rows: Vec<(Option<String>, i64)> = regions::table
        .filter(regions::parent_id.eq_any(ids))
        .group_by(regions::parent_id)
        .select((regions::parent_id, diesel::dsl::count_star()))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(p, n)| p.map(|p| (p, n)))
        .collect())
}

fn views(conn: &mut DbConn, rows: Vec<Region>) -> QueryResult<Vec<RegionView>> {
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let counts = child_counts(conn, &ids)?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let n = counts.get(&r.id).copied().unwrap_or(0);
            RegionView::from_row(r, n)
        })
        .collect())
}

pub fn view(conn: &mut DbConn, row: Region) -> ApiResult<RegionView> {
    Ok(views(conn, vec![row])?.remove(0))
}

pub fn list(
    conn: &mut DbConn,
    caller: &Caller,
    filter: RegionFilter,
    sorts: Vec<Sort>,
    paging: Paging,
) -> ApiResult<(Vec<RegionView>, i64)> {
    let reach = caller.regions_readable();
    let build = || {
        let mut q = boxed_visible(&reach);
        if let Some(p) = &filter.parent_id {
            q = q.filter(regions::parent_id.eq(p.clone()));
        }
        if let Some(l) = filter.level {
            q = q.filter(regions::level.eq(l.as_str()));
        }
        if let Some(text) = &filter.q {
            let pat = like_pattern(text);
            q = q.filter(
                regions::name
                    .like(pat.clone())
                    .escape('\\')
                    .or(regions::code.like(pat).escape('\\')),
            );
        }
        q
    };
    let total: i64 = build().count().get_result(conn)?;
    let mut q = build();
    for s in &sorts {
        q = match (s.key.as_str(), s.desc) {
            ("name", false) => q.then_order_by(regions::name.asc()),
            ("name", true) => q.then_order_by(regions::name.desc()),
            ("code", false) => q.then_order_by(regions::code.asc()),
            ("code", true) => q.then_order_by(regions::code.desc()),
            ("level", false) => q.then_order_by(regions::depth.asc()),
            ("level", true) => q.then_order_by(regions::depth.desc()),
            ("created_at", false) => q.then_order_by(regions::created_at.asc()),
            ("created_at", true) => q.then_order_by(regions::created_at.desc()),
            ("updated_at", false) => q.then_order_by(regions::updated_at.asc()),
            ("updated_at", true) => q.then_order_by(regions::updated_at.desc()),
            (_, false) => q.then_order_by(regions::path.asc()),
            (_, true) => q.then_order_by(regions::path.desc()),
        };
    }
    // The (unique) path breaks ties so that pages never overlap or skip rows.
    let rows: Vec<Region> = q
        .then_order_by(regions::path.asc())
        .limit(paging.per_page)
        .offset(paging.offset())
        .select(Region::as_select())
        .load(conn)?;
    Ok((views(conn, rows)?, total))
}

/// Every region the caller can read (or the subtree under `root_id`), in tree (path) order.
pub fn tree(
    conn: &mut DbConn,
    caller: &Caller,
    root_id: Option<&str>,
) -> ApiResult<Vec<RegionView>> {
    let mut q = boxed_visible(&caller.regions_readable());
    if let Some(root) = root_id {
        let (lo, hi) = tree::range(&get_visible(conn, caller, root)?.path);
        q = q.filter(regions::path.ge(lo)).filter(regions::path.lt(hi));
    }
    let rows: Vec<Region> = q
        .order(regions::path.asc())
        .limit(TREE_LIMIT)
        .select(Region::as_select())
        .load(conn)?;
    Ok(views(conn, rows)?)
}

fn find(conn: &mut DbConn, id: &str) -> QueryResult<Option<Region>> {
    regions::table
        .find(id)
        .select(Region::as_select())
        .first(conn)
        .optional()
}

/// The region, if it exists and the caller may read it; otherwise 404.
pub fn get_visible(conn: &mut DbConn, caller: &Caller, id: &str) -> ApiResult<Region> {
    match find(conn, id)? {
        Some(r) if caller.regions_readable().contains(&r.path) => Ok(r),
        _ => Err(ApiError::not_found("region")),
    }
}

/// The region, if the caller may change it: 404 when unreadable, 403 when readable but not writable.
fn get_writable(conn: &mut DbConn, caller: &Caller, id: &str) -> ApiResult<Region> {
    let r = get_visible(conn, caller, id)?;
    if !caller.regions_writable().contains(&r.path) {
        return Err(ApiError::forbidden(
            "you may read this region but not change it",
        ));
    }
    Ok(r)
}

fn parent_for(
    conn: &mut DbConn,
    caller: &Caller,
    level: RegionLevel,
    parent_id: Option<&str>,
    field: &str,
) -> ApiResult<Option<Region>> {
    match (level.parent_level(), parent_id) {
        (None, None) => {
            if caller.regions_writable() != Reach::All {
                return Err(ApiError::forbidden(
                    "only an administrator may create a district",
                ));
            }
            Ok(None)
        }
        (None, Some(_)) => Err(ApiError::field(
            field,
            "invalid_parent",
            "a district has no parent region",
        )),
        (Some(want), None) => Err(ApiError::field(
            field,
            "required",
            format!("a {} needs a parent {}", level.as_str(), want.as_str()),
        )),
        (Some(want), Some(pid)) => {
            let parent = match find(conn, pid)? {
                Some(p) if caller.regions_readable().contains(&p.path) => p,
                _ => {
                    return Err(ApiError::field(
                        field,
                        "not_found",
                        "the parent region does not exist",
                    ))
                }
            };
            if !caller.regions_writable().contains(&parent.path) {
                return Err(ApiError::forbidden(
                    "you may not add regions under this parent",
                ));
            }
            if parent.level != want {
                return Err(ApiError::field(
                    field,
                    "invalid_parent",
                    format!(
                        "a {} belongs under a {}, not a {}",
                        level.as_str(),
                        want.as_str(),
                        parent.level
                    ),
                ));
            }
            Ok(Some(parent))
        }
    }
}

fn check_unique(
    conn: &mut DbConn,
    id: Option<&str>,
    parent_id: Option<&str>,
    name: Option<&str>,
    code: Option<&str>,
) -> ApiResult<()> {
    let mut errors = vec![];
    if let Some(name) = name {
        let mut q = regions::table.filter(regions::name.eq(name)).into_boxed();
        q = match parent_id {
            Some(p) => q.filter(regions::parent_id.eq(p.to_string())),
            None => q.filter(regions::parent_id.is_null()),
        };
        if let Some(id) = id {
            q = q.filter(regions::id.ne(id.to_string()));
        }
        if q.count().get_result::<i64>(conn)? > 0 {
            errors.push(FieldError {
                field: "name".into(),
                code: "duplicate".into(),
                message: "a sibling region has this name".into(),
            });
        }
    }
    if let Some(code) = code {
        let mut q = regions::table.filter(regions::code.eq(code)).into_boxed();
        if let Some(id) = id {
            q = q.filter(regions::id.ne(id.to_string()));
        }
        if q.count().get_result::<i64>(conn)? > 0 {
            errors.push(FieldError {
                field: "code".into(),
                code: "duplicate".into(),
                message: "another region has this code".into(),
            });
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError {
            errors: Some(errors),
            ..ApiError::conflict(
                ErrorCode::Duplicate,
                "a region with the same name or code exists",
            )
        })
    }
}

pub fn create(conn: &mut DbConn, caller: &Caller, input: CreateRegion) -> ApiResult<RegionView> {
    crate::db::write(conn, |c| {
        let parent = parent_for(
            c,
            caller,
            input.level,
            input.parent_id.as_deref(),
            "parent_id",
        )?;
        let name = input.name.trim().to_string();
        let code = input.code.as_deref().map(str::trim).map(str::to_owned);
        check_unique(
            c,
            None,
            input.parent_id.as_deref(),
            Some(&name),
            code.as_deref(),
        )?;
        let id = crate::new_id();
        let now = Utc::now().naive_utc();
        let row = Region {
            path: tree::child_path(parent.as_ref().map(|p| p.path.as_str()), &id),
            depth: parent.as_ref().map(|p| p.depth + 1).unwrap_or(0),
            id: id.clone(),
            parent_id: parent.map(|p| p.id),
            level: input.level,
            name,
            code,
            version: 1,
            created_at: now,
            updated_at: now,
        };
        diesel::insert_into(regions::table)
            .values(&row)
            .execute(c)?;
        audit::record(
            c,
            &caller.actor(),
            "create",
            "region",
            Some(&id),
            Some(json!({"name": row.name, "level": row.level, "parent_id": row.parent_id})),
        )?;
        view(c, row)
    })
}

pub fn update(
    conn: &mut DbConn,
    caller: &Caller,
    id: &str,
    input: UpdateRegion,
    if_match: Option<i32>,
) -> ApiResult<RegionView> {
    crate::db::write(conn, |c| {
        let current = get_writable(c, caller, id)?;
        expect_version(current.version, if_match, input.version)?;
        let name = input.name.as_deref().map(str::trim).map(str::to_owned);
        let code = input.code.clone().map(|c| c.map(|s| s.trim().to_string()));
        check_unique(
            c,
            Some(id),
            current.parent_id.as_deref(),
            name.as_deref(),
            code.as_ref().and_then(|c| c.as_deref()),
        )?;
        let changed = diesel::update(
            regions::table
                .find(id)
                .filter(regions::version.eq(current.version)),
        )
        .set((
            regions::name.eq(name.clone().unwrap_or(current.name.clone())),
            regions::code.eq(code.clone().unwrap_or(current.code.clone())),
            regions::version.eq(current.version + 1),
            regions::updated_at.eq(Utc::now().naive_utc()),
        ))
        .execute(c)?;
        if changed == 0 {
            return Err(ApiError::precondition_failed(current.version));
        }
        audit::record(
            c,
            &caller.actor(),
            "update",
            "region",
            Some(id),
            Some(json!({"name": name, "code": code})),
        )?;
        let row = find(c, id)?.ok_or_else(|| ApiError::not_found("region"))?;
        view(c, row)
    })
}

pub fn move_to(
    conn: &mut DbConn,
    caller: &Caller,
    id: &str,
    input: MoveRegion,
    if_match: Option<i32>,
) -> ApiResult<RegionView> {
    crate::db::write(conn, |c| {
        let current = get_writable(c, caller, id)?;
        if !caller.regions_writable().strictly_contains(&current.path) {
            return Err(ApiError::forbidden(
                "you may not move the region your access is granted on",
            ));
        }
        expect_version(current.version, if_match, input.version)?;
        let level = current.level;
        let parent = parent_for(c, caller, level, Some(&input.parent_id), "parent_id")?
            .expect("non-root levels have a parent");
        if parent.path.starts_with(&current.path) {
            return Err(ApiError::field(
                "parent_id",
                "invalid_parent",
                "a region cannot move under itself",
            ));
        }
        if current.parent_id.as_deref() == Some(parent.id.as_str()) {
            return view(c, current);
        }
        check_unique(c, Some(id), Some(&parent.id), Some(&current.name), None)?;
        let new_path = tree::child_path(Some(&parent.path), id);
        tree_move!(
            c,
            regions,
            &current.path,
            &new_path,
            parent.depth + 1 - current.depth
        );
        diesel::update(regions::table.find(id))
            .set((
                regions::parent_id.eq(Some(parent.id.clone())),
                regions::version.eq(current.version + 1),
                regions::updated_at.eq(Utc::now().naive_utc()),
            ))
            .execute(c)?;
        audit::record(
            c,
            &caller.actor(),
            "move",
            "region",
            Some(id),
            Some(json!({"from": current.parent_id, "to": parent.id})),
        )?;
        let row = find(c, id)?.ok_or_else(|| ApiError::not_found("region"))?;
        view(c, row)
    })
}

pub fn delete(
    conn: &mut DbConn,
    caller: &Caller,
    id: &str,
    if_match: Option<i32>,
) -> ApiResult<()> {
    crate::db::write(conn, |c| {
        let current = get_writable(c, caller, id)?;
        if !caller.regions_writable().strictly_contains(&current.path) {
            return Err(ApiError::forbidden(
                "you may not delete the region your access is granted on",
            ));
        }
        expect_version(current.version, if_match, None)?;
        let children: i64 = regions::table
            .filter(regions::parent_id.eq(id))
            .count()
            .get_result(c)?;
        let branch_count: i64 = branches::table
            .filter(branches::region_id.eq(id))
            .count()
            .get_result(c)?;
        let grid_count: i64 = grids::table
            .filter(grids::community_id.eq(id))
            .count()
            .get_result(c)?;
        let grant_count: i64 = grants::table
            .filter(grants::scope_type.eq("region"))
            .filter(grants::scope_id.eq(id))
            .count()
            .get_result(c)?;
        if children + branch_count + grid_count + grant_count > 0 {
            return Err(ApiError::conflict(
                ErrorCode::RegionNotEmpty,
                format!(
                    "the region still has {children} child region(s), {branch_count} branch(es), {grid_count} grid(s) and {grant_count} user grant(s); move or remove them first"
                ),
            ));
        }
        // Members' check-ins with the community are history, kept with it.
        let check_ins: i64 = crate::db::schema::check_ins::table
            .filter(crate::db::schema::check_ins::community_id.eq(id))
            .count()
            .get_result(c)?;
        if check_ins > 0 {
            return Err(ApiError::conflict(
                ErrorCode::RegionNotEmpty,
                format!(
                    "the community has {check_ins} member check-in(s) on record, which are kept"
                ),
            ));
        }
        diesel::delete(regions::table.find(id)).execute(c)?;
        audit::record(
            c,
            &caller.actor(),
            "delete",
            "region",
            Some(id),
            Some(json!({"name": current.name, "level": current.level})),
        )?;
        Ok(())
    })
}
