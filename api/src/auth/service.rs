//! Sign-in rules: lockout after repeated failures, refresh-token rotation with reuse detection.
use chrono::{Duration, NaiveDateTime, Utc};
use diesel::prelude::*;
use rand::RngCore;
use sha2::{Digest, Sha256};

use super::caller::Actor;
use super::password;
use crate::audit;
use crate::config::AuthArgs;
use crate::db::schema::{login_throttles, refresh_tokens, users};
use crate::db::DbConn;
use crate::error::ApiError;
use crate::error::ErrorCode;

pub struct Issued {
    pub user_id: String,
    pub refresh_token: String,
    /// Goes into the access token: see [`end_sessions`].
    pub session_version: i32,
}

/// Ends every session of an account at once: its refresh tokens are revoked and its session
/// version moves on, so that access tokens issued before (which carry the old version) are
/// refused by the `Caller` extractor on every instance as soon as it reloads the account (at
/// once here; within `CALLER_TTL` elsewhere). Called on sign-out, a password change or reset,
/// disabling, a role change and a detected refresh-token reuse.
pub fn end_sessions(conn: &mut DbConn, user_id: &str) -> QueryResult<()> {
    diesel::update(users::table.find(user_id))
        .set(users::session_version.eq(users::session_version + 1))
        .execute(conn)?;
    diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::user_id.eq(user_id))
            .filter(refresh_tokens::revoked_at.is_null()),
    )
    .set(refresh_tokens::revoked_at.eq(now()))
    .execute(conn)?;
    crate::db::after_commit(conn, super::caller::invalidate_cached_callers);
    Ok(())
}

fn session_version(conn: &mut DbConn, user_id: &str) -> QueryResult<i32> {
    users::table
        .find(user_id)
        .select(users::session_version)
        .first(conn)
}

fn now() -> NaiveDateTime {
    Utc::now().naive_utc()
}

pub fn token_hash(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

fn new_refresh_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, bytes)
}

fn store_refresh(
    conn: &mut DbConn,
    user_id: &str,
    family_id: &str,
    cfg: &AuthArgs,
) -> QueryResult<String> {
    let token = new_refresh_token();
    let at = now();
    diesel::insert_into(refresh_tokens::table)
        .values((
            refresh_tokens::id.eq(crate::new_id()),
            refresh_tokens::user_id.eq(user_id),
            refresh_tokens::family_id.eq(family_id),
            refresh_tokens::token_hash.eq(token_hash(&token)),
            refresh_tokens::created_at.eq(at),
            refresh_tokens::expires_at
                .eq(at + Duration::seconds(cfg.refresh_token_ttl_secs as i64)),
        ))
        .execute(conn)?;
    Ok(token)
}

fn locked_error(until: NaiveDateTime) -> ApiError {
    let secs = (until - now()).num_seconds().max(1) as u64;
    ApiError {
        retry_after: Some(secs),
        ..ApiError::unauthorized(
            ErrorCode::AccountLocked,
            format!(
                "too many failed sign-ins; the account is locked until {} UTC",
                until.format("%Y-%m-%d %H:%M:%S")
            ),
        )
    }
}

/// The wait a source has earned after `failures` wrong passwords for one account: nothing below
/// the threshold, then the lockout time, doubling with each further failure (at most a day).
pub fn throttle_delay(failures: i32, cfg: &AuthArgs) -> Option<Duration> {
    let over = failures - cfg.lockout_threshold as i32;
    (over >= 0).then(|| {
        Duration::seconds(
            (cfg.lockout_secs as i64)
                .saturating_mul(1i64 << over.min(20))
                .min(24 * 3600),
        )
    })
}

/// Counts a failure of `source` for the account; returns until when the source is now blocked.
fn throttle_fail(
    conn: &mut DbConn,
    user_id: &str,
    source: &str,
    cfg: &AuthArgs,
) -> QueryResult<Option<NaiveDateTime>> {
    let at = now();
    let failures: Option<i32> = login_throttles::table
        .find((user_id, source))
        .select(login_throttles::failures)
        .first(conn)
        .optional()?;
    let failures = failures.unwrap_or(0) + 1;
    let until = throttle_delay(failures, cfg).map(|d| at + d);
    let row = (
        login_throttles::failures.eq(failures),
        login_throttles::blocked_until.eq(until),
        login_throttles::updated_at.eq(at),
    );
    if failures == 1 {
        diesel::insert_into(login_throttles::table)
            .values((
                login_throttles::user_id.eq(user_id),
                login_throttles::source.eq(source),
                row.0,
                row.1,
                row.2,
            ))
            .execute(conn)?;
    } else {
        diesel::update(login_throttles::table.find((user_id, source)))
            .set(row)
            .execute(conn)?;
    }
    if let Some(u) = until {
        // Shown to staff in the users list; sign-in itself looks only at the source's own row.
        diesel::update(users::table.find(user_id))
            .set(users::locked_until.eq(Some(u)))
            .execute(conn)?;
    }
    Ok(until)
}

