//! Results frameworks: import (checked whole, all or nothing, audited), list, show.

use crate::access::{Action, decide};
use crate::auth::Actor;
use crate::error::ServiceError;
use crate::values::GridQuery;
use crate::{Service, audit_row};
use passerelle_domain::ErrorCode;
use passerelle_domain::Period;
use passerelle_domain::framework::{ActionStatus, FrameworkDef, FrameworkIssue};
use passerelle_store::audit;
use passerelle_store::frameworks::IndicatorRef;
use passerelle_store::frameworks::{self, FrameworkSummary, StoredTarget, TargetChanges};
use serde_json::json;
use std::collections::{BTreeMap, HashMap};

/// The definitions shipped in `data/frameworks/`, in the order they must load
/// (AMUDDU and the regional strategy refer to SNIA nodes).
pub const SHIPPED: &[(&str, &str)] = &[
    (
        "snia.json",
        include_str!("../../../data/frameworks/snia.json"),
    ),
    (
        "amuddu.json",
        include_str!("../../../data/frameworks/amuddu.json"),
    ),
    (
        "tta-gender-inclusion.json",
        include_str!("../../../data/frameworks/tta-gender-inclusion.json"),
    ),
];

/// Why an import was refused.
#[derive(Debug)]
pub enum ImportError {
    /// The file has problems; nothing was saved.
    Invalid(Vec<FrameworkIssue>),
    Service(ServiceError),
}

