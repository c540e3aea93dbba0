//! A registered person: names in both scripts, sex, a birth date or only a year,
//! nationality, languages, phones, identity documents, legal status, consents.

use crate::{DomainError, ErrorCode};
use serde::{Deserialize, Serialize};

/// Sex as recorded at registration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    Female,
    Male,
}

impl Sex {
    pub const ALL: [Sex; 2] = [Sex::Female, Sex::Male];
    pub fn as_str(self) -> &'static str {
        match self {
            Sex::Female => "F",
            Sex::Male => "M",
        }
    }
    pub fn parse(s: &str) -> Option<Sex> {
        match s.trim().to_ascii_uppercase().as_str() {
            "F" | "FEMALE" | "FEMME" => Some(Sex::Female),
            "M" | "MALE" | "HOMME" => Some(Sex::Male),
            _ => None,
        }
    }
}

/// A birth date, or only a year when the person does not know it (common for people
/// on the move); `approximate` marks a year estimated by the case worker.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum BirthDate {
    Exact { year: i32, month: u8, day: u8 },
    Year { year: i32, approximate: bool },
}

impl BirthDate {
    pub fn year(self) -> i32 {
        match self {
            BirthDate::Exact { year, .. } | BirthDate::Year { year, .. } => year,
        }
    }

    /// `YYYY-MM-DD` or `YYYY`.
    pub fn as_text(self) -> String {
        match self {
            BirthDate::Exact { year, month, day } => format!("{year:04}-{month:02}-{day:02}"),
            BirthDate::Year { year, .. } => format!("{year:04}"),
        }
    }

    /// Parses `YYYY-MM-DD`, `DD/MM/YYYY` or `YYYY`, and checks it against `today`
    /// (`YYYY-MM-DD`): not in the future, not more than 120 years ago.
    pub fn parse(text: &str, approximate: bool, today: &str) -> Result<BirthDate, DomainError> {
        let t = text.trim();
        let bad = || DomainError::with_value("birth_date", ErrorCode::Format, t);
        let parsed = if t.len() == 4 && t.chars().all(|c| c.is_ascii_digit()) {
            BirthDate::Year {
                year: t.parse().map_err(|_| bad())?,
                approximate,
            }
        } else {
            let (y, m, d) = if let Some((d, rest)) = t.split_once('/') {
                let (m, y) = rest.split_once('/').ok_or_else(bad)?;
                (y, m, d)
            } else {
                let mut it = t.splitn(3, '-');
                let y = it.next().ok_or_else(bad)?;
                let m = it.next().ok_or_else(bad)?;
                let d = it.next().ok_or_else(bad)?;
                (y, m, d)
            };
            let year: i32 = y.parse().map_err(|_| bad())?;
            let month: u8 = m.parse().map_err(|_| bad())?;
            let day: u8 = d.parse().map_err(|_| bad())?;
            if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
                return Err(DomainError::with_value(
                    "birth_date",
                    ErrorCode::ImpossibleDate,
                    t,
                ));
            }
            BirthDate::Exact { year, month, day }
        };
        let today_year: i32 = today.get(0..4).and_then(|y| y.parse().ok()).unwrap_or(2100);
        let future = match parsed {
            BirthDate::Exact { .. } => parsed.as_text().as_str() > today,
            BirthDate::Year { year, .. } => year > today_year,
        };
        if future || today_year - parsed.year() > 120 {
            return Err(DomainError::with_value(
                "birth_date",
                ErrorCode::ImpossibleDate,
                t,
            ));
        }
        Ok(parsed)
    }

    /// Age in whole years on `date` (`YYYY-MM-DD`); for a year only, the age reached
    /// during that year.
    pub fn age_on(self, date: &str) -> Option<i32> {
        let y: i32 = date.get(0..4)?.parse().ok()?;
        match self {
            BirthDate::Year { year, .. } => Some(y - year),
            BirthDate::Exact { year, month, day } => {
                let md = date.get(5..10)?;
                let before = md < format!("{month:02}-{day:02}").as_str();
                Some(y - year - i32::from(before))
            }
        }
    }
}

fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Identity documents a person may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    Passport,
    ResidenceCard,
    RefugeeCard,
    UnhcrNumber,
    Other,
}

