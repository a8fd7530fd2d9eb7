use actix_web::test::TestRequest;
use serde_json::json;

use crate::both_backends;
use crate::common::*;

fn square(x: f64, y: f64, d: f64) -> serde_json::Value {
    json!({"type": "Polygon", "coordinates": [[[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]]})
}

async fn grid_id(app: &TestApp, name: &str) -> String {
    let admin = app.token("admin").await;
    let r = app
        .get(
            &admin,
            &format!("/api/v1/grids?q={}&per_page=100", url_encode(name)),
        )
        .await
        .expect(200);
    r.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["name"] == name)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string()
}

both_backends!(a_grid_worker_sees_only_their_grid, |app| {
    let w = app.token("grid1").await;
    let r = app.get(&w, "/api/v1/grids").await.expect(200);
    assert_eq!(r.body["total"], 1);
    assert_eq!(r.body["items"][0]["name"], "斜桥巷第1网格");
    let roles = r.body["items"][0]["roles"].as_array().unwrap();
    let service = roles
        .iter()
        .find(|h| h["role"] == "service_worker")
        .unwrap();
    assert_eq!(service["person_name"], "斜桥巷社区 网格员 张海燕");
    assert!(service["user_id"].is_string());
    let other = grid_id(&app, "斜桥巷第2网格").await;
    app.get(&w, &format!("/api/v1/grids/{other}"))
        .await
        .problem(404, "not_found");
    assert_eq!(
        app.get(&w, "/api/v1/regions").await.expect(200).body["total"],
        0
    );
    let me = app.get(&w, "/api/v1/me").await.expect(200);
    assert_eq!(me.body["grants"][0]["role"], "grid_worker");
    assert_eq!(me.body["grants"][0]["scope_name"], "斜桥巷第1网格");
    // Seeing is not managing.
    let own = r.body["items"][0]["id"].as_str().unwrap();
    app.patch(
        &w,
        &format!("/api/v1/grids/{own}"),
        json!({"name": "x"}),
        None,
    )
    .await
    .problem(403, "forbidden");
});

both_backends!(staff_list_their_grids_as_json_and_geojson, |app| {
    let street = app.token("street1").await;
    let r = app
        .get(&street, "/api/v1/grids?per_page=100")
        .await
        .expect(200);
    assert_eq!(r.body["total"], 39, "13 communities × 3 grids");
    let c1 = app.token("community1").await;
    assert_eq!(
        app.get(&c1, "/api/v1/grids").await.expect(200).body["total"],
        3
    );
    let geo = app
        .call(
            TestRequest::get()
                .uri("/api/v1/grids")
                .insert_header(bearer(&street))
                .insert_header(("accept", "application/geo+json")),
        )
        .await
        .expect(200);
    assert_eq!(
        geo.header("content-type").as_deref(),
        Some("application/geo+json")
    );
    let geo: serde_json::Value = match geo.body {
        serde_json::Value::String(s) => serde_json::from_str(&s).unwrap(),
        v => v,
    };
    assert_eq!(geo["type"], "FeatureCollection");
    assert_eq!(
        geo["features"].as_array().unwrap().len(),
        39,
        "a map gets the whole street at once"
    );
    assert_eq!(geo["features"][0]["type"], "Feature");
    assert_eq!(geo["features"][0]["geometry"]["type"], "Polygon");
    assert!(geo["features"][0]["properties"]["name"].is_string());
    // A street's or a community's grids by region, with their overdue households for the map.
    let community = app.find_id("regions", "斜桥巷社区").await;
    let by_region = app
        .get(&street, &format!("/api/v1/grids?region_id={community}"))
        .await
        .expect(200);
    assert_eq!(by_region.body["total"], 3);
    let street_id = app.find_id("regions", "新丰街街道").await;
    assert_eq!(
        app.get(
            &street,
            &format!("/api/v1/grids?region_id={street_id}&per_page=100")
        )
        .await
        .body["total"],
        39
    );
    let foreign = app.find_id("regions", "花园路街道").await;
    app.get(&street, &format!("/api/v1/grids?region_id={foreign}"))
        .await
        .problem(404, "not_found");
    for g in r.body["items"].as_array().unwrap() {
        assert!(
            g["overdue_households"].as_i64().unwrap() <= g["household_count"].as_i64().unwrap()
        );
    }
    assert!(geo["features"][0]["properties"]["overdue_households"].is_number());
    // Overdue: never visited, or not in the last 30 days.
    let c1 = app.token("community1").await;
    let g = app
        .post(
            &c1,
            "/api/v1/grids",
            json!({"community_id": community, "name": "逾期网格"}),
        )
        .await
        .expect(201)
        .id();
    let mut hh = vec![];
    for room in ["1", "2", "3"] {
        hh.push(
            app.post(
                &c1,
                "/api/v1/households",
                json!({"grid_id": g, "building": "1幢", "room": room, "head_name": "测试"}),
            )
            .await
            .expect(201)
            .id(),
        );
    }
    let today = tongxin::clock::today();
    app.post(
        &c1,
        "/api/v1/visits",
        json!({"household_id": hh[0], "visited_on": today.to_string()}),
    )
    .await
    .expect(201);
    let long_ago = today - chrono::Duration::days(31);
    app.post(
        &c1,
        "/api/v1/visits",
        json!({"household_id": hh[1], "visited_on": long_ago.to_string()}),
    )
    .await
    .expect(201);
    let view = app
        .get(&c1, &format!("/api/v1/grids/{g}"))
        .await
        .expect(200);
    assert_eq!(view.body["household_count"], 3);
    assert_eq!(
        view.body["overdue_households"], 2,
        "one visited 31 days ago, one never"
    );
    // Vacancies are flagged and filterable.
    let vacant = app
        .get(&street, "/api/v1/grids?vacant=true&per_page=100")
        .await
        .expect(200);
    let full = app
        .get(&street, "/api/v1/grids?vacant=false&per_page=100")
        .await
        .expect(200);
    assert!(vacant.body["total"].as_i64().unwrap() > 0);
    assert_eq!(
        vacant.body["total"].as_i64().unwrap() + full.body["total"].as_i64().unwrap(),
        40,
        "39 demo grids and the one above"
    );
    for g in vacant.body["items"].as_array().unwrap() {
        assert!(!g["vacant_roles"].as_array().unwrap().is_empty());
    }
    for g in full.body["items"].as_array().unwrap() {
        assert!(g["vacant_roles"].as_array().unwrap().is_empty());
        assert_eq!(g["roles"].as_array().unwrap().len(), 3);
    }
});

