//! Aggregate values.

use crate::{Conn, StoreError, now};
use sqlx::Row;

#[derive(Debug, Clone, PartialEq)]
pub struct DataValue {
    pub framework_code: String,
    pub indicator_code: String,
    pub period: String,
    pub period_start: String,
    pub period_end: String,
    pub territory_code: String,
    pub organisation_code: String,
    pub cells: String,
    pub value: f64,
    pub qualifier: String,
    pub comment: Option<String>,
    pub status: String,
    pub source: Option<String>,
    pub source_line: Option<i64>,
}

/// Inserts a value, or replaces the value stored for the same cell. Returns whether
/// it was new.
pub async fn upsert(conn: &mut Conn, v: &DataValue) -> Result<bool, StoreError> {
    let ts = now();
    let existing: Option<i64> = sqlx::query_scalar(
        "select data_value_id from data_value
         where indicator_code = $1 and period = $2 and territory_code = $3 and organisation_code = $4 and cells = $5",
    )
    .bind(&v.indicator_code)
    .bind(&v.period)
    .bind(&v.territory_code)
    .bind(&v.organisation_code)
    .bind(&v.cells)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(id) = existing {
        sqlx::query(
            "update data_value set value = $1, qualifier = $2, comment = $3, status = $4, source = $5, source_line = $6, updated_at = $7
             where data_value_id = $8",
        )
        .bind(v.value)
        .bind(&v.qualifier)
        .bind(v.comment.as_deref())
        .bind(&v.status)
        .bind(v.source.as_deref())
        .bind(v.source_line)
        .bind(&ts)
        .bind(id)
        .execute(&mut *conn)
        .await?;
        return Ok(false);
    }
    sqlx::query(
        "insert into data_value (framework_code, indicator_code, period, period_start, period_end, territory_code, organisation_code,
           cells, value, qualifier, comment, status, source, source_line, created_at, updated_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15)",
    )
    .bind(&v.framework_code)
    .bind(&v.indicator_code)
    .bind(&v.period)
    .bind(&v.period_start)
    .bind(&v.period_end)
    .bind(&v.territory_code)
    .bind(&v.organisation_code)
    .bind(&v.cells)
    .bind(v.value)
    .bind(&v.qualifier)
    .bind(v.comment.as_deref())
    .bind(&v.status)
    .bind(v.source.as_deref())
    .bind(v.source_line)
    .bind(&ts)
    .execute(&mut *conn)
    .await?;
    Ok(true)
}

/// The values of one indicator for one period, with the given statuses.
pub async fn for_indicator(
    conn: &mut Conn,
    indicator: &str,
    period: &str,
    statuses: &[&str],
) -> Result<Vec<DataValue>, StoreError> {
    let sql = format!(
        "select {COLUMNS} from data_value where indicator_code = $1 and period = $2 order by territory_code, organisation_code, cells"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(indicator)
        .bind(period)
        .fetch_all(&mut *conn)
        .await?;
    let mut out = Vec::new();
    for r in &rows {
        let v = from_row(r)?;
        if statuses.contains(&v.status.as_str()) {
            out.push(v);
        }
    }
    Ok(out)
}

/// The periods that have values for an indicator, newest first.
pub async fn periods(conn: &mut Conn, indicator: &str) -> Result<Vec<String>, StoreError> {
    Ok(sqlx::query_scalar(
        "select distinct period from data_value where indicator_code = $1 order by period desc",
    )
    .bind(indicator)
    .fetch_all(&mut *conn)
    .await?)
}

/// For each indicator of a framework, its latest approved national total: (indicator,
/// period, value summed over reporting organisations).
pub async fn latest_totals(
    conn: &mut Conn,
    framework: &str,
) -> Result<Vec<(String, String, f64)>, StoreError> {
    let rows = sqlx::query(
        "select indicator_code, period, period_end, sum(value) as total from data_value
         where framework_code = $1 and territory_code = 'MA' and cells = '' and status = 'approved'
         group by indicator_code, period, period_end order by indicator_code, period_end",
    )
    .bind(framework)
    .fetch_all(&mut *conn)
    .await?;
    let mut out: Vec<(String, String, f64)> = Vec::new();
    for r in &rows {
        let (code, period, total): (String, String, f64) = (
            r.try_get("indicator_code")?,
            r.try_get("period")?,
            r.try_get("total")?,
        );
        match out.last_mut() {
            Some(last) if last.0 == code => *last = (code, period, total),
            _ => out.push((code, period, total)),
        }
    }
    Ok(out)
}

/// A figure reported more than once: (value, period, unit, [(indicator, organisation)]).
pub type RepeatedFigure = (f64, String, String, Vec<(String, String)>);

/// Approved national totals that share value, unit and period with another one under a
/// different indicator or organisation: candidates for double counting, such as one
/// cohort reported under several programmes. (value, period, unit, [(indicator, organisation)])
pub async fn repeated_totals(
    conn: &mut Conn,
    min_value: f64,
) -> Result<Vec<RepeatedFigure>, StoreError> {
    let rows = sqlx::query(
        "select v.value, v.period, i.unit, v.indicator_code, v.organisation_code from data_value v
         join indicator i on i.framework_code = v.framework_code and i.code = v.indicator_code
         where v.status = 'approved' and v.cells = '' and v.territory_code = 'MA' and v.value >= $1
         order by v.value, v.period, i.unit, v.indicator_code, v.organisation_code",
    )
    .bind(min_value)
    .fetch_all(&mut *conn)
    .await?;
    let mut groups: Vec<RepeatedFigure> = Vec::new();
    for r in &rows {
        let (value, period, unit): (f64, String, String) = (
            r.try_get("value")?,
            r.try_get("period")?,
            r.try_get("unit")?,
        );
        let entry = (
            r.try_get("indicator_code")?,
            r.try_get("organisation_code")?,
        );
        match groups.last_mut() {
            Some(g) if g.0 == value && g.1 == period && g.2 == unit => g.3.push(entry),
            _ => groups.push((value, period, unit, vec![entry])),
        }
    }
    groups.retain(|g| g.3.len() > 1);
    Ok(groups)
}

/// One cell of the engine's grid: the values of one indicator at one territory for one
/// disaggregation cell (and one organisation when asked), summed in the database.
#[derive(Debug, Clone, PartialEq)]
pub struct GridCell {
    pub indicator_code: String,
    pub territory_code: String,
    /// The reporting organisation, only when the grid is broken down by it.
    pub organisation_code: Option<String>,
    pub cells: String,
    pub value: f64,
    /// The organisations summed, in code order.
    pub organisations: Vec<String>,
    /// The loosest qualifier among the values summed: 0 exact, 1 at least, 2 about.
    pub qualifier_rank: i64,
}

/// What the engine asks for: some indicators, one period, the territories of the
/// lines and of the total, and the disaggregation dimensions of the lines.
pub struct GridAsk<'a> {
    pub indicators: &'a [String],
    pub period: &'a str,
    pub statuses: &'a [&'a str],
    pub territories: &'a [String],
    /// Dimension codes the lines are broken down by (besides territory and
    /// organisation); the totals (`cells = ''`) always come too.
    pub dimensions: &'a [&'a str],
    pub by_organisation: bool,
}

