//! Indicators counted from case records: people, not rows, each counted once across
//! organisations, disaggregated like the aggregate values (sex, age, status,
//! nationality, territory, organisation).
//!
//! Which indicators and which services is data (`data/frameworks/record-sources.json`).
//! The engine ([`crate::values`]) adds these counts to what partners report, so a
//! dashboard shows a service the moment it is recorded, with no rebuild job.

use passerelle_domain::casework::LegalStatus;
use passerelle_store::casework::PersonFact;
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};

pub const SOURCES_JSON: &str = include_str!("../../../data/frameworks/record-sources.json");

#[derive(Debug, Clone, Deserialize)]
pub struct RecordSource {
    pub services: Vec<String>,
    #[serde(default)]
    pub organisations: Vec<String>,
}

/// The record source of an indicator, if it has one.
pub fn source(indicator: &str) -> Option<RecordSource> {
    let all: HashMap<String, serde_json::Value> = serde_json::from_str(SOURCES_JSON).ok()?;
    serde_json::from_value(all.get(indicator)?.clone()).ok()
}

/// Whether an organisation code is one of `wanted` or a branch of one (`EN-RABAT` for `EN`).
pub fn org_matches(code: &str, wanted: &[String]) -> bool {
    wanted.is_empty()
        || wanted.iter().any(|w| {
            code == w
                || code
                    .strip_prefix(w.as_str())
                    .is_some_and(|r| r.starts_with('-'))
        })
}

/// The value of one dimension for a fact: `sex` F/M, `age` minor/adult at `on`,
/// `status` the indicators' category, `nationality`, `territory` (mapped by
/// `territory_of`), `organisation` (by `org_code`).
pub fn dimension(
    f: &PersonFact,
    dim: &str,
    on_year: i64,
    org_code: &dyn Fn(i64) -> String,
    territory_of: &dyn Fn(Option<&str>) -> Option<String>,
) -> Option<String> {
    match dim {
        "sex" => Some(f.sex.clone()),
        "age" => f.birth_year.map(|y| {
            if on_year - y < 18 {
                "minor".into()
            } else {
                "adult".into()
            }
        }),
        "status" => f
            .legal_status
            .as_deref()
            .and_then(LegalStatus::parse)
            .map(|s| s.indicator_category().to_string()),
        "nationality" => f.nationality.clone(),
        "territory" => territory_of(f.territory_code.as_deref()),
        "organisation" => Some(org_code(f.organisation_id)),
        _ => None,
    }
}

/// Distinct people per line (keyed by the dimension values in `by` order) and overall.
pub fn count_people(
    facts: &[PersonFact],
    by: &[String],
    on_year: i64,
    org_code: &dyn Fn(i64) -> String,
    territory_of: &dyn Fn(Option<&str>) -> Option<String>,
) -> (BTreeMap<Vec<(String, String)>, usize>, usize) {
    let mut lines: BTreeMap<Vec<(String, String)>, BTreeSet<i64>> = BTreeMap::new();
    let mut everyone = BTreeSet::new();
    for f in facts {
        everyone.insert(f.person_id);
        if by.is_empty() {
            continue;
        }
        let key: Option<Vec<(String, String)>> = by
            .iter()
            .map(|d| dimension(f, d, on_year, org_code, territory_of).map(|v| (d.clone(), v)))
            .collect();
        if let Some(k) = key {
            lines.entry(k).or_default().insert(f.person_id);
        }
    }
    (
        lines.into_iter().map(|(k, v)| (k, v.len())).collect(),
        everyone.len(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fact(person: i64, org: i64, sex: &str) -> PersonFact {
        PersonFact {
            person_id: person,
            service_type: "positioning_interview".into(),
            organisation_id: org,
            sex: sex.into(),
            birth_year: Some(1994),
            nationality: Some("GN".into()),
            legal_status: Some("refugee".into()),
            territory_code: Some("MA-RAB".into()),
        }
    }

    #[test]
    fn a_person_served_by_two_organisations_counts_once() {
        let facts = vec![fact(1, 10, "M"), fact(1, 11, "M"), fact(2, 10, "F")];
        let orgs = |id: i64| {
            if id == 10 {
                "ANAPEC-RABAT".to_string()
            } else {
                "ANAPEC-CASA".to_string()
            }
        };
        let terr = |t: Option<&str>| t.map(str::to_string);
        let (lines, total) = count_people(&facts, &["sex".into()], 2020, &orgs, &terr);
        assert_eq!(total, 2);
        assert_eq!(lines[&vec![("sex".to_string(), "M".to_string())]], 1);
        let (by_org, _) = count_people(&facts, &["organisation".into()], 2020, &orgs, &terr);
        assert_eq!(
            by_org.values().sum::<usize>(),
            3,
            "per organisation each counts its own"
        );
        assert!(org_matches("EN-RABAT", &["EN".into()]) && !org_matches("ENABEL", &["EN".into()]));
        assert!(source("SNIA-P7-ANAPEC-ATELIERS").is_some());
    }
}
