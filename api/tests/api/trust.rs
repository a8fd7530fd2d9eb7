//! The trust issue's rules: poll electorates, sessions that end at once, sign-in throttled per
//! account and source, the web app's cookie session, CSV formula cells, hidden characters in
//! names, idempotency keys after a crash, abandoned jobs, and the security headers.
use actix_web::test::TestRequest;
use chrono::{Duration, Utc};
use diesel::prelude::*;
use serde_json::{json, Value};
use tongxin::db::schema::{idempotency_keys, jobs, login_throttles};

use crate::both_backends;
use crate::common::*;

async fn open_poll(app: &TestApp) -> (String, String) {
    let admin = app.token("admin").await;
    let polls = app
        .get(&admin, "/api/v1/polls?status=open&per_page=100")
        .await
        .expect(200);
    let p = &polls.body["items"].as_array().unwrap()[0];
    (
        p["id"].as_str().unwrap().to_string(),
        p["community_id"].as_str().unwrap().to_string(),
    )
}

async fn other_community(app: &TestApp, not: &str) -> String {
    let admin = app.token("admin").await;
    let regions = app
        .get(&admin, "/api/v1/regions?level=community&per_page=100")
        .await
        .expect(200);
    regions.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .find(|id| id != not)
        .unwrap()
}

async fn resident_in(app: &TestApp, username: &str, community: &str) -> (String, String) {
    let admin = app.token("admin").await;
    let r = app
        .post(&admin, "/api/v1/users", json!({"username": username, "display_name": "居民 测试", "password": "a-long-password-1", "grants": [{"role": "resident"}], "community_id": community}))
        .await
        .expect(201);
    (r.id(), app.token_for(username, "a-long-password-1").await)
}

fn ratings(poll: &Value) -> Value {
    json!({"ratings": poll["cadres"].as_array().unwrap().iter().map(|c| json!({"cadre_id": c["id"], "rating": "satisfied"})).collect::<Vec<_>>()})
}

both_backends!(only_a_polls_electorate_sees_and_votes_in_it, |app| {
    let (poll, community) = open_poll(&app).await;
    // resident1 lives in the poll's community: sees it, may vote.
    let home = app.token("resident1").await;
    let view = app
        .get(&home, &format!("/api/v1/polls/{poll}"))
        .await
        .expect(200);
    assert_eq!(view.body["can_vote"], true);
    assert_eq!(view.body["electorate"], "community");
    let size_before = view.body["electorate_size"].as_i64().unwrap();
    assert!(size_before >= 1);
    // A resident of another community: the poll does not exist for them.
    let elsewhere = other_community(&app, &community).await;
    let (_, outsider) = resident_in(&app, "outsider1", &elsewhere).await;
    app.get(&outsider, &format!("/api/v1/polls/{poll}"))
        .await
        .problem(404, "not_found");
    let list = app.get(&outsider, "/api/v1/polls").await.expect(200);
    assert!(
        list.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["id"] != poll.as_str()),
        "{}",
        list.body
    );
    app.post(
        &outsider,
        &format!("/api/v1/polls/{poll}/votes"),
        ratings(&view.body),
    )
    .await
    .problem(404, "not_found");
    // A resident without a home community is in no community's electorate.
    let admin = app.token("admin").await;
    app.post(&admin, "/api/v1/users", json!({"username": "homeless1", "display_name": "居民", "password": "a-long-password-1", "grants": [{"role": "resident"}]}))
        .await
        .expect(201);
    let homeless = app.token_for("homeless1", "a-long-password-1").await;
    app.get(&homeless, &format!("/api/v1/polls/{poll}"))
        .await
        .problem(404, "not_found");
    // A neighbour who moves in joins the electorate; turnout is counted against it.
    let (_, neighbour) = resident_in(&app, "neighbour1", &community).await;
    let v = app
        .post(
            &neighbour,
            &format!("/api/v1/polls/{poll}/votes"),
            ratings(&view.body),
        )
        .await
        .expect(201);
    assert_eq!(v.body["electorate_size"].as_i64().unwrap(), size_before + 1);
    let ballots = v.body["ballots"].as_f64().unwrap();
    let turnout = v.body["turnout"].as_f64().unwrap();
    assert!(
        (turnout - ballots / (size_before + 1) as f64).abs() < 0.0001,
        "{}",
        v.body
    );
});

