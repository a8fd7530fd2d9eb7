//! A team's activities: sign-up with a waiting list, check-in and check-out that produce credited
//! hours, the leader's attendance marks, and closing an activity's hours in bulk.
//!
//! Places are counted on the activity row (`confirmed_count`, `waitlist_count`), updated in the
//! same transaction as the sign-up, and the row is written first, so two sign-ups for the last
//! place are serialised by the database and one of them waits in the list.
use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde_json::json;

use super::checkin;
use super::dto::*;
use super::ledger::{self, Entry};
use super::teams::{ensure_my_volunteer, my_volunteer_id, team_access, Team};
use crate::audit;
use crate::auth::Caller;
use crate::db::schema::{activities, activity_signups, regions, volunteer_teams, volunteers};
use crate::db::DbConn;
use crate::error::ErrorCode;
use crate::error::{expect_version, ApiError, ApiResult};
use crate::http::list::{like_pattern, Paging};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = activities, treat_none_as_default_value = false)]
pub struct Activity {
    pub id: String,
    pub team_id: String,
    pub title: String,
    pub description: Option<String>,
    pub place: String,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub check_in_radius_m: i32,
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
    pub capacity: i32,
    pub confirmed_count: i32,
    pub waitlist_count: i32,
    pub status: ActivityStatus,
    pub code_secret: String,
    pub created_by: String,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = activity_signups, treat_none_as_default_value = false)]
pub struct Signup {
    pub activity_id: String,
    pub volunteer_id: String,
    pub status: SignupStatus,
    pub signed_up_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub checked_in_at: Option<NaiveDateTime>,
    pub checked_out_at: Option<NaiveDateTime>,
    pub check_in_method: Option<String>,
    pub attendance: Option<ActivityAttendance>,
}

fn now() -> NaiveDateTime {
    Utc::now().naive_utc()
}

struct Loaded {
    activity: Activity,
    team: Team,
    region_name: String,
    manage: bool,
    read: bool,
}

fn load(conn: &mut DbConn, caller: &Caller, id: &str) -> ApiResult<Loaded> {
    let a: Activity = activities::table
        .find(id)
        .select(Activity::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::not_found("activity"))?;
    let t = team_access(conn, caller, &a.team_id)?;
    Ok(Loaded {
        activity: a,
        team: t.team,
        region_name: t.region_name,
        manage: t.manage,
        read: t.read,
    })
}

fn require_manage(l: &Loaded) -> ApiResult<()> {
    if l.manage {
        Ok(())
    } else {
        Err(ApiError::forbidden(
            "an activity is kept by its team's leader and its community's staff",
        ))
    }
}

fn status(a: &Activity) -> ActivityStatus {
    a.status
}

fn signup_view(conn: &mut DbConn, s: Signup, name: String) -> QueryResult<SignupView> {
    let position = if s.status == SignupStatus::Waitlisted {
        let ahead: i64 = activity_signups::table
            .filter(activity_signups::activity_id.eq(&s.activity_id))
            .filter(activity_signups::status.eq(SignupStatus::Waitlisted.as_str()))
            .filter(
                activity_signups::signed_up_at.lt(s.signed_up_at).or(
                    activity_signups::signed_up_at
                        .eq(s.signed_up_at)
                        .and(activity_signups::volunteer_id.lt(&s.volunteer_id)),
                ),
            )
            .count()
            .get_result(conn)?;
        Some(ahead + 1)
    } else {
        None
    };
    let credited = ledger::net(conn, &s.volunteer_id, &s.activity_id, HourKind::Credited)?;
    Ok(SignupView {
        status: s.status,
        attendance: s.attendance,
        activity_id: s.activity_id,
        volunteer_id: s.volunteer_id,
        name,
        waitlist_position: position,
        signed_up_at: s.signed_up_at.and_utc(),
        checked_in_at: s.checked_in_at.map(|t| t.and_utc()),
        checked_out_at: s.checked_out_at.map(|t| t.and_utc()),
        check_in_method: s.check_in_method,
        credited_minutes: credited,
    })
}

fn my_signup(
    conn: &mut DbConn,
    caller: &Caller,
    activity_id: &str,
) -> QueryResult<Option<SignupView>> {
    let Some(me) = my_volunteer_id(conn, caller)? else {
        return Ok(None);
    };
    let s: Option<(Signup, String)> = activity_signups::table
        .inner_join(volunteers::table)
        .filter(activity_signups::activity_id.eq(activity_id))
        .filter(activity_signups::volunteer_id.eq(me))
        .select((Signup::as_select(), volunteers::name))
        .first(conn)
        .optional()?;
    s.map(|(s, n)| signup_view(conn, s, n)).transpose()
}

