//! Storage: one diesel code path over SQLite (embedded default) and PostgreSQL (production).
//!
//! The backend is chosen from the URL scheme; an unknown scheme is an error, never a silent
//! fallback to a SQLite file. Handlers reach the database only through [`run`], which takes the
//! pooled connection inside `web::block`, so blocking diesel calls never occupy an actix worker.
pub mod any_of;
pub mod schema;

use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::r2d2::{CustomizeConnection, ManageConnection, Pool, PooledConnection};
use diesel::{Connection, PgConnection, SqliteConnection};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use crate::error::ApiError;

pub const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations/sqlite");
pub const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations/postgres");

#[derive(diesel::MultiConnection)]
pub enum DbConn {
    Sqlite(SqliteConnection),
    Pg(PgConnection),
}

pub type DbPool = Pool<DbManager>;
pub type PooledConn = PooledConnection<DbManager>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl DbConn {
    pub fn backend(&self) -> Backend {
        match self {
            DbConn::Sqlite(_) => Backend::Sqlite,
            DbConn::Pg(_) => Backend::Postgres,
        }
    }
}

/// Which backend a database URL names. `sqlite://path`, `sqlite:path` and `file:` are SQLite;
/// `postgres://` and `postgresql://` are PostgreSQL; anything else is refused.
pub fn backend_of(url: &str) -> Result<Backend, String> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Backend::Postgres)
    } else if url.starts_with("sqlite:") || url.starts_with("file:") {
        Ok(Backend::Sqlite)
    } else {
        Err(format!(
            "unsupported database URL scheme in {:?}: use sqlite://<file> or postgres://…",
            redact_url(url)
        ))
    }
}

/// The path diesel's SQLite connection expects (it does not understand `sqlite://`).
pub fn sqlite_path(url: &str) -> &str {
    url.strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url)
}

/// A URL fit for logs: any password is replaced by `***`.
pub fn redact_url(url: &str) -> String {
    if let Some((scheme, rest)) = url.split_once("://") {
        if let Some((creds, host)) = rest.split_once('@') {
            if let Some((user, _)) = creds.split_once(':') {
                return format!("{scheme}://{user}:***@{host}");
            }
        }
    }
    url.to_string()
}

#[derive(Debug, Clone)]
pub struct PoolOptions {
    pub max_size: u32,
    pub connection_timeout: Duration,
    pub busy_timeout_ms: u32,
}

impl Default for PoolOptions {
    fn default() -> Self {
        PoolOptions {
            max_size: 8,
            connection_timeout: Duration::from_secs(5),
            busy_timeout_ms: 5000,
        }
    }
}

/// Opens connections of the backend chosen once from the URL (the derived `establish` would try
/// each backend in turn, and SQLite accepts any string as a file name).
#[derive(Debug)]
pub struct DbManager {
    backend: Backend,
    url: String,
}

impl ManageConnection for DbManager {
    type Connection = DbConn;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<DbConn, Self::Error> {
        let conn = match self.backend {
            Backend::Sqlite => SqliteConnection::establish(&self.url).map(DbConn::Sqlite),
            Backend::Postgres => PgConnection::establish(&self.url).map(DbConn::Pg),
        };
        conn.map_err(diesel::r2d2::Error::ConnectionError)
    }

    fn is_valid(&self, conn: &mut DbConn) -> Result<(), Self::Error> {
        conn.batch_execute("SELECT 1")
            .map_err(diesel::r2d2::Error::QueryError)
    }

    fn has_broken(&self, _conn: &mut DbConn) -> bool {
        false
    }
}

/// Per-connection settings applied whenever the pool opens a connection.
#[derive(Debug)]
struct ConnectionSetup {
    busy_timeout_ms: u32,
}

