//! Demo volunteers for 新丰街: 斜桥巷社区's seven colour-coded "七彩之光" teams (the seed report's
//! 都兰社区 model), the district's usual teams in the other communities (调解, 巡逻, 水暖电维修,
//! 义诊, 法律援助), 256 party-member volunteers (the seed's count for one street) and residents,
//! and a year of activities whose sign-ups, check-ins and hours are in the ledger; a few make-up
//! claims wait for approval and one entry has been corrected. member1 leads the orange team;
//! resident1 volunteers in it; an activity of that team is on now, so check-in can be tried.
use std::collections::HashMap;

use chrono::{Duration, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;

use super::Lcg;

use crate::db::schema::{
    branches, hour_claims, members, regions, team_members, volunteer_teams, volunteers,
};
use crate::db::DbConn;
use crate::volunteers::activities::{Activity, Signup};
use crate::volunteers::checkin::new_secret;
use crate::volunteers::dto::ActivityAttendance;
use crate::volunteers::dto::ActivityStatus;
use crate::volunteers::dto::HourKind;
use crate::volunteers::dto::HourSource;
use crate::volunteers::dto::SignupStatus;
use crate::volunteers::dto::TeamColour;
use crate::volunteers::dto::TeamKind;
use crate::volunteers::dto::TeamStatus;
use crate::volunteers::ledger::{month_of, Entry};
use crate::volunteers::teams::{Team, Volunteer};

pub const MEMBER_VOLUNTEERS: i64 = 256;

const RAINBOW: [(&str, &str, &str, &str); 7] = [
    ("七彩之光·红色五老宣讲队", "publicity", "red", "理论宣讲"),
    (
        "七彩之光·橙色党员服务队",
        "party_service",
        "orange",
        "为老服务",
    ),
    ("七彩之光·黄色健康医疗队", "health", "yellow", "义诊"),
    ("七彩之光·绿色环保队", "environment", "green", "垃圾分类"),
    ("七彩之光·青色科普宣传队", "science", "cyan", "防诈骗宣传"),
    ("七彩之光·蓝色巡逻队", "patrol", "blue", "夜间巡逻"),
    ("七彩之光·紫色文体活动队", "culture", "purple", "广场舞"),
];
const USUAL: [(&str, &str, &str); 5] = [
    ("维稳信访调解队", "mediation", "邻里调解"),
    ("义务巡逻队", "patrol", "治安巡逻"),
    ("水暖电维修队", "repair", "水电维修"),
    ("党员义诊队", "health", "测血压"),
    ("法律援助队", "legal_aid", "法律咨询"),
];
const TITLES: [&str; 8] = [
    "走访慰问独居老人",
    "楼道清理",
    "政策宣讲进楼栋",
    "义诊测血压",
    "垃圾分类桶边督导",
    "夜间治安巡逻",
    "防范电信诈骗讲座",
    "邻里节文艺汇演",
];
const SPECIALTIES: [&str; 5] = ["为老服务", "义诊", "水电维修", "法律咨询", "理发"];
const RESIDENTS: [&str; 12] = [
    "沈桂芳",
    "钱志明",
    "孙丽华",
    "周海平",
    "吴美玲",
    "郑国强",
    "王晓红",
    "冯建军",
    "陈月娥",
    "褚卫国",
    "卫秀珍",
    "蒋伟",
];

fn at_local(day: NaiveDate, hour: u32) -> NaiveDateTime {
    crate::clock::start_of(day) + Duration::hours(hour.into())
}

pub fn load(
    c: &mut DbConn,
    sealer: &crate::sealed::Sealer,
    communities: &[String],
    member1: &str,
    resident1: &str,
) -> QueryResult<()> {
    let mut rng = Lcg(2019);
    let now = Utc::now().naive_utc();
    let today = crate::clock::today();
    // Party-member volunteers: member1 first, then members across the street's communities.
    let mut picked: Vec<(String, String, Option<String>, Option<String>, String)> = members::table
        .inner_join(branches::table.inner_join(regions::table))
        .filter(members::status.eq("active"))
        .filter(regions::id.eq_any(communities))
        .order((members::user_id.is_null(), members::id.asc()))
        .limit(MEMBER_VOLUNTEERS)
        .select((
            members::id,
            members::name,
            members::phone_sealed,
            members::user_id,
            regions::id,
        ))
        .load(c)?;
    let mut vols: Vec<Volunteer> = picked
        .drain(..)
        .enumerate()
        .map(|(i, (mid, name, sealed, user, region))| {
            // The member's phone, sealed again for the volunteer record.
            let phone = crate::phones::reveal(
                sealer,
                crate::phones::PhoneColumn::Member,
                &mid,
                sealed.as_deref(),
                None,
            );
            Volunteer {
                id: crate::new_id(),
                name,
                phone_sealed: None,
                phone_index: None,
                phone_masked: None,
                member_id: Some(mid),
                user_id: user.filter(|u| u == member1),
                region_id: region,
                specialties: serde_json::json!([SPECIALTIES[i % SPECIALTIES.len()]]).to_string(),
                created_at: now,
            }
            .with_phone(sealer, phone.as_deref())
        })
        .collect();
    for (i, name) in RESIDENTS.iter().cycle().take(60).enumerate() {
        let user = (i == 0).then(|| resident1.to_owned());
        vols.push(
            Volunteer {
                id: crate::new_id(),
                name: if i == 0 {
                    "李秀英".into()
                } else if i < RESIDENTS.len() {
                    (*name).into()
                } else {
                    format!("{name}{}", i / RESIDENTS.len() + 1)
                },
                phone_sealed: None,
                phone_index: None,
                phone_masked: None,
                member_id: None,
                user_id: user,
                region_id: communities[if i < 20 { 0 } else { i % communities.len() }].clone(),
                specialties: "[]".into(),
                created_at: now,
            }
            .with_phone(sealer, Some(&format!("1390519{:04}", 1000 + i))),
        );
    }
    crate::bulk_insert!(c, volunteers::table, vols);

    // Teams: the rainbow in 斜桥巷社区, the usual ones elsewhere.
    let mut teams: Vec<Team> = vec![];
    for (name, kind, colour, spec) in RAINBOW {
        teams.push(team(name, kind, Some(colour), spec, &communities[0], now));
    }
    for (k, community) in communities.iter().enumerate().skip(1) {
        for j in 0..2 {
            let (name, kind, spec) = USUAL[(k + j * 2) % USUAL.len()];
            teams.push(team(name, kind, None, spec, community, now));
        }
    }
    // Members: each volunteer in one team of their community, some in a second.
    let mut by_community: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, t) in teams.iter().enumerate() {
        by_community
            .entry(t.region_id.as_str())
            .or_default()
            .push(i);
    }
    let mut roster: Vec<Vec<usize>> = vec![vec![]; teams.len()];
    for (vi, v) in vols.iter().enumerate() {
        let Some(ts) = by_community.get(v.region_id.as_str()) else {
            continue;
        };
        let first = ts[vi % ts.len()];
        roster[first].push(vi);
        if rng.next(3) == 0 {
            let second = ts[(vi + 1 + rng.next(ts.len() as u64) as usize) % ts.len()];
            if second != first {
                roster[second].push(vi);
            }
        }
    }
    // member1 (volunteer 0) leads the orange team, where resident1 serves too.
    let resident1_vol = vols
        .iter()
        .position(|v| v.user_id.as_deref() == Some(resident1))
        .expect("resident1 volunteers");
    for r in roster.iter_mut() {
        r.retain(|&v| v != 0 && v != resident1_vol);
    }
    roster[1].insert(0, 0);
    roster[1].push(resident1_vol);
    for (ti, t) in teams.iter_mut().enumerate() {
        t.leader_id = roster[ti].first().map(|&v| vols[v].id.clone());
        t.member_count = roster[ti].len() as i32;
    }
    crate::bulk_insert!(c, volunteer_teams::table, teams);
    let memberships: Vec<_> = roster
        .iter()
        .enumerate()
        .flat_map(|(ti, vs)| vs.iter().map(move |&v| (ti, v)))
        .map(|(ti, v)| {
            (
                team_members::team_id.eq(teams[ti].id.clone()),
                team_members::volunteer_id.eq(vols[v].id.clone()),
                team_members::joined_on.eq(today - Duration::days(400)),
            )
        })
        .collect();
    crate::bulk_insert!(c, team_members::table, memberships);

    // A year of activities: two a month per team, closed with their hours; then the next three
    // weeks open for sign-up; and one of the orange team's on now.
    let mut acts: Vec<Activity> = vec![];
    let mut signups: Vec<Signup> = vec![];
    let mut entries: Vec<Entry> = vec![];
    for (ti, t) in teams.iter().enumerate() {
        let people = &roster[ti];
        if people.is_empty() {
            continue;
        }
        for k in 0..26 {
            let past = k < 24;
            let day = if past {
                today - Duration::days(360 - k * 15 - (ti as i64 % 7))
            } else {
                today + Duration::days(3 + (k - 24) * 9 + (ti as i64 % 5))
            };
            let hour = if k % 2 == 0 { 9 } else { 14 };
            let (starts, ends) = (
                at_local(day, hour),
                at_local(day, hour) + Duration::hours(2),
            );
            let capacity = (people.len() as i32).clamp(3, 15);
            let mut a = activity(
                t,
                TITLES[(ti + k as usize) % TITLES.len()],
                starts,
                ends,
                capacity,
                if past { "closed" } else { "scheduled" },
                now,
            );
            let turnout = if past {
                60 + rng.next(41)
            } else {
                30 + rng.next(40)
            };
            for &v in people.iter().take(capacity as usize) {
                if rng.next(100) >= turnout && v != 0 {
                    continue;
                }
                let mut s = Signup {
                    activity_id: a.id.clone(),
                    volunteer_id: vols[v].id.clone(),
                    status: SignupStatus::Confirmed,
                    signed_up_at: starts - Duration::days(3),
                    updated_at: starts,
                    checked_in_at: None,
                    checked_out_at: None,
                    check_in_method: None,
                    attendance: None,
                };
                if past {
                    let roll = rng.next(100);
                    let (mark, late) = match roll {
                        0..=79 => ("present", 0),
                        80..=89 => ("late", 15 + rng.next(40) as i64),
                        90..=95 => ("excused", 0),
                        _ => ("absent", 0),
                    };
                    s.attendance =
                        Some(ActivityAttendance::parse(mark).expect("demo data uses known values"));
                    if matches!(mark, "present" | "late") {
                        s.checked_in_at =
                            Some(starts - Duration::minutes(5) + Duration::minutes(late));
                        s.checked_out_at = Some(ends + Duration::minutes(3));
                        s.check_in_method =
                            Some(if rng.next(2) == 0 { "code" } else { "position" }.into());
                        let minutes = if mark == "present" { 120 } else { 120 - late };
                        entries.push(entry(
                            &vols[v].id,
                            t,
                            &a.id,
                            "credited",
                            minutes as i32,
                            day,
                            None,
                            now,
                        ));
                    }
                }
                signups.push(s);
            }
            a.confirmed_count = signups.iter().filter(|s| s.activity_id == a.id).count() as i32;
            acts.push(a);
        }
    }
    // On now: started half an hour ago, member1 and resident1 hold places.
    let starts = now - Duration::minutes(30);
    let mut live = activity(
        &teams[1],
        "为独居老人送餐上门",
        starts,
        starts + Duration::hours(2),
        10,
        "scheduled",
        now,
    );
    live.latitude = Some(31.7795);
    live.longitude = Some(119.9597);
    for v in [0, resident1_vol] {
        signups.push(Signup {
            activity_id: live.id.clone(),
            volunteer_id: vols[v].id.clone(),
            status: SignupStatus::Confirmed,
            signed_up_at: now - Duration::days(1),
            updated_at: now,
            checked_in_at: None,
            checked_out_at: None,
            check_in_method: None,
            attendance: None,
        });
    }
    live.confirmed_count = 2;
    acts.push(live);

    // Make-up hours: approved ones in the ledger, a few waiting in the queue.
    let mut claims = vec![];
    let mut late: Vec<(String, String, String, NaiveDate)> = signups
        .iter()
        .filter(|s| s.attendance == Some(ActivityAttendance::Late))
        .filter_map(|s| {
            let a = acts.iter().find(|a| a.id == s.activity_id)?;
            Some((
                s.volunteer_id.clone(),
                a.team_id.clone(),
                a.id.clone(),
                crate::clock::local_date_of(a.starts_at),
            ))
        })
        .collect();
    // The orange team's first, so member1 has claims to decide.
    late.sort_by_key(|l| l.1 != teams[1].id);
    late.truncate(12);
    for (k, (v, team_id, act, day)) in late.into_iter().enumerate() {
        let pending = k % 3 == 2;
        let t = teams.iter().find(|t| t.id == team_id).expect("the team");
        let entry_id = (!pending).then(|| {
            let e = entry(
                &v,
                t,
                &act,
                "make_up",
                10,
                day,
                Some("签到前已到场协助布置"),
                now,
            );
            let id = e.id.clone();
            entries.push(e);
            id
        });
        claims.push((
            hour_claims::id.eq(crate::new_id()),
            hour_claims::volunteer_id.eq(v),
            hour_claims::team_id.eq(team_id),
            hour_claims::activity_id.eq(Some(act)),
            hour_claims::minutes.eq(10),
            hour_claims::served_on.eq(day),
            hour_claims::reason.eq("签到前已到场协助布置"),
            hour_claims::status.eq(if pending { "pending" } else { "approved" }),
            hour_claims::requested_by.eq("demo"),
            hour_claims::requested_at.eq(now - Duration::days(2)),
            hour_claims::decided_by.eq((!pending).then_some("demo")),
            hour_claims::decided_at.eq((!pending).then_some(now - Duration::days(1))),
            hour_claims::decision_note.eq(None::<String>),
            hour_claims::entry_id.eq(entry_id),
        ));
    }
    // One correction: a check-out recorded too late, reversed and replaced by 90 minutes.
    if let Some(first) = entries
        .iter()
        .find(|e| e.kind == HourKind::Credited)
        .cloned()
    {
        let mut rev = first.clone();
        rev.id = crate::new_id();
        rev.minutes = -first.minutes;
        rev.reverses_id = Some(first.id.clone());
        rev.note = Some("签退时间登记错误，更正为 1.5 小时".into());
        let mut rep = first.clone();
        rep.id = crate::new_id();
        rep.minutes = 90;
        rep.note = rev.note.clone();
        entries.push(rev);
        entries.push(rep);
    }
    crate::bulk_insert!(c, crate::db::schema::activities::table, acts);
    crate::bulk_insert!(c, crate::db::schema::activity_signups::table, signups);
    crate::bulk_insert!(c, crate::db::schema::service_hours::table, entries);
    crate::bulk_insert!(c, hour_claims::table, claims);
    crate::bulk_insert!(
        c,
        crate::db::schema::service_hours_monthly::table,
        monthly(&entries)
    );
    Ok(())
}