both_backends!(a_named_electorate_is_the_only_one, |app| {
    let (_, community) = open_poll(&app).await;
    let (listed_id, listed) = resident_in(&app, "listed1", &community).await;
    let staff = app.token("street1").await;
    let closes = (Utc::now() + Duration::days(7)).to_rfc3339();
    let p = app
        .post(
            &staff,
            "/api/v1/polls",
            json!({"community_id": community, "title": "居民代表测评", "closes_at": closes, "cadres": [{"name": "王丽", "position": "书记"}], "elector_ids": [listed_id]}),
        )
        .await
        .expect(201);
    assert_eq!(
        (
            p.body["electorate"].clone(),
            p.body["electorate_size"].clone()
        ),
        (json!("list"), json!(1))
    );
    let id = p.id();
    // resident1 lives in the community but is not on the list.
    let home = app.token("resident1").await;
    app.get(&home, &format!("/api/v1/polls/{id}"))
        .await
        .problem(404, "not_found");
    let v = app
        .post(
            &listed,
            &format!("/api/v1/polls/{id}/votes"),
            ratings(&p.body),
        )
        .await
        .expect(201);
    assert_eq!(v.body["turnout"], 1.0);
    // A list must name resident or member accounts.
    let staff_id = app.get(&staff, "/api/v1/me").await.body["id"].clone();
    app.post(&staff, "/api/v1/polls", json!({"community_id": community, "title": "x", "closes_at": closes, "cadres": [{"name": "王丽", "position": "书记"}], "elector_ids": [staff_id]}))
        .await
        .problem(422, "validation_failed");
});

both_backends!(
    sign_out_password_and_role_changes_end_every_session_at_once,
    |app| {
        // Two sessions of one account; signing out of one ends both access tokens.
        let a = app.login_raw("member1", "tongxin-demo").await.expect(200);
        let b = app.token("member1").await;
        let a_token = a.body["access_token"].as_str().unwrap().to_string();
        app.get(&b, "/api/v1/me").await.expect(200);
        let out = TestRequest::post()
            .uri("/api/v1/auth/logout")
            .set_json(json!({"refresh_token": a.body["refresh_token"]}));
        app.call(out).await.expect(204);
        app.get(&a_token, "/api/v1/me")
            .await
            .problem(401, "session_revoked");
        app.get(&b, "/api/v1/me")
            .await
            .problem(401, "session_revoked");
        // A new sign-in works.
        let fresh = app.token("member1").await;
        app.get(&fresh, "/api/v1/me").await.expect(200);

        // A password change by staff ends the account's sessions.
        let admin = app.token("admin").await;
        let users = app
            .get(&admin, "/api/v1/users?q=resident1")
            .await
            .expect(200);
        let rid = users.body["items"][0]["id"].as_str().unwrap().to_string();
        let resident = app.token("resident1").await;
        app.patch(
            &admin,
            &format!("/api/v1/users/{rid}"),
            json!({"password": "another-long-password"}),
            None,
        )
        .await
        .expect(200);
        app.get(&resident, "/api/v1/me")
            .await
            .problem(401, "session_revoked");
        let resident = app.token_for("resident1", "another-long-password").await;
        // A role change too.
        app.post(
            &admin,
            &format!("/api/v1/users/{rid}/grants"),
            json!({"role": "member"}),
        )
        .await
        .expect(201);
        app.get(&resident, "/api/v1/me")
            .await
            .problem(401, "session_revoked");
        let resident = app.token_for("resident1", "another-long-password").await;
        // And a refresh-token reuse (a stolen token): every session of the account ends.
        let s = app
            .login_raw("resident1", "another-long-password")
            .await
            .expect(200);
        let rt = s.body["refresh_token"].as_str().unwrap().to_string();
        let refresh = |t: &str| {
            TestRequest::post()
                .uri("/api/v1/auth/refresh")
                .set_json(json!({"refresh_token": t}))
        };
        app.call(refresh(&rt)).await.expect(200);
        app.call(refresh(&rt))
            .await
            .problem(401, "refresh_token_reused");
        app.get(&resident, "/api/v1/me")
            .await
            .problem(401, "session_revoked");
    }
);

