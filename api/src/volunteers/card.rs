//! The service card (党员联系卡): one person's service over a period — hours by kind and source,
//! teams, activities and the ledger behind them — for the person and for their work unit.
use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::dto::*;
use super::ledger;
use super::teams::{get_volunteer, Volunteer};
use crate::auth::Caller;
use crate::db::schema::{
    activities, activity_signups, branches, members, service_hours, volunteer_teams, volunteers,
};
use crate::db::DbConn;
use crate::error::{ApiError, ApiResult};

pub fn card(
    conn: &mut DbConn,
    caller: &Caller,
    volunteer_id: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> ApiResult<ServiceCard> {
    if to < from || (to - from).num_days() > 366 * 2 {
        return Err(ApiError::field(
            "to",
            "invalid_range",
            "the period runs forwards and is at most two years",
        ));
    }
    let volunteer = get_volunteer(conn, caller, volunteer_id)?;
    let v: Volunteer = volunteers::table
        .find(volunteer_id)
        .select(Volunteer::as_select())
        .first(conn)?;
    let (work_unit, branch_name) = match &v.member_id {
        Some(m) => members::table
            .inner_join(branches::table)
            .filter(members::id.eq(m))
            .select((members::work_unit, branches::name))
            .first::<(Option<String>, String)>(conn)
            .optional()?
            .map(|(w, b)| (w, Some(b)))
            .unwrap_or((None, None)),
        None => (None, None),
    };
    let rows: Vec<(String, String, Option<String>, i32)> = service_hours::table
        .filter(service_hours::volunteer_id.eq(volunteer_id))
        .filter(service_hours::served_on.ge(from))
        .filter(service_hours::served_on.le(to))
        .select((
            service_hours::kind,
            service_hours::source,
            service_hours::team_id,
            service_hours::minutes,
        ))
        .load(conn)?;
    let (mut credited, mut make_up) = (0i64, 0i64);
    let mut by_source: BTreeMap<String, i64> = BTreeMap::new();
    let mut by_team: BTreeMap<String, i64> = BTreeMap::new();
    for (kind, source, team, minutes) in rows {
        let m = i64::from(minutes);
        if kind == HourKind::Credited.as_str() {
            credited += m;
        } else {
            make_up += m;
        }
        *by_source.entry(source).or_default() += m;
        if let Some(t) = team {
            *by_team.entry(t).or_default() += m;
        }
    }
    by_source.retain(|_, m| *m != 0);
    let team_ids: Vec<String> = by_team.keys().cloned().collect();
    let names: Vec<(String, String, Option<TeamColour>)> = volunteer_teams::table
        .filter(volunteer_teams::id.eq_any(&team_ids))
        .select((
            volunteer_teams::id,
            volunteer_teams::name,
            volunteer_teams::colour,
        ))
        .load(conn)?;
    let mut teams: Vec<CardTeam> = names
        .into_iter()
        .map(|(id, name, colour)| CardTeam {
            total_minutes: by_team.get(&id).copied().unwrap_or(0),
            team_id: id,
            name,
            colour,
        })
        .filter(|t| t.total_minutes != 0)
        .collect();
    teams.sort_by(|a, b| b.total_minutes.cmp(&a.total_minutes));
    let start = crate::clock::start_of(from);
    let end = crate::clock::start_of(to + chrono::Duration::days(1));
    let acts: Vec<(
        String,
        String,
        String,
        NaiveDateTime,
        SignupStatus,
        Option<ActivityAttendance>,
    )> = activity_signups::table
        .inner_join(activities::table.inner_join(volunteer_teams::table))
        .filter(activity_signups::volunteer_id.eq(volunteer_id))
        .filter(activities::starts_at.ge(start))
        .filter(activities::starts_at.lt(end))
        .filter(activity_signups::status.ne(SignupStatus::Cancelled.as_str()))
        .order(activities::starts_at.desc())
        .limit(500)
        .select((
            activities::id,
            activities::title,
            volunteer_teams::name,
            activities::starts_at,
            activity_signups::status,
            activity_signups::attendance,
        ))
        .load(conn)?;
    let mut activities_out = vec![];
    for (id, title, team_name, starts, status, attendance) in acts {
        let credited_minutes = ledger::net(conn, volunteer_id, &id, HourKind::Credited)?;
        activities_out.push(CardActivity {
            activity_id: id,
            title,
            team_name,
            starts_at: starts.and_utc(),
            status,
            attendance,
            credited_minutes,
        });
    }
    let entries = ledger::entries_of(conn, volunteer_id, from, to, 200)?;
    Ok(ServiceCard {
        volunteer,
        work_unit,
        branch_name,
        from,
        to,
        credited_minutes: credited,
        make_up_minutes: make_up,
        total_minutes: credited + make_up,
        by_source,
        teams,
        activities: activities_out,
        entries,
    })
}

pub const CARD_COLUMNS: [crate::tabular::Column; 5] = [
    ("served_on", "日期"),
    ("source", "来源"),
    ("title", "事项"),
    ("kind", "类别"),
    ("hours", "时长(小时)"),
];

pub fn hours(minutes: i64) -> String {
    format!("{:.1}", minutes as f64 / 60.0)
}

/// The card as a sheet for the work unit: a heading block, then one line per ledger entry.
pub fn card_sheet(c: &ServiceCard, format: crate::tabular::Format) -> Result<Vec<u8>, ApiError> {
    let source = |s: HourSource| match s {
        HourSource::Activity => "志愿活动",
        HourSource::Order => "服务订单",
        HourSource::Wish => "微心愿",
        HourSource::Manual => "补录",
    };
    let mut rows: Vec<Vec<String>> = vec![
        vec![
            "姓名".into(),
            c.volunteer.name.clone(),
            "工作单位".into(),
            c.work_unit.clone().unwrap_or_default(),
            String::new(),
        ],
        vec![
            "所在支部".into(),
            c.branch_name.clone().unwrap_or_default(),
            "期间".into(),
            format!("{} — {}", c.from, c.to),
            String::new(),
        ],
        vec![
            "服务时长".into(),
            hours(c.total_minutes),
            "其中签到".into(),
            hours(c.credited_minutes),
            format!("补录 {}", hours(c.make_up_minutes)),
        ],
    ];
    rows.extend(c.entries.iter().map(|e| {
        vec![
            e.served_on.to_string(),
            source(e.source).into(),
            e.source_title
                .clone()
                .or_else(|| e.note.clone())
                .unwrap_or_default(),
            if e.kind == HourKind::Credited {
                "签到"
            } else {
                "补录"
            }
            .into(),
            hours(e.minutes.into()),
        ]
    }));
    crate::tabular::write(&CARD_COLUMNS, &rows, format)
}
