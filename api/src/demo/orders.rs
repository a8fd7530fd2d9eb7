//! Demo menus, orders and wishes for 新丰街: every paired unit and every team offers something
//! on its community's menu; three hundred orders over the past months in every state — some
//! waiting to be dispatched, some not accepted in time, declined and re-dispatched, done, rated —
//! each with its timeline; and wishes on the walls. Orders come from resident1 and from residents
//! without an account of their own here (their rows cannot sign in).
use chrono::{Duration, Utc};
use diesel::prelude::*;

use super::Lcg;

use crate::db::schema::{
    menu_items, order_events, service_orders, unit_pairings, units, users, volunteer_teams, wishes,
};
use crate::db::DbConn;

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
const OFFERS: [(&str, &str); 8] = [
    ("上门测血压", "每周二上午"),
    ("家电义修", "每月第一个周六"),
    ("法律咨询", "每周四下午"),
    ("理发", "每月15日"),
    ("代购代办", "工作日"),
    ("助餐送餐", "每日中午"),
    ("心理疏导", "预约"),
    ("四点半课堂辅导", "工作日16:30"),
];
const WISHES: [&str; 8] = [
    "想要一副老花镜",
    "希望有人陪我去医院复查",
    "想学用智能手机挂号",
    "给孙子买一套课外书",
    "修一修家里漏水的龙头",
    "想要一台收音机",
    "希望有人帮忙换灯泡",
    "想参加一次社区合唱",
];

