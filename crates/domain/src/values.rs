//! Aggregate values as partners report them: one number for an indicator, a period, a
//! territory, a reporting organisation and a cell of disaggregation (`sex=F`; no
//! dimension = the total over it), with a qualifier (exact, "plus de", "près de").
//!
//! This module checks what can be checked without a database: dimension values, and
//! the consistency rules between the rows of one submission — a part never exceeds
//! its total, and when every value of a closed dimension is given (F and M) and all
//! are exact, the parts sum to the total.

use crate::error::ErrorCode;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// The disaggregation dimensions that are columns of an import file.
pub const DIMENSIONS: [&str; 5] = ["sex", "age", "status", "nationality", "school_level"];

pub const STATUSES: [&str; 10] = [
    "regular",
    "regularised",
    "refugee",
    "asylum_seeker",
    "unaccompanied_child",
    "trafficking_victim",
    "irregular",
    "stateless",
    "student",
    "other",
];
pub const SCHOOL_LEVELS: [&str; 8] = [
    "creche",
    "prescolaire",
    "primaire",
    "college",
    "secondaire",
    "lycee",
    "superieur",
    "non_formel",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Qualifier {
    #[default]
    Exact,
    /// «plus de»
    AtLeast,
    /// «près de», «environ»
    About,
}

impl Qualifier {
    pub fn parse(s: &str) -> Option<Qualifier> {
        match s.trim() {
            "" | "exact" => Some(Qualifier::Exact),
            "at_least" => Some(Qualifier::AtLeast),
            "about" => Some(Qualifier::About),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Qualifier::Exact => "exact",
            Qualifier::AtLeast => "at_least",
            Qualifier::About => "about",
        }
    }
}

/// Checks and normalises one dimension value: `sex` F/M, `age` `adult`, `minor` or a
/// band (`15-17`, `50+`), `status` from [`STATUSES`], `nationality` ISO 3166-1
/// alpha-2, `school_level` from [`SCHOOL_LEVELS`].
pub fn dimension_value(dimension: &str, value: &str) -> Option<String> {
    let v = value.trim();
    match dimension {
        "sex" => match v.to_ascii_uppercase().as_str() {
            "F" | "FEMME" | "FEMALE" => Some("F".into()),
            "M" | "H" | "HOMME" | "MALE" => Some("M".into()),
            _ => None,
        },
        "age" => {
            let l = v.to_ascii_lowercase();
            let band =
                |s: &str| !s.is_empty() && s.len() <= 3 && s.bytes().all(|b| b.is_ascii_digit());
            let ok = matches!(l.as_str(), "adult" | "minor")
                || l.strip_suffix('+').is_some_and(band)
                || l.split_once('-').is_some_and(|(a, b)| {
                    band(a) && band(b) && a.parse::<u32>().ok() <= b.parse::<u32>().ok()
                });
            ok.then_some(l)
        }
        "status" => STATUSES
            .contains(&v.to_ascii_lowercase().as_str())
            .then(|| v.to_ascii_lowercase()),
        "nationality" => (v.len() == 2 && v.bytes().all(|b| b.is_ascii_alphabetic()))
            .then(|| v.to_ascii_uppercase()),
        "school_level" => SCHOOL_LEVELS
            .contains(&v.to_ascii_lowercase().as_str())
            .then(|| v.to_ascii_lowercase()),
        _ => None,
    }
}

/// A cell of disaggregation, canonical: dimensions sorted, `sex=F;status=refugee`;
/// the empty string is the total.
pub fn cells_key(cells: &BTreeMap<String, String>) -> String {
    cells
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(";")
}

pub fn parse_cells_key(key: &str) -> BTreeMap<String, String> {
    key.split(';')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// A parsed row of a submission, ready for the consistency rules.
#[derive(Debug, Clone, PartialEq)]
pub struct ValueRow {
    pub line: u64,
    pub indicator: String,
    pub period: String,
    pub territory: String,
    pub organisation: String,
    pub cells: BTreeMap<String, String>,
    pub value: f64,
    pub qualifier: Qualifier,
}

/// One problem with one row: its line, the column, what rule, and details.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowIssue {
    pub line: u64,
    pub column: String,
    pub code: ErrorCode,
    pub value: String,
}

impl std::fmt::Display for RowIssue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "line {}, column {}: {}",
            self.line, self.column, self.code
        )?;
        if !self.value.is_empty() {
            write!(f, " ({})", self.value)?;
        }
        Ok(())
    }
}

