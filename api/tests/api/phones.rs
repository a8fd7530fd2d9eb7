//! Phone numbers: sealed at rest (with rows written in clear before sealed by the start-up
//! step), masked in every list and export, shown per record on an audited unmask that the person
//! can see in `GET /me/data-access`, and a provider sees the number of the one order dispatched
//! to them.
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use serde_json::{json, Value};

use crate::both_backends;
use crate::common::*;

/// Inside 斜桥巷第1网格 (as in the concerns tests).
const IN_GRID1: (f64, f64) = (119.956, 31.787);

/// Whether a shown phone is masked (or absent).
fn masked(v: &Value) -> bool {
    v.is_null() || v.as_str().is_some_and(|p| p.contains("****"))
}

#[track_caller]
fn all_masked(items: &Value, field: &str) {
    let items = items.as_array().expect("a list");
    assert!(!items.is_empty(), "an empty list proves nothing");
    for i in items {
        assert!(masked(&i[field]), "{field} in clear: {i}");
    }
}

/// The longest run of consecutive ASCII digits in `s`.
fn longest_digit_run(s: &str) -> usize {
    s.split(|c: char| !c.is_ascii_digit())
        .map(str::len)
        .max()
        .unwrap_or(0)
}

async fn raw_get(app: &TestApp, token: &str, uri: &str) -> String {
    let service = actix_web::test::init_service(tongxin::app(app.state.clone())).await;
    let res = actix_web::test::call_service(
        &service,
        actix_web::test::TestRequest::get()
            .uri(uri)
            .insert_header(bearer(token))
            .to_request(),
    )
    .await;
    assert_eq!(res.status().as_u16(), 200, "{uri}");
    String::from_utf8_lossy(&actix_web::test::read_body(res).await).into_owned()
}

async fn data_access(app: &TestApp, token: &str) -> Vec<Value> {
    let r = app
        .get(token, "/api/v1/me/data-access?per_page=100")
        .await
        .expect(200);
    assert_eq!(r.body["page"], 1);
    assert_eq!(
        r.body["total"].as_i64().unwrap() as usize,
        r.body["items"].as_array().unwrap().len()
    );
    r.body["items"].as_array().unwrap().clone()
}

async fn xqx(app: &TestApp) -> String {
    app.find_id("regions", "斜桥巷社区").await
}