impl<E: Into<ServiceError>> From<E> for ImportError {
    fn from(e: E) -> Self {
        ImportError::Service(e.into())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportSummary {
    pub code: String,
    pub nodes: usize,
    pub indicators: usize,
    pub targets: TargetChanges,
}

/// A framework with what the pages and the API show beside its tree.
pub struct FrameworkView {
    pub definition: FrameworkDef,
    /// Targets by indicator, every revision, oldest first.
    pub targets: Vec<(String, StoredTarget)>,
    /// (framework, node, node of this framework it contributes to).
    pub contributions: Vec<(String, String, String)>,
    /// Each indicator's latest approved national value and its progress.
    pub progress: Vec<IndicatorProgress>,
    /// Every node's dashboard line: its own status, and its actions' statuses.
    pub statuses: Vec<NodeStatus>,
}

/// A node of the framework as its dashboard shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeStatus {
    pub node: String,
    /// From the node's own indicators; `None` when none measures it.
    pub own: Option<ActionStatus>,
    /// For a node with children: how many of the actions under it (the nodes
    /// without children) stand where, and how many nothing measures.
    pub actions: Vec<(ActionStatus, usize)>,
    pub unmeasured: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct IndicatorProgress {
    pub indicator: String,
    pub period: String,
    pub value: f64,
    /// The total target it is measured against, if there is one.
    pub target: Option<(String, f64)>,
    /// Fraction of the way from baseline to target (1.0 = reached).
    pub progress: Option<f64>,
}

impl Service {
    /// Imports or replaces a framework from its JSON definition. `actor` is `None`
    /// for the operator (CLI, demo).
    pub async fn import_framework(
        &self,
        actor: Option<&Actor>,
        text: &str,
        op: &str,
    ) -> Result<ImportSummary, ImportError> {
        if let Some(a) = actor {
            decide(a, Action::ManageFrameworks)?;
        }
        let def = FrameworkDef::from_json(text).map_err(ImportError::Invalid)?;
        let mut tx = self.store.begin().await?;
        // External references are checked against what is stored, inside the transaction.
        let mut refs = Vec::new();
        for n in &def.nodes {
            for t in &n.contributes_to {
                if let Some((fw, code)) = t.split_once(':')
                    && fw != def.code
                {
                    let exists = frameworks::node_exists(&mut tx, fw, code).await?;
                    refs.push((fw.to_string(), code.to_string(), exists));
                }
            }
        }
        let known =
            |fw: &str, code: &str| refs.iter().any(|(f, c, ok)| f == fw && c == code && *ok);
        let issues = def.validate(&known);
        if !issues.is_empty() {
            return Err(ImportError::Invalid(issues));
        }
        let reason = format!(
            "import by {}",
            actor
                .map(|a| a.user.username.as_str())
                .unwrap_or("the operator")
        );
        let targets = frameworks::replace(&mut tx, &def, &reason).await?;
        audit::append(
            &mut tx,
            audit_row(actor, op, "import_framework", "framework", Some(def.code.clone()), json!({
                "nodes": def.nodes.len(), "indicators": def.indicators.len(),
                "targets_added": targets.added, "targets_revised": targets.revised, "targets_withdrawn": targets.withdrawn,
            })),
        )
        .await?;
        tx.commit().await?;
        Ok(ImportSummary {
            code: def.code,
            nodes: def.nodes.len(),
            indicators: def.indicators.len(),
            targets,
        })
    }

    /// Loads the shipped frameworks that are not yet in the store.
    pub async fn ensure_shipped_frameworks(&self, op: &str) -> Result<usize, ServiceError> {
        let mut loaded = 0;
        for (name, text) in SHIPPED {
            let def = FrameworkDef::from_json(text)
                .map_err(|e| ServiceError::Internal(format!("{name}: {e:?}")))?;
            let present = {
                let mut conn = self.store.conn().await?;
                frameworks::definition(&mut conn, &def.code)
                    .await?
                    .is_some()
            };
            if present {
                continue;
            }
            match self.import_framework(None, text, op).await {
                Ok(_) => loaded += 1,
                Err(ImportError::Invalid(issues)) => {
                    let text: Vec<String> = issues.iter().map(ToString::to_string).collect();
                    return Err(ServiceError::Internal(format!(
                        "{name}: {}",
                        text.join("; ")
                    )));
                }
                Err(ImportError::Service(e)) => return Err(e),
            }
        }
        Ok(loaded)
    }

    pub async fn frameworks(
        &self,
        actor: Option<&Actor>,
    ) -> Result<Vec<FrameworkSummary>, ServiceError> {
        if let Some(a) = actor {
            decide(a, Action::ViewDirectory)?;
        }
        let mut conn = self.store.conn().await?;
        Ok(frameworks::list(&mut conn).await?)
    }

    /// One framework, or `NotFound` naming nothing more.
    pub async fn framework(
        &self,
        actor: Option<&Actor>,
        code: &str,
    ) -> Result<FrameworkView, ServiceError> {
        if let Some(a) = actor {
            decide(a, Action::ViewDirectory)?;
        }
        let code = code.trim().to_ascii_uppercase();
        let mut conn = self.store.conn().await?;
        let definition = frameworks::definition(&mut conn, &code)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let targets = frameworks::targets(&mut conn, &code).await?;
        let contributions = frameworks::contributions_to(&mut conn, &code).await?;
        // The latest period with an approved national total, or with services for the
        // indicators counted from records; then the engine's total for that period.
        let mut latest: HashMap<String, String> =
            passerelle_store::values::latest_totals(&mut conn, &code)
                .await?
                .into_iter()
                .map(|(indicator, period, _)| (indicator, period))
                .collect();
        for i in &definition.indicators {
            let years = crate::records::years(&mut conn, &i.code).await?;
            if let Some(year) = years.first() {
                let newer = latest.get(&i.code).is_none_or(|p| {
                    let end = |x: &str| {
                        Period::parse(x)
                            .map(|p| p.end().to_string())
                            .unwrap_or_default()
                    };
                    end(year) > end(p)
                });
                if newer {
                    latest.insert(i.code.clone(), year.clone());
                }
            }
        }
        drop(conn);
        let mut by_period: BTreeMap<String, Vec<IndicatorRef>> = BTreeMap::new();
        let refs = {
            let mut conn = self.store.conn().await?;
            frameworks::indicators(&mut conn).await?
        };
        for r in refs.into_iter().filter(|r| r.framework_code == code) {
            if let Some(period) = latest.get(&r.code) {
                by_period.entry(period.clone()).or_default().push(r);
            }
        }
        let mut values: HashMap<String, (String, f64)> = HashMap::new();
        for (period, inds) in by_period {
            let q = GridQuery {
                framework: code.clone(),
                period: period.clone(),
                ..Default::default()
            };
            for table in self.compute_values(inds, &q).await? {
                if let Some(total) = table.total {
                    values.insert(table.indicator, (period.clone(), total.value));
                }
            }
        }
        let progress: Vec<IndicatorProgress> = definition
            .indicators
            .iter()
            .filter_map(|def| {
                let (period, value) = values.get(&def.code)?.clone();
                let indicator = def.code.clone();
                let target = targets
                    .iter()
                    .filter(|(c, t)| {
                        *c == indicator && t.superseded_at.is_none() && t.cells.is_empty()
                    })
                    .filter_map(|(_, t)| t.value.map(|v| (t.period.clone(), v)))
                    .next_back();
                let progress = target.as_ref().and_then(|(_, t)| {
                    passerelle_domain::framework::progress(
                        def.kind,
                        &def.direction,
                        def.baseline.as_ref().and_then(|b| b.value),
                        *t,
                        value,
                    )
                });
                Some(IndicatorProgress {
                    indicator,
                    period,
                    value,
                    target,
                    progress,
                })
            })
            .collect();
        let statuses = node_statuses(&definition, &progress);
        Ok(FrameworkView {
            definition,
            targets,
            contributions,
            progress,
            statuses,
        })
    }
}

/// Each node's status: its own from its indicators, and for a node with children the
/// statuses of the actions (nodes without children) under it.
fn node_statuses(def: &FrameworkDef, progress: &[IndicatorProgress]) -> Vec<NodeStatus> {
    let own = |node: &str| {
        let measures: Vec<(bool, Option<f64>)> = def
            .indicators
            .iter()
            .filter(|i| i.node == node)
            .map(|i| match progress.iter().find(|p| p.indicator == i.code) {
                Some(p) => (true, p.progress),
                // No value yet: measured against a target if it has one.
                None => (false, Some(0.0)),
            })
            .collect();
        ActionStatus::of(&measures)
    };
    let mut out = Vec::new();
    for n in &def.nodes {
        let mut actions: BTreeMap<ActionStatus, usize> = BTreeMap::new();
        let mut unmeasured = 0;
        // The leaves under the node, without recursion.
        let mut stack: Vec<&str> = def
            .children_of(Some(&n.code))
            .iter()
            .map(|c| c.code.as_str())
            .collect();
        let mut seen = 0;
        while let Some(code) = stack.pop() {
            seen += 1;
            if seen > def.nodes.len() {
                break;
            }
            let children = def.children_of(Some(code));
            if children.is_empty() {
                match own(code) {
                    Some(s) => *actions.entry(s).or_default() += 1,
                    None => unmeasured += 1,
                }
            } else {
                stack.extend(children.iter().map(|c| c.code.as_str()));
            }
        }
        out.push(NodeStatus {
            node: n.code.clone(),
            own: own(&n.code),
            actions: ActionStatus::ALL
                .iter()
                .map(|s| (*s, actions.get(s).copied().unwrap_or(0)))
                .collect(),
            unmeasured,
        });
    }
    out
}

impl ImportError {
    pub fn code(&self) -> ErrorCode {
        match self {
            ImportError::Invalid(i) => i.first().map(|i| i.code).unwrap_or(ErrorCode::Format),
            ImportError::Service(e) => e.code(),
        }
    }
}
