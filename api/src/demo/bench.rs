//! `tongxin seed-bench --scale N`: a city-sized synthetic dataset for `scripts/bench` — N
//! branches spread over streets of 13 communities, and the accounts the benchmark signs in as.
use chrono::Utc;
use diesel::prelude::*;

use super::{insert_region, Node};
use crate::auth::caller::Actor;
use crate::auth::Role;
use crate::db::schema::{branches, users};
use crate::db::DbConn;
use crate::tree;
use crate::users::dto::{CreateGrant, CreateUser};

pub const PASSWORD: &str = "bench-password";
/// Party organisations per street: generous (the seed street has 13 communities and 1,530
/// members), so a street account sees a realistic slice of a city-sized table.
const BRANCHES_PER_STREET: usize = 500;
const COMMUNITIES_PER_STREET: usize = 13;

pub fn seed(conn: &mut DbConn, scale: usize) -> Result<(), String> {
    let taken: i64 = users::table.filter(users::username.eq("bench-admin")).count().get_result(conn).map_err(|e| e.to_string())?;
    if taken > 0 {
        return Err("this database already holds a bench dataset; use a fresh one".into());
    }
    let started = std::time::Instant::now();
    conn.transaction(|c| seed_inner(c, scale.max(1))).map_err(|e: crate::error::ApiError| e.detail)?;
    // Fresh statistics, as a production database has them: without them PostgreSQL plans the
    // bulk-loaded tables as if they were empty.
    diesel::connection::SimpleConnection::batch_execute(conn, "ANALYZE").map_err(|e| e.to_string())?;
    println!("seeded {scale} branches in {:.1}s", started.elapsed().as_secs_f64());
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
        let street = insert_region(c, Some(&district), "street", &format!("基准街道{s:03}"), Some(format!("bench-{s:03}")))?;
        let wc = super::insert_branch(c, None, &street, "working_committee", "formal", &format!("基准街道{s:03}党工委"), None)?;
        made += 1;
        let per_community = (scale.min(made + BRANCHES_PER_STREET) - made).div_ceil(COMMUNITIES_PER_STREET);
        for k in 0..COMMUNITIES_PER_STREET {
            if made >= scale {
                break;
            }
            let community = insert_region(c, Some(&street), "community", &format!("基准社区{s:03}-{k:02}"), Some(format!("bench-{s:03}-{k:02}")))?;
            let gb = super::insert_branch(c, Some(&wc), &community, "general_branch", "formal", &format!("基准社区{s:03}-{k:02}党总支"), None)?;
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
                first_community = Some(Node { id: community.id.clone(), path: community.path.clone(), depth: community.depth });
            }
        }
        if first_street.is_none() {
            first_street = Some(street);
        }
    }
    let actor = Actor { id: None, name: Some("seed-bench".into()), addr: None };
    let grant = |role: Role, scope: Option<&Node>| vec![CreateGrant { role, scope_id: scope.map(|n| n.id.clone()) }];
    for (username, grants) in [
        ("bench-admin", grant(Role::Admin, None)),
        ("bench-street", grant(Role::StreetStaff, first_street.as_ref())),
        ("bench-community", grant(Role::CommunityStaff, first_community.as_ref())),
    ] {
        let input = CreateUser { username: username.into(), display_name: username.into(), password: PASSWORD.into(), grants };
        crate::users::service::create_demo(c, &actor, input)?;
    }
    Ok(())
}
