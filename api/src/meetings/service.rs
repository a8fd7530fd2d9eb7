//! Branch meetings (三会一课, 主题党日) and attendance. The expected attendees are fixed when a
//! meeting is called (the branch's members then, including its party groups'; an interest-based
//! branch's own members), so later transfers never rewrite past attendance. The attendance rate
//! is present / expected: an excused absence (请假) is still an absence, shown apart.
use std::collections::{BTreeMap, HashMap};

use chrono::{NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde_json::json;

use super::dto::*;
use crate::auth::Caller;
use crate::db::schema::{
    branches, meeting_attendance, meetings, member_affiliations, members, regions,
};
use crate::db::DbConn;
use crate::error::ErrorCode;
use crate::error::{expect_version, ApiError, ApiResult};
use crate::households::visits::Period;
use crate::http::list::Paging;
use crate::{audit, tree};

pub const TARGET: f64 = 0.8;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = meetings, treat_none_as_default_value = false)]
pub struct Meeting {
    pub id: String,
    pub branch_id: String,
    pub kind: MeetingKind,
    pub held_on: NaiveDate,
    pub topic: String,
    pub place: Option<String>,
    pub minutes: Option<String>,
    pub expected_count: i32,
    pub present_count: i32,
    pub excused_count: i32,
    pub recorded: bool,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

pub fn rate(n: i64, d: i64) -> Option<f64> {
    (d > 0).then(|| ((n as f64 / d as f64) * 10_000.0).round() / 10_000.0)
}

fn view(m: Meeting, branch_name: String, attendees: Vec<AttendeeView>) -> MeetingView {
    let absent = if m.recorded {
        m.expected_count - m.present_count - m.excused_count
    } else {
        0
    };
    MeetingView {
        kind: m.kind,
        attendance_rate: if m.recorded {
            rate(m.present_count.into(), m.expected_count.into())
        } else {
            None
        },
        id: m.id,
        branch_id: m.branch_id,
        branch_name,
        held_on: m.held_on,
        topic: m.topic,
        place: m.place,
        minutes: m.minutes,
        expected: m.expected_count,
        present: m.present_count,
        excused: m.excused_count,
        absent,
        recorded: m.recorded,
        attendees,
        version: m.version,
        created_at: m.created_at.and_utc(),
        updated_at: m.updated_at.and_utc(),
    }
}

type Joined = diesel::dsl::InnerJoin<
    meetings::table,
    diesel::dsl::InnerJoin<branches::table, regions::table>,
>;

fn boxed_visible<'a>(
    caller: &Caller,
) -> diesel::dsl::IntoBoxed<'a, Joined, crate::db::MultiBackend> {
    crate::branch_scope!(
        meetings::table
            .inner_join(branches::table.inner_join(regions::table))
            .into_boxed(),
        &caller.branches_readable()
    )
}

struct BranchInfo {
    name: String,
    path: String,
    establishment: String,
    readable: bool,
    writable: bool,
}

fn branch_info(conn: &mut DbConn, caller: &Caller, id: &str) -> QueryResult<Option<BranchInfo>> {
    let found: Option<(String, String, String, String)> = branches::table
        .inner_join(regions::table)
        .filter(branches::id.eq(id))
        .select((
            branches::name,
            branches::path,
            branches::establishment,
            regions::path,
        ))
        .first(conn)
        .optional()?;
    Ok(found.map(|(name, path, establishment, rpath)| BranchInfo {
        readable: caller.branches_readable().contains(&path, &rpath),
        writable: caller.branches_writable().contains(&path, &rpath),
        name,
        path,
        establishment,
    }))
}

/// The members a branch's meeting expects today: active members of the branch and its party
/// groups (not of sub-branches, which meet on their own), or of an interest-based branch.
fn expected_members(
    conn: &mut DbConn,
    branch_id: &str,
    info: &BranchInfo,
) -> QueryResult<Vec<(String, String)>> {
    if info.establishment == "interest" {
        return member_affiliations::table
            .inner_join(members::table)
            .filter(member_affiliations::branch_id.eq(branch_id))
            .filter(member_affiliations::left_on.is_null())
            .filter(members::status.eq("active"))
            .order(members::name.asc())
            .select((members::id, members::name))
            .load(conn);
    }
    let (lo, hi) = tree::range(&info.path);
    members::table
        .inner_join(branches::table)
        .filter(members::status.eq("active"))
        .filter(
            branches::id.eq(branch_id).or(branches::kind
                .eq("group")
                .and(branches::path.ge(lo))
                .and(branches::path.lt(hi))),
        )
        .order(members::name.asc())
        .select((members::id, members::name))
        .load(conn)
}

