//! Validation rules as data. The rules every submission is checked against ship in
//! `data/rules.json` (no duplicate cell, a part never above its total, F + M = total
//! when all are exact, the regions never above the national row); a data set adds
//! its own in `data/datasets/*.json` (`"rules": [...]`), which apply to that data
//! set's indicators: a range, the cells it requires, a percentage recomputed from its
//! numerator and denominator.
//!
//! A broken rule is a [`RowIssue`] naming the line, the column, the rule's kind and the
//! cells, with a [`Breach`] whose arguments the web layer puts into a sentence in the
//! reader's language (`rule-{kind}` in the locale files); the issue's `value` is the
//! same in English for the command line and logs.

use crate::dimensions::registry;
use crate::error::ErrorCode;
use crate::values::{Qualifier, RowIssue, ValueRow, cells_key, parse_cells_key};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// The shipped default rules.
pub const SHIPPED: &str = include_str!("../../../data/rules.json");

/// A cell of one indicator: `{"indicator": "SNIA-P1-SCOL", "cells": "sex=F"}`
/// (`cells` empty or absent = the total).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CellRef {
    pub indicator: String,
    #[serde(default)]
    pub cells: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Rule {
    /// A cell is reported once per indicator, period, territory and organisation.
    UniqueCell,
    /// A part is not above its total (unless the total is «at least»).
    PartLeTotal,
    /// The parts of the complete category set `set` sum to the total when all are exact.
    PartsSumTotal { set: String },
    /// The regions' rows together are not above the national row.
    TerritoriesLeTotal,
    /// A value within `[min, max]`.
    Range {
        #[serde(default)]
        indicator: Option<String>,
        #[serde(default)]
        min: Option<f64>,
        #[serde(default)]
        max: Option<f64>,
    },
    /// Cells every reported indicator (or `indicator`) must have: `""` is the total.
    Required {
        #[serde(default)]
        indicator: Option<String>,
        cells: Vec<String>,
    },
    /// A percentage recomputed from two cells; a difference beyond `tolerance`
    /// percentage points (after rounding as reported) is refused.
    PercentRecomputed {
        indicator: String,
        numerator: CellRef,
        denominator: CellRef,
        #[serde(default)]
        tolerance: f64,
    },
}

impl Rule {
    pub fn kind(&self) -> &'static str {
        match self {
            Rule::UniqueCell => "unique_cell",
            Rule::PartLeTotal => "part_le_total",
            Rule::PartsSumTotal { .. } => "parts_sum_total",
            Rule::TerritoriesLeTotal => "territories_le_total",
            Rule::Range { .. } => "range",
            Rule::Required { .. } => "required",
            Rule::PercentRecomputed { .. } => "percent_recomputed",
        }
    }

    /// What is wrong with the rule itself (an unknown or overlapping set, a cell that
    /// names no dimension value, bounds the wrong way round).
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        let cells_ok = |key: &str| {
            parse_cells_key(key)
                .iter()
                .all(|(d, v)| registry().normalise(d, v).as_deref() == Some(v.as_str()))
                && (key.is_empty() || key.contains('='))
        };
        match self {
            Rule::PartsSumTotal { set } => {
                match registry().dimensions().iter().find_map(|d| d.set(set)) {
                    None => out.push(format!("parts_sum_total: unknown category set {set}")),
                    Some(s) if s.overlapping => out.push(format!(
                        "parts_sum_total: {set} overlaps, its parts never sum to a total"
                    )),
                    Some(_) => {}
                }
            }
            Rule::Range { min, max, .. } => {
                if let (Some(a), Some(b)) = (min, max)
                    && a > b
                {
                    out.push(format!("range: min {a} above max {b}"));
                }
            }
            Rule::Required { cells, .. } => {
                for c in cells.iter().filter(|c| !cells_ok(c)) {
                    out.push(format!("required: {c} is not a cell such as sex=F"));
                }
            }
            Rule::PercentRecomputed {
                numerator,
                denominator,
                ..
            } => {
                for r in [numerator, denominator] {
                    if !cells_ok(&r.cells) {
                        out.push(format!("percent_recomputed: {} is not a cell", r.cells));
                    }
                }
            }
            _ => {}
        }
        out
    }
}

