//! Polls, votes, results and rectifications.
//!
//! Anonymity is by construction: casting a vote adds a ballot row holding only (poll, account) —
//! no time, no choice — and adds one to each rated cadre's tally in the same transaction. No row
//! anywhere links an account to a rating, and results (the tallies) are shown only once the poll
//! has closed, so nobody can watch the tallies move as one person votes.
use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde_json::json;

use super::dto::*;
use super::electorate::{self, may_vote};
use crate::audit;
use crate::auth::Caller;
use crate::db::schema::{poll_ballots, poll_cadres, poll_electors, polls, rectifications, regions};
use crate::db::DbConn;
use crate::error::ErrorCode;
use crate::error::{expect_version, ApiError, ApiResult};
use crate::http::list::Paging;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = polls)]
pub struct Poll {
    pub id: String,
    pub community_id: String,
    pub title: String,
    pub opens_at: NaiveDateTime,
    pub closes_at: NaiveDateTime,
    pub closed_at: Option<NaiveDateTime>,
    pub rectification_days: i32,
    pub ballots: i32,
    pub version: i32,
    pub electorate: Electorate,
    pub electorate_size: Option<i32>,
}

fn now() -> NaiveDateTime {
    Utc::now().naive_utc()
}

pub fn status_at(p: &Poll, at: NaiveDateTime) -> PollStatus {
    if p.closed_at.is_some() || at >= p.closes_at {
        PollStatus::Closed
    } else if at < p.opens_at {
        PollStatus::Upcoming
    } else {
        PollStatus::Open
    }
}

/// The outcome of a satisfaction rate, at its boundaries in whole numbers: exactly 60 % is a
/// warning (not a dismissal), exactly 70 % passes.
pub fn outcome(satisfied: i64, total: i64) -> Outcome {
    if total == 0 {
        Outcome::NoVotes
    } else if satisfied * 10 < total * 6 {
        Outcome::Dismissal
    } else if satisfied * 10 < total * 7 {
        Outcome::Warning
    } else {
        Outcome::Pass
    }
}

fn load(conn: &mut DbConn, id: &str) -> QueryResult<Option<(Poll, String, String)>> {
    polls::table
        .inner_join(regions::table)
        .filter(polls::id.eq(id))
        .select((Poll::as_select(), regions::name, regions::path))
        .first(conn)
        .optional()
}

/// Staff who read the community see its polls; voters, the polls whose electorate they are in.
fn load_visible(conn: &mut DbConn, caller: &Caller, id: &str) -> ApiResult<(Poll, String, String)> {
    match load(conn, id)? {
        Some((p, n, path))
            if caller.regions_readable().contains(&path)
                || electorate::includes(conn, caller, &p)? =>
        {
            Ok((p, n, path))
        }
        _ => Err(ApiError::not_found("poll")),
    }
}

fn view(
    conn: &mut DbConn,
    caller: &Caller,
    p: Poll,
    community_name: String,
    path: &str,
) -> ApiResult<PollView> {
    let cadres: Vec<(String, String, String)> = poll_cadres::table
        .filter(poll_cadres::poll_id.eq(&p.id))
        .order(poll_cadres::sort.asc())
        .select((poll_cadres::id, poll_cadres::name, poll_cadres::position))
        .load(conn)?;
    let voted = poll_ballots::table
        .find((&p.id, &caller.user_id))
        .count()
        .get_result::<i64>(conn)?
        > 0;
    let status = status_at(&p, now());
    let electorate_size = electorate::size(conn, &p)?;
    let elector = electorate::includes(conn, caller, &p)?;
    Ok(PollView {
        can_vote: status == PollStatus::Open && !voted && elector,
        electorate: electorate::kind(&p),
        electorate_size,
        turnout: crate::meetings::service::rate(i64::from(p.ballots), electorate_size),
        can_manage: caller.regions_writable().contains(path),
        voted,
        status,
        cadres: cadres
            .into_iter()
            .map(|(id, name, position)| CadreView { id, name, position })
            .collect(),
        id: p.id,
        community_id: p.community_id,
        community_name,
        title: p.title,
        opens_at: p.opens_at.and_utc(),
        closes_at: p.closes_at.and_utc(),
        rectification_days: p.rectification_days,
        ballots: p.ballots,
        version: p.version,
    })
}

