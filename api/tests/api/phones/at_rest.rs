//! What the database holds: no number in clear in any table or column, lookups and the import
//! through the blind index, and rows written in clear before sealed by the start-up step.
use super::*;
use crate::both_backends;

both_backends!(
    nothing_is_stored_in_clear_and_lookups_use_the_blind_index,
    |app| {
        let [street, c1, sec, g1, r1] = tokens(
            &app,
            ["street1", "community1", "secretary1", "grid1", "resident1"],
        )
        .await;
        let region = xqx(&app).await;
        let street_id = app.find_id("regions", "新丰街街道").await;
        let branch = app.find_id("branches", "斜桥巷社区第1网格党支部").await;
        let grid = app.get(&g1, "/api/v1/households?per_page=1").await.body["items"][0]["grid_id"]
            .as_str()
            .unwrap()
            .to_string();
        // One record of each kind through the API, each with its own number.
        let hh = app.post(&g1, "/api/v1/households", json!({"grid_id": grid, "building": "90幢", "unit": "1单元", "room": "101", "residents": 2, "head_name": "孙玉珍", "head_phone": "13944440001"})).await.expect(201);
        assert_eq!(hh.body["head_phone"], "139****0001");
        let idn = tongxin::members::id_number::make(
            "320402",
            chrono::NaiveDate::from_ymd_opt(1961, 5, 6).unwrap(),
            21,
        );
        let member = app.post(&sec, "/api/v1/members", json!({"branch_id": branch, "name": "钱振国", "gender": "male", "id_number": idn, "phone": "13944440002", "joined_on": "1990-07-01", "full_member_on": "1991-07-01", "category": "retired"})).await.expect(201);
        assert_eq!(member.body["phone"], "139****0002");
        let vol = app
            .post(
                &c1,
                "/api/v1/volunteers",
                json!({"name": "周桂英", "phone": "13944440003", "region_id": region}),
            )
            .await
            .expect(201);
        assert_eq!(vol.body["phone"], "139****0003");
        // A volunteer made from a member carries the member's number over, sealed again.
        let from_member = app
            .post(
                &c1,
                "/api/v1/volunteers",
                json!({"member_id": member.id(), "region_id": region}),
            )
            .await
            .expect(201);
        assert_eq!(from_member.body["phone"], "139****0002");
        assert_eq!(
            unmasked(&app, &c1, "volunteers", &from_member.id()).await,
            "13944440002"
        );
        let unit = app.post(&street, "/api/v1/units", json!({"name": "测试共建单位", "kind": "enterprise", "region_id": street_id, "contact_phone": "0519-44440004", "community_ids": [region]})).await.expect(201);
        assert_eq!(unit.body["contact_phone"], "051****0004");
        let o = order(&app, &r1, "13944440005").await;
        let concern = app.post(&r1, "/api/v1/concerns", json!({"category": "other", "title": "路灯不亮", "description": "3号楼前路灯不亮", "lng": IN_GRID1.0, "lat": IN_GRID1.1, "contact_phone": "13944440006"})).await.expect(201);
        // Changing a phone seals the new one.
        let v = hh.body["version"].as_i64().unwrap();
        let changed = app
            .patch(
                &g1,
                &format!("/api/v1/households/{}", hh.id()),
                json!({"head_phone": "13944440007"}),
                Some(v),
            )
            .await
            .expect(200);
        assert_eq!(changed.body["head_phone"], "139****0007");
        let uv = unit.body["version"].as_i64().unwrap();
        app.patch(
            &street,
            &format!("/api/v1/units/{}", unit.id()),
            json!({"contact_phone": "13944440008"}),
            Some(uv),
        )
        .await
        .expect(200);

        // A dump of the whole database holds none of the numbers, in any table or column.
        for p in [
            "13944440001",
            "13944440002",
            "13944440003",
            "44440004",
            "13944440005",
            "13944440006",
            "13944440007",
            "13944440008",
        ] {
            nowhere_in_clear(&app, p);
        }
        // (The scan does find what is stored: the masked form.)
        assert_eq!(
            stored_in_clear(&app, "139****0007"),
            vec![("households".to_string(), "head_phone_masked".to_string())]
        );
        // The clear columns are empty, demo data included; the masked forms are there.
        for (t, c) in PHONE_COLUMNS {
            assert_eq!(
                count(
                    &app,
                    &format!("SELECT COUNT(*) AS n FROM {t} WHERE {c} IS NOT NULL")
                ),
                0,
                "{t}.{c}"
            );
            assert!(count(&app, &format!("SELECT COUNT(*) AS n FROM {t} WHERE {c}_sealed IS NOT NULL AND {c}_index IS NOT NULL AND {c}_masked IS NOT NULL")) > 0, "{t}.{c}");
        }
        // Each reads back in clear on an unmasked read.
        for (t, kind, id, phone) in [
            (&g1, "households", hh.id(), "13944440007"),
            (&sec, "members", member.id(), "13944440002"),
            (&c1, "volunteers", vol.id(), "13944440003"),
            (&street, "units", unit.id(), "13944440008"),
            (&c1, "service-orders", o.clone(), "13944440005"),
            (&c1, "concerns", concern.id(), "13944440006"),
        ] {
            assert_eq!(unmasked(&app, t, kind, &id).await, phone, "{kind}");
        }

        // Search by number goes through the blind index, whatever the separators: exactly the one record.
        for (t, uri, id) in [
            (
                &c1,
                format!("/api/v1/households?q={}", url_encode("139 4444 0007")),
                hh.id(),
            ),
            (
                &sec,
                format!("/api/v1/members?q={}", url_encode("+86 139-4444-0002")),
                member.id(),
            ),
            (&c1, "/api/v1/concerns?q=13944440006".into(), concern.id()),
        ] {
            let found = app.get(t, &uri).await.expect(200);
            assert_eq!(
                (
                    found.body["total"].as_i64(),
                    found.body["items"][0]["id"].as_str()
                ),
                (Some(1), Some(id.as_str())),
                "{uri}"
            );
        }
        for (t, uri, id) in [
            (&c1, "/api/v1/volunteers?q=13944440003", vol.id()),
            (&street, "/api/v1/units?q=13944440008", unit.id()),
        ] {
            assert_eq!(
                app.get(t, uri).await.expect(200).body["items"][0]["id"],
                id.as_str(),
                "{uri}"
            );
        }
        for (uri, total, why) in [
            (
                "/api/v1/households?q=13944440001",
                0,
                "the old number is gone",
            ),
            (
                "/api/v1/households?q=13944440007&sort=address",
                1,
                "sorted too",
            ),
        ] {
            assert_eq!(
                app.get(&c1, uri).await.expect(200).body["total"],
                total,
                "{why}"
            );
        }

        // The household import recognises an unchanged number by its index, a changed one updates.
        let code = app
            .get(&g1, &format!("/api/v1/grids/{grid}"))
            .await
            .expect(200)
            .body["code"]
            .as_str()
            .unwrap()
            .to_string();
        let file = format!("grid_code,building,unit,room,residents,head_name,head_phone,tags\n{code},90幢,1单元,101,2,孙玉珍,13944440007,\n");
        for (phone, updated) in [("13944440007", 0), ("13944440009", 1)] {
            let file = file.replace("13944440007", phone);
            let done = crate::import::import_to(
                &app,
                "/api/v1/households/import",
                &c1,
                "hh.csv",
                file.as_bytes(),
            )
            .await;
            assert_eq!(
                (done["created"].as_i64(), done["updated"].as_i64()),
                (Some(0), Some(updated)),
                "{done}"
            );
        }
        assert_eq!(
            unmasked(&app, &g1, "households", &hh.id()).await,
            "13944440009"
        );
        nowhere_in_clear(&app, "13944440009");
    }
);

