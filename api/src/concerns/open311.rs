//! An Open311 GeoReport v2 facade over concerns, so existing civic apps and city hot-line systems
//! can file and follow them: `services`, `requests` (JSON only).
//!
//! It keeps GeoReport's own shapes rather than the API's conventions: errors are its array of
//! `{code, description}`, a request is filed as a form (`application/x-www-form-urlencoded`; JSON
//! is accepted too), and the access token may come as `api_key` as well as a Bearer header. The
//! caller is an integration client (or any account) and sees what it could see through
//! `/concerns`.
use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use utoipa::{IntoParams, ToSchema};

use super::dto::*;
use super::service;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::http::list::Paging;
use crate::AppState;

/// A GeoReport v2 error.
#[derive(Debug, Serialize, ToSchema)]
pub struct Open311Error {
    #[schema(example = 400)]
    pub code: u16,
    #[schema(example = "service_code is required")]
    pub description: String,
}

fn error(status: StatusCode, description: impl Into<String>) -> HttpResponse {
    HttpResponse::build(status).json(vec![Open311Error {
        code: status.as_u16(),
        description: description.into(),
    }])
}

/// A query string or body the extractors refused, in GeoReport's shape (the API's own extractors
/// answer problem+json).
fn refused(e: actix_web::Error) -> HttpResponse {
    let status = e.as_response_error().status_code();
    error(
        status,
        if status == StatusCode::PAYLOAD_TOO_LARGE {
            "the body is too large".to_string()
        } else {
            format!("the request cannot be read: {e}")
        },
    )
}

fn from_api(e: ApiError) -> HttpResponse {
    let p = e.problem();
    let mut description = p.detail.clone();
    for f in p.errors.iter().flatten() {
        description = format!("{description}; {}: {}", f.field, f.message);
    }
    error(
        StatusCode::from_u16(p.status).unwrap_or(StatusCode::BAD_REQUEST),
        description,
    )
}

/// The caller from a Bearer header, or from `api_key` as GeoReport clients send it.
async fn caller(req: &HttpRequest, api_key: Option<&str>) -> Result<Caller, HttpResponse> {
    use actix_web::FromRequest;
    if crate::auth::caller::bearer_token(req).is_some() || api_key.is_none() {
        return Caller::extract(req).await.map_err(from_api);
    }
    let state = req
        .app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or_else(|| error(StatusCode::INTERNAL_SERVER_ERROR, "no state"))?;
    let claims = state
        .keys
        .verify(api_key.unwrap_or_default())
        .map_err(|_| {
            error(
                StatusCode::UNAUTHORIZED,
                "api_key is not a valid access token",
            )
        })?;
    crate::db::run(&state.pool, move |c| {
        crate::auth::caller::load_caller(c, &claims.sub, None)
    })
    .await
    .map_err(from_api)
}

fn local(t: DateTime<Utc>) -> String {
    t.with_timezone(&crate::clock::offset())
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
}

/// A GeoReport v2 service: one per concern category.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"service_code": "safety", "service_name": "安全隐患", "description": "Safety hazards: fire, gas, falling objects, electric bikes charged indoors", "metadata": false, "type": "realtime", "keywords": "safety", "group": "社情民意"}))]
pub struct Service {
    pub service_code: String,
    pub service_name: String,
    pub description: String,
    pub metadata: bool,
    #[serde(rename = "type")]
    pub kind: String,
    pub keywords: String,
    pub group: String,
}

fn services() -> Vec<Service> {
    ConcernCategory::ALL
        .iter()
        .map(|c| {
            let (handler, accept, resolve) = c.default_route();
            Service {
                service_code: c.as_str().into(),
                service_name: c.label().into(),
                description: format!(
                    "{}：默认由{}受理（{}小时内受理，{}小时内办结）",
                    c.label(),
                    handler,
                    accept,
                    resolve
                ),
                metadata: false,
                kind: "realtime".into(),
                keywords: c.as_str().into(),
                group: "社情民意".into(),
            }
        })
        .collect()
}

/// The service list (GeoReport v2 `GET services`).
#[utoipa::path(
    tag = "open311",
    operation_id = "open311_services",
    params(ApiKey),
    responses((status = 200, body = Vec<Service>)),
    security(("bearer" = []))
)]
#[get("/open311/v2/services.json")]
pub async fn list_services(
    req: HttpRequest,
    q: Result<web::Query<ApiKey>, actix_web::Error>,
) -> HttpResponse {
    let q = match q {
        Ok(q) => q,
        Err(e) => return refused(e),
    };
    if let Err(r) = caller(&req, q.api_key.as_deref()).await {
        return r;
    }
    HttpResponse::Ok().json(services())
}

