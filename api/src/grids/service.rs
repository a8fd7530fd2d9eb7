//! Grid rules: grids belong to a community and are managed by its staff (and the street's);
//! grid workers see only their grids; a boundary is valid GeoJSON in WGS-84; each of the three
//! roles has at most one holder at a time, and every change of holder is kept.
use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde_json::{json, Value};

use super::dto::{
    AssignGridRole, CoordinateSystem, CreateGrid, GridRole, GridRoleView, GridView, UpdateGrid,
    VacateGridRole,
};
use super::geo::{self, Shape};
use crate::auth::policy::Reach;
use crate::auth::Caller;
use crate::db::schema::{branches, grants, grid_roles, grids, regions, users};
use crate::db::DbConn;
use crate::error::ErrorCode;
use crate::error::{expect_version, ApiError, ApiResult, FieldError};
use crate::http::list::{like_pattern, Paging, Sort};
use crate::{audit, path_filter};

pub const SORT_KEYS: &[&str] = &["name", "code", "household_count", "created_at"];

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = grids)]
pub struct Grid {
    pub id: String,
    pub community_id: String,
    pub branch_id: Option<String>,
    pub name: String,
    pub code: Option<String>,
    pub household_count: i32,
    pub boundary: Option<String>,
    pub min_lng: Option<f64>,
    pub min_lat: Option<f64>,
    pub max_lng: Option<f64>,
    pub max_lat: Option<f64>,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = grid_roles)]
struct RoleRow {
    id: String,
    grid_id: String,
    role: GridRole,
    user_id: Option<String>,
    person_name: String,
    started_on: NaiveDate,
    ended_on: Option<NaiveDate>,
}

