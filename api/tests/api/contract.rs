//! The HTTP contract of CONVENTIONS: health, the spec, problem+json for bad input, idempotency,
//! the docs UI and the SPA fallback.
use actix_web::test::TestRequest;
use serde_json::json;

use crate::both_backends;
use crate::common::*;

both_backends!(health_and_readiness, |app| {
    let r = app
        .call(TestRequest::get().uri("/healthz"))
        .await
        .expect(200);
    assert_eq!(r.body, json!({"status": "ok"}));
    app.call(TestRequest::get().uri("/readyz"))
        .await
        .expect(200);
});

#[actix_web::test]
async fn readiness_fails_when_the_database_is_gone() {
    // A pool pointed at an unreachable PostgreSQL: not ready (503, problem+json), never a 500.
    let pool = tongxin::db::connect(
        "postgres://nobody@127.0.0.1:1/none",
        &tongxin::db::PoolOptions {
            max_size: 1,
            connection_timeout: std::time::Duration::from_millis(300),
            busy_timeout_ms: 0,
        },
    )
    .expect("the pool opens connections on demand");
    let state =
        actix_web::web::Data::new(tongxin::AppState::new(pool, &[1u8; 32], test_auth(), None));
    let svc = actix_web::test::init_service(tongxin::app(state)).await;
    let res =
        actix_web::test::call_service(&svc, TestRequest::get().uri("/readyz").to_request()).await;
    assert_eq!(res.status().as_u16(), 503);
    assert_eq!(
        res.headers().get("content-type").unwrap(),
        "application/problem+json"
    );
    let live =
        actix_web::test::call_service(&svc, TestRequest::get().uri("/healthz").to_request()).await;
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
            let id = op["operationId"]
                .as_str()
                .unwrap_or_else(|| panic!("{method} {path} has no operationId"));
            assert!(ids.insert(id.to_string()), "duplicate operationId {id}");
            assert!(
                op["tags"].as_array().is_some_and(|t| !t.is_empty()),
                "{id} has no tag"
            );
            if path.starts_with("/api/v1/")
                && !path.starts_with("/api/v1/auth/")
                && path != "/api/v1/openapi.json"
            {
                assert!(
                    op["security"].is_array(),
                    "{id} lacks the bearer security requirement"
                );
                assert!(
                    op["responses"]["401"].is_object(),
                    "{id} does not document 401"
                );
            }
        }
    }
    assert!(ids.len() >= 20, "{ids:?}");
}

both_backends!(spec_and_docs_are_served, |app| {
    let r = app
        .call(TestRequest::get().uri("/api/v1/openapi.json"))
        .await
        .expect(200);
    assert_eq!(r.body["info"]["title"], "Tongxin (同心) API");
    assert!(r.body["paths"]["/api/v1/regions"].is_object());
    let docs = app.call(TestRequest::get().uri("/docs/")).await.expect(200);
    assert!(
        docs.body.as_str().unwrap().contains("swagger"),
        "the docs UI is bundled"
    );
    let bare = app.call(TestRequest::get().uri("/docs")).await;
    assert!(bare.status.is_redirection(), "{}", bare.status);
    assert_eq!(bare.header("location").as_deref(), Some("/docs/"));
});

