#![recursion_limit = "256"]
//! Tongxin (同心): the REST/JSON API of a street's party-building-led community governance.
//!
//! [`app`] builds the whole HTTP application from an [`AppState`]; `main` and the tests share it.
pub mod agreements;
pub mod audit;
pub mod auth;
pub mod branches;
pub mod calendars;
pub mod clock;
pub mod concerns;
pub mod config;
pub mod db;
pub mod demo;
pub mod enums;
pub mod error;
pub mod grids;
pub mod households;
pub mod http;
pub mod ics;
pub mod jobs;
pub mod meetings;
pub mod members;
pub mod memo;
pub mod openapi;
pub mod orders;
pub mod phones;
pub mod polls;
pub mod privacy;
pub mod projects;
pub mod regions;
pub mod sealed;
pub mod stats;
pub mod tabular;
pub mod tree;
pub mod units;
pub mod users;
pub mod versions;
pub mod volunteers;
pub mod wishes;

use std::path::PathBuf;
use std::sync::Arc;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::{get, web, App, HttpRequest, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_actix_web::AppExt;

use crate::auth::jwt::Keys;
use crate::auth::rate_limit::RateLimiter;
use crate::config::AuthArgs;
use crate::db::DbPool;
use crate::error::ApiError;
use crate::error::ErrorCode;

/// A new record id: a UUID v7 (time-ordered, so inserts stay at the end of the primary-key index).
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// Everything a request handler needs, shared by all workers.
pub struct AppState {
    pub pool: DbPool,
    pub keys: Arc<Keys>,
    pub auth: Arc<AuthArgs>,
    pub login_limiter: Arc<RateLimiter>,
    pub callers: Arc<crate::auth::caller::CallerCache>,
    /// Visit coverage reports, keyed by the versions of the grids they were computed from.
    pub coverage: Arc<households::visits::CoverageMemo>,
    /// Per-group counts of the big scoped lists (households, members), checked against `versions`.
    pub groups: Arc<versions::GroupMemo>,
    /// Roster pages as sent, checked against the members' data version.
    pub pages: Arc<http::list::PageMemo>,
    /// Service-hours rankings, checked against the ledger's data version.
    pub rankings: Arc<volunteers::ledger::RankingMemo>,
    /// Seals personal identifiers (ID numbers, phone numbers) at rest.
    pub sealer: Arc<sealed::Sealer>,
    pub stats: Arc<stats::service::StatsCache>,
    /// Imports in progress (bounded, so that uploads cannot exhaust memory).
    pub imports: Arc<tabular::Imports>,
    /// The built SPA; `None` serves no web app (tests, API-only deployments).
    pub web_dir: Option<PathBuf>,
}

impl AppState {
    pub fn new(pool: DbPool, secret: &[u8], auth: AuthArgs, web_dir: Option<PathBuf>) -> AppState {
        AppState {
            pool,
            keys: Arc::new(Keys::new(secret, auth.access_token_ttl_secs)),
            login_limiter: Arc::new(RateLimiter::per_minute(auth.login_rate_per_minute)),
            callers: Arc::default(),
            coverage: Arc::new(memo::Memo::new(256)),
            groups: Arc::new(memo::Memo::new(1024)),
            pages: Arc::new(memo::Memo::new(512)),
            rankings: Arc::new(memo::Memo::new(256)),
            // Tests and tools get a key derived from the signing secret; `serve` always sets the
            // deployment's own data key with `with_data_key`.
            sealer: Arc::new(sealed::Sealer::new(
                &[secret, b"/data-key".as_slice()].concat(),
            )),
            // Tests and embedders count live; the server remembers for `--stats-ttl-secs`.
            stats: Arc::new(stats::service::StatsCache::new(std::time::Duration::ZERO)),
            imports: Arc::default(),
            auth: Arc::new(auth),
            web_dir,
        }
    }

    /// The data key that seals personal identifiers.
    pub fn with_data_key(mut self, key: &[u8]) -> AppState {
        self.sealer = Arc::new(sealed::Sealer::new(key));
        self
    }

    /// Sizes the report cache (`0` turns it off).
    pub fn with_stats_ttl(mut self, secs: u64) -> AppState {
        self.stats = Arc::new(stats::service::StatsCache::new(
            std::time::Duration::from_secs(secs),
        ));
        self
    }

    pub fn with_report_cache(mut self, entries: usize) -> AppState {
        self.coverage = Arc::new(memo::Memo::new(entries));
        self.groups = Arc::new(memo::Memo::new(entries * 4));
        self.pages = Arc::new(memo::Memo::new(entries * 2));
        self.rankings = Arc::new(memo::Memo::new(entries));
        self
    }
}

#[derive(Serialize, ToSchema)]
pub struct Health {
    #[schema(example = "ok")]
    pub status: String,
}

/// Liveness: the process answers.
#[utoipa::path(tag = "health", operation_id = "health_live", responses((status = 200, body = Health)))]
#[get("/healthz")]
async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(Health {
        status: "ok".into(),
    })
}

