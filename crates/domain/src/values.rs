//! Aggregate values as partners report them: one number for an indicator, a period, a
//! territory, a reporting organisation and a cell of disaggregation (`sex=F`; no
//! dimension = the total over it), with a qualifier (exact, "plus de", "près de").
//!
//! This module checks what can be checked without a database: dimension values
//! (against the registry of [`crate::dimensions`]) and, through [`crate::rules`], the
//! validation rules between the rows of one submission.

use crate::error::ErrorCode;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The disaggregation dimensions that are columns of an import file, from the
/// registry (`data/dimensions.json`).
pub fn dimension_codes() -> impl Iterator<Item = &'static str> {
    crate::dimensions::registry().codes()
}

/// Whether `code` is a disaggregation dimension.
pub fn is_dimension(code: &str) -> bool {
    crate::dimensions::registry().is_dimension(code)
}

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

/// Checks and normalises one dimension value against the registry
/// ([`crate::dimensions`]): `femmes` → `F`, `Réfugiés` → `refugee`, `gn` → `GN`
/// (ISO 3166-1), an age band `15-17` or `60+`.
pub fn dimension_value(dimension: &str, value: &str) -> Option<String> {
    crate::dimensions::registry().normalise(dimension, value)
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
    /// The rule broken, when a validation rule was (its kind and the arguments of
    /// the sentence the interface shows).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<crate::rules::Breach>,
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

/// The default rules between rows (`data/rules.json`); a data set's own rules go
/// through [`crate::rules::check`].
pub fn check_rules(rows: &[ValueRow], parent_of: &dyn Fn(&str) -> Option<String>) -> Vec<RowIssue> {
    crate::rules::check(
        rows,
        parent_of,
        &crate::rules::RuleSet::new(crate::rules::defaults()),
        &[],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

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