pub fn get(conn: &mut DbConn, caller: &Caller, id: &str) -> ApiResult<PollView> {
    let (p, name, path) = load_visible(conn, caller, id)?;
    view(conn, caller, p, name, &path)
}

pub fn create(conn: &mut DbConn, caller: &Caller, input: CreatePoll) -> ApiResult<PollView> {
    caller.require_staff()?;
    crate::db::write(conn, |c| {
        let found: Option<(String, String)> = regions::table
            .find(&input.community_id)
            .select((regions::path, regions::level))
            .first(c)
            .optional()?;
        let path = match found {
            Some((p, l)) if l == "community" && caller.regions_readable().contains(&p) => p,
            _ => {
                return Err(ApiError::field(
                    "community_id",
                    "not_found",
                    "the community does not exist",
                ))
            }
        };
        if !caller.regions_writable().contains(&path) {
            return Err(ApiError::forbidden(
                "polls are set up by the community's or the street's staff",
            ));
        }
        let at = now();
        let opens = input.opens_at.map(|t| t.naive_utc()).unwrap_or(at);
        if input.closes_at.naive_utc() <= at {
            return Err(ApiError::field(
                "closes_at",
                "out_of_range",
                "the poll must close in the future",
            ));
        }
        let id = crate::new_id();
        diesel::insert_into(polls::table)
            .values((
                polls::id.eq(&id),
                polls::community_id.eq(&input.community_id),
                polls::title.eq(input.title.trim()),
                polls::opens_at.eq(opens),
                polls::closes_at.eq(input.closes_at.naive_utc()),
                polls::rectification_days.eq(input.rectification_days.unwrap_or(30)),
                polls::ballots.eq(0),
                polls::electorate.eq(if input.elector_ids.is_some() {
                    super::dto::Electorate::List
                } else {
                    super::dto::Electorate::Community
                }
                .as_str()),
                polls::created_by.eq(&caller.user_id),
                polls::version.eq(1),
                polls::created_at.eq(at),
                polls::updated_at.eq(at),
            ))
            .execute(c)?;
        if let Some(ids) = &input.elector_ids {
            electorate::set_list(c, &id, ids)?;
        }
        for (i, cadre) in input.cadres.iter().enumerate() {
            diesel::insert_into(poll_cadres::table)
                .values((
                    poll_cadres::id.eq(crate::new_id()),
                    poll_cadres::poll_id.eq(&id),
                    poll_cadres::name.eq(cadre.name.trim()),
                    poll_cadres::position.eq(cadre.position.trim()),
                    poll_cadres::sort.eq(i as i32),
                ))
                .execute(c)?;
        }
        audit::record(
            c,
            &caller.actor(),
            "create",
            "poll",
            Some(&id),
            Some(json!({"title": input.title.trim(), "cadres": input.cadres.len()})),
        )?;
        get(c, caller, &id)
    })
}

#[derive(Debug, Clone, Default)]
pub struct PollFilter {
    pub community_id: Option<String>,
    pub status: Option<PollStatus>,
    /// In the title.
    pub q: Option<String>,
}

