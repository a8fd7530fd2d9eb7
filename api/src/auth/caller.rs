//! The `Caller` extractor: who is asking, with the scopes of their grants resolved to tree paths.
//! Every authorization decision is a method here or in `policy`; handlers never inspect grants.
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpRequest};
use diesel::prelude::*;

use super::roles::{Role, ScopeType};
use crate::db::schema::{branches, grants, grids, regions, users};
use crate::db::DbConn;
use crate::error::ApiError;
use crate::error::ErrorCode;
use crate::AppState;

#[derive(Debug, Clone)]
pub struct ResolvedGrant {
    pub id: String,
    pub role: Role,
    pub scope_type: ScopeType,
    pub scope_id: Option<String>,
    pub scope_name: Option<String>,
    /// The materialized path of the scope node (region or branch).
    pub scope_path: Option<String>,
    /// For a branch grant, the path of the region the branch serves.
    pub region_path: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Caller {
    pub user_id: String,
    pub username: String,
    pub display_name: String,
    pub grants: Vec<ResolvedGrant>,
    pub client_addr: Option<String>,
    /// The account's session version: tokens issued under another one are refused.
    pub session_version: i32,
    /// The home community of a resident or member (poll electorates, screen defaults).
    pub community_id: Option<String>,
}

/// Who did something, for audit events.
#[derive(Debug, Clone)]
pub struct Actor {
    pub id: Option<String>,
    pub name: Option<String>,
    pub addr: Option<String>,
}

impl Caller {
    pub fn actor(&self) -> Actor {
        Actor {
            id: Some(self.user_id.clone()),
            name: Some(self.username.clone()),
            addr: self.client_addr.clone(),
        }
    }
    pub fn has_role(&self, role: Role) -> bool {
        self.grants.iter().any(|g| g.role == role)
    }
    pub fn is_admin(&self) -> bool {
        self.has_role(Role::Admin)
    }
}

/// Bumped by every audited change (see `audit::record`): a cached caller from an older generation
/// is reloaded. Changes made by another instance are seen within [`CALLER_TTL`].
static GENERATION: AtomicU64 = AtomicU64::new(0);
pub const CALLER_TTL: Duration = Duration::from_secs(5);
const CALLER_CACHE_MAX: usize = 10_000;

pub fn invalidate_cached_callers() {
    GENERATION.fetch_add(1, Ordering::SeqCst);
}

/// Resolved callers by user id, so that a request does not reload the account and its grants.
#[derive(Default)]
pub struct CallerCache {
    map: Mutex<HashMap<String, (Instant, u64, Caller)>>,
}

impl CallerCache {
    fn get(&self, user_id: &str) -> Option<Caller> {
        let map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        let (at, generation, caller) = map.get(user_id)?;
        (at.elapsed() < CALLER_TTL && *generation == GENERATION.load(Ordering::SeqCst))
            .then(|| caller.clone())
    }

