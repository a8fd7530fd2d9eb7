//! Party birthdays (政治生日): the anniversaries of the day members joined, in a week or a month,
//! within the caller's reach — read from the `join_md` (MM-DD) index.
use chrono::{Datelike, Duration, NaiveDate};
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use super::service::boxed_visible;
use crate::auth::Caller;
use crate::db::schema::{branches, members};
use crate::db::DbConn;
use crate::error::ApiResult;
use crate::http::list::Paging;

#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"member_id": "0193a1b2-0000-7000-8000-000000000900", "name": "王建国", "branch_id": "0193a1b2-0000-7000-8000-000000000100", "branch_name": "斜桥巷社区第1网格党支部", "joined_on": "1998-11-25", "date": "2026-11-25", "years": 28}))]
pub struct PartyBirthday {
    pub member_id: String,
    pub name: String,
    pub branch_id: String,
    pub branch_name: String,
    pub joined_on: NaiveDate,
    /// The anniversary in the period asked for.
    pub date: NaiveDate,
    /// Years in the party on that day.
    pub years: i32,
}

/// The days of the calendar week (Monday to Sunday) or month around `on`.
pub fn days(on: NaiveDate, month: bool) -> Vec<NaiveDate> {
    let (first, n) = if month {
        let first = on.with_day(1).expect("day 1");
        let next = if first.month() == 12 {
            NaiveDate::from_ymd_opt(first.year() + 1, 1, 1)
        } else {
            NaiveDate::from_ymd_opt(first.year(), first.month() + 1, 1)
        };
        (first, (next.expect("a month") - first).num_days())
    } else {
        (
            on - Duration::days(on.weekday().num_days_from_monday() as i64),
            7,
        )
    };
    (0..n).map(|i| first + Duration::days(i)).collect()
}

/// The anniversary of `joined` in `year`; 29 February is kept on 28 February in common years.
pub fn anniversary(joined: NaiveDate, year: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, joined.month(), joined.day())
        .unwrap_or_else(|| NaiveDate::from_ymd_opt(year, 2, 28).expect("28 February"))
}

pub fn list(
    conn: &mut DbConn,
    caller: &Caller,
    on: NaiveDate,
    month: bool,
    paging: Paging,
) -> ApiResult<(Vec<PartyBirthday>, i64)> {
    let range = days(on, month);
    let mut mds: Vec<String> = range
        .iter()
        .map(|d| d.format("%m-%d").to_string())
        .collect();
    if range.iter().any(|d| {
        d.month() == 2 && d.day() == 28 && NaiveDate::from_ymd_opt(d.year(), 2, 29).is_none()
    }) {
        mds.push("02-29".into());
    }
    let base = || {
        boxed_visible(caller)
            .filter(members::status.eq("active"))
            .filter(members::join_md.eq_any(mds.clone()))
    };
    let total: i64 = base().count().get_result(conn)?;
    let rows: Vec<(String, String, String, String, NaiveDate)> = base()
        .order((
            members::join_md.asc(),
            members::name.asc(),
            members::id.asc(),
        ))
        .limit(paging.per_page)
        .offset(paging.offset())
        .select((
            members::id,
            members::name,
            branches::id,
            branches::name,
            members::joined_on,
        ))
        .load(conn)?;
    // The year of each day in range (a week may span New Year).
    let year_of = |md: &str| {
        range
            .iter()
            .find(|d| d.format("%m-%d").to_string() == md)
            .map(|d| d.year())
            .unwrap_or(on.year())
    };
    let items = rows
        .into_iter()
        .map(|(member_id, name, branch_id, branch_name, joined_on)| {
            let md = joined_on.format("%m-%d").to_string();
            let year = if md == "02-29" {
                year_of("02-28")
            } else {
                year_of(&md)
            };
            let date = anniversary(joined_on, year);
            PartyBirthday {
                member_id,
                name,
                branch_id,
                branch_name,
                joined_on,
                years: date.year() - joined_on.year(),
                date,
            }
        })
        .collect();
    Ok((items, total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weeks_run_monday_to_sunday_and_months_whole() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap(); // a Wednesday
        let w = days(d, false);
        assert_eq!(
            (w[0], w[6]),
            (
                NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
                NaiveDate::from_ymd_opt(2026, 11, 29).unwrap()
            )
        );
        assert_eq!(
            days(NaiveDate::from_ymd_opt(2027, 2, 10).unwrap(), true).len(),
            28
        );
        assert_eq!(
            anniversary(NaiveDate::from_ymd_opt(1996, 2, 29).unwrap(), 2027),
            NaiveDate::from_ymd_opt(2027, 2, 28).unwrap()
        );
    }
}
