//! The service-hours ledger. Rows are only ever inserted: a correction reverses a row (a new row
//! with the minutes negated, pointing at it; a unique index lets a row be reversed once) and, if
//! it replaces it, adds a new row. Every sum is therefore a plain sum, and it reconciles after any
//! number of corrections. `service_hours_monthly` is kept in the same transaction as each row.
use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde_json::json;

use super::dto::*;
use super::teams::{my_volunteer_id, team_access};
use crate::audit;
use crate::auth::Caller;
use crate::db::schema::{
    activities, hour_claims, regions, service_hours, service_hours_monthly, volunteer_teams,
    volunteers,
};
use crate::db::DbConn;
use crate::error::ErrorCode;
use crate::error::{ApiError, ApiResult};
use crate::http::list::Paging;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = service_hours, treat_none_as_default_value = false)]
pub struct Entry {
    pub id: String,
    pub volunteer_id: String,
    pub team_id: Option<String>,
    pub region_id: String,
    pub source: HourSource,
    pub source_id: Option<String>,
    pub kind: HourKind,
    pub minutes: i32,
    pub served_on: NaiveDate,
    pub reverses_id: Option<String>,
    pub note: Option<String>,
    pub recorded_by: Option<String>,
    pub created_at: NaiveDateTime,
}

pub fn month_of(d: NaiveDate) -> String {
    format!("{:04}-{:02}", d.year(), d.month())
}

/// Adds to the month's sums; an upsert, written per backend (MultiConnection has none), the same
/// statement on both.
fn add_to_month(
    conn: &mut DbConn,
    region_id: &str,
    month: &str,
    volunteer_id: &str,
    credited: i64,
    make_up: i64,
) -> QueryResult<()> {
    use diesel::upsert::excluded;
    use service_hours_monthly::dsl as m;
    macro_rules! upsert {
        ($c:expr) => {
            diesel::insert_into(m::service_hours_monthly)
                .values((
                    m::region_id.eq(region_id),
                    m::month.eq(month),
                    m::volunteer_id.eq(volunteer_id),
                    m::credited_minutes.eq(credited),
                    m::make_up_minutes.eq(make_up),
                ))
                .on_conflict((m::region_id, m::month, m::volunteer_id))
                .do_update()
                .set((
                    m::credited_minutes.eq(m::credited_minutes + excluded(m::credited_minutes)),
                    m::make_up_minutes.eq(m::make_up_minutes + excluded(m::make_up_minutes)),
                ))
                .execute($c)
        };
    }
    match conn {
        DbConn::Sqlite(c) => upsert!(c)?,
        DbConn::Pg(c) => upsert!(c)?,
    };
    Ok(())
}

/// Writes one ledger row and its share of the monthly sums.
pub fn post(conn: &mut DbConn, e: &Entry) -> QueryResult<()> {
    diesel::insert_into(service_hours::table)
        .values(e)
        .execute(conn)?;
    crate::versions::bump(conn, crate::versions::HOURS)?;
    let minutes = i64::from(e.minutes);
    let (credited, make_up) = if e.kind == HourKind::Credited {
        (minutes, 0)
    } else {
        (0, minutes)
    };
    add_to_month(
        conn,
        &e.region_id,
        &month_of(e.served_on),
        &e.volunteer_id,
        credited,
        make_up,
    )
}

/// A fresh row with everything but the amount taken from `like`.
pub fn entry_like(
    like: &Entry,
    minutes: i32,
    reverses: Option<&str>,
    note: Option<String>,
    recorded_by: Option<&str>,
) -> Entry {
    Entry {
        id: crate::new_id(),
        minutes,
        reverses_id: reverses.map(str::to_owned),
        note,
        recorded_by: recorded_by.map(str::to_owned),
        created_at: Utc::now().naive_utc(),
        ..like.clone()
    }
}

fn unique_reversal(e: diesel::result::Error) -> ApiError {
    match e {
        diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        ) => ApiError::conflict(
            ErrorCode::EntryReversed,
            "the entry has already been reversed",
        ),
        other => other.into(),
    }
}

/// Reverses a live row (not a reversal, not reversed yet).
pub fn reverse(
    conn: &mut DbConn,
    e: &Entry,
    note: Option<String>,
    recorded_by: Option<&str>,
) -> ApiResult<Entry> {
    if e.reverses_id.is_some() {
        return Err(ApiError::conflict(
            ErrorCode::EntryIsReversal,
            "a reversing entry is not corrected itself; correct the entry it replaced",
        ));
    }
    let r = entry_like(e, -e.minutes, Some(&e.id), note, recorded_by);
    diesel::insert_into(service_hours::table)
        .values(&r)
        .execute(conn)
        .map_err(unique_reversal)?;
    crate::versions::bump(conn, crate::versions::HOURS)?;
    let minutes = i64::from(r.minutes);
    let (credited, make_up) = if r.kind == HourKind::Credited {
        (minutes, 0)
    } else {
        (0, minutes)
    };
    add_to_month(
        conn,
        &r.region_id,
        &month_of(r.served_on),
        &r.volunteer_id,
        credited,
        make_up,
    )?;
    Ok(r)
}

