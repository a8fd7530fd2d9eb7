use chrono::Datelike;
use serde_json::json;

use crate::both_backends;
use crate::common::*;

both_backends!(
    units_are_kept_by_the_street_seen_by_paired_communities_and_act_through_contacts,
    |app| {
        let (street, c1, c2, u1) = (
            app.token("street1").await,
            app.token("community1").await,
            app.token("community2").await,
            app.token("unit1").await,
        );
        let xf = app.find_id("regions", "新丰街街道").await;
        let xqx = app.find_id("regions", "斜桥巷社区").await;
        let xfj = app.find_id("regions", "新丰街社区").await;
        // The demo: 79 units on the street, each community paired with some.
        let all = app
            .get(&street, "/api/v1/units?per_page=1")
            .await
            .expect(200);
        assert_eq!(all.body["total"], 79);
        let mine = app.get(&c1, "/api/v1/units?per_page=100").await.expect(200);
        let n = mine.body["total"].as_i64().unwrap();
        assert!(n >= 6 && n < 79, "{n}");
        assert!(mine.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|u| u["communities"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c["community_id"] == xqx.as_str())));
        assert!(mine.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|u| u["can_manage"] == false
                && u["contact_phone"].as_str().unwrap().contains("****")));

        // Registering: the street's staff only; names unique; bad input named by field.
        let body = json!({"name": "测试共建单位", "kind": "enterprise", "region_id": xf, "contact_phone": "13800001111", "community_ids": [xqx]});
        // The street is outside a community's staff reach: as if it did not exist.
        app.post(&c1, "/api/v1/units", body.clone())
            .await
            .problem(422, "validation_failed");
        let unit = app
            .post(&street, "/api/v1/units", body.clone())
            .await
            .expect(201);
        let id = unit.id();
        assert_eq!(unit.body["communities"][0]["community_id"], xqx.as_str());
        assert_eq!(unit.body["contact_phone"], "138****1111");
        assert_eq!(
            app.get(&street, &format!("/api/v1/units/{}?unmask=true", unit.id()))
                .await
                .expect(200)
                .body["contact_phone"],
            "13800001111"
        );
        app.post(&street, "/api/v1/units", body)
            .await
            .problem(409, "duplicate_name");
        let bad = app
            .post(
                &street,
                "/api/v1/units",
                json!({"name": "x", "kind": "bank", "region_id": xf, "contact_phone": "12ab"}),
            )
            .await
            .problem(422, "validation_failed");
        let fields: Vec<&str> = bad.body["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap())
            .collect();
        assert!(fields.contains(&"kind"), "{fields:?}");

        // Another community does not see it until it is paired there.
        app.get(&c2, &format!("/api/v1/units/{id}"))
            .await
            .problem(404, "not_found");
        app.post(
            &c2,
            &format!("/api/v1/units/{id}/pairings"),
            json!({"community_id": xfj}),
        )
        .await
        .problem(404, "not_found");
        app.post(
            &street,
            &format!("/api/v1/units/{id}/pairings"),
            json!({"community_id": xf}),
        )
        .await
        .problem(422, "validation_failed");
        let paired = app
            .post(
                &street,
                &format!("/api/v1/units/{id}/pairings"),
                json!({"community_id": xfj}),
            )
            .await
            .expect(201);
        assert_eq!(paired.body["communities"].as_array().unwrap().len(), 2);
        app.post(
            &street,
            &format!("/api/v1/units/{id}/pairings"),
            json!({"community_id": xfj}),
        )
        .await
        .problem(409, "already_paired");
        assert_eq!(
            app.get(&c2, &format!("/api/v1/units/{id}"))
                .await
                .expect(200)
                .body["name"],
            "测试共建单位"
        );
        app.delete(&c1, &format!("/api/v1/units/{id}/pairings/{xfj}"))
            .await
            .problem(404, "not_found");
        app.delete(&c2, &format!("/api/v1/units/{id}/pairings/{xfj}"))
            .await
            .expect(204);
        app.get(&c2, &format!("/api/v1/units/{id}"))
            .await
            .problem(404, "not_found");

        // unit1 acts for 常州市第一人民医院: sees it, keeps its contact details, not its standing.
        let own = app.get(&u1, "/api/v1/units").await.expect(200);
        assert_eq!(own.body["total"], 1);
        let hospital = own.body["items"][0].clone();
        assert_eq!(hospital["name"], "常州市第一人民医院");
        let hid = hospital["id"].as_str().unwrap();
        assert!(
            hospital["contact_phone"].as_str().unwrap().contains("****"),
            "masked in the list"
        );
        let full = app
            .get(
                &u1,
                &format!(
                    "/api/v1/units/{}?unmask=true",
                    hospital["id"].as_str().unwrap()
                ),
            )
            .await
            .expect(200);
        assert!(!full.body["contact_phone"].as_str().unwrap().contains('*'));
        let v = hospital["version"].as_i64().unwrap();
        app.patch(
            &u1,
            &format!("/api/v1/units/{hid}"),
            json!({"name": "改名"}),
            Some(v),
        )
        .await
        .problem(403, "forbidden");
        let changed = app
            .patch(
                &u1,
                &format!("/api/v1/units/{hid}"),
                json!({"contact_name": "李强"}),
                Some(v),
            )
            .await
            .expect(200);
        assert_eq!(changed.body["contact_name"], "李强");
        app.patch(
            &u1,
            &format!("/api/v1/units/{hid}"),
            json!({"contact_name": "王五"}),
            Some(v),
        )
        .await
        .problem(412, "precondition_failed");
        app.get(&u1, &format!("/api/v1/units/{id}"))
            .await
            .problem(404, "not_found");
        // A contact is granted on a unit in the granter's reach.
        let admin = app.token("admin").await;
        let user = app.post(&admin, "/api/v1/users", json!({"username": "unit2", "password": "tongxin-demo-2", "display_name": "联络员二", "grants": [{"role": "unit_contact", "scope_id": id}]})).await.expect(201);
        assert_eq!(user.body["grants"][0]["scope_name"], "测试共建单位");
        app.post(&admin, "/api/v1/users", json!({"username": "unit3", "display_name": "联络员三", "password": "tongxin-demo-3", "grants": [{"role": "unit_contact", "scope_id": "nope"}]})).await.problem(422, "validation_failed");
        let u2 = app.token_for("unit2", "tongxin-demo-2").await;
        assert_eq!(
            app.get(&u2, &format!("/api/v1/units/{id}"))
                .await
                .expect(200)
                .body["name"],
            "测试共建单位"
        );
    }
);

