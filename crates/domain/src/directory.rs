//! The service directory, after the Open Referral Human Services Data Specification
//! (HSDS): organisations → locations → services, a taxonomy of service categories,
//! plus the projects and partnership conventions of the "who does what where" (4W)
//! and the rights pages of the public portal.
//!
//! Every record is also a row of a table whose columns are the import and export
//! format (`data/directory/*.csv`). A row parses into a typed record, collecting
//! *every* problem with its column; references between rows (a service's category, a
//! location's organisation, a territory) are checked by [`check_references`] against
//! what the file brings and what the store already holds, so an import is all or
//! nothing and lists every bad row. No I/O here.

use crate::error::{DomainError, ErrorCode};
use crate::org::{OrgCode, OrgKind};
use crate::territory::TerritoryCode;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};

/// Who a service is open to. `all` means no condition (or none stated as a rule).
pub const ELIGIBILITY_STATUSES: [&str; 8] = [
    "all",
    "regular",
    "regularised",
    "refugee",
    "asylum_seeker",
    "unaccompanied_child",
    "trafficking_victim",
    "irregular",
];
pub const COSTS: [&str; 3] = ["free", "fee", "unknown"];
pub const CONVENTION_STATUSES: [&str; 4] = ["draft", "signed", "published", "ended"];
/// Languages the portal can name; any other ISO 639 code is accepted and shown as is.
pub const KNOWN_LANGUAGES: [&str; 8] = ["ar", "fr", "en", "es", "zgh", "ff", "wo", "bm"];
/// Target groups of projects (beyond the legal statuses above).
pub const TARGET_GROUPS: [&str; 7] = [
    "migrants",
    "refugees",
    "asylum_seekers",
    "children",
    "women",
    "youth",
    "host_community",
];

/// One table of the exchange format: its file name, its columns in order, and which
/// must be filled.
#[derive(Debug)]
pub struct Table {
    pub name: &'static str,
    pub columns: &'static [&'static str],
    pub required: &'static [&'static str],
}

impl Table {
    pub fn file_name(&self) -> String {
        format!("{}.csv", self.name)
    }
}

pub const ORGANISATIONS: Table = Table {
    name: "organizations",
    columns: &[
        "code",
        "kind",
        "parent_code",
        "name_fr",
        "name_ar",
        "name_en",
        "description_fr",
        "website",
        "territories",
        "description_ar",
        "description_en",
        "email",
        "phone",
        "accepts_requests",
    ],
    required: &["code", "kind", "name_fr"],
};

pub const LOCATIONS: Table = Table {
    name: "locations",
    columns: &[
        "code",
        "organization_code",
        "name_fr",
        "city",
        "territory_code",
        "languages",
        "accessibility_note",
        "name_ar",
        "name_en",
        "address",
        "latitude",
        "longitude",
        "hours",
    ],
    required: &["code", "organization_code", "name_fr", "territory_code"],
};

pub const SERVICES: Table = Table {
    name: "services",
    columns: &[
        "code",
        "organization_code",
        "location_codes",
        "category",
        "name_fr",
        "name_ar",
        "name_en",
        "description_fr",
        "eligibility_status",
        "eligibility_sex",
        "eligibility_min_age",
        "eligibility_max_age",
        "cost",
        "documents_fr",
        "how_to_access_fr",
        "snia_actions",
        "source",
        "description_ar",
        "description_en",
        "documents_ar",
        "documents_en",
        "how_to_access_ar",
        "how_to_access_en",
    ],
    required: &["code", "organization_code", "category", "name_fr"],
};

pub const TAXONOMY: Table = Table {
    name: "taxonomy",
    columns: &["code", "parent_code", "name_fr", "name_ar", "name_en"],
    required: &["code", "name_fr"],
};

pub const RIGHTS: Table = Table {
    name: "rights",
    columns: &[
        "code", "title_fr", "title_ar", "title_en", "body_fr", "body_ar", "body_en", "source",
    ],
    required: &["code", "title_fr", "body_fr"],
};

pub const PROJECTS: Table = Table {
    name: "projects",
    columns: &[
        "code",
        "title_fr",
        "title_ar",
        "title_en",
        "funder_code",
        "implementer_code",
        "start_date",
        "end_date",
        "territories",
        "target_groups",
        "snia_actions",
        "source",
    ],
    required: &["code", "title_fr", "implementer_code"],
};

pub const CONVENTIONS: Table = Table {
    name: "conventions",
    columns: &[
        "code",
        "title_fr",
        "title_ar",
        "title_en",
        "parties",
        "signed_on",
        "published_on",
        "status",
        "source",
    ],
    required: &["code", "title_fr", "parties", "status"],
};

/// Every table, in the order an import applies them (a row may name rows of the
/// tables before it).
pub const TABLES: [&Table; 7] = [
    &TAXONOMY,
    &ORGANISATIONS,
    &LOCATIONS,
    &SERVICES,
    &RIGHTS,
    &PROJECTS,
    &CONVENTIONS,
];

pub fn table(name: &str) -> Option<&'static Table> {
    let name = name.trim().trim_end_matches(".csv").to_ascii_lowercase();
    let name = if name == "organisations" {
        "organizations".to_string()
    } else {
        name
    };
    TABLES.into_iter().find(|t| t.name == name)
}

/// A problem in an import, located: table, line (1 = the header), column, reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DirIssue {
    pub table: String,
    pub line: u64,
    pub column: String,
    pub code: ErrorCode,
    pub value: String,
}

impl std::fmt::Display for DirIssue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}, line {}, column {}: {}",
            self.table, self.line, self.column, self.code
        )?;
        if !self.value.is_empty() {
            write!(f, " ({})", self.value)?;
        }
        Ok(())
    }
}

/// A raw row: column → text, as read from any format.
pub type RawRow = BTreeMap<String, String>;

/// A code for a location, service, right, project or convention: upper-case ASCII
/// letters, digits and `-`, 2–64 characters (`LOC-EN-RABAT-CAS`, `SVC-ANAPEC-INSCRIPTION`).
pub fn parse_code(field: &'static str, s: &str) -> Result<String, DomainError> {
    let s = s.trim().to_ascii_uppercase();
    if s.is_empty() {
        return Err(DomainError::new(field, ErrorCode::Required));
    }
    if !(2..=64).contains(&s.len()) {
        return Err(DomainError::with_value(field, ErrorCode::Length, s));
    }
    let ok = s
        .chars()
        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-')
        && !s.starts_with('-')
        && !s.ends_with('-');
    if ok {
        Ok(s)
    } else {
        Err(DomainError::with_value(field, ErrorCode::Format, s))
    }
}

