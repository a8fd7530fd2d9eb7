//! Visits (走访) and coverage against the seed reports' targets: a grid worker visits on at least
//! one day every week and at least 80 households a month, every household each quarter, key-group
//! households at least three times a quarter, and overall coverage above 90 %.
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;

use super::dto::{CreateVisit, VisitKind, VisitView};
use crate::auth::Caller;
use crate::db::schema::{grids, households, regions, visits};
use crate::db::DbConn;
use crate::error::ErrorCode;
use crate::error::{ApiError, ApiResult};
use crate::grids::service::{access, boxed_visible, visible_grid_ids};
use crate::http::list::Paging;
use crate::{audit, tree};

pub const WEEKLY_VISIT_DAYS: usize = 1;
pub const MONTHLY_HOUSEHOLDS: usize = 80;
pub const KEY_GROUP_VISITS: usize = 3;
pub const COVERAGE_TARGET: f64 = 0.9;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = visits)]
pub struct Visit {
    pub id: String,
    pub household_id: String,
    pub grid_id: String,
    pub worker_id: Option<String>,
    pub worker_name: String,
    pub visited_on: NaiveDate,
    pub kind: VisitKind,
    pub notes: Option<String>,
    pub concern_found: bool,
    pub created_at: NaiveDateTime,
}

impl Visit {
    fn view(self) -> VisitView {
        VisitView {
            kind: self.kind,
            id: self.id,
            household_id: self.household_id,
            grid_id: self.grid_id,
            worker_id: self.worker_id,
            worker_name: self.worker_name,
            visited_on: self.visited_on,
            notes: self.notes,
            concern_found: self.concern_found,
            created_at: self.created_at.and_utc(),
        }
    }
}

pub fn create(conn: &mut DbConn, caller: &Caller, input: CreateVisit) -> ApiResult<VisitView> {
    crate::db::write(conn, |c| {
        let found: Option<(String, bool)> = households::table
            .find(&input.household_id)
            .select((households::grid_id, households::key_group))
            .first(c)
            .optional()?;
        let Some((grid_id, _)) = found else {
            return Err(ApiError::field(
                "household_id",
                "not_found",
                "the household does not exist",
            ));
        };
        let acc = access(c, caller, &grid_id, None).map_err(|_| {
            ApiError::field("household_id", "not_found", "the household does not exist")
        })?;
        if !(acc.worker || acc.staff) {
            return Err(ApiError::forbidden(
                "visits are logged by the grid's workers and the community's staff",
            ));
        }
        let today = crate::clock::today();
        let visited_on = input.visited_on.unwrap_or(today);
        if visited_on > today {
            return Err(ApiError::field(
                "visited_on",
                "in_future",
                "a visit cannot be logged before it happens",
            ));
        }
        let v = Visit {
            id: crate::new_id(),
            household_id: input.household_id.clone(),
            grid_id: grid_id.clone(),
            worker_id: Some(caller.user_id.clone()),
            worker_name: caller.display_name.clone(),
            visited_on,
            kind: input.kind,
            notes: input
                .notes
                .as_deref()
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .map(str::to_owned),
            concern_found: input.concern_found,
            created_at: Utc::now().naive_utc(),
        };
        diesel::insert_into(visits::table).values(&v).execute(c)?;
        diesel::update(
            households::table.find(&v.household_id).filter(
                households::last_visited_on
                    .is_null()
                    .or(households::last_visited_on.lt(visited_on)),
            ),
        )
        .set(households::last_visited_on.eq(Some(visited_on)))
        .execute(c)?;
        crate::grids::service::touch_activity(c, &grid_id)?;
        audit::record(
            c,
            &caller.actor(),
            "create",
            "visit",
            Some(&v.id),
            Some(json!({"household_id": v.household_id, "visited_on": visited_on})),
        )?;
        Ok(v.view())
    })
}

#[derive(Debug, Clone, Default)]
pub struct VisitFilter {
    pub grid_id: Option<String>,
    pub household_id: Option<String>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

pub fn list(
    conn: &mut DbConn,
    caller: &Caller,
    filter: VisitFilter,
    paging: Paging,
) -> ApiResult<(Vec<VisitView>, i64)> {
    let grid_ids = visible_grid_ids(conn, caller)?;
    let build = || {
        let mut q = visits::table.into_boxed();
        if let Some(ids) = &grid_ids {
            q = q.filter(visits::grid_id.eq_any(ids.clone()));
        }
        if let Some(g) = &filter.grid_id {
            q = q.filter(visits::grid_id.eq(g.clone()));
        }
        if let Some(h) = &filter.household_id {
            q = q.filter(visits::household_id.eq(h.clone()));
        }
        if let Some(f) = filter.from {
            q = q.filter(visits::visited_on.ge(f));
        }
        if let Some(t) = filter.to {
            q = q.filter(visits::visited_on.le(t));
        }
        q
    };
    let total: i64 = build().count().get_result(conn)?;
    let rows: Vec<Visit> = build()
        .order((
            visits::visited_on.desc(),
            visits::created_at.desc(),
            visits::id.desc(),
        ))
        .limit(paging.per_page)
        .offset(paging.offset())
        .select(Visit::as_select())
        .load(conn)?;
    Ok((rows.into_iter().map(Visit::view).collect(), total))
}

/// A month (`2026-11`) or a quarter (`2026-Q4`).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Period {
    #[schema(example = "2026-Q4")]
    pub label: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub quarter: bool,
}

