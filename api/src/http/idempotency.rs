//! `Idempotency-Key` on `POST`: the same key and body replay the first response; the same key
//! with another body is a 409 `idempotency_conflict`. Keys belong to the caller (the token's
//! subject) and live 24 hours. Only successful responses are kept, so a request that failed may
//! be corrected and retried.
//!
//! A crash must not leave a key stuck. A key is claimed for a short lease, not for its 24 hours,
//! and the request's own write transaction marks the key committed (see `db::scope`), so a
//! retry after the server died finds one of three things:
//! - the stored answer: it is replayed;
//! - the commit mark without an answer (the server died between its commit and storing the
//!   answer): 409 `idempotency_answer_lost` — the request was carried out once, and is not
//!   carried out again;
//! - neither, with the lease run out: nothing was committed, so the retry runs.
//!
//! While the lease runs, a retry is a 409 `idempotency_in_progress` with `Retry-After`.
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{header, Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{web, HttpMessage, HttpResponse};
use chrono::{Duration, NaiveDateTime, Utc};
use diesel::prelude::*;
use futures_util::StreamExt;
use sha2::{Digest, Sha256};

use crate::db::schema::idempotency_keys;
use crate::error::ApiError;
use crate::error::ErrorCode;
use crate::AppState;

pub const HEADER: &str = "idempotency-key";
const MAX_KEY_LEN: usize = 255;
const TTL_HOURS: i64 = 24;
/// How long a claim stands before a retry may take it over: longer than any request runs
/// (uploads are read before the claim), far shorter than the key lives.
pub const LEASE_SECS: i64 = 30;
/// The body the middleware buffers to hash and hand on: the largest route limit (a 20 MB import)
/// with room for its multipart framing. Each route then applies its own, smaller limit.
const MAX_BUFFERED_BODY: usize = 21 * 1024 * 1024;

enum Claim {
    Fresh(String),
    Replay {
        status: u16,
        location: Option<String>,
        body: String,
    },
}

fn problem(req: ServiceRequest, err: ApiError) -> ServiceResponse<BoxBody> {
    req.into_response(actix_web::ResponseError::error_response(&err))
}

pub async fn middleware(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let key = req
        .headers()
        .get(HEADER)
        .and_then(|v| v.to_str().ok())
        .map(|s| s.trim().to_string());
    let applies = req.method() == Method::POST
        && req.path().starts_with("/api/v1/")
        && !req.path().starts_with("/api/v1/auth/");
    let (Some(key), true) = (key, applies) else {
        return next.call(req).await.map(|r| r.map_into_boxed_body());
    };
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return next.call(req).await.map(|r| r.map_into_boxed_body());
    };
    if key.is_empty() || key.len() > MAX_KEY_LEN {
        let err = ApiError::bad_request(
            ErrorCode::InvalidIdempotencyKey,
            format!("Idempotency-Key must be 1 to {MAX_KEY_LEN} characters"),
        );
        return Ok(problem(req, err));
    }
    // Unauthenticated requests pass through: the handler answers 401 and nothing is stored.
    let owner = match crate::auth::caller::bearer_token(req.request()).map(|t| state.keys.verify(t))
    {
        Some(Ok(claims)) => claims.sub,
        _ => return next.call(req).await.map(|r| r.map_into_boxed_body()),
    };

    // The body is buffered (to hash it and hand it on) up to the largest route limit; the route
    // then answers its own 413 for anything over its own limit.
    let mut body = web::BytesMut::new();
    let mut payload = req.take_payload();
    while let Some(chunk) = payload.next().await {
        let Ok(chunk) = chunk else {
            return Ok(problem(
                req,
                ApiError::bad_request(ErrorCode::MalformedBody, "the body could not be read"),
            ));
        };
        if body.len() + chunk.len() > MAX_BUFFERED_BODY {
            let err = ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                ErrorCode::PayloadTooLarge,
                format!("the body is larger than {} MB", MAX_BUFFERED_BODY >> 20),
            );
            return Ok(problem(req, err));
        }
        body.extend_from_slice(&chunk);
    }
    let body = body.freeze();
    let mut hasher = Sha256::new();
    for part in [
        req.method().as_str().as_bytes(),
        req.path().as_bytes(),
        req.query_string().as_bytes(),
    ] {
        hasher.update(part);
        hasher.update([0]);
    }
    hasher.update(&body);
    let request_hash: String = hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();

    let claim = {
        let (owner, key, request_hash) = (owner.clone(), key.clone(), request_hash.clone());
        crate::db::run(&state.pool, move |c| {
            crate::db::write(c, |c| {
                claim(c, &owner, &key, &request_hash, Utc::now().naive_utc())
            })
        })
        .await
    };
    let id = match claim {
        Err(e) => return Ok(problem(req, e)),
        Ok(Claim::Replay {
            status,
            location,
            body,
        }) => {
            let mut res =
                HttpResponse::build(StatusCode::from_u16(status).unwrap_or(StatusCode::OK));
            res.insert_header((header::CONTENT_TYPE, "application/json"))
                .insert_header(("Idempotent-Replayed", "true"));
            if let Some(loc) = location {
                res.insert_header((header::LOCATION, loc));
            }
            return Ok(req.into_response(res.body(body)));
        }
        Ok(Claim::Fresh(id)) => id,
    };

    let (_, mut replay) = actix_http::h1::Payload::create(true);
    replay.unread_data(body);
    req.set_payload(replay.into());
    let res = crate::db::scope::with_key(id.clone(), next.call(req)).await;

    let outcome = match res {
        Ok(res) if res.status().is_success() => {
            let status = res.status().as_u16();
            let location = res
                .headers()
                .get(header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            let (http_req, response) = res.into_parts();
            let (head, body) = response.into_parts();
            let bytes = actix_web::body::to_bytes(body)
                .await
                .map_err(|_| ApiError::internal("cannot buffer the response"))?;
            let text = String::from_utf8_lossy(&bytes).into_owned();
            let id2 = id.clone();
            crate::db::run(&state.pool, move |c| {
                diesel::update(idempotency_keys::table.find(&id2))
                    .set((
                        idempotency_keys::status.eq(Some(i32::from(status))),
                        idempotency_keys::location.eq(location),
                        idempotency_keys::body.eq(Some(text)),
                    ))
                    .execute(c)?;
                Ok(())
            })
            .await?;
            return Ok(ServiceResponse::new(
                http_req,
                head.set_body(bytes).map_into_boxed_body(),
            ));
        }
        other => other,
    };
    // Anything else releases the key, so the client can retry (perhaps with a corrected body) —
    // unless the request committed a change before it failed: then the key keeps that fact.
    crate::db::run(&state.pool, move |c| {
        Ok(diesel::delete(
            idempotency_keys::table
                .find(&id)
                .filter(idempotency_keys::committed_at.is_null()),
        )
        .execute(c)?)
    })
    .await?;
    outcome.map(|r| r.map_into_boxed_body())
}

