//! Partner reporting: focal points enter a data set for their organisation and a
//! period, save drafts and submit; the secretariat returns with a comment, approves
//! and locks; an administrator may unlock. Entered values go through the same checks
//! as an import, and their status follows the submission's, so dashboards (which
//! count approved values) change the moment a submission is approved.

use crate::access::{Action, decide};
use crate::auth::Actor;
use crate::error::ServiceError;
use crate::values::{Checking, ValuesImportError};
use crate::{Service, audit_row};
use passerelle_domain::reporting::{self as rp, DataSetDef, SubmissionStatus, Transition};
use passerelle_domain::rules::Group;
use passerelle_domain::{DomainError, ErrorCode, OrgCode};
use passerelle_store::reporting::{self, Submission};
use passerelle_store::{audit, orgs, users, values};
use serde_json::json;

pub const SHIPPED: &[&str] = &[
    include_str!("../../../data/datasets/anapec-emploi.json"),
    include_str!("../../../data/datasets/men-scolarisation.json"),
];

/// One cell of an entry form: indicator, column (`None` = total; otherwise an id
/// of [`DataSetDef::entry_cells`], `F` or `sex=F`), value text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub indicator: String,
    pub cell: Option<String>,
    pub value: String,
}

/// A submission as its page shows it.
#[derive(Debug, Clone)]
pub struct SubmissionView {
    pub dataset: DataSetDef,
    pub organisation: String,
    pub period: String,
    pub status: Option<SubmissionStatus>,
    pub comment: Option<String>,
    pub updated_by: Option<String>,
    pub updated_at: Option<String>,
    pub locked_by: Option<String>,
    pub locked_at: Option<String>,
    /// (indicator, column id or "" for the total, value)
    pub values: Vec<(String, String, f64)>,
    pub can_edit: bool,
    pub can_review: bool,
    pub can_unlock: bool,
}

/// Why a save or a review was refused.
#[derive(Debug)]
pub enum ReportingError {
    /// Bad values: every problem with the indicator and cell.
    Invalid(Vec<passerelle_domain::values::RowIssue>),
    /// The transition is not allowed from the current status.
    WrongState {
        status: Option<SubmissionStatus>,
    },
    /// The submission is locked.
    Locked {
        by: String,
        at: String,
    },
    Service(ServiceError),
}

impl<E: Into<ServiceError>> From<E> for ReportingError {
    fn from(e: E) -> Self {
        ReportingError::Service(e.into())
    }
}