fn view(
    conn: &mut DbConn,
    caller: &Caller,
    a: Activity,
    team: &Team,
    region_name: String,
    manage: bool,
) -> QueryResult<ActivityView> {
    let mine = my_signup(conn, caller, &a.id)?;
    Ok(ActivityView {
        status: status(&a),
        team_name: team.name.clone(),
        team_colour: team.colour,
        region_id: team.region_id.clone(),
        region_name,
        id: a.id,
        team_id: a.team_id,
        title: a.title,
        description: a.description,
        place: a.place,
        latitude: a.latitude,
        longitude: a.longitude,
        check_in_radius_m: a.check_in_radius_m,
        starts_at: a.starts_at.and_utc(),
        ends_at: a.ends_at.and_utc(),
        capacity: a.capacity,
        confirmed: a.confirmed_count,
        waitlisted: a.waitlist_count,
        my_signup: mine,
        can_manage: manage,
        version: a.version,
        created_at: a.created_at.and_utc(),
        updated_at: a.updated_at.and_utc(),
    })
}

pub fn get(conn: &mut DbConn, caller: &Caller, id: &str) -> ApiResult<ActivityView> {
    let l = load(conn, caller, id)?;
    Ok(view(
        conn,
        caller,
        l.activity,
        &l.team,
        l.region_name,
        l.manage,
    )?)
}

#[derive(Debug, Clone, Default)]
pub struct ActivityFilter {
    pub team_id: Option<String>,
    pub region_id: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub status: Option<ActivityStatus>,
    /// Only those the caller signed up for (confirmed or waiting).
    pub mine: bool,
    pub q: Option<String>,
}

/// Activities are calls for volunteers, public to every signed-in user; sign-up lists are not.
pub fn list(
    conn: &mut DbConn,
    caller: &Caller,
    f: ActivityFilter,
    paging: Paging,
) -> ApiResult<(Vec<ActivityView>, i64)> {
    let subtree = match &f.region_id {
        Some(r) => Some(
            regions::table
                .find(r)
                .select(regions::path)
                .first::<String>(conn)
                .optional()?
                .ok_or_else(|| {
                    ApiError::field("region_id", "not_found", "the region does not exist")
                })?,
        ),
        None => None,
    };
    let mine: Option<Vec<String>> = if f.mine {
        Some(match my_volunteer_id(conn, caller)? {
            Some(v) => activity_signups::table
                .filter(activity_signups::volunteer_id.eq(v))
                .filter(activity_signups::status.ne(SignupStatus::Cancelled.as_str()))
                .select(activity_signups::activity_id)
                .load(conn)?,
            None => vec![],
        })
    } else {
        None
    };
    let query = || {
        let mut q = activities::table
            .inner_join(volunteer_teams::table.inner_join(regions::table))
            .into_boxed::<crate::db::MultiBackend>();
        if let Some(t) = &f.team_id {
            q = q.filter(activities::team_id.eq(t.clone()));
        }
        if let Some(p) = &subtree {
            let (lo, hi) = crate::tree::range(p);
            q = q.filter(regions::path.ge(lo)).filter(regions::path.lt(hi));
        }
        if let Some(d) = f.from {
            q = q.filter(activities::ends_at.ge(d.naive_utc()));
        }
        if let Some(d) = f.to {
            q = q.filter(activities::starts_at.lt(d.naive_utc()));
        }
        if let Some(s) = f.status {
            q = q.filter(activities::status.eq(s.as_str()));
        }
        if let Some(ids) = &mine {
            q = q.filter(activities::id.eq_any(ids.clone()));
        }
        if let Some(text) = &f.q {
            q = q.filter(activities::title.like(like_pattern(text)));
        }
        q
    };
    let total: i64 = query().count().get_result(conn)?;
    let rows: Vec<(Activity, Team, String, String)> = query()
        .order((activities::starts_at.asc(), activities::id.asc()))
        .limit(paging.per_page)
        .offset(paging.offset())
        .select((
            Activity::as_select(),
            Team::as_select(),
            regions::name,
            regions::path,
        ))
        .load(conn)?;
    // Rights once per team on the page, not once per activity.
    let mut manages: std::collections::HashMap<String, bool> = Default::default();
    let mut out = vec![];
    for (a, t, rname, _) in rows {
        let manage = match manages.get(&t.id) {
            Some(m) => *m,
            None => {
                let m = team_access(conn, caller, &t.id)?.manage;
                manages.insert(t.id.clone(), m);
                m
            }
        };
        out.push(view(conn, caller, a, &t, rname, manage)?);
    }
    Ok((out, total))
}

