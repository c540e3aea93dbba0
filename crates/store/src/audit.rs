//! The audit trail's storage: append within the caller's transaction, read back in
//! order for verification and display.
//!
//! Appending first bumps the single `audit_head` row. That update takes a row lock
//! on PostgreSQL (and the write lock on SQLite), so concurrent transactions append
//! one after the other and the chain never forks.

use crate::{Conn, StoreError, now};
use passerelle_domain::audit::AuditEntry;
use sqlx::Row;
use sqlx::any::AnyRow;

/// What the caller knows about an event; the store adds sequence, time and hashes.
#[derive(Debug, Clone)]
pub struct NewAudit<'a> {
    pub actor_user_id: Option<i64>,
    pub actor_org_id: Option<i64>,
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: Option<String>,
    pub operation_id: &'a str,
    pub detail: String,
}

pub async fn append(conn: &mut Conn, new: NewAudit<'_>) -> Result<i64, StoreError> {
    let head = sqlx::query(
        "update audit_head set seq = seq + 1 where audit_head_id = 1 returning seq, last_hash",
    )
    .fetch_one(&mut *conn)
    .await?;
    let seq: i64 = head.try_get("seq")?;
    let prev_hash: String = head.try_get("last_hash")?;
    let entry = AuditEntry {
        seq,
        at: now(),
        actor_user_id: new.actor_user_id,
        actor_org_id: new.actor_org_id,
        action: new.action.to_string(),
        entity: new.entity.to_string(),
        entity_id: new.entity_id,
        operation_id: new.operation_id.to_string(),
        detail: new.detail,
    };
    let hash = entry.chain_hash(&prev_hash);
    sqlx::query(
        "insert into audit_log (seq, at, actor_user_id, actor_org_id, action, entity, entity_id, operation_id, detail, prev_hash, hash)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(entry.seq)
    .bind(&entry.at)
    .bind(entry.actor_user_id)
    .bind(entry.actor_org_id)
    .bind(&entry.action)
    .bind(&entry.entity)
    .bind(entry.entity_id.as_deref())
    .bind(&entry.operation_id)
    .bind(&entry.detail)
    .bind(&prev_hash)
    .bind(&hash)
    .execute(&mut *conn)
    .await?;
    sqlx::query("update audit_head set last_hash = $1 where audit_head_id = 1")
        .bind(&hash)
        .execute(&mut *conn)
        .await?;
    Ok(seq)
}

/// Appends several rows with one bump of the head: the group commit of reads
/// (`service::audit_batch`). Same chain, same hashes as appending them one by one
/// in this order; returns their sequence numbers.
pub async fn append_batch(conn: &mut Conn, rows: &[NewAudit<'_>]) -> Result<Vec<i64>, StoreError> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let n = i64::try_from(rows.len()).unwrap_or(i64::MAX);
    let head = sqlx::query(
        "update audit_head set seq = seq + $1 where audit_head_id = 1 returning seq, last_hash",
    )
    .bind(n)
    .fetch_one(&mut *conn)
    .await?;
    let last: i64 = head.try_get("seq")?;
    let mut prev_hash: String = head.try_get("last_hash")?;
    let at = now();
    let mut chained = Vec::with_capacity(rows.len());
    for (i, new) in (0i64..).zip(rows) {
        let entry = AuditEntry {
            seq: last - n + 1 + i,
            at: at.clone(),
            actor_user_id: new.actor_user_id,
            actor_org_id: new.actor_org_id,
            action: new.action.to_string(),
            entity: new.entity.to_string(),
            entity_id: new.entity_id.clone(),
            operation_id: new.operation_id.to_string(),
            detail: new.detail.clone(),
        };
        let hash = entry.chain_hash(&prev_hash);
        chained.push((entry, std::mem::replace(&mut prev_hash, hash.clone()), hash));
    }
    // One statement per chunk of rows; 11 parameters a row stays far below both
    // engines' limits (SQLite 32,766, PostgreSQL 65,535).
    for chunk in chained.chunks(200) {
        let mut sql = String::from(
            "insert into audit_log (seq, at, actor_user_id, actor_org_id, action, entity, entity_id, operation_id, detail, prev_hash, hash) values ",
        );
        for i in 0..chunk.len() {
            let b = i * 11;
            if i > 0 {
                sql.push_str(", ");
            }
            sql.push('(');
            for k in 1..=11 {
                if k > 1 {
                    sql.push_str(", ");
                }
                sql.push('$');
                sql.push_str(&(b + k).to_string());
            }
            sql.push(')');
        }
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (entry, prev, hash) in chunk {
            q = q
                .bind(entry.seq)
                .bind(&entry.at)
                .bind(entry.actor_user_id)
                .bind(entry.actor_org_id)
                .bind(&entry.action)
                .bind(&entry.entity)
                .bind(entry.entity_id.as_deref())
                .bind(&entry.operation_id)
                .bind(&entry.detail)
                .bind(prev)
                .bind(hash);
        }
        q.execute(&mut *conn).await?;
    }
    sqlx::query("update audit_head set last_hash = $1 where audit_head_id = 1")
        .bind(&prev_hash)
        .execute(&mut *conn)
        .await?;
    Ok(chained.iter().map(|(e, _, _)| e.seq).collect())
}

/// A stored row: the hashed content plus the two hashes.
#[derive(Debug, Clone)]
pub struct StoredAudit {
    pub entry: AuditEntry,
    pub prev_hash: String,
    pub hash: String,
}

fn from_row(r: &AnyRow) -> Result<StoredAudit, StoreError> {
    Ok(StoredAudit {
        entry: AuditEntry {
            seq: r.try_get("seq")?,
            at: r.try_get("at")?,
            actor_user_id: r.try_get("actor_user_id")?,
            actor_org_id: r.try_get("actor_org_id")?,
            action: r.try_get("action")?,
            entity: r.try_get("entity")?,
            entity_id: r.try_get("entity_id")?,
            operation_id: r.try_get("operation_id")?,
            detail: r.try_get("detail")?,
        },
        prev_hash: r.try_get("prev_hash")?,
        hash: r.try_get("hash")?,
    })
}

const COLUMNS: &str = "seq, at, actor_user_id, actor_org_id, action, entity, entity_id, operation_id, detail, prev_hash, hash";

/// Rows with `seq > after`, oldest first, at most `limit`: verification pages
/// through the whole chain with this.
pub async fn page(conn: &mut Conn, after: i64, limit: i64) -> Result<Vec<StoredAudit>, StoreError> {
    let sql = format!("select {COLUMNS} from audit_log where seq > $1 order by seq limit $2");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(after)
        .bind(limit)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(from_row).collect()
}

/// The newest rows first, optionally only those about one entity.
pub async fn recent(
    conn: &mut Conn,
    entity: Option<(&str, &str)>,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<StoredAudit>, StoreError> {
    let (e, id) = entity.unwrap_or(("", ""));
    let sql = format!(
        "select {COLUMNS} from audit_log
         where ($1 = '' or (entity = $1 and entity_id = $2)) and seq < $3
         order by seq desc limit $4"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(e)
        .bind(id)
        .bind(before.unwrap_or(i64::MAX))
        .bind(limit)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(from_row).collect()
}

/// The head: how many rows the chain should have and its last hash.
pub async fn head(conn: &mut Conn) -> Result<(i64, String), StoreError> {
    let r = sqlx::query("select seq, last_hash from audit_head where audit_head_id = 1")
        .fetch_one(&mut *conn)
        .await?;
    Ok((r.try_get("seq")?, r.try_get("last_hash")?))
}
