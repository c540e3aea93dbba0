//! Partner reporting: data sets (which indicators, which dimensions, which period
//! type, which organisations report) and the workflow of one submission — one data
//! set, one organisation, one period: draft → submitted → returned with a comment →
//! approved → locked; unlocking is an administrator's audited act.

use crate::framework::Title;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
}

impl DataSetDef {
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
        };
        assert_eq!(d.periods(2026), vec!["2026", "2025", "2024"]);
        d.period_type = "school_year".into();
        assert_eq!(d.periods(2026)[0], "SY2025-2026");
    }
}
