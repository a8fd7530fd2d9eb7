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

use crate::error::ErrorCode;
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
        let content_type = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let mut payload = payload.take();
        Box::pin(async move {
            let is_json = content_type
                .as_deref()
                .map(|ct| {
                    let mime = ct
                        .split(';')
                        .next()
                        .unwrap_or("")
                        .trim()
                        .to_ascii_lowercase();
                    mime == "application/json"
                        || (mime.starts_with("application/") && mime.ends_with("+json"))
                })
                .unwrap_or(false);
            if !is_json {
                return Err(ApiError::new(
                    actix_web::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    ErrorCode::UnsupportedMediaType,
                    "send the body as application/json",
                ));
            }
            let mut body = web::BytesMut::new();
            while let Some(chunk) = payload.next().await {
                let chunk = chunk.map_err(|e| {
                    ApiError::bad_request(
                        ErrorCode::MalformedBody,
                        format!("cannot read the body: {e}"),
                    )
                })?;
                if body.len() + chunk.len() > MAX_JSON_BODY {
                    return Err(ApiError::new(
                        actix_web::http::StatusCode::PAYLOAD_TOO_LARGE,
                        ErrorCode::PayloadTooLarge,
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
/// Every string is cleaned first (see [`clean_text`]), except secrets, which are taken byte for
/// byte.
pub fn parse_json<T: DeserializeOwned + Validate>(body: &[u8]) -> Result<T, ApiError> {
    let mut tree: serde_json::Value = serde_json::from_slice(body).map_err(|e| {
        ApiError::bad_request(
            ErrorCode::MalformedJson,
            format!("the body is not valid JSON: {e}"),
        )
    })?;
    clean_strings(&mut tree, None);
    let value: T = match serde_path_to_error::deserialize(tree) {
        Ok(v) => v,
        Err(err) => {
            let path = err.path().to_string();
            return Err(data_error(&path, &err.into_inner().to_string()));
        }
    };
    value.validate().map_err(ApiError::validation)?;
    Ok(value)
}

/// Fields whose value is a secret: never rewritten (a password must hash as it was typed).
const SECRET_FIELDS: [&str; 5] = [
    "password",
    "client_secret",
    "refresh_token",
    "secret",
    "code",
];

fn clean_strings(v: &mut serde_json::Value, key: Option<&str>) {
    match v {
        serde_json::Value::String(s) if !key.is_some_and(|k| SECRET_FIELDS.contains(&k)) => {
            if let std::borrow::Cow::Owned(clean) = clean_text(s) {
                *s = clean;
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(|i| clean_strings(i, key)),
        serde_json::Value::Object(map) => {
            map.iter_mut().for_each(|(k, i)| clean_strings(i, Some(k)))
        }
        _ => {}
    }
}

/// Text as people meant it: Unicode NFC (so that the same name typed on two phones compares
/// equal), line ends as `\n`, and without what only hides or disguises text — control characters
/// (NUL, ANSI escapes; tab and newline stay), bidirectional overrides and isolates, and
/// zero-width characters outside emoji sequences. A name made only of those is then empty, and
/// the validation rules refuse it. Imports clean their cells the same way.
pub fn clean_text(s: &str) -> std::borrow::Cow<'_, str> {
    use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};
    let hidden = |c: char| {
        (c.is_control() && c != '\n' && c != '\t')
            || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
            || matches!(
                c,
                '\u{200B}' | '\u{200C}' | '\u{2060}' | '\u{FEFF}' | '\u{180E}'
            )
    };
    let needs_nfc = is_nfc_quick(s.chars()) != IsNormalized::Yes;
    if !needs_nfc && !s.chars().any(hidden) {
        return std::borrow::Cow::Borrowed(s);
    }
    let unified = s.replace("\r\n", "\n").replace('\r', "\n");
    std::borrow::Cow::Owned(unified.nfc().filter(|c| !hidden(*c)).collect())
}

fn data_error(path: &str, message: &str) -> ApiError {
    // serde's messages: "unknown field `x`, expected …", "missing field `x`", "invalid type: …".
    let backticked = message.split('`').nth(1).unwrap_or("");
    // serde_path_to_error's path already ends at an unknown field; a missing one is below it.
    let (field, code) = if message.starts_with("unknown field") {
        (
            if path.is_empty() || path == "." {
                backticked.to_string()
            } else {
                path.to_string()
            },
            "unknown_field",
        )
    } else if message.starts_with("missing field") {
        (join_path(path, backticked), "required")
    } else if message.starts_with("unknown variant") {
        (path.to_string(), "invalid_choice")
    } else {
        (path.to_string(), "invalid_type")
    };
    let field = if field.is_empty() || field == "." {
        "body".to_string()
    } else {
        field
    };
    let message = message
        .split(" at line ")
        .next()
        .unwrap_or(message)
        .to_string();
    ApiError::validation(vec![FieldError {
        field,
        code: code.into(),
        message,
    }])
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

    /// Texts up to this many characters are names, titles and codes: one line each.
    pub const SINGLE_LINE_MAX: usize = 100;

    /// A required text. Short texts (names, titles: at most [`SINGLE_LINE_MAX`] characters) are
    /// one line: a newline or tab in them is refused.
    pub fn text(errors: &mut Vec<FieldError>, field: &str, value: &str, max: usize) {
        if value.trim().is_empty() {
            errors.push(FieldError {
                field: field.into(),
                code: "required".into(),
                message: format!("{field} must not be empty"),
            });
        } else if max <= SINGLE_LINE_MAX && value.contains(['\n', '\t']) {
            errors.push(FieldError {
                field: field.into(),
                code: "single_line".into(),
                message: format!("{field} must be one line"),
            });
        } else if value.chars().count() > max {
            errors.push(FieldError {
                field: field.into(),
                code: "too_long".into(),
                message: format!("{field} must be at most {max} characters"),
            });
        }
    }

    pub fn opt_text(errors: &mut Vec<FieldError>, field: &str, value: Option<&str>, max: usize) {
        if let Some(v) = value {
            text(errors, field, v, max);
        }
    }

    pub fn field(
        errors: &mut Vec<FieldError>,
        field: &str,
        code: &str,
        message: impl Into<String>,
    ) {
        errors.push(FieldError {
            field: field.into(),
            code: code.into(),
            message: message.into(),
        });
    }

    /// A phone number: 7 to 15 digits, with `+`, `-` or spaces between them.
    pub fn phone(errors: &mut Vec<FieldError>, field_name: &str, value: Option<&str>) {
        if let Some(p) = value {
            let digits = p.chars().filter(char::is_ascii_digit).count();
            if !(7..=15).contains(&digits)
                || p.chars()
                    .any(|c| !(c.is_ascii_digit() || "+- ".contains(c)))
            {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hidden_characters_are_removed_and_text_is_nfc() {
        assert_eq!(clean_text("王建国"), "王建国");
        assert!(matches!(
            clean_text("王建国"),
            std::borrow::Cow::Borrowed(_)
        ));
        assert_eq!(clean_text("\u{200B}\u{200B}"), "");
        assert_eq!(clean_text("a\0b\u{1b}[31mc"), "ab[31mc");
        assert_eq!(clean_text("\u{202E}evil\u{202C}.exe"), "evil.exe");
        assert_eq!(clean_text("line1\r\nline2\rline3"), "line1\nline2\nline3");
        assert_eq!(clean_text("e\u{0301}"), "\u{e9}");
        // Emoji sequences keep their joiner.
        assert_eq!(clean_text("👨\u{200D}👩"), "👨\u{200D}👩");
    }

    #[test]
    fn secrets_are_taken_as_sent() {
        #[derive(serde::Deserialize, Debug)]
        struct Login {
            username: String,
            password: String,
        }
        impl Validate for Login {}
        let l: Login = parse_json(br#"{"username": "a\u200bb", "password": "p\u200bw"}"#).unwrap();
        assert_eq!(l.username, "ab");
        assert_eq!(l.password, "p\u{200B}w");
    }

    #[test]
    fn short_texts_are_one_line_and_not_empty() {
        let mut e = vec![];
        rules::text(&mut e, "name", "a\nb", 20);
        rules::text(&mut e, "name2", "", 20);
        rules::text(&mut e, "notes", "a\nb", 500);
        assert_eq!(
            e.iter().map(|e| e.code.as_str()).collect::<Vec<_>>(),
            vec!["single_line", "required"]
        );
    }
}
