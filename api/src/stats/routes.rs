//! `/stats/overview`, `/stats/breakdown`, `/stats/series`, `/stats/export` and the five-good
//! assessment `/communities/{id}/assessments/{year}`.
use std::sync::Arc;

use actix_web::{get, put, web, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::Value;
use utoipa::IntoParams;

use super::dto::*;
use super::service::{self, Resolved};
use super::{assessment, compute::Window};
use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::http::{if_match_version, ok_with_etag, ValidJson};
use crate::AppState;

#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatsQuery {
    /// A region (district, street, community); or give `branch_id`.
    pub region_id: Option<String>,
    /// A branch subtree (members, branches and meetings only).
    pub branch_id: Option<String>,
    /// First day (default: the first of `to`'s year).
    pub from: Option<NaiveDate>,
    /// Last day (default: today). A day before today gives the figures frozen as of its end.
    pub to: Option<NaiveDate>,
    /// Breakdown only: `grid` gives every grid under the region (for the map) instead of the
    /// region's children.
    pub by: Option<String>,
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Overview,
    Breakdown,
    BreakdownByGrid,
    Series,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Overview => "overview",
            Kind::Breakdown => "breakdown",
            Kind::BreakdownByGrid => "grids",
            Kind::Series => "series",
        }
    }
}

fn compute(
    conn: &mut crate::db::DbConn,
    kind: Kind,
    r: &Resolved,
    w: Window,
    frozen: bool,
) -> Result<Value, ApiError> {
    match kind {
        Kind::Overview => service::compute_overview(conn, r, w, frozen),
        Kind::Breakdown => service::compute_breakdown(conn, r, w, frozen, false),
        Kind::BreakdownByGrid => service::compute_breakdown(conn, r, w, frozen, true),
        Kind::Series => service::compute_series(conn, r, w),
    }
}

/// Scope check, then: a past period from its snapshot (frozen on first read); a live one from
/// the cache, refreshed in the background once stale.
async fn figures(
    state: &web::Data<AppState>,
    caller: Caller,
    q: StatsQuery,
    kind: Kind,
) -> Result<Arc<Value>, ApiError> {
    let w = service::window(q.from, q.to)?;
    let r = crate::db::run(&state.pool, move |c| {
        service::resolve(c, &caller, q.region_id.as_deref(), q.branch_id.as_deref())
    })
    .await?;
    if service::frozen_period(&w) {
        let key = format!("{}:{}", kind.name(), r.key());
        return Ok(Arc::new(
            crate::db::run(&state.pool, move |c| {
                service::frozen_or(c, &key, &w, |c| compute(c, kind, &r, w, true))
            })
            .await?,
        ));
    }
    let key = format!("{}:{}:{}:{}", kind.name(), r.key(), w.from, w.to);
    if let Some((v, fresh)) = state.stats.get(&key) {
        if !fresh && state.stats.begin_refresh(&key) {
            let st = state.clone();
            actix_web::rt::spawn(async move {
                let k = key.clone();
                match crate::db::run(&st.pool, move |c| compute(c, kind, &r, w, false)).await {
                    Ok(v) => {
                        st.stats.put(k, v);
                    }
                    Err(e) => {
                        log::warn!("refreshing {k} failed: {e}");
                        st.stats.end_refresh(&k);
                    }
                }
            });
        }
        return Ok(v);
    }
    let v = crate::db::run(&state.pool, move |c| compute(c, kind, &r, w, false)).await?;
    Ok(state.stats.put(key, v))
}

