//! Partner reporting: data sets (which indicators, which dimensions, which period
//! type, which organisations report) and the workflow of one submission — one data
//! set, one organisation, one period: draft → submitted → returned with a comment →
//! approved → locked; unlocking is an administrator's audited act.

use crate::framework::Title;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DataSetDef {
    pub code: String,
    pub title: Title,
    pub framework: String,
    pub indicators: Vec<String>,
    #[serde(default)]
    pub dimensions: Vec<String>,
    /// `year` or `school_year`.
    pub period_type: String,
    pub organisations: Vec<String>,
    /// Validation rules for this data set's indicators, on top of the defaults
    /// (`crate::rules`): ranges, required cells, percentages recomputed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<crate::rules::Rule>,
}

impl DataSetDef {
    /// What is wrong with the definition: dimensions the registry does not know,
    /// rules that cannot apply.
    pub fn problems(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .dimensions
            .iter()
            .filter(|d| !crate::values::is_dimension(d))
            .map(|d| format!("{}: unknown dimension {d}", self.code))
            .collect();
        for r in &self.rules {
            out.extend(
                r.problems()
                    .into_iter()
                    .map(|p| format!("{}: {p}", self.code)),
            );
        }
        out
    }

    /// The cells of its entry form, after the total: one column per value of each
    /// dimension's first complete category set, as `(column id, cells key)`. The id
    /// is the value (`F`) when the data set has one dimension, `sex=F` otherwise.
    pub fn entry_cells(&self) -> Vec<(String, String)> {
        let registry = crate::dimensions::registry();
        let mut out = Vec::new();
        for d in &self.dimensions {
            let Some(dim) = registry.get(d) else { continue };
            for v in dim.entry_values() {
                let key = format!("{d}={v}");
                let id = if self.dimensions.len() == 1 {
                    v.to_string()
                } else {
                    key.clone()
                };
                out.push((id, key));
            }
        }
        out
    }