/// A taxonomy code: lower-case ASCII letters, digits and `_`, 2–64 (`primary_care`).
pub fn parse_term(field: &'static str, s: &str) -> Result<String, DomainError> {
    let s = s.trim().to_ascii_lowercase();
    if s.is_empty() {
        return Err(DomainError::new(field, ErrorCode::Required));
    }
    let ok = (2..=64).contains(&s.len())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if ok {
        Ok(s)
    } else {
        Err(DomainError::with_value(field, ErrorCode::Format, s))
    }
}

/// A list cell: `|`-separated, trimmed, empty parts dropped.
pub fn split_list(s: &str) -> Vec<String> {
    s.split('|')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect()
}

pub fn join_list(items: &[String]) -> String {
    items.join("|")
}

fn opt(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_string())
}

fn cell(v: &Option<String>) -> String {
    v.clone().unwrap_or_default()
}

/// A free text: at most `max` characters, no control characters but line breaks.
fn text(field: &'static str, s: &str, max: usize) -> Result<Option<String>, DomainError> {
    let s = s.trim();
    if s.chars().count() > max {
        return Err(DomainError::with_value(
            field,
            ErrorCode::Length,
            max.to_string(),
        ));
    }
    if s.chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        return Err(DomainError::new(field, ErrorCode::Format));
    }
    Ok(opt(s))
}

/// A date as `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
pub fn parse_date(field: &'static str, s: &str) -> Result<Option<String>, DomainError> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    let parts: Vec<&str> = s.split('-').collect();
    let num = |p: &str, len: usize, range: std::ops::RangeInclusive<u32>| {
        p.len() == len
            && p.chars().all(|c| c.is_ascii_digit())
            && p.parse().is_ok_and(|n| range.contains(&n))
    };
    let ok = match parts.as_slice() {
        [y] => num(y, 4, 1900..=2100),
        [y, m] => num(y, 4, 1900..=2100) && num(m, 2, 1..=12),
        [y, m, d] => num(y, 4, 1900..=2100) && num(m, 2, 1..=12) && num(d, 2, 1..=31),
        _ => false,
    };
    if ok {
        Ok(Some(s.to_string()))
    } else {
        Err(DomainError::with_value(field, ErrorCode::Format, s))
    }
}

fn yes_no(field: &'static str, s: &str) -> Result<bool, DomainError> {
    match s.trim().to_ascii_lowercase().as_str() {
        "" | "no" | "non" | "false" | "0" => Ok(false),
        "yes" | "oui" | "true" | "1" => Ok(true),
        other => Err(DomainError::with_value(
            field,
            ErrorCode::UnknownValue,
            other,
        )),
    }
}

/// Collects field errors while a row is parsed.
struct Errors(Vec<DomainError>);

impl Errors {
    fn take<T>(&mut self, r: Result<T, DomainError>) -> Option<T> {
        r.map_err(|e| self.0.push(e)).ok()
    }
}

fn get<'a>(row: &'a RawRow, col: &str) -> &'a str {
    row.get(col).map(String::as_str).unwrap_or("").trim()
}

fn required(errors: &mut Errors, row: &RawRow, col: &'static str, max: usize) -> Option<String> {
    let v = get(row, col);
    if v.is_empty() {
        errors.0.push(DomainError::new(col, ErrorCode::Required));
        return None;
    }
    errors.take(text(col, v, max)).flatten()
}

fn optional(errors: &mut Errors, row: &RawRow, col: &'static str, max: usize) -> Option<String> {
    errors.take(text(col, get(row, col), max)).flatten()
}

fn territories(errors: &mut Errors, row: &RawRow, col: &'static str) -> Vec<TerritoryCode> {
    split_list(get(row, col))
        .iter()
        .filter_map(|t| {
            errors.take(TerritoryCode::parse(t).map_err(|e| DomainError { field: col, ..e }))
        })
        .collect()
}

fn codes(errors: &mut Errors, row: &RawRow, col: &'static str) -> Vec<String> {
    split_list(get(row, col))
        .iter()
        .filter_map(|c| errors.take(parse_code(col, c)))
        .collect()
}

fn org_code(errors: &mut Errors, row: &RawRow, col: &'static str, needed: bool) -> Option<OrgCode> {
    let v = get(row, col);
    if v.is_empty() {
        if needed {
            errors.0.push(DomainError::new(col, ErrorCode::Required));
        }
        return None;
    }
    errors.take(OrgCode::parse(v).map_err(|e| DomainError { field: col, ..e }))
}

fn snia_actions(errors: &mut Errors, row: &RawRow) -> Vec<String> {
    split_list(get(row, "snia_actions"))
        .into_iter()
        .filter_map(|a| {
            let ok = a.split_once('.').is_some_and(|(p, n)| {
                !p.is_empty()
                    && !n.is_empty()
                    && p.chars().all(|c| c.is_ascii_digit())
                    && n.chars().all(|c| c.is_ascii_digit())
            });
            if ok {
                Some(a)
            } else {
                errors.0.push(DomainError::with_value(
                    "snia_actions",
                    ErrorCode::Format,
                    a,
                ));
                None
            }
        })
        .collect()
}

fn age(errors: &mut Errors, row: &RawRow, col: &'static str) -> Option<u32> {
    let v = get(row, col);
    if v.is_empty() {
        return None;
    }
    match v.parse::<u32>() {
        Ok(n) if n <= 120 => Some(n),
        _ => {
            errors
                .0
                .push(DomainError::with_value(col, ErrorCode::Format, v));
            None
        }
    }
}

fn coordinate(errors: &mut Errors, row: &RawRow, col: &'static str, limit: f64) -> Option<f64> {
    let v = get(row, col);
    if v.is_empty() {
        return None;
    }
    match v.replace(',', ".").parse::<f64>() {
        Ok(n) if n.is_finite() && n.abs() <= limit => Some(n),
        _ => {
            errors
                .0
                .push(DomainError::with_value(col, ErrorCode::Format, v));
            None
        }
    }
}

fn values_in(
    errors: &mut Errors,
    row: &RawRow,
    col: &'static str,
    allowed: &[&str],
) -> Vec<String> {
    split_list(get(row, col))
        .into_iter()
        .filter_map(|v| {
            let v = v.to_ascii_lowercase();
            if allowed.contains(&v.as_str()) {
                Some(v)
            } else {
                errors
                    .0
                    .push(DomainError::with_value(col, ErrorCode::UnknownValue, v));
                None
            }
        })
        .collect()
}

/// A directory record: a row of one table.
pub trait Record: Sized {
    fn table() -> &'static Table;
    fn code(&self) -> &str;
    /// The cells, in the table's column order.
    fn cells(&self) -> Vec<String>;
    /// Parses a row, reporting every field problem.
    fn parse(row: &RawRow) -> Result<Self, Vec<DomainError>>;

