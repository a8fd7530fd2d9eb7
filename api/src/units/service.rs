//! Co-building units and their pairing with communities. A unit sits in a street; the street's
//! staff keep it; the staff of a paired community see it; its contacts (`unit_contact` grants)
//! act for it.
use chrono::{NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde_json::json;

use super::dto::*;
use crate::audit;
use crate::auth::Caller;
use crate::db::schema::{project_claims, regions, unit_pairings, units};
use crate::db::DbConn;
use crate::error::ErrorCode;
use crate::error::{expect_version, ApiError, ApiResult};
use crate::http::list::{like_pattern, Paging};
use crate::phones::{self, PhoneColumn};
use crate::projects::dto::ClaimState;
use crate::sealed::Sealer;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = units, treat_none_as_default_value = false)]
pub struct Unit {
    pub id: String,
    pub name: String,
    pub kind: UnitKind,
    pub party_org: Option<String>,
    pub address: Option<String>,
    pub contact_name: Option<String>,
    pub contact_phone_sealed: Option<String>,
    pub contact_phone_index: Option<String>,
    pub contact_phone_masked: Option<String>,
    pub region_id: String,
    pub status: UnitStatus,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

pub struct UnitAccess {
    pub unit: Unit,
    pub region_name: String,
    pub region_path: String,
    /// Street staff over the unit's region.
    pub manage: bool,
    /// A contact of the unit.
    pub contact: bool,
    pub read: bool,
}

fn paired(
    conn: &mut DbConn,
    unit_id: &str,
) -> QueryResult<Vec<(String, String, String, NaiveDate)>> {
    unit_pairings::table
        .inner_join(regions::table)
        .filter(unit_pairings::unit_id.eq(unit_id))
        .order(regions::path.asc())
        .select((
            unit_pairings::community_id,
            regions::name,
            regions::path,
            unit_pairings::paired_on,
        ))
        .load(conn)
}

pub fn access(conn: &mut DbConn, caller: &Caller, id: &str) -> ApiResult<UnitAccess> {
    let found: Option<(Unit, String, String)> = units::table
        .inner_join(regions::table)
        .filter(units::id.eq(id))
        .select((Unit::as_select(), regions::name, regions::path))
        .first(conn)
        .optional()?;
    let (unit, region_name, region_path) = found.ok_or_else(|| ApiError::not_found("unit"))?;
    let manage = caller.regions_writable().contains(&region_path);
    let contact = caller.unit_ids().iter().any(|u| u == id);
    let mut read = manage || contact || caller.regions_readable().contains(&region_path);
    if !read {
        let reach = caller.regions_readable();
        read = paired(conn, id)?
            .iter()
            .any(|(_, _, p, _)| reach.contains(p));
    }
    if !read {
        return Err(ApiError::not_found("unit"));
    }
    Ok(UnitAccess {
        unit,
        region_name,
        region_path,
        manage,
        contact,
        read,
    })
}

fn view(conn: &mut DbConn, a: UnitAccess) -> QueryResult<UnitView> {
    let communities = paired(conn, &a.unit.id)?
        .into_iter()
        .map(|(community_id, name, _, paired_on)| PairedCommunity {
            community_id,
            name,
            paired_on,
        })
        .collect();
    let active_claims: i64 = project_claims::table
        .filter(project_claims::unit_id.eq(&a.unit.id))
        .filter(project_claims::status.eq(ClaimState::Active.as_str()))
        .count()
        .get_result(conn)?;
    let u = a.unit;
    Ok(UnitView {
        kind: u.kind,
        status: u.status,
        // Masked for everyone here; `read` with `unmask` shows it in clear.
        contact_phone: u.contact_phone_masked,
        id: u.id,
        name: u.name,
        party_org: u.party_org,
        address: u.address,
        contact_name: u.contact_name,
        region_id: u.region_id,
        region_name: a.region_name,
        communities,
        active_claims,
        can_manage: a.manage,
        version: u.version,
        created_at: u.created_at.and_utc(),
        updated_at: u.updated_at.and_utc(),
    })
}

pub fn get(conn: &mut DbConn, caller: &Caller, id: &str) -> ApiResult<UnitView> {
    let a = access(conn, caller, id)?;
    Ok(view(conn, a)?)
}

/// One unit; `unmask` shows the contact phone to the street's staff who keep the unit and to the
/// unit's contacts. Every such read is recorded; the unit's contacts see the others' reads in
/// `GET /me/data-access` (the number is theirs to answer).
pub fn read(
    conn: &mut DbConn,
    sealer: &Sealer,
    caller: &Caller,
    id: &str,
    unmask: bool,
) -> ApiResult<UnitView> {
    let a = access(conn, caller, id)?;
    if !unmask {
        return Ok(view(conn, a)?);
    }
    if !(a.manage || a.contact) {
        return Err(ApiError::forbidden(
            "only the street's staff and the unit's contacts see its contact phone",
        ));
    }
    audit::record_unmask(
        conn,
        &caller.actor(),
        "unit",
        id,
        None,
        json!({"fields": ["contact_phone"]}),
    )?;
    let phone = phones::reveal(
        sealer,
        PhoneColumn::UnitContact,
        id,
        a.unit.contact_phone_sealed.as_deref(),
        a.unit.contact_phone_masked.as_deref(),
    );
    let mut v = view(conn, a)?;
    v.contact_phone = phone;
    Ok(v)
}

#[derive(Debug, Clone, Default)]
pub struct UnitFilter {
    /// Units sitting in this region or paired with a community under it.
    pub region_id: Option<String>,
    /// Only units paired with this community.
    pub community_id: Option<String>,
    pub kind: Option<UnitKind>,
    pub q: Option<String>,
    /// The blind index of `q` when it is a phone number (see `phones::query_index`).
    pub q_phone_index: Option<String>,
}

/// Units the caller may see: those sitting in their regions or paired with their communities,
/// and the ones they act for.
pub fn list(
    conn: &mut DbConn,
    caller: &Caller,
    f: UnitFilter,
    paging: Paging,
) -> ApiResult<(Vec<UnitView>, i64)> {
    let reach = caller.regions_readable();
    let mine = caller.unit_ids();
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
    let community = match &f.community_id {
        Some(c) => {
            let p: Option<String> = regions::table
                .find(c)
                .select(regions::path)
                .first(conn)
                .optional()?;
            p.filter(|p| reach.contains(p)).ok_or_else(|| {
                ApiError::field("community_id", "not_found", "the community does not exist")
            })?;
            Some(c.clone())
        }
        None => None,
    };
    // Units paired with a community in the caller's reach (or under the region filter).
    let paired_ids = |conn: &mut DbConn, prefixes: &[String]| -> QueryResult<Vec<String>> {
        unit_pairings::table
            .inner_join(regions::table)
            .filter(crate::path_filter!(regions::path, prefixes))
            .select(unit_pairings::unit_id)
            .distinct()
            .load(conn)
    };
    let via_pairing: Option<Vec<String>> = match (&reach, &subtree) {
        (_, Some(p)) => Some(paired_ids(conn, std::slice::from_ref(p))?),
        (crate::auth::policy::Reach::All, None) => None,
        (crate::auth::policy::Reach::Within(p), None) => Some(paired_ids(conn, p)?),
    };
    let query = || {
        let mut q = units::table
            .inner_join(regions::table)
            .into_boxed::<crate::db::MultiBackend>();
        let sitting: Option<Vec<String>> = match (&reach, &subtree) {
            (_, Some(p)) => Some(vec![p.clone()]),
            (crate::auth::policy::Reach::All, None) => None,
            (crate::auth::policy::Reach::Within(p), None) => Some(p.clone()),
        };
        if let Some(prefixes) = sitting {
            let mut ids = via_pairing.clone().unwrap_or_default();
            if subtree.is_none() {
                ids.extend(mine.iter().cloned());
            }
            q = q.filter(crate::path_filter!(regions::path, prefixes).or(units::id.eq_any(ids)));
        }
        if let Some(c) = &community {
            q = q.filter(
                units::id.eq_any(
                    unit_pairings::table
                        .filter(unit_pairings::community_id.eq(c.clone()))
                        .select(unit_pairings::unit_id),
                ),
            );
        }
        if let Some(k) = f.kind {
            q = q.filter(units::kind.eq(k.as_str()));
        }
        if let Some(text) = &f.q {
            // A name, or (a number) the contact phone, matched by its blind index.
            q = match &f.q_phone_index {
                Some(index) => q.filter(
                    units::name
                        .like(like_pattern(text))
                        .or(units::contact_phone_index.eq(index.clone())),
                ),
                None => q.filter(units::name.like(like_pattern(text))),
            };
        }
        q
    };
    let total: i64 = query().count().get_result(conn)?;
    let rows: Vec<(Unit, String, String)> = query()
        .order((units::name.asc(), units::id.asc()))
        .limit(paging.per_page)
        .offset(paging.offset())
        .select((Unit::as_select(), regions::name, regions::path))
        .load(conn)?;
    let mut out = vec![];
    for (unit, region_name, region_path) in rows {
        let manage = caller.regions_writable().contains(&region_path);
        let contact = mine.contains(&unit.id);
        out.push(view(
            conn,
            UnitAccess {
                unit,
                region_name,
                region_path,
                manage,
                contact,
                read: true,
            },
        )?);
    }
    Ok((out, total))
}

fn taken(e: diesel::result::Error) -> ApiError {
    match e {
        diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        ) => ApiError::conflict(ErrorCode::DuplicateName, "a unit of this name exists"),
        other => other.into(),
    }
}

