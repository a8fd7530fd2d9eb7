//! The HTTP contract of CONVENTIONS: health, the spec, problem+json for bad input, idempotency,
//! the docs UI and the SPA fallback.
use actix_web::test::TestRequest;
use serde_json::json;

use crate::both_backends;
use crate::common::*;

both_backends!(health_and_readiness, |app| {
    let r = app.call(TestRequest::get().uri("/healthz")).await.expect(200);
    assert_eq!(r.body, json!({"status": "ok"}));
    app.call(TestRequest::get().uri("/readyz")).await.expect(200);
});

#[actix_web::test]
async fn readiness_fails_when_the_database_is_gone() {
    // A pool pointed at an unreachable PostgreSQL: not ready (503, problem+json), never a 500.
    let pool = tongxin::db::connect(
        "postgres://nobody@127.0.0.1:1/none",
        &tongxin::db::PoolOptions { max_size: 1, connection_timeout: std::time::Duration::from_millis(300), busy_timeout_ms: 0 },
    )
    .expect("the pool opens connections on demand");
    let state = actix_web::web::Data::new(tongxin::AppState::new(pool, &[1u8; 32], test_auth(), None));
    let svc = actix_web::test::init_service(tongxin::app(state)).await;
    let res = actix_web::test::call_service(&svc, TestRequest::get().uri("/readyz").to_request()).await;
    assert_eq!(res.status().as_u16(), 503);
    assert_eq!(res.headers().get("content-type").unwrap(), "application/problem+json");
    let live = actix_web::test::call_service(&svc, TestRequest::get().uri("/healthz").to_request()).await;
    assert_eq!(live.status().as_u16(), 200, "the process itself is alive");
}

#[test]
fn committed_openapi_yaml_matches_the_code() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi.yaml");
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    let generated = tongxin::openapi::to_yaml();
    assert!(
        committed == generated,
        "openapi.yaml is out of date: run `cargo run -p tongxin -- openapi > openapi.yaml` (or scripts/gen-openapi) and commit it"
    );
}

#[test]
fn every_operation_has_an_id_a_tag_and_error_responses() {
    let spec: serde_json::Value = serde_json::to_value(tongxin::openapi::spec()).unwrap();
    assert!(spec["openapi"].as_str().unwrap().starts_with("3.1"));
    assert!(spec["components"]["securitySchemes"]["bearer"].is_object());
    let mut ids = std::collections::HashSet::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let id = op["operationId"].as_str().unwrap_or_else(|| panic!("{method} {path} has no operationId"));
            assert!(ids.insert(id.to_string()), "duplicate operationId {id}");
            assert!(op["tags"].as_array().is_some_and(|t| !t.is_empty()), "{id} has no tag");
            if path.starts_with("/api/v1/") && !path.starts_with("/api/v1/auth/") && path != "/api/v1/openapi.json" {
                assert!(op["security"].is_array(), "{id} lacks the bearer security requirement");
                assert!(op["responses"]["401"].is_object(), "{id} does not document 401");
            }
        }
    }
    assert!(ids.len() >= 20, "{ids:?}");
}

both_backends!(spec_and_docs_are_served, |app| {
    let r = app.call(TestRequest::get().uri("/api/v1/openapi.json")).await.expect(200);
    assert_eq!(r.body["info"]["title"], "Tongxin (同心) API");
    assert!(r.body["paths"]["/api/v1/regions"].is_object());
    let docs = app.call(TestRequest::get().uri("/docs/")).await.expect(200);
    assert!(docs.body.as_str().unwrap().contains("swagger"), "the docs UI is bundled");
    let bare = app.call(TestRequest::get().uri("/docs")).await;
    assert!(bare.status.is_redirection(), "{}", bare.status);
    assert_eq!(bare.header("location").as_deref(), Some("/docs/"));
});

