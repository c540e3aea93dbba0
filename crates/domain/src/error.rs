//! One error vocabulary for every layer. Codes are stable: API clients match on them
//! and the locale files key their messages by them (`error-<code>`).

use serde::Serialize;

/// A stable, machine-readable error code. `as_str` is part of the public API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// A field is missing or empty.
    Required,
    /// A field is too short or too long.
    Length,
    /// A field has characters or a shape that is not allowed.
    Format,
    /// A value is not in the list of allowed values.
    UnknownValue,
    /// A code names no known organisation.
    UnknownOrganisation,
    /// A code names no known territory.
    UnknownTerritory,
    /// The value is already used (unique username, code…).
    AlreadyExists,
    /// Two password fields differ.
    PasswordMismatch,
    /// The current password given is wrong.
    WrongPassword,
    /// Login failed (never says which part was wrong).
    InvalidCredentials,
    /// Too many failed logins: wait.
    Throttled,
    /// No valid session or token.
    Unauthenticated,
    /// Authenticated, but the role or organisation does not allow it.
    Forbidden,
    /// Nothing at that address (or nothing the actor may know exists).
    NotFound,
    /// The form's anti-forgery token is missing or wrong.
    CsrfInvalid,
    /// The request body could not be read.
    BadRequest,
    /// The audit chain is broken.
    AuditChainBroken,
    /// A value breaks a validation rule (a part above its total, parts not summing
    /// to a complete total).
    RuleViolated,
    /// A date that cannot be (born after today, over 120 years old, 30 February).
    ImpossibleDate,
    /// Someone else saved the record since it was opened; nothing was overwritten.
    EditConflict,
    /// The person has not given (or has withdrawn) the consent this needs.
    ConsentMissing,
    /// The action is not possible in the record's current state.
    WrongState,
    /// No frozen data version (snapshot) has that id; the message lists those that exist.
    UnknownSnapshot,
    /// Something failed on our side; the operation id identifies it in the logs.
    Internal,
}

impl ErrorCode {
    pub const ALL: [ErrorCode; 24] = [
        ErrorCode::Required,
        ErrorCode::Length,
        ErrorCode::Format,
        ErrorCode::UnknownValue,
        ErrorCode::UnknownOrganisation,
        ErrorCode::UnknownTerritory,
        ErrorCode::AlreadyExists,
        ErrorCode::PasswordMismatch,
        ErrorCode::WrongPassword,
        ErrorCode::InvalidCredentials,
        ErrorCode::Throttled,
        ErrorCode::Unauthenticated,
        ErrorCode::Forbidden,
        ErrorCode::NotFound,
        ErrorCode::CsrfInvalid,
        ErrorCode::BadRequest,
        ErrorCode::AuditChainBroken,
        ErrorCode::RuleViolated,
        ErrorCode::ImpossibleDate,
        ErrorCode::EditConflict,
        ErrorCode::ConsentMissing,
        ErrorCode::WrongState,
        ErrorCode::UnknownSnapshot,
        ErrorCode::Internal,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Required => "required",
            ErrorCode::Length => "length",
            ErrorCode::Format => "format",
            ErrorCode::UnknownValue => "unknown_value",
            ErrorCode::UnknownOrganisation => "unknown_organisation",
            ErrorCode::UnknownTerritory => "unknown_territory",
            ErrorCode::AlreadyExists => "already_exists",
            ErrorCode::PasswordMismatch => "password_mismatch",
            ErrorCode::WrongPassword => "wrong_password",
            ErrorCode::InvalidCredentials => "invalid_credentials",
            ErrorCode::Throttled => "throttled",
            ErrorCode::Unauthenticated => "unauthenticated",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::NotFound => "not_found",
            ErrorCode::CsrfInvalid => "csrf_invalid",
            ErrorCode::BadRequest => "bad_request",
            ErrorCode::AuditChainBroken => "audit_chain_broken",
            ErrorCode::RuleViolated => "rule_violated",
            ErrorCode::ImpossibleDate => "impossible_date",
            ErrorCode::EditConflict => "edit_conflict",
            ErrorCode::ConsentMissing => "consent_missing",
            ErrorCode::WrongState => "wrong_state",
            ErrorCode::UnknownSnapshot => "unknown_snapshot",
            ErrorCode::Internal => "internal",
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A value that failed to parse: which field, which rule, and the offending value
/// when it is safe to echo (codes, never passwords or personal data).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {code}")]
pub struct DomainError {
    pub field: &'static str,
    pub code: ErrorCode,
    pub value: Option<String>,
}

impl DomainError {
    pub fn new(field: &'static str, code: ErrorCode) -> Self {
        Self {
            field,
            code,
            value: None,
        }
    }

    pub fn with_value(field: &'static str, code: ErrorCode, value: impl Into<String>) -> Self {
        Self {
            field,
            code,
            value: Some(value.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_snake_case() {
        let mut seen = std::collections::HashSet::new();
        for code in ErrorCode::ALL {
            assert!(seen.insert(code.as_str()), "duplicate {code}");
            assert!(
                code.as_str()
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c == '_')
            );
            assert_eq!(
                serde_json::to_string(&code).ok(),
                Some(format!("\"{}\"", code.as_str()))
            );
        }
    }
}