/// The monthly sums of a batch of ledger rows, as rows of `service_hours_monthly`.
#[allow(clippy::type_complexity)]
pub fn monthly(
    entries: &[Entry],
) -> Vec<(
    diesel::dsl::Eq<crate::db::schema::service_hours_monthly::region_id, String>,
    diesel::dsl::Eq<crate::db::schema::service_hours_monthly::month, String>,
    diesel::dsl::Eq<crate::db::schema::service_hours_monthly::volunteer_id, String>,
    diesel::dsl::Eq<crate::db::schema::service_hours_monthly::credited_minutes, i64>,
    diesel::dsl::Eq<crate::db::schema::service_hours_monthly::make_up_minutes, i64>,
)> {
    use crate::db::schema::service_hours_monthly as m;
    let mut sums: HashMap<(String, String, String), (i64, i64)> = HashMap::new();
    for e in entries {
        let s = sums
            .entry((
                e.region_id.clone(),
                month_of(e.served_on),
                e.volunteer_id.clone(),
            ))
            .or_default();
        if e.kind == HourKind::Credited {
            s.0 += i64::from(e.minutes);
        } else {
            s.1 += i64::from(e.minutes);
        }
    }
    sums.into_iter()
        .map(|((r, mo, v), (cr, mu))| {
            (
                m::region_id.eq(r),
                m::month.eq(mo),
                m::volunteer_id.eq(v),
                m::credited_minutes.eq(cr),
                m::make_up_minutes.eq(mu),
            )
        })
        .collect()
}

