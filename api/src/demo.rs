//! Demo data for `tongxin serve --demo`: a district modelled on the seed reports — 新丰街 with its
//! 13 communities (12 community general branches and one community branch, as the report says),
//! 花园路 with community "big committees", grid branches, building party groups, an interest-based
//! branch (心相连艺术团党支部) and regional joint committees — plus the demo accounts.
pub mod bench;
pub mod concerns;
pub mod orders;
pub mod party;
pub mod services;
pub mod volunteers;

/// Multi-row INSERTs in chunks. diesel's MultiBackend has no batch insert, so bulk loaders reach
/// for the concrete connection.
#[macro_export]
macro_rules! bulk_insert {
    ($conn:expr, $table:expr, $rows:expr) => {
        for chunk in $rows.chunks(500) {
            match &mut *$conn {
                $crate::db::DbConn::Sqlite(s) => {
                    diesel::insert_into($table).values(chunk).execute(s)?
                }
                $crate::db::DbConn::Pg(p) => {
                    diesel::insert_into($table).values(chunk).execute(p)?
                }
            };
        }
    };
}

use chrono::Utc;
use diesel::prelude::*;

use crate::auth::caller::Actor;
use crate::auth::Role;
use crate::db::schema::{branches, grid_roles, grids, households, regions, users, visits};
use crate::db::DbConn;
use crate::tree;
use crate::users::dto::{CreateGrant, CreateUser};

pub const PASSWORD: &str = "tongxin-demo";
pub const ACCOUNTS: [&str; 9] = [
    "admin",
    "street1",
    "community1",
    "community2",
    "grid1",
    "secretary1",
    "unit1",
    "member1",
    "resident1",
];

const XINFENG_COMMUNITIES: [&str; 13] = [
    "斜桥巷社区",
    "新丰街社区",
    "北直街社区",
    "东横街社区",
    "关河路社区",
    "红梅新村社区",
    "丽华社区",
    "朝阳社区",
    "竹林社区",
    "青山湾社区",
    "兰陵社区",
    "天宁寺社区",
    "舣舟亭社区",
];
const HUAYUAN_COMMUNITIES: [&str; 8] = [
    "省银行社区",
    "卫生厅社区",
    "省民航社区",
    "农业院社区",
    "工业院社区",
    "省供销社社区",
    "省水利厅社区",
    "通信花园社区",
];

pub struct Node {
    pub id: String,
    pub path: String,
    pub depth: i32,
}