/// The live rows of one kind for one person and source: neither reversals nor reversed.
pub fn live(
    conn: &mut DbConn,
    volunteer_id: &str,
    source_id: &str,
    kind: HourKind,
) -> QueryResult<Vec<Entry>> {
    let rows: Vec<Entry> = service_hours::table
        .filter(service_hours::source_id.eq(source_id))
        .filter(service_hours::volunteer_id.eq(volunteer_id))
        .select(Entry::as_select())
        .load(conn)?;
    let reversed: std::collections::HashSet<&str> = rows
        .iter()
        .filter_map(|r| r.reverses_id.as_deref())
        .collect();
    Ok(rows
        .iter()
        .filter(|r| r.kind == kind && r.reverses_id.is_none() && !reversed.contains(r.id.as_str()))
        .cloned()
        .collect())
}

/// Net minutes of one kind for one person and source (live rows only, which equals the plain sum).
pub fn net(
    conn: &mut DbConn,
    volunteer_id: &str,
    source_id: &str,
    kind: HourKind,
) -> QueryResult<i64> {
    let sum: Option<i64> = service_hours::table
        .filter(service_hours::source_id.eq(source_id))
        .filter(service_hours::volunteer_id.eq(volunteer_id))
        .filter(service_hours::kind.eq(kind.as_str()))
        .select(diesel::dsl::sum(service_hours::minutes))
        .first(conn)?;
    Ok(sum.unwrap_or(0))
}

/// Brings the credited hours of one person at one activity to `minutes`: nothing when they are
/// already that; otherwise the live row is reversed and, unless the new value is 0, replaced.
pub fn settle_credited(
    conn: &mut DbConn,
    template: &Entry,
    minutes: i64,
    recorded_by: Option<&str>,
) -> ApiResult<()> {
    let source_id = template.source_id.as_deref().unwrap_or_default();
    let current = live(conn, &template.volunteer_id, source_id, HourKind::Credited)?;
    let have: i64 = current.iter().map(|e| i64::from(e.minutes)).sum();
    if have == minutes {
        return Ok(());
    }
    for e in &current {
        reverse(conn, e, Some("签到记录变更，重新计算".into()), recorded_by)?;
    }
    if minutes > 0 {
        post(
            conn,
            &entry_like(template, minutes as i32, None, None, recorded_by),
        )?;
    }
    Ok(())
}

// ---------- reading ----------

type EntryRow = (Entry, String, Option<String>);

fn entry_views(conn: &mut DbConn, rows: Vec<EntryRow>) -> QueryResult<Vec<HourEntryView>> {
    let ids: Vec<String> = rows.iter().map(|r| r.0.id.clone()).collect();
    let reversed: std::collections::HashSet<String> = service_hours::table
        .filter(service_hours::reverses_id.eq_any(&ids))
        .select(service_hours::reverses_id.assume_not_null())
        .load::<String>(conn)?
        .into_iter()
        .collect();
    let activity_ids: Vec<String> = rows
        .iter()
        .filter(|r| r.0.source == HourSource::Activity)
        .filter_map(|r| r.0.source_id.clone())
        .collect();
    let titles: HashMap<String, String> = activities::table
        .filter(activities::id.eq_any(&activity_ids))
        .select((activities::id, activities::title))
        .load(conn)?
        .into_iter()
        .collect();
    Ok(rows
        .into_iter()
        .map(|(e, volunteer_name, team_name)| HourEntryView {
            reversed: reversed.contains(&e.id),
            source_title: e.source_id.as_ref().and_then(|s| titles.get(s).cloned()),
            source: e.source,
            kind: e.kind,
            id: e.id,
            volunteer_id: e.volunteer_id,
            volunteer_name,
            team_id: e.team_id,
            team_name,
            region_id: e.region_id,
            source_id: e.source_id,
            minutes: e.minutes,
            served_on: e.served_on,
            reverses_id: e.reverses_id,
            note: e.note,
            recorded_by: e.recorded_by,
            created_at: e.created_at.and_utc(),
        })
        .collect())
}

macro_rules! entry_query {
    () => {
        service_hours::table
            .inner_join(volunteers::table)
            .left_join(
                volunteer_teams::table
                    .on(volunteer_teams::id.nullable().eq(service_hours::team_id)),
            )
            .inner_join(regions::table.on(regions::id.eq(service_hours::region_id)))
            .into_boxed::<crate::db::MultiBackend>()
    };
}