    /// The periods offered for entry, newest first, given the current year.
    pub fn periods(&self, current_year: i32) -> Vec<String> {
        (0..3)
            .map(|k| {
                let y = current_year - k;
                match self.period_type.as_str() {
                    "school_year" => format!("SY{}-{}", y - 1, y),
                    _ => y.to_string(),
                }
            })
            .collect()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubmissionStatus {
    Draft,
    Submitted,
    Returned,
    Approved,
    Locked,
}

impl SubmissionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            SubmissionStatus::Draft => "draft",
            SubmissionStatus::Submitted => "submitted",
            SubmissionStatus::Returned => "returned",
            SubmissionStatus::Approved => "approved",
            SubmissionStatus::Locked => "locked",
        }
    }

    pub fn parse(s: &str) -> Option<SubmissionStatus> {
        [
            Self::Draft,
            Self::Submitted,
            Self::Returned,
            Self::Approved,
            Self::Locked,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
    }

    /// The status stored on the submission's values: the engine counts approved ones
    /// by default, submitted ones on request.
    pub fn value_status(self) -> &'static str {
        match self {
            SubmissionStatus::Draft | SubmissionStatus::Returned => "draft",
            SubmissionStatus::Submitted => "submitted",
            SubmissionStatus::Approved | SubmissionStatus::Locked => "approved",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transition {
    SaveDraft,
    Submit,
    Return,
    Approve,
    Lock,
    Unlock,
}

impl Transition {
    pub fn parse(s: &str) -> Option<Transition> {
        match s {
            "save" => Some(Transition::SaveDraft),
            "submit" => Some(Transition::Submit),
            "return" => Some(Transition::Return),
            "approve" => Some(Transition::Approve),
            "lock" => Some(Transition::Lock),
            "unlock" => Some(Transition::Unlock),
            _ => None,
        }
    }

    /// The action the audit trail records when a reviewer applies this transition
    /// (to a data set's submission or to a report narrative); saving and submitting
    /// are not reviewers' transitions and are recorded as `review`.
    pub fn review_action(self) -> &'static str {
        match self {
            Transition::Return => "return",
            Transition::Approve => "approve",
            Transition::Lock => "lock",
            Transition::Unlock => "unlock",
            Transition::SaveDraft | Transition::Submit => "review",
        }
    }
}

/// The status after `t`, or `None` when `t` is not allowed from `current`
/// (`None` = nothing entered yet).
pub fn next(current: Option<SubmissionStatus>, t: Transition) -> Option<SubmissionStatus> {
    use SubmissionStatus::*;
    match (current, t) {
        (None | Some(Draft) | Some(Returned), Transition::SaveDraft) => {
            Some(current.unwrap_or(Draft))
        }
        (None | Some(Draft) | Some(Returned), Transition::Submit) => Some(Submitted),
        (Some(Submitted), Transition::Return) => Some(Returned),
        (Some(Submitted), Transition::Approve) => Some(Approved),
        (Some(Approved), Transition::Lock) => Some(Locked),
        (Some(Locked), Transition::Unlock) => Some(Approved),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use SubmissionStatus::*;

    #[test]
    fn the_workflow() {
        let ok = [
            (None, Transition::SaveDraft, Draft),
            (None, Transition::Submit, Submitted),
            (Some(Draft), Transition::Submit, Submitted),
            (Some(Submitted), Transition::Return, Returned),
            (Some(Returned), Transition::SaveDraft, Returned),
            (Some(Returned), Transition::Submit, Submitted),
            (Some(Submitted), Transition::Approve, Approved),
            (Some(Approved), Transition::Lock, Locked),
            (Some(Locked), Transition::Unlock, Approved),
        ];
        for (from, t, to) in ok {
            assert_eq!(next(from, t), Some(to), "{from:?} {t:?}");
        }
        let refused = [
            (Some(Submitted), Transition::SaveDraft),
            (Some(Approved), Transition::SaveDraft),
            (Some(Locked), Transition::Submit),
            (Some(Draft), Transition::Approve),
            (Some(Approved), Transition::Return),
            (None, Transition::Lock),
        ];
        for (from, t) in refused {
            assert_eq!(next(from, t), None, "{from:?} {t:?}");
        }
    }

    #[test]
    fn periods_offered() {
        let mut d = DataSetDef {
            code: "X".into(),
            title: Title::default(),
            framework: "SNIA".into(),
            indicators: vec![],
            dimensions: vec![],
            period_type: "year".into(),
            organisations: vec![],
            rules: vec![],
        };
        assert_eq!(d.periods(2026), vec!["2026", "2025", "2024"]);
        d.period_type = "school_year".into();
        assert_eq!(d.periods(2026)[0], "SY2025-2026");
    }

    #[test]
    fn a_data_set_declares_its_form_and_its_rules() {
        let d: DataSetDef = serde_json::from_str(
            r#"{"code": "X", "title": {"fr": "X"}, "framework": "SNIA", "indicators": ["I"],
                "dimensions": ["sex"], "period_type": "year", "organisations": ["O"],
                "rules": [{"kind": "required", "cells": ["", "sex=F", "sex=M"]},
                          {"kind": "range", "min": 0, "max": 10000}]}"#,
        )
        .unwrap();
        assert_eq!(
            d.entry_cells(),
            [("F".into(), "sex=F".into()), ("M".into(), "sex=M".into())]
        );
        assert!(d.problems().is_empty(), "{:?}", d.problems());
        let two = DataSetDef {
            dimensions: vec!["sex".into(), "age".into(), "colour".into()],
            ..d
        };
        assert_eq!(
            two.entry_cells()[2],
            ("age=minor".into(), "age=minor".into())
        );
        assert_eq!(two.problems(), ["X: unknown dimension colour"]);
    }

    #[test]
    fn the_shipped_data_sets_are_sound() {
        for text in [
            include_str!("../../../data/datasets/anapec-emploi.json"),
            include_str!("../../../data/datasets/men-scolarisation.json"),
        ] {
            let d: DataSetDef = serde_json::from_str(text).unwrap();
            assert!(d.problems().is_empty(), "{:?}", d.problems());
        }
    }
}