    fn to_row(&self) -> RawRow {
        Self::table()
            .columns
            .iter()
            .map(|c| c.to_string())
            .zip(self.cells())
            .collect()
    }
}

/// An organisation's directory entry (the `organisation` table's row, with the
/// directory's columns).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OrgRecord {
    pub code: OrgCode,
    pub kind: OrgKind,
    pub parent_code: Option<OrgCode>,
    pub name_fr: String,
    pub name_ar: Option<String>,
    pub name_en: Option<String>,
    pub description_fr: Option<String>,
    pub description_ar: Option<String>,
    pub description_en: Option<String>,
    pub website: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// The area covered: `MA`, regions, provinces.
    pub territories: Vec<TerritoryCode>,
    /// Receives the portal's "ask to be contacted" requests.
    pub accepts_requests: bool,
}

impl Record for OrgRecord {
    fn table() -> &'static Table {
        &ORGANISATIONS
    }
    fn code(&self) -> &str {
        self.code.as_str()
    }
    fn cells(&self) -> Vec<String> {
        vec![
            self.code.to_string(),
            self.kind.as_str().to_string(),
            self.parent_code
                .as_ref()
                .map(|c| c.to_string())
                .unwrap_or_default(),
            self.name_fr.clone(),
            cell(&self.name_ar),
            cell(&self.name_en),
            cell(&self.description_fr),
            cell(&self.website),
            self.territories
                .iter()
                .map(|t| t.as_str())
                .collect::<Vec<_>>()
                .join("|"),
            cell(&self.description_ar),
            cell(&self.description_en),
            cell(&self.email),
            cell(&self.phone),
            if self.accepts_requests { "yes" } else { "" }.to_string(),
        ]
    }
    fn parse(row: &RawRow) -> Result<Self, Vec<DomainError>> {
        let mut e = Errors(Vec::new());
        let code = org_code(&mut e, row, "code", true);
        let kind = e.take(OrgKind::parse(get(row, "kind")));
        let parent_code = org_code(&mut e, row, "parent_code", false);
        let name_fr = required(&mut e, row, "name_fr", 200);
        let website = optional(&mut e, row, "website", 300);
        if let Some(w) = &website
            && !(w.starts_with("https://") || w.starts_with("http://"))
        {
            e.0.push(DomainError::with_value(
                "website",
                ErrorCode::Format,
                w.clone(),
            ));
        }
        let email = optional(&mut e, row, "email", 200);
        if let Some(m) = &email
            && !plausible_email(m)
        {
            e.0.push(DomainError::with_value(
                "email",
                ErrorCode::Format,
                m.clone(),
            ));
        }
        let name_ar = optional(&mut e, row, "name_ar", 200);
        let name_en = optional(&mut e, row, "name_en", 200);
        let description_fr = optional(&mut e, row, "description_fr", 4000);
        let description_ar = optional(&mut e, row, "description_ar", 4000);
        let description_en = optional(&mut e, row, "description_en", 4000);
        let phone = optional(&mut e, row, "phone", 40);
        let territories = territories(&mut e, row, "territories");
        let accepts_requests = e
            .take(yes_no("accepts_requests", get(row, "accepts_requests")))
            .unwrap_or(false);
        if parent_code.is_some() && parent_code == code {
            e.0.push(DomainError::with_value(
                "parent_code",
                ErrorCode::RuleViolated,
                get(row, "parent_code"),
            ));
        }
        match (code, kind, name_fr) {
            (Some(code), Some(kind), Some(name_fr)) if e.0.is_empty() => Ok(OrgRecord {
                code,
                kind,
                parent_code,
                name_fr,
                name_ar,
                name_en,
                description_fr,
                description_ar,
                description_en,
                website,
                email,
                phone,
                territories,
                accepts_requests,
            }),
            _ => Err(e.0),
        }
    }
}

/// Loose e-mail shape: one `@`, a dot in the domain, no spaces.
pub fn plausible_email(s: &str) -> bool {
    let s = s.trim();
    match s.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !s.contains(char::is_whitespace)
                && !domain.contains('@')
        }
        None => false,
    }
}

/// A place where services are delivered.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LocationRecord {
    pub code: String,
    pub organization_code: OrgCode,
    pub name_fr: String,
    pub name_ar: Option<String>,
    pub name_en: Option<String>,
    pub city: Option<String>,
    pub address: Option<String>,
    /// Down to the commune when known; the province at least.
    pub territory_code: TerritoryCode,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub hours: Option<String>,
    pub languages: Vec<String>,
    pub accessibility_note: Option<String>,
}

fn num_cell(v: Option<f64>) -> String {
    v.map(|n| n.to_string()).unwrap_or_default()
}

impl Record for LocationRecord {
    fn table() -> &'static Table {
        &LOCATIONS
    }
    fn code(&self) -> &str {
        &self.code
    }
    fn cells(&self) -> Vec<String> {
        vec![
            self.code.clone(),
            self.organization_code.to_string(),
            self.name_fr.clone(),
            cell(&self.city),
            self.territory_code.to_string(),
            self.languages.join("|"),
            cell(&self.accessibility_note),
            cell(&self.name_ar),
            cell(&self.name_en),
            cell(&self.address),
            num_cell(self.latitude),
            num_cell(self.longitude),
            cell(&self.hours),
        ]
    }
    fn parse(row: &RawRow) -> Result<Self, Vec<DomainError>> {
        let mut e = Errors(Vec::new());
        let code = e.take(parse_code("code", get(row, "code")));
        let org = org_code(&mut e, row, "organization_code", true);
        let name_fr = required(&mut e, row, "name_fr", 200);
        let territory = e.take(
            TerritoryCode::parse(get(row, "territory_code")).map_err(|err| DomainError {
                field: "territory_code",
                ..err
            }),
        );
        let languages: Vec<String> = split_list(get(row, "languages"))
            .into_iter()
            .filter_map(|l| {
                let l = l.to_ascii_lowercase();
                if (2..=3).contains(&l.len()) && l.chars().all(|c| c.is_ascii_lowercase()) {
                    Some(l)
                } else {
                    e.0.push(DomainError::with_value("languages", ErrorCode::Format, l));
                    None
                }
            })
            .collect();
        let latitude = coordinate(&mut e, row, "latitude", 90.0);
        let longitude = coordinate(&mut e, row, "longitude", 180.0);
        if latitude.is_some() != longitude.is_some() {
            e.0.push(DomainError::new(
                if latitude.is_none() {
                    "latitude"
                } else {
                    "longitude"
                },
                ErrorCode::Required,
            ));
        }
        let name_ar = optional(&mut e, row, "name_ar", 200);
        let name_en = optional(&mut e, row, "name_en", 200);
        let city = optional(&mut e, row, "city", 100);
        let address = optional(&mut e, row, "address", 300);
        let hours = optional(&mut e, row, "hours", 300);
        let accessibility_note = optional(&mut e, row, "accessibility_note", 1000);
        match (code, org, name_fr, territory) {
            (Some(code), Some(organization_code), Some(name_fr), Some(territory_code))
                if e.0.is_empty() =>
            {
                Ok(LocationRecord {
                    code,
                    organization_code,
                    name_fr,
                    name_ar,
                    name_en,
                    city,
                    address,
                    territory_code,
                    latitude,
                    longitude,
                    hours,
                    languages,
                    accessibility_note,
                })
            }
            _ => Err(e.0),
        }
    }
}

