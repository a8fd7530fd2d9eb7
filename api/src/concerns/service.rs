//! The concern workflow: report → (route) → accept → start → resolve → the reporter's feedback:
//! satisfied closes it, not satisfied reopens it. One state machine ([`next`]); every step is in
//! the timeline and the audit trail.
//!
//! Who does what: a grid worker reports in their grids, a resident or member anywhere, staff in
//! their regions; the handler — the unit's contacts, or for a department the community's staff —
//! accepts, works and resolves; staff re-route; the reporter gives feedback (or the street's
//! staff record it from a call-back, 回访) and may withdraw before work starts.
use chrono::{Duration, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde_json::{json, Value};

use super::dto::*;
use crate::audit;
use crate::auth::{Caller, Role};
use crate::db::schema::{
    concern_events, concern_phones, concern_photos, concern_routes, concerns, grids, households,
    regions, units, visits,
};
use crate::db::DbConn;
use crate::error::ErrorCode;
use crate::error::{ApiError, ApiResult};
use crate::http::list::{like_pattern, Paging};
use crate::phones::{self, PhoneColumn};
use crate::privacy::mask_name;
use crate::sealed::Sealer;

/// The one state machine: the status an action leads to, or `None`.
pub fn next(status: ConcernStatus, action: &str) -> Option<ConcernStatus> {
    use ConcernStatus::*;
    match (status, action) {
        (Reported, "accept") => Some(Accepted),
        (Accepted | Reopened, "start") => Some(InProgress),
        (Accepted | InProgress | Reopened, "resolve") => Some(Resolved),
        (Resolved, "close") => Some(Closed),
        (Resolved, "reopen") => Some(Reopened),
        // A new handler starts from the beginning.
        (Reported | Accepted | InProgress | Reopened, "route") => Some(Reported),
        (Reported | Accepted, "withdraw") => Some(Withdrawn),
        _ => None,
    }
}

pub const ACTIONS: [&str; 7] = [
    "accept", "start", "resolve", "close", "reopen", "route", "withdraw",
];

/// Reopened this many times, a concern goes to the street.
pub const REOPENS_TO_ESCALATE: i32 = 3;
/// Repeats: the same category at the same place within this many days …
pub const REPEAT_DAYS: i64 = 180;
/// … where "the same place" for two points is within this many metres.
pub const REPEAT_METRES: f64 = 50.0;
pub const MAX_PHOTOS: i64 = 9;
pub const MAX_PHOTO_BYTES: usize = 5 * 1024 * 1024;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = concerns, treat_none_as_default_value = false)]
pub struct Concern {
    pub id: String,
    pub community_id: String,
    pub grid_id: Option<String>,
    pub household_id: Option<String>,
    pub visit_id: Option<String>,
    pub lng: Option<f64>,
    pub lat: Option<f64>,
    pub address: Option<String>,
    pub category: ConcernCategory,
    pub urgency: Urgency,
    pub title: String,
    pub description: String,
    pub reporter_id: String,
    pub reporter_name: String,
    /// The contact phone as lists show it; sealed with its blind index in `concern_phones`.
    pub contact_phone_masked: Option<String>,
    pub channel: String,
    pub status: ConcernStatus,
    pub handler_id: Option<String>,
    pub handler_name: String,
    pub accept_due_at: NaiveDateTime,
    pub resolve_due_at: NaiveDateTime,
    pub accepted_at: Option<NaiveDateTime>,
    pub resolved_at: Option<NaiveDateTime>,
    pub resolution: Option<String>,
    pub reopen_count: i32,
    pub feedback_count: i32,
    pub warned_at: Option<NaiveDateTime>,
    pub escalated_at: Option<NaiveDateTime>,
    pub repeat_of_id: Option<String>,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

fn now() -> NaiveDateTime {
    Utc::now().naive_utc()
}

fn status_of(c: &Concern) -> ConcernStatus {
    c.status
}

fn finished(s: ConcernStatus) -> bool {
    matches!(
        s,
        ConcernStatus::Resolved | ConcernStatus::Closed | ConcernStatus::Withdrawn
    )
}

// ---------- rights ----------

pub struct Rights {
    pub reporter: bool,
    /// Acts for the handler: the unit's contacts, or staff of the community for a department.
    pub handler: bool,
    /// Staff of the community or above.
    pub staff: bool,
    /// Staff of the street (or above): supervise, record call-back feedback.
    pub street: bool,
    /// A grid worker of the concern's grid.
    pub worker: bool,
}

pub fn rights(caller: &Caller, c: &Concern, path: &str) -> Rights {
    let staff = caller.regions_writable().contains(path);
    let unit_handler = c
        .handler_id
        .as_ref()
        .is_some_and(|u| caller.unit_ids().contains(u));
    // The community's own path is `…/street/community/`; staff whose reach holds the street's
    // path hold the community's parent.
    let street_path = parent_path(path);
    Rights {
        reporter: c.reporter_id == caller.user_id,
        handler: unit_handler || (c.handler_id.is_none() && staff),
        staff,
        street: street_path.is_some_and(|p| caller.regions_writable().contains(p)),
        worker: c
            .grid_id
            .as_ref()
            .is_some_and(|g| caller.grid_ids().contains(g)),
    }
}

/// The materialized path of a node's parent (`/a/b/` → `/a/`).
fn parent_path(path: &str) -> Option<&str> {
    let trimmed = path.strip_suffix('/')?;
    let cut = trimmed.rfind('/')?;
    Some(&path[..=cut]).filter(|p| !p.is_empty() && *p != "/")
}

pub fn allowed(status: ConcernStatus, r: &Rights) -> Vec<String> {
    ACTIONS
        .iter()
        .filter(|a| next(status, a).is_some())
        .filter(|a| match **a {
            "accept" | "start" | "resolve" => r.handler || r.street,
            "close" | "reopen" => r.reporter || r.street,
            "route" => r.staff,
            "withdraw" => r.reporter,
            _ => false,
        })
        .map(|a| a.to_string())
        .collect()
}

fn visible(caller: &Caller, c: &Concern, path: &str) -> bool {
    let r = rights(caller, c, path);
    r.reporter || r.handler || r.worker || caller.regions_readable().contains(path)
}

// ---------- views ----------

fn load(conn: &mut DbConn, id: &str) -> QueryResult<Option<(Concern, String, String)>> {
    concerns::table
        .inner_join(regions::table)
        .filter(concerns::id.eq(id))
        .select((Concern::as_select(), regions::name, regions::path))
        .first(conn)
        .optional()
}

fn load_visible(
    conn: &mut DbConn,
    caller: &Caller,
    id: &str,
) -> ApiResult<(Concern, String, String)> {
    match load(conn, id)? {
        Some((c, name, path)) if visible(caller, &c, &path) => Ok((c, name, path)),
        _ => Err(ApiError::not_found("concern")),
    }
}

pub fn view(
    conn: &mut DbConn,
    caller: &Caller,
    c: Concern,
    community_name: String,
    path: &str,
    detail: bool,
) -> ApiResult<ConcernView> {
    let r = rights(caller, &c, path);
    let status = status_of(&c);
    let at = now();
    let grid_name: Option<String> = match &c.grid_id {
        Some(g) => grids::table
            .find(g)
            .select(grids::name)
            .first(conn)
            .optional()?,
        None => None,
    };
    let photo_rows: Vec<(String, String, i32, Option<String>)> = concern_photos::table
        .filter(concern_photos::concern_id.eq(&c.id))
        .order((concern_photos::uploaded_at.asc(), concern_photos::id.asc()))
        .select((
            concern_photos::id,
            concern_photos::content_type,
            concern_photos::size,
            concern_photos::url,
        ))
        .load(conn)?;
    let mut photos = vec![];
    let mut media_urls = vec![];
    for (id, content_type, size, url) in photo_rows {
        match url {
            Some(u) => media_urls.push(u),
            None => photos.push(ConcernPhotoView {
                url: format!("/api/v1/concerns/{}/photos/{id}", c.id),
                id,
                content_type,
                size,
            }),
        }
    }
    let (events, repeats) = if detail {
        let rows: Vec<(
            NaiveDateTime,
            Option<String>,
            String,
            Option<ConcernStatus>,
            ConcernStatus,
            Option<String>,
        )> = concern_events::table
            .filter(concern_events::concern_id.eq(&c.id))
            .order((concern_events::at.asc(), concern_events::id.asc()))
            .select((
                concern_events::at,
                concern_events::actor_name,
                concern_events::action,
                concern_events::from_status,
                concern_events::to_status,
                concern_events::note,
            ))
            .load(conn)?;
        let events = rows
            .into_iter()
            .map(
                |(at, actor_name, action, from, to, note)| ConcernEventView {
                    at: at.and_utc(),
                    actor_name,
                    action,
                    from_status: from,
                    to_status: to,
                    note,
                },
            )
            .collect();
        let root = c.repeat_of_id.clone().unwrap_or_else(|| c.id.clone());
        let linked: Vec<(String, String, ConcernStatus, NaiveDateTime)> = concerns::table
            .filter(concerns::repeat_of_id.eq(&root).or(concerns::id.eq(&root)))
            .filter(concerns::id.ne(&c.id))
            .order(concerns::created_at.asc())
            .limit(50)
            .select((
                concerns::id,
                concerns::title,
                concerns::status,
                concerns::created_at,
            ))
            .load(conn)?;
        let repeats = linked
            .into_iter()
            .map(|(id, title, s, at)| ConcernLink {
                id,
                title,
                status: s,
                created_at: at.and_utc(),
            })
            .collect();
        (events, repeats)
    } else {
        (vec![], vec![])
    };
    let clear = r.reporter || r.handler || r.staff || r.worker;
    let category = c.category;
    let window = c.resolve_due_at - c.created_at;
    Ok(ConcernView {
        actions: allowed(status, &r),
        mine: r.reporter,
        can_add_photo: r.reporter || r.handler || r.staff || r.worker,
        accept_overdue: status == ConcernStatus::Reported && at > c.accept_due_at,
        resolve_overdue: !finished(status) && at > c.resolve_due_at,
        due_soon: !finished(status)
            && at <= c.resolve_due_at
            && at >= c.resolve_due_at - window / 5,
        closed_at: (status == ConcernStatus::Closed).then(|| c.updated_at.and_utc()),
        status,
        category,
        category_label: category.label().into(),
        urgency: c.urgency,
        reporter_name: if clear {
            c.reporter_name
        } else {
            mask_name(&c.reporter_name)
        },
        // Masked for everyone here; `read` with `unmask` shows it in clear.
        contact_phone: c.contact_phone_masked,
        handler_type: if c.handler_id.is_some() {
            HandlerType::Unit
        } else {
            HandlerType::Department
        },
        escalated: c.escalated_at.is_some(),
        escalated_at: c.escalated_at.map(|t| t.and_utc()),
        id: c.id,
        community_id: c.community_id,
        community_name,
        grid_id: c.grid_id,
        grid_name,
        household_id: c.household_id.filter(|_| clear),
        visit_id: c.visit_id,
        lng: c.lng,
        lat: c.lat,
        address: c.address,
        title: c.title,
        description: c.description,
        channel: c.channel,
        handler_id: c.handler_id,
        handler_name: c.handler_name,
        accept_due_at: c.accept_due_at.and_utc(),
        resolve_due_at: c.resolve_due_at.and_utc(),
        accepted_at: c.accepted_at.map(|t| t.and_utc()),
        resolved_at: c.resolved_at.map(|t| t.and_utc()),
        resolution: c.resolution,
        reopen_count: c.reopen_count,
        repeat_of_id: c.repeat_of_id,
        repeats,
        photos,
        media_urls,
        events,
        version: c.version,
        created_at: c.created_at.and_utc(),
        updated_at: c.updated_at.and_utc(),
    })
}

pub fn get(conn: &mut DbConn, caller: &Caller, id: &str) -> ApiResult<ConcernView> {
    let (c, name, path) = load_visible(conn, caller, id)?;
    view(conn, caller, c, name, &path, true)
}

/// One concern; `unmask` shows the contact phone to the reporter, the handler and staff (who call
/// back). A read by anyone but the reporter is recorded, naming the reporter's account so that they
/// can see it — except for concerns filed through Open311, whose reporter account is the
/// integration and not the person who called.
pub fn read(
    conn: &mut DbConn,
    sealer: &Sealer,
    caller: &Caller,
    id: &str,
    unmask: bool,
) -> ApiResult<ConcernView> {
    let (c, name, path) = load_visible(conn, caller, id)?;
    if !unmask {
        return view(conn, caller, c, name, &path, true);
    }
    let r = rights(caller, &c, &path);
    if !(r.reporter || r.handler || r.staff) {
        return Err(ApiError::forbidden(
            "only the reporter, the handler and staff see the contact phone",
        ));
    }
    let subject = (c.channel != "open311").then(|| c.reporter_id.clone());
    if subject.as_deref() != Some(caller.user_id.as_str()) {
        audit::record_unmask(
            conn,
            &caller.actor(),
            "concern",
            id,
            subject.as_deref(),
            json!({"fields": ["contact_phone"]}),
        )?;
    }
    let sealed: Option<String> = concern_phones::table
        .find(id)
        .select(concern_phones::contact_phone_sealed)
        .first(conn)?;
    let masked = c.contact_phone_masked.clone();
    let mut v = view(conn, caller, c, name, &path, true)?;
    v.contact_phone = phones::reveal(
        sealer,
        PhoneColumn::ConcernContact,
        id,
        sealed.as_deref(),
        masked.as_deref(),
    );
    Ok(v)
}

fn event(
    conn: &mut DbConn,
    actor: (Option<&str>, Option<&str>),
    concern_id: &str,
    action: &str,
    from: Option<ConcernStatus>,
    to: ConcernStatus,
    note: Option<String>,
    at: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(concern_events::table)
        .values((
            concern_events::id.eq(crate::new_id()),
            concern_events::concern_id.eq(concern_id),
            concern_events::at.eq(at),
            concern_events::actor_id.eq(actor.0),
            concern_events::actor_name.eq(actor.1),
            concern_events::action.eq(action),
            concern_events::from_status.eq(from.map(|s| s.as_str())),
            concern_events::to_status.eq(to.as_str()),
            concern_events::note.eq(note),
        ))
        .execute(conn)?;
    Ok(())
}

// ---------- routing ----------

/// The street a community is in.
fn street_of(conn: &mut DbConn, community_id: &str) -> QueryResult<Option<String>> {
    Ok(regions::table
        .find(community_id)
        .select(regions::parent_id)
        .first::<Option<String>>(conn)
        .optional()?
        .flatten())
}

/// Where a street sends a category: its own route or the default.
pub fn route_for(
    conn: &mut DbConn,
    street_id: Option<&str>,
    category: ConcernCategory,
) -> QueryResult<(Option<String>, String, i32, i32, bool)> {
    if let Some(s) = street_id {
        let own: Option<(Option<String>, String, i32, i32)> = concern_routes::table
            .find((s, category.as_str()))
            .select((
                concern_routes::handler_id,
                concern_routes::handler_name,
                concern_routes::accept_hours,
                concern_routes::resolve_hours,
            ))
            .first(conn)
            .optional()?;
        if let Some((id, name, a, r)) = own {
            return Ok((id, name, a, r, true));
        }
    }
    let (name, a, r) = category.default_route();
    Ok((None, name.into(), a, r, false))
}

fn due(at: NaiveDateTime, hours: i32, urgency: Urgency) -> NaiveDateTime {
    let minutes = hours as i64 * 60;
    at + Duration::minutes(if urgency == Urgency::Urgent {
        (minutes / 2).max(60)
    } else {
        minutes
    })
}

/// A street's routes are read by those who read the street, and by its communities' staff (who route).
fn street_visible(caller: &Caller, path: &str) -> bool {
    match caller.regions_readable() {
        crate::auth::policy::Reach::All => true,
        crate::auth::policy::Reach::Within(prefixes) => prefixes
            .iter()
            .any(|x| x.starts_with(path) || path.starts_with(x.as_str())),
    }
}

pub fn list_routes(
    conn: &mut DbConn,
    caller: &Caller,
    street_id: &str,
) -> ApiResult<ConcernRoutes> {
    let found: Option<(String, String, String)> = regions::table
        .find(street_id)
        .select((regions::name, regions::path, regions::level))
        .first(conn)
        .optional()?;
    let Some((name, path, level)) = found.filter(|f| street_visible(caller, &f.1)) else {
        return Err(ApiError::not_found("street"));
    };
    if level != "street" {
        return Err(ApiError::bad_request(
            ErrorCode::NotAStreet,
            "routes are kept per street",
        ));
    }
    let _ = path;
    let mut routes = vec![];
    for cat in ConcernCategory::ALL {
        let (handler_id, handler_name, accept_hours, resolve_hours, custom) =
            route_for(conn, Some(street_id), *cat)?;
        routes.push(RouteView {
            route: ConcernRoute {
                category: *cat,
                handler_type: if handler_id.is_some() {
                    HandlerType::Unit
                } else {
                    HandlerType::Department
                },
                handler_id,
                handler_name,
                accept_hours,
                resolve_hours,
            },
            category_label: cat.label().into(),
            custom,
        });
    }
    Ok(ConcernRoutes {
        street_id: street_id.into(),
        street_name: name,
        routes,
    })
}

pub fn set_route(
    conn: &mut DbConn,
    caller: &Caller,
    street_id: &str,
    input: ConcernRoute,
) -> ApiResult<ConcernRoutes> {
    crate::db::write(conn, |c| {
        let found: Option<(String, String)> = regions::table
            .find(street_id)
            .select((regions::path, regions::level))
            .first(c)
            .optional()?;
        let Some((path, level)) = found.filter(|f| street_visible(caller, &f.0)) else {
            return Err(ApiError::not_found("street"));
        };
        if level != "street" {
            return Err(ApiError::bad_request(
                ErrorCode::NotAStreet,
                "routes are kept per street",
            ));
        }
        if !caller.regions_writable().contains(&path) {
            return Err(ApiError::forbidden(
                "a street's routes are kept by the street's staff",
            ));
        }
        let handler_name = match (input.handler_type, &input.handler_id) {
            (HandlerType::Unit, Some(u)) => {
                let n: Option<String> = units::table
                    .find(u)
                    .select(units::name)
                    .first(c)
                    .optional()?;
                n.ok_or_else(|| {
                    ApiError::field("handler_id", "not_found", "the unit does not exist")
                })?
            }
            _ => input.handler_name.trim().to_string(),
        };
        let handler_id = if input.handler_type == HandlerType::Unit {
            input.handler_id.clone()
        } else {
            None
        };
        diesel::delete(concern_routes::table.find((street_id, input.category.as_str())))
            .execute(c)?;
        diesel::insert_into(concern_routes::table)
            .values((
                concern_routes::street_id.eq(street_id),
                concern_routes::category.eq(input.category.as_str()),
                concern_routes::handler_type.eq(input.handler_type.as_str()),
                concern_routes::handler_id.eq(&handler_id),
                concern_routes::handler_name.eq(&handler_name),
                concern_routes::accept_hours.eq(input.accept_hours),
                concern_routes::resolve_hours.eq(input.resolve_hours),
                concern_routes::updated_at.eq(now()),
            ))
            .execute(c)?;
        audit::record(
            c,
            &caller.actor(),
            "route",
            "concern_route",
            Some(street_id),
            Some(json!({"category": input.category.as_str(), "handler": handler_name})),
        )?;
        list_routes(c, caller, street_id)
    })
}

// ---------- reporting ----------

struct Place {
    community_id: String,
    community_path: String,
    grid_id: Option<String>,
    household_id: Option<String>,
}

fn community_of(conn: &mut DbConn, id: &str, field: &str) -> ApiResult<String> {
    let found: Option<(String, String)> = regions::table
        .find(id)
        .select((regions::path, regions::level))
        .first(conn)
        .optional()?;
    match found {
        Some((p, level)) if level == "community" => Ok(p),
        _ => Err(ApiError::field(
            field,
            "not_found",
            "the community does not exist",
        )),
    }
}

/// The grid whose boundary holds a point (any grid: a resident reports about places they
/// cannot otherwise read).
pub fn grid_at(conn: &mut DbConn, lng: f64, lat: f64) -> QueryResult<Option<(String, String)>> {
    let candidates: Vec<(String, String, Option<String>)> = grids::table
        .filter(grids::min_lng.le(lng))
        .filter(grids::max_lng.ge(lng))
        .filter(grids::min_lat.le(lat))
        .filter(grids::max_lat.ge(lat))
        .order(grids::id.asc())
        .limit(50)
        .select((grids::id, grids::community_id, grids::boundary))
        .load(conn)?;
    Ok(candidates
        .into_iter()
        .find(|(_, _, b)| {
            b.as_deref()
                .and_then(|b| serde_json::from_str::<Value>(b).ok())
                .and_then(|v| crate::grids::geo::parse(&v).ok())
                .is_some_and(|s| s.contains(lng, lat))
        })
        .map(|(g, c, _)| (g, c)))
}

fn place_of(conn: &mut DbConn, input: &CreateConcern) -> ApiResult<Place> {
    if let Some(h) = &input.household_id {
        let found: Option<(String, String)> = households::table
            .inner_join(grids::table)
            .filter(households::id.eq(h))
            .select((grids::id, grids::community_id))
            .first(conn)
            .optional()?;
        let (grid, community) = found.ok_or_else(|| {
            ApiError::field("household_id", "not_found", "the household does not exist")
        })?;
        let path = community_of(conn, &community, "household_id")?;
        return Ok(Place {
            community_id: community,
            community_path: path,
            grid_id: Some(grid),
            household_id: Some(h.clone()),
        });
    }
    if let Some(g) = &input.grid_id {
        let community: Option<String> = grids::table
            .find(g)
            .select(grids::community_id)
            .first(conn)
            .optional()?;
        let community = community
            .ok_or_else(|| ApiError::field("grid_id", "not_found", "the grid does not exist"))?;
        let path = community_of(conn, &community, "grid_id")?;
        return Ok(Place {
            community_id: community,
            community_path: path,
            grid_id: Some(g.clone()),
            household_id: None,
        });
    }
    if let (Some(lng), Some(lat)) = (input.lng, input.lat) {
        if let Some((grid, community)) = grid_at(conn, lng, lat)? {
            let path = community_of(conn, &community, "lng")?;
            return Ok(Place {
                community_id: community,
                community_path: path,
                grid_id: Some(grid),
                household_id: None,
            });
        }
        if input.community_id.is_none() {
            return Err(ApiError::field(
                "lng",
                "outside_grids",
                "the point is not inside any grid; name the community",
            ));
        }
    }
    let community = input.community_id.clone().unwrap_or_default();
    let path = community_of(conn, &community, "community_id")?;
    Ok(Place {
        community_id: community,
        community_path: path,
        grid_id: None,
        household_id: None,
    })
}

fn normalise(address: &str) -> String {
    address
        .chars()
        .filter(|c| !c.is_whitespace() && !"，,。.-－#号".contains(*c))
        .collect::<String>()
        .to_lowercase()
}

fn metres(a: (f64, f64), b: (f64, f64)) -> f64 {
    let r = 6_371_000.0_f64;
    let (la1, la2) = (a.1.to_radians(), b.1.to_radians());
    let dlat = la2 - la1;
    let dlng = (b.0 - a.0).to_radians();
    let h = (dlat / 2.0).sin().powi(2) + la1.cos() * la2.cos() * (dlng / 2.0).sin().powi(2);
    2.0 * r * h.sqrt().asin()
}

/// The first concern of the same category at the same place in the last [`REPEAT_DAYS`]: the
/// same household, the same point (within [`REPEAT_METRES`]) or the same address.
fn repeat_root(conn: &mut DbConn, c: &Concern) -> QueryResult<Option<String>> {
    let since = c.created_at - Duration::days(REPEAT_DAYS);
    let candidates: Vec<(
        String,
        Option<String>,
        Option<String>,
        Option<f64>,
        Option<f64>,
        Option<String>,
    )> = concerns::table
        .filter(concerns::community_id.eq(&c.community_id))
        .filter(concerns::created_at.ge(since))
        .filter(concerns::category.eq(&c.category))
        .filter(concerns::id.ne(&c.id))
        .order(concerns::created_at.desc())
        .limit(500)
        .select((
            concerns::id,
            concerns::repeat_of_id,
            concerns::household_id,
            concerns::lng,
            concerns::lat,
            concerns::address,
        ))
        .load(conn)?;
    let address = c
        .address
        .as_deref()
        .map(normalise)
        .filter(|a| a.chars().count() >= 4);
    let hit = candidates
        .into_iter()
        .find(|(_, _, household, lng, lat, addr)| {
            let same_household = c.household_id.is_some() && household == &c.household_id;
            let same_point = match (c.lng, c.lat, lng, lat) {
                (Some(a), Some(b), Some(x), Some(y)) => metres((a, b), (*x, *y)) <= REPEAT_METRES,
                _ => false,
            };
            let same_address = address.is_some() && addr.as_deref().map(normalise) == address;
            same_household || same_point || same_address
        });
    Ok(hit.map(|(id, root, ..)| root.unwrap_or(id)))
}

/// How the concern came in, from who reports it.
fn channel_of(caller: &Caller, place: &Place, visit: bool, open311: bool) -> &'static str {
    if open311 {
        "open311"
    } else if visit
        || place
            .grid_id
            .as_ref()
            .is_some_and(|g| caller.grid_ids().contains(g))
    {
        "grid_worker"
    } else if caller.regions_writable().contains(&place.community_path) {
        "staff"
    } else {
        "resident"
    }
}

