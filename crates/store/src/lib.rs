//! Passerelle's storage: every SQL statement lives here, next to the method that
//! runs it.
//!
//! One code path serves both engines. SQLite is the embedded default (a file in the
//! data directory, WAL mode); PostgreSQL is the production store. Both are reached
//! through sqlx's `Any` driver with runtime queries, `$n` placeholders and only the
//! types `Any` carries: ids and counts are 64-bit integers, timestamps are UTC text
//! (see [`now`]), booleans are integers. The migrations exist once per engine with the
//! same file names (a test checks the two lists match), because the two dialects
//! differ on identity columns.
//!
//! Functions take a `&mut AnyConnection` so the service layer can run several of
//! them, and the audit row that records them, in one transaction ([`Store::begin`]).

pub mod audit;
pub mod casework;
pub mod directory;
pub mod error;
pub mod exchange;
pub mod facts;
pub mod frameworks;
pub mod governance;
pub mod orgs;
pub mod report;
pub mod reporting;
pub mod sessions;
pub mod territories;
pub mod testing;
pub mod users;
pub mod values;

pub use error::StoreError;
pub use sqlx::AnyConnection as Conn;
/// The driver error, re-exported so callers can convert it without naming sqlx.
pub use sqlx::Error as SqlError;

use sqlx::any::AnyPoolOptions;
use sqlx::{Any, AnyPool, Executor};
use std::time::Duration;

/// A write transaction. Commit it, or dropping it rolls everything back.
pub type Tx = sqlx::Transaction<'static, Any>;
/// A connection taken from the pool (given back when dropped).
pub type PoolConn = sqlx::pool::PoolConnection<Any>;

/// Which engine a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn from_url(url: &str) -> Result<Backend, StoreError> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else {
            Err(StoreError::UnsupportedUrl {
                url: redact_url(url),
            })
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// The database, with its connection pool.
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
}

