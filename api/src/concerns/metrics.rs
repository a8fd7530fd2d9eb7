//! The measures 12345 hot lines are judged by, over the concerns reported in a region and period:
//! on-time acceptance, on-time resolution, satisfaction and reopen rates. One grouped statement.
use chrono::NaiveDateTime;
use diesel::dsl::{count_star, sql};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Timestamp};

use super::dto::ConcernMetrics;
use crate::db::schema::{concerns, regions};
use crate::db::DbConn;

/// A share rounded to four places; `None` when nothing was due.
pub fn rate(n: i64, d: i64) -> Option<f64> {
    (d > 0).then(|| (n as f64 / d as f64 * 10_000.0).round() / 10_000.0)
}

fn sum_when(cond: &str) -> diesel::expression::SqlLiteral<BigInt> {
    sql::<BigInt>(&format!("COALESCE(SUM(CASE WHEN {cond} THEN 1 ELSE 0 END), 0)"))
}

/// Concerns in communities whose path is in `[lo, hi)`, reported in `[from, to)`, judged at `at`
/// (what is overdue at that moment).
pub fn compute(conn: &mut DbConn, range: (&str, &str), from: NaiveDateTime, to: NaiveDateTime, at: NaiveDateTime) -> QueryResult<ConcernMetrics> {
    type Row = (String, String, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64);
    let open = "concerns.status IN ('reported', 'accepted', 'in_progress', 'reopened')";
    let rows: Vec<Row> = concerns::table
        .inner_join(regions::table)
        .filter(regions::path.ge(range.0))
        .filter(regions::path.lt(range.1))
        .filter(concerns::created_at.ge(from))
        .filter(concerns::created_at.lt(to))
        .group_by((concerns::status, concerns::category))
        .select((
            concerns::status,
            concerns::category,
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
    let mut m = ConcernMetrics::default();
    for (status, category, n, acc_due, acc_ok, res_due, res_ok, fb, sat, resolved, reopened, escalated, repeats) in rows {
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
    m.on_time_acceptance_rate = rate(m.accepted_on_time, m.acceptance_due);
    m.on_time_resolution_rate = rate(m.resolved_on_time, m.resolution_due);
    m.satisfaction_rate = rate(m.satisfied, m.feedback);
    m.reopen_rate = rate(m.reopened, m.resolved);
    Ok(m)
}
