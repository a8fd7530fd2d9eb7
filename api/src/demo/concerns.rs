//! Demo concerns and polls for 新丰街: a year of concerns in every state — most closed on the
//! reporter's satisfied feedback, some late, some reopened, a few escalated and repeated at the
//! same household — each with its timeline; a street route to a unit; last half-year's cadre polls
//! with one cadre under 70 % (warned, rectifying) and one under 60 %; and an open poll residents
//! can vote in.
use chrono::{Duration, NaiveDateTime, Utc};
use diesel::prelude::*;

use super::Lcg;
use crate::concerns::dto::Urgency;
use crate::concerns::dto::{ConcernCategory, ConcernStatus};
use crate::concerns::service::Concern;
use crate::db::schema::{
    concern_events, concern_phones, concern_routes, concerns, grids, households, poll_cadres,
    polls, rectifications, regions, units, users,
};
use crate::db::DbConn;

const TITLES: [(&str, &str); 14] = [
    ("dispute", "楼上漏水与邻居协商未果"),
    ("dispute", "夜间噪音扰民"),
    ("safety", "楼道电动车充电"),
    ("safety", "消防通道被占"),
    ("environment", "垃圾清运不及时"),
    ("environment", "绿化带杂草丛生"),
    ("facility", "路灯不亮"),
    ("facility", "电梯故障停运"),
    ("market", "流动摊贩占道经营"),
    ("market", "超市价格标签不清"),
    ("opinion", "建议增设健身器材"),
    ("opinion", "希望延长活动室开放时间"),
    ("facility", "雨水井盖松动"),
    ("environment", "外墙空调滴水"),
];

type Event = (
    String,
    String,
    NaiveDateTime,
    Option<String>,
    String,
    Option<String>,
    String,
    Option<String>,
);