both_backends!(sign_in_is_throttled_per_account_and_source, |app| {
    let attacker: std::net::SocketAddr = "203.0.113.9:5000".parse().unwrap();
    let officer: std::net::SocketAddr = "198.51.100.7:6000".parse().unwrap();
    app.peer.set(attacker);
    for _ in 0..4 {
        app.login_raw("admin", "wrong-password")
            .await
            .problem(401, "invalid_credentials");
    }
    let locked = app
        .login_raw("admin", "wrong-password")
        .await
        .problem(401, "account_locked");
    let first: u64 = locked.header("retry-after").unwrap().parse().unwrap();
    // The attacker's source waits, even with the right password…
    app.login_raw("admin", "tongxin-demo")
        .await
        .problem(401, "account_locked");
    // …while the administrator signs in from elsewhere.
    app.peer.set(officer);
    app.login_raw("admin", "tongxin-demo").await.expect(200);
    // Once the wait is over, each further failure from the attacker doubles it.
    let mut c = app.state.pool.get().unwrap();
    diesel::update(login_throttles::table)
        .set(login_throttles::blocked_until.eq(Some(Utc::now().naive_utc() - Duration::seconds(1))))
        .execute(&mut c)
        .unwrap();
    drop(c);
    app.peer.set(attacker);
    let again = app
        .login_raw("admin", "wrong-password")
        .await
        .problem(401, "account_locked");
    let second: u64 = again.header("retry-after").unwrap().parse().unwrap();
    // Staff unlocking the account clears every source's count.
    app.peer.set(officer);
    let admin = app.token("admin").await;
    let users = app.get(&admin, "/api/v1/users?q=admin").await.expect(200);
    let id = users.body["items"][0]["id"].as_str().unwrap().to_string();
    app.patch(
        &admin,
        &format!("/api/v1/users/{id}"),
        json!({"unlock": true}),
        None,
    )
    .await
    .expect(200);
    app.peer.set(attacker);
    app.login_raw("admin", "tongxin-demo").await.expect(200);
    assert!(first > 800 && first <= 900, "{first}");
    assert!(second > 1700, "the wait grows: {first} then {second}");
});

both_backends!(the_web_apps_session_lives_in_an_http_only_cookie, |app| {
    let login = TestRequest::post()
        .uri("/api/v1/auth/login")
        .set_json(json!({"username": "street1", "password": "tongxin-demo", "session": "cookie"}));
    let r = app.call(login).await.expect(200);
    assert!(r.body.get("refresh_token").is_none(), "{}", r.body);
    assert_eq!(r.header("cache-control").as_deref(), Some("no-store"));
    let cookie = r.header("set-cookie").unwrap();
    for part in [
        "tongxin_refresh=",
        "HttpOnly",
        "SameSite=Strict",
        "Path=/api/v1/auth",
    ] {
        assert!(cookie.contains(part), "{cookie}");
    }
    let value = cookie.split(';').next().unwrap().to_string();
    // Refresh with the cookie and `{}`: a new access token and a rotated cookie.
    let refresh = |c: &str| {
        TestRequest::post()
            .uri("/api/v1/auth/refresh")
            .insert_header(("cookie", c.to_string()))
            .set_json(json!({}))
    };
    let r2 = app.call(refresh(&value)).await.expect(200);
    let next = r2
        .header("set-cookie")
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    assert_ne!(next, value);
    assert!(r2.body.get("refresh_token").is_none());
    app.get(r2.body["access_token"].as_str().unwrap(), "/api/v1/me")
        .await
        .expect(200);
    // Without a cookie or a token: 401.
    app.call(
        TestRequest::post()
            .uri("/api/v1/auth/refresh")
            .set_json(json!({})),
    )
    .await
    .problem(401, "invalid_refresh_token");
    // Sign-out clears the cookie and ends the session.
    let out = app
        .call(
            TestRequest::post()
                .uri("/api/v1/auth/logout")
                .insert_header(("cookie", next.clone()))
                .set_json(json!({})),
        )
        .await
        .expect(204);
    assert!(out.header("set-cookie").unwrap().contains("Max-Age=0"));
    app.call(refresh(&next))
        .await
        .problem(401, "refresh_token_reused");
    // Token answers for integrations are not stored either.
    let t = app.login_raw("street1", "tongxin-demo").await.expect(200);
    assert_eq!(t.header("cache-control").as_deref(), Some("no-store"));
});

