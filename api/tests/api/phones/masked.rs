//! Every list and export shows phones masked; Open311 never carries one.
use super::*;
use crate::both_backends;

both_backends!(
    phones_are_masked_in_every_list_export_and_the_open311_facade,
    |app| {
        let [street, c1, sec, g1, u1, r1, m1] = tokens(
            &app,
            [
                "street1",
                "community1",
                "secretary1",
                "grid1",
                "unit1",
                "resident1",
                "member1",
            ],
        )
        .await;
        // Households and members, for their staff, whatever the sort; units, for the street, a
        // paired community and the unit's own contact.
        for (t, uri, field) in [
            (&street, "/api/v1/households?per_page=100", "head_phone"),
            (
                &street,
                "/api/v1/households?per_page=100&sort=-residents",
                "head_phone",
            ),
            (&sec, "/api/v1/members?per_page=100", "phone"),
            (&sec, "/api/v1/members?per_page=100&sort=name", "phone"),
            (&street, "/api/v1/units?per_page=100", "contact_phone"),
            (&c1, "/api/v1/units?per_page=100", "contact_phone"),
            (&u1, "/api/v1/units?per_page=100", "contact_phone"),
        ] {
            list_masked(&app, t, uri, field).await;
        }
        // The grid's worker sees names, not phones.
        let mine = app
            .get(&g1, "/api/v1/households?per_page=100")
            .await
            .expect(200);
        all_masked(&mine.body["items"], "head_phone");
        let first = &mine.body["items"][0];
        assert!(
            !first["head_name"].as_str().unwrap().contains('*'),
            "the grid's worker still sees names: {first}"
        );
        assert_eq!(
            first["masked"], true,
            "the phone is masked, so the answer says so"
        );
        // The roster export, and the member's own record read plainly.
        let export = raw_get(&app, &sec, "/api/v1/members/export?format=csv").await;
        assert!(export.lines().count() > 10, "{export}");
        assert!(
            longest_digit_run(&export) < 7,
            "a number in clear in the export: {export}"
        );
        assert!(
            !masked(&app.get(&m1, "/api/v1/members/me").await.expect(200).body["phone"]),
            "a member reads their own record in full"
        );

        // Volunteers, a team's members (for its keeper too) and the service card.
        let vols = app
            .get(&c1, "/api/v1/volunteers?per_page=100")
            .await
            .expect(200);
        all_masked(&vols.body["items"], "phone");
        assert!(vols.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|v| v["masked"] == true));
        let orange = orange_team(&app, &m1).await;
        all_masked(
            &app.get(&m1, &format!("/api/v1/volunteer-teams/{orange}/members"))
                .await
                .expect(200)
                .body,
            "phone",
        );
        let me = app.get(&m1, "/api/v1/volunteers/me").await.expect(200);
        assert!(masked(&me.body["phone"]));
        let card = app
            .get(&m1, &format!("/api/v1/volunteers/{}/service-card", me.id()))
            .await
            .expect(200);
        assert!(
            masked(&card.body["volunteer"]["phone"]),
            "{}",
            card.body["volunteer"]
        );

        // Orders: the dispatch board, the resident's own and a provider's.
        let id = order(&app, &r1, "13911112222").await;
        dispatch(&app, &c1, &id, &hospital(&app).await).await;
        let region = xqx(&app).await;
        for (t, uri) in [
            (
                &c1,
                format!("/api/v1/service-orders?region_id={region}&per_page=100"),
            ),
            (&c1, "/api/v1/service-orders?per_page=100".to_string()),
            (&r1, "/api/v1/service-orders?mine=true".into()),
            (&u1, "/api/v1/service-orders?assigned=true".into()),
        ] {
            list_masked(&app, t, &uri, "contact_phone").await;
        }

        // Concerns, and Open311, which never carries a phone.
        let made = concern(&app, &r1, "13911113333").await;
        assert_eq!(made.body["contact_phone"], "139****3333");
        for (t, uri) in [
            (&c1, "/api/v1/concerns?per_page=100"),
            (&r1, "/api/v1/concerns?mine=true"),
        ] {
            list_masked(&app, t, uri, "contact_phone").await;
        }
        let admin = app.token("admin").await;
        let street_id = app.find_id("regions", "新丰街街道").await;
        app.post(&admin, "/api/v1/users", json!({"username": "hotline-12345", "display_name": "12345 热线", "password": "client-secret-123", "grants": [{"role": "integration", "scope_id": street_id}]})).await.expect(201);
        let form = actix_web::test::TestRequest::post()
        .uri("/api/v1/auth/token")
        .insert_header(("content-type", "application/x-www-form-urlencoded"))
        .set_payload("grant_type=client_credentials&client_id=hotline-12345&client_secret=client-secret-123");
        let hotline = app.call(form).await.expect(200).body["access_token"]
            .as_str()
            .unwrap()
            .to_string();
        let one = raw_get(
            &app,
            &hotline,
            &format!("/api/v1/open311/v2/requests/{}.json", made.id()),
        )
        .await;
        let many = raw_get(&app, &hotline, "/api/v1/open311/v2/requests.json").await;
        for body in [&one, &many] {
            assert!(
                !body.contains("phone") && !body.contains("3333"),
                "Open311 shows public fields only: {body}"
            );
        }
    }
);
