//! Subscribable calendars (`GET /api/v1/calendars/{secret}.ics`): phone calendars cannot send a
//! bearer token, so a signed-in user creates a secret feed URL for themselves. The feed holds
//! what that user may see: the party birthdays of the members in their reach (yearly events) and
//! the meetings they are expected at, and the volunteer activities they signed up for. Only a hash of the secret is stored; creating a new URL
//! revokes the old one.
use actix_web::{delete, get, post, web, HttpResponse};
use chrono::{Datelike, Duration, Utc};
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::caller::load_caller;
use crate::auth::service::token_hash;
use crate::auth::Caller;
use crate::db::schema::{branches, calendar_feeds, meeting_attendance, meetings, members};
use crate::db::DbConn;
use crate::error::{ApiError, ApiResult, Problem};
use crate::ics::{calendar, Event};
use crate::AppState;

/// Birthdays in one feed at most (a whole city's roster is not a phone calendar).
const MAX_BIRTHDAYS: i64 = 5000;

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"url": "/api/v1/calendars/3f7a…c2.ics"}))]
pub struct CalendarLink {
    /// The feed's path; prefix it with the site's address to subscribe.
    pub url: String,
}

fn new_secret() -> String {
    let mut bytes = [0u8; 32];
    aws_lc_rs::rand::fill(&mut bytes).expect("the system random source");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Create (or replace) the caller's calendar feed URL; any earlier URL stops working.
#[utoipa::path(
    tag = "members",
    operation_id = "calendar_create",
    responses((status = 201, body = CalendarLink)),
    security(("bearer" = []))
)]
#[post("/me/calendar")]
pub async fn create(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, ApiError> {
    let secret = new_secret();
    let hash = token_hash(&secret);
    crate::db::run(&state.pool, move |c| {
        crate::db::write(c, |c| {
            diesel::delete(calendar_feeds::table.find(&caller.user_id)).execute(c)?;
            diesel::insert_into(calendar_feeds::table)
                .values((
                    calendar_feeds::user_id.eq(&caller.user_id),
                    calendar_feeds::token_hash.eq(&hash),
                    calendar_feeds::created_at.eq(Utc::now().naive_utc()),
                ))
                .execute(c)?;
            crate::audit::record(
                c,
                &caller.actor(),
                "create",
                "calendar_feed",
                Some(&caller.user_id),
                None,
            )?;
            Ok(())
        })
    })
    .await?;
    Ok(HttpResponse::Created().json(CalendarLink {
        url: format!("/api/v1/calendars/{secret}.ics"),
    }))
}

/// Revoke the caller's calendar feed URL.
#[utoipa::path(tag = "members", operation_id = "calendar_delete", responses((status = 204, description = "revoked")), security(("bearer" = [])))]
#[delete("/me/calendar")]
pub async fn revoke(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, ApiError> {
    crate::db::run(&state.pool, move |c| {
        diesel::delete(calendar_feeds::table.find(&caller.user_id)).execute(c)?;
        Ok(())
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

fn feed(conn: &mut DbConn, caller: &Caller) -> ApiResult<String> {
    let today = crate::clock::today();
    let mut events = vec![];
    let people: Vec<(String, String, chrono::NaiveDate, String)> =
        crate::members::service::boxed_visible(caller)
            .filter(members::status.eq("active"))
            .order((members::join_md.asc(), members::id.asc()))
            .limit(MAX_BIRTHDAYS)
            .select((
                members::id,
                members::name,
                members::joined_on,
                branches::name,
            ))
            .load(conn)?;
    for (id, name, joined, branch) in people {
        // The series starts with this year's anniversary; the title counts from the joining year.
        let first = crate::members::birthdays::anniversary(joined, today.year());
        events.push(Event {
            uid: format!("party-birthday-{id}@tongxin"),
            summary: format!("{name} 政治生日（{} 年入党）", joined.year()),
            description: Some(branch),
            location: None,
            date: Some(first),
            span: None,
            rrule: Some("FREQ=YEARLY".into()),
        });
    }
    let mine: Option<String> = members::table
        .filter(members::user_id.eq(&caller.user_id))
        .select(members::id)
        .first(conn)
        .optional()?;
    if let Some(me) = mine {
        let rows: Vec<(String, chrono::NaiveDate, String, Option<String>, String)> =
            meeting_attendance::table
                .inner_join(meetings::table.inner_join(branches::table))
                .filter(meeting_attendance::member_id.eq(me))
                .filter(meetings::held_on.ge(today - Duration::days(90)))
                .select((
                    meetings::id,
                    meetings::held_on,
                    meetings::topic,
                    meetings::place,
                    branches::name,
                ))
                .load(conn)?;
        for (id, day, topic, place, branch) in rows {
            events.push(Event {
                uid: format!("meeting-{id}@tongxin"),
                summary: topic,
                description: Some(branch),
                location: place,
                date: Some(day),
                span: None,
                rrule: None,
            });
        }
    }
    // The volunteer activities they hold a place in.
    if let Some(v) = crate::volunteers::teams::my_volunteer_id(conn, caller)? {
        events.extend(crate::volunteers::activities::calendar_events(
            conn,
            None,
            Some(&v),
        )?);
    }
    Ok(calendar(
        &format!("同心 · {}", caller.display_name),
        &events,
    ))
}

/// A calendar feed (iCalendar) for phone calendars; the secret in the URL is the credential.
#[utoipa::path(
    tag = "members",
    operation_id = "calendar_feed",
    params(("file" = String, Path, description = "`<secret>.ics`")),
    responses((status = 200, description = "the feed", content_type = "text/calendar"), (status = 404, body = Problem, content_type = "application/problem+json")),
    security(())
)]
#[get("/calendars/{file}")]
pub async fn feed_ics(
    state: web::Data<AppState>,
    file: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let secret = file
        .into_inner()
        .strip_suffix(".ics")
        .map(str::to_owned)
        .ok_or_else(|| ApiError::not_found("calendar"))?;
    let hash = token_hash(&secret);
    let text = crate::db::run(&state.pool, move |c| {
        let owner: Option<String> = calendar_feeds::table
            .filter(calendar_feeds::token_hash.eq(&hash))
            .select(calendar_feeds::user_id)
            .first(c)
            .optional()?;
        let owner = owner.ok_or_else(|| ApiError::not_found("calendar"))?;
        let caller = load_caller(c, &owner, None).map_err(|_| ApiError::not_found("calendar"))?;
        feed(c, &caller)
    })
    .await?;
    Ok(HttpResponse::Ok()
        .content_type("text/calendar; charset=utf-8")
        .insert_header(("Cache-Control", "private, max-age=300"))
        .body(text))
}

/// Registers this domain's endpoints (in this order: actix tries them in turn).
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(create).service(revoke).service(feed_ics);
}