/// Checks a username and password from a source address. Failures are counted per account *and*
/// source: past the threshold that source waits (longer with each failure) while the account
/// stays open to everyone else, so one attacker cannot lock an administrator out. Every attempt
/// costs one password hash — for an unknown user, a disabled one or a blocked source too — so
/// timing reveals nothing.
fn authenticate(
    conn: &mut DbConn,
    username: &str,
    pw: &str,
    addr: Option<String>,
    cfg: &AuthArgs,
) -> Result<(String, Actor), ApiError> {
    let user: Option<(String, String, bool)> = users::table
        .filter(users::username.eq(username))
        .select((users::id, users::password_hash, users::active))
        .first(conn)
        .optional()?;
    let invalid = || {
        ApiError::unauthorized(
            ErrorCode::InvalidCredentials,
            "the username or password is wrong",
        )
    };
    let Some((user_id, hash, active)) = user else {
        password::verify(pw, password::dummy_hash());
        let actor = Actor {
            id: None,
            name: Some(username.to_string()),
            addr,
        };
        audit::record(
            conn,
            &actor,
            "login_failed",
            "user",
            None,
            Some(serde_json::json!({"reason": "unknown_user"})),
        )?;
        return Err(invalid());
    };
    let source = addr.clone().unwrap_or_else(|| "unknown".into());
    let actor = Actor {
        id: Some(user_id.clone()),
        name: Some(username.to_string()),
        addr,
    };
    let blocked: Option<NaiveDateTime> = login_throttles::table
        .find((&user_id, &source))
        .select(login_throttles::blocked_until)
        .first::<Option<NaiveDateTime>>(conn)
        .optional()?
        .flatten()
        .filter(|u| *u > now());
    let password_ok = password::verify(pw, &hash);
    if let Some(until) = blocked {
        audit::record(
            conn,
            &actor,
            "login_failed",
            "user",
            Some(&user_id),
            Some(serde_json::json!({"reason": "locked"})),
        )?;
        return Err(locked_error(until));
    }
    if !active || !password_ok {
        let until = crate::db::write(conn, |c| {
            let until = throttle_fail(c, &user_id, &source, cfg)?;
            let reason = if !active {
                "disabled"
            } else if until.is_some() {
                "locked_now"
            } else {
                "bad_password"
            };
            audit::record(
                c,
                &actor,
                "login_failed",
                "user",
                Some(&user_id),
                Some(serde_json::json!({"reason": reason})),
            )?;
            Ok::<_, ApiError>(until)
        })?;
        return Err(match until {
            Some(u) if active => locked_error(u),
            _ => invalid(),
        });
    }
    diesel::delete(login_throttles::table.find((&user_id, &source))).execute(conn)?;
    Ok((user_id, actor))
}

/// Staff unlocking an account clear every source's count.
pub fn clear_throttles(conn: &mut DbConn, user_id: &str) -> QueryResult<usize> {
    diesel::delete(login_throttles::table.filter(login_throttles::user_id.eq(user_id)))
        .execute(conn)
}

/// Signs a person in: a new session (refresh-token family).
pub fn login(
    conn: &mut DbConn,
    username: &str,
    pw: &str,
    addr: Option<String>,
    cfg: &AuthArgs,
) -> Result<Issued, ApiError> {
    let (user_id, actor) = authenticate(conn, username, pw, addr, cfg)?;
    crate::db::write(conn, |c| {
        let refresh_token = store_refresh(c, &user_id, &crate::new_id(), cfg)?;
        audit::record(c, &actor, "login", "user", Some(&user_id), None)?;
        Ok(Issued {
            session_version: session_version(c, &user_id)?,
            user_id: user_id.clone(),
            refresh_token,
        })
    })
}

/// OAuth 2.0 client credentials for integrations: an account holding the `integration` role gets
/// an access token (no refresh token: a client simply asks again).
pub fn client_credentials(
    conn: &mut DbConn,
    client_id: &str,
    secret: &str,
    addr: Option<String>,
    cfg: &AuthArgs,
) -> Result<(String, i32), ApiError> {
    use crate::db::schema::grants;
    let (user_id, actor) = authenticate(conn, client_id, secret, addr, cfg).map_err(|e| {
        if e.code == ErrorCode::InvalidCredentials {
            ApiError::unauthorized(ErrorCode::InvalidClient, "the client id or secret is wrong")
        } else {
            e
        }
    })?;
    let is_integration: i64 = grants::table
        .filter(grants::user_id.eq(&user_id))
        .filter(grants::role.eq("integration"))
        .count()
        .get_result(conn)?;
    if is_integration == 0 {
        return Err(ApiError::unauthorized(
            ErrorCode::InvalidClient,
            "this account is not an integration client; sign in with /auth/login",
        ));
    }
    audit::record(
        conn,
        &actor,
        "token",
        "user",
        Some(&user_id),
        Some(serde_json::json!({"grant_type": "client_credentials"})),
    )?;
    let version = session_version(conn, &user_id)?;
    Ok((user_id, version))
}