/// Files a concern. `open311` marks one filed through the GeoReport facade, with the reporter's
/// name and pictures by link as that client gave them.
pub fn create(
    conn: &mut DbConn,
    sealer: &Sealer,
    caller: &Caller,
    input: CreateConcern,
    open311: Option<(String, Vec<String>)>,
) -> ApiResult<ConcernView> {
    crate::db::write(conn, |c| {
        let place = place_of(c, &input)?;
        let grid_worker = place
            .grid_id
            .as_ref()
            .is_some_and(|g| caller.grid_ids().contains(g));
        let may = caller.regions_writable().contains(&place.community_path)
            || grid_worker
            || caller.has_role(Role::Resident)
            || caller.has_role(Role::Member)
            || (caller.has_role(Role::Integration)
                && caller.regions_readable().contains(&place.community_path));
        if !may {
            return Err(ApiError::forbidden("concerns are reported by residents, members, the grid's workers and the community's staff"));
        }
        if let Some(v) = &input.visit_id {
            let grid: Option<String> = visits::table
                .find(v)
                .select(visits::grid_id)
                .first(c)
                .optional()?;
            if grid.is_none() || grid != place.grid_id {
                return Err(ApiError::field(
                    "visit_id",
                    "not_found",
                    "no such visit in this grid",
                ));
            }
        }
        let urgency = input.urgency.unwrap_or(Urgency::Normal);
        let street = street_of(c, &place.community_id)?;
        let (handler_id, handler_name, accept_hours, resolve_hours, _) =
            route_for(c, street.as_deref(), input.category)?;
        let at = now();
        let reporter_name = match &open311 {
            Some((name, _)) if !name.trim().is_empty() => name.trim().to_string(),
            _ => caller.display_name.clone(),
        };
        let mut row = Concern {
            id: crate::new_id(),
            community_id: place.community_id.clone(),
            grid_id: place.grid_id.clone(),
            household_id: place.household_id.clone(),
            visit_id: input.visit_id.clone(),
            lng: input.lng,
            lat: input.lat,
            address: input
                .address
                .as_deref()
                .map(str::trim)
                .filter(|a| !a.is_empty())
                .map(str::to_owned),
            category: input.category,
            urgency: urgency,
            title: input.title.trim().into(),
            description: input.description.trim().into(),
            reporter_id: caller.user_id.clone(),
            reporter_name,
            contact_phone_masked: None,
            channel: channel_of(caller, &place, input.visit_id.is_some(), open311.is_some()).into(),
            status: ConcernStatus::Reported,
            handler_id,
            handler_name,
            accept_due_at: due(at, accept_hours, urgency),
            resolve_due_at: due(at, resolve_hours, urgency),
            accepted_at: None,
            resolved_at: None,
            resolution: None,
            reopen_count: 0,
            feedback_count: 0,
            warned_at: None,
            escalated_at: None,
            repeat_of_id: None,
            version: 1,
            created_at: at,
            updated_at: at,
        };
        row.repeat_of_id = repeat_root(c, &row)?;
        let phone = phones::seal(
            sealer,
            PhoneColumn::ConcernContact,
            &row.id,
            input.contact_phone.as_deref(),
        );
        row.contact_phone_masked = phone.masked;
        diesel::insert_into(concerns::table)
            .values(&row)
            .execute(c)?;
        if phone.sealed.is_some() {
            diesel::update(concern_phones::table.find(&row.id))
                .set((
                    concern_phones::contact_phone_sealed.eq(phone.sealed),
                    concern_phones::contact_phone_index.eq(phone.index),
                ))
                .execute(c)?;
        }
        if let Some((_, urls)) = &open311 {
            for u in urls {
                diesel::insert_into(concern_photos::table)
                    .values((
                        concern_photos::id.eq(crate::new_id()),
                        concern_photos::concern_id.eq(&row.id),
                        concern_photos::content_type.eq("text/uri-list"),
                        concern_photos::size.eq(0),
                        concern_photos::sha256.eq(""),
                        concern_photos::url.eq(u),
                        concern_photos::uploaded_by.eq(&caller.user_id),
                        concern_photos::uploaded_at.eq(at),
                    ))
                    .execute(c)?;
            }
        }
        let note = format!("分派至 {}", row.handler_name);
        event(
            c,
            (Some(&caller.user_id), Some(&caller.display_name)),
            &row.id,
            "report",
            None,
            ConcernStatus::Reported,
            Some(note),
            at,
        )?;
        audit::record(
            c,
            &caller.actor(),
            "create",
            "concern",
            Some(&row.id),
            Some(json!({"category": row.category, "community_id": row.community_id})),
        )?;
        get(c, caller, &row.id)
    })
}

