use chrono::{Duration, SecondsFormat, Utc};
use serde_json::{json, Value};

use crate::both_backends;
use crate::common::*;

fn at(minutes_from_now: i64) -> String {
    (Utc::now() + Duration::minutes(minutes_from_now)).to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// A new team of 斜桥巷社区 kept by community1, and an activity of it.
async fn team(app: &TestApp) -> String {
    let c1 = app.token("community1").await;
    let region = app.find_id("regions", "斜桥巷社区").await;
    app.post(&c1, "/api/v1/volunteer-teams", json!({"name": "测试服务队", "kind": "party_service", "colour": "orange", "region_id": region, "specialties": ["助老"]})).await.expect(201).id()
}

async fn activity(app: &TestApp, team: &str, from: i64, to: i64, capacity: i64) -> String {
    let c1 = app.token("community1").await;
    app.post(&c1, "/api/v1/activities", json!({"team_id": team, "title": "测试活动", "place": "社区广场", "latitude": 31.7795, "longitude": 119.9597, "starts_at": at(from), "ends_at": at(to), "capacity": capacity}))
        .await
        .expect(201)
        .id()
}

fn signup_of<'a>(list: &'a Value, name: &str) -> &'a Value {
    list.as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("{name} in {list}"))
}

both_backends!(places_fill_in_order_and_the_waiting_list_moves_up, |app| {
    let t = team(&app).await;
    let a = activity(&app, &t, 60 * 24, 60 * 26, 2).await;
    let (m1, r1, g1, s1) = (
        app.token("member1").await,
        app.token("resident1").await,
        app.token("grid1").await,
        app.token("secretary1").await,
    );
    let c1 = app.token("community1").await;
    let url = |action: &str| format!("/api/v1/activities/{a}/{action}");
    assert_eq!(
        app.post(&m1, &url("sign-up"), json!({}))
            .await
            .expect(200)
            .body["my_signup"]["status"],
        "confirmed"
    );
    assert_eq!(
        app.post(&r1, &url("sign-up"), json!({}))
            .await
            .expect(200)
            .body["my_signup"]["status"],
        "confirmed"
    );
    let third = app.post(&g1, &url("sign-up"), json!({})).await.expect(200);
    assert_eq!(third.body["my_signup"]["status"], "waitlisted");
    assert_eq!(third.body["my_signup"]["waitlist_position"], 1);
    let fourth = app.post(&s1, &url("sign-up"), json!({})).await.expect(200);
    assert_eq!(fourth.body["my_signup"]["waitlist_position"], 2);
    assert_eq!(
        (
            fourth.body["confirmed"].as_i64(),
            fourth.body["waitlisted"].as_i64()
        ),
        (Some(2), Some(2))
    );
    app.post(&r1, &url("sign-up"), json!({}))
        .await
        .problem(409, "already_signed_up");
    // A place frees: the first in the queue takes it; the second moves up.
    app.post(&m1, &url("withdraw"), json!({})).await.expect(200);
    assert_eq!(
        app.get(&g1, &format!("/api/v1/activities/{a}"))
            .await
            .expect(200)
            .body["my_signup"]["status"],
        "confirmed"
    );
    let s = app
        .get(&s1, &format!("/api/v1/activities/{a}"))
        .await
        .expect(200);
    assert_eq!(s.body["my_signup"]["waitlist_position"], 1);
    assert_eq!(
        (s.body["confirmed"].as_i64(), s.body["waitlisted"].as_i64()),
        (Some(2), Some(1))
    );
    app.post(&m1, &url("withdraw"), json!({}))
        .await
        .problem(409, "not_signed_up");
    // Signing up again goes to the back of the queue.
    assert_eq!(
        app.post(&m1, &url("sign-up"), json!({}))
            .await
            .expect(200)
            .body["my_signup"]["waitlist_position"],
        2
    );
    // A larger capacity promotes; a smaller one than the places taken is refused.
    let v = app.get(&c1, &format!("/api/v1/activities/{a}")).await.body["version"]
        .as_i64()
        .unwrap();
    let r = app
        .patch(
            &c1,
            &format!("/api/v1/activities/{a}"),
            json!({"capacity": 3}),
            Some(v),
        )
        .await
        .expect(200);
    assert_eq!(
        (r.body["confirmed"].as_i64(), r.body["waitlisted"].as_i64()),
        (Some(3), Some(1))
    );
    let bad = app
        .patch(
            &c1,
            &format!("/api/v1/activities/{a}"),
            json!({"capacity": 1}),
            None,
        )
        .await
        .problem(422, "validation_failed");
    assert_eq!(bad.body["errors"][0]["code"], "below_confirmed");
    // The keepers see the list in order; others may not.
    let list = app.get(&c1, &url("signups")).await.expect(200).body;
    assert_eq!(signup_of(&list, "王建国")["status"], "waitlisted");
    app.get(&r1, &url("signups"))
        .await
        .problem(403, "forbidden");
    // Cancelling a future activity; nobody signs up for it afterwards.
    app.post(&r1, &url("cancel"), json!({}))
        .await
        .problem(403, "forbidden");
    assert_eq!(
        app.post(&c1, &url("cancel"), json!({}))
            .await
            .expect(200)
            .body["status"],
        "cancelled"
    );
    let no = app
        .post(&m1, &url("withdraw"), json!({}))
        .await
        .problem(409, "invalid_transition");
    assert!(
        no.body["detail"].as_str().unwrap().contains("started")
            || no.body["detail"].as_str().unwrap().contains("cancelled"),
        "{}",
        no.body
    );
    app.post(&app.token("street1").await, &url("sign-up"), json!({}))
        .await
        .problem(409, "invalid_transition");
});