impl Service {
    pub async fn ensure_shipped_datasets(&self) -> Result<(), ServiceError> {
        let mut tx = self.store.begin().await?;
        for text in SHIPPED {
            let def: DataSetDef =
                serde_json::from_str(text).map_err(|e| ServiceError::Internal(e.to_string()))?;
            if let Some(p) = def.problems().first() {
                return Err(ServiceError::Internal(p.clone()));
            }
            reporting::upsert_dataset(&mut tx, &def).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The data sets, and the submissions the actor may see: their organisation's
    /// for a focal point, all for the secretariat.
    pub async fn reporting_overview(
        &self,
        actor: &Actor,
    ) -> Result<(Vec<DataSetDef>, Vec<Submission>), ServiceError> {
        decide(actor, Action::ViewDirectory)?;
        let mut conn = self.store.conn().await?;
        let sets = reporting::datasets(&mut conn).await?;
        let mut subs = reporting::list(&mut conn).await?;
        if decide(actor, Action::ReviewValues).is_err() {
            subs.retain(|s| s.organisation_code == actor.organisation_code);
        }
        Ok((sets, subs))
    }

    async fn load(
        &self,
        actor: &Actor,
        dataset: &str,
        org: &str,
        period: &str,
    ) -> Result<(DataSetDef, passerelle_domain::OrgId, Option<Submission>), ServiceError> {
        let mut conn = self.store.conn().await?;
        let def = reporting::datasets(&mut conn)
            .await?
            .into_iter()
            .find(|d| d.code == dataset)
            .ok_or(ServiceError::NotFound)?;
        let code = OrgCode::parse(org).map_err(|_| ServiceError::NotFound)?;
        if !def.organisations.iter().any(|o| o == code.as_str()) {
            return Err(ServiceError::NotFound);
        }
        let org_id = orgs::by_code(&mut conn, &code)
            .await?
            .ok_or(ServiceError::NotFound)?
            .id;
        // Only those who report for this organisation, or review, may see its submission.
        if decide(actor, Action::ReportValues(org_id)).is_err()
            && decide(actor, Action::ReviewValues).is_err()
        {
            return Err(ServiceError::NotFound);
        }
        passerelle_domain::Period::parse(period).map_err(|_| ServiceError::NotFound)?;
        let sub = reporting::get(&mut conn, dataset, code.as_str(), period).await?;
        Ok((def, org_id, sub))
    }

    pub async fn submission(
        &self,
        actor: &Actor,
        dataset: &str,
        org: &str,
        period: &str,
    ) -> Result<SubmissionView, ServiceError> {
        let (def, org_id, sub) = self.load(actor, dataset, org, period).await?;
        let mut conn = self.store.conn().await?;
        let mut vals = Vec::new();
        let columns = def.entry_cells();
        for ind in &def.indicators {
            for v in
                values::for_indicator(&mut conn, ind, period, &["draft", "submitted", "approved"])
                    .await?
            {
                if v.organisation_code == org.to_ascii_uppercase() && v.territory_code == "MA" {
                    let column = if v.cells.is_empty() {
                        Some(String::new())
                    } else {
                        columns
                            .iter()
                            .find(|(_, key)| *key == v.cells)
                            .map(|(id, _)| id.clone())
                    };
                    if let Some(c) = column {
                        vals.push((ind.clone(), c, v.value));
                    }
                }
            }
        }
        let status = sub
            .as_ref()
            .and_then(|s| SubmissionStatus::parse(&s.status));
        let updated_by = user_name(&mut conn, sub.as_ref().and_then(|s| s.updated_by)).await;
        let locked_by = user_name(&mut conn, sub.as_ref().and_then(|s| s.locked_by)).await;
        let can_edit = decide(actor, Action::ReportValues(org_id)).is_ok()
            && matches!(
                status,
                None | Some(SubmissionStatus::Draft) | Some(SubmissionStatus::Returned)
            );
        Ok(SubmissionView {
            organisation: org.to_ascii_uppercase(),
            period: period.to_string(),
            status,
            comment: sub.as_ref().and_then(|s| s.comment.clone()),
            updated_by,
            updated_at: sub.as_ref().map(|s| s.updated_at.clone()),
            locked_by,
            locked_at: sub.as_ref().and_then(|s| s.locked_at.clone()),
            values: vals,
            can_edit,
            can_review: decide(actor, Action::ReviewValues).is_ok(),
            can_unlock: decide(actor, Action::UnlockValues).is_ok(),
            dataset: def,
        })
    }

    /// Saves the entered values as a draft, or submits them.
    #[allow(clippy::too_many_arguments)]
    pub async fn save_submission(
        &self,
        actor: &Actor,
        dataset: &str,
        org: &str,
        period: &str,
        entries: &[Entry],
        submit: bool,
        op: &str,
    ) -> Result<SubmissionStatus, ReportingError> {
        let (def, org_id, sub) = self.load(actor, dataset, org, period).await?;
        decide(actor, Action::ReportValues(org_id))?;
        let current = sub
            .as_ref()
            .and_then(|s| SubmissionStatus::parse(&s.status));
        if let (Some(SubmissionStatus::Locked), Some(s)) = (current, &sub) {
            return Err(self.locked(s).await);
        }
        let transition = if submit {
            Transition::Submit
        } else {
            Transition::SaveDraft
        };
        let Some(status) = rp::next(current, transition) else {
            return Err(ReportingError::WrongState { status: current });
        };
        // The entries become an import file, so they pass exactly the same checks.
        let org = org.to_ascii_uppercase();
        let columns = def.entry_cells();
        let mut csv = String::from("indicator,period,territory,organisation,value");
        for d in &def.dimensions {
            csv.push(',');
            csv.push_str(d);
        }
        csv.push('\n');
        let mut lines = Vec::new();
        // In the form's order: indicators as the data set lists them, the total first.
        let mut ordered: Vec<&Entry> = entries
            .iter()
            .filter(|e| !e.value.trim().is_empty())
            .collect();
        ordered.sort_by_key(|e| {
            (
                def.indicators
                    .iter()
                    .position(|i| *i == e.indicator)
                    .unwrap_or(usize::MAX),
                e.cell
                    .as_ref()
                    .and_then(|c| columns.iter().position(|(id, _)| id == c)),
            )
        });
        for e in ordered {
            if !def.indicators.contains(&e.indicator) {
                return Err(ReportingError::Service(
                    DomainError::with_value(
                        "indicator",
                        ErrorCode::UnknownValue,
                        e.indicator.clone(),
                    )
                    .into(),
                ));
            }
            let cells = match &e.cell {
                None => Default::default(),
                Some(c) => match columns.iter().find(|(id, _)| id == c) {
                    Some((_, key)) => passerelle_domain::values::parse_cells_key(key),
                    None => {
                        return Err(ReportingError::Service(
                            DomainError::with_value("value", ErrorCode::UnknownValue, c.clone())
                                .into(),
                        ));
                    }
                },
            };
            csv.push_str(&format!(
                "{},{},MA,{},\"{}\"",
                e.indicator,
                period,
                org,
                e.value.replace('"', ""),
            ));
            for d in &def.dimensions {
                csv.push(',');
                csv.push_str(cells.get(d).map(String::as_str).unwrap_or(""));
            }
            csv.push('\n');
            lines.push(e.clone());
        }
        if submit && lines.is_empty() {
            return Err(ReportingError::Invalid(vec![
                passerelle_domain::values::RowIssue {
                    line: 0,
                    column: "value".into(),
                    code: ErrorCode::Required,
                    value: String::new(),
                    rule: None,
                },
            ]));
        }
        // A draft may be incomplete; a submission covers every indicator of the set.
        let checking = Checking {
            draft: !submit,
            expect: if submit {
                def.indicators
                    .iter()
                    .map(|i| Group {
                        indicator: i.clone(),
                        period: period.to_string(),
                        territory: "MA".into(),
                        organisation: org.clone(),
                    })
                    .collect()
            } else {
                Vec::new()
            },
        };
        let mut prepared = match self
            .prepare_values_with(Some(actor), &csv, &format!("form:{dataset}"), &checking)
            .await
        {
            Ok(p) => p,
            Err(ValuesImportError::Invalid(mut issues)) => {
                // Name the form's cell instead of a CSV line: a required cell by its own
                // column, any other problem by the entry on that line.
                for i in &mut issues {
                    let required = i.rule.as_ref().filter(|b| b.rule == "required").map(|b| {
                        let arg = |k: &str| {
                            b.args
                                .iter()
                                .find(|(n, _)| n == k)
                                .map(|(_, v)| v.clone())
                                .unwrap_or_default()
                        };
                        let cells = arg("cells");
                        let column = columns
                            .iter()
                            .find(|(_, key)| *key == cells)
                            .map(|(id, _)| id.clone())
                            .unwrap_or_else(|| "total".into());
                        format!("{}:{column}", arg("indicator"))
                    });
                    if let Some(column) = required {
                        i.column = column;
                    } else if let Some(e) = lines.get((i.line as usize).wrapping_sub(2)) {
                        i.column =
                            format!("{}:{}", e.indicator, e.cell.as_deref().unwrap_or("total"));
                    }
                }
                return Err(ReportingError::Invalid(issues));
            }
            Err(ValuesImportError::Service(e)) => return Err(e.into()),
        };
        for v in &mut prepared {
            v.status = status.value_status().to_string();
        }
        let mut tx = self.store.begin().await?;
        for ind in &def.indicators {
            reporting::clear_values(&mut tx, ind, &org, period).await?;
        }
        for v in &prepared {
            values::upsert(&mut tx, v).await?;
        }
        let ts = passerelle_store::now();
        let s = Submission {
            dataset_code: def.code.clone(),
            organisation_code: org.clone(),
            period: period.to_string(),
            status: status.as_str().into(),
            comment: sub.and_then(|s| s.comment),
            updated_by: Some(actor.user.id.0),
            updated_at: ts,
            locked_by: None,
            locked_at: None,
        };
        reporting::set(&mut tx, &s).await?;
        audit::append(
            &mut tx,
            audit_row(
                Some(actor),
                op,
                if submit { "submit" } else { "save_draft" },
                "submission",
                Some(format!("{dataset}/{org}/{period}")),
                json!({"values": prepared.len()}),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(status)
    }

    /// Returns (with a comment), approves, locks or unlocks a submission.
    #[allow(clippy::too_many_arguments)]
    pub async fn review_submission(
        &self,
        actor: &Actor,
        dataset: &str,
        org: &str,
        period: &str,
        transition: Transition,
        comment: &str,
        op: &str,
    ) -> Result<SubmissionStatus, ReportingError> {
        let (def, _, sub) = self.load(actor, dataset, org, period).await?;
        decide(
            actor,
            if transition == Transition::Unlock {
                Action::UnlockValues
            } else {
                Action::ReviewValues
            },
        )?;
        let current = sub
            .as_ref()
            .and_then(|s| SubmissionStatus::parse(&s.status));
        if let (Some(SubmissionStatus::Locked), Some(s), false) =
            (current, &sub, transition == Transition::Unlock)
        {
            return Err(self.locked(s).await);
        }
        let (Some(status), Some(mut s)) = (rp::next(current, transition), sub) else {
            return Err(ReportingError::WrongState { status: current });
        };
        if transition == Transition::Return && comment.trim().is_empty() {
            return Err(ReportingError::Service(
                DomainError::new("comment", ErrorCode::Required).into(),
            ));
        }
        let ts = passerelle_store::now();
        s.status = status.as_str().into();
        if matches!(transition, Transition::Return | Transition::Approve) {
            s.comment = Some(comment.trim().to_string()).filter(|c| !c.is_empty());
        }
        s.updated_by = Some(actor.user.id.0);
        s.updated_at = ts.clone();
        if transition == Transition::Lock {
            s.locked_by = Some(actor.user.id.0);
            s.locked_at = Some(ts);
        } else if transition == Transition::Unlock {
            s.locked_by = None;
            s.locked_at = None;
        }
        let mut tx = self.store.begin().await?;
        reporting::set(&mut tx, &s).await?;
        reporting::set_value_status(
            &mut tx,
            &def.indicators,
            &s.organisation_code,
            period,
            status.value_status(),
        )
        .await?;
        let action = transition.review_action();
        audit::append(
            &mut tx,
            audit_row(
                Some(actor),
                op,
                action,
                "submission",
                Some(format!("{dataset}/{}/{period}", s.organisation_code)),
                json!({"comment": comment.trim()}),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(status)
    }

    async fn locked(&self, s: &Submission) -> ReportingError {
        let by = match self.store.conn().await {
            Ok(mut conn) => user_name(&mut conn, s.locked_by).await.unwrap_or_default(),
            Err(_) => String::new(),
        };
        ReportingError::Locked {
            by,
            at: s.locked_at.clone().unwrap_or_default(),
        }
    }
}

/// A user's display name, when the id names one (for "by whom" lines).
pub(crate) async fn user_name(
    conn: &mut passerelle_store::Conn,
    id: Option<i64>,
) -> Option<String> {
    users::get(conn, passerelle_domain::UserId(id?))
        .await
        .ok()
        .flatten()
        .map(|u| u.display_name)
}