/// Exchanges a refresh token for a new one in the same family. A token that was already rotated
/// or revoked is a sign of theft: the whole family is revoked and the caller must sign in again.
pub fn refresh(
    conn: &mut DbConn,
    token: &str,
    addr: Option<String>,
    cfg: &AuthArgs,
) -> Result<Issued, ApiError> {
    let hash = token_hash(token);
    crate::db::write(conn, |c| {
        let row: Option<(
            String,
            String,
            String,
            NaiveDateTime,
            Option<NaiveDateTime>,
            Option<NaiveDateTime>,
        )> = refresh_tokens::table
            .filter(refresh_tokens::token_hash.eq(&hash))
            .select((
                refresh_tokens::id,
                refresh_tokens::user_id,
                refresh_tokens::family_id,
                refresh_tokens::expires_at,
                refresh_tokens::rotated_at,
                refresh_tokens::revoked_at,
            ))
            .first(c)
            .optional()?;
        let Some((id, user_id, family_id, expires_at, rotated_at, revoked_at)) = row else {
            return Err(ApiError::unauthorized(
                ErrorCode::InvalidRefreshToken,
                "the refresh token is not valid",
            ));
        };
        let actor = Actor {
            id: Some(user_id.clone()),
            name: None,
            addr: addr.clone(),
        };
        // A concurrent rotation of the same token shows up as zero rows updated below.
        let rotated = if rotated_at.is_none() && revoked_at.is_none() {
            diesel::update(
                refresh_tokens::table
                    .find(&id)
                    .filter(refresh_tokens::rotated_at.is_null()),
            )
            .set(refresh_tokens::rotated_at.eq(now()))
            .execute(c)?
        } else {
            0
        };
        if rotated == 0 {
            // Two tabs of one browser share the cookie and may refresh in the same instant: the
            // one that lost the race presents the token the other just rotated. Within a few
            // seconds that is a race, not theft — the loser is told to retry with the cookie it
            // now has, and nothing is revoked (it is issued nothing either).
            if revoked_at.is_none()
                && rotated_at
                    .is_some_and(|t| now() - t < Duration::seconds(cfg.refresh_grace_secs as i64))
            {
                return Ok(Err(ApiError::unauthorized(ErrorCode::RefreshTokenRotated, "this refresh token was just rotated by another request; retry with the new one")));
            }
            if revoked_at.is_none() || rotated_at.is_some() {
                // A stolen token was probably used: every session of the account ends.
                revoke_family(c, &family_id)?;
                end_sessions(c, &user_id)?;
                audit::record(
                    c,
                    &actor,
                    "refresh_reuse",
                    "user",
                    Some(&user_id),
                    Some(serde_json::json!({"family": family_id})),
                )?;
            }
            return Ok(Err(ApiError::unauthorized(
                ErrorCode::RefreshTokenReused,
                "this refresh token was already used or revoked; sign in again",
            )));
        }
        if expires_at <= now() {
            return Ok(Err(ApiError::unauthorized(
                ErrorCode::RefreshTokenExpired,
                "the refresh token has expired; sign in again",
            )));
        }
        let active: bool = users::table.find(&user_id).select(users::active).first(c)?;
        if !active {
            revoke_family(c, &family_id)?;
            return Ok(Err(ApiError::unauthorized(
                ErrorCode::Unauthorized,
                "the account is disabled",
            )));
        }
        let refresh_token = store_refresh(c, &user_id, &family_id, cfg)?;
        let version = session_version(c, &user_id)?;
        Ok(Ok(Issued {
            user_id,
            refresh_token,
            session_version: version,
        }))
    })?
}

fn revoke_family(conn: &mut DbConn, family_id: &str) -> QueryResult<usize> {
    diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::family_id.eq(family_id))
            .filter(refresh_tokens::revoked_at.is_null()),
    )
    .set(refresh_tokens::revoked_at.eq(now()))
    .execute(conn)
}

/// Signs out: every session of the token's account ends (see [`end_sessions`]). Unknown tokens
/// are ignored.
pub fn logout(conn: &mut DbConn, token: &str, addr: Option<String>) -> Result<(), ApiError> {
    let hash = token_hash(token);
    crate::db::write(conn, |c| {
        let row: Option<(String, String)> = refresh_tokens::table
            .filter(refresh_tokens::token_hash.eq(&hash))
            .select((refresh_tokens::user_id, refresh_tokens::family_id))
            .first(c)
            .optional()?;
        if let Some((user_id, family_id)) = row {
            revoke_family(c, &family_id)?;
            end_sessions(c, &user_id)?;
            let actor = Actor {
                id: Some(user_id.clone()),
                name: None,
                addr,
            };
            audit::record(c, &actor, "logout", "user", Some(&user_id), None)?;
        }
        Ok(())
    })
}