impl DocumentKind {
    pub const ALL: [DocumentKind; 5] = [
        DocumentKind::Passport,
        DocumentKind::ResidenceCard,
        DocumentKind::RefugeeCard,
        DocumentKind::UnhcrNumber,
        DocumentKind::Other,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            DocumentKind::Passport => "passport",
            DocumentKind::ResidenceCard => "residence_card",
            DocumentKind::RefugeeCard => "refugee_card",
            DocumentKind::UnhcrNumber => "unhcr_number",
            DocumentKind::Other => "other",
        }
    }
    pub fn parse(s: &str) -> Option<DocumentKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == s.trim())
    }
}

/// Legal status categories (the SNIA's: regularised in 2014 or 2017, residence card,
/// asylum seeker, refugee, unaccompanied or separated child, trafficking victim…).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LegalStatus {
    Regularised2014,
    Regularised2017,
    ResidenceCard,
    AsylumSeeker,
    Refugee,
    UnaccompaniedChild,
    SeparatedChild,
    TraffickingVictim,
    Irregular,
    Other,
}

impl LegalStatus {
    pub const ALL: [LegalStatus; 10] = [
        LegalStatus::Regularised2014,
        LegalStatus::Regularised2017,
        LegalStatus::ResidenceCard,
        LegalStatus::AsylumSeeker,
        LegalStatus::Refugee,
        LegalStatus::UnaccompaniedChild,
        LegalStatus::SeparatedChild,
        LegalStatus::TraffickingVictim,
        LegalStatus::Irregular,
        LegalStatus::Other,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            LegalStatus::Regularised2014 => "regularised_2014",
            LegalStatus::Regularised2017 => "regularised_2017",
            LegalStatus::ResidenceCard => "residence_card",
            LegalStatus::AsylumSeeker => "asylum_seeker",
            LegalStatus::Refugee => "refugee",
            LegalStatus::UnaccompaniedChild => "unaccompanied_child",
            LegalStatus::SeparatedChild => "separated_child",
            LegalStatus::TraffickingVictim => "trafficking_victim",
            LegalStatus::Irregular => "irregular",
            LegalStatus::Other => "other",
        }
    }
    pub fn parse(s: &str) -> Option<LegalStatus> {
        Self::ALL.into_iter().find(|k| k.as_str() == s.trim())
    }
    /// The disaggregation category of the indicators' `status` dimension.
    pub fn indicator_category(self) -> &'static str {
        match self {
            LegalStatus::Regularised2014 | LegalStatus::Regularised2017 => "regularised",
            LegalStatus::ResidenceCard => "regular",
            LegalStatus::AsylumSeeker => "asylum_seeker",
            LegalStatus::Refugee => "refugee",
            LegalStatus::UnaccompaniedChild | LegalStatus::SeparatedChild => "unaccompanied_child",
            LegalStatus::TraffickingVictim => "trafficking_victim",
            LegalStatus::Irregular => "irregular",
            LegalStatus::Other => "other",
        }
    }
}

/// What a person consents to. Referral consent names the kind of organisation it
/// covers (`scope`: `public_agency`, `ngo`, `un_agency`… or `any`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConsentPurpose {
    Registration,
    CaseWork,
    Referral,
    Statistics,
}

impl ConsentPurpose {
    pub const ALL: [ConsentPurpose; 4] = [
        ConsentPurpose::Registration,
        ConsentPurpose::CaseWork,
        ConsentPurpose::Referral,
        ConsentPurpose::Statistics,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            ConsentPurpose::Registration => "registration",
            ConsentPurpose::CaseWork => "case_work",
            ConsentPurpose::Referral => "referral",
            ConsentPurpose::Statistics => "statistics",
        }
    }
    pub fn parse(s: &str) -> Option<ConsentPurpose> {
        Self::ALL.into_iter().find(|k| k.as_str() == s.trim())
    }
}