/// A service, with its eligibility.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServiceRecord {
    pub code: String,
    pub organization_code: OrgCode,
    /// Where it is delivered; empty = national, remote or through partners.
    pub location_codes: Vec<String>,
    pub category: String,
    pub name_fr: String,
    pub name_ar: Option<String>,
    pub name_en: Option<String>,
    pub description_fr: Option<String>,
    pub description_ar: Option<String>,
    pub description_en: Option<String>,
    /// Empty = not stated in the sources.
    pub eligibility_status: Vec<String>,
    /// `F`, `M`, or none (anyone).
    pub eligibility_sex: Option<String>,
    pub min_age: Option<u32>,
    pub max_age: Option<u32>,
    pub cost: Option<String>,
    pub documents_fr: Option<String>,
    pub documents_ar: Option<String>,
    pub documents_en: Option<String>,
    pub how_to_access_fr: Option<String>,
    pub how_to_access_ar: Option<String>,
    pub how_to_access_en: Option<String>,
    pub snia_actions: Vec<String>,
    pub source: Option<String>,
}

impl Record for ServiceRecord {
    fn table() -> &'static Table {
        &SERVICES
    }
    fn code(&self) -> &str {
        &self.code
    }
    fn cells(&self) -> Vec<String> {
        vec![
            self.code.clone(),
            self.organization_code.to_string(),
            self.location_codes.join("|"),
            self.category.clone(),
            self.name_fr.clone(),
            cell(&self.name_ar),
            cell(&self.name_en),
            cell(&self.description_fr),
            self.eligibility_status.join("|"),
            cell(&self.eligibility_sex),
            self.min_age.map(|a| a.to_string()).unwrap_or_default(),
            self.max_age.map(|a| a.to_string()).unwrap_or_default(),
            cell(&self.cost),
            cell(&self.documents_fr),
            cell(&self.how_to_access_fr),
            self.snia_actions.join("|"),
            cell(&self.source),
            cell(&self.description_ar),
            cell(&self.description_en),
            cell(&self.documents_ar),
            cell(&self.documents_en),
            cell(&self.how_to_access_ar),
            cell(&self.how_to_access_en),
        ]
    }
    fn parse(row: &RawRow) -> Result<Self, Vec<DomainError>> {
        let mut e = Errors(Vec::new());
        let code = e.take(parse_code("code", get(row, "code")));
        let org = org_code(&mut e, row, "organization_code", true);
        let category = e.take(parse_term("category", get(row, "category")));
        let name_fr = required(&mut e, row, "name_fr", 200);
        let sex = match get(row, "eligibility_sex").to_ascii_uppercase().as_str() {
            "" => None,
            s @ ("F" | "M") => Some(s.to_string()),
            other => {
                e.0.push(DomainError::with_value(
                    "eligibility_sex",
                    ErrorCode::UnknownValue,
                    other,
                ));
                None
            }
        };
        let cost = match get(row, "cost").to_ascii_lowercase().as_str() {
            "" => None,
            c if COSTS.contains(&c) => Some(c.to_string()),
            other => {
                e.0.push(DomainError::with_value(
                    "cost",
                    ErrorCode::UnknownValue,
                    other,
                ));
                None
            }
        };
        let min_age = age(&mut e, row, "eligibility_min_age");
        let max_age = age(&mut e, row, "eligibility_max_age");
        if let (Some(a), Some(b)) = (min_age, max_age)
            && a > b
        {
            e.0.push(DomainError::with_value(
                "eligibility_max_age",
                ErrorCode::RuleViolated,
                format!("{a} > {b}"),
            ));
        }
        let location_codes = codes(&mut e, row, "location_codes");
        let name_ar = optional(&mut e, row, "name_ar", 200);
        let name_en = optional(&mut e, row, "name_en", 200);
        let description_fr = optional(&mut e, row, "description_fr", 4000);
        let description_ar = optional(&mut e, row, "description_ar", 4000);
        let description_en = optional(&mut e, row, "description_en", 4000);
        let eligibility_status =
            values_in(&mut e, row, "eligibility_status", &ELIGIBILITY_STATUSES);
        let documents_fr = optional(&mut e, row, "documents_fr", 2000);
        let documents_ar = optional(&mut e, row, "documents_ar", 2000);
        let documents_en = optional(&mut e, row, "documents_en", 2000);
        let how_to_access_fr = optional(&mut e, row, "how_to_access_fr", 2000);
        let how_to_access_ar = optional(&mut e, row, "how_to_access_ar", 2000);
        let how_to_access_en = optional(&mut e, row, "how_to_access_en", 2000);
        let snia_actions = snia_actions(&mut e, row);
        let source = optional(&mut e, row, "source", 8000);
        match (code, org, category, name_fr) {
            (Some(code), Some(organization_code), Some(category), Some(name_fr))
                if e.0.is_empty() =>
            {
                Ok(ServiceRecord {
                    code,
                    organization_code,
                    location_codes,
                    category,
                    name_fr,
                    name_ar,
                    name_en,
                    description_fr,
                    description_ar,
                    description_en,
                    eligibility_status,
                    eligibility_sex: sex,
                    min_age,
                    max_age,
                    cost,
                    documents_fr,
                    documents_ar,
                    documents_en,
                    how_to_access_fr,
                    how_to_access_ar,
                    how_to_access_en,
                    snia_actions,
                    source,
                })
            }
            _ => Err(e.0),
        }
    }
}

/// A category of the service taxonomy, shared with case work's referrals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TaxonomyTerm {
    pub code: String,
    pub parent_code: Option<String>,
    pub name_fr: String,
    pub name_ar: Option<String>,
    pub name_en: Option<String>,
}

