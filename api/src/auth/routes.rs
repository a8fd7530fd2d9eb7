//! `/auth/login`, `/auth/refresh`, `/auth/logout` and `/me`.
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{Caller, Role, ScopeType};
use crate::error::ErrorCode;
use crate::error::{ApiError, FieldError, Problem};
use crate::http::json::rules;
use crate::http::{ValidJson, Validate};
use crate::AppState;

crate::text_enum! {
    /// Where the refresh token goes: `token` (in the body, for integrations and apps) or `cookie`
    /// (an httpOnly, SameSite=Strict cookie scoped to `/api/v1/auth`, for the web app: script on
    /// the page can never read it).
    pub enum SessionMode {
        Token = "token",
        Cookie = "cookie",
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"username": "street1", "password": "tongxin-demo", "session": "cookie"}))]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
    /// Default `token`.
    pub session: Option<SessionMode>,
}

impl Validate for LoginRequest {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = vec![];
        rules::text(&mut e, "username", &self.username, 64);
        rules::text(&mut e, "password", &self.password, 256);
        rules::finish(e)
    }
}

/// `{}` to use the session cookie instead of a token in the body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    pub refresh_token: Option<String>,
}

impl Validate for RefreshRequest {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = vec![];
        rules::opt_text(&mut e, "refresh_token", self.refresh_token.as_deref(), 256);
        rules::finish(e)
    }
}

/// The web app's refresh-token cookie.
pub const REFRESH_COOKIE: &str = "tongxin_refresh";

fn refresh_cookie(
    req: &HttpRequest,
    value: &str,
    max_age: i64,
) -> actix_web::cookie::Cookie<'static> {
    // `Secure` whenever the browser came over HTTPS (directly or through a trusted proxy);
    // browsers keep a Secure cookie on http://localhost too, but not on a plain-HTTP intranet host.
    let secure = req.connection_info().scheme() == "https";
    actix_web::cookie::Cookie::build(REFRESH_COOKIE, value.to_owned())
        .http_only(true)
        .same_site(actix_web::cookie::SameSite::Strict)
        .path("/api/v1/auth")
        .secure(secure)
        .max_age(actix_web::cookie::time::Duration::seconds(max_age))
        .finish()
}

/// Token answers are never stored by a browser or a proxy (RFC 6749 §5.1).
fn no_store(res: &mut actix_web::HttpResponseBuilder) -> &mut actix_web::HttpResponseBuilder {
    res.insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .insert_header((actix_web::http::header::PRAGMA, "no-cache"))
}

/// The refresh token of a request: the body's, else the cookie's (and whether it came from there).
fn presented_refresh(req: &HttpRequest, body: Option<String>) -> Option<(String, bool)> {
    body.map(|t| (t, false)).or_else(|| {
        req.cookie(REFRESH_COOKIE)
            .map(|c| (c.value().to_owned(), true))
            .filter(|(v, _)| !v.is_empty())
    })
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"access_token": "eyJhbGciOiJIUzI1NiJ9…", "token_type": "Bearer", "expires_in": 900, "refresh_token": "q3Jx…"}))]
pub struct TokenResponse {
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds until the access token expires.
    pub expires_in: u64,
    /// Single use: each refresh returns a new one, and reusing an old one ends every session of
    /// the account. Absent when the session lives in the cookie.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GrantView {
    pub id: String,
    pub role: Role,
    pub scope_type: ScopeType,
    pub scope_id: Option<String>,
    pub scope_name: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"id": "01937c9e-0000-7000-8000-0000000000aa", "username": "street1", "display_name": "新丰街 工作人员", "grants": [{"id": "01937c9e-0000-7000-8000-0000000000ab", "role": "street_staff", "scope_type": "region", "scope_id": "01937c9e-0000-7000-8000-0000000000b1", "scope_name": "新丰街街道"}]}))]
pub struct MeView {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub grants: Vec<GrantView>,
}