/// Readiness: the database answers.
#[utoipa::path(
    tag = "health",
    operation_id = "health_ready",
    responses((status = 200, body = Health), (status = 503, body = crate::error::Problem, content_type = "application/problem+json"))
)]
#[get("/readyz")]
async fn readyz(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    crate::db::run(&state.pool, |c| {
        use diesel::connection::SimpleConnection;
        c.batch_execute("SELECT 1")
            .map_err(|e| ApiError::unavailable(format!("database: {e}")))
    })
    .await?;
    Ok(HttpResponse::Ok().json(Health {
        status: "ok".into(),
    }))
}

/// The OpenAPI document of this server.
#[utoipa::path(tag = "health", operation_id = "openapi_get", responses((status = 200, description = "OpenAPI 3.1 document", content_type = "application/json")))]
#[get("/openapi.json")]
async fn openapi_json() -> HttpResponse {
    static SPEC: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let body = SPEC.get_or_init(|| openapi::spec().to_json().expect("the spec serializes"));
    HttpResponse::Ok()
        .content_type("application/json")
        .body(body.as_str())
}

/// Registers every API route on a utoipa-aware app; used by [`app`] and by [`openapi::spec`].
pub fn routes<T>(app: utoipa_actix_web::UtoipaApp<T>) -> utoipa_actix_web::UtoipaApp<T>
where
    T: ServiceFactory<ServiceRequest, Config = (), Error = actix_web::Error, InitError = ()>,
{
    app.service(healthz).service(readyz).service(
        utoipa_actix_web::scope("/api/v1")
            .service(openapi_json)
            .configure(auth::routes)
            .configure(audit::routes)
            .configure(regions::routes)
            .configure(branches::routes)
            .configure(grids::routes)
            .configure(households::routes)
            .configure(jobs::routes)
            .configure(calendars::routes)
            .configure(members::routes)
            .configure(meetings::routes)
            .configure(volunteers::routes)
            .configure(units::routes)
            .configure(projects::routes)
            .configure(orders::routes)
            .configure(wishes::routes)
            .configure(agreements::routes)
            .configure(concerns::routes)
            .configure(polls::routes)
            .configure(stats::routes)
            .configure(users::routes),
    )
}

