//! `tongxin seed-bench --scale N`: a city-sized synthetic dataset for `scripts/bench` — N
//! branches spread over streets of 13 communities, and the accounts the benchmark signs in as.
use chrono::Utc;
use diesel::prelude::*;

use super::{insert_region, Node};
use crate::auth::caller::Actor;
use crate::auth::Role;
use crate::concerns::dto::ConcernCategory;
use crate::concerns::dto::ConcernStatus;
use crate::concerns::dto::Urgency;
use crate::db::schema::{branches, users};
use crate::db::DbConn;
use crate::meetings::dto::MeetingKind;
use crate::members::dto::Category;
use crate::members::dto::Gender;
use crate::members::dto::MemberStatus;
use crate::tree;
use crate::users::dto::{CreateGrant, CreateUser};

pub const PASSWORD: &str = "bench-password";
/// Party organisations per street: generous (the seed street has 13 communities and 1,530
/// members), so a street account sees a realistic slice of a city-sized table.
const BRANCHES_PER_STREET: usize = 500;
const COMMUNITIES_PER_STREET: usize = 13;

/// City-scale grids for the grid benchmarks: `grids` grids spread over the bench streets'
/// communities, 100 households each and `visits_per_household` visits over the past year.
pub struct GridScale {
    pub grids: usize,
    pub households_per_grid: usize,
    pub visits_per_household: f64,
}