pub fn insert_region(
    conn: &mut DbConn,
    parent: Option<&Node>,
    level: &str,
    name: &str,
    code: Option<String>,
) -> QueryResult<Node> {
    let id = crate::new_id();
    let path = tree::child_path(parent.map(|p| p.path.as_str()), &id);
    let depth = parent.map(|p| p.depth + 1).unwrap_or(0);
    let now = Utc::now().naive_utc();
    diesel::insert_into(regions::table)
        .values((
            regions::id.eq(&id),
            regions::parent_id.eq(parent.map(|p| p.id.clone())),
            regions::level.eq(level),
            regions::name.eq(name),
            regions::code.eq(code),
            regions::path.eq(&path),
            regions::depth.eq(depth),
            regions::version.eq(1),
            regions::created_at.eq(now),
            regions::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(Node { id, path, depth })
}

pub fn insert_branch(
    conn: &mut DbConn,
    parent: Option<&Node>,
    region: &Node,
    kind: &str,
    establishment: &str,
    name: &str,
    secretary: Option<&str>,
) -> QueryResult<Node> {
    let id = crate::new_id();
    let path = tree::child_path(parent.map(|p| p.path.as_str()), &id);
    let depth = parent.map(|p| p.depth + 1).unwrap_or(0);
    let now = Utc::now().naive_utc();
    diesel::insert_into(branches::table)
        .values((
            branches::id.eq(&id),
            branches::parent_id.eq(parent.map(|p| p.id.clone())),
            branches::region_id.eq(&region.id),
            branches::kind.eq(kind),
            branches::establishment.eq(establishment),
            branches::name.eq(name),
            branches::secretary_name.eq(secretary),
            branches::member_count.eq(0),
            branches::path.eq(&path),
            branches::depth.eq(depth),
            branches::version.eq(1),
            branches::created_at.eq(now),
            branches::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(Node { id, path, depth })
}

/// A rectangular grid boundary (WGS-84) with its bounding box, in the demo's street layouts.
fn insert_grid(
    conn: &mut DbConn,
    community: &Node,
    branch: Option<&Node>,
    name: &str,
    code: String,
    cell: (f64, f64, f64, f64),
) -> QueryResult<String> {
    let (x0, y0, x1, y1) = cell;
    let id = crate::new_id();
    let now = Utc::now().naive_utc();
    let boundary = serde_json::json!({"type": "Polygon", "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]});
    diesel::insert_into(grids::table)
        .values((
            grids::id.eq(&id),
            grids::community_id.eq(&community.id),
            grids::branch_id.eq(branch.map(|b| b.id.clone())),
            grids::name.eq(name),
            grids::code.eq(code),
            grids::household_count.eq(0),
            grids::boundary.eq(boundary.to_string()),
            grids::min_lng.eq(x0),
            grids::min_lat.eq(y0),
            grids::max_lng.eq(x1),
            grids::max_lat.eq(y1),
            grids::version.eq(1),
            grids::created_at.eq(now),
            grids::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(id)
}

/// Fills the three grid roles, leaving some vacant so that the vacancy list has something to show.
fn staff_grid(
    conn: &mut DbConn,
    grid_id: &str,
    n: usize,
    person: &mut impl FnMut() -> String,
    user: Option<(&str, &str)>,
) -> QueryResult<()> {
    let started = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).expect("a date");
    for (i, role) in ["service_worker", "opinion_collector", "party_instructor"]
        .into_iter()
        .enumerate()
    {
        if (n + i) % 7 == 3 {
            continue;
        }
        let (user_id, name) = match (i, user) {
            (0, Some((uid, uname))) => (Some(uid.to_string()), uname.to_string()),
            _ => (None, person()),
        };
        diesel::insert_into(grid_roles::table)
            .values((
                grid_roles::id.eq(crate::new_id()),
                grid_roles::grid_id.eq(grid_id),
                grid_roles::role.eq(role),
                grid_roles::user_id.eq(user_id),
                grid_roles::person_name.eq(name),
                grid_roles::started_on.eq(started),
                grid_roles::created_at.eq(Utc::now().naive_utc()),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// A deterministic pseudo-random sequence, so that every demo load looks the same (shared by
/// the demo's parts).
pub(crate) struct Lcg(pub u64);
impl Lcg {
    pub fn next(&mut self, below: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % below.max(1)
    }
}

/// Households for a grid and three months of visits (September to November 2026).
fn households_and_visits(
    conn: &mut DbConn,
    grid_id: &str,
    n: usize,
    size: usize,
    worker_id: Option<&str>,
    person: &mut impl FnMut() -> String,
    sealer: &crate::sealed::Sealer,
) -> QueryResult<()> {
    let mut rng = Lcg(n as u64 + 7);
    let now = Utc::now().naive_utc();
    let worker_name = if worker_id.is_some() {
        "斜桥巷社区 网格员 张海燕".to_string()
    } else {
        format!("{}（网格员）", person())
    };
    let mut hh = Vec::with_capacity(size);
    for i in 0..size {
        let tags = match rng.next(12) {
            0 => ",elderly_alone,",
            1 => ",disabled,",
            2 => ",hardship,",
            3 => ",party_member_household,",
            _ => "",
        };
        let id = crate::new_id();
        // In the order the random sequence was always drawn in (residents, then the phone).
        let residents = 1 + rng.next(4) as i32;
        let head_name = person();
        let phone = crate::phones::seal(
            sealer,
            crate::phones::PhoneColumn::HouseholdHead,
            &id,
            Some(&format!("13{:09}", rng.next(1_000_000_000))),
        );
        hh.push((
            households::id.eq(id),
            households::grid_id.eq(grid_id.to_string()),
            households::building.eq(format!("{}幢", i / 12 + 1)),
            households::unit.eq(format!("{}单元", (i / 6) % 2 + 1)),
            households::room.eq(format!("{}0{}", (i % 6) / 2 + 1, i % 2 + 1)),
            households::residents.eq(residents),
            households::head_name.eq(head_name),
            households::head_phone_sealed.eq(phone.sealed),
            households::head_phone_index.eq(phone.index),
            households::head_phone_masked.eq(phone.masked),
            households::tags.eq(tags.to_string()),
            households::key_group.eq(matches!(
                tags,
                ",elderly_alone," | ",disabled," | ",hardship,"
            )),
            households::version.eq(1),
            households::created_at.eq(now),
            households::updated_at.eq(now),
        ));
    }
    bulk_insert!(conn, households::table, hh);
    diesel::update(grids::table.find(grid_id))
        .set(grids::household_count.eq(size as i32))
        .execute(conn)?;
    let ids: Vec<(String, bool)> = households::table
        .filter(households::grid_id.eq(grid_id))
        .select((households::id, households::key_group))
        .load(conn)?;

    // Each month a share of the households is visited on a few weekdays; key groups more often.
    let mut vs = vec![];
    let mut last: std::collections::HashMap<String, chrono::NaiveDate> = Default::default();
    for (month, share) in [(9u32, 95u64), (10, 85), (11, 40)] {
        // Grids with odd numbers have a weaker October, so that some miss the 90 % line.
        let share = if n % 2 == 1 && month == 10 { 60 } else { share };
        for (h, key) in &ids {
            let times = if *key {
                1 + rng.next(3)
            } else {
                u64::from(rng.next(100) < share)
            };
            for _ in 0..times {
                let day = 1 + rng.next(if month == 11 { 20 } else { 28 }) as u32;
                let date = chrono::NaiveDate::from_ymd_opt(2026, month, day).expect("a date");
                // grid1 skips the second week of November: the weekly target shows a miss.
                if worker_id.is_some() && month == 11 && (9..=15).contains(&day) {
                    continue;
                }
                let entry = last.entry(h.clone()).or_insert(date);
                if date > *entry {
                    *entry = date;
                }
                vs.push((
                    visits::id.eq(crate::new_id()),
                    visits::household_id.eq(h.clone()),
                    visits::grid_id.eq(grid_id.to_string()),
                    visits::worker_id.eq(worker_id.map(str::to_owned)),
                    visits::worker_name.eq(worker_name.clone()),
                    visits::visited_on.eq(date),
                    visits::kind.eq(if *key { "key_group" } else { "routine" }),
                    visits::notes.eq(None::<String>),
                    visits::concern_found.eq(rng.next(25) == 0),
                    visits::created_at.eq(now),
                ));
            }
        }
    }
    bulk_insert!(conn, visits::table, vs);
    for (h, date) in last {
        diesel::update(households::table.find(h))
            .set(households::last_visited_on.eq(Some(date)))
            .execute(conn)?;
    }
    Ok(())
}

const SURNAMES: [&str; 12] = [
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙",
];
const GIVEN: [&str; 12] = [
    "建国", "秀英", "志强", "桂兰", "海燕", "明", "丽", "卫东", "红梅", "国庆", "晓峰", "玉珍",
];

fn person(i: usize) -> String {
    format!(
        "{}{}",
        SURNAMES[i % SURNAMES.len()],
        GIVEN[(i / SURNAMES.len() + i * 7) % GIVEN.len()]
    )
}

/// Loads the demo district once; later starts find it and leave the data as users changed it.
pub fn load(conn: &mut DbConn, sealer: &crate::sealed::Sealer) -> Result<(), String> {
    let exists: i64 = users::table
        .filter(users::username.eq("admin"))
        .count()
        .get_result(conn)
        .map_err(|e| e.to_string())?;
    if exists > 0 {
        log::info!("demo data already present");
        return Ok(());
    }
    conn.transaction(|c| load_inner(c, sealer))
        .map_err(|e: crate::error::ApiError| format!("loading demo data failed: {}", e.detail))?;
    log::info!("demo data loaded");
    Ok(())
}

fn load_inner(
    c: &mut DbConn,
    sealer: &crate::sealed::Sealer,
) -> Result<(), crate::error::ApiError> {
    let mut n = 0usize;
    let mut next_person = || {
        n += 1;
        person(n)
    };

    // 常州市天宁区 — 新丰街街道
    let tianning = insert_region(c, None, "district", "天宁区", Some("320402".into()))?;
    let xinfeng = insert_region(
        c,
        Some(&tianning),
        "street",
        "新丰街街道",
        Some("320402-001".into()),
    )?;
    let xf_wc = insert_branch(
        c,
        None,
        &xinfeng,
        "working_committee",
        "formal",
        "新丰街街道党工委",
        Some(&next_person()),
    )?;
    insert_branch(
        c,
        Some(&xf_wc),
        &xinfeng,
        "joint",
        "joint",
        "新丰街区域化党建联合党委",
        Some(&next_person()),
    )?;
    let mut xf_communities = vec![];
    let mut xf_branches = vec![];
    // (community, grid number, grid branch): the grids are drawn once the communities exist.
    let mut xf_grids: Vec<(usize, usize, Option<Node>)> = vec![];
    let mut interest: Vec<String> = vec![];
    // 舣舟亭 has one community branch and no grid branches: its members are in that branch.
    let mut single_branch: Option<String> = None;
    for (i, name) in XINFENG_COMMUNITIES.iter().enumerate() {
        let community = insert_region(
            c,
            Some(&xinfeng),
            "community",
            name,
            Some(format!("320402-001-{:03}", i + 1)),
        )?;
        let short = name.trim_end_matches("社区");
        // The report: 12 community general branches and one community branch.
        let top = if i < 12 {
            let gb = insert_branch(
                c,
                Some(&xf_wc),
                &community,
                "general_branch",
                "formal",
                &format!("{short}社区党总支"),
                Some(&next_person()),
            )?;
            for g in 1..=3 {
                let grid_branch = insert_branch(
                    c,
                    Some(&gb),
                    &community,
                    "branch",
                    "formal",
                    &format!("{short}社区第{g}网格党支部"),
                    Some(&next_person()),
                )?;
                for b in 1..=2 {
                    insert_branch(
                        c,
                        Some(&grid_branch),
                        &community,
                        "group",
                        "formal",
                        &format!("{short}第{g}网格{b}号楼党小组"),
                        Some(&next_person()),
                    )?;
                }
                xf_grids.push((i, g, Some(grid_branch)));
            }
            gb
        } else {
            let b = insert_branch(
                c,
                Some(&xf_wc),
                &community,
                "branch",
                "formal",
                &format!("{short}社区党支部"),
                Some(&next_person()),
            )?;
            single_branch = Some(b.id.clone());
            for g in 1..=3 {
                xf_grids.push((i, g, None));
            }
            b
        };
        if i == 0 {
            interest.push(
                insert_branch(
                    c,
                    Some(&top),
                    &community,
                    "branch",
                    "interest",
                    "心相连艺术团党支部",
                    Some(&next_person()),
                )?
                .id,
            );
            interest.push(
                insert_branch(
                    c,
                    Some(&top),
                    &community,
                    "branch",
                    "interest",
                    "夕阳红志愿服务队党支部",
                    Some(&next_person()),
                )?
                .id,
            );
        }
        xf_branches.push(top);
        xf_communities.push(community);
    }

    // 新丰街's communities as a 5-wide block of 0.009° × 0.006° cells north of 常州 station, each
    // cut into three grids.
    let mut grid_ids = vec![];
    for (n, (ci, g, branch)) in xf_grids.iter().enumerate() {
        let (col, row) = ((ci % 5) as f64, (ci / 5) as f64);
        let x0 = 119.955 + col * 0.009 + (*g as f64 - 1.0) * 0.003;
        let y0 = 31.785 + row * 0.006;
        let community = &xf_communities[*ci];
        let short = XINFENG_COMMUNITIES[*ci].trim_end_matches("社区");
        let id = insert_grid(
            c,
            community,
            branch.as_ref(),
            &format!("{short}第{g}网格"),
            format!("XF-{:02}-{g}", ci + 1),
            (x0, y0, x0 + 0.003, y0 + 0.006),
        )?;
        grid_ids.push((n, id));
    }

    // 郑州市金水区 — 花园路街道
    let jinshui = insert_region(c, None, "district", "金水区", Some("410105".into()))?;
    let huayuan = insert_region(
        c,
        Some(&jinshui),
        "street",
        "花园路街道",
        Some("410105-002".into()),
    )?;
    let hy_wc = insert_branch(
        c,
        None,
        &huayuan,
        "working_committee",
        "formal",
        "花园路街道党工委",
        Some(&next_person()),
    )?;
    insert_branch(
        c,
        Some(&hy_wc),
        &huayuan,
        "joint",
        "joint",
        "花园路街道区域党委",
        Some(&next_person()),
    )?;
    for (i, name) in HUAYUAN_COMMUNITIES.iter().enumerate() {
        let community = insert_region(
            c,
            Some(&huayuan),
            "community",
            name,
            Some(format!("410105-002-{:03}", i + 1)),
        )?;
        let short = name.trim_end_matches("社区");
        let big = insert_branch(
            c,
            Some(&hy_wc),
            &community,
            "committee",
            "formal",
            &format!("{short}社区大党委"),
            Some(&next_person()),
        )?;
        for g in 1..=2 {
            let gb = insert_branch(
                c,
                Some(&big),
                &community,
                "branch",
                "formal",
                &format!("{short}社区第{g}网格党支部"),
                Some(&next_person()),
            )?;
            insert_branch(
                c,
                Some(&gb),
                &community,
                "group",
                "formal",
                &format!("{short}第{g}网格楼院党小组"),
                Some(&next_person()),
            )?;
            let x0 = 113.675 + (i % 4) as f64 * 0.008 + (g as f64 - 1.0) * 0.004;
            let y0 = 34.775 + (i / 4) as f64 * 0.006;
            let id = insert_grid(
                c,
                &community,
                Some(&gb),
                &format!("{short}第{g}网格"),
                format!("HY-{:02}-{g}", i + 1),
                (x0, y0, x0 + 0.004, y0 + 0.006),
            )?;
            staff_grid(c, &id, i * 2 + g, &mut next_person, None)?;
        }
    }

    let system = Actor {
        id: None,
        name: Some("demo".into()),
        addr: None,
    };
    let account = |username: &str, display: &str, grants: Vec<CreateGrant>| CreateUser {
        username: username.into(),
        display_name: display.into(),
        password: PASSWORD.into(),
        grants,
        // resident1 lives in 斜桥巷 (member1's home follows their member record, below).
        community_id: (username == "resident1").then(|| xf_communities[0].id.clone()),
    };
    let grant = |role: Role, scope: Option<&Node>| CreateGrant {
        role,
        scope_id: scope.map(|s| s.id.clone()),
    };
    let accounts = vec![
        account("admin", "系统管理员", vec![grant(Role::Admin, None)]),
        account(
            "street1",
            "新丰街街道 工作人员",
            vec![grant(Role::StreetStaff, Some(&xinfeng))],
        ),
        account(
            "community1",
            "斜桥巷社区 工作人员",
            vec![grant(Role::CommunityStaff, Some(&xf_communities[0]))],
        ),
        account(
            "community2",
            "新丰街社区 工作人员",
            vec![grant(Role::CommunityStaff, Some(&xf_communities[1]))],
        ),
        // grid1 gets its grid_worker grant once its grid exists, below.
        account("grid1", "斜桥巷社区 网格员 张海燕", vec![]),
        // unit1's unit_contact grant is added with the units (see demo::services).
        account(
            "secretary1",
            "斜桥巷社区党总支 书记",
            vec![grant(Role::BranchSecretary, Some(&xf_branches[0]))],
        ),
        account("unit1", "共建单位 联络员", vec![]),
        account("member1", "党员 王建国", vec![grant(Role::Member, None)]),
        account(
            "resident1",
            "居民 李秀英",
            vec![grant(Role::Resident, None)],
        ),
    ];
    let grid1_grid = grid_ids[0].1.clone();
    for mut a in accounts {
        if a.username == "grid1" {
            a.grants = vec![CreateGrant {
                role: Role::GridWorker,
                scope_id: Some(grid1_grid.clone()),
            }];
        }
        let uid = crate::users::service::create_demo(c, &system, a.clone())?;
        if a.username == "grid1" {
            staff_grid(
                c,
                &grid1_grid,
                0,
                &mut next_person,
                Some((&uid, &a.display_name)),
            )?;
        }
    }
    for (n, id) in grid_ids.iter().skip(1) {
        staff_grid(c, id, *n, &mut next_person, None)?;
    }
    let grid1_id: String = users::table
        .filter(users::username.eq("grid1"))
        .select(users::id)
        .first(c)?;
    for (n, id) in &grid_ids {
        // 斜桥巷第1网格 is grid1's: big enough for the 80-households-a-month target to be met in
        // one month and missed in another; the others are small, with coverage above and below 90 %.
        let size = if *n == 0 { 120 } else { 24 + (n * 7) % 20 };
        let worker = if *n == 0 {
            Some(grid1_id.as_str())
        } else {
            None
        };
        households_and_visits(c, id, *n, size, worker, &mut next_person, sealer)?;
    }

    // Members in the grid branches (and 舣舟亭's community branch), each branch with its own habits.
    let mut party_branches: Vec<party::PartyBranch> = vec![];
    for ((ci, _, branch), (n, grid)) in xf_grids.iter().zip(&grid_ids) {
        if let Some(b) = branch {
            // Most branches end the year over 80 %; every fourth stays under it.
            let diligence = if n % 4 == 3 {
                70
            } else {
                86 + (*n as u64 * 3) % 10
            };
            party_branches.push(party::PartyBranch {
                id: b.id.clone(),
                community_id: xf_communities[*ci].id.clone(),
                grid_id: Some(grid.clone()),
                diligence,
            });
        }
    }
    if let Some(b) = single_branch {
        party_branches.push(party::PartyBranch {
            id: b,
            community_id: xf_communities[12].id.clone(),
            grid_id: None,
            diligence: 60,
        });
    }
    let member1: String = users::table
        .filter(users::username.eq("member1"))
        .select(users::id)
        .first(c)?;
    party::load(c, sealer, &party_branches, &interest, &member1)?;
    crate::users::service::homes_from_member_records(c)?;
    let resident1: String = users::table
        .filter(users::username.eq("resident1"))
        .select(users::id)
        .first(c)?;
    let xf_ids: Vec<String> = xf_communities.iter().map(|r| r.id.clone()).collect();
    volunteers::load(c, sealer, &xf_ids, &member1, &resident1)?;
    let unit1: String = users::table
        .filter(users::username.eq("unit1"))
        .select(users::id)
        .first(c)?;
    services::load(c, sealer, &xinfeng.id, &xf_ids, &unit1)?;
    orders::load(c, sealer, &xf_ids, &resident1)?;
    let grid1: String = users::table
        .filter(users::username.eq("grid1"))
        .select(users::id)
        .first(c)?;
    concerns::load(c, sealer, &xinfeng.id, &xf_ids, &resident1, &grid1)?;
    // Committee terms: one branch due for re-election within six months, one within a month, one
    // overdue, the rest mid-term — so the reminders have something to show.
    let today = crate::clock::today();
    for (k, p) in party_branches.iter().enumerate() {
        let end = match k {
            0 => today + chrono::Duration::days(120),
            1 => today + chrono::Duration::days(20),
            2 => today - chrono::Duration::days(10),
            _ => today + chrono::Duration::days(400 + (k as i64 * 13) % 300),
        };
        let seats = serde_json::json!([{"member_id": null, "name": person(900 + k), "role": "secretary", "title": null}, {"member_id": null, "name": person(950 + k), "role": "committee_member", "title": "组织委员"}]);
        diesel::insert_into(crate::db::schema::branch_committees::table)
            .values((
                crate::db::schema::branch_committees::id.eq(crate::new_id()),
                crate::db::schema::branch_committees::branch_id.eq(&p.id),
                crate::db::schema::branch_committees::term_start
                    .eq(end - chrono::Duration::days(365 * 3)),
                crate::db::schema::branch_committees::term_end.eq(end),
                crate::db::schema::branch_committees::members.eq(seats.to_string()),
                crate::db::schema::branch_committees::created_by.eq("demo"),
                crate::db::schema::branch_committees::created_at.eq(Utc::now().naive_utc()),
            ))
            .execute(c)?;
    }
    Ok(())
}