/// The methods a path of the spec has (`GET, PATCH, DELETE`), or `None` when no path template of
/// the spec matches it. Several templates can match one path (`/regions/tree` and
/// `/regions/{id}`); actix would route any of their methods, so the answer is their union.
pub fn allowed_methods(path: &str) -> Option<String> {
    type Templates = Vec<(Vec<String>, Vec<&'static str>)>;
    static TEMPLATES: std::sync::OnceLock<Templates> = std::sync::OnceLock::new();
    let templates = TEMPLATES.get_or_init(|| {
        openapi::spec()
            .paths
            .paths
            .iter()
            .map(|(template, item)| {
                let methods = [
                    ("GET", item.get.is_some()),
                    ("HEAD", item.head.is_some()),
                    ("POST", item.post.is_some()),
                    ("PUT", item.put.is_some()),
                    ("PATCH", item.patch.is_some()),
                    ("DELETE", item.delete.is_some()),
                    ("OPTIONS", item.options.is_some()),
                ];
                (
                    template.split('/').map(str::to_owned).collect(),
                    methods
                        .iter()
                        .filter(|(_, has)| *has)
                        .map(|(m, _)| *m)
                        .collect(),
                )
            })
            .collect()
    });
    let segments: Vec<&str> = path.split('/').collect();
    let mut allowed: Vec<&str> = vec![];
    for (template, methods) in templates {
        if template.len() == segments.len()
            && template
                .iter()
                .zip(&segments)
                .all(|(t, s)| segment_matches(t, s))
        {
            allowed.extend(
                methods
                    .iter()
                    .filter(|m| !allowed.contains(m))
                    .collect::<Vec<_>>(),
            );
        }
    }
    const ORDER: [&str; 7] = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];
    allowed.sort_by_key(|m| ORDER.iter().position(|o| o == m));
    (!allowed.is_empty()).then(|| allowed.join(", "))
}

/// One path segment against its template: literal, or `{param}` with an optional literal prefix
/// and suffix (`{service_code}.json`), which matches one non-empty segment as actix's does.
fn segment_matches(template: &str, segment: &str) -> bool {
    match (template.find('{'), template.rfind('}')) {
        (Some(open), Some(close)) if open < close => {
            let (prefix, suffix) = (&template[..open], &template[close + 1..]);
            segment.len() > prefix.len() + suffix.len()
                && segment.starts_with(prefix)
                && segment.ends_with(suffix)
        }
        _ => template == segment,
    }
}

/// No route took the request: a path of the spec with another method is a 405 with `Allow`; a
/// non-API path is the SPA's (index.html); anything else is a 404.
async fn not_found(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let path = req.path();
    if let Some(allow) = allowed_methods(path) {
        if !allow.split(", ").any(|m| m == req.method().as_str()) {
            let err = ApiError::new(
                actix_web::http::StatusCode::METHOD_NOT_ALLOWED,
                ErrorCode::MethodNotAllowed,
                format!(
                    "{} is not allowed on {path}; it allows {allow}",
                    req.method()
                ),
            );
            let mut res = actix_web::ResponseError::error_response(&err);
            res.headers_mut().insert(
                actix_web::http::header::ALLOW,
                actix_web::http::header::HeaderValue::from_str(&allow)
                    .map_err(ApiError::internal)?,
            );
            return Ok(res);
        }
    }
    let api = path.starts_with("/api/") || path == "/api" || path.starts_with("/docs");
    if let (false, Some(dir)) = (api, state.web_dir.as_ref()) {
        // The SPA's own router handles every non-API path.
        let index = dir.join("index.html");
        if let Ok(html) = std::fs::read(&index) {
            return Ok(HttpResponse::Ok()
                .content_type("text/html; charset=utf-8")
                .insert_header(("Cache-Control", "no-cache"))
                .body(html));
        }
    }
    Err(ApiError::new(
        actix_web::http::StatusCode::NOT_FOUND,
        ErrorCode::NotFound,
        format!("no route for {} {}", req.method(), path),
    ))
}