pub fn seed(
    conn: &mut DbConn,
    sealer: &crate::sealed::Sealer,
    scale: usize,
    grids: Option<GridScale>,
    members: Option<MemberScale>,
    volunteers: Option<VolunteerScale>,
    orders: Option<usize>,
) -> Result<(), String> {
    let taken: i64 = users::table
        .filter(users::username.eq("bench-admin"))
        .count()
        .get_result(conn)
        .map_err(|e| e.to_string())?;
    if taken > 0 {
        return Err("this database already holds a bench dataset; use a fresh one".into());
    }
    let started = std::time::Instant::now();
    conn.transaction(|c| seed_inner(c, scale.max(1)))
        .map_err(|e: crate::error::ApiError| e.detail)?;
    if let Some(g) = grids {
        let t = std::time::Instant::now();
        seed_grids(conn, sealer, &g).map_err(|e| e.to_string())?;
        println!(
            "seeded {} grids, {} households, about {} visits in {:.1}s",
            g.grids,
            g.grids * g.households_per_grid,
            (g.grids as f64 * g.households_per_grid as f64 * g.visits_per_household) as u64,
            t.elapsed().as_secs_f64()
        );
    }
    if let Some(m) = members {
        let t = std::time::Instant::now();
        seed_members(conn, sealer, &m).map_err(|e| e.to_string())?;
        println!(
            "seeded {} members and about {} attendance rows in {:.1}s",
            m.members,
            m.attendance,
            t.elapsed().as_secs_f64()
        );
    }
    if let Some(v) = volunteers {
        let t = std::time::Instant::now();
        seed_volunteers(conn, &v).map_err(|e| e.to_string())?;
        println!(
            "seeded {} volunteer teams, {} activities and {} ledger rows in {:.1}s",
            v.teams,
            v.activities,
            v.entries,
            t.elapsed().as_secs_f64()
        );
    }
    if let Some(n) = orders {
        let t = std::time::Instant::now();
        seed_orders(conn, n).map_err(|e| e.to_string())?;
        println!(
            "seeded {n} service orders in {:.1}s",
            t.elapsed().as_secs_f64()
        );
    }
    // Fresh statistics, as a production database has them: without them PostgreSQL plans the
    // bulk-loaded tables as if they were empty.
    diesel::connection::SimpleConnection::batch_execute(conn, "ANALYZE")
        .map_err(|e| e.to_string())?;
    println!(
        "seeded {scale} branches in {:.1}s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn seed_inner(c: &mut DbConn, scale: usize) -> Result<(), crate::error::ApiError> {
    let streets = scale.div_ceil(BRANCHES_PER_STREET);
    let district = insert_region(c, None, "district", "基准区", Some("bench".into()))?;
    let mut first_street = None;
    let mut first_community = None;
    let mut made = 0usize;
    let now = Utc::now().naive_utc();
    for s in 0..streets {
        let street = insert_region(
            c,
            Some(&district),
            "street",
            &format!("基准街道{s:03}"),
            Some(format!("bench-{s:03}")),
        )?;
        let wc = super::insert_branch(
            c,
            None,
            &street,
            "working_committee",
            "formal",
            &format!("基准街道{s:03}党工委"),
            None,
        )?;
        made += 1;
        let per_community =
            (scale.min(made + BRANCHES_PER_STREET) - made).div_ceil(COMMUNITIES_PER_STREET);
        for k in 0..COMMUNITIES_PER_STREET {
            if made >= scale {
                break;
            }
            let community = insert_region(
                c,
                Some(&street),
                "community",
                &format!("基准社区{s:03}-{k:02}"),
                Some(format!("bench-{s:03}-{k:02}")),
            )?;
            let gb = super::insert_branch(
                c,
                Some(&wc),
                &community,
                "general_branch",
                "formal",
                &format!("基准社区{s:03}-{k:02}党总支"),
                None,
            )?;
            made += 1;
            let count = per_community.min(scale - made);
            let mut rows = Vec::with_capacity(count);
            for b in 0..count {
                let id = crate::new_id();
                rows.push((
                    branches::id.eq(id.clone()),
                    branches::parent_id.eq(Some(gb.id.clone())),
                    branches::region_id.eq(community.id.clone()),
                    branches::kind.eq("branch"),
                    branches::establishment.eq(if b % 17 == 0 { "interest" } else { "formal" }),
                    branches::name.eq(format!("第{b:04}党支部")),
                    branches::secretary_name.eq(Some(super::person(b))),
                    branches::member_count.eq(0),
                    branches::path.eq(tree::child_path(Some(&gb.path), &id)),
                    branches::depth.eq(gb.depth + 1),
                    branches::version.eq(1),
                    branches::created_at.eq(now),
                    branches::updated_at.eq(now),
                ));
            }
            crate::bulk_insert!(c, branches::table, rows);
            made += count;
            if first_community.is_none() {
                first_community = Some(Node {
                    id: community.id.clone(),
                    path: community.path.clone(),
                    depth: community.depth,
                });
            }
        }
        if first_street.is_none() {
            first_street = Some(street);
        }
    }
    let actor = Actor {
        id: None,
        name: Some("seed-bench".into()),
        addr: None,
    };
    let grant = |role: Role, scope: Option<&Node>| {
        vec![CreateGrant {
            role,
            scope_id: scope.map(|n| n.id.clone()),
        }]
    };
    for (username, grants) in [
        ("bench-admin", grant(Role::Admin, None)),
        (
            "bench-street",
            grant(Role::StreetStaff, first_street.as_ref()),
        ),
        (
            "bench-community",
            grant(Role::CommunityStaff, first_community.as_ref()),
        ),
    ] {
        let input = CreateUser {
            username: username.into(),
            display_name: username.into(),
            password: PASSWORD.into(),
            grants,
            community_id: None,
        };
        crate::users::service::create_demo(c, &actor, input)?;
    }
    Ok(())
}

fn seed_grids(c: &mut DbConn, sealer: &crate::sealed::Sealer, g: &GridScale) -> QueryResult<()> {
    use crate::db::schema::{grids, households, regions, visits};
    let communities: Vec<(String, String)> = regions::table
        .filter(regions::level.eq("community"))
        .order(regions::path.asc())
        .select((regions::id, regions::code.assume_not_null()))
        .load(c)?;
    let worker: String = users::table
        .filter(users::username.eq("bench-street"))
        .select(users::id)
        .first(c)?;
    let today = crate::clock::today();
    let now = Utc::now().naive_utc();
    let mut rng = 0x2545F4914F6CDD1Du64;
    let mut next = move |below: u64| {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng % below.max(1)
    };
    let per_community = g.grids.div_ceil(communities.len().max(1));
    let mut made = 0usize;
    for (ci, (community_id, code)) in communities.iter().enumerate() {
        // Each grid gets its own transaction-sized batch, so memory stays flat at any scale.
        c.transaction(|c| -> QueryResult<()> {
            for k in 0..per_community.min(g.grids - made.min(g.grids)) {
                let grid_id = crate::new_id();
                let (x, y) = (100.0 + (ci % 100) as f64 * 0.05 + (k % 10) as f64 * 0.004, 30.0 + (ci / 100) as f64 * 0.05 + (k / 10) as f64 * 0.004);
                let boundary = serde_json::json!({"type": "Polygon", "coordinates": [[[x, y], [x + 0.004, y], [x + 0.004, y + 0.004], [x, y + 0.004], [x, y]]]});
                diesel::insert_into(grids::table)
                    .values((
                        grids::id.eq(&grid_id),
                        grids::community_id.eq(community_id),
                        grids::name.eq(format!("网格{k:03}")),
                        grids::code.eq(format!("{code}-g{k:03}")),
                        grids::household_count.eq(g.households_per_grid as i32),
                        grids::boundary.eq(boundary.to_string()),
                        grids::min_lng.eq(x),
                        grids::min_lat.eq(y),
                        grids::max_lng.eq(x + 0.004),
                        grids::max_lat.eq(y + 0.004),
                        grids::version.eq(1),
                        grids::created_at.eq(now),
                        grids::updated_at.eq(now),
                    ))
                    .execute(c)?;
                let mut hh = Vec::with_capacity(g.households_per_grid);
                let mut vs = vec![];
                for h in 0..g.households_per_grid {
                    let hid = crate::new_id();
                    let phone = crate::phones::seal(sealer, crate::phones::PhoneColumn::HouseholdHead, &hid, Some(&format!("138{:08}", h)));
                    let key = next(10) == 0;
                    let n = (g.visits_per_household + (next(100) as f64 / 100.0 - 0.5)).round().max(0.0) as usize;
                    let mut last = None;
                    for _ in 0..n {
                        let day = today - chrono::Duration::days(next(365) as i64);
                        last = last.max(Some(day));
                        vs.push((
                            visits::id.eq(crate::new_id()),
                            visits::household_id.eq(hid.clone()),
                            visits::grid_id.eq(grid_id.clone()),
                            visits::worker_id.eq(Some(worker.clone())),
                            visits::worker_name.eq(format!("网格员{k:03}")),
                            visits::visited_on.eq(day),
                            visits::kind.eq("routine"),
                            visits::concern_found.eq(false),
                            visits::created_at.eq(now),
                        ));
                    }
                    hh.push((
                        households::id.eq(hid),
                        households::grid_id.eq(grid_id.clone()),
                        households::building.eq(format!("{}幢", h / 20 + 1)),
                        households::unit.eq(format!("{}单元", (h / 10) % 2 + 1)),
                        households::room.eq(format!("{}", 101 + h % 10)),
                        households::residents.eq(2),
                        households::head_name.eq(super::person(h)),
                        households::head_phone_sealed.eq(phone.sealed),
                        households::head_phone_index.eq(phone.index),
                        households::head_phone_masked.eq(phone.masked),
                        households::tags.eq(if key { ",elderly_alone," } else { "" }),
                        households::key_group.eq(key),
                        households::last_visited_on.eq(last),
                        households::version.eq(1),
                        households::created_at.eq(now),
                        households::updated_at.eq(now),
                    ));
                }
                crate::bulk_insert!(c, households::table, hh);
                crate::bulk_insert!(c, visits::table, vs);
                made += 1;
            }
            Ok(())
        })?;
        if made >= g.grids {
            break;
        }
    }
    diesel::connection::SimpleConnection::batch_execute(c, "ANALYZE")?;
    Ok(())
}

/// City-scale party members: `members` members spread over the formal branches, and meetings
/// over the past year whose attendance sheets add up to about `attendance` rows.
pub struct MemberScale {
    pub members: usize,
    pub attendance: usize,
}

pub fn seed_members(
    c: &mut DbConn,
    sealer: &crate::sealed::Sealer,
    m: &MemberScale,
) -> QueryResult<()> {
    use crate::db::schema::{meeting_attendance, meetings, members};
    use crate::members::{id_number, service as member_service};
    let branch_ids: Vec<String> = branches::table
        .filter(branches::kind.eq("branch"))
        .filter(branches::establishment.eq("formal"))
        .order(branches::path.asc())
        .select(branches::id)
        .load(c)?;
    if branch_ids.is_empty() {
        return Ok(());
    }
    let today = crate::clock::today();
    let now = Utc::now().naive_utc();
    let per_branch = m.members.div_ceil(branch_ids.len());
    let meetings_per_branch = (m.attendance / per_branch.max(1))
        .div_ceil(branch_ids.len())
        .max(1);
    const CATEGORIES: [&str; 5] = ["retired", "in_service", "direct", "mobile", "new_org"];
    let mut made = 0usize;
    for chunk in branch_ids.chunks(2000) {
        c.transaction(|c| -> QueryResult<()> {
            let mut rows = Vec::new();
            let mut sheets = Vec::new();
            let mut ms = Vec::new();
            for b in chunk {
                let mut roster = vec![];
                for _ in 0..per_branch.min(m.members - made.min(m.members)) {
                    let id = crate::new_id();
                    // Unique numbers: 500 sequence numbers per birth date, a distinct birth date for
                    // every 500 members (7919 is prime to the 21,900-day span), a new area code
                    // every 500,000.
                    let birth = today
                        - chrono::Duration::days(
                            365 * 22 + ((made / 500) as i64 * 7919) % (365 * 60),
                        );
                    let area = ["320402", "320404", "320411", "320412"][(made / 500_000) % 4];
                    let value = id_number::make(
                        area,
                        birth,
                        (made % 500) as u32 * 2 + (made / 500 % 2) as u32,
                    );
                    let joined = birth + chrono::Duration::days(365 * 20);
                    let category = CATEGORIES[made % 5];
                    let phone = crate::phones::seal(
                        sealer,
                        crate::phones::PhoneColumn::Member,
                        &id,
                        Some(&format!("139{:08}", made)),
                    );
                    rows.push(member_service::Member {
                        id_number_sealed: sealer.seal(&member_service::seal_context(&id), &value),
                        id_number_index: sealer.blind_index("id_number", &value),
                        id_number_masked: id_number::mask(&value),
                        branch_id: b.clone(),
                        name: super::person(made),
                        gender: if value.as_bytes()[16] % 2 == 1 {
                            Gender::Male
                        } else {
                            Gender::Female
                        },
                        birth_date: birth,
                        phone_sealed: phone.sealed,
                        phone_index: phone.index,
                        phone_masked: phone.masked,
                        education: None,
                        joined_on: joined,
                        join_md: joined.format("%m-%d").to_string(),
                        full_member_on: Some(joined + chrono::Duration::days(365)),
                        category: Category::parse(category).expect("demo data uses known values"),
                        grid_id: None,
                        household_id: None,
                        work_unit: (category == "in_service").then(|| "基准单位".to_string()),
                        user_id: None,
                        status: MemberStatus::Active,
                        status_changed_on: None,
                        status_reason: None,
                        version: 1,
                        created_at: now,
                        updated_at: now,
                        id: id.clone(),
                    });
                    roster.push((id, super::person(made)));
                    made += 1;
                }
                for k in 0..meetings_per_branch {
                    let mid = crate::new_id();
                    let held_on = today
                        - chrono::Duration::days(((k * 365) / meetings_per_branch) as i64 + 1);
                    let mut present = 0;
                    for (i, (member_id, name)) in roster.iter().enumerate() {
                        let here = (i + k) % 5 != 0;
                        present += i32::from(here);
                        sheets.push((
                            meeting_attendance::meeting_id.eq(mid.clone()),
                            meeting_attendance::member_id.eq(member_id.clone()),
                            meeting_attendance::member_name.eq(name.clone()),
                            meeting_attendance::status.eq(if here { "present" } else { "absent" }),
                        ));
                    }
                    ms.push(crate::meetings::service::Meeting {
                        id: mid,
                        branch_id: b.clone(),
                        kind: [
                            MeetingKind::ThemedPartyDay,
                            MeetingKind::GeneralMeeting,
                            MeetingKind::PartyLecture,
                            MeetingKind::CommitteeMeeting,
                        ][k % 4],
                        held_on,
                        topic: "基准会议".into(),
                        place: None,
                        minutes: None,
                        expected_count: roster.len() as i32,
                        present_count: present,
                        excused_count: 0,
                        recorded: true,
                        version: 1,
                        created_at: now,
                        updated_at: now,
                    });
                }
            }
            crate::bulk_insert!(c, members::table, rows);
            crate::bulk_insert!(c, meetings::table, ms);
            crate::bulk_insert!(c, meeting_attendance::table, sheets);
            Ok(())
        })?;
    }
    diesel::update(
        branches::table
            .filter(branches::kind.eq("branch"))
            .filter(branches::establishment.eq("formal")),
    )
    .set(branches::member_count.eq(per_branch as i32))
    .execute(c)?;
    Ok(())
}

/// A roster import file: `rows` distinct members (Beijing address codes, so they never meet the
/// seeded ones) for one branch, in the template's columns.
pub fn roster_file(rows: usize, branch: &str) -> String {
    let mut out = String::from("所在支部(branch),姓名(name),性别(gender),身份证号(id_number),手机号(phone),学历(education),入党日期(joined_on),转正日期(full_member_on),党员类别(category),工作单位(work_unit)\n");
    let base = chrono::NaiveDate::from_ymd_opt(1950, 1, 1).expect("a date");
    for i in 0..rows {
        let birth = base + chrono::Duration::days((i / 1000) as i64 * 37 % 18000);
        let area = format!("1101{:02}", 1 + (i / 1000) / 486);
        let id = crate::members::id_number::make(&area, birth, (i % 1000) as u32);
        let joined = birth + chrono::Duration::days(365 * 25);
        out.push_str(&format!(
            "{branch},{},,{id},139{:08},本科,{joined},,直管,\n",
            super::person(i),
            i
        ));
    }
    out
}

/// Sizes of the volunteer dataset (`--teams`, `--activities`, `--hour-entries`).
pub struct VolunteerScale {
    pub teams: usize,
    pub activities: usize,
    pub entries: usize,
}

/// Volunteer teams spread over the communities (20 volunteers each), their activities over the
/// past year, and ledger rows: each row a volunteer's hours at one of their team's activities. The
/// monthly sums are built from the rows, as the ledger keeps them.
pub fn seed_volunteers(c: &mut DbConn, v: &VolunteerScale) -> QueryResult<()> {
    use crate::db::schema::{
        activities, regions, service_hours, service_hours_monthly, team_members, volunteer_teams,
        volunteers,
    };
    const PER_TEAM: usize = 20;
    let communities: Vec<String> = regions::table
        .filter(regions::level.eq("community"))
        .order(regions::path.asc())
        .select(regions::id)
        .load(c)?;
    if communities.is_empty() || v.teams == 0 {
        return Ok(());
    }
    let today = crate::clock::today();
    let now = Utc::now().naive_utc();
    let acts_per_team = v.activities.div_ceil(v.teams).max(1);
    let entries_per_team = v.entries.div_ceil(v.teams);
    let mut monthly: std::collections::HashMap<(usize, usize, String), i64> =
        std::collections::HashMap::new();
    let mut made_entries = 0usize;
    let mut ids: std::collections::HashMap<(usize, usize), (String, String)> =
        std::collections::HashMap::new();
    for chunk_start in (0..v.teams).step_by(500) {
        c.transaction(|c| -> QueryResult<()> {
            let (mut vols, mut teams, mut tm, mut acts, mut rows) =
                (vec![], vec![], vec![], vec![], vec![]);
            for t in chunk_start..(chunk_start + 500).min(v.teams) {
                let region = &communities[t % communities.len()];
                let mut team = crate::demo::volunteers::activity_team(t, region, now);
                team.member_count = PER_TEAM as i32;
                let people: Vec<String> = (0..PER_TEAM).map(|_| crate::new_id()).collect();
                for (k, id) in people.iter().enumerate() {
                    vols.push((
                        volunteers::id.eq(id.clone()),
                        volunteers::name.eq(format!("志愿者{t}-{k}")),
                        volunteers::region_id.eq(region.clone()),
                        volunteers::specialties.eq("[]"),
                        volunteers::created_at.eq(now),
                    ));
                    tm.push((
                        team_members::team_id.eq(team.id.clone()),
                        team_members::volunteer_id.eq(id.clone()),
                        team_members::joined_on.eq(today - chrono::Duration::days(400)),
                    ));
                }
                let mut act_ids = vec![];
                for k in 0..acts_per_team {
                    let day = today - chrono::Duration::days(1 + (k * 365 / acts_per_team) as i64);
                    let starts = crate::clock::start_of(day) + chrono::Duration::hours(9);
                    let a = crate::demo::volunteers::activity(
                        &team,
                        "基准活动",
                        starts,
                        starts + chrono::Duration::hours(2),
                        PER_TEAM as i32,
                        "closed",
                        now,
                    );
                    act_ids.push((a.id.clone(), day));
                    acts.push(a);
                }
                for k in 0..entries_per_team.min(v.entries - made_entries.min(v.entries)) {
                    let (act, day) = &act_ids[k % act_ids.len()];
                    let who = (k / act_ids.len() + k) % PER_TEAM;
                    let e = crate::demo::volunteers::entry(
                        &people[who],
                        &team,
                        act,
                        "credited",
                        120,
                        *day,
                        None,
                        now,
                    );
                    *monthly
                        .entry((t, who, crate::volunteers::ledger::month_of(*day)))
                        .or_default() += 120;
                    rows.push(e);
                    made_entries += 1;
                }
                // The people's ids, for the monthly sums below.
                for (k, id) in people.into_iter().enumerate() {
                    ids.insert((t, k), (id, region.clone()));
                }
                teams.push(team);
            }
            crate::bulk_insert!(c, volunteers::table, vols);
            crate::bulk_insert!(c, volunteer_teams::table, teams);
            crate::bulk_insert!(c, team_members::table, tm);
            crate::bulk_insert!(c, activities::table, acts);
            crate::bulk_insert!(c, service_hours::table, rows);
            Ok(())
        })?;
    }
    let sums: Vec<_> = monthly
        .into_iter()
        .map(|((t, k, month), minutes)| {
            let (vid, region) = ids.get(&(t, k)).cloned().expect("a seeded volunteer");
            (
                service_hours_monthly::region_id.eq(region),
                service_hours_monthly::month.eq(month),
                service_hours_monthly::volunteer_id.eq(vid),
                service_hours_monthly::credited_minutes.eq(minutes),
                service_hours_monthly::make_up_minutes.eq(0i64),
            )
        })
        .collect();
    for chunk in sums.chunks(200_000) {
        c.transaction(|c| -> QueryResult<()> {
            crate::bulk_insert!(c, service_hours_monthly::table, chunk);
            Ok(())
        })?;
    }
    Ok(())
}

/// `n` service orders over the communities' past five months, in every state (rows only: the
/// bench reads the dispatch board and measures creation through the API, timeline included).
pub fn seed_orders(c: &mut DbConn, n: usize) -> QueryResult<()> {
    use crate::db::schema::{regions, service_orders as o};
    let communities: Vec<String> = regions::table
        .filter(regions::level.eq("community"))
        .order(regions::path.asc())
        .select(regions::id)
        .load(c)?;
    let resident: String = users::table
        .filter(users::username.eq("bench-street"))
        .select(users::id)
        .first(c)?;
    if communities.is_empty() {
        return Ok(());
    }
    let now = Utc::now().naive_utc();
    const STATES: [&str; 6] = [
        "ordered",
        "dispatched",
        "accepted",
        "completed",
        "rated",
        "cancelled",
    ];
    let mut made = 0usize;
    while made < n {
        let batch = (n - made).min(50_000);
        c.transaction(|c| -> QueryResult<()> {
            let rows: Vec<_> = (made..made + batch)
                .map(|i| {
                    let created = now - chrono::Duration::minutes((i % 216_000) as i64);
                    let state = STATES[(i * 7) % STATES.len()];
                    (
                        o::id.eq(crate::new_id()),
                        o::community_id.eq(communities[i % communities.len()].clone()),
                        o::resident_id.eq(resident.clone()),
                        o::resident_name.eq("基准居民"),
                        o::title.eq("上门服务"),
                        o::status.eq(state),
                        o::dispatched_at.eq((state != "ordered").then_some(created)),
                        o::accept_due_at
                            .eq((state != "ordered")
                                .then_some(created + chrono::Duration::hours(24))),
                        o::evidence.eq("[]"),
                        o::version.eq(1),
                        o::created_at.eq(created),
                        o::updated_at.eq(created),
                    )
                })
                .collect();
            crate::bulk_insert!(c, o::table, rows);
            Ok(())
        })?;
        made += batch;
    }
    Ok(())
}

/// `n` resident concerns over the communities' past year, in every state, with due times some
/// of them missed (rows only: `/stats` and the 12345 measures read them).
pub fn seed_concerns(c: &mut DbConn, n: usize) -> QueryResult<()> {
    use crate::concerns::service::Concern;
    use crate::db::schema::{concerns, regions};
    let communities: Vec<String> = regions::table
        .filter(regions::level.eq("community"))
        .order(regions::path.asc())
        .select(regions::id)
        .load(c)?;
    let reporter: String = users::table
        .filter(users::username.eq("bench-street"))
        .select(users::id)
        .first(c)?;
    if communities.is_empty() {
        return Ok(());
    }
    let now = Utc::now().naive_utc();
    const STATES: [&str; 7] = [
        "closed",
        "closed",
        "closed",
        "resolved",
        "in_progress",
        "reported",
        "reopened",
    ];
    const CATEGORIES: [&str; 7] = [
        "opinion",
        "dispute",
        "safety",
        "market",
        "environment",
        "facility",
        "other",
    ];
    let mut made = 0usize;
    while made < n {
        let batch = (n - made).min(20_000);
        c.transaction(|c| -> QueryResult<()> {
            let rows: Vec<Concern> = (made..made + batch)
                .map(|i| {
                    let created = now - chrono::Duration::minutes(((i * 37) % 525_600) as i64);
                    let state = STATES[(i * 3) % STATES.len()];
                    let done = matches!(state, "closed" | "resolved");
                    let late = i % 9 == 0;
                    Concern {
                        id: crate::new_id(),
                        community_id: communities[i % communities.len()].clone(),
                        grid_id: None,
                        household_id: None,
                        visit_id: None,
                        lng: None,
                        lat: None,
                        address: None,
                        category: ConcernCategory::parse(CATEGORIES[i % CATEGORIES.len()])
                            .expect("demo data uses known values"),
                        urgency: Urgency::Normal,
                        title: "基准诉求".into(),
                        description: "bench".into(),
                        reporter_id: reporter.clone(),
                        reporter_name: "基准居民".into(),
                        contact_phone_masked: None,
                        channel: "resident".into(),
                        status: ConcernStatus::parse(state).expect("demo data uses known values"),
                        handler_id: None,
                        handler_name: "社区居委会".into(),
                        accept_due_at: created + chrono::Duration::hours(24),
                        resolve_due_at: created + chrono::Duration::hours(168),
                        accepted_at: (state != "reported")
                            .then(|| created + chrono::Duration::hours(if late { 30 } else { 3 })),
                        resolved_at: done.then(|| {
                            created + chrono::Duration::hours(if late { 200 } else { 48 })
                        }),
                        resolution: done.then(|| "ok".to_string()),
                        reopen_count: (state == "reopened" || i % 13 == 0) as i32,
                        feedback_count: (state == "closed") as i32
                            + (state == "reopened" || i % 13 == 0) as i32,
                        warned_at: None,
                        escalated_at: None,
                        repeat_of_id: None,
                        version: 1,
                        created_at: created,
                        updated_at: created,
                    }
                })
                .collect();
            crate::bulk_insert!(c, concerns::table, rows);
            Ok(())
        })?;
        made += batch;
    }
    Ok(())
}