/// A community the caller keeps, for pairing.
fn writable_community(conn: &mut DbConn, caller: &Caller, id: &str, field: &str) -> ApiResult<()> {
    let found: Option<(String, String)> = regions::table
        .find(id)
        .select((regions::path, regions::level))
        .first(conn)
        .optional()?;
    let Some((path, level)) = found.filter(|(p, _)| caller.regions_readable().contains(p)) else {
        return Err(ApiError::field(
            field,
            "not_found",
            "the community does not exist",
        ));
    };
    if level != "community" {
        return Err(ApiError::field(
            field,
            "not_a_community",
            "units pair with communities",
        ));
    }
    if !caller.regions_writable().contains(&path) {
        return Err(ApiError::forbidden(
            "pairings are kept by the community's or the street's staff",
        ));
    }
    Ok(())
}

fn pair_with(conn: &mut DbConn, unit_id: &str, community_id: &str) -> ApiResult<()> {
    let there: i64 = unit_pairings::table
        .find((unit_id, community_id))
        .count()
        .get_result(conn)?;
    if there > 0 {
        return Err(ApiError::conflict(
            ErrorCode::AlreadyPaired,
            "the unit is already paired with the community",
        ));
    }
    diesel::insert_into(unit_pairings::table)
        .values((
            unit_pairings::unit_id.eq(unit_id),
            unit_pairings::community_id.eq(community_id),
            unit_pairings::paired_on.eq(crate::clock::today()),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn create(
    conn: &mut DbConn,
    sealer: &Sealer,
    caller: &Caller,
    input: CreateUnit,
) -> ApiResult<UnitView> {
    crate::db::write(conn, |c| {
        let path: Option<String> = regions::table
            .find(&input.region_id)
            .select(regions::path)
            .first(c)
            .optional()?;
        let path = path
            .filter(|p| caller.regions_readable().contains(p))
            .ok_or_else(|| {
                ApiError::field("region_id", "not_found", "the region does not exist")
            })?;
        if !caller.regions_writable().contains(&path) {
            return Err(ApiError::forbidden(
                "units are registered by the staff of the street they sit in",
            ));
        }
        let now = Utc::now().naive_utc();
        let id = crate::new_id();
        let phone = phones::seal(
            sealer,
            PhoneColumn::UnitContact,
            &id,
            input.contact_phone.as_deref(),
        );
        let u = Unit {
            id,
            name: input.name.trim().into(),
            kind: input.kind,
            party_org: input
                .party_org
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty()),
            address: input
                .address
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty()),
            contact_name: input
                .contact_name
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty()),
            contact_phone_sealed: phone.sealed,
            contact_phone_index: phone.index,
            contact_phone_masked: phone.masked,
            region_id: input.region_id.clone(),
            status: UnitStatus::Active,
            version: 1,
            created_at: now,
            updated_at: now,
        };
        diesel::insert_into(units::table)
            .values(&u)
            .execute(c)
            .map_err(taken)?;
        for (i, community) in input.community_ids.iter().enumerate() {
            writable_community(c, caller, community, &format!("community_ids[{i}]"))?;
            pair_with(c, &u.id, community)?;
        }
        audit::record(
            c,
            &caller.actor(),
            "create",
            "unit",
            Some(&u.id),
            Some(json!({"name": u.name})),
        )?;
        get(c, caller, &u.id)
    })
}

