//! Micro-wishes (微心愿): a resident posts, the community checks, the wish waits on the
//! community's wall (names masked) until a volunteer or a unit adopts it, who fulfils it; the
//! resident thanks them. One state machine ([`next`]); other transitions are 409s naming the state.
use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;
use serde_json::json;

use super::dto::*;
use crate::audit;
use crate::auth::Caller;
use crate::db::schema::{regions, units, volunteers, wishes};
use crate::db::DbConn;
use crate::error::{ApiError, ApiResult};
use crate::http::list::Paging;
use crate::privacy::mask_name;
use crate::volunteers::dto::HourKind;
use crate::volunteers::dto::HourSource;

pub fn next(status: WishStatus, action: &str) -> Option<WishStatus> {
    use WishStatus::*;
    match (status, action) {
        (Posted, "approve") => Some(Open),
        (Posted, "reject") => Some(Rejected),
        (Open, "adopt") => Some(Adopted),
        (Adopted, "fulfil") => Some(Fulfilled),
        (Fulfilled, "thank") => Some(Thanked),
        (Posted | Open, "withdraw") => Some(Withdrawn),
        _ => None,
    }
}

pub const ACTIONS: [&str; 6] = ["approve", "reject", "adopt", "fulfil", "thank", "withdraw"];

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = wishes, treat_none_as_default_value = false)]
pub struct Wish {
    pub id: String,
    pub community_id: String,
    pub resident_id: String,
    pub resident_name: String,
    pub title: String,
    pub description: Option<String>,
    pub status: WishStatus,
    pub decision_note: Option<String>,
    pub adopter_type: Option<AdopterType>,
    pub adopter_id: Option<String>,
    pub adopter_name: Option<String>,
    pub approved_at: Option<NaiveDateTime>,
    pub adopted_at: Option<NaiveDateTime>,
    pub fulfilled_at: Option<NaiveDateTime>,
    pub evidence: String,
    pub minutes: Option<i32>,
    pub thanks: Option<String>,
    pub thanked_at: Option<NaiveDateTime>,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

struct Rights {
    resident: bool,
    staff: bool,
    adopter: bool,
}

fn rights(conn: &mut DbConn, caller: &Caller, w: &Wish, path: &str) -> QueryResult<Rights> {
    let adopter = match (w.adopter_type, w.adopter_id.as_deref()) {
        (Some(AdopterType::Unit), Some(u)) => caller.unit_ids().iter().any(|x| x == u),
        (Some(AdopterType::Volunteer), Some(v)) => {
            volunteers::table
                .find(v)
                .filter(volunteers::user_id.eq(&caller.user_id))
                .count()
                .get_result::<i64>(conn)?
                > 0
        }
        _ => false,
    };
    Ok(Rights {
        resident: w.resident_id == caller.user_id,
        staff: caller.regions_writable().contains(path),
        adopter,
    })
}

fn allowed(status: WishStatus, r: &Rights) -> Vec<String> {
    ACTIONS
        .iter()
        .filter(|a| next(status, a).is_some())
        .filter(|a| match **a {
            "approve" | "reject" => r.staff,
            // Anyone signed in may adopt an open wish, except the one who made it.
            "adopt" => !r.resident,
            "fulfil" => r.adopter || r.staff,
            "thank" | "withdraw" => r.resident,
            _ => false,
        })
        .map(|a| a.to_string())
        .collect()
}

fn view(
    conn: &mut DbConn,
    caller: &Caller,
    w: Wish,
    community_name: String,
    path: &str,
) -> QueryResult<WishView> {
    let r = rights(conn, caller, &w, path)?;
    let status = w.status;
    Ok(WishView {
        actions: allowed(status, &r),
        status,
        resident_name: if r.resident || r.staff {
            w.resident_name
        } else {
            mask_name(&w.resident_name)
        },
        adopter_type: w.adopter_type,
        evidence: serde_json::from_str(&w.evidence).unwrap_or_default(),
        id: w.id,
        community_id: w.community_id,
        community_name,
        title: w.title,
        description: w.description,
        decision_note: w.decision_note,
        adopter_name: w.adopter_name,
        adopted_at: w.adopted_at.map(|t| t.and_utc()),
        fulfilled_at: w.fulfilled_at.map(|t| t.and_utc()),
        thanks: w.thanks,
        version: w.version,
        created_at: w.created_at.and_utc(),
        updated_at: w.updated_at.and_utc(),
    })
}

fn load(conn: &mut DbConn, id: &str) -> QueryResult<Option<(Wish, String, String)>> {
    wishes::table
        .inner_join(regions::table)
        .filter(wishes::id.eq(id))
        .select((Wish::as_select(), regions::name, regions::path))
        .first(conn)
        .optional()
}

/// Wishes on the wall (open and later) are public to signed-in users; a posted, rejected or
/// withdrawn one only to its resident and the community's staff.
fn visible(conn: &mut DbConn, caller: &Caller, w: &Wish, path: &str) -> QueryResult<bool> {
    let on_wall = matches!(
        w.status,
        WishStatus::Open | WishStatus::Adopted | WishStatus::Fulfilled | WishStatus::Thanked
    );
    let r = rights(conn, caller, w, path)?;
    Ok(on_wall || r.resident || r.adopter || caller.regions_readable().contains(path))
}

pub fn get(conn: &mut DbConn, caller: &Caller, id: &str) -> ApiResult<WishView> {
    let (w, name, path) = load(conn, id)?.ok_or_else(|| ApiError::not_found("wish"))?;
    if !visible(conn, caller, &w, &path)? {
        return Err(ApiError::not_found("wish"));
    }
    Ok(view(conn, caller, w, name, &path)?)
}

pub fn create(conn: &mut DbConn, caller: &Caller, input: CreateWish) -> ApiResult<WishView> {
    crate::db::write(conn, |c| {
        let level: Option<String> = regions::table
            .find(&input.community_id)
            .select(regions::level)
            .first(c)
            .optional()?;
        if level.as_deref() != Some("community") {
            return Err(ApiError::field(
                "community_id",
                "not_found",
                "the community does not exist",
            ));
        }
        let at = Utc::now().naive_utc();
        let w = Wish {
            id: crate::new_id(),
            community_id: input.community_id.clone(),
            resident_id: caller.user_id.clone(),
            resident_name: caller.display_name.clone(),
            title: input.title.trim().into(),
            description: input
                .description
                .map(|d| d.trim().to_owned())
                .filter(|d| !d.is_empty()),
            status: WishStatus::Posted,
            decision_note: None,
            adopter_type: None,
            adopter_id: None,
            adopter_name: None,
            approved_at: None,
            adopted_at: None,
            fulfilled_at: None,
            evidence: "[]".into(),
            minutes: None,
            thanks: None,
            thanked_at: None,
            version: 1,
            created_at: at,
            updated_at: at,
        };
        diesel::insert_into(wishes::table).values(&w).execute(c)?;
        audit::record(c, &caller.actor(), "create", "wish", Some(&w.id), None)?;
        get(c, caller, &w.id)
    })
}

fn act(
    conn: &mut DbConn,
    caller: &Caller,
    id: &str,
    action: &str,
    change: impl FnOnce(&mut DbConn, &Wish, NaiveDateTime) -> ApiResult<()>,
) -> ApiResult<WishView> {
    crate::db::write(conn, |c| {
        diesel::update(wishes::table.find(id))
            .set(wishes::updated_at.eq(wishes::updated_at))
            .execute(c)?;
        let (w, name, path) = load(c, id)?.ok_or_else(|| ApiError::not_found("wish"))?;
        if !visible(c, caller, &w, &path)? {
            return Err(ApiError::not_found("wish"));
        }
        let status = w.status;
        let Some(to) = next(status, action) else {
            return Err(ApiError::invalid_transition(status.as_str(), action));
        };
        if !allowed(status, &rights(c, caller, &w, &path)?)
            .iter()
            .any(|a| a == action)
        {
            return Err(ApiError::forbidden(match action {
                "approve" | "reject" => "wishes are checked by the community's staff",
                "fulfil" => "only the adopter (or the community's staff) marks a wish fulfilled",
                "adopt" => "you cannot adopt your own wish",
                _ => "only the resident who made the wish may do this",
            }));
        }
        let at = Utc::now().naive_utc();
        change(c, &w, at)?;
        diesel::update(wishes::table.find(id))
            .set((
                wishes::status.eq(to.as_str()),
                wishes::version.eq(w.version + 1),
                wishes::updated_at.eq(at),
            ))
            .execute(c)?;
        audit::record(
            c,
            &caller.actor(),
            action,
            "wish",
            Some(id),
            Some(json!({"from": status.as_str(), "to": to.as_str()})),
        )?;
        let (w, _, _) = load(c, id)?.ok_or_else(|| ApiError::not_found("wish"))?;
        Ok(view(c, caller, w, name, &path)?)
    })
}

pub fn review(
    conn: &mut DbConn,
    caller: &Caller,
    id: &str,
    input: ReviewWish,
) -> ApiResult<WishView> {
    let action = if input.approve { "approve" } else { "reject" };
    act(conn, caller, id, action, |c, w, at| {
        diesel::update(wishes::table.find(&w.id))
            .set((
                wishes::decision_note.eq(input.note.map(|n| n.trim().to_owned())),
                wishes::approved_at.eq(input.approve.then_some(at)),
            ))
            .execute(c)?;
        Ok(())
    })
}

pub fn adopt(
    conn: &mut DbConn,
    sealer: &crate::sealed::Sealer,
    caller: &Caller,
    id: &str,
    input: AdoptWish,
) -> ApiResult<WishView> {
    act(conn, caller, id, "adopt", |c, w, at| {
        let (adopter_id, adopter_name) = match input.adopter_type {
            AdopterType::Unit => {
                let u = input.unit_id.clone().unwrap_or_default();
                if !caller.unit_ids().contains(&u) {
                    return Err(ApiError::field(
                        "unit_id",
                        "not_found",
                        "a unit you act for",
                    ));
                }
                let name: String = units::table.find(&u).select(units::name).first(c)?;
                (u, name)
            }
            AdopterType::Volunteer => {
                let v = crate::volunteers::teams::ensure_my_volunteer(
                    c,
                    sealer,
                    caller,
                    &w.community_id,
                )?;
                let name: String = volunteers::table
                    .find(&v)
                    .select(volunteers::name)
                    .first(c)?;
                (v, name)
            }
        };
        diesel::update(wishes::table.find(&w.id))
            .set((
                wishes::adopter_type.eq(input.adopter_type.as_str()),
                wishes::adopter_id.eq(adopter_id),
                wishes::adopter_name.eq(adopter_name),
                wishes::adopted_at.eq(at),
            ))
            .execute(c)?;
        Ok(())
    })
}

pub fn fulfil(
    conn: &mut DbConn,
    caller: &Caller,
    id: &str,
    input: FulfilWish,
) -> ApiResult<WishView> {
    act(conn, caller, id, "fulfil", |c, w, at| {
        if let (Some(AdopterType::Volunteer), Some(v), Some(minutes)) =
            (w.adopter_type, w.adopter_id.as_deref(), input.minutes)
        {
            crate::volunteers::ledger::post(
                c,
                &crate::volunteers::ledger::Entry {
                    id: crate::new_id(),
                    volunteer_id: v.into(),
                    team_id: None,
                    region_id: w.community_id.clone(),
                    source: HourSource::Wish,
                    source_id: Some(w.id.clone()),
                    kind: HourKind::Credited,
                    minutes,
                    served_on: crate::clock::local_date(at.and_utc()),
                    reverses_id: None,
                    note: Some(w.title.clone()),
                    recorded_by: Some(caller.user_id.clone()),
                    created_at: at,
                },
            )?;
        }
        diesel::update(wishes::table.find(&w.id))
            .set((
                wishes::fulfilled_at.eq(at),
                wishes::minutes.eq(input.minutes),
                wishes::evidence
                    .eq(serde_json::to_string(&input.evidence).expect("strings serialize")),
            ))
            .execute(c)?;
        Ok(())
    })
}

pub fn thank(
    conn: &mut DbConn,
    caller: &Caller,
    id: &str,
    input: ThankWish,
) -> ApiResult<WishView> {
    act(conn, caller, id, "thank", |c, w, at| {
        diesel::update(wishes::table.find(&w.id))
            .set((
                wishes::thanks.eq(input.thanks.trim()),
                wishes::thanked_at.eq(at),
            ))
            .execute(c)?;
        Ok(())
    })
}

pub fn withdraw(conn: &mut DbConn, caller: &Caller, id: &str) -> ApiResult<WishView> {
    act(conn, caller, id, "withdraw", |_, _, _| Ok(()))
}

#[derive(Debug, Clone, Default)]
pub struct WishFilter {
    pub community_id: Option<String>,
    pub status: Option<WishStatus>,
    /// Only the caller's own wishes.
    pub mine: bool,
}

/// The wish wall of a community (open and later wishes, names masked), the community's review
/// queue (`status=posted`, its staff), or the caller's own wishes.
pub fn list(
    conn: &mut DbConn,
    caller: &Caller,
    f: WishFilter,
    paging: Paging,
) -> ApiResult<(Vec<WishView>, i64)> {
    let reach = caller.regions_writable();
    let query = || {
        let mut q = wishes::table
            .inner_join(regions::table)
            .into_boxed::<crate::db::MultiBackend>();
        if f.mine {
            q = q.filter(wishes::resident_id.eq(caller.user_id.clone()));
        } else {
            let wall = vec!["open", "adopted", "fulfilled", "thanked"];
            q = match &reach {
                crate::auth::policy::Reach::All => q,
                crate::auth::policy::Reach::Within(p) if !p.is_empty() => q.filter(
                    wishes::status
                        .eq_any(wall)
                        .or(crate::path_filter!(regions::path, p)),
                ),
                _ => q.filter(wishes::status.eq_any(wall)),
            };
        }
        if let Some(c) = &f.community_id {
            q = q.filter(wishes::community_id.eq(c.clone()));
        }
        if let Some(s) = f.status {
            q = q.filter(wishes::status.eq(s.as_str()));
        }
        q
    };
    let total: i64 = query().count().get_result(conn)?;
    let rows: Vec<(Wish, String, String)> = query()
        .order((wishes::created_at.desc(), wishes::id.desc()))
        .limit(paging.per_page)
        .offset(paging.offset())
        .select((Wish::as_select(), regions::name, regions::path))
        .load(conn)?;
    let mut out = vec![];
    for (w, name, path) in rows {
        out.push(view(conn, caller, w, name, &path)?);
    }
    Ok((out, total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wish_moves_only_forwards() {
        use WishStatus::*;
        let allowed = [
            (Posted, "approve", Open),
            (Posted, "reject", Rejected),
            (Open, "adopt", Adopted),
            (Adopted, "fulfil", Fulfilled),
            (Fulfilled, "thank", Thanked),
            (Posted, "withdraw", Withdrawn),
            (Open, "withdraw", Withdrawn),
        ];
        for s in WishStatus::ALL {
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