pub fn create(conn: &mut DbConn, caller: &Caller, input: CreateMeeting) -> ApiResult<MeetingView> {
    crate::db::write(conn, |c| {
        let info = branch_info(c, caller, &input.branch_id)?
            .filter(|i| i.readable)
            .ok_or_else(|| {
                ApiError::field("branch_id", "not_found", "the branch does not exist")
            })?;
        if !info.writable {
            return Err(ApiError::forbidden(
                "meetings are kept by the branch's secretary and the community's staff",
            ));
        }
        let expected = expected_members(c, &input.branch_id, &info)?;
        let now = Utc::now().naive_utc();
        let m = Meeting {
            id: crate::new_id(),
            branch_id: input.branch_id.clone(),
            kind: input.kind,
            held_on: input.held_on,
            topic: input.topic.trim().into(),
            place: input
                .place
                .as_deref()
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(str::to_owned),
            minutes: None,
            expected_count: expected.len() as i32,
            present_count: 0,
            excused_count: 0,
            recorded: false,
            version: 1,
            created_at: now,
            updated_at: now,
        };
        diesel::insert_into(meetings::table).values(&m).execute(c)?;
        insert_attendees(c, &m.id, &expected)?;
        audit::record(
            c,
            &caller.actor(),
            "create",
            "meeting",
            Some(&m.id),
            Some(json!({"branch_id": m.branch_id, "kind": m.kind, "held_on": m.held_on})),
        )?;
        let attendees = attendees(c, &m.id)?;
        Ok(view(m, info.name, attendees))
    })
}

/// Inserts the expected attendees with multi-row statements.
pub fn insert_attendees(
    conn: &mut DbConn,
    meeting_id: &str,
    expected: &[(String, String)],
) -> QueryResult<()> {
    let rows: Vec<_> = expected
        .iter()
        .map(|(id, name)| {
            (
                meeting_attendance::meeting_id.eq(meeting_id.to_owned()),
                meeting_attendance::member_id.eq(id.clone()),
                meeting_attendance::member_name.eq(name.clone()),
            )
        })
        .collect();
    crate::bulk_insert!(conn, meeting_attendance::table, rows);
    Ok(())
}

fn attendees(conn: &mut DbConn, meeting_id: &str) -> QueryResult<Vec<AttendeeView>> {
    let rows: Vec<(String, String, Attendance, Option<String>)> = meeting_attendance::table
        .filter(meeting_attendance::meeting_id.eq(meeting_id))
        .order((
            meeting_attendance::member_name.asc(),
            meeting_attendance::member_id.asc(),
        ))
        .select((
            meeting_attendance::member_id,
            meeting_attendance::member_name,
            meeting_attendance::status,
            meeting_attendance::reason,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(member_id, member_name, status, reason)| AttendeeView {
            member_id,
            member_name,
            status,
            reason,
        })
        .collect())
}

fn load(conn: &mut DbConn, caller: &Caller, id: &str) -> ApiResult<(Meeting, BranchInfo)> {
    let m: Option<Meeting> = meetings::table
        .find(id)
        .select(Meeting::as_select())
        .first(conn)
        .optional()?;
    let Some(m) = m else {
        return Err(ApiError::not_found("meeting"));
    };
    let info = branch_info(conn, caller, &m.branch_id)?;
    let own = my_member_id(conn, caller)?.is_some_and(|me| {
        meeting_attendance::table
            .filter(meeting_attendance::meeting_id.eq(id))
            .filter(meeting_attendance::member_id.eq(me))
            .count()
            .get_result::<i64>(conn)
            .is_ok_and(|n| n > 0)
    });
    match info {
        Some(i) if i.readable || own => Ok((m, i)),
        _ => Err(ApiError::not_found("meeting")),
    }
}

fn my_member_id(conn: &mut DbConn, caller: &Caller) -> QueryResult<Option<String>> {
    members::table
        .filter(members::user_id.eq(&caller.user_id))
        .select(members::id)
        .first(conn)
        .optional()
}

pub fn get(conn: &mut DbConn, caller: &Caller, id: &str) -> ApiResult<MeetingView> {
    let (m, info) = load(conn, caller, id)?;
    let mut a = attendees(conn, id)?;
    if !info.readable {
        // A member reading a meeting they were expected at sees who came, but another member's
        // reason for leave is that member's own business.
        let me = my_member_id(conn, caller)?;
        for x in a.iter_mut().filter(|x| Some(&x.member_id) != me.as_ref()) {
            x.reason = None;
        }
    }
    Ok(view(m, info.name, a))
}