// ---------- transitions ----------

fn act(
    conn: &mut DbConn,
    caller: &Caller,
    id: &str,
    action: &str,
    note: Option<String>,
    change: impl FnOnce(&mut DbConn, &Concern, NaiveDateTime) -> ApiResult<()>,
) -> ApiResult<ConcernView> {
    crate::db::write(conn, |c| {
        // Take the row first: concurrent actions on one concern queue here.
        diesel::update(concerns::table.find(id))
            .set(concerns::updated_at.eq(concerns::updated_at))
            .execute(c)?;
        let (row, _, path) = load_visible(c, caller, id)?;
        let status = status_of(&row);
        let Some(to) = next(status, action) else {
            return Err(ApiError::invalid_transition(status.as_str(), action));
        };
        let r = rights(caller, &row, &path);
        if !allowed(status, &r).iter().any(|a| a == action) {
            return Err(ApiError::forbidden(match action {
                "accept" | "start" | "resolve" => {
                    "only the handler the concern was routed to may do this"
                }
                "close" | "reopen" => {
                    "feedback comes from the reporter (or the street's call-back)"
                }
                "route" => "concerns are routed by the community's staff",
                "withdraw" => "only the reporter may withdraw a concern",
                _ => "you may not do this to the concern",
            }));
        }
        let at = now();
        change(c, &row, at)?;
        diesel::update(concerns::table.find(id))
            .set((
                concerns::status.eq(to.as_str()),
                concerns::version.eq(row.version + 1),
                concerns::updated_at.eq(at),
            ))
            .execute(c)?;
        let note = match (action, r.reporter) {
            ("close" | "reopen", false) => Some(format!("回访记录：{}", note.unwrap_or_default())),
            _ => note,
        };
        event(
            c,
            (Some(&caller.user_id), Some(&caller.display_name)),
            id,
            action,
            Some(status),
            to,
            note,
            at,
        )?;
        audit::record(
            c,
            &caller.actor(),
            action,
            "concern",
            Some(id),
            Some(json!({"from": status.as_str(), "to": to.as_str()})),
        )?;
        if action == "reopen"
            && row.reopen_count + 1 >= REOPENS_TO_ESCALATE
            && row.escalated_at.is_none()
        {
            escalate(c, id, to, "reopened", at)?;
        }
        let (row, name, path) = load(c, id)?.ok_or_else(|| ApiError::not_found("concern"))?;
        view(c, caller, row, name, &path, true)
    })
}

