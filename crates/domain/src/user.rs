//! The people who use Passerelle (not the people Passerelle is about): their
//! usernames, roles and passwords.

use crate::error::{DomainError, ErrorCode};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct UserId(pub i64);

/// What a user does. A user has one or more roles within their one organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Runs the installation: users, organisations, the audit trail.
    Administrator,
    /// The ministry's monitoring and evaluation secretariat: frameworks, approvals, reports.
    Secretariat,
    /// A ministry's or agency's focal point: reports progress and figures.
    FocalPoint,
    /// Leads a team of case workers.
    Supervisor,
    /// Receives, assesses, refers and follows people.
    CaseWorker,
    /// Outreach from within the migrant community.
    CommunityAgent,
    /// Reads dashboards and published figures.
    Viewer,
}

impl Role {
    pub const ALL: [Role; 7] = [
        Role::Administrator,
        Role::Secretariat,
        Role::FocalPoint,
        Role::Supervisor,
        Role::CaseWorker,
        Role::CommunityAgent,
        Role::Viewer,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Administrator => "administrator",
            Role::Secretariat => "secretariat",
            Role::FocalPoint => "focal_point",
            Role::Supervisor => "supervisor",
            Role::CaseWorker => "case_worker",
            Role::CommunityAgent => "community_agent",
            Role::Viewer => "viewer",
        }
    }

    pub fn parse(s: &str) -> Result<Role, DomainError> {
        let s = s.trim();
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s || r.as_str().replace('_', "-") == s)
            .ok_or_else(|| DomainError::with_value("roles", ErrorCode::UnknownValue, s))
    }

    /// Parses a comma-separated list, rejecting an empty one.
    pub fn parse_list(s: &str) -> Result<Vec<Role>, DomainError> {
        let mut roles = Vec::new();
        for part in s.split(',').filter(|p| !p.trim().is_empty()) {
            let role = Role::parse(part)?;
            if !roles.contains(&role) {
                roles.push(role);
            }
        }
        if roles.is_empty() {
            return Err(DomainError::new("roles", ErrorCode::Required));
        }
        roles.sort();
        Ok(roles)
    }
}

/// A login name: 3–64 characters, lower-case ASCII letters, digits, `.`, `_`, `-`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Username(String);

impl Username {
    pub fn parse(s: &str) -> Result<Username, DomainError> {
        let s = s.trim().to_ascii_lowercase();
        if s.is_empty() {
            return Err(DomainError::new("username", ErrorCode::Required));
        }
        if !(3..=64).contains(&s.chars().count()) {
            return Err(DomainError::new("username", ErrorCode::Length));
        }
        let ok = s
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'))
            && s.starts_with(|c: char| c.is_ascii_alphanumeric());
        if !ok {
            return Err(DomainError::new("username", ErrorCode::Format));
        }
        Ok(Username(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Username {
    type Error = DomainError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Username::parse(&s)
    }
}

impl From<Username> for String {
    fn from(u: Username) -> String {
        u.0
    }
}

/// A person's name as shown in the interface, in any script: 1–120 characters,
/// no control characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DisplayName(String);

impl DisplayName {
    pub fn parse(s: &str) -> Result<DisplayName, DomainError> {
        let s = s.trim();
        if s.is_empty() {
            return Err(DomainError::new("display_name", ErrorCode::Required));
        }
        if s.chars().count() > 120 {
            return Err(DomainError::new("display_name", ErrorCode::Length));
        }
        if s.chars().any(char::is_control) {
            return Err(DomainError::new("display_name", ErrorCode::Format));
        }
        Ok(DisplayName(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for DisplayName {
    type Error = DomainError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        DisplayName::parse(&s)
    }
}

impl From<DisplayName> for String {
    fn from(d: DisplayName) -> String {
        d.0
    }
}

/// A new password that meets the policy: 12 to 256 characters (a passphrase is
/// welcome), not only one repeated character. `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    pub const MIN_CHARS: usize = 12;

    pub fn parse(s: &str) -> Result<Password, DomainError> {
        let n = s.chars().count();
        if n == 0 {
            return Err(DomainError::new("password", ErrorCode::Required));
        }
        if !(Self::MIN_CHARS..=256).contains(&n) {
            return Err(DomainError::new("password", ErrorCode::Length));
        }
        let mut chars = s.chars();
        let first = chars.next();
        if chars.all(|c| Some(c) == first) {
            return Err(DomainError::new("password", ErrorCode::Format));
        }
        Ok(Password(s.to_string()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames() {
        assert_eq!(
            Username::parse(" Fatima.Zahra ").map(|u| u.0),
            Ok("fatima.zahra".into())
        );
        let bad = [
            ("", ErrorCode::Required),
            ("ab", ErrorCode::Length),
            ("a b c", ErrorCode::Format),
            ("élodie", ErrorCode::Format),
            ("-abc", ErrorCode::Format),
        ];
        for (input, code) in bad {
            assert_eq!(
                Username::parse(input).map_err(|e| e.code),
                Err(code),
                "{input:?}"
            );
        }
    }

    #[test]
    fn roles_parse_in_both_spellings() {
        assert_eq!(
            Role::parse_list("case-worker, administrator,case_worker"),
            Ok(vec![Role::Administrator, Role::CaseWorker])
        );
        assert_eq!(
            Role::parse_list(" , ").map_err(|e| e.code),
            Err(ErrorCode::Required)
        );
        assert_eq!(
            Role::parse_list("king").map_err(|e| e.code),
            Err(ErrorCode::UnknownValue)
        );
    }

    #[test]
    fn passwords_follow_the_policy_and_never_print() {
        assert!(Password::parse("correct horse battery").is_ok());
        assert_eq!(
            Password::parse("short").map_err(|e| e.code),
            Err(ErrorCode::Length)
        );
        assert_eq!(
            Password::parse("aaaaaaaaaaaaaaaa").map_err(|e| e.code),
            Err(ErrorCode::Format)
        );
        assert_eq!(
            Password::parse("").map_err(|e| e.code),
            Err(ErrorCode::Required)
        );
        let p = Password::parse("correct horse battery").ok();
        assert!(!format!("{p:?}").contains("horse"));
    }

    #[test]
    fn display_names_accept_arabic() {
        assert!(DisplayName::parse("فاطمة الزهراء").is_ok());
        assert!(DisplayName::parse("a\u{0007}b").is_err());
    }
}
