//! The test harness: a fresh database per test (a SQLite file, or a uniquely named PostgreSQL
//! database when `TONGXIN_TEST_POSTGRES_URL` is set), the demo district loaded, and helpers to
//! call the real `app(state)` as a client would.
use std::net::SocketAddr;

use actix_web::http::{header, StatusCode};
use actix_web::test;
use actix_web::web;
use serde_json::Value;
use tongxin::config::AuthArgs;
use tongxin::db::{self, Backend, DbPool};
use tongxin::AppState;

pub struct Resp {
    pub status: StatusCode,
    pub headers: header::HeaderMap,
    pub body: Value,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    }
    #[track_caller]
    pub fn expect(self, status: u16) -> Resp {
        assert_eq!(
            self.status.as_u16(),
            status,
            "unexpected status; body: {}",
            self.body
        );
        self
    }
    /// Asserts a problem+json error with this status and code.
    #[track_caller]
    pub fn problem(self, status: u16, code: &str) -> Resp {
        assert_eq!(
            self.status.as_u16(),
            status,
            "unexpected status; body: {}",
            self.body
        );
        assert_eq!(
            self.header("content-type").as_deref(),
            Some("application/problem+json"),
            "body: {}",
            self.body
        );
        assert_eq!(self.body["code"], code, "body: {}", self.body);
        assert_eq!(self.body["status"], status);
        assert!(
            self.body["title"].is_string()
                && self.body["detail"].is_string()
                && self.body["type"].is_string()
        );
        self
    }
    pub fn id(&self) -> String {
        self.body["id"].as_str().expect("an id").to_string()
    }
}

enum Cleanup {
    SqliteDir(std::path::PathBuf),
    Postgres { admin_url: String, name: String },
}

pub struct TestApp {
    pub state: web::Data<AppState>,
    #[allow(dead_code)]
    pub backend: Backend,
    /// The client address requests come from.
    pub peer: std::cell::Cell<SocketAddr>,
    cleanup: Option<Cleanup>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        match self.cleanup.take() {
            Some(Cleanup::SqliteDir(dir)) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Some(Cleanup::Postgres { admin_url, name }) => {
                use diesel::connection::SimpleConnection;
                use diesel::Connection;
                if let Ok(mut c) = diesel::PgConnection::establish(&admin_url) {
                    let _ = c
                        .batch_execute(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"));
                }
            }
            None => {}
        }
    }
}

pub fn test_auth() -> AuthArgs {
    // No grace for a just-rotated refresh token: the tests reuse tokens at once to mean theft
    // (`trust::two_tabs_refreshing_at_once_are_a_race_not_theft` sets one).
    AuthArgs {
        login_rate_per_minute: 1000,
        refresh_grace_secs: 0,
        ..AuthArgs::default()
    }
}

fn pool_for(url: &str) -> DbPool {
    let opts = db::PoolOptions {
        max_size: 4,
        ..Default::default()
    };
    let pool = db::connect(url, &opts).expect("test database opens");
    let mut conn = pool.get().expect("a connection");
    db::migrate(&mut conn).expect("migrations run");
    pool
}

