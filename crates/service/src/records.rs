//! Indicators counted from case records: people, not rows, each counted once across
//! organisations, disaggregated like the aggregate values (sex, age, status,
//! nationality, territory, organisation).
//!
//! Which indicators and which services is data (`data/frameworks/record-sources.json`).
//! The engine ([`crate::values`]) has the database count them
//! (`store::casework::people_counts`: `count(distinct person_id)` grouped by the
//! dimensions) and adds them to what partners report, so a dashboard shows a service
//! the moment it is recorded, with no rebuild job.

use serde::Deserialize;
use std::collections::HashMap;

pub const SOURCES_JSON: &str = include_str!("../../../data/frameworks/record-sources.json");

#[derive(Debug, Clone, Deserialize)]
pub struct RecordSource {
    pub services: Vec<String>,
    #[serde(default)]
    pub organisations: Vec<String>,
}

/// The record source of an indicator, if it has one.
pub fn source(indicator: &str) -> Option<RecordSource> {
    static SOURCES: std::sync::OnceLock<HashMap<String, RecordSource>> = std::sync::OnceLock::new();
    SOURCES
        .get_or_init(|| {
            let all: HashMap<String, serde_json::Value> =
                serde_json::from_str(SOURCES_JSON).unwrap_or_default();
            all.into_iter()
                .filter_map(|(k, v)| Some((k, serde_json::from_value(v).ok()?)))
                .collect()
        })
        .get(indicator)
        .cloned()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_and_branches() {
        assert!(org_matches("EN-RABAT", &["EN".into()]) && !org_matches("ENABEL", &["EN".into()]));
        assert!(source("SNIA-P7-ANAPEC-ATELIERS").is_some());
    }
}
