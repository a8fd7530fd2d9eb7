//! The figures behind `/stats`: every measure is an additive counter read per region path with
//! one grouped statement per kind of record, so a subtree's figures, its children's and a whole
//! city's are sums of the same rows, and rates are computed last from summed numerators and
//! denominators (never averaged averages).
//!
//! Events count by their dates (joined, held, ordered, reported, visited); the standing
//! structure (branches, teams, households) counts as it is on the books when the figures are
//! computed — which for a past period is when they are first frozen.
use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime};
use diesel::dsl::{count_star, sql};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Date, Double, Text, Timestamp};

use super::dto::*;
use crate::concerns::dto::ConcernMetrics;
use crate::concerns::metrics::{self, rate};
use crate::db::schema::{
    branches, check_ins, grids, households, meetings, members, poll_cadres, polls, regions,
    service_hours_monthly, service_orders, visits, volunteer_teams, volunteers, wishes,
};
use crate::db::DbConn;

/// Counters of one region (or grid), by measure name.
#[derive(Debug, Clone, Default)]
pub struct Part {
    pub c: BTreeMap<String, f64>,
    pub concerns: ConcernMetrics,
}

impl Part {
    fn add(&mut self, key: impl Into<String>, v: f64) {
        *self.c.entry(key.into()).or_default() += v;
    }
    fn merge(&mut self, o: &Part) {
        for (k, v) in &o.c {
            *self.c.entry(k.clone()).or_default() += v;
        }
        self.concerns.add(&o.concerns);
    }
    fn get(&self, k: &str) -> f64 {
        self.c.get(k).copied().unwrap_or(0.0)
    }
    fn int(&self, k: &str) -> i64 {
        self.get(k) as i64
    }
    fn prefixed(&self, prefix: &str) -> BTreeMap<String, i64> {
        self.c
            .iter()
            .filter_map(|(k, v)| k.strip_prefix(prefix).map(|s| (s.to_string(), *v as i64)))
            .collect()
    }
}

/// What the figures are counted over: regions under a path, or branches under a path.
#[derive(Debug, Clone)]
pub enum Within {
    Regions(String, String),
    Branches(String, String),
}

#[derive(Debug, Clone, Copy)]
pub struct Window {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Window {
    fn t0(&self) -> NaiveDateTime {
        crate::clock::start_of(self.from)
    }
    fn t1(&self) -> NaiveDateTime {
        crate::clock::start_of(self.to + Duration::days(1))
    }
}

fn sqlite(conn: &DbConn) -> bool {
    matches!(conn, DbConn::Sqlite(_))
}

fn years_before(d: NaiveDate, years: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(d.year() - years, d.month(), d.day().min(28)).unwrap_or(d)
}

fn when(cond: &str) -> diesel::expression::SqlLiteral<BigInt> {
    sql::<BigInt>(&format!(
        "COALESCE(SUM(CASE WHEN {cond} THEN 1 ELSE 0 END), 0)"
    ))
}

type Parts = HashMap<String, Part>;

fn part<'a>(parts: &'a mut Parts, path: &str) -> &'a mut Part {
    parts.entry(path.to_string()).or_default()
}