/// A service definition (GeoReport v2 `GET services/{code}`): no extra attributes.
#[utoipa::path(
    tag = "open311",
    operation_id = "open311_service_definition",
    params(("service_code" = String, Path), ApiKey),
    responses((status = 200, description = "`{service_code, attributes: []}`", content_type = "application/json"), (status = 404, body = Vec<Open311Error>)),
    security(("bearer" = []))
)]
#[get("/open311/v2/services/{service_code}.json")]
pub async fn service_definition(
    req: HttpRequest,
    code: web::Path<String>,
    q: Result<web::Query<ApiKey>, actix_web::Error>,
) -> HttpResponse {
    let q = match q {
        Ok(q) => q,
        Err(e) => return refused(e),
    };
    if let Err(r) = caller(&req, q.api_key.as_deref()).await {
        return r;
    }
    match ConcernCategory::parse(&code) {
        Some(c) => HttpResponse::Ok().json(json!({"service_code": c.as_str(), "attributes": []})),
        None => error(StatusCode::NOT_FOUND, format!("no service `{code}`")),
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ApiKey {
    /// The access token, for clients that cannot send a Bearer header.
    pub api_key: Option<String>,
}

/// A filed service request (GeoReport v2 `POST requests`), as a form.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[schema(example = json!({"service_code": "environment", "lat": 31.8103, "long": 119.9701, "address_string": "斜桥巷3号楼", "description": "垃圾桶满了三天没人清运", "first_name": "李", "last_name": "秀英", "phone": "13905190000", "media_url": "https://example.org/p/1.jpg"}))]
pub struct FileRequest {
    pub api_key: Option<String>,
    pub jurisdiction_id: Option<String>,
    pub service_code: Option<String>,
    pub lat: Option<String>,
    pub long: Option<String>,
    pub address_string: Option<String>,
    /// A household id of this system.
    pub address_id: Option<String>,
    pub email: Option<String>,
    pub device_id: Option<String>,
    pub account_id: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub phone: Option<String>,
    pub description: Option<String>,
    pub media_url: Option<String>,
}

/// A service request as GeoReport v2 shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ServiceRequest {
    pub service_request_id: String,
    /// open or closed
    pub status: String,
    pub status_notes: Option<String>,
    pub service_name: String,
    pub service_code: String,
    pub description: String,
    pub agency_responsible: String,
    pub service_notice: Option<String>,
    pub requested_datetime: String,
    pub updated_datetime: String,
    pub expected_datetime: Option<String>,
    pub address: Option<String>,
    pub address_id: Option<String>,
    pub zipcode: Option<String>,
    pub lat: Option<f64>,
    pub long: Option<f64>,
    pub media_url: Option<String>,
}

fn request_of(v: &ConcernView) -> ServiceRequest {
    let closed = matches!(v.status, ConcernStatus::Closed | ConcernStatus::Withdrawn);
    ServiceRequest {
        service_request_id: v.id.clone(),
        status: if closed { "closed" } else { "open" }.into(),
        status_notes: v.resolution.clone().or_else(|| {
            (v.status == ConcernStatus::Withdrawn).then(|| "withdrawn by the reporter".into())
        }),
        service_name: v.category_label.clone(),
        service_code: v.category.as_str().into(),
        description: v.description.clone(),
        agency_responsible: v.handler_name.clone(),
        service_notice: Some(format!("{}：{}", v.community_name, status_label(v.status))),
        requested_datetime: local(v.created_at),
        updated_datetime: local(v.updated_at),
        expected_datetime: (!closed).then(|| local(v.resolve_due_at)),
        address: v.address.clone(),
        address_id: None,
        zipcode: None,
        lat: v.lat,
        long: v.lng,
        media_url: v
            .media_urls
            .first()
            .cloned()
            .or_else(|| v.photos.first().map(|p| p.url.clone())),
    }
}

fn status_label(s: ConcernStatus) -> &'static str {
    match s {
        ConcernStatus::Reported => "已分派，待受理",
        ConcernStatus::Accepted => "已受理",
        ConcernStatus::InProgress => "办理中",
        ConcernStatus::Resolved => "已办结，待评价",
        ConcernStatus::Closed => "已关闭",
        ConcernStatus::Reopened => "不满意，重新办理",
        ConcernStatus::Withdrawn => "已撤回",
    }
}

