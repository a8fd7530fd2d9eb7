//! The measures 12345 hot lines are judged by, over the concerns reported in a region and period:
//! on-time acceptance, on-time resolution, satisfaction and reopen rates. One grouped statement.
use chrono::NaiveDateTime;
use diesel::dsl::{count_star, sql};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Timestamp};

use super::dto::ConcernMetrics;
use crate::db::schema::{concerns, regions};
use crate::db::DbConn;

/// A share rounded to four places; `None` when nothing was due (the one rate rule of the API).
pub use crate::meetings::service::rate;

fn sum_when(cond: &str) -> diesel::expression::SqlLiteral<BigInt> {
    sql::<BigInt>(&format!(
        "COALESCE(SUM(CASE WHEN {cond} THEN 1 ELSE 0 END), 0)"
    ))
}

/// Concerns in communities whose path is in `[lo, hi)`, reported in `[from, to)`, judged at `at`
/// (what is overdue at that moment).
pub fn compute(
    conn: &mut DbConn,
    range: (&str, &str),
    from: NaiveDateTime,
    to: NaiveDateTime,
    at: NaiveDateTime,
) -> QueryResult<ConcernMetrics> {
    let mut m = ConcernMetrics::default();
    for part in by_community(conn, range, from, to, at)?.values() {
        m.add(part);
    }
    m.finish();
    Ok(m)
}

impl ConcernMetrics {
    /// Adds another part's counts (rates are left for [`ConcernMetrics::finish`]).
    pub fn add(&mut self, o: &ConcernMetrics) {
        self.reported += o.reported;
        for (k, v) in &o.by_status {
            *self.by_status.entry(k.clone()).or_default() += v;
        }
        for (k, v) in &o.by_category {
            *self.by_category.entry(k.clone()).or_default() += v;
        }
        self.acceptance_due += o.acceptance_due;
        self.accepted_on_time += o.accepted_on_time;
        self.resolution_due += o.resolution_due;
        self.resolved_on_time += o.resolved_on_time;
        self.feedback += o.feedback;
        self.satisfied += o.satisfied;
        self.resolved += o.resolved;
        self.reopened += o.reopened;
        self.escalated += o.escalated;
        self.repeats += o.repeats;
    }

    pub fn finish(&mut self) {
        self.on_time_acceptance_rate = rate(self.accepted_on_time, self.acceptance_due);
        self.on_time_resolution_rate = rate(self.resolved_on_time, self.resolution_due);
        self.satisfaction_rate = rate(self.satisfied, self.feedback);
        self.reopen_rate = rate(self.reopened, self.resolved);
    }

    pub fn open(&self) -> i64 {
        ["reported", "accepted", "in_progress", "reopened"]
            .iter()
            .map(|s| self.by_status.get(*s).copied().unwrap_or(0))
            .sum()
    }
}

/// The same counts per community path (and per grid with `by_grid`), unfinished.
pub fn by_community(
    conn: &mut DbConn,
    range: (&str, &str),
    from: NaiveDateTime,
    to: NaiveDateTime,
    at: NaiveDateTime,
) -> QueryResult<std::collections::BTreeMap<String, ConcernMetrics>> {
    grouped(conn, range, from, to, at, false)
}

pub fn by_grid(
    conn: &mut DbConn,
    range: (&str, &str),
    from: NaiveDateTime,
    to: NaiveDateTime,
    at: NaiveDateTime,
) -> QueryResult<std::collections::BTreeMap<String, ConcernMetrics>> {
    grouped(conn, range, from, to, at, true)
}

fn grouped(
    conn: &mut DbConn,
    range: (&str, &str),
    from: NaiveDateTime,
    to: NaiveDateTime,
    at: NaiveDateTime,
    grid: bool,
) -> QueryResult<std::collections::BTreeMap<String, ConcernMetrics>> {
    type Row = (
        String,
        String,
        String,
        i64,
        i64,
        i64,
        i64,
        i64,
        i64,
        i64,
        i64,
        i64,
        i64,
        i64,
    );
    let open = "concerns.status IN ('reported', 'accepted', 'in_progress', 'reopened')";
    // Group keys are SQL text: diesel's group-by checks do not know an expression like COALESCE.
    let key = if grid {
        "COALESCE(concerns.grid_id, '')"
    } else {
        "regions.path"
    };
    let rows: Vec<Row> = concerns::table
        .inner_join(regions::table)
        .filter(regions::path.ge(range.0))
        .filter(regions::path.lt(range.1))
        .filter(concerns::created_at.ge(from))
        .filter(concerns::created_at.lt(to))
        .group_by(sql::<diesel::sql_types::Text>(&format!("{key}, concerns.status, concerns.category")))
        .select((
            sql::<diesel::sql_types::Text>(key),
            sql::<diesel::sql_types::Text>("concerns.status"),
            sql::<diesel::sql_types::Text>("concerns.category"),
            count_star(),
            sql::<BigInt>("COALESCE(SUM(CASE WHEN concerns.accepted_at IS NOT NULL OR (concerns.status = 'reported' AND concerns.accept_due_at < ")
                .bind::<Timestamp, _>(at)
                .sql(") THEN 1 ELSE 0 END), 0)"),
            sum_when("concerns.accepted_at IS NOT NULL AND concerns.accepted_at <= concerns.accept_due_at"),
            sql::<BigInt>(&format!("COALESCE(SUM(CASE WHEN concerns.resolved_at IS NOT NULL OR ({open} AND concerns.resolve_due_at < "))
                .bind::<Timestamp, _>(at)
                .sql(") THEN 1 ELSE 0 END), 0)"),
            sum_when("concerns.resolved_at IS NOT NULL AND concerns.resolved_at <= concerns.resolve_due_at"),
            sql::<BigInt>("COALESCE(SUM(concerns.feedback_count), 0)"),
            sql::<BigInt>("COALESCE(SUM(concerns.feedback_count - concerns.reopen_count), 0)"),
            sum_when("concerns.resolved_at IS NOT NULL"),
            sum_when("concerns.reopen_count > 0"),
            sum_when("concerns.escalated_at IS NOT NULL"),
            sum_when("concerns.repeat_of_id IS NOT NULL"),
        ))
        .load(conn)?;
    let mut out: std::collections::BTreeMap<String, ConcernMetrics> = Default::default();
    for (
        key,
        status,
        category,
        n,
        acc_due,
        acc_ok,
        res_due,
        res_ok,
        fb,
        sat,
        resolved,
        reopened,
        escalated,
        repeats,
    ) in rows
    {
        let m = out.entry(key).or_default();
        m.reported += n;
        *m.by_status.entry(status).or_default() += n;
        *m.by_category.entry(category).or_default() += n;
        m.acceptance_due += acc_due;
        m.accepted_on_time += acc_ok;
        m.resolution_due += res_due;
        m.resolved_on_time += res_ok;
        m.feedback += fb;
        m.satisfied += sat;
        m.resolved += resolved;
        m.reopened += reopened;
        m.escalated += escalated;
        m.repeats += repeats;
    }
    Ok(out)
}