/// Staff: the polls of the communities they read. Voters: the open polls (of a community).
pub fn list(
    conn: &mut DbConn,
    caller: &Caller,
    f: PollFilter,
    paging: Paging,
) -> ApiResult<(Vec<PollView>, i64)> {
    let at = now();
    let reach = caller.regions_readable();
    let staff = !reach.is_empty();
    let query = || {
        let mut q = polls::table
            .inner_join(regions::table)
            .into_boxed::<crate::db::MultiBackend>();
        if staff {
            q = match &reach {
                crate::auth::policy::Reach::All => q,
                crate::auth::policy::Reach::Within(p) => {
                    q.filter(crate::path_filter!(regions::path, p))
                }
            };
        } else {
            // Voters see what they can vote in now: their community's polls and the lists they are on.
            q = q
                .filter(polls::closed_at.is_null())
                .filter(polls::opens_at.le(at))
                .filter(polls::closes_at.gt(at));
            let listed = poll_electors::table
                .filter(poll_electors::user_id.eq(caller.user_id.clone()))
                .select(poll_electors::poll_id);
            q = match caller.community_id.clone() {
                Some(home) => q.filter(
                    polls::electorate
                        .eq(super::dto::Electorate::Community.as_str())
                        .and(polls::community_id.eq(home))
                        .or(polls::id.eq_any(listed)),
                ),
                None => q.filter(polls::id.eq_any(listed)),
            };
        }
        if let Some(cid) = &f.community_id {
            q = q.filter(polls::community_id.eq(cid.clone()));
        }
        if let Some(text) = &f.q {
            q = q.filter(polls::title.like(crate::http::list::like_pattern(text)));
        }
        match f.status {
            Some(PollStatus::Open) => {
                q = q
                    .filter(polls::closed_at.is_null())
                    .filter(polls::opens_at.le(at))
                    .filter(polls::closes_at.gt(at))
            }
            Some(PollStatus::Upcoming) => {
                q = q
                    .filter(polls::closed_at.is_null())
                    .filter(polls::opens_at.gt(at))
            }
            Some(PollStatus::Closed) => {
                q = q.filter(polls::closed_at.is_not_null().or(polls::closes_at.le(at)))
            }
            None => {}
        }
        q
    };
    if !staff && !may_vote(caller) {
        return Ok((vec![], 0));
    }
    let total: i64 = query().count().get_result(conn)?;
    let rows: Vec<(Poll, String, String)> = query()
        .order((polls::closes_at.desc(), polls::id.desc()))
        .limit(paging.per_page)
        .offset(paging.offset())
        .select((Poll::as_select(), regions::name, regions::path))
        .load(conn)?;
    let mut out = vec![];
    for (p, n, path) in rows {
        out.push(view(conn, caller, p, n, &path)?);
    }
    Ok((out, total))
}

pub fn vote(conn: &mut DbConn, caller: &Caller, id: &str, input: CastVote) -> ApiResult<PollView> {
    if !may_vote(caller) {
        return Err(ApiError::forbidden(
            "residents and party members vote; staff do not",
        ));
    }
    crate::db::write(conn, |c| {
        let (p, name, path) = load_visible(c, caller, id)?;
        if !electorate::includes(c, caller, &p)? {
            return Err(ApiError::not_found("poll"));
        }
        let status = status_at(&p, now());
        if status != PollStatus::Open {
            return Err(ApiError::conflict(
                ErrorCode::PollNotOpen,
                format!("the poll is {status}"),
            ));
        }
        let cadres: Vec<String> = poll_cadres::table
            .filter(poll_cadres::poll_id.eq(id))
            .select(poll_cadres::id)
            .load(c)?;
        let mut rated: Vec<&str> = input.ratings.iter().map(|r| r.cadre_id.as_str()).collect();
        rated.sort();
        let mut want: Vec<&str> = cadres.iter().map(String::as_str).collect();
        want.sort();
        if rated != want {
            return Err(ApiError::field(
                "ratings",
                "incomplete",
                "rate every cadre of the poll exactly once",
            ));
        }
        // The ballot's primary key is the one-vote rule, also under concurrent votes.
        let inserted = diesel::insert_into(poll_ballots::table)
            .values((
                poll_ballots::poll_id.eq(id),
                poll_ballots::voter_id.eq(&caller.user_id),
            ))
            .execute(c);
        match inserted {
            Err(diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::UniqueViolation,
                _,
            )) => {
                return Err(ApiError::conflict(
                    ErrorCode::AlreadyVoted,
                    "each account votes once in a poll",
                ));
            }
            other => {
                other?;
            }
        }
        for r in &input.ratings {
            let q = diesel::update(poll_cadres::table.find(&r.cadre_id));
            match r.rating {
                Rating::Satisfied => q
                    .set(poll_cadres::satisfied.eq(poll_cadres::satisfied + 1))
                    .execute(c)?,
                Rating::BasicallySatisfied => q
                    .set(poll_cadres::basically_satisfied.eq(poll_cadres::basically_satisfied + 1))
                    .execute(c)?,
                Rating::Dissatisfied => q
                    .set(poll_cadres::dissatisfied.eq(poll_cadres::dissatisfied + 1))
                    .execute(c)?,
            };
        }
        diesel::update(polls::table.find(id))
            .set(polls::ballots.eq(polls::ballots + 1))
            .execute(c)?;
        // The audit trail says that the account voted, never how.
        audit::record(c, &caller.actor(), "vote", "poll", Some(id), None)?;
        let (p2, _, _) = load(c, id)?.ok_or_else(|| ApiError::not_found("poll"))?;
        let _ = p;
        view(c, caller, p2, name, &path)
    })
}

