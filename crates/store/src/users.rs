//! Users, their roles and their API tokens.

use crate::{Conn, StoreError, now};
use passerelle_domain::{OrgId, Role, UserId};
use sqlx::Row;
use sqlx::any::AnyRow;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    pub organisation_id: OrgId,
    pub active: bool,
    pub locale: Option<String>,
    pub roles: Vec<Role>,
    pub created_at: String,
}

/// A user with their password hash: only the login path reads this.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub user: User,
    pub password_hash: String,
}

const COLUMNS: &str =
    "user_id, username, display_name, organisation_id, active, locale, created_at, password_hash";

fn from_row(row: &AnyRow) -> Result<Credentials, StoreError> {
    Ok(Credentials {
        user: User {
            id: UserId(row.try_get("user_id")?),
            username: row.try_get("username")?,
            display_name: row.try_get("display_name")?,
            organisation_id: OrgId(row.try_get("organisation_id")?),
            active: row.try_get::<i64, _>("active")? != 0,
            locale: row.try_get("locale")?,
            roles: Vec::new(),
            created_at: row.try_get("created_at")?,
        },
        password_hash: row.try_get("password_hash")?,
    })
}

async fn with_roles(conn: &mut Conn, mut c: Credentials) -> Result<Credentials, StoreError> {
    c.user.roles = roles(conn, c.user.id).await?;
    Ok(c)
}

/// A user's roles, sorted.
pub async fn roles(conn: &mut Conn, id: UserId) -> Result<Vec<Role>, StoreError> {
    let roles: Vec<String> =
        sqlx::query_scalar("select role from user_role where user_id = $1 order by role")
            .bind(id.0)
            .fetch_all(&mut *conn)
            .await?;
    let mut roles = roles
        .iter()
        .map(|r| Role::parse(r))
        .collect::<Result<Vec<_>, _>>()?;
    roles.sort();
    Ok(roles)
}

pub struct NewUser<'a> {
    pub username: &'a str,
    pub display_name: &'a str,
    pub organisation_id: OrgId,
    pub password_hash: &'a str,
    pub roles: &'a [Role],
}

pub async fn insert(conn: &mut Conn, u: &NewUser<'_>) -> Result<UserId, StoreError> {
    let ts = now();
    let id: i64 = sqlx::query_scalar(
        "insert into app_user (username, display_name, organisation_id, password_hash, active, created_at, updated_at)
         values ($1, $2, $3, $4, 1, $5, $5) returning user_id",
    )
    .bind(u.username)
    .bind(u.display_name)
    .bind(u.organisation_id.0)
    .bind(u.password_hash)
    .bind(&ts)
    .fetch_one(&mut *conn)
    .await?;
    for role in u.roles {
        sqlx::query("insert into user_role (user_id, role) values ($1, $2)")
            .bind(id)
            .bind(role.as_str())
            .execute(&mut *conn)
            .await?;
    }
    Ok(UserId(id))
}