    fn put(&self, caller: &Caller, generation: u64) {
        let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() >= CALLER_CACHE_MAX {
            map.clear();
        }
        map.insert(
            caller.user_id.clone(),
            (Instant::now(), generation, caller.clone()),
        );
    }
}

/// Loads the user's grants with the paths of their scopes.
pub fn resolve_grants(conn: &mut DbConn, user_id: &str) -> QueryResult<Vec<ResolvedGrant>> {
    let rows: Vec<(String, Role, ScopeType, Option<String>)> = grants::table
        .filter(grants::user_id.eq(user_id))
        .order(grants::created_at.asc())
        .select((
            grants::id,
            grants::role,
            grants::scope_type,
            grants::scope_id,
        ))
        .load(conn)?;
    let mut out = Vec::with_capacity(rows.len());
    for (id, role, scope_type, scope_id) in rows {
        let (mut scope_name, mut scope_path, mut region_path) = (None, None, None);
        match (scope_type, scope_id.as_deref()) {
            (ScopeType::Region, Some(sid)) => {
                if let Some((name, path)) = regions::table
                    .find(sid)
                    .select((regions::name, regions::path))
                    .first::<(String, String)>(conn)
                    .optional()?
                {
                    scope_name = Some(name);
                    region_path = Some(path.clone());
                    scope_path = Some(path);
                }
            }
            (ScopeType::Branch, Some(sid)) => {
                if let Some((name, path, rpath)) = branches::table
                    .inner_join(regions::table)
                    .filter(branches::id.eq(sid))
                    .select((branches::name, branches::path, regions::path))
                    .first::<(String, String, String)>(conn)
                    .optional()?
                {
                    scope_name = Some(name);
                    scope_path = Some(path);
                    region_path = Some(rpath);
                }
            }
            (ScopeType::Grid, Some(sid)) => {
                match grids::table
                    .inner_join(regions::table)
                    .filter(grids::id.eq(sid))
                    .select((grids::name, regions::path))
                    .first::<(String, String)>(conn)
                    .optional()?
                {
                    Some((name, community_path)) => {
                        scope_name = Some(name);
                        region_path = Some(community_path);
                    }
                    None => continue,
                }
            }
            (ScopeType::Unit, Some(sid)) => {
                match crate::db::schema::units::table
                    .find(sid)
                    .select(crate::db::schema::units::name)
                    .first::<String>(conn)
                    .optional()?
                {
                    Some(name) => scope_name = Some(name),
                    None => continue,
                }
            }
            _ => {}
        }
        // A grant whose scope node is gone grants nothing (fail closed).
        if matches!(scope_type, ScopeType::Region | ScopeType::Branch) && scope_path.is_none() {
            continue;
        }
        out.push(ResolvedGrant {
            id,
            role,
            scope_type,
            scope_id,
            scope_name,
            scope_path,
            region_path,
        });
    }
    Ok(out)
}

/// Loads an active user as a caller.
pub fn load_caller(
    conn: &mut DbConn,
    user_id: &str,
    client_addr: Option<String>,
) -> Result<Caller, ApiError> {
    let user: Option<(String, String, bool, i32, Option<String>)> = users::table
        .find(user_id)
        .select((
            users::username,
            users::display_name,
            users::active,
            users::session_version,
            users::community_id,
        ))
        .first(conn)
        .optional()?;
    match user {
        Some((username, display_name, true, session_version, community_id)) => Ok(Caller {
            user_id: user_id.to_string(),
            username,
            display_name,
            grants: resolve_grants(conn, user_id)?,
            client_addr,
            session_version,
            community_id,
        }),
        _ => Err(ApiError::unauthorized(
            ErrorCode::Unauthorized,
            "the account does not exist or is disabled",
        )),
    }
}

pub fn bearer_token(req: &HttpRequest) -> Option<&str> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let token = bearer_token(req).map(str::to_owned);
        let addr = state
            .as_ref()
            .and_then(|s| crate::http::request_client_ip(req, &s.auth.trusted_proxies))
            .map(|ip| ip.to_string());
        Box::pin(async move {
            let state = state.ok_or_else(|| ApiError::internal("AppState missing"))?;
            let token = token.ok_or_else(|| {
                ApiError::unauthorized(
                    ErrorCode::Unauthorized,
                    "send an access token: Authorization: Bearer <token>",
                )
            })?;
            let claims = state.keys.verify(&token).map_err(|expired| {
                if expired {
                    ApiError::unauthorized(
                        ErrorCode::TokenExpired,
                        "the access token has expired; refresh it",
                    )
                } else {
                    ApiError::unauthorized(ErrorCode::Unauthorized, "the access token is not valid")
                }
            })?;
            let revoked = || {
                ApiError::unauthorized(
                    ErrorCode::SessionRevoked,
                    "this session has ended (signed out, password or role changed); sign in again",
                )
            };
            if let Some(mut caller) = state.callers.get(&claims.sub) {
                // A token older than the account's sessions is refused; a newer one (issued by
                // another instance after a change) reloads the account.
                if claims.sv < caller.session_version {
                    return Err(revoked());
                }
                if claims.sv == caller.session_version {
                    caller.client_addr = addr;
                    return Ok(caller);
                }
            }
            // Read the generation before loading, so a change committed meanwhile is not cached as current.
            let generation = GENERATION.load(Ordering::SeqCst);
            let sub = claims.sub.clone();
            let caller = crate::db::run(&state.pool, move |c| load_caller(c, &sub, addr)).await?;
            state.callers.put(&caller, generation);
            if claims.sv != caller.session_version {
                return Err(revoked());
            }
            Ok(caller)
        })
    }
}
