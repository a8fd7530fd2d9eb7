use actix_web::test::TestRequest;
use serde_json::json;

use crate::both_backends;
use crate::common::*;

both_backends!(street_staff_see_only_their_street, |app| {
    let t = app.token("street1").await;
    let r = app
        .get(&t, "/api/v1/regions?per_page=100")
        .await
        .expect(200);
    assert_eq!(
        r.body["total"], 14,
        "the street and its 13 communities: {}",
        r.body
    );
    let names: Vec<&str> = r.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"新丰街街道") && names.contains(&"斜桥巷社区"));
    assert!(!names
        .iter()
        .any(|n| n.contains("花园路") || *n == "天宁区" || *n == "省银行社区"));
    let tree = app.get(&t, "/api/v1/regions/tree").await.expect(200);
    assert_eq!(tree.body.as_array().unwrap().len(), 14);
    assert_eq!(tree.body[0]["name"], "新丰街街道", "parents come first");
    assert_eq!(tree.body[0]["child_count"], 13);
    let one = app.find_id("regions", "斜桥巷社区").await;
    let sub = app
        .get(&t, &format!("/api/v1/regions/tree?root_id={one}"))
        .await
        .expect(200);
    assert_eq!(sub.body.as_array().unwrap().len(), 1);
    let foreign = app.find_id("regions", "花园路街道").await;
    app.get(&t, &format!("/api/v1/regions/tree?root_id={foreign}"))
        .await
        .problem(404, "not_found");
});

both_backends!(another_streets_records_are_404_for_every_verb, |app| {
    let t = app.token("street1").await;
    let other = app.find_id("regions", "省银行社区").await;
    let uri = format!("/api/v1/regions/{other}");
    app.get(&t, &uri).await.problem(404, "not_found");
    app.patch(&t, &uri, json!({"name": "x"}), None)
        .await
        .problem(404, "not_found");
    app.delete(&t, &uri).await.problem(404, "not_found");
    app.post(
        &t,
        &format!("{uri}/move"),
        json!({"parent_id": app.find_id("regions", "新丰街街道").await}),
    )
    .await
    .problem(404, "not_found");
    // Nor can it be used as a parent: the answer does not reveal that it exists.
    let r = app.post(&t, "/api/v1/regions", json!({"parent_id": app.find_id("regions", "花园路街道").await, "level": "community", "name": "新社区"})).await;
    let r = r.problem(422, "validation_failed");
    assert_eq!(r.body["errors"][0]["field"], "parent_id");
    assert_eq!(r.body["errors"][0]["code"], "not_found");
    // A community's staff cannot see their street either.
    let c1 = app.token("community1").await;
    app.get(
        &c1,
        &format!(
            "/api/v1/regions/{}",
            app.find_id("regions", "新丰街街道").await
        ),
    )
    .await
    .problem(404, "not_found");
    app.get(
        &c1,
        &format!(
            "/api/v1/regions/{}",
            app.find_id("regions", "新丰街社区").await
        ),
    )
    .await
    .problem(404, "not_found");
    let mine = app.get(&c1, "/api/v1/regions").await.expect(200);
    assert_eq!(mine.body["total"], 1);
});

