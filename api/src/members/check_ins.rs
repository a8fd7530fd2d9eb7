//! Check-in with the home community (双报到): an in-service member registers with the
//! community where they live, the community sees who has checked in, and a service report over
//! a period can be sent to the member's work unit. One active check-in per member; ending one
//! keeps it in history.
use chrono::{NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::service::{access, load};
use crate::audit;
use crate::auth::Caller;
use crate::db::schema::{
    activities, activity_signups, check_ins, meeting_attendance, meetings, members, regions,
    service_hours, volunteers,
};
use crate::db::DbConn;
use crate::error::ErrorCode;
use crate::error::{ApiError, ApiResult, FieldError};
use crate::http::json::rules;
use crate::http::list::Paging;
use crate::http::Validate;
use crate::members::dto::Category;
use crate::members::dto::MemberStatus;

#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"id": "0193a1b2-0000-7000-8000-000000000a00", "member_id": "0193a1b2-0000-7000-8000-000000000900", "member_name": "王建国", "work_unit": "常州市第一人民医院", "community_id": "0193a1b2-0000-7000-8000-000000000010", "community_name": "斜桥巷社区", "checked_in_on": "2026-03-05", "ended_on": null, "note": null}))]
pub struct CheckInView {
    pub id: String,
    pub member_id: String,
    pub member_name: String,
    pub work_unit: Option<String>,
    pub community_id: String,
    pub community_name: String,
    pub checked_in_on: NaiveDate,
    pub ended_on: Option<NaiveDate>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"community_id": "0193a1b2-0000-7000-8000-000000000010"}))]
pub struct CreateCheckIn {
    /// Leave out to check in yourself.
    pub member_id: Option<String>,
    /// The community (社区) where the member lives.
    pub community_id: String,
    pub checked_in_on: Option<NaiveDate>,
    pub note: Option<String>,
}

impl Validate for CreateCheckIn {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = vec![];
        rules::text(&mut e, "community_id", &self.community_id, 64);
        rules::opt_text(&mut e, "note", self.note.as_deref(), 200);
        rules::finish(e)
    }
}

type Row = (
    String,
    String,
    String,
    Option<String>,
    String,
    String,
    NaiveDate,
    Option<NaiveDate>,
    Option<String>,
);

fn select_rows<'a>() -> diesel::dsl::IntoBoxed<
    'a,
    diesel::dsl::InnerJoin<
        diesel::dsl::InnerJoin<check_ins::table, members::table>,
        regions::table,
    >,
    crate::db::MultiBackend,
> {
    check_ins::table
        .inner_join(members::table)
        .inner_join(regions::table)
        .into_boxed()
}

fn to_view(r: Row) -> CheckInView {
    CheckInView {
        id: r.0,
        member_id: r.1,
        member_name: r.2,
        work_unit: r.3,
        community_id: r.4,
        community_name: r.5,
        checked_in_on: r.6,
        ended_on: r.7,
        note: r.8,
    }
}

macro_rules! columns {
    () => {
        (
            check_ins::id,
            members::id,
            members::name,
            members::work_unit,
            regions::id,
            regions::name,
            check_ins::checked_in_on,
            check_ins::ended_on,
            check_ins::note,
        )
    };
}

fn one(conn: &mut DbConn, id: &str) -> QueryResult<Option<CheckInView>> {
    select_rows()
        .filter(check_ins::id.eq(id.to_owned()))
        .select(columns!())
        .first::<Row>(conn)
        .optional()
        .map(|r| r.map(to_view))
}

fn my_member(conn: &mut DbConn, caller: &Caller) -> QueryResult<Option<String>> {
    members::table
        .filter(members::user_id.eq(&caller.user_id))
        .select(members::id)
        .first(conn)
        .optional()
}

