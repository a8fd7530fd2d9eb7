//! Who may read a number in clear, record by record; the audit of each read; what the person
//! sees of it in `GET /me/data-access`; and the provider's view of an order dispatched to them.
use super::*;
use crate::both_backends;

both_backends!(
    unmasking_is_checked_per_record_audited_and_shown_to_the_person,
    |app| {
        let [street, c1, c2, sec, g1, u1, r1, m1] = tokens(
            &app,
            [
                "street1",
                "community1",
                "community2",
                "secretary1",
                "grid1",
                "unit1",
                "resident1",
                "member1",
            ],
        )
        .await;
        assert!(
            data_access(&app, &r1).await.is_empty(),
            "nobody has looked yet"
        );

        // An order: the resident reads their own number unrecorded; staff may, recorded; a reader
        // who may not is refused; another community does not see the order at all.
        let id = order(&app, &r1, "13922223333").await;
        assert_eq!(shown(&app, &r1, "service-orders", &id).await, "139****3333");
        assert_eq!(
            unmasked(&app, &r1, "service-orders", &id).await,
            "13922223333"
        );
        assert!(
            data_access(&app, &r1).await.is_empty(),
            "one's own reads are not listed"
        );
        assert_eq!(
            unmasked(&app, &c1, "service-orders", &id).await,
            "13922223333"
        );
        refused(&app, "service-orders", &id, &[(&sec, 403, "forbidden")]).await;
        assert_eq!(
            shown(&app, &sec, "service-orders", &id).await,
            "139****3333"
        );
        refused(&app, "service-orders", &id, &[(&c2, 404, "not_found")]).await;
        let trail = app.audit_for(&id).await;
        let unmasks: Vec<&Value> = trail.iter().filter(|e| e["action"] == "unmask").collect();
        assert_eq!(
            unmasks.len(),
            1,
            "one recorded read (community1's): {trail:?}"
        );
        assert_eq!(
            strs(unmasks[0], ["actor_name", "entity_type"]),
            [Some("community1"), Some("service_order")]
        );
        assert!(unmasks[0]["subject_id"].is_string());
        let seen = data_access(&app, &r1).await;
        assert_eq!(seen.len(), 1, "{seen:?}");
        assert_eq!(
            strs(&seen[0], ["actor_name", "record_type", "record_id"]),
            [Some("community1"), Some("service_order"), Some(id.as_str())]
        );
        assert_eq!(seen[0]["fields"], json!(["contact_phone"]));
        assert!(seen[0]["at"].is_string());
        assert!(
            seen[0].get("client_addr").is_none(),
            "the person sees who and when, not from where"
        );
        assert!(
            data_access(&app, &c1).await.is_empty(),
            "nobody else sees it"
        );

        // A concern: the handler's community staff call back; a reader who is not the handler may not.
        let concern = concern(&app, &r1, "13922224444").await.id();
        assert_eq!(
            unmasked(&app, &r1, "concerns", &concern).await,
            "13922224444"
        );
        assert_eq!(shown(&app, &c1, "concerns", &concern).await, "139****4444");
        assert_eq!(
            unmasked(&app, &c1, "concerns", &concern).await,
            "13922224444"
        );
        refused(
            &app,
            "concerns",
            &concern,
            &[(&g1, 403, "forbidden"), (&c2, 404, "not_found")],
        )
        .await;
        let seen = data_access(&app, &r1).await;
        assert_eq!(seen.len(), 2);
        assert_eq!(
            strs(&seen[0], ["record_type", "actor_name"]),
            [Some("concern"), Some("community1")],
            "newest first"
        );

        // The resident's volunteer record: their community's staff may, recorded; a reader may not.
        let vol = app.get(&r1, "/api/v1/volunteers/me").await.expect(200);
        let vid = vol.id();
        assert_eq!(vol.body["masked"], true);
        let own = unmask_read(&app, &r1, "volunteers", &vid).await;
        assert_eq!(
            (own.body["phone"].as_str(), own.body["masked"].as_bool()),
            (Some("13905191000"), Some(false))
        );
        assert_eq!(unmasked(&app, &c1, "volunteers", &vid).await, "13905191000");
        refused(
            &app,
            "volunteers",
            &vid,
            &[(&sec, 403, "forbidden"), (&c2, 404, "not_found")],
        )
        .await;
        let seen = data_access(&app, &r1).await;
        assert_eq!(seen.len(), 3);
        assert_eq!(
            (seen[0]["record_type"].as_str(), seen[0]["fields"].clone()),
            (Some("volunteer"), json!(["phone"]))
        );
        // A team's keeper may read their volunteers' numbers (member1 leads 七彩之光·橙).
        let orange = orange_team(&app, &m1).await;
        let team = app
            .get(&m1, &format!("/api/v1/volunteer-teams/{orange}/members"))
            .await
            .expect(200);
        let other = team
            .body
            .as_array()
            .unwrap()
            .iter()
            .find(|v| {
                v["is_leader"] == false
                    && v["volunteer_id"] != vid.as_str()
                    && !v["phone"].is_null()
            })
            .expect("a team member with a phone")["volunteer_id"]
            .as_str()
            .unwrap()
            .to_string();
        let read = unmask_read(&app, &m1, "volunteers", &other).await;
        assert!(!masked(&read.body["phone"]), "{}", read.body);
        assert!(app
            .audit_for(&other)
            .await
            .iter()
            .any(|e| e["action"] == "unmask" && e["actor_name"] == "member1"));

        // A unit: its street's staff and its contacts may; a paired community's staff may not; the
        // unit's contact sees the street's read.
        let hosp = hospital(&app).await;
        assert!(masked(&shown(&app, &u1, "units", &hosp).await));
        for t in [&street, &u1] {
            assert!(!masked(&unmasked(&app, t, "units", &hosp).await));
        }
        refused(&app, "units", &hosp, &[(&c1, 403, "forbidden")]).await;
        let units = app.get(&street, "/api/v1/units?per_page=100").await.body["items"].clone();
        let unpaired = units
            .as_array()
            .unwrap()
            .iter()
            .find(|u| {
                !u["communities"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|c| c["name"] == "斜桥巷社区")
            })
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string();
        refused(&app, "units", &unpaired, &[(&c1, 404, "not_found")]).await;
        let seen = data_access(&app, &u1).await;
        assert_eq!(
            seen.len(),
            1,
            "the street's read, not the contact's own: {seen:?}"
        );
        assert_eq!(
            strs(&seen[0], ["record_type", "actor_name"]),
            [Some("unit"), Some("street1")]
        );

        // A member: the secretary unmasks member1's record; member1 sees it here as in the access log.
        let mine = app.get(&m1, "/api/v1/members/me").await.expect(200).id();
        assert!(!masked(&unmasked(&app, &sec, "members", &mine).await));
        refused(&app, "members", &mine, &[(&c2, 404, "not_found")]).await;
        let seen = data_access(&app, &m1).await;
        assert!(
            seen.iter().any(|e| e["record_type"] == "member"
                && e["actor_name"] == "secretary1"
                && e["fields"] == json!(["id_number", "phone"])),
            "{seen:?}"
        );

        // A household: staff and the grid's workers may, a secretary may not, another community not at all.
        let hh = app.get(&g1, "/api/v1/households?per_page=1").await.body["items"][0]["id"]
            .as_str()
            .unwrap()
            .to_string();
        let full = unmask_read(&app, &g1, "households", &hh).await;
        assert!(
            !masked(&full.body["head_phone"]) && full.body["masked"] == false,
            "{}",
            full.body
        );
        refused(
            &app,
            "households",
            &hh,
            &[(&sec, 403, "forbidden"), (&c2, 404, "not_found")],
        )
        .await;

        // Paged like every list, searchable by who or what, with no sort keys.
        for (query, code) in [
            ("per_page=500", "invalid_page"),
            ("sort=at", "invalid_sort"),
        ] {
            app.get(&r1, &format!("/api/v1/me/data-access?{query}"))
                .await
                .problem(400, code);
        }
        for (q, total) in [("volunteer", 1), ("community", 3), ("street", 0)] {
            assert_eq!(
                app.get(&r1, &format!("/api/v1/me/data-access?q={q}"))
                    .await
                    .expect(200)
                    .body["total"],
                total,
                "q={q}"
            );
        }
        let page = app
            .get(&r1, "/api/v1/me/data-access?per_page=1&page=2")
            .await
            .expect(200);
        assert_eq!(
            (
                page.body["total"].as_i64(),
                page.body["items"].as_array().unwrap().len()
            ),
            (Some(3), 1)
        );
        assert_eq!(page.body["items"][0]["record_type"], "concern");
    }
);

