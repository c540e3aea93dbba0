//! A case's life: opened by a case worker, active once work starts, closed with a
//! reason, reopened when the person comes back.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseStatus {
    Open,
    Active,
    Closed,
}

impl CaseStatus {
    pub const ALL: [CaseStatus; 3] = [CaseStatus::Open, CaseStatus::Active, CaseStatus::Closed];
    pub fn as_str(self) -> &'static str {
        match self {
            CaseStatus::Open => "open",
            CaseStatus::Active => "active",
            CaseStatus::Closed => "closed",
        }
    }
    pub fn parse(s: &str) -> Option<CaseStatus> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// Why a case was closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CloseReason {
    GoalsReached,
    ReferredOn,
    LeftTheArea,
    NoContact,
    PersonDeclined,
    Other,
}

impl CloseReason {
    pub const ALL: [CloseReason; 6] = [
        CloseReason::GoalsReached,
        CloseReason::ReferredOn,
        CloseReason::LeftTheArea,
        CloseReason::NoContact,
        CloseReason::PersonDeclined,
        CloseReason::Other,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            CloseReason::GoalsReached => "goals_reached",
            CloseReason::ReferredOn => "referred_on",
            CloseReason::LeftTheArea => "left_the_area",
            CloseReason::NoContact => "no_contact",
            CloseReason::PersonDeclined => "person_declined",
            CloseReason::Other => "other",
        }
    }
    pub fn parse(s: &str) -> Option<CloseReason> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// What may happen to a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseTransition {
    /// Work started (an assessment, a plan step, a referral): open → active.
    Activate,
    Close(CloseReason),
    Reopen,
}

impl CaseStatus {
    /// The status after `t`, or `None` when `t` is not allowed from `self`.
    pub fn next(self, t: CaseTransition) -> Option<CaseStatus> {
        match (self, t) {
            (CaseStatus::Open, CaseTransition::Activate) => Some(CaseStatus::Active),
            (CaseStatus::Active, CaseTransition::Activate) => Some(CaseStatus::Active),
            (CaseStatus::Open | CaseStatus::Active, CaseTransition::Close(_)) => {
                Some(CaseStatus::Closed)
            }
            (CaseStatus::Closed, CaseTransition::Reopen) => Some(CaseStatus::Active),
            _ => None,
        }
    }
}

/// Status of a pathway-plan step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepStatus {
    Planned,
    Done,
    Dropped,
}

impl StepStatus {
    pub const ALL: [StepStatus; 3] = [StepStatus::Planned, StepStatus::Done, StepStatus::Dropped];
    pub fn as_str(self) -> &'static str {
        match self {
            StepStatus::Planned => "planned",
            StepStatus::Done => "done",
            StepStatus::Dropped => "dropped",
        }
    }
    pub fn parse(s: &str) -> Option<StepStatus> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// Services a person receives, from the SNIA's and AMUDDU's pathways. Codes are
/// stable: indicators select services by them.
pub const SERVICE_TYPES: &[&str] = &[
    "reception",
    "social_assistance",
    "health",
    "psychosocial",
    "legal_aid",
    "shelter",
    "education",
    "training_enrolment",
    "training_completion",
    "employment_registration",
    "positioning_interview",
    "job_search_workshop",
    "follow_up_interview",
    "placement",
    "aided_contract",
    "self_employment_awareness",
    "business_plan",
    "financing",
    "enterprise_created",
];

pub fn is_service_type(code: &str) -> bool {
    SERVICE_TYPES.contains(&code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transitions() {
        use CaseStatus::*;
        assert_eq!(Open.next(CaseTransition::Activate), Some(Active));
        assert_eq!(
            Active.next(CaseTransition::Close(CloseReason::GoalsReached)),
            Some(Closed)
        );
        assert_eq!(Closed.next(CaseTransition::Reopen), Some(Active));
        assert_eq!(Closed.next(CaseTransition::Activate), None);
        assert_eq!(Open.next(CaseTransition::Reopen), None);
    }
}
