//! Branch committees by term (换届). A new term is recorded as a new row (the old ones stay), the
//! current committee is the term that started last, and reminders come six months and one month
//! before a term ends — and keep coming once it is overdue.
use chrono::{Duration, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::service::get_visible;
use crate::audit;
use crate::auth::Caller;
use crate::db::schema::{branch_committees, branches, regions};
use crate::db::DbConn;
use crate::error::{ApiError, ApiResult, FieldError};
use crate::http::json::rules;
use crate::http::Validate;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct CommitteeSeat {
    /// The member holding the seat, when they are on the roster.
    pub member_id: Option<String>,
    pub name: String,
    /// `secretary`, `deputy_secretary` or `committee_member` (组织委员, 宣传委员 … in `title`).
    pub role: String,
    pub title: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"id": "0193a1b2-0000-7000-8000-000000000b00", "branch_id": "0193a1b2-0000-7000-8000-000000000100", "term_start": "2024-03-01", "term_end": "2027-02-28", "current": true, "seats": [{"member_id": null, "name": "王芳", "role": "secretary", "title": null}], "created_by": "secretary1", "created_at": "2024-03-01T03:00:00Z"}))]
pub struct CommitteeView {
    pub id: String,
    pub branch_id: String,
    pub term_start: NaiveDate,
    pub term_end: NaiveDate,
    pub current: bool,
    pub seats: Vec<CommitteeSeat>,
    pub created_by: String,
    pub created_at: chrono::DateTime<Utc>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"term_start": "2027-03-01", "term_end": "2030-02-28", "seats": [{"name": "王芳", "role": "secretary"}, {"name": "李明", "role": "committee_member", "title": "组织委员"}]}))]
pub struct ElectCommittee {
    pub term_start: NaiveDate,
    pub term_end: NaiveDate,
    pub seats: Vec<CommitteeSeat>,
}

impl Validate for ElectCommittee {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = vec![];
        let f = |e: &mut Vec<FieldError>, field: &str, code: &str, m: &str| {
            e.push(FieldError {
                field: field.into(),
                code: code.into(),
                message: m.into(),
            })
        };
        if self.term_end <= self.term_start {
            f(
                &mut e,
                "term_end",
                "before_start",
                "a term ends after it starts",
            );
        }
        if self.term_end > self.term_start + Duration::days(366 * 5 + 1) {
            f(
                &mut e,
                "term_end",
                "too_long",
                "a branch committee's term is at most five years",
            );
        }
        if self.seats.is_empty() || self.seats.len() > 15 {
            f(&mut e, "seats", "count", "a committee has 1 to 15 seats");
        }
        if self.seats.iter().filter(|s| s.role == "secretary").count() != 1 {
            f(
                &mut e,
                "seats",
                "one_secretary",
                "a committee has exactly one secretary",
            );
        }
        for (i, s) in self.seats.iter().enumerate() {
            rules::text(&mut e, &format!("seats[{i}].name"), &s.name, 50);
            if !["secretary", "deputy_secretary", "committee_member"].contains(&s.role.as_str()) {
                f(
                    &mut e,
                    &format!("seats[{i}].role"),
                    "invalid",
                    "role is secretary, deputy_secretary or committee_member",
                );
            }
            rules::opt_text(&mut e, &format!("seats[{i}].title"), s.title.as_deref(), 20);
        }
        rules::finish(e)
    }
}

type Row = (
    String,
    String,
    NaiveDate,
    NaiveDate,
    String,
    String,
    NaiveDateTime,
);

fn view(r: Row, current: bool) -> CommitteeView {
    CommitteeView {
        id: r.0,
        branch_id: r.1,
        term_start: r.2,
        term_end: r.3,
        current,
        seats: serde_json::from_str(&r.4).unwrap_or_default(),
        created_by: r.5,
        created_at: r.6.and_utc(),
    }
}

macro_rules! cols {
    () => {
        (
            branch_committees::id,
            branch_committees::branch_id,
            branch_committees::term_start,
            branch_committees::term_end,
            branch_committees::members,
            branch_committees::created_by,
            branch_committees::created_at,
        )
    };
}

