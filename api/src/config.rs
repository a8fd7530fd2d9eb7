//! Configuration from flags and `TONGXIN_*` environment variables, in one place.
use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

use crate::db::{redact_url, PoolOptions};

/// Settings shared by every subcommand that opens the database.
#[derive(Debug, Clone, Args)]
pub struct DbArgs {
    /// Database URL: `sqlite://<file>` (default `<data-dir>/tongxin.db`) or `postgres://…`.
    #[arg(long, env = "TONGXIN_DATABASE_URL")]
    pub database_url: Option<String>,
    /// Directory for the SQLite file and the generated JWT secret.
    #[arg(long, env = "TONGXIN_DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,
    /// Maximum pooled database connections.
    #[arg(long, env = "TONGXIN_POOL_SIZE", default_value_t = 8)]
    pub pool_size: u32,
    /// Seconds to wait for a pooled connection before answering 503.
    #[arg(long, env = "TONGXIN_POOL_TIMEOUT_SECS", default_value_t = 5)]
    pub pool_timeout_secs: u64,
    /// SQLite busy timeout in milliseconds.
    #[arg(long, env = "TONGXIN_SQLITE_BUSY_TIMEOUT_MS", default_value_t = 5000)]
    pub busy_timeout_ms: u32,
}

impl DbArgs {
    /// The database URL; `demo` picks a separate SQLite file so demo data never mixes with real data.
    pub fn url(&self, demo: bool) -> String {
        match &self.database_url {
            Some(u) => u.clone(),
            None => {
                let file = if demo {
                    "tongxin-demo.db"
                } else {
                    "tongxin.db"
                };
                format!("sqlite://{}", self.data_dir.join(file).display())
            }
        }
    }
    pub fn pool_options(&self) -> PoolOptions {
        PoolOptions {
            max_size: self.pool_size.max(1),
            connection_timeout: Duration::from_secs(self.pool_timeout_secs.max(1)),
            busy_timeout_ms: self.busy_timeout_ms,
        }
    }
}

/// Settings of the HTTP service.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "TONGXIN_BIND", default_value = "127.0.0.1:8080")]
    pub bind: String,
    /// Load the demo district (into its own database file unless a URL is given).
    #[arg(long)]
    pub demo: bool,
    /// Directory of the built web app served at `/`.
    #[arg(long, env = "TONGXIN_WEB_DIR", default_value = "web/dist")]
    pub web_dir: PathBuf,
    /// HTTP worker threads (default: one per core).
    #[arg(long, env = "TONGXIN_WORKERS")]
    pub workers: Option<usize>,
    /// Reports kept in memory (visit coverage, rankings; list counts ×4, roster pages ×2); 0
    /// computes every request afresh. Each is checked against the data version it came from on
    /// every request, so it is never stale.
    #[arg(long, env = "TONGXIN_REPORT_CACHE_ENTRIES", default_value_t = 256)]
    pub report_cache_entries: usize,
    /// How long live statistics are remembered before a background refresh (0: always recount).
    #[arg(long, env = "TONGXIN_STATS_TTL_SECS", default_value_t = 60)]
    pub stats_ttl_secs: u64,
    /// Key (≥ 32 bytes) that seals ID numbers at rest. Unset: generated once into the data
    /// directory as `data-key`. Losing it makes sealed ID numbers unreadable: back it up apart
    /// from the database.
    #[arg(long, env = "TONGXIN_DATA_KEY", hide_env_values = true)]
    pub data_key: Option<String>,
    #[command(flatten)]
    pub auth: AuthArgs,
}

