//! Organisations.

use crate::{Conn, StoreError, now};
use passerelle_domain::{OrgCode, OrgId, OrgKind};
use sqlx::Row;
use sqlx::any::AnyRow;

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Organisation {
    pub id: OrgId,
    pub code: OrgCode,
    pub kind: OrgKind,
    pub name_fr: String,
    pub name_ar: Option<String>,
    pub name_en: Option<String>,
    pub parent_id: Option<OrgId>,
    pub territory_code: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NewOrganisation {
    pub code: OrgCode,
    pub kind: OrgKind,
    pub name_fr: String,
    pub name_ar: Option<String>,
    pub name_en: Option<String>,
    pub parent_id: Option<OrgId>,
    pub territory_code: Option<String>,
}

const COLUMNS: &str =
    "organisation_id, code, kind, name_fr, name_ar, name_en, parent_id, territory_code";

fn from_row(row: &AnyRow) -> Result<Organisation, StoreError> {
    Ok(Organisation {
        id: OrgId(row.try_get("organisation_id")?),
        code: OrgCode::parse(&row.try_get::<String, _>("code")?)?,
        kind: OrgKind::parse(&row.try_get::<String, _>("kind")?)?,
        name_fr: row.try_get("name_fr")?,
        name_ar: row.try_get("name_ar")?,
        name_en: row.try_get("name_en")?,
        parent_id: row.try_get::<Option<i64>, _>("parent_id")?.map(OrgId),
        territory_code: row.try_get("territory_code")?,
    })
}

pub async fn insert(conn: &mut Conn, org: &NewOrganisation) -> Result<OrgId, StoreError> {
    let ts = now();
    let id: i64 = sqlx::query_scalar(
        "insert into organisation (code, kind, name_fr, name_ar, name_en, parent_id, territory_code, created_at, updated_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $8) returning organisation_id",
    )
    .bind(org.code.as_str())
    .bind(org.kind.as_str())
    .bind(&org.name_fr)
    .bind(org.name_ar.as_deref())
    .bind(org.name_en.as_deref())
    .bind(org.parent_id.map(|p| p.0))
    .bind(org.territory_code.as_deref())
    .bind(&ts)
    .fetch_one(&mut *conn)
    .await?;
    Ok(OrgId(id))
}

pub async fn get(conn: &mut Conn, id: OrgId) -> Result<Option<Organisation>, StoreError> {
    let sql = format!("select {COLUMNS} from organisation where organisation_id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id.0)
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(from_row).transpose()
}

pub async fn by_code(conn: &mut Conn, code: &OrgCode) -> Result<Option<Organisation>, StoreError> {
    let sql = format!("select {COLUMNS} from organisation where code = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(code.as_str())
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(from_row).transpose()
}

pub async fn list(conn: &mut Conn) -> Result<Vec<Organisation>, StoreError> {
    let sql = format!("select {COLUMNS} from organisation order by code");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(from_row).collect()
}

/// What changes whenever an organisation or a directory service is added or
/// changed (their counts and newest `updated_at`), so lists read from them can be
/// kept until it moves (`service::ref_lists`). An expression, so that a statement
/// read anyway can bring it along ([`crate::casework::case_with_person`]).
/// Each count and each newest date is its own subquery: SQLite answers `count(*)`
/// and `max` of an indexed column without reading the rows only when each is asked
/// alone (7 µs instead of 30 on the demo; migration 0013 adds the indexes).
pub const REFERENCE_STAMP: &str = "(cast((select count(*) from organisation) as text)
     || '/' || coalesce((select max(updated_at) from organisation), '')
     || '/' || cast((select count(*) from dir_service) as text)
     || '/' || coalesce((select max(updated_at) from dir_service), ''))";

pub async fn reference_stamp(conn: &mut Conn) -> Result<String, StoreError> {
    let sql = format!("select {REFERENCE_STAMP}");
    Ok(sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .fetch_one(&mut *conn)
        .await?)
}

pub async fn count(conn: &mut Conn) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar("select count(*) from organisation")
        .fetch_one(&mut *conn)
        .await?)
}