pub fn load(
    c: &mut DbConn,
    sealer: &crate::sealed::Sealer,
    street: &str,
    communities: &[String],
    resident1: &str,
    grid1: &str,
) -> QueryResult<()> {
    let mut rng = Lcg(2026);
    let now = Utc::now().naive_utc();
    // The street's own route: market concerns to its market office, with tighter hours.
    diesel::insert_into(concern_routes::table)
        .values((
            concern_routes::street_id.eq(street),
            concern_routes::category.eq("market"),
            concern_routes::handler_type.eq("department"),
            concern_routes::handler_id.eq(None::<String>),
            concern_routes::handler_name.eq("新丰街市场监督管理所"),
            concern_routes::accept_hours.eq(12),
            concern_routes::resolve_hours.eq(96),
            concern_routes::updated_at.eq(now),
        ))
        .execute(c)?;
    let reporters: Vec<(String, String)> = users::table
        .filter(
            users::username
                .like("demo-resident-%")
                .or(users::id.eq(resident1)),
        )
        .order(users::username.asc())
        .select((users::id, users::display_name))
        .load(c)?;
    let grid1_name: String = users::table
        .find(grid1)
        .select(users::display_name)
        .first(c)?;
    let unit: Option<(String, String)> = units::table
        .order(units::name.asc())
        .select((units::id, units::name))
        .first(c)
        .optional()?;
    let mut rows: Vec<Concern> = vec![];
    let mut events: Vec<Event> = vec![];
    // The contact phones, sealed once the rows are in (their sealed forms live in `concern_phones`).
    let mut phones: Vec<(String, crate::phones::SealedPhone)> = vec![];
    for (ci, community) in communities.iter().enumerate() {
        let gs: Vec<String> = grids::table
            .filter(grids::community_id.eq(community))
            .order(grids::name.asc())
            .select(grids::id)
            .load(c)?;
        let hh: Vec<(String, String)> = households::table
            .filter(households::grid_id.eq_any(&gs))
            .order(households::id.asc())
            .limit(40)
            .select((households::id, households::grid_id))
            .load(c)?;
        let n = 14 + (ci % 5) * 3;
        let mut first_at_household: Option<String> = None;
        for k in 0..n {
            let (cat, title) = TITLES[(k + ci) % TITLES.len()];
            let category = ConcernCategory::parse(cat).expect("demo data uses known values");
            // The first few of each community are still moving; the rest are older and mostly
            // closed. All at least a day old: today belongs to whoever is trying the system out.
            let days_ago = match k {
                0..=2 => 1 + (k as i64 % 2),
                3..=6 => 4 + k as i64,
                _ => 12 + rng.next(320) as i64,
            };
            let created = now - Duration::days(days_ago) - Duration::minutes(rng.next(600) as i64);
            let (grid_id, household_id) = match hh.get(k % hh.len().max(1)) {
                Some((h, g)) if k % 3 != 2 => (Some(g.clone()), Some(h.clone())),
                _ => (gs.first().cloned(), None),
            };
            let by_grid1 = ci == 0 && k % 2 == 0;
            let (reporter_id, reporter_name) = if by_grid1 {
                (grid1.to_string(), grid1_name.clone())
            } else {
                reporters[(k + ci) % reporters.len()].clone()
            };
            let (mut handler_name, accept_h, resolve_h) = {
                let (n, a, r) = category.default_route();
                (n.to_string(), a as i64, r as i64)
            };
            let (accept_h, resolve_h) = if cat == "market" {
                (12, 96)
            } else {
                (accept_h, resolve_h)
            };
            if cat == "market" {
                handler_name = "新丰街市场监督管理所".into();
            }
            let mut handler_id = None;
            if cat == "facility" && k % 4 == 0 {
                if let Some((uid, uname)) = &unit {
                    handler_id = Some(uid.clone());
                    handler_name = uname.clone();
                }
            }
            let roll = rng.next(100);
            let status = match k {
                0..=2 => [
                    ConcernStatus::Reported,
                    ConcernStatus::Accepted,
                    ConcernStatus::InProgress,
                ][k],
                3..=6 => [
                    ConcernStatus::InProgress,
                    ConcernStatus::Resolved,
                    ConcernStatus::Reopened,
                    ConcernStatus::Closed,
                ][k - 3],
                _ if roll < 4 => ConcernStatus::Withdrawn,
                _ => ConcernStatus::Closed,
            };
            let late_accept = roll % 9 == 0;
            let late_resolve = roll % 6 == 0;
            let reopened = if status == ConcernStatus::Reopened
                || (status == ConcernStatus::Closed && roll % 7 == 0)
            {
                1
            } else {
                0
            };
            let id = crate::new_id();
            let accept_due = created + Duration::hours(accept_h);
            let resolve_due = created + Duration::hours(resolve_h);
            let mut at = created;
            let first_event = events.len();
            let mut ev = |action: &str,
                          from: Option<ConcernStatus>,
                          to: ConcernStatus,
                          when: NaiveDateTime,
                          _: Option<&str>,
                          note: Option<String>| {
                events.push((
                    crate::new_id(),
                    id.clone(),
                    when,
                    None,
                    action.to_string(),
                    from.map(|s| s.as_str().to_string()),
                    to.as_str().to_string(),
                    note,
                ));
            };
            ev(
                "report",
                None,
                ConcernStatus::Reported,
                at,
                None,
                Some(format!("分派至 {handler_name}")),
            );
            let mut accepted_at = None;
            let mut resolved_at = None;
            let mut resolution = None;
            let mut feedback = 0;
            let mut updated = at;
            if status == ConcernStatus::Withdrawn {
                at += Duration::hours(2);
                ev(
                    "withdraw",
                    Some(ConcernStatus::Reported),
                    ConcernStatus::Withdrawn,
                    at,
                    None,
                    Some("已自行解决".into()),
                );
                updated = at;
            } else if status != ConcernStatus::Reported {
                at = if late_accept {
                    accept_due + Duration::hours(3)
                } else {
                    created + Duration::minutes((accept_h * 60 / 3).max(20))
                };
                accepted_at = Some(at);
                ev(
                    "accept",
                    Some(ConcernStatus::Reported),
                    ConcernStatus::Accepted,
                    at,
                    None,
                    None,
                );
                updated = at;
                if status != ConcernStatus::Accepted {
                    at += Duration::hours(2);
                    ev(
                        "start",
                        Some(ConcernStatus::Accepted),
                        ConcernStatus::InProgress,
                        at,
                        None,
                        None,
                    );
                    updated = at;
                }
                if matches!(
                    status,
                    ConcernStatus::Resolved | ConcernStatus::Closed | ConcernStatus::Reopened
                ) {
                    at = if late_resolve {
                        resolve_due + Duration::hours(5)
                    } else {
                        created + Duration::hours(resolve_h * 2 / 3)
                    };
                    resolved_at = Some(at);
                    resolution = Some("已协调处理，现场复核完毕".to_string());
                    ev(
                        "resolve",
                        Some(ConcernStatus::InProgress),
                        ConcernStatus::Resolved,
                        at,
                        None,
                        resolution.clone(),
                    );
                    updated = at;
                    if reopened == 1 {
                        at += Duration::hours(20);
                        feedback += 1;
                        ev(
                            "reopen",
                            Some(ConcernStatus::Resolved),
                            ConcernStatus::Reopened,
                            at,
                            None,
                            Some("问题反复出现".into()),
                        );
                        updated = at;
                        if status == ConcernStatus::Closed {
                            at += Duration::hours(30);
                            ev(
                                "resolve",
                                Some(ConcernStatus::Reopened),
                                ConcernStatus::Resolved,
                                at,
                                None,
                                Some("再次上门处理".into()),
                            );
                            updated = at;
                        }
                    }
                    if status == ConcernStatus::Closed {
                        at += Duration::hours(18);
                        feedback += 1;
                        ev(
                            "close",
                            Some(ConcernStatus::Resolved),
                            ConcernStatus::Closed,
                            at,
                            None,
                            Some(
                                if roll % 5 == 0 {
                                    "基本满意"
                                } else {
                                    "满意"
                                }
                                .into(),
                            ),
                        );
                        updated = at;
                    }
                }
            }
            let open = matches!(
                status,
                ConcernStatus::Reported
                    | ConcernStatus::Accepted
                    | ConcernStatus::InProgress
                    | ConcernStatus::Reopened
            );
            let escalated = if open
                && (now > resolve_due || (status == ConcernStatus::Reported && now > accept_due))
            {
                let when = if status == ConcernStatus::Reported && now > accept_due {
                    accept_due
                } else {
                    resolve_due
                } + Duration::minutes(1);
                ev(
                    "escalate",
                    Some(status),
                    status,
                    when,
                    None,
                    Some("逾期未办结，提交街道督办".into()),
                );
                Some(when)
            } else {
                None
            };
            // The same dispute at one household comes back: linked repeats.
            let repeat_of_id = if cat == "dispute" && household_id.is_some() {
                match &first_at_household {
                    Some(root) if k % 2 == 1 => Some(root.clone()),
                    _ => {
                        first_at_household.get_or_insert(id.clone());
                        None
                    }
                }
            } else {
                None
            };
            let (household_id, grid_id) = match (&repeat_of_id, &first_at_household) {
                (Some(_), Some(root)) => (
                    rows.iter()
                        .find(|r| &r.id == root)
                        .and_then(|r| r.household_id.clone())
                        .or(household_id),
                    grid_id,
                ),
                _ => (household_id, grid_id),
            };
            rows.push(Concern {
                id: id.clone(),
                community_id: community.clone(),
                grid_id,
                household_id,
                visit_id: None,
                lng: None,
                lat: None,
                address: None,
                category: ConcernCategory::parse(cat).expect("demo data uses known values"),
                urgency: if cat == "safety" {
                    Urgency::Urgent
                } else {
                    Urgency::Normal
                },
                title: title.into(),
                description: format!("{title}，请尽快处理。"),
                reporter_id,
                reporter_name: reporter_name.trim_start_matches("居民 ").to_string(),
                contact_phone_masked: {
                    let phone = crate::phones::seal(
                        sealer,
                        crate::phones::PhoneColumn::ConcernContact,
                        &id,
                        Some(&format!("1390519{:04}", rng.next(10_000))),
                    );
                    let masked = phone.masked.clone();
                    phones.push((id.clone(), phone));
                    masked
                },
                channel: if by_grid1 {
                    "grid_worker".into()
                } else {
                    "resident".into()
                },
                status: status,
                handler_id,
                handler_name,
                accept_due_at: accept_due,
                resolve_due_at: resolve_due,
                accepted_at,
                resolved_at,
                resolution,
                reopen_count: reopened,
                feedback_count: feedback,
                warned_at: None,
                escalated_at: escalated,
                repeat_of_id,
                version: (events.len() - first_event) as i32,
                created_at: created,
                updated_at: updated,
            });
        }
    }
    crate::bulk_insert!(c, concerns::table, rows);
    for (id, phone) in phones {
        diesel::update(concern_phones::table.find(id))
            .set((
                concern_phones::contact_phone_sealed.eq(phone.sealed),
                concern_phones::contact_phone_index.eq(phone.index),
            ))
            .execute(c)?;
    }
    let event_rows: Vec<_> = events
        .into_iter()
        .map(|(id, concern, at, actor, action, from, to, note)| {
            (
                concern_events::id.eq(id),
                concern_events::concern_id.eq(concern),
                concern_events::at.eq(at),
                concern_events::actor_id.eq(actor),
                concern_events::actor_name.eq(Some(if action == "escalate" {
                    "系统".to_string()
                } else {
                    "新丰街".to_string()
                })),
                concern_events::action.eq(action),
                concern_events::from_status.eq(from),
                concern_events::to_status.eq(to),
                concern_events::note.eq(note),
            )
        })
        .collect();
    crate::bulk_insert!(c, concern_events::table, event_rows);
    polls_for(c, communities, &mut rng, now)
}