pub fn create(conn: &mut DbConn, caller: &Caller, input: CreateCheckIn) -> ApiResult<CheckInView> {
    crate::db::write(conn, |c| {
        let member_id = match &input.member_id {
            Some(m) => m.clone(),
            None => my_member(c, caller)?.ok_or_else(|| {
                ApiError::field(
                    "member_id",
                    "required",
                    "your account is not a member's; name the member",
                )
            })?,
        };
        let acc = access(c, caller, &member_id)
            .map_err(|_| ApiError::field("member_id", "not_found", "the member does not exist"))?;
        if !(acc.own || acc.keeper) {
            return Err(ApiError::forbidden(
                "a member checks in themselves, or their branch's keepers do it for them",
            ));
        }
        if acc.member.status != MemberStatus::Active {
            return Err(ApiError::conflict(
                ErrorCode::MemberHistorical,
                "a historical member cannot check in",
            ));
        }
        if acc.member.category != Category::InService {
            return Err(ApiError::field(
                "member_id",
                "not_in_service",
                "check-in with the home community is for in-service members (在职党员)",
            ));
        }
        let level: Option<String> = regions::table
            .find(&input.community_id)
            .select(regions::level)
            .first(c)
            .optional()?;
        if level.as_deref() != Some("community") {
            return Err(ApiError::field(
                "community_id",
                "not_found",
                "no such community",
            ));
        }
        let open: Option<String> = check_ins::table
            .inner_join(regions::table)
            .filter(check_ins::member_id.eq(&member_id))
            .filter(check_ins::ended_on.is_null())
            .select(regions::name)
            .first(c)
            .optional()?;
        if let Some(name) = open {
            return Err(ApiError::conflict(
                ErrorCode::AlreadyCheckedIn,
                format!("the member is checked in with {name}; end that check-in first"),
            ));
        }
        let id = crate::new_id();
        let now: NaiveDateTime = Utc::now().naive_utc();
        diesel::insert_into(check_ins::table)
            .values((
                check_ins::id.eq(&id),
                check_ins::member_id.eq(&member_id),
                check_ins::community_id.eq(&input.community_id),
                check_ins::checked_in_on.eq(input.checked_in_on.unwrap_or(now.date())),
                check_ins::note.eq(input
                    .note
                    .as_deref()
                    .map(str::trim)
                    .filter(|n| !n.is_empty())),
                check_ins::created_at.eq(now),
            ))
            .execute(c)?;
        audit::record(
            c,
            &caller.actor(),
            "check_in",
            "member",
            Some(&member_id),
            Some(json!({"community_id": input.community_id})),
        )?;
        one(c, &id)?.ok_or_else(|| ApiError::not_found("check-in"))
    })
}

pub fn end(conn: &mut DbConn, caller: &Caller, id: &str) -> ApiResult<CheckInView> {
    crate::db::write(conn, |c| {
        let ci = one(c, id)?.ok_or_else(|| ApiError::not_found("check-in"))?;
        let community_path: String = regions::table
            .find(&ci.community_id)
            .select(regions::path)
            .first(c)?;
        let by_member = access(c, caller, &ci.member_id)
            .map(|a| a.own || a.keeper)
            .unwrap_or(false);
        let by_community = caller.regions_writable().contains(&community_path);
        if !(by_member || by_community) {
            return Err(if caller.regions_readable().contains(&community_path) {
                ApiError::forbidden("you may not end this check-in")
            } else {
                ApiError::not_found("check-in")
            });
        }
        if ci.ended_on.is_some() {
            return Err(ApiError::invalid_transition("ended", "end"));
        }
        diesel::update(check_ins::table.find(id))
            .set(check_ins::ended_on.eq(Some(crate::clock::today())))
            .execute(c)?;
        audit::record(
            c,
            &caller.actor(),
            "check_in_end",
            "member",
            Some(&ci.member_id),
            Some(json!({"check_in_id": id})),
        )?;
        one(c, id)?.ok_or_else(|| ApiError::not_found("check-in"))
    })
}