#[derive(Debug, Clone, Default)]
pub struct EntryFilter {
    pub volunteer_id: Option<String>,
    pub team_id: Option<String>,
    pub region_id: Option<String>,
    pub activity_id: Option<String>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

/// The ledger rows the caller may see: their own, their teams' (as keeper), their region's.
pub fn list(
    conn: &mut DbConn,
    caller: &Caller,
    f: EntryFilter,
    paging: Paging,
) -> ApiResult<(Vec<HourEntryView>, i64)> {
    let reach = caller.regions_readable();
    let me = my_volunteer_id(conn, caller)?;
    let mut kept_teams: Option<Vec<String>> = None;
    if let Some(t) = &f.team_id {
        let a = team_access(conn, caller, t)?;
        if !a.read {
            return Err(ApiError::field(
                "team_id",
                "not_found",
                "the team does not exist",
            ));
        }
        kept_teams = Some(vec![t.clone()]);
    }
    let subtree = match &f.region_id {
        Some(r) => {
            let p: Option<String> = regions::table
                .find(r)
                .select(regions::path)
                .first(conn)
                .optional()?;
            Some(p.filter(|p| reach.contains(p)).ok_or_else(|| {
                ApiError::field("region_id", "not_found", "the region does not exist")
            })?)
        }
        None => None,
    };
    let query = || {
        let mut q = entry_query!();
        if kept_teams.is_none() {
            // Without a team the caller keeps: their region's rows, or else only their own.
            q = match (&reach, &me) {
                (crate::auth::policy::Reach::All, _) => q,
                (crate::auth::policy::Reach::Within(p), Some(me)) if p.is_empty() => {
                    q.filter(service_hours::volunteer_id.eq(me.clone()))
                }
                (crate::auth::policy::Reach::Within(p), Some(me)) => q.filter(
                    crate::path_filter!(regions::path, p)
                        .or(service_hours::volunteer_id.eq(me.clone())),
                ),
                (crate::auth::policy::Reach::Within(p), None) => {
                    q.filter(crate::path_filter!(regions::path, p))
                }
            };
        }
        if let Some(ts) = &kept_teams {
            q = q.filter(service_hours::team_id.eq_any(ts.clone()));
        }
        if let Some(p) = &subtree {
            let (lo, hi) = crate::tree::range(p);
            q = q.filter(regions::path.ge(lo)).filter(regions::path.lt(hi));
        }
        if let Some(v) = &f.volunteer_id {
            q = q.filter(service_hours::volunteer_id.eq(v.clone()));
        }
        if let Some(a) = &f.activity_id {
            q = q.filter(service_hours::source_id.eq(a.clone()));
        }
        if let Some(d) = f.from {
            q = q.filter(service_hours::served_on.ge(d));
        }
        if let Some(d) = f.to {
            q = q.filter(service_hours::served_on.le(d));
        }
        q
    };
    let total: i64 = query().count().get_result(conn)?;
    let rows: Vec<EntryRow> = query()
        .order((
            service_hours::served_on.desc(),
            service_hours::created_at.desc(),
            service_hours::id.desc(),
        ))
        .limit(paging.per_page)
        .offset(paging.offset())
        .select((
            Entry::as_select(),
            volunteers::name,
            volunteer_teams::name.nullable(),
        ))
        .load(conn)?;
    Ok((entry_views(conn, rows)?, total))
}

pub fn entries_of(
    conn: &mut DbConn,
    volunteer_id: &str,
    from: NaiveDate,
    to: NaiveDate,
    limit: i64,
) -> QueryResult<Vec<HourEntryView>> {
    let rows: Vec<EntryRow> = entry_query!()
        .filter(service_hours::volunteer_id.eq(volunteer_id))
        .filter(service_hours::served_on.ge(from))
        .filter(service_hours::served_on.le(to))
        .order((
            service_hours::served_on.desc(),
            service_hours::created_at.desc(),
        ))
        .limit(limit)
        .select((
            Entry::as_select(),
            volunteers::name,
            volunteer_teams::name.nullable(),
        ))
        .load(conn)?;
    entry_views(conn, rows)
}

/// Whether the caller may correct or approve hours of a team: its keepers.
fn require_keeper(conn: &mut DbConn, caller: &Caller, team_id: &str) -> ApiResult<()> {
    let a = team_access(conn, caller, team_id)?;
    if !a.manage {
        return Err(if a.read {
            ApiError::forbidden(
                "hours are approved and corrected by the team's leader and its community's staff",
            )
        } else {
            ApiError::not_found("volunteer team")
        });
    }
    Ok(())
}

/// Length of an activity in minutes.
pub fn activity_minutes(
    conn: &mut DbConn,
    activity_id: &str,
) -> QueryResult<Option<(i64, String)>> {
    let a: Option<(NaiveDateTime, NaiveDateTime, String)> = activities::table
        .find(activity_id)
        .select((
            activities::starts_at,
            activities::ends_at,
            activities::team_id,
        ))
        .first(conn)
        .optional()?;
    Ok(a.map(|(s, e, t)| ((e - s).num_minutes(), t)))
}

/// Make-up hours and credited hours together stay within the activity's length.
fn check_make_up_cap(
    conn: &mut DbConn,
    volunteer_id: &str,
    activity_id: &str,
    adding: i64,
) -> ApiResult<()> {
    let (length, _) = activity_minutes(conn, activity_id)?.ok_or_else(|| {
        ApiError::field("activity_id", "not_found", "the activity does not exist")
    })?;
    let credited = net(conn, volunteer_id, activity_id, HourKind::Credited)?;
    let make_up = net(conn, volunteer_id, activity_id, HourKind::MakeUp)?;
    if credited + make_up + adding > length {
        return Err(ApiError::conflict(
            ErrorCode::MakeUpExceedsActivity,
            format!("{} credited and {} make-up minutes already; {} more would pass the activity's {} minutes", credited, make_up, adding, length),
        ));
    }
    Ok(())
}

pub fn correct(
    conn: &mut DbConn,
    caller: &Caller,
    id: &str,
    input: CorrectEntry,
) -> ApiResult<Correction> {
    crate::db::write(conn, |c| {
        let e: Entry = service_hours::table
            .find(id)
            .select(Entry::as_select())
            .first(c)
            .optional()?
            .ok_or_else(|| ApiError::not_found("entry"))?;
        let team = e.team_id.clone().ok_or_else(|| {
            ApiError::forbidden("hours without a team are corrected by the street's staff")
        });
        match team {
            Ok(t) => require_keeper(c, caller, &t)?,
            Err(err) => {
                let path: String = regions::table
                    .find(&e.region_id)
                    .select(regions::path)
                    .first(c)?;
                if !caller.regions_writable().contains(&path) {
                    return Err(err);
                }
            }
        }
        let note = Some(input.note.trim().to_owned());
        let reversal = reverse(c, &e, note.clone(), Some(&caller.user_id))?;
        let mut replacement = None;
        if input.minutes > 0 {
            if e.kind == HourKind::MakeUp {
                if let Some(a) = e
                    .source_id
                    .as_deref()
                    .filter(|_| e.source == HourSource::Activity)
                {
                    check_make_up_cap(c, &e.volunteer_id, a, input.minutes.into())?;
                }
            }
            let r = entry_like(&e, input.minutes, None, note, Some(&caller.user_id));
            post(c, &r)?;
            replacement = Some(r.id);
        }
        audit::record(
            c,
            &caller.actor(),
            "correct",
            "service_hours",
            Some(id),
            Some(json!({"from": e.minutes, "to": input.minutes})),
        )?;
        let mut ids = vec![reversal.id.clone()];
        ids.extend(replacement.clone());
        let rows: Vec<EntryRow> = entry_query!()
            .filter(service_hours::id.eq_any(&ids))
            .select((
                Entry::as_select(),
                volunteers::name,
                volunteer_teams::name.nullable(),
            ))
            .load(c)?;
        let mut views = entry_views(c, rows)?;
        let rev = views
            .iter()
            .position(|v| v.id == reversal.id)
            .map(|i| views.remove(i))
            .ok_or_else(|| ApiError::internal("reversal not found"))?;
        Ok(Correction {
            reversal: rev,
            replacement: views.pop(),
        })
    })
}

// ---------- claims (make-up hours) ----------

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = hour_claims, treat_none_as_default_value = false)]
pub struct Claim {
    pub id: String,
    pub volunteer_id: String,
    pub team_id: String,
    pub activity_id: Option<String>,
    pub minutes: i32,
    pub served_on: NaiveDate,
    pub reason: String,
    pub status: ClaimStatus,
    pub requested_by: String,
    pub requested_at: NaiveDateTime,
    pub decided_by: Option<String>,
    pub decided_at: Option<NaiveDateTime>,
    pub decision_note: Option<String>,
    pub entry_id: Option<String>,
}