/// A branch's terms, newest first; the first that has started is current.
pub fn list(conn: &mut DbConn, caller: &Caller, branch_id: &str) -> ApiResult<Vec<CommitteeView>> {
    get_visible(conn, caller, branch_id)?;
    let rows: Vec<Row> = branch_committees::table
        .filter(branch_committees::branch_id.eq(branch_id))
        .order(branch_committees::term_start.desc())
        .select(cols!())
        .load(conn)?;
    let today = crate::clock::today();
    let current = rows.iter().position(|r| r.2 <= today);
    Ok(rows
        .into_iter()
        .enumerate()
        .map(|(i, r)| view(r, Some(i) == current))
        .collect())
}

pub fn elect(
    conn: &mut DbConn,
    caller: &Caller,
    branch_id: &str,
    input: ElectCommittee,
) -> ApiResult<CommitteeView> {
    crate::db::write(conn, |c| {
        let (b, rpath, _) = get_visible(c, caller, branch_id)?;
        if !caller.branches_writable().contains(&b.path, &rpath) {
            return Err(ApiError::forbidden(
                "committees are recorded by the branch's secretary or staff above it",
            ));
        }
        let last: Option<NaiveDate> = branch_committees::table
            .filter(branch_committees::branch_id.eq(branch_id))
            .order(branch_committees::term_start.desc())
            .select(branch_committees::term_start)
            .first(c)
            .optional()?;
        if last.is_some_and(|l| input.term_start <= l) {
            return Err(ApiError::field(
                "term_start",
                "not_after_previous",
                "a new term starts after the previous one did",
            ));
        }
        let id = crate::new_id();
        diesel::insert_into(branch_committees::table)
            .values((
                branch_committees::id.eq(&id),
                branch_committees::branch_id.eq(branch_id),
                branch_committees::term_start.eq(input.term_start),
                branch_committees::term_end.eq(input.term_end),
                branch_committees::members
                    .eq(serde_json::to_string(&input.seats).map_err(ApiError::internal)?),
                branch_committees::created_by.eq(&caller.username),
                branch_committees::created_at.eq(Utc::now().naive_utc()),
            ))
            .execute(c)?;
        if let Some(secretary) = input.seats.iter().find(|s| s.role == "secretary") {
            if input.term_start <= crate::clock::today() {
                diesel::update(branches::table.find(branch_id))
                    .set(branches::secretary_name.eq(Some(secretary.name.clone())))
                    .execute(c)?;
            }
        }
        audit::record(
            c,
            &caller.actor(),
            "elect",
            "branch",
            Some(branch_id),
            Some(json!({"term_start": input.term_start, "term_end": input.term_end})),
        )?;
        let r: Row = branch_committees::table
            .find(&id)
            .select(cols!())
            .first(c)?;
        Ok(view(r, input.term_start <= crate::clock::today()))
    })
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TermReminder {
    pub branch_id: String,
    pub branch_name: String,
    pub term_end: NaiveDate,
    pub days_left: i64,
    /// `six_months`, `one_month` or `overdue` (the term has ended without a new one).
    pub stage: String,
}

/// Current terms in the caller's reach ending within six months (or already over).
pub fn reminders(
    conn: &mut DbConn,
    caller: &Caller,
    on: NaiveDate,
) -> ApiResult<Vec<TermReminder>> {
    let mut q = branch_committees::table
        .inner_join(branches::table.inner_join(regions::table))
        .into_boxed();
    q = crate::branch_scope!(q, &caller.branches_readable());
    // Each branch's latest started term, then those ending within six months.
    let rows: Vec<(String, String, NaiveDate, NaiveDate)> = q
        .filter(branch_committees::term_start.le(on))
        .order((
            branch_committees::branch_id.asc(),
            branch_committees::term_start.desc(),
        ))
        .select((
            branches::id,
            branches::name,
            branch_committees::term_start,
            branch_committees::term_end,
        ))
        .load(conn)?;
    let mut out = vec![];
    let mut last = String::new();
    for (id, name, _, end) in rows {
        if id == last {
            continue;
        }
        last = id.clone();
        let days_left = (end - on).num_days();
        let stage = if days_left < 0 {
            "overdue"
        } else if days_left <= 31 {
            "one_month"
        } else if days_left <= 183 {
            "six_months"
        } else {
            continue;
        };
        out.push(TermReminder {
            branch_id: id,
            branch_name: name,
            term_end: end,
            days_left,
            stage: stage.into(),
        });
    }
    out.sort_by_key(|r| r.days_left);
    Ok(out)
}
