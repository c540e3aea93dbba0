//! Results frameworks: stored normalised (levels, nodes, links, indicators) for
//! queries, with the definition kept whole for faithful export. Targets keep their
//! revision history across re-imports.

use crate::{Conn, StoreError, now};
use passerelle_domain::framework::{FrameworkDef, IndicatorDef, Title};
use sqlx::Row;
use sqlx::any::AnyRow;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrameworkSummary {
    pub code: String,
    pub title: Title,
    pub owner: Option<String>,
    pub source: Option<String>,
    pub imported_at: String,
    pub nodes: i64,
    pub indicators: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct StoredTarget {
    pub period: String,
    pub cells: serde_json::Map<String, serde_json::Value>,
    pub value: Option<f64>,
    pub note: Option<String>,
    pub revision: i64,
    pub reason: Option<String>,
    pub created_at: String,
    pub superseded_at: Option<String>,
}

fn title(r: &AnyRow, prefix: &str) -> Result<Title, StoreError> {
    Ok(Title {
        fr: r.try_get(format!("{prefix}_fr").as_str())?,
        ar: r.try_get(format!("{prefix}_ar").as_str())?,
        en: r.try_get(format!("{prefix}_en").as_str())?,
    })
}

fn json_text(v: &impl serde::Serialize) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "null".into())
}

/// What an import changed in the targets.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TargetChanges {
    pub added: u64,
    pub revised: u64,
    pub withdrawn: u64,
}

