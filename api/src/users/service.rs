//! Account rules: who may see, create and change which users, and which grants they may hand out.
use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;
use serde_json::json;

use super::dto::{CreateGrant, CreateUser, UpdateUser, UserView};
use crate::auth::caller::{resolve_grants, Actor, ResolvedGrant};
use crate::auth::policy::Reach;
use crate::auth::routes::GrantView;
use crate::auth::{password, Caller, Role, ScopeType};
use crate::db::schema::{branches, grants, grids, refresh_tokens, regions, users};
use crate::db::DbConn;
use crate::error::ErrorCode;
use crate::error::{expect_version, ApiError, ApiResult, FieldError};
use crate::http::list::{like_pattern, Paging, Sort};
use crate::{audit, path_filter};

pub const SORT_KEYS: &[&str] = &["username", "display_name", "created_at"];

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users)]
struct UserRow {
    id: String,
    username: String,
    display_name: String,
    active: bool,
    locked_until: Option<NaiveDateTime>,
    version: i32,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    community_id: Option<String>,
}

fn to_view(u: UserRow, grants: &[ResolvedGrant]) -> UserView {
    UserView {
        id: u.id,
        username: u.username,
        display_name: u.display_name,
        active: u.active,
        locked_until: u
            .locked_until
            .filter(|t| *t > Utc::now().naive_utc())
            .map(|t| t.and_utc()),
        community_id: u.community_id,
        grants: grants
            .iter()
            .map(|g| GrantView {
                id: g.id.clone(),
                role: g.role,
                scope_type: g.scope_type,
                scope_id: g.scope_id.clone(),
                scope_name: g.scope_name.clone(),
            })
            .collect(),
        version: u.version,
        created_at: u.created_at.and_utc(),
        updated_at: u.updated_at.and_utc(),
    }
}

/// Is a resolved grant inside the reach (a region subtree)?
fn grant_within(g: &ResolvedGrant, reach: &Reach) -> bool {
    match g.scope_type {
        ScopeType::Region | ScopeType::Branch | ScopeType::Grid => {
            g.region_path.as_deref().is_some_and(|p| reach.contains(p))
        }
        _ => matches!(reach, Reach::All),
    }
}

/// Ids of users holding a grant inside the region prefixes. Two plain queries rather than nested
/// subselects: diesel's MultiBackend cannot nest boxed subqueries.
fn users_within(conn: &mut DbConn, prefixes: &[String]) -> QueryResult<Vec<String>> {
    let region_ids: Vec<String> = regions::table
        .filter(path_filter!(regions::path, prefixes))
        .select(regions::id)
        .load(conn)?;
    let mut ids: Vec<String> = grants::table
        .filter(grants::scope_type.eq("region"))
        .filter(
            grants::scope_id.eq_any(
                region_ids
                    .iter()
                    .map(|r| Some(r.clone()))
                    .collect::<Vec<_>>(),
            ),
        )
        .select(grants::user_id)
        .load(conn)?;
    let branch_grants: Vec<(String, Option<String>)> = grants::table
        .filter(grants::scope_type.eq("branch"))
        .select((grants::user_id, grants::scope_id))
        .load(conn)?;
    if !branch_grants.is_empty() {
        let scoped: Vec<String> = branch_grants
            .iter()
            .filter_map(|(_, s)| s.clone())
            .collect();
        let inside: std::collections::HashSet<String> = branches::table
            .filter(branches::id.eq_any(&scoped))
            .filter(branches::region_id.eq_any(&region_ids))
            .select(branches::id)
            .load::<String>(conn)?
            .into_iter()
            .collect();
        ids.extend(
            branch_grants
                .into_iter()
                .filter(|(_, s)| s.as_ref().is_some_and(|s| inside.contains(s)))
                .map(|(u, _)| u),
        );
    }
    let grid_grants: Vec<String> = grants::table
        .inner_join(grids::table.on(grants::scope_id.eq(grids::id.nullable())))
        .filter(grants::scope_type.eq("grid"))
        .filter(grids::community_id.eq_any(&region_ids))
        .select(grants::user_id)
        .load(conn)?;
    ids.extend(grid_grants);
    ids.sort();
    ids.dedup();
    Ok(ids)
}