both_backends!(create_checks_levels_and_scope_and_is_audited, |app| {
    let t = app.token("street1").await;
    let street = app.find_id("regions", "新丰街街道").await;
    let r = app.post(&t, "/api/v1/regions", json!({"parent_id": street, "level": "community", "name": "  新桥社区 ", "code": "XQ-1"})).await.expect(201);
    let id = r.id();
    assert_eq!(
        r.header("location").unwrap(),
        format!("/api/v1/regions/{id}")
    );
    assert_eq!(r.header("etag").unwrap(), "\"1\"");
    assert_eq!(r.body["name"], "新桥社区", "names are trimmed");
    assert_eq!(r.body["depth"], 2);
    assert!(r.body["path"]
        .as_str()
        .unwrap()
        .ends_with(&format!("{street}/{id}/")));
    let events = app.audit_for(&id).await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["action"], "create");
    assert_eq!(events[0]["actor_name"], "street1");
    assert_eq!(events[0]["entity_type"], "region");
    assert_eq!(events[0]["client_addr"], "10.9.8.7");

    // The same name under the same parent, or the same code anywhere, is a conflict.
    let dup = app
        .post(
            &t,
            "/api/v1/regions",
            json!({"parent_id": street, "level": "community", "name": "新桥社区"}),
        )
        .await
        .problem(409, "duplicate");
    assert_eq!(dup.body["errors"][0]["field"], "name");
    app.post(
        &t,
        "/api/v1/regions",
        json!({"parent_id": street, "level": "community", "name": "别的社区", "code": "XQ-1"}),
    )
    .await
    .problem(409, "duplicate");
    // Levels nest district → street → community.
    let district = app.find_id("regions", "天宁区").await;
    let bad = app
        .post(
            &t,
            "/api/v1/regions",
            json!({"parent_id": street, "level": "street", "name": "x"}),
        )
        .await
        .problem(422, "validation_failed");
    assert_eq!(bad.body["errors"][0]["code"], "invalid_parent");
    app.post(
        &t,
        "/api/v1/regions",
        json!({"level": "district", "name": "新区"}),
    )
    .await
    .problem(403, "forbidden");
    // The district is outside street1's scope, so it is "not found" as a parent.
    app.post(
        &t,
        "/api/v1/regions",
        json!({"parent_id": district, "level": "street", "name": "x"}),
    )
    .await
    .problem(422, "validation_failed");
    let missing = app
        .post(
            &t,
            "/api/v1/regions",
            json!({"parent_id": street, "level": "village", "name": "x"}),
        )
        .await
        .problem(422, "validation_failed");
    assert_eq!(missing.body["errors"][0]["field"], "level");
    // A member has no say over regions.
    let m = app.token("member1").await;
    app.post(
        &m,
        "/api/v1/regions",
        json!({"parent_id": street, "level": "community", "name": "x"}),
    )
    .await
    .problem(422, "validation_failed");
    // Community staff can read but not add siblings under their street (invisible) nor children.
    let admin = app.token("admin").await;
    app.post(
        &admin,
        "/api/v1/regions",
        json!({"level": "district", "name": "新区", "code": "999"}),
    )
    .await
    .expect(201);
});

both_backends!(updates_need_the_current_version, |app| {
    let t = app.token("street1").await;
    let id = app.find_id("regions", "丽华社区").await;
    let uri = format!("/api/v1/regions/{id}");
    let current = app.get(&t, &uri).await.expect(200);
    assert_eq!(current.header("etag").unwrap(), "\"1\"");
    let r = app
        .patch(&t, &uri, json!({"name": "丽华新村社区"}), Some(1))
        .await
        .expect(200);
    assert_eq!(r.body["version"], 2);
    assert_eq!(r.header("etag").unwrap(), "\"2\"");
    app.patch(&t, &uri, json!({"name": "又一个名字"}), Some(1))
        .await
        .problem(412, "precondition_failed");
    app.patch(&t, &uri, json!({"name": "又一个名字", "version": 1}), None)
        .await
        .problem(409, "version_conflict");
    app.patch(&t, &uri, json!({"code": null}), Some(2))
        .await
        .expect(200);
    let events = app.audit_for(&id).await;
    assert_eq!(
        events.iter().filter(|e| e["action"] == "update").count(),
        2,
        "every change is audited: {events:?}"
    );
    let after = app.get(&t, &uri).await.expect(200);
    assert_eq!(after.body["name"], "丽华新村社区");
    assert!(after.body["code"].is_null());
    assert_eq!(after.body["version"], 3);
    app.patch(&t, &uri, json!({"name": ""}), None)
        .await
        .problem(422, "validation_failed");
    app.patch(&t, &uri, json!({"level": "street"}), None)
        .await
        .problem(422, "validation_failed");
    let bad = TestRequest::patch()
        .uri(&uri)
        .insert_header(bearer(&t))
        .insert_header(("if-match", "abc"))
        .set_json(json!({"name": "x"}));
    app.call(bad).await.problem(400, "bad_if_match");
    // Community staff may rename their own community.
    let c1 = app.token("community1").await;
    let own = app.find_id("regions", "斜桥巷社区").await;
    app.patch(
        &c1,
        &format!("/api/v1/regions/{own}"),
        json!({"code": "XQX"}),
        Some(1),
    )
    .await
    .expect(200);
    // Members may read nothing here.
    let m = app.token("member1").await;
    app.get(&m, &uri).await.problem(404, "not_found");
});

both_backends!(delete_only_empty_regions, |app| {
    let t = app.token("street1").await;
    let street = app.find_id("regions", "新丰街街道").await;
    let busy = app.find_id("regions", "竹林社区").await;
    let r = app
        .delete(&t, &format!("/api/v1/regions/{busy}"))
        .await
        .problem(409, "region_not_empty");
    assert!(r.body["detail"].as_str().unwrap().contains("branch"));
    app.delete(&t, &format!("/api/v1/regions/{street}"))
        .await
        .problem(403, "forbidden");
    let fresh = app
        .post(
            &t,
            "/api/v1/regions",
            json!({"parent_id": street, "level": "community", "name": "临时社区"}),
        )
        .await
        .expect(201)
        .id();
    app.delete(&t, &format!("/api/v1/regions/{fresh}"))
        .await
        .expect(204);
    app.get(&t, &format!("/api/v1/regions/{fresh}"))
        .await
        .problem(404, "not_found");
    let events = app.audit_for(&fresh).await;
    assert_eq!(events[0]["action"], "delete");
});

