//! An indicator values table as a flat sheet with an HXL hashtag row under the
//! header, written as CSV or XLSX by the directory's writers
//! (`directory::exchange::write_csv`, `write_workbook`) so there is one HXL/XLSX
//! path. Humanitarian tools (libhxl, HDX) read the hashtags; people read the header.

use crate::directory::exchange::{Sheet, write_csv, write_workbook};
use crate::values::ValuesTable;

/// The hashtag of a disaggregation column.
fn dimension_tag(dim: &str) -> String {
    match dim {
        "sex" => "#sex".into(),
        "age" => "#age".into(),
        "status" => "#group+status".into(),
        "nationality" => "#country+code+nationality".into(),
        "organisation" => "#org+code".into(),
        other => format!("#meta+{other}"),
    }
}

/// The hashtag of a territory code: the country, a region (`MA-04`, admin level 1)
/// or a province or prefecture (admin level 2).
fn territory_tag(code: &str) -> &'static str {
    let parts: Vec<&str> = code.split('-').collect();
    match parts.as_slice() {
        [_] => "#country+code",
        [_, r] if r.bytes().all(|b| b.is_ascii_digit()) => "#adm1+code",
        _ => "#adm2+code",
    }
}

fn number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

/// Rows: the header, the hashtags, a row per line of the table, then the total.
/// Returns the rows and the indexes of the numeric columns.
pub fn rows(t: &ValuesTable, start: &str, end: &str) -> (Vec<Vec<String>>, Vec<usize>) {
    let dims: Vec<&String> = t.by.iter().filter(|b| *b != "territory").collect();
    let by_territory = t.by.iter().any(|b| b == "territory");
    let line_territory = |dims: &[(String, String)]| -> String {
        dims.iter()
            .find(|(d, _)| d == "territory")
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| t.territory.clone())
    };
    let territory_hashtag = if by_territory {
        t.rows
            .first()
            .map(|r| territory_tag(&line_territory(&r.dims)))
            .unwrap_or_else(|| territory_tag(&t.territory))
    } else {
        territory_tag(&t.territory)
    };
    let persons = t.unit == "persons";
    let mut header: Vec<String> = ["indicator", "period", "start", "end", "territory"]
        .map(String::from)
        .to_vec();
    let mut tags: Vec<String> = [
        "#indicator+code",
        "#date+period",
        "#date+start",
        "#date+end",
        territory_hashtag,
    ]
    .map(String::from)
    .to_vec();
    for d in &dims {
        header.push(d.to_string());
        tags.push(dimension_tag(d));
    }
    let value_col = header.len();
    header.extend(["value", "qualifier", "share", "unit"].map(String::from));
    let value_tag = if persons { "#affected" } else { "#indicator" };
    tags.push(format!("{value_tag}+num"));
    tags.push("#meta+qualifier".into());
    tags.push(format!("{value_tag}+pct"));
    tags.push("#meta+unit".into());
    let mut out = vec![header, tags];
    let mut push = |dims_of: &[(String, String)],
                    territory: String,
                    value: Option<f64>,
                    qualifier: &str,
                    share: Option<f64>| {
        let mut row = vec![
            t.indicator.clone(),
            t.period.clone(),
            start.to_string(),
            end.to_string(),
            territory,
        ];
        for d in &dims {
            row.push(
                dims_of
                    .iter()
                    .find(|(k, _)| k == *d)
                    .map(|(_, v)| v.clone())
                    .unwrap_or_default(),
            );
        }
        row.push(value.map(number).unwrap_or_default());
        row.push(qualifier.to_string());
        row.push(share.map(number).unwrap_or_default());
        row.push(t.unit.clone());
        out.push(row);
    };
    for r in &t.rows {
        push(
            &r.dims,
            line_territory(&r.dims),
            (!r.withheld).then_some(r.value),
            if r.withheld {
                "withheld"
            } else {
                r.qualifier.as_str()
            },
            r.share,
        );
    }
    if let Some(total) = &t.total {
        push(
            &[],
            t.territory.clone(),
            (!total.withheld).then_some(total.value),
            if total.withheld {
                "withheld"
            } else {
                total.qualifier.as_str()
            },
            None,
        );
    }
    (out, vec![value_col, value_col + 2])
}

/// The table as HXL-tagged CSV.
pub fn to_csv(t: &ValuesTable, start: &str, end: &str) -> Vec<u8> {
    write_csv(&rows(t, start, end).0)
}

/// The table as an XLSX workbook: one sheet, the same two header rows, numbers as numbers.
pub fn to_xlsx(t: &ValuesTable, start: &str, end: &str) -> Result<Vec<u8>, String> {
    let (rows, numeric) = rows(t, start, end);
    write_workbook(&[Sheet {
        name: "values",
        rows: &rows,
        header_rows: 2,
        numeric_columns: &numeric,
    }])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::values::ValueLine;
    use passerelle_domain::values::Qualifier;

    #[test]
    fn a_table_by_region_and_sex_gets_its_hashtags() {
        let line = |t: &str, v: f64| ValueLine {
            dims: vec![("territory".into(), t.into()), ("sex".into(), "F".into())],
            value: v,
            qualifier: Qualifier::Exact,
            share: Some(50.0),
            organisations: vec!["EN".into()],
            withheld: false,
        };
        let t = ValuesTable {
            framework: "SNIA".into(),
            indicator: "X".into(),
            unit: "persons".into(),
            period: "2020".into(),
            territory: "MA".into(),
            by: vec!["territory".into(), "sex".into()],
            rows: vec![line("MA-04", 10.0), line("MA-06", 10.0)],
            total: None,
            notes: vec![],
        };
        let (rows, numeric) = rows(&t, "2020-01-01", "2020-12-31");
        assert_eq!(
            rows[1],
            vec![
                "#indicator+code",
                "#date+period",
                "#date+start",
                "#date+end",
                "#adm1+code",
                "#sex",
                "#affected+num",
                "#meta+qualifier",
                "#affected+pct",
                "#meta+unit"
            ]
        );
        assert_eq!(rows[2][4], "MA-04");
        assert_eq!(rows[2][5], "F");
        assert_eq!(numeric, vec![6, 8]);
        assert!(to_xlsx(&t, "2020-01-01", "2020-12-31").is_ok());
    }
}
