//! HTTP plumbing shared by every domain: the JSON body extractor, list parameters and pages,
//! `If-Match`, the client address, and the idempotency middleware.
pub mod idempotency;

/// The SPA, the docs UI and every API answer: scripts only from this origin (no inline script,
/// no eval), styles inline too (Element Plus, Leaflet and ECharts set style attributes), images
/// from here or data/blob URLs (QR codes, charts), no plugins, and framed only by this origin.
/// A stored `<img onerror=…>` that reached an HTML sink could not run under it.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; manifest-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'";

/// The phone pages use the camera (QR check-in) and the position (check-in within the venue);
/// nothing else, and no other origin.
pub const PERMISSIONS_POLICY: &str = "camera=(self), geolocation=(self), microphone=(), payment=(), usb=(), serial=(), bluetooth=(), midi=(), display-capture=()";
pub mod json;
pub mod list;

use std::net::IpAddr;

use actix_web::dev::ServiceRequest;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};
use serde::Serialize;

use crate::error::ApiError;
use crate::error::ErrorCode;

pub use json::{ValidJson, Validate};
pub use list::{ListParams, Page, Sort};

/// The caller's address: the peer, or — only when the peer is a trusted proxy — the right-most
/// address in `X-Forwarded-For` that is not itself a trusted proxy (left-most entries are
/// client-supplied and can be forged).
pub fn client_ip(
    peer: Option<IpAddr>,
    forwarded_for: Option<&str>,
    trusted: &[IpAddr],
) -> Option<IpAddr> {
    let peer = peer?;
    if !trusted.contains(&peer) {
        return Some(peer);
    }
    let Some(xff) = forwarded_for else {
        return Some(peer);
    };
    let mut last = peer;
    for hop in xff.rsplit(',') {
        match hop.trim().parse::<IpAddr>() {
            Ok(ip) if trusted.contains(&ip) => last = ip,
            Ok(ip) => return Some(ip),
            Err(_) => return Some(last),
        }
    }
    Some(last)
}

pub fn request_client_ip(req: &HttpRequest, trusted: &[IpAddr]) -> Option<IpAddr> {
    let xff = req
        .headers()
        .get("x-forwarded-for")
        .and_then(|v| v.to_str().ok());
    client_ip(req.peer_addr().map(|a| a.ip()), xff, trusted)
}

pub fn service_request_client_ip(req: &ServiceRequest, trusted: &[IpAddr]) -> Option<IpAddr> {
    let xff = req
        .headers()
        .get("x-forwarded-for")
        .and_then(|v| v.to_str().ok());
    client_ip(req.peer_addr().map(|a| a.ip()), xff, trusted)
}

/// A body actix's own `Bytes` extractor refused (over its 256 KiB limit, or unreadable), as a
/// problem+json answer instead of actix's plain-text one.
pub fn body_error(e: actix_web::Error) -> ApiError {
    if e.as_response_error().status_code() == actix_web::http::StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::new(
            actix_web::http::StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::PayloadTooLarge,
            "the body is too large",
        )
    } else {
        ApiError::bad_request(
            ErrorCode::MalformedBody,
            format!("cannot read the body: {e}"),
        )
    }
}

/// The version an `If-Match` header asks for: `"3"`, `W/"3"` or `3`. `*` and absence mean any.
pub fn if_match_version(req: &HttpRequest) -> Result<Option<i32>, ApiError> {
    let Some(value) = req.headers().get(header::IF_MATCH) else {
        return Ok(None);
    };
    let raw = value
        .to_str()
        .map_err(|_| ApiError::bad_request(ErrorCode::BadIfMatch, "If-Match is not ASCII"))?
        .trim();
    if raw == "*" {
        return Ok(None);
    }
    let raw = raw.trim_start_matches("W/").trim_matches('"');
    raw.parse::<i32>().map(Some).map_err(|_| {
        ApiError::bad_request(
            ErrorCode::BadIfMatch,
            "If-Match must be a version as given in ETag, e.g. \"3\"",
        )
    })
}

/// 200 with the body and its `ETag`.
pub fn ok_with_etag<T: Serialize>(body: &T, version: i32) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::ETAG, format!("\"{version}\"")))
        .json(body)
}

/// 201 with `Location` and `ETag`.
pub fn created<T: Serialize>(location: String, body: &T, version: i32) -> HttpResponse {
    HttpResponse::Created()
        .insert_header((header::LOCATION, location))
        .insert_header((header::ETAG, format!("\"{version}\"")))
        .json(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn forwarded_for_is_ignored_from_an_untrusted_peer() {
        assert_eq!(
            client_ip(Some(ip("1.2.3.4")), Some("9.9.9.9"), &[]),
            Some(ip("1.2.3.4"))
        );
    }

    #[test]
    fn forwarded_for_from_a_trusted_proxy_takes_the_rightmost_untrusted_hop() {
        let trusted = [ip("10.0.0.1"), ip("10.0.0.2")];
        assert_eq!(
            client_ip(
                Some(ip("10.0.0.1")),
                Some("6.6.6.6, 5.5.5.5, 10.0.0.2"),
                &trusted
            ),
            Some(ip("5.5.5.5"))
        );
        assert_eq!(
            client_ip(Some(ip("10.0.0.1")), None, &trusted),
            Some(ip("10.0.0.1"))
        );
        assert_eq!(
            client_ip(Some(ip("10.0.0.1")), Some("garbage"), &trusted),
            Some(ip("10.0.0.1"))
        );
    }
}
