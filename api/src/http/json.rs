//! `ValidJson<T>`: the one way request bodies enter the API.
//!
//! Malformed JSON is a 400, a wrong content type a 415, an oversized body a 413, and a body that
//! parses but does not fit — an unknown field (every request type denies them), a missing or
//! mistyped field — or breaks a [`Validate`] rule is a 422 naming the field.
use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpRequest};
use futures_util::StreamExt;
use serde::de::DeserializeOwned;

use crate::error::{ApiError, FieldError};

pub const MAX_JSON_BODY: usize = 256 * 1024;

/// Field rules beyond what the types say.
pub trait Validate {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        Ok(())
    }
}

pub struct ValidJson<T>(pub T);

impl<T> std::ops::Deref for ValidJson<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: DeserializeOwned + Validate + 'static> FromRequest for ValidJson<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let content_type = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let mut payload = payload.take();
        Box::pin(async move {
            let is_json = content_type
                .as_deref()
                .map(|ct| {
                    let mime = ct.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
                    mime == "application/json" || (mime.starts_with("application/") && mime.ends_with("+json"))
                })
                .unwrap_or(false);
            if !is_json {
                return Err(ApiError::new(
                    actix_web::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    "unsupported_media_type",
                    "send the body as application/json",
                ));
            }
            let mut body = web::BytesMut::new();
            while let Some(chunk) = payload.next().await {
                let chunk = chunk.map_err(|e| ApiError::bad_request("malformed_body", format!("cannot read the body: {e}")))?;
                if body.len() + chunk.len() > MAX_JSON_BODY {
                    return Err(ApiError::new(
                        actix_web::http::StatusCode::PAYLOAD_TOO_LARGE,
                        "payload_too_large",
                        format!("the body is larger than {MAX_JSON_BODY} bytes"),
                    ));
                }
                body.extend_from_slice(&chunk);
            }
            parse_json::<T>(&body).map(ValidJson)
        })
    }
}

/// Parses and validates a JSON body; public so that non-extractor paths share the same errors.
pub fn parse_json<T: DeserializeOwned + Validate>(body: &[u8]) -> Result<T, ApiError> {
    let de = &mut serde_json::Deserializer::from_slice(body);
    let value: T = match serde_path_to_error::deserialize(de) {
        Ok(v) => v,
        Err(err) => {
            let path = err.path().to_string();
            let inner = err.into_inner();
            use serde_json::error::Category;
            return Err(match inner.classify() {
                Category::Data => data_error(&path, &inner.to_string()),
                Category::Syntax | Category::Eof | Category::Io => {
                    ApiError::bad_request("malformed_json", format!("the body is not valid JSON: {inner}"))
                }
            });
        }
    };
    value.validate().map_err(ApiError::validation)?;
    Ok(value)
}

fn data_error(path: &str, message: &str) -> ApiError {
    // serde's messages: "unknown field `x`, expected …", "missing field `x`", "invalid type: …".
    let backticked = message.split('`').nth(1).unwrap_or("");
    // serde_path_to_error's path already ends at an unknown field; a missing one is below it.
    let (field, code) = if message.starts_with("unknown field") {
        (if path.is_empty() || path == "." { backticked.to_string() } else { path.to_string() }, "unknown_field")
    } else if message.starts_with("missing field") {
        (join_path(path, backticked), "required")
    } else if message.starts_with("unknown variant") {
        (path.to_string(), "invalid_choice")
    } else {
        (path.to_string(), "invalid_type")
    };
    let field = if field.is_empty() || field == "." { "body".to_string() } else { field };
    let message = message.split(" at line ").next().unwrap_or(message).to_string();
    ApiError::validation(vec![FieldError { field, code: code.into(), message }])
}

fn join_path(path: &str, leaf: &str) -> String {
    if path.is_empty() || path == "." {
        leaf.to_string()
    } else {
        format!("{path}.{leaf}")
    }
}

/// Helpers for [`Validate`] implementations.
pub mod rules {
    use crate::error::FieldError;

    pub fn text(errors: &mut Vec<FieldError>, field: &str, value: &str, max: usize) {
        if value.trim().is_empty() {
            errors.push(FieldError { field: field.into(), code: "required".into(), message: format!("{field} must not be empty") });
        } else if value.chars().count() > max {
            errors.push(FieldError { field: field.into(), code: "too_long".into(), message: format!("{field} must be at most {max} characters") });
        }
    }

    pub fn opt_text(errors: &mut Vec<FieldError>, field: &str, value: Option<&str>, max: usize) {
        if let Some(v) = value {
            text(errors, field, v, max);
        }
    }

    pub fn field(errors: &mut Vec<FieldError>, field: &str, code: &str, message: impl Into<String>) {
        errors.push(FieldError { field: field.into(), code: code.into(), message: message.into() });
    }

    /// A phone number: 7 to 15 digits, with `+`, `-` or spaces between them.
    pub fn phone(errors: &mut Vec<FieldError>, field_name: &str, value: Option<&str>) {
        if let Some(p) = value {
            let digits = p.chars().filter(char::is_ascii_digit).count();
            if !(7..=15).contains(&digits) || p.chars().any(|c| !(c.is_ascii_digit() || "+- ".contains(c))) {
                field(errors, field_name, "invalid", "the phone is 7 to 15 digits");
            }
        }
    }

    pub fn finish(errors: Vec<FieldError>) -> Result<(), Vec<FieldError>> {
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

/// For `Option<Option<T>>` fields: absent → `None`, `null` → `Some(None)`, a value → `Some(Some(v))`.
pub fn double_option<'de, T, D>(de: D) -> Result<Option<Option<T>>, D::Error>
where
    T: serde::Deserialize<'de>,
    D: serde::Deserializer<'de>,
{
    serde::Deserialize::deserialize(de).map(Some)
}
