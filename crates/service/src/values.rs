//! Aggregate values: the import (all or nothing, every bad row listed with its line,
//! column and reason) and the indicator engine that answers "this indicator, this
//! period, this territory, broken down by these dimensions".
//!
//! The engine computes from the stored values at query time, so a newly approved
//! value shows at once; there is no rebuild job. Shares are recomputed from the
//! numbers, never taken from a printed percentage.

use crate::access::{Action, decide};
use crate::auth::Actor;
use crate::error::ServiceError;
use crate::{Service, audit_row};
use passerelle_domain::dimensions::registry;
use passerelle_domain::disclosure::{self, Audience};
use passerelle_domain::rules::{self, Group, RuleSet};
use passerelle_domain::values::{self as dv, Qualifier, RowIssue, ValueRow};
use passerelle_domain::{ErrorCode, OrgCode, Period, TerritoryCode};
use passerelle_store::frameworks::{self, IndicatorRef};
use passerelle_store::values::{self, DataValue};
use passerelle_store::{audit, orgs, territories};
use serde::Serialize;
use serde_json::json;
use std::collections::{BTreeMap, HashMap};

#[derive(Debug)]
pub enum ValuesImportError {
    Invalid(Vec<RowIssue>),
    Service(ServiceError),
}

impl<E: Into<ServiceError>> From<E> for ValuesImportError {
    fn from(e: E) -> Self {
        ValuesImportError::Service(e.into())
    }
}

/// How a form's values are checked (an import: the defaults).
#[derive(Debug, Clone, Default)]
pub(crate) struct Checking {
    /// A draft: the `required` rules wait for the submission.
    pub draft: bool,
    /// The groups a submitted form covers.
    pub expect: Vec<Group>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ValuesImport {
    pub imported: usize,
    pub updated: usize,
}

/// Every indicator of a framework, one period and territory, broken down the same way.
#[derive(Debug, Clone, Default)]
pub struct GridQuery {
    pub framework: String,
    pub period: String,
    pub territory: Option<String>,
    pub by: Vec<String>,
    /// Count submitted values too, not only approved ones.
    pub include_submitted: bool,
}

/// What to compute.
#[derive(Debug, Clone, Default)]
pub struct ValuesQuery {
    pub indicator: String,
    pub period: String,
    pub territory: Option<String>,
    pub by: Vec<String>,
    /// Count submitted values too, not only approved ones.
    pub include_submitted: bool,
    /// Who the figures are for: small counts of people are withheld for the public
    /// and partners (`passerelle_domain::disclosure`). Internal by default.
    pub audience: Audience,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ValueLine {
    /// (dimension, value) in the order asked; empty for the total. Serialised as an
    /// object, `{"sex": "F"}`.
    #[serde(serialize_with = "as_object")]
    pub dims: Vec<(String, String)>,
    pub value: f64,
    pub qualifier: Qualifier,
    /// Percent of the total, recomputed, two decimals.
    pub share: Option<f64>,
    /// The organisations whose reports this line sums.
    pub organisations: Vec<String>,
    /// Withheld for the audience (too few people, or protecting such a cell): the
    /// value serialises as `null`, the share is gone.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub withheld: bool,
}

impl ValueLine {
    fn withhold(&mut self) {
        self.withheld = true;
        self.value = f64::NAN;
        self.share = None;
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct ValuesTable {
    pub framework: String,
    pub indicator: String,
    pub unit: String,
    pub period: String,
    pub territory: String,
    pub by: Vec<String>,
    pub rows: Vec<ValueLine>,
    pub total: Option<ValueLine>,
    /// Things a reader should know: a total computed from its parts, a cell reported by several organisations.
    pub notes: Vec<Note>,
}

/// Something a reader should know about a table: a key the interface translates
/// (`note-{key}` in the locale files) with its arguments, and the English sentence
/// the JSON API and the command line show (a note serialises as that sentence).
#[derive(Debug, Clone, PartialEq)]
pub struct Note {
    pub key: &'static str,
    pub args: Vec<(&'static str, String)>,
    pub text: String,
}

impl Note {
    fn new(key: &'static str, args: &[(&'static str, String)], text: String) -> Note {
        Note {
            key,
            args: args.to_vec(),
            text,
        }
    }
}

impl std::fmt::Display for Note {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

impl Serialize for Note {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}

fn issue(line: u64, column: &str, code: ErrorCode, value: impl Into<String>) -> RowIssue {
    RowIssue {
        line,
        column: column.to_string(),
        code,
        value: value.into(),
        rule: None,
    }
}

impl Service {
    /// Imports values from a CSV: `indicator,period,territory,organisation,value`,
    /// optional `qualifier`, `comment`, and one column per dimension of the registry
    /// (`data/dimensions.json`: `sex`, `age`, `status`…); an empty dimension cell is
    /// the total over it. Checked against the default rules and those of the data
    /// sets the indicators belong to. All or nothing. `actor` is `None` for the operator.
    pub async fn import_values(
        &self,
        actor: Option<&Actor>,
        text: &str,
        source: &str,
        op: &str,
    ) -> Result<ValuesImport, ValuesImportError> {
        let parsed = self.prepare_values(actor, text, source).await?;
        Ok(self.write_values(actor, &parsed, source, op).await?)
    }