fn escalate(
    conn: &mut DbConn,
    id: &str,
    status: ConcernStatus,
    reason: &str,
    at: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(concerns::table.find(id))
        .set(concerns::escalated_at.eq(at))
        .execute(conn)?;
    let note = match reason {
        "reopened" => format!("第{REOPENS_TO_ESCALATE}次不满意，提交街道督办"),
        _ => "逾期未办结，提交街道督办".to_string(),
    };
    event(
        conn,
        (None, Some("系统")),
        id,
        "escalate",
        Some(status),
        status,
        Some(note),
        at,
    )
}

pub fn accept(
    conn: &mut DbConn,
    caller: &Caller,
    id: &str,
    input: ConcernNote,
) -> ApiResult<ConcernView> {
    act(conn, caller, id, "accept", input.note, |c, row, at| {
        diesel::update(concerns::table.find(&row.id))
            .set(concerns::accepted_at.eq(at))
            .execute(c)?;
        Ok(())
    })
}

pub fn start(
    conn: &mut DbConn,
    caller: &Caller,
    id: &str,
    input: ConcernNote,
) -> ApiResult<ConcernView> {
    act(conn, caller, id, "start", input.note, |_, _, _| Ok(()))
}

pub fn resolve(
    conn: &mut DbConn,
    caller: &Caller,
    id: &str,
    input: ResolveConcern,
) -> ApiResult<ConcernView> {
    let text = input.resolution.trim().to_string();
    act(
        conn,
        caller,
        id,
        "resolve",
        Some(text.clone()),
        |c, row, at| {
            // The first resolution is what the on-time measure counts; the text is the latest.
            diesel::update(concerns::table.find(&row.id))
                .set((
                    concerns::resolved_at.eq(row.resolved_at.unwrap_or(at)),
                    concerns::resolution.eq(&text),
                ))
                .execute(c)?;
            Ok(())
        },
    )
}

