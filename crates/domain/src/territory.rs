//! Morocco's territorial tree: the country, its 12 regions (ISO 3166-2:MA `MA-01` …
//! `MA-12`), their 75 provinces and prefectures (`MA-RAB`, `MA-CAS` …) and communes
//! (loaded from a file, coded `MA-<province>-<number>`).

use crate::error::{DomainError, ErrorCode};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TerritoryLevel {
    Country,
    Region,
    Province,
    Commune,
}

impl TerritoryLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            TerritoryLevel::Country => "country",
            TerritoryLevel::Region => "region",
            TerritoryLevel::Province => "province",
            TerritoryLevel::Commune => "commune",
        }
    }

    pub fn parse(s: &str) -> Result<TerritoryLevel, DomainError> {
        match s {
            "country" => Ok(TerritoryLevel::Country),
            "region" => Ok(TerritoryLevel::Region),
            "province" | "prefecture" => Ok(TerritoryLevel::Province),
            "commune" => Ok(TerritoryLevel::Commune),
            other => Err(DomainError::with_value(
                "level",
                ErrorCode::UnknownValue,
                other,
            )),
        }
    }
}

/// A territory code whose shape tells its level: `MA`, `MA-04`, `MA-RAB`,
/// `MA-RAB-001`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TerritoryCode(String);

impl TerritoryCode {
    pub fn parse(s: &str) -> Result<TerritoryCode, DomainError> {
        let code = s.trim().to_ascii_uppercase();
        if code.is_empty() {
            return Err(DomainError::new("territory", ErrorCode::Required));
        }
        let parts: Vec<&str> = code.split('-').collect();
        let ok = match parts.as_slice() {
            ["MA"] => true,
            ["MA", region] if region.len() == 2 => {
                region.chars().all(|c| c.is_ascii_digit())
                    && matches!(region.parse::<u8>(), Ok(1..=12))
            }
            ["MA", province] => {
                province.len() == 3 && province.chars().all(|c| c.is_ascii_uppercase())
            }
            ["MA", province, commune] => {
                province.len() == 3
                    && province.chars().all(|c| c.is_ascii_uppercase())
                    && (1..=6).contains(&commune.len())
                    && commune.chars().all(|c| c.is_ascii_digit())
            }
            _ => false,
        };
        if !ok {
            return Err(DomainError::with_value(
                "territory",
                ErrorCode::Format,
                code,
            ));
        }
        Ok(TerritoryCode(code))
    }

    pub fn level(&self) -> TerritoryLevel {
        let parts: Vec<&str> = self.0.split('-').collect();
        match parts.len() {
            1 => TerritoryLevel::Country,
            2 if parts[1].chars().all(|c| c.is_ascii_digit()) => TerritoryLevel::Region,
            2 => TerritoryLevel::Province,
            _ => TerritoryLevel::Commune,
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for TerritoryCode {
    type Error = DomainError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        TerritoryCode::parse(&s)
    }
}

impl From<TerritoryCode> for String {
    fn from(c: TerritoryCode) -> String {
        c.0
    }
}

impl std::fmt::Display for TerritoryCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Folds a territory name for alias lookup: lower case, no accents, no punctuation,
/// single spaces. "Tanger-Tétouan-Al Hoceïma" and "tanger tetouan al hoceima" fold alike.
pub fn fold_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut last_space = true;
    for ch in name.chars() {
        let base = match ch {
            'à' | 'á' | 'â' | 'ä' | 'ã' | 'À' | 'Á' | 'Â' | 'Ä' => 'a',
            'ç' | 'Ç' => 'c',
            'è' | 'é' | 'ê' | 'ë' | 'È' | 'É' | 'Ê' | 'Ë' => 'e',
            'ì' | 'í' | 'î' | 'ï' | 'Î' | 'Ï' => 'i',
            'ò' | 'ó' | 'ô' | 'ö' | 'Ô' | 'Ö' => 'o',
            'ù' | 'ú' | 'û' | 'ü' | 'Û' | 'Ü' => 'u',
            '\'' | '’' | 'ʼ' => continue,
            c => c,
        };
        if base.is_alphanumeric() {
            out.extend(base.to_lowercase());
            last_space = false;
        } else if !last_space {
            out.push(' ');
            last_space = true;
        }
    }
    out.trim_end().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_parse_with_their_level() {
        let ok = [
            ("ma", TerritoryLevel::Country),
            ("MA-04", TerritoryLevel::Region),
            ("MA-12", TerritoryLevel::Region),
            ("MA-RAB", TerritoryLevel::Province),
            ("MA-CAS-001", TerritoryLevel::Commune),
        ];
        for (input, level) in ok {
            let code = TerritoryCode::parse(input);
            assert_eq!(
                code.as_ref().map(TerritoryCode::level),
                Ok(level),
                "{input}"
            );
        }
        for bad in [
            "",
            "FR",
            "MA-13",
            "MA-00",
            "MA-1",
            "MA-RABA",
            "MA-RAB-X1",
            "MA--",
        ] {
            assert!(TerritoryCode::parse(bad).is_err(), "{bad:?} should fail");
        }
    }

    #[test]
    fn names_fold_for_aliases() {
        assert_eq!(
            fold_name("Tanger-Tétouan-Al Hoceïma"),
            "tanger tetouan al hoceima"
        );
        assert_eq!(fold_name("  L'Oriental "), "loriental");
        assert_eq!(
            fold_name("Laâyoune-Sakia El Hamra"),
            "laayoune sakia el hamra"
        );
        assert_eq!(fold_name("الرباط"), "الرباط");
    }
}
