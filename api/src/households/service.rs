//! Household rules: staff of the community and the grid's workers keep the households; lists mask
//! names except for grid workers (who need them to visit) and phones for everyone (sealed at rest,
//! see `phones`); every unmasked read is an audit event; an address is unique within a grid; the
//! grid's household count follows.
use chrono::{NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde_json::json;

use super::dto::{CreateHousehold, HouseholdView, UpdateHousehold, KEY_GROUP_TAGS};
use crate::audit;
use crate::auth::Caller;
use crate::db::schema::{grids, households, regions, visits};
use crate::db::DbConn;
use crate::error::ErrorCode;
use crate::error::{expect_version, ApiError, ApiResult, FieldError};
use crate::grids::service::{access, boxed_visible, touch_activity, visible_grid_ids};
use crate::http::list::{like_pattern, Paging, Sort};
use crate::phones::{self, PhoneColumn};
use crate::privacy::mask_name;
use crate::sealed::Sealer;
use crate::versions::GroupMemo;

pub const SORT_KEYS: &[&str] = &["address", "last_visited_on", "residents", "created_at"];

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = households)]
pub struct Household {
    pub id: String,
    pub grid_id: String,
    pub building: String,
    pub unit: String,
    pub room: String,
    pub residents: i32,
    pub head_name: String,
    pub head_phone_sealed: Option<String>,
    pub head_phone_index: Option<String>,
    pub head_phone_masked: Option<String>,
    pub tags: String,
    pub key_group: bool,
    pub last_visited_on: Option<NaiveDate>,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// Tags are stored as `,a,b,` so that one tag is a `LIKE '%,a,%'` match.
pub fn encode_tags(tags: &[String]) -> (String, bool) {
    let mut t: Vec<&str> = tags
        .iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .collect();
    t.sort();
    t.dedup();
    let key = t.iter().any(|x| KEY_GROUP_TAGS.contains(x));
    (
        if t.is_empty() {
            String::new()
        } else {
            format!(",{},", t.join(","))
        },
        key,
    )
}

/// A household as shown: the head's name masked when `names_masked`; the phone masked unless
/// `reveal` gives the sealer for an unmasked read.
pub fn view(
    h: Household,
    grid_name: String,
    names_masked: bool,
    reveal: Option<&Sealer>,
) -> HouseholdView {
    let head_phone = match reveal {
        Some(sealer) => phones::reveal(
            sealer,
            PhoneColumn::HouseholdHead,
            &h.id,
            h.head_phone_sealed.as_deref(),
            h.head_phone_masked.as_deref(),
        ),
        None => h.head_phone_masked.clone(),
    };
    HouseholdView {
        address: format!("{}{}{}", h.building, h.unit, h.room),
        tags: h
            .tags
            .split(',')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
        head_name: if names_masked {
            mask_name(&h.head_name)
        } else {
            h.head_name
        },
        masked: names_masked || (reveal.is_none() && head_phone.is_some()),
        head_phone,
        id: h.id,
        grid_id: h.grid_id,
        grid_name,
        building: h.building,
        unit: h.unit,
        room: h.room,
        residents: h.residents,
        key_group: h.key_group,
        last_visited_on: h.last_visited_on,
        version: h.version,
        created_at: h.created_at.and_utc(),
        updated_at: h.updated_at.and_utc(),
    }
}

#[derive(Debug, Clone, Default)]
pub struct HouseholdFilter {
    pub grid_id: Option<String>,
    pub key_group: Option<bool>,
    pub tag: Option<String>,
    /// Not visited for this many days (or never).
    pub overdue_days: Option<i64>,
    pub q: Option<String>,
    /// The blind index of `q` when it is a phone number (see `phones::query_index`).
    pub q_phone_index: Option<String>,
}

impl HouseholdFilter {
    /// Any filter besides the grid.
    fn narrows(&self) -> bool {
        self.key_group.is_some()
            || self.tag.is_some()
            || self.overdue_days.is_some()
            || self.q.is_some()
    }
}

/// The list filters other than scope (key group, tag, overdue, text), on any households query.
macro_rules! household_filters {
    ($q:expr, $filter:expr, $today:expr) => {{
        let mut q = $q;
        let filter: &HouseholdFilter = $filter;
        if let Some(k) = filter.key_group {
            q = q.filter(households::key_group.eq(k));
        }
        if let Some(t) = &filter.tag {
            q = q.filter(households::tags.like(format!("%,{},%", t.replace(['%', '_', '\\'], ""))));
        }
        if let Some(days) = filter.overdue_days {
            let cutoff = $today - chrono::Duration::days(days.max(0));
            q = q.filter(
                households::last_visited_on
                    .is_null()
                    .or(households::last_visited_on.lt(cutoff)),
            );
        }
        if let Some(text) = &filter.q {
            let pat = like_pattern(text);
            // The address as people write it ("3幢2单元301"), the head of household's name, or
            // (a number) the head's phone, matched by its blind index.
            let text_match = households::building
                .concat(households::unit)
                .concat(households::room)
                .like(pat.clone())
                .escape('\\')
                .or(households::head_name.like(pat).escape('\\'));
            q = match &filter.q_phone_index {
                Some(index) => {
                    q.filter(text_match.or(households::head_phone_index.eq(index.clone())))
                }
                None => q.filter(text_match),
            };
        }
        q
    }};
}

pub fn list(
    conn: &mut DbConn,
    memo: &GroupMemo,
    caller: &Caller,
    filter: HouseholdFilter,
    sorts: Vec<Sort>,
    paging: Paging,
) -> ApiResult<(Vec<HouseholdView>, i64)> {
    if sorts.is_empty() {
        return list_by_grid(conn, memo, caller, &filter, paging);
    }
    let grid_ids = visible_grid_ids(conn, caller)?;
    let today = crate::clock::today();
    // The same filters on the joined page query and on the bare table, whose count needs no join.
    macro_rules! filtered {
        ($q:expr) => {{
            let mut q = $q;
            if let Some(ids) = &grid_ids {
                q = q.filter(households::grid_id.eq_any(ids.clone()));
            }
            if let Some(g) = &filter.grid_id {
                q = q.filter(households::grid_id.eq(g.clone()));
            }
            household_filters!(q, &filter, today)
        }};
    }
    let build = || {
        filtered!(households::table
            .inner_join(grids::table.inner_join(regions::table))
            .into_boxed())
    };
    let total: i64 = filtered!(households::table.into_boxed())
        .count()
        .get_result(conn)?;
    let mut q = build();
    for s in &sorts {
        q = match (s.key.as_str(), s.desc) {
            ("last_visited_on", false) => q.then_order_by(households::last_visited_on.asc()),
            ("last_visited_on", true) => q.then_order_by(households::last_visited_on.desc()),
            ("residents", false) => q.then_order_by(households::residents.asc()),
            ("residents", true) => q.then_order_by(households::residents.desc()),
            ("created_at", false) => q.then_order_by(households::created_at.asc()),
            ("created_at", true) => q.then_order_by(households::created_at.desc()),
            (_, desc) => {
                if desc {
                    q.then_order_by(households::building.desc())
                        .then_order_by(households::unit.desc())
                        .then_order_by(households::room.desc())
                } else {
                    q.then_order_by(households::building.asc())
                        .then_order_by(households::unit.asc())
                        .then_order_by(households::room.asc())
                }
            }
        };
    }
    // The default order, and the tie-break after any sort: by grid (as `list_by_grid` pages), then address.
    let rows: Vec<(Household, String)> = q
        .then_order_by(regions::path.asc())
        .then_order_by(grids::name.asc())
        .then_order_by(households::grid_id.asc())
        .then_order_by(households::building.asc())
        .then_order_by(households::unit.asc())
        .then_order_by(households::room.asc())
        .limit(paging.per_page)
        .offset(paging.offset())
        .select((Household::as_select(), grids::name))
        .load(conn)?;
    Ok((reveal(conn, caller, rows)?, total))
}

/// The list in its default order (grid by grid, then by address), paged per grid: the total is a
/// sum of per-grid counts — the grids' kept household counts when nothing is filtered, otherwise
/// one grouped count over the (grid, …) indexes — and the page is read from the one or two grids
/// it falls in. Nothing in scope is sorted as a whole, so a street's or a city's first page costs
/// about what a grid's does.
fn list_by_grid(
    conn: &mut DbConn,
    memo: &GroupMemo,
    caller: &Caller,
    filter: &HouseholdFilter,
    paging: Paging,
) -> ApiResult<(Vec<HouseholdView>, i64)> {
    let today = crate::clock::today();
    // The per-grid counts depend on the caller's reach, the filters, today (for `overdue_days`)
    // and the households' data version, read fresh on every request.
    let key = format!(
        "hh|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{today}|{}",
        caller.regions_readable(),
        caller.grid_ids(),
        filter.grid_id,
        filter.key_group,
        filter.tag,
        filter.overdue_days,
        filter.q,
        crate::versions::current(conn, crate::versions::HOUSEHOLDS)?
    );
    let filtered = filter.narrows();
    let groups = match memo.get(&key) {
        Some(g) => g,
        None => {
            let g = grid_counts(conn, caller, filter, today)?;
            memo.put(key, g)
        }
    };
    let total: i64 = groups.iter().map(|(_, _, n)| *n).sum();
    let rows = crate::versions::page_through(
        &groups,
        paging.offset(),
        paging.per_page,
        |id, limit, offset| -> QueryResult<Vec<Household>> {
            if filtered {
                let one: households::BoxedQuery<'_, crate::db::MultiBackend> = households::table
                    .into_boxed()
                    .filter(households::grid_id.eq(id.to_owned()));
                let one: households::BoxedQuery<'_, crate::db::MultiBackend> =
                    household_filters!(one, filter, today);
                one.order((
                    households::building.asc(),
                    households::unit.asc(),
                    households::room.asc(),
                ))
                .limit(limit)
                .offset(offset)
                .select(Household::as_select())
                .load(conn)
            } else {
                // Unboxed, so the connection keeps the prepared statement between requests.
                households::table
                    .filter(households::grid_id.eq(id))
                    .order((
                        households::building.asc(),
                        households::unit.asc(),
                        households::room.asc(),
                    ))
                    .limit(limit)
                    .offset(offset)
                    .select(Household::as_select())
                    .load(conn)
            }
        },
    )?;
    Ok((reveal(conn, caller, rows)?, total))
}

/// The visible grids in list order with how many of their households pass the filters.
fn grid_counts(
    conn: &mut DbConn,
    caller: &Caller,
    filter: &HouseholdFilter,
    today: chrono::NaiveDate,
) -> ApiResult<crate::versions::Groups> {
    let mut q = boxed_visible(caller);
    if let Some(g) = &filter.grid_id {
        q = q.filter(grids::id.eq(g.to_owned()));
    }
    let mut grid_list: Vec<(String, String, i32)> = q
        .order((regions::path.asc(), grids::name.asc(), grids::id.asc()))
        .select((grids::id, grids::name, grids::household_count))
        .load(conn)?;
    let filtered = filter.narrows();
    if filtered && !grid_list.is_empty() {
        let mut counts: std::collections::HashMap<String, i64> = Default::default();
        for chunk in grid_list.chunks(500) {
            let ids: Vec<&str> = chunk.iter().map(|(id, _, _)| id.as_str()).collect();
            let scoped: households::BoxedQuery<'_, crate::db::MultiBackend> = households::table
                .into_boxed()
                .filter(households::grid_id.eq_any(ids));
            let filtered: households::BoxedQuery<'_, crate::db::MultiBackend> =
                household_filters!(scoped, filter, today);
            // Boxed queries cannot group; the matching rows' grid ids come from the (grid_id, …) indexes.
            for g in filtered.select(households::grid_id).load::<String>(conn)? {
                *counts.entry(g).or_default() += 1;
            }
        }
        for g in &mut grid_list {
            g.2 = counts.get(&g.0).copied().unwrap_or(0) as i32;
        }
    }
    Ok(grid_list
        .into_iter()
        .map(|(id, name, n)| (id, name, i64::from(n)))
        .collect())
}

/// Masks a page for the caller: phones always (a list decrypts nothing), names except in the
/// households of the caller's own grids, whose read in full is recorded.
fn reveal(
    conn: &mut DbConn,
    caller: &Caller,
    rows: Vec<(Household, String)>,
) -> ApiResult<Vec<HouseholdView>> {
    // Grid workers need names to visit; for everyone else lists are masked.
    let unmasked_ids: Vec<String> = rows
        .iter()
        .filter(|(h, _)| caller.grid_ids().contains(&h.grid_id))
        .map(|(h, _)| h.id.clone())
        .collect();
    if !unmasked_ids.is_empty() {
        audit::record(
            conn,
            &caller.actor(),
            "unmask",
            "household",
            None,
            Some(json!({"household_ids": unmasked_ids, "via": "list"})),
        )?;
    }
    let items = rows
        .into_iter()
        .map(|(h, name)| {
            let masked = !unmasked_ids.contains(&h.id);
            view(h, name, masked, None)
        })
        .collect();
    Ok(items)
}

fn load(conn: &mut DbConn, id: &str) -> QueryResult<Option<Household>> {
    households::table
        .find(id)
        .select(Household::as_select())
        .first(conn)
        .optional()
}

/// Reads one household; `unmask` shows the name and phone to staff and the grid's workers, and
/// records that it did. (The head of household has no account, so the event names no subject.)
pub fn get(
    conn: &mut DbConn,
    sealer: &Sealer,
    caller: &Caller,
    id: &str,
    unmask: bool,
) -> ApiResult<HouseholdView> {
    let h = load(conn, id)?.ok_or_else(|| ApiError::not_found("household"))?;
    let acc =
        access(conn, caller, &h.grid_id, None).map_err(|_| ApiError::not_found("household"))?;
    if !unmask {
        return Ok(view(h, acc.grid_name, true, None));
    }
    if !(acc.staff || acc.worker) {
        return Err(ApiError::forbidden(
            "your role may not see residents' names and phones",
        ));
    }
    audit::record_unmask(
        conn,
        &caller.actor(),
        "household",
        id,
        None,
        json!({"via": "read", "fields": ["head_name", "head_phone"]}),
    )?;
    Ok(view(h, acc.grid_name, false, Some(sealer)))
}

/// Keeps the grid's household count (the households list pages by it) and marks its activity.
fn bump_count(conn: &mut DbConn, grid_id: &str, delta: i32) -> QueryResult<usize> {
    crate::versions::bump(conn, crate::versions::HOUSEHOLDS)?;
    diesel::update(grids::table.find(grid_id))
        .set((
            grids::household_count.eq(grids::household_count + delta),
            grids::activity_version.eq(grids::activity_version + 1),
        ))
        .execute(conn)
}

pub fn create(
    conn: &mut DbConn,
    sealer: &Sealer,
    caller: &Caller,
    input: CreateHousehold,
) -> ApiResult<HouseholdView> {
    crate::db::write(conn, |c| {
        let acc = access(c, caller, &input.grid_id, Some("grid_id"))?;
        if !(acc.staff || acc.worker) {
            return Err(ApiError::forbidden(
                "only the community's staff and the grid's workers keep its households",
            ));
        }
        let h = insert(c, sealer, &input)?;
        audit::record(
            c,
            &caller.actor(),
            "create",
            "household",
            Some(&h.id),
            Some(
                json!({"grid_id": h.grid_id, "address": format!("{}{}{}", h.building, h.unit, h.room)}),
            ),
        )?;
        Ok(view(h, acc.grid_name, true, None))
    })
}

/// Inserts a checked household (also used by the import), keeping the grid's count.
pub fn insert(conn: &mut DbConn, sealer: &Sealer, input: &CreateHousehold) -> ApiResult<Household> {
    let (building, unit, room) = (input.building.trim(), input.unit.trim(), input.room.trim());
    let taken: i64 = households::table
        .filter(households::grid_id.eq(&input.grid_id))
        .filter(households::building.eq(building))
        .filter(households::unit.eq(unit))
        .filter(households::room.eq(room))
        .count()
        .get_result(conn)?;
    if taken > 0 {
        return Err(ApiError {
            errors: Some(vec![FieldError {
                field: "room".into(),
                code: "duplicate".into(),
                message: "the grid already has a household at this address".into(),
            }]),
            ..ApiError::conflict(
                ErrorCode::Duplicate,
                "the grid already has a household at this address",
            )
        });
    }
    let (tags, key_group) = encode_tags(&input.tags);
    let now = Utc::now().naive_utc();
    let id = crate::new_id();
    let phone = phones::seal(
        sealer,
        PhoneColumn::HouseholdHead,
        &id,
        input.head_phone.as_deref(),
    );
    let h = Household {
        id,
        grid_id: input.grid_id.clone(),
        building: building.into(),
        unit: unit.into(),
        room: room.into(),
        residents: input.residents,
        head_name: input.head_name.trim().into(),
        head_phone_sealed: phone.sealed,
        head_phone_index: phone.index,
        head_phone_masked: phone.masked,
        tags,
        key_group,
        last_visited_on: None,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    diesel::insert_into(households::table)
        .values(&h)
        .execute(conn)?;
    bump_count(conn, &h.grid_id, 1)?;
    Ok(h)
}

#[derive(AsChangeset)]
#[diesel(table_name = households)]
pub struct HouseholdChanges {
    pub residents: Option<i32>,
    pub head_name: Option<String>,
    pub head_phone_sealed: Option<Option<String>>,
    pub head_phone_index: Option<Option<String>>,
    pub head_phone_masked: Option<Option<String>>,
    pub tags: Option<String>,
    pub key_group: Option<bool>,
    pub version: i32,
    pub updated_at: NaiveDateTime,
}

impl HouseholdChanges {
    /// Sets (or clears) the head's phone, sealed for household `id`.
    pub fn with_phone(
        mut self,
        sealer: &Sealer,
        id: &str,
        phone: Option<Option<String>>,
    ) -> HouseholdChanges {
        if let Some(p) = phone {
            let s = phones::seal(sealer, PhoneColumn::HouseholdHead, id, p.as_deref());
            (
                self.head_phone_sealed,
                self.head_phone_index,
                self.head_phone_masked,
            ) = (Some(s.sealed), Some(s.index), Some(s.masked));
        }
        self
    }
}

pub fn update(
    conn: &mut DbConn,
    sealer: &Sealer,
    caller: &Caller,
    id: &str,
    input: UpdateHousehold,
    if_match: Option<i32>,
) -> ApiResult<HouseholdView> {
    crate::db::write(conn, |c| {
        let h = load(c, id)?.ok_or_else(|| ApiError::not_found("household"))?;
        let acc =
            access(c, caller, &h.grid_id, None).map_err(|_| ApiError::not_found("household"))?;
        if !(acc.staff || acc.worker) {
            return Err(ApiError::forbidden(
                "only the community's staff and the grid's workers keep its households",
            ));
        }
        expect_version(h.version, if_match, input.version)?;
        let encoded = input.tags.as_ref().map(|t| encode_tags(t));
        let changes = HouseholdChanges {
            residents: input.residents,
            head_name: input.head_name.as_deref().map(str::trim).map(str::to_owned),
            head_phone_sealed: None,
            head_phone_index: None,
            head_phone_masked: None,
            tags: encoded.as_ref().map(|(t, _)| t.clone()),
            key_group: encoded.as_ref().map(|(_, k)| *k),
            version: h.version + 1,
            updated_at: Utc::now().naive_utc(),
        }
        .with_phone(sealer, id, input.head_phone.clone());
        let changed = diesel::update(
            households::table
                .find(id)
                .filter(households::version.eq(h.version)),
        )
        .set(&changes)
        .execute(c)?;
        if changed == 0 {
            return Err(ApiError::precondition_failed(h.version));
        }
        touch_activity(c, &h.grid_id)?;
        // The audit detail names what changed, never the personal data itself.
        let fields: Vec<&str> = [
            ("residents", input.residents.is_some()),
            ("head_name", input.head_name.is_some()),
            ("head_phone", input.head_phone.is_some()),
            ("tags", input.tags.is_some()),
        ]
        .into_iter()
        .filter_map(|(f, set)| set.then_some(f))
        .collect();
        audit::record(
            c,
            &caller.actor(),
            "update",
            "household",
            Some(id),
            Some(json!({"fields": fields})),
        )?;
        let h = load(c, id)?.ok_or_else(|| ApiError::not_found("household"))?;
        Ok(view(h, acc.grid_name, true, None))
    })
}

pub fn delete(conn: &mut DbConn, caller: &Caller, id: &str) -> ApiResult<()> {
    crate::db::write(conn, |c| {
        let h = load(c, id)?.ok_or_else(|| ApiError::not_found("household"))?;
        let acc =
            access(c, caller, &h.grid_id, None).map_err(|_| ApiError::not_found("household"))?;
        if !acc.staff {
            return Err(ApiError::forbidden(
                "only the community's staff delete households",
            ));
        }
        let visit_count: i64 = visits::table
            .filter(visits::household_id.eq(id))
            .count()
            .get_result(c)?;
        if visit_count > 0 {
            return Err(ApiError::conflict(
                ErrorCode::HouseholdHasVisits,
                format!("the household has {visit_count} recorded visit(s), which are kept"),
            ));
        }
        diesel::delete(households::table.find(id)).execute(c)?;
        bump_count(c, &h.grid_id, -1)?;
        audit::record(c, &caller.actor(), "delete", "household", Some(id), None)?;
        Ok(())
    })
}