pub fn feedback(
    conn: &mut DbConn,
    caller: &Caller,
    id: &str,
    input: ConcernFeedback,
) -> ApiResult<ConcernView> {
    let action = if input.satisfied { "close" } else { "reopen" };
    let satisfied = input.satisfied;
    act(
        conn,
        caller,
        id,
        action,
        input.comment.map(|c| c.trim().to_owned()),
        |c, row, _| {
            diesel::update(concerns::table.find(&row.id))
                .set((
                    concerns::feedback_count.eq(row.feedback_count + 1),
                    concerns::reopen_count.eq(row.reopen_count + if satisfied { 0 } else { 1 }),
                ))
                .execute(c)?;
            Ok(())
        },
    )
}

pub fn route(
    conn: &mut DbConn,
    caller: &Caller,
    id: &str,
    input: RouteConcern,
) -> ApiResult<ConcernView> {
    let note = input.note.clone();
    act(conn, caller, id, "route", note, |c, row, at| {
        let urgency = row.urgency;
        let category = row.category;
        let street = street_of(c, &row.community_id)?;
        let (_, _, default_accept, default_resolve, _) = route_for(c, street.as_deref(), category)?;
        let (handler_id, handler_name) = match input.handler_type {
            HandlerType::Unit => {
                let u = input.handler_id.clone().unwrap_or_default();
                let n: Option<String> = units::table
                    .find(&u)
                    .select(units::name)
                    .first(c)
                    .optional()?;
                (
                    Some(u),
                    n.ok_or_else(|| {
                        ApiError::field("handler_id", "not_found", "the unit does not exist")
                    })?,
                )
            }
            HandlerType::Department => (
                None,
                input
                    .handler_name
                    .clone()
                    .unwrap_or_default()
                    .trim()
                    .to_string(),
            ),
        };
        diesel::update(concerns::table.find(&row.id))
            .set((
                concerns::handler_id.eq(handler_id),
                concerns::handler_name.eq(handler_name),
                concerns::accepted_at.eq(None::<NaiveDateTime>),
                concerns::accept_due_at.eq(due(
                    at,
                    input.accept_within_hours.unwrap_or(default_accept),
                    urgency,
                )),
                concerns::resolve_due_at.eq(due(
                    at,
                    input.resolve_within_hours.unwrap_or(default_resolve),
                    urgency,
                )),
                concerns::warned_at.eq(None::<NaiveDateTime>),
            ))
            .execute(c)?;
        Ok(())
    })
}