type KeyRow = (
    String,
    String,
    Option<i32>,
    Option<String>,
    Option<String>,
    Option<NaiveDateTime>,
    Option<NaiveDateTime>,
);

fn claim(
    conn: &mut crate::db::DbConn,
    owner: &str,
    key: &str,
    request_hash: &str,
    now: NaiveDateTime,
) -> Result<Claim, ApiError> {
    let lease = now + Duration::seconds(LEASE_SECS);
    let cutoff = now - Duration::hours(TTL_HOURS);
    diesel::delete(
        idempotency_keys::table
            .filter(idempotency_keys::owner.eq(owner))
            .filter(idempotency_keys::key.eq(key))
            .filter(idempotency_keys::created_at.lt(cutoff)),
    )
    .execute(conn)?;
    let existing: Option<KeyRow> = idempotency_keys::table
        .filter(idempotency_keys::owner.eq(owner))
        .filter(idempotency_keys::key.eq(key))
        .select((
            idempotency_keys::id,
            idempotency_keys::request_hash,
            idempotency_keys::status,
            idempotency_keys::location,
            idempotency_keys::body,
            idempotency_keys::lease_until,
            idempotency_keys::committed_at,
        ))
        .first(conn)
        .optional()?;
    let Some((id, hash, status, location, body, lease_until, committed_at)) = existing else {
        let id = crate::new_id();
        let inserted = diesel::insert_into(idempotency_keys::table)
            .values((
                idempotency_keys::id.eq(&id),
                idempotency_keys::owner.eq(owner),
                idempotency_keys::key.eq(key),
                idempotency_keys::request_hash.eq(request_hash),
                idempotency_keys::created_at.eq(now),
                idempotency_keys::lease_until.eq(Some(lease)),
            ))
            .execute(conn);
        return match inserted {
            Ok(_) => Ok(Claim::Fresh(id)),
            // Another request with the same key claimed it a moment ago (PostgreSQL; SQLite's
            // write transactions are serial).
            Err(diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::UniqueViolation,
                _,
            )) => Err(ApiError::conflict(
                ErrorCode::IdempotencyInProgress,
                "a request with this Idempotency-Key is still being processed",
            )),
            Err(e) => Err(e.into()),
        };
    };
    if hash != request_hash {
        return Err(ApiError::conflict(
            ErrorCode::IdempotencyConflict,
            "this Idempotency-Key was used with a different request",
        ));
    }
    if let (Some(status), Some(body)) = (status, body) {
        return Ok(Claim::Replay {
            status: status as u16,
            location,
            body,
        });
    }
    if committed_at.is_some() {
        return Err(ApiError::conflict(
            ErrorCode::IdempotencyAnswerLost,
            "this request was carried out, but its answer was lost when the server stopped; read the record instead of sending it again",
        ));
    }
    // A lease that ran out without a commit: the server that held it stopped before changing
    // anything, so this retry runs. The write is a compare-and-set on the old lease.
    match lease_until {
        Some(until) if until > now => Err(ApiError {
            retry_after: Some((until - now).num_seconds().max(1) as u64),
            ..ApiError::conflict(
                ErrorCode::IdempotencyInProgress,
                "a request with this Idempotency-Key is still being processed",
            )
        }),
        old => {
            let set = idempotency_keys::lease_until.eq(Some(lease));
            let taken = match old {
                Some(t) => diesel::update(
                    idempotency_keys::table
                        .find(&id)
                        .filter(idempotency_keys::lease_until.eq(t)),
                )
                .set(set)
                .execute(conn)?,
                None => diesel::update(
                    idempotency_keys::table
                        .find(&id)
                        .filter(idempotency_keys::lease_until.is_null()),
                )
                .set(set)
                .execute(conn)?,
            };
            if taken == 1 {
                Ok(Claim::Fresh(id))
            } else {
                Err(ApiError::conflict(
                    ErrorCode::IdempotencyInProgress,
                    "a request with this Idempotency-Key is still being processed",
                ))
            }
        }
    }
}

/// Removes expired keys; called periodically by the server.
pub fn purge_expired(conn: &mut crate::db::DbConn) -> QueryResult<usize> {
    let cutoff = Utc::now().naive_utc() - Duration::hours(TTL_HOURS);
    diesel::delete(idempotency_keys::table.filter(idempotency_keys::created_at.lt(cutoff)))
        .execute(conn)
}