/// Replaces a framework's definition (nodes, links, indicators) and revises its
/// targets: unchanged targets stay, changed ones get a new revision, missing ones
/// are marked superseded.
pub async fn replace(
    conn: &mut Conn,
    def: &FrameworkDef,
    reason: &str,
) -> Result<TargetChanges, StoreError> {
    let ts = now();
    sqlx::query("delete from framework where framework_code = $1")
        .bind(&def.code)
        .execute(&mut *conn)
        .await?;
    // SQLite applies `on delete cascade` only with foreign keys on; do it explicitly so
    // both engines behave the same whatever the connection's settings.
    for table in ["result_level", "result_node", "node_link", "indicator"] {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "delete from {table} where framework_code = $1"
        )))
        .bind(&def.code)
        .execute(&mut *conn)
        .await?;
    }
    sqlx::query(
        "insert into framework (framework_code, title_fr, title_ar, title_en, owner, source, definition, imported_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&def.code)
    .bind(&def.title.fr)
    .bind(def.title.ar.as_deref())
    .bind(def.title.en.as_deref())
    .bind(def.owner.as_deref())
    .bind(def.source.as_deref())
    .bind(json_text(def))
    .bind(&ts)
    .execute(&mut *conn)
    .await?;
    for (rank, l) in def.levels.iter().enumerate() {
        sqlx::query("insert into result_level (framework_code, code, rank, title_fr, title_ar, title_en) values ($1, $2, $3, $4, $5, $6)")
            .bind(&def.code)
            .bind(&l.code)
            .bind(rank as i64)
            .bind(&l.title.fr)
            .bind(l.title.ar.as_deref())
            .bind(l.title.en.as_deref())
            .execute(&mut *conn)
            .await?;
    }
    for (pos, n) in def.nodes.iter().enumerate() {
        sqlx::query(
            "insert into result_node (framework_code, code, level, parent_code, position, title_fr, title_ar, title_en, attributes)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(&def.code)
        .bind(&n.code)
        .bind(&n.level)
        .bind(n.parent.as_deref())
        .bind(pos as i64)
        .bind(&n.title.fr)
        .bind(n.title.ar.as_deref())
        .bind(n.title.en.as_deref())
        .bind(json_text(&n.attributes))
        .execute(&mut *conn)
        .await?;
        for target in &n.contributes_to {
            let (fw, code) = target.split_once(':').unwrap_or((&def.code, target));
            sqlx::query(
                "insert into node_link (framework_code, node_code, target_framework, target_code) values ($1, $2, $3, $4)
                 on conflict do nothing",
            )
            .bind(&def.code)
            .bind(&n.code)
            .bind(fw)
            .bind(code)
            .execute(&mut *conn)
            .await?;
        }
    }
    let mut changes = TargetChanges::default();
    let mut kept_ids = Vec::new();
    for (pos, ind) in def.indicators.iter().enumerate() {
        insert_indicator(conn, &def.code, pos, ind).await?;
        for t in &ind.targets {
            let cells = json_text(&t.cells);
            let current = sqlx::query(
                "select indicator_target_id, value, revision from indicator_target
                 where framework_code = $1 and indicator_code = $2 and period = $3 and cells = $4 and superseded_at is null",
            )
            .bind(&def.code)
            .bind(&ind.code)
            .bind(&t.period)
            .bind(&cells)
            .fetch_optional(&mut *conn)
            .await?;
            let revision = match &current {
                Some(row) => {
                    let id: i64 = row.try_get("indicator_target_id")?;
                    let value: Option<f64> = row.try_get("value")?;
                    if value == t.value {
                        kept_ids.push(id);
                        continue;
                    }
                    sqlx::query("update indicator_target set superseded_at = $1 where indicator_target_id = $2").bind(&ts).bind(id).execute(&mut *conn).await?;
                    changes.revised += 1;
                    row.try_get::<i64, _>("revision")? + 1
                }
                None => {
                    changes.added += 1;
                    1
                }
            };
            let id: i64 = sqlx::query_scalar(
                "insert into indicator_target (framework_code, indicator_code, period, cells, value, note, revision, reason, created_at)
                 values ($1, $2, $3, $4, $5, $6, $7, $8, $9) returning indicator_target_id",
            )
            .bind(&def.code)
            .bind(&ind.code)
            .bind(&t.period)
            .bind(&cells)
            .bind(t.value)
            .bind(t.note.as_deref())
            .bind(revision)
            .bind((revision > 1).then_some(reason))
            .bind(&ts)
            .fetch_one(&mut *conn)
            .await?;
            kept_ids.push(id);
        }
    }
    // Targets no longer in the definition are withdrawn, not deleted.
    let live: Vec<i64> = sqlx::query_scalar("select indicator_target_id from indicator_target where framework_code = $1 and superseded_at is null")
        .bind(&def.code)
        .fetch_all(&mut *conn)
        .await?;
    for id in live.into_iter().filter(|id| !kept_ids.contains(id)) {
        sqlx::query(
            "update indicator_target set superseded_at = $1 where indicator_target_id = $2",
        )
        .bind(&ts)
        .bind(id)
        .execute(&mut *conn)
        .await?;
        changes.withdrawn += 1;
    }
    Ok(changes)
}

async fn insert_indicator(
    conn: &mut Conn,
    fw: &str,
    pos: usize,
    ind: &IndicatorDef,
) -> Result<(), StoreError> {
    sqlx::query(
        "insert into indicator (framework_code, code, node_code, position, title_fr, title_ar, title_en, kind, unit, direction,
           cumulative, frequency, source, responsible, dimensions, baseline, notes)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)",
    )
    .bind(fw)
    .bind(&ind.code)
    .bind(&ind.node)
    .bind(pos as i64)
    .bind(&ind.title.fr)
    .bind(ind.title.ar.as_deref())
    .bind(ind.title.en.as_deref())
    .bind(json_text(&ind.kind).trim_matches('"').to_string())
    .bind(&ind.unit)
    .bind(&ind.direction)
    .bind(i64::from(ind.cumulative))
    .bind(ind.frequency.as_deref())
    .bind(ind.source.as_deref())
    .bind(ind.responsible.as_deref())
    .bind(ind.dimensions.join(","))
    .bind(ind.baseline.as_ref().map(json_text))
    .bind(ind.notes.as_deref())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn list(conn: &mut Conn) -> Result<Vec<FrameworkSummary>, StoreError> {
    let rows = sqlx::query(
        "select f.framework_code, f.title_fr, f.title_ar, f.title_en, f.owner, f.source, f.imported_at,
           (select count(*) from result_node n where n.framework_code = f.framework_code) as nodes,
           (select count(*) from indicator i where i.framework_code = f.framework_code) as indicators
         from framework f order by f.framework_code",
    )
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(FrameworkSummary {
                code: r.try_get("framework_code")?,
                title: title(r, "title")?,
                owner: r.try_get("owner")?,
                source: r.try_get("source")?,
                imported_at: r.try_get("imported_at")?,
                nodes: r.try_get("nodes")?,
                indicators: r.try_get("indicators")?,
            })
        })
        .collect()
}

