//! Statistics against a hand-built community whose every figure is known, figures frozen "as of"
//! a past day staying put after later edits, scoping, the breakdown, the series, the export, and
//! the five-good assessment's computed items.
use chrono::{Datelike, Duration, NaiveDate};
use serde_json::{json, Value};
use tongxin::members::id_number;

use crate::both_backends;
use crate::common::*;

fn member(
    branch: &str,
    name: &str,
    birth: (i32, u32, u32),
    seq: u32,
    joined: &str,
    category: &str,
) -> Value {
    let idn = id_number::make(
        "320402",
        NaiveDate::from_ymd_opt(birth.0, birth.1, birth.2).unwrap(),
        seq,
    );
    json!({"branch_id": branch, "name": name, "gender": if seq % 2 == 1 { "male" } else { "female" }, "id_number": idn, "joined_on": joined, "category": category, "work_unit": if category == "in_service" { Some("常州市第一人民医院") } else { None }})
}

struct Fixture {
    community: String,
    branch: String,
    street: String,
}

/// 测试社区 under 新丰街: a committee and one branch with three members (born 1995, 1970, 1950; two joined in
/// 2026), one recorded meeting on 2026-03-10 with 2 of 3 present, a grid with two households and
/// one visit, two concerns (one closed satisfied), one order and one wish.
async fn fixture(app: &TestApp) -> Fixture {
    let (s1, r1, admin) = (
        app.token("street1").await,
        app.token("resident1").await,
        app.token("admin").await,
    );
    let street = app.find_id("regions", "新丰街街道").await;
    let community = app
        .post(
            &s1,
            "/api/v1/regions",
            json!({"parent_id": street, "level": "community", "name": "测试社区"}),
        )
        .await
        .expect(201)
        .id();
    let committee = app.post(&s1, "/api/v1/branches", json!({"region_id": community, "kind": "committee", "establishment": "formal", "name": "测试社区党委"})).await.expect(201).id();
    let branch = app.post(&s1, "/api/v1/branches", json!({"parent_id": committee, "region_id": community, "kind": "branch", "establishment": "formal", "name": "测试社区党支部"})).await.expect(201).id();
    let m: Vec<String> = vec![
        app.post(
            &s1,
            "/api/v1/members",
            member(
                &branch,
                "青年",
                (1995, 5, 1),
                11,
                "2026-02-01",
                "in_service",
            ),
        )
        .await
        .expect(201)
        .id(),
        app.post(
            &s1,
            "/api/v1/members",
            member(&branch, "中年", (1970, 5, 1), 12, "2026-03-01", "direct"),
        )
        .await
        .expect(201)
        .id(),
        app.post(
            &s1,
            "/api/v1/members",
            member(&branch, "老年", (1950, 5, 1), 13, "1980-07-01", "retired"),
        )
        .await
        .expect(201)
        .id(),
    ];
    let meeting = app.post(&s1, "/api/v1/meetings", json!({"branch_id": branch, "kind": "general_meeting", "held_on": "2026-03-10", "topic": "党员大会"})).await.expect(201).id();
    let entries: Vec<Value> = m
        .iter()
        .enumerate()
        .map(|(i, id)| json!({"member_id": id, "status": if i < 2 { "present" } else { "absent" }}))
        .collect();
    app.put(
        &s1,
        &format!("/api/v1/meetings/{meeting}/attendance"),
        json!({"entries": entries, "version": 1}),
    )
    .await
    .expect(200);
    let grid = app
        .post(
            &s1,
            "/api/v1/grids",
            json!({"community_id": community, "name": "测试第1网格"}),
        )
        .await
        .expect(201)
        .id();
    let h1 = app
        .post(
            &s1,
            "/api/v1/households",
            json!({"grid_id": grid, "building": "1幢", "room": "101", "head_name": "甲"}),
        )
        .await
        .expect(201)
        .id();
    app.post(
        &s1,
        "/api/v1/households",
        json!({"grid_id": grid, "building": "1幢", "room": "102", "head_name": "乙"}),
    )
    .await
    .expect(201);
    app.post(&admin, "/api/v1/users", json!({"username": "gridx", "display_name": "测试网格员", "password": "a-long-passphrase", "grants": [{"role": "grid_worker", "scope_id": grid}]})).await.expect(201);
    let gw = app.token_for("gridx", "a-long-passphrase").await;
    app.post(&gw, "/api/v1/visits", json!({"household_id": h1}))
        .await
        .expect(201);
    let a = app.post(&r1, "/api/v1/concerns", json!({"category": "environment", "title": "垃圾", "description": "d", "community_id": community})).await.expect(201).id();
    app.post(&r1, "/api/v1/concerns", json!({"category": "safety", "title": "井盖", "description": "d", "community_id": community})).await.expect(201);
    app.post(&s1, &format!("/api/v1/concerns/{a}/accept"), json!({}))
        .await
        .expect(200);
    app.post(
        &s1,
        &format!("/api/v1/concerns/{a}/resolve"),
        json!({"resolution": "ok"}),
    )
    .await
    .expect(200);
    app.post(
        &r1,
        &format!("/api/v1/concerns/{a}/feedback"),
        json!({"satisfied": true}),
    )
    .await
    .expect(200);
    app.post(
        &r1,
        "/api/v1/service-orders",
        json!({"community_id": community, "title": "帮忙修水龙头"}),
    )
    .await
    .expect(201);
    app.post(
        &r1,
        "/api/v1/wishes",
        json!({"community_id": community, "title": "想要一把轮椅"}),
    )
    .await
    .expect(201);
    Fixture {
        community,
        branch,
        street,
    }
}

