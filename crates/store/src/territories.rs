//! Morocco's territorial tree.

use crate::{Conn, StoreError};
use passerelle_domain::{TerritoryCode, TerritoryLevel};
use sqlx::Row;
use sqlx::any::AnyRow;

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Territory {
    pub code: TerritoryCode,
    pub level: TerritoryLevel,
    pub parent_code: Option<String>,
    /// `prefecture` or `province` for the second level.
    pub kind: Option<String>,
    pub name_fr: String,
    pub name_ar: Option<String>,
    pub name_en: Option<String>,
    /// Other spellings, `|`-separated.
    pub aliases: String,
}

fn from_row(row: &AnyRow) -> Result<Territory, StoreError> {
    Ok(Territory {
        code: TerritoryCode::parse(&row.try_get::<String, _>("code")?)?,
        level: TerritoryLevel::parse(&row.try_get::<String, _>("level")?)?,
        parent_code: row.try_get("parent_code")?,
        kind: row.try_get("kind")?,
        name_fr: row.try_get("name_fr")?,
        name_ar: row.try_get("name_ar")?,
        name_en: row.try_get("name_en")?,
        aliases: row.try_get("aliases")?,
    })
}

const COLUMNS: &str = "code, level, parent_code, kind, name_fr, name_ar, name_en, aliases";

/// Inserts or replaces a territory (reference data is reloaded whole).
pub async fn upsert(conn: &mut Conn, t: &Territory) -> Result<(), StoreError> {
    sqlx::query(
        "insert into territory (code, level, parent_code, kind, name_fr, name_ar, name_en, aliases)
         values ($1, $2, $3, $4, $5, $6, $7, $8)
         on conflict (code) do update set level = excluded.level, parent_code = excluded.parent_code,
           kind = excluded.kind, name_fr = excluded.name_fr, name_ar = excluded.name_ar,
           name_en = excluded.name_en, aliases = excluded.aliases",
    )
    .bind(t.code.as_str())
    .bind(t.level.as_str())
    .bind(t.parent_code.as_deref())
    .bind(t.kind.as_deref())
    .bind(&t.name_fr)
    .bind(t.name_ar.as_deref())
    .bind(t.name_en.as_deref())
    .bind(&t.aliases)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn get(conn: &mut Conn, code: &TerritoryCode) -> Result<Option<Territory>, StoreError> {
    let sql = format!("select {COLUMNS} from territory where code = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(code.as_str())
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(from_row).transpose()
}

pub async fn children(
    conn: &mut Conn,
    parent: &TerritoryCode,
) -> Result<Vec<Territory>, StoreError> {
    let sql = format!("select {COLUMNS} from territory where parent_code = $1 order by code");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(parent.as_str())
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(from_row).collect()
}

pub async fn list_level(
    conn: &mut Conn,
    level: TerritoryLevel,
) -> Result<Vec<Territory>, StoreError> {
    let sql = format!("select {COLUMNS} from territory where level = $1 order by code");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(level.as_str())
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(from_row).collect()
}

pub async fn count(conn: &mut Conn) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar("select count(*) from territory")
        .fetch_one(&mut *conn)
        .await?)
}