impl TestApp {
    /// A SQLite-backed app with an empty database.
    pub fn sqlite_empty(auth: AuthArgs) -> TestApp {
        let dir =
            std::env::temp_dir().join(format!("tongxin-test-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        let url = format!("sqlite://{}", dir.join("test.db").display());
        let pool = pool_for(&url);
        Self::with_pool(pool, Backend::Sqlite, auth, Some(Cleanup::SqliteDir(dir)))
    }

    /// A PostgreSQL-backed app in a new database, or `None` when no server is configured.
    /// With `TONGXIN_REQUIRE_POSTGRES=1` a missing or unreachable server fails the test.
    pub fn postgres_empty(auth: AuthArgs) -> Option<TestApp> {
        use diesel::connection::SimpleConnection;
        use diesel::Connection;
        let required = std::env::var("TONGXIN_REQUIRE_POSTGRES").is_ok_and(|v| v == "1");
        let Ok(admin_url) = std::env::var("TONGXIN_TEST_POSTGRES_URL") else {
            assert!(
                !required,
                "TONGXIN_REQUIRE_POSTGRES=1 but TONGXIN_TEST_POSTGRES_URL is not set"
            );
            eprintln!("skipping the PostgreSQL run: TONGXIN_TEST_POSTGRES_URL is not set");
            return None;
        };
        let name = format!("tongxin_test_{}", uuid::Uuid::new_v4().simple());
        let mut admin = match diesel::PgConnection::establish(&admin_url) {
            Ok(c) => c,
            Err(e) => {
                assert!(!required, "PostgreSQL at {admin_url} is unreachable: {e}");
                eprintln!("skipping the PostgreSQL run: {e}");
                return None;
            }
        };
        admin
            .batch_execute(&format!("CREATE DATABASE \"{name}\""))
            .expect("create the test database");
        let (base, _) = admin_url.rsplit_once('/').expect("URL has a database part");
        let url = format!("{base}/{name}");
        let pool = pool_for(&url);
        Some(Self::with_pool(
            pool,
            Backend::Postgres,
            auth,
            Some(Cleanup::Postgres { admin_url, name }),
        ))
    }

    fn with_pool(
        pool: DbPool,
        backend: Backend,
        auth: AuthArgs,
        cleanup: Option<Cleanup>,
    ) -> TestApp {
        let state = web::Data::new(AppState::new(pool, &[42u8; 32], auth, None));
        TestApp {
            state,
            backend,
            peer: std::cell::Cell::new("10.9.8.7:40000".parse().unwrap()),
            cleanup,
        }
    }

    pub fn load_demo(self) -> TestApp {
        let mut conn = self.state.pool.get().unwrap();
        tongxin::demo::load(&mut conn, &self.state.sealer).expect("demo data loads");
        drop(conn);
        self
    }

    pub async fn call(&self, req: test::TestRequest) -> Resp {
        let app = test::init_service(tongxin::app(self.state.clone())).await;
        let res = test::call_service(&app, req.peer_addr(self.peer.get()).to_request()).await;
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = test::read_body(res).await;
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()))
        };
        Resp {
            status,
            headers,
            body,
        }
    }

    pub async fn login_raw(&self, username: &str, password: &str) -> Resp {
        self.call(
            test::TestRequest::post()
                .uri("/api/v1/auth/login")
                .set_json(serde_json::json!({"username": username, "password": password})),
        )
        .await
    }

    /// Signs in any account and returns its access token.
    pub async fn token_for(&self, username: &str, password: &str) -> String {
        let r = self.login_raw(username, password).await.expect(200);
        r.body["access_token"].as_str().unwrap().to_string()
    }

    /// Signs in a demo account and returns its access token.
    pub async fn token(&self, username: &str) -> String {
        let r = self
            .login_raw(username, tongxin::demo::PASSWORD)
            .await
            .expect(200);
        r.body["access_token"].as_str().unwrap().to_string()
    }

    pub async fn get(&self, token: &str, uri: &str) -> Resp {
        self.call(
            test::TestRequest::get()
                .uri(uri)
                .insert_header(bearer(token)),
        )
        .await
    }

    pub async fn post(&self, token: &str, uri: &str, body: Value) -> Resp {
        self.call(
            test::TestRequest::post()
                .uri(uri)
                .insert_header(bearer(token))
                .set_json(body),
        )
        .await
    }

    pub async fn patch(&self, token: &str, uri: &str, body: Value, if_match: Option<i64>) -> Resp {
        let mut req = test::TestRequest::patch()
            .uri(uri)
            .insert_header(bearer(token))
            .set_json(body);
        if let Some(v) = if_match {
            req = req.insert_header((header::IF_MATCH, format!("\"{v}\"")));
        }
        self.call(req).await
    }

    pub async fn put(&self, token: &str, uri: &str, body: Value) -> Resp {
        self.call(
            test::TestRequest::put()
                .uri(uri)
                .insert_header(bearer(token))
                .set_json(body),
        )
        .await
    }

    pub async fn delete(&self, token: &str, uri: &str) -> Resp {
        self.call(
            test::TestRequest::delete()
                .uri(uri)
                .insert_header(bearer(token)),
        )
        .await
    }

    /// The id of the first region or branch (as the admin sees it) whose name is `name`.
    pub async fn find_id(&self, collection: &str, name: &str) -> String {
        let admin = self.token("admin").await;
        let q: String = url_encode(name);
        let r = self
            .get(&admin, &format!("/api/v1/{collection}?q={q}&per_page=100"))
            .await
            .expect(200);
        r.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["name"] == name)
            .unwrap_or_else(|| panic!("no {collection} named {name}"))["id"]
            .as_str()
            .unwrap()
            .to_string()
    }

    /// Audit events about one record, newest first.
    pub async fn audit_for(&self, entity_id: &str) -> Vec<Value> {
        let admin = self.token("admin").await;
        let r = self
            .get(
                &admin,
                &format!("/api/v1/audit-events?entity_id={entity_id}&per_page=100"),
            )
            .await
            .expect(200);
        r.body["items"].as_array().unwrap().clone()
    }
}

pub fn bearer(token: &str) -> (header::HeaderName, String) {
    (header::AUTHORIZATION, format!("Bearer {token}"))
}

pub fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Runs a scenario against SQLite and, when configured, PostgreSQL — each with a fresh database.
#[macro_export]
macro_rules! both_backends {
    ($(#[$meta:meta])* $name:ident, |$app:ident| $body:block) => {
        $crate::both_backends!($(#[$meta])* $name, auth = $crate::common::test_auth(), |$app| $body);
    };
    ($(#[$meta:meta])* $name:ident, auth = $auth:expr, |$app:ident| $body:block) => {
        $(#[$meta])*
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            #[allow(unused_imports)]
            use $crate::common::*;

            async fn scenario($app: TestApp) $body

            #[actix_web::test]
            async fn sqlite() {
                // Boxed: a long scenario's future is too big for a test thread's stack.
                Box::pin(scenario(TestApp::sqlite_empty($auth).load_demo())).await
            }

            #[actix_web::test]
            async fn postgres() {
                if let Some(app) = TestApp::postgres_empty($auth) {
                    Box::pin(scenario(app.load_demo())).await
                }
            }
        }
    };
}