both_backends!(projects_are_claimed_by_units_up_to_their_need, |app| {
    let (street, c1, u1) = (
        app.token("street1").await,
        app.token("community1").await,
        app.token("unit1").await,
    );
    let xf = app.find_id("regions", "新丰街街道").await;
    let year = tongxin::clock::today().year();
    // The demo list: eleven categories, 33 subcategories.
    let tree = app
        .get(
            &u1,
            &format!("/api/v1/service-categories?region_id={xf}&year={year}"),
        )
        .await
        .expect(200);
    let tops = tree.body.as_array().unwrap();
    assert_eq!(tops.len(), 11);
    assert_eq!(
        tops.iter()
            .map(|t| t["children"].as_array().unwrap().len())
            .sum::<usize>(),
        33
    );
    assert!(tops.iter().any(|t| t["name"] == "关爱老人儿童"));
    let open = app
        .get(
            &u1,
            &format!(
                "/api/v1/service-projects?region_id={xf}&year={year}&open_places=true&per_page=100"
            ),
        )
        .await
        .expect(200);
    assert!(open.body["total"].as_i64().unwrap() > 0);
    assert!(open.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|p| p["claimed"].as_i64() < p["need"].as_i64() && p["full"] == false));

    // The street keeps the list: a category, a subcategory, no third level.
    let cat = app
        .post(
            &street,
            "/api/v1/service-categories",
            json!({"region_id": xf, "year": 2030, "name": "测试大类"}),
        )
        .await
        .expect(201)
        .id();
    app.post(
        &c1,
        "/api/v1/service-categories",
        json!({"region_id": xf, "year": 2030, "name": "社区大类"}),
    )
    .await
    .problem(422, "validation_failed");
    let sub = app
        .post(
            &street,
            "/api/v1/service-categories",
            json!({"region_id": xf, "year": 2030, "parent_id": cat, "name": "测试小类"}),
        )
        .await
        .expect(201)
        .id();
    let deep = app
        .post(
            &street,
            "/api/v1/service-categories",
            json!({"region_id": xf, "year": 2030, "parent_id": sub, "name": "第三级"}),
        )
        .await
        .problem(422, "validation_failed");
    assert_eq!(deep.body["errors"][0]["code"], "too_deep");
    app.post(
        &street,
        "/api/v1/service-categories",
        json!({"region_id": xf, "year": 2030, "name": "测试大类"}),
    )
    .await
    .problem(409, "duplicate_name");
    app.post(
        &street,
        "/api/v1/service-projects",
        json!({"category_id": sub, "name": "测试项目", "need": 0}),
    )
    .await
    .problem(422, "validation_failed");
    let p = app
        .post(
            &street,
            "/api/v1/service-projects",
            json!({"category_id": sub, "name": "测试项目", "need": 2}),
        )
        .await
        .expect(201);
    let pid = p.id();
    assert_eq!(
        (
            p.body["need"].as_i64(),
            p.body["claimed"].as_i64(),
            p.body["parent_category_name"].as_str()
        ),
        (Some(2), Some(0), Some("测试大类"))
    );

    // Units claim up to the need.
    let hospital = app.get(&u1, "/api/v1/units").await.body["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let others = app
        .get(&street, "/api/v1/units?per_page=3&q=%E5%B8%B8%E5%B7%9E")
        .await
        .expect(200);
    let other: Vec<String> = others.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["id"].as_str().unwrap().to_string())
        .filter(|u| *u != hospital)
        .collect();
    let claim = |unit: &str| json!({"unit_id": unit, "commitment": "每月一次上门服务", "capacity": 20, "starts_on": "2030-03-01", "ends_on": "2030-12-31"});
    app.post(
        &u1,
        &format!("/api/v1/service-projects/{pid}/claims"),
        claim(&other[0]),
    )
    .await
    .problem(403, "forbidden");
    let one = app
        .post(
            &u1,
            &format!("/api/v1/service-projects/{pid}/claims"),
            claim(&hospital),
        )
        .await
        .expect(201);
    assert_eq!(one.body["claimed"], 1);
    assert_eq!(one.body["claims"][0]["unit_name"], "常州市第一人民医院");
    app.post(
        &u1,
        &format!("/api/v1/service-projects/{pid}/claims"),
        claim(&hospital),
    )
    .await
    .problem(409, "already_claimed");
    let two = app
        .post(
            &street,
            &format!("/api/v1/service-projects/{pid}/claims"),
            claim(&other[0]),
        )
        .await
        .expect(201);
    assert_eq!(two.body["full"], true);
    let full = app
        .post(
            &street,
            &format!("/api/v1/service-projects/{pid}/claims"),
            claim(&other[1]),
        )
        .await
        .problem(409, "project_fully_claimed");
    assert!(full.body["detail"].as_str().unwrap().contains('2'));
    let bad = app.post(&street, &format!("/api/v1/service-projects/{pid}/claims"), json!({"unit_id": other[1], "commitment": "x", "starts_on": "2030-12-01", "ends_on": "2030-01-01"})).await.problem(422, "validation_failed");
    assert_eq!(bad.body["errors"][0]["field"], "ends_on");
    // Need cannot drop below the claims; a withdrawal frees a place; the unit may claim again.
    let v = app
        .get(&street, &format!("/api/v1/service-projects/{pid}"))
        .await
        .body["version"]
        .as_i64()
        .unwrap();
    app.patch(
        &street,
        &format!("/api/v1/service-projects/{pid}"),
        json!({"need": 1}),
        Some(v),
    )
    .await
    .problem(422, "validation_failed");
    app.patch(
        &u1,
        &format!("/api/v1/service-projects/{pid}"),
        json!({"need": 3}),
        Some(v),
    )
    .await
    .problem(403, "forbidden");
    let w = app
        .delete(
            &u1,
            &format!("/api/v1/service-projects/{pid}/claims/{hospital}"),
        )
        .await
        .expect(200);
    assert_eq!(w.body["claimed"], 1);
    assert!(w.body["claims"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["unit_id"] == hospital.as_str() && c["status"] == "withdrawn"));
    app.delete(
        &u1,
        &format!("/api/v1/service-projects/{pid}/claims/{hospital}"),
    )
    .await
    .problem(404, "not_found");
    app.post(
        &u1,
        &format!("/api/v1/service-projects/{pid}/claims"),
        claim(&hospital),
    )
    .await
    .expect(201);
    let mine = app
        .get(&u1, &format!("/api/v1/units/{hospital}/claims"))
        .await
        .expect(200);
    assert!(mine
        .body
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["project_id"] == pid.as_str() && c["status"] == "active"));
    // A closed project takes no claims.
    let v = app
        .get(&street, &format!("/api/v1/service-projects/{pid}"))
        .await
        .body["version"]
        .as_i64()
        .unwrap();
    app.patch(
        &street,
        &format!("/api/v1/service-projects/{pid}"),
        json!({"need": 3, "status": "closed"}),
        Some(v),
    )
    .await
    .expect(200);
    let closed = app
        .post(
            &street,
            &format!("/api/v1/service-projects/{pid}/claims"),
            claim(&other[1]),
        )
        .await
        .problem(409, "invalid_transition");
    assert!(closed.body["detail"].as_str().unwrap().contains("closed"));
});