impl Record for TaxonomyTerm {
    fn table() -> &'static Table {
        &TAXONOMY
    }
    fn code(&self) -> &str {
        &self.code
    }
    fn cells(&self) -> Vec<String> {
        vec![
            self.code.clone(),
            cell(&self.parent_code),
            self.name_fr.clone(),
            cell(&self.name_ar),
            cell(&self.name_en),
        ]
    }
    fn parse(row: &RawRow) -> Result<Self, Vec<DomainError>> {
        let mut e = Errors(Vec::new());
        let code = e.take(parse_term("code", get(row, "code")));
        let parent = match get(row, "parent_code") {
            "" => None,
            p => e.take(parse_term("parent_code", p)),
        };
        let name_fr = required(&mut e, row, "name_fr", 200);
        if parent.is_some() && parent == code {
            e.0.push(DomainError::with_value(
                "parent_code",
                ErrorCode::RuleViolated,
                get(row, "parent_code"),
            ));
        }
        let rec = TaxonomyTerm {
            code: code.clone().unwrap_or_default(),
            parent_code: parent,
            name_fr: name_fr.clone().unwrap_or_default(),
            name_ar: optional(&mut e, row, "name_ar", 200),
            name_en: optional(&mut e, row, "name_en", 200),
        };
        if e.0.is_empty() && code.is_some() && name_fr.is_some() {
            Ok(rec)
        } else {
            Err(e.0)
        }
    }
}

/// A rights page of the public portal, maintained by the secretariat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RightPage {
    pub code: String,
    pub title_fr: String,
    pub title_ar: Option<String>,
    pub title_en: Option<String>,
    pub body_fr: String,
    pub body_ar: Option<String>,
    pub body_en: Option<String>,
    pub source: Option<String>,
}

impl Record for RightPage {
    fn table() -> &'static Table {
        &RIGHTS
    }
    fn code(&self) -> &str {
        &self.code
    }
    fn cells(&self) -> Vec<String> {
        vec![
            self.code.clone(),
            self.title_fr.clone(),
            cell(&self.title_ar),
            cell(&self.title_en),
            self.body_fr.clone(),
            cell(&self.body_ar),
            cell(&self.body_en),
            cell(&self.source),
        ]
    }
    fn parse(row: &RawRow) -> Result<Self, Vec<DomainError>> {
        let mut e = Errors(Vec::new());
        let code = e.take(parse_code("code", get(row, "code")));
        let title_fr = required(&mut e, row, "title_fr", 200);
        let body_fr = required(&mut e, row, "body_fr", 8000);
        let rec = RightPage {
            code: code.clone().unwrap_or_default(),
            title_fr: title_fr.clone().unwrap_or_default(),
            title_ar: optional(&mut e, row, "title_ar", 200),
            title_en: optional(&mut e, row, "title_en", 200),
            body_fr: body_fr.clone().unwrap_or_default(),
            body_ar: optional(&mut e, row, "body_ar", 8000),
            body_en: optional(&mut e, row, "body_en", 8000),
            source: optional(&mut e, row, "source", 8000),
        };
        if e.0.is_empty() && code.is_some() && title_fr.is_some() && body_fr.is_some() {
            Ok(rec)
        } else {
            Err(e.0)
        }
    }
}

/// A project: who funds it, who carries it out, when, where, for whom, and which
/// SNIA actions it serves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProjectRecord {
    pub code: String,
    pub title_fr: String,
    pub title_ar: Option<String>,
    pub title_en: Option<String>,
    pub funder_code: Option<OrgCode>,
    pub implementer_code: OrgCode,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
    pub territories: Vec<TerritoryCode>,
    pub target_groups: Vec<String>,
    pub snia_actions: Vec<String>,
    pub source: Option<String>,
}

impl Record for ProjectRecord {
    fn table() -> &'static Table {
        &PROJECTS
    }
    fn code(&self) -> &str {
        &self.code
    }
    fn cells(&self) -> Vec<String> {
        vec![
            self.code.clone(),
            self.title_fr.clone(),
            cell(&self.title_ar),
            cell(&self.title_en),
            self.funder_code
                .as_ref()
                .map(|c| c.to_string())
                .unwrap_or_default(),
            self.implementer_code.to_string(),
            cell(&self.start_date),
            cell(&self.end_date),
            self.territories
                .iter()
                .map(|t| t.as_str())
                .collect::<Vec<_>>()
                .join("|"),
            self.target_groups.join("|"),
            self.snia_actions.join("|"),
            cell(&self.source),
        ]
    }
    fn parse(row: &RawRow) -> Result<Self, Vec<DomainError>> {
        let mut e = Errors(Vec::new());
        let code = e.take(parse_code("code", get(row, "code")));
        let title_fr = required(&mut e, row, "title_fr", 300);
        let implementer = org_code(&mut e, row, "implementer_code", true);
        let start = e
            .take(parse_date("start_date", get(row, "start_date")))
            .flatten();
        let end = e
            .take(parse_date("end_date", get(row, "end_date")))
            .flatten();
        if let (Some(s), Some(en)) = (&start, &end)
            && s > en
        {
            e.0.push(DomainError::with_value(
                "end_date",
                ErrorCode::RuleViolated,
                format!("{s} > {en}"),
            ));
        }
        let title_ar = optional(&mut e, row, "title_ar", 300);
        let title_en = optional(&mut e, row, "title_en", 300);
        let funder_code = org_code(&mut e, row, "funder_code", false);
        let territories = territories(&mut e, row, "territories");
        let target_groups = values_in(&mut e, row, "target_groups", &TARGET_GROUPS);
        let snia_actions = snia_actions(&mut e, row);
        let source = optional(&mut e, row, "source", 8000);
        match (code, title_fr, implementer) {
            (Some(code), Some(title_fr), Some(implementer_code)) if e.0.is_empty() => {
                Ok(ProjectRecord {
                    code,
                    title_fr,
                    title_ar,
                    title_en,
                    funder_code,
                    implementer_code,
                    start_date: start,
                    end_date: end,
                    territories,
                    target_groups,
                    snia_actions,
                    source,
                })
            }
            _ => Err(e.0),
        }
    }
}

/// A partnership convention between organisations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConventionRecord {
    pub code: String,
    pub title_fr: String,
    pub title_ar: Option<String>,
    pub title_en: Option<String>,
    pub parties: Vec<OrgCode>,
    pub signed_on: Option<String>,
    pub published_on: Option<String>,
    pub status: String,
    pub source: Option<String>,
}

