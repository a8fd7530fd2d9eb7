//! Both migration sets must produce the same tables, columns, nullability and indexes.
use std::collections::BTreeSet;

use diesel::prelude::*;
use diesel::sql_types::{Integer, Text};

#[derive(QueryableByName)]
struct Column {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Integer)]
    not_null: i32,
}

#[derive(QueryableByName)]
struct Index {
    #[diesel(sql_type = Text)]
    name: String,
}

const SKIP: &str = "__diesel_schema_migrations";

#[test]
fn sqlite_and_postgres_migrations_define_the_same_schema() {
    let required = std::env::var("TONGXIN_REQUIRE_POSTGRES").is_ok_and(|v| v == "1");
    let Ok(admin_url) = std::env::var("TONGXIN_TEST_POSTGRES_URL") else {
        assert!(
            !required,
            "TONGXIN_REQUIRE_POSTGRES=1 but TONGXIN_TEST_POSTGRES_URL is not set"
        );
        eprintln!("skipping: TONGXIN_TEST_POSTGRES_URL is not set");
        return;
    };
    let sqlite = crate::common::TestApp::sqlite_empty(crate::common::test_auth());
    let Some(pg) = crate::common::TestApp::postgres_empty(crate::common::test_auth()) else {
        return;
    };
    let _ = admin_url;
    let mut s = sqlite.state.pool.get().unwrap();
    let mut p = pg.state.pool.get().unwrap();
    let s_cols: BTreeSet<(String, String, bool)> = diesel::sql_query(
        "SELECT m.name AS table_name, c.name AS column_name, (c.\"notnull\" OR c.pk > 0) AS not_null \
         FROM sqlite_master m JOIN pragma_table_info(m.name) c WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'",
    )
    .load::<Column>(&mut *s)
    .unwrap()
    .into_iter()
    .filter(|c| c.table_name != SKIP)
    .map(|c| (c.table_name, c.column_name, c.not_null != 0))
    .collect();
    let p_cols: BTreeSet<(String, String, bool)> = diesel::sql_query(
        "SELECT table_name::text AS table_name, column_name::text AS column_name, CASE WHEN is_nullable = 'NO' THEN 1 ELSE 0 END AS not_null \
         FROM information_schema.columns WHERE table_schema = 'public'",
    )
    .load::<Column>(&mut *p)
    .unwrap()
    .into_iter()
    .filter(|c| c.table_name != SKIP)
    .map(|c| (c.table_name, c.column_name, c.not_null != 0))
    .collect();
    assert!(!s_cols.is_empty());
    assert_eq!(
        s_cols, p_cols,
        "tables/columns/nullability differ between migrations/sqlite and migrations/postgres"
    );

    let s_idx: BTreeSet<String> = diesel::sql_query(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%'",
    )
    .load::<Index>(&mut *s)
    .unwrap()
    .into_iter()
    .map(|i| i.name)
    .collect();
    let p_idx: BTreeSet<String> = diesel::sql_query("SELECT indexname::text AS name FROM pg_indexes WHERE schemaname = 'public' AND indexname NOT LIKE '%_pkey'")
        .load::<Index>(&mut *p)
        .unwrap()
        .into_iter()
        .map(|i| i.name)
        .collect();
    assert_eq!(
        s_idx, p_idx,
        "indexes differ between the two migration sets"
    );
}

#[derive(QueryableByName)]
struct Pragma {
    #[diesel(sql_type = Text)]
    value: String,
}

#[test]
fn sqlite_connections_use_wal_full_sync_foreign_keys_and_a_busy_timeout() {
    let app = crate::common::TestApp::sqlite_empty(crate::common::test_auth());
    // Every pooled connection, not just the first.
    let mut conns: Vec<_> = (0..3).map(|_| app.state.pool.get().unwrap()).collect();
    for c in conns.iter_mut() {
        let get = |c: &mut tongxin::db::DbConn, sql: &str| {
            diesel::sql_query(sql)
                .get_result::<Pragma>(c)
                .unwrap()
                .value
        };
        assert_eq!(
            get(c, "SELECT journal_mode AS value FROM pragma_journal_mode"),
            "wal"
        );
        assert_eq!(
            get(
                c,
                "SELECT CAST(synchronous AS TEXT) AS value FROM pragma_synchronous"
            ),
            "2",
            "FULL"
        );
        assert_eq!(
            get(
                c,
                "SELECT CAST(foreign_keys AS TEXT) AS value FROM pragma_foreign_keys"
            ),
            "1"
        );
        assert_eq!(
            get(
                c,
                "SELECT CAST(timeout AS TEXT) AS value FROM pragma_busy_timeout"
            ),
            "5000"
        );
    }
}

#[test]
fn unknown_database_schemes_are_refused() {
    let err = tongxin::db::connect("mysql://root@localhost/x", &Default::default())
        .err()
        .unwrap();
    assert!(err.contains("unsupported database URL scheme"), "{err}");
}
