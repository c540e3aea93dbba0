//! Organisations: the ministries, agencies, NGOs, UN agencies, donors, regions and
//! communes that carry out the strategy and report on it.

use crate::error::{DomainError, ErrorCode};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct OrgId(pub i64);

/// What kind of body an organisation is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrgKind {
    Ministry,
    PublicAgency,
    Ngo,
    UnAgency,
    Donor,
    Region,
    Commune,
}

impl OrgKind {
    pub const ALL: [OrgKind; 7] = [
        OrgKind::Ministry,
        OrgKind::PublicAgency,
        OrgKind::Ngo,
        OrgKind::UnAgency,
        OrgKind::Donor,
        OrgKind::Region,
        OrgKind::Commune,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OrgKind::Ministry => "ministry",
            OrgKind::PublicAgency => "public_agency",
            OrgKind::Ngo => "ngo",
            OrgKind::UnAgency => "un_agency",
            OrgKind::Donor => "donor",
            OrgKind::Region => "region",
            OrgKind::Commune => "commune",
        }
    }

    pub fn parse(s: &str) -> Result<OrgKind, DomainError> {
        OrgKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s.trim())
            .ok_or_else(|| DomainError::with_value("kind", ErrorCode::UnknownValue, s.trim()))
    }
}

/// A short, stable code for an organisation (`EN-RABAT`, `ANAPEC-CASA`): what import
/// files and the CLI use to name it. Upper-case ASCII letters, digits and `-`, 2–32.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct OrgCode(String);

impl OrgCode {
    pub fn parse(s: &str) -> Result<OrgCode, DomainError> {
        let s = s.trim().to_ascii_uppercase();
        if s.is_empty() {
            return Err(DomainError::new("code", ErrorCode::Required));
        }
        if !(2..=32).contains(&s.len()) {
            return Err(DomainError::with_value("code", ErrorCode::Length, s));
        }
        let ok = s
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-')
            && !s.starts_with('-')
            && !s.ends_with('-');
        if !ok {
            return Err(DomainError::with_value("code", ErrorCode::Format, s));
        }
        Ok(OrgCode(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for OrgCode {
    type Error = DomainError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        OrgCode::parse(&s)
    }
}

impl From<OrgCode> for String {
    fn from(c: OrgCode) -> String {
        c.0
    }
}

impl std::fmt::Display for OrgCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn org_codes_parse() {
        assert_eq!(
            OrgCode::parse(" en-rabat ").map(|c| c.0),
            Ok("EN-RABAT".to_string())
        );
        let bad = [
            ("", ErrorCode::Required),
            ("A", ErrorCode::Length),
            ("EN RABAT", ErrorCode::Format),
            ("-EN", ErrorCode::Format),
            ("ÉCOLE", ErrorCode::Format),
        ];
        for (input, code) in bad {
            assert_eq!(
                OrgCode::parse(input).map_err(|e| e.code),
                Err(code),
                "{input:?}"
            );
        }
    }

    #[test]
    fn kinds_round_trip() {
        for k in OrgKind::ALL {
            assert_eq!(OrgKind::parse(k.as_str()), Ok(k));
        }
        assert!(OrgKind::parse("church").is_err());
    }
}
