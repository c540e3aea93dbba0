//! Referrals between organisations: sent → accepted / declined → service given →
//! completed (outcome returned to the sender); the sender may revoke before completion.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReferralStatus {
    Sent,
    Accepted,
    Declined,
    ServiceGiven,
    Completed,
    Revoked,
}

impl ReferralStatus {
    pub const ALL: [ReferralStatus; 6] = [
        ReferralStatus::Sent,
        ReferralStatus::Accepted,
        ReferralStatus::Declined,
        ReferralStatus::ServiceGiven,
        ReferralStatus::Completed,
        ReferralStatus::Revoked,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            ReferralStatus::Sent => "sent",
            ReferralStatus::Accepted => "accepted",
            ReferralStatus::Declined => "declined",
            ReferralStatus::ServiceGiven => "service_given",
            ReferralStatus::Completed => "completed",
            ReferralStatus::Revoked => "revoked",
        }
    }
    pub fn parse(s: &str) -> Option<ReferralStatus> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
    /// Still waiting on someone (counted as overdue past its due date).
    pub fn is_open(self) -> bool {
        matches!(
            self,
            ReferralStatus::Sent | ReferralStatus::Accepted | ReferralStatus::ServiceGiven
        )
    }
    /// The receiver may read the shared sections in these states.
    pub fn receiver_may_read(self) -> bool {
        matches!(
            self,
            ReferralStatus::Sent
                | ReferralStatus::Accepted
                | ReferralStatus::ServiceGiven
                | ReferralStatus::Completed
        )
    }
}

/// Who acts on a referral.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Sender,
    Receiver,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReferralTransition {
    Accept,
    /// Declined, with a reason.
    Decline,
    /// The service was given (a service event is recorded with it).
    ServiceGiven,
    /// Completed, with an outcome returned to the sender.
    Complete,
    /// The sender withdraws the referral (or the person withdrew consent).
    Revoke,
}

impl ReferralTransition {
    pub fn parse(s: &str) -> Option<ReferralTransition> {
        Some(match s {
            "accept" => ReferralTransition::Accept,
            "decline" => ReferralTransition::Decline,
            "service_given" => ReferralTransition::ServiceGiven,
            "complete" => ReferralTransition::Complete,
            "revoke" => ReferralTransition::Revoke,
            _ => return None,
        })
    }

    pub fn side(self) -> Side {
        match self {
            ReferralTransition::Revoke => Side::Sender,
            _ => Side::Receiver,
        }
    }
}

impl ReferralStatus {
    pub fn next(self, t: ReferralTransition) -> Option<ReferralStatus> {
        use ReferralStatus as S;
        use ReferralTransition as T;
        match (self, t) {
            (S::Sent, T::Accept) => Some(S::Accepted),
            (S::Sent, T::Decline) => Some(S::Declined),
            (S::Accepted | S::ServiceGiven, T::ServiceGiven) => Some(S::ServiceGiven),
            (S::Accepted | S::ServiceGiven, T::Complete) => Some(S::Completed),
            (S::Sent | S::Accepted | S::ServiceGiven, T::Revoke) => Some(S::Revoked),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_referral_path() {
        use ReferralStatus as S;
        use ReferralTransition as T;
        let s = S::Sent.next(T::Accept).unwrap();
        let s = s.next(T::ServiceGiven).unwrap();
        let s = s.next(T::ServiceGiven).unwrap();
        assert_eq!(s.next(T::Complete), Some(S::Completed));
        assert_eq!(S::Completed.next(T::Revoke), None);
        assert_eq!(S::Declined.next(T::Accept), None);
        assert_eq!(S::Sent.next(T::Complete), None);
        assert_eq!(T::Revoke.side(), Side::Sender);
    }
}