type ClaimRow = (Claim, String, String, Option<String>);

fn claim_view((c, volunteer_name, team_name, activity_title): ClaimRow) -> ClaimView {
    ClaimView {
        status: c.status,
        id: c.id,
        volunteer_id: c.volunteer_id,
        volunteer_name,
        team_id: c.team_id,
        team_name,
        activity_id: c.activity_id,
        activity_title,
        minutes: c.minutes,
        served_on: c.served_on,
        reason: c.reason,
        requested_at: c.requested_at.and_utc(),
        decided_at: c.decided_at.map(|d| d.and_utc()),
        decision_note: c.decision_note,
        entry_id: c.entry_id,
    }
}

macro_rules! claim_query {
    () => {
        hour_claims::table
            .inner_join(volunteers::table)
            .inner_join(volunteer_teams::table)
            .left_join(activities::table.on(activities::id.nullable().eq(hour_claims::activity_id)))
            .into_boxed::<crate::db::MultiBackend>()
    };
}

fn load_claim(conn: &mut DbConn, id: &str) -> QueryResult<Option<ClaimRow>> {
    claim_query!()
        .filter(hour_claims::id.eq(id))
        .select((
            Claim::as_select(),
            volunteers::name,
            volunteer_teams::name,
            activities::title.nullable(),
        ))
        .first(conn)
        .optional()
}

