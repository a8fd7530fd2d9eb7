use actix_web::test::TestRequest;
use serde_json::{json, Value};

use crate::both_backends;
use crate::common::*;

async fn menu_item(app: &TestApp) -> (String, String) {
    let u1 = app.token("unit1").await;
    let xqx = app.find_id("regions", "斜桥巷社区").await;
    let hospital = app.get(&u1, "/api/v1/units").await.body["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let item = app
        .post(&u1, "/api/v1/menu-items", json!({"community_id": xqx, "provider_type": "unit", "provider_id": hospital, "title": "上门测血压", "schedule": "每周二上午", "monthly_capacity": 20}))
        .await
        .expect(201);
    (item.id(), hospital)
}

async fn order_with_key(app: &TestApp, token: &str, key: &str, body: Value) -> Resp {
    app.call(
        TestRequest::post()
            .uri("/api/v1/service-orders")
            .insert_header(bearer(token))
            .insert_header(("Idempotency-Key", key.to_string()))
            .set_json(body),
    )
    .await
}

fn actions(r: &Resp) -> Vec<String> {
    r.body["actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap().to_string())
        .collect()
}

both_backends!(
    an_order_goes_from_the_menu_to_a_rating_through_one_state_machine,
    |app| {
        let (item, hospital) = menu_item(&app).await;
        let (r1, c1, c2, u1, m1) = (
            app.token("resident1").await,
            app.token("community1").await,
            app.token("community2").await,
            app.token("unit1").await,
            app.token("member1").await,
        );
        // The community's menu is public; the order is idempotent under a retried key.
        let xqx = app.find_id("regions", "斜桥巷社区").await;
        let menu = app
            .get(&r1, &format!("/api/v1/menu-items?community_id={xqx}"))
            .await
            .expect(200);
        assert!(menu.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["id"] == item.as_str() && m["provider_name"] == "常州市第一人民医院"));
        let body = json!({"menu_item_id": item, "description": "母亲行动不便", "contact_phone": "13905190000", "address": "斜桥巷12号"});
        let first = order_with_key(&app, &r1, "order-1", body.clone())
            .await
            .expect(201);
        let again = order_with_key(&app, &r1, "order-1", body.clone())
            .await
            .expect(201);
        assert_eq!(first.id(), again.id(), "a retry returns the first order");
        order_with_key(
            &app,
            &r1,
            "order-1",
            json!({"menu_item_id": item, "description": "别的"}),
        )
        .await
        .expect(409);
        let id = first.id();
        let mine = app
            .get(&r1, "/api/v1/service-orders?mine=true&per_page=100")
            .await
            .expect(200);
        assert_eq!(
            mine.body["items"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|o| o["id"] == first.id().as_str())
                .count(),
            1
        );
        assert_eq!(first.body["status"], "ordered");
        assert_eq!(first.body["title"], "上门测血压");
        assert_eq!(actions(&first), ["cancel"]);
        // Who sees it: the resident and the community's staff; not another community, not a provider yet.
        app.get(&c2, &format!("/api/v1/service-orders/{id}"))
            .await
            .problem(404, "not_found");
        app.get(&u1, &format!("/api/v1/service-orders/{id}"))
            .await
            .problem(404, "not_found");
        app.get(&m1, &format!("/api/v1/service-orders/{id}"))
            .await
            .problem(404, "not_found");
        let board = app
            .get(&c1, "/api/v1/service-orders?status=ordered")
            .await
            .expect(200);
        assert!(board.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|o| o["id"] == id.as_str()));

        // Transitions the state does not allow are 409s naming it; the wrong person gets a 403.
        let early = app
            .post(
                &r1,
                &format!("/api/v1/service-orders/{id}/rate"),
                json!({"rating": 5}),
            )
            .await
            .problem(409, "invalid_transition");
        assert!(
            early.body["detail"].as_str().unwrap().contains("ordered"),
            "{}",
            early.body
        );
        app.post(
            &r1,
            &format!("/api/v1/service-orders/{id}/dispatch"),
            json!({"provider_type": "unit", "provider_id": hospital}),
        )
        .await
        .problem(403, "forbidden");
        // Dispatch (派单) to the hospital; the unit's contact sees it and may accept or decline.
        let sent = app.post(&c1, &format!("/api/v1/service-orders/{id}/dispatch"), json!({"provider_type": "unit", "provider_id": hospital, "accept_within_hours": 24})).await.expect(200);
        assert_eq!(sent.body["status"], "dispatched");
        assert!(sent.body["accept_due_at"].is_string());
        assert_eq!(sent.body["accept_overdue"], false);
        let seen = app
            .get(&u1, &format!("/api/v1/service-orders/{id}"))
            .await
            .expect(200);
        assert_eq!(actions(&seen), ["accept", "decline"]);
        assert!(
            seen.body["resident_name"].as_str().unwrap().contains('*'),
            "a provider sees the name masked: {}",
            seen.body["resident_name"]
        );
        assert_eq!(
            app.get(&r1, &format!("/api/v1/service-orders/{id}"))
                .await
                .body["resident_name"],
            "居民 李秀英"
        );
        assert_eq!(
            seen.body["contact_phone"], "139****0000",
            "masked until asked for"
        );
        let call = app
            .get(&u1, &format!("/api/v1/service-orders/{id}?unmask=true"))
            .await
            .expect(200);
        assert_eq!(call.body["contact_phone"], "13905190000", "but can call");
        assert!(app
            .get(&u1, "/api/v1/service-orders?assigned=true")
            .await
            .expect(200)
            .body["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|o| o["id"] == id.as_str()));
        // A unit contact cannot dispatch.
        app.post(
            &u1,
            &format!("/api/v1/service-orders/{id}/dispatch"),
            json!({"provider_type": "unit", "provider_id": hospital}),
        )
        .await
        .problem(403, "forbidden");
        app.post(
            &c1,
            &format!("/api/v1/service-orders/{id}/accept"),
            json!({}),
        )
        .await
        .problem(403, "forbidden");
        app.post(
            &u1,
            &format!("/api/v1/service-orders/{id}/decline"),
            json!({"reason": " "}),
        )
        .await
        .problem(422, "validation_failed");
        let back = app
            .post(
                &u1,
                &format!("/api/v1/service-orders/{id}/decline"),
                json!({"reason": "本周医护人员已排满"}),
            )
            .await
            .expect(200);
        assert_eq!(back.body["status"], "ordered");
        assert!(actions(&back).is_empty());
        // After declining, the unit no longer sees the order.
        app.get(&u1, &format!("/api/v1/service-orders/{id}"))
            .await
            .problem(404, "not_found");
        let o = app
            .get(&c1, &format!("/api/v1/service-orders/{id}"))
            .await
            .expect(200);
        assert_eq!(o.body["status"], "ordered");
        assert!(o.body["provider_id"].is_null());

        // Re-dispatch to member1's volunteer team; member1 (its leader) accepts and completes.
        let orange = app.get(&m1, "/api/v1/volunteer-teams?mine=true").await.body["items"][0]["id"]
            .as_str()
            .unwrap()
            .to_string();
        let me = app.get(&m1, "/api/v1/volunteers/me").await.expect(200).id();
        app.post(
            &c1,
            &format!("/api/v1/service-orders/{id}/dispatch"),
            json!({"provider_type": "team", "provider_id": "nope"}),
        )
        .await
        .problem(422, "validation_failed");
        app.post(
            &c1,
            &format!("/api/v1/service-orders/{id}/dispatch"),
            json!({"provider_type": "team", "provider_id": orange, "complete_within_hours": 48}),
        )
        .await
        .expect(200);
        let accepted = app
            .post(
                &m1,
                &format!("/api/v1/service-orders/{id}/accept"),
                json!({"note": "周二上午上门"}),
            )
            .await
            .expect(200);
        assert_eq!(accepted.body["status"], "accepted");
        assert_eq!(actions(&accepted), ["complete"]);
        app.post(
            &r1,
            &format!("/api/v1/service-orders/{id}/cancel"),
            json!({}),
        )
        .await
        .problem(409, "invalid_transition");
        app.post(
            &m1,
            &format!("/api/v1/service-orders/{id}/complete"),
            json!({"evidence": []}),
        )
        .await
        .problem(422, "validation_failed");
        app.post(
            &m1,
            &format!("/api/v1/service-orders/{id}/complete"),
            json!({"evidence": ["照片"], "minutes": 60, "volunteer_ids": ["someone"]}),
        )
        .await
        .problem(422, "validation_failed");
        let done = app.post(&m1, &format!("/api/v1/service-orders/{id}/complete"), json!({"evidence": ["/files/photo-1.jpg"], "minutes": 60, "volunteer_ids": [me], "note": "血压正常"})).await.expect(200);
        assert_eq!(done.body["status"], "completed");
        assert_eq!(done.body["evidence"], json!(["/files/photo-1.jpg"]));
        // The hours are in member1's ledger, from the order.
        let hours = app
            .get(
                &m1,
                &format!("/api/v1/service-hours?volunteer_id={me}&per_page=5"),
            )
            .await
            .expect(200);
        let entry = hours.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["source"] == "order")
            .expect("an order entry")
            .clone();
        assert_eq!(
            (entry["minutes"].as_i64(), entry["source_id"].as_str()),
            (Some(60), Some(id.as_str()))
        );

        // The resident rates (评单); once.
        app.post(
            &m1,
            &format!("/api/v1/service-orders/{id}/rate"),
            json!({"rating": 5}),
        )
        .await
        .problem(403, "forbidden");
        app.post(
            &r1,
            &format!("/api/v1/service-orders/{id}/rate"),
            json!({"rating": 6}),
        )
        .await
        .problem(422, "validation_failed");
        let rated = app
            .post(
                &r1,
                &format!("/api/v1/service-orders/{id}/rate"),
                json!({"rating": 5, "comment": "很耐心"}),
            )
            .await
            .expect(200);
        assert_eq!(
            (rated.body["status"].as_str(), rated.body["rating"].as_i64()),
            (Some("rated"), Some(5))
        );
        let twice = app
            .post(
                &r1,
                &format!("/api/v1/service-orders/{id}/rate"),
                json!({"rating": 1}),
            )
            .await
            .problem(409, "invalid_transition");
        assert!(twice.body["detail"].as_str().unwrap().contains("rated"));
        // The timeline has every step in order, with who and why.
        let steps: Vec<String> = rated.body["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["action"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(
            steps,
            ["order", "dispatch", "decline", "dispatch", "accept", "complete", "rate"]
        );
        assert_eq!(rated.body["events"][2]["note"], "本周医护人员已排满");
        assert_eq!(rated.body["events"][2]["to_status"], "ordered");
    }
);

both_backends!(
    orders_not_taken_in_time_are_flagged_and_residents_cancel_their_own,
    |app| {
        let (item, hospital) = menu_item(&app).await;
        let (r1, c1, m1) = (
            app.token("resident1").await,
            app.token("community1").await,
            app.token("member1").await,
        );
        let a = app
            .post(&r1, "/api/v1/service-orders", json!({"menu_item_id": item}))
            .await
            .expect(201)
            .id();
        let b = app
            .post(&r1, "/api/v1/service-orders", json!({"menu_item_id": item}))
            .await
            .expect(201)
            .id();
        let xqx = app.find_id("regions", "斜桥巷社区").await;
        let off_menu = app
            .post(
                &m1,
                "/api/v1/service-orders",
                json!({"community_id": xqx, "title": "帮忙修水龙头"}),
            )
            .await
            .expect(201)
            .id();
        app.post(&m1, "/api/v1/service-orders", json!({"community_id": xqx}))
            .await
            .problem(422, "validation_failed");
        // A resident sees only their own orders.
        let mine = app
            .get(&r1, "/api/v1/service-orders?per_page=100")
            .await
            .expect(200);
        assert!(mine.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|o| o["id"] != off_menu.as_str()));
        app.get(&r1, &format!("/api/v1/service-orders/{off_menu}"))
            .await
            .problem(404, "not_found");

        for id in [&a, &b] {
            app.post(
                &c1,
                &format!("/api/v1/service-orders/{id}/dispatch"),
                json!({"provider_type": "unit", "provider_id": hospital}),
            )
            .await
            .expect(200);
        }
        // Time passes for a: its accept-by time is gone.
        {
            use diesel::prelude::*;
            use tongxin::db::schema::service_orders;
            let mut conn = app.state.pool.get().unwrap();
            let past = chrono::Utc::now().naive_utc() - chrono::Duration::hours(2);
            diesel::update(service_orders::table.find(&a))
                .set(service_orders::accept_due_at.eq(Some(past)))
                .execute(&mut conn)
                .unwrap();
        }
        let late = app
            .get(&c1, &format!("/api/v1/service-orders/{a}"))
            .await
            .expect(200);
        assert_eq!(
            (
                late.body["accept_overdue"].as_bool(),
                late.body["complete_overdue"].as_bool()
            ),
            (Some(true), Some(false))
        );
        let flagged = app
            .get(&c1, "/api/v1/service-orders?overdue=true&per_page=100")
            .await
            .expect(200);
        let ids: Vec<&str> = flagged.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["id"].as_str().unwrap())
            .collect();
        assert!(
            ids.contains(&a.as_str()) && !ids.contains(&b.as_str()),
            "{ids:?}"
        );
        // Accepted late: the flag moves to the completion time.
        let u1 = app.token("unit1").await;
        let acc = app
            .post(
                &u1,
                &format!("/api/v1/service-orders/{a}/accept"),
                json!({}),
            )
            .await
            .expect(200);
        assert_eq!(acc.body["accept_overdue"], false);
        {
            use diesel::prelude::*;
            use tongxin::db::schema::service_orders;
            let mut conn = app.state.pool.get().unwrap();
            let past = chrono::Utc::now().naive_utc() - chrono::Duration::minutes(1);
            diesel::update(service_orders::table.find(&a))
                .set(service_orders::complete_due_at.eq(Some(past)))
                .execute(&mut conn)
                .unwrap();
        }
        assert_eq!(
            app.get(&c1, &format!("/api/v1/service-orders/{a}"))
                .await
                .body["complete_overdue"],
            true
        );

        // The resident cancels an order not yet accepted; nothing moves it afterwards.
        let cancelled = app
            .post(
                &r1,
                &format!("/api/v1/service-orders/{b}/cancel"),
                json!({"note": "已自行解决"}),
            )
            .await
            .expect(200);
        assert_eq!(cancelled.body["status"], "cancelled");
        assert!(actions(&cancelled).is_empty());
        let no = app
            .post(
                &c1,
                &format!("/api/v1/service-orders/{b}/dispatch"),
                json!({"provider_type": "unit", "provider_id": hospital}),
            )
            .await
            .problem(409, "invalid_transition");
        assert!(no.body["detail"].as_str().unwrap().contains("cancelled"));
        app.post(
            &r1,
            &format!("/api/v1/service-orders/{a}/cancel"),
            json!({}),
        )
        .await
        .problem(409, "invalid_transition");
    }
);