pub fn withdraw(
    conn: &mut DbConn,
    caller: &Caller,
    id: &str,
    input: ConcernNote,
) -> ApiResult<ConcernView> {
    act(conn, caller, id, "withdraw", input.note, |_, _, _| Ok(()))
}

// ---------- due times ----------

/// Warns the concerns whose resolution is four-fifths through its window, and escalates to the
/// street those overdue (for acceptance or resolution). Runs every minute on the server; each
/// concern is warned and escalated at most once. Returns (warned, escalated).
pub fn sweep(conn: &mut DbConn, at: NaiveDateTime) -> ApiResult<(usize, usize)> {
    crate::db::write(conn, |c| {
        let open = [
            ConcernStatus::Reported,
            ConcernStatus::Accepted,
            ConcernStatus::InProgress,
            ConcernStatus::Reopened,
        ]
        .map(|s| s.as_str());
        let rows: Vec<(
            String,
            ConcernStatus,
            NaiveDateTime,
            NaiveDateTime,
            NaiveDateTime,
            Option<NaiveDateTime>,
            Option<NaiveDateTime>,
        )> = concerns::table
            .filter(concerns::status.eq_any(open))
            .filter(concerns::escalated_at.is_null())
            .filter(
                concerns::warned_at
                    .is_null()
                    .or(concerns::resolve_due_at.lt(at))
                    .or(concerns::accept_due_at.lt(at)),
            )
            .select((
                concerns::id,
                concerns::status,
                concerns::created_at,
                concerns::accept_due_at,
                concerns::resolve_due_at,
                concerns::accepted_at,
                concerns::warned_at,
            ))
            .load(c)?;
        let (mut warned, mut escalated) = (0, 0);
        for (id, status, created, accept_due, resolve_due, accepted, warned_at) in rows {
            let overdue = at > resolve_due
                || (accepted.is_none() && status == ConcernStatus::Reported && at > accept_due);
            if overdue {
                escalate(c, &id, status, "overdue", at)?;
                escalated += 1;
            } else if warned_at.is_none() && at >= resolve_due - (resolve_due - created) / 5 {
                diesel::update(concerns::table.find(&id))
                    .set(concerns::warned_at.eq(at))
                    .execute(c)?;
                event(
                    c,
                    (None, Some("系统")),
                    &id,
                    "warn",
                    Some(status),
                    status,
                    Some("即将到期，请尽快办结".into()),
                    at,
                )?;
                warned += 1;
            }
        }
        Ok((warned, escalated))
    })
}