/// Counters per region path for the period (figures at its end).
pub fn by_region(conn: &mut DbConn, within: &Within, w: Window) -> QueryResult<Parts> {
    let mut parts: Parts = HashMap::new();
    let (t0, t1) = (w.t0(), w.t1());
    // Members on the rolls at the end of the period, by the region their branch serves.
    {
        let under_35 = years_before(w.to, 35);
        let from_60 = years_before(w.to, 60);
        macro_rules! q {
            ($col:expr, $lo:expr, $hi:expr) => {
                members::table
                    .inner_join(branches::table.inner_join(regions::table))
                    .filter($col.ge($lo.as_str()))
                    .filter($col.lt($hi.as_str()))
                    .filter(members::joined_on.le(w.to))
                    .filter(
                        members::status
                            .eq("active")
                            .or(members::status_changed_on.gt(w.to)),
                    )
                    .group_by(sql::<Text>("regions.path, members.category"))
                    .select((
                        sql::<Text>("regions.path"),
                        sql::<Text>("members.category"),
                        count_star(),
                        sql::<BigInt>("COALESCE(SUM(CASE WHEN members.birth_date > ")
                            .bind::<Date, _>(under_35)
                            .sql(" THEN 1 ELSE 0 END), 0)"),
                        sql::<BigInt>("COALESCE(SUM(CASE WHEN members.birth_date <= ")
                            .bind::<Date, _>(from_60)
                            .sql(" THEN 1 ELSE 0 END), 0)"),
                        sql::<BigInt>("COALESCE(SUM(CASE WHEN members.joined_on >= ")
                            .bind::<Date, _>(w.from)
                            .sql(" THEN 1 ELSE 0 END), 0)"),
                    ))
                    .load(conn)?
            };
        }
        let rows: Vec<(String, String, i64, i64, i64, i64)> = match within {
            Within::Regions(lo, hi) => q!(regions::path, lo, hi),
            Within::Branches(lo, hi) => q!(branches::path, lo, hi),
        };
        for (path, category, n, young, old, joined) in rows {
            let p = part(&mut parts, &path);
            p.add("members.total", n as f64);
            p.add(format!("members.category.{category}"), n as f64);
            p.add("members.age.under_35", young as f64);
            p.add("members.age.60_plus", old as f64);
            p.add("members.joined", joined as f64);
        }
    }
    // Branches by kind.
    {
        macro_rules! q {
            ($col:expr, $lo:expr, $hi:expr) => {
                branches::table
                    .inner_join(regions::table)
                    .filter($col.ge($lo.as_str()))
                    .filter($col.lt($hi.as_str()))
                    .group_by(sql::<Text>("regions.path, branches.kind"))
                    .select((
                        sql::<Text>("regions.path"),
                        sql::<Text>("branches.kind"),
                        count_star(),
                    ))
                    .load(conn)?
            };
        }
        let rows: Vec<(String, String, i64)> = match within {
            Within::Regions(lo, hi) => q!(regions::path, lo, hi),
            Within::Branches(lo, hi) => q!(branches::path, lo, hi),
        };
        for (path, kind, n) in rows {
            let p = part(&mut parts, &path);
            p.add("branches.total", n as f64);
            p.add(format!("branches.kind.{kind}"), n as f64);
        }
    }
    // Meetings held in the period (recorded ones count for attendance).
    {
        macro_rules! q {
            ($col:expr, $lo:expr, $hi:expr) => {
                meetings::table
                    .inner_join(branches::table.inner_join(regions::table))
                    .filter($col.ge($lo.as_str()))
                    .filter($col.lt($hi.as_str()))
                    .filter(meetings::held_on.ge(w.from))
                    .filter(meetings::held_on.le(w.to))
                    .group_by(sql::<Text>("regions.path"))
                    .select((
                        sql::<Text>("regions.path"),
                        count_star(),
                        sql::<BigInt>("COALESCE(SUM(CASE WHEN meetings.recorded THEN meetings.expected_count ELSE 0 END), 0)"),
                        sql::<BigInt>("COALESCE(SUM(CASE WHEN meetings.recorded THEN meetings.present_count ELSE 0 END), 0)"),
                    ))
                    .load(conn)?
            };
        }
        let rows: Vec<(String, i64, i64, i64)> = match within {
            Within::Regions(lo, hi) => q!(regions::path, lo, hi),
            Within::Branches(lo, hi) => q!(branches::path, lo, hi),
        };
        for (path, n, expected, present) in rows {
            let p = part(&mut parts, &path);
            p.add("meetings.count", n as f64);
            p.add("meetings.expected", expected as f64);
            p.add("meetings.present", present as f64);
        }
    }
    let Within::Regions(lo, hi) = within else {
        return Ok(parts);
    };
    let (lo, hi) = (lo.as_str(), hi.as_str());
    // Check-ins (双报到) with communities.
    {
        let rows: Vec<(String, i64, i64)> = check_ins::table
            .inner_join(regions::table)
            .filter(regions::path.ge(lo))
            .filter(regions::path.lt(hi))
            .filter(check_ins::checked_in_on.le(w.to))
            .group_by(sql::<Text>("regions.path"))
            .select((
                sql::<Text>("regions.path"),
                sql::<BigInt>(
                    "COALESCE(SUM(CASE WHEN check_ins.ended_on IS NULL OR check_ins.ended_on > ",
                )
                .bind::<Date, _>(w.to)
                .sql(" THEN 1 ELSE 0 END), 0)"),
                sql::<BigInt>("COALESCE(SUM(CASE WHEN check_ins.checked_in_on >= ")
                    .bind::<Date, _>(w.from)
                    .sql(" THEN 1 ELSE 0 END), 0)"),
            ))
            .load(conn)?;
        for (path, active, new) in rows {
            let p = part(&mut parts, &path);
            p.add("check_ins.active", active as f64);
            p.add("check_ins.new", new as f64);
        }
    }
    // Teams, volunteers and the hours of the period's months.
    {
        let rows: Vec<(String, i64)> = volunteer_teams::table
            .inner_join(regions::table)
            .filter(regions::path.ge(lo))
            .filter(regions::path.lt(hi))
            .filter(volunteer_teams::status.eq("active"))
            .group_by(sql::<Text>("regions.path"))
            .select((sql::<Text>("regions.path"), count_star()))
            .load(conn)?;
        for (path, n) in rows {
            part(&mut parts, &path).add("volunteers.teams", n as f64);
        }
        let rows: Vec<(String, i64)> = volunteers::table
            .inner_join(regions::table)
            .filter(regions::path.ge(lo))
            .filter(regions::path.lt(hi))
            .group_by(sql::<Text>("regions.path"))
            .select((sql::<Text>("regions.path"), count_star()))
            .load(conn)?;
        for (path, n) in rows {
            part(&mut parts, &path).add("volunteers.count", n as f64);
        }
        let (m0, m1) = (
            crate::volunteers::ledger::month_of(w.from),
            crate::volunteers::ledger::month_of(w.to),
        );
        let rows: Vec<(String, i64)> = service_hours_monthly::table
            .inner_join(regions::table.on(regions::id.eq(service_hours_monthly::region_id)))
            .filter(regions::path.ge(lo))
            .filter(regions::path.lt(hi))
            .filter(service_hours_monthly::month.ge(m0))
            .filter(service_hours_monthly::month.le(m1))
            .group_by(sql::<Text>("regions.path"))
            .select((sql::<Text>("regions.path"), sql::<BigInt>("CAST(COALESCE(SUM(service_hours_monthly.credited_minutes + service_hours_monthly.make_up_minutes), 0) AS BIGINT)")))
            .load(conn)?;
        for (path, minutes) in rows {
            part(&mut parts, &path).add("volunteers.minutes", minutes as f64);
        }
    }
    // Orders placed in the period.
    {
        let minutes = if sqlite(conn) {
            "(julianday(service_orders.accepted_at) - julianday(service_orders.dispatched_at)) * 1440.0"
        } else {
            "EXTRACT(EPOCH FROM (service_orders.accepted_at - service_orders.dispatched_at)) / 60.0"
        };
        let rows: Vec<(String, String, i64, i64, i64, i64, f64)> = service_orders::table
            .inner_join(regions::table)
            .filter(regions::path.ge(lo))
            .filter(regions::path.lt(hi))
            .filter(service_orders::created_at.ge(t0))
            .filter(service_orders::created_at.lt(t1))
            .group_by(sql::<Text>("regions.path, service_orders.status"))
            .select((
                sql::<Text>("regions.path"),
                sql::<Text>("service_orders.status"),
                count_star(),
                sql::<BigInt>("COALESCE(SUM(service_orders.rating), 0)"),
                when("service_orders.rating IS NOT NULL"),
                when("service_orders.accepted_at IS NOT NULL AND service_orders.dispatched_at IS NOT NULL"),
                sql::<Double>(&format!("CAST(COALESCE(SUM(CASE WHEN service_orders.accepted_at IS NOT NULL AND service_orders.dispatched_at IS NOT NULL THEN {minutes} ELSE 0 END), 0) AS DOUBLE PRECISION)")),
            ))
            .load(conn)?;
        for (path, status, n, rating_sum, rated, accepted, accept_minutes) in rows {
            let p = part(&mut parts, &path);
            p.add("orders.total", n as f64);
            p.add(format!("orders.status.{status}"), n as f64);
            p.add("orders.rating_sum", rating_sum as f64);
            p.add("orders.rated", rated as f64);
            p.add("orders.accepted", accepted as f64);
            p.add("orders.accept_minutes", accept_minutes);
        }
    }
    // Wishes posted in the period.
    {
        let rows: Vec<(String, String, i64)> = wishes::table
            .inner_join(regions::table)
            .filter(regions::path.ge(lo))
            .filter(regions::path.lt(hi))
            .filter(wishes::created_at.ge(t0))
            .filter(wishes::created_at.lt(t1))
            .group_by(sql::<Text>("regions.path, wishes.status"))
            .select((
                sql::<Text>("regions.path"),
                sql::<Text>("wishes.status"),
                count_star(),
            ))
            .load(conn)?;
        for (path, status, n) in rows {
            let p = part(&mut parts, &path);
            p.add("wishes.total", n as f64);
            p.add(format!("wishes.status.{status}"), n as f64);
        }
    }
    // Households and the visits of the period (coverage: households visited at least once).
    {
        let rows: Vec<(String, i64)> = households::table
            .inner_join(grids::table.inner_join(regions::table))
            .filter(regions::path.ge(lo))
            .filter(regions::path.lt(hi))
            .group_by(sql::<Text>("regions.path"))
            .select((sql::<Text>("regions.path"), count_star()))
            .load(conn)?;
        for (path, n) in rows {
            part(&mut parts, &path).add("visits.households", n as f64);
        }
        let rows: Vec<(String, i64, i64)> = visits::table
            .inner_join(grids::table.on(grids::id.eq(visits::grid_id)))
            .inner_join(regions::table.on(regions::id.eq(grids::community_id)))
            .filter(regions::path.ge(lo))
            .filter(regions::path.lt(hi))
            .filter(visits::visited_on.ge(w.from))
            .filter(visits::visited_on.le(w.to))
            .group_by(sql::<Text>("regions.path"))
            .select((
                sql::<Text>("regions.path"),
                count_star(),
                sql::<BigInt>("COUNT(DISTINCT visits.household_id)"),
            ))
            .load(conn)?;
        for (path, n, visited) in rows {
            let p = part(&mut parts, &path);
            p.add("visits.count", n as f64);
            p.add("visits.visited", visited as f64);
        }
    }
    // Concerns reported in the period, judged at its end (or now, for a period not yet over).
    {
        let at = w.t1().min(chrono::Utc::now().naive_utc());
        for (path, m) in metrics::by_community(conn, (lo, hi), t0, t1, at)? {
            part(&mut parts, &path).concerns.add(&m);
        }
    }
    // Polls closed in the period: each cadre's outcome, and all ratings.
    {
        let rows: Vec<(String, String, i32, i32, i32, i32)> = poll_cadres::table
            .inner_join(polls::table.inner_join(regions::table))
            .filter(regions::path.ge(lo))
            .filter(regions::path.lt(hi))
            .filter(polls::closed_at.ge(t0))
            .filter(polls::closed_at.lt(t1))
            .select((
                regions::path,
                polls::id,
                polls::ballots,
                poll_cadres::satisfied,
                poll_cadres::basically_satisfied,
                poll_cadres::dissatisfied,
            ))
            .load(conn)?;
        let mut seen = std::collections::HashSet::new();
        for (path, poll, ballots, s, b, d) in rows {
            let p = part(&mut parts, &path);
            if seen.insert(poll) {
                p.add("polls.count", 1.0);
                p.add("polls.ballots", ballots as f64);
            }
            p.add("polls.cadres", 1.0);
            p.add("polls.ratings", (s + b + d) as f64);
            p.add("polls.satisfied", (s + b) as f64);
            let outcome = crate::polls::service::outcome((s + b) as i64, (s + b + d) as i64);
            p.add(format!("polls.outcome.{outcome}"), 1.0);
        }
    }
    Ok(parts)
}