both_backends!(
    menus_are_published_by_providers_serving_the_community,
    |app| {
        let (street, c1, u1, r1) = (
            app.token("street1").await,
            app.token("community1").await,
            app.token("unit1").await,
            app.token("resident1").await,
        );
        let xf = app.find_id("regions", "新丰街街道").await;
        let xqx = app.find_id("regions", "斜桥巷社区").await;
        let lone = app
            .post(
                &street,
                "/api/v1/units",
                json!({"name": "未结对单位", "kind": "enterprise", "region_id": xf}),
            )
            .await
            .expect(201)
            .id();
        let not_paired = app.post(&c1, "/api/v1/menu-items", json!({"community_id": xqx, "provider_type": "unit", "provider_id": lone, "title": "x"})).await.problem(422, "validation_failed");
        assert_eq!(not_paired.body["errors"][0]["code"], "not_paired");
        app.post(
            &c1,
            "/api/v1/menu-items",
            json!({"community_id": xf, "provider_type": "unit", "provider_id": lone, "title": "x"}),
        )
        .await
        .problem(422, "validation_failed");
        let hospital = app.get(&u1, "/api/v1/units").await.body["items"][0]["id"]
            .as_str()
            .unwrap()
            .to_string();
        app.post(&r1, "/api/v1/menu-items", json!({"community_id": xqx, "provider_type": "unit", "provider_id": hospital, "title": "x"})).await.problem(403, "forbidden");
        let item = app.post(&u1, "/api/v1/menu-items", json!({"community_id": xqx, "provider_type": "unit", "provider_id": hospital, "title": "义诊"})).await.expect(201);
        assert_eq!(item.body["can_manage"], true);
        let id = item.id();
        assert_eq!(
            app.get(&r1, &format!("/api/v1/menu-items/{id}"))
                .await
                .expect(200)
                .body["can_manage"],
            false
        );
        app.patch(
            &u1,
            &format!("/api/v1/menu-items/{id}"),
            json!({"status": "withdrawn"}),
            Some(1),
        )
        .await
        .expect(200);
        assert!(app
            .get(&r1, &format!("/api/v1/menu-items?community_id={xqx}"))
            .await
            .body["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["id"] != id.as_str()));
        app.post(&r1, "/api/v1/service-orders", json!({"menu_item_id": id}))
            .await
            .problem(422, "validation_failed");
    }
);

both_backends!(
    a_wish_goes_from_the_wall_to_thanks_with_the_residents_name_masked,
    |app| {
        let (r1, c1, c2, m1, u1) = (
            app.token("resident1").await,
            app.token("community1").await,
            app.token("community2").await,
            app.token("member1").await,
            app.token("unit1").await,
        );
        let xqx = app.find_id("regions", "斜桥巷社区").await;
        let w = app
            .post(
                &r1,
                "/api/v1/wishes",
                json!({"community_id": xqx, "title": "想要一副老花镜", "description": "300度"}),
            )
            .await
            .expect(201);
        let id = w.id();
        assert_eq!(w.body["status"], "posted");
        app.post(
            &r1,
            "/api/v1/wishes",
            json!({"community_id": xqx, "title": " "}),
        )
        .await
        .problem(422, "validation_failed");
        // Not on the wall until checked: others do not see it; the community reviews it.
        app.get(&m1, &format!("/api/v1/wishes/{id}"))
            .await
            .problem(404, "not_found");
        let queue = app
            .get(&c1, "/api/v1/wishes?status=posted")
            .await
            .expect(200);
        assert!(queue.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["id"] == id.as_str()));
        app.post(
            &c2,
            &format!("/api/v1/wishes/{id}/review"),
            json!({"approve": true}),
        )
        .await
        .problem(404, "not_found");
        app.post(
            &r1,
            &format!("/api/v1/wishes/{id}/review"),
            json!({"approve": true}),
        )
        .await
        .problem(403, "forbidden");
        app.post(
            &c1,
            &format!("/api/v1/wishes/{id}/review"),
            json!({"approve": false}),
        )
        .await
        .problem(422, "validation_failed");
        let early = app
            .post(
                &m1,
                &format!("/api/v1/wishes/{id}/adopt"),
                json!({"adopter_type": "volunteer"}),
            )
            .await;
        early.problem(404, "not_found");
        assert_eq!(
            app.post(
                &c1,
                &format!("/api/v1/wishes/{id}/review"),
                json!({"approve": true})
            )
            .await
            .expect(200)
            .body["status"],
            "open"
        );
        // On the wall, the name is masked for everyone but the resident and the staff.
        let wall = app
            .get(&m1, &format!("/api/v1/wishes?community_id={xqx}"))
            .await
            .expect(200);
        let on_wall = wall.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["id"] == id.as_str())
            .expect("on the wall")
            .clone();
        assert!(
            on_wall["resident_name"].as_str().unwrap().contains('*'),
            "{on_wall}"
        );
        assert_ne!(on_wall["resident_name"], "居民 李秀英");
        assert_eq!(
            app.get(&c1, &format!("/api/v1/wishes/{id}")).await.body["resident_name"],
            "居民 李秀英"
        );
        assert_eq!(on_wall["actions"], json!(["adopt"]));
        // The resident cannot adopt their own wish; member1 adopts it as a volunteer.
        app.post(
            &r1,
            &format!("/api/v1/wishes/{id}/adopt"),
            json!({"adopter_type": "volunteer"}),
        )
        .await
        .problem(403, "forbidden");
        app.post(
            &u1,
            &format!("/api/v1/wishes/{id}/adopt"),
            json!({"adopter_type": "unit", "unit_id": "nope"}),
        )
        .await
        .problem(422, "validation_failed");
        let adopted = app
            .post(
                &m1,
                &format!("/api/v1/wishes/{id}/adopt"),
                json!({"adopter_type": "volunteer"}),
            )
            .await
            .expect(200);
        assert_eq!(
            (
                adopted.body["status"].as_str(),
                adopted.body["adopter_name"].as_str()
            ),
            (Some("adopted"), Some("王建国"))
        );
        let twice = app
            .post(
                &u1,
                &format!("/api/v1/wishes/{id}/adopt"),
                json!({"adopter_type": "volunteer"}),
            )
            .await
            .problem(409, "invalid_transition");
        assert!(twice.body["detail"].as_str().unwrap().contains("adopted"));
        app.post(&r1, &format!("/api/v1/wishes/{id}/withdraw"), json!({}))
            .await
            .problem(409, "invalid_transition");
        app.post(
            &u1,
            &format!("/api/v1/wishes/{id}/fulfil"),
            json!({"evidence": ["照片"]}),
        )
        .await
        .problem(403, "forbidden");
        let done = app
            .post(
                &m1,
                &format!("/api/v1/wishes/{id}/fulfil"),
                json!({"evidence": ["/files/glasses.jpg"], "minutes": 30}),
            )
            .await
            .expect(200);
        assert_eq!(done.body["status"], "fulfilled");
        let me = app.get(&m1, "/api/v1/volunteers/me").await.expect(200).id();
        let hours = app
            .get(
                &m1,
                &format!("/api/v1/service-hours?volunteer_id={me}&per_page=5"),
            )
            .await
            .expect(200);
        assert!(hours.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["source"] == "wish" && e["minutes"] == 30 && e["source_id"] == id.as_str()));
        app.post(
            &m1,
            &format!("/api/v1/wishes/{id}/thank"),
            json!({"thanks": "x"}),
        )
        .await
        .problem(403, "forbidden");
        let thanked = app
            .post(
                &r1,
                &format!("/api/v1/wishes/{id}/thank"),
                json!({"thanks": "眼镜很合适，谢谢！"}),
            )
            .await
            .expect(200);
        assert_eq!(
            (
                thanked.body["status"].as_str(),
                thanked.body["thanks"].as_str()
            ),
            (Some("thanked"), Some("眼镜很合适，谢谢！"))
        );
        assert!(thanked.body["actions"].as_array().unwrap().is_empty());
        // A rejected wish says why and stays off the wall.
        let no = app
            .post(
                &r1,
                "/api/v1/wishes",
                json!({"community_id": xqx, "title": "想要500元现金"}),
            )
            .await
            .expect(201)
            .id();
        let rejected = app
            .post(
                &c1,
                &format!("/api/v1/wishes/{no}/review"),
                json!({"approve": false, "note": "涉及现金"}),
            )
            .await
            .expect(200);
        assert_eq!(
            (
                rejected.body["status"].as_str(),
                rejected.body["decision_note"].as_str()
            ),
            (Some("rejected"), Some("涉及现金"))
        );
        app.get(&m1, &format!("/api/v1/wishes/{no}"))
            .await
            .problem(404, "not_found");
        let mine = app
            .get(&r1, "/api/v1/wishes?mine=true&per_page=100")
            .await
            .expect(200);
        assert!([&id, &no].iter().all(|w| mine.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["id"] == w.as_str())));
        assert!(mine.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|x| x["resident_name"] == "居民 李秀英"));
    }
);