impl CustomizeConnection<DbConn, diesel::r2d2::Error> for ConnectionSetup {
    fn on_acquire(&self, conn: &mut DbConn) -> Result<(), diesel::r2d2::Error> {
        match conn {
            // One statement each: busy_timeout first so that switching to WAL waits for a
            // concurrent opener instead of failing with SQLITE_BUSY. synchronous=FULL because this
            // is a system of record: an acknowledged write must survive power loss.
            DbConn::Sqlite(c) => {
                for pragma in [
                    format!("PRAGMA busy_timeout = {};", self.busy_timeout_ms),
                    "PRAGMA journal_mode = WAL;".to_string(),
                    "PRAGMA synchronous = FULL;".to_string(),
                    "PRAGMA foreign_keys = ON;".to_string(),
                ] {
                    c.batch_execute(&pragma)
                        .map_err(diesel::r2d2::Error::QueryError)?;
                }
                Ok(())
            }
            DbConn::Pg(c) => c
                .batch_execute("SET TIME ZONE 'UTC';")
                .map_err(diesel::r2d2::Error::QueryError),
        }
    }
}

/// Opens the pool. For SQLite the parent directory is created first.
pub fn connect(url: &str, opts: &PoolOptions) -> Result<DbPool, String> {
    let backend = backend_of(url)?;
    let manager_url = match backend {
        Backend::Sqlite => {
            let path = sqlite_path(url);
            if let Some(parent) = std::path::Path::new(path).parent() {
                if !parent.as_os_str().is_empty() {
                    std::fs::create_dir_all(parent)
                        .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
                }
            }
            // WAL is a property of the file: switch once here, before the pool opens connections
            // concurrently and they race for the lock the switch needs.
            let mut first = SqliteConnection::establish(path)
                .map_err(|e| format!("cannot open {path}: {e}"))?;
            first
                .batch_execute(&format!(
                    "PRAGMA busy_timeout = {}; PRAGMA journal_mode = WAL;",
                    opts.busy_timeout_ms
                ))
                .map_err(|e| format!("cannot switch {path} to WAL: {e}"))?;
            path.to_string()
        }
        Backend::Postgres => url.to_string(),
    };
    Ok(Pool::builder()
        .max_size(opts.max_size)
        .connection_timeout(opts.connection_timeout)
        .connection_customizer(Box::new(ConnectionSetup {
            busy_timeout_ms: opts.busy_timeout_ms,
        }))
        // A PostgreSQL connection can die with its server or the network, so it is checked before
        // each use; a SQLite connection is an open file that cannot, and checking it cost a
        // statement on every request.
        .test_on_check_out(backend == Backend::Postgres)
        // Unchecked: connections open on demand, so a database that is down makes `/readyz` answer
        // 503 (and `tongxin serve` stop at its migration step with a clear message) instead of
        // failing inside the pool builder.
        .build_unchecked(DbManager {
            backend,
            url: manager_url,
        }))
}

/// Runs the embedded migrations for the connection's backend; returns how many were applied.
pub fn migrate(conn: &mut DbConn) -> Result<usize, String> {
    let applied = match conn {
        DbConn::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS).map(|v| v.len()),
        DbConn::Pg(c) => c
            .run_pending_migrations(POSTGRES_MIGRATIONS)
            .map(|v| v.len()),
    };
    applied.map_err(|e| format!("migration failed: {e}"))
}

/// Runs blocking database work on the blocking thread pool, with a pooled connection taken there.
/// The request's [`scope`] (its idempotency key) travels with it to the blocking thread, where
/// [`write`] marks the key inside the business transaction.
pub async fn run<T, F>(pool: &DbPool, f: F) -> Result<T, ApiError>
where
    F: FnOnce(&mut DbConn) -> Result<T, ApiError> + Send + 'static,
    T: Send + 'static,
{
    let pool = pool.clone();
    let scope = scope::current();
    actix_web::web::block(move || {
        let mut conn = pool
            .get()
            .map_err(|e| ApiError::unavailable(format!("database pool: {e}")))?;
        scope::enter(scope, || f(&mut conn))
    })
    .await
    .map_err(|e| ApiError::internal(format!("blocking task failed: {e}")))?
}

