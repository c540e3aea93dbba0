//! Results frameworks as data: the SNIA (strategic objective → programme → specific
//! objective → action), a donor's results chain (general objective → … → output), a
//! region's strategy (component → axis → objective → action → sub-action). A new
//! strategy is a file, not code.
//!
//! A definition is parsed from JSON and then *checked as a whole*: every problem is
//! reported with where it is (`nodes[12].parent`), so an author fixes a file in one
//! pass. Codes tolerate the gaps the sources have (there is no OSP 7); a node's parent
//! may sit at any higher level, since some sources skip a level.

use crate::error::ErrorCode;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

/// Text in the three languages; French is required.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Title {
    #[serde(default)]
    pub fr: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ar: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub en: Option<String>,
}

impl Title {
    pub fn pick(&self, locale: crate::Locale) -> &str {
        match locale {
            crate::Locale::Ar => self.ar.as_deref(),
            crate::Locale::En => self.en.as_deref(),
            crate::Locale::Fr => None,
        }
        .filter(|s| !s.is_empty())
        .unwrap_or(&self.fr)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LevelDef {
    pub code: String,
    pub title: Title,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NodeDef {
    pub code: String,
    pub level: String,
    #[serde(default)]
    pub parent: Option<String>,
    pub title: Title,
    /// Other nodes this one serves, here (`OSP10`) or in another framework (`SNIA:P6`).
    #[serde(default)]
    pub contributes_to: Vec<String>,
    #[serde(default)]
    pub attributes: serde_json::Map<String, serde_json::Value>,
}

/// What an indicator measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IndicatorKind {
    Count,
    Percentage,
    Ratio,
    ChangeVsBaseline,
    YesNo,
    PlanExecution,
    ScoreGain,
    Qualitative,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Baseline {
    #[serde(default)]
    pub value: Option<f64>,
    #[serde(default)]
    pub period: Option<String>,
    #[serde(default)]
    pub numerator: Option<f64>,
    #[serde(default)]
    pub denominator: Option<f64>,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetDef {
    pub period: String,
    #[serde(default)]
    pub value: Option<f64>,
    /// The disaggregation cell the target is for (`{"sex": "F"}`); empty = total.
    #[serde(default)]
    pub cells: serde_json::Map<String, serde_json::Value>,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndicatorDef {
    pub code: String,
    pub node: String,
    pub title: Title,
    pub kind: IndicatorKind,
    pub unit: String,
    #[serde(default = "increase")]
    pub direction: String,
    #[serde(default)]
    pub cumulative: bool,
    #[serde(default)]
    pub frequency: Option<String>,
    #[serde(default)]
    pub source: Option<String>,
    #[serde(default)]
    pub responsible: Option<String>,
    #[serde(default)]
    pub dimensions: Vec<String>,
    #[serde(default)]
    pub baseline: Option<Baseline>,
    #[serde(default)]
    pub targets: Vec<TargetDef>,
    #[serde(default)]
    pub notes: Option<String>,
}

fn increase() -> String {
    "increase".into()
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FrameworkDef {
    pub code: String,
    pub title: Title,
    #[serde(default)]
    pub owner: Option<String>,
    #[serde(default)]
    pub source: Option<String>,
    pub levels: Vec<LevelDef>,
    pub nodes: Vec<NodeDef>,
    #[serde(default)]
    pub indicators: Vec<IndicatorDef>,
    #[serde(default)]
    pub notes: Option<serde_json::Value>,
}

/// One problem in a definition: where, what rule, which value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FrameworkIssue {
    pub location: String,
    pub code: ErrorCode,
    pub value: String,
}

impl std::fmt::Display for FrameworkIssue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.location, self.code)?;
        if !self.value.is_empty() {
            write!(f, " ({})", self.value)?;
        }
        Ok(())
    }
}

pub const UNITS: &[&str] = &[
    "persons",
    "services",
    "households",
    "projects",
    "organisations",
    "meetings",
    "percent",
    "stories",
    "tools",
    "sessions",
    "events",
    "documents",
    "currency",
    "score",
    "ratio",
];

/// Framework codes are upper-case letters, digits, `-` and `_`, 2–32 characters.
pub fn valid_framework_code(code: &str) -> bool {
    (2..=32).contains(&code.len())
        && code
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

/// Node codes: 1–40 printable characters, no `:` (it separates a framework prefix).
pub fn valid_node_code(code: &str) -> bool {
    let n = code.chars().count();
    (1..=40).contains(&n)
        && code.trim() == code
        && !code.contains(':')
        && !code.chars().any(char::is_control)
}

impl FrameworkDef {
    /// Parses JSON; a syntax error becomes one issue with line and column.
    pub fn from_json(text: &str) -> Result<FrameworkDef, Vec<FrameworkIssue>> {
        serde_json::from_str(text).map_err(|e| {
            vec![FrameworkIssue {
                location: format!("line {}, column {}", e.line(), e.column()),
                code: ErrorCode::Format,
                value: e.to_string(),
            }]
        })
    }

    /// Checks the whole definition. `known_external` says whether `FRAMEWORK:NODE`
    /// names a node of another, already loaded framework.
    pub fn validate(&self, known_external: &dyn Fn(&str, &str) -> bool) -> Vec<FrameworkIssue> {
        let mut issues = Vec::new();
        let mut issue = |location: String, code: ErrorCode, value: &str| {
            issues.push(FrameworkIssue {
                location,
                code,
                value: value.to_string(),
            })
        };
        if !valid_framework_code(&self.code) {
            issue("code".into(), ErrorCode::Format, &self.code);
        }
        if self.title.fr.trim().is_empty() {
            issue("title.fr".into(), ErrorCode::Required, "");
        }
        if self.levels.is_empty() {
            issue("levels".into(), ErrorCode::Required, "");
        }
        let mut rank = HashMap::new();
        for (i, l) in self.levels.iter().enumerate() {
            if rank.insert(l.code.as_str(), i).is_some() {
                issue(
                    format!("levels[{i}].code"),
                    ErrorCode::AlreadyExists,
                    &l.code,
                );
            }
        }
        let mut nodes: HashMap<&str, &NodeDef> = HashMap::new();
        for (i, n) in self.nodes.iter().enumerate() {
            if !valid_node_code(&n.code) {
                issue(format!("nodes[{i}].code"), ErrorCode::Format, &n.code);
            }
            if nodes.contains_key(n.code.as_str()) {
                issue(
                    format!("nodes[{i}].code"),
                    ErrorCode::AlreadyExists,
                    &n.code,
                );
            } else {
                nodes.insert(n.code.as_str(), n);
            }
            if n.title.fr.trim().is_empty() {
                issue(format!("nodes[{i}].title.fr"), ErrorCode::Required, &n.code);
            }
            if !rank.contains_key(n.level.as_str()) {
                issue(
                    format!("nodes[{i}].level"),
                    ErrorCode::UnknownValue,
                    &n.level,
                );
            }
        }
        for (i, n) in self.nodes.iter().enumerate() {
            if let Some(p) = &n.parent {
                match nodes.get(p.as_str()) {
                    None => issue(format!("nodes[{i}].parent"), ErrorCode::UnknownValue, p),
                    Some(parent) => {
                        let (pr, nr) =
                            (rank.get(parent.level.as_str()), rank.get(n.level.as_str()));
                        if let (Some(pr), Some(nr)) = (pr, nr)
                            && pr >= nr
                        {
                            issue(
                                format!("nodes[{i}].parent"),
                                ErrorCode::Format,
                                &format!(
                                    "{} ({}) cannot be under {} ({})",
                                    n.code, n.level, parent.code, parent.level
                                ),
                            );
                        }
                    }
                }
            }
            for (j, target) in n.contributes_to.iter().enumerate() {
                let ok = match target.split_once(':') {
                    Some((fw, code)) if fw == self.code => nodes.contains_key(code),
                    Some((fw, code)) => known_external(fw, code),
                    None => nodes.contains_key(target.as_str()),
                };
                if !ok {
                    issue(
                        format!("nodes[{i}].contributes_to[{j}]"),
                        ErrorCode::UnknownValue,
                        target,
                    );
                }
            }
        }
        let mut seen = HashSet::new();
        for (i, ind) in self.indicators.iter().enumerate() {
            if !valid_node_code(&ind.code) {
                issue(
                    format!("indicators[{i}].code"),
                    ErrorCode::Format,
                    &ind.code,
                );
            }
            if !seen.insert(ind.code.as_str()) {
                issue(
                    format!("indicators[{i}].code"),
                    ErrorCode::AlreadyExists,
                    &ind.code,
                );
            }
            if !nodes.contains_key(ind.node.as_str()) {
                issue(
                    format!("indicators[{i}].node"),
                    ErrorCode::UnknownValue,
                    &ind.node,
                );
            }
            if ind.title.fr.trim().is_empty() {
                issue(
                    format!("indicators[{i}].title.fr"),
                    ErrorCode::Required,
                    &ind.code,
                );
            }
            if !UNITS.contains(&ind.unit.as_str()) {
                issue(
                    format!("indicators[{i}].unit"),
                    ErrorCode::UnknownValue,
                    &ind.unit,
                );
            }
            if !matches!(ind.direction.as_str(), "increase" | "decrease") {
                issue(
                    format!("indicators[{i}].direction"),
                    ErrorCode::UnknownValue,
                    &ind.direction,
                );
            }
            if let Some(b) = &ind.baseline
                && let (Some(n), Some(d)) = (b.numerator, b.denominator)
                && (d <= 0.0 || n < 0.0 || n > d && ind.kind == IndicatorKind::Percentage)
            {
                issue(
                    format!("indicators[{i}].baseline"),
                    ErrorCode::Format,
                    &format!("{n}/{d}"),
                );
            }
            for (j, t) in ind.targets.iter().enumerate() {
                for dim in t.cells.keys() {
                    if !ind.dimensions.iter().any(|d| d == dim) {
                        issue(
                            format!("indicators[{i}].targets[{j}].cells"),
                            ErrorCode::UnknownValue,
                            dim,
                        );
                    }
                }
            }
        }
        issues
    }

    /// The nodes directly under `parent` (the roots for `None`), in file order.
    pub fn children_of(&self, parent: Option<&str>) -> Vec<&NodeDef> {
        self.nodes
            .iter()
            .filter(|n| n.parent.as_deref() == parent)
            .collect()
    }

    /// The framework as a JSON tree: each node with `code`, `level`, `title`
    /// (`fr`, and `ar`/`en` when known), `contributes_to`, `attributes`, its
    /// `indicators` and its `children`.
    pub fn tree(&self) -> serde_json::Value {
        fn node(def: &FrameworkDef, n: &NodeDef, depth: usize) -> serde_json::Value {
            let children: Vec<_> = if depth > 64 {
                Vec::new()
            } else {
                def.children_of(Some(&n.code))
                    .into_iter()
                    .map(|c| node(def, c, depth + 1))
                    .collect()
            };
            let indicators: Vec<_> = def.indicators.iter().filter(|i| i.node == n.code).collect();
            serde_json::json!({
                "code": n.code,
                "level": n.level,
                "title": n.title,
                "contributes_to": n.contributes_to,
                "attributes": n.attributes,
                "indicators": indicators,
                "children": children,
            })
        }
        let known: HashSet<&str> = self.nodes.iter().map(|n| n.code.as_str()).collect();
        let roots: Vec<_> = self
            .nodes
            .iter()
            .filter(|n| n.parent.as_deref().is_none_or(|p| !known.contains(p)))
            .map(|n| node(self, n, 0))
            .collect();
        serde_json::json!({
            "code": self.code,
            "level": "framework",
            "title": self.title,
            "owner": self.owner,
            "source": self.source,
            "levels": self.levels,
            "children": roots,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_external(_: &str, _: &str) -> bool {
        false
    }

    fn load(name: &str) -> FrameworkDef {
        let path = format!(
            "{}/../../data/frameworks/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        FrameworkDef::from_json(&text).unwrap_or_else(|e| panic!("{name}: {e:?}"))
    }

    #[test]
    fn the_shipped_snia_has_its_structure_and_its_gaps() {
        let snia = load("snia.json");
        assert!(
            snia.validate(&no_external).is_empty(),
            "{:?}",
            snia.validate(&no_external)
        );
        let count = |level: &str| snia.nodes.iter().filter(|n| n.level == level).count();
        assert_eq!(count("strategic_objective"), 4);
        assert_eq!(count("programme"), 11);
        assert_eq!(
            count("specific_objective"),
            26,
            "27 OSPs less OSP7, never cited"
        );
        assert!(
            !snia
                .nodes
                .iter()
                .any(|n| n.code == "OSP7" || n.code == "10.7" || n.code == "11.4")
        );
    }

    #[test]
    fn amuddu_refers_to_snia_and_has_15_indicators() {
        let snia = load("snia.json");
        let amuddu = load("amuddu.json");
        assert_eq!(amuddu.indicators.len(), 15);
        assert!(
            !amuddu.validate(&no_external).is_empty(),
            "SNIA references need SNIA loaded"
        );
        let known =
            |fw: &str, code: &str| fw == "SNIA" && snia.nodes.iter().any(|n| n.code == code);
        assert_eq!(amuddu.validate(&known), vec![]);
        let tta = load("tta-gender-inclusion.json");
        assert_eq!(tta.validate(&known), vec![]);
    }

    #[test]
    fn every_problem_is_reported_with_its_place() {
        let text = r#"{"code":"bad code","title":{"fr":""},"levels":[{"code":"axis","title":{"fr":"Axe"}},{"code":"action","title":{"fr":"Action"}}],
          "nodes":[{"code":"A1","level":"action","title":{"fr":"x"}},{"code":"X","level":"axis","parent":"A1","title":{"fr":"y"}},
                   {"code":"A1","level":"planet","title":{"fr":""},"contributes_to":["SNIA:P99"]}],
          "indicators":[{"code":"I1","node":"NOPE","title":{"fr":"i"},"kind":"count","unit":"bananas","targets":[{"period":"2021","value":1,"cells":{"sex":"F"}}]}]}"#;
        let def = FrameworkDef::from_json(text).unwrap();
        let issues: Vec<String> = def
            .validate(&no_external)
            .iter()
            .map(ToString::to_string)
            .collect();
        for expected in [
            "code: format (bad code)",
            "title.fr: required",
            "nodes[2].code: already_exists (A1)",
            "nodes[2].level: unknown_value (planet)",
            "nodes[1].parent: format",
            "nodes[2].contributes_to[0]: unknown_value (SNIA:P99)",
            "indicators[0].node: unknown_value (NOPE)",
            "indicators[0].unit: unknown_value (bananas)",
            "indicators[0].targets[0].cells: unknown_value (sex)",
        ] {
            assert!(
                issues.iter().any(|i| i.starts_with(expected)),
                "missing {expected:?} in {issues:#?}"
            );
        }
        let err = FrameworkDef::from_json("{\"code\": ").unwrap_err();
        assert!(err[0].location.starts_with("line 1"));
    }
}

/// How far a value has come from the baseline towards the target, as a fraction
/// (1.0 = reached; above 1 = beyond), direction-aware. For a "change against the
/// baseline" indicator the target is a percentage increase over the baseline. `None`
/// when it cannot be said (qualitative, no target, no baseline where one is needed, or
/// a target equal to the baseline).
pub fn progress(
    kind: IndicatorKind,
    direction: &str,
    baseline: Option<f64>,
    target: f64,
    value: f64,
) -> Option<f64> {
    let (from, to) = match kind {
        IndicatorKind::Qualitative => return None,
        IndicatorKind::ChangeVsBaseline => {
            let b = baseline?;
            (b, b * (1.0 + target / 100.0))
        }
        _ => (baseline.unwrap_or(0.0), target),
    };
    let span = if direction == "decrease" {
        from - to
    } else {
        to - from
    };
    if span.abs() < f64::EPSILON {
        return None;
    }
    let done = if direction == "decrease" {
        from - value
    } else {
        value - from
    };
    Some(done / span)
}

/// Where an action stands, from its indicators' latest values against their targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionStatus {
    /// No value reported yet for any of its indicators.
    NotStarted,
    /// Values reported, some target not reached (or no target to say).
    InProgress,
    /// Every indicator that has a target has reached it.
    Achieved,
}

impl ActionStatus {
    pub const ALL: [ActionStatus; 3] = [
        ActionStatus::Achieved,
        ActionStatus::InProgress,
        ActionStatus::NotStarted,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ActionStatus::NotStarted => "not_started",
            ActionStatus::InProgress => "in_progress",
            ActionStatus::Achieved => "achieved",
        }
    }

    /// The status of an action from its indicators, each as (has a value, progress
    /// from [`progress`], which is already direction-aware). `None` for an action
    /// without indicators: nothing measures it.
    pub fn of(indicators: &[(bool, Option<f64>)]) -> Option<ActionStatus> {
        if indicators.is_empty() {
            return None;
        }
        if !indicators.iter().any(|(has_value, _)| *has_value) {
            return Some(ActionStatus::NotStarted);
        }
        let measured: Vec<f64> = indicators
            .iter()
            .filter(|(has_value, _)| *has_value)
            .filter_map(|(_, p)| *p)
            .collect();
        let all_targets_reached = indicators.iter().all(|(has_value, p)| match p {
            Some(p) => *has_value && *p >= 1.0 - 1e-9,
            None => true,
        });
        if !measured.is_empty() && all_targets_reached {
            Some(ActionStatus::Achieved)
        } else {
            Some(ActionStatus::InProgress)
        }
    }
}

/// How an indicator stands against its target, for the colour of its bar (direction
/// is already in the progress fraction: a "decrease" indicator that went down is on
/// its way).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProgressBand {
    /// At or beyond the target.
    Achieved,
    /// Half way or more.
    OnTrack,
    /// Less than half way, or moving away from the target.
    Behind,
}

impl ProgressBand {
    pub fn of(progress: f64) -> ProgressBand {
        if progress >= 1.0 - 1e-9 {
            ProgressBand::Achieved
        } else if progress >= 0.5 {
            ProgressBand::OnTrack
        } else {
            ProgressBand::Behind
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ProgressBand::Achieved => "achieved",
            ProgressBand::OnTrack => "on_track",
            ProgressBand::Behind => "behind",
        }
    }
}

#[cfg(test)]
mod status_tests {
    use super::*;

    #[test]
    fn an_action_status_follows_its_indicators() {
        use ActionStatus::*;
        type Case<'a> = (&'a [(bool, Option<f64>)], Option<ActionStatus>, &'a str);
        let cases: &[Case] = &[
            (&[], None, "no indicator: not measured"),
            (
                &[(false, None), (false, None)],
                Some(NotStarted),
                "no value yet",
            ),
            (
                &[(true, Some(0.4)), (false, None)],
                Some(InProgress),
                "a value below its target",
            ),
            (
                &[(true, Some(1.2)), (true, None)],
                Some(Achieved),
                "every target reached",
            ),
            (
                &[(true, Some(1.0)), (false, Some(0.0))],
                Some(InProgress),
                "one target without a value",
            ),
            (&[(true, None)], Some(InProgress), "a value and no target"),
            (
                &[(true, Some(-0.3))],
                Some(InProgress),
                "moving away from the target",
            ),
        ];
        for (indicators, expected, why) in cases {
            assert_eq!(ActionStatus::of(indicators), *expected, "{why}");
        }
    }

    #[test]
    fn bands_are_direction_aware_through_progress() {
        // A "decrease" indicator: baseline 100, target 50, value 60 → 80 % of the way.
        let p = progress(IndicatorKind::Count, "decrease", Some(100.0), 50.0, 60.0).unwrap_or(0.0);
        assert_eq!(ProgressBand::of(p), ProgressBand::OnTrack);
        // The same value on an "increase" indicator from 100 to 150 went backwards.
        let p = progress(IndicatorKind::Count, "increase", Some(100.0), 150.0, 60.0).unwrap_or(0.0);
        assert_eq!(ProgressBand::of(p), ProgressBand::Behind);
        assert_eq!(ProgressBand::of(1.0), ProgressBand::Achieved);
    }
}

#[cfg(test)]
mod progress_tests {
    use super::*;

    #[test]
    fn progress_from_baseline_to_target() {
        // OI1-3: 25 enrolled in 2016-2017, target 250; 185 enrolled → 71 %.
        let p = progress(IndicatorKind::Count, "increase", Some(25.0), 250.0, 185.0).unwrap();
        assert!((p - 160.0 / 225.0).abs() < 1e-9);
        // OI1-1: baseline 137, target +50 % → 205.5; 206 reached.
        assert!(
            progress(
                IndicatorKind::ChangeVsBaseline,
                "increase",
                Some(137.0),
                50.0,
                206.0
            )
            .unwrap()
                >= 1.0
        );
        assert_eq!(
            progress(
                IndicatorKind::ChangeVsBaseline,
                "increase",
                None,
                45.0,
                10.0
            ),
            None
        );
        // Lower is better: from 40 to 20, now 30 → half way.
        assert_eq!(
            progress(IndicatorKind::Count, "decrease", Some(40.0), 20.0, 30.0),
            Some(0.5)
        );
        assert_eq!(
            progress(IndicatorKind::YesNo, "increase", Some(0.0), 1.0, 1.0),
            Some(1.0)
        );
        assert_eq!(
            progress(IndicatorKind::Qualitative, "increase", None, 1.0, 1.0),
            None
        );
        assert_eq!(
            progress(IndicatorKind::Count, "increase", Some(5.0), 5.0, 9.0),
            None
        );
    }
}