pub fn list(
    conn: &mut DbConn,
    caller: &Caller,
    q: Option<String>,
    sorts: Vec<Sort>,
    paging: Paging,
) -> ApiResult<(Vec<UserView>, i64)> {
    let reach = caller.users_manageable();
    if reach.is_empty() {
        return Err(ApiError::forbidden("managing users needs a staff role"));
    }
    let within = match &reach {
        Reach::Within(prefixes) => Some(users_within(conn, prefixes)?),
        Reach::All => None,
    };
    let build = || {
        let mut query = users::table.into_boxed();
        if let Some(ids) = &within {
            query = query.filter(users::id.eq_any(ids.clone()));
        }
        if let Some(text) = &q {
            let pat = like_pattern(text);
            query = query.filter(
                users::username
                    .like(pat.clone())
                    .escape('\\')
                    .or(users::display_name.like(pat).escape('\\')),
            );
        }
        query
    };
    let total: i64 = build().count().get_result(conn)?;
    let mut query = build();
    for s in &sorts {
        query = match (s.key.as_str(), s.desc) {
            ("display_name", false) => query.then_order_by(users::display_name.asc()),
            ("display_name", true) => query.then_order_by(users::display_name.desc()),
            ("created_at", false) => query.then_order_by(users::created_at.asc()),
            ("created_at", true) => query.then_order_by(users::created_at.desc()),
            (_, false) => query.then_order_by(users::username.asc()),
            (_, true) => query.then_order_by(users::username.desc()),
        };
    }
    let rows: Vec<UserRow> = query
        .then_order_by(users::username.asc())
        .limit(paging.per_page)
        .offset(paging.offset())
        .select(UserRow::as_select())
        .load(conn)?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let g = resolve_grants(conn, &r.id)?;
        out.push(to_view(r, &g));
    }
    Ok((out, total))
}

/// The user and their grants if the caller may see them (a grant inside the caller's reach).
fn get_visible(
    conn: &mut DbConn,
    caller: &Caller,
    id: &str,
) -> ApiResult<(UserRow, Vec<ResolvedGrant>)> {
    let reach = caller.users_manageable();
    let row: Option<UserRow> = users::table
        .find(id)
        .select(UserRow::as_select())
        .first(conn)
        .optional()?;
    let Some(row) = row else {
        return Err(ApiError::not_found("user"));
    };
    let g = resolve_grants(conn, id)?;
    let visible = matches!(reach, Reach::All) || g.iter().any(|g| grant_within(g, &reach));
    if !visible {
        return Err(ApiError::not_found("user"));
    }
    Ok((row, g))
}

/// The user if the caller may change them: every grant inside the caller's reach, no admin grant.
fn get_manageable(
    conn: &mut DbConn,
    caller: &Caller,
    id: &str,
) -> ApiResult<(UserRow, Vec<ResolvedGrant>)> {
    let (row, g) = get_visible(conn, caller, id)?;
    let reach = caller.users_manageable();
    if !matches!(reach, Reach::All) && !g.iter().all(|g| grant_within(g, &reach)) {
        return Err(ApiError::forbidden(
            "this account also holds roles outside your scope",
        ));
    }
    Ok((row, g))
}

pub fn get(conn: &mut DbConn, caller: &Caller, id: &str) -> ApiResult<UserView> {
    let (row, g) = get_visible(conn, caller, id)?;
    Ok(to_view(row, &g))
}