/// Sums the parts whose path starts with `prefix`.
pub fn sum_under<'a>(parts: impl Iterator<Item = (&'a String, &'a Part)>, prefix: &str) -> Part {
    let mut total = Part::default();
    for (path, p) in parts {
        if path.starts_with(prefix) {
            total.merge(p);
        }
    }
    total
}

pub fn overview(scope: Scope, w: Window, p: &Part, regions_scope: bool, frozen: bool) -> Overview {
    let mut by_age = BTreeMap::new();
    let (total, young, old) = (
        p.int("members.total"),
        p.int("members.age.under_35"),
        p.int("members.age.60_plus"),
    );
    by_age.insert("under_35".to_string(), young);
    by_age.insert("35_to_59".to_string(), total - young - old);
    by_age.insert("60_plus".to_string(), old);
    let mut concerns = p.concerns.clone();
    concerns.finish();
    Overview {
        scope,
        from: w.from,
        to: w.to,
        frozen,
        computed_at: chrono::Utc::now(),
        members: MemberFigures {
            total,
            by_category: p.prefixed("members.category."),
            by_age,
            joined_in_period: p.int("members.joined"),
        },
        branches: BranchFigures {
            total: p.int("branches.total"),
            by_kind: p.prefixed("branches.kind."),
        },
        check_ins: regions_scope.then(|| CheckInFigures {
            active: p.int("check_ins.active"),
            new_in_period: p.int("check_ins.new"),
        }),
        volunteers: regions_scope.then(|| VolunteerFigures {
            teams: p.int("volunteers.teams"),
            volunteers: p.int("volunteers.count"),
            hours: (p.get("volunteers.minutes") / 60.0 * 10.0).round() / 10.0,
        }),
        orders: regions_scope.then(|| OrderFigures {
            total: p.int("orders.total"),
            by_status: p.prefixed("orders.status."),
            average_rating: (p.get("orders.rated") > 0.0).then(|| {
                (p.get("orders.rating_sum") / p.get("orders.rated") * 100.0).round() / 100.0
            }),
            average_minutes_to_accept: (p.get("orders.accepted") > 0.0).then(|| {
                (p.get("orders.accept_minutes") / p.get("orders.accepted") * 10.0).round() / 10.0
            }),
        }),
        wishes: regions_scope.then(|| WishFigures {
            total: p.int("wishes.total"),
            by_status: p.prefixed("wishes.status."),
        }),
        visits: regions_scope.then(|| VisitFigures {
            households: p.int("visits.households"),
            visited: p.int("visits.visited"),
            coverage_rate: rate(p.int("visits.visited"), p.int("visits.households")),
            visits: p.int("visits.count"),
        }),
        meetings: MeetingFigures {
            meetings: p.int("meetings.count"),
            expected: p.int("meetings.expected"),
            present: p.int("meetings.present"),
            attendance_rate: rate(p.int("meetings.present"), p.int("meetings.expected")),
        },
        concerns: regions_scope.then_some(concerns),
        polls: regions_scope.then(|| PollFigures {
            polls: p.int("polls.count"),
            ballots: p.int("polls.ballots"),
            cadres: p.int("polls.cadres"),
            pass: p.int("polls.outcome.pass"),
            warning: p.int("polls.outcome.warning"),
            dismissal: p.int("polls.outcome.dismissal"),
            satisfaction_rate: rate(p.int("polls.satisfied"), p.int("polls.ratings")),
        }),
    }
}