#[derive(Debug, Clone, Default)]
pub struct MeetingFilter {
    pub branch_id: Option<String>,
    pub kind: Option<MeetingKind>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// Only meetings the caller (as a member) is expected at.
    pub mine: bool,
}

pub fn list(
    conn: &mut DbConn,
    caller: &Caller,
    filter: MeetingFilter,
    paging: Paging,
) -> ApiResult<(Vec<MeetingView>, i64)> {
    let subtree = match &filter.branch_id {
        Some(b) => match branch_info(conn, caller, b)?.filter(|i| i.readable) {
            Some(i) => Some(i.path),
            None => {
                return Err(ApiError::field(
                    "branch_id",
                    "not_found",
                    "the branch does not exist",
                ))
            }
        },
        None => None,
    };
    let mine_ids: Option<Vec<String>> = if filter.mine {
        let me = my_member_id(conn, caller)?;
        Some(match me {
            Some(me) => meeting_attendance::table
                .filter(meeting_attendance::member_id.eq(me))
                .select(meeting_attendance::meeting_id)
                .load(conn)?,
            None => vec![],
        })
    } else {
        None
    };
    macro_rules! filtered {
        () => {{
            let mut q = match &mine_ids {
                // A member's own meetings need no branch reach.
                Some(ids) => meetings::table
                    .inner_join(branches::table.inner_join(regions::table))
                    .into_boxed()
                    .filter(meetings::id.eq_any(ids.clone())),
                None => boxed_visible(caller),
            };
            if let Some(p) = &subtree {
                let (lo, hi) = tree::range(p);
                q = q
                    .filter(branches::path.ge(lo))
                    .filter(branches::path.lt(hi));
            }
            if let Some(k) = filter.kind {
                q = q.filter(meetings::kind.eq(k.as_str()));
            }
            if let Some(f) = filter.from {
                q = q.filter(meetings::held_on.ge(f));
            }
            if let Some(t) = filter.to {
                q = q.filter(meetings::held_on.le(t));
            }
            q
        }};
    }
    let total: i64 = filtered!().count().get_result(conn)?;
    let rows: Vec<(Meeting, String)> = filtered!()
        .order((
            meetings::held_on.desc(),
            meetings::created_at.desc(),
            meetings::id.asc(),
        ))
        .limit(paging.per_page)
        .offset(paging.offset())
        .select((Meeting::as_select(), branches::name))
        .load(conn)?;
    Ok((
        rows.into_iter().map(|(m, n)| view(m, n, vec![])).collect(),
        total,
    ))
}

fn writable(conn: &mut DbConn, caller: &Caller, id: &str) -> ApiResult<(Meeting, BranchInfo)> {
    let (m, info) = load(conn, caller, id)?;
    if !info.writable {
        return Err(ApiError::forbidden(
            "meetings are kept by the branch's secretary and the community's staff",
        ));
    }
    Ok((m, info))
}

pub fn update(
    conn: &mut DbConn,
    caller: &Caller,
    id: &str,
    input: UpdateMeeting,
    if_match: Option<i32>,
) -> ApiResult<MeetingView> {
    crate::db::write(conn, |c| {
        let (m, info) = writable(c, caller, id)?;
        expect_version(m.version, if_match, input.version)?;
        if m.recorded && input.held_on.is_some_and(|d| d > crate::clock::today()) {
            return Err(ApiError::field(
                "held_on",
                "in_future",
                "a meeting with recorded attendance cannot move into the future",
            ));
        }
        let n = diesel::update(
            meetings::table
                .find(id)
                .filter(meetings::version.eq(m.version)),
        )
        .set((
            input.kind.map(|k| meetings::kind.eq(k.as_str())),
            input.held_on.map(|d| meetings::held_on.eq(d)),
            input
                .topic
                .as_deref()
                .map(|t| meetings::topic.eq(t.trim().to_owned())),
            input.place.clone().map(|p| meetings::place.eq(p)),
            input.minutes.clone().map(|p| meetings::minutes.eq(p)),
            meetings::version.eq(m.version + 1),
            meetings::updated_at.eq(Utc::now().naive_utc()),
        ))
        .execute(c)?;
        if n == 0 {
            return Err(ApiError::precondition_failed(m.version));
        }
        audit::record(c, &caller.actor(), "update", "meeting", Some(id), None)?;
        let (m, _) = load(c, caller, id)?;
        let a = attendees(c, id)?;
        Ok(view(m, info.name, a))
    })
}

