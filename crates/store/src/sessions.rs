//! Server-side sessions. The cookie carries a random token; the table stores only
//! its SHA-256, so a copy of the database does not let anyone log in.

use crate::{Conn, StoreError, now};
use passerelle_domain::UserId;
use sqlx::Row;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub user_id: UserId,
    pub csrf_token: String,
    pub expires_at: String,
    pub last_seen_at: String,
}

pub async fn insert(
    conn: &mut Conn,
    hash: &str,
    user: UserId,
    csrf: &str,
    expires_at: &str,
) -> Result<(), StoreError> {
    let ts = now();
    sqlx::query(
        "insert into session (session_hash, user_id, csrf_token, created_at, last_seen_at, expires_at)
         values ($1, $2, $3, $4, $4, $5)",
    )
    .bind(hash)
    .bind(user.0)
    .bind(csrf)
    .bind(&ts)
    .bind(expires_at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn get(conn: &mut Conn, hash: &str) -> Result<Option<Session>, StoreError> {
    let row = sqlx::query(
        "select user_id, csrf_token, expires_at, last_seen_at from session where session_hash = $1",
    )
    .bind(hash)
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|r| {
        Ok(Session {
            user_id: UserId(r.try_get("user_id")?),
            csrf_token: r.try_get("csrf_token")?,
            expires_at: r.try_get("expires_at")?,
            last_seen_at: r.try_get("last_seen_at")?,
        })
    })
    .transpose()
}

/// Slides the idle expiry forward.
pub async fn touch(conn: &mut Conn, hash: &str, expires_at: &str) -> Result<(), StoreError> {
    sqlx::query("update session set last_seen_at = $1, expires_at = $2 where session_hash = $3")
        .bind(now())
        .bind(expires_at)
        .bind(hash)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub async fn delete(conn: &mut Conn, hash: &str) -> Result<(), StoreError> {
    sqlx::query("delete from session where session_hash = $1")
        .bind(hash)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Ends every session of a user (after a password change, for instance), except
/// optionally the one in use.
pub async fn delete_for_user(
    conn: &mut Conn,
    user: UserId,
    keep: Option<&str>,
) -> Result<u64, StoreError> {
    let done = sqlx::query("delete from session where user_id = $1 and session_hash <> $2")
        .bind(user.0)
        .bind(keep.unwrap_or(""))
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected())
}

pub async fn delete_expired(conn: &mut Conn) -> Result<u64, StoreError> {
    let done = sqlx::query("delete from session where expires_at < $1")
        .bind(now())
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected())
}