pub fn child(id: String, name: String, level: String, p: &Part) -> ChildFigures {
    let mut concerns = p.concerns.clone();
    concerns.finish();
    ChildFigures {
        id,
        name,
        level,
        members: p.int("members.total"),
        households: p.int("visits.households"),
        coverage_rate: rate(p.int("visits.visited"), p.int("visits.households")),
        orders: p
            .c
            .contains_key("orders.total")
            .then(|| p.int("orders.total"))
            .or(Some(0)),
        average_rating: (p.get("orders.rated") > 0.0)
            .then(|| (p.get("orders.rating_sum") / p.get("orders.rated") * 100.0).round() / 100.0),
        concerns: concerns.reported,
        concerns_open: concerns.open(),
        on_time_resolution_rate: concerns.on_time_resolution_rate,
        satisfaction_rate: concerns.satisfaction_rate,
        attendance_rate: rate(p.int("meetings.present"), p.int("meetings.expected")),
        hours: Some((p.get("volunteers.minutes") / 60.0 * 10.0).round() / 10.0),
    }
}

/// Per grid of a community (or of all communities under a path): households, coverage, members
/// living there and concerns reported there. Orders and hours are kept per community, so a grid
/// has none.
pub fn by_grid(conn: &mut DbConn, lo: &str, hi: &str, w: Window) -> QueryResult<Vec<ChildFigures>> {
    let (t0, t1) = (w.t0(), w.t1());
    let gs: Vec<(String, String)> = grids::table
        .inner_join(regions::table)
        .filter(regions::path.ge(lo))
        .filter(regions::path.lt(hi))
        .order((regions::path.asc(), grids::name.asc()))
        .select((grids::id, grids::name))
        .load(conn)?;
    let mut parts: HashMap<String, Part> = HashMap::new();
    let rows: Vec<(String, i64)> = households::table
        .inner_join(grids::table.inner_join(regions::table))
        .filter(regions::path.ge(lo))
        .filter(regions::path.lt(hi))
        .group_by(sql::<Text>("households.grid_id"))
        .select((sql::<Text>("households.grid_id"), count_star()))
        .load(conn)?;
    for (g, n) in rows {
        part(&mut parts, &g).add("visits.households", n as f64);
    }
    let rows: Vec<(String, i64, i64)> = visits::table
        .inner_join(grids::table.on(grids::id.eq(visits::grid_id)))
        .inner_join(regions::table.on(regions::id.eq(grids::community_id)))
        .filter(regions::path.ge(lo))
        .filter(regions::path.lt(hi))
        .filter(visits::visited_on.ge(w.from))
        .filter(visits::visited_on.le(w.to))
        .group_by(sql::<Text>("visits.grid_id"))
        .select((
            sql::<Text>("visits.grid_id"),
            count_star(),
            sql::<BigInt>("COUNT(DISTINCT visits.household_id)"),
        ))
        .load(conn)?;
    for (g, n, visited) in rows {
        let p = part(&mut parts, &g);
        p.add("visits.count", n as f64);
        p.add("visits.visited", visited as f64);
    }
    let rows: Vec<(String, i64)> = members::table
        .inner_join(grids::table.on(grids::id.nullable().eq(members::grid_id)))
        .inner_join(regions::table.on(regions::id.eq(grids::community_id)))
        .filter(regions::path.ge(lo))
        .filter(regions::path.lt(hi))
        .filter(members::joined_on.le(w.to))
        .filter(
            members::status
                .eq("active")
                .or(members::status_changed_on.gt(w.to)),
        )
        .group_by(sql::<Text>("grids.id"))
        .select((sql::<Text>("grids.id"), count_star()))
        .load(conn)?;
    for (g, n) in rows {
        part(&mut parts, &g).add("members.total", n as f64);
    }
    let at = t1.min(chrono::Utc::now().naive_utc());
    for (g, m) in metrics::by_grid(conn, (lo, hi), t0, t1, at)? {
        part(&mut parts, &g).concerns.add(&m);
    }
    Ok(gs
        .into_iter()
        .map(|(id, name)| {
            let p = parts.remove(&id).unwrap_or_default();
            let mut f = child(id, name, "grid".into(), &p);
            f.orders = None;
            f.average_rating = None;
            f.attendance_rate = None;
            f.hours = None;
            f
        })
        .collect())
}