both_backends!(bad_bodies_get_problem_json_never_500, |app| {
    let t = app.token("street1").await;
    let street = app.find_id("regions", "新丰街街道").await;
    let post = |body: &'static str, ct: &'static str| {
        TestRequest::post().uri("/api/v1/regions").insert_header(bearer(&t)).insert_header(("content-type", ct)).set_payload(body)
    };
    app.call(post("{not json", "application/json")).await.problem(400, "malformed_json");
    app.call(post("", "application/json")).await.problem(400, "malformed_json");
    app.call(post("name=x", "application/x-www-form-urlencoded")).await.problem(415, "unsupported_media_type");
    app.call(post("{}", "text/plain")).await.problem(415, "unsupported_media_type");
    let missing = app.call(post("{}", "application/json")).await.problem(422, "validation_failed");
    assert_eq!(missing.body["errors"][0]["code"], "required");
    let body = json!({"parent_id": street, "level": "community", "name": "x", "extra": true});
    let unknown = app.post(&t, "/api/v1/regions", body).await.problem(422, "validation_failed");
    assert_eq!(unknown.body["errors"][0]["field"], "extra");
    assert_eq!(unknown.body["errors"][0]["code"], "unknown_field");
    let typed = app.post(&t, "/api/v1/regions", json!({"parent_id": street, "level": "community", "name": 5})).await.problem(422, "validation_failed");
    assert_eq!(typed.body["errors"][0]["field"], "name");
    assert_eq!(typed.body["errors"][0]["code"], "invalid_type");
    let long = "长".repeat(65);
    let too_long = app.post(&t, "/api/v1/regions", json!({"parent_id": street, "level": "community", "name": long})).await.problem(422, "validation_failed");
    assert_eq!(too_long.body["errors"][0]["code"], "too_long");
    let huge = format!("{{\"name\": \"{}\"}}", "x".repeat(300 * 1024));
    let req = TestRequest::post().uri("/api/v1/regions").insert_header(bearer(&t)).insert_header(("content-type", "application/json")).set_payload(huge);
    app.call(req).await.problem(413, "payload_too_large");
    app.get(&t, "/api/v1/regions/does-not-exist").await.problem(404, "not_found");
    app.get(&t, "/api/v1/nothing-here").await.problem(404, "not_found");
});

both_backends!(idempotency_key_replays_and_rejects_a_different_body, |app| {
    let t = app.token("street1").await;
    let street = app.find_id("regions", "新丰街街道").await;
    let body = json!({"parent_id": street, "level": "community", "name": "幂等社区"});
    let send = |b: serde_json::Value, key: &str| {
        TestRequest::post().uri("/api/v1/regions").insert_header(bearer(&t)).insert_header(("idempotency-key", key.to_string())).set_json(b)
    };
    let first = app.call(send(body.clone(), "k-1")).await.expect(201);
    let again = app.call(send(body.clone(), "k-1")).await.expect(201);
    assert_eq!(first.body, again.body);
    assert_eq!(again.header("idempotent-replayed").as_deref(), Some("true"));
    assert_eq!(first.header("location"), again.header("location"));
    let listed = app.get(&t, &format!("/api/v1/regions?q={}", url_encode("幂等社区"))).await.expect(200);
    assert_eq!(listed.body["total"], 1, "the retry created nothing");
    let other = json!({"parent_id": street, "level": "community", "name": "另一个"});
    app.call(send(other.clone(), "k-1")).await.problem(409, "idempotency_conflict");
    // Keys belong to the caller: another user's same key is independent.
    let admin = app.token("admin").await;
    let req = TestRequest::post().uri("/api/v1/regions").insert_header(bearer(&admin)).insert_header(("idempotency-key", "k-1")).set_json(other);
    app.call(req).await.expect(201);
    // A failed request does not hold the key: it can be corrected and retried.
    let bad = json!({"parent_id": street, "level": "community", "name": ""});
    app.call(send(bad, "k-2")).await.problem(422, "validation_failed");
    app.call(send(json!({"parent_id": street, "level": "community", "name": "纠正后"}), "k-2")).await.expect(201);
    let long_key = "k".repeat(300);
    app.call(send(body, &long_key)).await.problem(400, "invalid_idempotency_key");
});

#[actix_web::test]
async fn the_spa_is_served_for_non_api_paths() {
    let dir = std::env::temp_dir().join(format!("tongxin-web-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(dir.join("assets")).unwrap();
    std::fs::write(dir.join("index.html"), "<!doctype html><title>同心</title><div id=app></div>").unwrap();
    std::fs::write(dir.join("assets/app.js"), "console.log(1)").unwrap();
    let base = TestApp::sqlite_empty(test_auth());
    let state = actix_web::web::Data::new(tongxin::AppState::new(base.state.pool.clone(), &[1u8; 32], test_auth(), Some(dir.clone())));
    let svc = actix_web::test::init_service(tongxin::app(state)).await;
    for (uri, want) in [("/", "同心"), ("/regions/123", "同心"), ("/assets/app.js", "console.log")] {
        let res = actix_web::test::call_service(&svc, TestRequest::get().uri(uri).to_request()).await;
        assert_eq!(res.status().as_u16(), 200, "{uri}");
        let body = actix_web::test::read_body(res).await;
        assert!(String::from_utf8_lossy(&body).contains(want), "{uri}");
    }
    let res = actix_web::test::call_service(&svc, TestRequest::get().uri("/api/v1/unknown").to_request()).await;
    assert_eq!(res.status().as_u16(), 404);
    assert_eq!(res.headers().get("content-type").unwrap(), "application/problem+json");
    std::fs::remove_dir_all(dir).ok();
}