    /// Stores values `prepare_values` checked, and the audit row, in one transaction.
    pub(crate) async fn write_values(
        &self,
        actor: Option<&Actor>,
        parsed: &[DataValue],
        source: &str,
        op: &str,
    ) -> Result<ValuesImport, ServiceError> {
        let mut tx = self.store.begin().await?;
        let mut report = ValuesImport {
            imported: 0,
            updated: 0,
        };
        for v in parsed {
            if values::upsert(&mut tx, v).await? {
                report.imported += 1;
            } else {
                report.updated += 1;
            }
        }
        audit::append(
            &mut tx,
            audit_row(
                actor,
                op,
                "import_values",
                "data_value",
                None,
                json!({"source": source, "imported": report.imported, "updated": report.updated}),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(report)
    }

    /// Parses and checks a CSV of values without writing: every problem, or the rows
    /// ready to store (status `approved`; the reporting workflow sets its own).
    pub(crate) async fn prepare_values(
        &self,
        actor: Option<&Actor>,
        text: &str,
        source: &str,
    ) -> Result<Vec<DataValue>, ValuesImportError> {
        self.prepare_values_with(actor, text, source, &Checking::default())
            .await
    }

    /// [`Service::prepare_values`], for a form: a draft skips the `required` rules,
    /// a submission names the groups it covers so an empty required cell is named.
    pub(crate) async fn prepare_values_with(
        &self,
        actor: Option<&Actor>,
        text: &str,
        source: &str,
        checking: &Checking,
    ) -> Result<Vec<DataValue>, ValuesImportError> {
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .trim(csv::Trim::All)
            .from_reader(text.as_bytes());
        let headers: Vec<String> = match reader.headers() {
            Ok(h) => h
                .iter()
                .map(|s| s.trim_start_matches('\u{feff}').to_ascii_lowercase())
                .collect(),
            Err(e) => {
                return Err(ValuesImportError::Invalid(vec![issue(
                    1,
                    "header",
                    ErrorCode::Format,
                    e.to_string(),
                )]));
            }
        };
        let mut issues = Vec::new();
        for required in ["indicator", "period", "territory", "organisation", "value"] {
            if !headers.iter().any(|h| h == required) {
                issues.push(issue(1, required, ErrorCode::Required, "missing column"));
            }
        }
        for h in &headers {
            let known = [
                "indicator",
                "period",
                "territory",
                "organisation",
                "value",
                "qualifier",
                "comment",
            ]
            .contains(&h.as_str())
                || dv::is_dimension(h);
            if !known {
                issues.push(issue(1, h, ErrorCode::UnknownValue, "unknown column"));
            }
        }
        if !issues.is_empty() {
            return Err(ValuesImportError::Invalid(issues));
        }
        let col = |name: &str| headers.iter().position(|h| h == name);
        let mut conn = self.store.conn().await?;
        let indicators: HashMap<String, IndicatorRef> = frameworks::indicators(&mut conn)
            .await?
            .into_iter()
            .map(|i| (i.code.clone(), i))
            .collect();
        let mut territory_cache: HashMap<String, Option<(String, Option<String>)>> = HashMap::new();
        let mut org_cache: HashMap<String, Option<passerelle_domain::OrgId>> = HashMap::new();
        let mut rows = Vec::new();
        let mut parsed = Vec::new();
        for (i, rec) in reader.records().enumerate() {
            let line = i as u64 + 2;
            let rec = match rec {
                Ok(r) => r,
                Err(e) => {
                    issues.push(issue(line, "row", ErrorCode::Format, e.to_string()));
                    continue;
                }
            };
            let get = |name: &str| col(name).and_then(|c| rec.get(c)).unwrap_or("").to_string();
            let before = issues.len();
            let indicator = get("indicator");
            let ind = indicators.get(&indicator);
            if ind.is_none() {
                issues.push(issue(
                    line,
                    "indicator",
                    ErrorCode::UnknownValue,
                    indicator.clone(),
                ));
            }
            let period = match Period::parse(&get("period")) {
                Ok(p) => Some(p),
                Err(e) => {
                    issues.push(issue(line, "period", e.code, get("period")));
                    None
                }
            };
            let territory_text = get("territory");
            if !territory_cache.contains_key(&territory_text) {
                let found = match self.resolve_territory(&territory_text).await {
                    Ok(t) => Some((t.code.to_string(), t.parent_code.clone())),
                    Err(_) => None,
                };
                territory_cache.insert(territory_text.clone(), found);
            }
            let territory = territory_cache.get(&territory_text).cloned().flatten();
            if territory.is_none() {
                issues.push(issue(
                    line,
                    "territory",
                    ErrorCode::UnknownTerritory,
                    territory_text.clone(),
                ));
            }
            let org_text = get("organisation");
            if !org_cache.contains_key(&org_text) {
                let found = match OrgCode::parse(&org_text) {
                    Ok(code) => orgs::by_code(&mut conn, &code).await?.map(|o| o.id),
                    Err(_) => None,
                };
                org_cache.insert(org_text.clone(), found);
            }
            match org_cache.get(&org_text).copied().flatten() {
                None => issues.push(issue(
                    line,
                    "organisation",
                    ErrorCode::UnknownOrganisation,
                    org_text.clone(),
                )),
                Some(org_id) => {
                    if let Some(a) = actor
                        && decide(a, Action::ReportValues(org_id)).is_err()
                    {
                        issues.push(issue(
                            line,
                            "organisation",
                            ErrorCode::Forbidden,
                            org_text.clone(),
                        ));
                    }
                }
            }
            let value = match get("value")
                .replace(['\u{202f}', '\u{a0}', ' '], "")
                .replace(',', ".")
                .parse::<f64>()
            {
                Ok(v) if v.is_finite() && v >= 0.0 => Some(v),
                _ => {
                    issues.push(issue(line, "value", ErrorCode::Format, get("value")));
                    None
                }
            };
            let qualifier = Qualifier::parse(&get("qualifier"));
            if qualifier.is_none() {
                issues.push(issue(
                    line,
                    "qualifier",
                    ErrorCode::UnknownValue,
                    get("qualifier"),
                ));
            }
            let mut cells = BTreeMap::new();
            for dim in dv::dimension_codes() {
                let raw = get(dim);
                if raw.is_empty() {
                    continue;
                }
                match dv::dimension_value(dim, &raw) {
                    None => issues.push(issue(line, dim, ErrorCode::UnknownValue, raw)),
                    Some(v) => {
                        if ind.is_some_and(|i| !i.dimensions.iter().any(|d| d == dim)) {
                            issues.push(issue(
                                line,
                                dim,
                                ErrorCode::UnknownValue,
                                format!("{indicator} is not broken down by {dim}"),
                            ));
                        }
                        cells.insert(dim.to_string(), v);
                    }
                }
            }
            if issues.len() > before {
                continue;
            }
            let (Some(ind), Some(period), Some((territory, _)), Some(value), Some(qualifier)) =
                (ind, period, territory, value, qualifier)
            else {
                continue;
            };
            let comment = Some(get("comment")).filter(|c| !c.is_empty());
            rows.push(ValueRow {
                line,
                indicator: ind.code.clone(),
                period: period.to_string(),
                territory: territory.clone(),
                organisation: org_text.to_ascii_uppercase(),
                cells: cells.clone(),
                value,
                qualifier,
            });
            parsed.push(DataValue {
                framework_code: ind.framework_code.clone(),
                indicator_code: ind.code.clone(),
                period: period.to_string(),
                period_start: period.start().to_string(),
                period_end: period.end().to_string(),
                territory_code: territory,
                organisation_code: org_text.to_ascii_uppercase(),
                cells: dv::cells_key(&cells),
                value,
                qualifier: qualifier.as_str().to_string(),
                comment,
                status: "approved".into(),
                source: Some(source.to_string()),
                source_line: Some(line as i64),
            });
        }
        let parents: HashMap<String, String> = territory_cache
            .values()
            .flatten()
            .filter_map(|(c, p)| p.clone().map(|p| (c.clone(), p)))
            .collect();
        // The default rules, and each data set's own for its indicators.
        let mut rules = RuleSet::new(rules::defaults());
        for set in passerelle_store::reporting::datasets(&mut conn).await? {
            rules.add(&set.rules, &set.indicators);
        }
        if checking.draft {
            rules = rules.without_required();
        }
        issues.extend(rules::check(
            &rows,
            &|t| parents.get(t).cloned(),
            &rules,
            &checking.expect,
        ));
        if !issues.is_empty() {
            issues.sort_by_key(|a| a.line);
            return Err(ValuesImportError::Invalid(issues));
        }
        Ok(parsed)
    }

    /// Computes an indicator's values for a period and territory, broken down by
    /// `by` (`territory`, `organisation`, or disaggregation dimensions).
    pub async fn indicator_values(
        &self,
        actor: Option<&Actor>,
        q: &ValuesQuery,
    ) -> Result<ValuesTable, ServiceError> {
        if let Some(a) = actor {
            decide(a, Action::ViewDirectory)?;
        }
        let ind = {
            let mut conn = self.store.conn().await?;
            frameworks::indicator(&mut conn, q.indicator.trim()).await?
        }
        .ok_or_else(|| {
            ServiceError::invalid(passerelle_domain::DomainError::with_value(
                "indicator",
                ErrorCode::UnknownValue,
                q.indicator.trim(),
            ))
        })?;
        let ask = GridQuery {
            framework: ind.framework_code.clone(),
            period: q.period.clone(),
            territory: q.territory.clone(),
            by: q.by.clone(),
            include_submitted: q.include_submitted,
        };
        let mut table = self
            .compute_values(vec![ind], &ask)
            .await?
            .pop()
            .ok_or(ServiceError::NotFound)?;
        table.withhold(self.config.disclosure.threshold(q.audience));
        Ok(table)
    }

    /// Every indicator of a framework for one period and territory, broken down the
    /// same way: what a framework's dashboard shows. One grouped query answers the
    /// aggregate values of all the indicators; people counted from records take one
    /// more per indicator that has a record source.
    pub async fn values_grid(
        &self,
        actor: Option<&Actor>,
        q: &GridQuery,
    ) -> Result<Vec<ValuesTable>, ServiceError> {
        if let Some(a) = actor {
            decide(a, Action::ViewDirectory)?;
        }
        let framework = q.framework.trim().to_ascii_uppercase();
        let inds: Vec<IndicatorRef> = {
            let mut conn = self.store.conn().await?;
            frameworks::indicators(&mut conn).await?
        }
        .into_iter()
        .filter(|i| i.framework_code == framework)
        .collect();
        if inds.is_empty() {
            return Err(ServiceError::NotFound);
        }
        self.compute_values(inds, q).await
    }

    pub(crate) async fn compute_values(
        &self,
        inds: Vec<IndicatorRef>,
        q: &GridQuery,
    ) -> Result<Vec<ValuesTable>, ServiceError> {
        let period = Period::parse(&q.period)?;
        let territory = match q.territory.as_deref().filter(|t| !t.trim().is_empty()) {
            Some(t) => self.resolve_territory(t).await?.code,
            None => TerritoryCode::parse("MA")?,
        };
        // `age:age-2` asks for the lines of one category set: finer bands fold into it.
        let mut targets: HashMap<String, String> = HashMap::new();
        let mut by = Vec::new();
        for b in &q.by {
            let (dim, set) = match b.split_once(':') {
                Some((d, s)) => (d.trim(), Some(s.trim())),
                None => (b.trim(), None),
            };
            let known = dim == "territory"
                || dim == "organisation"
                || match set {
                    Some(s) => registry().get(dim).is_some_and(|d| d.set(s).is_some()),
                    None => dv::is_dimension(dim),
                };
            if !known {
                return Err(passerelle_domain::DomainError::with_value(
                    "by",
                    ErrorCode::UnknownValue,
                    b.clone(),
                )
                .into());
            }
            if let Some(s) = set {
                targets.insert(dim.to_string(), s.to_string());
            }
            by.push(dim.to_string());
        }
        let q = &GridQuery { by, ..q.clone() };
        let statuses: &[&str] = if q.include_submitted {
            &["approved", "submitted"]
        } else {
            &["approved"]
        };
        let by_territory = q.by.iter().any(|b| b == "territory");
        let by_org = q.by.iter().any(|b| b == "organisation");
        let dims: Vec<&str> =
            q.by.iter()
                .map(String::as_str)
                .filter(|b| *b != "territory" && *b != "organisation")
                .collect();
        let mut conn = self.store.conn().await?;
        let children: Vec<String> = if by_territory {
            territories::children(&mut conn, &territory)
                .await?
                .into_iter()
                .map(|t| t.code.to_string())
                .collect()
        } else {
            Vec::new()
        };
        let mut scope = children.clone();
        scope.push(territory.to_string());
        let codes: Vec<String> = inds.iter().map(|i| i.code.clone()).collect();
        let cells = values::grid(
            &mut conn,
            &values::GridAsk {
                indicators: &codes,
                period: period.as_str(),
                statuses,
                territories: &scope,
                dimensions: &dims,
                by_organisation: by_org,
            },
        )
        .await?;
        let mut per_indicator: HashMap<&str, Vec<&values::GridCell>> = HashMap::new();
        for c in &cells {
            per_indicator
                .entry(c.indicator_code.as_str())
                .or_default()
                .push(c);
        }
        let org_list = if inds.iter().any(|i| {
            crate::records::source(&i.code).is_some()
                || crate::records::activity_source(&i.code).is_some()
        }) {
            orgs::list(&mut conn).await?
        } else {
            Vec::new()
        };
        let year: i64 = period
            .end()
            .get(0..4)
            .and_then(|y| y.parse().ok())
            .unwrap_or(0);
        // People counted from case records, each indicator's total and lines read at
        // once on two connections (with this one given back first, so a busy pool
        // cannot deadlock).
        drop(conn);
        let mut people: HashMap<String, passerelle_store::facts::PeopleCounts> = HashMap::new();
        for ind in &inds {
            let Some(src) = crate::records::source(&ind.code) else {
                continue;
            };
            let services: Vec<&str> = src.services.iter().map(String::as_str).collect();
            let org_ids: Option<Vec<i64>> = (!src.organisations.is_empty()).then(|| {
                org_list
                    .iter()
                    .filter(|o| crate::records::org_matches(o.code.as_str(), &src.organisations))
                    .map(|o| o.id.0)
                    .collect()
            });
            let ask = passerelle_store::facts::PeopleAsk {
                types: &services,
                start: period.start(),
                end: period.end(),
                organisations: org_ids.as_deref(),
                scope: territory.as_str(),
                by: &q.by,
                age_year: year,
            };
            people.insert(ind.code.clone(), self.count_people(&ask).await?);
        }
        let mut conn = self.store.conn().await?;
        let mut tables = Vec::new();
        for ind in inds {
            let stored = per_indicator.remove(ind.code.as_str()).unwrap_or_default();
            if let Some(src) = crate::records::activity_source(&ind.code) {
                let ask = ScoreAsk {
                    source: &src,
                    period: &period,
                    territory: territory.as_str(),
                    by: &q.by,
                    orgs: &org_list,
                    reported: stored.len(),
                };
                if let Some(table) = knowledge_gain(&mut conn, &ind, &ask).await? {
                    tables.push(table);
                    continue;
                }
            }
            let mut notes = Vec::new();
            // Group the grid's cells that answer each line.
            let mut groups: BTreeMap<Vec<(String, String)>, Vec<&values::GridCell>> =
                BTreeMap::new();
            let mut totals: Vec<&values::GridCell> = Vec::new();
            for v in stored {
                let cells = dv::parse_cells_key(&v.cells);
                let at_scope = v.territory_code == territory.as_str();
                let in_children = children.contains(&v.territory_code);
                if at_scope && cells.is_empty() {
                    totals.push(v);
                }
                let cells_match =
                    cells.len() == dims.len() && dims.iter().all(|d| cells.contains_key(*d));
                if !cells_match || dims.is_empty() && !by_territory && !by_org {
                    continue;
                }
                if (by_territory && !in_children) || (!by_territory && !at_scope) {
                    continue;
                }
                let mut key = Vec::new();
                for b in &q.by {
                    let value = match b.as_str() {
                        "territory" => v.territory_code.clone(),
                        "organisation" => v.organisation_code.clone().unwrap_or_default(),
                        d => cells.get(d).cloned().unwrap_or_default(),
                    };
                    key.push((b.clone(), value));
                }
                groups.entry(key).or_default().push(v);
            }
            fold_categories(&mut groups, &q.by, &targets, &mut notes);
            let line = |dims: Vec<(String, String)>, vs: &[&values::GridCell]| {
                let mut orgs: Vec<String> = vs
                    .iter()
                    .flat_map(|v| v.organisations.iter().cloned())
                    .collect();
                orgs.sort();
                orgs.dedup();
                let qualifier = match vs.iter().map(|v| v.qualifier_rank).max() {
                    Some(2) => Qualifier::About,
                    Some(1) => Qualifier::AtLeast,
                    _ => Qualifier::Exact,
                };
                ValueLine {
                    dims,
                    value: vs.iter().map(|v| v.value).sum(),
                    qualifier,
                    share: None,
                    organisations: orgs,
                    withheld: false,
                }
            };
            let mut rows: Vec<ValueLine> = groups.into_iter().map(|(k, vs)| line(k, &vs)).collect();
            // People counted from case records (each once), added to what partners report.
            let aggregate_lines: f64 = rows.iter().map(|r| r.value).sum();
            let mut from_records: Option<(i64, String)> = None;
            if let Some((lines, people)) = people.remove(&ind.code) {
                for (values, n) in lines {
                    let key: Vec<(String, String)> = q.by.iter().cloned().zip(values).collect();
                    match rows.iter_mut().find(|r| r.dims == key) {
                        Some(r) => {
                            r.value += n as f64;
                            r.organisations.push("records".into());
                        }
                        None => rows.push(ValueLine {
                            dims: key,
                            value: n as f64,
                            qualifier: Qualifier::Exact,
                            share: None,
                            organisations: vec!["records".into()],
                            withheld: false,
                        }),
                    }
                }
                rows.sort_by(|a, b| a.dims.cmp(&b.dims));
                if people > 0 {
                    notes.push(Note::new(
                        "records-people",
                        &[("people", people.to_string())],
                        format!(
                            "{people} people counted from case records (each once across organisations)"
                        ),
                    ));
                    from_records = Some((people, "records".into()));
                }
            }
            for r in &rows {
                if r.organisations.len() > 1 && !by_org {
                    let (line, count, orgs) = (
                        describe(&r.dims),
                        r.organisations.len().to_string(),
                        r.organisations.join(", "),
                    );
                    notes.push(Note::new(
                        "reported-twice",
                        &[
                            ("line", line.clone()),
                            ("count", count.clone()),
                            ("organisations", orgs.clone()),
                        ],
                        format!(
                            "{line} reported by {count} organisations ({orgs}): summed; check for double counting"
                        ),
                    ));
                }
            }
            let mut total = if !totals.is_empty() {
                Some(line(Vec::new(), &totals))
            } else if !rows.is_empty() && (by_territory || by_org) {
                notes.push(Note::new(
                    "total-computed",
                    &[],
                    "total computed from the lines shown (no total was reported)".to_string(),
                ));
                let mut t = line(Vec::new(), &[]);
                t.value = rows.iter().map(|r| r.value).sum();
                Some(t)
            } else {
                None
            };
            if let Some((people, source)) = from_records {
                match &mut total {
                    Some(t) if !totals.is_empty() => {
                        t.value += people as f64;
                        t.organisations.push(source);
                    }
                    _ => {
                        let reported = if by_territory || by_org {
                            aggregate_lines
                        } else {
                            0.0
                        };
                        total = Some(ValueLine {
                            dims: Vec::new(),
                            value: reported + people as f64,
                            qualifier: Qualifier::Exact,
                            share: None,
                            organisations: vec![source],
                            withheld: false,
                        })
                    }
                }
            }
            if let Some(t) = &total {
                if t.value > 0.0 && ind.unit == "persons" {
                    for r in &mut rows {
                        r.share = Some((r.value / t.value * 10000.0).round() / 100.0);
                    }
                }
                let parts: f64 = rows.iter().map(|r| r.value).sum();
                if !rows.is_empty() && by_territory && parts < t.value {
                    notes.push(Note::new(
                        "lines-sum",
                        &[
                            ("parts", parts.to_string()),
                            ("total", t.value.to_string()),
                            ("rest", (t.value - parts).to_string()),
                        ],
                        format!(
                            "the lines sum to {parts}, the total is {}: {} not broken down",
                            t.value,
                            t.value - parts
                        ),
                    ));
                }
            }
            tables.push(ValuesTable {
                framework: ind.framework_code,
                indicator: ind.code,
                unit: ind.unit,
                period: period.to_string(),
                territory: territory.to_string(),
                by: q.by.clone(),
                rows,
                total,
                notes,
            });
        }
        Ok(tables)
    }

    /// People from case records: the total and the lines are independent reads, run
    /// at once on two connections (the machine's second core; on PostgreSQL a second
    /// backend).
    async fn count_people(
        &self,
        ask: &passerelle_store::facts::PeopleAsk<'_>,
    ) -> Result<passerelle_store::facts::PeopleCounts, ServiceError> {
        use passerelle_store::facts;
        if ask.by.is_empty() {
            let mut conn = self.store.conn().await?;
            return Ok((Vec::new(), facts::people_total(&mut conn, ask).await?));
        }
        let (total, lines) = tokio::join!(
            async {
                let mut conn = self.store.conn().await?;
                facts::people_total(&mut conn, ask).await
            },
            async {
                let mut conn = self.store.conn().await?;
                facts::people_lines(&mut conn, ask).await
            }
        );
        Ok((lines?, total?))
    }
}

type Groups<'a> = BTreeMap<Vec<(String, String)>, Vec<&'a values::GridCell>>;

/// Lines of a dimension with category sets: finer age bands folded into the coarse
/// set through the registry's crosswalk (a band across a coarse boundary is left out,
/// and said so), and a note when the categories overlap and so are never summed.
fn fold_categories(
    groups: &mut Groups<'_>,
    by: &[String],
    targets: &HashMap<String, String>,
    notes: &mut Vec<Note>,
) {
    for (pos, d) in by.iter().enumerate() {
        let Some(dim) = registry().get(d) else {
            continue;
        };
        let present: std::collections::BTreeSet<String> = groups
            .keys()
            .filter_map(|k| k.get(pos))
            .map(|(_, v)| v.clone())
            .collect();
        let present: Vec<&str> = present.iter().map(String::as_str).collect();
        if dim.overlapping(&present) {
            let values = present.join(", ");
            notes.push(Note::new(
                "overlapping",
                &[("values", values.clone())],
                format!("{values} overlap (a person may be in several): the lines are not summed into a total"),
            ));
        }
        let Some(rollup) = dim.rollup(&present, targets.get(d).map(String::as_str)) else {
            continue;
        };
        if !rollup.folds() && rollup.unmapped.is_empty() {
            continue;
        }
        let mut folded: Groups<'_> = BTreeMap::new();
        for (mut key, cells) in std::mem::take(groups) {
            let Some(slot) = key.get_mut(pos) else {
                continue;
            };
            if let Some(coarse) = rollup.map.get(&slot.1) {
                slot.1 = coarse.clone();
                folded.entry(key).or_default().extend(cells);
            }
        }
        *groups = folded;
        let fine: Vec<String> = rollup
            .map
            .iter()
            .filter(|(k, v)| k != v)
            .map(|(k, v)| format!("{k} → {v}"))
            .collect();
        if !fine.is_empty() {
            let values = fine.join(", ");
            notes.push(Note::new(
                "crosswalk",
                &[("values", values.clone()), ("set", rollup.set.clone())],
                format!(
                    "finer bands summed into {} through the crosswalk: {values}",
                    rollup.set
                ),
            ));
        }
        if !rollup.unmapped.is_empty() {
            let values = rollup.unmapped.join(", ");
            notes.push(Note::new(
                "crosswalk-unmapped",
                &[("values", values.clone()), ("set", rollup.set.clone())],
                format!(
                    "{values} straddle the bands of {} and are not mapped: left out of the lines",
                    rollup.set
                ),
            ));
        }
    }
}

fn as_object<S: serde::Serializer>(dims: &[(String, String)], s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut map = s.serialize_map(Some(dims.len()))?;
    for (k, v) in dims {
        map.serialize_entry(k, v)?;
    }
    map.end()
}

fn withheld_note(n: usize, threshold: u32) -> Note {
    Note::new(
        "withheld",
        &[
            ("count", n.to_string()),
            ("threshold", threshold.to_string()),
        ],
        format!(
            "{n} figure(s) withheld: fewer than {threshold} people, or protecting such a figure"
        ),
    )
}

fn describe(dims: &[(String, String)]) -> String {
    if dims.is_empty() {
        "the total".into()
    } else {
        dims.iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl ValuesTable {
    /// CSV: the dimension columns, then `value`; a last total row with empty
    /// dimension cells.
    /// Withholds the lines (and the total) that count fewer than `threshold` people,
    /// and those that would let a reader recompute one (complementary suppression:
    /// the total and the margins of the other dimensions count as published). A
    /// note says how many; notes that add up lines are dropped. Returns the number
    /// withheld. Units other than people are left as they are.
    pub fn withhold(&mut self, threshold: u32) -> usize {
        if threshold <= 1 || !disclosure::unit_is_protected(&self.unit) {
            return 0;
        }
        let lines: Vec<(Vec<(String, String)>, f64)> = self
            .rows
            .iter()
            .map(|r| (r.dims.clone(), r.value))
            .collect();
        let total = self
            .total
            .as_ref()
            .map(|t| t.value)
            .unwrap_or_else(|| lines.iter().map(|(_, v)| v).sum());
        let (values, constraints, mut fixed) = disclosure::crossed_table(&lines, total);
        if self.total.is_none() {
            // Not shown here, so nothing to withhold; a reader may know it from elsewhere.
            fixed[lines.len()] = true;
        }
        let states = disclosure::protect(&values, &constraints, &fixed, threshold);
        let mut n = 0;
        for (r, st) in self.rows.iter_mut().zip(&states) {
            if st.withheld() {
                r.withhold();
                n += 1;
            }
        }
        if let Some(t) = &mut self.total
            && states[lines.len()].withheld()
        {
            t.withhold();
            n += 1;
        }
        if n > 0 {
            self.notes.retain(|note| note.key != "lines-sum");
            self.notes.push(withheld_note(n, threshold));
        }
        n
    }

    pub fn to_csv(&self) -> String {
        let mut out = String::new();
        let mut header: Vec<&str> = self.by.iter().map(String::as_str).collect();
        header.push("value");
        if self.rows.iter().chain(&self.total).any(|r| r.withheld) {
            header.push("note");
        }
        out.push_str(&header.join(","));
        out.push('\n');
        let fmt = |v: f64| {
            if v.fract() == 0.0 {
                format!("{}", v as i64)
            } else {
                format!("{v}")
            }
        };
        let marked = self.rows.iter().chain(&self.total).any(|r| r.withheld);
        let value = |r: &ValueLine| {
            if r.withheld {
                ",withheld".to_string()
            } else if marked {
                format!("{},", fmt(r.value))
            } else {
                fmt(r.value)
            }
        };
        for r in &self.rows {
            let mut cells: Vec<String> = r.dims.iter().map(|(_, v)| csv_field(v)).collect();
            cells.push(value(r));
            out.push_str(&cells.join(","));
            out.push('\n');
        }
        if let Some(t) = &self.total {
            let mut cells = vec![String::new(); self.by.len()];
            cells.push(value(t));
            out.push_str(&cells.join(","));
            out.push('\n');
        }
        out
    }
}

/// An indicator by two dimensions: rows × columns, with each row's and column's own
/// figure (from the engine, so a person is still counted once) and the total.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pivot {
    pub rows_dim: String,
    pub cols_dim: String,
    pub rows: Vec<String>,
    pub cols: Vec<String>,
    /// `cells[row][col]`; `None` where nothing was reported.
    pub cells: Vec<Vec<Option<f64>>>,
    pub row_totals: Vec<Option<f64>>,
    pub col_totals: Vec<Option<f64>>,
    pub total: Option<f64>,
    /// Positions withheld for the audience, as `(row, col)`: `col == cols.len()` is a
    /// row's total, `row == rows.len()` a column's, both the grand total.
    #[serde(skip_serializing_if = "std::collections::BTreeSet::is_empty")]
    pub withheld: std::collections::BTreeSet<(usize, usize)>,
}

impl Pivot {
    /// Builds the pivot of a two-dimension table, with the margins from the same
    /// question asked by each dimension alone.
    pub fn from_tables(
        both: &ValuesTable,
        by_rows: &ValuesTable,
        by_cols: &ValuesTable,
    ) -> Option<Pivot> {
        let [rows_dim, cols_dim] = both.by.as_slice() else {
            return None;
        };
        let value_of =
            |r: &ValueLine, d: &str| r.dims.iter().find(|(k, _)| k == d).map(|(_, v)| v.clone());
        let mut rows: Vec<String> = both
            .rows
            .iter()
            .filter_map(|r| value_of(r, rows_dim))
            .collect();
        rows.extend(by_rows.rows.iter().filter_map(|r| value_of(r, rows_dim)));
        rows.sort();
        rows.dedup();
        let mut cols: Vec<String> = both
            .rows
            .iter()
            .filter_map(|r| value_of(r, cols_dim))
            .collect();
        cols.extend(by_cols.rows.iter().filter_map(|r| value_of(r, cols_dim)));
        cols.sort();
        cols.dedup();
        let cells = rows
            .iter()
            .map(|row| {
                cols.iter()
                    .map(|col| {
                        both.rows
                            .iter()
                            .find(|r| {
                                value_of(r, rows_dim).as_deref() == Some(row.as_str())
                                    && value_of(r, cols_dim).as_deref() == Some(col.as_str())
                            })
                            .map(|r| r.value)
                    })
                    .collect()
            })
            .collect();
        let margin = |table: &ValuesTable, dim: &str, keys: &[String]| -> Vec<Option<f64>> {
            keys.iter()
                .map(|k| {
                    table
                        .rows
                        .iter()
                        .find(|r| value_of(r, dim).as_deref() == Some(k.as_str()))
                        .map(|r| r.value)
                })
                .collect()
        };
        Some(Pivot {
            row_totals: margin(by_rows, rows_dim, &rows),
            col_totals: margin(by_cols, cols_dim, &cols),
            total: both.total.as_ref().map(|t| t.value),
            rows_dim: rows_dim.clone(),
            cols_dim: cols_dim.clone(),
            rows,
            cols,
            cells,
            withheld: Default::default(),
        })
    }

    /// The figure at `(row, col)`, margins included (see [`Pivot::withheld`]).
    pub fn at(&self, row: usize, col: usize) -> Option<f64> {
        let (nr, nc) = (self.rows.len(), self.cols.len());
        match (row == nr, col == nc) {
            (false, false) => self
                .cells
                .get(row)
                .and_then(|r| r.get(col))
                .copied()
                .flatten(),
            (false, true) => self.row_totals.get(row).copied().flatten(),
            (true, false) => self.col_totals.get(col).copied().flatten(),
            (true, true) => self.total,
        }
    }

    fn clear(&mut self, row: usize, col: usize) {
        let (nr, nc) = (self.rows.len(), self.cols.len());
        let slot = match (row == nr, col == nc) {
            (false, false) => &mut self.cells[row][col],
            (false, true) => &mut self.row_totals[row],
            (true, false) => &mut self.col_totals[col],
            (true, true) => &mut self.total,
        };
        *slot = None;
        self.withheld.insert((row, col));
    }

    /// Withholds small counts of people and their complements, margins included:
    /// each row's cells sum to its total, each column's to its, the margins to the
    /// grand total. Nothing reported counts as zero (a reader may assume it).
    /// Returns the number withheld.
    pub fn withhold(&mut self, threshold: u32, unit: &str) -> usize {
        if threshold <= 1 || !disclosure::unit_is_protected(unit) {
            return 0;
        }
        let (nr, nc) = (self.rows.len(), self.cols.len());
        let index = |r: usize, c: usize| r * (nc + 1) + c;
        let mut values = Vec::with_capacity((nr + 1) * (nc + 1));
        for r in 0..=nr {
            for c in 0..=nc {
                values.push(self.at(r, c).unwrap_or(0.0));
            }
        }
        let mut constraints = Vec::new();
        for r in 0..=nr {
            constraints.push(disclosure::Constraint {
                total: index(r, nc),
                parts: (0..nc).map(|c| index(r, c)).collect(),
            });
        }
        for c in 0..=nc {
            constraints.push(disclosure::Constraint {
                total: index(nr, c),
                parts: (0..nr).map(|r| index(r, c)).collect(),
            });
        }
        let states = disclosure::protect(&values, &constraints, &[], threshold);
        let mut n = 0;
        for r in 0..=nr {
            for c in 0..=nc {
                if states[index(r, c)].withheld() {
                    self.clear(r, c);
                    n += 1;
                }
            }
        }
        n
    }

    /// The pivot as rows of text: the row dimension's column, one column per value of
    /// the column dimension, then `total`; a last `total` row. An empty cell: nothing
    /// reported; `x`: withheld.
    fn grid(&self) -> Vec<Vec<String>> {
        let fmt = |r: usize, c: usize| match self.at(r, c) {
            _ if self.withheld.contains(&(r, c)) => "x".to_string(),
            Some(v) if v.fract() == 0.0 => format!("{}", v as i64),
            Some(v) => format!("{v}"),
            None => String::new(),
        };
        let (nr, nc) = (self.rows.len(), self.cols.len());
        let mut header = vec![format!("{}\\{}", self.rows_dim, self.cols_dim)];
        header.extend(self.cols.iter().cloned());
        header.push("total".into());
        let mut out = vec![header];
        for (i, row) in self.rows.iter().enumerate() {
            let mut line = vec![row.clone()];
            line.extend((0..=nc).map(|c| fmt(i, c)));
            out.push(line);
        }
        let mut last = vec!["total".to_string()];
        last.extend((0..=nc).map(|c| fmt(nr, c)));
        out.push(last);
        out
    }

    /// CSV of [`Pivot::grid`].
    pub fn to_csv(&self) -> String {
        let mut out = String::new();
        for row in self.grid() {
            let fields: Vec<String> = row.iter().map(|f| csv_field(f)).collect();
            out.push_str(&fields.join(","));
            out.push('\n');
        }
        out
    }

    /// A workbook of [`Pivot::grid`]: the header row bold and frozen, the counts as
    /// numbers (a withheld cell stays `x`).
    pub fn to_xlsx(&self) -> Result<Vec<u8>, String> {
        let rows = self.grid();
        let numeric: Vec<usize> = (1..=self.cols.len() + 1).collect();
        crate::directory::exchange::write_workbook(&[crate::directory::exchange::Sheet {
            name: "pivot",
            rows: &rows,
            header_rows: 1,
            numeric_columns: &numeric,
        }])
    }
}

impl Service {
    /// An indicator by exactly two dimensions as a pivot (`by = [rows, columns]`),
    /// with the table it comes from.
    pub async fn indicator_pivot(
        &self,
        actor: Option<&Actor>,
        q: &ValuesQuery,
    ) -> Result<(ValuesTable, Pivot), ServiceError> {
        if q.by.len() != 2 || q.by[0] == q.by[1] {
            return Err(passerelle_domain::DomainError::with_value(
                "by",
                ErrorCode::UnknownValue,
                q.by.join(","),
            )
            .into());
        }
        // Computed whole, then protected as one table (cells and margins together).
        let internal = ValuesQuery {
            audience: Audience::Internal,
            ..q.clone()
        };
        let mut both = self.indicator_values(actor, &internal).await?;
        let one = |d: &String| ValuesQuery {
            by: vec![d.clone()],
            ..internal.clone()
        };
        let by_rows = self.indicator_values(actor, &one(&q.by[0])).await?;
        let by_cols = self.indicator_values(actor, &one(&q.by[1])).await?;
        let mut pivot =
            Pivot::from_tables(&both, &by_rows, &by_cols).ok_or(ServiceError::NotFound)?;
        let n = pivot.withhold(self.config.disclosure.threshold(q.audience), &both.unit);
        if n > 0 {
            // The flat table says the same as the pivot.
            let (rd, cd) = (&q.by[0], &q.by[1]);
            let position = |line: &ValueLine, dim: &str, keys: &[String]| {
                line.dims
                    .iter()
                    .find(|(k, _)| k == dim)
                    .and_then(|(_, v)| keys.iter().position(|x| x == v))
            };
            for line in &mut both.rows {
                if let (Some(r), Some(c)) = (
                    position(line, rd, &pivot.rows),
                    position(line, cd, &pivot.cols),
                ) && pivot.withheld.contains(&(r, c))
                {
                    line.withhold();
                }
            }
            if let Some(t) = &mut both.total
                && pivot
                    .withheld
                    .contains(&(pivot.rows.len(), pivot.cols.len()))
            {
                t.withhold();
            }
            both.notes.retain(|note| note.key != "lines-sum");
            both.notes.push(withheld_note(
                n,
                self.config.disclosure.threshold(q.audience),
            ));
        }
        Ok((both, pivot))
    }
}

/// What a knowledge-gain figure is computed over.
struct ScoreAsk<'a> {
    source: &'a crate::records::RecordSource,
    period: &'a Period,
    territory: &'a str,
    by: &'a [String],
    orgs: &'a [passerelle_store::orgs::Organisation],
    /// Aggregate values reported for the same indicator (not combined with scores).
    reported: usize,
}

/// A knowledge-gain indicator from the test scores of the group activities that serve
/// it: per line, the participants' mean exit score (each group weighted by its
/// participants), with the entry score and the gain in a note. `None` when no scored
/// activity falls in the period and territory (reported values then answer).
/// Scores are per group, so only territory and organisation break them down.
async fn knowledge_gain(
    conn: &mut passerelle_store::Conn,
    ind: &IndicatorRef,
    ask: &ScoreAsk<'_>,
) -> Result<Option<ValuesTable>, ServiceError> {
    #[derive(Default)]
    struct Acc {
        weight: f64,
        entry: f64,
        exit: f64,
        groups: usize,
        orgs: Vec<String>,
    }
    impl Acc {
        fn add(&mut self, w: f64, entry: f64, exit: f64, org: &str) {
            self.weight += w;
            self.entry += w * entry;
            self.exit += w * exit;
            self.groups += 1;
            if !self.orgs.iter().any(|o| o == org) {
                self.orgs.push(org.to_string());
            }
        }
        fn line(&self, dims: Vec<(String, String)>) -> ValueLine {
            let mut orgs = self.orgs.clone();
            orgs.sort();
            ValueLine {
                dims,
                value: (self.exit / self.weight * 10.0).round() / 10.0,
                qualifier: Qualifier::Exact,
                share: None,
                organisations: orgs,
                withheld: false,
            }
        }
    }
    let kinds: Vec<&str> = ask.source.activities.iter().map(String::as_str).collect();
    let activities = passerelle_store::casework::scored_activities(
        conn,
        &kinds,
        ask.period.start(),
        ask.period.end(),
    )
    .await?;
    let national = ask.territory == "MA";
    let mut all = Acc::default();
    let mut lines: BTreeMap<Vec<(String, String)>, Acc> = BTreeMap::new();
    let per_group = ask
        .by
        .iter()
        .all(|b| b == "territory" || b == "organisation");
    for (a, parent) in activities {
        let Some(org) = ask.orgs.iter().find(|o| o.id.0 == a.organisation_id) else {
            continue;
        };
        let org = org.code.as_str();
        let node = a.framework_node.as_deref().unwrap_or("");
        if !crate::records::org_matches(org, &ask.source.organisations)
            || !crate::records::node_matches(node, &ask.source.nodes)
        {
            continue;
        }
        let here = a.territory_code.as_deref();
        let parent = parent.as_deref().filter(|p| *p != "MA");
        if !national && here != Some(ask.territory) && parent != Some(ask.territory) {
            continue;
        }
        let (Some(entry), Some(exit)) = (a.score_entry, a.score_exit) else {
            continue;
        };
        let p: serde_json::Value = serde_json::from_str(&a.participants).unwrap_or_default();
        let n = |k: &str| p.get(k).and_then(serde_json::Value::as_f64).unwrap_or(0.0);
        let weight = (n("F") + n("M")).max(1.0);
        all.add(weight, entry, exit, org);
        if ask.by.is_empty() || !per_group {
            continue;
        }
        // The line: the region (nationally) or the province (in a region) it was held in.
        let mut key = Vec::new();
        for b in ask.by {
            let value = if b == "organisation" {
                org.to_string()
            } else if national {
                parent.or(here).unwrap_or("").to_string()
            } else if here == Some(ask.territory) {
                String::new()
            } else {
                here.unwrap_or("").to_string()
            };
            key.push((b.clone(), value));
        }
        if key.iter().all(|(_, v)| !v.is_empty()) {
            lines.entry(key).or_default().add(weight, entry, exit, org);
        }
    }
    if all.groups == 0 {
        return Ok(None);
    }
    let (groups, people) = (all.groups.to_string(), all.weight.to_string());
    let entry = format!("{:.1}", all.entry / all.weight);
    let exit = format!("{:.1}", all.exit / all.weight);
    let gain = format!("{:+.1}", (all.exit - all.entry) / all.weight);
    let mut notes = vec![Note::new(
        "knowledge-gain",
        &[
            ("groups", groups.clone()),
            ("participants", people.clone()),
            ("entry", entry.clone()),
            ("exit", exit.clone()),
            ("gain", gain.clone()),
        ],
        format!(
            "knowledge gain from the tests of {groups} training group(s), {people} participants: mean entry score {entry} %, exit {exit} % ({gain} points)"
        ),
    )];
    if !per_group {
        notes.push(Note::new(
            "scores-per-group",
            &[],
            "test scores are per group: they are not broken down by person".into(),
        ));
    }
    if ask.reported > 0 {
        notes.push(Note::new(
            "scores-reported",
            &[("count", ask.reported.to_string())],
            format!(
                "{} reported value(s) for this indicator are not added to the test scores",
                ask.reported
            ),
        ));
    }
    Ok(Some(ValuesTable {
        framework: ind.framework_code.clone(),
        indicator: ind.code.clone(),
        unit: ind.unit.clone(),
        period: ask.period.to_string(),
        territory: ask.territory.to_string(),
        by: ask.by.to_vec(),
        rows: lines.iter().map(|(k, acc)| acc.line(k.clone())).collect(),
        total: Some(all.line(Vec::new())),
        notes,
    }))
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

impl Service {
    /// An indicator's definition and the periods that have values, newest first.
    pub async fn indicator_overview(
        &self,
        actor: Option<&Actor>,
        code: &str,
    ) -> Result<(IndicatorRef, Vec<String>), ServiceError> {
        if let Some(a) = actor {
            decide(a, Action::ViewDirectory)?;
        }
        let mut conn = self.store.conn().await?;
        let ind = frameworks::indicators(&mut conn)
            .await?
            .into_iter()
            .find(|i| i.code == code.trim())
            .ok_or(ServiceError::NotFound)?;
        let mut periods = values::periods(&mut conn, &ind.code).await?;
        let years = crate::records::years(&mut conn, &ind.code).await?;
        if !years.is_empty() {
            for y in years {
                if !periods.contains(&y) {
                    periods.push(y);
                }
            }
            periods.sort_by(|a, b| b.cmp(a));
        }
        Ok((ind, periods))
    }
}

/// A figure that appears more than once: the same value, unit and period under
/// several indicators or organisations.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RepeatedFigure {
    pub value: f64,
    pub period: String,
    pub unit: String,
    /// (indicator, reporting organisation)
    pub reported_as: Vec<(String, String)>,
}

impl Service {
    /// Figures reported twice or more, for the secretariat to check before they are
    /// added up (the 2020 report carries 1,225 and 26,039 under three programmes).
    /// Values under 20 are left out: small numbers coincide too often to mean anything.
    pub async fn repeated_figures(
        &self,
        actor: Option<&Actor>,
    ) -> Result<Vec<RepeatedFigure>, ServiceError> {
        if let Some(a) = actor {
            decide(a, Action::ReviewValues)?;
        }
        let mut conn = self.store.conn().await?;
        Ok(values::repeated_totals(&mut conn, 20.0)
            .await?
            .into_iter()
            .map(|(value, period, unit, reported_as)| RepeatedFigure {
                value,
                period,
                unit,
                reported_as,
            })
            .collect())
    }
}

/// Turns the first sheet of an XLSX or ODS workbook into CSV text, so a spreadsheet
/// goes through exactly the same checks as a CSV file. Line numbers stay those of
/// the sheet's rows.
pub fn spreadsheet_to_csv(bytes: &[u8]) -> Result<String, ValuesImportError> {
    use calamine::{Data, Reader, open_workbook_auto_from_rs};
    let bad = |e: &dyn std::fmt::Display| {
        ValuesImportError::Invalid(vec![issue(1, "file", ErrorCode::Format, e.to_string())])
    };
    let mut book =
        open_workbook_auto_from_rs(std::io::Cursor::new(bytes.to_vec())).map_err(|e| bad(&e))?;
    let Some(name) = book.sheet_names().first().cloned() else {
        return Err(bad(&"the workbook has no sheet"));
    };
    let range = book.worksheet_range(&name).map_err(|e| bad(&e))?;
    let mut out = csv::Writer::from_writer(Vec::new());
    for row in range.rows() {
        let cells: Vec<String> = row
            .iter()
            .map(|c| match c {
                Data::Empty => String::new(),
                Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
                Data::Float(f) => f.to_string(),
                Data::Int(i) => i.to_string(),
                other => other.to_string(),
            })
            .collect();
        out.write_record(&cells).map_err(|e| bad(&e))?;
    }
    let bytes = out.into_inner().map_err(|e| bad(&e))?;
    String::from_utf8(bytes).map_err(|e| bad(&e))
}

impl Service {
    /// An indicator's national (or territory's) total for every period that has
    /// approved values, oldest first: the time series of a dashboard.
    pub async fn indicator_series(
        &self,
        actor: Option<&Actor>,
        indicator: &str,
        territory: Option<&str>,
    ) -> Result<Vec<(String, f64)>, ServiceError> {
        let (_, periods) = self.indicator_overview(actor, indicator).await?;
        let mut series = Vec::new();
        for period in periods.iter().rev() {
            let q = ValuesQuery {
                indicator: indicator.to_string(),
                period: period.clone(),
                territory: territory.map(str::to_string),
                by: Vec::new(),
                include_submitted: false,
                audience: Default::default(),
            };
            if let Some(total) = self.indicator_values(actor, &q).await?.total {
                series.push((period.clone(), total.value));
            }
        }
        Ok(series)
    }
}

#[cfg(test)]
mod spreadsheet_tests {
    use super::*;

    #[test]
    fn a_workbook_reads_as_the_same_csv() {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        let rows: [[&str; 6]; 3] = [
            [
                "indicator",
                "period",
                "territory",
                "organisation",
                "value",
                "sex",
            ],
            ["SNIA-P7-ANAPEC-INSCRITS", "2020", "MA", "ANAPEC", "", ""],
            ["SNIA-P7-ANAPEC-INSCRITS", "2020", "MA", "ANAPEC", "", "F"],
        ];
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                if !v.is_empty() {
                    let _ = sheet.write_string(r as u32, c as u16, *v);
                }
            }
        }
        let _ = sheet.write_number(1, 4, 680.0);
        let _ = sheet.write_number(2, 4, 261.0);
        let bytes = book.save_to_buffer().unwrap_or_default();
        let csv = spreadsheet_to_csv(&bytes)
            .map_err(|_| ())
            .unwrap_or_default();
        assert_eq!(
            csv,
            "indicator,period,territory,organisation,value,sex\nSNIA-P7-ANAPEC-INSCRITS,2020,MA,ANAPEC,680,\nSNIA-P7-ANAPEC-INSCRITS,2020,MA,ANAPEC,261,F\n"
        );
        assert!(matches!(
            spreadsheet_to_csv(b"not a workbook"),
            Err(ValuesImportError::Invalid(_))
        ));
    }
}