pub fn create(
    conn: &mut DbConn,
    caller: &Caller,
    input: CreateActivity,
) -> ApiResult<ActivityView> {
    crate::db::write(conn, |c| {
        let t = team_access(c, caller, &input.team_id)?;
        if !t.manage {
            return Err(if t.read {
                ApiError::forbidden(
                    "activities are created by the team's leader and its community's staff",
                )
            } else {
                ApiError::field("team_id", "not_found", "the team does not exist")
            });
        }
        if t.team.status != TeamStatus::Active {
            return Err(ApiError::conflict(
                ErrorCode::TeamInactive,
                "an inactive team takes no new activities",
            ));
        }
        let at = now();
        let a = Activity {
            id: crate::new_id(),
            team_id: input.team_id.clone(),
            title: input.title.trim().into(),
            description: input
                .description
                .map(|d| d.trim().to_owned())
                .filter(|d| !d.is_empty()),
            place: input.place.trim().into(),
            latitude: input.latitude,
            longitude: input.longitude,
            check_in_radius_m: input.check_in_radius_m.unwrap_or(200),
            starts_at: input.starts_at.naive_utc(),
            ends_at: input.ends_at.naive_utc(),
            capacity: input.capacity,
            confirmed_count: 0,
            waitlist_count: 0,
            status: ActivityStatus::Scheduled,
            code_secret: checkin::new_secret(),
            created_by: caller.user_id.clone(),
            version: 1,
            created_at: at,
            updated_at: at,
        };
        diesel::insert_into(activities::table)
            .values(&a)
            .execute(c)?;
        audit::record(
            c,
            &caller.actor(),
            "create",
            "activity",
            Some(&a.id),
            Some(json!({"title": a.title})),
        )?;
        get(c, caller, &a.id)
    })
}