both_backends!(the_overview_matches_a_hand_built_community, |app| {
    let f = fixture(&app).await;
    let s1 = app.token("street1").await;
    let year = tongxin::clock::today().year();
    let o = app
        .get(
            &s1,
            &format!("/api/v1/stats/overview?region_id={}", f.community),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(o["scope"]["name"], "测试社区");
    assert_eq!(o["from"], format!("{year}-01-01"));
    assert_eq!(o["frozen"], false);
    assert_eq!(o["members"]["total"], 3);
    assert_eq!(
        o["members"]["by_category"],
        json!({"direct": 1, "in_service": 1, "retired": 1})
    );
    assert_eq!(
        o["members"]["by_age"],
        json!({"under_35": 1, "35_to_59": 1, "60_plus": 1})
    );
    assert_eq!(
        o["members"]["joined_in_period"],
        if year == 2026 { 2 } else { 0 }
    );
    assert_eq!(
        o["branches"],
        json!({"total": 2, "by_kind": {"branch": 1, "committee": 1}})
    );
    if year == 2026 {
        assert_eq!(
            o["meetings"],
            json!({"meetings": 1, "expected": 3, "present": 2, "attendance_rate": 0.6667})
        );
    }
    assert_eq!(
        o["visits"],
        json!({"households": 2, "visited": 1, "coverage_rate": 0.5, "visits": 1})
    );
    assert_eq!(o["concerns"]["reported"], 2);
    assert_eq!(
        o["concerns"]["by_status"],
        json!({"closed": 1, "reported": 1})
    );
    assert_eq!(o["concerns"]["satisfaction_rate"], 1.0);
    assert_eq!(o["orders"]["total"], 1);
    assert_eq!(o["orders"]["by_status"], json!({"ordered": 1}));
    assert_eq!(o["orders"]["average_rating"], Value::Null);
    assert_eq!(o["wishes"]["total"], 1);
    assert_eq!(o["polls"]["polls"], 0);
    // A branch subtree: the party figures only.
    let b = app
        .get(
            &s1,
            &format!("/api/v1/stats/overview?branch_id={}", f.branch),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(b["scope"]["kind"], "branch");
    assert_eq!(b["members"]["total"], 3);
    assert_eq!(b["orders"], Value::Null);
    assert_eq!(b["concerns"], Value::Null);
    // The street's figures hold the community's; the breakdown lists it with the same numbers.
    let street = app
        .get(
            &s1,
            &format!("/api/v1/stats/overview?region_id={}", f.street),
        )
        .await
        .expect(200)
        .body;
    assert!(street["members"]["total"].as_i64().unwrap() > 3);
    let bd = app
        .get(
            &s1,
            &format!("/api/v1/stats/breakdown?region_id={}", f.street),
        )
        .await
        .expect(200)
        .body;
    let mine = bd["children"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == f.community.as_str())
        .unwrap()
        .clone();
    assert_eq!(
        (
            mine["members"].clone(),
            mine["households"].clone(),
            mine["coverage_rate"].clone(),
            mine["concerns"].clone(),
            mine["concerns_open"].clone()
        ),
        (json!(3), json!(2), json!(0.5), json!(2), json!(1))
    );
    let members_sum: i64 = bd["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["members"].as_i64().unwrap())
        .sum();
    assert!(
        members_sum <= street["members"]["total"].as_i64().unwrap(),
        "children add up to at most the street (street-level branches are the rest)"
    );
    // A community breaks down into its grids; `by=grid` lists every grid under a street.
    let grids = app
        .get(
            &s1,
            &format!("/api/v1/stats/breakdown?region_id={}", f.community),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(grids["children"].as_array().unwrap().len(), 1);
    assert_eq!(grids["children"][0]["level"], "grid");
    assert_eq!(grids["children"][0]["households"], 2);
    assert_eq!(grids["children"][0]["coverage_rate"], 0.5);
    let all = app
        .get(
            &s1,
            &format!("/api/v1/stats/breakdown?region_id={}&by=grid", f.street),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(
        all["children"].as_array().unwrap().len(),
        40,
        "13 communities × 3 grids + ours"
    );
    app.get(
        &s1,
        &format!("/api/v1/stats/breakdown?region_id={}&by=street", f.street),
    )
    .await
    .problem(422, "validation_failed");
    // Months.
    let series = app
        .get(
            &s1,
            &format!("/api/v1/stats/series?region_id={}", f.community),
        )
        .await
        .expect(200)
        .body;
    let months = series["months"].as_array().unwrap();
    assert_eq!(months.len() as u32, tongxin::clock::today().month());
    if year == 2026 {
        assert_eq!(months[2]["meetings"], 1);
        assert_eq!(months[2]["attendance_rate"], 0.6667);
        assert_eq!(months[1]["members_joined"], 1);
    }
    let this_month = months.last().unwrap();
    assert_eq!(
        (
            this_month["concerns"].clone(),
            this_month["orders"].clone(),
            this_month["visits"].clone()
        ),
        (json!(2), json!(1), json!(1))
    );
    // Bad periods.
    let tomorrow = tongxin::clock::today() + Duration::days(1);
    app.get(
        &s1,
        &format!(
            "/api/v1/stats/overview?region_id={}&to={tomorrow}",
            f.community
        ),
    )
    .await
    .problem(422, "validation_failed");
    app.get(
        &s1,
        &format!(
            "/api/v1/stats/overview?region_id={}&from=2026-05-01&to=2026-04-01",
            f.community
        ),
    )
    .await
    .problem(422, "validation_failed");
    app.get(&s1, "/api/v1/stats/overview")
        .await
        .problem(422, "validation_failed");
});

both_backends!(figures_as_of_a_past_day_do_not_change_afterwards, |app| {
    let f = fixture(&app).await;
    let s1 = app.token("street1").await;
    let yesterday = tongxin::clock::today() - Duration::days(1);
    let from = NaiveDate::from_ymd_opt(yesterday.year(), 1, 1).unwrap();
    let url = format!(
        "/api/v1/stats/overview?region_id={}&from={from}&to={yesterday}",
        f.community
    );
    let before = app.get(&s1, &url).await.expect(200).body;
    assert_eq!(before["frozen"], true);
    assert_eq!(before["members"]["total"], 3);
    assert_eq!(
        before["concerns"]["reported"], 0,
        "today's concerns are after the day"
    );
    // Later: a member joins with a back-dated join day, another leaves, a meeting is back-dated.
    app.post(
        &s1,
        "/api/v1/members",
        member(
            &f.branch,
            "补录",
            (1980, 1, 1),
            15,
            &format!("{}-01-15", from.year()),
            "direct",
        ),
    )
    .await
    .expect(201);
    let back = app.post(&s1, "/api/v1/meetings", json!({"branch_id": f.branch, "kind": "party_lecture", "held_on": from + Duration::days(20), "topic": "补录党课"})).await.expect(201).id();
    let _ = back;
    let after = app.get(&s1, &url).await.expect(200).body;
    assert_eq!(after, before, "frozen figures are read back unchanged");
    let breakdown_url = format!(
        "/api/v1/stats/breakdown?region_id={}&from={from}&to={yesterday}",
        f.street
    );
    let b1 = app.get(&s1, &breakdown_url).await.expect(200).body;
    app.post(
        &s1,
        "/api/v1/members",
        member(
            &f.branch,
            "再补录",
            (1981, 1, 1),
            17,
            &format!("{}-01-16", from.year()),
            "direct",
        ),
    )
    .await
    .expect(201);
    assert_eq!(app.get(&s1, &breakdown_url).await.expect(200).body, b1);
    // Live figures see the change at once.
    let live = app
        .get(
            &s1,
            &format!("/api/v1/stats/overview?region_id={}", f.community),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(live["members"]["total"], 5);
    assert_eq!(live["frozen"], false);
    // The month-end job freezes every district, street and community once.
    let today = tongxin::clock::today();
    let n = tongxin::db::run(&app.state.pool, move |c| {
        tongxin::stats::service::freeze_month_end(c, today)
    })
    .await
    .unwrap();
    assert!(n >= 15, "{n}");
    let again = tongxin::db::run(&app.state.pool, move |c| {
        tongxin::stats::service::freeze_month_end(c, today)
    })
    .await
    .unwrap();
    assert_eq!(again, 0);
});

both_backends!(figures_are_scoped_to_what_the_caller_reads, |app| {
    let f = fixture(&app).await;
    let (c1, sec, r1, s1) = (
        app.token("community1").await,
        app.token("secretary1").await,
        app.token("resident1").await,
        app.token("street1").await,
    );
    for t in [&c1, &sec, &r1] {
        app.get(
            t,
            &format!("/api/v1/stats/overview?region_id={}", f.community),
        )
        .await
        .problem(404, "not_found");
        app.get(
            t,
            &format!("/api/v1/stats/breakdown?region_id={}", f.street),
        )
        .await
        .problem(404, "not_found");
        app.get(
            t,
            &format!("/api/v1/stats/export?region_id={}", f.community),
        )
        .await
        .problem(404, "not_found");
    }
    app.get(
        &c1,
        &format!("/api/v1/stats/overview?branch_id={}", f.branch),
    )
    .await
    .problem(404, "not_found");
    let xqx = app.find_id("regions", "斜桥巷社区").await;
    app.get(&c1, &format!("/api/v1/stats/overview?region_id={xqx}"))
        .await
        .expect(200);
    // A secretary reads their branch subtree.
    let own = app.find_id("branches", "斜桥巷社区党总支").await;
    let b = app
        .get(&sec, &format!("/api/v1/stats/overview?branch_id={own}"))
        .await
        .expect(200)
        .body;
    assert!(b["members"]["total"].as_i64().unwrap() > 0);
    // The export is a workbook with the overview, the breakdown and the months.
    let x = app
        .call(
            actix_web::test::TestRequest::get()
                .uri(&format!("/api/v1/stats/export?region_id={}", f.street))
                .insert_header(bearer(&s1)),
        )
        .await
        .expect(200);
    assert_eq!(
        x.header("content-type").as_deref(),
        Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    );
});

both_backends!(
    the_five_good_sheet_computes_its_items_from_the_records,
    |app| {
        let f = fixture(&app).await;
        let (s1, c1) = (app.token("street1").await, app.token("community1").await);
        let year = tongxin::clock::today().year();
        let url = format!("/api/v1/communities/{}/assessments/{year}", f.community);
        let sheet = app.get(&s1, &url).await.expect(200).body;
        let item = |k: &str| {
            sheet["items"]
                .as_array()
                .unwrap()
                .iter()
                .find(|i| i["key"] == k)
                .unwrap()
                .clone()
        };
        assert_eq!(sheet["items"].as_array().unwrap().len(), 10);
        assert_eq!(sheet["status"], "draft");
        if year == 2026 {
            // 2 of 3 present against the 80 % line: 10 × 0.6667 / 0.8 = 8.3.
            let m = item("meeting_attendance");
            assert_eq!(
                (m["value"].clone(), m["score"].clone()),
                (json!(0.6667), json!(8.3))
            );
            assert_eq!(
                (
                    m["evidence"]["numerator"].clone(),
                    m["evidence"]["denominator"].clone()
                ),
                (json!(2.0), json!(3.0))
            );
        }
        // One household of two visited: 10 × 0.5 / 0.9 = 5.6.
        let v = item("visit_coverage");
        assert_eq!(
            (v["value"].clone(), v["score"].clone()),
            (json!(0.5), json!(5.6))
        );
        // The closed concern was resolved on time and satisfied; the open one is not yet due.
        assert_eq!(item("concerns_on_time")["score"], 10.0);
        assert_eq!(item("concern_satisfaction")["score"], 10.0);
        assert_eq!(
            item("service_orders")["value"],
            Value::Null,
            "no rated orders"
        );
        assert_eq!(item("service_orders")["score"], 0.0);
        assert_eq!(item("leadership_building")["source"], "entered");
        assert_eq!(sheet["missing"].as_array().unwrap().len(), 4);
        // Assessors are the street's staff; entered items only, within their maximum.
        let xqx = app.find_id("regions", "斜桥巷社区").await;
        app.put(
            &c1,
            &format!("/api/v1/communities/{xqx}/assessments/{year}"),
            json!({"entries": [{"key": "mechanisms", "score": 5}]}),
        )
        .await
        .problem(403, "forbidden");
        app.put(
            &c1,
            &url,
            json!({"entries": [{"key": "mechanisms", "score": 5}]}),
        )
        .await
        .problem(404, "not_found");
        app.put(
            &s1,
            &url,
            json!({"entries": [{"key": "meeting_attendance", "score": 10}]}),
        )
        .await
        .problem(422, "validation_failed");
        app.put(
            &s1,
            &url,
            json!({"entries": [{"key": "mechanisms", "score": 11}]}),
        )
        .await
        .problem(422, "validation_failed");
        app.put(
            &s1,
            &url,
            json!({"entries": [{"key": "nothing", "score": 1}]}),
        )
        .await
        .problem(422, "validation_failed");
        let saved = app.put(&s1, &url, json!({"entries": [{"key": "leadership_building", "score": 9, "note": "分工明确"}, {"key": "mechanisms", "score": 8}]})).await.expect(200).body;
        assert_eq!(
            saved["missing"],
            json!(["cadre_conduct", "residents_feedback"])
        );
        app.put(&s1, &url, json!({"entries": [], "finalize": true}))
            .await
            .problem(422, "validation_failed");
        let final_sheet = app.put(&s1, &url, json!({"entries": [{"key": "cadre_conduct", "score": 7}, {"key": "residents_feedback", "score": 6}], "finalize": true, "version": 1})).await.expect(200).body;
        assert_eq!(final_sheet["status"], "final");
        let computed: f64 = final_sheet["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|i| i["source"] == "computed")
            .map(|i| i["score"].as_f64().unwrap())
            .sum();
        assert_eq!(
            final_sheet["total"].as_f64().unwrap(),
            ((computed + 30.0) * 10.0).round() / 10.0
        );
        // Final: frozen against later records, and closed to edits.
        let h = app
            .get(
                &s1,
                &format!(
                    "/api/v1/households?grid_id={}&per_page=5",
                    grids_of(&app, &f.community).await
                ),
            )
            .await
            .expect(200)
            .body["items"][1]["id"]
            .as_str()
            .unwrap()
            .to_string();
        let gw = app.token_for("gridx", "a-long-passphrase").await;
        app.post(&gw, "/api/v1/visits", json!({"household_id": h}))
            .await
            .expect(201);
        let later = app.get(&s1, &url).await.expect(200).body;
        assert_eq!(later["items"], final_sheet["items"]);
        app.put(
            &s1,
            &url,
            json!({"entries": [{"key": "mechanisms", "score": 1}]}),
        )
        .await
        .problem(409, "assessment_final");
        app.get(
            &s1,
            &format!("/api/v1/communities/{}/assessments/1999", f.community),
        )
        .await
        .problem(400, "invalid_year");
    }
);

async fn grids_of(app: &TestApp, community: &str) -> String {
    let s1 = app.token("street1").await;
    let g = app
        .get(&s1, &format!("/api/v1/grids?community_id={community}"))
        .await
        .expect(200)
        .body;
    g["items"]
        .as_array()
        .or_else(|| g["features"].as_array())
        .unwrap()[0]["id"]
        .as_str()
        .unwrap()
        .to_string()
}