both_backends!(moving_a_region_moves_its_subtree_out_of_scope, |app| {
    let admin = app.token("admin").await;
    let street1 = app.token("street1").await;
    let community = app.find_id("regions", "兰陵社区").await;
    let huayuan = app.find_id("regions", "花园路街道").await;
    app.post(
        &street1,
        &format!("/api/v1/regions/{community}/move"),
        json!({"parent_id": huayuan}),
    )
    .await
    .problem(422, "validation_failed");
    let own_street = app.find_id("regions", "新丰街街道").await;
    let tianning = app.find_id("regions", "天宁区").await;
    app.post(
        &street1,
        &format!("/api/v1/regions/{own_street}/move"),
        json!({"parent_id": tianning}),
    )
    .await
    .problem(403, "forbidden");
    let district = app.find_id("regions", "天宁区").await;
    let bad = app
        .post(
            &admin,
            &format!("/api/v1/regions/{community}/move"),
            json!({"parent_id": district}),
        )
        .await
        .problem(422, "validation_failed");
    assert_eq!(bad.body["errors"][0]["code"], "invalid_parent");
    let moved = app
        .post(
            &admin,
            &format!("/api/v1/regions/{community}/move"),
            json!({"parent_id": huayuan}),
        )
        .await
        .expect(200);
    let hy_path = app
        .get(&admin, &format!("/api/v1/regions/{huayuan}"))
        .await
        .body["path"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(moved.body["path"], format!("{hy_path}{community}/"));
    assert_eq!(moved.body["parent_id"], huayuan);
    assert_eq!(moved.body["version"], 2);
    // street1 no longer sees it, nor the branches serving it.
    app.get(&street1, &format!("/api/v1/regions/{community}"))
        .await
        .problem(404, "not_found");
    let branches = app
        .get(&street1, "/api/v1/branches?q=%E5%85%B0%E9%99%B5")
        .await
        .expect(200);
    assert_eq!(branches.body["total"], 0, "{}", branches.body);
    let visible = app.get(&street1, "/api/v1/regions").await.expect(200);
    assert_eq!(visible.body["total"], 13);
});

both_backends!(lists_page_sort_filter_and_search, |app| {
    let t = app.token("street1").await;
    let street = app.find_id("regions", "新丰街街道").await;
    let p1 = app
        .get(
            &t,
            &format!("/api/v1/regions?parent_id={street}&per_page=5&sort=-name"),
        )
        .await
        .expect(200);
    assert_eq!(p1.body["total"], 13);
    assert_eq!(p1.body["per_page"], 5);
    let p3 = app
        .get(
            &t,
            &format!("/api/v1/regions?parent_id={street}&per_page=5&page=3&sort=-name"),
        )
        .await
        .expect(200);
    assert_eq!(p3.body["items"].as_array().unwrap().len(), 3);
    let names: Vec<String> = p1.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap().to_string())
        .collect();
    let mut sorted = names.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(names, sorted);
    let q = app
        .get(&t, &format!("/api/v1/regions?q={}", url_encode("斜桥")))
        .await
        .expect(200);
    assert_eq!(q.body["total"], 1);
    let by_code = app
        .get(&t, "/api/v1/regions?q=320402-001-00")
        .await
        .expect(200);
    assert_eq!(by_code.body["total"], 9);
    let wild = app.get(&t, "/api/v1/regions?q=%25").await.expect(200);
    assert_eq!(wild.body["total"], 0, "% is matched literally");
    let lv = app
        .get(&t, "/api/v1/regions?level=street")
        .await
        .expect(200);
    assert_eq!(lv.body["total"], 1);
    app.get(&t, "/api/v1/regions?sort=password")
        .await
        .problem(400, "invalid_sort");
    app.get(&t, "/api/v1/regions?per_page=101")
        .await
        .problem(400, "invalid_page");
    app.get(&t, "/api/v1/regions?page=0")
        .await
        .problem(400, "invalid_page");
    app.get(&t, "/api/v1/regions?page=abc")
        .await
        .problem(400, "invalid_query");
    app.get(&t, "/api/v1/regions?level=planet")
        .await
        .problem(400, "invalid_query");
});