both_backends!(
    the_demo_street_has_orders_in_every_state_with_their_timelines,
    |app| {
        let street = app.token("street1").await;
        let xf = app.find_id("regions", "新丰街街道").await;
        for status in [
            "ordered",
            "dispatched",
            "accepted",
            "completed",
            "rated",
            "cancelled",
        ] {
            let r = app
                .get(
                    &street,
                    &format!("/api/v1/service-orders?region_id={xf}&status={status}&per_page=5"),
                )
                .await
                .expect(200);
            assert!(r.body["total"].as_i64().unwrap() > 0, "{status}");
            for o in r.body["items"].as_array().unwrap() {
                let one = app
                    .get(
                        &street,
                        &format!("/api/v1/service-orders/{}", o["id"].as_str().unwrap()),
                    )
                    .await
                    .expect(200);
                let events = one.body["events"].as_array().unwrap();
                assert_eq!(events[0]["action"], "order");
                assert_eq!(
                    events.last().unwrap()["to_status"],
                    status,
                    "the timeline ends in the order's state"
                );
                assert!(events
                    .windows(2)
                    .all(|w| w[0]["at"].as_str() <= w[1]["at"].as_str()));
            }
        }
        let overdue = app
            .get(
                &street,
                &format!("/api/v1/service-orders?region_id={xf}&overdue=true&per_page=100"),
            )
            .await
            .expect(200);
        assert!(overdue.body["total"].as_i64().unwrap() > 0);
        assert!(overdue.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|o| o["accept_overdue"] == true || o["complete_overdue"] == true));
        let rated = app
            .get(
                &street,
                &format!("/api/v1/service-orders?region_id={xf}&status=rated&per_page=100"),
            )
            .await
            .expect(200);
        assert!(rated.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|o| (1..=5).contains(&o["rating"].as_i64().unwrap())));
        let wall = app
            .get(&app.token("member1").await, "/api/v1/wishes?per_page=100")
            .await
            .expect(200);
        assert!(wall.body["items"].as_array().unwrap().iter().all(|w| ![
            "posted",
            "rejected",
            "withdrawn"
        ]
        .contains(&w["status"].as_str().unwrap())));
        assert!(wall.body["total"].as_i64().unwrap() > 10);
    }
);

