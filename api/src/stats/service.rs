//! Scopes, freshness and freezing for `/stats`.
//!
//! Freshness: figures of a period that includes today are computed live and remembered for
//! `stats_ttl` (60 s by default, `TONGXIN_STATS_TTL_SECS`); once older, the next request is
//! answered with the remembered figures while one background refresh recomputes them, so a
//! city-wide dashboard never waits for a full recount. Every answer carries `computed_at`.
//!
//! Reproducibility: figures of a period that ended before today are frozen in `stat_snapshots`
//! the first time anyone reads them, and by a daily job for every district, street and community
//! at each month end; afterwards they are read back unchanged, whatever happens to the tree, the
//! rosters or the records later.
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration as StdDuration, Instant};

use chrono::{Datelike, NaiveDate, Utc};
use diesel::prelude::*;
use serde_json::Value;

use super::compute::{self, Window, Within};
use super::dto::*;
use crate::auth::Caller;
use crate::db::schema::{branches, regions, stat_snapshots};
use crate::db::DbConn;
use crate::error::{ApiError, ApiResult};

/// Live figures remembered for a while, with at most one refresh in flight per key.
pub struct StatsCache {
    pub ttl: StdDuration,
    entries: Mutex<HashMap<String, (Instant, Arc<Value>)>>,
    refreshing: Mutex<HashSet<String>>,
}

impl StatsCache {
    pub fn new(ttl: StdDuration) -> StatsCache {
        StatsCache {
            ttl,
            entries: Mutex::default(),
            refreshing: Mutex::default(),
        }
    }

    /// The remembered answer and whether it is still fresh.
    pub fn get(&self, key: &str) -> Option<(Arc<Value>, bool)> {
        if self.ttl.is_zero() {
            return None;
        }
        let map = self.entries.lock().ok()?;
        map.get(key)
            .map(|(at, v)| (v.clone(), at.elapsed() < self.ttl))
    }

    pub fn put(&self, key: String, value: Value) -> Arc<Value> {
        let value = Arc::new(value);
        if self.ttl.is_zero() {
            return value;
        }
        if let Ok(mut map) = self.entries.lock() {
            if map.len() > 4096 {
                map.clear();
            }
            map.insert(key.clone(), (Instant::now(), value.clone()));
        }
        if let Ok(mut r) = self.refreshing.lock() {
            r.remove(&key);
        }
        value
    }

    /// True for the one caller that should refresh a stale key.
    pub fn begin_refresh(&self, key: &str) -> bool {
        self.refreshing
            .lock()
            .map(|mut r| r.insert(key.to_string()))
            .unwrap_or(false)
    }

    pub fn end_refresh(&self, key: &str) {
        if let Ok(mut r) = self.refreshing.lock() {
            r.remove(key);
        }
    }
}

/// A resolved scope: what it is and which part of the trees it covers.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub scope: Scope,
    pub within: Within,
    /// The region's path (region scopes).
    pub path: Option<String>,
}

impl Resolved {
    pub fn key(&self) -> String {
        format!("{}:{}", self.scope.kind, self.scope.id)
    }
}

pub fn resolve(
    conn: &mut DbConn,
    caller: &Caller,
    region_id: Option<&str>,
    branch_id: Option<&str>,
) -> ApiResult<Resolved> {
    match (region_id, branch_id) {
        (Some(r), None) => {
            let found: Option<(String, String, String)> = regions::table
                .find(r)
                .select((regions::name, regions::path, regions::level))
                .first(conn)
                .optional()?;
            let (name, path, level) = found
                .filter(|f| caller.regions_readable().contains(&f.1))
                .ok_or_else(|| ApiError::not_found("region"))?;
            let (lo, hi) = crate::tree::range(&path);
            Ok(Resolved {
                scope: Scope {
                    kind: "region".into(),
                    id: r.into(),
                    name,
                    level,
                },
                within: Within::Regions(lo, hi),
                path: Some(path),
            })
        }
        (None, Some(b)) => {
            let found: Option<(String, String, String, String)> = branches::table
                .inner_join(regions::table)
                .filter(branches::id.eq(b))
                .select((
                    branches::name,
                    branches::path,
                    branches::kind,
                    regions::path,
                ))
                .first(conn)
                .optional()?;
            let (name, path, kind, _) = found
                .filter(|f| caller.branches_readable().contains(&f.1, &f.3))
                .ok_or_else(|| ApiError::not_found("branch"))?;
            let (lo, hi) = crate::tree::range(&path);
            Ok(Resolved {
                scope: Scope {
                    kind: "branch".into(),
                    id: b.into(),
                    name,
                    level: kind,
                },
                within: Within::Branches(lo, hi),
                path: None,
            })
        }
        (Some(_), Some(_)) => Err(ApiError::field(
            "branch_id",
            "conflict",
            "give region_id or branch_id, not both",
        )),
        (None, None) => Err(ApiError::field(
            "region_id",
            "required",
            "give region_id or branch_id",
        )),
    }
}

/// The period: `from` defaults to the first of `to`'s year, `to` to today; not in the future.
pub fn window(from: Option<NaiveDate>, to: Option<NaiveDate>) -> ApiResult<Window> {
    let today = crate::clock::today();
    let to = to.unwrap_or(today);
    let from = from.unwrap_or_else(|| NaiveDate::from_ymd_opt(to.year(), 1, 1).unwrap_or(to));
    if to < from {
        return Err(ApiError::field("to", "out_of_range", "to is before from"));
    }
    if to > today {
        return Err(ApiError::field(
            "to",
            "out_of_range",
            "figures cannot be read for days still to come",
        ));
    }
    if (to - from).num_days() > 366 * 5 {
        return Err(ApiError::field(
            "from",
            "out_of_range",
            "a period is at most five years",
        ));
    }
    Ok(Window { from, to })
}