/// Checks one grant request. `caller == None` is the command line (an operator on the server).
fn check_grant(
    conn: &mut DbConn,
    caller: Option<&Caller>,
    g: &CreateGrant,
    field: &str,
) -> ApiResult<(ScopeType, Option<String>)> {
    let scope_type = g.role.scope_type();
    let bad = |code: &str, msg: String| ApiError::field(field, code, msg);
    let reach = caller.map(|c| c.users_manageable()).unwrap_or(Reach::All);
    match scope_type {
        ScopeType::Global | ScopeType::SelfScope => {
            if g.scope_id.is_some() {
                return Err(bad(
                    "invalid_scope",
                    format!("the {} role takes no scope", g.role.as_str()),
                ));
            }
            if reach != Reach::All {
                return Err(ApiError::forbidden(format!(
                    "only an administrator may grant the {} role",
                    g.role.as_str()
                )));
            }
            Ok((scope_type, None))
        }
        ScopeType::Region => {
            let sid = g.scope_id.clone().ok_or_else(|| {
                bad(
                    "required",
                    "scope_id: the region the role is granted on".into(),
                )
            })?;
            let region: Option<(String, String)> = regions::table
                .find(&sid)
                .select((regions::level, regions::path))
                .first(conn)
                .optional()?;
            let Some((level, path)) =
                region.filter(|(_, p)| caller.is_none_or(|c| c.regions_readable().contains(p)))
            else {
                return Err(bad("not_found", "the region does not exist".into()));
            };
            if let Some(want) = g.role.region_level() {
                if level != want {
                    return Err(bad(
                        "invalid_scope",
                        format!(
                            "{} is granted on a {}, not a {level}",
                            g.role.as_str(),
                            want
                        ),
                    ));
                }
            }
            if !reach.contains(&path) {
                return Err(ApiError::forbidden(
                    "you may grant roles only inside your own scope",
                ));
            }
            Ok((scope_type, Some(sid)))
        }
        ScopeType::Branch => {
            let sid = g.scope_id.clone().ok_or_else(|| {
                bad(
                    "required",
                    "scope_id: the branch the role is granted on".into(),
                )
            })?;
            let found: Option<(String, String)> = branches::table
                .inner_join(regions::table)
                .filter(branches::id.eq(&sid))
                .select((branches::path, regions::path))
                .first(conn)
                .optional()?;
            let Some((_, rpath)) = found
                .filter(|(bp, rp)| caller.is_none_or(|c| c.branches_readable().contains(bp, rp)))
            else {
                return Err(bad("not_found", "the branch does not exist".into()));
            };
            if !reach.contains(&rpath) {
                return Err(ApiError::forbidden(
                    "you may grant roles only inside your own scope",
                ));
            }
            Ok((scope_type, Some(sid)))
        }
        ScopeType::Grid => {
            let sid = g.scope_id.clone().ok_or_else(|| {
                bad(
                    "required",
                    "scope_id: the grid the role is granted on".into(),
                )
            })?;
            let found: Option<String> = grids::table
                .inner_join(regions::table)
                .filter(grids::id.eq(&sid))
                .select(regions::path)
                .first(conn)
                .optional()?;
            let Some(community_path) =
                found.filter(|p| caller.is_none_or(|c| c.regions_readable().contains(p)))
            else {
                return Err(bad("not_found", "the grid does not exist".into()));
            };
            if !reach.contains(&community_path) {
                return Err(ApiError::forbidden(
                    "you may grant roles only inside your own scope",
                ));
            }
            Ok((scope_type, Some(sid)))
        }
        ScopeType::Unit => {
            let sid = g.scope_id.clone().ok_or_else(|| {
                bad(
                    "required",
                    "scope_id: the unit the role is granted on".into(),
                )
            })?;
            let found: Option<String> = crate::db::schema::units::table
                .inner_join(regions::table)
                .filter(crate::db::schema::units::id.eq(&sid))
                .select(regions::path)
                .first(conn)
                .optional()?;
            let Some(path) =
                found.filter(|p| caller.is_none_or(|c| c.regions_readable().contains(p)))
            else {
                return Err(bad("not_found", "the unit does not exist".into()));
            };
            if !reach.contains(&path) {
                return Err(ApiError::forbidden(
                    "you may grant roles only inside your own scope",
                ));
            }
            Ok((scope_type, Some(sid)))
        }
    }
}