both_backends!(
    phones_written_in_clear_before_are_sealed_by_the_start_up_step,
    |app| {
        // Old data: every household's number in clear and nothing sealed, and one row of each other
        // table the same, as a database written before phones were sealed.
        let ids: Vec<(&str, &str, String)> = {
            let mut conn = app.state.pool.get().unwrap();
            let mut ids = vec![];
            for (t, c) in PHONE_COLUMNS {
                let id =
                    diesel::sql_query(format!("SELECT id AS name FROM {t} ORDER BY id LIMIT 1"))
                        .get_result::<Name>(&mut *conn)
                        .unwrap()
                        .name;
                let rows = if t == "households" {
                    String::new()
                } else {
                    format!(" WHERE id = '{id}'")
                };
                diesel::sql_query(format!("UPDATE {t} SET {c} = '13955556666', {c}_sealed = NULL, {c}_index = NULL, {c}_masked = NULL{rows}")).execute(&mut *conn).unwrap();
                ids.push((t, c, id));
            }
            ids
        };
        let households = count(&app, "SELECT COUNT(*) AS n FROM households");
        assert!(
            households > tongxin::phones::BATCH,
            "more than one batch ({households})"
        );
        let seal = || {
            let mut conn = app.state.pool.get().unwrap();
            tongxin::phones::seal_at_rest(&mut conn, &app.state.sealer).unwrap()
        };
        let sealed = seal();
        let by_table: Vec<(&str, usize)> = sealed.iter().map(|(c, n)| (c.table(), *n)).collect();
        assert_eq!(
            by_table,
            vec![
                ("households", households as usize),
                ("members", 1),
                ("volunteers", 1),
                ("units", 1),
                ("service_orders", 1),
                ("concerns", 1)
            ]
        );
        nowhere_in_clear(&app, "13955556666");
        for (t, c, id) in &ids {
            assert_eq!(count(&app, &format!("SELECT COUNT(*) AS n FROM {t} WHERE {c}_masked = '139****6666' AND id = '{id}'")), 1, "{t}");
        }
        // Run again (a restart, or a second instance): nothing left to do.
        let again = seal();
        assert!(again.iter().all(|(_, n)| *n == 0), "{again:?}");
        // The numbers open again, each for its own row (a unit's for its street; the rest for the admin).
        let [street, admin] = tokens(&app, ["street1", "admin"]).await;
        for (t, c, id) in &ids {
            let reader = if *t == "units" { &street } else { &admin };
            assert_eq!(
                unmasked(&app, reader, &t.replace('_', "-"), id).await,
                "13955556666",
                "{t}.{c}"
            );
        }
        // And the index finds them.
        assert_eq!(
            app.get(&admin, "/api/v1/households?q=13955556666&per_page=1")
                .await
                .expect(200)
                .body["total"]
                .as_i64(),
            Some(households)
        );
    }
);