/// The rules between rows. `parent_of` gives a territory's parent code, so region
/// rows are checked against the national row.
pub fn check_rules(rows: &[ValueRow], parent_of: &dyn Fn(&str) -> Option<String>) -> Vec<RowIssue> {
    let mut issues = Vec::new();
    let key = |r: &ValueRow, territory: &str, cells: &str| {
        format!(
            "{}|{}|{}|{}|{}",
            r.indicator, r.period, territory, r.organisation, cells
        )
    };
    let mut by_key: HashMap<String, &ValueRow> = HashMap::new();
    for r in rows {
        let k = key(r, &r.territory, &cells_key(&r.cells));
        if let Some(first) = by_key.get(&k) {
            issues.push(RowIssue {
                line: r.line,
                column: "value".into(),
                code: ErrorCode::AlreadyExists,
                value: format!("same cell as line {}", first.line),
            });
        } else {
            by_key.insert(k, r);
        }
    }
    // A part is not above its total.
    for r in rows {
        if r.cells.is_empty() {
            continue;
        }
        if let Some(total) = by_key.get(&key(r, &r.territory, ""))
            && r.value > total.value
            && total.qualifier != Qualifier::AtLeast
        {
            issues.push(RowIssue {
                line: r.line,
                column: "value".into(),
                code: ErrorCode::RuleViolated,
                value: format!(
                    "part ≤ total: {} > {} (line {})",
                    r.value, total.value, total.line
                ),
            });
        }
    }
    // Complete closed dimension: F + M = total when all three are exact.
    let mut sums: HashMap<String, (f64, usize, bool, u64)> = HashMap::new();
    // Over distinct cells only: a duplicated row is reported above, not summed twice.
    for r in by_key
        .values()
        .filter(|r| r.cells.len() == 1 && r.cells.contains_key("sex"))
    {
        let e = sums
            .entry(key(r, &r.territory, ""))
            .or_insert((0.0, 0, true, r.line));
        e.0 += r.value;
        e.1 += 1;
        e.2 &= r.qualifier == Qualifier::Exact;
        e.3 = e.3.max(r.line);
    }
    for (k, (sum, n, exact, line)) in sums {
        if let (2, true, Some(total)) = (n, exact, by_key.get(&k))
            && total.qualifier == Qualifier::Exact
            && (sum - total.value).abs() > 1e-9
        {
            issues.push(RowIssue {
                line,
                column: "value".into(),
                code: ErrorCode::RuleViolated,
                value: format!(
                    "sum of parts = total: F + M = {sum}, total {} (line {})",
                    total.value, total.line
                ),
            });
        }
    }
    // Territories: the regions' rows together are not above the national row.
    let mut region_sums: HashMap<String, (f64, u64)> = HashMap::new();
    for r in by_key.values() {
        if let Some(parent) = parent_of(&r.territory) {
            let e = region_sums
                .entry(key(r, &parent, &cells_key(&r.cells)))
                .or_insert((0.0, 0));
            e.0 += r.value;
            e.1 = e.1.max(r.line);
        }
    }
    for (k, (sum, line)) in region_sums {
        if let Some(total) = by_key.get(&k)
            && sum > total.value + 1e-9
            && total.qualifier != Qualifier::AtLeast
        {
            issues.push(RowIssue {
                line,
                column: "territory".into(),
                code: ErrorCode::RuleViolated,
                value: format!(
                    "sum of territories ≤ total: {sum} > {} (line {})",
                    total.value, total.line
                ),
            });
        }
    }
    issues.sort_by(|a, b| a.line.cmp(&b.line).then(a.column.cmp(&b.column)));
    issues
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(line: u64, territory: &str, sex: Option<&str>, value: f64) -> ValueRow {
        let mut cells = BTreeMap::new();
        if let Some(s) = sex {
            cells.insert("sex".to_string(), s.to_string());
        }
        ValueRow {
            line,
            indicator: "I".into(),
            period: "2020".into(),
            territory: territory.into(),
            organisation: "O".into(),
            cells,
            value,
            qualifier: Qualifier::Exact,
        }
    }

    fn parent(t: &str) -> Option<String> {
        t.starts_with("MA-").then(|| "MA".to_string())
    }

    #[test]
    fn consistent_rows_pass() {
        let rows = [
            row(2, "MA", None, 680.0),
            row(3, "MA", Some("F"), 261.0),
            row(4, "MA", Some("M"), 419.0),
            row(5, "MA-04", None, 9.0),
        ];
        assert_eq!(check_rules(&rows, &parent), vec![]);
    }

    #[test]
    fn each_broken_rule_names_its_row() {
        let rows = [
            row(2, "MA", None, 680.0),
            row(3, "MA", Some("F"), 700.0),
            row(4, "MA", Some("M"), 419.0),
            row(5, "MA-04", None, 600.0),
            row(6, "MA-06", None, 100.0),
            row(7, "MA", Some("M"), 1.0),
        ];
        let issues: Vec<String> = check_rules(&rows, &parent)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert!(
            issues
                .iter()
                .any(|i| i
                    .starts_with("line 3, column value: rule_violated (part ≤ total: 700 > 680")),
            "{issues:?}"
        );
        assert!(issues.iter().any(|i| i.starts_with("line 4, column value: rule_violated (sum of parts = total")), "{issues:?}");
        assert!(
            issues
                .iter()
                .any(|i| i
                    .starts_with("line 6, column territory: rule_violated (sum of territories")),
            "{issues:?}"
        );
        assert!(
            issues.iter().any(
                |i| i.starts_with("line 7, column value: already_exists (same cell as line 4)")
            ),
            "{issues:?}"
        );
    }

    #[test]
    fn dimension_values() {
        assert_eq!(dimension_value("sex", "h"), Some("M".into()));
        assert_eq!(dimension_value("age", "15-17"), Some("15-17".into()));
        assert_eq!(dimension_value("age", "50+"), Some("50+".into()));
        assert_eq!(dimension_value("age", "17-15"), None);
        assert_eq!(dimension_value("nationality", "gn"), Some("GN".into()));
        assert_eq!(dimension_value("status", "Refugee"), Some("refugee".into()));
        assert_eq!(dimension_value("status", "alien"), None);
        assert_eq!(dimension_value("colour", "red"), None);
        let mut c = BTreeMap::new();
        c.insert("status".to_string(), "refugee".to_string());
        c.insert("sex".to_string(), "F".to_string());
        assert_eq!(cells_key(&c), "sex=F;status=refugee");
        assert_eq!(parse_cells_key("sex=F;status=refugee"), c);
    }
}
