//! Sign-in rules: lockout after repeated failures, refresh-token rotation with reuse detection.
use chrono::{Duration, NaiveDateTime, Utc};
use diesel::prelude::*;
use rand::RngCore;
use sha2::{Digest, Sha256};

use super::caller::Actor;
use super::password;
use crate::audit;
use crate::config::AuthArgs;
use crate::db::schema::{refresh_tokens, users};
use crate::db::DbConn;
use crate::error::ApiError;

pub struct Issued {
    pub user_id: String,
    pub refresh_token: String,
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

fn store_refresh(conn: &mut DbConn, user_id: &str, family_id: &str, cfg: &AuthArgs) -> QueryResult<String> {
    let token = new_refresh_token();
    let at = now();
    diesel::insert_into(refresh_tokens::table)
        .values((
            refresh_tokens::id.eq(crate::new_id()),
            refresh_tokens::user_id.eq(user_id),
            refresh_tokens::family_id.eq(family_id),
            refresh_tokens::token_hash.eq(token_hash(&token)),
            refresh_tokens::created_at.eq(at),
            refresh_tokens::expires_at.eq(at + Duration::seconds(cfg.refresh_token_ttl_secs as i64)),
        ))
        .execute(conn)?;
    Ok(token)
}

fn locked_error(until: NaiveDateTime) -> ApiError {
    let secs = (until - now()).num_seconds().max(1) as u64;
    ApiError {
        retry_after: Some(secs),
        ..ApiError::unauthorized(
            "account_locked",
            format!("too many failed sign-ins; the account is locked until {} UTC", until.format("%Y-%m-%d %H:%M:%S")),
        )
    }
}

/// Checks a username and password, counting failures towards the lockout; returns the user id.
/// The password is verified even for an unknown user so that timing does not reveal which
/// usernames exist.
fn authenticate(conn: &mut DbConn, username: &str, pw: &str, addr: Option<String>, cfg: &AuthArgs) -> Result<(String, Actor), ApiError> {
    let user: Option<(String, String, bool, i32, Option<NaiveDateTime>)> = users::table
        .filter(users::username.eq(username))
        .select((users::id, users::password_hash, users::active, users::failed_logins, users::locked_until))
        .first(conn)
        .optional()?;
    let invalid = || ApiError::unauthorized("invalid_credentials", "the username or password is wrong");
    let Some((user_id, hash, active, failed, locked_until)) = user else {
        password::verify(pw, password::dummy_hash());
        let actor = Actor { id: None, name: Some(username.to_string()), addr };
        audit::record(conn, &actor, "login_failed", "user", None, Some(serde_json::json!({"reason": "unknown_user"})))?;
        return Err(invalid());
    };
    let actor = Actor { id: Some(user_id.clone()), name: Some(username.to_string()), addr };
    if let Some(until) = locked_until.filter(|u| *u > now()) {
        password::verify(pw, &hash);
        audit::record(conn, &actor, "login_failed", "user", Some(&user_id), Some(serde_json::json!({"reason": "locked"})))?;
        return Err(locked_error(until));
    }
    if !active || !password::verify(pw, &hash) {
        let failed = failed + 1;
        let lock = failed >= cfg.lockout_threshold as i32;
        let until = now() + Duration::seconds(cfg.lockout_secs as i64);
        crate::db::write(conn, |c| {
            diesel::update(users::table.find(&user_id))
                .set((
                    users::failed_logins.eq(if lock { 0 } else { failed }),
                    users::locked_until.eq(if lock { Some(until) } else { None }),
                ))
                .execute(c)?;
            let reason = if !active { "disabled" } else if lock { "locked_now" } else { "bad_password" };
            audit::record(c, &actor, "login_failed", "user", Some(&user_id), Some(serde_json::json!({"reason": reason, "failed": failed})))
        })?;
        return Err(if lock && active { locked_error(until) } else { invalid() });
    }
    diesel::update(users::table.find(&user_id))
        .set((users::failed_logins.eq(0), users::locked_until.eq(None::<NaiveDateTime>)))
        .execute(conn)?;
    Ok((user_id, actor))
}

/// Signs a person in: a new session (refresh-token family).
pub fn login(conn: &mut DbConn, username: &str, pw: &str, addr: Option<String>, cfg: &AuthArgs) -> Result<Issued, ApiError> {
    let (user_id, actor) = authenticate(conn, username, pw, addr, cfg)?;
    crate::db::write(conn, |c| {
        let refresh_token = store_refresh(c, &user_id, &crate::new_id(), cfg)?;
        audit::record(c, &actor, "login", "user", Some(&user_id), None)?;
        Ok(Issued { user_id: user_id.clone(), refresh_token })
    })
}

/// OAuth 2.0 client credentials for integrations: an account holding the `integration` role gets
/// an access token (no refresh token: a client simply asks again).
pub fn client_credentials(conn: &mut DbConn, client_id: &str, secret: &str, addr: Option<String>, cfg: &AuthArgs) -> Result<String, ApiError> {
    use crate::db::schema::grants;
    let (user_id, actor) = authenticate(conn, client_id, secret, addr, cfg).map_err(|e| {
        if e.code == "invalid_credentials" {
            ApiError::unauthorized("invalid_client", "the client id or secret is wrong")
        } else {
            e
        }
    })?;
    let is_integration: i64 =
        grants::table.filter(grants::user_id.eq(&user_id)).filter(grants::role.eq("integration")).count().get_result(conn)?;
    if is_integration == 0 {
        return Err(ApiError::unauthorized("invalid_client", "this account is not an integration client; sign in with /auth/login"));
    }
    audit::record(conn, &actor, "token", "user", Some(&user_id), Some(serde_json::json!({"grant_type": "client_credentials"})))?;
    Ok(user_id)
}

/// Exchanges a refresh token for a new one in the same family. A token that was already rotated
/// or revoked is a sign of theft: the whole family is revoked and the caller must sign in again.
pub fn refresh(conn: &mut DbConn, token: &str, addr: Option<String>, cfg: &AuthArgs) -> Result<Issued, ApiError> {
    let hash = token_hash(token);
    crate::db::write(conn, |c| {
        let row: Option<(String, String, String, NaiveDateTime, Option<NaiveDateTime>, Option<NaiveDateTime>)> = refresh_tokens::table
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
            return Err(ApiError::unauthorized("invalid_refresh_token", "the refresh token is not valid"));
        };
        let actor = Actor { id: Some(user_id.clone()), name: None, addr: addr.clone() };
        // A concurrent rotation of the same token shows up as zero rows updated below.
        let rotated = if rotated_at.is_none() && revoked_at.is_none() {
            diesel::update(refresh_tokens::table.find(&id).filter(refresh_tokens::rotated_at.is_null()))
                .set(refresh_tokens::rotated_at.eq(now()))
                .execute(c)?
        } else {
            0
        };
        if rotated == 0 {
            if revoked_at.is_none() || rotated_at.is_some() {
                revoke_family(c, &family_id)?;
                audit::record(c, &actor, "refresh_reuse", "user", Some(&user_id), Some(serde_json::json!({"family": family_id})))?;
            }
            return Ok(Err(ApiError::unauthorized(
                "refresh_token_reused",
                "this refresh token was already used or revoked; sign in again",
            )));
        }
        if expires_at <= now() {
            return Ok(Err(ApiError::unauthorized("refresh_token_expired", "the refresh token has expired; sign in again")));
        }
        let active: bool = users::table.find(&user_id).select(users::active).first(c)?;
        if !active {
            revoke_family(c, &family_id)?;
            return Ok(Err(ApiError::unauthorized("unauthorized", "the account is disabled")));
        }
        let refresh_token = store_refresh(c, &user_id, &family_id, cfg)?;
        Ok(Ok(Issued { user_id, refresh_token }))
    })?
}

fn revoke_family(conn: &mut DbConn, family_id: &str) -> QueryResult<usize> {
    diesel::update(refresh_tokens::table.filter(refresh_tokens::family_id.eq(family_id)).filter(refresh_tokens::revoked_at.is_null()))
        .set(refresh_tokens::revoked_at.eq(now()))
        .execute(conn)
}

/// Revokes the family of a refresh token (sign-out on this device). Unknown tokens are ignored.
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
            let actor = Actor { id: Some(user_id.clone()), name: None, addr };
            audit::record(c, &actor, "logout", "user", Some(&user_id), None)?;
        }
        Ok(())
    })
}
