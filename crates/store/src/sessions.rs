//! Server-side sessions. The cookie carries a random token; the table stores only
//! its SHA-256, so a copy of the database does not let anyone log in.

use crate::users::User;
use crate::{Conn, StoreError, now};
use passerelle_domain::{OrgId, Role, UserId};
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

/// A live session's row with its user, the user's roles and organisation, in one
/// query: the lookup every signed-in request makes (one row per role, so no
/// dialect's string aggregation is needed). `None` when the token, the user or the
/// organisation is unknown.
pub async fn with_user(
    conn: &mut Conn,
    hash: &str,
) -> Result<Option<(Session, User, SessionOrg)>, StoreError> {
    let rows = sqlx::query(
        "select s.user_id as user_id, s.csrf_token as csrf_token, s.expires_at as expires_at,
                s.last_seen_at as last_seen_at, u.username as username,
                u.display_name as display_name, u.organisation_id as organisation_id,
                u.active as active, u.locale as locale, u.created_at as created_at,
                o.code as org_code, o.name_fr as org_name_fr, o.name_ar as org_name_ar,
                o.name_en as org_name_en, r.role as role
         from session s
         join app_user u on u.user_id = s.user_id
         join organisation o on o.organisation_id = u.organisation_id
         left join user_role r on r.user_id = u.user_id
         where s.session_hash = $1
         order by r.role",
    )
    .bind(hash)
    .fetch_all(&mut *conn)
    .await?;
    let Some(r) = rows.first() else {
        return Ok(None);
    };
    let mut roles = Vec::with_capacity(rows.len());
    for row in &rows {
        if let Some(role) = row.try_get::<Option<String>, _>("role")? {
            roles.push(Role::parse(&role)?);
        }
    }
    roles.sort();
    Ok(Some((
        Session {
            user_id: UserId(r.try_get("user_id")?),
            csrf_token: r.try_get("csrf_token")?,
            expires_at: r.try_get("expires_at")?,
            last_seen_at: r.try_get("last_seen_at")?,
        },
        User {
            id: UserId(r.try_get("user_id")?),
            username: r.try_get("username")?,
            display_name: r.try_get("display_name")?,
            organisation_id: OrgId(r.try_get("organisation_id")?),
            active: r.try_get::<i64, _>("active")? != 0,
            locale: r.try_get("locale")?,
            roles,
            created_at: r.try_get("created_at")?,
        },
        SessionOrg {
            code: r.try_get("org_code")?,
            name_fr: r.try_get("org_name_fr")?,
            name_ar: r.try_get("org_name_ar")?,
            name_en: r.try_get("org_name_en")?,
        },
    )))
}

/// The organisation of a session's user, as the request context needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionOrg {
    pub code: String,
    pub name_fr: String,
    pub name_ar: Option<String>,
    pub name_en: Option<String>,
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
