//! `Idempotency-Key` on `POST`: the same key and body replay the first response; the same key
//! with another body is a 409 `idempotency_conflict`; a key still being processed is a 409
//! `idempotency_in_progress`. Keys belong to the caller (the token's subject) and live 24 hours.
//! Only successful responses are kept, so a request that failed may be corrected and retried.
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{header, Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{web, HttpResponse};
use chrono::{Duration, Utc};
use diesel::prelude::*;
use sha2::{Digest, Sha256};

use crate::db::schema::idempotency_keys;
use crate::error::ApiError;
use crate::AppState;

pub const HEADER: &str = "idempotency-key";
const MAX_KEY_LEN: usize = 255;
const TTL_HOURS: i64 = 24;

enum Claim {
    Fresh(String),
    Replay { status: u16, location: Option<String>, body: String },
}

pub async fn middleware(mut req: ServiceRequest, next: Next<impl MessageBody + 'static>) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let key = req.headers().get(HEADER).and_then(|v| v.to_str().ok()).map(|s| s.trim().to_string());
    let applies = req.method() == Method::POST && req.path().starts_with("/api/v1/") && !req.path().starts_with("/api/v1/auth/");
    let (Some(key), true) = (key, applies) else {
        return next.call(req).await.map(|r| r.map_into_boxed_body());
    };
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return next.call(req).await.map(|r| r.map_into_boxed_body());
    };
    if key.is_empty() || key.len() > MAX_KEY_LEN {
        let err = ApiError::bad_request("invalid_idempotency_key", format!("Idempotency-Key must be 1 to {MAX_KEY_LEN} characters"));
        return Ok(req.into_response(actix_web::ResponseError::error_response(&err)));
    }
    // Unauthenticated requests pass through: the handler answers 401 and nothing is stored.
    let owner = match crate::auth::caller::bearer_token(req.request()).map(|t| state.keys.verify(t)) {
        Some(Ok(claims)) => claims.sub,
        _ => return next.call(req).await.map(|r| r.map_into_boxed_body()),
    };

    let body = match req.extract::<web::Bytes>().await {
        Ok(body) => body,
        Err(e) => return Ok(req.into_response(actix_web::ResponseError::error_response(&crate::http::body_error(e)))),
    };
    let mut hasher = Sha256::new();
    hasher.update(req.method().as_str());
    hasher.update([0]);
    hasher.update(req.path());
    hasher.update([0]);
    hasher.update(req.query_string());
    hasher.update([0]);
    hasher.update(&body);
    let request_hash: String = hasher.finalize().iter().map(|b| format!("{b:02x}")).collect();

    let claim = {
        let (owner, key, request_hash) = (owner.clone(), key.clone(), request_hash.clone());
        crate::db::run(&state.pool, move |c| claim(c, &owner, &key, &request_hash)).await
    };
    let id = match claim {
        Err(e) => return Ok(req.into_response(actix_web::ResponseError::error_response(&e))),
        Ok(Claim::Replay { status, location, body }) => {
            let mut res = HttpResponse::build(StatusCode::from_u16(status).unwrap_or(StatusCode::OK));
            res.insert_header((header::CONTENT_TYPE, "application/json")).insert_header(("Idempotent-Replayed", "true"));
            if let Some(loc) = location {
                res.insert_header((header::LOCATION, loc));
            }
            return Ok(req.into_response(res.body(body)));
        }
        Ok(Claim::Fresh(id)) => id,
    };

    let (_, mut payload) = actix_http::h1::Payload::create(true);
    payload.unread_data(body);
    req.set_payload(payload.into());
    let res = next.call(req).await;

    let outcome = match res {
        Ok(res) if res.status().is_success() => {
            let status = res.status().as_u16();
            let location = res.headers().get(header::LOCATION).and_then(|v| v.to_str().ok()).map(str::to_owned);
            let (http_req, response) = res.into_parts();
            let (head, body) = response.into_parts();
            let bytes = actix_web::body::to_bytes(body).await.map_err(|_| ApiError::internal("cannot buffer the response"))?;
            let text = String::from_utf8_lossy(&bytes).into_owned();
            let id2 = id.clone();
            crate::db::run(&state.pool, move |c| {
                diesel::update(idempotency_keys::table.find(&id2))
                    .set((idempotency_keys::status.eq(Some(i32::from(status))), idempotency_keys::location.eq(location), idempotency_keys::body.eq(Some(text))))
                    .execute(c)?;
                Ok(())
            })
            .await?;
            return Ok(ServiceResponse::new(http_req, head.set_body(bytes).map_into_boxed_body()));
        }
        other => other,
    };
    // Anything else releases the key, so the client can retry (perhaps with a corrected body).
    crate::db::run(&state.pool, move |c| Ok(diesel::delete(idempotency_keys::table.find(&id)).execute(c)?)).await?;
    outcome.map(|r| r.map_into_boxed_body())
}

fn claim(conn: &mut crate::db::DbConn, owner: &str, key: &str, request_hash: &str) -> Result<Claim, ApiError> {
    let now = Utc::now().naive_utc();
    let cutoff = now - Duration::hours(TTL_HOURS);
    diesel::delete(idempotency_keys::table.filter(idempotency_keys::owner.eq(owner)).filter(idempotency_keys::key.eq(key)).filter(idempotency_keys::created_at.lt(cutoff)))
        .execute(conn)?;
    let id = crate::new_id();
    let inserted = diesel::insert_into(idempotency_keys::table)
        .values((
            idempotency_keys::id.eq(&id),
            idempotency_keys::owner.eq(owner),
            idempotency_keys::key.eq(key),
            idempotency_keys::request_hash.eq(request_hash),
            idempotency_keys::created_at.eq(now),
        ))
        .execute(conn);
    match inserted {
        Ok(_) => Ok(Claim::Fresh(id)),
        Err(diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)) => {
            let (hash, status, location, body): (String, Option<i32>, Option<String>, Option<String>) = idempotency_keys::table
                .filter(idempotency_keys::owner.eq(owner))
                .filter(idempotency_keys::key.eq(key))
                .select((idempotency_keys::request_hash, idempotency_keys::status, idempotency_keys::location, idempotency_keys::body))
                .first(conn)?;
            if hash != request_hash {
                return Err(ApiError::conflict("idempotency_conflict", "this Idempotency-Key was used with a different request"));
            }
            match (status, body) {
                (Some(status), Some(body)) => Ok(Claim::Replay { status: status as u16, location, body }),
                _ => Err(ApiError::conflict("idempotency_in_progress", "a request with this Idempotency-Key is still being processed")),
            }
        }
        Err(e) => Err(e.into()),
    }
}

/// Removes expired keys; called periodically by the server.
pub fn purge_expired(conn: &mut crate::db::DbConn) -> QueryResult<usize> {
    let cutoff = Utc::now().naive_utc() - Duration::hours(TTL_HOURS);
    diesel::delete(idempotency_keys::table.filter(idempotency_keys::created_at.lt(cutoff))).execute(conn)
}