pub fn load(
    c: &mut DbConn,
    sealer: &crate::sealed::Sealer,
    communities: &[String],
    resident1: &str,
) -> QueryResult<()> {
    let mut rng = Lcg(12345);
    let now = Utc::now().naive_utc();
    // Residents without a password of their own: an unusable hash, and not active.
    let mut people = vec![(resident1.to_string(), "居民 李秀英".to_string())];
    let mut rows = vec![];
    for (i, name) in RESIDENTS.iter().enumerate() {
        let id = crate::new_id();
        rows.push((
            users::id.eq(id.clone()),
            users::username.eq(format!("demo-resident-{i:02}")),
            users::display_name.eq(format!("居民 {name}")),
            users::password_hash.eq("!"),
            users::active.eq(false),
            users::failed_logins.eq(0),
            users::version.eq(1),
            users::created_at.eq(now),
            users::updated_at.eq(now),
        ));
        people.push((id, format!("居民 {name}")));
    }
    crate::bulk_insert!(c, users::table, rows);

    // Menus: two offers from each unit for each community it is paired with, one from each team.
    let pairs: Vec<(String, String, String)> = unit_pairings::table
        .inner_join(units::table)
        .select((unit_pairings::community_id, units::id, units::name))
        .load(c)?;
    let teams: Vec<(String, String, String)> = volunteer_teams::table
        .select((
            volunteer_teams::region_id,
            volunteer_teams::id,
            volunteer_teams::name,
        ))
        .load(c)?;
    let mut items: Vec<(String, String, String, String, String)> = vec![];
    let mut menu_rows = vec![];
    let mut add = |community: &str, kind: &str, pid: &str, pname: &str, k: usize| {
        let (title, schedule) = OFFERS[k % OFFERS.len()];
        let id = crate::new_id();
        menu_rows.push((
            menu_items::id.eq(id.clone()),
            menu_items::community_id.eq(community.to_string()),
            menu_items::provider_type.eq(kind.to_string()),
            menu_items::provider_id.eq(pid.to_string()),
            menu_items::provider_name.eq(pname.to_string()),
            menu_items::title.eq(title.to_string()),
            menu_items::schedule.eq(Some(schedule.to_string())),
            menu_items::monthly_capacity.eq(Some(10 + (k as i32 % 5) * 5)),
            menu_items::status.eq("active"),
            menu_items::version.eq(1),
            menu_items::created_at.eq(now - Duration::days(200)),
            menu_items::updated_at.eq(now - Duration::days(200)),
        ));
        items.push((
            id,
            community.to_string(),
            kind.to_string(),
            pid.to_string(),
            format!("{pname}|{title}"),
        ));
    };
    for (k, (community, uid, uname)) in pairs.iter().enumerate() {
        add(community, "unit", uid, uname, k * 2);
        add(community, "unit", uid, uname, k * 2 + 1);
    }
    for (k, (community, tid, tname)) in teams.iter().enumerate() {
        if communities.contains(community) {
            add(community, "team", tid, tname, k + 3);
        }
    }
    crate::bulk_insert!(c, menu_items::table, menu_rows);

    // Orders: mostly from the menu, in every state.
    let mut orders = vec![];
    let mut events = vec![];
    for n in 0..300usize {
        let (item_id, community, kind, pid, label) = &items[rng.next(items.len() as u64) as usize];
        let (pname, title) = label.split_once('|').expect("a label");
        let (rid, rname) = &people[if n % 10 == 0 {
            0
        } else {
            1 + n % (people.len() - 1)
        }];
        let created = now - Duration::hours(2 + rng.next(24 * 150) as i64);
        // The state it reached: weighted towards the end of the workflow.
        let reach = match rng.next(100) {
            0..=7 => "ordered",
            8..=15 => "dispatched",
            16..=27 => "accepted",
            28..=39 => "completed",
            40..=94 => "rated",
            _ => "cancelled",
        };
        let id = crate::new_id();
        let mut timeline: Vec<(
            chrono::NaiveDateTime,
            &str,
            Option<&str>,
            &str,
            Option<String>,
        )> = vec![(created, "order", None, "ordered", None)];
        let mut t = created;
        let mut provider = None;
        let (
            mut dispatched_at,
            mut accept_due,
            mut accepted_at,
            mut complete_due,
            mut completed_at,
            mut rating,
            mut comment,
        ) = (None, None, None, None, None, None, None);
        if reach == "cancelled" {
            t += Duration::hours(3);
            timeline.push((
                t,
                "cancel",
                Some("ordered"),
                "cancelled",
                Some("已自行解决".into()),
            ));
        }
        let steps = ["dispatched", "accepted", "completed", "rated"];
        let upto = steps
            .iter()
            .position(|s| *s == reach)
            .map(|i| i + 1)
            .unwrap_or(0);
        if upto >= 1 {
            // One in six is declined first and dispatched again.
            if n % 6 == 1 {
                t += Duration::hours(2);
                timeline.push((t, "dispatch", Some("ordered"), "dispatched", None));
                t += Duration::hours(5);
                timeline.push((
                    t,
                    "decline",
                    Some("dispatched"),
                    "ordered",
                    Some("人手已排满".into()),
                ));
            }
            t += Duration::hours(1 + rng.next(6) as i64);
            timeline.push((t, "dispatch", Some("ordered"), "dispatched", None));
            dispatched_at = Some(t);
            accept_due = Some(t + Duration::hours(24));
            complete_due = Some(t + Duration::hours(72));
            provider = Some((kind.clone(), pid.clone(), pname.to_string()));
        }
        if upto >= 2 {
            t += Duration::hours(1 + rng.next(20) as i64);
            timeline.push((t, "accept", Some("dispatched"), "accepted", None));
            accepted_at = Some(t);
            complete_due = Some(t + Duration::hours(72));
        }
        if upto >= 3 {
            t += Duration::hours(4 + rng.next(60) as i64);
            timeline.push((
                t,
                "complete",
                Some("accepted"),
                "completed",
                Some("已完成服务".into()),
            ));
            completed_at = Some(t);
        }
        if upto >= 4 {
            t += Duration::hours(2 + rng.next(30) as i64);
            let stars = [5, 5, 5, 4, 4, 3, 5, 2][n % 8];
            timeline.push((t, "rate", Some("completed"), "rated", None));
            rating = Some(stars);
            comment = Some(["很满意", "服务热情", "准时上门", "还可以"][n % 4].to_string());
        }
        // Never in the future.
        if t > now {
            let shift = t - now + Duration::minutes(5);
            for e in timeline.iter_mut() {
                e.0 -= shift;
            }
            for d in [
                &mut dispatched_at,
                &mut accept_due,
                &mut accepted_at,
                &mut complete_due,
                &mut completed_at,
            ] {
                *d = d.map(|x| x - shift);
            }
        }
        let created = timeline[0].0;
        for (at, action, from, to, note) in &timeline {
            events.push((
                order_events::id.eq(crate::new_id()),
                order_events::order_id.eq(id.clone()),
                order_events::at.eq(*at),
                order_events::actor_name.eq(Some(if *action == "order" || *action == "rate" {
                    rname.clone()
                } else {
                    "社区工作人员".to_string()
                })),
                order_events::action.eq(action.to_string()),
                order_events::from_status.eq(from.map(str::to_owned)),
                order_events::to_status.eq(to.to_string()),
                order_events::note.eq(note.clone()),
            ));
        }
        let last = timeline.last().map(|e| e.0).unwrap_or(created);
        let phone = crate::phones::seal(
            sealer,
            crate::phones::PhoneColumn::OrderContact,
            &id,
            Some(&format!("1390519{:04}", 3000 + n)),
        );
        orders.push((
            service_orders::id.eq(id),
            service_orders::community_id.eq(community.clone()),
            service_orders::resident_id.eq(rid.clone()),
            service_orders::resident_name.eq(rname.clone()),
            service_orders::contact_phone_sealed.eq(phone.sealed),
            service_orders::contact_phone_index.eq(phone.index),
            service_orders::contact_phone_masked.eq(phone.masked),
            service_orders::address.eq(Some(format!("{}号{}单元", 1 + n % 60, 1 + n % 4))),
            service_orders::menu_item_id.eq(Some(item_id.clone())),
            service_orders::title.eq(title.to_string()),
            service_orders::status.eq(reach.to_string()),
            service_orders::provider_type.eq(provider.as_ref().map(|p| p.0.clone())),
            service_orders::provider_id.eq(provider.as_ref().map(|p| p.1.clone())),
            service_orders::provider_name.eq(provider.as_ref().map(|p| p.2.clone())),
            service_orders::dispatched_at.eq(dispatched_at),
            service_orders::accept_due_at.eq(accept_due),
            service_orders::accepted_at.eq(accepted_at),
            service_orders::complete_due_at.eq(complete_due),
            service_orders::completed_at.eq(completed_at),
            service_orders::minutes.eq(completed_at.map(|_| 60)),
            service_orders::evidence.eq(if completed_at.is_some() {
                "[\"服务照片\"]"
            } else {
                "[]"
            }),
            service_orders::rating.eq(rating),
            service_orders::comment.eq(comment),
            service_orders::rated_at.eq(rating.map(|_| last)),
            service_orders::version.eq(timeline.len() as i32),
            service_orders::created_at.eq(created),
            service_orders::updated_at.eq(last),
        ));
    }
    crate::bulk_insert!(c, service_orders::table, orders);
    crate::bulk_insert!(c, order_events::table, events);

    // Wishes on the walls, in every state.
    let mut ws = vec![];
    for n in 0..40usize {
        let community = &communities[n % communities.len()];
        let (rid, rname) = &people[if n % 8 == 0 {
            0
        } else {
            1 + n % (people.len() - 1)
        }];
        let status = [
            "posted",
            "open",
            "open",
            "adopted",
            "fulfilled",
            "thanked",
            "thanked",
            "rejected",
        ][n % 8];
        let created = now - Duration::days(1 + (n as i64 * 3) % 90);
        let adopted = matches!(status, "adopted" | "fulfilled" | "thanked");
        ws.push((
            wishes::id.eq(crate::new_id()),
            wishes::community_id.eq(community.clone()),
            wishes::resident_id.eq(rid.clone()),
            wishes::resident_name.eq(rname.clone()),
            wishes::title.eq(WISHES[n % WISHES.len()].to_string()),
            wishes::status.eq(status.to_string()),
            wishes::decision_note
                .eq((status == "rejected").then(|| "涉及现金，不适合作为微心愿".to_string())),
            wishes::adopter_type.eq(adopted.then(|| "volunteer".to_string())),
            wishes::adopter_name.eq(adopted.then(|| ["王建国", "张敏", "李强"][n % 3].to_string())),
            wishes::approved_at.eq((status != "posted" && status != "rejected")
                .then_some(created + Duration::hours(5))),
            wishes::adopted_at.eq(adopted.then_some(created + Duration::days(1))),
            wishes::fulfilled_at
                .eq(matches!(status, "fulfilled" | "thanked")
                    .then_some(created + Duration::days(3))),
            wishes::thanks.eq((status == "thanked").then(|| "谢谢志愿者！".to_string())),
            wishes::version.eq(1),
            wishes::created_at.eq(created),
            wishes::updated_at.eq(created + Duration::days(3)),
        ));
    }
    crate::bulk_insert!(c, wishes::table, ws);

    // This year's responsibility agreement of every unit with its first community.
    let year = chrono::Datelike::year(&crate::clock::today());
    let mut agreements = vec![];
    let mut commitments = vec![];
    let mut seen = std::collections::HashSet::new();
    for (community, uid, uname) in &pairs {
        if !seen.insert(uid.clone()) {
            continue;
        }
        let aid = crate::new_id();
        agreements.push((
            crate::db::schema::agreements::id.eq(aid.clone()),
            crate::db::schema::agreements::unit_id.eq(uid.clone()),
            crate::db::schema::agreements::region_id.eq(community.clone()),
            crate::db::schema::agreements::kind.eq("responsibility"),
            crate::db::schema::agreements::title.eq(format!("{year}年度{uname}共建目标责任书")),
            crate::db::schema::agreements::starts_on
                .eq(chrono::NaiveDate::from_ymd_opt(year, 1, 1).expect("1 January")),
            crate::db::schema::agreements::ends_on
                .eq(chrono::NaiveDate::from_ymd_opt(year, 12, 31).expect("31 December")),
            crate::db::schema::agreements::signed_on
                .eq(chrono::NaiveDate::from_ymd_opt(year, 1, 15)),
            crate::db::schema::agreements::version.eq(1),
            crate::db::schema::agreements::created_at.eq(now),
            crate::db::schema::agreements::updated_at.eq(now),
        ));
        for (k, (text, orders, minutes)) in [
            ("全年上门服务不少于6次", Some(6), None),
            ("服务时长不少于10小时", None, Some(600)),
            ("参加共建联席会议", None, None),
        ]
        .into_iter()
        .enumerate()
        {
            commitments.push((
                crate::db::schema::agreement_commitments::id.eq(crate::new_id()),
                crate::db::schema::agreement_commitments::agreement_id.eq(aid.clone()),
                crate::db::schema::agreement_commitments::description.eq(text),
                crate::db::schema::agreement_commitments::target_orders.eq(orders),
                crate::db::schema::agreement_commitments::target_minutes.eq(minutes),
                crate::db::schema::agreement_commitments::sort.eq(k as i32),
            ));
        }
    }
    crate::bulk_insert!(c, crate::db::schema::agreements::table, agreements);
    crate::bulk_insert!(
        c,
        crate::db::schema::agreement_commitments::table,
        commitments
    );
    Ok(())
}