/// A registration form as typed. Every field is text; [`PersonInput::validate`] turns
/// it into a [`ValidPerson`] or the list of every field in error.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct PersonInput {
    #[serde(default)]
    pub given_name: String,
    #[serde(default)]
    pub family_name: String,
    #[serde(default)]
    pub name_ar: String,
    #[serde(default)]
    pub sex: String,
    #[serde(default)]
    pub birth_date: String,
    #[serde(default)]
    pub birth_approximate: bool,
    #[serde(default)]
    pub nationality: String,
    /// ISO 639-1 codes, comma-separated (`fr,ar,wo`).
    #[serde(default)]
    pub languages: String,
    /// One or more phone numbers, comma-separated.
    #[serde(default)]
    pub phones: String,
    #[serde(default)]
    pub document_kind: String,
    #[serde(default)]
    pub document_number: String,
    #[serde(default)]
    pub document_expiry: String,
    #[serde(default)]
    pub legal_status: String,
    #[serde(default)]
    pub territory: String,
}

/// A checked identity document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    pub kind: DocumentKind,
    pub number: String,
    pub expiry: Option<String>,
}

/// A registration that passed every check (territory and nationality are checked by
/// the caller against reference data: this type only knows their shape).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidPerson {
    pub given_name: String,
    pub family_name: String,
    pub name_ar: String,
    pub sex: Sex,
    pub birth: Option<BirthDate>,
    pub nationality: Option<String>,
    pub languages: Vec<String>,
    pub phones: Vec<String>,
    pub document: Option<Document>,
    pub legal_status: Option<LegalStatus>,
    pub territory: Option<String>,
}

/// Digits of a phone number as typed (`+212 6 12-34-56-78`, `0612345678`, `00221…`):
/// 8 to 15 digits, an optional leading `+`, spaces, dots, dashes and brackets allowed.
pub fn parse_phone(s: &str) -> Result<String, DomainError> {
    let t = s.trim();
    let bad = || DomainError::with_value("phones", ErrorCode::Format, t);
    let mut out = String::new();
    for (i, c) in t.chars().enumerate() {
        match c {
            '+' if i == 0 => out.push('+'),
            '0'..='9' => out.push(c),
            ' ' | '.' | '-' | '(' | ')' => {}
            _ => return Err(bad()),
        }
    }
    let digits = out.chars().filter(char::is_ascii_digit).count();
    if !(8..=15).contains(&digits) {
        return Err(bad());
    }
    Ok(out)
}

fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && s.chars()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