pub fn update(
    conn: &mut DbConn,
    sealer: &Sealer,
    caller: &Caller,
    id: &str,
    input: UpdateUnit,
    if_match: Option<i32>,
) -> ApiResult<UnitView> {
    crate::db::write(conn, |c| {
        let a = access(c, caller, id)?;
        // A unit's contacts keep its contact details; its standing is the street's business.
        let staff_only = input.name.is_some() || input.kind.is_some() || input.status.is_some();
        if !(a.manage || (a.contact && !staff_only)) {
            return Err(ApiError::forbidden(if a.contact {
                "a unit's name, kind and status are kept by the street's staff"
            } else {
                "units are kept by the street's staff"
            }));
        }
        expect_version(a.unit.version, if_match, input.version)?;
        let mut u = a.unit;
        if let Some(n) = input.name {
            u.name = n.trim().into();
        }
        if let Some(k) = input.kind {
            u.kind = k;
        }
        let clean = |v: Option<String>| v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
        if let Some(v) = input.party_org {
            u.party_org = clean(v);
        }
        if let Some(v) = input.address {
            u.address = clean(v);
        }
        if let Some(v) = input.contact_name {
            u.contact_name = clean(v);
        }
        if let Some(v) = input.contact_phone {
            let p = phones::seal(sealer, PhoneColumn::UnitContact, id, v.as_deref());
            (
                u.contact_phone_sealed,
                u.contact_phone_index,
                u.contact_phone_masked,
            ) = (p.sealed, p.index, p.masked);
        }
        if let Some(s) = input.status {
            u.status = s;
        }
        diesel::update(units::table.find(id))
            .set((
                units::name.eq(&u.name),
                units::kind.eq(&u.kind),
                units::party_org.eq(&u.party_org),
                units::address.eq(&u.address),
                units::contact_name.eq(&u.contact_name),
                units::contact_phone_sealed.eq(&u.contact_phone_sealed),
                units::contact_phone_index.eq(&u.contact_phone_index),
                units::contact_phone_masked.eq(&u.contact_phone_masked),
                units::status.eq(&u.status),
                units::version.eq(u.version + 1),
                units::updated_at.eq(Utc::now().naive_utc()),
            ))
            .execute(c)
            .map_err(taken)?;
        audit::record(
            c,
            &caller.actor(),
            "update",
            "unit",
            Some(id),
            Some(json!({"name": u.name, "status": u.status})),
        )?;
        get(c, caller, id)
    })
}

