//! Results frameworks: import (checked whole, all or nothing, audited), list, show.

use crate::access::{Action, decide};
use crate::auth::Actor;
use crate::error::ServiceError;
use crate::{Service, audit_row};
use passerelle_domain::ErrorCode;
use passerelle_domain::framework::{FrameworkDef, FrameworkIssue};
use passerelle_store::audit;
use passerelle_store::frameworks::{self, FrameworkSummary, StoredTarget, TargetChanges};
use serde_json::json;

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
        let latest = passerelle_store::values::latest_totals(&mut conn, &code).await?;
        let progress = latest
            .into_iter()
            .filter_map(|(indicator, period, value)| {
                let def = definition.indicators.iter().find(|i| i.code == indicator)?;
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
        Ok(FrameworkView {
            definition,
            targets,
            contributions,
            progress,
        })
    }
}

impl ImportError {
    pub fn code(&self) -> ErrorCode {
        match self {
            ImportError::Invalid(i) => i.first().map(|i| i.code).unwrap_or(ErrorCode::Format),
            ImportError::Service(e) => e.code(),
        }
    }
}
