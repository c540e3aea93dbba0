//! The DHIS2 mapping, and the values an exchange file reads.

use crate::values::DataValue;
use crate::{Conn, StoreError, now};
use passerelle_domain::exchange::{MappingKind, MappingRow};
use sqlx::Row;

/// Replaces the whole mapping. Returns how many rows there were before.
pub async fn replace_mapping(conn: &mut Conn, rows: &[MappingRow]) -> Result<u64, StoreError> {
    let before = sqlx::query("delete from exchange_mapping")
        .execute(&mut *conn)
        .await?
        .rows_affected();
    let ts = now();
    for (i, r) in rows.iter().enumerate() {
        sqlx::query(
            "insert into exchange_mapping (kind, code, dhis2_code, note, position, updated_at)
             values ($1, $2, $3, $4, $5, $6)",
        )
        .bind(r.kind.as_str())
        .bind(&r.code)
        .bind(&r.dhis2_code)
        .bind(&r.note)
        .bind(i as i64)
        .bind(&ts)
        .execute(&mut *conn)
        .await?;
    }
    Ok(before)
}

/// The mapping in the order it was imported.
pub async fn mapping(conn: &mut Conn) -> Result<Vec<MappingRow>, StoreError> {
    let rows = sqlx::query(
        "select kind, code, dhis2_code, note from exchange_mapping order by position, exchange_mapping_id",
    )
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            let kind: String = r.try_get("kind")?;
            Ok(MappingRow {
                kind: MappingKind::parse(&kind)
                    .ok_or_else(|| StoreError::Corrupt(format!("mapping kind {kind}")))?,
                code: r.try_get("code")?,
                dhis2_code: r.try_get("dhis2_code")?,
                note: r.try_get("note")?,
                line: 0,
            })
        })
        .collect()
}

/// Approved values of these indicators, optionally for one period and within some
/// territories, in a stable order (indicator, period, territory, organisation, cells).
pub async fn approved_values(
    conn: &mut Conn,
    indicators: &[String],
    period: Option<&str>,
    territories: &[String],
) -> Result<Vec<DataValue>, StoreError> {
    if indicators.is_empty() {
        return Ok(Vec::new());
    }
    // Placeholders are numbered, never values: the text holds no input.
    let mut n = 0;
    let mut next = || {
        n += 1;
        format!("${n}")
    };
    let ind: Vec<String> = indicators.iter().map(|_| next()).collect();
    let mut sql = format!(
        "select framework_code, indicator_code, period, period_start, period_end, territory_code, organisation_code,
           cells, value, qualifier, comment, status, source, source_line
         from data_value where status = 'approved' and indicator_code in ({})",
        ind.join(", ")
    );
    if period.is_some() {
        sql.push_str(&format!(" and period = {}", next()));
    }
    if !territories.is_empty() {
        let t: Vec<String> = territories.iter().map(|_| next()).collect();
        sql.push_str(&format!(" and territory_code in ({})", t.join(", ")));
    }
    sql.push_str(
        " order by indicator_code, period_start, period, territory_code, organisation_code, cells",
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    for i in indicators {
        q = q.bind(i.as_str());
    }
    if let Some(p) = period {
        q = q.bind(p);
    }
    for t in territories {
        q = q.bind(t.as_str());
    }
    let rows = q.fetch_all(&mut *conn).await?;
    rows.iter()
        .map(|r| {
            Ok(DataValue {
                framework_code: r.try_get("framework_code")?,
                indicator_code: r.try_get("indicator_code")?,
                period: r.try_get("period")?,
                period_start: r.try_get("period_start")?,
                period_end: r.try_get("period_end")?,
                territory_code: r.try_get("territory_code")?,
                organisation_code: r.try_get("organisation_code")?,
                cells: r.try_get("cells")?,
                value: r.try_get("value")?,
                qualifier: r.try_get("qualifier")?,
                comment: r.try_get("comment")?,
                status: r.try_get("status")?,
                source: r.try_get("source")?,
                source_line: r.try_get("source_line")?,
            })
        })
        .collect()
}