/// Who has checked in with the communities the caller reads (community and street staff), or
/// the caller's own check-ins.
pub fn list(
    conn: &mut DbConn,
    caller: &Caller,
    community_id: Option<&str>,
    active: Option<bool>,
    paging: Paging,
) -> ApiResult<(Vec<CheckInView>, i64)> {
    let reach = caller.regions_readable();
    let me = my_member(conn, caller)?;
    let base = || {
        let mut q = select_rows();
        q = match &reach {
            crate::auth::policy::Reach::All => q,
            crate::auth::policy::Reach::Within(p) if !p.is_empty() => {
                q.filter(crate::path_filter!(regions::path, p))
            }
            _ => q.filter(check_ins::member_id.eq(me.clone().unwrap_or_default())),
        };
        if let Some(cid) = community_id {
            q = q.filter(check_ins::community_id.eq(cid.to_owned()));
        }
        match active {
            Some(true) => q.filter(check_ins::ended_on.is_null()),
            Some(false) => q.filter(check_ins::ended_on.is_not_null()),
            None => q,
        }
    };
    let total: i64 = base().count().get_result(conn)?;
    let rows: Vec<Row> = base()
        .order((check_ins::checked_in_on.desc(), check_ins::id.asc()))
        .limit(paging.per_page)
        .offset(paging.offset())
        .select(columns!())
        .load(conn)?;
    Ok((rows.into_iter().map(to_view).collect(), total))
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReportMeeting {
    pub held_on: NaiveDate,
    pub kind: String,
    pub topic: String,
    /// present, absent, excused or unrecorded.
    pub attendance: String,
}

/// What a member did over a period, for their work unit (在职党员到社区报到反馈).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ServiceReport {
    pub member_id: String,
    pub name: String,
    pub branch_name: String,
    pub work_unit: Option<String>,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub check_ins: Vec<CheckInView>,
    pub meetings_expected: i64,
    pub meetings_present: i64,
    pub meetings: Vec<ReportMeeting>,
    /// The member's volunteer record, whose service card has the detail.
    pub volunteer_id: Option<String>,
    /// Volunteer service over the period, from the service-hours ledger (credited and make-up).
    pub service_minutes: i64,
    /// Volunteer activities attended (marked present or late, or checked in) over the period.
    pub activities_attended: i64,
}