/// Per month of the period, for a region subtree.
pub fn series(conn: &mut DbConn, lo: &str, hi: &str, w: Window) -> QueryResult<Vec<MonthFigures>> {
    let (t0, t1) = (w.t0(), w.t1());
    let lite = sqlite(conn);
    let month = |col: &str| {
        if lite {
            format!("strftime('%Y-%m', {col})")
        } else {
            format!("to_char({col}, 'YYYY-MM')")
        }
    };
    let mut months: BTreeMap<String, MonthFigures> = BTreeMap::new();
    let mut d = NaiveDate::from_ymd_opt(w.from.year(), w.from.month(), 1).unwrap_or(w.from);
    while d <= w.to {
        let key = crate::volunteers::ledger::month_of(d);
        months.insert(
            key.clone(),
            MonthFigures {
                month: key,
                orders: 0,
                orders_completed: 0,
                concerns: 0,
                concerns_closed: 0,
                visits: 0,
                hours: 0.0,
                meetings: 0,
                attendance_rate: None,
                members_joined: 0,
                wishes: 0,
            },
        );
        d = if d.month() == 12 {
            NaiveDate::from_ymd_opt(d.year() + 1, 1, 1)
        } else {
            NaiveDate::from_ymd_opt(d.year(), d.month() + 1, 1)
        }
        .unwrap_or(w.to + Duration::days(1));
    }
    let m_orders = month("service_orders.created_at");
    let rows: Vec<(String, i64, i64)> = service_orders::table
        .inner_join(regions::table)
        .filter(regions::path.ge(lo))
        .filter(regions::path.lt(hi))
        .filter(service_orders::created_at.ge(t0))
        .filter(service_orders::created_at.lt(t1))
        .group_by(sql::<Text>(&m_orders))
        .select((
            sql::<Text>(&m_orders),
            count_star(),
            when("service_orders.status IN ('completed', 'rated')"),
        ))
        .load(conn)?;
    for (m, n, done) in rows {
        if let Some(x) = months.get_mut(&m) {
            x.orders = n;
            x.orders_completed = done;
        }
    }
    let m_concerns = month("concerns.created_at");
    let rows: Vec<(String, i64, i64)> = crate::db::schema::concerns::table
        .inner_join(regions::table)
        .filter(regions::path.ge(lo))
        .filter(regions::path.lt(hi))
        .filter(crate::db::schema::concerns::created_at.ge(t0))
        .filter(crate::db::schema::concerns::created_at.lt(t1))
        .group_by(sql::<Text>(&m_concerns))
        .select((
            sql::<Text>(&m_concerns),
            count_star(),
            when("concerns.status = 'closed'"),
        ))
        .load(conn)?;
    for (m, n, closed) in rows {
        if let Some(x) = months.get_mut(&m) {
            x.concerns = n;
            x.concerns_closed = closed;
        }
    }
    let m_visits = month("visits.visited_on");
    let rows: Vec<(String, i64)> = visits::table
        .inner_join(grids::table.on(grids::id.eq(visits::grid_id)))
        .inner_join(regions::table.on(regions::id.eq(grids::community_id)))
        .filter(regions::path.ge(lo))
        .filter(regions::path.lt(hi))
        .filter(visits::visited_on.ge(w.from))
        .filter(visits::visited_on.le(w.to))
        .group_by(sql::<Text>(&m_visits))
        .select((sql::<Text>(&m_visits), count_star()))
        .load(conn)?;
    for (m, n) in rows {
        if let Some(x) = months.get_mut(&m) {
            x.visits = n;
        }
    }
    let rows: Vec<(String, i64)> = service_hours_monthly::table
        .inner_join(regions::table.on(regions::id.eq(service_hours_monthly::region_id)))
        .filter(regions::path.ge(lo))
        .filter(regions::path.lt(hi))
        .filter(service_hours_monthly::month.ge(crate::volunteers::ledger::month_of(w.from)))
        .filter(service_hours_monthly::month.le(crate::volunteers::ledger::month_of(w.to)))
        .group_by(sql::<Text>("service_hours_monthly.month"))
        .select((sql::<Text>("service_hours_monthly.month"), sql::<BigInt>("CAST(COALESCE(SUM(service_hours_monthly.credited_minutes + service_hours_monthly.make_up_minutes), 0) AS BIGINT)")))
        .load(conn)?;
    for (m, minutes) in rows {
        if let Some(x) = months.get_mut(&m) {
            x.hours = (minutes as f64 / 6.0).round() / 10.0;
        }
    }
    let m_meetings = month("meetings.held_on");
    let rows: Vec<(String, i64, i64, i64)> = meetings::table
        .inner_join(branches::table.inner_join(regions::table))
        .filter(regions::path.ge(lo))
        .filter(regions::path.lt(hi))
        .filter(meetings::held_on.ge(w.from))
        .filter(meetings::held_on.le(w.to))
        .group_by(sql::<Text>(&m_meetings))
        .select((
            sql::<Text>(&m_meetings),
            count_star(),
            sql::<BigInt>("COALESCE(SUM(CASE WHEN meetings.recorded THEN meetings.expected_count ELSE 0 END), 0)"),
            sql::<BigInt>("COALESCE(SUM(CASE WHEN meetings.recorded THEN meetings.present_count ELSE 0 END), 0)"),
        ))
        .load(conn)?;
    for (m, n, expected, present) in rows {
        if let Some(x) = months.get_mut(&m) {
            x.meetings = n;
            x.attendance_rate = rate(present, expected);
        }
    }
    let m_members = month("members.joined_on");
    let rows: Vec<(String, i64)> = members::table
        .inner_join(branches::table.inner_join(regions::table))
        .filter(regions::path.ge(lo))
        .filter(regions::path.lt(hi))
        .filter(members::joined_on.ge(w.from))
        .filter(members::joined_on.le(w.to))
        .group_by(sql::<Text>(&m_members))
        .select((sql::<Text>(&m_members), count_star()))
        .load(conn)?;
    for (m, n) in rows {
        if let Some(x) = months.get_mut(&m) {
            x.members_joined = n;
        }
    }
    let m_wishes = month("wishes.created_at");
    let rows: Vec<(String, i64)> = wishes::table
        .inner_join(regions::table)
        .filter(regions::path.ge(lo))
        .filter(regions::path.lt(hi))
        .filter(wishes::created_at.ge(t0))
        .filter(wishes::created_at.lt(t1))
        .group_by(sql::<Text>(&m_wishes))
        .select((sql::<Text>(&m_wishes), count_star()))
        .load(conn)?;
    for (m, n) in rows {
        if let Some(x) = months.get_mut(&m) {
            x.wishes = n;
        }
    }
    let _ = Timestamp;
    Ok(months.into_values().collect())
}