/// Closes a poll (at its closing time, or early by staff) and opens a rectification for every
/// warned cadre, due `rectification_days` after the close.
fn close_now(conn: &mut DbConn, p: &Poll, at: NaiveDateTime) -> QueryResult<()> {
    let closed_at = at.min(p.closes_at);
    diesel::update(polls::table.find(&p.id))
        .set((
            polls::closed_at.eq(closed_at),
            polls::version.eq(p.version + 1),
            polls::updated_at.eq(at),
        ))
        .execute(conn)?;
    electorate::freeze(conn, p)?;
    let cadres: Vec<(String, String, i32, i32, i32)> = poll_cadres::table
        .filter(poll_cadres::poll_id.eq(&p.id))
        .select((
            poll_cadres::id,
            poll_cadres::name,
            poll_cadres::satisfied,
            poll_cadres::basically_satisfied,
            poll_cadres::dissatisfied,
        ))
        .load(conn)?;
    let due_on =
        crate::clock::local_date_of(closed_at) + Duration::days(p.rectification_days as i64);
    for (id, name, s, b, d) in cadres {
        let total = (s + b + d) as i64;
        if outcome((s + b) as i64, total) == Outcome::Warning {
            diesel::insert_into(rectifications::table)
                .values((
                    rectifications::id.eq(crate::new_id()),
                    rectifications::poll_id.eq(&p.id),
                    rectifications::cadre_id.eq(&id),
                    rectifications::cadre_name.eq(&name),
                    rectifications::satisfaction_rate.eq(crate::concerns::metrics::rate(
                        (s + b) as i64,
                        total,
                    )
                    .unwrap_or(0.0)),
                    rectifications::due_on.eq(due_on),
                    rectifications::status.eq(RectificationStatus::Open.as_str()),
                    rectifications::version.eq(1),
                    rectifications::created_at.eq(at),
                    rectifications::updated_at.eq(at),
                ))
                .execute(conn)?;
        }
    }
    Ok(())
}

pub fn close(conn: &mut DbConn, caller: &Caller, id: &str) -> ApiResult<PollResults> {
    crate::db::write(conn, |c| {
        let (p, _, path) = load_visible(c, caller, id)?;
        if !caller.regions_writable().contains(&path) {
            return Err(ApiError::forbidden(
                "polls are closed by the community's or the street's staff",
            ));
        }
        if p.closed_at.is_some() {
            return Err(ApiError::conflict(
                ErrorCode::PollClosed,
                "the poll is already closed",
            ));
        }
        close_now(c, &p, now())?;
        audit::record(c, &caller.actor(), "close", "poll", Some(id), None)?;
        results(c, caller, id)
    })
}

/// Closes the polls whose closing time has passed (run every minute with the concern sweep).
pub fn close_due(conn: &mut DbConn, at: NaiveDateTime) -> ApiResult<usize> {
    crate::db::write(conn, |c| {
        let due: Vec<Poll> = polls::table
            .filter(polls::closed_at.is_null())
            .filter(polls::closes_at.le(at))
            .select(Poll::as_select())
            .load(c)?;
        for p in &due {
            close_now(c, p, at)?;
        }
        Ok(due.len())
    })
}