pub fn create_claim(
    conn: &mut DbConn,
    caller: &Caller,
    input: CreateClaim,
) -> ApiResult<ClaimView> {
    crate::db::write(conn, |c| {
        let a = team_access(c, caller, &input.team_id)?;
        let me = my_volunteer_id(c, caller)?;
        let volunteer_id = match (&input.volunteer_id, &me) {
            (Some(v), _) if Some(v) != me.as_ref() => {
                if !a.manage {
                    return Err(ApiError::forbidden(
                        "only a team's keepers claim hours for someone else",
                    ));
                }
                v.clone()
            }
            (Some(v), _) => v.clone(),
            (None, Some(m)) => m.clone(),
            (None, None) => {
                return Err(ApiError::field(
                    "volunteer_id",
                    "required",
                    "you have no volunteer record; name the volunteer",
                ))
            }
        };
        let in_team: i64 = crate::db::schema::team_members::table
            .find((&input.team_id, &volunteer_id))
            .count()
            .get_result(c)?;
        if in_team == 0 {
            return Err(ApiError::field(
                "volunteer_id",
                "not_in_team",
                "the volunteer is not in the team",
            ));
        }
        if let Some(act) = &input.activity_id {
            let (_, team) = activity_minutes(c, act)?.ok_or_else(|| {
                ApiError::field("activity_id", "not_found", "the activity does not exist")
            })?;
            if team != input.team_id {
                return Err(ApiError::field(
                    "activity_id",
                    "not_found",
                    "the activity is not the team's",
                ));
            }
            check_make_up_cap(c, &volunteer_id, act, input.minutes.into()).map_err(|_| {
                ApiError::field(
                    "minutes",
                    "exceeds_activity",
                    "with the hours already credited this passes the activity's length",
                )
            })?;
        }
        let claim = Claim {
            id: crate::new_id(),
            volunteer_id,
            team_id: input.team_id.clone(),
            activity_id: input.activity_id.clone(),
            minutes: input.minutes,
            served_on: input.served_on,
            reason: input.reason.trim().into(),
            status: ClaimStatus::Pending,
            requested_by: caller.user_id.clone(),
            requested_at: Utc::now().naive_utc(),
            decided_by: None,
            decided_at: None,
            decision_note: None,
            entry_id: None,
        };
        diesel::insert_into(hour_claims::table)
            .values(&claim)
            .execute(c)?;
        audit::record(
            c,
            &caller.actor(),
            "create",
            "hour_claim",
            Some(&claim.id),
            Some(json!({"minutes": claim.minutes})),
        )?;
        Ok(claim_view(
            load_claim(c, &claim.id)?.ok_or_else(|| ApiError::internal("claim vanished"))?,
        ))
    })
}

#[derive(Debug, Clone, Default)]
pub struct ClaimFilter {
    pub team_id: Option<String>,
    pub status: Option<ClaimStatus>,
    /// Only the caller's own claims.
    pub mine: bool,
}

