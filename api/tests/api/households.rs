use serde_json::json;

use crate::both_backends;
use crate::common::*;

async fn grid(app: &TestApp, name: &str) -> String {
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

both_backends!(
    lists_are_masked_except_for_the_grids_own_workers_and_unmasking_is_audited,
    |app| {
        let street = app.token("street1").await;
        let r = app
            .get(&street, "/api/v1/households?per_page=5")
            .await
            .expect(200);
        let first = &r.body["items"][0];
        assert_eq!(first["masked"], true);
        assert!(first["head_name"].as_str().unwrap().contains('*'));
        assert!(first["head_phone"].as_str().unwrap().contains("****"));
        let id = first["id"].as_str().unwrap().to_string();

        // Staff may unmask one household; the read is recorded.
        let full = app
            .get(&street, &format!("/api/v1/households/{id}?unmask=true"))
            .await
            .expect(200);
        assert_eq!(full.body["masked"], false);
        assert!(!full.body["head_name"].as_str().unwrap().contains('*'));
        assert_eq!(full.body["head_phone"].as_str().unwrap().len(), 11);
        let events = app.audit_for(&id).await;
        assert!(
            events
                .iter()
                .any(|e| e["action"] == "unmask" && e["actor_name"] == "street1"),
            "{events:?}"
        );

        // The grid worker sees their own grid's households' names — and that is audited too; phones
        // stay masked in every list (see `phones`).
        let w = app.token("grid1").await;
        let mine = app
            .get(&w, "/api/v1/households?per_page=100")
            .await
            .expect(200);
        assert_eq!(mine.body["total"], 120, "only 斜桥巷第1网格");
        assert!(!mine.body["items"][0]["head_name"]
            .as_str()
            .unwrap()
            .contains('*'));
        assert!(mine.body["items"][0]["head_phone"]
            .as_str()
            .unwrap()
            .contains("****"));
        let admin = app.token("admin").await;
        let trail = app
            .get(
                &admin,
                "/api/v1/audit-events?action=unmask&entity_type=household",
            )
            .await
            .expect(200);
        assert!(trail.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["actor_name"] == "grid1"));

        // A secretary can read their community's households masked, but not unmask them.
        let sec = app.token("secretary1").await;
        let seen = app
            .get(
                &sec,
                &format!(
                    "/api/v1/households/{}",
                    mine.body["items"][0]["id"].as_str().unwrap()
                ),
            )
            .await
            .expect(200);
        assert_eq!(seen.body["masked"], true);
        app.get(
            &sec,
            &format!(
                "/api/v1/households/{}?unmask=true",
                mine.body["items"][0]["id"].as_str().unwrap()
            ),
        )
        .await
        .problem(403, "forbidden");
    }
);

both_backends!(households_are_scoped_to_grids_and_communities, |app| {
    let w = app.token("grid1").await;
    let other_grid = grid(&app, "斜桥巷第2网格").await;
    let street = app.token("street1").await;
    let theirs = app
        .get(
            &street,
            &format!("/api/v1/households?grid_id={other_grid}&per_page=1"),
        )
        .await
        .expect(200);
    let foreign = theirs.body["items"][0]["id"].as_str().unwrap().to_string();
    app.get(&w, &format!("/api/v1/households/{foreign}"))
        .await
        .problem(404, "not_found");
    let c2 = app.token("community2").await;
    app.get(&c2, &format!("/api/v1/households/{foreign}"))
        .await
        .problem(404, "not_found");
    app.patch(
        &c2,
        &format!("/api/v1/households/{foreign}"),
        json!({"residents": 3}),
        None,
    )
    .await
    .problem(404, "not_found");
    let m = app.token("member1").await;
    assert_eq!(
        app.get(&m, "/api/v1/households").await.expect(200).body["total"],
        0
    );
    // Filters: key groups and overdue.
    let key = app
        .get(&street, "/api/v1/households?key_group=true&per_page=100")
        .await
        .expect(200);
    assert!(key.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|h| h["key_group"] == true));
    let elderly = app
        .get(&street, "/api/v1/households?tag=elderly_alone&per_page=100")
        .await
        .expect(200);
    assert!(elderly.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|h| h["tags"]
            .as_array()
            .unwrap()
            .contains(&json!("elderly_alone"))));
    let overdue = app
        .get(&street, "/api/v1/households?overdue_days=36500&per_page=1")
        .await
        .expect(200);
    let never = overdue.body["total"].as_i64().unwrap();
    let all = app
        .get(&street, "/api/v1/households?per_page=1")
        .await
        .expect(200)
        .body["total"]
        .as_i64()
        .unwrap();
    assert!(
        never < all,
        "a 100-year horizon leaves only the never-visited"
    );
});