pub fn parse_period(s: &str) -> Result<Period, ApiError> {
    let bad = || {
        ApiError::bad_request(
            ErrorCode::InvalidPeriod,
            "period is a month (2026-11) or a quarter (2026-Q4)",
        )
    };
    let (y, rest) = s.split_once('-').ok_or_else(bad)?;
    let year: i32 = y.parse().map_err(|_| bad())?;
    let (first_month, months) = match rest.strip_prefix('Q').or_else(|| rest.strip_prefix('q')) {
        Some(q) => {
            let q: u32 = q.parse().map_err(|_| bad())?;
            if !(1..=4).contains(&q) {
                return Err(bad());
            }
            ((q - 1) * 3 + 1, 3)
        }
        None => {
            let m: u32 = rest.parse().map_err(|_| bad())?;
            if !(1..=12).contains(&m) {
                return Err(bad());
            }
            (m, 1)
        }
    };
    let from = NaiveDate::from_ymd_opt(year, first_month, 1).ok_or_else(bad)?;
    let next = if first_month + months > 12 {
        NaiveDate::from_ymd_opt(year + 1, first_month + months - 12, 1)
    } else {
        NaiveDate::from_ymd_opt(year, first_month + months, 1)
    }
    .ok_or_else(bad)?;
    Ok(Period {
        label: s.to_uppercase(),
        from,
        to: next - Duration::days(1),
        quarter: months == 3,
    })
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GridTargets {
    /// Visited households ≥ 90 % of the grid's households.
    pub coverage_90: Option<bool>,
    /// Every household visited (quarters only; `null` for a month).
    pub every_household_quarter: Option<bool>,
    /// Every key-group household visited at least three times (quarters only).
    pub key_groups_three_times: Option<bool>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GridCoverage {
    pub grid_id: String,
    pub grid_name: String,
    pub households: i64,
    pub visited_households: i64,
    /// visited / households, 0–1; `null` for a grid without households.
    pub coverage_rate: Option<f64>,
    pub key_group_households: i64,
    pub key_group_visits: i64,
    pub key_groups_visited_three_times: i64,
    pub visits: i64,
    pub targets: GridTargets,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MonthCount {
    #[schema(example = "2026-11")]
    pub month: String,
    pub households_visited: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WorkerTargets {
    /// At least one day with visits in every week of the period (so far).
    pub weekly_visit_day: bool,
    /// At least 80 households visited in every month of the period (so far).
    pub monthly_80_households: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WorkerCoverage {
    pub worker_id: Option<String>,
    pub worker_name: String,
    pub visits: i64,
    pub households_visited: i64,
    pub visit_days: i64,
    pub weeks: i64,
    pub weeks_with_visits: i64,
    pub months: Vec<MonthCount>,
    pub targets: WorkerTargets,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CoverageTotals {
    pub grids: i64,
    pub households: i64,
    pub visited_households: i64,
    pub coverage_rate: Option<f64>,
    pub key_group_households: i64,
    pub visits: i64,
    pub grids_meeting_coverage: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Coverage {
    pub period: Period,
    pub totals: CoverageTotals,
    pub grids: Vec<GridCoverage>,
    pub workers: Vec<WorkerCoverage>,
}

/// The grids a coverage request covers (one grid, a region's grids, or every visible grid), in
/// report order, each with its activity version: together they fingerprint the report.
fn scope_grids(
    conn: &mut DbConn,
    caller: &Caller,
    grid_id: Option<&str>,
    region_id: Option<&str>,
) -> ApiResult<Vec<(String, String, i64)>> {
    if let Some(g) = grid_id {
        let acc = access(conn, caller, g, None)?;
        let version: i64 = grids::table
            .find(&acc.grid.id)
            .select(grids::activity_version)
            .first(conn)?;
        return Ok(vec![(acc.grid.id, acc.grid_name, version)]);
    }
    let q = match region_id {
        Some(r) => {
            let path: Option<String> = regions::table
                .find(r)
                .select(regions::path)
                .first(conn)
                .optional()?;
            let Some(path) = path.filter(|p| caller.regions_readable().contains(p)) else {
                return Err(ApiError::not_found("region"));
            };
            // The caller reads the whole region, so its grids need no further scope filter.
            let (lo, hi) = tree::range(&path);
            grids::table
                .inner_join(regions::table)
                .into_boxed()
                .filter(regions::path.ge(lo))
                .filter(regions::path.lt(hi))
        }
        None => boxed_visible(caller),
    };
    Ok(
        q.order((regions::path.asc(), grids::name.asc(), grids::id.asc()))
            .select((grids::id, grids::name, grids::activity_version))
            .load(conn)?,
    )
}

/// What a coverage report depends on: its period, today (a running period counts weeks up to
/// today) and every covered grid with its name and activity version.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct CoverageKey {
    from: NaiveDate,
    to: NaiveDate,
    today: NaiveDate,
    grids: Vec<(String, String, i64)>,
}

pub type CoverageMemo = crate::memo::Memo<CoverageKey, Coverage>;

/// Coverage through the report memo: the scope's grids are read on every request (a few hundred
/// rows at most), and the report is recomputed only when one of them has changed.
pub fn coverage_memo(
    conn: &mut DbConn,
    memo: &CoverageMemo,
    caller: &Caller,
    grid_id: Option<&str>,
    region_id: Option<&str>,
    period: Period,
) -> ApiResult<std::sync::Arc<Coverage>> {
    let grid_list = scope_grids(conn, caller, grid_id, region_id)?;
    let key = CoverageKey {
        from: period.from,
        to: period.to,
        today: crate::clock::today(),
        grids: grid_list,
    };
    if let Some(hit) = memo.get(&key) {
        return Ok(hit);
    }
    let report = compute(conn, &key.grids, period)?;
    Ok(memo.put(key, report))
}

fn ratio(n: i64, d: i64) -> Option<f64> {
    (d > 0).then(|| ((n as f64 / d as f64) * 10_000.0).round() / 10_000.0)
}

fn compute(
    conn: &mut DbConn,
    grid_list: &[(String, String, i64)],
    period: Period,
) -> ApiResult<Coverage> {
    let ids: Vec<&str> = grid_list.iter().map(|(id, _, _)| id.as_str()).collect();
    // Households and key-group households per grid, from the covering (grid_id, key_group) index.
    let counts: Vec<(String, bool, i64)> = households::table
        .filter(households::grid_id.eq_any(&ids))
        .group_by((households::grid_id, households::key_group))
        .select((
            households::grid_id,
            households::key_group,
            diesel::dsl::count_star(),
        ))
        .load(conn)?;
    let mut household_counts: HashMap<String, i64> = HashMap::new();
    let mut key_count_by_grid: HashMap<String, i64> = HashMap::new();
    for (g, key, n) in counts {
        *household_counts.entry(g.clone()).or_default() += n;
        if key {
            *key_count_by_grid.entry(g).or_default() += n;
        }
    }
    // Each visit with whether its household is in a key group.
    let rows: Vec<(String, String, Option<String>, String, NaiveDate, bool)> = visits::table
        .inner_join(households::table)
        .filter(visits::grid_id.eq_any(&ids))
        .filter(visits::visited_on.ge(period.from))
        .filter(visits::visited_on.le(period.to))
        .select((
            visits::grid_id,
            visits::household_id,
            visits::worker_id,
            visits::worker_name,
            visits::visited_on,
            households::key_group,
        ))
        .load(conn)?;

    #[derive(Default)]
    struct G {
        visited: HashSet<String>,
        key_visits: HashMap<String, i64>,
        visits: i64,
    }
    #[derive(Default)]
    struct W {
        name: String,
        visits: i64,
        households: HashSet<String>,
        days: BTreeSet<NaiveDate>,
        months: BTreeMap<String, HashSet<String>>,
    }
    let mut per_grid: HashMap<&str, G> = HashMap::new();
    let mut per_worker: BTreeMap<Option<String>, W> = BTreeMap::new();
    for (g, h, wid, wname, day, key) in &rows {
        let e = per_grid.entry(g.as_str()).or_default();
        e.visits += 1;
        e.visited.insert(h.clone());
        if *key {
            *e.key_visits.entry(h.clone()).or_default() += 1;
        }
        let w = per_worker.entry(wid.clone()).or_default();
        w.name = wname.clone();
        w.visits += 1;
        w.households.insert(h.clone());
        w.days.insert(*day);
        w.months
            .entry(format!("{:04}-{:02}", day.year(), day.month()))
            .or_default()
            .insert(h.clone());
    }

    let mut grids_out = vec![];
    for (id, name, _) in grid_list {
        let households_n = household_counts.get(id).copied().unwrap_or(0);
        let g = per_grid.remove(id.as_str()).unwrap_or_default();
        let visited = g.visited.len() as i64;
        let key_n = key_count_by_grid.get(id).copied().unwrap_or(0);
        let three = g
            .key_visits
            .values()
            .filter(|n| **n >= KEY_GROUP_VISITS as i64)
            .count() as i64;
        let rate = ratio(visited, households_n);
        grids_out.push(GridCoverage {
            grid_id: id.clone(),
            grid_name: name.clone(),
            households: households_n,
            visited_households: visited,
            coverage_rate: rate,
            key_group_households: key_n,
            key_group_visits: g.key_visits.values().sum(),
            key_groups_visited_three_times: three,
            visits: g.visits,
            targets: GridTargets {
                coverage_90: rate.map(|r| r >= COVERAGE_TARGET),
                every_household_quarter: period
                    .quarter
                    .then_some(households_n > 0 && visited >= households_n),
                key_groups_three_times: period.quarter.then_some(three >= key_n),
            },
        });
    }

    // Weeks and months are counted up to today for a period still running.
    let end = period.to.min(crate::clock::today()).max(period.from);
    let week_of = |d: NaiveDate| d - Duration::days(d.weekday().num_days_from_monday() as i64);
    let mut weeks: Vec<NaiveDate> = vec![];
    let mut d = week_of(period.from);
    while d <= end {
        weeks.push(d);
        d += Duration::days(7);
    }
    let mut months: Vec<String> = vec![];
    let mut m = period.from;
    while m <= end {
        months.push(format!("{:04}-{:02}", m.year(), m.month()));
        m = if m.month() == 12 {
            NaiveDate::from_ymd_opt(m.year() + 1, 1, 1)
        } else {
            NaiveDate::from_ymd_opt(m.year(), m.month() + 1, 1)
        }
        .expect("a month");
    }
    let workers_out = per_worker
        .into_iter()
        .map(|(wid, w)| {
            let active_weeks: HashSet<NaiveDate> = w.days.iter().map(|d| week_of(*d)).collect();
            let with_visits = weeks.iter().filter(|wk| active_weeks.contains(wk)).count();
            let month_counts: Vec<MonthCount> = months
                .iter()
                .map(|m| MonthCount {
                    month: m.clone(),
                    households_visited: w.months.get(m).map(|s| s.len() as i64).unwrap_or(0),
                })
                .collect();
            WorkerCoverage {
                worker_id: wid,
                worker_name: w.name,
                visits: w.visits,
                households_visited: w.households.len() as i64,
                visit_days: w.days.len() as i64,
                weeks: weeks.len() as i64,
                weeks_with_visits: with_visits as i64,
                targets: WorkerTargets {
                    weekly_visit_day: with_visits >= weeks.len() * WEEKLY_VISIT_DAYS,
                    monthly_80_households: month_counts
                        .iter()
                        .all(|m| m.households_visited >= MONTHLY_HOUSEHOLDS as i64),
                },
                months: month_counts,
            }
        })
        .collect();

    let households_total: i64 = grids_out.iter().map(|g| g.households).sum();
    let visited_total: i64 = grids_out.iter().map(|g| g.visited_households).sum();
    Ok(Coverage {
        totals: CoverageTotals {
            grids: grids_out.len() as i64,
            households: households_total,
            visited_households: visited_total,
            coverage_rate: ratio(visited_total, households_total),
            key_group_households: key_count_by_grid.values().sum(),
            visits: rows.len() as i64,
            grids_meeting_coverage: grids_out
                .iter()
                .filter(|g| g.targets.coverage_90 == Some(true))
                .count() as i64,
        },
        period,
        grids: grids_out,
        workers: workers_out,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_are_months_or_quarters() {
        let q = parse_period("2026-Q4").unwrap();
        assert_eq!(
            (q.from, q.to, q.quarter),
            (
                NaiveDate::from_ymd_opt(2026, 10, 1).unwrap(),
                NaiveDate::from_ymd_opt(2026, 12, 31).unwrap(),
                true
            )
        );
        let m = parse_period("2026-02").unwrap();
        assert_eq!(m.to, NaiveDate::from_ymd_opt(2026, 2, 28).unwrap());
        for bad in ["2026", "2026-13", "2026-Q5", "x-01", "2026-Q0"] {
            assert!(parse_period(bad).is_err(), "{bad}");
        }
    }
}