/// The approval queue: claims of the teams the caller keeps (or their own).
pub fn list_claims(
    conn: &mut DbConn,
    caller: &Caller,
    f: ClaimFilter,
    paging: Paging,
) -> ApiResult<(Vec<ClaimView>, i64)> {
    let me = my_volunteer_id(conn, caller)?;
    let teams: Option<Vec<String>> = if f.mine {
        None
    } else if let Some(t) = &f.team_id {
        require_keeper(conn, caller, t)?;
        Some(vec![t.clone()])
    } else {
        // The teams the caller keeps: those of their communities, and those they lead (a branch
        // secretary names the team with `team_id`).
        let writable = caller.regions_writable();
        let mut q = volunteer_teams::table
            .inner_join(regions::table)
            .select(volunteer_teams::id)
            .into_boxed::<crate::db::MultiBackend>();
        q = match (&writable, &me) {
            (crate::auth::policy::Reach::All, _) => q,
            (crate::auth::policy::Reach::Within(p), Some(me)) => q.filter(
                crate::path_filter!(regions::path, p).or(volunteer_teams::leader_id.eq(me.clone())),
            ),
            (crate::auth::policy::Reach::Within(p), None) => {
                q.filter(crate::path_filter!(regions::path, p))
            }
        };
        Some(q.load::<String>(conn)?)
    };
    let query = || {
        let mut q = claim_query!();
        q = match &teams {
            Some(ts) => q.filter(hour_claims::team_id.eq_any(ts.clone())),
            None => q.filter(hour_claims::volunteer_id.eq(me.clone().unwrap_or_default())),
        };
        if let Some(s) = f.status {
            q = q.filter(hour_claims::status.eq(s.as_str()));
        }
        q
    };
    let total: i64 = query().count().get_result(conn)?;
    let rows: Vec<ClaimRow> = query()
        .order((hour_claims::requested_at.asc(), hour_claims::id.asc()))
        .limit(paging.per_page)
        .offset(paging.offset())
        .select((
            Claim::as_select(),
            volunteers::name,
            volunteer_teams::name,
            activities::title.nullable(),
        ))
        .load(conn)?;
    Ok((rows.into_iter().map(claim_view).collect(), total))
}

pub fn decide_claim(
    conn: &mut DbConn,
    caller: &Caller,
    id: &str,
    approve: bool,
    input: DecideClaim,
) -> ApiResult<ClaimView> {
    crate::db::write(conn, |c| {
        let (claim, _, _, _) = load_claim(c, id)?.ok_or_else(|| ApiError::not_found("claim"))?;
        let a = team_access(c, caller, &claim.team_id)?;
        let own = my_volunteer_id(c, caller)?.as_deref() == Some(claim.volunteer_id.as_str());
        if !a.manage {
            return Err(if a.read || own {
                ApiError::forbidden(
                    "claims are decided by the team's leader and its community's staff",
                )
            } else {
                ApiError::not_found("claim")
            });
        }
        if claim.status != ClaimStatus::Pending {
            return Err(ApiError::invalid_transition(
                claim.status.as_str(),
                if approve { "approve" } else { "reject" },
            ));
        }
        let mut entry_id = None;
        if approve {
            if let Some(act) = &claim.activity_id {
                check_make_up_cap(c, &claim.volunteer_id, act, claim.minutes.into())?;
            }
            let e = Entry {
                id: crate::new_id(),
                volunteer_id: claim.volunteer_id.clone(),
                team_id: Some(claim.team_id.clone()),
                region_id: a.team.region_id.clone(),
                source: if claim.activity_id.is_some() {
                    HourSource::Activity
                } else {
                    HourSource::Manual
                },
                source_id: claim.activity_id.clone().or(Some(claim.id.clone())),
                kind: HourKind::MakeUp,
                minutes: claim.minutes,
                served_on: claim.served_on,
                reverses_id: None,
                note: Some(claim.reason.clone()),
                recorded_by: Some(caller.user_id.clone()),
                created_at: Utc::now().naive_utc(),
            };
            post(c, &e)?;
            entry_id = Some(e.id);
        }
        let status = if approve {
            ClaimStatus::Approved
        } else {
            ClaimStatus::Rejected
        };
        diesel::update(hour_claims::table.find(id))
            .set((
                hour_claims::status.eq(status.as_str()),
                hour_claims::decided_by.eq(&caller.user_id),
                hour_claims::decided_at.eq(Utc::now().naive_utc()),
                hour_claims::decision_note.eq(input.note.as_deref().map(str::trim)),
                hour_claims::entry_id.eq(&entry_id),
            ))
            .execute(c)?;
        audit::record(
            c,
            &caller.actor(),
            status.as_str(),
            "hour_claim",
            Some(id),
            None,
        )?;
        Ok(claim_view(
            load_claim(c, id)?.ok_or_else(|| ApiError::internal("claim vanished"))?,
        ))
    })
}

// ---------- totals and rankings ----------

pub fn months_between(from: NaiveDate, to: NaiveDate) -> (String, String) {
    (month_of(from), month_of(to))
}

fn region_path_in_reach(
    conn: &mut DbConn,
    caller: &Caller,
    region_id: Option<&str>,
) -> ApiResult<(Option<String>, Option<String>)> {
    match region_id {
        Some(r) => {
            let found: Option<(String, String)> = regions::table
                .find(r)
                .select((regions::path, regions::name))
                .first(conn)
                .optional()?;
            let (p, n) = found
                .filter(|(p, _)| caller.regions_readable().contains(p))
                .ok_or_else(|| ApiError::not_found("region"))?;
            Ok((Some(p), Some(n)))
        }
        None => Ok((None, None)),
    }
}