both_backends!(create_validates_the_boundary_and_the_community, |app| {
    let c1 = app.token("community1").await;
    let community = app.find_id("regions", "斜桥巷社区").await;
    let body = json!({"community_id": community, "name": "斜桥巷第4网格", "code": "XF-01-4", "boundary": square(119.9, 31.7, 0.002)});
    let r = app
        .post(&c1, "/api/v1/grids", body.clone())
        .await
        .expect(201);
    assert_eq!(r.body["vacant_roles"].as_array().unwrap().len(), 3);
    assert_eq!(r.body["boundary"]["type"], "Polygon");
    assert_eq!(app.audit_for(&r.id()).await[0]["action"], "create");
    app.post(&c1, "/api/v1/grids", body)
        .await
        .problem(409, "duplicate");
    let open_ring = json!({"type": "Polygon", "coordinates": [[[119.9, 31.7], [119.91, 31.7], [119.91, 31.71], [119.9, 31.71]]]});
    let bad = app
        .post(
            &c1,
            "/api/v1/grids",
            json!({"community_id": community, "name": "x", "boundary": open_ring}),
        )
        .await
        .problem(422, "validation_failed");
    assert_eq!(bad.body["errors"][0]["field"], "boundary");
    assert_eq!(bad.body["errors"][0]["code"], "invalid_geometry");
    assert!(bad.body["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("not closed"));
    let swapped = square(31.7, 119.9, 0.01);
    let bad = app
        .post(
            &c1,
            "/api/v1/grids",
            json!({"community_id": community, "name": "x", "boundary": swapped}),
        )
        .await
        .problem(422, "validation_failed");
    assert!(bad.body["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("swap"));
    let point = json!({"type": "Point", "coordinates": [119.9, 31.7]});
    app.post(
        &c1,
        "/api/v1/grids",
        json!({"community_id": community, "name": "x", "boundary": point}),
    )
    .await
    .problem(422, "validation_failed");
    // Not in another community, not on a street.
    let other = app.find_id("regions", "新丰街社区").await;
    app.post(
        &c1,
        "/api/v1/grids",
        json!({"community_id": other, "name": "x"}),
    )
    .await
    .problem(422, "validation_failed");
    let street = app.token("street1").await;
    let street_id = app.find_id("regions", "新丰街街道").await;
    let r = app
        .post(
            &street,
            "/api/v1/grids",
            json!({"community_id": street_id, "name": "x"}),
        )
        .await
        .problem(422, "validation_failed");
    assert_eq!(r.body["errors"][0]["code"], "invalid_parent");
    let foreign_branch = app.find_id("branches", "北直街社区党总支").await;
    let r = app
        .post(
            &c1,
            "/api/v1/grids",
            json!({"community_id": community, "name": "y", "branch_id": foreign_branch}),
        )
        .await
        .problem(422, "validation_failed");
    assert_eq!(r.body["errors"][0]["field"], "branch_id");
    // A community with grids is not empty.
    app.delete(&street, &format!("/api/v1/regions/{community}"))
        .await
        .problem(409, "region_not_empty");
});

both_backends!(gcj02_coordinates_are_stored_as_wgs84_and_located, |app| {
    let c1 = app.token("community1").await;
    let community = app.find_id("regions", "斜桥巷社区").await;
    let gcj = square(120.1, 31.6, 0.004);
    let r = app.post(&c1, "/api/v1/grids", json!({"community_id": community, "name": "高德坐标网格", "boundary": gcj, "coordinate_system": "gcj02"})).await.expect(201);
    let stored = r.body["boundary"]["coordinates"][0][0]
        .as_array()
        .unwrap()
        .clone();
    let (lng, lat) = (stored[0].as_f64().unwrap(), stored[1].as_f64().unwrap());
    assert!(
        (lng - 120.1).abs() > 0.001 && (lng - 120.1).abs() < 0.01,
        "converted by a few hundred metres: {lng}"
    );
    assert!(
        (lat - 31.6).abs() > 0.0005 && (lat - 31.6).abs() < 0.01,
        "{lat}"
    );
    // The same point as a GCJ-02 phone position finds it.
    let found = app
        .get(
            &c1,
            "/api/v1/grids/locate?lng=120.102&lat=31.602&coordinate_system=gcj02",
        )
        .await
        .expect(200);
    assert_eq!(found.body["name"], "高德坐标网格");
});

both_backends!(locate_finds_the_visible_grid_containing_a_point, |app| {
    let street = app.token("street1").await;
    let r = app
        .get(&street, "/api/v1/grids/locate?lng=119.9565&lat=31.788")
        .await
        .expect(200);
    assert_eq!(r.body["name"], "斜桥巷第1网格");
    let r = app
        .get(&street, "/api/v1/grids/locate?lng=119.9595&lat=31.788")
        .await
        .expect(200);
    assert_eq!(r.body["name"], "斜桥巷第2网格");
    app.get(&street, "/api/v1/grids/locate?lng=100.0&lat=20.0")
        .await
        .problem(404, "not_found");
    app.get(&street, "/api/v1/grids/locate?lng=119.9565&lat=95")
        .await
        .problem(400, "invalid_point");
    app.get(&street, "/api/v1/grids/locate?lng=abc&lat=1")
        .await
        .problem(400, "invalid_query");
    // 花园路's grids are outside street1's scope.
    app.get(&street, "/api/v1/grids/locate?lng=113.677&lat=34.778")
        .await
        .problem(404, "not_found");
    let w = app.token("grid1").await;
    app.get(&w, "/api/v1/grids/locate?lng=119.9595&lat=31.788")
        .await
        .problem(404, "not_found");
    app.get(&w, "/api/v1/grids/locate?lng=119.9565&lat=31.788")
        .await
        .expect(200);
});

both_backends!(grid_roles_keep_their_history_and_vacancies, |app| {
    let c1 = app.token("community1").await;
    let id = grid_id(&app, "斜桥巷第2网格").await;
    let before = app
        .get(&c1, &format!("/api/v1/grids/{id}"))
        .await
        .expect(200);
    let held_before = before.body["roles"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["role"] == "party_instructor");
    let r = app
        .post(&c1, &format!("/api/v1/grids/{id}/roles"), json!({"role": "party_instructor", "person_name": "赵卫东", "started_on": "2026-11-01"}))
        .await
        .expect(200);
    let now: Vec<_> = r.body["roles"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| h["role"] == "party_instructor")
        .collect();
    assert_eq!(now.len(), 1, "one holder at a time");
    assert_eq!(now[0]["person_name"], "赵卫东");
    let history = app
        .get(&c1, &format!("/api/v1/grids/{id}/roles"))
        .await
        .expect(200);
    let instructors: Vec<_> = history
        .body
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| h["role"] == "party_instructor")
        .collect();
    assert_eq!(instructors.len(), if held_before { 2 } else { 1 });
    if held_before {
        assert_eq!(
            instructors[1]["ended_on"], "2026-10-31",
            "the previous term ends the day before"
        );
    }
    let v = app
        .post(
            &c1,
            &format!("/api/v1/grids/{id}/vacate-role"),
            json!({"role": "party_instructor", "ended_on": "2026-11-20"}),
        )
        .await
        .expect(200);
    assert!(v.body["vacant_roles"]
        .as_array()
        .unwrap()
        .contains(&json!("party_instructor")));
    app.post(
        &c1,
        &format!("/api/v1/grids/{id}/vacate-role"),
        json!({"role": "party_instructor"}),
    )
    .await
    .problem(409, "role_vacant");
    // Bad input and people without the right.
    app.post(
        &c1,
        &format!("/api/v1/grids/{id}/roles"),
        json!({"role": "mayor", "person_name": "x"}),
    )
    .await
    .problem(422, "validation_failed");
    app.post(
        &c1,
        &format!("/api/v1/grids/{id}/roles"),
        json!({"role": "service_worker"}),
    )
    .await
    .problem(422, "validation_failed");
    app.post(
        &c1,
        &format!("/api/v1/grids/{id}/roles"),
        json!({"role": "service_worker", "user_id": "nobody"}),
    )
    .await
    .problem(422, "validation_failed");
    let w = app.token("grid1").await;
    app.post(
        &w,
        &format!("/api/v1/grids/{id}/roles"),
        json!({"role": "service_worker", "person_name": "x"}),
    )
    .await
    .problem(404, "not_found");
    let c2 = app.token("community2").await;
    app.post(
        &c2,
        &format!("/api/v1/grids/{id}/roles"),
        json!({"role": "service_worker", "person_name": "x"}),
    )
    .await
    .problem(404, "not_found");
    assert!(app
        .audit_for(&id)
        .await
        .iter()
        .any(|e| e["action"] == "vacate_role"));
});

both_backends!(
    grid_workers_are_granted_within_scope_and_block_deletion,
    |app| {
        let street = app.token("street1").await;
        let id = grid_id(&app, "斜桥巷第1网格").await;
        app.delete(&street, &format!("/api/v1/grids/{id}"))
            .await
            .problem(409, "grid_not_empty");
        let mine = grid_id(&app, "北直街第1网格").await;
        let body = json!({"username": "grid2", "display_name": "北直街 网格员", "password": "a-long-passphrase", "grants": [{"role": "grid_worker", "scope_id": mine}]});
        let u = app.post(&street, "/api/v1/users", body).await.expect(201);
        assert_eq!(u.body["grants"][0]["scope_name"], "北直街第1网格");
        let users = app.get(&street, "/api/v1/users?q=grid").await.expect(200);
        assert_eq!(
            users.body["total"], 2,
            "street staff see their grid workers"
        );
        let foreign = grid_id(&app, "省银行第1网格").await;
        let body = json!({"username": "grid3", "display_name": "x", "password": "a-long-passphrase", "grants": [{"role": "grid_worker", "scope_id": foreign}]});
        app.post(&street, "/api/v1/users", body)
            .await
            .problem(422, "validation_failed");
        let c1 = app.token("community1").await;
        let community = app.find_id("regions", "斜桥巷社区").await;
        let fresh = app
            .post(
                &c1,
                "/api/v1/grids",
                json!({"community_id": community, "name": "临时网格"}),
            )
            .await
            .expect(201)
            .id();
        app.patch(
            &c1,
            &format!("/api/v1/grids/{fresh}"),
            json!({"boundary": square(119.0, 31.0, 0.01)}),
            Some(1),
        )
        .await
        .expect(200);
        app.patch(
            &c1,
            &format!("/api/v1/grids/{fresh}"),
            json!({"name": "y"}),
            Some(1),
        )
        .await
        .problem(412, "precondition_failed");
        app.delete(&c1, &format!("/api/v1/grids/{fresh}"))
            .await
            .expect(204);
        app.get(&c1, &format!("/api/v1/grids/{fresh}"))
            .await
            .problem(404, "not_found");
    }
);