fn insert_grant(
    conn: &mut DbConn,
    user_id: &str,
    role: Role,
    scope: (ScopeType, Option<String>),
) -> ApiResult<String> {
    let mut same = grants::table
        .filter(grants::user_id.eq(user_id))
        .filter(grants::role.eq(role.as_str()))
        .into_boxed();
    same = match &scope.1 {
        Some(sid) => same.filter(grants::scope_id.eq(sid.clone())),
        None => same.filter(grants::scope_id.is_null()),
    };
    let duplicate: i64 = same.count().get_result(conn)?;
    if duplicate > 0 {
        return Err(ApiError::conflict(
            ErrorCode::Duplicate,
            "the user already holds this role on this scope",
        ));
    }
    let id = crate::new_id();
    diesel::insert_into(grants::table)
        .values((
            grants::id.eq(&id),
            grants::user_id.eq(user_id),
            grants::role.eq(role.as_str()),
            grants::scope_type.eq(scope.0.as_str()),
            grants::scope_id.eq(scope.1),
            grants::created_at.eq(Utc::now().naive_utc()),
        ))
        .execute(conn)?;
    Ok(id)
}

/// A home community must be a community the caller manages (any, for an operator).
fn check_community(conn: &mut DbConn, caller: Option<&Caller>, id: &str) -> ApiResult<()> {
    let found: Option<(String, String)> = regions::table
        .find(id)
        .select((regions::path, regions::level))
        .first(conn)
        .optional()?;
    match found {
        Some((path, level))
            if level == "community"
                && caller.is_none_or(|c| c.users_manageable().contains(&path)) =>
        {
            Ok(())
        }
        _ => Err(ApiError::field(
            "community_id",
            "not_found",
            "no such community in your scope",
        )),
    }
}

fn create_inner(
    conn: &mut DbConn,
    caller: Option<&Caller>,
    actor: &Actor,
    input: CreateUser,
) -> ApiResult<String> {
    let taken: i64 = users::table
        .filter(users::username.eq(&input.username))
        .count()
        .get_result(conn)?;
    if taken > 0 {
        return Err(ApiError {
            errors: Some(vec![FieldError {
                field: "username".into(),
                code: "duplicate".into(),
                message: "this username is taken".into(),
            }]),
            ..ApiError::conflict(ErrorCode::Duplicate, "this username is taken")
        });
    }
    if caller.is_some_and(|c| !c.is_admin()) && input.grants.is_empty() {
        return Err(ApiError::field(
            "grants",
            "required",
            "give the account at least one role inside your scope",
        ));
    }
    let mut scopes = vec![];
    for (i, g) in input.grants.iter().enumerate() {
        scopes.push((
            g.role,
            check_grant(conn, caller, g, &format!("grants.{i}.scope_id"))?,
        ));
    }
    if let Some(cid) = &input.community_id {
        check_community(conn, caller, cid)?;
    }
    let hash = password::hash(&input.password).map_err(ApiError::internal)?;
    let id = crate::new_id();
    let now = Utc::now().naive_utc();
    diesel::insert_into(users::table)
        .values((
            users::id.eq(&id),
            users::username.eq(&input.username),
            users::display_name.eq(input.display_name.trim()),
            users::password_hash.eq(hash),
            users::active.eq(true),
            users::failed_logins.eq(0),
            users::community_id.eq(&input.community_id),
            users::version.eq(1),
            users::created_at.eq(now),
            users::updated_at.eq(now),
        ))
        .execute(conn)?;
    for (role, scope) in scopes {
        insert_grant(conn, &id, role, scope)?;
    }
    let roles: Vec<&str> = input.grants.iter().map(|g| g.role.as_str()).collect();
    audit::record(
        conn,
        actor,
        "create",
        "user",
        Some(&id),
        Some(json!({"username": input.username, "roles": roles})),
    )?;
    Ok(id)
}

