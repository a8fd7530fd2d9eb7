use actix_web::http::header;
use actix_web::test::TestRequest;
use serde_json::json;

use crate::both_backends;
use crate::common::*;

both_backends!(login_issues_tokens_and_me_shows_grants, |app| {
    let r = app.login_raw("street1", "tongxin-demo").await.expect(200);
    assert_eq!(r.body["token_type"], "Bearer");
    assert_eq!(r.body["expires_in"], 900);
    assert!(r.body["refresh_token"].as_str().unwrap().len() >= 40);
    let token = r.body["access_token"].as_str().unwrap();
    let me = app.get(token, "/api/v1/me").await.expect(200);
    assert_eq!(me.body["username"], "street1");
    assert_eq!(me.body["grants"][0]["role"], "street_staff");
    assert_eq!(me.body["grants"][0]["scope_type"], "region");
    assert_eq!(me.body["grants"][0]["scope_name"], "新丰街街道");
    let events = app.audit_for(me.body["id"].as_str().unwrap()).await;
    assert!(
        events
            .iter()
            .any(|e| e["action"] == "login" && e["client_addr"] == "10.9.8.7"),
        "{events:?}"
    );
});

both_backends!(wrong_or_unknown_credentials_are_the_same_401, |app| {
    let a = app
        .login_raw("street1", "not-the-password")
        .await
        .problem(401, "invalid_credentials");
    let b = app
        .login_raw("nobody-here", "not-the-password")
        .await
        .problem(401, "invalid_credentials");
    assert_eq!(a.body["detail"], b.body["detail"]);
    assert!(a.header("www-authenticate").unwrap().starts_with("Bearer"));
    app.login_raw("", "x")
        .await
        .problem(422, "validation_failed");
});

both_backends!(
    five_failures_lock_the_account_until_staff_unlock_it,
    |app| {
        for _ in 0..4 {
            app.login_raw("community1", "wrong-password")
                .await
                .problem(401, "invalid_credentials");
        }
        let locked = app
            .login_raw("community1", "wrong-password")
            .await
            .problem(401, "account_locked");
        let retry: u64 = locked.header("retry-after").unwrap().parse().unwrap();
        assert!(retry > 800 && retry <= 900, "retry-after {retry}");
        // The right password does not open a locked account.
        app.login_raw("community1", "tongxin-demo")
            .await
            .problem(401, "account_locked");
        let street = app.token("street1").await;
        let users = app
            .get(&street, "/api/v1/users?q=community1")
            .await
            .expect(200);
        let user = &users.body["items"][0];
        assert!(user["locked_until"].is_string());
        let id = user["id"].as_str().unwrap();
        app.patch(
            &street,
            &format!("/api/v1/users/{id}"),
            json!({"unlock": true}),
            None,
        )
        .await
        .expect(200);
        app.login_raw("community1", "tongxin-demo")
            .await
            .expect(200);
    }
);

both_backends!(a_success_resets_the_failure_count, |app| {
    for _ in 0..4 {
        app.login_raw("community2", "wrong-password")
            .await
            .problem(401, "invalid_credentials");
    }
    app.login_raw("community2", "tongxin-demo")
        .await
        .expect(200);
    for _ in 0..4 {
        app.login_raw("community2", "wrong-password")
            .await
            .problem(401, "invalid_credentials");
    }
    app.login_raw("community2", "tongxin-demo")
        .await
        .expect(200);
});

both_backends!(
    login_is_rate_limited_per_client_address,
    auth = tongxin::config::AuthArgs {
        login_rate_per_minute: 3,
        ..tongxin::config::AuthArgs::default()
    },
    |app| {
        for _ in 0..3 {
            app.login_raw("member1", "tongxin-demo").await.expect(200);
        }
        let r = app
            .login_raw("member1", "tongxin-demo")
            .await
            .problem(429, "rate_limited");
        let retry: u64 = r.header("retry-after").unwrap().parse().unwrap();
        assert!((1..=60).contains(&retry));
        // Another address is not affected, and a forged X-Forwarded-For from an untrusted peer is ignored.
        let forged = TestRequest::post()
            .uri("/api/v1/auth/login")
            .insert_header(("x-forwarded-for", "1.1.1.1"))
            .set_json(json!({"username": "member1", "password": "tongxin-demo"}));
        app.call(forged).await.problem(429, "rate_limited");
        app.peer.set("10.0.0.99:1234".parse().unwrap());
        app.login_raw("member1", "tongxin-demo").await.expect(200);
    }
);

both_backends!(refresh_rotates_and_reuse_revokes_the_family, |app| {
    let first = app.login_raw("member1", "tongxin-demo").await.expect(200);
    let r1 = first.body["refresh_token"].as_str().unwrap().to_string();
    let refresh = |t: &str| {
        TestRequest::post()
            .uri("/api/v1/auth/refresh")
            .set_json(json!({"refresh_token": t}))
    };
    let second = app.call(refresh(&r1)).await.expect(200);
    let r2 = second.body["refresh_token"].as_str().unwrap().to_string();
    assert_ne!(r1, r2);
    let access = second.body["access_token"].as_str().unwrap();
    app.get(access, "/api/v1/me").await.expect(200);
    // Reusing the rotated token is theft: it fails and takes the newer token down with it.
    app.call(refresh(&r1))
        .await
        .problem(401, "refresh_token_reused");
    app.call(refresh(&r2))
        .await
        .problem(401, "refresh_token_reused");
    app.call(refresh("made-up-token"))
        .await
        .problem(401, "invalid_refresh_token");
    // Another sign-in is a separate family and still works.
    let other = app.login_raw("member1", "tongxin-demo").await.expect(200);
    app.call(refresh(other.body["refresh_token"].as_str().unwrap()))
        .await
        .expect(200);
});