both_backends!(
    check_in_needs_the_current_code_or_a_nearby_position_inside_the_window,
    |app| {
        let t = team(&app).await;
        let c1 = app.token("community1").await;
        let (m1, r1, g1) = (
            app.token("member1").await,
            app.token("resident1").await,
            app.token("grid1").await,
        );
        // Not yet open: two hours ahead.
        let later = activity(&app, &t, 120, 240, 5).await;
        app.post(
            &m1,
            &format!("/api/v1/activities/{later}/sign-up"),
            json!({}),
        )
        .await
        .expect(200);
        let code = app
            .get(&c1, &format!("/api/v1/activities/{later}/check-in-code"))
            .await
            .expect(200)
            .body["code"]
            .as_str()
            .unwrap()
            .to_string();
        app.post(
            &m1,
            &format!("/api/v1/activities/{later}/check-in"),
            json!({"code": code}),
        )
        .await
        .problem(409, "outside_check_in_window");

        // Under way for ten minutes, two places.
        let a = activity(&app, &t, -10, 110, 2).await;
        for tok in [&m1, &r1, &g1] {
            app.post(tok, &format!("/api/v1/activities/{a}/sign-up"), json!({}))
                .await
                .expect(200);
        }
        let shown = app
            .get(&c1, &format!("/api/v1/activities/{a}/check-in-code"))
            .await
            .expect(200);
        assert_eq!(shown.header("cache-control").as_deref(), Some("no-store"));
        let code = shown.body["code"].as_str().unwrap().to_string();
        assert!(shown.body["check_in_url"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/activities/{a}/check-in?code={code}")));
        app.get(&m1, &format!("/api/v1/activities/{a}/check-in-code"))
            .await
            .problem(403, "forbidden");
        let wrong = if code == "000000" { "111111" } else { "000000" };
        let bad = app
            .post(
                &m1,
                &format!("/api/v1/activities/{a}/check-in"),
                json!({"code": wrong}),
            )
            .await
            .problem(422, "validation_failed");
        assert_eq!(bad.body["errors"][0]["code"], "code_invalid");
        app.post(
            &m1,
            &format!("/api/v1/activities/{a}/check-in"),
            json!({"code": "12ab"}),
        )
        .await
        .problem(422, "validation_failed");
        app.post(&m1, &format!("/api/v1/activities/{a}/check-in"), json!({}))
            .await
            .problem(422, "validation_failed");
        let ok = app
            .post(
                &m1,
                &format!("/api/v1/activities/{a}/check-in"),
                json!({"code": code}),
            )
            .await
            .expect(200);
        assert_eq!(ok.body["my_signup"]["check_in_method"], "code");
        app.post(
            &m1,
            &format!("/api/v1/activities/{a}/check-in"),
            json!({"code": code}),
        )
        .await
        .problem(409, "invalid_transition");
        // By position: 1 km away is refused, 50 m away accepted (the radius is 200 m).
        let far = app
            .post(
                &r1,
                &format!("/api/v1/activities/{a}/check-in"),
                json!({"latitude": 31.7885, "longitude": 119.9597}),
            )
            .await
            .problem(422, "validation_failed");
        assert_eq!(far.body["errors"][0]["code"], "too_far");
        let near = app
            .post(
                &r1,
                &format!("/api/v1/activities/{a}/check-in"),
                json!({"latitude": 31.78, "longitude": 119.9597}),
            )
            .await
            .expect(200);
        assert_eq!(near.body["my_signup"]["check_in_method"], "position");
        // The third person waits for a place and cannot check in.
        app.post(
            &g1,
            &format!("/api/v1/activities/{a}/check-in"),
            json!({"code": code}),
        )
        .await
        .problem(409, "not_signed_up");

        // Check-out credits the minutes since the check-in; marked present, from the start.
        let out = app
            .post(
                &m1,
                &format!("/api/v1/activities/{a}/check-out"),
                json!({"code": code}),
            )
            .await
            .expect(200);
        assert!(out.body["my_signup"]["checked_out_at"].is_string());
        assert!(out.body["my_signup"]["credited_minutes"].as_i64().unwrap() <= 1);
        let me = app.get(&m1, "/api/v1/volunteers/me").await.expect(200).id();
        let marked = app
            .put(
                &c1,
                &format!("/api/v1/activities/{a}/attendance"),
                json!({"entries": [{"volunteer_id": me, "attendance": "present"}]}),
            )
            .await
            .expect(200);
        assert_eq!(signup_of(&marked.body, "王建国")["credited_minutes"], 10);
        let ledger = app
            .get(&m1, &format!("/api/v1/service-hours?activity_id={a}"))
            .await
            .expect(200);
        let minutes: Vec<i64> = ledger.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["minutes"].as_i64().unwrap())
            .collect();
        assert_eq!(minutes.iter().sum::<i64>(), 10, "{minutes:?}");
        let g1_vol = app.get(&g1, "/api/v1/volunteers/me").await.expect(200).id();
        app.put(
            &c1,
            &format!("/api/v1/activities/{a}/attendance"),
            json!({"entries": [{"volunteer_id": g1_vol, "attendance": "present"}]}),
        )
        .await
        .problem(422, "validation_failed");
        app.put(
            &m1,
            &format!("/api/v1/activities/{a}/attendance"),
            json!({"entries": [{"volunteer_id": me, "attendance": "present"}]}),
        )
        .await
        .problem(403, "forbidden");
        // Not ended yet: it cannot be closed.
        let early = app
            .post(&c1, &format!("/api/v1/activities/{a}/close"), json!({}))
            .await
            .problem(409, "invalid_transition");
        assert!(early.body["detail"].as_str().unwrap().contains("not_ended"));
    }
);

both_backends!(the_ledger_is_only_appended_and_its_sums_reconcile, |app| {
    let t = team(&app).await;
    let c1 = app.token("community1").await;
    let (m1, r1, g1) = (
        app.token("member1").await,
        app.token("resident1").await,
        app.token("grid1").await,
    );
    // An activity that ran from three hours ago to an hour ago (recorded after the fact).
    let a = activity(&app, &t, -180, -60, 5).await;
    app.post(&m1, &format!("/api/v1/activities/{a}/sign-up"), json!({}))
        .await
        .problem(409, "invalid_transition");

    // So: an activity under way, everyone signs up, then it is moved into the past (as a leader
    // fixing the times would) and closed.
    let a = activity(&app, &t, -5, 115, 5).await;
    for tok in [&m1, &r1, &g1] {
        app.post(tok, &format!("/api/v1/activities/{a}/sign-up"), json!({}))
            .await
            .expect(200);
    }
    let v = app.get(&c1, &format!("/api/v1/activities/{a}")).await.body["version"]
        .as_i64()
        .unwrap();
    app.patch(
        &c1,
        &format!("/api/v1/activities/{a}"),
        json!({"starts_at": at(-180), "ends_at": at(-60)}),
        Some(v),
    )
    .await
    .expect(200);
    let vol = |tok: &String| {
        let tok = tok.clone();
        let app = &app;
        async move {
            app.get(&tok, "/api/v1/volunteers/me")
                .await
                .expect(200)
                .id()
        }
    };
    let (vm, vr, vg) = (vol(&m1).await, vol(&r1).await, vol(&g1).await);
    app.put(&c1, &format!("/api/v1/activities/{a}/attendance"), json!({"entries": [
        {"volunteer_id": vm, "attendance": "present"}, {"volunteer_id": vr, "attendance": "late"}, {"volunteer_id": vg, "attendance": "excused"}
    ]})).await.expect(200);
    let closed = app
        .post(&c1, &format!("/api/v1/activities/{a}/close"), json!({}))
        .await
        .expect(200);
    assert_eq!(closed.body["status"], "closed");
    app.post(&c1, &format!("/api/v1/activities/{a}/close"), json!({}))
        .await
        .problem(409, "invalid_transition");
    app.put(
        &c1,
        &format!("/api/v1/activities/{a}/attendance"),
        json!({"entries": [{"volunteer_id": vg, "attendance": "present"}]}),
    )
    .await
    .problem(409, "invalid_transition");
    let list = app
        .get(&c1, &format!("/api/v1/activities/{a}/signups"))
        .await
        .expect(200)
        .body;
    assert_eq!(signup_of(&list, "王建国")["credited_minutes"], 120);
    assert_eq!(
        signup_of(&list, "李秀英")["credited_minutes"],
        120,
        "late without a check-in time counts from the start"
    );
    assert_eq!(
        list.as_array()
            .unwrap()
            .iter()
            .map(|s| s["credited_minutes"].as_i64().unwrap())
            .sum::<i64>(),
        240
    );

    // A correction reverses and replaces; the original row stays as it was.
    let entries = app
        .get(
            &c1,
            &format!("/api/v1/service-hours?activity_id={a}&volunteer_id={vm}"),
        )
        .await
        .expect(200);
    assert_eq!(entries.body["total"], 1);
    let original = entries.body["items"][0]["id"].as_str().unwrap().to_string();
    app.post(
        &m1,
        &format!("/api/v1/service-hours/{original}/correct"),
        json!({"minutes": 90, "note": "x"}),
    )
    .await
    .problem(404, "not_found");
    app.post(
        &r1,
        &format!("/api/v1/service-hours/{original}/correct"),
        json!({"minutes": 90, "note": "x"}),
    )
    .await
    .problem(404, "not_found");
    let fix = app
        .post(
            &c1,
            &format!("/api/v1/service-hours/{original}/correct"),
            json!({"minutes": 90, "note": "签退时间登记错误"}),
        )
        .await
        .expect(201);
    assert_eq!(fix.body["reversal"]["minutes"], -120);
    assert_eq!(fix.body["reversal"]["reverses_id"], original.as_str());
    assert_eq!(fix.body["replacement"]["minutes"], 90);
    app.post(
        &c1,
        &format!("/api/v1/service-hours/{original}/correct"),
        json!({"minutes": 60, "note": "again"}),
    )
    .await
    .problem(409, "entry_reversed");
    let reversal = fix.body["reversal"]["id"].as_str().unwrap();
    app.post(
        &c1,
        &format!("/api/v1/service-hours/{reversal}/correct"),
        json!({"minutes": 60, "note": "x"}),
    )
    .await
    .problem(409, "entry_is_reversal");
    app.post(
        &c1,
        &format!("/api/v1/service-hours/{original}/correct"),
        json!({"minutes": -5, "note": "x"}),
    )
    .await
    .problem(422, "validation_failed");
    let after = app
        .get(
            &c1,
            &format!("/api/v1/service-hours?activity_id={a}&volunteer_id={vm}"),
        )
        .await
        .expect(200);
    assert_eq!(after.body["total"], 3);
    let first = after.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == original.as_str())
        .unwrap();
    assert_eq!(
        (first["minutes"].as_i64(), first["reversed"].as_bool()),
        (Some(120), Some(true))
    );

    // Make-up hours: within the activity's length with the credited ones, approved by a keeper.
    let over = app.post(&r1, "/api/v1/service-hour-claims", json!({"team_id": t, "activity_id": a, "minutes": 10, "served_on": tongxin::clock::today(), "reason": "提前布置"})).await;
    // resident1 is not in the team yet.
    over.problem(422, "validation_failed");
    for v in [&vm, &vr] {
        app.post(
            &c1,
            &format!("/api/v1/volunteer-teams/{t}/members"),
            json!({"volunteer_id": v}),
        )
        .await
        .expect(201);
    }
    app.post(
        &c1,
        &format!("/api/v1/volunteer-teams/{t}/members"),
        json!({"volunteer_id": vm}),
    )
    .await
    .problem(409, "already_member");
    let full = app.post(&r1, "/api/v1/service-hour-claims", json!({"team_id": t, "activity_id": a, "minutes": 10, "served_on": tongxin::clock::today(), "reason": "提前布置"})).await.problem(422, "validation_failed");
    assert_eq!(full.body["errors"][0]["code"], "exceeds_activity");
    let claim = app.post(&m1, "/api/v1/service-hour-claims", json!({"team_id": t, "activity_id": a, "minutes": 30, "served_on": tongxin::clock::today(), "reason": "提前到场布置"})).await.expect(201);
    let claim_id = claim.id();
    assert_eq!(claim.body["status"], "pending");
    app.post(&m1, "/api/v1/service-hour-claims", json!({"team_id": t, "activity_id": a, "minutes": 31, "served_on": tongxin::clock::today(), "reason": "x"})).await.problem(422, "validation_failed");
    app.post(
        &m1,
        "/api/v1/service-hour-claims",
        json!({"team_id": t, "minutes": 30, "served_on": "2099-01-01", "reason": "x"}),
    )
    .await
    .problem(422, "validation_failed");
    let queue = app
        .get(&c1, "/api/v1/service-hour-claims?status=pending")
        .await
        .expect(200);
    assert!(queue.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["id"] == claim_id.as_str()));
    app.post(
        &m1,
        &format!("/api/v1/service-hour-claims/{claim_id}/approve"),
        json!({}),
    )
    .await
    .problem(403, "forbidden");
    let approved = app
        .post(
            &c1,
            &format!("/api/v1/service-hour-claims/{claim_id}/approve"),
            json!({"note": "同意"}),
        )
        .await
        .expect(200);
    assert_eq!(approved.body["status"], "approved");
    assert!(approved.body["entry_id"].is_string());
    let again = app
        .post(
            &c1,
            &format!("/api/v1/service-hour-claims/{claim_id}/reject"),
            json!({}),
        )
        .await
        .problem(409, "invalid_transition");
    assert!(again.body["detail"].as_str().unwrap().contains("approved"));

    // Every total is the plain sum of the rows: 90 + 120 credited, 30 make-up.
    let year = chrono::Datelike::year(&tongxin::clock::today()).to_string();
    let by_team = app
        .get(
            &c1,
            &format!("/api/v1/service-hours/totals?group_by=team&team_id={t}&period={year}"),
        )
        .await
        .expect(200);
    assert_eq!(
        (
            by_team.body["credited_minutes"].as_i64(),
            by_team.body["make_up_minutes"].as_i64(),
            by_team.body["total_minutes"].as_i64()
        ),
        (Some(210), Some(30), Some(240))
    );
    let rows = app
        .get(
            &c1,
            &format!("/api/v1/service-hours?team_id={t}&per_page=100"),
        )
        .await
        .expect(200);
    let sum: i64 = rows.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["minutes"].as_i64().unwrap())
        .sum();
    assert_eq!(sum, 240);
    let today = tongxin::clock::today();
    let card = app
        .get(
            &m1,
            &format!(
                "/api/v1/volunteers/{vm}/service-card?from={}&to={today}",
                today - Duration::days(1)
            ),
        )
        .await
        .expect(200);
    assert_eq!(
        (
            card.body["credited_minutes"].as_i64(),
            card.body["make_up_minutes"].as_i64()
        ),
        (Some(90), Some(30))
    );
    assert_eq!(card.body["by_source"]["activity"], 120);
    let region = app.find_id("regions", "斜桥巷社区").await;
    let month = app
        .get(
            &c1,
            &format!(
                "/api/v1/service-hours/totals?group_by=volunteer&region_id={region}&period={year}"
            ),
        )
        .await
        .expect(200);
    let mine = month.body["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["key"] == vm.as_str())
        .unwrap();
    // The monthly sums agree with the ledger (the demo year holds member1's other hours too).
    let all_mine = app.get(&c1, &format!("/api/v1/service-hours?volunteer_id={vm}&from={year}-01-01&to={year}-12-31&per_page=100")).await.expect(200);
    assert_eq!(all_mine.body["total"].as_i64().unwrap() <= 100, true);
    let ledger_sum: i64 = all_mine.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["minutes"].as_i64().unwrap())
        .sum();
    assert_eq!(mine["total_minutes"].as_i64().unwrap(), ledger_sum);
    let rank = app
        .get(
            &c1,
            &format!("/api/v1/service-hours/ranking?region_id={region}&period={year}&limit=100"),
        )
        .await
        .expect(200);
    let row = rank.body["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["volunteer_id"] == vm.as_str())
        .unwrap();
    assert_eq!(row["total_minutes"].as_i64().unwrap(), ledger_sum);
    let ranks: Vec<i64> = rank.body["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["total_minutes"].as_i64().unwrap())
        .collect();
    assert!(ranks.windows(2).all(|w| w[0] >= w[1]));
    // The ranking is remembered, but a new ledger row shows at once.
    let replacement = fix.body["replacement"]["id"].as_str().unwrap();
    app.post(
        &c1,
        &format!("/api/v1/service-hours/{replacement}/correct"),
        json!({"minutes": 60, "note": "再次核对"}),
    )
    .await
    .expect(201);
    let again = app
        .get(
            &c1,
            &format!("/api/v1/service-hours/ranking?region_id={region}&period={year}&limit=100"),
        )
        .await
        .expect(200);
    let row2 = again.body["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["volunteer_id"] == vm.as_str())
        .unwrap();
    assert_eq!(row2["total_minutes"].as_i64().unwrap(), ledger_sum - 30);
    assert_eq!(
        again.body["total_minutes"].as_i64().unwrap(),
        rank.body["total_minutes"].as_i64().unwrap() - 30
    );
    app.get(&c1, "/api/v1/service-hours/totals?period=2026-13")
        .await
        .problem(400, "invalid_period");
    app.get(&c1, "/api/v1/service-hours/totals?group_by=colour")
        .await
        .problem(400, "invalid_query");

    // The card as a sheet for the work unit.
    let sheet = app
        .call(
            actix_web::test::TestRequest::get()
                .uri(&format!("/api/v1/volunteers/{vm}/service-card?format=xlsx"))
                .insert_header(bearer(&m1)),
        )
        .await;
    assert_eq!(sheet.status.as_u16(), 200);
    assert!(sheet
        .header("content-type")
        .unwrap()
        .contains("spreadsheetml"));
});

both_backends!(
    teams_are_kept_in_their_community_and_hours_are_scoped,
    |app| {
        let t = team(&app).await;
        let (c1, c2, m1, r1) = (
            app.token("community1").await,
            app.token("community2").await,
            app.token("member1").await,
            app.token("resident1").await,
        );
        let region1 = app.find_id("regions", "斜桥巷社区").await;
        let region2 = app.find_id("regions", "新丰街社区").await;
        // Bad input.
        let bad = app
            .post(
                &c1,
                "/api/v1/volunteer-teams",
                json!({"name": " ", "kind": "dancing", "region_id": region1}),
            )
            .await
            .problem(422, "validation_failed");
        assert!(bad.body["errors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["field"] == "kind"));
        app.post(
            &c1,
            "/api/v1/volunteer-teams",
            json!({"name": "测试服务队", "kind": "patrol", "region_id": region1}),
        )
        .await
        .problem(409, "duplicate_name");
        // Another community is out of reach: as if it did not exist.
        let other = app
            .post(
                &c1,
                "/api/v1/volunteer-teams",
                json!({"name": "别人的队", "kind": "patrol", "region_id": region2}),
            )
            .await;
        other.problem(422, "validation_failed");
        app.post(
            &m1,
            "/api/v1/volunteer-teams",
            json!({"name": "我的队", "kind": "patrol", "region_id": region1}),
        )
        .await
        .problem(422, "validation_failed");
        let when = app.post(&c1, "/api/v1/activities", json!({"team_id": t, "title": "x", "place": "y", "starts_at": at(60), "ends_at": at(30), "capacity": 0, "latitude": 31.0})).await.problem(422, "validation_failed");
        let fields: Vec<&str> = when.body["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap())
            .collect();
        assert!(
            fields.contains(&"ends_at")
                && fields.contains(&"capacity")
                && fields.contains(&"latitude"),
            "{fields:?}"
        );
        app.post(&c1, "/api/v1/activities", json!({"team_id": t, "title": "x", "place": "y", "starts_at": at(60), "ends_at": at(90), "capacity": 3, "colour": "red"})).await.problem(422, "validation_failed");
        // Another community's staff: the team is listed (a public directory) but not theirs to keep.
        let listed = app
            .get(&c2, &format!("/api/v1/volunteer-teams/{t}"))
            .await
            .expect(200);
        assert_eq!(listed.body["can_manage"], false);
        app.get(&c2, &format!("/api/v1/volunteer-teams/{t}/members"))
            .await
            .problem(404, "not_found");
        app.post(&c2, "/api/v1/activities", json!({"team_id": t, "title": "x", "place": "y", "starts_at": at(60), "ends_at": at(90), "capacity": 3})).await.problem(422, "validation_failed");
        app.get(
            &c2,
            &format!("/api/v1/service-hours/ranking?region_id={region1}"),
        )
        .await
        .problem(404, "not_found");
        let theirs = app
            .get(&c2, "/api/v1/service-hours?per_page=100")
            .await
            .expect(200);
        assert!(theirs.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["region_id"] != region1.as_str()));
        assert!(
            theirs.body["total"].as_i64().unwrap() > 0,
            "their own community's hours"
        );
        // A leader keeps their team: member1 leads the demo's orange team.
        let teams = app
            .get(&m1, "/api/v1/volunteer-teams?mine=true")
            .await
            .expect(200);
        let orange = teams.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["colour"] == "orange")
            .expect("member1's team")
            .clone();
        assert_eq!(orange["can_manage"], true);
        let orange_id = orange["id"].as_str().unwrap();
        let members = app
            .get(&m1, &format!("/api/v1/volunteer-teams/{orange_id}/members"))
            .await
            .expect(200);
        assert!(members
            .body
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["is_leader"] == true && m["name"] == "王建国"));
        let me = app.get(&m1, "/api/v1/volunteers/me").await.expect(200).id();
        app.delete(
            &m1,
            &format!("/api/v1/volunteer-teams/{orange_id}/members/{me}"),
        )
        .await
        .problem(409, "leader_cannot_leave");
        // The leader finds volunteers of the team's community to add (names, phones masked).
        let found = app
            .get(
                &m1,
                &format!("/api/v1/volunteers?q={}&per_page=100", url_encode("李")),
            )
            .await
            .expect(200);
        assert!(found.body["total"].as_i64().unwrap() > 0);
        assert!(found.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|v| v["region_id"] == region1.as_str()));
        assert!(found.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|v| v["id"] != me.as_str())
            .all(|v| v["phone"].as_str().is_none_or(|p| p.contains('*'))));
        assert_eq!(
            app.get(&r1, "/api/v1/volunteers").await.expect(200).body["total"],
            0,
            "a resident who leads nothing finds nobody"
        );
        let pending = app
            .get(&m1, "/api/v1/service-hour-claims?status=pending")
            .await
            .expect(200);
        assert!(
            pending.body["total"].as_i64().unwrap() > 0,
            "the demo leaves claims for member1 to decide"
        );
        // A resident sees only their own hours and has no totals.
        let own = app
            .get(&r1, "/api/v1/service-hours?per_page=100")
            .await
            .expect(200);
        let rid = app.get(&r1, "/api/v1/volunteers/me").await.expect(200).id();
        assert!(own.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["volunteer_id"] == rid.as_str()));
        app.get(&r1, "/api/v1/service-hours/totals")
            .await
            .problem(403, "forbidden");
        // The seven colours of 七彩之光.
        let rainbow = app
            .get(
                &c1,
                &format!(
                    "/api/v1/volunteer-teams?region_id={region1}&per_page=100&q={}",
                    url_encode("七彩之光")
                ),
            )
            .await
            .expect(200);
        let mut colours: Vec<&str> = rainbow.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["colour"].as_str().unwrap())
            .collect();
        colours.sort();
        assert_eq!(
            colours,
            ["blue", "cyan", "green", "orange", "purple", "red", "yellow"]
        );
    }
);