pub fn delete(conn: &mut DbConn, caller: &Caller, id: &str) -> ApiResult<()> {
    crate::db::write(conn, |c| {
        let (m, _) = writable(c, caller, id)?;
        if m.recorded || m.present_count > 0 || m.excused_count > 0 {
            return Err(ApiError::conflict(
                ErrorCode::MeetingRecorded,
                "a meeting with recorded attendance is kept; correct it instead",
            ));
        }
        diesel::delete(meeting_attendance::table.filter(meeting_attendance::meeting_id.eq(id)))
            .execute(c)?;
        diesel::delete(meetings::table.find(id)).execute(c)?;
        audit::record(
            c,
            &caller.actor(),
            "delete",
            "meeting",
            Some(id),
            Some(json!({"topic": m.topic, "held_on": m.held_on})),
        )?;
        Ok(())
    })
}

/// Records attendance for any of the expected members; the meeting counts follow.
pub fn record(
    conn: &mut DbConn,
    caller: &Caller,
    id: &str,
    input: RecordAttendance,
    if_match: Option<i32>,
) -> ApiResult<MeetingView> {
    crate::db::write(conn, |c| {
        let (m, info) = writable(c, caller, id)?;
        expect_version(m.version, if_match, input.version)?;
        if m.held_on > crate::clock::today() {
            return Err(ApiError::conflict(
                ErrorCode::MeetingNotHeld,
                format!(
                    "the meeting is on {}; attendance is recorded once it has been held",
                    m.held_on
                ),
            ));
        }
        let expected: Vec<String> = meeting_attendance::table
            .filter(meeting_attendance::meeting_id.eq(id))
            .select(meeting_attendance::member_id)
            .load(c)?;
        let bad: Vec<crate::error::FieldError> = input
            .entries
            .iter()
            .enumerate()
            .filter(|(_, e)| !expected.contains(&e.member_id))
            .map(|(i, _)| crate::error::FieldError {
                field: format!("entries[{i}].member_id"),
                code: "not_expected".into(),
                message: "the member is not expected at this meeting".into(),
            })
            .collect();
        if !bad.is_empty() {
            return Err(ApiError::validation(bad));
        }
        for e in &input.entries {
            diesel::update(meeting_attendance::table.find((id, &e.member_id)))
                .set((
                    meeting_attendance::status.eq(e.status.as_str()),
                    meeting_attendance::reason.eq(e
                        .reason
                        .as_deref()
                        .map(str::trim)
                        .filter(|r| !r.is_empty())
                        .map(str::to_owned)),
                ))
                .execute(c)?;
        }
        let counts: Vec<(String, i64)> = meeting_attendance::table
            .filter(meeting_attendance::meeting_id.eq(id))
            .group_by(meeting_attendance::status)
            .select((meeting_attendance::status, diesel::dsl::count_star()))
            .load(c)?;
        let count = |s: &str| {
            counts
                .iter()
                .find(|(k, _)| k == s)
                .map(|(_, n)| *n)
                .unwrap_or(0) as i32
        };
        let n = diesel::update(
            meetings::table
                .find(id)
                .filter(meetings::version.eq(m.version)),
        )
        .set((
            meetings::present_count.eq(count("present")),
            meetings::excused_count.eq(count("excused")),
            meetings::recorded.eq(count("unrecorded") == 0),
            meetings::version.eq(m.version + 1),
            meetings::updated_at.eq(Utc::now().naive_utc()),
        ))
        .execute(c)?;
        if n == 0 {
            return Err(ApiError::precondition_failed(m.version));
        }
        audit::record(
            c,
            &caller.actor(),
            "attendance",
            "meeting",
            Some(id),
            Some(json!({"entries": input.entries.len()})),
        )?;
        let (m, _) = load(c, caller, id)?;
        let a = attendees(c, id)?;
        Ok(view(m, info.name, a))
    })
}