pub fn frozen_period(w: &Window) -> bool {
    w.to < crate::clock::today()
}

fn read_snapshot(conn: &mut DbConn, key: &str, w: &Window) -> QueryResult<Option<Value>> {
    let text: Option<String> = stat_snapshots::table
        .find((key, w.from, w.to))
        .select(stat_snapshots::figures)
        .first(conn)
        .optional()?;
    Ok(text.and_then(|t| serde_json::from_str(&t).ok()))
}

fn write_snapshot(conn: &mut DbConn, key: &str, w: &Window, v: &Value) -> QueryResult<()> {
    let r = diesel::insert_into(stat_snapshots::table)
        .values((
            stat_snapshots::scope_key.eq(key),
            stat_snapshots::period_from.eq(w.from),
            stat_snapshots::as_of.eq(w.to),
            stat_snapshots::figures.eq(v.to_string()),
            stat_snapshots::created_at.eq(Utc::now().naive_utc()),
        ))
        .execute(conn);
    match r {
        // Two first readers at once: the other one's snapshot stands.
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )) => Ok(()),
        other => other.map(|_| ()),
    }
}

/// Reads a past period's figures from their snapshot, freezing them on the first read.
pub fn frozen_or(
    conn: &mut DbConn,
    key: &str,
    w: &Window,
    compute: impl FnOnce(&mut DbConn) -> ApiResult<Value>,
) -> ApiResult<Value> {
    if let Some(v) = read_snapshot(conn, key, w)? {
        return Ok(v);
    }
    let v = compute(conn)?;
    write_snapshot(conn, key, w, &v)?;
    Ok(read_snapshot(conn, key, w)?.unwrap_or(v))
}

pub fn compute_overview(
    conn: &mut DbConn,
    r: &Resolved,
    w: Window,
    frozen: bool,
) -> ApiResult<Value> {
    let parts = compute::by_region(conn, &r.within, w)?;
    let total = compute::sum_under(parts.iter(), "");
    Ok(serde_json::to_value(compute::overview(
        r.scope.clone(),
        w,
        &total,
        r.path.is_some(),
        frozen,
    ))
    .map_err(ApiError::internal)?)
}

pub fn compute_breakdown(
    conn: &mut DbConn,
    r: &Resolved,
    w: Window,
    frozen: bool,
    by_grid: bool,
) -> ApiResult<Value> {
    let Some(path) = &r.path else {
        return Err(ApiError::field(
            "region_id",
            "required",
            "a breakdown is by region",
        ));
    };
    let children = if by_grid || r.scope.level == "community" {
        let (lo, hi) = crate::tree::range(path);
        compute::by_grid(conn, &lo, &hi, w)?
    } else {
        let kids: Vec<(String, String, String, String)> = regions::table
            .filter(regions::parent_id.eq(&r.scope.id))
            .order(regions::name.asc())
            .select((regions::id, regions::name, regions::level, regions::path))
            .load(conn)?;
        let parts = compute::by_region(conn, &r.within, w)?;
        kids.into_iter()
            .map(|(id, name, level, p)| {
                compute::child(id, name, level, &compute::sum_under(parts.iter(), &p))
            })
            .collect()
    };
    let b = Breakdown {
        scope: r.scope.clone(),
        from: w.from,
        to: w.to,
        frozen,
        computed_at: Utc::now(),
        children,
    };
    Ok(serde_json::to_value(b).map_err(ApiError::internal)?)
}

pub fn compute_series(conn: &mut DbConn, r: &Resolved, w: Window) -> ApiResult<Value> {
    let Some(path) = &r.path else {
        return Err(ApiError::field(
            "region_id",
            "required",
            "a series is by region",
        ));
    };
    let (lo, hi) = crate::tree::range(path);
    let months = compute::series(conn, &lo, &hi, w)?;
    Ok(serde_json::to_value(Series {
        scope: r.scope.clone(),
        months,
    })
    .map_err(ApiError::internal)?)
}

/// Freezes last month's year-to-date figures for every district, street and community that has
/// none yet (run daily from the server's minute loop). Returns how many it froze.
pub fn freeze_month_end(conn: &mut DbConn, today: NaiveDate) -> ApiResult<usize> {
    let first = NaiveDate::from_ymd_opt(today.year(), today.month(), 1).unwrap_or(today);
    let month_end = first - chrono::Duration::days(1);
    let w = Window {
        from: NaiveDate::from_ymd_opt(month_end.year(), 1, 1).unwrap_or(month_end),
        to: month_end,
    };
    let all: Vec<(String, String, String, String)> = regions::table
        .filter(regions::level.eq_any(["district", "street", "community"]))
        .select((regions::id, regions::name, regions::path, regions::level))
        .load(conn)?;
    let mut n = 0;
    for (id, name, path, level) in all {
        let key = format!("overview:region:{id}");
        if read_snapshot(conn, &key, &w)?.is_some() {
            continue;
        }
        let (lo, hi) = crate::tree::range(&path);
        let r = Resolved {
            scope: Scope {
                kind: "region".into(),
                id,
                name,
                level,
            },
            within: Within::Regions(lo, hi),
            path: Some(path),
        };
        let v = compute_overview(conn, &r, w, true)?;
        write_snapshot(conn, &key, &w, &v)?;
        n += 1;
    }
    Ok(n)
}