// ---------- lists ----------

#[derive(Debug, Clone, Default)]
pub struct ConcernFilter {
    pub region_id: Option<String>,
    pub grid_id: Option<String>,
    pub status: Vec<ConcernStatus>,
    pub category: Option<ConcernCategory>,
    pub escalated: Option<bool>,
    pub overdue: Option<bool>,
    /// Reported by the caller.
    pub mine: bool,
    /// Routed to a unit the caller acts for.
    pub handling: bool,
    pub repeats: Option<bool>,
    pub from: Option<chrono::NaiveDate>,
    pub to: Option<chrono::NaiveDate>,
    pub q: Option<String>,
    /// The blind index of `q` when it is a phone number (see `phones::query_index`).
    pub q_phone_index: Option<String>,
}

pub fn list(
    conn: &mut DbConn,
    caller: &Caller,
    f: ConcernFilter,
    paging: Paging,
) -> ApiResult<(Vec<ConcernView>, i64)> {
    let region_range = match &f.region_id {
        Some(r) => {
            let path: Option<String> = regions::table
                .find(r)
                .select(regions::path)
                .first(conn)
                .optional()?;
            let path = path
                .filter(|p| caller.regions_readable().contains(p))
                .ok_or_else(|| ApiError::not_found("region"))?;
            Some(crate::tree::range(&path))
        }
        None => None,
    };
    let reach = caller.regions_readable();
    let grids_mine = caller.grid_ids();
    let units_mine = caller.unit_ids();
    let at = now();
    let open = [
        ConcernStatus::Reported,
        ConcernStatus::Accepted,
        ConcernStatus::InProgress,
        ConcernStatus::Reopened,
    ]
    .map(|s| s.as_str());
    let query = || {
        let mut q = concerns::table
            .inner_join(regions::table)
            .into_boxed::<crate::db::MultiBackend>();
        // What the caller may see at all.
        if f.mine {
            q = q.filter(concerns::reporter_id.eq(caller.user_id.clone()));
        } else if f.handling {
            q = q.filter(concerns::handler_id.eq_any(units_mine.clone()));
        } else {
            match &reach {
                crate::auth::policy::Reach::All => {}
                crate::auth::policy::Reach::Within(prefixes) => {
                    let mut cond: Box<
                        dyn BoxableExpression<
                            _,
                            crate::db::MultiBackend,
                            SqlType = diesel::sql_types::Bool,
                        >,
                    > = Box::new(
                        concerns::reporter_id
                            .eq(caller.user_id.clone())
                            .or(concerns::grid_id
                                .eq_any(grids_mine.clone())
                                .assume_not_null()),
                    );
                    for p in prefixes {
                        let (lo, hi) = crate::tree::range(p);
                        cond = Box::new(cond.or(regions::path.ge(lo).and(regions::path.lt(hi))));
                    }
                    if !units_mine.is_empty() {
                        cond = Box::new(
                            cond.or(concerns::handler_id
                                .eq_any(units_mine.clone())
                                .assume_not_null()),
                        );
                    }
                    q = q.filter(cond);
                }
            }
        }
        if let Some((lo, hi)) = &region_range {
            q = q
                .filter(regions::path.ge(lo.clone()))
                .filter(regions::path.lt(hi.clone()));
        }
        if let Some(g) = &f.grid_id {
            q = q.filter(concerns::grid_id.eq(g.clone()));
        }
        if !f.status.is_empty() {
            q = q.filter(
                concerns::status.eq_any(f.status.iter().map(|s| s.as_str()).collect::<Vec<_>>()),
            );
        }
        if let Some(cat) = f.category {
            q = q.filter(concerns::category.eq(cat.as_str()));
        }
        match f.escalated {
            Some(true) => q = q.filter(concerns::escalated_at.is_not_null()),
            Some(false) => q = q.filter(concerns::escalated_at.is_null()),
            None => {}
        }
        match f.overdue {
            Some(true) => {
                q = q
                    .filter(concerns::status.eq_any(open))
                    .filter(concerns::resolve_due_at.lt(at))
            }
            Some(false) => {
                q = q.filter(
                    concerns::status
                        .ne_all(open)
                        .or(concerns::resolve_due_at.ge(at)),
                )
            }
            None => {}
        }
        match f.repeats {
            Some(true) => q = q.filter(concerns::repeat_of_id.is_not_null()),
            Some(false) => q = q.filter(concerns::repeat_of_id.is_null()),
            None => {}
        }
        if let Some(d) = f.from {
            q = q.filter(concerns::created_at.ge(crate::clock::start_of(d)));
        }
        if let Some(d) = f.to {
            q = q.filter(concerns::created_at.lt(crate::clock::start_of(d + Duration::days(1))));
        }
        if let Some(text) = &f.q {
            let text_match = concerns::title
                .like(like_pattern(text))
                .or(concerns::address.like(like_pattern(text)));
            q = match &f.q_phone_index {
                // A number: the concerns it was given as the contact phone for (a call-back line
                // finding a caller's concerns), by the blind index.
                Some(index) => q.filter(
                    text_match.or(concerns::id.eq_any(
                        concern_phones::table
                            .filter(concern_phones::contact_phone_index.eq(index.clone()))
                            .select(concern_phones::id),
                    )),
                ),
                None => q.filter(text_match),
            };
        }
        q
    };
    let total: i64 = query().count().get_result(conn)?;
    let rows: Vec<(Concern, String, String)> = query()
        .order((concerns::created_at.desc(), concerns::id.desc()))
        .limit(paging.per_page)
        .offset(paging.offset())
        .select((Concern::as_select(), regions::name, regions::path))
        .load(conn)?;
    let mut out = Vec::with_capacity(rows.len());
    for (row, name, path) in rows {
        out.push(view(conn, caller, row, name, &path, false)?);
    }
    Ok((out, total))
}

