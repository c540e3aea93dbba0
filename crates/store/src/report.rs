//! The yearly report: narratives, snapshots, follow-up items.

use crate::{Conn, StoreError, now};
use passerelle_domain::report::SnapshotInfo;
use sqlx::Row;

/// A narrative row; `sections` is the JSON of the five sections.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Narrative {
    pub narrative_id: i64,
    pub framework_code: String,
    pub node_code: String,
    pub year: i64,
    pub organisation_code: String,
    pub sections: String,
    pub status: String,
    pub comment: Option<String>,
    pub updated_by: Option<i64>,
    pub updated_at: String,
    pub approved_by: Option<i64>,
    pub approved_at: Option<String>,
}

const NCOLS: &str = "narrative_id, framework_code, node_code, year, organisation_code, sections, status, comment, updated_by, updated_at, approved_by, approved_at";

fn narrative(r: &sqlx::any::AnyRow) -> Result<Narrative, StoreError> {
    Ok(Narrative {
        narrative_id: r.try_get("narrative_id")?,
        framework_code: r.try_get("framework_code")?,
        node_code: r.try_get("node_code")?,
        year: r.try_get("year")?,
        organisation_code: r.try_get("organisation_code")?,
        sections: r.try_get("sections")?,
        status: r.try_get("status")?,
        comment: r.try_get("comment")?,
        updated_by: r.try_get("updated_by")?,
        updated_at: r.try_get("updated_at")?,
        approved_by: r.try_get("approved_by")?,
        approved_at: r.try_get("approved_at")?,
    })
}