/// Fills free places from the waiting list, first come first served.
fn promote(conn: &mut DbConn, activity_id: &str) -> QueryResult<()> {
    let a: Activity = activities::table
        .find(activity_id)
        .select(Activity::as_select())
        .first(conn)?;
    let free = i64::from(a.capacity - a.confirmed_count);
    if free <= 0 || a.waitlist_count == 0 {
        return Ok(());
    }
    let next: Vec<String> = activity_signups::table
        .filter(activity_signups::activity_id.eq(activity_id))
        .filter(activity_signups::status.eq(SignupStatus::Waitlisted.as_str()))
        .order((
            activity_signups::signed_up_at.asc(),
            activity_signups::volunteer_id.asc(),
        ))
        .limit(free)
        .select(activity_signups::volunteer_id)
        .load(conn)?;
    let n = next.len() as i32;
    diesel::update(
        activity_signups::table
            .filter(activity_signups::activity_id.eq(activity_id))
            .filter(activity_signups::volunteer_id.eq_any(&next)),
    )
    .set((
        activity_signups::status.eq(SignupStatus::Confirmed.as_str()),
        activity_signups::updated_at.eq(now()),
    ))
    .execute(conn)?;
    diesel::update(activities::table.find(activity_id))
        .set((
            activities::confirmed_count.eq(activities::confirmed_count + n),
            activities::waitlist_count.eq(activities::waitlist_count - n),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn update(
    conn: &mut DbConn,
    caller: &Caller,
    id: &str,
    input: UpdateActivity,
    if_match: Option<i32>,
) -> ApiResult<ActivityView> {
    crate::db::write(conn, |c| {
        let l = load(c, caller, id)?;
        require_manage(&l)?;
        expect_version(l.activity.version, if_match, input.version)?;
        let mut a = l.activity;
        if status(&a) != ActivityStatus::Scheduled {
            return Err(ApiError::invalid_transition(a.status.as_str(), "update"));
        }
        if let Some(t) = input.title {
            a.title = t.trim().into();
        }
        if let Some(d) = input.description {
            a.description = d.map(|d| d.trim().to_owned()).filter(|d| !d.is_empty());
        }
        if let Some(p) = input.place {
            a.place = p.trim().into();
        }
        if let Some(v) = input.latitude {
            a.latitude = v;
        }
        if let Some(v) = input.longitude {
            a.longitude = v;
        }
        if a.latitude.is_some() != a.longitude.is_some() {
            return Err(ApiError::field(
                "latitude",
                "required",
                "latitude and longitude come together",
            ));
        }
        if let Some(r) = input.check_in_radius_m {
            a.check_in_radius_m = r;
        }
        let starts = input
            .starts_at
            .map(|d| d.naive_utc())
            .unwrap_or(a.starts_at);
        let ends = input.ends_at.map(|d| d.naive_utc()).unwrap_or(a.ends_at);
        let mut e = vec![];
        check_times(&mut e, starts.and_utc(), ends.and_utc());
        if !e.is_empty() {
            return Err(ApiError::validation(e));
        }
        (a.starts_at, a.ends_at) = (starts, ends);
        if let Some(cap) = input.capacity {
            if cap < a.confirmed_count {
                return Err(ApiError::field(
                    "capacity",
                    "below_confirmed",
                    format!("{} people already hold a place", a.confirmed_count),
                ));
            }
            a.capacity = cap;
        }
        diesel::update(activities::table.find(id))
            .set((
                activities::title.eq(&a.title),
                activities::description.eq(&a.description),
                activities::place.eq(&a.place),
                activities::latitude.eq(a.latitude),
                activities::longitude.eq(a.longitude),
                activities::check_in_radius_m.eq(a.check_in_radius_m),
                activities::starts_at.eq(a.starts_at),
                activities::ends_at.eq(a.ends_at),
                activities::capacity.eq(a.capacity),
                activities::version.eq(a.version + 1),
                activities::updated_at.eq(now()),
            ))
            .execute(c)?;
        promote(c, id)?;
        audit::record(
            c,
            &caller.actor(),
            "update",
            "activity",
            Some(id),
            Some(json!({"title": a.title, "capacity": a.capacity})),
        )?;
        get(c, caller, id)
    })
}

pub fn cancel(conn: &mut DbConn, caller: &Caller, id: &str) -> ApiResult<ActivityView> {
    crate::db::write(conn, |c| {
        let l = load(c, caller, id)?;
        require_manage(&l)?;
        if status(&l.activity) != ActivityStatus::Scheduled || l.activity.starts_at <= now() {
            let current = if status(&l.activity) == ActivityStatus::Scheduled {
                "started"
            } else {
                l.activity.status.as_str()
            };
            return Err(ApiError::invalid_transition(current, "cancel"));
        }
        diesel::update(activities::table.find(id))
            .set((
                activities::status.eq(ActivityStatus::Cancelled.as_str()),
                activities::version.eq(activities::version + 1),
                activities::updated_at.eq(now()),
            ))
            .execute(c)?;
        audit::record(c, &caller.actor(), "cancel", "activity", Some(id), None)?;
        get(c, caller, id)
    })
}

pub fn sign_up(
    conn: &mut DbConn,
    sealer: &crate::sealed::Sealer,
    caller: &Caller,
    id: &str,
) -> ApiResult<ActivityView> {
    crate::db::write(conn, |c| {
        // Write the activity row first: concurrent sign-ups queue on it.
        diesel::update(activities::table.find(id))
            .set(activities::updated_at.eq(activities::updated_at))
            .execute(c)?;
        let l = load(c, caller, id)?;
        let a = &l.activity;
        if status(a) != ActivityStatus::Scheduled {
            return Err(ApiError::invalid_transition(a.status.as_str(), "sign_up"));
        }
        if a.ends_at <= now() {
            return Err(ApiError::invalid_transition("ended", "sign_up"));
        }
        let me = ensure_my_volunteer(c, sealer, caller, &l.team.region_id)?;
        let existing: Option<Signup> = activity_signups::table
            .find((id, &me))
            .select(Signup::as_select())
            .first(c)
            .optional()?;
        if existing
            .as_ref()
            .is_some_and(|s| s.status != SignupStatus::Cancelled)
        {
            return Err(ApiError::conflict(
                ErrorCode::AlreadySignedUp,
                "you have already signed up",
            ));
        }
        let full = a.confirmed_count >= a.capacity;
        let st = if full {
            SignupStatus::Waitlisted
        } else {
            SignupStatus::Confirmed
        };
        let at = now();
        if existing.is_some() {
            // Signing up again after cancelling goes to the back of the queue.
            diesel::update(activity_signups::table.find((id, &me)))
                .set((
                    activity_signups::status.eq(st.as_str()),
                    activity_signups::signed_up_at.eq(at),
                    activity_signups::updated_at.eq(at),
                ))
                .execute(c)?;
        } else {
            diesel::insert_into(activity_signups::table)
                .values(Signup {
                    activity_id: id.into(),
                    volunteer_id: me.clone(),
                    status: st,
                    signed_up_at: at,
                    updated_at: at,
                    checked_in_at: None,
                    checked_out_at: None,
                    check_in_method: None,
                    attendance: None,
                })
                .execute(c)?;
        }
        let counter = if full {
            diesel::update(activities::table.find(id))
                .set(activities::waitlist_count.eq(activities::waitlist_count + 1))
                .execute(c)
        } else {
            diesel::update(activities::table.find(id))
                .set(activities::confirmed_count.eq(activities::confirmed_count + 1))
                .execute(c)
        };
        counter?;
        audit::record(
            c,
            &caller.actor(),
            "sign_up",
            "activity",
            Some(id),
            Some(json!({"volunteer_id": me, "status": st.as_str()})),
        )?;
        get(c, caller, id)
    })
}

pub fn withdraw(conn: &mut DbConn, caller: &Caller, id: &str) -> ApiResult<ActivityView> {
    crate::db::write(conn, |c| {
        diesel::update(activities::table.find(id))
            .set(activities::updated_at.eq(activities::updated_at))
            .execute(c)?;
        let l = load(c, caller, id)?;
        let me = my_volunteer_id(c, caller)?
            .ok_or_else(|| ApiError::conflict(ErrorCode::NotSignedUp, "you have not signed up"))?;
        let s: Signup = activity_signups::table
            .find((id, &me))
            .select(Signup::as_select())
            .first(c)
            .optional()?
            .ok_or_else(|| ApiError::conflict(ErrorCode::NotSignedUp, "you have not signed up"))?;
        if s.status == SignupStatus::Cancelled {
            return Err(ApiError::conflict(
                ErrorCode::NotSignedUp,
                "you have not signed up",
            ));
        }
        if status(&l.activity) != ActivityStatus::Scheduled {
            return Err(ApiError::invalid_transition(
                l.activity.status.as_str(),
                "withdraw",
            ));
        }
        if l.activity.starts_at <= now() || s.checked_in_at.is_some() {
            return Err(ApiError::invalid_transition(
                if s.checked_in_at.is_some() {
                    "checked_in"
                } else {
                    "started"
                },
                "withdraw",
            ));
        }
        diesel::update(activity_signups::table.find((id, &me)))
            .set((
                activity_signups::status.eq(SignupStatus::Cancelled.as_str()),
                activity_signups::updated_at.eq(now()),
            ))
            .execute(c)?;
        if s.status == SignupStatus::Confirmed {
            diesel::update(activities::table.find(id))
                .set(activities::confirmed_count.eq(activities::confirmed_count - 1))
                .execute(c)?;
            promote(c, id)?;
        } else {
            diesel::update(activities::table.find(id))
                .set(activities::waitlist_count.eq(activities::waitlist_count - 1))
                .execute(c)?;
        }
        audit::record(
            c,
            &caller.actor(),
            "withdraw",
            "activity",
            Some(id),
            Some(json!({"volunteer_id": me})),
        )?;
        get(c, caller, id)
    })
}

pub fn signups(conn: &mut DbConn, caller: &Caller, id: &str) -> ApiResult<Vec<SignupView>> {
    let l = load(conn, caller, id)?;
    if !l.read {
        return Err(ApiError::forbidden(
            "sign-up lists are for the team's keepers",
        ));
    }
    let rows: Vec<(Signup, String)> = activity_signups::table
        .inner_join(volunteers::table)
        .filter(activity_signups::activity_id.eq(id))
        .order((
            activity_signups::signed_up_at.asc(),
            activity_signups::volunteer_id.asc(),
        ))
        .select((Signup::as_select(), volunteers::name))
        .load(conn)?;
    rows.into_iter()
        .map(|(s, n)| signup_view(conn, s, n).map_err(ApiError::from))
        .collect()
}

pub fn code(conn: &mut DbConn, caller: &Caller, id: &str) -> ApiResult<CheckInCode> {
    let l = load(conn, caller, id)?;
    require_manage(&l)?;
    if status(&l.activity) != ActivityStatus::Scheduled {
        return Err(ApiError::invalid_transition(
            l.activity.status.as_str(),
            "show_code",
        ));
    }
    let (code, valid_until) = checkin::current(&l.activity.code_secret, Utc::now());
    Ok(CheckInCode {
        check_in_url: format!("/activities/{id}/check-in?code={code}"),
        code,
        valid_until,
        step_seconds: checkin::STEP_SECONDS,
    })
}

/// Checks the code or the position; returns the method used.
fn verify(a: &Activity, input: &CheckInRequest, at: DateTime<Utc>) -> ApiResult<&'static str> {
    if let Some(code) = &input.code {
        if !checkin::accepts(&a.code_secret, code, at) {
            return Err(ApiError::field(
                "code",
                "code_invalid",
                "the code is wrong or has expired; scan the organiser's current code",
            ));
        }
        return Ok("code");
    }
    let (Some(lat), Some(lng)) = (input.latitude, input.longitude) else {
        return Err(ApiError::field(
            "code",
            "required",
            "check in with the organiser's code or your position",
        ));
    };
    let (Some(vlat), Some(vlng)) = (a.latitude, a.longitude) else {
        return Err(ApiError::field(
            "latitude",
            "no_venue_position",
            "this activity has no venue position; scan the organiser's code",
        ));
    };
    let d = checkin::distance_m(lat, lng, vlat, vlng);
    if d > f64::from(a.check_in_radius_m) {
        return Err(ApiError::field(
            "latitude",
            "too_far",
            format!(
                "you are {:.0} m from the venue; check-in is within {} m",
                d, a.check_in_radius_m
            ),
        ));
    }
    Ok("position")
}

fn own_confirmed(conn: &mut DbConn, caller: &Caller, id: &str) -> ApiResult<Signup> {
    let me = my_volunteer_id(conn, caller)?
        .ok_or_else(|| ApiError::conflict(ErrorCode::NotSignedUp, "sign up before checking in"))?;
    let s: Option<Signup> = activity_signups::table
        .find((id, &me))
        .select(Signup::as_select())
        .first(conn)
        .optional()?;
    match s {
        Some(s) if s.status == SignupStatus::Confirmed => Ok(s),
        Some(s) if s.status == SignupStatus::Waitlisted => Err(ApiError::conflict(
            ErrorCode::NotSignedUp,
            "you are on the waiting list, without a place",
        )),
        _ => Err(ApiError::conflict(
            ErrorCode::NotSignedUp,
            "sign up before checking in",
        )),
    }
}

pub fn check_in(
    conn: &mut DbConn,
    caller: &Caller,
    id: &str,
    input: CheckInRequest,
) -> ApiResult<ActivityView> {
    crate::db::write(conn, |c| {
        let l = load(c, caller, id)?;
        let a = &l.activity;
        if status(a) != ActivityStatus::Scheduled {
            return Err(ApiError::invalid_transition(a.status.as_str(), "check_in"));
        }
        let at = Utc::now();
        if !checkin::check_in_open(a.starts_at, a.ends_at, at.naive_utc()) {
            return Err(ApiError::conflict(
                ErrorCode::OutsideCheckInWindow,
                format!(
                    "check-in opens {} minutes before the start and closes at the end",
                    checkin::OPENS_BEFORE.num_minutes()
                ),
            ));
        }
        let s = own_confirmed(c, caller, id)?;
        if s.checked_in_at.is_some() {
            return Err(ApiError::invalid_transition("checked_in", "check_in"));
        }
        let method = verify(a, &input, at)?;
        diesel::update(activity_signups::table.find((id, &s.volunteer_id)))
            .set((
                activity_signups::checked_in_at.eq(at.naive_utc()),
                activity_signups::check_in_method.eq(method),
                activity_signups::updated_at.eq(at.naive_utc()),
            ))
            .execute(c)?;
        audit::record(
            c,
            &caller.actor(),
            "check_in",
            "activity",
            Some(id),
            Some(json!({"method": method})),
        )?;
        get(c, caller, id)
    })
}

pub fn check_out(
    conn: &mut DbConn,
    caller: &Caller,
    id: &str,
    input: CheckInRequest,
) -> ApiResult<ActivityView> {
    crate::db::write(conn, |c| {
        let l = load(c, caller, id)?;
        let a = l.activity.clone();
        if status(&a) != ActivityStatus::Scheduled {
            return Err(ApiError::invalid_transition(a.status.as_str(), "check_out"));
        }
        let at = Utc::now();
        let s = own_confirmed(c, caller, id)?;
        if s.checked_in_at.is_none() {
            return Err(ApiError::invalid_transition("not_checked_in", "check_out"));
        }
        if s.checked_out_at.is_some() {
            return Err(ApiError::invalid_transition("checked_out", "check_out"));
        }
        if !checkin::check_out_open(a.starts_at, a.ends_at, at.naive_utc()) {
            return Err(ApiError::conflict(
                ErrorCode::OutsideCheckInWindow,
                format!(
                    "check-out is open from the start until {} minutes after the end",
                    checkin::CLOSES_AFTER.num_minutes()
                ),
            ));
        }
        verify(&a, &input, at)?;
        diesel::update(activity_signups::table.find((id, &s.volunteer_id)))
            .set((
                activity_signups::checked_out_at.eq(at.naive_utc()),
                activity_signups::updated_at.eq(at.naive_utc()),
            ))
            .execute(c)?;
        settle(c, &a, &l.team, &s.volunteer_id, false, None)?;
        audit::record(c, &caller.actor(), "check_out", "activity", Some(id), None)?;
        get(c, caller, id)
    })
}

/// The credited minutes a sign-up has earned, or `None` while it cannot be told yet (no
/// check-out and the activity not closed). Present counts from the start (the leader vouches for
/// it), late or unmarked from the check-in, both until the check-out or, at close, the end.
pub fn earned(a: &Activity, s: &Signup, closed: bool) -> Option<i64> {
    if s.status != SignupStatus::Confirmed {
        return Some(0);
    }
    let mark = s.attendance;
    if matches!(
        mark,
        Some(ActivityAttendance::Excused | ActivityAttendance::Absent)
    ) {
        return Some(0);
    }
    let from = match mark {
        Some(ActivityAttendance::Present) => a.starts_at,
        _ => s.checked_in_at.unwrap_or(a.starts_at),
    };
    let to = match (s.checked_out_at, closed) {
        (Some(out), _) => out,
        (None, true) if mark.is_some() || s.checked_in_at.is_some() => a.ends_at,
        (None, true) => return Some(0),
        (None, false) => return None,
    };
    Some(checkin::overlap_minutes(from, to, a.starts_at, a.ends_at))
}

fn settle(
    conn: &mut DbConn,
    a: &Activity,
    team: &Team,
    volunteer_id: &str,
    closed: bool,
    by: Option<&str>,
) -> ApiResult<()> {
    let s: Signup = activity_signups::table
        .find((&a.id, volunteer_id))
        .select(Signup::as_select())
        .first(conn)?;
    let Some(minutes) = earned(a, &s, closed) else {
        return Ok(());
    };
    let template = Entry {
        id: String::new(),
        volunteer_id: volunteer_id.into(),
        team_id: Some(team.id.clone()),
        region_id: team.region_id.clone(),
        source: HourSource::Activity,
        source_id: Some(a.id.clone()),
        kind: HourKind::Credited,
        minutes: 0,
        served_on: crate::clock::local_date_of(a.starts_at),
        reverses_id: None,
        note: None,
        recorded_by: None,
        created_at: now(),
    };
    ledger::settle_credited(conn, &template, minutes, by)
}

pub fn mark(
    conn: &mut DbConn,
    caller: &Caller,
    id: &str,
    input: MarkAttendance,
) -> ApiResult<Vec<SignupView>> {
    crate::db::write(conn, |c| {
        let l = load(c, caller, id)?;
        require_manage(&l)?;
        let a = l.activity.clone();
        if status(&a) != ActivityStatus::Scheduled {
            return Err(ApiError::invalid_transition(
                a.status.as_str(),
                "mark_attendance",
            ));
        }
        if now() < a.starts_at - checkin::OPENS_BEFORE {
            return Err(ApiError::conflict(
                ErrorCode::OutsideCheckInWindow,
                "attendance is marked once check-in opens",
            ));
        }
        for (i, e) in input.entries.iter().enumerate() {
            let s: Option<Signup> = activity_signups::table
                .find((id, &e.volunteer_id))
                .select(Signup::as_select())
                .first(c)
                .optional()?;
            if !s.is_some_and(|s| s.status == SignupStatus::Confirmed) {
                return Err(ApiError::field(
                    &format!("entries[{i}].volunteer_id"),
                    "not_signed_up",
                    "only people holding a place are marked",
                ));
            }
            let leader_check_in = matches!(
                e.attendance,
                ActivityAttendance::Present | ActivityAttendance::Late
            );
            diesel::update(activity_signups::table.find((id, &e.volunteer_id)))
                .set((
                    activity_signups::attendance.eq(e.attendance.as_str()),
                    activity_signups::updated_at.eq(now()),
                ))
                .execute(c)?;
            if leader_check_in {
                diesel::update(
                    activity_signups::table
                        .find((id, &e.volunteer_id))
                        .filter(activity_signups::checked_in_at.is_null()),
                )
                .set(activity_signups::check_in_method.eq("leader"))
                .execute(c)?;
            }
            settle(
                c,
                &a,
                &l.team,
                &e.volunteer_id,
                false,
                Some(&caller.user_id),
            )?;
        }
        audit::record(
            c,
            &caller.actor(),
            "mark_attendance",
            "activity",
            Some(id),
            Some(json!({"entries": input.entries.len()})),
        )?;
        signups(c, caller, id)
    })
}

/// Settles everyone's hours and closes the activity; later changes go through the ledger.
pub fn close(conn: &mut DbConn, caller: &Caller, id: &str) -> ApiResult<ActivityView> {
    crate::db::write(conn, |c| {
        let l = load(c, caller, id)?;
        require_manage(&l)?;
        let a = l.activity.clone();
        if status(&a) != ActivityStatus::Scheduled {
            return Err(ApiError::invalid_transition(a.status.as_str(), "close"));
        }
        if now() < a.ends_at {
            return Err(ApiError::invalid_transition("not_ended", "close"));
        }
        let people: Vec<String> = activity_signups::table
            .filter(activity_signups::activity_id.eq(id))
            .filter(activity_signups::status.eq(SignupStatus::Confirmed.as_str()))
            .select(activity_signups::volunteer_id)
            .load(c)?;
        for v in &people {
            settle(c, &a, &l.team, v, true, Some(&caller.user_id))?;
        }
        diesel::update(activities::table.find(id))
            .set((
                activities::status.eq(ActivityStatus::Closed.as_str()),
                activities::version.eq(activities::version + 1),
                activities::updated_at.eq(now()),
            ))
            .execute(c)?;
        audit::record(
            c,
            &caller.actor(),
            "close",
            "activity",
            Some(id),
            Some(json!({"settled": people.len()})),
        )?;
        get(c, caller, id)
    })
}

/// Events for calendar feeds: a team's activities, or one volunteer's (confirmed) ones, from a
/// month back to half a year ahead.
pub fn calendar_events(
    conn: &mut DbConn,
    team_id: Option<&str>,
    volunteer_id: Option<&str>,
) -> QueryResult<Vec<crate::ics::Event>> {
    let at = now();
    let mut q = activities::table
        .inner_join(volunteer_teams::table)
        .filter(activities::status.ne(ActivityStatus::Cancelled.as_str()))
        .filter(activities::starts_at.ge(at - Duration::days(31)))
        .filter(activities::starts_at.le(at + Duration::days(183)))
        .into_boxed::<crate::db::MultiBackend>();
    if let Some(t) = team_id {
        q = q.filter(activities::team_id.eq(t.to_owned()));
    }
    if let Some(v) = volunteer_id {
        q = q.filter(
            activities::id.eq_any(
                activity_signups::table
                    .filter(activity_signups::volunteer_id.eq(v.to_owned()))
                    .filter(activity_signups::status.eq(SignupStatus::Confirmed.as_str()))
                    .select(activity_signups::activity_id),
            ),
        );
    }
    let rows: Vec<(String, String, String, NaiveDateTime, NaiveDateTime, String)> = q
        .order(activities::starts_at.asc())
        .limit(2000)
        .select((
            activities::id,
            activities::title,
            activities::place,
            activities::starts_at,
            activities::ends_at,
            volunteer_teams::name,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, title, place, s, e, team)| crate::ics::Event {
            uid: format!("activity-{id}@tongxin"),
            summary: title,
            description: Some(team),
            location: Some(place),
            date: None,
            span: Some((s, e)),
            rrule: None,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(h: u32, m: u32) -> NaiveDateTime {
        chrono::NaiveDate::from_ymd_opt(2026, 11, 28)
            .unwrap()
            .and_hms_opt(h, m, 0)
            .unwrap()
    }

    fn activity() -> Activity {
        Activity {
            id: "a".into(),
            team_id: "t".into(),
            title: "x".into(),
            description: None,
            place: "p".into(),
            latitude: None,
            longitude: None,
            check_in_radius_m: 200,
            starts_at: t(9, 0),
            ends_at: t(11, 0),
            capacity: 10,
            confirmed_count: 0,
            waitlist_count: 0,
            status: ActivityStatus::Scheduled,
            code_secret: "s".into(),
            created_by: "u".into(),
            version: 1,
            created_at: t(0, 0),
            updated_at: t(0, 0),
        }
    }

    fn signup(i: Option<NaiveDateTime>, o: Option<NaiveDateTime>, mark: Option<&str>) -> Signup {
        Signup {
            activity_id: "a".into(),
            volunteer_id: "v".into(),
            status: SignupStatus::Confirmed,
            signed_up_at: t(0, 0),
            updated_at: t(0, 0),
            checked_in_at: i,
            checked_out_at: o,
            check_in_method: None,
            attendance: mark.map(|m| ActivityAttendance::parse(m).expect("a known mark")),
        }
    }

    #[test]
    fn hours_follow_check_in_check_out_and_the_leaders_marks() {
        let a = activity();
        // Checked in early and out late: the activity's two hours, no more.
        assert_eq!(
            earned(&a, &signup(Some(t(8, 40)), Some(t(11, 30)), None), false),
            Some(120)
        );
        // In at 9:25, out at 10:50: 85 minutes.
        assert_eq!(
            earned(&a, &signup(Some(t(9, 25)), Some(t(10, 50)), None), false),
            Some(85)
        );
        // Marked late: from the check-in; marked present: the leader vouches from the start.
        assert_eq!(
            earned(
                &a,
                &signup(Some(t(9, 25)), Some(t(10, 50)), Some("late")),
                false
            ),
            Some(85)
        );
        assert_eq!(
            earned(
                &a,
                &signup(Some(t(9, 25)), Some(t(10, 50)), Some("present")),
                false
            ),
            Some(110)
        );
        // Not checked out: nothing until the close, which counts to the end.
        assert_eq!(earned(&a, &signup(Some(t(9, 25)), None, None), false), None);
        assert_eq!(
            earned(&a, &signup(Some(t(9, 25)), None, None), true),
            Some(95)
        );
        assert_eq!(
            earned(&a, &signup(None, None, Some("present")), true),
            Some(120)
        );
        // Never came, or excused or absent: nothing, even with a check-in.
        assert_eq!(earned(&a, &signup(None, None, None), true), Some(0));
        assert_eq!(
            earned(
                &a,
                &signup(Some(t(9, 0)), Some(t(11, 0)), Some("absent")),
                true
            ),
            Some(0)
        );
        assert_eq!(
            earned(&a, &signup(None, None, Some("excused")), true),
            Some(0)
        );
        let mut waiting = signup(Some(t(9, 0)), Some(t(11, 0)), None);
        waiting.status = SignupStatus::Waitlisted;
        assert_eq!(earned(&a, &waiting, true), Some(0));
    }
}