/// Attendance per branch over a month or quarter, in a branch subtree, a region, or the
/// caller's whole reach: each general branch, branch and interest-based branch with its
/// meetings (a party group's meetings count for its branch) and its rate against the 80 % line.
pub fn report(
    conn: &mut DbConn,
    caller: &Caller,
    branch_id: Option<&str>,
    region_id: Option<&str>,
    period: Period,
) -> ApiResult<AttendanceReport> {
    let mut q = branches::table.inner_join(regions::table).into_boxed();
    let reach = caller.branches_readable();
    if let Some(b) = branch_id {
        let info = branch_info(conn, caller, b)?
            .filter(|i| i.readable)
            .ok_or_else(|| ApiError::not_found("branch"))?;
        let (lo, hi) = tree::range(&info.path);
        q = q
            .filter(branches::path.ge(lo))
            .filter(branches::path.lt(hi));
    } else if let Some(r) = region_id {
        let path: Option<String> = regions::table
            .find(r)
            .select(regions::path)
            .first(conn)
            .optional()?;
        let Some(path) = path.filter(|p| reach.regions.contains(p) || reach.all()) else {
            return Err(ApiError::not_found("region"));
        };
        let (lo, hi) = tree::range(&path);
        q = q.filter(regions::path.ge(lo)).filter(regions::path.lt(hi));
    } else {
        q = crate::branch_scope!(q, &reach);
    }
    let in_scope: Vec<(String, String, String, Option<String>, String)> = q
        .order((branches::path.asc(),))
        .select((
            branches::id,
            branches::name,
            branches::kind,
            branches::parent_id,
            branches::establishment,
        ))
        .load(conn)?;
    // Where each organisation's meetings are counted: a group's go to its parent branch.
    let mut counted_in: HashMap<&str, &str> = HashMap::new();
    for (id, _, kind, parent, _) in &in_scope {
        match (kind.as_str(), parent) {
            ("group", Some(p)) => counted_in.insert(id, p),
            _ => counted_in.insert(id, id),
        };
    }
    let ids: Vec<&str> = in_scope.iter().map(|b| b.0.as_str()).collect();
    let mut rows: Vec<(String, String, i32, i32, i32, bool)> = vec![];
    for chunk in ids.chunks(500) {
        let part: Vec<(String, String, i32, i32, i32, bool)> = meetings::table
            .filter(meetings::branch_id.eq_any(chunk))
            .filter(meetings::held_on.ge(period.from))
            .filter(meetings::held_on.le(period.to))
            .select((
                meetings::branch_id,
                meetings::kind,
                meetings::expected_count,
                meetings::present_count,
                meetings::excused_count,
                meetings::recorded,
            ))
            .load(conn)?;
        rows.extend(part);
    }
    #[derive(Default)]
    struct Acc {
        meetings: i64,
        by_kind: BTreeMap<String, i64>,
        expected: i64,
        present: i64,
        excused: i64,
    }
    let mut acc: HashMap<&str, Acc> = HashMap::new();
    for (b, kind, expected, present, excused, recorded) in &rows {
        let Some(target) = counted_in.get(b.as_str()) else {
            continue;
        };
        let a = acc.entry(target).or_default();
        a.meetings += 1;
        *a.by_kind.entry(kind.clone()).or_default() += 1;
        if *recorded {
            a.expected += i64::from(*expected);
            a.present += i64::from(*present);
            a.excused += i64::from(*excused);
        }
    }
    // Organisations with members of their own (directly, in their party groups, or as an
    // interest-based branch's affiliates): a general branch whose members all sit in its branches
    // holds no meetings of its own and is not "under the line" for it.
    let mut has_members: std::collections::HashSet<&str> = Default::default();
    for chunk in ids.chunks(500) {
        let direct: Vec<String> = members::table
            .filter(members::branch_id.eq_any(chunk))
            .filter(members::status.eq("active"))
            .select(members::branch_id)
            .distinct()
            .load(conn)?;
        let affiliated: Vec<String> = member_affiliations::table
            .filter(member_affiliations::branch_id.eq_any(chunk))
            .filter(member_affiliations::left_on.is_null())
            .select(member_affiliations::branch_id)
            .distinct()
            .load(conn)?;
        for b in direct.iter().chain(affiliated.iter()) {
            if let Some((_, target)) = counted_in.get_key_value(b.as_str()) {
                has_members.insert(target);
            }
        }
    }
    let mut out = vec![];
    let (mut all_expected, mut all_present) = (0i64, 0i64);
    for (id, name, kind, _, establishment) in &in_scope {
        let listed =
            matches!(kind.as_str(), "general_branch" | "branch") || establishment == "interest";
        if !listed {
            continue;
        }
        let a = acc.remove(id.as_str()).unwrap_or_default();
        if a.meetings == 0 && !has_members.contains(id.as_str()) {
            continue;
        }
        let r = rate(a.present, a.expected);
        all_expected += a.expected;
        all_present += a.present;
        out.push(BranchAttendance {
            branch_id: id.clone(),
            branch_name: name.clone(),
            meetings: a.meetings,
            by_kind: a.by_kind,
            expected: a.expected,
            present: a.present,
            excused: a.excused,
            attendance_rate: r,
            below_target: r.is_none_or(|r| r < TARGET),
        });
    }
    Ok(AttendanceReport {
        period,
        target: TARGET,
        overall_rate: rate(all_present, all_expected),
        branches_below_target: out.iter().filter(|b| b.below_target).count() as i64,
        branches: out,
    })
}
