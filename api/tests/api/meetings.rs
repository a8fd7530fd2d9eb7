use chrono::NaiveDate;
use serde_json::json;
use tongxin::members::id_number;

use crate::both_backends;
use crate::common::*;

/// A new branch with five members (A–E), so every rate below is computed by hand.
async fn fixture(app: &TestApp) -> (String, Vec<String>) {
    let c1 = app.token("community1").await;
    let community = app.find_id("regions", "斜桥巷社区").await;
    let parent = app.find_id("branches", "斜桥巷社区党总支").await;
    let b = app.post(&c1, "/api/v1/branches", json!({"parent_id": parent, "region_id": community, "kind": "branch", "establishment": "formal", "name": "测试党支部"})).await.expect(201).id();
    let mut ids = vec![];
    for (i, name) in ["甲", "乙", "丙", "丁", "戊"].iter().enumerate() {
        let number = id_number::make(
            "320402",
            NaiveDate::from_ymd_opt(1960 + i as i32, 1, 1).unwrap(),
            101,
        );
        let m = app.post(&c1, "/api/v1/members", json!({"branch_id": b, "name": name, "gender": "male", "id_number": number, "joined_on": "1990-07-01", "category": "direct"})).await.expect(201);
        ids.push(m.id());
    }
    (b, ids)
}

both_backends!(
    attendance_rates_are_present_over_expected_against_the_80_percent_line,
    |app| {
        let (b, m) = fixture(&app).await;
        let sec = app.token("secretary1").await;
        let one = app.post(&sec, "/api/v1/meetings", json!({"branch_id": b, "kind": "general_meeting", "held_on": "2026-07-10", "topic": "党员大会"})).await.expect(201);
        assert_eq!(one.body["expected"], 5);
        assert_eq!(one.body["attendance_rate"], serde_json::Value::Null);
        let id1 = one.id();
        // Excused needs a reason; only expected members; the version guards the sheet.
        let bad = app
            .put(
                &sec,
                &format!("/api/v1/meetings/{id1}/attendance"),
                json!({"entries": [{"member_id": m[0], "status": "excused"}]}),
            )
            .await
            .problem(422, "validation_failed");
        assert_eq!(bad.body["errors"][0]["field"], "entries[0].reason");
        app.put(
            &sec,
            &format!("/api/v1/meetings/{id1}/attendance"),
            json!({"entries": [{"member_id": "nobody", "status": "present"}]}),
        )
        .await
        .problem(422, "validation_failed");
        let entries = json!([
            {"member_id": m[0], "status": "present"}, {"member_id": m[1], "status": "present"}, {"member_id": m[2], "status": "present"},
            {"member_id": m[3], "status": "excused", "reason": "住院"}, {"member_id": m[4], "status": "absent"}
        ]);
        let r = app
            .put(
                &sec,
                &format!("/api/v1/meetings/{id1}/attendance"),
                json!({"entries": entries, "version": 1}),
            )
            .await
            .expect(200);
        assert_eq!(
            (
                r.body["present"].as_i64(),
                r.body["excused"].as_i64(),
                r.body["absent"].as_i64()
            ),
            (Some(3), Some(1), Some(1))
        );
        assert_eq!(r.body["attendance_rate"], 0.6);
        assert_eq!(r.body["recorded"], true);
        app.put(
            &sec,
            &format!("/api/v1/meetings/{id1}/attendance"),
            json!({"entries": [], "version": 1}),
        )
        .await
        .problem(409, "version_conflict");

        // A second meeting with everyone: 8 of 10 over the quarter is exactly the line, not under it.
        let two = app.post(&sec, "/api/v1/meetings", json!({"branch_id": b, "kind": "party_lecture", "held_on": "2026-08-20", "topic": "党课"})).await.expect(201).id();
        let all: Vec<_> = m
            .iter()
            .map(|id| json!({"member_id": id, "status": "present"}))
            .collect();
        app.put(
            &sec,
            &format!("/api/v1/meetings/{two}/attendance"),
            json!({"entries": all}),
        )
        .await
        .expect(200);
        let report = app
            .get(
                &sec,
                &format!("/api/v1/meetings/attendance-rates?period=2026-Q3&branch_id={b}"),
            )
            .await
            .expect(200);
        let row = &report.body["branches"][0];
        assert_eq!(row["branch_name"], "测试党支部");
        assert_eq!(
            (
                row["meetings"].as_i64(),
                row["expected"].as_i64(),
                row["present"].as_i64()
            ),
            (Some(2), Some(10), Some(8))
        );
        assert_eq!(row["attendance_rate"], 0.8);
        assert_eq!(row["below_target"], false);
        assert_eq!(
            row["by_kind"],
            json!({"general_meeting": 1, "party_lecture": 1})
        );
        // A quarter without meetings is under the line too.
        let q4 = app
            .get(
                &sec,
                &format!("/api/v1/meetings/attendance-rates?period=2026-Q1&branch_id={b}"),
            )
            .await
            .expect(200);
        assert_eq!(
            q4.body["branches"][0]["attendance_rate"],
            serde_json::Value::Null
        );
        assert_eq!(q4.body["branches"][0]["below_target"], true);

        // Attendance is recorded once a meeting has been held; later transfers do not rewrite it.
        let future = app.post(&sec, "/api/v1/meetings", json!({"branch_id": b, "kind": "themed_party_day", "held_on": "2099-01-01", "topic": "主题党日"})).await.expect(201).id();
        app.put(
            &sec,
            &format!("/api/v1/meetings/{future}/attendance"),
            json!({"entries": all}),
        )
        .await
        .problem(409, "meeting_not_held");
        app.delete(&sec, &format!("/api/v1/meetings/{future}"))
            .await
            .expect(204);
        app.delete(&sec, &format!("/api/v1/meetings/{id1}"))
            .await
            .problem(409, "meeting_recorded");

        // Scope: another community's staff cannot see or keep the meeting; members see their own.
        let c2 = app.token("community2").await;
        app.get(&c2, &format!("/api/v1/meetings/{id1}"))
            .await
            .problem(404, "not_found");
        app.post(&c2, "/api/v1/meetings", json!({"branch_id": b, "kind": "general_meeting", "held_on": "2026-07-10", "topic": "x"})).await.problem(422, "validation_failed");
        let m1 = app.token("member1").await;
        let mine = app
            .get(&m1, "/api/v1/meetings?mine=true&per_page=100")
            .await
            .expect(200);
        assert!(
            mine.body["total"].as_i64().unwrap() >= 12,
            "a year of themed party days"
        );
        app.get(&m1, &format!("/api/v1/meetings/{id1}"))
            .await
            .problem(404, "not_found");
        app.post(&m1, "/api/v1/meetings", json!({"branch_id": b, "kind": "general_meeting", "held_on": "2026-07-10", "topic": "x"})).await.problem(422, "validation_failed");
    }
);