both_backends!(team_and_personal_calendars_are_valid_icalendar, |app| {
    let t = team(&app).await;
    let a = activity(&app, &t, 60 * 24, 60 * 26, 5).await;
    let m1 = app.token("member1").await;
    app.post(&m1, &format!("/api/v1/activities/{a}/sign-up"), json!({}))
        .await
        .expect(200);
    let team_url = app
        .get(&m1, &format!("/api/v1/volunteer-teams/{t}"))
        .await
        .expect(200)
        .body["calendar_url"]
        .as_str()
        .unwrap()
        .to_string();
    let link = app
        .post(&m1, "/api/v1/me/calendar", json!({}))
        .await
        .expect(201)
        .body["url"]
        .as_str()
        .unwrap()
        .to_string();
    let service = actix_web::test::init_service(tongxin::app(app.state.clone())).await;
    for url in [team_url.clone(), link] {
        let res = actix_web::test::call_service(
            &service,
            actix_web::test::TestRequest::get().uri(&url).to_request(),
        )
        .await;
        assert_eq!(res.status().as_u16(), 200, "{url}");
        let text = String::from_utf8(actix_web::test::read_body(res).await.to_vec()).unwrap();
        let parsed: icalendar::Calendar = text.parse().expect("valid iCalendar");
        let events: Vec<_> = parsed
            .components
            .iter()
            .filter_map(|c| c.as_event())
            .collect();
        use icalendar::{Component, EventLike};
        let ours = events
            .iter()
            .find(|e| e.get_summary() == Some("测试活动"))
            .unwrap_or_else(|| panic!("the activity in {url}"));
        assert!(ours.get_location().is_some_and(|l| l.contains("社区广场")));
        assert!(ours.get_start().is_some());
    }
    let wrong = team_url.replace(".ics", "0.ics");
    let res = actix_web::test::call_service(
        &service,
        actix_web::test::TestRequest::get().uri(&wrong).to_request(),
    )
    .await;
    assert_eq!(res.status().as_u16(), 404);
});

both_backends!(
    the_members_service_report_carries_their_volunteer_hours,
    |app| {
        let m1 = app.token("member1").await;
        let member = app.get(&m1, "/api/v1/members/me").await.expect(200).id();
        let today = tongxin::clock::today();
        let from = today - Duration::days(365);
        let report = app
            .get(
                &m1,
                &format!("/api/v1/members/{member}/service-report?from={from}&to={today}"),
            )
            .await
            .expect(200);
        let vid = report.body["volunteer_id"]
            .as_str()
            .expect("member1 volunteers")
            .to_string();
        let card = app
            .get(
                &m1,
                &format!("/api/v1/volunteers/{vid}/service-card?from={from}&to={today}"),
            )
            .await
            .expect(200);
        assert!(
            card.body["total_minutes"].as_i64().unwrap() > 0,
            "a year of demo hours"
        );
        assert_eq!(report.body["service_minutes"], card.body["total_minutes"]);
        let attended = card.body["activities"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| matches!(a["attendance"].as_str(), Some("present" | "late")))
            .count() as i64;
        assert_eq!(
            report.body["activities_attended"].as_i64().unwrap(),
            attended
        );
    }
);