pub fn create(conn: &mut DbConn, caller: &Caller, input: CreateUser) -> ApiResult<UserView> {
    if caller.users_manageable().is_empty() {
        return Err(ApiError::forbidden("managing users needs a staff role"));
    }
    crate::db::write(conn, |c| {
        let id = create_inner(c, Some(caller), &caller.actor(), input)?;
        get(c, caller, &id)
    })
}

/// Accounts linked to a member record and without a home community get the community of the
/// member's grid, else of the region their branch serves (the same rule as the migration that
/// introduced home communities).
pub fn homes_from_member_records(conn: &mut DbConn) -> QueryResult<usize> {
    diesel::sql_query(
        "UPDATE users SET community_id = COALESCE(\
            (SELECT g.community_id FROM members m JOIN grids g ON g.id = m.grid_id WHERE m.user_id = users.id), \
            (SELECT r.id FROM members m JOIN branches b ON b.id = m.branch_id JOIN regions r ON r.id = b.region_id \
              WHERE m.user_id = users.id AND r.level = 'community')) \
         WHERE community_id IS NULL AND EXISTS (SELECT 1 FROM members m WHERE m.user_id = users.id)",
    )
    .execute(conn)
}

/// `tongxin user create`: an operator on the server, so no scope limits apply.
pub fn create_from_cli(
    conn: &mut DbConn,
    username: &str,
    display_name: Option<&str>,
    pw: &str,
    role: &str,
    scope: Option<&str>,
) -> Result<String, String> {
    let role = Role::parse(role).ok_or_else(|| {
        format!(
            "unknown role {role:?}; one of: {}",
            Role::ALL
                .iter()
                .map(|r| r.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )
    })?;
    let input = CreateUser {
        username: username.to_string(),
        display_name: display_name.unwrap_or(username).to_string(),
        password: pw.to_string(),
        grants: vec![CreateGrant {
            role,
            scope_id: scope.map(str::to_owned),
        }],
        community_id: None,
    };
    crate::http::Validate::validate(&input).map_err(|e| {
        e.iter()
            .map(|e| e.message.clone())
            .collect::<Vec<_>>()
            .join("; ")
    })?;
    let actor = Actor {
        id: None,
        name: Some("cli".into()),
        addr: None,
    };
    crate::db::write(conn, |c| create_inner(c, None, &actor, input)).map_err(|e| e.detail)
}

#[derive(AsChangeset)]
#[diesel(table_name = users)]
struct UserChanges {
    community_id: Option<Option<String>>,
    display_name: Option<String>,
    active: Option<bool>,
    password_hash: Option<String>,
    failed_logins: Option<i32>,
    locked_until: Option<Option<NaiveDateTime>>,
    version: i32,
    updated_at: NaiveDateTime,
}

pub fn update(
    conn: &mut DbConn,
    caller: &Caller,
    id: &str,
    input: UpdateUser,
    if_match: Option<i32>,
) -> ApiResult<UserView> {
    crate::db::write(conn, |c| {
        let (row, _) = get_manageable(c, caller, id)?;
        expect_version(row.version, if_match, input.version)?;
        if id == caller.user_id && input.active == Some(false) {
            return Err(ApiError::field(
                "active",
                "self",
                "you cannot disable your own account",
            ));
        }
        let password_hash = match &input.password {
            Some(p) => Some(password::hash(p).map_err(ApiError::internal)?),
            None => None,
        };
        let unlock = input.unlock == Some(true);
        if let Some(Some(cid)) = &input.community_id {
            check_community(c, Some(caller), cid)?;
        }
        let changes = UserChanges {
            community_id: input.community_id.clone(),
            display_name: input
                .display_name
                .as_deref()
                .map(str::trim)
                .map(str::to_owned),
            active: input.active,
            password_hash,
            failed_logins: unlock.then_some(0),
            locked_until: unlock.then_some(None),
            version: row.version + 1,
            updated_at: Utc::now().naive_utc(),
        };
        let changed = diesel::update(users::table.find(id).filter(users::version.eq(row.version)))
            .set(&changes)
            .execute(c)?;
        if changed == 0 {
            return Err(ApiError::precondition_failed(row.version));
        }
        if input.password.is_some() || input.active == Some(false) {
            crate::auth::service::end_sessions(c, id)?;
        }
        if unlock {
            crate::auth::service::clear_throttles(c, id)?;
        }
        audit::record(
            c,
            &caller.actor(),
            "update",
            "user",
            Some(id),
            Some(
                json!({"display_name": changes.display_name, "active": input.active, "password_changed": input.password.is_some(), "unlocked": unlock}),
            ),
        )?;
        get(c, caller, id)
    })
}

pub fn delete(conn: &mut DbConn, caller: &Caller, id: &str) -> ApiResult<()> {
    crate::db::write(conn, |c| {
        let (row, _) = get_manageable(c, caller, id)?;
        if id == caller.user_id {
            return Err(ApiError::conflict(
                ErrorCode::OwnAccount,
                "you cannot delete your own account",
            ));
        }
        diesel::delete(grants::table.filter(grants::user_id.eq(id))).execute(c)?;
        diesel::delete(refresh_tokens::table.filter(refresh_tokens::user_id.eq(id))).execute(c)?;
        diesel::delete(users::table.find(id)).execute(c)?;
        audit::record(
            c,
            &caller.actor(),
            "delete",
            "user",
            Some(id),
            Some(json!({"username": row.username})),
        )?;
        Ok(())
    })
}

pub fn add_grant(
    conn: &mut DbConn,
    caller: &Caller,
    user_id: &str,
    input: CreateGrant,
) -> ApiResult<UserView> {
    crate::db::write(conn, |c| {
        get_manageable(c, caller, user_id)?;
        let scope = check_grant(c, Some(caller), &input, "scope_id")?;
        let gid = insert_grant(c, user_id, input.role, scope.clone())?;
        // A role change ends the account's sessions: tokens carry no roles, but a session that
        // began under other roles is signed in again under the new ones.
        crate::auth::service::end_sessions(c, user_id)?;
        audit::record(
            c,
            &caller.actor(),
            "grant",
            "user",
            Some(user_id),
            Some(json!({"grant_id": gid, "role": input.role, "scope_id": scope.1})),
        )?;
        get(c, caller, user_id)
    })
}

pub fn remove_grant(
    conn: &mut DbConn,
    caller: &Caller,
    user_id: &str,
    grant_id: &str,
) -> ApiResult<()> {
    crate::db::write(conn, |c| {
        let (_, g) = get_manageable(c, caller, user_id)?;
        let Some(grant) = g.iter().find(|g| g.id == grant_id) else {
            return Err(ApiError::not_found("grant"));
        };
        if user_id == caller.user_id && grant.role.is_staff() {
            return Err(ApiError::conflict(
                ErrorCode::OwnAccount,
                "you cannot remove your own staff role",
            ));
        }
        diesel::delete(grants::table.find(grant_id)).execute(c)?;
        crate::auth::service::end_sessions(c, user_id)?;
        audit::record(
            c,
            &caller.actor(),
            "revoke",
            "user",
            Some(user_id),
            Some(json!({"grant_id": grant_id, "role": grant.role})),
        )?;
        Ok(())
    })
}

/// Demo and bench loaders: an operator action, like the command line.
pub fn create_demo(conn: &mut DbConn, actor: &Actor, input: CreateUser) -> ApiResult<String> {
    create_inner(conn, None, actor, input)
}