/// The tallies per cadre with rates and outcomes: staff who read the community, after the close.
pub fn results(conn: &mut DbConn, caller: &Caller, id: &str) -> ApiResult<PollResults> {
    let (p, name, path) = load_visible(conn, caller, id)?;
    if !caller.regions_readable().contains(&path) {
        return Err(ApiError::forbidden(
            "results are for the community's and the street's staff",
        ));
    }
    let p = if p.closed_at.is_none() && now() >= p.closes_at {
        // Past its closing time but not yet swept: close it now so the rectifications exist.
        crate::db::write(conn, |c| close_now(c, &p, now()))?;
        load(conn, id)?
            .map(|x| x.0)
            .ok_or_else(|| ApiError::not_found("poll"))?
    } else {
        p
    };
    let Some(closed_at) = p.closed_at else {
        return Err(ApiError::conflict(
            ErrorCode::PollOpen,
            "results are shown once the poll has closed",
        ));
    };
    let rows: Vec<(String, String, String, i32, i32, i32)> = poll_cadres::table
        .filter(poll_cadres::poll_id.eq(id))
        .order(poll_cadres::sort.asc())
        .select((
            poll_cadres::id,
            poll_cadres::name,
            poll_cadres::position,
            poll_cadres::satisfied,
            poll_cadres::basically_satisfied,
            poll_cadres::dissatisfied,
        ))
        .load(conn)?;
    let rects: Vec<(String, String)> = rectifications::table
        .filter(rectifications::poll_id.eq(id))
        .select((rectifications::cadre_id, rectifications::id))
        .load(conn)?;
    let cadres = rows
        .into_iter()
        .map(|(cid, name, position, s, b, d)| {
            let total = s + b + d;
            CadreResult {
                rectification_id: rects.iter().find(|r| r.0 == cid).map(|r| r.1.clone()),
                id: cid,
                name,
                position,
                satisfied: s,
                basically_satisfied: b,
                dissatisfied: d,
                total,
                satisfaction_rate: crate::concerns::metrics::rate((s + b) as i64, total as i64),
                outcome: outcome((s + b) as i64, total as i64),
            }
        })
        .collect();
    let electorate_size = electorate::size(conn, &p)?;
    Ok(PollResults {
        turnout: crate::meetings::service::rate(i64::from(p.ballots), electorate_size),
        electorate_size,
        poll_id: p.id,
        title: p.title,
        community_name: name,
        closed_at: closed_at.and_utc(),
        ballots: p.ballots,
        cadres,
    })
}

// ---------- rectifications ----------

type RectRow = (
    String,
    String,
    String,
    String,
    f64,
    chrono::NaiveDate,
    Option<String>,
    Option<String>,
    RectificationStatus,
    Option<NaiveDateTime>,
    i32,
);

fn rect_view(
    r: RectRow,
    poll_title: String,
    community_id: String,
    community_name: String,
) -> RectificationView {
    let status = r.8;
    RectificationView {
        overdue: status == RectificationStatus::Open && crate::clock::today() > r.5,
        id: r.0,
        poll_id: r.1,
        poll_title,
        community_id,
        community_name,
        cadre_id: r.2,
        cadre_name: r.3,
        satisfaction_rate: r.4,
        due_on: r.5,
        plan: r.6,
        report: r.7,
        status,
        completed_at: r
            .9
            .map(|t: NaiveDateTime| DateTime::<Utc>::from_naive_utc_and_offset(t, Utc)),
        version: r.10,
    }
}

macro_rules! rect_columns {
    () => {
        (
            rectifications::id,
            rectifications::poll_id,
            rectifications::cadre_id,
            rectifications::cadre_name,
            rectifications::satisfaction_rate,
            rectifications::due_on,
            rectifications::plan,
            rectifications::report,
            rectifications::status,
            rectifications::completed_at,
            rectifications::version,
        )
    };
}

