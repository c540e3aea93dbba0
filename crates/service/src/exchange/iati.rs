//! A results framework as an IATI 2.03 activity file: the activity, then one
//! `result` per node that has indicators, each indicator with its baseline and its
//! periods (targets from the framework, actuals from the approved national values,
//! with a `dimension` per disaggregation cell).
//!
//! The IATI results rules are kept here: a period starts before it ends (a
//! single-day period is left out); a non-qualitative indicator's baseline, targets
//! and actuals carry a value and a qualitative one's carry none; the reference to
//! the framework is given at result level only, never also at indicator level.
//!
//! What the activity itself is (identifier, reporting organisation, dates) is data
//! too: the framework's root node's `attributes.iati`; sensible defaults otherwise.

use super::Xml;
use crate::Service;
use crate::access::{Action, decide};
use crate::auth::Actor;
use crate::error::ServiceError;
use passerelle_domain::framework::{FrameworkDef, IndicatorKind, Title};
use passerelle_domain::values as dv;
use passerelle_domain::{ErrorCode, Period};
use passerelle_store::values::DataValue;
use passerelle_store::{exchange as store, frameworks};
use serde_json::Value;
use std::collections::BTreeMap;

/// One period's targets and its actuals summed per cells key.
type PeriodFigures<'a> = (
    Vec<&'a passerelle_domain::framework::TargetDef>,
    BTreeMap<String, f64>,
);

fn narratives(x: &mut Xml, title: &Title) {
    x.leaf("narrative", &[], &title.fr);
    if let Some(ar) = title.ar.as_deref().filter(|s| !s.is_empty()) {
        x.leaf("narrative", &[("xml:lang", "ar")], ar);
    }
    if let Some(en) = title.en.as_deref().filter(|s| !s.is_empty()) {
        x.leaf("narrative", &[("xml:lang", "en")], en);
    }
}

fn number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

/// IATI's IndicatorMeasure: 1 unit, 2 percentage, 5 qualitative.
fn measure(kind: IndicatorKind) -> &'static str {
    match kind {
        IndicatorKind::Percentage | IndicatorKind::PlanExecution => "2",
        IndicatorKind::Qualitative => "5",
        _ => "1",
    }
}

/// IATI's ResultType: 1 output, 2 outcome, 3 impact.
fn result_type(def: &FrameworkDef, level: &str) -> &'static str {
    let index = def.levels.iter().position(|l| l.code == level).unwrap_or(1);
    if level.contains("output") || index + 1 == def.levels.len() && def.levels.len() > 1 {
        "1"
    } else if index == 0 {
        "3"
    } else {
        "2"
    }
}

fn text(v: Option<&Value>) -> Option<String> {
    v.and_then(Value::as_str)
        .map(str::to_string)
        .filter(|s| !s.is_empty())
}

/// The first four-digit year in a text (`2015-10/2017-04` → 2015).
fn first_year(s: &str) -> Option<String> {
    s.as_bytes()
        .windows(4)
        .position(|w| w.iter().all(u8::is_ascii_digit))
        .map(|i| s[i..i + 4].to_string())
}