/// The whole application: API, spec, docs UI and the built SPA.
pub fn app(
    state: web::Data<AppState>,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let web_dir = state.web_dir.clone();
    let (app, spec) = routes(
        App::new()
            .app_data(state.clone())
            .app_data(web::QueryConfig::default().error_handler(|e, _| {
                ApiError::bad_request(ErrorCode::InvalidQuery, format!("bad query parameter: {e}"))
                    .into()
            }))
            .app_data(
                web::PathConfig::default()
                    .error_handler(|_, _| ApiError::not_found("record").into()),
            )
            .into_utoipa_app()
            .openapi(openapi::base()),
    )
    .split_for_parts();
    // The spec is served from inside the /api/v1 scope (see `openapi_json`), computed once.
    let _ = spec;
    let mut app = app
        .service(
            utoipa_swagger_ui::SwaggerUi::new("/docs/{_:.*}").config(
                utoipa_swagger_ui::Config::from("/api/v1/openapi.json").validator_url("none"),
            ),
        )
        .service(web::redirect("/docs", "/docs/"));
    if let Some(dir) = web_dir.filter(|d| d.join("index.html").exists()) {
        app = app.service(
            actix_files::Files::new("/", dir)
                .index_file("index.html")
                .prefer_utf8(true),
        );
    }
    app.default_service(web::to(not_found))
        .wrap(actix_web::middleware::from_fn(
            http::idempotency::middleware,
        ))
        .wrap(actix_web::middleware::Logger::new("%{r}a \"%r\" %s %b %Dms").exclude("/healthz"))
        .wrap(
            actix_web::middleware::DefaultHeaders::new()
                .add(("X-Content-Type-Options", "nosniff"))
                .add(("Referrer-Policy", "no-referrer"))
                .add(("X-Frame-Options", "SAMEORIGIN"))
                .add(("Content-Security-Policy", http::CONTENT_SECURITY_POLICY))
                .add(("Permissions-Policy", http::PERMISSIONS_POLICY)),
        )
}

/// Runs the HTTP server until SIGINT/SIGTERM; in-flight requests get 30 s to finish.
pub async fn serve(
    state: web::Data<AppState>,
    bind: &str,
    workers: Option<usize>,
    demo: bool,
) -> std::io::Result<()> {
    let purge_state = state.clone();
    let sweep_state = state.clone();
    let mut server = actix_web::HttpServer::new(move || app(state.clone())).shutdown_timeout(30);
    if let Some(w) = workers {
        server = server.workers(w.max(1));
    }
    let server = server.bind(bind)?;
    for addr in server.addrs() {
        log::info!("listening on http://{addr}/ (API /api/v1, docs /docs/)");
        if demo {
            println!(
                "\nTongxin is running at http://{addr}/  — demo logins (password `{}`): {}\n",
                demo::PASSWORD,
                demo::ACCOUNTS.join(", ")
            );
        }
    }
    // Expired idempotency keys are removed hourly, off the request path.
    actix_web::rt::spawn(async move {
        let mut tick = actix_web::rt::time::interval(std::time::Duration::from_secs(3600));
        loop {
            tick.tick().await;
            let _ = db::run(&purge_state.pool, |c| {
                Ok(http::idempotency::purge_expired(c)?)
            })
            .await;
        }
    });
    // Concerns near their due time are warned and overdue ones escalated, every minute.
    actix_web::rt::spawn(async move {
        let mut tick = actix_web::rt::time::interval(std::time::Duration::from_secs(60));
        let mut last_freeze = None;
        loop {
            tick.tick().await;
            let at = chrono::Utc::now().naive_utc();
            if let Err(e) =
                db::run(&sweep_state.pool, move |c| concerns::service::sweep(c, at)).await
            {
                log::warn!("concern sweep failed: {e}");
            }
            // Once a day: freeze last month's year-to-date figures for every district, street and community.
            let today = clock::today();
            if last_freeze != Some(today) {
                last_freeze = Some(today);
                match db::run(&sweep_state.pool, move |c| {
                    stats::service::freeze_month_end(c, today)
                })
                .await
                {
                    Ok(n) if n > 0 => log::info!("froze month-end figures for {n} regions"),
                    Ok(_) => {}
                    Err(e) => log::warn!("freezing month-end figures failed: {e}"),
                }
            }
            // Jobs whose server stopped (their lease ran out) fail with a message.
            match db::run(&sweep_state.pool, move |c| Ok(jobs::fail_abandoned(c, at)?)).await {
                Ok(n) if n > 0 => log::warn!("failed {n} import jobs whose server had stopped"),
                Ok(_) => {}
                Err(e) => log::warn!("sweeping abandoned jobs failed: {e}"),
            }
            // Polls past their closing time close, and their warned cadres get rectifications.
            if let Err(e) =
                db::run(&sweep_state.pool, move |c| polls::service::close_due(c, at)).await
            {
                log::warn!("closing due polls failed: {e}");
            }
        }
    });
    let result = server.run().await;
    log::info!("stopped");
    result
}