both_backends!(logout_revokes_the_session, |app| {
    let login = app.login_raw("resident1", "tongxin-demo").await.expect(200);
    let rt = login.body["refresh_token"].as_str().unwrap();
    let req = TestRequest::post()
        .uri("/api/v1/auth/logout")
        .set_json(json!({"refresh_token": rt}));
    app.call(req).await.expect(204);
    let again = TestRequest::post()
        .uri("/api/v1/auth/refresh")
        .set_json(json!({"refresh_token": rt}));
    app.call(again).await.problem(401, "refresh_token_reused");
});

both_backends!(requests_without_a_valid_token_are_401, |app| {
    let r = app
        .call(TestRequest::get().uri("/api/v1/me"))
        .await
        .problem(401, "unauthorized");
    assert!(r.header("www-authenticate").unwrap().starts_with("Bearer"));
    app.get("not.a.jwt", "/api/v1/regions")
        .await
        .problem(401, "unauthorized");
    let basic = TestRequest::get()
        .uri("/api/v1/regions")
        .insert_header((header::AUTHORIZATION, "Basic YWRtaW46eA=="));
    app.call(basic).await.problem(401, "unauthorized");
    // Signed with another secret.
    let foreign = tongxin::auth::jwt::Keys::new(&[1u8; 32], 60)
        .issue("someone", 0)
        .unwrap();
    app.get(&foreign, "/api/v1/me")
        .await
        .problem(401, "unauthorized");
    // Expired.
    let claims = tongxin::auth::jwt::Claims {
        sub: "x".into(),
        iat: 1,
        exp: chrono::Utc::now().timestamp() - 60,
        iss: "tongxin".into(),
        typ: "access".into(),
        sv: 0,
    };
    let expired = jsonwebtoken::encode(
        &jsonwebtoken::Header::default(),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(&[42u8; 32]),
    )
    .unwrap();
    app.get(&expired, "/api/v1/me")
        .await
        .problem(401, "token_expired");
});

both_backends!(a_disabled_account_cannot_sign_in_or_use_its_token, |app| {
    let member_token = app.token("secretary1").await;
    let admin = app.token("admin").await;
    let users = app
        .get(&admin, "/api/v1/users?q=secretary1")
        .await
        .expect(200);
    let id = users.body["items"][0]["id"].as_str().unwrap().to_string();
    app.patch(
        &admin,
        &format!("/api/v1/users/{id}"),
        json!({"active": false}),
        None,
    )
    .await
    .expect(200);
    app.get(&member_token, "/api/v1/me")
        .await
        .problem(401, "unauthorized");
    app.login_raw("secretary1", "tongxin-demo")
        .await
        .problem(401, "invalid_credentials");
});

both_backends!(integrations_get_tokens_by_client_credentials, |app| {
    let admin = app.token("admin").await;
    let street = app.find_id("regions", "新丰街街道").await;
    let body = json!({"username": "hotline-12345", "display_name": "12345 热线", "password": "client-secret-123",
                      "grants": [{"role": "integration", "scope_id": street}]});
    app.post(&admin, "/api/v1/users", body).await.expect(201);
    let form = |s: &str| {
        TestRequest::post()
            .uri("/api/v1/auth/token")
            .insert_header(("content-type", "application/x-www-form-urlencoded"))
            .set_payload(s.to_string())
    };
    let r = app
        .call(form(
            "grant_type=client_credentials&client_id=hotline-12345&client_secret=client-secret-123",
        ))
        .await
        .expect(200);
    assert_eq!(r.body["token_type"], "Bearer");
    assert!(r.body.get("refresh_token").is_none());
    let token = r.body["access_token"].as_str().unwrap();
    // The client sees its granted street and nothing else.
    let regions = app.get(token, "/api/v1/regions").await.expect(200);
    assert_eq!(regions.body["total"], 14);
    // JSON works too.
    let json_req = TestRequest::post()
        .uri("/api/v1/auth/token")
        .set_json(json!({"grant_type": "client_credentials", "client_id": "hotline-12345", "client_secret": "client-secret-123"}));
    app.call(json_req).await.expect(200);
    app.call(form(
        "grant_type=client_credentials&client_id=hotline-12345&client_secret=wrong",
    ))
    .await
    .problem(401, "invalid_client");
    app.call(form(
        "grant_type=password&client_id=hotline-12345&client_secret=client-secret-123",
    ))
    .await
    .problem(400, "unsupported_grant_type");
    app.call(form(
        "grant_type=client_credentials&client_id=hotline-12345",
    ))
    .await
    .problem(422, "validation_failed");
    // People sign in with /auth/login, not as clients.
    app.call(form(
        "grant_type=client_credentials&client_id=member1&client_secret=tongxin-demo",
    ))
    .await
    .problem(401, "invalid_client");
    let text = TestRequest::post()
        .uri("/api/v1/auth/token")
        .insert_header(("content-type", "text/plain"))
        .set_payload("x");
    app.call(text).await.problem(415, "unsupported_media_type");
});