both_backends!(
    pages_run_grid_by_grid_and_agree_with_the_filtered_path_and_the_real_count,
    |app| {
        let staff = app.token("community1").await;
        // Pages of 7 straddle grid boundaries; together they are every household once, in order.
        let mut paged: Vec<String> = vec![];
        let first = app
            .get(&staff, "/api/v1/households?per_page=7")
            .await
            .expect(200);
        let total = first.body["total"].as_i64().unwrap();
        assert!(total > 120, "the community has several grids");
        for page in 1..=(total + 6) / 7 {
            let r = app
                .get(
                    &staff,
                    &format!("/api/v1/households?per_page=7&page={page}"),
                )
                .await
                .expect(200);
            assert_eq!(r.body["total"], total);
            paged.extend(
                r.body["items"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|h| h["id"].as_str().unwrap().to_string()),
            );
        }
        assert_eq!(paged.len() as i64, total);
        let unique: std::collections::HashSet<&String> = paged.iter().collect();
        assert_eq!(unique.len(), paged.len(), "no household twice");
        // The same order and total from the general (filtered) query: every demo address has 幢.
        let mut filtered: Vec<String> = vec![];
        for page in 1..=(total + 99) / 100 {
            let r = app
                .get(
                    &staff,
                    &format!(
                        "/api/v1/households?per_page=100&page={page}&q={}",
                        url_encode("幢")
                    ),
                )
                .await
                .expect(200);
            assert_eq!(
                r.body["total"], total,
                "the kept grid counts equal a real count"
            );
            filtered.extend(
                r.body["items"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|h| h["id"].as_str().unwrap().to_string()),
            );
        }
        assert_eq!(filtered, paged);
        // A filtered list pages the same way: pages of 3 key-group households add up to its total.
        let key_total = app
            .get(&staff, "/api/v1/households?key_group=true&per_page=1")
            .await
            .expect(200)
            .body["total"]
            .as_i64()
            .unwrap();
        assert!(key_total > 3 && key_total < total);
        let mut keyed = std::collections::HashSet::new();
        for page in 1..=(key_total + 2) / 3 {
            let r = app
                .get(
                    &staff,
                    &format!("/api/v1/households?key_group=true&per_page=3&page={page}"),
                )
                .await
                .expect(200);
            for h in r.body["items"].as_array().unwrap() {
                assert_eq!(h["key_group"], true);
                assert!(
                    keyed.insert(h["id"].as_str().unwrap().to_string()),
                    "no household twice"
                );
            }
        }
        assert_eq!(keyed.len() as i64, key_total);
        let sorted = app
            .get(
                &staff,
                "/api/v1/households?key_group=true&per_page=100&sort=-residents",
            )
            .await
            .expect(200);
        assert_eq!(
            sorted.body["total"], key_total,
            "the sorted (general) path agrees"
        );
        // A household added or removed moves the total at once.
        let mine = grid(&app, "斜桥巷第1网格").await;
        let h = app
            .post(
                &staff,
                "/api/v1/households",
                json!({"grid_id": mine, "building": "99幢", "room": "1", "head_name": "王芳"}),
            )
            .await
            .expect(201);
        assert_eq!(
            app.get(&staff, "/api/v1/households?per_page=1").await.body["total"],
            total + 1
        );
        app.delete(
            &staff,
            &format!("/api/v1/households/{}", h.body["id"].as_str().unwrap()),
        )
        .await
        .expect(204);
        assert_eq!(
            app.get(&staff, "/api/v1/households?per_page=1").await.body["total"],
            total
        );
        // Renaming a grid shows at once in the (cached) grouping.
        let g = app
            .get(&staff, &format!("/api/v1/grids/{mine}"))
            .await
            .expect(200);
        app.patch(
            &staff,
            &format!("/api/v1/grids/{mine}"),
            json!({"name": "斜桥巷一号网格", "version": g.body["version"]}),
            None,
        )
        .await
        .expect(200);
        let first = app
            .get(
                &staff,
                &format!("/api/v1/households?per_page=1&grid_id={mine}"),
            )
            .await
            .expect(200);
        assert_eq!(first.body["items"][0]["grid_name"], "斜桥巷一号网格");
    }
);