/// Totals by volunteer, team, community or month over whole months; scoped to the caller's regions.
pub fn totals(
    conn: &mut DbConn,
    caller: &Caller,
    group_by: &str,
    region_id: Option<&str>,
    team_id: Option<&str>,
    from: NaiveDate,
    to: NaiveDate,
) -> ApiResult<HourTotals> {
    let reach = caller.regions_readable();
    let (subtree, _) = region_path_in_reach(conn, caller, region_id)?;
    if let Some(t) = team_id {
        let a = team_access(conn, caller, t)?;
        if !a.read {
            return Err(ApiError::not_found("volunteer team"));
        }
    }
    if reach.is_empty() && team_id.is_none() {
        return Err(ApiError::forbidden(
            "totals are for staff; see your own hours on your service card",
        ));
    }
    let mut rows: BTreeMap<String, HourTotal> = BTreeMap::new();
    let mut add = |key: String, name: String, kind: &str, minutes: i64| {
        let r = rows.entry(key.clone()).or_insert(HourTotal {
            key,
            name,
            credited_minutes: 0,
            make_up_minutes: 0,
            total_minutes: 0,
        });
        if kind == HourKind::Credited.as_str() {
            r.credited_minutes += minutes;
        } else {
            r.make_up_minutes += minutes;
        }
        r.total_minutes += minutes;
    };
    if group_by == "team" || team_id.is_some() {
        // Teams and team filters read the ledger itself (indexed by team and day).
        let mut q = service_hours::table
            .inner_join(regions::table.on(regions::id.eq(service_hours::region_id)))
            .inner_join(volunteers::table)
            .left_join(
                volunteer_teams::table
                    .on(volunteer_teams::id.nullable().eq(service_hours::team_id)),
            )
            .filter(service_hours::served_on.ge(from))
            .filter(service_hours::served_on.le(to))
            .into_boxed::<crate::db::MultiBackend>();
        if let Some(t) = team_id {
            q = q.filter(service_hours::team_id.eq(t.to_owned()));
        } else if let crate::auth::policy::Reach::Within(p) = &reach {
            q = q.filter(crate::path_filter!(regions::path, p));
        }
        if let Some(p) = &subtree {
            let (lo, hi) = crate::tree::range(p);
            q = q.filter(regions::path.ge(lo)).filter(regions::path.lt(hi));
        }
        let found: Vec<(
            Option<String>,
            Option<String>,
            String,
            String,
            String,
            String,
            NaiveDate,
            String,
            i32,
        )> = q
            .select((
                service_hours::team_id,
                volunteer_teams::name.nullable(),
                service_hours::volunteer_id,
                volunteers::name,
                service_hours::region_id,
                regions::name,
                service_hours::served_on,
                service_hours::kind,
                service_hours::minutes,
            ))
            .load(conn)?;
        for (tid, tname, vid, vname, rid, rname, day, kind, minutes) in found {
            let (key, name) = match group_by {
                "volunteer" => (vid, vname),
                "region" => (rid, rname),
                "month" => (month_of(day), month_of(day)),
                _ => (
                    tid.unwrap_or_default(),
                    tname.unwrap_or_else(|| "（无服务队）".into()),
                ),
            };
            add(key, name, &kind, minutes.into());
        }
    } else {
        let (m_from, m_to) = months_between(from, to);
        let mut q = service_hours_monthly::table
            .inner_join(regions::table)
            .inner_join(volunteers::table)
            .filter(service_hours_monthly::month.ge(m_from))
            .filter(service_hours_monthly::month.le(m_to))
            .into_boxed::<crate::db::MultiBackend>();
        if let crate::auth::policy::Reach::Within(p) = &reach {
            q = q.filter(crate::path_filter!(regions::path, p));
        }
        if let Some(p) = &subtree {
            let (lo, hi) = crate::tree::range(p);
            q = q.filter(regions::path.ge(lo)).filter(regions::path.lt(hi));
        }
        let found: Vec<(String, String, String, String, String, i64, i64)> = q
            .select((
                service_hours_monthly::volunteer_id,
                volunteers::name,
                service_hours_monthly::region_id,
                regions::name,
                service_hours_monthly::month,
                service_hours_monthly::credited_minutes,
                service_hours_monthly::make_up_minutes,
            ))
            .load(conn)?;
        for (vid, vname, rid, rname, month, credited, make_up) in found {
            let (key, name) = match group_by {
                "region" => (rid, rname),
                "month" => (month.clone(), month),
                _ => (vid, vname),
            };
            add(
                key.clone(),
                name.clone(),
                HourKind::Credited.as_str(),
                credited,
            );
            add(key, name, HourKind::MakeUp.as_str(), make_up);
        }
    }
    let mut rows: Vec<HourTotal> = rows
        .into_values()
        .filter(|r| r.credited_minutes != 0 || r.make_up_minutes != 0)
        .collect();
    if group_by != "month" {
        rows.sort_by(|a, b| {
            b.total_minutes
                .cmp(&a.total_minutes)
                .then_with(|| a.name.cmp(&b.name))
        });
    }
    let (credited_minutes, make_up_minutes) = rows.iter().fold((0, 0), |(c, m), r| {
        (c + r.credited_minutes, m + r.make_up_minutes)
    });
    Ok(HourTotals {
        group_by: group_by.into(),
        from,
        to,
        rows,
        credited_minutes,
        make_up_minutes,
        total_minutes: credited_minutes + make_up_minutes,
    })
}