/// The answer to a sign-in or refresh: the refresh token in the body, or in the cookie.
fn token_response(
    state: &AppState,
    req: &HttpRequest,
    issued: super::service::Issued,
    cookie: bool,
) -> Result<HttpResponse, ApiError> {
    let body = TokenResponse {
        access_token: state
            .keys
            .issue(&issued.user_id, issued.session_version)
            .map_err(ApiError::internal)?,
        token_type: "Bearer".into(),
        expires_in: state.keys.ttl_secs,
        refresh_token: (!cookie).then(|| issued.refresh_token.clone()),
    };
    let mut res = HttpResponse::Ok();
    no_store(&mut res);
    if cookie {
        res.cookie(refresh_cookie(
            req,
            &issued.refresh_token,
            state.auth.refresh_token_ttl_secs as i64,
        ));
    }
    Ok(res.json(body))
}

/// Sign in with a username and password.
///
/// Rate limited per client address (429 with `Retry-After`); repeated failures lock the account
/// for a while (401 `account_locked` with `Retry-After`).
#[utoipa::path(
    tag = "auth",
    operation_id = "auth_login",
    request_body = LoginRequest,
    responses(
        (status = 200, body = TokenResponse),
        (status = 401, description = "`invalid_credentials` or `account_locked`", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "too many attempts from this address", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/auth/login")]
pub async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: ValidJson<LoginRequest>,
) -> Result<HttpResponse, ApiError> {
    let addr =
        crate::http::request_client_ip(&req, &state.auth.trusted_proxies).map(|ip| ip.to_string());
    state
        .login_limiter
        .check(addr.as_deref().unwrap_or("unknown"))
        .map_err(ApiError::rate_limited)?;
    let LoginRequest {
        username,
        password,
        session,
    } = body.0;
    let cfg = state.auth.clone();
    let issued = crate::db::run(&state.pool, move |c| {
        super::service::login(c, username.trim(), &password, addr, &cfg)
    })
    .await?;
    token_response(&state, &req, issued, session == Some(SessionMode::Cookie))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"grant_type": "client_credentials", "client_id": "hotline-12345", "client_secret": "…"}))]
pub struct ClientTokenRequest {
    /// Must be `client_credentials`.
    pub grant_type: String,
    pub client_id: String,
    pub client_secret: String,
    /// Accepted for OAuth clients that send it; scopes come from the client's grants.
    pub scope: Option<String>,
}

impl Validate for ClientTokenRequest {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = vec![];
        rules::text(&mut e, "client_id", &self.client_id, 64);
        rules::text(&mut e, "client_secret", &self.client_secret, 256);
        rules::finish(e)
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"access_token": "eyJhbGciOiJIUzI1NiJ9…", "token_type": "Bearer", "expires_in": 900}))]
pub struct ClientTokenResponse {
    pub access_token: String,
    pub token_type: String,
    pub expires_in: u64,
}