pub fn pair(conn: &mut DbConn, caller: &Caller, id: &str, input: PairUnit) -> ApiResult<UnitView> {
    crate::db::write(conn, |c| {
        access(c, caller, id)?;
        writable_community(c, caller, &input.community_id, "community_id")?;
        pair_with(c, id, &input.community_id)?;
        audit::record(
            c,
            &caller.actor(),
            "pair",
            "unit",
            Some(id),
            Some(json!({"community_id": input.community_id})),
        )?;
        get(c, caller, id)
    })
}

pub fn unpair(conn: &mut DbConn, caller: &Caller, id: &str, community_id: &str) -> ApiResult<()> {
    crate::db::write(conn, |c| {
        access(c, caller, id)?;
        writable_community(c, caller, community_id, "community_id").map_err(|e| {
            if e.status.as_u16() == 422 {
                ApiError::not_found("pairing")
            } else {
                e
            }
        })?;
        let n = diesel::delete(unit_pairings::table.find((id, community_id))).execute(c)?;
        if n == 0 {
            return Err(ApiError::not_found("pairing"));
        }
        audit::record(
            c,
            &caller.actor(),
            "unpair",
            "unit",
            Some(id),
            Some(json!({"community_id": community_id})),
        )?;
        Ok(())
    })
}
