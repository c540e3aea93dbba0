//! Fresh, migrated stores for tests: always SQLite (a file in a temporary
//! directory), and PostgreSQL too when `PASSERELLE_TEST_POSTGRES_URL` names a server
//! where the user may create databases. Each call gets its own database, so tests
//! run in parallel without seeing each other.

use crate::{Backend, Store, StoreError};
use sqlx::Connection;

pub const POSTGRES_ENV: &str = "PASSERELLE_TEST_POSTGRES_URL";

/// The engines the tests should run on.
pub fn backends() -> Vec<Backend> {
    let mut b = vec![Backend::Sqlite];
    if std::env::var(POSTGRES_ENV).is_ok_and(|u| !u.is_empty()) {
        b.push(Backend::Postgres);
    }
    b
}

fn unique_name() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!(
        "t{}_{}_{}",
        std::process::id(),
        nanos % 1_000_000_000_000,
        N.fetch_add(1, Ordering::Relaxed)
    )
}

/// A database URL for a fresh, empty database on `backend`.
pub async fn fresh_url(backend: Backend) -> Result<String, StoreError> {
    match backend {
        Backend::Sqlite => {
            let dir = std::env::temp_dir().join("passerelle-tests");
            std::fs::create_dir_all(&dir).map_err(|e| StoreError::Migrate(e.to_string()))?;
            Ok(format!(
                "sqlite://{}?mode=rwc",
                dir.join(format!("{}.db", unique_name())).display()
            ))
        }
        Backend::Postgres => {
            sqlx::any::install_default_drivers();
            let admin = std::env::var(POSTGRES_ENV)
                .map_err(|_| StoreError::Migrate(format!("{POSTGRES_ENV} is not set")))?;
            let name = format!("passerelle_{}", unique_name());
            let mut conn = sqlx::AnyConnection::connect(&admin).await?;
            sqlx::query(sqlx::AssertSqlSafe(format!("create database {name}")))
                .execute(&mut conn)
                .await?;
            conn.close().await?;
            let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin);
            let query = admin
                .split_once('?')
                .map(|(_, q)| format!("?{q}"))
                .unwrap_or_default();
            Ok(format!("{base}/{name}{query}"))
        }
    }
}

/// A fresh database on `backend`, migrated.
pub async fn fresh_store(backend: Backend) -> Result<Store, StoreError> {
    let store = Store::connect(&fresh_url(backend).await?).await?;
    store.migrate().await?;
    Ok(store)
}

/// Edits an audit row behind the application's back, as an attacker with database
/// access would: for the tests that prove the chain detects it.
pub async fn tamper_audit_row(store: &Store, seq: i64) -> Result<(), StoreError> {
    let mut conn = store.conn().await?;
    sqlx::query("update audit_log set action = 'nothing_to_see' where seq = $1")
        .bind(seq)
        .execute(&mut *conn)
        .await?;
    Ok(())
}