impl PersonInput {
    /// Checks every field; `today` is `YYYY-MM-DD`; `nationality_known` says whether an
    /// ISO 3166-1 alpha-2 code exists.
    pub fn validate(
        &self,
        today: &str,
        nationality_known: impl Fn(&str) -> bool,
    ) -> Result<ValidPerson, Vec<DomainError>> {
        let mut errors = Vec::new();
        let clean = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
        let given_name = clean(&self.given_name);
        let family_name = clean(&self.family_name);
        let name_ar = clean(&self.name_ar);
        if given_name.is_empty() && family_name.is_empty() && name_ar.is_empty() {
            errors.push(DomainError::new("given_name", ErrorCode::Required));
        }
        for (field, v) in [
            ("given_name", &given_name),
            ("family_name", &family_name),
            ("name_ar", &name_ar),
        ] {
            if v.chars().count() > 100 {
                errors.push(DomainError::new(field, ErrorCode::Length));
            } else if v.chars().any(|c| c.is_control() || c.is_ascii_digit()) {
                errors.push(DomainError::new(field, ErrorCode::Format));
            }
        }
        let sex = Sex::parse(&self.sex);
        if sex.is_none() {
            errors.push(if self.sex.trim().is_empty() {
                DomainError::new("sex", ErrorCode::Required)
            } else {
                DomainError::with_value("sex", ErrorCode::UnknownValue, self.sex.trim())
            });
        }
        let birth = if self.birth_date.trim().is_empty() {
            None
        } else {
            match BirthDate::parse(&self.birth_date, self.birth_approximate, today) {
                Ok(b) => Some(b),
                Err(e) => {
                    errors.push(e);
                    None
                }
            }
        };
        let nat = self.nationality.trim().to_ascii_uppercase();
        let nationality = if nat.is_empty() {
            None
        } else if nat.len() == 2 && nationality_known(&nat) {
            Some(nat)
        } else {
            errors.push(DomainError::with_value(
                "nationality",
                ErrorCode::UnknownValue,
                self.nationality.trim(),
            ));
            None
        };
        let mut languages = Vec::new();
        for l in self.languages.split([',', ' ']).filter(|l| !l.is_empty()) {
            let l = l.to_ascii_lowercase();
            if (2..=3).contains(&l.len()) && l.chars().all(|c| c.is_ascii_lowercase()) {
                if !languages.contains(&l) {
                    languages.push(l);
                }
            } else {
                errors.push(DomainError::with_value("languages", ErrorCode::Format, l));
            }
        }
        let mut phones = Vec::new();
        for p in self
            .phones
            .split([',', ';'])
            .filter(|p| !p.trim().is_empty())
        {
            match parse_phone(p) {
                Ok(p) => phones.push(p),
                Err(e) => errors.push(e),
            }
        }
        let number: String = self
            .document_number
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_uppercase();
        let document = if self.document_number.trim().is_empty() {
            None
        } else if !(4..=30).contains(&number.len()) {
            errors.push(DomainError::new("document_number", ErrorCode::Format));
            None
        } else {
            let kind = DocumentKind::parse(&self.document_kind);
            if kind.is_none() {
                errors.push(DomainError::new("document_kind", ErrorCode::Required));
            }
            let expiry = self.document_expiry.trim();
            if !expiry.is_empty() && !is_date(expiry) {
                errors.push(DomainError::with_value(
                    "document_expiry",
                    ErrorCode::Format,
                    expiry,
                ));
            }
            kind.map(|kind| Document {
                kind,
                number,
                expiry: (!expiry.is_empty()).then(|| expiry.to_string()),
            })
        };
        let legal_status = if self.legal_status.trim().is_empty() {
            None
        } else {
            let s = LegalStatus::parse(&self.legal_status);
            if s.is_none() {
                errors.push(DomainError::with_value(
                    "legal_status",
                    ErrorCode::UnknownValue,
                    self.legal_status.trim(),
                ));
            }
            s
        };
        let territory = Some(self.territory.trim().to_string()).filter(|t| !t.is_empty());
        match sex {
            Some(sex) if errors.is_empty() => Ok(ValidPerson {
                given_name,
                family_name,
                name_ar,
                sex,
                birth,
                nationality,
                languages,
                phones,
                document,
                legal_status,
                territory,
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> PersonInput {
        PersonInput {
            given_name: "  Mohamed ".into(),
            family_name: "Diallo".into(),
            sex: "M".into(),
            birth_date: "1994".into(),
            nationality: "gn".into(),
            phones: "+212 6 12-34-56-78".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_plain_registration_validates() {
        let p = input().validate("2026-11-23", |c| c == "GN").unwrap();
        assert_eq!(p.given_name, "Mohamed");
        assert_eq!(p.nationality.as_deref(), Some("GN"));
        assert_eq!(p.phones, vec!["+212612345678"]);
        assert_eq!(p.birth.unwrap().year(), 1994);
    }

    #[test]
    fn impossible_dates_unknown_codes_and_bad_phones_are_each_reported() {
        let mut i = input();
        i.birth_date = "2030-01-01".into();
        i.nationality = "XX".into();
        i.phones = "06-12, call me".into();
        let errs = i.validate("2026-11-23", |c| c == "GN").unwrap_err();
        let fields: Vec<_> = errs.iter().map(|e| (e.field, e.code)).collect();
        assert!(fields.contains(&("birth_date", ErrorCode::ImpossibleDate)));
        assert!(fields.contains(&("nationality", ErrorCode::UnknownValue)));
        assert!(fields.contains(&("phones", ErrorCode::Format)));
        let mut old = input();
        old.birth_date = "1890".into();
        assert!(old.validate("2026-11-23", |_| true).is_err());
        let mut feb = input();
        feb.birth_date = "2001-02-29".into();
        assert!(feb.validate("2026-11-23", |_| true).is_err());
        feb.birth_date = "29/02/2000".into();
        assert!(feb.validate("2026-11-23", |_| true).is_ok());
    }

    #[test]
    fn ages() {
        let b = BirthDate::parse("2008-12-01", false, "2026-11-23").unwrap();
        assert_eq!(b.age_on("2026-11-23"), Some(17));
        assert_eq!(b.age_on("2026-12-01"), Some(18));
    }
}