/// Writes the activity file. `values` are the framework's approved values.
pub fn activity_file(def: &FrameworkDef, values: &[DataValue], generated: &str) -> String {
    let root = def.nodes.iter().find(|n| n.parent.is_none());
    let iati = root
        .and_then(|n| n.attributes.get("iati"))
        .cloned()
        .unwrap_or(Value::Null);
    let identifier =
        text(iati.get("identifier")).unwrap_or_else(|| format!("XI-PASSERELLE-{}", def.code));
    let reporting = iati.get("reporting_org");
    let reporting_ref =
        text(reporting.and_then(|r| r.get("ref"))).unwrap_or_else(|| "XI-PASSERELLE".into());
    let reporting_type = text(reporting.and_then(|r| r.get("type"))).unwrap_or_else(|| "10".into());
    let reporting_name = text(reporting.and_then(|r| r.get("name")))
        .or_else(|| def.owner.clone())
        .unwrap_or_else(|| def.code.clone());
    let period_attr = root
        .and_then(|n| text(n.attributes.get("period")))
        .unwrap_or_default();
    let years: Vec<&str> = period_attr.split('-').collect();
    let start = text(iati.get("start")).or_else(|| {
        years
            .first()
            .filter(|y| y.len() == 4)
            .map(|y| format!("{y}-01-01"))
    });
    let end = text(iati.get("end")).or_else(|| {
        years
            .get(1)
            .filter(|y| y.len() == 4)
            .map(|y| format!("{y}-12-31"))
    });
    let default_year = start.as_deref().and_then(first_year);

    let mut x = Xml::new();
    x.start(
        "iati-activities",
        &[("version", "2.03"), ("generated-datetime", generated)],
    );
    let currency = text(iati.get("currency")).unwrap_or_else(|| "EUR".into());
    x.start(
        "iati-activity",
        &[
            ("last-updated-datetime", generated),
            ("xml:lang", "fr"),
            ("default-currency", &currency),
            ("hierarchy", "1"),
        ],
    );
    x.leaf("iati-identifier", &[], &identifier);
    x.start(
        "reporting-org",
        &[("ref", &reporting_ref), ("type", &reporting_type)],
    );
    x.leaf("narrative", &[], &reporting_name);
    x.end("reporting-org");
    x.start("title", &[]);
    narratives(&mut x, &def.title);
    x.end("title");
    x.start("description", &[("type", "1")]);
    match root {
        Some(r) => narratives(&mut x, &r.title),
        None => narratives(&mut x, &def.title),
    }
    x.end("description");
    let participants = iati
        .get("participating_orgs")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if participants.is_empty() {
        x.start(
            "participating-org",
            &[
                ("ref", &reporting_ref),
                ("role", "1"),
                ("type", &reporting_type),
            ],
        );
        x.leaf("narrative", &[], &reporting_name);
        x.end("participating-org");
    }
    for p in &participants {
        let role = text(p.get("role")).unwrap_or_else(|| "4".into());
        let mut attrs: Vec<(&str, String)> = Vec::new();
        if let Some(r) = text(p.get("ref")) {
            attrs.push(("ref", r));
        }
        attrs.push(("role", role));
        if let Some(t) = text(p.get("type")) {
            attrs.push(("type", t));
        }
        let attrs: Vec<(&str, &str)> = attrs.iter().map(|(k, v)| (*k, v.as_str())).collect();
        x.start("participating-org", &attrs);
        x.leaf("narrative", &[], &text(p.get("name")).unwrap_or_default());
        x.end("participating-org");
    }
    x.empty(
        "activity-status",
        &[(
            "code",
            &text(iati.get("status")).unwrap_or_else(|| "2".into()),
        )],
    );
    match (&start, &end) {
        (None, None) => x.empty(
            "activity-date",
            &[("iso-date", &generated[..10]), ("type", "2")],
        ),
        _ => {
            if let Some(s) = &start {
                x.empty("activity-date", &[("iso-date", s), ("type", "1")]);
            }
            if let Some(e) = &end {
                x.empty("activity-date", &[("iso-date", e), ("type", "3")]);
            }
        }
    }
    x.empty(
        "recipient-country",
        &[("code", "MA"), ("percentage", "100")],
    );

    for node in &def.nodes {
        let inds: Vec<_> = def
            .indicators
            .iter()
            .filter(|i| i.node == node.code)
            .collect();
        if inds.is_empty() {
            continue;
        }
        x.start(
            "result",
            &[
                ("type", result_type(def, &node.level)),
                ("aggregation-status", "0"),
            ],
        );
        x.start("title", &[]);
        narratives(&mut x, &node.title);
        x.end("title");
        // The framework reference is at result level, so never at indicator level.
        x.empty(
            "reference",
            &[
                ("vocabulary", "99"),
                ("code", &format!("{}:{}", def.code, node.code)),
            ],
        );
        for ind in inds {
            let qualitative = ind.kind == IndicatorKind::Qualitative;
            let ascending = if ind.direction == "decrease" {
                "0"
            } else {
                "1"
            };
            let mut attrs = vec![("measure", measure(ind.kind))];
            if !qualitative {
                attrs.push(("ascending", ascending));
            }
            attrs.push(("aggregation-status", "0"));
            x.start("indicator", &attrs);
            x.start("title", &[]);
            narratives(&mut x, &ind.title);
            x.end("title");
            if let Some(n) = ind.notes.as_deref().filter(|n| !n.is_empty()) {
                x.start("description", &[]);
                x.leaf("narrative", &[], n);
                x.end("description");
            }
            if let Some(b) = &ind.baseline {
                let year = b
                    .period
                    .as_deref()
                    .and_then(first_year)
                    .or_else(|| default_year.clone());
                let value = b.value.map(number);
                if let Some(year) = year
                    && (qualitative || value.is_some())
                {
                    let mut attrs = vec![("year", year.clone())];
                    if let Some(p) = b.period.as_deref().and_then(|p| Period::parse(p).ok()) {
                        attrs.push(("iso-date", p.start().to_string()));
                    }
                    if let (Some(v), false) = (value, qualitative) {
                        attrs.push(("value", v));
                    }
                    let attrs: Vec<(&str, &str)> =
                        attrs.iter().map(|(k, v)| (*k, v.as_str())).collect();
                    x.start("baseline", &attrs);
                    if let Some(n) = b.note.as_deref().filter(|n| !n.is_empty()) {
                        x.start("comment", &[]);
                        x.leaf("narrative", &[], n);
                        x.end("comment");
                    }
                    x.end("baseline");
                }
            }
            // Periods: the targets' and the actuals', in time order.
            let mut periods: BTreeMap<(String, String, String), PeriodFigures> = BTreeMap::new();
            for t in &ind.targets {
                if let Ok(p) = Period::parse(&t.period) {
                    periods
                        .entry((p.start().to_string(), p.end().to_string(), p.to_string()))
                        .or_default()
                        .0
                        .push(t);
                }
            }
            for v in values.iter().filter(|v| {
                v.framework_code == def.code
                    && v.indicator_code == ind.code
                    && v.territory_code == "MA"
            }) {
                *periods
                    .entry((
                        v.period_start.clone(),
                        v.period_end.clone(),
                        v.period.clone(),
                    ))
                    .or_default()
                    .1
                    .entry(v.cells.clone())
                    .or_default() += v.value;
            }
            for ((start, end, _), (targets, actuals)) in &periods {
                if start >= end {
                    continue;
                }
                let targets: Vec<_> = targets
                    .iter()
                    .filter(|t| qualitative || t.value.is_some())
                    .collect();
                if targets.is_empty() && actuals.is_empty() {
                    continue;
                }
                x.start("period", &[]);
                x.empty("period-start", &[("iso-date", start)]);
                x.empty("period-end", &[("iso-date", end)]);
                for t in targets {
                    let value = t.value.map(number).unwrap_or_default();
                    let attrs: Vec<(&str, &str)> = if qualitative {
                        vec![]
                    } else {
                        vec![("value", value.as_str())]
                    };
                    x.start("target", &attrs);
                    for (k, v) in &t.cells {
                        let v = v
                            .as_str()
                            .map(str::to_string)
                            .unwrap_or_else(|| v.to_string());
                        x.empty("dimension", &[("name", k), ("value", &v)]);
                    }
                    if let Some(n) = t.note.as_deref().filter(|n| !n.is_empty()) {
                        x.start("comment", &[]);
                        x.leaf("narrative", &[], n);
                        x.end("comment");
                    }
                    x.end("target");
                }
                for (cells, sum) in actuals {
                    let value = number(*sum);
                    let attrs: Vec<(&str, &str)> = if qualitative {
                        vec![]
                    } else {
                        vec![("value", value.as_str())]
                    };
                    let dims = dv::parse_cells_key(cells);
                    if dims.is_empty() {
                        x.empty("actual", &attrs);
                        continue;
                    }
                    x.start("actual", &attrs);
                    for (k, v) in &dims {
                        x.empty("dimension", &[("name", k), ("value", v)]);
                    }
                    x.end("actual");
                }
                x.end("period");
            }
            x.end("indicator");
        }
        x.end("result");
    }
    x.end("iati-activity");
    x.end("iati-activities");
    x.finish()
}

impl Service {
    /// A framework (a donor's intervention, such as AMUDDU) as an IATI 2.03 activity
    /// file with its results, indicators, baselines, targets and actuals.
    pub async fn iati_activity(
        &self,
        actor: Option<&Actor>,
        framework: &str,
    ) -> Result<String, ServiceError> {
        if let Some(a) = actor {
            decide(a, Action::ExchangeValues)?;
        }
        let code = framework.trim().to_ascii_uppercase();
        let mut conn = self.store.conn().await?;
        let def = frameworks::definition(&mut conn, &code)
            .await?
            .ok_or_else(|| {
                passerelle_domain::DomainError::with_value(
                    "framework",
                    ErrorCode::UnknownValue,
                    framework.trim(),
                )
            })?;
        let codes: Vec<String> = def.indicators.iter().map(|i| i.code.clone()).collect();
        let values = store::approved_values(&mut conn, &codes, None, &["MA".to_string()]).await?;
        Ok(activity_file(
            &def,
            &values,
            &format!("{}Z", &passerelle_store::now()[..19]),
        ))
    }
}