pub async fn credentials_by_username(
    conn: &mut Conn,
    username: &str,
) -> Result<Option<Credentials>, StoreError> {
    let sql = format!("select {COLUMNS} from app_user where username = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(username)
        .fetch_optional(&mut *conn)
        .await?;
    match row {
        Some(r) => Ok(Some(with_roles(conn, from_row(&r)?).await?)),
        None => Ok(None),
    }
}

pub async fn credentials(conn: &mut Conn, id: UserId) -> Result<Option<Credentials>, StoreError> {
    let sql = format!("select {COLUMNS} from app_user where user_id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id.0)
        .fetch_optional(&mut *conn)
        .await?;
    match row {
        Some(r) => Ok(Some(with_roles(conn, from_row(&r)?).await?)),
        None => Ok(None),
    }
}

pub async fn get(conn: &mut Conn, id: UserId) -> Result<Option<User>, StoreError> {
    Ok(credentials(conn, id).await?.map(|c| c.user))
}

/// Display names of the given users, in one query (a page naming the authors of
/// its notes and events asks once, not once per line). Unknown ids are absent.
pub async fn display_names(
    conn: &mut Conn,
    ids: &[i64],
) -> Result<std::collections::HashMap<i64, String>, StoreError> {
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let mut names = std::collections::HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        let list = (1..=chunk.len())
            .map(|i| format!("${i}"))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!("select user_id, display_name from app_user where user_id in ({list})");
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for id in chunk {
            q = q.bind(*id);
        }
        for row in q.fetch_all(&mut *conn).await? {
            names.insert(row.try_get("user_id")?, row.try_get("display_name")?);
        }
    }
    Ok(names)
}

/// Users, all of them or those of one organisation.
pub async fn list(conn: &mut Conn, organisation: Option<OrgId>) -> Result<Vec<User>, StoreError> {
    let sql = format!(
        "select {COLUMNS} from app_user where ($1 = 0 or organisation_id = $1) order by username"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(organisation.map(|o| o.0).unwrap_or(0))
        .fetch_all(&mut *conn)
        .await?;
    let mut users = Vec::with_capacity(rows.len());
    for row in &rows {
        users.push(with_roles(conn, from_row(row)?).await?.user);
    }
    Ok(users)
}

pub async fn set_password_hash(conn: &mut Conn, id: UserId, hash: &str) -> Result<(), StoreError> {
    let done =
        sqlx::query("update app_user set password_hash = $1, updated_at = $2 where user_id = $3")
            .bind(hash)
            .bind(now())
            .bind(id.0)
            .execute(&mut *conn)
            .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

pub async fn set_locale(conn: &mut Conn, id: UserId, locale: &str) -> Result<(), StoreError> {
    sqlx::query("update app_user set locale = $1, updated_at = $2 where user_id = $3")
        .bind(locale)
        .bind(now())
        .bind(id.0)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub async fn count(conn: &mut Conn) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar("select count(*) from app_user")
        .fetch_one(&mut *conn)
        .await?)
}

/// An API token as listed (never its secret, which is only stored hashed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiToken {
    pub id: i64,
    pub name: String,
    pub created_at: String,
    pub last_used_at: Option<String>,
    pub revoked_at: Option<String>,
}

pub async fn insert_token(
    conn: &mut Conn,
    user: UserId,
    name: &str,
    token_hash: &str,
) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar(
        "insert into api_token (user_id, name, token_hash, created_at) values ($1, $2, $3, $4) returning api_token_id",
    )
    .bind(user.0)
    .bind(name)
    .bind(token_hash)
    .bind(now())
    .fetch_one(&mut *conn)
    .await?)
}

/// The user owning a live token, touching its last-used time.
pub async fn user_by_token(
    conn: &mut Conn,
    token_hash: &str,
) -> Result<Option<UserId>, StoreError> {
    let id: Option<i64> = sqlx::query_scalar(
        "select user_id from api_token where token_hash = $1 and revoked_at is null",
    )
    .bind(token_hash)
    .fetch_optional(&mut *conn)
    .await?;
    if id.is_some() {
        sqlx::query("update api_token set last_used_at = $1 where token_hash = $2")
            .bind(now())
            .bind(token_hash)
            .execute(&mut *conn)
            .await?;
    }
    Ok(id.map(UserId))
}

pub async fn tokens(conn: &mut Conn, user: UserId) -> Result<Vec<ApiToken>, StoreError> {
    let rows = sqlx::query(
        "select api_token_id, name, created_at, last_used_at, revoked_at from api_token where user_id = $1 order by api_token_id",
    )
    .bind(user.0)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(ApiToken {
                id: r.try_get("api_token_id")?,
                name: r.try_get("name")?,
                created_at: r.try_get("created_at")?,
                last_used_at: r.try_get("last_used_at")?,
                revoked_at: r.try_get("revoked_at")?,
            })
        })
        .collect()
}

pub async fn revoke_token(
    conn: &mut Conn,
    user: UserId,
    token_id: i64,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "update api_token set revoked_at = $1 where api_token_id = $2 and user_id = $3 and revoked_at is null",
    )
    .bind(now())
    .bind(token_id)
    .bind(user.0)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}