impl Record for ConventionRecord {
    fn table() -> &'static Table {
        &CONVENTIONS
    }
    fn code(&self) -> &str {
        &self.code
    }
    fn cells(&self) -> Vec<String> {
        vec![
            self.code.clone(),
            self.title_fr.clone(),
            cell(&self.title_ar),
            cell(&self.title_en),
            self.parties
                .iter()
                .map(|p| p.as_str())
                .collect::<Vec<_>>()
                .join("|"),
            cell(&self.signed_on),
            cell(&self.published_on),
            self.status.clone(),
            cell(&self.source),
        ]
    }
    fn parse(row: &RawRow) -> Result<Self, Vec<DomainError>> {
        let mut e = Errors(Vec::new());
        let code = e.take(parse_code("code", get(row, "code")));
        let title_fr = required(&mut e, row, "title_fr", 300);
        let parties: Vec<OrgCode> = split_list(get(row, "parties"))
            .iter()
            .filter_map(|p| {
                e.take(OrgCode::parse(p).map_err(|err| DomainError {
                    field: "parties",
                    ..err
                }))
            })
            .collect();
        if parties.len() < 2 && !get(row, "parties").is_empty() {
            e.0.push(DomainError::with_value(
                "parties",
                ErrorCode::RuleViolated,
                get(row, "parties"),
            ));
        } else if get(row, "parties").is_empty() {
            e.0.push(DomainError::new("parties", ErrorCode::Required));
        }
        let status = get(row, "status").to_ascii_lowercase();
        if !CONVENTION_STATUSES.contains(&status.as_str()) {
            e.0.push(if status.is_empty() {
                DomainError::new("status", ErrorCode::Required)
            } else {
                DomainError::with_value("status", ErrorCode::UnknownValue, status.clone())
            });
        }
        let signed = e
            .take(parse_date("signed_on", get(row, "signed_on")))
            .flatten();
        let published = e
            .take(parse_date("published_on", get(row, "published_on")))
            .flatten();
        if let (Some(s), Some(p)) = (&signed, &published)
            && p < s
        {
            e.0.push(DomainError::with_value(
                "published_on",
                ErrorCode::RuleViolated,
                format!("{p} < {s}"),
            ));
        }
        let rec = ConventionRecord {
            code: code.clone().unwrap_or_default(),
            title_fr: title_fr.clone().unwrap_or_default(),
            title_ar: optional(&mut e, row, "title_ar", 300),
            title_en: optional(&mut e, row, "title_en", 300),
            parties,
            signed_on: signed,
            published_on: published,
            status,
            source: optional(&mut e, row, "source", 8000),
        };
        if e.0.is_empty() && code.is_some() && title_fr.is_some() {
            Ok(rec)
        } else {
            Err(e.0)
        }
    }
}

/// The whole directory, or the part an import brings.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Directory {
    pub taxonomy: Vec<TaxonomyTerm>,
    pub organisations: Vec<OrgRecord>,
    pub locations: Vec<LocationRecord>,
    pub services: Vec<ServiceRecord>,
    pub rights: Vec<RightPage>,
    pub projects: Vec<ProjectRecord>,
    pub conventions: Vec<ConventionRecord>,
}

impl Directory {
    /// Each table's rows as cells (header first), for the table-shaped formats.
    pub fn tables(&self) -> Vec<(&'static Table, Vec<Vec<String>>)> {
        fn rows<R: Record>(items: &[R]) -> (&'static Table, Vec<Vec<String>>) {
            let mut out = vec![R::table().columns.iter().map(|c| c.to_string()).collect()];
            out.extend(items.iter().map(Record::cells));
            (R::table(), out)
        }
        vec![
            rows(&self.taxonomy),
            rows(&self.organisations),
            rows(&self.locations),
            rows(&self.services),
            rows(&self.rights),
            rows(&self.projects),
            rows(&self.conventions),
        ]
    }

    pub fn is_empty(&self) -> bool {
        self.taxonomy.is_empty()
            && self.organisations.is_empty()
            && self.locations.is_empty()
            && self.services.is_empty()
            && self.rights.is_empty()
            && self.projects.is_empty()
            && self.conventions.is_empty()
    }

    pub fn rows(&self) -> usize {
        self.taxonomy.len()
            + self.organisations.len()
            + self.locations.len()
            + self.services.len()
            + self.rights.len()
            + self.projects.len()
            + self.conventions.len()
    }
}