both_backends!(bad_bodies_get_problem_json_never_500, |app| {
    let t = app.token("street1").await;
    let street = app.find_id("regions", "新丰街街道").await;
    let post = |body: &'static str, ct: &'static str| {
        TestRequest::post()
            .uri("/api/v1/regions")
            .insert_header(bearer(&t))
            .insert_header(("content-type", ct))
            .set_payload(body)
    };
    app.call(post("{not json", "application/json"))
        .await
        .problem(400, "malformed_json");
    app.call(post("", "application/json"))
        .await
        .problem(400, "malformed_json");
    app.call(post("name=x", "application/x-www-form-urlencoded"))
        .await
        .problem(415, "unsupported_media_type");
    app.call(post("{}", "text/plain"))
        .await
        .problem(415, "unsupported_media_type");
    let missing = app
        .call(post("{}", "application/json"))
        .await
        .problem(422, "validation_failed");
    assert_eq!(missing.body["errors"][0]["code"], "required");
    let body = json!({"parent_id": street, "level": "community", "name": "x", "extra": true});
    let unknown = app
        .post(&t, "/api/v1/regions", body)
        .await
        .problem(422, "validation_failed");
    assert_eq!(unknown.body["errors"][0]["field"], "extra");
    assert_eq!(unknown.body["errors"][0]["code"], "unknown_field");
    let typed = app
        .post(
            &t,
            "/api/v1/regions",
            json!({"parent_id": street, "level": "community", "name": 5}),
        )
        .await
        .problem(422, "validation_failed");
    assert_eq!(typed.body["errors"][0]["field"], "name");
    assert_eq!(typed.body["errors"][0]["code"], "invalid_type");
    let long = "长".repeat(65);
    let too_long = app
        .post(
            &t,
            "/api/v1/regions",
            json!({"parent_id": street, "level": "community", "name": long}),
        )
        .await
        .problem(422, "validation_failed");
    assert_eq!(too_long.body["errors"][0]["code"], "too_long");
    let huge = format!("{{\"name\": \"{}\"}}", "x".repeat(300 * 1024));
    let req = TestRequest::post()
        .uri("/api/v1/regions")
        .insert_header(bearer(&t))
        .insert_header(("content-type", "application/json"))
        .set_payload(huge);
    app.call(req).await.problem(413, "payload_too_large");
    app.get(&t, "/api/v1/regions/does-not-exist")
        .await
        .problem(404, "not_found");
    app.get(&t, "/api/v1/nothing-here")
        .await
        .problem(404, "not_found");
});

both_backends!(
    idempotency_key_replays_and_rejects_a_different_body,
    |app| {
        let t = app.token("street1").await;
        let street = app.find_id("regions", "新丰街街道").await;
        let body = json!({"parent_id": street, "level": "community", "name": "幂等社区"});
        let send = |b: serde_json::Value, key: &str| {
            TestRequest::post()
                .uri("/api/v1/regions")
                .insert_header(bearer(&t))
                .insert_header(("idempotency-key", key.to_string()))
                .set_json(b)
        };
        let first = app.call(send(body.clone(), "k-1")).await.expect(201);
        let again = app.call(send(body.clone(), "k-1")).await.expect(201);
        assert_eq!(first.body, again.body);
        assert_eq!(again.header("idempotent-replayed").as_deref(), Some("true"));
        assert_eq!(first.header("location"), again.header("location"));
        let listed = app
            .get(&t, &format!("/api/v1/regions?q={}", url_encode("幂等社区")))
            .await
            .expect(200);
        assert_eq!(listed.body["total"], 1, "the retry created nothing");
        let other = json!({"parent_id": street, "level": "community", "name": "另一个"});
        app.call(send(other.clone(), "k-1"))
            .await
            .problem(409, "idempotency_conflict");
        // Keys belong to the caller: another user's same key is independent.
        let admin = app.token("admin").await;
        let req = TestRequest::post()
            .uri("/api/v1/regions")
            .insert_header(bearer(&admin))
            .insert_header(("idempotency-key", "k-1"))
            .set_json(other);
        app.call(req).await.expect(201);
        // A failed request does not hold the key: it can be corrected and retried.
        let bad = json!({"parent_id": street, "level": "community", "name": ""});
        app.call(send(bad, "k-2"))
            .await
            .problem(422, "validation_failed");
        app.call(send(
            json!({"parent_id": street, "level": "community", "name": "纠正后"}),
            "k-2",
        ))
        .await
        .expect(201);
        let long_key = "k".repeat(300);
        app.call(send(body, &long_key))
            .await
            .problem(400, "invalid_idempotency_key");
    }
);