both_backends!(
    agreements_track_commitments_against_the_orders_delivered_and_keep_signed_documents,
    |app| {
        let (c1, c2, u1, r1) = (
            app.token("community1").await,
            app.token("community2").await,
            app.token("unit1").await,
            app.token("resident1").await,
        );
        let xqx = app.find_id("regions", "斜桥巷社区").await;
        let hospital = app.get(&u1, "/api/v1/units").await.body["items"][0]["id"]
            .as_str()
            .unwrap()
            .to_string();
        let today = tongxin::clock::today();
        let year = today.year();
        let body = json!({"unit_id": hospital, "region_id": xqx, "kind": "responsibility", "title": "年度共建目标责任书", "starts_on": format!("{year}-01-01"), "ends_on": format!("{year}-12-31"),
        "commitments": [{"description": "上门服务不少于4次", "target_orders": 4}, {"description": "服务不少于3小时", "target_minutes": 180}, {"description": "参加共建联席会议"}]});
        app.post(&u1, "/api/v1/agreements", body.clone())
            .await
            .problem(422, "validation_failed");
        app.post(&c1, "/api/v1/agreements", json!({"unit_id": hospital, "region_id": xqx, "kind": "responsibility", "title": "x", "starts_on": "2026-12-31", "ends_on": "2026-01-01", "commitments": []})).await.problem(422, "validation_failed");
        let a = app.post(&c1, "/api/v1/agreements", body).await.expect(201);
        let id = a.id();
        // The hospital's demo orders in 斜桥巷 this year already count; measure from here.
        let base: Vec<(i64, i64)> = a.body["commitments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                (
                    c["delivered_orders"].as_i64().unwrap(),
                    c["delivered_minutes"].as_i64().unwrap(),
                )
            })
            .collect();
        assert!(
            a.body["commitments"][2]["progress"].is_null(),
            "no target, no progress"
        );
        // Two orders delivered by the hospital: 60 and 90 minutes.
        let item = app.post(&u1, "/api/v1/menu-items", json!({"community_id": xqx, "provider_type": "unit", "provider_id": hospital, "title": "上门测血压"})).await.expect(201).id();
        for minutes in [60, 90] {
            let o = app
                .post(&r1, "/api/v1/service-orders", json!({"menu_item_id": item}))
                .await
                .expect(201)
                .id();
            app.post(
                &c1,
                &format!("/api/v1/service-orders/{o}/dispatch"),
                json!({"provider_type": "unit", "provider_id": hospital}),
            )
            .await
            .expect(200);
            app.post(
                &u1,
                &format!("/api/v1/service-orders/{o}/accept"),
                json!({}),
            )
            .await
            .expect(200);
            app.post(
                &u1,
                &format!("/api/v1/service-orders/{o}/complete"),
                json!({"evidence": ["照片"], "minutes": minutes}),
            )
            .await
            .expect(200);
        }
        let now = app
            .get(&u1, &format!("/api/v1/agreements/{id}"))
            .await
            .expect(200);
        let c0 = &now.body["commitments"][0];
        let c1m = &now.body["commitments"][1];
        assert_eq!(c0["delivered_orders"].as_i64().unwrap(), base[0].0 + 2);
        assert_eq!(c1m["delivered_minutes"].as_i64().unwrap(), base[1].1 + 150);
        let expect = |done: i64, target: f64| {
            ((done as f64 / target).min(1.0) * 10_000.0).round() / 10_000.0
        };
        assert_eq!(c0["progress"].as_f64().unwrap(), expect(base[0].0 + 2, 4.0));
        assert_eq!(
            c1m["progress"].as_f64().unwrap(),
            expect(base[1].1 + 150, 180.0)
        );
        let overall = ((c0["progress"].as_f64().unwrap() + c1m["progress"].as_f64().unwrap())
            / 2.0
            * 10_000.0)
            .round()
            / 10_000.0;
        assert_eq!(now.body["progress"].as_f64().unwrap(), overall);
        // Scope: the unit and the community's staff; not another community.
        app.get(&c2, &format!("/api/v1/agreements/{id}"))
            .await
            .problem(404, "not_found");
        assert!(app
            .get(&u1, "/api/v1/agreements")
            .await
            .expect(200)
            .body
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["id"] == id.as_str()));

        // A signed PDF is kept and comes back byte for byte; other files are refused.
        let pdf = b"%PDF-1.4\n% signed agreement\n".to_vec();
        let upload = |name: &str, bytes: Vec<u8>, token: &str| {
            crate::import::multipart_to(
                &format!("/api/v1/agreements/{id}/documents"),
                token,
                name,
                &bytes,
            )
        };
        let up = app
            .call(upload("责任书.pdf", pdf.clone(), &u1))
            .await
            .expect(201);
        let doc = &up.body["documents"][0];
        assert_eq!(
            (
                doc["filename"].as_str(),
                doc["content_type"].as_str(),
                doc["size"].as_i64()
            ),
            (
                Some("责任书.pdf"),
                Some("application/pdf"),
                Some(pdf.len() as i64)
            )
        );
        app.call(upload("scan.png", pdf.clone(), &u1))
            .await
            .problem(415, "unsupported_media_type");
        app.call(upload("x.pdf", pdf.clone(), &r1))
            .await
            .problem(404, "not_found");
        let url = doc["url"].as_str().unwrap().to_string();
        let service = actix_web::test::init_service(tongxin::app(app.state.clone())).await;
        let res = actix_web::test::call_service(
            &service,
            actix_web::test::TestRequest::get()
                .uri(&url)
                .insert_header(bearer(&c1))
                .to_request(),
        )
        .await;
        assert_eq!(res.status().as_u16(), 200);
        assert!(res
            .headers()
            .get("content-disposition")
            .unwrap()
            .to_str()
            .unwrap()
            .contains("filename*=UTF-8''"));
        assert_eq!(actix_web::test::read_body(res).await.to_vec(), pdf);
        let res = actix_web::test::call_service(
            &service,
            actix_web::test::TestRequest::get()
                .uri(&url)
                .insert_header(bearer(&c2))
                .to_request(),
        )
        .await;
        assert_eq!(res.status().as_u16(), 404);
    }
);