both_backends!(
    workers_and_staff_keep_households_with_unique_addresses,
    |app| {
        let w = app.token("grid1").await;
        let mine = grid(&app, "斜桥巷第1网格").await;
        let body = json!({"grid_id": mine, "building": "20幢", "unit": "1单元", "room": "101", "residents": 3, "head_name": "孙玉珍", "head_phone": "13900001111", "tags": ["elderly_alone"]});
        let r = app
            .post(&w, "/api/v1/households", body.clone())
            .await
            .expect(201);
        assert_eq!(r.body["key_group"], true);
        assert_eq!(r.body["address"], "20幢1单元101");
        let admin = app.token("admin").await;
        assert_eq!(
            app.get(&admin, &format!("/api/v1/grids/{mine}")).await.body["household_count"],
            121
        );
        app.post(&w, "/api/v1/households", body)
            .await
            .problem(409, "duplicate");
        let bad = app.post(&w, "/api/v1/households", json!({"grid_id": mine, "building": "1", "room": "1", "head_name": "x", "head_phone": "call me", "tags": ["Bad Tag"]})).await;
        let bad = bad.problem(422, "validation_failed");
        let fields: Vec<&str> = bad.body["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap())
            .collect();
        assert!(
            fields.contains(&"head_phone") && fields.contains(&"tags"),
            "{fields:?}"
        );
        let other = grid(&app, "斜桥巷第2网格").await;
        app.post(
            &w,
            "/api/v1/households",
            json!({"grid_id": other, "building": "1", "room": "1", "head_name": "x"}),
        )
        .await
        .problem(422, "validation_failed");
        let id = r.id();
        let upd = app
            .patch(
                &w,
                &format!("/api/v1/households/{id}"),
                json!({"tags": [], "residents": 2}),
                Some(1),
            )
            .await
            .expect(200);
        assert_eq!(upd.body["key_group"], false);
        app.patch(
            &w,
            &format!("/api/v1/households/{id}"),
            json!({"residents": 9}),
            Some(1),
        )
        .await
        .problem(412, "precondition_failed");
        // Workers do not delete; staff delete households without visits.
        app.delete(&w, &format!("/api/v1/households/{id}"))
            .await
            .problem(403, "forbidden");
        let c1 = app.token("community1").await;
        app.delete(&c1, &format!("/api/v1/households/{id}"))
            .await
            .expect(204);
        assert_eq!(
            app.get(&admin, &format!("/api/v1/grids/{mine}")).await.body["household_count"],
            120
        );
    }
);

/// A fresh grid with four households — A, B, C and D, D an elderly person living alone — and
/// visits on known dates, so every coverage figure below is computed by hand.
async fn fixture(app: &TestApp) -> (String, Vec<String>) {
    let c1 = app.token("community1").await;
    let community = app.find_id("regions", "斜桥巷社区").await;
    let g = app
        .post(
            &c1,
            "/api/v1/grids",
            json!({"community_id": community, "name": "测试网格"}),
        )
        .await
        .expect(201)
        .id();
    let mut hh = vec![];
    for (room, tags) in [
        ("A", json!([])),
        ("B", json!([])),
        ("C", json!([])),
        ("D", json!(["elderly_alone"])),
    ] {
        let h = app.post(&c1, "/api/v1/households", json!({"grid_id": g, "building": "1幢", "room": room, "head_name": "测试", "tags": tags})).await.expect(201);
        hh.push(h.id());
    }
    let visits = [
        // Q3: every household; D three times. August: a visit in each of its six weeks.
        (0, "2026-07-06"),
        (3, "2026-07-06"),
        (2, "2026-08-01"),
        (1, "2026-08-03"),
        (3, "2026-08-03"),
        (0, "2026-08-10"),
        (2, "2026-08-17"),
        (0, "2026-08-24"),
        (1, "2026-08-31"),
        (2, "2026-09-07"),
        (3, "2026-09-07"),
        // October: only A and D, in one week.
        (0, "2026-10-05"),
        (3, "2026-10-05"),
    ];
    for (h, day) in visits {
        app.post(
            &c1,
            "/api/v1/visits",
            json!({"household_id": hh[h], "visited_on": day}),
        )
        .await
        .expect(201);
    }
    (g, hh)
}

both_backends!(
    coverage_targets_met_and_missed_against_hand_computed_figures,
    |app| {
        let (g, hh) = fixture(&app).await;
        let c1 = app.token("community1").await;
        let q3 = app
            .get(
                &c1,
                &format!("/api/v1/visits/coverage?period=2026-Q3&grid_id={g}"),
            )
            .await
            .expect(200);
        let grid = &q3.body["grids"][0];
        assert_eq!(grid["households"], 4);
        assert_eq!(grid["visited_households"], 4);
        assert_eq!(grid["coverage_rate"], 1.0);
        assert_eq!(grid["visits"], 11);
        assert_eq!(grid["key_group_households"], 1);
        assert_eq!(grid["key_group_visits"], 3);
        assert_eq!(
            grid["targets"],
            json!({"coverage_90": true, "every_household_quarter": true, "key_groups_three_times": true})
        );
        // Q3 has 14 weeks (from Monday 29 June); visits fall in 8 of them (6 Jul, 27 Jul – Sat 1 Aug,
        // 3, 10, 17, 24, 31 Aug, 7 Sep).
        let worker = &q3.body["workers"][0];
        assert_eq!(worker["worker_name"], "斜桥巷社区 工作人员");
        assert_eq!(worker["weeks"], 14);
        assert_eq!(worker["weeks_with_visits"], 8);
        assert_eq!(worker["targets"]["weekly_visit_day"], false);
        assert_eq!(
            worker["months"],
            json!([{"month": "2026-07", "households_visited": 2}, {"month": "2026-08", "households_visited": 4}, {"month": "2026-09", "households_visited": 2}])
        );
        assert_eq!(worker["targets"]["monthly_80_households"], false);

        let aug = app
            .get(
                &c1,
                &format!("/api/v1/visits/coverage?period=2026-08&grid_id={g}"),
            )
            .await
            .expect(200);
        let worker = &aug.body["workers"][0];
        assert_eq!(worker["weeks"], 6);
        assert_eq!(worker["weeks_with_visits"], 6);
        assert_eq!(worker["targets"]["weekly_visit_day"], true);
        assert_eq!(
            aug.body["grids"][0]["targets"]["every_household_quarter"],
            serde_json::Value::Null,
            "a quarter target does not apply to a month"
        );

        let oct = app
            .get(
                &c1,
                &format!("/api/v1/visits/coverage?period=2026-10&grid_id={g}"),
            )
            .await
            .expect(200);
        assert_eq!(oct.body["grids"][0]["visited_households"], 2);
        assert_eq!(oct.body["grids"][0]["coverage_rate"], 0.5);
        assert_eq!(oct.body["grids"][0]["targets"]["coverage_90"], false);
        assert_eq!(oct.body["workers"][0]["weeks_with_visits"], 1);
        let q4 = app
            .get(
                &c1,
                &format!("/api/v1/visits/coverage?period=2026-Q4&grid_id={g}"),
            )
            .await
            .expect(200);
        assert_eq!(
            q4.body["grids"][0]["targets"]["every_household_quarter"],
            false
        );
        assert_eq!(
            q4.body["grids"][0]["targets"]["key_groups_three_times"],
            false
        );
        // The household remembers its last visit.
        let d = app
            .get(&c1, &format!("/api/v1/households/{}", hh[3]))
            .await
            .expect(200);
        assert_eq!(d.body["last_visited_on"], "2026-10-05");
        // Community-wide: the fixture grid is one of four.
        let community = app.find_id("regions", "斜桥巷社区").await;
        let all = app
            .get(
                &c1,
                &format!("/api/v1/visits/coverage?period=2026-Q3&region_id={community}"),
            )
            .await
            .expect(200);
        assert_eq!(all.body["totals"]["grids"], 4);
        // Bad input and scope.
        app.get(&c1, "/api/v1/visits/coverage?period=2026-13")
            .await
            .problem(400, "invalid_period");
        let street_id = app.find_id("regions", "新丰街街道").await;
        app.get(
            &c1,
            &format!("/api/v1/visits/coverage?period=2026-Q3&region_id={street_id}"),
        )
        .await
        .problem(404, "not_found");
        let w = app.token("grid1").await;
        app.get(
            &w,
            &format!("/api/v1/visits/coverage?period=2026-Q3&grid_id={g}"),
        )
        .await
        .problem(404, "not_found");
    }
);

both_backends!(
    a_cached_coverage_report_follows_every_change_to_its_grids,
    |app| {
        let (g, hh) = fixture(&app).await;
        let c1 = app.token("community1").await;
        let community = app.find_id("regions", "斜桥巷社区").await;
        let url = format!("/api/v1/visits/coverage?period=2026-10&region_id={community}");
        let before = app.get(&c1, &url).await.expect(200);
        assert_eq!(
            app.get(&c1, &url).await.expect(200).body,
            before.body,
            "the same report twice"
        );
        let mine = |r: &serde_json::Value| {
            r["grids"]
                .as_array()
                .unwrap()
                .iter()
                .find(|x| x["grid_id"] == g.as_str())
                .unwrap()
                .clone()
        };
        assert_eq!(mine(&before.body)["visited_households"], 2);
        // A visit, a key-group change and a rename each show at once.
        app.post(
            &c1,
            "/api/v1/visits",
            json!({"household_id": hh[1], "visited_on": "2026-10-20"}),
        )
        .await
        .expect(201);
        let after = app.get(&c1, &url).await.expect(200);
        assert_eq!(mine(&after.body)["visited_households"], 3);
        assert_eq!(
            after.body["totals"]["visits"],
            before.body["totals"]["visits"].as_i64().unwrap() + 1
        );
        let h = app
            .get(&c1, &format!("/api/v1/households/{}", hh[0]))
            .await
            .expect(200);
        app.patch(
            &c1,
            &format!("/api/v1/households/{}", hh[0]),
            json!({"tags": ["disabled"], "version": h.body["version"]}),
            None,
        )
        .await
        .expect(200);
        assert_eq!(
            mine(&app.get(&c1, &url).await.expect(200).body)["key_group_households"],
            2
        );
        let gv = app
            .get(&c1, &format!("/api/v1/grids/{g}"))
            .await
            .expect(200);
        app.patch(
            &c1,
            &format!("/api/v1/grids/{g}"),
            json!({"name": "改名网格", "version": gv.body["version"]}),
            None,
        )
        .await
        .expect(200);
        assert_eq!(
            mine(&app.get(&c1, &url).await.expect(200).body)["grid_name"],
            "改名网格"
        );
    }
);

both_backends!(
    eighty_households_a_month_is_met_at_eighty_and_missed_at_seventy_nine,
    |app| {
        let c1 = app.token("community1").await;
        let community = app.find_id("regions", "斜桥巷社区").await;
        let g = app
            .post(
                &c1,
                "/api/v1/grids",
                json!({"community_id": community, "name": "八十户网格"}),
            )
            .await
            .expect(201)
            .id();
        let mut ids = vec![];
        for i in 0..80 {
            ids.push(app.post(&c1, "/api/v1/households", json!({"grid_id": g, "building": "1幢", "room": format!("{i}"), "head_name": "测试"})).await.expect(201).id());
        }
        for h in &ids[..79] {
            app.post(
                &c1,
                "/api/v1/visits",
                json!({"household_id": h, "visited_on": "2026-10-14"}),
            )
            .await
            .expect(201);
        }
        let url = format!("/api/v1/visits/coverage?period=2026-10&grid_id={g}");
        let before = app.get(&c1, &url).await.expect(200);
        assert_eq!(
            before.body["workers"][0]["months"][0]["households_visited"],
            79
        );
        assert_eq!(
            before.body["workers"][0]["targets"]["monthly_80_households"],
            false
        );
        // A second visit to the same household does not count twice.
        app.post(
            &c1,
            "/api/v1/visits",
            json!({"household_id": ids[0], "visited_on": "2026-10-15"}),
        )
        .await
        .expect(201);
        assert_eq!(
            app.get(&c1, &url).await.body["workers"][0]["targets"]["monthly_80_households"],
            false
        );
        app.post(
            &c1,
            "/api/v1/visits",
            json!({"household_id": ids[79], "visited_on": "2026-10-16"}),
        )
        .await
        .expect(201);
        let after = app.get(&c1, &url).await.expect(200);
        assert_eq!(
            after.body["workers"][0]["months"][0]["households_visited"],
            80
        );
        assert_eq!(
            after.body["workers"][0]["targets"]["monthly_80_households"],
            true
        );
        assert_eq!(after.body["grids"][0]["coverage_rate"], 1.0);
    }
);

both_backends!(
    visits_are_logged_by_the_grids_workers_and_never_in_the_future,
    |app| {
        let w = app.token("grid1").await;
        let mine = app
            .get(&w, "/api/v1/households?per_page=1")
            .await
            .expect(200);
        let h = mine.body["items"][0]["id"].as_str().unwrap().to_string();
        let today = tongxin::clock::today();
        let r = app.post(&w, "/api/v1/visits", json!({"household_id": h, "kind": "follow_up", "notes": "漏水已报修", "concern_found": true})).await.expect(201);
        assert_eq!(r.body["visited_on"], today.to_string());
        assert_eq!(r.body["worker_name"], "斜桥巷社区 网格员 张海燕");
        let tomorrow = today + chrono::Duration::days(1);
        app.post(
            &w,
            "/api/v1/visits",
            json!({"household_id": h, "visited_on": tomorrow.to_string()}),
        )
        .await
        .problem(422, "validation_failed");
        app.post(
            &w,
            "/api/v1/visits",
            json!({"household_id": h, "kind": "party"}),
        )
        .await
        .problem(422, "validation_failed");
        let street = app.token("street1").await;
        let other = grid(&app, "斜桥巷第2网格").await;
        let theirs = app
            .get(
                &street,
                &format!("/api/v1/households?grid_id={other}&per_page=1"),
            )
            .await
            .expect(200);
        let foreign = theirs.body["items"][0]["id"].as_str().unwrap();
        app.post(&w, "/api/v1/visits", json!({"household_id": foreign}))
            .await
            .problem(422, "validation_failed");
        let sec = app.token("secretary1").await;
        app.post(&sec, "/api/v1/visits", json!({"household_id": h}))
            .await
            .problem(403, "forbidden");
        let listed = app
            .get(&w, &format!("/api/v1/visits?household_id={h}&per_page=5"))
            .await
            .expect(200);
        assert_eq!(listed.body["items"][0]["id"], r.body["id"]);
        let after = app
            .get(&w, &format!("/api/v1/households/{h}"))
            .await
            .expect(200);
        assert_eq!(after.body["last_visited_on"], today.to_string());
    }
);