/// Last half-year's polls, closed: in 斜桥巷 one cadre is under 70 % (warned, with a
/// rectification) and one under 60 %; elsewhere most pass. This half-year's poll in 斜桥巷 is open.
fn polls_for(
    c: &mut DbConn,
    communities: &[String],
    rng: &mut Lcg,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let creator: String = users::table
        .filter(users::username.eq("community1"))
        .select(users::id)
        .first(c)?;
    let cadres = [
        ("王丽", "社区党委书记"),
        ("陈明", "社区居委会主任"),
        ("刘芳", "社区党委副书记"),
        ("赵强", "网格长"),
    ];
    for (ci, community) in communities.iter().enumerate() {
        let name: String = regions::table
            .find(community)
            .select(regions::name)
            .first(c)?;
        let poll = crate::new_id();
        let closed = now - Duration::days(150);
        let ballots = 80 + rng.next(60) as i32;
        diesel::insert_into(polls::table)
            .values((
                polls::id.eq(&poll),
                polls::community_id.eq(community),
                polls::title.eq(format!("{name}上半年社区干部民意测评")),
                polls::opens_at.eq(closed - Duration::days(14)),
                polls::closes_at.eq(closed),
                polls::closed_at.eq(Some(closed)),
                polls::rectification_days.eq(60),
                polls::ballots.eq(ballots),
                polls::created_by.eq(&creator),
                polls::version.eq(2),
                polls::created_at.eq(closed - Duration::days(15)),
                polls::updated_at.eq(closed),
            ))
            .execute(c)?;
        for (k, (cadre, position)) in cadres.iter().enumerate() {
            // Shares satisfied+basically: 斜桥巷's 陈明 at 66 %, 赵强 at 55 %; the rest 75–98 %.
            let good_pct: i32 = match (ci, k) {
                (0, 1) => 66,
                (0, 3) => 55,
                (3, 2) => 68,
                _ => 75 + rng.next(24) as i32,
            };
            let good = ballots * good_pct / 100;
            let satisfied = good * 3 / 4;
            let id = crate::new_id();
            diesel::insert_into(poll_cadres::table)
                .values((
                    poll_cadres::id.eq(&id),
                    poll_cadres::poll_id.eq(&poll),
                    poll_cadres::name.eq(cadre),
                    poll_cadres::position.eq(position),
                    poll_cadres::sort.eq(k as i32),
                    poll_cadres::satisfied.eq(satisfied),
                    poll_cadres::basically_satisfied.eq(good - satisfied),
                    poll_cadres::dissatisfied.eq(ballots - good),
                ))
                .execute(c)?;
            if crate::polls::service::outcome(good as i64, ballots as i64)
                == crate::polls::dto::Outcome::Warning
            {
                let due = crate::clock::local_date_of(closed) + Duration::days(60);
                diesel::insert_into(rectifications::table)
                    .values((
                        rectifications::id.eq(crate::new_id()),
                        rectifications::poll_id.eq(&poll),
                        rectifications::cadre_id.eq(&id),
                        rectifications::cadre_name.eq(cadre),
                        rectifications::satisfaction_rate.eq(crate::concerns::metrics::rate(
                            good as i64,
                            ballots as i64,
                        )
                        .unwrap_or(0.0)),
                        rectifications::due_on.eq(due),
                        rectifications::plan.eq(Some("每周二下午接待居民；逐户回访反映问题的楼栋")),
                        rectifications::status.eq(if ci == 0 { "open" } else { "done" }),
                        rectifications::report.eq(if ci == 0 {
                            None
                        } else {
                            Some("已完成整改，回访满意")
                        }),
                        rectifications::completed_at.eq(if ci == 0 {
                            None
                        } else {
                            Some(closed + Duration::days(40))
                        }),
                        rectifications::version.eq(1),
                        rectifications::created_at.eq(closed),
                        rectifications::updated_at.eq(closed),
                    ))
                    .execute(c)?;
            }
        }
        if ci == 0 {
            // This half-year's poll is open for votes.
            let open = crate::new_id();
            diesel::insert_into(polls::table)
                .values((
                    polls::id.eq(&open),
                    polls::community_id.eq(community),
                    polls::title.eq(format!("{name}下半年社区干部民意测评")),
                    polls::opens_at.eq(now - Duration::days(3)),
                    polls::closes_at.eq(now + Duration::days(12)),
                    polls::closed_at.eq(None::<NaiveDateTime>),
                    polls::rectification_days.eq(30),
                    polls::ballots.eq(0),
                    polls::created_by.eq(&creator),
                    polls::version.eq(1),
                    polls::created_at.eq(now - Duration::days(4)),
                    polls::updated_at.eq(now - Duration::days(4)),
                ))
                .execute(c)?;
            for (k, (cadre, position)) in cadres.iter().enumerate() {
                diesel::insert_into(poll_cadres::table)
                    .values((
                        poll_cadres::id.eq(crate::new_id()),
                        poll_cadres::poll_id.eq(&open),
                        poll_cadres::name.eq(cadre),
                        poll_cadres::position.eq(position),
                        poll_cadres::sort.eq(k as i32),
                    ))
                    .execute(c)?;
            }
        }
    }
    Ok(())
}