impl RoleRow {
    fn view(self) -> GridRoleView {
        GridRoleView {
            role: self.role,
            id: self.id,
            user_id: self.user_id,
            person_name: self.person_name,
            started_on: self.started_on,
            ended_on: self.ended_on,
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct GridFilter {
    pub community_id: Option<String>,
    /// A community or street: its grids.
    pub region_id: Option<String>,
    pub branch_id: Option<String>,
    pub q: Option<String>,
    /// Only grids with (true) or without (false) an unfilled role.
    pub vacant: Option<bool>,
}

type Joined = diesel::dsl::InnerJoin<grids::table, regions::table>;

/// Grids joined to their communities, restricted to what the caller reaches.
pub(crate) fn boxed_visible<'a>(
    caller: &Caller,
) -> diesel::dsl::IntoBoxed<'a, Joined, crate::db::MultiBackend> {
    let q = grids::table.inner_join(regions::table).into_boxed();
    let by_region = match caller.regions_readable() {
        Reach::All => return q,
        Reach::Within(p) => p,
    };
    let own = caller.grid_ids();
    match (by_region.is_empty(), own.is_empty()) {
        (false, true) => q.filter(path_filter!(regions::path, by_region)),
        (true, _) => q.filter(grids::id.eq_any(own)),
        (false, false) => {
            q.filter(path_filter!(regions::path, by_region).or(grids::id.eq_any(own)))
        }
    }
}

fn current_roles(
    conn: &mut DbConn,
    ids: &[String],
) -> QueryResult<HashMap<String, Vec<GridRoleView>>> {
    let rows: Vec<RoleRow> = grid_roles::table
        .filter(grid_roles::grid_id.eq_any(ids))
        .filter(grid_roles::ended_on.is_null())
        .order(grid_roles::role.asc())
        .select(RoleRow::as_select())
        .load(conn)?;
    let mut out: HashMap<String, Vec<GridRoleView>> = HashMap::new();
    for r in rows {
        out.entry(r.grid_id.clone()).or_default().push(r.view());
    }
    Ok(out)
}

/// A household is overdue when nobody has visited it for this many days.
pub const OVERDUE_DAYS: i64 = 30;

fn overdue_counts(conn: &mut DbConn, ids: &[String]) -> QueryResult<HashMap<String, i64>> {
    use crate::db::schema::households;
    let cutoff = crate::clock::today() - chrono::Duration::days(OVERDUE_DAYS);
    Ok(households::table
        .filter(households::grid_id.eq_any(ids))
        .filter(
            households::last_visited_on
                .is_null()
                .or(households::last_visited_on.lt(cutoff)),
        )
        .group_by(households::grid_id)
        .select((households::grid_id, diesel::dsl::count_star()))
        .load::<(String, i64)>(conn)?
        .into_iter()
        .collect())
}

fn views(conn: &mut DbConn, rows: Vec<(Grid, String)>) -> QueryResult<Vec<GridView>> {
    let ids: Vec<String> = rows.iter().map(|(g, _)| g.id.clone()).collect();
    let mut roles = current_roles(conn, &ids)?;
    let overdue = overdue_counts(conn, &ids)?;
    Ok(rows
        .into_iter()
        .map(|(g, community_name)| {
            let roles = roles.remove(&g.id).unwrap_or_default();
            let vacant_roles = GridRole::ALL
                .into_iter()
                .copied()
                .filter(|r| !roles.iter().any(|h| h.role == *r))
                .collect();
            let overdue_households = overdue.get(&g.id).copied().unwrap_or(0);
            GridView {
                boundary: g
                    .boundary
                    .as_deref()
                    .and_then(|b| serde_json::from_str(b).ok()),
                id: g.id,
                community_id: g.community_id,
                community_name,
                branch_id: g.branch_id,
                name: g.name,
                code: g.code,
                household_count: g.household_count,
                overdue_households,
                roles,
                vacant_roles,
                version: g.version,
                created_at: g.created_at.and_utc(),
                updated_at: g.updated_at.and_utc(),
            }
        })
        .collect())
}

pub fn list(
    conn: &mut DbConn,
    caller: &Caller,
    filter: GridFilter,
    sorts: Vec<Sort>,
    paging: Paging,
) -> ApiResult<(Vec<GridView>, i64)> {
    let filled_all = || {
        // Grids whose three roles all have a current holder.
        grid_roles::table
            .filter(grid_roles::ended_on.is_null())
            .group_by(grid_roles::grid_id)
            // One current holder per role at most (assign_role ends the previous one).
            .having(diesel::dsl::count_star().eq(3i64))
            .select(grid_roles::grid_id)
    };
    let full: Option<Vec<String>> = match filter.vacant {
        Some(_) => Some(filled_all().load(conn)?),
        None => None,
    };
    let region_range = match &filter.region_id {
        Some(r) => {
            let path: Option<String> = regions::table
                .find(r)
                .select(regions::path)
                .first(conn)
                .optional()?;
            match path.filter(|p| caller.regions_readable().contains(p)) {
                Some(p) => Some(crate::tree::range(&p)),
                None => return Err(ApiError::not_found("region")),
            }
        }
        None => None,
    };
    let build = || {
        let mut q = boxed_visible(caller);
        if let Some((lo, hi)) = &region_range {
            q = q
                .filter(regions::path.ge(lo.clone()))
                .filter(regions::path.lt(hi.clone()));
        }
        if let Some(c) = &filter.community_id {
            q = q.filter(grids::community_id.eq(c.clone()));
        }
        if let Some(b) = &filter.branch_id {
            q = q.filter(grids::branch_id.eq(b.clone()));
        }
        if let Some(text) = &filter.q {
            let pat = like_pattern(text);
            q = q.filter(
                grids::name
                    .like(pat.clone())
                    .escape('\\')
                    .or(grids::code.like(pat).escape('\\')),
            );
        }
        match (filter.vacant, &full) {
            (Some(true), Some(ids)) => q = q.filter(grids::id.ne_all(ids.clone())),
            (Some(false), Some(ids)) => q = q.filter(grids::id.eq_any(ids.clone())),
            _ => {}
        }
        q
    };
    let total: i64 = build().count().get_result(conn)?;
    let mut q = build();
    for s in &sorts {
        q = match (s.key.as_str(), s.desc) {
            ("code", false) => q.then_order_by(grids::code.asc()),
            ("code", true) => q.then_order_by(grids::code.desc()),
            ("household_count", false) => q.then_order_by(grids::household_count.asc()),
            ("household_count", true) => q.then_order_by(grids::household_count.desc()),
            ("created_at", false) => q.then_order_by(grids::created_at.asc()),
            ("created_at", true) => q.then_order_by(grids::created_at.desc()),
            (_, false) => q.then_order_by(grids::name.asc()),
            (_, true) => q.then_order_by(grids::name.desc()),
        };
    }
    let rows: Vec<(Grid, String)> = q
        .then_order_by(regions::path.asc())
        .then_order_by(grids::name.asc())
        .then_order_by(grids::id.asc())
        .limit(paging.per_page)
        .offset(paging.offset())
        .select((Grid::as_select(), regions::name))
        .load(conn)?;
    Ok((views(conn, rows)?, total))
}

fn find(conn: &mut DbConn, id: &str) -> QueryResult<Option<(Grid, String, String)>> {
    grids::table
        .inner_join(regions::table)
        .filter(grids::id.eq(id))
        .select((Grid::as_select(), regions::name, regions::path))
        .first(conn)
        .optional()
}

fn visible(caller: &Caller, grid: &Grid, community_path: &str) -> bool {
    caller.regions_readable().contains(community_path) || caller.grid_ids().contains(&grid.id)
}

pub fn get(conn: &mut DbConn, caller: &Caller, id: &str) -> ApiResult<GridView> {
    match find(conn, id)? {
        Some((g, name, path)) if visible(caller, &g, &path) => {
            Ok(views(conn, vec![(g, name)])?.remove(0))
        }
        _ => Err(ApiError::not_found("grid")),
    }
}

fn get_writable(conn: &mut DbConn, caller: &Caller, id: &str) -> ApiResult<Grid> {
    match find(conn, id)? {
        Some((g, _, path)) if visible(caller, &g, &path) => {
            if !caller.regions_writable().contains(&path) {
                return Err(ApiError::forbidden(
                    "you may read this grid but not change it",
                ));
            }
            Ok(g)
        }
        _ => Err(ApiError::not_found("grid")),
    }
}

/// A boundary checked and converted to WGS-84, as stored text and its bounding box.
fn boundary(value: &Value, cs: CoordinateSystem) -> ApiResult<(String, geo::BBox)> {
    let shape = geo::parse(value)
        .map_err(|reason| ApiError::field("boundary", "invalid_geometry", reason))?;
    let shape: Shape = match cs {
        CoordinateSystem::Wgs84 => shape,
        CoordinateSystem::Gcj02 => shape.map(geo::gcj02_to_wgs84),
    };
    Ok((shape.to_geojson().to_string(), shape.bbox()))
}

fn check_branch(
    conn: &mut DbConn,
    caller: &Caller,
    branch_id: &str,
    community_path: &str,
) -> ApiResult<()> {
    let found: Option<(String, String)> = branches::table
        .inner_join(regions::table)
        .filter(branches::id.eq(branch_id))
        .select((branches::path, regions::path))
        .first(conn)
        .optional()?;
    match found {
        Some((bp, rp)) if caller.branches_readable().contains(&bp, &rp) => {
            if !community_path.starts_with(&rp) && !rp.starts_with(community_path) {
                return Err(ApiError::field(
                    "branch_id",
                    "outside_community",
                    "the branch serves another community",
                ));
            }
            Ok(())
        }
        _ => Err(ApiError::field(
            "branch_id",
            "not_found",
            "the branch does not exist",
        )),
    }
}

fn duplicate(field: &str, message: &str) -> ApiError {
    ApiError {
        errors: Some(vec![FieldError {
            field: field.into(),
            code: "duplicate".into(),
            message: message.into(),
        }]),
        ..ApiError::conflict(ErrorCode::Duplicate, message.to_string())
    }
}

fn check_unique(
    conn: &mut DbConn,
    id: Option<&str>,
    community_id: &str,
    name: Option<&str>,
    code: Option<&str>,
) -> ApiResult<()> {
    if let Some(name) = name {
        let n: i64 = grids::table
            .filter(grids::community_id.eq(community_id))
            .filter(grids::name.eq(name))
            .filter(grids::id.ne(id.unwrap_or("")))
            .count()
            .get_result(conn)?;
        if n > 0 {
            return Err(duplicate("name", "the community has a grid with this name"));
        }
    }
    if let Some(code) = code {
        let n: i64 = grids::table
            .filter(grids::code.eq(code))
            .filter(grids::id.ne(id.unwrap_or("")))
            .count()
            .get_result(conn)?;
        if n > 0 {
            return Err(duplicate("code", "another grid has this code"));
        }
    }
    Ok(())
}

pub fn create(conn: &mut DbConn, caller: &Caller, input: CreateGrid) -> ApiResult<GridView> {
    crate::db::write(conn, |c| {
        let community: Option<(String, String)> = regions::table
            .find(&input.community_id)
            .select((regions::level, regions::path))
            .first(c)
            .optional()?;
        let Some((level, path)) = community.filter(|(_, p)| caller.regions_readable().contains(p))
        else {
            return Err(ApiError::field(
                "community_id",
                "not_found",
                "the community does not exist",
            ));
        };
        if level != "community" {
            return Err(ApiError::field(
                "community_id",
                "invalid_parent",
                format!("grids belong to a community, not a {level}"),
            ));
        }
        if !caller.regions_writable().contains(&path) {
            return Err(ApiError::forbidden(
                "you may not add grids to this community",
            ));
        }
        if let Some(b) = &input.branch_id {
            check_branch(c, caller, b, &path)?;
        }
        let name = input.name.trim().to_string();
        let code = input.code.as_deref().map(str::trim).map(str::to_owned);
        check_unique(c, None, &input.community_id, Some(&name), code.as_deref())?;
        let (boundary, bbox) = match &input.boundary {
            Some(v) => {
                let (b, bb) = boundary(v, input.coordinate_system)?;
                (Some(b), Some(bb))
            }
            None => (None, None),
        };
        let now = Utc::now().naive_utc();
        let row = Grid {
            id: crate::new_id(),
            community_id: input.community_id.clone(),
            branch_id: input.branch_id.clone(),
            name,
            code,
            household_count: 0,
            boundary,
            min_lng: bbox.map(|b| b.min_lng),
            min_lat: bbox.map(|b| b.min_lat),
            max_lng: bbox.map(|b| b.max_lng),
            max_lat: bbox.map(|b| b.max_lat),
            version: 1,
            created_at: now,
            updated_at: now,
        };
        diesel::insert_into(grids::table).values(&row).execute(c)?;
        audit::record(
            c,
            &caller.actor(),
            "create",
            "grid",
            Some(&row.id),
            Some(json!({"name": row.name, "community_id": row.community_id})),
        )?;
        get(c, caller, &row.id)
    })
}

#[derive(AsChangeset)]
#[diesel(table_name = grids)]
struct GridChanges {
    name: Option<String>,
    code: Option<Option<String>>,
    branch_id: Option<Option<String>>,
    boundary: Option<Option<String>>,
    min_lng: Option<Option<f64>>,
    min_lat: Option<Option<f64>>,
    max_lng: Option<Option<f64>>,
    max_lat: Option<Option<f64>>,
    version: i32,
    updated_at: NaiveDateTime,
}

pub fn update(
    conn: &mut DbConn,
    caller: &Caller,
    id: &str,
    input: UpdateGrid,
    if_match: Option<i32>,
) -> ApiResult<GridView> {
    crate::db::write(conn, |c| {
        let current = get_writable(c, caller, id)?;
        expect_version(current.version, if_match, input.version)?;
        let community_path: String = regions::table
            .find(&current.community_id)
            .select(regions::path)
            .first(c)?;
        if let Some(Some(b)) = &input.branch_id {
            check_branch(c, caller, b, &community_path)?;
        }
        let name = input.name.as_deref().map(str::trim).map(str::to_owned);
        let code = input.code.clone().map(|c| c.map(|s| s.trim().to_string()));
        check_unique(
            c,
            Some(id),
            &current.community_id,
            name.as_deref(),
            code.as_ref().and_then(|c| c.as_deref()),
        )?;
        let geometry = match &input.boundary {
            Some(Some(v)) => Some(Some(boundary(v, input.coordinate_system)?)),
            Some(None) => Some(None),
            None => None,
        };
        let bb =
            |f: fn(&geo::BBox) -> f64| geometry.as_ref().map(|g| g.as_ref().map(|(_, b)| f(b)));
        let changes = GridChanges {
            name: name.clone(),
            code: code.clone(),
            branch_id: input.branch_id.clone(),
            boundary: geometry
                .as_ref()
                .map(|g| g.as_ref().map(|(s, _)| s.clone())),
            min_lng: bb(|b| b.min_lng),
            min_lat: bb(|b| b.min_lat),
            max_lng: bb(|b| b.max_lng),
            max_lat: bb(|b| b.max_lat),
            version: current.version + 1,
            updated_at: Utc::now().naive_utc(),
        };
        let changed = diesel::update(
            grids::table
                .find(id)
                .filter(grids::version.eq(current.version)),
        )
        .set(&changes)
        .execute(c)?;
        if changed == 0 {
            return Err(ApiError::precondition_failed(current.version));
        }
        audit::record(
            c,
            &caller.actor(),
            "update",
            "grid",
            Some(id),
            Some(
                json!({"name": name, "code": code, "branch_id": input.branch_id, "boundary_changed": input.boundary.is_some()}),
            ),
        )?;
        get(c, caller, id)
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
        expect_version(current.version, if_match, None)?;
        let grant_count: i64 = grants::table
            .filter(grants::scope_type.eq("grid"))
            .filter(grants::scope_id.eq(id))
            .count()
            .get_result(c)?;
        if current.household_count > 0 || grant_count > 0 {
            return Err(ApiError::conflict(
                ErrorCode::GridNotEmpty,
                format!("the grid still has {} household(s) and {grant_count} grid worker grant(s); move or remove them first", current.household_count),
            ));
        }
        diesel::delete(grids::table.find(id)).execute(c)?;
        audit::record(
            c,
            &caller.actor(),
            "delete",
            "grid",
            Some(id),
            Some(json!({"name": current.name})),
        )?;
        Ok(())
    })
}

/// The visible grid whose boundary contains the point (WGS-84 unless said otherwise).
pub fn locate(
    conn: &mut DbConn,
    caller: &Caller,
    lng: f64,
    lat: f64,
    cs: CoordinateSystem,
) -> ApiResult<GridView> {
    if !lng.is_finite()
        || !lat.is_finite()
        || !(-180.0..=180.0).contains(&lng)
        || !(-90.0..=90.0).contains(&lat)
    {
        return Err(ApiError::bad_request(
            ErrorCode::InvalidPoint,
            "lng must be within ±180 and lat within ±90",
        ));
    }
    let (lng, lat) = match cs {
        CoordinateSystem::Wgs84 => (lng, lat),
        CoordinateSystem::Gcj02 => geo::gcj02_to_wgs84(lng, lat),
    };
    // The bounding-box index narrows the candidates; the exact test runs on those few.
    let candidates: Vec<(Grid, String)> = boxed_visible(caller)
        .filter(grids::min_lng.le(lng))
        .filter(grids::max_lng.ge(lng))
        .filter(grids::min_lat.le(lat))
        .filter(grids::max_lat.ge(lat))
        .order(grids::id.asc())
        .limit(50)
        .select((Grid::as_select(), regions::name))
        .load(conn)?;
    let hit = candidates.into_iter().find(|(g, _)| {
        g.boundary
            .as_deref()
            .and_then(|b| serde_json::from_str::<Value>(b).ok())
            .and_then(|v| geo::parse(&v).ok())
            .is_some_and(|s| s.contains(lng, lat))
    });
    match hit {
        Some(row) => Ok(views(conn, vec![row])?.remove(0)),
        None => Err(ApiError::not_found("grid at this point")),
    }
}

pub fn role_history(conn: &mut DbConn, caller: &Caller, id: &str) -> ApiResult<Vec<GridRoleView>> {
    get(conn, caller, id)?;
    let rows: Vec<RoleRow> = grid_roles::table
        .filter(grid_roles::grid_id.eq(id))
        .order((
            grid_roles::role.asc(),
            grid_roles::started_on.desc(),
            grid_roles::created_at.desc(),
        ))
        .select(RoleRow::as_select())
        .load(conn)?;
    Ok(rows.into_iter().map(RoleRow::view).collect())
}

fn end_current(
    conn: &mut DbConn,
    grid_id: &str,
    role: GridRole,
    ended_on: NaiveDate,
) -> ApiResult<Option<RoleRow>> {
    let current: Option<RoleRow> = grid_roles::table
        .filter(grid_roles::grid_id.eq(grid_id))
        .filter(grid_roles::role.eq(role.as_str()))
        .filter(grid_roles::ended_on.is_null())
        .select(RoleRow::as_select())
        .first(conn)
        .optional()?;
    if let Some(cur) = &current {
        if ended_on < cur.started_on {
            return Err(ApiError::field(
                "started_on",
                "before_current",
                format!("the current holder started on {}", cur.started_on),
            ));
        }
        diesel::update(grid_roles::table.find(&cur.id))
            .set(grid_roles::ended_on.eq(Some(ended_on)))
            .execute(conn)?;
    }
    Ok(current)
}

pub fn assign_role(
    conn: &mut DbConn,
    caller: &Caller,
    id: &str,
    input: AssignGridRole,
) -> ApiResult<GridView> {
    crate::db::write(conn, |c| {
        get_writable(c, caller, id)?;
        let person_name = match (&input.user_id, &input.person_name) {
            (_, Some(name)) => name.trim().to_string(),
            (Some(uid), None) => users::table
                .find(uid)
                .select(users::display_name)
                .first::<String>(c)
                .optional()?
                .ok_or_else(|| {
                    ApiError::field("user_id", "not_found", "the account does not exist")
                })?,
            (None, None) => unreachable!("validated"),
        };
        if let Some(uid) = &input.user_id {
            let exists: i64 = users::table
                .filter(users::id.eq(uid))
                .count()
                .get_result(c)?;
            if exists == 0 {
                return Err(ApiError::field(
                    "user_id",
                    "not_found",
                    "the account does not exist",
                ));
            }
        }
        let started_on = input.started_on.unwrap_or_else(|| crate::clock::today());
        let previous = end_current(
            c,
            id,
            input.role,
            started_on.pred_opt().unwrap_or(started_on),
        )?;
        let row_id = crate::new_id();
        diesel::insert_into(grid_roles::table)
            .values((
                grid_roles::id.eq(&row_id),
                grid_roles::grid_id.eq(id),
                grid_roles::role.eq(input.role.as_str()),
                grid_roles::user_id.eq(&input.user_id),
                grid_roles::person_name.eq(&person_name),
                grid_roles::started_on.eq(started_on),
                grid_roles::created_at.eq(Utc::now().naive_utc()),
            ))
            .execute(c)?;
        audit::record(
            c,
            &caller.actor(),
            "assign_role",
            "grid",
            Some(id),
            Some(
                json!({"role": input.role, "person_name": person_name, "user_id": input.user_id, "replaced": previous.map(|p| p.person_name)}),
            ),
        )?;
        get(c, caller, id)
    })
}

pub fn vacate_role(
    conn: &mut DbConn,
    caller: &Caller,
    id: &str,
    input: VacateGridRole,
) -> ApiResult<GridView> {
    crate::db::write(conn, |c| {
        get_writable(c, caller, id)?;
        let ended_on = input.ended_on.unwrap_or_else(|| crate::clock::today());
        let Some(previous) = end_current(c, id, input.role, ended_on)? else {
            return Err(ApiError::conflict(
                ErrorCode::RoleVacant,
                format!("nobody holds {} in this grid", input.role.as_str()),
            ));
        };
        audit::record(
            c,
            &caller.actor(),
            "vacate_role",
            "grid",
            Some(id),
            Some(json!({"role": input.role, "person_name": previous.person_name})),
        )?;
        get(c, caller, id)
    })
}

/// A GeoJSON FeatureCollection of grids (RFC 7946), with the page as foreign members.
pub fn feature_collection(items: &[GridView], total: i64, page: i64, per_page: i64) -> Value {
    let features: Vec<Value> = items
        .iter()
        .map(|g| {
            json!({
                "type": "Feature",
                "id": g.id,
                "geometry": g.boundary,
                "properties": {
                    "name": g.name,
                    "code": g.code,
                    "community_id": g.community_id,
                    "community_name": g.community_name,
                    "branch_id": g.branch_id,
                    "household_count": g.household_count,
                    "overdue_households": g.overdue_households,
                    "vacant_roles": g.vacant_roles,
                },
            })
        })
        .collect();
    json!({"type": "FeatureCollection", "features": features, "total": total, "page": page, "per_page": per_page})
}

/// Ids of the grids the caller can see; `None` when that is every grid.
pub fn visible_grid_ids(conn: &mut DbConn, caller: &Caller) -> QueryResult<Option<Vec<String>>> {
    if caller.regions_readable() == Reach::All {
        return Ok(None);
    }
    boxed_visible(caller).select(grids::id).load(conn).map(Some)
}

/// Marks that the grid's households or visits changed, so cached reports over it are recomputed.
pub fn touch_activity(conn: &mut DbConn, grid_id: &str) -> QueryResult<usize> {
    crate::versions::bump(conn, crate::versions::HOUSEHOLDS)?;
    diesel::update(grids::table.find(grid_id))
        .set(grids::activity_version.eq(grids::activity_version + 1))
        .execute(conn)
}

/// What a caller may do in one grid.
pub struct GridAccess {
    pub grid: Grid,
    pub grid_name: String,
    /// Staff of the grid's community (or above).
    pub staff: bool,
    /// A grid worker granted on this grid.
    pub worker: bool,
}

/// The caller's access to a grid; 404 when they cannot see it.
pub fn access(
    conn: &mut DbConn,
    caller: &Caller,
    grid_id: &str,
    field: Option<&str>,
) -> ApiResult<GridAccess> {
    match find(conn, grid_id)? {
        Some((g, _, path)) if visible(caller, &g, &path) => Ok(GridAccess {
            staff: caller.regions_writable().contains(&path),
            worker: caller.grid_ids().contains(&g.id),
            grid_name: g.name.clone(),
            grid: g,
        }),
        _ => Err(match field {
            Some(f) => ApiError::field(f, "not_found", "the grid does not exist"),
            None => ApiError::not_found("grid"),
        }),
    }
}