both_backends!(
    the_dispatch_board_pages_newest_first_across_communities,
    |app| {
        let street = app.token("street1").await;
        let xf = app.find_id("regions", "新丰街街道").await;
        let big = app
            .get(
                &street,
                &format!("/api/v1/service-orders?region_id={xf}&per_page=100"),
            )
            .await
            .expect(200);
        let total = big.body["total"].as_i64().unwrap();
        assert!(total >= 300, "{total}");
        let ids: Vec<String> = big.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["id"].as_str().unwrap().to_string())
            .collect();
        let times: Vec<String> = big.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["created_at"].as_str().unwrap().to_string())
            .collect();
        assert!(times.windows(2).all(|w| w[0] >= w[1]), "newest first");
        let communities: std::collections::HashSet<&str> = big.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["community_id"].as_str().unwrap())
            .collect();
        assert!(communities.len() > 3, "the board merges the communities");
        let mut small = vec![];
        for page in 1..=15 {
            let r = app
                .get(
                    &street,
                    &format!("/api/v1/service-orders?region_id={xf}&per_page=7&page={page}"),
                )
                .await
                .expect(200);
            assert_eq!(r.body["total"].as_i64().unwrap(), total);
            small.extend(
                r.body["items"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|o| o["id"].as_str().unwrap().to_string()),
            );
        }
        assert_eq!(
            small[..ids.len()],
            ids[..],
            "the same order whatever the page size"
        );
        // The counts per state add up to the whole board.
        let mut sum = 0;
        for s in [
            "ordered",
            "dispatched",
            "accepted",
            "completed",
            "rated",
            "cancelled",
        ] {
            sum += app
                .get(
                    &street,
                    &format!("/api/v1/service-orders?region_id={xf}&status={s}&per_page=1"),
                )
                .await
                .body["total"]
                .as_i64()
                .unwrap();
        }
        assert_eq!(sum, total);
    }
);