#[derive(Debug, Clone, Args)]
pub struct AuthArgs {
    /// HMAC secret for access tokens (≥ 32 bytes). Unset: generated once into the data directory.
    #[arg(long, env = "TONGXIN_JWT_SECRET", hide_env_values = true)]
    pub jwt_secret: Option<String>,
    /// Lifetime of an access token in seconds.
    #[arg(long, env = "TONGXIN_ACCESS_TOKEN_TTL_SECS", default_value_t = 900)]
    pub access_token_ttl_secs: u64,
    /// Lifetime of a refresh token in seconds.
    #[arg(long, env = "TONGXIN_REFRESH_TOKEN_TTL_SECS", default_value_t = 30 * 24 * 3600)]
    pub refresh_token_ttl_secs: u64,
    /// Login attempts allowed per client address per minute.
    #[arg(long, env = "TONGXIN_LOGIN_RATE_PER_MINUTE", default_value_t = 20)]
    pub login_rate_per_minute: u32,
    /// Failed sign-ins in a row from one source address that make that source wait.
    #[arg(long, env = "TONGXIN_LOCKOUT_THRESHOLD", default_value_t = 5)]
    pub lockout_threshold: u32,
    /// Seconds a just-rotated refresh token answers `refresh_token_rotated` (two tabs refreshing
    /// at once) instead of counting as reuse, which ends every session of the account.
    #[arg(long, env = "TONGXIN_REFRESH_GRACE_SECS", default_value_t = 10)]
    pub refresh_grace_secs: u64,
    /// How long a source waits after reaching the threshold, in seconds (doubling with each
    /// further failure).
    #[arg(long, env = "TONGXIN_LOCKOUT_SECS", default_value_t = 900)]
    pub lockout_secs: u64,
    /// Reverse proxies whose `X-Forwarded-For` is believed (comma-separated addresses).
    #[arg(long, env = "TONGXIN_TRUSTED_PROXIES", value_delimiter = ',')]
    pub trusted_proxies: Vec<IpAddr>,
}

impl Default for AuthArgs {
    fn default() -> Self {
        AuthArgs {
            jwt_secret: None,
            access_token_ttl_secs: 900,
            refresh_token_ttl_secs: 30 * 24 * 3600,
            login_rate_per_minute: 20,
            lockout_threshold: 5,
            lockout_secs: 900,
            refresh_grace_secs: 10,
            trusted_proxies: vec![],
        }
    }
}

/// The one line logged at start: every setting, secrets hidden.
pub fn describe(db: &DbArgs, serve: &ServeArgs, url: &str) -> String {
    format!(
        "bind={} database={} data_dir={} pool_size={} pool_timeout={}s web_dir={} workers={} demo={} \
         jwt_secret={} access_ttl={}s refresh_ttl={}s login_rate={}/min lockout={}x/{}s trusted_proxies={:?}",
        serve.bind,
        redact_url(url),
        db.data_dir.display(),
        db.pool_size,
        db.pool_timeout_secs,
        serve.web_dir.display(),
        serve.workers.map(|w| w.to_string()).unwrap_or_else(|| "auto".into()),
        serve.demo,
        if serve.auth.jwt_secret.is_some() { "set(hidden)" } else { "data-dir file" },
        serve.auth.access_token_ttl_secs,
        serve.auth.refresh_token_ttl_secs,
        serve.auth.login_rate_per_minute,
        serve.auth.lockout_threshold,
        serve.auth.lockout_secs,
        serve.auth.trusted_proxies,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        db: DbArgs,
        #[command(flatten)]
        serve: ServeArgs,
    }

    #[test]
    fn the_start_line_hides_secrets_and_passwords() {
        let cli = Cli::parse_from([
            "tongxin",
            "--database-url",
            "postgres://app:hunter2-password@db.internal/tongxin",
            "--jwt-secret",
            "a-very-secret-signing-key-of-enough-length",
        ]);
        let line = describe(&cli.db, &cli.serve, &cli.db.url(false));
        assert!(!line.contains("hunter2"), "{line}");
        assert!(!line.contains("a-very-secret"), "{line}");
        assert!(
            line.contains("postgres://app:***@db.internal/tongxin"),
            "{line}"
        );
        assert!(line.contains("jwt_secret=set(hidden)"));
    }

    #[test]
    fn demo_data_gets_its_own_sqlite_file() {
        let cli = Cli::parse_from(["tongxin", "--data-dir", "/srv/tx"]);
        assert_eq!(cli.db.url(false), "sqlite:///srv/tx/tongxin.db");
        assert_eq!(cli.db.url(true), "sqlite:///srv/tx/tongxin-demo.db");
    }
}