/// The grid in one grouped query: for each indicator, territory and cell (the total
/// `''`, or a cell over exactly `dimensions`), the values summed over the reporting
/// organisations, with their list and loosest qualifier. The database does the
/// grouping, so what crosses the wire is one row per line of the answer.
pub async fn grid(conn: &mut Conn, ask: &GridAsk<'_>) -> Result<Vec<GridCell>, StoreError> {
    if ask.indicators.is_empty() || ask.territories.is_empty() || ask.statuses.is_empty() {
        return Ok(Vec::new());
    }
    // Placeholders are numbered, never values: the text holds no input.
    let mut n = 1;
    let mut list = |len: usize| {
        let out: Vec<String> = (n..n + len).map(|i| format!("${i}")).collect();
        n += len;
        out.join(", ")
    };
    let period = list(1);
    let indicators = list(ask.indicators.len());
    let statuses = list(ask.statuses.len());
    let territories = list(ask.territories.len());
    let mut dims: Vec<&str> = ask.dimensions.to_vec();
    dims.sort_unstable();
    let pattern = dims
        .iter()
        .map(|d| format!("{d}=%"))
        .collect::<Vec<_>>()
        .join(";");
    let cells_filter = if dims.is_empty() {
        "cells = ''".to_string()
    } else {
        // `cells` is canonical (`sex=F;status=refugee`, dimensions in code order), so a
        // cell over exactly these dimensions matches the pattern and has as many `;`.
        let (p, k) = (list(1), list(1));
        format!(
            "(cells = '' or (cells like {p} and length(cells) - length(replace(cells, ';', '')) = {k}))"
        )
    };
    let (org, group_org) = if ask.by_organisation {
        ("organisation_code", ", organisation_code")
    } else {
        ("''", "")
    };
    let sql = format!(
        "select indicator_code, territory_code, {org} as org, cells, sum(value) as value,
           string_agg(organisation_code, ',' order by organisation_code) as orgs,
           cast(max(case qualifier when 'about' then 2 when 'at_least' then 1 else 0 end) as bigint) as q
         from data_value
         where period = {period} and indicator_code in ({indicators}) and status in ({statuses})
           and territory_code in ({territories}) and {cells_filter}
         group by indicator_code, territory_code{group_org}, cells
         order by indicator_code, territory_code, org, cells"
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(ask.period);
    for i in ask.indicators {
        q = q.bind(i.as_str());
    }
    for s in ask.statuses {
        q = q.bind(*s);
    }
    for t in ask.territories {
        q = q.bind(t.as_str());
    }
    if !dims.is_empty() {
        q = q.bind(pattern).bind(dims.len() as i64 - 1);
    }
    let rows = q.fetch_all(&mut *conn).await?;
    rows.iter()
        .map(|r| {
            let org: String = r.try_get("org")?;
            let orgs: String = r.try_get("orgs")?;
            Ok(GridCell {
                indicator_code: r.try_get("indicator_code")?,
                territory_code: r.try_get("territory_code")?,
                organisation_code: Some(org).filter(|o| !o.is_empty()),
                cells: r.try_get("cells")?,
                value: r.try_get("value")?,
                organisations: orgs.split(',').map(str::to_string).collect(),
                qualifier_rank: r.try_get("q")?,
            })
        })
        .collect()
}

/// The columns `from_row` reads.
const COLUMNS: &str = "framework_code, indicator_code, period, period_start, period_end, territory_code, organisation_code,
    cells, value, qualifier, comment, status, source, source_line";

fn from_row(r: &sqlx::any::AnyRow) -> Result<DataValue, StoreError> {
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
}