#[actix_web::test]
async fn the_spa_is_served_for_non_api_paths() {
    let dir = std::env::temp_dir().join(format!("tongxin-web-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(dir.join("assets")).unwrap();
    std::fs::write(
        dir.join("index.html"),
        "<!doctype html><title>同心</title><div id=app></div>",
    )
    .unwrap();
    std::fs::write(dir.join("assets/app.js"), "console.log(1)").unwrap();
    let base = TestApp::sqlite_empty(test_auth());
    let state = actix_web::web::Data::new(tongxin::AppState::new(
        base.state.pool.clone(),
        &[1u8; 32],
        test_auth(),
        Some(dir.clone()),
    ));
    let svc = actix_web::test::init_service(tongxin::app(state)).await;
    for (uri, want) in [
        ("/", "同心"),
        ("/regions/123", "同心"),
        ("/assets/app.js", "console.log"),
    ] {
        let res =
            actix_web::test::call_service(&svc, TestRequest::get().uri(uri).to_request()).await;
        assert_eq!(res.status().as_u16(), 200, "{uri}");
        let body = actix_web::test::read_body(res).await;
        assert!(String::from_utf8_lossy(&body).contains(want), "{uri}");
    }
    let res =
        actix_web::test::call_service(&svc, TestRequest::get().uri("/api/v1/unknown").to_request())
            .await;
    assert_eq!(res.status().as_u16(), 404);
    assert_eq!(
        res.headers().get("content-type").unwrap(),
        "application/problem+json"
    );
    std::fs::remove_dir_all(dir).ok();
}

/// The answer a spec response stands for: itself, or the shared one under `components/responses`.
fn resolve<'a>(
    spec: &'a serde_json::Value,
    response: &'a serde_json::Value,
) -> &'a serde_json::Value {
    match response["$ref"].as_str() {
        Some(r) => {
            let name = r
                .strip_prefix("#/components/responses/")
                .unwrap_or_else(|| panic!("unexpected $ref {r}"));
            let shared = &spec["components"]["responses"][name];
            assert!(shared.is_object(), "{r} does not resolve");
            shared
        }
        None => response,
    }
}

#[test]
fn every_operation_declares_what_its_shape_can_answer() {
    // The statuses any operation of a shape can answer, checked on the spec itself so a new route
    // cannot leave them out: a JSON body → 400 (malformed), 413, 415, 422; secured → 401; a path
    // parameter → 404; `If-Match` → 412; `Idempotency-Key` → 409; a 429 says `Retry-After`.
    let spec: serde_json::Value = serde_json::to_value(tongxin::openapi::spec()).unwrap();
    let mut checked = 0;
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let id = op["operationId"].as_str().unwrap();
            let open311 = op["tags"]
                .as_array()
                .unwrap()
                .iter()
                .any(|t| t == "open311");
            let error_type = if open311 {
                "application/json"
            } else {
                "application/problem+json"
            };
            let declares = |status: &str| {
                let r = &op["responses"][status];
                assert!(
                    r.is_object(),
                    "{method} {path} ({id}) does not declare {status}"
                );
                let r = resolve(&spec, r);
                assert!(
                    r["content"][error_type]["schema"].is_object(),
                    "{id}: {status} is not {error_type}: {r}"
                );
                r
            };
            let params = op["parameters"].as_array().cloned().unwrap_or_default();
            let header = |name: &str| {
                params.iter().any(|p| {
                    p["in"] == "header"
                        && p["name"]
                            .as_str()
                            .is_some_and(|n| n.eq_ignore_ascii_case(name))
                })
            };
            if op["requestBody"]["content"]["application/json"].is_object() {
                for status in ["400", "413", "415", "422"] {
                    declares(status);
                }
            }
            if op["requestBody"].is_object() {
                declares("413");
            }
            if op["security"].as_array().is_some_and(|s| !s.is_empty()) {
                declares("401");
            }
            if path.contains('{') {
                declares("404");
            }
            if params.iter().any(|p| p["in"] == "query") {
                declares("400");
            }
            if header("If-Match") {
                declares("412");
            }
            if header("Idempotency-Key") {
                declares("409");
            }
            if op["responses"]["429"].is_object() {
                assert!(
                    declares("429")["headers"]["Retry-After"].is_object(),
                    "{id}: 429 without Retry-After"
                );
            }
            for (status, r) in op["responses"].as_object().unwrap() {
                let r = resolve(&spec, r);
                assert!(
                    r["description"].is_string(),
                    "{id} {status} has no description"
                );
                if status.starts_with('4') || status.starts_with('5') {
                    assert!(
                        r["content"][error_type].is_object(),
                        "{id}: {status} is not {error_type}: {r}"
                    );
                }
            }
            checked += 1;
        }
    }
    assert!(checked > 150, "{checked} operations");
    let shared = &spec["components"]["responses"];
    assert!(shared["MethodNotAllowed"]["headers"]["Allow"].is_object());
    assert!(shared["Unauthorized"]["headers"]["WWW-Authenticate"].is_object());
}