pub fn list_rectifications(
    conn: &mut DbConn,
    caller: &Caller,
    community_id: Option<String>,
    status: Option<RectificationStatus>,
    text: Option<String>,
    paging: Paging,
) -> ApiResult<(Vec<RectificationView>, i64)> {
    let reach = caller.regions_readable();
    let query = || {
        let mut q = rectifications::table
            .inner_join(polls::table.inner_join(regions::table))
            .into_boxed::<crate::db::MultiBackend>();
        q = match &reach {
            crate::auth::policy::Reach::All => q,
            crate::auth::policy::Reach::Within(p) => {
                q.filter(crate::path_filter!(regions::path, p))
            }
        };
        if let Some(c) = &community_id {
            q = q.filter(polls::community_id.eq(c.clone()));
        }
        if let Some(s) = status {
            q = q.filter(rectifications::status.eq(s.as_str()));
        }
        if let Some(t) = &text {
            q = q.filter(rectifications::cadre_name.like(crate::http::list::like_pattern(t)));
        }
        q
    };
    let total: i64 = query().count().get_result(conn)?;
    let rows: Vec<(RectRow, String, String, String)> = query()
        .order((rectifications::due_on.asc(), rectifications::id.asc()))
        .limit(paging.per_page)
        .offset(paging.offset())
        .select((
            rect_columns!(),
            polls::title,
            polls::community_id,
            regions::name,
        ))
        .load(conn)?;
    Ok((
        rows.into_iter()
            .map(|(r, t, cid, n)| rect_view(r, t, cid, n))
            .collect(),
        total,
    ))
}

fn get_rectification(
    conn: &mut DbConn,
    caller: &Caller,
    id: &str,
) -> ApiResult<(RectificationView, String)> {
    let row: Option<(RectRow, String, String, String, String)> = rectifications::table
        .inner_join(polls::table.inner_join(regions::table))
        .filter(rectifications::id.eq(id))
        .select((
            rect_columns!(),
            polls::title,
            polls::community_id,
            regions::name,
            regions::path,
        ))
        .first(conn)
        .optional()?;
    match row {
        Some((r, t, cid, n, path)) if caller.regions_readable().contains(&path) => {
            Ok((rect_view(r, t, cid, n), path))
        }
        _ => Err(ApiError::not_found("rectification")),
    }
}

pub fn update_rectification(
    conn: &mut DbConn,
    caller: &Caller,
    id: &str,
    input: UpdateRectification,
    if_match: Option<i32>,
) -> ApiResult<RectificationView> {
    crate::db::write(conn, |c| {
        let (r, path) = get_rectification(c, caller, id)?;
        if !caller.regions_writable().contains(&path) {
            return Err(ApiError::forbidden(
                "rectifications are kept by the community's or the street's staff",
            ));
        }
        expect_version(r.version, if_match, input.version)?;
        if r.status == RectificationStatus::Done {
            return Err(ApiError::conflict(
                ErrorCode::RectificationDone,
                "the rectification is done",
            ));
        }
        let report = input.report.clone().or(r.report.clone());
        let done = input.done.unwrap_or(false);
        if done && report.as_deref().is_none_or(|t| t.trim().is_empty()) {
            return Err(ApiError::field(
                "report",
                "required",
                "say what was done before closing the rectification",
            ));
        }
        let at = now();
        diesel::update(rectifications::table.find(id))
            .set((
                rectifications::plan.eq(input.plan.clone().or(r.plan.clone())),
                rectifications::report.eq(report),
                rectifications::due_on.eq(input.due_on.unwrap_or(r.due_on)),
                rectifications::status.eq(if done {
                    RectificationStatus::Done.as_str()
                } else {
                    RectificationStatus::Open.as_str()
                }),
                rectifications::completed_at.eq(if done { Some(at) } else { None }),
                rectifications::version.eq(r.version + 1),
                rectifications::updated_at.eq(at),
            ))
            .execute(c)?;
        audit::record(
            c,
            &caller.actor(),
            if done { "complete" } else { "update" },
            "rectification",
            Some(id),
            None,
        )?;
        Ok(get_rectification(c, caller, id)?.0)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_at_their_boundaries() {
        assert_eq!(outcome(59, 100), Outcome::Dismissal);
        assert_eq!(
            outcome(60, 100),
            Outcome::Warning,
            "exactly 60 % is a warning, not a dismissal"
        );
        assert_eq!(outcome(69, 100), Outcome::Warning);
        assert_eq!(outcome(70, 100), Outcome::Pass, "exactly 70 % passes");
        assert_eq!(outcome(3, 5), Outcome::Warning);
        assert_eq!(outcome(2, 3), Outcome::Warning, "66.7 %");
        assert_eq!(outcome(7, 12), Outcome::Dismissal, "58.3 %");
        assert_eq!(outcome(0, 0), Outcome::NoVotes);
    }
}