/// Integrations: OAuth 2.0 client credentials (RFC 6749 §4.4).
///
/// The body is `application/x-www-form-urlencoded` (as OAuth clients send it) or JSON. The client
/// is an account holding the `integration` role; its scopes are that account's grants.
#[utoipa::path(
    tag = "auth",
    operation_id = "auth_token",
    request_body(content = ClientTokenRequest, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, body = ClientTokenResponse),
        (status = 400, description = "`unsupported_grant_type`", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "`invalid_client` or `account_locked`", body = Problem, content_type = "application/problem+json"),
        (status = 415, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
        (status = 429, body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/auth/token")]
pub async fn client_token(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: Result<web::Bytes, actix_web::Error>,
) -> Result<HttpResponse, ApiError> {
    let body = body.map_err(crate::http::body_error)?;
    let addr =
        crate::http::request_client_ip(&req, &state.auth.trusted_proxies).map(|ip| ip.to_string());
    state
        .login_limiter
        .check(addr.as_deref().unwrap_or("unknown"))
        .map_err(ApiError::rate_limited)?;
    let content_type = req
        .headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let input: ClientTokenRequest = if content_type.starts_with("application/x-www-form-urlencoded")
    {
        let parsed: ClientTokenRequest = serde_urlencoded::from_bytes(&body).map_err(|e| {
            ApiError::field("body", "invalid_form", format!("cannot read the form: {e}"))
        })?;
        parsed.validate().map_err(ApiError::validation)?;
        parsed
    } else if content_type.starts_with("application/json") {
        crate::http::json::parse_json(&body)?
    } else {
        return Err(ApiError::new(
            actix_web::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::UnsupportedMediaType,
            "send the body as application/x-www-form-urlencoded or application/json",
        ));
    };
    if input.grant_type != "client_credentials" {
        return Err(ApiError::bad_request(
            ErrorCode::UnsupportedGrantType,
            "grant_type must be client_credentials",
        ));
    }
    let cfg = state.auth.clone();
    let (user_id, version) = crate::db::run(&state.pool, move |c| {
        super::service::client_credentials(c, &input.client_id, &input.client_secret, addr, &cfg)
    })
    .await?;
    Ok(no_store(&mut HttpResponse::Ok()).json(ClientTokenResponse {
        access_token: state
            .keys
            .issue(&user_id, version)
            .map_err(ApiError::internal)?,
        token_type: "Bearer".into(),
        expires_in: state.keys.ttl_secs,
    }))
}

/// Exchange a refresh token for a new access token and a new refresh token. The web app sends
/// `{}` and its session cookie, and gets the new refresh token as a cookie again.
#[utoipa::path(
    tag = "auth",
    operation_id = "auth_refresh",
    request_body = RefreshRequest,
    responses(
        (status = 200, body = TokenResponse),
        (status = 401, description = "`invalid_refresh_token`, `refresh_token_expired` or `refresh_token_reused` (every session of the account is ended)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/auth/refresh")]
pub async fn refresh(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: ValidJson<RefreshRequest>,
) -> Result<HttpResponse, ApiError> {
    let addr =
        crate::http::request_client_ip(&req, &state.auth.trusted_proxies).map(|ip| ip.to_string());
    let Some((token, from_cookie)) = presented_refresh(&req, body.0.refresh_token) else {
        return Err(ApiError::unauthorized(
            ErrorCode::InvalidRefreshToken,
            "send a refresh token, or sign in",
        ));
    };
    let cfg = state.auth.clone();
    let issued = crate::db::run(&state.pool, move |c| {
        super::service::refresh(c, &token, addr, &cfg)
    })
    .await?;
    token_response(&state, &req, issued, from_cookie)
}

/// Sign out: every session of the account ends — refresh tokens are revoked and access tokens
/// already issued stop working. The token is the body's, else the session cookie's (which is
/// cleared).
#[utoipa::path(
    tag = "auth",
    operation_id = "auth_logout",
    request_body = RefreshRequest,
    responses((status = 204, description = "signed out (also for an unknown token)"))
)]
#[post("/auth/logout")]
pub async fn logout(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: ValidJson<RefreshRequest>,
) -> Result<HttpResponse, ApiError> {
    let addr =
        crate::http::request_client_ip(&req, &state.auth.trusted_proxies).map(|ip| ip.to_string());
    if let Some((token, _)) = presented_refresh(&req, body.0.refresh_token) {
        crate::db::run(&state.pool, move |c| {
            super::service::logout(c, &token, addr)
        })
        .await?;
    }
    let mut res = HttpResponse::NoContent();
    no_store(&mut res);
    if req.cookie(REFRESH_COOKIE).is_some() {
        res.cookie(refresh_cookie(&req, "", 0));
    }
    Ok(res.finish())
}

/// The signed-in user with their roles and scopes.
#[utoipa::path(
    tag = "auth",
    operation_id = "me_get",
    responses(
        (status = 200, body = MeView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/me")]
pub async fn me(caller: Caller) -> HttpResponse {
    HttpResponse::Ok().json(MeView {
        id: caller.user_id.clone(),
        username: caller.username.clone(),
        display_name: caller.display_name.clone(),
        grants: caller
            .grants
            .iter()
            .map(|g| GrantView {
                id: g.id.clone(),
                role: g.role,
                scope_type: g.scope_type,
                scope_id: g.scope_id.clone(),
                scope_name: g.scope_name.clone(),
            })
            .collect(),
    })
}
