use actix_web::test::TestRequest;
use serde_json::json;

use crate::both_backends;
use crate::common::*;

fn usernames(v: &serde_json::Value) -> Vec<String> {
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["username"].as_str().unwrap().to_string())
        .collect()
}

both_backends!(staff_see_the_accounts_in_their_scope, |app| {
    let street = app.token("street1").await;
    let r = app
        .get(&street, "/api/v1/users?sort=username")
        .await
        .expect(200);
    assert_eq!(
        usernames(&r.body),
        vec!["community1", "community2", "grid1", "secretary1", "street1"]
    );
    assert!(r.body["items"][0].get("password_hash").is_none());
    let c1 = app.token("community1").await;
    let r = app.get(&c1, "/api/v1/users").await.expect(200);
    assert_eq!(
        usernames(&r.body),
        vec!["community1", "grid1", "secretary1"]
    );
    let admin = app.token("admin").await;
    // The nine demo accounts and twelve residents whose orders and wishes fill the demo (inactive).
    assert_eq!(
        app.get(&admin, "/api/v1/users").await.expect(200).body["total"],
        21
    );
    assert_eq!(
        app.get(&admin, "/api/v1/users?q=demo-resident")
            .await
            .expect(200)
            .body["items"][0]["active"],
        false
    );
    let m = app.token("member1").await;
    app.get(&m, "/api/v1/users").await.problem(403, "forbidden");
    let sec = app.token("secretary1").await;
    app.get(&sec, "/api/v1/users")
        .await
        .problem(403, "forbidden");
    // Another community's account is not found.
    let c2_id = app.get(&admin, "/api/v1/users?q=community2").await.body["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    app.get(&c1, &format!("/api/v1/users/{c2_id}"))
        .await
        .problem(404, "not_found");
    app.patch(
        &c1,
        &format!("/api/v1/users/{c2_id}"),
        json!({"display_name": "x"}),
        None,
    )
    .await
    .problem(404, "not_found");
});

both_backends!(
    staff_create_accounts_with_grants_inside_their_scope,
    |app| {
        let street = app.token("street1").await;
        let community = app.find_id("regions", "朝阳社区").await;
        let body = json!({"username": "chaoyang1", "display_name": "朝阳社区 工作人员", "password": "a-long-passphrase",
                      "grants": [{"role": "community_staff", "scope_id": community}]});
        let r = app
            .post(&street, "/api/v1/users", body.clone())
            .await
            .expect(201);
        assert_eq!(r.body["grants"][0]["scope_name"], "朝阳社区");
        assert_eq!(app.audit_for(&r.id()).await[0]["action"], "create");
        app.login_raw("chaoyang1", "a-long-passphrase")
            .await
            .expect(200);
        let dup = app
            .post(&street, "/api/v1/users", body)
            .await
            .problem(409, "duplicate");
        assert_eq!(dup.body["errors"][0]["field"], "username");
        let foreign = app.find_id("regions", "省银行社区").await;
        let r = app.post(&street, "/api/v1/users", json!({"username": "x1x", "display_name": "x", "password": "a-long-passphrase", "grants": [{"role": "community_staff", "scope_id": foreign}]})).await;
        assert_eq!(
            r.problem(422, "validation_failed").body["errors"][0]["field"],
            "grants.0.scope_id"
        );
        app.post(&street, "/api/v1/users", json!({"username": "x2x", "display_name": "x", "password": "a-long-passphrase", "grants": [{"role": "admin"}]})).await.problem(403, "forbidden");
        let wrong_level = app.post(&street, "/api/v1/users", json!({"username": "x3x", "display_name": "x", "password": "a-long-passphrase", "grants": [{"role": "street_staff", "scope_id": community}]})).await;
        assert_eq!(
            wrong_level.problem(422, "validation_failed").body["errors"][0]["code"],
            "invalid_scope"
        );
        let weak = app
            .post(
                &street,
                "/api/v1/users",
                json!({"username": "x4x", "display_name": "x", "password": "short", "grants": []}),
            )
            .await;
        assert_eq!(
            weak.problem(422, "validation_failed").body["errors"][0]["field"],
            "password"
        );
        app.post(&street, "/api/v1/users", json!({"username": "x5x", "display_name": "x", "password": "a-long-passphrase", "grants": []})).await.problem(422, "validation_failed");
        app.post(
            &street,
            "/api/v1/users",
            json!({"username": "bad name!", "display_name": "x", "password": "a-long-passphrase"}),
        )
        .await
        .problem(422, "validation_failed");
        let c1 = app.token("community1").await;
        app.post(&c1, "/api/v1/users", json!({"username": "x6x", "display_name": "x", "password": "a-long-passphrase", "grants": [{"role": "community_staff", "scope_id": community}]}))
        .await
        .problem(422, "validation_failed");
    }
);

both_backends!(grants_and_password_changes, |app| {
    let street = app.token("street1").await;
    let admin = app.token("admin").await;
    let sec_id = app.get(&admin, "/api/v1/users?q=secretary1").await.body["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let login = app
        .login_raw("secretary1", "tongxin-demo")
        .await
        .expect(200);
    let rt = login.body["refresh_token"].as_str().unwrap().to_string();
    let branch = app.find_id("branches", "北直街社区党总支").await;
    let r = app
        .post(
            &street,
            &format!("/api/v1/users/{sec_id}/grants"),
            json!({"role": "branch_secretary", "scope_id": branch}),
        )
        .await
        .expect(201);
    assert_eq!(r.body["grants"].as_array().unwrap().len(), 2);
    app.post(
        &street,
        &format!("/api/v1/users/{sec_id}/grants"),
        json!({"role": "branch_secretary", "scope_id": branch}),
    )
    .await
    .problem(409, "duplicate");
    let grant_id = r.body["grants"][1]["id"].as_str().unwrap().to_string();
    app.delete(
        &street,
        &format!("/api/v1/users/{sec_id}/grants/{grant_id}"),
    )
    .await
    .expect(204);
    app.delete(
        &street,
        &format!("/api/v1/users/{sec_id}/grants/{grant_id}"),
    )
    .await
    .problem(404, "not_found");
    // A new password ends every session.
    app.patch(
        &street,
        &format!("/api/v1/users/{sec_id}"),
        json!({"password": "another-long-one"}),
        Some(1),
    )
    .await
    .expect(200);
    let req = TestRequest::post()
        .uri("/api/v1/auth/refresh")
        .set_json(json!({"refresh_token": rt}));
    app.call(req).await.problem(401, "refresh_token_reused");
    app.login_raw("secretary1", "another-long-one")
        .await
        .expect(200);
    // street1 cannot change an account that also holds a role elsewhere.
    let hy = app.find_id("branches", "花园路街道党工委").await;
    app.post(
        &admin,
        &format!("/api/v1/users/{sec_id}/grants"),
        json!({"role": "branch_secretary", "scope_id": hy}),
    )
    .await
    .expect(201);
    app.patch(
        &street,
        &format!("/api/v1/users/{sec_id}"),
        json!({"display_name": "x"}),
        None,
    )
    .await
    .problem(403, "forbidden");
    // Nobody deletes or disables themselves.
    let me = app.get(&street, "/api/v1/me").await.body["id"]
        .as_str()
        .unwrap()
        .to_string();
    app.delete(&street, &format!("/api/v1/users/{me}"))
        .await
        .problem(409, "self");
    app.patch(
        &street,
        &format!("/api/v1/users/{me}"),
        json!({"active": false}),
        None,
    )
    .await
    .problem(422, "validation_failed");
    let c2 = app.get(&admin, "/api/v1/users?q=community2").await.body["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    app.delete(&street, &format!("/api/v1/users/{c2}"))
        .await
        .expect(204);
    app.login_raw("community2", "tongxin-demo")
        .await
        .problem(401, "invalid_credentials");
});