// ---------- photos ----------

/// Whether the caller may add a photo now: checked before the upload is read, and again with it.
pub fn may_add_photo(c: &mut DbConn, caller: &Caller, id: &str) -> ApiResult<()> {
    let (row, _, path) = load_visible(c, caller, id)?;
    let r = rights(caller, &row, &path);
    if !(r.reporter || r.handler || r.staff || r.worker) {
        return Err(ApiError::forbidden(
            "photos are added by the reporter, the handler, the grid's workers or staff",
        ));
    }
    let count: i64 = concern_photos::table
        .filter(concern_photos::concern_id.eq(id))
        .filter(concern_photos::url.is_null())
        .count()
        .get_result(c)?;
    if count >= MAX_PHOTOS {
        return Err(ApiError::conflict(
            ErrorCode::TooManyPhotos,
            format!("a concern keeps at most {MAX_PHOTOS} photos"),
        ));
    }
    Ok(())
}

pub fn add_photo(
    conn: &mut DbConn,
    caller: &Caller,
    id: &str,
    filename: String,
    bytes: Vec<u8>,
) -> ApiResult<ConcernView> {
    crate::db::write(conn, |c| {
        may_add_photo(c, caller, id)?;
        let content_type = crate::agreements::service::content_type_of(&filename, &bytes)
            .filter(|t| t.starts_with("image/"))
            .ok_or_else(|| {
                ApiError::new(
                    actix_web::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    ErrorCode::UnsupportedMediaType,
                    "upload a JPEG or PNG photo whose name matches its content",
                )
            })?;
        crate::tabular::guard::check_image(&bytes)?;
        let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, &bytes);
        let sha: String = digest.as_ref().iter().map(|b| format!("{b:02x}")).collect();
        diesel::insert_into(concern_photos::table)
            .values((
                concern_photos::id.eq(crate::new_id()),
                concern_photos::concern_id.eq(id),
                concern_photos::content_type.eq(content_type),
                concern_photos::size.eq(bytes.len() as i32),
                concern_photos::sha256.eq(&sha),
                concern_photos::content.eq(Some(&bytes)),
                concern_photos::uploaded_by.eq(&caller.user_id),
                concern_photos::uploaded_at.eq(now()),
            ))
            .execute(c)?;
        audit::record(
            c,
            &caller.actor(),
            "upload",
            "concern",
            Some(id),
            Some(json!({"sha256": sha})),
        )?;
        get(c, caller, id)
    })
}

pub fn photo(
    conn: &mut DbConn,
    caller: &Caller,
    id: &str,
    photo_id: &str,
) -> ApiResult<(String, Vec<u8>)> {
    load_visible(conn, caller, id)?;
    let found: Option<(String, Option<Vec<u8>>)> = concern_photos::table
        .filter(concern_photos::id.eq(photo_id))
        .filter(concern_photos::concern_id.eq(id))
        .select((concern_photos::content_type, concern_photos::content))
        .first(conn)
        .optional()?;
    match found {
        Some((t, Some(bytes))) => Ok((t, bytes)),
        _ => Err(ApiError::not_found("photo")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_state_machine_closes_only_from_resolved() {
        use ConcernStatus::*;
        assert_eq!(next(Reported, "accept"), Some(Accepted));
        assert_eq!(next(Reported, "resolve"), None, "accept first");
        assert_eq!(next(Resolved, "close"), Some(Closed));
        assert_eq!(next(Resolved, "reopen"), Some(Reopened));
        assert_eq!(next(Reopened, "resolve"), Some(Resolved));
        for s in [Reported, Accepted, InProgress, Reopened, Closed, Withdrawn] {
            assert_eq!(next(s, "close"), None, "{s} cannot close");
        }
        for a in ACTIONS {
            assert_eq!(next(Closed, a), None, "closed is final ({a})");
            assert_eq!(next(Withdrawn, a), None, "withdrawn is final ({a})");
        }
    }

    #[test]
    fn parents_and_distances() {
        assert_eq!(parent_path("/d/s/c/"), Some("/d/s/"));
        assert_eq!(parent_path("/d/"), None);
        let d = metres((119.97, 31.81), (119.9705, 31.81));
        assert!((45.0..50.0).contains(&d), "{d}");
        assert_eq!(normalise("斜桥巷 3号楼-2单元"), normalise("斜桥巷3楼2单元"));
    }
}