#[actix_web::test]
async fn a_wrong_method_on_every_path_of_the_spec_is_405_with_allow() {
    let base = TestApp::sqlite_empty(test_auth());
    let svc = actix_web::test::init_service(tongxin::app(base.state.clone())).await;
    let spec: serde_json::Value = serde_json::to_value(tongxin::openapi::spec()).unwrap();
    for (template, item) in spec["paths"].as_object().unwrap() {
        let declared: Vec<String> = item
            .as_object()
            .unwrap()
            .keys()
            .map(|m| m.to_uppercase())
            .collect();
        let wrong = ["PUT", "DELETE", "PATCH", "POST", "GET"]
            .into_iter()
            .find(|m| !declared.iter().any(|d| d == m))
            .unwrap();
        // Every path parameter as `x`: the route need not find a record to know its methods.
        let mut path = String::new();
        for (i, part) in template.split('{').enumerate() {
            path.push_str(if i == 0 {
                part
            } else {
                part.split_once('}')
                    .map(|(_, rest)| rest)
                    .unwrap_or_default()
            });
            if i + 1 < template.split('{').count() {
                path.push('x');
            }
        }
        let req = TestRequest::default()
            .method(wrong.parse().unwrap())
            .uri(&path)
            .to_request();
        let res = actix_web::test::call_service(&svc, req).await;
        assert_eq!(res.status().as_u16(), 405, "{wrong} {path}");
        assert_eq!(
            res.headers().get("content-type").unwrap(),
            "application/problem+json",
            "{wrong} {path}"
        );
        let allow = res
            .headers()
            .get("allow")
            .unwrap_or_else(|| panic!("{wrong} {path}: no Allow"))
            .to_str()
            .unwrap()
            .to_string();
        for m in &declared {
            assert!(
                allow.split(", ").any(|a| a == m),
                "{wrong} {path}: Allow {allow} lacks {m}"
            );
        }
        let body: serde_json::Value =
            serde_json::from_slice(&actix_web::test::read_body(res).await).unwrap();
        assert_eq!(body["code"], "method_not_allowed", "{wrong} {path}");
        assert_eq!(body["status"], 405);
    }
}

both_backends!(wrong_methods_are_405_and_unknown_paths_404, |app| {
    let t = app.token("admin").await;
    let r = app
        .call(
            TestRequest::delete()
                .uri("/api/v1/regions")
                .insert_header(bearer(&t)),
        )
        .await
        .problem(405, "method_not_allowed");
    assert_eq!(r.header("allow").as_deref(), Some("GET, POST"));
    // `/regions/tree` and `/regions/{id}` both match: actix would route any of their methods.
    let r = app
        .call(TestRequest::put().uri("/api/v1/regions/tree"))
        .await
        .problem(405, "method_not_allowed");
    assert_eq!(r.header("allow").as_deref(), Some("GET, PATCH, DELETE"));
    let r = app
        .call(TestRequest::post().uri("/healthz"))
        .await
        .problem(405, "method_not_allowed");
    assert_eq!(r.header("allow").as_deref(), Some("GET"));
    let r = app
        .call(TestRequest::get().uri("/api/v1/open311/v2/requests.json/x"))
        .await;
    assert_eq!(r.status.as_u16(), 404);
    app.call(
        TestRequest::delete()
            .uri("/api/v1/nothing-here")
            .insert_header(bearer(&t)),
    )
    .await
    .problem(404, "not_found");
    app.call(
        TestRequest::get()
            .uri("/api/v1/regions/")
            .insert_header(bearer(&t)),
    )
    .await
    .problem(404, "not_found");
});