both_backends!(
    a_state_the_code_does_not_know_stops_the_request_instead_of_showing_another,
    |app| {
        let (item, _) = menu_item(&app).await;
        let r1 = app.token("resident1").await;
        let c1 = app.token("community1").await;
        let id = app
            .post(&r1, "/api/v1/service-orders", json!({"menu_item_id": item}))
            .await
            .expect(201)
            .id();
        app.get(&r1, &format!("/api/v1/service-orders/{id}"))
            .await
            .expect(200);
        // A row written by a newer version, or by hand: the old silent default showed it as
        // "ordered" (and offered to dispatch it again).
        {
            use diesel::connection::SimpleConnection;
            let mut conn = app.state.pool.get().unwrap();
            conn.batch_execute(&format!(
                "UPDATE service_orders SET status = 'teleported' WHERE id = '{id}'"
            ))
            .unwrap();
        }
        let r = app
            .get(&r1, &format!("/api/v1/service-orders/{id}"))
            .await
            .problem(500, "internal");
        assert!(
            !r.body.to_string().contains("teleported"),
            "no database text in the answer: {}",
            r.body
        );
        app.get(&c1, "/api/v1/service-orders")
            .await
            .problem(500, "internal");
        // A write that would start from the unknown state is refused the same way.
        app.post(
            &c1,
            &format!("/api/v1/service-orders/{id}/cancel"),
            json!({}),
        )
        .await
        .problem(500, "internal");
    }
);
