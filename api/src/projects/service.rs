//! The street's yearly list of co-building projects (项目化) in two-level categories, and units'
//! claims (认领) up to each project's need. The list is a public catalogue: every signed-in user
//! may read it; the street's staff keep it; a unit's contacts claim for their unit.
use std::collections::HashMap;

use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;
use serde_json::json;

use super::dto::*;
use crate::audit;
use crate::auth::Caller;
use crate::db::schema::{project_claims, regions, service_categories, service_projects, units};
use crate::db::DbConn;
use crate::error::ErrorCode;
use crate::error::{expect_version, ApiError, ApiResult};
use crate::http::list::{like_pattern, Paging};
use crate::units::dto::UnitStatus;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = service_categories)]
pub struct Category {
    pub id: String,
    pub region_id: String,
    pub year: i32,
    pub parent_id: Option<String>,
    pub name: String,
    pub sort: i32,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = service_projects, treat_none_as_default_value = false)]
pub struct Project {
    pub id: String,
    pub region_id: String,
    pub year: i32,
    pub category_id: String,
    pub name: String,
    pub description: Option<String>,
    pub need: i32,
    pub claimed: i32,
    pub status: ProjectStatus,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

fn category_view(c: Category, children: Vec<SubcategoryView>) -> CategoryView {
    CategoryView {
        id: c.id,
        region_id: c.region_id,
        year: c.year,
        parent_id: c.parent_id,
        name: c.name,
        sort: c.sort,
        children,
    }
}

fn street_path(conn: &mut DbConn, region_id: &str) -> ApiResult<String> {
    let p: Option<String> = regions::table
        .find(region_id)
        .select(regions::path)
        .first(conn)
        .optional()?;
    p.ok_or_else(|| ApiError::field("region_id", "not_found", "the region does not exist"))
}

fn require_keeper(caller: &Caller, path: &str) -> ApiResult<()> {
    if caller.regions_writable().contains(path) {
        Ok(())
    } else {
        Err(ApiError::forbidden(
            "the project list is kept by the street's staff",
        ))
    }
}

/// A street's categories for a year, as a two-level tree in order.
pub fn categories(conn: &mut DbConn, region_id: &str, year: i32) -> ApiResult<Vec<CategoryView>> {
    street_path(conn, region_id)?;
    let all: Vec<Category> = service_categories::table
        .filter(service_categories::region_id.eq(region_id))
        .filter(service_categories::year.eq(year))
        .order((
            service_categories::sort.asc(),
            service_categories::name.asc(),
        ))
        .select(Category::as_select())
        .load(conn)?;
    let mut children: HashMap<String, Vec<SubcategoryView>> = HashMap::new();
    let mut top = vec![];
    for c in all {
        match c.parent_id.clone() {
            Some(p) => children
                .entry(p.clone())
                .or_default()
                .push(SubcategoryView {
                    id: c.id,
                    parent_id: p,
                    name: c.name,
                    sort: c.sort,
                }),
            None => top.push(c),
        }
    }
    Ok(top
        .into_iter()
        .map(|c| {
            let kids = children.remove(&c.id).unwrap_or_default();
            category_view(c, kids)
        })
        .collect())
}

pub fn create_category(
    conn: &mut DbConn,
    caller: &Caller,
    input: CreateCategory,
) -> ApiResult<CategoryView> {
    crate::db::write(conn, |c| {
        let path = street_path(c, &input.region_id)?;
        if !caller.regions_readable().contains(&path) {
            return Err(ApiError::field(
                "region_id",
                "not_found",
                "the region does not exist",
            ));
        }
        require_keeper(caller, &path)?;
        if let Some(p) = &input.parent_id {
            let parent: Option<Category> = service_categories::table
                .find(p)
                .select(Category::as_select())
                .first(c)
                .optional()?;
            let Some(parent) =
                parent.filter(|x| x.region_id == input.region_id && x.year == input.year)
            else {
                return Err(ApiError::field(
                    "parent_id",
                    "not_found",
                    "no such category in this street's list for the year",
                ));
            };
            if parent.parent_id.is_some() {
                return Err(ApiError::field(
                    "parent_id",
                    "too_deep",
                    "categories have two levels",
                ));
            }
        }
        let id = crate::new_id();
        diesel::insert_into(service_categories::table)
            .values((
                service_categories::id.eq(&id),
                service_categories::region_id.eq(&input.region_id),
                service_categories::year.eq(input.year),
                service_categories::parent_id.eq(&input.parent_id),
                service_categories::name.eq(input.name.trim()),
                service_categories::sort.eq(input.sort.unwrap_or(0)),
                service_categories::created_at.eq(Utc::now().naive_utc()),
            ))
            .execute(c)
            .map_err(|e| match e {
                diesel::result::Error::DatabaseError(
                    diesel::result::DatabaseErrorKind::UniqueViolation,
                    _,
                ) => ApiError::conflict(
                    ErrorCode::DuplicateName,
                    "the list already has a category of this name this year",
                ),
                other => other.into(),
            })?;
        audit::record(
            c,
            &caller.actor(),
            "create",
            "service_category",
            Some(&id),
            Some(json!({"name": input.name.trim()})),
        )?;
        let cat: Category = service_categories::table
            .find(&id)
            .select(Category::as_select())
            .first(c)?;
        Ok(category_view(cat, vec![]))
    })
}

type ProjectRow = (Project, String, Option<String>);

fn project_view(
    conn: &mut DbConn,
    (p, category_name, parent): ProjectRow,
    with_claims: bool,
) -> QueryResult<ProjectView> {
    let parent_category_name = match parent {
        Some(pid) => service_categories::table
            .find(pid)
            .select(service_categories::name)
            .first(conn)
            .optional()?,
        None => None,
    };
    let claims = if with_claims {
        claims_of(conn, Some(&p.id), None)?
    } else {
        vec![]
    };
    Ok(ProjectView {
        full: p.claimed >= p.need,
        status: p.status,
        id: p.id,
        region_id: p.region_id,
        year: p.year,
        category_id: p.category_id,
        category_name,
        parent_category_name,
        name: p.name,
        description: p.description,
        need: p.need,
        claimed: p.claimed,
        claims,
        version: p.version,
        created_at: p.created_at.and_utc(),
        updated_at: p.updated_at.and_utc(),
    })
}

fn load_project(conn: &mut DbConn, id: &str) -> QueryResult<Option<ProjectRow>> {
    service_projects::table
        .inner_join(service_categories::table)
        .filter(service_projects::id.eq(id))
        .select((
            Project::as_select(),
            service_categories::name,
            service_categories::parent_id,
        ))
        .first(conn)
        .optional()
}

pub fn get_project(conn: &mut DbConn, id: &str) -> ApiResult<ProjectView> {
    let row = load_project(conn, id)?.ok_or_else(|| ApiError::not_found("project"))?;
    Ok(project_view(conn, row, true)?)
}

#[derive(Debug, Clone, Default)]
pub struct ProjectFilter {
    pub region_id: Option<String>,
    pub year: Option<i32>,
    /// A category and its subcategories.
    pub category_id: Option<String>,
    /// Only projects that still want units.
    pub open_places: bool,
    pub q: Option<String>,
}

pub fn list_projects(
    conn: &mut DbConn,
    f: ProjectFilter,
    paging: Paging,
) -> ApiResult<(Vec<ProjectView>, i64)> {
    let cats: Option<Vec<String>> = match &f.category_id {
        Some(c) => {
            let mut ids: Vec<String> = service_categories::table
                .filter(service_categories::parent_id.eq(c))
                .select(service_categories::id)
                .load(conn)?;
            ids.push(c.clone());
            Some(ids)
        }
        None => None,
    };
    let query = || {
        let mut q = service_projects::table
            .inner_join(service_categories::table)
            .into_boxed::<crate::db::MultiBackend>();
        if let Some(r) = &f.region_id {
            q = q.filter(service_projects::region_id.eq(r.clone()));
        }
        if let Some(y) = f.year {
            q = q.filter(service_projects::year.eq(y));
        }
        if let Some(ids) = &cats {
            q = q.filter(service_projects::category_id.eq_any(ids.clone()));
        }
        if f.open_places {
            q = q
                .filter(service_projects::claimed.lt(service_projects::need))
                .filter(service_projects::status.eq(ProjectStatus::Open.as_str()));
        }
        if let Some(text) = &f.q {
            q = q.filter(service_projects::name.like(like_pattern(text)));
        }
        q
    };
    let total: i64 = query().count().get_result(conn)?;
    let rows: Vec<ProjectRow> = query()
        .order((
            service_categories::sort.asc(),
            service_categories::name.asc(),
            service_projects::name.asc(),
            service_projects::id.asc(),
        ))
        .limit(paging.per_page)
        .offset(paging.offset())
        .select((
            Project::as_select(),
            service_categories::name,
            service_categories::parent_id,
        ))
        .load(conn)?;
    let mut out = vec![];
    for r in rows {
        out.push(project_view(conn, r, false)?);
    }
    Ok((out, total))
}

pub fn create_project(
    conn: &mut DbConn,
    caller: &Caller,
    input: CreateProject,
) -> ApiResult<ProjectView> {
    crate::db::write(conn, |c| {
        let cat: Option<Category> = service_categories::table
            .find(&input.category_id)
            .select(Category::as_select())
            .first(c)
            .optional()?;
        let cat = cat.ok_or_else(|| {
            ApiError::field("category_id", "not_found", "the category does not exist")
        })?;
        let path = street_path(c, &cat.region_id)?;
        if !caller.regions_readable().contains(&path) {
            return Err(ApiError::field(
                "category_id",
                "not_found",
                "the category does not exist",
            ));
        }
        require_keeper(caller, &path)?;
        let now = Utc::now().naive_utc();
        let p = Project {
            id: crate::new_id(),
            region_id: cat.region_id.clone(),
            year: cat.year,
            category_id: cat.id.clone(),
            name: input.name.trim().into(),
            description: input
                .description
                .map(|d| d.trim().to_owned())
                .filter(|d| !d.is_empty()),
            need: input.need,
            claimed: 0,
            status: ProjectStatus::Open,
            version: 1,
            created_at: now,
            updated_at: now,
        };
        diesel::insert_into(service_projects::table)
            .values(&p)
            .execute(c)?;
        audit::record(
            c,
            &caller.actor(),
            "create",
            "service_project",
            Some(&p.id),
            Some(json!({"name": p.name, "need": p.need})),
        )?;
        get_project(c, &p.id)
    })
}

pub fn update_project(
    conn: &mut DbConn,
    caller: &Caller,
    id: &str,
    input: UpdateProject,
    if_match: Option<i32>,
) -> ApiResult<ProjectView> {
    crate::db::write(conn, |c| {
        let (p, _, _) = load_project(c, id)?.ok_or_else(|| ApiError::not_found("project"))?;
        require_keeper(caller, &street_path(c, &p.region_id)?)?;
        expect_version(p.version, if_match, input.version)?;
        let need = input.need.unwrap_or(p.need);
        if need < p.claimed {
            return Err(ApiError::field(
                "need",
                "below_claimed",
                format!("{} units have already claimed it", p.claimed),
            ));
        }
        diesel::update(service_projects::table.find(id))
            .set((
                service_projects::name.eq(input.name.as_deref().map(str::trim).unwrap_or(&p.name)),
                service_projects::description.eq(match input.description {
                    Some(d) => d.map(|d| d.trim().to_owned()).filter(|d| !d.is_empty()),
                    None => p.description.clone(),
                }),
                service_projects::need.eq(need),
                service_projects::status.eq(input
                    .status
                    .map(|s| s.as_str())
                    .unwrap_or(p.status.as_str())),
                service_projects::version.eq(p.version + 1),
                service_projects::updated_at.eq(Utc::now().naive_utc()),
            ))
            .execute(c)?;
        audit::record(
            c,
            &caller.actor(),
            "update",
            "service_project",
            Some(id),
            Some(json!({"need": need})),
        )?;
        get_project(c, id)
    })
}

fn claims_of(
    conn: &mut DbConn,
    project: Option<&str>,
    unit: Option<&str>,
) -> QueryResult<Vec<ClaimOfProject>> {
    let mut q = project_claims::table
        .inner_join(service_projects::table)
        .inner_join(units::table)
        .into_boxed::<crate::db::MultiBackend>();
    if let Some(p) = project {
        q = q.filter(project_claims::project_id.eq(p.to_owned()));
    }
    if let Some(u) = unit {
        q = q.filter(project_claims::unit_id.eq(u.to_owned()));
    }
    let rows: Vec<(
        String,
        String,
        String,
        String,
        String,
        String,
        Option<i32>,
        chrono::NaiveDate,
        chrono::NaiveDate,
        ClaimState,
        NaiveDateTime,
    )> = q
        .order((project_claims::claimed_at.asc(), project_claims::id.asc()))
        .select((
            project_claims::id,
            project_claims::project_id,
            service_projects::name,
            project_claims::unit_id,
            units::name,
            project_claims::commitment,
            project_claims::capacity,
            project_claims::starts_on,
            project_claims::ends_on,
            project_claims::status,
            project_claims::claimed_at,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(
                id,
                project_id,
                project_name,
                unit_id,
                unit_name,
                commitment,
                capacity,
                starts_on,
                ends_on,
                status,
                claimed_at,
            )| ClaimOfProject {
                status,
                id,
                project_id,
                project_name,
                unit_id,
                unit_name,
                commitment,
                capacity,
                starts_on,
                ends_on,
                claimed_at: claimed_at.and_utc(),
            },
        )
        .collect())
}

/// A unit's claims (its contacts and the staff who see the unit).
pub fn unit_claims(
    conn: &mut DbConn,
    caller: &Caller,
    unit_id: &str,
) -> ApiResult<Vec<ClaimOfProject>> {
    crate::units::service::access(conn, caller, unit_id)?;
    Ok(claims_of(conn, None, Some(unit_id))?)
}

/// Who may claim for a unit: its contacts, and the staff of the project's street.
fn may_claim_for(
    conn: &mut DbConn,
    caller: &Caller,
    unit_id: &str,
    project_path: &str,
) -> ApiResult<()> {
    let is_contact = caller.unit_ids().iter().any(|u| u == unit_id);
    if is_contact || caller.regions_writable().contains(project_path) {
        let exists: i64 = units::table
            .find(unit_id)
            .filter(units::status.eq(UnitStatus::Active.as_str()))
            .count()
            .get_result(conn)?;
        if exists == 0 {
            return Err(ApiError::field(
                "unit_id",
                "not_found",
                "no active unit with this id",
            ));
        }
        return Ok(());
    }
    Err(ApiError::forbidden(
        "a unit claims through its own contacts (or the street's staff for it)",
    ))
}

pub fn claim(
    conn: &mut DbConn,
    caller: &Caller,
    project_id: &str,
    input: CreateProjectClaim,
) -> ApiResult<ProjectView> {
    crate::db::write(conn, |c| {
        let (p, _, _) =
            load_project(c, project_id)?.ok_or_else(|| ApiError::not_found("project"))?;
        let path = street_path(c, &p.region_id)?;
        may_claim_for(c, caller, &input.unit_id, &path)?;
        if p.status != ProjectStatus::Open {
            return Err(ApiError::invalid_transition(p.status.as_str(), "claim"));
        }
        let existing: Option<(String, String)> = project_claims::table
            .filter(project_claims::project_id.eq(project_id))
            .filter(project_claims::unit_id.eq(&input.unit_id))
            .select((project_claims::id, project_claims::status))
            .first(c)
            .optional()?;
        if existing
            .as_ref()
            .is_some_and(|(_, s)| s == ClaimState::Active.as_str())
        {
            return Err(ApiError::conflict(
                ErrorCode::AlreadyClaimed,
                "the unit has already claimed this project",
            ));
        }
        // One conditional update takes a place, so two units can never take the last one.
        let took = diesel::update(
            service_projects::table
                .find(project_id)
                .filter(service_projects::claimed.lt(service_projects::need)),
        )
        .set((
            service_projects::claimed.eq(service_projects::claimed + 1),
            service_projects::updated_at.eq(Utc::now().naive_utc()),
        ))
        .execute(c)?;
        if took == 0 {
            return Err(ApiError::conflict(
                ErrorCode::ProjectFullyClaimed,
                format!("all {} places of the project are taken", p.need),
            ));
        }
        let now = Utc::now().naive_utc();
        match existing {
            Some((id, _)) => {
                diesel::update(project_claims::table.find(&id))
                    .set((
                        project_claims::commitment.eq(input.commitment.trim()),
                        project_claims::capacity.eq(input.capacity),
                        project_claims::starts_on.eq(input.starts_on),
                        project_claims::ends_on.eq(input.ends_on),
                        project_claims::status.eq(ClaimState::Active.as_str()),
                        project_claims::claimed_by.eq(&caller.user_id),
                        project_claims::claimed_at.eq(now),
                        project_claims::withdrawn_at.eq(None::<NaiveDateTime>),
                    ))
                    .execute(c)?;
            }
            None => {
                diesel::insert_into(project_claims::table)
                    .values((
                        project_claims::id.eq(crate::new_id()),
                        project_claims::project_id.eq(project_id),
                        project_claims::unit_id.eq(&input.unit_id),
                        project_claims::commitment.eq(input.commitment.trim()),
                        project_claims::capacity.eq(input.capacity),
                        project_claims::starts_on.eq(input.starts_on),
                        project_claims::ends_on.eq(input.ends_on),
                        project_claims::status.eq(ClaimState::Active.as_str()),
                        project_claims::claimed_by.eq(&caller.user_id),
                        project_claims::claimed_at.eq(now),
                    ))
                    .execute(c)?;
            }
        }
        audit::record(
            c,
            &caller.actor(),
            "claim",
            "service_project",
            Some(project_id),
            Some(json!({"unit_id": input.unit_id})),
        )?;
        get_project(c, project_id)
    })
}

pub fn withdraw(
    conn: &mut DbConn,
    caller: &Caller,
    project_id: &str,
    unit_id: &str,
) -> ApiResult<ProjectView> {
    crate::db::write(conn, |c| {
        let (p, _, _) =
            load_project(c, project_id)?.ok_or_else(|| ApiError::not_found("project"))?;
        let path = street_path(c, &p.region_id)?;
        // The unit is in the path here: no such unit is no such claim (a 404, not a field error).
        may_claim_for(c, caller, unit_id, &path).map_err(|e| {
            if e.status.as_u16() == 422 {
                ApiError::not_found("claim")
            } else {
                e
            }
        })?;
        let n = diesel::update(
            project_claims::table
                .filter(project_claims::project_id.eq(project_id))
                .filter(project_claims::unit_id.eq(unit_id))
                .filter(project_claims::status.eq(ClaimState::Active.as_str())),
        )
        .set((
            project_claims::status.eq(ClaimState::Withdrawn.as_str()),
            project_claims::withdrawn_at.eq(Some(Utc::now().naive_utc())),
        ))
        .execute(c)?;
        if n == 0 {
            return Err(ApiError::not_found("claim"));
        }
        diesel::update(service_projects::table.find(project_id))
            .set(service_projects::claimed.eq(service_projects::claimed - 1))
            .execute(c)?;
        audit::record(
            c,
            &caller.actor(),
            "withdraw_claim",
            "service_project",
            Some(project_id),
            Some(json!({"unit_id": unit_id})),
        )?;
        get_project(c, project_id)
    })
}