/// A bench team: the kinds in turn, named by number.
pub fn activity_team(n: usize, region: &str, now: NaiveDateTime) -> Team {
    let (_, kind, spec) = USUAL[n % USUAL.len()];
    team(&format!("基准服务队{n:05}"), kind, None, spec, region, now)
}

fn team(
    name: &str,
    kind: &str,
    colour: Option<&str>,
    spec: &str,
    region: &str,
    now: NaiveDateTime,
) -> Team {
    Team {
        id: crate::new_id(),
        name: name.into(),
        kind: TeamKind::parse(kind).expect("demo data uses known values"),
        colour: colour.map(|c| TeamColour::parse(c).expect("demo data uses known values")),
        specialties: serde_json::json!([spec]).to_string(),
        description: None,
        region_id: region.into(),
        branch_id: None,
        leader_id: None,
        status: TeamStatus::Active,
        member_count: 0,
        calendar_secret: new_secret(),
        version: 1,
        created_at: now,
        updated_at: now,
    }
}

pub fn activity(
    t: &Team,
    title: &str,
    starts: NaiveDateTime,
    ends: NaiveDateTime,
    capacity: i32,
    status: &str,
    now: NaiveDateTime,
) -> Activity {
    Activity {
        id: crate::new_id(),
        team_id: t.id.clone(),
        title: title.into(),
        description: None,
        place: "社区党群服务中心".into(),
        latitude: None,
        longitude: None,
        check_in_radius_m: 200,
        starts_at: starts,
        ends_at: ends,
        capacity,
        confirmed_count: 0,
        waitlist_count: 0,
        status: ActivityStatus::parse(status).expect("demo data uses known values"),
        code_secret: new_secret(),
        created_by: "demo".into(),
        version: 1,
        created_at: now,
        updated_at: now,
    }
}

#[allow(clippy::too_many_arguments)]
pub fn entry(
    volunteer: &str,
    t: &Team,
    activity: &str,
    kind: &str,
    minutes: i32,
    day: NaiveDate,
    note: Option<&str>,
    now: NaiveDateTime,
) -> Entry {
    Entry {
        id: crate::new_id(),
        volunteer_id: volunteer.into(),
        team_id: Some(t.id.clone()),
        region_id: t.region_id.clone(),
        source: HourSource::Activity,
        source_id: Some(activity.into()),
        kind: HourKind::parse(kind).expect("demo data uses known values"),
        minutes,
        served_on: day,
        reverses_id: None,
        note: note.map(str::to_owned),
        recorded_by: None,
        created_at: now,
    }
}