/// The default rules file: `{"rules": [...]}`.
pub fn parse_rules(json: &str) -> Result<Vec<Rule>, String> {
    #[derive(Deserialize)]
    struct File {
        rules: Vec<Rule>,
    }
    let file: File = serde_json::from_str(json).map_err(|e| e.to_string())?;
    let problems: Vec<String> = file.rules.iter().flat_map(Rule::problems).collect();
    if problems.is_empty() {
        Ok(file.rules)
    } else {
        Err(problems.join("; "))
    }
}

/// The shipped defaults (a unit test parses them; a broken file would leave only the
/// duplicate check, which is always applied).
pub fn defaults() -> Vec<Rule> {
    parse_rules(SHIPPED).unwrap_or_default()
}

/// Rules and the indicators each applies to (`None` = every indicator).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RuleSet {
    rules: Vec<(Rule, Option<BTreeSet<String>>)>,
}

impl RuleSet {
    pub fn new(defaults: Vec<Rule>) -> RuleSet {
        RuleSet {
            rules: defaults.into_iter().map(|r| (r, None)).collect(),
        }
    }

    /// Adds a data set's rules, for its indicators only.
    pub fn add(&mut self, rules: &[Rule], indicators: &[String]) {
        let scope: BTreeSet<String> = indicators.iter().cloned().collect();
        for r in rules {
            self.rules.push((r.clone(), Some(scope.clone())));
        }
    }

    /// Drops the `required` rules (a draft may be incomplete).
    pub fn without_required(mut self) -> RuleSet {
        self.rules
            .retain(|(r, _)| !matches!(r, Rule::Required { .. }));
        self
    }

    fn applying(&self, indicator: &str) -> impl Iterator<Item = &Rule> {
        self.rules
            .iter()
            .filter(move |(_, scope)| scope.as_ref().is_none_or(|s| s.contains(indicator)))
            .map(|(r, _)| r)
    }

    fn any(&self, f: impl Fn(&Rule) -> bool) -> bool {
        self.rules.iter().any(|(r, _)| f(r))
    }
}

/// A broken rule, for the sentence in the reader's language: the rule's kind and
/// named arguments (`cells`, `value`, `total`, `line`…).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Breach {
    pub rule: String,
    pub args: Vec<(String, String)>,
}

/// One (indicator, period, territory, organisation) that must be there, rows or not:
/// what a submitted form covers.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Group {
    pub indicator: String,
    pub period: String,
    pub territory: String,
    pub organisation: String,
}

fn num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

/// Decimals a reported figure carries (50.07 → 2, 50.1 → 1), up to 4.
fn decimals(v: f64) -> i32 {
    (0..4)
        .find(|d| {
            let s = 10f64.powi(*d);
            ((v * s).round() - v * s).abs() < 1e-6
        })
        .unwrap_or(4)
}

fn breach(
    line: u64,
    column: &str,
    code: ErrorCode,
    rule: &str,
    args: &[(&str, String)],
    text: String,
) -> RowIssue {
    RowIssue {
        line,
        column: column.to_string(),
        code,
        value: format!("{rule}: {text}"),
        rule: Some(Breach {
            rule: rule.to_string(),
            args: args
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
        }),
    }
}