both_backends!(
    a_provider_sees_the_number_on_the_order_dispatched_to_them_only,
    |app| {
        let [c1, u1, r1] = tokens(&app, ["community1", "unit1", "resident1"]).await;
        let hosp = hospital(&app).await;
        let (a, b) = (
            order(&app, &r1, "13933334444").await,
            order(&app, &r1, "13933335555").await,
        );
        // Before dispatch the unit does not see the order at all.
        refused(&app, "service-orders", &a, &[(&u1, 404, "not_found")]).await;
        dispatch(&app, &c1, &a, &hosp).await;
        // Dispatched: masked in the list and in a plain read, in clear on the unmasked read, recorded.
        let assigned = app
            .get(&u1, "/api/v1/service-orders?assigned=true&per_page=100")
            .await
            .expect(200);
        let row = assigned.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["id"] == a.as_str())
            .expect("the order is on the unit's list")
            .clone();
        assert_eq!(row["contact_phone"], "139****4444");
        assert_eq!(shown(&app, &u1, "service-orders", &a).await, "139****4444");
        let read = unmask_read(&app, &u1, "service-orders", &a).await;
        assert_eq!(read.body["contact_phone"], "13933334444");
        assert!(
            read.body["resident_name"].as_str().unwrap().contains('*'),
            "the name stays masked for a provider"
        );
        let ev = app
            .audit_for(&a)
            .await
            .into_iter()
            .find(|e| e["action"] == "unmask")
            .expect("the provider's read is recorded");
        assert_eq!(
            (ev["actor_name"].as_str(), ev["detail"]["via"].as_str()),
            (Some("unit1"), Some("provider"))
        );
        // The action's answer stays masked.
        let accepted = app
            .post(
                &u1,
                &format!("/api/v1/service-orders/{a}/accept"),
                json!({}),
            )
            .await
            .expect(200);
        assert_eq!(accepted.body["contact_phone"], "139****4444");
        // The other order is not theirs.
        refused(&app, "service-orders", &b, &[(&u1, 404, "not_found")]).await;
        let seen = data_access(&app, &r1).await;
        assert_eq!(seen.len(), 1);
        assert_eq!(
            strs(&seen[0], ["actor_name", "record_id"]),
            [Some("unit1"), Some(a.as_str())]
        );
        // A second order dispatched and then declined: no longer theirs either.
        dispatch(&app, &c1, &b, &hosp).await;
        assert_eq!(
            unmasked(&app, &u1, "service-orders", &b).await,
            "13933335555"
        );
        app.post(
            &u1,
            &format!("/api/v1/service-orders/{b}/decline"),
            json!({"reason": "本周已排满"}),
        )
        .await
        .expect(200);
        refused(&app, "service-orders", &b, &[(&u1, 404, "not_found")]).await;
    }
);
