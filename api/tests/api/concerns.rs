//! Resident concerns: the state machine, routing and due times, warnings and escalation, linked
//! repeats, the 12345 measures against hand-computed figures, photos, and the Open311 facade.
use actix_web::test::TestRequest;
use chrono::{Duration, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde_json::{json, Value};
use tongxin::db::schema::concerns;

use crate::both_backends;
use crate::common::*;

/// A point inside 斜桥巷第1网格 (grid1's grid).
const IN_GRID1: (f64, f64) = (119.956, 31.787);

fn actions(r: &Resp) -> Vec<String> {
    r.body["actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap().to_string())
        .collect()
}

fn at(v: &Value) -> NaiveDateTime {
    chrono::DateTime::parse_from_rfc3339(v.as_str().unwrap())
        .unwrap()
        .naive_utc()
}

async fn set(
    app: &TestApp,
    id: &str,
    f: impl FnOnce(&mut tongxin::db::DbConn, &str) -> QueryResult<usize> + Send + 'static,
) {
    let id = id.to_string();
    tongxin::db::run(&app.state.pool, move |c| Ok(f(c, &id)?))
        .await
        .unwrap();
}

async fn sweep(app: &TestApp, when: NaiveDateTime) -> (usize, usize) {
    tongxin::db::run(&app.state.pool, move |c| {
        tongxin::concerns::service::sweep(c, when)
    })
    .await
    .unwrap()
}

both_backends!(
    a_concern_goes_from_report_to_the_reporters_feedback_through_one_state_machine,
    |app| {
        let (g1, c1, c2, r1, s1) = (
            app.token("grid1").await,
            app.token("community1").await,
            app.token("community2").await,
            app.token("resident1").await,
            app.token("street1").await,
        );
        let body = json!({"category": "safety", "urgency": "urgent", "title": "楼道电动车充电", "description": "3号楼2单元楼道里有电动车整夜充电", "lng": IN_GRID1.0, "lat": IN_GRID1.1, "address": "斜桥巷3号楼2单元"});
        let made = app.post(&g1, "/api/v1/concerns", body).await.expect(201);
        let id = made.id();
        assert_eq!(made.body["status"], "reported");
        assert_eq!(
            made.body["grid_name"], "斜桥巷第1网格",
            "the point places it in its grid"
        );
        assert_eq!(made.body["community_name"], "斜桥巷社区");
        assert_eq!(made.body["channel"], "grid_worker");
        // Routed by category: safety goes to the street's safety office; urgent halves 2 h and 24 h.
        assert_eq!(made.body["handler_type"], "department");
        assert_eq!(made.body["handler_name"], "街道安全生产办公室");
        let created = at(&made.body["created_at"]);
        assert_eq!(
            at(&made.body["accept_due_at"]) - created,
            Duration::hours(1)
        );
        assert_eq!(
            at(&made.body["resolve_due_at"]) - created,
            Duration::hours(12)
        );
        assert_eq!(
            actions(&made),
            ["withdraw"],
            "the reporter may only withdraw"
        );
        assert_eq!(
            (
                made.body["mine"].clone(),
                made.body["can_add_photo"].clone()
            ),
            (json!(true), json!(true))
        );

        // Who sees it: the reporter, the community's and the street's staff; not another community or a resident.
        app.get(&c2, &format!("/api/v1/concerns/{id}"))
            .await
            .problem(404, "not_found");
        app.get(&r1, &format!("/api/v1/concerns/{id}"))
            .await
            .problem(404, "not_found");
        let seen = app
            .get(&c1, &format!("/api/v1/concerns/{id}"))
            .await
            .expect(200);
        assert_eq!(actions(&seen), ["accept", "route"]);
        let listed = app
            .get(&s1, "/api/v1/concerns?status=reported&category=safety")
            .await
            .expect(200);
        assert!(listed.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["id"] == id.as_str()));
        let other = app
            .get(&c2, "/api/v1/concerns?per_page=100")
            .await
            .expect(200);
        assert!(!other.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["id"] == id.as_str()));

        // Any other transition is a 409 naming the state; the reporter cannot accept.
        let early = app
            .post(
                &c1,
                &format!("/api/v1/concerns/{id}/resolve"),
                json!({"resolution": "已处理"}),
            )
            .await
            .problem(409, "invalid_transition");
        assert!(
            early.body["detail"].as_str().unwrap().contains("reported"),
            "{}",
            early.body
        );
        app.post(&g1, &format!("/api/v1/concerns/{id}/accept"), json!({}))
            .await
            .problem(403, "forbidden");
        app.post(
            &c1,
            &format!("/api/v1/concerns/{id}/accept"),
            json!({"note": "已联系物业"}),
        )
        .await
        .expect(200);
        app.post(&c1, &format!("/api/v1/concerns/{id}/accept"), json!({}))
            .await
            .problem(409, "invalid_transition");
        // The reporter may still withdraw it before work starts; withdrawn is final.
        app.post(&c1, &format!("/api/v1/concerns/{id}/withdraw"), json!({}))
            .await
            .problem(403, "forbidden");
        assert_eq!(
            app.post(&g1, &format!("/api/v1/concerns/{id}/withdraw"), json!({}))
                .await
                .expect(200)
                .body["status"],
            "withdrawn"
        );
        app.post(&c1, &format!("/api/v1/concerns/{id}/start"), json!({}))
            .await
            .problem(409, "invalid_transition");

        // A second one goes the whole way.
        let made = app.post(&g1, "/api/v1/concerns", json!({"category": "environment", "title": "垃圾清运不及时", "description": "垃圾桶满了三天", "lng": IN_GRID1.0, "lat": IN_GRID1.1})).await.expect(201);
        let id = made.id();
        assert_eq!(made.body["handler_name"], "城管中队");
        app.post(&c1, &format!("/api/v1/concerns/{id}/accept"), json!({}))
            .await
            .expect(200);
        let working = app
            .post(&c1, &format!("/api/v1/concerns/{id}/start"), json!({}))
            .await
            .expect(200);
        assert_eq!(working.body["status"], "in_progress");
        app.post(&g1, &format!("/api/v1/concerns/{id}/withdraw"), json!({}))
            .await
            .problem(409, "invalid_transition");
        app.post(
            &g1,
            &format!("/api/v1/concerns/{id}/feedback"),
            json!({"satisfied": true}),
        )
        .await
        .problem(409, "invalid_transition");
        app.post(
            &c1,
            &format!("/api/v1/concerns/{id}/resolve"),
            json!({"resolution": ""}),
        )
        .await
        .problem(422, "validation_failed");
        let done = app
            .post(
                &c1,
                &format!("/api/v1/concerns/{id}/resolve"),
                json!({"resolution": "已联系环卫加密清运"}),
            )
            .await
            .expect(200);
        assert_eq!(done.body["status"], "resolved");
        let first_resolution = done.body["resolved_at"].clone();
        // Only the reporter's feedback closes it (community staff are the handler here).
        app.post(
            &c1,
            &format!("/api/v1/concerns/{id}/feedback"),
            json!({"satisfied": true}),
        )
        .await
        .problem(403, "forbidden");
        app.post(
            &g1,
            &format!("/api/v1/concerns/{id}/feedback"),
            json!({"satisfied": false}),
        )
        .await
        .problem(422, "validation_failed");
        let back = app
            .post(
                &g1,
                &format!("/api/v1/concerns/{id}/feedback"),
                json!({"satisfied": false, "comment": "周末还是没人收"}),
            )
            .await
            .expect(200);
        assert_eq!(back.body["status"], "reopened");
        assert_eq!(back.body["reopen_count"], 1);
        app.post(
            &c1,
            &format!("/api/v1/concerns/{id}/resolve"),
            json!({"resolution": "周末增加一班"}),
        )
        .await
        .expect(200);
        let closed = app
            .post(
                &g1,
                &format!("/api/v1/concerns/{id}/feedback"),
                json!({"satisfied": true, "comment": "好了"}),
            )
            .await
            .expect(200);
        assert_eq!(closed.body["status"], "closed");
        assert!(closed.body["closed_at"].is_string());
        assert_eq!(
            closed.body["resolved_at"], first_resolution,
            "the first resolution is what the on-time measure counts"
        );
        assert_eq!(closed.body["resolution"], "周末增加一班");
        assert_eq!(actions(&closed), Vec::<String>::new());
        let steps: Vec<&str> = closed.body["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["action"].as_str().unwrap())
            .collect();
        assert_eq!(
            steps,
            ["report", "accept", "start", "resolve", "reopen", "resolve", "close"]
        );
        for a in ["accept", "start", "withdraw"] {
            app.post(&c1, &format!("/api/v1/concerns/{id}/{a}"), json!({}))
                .await
                .problem(409, "invalid_transition");
        }
        assert!(app
            .audit_for(&id)
            .await
            .iter()
            .any(|e| e["action"] == "close"));
        // Bad input.
        app.post(
            &r1,
            "/api/v1/concerns",
            json!({"category": "safety", "title": "x", "description": "y"}),
        )
        .await
        .problem(422, "validation_failed");
        app.post(
            &r1,
            "/api/v1/concerns",
            json!({"category": "noise", "title": "x", "description": "y", "grid_id": "g"}),
        )
        .await
        .problem(422, "validation_failed");
        let far = app.post(&r1, "/api/v1/concerns", json!({"category": "other", "title": "x", "description": "y", "lng": 100.0, "lat": 20.0})).await.problem(422, "validation_failed");
        assert_eq!(far.body["errors"][0]["code"], "outside_grids");
        // A unit contact does not report concerns.
        let u1 = app.token("unit1").await;
        app.post(&u1, "/api/v1/concerns", json!({"category": "other", "title": "x", "description": "y", "lng": IN_GRID1.0, "lat": IN_GRID1.1})).await.problem(403, "forbidden");
    }
);

both_backends!(
    reopened_three_times_or_overdue_a_concern_goes_to_the_street,
    |app| {
        let (c1, r1, s1, c2) = (
            app.token("community1").await,
            app.token("resident1").await,
            app.token("street1").await,
            app.token("community2").await,
        );
        let xqx = app.find_id("regions", "斜桥巷社区").await;
        let made = app.post(&r1, "/api/v1/concerns", json!({"category": "dispute", "title": "楼上漏水", "description": "楼上装修漏水到我家", "community_id": xqx, "address": "斜桥巷5号楼301"})).await.expect(201);
        let id = made.id();
        assert_eq!(made.body["channel"], "resident");
        assert_eq!(made.body["grid_id"], Value::Null);
        app.post(&c1, &format!("/api/v1/concerns/{id}/accept"), json!({}))
            .await
            .expect(200);
        for round in 1..=3 {
            app.post(
                &c1,
                &format!("/api/v1/concerns/{id}/resolve"),
                json!({"resolution": format!("第{round}次调解")}),
            )
            .await
            .expect(200);
            let r = app
                .post(
                    &r1,
                    &format!("/api/v1/concerns/{id}/feedback"),
                    json!({"satisfied": false, "comment": "还在漏"}),
                )
                .await
                .expect(200);
            assert_eq!(
                r.body["escalated"],
                round == 3,
                "escalated on the third reopening, not before"
            );
        }
        let esc = app
            .get(&s1, "/api/v1/concerns?escalated=true")
            .await
            .expect(200);
        assert!(esc.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["id"] == id.as_str()));
        assert!(!app
            .get(&c2, "/api/v1/concerns?escalated=true")
            .await
            .expect(200)
            .body["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["id"] == id.as_str()));
        let detail = app
            .get(&s1, &format!("/api/v1/concerns/{id}"))
            .await
            .expect(200);
        let escalations = detail.body["events"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["action"] == "escalate")
            .count();
        assert_eq!(escalations, 1);
        // The street's staff supervise: they may resolve and record the call-back feedback.
        app.post(
            &s1,
            &format!("/api/v1/concerns/{id}/resolve"),
            json!({"resolution": "街道协调物业维修"}),
        )
        .await
        .expect(200);
        let closed = app
            .post(
                &s1,
                &format!("/api/v1/concerns/{id}/feedback"),
                json!({"satisfied": true, "comment": "电话回访满意"}),
            )
            .await
            .expect(200);
        assert_eq!(closed.body["status"], "closed");
        assert!(
            closed.body["events"].as_array().unwrap().last().unwrap()["note"]
                .as_str()
                .unwrap()
                .starts_with("回访记录")
        );

        // Due times: warned at four-fifths of the window, escalated once overdue — each once. (The
        // demo's open concerns are swept to the street first, so the counts below are ours alone.)
        sweep(&app, Utc::now().naive_utc() + Duration::days(365)).await;
        let made = app.post(&r1, "/api/v1/concerns", json!({"category": "facility", "title": "路灯不亮", "description": "小区门口路灯坏了", "community_id": xqx})).await.expect(201);
        let id2 = made.id();
        let (created, resolve_due, accept_due) = (
            at(&made.body["created_at"]),
            at(&made.body["resolve_due_at"]),
            at(&made.body["accept_due_at"]),
        );
        assert_eq!(resolve_due - created, Duration::hours(72));
        app.post(&c1, &format!("/api/v1/concerns/{id2}/accept"), json!({}))
            .await
            .expect(200);
        let early = sweep(&app, accept_due + Duration::hours(1)).await;
        assert_eq!(
            early,
            (0, 0),
            "accepted in time and not near its end: nothing"
        );
        let warn_at = resolve_due - Duration::hours(72) / 5 + Duration::minutes(1);
        assert_eq!(sweep(&app, warn_at).await.0, 1);
        assert_eq!(
            sweep(&app, warn_at + Duration::minutes(5)).await,
            (0, 0),
            "warned once"
        );
        let seen = app
            .get(&c1, &format!("/api/v1/concerns/{id2}"))
            .await
            .expect(200);
        assert!(seen.body["events"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "warn"));
        assert_eq!(
            sweep(&app, resolve_due + Duration::minutes(1)).await,
            (0, 1)
        );
        assert_eq!(
            sweep(&app, resolve_due + Duration::hours(5)).await,
            (0, 0),
            "escalated once"
        );
        let esc = app
            .get(&s1, &format!("/api/v1/concerns/{id2}"))
            .await
            .expect(200);
        assert_eq!(esc.body["escalated"], true);
        // Not accepted in time is overdue too.
        let made = app.post(&r1, "/api/v1/concerns", json!({"category": "opinion", "title": "建议增加健身器材", "description": "广场缺少器材", "community_id": xqx})).await.expect(201);
        let accept_due = at(&made.body["accept_due_at"]);
        let (_, escalated) = sweep(&app, accept_due + Duration::minutes(1)).await;
        assert_eq!(escalated, 1);
        // Overdue filter: resolution due passed and not finished.
        set(&app, &made.id(), |c, id| {
            diesel::update(concerns::table.find(id))
                .set(concerns::resolve_due_at.eq(Utc::now().naive_utc() - Duration::hours(1)))
                .execute(c)
        })
        .await;
        let overdue = app
            .get(&c1, "/api/v1/concerns?overdue=true")
            .await
            .expect(200);
        let ids: Vec<&str> = overdue.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_str().unwrap())
            .collect();
        assert!(ids.contains(&made.id().as_str()) && !ids.contains(&id.as_str()));
        assert_eq!(overdue.body["items"][0]["resolve_overdue"], true);
    }
);

both_backends!(repeats_of_a_category_at_the_same_place_are_linked, |app| {
    let (g1, c1) = (app.token("grid1").await, app.token("community1").await);
    let hh = app
        .get(&g1, "/api/v1/households?per_page=2")
        .await
        .expect(200);
    let (h1, h2) = (
        hh.body["items"][0]["id"].as_str().unwrap().to_string(),
        hh.body["items"][1]["id"].as_str().unwrap().to_string(),
    );
    let first = app.post(&g1, "/api/v1/concerns", json!({"category": "dispute", "title": "邻里噪音", "description": "夜间噪音", "household_id": h1})).await.expect(201);
    assert_eq!(first.body["repeat_of_id"], Value::Null);
    let again = app.post(&g1, "/api/v1/concerns", json!({"category": "dispute", "title": "又是噪音", "description": "夜间噪音又来了", "household_id": h1})).await.expect(201);
    assert_eq!(again.body["repeat_of_id"], first.id().as_str());
    let third = app.post(&g1, "/api/v1/concerns", json!({"category": "dispute", "title": "第三次", "description": "噪音", "household_id": h1})).await.expect(201);
    assert_eq!(
        third.body["repeat_of_id"],
        first.id().as_str(),
        "all repeats link to the first"
    );
    // Another category, or another household, is not a repeat.
    let other = app.post(&g1, "/api/v1/concerns", json!({"category": "facility", "title": "水管", "description": "漏水", "household_id": h1})).await.expect(201);
    assert_eq!(other.body["repeat_of_id"], Value::Null);
    let elsewhere = app.post(&g1, "/api/v1/concerns", json!({"category": "dispute", "title": "噪音", "description": "噪音", "household_id": h2})).await.expect(201);
    assert_eq!(elsewhere.body["repeat_of_id"], Value::Null);
    // Points within 50 m are the same place; 200 m away is not.
    let p1 = app.post(&g1, "/api/v1/concerns", json!({"category": "safety", "title": "井盖松动", "description": "井盖", "lng": 119.9560, "lat": 31.7870})).await.expect(201);
    let p2 = app.post(&g1, "/api/v1/concerns", json!({"category": "safety", "title": "井盖", "description": "井盖", "lng": 119.9563, "lat": 31.7871})).await.expect(201);
    assert_eq!(p2.body["repeat_of_id"], p1.id().as_str());
    let p3 = app.post(&g1, "/api/v1/concerns", json!({"category": "safety", "title": "井盖", "description": "井盖", "lng": 119.9575, "lat": 31.7885})).await.expect(201);
    assert_eq!(p3.body["repeat_of_id"], Value::Null);
    let detail = app
        .get(&c1, &format!("/api/v1/concerns/{}", first.id()))
        .await
        .expect(200);
    let linked: Vec<&str> = detail.body["repeats"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(linked, [again.id().as_str(), third.id().as_str()]);
    let today = tongxin::clock::today();
    let repeats = app
        .get(
            &c1,
            &format!("/api/v1/concerns?repeats=true&from={today}&per_page=100"),
        )
        .await
        .expect(200);
    assert_eq!(repeats.body["total"], 3);
});

both_backends!(a_street_routes_categories_to_departments_or_units, |app| {
    let (s1, c1, u1, r1) = (
        app.token("street1").await,
        app.token("community1").await,
        app.token("unit1").await,
        app.token("resident1").await,
    );
    let street = app.find_id("regions", "新丰街街道").await;
    let xqx = app.find_id("regions", "斜桥巷社区").await;
    let hospital = app.get(&u1, "/api/v1/units").await.body["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let routes = app
        .get(&c1, &format!("/api/v1/streets/{street}/concern-routes"))
        .await
        .expect(200);
    assert_eq!(routes.body["routes"].as_array().unwrap().len(), 7);
    // The demo street has its own route for market concerns; the rest are the defaults.
    let custom: Vec<&str> = routes.body["routes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["custom"] == true)
        .map(|r| r["category"].as_str().unwrap())
        .collect();
    assert_eq!(custom, ["market"]);
    let route = json!({"category": "facility", "handler_type": "unit", "handler_id": hospital, "handler_name": "-", "accept_hours": 4, "resolve_hours": 48});
    app.put(
        &c1,
        &format!("/api/v1/streets/{street}/concern-routes"),
        route.clone(),
    )
    .await
    .problem(403, "forbidden");
    app.put(&s1, &format!("/api/v1/streets/{street}/concern-routes"), json!({"category": "facility", "handler_type": "unit", "handler_name": "x", "accept_hours": 4, "resolve_hours": 2})).await.problem(422, "validation_failed");
    app.put(
        &s1,
        &format!("/api/v1/streets/{xqx}/concern-routes"),
        route.clone(),
    )
    .await
    .problem(400, "not_a_street");
    let set = app
        .put(
            &s1,
            &format!("/api/v1/streets/{street}/concern-routes"),
            route,
        )
        .await
        .expect(200);
    let facility = set.body["routes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["category"] == "facility")
        .unwrap()
        .clone();
    assert_eq!(facility["custom"], true);
    assert_eq!(facility["handler_name"], "常州市第一人民医院");

    let made = app.post(&r1, "/api/v1/concerns", json!({"category": "facility", "title": "门诊楼前路面破损", "description": "路面坑洼", "community_id": xqx})).await.expect(201);
    let id = made.id();
    assert_eq!(made.body["handler_type"], "unit");
    assert_eq!(
        at(&made.body["accept_due_at"]) - at(&made.body["created_at"]),
        Duration::hours(4)
    );
    // The unit's contact handles it; the community's staff supervise but do not accept for a unit.
    let mine = app
        .get(&u1, "/api/v1/concerns?handling=true")
        .await
        .expect(200);
    assert_eq!(
        mine.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["id"] == id.as_str())
            .count(),
        1
    );
    let staff_view = app
        .get(&c1, &format!("/api/v1/concerns/{id}"))
        .await
        .expect(200);
    assert_eq!(actions(&staff_view), ["route"]);
    app.post(&c1, &format!("/api/v1/concerns/{id}/accept"), json!({}))
        .await
        .problem(403, "forbidden");
    app.post(&u1, &format!("/api/v1/concerns/{id}/accept"), json!({}))
        .await
        .expect(200);
    // Re-routed to a department: the new handler accepts again, the unit no longer sees it.
    app.post(
        &u1,
        &format!("/api/v1/concerns/{id}/route"),
        json!({"handler_type": "department", "handler_name": "城建办"}),
    )
    .await
    .problem(403, "forbidden");
    let moved = app.post(&c1, &format!("/api/v1/concerns/{id}/route"), json!({"handler_type": "department", "handler_name": "街道城建办", "resolve_within_hours": 120, "note": "属市政设施"})).await.expect(200);
    assert_eq!(moved.body["status"], "reported");
    assert_eq!(moved.body["handler_name"], "街道城建办");
    assert_eq!(moved.body["accepted_at"], Value::Null);
    app.get(&u1, &format!("/api/v1/concerns/{id}"))
        .await
        .problem(404, "not_found");
    app.post(
        &c1,
        &format!("/api/v1/concerns/{id}/route"),
        json!({"handler_type": "unit"}),
    )
    .await
    .problem(422, "validation_failed");
});

both_backends!(the_12345_measures_match_hand_computed_figures, |app| {
    let (c2, r1, s1, c1) = (
        app.token("community2").await,
        app.token("resident1").await,
        app.token("street1").await,
        app.token("community1").await,
    );
    let xfj = app.find_id("regions", "新丰街社区").await;
    let mut ids = vec![];
    for i in 0..6 {
        let r = app.post(&r1, "/api/v1/concerns", json!({"category": if i < 4 { "environment" } else { "market" }, "title": format!("问题{i}"), "description": "d", "community_id": xfj})).await.expect(201);
        ids.push(r.id());
    }
    // 0: accepted late, resolved on time, closed at once (1 feedback, satisfied)
    // 1: accepted on time, resolved late, reopened once then closed (2 feedback, 1 satisfied)
    // 2: accepted on time, resolved on time, still waiting for feedback
    // 3: accepted on time, not resolved, resolution overdue
    // 4: not accepted, acceptance overdue
    // 5: not accepted, not yet due
    for i in 0..4 {
        app.post(
            &c2,
            &format!("/api/v1/concerns/{}/accept", ids[i]),
            json!({}),
        )
        .await
        .expect(200);
    }
    for i in 0..3 {
        app.post(
            &c2,
            &format!("/api/v1/concerns/{}/resolve", ids[i]),
            json!({"resolution": "ok"}),
        )
        .await
        .expect(200);
    }
    app.post(
        &r1,
        &format!("/api/v1/concerns/{}/feedback", ids[0]),
        json!({"satisfied": true}),
    )
    .await
    .expect(200);
    app.post(
        &r1,
        &format!("/api/v1/concerns/{}/feedback", ids[1]),
        json!({"satisfied": false, "comment": "no"}),
    )
    .await
    .expect(200);
    app.post(
        &c2,
        &format!("/api/v1/concerns/{}/resolve", ids[1]),
        json!({"resolution": "again"}),
    )
    .await
    .expect(200);
    app.post(
        &r1,
        &format!("/api/v1/concerns/{}/feedback", ids[1]),
        json!({"satisfied": true}),
    )
    .await
    .expect(200);
    let past = Utc::now().naive_utc() - Duration::hours(1);
    set(&app, &ids[0], move |c, id| {
        diesel::update(concerns::table.find(id))
            .set(concerns::accept_due_at.eq(past - Duration::hours(1)))
            .execute(c)
    })
    .await;
    set(&app, &ids[1], move |c, id| {
        diesel::update(concerns::table.find(id))
            .set(concerns::resolve_due_at.eq(past - Duration::hours(1)))
            .execute(c)
    })
    .await;
    set(&app, &ids[3], move |c, id| {
        diesel::update(concerns::table.find(id))
            .set(concerns::resolve_due_at.eq(past))
            .execute(c)
    })
    .await;
    set(&app, &ids[4], move |c, id| {
        diesel::update(concerns::table.find(id))
            .set(concerns::accept_due_at.eq(past))
            .execute(c)
    })
    .await;

    // Today's concerns only (the demo's are older).
    let today = tongxin::clock::today();
    let m = app
        .get(
            &s1,
            &format!("/api/v1/concerns/metrics?region_id={xfj}&from={today}"),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(m["reported"], 6);
    assert_eq!(m["by_category"]["environment"], 4);
    assert_eq!(m["by_status"]["closed"], 2);
    // Acceptance: 4 accepted + 1 overdue = 5 due; 3 on time.
    assert_eq!(
        (m["acceptance_due"].as_i64(), m["accepted_on_time"].as_i64()),
        (Some(5), Some(3))
    );
    assert_eq!(m["on_time_acceptance_rate"], 0.6);
    // Resolution: 3 resolved + 1 overdue = 4 due; 2 on time (0 and 2).
    assert_eq!(
        (m["resolution_due"].as_i64(), m["resolved_on_time"].as_i64()),
        (Some(4), Some(2))
    );
    assert_eq!(m["on_time_resolution_rate"], 0.5);
    // Feedback: 1 + 2 = 3, satisfied 2.
    assert_eq!(
        (m["feedback"].as_i64(), m["satisfied"].as_i64()),
        (Some(3), Some(2))
    );
    assert_eq!(m["satisfaction_rate"], 0.6667);
    // Reopen: 1 of 3 resolved.
    assert_eq!(m["reopen_rate"], 0.3333);
    // Scoped: another community's staff cannot read it; the caller's own community can.
    app.get(
        &c1,
        &format!("/api/v1/concerns/metrics?region_id={xfj}&from={today}"),
    )
    .await
    .problem(404, "not_found");
    let own = app
        .get(
            &c2,
            &format!("/api/v1/concerns/metrics?region_id={xfj}&from={today}"),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(own, m);
    let street = app.find_id("regions", "新丰街街道").await;
    let empty = app
        .get(
            &s1,
            &format!("/api/v1/concerns/metrics?region_id={street}&from=2020-01-01&to=2020-12-31"),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(empty["reported"], 0);
    assert_eq!(empty["on_time_acceptance_rate"], Value::Null);
    app.get(
        &s1,
        &format!("/api/v1/concerns/metrics?region_id={street}&from=2026-12-01&to=2026-01-01"),
    )
    .await
    .problem(422, "validation_failed");
});

both_backends!(photos_are_images_kept_with_the_concern, |app| {
    let (r1, c1, c2) = (
        app.token("resident1").await,
        app.token("community1").await,
        app.token("community2").await,
    );
    let xqx = app.find_id("regions", "斜桥巷社区").await;
    let id = app.post(&r1, "/api/v1/concerns", json!({"category": "environment", "title": "乱扔垃圾", "description": "d", "community_id": xqx})).await.expect(201).id();
    let upload = |token: &str, name: &str, bytes: Vec<u8>| {
        let boundary = "XBOUNDARY";
        let mut body = format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").into_bytes();
        body.extend(bytes);
        body.extend(format!("\r\n--{boundary}--\r\n").into_bytes());
        TestRequest::post()
            .uri(&format!("/api/v1/concerns/{id}/photos"))
            .insert_header(bearer(token))
            .insert_header((
                "content-type",
                format!("multipart/form-data; boundary={boundary}"),
            ))
            .set_payload(body)
    };
    // A PNG's signature and IHDR (640 × 480); the rest is not decoded.
    let png =
        b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR\0\0\x02\x80\0\0\x01\xe0\x08\x02\0\0\0-fake-but-magic"
            .to_vec();
    let r = app
        .call(upload(&r1, "photo.png", png.clone()))
        .await
        .expect(201);
    let photos = r.body["photos"].as_array().unwrap().clone();
    assert_eq!(photos.len(), 1);
    app.call(upload(&r1, "photo.png", b"%PDF-1.7".to_vec()))
        .await
        .problem(415, "unsupported_media_type");
    app.call(upload(&r1, "doc.pdf", b"%PDF-1.7".to_vec()))
        .await
        .problem(415, "unsupported_media_type");
    app.call(upload(&c2, "photo.png", png.clone()))
        .await
        .problem(404, "not_found");
    let url = photos[0]["url"].as_str().unwrap();
    let got = app.get(&c1, url).await.expect(200);
    assert_eq!(got.header("content-type").as_deref(), Some("image/png"));
    assert_eq!(
        got.body,
        Value::String(String::from_utf8_lossy(&png).into_owned())
    );
});

both_backends!(open311_clients_file_and_follow_requests, |app| {
    let admin = app.token("admin").await;
    let street = app.find_id("regions", "新丰街街道").await;
    app.post(&admin, "/api/v1/users", json!({"username": "hotline-12345", "display_name": "12345 热线", "password": "client-secret-123", "grants": [{"role": "integration", "scope_id": street}]})).await.expect(201);
    let form = |s: &str| {
        TestRequest::post()
            .uri("/api/v1/auth/token")
            .insert_header(("content-type", "application/x-www-form-urlencoded"))
            .set_payload(s.to_string())
    };
    let token = app
        .call(form(
            "grant_type=client_credentials&client_id=hotline-12345&client_secret=client-secret-123",
        ))
        .await
        .expect(200)
        .body["access_token"]
        .as_str()
        .unwrap()
        .to_string();

    let services = app
        .get(&token, "/api/v1/open311/v2/services.json")
        .await
        .expect(200);
    assert_eq!(services.body.as_array().unwrap().len(), 7);
    assert!(services
        .body
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s["service_code"] == "environment"
            && s["metadata"] == false
            && s["type"] == "realtime"));
    assert_eq!(
        app.get(&token, "/api/v1/open311/v2/services/market.json")
            .await
            .expect(200)
            .body["service_code"],
        "market"
    );
    let missing = app
        .get(&token, "/api/v1/open311/v2/services/noise.json")
        .await
        .expect(404);
    assert_eq!(missing.body[0]["code"], 404);

    let post = |body: String, auth: Option<&str>| {
        let mut r = TestRequest::post()
            .uri("/api/v1/open311/v2/requests.json")
            .insert_header(("content-type", "application/x-www-form-urlencoded"))
            .set_payload(body);
        if let Some(t) = auth {
            r = r.insert_header(bearer(t));
        }
        r
    };
    let body = format!("service_code=environment&lat={}&long={}&address_string={}&description={}&first_name={}&last_name={}&phone=13905190000&media_url=https%3A%2F%2Fexample.org%2Fp%2F1.jpg", IN_GRID1.1, IN_GRID1.0, url_encode("斜桥巷3号楼"), url_encode("垃圾桶满了三天没人清运"), url_encode("秀英"), url_encode("李"));
    let filed = app.call(post(body.clone(), Some(&token))).await.expect(201);
    let id = filed.body[0]["service_request_id"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(filed.body[0]["service_notice"]
        .as_str()
        .unwrap()
        .contains("城管中队"));
    // The api_key form field works for clients that cannot send headers.
    let by_key = app
        .call(post(format!("{body}&api_key={token}"), None))
        .await
        .expect(201);
    assert_ne!(by_key.body[0]["service_request_id"], id.as_str());

    let one = app
        .get(&token, &format!("/api/v1/open311/v2/requests/{id}.json"))
        .await
        .expect(200);
    let r = &one.body[0];
    assert_eq!(r["service_request_id"], id.as_str());
    assert_eq!(r["status"], "open");
    assert_eq!(r["service_code"], "environment");
    assert_eq!(r["agency_responsible"], "城管中队");
    assert_eq!(r["media_url"], "https://example.org/p/1.jpg");
    assert_eq!(r["lat"], IN_GRID1.1);
    assert!(r["requested_datetime"]
        .as_str()
        .unwrap()
        .ends_with("+08:00"));
    // It is a concern like any other: the community closes it and the facade follows.
    let c1 = app.token("community1").await;
    let concern = app
        .get(&c1, &format!("/api/v1/concerns/{id}"))
        .await
        .expect(200);
    assert_eq!(concern.body["channel"], "open311");
    assert_eq!(concern.body["reporter_name"], "李秀英");
    assert_eq!(concern.body["contact_phone"], "139****0000");
    let full = app
        .get(&c1, &format!("/api/v1/concerns/{id}?unmask=true"))
        .await
        .expect(200);
    assert_eq!(full.body["contact_phone"], "13905190000");
    // The caller has no account here (the reporter is the integration): the read names no one.
    let read = app
        .audit_for(&id)
        .await
        .into_iter()
        .find(|e| e["action"] == "unmask")
        .expect("the read is recorded");
    assert!(read["subject_id"].is_null(), "{read}");
    app.post(&c1, &format!("/api/v1/concerns/{id}/accept"), json!({}))
        .await
        .expect(200);
    app.post(
        &c1,
        &format!("/api/v1/concerns/{id}/resolve"),
        json!({"resolution": "已清运"}),
    )
    .await
    .expect(200);
    app.post(
        &token,
        &format!("/api/v1/concerns/{id}/feedback"),
        json!({"satisfied": true}),
    )
    .await
    .expect(200);
    let closed = app
        .get(&token, &format!("/api/v1/open311/v2/requests/{id}.json"))
        .await
        .expect(200);
    assert_eq!(closed.body[0]["status"], "closed");
    assert_eq!(closed.body[0]["status_notes"], "已清运");
    let open = app
        .get(&token, "/api/v1/open311/v2/requests.json?status=open")
        .await
        .expect(200);
    let open_ids: Vec<&str> = open
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["service_request_id"].as_str().unwrap())
        .collect();
    assert!(
        !open_ids.contains(&id.as_str())
            && open_ids.contains(&by_key.body[0]["service_request_id"].as_str().unwrap())
    );
    let both = app
        .get(
            &token,
            &format!("/api/v1/open311/v2/requests.json?service_request_id={id},nope"),
        )
        .await
        .expect(200);
    assert_eq!(both.body.as_array().unwrap().len(), 1);

    // Errors in GeoReport's shape.
    let bad = app
        .call(post(
            "lat=31.787&long=119.956&description=x".into(),
            Some(&token),
        ))
        .await
        .expect(400);
    assert_eq!(bad.body[0]["code"], 400);
    assert!(bad.body[0]["description"]
        .as_str()
        .unwrap()
        .contains("service_code"));
    app.call(post(
        "service_code=market&description=x".into(),
        Some(&token),
    ))
    .await
    .expect(400);
    let outside = app
        .call(post(
            "service_code=market&lat=20&long=100&description=x".into(),
            Some(&token),
        ))
        .await
        .expect(422);
    assert!(outside.body[0]["description"]
        .as_str()
        .unwrap()
        .contains("grid"));
    let unauth = app
        .call(post(
            "service_code=market&lat=31.787&long=119.956&description=x".into(),
            None,
        ))
        .await
        .expect(401);
    assert_eq!(unauth.body[0]["code"], 401);
    app.get(
        &token,
        "/api/v1/open311/v2/requests.json?start_date=yesterday",
    )
    .await
    .expect(400);
    // Another street's integration sees none of it.
    let other = app.find_id("regions", "花园路街道").await;
    app.post(&admin, "/api/v1/users", json!({"username": "hotline-zz", "display_name": "郑州热线", "password": "client-secret-456", "grants": [{"role": "integration", "scope_id": other}]})).await.expect(201);
    let zz = app
        .call(form(
            "grant_type=client_credentials&client_id=hotline-zz&client_secret=client-secret-456",
        ))
        .await
        .expect(200)
        .body["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    app.get(&zz, &format!("/api/v1/open311/v2/requests/{id}.json"))
        .await
        .expect(404);
    assert_eq!(
        app.get(&zz, "/api/v1/open311/v2/requests.json")
            .await
            .expect(200)
            .body
            .as_array()
            .unwrap()
            .len(),
        0
    );
    app.call(post(body, Some(&zz))).await.expect(403);
});

both_backends!(
    the_demo_street_has_concerns_in_every_state_and_cadres_under_both_lines,
    |app| {
        let (s1, c1) = (app.token("street1").await, app.token("community1").await);
        let street = app.find_id("regions", "新丰街街道").await;
        let m = app
            .get(
                &s1,
                &format!("/api/v1/concerns/metrics?region_id={street}&from=2025-01-01"),
            )
            .await
            .expect(200)
            .body;
        for s in [
            "reported",
            "accepted",
            "in_progress",
            "resolved",
            "closed",
            "reopened",
            "withdrawn",
        ] {
            assert!(
                m["by_status"][s].as_i64().unwrap_or(0) > 0,
                "no {s} concern: {}",
                m["by_status"]
            );
        }
        assert!(m["escalated"].as_i64().unwrap() > 0 && m["repeats"].as_i64().unwrap() > 0);
        let rate = m["on_time_resolution_rate"].as_f64().unwrap();
        assert!((0.5..1.0).contains(&rate), "{rate}");
        let first = app
            .get(&c1, "/api/v1/concerns?status=closed&per_page=1")
            .await
            .expect(200)
            .body["items"][0]["id"]
            .as_str()
            .unwrap()
            .to_string();
        let detail = app
            .get(&c1, &format!("/api/v1/concerns/{first}"))
            .await
            .expect(200)
            .body;
        assert_eq!(detail["events"][0]["action"], "report");
        assert_eq!(
            detail["events"].as_array().unwrap().last().unwrap()["action"],
            "close"
        );
        // Last half-year's poll in 斜桥巷: one cadre warned (with a rectification), one under 60 %.
        let xqx = app.find_id("regions", "斜桥巷社区").await;
        let closed = app
            .get(
                &c1,
                &format!("/api/v1/polls?community_id={xqx}&status=closed"),
            )
            .await
            .expect(200)
            .body;
        let poll = closed["items"][0]["id"].as_str().unwrap().to_string();
        let res = app
            .get(&c1, &format!("/api/v1/polls/{poll}/results"))
            .await
            .expect(200)
            .body;
        let outcomes: Vec<&str> = res["cadres"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["outcome"].as_str().unwrap())
            .collect();
        assert!(
            outcomes.contains(&"warning") && outcomes.contains(&"dismissal"),
            "{outcomes:?}"
        );
        let warned = res["cadres"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["outcome"] == "warning")
            .unwrap();
        assert!(warned["rectification_id"].is_string());
        let open = app
            .get(
                &app.token("resident1").await,
                &format!("/api/v1/polls?community_id={xqx}"),
            )
            .await
            .expect(200)
            .body;
        assert_eq!(open["items"][0]["can_vote"], true);
    }
);