impl Store {
    /// Connects to `url` (`sqlite://path?mode=rwc` or `postgres://…`). The error
    /// names the URL with its password elided and says why it failed.
    pub async fn connect(url: &str) -> Result<Store, StoreError> {
        sqlx::any::install_default_drivers();
        let backend = Backend::from_url(url)?;
        let options = AnyPoolOptions::new().acquire_timeout(Duration::from_secs(10));
        let options = match backend {
            // No ping before lending a connection: an SQLite connection is a file
            // handle in this process, with nothing to go stale, and the ping was a
            // round trip to the connection's thread on every acquire (a case page
            // acquires three).
            Backend::Sqlite => options
                .max_connections(8)
                .test_before_acquire(false)
                .after_connect(|conn, _| {
                    Box::pin(async move {
                        // WAL lets readers go on while one writer writes; the busy timeout
                        // makes a second writer wait instead of failing at once.
                        conn.execute("pragma journal_mode = wal").await?;
                        conn.execute("pragma busy_timeout = 10000").await?;
                        conn.execute("pragma foreign_keys = on").await?;
                        conn.execute("pragma synchronous = normal").await?;
                        // The engine's `group by` and `count(distinct)` sort in temporary
                        // b-trees: in memory, with a page cache large enough for a
                        // dashboard's index ranges (32 MB per connection).
                        conn.execute("pragma temp_store = memory").await?;
                        conn.execute("pragma cache_size = -32768").await?;
                        // Read pages through the OS cache without copying (1 GiB mapped).
                        conn.execute("pragma mmap_size = 1073741824").await?;
                        // Planner statistics kept fresh as SQLite recommends for
                        // long-lived connections (bounded work, usually none).
                        conn.execute("pragma analysis_limit = 1000").await?;
                        conn.execute("pragma optimize = 0x10002").await?;
                        Ok(())
                    })
                }),
            Backend::Postgres => options.max_connections(16),
        };
        let pool = options
            .connect(url)
            .await
            .map_err(|source| StoreError::Connect {
                url: redact_url(url),
                reason: connect_reason(&source),
            })?;
        Ok(Store { pool, backend })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Applies the migrations not yet applied. Idempotent.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        let migrator = match self.backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        };
        migrator
            .run(&self.pool)
            .await
            .map_err(|e| StoreError::Migrate(e.to_string()))
    }

    /// Begins a write transaction. On SQLite it takes the write lock at once
    /// (`begin immediate`) so two writers queue instead of failing when the first
    /// tries to upgrade a read lock.
    pub async fn begin(&self) -> Result<Tx, StoreError> {
        let tx = match self.backend {
            Backend::Sqlite => self.pool.begin_with("begin immediate").await?,
            Backend::Postgres => self.pool.begin().await?,
        };
        Ok(tx)
    }

    /// Refreshes the query planner's statistics after a bulk load. Why: SQLite's
    /// connections gather statistics when they open (`pragma optimize`), so statistics
    /// taken while a table was nearly empty would still steer the plans after a million
    /// rows arrive (measured: search before create over 100,000 people just loaded, p95
    /// 16.7 ms without the refresh, 3.0 ms with it). Bounded work (`analysis_limit`); on
    /// PostgreSQL an `analyze`, which autovacuum would otherwise do later.
    pub async fn refresh_statistics(&self) -> Result<(), StoreError> {
        let mut conn = self.pool.acquire().await?;
        match self.backend {
            Backend::Sqlite => {
                conn.execute("analyze").await?;
                // Each connection keeps the statistics it read with the schema: a schema
                // change (a table made and dropped) makes every connection of the pool
                // read the schema, and the new statistics, again.
                conn.execute("create table if not exists refresh_statistics_marker (x integer)")
                    .await?;
                conn.execute("drop table refresh_statistics_marker").await?;
            }
            Backend::Postgres => {
                conn.execute("analyze").await?;
            }
        }
        Ok(())
    }

    /// A connection for reads that need no transaction.
    pub async fn conn(&self) -> Result<PoolConn, StoreError> {
        Ok(self.pool.acquire().await?)
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// The file names of the migrations for one engine, in order.
pub fn migration_names(backend: Backend) -> Vec<String> {
    let migrator = match backend {
        Backend::Sqlite => &SQLITE_MIGRATIONS,
        Backend::Postgres => &POSTGRES_MIGRATIONS,
    };
    migrator
        .iter()
        .map(|m| format!("{}_{}", m.version, m.description))
        .collect()
}

/// The current time as stored: UTC, RFC 3339 with microseconds and `Z`, so text
/// order is time order on both engines.
pub fn now() -> String {
    format_ts(time::OffsetDateTime::now_utc())
}

pub fn format_ts(t: time::OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.microsecond()
    )
}

/// Removes the password from a database URL before it is shown or logged.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    match rest.rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split(':').next().unwrap_or("");
            if userinfo.contains(':') {
                format!("{scheme}://{user}:***@{host}")
            } else {
                format!("{scheme}://{user}@{host}")
            }
        }
        None => url.to_string(),
    }
}

fn connect_reason(e: &sqlx::Error) -> String {
    match e {
        sqlx::Error::Io(io) => io.to_string(),
        sqlx::Error::Database(db) => db.message().to_string(),
        sqlx::Error::PoolTimedOut => "timed out waiting for the server".to_string(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_redacted() {
        assert_eq!(
            redact_url("postgres://app:s3cret@db:5432/p"),
            "postgres://app:***@db:5432/p"
        );
        assert_eq!(redact_url("postgres://app@db/p"), "postgres://app@db/p");
        assert_eq!(
            redact_url("sqlite:///var/lib/p.db"),
            "sqlite:///var/lib/p.db"
        );
        assert_eq!(
            redact_url("postgres://u:p@ss@h/db"),
            "postgres://u:***@h/db"
        );
    }

    #[test]
    fn both_engines_have_the_same_migrations() {
        let sqlite = migration_names(Backend::Sqlite);
        assert!(!sqlite.is_empty());
        assert_eq!(sqlite, migration_names(Backend::Postgres));
    }

    #[test]
    fn timestamps_sort_as_text() {
        let a = format_ts(time::macros::datetime!(2026-01-02 03:04:05.000_006 UTC));
        assert_eq!(a, "2026-01-02T03:04:05.000006Z");
        let b = format_ts(time::macros::datetime!(2026-01-02 03:04:05.1 UTC));
        assert!(a < b);
    }
}