/// Rows read from a file, per table, each with its line (2 = the first data row).
#[derive(Debug, Clone, Default)]
pub struct RawTables {
    pub tables: Vec<(&'static Table, Vec<(u64, RawRow)>)>,
}

impl RawTables {
    pub fn push(&mut self, table: &'static Table, rows: Vec<(u64, RawRow)>) {
        match self.tables.iter_mut().find(|(t, _)| t.name == table.name) {
            Some((_, existing)) => existing.extend(rows),
            None => self.tables.push((table, rows)),
        }
    }
}

/// Parsed records with the line each came from.
#[derive(Debug, Clone, Default)]
pub struct Lined {
    pub directory: Directory,
    /// (table, code) → line.
    pub lines: HashMap<(&'static str, String), u64>,
}

impl Lined {
    fn line(&self, table: &'static str, code: &str) -> u64 {
        self.lines
            .get(&(table, code.to_string()))
            .copied()
            .unwrap_or(0)
    }
}

fn issue(table: &str, line: u64, e: DomainError) -> DirIssue {
    DirIssue {
        table: table.to_string(),
        line,
        column: e.field.to_string(),
        code: e.code,
        value: e.value.unwrap_or_default(),
    }
}

/// Parses every row of every table: the rows that parse, and a problem for each that
/// does not (duplicate codes within a table are refused too).
pub fn parse_tables(raw: &RawTables) -> (Lined, Vec<DirIssue>) {
    let mut out = Lined::default();
    let mut issues = Vec::new();
    for (table, rows) in &raw.tables {
        for (line, row) in rows {
            for col in row.keys() {
                if !col.is_empty() && !table.columns.contains(&col.as_str()) {
                    issues.push(DirIssue {
                        table: table.name.to_string(),
                        line: 1,
                        column: col.clone(),
                        code: ErrorCode::UnknownValue,
                        value: "unknown column".into(),
                    });
                }
            }
            let code = match table.name {
                "taxonomy" => push(&mut out.directory.taxonomy, row),
                "organizations" => push(&mut out.directory.organisations, row),
                "locations" => push(&mut out.directory.locations, row),
                "services" => push(&mut out.directory.services, row),
                "rights" => push(&mut out.directory.rights, row),
                "projects" => push(&mut out.directory.projects, row),
                _ => push(&mut out.directory.conventions, row),
            };
            match code {
                Ok(code) => {
                    if let Some(first) = out.lines.insert((table.name, code.clone()), *line) {
                        out.lines.insert((table.name, code.clone()), first);
                        issues.push(DirIssue {
                            table: table.name.to_string(),
                            line: *line,
                            column: "code".into(),
                            code: ErrorCode::AlreadyExists,
                            value: format!("{code} (line {first})"),
                        });
                    }
                }
                Err(errors) => {
                    issues.extend(errors.into_iter().map(|e| issue(table.name, *line, e)))
                }
            }
        }
    }
    // An unknown column is reported once per table, not once per row.
    issues
        .dedup_by(|a, b| a.line == 1 && b.line == 1 && a.table == b.table && a.column == b.column);
    (out, issues)
}

fn push<R: Record>(items: &mut Vec<R>, row: &RawRow) -> Result<String, Vec<DomainError>> {
    let r = R::parse(row)?;
    let code = r.code().to_string();
    items.push(r);
    Ok(code)
}

/// What the store already holds, for checking references.
#[derive(Debug, Clone, Default)]
pub struct Known {
    /// Every territory code (country, regions, provinces, communes).
    pub territories: HashSet<String>,
    /// Organisation code → parent code.
    pub organisations: HashMap<String, Option<String>>,
    pub taxonomy: HashSet<String>,
    /// Location code → owning organisation code.
    pub locations: HashMap<String, String>,
}

/// Checks every reference of `lined` against itself and `known`.
pub fn check_references(lined: &Lined, known: &Known) -> Vec<DirIssue> {
    let d = &lined.directory;
    let mut issues = Vec::new();
    let mut orgs: HashMap<String, Option<String>> = known.organisations.clone();
    for o in &d.organisations {
        orgs.insert(
            o.code.to_string(),
            o.parent_code.as_ref().map(|p| p.to_string()),
        );
    }
    let mut terms: HashSet<String> = known.taxonomy.clone();
    terms.extend(d.taxonomy.iter().map(|t| t.code.clone()));
    let mut locations: HashMap<String, String> = known.locations.clone();
    for l in &d.locations {
        locations.insert(l.code.clone(), l.organization_code.to_string());
    }
    let mut add = |table: &'static Table, code: &str, column: &str, err: ErrorCode, value: &str| {
        issues.push(DirIssue {
            table: table.name.to_string(),
            line: lined.line(table.name, code),
            column: column.to_string(),
            code: err,
            value: value.to_string(),
        });
    };
    for t in &d.taxonomy {
        if let Some(p) = &t.parent_code
            && !terms.contains(p)
        {
            add(
                &TAXONOMY,
                &t.code,
                "parent_code",
                ErrorCode::UnknownValue,
                p,
            );
        }
    }
    for o in &d.organisations {
        if let Some(p) = &o.parent_code {
            if !orgs.contains_key(p.as_str()) {
                add(
                    &ORGANISATIONS,
                    o.code.as_str(),
                    "parent_code",
                    ErrorCode::UnknownOrganisation,
                    p.as_str(),
                );
            } else if ancestors(&orgs, p.as_str()).contains(&o.code.to_string()) {
                add(
                    &ORGANISATIONS,
                    o.code.as_str(),
                    "parent_code",
                    ErrorCode::RuleViolated,
                    p.as_str(),
                );
            }
        }
        for t in &o.territories {
            if !known.territories.contains(t.as_str()) {
                add(
                    &ORGANISATIONS,
                    o.code.as_str(),
                    "territories",
                    ErrorCode::UnknownTerritory,
                    t.as_str(),
                );
            }
        }
    }
    for l in &d.locations {
        if !orgs.contains_key(l.organization_code.as_str()) {
            add(
                &LOCATIONS,
                &l.code,
                "organization_code",
                ErrorCode::UnknownOrganisation,
                l.organization_code.as_str(),
            );
        }
        if !known.territories.contains(l.territory_code.as_str())
            || l.territory_code.as_str() == "MA"
        {
            add(
                &LOCATIONS,
                &l.code,
                "territory_code",
                ErrorCode::UnknownTerritory,
                l.territory_code.as_str(),
            );
        }
    }
    for s in &d.services {
        let org = s.organization_code.as_str();
        if !orgs.contains_key(org) {
            add(
                &SERVICES,
                &s.code,
                "organization_code",
                ErrorCode::UnknownOrganisation,
                org,
            );
        }
        if !terms.contains(&s.category) {
            add(
                &SERVICES,
                &s.code,
                "category",
                ErrorCode::UnknownValue,
                &s.category,
            );
        }
        for loc in &s.location_codes {
            match locations.get(loc) {
                None => add(
                    &SERVICES,
                    &s.code,
                    "location_codes",
                    ErrorCode::UnknownValue,
                    loc,
                ),
                Some(owner) => {
                    let mine = owner == org || ancestors(&orgs, owner).iter().any(|a| a == org);
                    if !mine && orgs.contains_key(org) {
                        add(
                            &SERVICES,
                            &s.code,
                            "location_codes",
                            ErrorCode::RuleViolated,
                            loc,
                        );
                    }
                }
            }
        }
    }
    for p in &d.projects {
        for (col, code) in [
            ("funder_code", p.funder_code.as_ref()),
            ("implementer_code", Some(&p.implementer_code)),
        ] {
            if let Some(c) = code
                && !orgs.contains_key(c.as_str())
            {
                add(
                    &PROJECTS,
                    &p.code,
                    col,
                    ErrorCode::UnknownOrganisation,
                    c.as_str(),
                );
            }
        }
        for t in &p.territories {
            if !known.territories.contains(t.as_str()) {
                add(
                    &PROJECTS,
                    &p.code,
                    "territories",
                    ErrorCode::UnknownTerritory,
                    t.as_str(),
                );
            }
        }
    }
    for c in &d.conventions {
        for party in &c.parties {
            if !orgs.contains_key(party.as_str()) {
                add(
                    &CONVENTIONS,
                    &c.code,
                    "parties",
                    ErrorCode::UnknownOrganisation,
                    party.as_str(),
                );
            }
        }
    }
    issues.sort_by(|a, b| {
        let order = |t: &str| TABLES.iter().position(|x| x.name == t).unwrap_or(99);
        (order(&a.table), a.line).cmp(&(order(&b.table), b.line))
    });
    issues
}

/// The chain of parents above `code`, nearest first (stops on a cycle).
pub fn ancestors(orgs: &HashMap<String, Option<String>>, code: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = orgs.get(code).cloned().flatten();
    while let Some(p) = current {
        if out.contains(&p) || p == code {
            break;
        }
        current = orgs.get(&p).cloned().flatten();
        out.push(p);
    }
    out
}

/// Whether a service is open to someone of `status`: it names the status, or `all`.
/// A service whose eligibility is not stated matches too (the page says so).
pub fn open_to(service: &ServiceRecord, status: &str) -> bool {
    service.eligibility_status.is_empty()
        || service
            .eligibility_status
            .iter()
            .any(|s| s == "all" || s == status)
}

/// Where an intake request stands in the reception organisation's queue.
pub const INTAKE_STATUSES: [&str; 3] = ["new", "taken", "closed"];

/// A contact a reception worker can use: a phone number (8 to 15 digits, with `+`,
/// spaces, dots, dashes or brackets) or an e-mail address. Returned normalised.
pub fn parse_contact(s: &str) -> Result<String, DomainError> {
    let s = s.trim();
    if s.is_empty() {
        return Err(DomainError::new("contact", ErrorCode::Required));
    }
    if s.chars().count() > 120 {
        return Err(DomainError::new("contact", ErrorCode::Length));
    }
    if s.contains('@') {
        return if plausible_email(s) {
            Ok(s.to_string())
        } else {
            Err(DomainError::new("contact", ErrorCode::Format))
        };
    }
    let digits = s.chars().filter(char::is_ascii_digit).count();
    let shape = s
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '+' | ' ' | '.' | '-' | '(' | ')'));
    if shape && (8..=15).contains(&digits) && !s[1..].contains('+') {
        Ok(s.split_whitespace().collect::<Vec<_>>().join(" "))
    } else {
        Err(DomainError::new("contact", ErrorCode::Format))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(pairs: &[(&str, &str)]) -> RawRow {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn a_service_row_parses_and_writes_back_the_same_cells() {
        let r = row(&[
            ("code", "svc-anapec-inscription"),
            ("organization_code", "ANAPEC"),
            ("location_codes", "LOC-ANAPEC-RABAT|LOC-ANAPEC-CASA"),
            ("category", "registration"),
            ("name_fr", "Inscription"),
            ("eligibility_status", "regular|refugee"),
            ("eligibility_min_age", "15"),
            ("cost", "unknown"),
            ("snia_actions", "7.1|7.3"),
        ]);
        let s = ServiceRecord::parse(&r).unwrap();
        assert_eq!(s.code, "SVC-ANAPEC-INSCRIPTION");
        assert_eq!(s.location_codes.len(), 2);
        let again = ServiceRecord::parse(&s.to_row()).unwrap();
        assert_eq!(again, s);
    }

    #[test]
    fn every_field_problem_of_a_row_is_reported() {
        let r = row(&[
            ("code", "SVC X"),
            ("organization_code", ""),
            ("category", "Health Care"),
            ("name_fr", ""),
            ("eligibility_status", "all|king"),
            ("eligibility_sex", "X"),
            ("eligibility_min_age", "18"),
            ("eligibility_max_age", "10"),
            ("cost", "cheap"),
            ("snia_actions", "seven"),
        ]);
        let errors = ServiceRecord::parse(&r).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field).collect();
        for f in [
            "code",
            "organization_code",
            "category",
            "name_fr",
            "eligibility_status",
            "eligibility_sex",
            "eligibility_max_age",
            "cost",
            "snia_actions",
        ] {
            assert!(fields.contains(&f), "{f} missing from {fields:?}");
        }
    }

    #[test]
    fn references_are_checked_against_the_file_and_the_store() {
        let mut raw = RawTables::default();
        raw.push(
            &LOCATIONS,
            vec![(
                2,
                row(&[
                    ("code", "LOC-A"),
                    ("organization_code", "ORG-A"),
                    ("name_fr", "A"),
                    ("territory_code", "MA-XYZ"),
                ]),
            )],
        );
        raw.push(
            &SERVICES,
            vec![
                (
                    2,
                    row(&[
                        ("code", "SVC-A"),
                        ("organization_code", "ORG-A"),
                        ("category", "health"),
                        ("name_fr", "A"),
                        ("location_codes", "LOC-A"),
                    ]),
                ),
                (
                    3,
                    row(&[
                        ("code", "SVC-B"),
                        ("organization_code", "ORG-B"),
                        ("category", "astrology"),
                        ("name_fr", "B"),
                        ("location_codes", "LOC-A"),
                    ]),
                ),
            ],
        );
        let (lined, issues) = parse_tables(&raw);
        assert!(issues.is_empty());
        let known = Known {
            territories: ["MA", "MA-04", "MA-RAB"]
                .iter()
                .map(|s| s.to_string())
                .collect(),
            organisations: [("ORG-A".to_string(), None), ("ORG-B".to_string(), None)].into(),
            taxonomy: ["health".to_string()].into(),
            locations: HashMap::new(),
        };
        let issues = check_references(&lined, &known);
        let got: Vec<(&str, u64, &str, ErrorCode)> = issues
            .iter()
            .map(|i| (i.table.as_str(), i.line, i.column.as_str(), i.code))
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    "locations",
                    2,
                    "territory_code",
                    ErrorCode::UnknownTerritory
                ),
                ("services", 3, "category", ErrorCode::UnknownValue),
                ("services", 3, "location_codes", ErrorCode::RuleViolated),
            ]
        );
    }

    #[test]
    fn duplicate_codes_and_unknown_columns_are_refused() {
        let mut raw = RawTables::default();
        let t = row(&[("code", "health"), ("name_fr", "Santé"), ("colour", "red")]);
        raw.push(&TAXONOMY, vec![(2, t.clone()), (3, t)]);
        let (_, issues) = parse_tables(&raw);
        assert!(issues.iter().any(|i| i.column == "colour" && i.line == 1));
        assert!(
            issues
                .iter()
                .any(|i| i.code == ErrorCode::AlreadyExists && i.line == 3)
        );
    }

    #[test]
    fn contacts_are_phones_or_emails() {
        assert_eq!(
            parse_contact(" +212 6 12  34 56 78 ").as_deref(),
            Ok("+212 6 12 34 56 78")
        );
        assert!(parse_contact("amina@example.org").is_ok());
        let bad = [
            ("", ErrorCode::Required),
            ("call me", ErrorCode::Format),
            ("12345", ErrorCode::Format),
            ("06+12345678", ErrorCode::Format),
            ("amina@", ErrorCode::Format),
        ];
        for (input, code) in bad {
            assert_eq!(
                parse_contact(input).map_err(|e| e.code),
                Err(code),
                "{input:?}"
            );
        }
    }

    #[test]
    fn dates_and_emails() {
        assert!(parse_date("d", "2017-03-01").is_ok());
        assert!(parse_date("d", "2017").is_ok());
        assert!(parse_date("d", "2017-13").is_err());
        assert!(parse_date("d", "17/03/2017").is_err());
        assert!(plausible_email("contact@example.org"));
        assert!(!plausible_email("contact@example"));
        assert!(!plausible_email("a b@example.org"));
    }
}