/// The overview of a region or branch subtree over a period: members by category and age,
/// branches by kind, check-ins, teams and hours, orders by state with the average rating and
/// time to accept, wishes, visit coverage, meeting attendance, concerns with the 12345 measures,
/// poll outcomes. Figures of a past `to` are frozen (`frozen: true`).
#[utoipa::path(
    tag = "stats",
    operation_id = "stats_overview",
    params(StatsQuery),
    responses((status = 200, body = Overview), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[get("/stats/overview")]
pub async fn overview(
    state: web::Data<AppState>,
    caller: Caller,
    q: web::Query<StatsQuery>,
) -> Result<HttpResponse, ApiError> {
    let v = figures(&state, caller, q.into_inner(), Kind::Overview).await?;
    Ok(HttpResponse::Ok().json(v.as_ref()))
}

/// Headline figures per child: a district's streets, a street's communities, a community's grids
/// (for the drill-down and the map).
#[utoipa::path(
    tag = "stats",
    operation_id = "stats_breakdown",
    params(StatsQuery),
    responses((status = 200, body = Breakdown), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[get("/stats/breakdown")]
pub async fn breakdown(
    state: web::Data<AppState>,
    caller: Caller,
    q: web::Query<StatsQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = q.into_inner();
    let kind = match q.by.as_deref() {
        None | Some("children") => Kind::Breakdown,
        Some("grid") => Kind::BreakdownByGrid,
        Some(_) => {
            return Err(ApiError::field(
                "by",
                "invalid_choice",
                "by is children or grid",
            ))
        }
    };
    let v = figures(&state, caller, q, kind).await?;
    Ok(HttpResponse::Ok().json(v.as_ref()))
}

/// The period month by month.
#[utoipa::path(
    tag = "stats",
    operation_id = "stats_series",
    params(StatsQuery),
    responses((status = 200, body = Series), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[get("/stats/series")]
pub async fn series(
    state: web::Data<AppState>,
    caller: Caller,
    q: web::Query<StatsQuery>,
) -> Result<HttpResponse, ApiError> {
    let v = figures(&state, caller, q.into_inner(), Kind::Series).await?;
    Ok(HttpResponse::Ok().json(v.as_ref()))
}

/// Flattens figures into (measure, value) rows.
fn flatten(prefix: &str, v: &Value, out: &mut Vec<(String, String)>) {
    match v {
        Value::Object(map) => {
            for (k, x) in map {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&key, x, out);
            }
        }
        Value::Null => out.push((prefix.to_string(), String::new())),
        Value::String(s) => out.push((prefix.to_string(), s.clone())),
        other => out.push((prefix.to_string(), other.to_string())),
    }
}

fn label(key: &str) -> &'static str {
    match key.split('.').next().unwrap_or("") {
        "members" => "党员",
        "branches" => "党组织",
        "check_ins" => "双报到",
        "volunteers" => "志愿服务",
        "orders" => "菜单式服务",
        "wishes" => "微心愿",
        "visits" => "走访",
        "meetings" => "三会一课",
        "concerns" => "社情民意",
        "polls" => "民意测评",
        "scope" => "范围",
        _ => "",
    }
}

fn xlsx(
    ov: &Value,
    bd: Option<&Value>,
    ms: Option<&Value>,
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let bold = rust_xlsxwriter::Format::new().set_bold();
    let sheet = book.add_worksheet().set_name("概览 Overview")?;
    let mut rows = vec![];
    flatten("", ov, &mut rows);
    sheet.write_string_with_format(0, 0, "类别", &bold)?;
    sheet.write_string_with_format(0, 1, "指标 measure", &bold)?;
    sheet.write_string_with_format(0, 2, "数值 value", &bold)?;
    for (i, (k, v)) in rows.iter().enumerate() {
        let r = i as u32 + 1;
        sheet.write_string(r, 0, label(k))?;
        sheet.write_string(r, 1, k)?;
        match v.parse::<f64>() {
            Ok(n) => sheet.write_number(r, 2, n)?,
            Err(_) => sheet.write_string(r, 2, v)?,
        };
    }
    sheet.set_column_width(1, 40)?;
    sheet.set_column_width(2, 24)?;
    if let Some(children) = bd.and_then(|b| b["children"].as_array()) {
        let sheet = book.add_worksheet().set_name("下级 Breakdown")?;
        let cols = [
            "name",
            "level",
            "members",
            "households",
            "coverage_rate",
            "orders",
            "average_rating",
            "concerns",
            "concerns_open",
            "on_time_resolution_rate",
            "satisfaction_rate",
            "attendance_rate",
            "hours",
        ];
        for (j, c) in cols.iter().enumerate() {
            sheet.write_string_with_format(0, j as u16, *c, &bold)?;
        }
        for (i, ch) in children.iter().enumerate() {
            for (j, c) in cols.iter().enumerate() {
                match &ch[*c] {
                    Value::Number(n) => {
                        sheet.write_number(i as u32 + 1, j as u16, n.as_f64().unwrap_or(0.0))?
                    }
                    Value::String(s) => sheet.write_string(i as u32 + 1, j as u16, s)?,
                    _ => sheet,
                };
            }
        }
    }
    if let Some(months) = ms.and_then(|s| s["months"].as_array()) {
        let sheet = book.add_worksheet().set_name("月度 Monthly")?;
        let cols = [
            "month",
            "orders",
            "orders_completed",
            "concerns",
            "concerns_closed",
            "visits",
            "hours",
            "meetings",
            "attendance_rate",
            "members_joined",
            "wishes",
        ];
        for (j, c) in cols.iter().enumerate() {
            sheet.write_string_with_format(0, j as u16, *c, &bold)?;
        }
        for (i, m) in months.iter().enumerate() {
            for (j, c) in cols.iter().enumerate() {
                match &m[*c] {
                    Value::Number(n) => {
                        sheet.write_number(i as u32 + 1, j as u16, n.as_f64().unwrap_or(0.0))?
                    }
                    Value::String(s) => sheet.write_string(i as u32 + 1, j as u16, s)?,
                    _ => sheet,
                };
            }
        }
    }
    book.save_to_buffer()
}

/// The overview, the breakdown and the months as one XLSX workbook, for reporting upwards.
#[utoipa::path(
    tag = "stats",
    operation_id = "stats_export",
    params(StatsQuery),
    responses(
        (status = 200, description = "the workbook", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/stats/export")]
pub async fn export(
    state: web::Data<AppState>,
    caller: Caller,
    q: web::Query<StatsQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = q.into_inner();
    let regional = q.region_id.is_some();
    let o = figures(&state, caller.clone(), q.clone(), Kind::Overview).await?;
    let (b, s) = if regional {
        (
            Some(figures(&state, caller.clone(), q.clone(), Kind::Breakdown).await?),
            Some(figures(&state, caller, q.clone(), Kind::Series).await?),
        )
    } else {
        (None, None)
    };
    let bytes = xlsx(&o, b.as_deref(), s.as_deref()).map_err(ApiError::internal)?;
    let name = format!(
        "tongxin-stats-{}-{}.xlsx",
        o["from"].as_str().unwrap_or(""),
        o["to"].as_str().unwrap_or("")
    );
    Ok(HttpResponse::Ok()
        .content_type("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"{name}\""),
        ))
        .body(bytes))
}

/// A community's five-good (五好) score sheet for a year: computed items with their evidence, and
/// the items assessors enter. Final sheets are frozen.
#[utoipa::path(
    tag = "stats",
    operation_id = "assessments_get",
    params(("community_id" = String, Path), ("year" = i32, Path)),
    responses((status = 200, body = AssessmentView), (status = 400, description = "`invalid_year`: a year from 2000 to this year", body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[get("/communities/{community_id}/assessments/{year}")]
pub async fn get_assessment(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, i32)>,
) -> Result<HttpResponse, ApiError> {
    let (id, year) = path.into_inner();
    let v = crate::db::run(&state.pool, move |c| assessment::get(c, &caller, &id, year)).await?;
    Ok(ok_with_etag(&v, v.version))
}

/// Enter assessors' scores (street staff); `finalize` freezes the sheet.
#[utoipa::path(
    tag = "stats",
    operation_id = "assessments_update",
    request_body = UpdateAssessment,
    params(("community_id" = String, Path), ("year" = i32, Path), ("If-Match" = Option<String>, Header)),
    responses(
        (status = 200, body = AssessmentView),
        (status = 400, description = "`invalid_year`: a year from 2000 to this year, or a malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`assessment_final`", body = Problem, content_type = "application/problem+json"),
        (status = 412, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[put("/communities/{community_id}/assessments/{year}")]
pub async fn update_assessment(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    path: web::Path<(String, i32)>,
    body: ValidJson<UpdateAssessment>,
) -> Result<HttpResponse, ApiError> {
    let if_match = if_match_version(&req)?;
    let ((id, year), input) = (path.into_inner(), body.0);
    let v = crate::db::run(&state.pool, move |c| {
        assessment::update(c, &caller, &id, year, input, if_match)
    })
    .await?;
    Ok(ok_with_etag(&v, v.version))
}