/// Runs `f` in a write transaction. On SQLite it begins with `BEGIN IMMEDIATE`, taking the write
/// lock before the first read: a deferred transaction that reads and then writes fails at once
/// with "database is locked" when another writer committed in between (the busy timeout does not
/// apply to that upgrade), which turned concurrent writes into 500s. Nested calls become
/// savepoints; PostgreSQL uses a plain transaction.
pub fn write<T, E, F>(conn: &mut DbConn, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConn) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    use diesel::connection::{AnsiTransactionManager, TransactionManager};
    let outermost = match conn {
        DbConn::Sqlite(s) => AnsiTransactionManager::transaction_manager_status_mut(s)
            .transaction_depth()?
            .is_none(),
        DbConn::Pg(p) => AnsiTransactionManager::transaction_manager_status_mut(p)
            .transaction_depth()?
            .is_none(),
    };
    if !outermost {
        return conn.transaction(f);
    }
    // The business change and the mark on the request's idempotency key commit together.
    let body = |c: &mut DbConn| -> Result<T, E> {
        let v = f(c)?;
        scope::mark_committed(c)?;
        Ok(v)
    };
    let result = match conn {
        DbConn::Pg(_) => conn.transaction(body),
        DbConn::Sqlite(s) => {
            AnsiTransactionManager::begin_transaction_sql(s, "BEGIN IMMEDIATE")?;
            let result = body(conn);
            let DbConn::Sqlite(s) = conn else {
                unreachable!("matched above")
            };
            match result {
                Ok(v) => AnsiTransactionManager::commit_transaction(s)
                    .map(|_| v)
                    .map_err(E::from),
                Err(e) => {
                    // The statement that failed may have ended the transaction already; the error
                    // that matters is the caller's.
                    let _ = AnsiTransactionManager::rollback_transaction(s);
                    Err(e)
                }
            }
        }
    };
    scope::finish(result.is_ok());
    result
}

/// Work to do once the outermost [`write`] on this thread has committed (cache invalidation):
/// run then, dropped on rollback, and at once when no transaction is open. Invalidating inside the
/// transaction instead let a request between the invalidation and the commit cache the old data.
pub fn after_commit(conn: &mut DbConn, hook: impl FnOnce() + 'static) {
    use diesel::connection::{AnsiTransactionManager, TransactionManager};
    let open = match conn {
        DbConn::Sqlite(s) => AnsiTransactionManager::transaction_manager_status_mut(s)
            .transaction_depth()
            .ok()
            .flatten()
            .is_some(),
        DbConn::Pg(p) => AnsiTransactionManager::transaction_manager_status_mut(p)
            .transaction_depth()
            .ok()
            .flatten()
            .is_some(),
    };
    if open {
        scope::defer(Box::new(hook));
    } else {
        hook();
    }
}

/// What a request carries into its database work: the idempotency key's row (claimed by the
/// middleware) and the hooks its transactions defer to after their commit.
pub mod scope {
    use std::cell::RefCell;

    use diesel::prelude::*;

    use super::DbConn;
    use crate::db::schema::idempotency_keys;

    tokio::task_local! {
        static KEY: Option<String>;
    }

    thread_local! {
        static ON_THREAD: RefCell<Option<String>> = const { RefCell::new(None) };
        static DEFERRED: RefCell<Vec<Box<dyn FnOnce()>>> = RefCell::new(Vec::new());
    }

    /// Runs a request's future with its claimed idempotency key row.
    pub async fn with_key<F: std::future::Future>(row_id: String, fut: F) -> F::Output {
        KEY.scope(Some(row_id), fut).await
    }

    pub(super) fn current() -> Option<String> {
        KEY.try_with(|k| k.clone()).ok().flatten()
    }

    pub(super) fn enter<T>(key: Option<String>, f: impl FnOnce() -> T) -> T {
        let previous = ON_THREAD.with(|k| k.replace(key));
        let out = f();
        ON_THREAD.with(|k| *k.borrow_mut() = previous);
        out
    }

    /// Inside the outermost write transaction: the key's request has now been carried out.
    pub(super) fn mark_committed(conn: &mut DbConn) -> QueryResult<()> {
        if let Some(id) = ON_THREAD.with(|k| k.borrow().clone()) {
            diesel::update(idempotency_keys::table.find(&id))
                .set(idempotency_keys::committed_at.eq(Some(chrono::Utc::now().naive_utc())))
                .execute(conn)?;
        }
        Ok(())
    }

    pub(super) fn defer(hook: Box<dyn FnOnce()>) {
        DEFERRED.with(|d| d.borrow_mut().push(hook));
    }

    pub(super) fn finish(committed: bool) {
        let hooks = DEFERRED.with(|d| std::mem::take(&mut *d.borrow_mut()));
        if committed {
            hooks.into_iter().for_each(|h| h());
        }
    }
}
