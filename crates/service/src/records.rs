//! Indicators counted from case records: people, not rows, each counted once across
//! organisations, disaggregated like the aggregate values (sex, age, status,
//! nationality, territory, organisation).
//!
//! Which indicators and which services is data (`data/frameworks/record-sources.json`).
//! The engine ([`crate::values`]) has the database count them
//! (`store::facts::people_lines` / `people_total`: distinct people grouped by the
//! dimensions) and adds them to what partners report, so a dashboard shows a service
//! the moment it is recorded, with no rebuild job.
//!
//! Knowledge-gain indicators (AMUDDU OI1-2, OI2-2) come from group activities instead:
//! trainings of professionals with entry and exit test scores, attached to a node of
//! the framework ([`activity_source`]). Their value is the participants' mean exit
//! score, with the entry score and the gain beside it.

use serde::Deserialize;
use std::collections::HashMap;

pub const SOURCES_JSON: &str = include_str!("../../../data/frameworks/record-sources.json");

#[derive(Debug, Clone, Deserialize)]
pub struct RecordSource {
    #[serde(default)]
    pub services: Vec<String>,
    #[serde(default)]
    pub organisations: Vec<String>,
    /// Group activity kinds with test scores (knowledge gain).
    #[serde(default)]
    pub activities: Vec<String>,
    /// Framework nodes the activities must be attached to (a node covers the nodes
    /// under it: `OI1` covers `OI1-2`, `A01` covers `A01 05`).
    #[serde(default)]
    pub nodes: Vec<String>,
}

/// Every record source of `record-sources.json`, parsed once.
fn sources() -> &'static HashMap<String, RecordSource> {
    static SOURCES: std::sync::OnceLock<HashMap<String, RecordSource>> = std::sync::OnceLock::new();
    SOURCES.get_or_init(|| {
        let all: HashMap<String, serde_json::Value> =
            serde_json::from_str(SOURCES_JSON).unwrap_or_default();
        all.into_iter()
            .filter_map(|(k, v)| Some((k, serde_json::from_value(v).ok()?)))
            .collect()
    })
}

/// The record source of an indicator counted from services, if it has one.
pub fn source(indicator: &str) -> Option<RecordSource> {
    sources()
        .get(indicator)
        .filter(|s| !s.services.is_empty())
        .cloned()
}

/// The group activities an indicator's knowledge gain is measured on, if any.
pub fn activity_source(indicator: &str) -> Option<RecordSource> {
    sources()
        .get(indicator)
        .filter(|s| !s.activities.is_empty())
        .cloned()
}

/// Whether an activity attached to `node` serves one of `wanted` (or a node under it).
pub fn node_matches(node: &str, wanted: &[String]) -> bool {
    wanted.is_empty()
        || wanted.iter().any(|w| {
            node == w
                || node
                    .strip_prefix(w.as_str())
                    .is_some_and(|r| r.starts_with([' ', '-', '.']))
        })
}

/// The years an indicator has figures from records (services delivered, or scored
/// group activities), newest first; empty for an indicator without a record source.
pub async fn years(
    conn: &mut passerelle_store::Conn,
    indicator: &str,
) -> Result<Vec<String>, passerelle_store::StoreError> {
    if let Some(src) = source(indicator) {
        let types: Vec<&str> = src.services.iter().map(String::as_str).collect();
        return passerelle_store::facts::service_years(conn, &types).await;
    }
    if let Some(src) = activity_source(indicator) {
        let kinds: Vec<&str> = src.activities.iter().map(String::as_str).collect();
        return passerelle_store::casework::scored_activity_years(conn, &kinds).await;
    }
    Ok(Vec::new())
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
        assert!(source("OI1-2").is_none() && activity_source("OI1-2").is_some());
        assert!(activity_source("OI1-1").is_none());
        let nodes = ["OI1".to_string(), "A01".to_string()];
        assert!(node_matches("OI1-2", &nodes) && node_matches("A01 05", &nodes));
        assert!(!node_matches("OI12", &nodes) && !node_matches("A02 01", &nodes));
    }
}
