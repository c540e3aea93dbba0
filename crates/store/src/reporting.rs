//! Data sets and submissions.

use crate::{Conn, StoreError, now};
use passerelle_domain::reporting::DataSetDef;
use sqlx::Row;

pub async fn upsert_dataset(conn: &mut Conn, def: &DataSetDef) -> Result<(), StoreError> {
    let text = serde_json::to_string(def).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    sqlx::query(
        "insert into dataset (dataset_code, definition, imported_at) values ($1, $2, $3)
         on conflict (dataset_code) do update set definition = excluded.definition, imported_at = excluded.imported_at",
    )
    .bind(&def.code)
    .bind(text)
    .bind(now())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn datasets(conn: &mut Conn) -> Result<Vec<DataSetDef>, StoreError> {
    let rows: Vec<String> =
        sqlx::query_scalar("select definition from dataset order by dataset_code")
            .fetch_all(&mut *conn)
            .await?;
    rows.iter()
        .map(|t| serde_json::from_str(t).map_err(|e| StoreError::Corrupt(e.to_string())))
        .collect()
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submission {
    pub dataset_code: String,
    pub organisation_code: String,
    pub period: String,
    pub status: String,
    pub comment: Option<String>,
    pub updated_by: Option<i64>,
    pub updated_at: String,
    pub locked_by: Option<i64>,
    pub locked_at: Option<String>,
}

fn from_row(r: &sqlx::any::AnyRow) -> Result<Submission, StoreError> {
    Ok(Submission {
        dataset_code: r.try_get("dataset_code")?,
        organisation_code: r.try_get("organisation_code")?,
        period: r.try_get("period")?,
        status: r.try_get("status")?,
        comment: r.try_get("comment")?,
        updated_by: r.try_get("updated_by")?,
        updated_at: r.try_get("updated_at")?,
        locked_by: r.try_get("locked_by")?,
        locked_at: r.try_get("locked_at")?,
    })
}

const COLUMNS: &str = "dataset_code, organisation_code, period, status, comment, updated_by, updated_at, locked_by, locked_at";

pub async fn get(
    conn: &mut Conn,
    dataset: &str,
    org: &str,
    period: &str,
) -> Result<Option<Submission>, StoreError> {
    let sql = format!(
        "select {COLUMNS} from submission where dataset_code = $1 and organisation_code = $2 and period = $3"
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(dataset)
        .bind(org)
        .bind(period)
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(from_row).transpose()
}

pub async fn list(conn: &mut Conn) -> Result<Vec<Submission>, StoreError> {
    let sql = format!("select {COLUMNS} from submission order by updated_at desc");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(from_row).collect()
}

/// Sets a submission's status (creating it), its comment, and the lock when locking.
pub async fn set(conn: &mut Conn, s: &Submission) -> Result<(), StoreError> {
    let done = sqlx::query(
        "update submission set status = $1, comment = $2, updated_by = $3, updated_at = $4, locked_by = $5, locked_at = $6
         where dataset_code = $7 and organisation_code = $8 and period = $9",
    )
    .bind(&s.status)
    .bind(s.comment.as_deref())
    .bind(s.updated_by)
    .bind(&s.updated_at)
    .bind(s.locked_by)
    .bind(s.locked_at.as_deref())
    .bind(&s.dataset_code)
    .bind(&s.organisation_code)
    .bind(&s.period)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 0 {
        sqlx::query(
            "insert into submission (dataset_code, organisation_code, period, status, comment, updated_by, updated_at, locked_by, locked_at)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(&s.dataset_code)
        .bind(&s.organisation_code)
        .bind(&s.period)
        .bind(&s.status)
        .bind(s.comment.as_deref())
        .bind(s.updated_by)
        .bind(&s.updated_at)
        .bind(s.locked_by)
        .bind(s.locked_at.as_deref())
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Gives the values of a submission (its indicators, organisation, period) a status.
pub async fn set_value_status(
    conn: &mut Conn,
    indicators: &[String],
    org: &str,
    period: &str,
    status: &str,
) -> Result<(), StoreError> {
    for ind in indicators {
        sqlx::query("update data_value set status = $1, updated_at = $2 where indicator_code = $3 and organisation_code = $4 and period = $5")
            .bind(status)
            .bind(now())
            .bind(ind)
            .bind(org)
            .bind(period)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Removes a submission's values for one indicator before they are entered again.
pub async fn clear_values(
    conn: &mut Conn,
    indicator: &str,
    org: &str,
    period: &str,
) -> Result<(), StoreError> {
    sqlx::query("delete from data_value where indicator_code = $1 and organisation_code = $2 and period = $3")
        .bind(indicator)
        .bind(org)
        .bind(period)
        .execute(&mut *conn)
        .await?;
    Ok(())
}