pub async fn get_narrative(
    conn: &mut Conn,
    framework: &str,
    node: &str,
    year: i64,
    org: &str,
) -> Result<Option<Narrative>, StoreError> {
    let sql = format!(
        "select {NCOLS} from report_narrative where framework_code = $1 and node_code = $2 and year = $3 and organisation_code = $4"
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(framework)
        .bind(node)
        .bind(year)
        .bind(org)
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(narrative).transpose()
}

/// Narratives of a year, optionally with one status, by node then organisation.
pub async fn narratives(
    conn: &mut Conn,
    year: i64,
    status: Option<&str>,
) -> Result<Vec<Narrative>, StoreError> {
    let sql = format!(
        "select {NCOLS} from report_narrative where year = $1 and ($2 = '' or status = $2) order by node_code, organisation_code"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(year)
        .bind(status.unwrap_or(""))
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(narrative).collect()
}

/// Inserts or updates the narrative for (framework, node, year, organisation);
/// returns its id.
pub async fn save_narrative(conn: &mut Conn, n: &Narrative) -> Result<i64, StoreError> {
    let done = sqlx::query(
        "update report_narrative set sections = $1, status = $2, comment = $3, updated_by = $4, updated_at = $5,
             approved_by = $6, approved_at = $7
         where framework_code = $8 and node_code = $9 and year = $10 and organisation_code = $11",
    )
    .bind(&n.sections)
    .bind(&n.status)
    .bind(n.comment.as_deref())
    .bind(n.updated_by)
    .bind(&n.updated_at)
    .bind(n.approved_by)
    .bind(n.approved_at.as_deref())
    .bind(&n.framework_code)
    .bind(&n.node_code)
    .bind(n.year)
    .bind(&n.organisation_code)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 0 {
        let id: i64 = sqlx::query_scalar(
            "insert into report_narrative (framework_code, node_code, year, organisation_code, sections, status, comment, updated_by, updated_at, approved_by, approved_at)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) returning narrative_id",
        )
        .bind(&n.framework_code)
        .bind(&n.node_code)
        .bind(n.year)
        .bind(&n.organisation_code)
        .bind(&n.sections)
        .bind(&n.status)
        .bind(n.comment.as_deref())
        .bind(n.updated_by)
        .bind(&n.updated_at)
        .bind(n.approved_by)
        .bind(n.approved_at.as_deref())
        .fetch_one(&mut *conn)
        .await?;
        return Ok(id);
    }
    let id: i64 = sqlx::query_scalar(
        "select narrative_id from report_narrative where framework_code = $1 and node_code = $2 and year = $3 and organisation_code = $4",
    )
    .bind(&n.framework_code)
    .bind(&n.node_code)
    .bind(n.year)
    .bind(&n.organisation_code)
    .fetch_one(&mut *conn)
    .await?;
    Ok(id)
}

/// Stores a snapshot; returns its id.
pub async fn insert_snapshot(
    conn: &mut Conn,
    year: i64,
    label: &str,
    content: &str,
    hash: &str,
    by: Option<i64>,
) -> Result<i64, StoreError> {
    let id: i64 = sqlx::query_scalar(
        "insert into report_snapshot (year, label, content, content_hash, created_by, created_at)
         values ($1, $2, $3, $4, $5, $6) returning snapshot_id",
    )
    .bind(year)
    .bind(label)
    .bind(content)
    .bind(hash)
    .bind(by)
    .bind(now())
    .fetch_one(&mut *conn)
    .await?;
    Ok(id)
}

fn info(r: &sqlx::any::AnyRow) -> Result<SnapshotInfo, StoreError> {
    let year: i64 = r.try_get("year")?;
    Ok(SnapshotInfo {
        snapshot_id: r.try_get("snapshot_id")?,
        year: i32::try_from(year).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        label: r.try_get("label")?,
        content_hash: r.try_get("content_hash")?,
        created_at: r.try_get("created_at")?,
    })
}

/// Every snapshot (of one year when given), newest first.
pub async fn snapshots(
    conn: &mut Conn,
    year: Option<i64>,
) -> Result<Vec<SnapshotInfo>, StoreError> {
    let rows = sqlx::query(
        "select snapshot_id, year, label, content_hash, created_at from report_snapshot
         where ($1 = 0 or year = $1) order by snapshot_id desc",
    )
    .bind(year.unwrap_or(0))
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(info).collect()
}

/// A snapshot's listing and its content (JSON).
pub async fn snapshot(
    conn: &mut Conn,
    id: i64,
) -> Result<Option<(SnapshotInfo, String)>, StoreError> {
    let row = sqlx::query(
        "select snapshot_id, year, label, content_hash, created_at, content from report_snapshot where snapshot_id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    match row {
        Some(r) => Ok(Some((info(&r)?, r.try_get("content")?))),
        None => Ok(None),
    }
}

/// A follow-up item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Followup {
    pub followup_id: i64,
    pub origin: String,
    pub narrative_id: i64,
    pub framework_code: String,
    pub node_code: String,
    pub organisation_code: String,
    pub year: i64,
    pub section: String,
    pub position: i64,
    pub text: String,
    pub status: String,
    pub status_note: Option<String>,
}

/// Adds the item unless the narrative already has one at that place (re-approving
/// keeps the status already given).
pub async fn add_followup(conn: &mut Conn, f: &Followup, by: i64) -> Result<(), StoreError> {
    let exists: Option<i64> = sqlx::query_scalar(
        "select followup_id from report_followup where narrative_id = $1 and section = $2 and position = $3",
    )
    .bind(f.narrative_id)
    .bind(&f.section)
    .bind(f.position)
    .fetch_optional(&mut *conn)
    .await?;
    if exists.is_some() {
        return Ok(());
    }
    sqlx::query(
        "insert into report_followup (origin, narrative_id, framework_code, node_code, organisation_code, year, section, position, text, status, status_note, updated_by, updated_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    )
    .bind(&f.origin)
    .bind(f.narrative_id)
    .bind(&f.framework_code)
    .bind(&f.node_code)
    .bind(&f.organisation_code)
    .bind(f.year)
    .bind(&f.section)
    .bind(f.position)
    .bind(&f.text)
    .bind(&f.status)
    .bind(f.status_note.as_deref())
    .bind(by)
    .bind(now())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The items that came out of a year's narratives.
pub async fn followups(conn: &mut Conn, year: i64) -> Result<Vec<Followup>, StoreError> {
    let rows = sqlx::query(
        "select followup_id, origin, narrative_id, framework_code, node_code, organisation_code, year, section, position, text, status, status_note
         from report_followup where year = $1 order by node_code, organisation_code, section, position",
    )
    .bind(year)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Followup {
                followup_id: r.try_get("followup_id")?,
                origin: r.try_get("origin")?,
                narrative_id: r.try_get("narrative_id")?,
                framework_code: r.try_get("framework_code")?,
                node_code: r.try_get("node_code")?,
                organisation_code: r.try_get("organisation_code")?,
                year: r.try_get("year")?,
                section: r.try_get("section")?,
                position: r.try_get("position")?,
                text: r.try_get("text")?,
                status: r.try_get("status")?,
                status_note: r.try_get("status_note")?,
            })
        })
        .collect()
}

/// Sets an item's status; false when there is no such item.
pub async fn set_followup_status(
    conn: &mut Conn,
    id: i64,
    status: &str,
    note: Option<&str>,
    by: i64,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "update report_followup set status = $1, status_note = $2, updated_by = $3, updated_at = $4 where followup_id = $5",
    )
    .bind(status)
    .bind(note)
    .bind(by)
    .bind(now())
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// The id of the submission a form-entered value came from.
pub async fn submission_id(
    conn: &mut Conn,
    dataset: &str,
    org: &str,
    period: &str,
) -> Result<Option<i64>, StoreError> {
    Ok(sqlx::query_scalar(
        "select submission_id from submission where dataset_code = $1 and organisation_code = $2 and period = $3",
    )
    .bind(dataset)
    .bind(org)
    .bind(period)
    .fetch_optional(&mut *conn)
    .await?)
}

/// One follow-up item by id.
pub async fn followups_by_id(conn: &mut Conn, id: i64) -> Result<Option<Followup>, StoreError> {
    let year: Option<i64> =
        sqlx::query_scalar("select year from report_followup where followup_id = $1")
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
    match year {
        Some(y) => Ok(followups(conn, y)
            .await?
            .into_iter()
            .find(|f| f.followup_id == id)),
        None => Ok(None),
    }
}
