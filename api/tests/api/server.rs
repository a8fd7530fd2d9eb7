//! The real binary as an operator runs it, on SQLite and (when configured) PostgreSQL: its peak
//! memory under hostile uploads, and `kill -9` under concurrent writers with idempotency keys.
use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// One process's memory bound whatever files arrive (docs/security.md).
const MEMORY_BOUND_MB: u64 = 300;

struct Server {
    child: Child,
    port: u16,
    data_dir: std::path::PathBuf,
    db_url: Option<String>,
    pg_cleanup: Option<(String, String)>,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Server {
    /// Starts `tongxin serve --demo` on a fresh database of the backend.
    fn start(postgres: bool) -> Option<Server> {
        let data_dir =
            std::env::temp_dir().join(format!("tongxin-server-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&data_dir).unwrap();
        let (db_url, pg_cleanup) = if postgres {
            let admin = std::env::var("TONGXIN_TEST_POSTGRES_URL").ok()?;
            use diesel::connection::SimpleConnection;
            use diesel::Connection;
            let name = format!("tongxin_srv_{}", uuid::Uuid::new_v4().simple());
            let mut c =
                diesel::PgConnection::establish(&admin).expect("PostgreSQL for the server test");
            c.batch_execute(&format!("CREATE DATABASE \"{name}\""))
                .unwrap();
            let (base, _) = admin.rsplit_once('/').unwrap();
            (Some(format!("{base}/{name}")), Some((admin.clone(), name)))
        } else {
            (None, None)
        };
        let mut s = Server {
            child: Command::new("true").spawn().unwrap(),
            port: free_port(),
            data_dir,
            db_url,
            pg_cleanup,
        };
        s.child = s.spawn();
        s.wait_ready();
        Some(s)
    }

    fn spawn(&self) -> Child {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_tongxin"));
        cmd.args([
            "serve",
            "--demo",
            "--bind",
            &format!("127.0.0.1:{}", self.port),
        ])
        .env("TONGXIN_DATA_DIR", &self.data_dir)
        .env("TONGXIN_LOGIN_RATE_PER_MINUTE", "10000")
        .env("RUST_LOG", "error")
        .env_remove("TONGXIN_JWT_SECRET")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
        match &self.db_url {
            Some(u) => cmd.env("TONGXIN_DATABASE_URL", u),
            None => cmd.env_remove("TONGXIN_DATABASE_URL"),
        };
        cmd.spawn().expect("the server starts")
    }

    fn wait_ready(&self) {
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(120) {
            if http(self.port, "GET", "/readyz", &[], b"").map(|r| r.0) == Some(200) {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("the server did not become ready");
    }

    fn kill9_and_restart(&mut self) {
        self.child.kill().unwrap(); // SIGKILL: no shutdown, no flush
        self.child.wait().unwrap();
        self.child = self.spawn();
        self.wait_ready();
    }

    fn peak_rss_mb(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
        line.split_whitespace()
            .nth(1)
            .unwrap()
            .parse::<u64>()
            .unwrap()
            / 1024
    }

    fn token(&self, username: &str) -> String {
        let body = json!({"username": username, "password": "tongxin-demo"}).to_string();
        let (status, text, _) = http(
            self.port,
            "POST",
            "/api/v1/auth/login",
            &[("Content-Type", "application/json")],
            body.as_bytes(),
        )
        .unwrap();
        assert_eq!(status, 200, "{text}");
        serde_json::from_str::<Value>(&text).unwrap()["access_token"]
            .as_str()
            .unwrap()
            .to_string()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.data_dir);
        if let Some((admin, name)) = &self.pg_cleanup {
            use diesel::connection::SimpleConnection;
            use diesel::Connection;
            if let Ok(mut c) = diesel::PgConnection::establish(admin) {
                let _ =
                    c.batch_execute(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"));
            }
        }
    }
}

/// A plain HTTP/1.1 exchange (`Connection: close`): status, body, and the raw head. `None` when
/// the connection failed or was cut (the server died).
fn http(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Option<(u16, String, String)> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(120))).ok()?;
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: {}\r\n", body.len());
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    s.write_all(head.as_bytes()).ok()?;
    s.write_all(body).ok()?;
    let mut raw = vec![];
    s.read_to_end(&mut raw).ok()?;
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n")?;
    let status = head.split_whitespace().nth(1)?.parse().ok()?;
    Some((status, body.to_string(), head.to_string()))
}

fn multipart(filename: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    let boundary = "----tongxin-server-test";
    let mut body = format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n").into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

fn backends() -> Vec<bool> {
    let mut b = vec![false];
    if std::env::var("TONGXIN_TEST_POSTGRES_URL").is_ok() {
        b.push(true);
    }
    b
}

#[test]
fn hostile_files_keep_the_process_under_its_memory_bound() {
    for postgres in backends() {
        let Some(server) = Server::start(postgres) else {
            continue;
        };
        let admin = server.token("admin");
        let auth = format!("Bearer {admin}");
        let mut files: Vec<(String, String, Vec<u8>)> = crate::hostile::hostile_workbooks()
            .into_iter()
            .map(|(n, b, _)| (n.to_string(), "h.xlsx".to_string(), b))
            .collect();
        files.extend(
            crate::hostile::hostile_csvs()
                .into_iter()
                .map(|(n, b, _)| (n.to_string(), "h.csv".to_string(), b)),
        );
        for (name, filename, bytes) in &files {
            for uri in ["/api/v1/households/import", "/api/v1/members/import"] {
                let (ct, body) = multipart(filename, bytes);
                let (status, text, _) = http(
                    server.port,
                    "POST",
                    uri,
                    &[("Authorization", &auth), ("Content-Type", &ct)],
                    &body,
                )
                .unwrap_or_else(|| panic!("{name} on {uri}: the server did not answer"));
                assert_eq!(status, 422, "{name} on {uri}: {text}");
                assert_eq!(
                    http(server.port, "GET", "/readyz", &[], b"").map(|r| r.0),
                    Some(200),
                    "{name}: the server is down"
                );
            }
        }
        let peak = server.peak_rss_mb();
        assert!(
            peak < MEMORY_BOUND_MB,
            "peak RSS {peak} MB ≥ {MEMORY_BOUND_MB} MB (postgres: {postgres})"
        );
        eprintln!("hostile files: peak RSS {peak} MB (postgres: {postgres})");
    }
}

#[test]
fn kill_9_under_idempotent_writers_loses_nothing_and_leaves_no_key_stuck() {
    for postgres in backends() {
        let Some(mut server) = Server::start(postgres) else {
            continue;
        };
        let token = server.token("grid1");
        let auth = format!("Bearer {token}");
        let (status, text, _) = http(
            server.port,
            "GET",
            "/api/v1/households?per_page=8",
            &[("Authorization", &auth)],
            b"",
        )
        .unwrap();
        assert_eq!(status, 200, "{text}");
        let households: Vec<String> = serde_json::from_str::<Value>(&text).unwrap()["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["id"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(households.len(), 8);

        // Eight writers log visits, each with its own key, until the server is killed.
        type Sent = (String, String, String, Option<u16>); // key, household, body, status
        let sent: Arc<Mutex<Vec<Sent>>> = Arc::default();
        let port = server.port;
        let writers: Vec<_> = households
            .iter()
            .enumerate()
            .map(|(w, household)| {
                let (sent, auth, household) = (sent.clone(), auth.clone(), household.clone());
                std::thread::spawn(move || {
                    for n in 0.. {
                        let key = format!("kill-{w}-{n}");
                        let body = json!({"household_id": household, "notes": key}).to_string();
                        let answer = http(
                            port,
                            "POST",
                            "/api/v1/visits",
                            &[
                                ("Authorization", &auth),
                                ("Content-Type", "application/json"),
                                ("Idempotency-Key", &key),
                            ],
                            body.as_bytes(),
                        );
                        let status = answer.map(|a| a.0);
                        sent.lock()
                            .unwrap()
                            .push((key, household.clone(), body, status));
                        if status.is_none() {
                            return; // the server is gone
                        }
                    }
                })
            })
            .collect();
        std::thread::sleep(Duration::from_millis(1500));
        server.kill9_and_restart();
        for w in writers {
            w.join().unwrap();
        }
        let sent = std::mem::take(&mut *sent.lock().unwrap());
        let acknowledged: Vec<&Sent> = sent
            .iter()
            .filter(|s| s.3.is_some_and(|c| c == 201))
            .collect();
        assert!(
            acknowledged.len() >= 8,
            "too few writes before the kill: {}",
            acknowledged.len()
        );
        assert!(
            sent.iter().all(|s| s.3.is_none() || s.3 == Some(201)),
            "a write failed before the kill"
        );

        // Every unanswered request is retried with its key until it resolves.
        let auth = format!("Bearer {}", server.token("grid1"));
        let mut outcomes = vec![];
        for (key, _, body, _) in sent.iter().filter(|s| s.3.is_none()) {
            let deadline = Instant::now() + Duration::from_secs(90);
            loop {
                let (status, text, head) = http(
                    server.port,
                    "POST",
                    "/api/v1/visits",
                    &[
                        ("Authorization", &auth),
                        ("Content-Type", "application/json"),
                        ("Idempotency-Key", key),
                    ],
                    body.as_bytes(),
                )
                .unwrap();
                let code = serde_json::from_str::<Value>(&text)
                    .ok()
                    .and_then(|v| v["code"].as_str().map(str::to_owned))
                    .unwrap_or_default();
                if status == 409 && code == "idempotency_in_progress" && Instant::now() < deadline {
                    let wait = head
                        .lines()
                        .find_map(|l| {
                            l.to_ascii_lowercase()
                                .strip_prefix("retry-after:")
                                .map(|v| v.trim().parse::<u64>().unwrap_or(1))
                        })
                        .unwrap_or(1);
                    std::thread::sleep(Duration::from_secs(wait.min(5)));
                    continue;
                }
                assert!(
                    status == 201 || (status == 409 && code == "idempotency_answer_lost"),
                    "{key}: {status} {text}"
                );
                outcomes.push((key.clone(), status));
                break;
            }
        }
        // An acknowledged key replays its answer.
        let (key, _, body, _) = acknowledged[0];
        let (status, _, head) = http(
            server.port,
            "POST",
            "/api/v1/visits",
            &[
                ("Authorization", &auth),
                ("Content-Type", "application/json"),
                ("Idempotency-Key", key),
            ],
            body.as_bytes(),
        )
        .unwrap();
        assert_eq!(status, 201);
        assert!(
            head.to_ascii_lowercase()
                .contains("idempotent-replayed: true"),
            "{head}"
        );

        // Every acknowledged and every retried request is there exactly once.
        let mut notes: Vec<String> = vec![];
        for h in &households {
            for page in 1.. {
                let uri = format!("/api/v1/visits?household_id={h}&per_page=100&page={page}");
                let (status, text, _) =
                    http(server.port, "GET", &uri, &[("Authorization", &auth)], b"").unwrap();
                assert_eq!(status, 200, "{text}");
                let body: Value = serde_json::from_str(&text).unwrap();
                let items = body["items"].as_array().unwrap();
                notes.extend(
                    items
                        .iter()
                        .filter_map(|v| v["notes"].as_str())
                        .filter(|n| n.starts_with("kill-"))
                        .map(str::to_owned),
                );
                if items.len() < 100 {
                    break;
                }
            }
        }
        let count = |k: &str| notes.iter().filter(|n| *n == k).count();
        for (key, ..) in &acknowledged {
            assert_eq!(
                count(key),
                1,
                "acknowledged {key} present {} times",
                count(key)
            );
        }
        for (key, _) in &outcomes {
            assert_eq!(count(key), 1, "retried {key} present {} times", count(key));
        }
        eprintln!(
            "kill -9 (postgres: {postgres}): {} acknowledged, {} retried ({} answers lost), all present once",
            acknowledged.len(),
            outcomes.len(),
            outcomes.iter().filter(|o| o.1 == 409).count()
        );
    }
}