async fn hospital(app: &TestApp) -> String {
    let u1 = app.token("unit1").await;
    app.get(&u1, "/api/v1/units").await.expect(200).body["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn order(app: &TestApp, token: &str, phone: &str) -> String {
    let community = xqx(app).await;
    app.post(token, "/api/v1/service-orders", json!({"community_id": community, "title": "上门理发", "contact_phone": phone, "address": "斜桥巷12号"})).await.expect(201).id()
}

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// Every table's text-like columns, as (table, column), read from the database itself.
fn columns(conn: &mut tongxin::db::DbConn, backend: tongxin::db::Backend) -> Vec<(String, String)> {
    let tables: Vec<String> = match backend {
        tongxin::db::Backend::Sqlite => diesel::sql_query("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").load::<Name>(conn),
        tongxin::db::Backend::Postgres => diesel::sql_query("SELECT table_name::text AS name FROM information_schema.tables WHERE table_schema = 'public'").load::<Name>(conn),
    }
    .unwrap()
    .into_iter()
    .map(|t| t.name)
    .collect();
    let mut out = vec![];
    for t in tables {
        let cols: Vec<String> = match backend {
            tongxin::db::Backend::Sqlite => diesel::sql_query(format!("SELECT name FROM pragma_table_info('{t}')")).load::<Name>(conn),
            tongxin::db::Backend::Postgres => diesel::sql_query(format!(
                "SELECT column_name::text AS name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = '{t}' AND data_type IN ('text', 'character varying')"
            ))
            .load::<Name>(conn),
        }
        .unwrap()
        .into_iter()
        .map(|c| c.name)
        .collect();
        out.extend(cols.into_iter().map(|c| (t.clone(), c)));
    }
    out
}

/// The (table, column) pairs where `needle` is stored, in any row, in any table.
fn stored_in_clear(app: &TestApp, needle: &str) -> Vec<(String, String)> {
    let mut conn = app.state.pool.get().unwrap();
    let mut found = vec![];
    for (t, c) in columns(&mut conn, app.backend) {
        let sql = format!(
            "SELECT COUNT(*) AS n FROM \"{t}\" WHERE CAST(\"{c}\" AS TEXT) LIKE '%{needle}%'"
        );
        let n = diesel::sql_query(sql)
            .get_result::<Count>(&mut *conn)
            .unwrap()
            .n;
        if n > 0 {
            found.push((t, c));
        }
    }
    found
}

/// The six phone columns, clear and masked.
const PHONE_COLUMNS: [(&str, &str); 6] = [
    ("households", "head_phone"),
    ("members", "phone"),
    ("volunteers", "phone"),
    ("units", "contact_phone"),
    ("service_orders", "contact_phone"),
    ("concerns", "contact_phone"),
];

fn count(app: &TestApp, sql: &str) -> i64 {
    let mut conn = app.state.pool.get().unwrap();
    diesel::sql_query(sql)
        .get_result::<Count>(&mut *conn)
        .unwrap()
        .n
}

both_backends!(
    phones_are_masked_in_every_list_export_and_the_open311_facade,
    |app| {
        let (street, c1, sec, g1, u1, r1, m1) = (
            app.token("street1").await,
            app.token("community1").await,
            app.token("secretary1").await,
            app.token("grid1").await,
            app.token("unit1").await,
            app.token("resident1").await,
            app.token("member1").await,
        );
        // Households: staff see names and phones masked; the grid's worker sees names, not phones.
        all_masked(
            &app.get(&street, "/api/v1/households?per_page=100")
                .await
                .expect(200)
                .body["items"],
            "head_phone",
        );
        all_masked(
            &app.get(&street, "/api/v1/households?per_page=100&sort=-residents")
                .await
                .expect(200)
                .body["items"],
            "head_phone",
        );
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
        // Members, the roster export and the member's own record read plainly.
        all_masked(
            &app.get(&sec, "/api/v1/members?per_page=100")
                .await
                .expect(200)
                .body["items"],
            "phone",
        );
        all_masked(
            &app.get(&sec, "/api/v1/members?per_page=100&sort=name")
                .await
                .expect(200)
                .body["items"],
            "phone",
        );
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
        let orange = app.get(&m1, "/api/v1/volunteer-teams?mine=true").await.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["colour"] == "orange")
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string();
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
        // Units, for the street, a paired community and the unit's own contact.
        for t in [&street, &c1, &u1] {
            all_masked(
                &app.get(t, "/api/v1/units?per_page=100")
                    .await
                    .expect(200)
                    .body["items"],
                "contact_phone",
            );
        }
        // Orders: the dispatch board, the resident's own and a provider's.
        let id = order(&app, &r1, "13911112222").await;
        let hosp = hospital(&app).await;
        app.post(
            &c1,
            &format!("/api/v1/service-orders/{id}/dispatch"),
            json!({"provider_type": "unit", "provider_id": hosp}),
        )
        .await
        .expect(200);
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
            all_masked(
                &app.get(t, &uri).await.expect(200).body["items"],
                "contact_phone",
            );
        }
        // Concerns, and Open311, which never carries a phone.
        let made = app.post(&r1, "/api/v1/concerns", json!({"category": "environment", "title": "垃圾清运", "description": "垃圾桶满了", "lng": IN_GRID1.0, "lat": IN_GRID1.1, "contact_phone": "13911113333"})).await.expect(201);
        assert_eq!(made.body["contact_phone"], "139****3333");
        all_masked(
            &app.get(&c1, "/api/v1/concerns?per_page=100")
                .await
                .expect(200)
                .body["items"],
            "contact_phone",
        );
        all_masked(
            &app.get(&r1, "/api/v1/concerns?mine=true")
                .await
                .expect(200)
                .body["items"],
            "contact_phone",
        );
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

both_backends!(
    unmasking_is_checked_per_record_audited_and_shown_to_the_person,
    |app| {
        let (street, c1, c2, sec, g1, u1, r1, m1) = (
            app.token("street1").await,
            app.token("community1").await,
            app.token("community2").await,
            app.token("secretary1").await,
            app.token("grid1").await,
            app.token("unit1").await,
            app.token("resident1").await,
            app.token("member1").await,
        );
        assert!(
            data_access(&app, &r1).await.is_empty(),
            "nobody has looked yet"
        );

        // An order: the resident reads their own number unrecorded; staff may, recorded; a reader
        // who may not is refused; another community does not see the order at all.
        let id = order(&app, &r1, "13922223333").await;
        assert_eq!(
            app.get(&r1, &format!("/api/v1/service-orders/{id}"))
                .await
                .expect(200)
                .body["contact_phone"],
            "139****3333"
        );
        assert_eq!(
            app.get(&r1, &format!("/api/v1/service-orders/{id}?unmask=true"))
                .await
                .expect(200)
                .body["contact_phone"],
            "13922223333"
        );
        assert!(
            data_access(&app, &r1).await.is_empty(),
            "one's own reads are not listed"
        );
        assert_eq!(
            app.get(&c1, &format!("/api/v1/service-orders/{id}?unmask=true"))
                .await
                .expect(200)
                .body["contact_phone"],
            "13922223333"
        );
        app.get(&sec, &format!("/api/v1/service-orders/{id}?unmask=true"))
            .await
            .problem(403, "forbidden");
        assert_eq!(
            app.get(&sec, &format!("/api/v1/service-orders/{id}"))
                .await
                .expect(200)
                .body["contact_phone"],
            "139****3333"
        );
        app.get(&c2, &format!("/api/v1/service-orders/{id}?unmask=true"))
            .await
            .problem(404, "not_found");
        let trail = app.audit_for(&id).await;
        let unmasks: Vec<&Value> = trail.iter().filter(|e| e["action"] == "unmask").collect();
        assert_eq!(
            unmasks.len(),
            1,
            "one recorded read (community1's): {trail:?}"
        );
        assert_eq!(unmasks[0]["actor_name"], "community1");
        assert_eq!(unmasks[0]["entity_type"], "service_order");
        assert!(unmasks[0]["subject_id"].is_string());
        let seen = data_access(&app, &r1).await;
        assert_eq!(seen.len(), 1, "{seen:?}");
        assert_eq!(
            (
                seen[0]["actor_name"].as_str(),
                seen[0]["record_type"].as_str(),
                seen[0]["record_id"].as_str()
            ),
            (Some("community1"), Some("service_order"), Some(id.as_str()))
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
        let concern = app.post(&r1, "/api/v1/concerns", json!({"category": "environment", "title": "垃圾清运", "description": "垃圾桶满了", "lng": IN_GRID1.0, "lat": IN_GRID1.1, "contact_phone": "13922224444"})).await.expect(201).id();
        assert_eq!(
            app.get(&r1, &format!("/api/v1/concerns/{concern}?unmask=true"))
                .await
                .expect(200)
                .body["contact_phone"],
            "13922224444"
        );
        assert_eq!(
            app.get(&c1, &format!("/api/v1/concerns/{concern}"))
                .await
                .expect(200)
                .body["contact_phone"],
            "139****4444"
        );
        assert_eq!(
            app.get(&c1, &format!("/api/v1/concerns/{concern}?unmask=true"))
                .await
                .expect(200)
                .body["contact_phone"],
            "13922224444"
        );
        app.get(&g1, &format!("/api/v1/concerns/{concern}?unmask=true"))
            .await
            .problem(403, "forbidden");
        app.get(&c2, &format!("/api/v1/concerns/{concern}?unmask=true"))
            .await
            .problem(404, "not_found");
        let seen = data_access(&app, &r1).await;
        assert_eq!(seen.len(), 2);
        assert_eq!(
            (
                seen[0]["record_type"].as_str(),
                seen[0]["actor_name"].as_str()
            ),
            (Some("concern"), Some("community1")),
            "newest first"
        );

        // The resident's volunteer record: their community's staff may, recorded; a reader may not.
        let vol = app.get(&r1, "/api/v1/volunteers/me").await.expect(200);
        let vid = vol.id();
        assert_eq!(vol.body["masked"], true);
        let own = app
            .get(&r1, &format!("/api/v1/volunteers/{vid}?unmask=true"))
            .await
            .expect(200);
        assert_eq!(
            (own.body["phone"].as_str(), own.body["masked"].as_bool()),
            (Some("13905191000"), Some(false))
        );
        assert_eq!(
            app.get(&c1, &format!("/api/v1/volunteers/{vid}?unmask=true"))
                .await
                .expect(200)
                .body["phone"],
            "13905191000"
        );
        app.get(&sec, &format!("/api/v1/volunteers/{vid}?unmask=true"))
            .await
            .problem(403, "forbidden");
        app.get(&c2, &format!("/api/v1/volunteers/{vid}?unmask=true"))
            .await
            .problem(404, "not_found");
        let seen = data_access(&app, &r1).await;
        assert_eq!(seen.len(), 3);
        assert_eq!(
            (seen[0]["record_type"].as_str(), seen[0]["fields"].clone()),
            (Some("volunteer"), json!(["phone"]))
        );
        // A team's keeper may read their volunteers' numbers (member1 leads 七彩之光·橙).
        let orange = app.get(&m1, "/api/v1/volunteer-teams?mine=true").await.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["colour"] == "orange")
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string();
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
        let read = app
            .get(&m1, &format!("/api/v1/volunteers/{other}?unmask=true"))
            .await
            .expect(200);
        assert!(!masked(&read.body["phone"]), "{}", read.body);
        assert!(app
            .audit_for(&other)
            .await
            .iter()
            .any(|e| e["action"] == "unmask" && e["actor_name"] == "member1"));

        // A unit: its street's staff and its contacts may; a paired community's staff may not; the
        // unit's contact sees the street's read.
        let hosp = hospital(&app).await;
        assert!(masked(
            &app.get(&u1, &format!("/api/v1/units/{hosp}"))
                .await
                .expect(200)
                .body["contact_phone"]
        ));
        assert!(!masked(
            &app.get(&street, &format!("/api/v1/units/{hosp}?unmask=true"))
                .await
                .expect(200)
                .body["contact_phone"]
        ));
        assert!(!masked(
            &app.get(&u1, &format!("/api/v1/units/{hosp}?unmask=true"))
                .await
                .expect(200)
                .body["contact_phone"]
        ));
        app.get(&c1, &format!("/api/v1/units/{hosp}?unmask=true"))
            .await
            .problem(403, "forbidden");
        let unpaired = app.get(&street, "/api/v1/units?per_page=100").await.body["items"]
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
        app.get(&c1, &format!("/api/v1/units/{unpaired}?unmask=true"))
            .await
            .problem(404, "not_found");
        let seen = data_access(&app, &u1).await;
        assert_eq!(
            seen.len(),
            1,
            "the street's read, not the contact's own: {seen:?}"
        );
        assert_eq!(
            (
                seen[0]["record_type"].as_str(),
                seen[0]["actor_name"].as_str()
            ),
            (Some("unit"), Some("street1"))
        );

        // A member: the secretary unmasks member1's record; member1 sees it here as in the access log.
        let mine = app.get(&m1, "/api/v1/members/me").await.expect(200).id();
        assert!(!masked(
            &app.get(&sec, &format!("/api/v1/members/{mine}?unmask=true"))
                .await
                .expect(200)
                .body["phone"]
        ));
        app.get(&c2, &format!("/api/v1/members/{mine}?unmask=true"))
            .await
            .problem(404, "not_found");
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
        let full = app
            .get(&g1, &format!("/api/v1/households/{hh}?unmask=true"))
            .await
            .expect(200);
        assert!(
            !masked(&full.body["head_phone"]) && full.body["masked"] == false,
            "{}",
            full.body
        );
        app.get(&sec, &format!("/api/v1/households/{hh}?unmask=true"))
            .await
            .problem(403, "forbidden");
        app.get(&c2, &format!("/api/v1/households/{hh}?unmask=true"))
            .await
            .problem(404, "not_found");

        // Paged like every list, searchable by who or what, with no sort keys.
        app.get(&r1, "/api/v1/me/data-access?per_page=500")
            .await
            .problem(400, "invalid_page");
        app.get(&r1, "/api/v1/me/data-access?sort=at")
            .await
            .problem(400, "invalid_sort");
        assert_eq!(
            app.get(&r1, "/api/v1/me/data-access?q=volunteer")
                .await
                .expect(200)
                .body["total"],
            1
        );
        assert_eq!(
            app.get(&r1, "/api/v1/me/data-access?q=community")
                .await
                .expect(200)
                .body["total"],
            3
        );
        assert_eq!(
            app.get(&r1, "/api/v1/me/data-access?q=street")
                .await
                .expect(200)
                .body["total"],
            0
        );
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
        let (c1, u1, r1) = (
            app.token("community1").await,
            app.token("unit1").await,
            app.token("resident1").await,
        );
        let hosp = hospital(&app).await;
        let (a, b) = (
            order(&app, &r1, "13933334444").await,
            order(&app, &r1, "13933335555").await,
        );
        // Before dispatch the unit does not see the order at all.
        app.get(&u1, &format!("/api/v1/service-orders/{a}?unmask=true"))
            .await
            .problem(404, "not_found");
        app.post(
            &c1,
            &format!("/api/v1/service-orders/{a}/dispatch"),
            json!({"provider_type": "unit", "provider_id": hosp}),
        )
        .await
        .expect(200);
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
        assert_eq!(
            app.get(&u1, &format!("/api/v1/service-orders/{a}"))
                .await
                .expect(200)
                .body["contact_phone"],
            "139****4444"
        );
        let read = app
            .get(&u1, &format!("/api/v1/service-orders/{a}?unmask=true"))
            .await
            .expect(200);
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
        app.get(&u1, &format!("/api/v1/service-orders/{b}?unmask=true"))
            .await
            .problem(404, "not_found");
        let seen = data_access(&app, &r1).await;
        assert_eq!(seen.len(), 1);
        assert_eq!(
            (
                seen[0]["actor_name"].as_str(),
                seen[0]["record_id"].as_str()
            ),
            (Some("unit1"), Some(a.as_str()))
        );
        // A second order dispatched and then declined: no longer theirs either.
        app.post(
            &c1,
            &format!("/api/v1/service-orders/{b}/dispatch"),
            json!({"provider_type": "unit", "provider_id": hosp}),
        )
        .await
        .expect(200);
        assert_eq!(
            app.get(&u1, &format!("/api/v1/service-orders/{b}?unmask=true"))
                .await
                .expect(200)
                .body["contact_phone"],
            "13933335555"
        );
        app.post(
            &u1,
            &format!("/api/v1/service-orders/{b}/decline"),
            json!({"reason": "本周已排满"}),
        )
        .await
        .expect(200);
        app.get(&u1, &format!("/api/v1/service-orders/{b}?unmask=true"))
            .await
            .problem(404, "not_found");
    }
);

both_backends!(
    nothing_is_stored_in_clear_and_lookups_use_the_blind_index,
    |app| {
        let (street, c1, sec, g1, r1) = (
            app.token("street1").await,
            app.token("community1").await,
            app.token("secretary1").await,
            app.token("grid1").await,
            app.token("resident1").await,
        );
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
        let member = app
        .post(&sec, "/api/v1/members", json!({"branch_id": branch, "name": "钱振国", "gender": "male", "id_number": idn, "phone": "13944440002", "joined_on": "1990-07-01", "full_member_on": "1991-07-01", "category": "retired"}))
        .await
        .expect(201);
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
            app.get(
                &c1,
                &format!("/api/v1/volunteers/{}?unmask=true", from_member.id())
            )
            .await
            .expect(200)
            .body["phone"],
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
            assert_eq!(
                stored_in_clear(&app, p),
                Vec::<(String, String)>::new(),
                "{p} stored in clear"
            );
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
        assert_eq!(
            app.get(&g1, &format!("/api/v1/households/{}?unmask=true", hh.id()))
                .await
                .expect(200)
                .body["head_phone"],
            "13944440007"
        );
        assert_eq!(
            app.get(
                &sec,
                &format!("/api/v1/members/{}?unmask=true", member.id())
            )
            .await
            .expect(200)
            .body["phone"],
            "13944440002"
        );
        assert_eq!(
            app.get(&c1, &format!("/api/v1/volunteers/{}?unmask=true", vol.id()))
                .await
                .expect(200)
                .body["phone"],
            "13944440003"
        );
        assert_eq!(
            app.get(&street, &format!("/api/v1/units/{}?unmask=true", unit.id()))
                .await
                .expect(200)
                .body["contact_phone"],
            "13944440008"
        );
        assert_eq!(
            app.get(&c1, &format!("/api/v1/service-orders/{o}?unmask=true"))
                .await
                .expect(200)
                .body["contact_phone"],
            "13944440005"
        );
        assert_eq!(
            app.get(
                &c1,
                &format!("/api/v1/concerns/{}?unmask=true", concern.id())
            )
            .await
            .expect(200)
            .body["contact_phone"],
            "13944440006"
        );

        // Search by number goes through the blind index, whatever the separators.
        let found = app
            .get(
                &c1,
                &format!("/api/v1/households?q={}", url_encode("139 4444 0007")),
            )
            .await
            .expect(200);
        assert_eq!(
            (
                found.body["total"].as_i64(),
                found.body["items"][0]["id"].as_str()
            ),
            (Some(1), Some(hh.id().as_str()))
        );
        assert_eq!(
            app.get(&c1, "/api/v1/households?q=13944440001")
                .await
                .expect(200)
                .body["total"],
            0,
            "the old number is gone"
        );
        assert_eq!(
            app.get(&c1, "/api/v1/households?q=13944440007&sort=address")
                .await
                .expect(200)
                .body["total"],
            1
        );
        let found = app
            .get(
                &sec,
                &format!("/api/v1/members?q={}", url_encode("+86 139-4444-0002")),
            )
            .await
            .expect(200);
        assert_eq!(
            (
                found.body["total"].as_i64(),
                found.body["items"][0]["id"].as_str()
            ),
            (Some(1), Some(member.id().as_str()))
        );
        assert_eq!(
            app.get(&c1, "/api/v1/volunteers?q=13944440003")
                .await
                .expect(200)
                .body["items"][0]["id"],
            vol.id().as_str()
        );
        assert_eq!(
            app.get(&street, "/api/v1/units?q=13944440008")
                .await
                .expect(200)
                .body["items"][0]["id"],
            unit.id().as_str()
        );
        let found = app
            .get(&c1, "/api/v1/concerns?q=13944440006")
            .await
            .expect(200);
        assert_eq!(
            (
                found.body["total"].as_i64(),
                found.body["items"][0]["id"].as_str()
            ),
            (Some(1), Some(concern.id().as_str()))
        );
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
        let same = crate::import::import_to(
            &app,
            "/api/v1/households/import",
            &c1,
            "hh.csv",
            file.as_bytes(),
        )
        .await;
        assert_eq!(
            (same["created"].as_i64(), same["updated"].as_i64()),
            (Some(0), Some(0)),
            "{same}"
        );
        let other = crate::import::import_to(
            &app,
            "/api/v1/households/import",
            &c1,
            "hh.csv",
            file.replace("13944440007", "13944440009").as_bytes(),
        )
        .await;
        assert_eq!(
            (other["created"].as_i64(), other["updated"].as_i64()),
            (Some(0), Some(1)),
            "{other}"
        );
        assert_eq!(
            app.get(&g1, &format!("/api/v1/households/{}?unmask=true", hh.id()))
                .await
                .expect(200)
                .body["head_phone"],
            "13944440009"
        );
        assert_eq!(
            stored_in_clear(&app, "13944440009"),
            Vec::<(String, String)>::new()
        );
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
        let sealed = {
            let mut conn = app.state.pool.get().unwrap();
            tongxin::phones::seal_at_rest(&mut conn, &app.state.sealer).unwrap()
        };
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
        assert_eq!(
            stored_in_clear(&app, "13955556666"),
            Vec::<(String, String)>::new()
        );
        for (t, c, id) in &ids {
            assert_eq!(count(&app, &format!("SELECT COUNT(*) AS n FROM {t} WHERE {c}_masked = '139****6666' AND id = '{id}'")), 1, "{t}");
        }
        // Run again (a restart, or a second instance): nothing left to do.
        let again = {
            let mut conn = app.state.pool.get().unwrap();
            tongxin::phones::seal_at_rest(&mut conn, &app.state.sealer).unwrap()
        };
        assert!(again.iter().all(|(_, n)| *n == 0), "{again:?}");
        // The numbers open again, each for its own row.
        let street = app.token("street1").await;
        let admin = app.token("admin").await;
        let hh = &ids[0].2;
        assert_eq!(
            app.get(&admin, &format!("/api/v1/households/{hh}?unmask=true"))
                .await
                .expect(200)
                .body["head_phone"],
            "13955556666"
        );
        assert_eq!(
            app.get(&admin, &format!("/api/v1/members/{}?unmask=true", ids[1].2))
                .await
                .expect(200)
                .body["phone"],
            "13955556666"
        );
        assert_eq!(
            app.get(
                &admin,
                &format!("/api/v1/volunteers/{}?unmask=true", ids[2].2)
            )
            .await
            .expect(200)
            .body["phone"],
            "13955556666"
        );
        assert_eq!(
            app.get(&street, &format!("/api/v1/units/{}?unmask=true", ids[3].2))
                .await
                .expect(200)
                .body["contact_phone"],
            "13955556666"
        );
        assert_eq!(
            app.get(
                &admin,
                &format!("/api/v1/service-orders/{}?unmask=true", ids[4].2)
            )
            .await
            .expect(200)
            .body["contact_phone"],
            "13955556666"
        );
        assert_eq!(
            app.get(
                &admin,
                &format!("/api/v1/concerns/{}?unmask=true", ids[5].2)
            )
            .await
            .expect(200)
            .body["contact_phone"],
            "13955556666"
        );
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