both_backends!(fuzzed_inputs_are_4xx_never_500, |app| {
    // What schemathesis found: each once a 500 (or an undocumented status), now a 4xx.
    let t = app.token("admin").await;
    for q in [
        "age_min=-2147483648&age_max=-2147483648",
        "age_max=2147483647",
        "join_year=2147483647",
        "age_min=151",
        "status=gone",
    ] {
        app.get(&t, &format!("/api/v1/members?{q}"))
            .await
            .problem(422, "validation_failed");
        app.get(&t, &format!("/api/v1/members/export?{q}"))
            .await
            .problem(422, "validation_failed");
    }
    app.get(&t, "/api/v1/members?age_min=30&age_max=150")
        .await
        .expect(200);
    let projects = app.get(&t, "/api/v1/service-projects").await.expect(200);
    let project = projects.body["items"][0]["id"]
        .as_str()
        .expect("a demo project")
        .to_string();
    app.delete(
        &t,
        &format!("/api/v1/service-projects/{project}/claims/no-such-unit"),
    )
    .await
    .problem(404, "not_found");
    // The Open311 facade answers in its own shape, also for a refused query string or body.
    let r = app
        .call(TestRequest::get().uri("/api/v1/open311/v2/services.json"))
        .await
        .expect(401);
    assert_eq!(r.body[0]["code"], 401);
    let r = app
        .call(TestRequest::get().uri("/api/v1/open311/v2/services.json?api_key=a&api_key=b"))
        .await
        .expect(400);
    assert_eq!(r.body[0]["code"], 400);
    // A body over actix's own limit is a problem+json 413, not its plain-text one.
    let huge = "x".repeat(300 * 1024);
    let req = TestRequest::post()
        .uri("/api/v1/auth/token")
        .insert_header(("content-type", "application/x-www-form-urlencoded"))
        .set_payload(huge.clone());
    app.call(req).await.problem(413, "payload_too_large");
    let req = TestRequest::post()
        .uri("/api/v1/regions")
        .insert_header(bearer(&t))
        .insert_header(("idempotency-key", "big"))
        .insert_header(("content-type", "application/json"))
        .set_payload(huge);
    app.call(req).await.problem(413, "payload_too_large");
});

#[test]
fn openapi_yaml_quotes_what_yaml_1_1_reads_otherwise() {
    use tongxin::openapi::quote_yaml11;
    let yaml = "a:\n  name: on\n  when: 2026-11-23\n  count: 3\n  version: 3.1.0\n  plain: hello\n  'on': yes\n  - n\n  - 'x'\n  text: |-\n    on\n    2026-11-23\n  after: off\n- off: no\n";
    let quoted = quote_yaml11(yaml);
    assert_eq!(
        quoted,
        "a:\n  name: 'on'\n  when: '2026-11-23'\n  count: 3\n  version: '3.1.0'\n  plain: hello\n  'on': 'yes'\n  - 'n'\n  - 'x'\n  text: |-\n    on\n    2026-11-23\n  after: 'off'\n- 'off': 'no'\n"
    );
    // The committed YAML reads (as YAML 1.2) exactly as the JSON document.
    let from_yaml: serde_json::Value =
        serde_norway::from_str(&tongxin::openapi::to_yaml()).expect("openapi.yaml parses");
    let from_json: serde_json::Value =
        serde_json::from_str(&tongxin::openapi::spec().to_json().unwrap()).unwrap();
    assert_eq!(from_yaml, from_json);
}
