//! Phone numbers: sealed at rest (with rows written in clear before sealed by the start-up
//! step), masked in every list and export, shown per record on an audited unmask that the person
//! can see in `GET /me/data-access`, and a provider sees the number of the one order dispatched
//! to them.
//!
//! `at_rest`: what the database holds and how lookups find it; `masked`: every list and export;
//! `unmask`: who may read a number in clear, the audit of it, and what the person sees of that.
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use serde_json::{json, Value};

use crate::common::*;

mod at_rest;
mod masked;
mod unmask;

/// Inside 斜桥巷第1网格 (as in the concerns tests).
const IN_GRID1: (f64, f64) = (119.956, 31.787);

/// The six phone columns, clear and masked.
const PHONE_COLUMNS: [(&str, &str); 6] = [
    ("households", "head_phone"),
    ("members", "phone"),
    ("volunteers", "phone"),
    ("units", "contact_phone"),
    ("service_orders", "contact_phone"),
    ("concerns", "contact_phone"),
];

/// Demo accounts' access tokens, in the order named.
async fn tokens<const N: usize>(app: &TestApp, names: [&str; N]) -> [String; N] {
    let mut out = [(); N].map(|_| String::new());
    for (token, name) in out.iter_mut().zip(names) {
        *token = app.token(name).await;
    }
    out
}

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

/// `field` is masked in every item of the list at `uri` (which answers 200).
async fn list_masked(app: &TestApp, token: &str, uri: &str, field: &str) {
    all_masked(&app.get(token, uri).await.expect(200).body["items"], field);
}

/// `keys` of `v`, as strings, to compare several fields in one assertion.
fn strs<'a, const N: usize>(v: &'a Value, keys: [&str; N]) -> [Option<&'a str>; N] {
    keys.map(|k| v[k].as_str())
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
    let req = actix_web::test::TestRequest::get()
        .uri(uri)
        .insert_header(bearer(token))
        .to_request();
    let res = actix_web::test::call_service(&service, req).await;
    assert_eq!(res.status().as_u16(), 200, "{uri}");
    String::from_utf8_lossy(&actix_web::test::read_body(res).await).into_owned()
}

/// The phone field of a record reached at `/api/v1/{kind}/{id}` (`kind` as in the path).
fn phone_field(kind: &str) -> &'static str {
    PHONE_COLUMNS
        .iter()
        .find(|(t, _)| t.replace('_', "-") == kind)
        .unwrap_or_else(|| panic!("no phone on {kind}"))
        .1
}

/// `token`'s plain read of one record (200), and the phone it shows.
async fn shown(app: &TestApp, token: &str, kind: &str, id: &str) -> Value {
    app.get(token, &format!("/api/v1/{kind}/{id}"))
        .await
        .expect(200)
        .body[phone_field(kind)]
    .clone()
}

/// `token`'s unmasked read of one record (200).
async fn unmask_read(app: &TestApp, token: &str, kind: &str, id: &str) -> Resp {
    app.get(token, &format!("/api/v1/{kind}/{id}?unmask=true"))
        .await
        .expect(200)
}

/// The phone `token`'s unmasked read of one record shows.
async fn unmasked(app: &TestApp, token: &str, kind: &str, id: &str) -> Value {
    unmask_read(app, token, kind, id).await.body[phone_field(kind)].clone()
}

/// Each reader's unmasked read of one record is refused with this status and code.
async fn refused(app: &TestApp, kind: &str, id: &str, refusals: &[(&str, u16, &str)]) {
    for &(token, status, code) in refusals {
        app.get(token, &format!("/api/v1/{kind}/{id}?unmask=true"))
            .await
            .problem(status, code);
    }
}

/// `GET /me/data-access`: the reads of `token`'s own records by others, all on one page.
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

/// The id of 七彩之光·橙, the team member1 leads.
async fn orange_team(app: &TestApp, m1: &str) -> String {
    let teams = app.get(m1, "/api/v1/volunteer-teams?mine=true").await.body["items"].clone();
    let orange = teams
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["colour"] == "orange")
        .unwrap();
    orange["id"].as_str().unwrap().to_string()
}

async fn order(app: &TestApp, token: &str, phone: &str) -> String {
    let community = xqx(app).await;
    app.post(token, "/api/v1/service-orders", json!({"community_id": community, "title": "上门理发", "contact_phone": phone, "address": "斜桥巷12号"})).await.expect(201).id()
}

async fn dispatch(app: &TestApp, token: &str, order: &str, unit: &str) {
    let body = json!({"provider_type": "unit", "provider_id": unit});
    app.post(
        token,
        &format!("/api/v1/service-orders/{order}/dispatch"),
        body,
    )
    .await
    .expect(200);
}

/// A concern in grid 1 with this callback number (201).
async fn concern(app: &TestApp, token: &str, phone: &str) -> Resp {
    app.post(token, "/api/v1/concerns", json!({"category": "environment", "title": "垃圾清运", "description": "垃圾桶满了", "lng": IN_GRID1.0, "lat": IN_GRID1.1, "contact_phone": phone})).await.expect(201)
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
    use tongxin::db::Backend::{Postgres, Sqlite};
    let names = |conn: &mut tongxin::db::DbConn, sql: String| -> Vec<String> {
        diesel::sql_query(sql)
            .load::<Name>(conn)
            .unwrap()
            .into_iter()
            .map(|n| n.name)
            .collect()
    };
    let tables = names(conn, match backend {
        Sqlite => "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'".into(),
        Postgres => "SELECT table_name::text AS name FROM information_schema.tables WHERE table_schema = 'public'".into(),
    });
    let mut out = vec![];
    for t in tables {
        let cols = names(conn, match backend {
            Sqlite => format!("SELECT name FROM pragma_table_info('{t}')"),
            Postgres => format!("SELECT column_name::text AS name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = '{t}' AND data_type IN ('text', 'character varying')"),
        });
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
        if diesel::sql_query(sql)
            .get_result::<Count>(&mut *conn)
            .unwrap()
            .n
            > 0
        {
            found.push((t, c));
        }
    }
    found
}

/// `needle` is stored nowhere: no table, no column, no row.
#[track_caller]
fn nowhere_in_clear(app: &TestApp, needle: &str) {
    assert_eq!(
        stored_in_clear(app, needle),
        Vec::<(String, String)>::new(),
        "{needle} stored in clear"
    );
}

fn count(app: &TestApp, sql: &str) -> i64 {
    let mut conn = app.state.pool.get().unwrap();
    diesel::sql_query(sql)
        .get_result::<Count>(&mut *conn)
        .unwrap()
        .n
}