both_backends!(csv_exports_neutralise_formulas, |app| {
    let staff = app.token("street1").await;
    let branches = app
        .get(&staff, "/api/v1/branches?per_page=100")
        .await
        .expect(200);
    let branch = branches.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["kind"] == "branch")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let names = ["=1+1", "+cmd|calc!A0", "@SUM(A1)", "-2+3"];
    for (i, name) in names.iter().enumerate() {
        let idn = tongxin::members::id_number::make(
            "320402",
            chrono::NaiveDate::from_ymd_opt(1960, 1, 1 + i as u32).unwrap(),
            901 + 2 * i as u32,
        );
        app.post(
            &staff,
            "/api/v1/members",
            json!({"branch_id": branch, "name": name, "gender": "male", "id_number": idn, "joined_on": "2001-07-01", "full_member_on": "2002-07-01", "category": "retired"}),
        )
        .await
        .expect(201);
    }
    let r = app
        .call(
            TestRequest::get()
                .uri(&format!(
                    "/api/v1/members/export?format=csv&branch_id={branch}"
                ))
                .insert_header(bearer(&staff)),
        )
        .await
        .expect(200);
    let text = r.body.as_str().unwrap().to_string();
    for name in names {
        assert!(
            text.contains(&format!(",'{name},"))
                || text.contains(&format!("\n'{name},"))
                || text.contains(&format!(",\"'{name}\"")),
            "{name} not neutralised in {text}"
        );
        assert!(
            !text.contains(&format!(",{name},")),
            "{name} exported as a formula"
        );
    }
});

both_backends!(
    names_of_only_hidden_characters_are_refused_and_others_cleaned,
    |app| {
        let staff = app.token("street1").await;
        let street = app.find_id("regions", "新丰街街道").await;
        for hidden in [
            "\u{200B}\u{200B}",
            "\u{0000}",
            "\u{202E}\u{202C}",
            " \u{FEFF} ",
            "\n",
        ] {
            let r = app
                .post(
                    &staff,
                    "/api/v1/regions",
                    json!({"parent_id": street, "name": hidden, "level": "community"}),
                )
                .await;
            assert_eq!(r.status.as_u16(), 422, "{hidden:?}: {}", r.body);
        }
        app.post(
            &staff,
            "/api/v1/regions",
            json!({"parent_id": street, "name": "两行\n名字", "level": "community"}),
        )
        .await
        .problem(422, "validation_failed");
        let r = app.post(&staff, "/api/v1/regions", json!({"parent_id": street, "name": "\u{202E}东\u{200B}方\u{1b}[31m社区", "level": "community"})).await.expect(201);
        assert_eq!(r.body["name"], "东方[31m社区");
    }
);

both_backends!(idempotency_keys_left_by_a_crash_resolve, |app| {
    let grid1 = app.token("grid1").await;
    let me = app.get(&grid1, "/api/v1/me").await.body["id"]
        .as_str()
        .unwrap()
        .to_string();
    let households = app
        .get(&grid1, "/api/v1/households?per_page=1")
        .await
        .expect(200);
    let household = households.body["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let body = json!({"household_id": household, "notes": "after a crash"});
    let send = |key: &str| {
        TestRequest::post()
            .uri("/api/v1/visits")
            .insert_header(bearer(&grid1))
            .insert_header(("Idempotency-Key", key.to_string()))
            .set_json(body.clone())
    };
    // The hash the middleware computes for this request: learned from a first, real claim.
    app.call(send("probe")).await.expect(201);
    let mut c = app.state.pool.get().unwrap();
    let hash: String = idempotency_keys::table
        .filter(idempotency_keys::key.eq("probe"))
        .select(idempotency_keys::request_hash)
        .first(&mut c)
        .unwrap();
    let now = Utc::now().naive_utc();
    let row =
        |key: &str, lease: chrono::NaiveDateTime, committed: Option<chrono::NaiveDateTime>| {
            (
                idempotency_keys::id.eq(uuid::Uuid::now_v7().to_string()),
                idempotency_keys::owner.eq(me.clone()),
                idempotency_keys::key.eq(key.to_string()),
                idempotency_keys::request_hash.eq(hash.clone()),
                idempotency_keys::created_at.eq(now),
                idempotency_keys::lease_until.eq(Some(lease)),
                idempotency_keys::committed_at.eq(committed),
            )
        };
    // A claim whose server died before committing: once its lease is out, the retry runs.
    diesel::insert_into(idempotency_keys::table)
        .values(row("died-early", now - Duration::seconds(1), None))
        .execute(&mut c)
        .unwrap();
    // A claim whose server died after committing, before storing its answer.
    diesel::insert_into(idempotency_keys::table)
        .values(row("died-late", now - Duration::seconds(1), Some(now)))
        .execute(&mut c)
        .unwrap();
    // A claim still within its lease.
    diesel::insert_into(idempotency_keys::table)
        .values(row("running", now + Duration::seconds(20), None))
        .execute(&mut c)
        .unwrap();
    drop(c);
    app.call(send("died-early")).await.expect(201);
    let replay = app.call(send("died-early")).await.expect(201);
    assert_eq!(
        replay.header("idempotent-replayed").as_deref(),
        Some("true")
    );
    app.call(send("died-late"))
        .await
        .problem(409, "idempotency_answer_lost");
    let busy = app
        .call(send("running"))
        .await
        .problem(409, "idempotency_in_progress");
    let wait: i64 = busy.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=20).contains(&wait), "{wait}");
    // The request's own transaction marked its key committed.
    let mut c = app.state.pool.get().unwrap();
    let committed: Option<chrono::NaiveDateTime> = idempotency_keys::table
        .filter(idempotency_keys::key.eq("died-early"))
        .select(idempotency_keys::committed_at)
        .first(&mut c)
        .unwrap();
    assert!(committed.is_some());
});