/// The stored definition, as imported.
pub async fn definition(conn: &mut Conn, code: &str) -> Result<Option<FrameworkDef>, StoreError> {
    let text: Option<String> =
        sqlx::query_scalar("select definition from framework where framework_code = $1")
            .bind(code)
            .fetch_optional(&mut *conn)
            .await?;
    text.map(|t| serde_json::from_str(&t).map_err(|e| StoreError::Corrupt(e.to_string())))
        .transpose()
}

pub async fn node_exists(conn: &mut Conn, framework: &str, code: &str) -> Result<bool, StoreError> {
    let n: i64 = sqlx::query_scalar(
        "select count(*) from result_node where framework_code = $1 and code = $2",
    )
    .bind(framework)
    .bind(code)
    .fetch_one(&mut *conn)
    .await?;
    Ok(n > 0)
}

/// Nodes of other frameworks that contribute to a node of this one.
pub async fn contributions_to(
    conn: &mut Conn,
    framework: &str,
) -> Result<Vec<(String, String, String)>, StoreError> {
    let rows = sqlx::query("select framework_code, node_code, target_code from node_link where target_framework = $1 and framework_code <> $1 order by framework_code, node_code")
        .bind(framework)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get("framework_code")?,
                r.try_get("node_code")?,
                r.try_get("target_code")?,
            ))
        })
        .collect()
}

/// Every target of a framework, current and superseded, oldest first.
pub async fn targets(
    conn: &mut Conn,
    framework: &str,
) -> Result<Vec<(String, StoredTarget)>, StoreError> {
    let rows = sqlx::query(
        "select indicator_code, period, cells, value, note, revision, reason, created_at, superseded_at
         from indicator_target where framework_code = $1 order by indicator_code, period, cells, revision",
    )
    .bind(framework)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            let cells: String = r.try_get("cells")?;
            Ok((
                r.try_get("indicator_code")?,
                StoredTarget {
                    period: r.try_get("period")?,
                    cells: serde_json::from_str(&cells).unwrap_or_default(),
                    value: r.try_get("value")?,
                    note: r.try_get("note")?,
                    revision: r.try_get("revision")?,
                    reason: r.try_get("reason")?,
                    created_at: r.try_get("created_at")?,
                    superseded_at: r.try_get("superseded_at")?,
                },
            ))
        })
        .collect()
}

/// An indicator as the import and the engine need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndicatorRef {
    pub framework_code: String,
    pub code: String,
    pub title: Title,
    pub kind: String,
    pub unit: String,
    pub dimensions: Vec<String>,
}

/// Every indicator of every framework.
pub async fn indicators(conn: &mut Conn) -> Result<Vec<IndicatorRef>, StoreError> {
    let rows = sqlx::query("select framework_code, code, title_fr, title_ar, title_en, kind, unit, dimensions from indicator order by framework_code, position")
        .fetch_all(&mut *conn)
        .await?;
    rows.iter()
        .map(|r| {
            let dims: String = r.try_get("dimensions")?;
            Ok(IndicatorRef {
                framework_code: r.try_get("framework_code")?,
                code: r.try_get("code")?,
                title: title(r, "title")?,
                kind: r.try_get("kind")?,
                unit: r.try_get("unit")?,
                dimensions: dims
                    .split(',')
                    .filter(|d| !d.is_empty())
                    .map(str::to_string)
                    .collect(),
            })
        })
        .collect()
}

/// One indicator by its code (codes are unique across the shipped frameworks; the
/// first framework in code order wins otherwise).
pub async fn indicator(conn: &mut Conn, code: &str) -> Result<Option<IndicatorRef>, StoreError> {
    let row = sqlx::query(
        "select framework_code, code, title_fr, title_ar, title_en, kind, unit, dimensions from indicator where code = $1 order by framework_code limit 1",
    )
    .bind(code)
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|r| {
        let dims: String = r.try_get("dimensions")?;
        Ok(IndicatorRef {
            framework_code: r.try_get("framework_code")?,
            code: r.try_get("code")?,
            title: title(&r, "title")?,
            kind: r.try_get("kind")?,
            unit: r.try_get("unit")?,
            dimensions: dims
                .split(',')
                .filter(|d| !d.is_empty())
                .map(str::to_string)
                .collect(),
        })
    })
    .transpose()
}