pub type RankingMemo = crate::memo::Memo<String, Ranking>;

/// Who served most in a region over whole months, from the monthly sums; remembered per ledger
/// version, which every ledger row (and every rename of a volunteer or region) moves.
pub fn ranking(
    conn: &mut DbConn,
    memo: &RankingMemo,
    caller: &Caller,
    region_id: &str,
    from: NaiveDate,
    to: NaiveDate,
    limit: i64,
) -> ApiResult<Ranking> {
    let (Some(path), Some(region_name)) = region_path_in_reach(conn, caller, Some(region_id))?
    else {
        return Err(ApiError::not_found("region"));
    };
    let key = format!(
        "rank|{region_id}|{from}|{to}|{limit}|{}",
        crate::versions::current(conn, crate::versions::HOURS)?
    );
    if let Some(hit) = memo.get(&key) {
        return Ok((*hit).clone());
    }
    let r = compute_ranking(conn, region_id, &path, region_name, from, to, limit)?;
    Ok((*memo.put(key, r)).clone())
}

fn compute_ranking(
    conn: &mut DbConn,
    region_id: &str,
    path: &str,
    region_name: String,
    from: NaiveDate,
    to: NaiveDate,
    limit: i64,
) -> ApiResult<Ranking> {
    let (m_from, m_to) = months_between(from, to);
    let (lo, hi) = crate::tree::range(path);
    let sums: Vec<(String, i64, i64)> = service_hours_monthly::table
        .inner_join(regions::table)
        .filter(regions::path.ge(lo))
        .filter(regions::path.lt(hi))
        .filter(service_hours_monthly::month.ge(m_from))
        .filter(service_hours_monthly::month.le(m_to))
        .select((
            service_hours_monthly::volunteer_id,
            service_hours_monthly::credited_minutes,
            service_hours_monthly::make_up_minutes,
        ))
        .load(conn)?;
    let mut per: HashMap<String, (i64, i64)> = HashMap::new();
    for (v, c, m) in sums {
        let e = per.entry(v).or_default();
        e.0 += c;
        e.1 += m;
    }
    per.retain(|_, (c, m)| *c + *m > 0);
    let volunteers_count = per.len() as i64;
    let total_minutes = per.values().map(|(c, m)| c + m).sum();
    let mut ordered: Vec<(String, i64, i64)> =
        per.into_iter().map(|(v, (c, m))| (v, c, m)).collect();
    ordered.sort_by(|a, b| (b.1 + b.2).cmp(&(a.1 + a.2)).then_with(|| a.0.cmp(&b.0)));
    ordered.truncate(limit as usize);
    let ids: Vec<String> = ordered.iter().map(|r| r.0.clone()).collect();
    let names: HashMap<String, (String, String)> = volunteers::table
        .inner_join(regions::table)
        .filter(volunteers::id.eq_any(&ids))
        .select((volunteers::id, volunteers::name, regions::name))
        .load::<(String, String, String)>(conn)?
        .into_iter()
        .map(|(id, n, r)| (id, (n, r)))
        .collect();
    // Equal totals share a rank (1, 2, 2, 4).
    let mut rows: Vec<RankingRow> = vec![];
    for (i, (v, c, m)) in ordered.into_iter().enumerate() {
        let rank = match rows.last() {
            Some(prev) if prev.total_minutes == c + m => prev.rank,
            _ => i as i64 + 1,
        };
        let (name, rname) = names.get(&v).cloned().unwrap_or_default();
        rows.push(RankingRow {
            rank,
            volunteer_id: v,
            name,
            region_name: rname,
            credited_minutes: c,
            make_up_minutes: m,
            total_minutes: c + m,
        });
    }
    Ok(Ranking {
        region_id: region_id.into(),
        region_name,
        from,
        to,
        volunteers: volunteers_count,
        total_minutes,
        rows,
    })
}