both_backends!(a_job_whose_server_stopped_fails_with_a_message, |app| {
    let staff = app.token("street1").await;
    let me = app.get(&staff, "/api/v1/me").await.body["id"]
        .as_str()
        .unwrap()
        .to_string();
    let mut c = app.state.pool.get().unwrap();
    let job = tongxin::jobs::create(&mut c, &me, "households_import").unwrap();
    let other = tongxin::jobs::create(&mut c, &me, "members_import").unwrap();
    // Both were running on a server that stopped: their leases ran out.
    let past = Utc::now().naive_utc() - Duration::seconds(1);
    diesel::update(jobs::table)
        .set((jobs::status.eq("running"), jobs::lease_until.eq(Some(past))))
        .execute(&mut c)
        .unwrap();
    // The sweep fails one; reading the other fails it at once.
    diesel::update(jobs::table.find(&other.id))
        .set(jobs::lease_until.eq(Some(past + Duration::hours(1))))
        .execute(&mut c)
        .unwrap();
    assert_eq!(
        tongxin::jobs::fail_abandoned(&mut c, Utc::now().naive_utc()).unwrap(),
        1
    );
    drop(c);
    let j = app
        .get(&staff, &format!("/api/v1/jobs/{}", job.id))
        .await
        .expect(200);
    assert_eq!(j.body["status"], "failed");
    assert_eq!(j.body["message"], tongxin::jobs::ABANDONED);
    let o = app
        .get(&staff, &format!("/api/v1/jobs/{}", other.id))
        .await
        .expect(200);
    assert_eq!(o.body["status"], "running", "a live lease is left alone");
});

both_backends!(every_answer_carries_the_security_headers, |app| {
    for uri in ["/healthz", "/api/v1/openapi.json", "/api/v1/nowhere"] {
        let r = app.call(TestRequest::get().uri(uri)).await;
        let csp = r.header("content-security-policy").unwrap();
        assert!(
            csp.contains("script-src 'self'")
                && csp.contains("frame-ancestors")
                && !csp.contains("unsafe-eval"),
            "{csp}"
        );
        assert!(r
            .header("permissions-policy")
            .unwrap()
            .contains("microphone=()"));
    }
});

both_backends!(
    two_tabs_refreshing_at_once_are_a_race_not_theft,
    auth = tongxin::config::AuthArgs {
        login_rate_per_minute: 1000,
        ..Default::default()
    },
    |app| {
        let first = app.login_raw("member1", "tongxin-demo").await.expect(200);
        let r1 = first.body["refresh_token"].as_str().unwrap().to_string();
        let refresh = |t: &str| {
            TestRequest::post()
                .uri("/api/v1/auth/refresh")
                .set_json(json!({"refresh_token": t}))
        };
        let winner = app.call(refresh(&r1)).await.expect(200);
        // The other tab sends the token the winner just rotated: told to retry, nothing revoked.
        app.call(refresh(&r1))
            .await
            .problem(401, "refresh_token_rotated");
        let r2 = winner.body["refresh_token"].as_str().unwrap();
        app.call(refresh(r2)).await.expect(200);
        app.get(winner.body["access_token"].as_str().unwrap(), "/api/v1/me")
            .await
            .expect(200);
    }
);