pub fn report(
    conn: &mut DbConn,
    caller: &Caller,
    member_id: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> ApiResult<ServiceReport> {
    if to < from || (to - from).num_days() > 366 * 2 {
        return Err(ApiError::field(
            "to",
            "invalid_range",
            "the period runs forwards and is at most two years",
        ));
    }
    // The member, their keepers, and the staff of a community they checked in with.
    if access(conn, caller, member_id).is_err() {
        let paths: Vec<String> = check_ins::table
            .inner_join(regions::table)
            .filter(check_ins::member_id.eq(member_id))
            .select(regions::path)
            .load(conn)?;
        if !paths.iter().any(|p| caller.regions_readable().contains(p)) {
            return Err(ApiError::not_found("member"));
        }
    }
    let (m, branch_name, _, _) =
        load(conn, member_id)?.ok_or_else(|| ApiError::not_found("member"))?;
    let cis: Vec<Row> = select_rows()
        .filter(check_ins::member_id.eq(member_id.to_owned()))
        .filter(check_ins::checked_in_on.le(to))
        .filter(
            check_ins::ended_on
                .is_null()
                .or(check_ins::ended_on.ge(from)),
        )
        .order(check_ins::checked_in_on.asc())
        .select(columns!())
        .load(conn)?;
    let rows: Vec<(NaiveDate, String, String, String)> = meeting_attendance::table
        .inner_join(meetings::table)
        .filter(meeting_attendance::member_id.eq(member_id))
        .filter(meetings::held_on.ge(from))
        .filter(meetings::held_on.le(to))
        .order(meetings::held_on.asc())
        .select((
            meetings::held_on,
            meetings::kind,
            meetings::topic,
            meeting_attendance::status,
        ))
        .load(conn)?;
    let recorded: Vec<&(NaiveDate, String, String, String)> =
        rows.iter().filter(|r| r.3 != "unrecorded").collect();
    let volunteer_id: Option<String> = volunteers::table
        .filter(volunteers::member_id.eq(member_id))
        .select(volunteers::id)
        .first(conn)
        .optional()?;
    let (mut service_minutes, mut activities_attended) = (0, 0);
    if let Some(v) = &volunteer_id {
        let sum: Option<i64> = service_hours::table
            .filter(service_hours::volunteer_id.eq(v))
            .filter(service_hours::served_on.ge(from))
            .filter(service_hours::served_on.le(to))
            .select(diesel::dsl::sum(service_hours::minutes))
            .first(conn)?;
        service_minutes = sum.unwrap_or(0);
        activities_attended = activity_signups::table
            .inner_join(activities::table)
            .filter(activity_signups::volunteer_id.eq(v))
            .filter(activities::starts_at.ge(crate::clock::start_of(from)))
            .filter(
                activities::starts_at.lt(crate::clock::start_of(to + chrono::Duration::days(1))),
            )
            .filter(
                activity_signups::attendance
                    .eq_any(["present", "late"])
                    .or(activity_signups::checked_in_at.is_not_null()),
            )
            .count()
            .get_result(conn)?;
    }
    Ok(ServiceReport {
        member_id: m.id,
        name: m.name,
        branch_name,
        work_unit: m.work_unit,
        from,
        to,
        check_ins: cis.into_iter().map(to_view).collect(),
        meetings_expected: recorded.len() as i64,
        meetings_present: recorded.iter().filter(|r| r.3 == "present").count() as i64,
        meetings: rows
            .into_iter()
            .map(|(held_on, kind, topic, attendance)| ReportMeeting {
                held_on,
                kind,
                topic,
                attendance,
            })
            .collect(),
        volunteer_id,
        service_minutes,
        activities_attended,
    })
}

pub const REPORT_COLUMNS: [crate::tabular::Column; 4] = [
    ("held_on", "日期"),
    ("kind", "会议类型"),
    ("topic", "主题"),
    ("attendance", "出席情况"),
];

/// The report as a sheet: a heading block, then one line per meeting.
pub fn report_sheet(
    r: &ServiceReport,
    format: crate::tabular::Format,
) -> Result<Vec<u8>, ApiError> {
    let label = |s: &str| match s {
        "present" => "出席",
        "absent" => "缺席",
        "excused" => "请假",
        _ => "未记录",
    };
    let mut rows: Vec<Vec<String>> = vec![
        vec![
            "党员".into(),
            r.name.clone(),
            "工作单位".into(),
            r.work_unit.clone().unwrap_or_default(),
        ],
        vec![
            "所在支部".into(),
            r.branch_name.clone(),
            "期间".into(),
            format!("{} — {}", r.from, r.to),
        ],
        vec![
            "志愿服务".into(),
            format!("{:.1} 小时", r.service_minutes as f64 / 60.0),
            "参加志愿活动".into(),
            r.activities_attended.to_string(),
        ],
        vec![
            "报到社区".into(),
            r.check_ins
                .iter()
                .map(|c| format!("{}（{}起）", c.community_name, c.checked_in_on))
                .collect::<Vec<_>>()
                .join("；"),
            "参加会议".into(),
            format!("{}/{}", r.meetings_present, r.meetings_expected),
        ],
    ];
    rows.extend(r.meetings.iter().map(|m| {
        vec![
            m.held_on.to_string(),
            m.kind.clone(),
            m.topic.clone(),
            label(&m.attendance).to_string(),
        ]
    }));
    crate::tabular::write(&REPORT_COLUMNS, &rows, format)
}
