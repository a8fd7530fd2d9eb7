//! Satisfaction polls (民意测评): one vote per account, anonymity, the 60 % / 70 % outcomes at
//! their boundaries, results only after the close, and rectifications for the warned.
use chrono::{Duration, Utc};
use serde_json::{json, Value};

use crate::both_backends;
use crate::common::*;

/// `n` new residents of 斜桥巷 (the polls' community, so in their electorate).
async fn residents(app: &TestApp, n: usize) -> Vec<String> {
    let admin = app.token("admin").await;
    let home = app.find_id("regions", "斜桥巷社区").await;
    let mut out = vec![];
    for i in 0..n {
        let name = format!("voter{i}");
        app.post(&admin, "/api/v1/users", json!({"username": name, "display_name": format!("居民{i}"), "password": "a-long-passphrase", "grants": [{"role": "resident"}], "community_id": home})).await.expect(201);
        out.push(app.token_for(&name, "a-long-passphrase").await);
    }
    out
}

fn cadre_ids(poll: &Value) -> Vec<String> {
    poll["cadres"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_string())
        .collect()
}

both_backends!(each_account_votes_once_and_nobody_sees_how, |app| {
    let (c1, c2, r1, m1, s1) = (
        app.token("community1").await,
        app.token("community2").await,
        app.token("resident1").await,
        app.token("member1").await,
        app.token("street1").await,
    );
    let xqx = app.find_id("regions", "斜桥巷社区").await;
    let closes = (Utc::now() + Duration::days(10)).to_rfc3339();
    let body = json!({"community_id": xqx, "title": "2026年下半年社区干部民意测评", "closes_at": closes, "cadres": [{"name": "王丽", "position": "社区党委书记"}, {"name": "陈明", "position": "居委会主任"}]});
    app.post(&r1, "/api/v1/polls", body.clone())
        .await
        .problem(403, "forbidden");
    app.post(&c2, "/api/v1/polls", body.clone())
        .await
        .problem(422, "validation_failed");
    app.post(
        &c1,
        "/api/v1/polls",
        json!({"community_id": xqx, "title": "x", "closes_at": closes, "cadres": []}),
    )
    .await
    .problem(422, "validation_failed");
    app.post(&c1, "/api/v1/polls", json!({"community_id": xqx, "title": "x", "closes_at": "2020-01-01T00:00:00Z", "cadres": [{"name": "a", "position": "b"}]})).await.problem(422, "validation_failed");
    let poll = app.post(&c1, "/api/v1/polls", body).await.expect(201);
    let id = poll.id();
    assert_eq!(poll.body["status"], "open");
    assert_eq!(poll.body["can_vote"], false, "staff do not vote");
    let ids = cadre_ids(&poll.body);
    assert_eq!(
        app.get(
            &c1,
            &format!("/api/v1/polls?q={}", url_encode("下半年社区干部"))
        )
        .await
        .expect(200)
        .body["total"],
        2,
        "ours and the demo's open one"
    );
    assert_eq!(
        app.get(&c1, "/api/v1/polls?q=nomatchzzz")
            .await
            .expect(200)
            .body["total"],
        0
    );
    app.get(&c1, "/api/v1/polls?sort=title")
        .await
        .problem(400, "invalid_sort");

    // Residents and members see open polls and vote once.
    let open = app
        .get(&r1, &format!("/api/v1/polls?community_id={xqx}"))
        .await
        .expect(200);
    let offered = open.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == id.as_str())
        .unwrap()
        .clone();
    assert_eq!(offered["can_vote"], true);
    let ballot = json!({"ratings": [{"cadre_id": ids[0], "rating": "satisfied"}, {"cadre_id": ids[1], "rating": "dissatisfied"}]});
    app.post(
        &r1,
        &format!("/api/v1/polls/{id}/votes"),
        json!({"ratings": [{"cadre_id": ids[0], "rating": "satisfied"}]}),
    )
    .await
    .problem(422, "validation_failed");
    app.post(&r1, &format!("/api/v1/polls/{id}/votes"), json!({"ratings": [{"cadre_id": ids[0], "rating": "satisfied"}, {"cadre_id": ids[0], "rating": "satisfied"}]})).await.problem(422, "validation_failed");
    app.post(&r1, &format!("/api/v1/polls/{id}/votes"), json!({"ratings": [{"cadre_id": ids[0], "rating": "great"}, {"cadre_id": ids[1], "rating": "satisfied"}]})).await.problem(422, "validation_failed");
    let voted = app
        .post(&r1, &format!("/api/v1/polls/{id}/votes"), ballot.clone())
        .await
        .expect(201);
    assert_eq!(
        (
            voted.body["voted"].clone(),
            voted.body["can_vote"].clone(),
            voted.body["ballots"].clone()
        ),
        (json!(true), json!(false), json!(1))
    );
    app.post(&r1, &format!("/api/v1/polls/{id}/votes"), ballot.clone())
        .await
        .problem(409, "already_voted");
    app.post(&m1, &format!("/api/v1/polls/{id}/votes"), ballot.clone())
        .await
        .expect(201);
    app.post(&c1, &format!("/api/v1/polls/{id}/votes"), ballot.clone())
        .await
        .problem(403, "forbidden");
    // Simultaneous votes from one account count once.
    let voters = residents(&app, 1).await;
    let uri = format!("/api/v1/polls/{id}/votes");
    let (a, b) = futures_util::join!(
        app.post(&voters[0], &uri, ballot.clone()),
        app.post(&voters[0], &uri, ballot.clone())
    );
    let mut codes = [a.status.as_u16(), b.status.as_u16()];
    codes.sort();
    assert_eq!(codes, [201, 409]);
    assert_eq!(
        app.get(&c1, &format!("/api/v1/polls/{id}"))
            .await
            .expect(200)
            .body["ballots"],
        3
    );

    // Results only after the close, only for staff; nothing says who voted how.
    app.get(&c1, &format!("/api/v1/polls/{id}/results"))
        .await
        .problem(409, "poll_open");
    app.get(&r1, &format!("/api/v1/polls/{id}/results"))
        .await
        .problem(403, "forbidden");
    for e in app
        .audit_for(&id)
        .await
        .iter()
        .filter(|e| e["action"] == "vote")
    {
        assert_eq!(
            e["details"],
            Value::Null,
            "the audit trail records that an account voted, never how: {e}"
        );
    }
    app.post(&r1, &format!("/api/v1/polls/{id}/close"), json!({}))
        .await
        .problem(403, "forbidden");
    let results = app
        .post(&c1, &format!("/api/v1/polls/{id}/close"), json!({}))
        .await
        .expect(200);
    assert_eq!(results.body["ballots"], 3);
    assert_eq!(results.body["cadres"][0]["satisfied"], 3);
    assert_eq!(results.body["cadres"][1]["dissatisfied"], 3);
    let text = results.body.to_string();
    for who in ["resident1", "member1", "voter0", "李秀英", "王建国"] {
        assert!(!text.contains(who), "results name no voter");
    }
    app.post(&c1, &format!("/api/v1/polls/{id}/close"), json!({}))
        .await
        .problem(409, "poll_closed");
    app.post(&voters[0], &format!("/api/v1/polls/{id}/votes"), ballot)
        .await
        .problem(409, "poll_not_open");
    // The street reads its communities' results; another community does not.
    app.get(&s1, &format!("/api/v1/polls/{id}/results"))
        .await
        .expect(200);
    app.get(&c2, &format!("/api/v1/polls/{id}/results"))
        .await
        .problem(404, "not_found");
    assert!(
        !app.get(&c2, "/api/v1/polls").await.expect(200).body["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["id"] == id.as_str())
    );
    // Closed polls are no longer offered to voters.
    assert!(
        !app.get(&r1, "/api/v1/polls").await.expect(200).body["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["id"] == id.as_str())
    );
});

both_backends!(
    sixty_and_seventy_percent_are_judged_at_their_boundaries,
    |app| {
        let (c1, s1) = (app.token("community1").await, app.token("street1").await);
        let xqx = app.find_id("regions", "斜桥巷社区").await;
        let closes = Utc::now() + Duration::days(3);
        let poll = app
        .post(&c1, "/api/v1/polls", json!({"community_id": xqx, "title": "测评", "closes_at": closes.to_rfc3339(), "rectification_days": 45,
            "cadres": [{"name": "甲", "position": "书记"}, {"name": "乙", "position": "主任"}, {"name": "丙", "position": "委员"}, {"name": "丁", "position": "委员"}]}))
        .await
        .expect(201);
        let (id, ids) = (poll.id(), cadre_ids(&poll.body));
        // Ten voters: 甲 7 satisfied-or-basically (70 %), 乙 6 (60 %), 丙 5 (50 %), 丁 none rated well (0 %).
        let voters = residents(&app, 10).await;
        for (i, v) in voters.iter().enumerate() {
            let r = |good: usize, kind: &'static str| if i < good { kind } else { "dissatisfied" };
            let ratings = json!([
                {"cadre_id": ids[0], "rating": r(7, if i % 2 == 0 { "satisfied" } else { "basically_satisfied" })},
                {"cadre_id": ids[1], "rating": r(6, "basically_satisfied")},
                {"cadre_id": ids[2], "rating": r(5, "satisfied")},
                {"cadre_id": ids[3], "rating": "dissatisfied"},
            ]);
            app.post(
                v,
                &format!("/api/v1/polls/{id}/votes"),
                json!({"ratings": ratings}),
            )
            .await
            .expect(201);
        }
        // Closed by the minute sweep at its closing time.
        let at = closes.naive_utc() + Duration::minutes(1);
        let n = tongxin::db::run(&app.state.pool, move |c| {
            tongxin::polls::service::close_due(c, at)
        })
        .await
        .unwrap();
        assert_eq!(n, 1);
        let res = app
            .get(&s1, &format!("/api/v1/polls/{id}/results"))
            .await
            .expect(200);
        let cadres = res.body["cadres"].as_array().unwrap();
        let got: Vec<(f64, &str)> = cadres
            .iter()
            .map(|c| {
                (
                    c["satisfaction_rate"].as_f64().unwrap(),
                    c["outcome"].as_str().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (0.7, "pass"),
                (0.6, "warning"),
                (0.5, "dismissal"),
                (0.0, "dismissal")
            ]
        );
        assert_eq!(cadres[0]["satisfied"], 4);
        assert_eq!(cadres[0]["basically_satisfied"], 3);
        // Only the warned cadre gets a rectification, due 45 days after the close.
        assert!(cadres[0]["rectification_id"].is_null() && cadres[2]["rectification_id"].is_null());
        let rid = cadres[1]["rectification_id"].as_str().unwrap().to_string();
        let list = app
            .get(&c1, "/api/v1/rectifications?status=open&per_page=100")
            .await
            .expect(200);
        let ours: Vec<&Value> = list.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["poll_id"] == id.as_str())
            .collect();
        assert_eq!(ours.len(), 1);
        let rect = ours[0];
        assert_eq!(rect["cadre_name"], "乙");
        assert_eq!(rect["satisfaction_rate"], 0.6);
        let due = chrono::NaiveDate::parse_from_str(rect["due_on"].as_str().unwrap(), "%Y-%m-%d")
            .unwrap();
        assert_eq!(
            due,
            tongxin::clock::local_date_of(closes.naive_utc()) + Duration::days(45)
        );
        assert_eq!(rect["overdue"], false);
        // Rectifying: a plan, then a report to close it.
        let c2 = app.token("community2").await;
        app.patch(
            &c2,
            &format!("/api/v1/rectifications/{rid}"),
            json!({"plan": "x"}),
            None,
        )
        .await
        .problem(404, "not_found");
        app.patch(
            &c1,
            &format!("/api/v1/rectifications/{rid}"),
            json!({"done": true}),
            None,
        )
        .await
        .problem(422, "validation_failed");
        let planned = app
            .patch(
                &c1,
                &format!("/api/v1/rectifications/{rid}"),
                json!({"plan": "每周接待日"}),
                Some(1),
            )
            .await
            .expect(200);
        app.patch(
            &c1,
            &format!("/api/v1/rectifications/{rid}"),
            json!({"report": "stale"}),
            Some(1),
        )
        .await
        .problem(412, "precondition_failed");
        assert_eq!(planned.body["plan"], "每周接待日");
        let done = app
            .patch(
                &c1,
                &format!("/api/v1/rectifications/{rid}"),
                json!({"report": "已整改，居民回访满意", "done": true}),
                Some(2),
            )
            .await
            .expect(200);
        assert_eq!(done.body["status"], "done");
        assert!(done.body["completed_at"].is_string());
        app.patch(
            &c1,
            &format!("/api/v1/rectifications/{rid}"),
            json!({"plan": "again"}),
            None,
        )
        .await
        .problem(409, "rectification_done");
    }
);