/// File a service request (GeoReport v2 `POST requests`): becomes a concern routed like any
/// other. Answers `[{service_request_id, service_notice}]`.
#[utoipa::path(
    tag = "open311",
    operation_id = "open311_file_request",
    request_body(content = FileRequest, content_type = "application/x-www-form-urlencoded"),
    responses((status = 201, description = "`[{service_request_id, service_notice, account_id}]`", content_type = "application/json"), (status = 400, body = Vec<Open311Error>), (status = 403, body = Vec<Open311Error>)),
    security(("bearer" = []))
)]
#[post("/open311/v2/requests.json")]
pub async fn file_request(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: Result<web::Bytes, actix_web::Error>,
) -> HttpResponse {
    let body = match body {
        Ok(b) => b,
        Err(e) => return refused(e),
    };
    let ct = req
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let form: FileRequest = if ct.starts_with("application/json") {
        match serde_json::from_slice(&body) {
            Ok(f) => f,
            Err(e) => {
                return error(
                    StatusCode::BAD_REQUEST,
                    format!("the body is not valid JSON: {e}"),
                )
            }
        }
    } else {
        match serde_urlencoded::from_bytes(&body) {
            Ok(f) => f,
            Err(e) => {
                return error(
                    StatusCode::BAD_REQUEST,
                    format!("the body is not a valid form: {e}"),
                )
            }
        }
    };
    let caller = match caller(&req, form.api_key.as_deref()).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let Some(category) = form
        .service_code
        .as_deref()
        .and_then(ConcernCategory::parse)
    else {
        return error(
            StatusCode::BAD_REQUEST,
            "service_code is required and must be one of GET services",
        );
    };
    let description = form.description.clone().unwrap_or_default();
    if description.trim().is_empty() {
        return error(StatusCode::BAD_REQUEST, "description is required");
    }
    let coord = |s: &Option<String>| s.as_deref().map(|v| v.trim().parse::<f64>());
    let (lat, lng) = match (coord(&form.lat), coord(&form.long)) {
        (Some(Ok(a)), Some(Ok(b))) => (Some(a), Some(b)),
        (None, None) => (None, None),
        _ => {
            return error(
                StatusCode::BAD_REQUEST,
                "lat and long must both be decimal degrees",
            )
        }
    };
    if lat.is_none() && form.address_id.is_none() {
        return error(
            StatusCode::BAD_REQUEST,
            "a location is required: lat and long, or address_id (a household)",
        );
    }
    let title: String = description.trim().chars().take(30).collect();
    let input = CreateConcern {
        category,
        urgency: None,
        title,
        description: description.trim().chars().take(2000).collect(),
        household_id: form.address_id.clone(),
        grid_id: None,
        community_id: None,
        lng,
        lat,
        address: form
            .address_string
            .clone()
            .map(|a| a.chars().take(200).collect()),
        visit_id: None,
        contact_phone: form.phone.clone(),
    };
    if let Err(errors) = crate::http::Validate::validate(&input) {
        return from_api(ApiError::validation(errors));
    }
    let name = format!(
        "{}{}",
        form.last_name.as_deref().unwrap_or(""),
        form.first_name.as_deref().unwrap_or("")
    )
    .trim()
    .to_string();
    let media: Vec<String> = form
        .media_url
        .iter()
        .filter(|u| u.starts_with("https://") || u.starts_with("http://"))
        .cloned()
        .collect();
    let sealer = state.sealer.clone();
    match crate::db::run(&state.pool, move |c| service::create(c, &sealer, &caller, input, Some((name, media)))).await {
        Ok(v) => HttpResponse::Created().json(json!([{"service_request_id": v.id, "service_notice": format!("已分派至{}，预计{}前办结", v.handler_name, local(v.resolve_due_at)), "account_id": Value::Null}])),
        Err(e) => from_api(e),
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RequestsQuery {
    pub api_key: Option<String>,
    pub jurisdiction_id: Option<String>,
    /// Comma-separated ids; when given, the other filters are ignored.
    pub service_request_id: Option<String>,
    /// Comma-separated service codes.
    pub service_code: Option<String>,
    /// ISO 8601; default 90 days before `end_date`.
    pub start_date: Option<String>,
    /// ISO 8601; default now.
    pub end_date: Option<String>,
    /// open or closed (comma-separated).
    pub status: Option<String>,
}

fn parse_time(s: &str) -> Option<NaiveDateTime> {
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.naive_utc())
        .or_else(|| {
            chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .ok()
                .map(crate::clock::start_of)
        })
}

/// Requests the caller may see (GeoReport v2 `GET requests`): at most 1,000, newest first.
#[utoipa::path(
    tag = "open311",
    operation_id = "open311_requests",
    params(RequestsQuery),
    responses((status = 200, body = Vec<ServiceRequest>), (status = 400, body = Vec<Open311Error>)),
    security(("bearer" = []))
)]
#[get("/open311/v2/requests.json")]
pub async fn list_requests(
    req: HttpRequest,
    state: web::Data<AppState>,
    q: Result<web::Query<RequestsQuery>, actix_web::Error>,
) -> HttpResponse {
    let q = match q {
        Ok(q) => q.into_inner(),
        Err(e) => return refused(e),
    };
    let caller = match caller(&req, q.api_key.as_deref()).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let end = match q.end_date.as_deref().map(parse_time) {
        Some(None) => return error(StatusCode::BAD_REQUEST, "end_date is not ISO 8601"),
        Some(Some(t)) => t,
        None => Utc::now().naive_utc(),
    };
    let start = match q.start_date.as_deref().map(parse_time) {
        Some(None) => return error(StatusCode::BAD_REQUEST, "start_date is not ISO 8601"),
        Some(Some(t)) => t,
        None => end
            .checked_sub_signed(chrono::Duration::days(90))
            .unwrap_or(NaiveDateTime::MIN),
    };
    let codes: Vec<ConcernCategory> = q
        .service_code
        .as_deref()
        .map(|s| {
            s.split(',')
                .filter_map(|c| ConcernCategory::parse(c.trim()))
                .collect()
        })
        .unwrap_or_default();
    let wanted: Option<Vec<String>> = q.service_request_id.as_deref().map(|s| {
        s.split(',')
            .map(|x| x.trim().to_string())
            .filter(|x| !x.is_empty())
            .collect()
    });
    let status = q.status.unwrap_or_default();
    let result = crate::db::run(&state.pool, move |c| {
        if let Some(ids) = wanted {
            // Unknown or invisible ids are left out, as GeoReport clients expect.
            return Ok(ids
                .iter()
                .take(100)
                .filter_map(|id| service::get(c, &caller, id).ok())
                .collect::<Vec<_>>());
        }
        let mut out = vec![];
        for page in 1..=10 {
            let f = service::ConcernFilter {
                category: (codes.len() == 1).then(|| codes[0]),
                from: Some(crate::clock::local_date_of(start)),
                to: Some(crate::clock::local_date_of(end)),
                ..Default::default()
            };
            let (items, total) = service::list(
                c,
                &caller,
                f,
                Paging {
                    page,
                    per_page: 100,
                },
            )?;
            let n = items.len();
            out.extend(
                items
                    .into_iter()
                    .filter(|v| codes.is_empty() || codes.contains(&v.category)),
            );
            if (page * 100) >= total || n == 0 {
                break;
            }
        }
        Ok(out)
    })
    .await;
    match result {
        Ok(views) => {
            let list: Vec<ServiceRequest> = views
                .iter()
                .map(request_of)
                .filter(|r| status.is_empty() || status.split(',').any(|s| s.trim() == r.status))
                .collect();
            HttpResponse::Ok().json(list)
        }
        Err(e) => from_api(e),
    }
}

/// One request (GeoReport v2 `GET requests/{id}`), as a one-element array.
#[utoipa::path(
    tag = "open311",
    operation_id = "open311_request",
    params(("service_request_id" = String, Path), ApiKey),
    responses((status = 200, body = Vec<ServiceRequest>), (status = 404, body = Vec<Open311Error>)),
    security(("bearer" = []))
)]
#[get("/open311/v2/requests/{service_request_id}.json")]
pub async fn get_request(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    q: Result<web::Query<ApiKey>, actix_web::Error>,
) -> HttpResponse {
    let q = match q {
        Ok(q) => q,
        Err(e) => return refused(e),
    };
    let caller = match caller(&req, q.api_key.as_deref()).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let id = id.into_inner();
    match crate::db::run(&state.pool, move |c| service::get(c, &caller, &id)).await {
        Ok(v) => HttpResponse::Ok().json(vec![request_of(&v)]),
        Err(e) => from_api(e),
    }
}