both_backends!(
    the_demo_street_has_branches_over_and_under_the_line,
    |app| {
        let street = app.token("street1").await;
        let region = app.find_id("regions", "新丰街街道").await;
        let q = tongxin::clock::today();
        let period = format!(
            "{}-Q{}",
            chrono::Datelike::year(&q),
            (chrono::Datelike::month(&q) - 1) / 3 + 1
        );
        let report = app
            .get(
                &street,
                &format!("/api/v1/meetings/attendance-rates?period={period}&region_id={region}"),
            )
            .await
            .expect(200);
        let rows = report.body["branches"].as_array().unwrap();
        assert!(rows.iter().any(|r| r["below_target"] == true), "{rows:?}");
        // General branches whose members all sit in their branches hold no meetings of their own and
        // are not counted under the line (an interest-based branch with members and no meetings is).
        assert!(
            rows.iter().all(|r| r["meetings"].as_i64().unwrap() > 0
                || !r["branch_name"].as_str().unwrap().ends_with("党总支")),
            "{rows:?}"
        );
        assert!(rows
            .iter()
            .any(|r| r["branch_name"] == "心相连艺术团党支部"));
        assert_eq!(
            report.body["branches_below_target"].as_i64().unwrap(),
            rows.iter().filter(|r| r["below_target"] == true).count() as i64
        );
        assert!(
            rows.iter()
                .any(|r| r["attendance_rate"].as_f64().is_some_and(|x| x >= 0.8)),
            "{rows:?}"
        );
        assert_eq!(report.body["target"], 0.8);
        let c1 = app.token("community1").await;
        app.get(
            &c1,
            &format!("/api/v1/meetings/attendance-rates?period={period}&region_id={region}"),
        )
        .await
        .problem(404, "not_found");
        app.get(&c1, "/api/v1/meetings/attendance-rates?period=2026-Q5")
            .await
            .problem(400, "invalid_period");
    }
);

both_backends!(
    a_member_sees_who_came_but_not_the_others_reasons_for_leave,
    |app| {
        let m1 = app.token("member1").await;
        let me = app.get(&m1, "/api/v1/members/me").await.expect(200).id();
        let sec = app.token("secretary1").await;
        let mine = app
            .get(&m1, "/api/v1/meetings?mine=true&per_page=100")
            .await
            .expect(200);
        let (mut staff_reasons, mut seen_by_member) = (0, 0);
        for m in mine.body["items"].as_array().unwrap() {
            let id = m["id"].as_str().unwrap();
            let as_member = app
                .get(&m1, &format!("/api/v1/meetings/{id}"))
                .await
                .expect(200);
            let as_staff = app
                .get(&sec, &format!("/api/v1/meetings/{id}"))
                .await
                .expect(200);
            let others = |body: &serde_json::Value| -> usize {
                body["attendees"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|a| a["member_id"] != me.as_str() && !a["reason"].is_null())
                    .count()
            };
            staff_reasons += others(&as_staff.body);
            seen_by_member += others(&as_member.body);
            assert_eq!(
                as_member.body["attendees"].as_array().unwrap().len(),
                as_staff.body["attendees"].as_array().unwrap().len()
            );
        }
        assert!(
            staff_reasons > 0,
            "the demo year has excused absences with reasons"
        );
        assert_eq!(seen_by_member, 0);
    }
);
