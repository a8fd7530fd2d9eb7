//! Menus (单位列菜谱) and service orders (居民来点菜): 点单 → 派单 → 接单 → 完成 → 评单, one state
//! machine ([`next`]), every step in the order's timeline and the audit trail.
//!
//! Who does what: a resident orders, follows, cancels before acceptance and rates their own
//! orders; the community's staff dispatch (and re-dispatch or cancel); the provider — a unit's
//! contact, a team's keeper, or the volunteer — accepts, declines (back to dispatch) and completes.
use chrono::{Duration, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde_json::json;

use super::dto::*;
use super::menus::MenuItem;
use super::providers::*;
use crate::audit;
use crate::auth::Caller;
use crate::db::schema::{menu_items, order_events, regions, service_orders, team_members};
use crate::db::DbConn;
use crate::error::{ApiError, ApiResult};
use crate::http::list::Paging;
use crate::phones::{self, PhoneColumn};
use crate::privacy::mask_name;
use crate::sealed::Sealer;
use crate::volunteers::dto::HourKind;
use crate::volunteers::dto::HourSource;

/// The one state machine: the status an action leads to from a status, or `None`.
pub fn next(status: OrderStatus, action: &str) -> Option<OrderStatus> {
    use OrderStatus::*;
    match (status, action) {
        (Ordered, "dispatch") => Some(Dispatched),
        // Re-dispatch while nobody has accepted (e.g. the provider let it go overdue).
        (Dispatched, "dispatch") => Some(Dispatched),
        (Dispatched, "accept") => Some(Accepted),
        (Dispatched, "decline") => Some(Ordered),
        (Accepted, "complete") => Some(Completed),
        (Completed, "rate") => Some(Rated),
        (Ordered | Dispatched, "cancel") => Some(Cancelled),
        _ => None,
    }
}

pub const ACTIONS: [&str; 6] = [
    "dispatch", "accept", "decline", "complete", "rate", "cancel",
];

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = service_orders, treat_none_as_default_value = false)]
pub struct Order {
    pub id: String,
    pub community_id: String,
    pub resident_id: String,
    pub resident_name: String,
    pub contact_phone_sealed: Option<String>,
    pub contact_phone_index: Option<String>,
    pub contact_phone_masked: Option<String>,
    pub address: Option<String>,
    pub menu_item_id: Option<String>,
    pub title: String,
    pub description: Option<String>,
    pub status: OrderStatus,
    pub provider_type: Option<ProviderType>,
    pub provider_id: Option<String>,
    pub provider_name: Option<String>,
    pub dispatched_at: Option<NaiveDateTime>,
    pub accept_due_at: Option<NaiveDateTime>,
    pub accepted_at: Option<NaiveDateTime>,
    pub complete_due_at: Option<NaiveDateTime>,
    pub completed_at: Option<NaiveDateTime>,
    pub minutes: Option<i32>,
    pub evidence: String,
    pub rating: Option<i32>,
    pub comment: Option<String>,
    pub rated_at: Option<NaiveDateTime>,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

pub(super) fn now() -> NaiveDateTime {
    Utc::now().naive_utc()
}

// ---------- orders ----------

struct Rights {
    resident: bool,
    staff: bool,
    provider: bool,
}

fn rights(conn: &mut DbConn, caller: &Caller, o: &Order, path: &str) -> ApiResult<Rights> {
    let provider = match (&o.provider_type, &o.provider_id) {
        (Some(t), Some(p)) => acts_for(conn, caller, *t, p)?,
        _ => false,
    };
    Ok(Rights {
        resident: o.resident_id == caller.user_id,
        staff: caller.regions_writable().contains(path),
        provider,
    })
}

/// The same, against the providers the caller acts for, known in advance (for lists).
fn rights_with(
    caller: &Caller,
    providers: &[(ProviderType, String)],
    o: &Order,
    path: &str,
) -> Rights {
    let provider = match (&o.provider_type, &o.provider_id) {
        (Some(t), Some(p)) => providers.iter().any(|(pt, pid)| pt == t && pid == p),
        _ => false,
    };
    Rights {
        resident: o.resident_id == caller.user_id,
        staff: caller.regions_writable().contains(path),
        provider,
    }
}

fn allowed(status: OrderStatus, r: &Rights) -> Vec<String> {
    ACTIONS
        .iter()
        .filter(|a| next(status, a).is_some())
        .filter(|a| match **a {
            "dispatch" => r.staff,
            "accept" | "decline" | "complete" => r.provider,
            "rate" => r.resident,
            "cancel" => {
                r.staff
                    || (r.resident && status == OrderStatus::Ordered)
                    || (r.resident && status == OrderStatus::Dispatched)
            }
            _ => false,
        })
        .map(|a| a.to_string())
        .collect()
}

fn order_view(
    conn: &mut DbConn,
    caller: &Caller,
    o: Order,
    community_name: String,
    path: &str,
    with_events: bool,
) -> ApiResult<OrderView> {
    let r = rights(conn, caller, &o, path)?;
    order_view_with(conn, caller, r, o, community_name, path, with_events)
}

fn order_view_with(
    conn: &mut DbConn,
    caller: &Caller,
    r: Rights,
    o: Order,
    community_name: String,
    path: &str,
    with_events: bool,
) -> ApiResult<OrderView> {
    let status = o.status;
    let at = now();
    let clear = r.resident || r.staff || caller.regions_readable().contains(path);
    let events = if with_events {
        let rows: Vec<(
            NaiveDateTime,
            Option<String>,
            String,
            Option<OrderStatus>,
            OrderStatus,
            Option<String>,
        )> = order_events::table
            .filter(order_events::order_id.eq(&o.id))
            .order((order_events::at.asc(), order_events::id.asc()))
            .select((
                order_events::at,
                order_events::actor_name,
                order_events::action,
                order_events::from_status,
                order_events::to_status,
                order_events::note,
            ))
            .load(conn)?;
        rows.into_iter()
            .map(|(at, actor_name, action, from, to, note)| OrderEventView {
                at: at.and_utc(),
                actor_name,
                action,
                from_status: from,
                to_status: to,
                note,
            })
            .collect()
    } else {
        vec![]
    };
    Ok(OrderView {
        actions: allowed(status, &r),
        accept_overdue: status == OrderStatus::Dispatched
            && o.accept_due_at.is_some_and(|d| at > d),
        complete_overdue: status == OrderStatus::Accepted
            && o.complete_due_at.is_some_and(|d| at > d),
        status,
        resident_name: if clear {
            o.resident_name
        } else {
            mask_name(&o.resident_name)
        },
        // Masked for everyone here; `read` with `unmask` shows it in clear.
        contact_phone: o.contact_phone_masked,
        address: o.address.filter(|_| r.resident || r.staff || r.provider),
        provider_type: o.provider_type,
        evidence: serde_json::from_str(&o.evidence).unwrap_or_default(),
        id: o.id,
        community_id: o.community_id,
        community_name,
        menu_item_id: o.menu_item_id,
        title: o.title,
        description: o.description,
        provider_id: o.provider_id,
        provider_name: o.provider_name,
        dispatched_at: o.dispatched_at.map(|t| t.and_utc()),
        accept_due_at: o.accept_due_at.map(|t| t.and_utc()),
        accepted_at: o.accepted_at.map(|t| t.and_utc()),
        complete_due_at: o.complete_due_at.map(|t| t.and_utc()),
        completed_at: o.completed_at.map(|t| t.and_utc()),
        minutes: o.minutes,
        rating: o.rating,
        comment: o.comment,
        events,
        version: o.version,
        created_at: o.created_at.and_utc(),
        updated_at: o.updated_at.and_utc(),
    })
}

fn load(conn: &mut DbConn, id: &str) -> QueryResult<Option<(Order, String, String)>> {
    service_orders::table
        .inner_join(regions::table)
        .filter(service_orders::id.eq(id))
        .select((Order::as_select(), regions::name, regions::path))
        .first(conn)
        .optional()
}

/// An order is visible to its resident, the community's staff, and its current provider.
fn load_visible(
    conn: &mut DbConn,
    caller: &Caller,
    id: &str,
) -> ApiResult<(Order, String, String)> {
    let (o, name, path) = load(conn, id)?.ok_or_else(|| ApiError::not_found("order"))?;
    let r = rights(conn, caller, &o, &path)?;
    if !(r.resident || r.provider || caller.regions_readable().contains(&path)) {
        return Err(ApiError::not_found("order"));
    }
    Ok((o, name, path))
}

pub fn get(conn: &mut DbConn, caller: &Caller, id: &str) -> ApiResult<OrderView> {
    let (o, name, path) = load_visible(conn, caller, id)?;
    order_view(conn, caller, o, name, &path, true)
}

/// One order; `unmask` shows the contact phone to the resident, the community's staff and the
/// provider the order is dispatched to (who calls before coming) — on this order only. A read by
/// anyone but the resident is recorded, naming the resident so that they can see it.
pub fn read(
    conn: &mut DbConn,
    sealer: &Sealer,
    caller: &Caller,
    id: &str,
    unmask: bool,
) -> ApiResult<OrderView> {
    let (o, name, path) = load_visible(conn, caller, id)?;
    if !unmask {
        return order_view(conn, caller, o, name, &path, true);
    }
    let r = rights(conn, caller, &o, &path)?;
    if !(r.resident || r.staff || r.provider) {
        return Err(ApiError::forbidden("only the resident, the community's staff and the order's provider see the contact phone"));
    }
    if !r.resident {
        let via = if r.staff { "staff" } else { "provider" };
        audit::record_unmask(
            conn,
            &caller.actor(),
            "service_order",
            id,
            Some(&o.resident_id),
            json!({"fields": ["contact_phone"], "via": via}),
        )?;
    }
    let phone = phones::reveal(
        sealer,
        PhoneColumn::OrderContact,
        &o.id,
        o.contact_phone_sealed.as_deref(),
        o.contact_phone_masked.as_deref(),
    );
    let mut v = order_view_with(conn, caller, r, o, name, &path, true)?;
    v.contact_phone = phone;
    Ok(v)
}

fn event(
    conn: &mut DbConn,
    caller: &Caller,
    order_id: &str,
    action: &str,
    from: Option<OrderStatus>,
    to: OrderStatus,
    note: Option<String>,
    at: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(order_events::table)
        .values((
            order_events::id.eq(crate::new_id()),
            order_events::order_id.eq(order_id),
            order_events::at.eq(at),
            order_events::actor_id.eq(&caller.user_id),
            order_events::actor_name.eq(&caller.display_name),
            order_events::action.eq(action),
            order_events::from_status.eq(from.map(|s| s.as_str())),
            order_events::to_status.eq(to.as_str()),
            order_events::note.eq(note),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn create(
    conn: &mut DbConn,
    sealer: &Sealer,
    caller: &Caller,
    input: CreateOrder,
) -> ApiResult<OrderView> {
    crate::db::write(conn, |c| {
        let (community_id, title, menu) = match &input.menu_item_id {
            Some(mid) => {
                let m: Option<MenuItem> = menu_items::table
                    .find(mid)
                    .select(MenuItem::as_select())
                    .first(c)
                    .optional()?;
                let m = m
                    .filter(|m| m.status == MenuStatus::Active)
                    .ok_or_else(|| {
                        ApiError::field("menu_item_id", "not_found", "no such item on the menu")
                    })?;
                (
                    m.community_id.clone(),
                    input.title.clone().unwrap_or_else(|| m.title.clone()),
                    Some(m.id),
                )
            }
            None => (
                input.community_id.clone().unwrap_or_default(),
                input.title.clone().unwrap_or_default(),
                None,
            ),
        };
        community_path(c, &community_id, "community_id")?;
        let at = now();
        let id = crate::new_id();
        let phone = phones::seal(
            sealer,
            PhoneColumn::OrderContact,
            &id,
            input.contact_phone.as_deref(),
        );
        let o = Order {
            id,
            community_id,
            resident_id: caller.user_id.clone(),
            resident_name: caller.display_name.clone(),
            contact_phone_sealed: phone.sealed,
            contact_phone_index: phone.index,
            contact_phone_masked: phone.masked,
            address: input
                .address
                .map(|a| a.trim().to_owned())
                .filter(|a| !a.is_empty()),
            menu_item_id: menu,
            title: title.trim().into(),
            description: input
                .description
                .map(|d| d.trim().to_owned())
                .filter(|d| !d.is_empty()),
            status: OrderStatus::Ordered,
            provider_type: None,
            provider_id: None,
            provider_name: None,
            dispatched_at: None,
            accept_due_at: None,
            accepted_at: None,
            complete_due_at: None,
            completed_at: None,
            minutes: None,
            evidence: "[]".into(),
            rating: None,
            comment: None,
            rated_at: None,
            version: 1,
            created_at: at,
            updated_at: at,
        };
        diesel::insert_into(service_orders::table)
            .values(&o)
            .execute(c)?;
        event(
            c,
            caller,
            &o.id,
            "order",
            None,
            OrderStatus::Ordered,
            None,
            at,
        )?;
        audit::record(
            c,
            &caller.actor(),
            "create",
            "service_order",
            Some(&o.id),
            Some(json!({"title": o.title})),
        )?;
        get(c, caller, &o.id)
    })
}

/// Applies one action: checks the transition and the caller's right to it, then `change`s the row.
fn act(
    conn: &mut DbConn,
    caller: &Caller,
    id: &str,
    action: &str,
    note: Option<String>,
    change: impl FnOnce(&mut DbConn, &Order, &str, NaiveDateTime) -> ApiResult<()>,
) -> ApiResult<OrderView> {
    crate::db::write(conn, |c| {
        // Take the row first: concurrent actions on one order queue here.
        diesel::update(service_orders::table.find(id))
            .set(service_orders::updated_at.eq(service_orders::updated_at))
            .execute(c)?;
        let (o, _, path) = load_visible(c, caller, id)?;
        let status = o.status;
        let Some(to) = next(status, action) else {
            return Err(ApiError::invalid_transition(status.as_str(), action));
        };
        let r = rights(c, caller, &o, &path)?;
        if !allowed(status, &r).iter().any(|a| a == action) {
            return Err(ApiError::forbidden(match action {
                "dispatch" => "orders are dispatched by the community's staff",
                "accept" | "decline" | "complete" => {
                    "only the provider the order was dispatched to may do this"
                }
                "rate" => "only the resident who ordered rates the service",
                _ => "you may not do this to the order",
            }));
        }
        let at = now();
        change(c, &o, &path, at)?;
        diesel::update(service_orders::table.find(id))
            .set((
                service_orders::status.eq(to.as_str()),
                service_orders::version.eq(o.version + 1),
                service_orders::updated_at.eq(at),
            ))
            .execute(c)?;
        event(c, caller, id, action, Some(status), to, note, at)?;
        audit::record(
            c,
            &caller.actor(),
            action,
            "service_order",
            Some(id),
            Some(json!({"from": status.as_str(), "to": to.as_str()})),
        )?;
        // The answer shows the order as it is now even to a provider who just declined it (and
        // so can no longer read it).
        let (o, name, path) = load(c, id)?.ok_or_else(|| ApiError::not_found("order"))?;
        order_view(c, caller, o, name, &path, true)
    })
}

pub fn dispatch(
    conn: &mut DbConn,
    caller: &Caller,
    id: &str,
    input: DispatchOrder,
) -> ApiResult<OrderView> {
    let note = input.note.clone();
    act(conn, caller, id, "dispatch", note, |c, o, path, at| {
        let name = provider_for(
            c,
            input.provider_type,
            &input.provider_id,
            &o.community_id,
            path,
        )?;
        let due = at + Duration::hours(input.accept_within_hours.unwrap_or(24));
        // Until acceptance, the completion due time counts from the dispatch; acceptance moves it
        // by the same window.
        let complete_hours = input.complete_within_hours.unwrap_or(72);
        diesel::update(service_orders::table.find(&o.id))
            .set((
                service_orders::provider_type.eq(input.provider_type.as_str()),
                service_orders::provider_id.eq(&input.provider_id),
                service_orders::provider_name.eq(&name),
                service_orders::dispatched_at.eq(at),
                service_orders::accept_due_at.eq(due),
                service_orders::complete_due_at.eq(Some(at + Duration::hours(complete_hours))),
            ))
            .execute(c)?;
        Ok(())
    })
}

pub fn accept(
    conn: &mut DbConn,
    caller: &Caller,
    id: &str,
    input: OrderNote,
) -> ApiResult<OrderView> {
    act(conn, caller, id, "accept", input.note, |c, o, _, at| {
        // The completion window chosen at dispatch runs from acceptance.
        let window = match (o.complete_due_at, o.dispatched_at) {
            (Some(due), Some(sent)) => due - sent,
            _ => Duration::hours(72),
        };
        diesel::update(service_orders::table.find(&o.id))
            .set((
                service_orders::accepted_at.eq(at),
                service_orders::complete_due_at.eq(Some(at + window)),
            ))
            .execute(c)?;
        Ok(())
    })
}

pub fn decline(
    conn: &mut DbConn,
    caller: &Caller,
    id: &str,
    input: DeclineOrder,
) -> ApiResult<OrderView> {
    act(
        conn,
        caller,
        id,
        "decline",
        Some(input.reason.trim().to_owned()),
        |c, o, _, _| {
            diesel::update(service_orders::table.find(&o.id))
                .set((
                    service_orders::provider_type.eq(None::<String>),
                    service_orders::provider_id.eq(None::<String>),
                    service_orders::provider_name.eq(None::<String>),
                    service_orders::accept_due_at.eq(None::<NaiveDateTime>),
                    service_orders::complete_due_at.eq(None::<NaiveDateTime>),
                ))
                .execute(c)?;
            Ok(())
        },
    )
}

pub fn complete(
    conn: &mut DbConn,
    caller: &Caller,
    id: &str,
    input: CompleteOrder,
) -> ApiResult<OrderView> {
    let note = input.note.clone();
    act(conn, caller, id, "complete", note, |c, o, _, at| {
        let kind = o.provider_type;
        let provider = o.provider_id.clone().unwrap_or_default();
        // Who served, for the hours ledger: the volunteer, or the team's named members.
        let (serving, team): (Vec<String>, Option<String>) = match kind {
            Some(ProviderType::Volunteer) => (vec![provider.clone()], None),
            Some(ProviderType::Team) => {
                for (i, v) in input.volunteer_ids.iter().enumerate() {
                    let member: i64 = team_members::table
                        .find((&provider, v))
                        .count()
                        .get_result(c)?;
                    if member == 0 {
                        return Err(ApiError::field(
                            &format!("volunteer_ids[{i}]"),
                            "not_in_team",
                            "not a member of the team",
                        ));
                    }
                }
                (input.volunteer_ids.clone(), Some(provider.clone()))
            }
            _ => (vec![], None),
        };
        if let Some(minutes) = input.minutes.filter(|_| !serving.is_empty()) {
            for v in &serving {
                crate::volunteers::ledger::post(
                    c,
                    &crate::volunteers::ledger::Entry {
                        id: crate::new_id(),
                        volunteer_id: v.clone(),
                        team_id: team.clone(),
                        region_id: o.community_id.clone(),
                        source: HourSource::Order,
                        source_id: Some(o.id.clone()),
                        kind: HourKind::Credited,
                        minutes,
                        served_on: crate::clock::local_date(at.and_utc()),
                        reverses_id: None,
                        note: Some(o.title.clone()),
                        recorded_by: Some(caller.user_id.clone()),
                        created_at: at,
                    },
                )?;
            }
        }
        diesel::update(service_orders::table.find(&o.id))
            .set((
                service_orders::completed_at.eq(at),
                service_orders::minutes.eq(input.minutes),
                service_orders::evidence
                    .eq(serde_json::to_string(&input.evidence).expect("strings serialize")),
            ))
            .execute(c)?;
        Ok(())
    })
}

pub fn rate(
    conn: &mut DbConn,
    caller: &Caller,
    id: &str,
    input: RateOrder,
) -> ApiResult<OrderView> {
    let comment = input
        .comment
        .clone()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty());
    act(conn, caller, id, "rate", comment.clone(), |c, o, _, at| {
        diesel::update(service_orders::table.find(&o.id))
            .set((
                service_orders::rating.eq(input.rating),
                service_orders::comment.eq(&comment),
                service_orders::rated_at.eq(at),
            ))
            .execute(c)?;
        Ok(())
    })
}

pub fn cancel(
    conn: &mut DbConn,
    caller: &Caller,
    id: &str,
    input: OrderNote,
) -> ApiResult<OrderView> {
    act(conn, caller, id, "cancel", input.note, |_, _, _, _| Ok(()))
}

#[derive(Debug, Clone, Default)]
pub struct OrderFilter {
    /// A region (street or community) and its subtree: the dispatch board.
    pub region_id: Option<String>,
    pub status: Option<OrderStatus>,
    /// Only orders past a due time (accept or complete).
    pub overdue: bool,
    /// Only the caller's own orders as a resident.
    pub mine: bool,
    /// Only orders dispatched to a provider the caller acts for.
    pub assigned: bool,
}

/// Above this many communities, the board reads one sorted statement instead of merging per
/// community (a whole city's board).
const MERGE_MAX_COMMUNITIES: usize = 300;

pub fn list(
    conn: &mut DbConn,
    caller: &Caller,
    f: OrderFilter,
    paging: Paging,
) -> ApiResult<(Vec<OrderView>, i64)> {
    let reach = caller.regions_readable();
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
    let providers = my_providers(conn, caller)?;
    let at = now();
    macro_rules! filtered {
        ($q:expr) => {{
            let mut q = $q;
            if let Some(s) = f.status {
                q = q.filter(service_orders::status.eq(s.as_str()));
            }
            if f.overdue {
                q = q.filter(
                    service_orders::status
                        .eq(OrderStatus::Dispatched.as_str())
                        .and(service_orders::accept_due_at.lt(at))
                        .or(service_orders::status
                            .eq(OrderStatus::Accepted.as_str())
                            .and(service_orders::complete_due_at.lt(at))),
                );
            }
            q
        }};
    }
    // The dispatch board of a street or community: newest first, merged from each community's
    // newest (the `(community_id, created_at)` index answers each with a short backwards scan).
    if let (Some(p), false, false) = (&subtree, f.mine, f.assigned) {
        let (lo, hi) = crate::tree::range(p);
        let communities: Vec<(String, String, String)> = regions::table
            .filter(regions::path.ge(lo))
            .filter(regions::path.lt(hi))
            .filter(regions::level.eq("community"))
            .select((regions::id, regions::name, regions::path))
            .load(conn)?;
        if communities.len() <= MERGE_MAX_COMMUNITIES {
            let ids: Vec<&str> = communities.iter().map(|c| c.0.as_str()).collect();
            let total: i64 = filtered!(service_orders::table
                .filter(service_orders::community_id.eq_any(&ids))
                .into_boxed::<crate::db::MultiBackend>())
            .count()
            .get_result(conn)?;
            let want = paging.offset() + paging.per_page;
            let mut rows: Vec<(Order, usize)> = vec![];
            for (k, (cid, _, _)) in communities.iter().enumerate() {
                let part: Vec<Order> = filtered!(service_orders::table
                    .filter(service_orders::community_id.eq(cid.clone()))
                    .into_boxed::<crate::db::MultiBackend>())
                .order((service_orders::created_at.desc(), service_orders::id.desc()))
                .limit(want)
                .select(Order::as_select())
                .load(conn)?;
                rows.extend(part.into_iter().map(|o| (o, k)));
            }
            rows.sort_by(|a, b| (b.0.created_at, &b.0.id).cmp(&(a.0.created_at, &a.0.id)));
            let mut out = vec![];
            for (o, k) in rows
                .into_iter()
                .skip(paging.offset() as usize)
                .take(paging.per_page as usize)
            {
                let (_, name, path) = &communities[k];
                let r = rights_with(caller, &providers, &o, path);
                out.push(order_view_with(
                    conn,
                    caller,
                    r,
                    o,
                    name.clone(),
                    path,
                    false,
                )?);
            }
            return Ok((out, total));
        }
    }
    let query = || {
        let mut q = service_orders::table
            .inner_join(regions::table)
            .into_boxed::<crate::db::MultiBackend>();
        if f.mine {
            q = q.filter(service_orders::resident_id.eq(caller.user_id.clone()));
        } else if f.assigned {
            let mut cond: Box<
                dyn diesel::expression::BoxableExpression<
                    _,
                    crate::db::MultiBackend,
                    SqlType = diesel::sql_types::Bool,
                >,
            > = Box::new(diesel::dsl::sql::<diesel::sql_types::Bool>("1 = 0"));
            for (t, id) in &providers {
                cond = Box::new(
                    cond.or(service_orders::provider_type
                        .eq(t.clone())
                        .and(service_orders::provider_id.eq(id.clone()))
                        .assume_not_null()),
                );
            }
            q = q.filter(cond);
        } else if subtree.is_none() {
            q = match &reach {
                crate::auth::policy::Reach::All => q,
                crate::auth::policy::Reach::Within(p) => q.filter(
                    crate::path_filter!(regions::path, p)
                        .or(service_orders::resident_id.eq(caller.user_id.clone())),
                ),
            };
        }
        if let Some(p) = &subtree {
            let (lo, hi) = crate::tree::range(p);
            q = q.filter(regions::path.ge(lo)).filter(regions::path.lt(hi));
        }
        filtered!(q)
    };
    let total: i64 = query().count().get_result(conn)?;
    let rows: Vec<(Order, String, String)> = query()
        .order((service_orders::created_at.desc(), service_orders::id.desc()))
        .limit(paging.per_page)
        .offset(paging.offset())
        .select((Order::as_select(), regions::name, regions::path))
        .load(conn)?;
    let mut out = vec![];
    for (o, name, path) in rows {
        let r = rights_with(caller, &providers, &o, &path);
        out.push(order_view_with(conn, caller, r, o, name, &path, false)?);
    }
    Ok((out, total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_state_machine_allows_exactly_the_workflow() {
        use OrderStatus::*;
        let allowed: Vec<(OrderStatus, &str, OrderStatus)> = vec![
            (Ordered, "dispatch", Dispatched),
            (Dispatched, "dispatch", Dispatched),
            (Dispatched, "accept", Accepted),
            (Dispatched, "decline", Ordered),
            (Accepted, "complete", Completed),
            (Completed, "rate", Rated),
            (Ordered, "cancel", Cancelled),
            (Dispatched, "cancel", Cancelled),
        ];
        for s in OrderStatus::ALL {
            for a in ACTIONS {
                let want = allowed
                    .iter()
                    .find(|(f, act, _)| f == s && *act == a)
                    .map(|x| x.2);
                assert_eq!(next(*s, a), want, "{s} {a}");
            }
        }
    }
}