/// Checks the rows of one submission against `rules`. `parent_of` gives a territory's
/// parent, so region rows are checked against the national row; `expect` lists the
/// groups a form covers, so a required cell of an indicator left empty is named too.
pub fn check(
    rows: &[ValueRow],
    parent_of: &dyn Fn(&str) -> Option<String>,
    rules: &RuleSet,
    expect: &[Group],
) -> Vec<RowIssue> {
    let mut issues = Vec::new();
    let key = |r: &ValueRow, territory: &str, cells: &str| {
        format!(
            "{}|{}|{}|{}|{}",
            r.indicator, r.period, territory, r.organisation, cells
        )
    };
    // A cell is stored once: the duplicate check is always applied.
    let mut by_key: HashMap<String, &ValueRow> = HashMap::new();
    for r in rows {
        let k = key(r, &r.territory, &cells_key(&r.cells));
        if let Some(first) = by_key.get(&k) {
            issues.push(breach(
                r.line,
                "value",
                ErrorCode::AlreadyExists,
                "unique_cell",
                &[
                    ("cells", cells_key(&r.cells)),
                    ("line", first.line.to_string()),
                ],
                format!("same cell as line {}", first.line),
            ));
        } else {
            by_key.insert(k, r);
        }
    }
    let applies = |r: &ValueRow, f: &dyn Fn(&Rule) -> bool| rules.applying(&r.indicator).any(f);

    // A part is not above its total.
    for r in rows.iter().filter(|r| !r.cells.is_empty()) {
        if !applies(r, &|x| matches!(x, Rule::PartLeTotal)) {
            continue;
        }
        if let Some(total) = by_key.get(&key(r, &r.territory, ""))
            && r.value > total.value
            && total.qualifier != Qualifier::AtLeast
        {
            let cells = cells_key(&r.cells);
            issues.push(breach(
                r.line,
                "value",
                ErrorCode::RuleViolated,
                "part_le_total",
                &[
                    ("cells", cells.clone()),
                    ("value", num(r.value)),
                    ("total", num(total.value)),
                    ("line", total.line.to_string()),
                ],
                format!(
                    "{cells} {} > total {} (line {})",
                    num(r.value),
                    num(total.value),
                    total.line
                ),
            ));
        }
    }

    // The parts of a complete category set sum to the total when all are exact.
    let mut seen_sets = BTreeSet::new();
    for (rule, _) in &rules.rules {
        let Rule::PartsSumTotal { set } = rule else {
            continue;
        };
        if !seen_sets.insert(set.clone()) {
            continue;
        }
        let Some((dim, cs)) = registry()
            .dimensions()
            .iter()
            .find_map(|d| d.set(set).map(|s| (d.code.clone(), s)))
        else {
            continue;
        };
        if cs.overlapping {
            continue;
        }
        // Over distinct cells only: a duplicated row is reported above, not summed twice.
        let mut sums: BTreeMap<String, (f64, usize, bool, u64, Vec<String>)> = BTreeMap::new();
        for r in by_key.values().filter(|r| {
            r.cells.len() == 1
                && r.cells.get(&dim).is_some_and(|v| cs.values.contains(v))
                && applies(
                    r,
                    &|x| matches!(x, Rule::PartsSumTotal { set: s } if s == set),
                )
        }) {
            let e =
                sums.entry(key(r, &r.territory, ""))
                    .or_insert((0.0, 0, true, r.line, Vec::new()));
            e.0 += r.value;
            e.1 += 1;
            e.2 &= r.qualifier == Qualifier::Exact;
            e.3 = e.3.max(r.line);
            e.4.push(format!("{dim}={}", r.cells[&dim]));
        }
        for (k, (sum, n, exact, line, mut parts)) in sums {
            if let (true, true, Some(total)) = (n == cs.values.len(), exact, by_key.get(&k))
                && total.qualifier == Qualifier::Exact
                && (sum - total.value).abs() > 1e-9
            {
                parts.sort();
                let cells = parts.join(" + ");
                issues.push(breach(
                    line,
                    "value",
                    ErrorCode::RuleViolated,
                    "parts_sum_total",
                    &[
                        ("cells", cells.clone()),
                        ("sum", num(sum)),
                        ("total", num(total.value)),
                        ("line", total.line.to_string()),
                    ],
                    format!(
                        "{cells} = {}, total {} (line {})",
                        num(sum),
                        num(total.value),
                        total.line
                    ),
                ));
            }
        }
    }

    // Territories: the regions' rows together are not above the national row.
    let mut region_sums: BTreeMap<String, (f64, u64, String)> = BTreeMap::new();
    for r in by_key.values() {
        if !applies(r, &|x| matches!(x, Rule::TerritoriesLeTotal)) {
            continue;
        }
        if let Some(parent) = parent_of(&r.territory) {
            let e = region_sums
                .entry(key(r, &parent, &cells_key(&r.cells)))
                .or_insert((0.0, 0, cells_key(&r.cells)));
            e.0 += r.value;
            e.1 = e.1.max(r.line);
        }
    }
    for (k, (sum, line, cells)) in region_sums {
        if let Some(total) = by_key.get(&k)
            && sum > total.value + 1e-9
            && total.qualifier != Qualifier::AtLeast
        {
            issues.push(breach(
                line,
                "territory",
                ErrorCode::RuleViolated,
                "territories_le_total",
                &[
                    ("cells", cells),
                    ("sum", num(sum)),
                    ("total", num(total.value)),
                    ("line", total.line.to_string()),
                ],
                format!(
                    "regions {} > total {} (line {})",
                    num(sum),
                    num(total.value),
                    total.line
                ),
            ));
        }
    }

    // Ranges.
    for r in rows {
        for rule in rules.applying(&r.indicator) {
            let Rule::Range {
                indicator,
                min,
                max,
            } = rule
            else {
                continue;
            };
            if indicator.as_ref().is_some_and(|i| *i != r.indicator) {
                continue;
            }
            let low = min.is_some_and(|m| r.value < m);
            let high = max.is_some_and(|m| r.value > m);
            if low || high {
                let bounds = format!(
                    "[{}, {}]",
                    min.map(num).unwrap_or_else(|| "…".into()),
                    max.map(num).unwrap_or_else(|| "…".into())
                );
                let cells = cells_key(&r.cells);
                issues.push(breach(
                    r.line,
                    "value",
                    ErrorCode::RuleViolated,
                    "range",
                    &[
                        ("cells", cells.clone()),
                        ("value", num(r.value)),
                        ("bounds", bounds.clone()),
                    ],
                    format!("{} {} outside {bounds}", r.indicator, num(r.value)),
                ));
            }
        }
    }

    // Required cells, for every group reported and every group a form covers.
    if rules.any(|r| matches!(r, Rule::Required { .. })) {
        let mut groups: BTreeMap<Group, (u64, BTreeSet<String>)> = BTreeMap::new();
        for g in expect {
            groups.entry(g.clone()).or_insert((0, BTreeSet::new()));
        }
        for r in rows {
            let e = groups
                .entry(Group {
                    indicator: r.indicator.clone(),
                    period: r.period.clone(),
                    territory: r.territory.clone(),
                    organisation: r.organisation.clone(),
                })
                .or_insert((r.line, BTreeSet::new()));
            if e.0 == 0 || r.line < e.0 {
                e.0 = r.line;
            }
            e.1.insert(cells_key(&r.cells));
        }
        for (g, (line, present)) in &groups {
            let mut missing = BTreeSet::new();
            for rule in rules.applying(&g.indicator) {
                if let Rule::Required { indicator, cells } = rule
                    && indicator.as_ref().is_none_or(|i| *i == g.indicator)
                {
                    missing.extend(cells.iter().filter(|c| !present.contains(*c)).cloned());
                }
            }
            for cells in missing {
                let shown = if cells.is_empty() {
                    "total".to_string()
                } else {
                    cells.clone()
                };
                issues.push(breach(
                    *line,
                    "value",
                    ErrorCode::Required,
                    "required",
                    &[("indicator", g.indicator.clone()), ("cells", cells.clone())],
                    format!("{} {} {shown} is required", g.indicator, g.territory),
                ));
            }
        }
    }

    // Percentages recomputed from their numerator and denominator.
    for r in rows.iter().filter(|r| r.cells.is_empty()) {
        for rule in rules.applying(&r.indicator) {
            let Rule::PercentRecomputed {
                indicator,
                numerator,
                denominator,
                tolerance,
            } = rule
            else {
                continue;
            };
            if *indicator != r.indicator {
                continue;
            }
            let find = |c: &CellRef| {
                let cells = cells_key(&parse_cells_key(&c.cells));
                by_key
                    .get(&format!(
                        "{}|{}|{}|{}|{}",
                        c.indicator, r.period, r.territory, r.organisation, cells
                    ))
                    .map(|x| x.value)
            };
            let (Some(n), Some(d)) = (find(numerator), find(denominator)) else {
                continue;
            };
            if d <= 0.0 {
                continue;
            }
            let exact = n / d * 100.0;
            let shown = (exact * 100.0).round() / 100.0;
            let p = 10f64.powi(decimals(r.value));
            if ((exact * p).round() / p - r.value).abs() > tolerance + 1e-9 {
                issues.push(breach(
                    r.line,
                    "value",
                    ErrorCode::RuleViolated,
                    "percent_recomputed",
                    &[
                        ("numerator", num(n)),
                        ("denominator", num(d)),
                        ("computed", num(shown)),
                        ("value", num(r.value)),
                    ],
                    format!(
                        "{} / {} = {} %, reported {} %",
                        num(n),
                        num(d),
                        num(shown),
                        num(r.value)
                    ),
                ));
            }
        }
    }
    issues.sort_by(|a, b| a.line.cmp(&b.line).then(a.column.cmp(&b.column)));
    issues
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(line: u64, territory: &str, cell: Option<(&str, &str)>, value: f64) -> ValueRow {
        let mut cells = BTreeMap::new();
        if let Some((d, v)) = cell {
            cells.insert(d.to_string(), v.to_string());
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

    fn sex(line: u64, s: &str, value: f64) -> ValueRow {
        row(line, "MA", Some(("sex", s)), value)
    }

    fn parent(t: &str) -> Option<String> {
        t.starts_with("MA-").then(|| "MA".to_string())
    }

    fn strings(rows: &[ValueRow], rules: &RuleSet) -> Vec<String> {
        check(rows, &parent, rules, &[])
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn the_shipped_defaults_are_the_four_rules() {
        let kinds: Vec<&str> = defaults().iter().map(Rule::kind).collect();
        assert_eq!(
            kinds,
            [
                "unique_cell",
                "part_le_total",
                "parts_sum_total",
                "territories_le_total"
            ]
        );
    }

    #[test]
    fn consistent_rows_pass() {
        let rows = [
            row(2, "MA", None, 680.0),
            sex(3, "F", 261.0),
            sex(4, "M", 419.0),
            row(5, "MA-04", None, 9.0),
        ];
        assert_eq!(
            check(&rows, &parent, &RuleSet::new(defaults()), &[]),
            vec![]
        );
    }

    #[test]
    fn each_broken_rule_names_its_row_rule_and_cells() {
        let rows = [
            row(2, "MA", None, 680.0),
            sex(3, "F", 700.0),
            sex(4, "M", 419.0),
            row(5, "MA-04", None, 600.0),
            row(6, "MA-06", None, 100.0),
            sex(7, "M", 1.0),
        ];
        let issues = strings(&rows, &RuleSet::new(defaults()));
        for expected in [
            "line 3, column value: rule_violated (part_le_total: sex=F 700 > total 680 (line 2))",
            "line 4, column value: rule_violated (parts_sum_total: sex=F + sex=M = 1119, total 680 (line 2))",
            "line 6, column territory: rule_violated (territories_le_total: regions 700 > total 680 (line 2))",
            "line 7, column value: already_exists (unique_cell: same cell as line 4)",
        ] {
            assert!(
                issues.iter().any(|i| i == expected),
                "{expected}\n{issues:#?}"
            );
        }
        let breach = check(&rows, &parent, &RuleSet::new(defaults()), &[])
            .into_iter()
            .find_map(|i| i.rule.filter(|b| b.rule == "part_le_total"))
            .unwrap();
        assert!(breach.args.contains(&("cells".into(), "sex=F".into())));
    }

    #[test]
    fn rules_can_be_switched_off_by_leaving_them_out() {
        let rows = [
            row(2, "MA", None, 680.0),
            sex(3, "F", 700.0),
            sex(4, "M", 419.0),
        ];
        assert_eq!(strings(&rows, &RuleSet::new(vec![])), Vec::<String>::new());
    }

    #[test]
    fn a_complete_age_set_sums_and_an_overlapping_set_never_does() {
        let age = |line, v, n| row(line, "MA", Some(("age", v)), n);
        let rows = [
            row(2, "MA", None, 100.0),
            age(3, "minor", 30.0),
            age(4, "adult", 60.0),
        ];
        let rules = RuleSet::new(vec![Rule::PartsSumTotal {
            set: "age-2".into(),
        }]);
        assert_eq!(strings(&rows, &rules).len(), 1);
        // Fine bands are another set: they do not count in age-2's sum.
        let rows = [
            row(2, "MA", None, 100.0),
            age(3, "minor", 40.0),
            age(4, "adult", 60.0),
            age(5, "0-14", 10.0),
        ];
        assert!(strings(&rows, &rules).is_empty());
        // Women, men, minors, newborns overlap: 585 = 200 + 300 + 150 + 20 is not required.
        let g = |line, v, n| row(line, "MA", Some(("group", v)), n);
        let rows = [
            row(2, "MA", None, 585.0),
            g(3, "women", 200.0),
            g(4, "men", 300.0),
            g(5, "minors", 150.0),
            g(6, "newborns", 20.0),
        ];
        assert!(strings(&rows, &RuleSet::new(defaults())).is_empty());
        let overlapping = Rule::PartsSumTotal {
            set: "group-2020".into(),
        };
        assert!(overlapping.problems()[0].contains("overlaps"));
        assert!(strings(&rows, &RuleSet::new(vec![overlapping])).is_empty());
    }

    #[test]
    fn a_data_sets_rules_apply_to_its_indicators_only() {
        let mut rules = RuleSet::new(defaults());
        rules.add(
            &[
                Rule::Range {
                    indicator: None,
                    min: Some(0.0),
                    max: Some(500.0),
                },
                Rule::Required {
                    indicator: None,
                    cells: vec!["".into(), "sex=F".into(), "sex=M".into()],
                },
            ],
            &["I".to_string()],
        );
        let mut other = sex(3, "F", 900.0);
        other.indicator = "J".into();
        let rows = [row(2, "MA", None, 680.0), other, sex(4, "F", 100.0)];
        let issues = strings(&rows, &rules);
        assert!(
            issues.contains(
                &"line 2, column value: rule_violated (range: I 680 outside [0, 500])".to_string()
            ),
            "{issues:#?}"
        );
        assert!(
            issues.contains(
                &"line 2, column value: required (required: I MA sex=M is required)".to_string()
            ),
            "{issues:#?}"
        );
        assert!(!issues.iter().any(|i| i.contains("line 3")), "{issues:#?}");
        // A form names the indicators it covers, so an empty one is named too.
        let expect = [Group {
            indicator: "I".into(),
            period: "2021".into(),
            territory: "MA".into(),
            organisation: "O".into(),
        }];
        let empty = check(&[], &parent, &rules, &expect);
        assert_eq!(empty.len(), 3, "{empty:?}");
        assert!(check(&[], &parent, &rules.clone().without_required(), &expect).is_empty());
    }

    #[test]
    fn a_percentage_is_recomputed_not_trusted() {
        let pct = Rule::PercentRecomputed {
            indicator: "P".into(),
            numerator: CellRef {
                indicator: "I".into(),
                cells: "sex=F".into(),
            },
            denominator: CellRef {
                indicator: "I".into(),
                cells: String::new(),
            },
            tolerance: 0.0,
        };
        let rules = RuleSet::new(vec![pct]);
        let p = |value| {
            let mut r = row(4, "MA", None, value);
            r.indicator = "P".into();
            r
        };
        let base = [row(2, "MA", None, 3207.0), sex(3, "F", 1606.0)];
        // The 2020 report prints 50.07 %; 1,606 / 3,207 is 50.08 %.
        let rows = [base[0].clone(), base[1].clone(), p(50.07)];
        assert_eq!(
            strings(&rows, &rules),
            [
                "line 4, column value: rule_violated (percent_recomputed: 1606 / 3207 = 50.08 %, reported 50.07 %)"
            ]
        );
        for fine in [50.08, 50.1, 50.0] {
            let rows = [base[0].clone(), base[1].clone(), p(fine)];
            assert!(strings(&rows, &rules).is_empty(), "{fine}");
        }
    }

    #[test]
    fn rules_parse_from_data_and_bad_ones_are_named() {
        let rules: Vec<Rule> = serde_json::from_str(
            r#"[{"kind": "range", "min": 0, "max": 100},
                {"kind": "required", "cells": ["", "sex=F"]},
                {"kind": "parts_sum_total", "set": "age-5"}]"#,
        )
        .unwrap();
        assert!(rules.iter().all(|r| r.problems().is_empty()));
        let bad: Vec<Rule> = serde_json::from_str(
            r#"[{"kind": "range", "min": 10, "max": 1},
                {"kind": "required", "cells": ["sex=X"]},
                {"kind": "parts_sum_total", "set": "nope"}]"#,
        )
        .unwrap();
        let problems: Vec<String> = bad.iter().flat_map(Rule::problems).collect();
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert!(serde_json::from_str::<Rule>(r#"{"kind": "colour"}"#).is_err());
    }
}
