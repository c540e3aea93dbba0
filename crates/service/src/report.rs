//! The yearly report: focal points write their programme's five narrative sections
//! through the reporting workflow (draft → submitted → returned with a comment →
//! approved → locked, `domain::reporting::next`, the same access rules as data
//! submissions); the secretariat freezes a data version (snapshot) of every figure the
//! report prints with its sources and the approved narratives; a report is generated
//! from one snapshot. Approving a narrative turns its planned measures and
//! recommendations into follow-up items (`report_followup`, origin
//! `report_narrative`) that the next year's report lists with their status.

use crate::access::{Action, decide};
use crate::auth::Actor;
use crate::error::ServiceError;
use crate::values::ValuesQuery;
use crate::{Service, audit_row};
use passerelle_domain::framework::{FrameworkDef, Title};
use passerelle_domain::governance::ActionOrigin;
use passerelle_domain::report::{
    SECTION_MAX, Section, SectionText, SnapFigure, SnapFollowup, SnapNarrative, SnapProgramme,
    SnapRow, SnapSource, SnapshotContent, SnapshotInfo, content_hash, followup_items,
};
use passerelle_domain::reporting::{self as rp, SubmissionStatus, Transition};
use passerelle_domain::{DomainError, ErrorCode, OrgCode, Period};
use passerelle_store::report::{self as st, Followup, Narrative};
use passerelle_store::{audit, frameworks, orgs, territories, values};
use serde_json::json;
use std::collections::BTreeMap;

/// The framework whose programmes the yearly report follows.
pub const REPORT_FRAMEWORK: &str = "SNIA";

/// A narrative as its page shows it.
#[derive(Debug, Clone)]
pub struct NarrativeView {
    pub node_code: String,
    pub node_title: Title,
    pub year: i32,
    pub organisation: String,
    pub status: Option<SubmissionStatus>,
    pub comment: Option<String>,
    pub updated_by: Option<String>,
    pub updated_at: Option<String>,
    pub sections: Vec<(Section, SectionText)>,
    pub can_edit: bool,
    pub can_review: bool,
    pub can_unlock: bool,
}

/// One line of the narratives overview.
#[derive(Debug, Clone)]
pub struct NarrativeRow {
    pub node_code: String,
    pub node_title: Title,
    pub organisation: String,
    pub status: String,
    pub updated_at: String,
}

/// A follow-up item as listed.
#[derive(Debug, Clone)]
pub struct FollowupView {
    pub item: Followup,
    pub node_title: Title,
}

fn wrong_state() -> ServiceError {
    DomainError::new("status", ErrorCode::WrongState).into()
}

fn parse_year(year: i32) -> Result<i64, ServiceError> {
    if (2000..=2100).contains(&year) {
        Ok(year as i64)
    } else {
        Err(DomainError::with_value("year", ErrorCode::Format, year.to_string()).into())
    }
}

/// The programme nodes of a framework, with their strategic objective.
fn programmes(def: &FrameworkDef) -> Vec<SnapProgramme> {
    def.nodes
        .iter()
        .filter(|n| n.level == "programme")
        .map(|n| {
            let obj = n
                .parent
                .as_deref()
                .and_then(|p| def.nodes.iter().find(|x| x.code == p));
            SnapProgramme {
                code: n.code.clone(),
                title: n.title.clone(),
                objective_code: obj.map(|o| o.code.clone()).unwrap_or_default(),
                objective_title: obj.map(|o| o.title.clone()).unwrap_or_default(),
            }
        })
        .collect()
}

/// The programme a node belongs to (itself, or its nearest programme ancestor).
fn programme_of(def: &FrameworkDef, node: &str) -> Option<String> {
    let mut at = def.nodes.iter().find(|n| n.code == node);
    while let Some(n) = at {
        if n.level == "programme" {
            return Some(n.code.clone());
        }
        at = n
            .parent
            .as_deref()
            .and_then(|p| def.nodes.iter().find(|x| x.code == p));
    }
    None
}

/// The year a period ends in.
fn end_year(period: &str) -> Option<i32> {
    Period::parse(period).ok()?.end().get(..4)?.parse().ok()
}

fn parse_sections(text: &str) -> Vec<(Section, SectionText)> {
    let map: BTreeMap<String, SectionText> = serde_json::from_str(text).unwrap_or_default();
    Section::ALL
        .into_iter()
        .map(|s| (s, map.get(s.as_str()).cloned().unwrap_or_default()))
        .collect()
}

impl Service {
    async fn report_framework(&self) -> Result<FrameworkDef, ServiceError> {
        let mut conn = self.store.conn().await?;
        frameworks::definition(&mut conn, REPORT_FRAMEWORK)
            .await?
            .ok_or(ServiceError::NotFound)
    }

    /// The programmes a narrative can be written for.
    pub async fn report_programmes(&self) -> Result<Vec<SnapProgramme>, ServiceError> {
        Ok(programmes(&self.report_framework().await?))
    }

    /// Checks the node, year and organisation of a narrative and who may see it.
    async fn narrative_scope(
        &self,
        actor: &Actor,
        node: &str,
        year: i32,
        org: &str,
    ) -> Result<(Title, passerelle_domain::OrgId, Option<Narrative>, i64), ServiceError> {
        let y = parse_year(year).map_err(|_| ServiceError::NotFound)?;
        let def = self.report_framework().await?;
        let title = programmes(&def)
            .into_iter()
            .find(|p| p.code == node)
            .ok_or(ServiceError::NotFound)?
            .title;
        let code = OrgCode::parse(org).map_err(|_| ServiceError::NotFound)?;
        let mut conn = self.store.conn().await?;
        let org_id = orgs::by_code(&mut conn, &code)
            .await?
            .ok_or(ServiceError::NotFound)?
            .id;
        if decide(actor, Action::ReportValues(org_id)).is_err()
            && decide(actor, Action::ReviewValues).is_err()
        {
            return Err(ServiceError::NotFound);
        }
        let n = st::get_narrative(&mut conn, REPORT_FRAMEWORK, node, y, code.as_str()).await?;
        Ok((title, org_id, n, y))
    }

    pub async fn narrative(
        &self,
        actor: &Actor,
        node: &str,
        year: i32,
        org: &str,
    ) -> Result<NarrativeView, ServiceError> {
        let (title, org_id, n, _) = self.narrative_scope(actor, node, year, org).await?;
        let status = n.as_ref().and_then(|n| SubmissionStatus::parse(&n.status));
        let mut conn = self.store.conn().await?;
        let updated_by =
            crate::reporting::user_name(&mut conn, n.as_ref().and_then(|n| n.updated_by)).await;
        Ok(NarrativeView {
            node_code: node.to_string(),
            node_title: title,
            year,
            organisation: org.to_ascii_uppercase(),
            comment: n.as_ref().and_then(|n| n.comment.clone()),
            updated_at: n.as_ref().map(|n| n.updated_at.clone()),
            updated_by,
            sections: n
                .as_ref()
                .map(|n| parse_sections(&n.sections))
                .unwrap_or_else(|| {
                    Section::ALL
                        .into_iter()
                        .map(|s| (s, SectionText::default()))
                        .collect()
                }),
            can_edit: decide(actor, Action::ReportValues(org_id)).is_ok()
                && matches!(
                    status,
                    None | Some(SubmissionStatus::Draft) | Some(SubmissionStatus::Returned)
                ),
            can_review: decide(actor, Action::ReviewValues).is_ok(),
            can_unlock: decide(actor, Action::UnlockValues).is_ok(),
            status,
        })
    }

    /// The narratives of a year the actor may see: their organisation's for a focal
    /// point, every one for the secretariat.
    pub async fn narratives(
        &self,
        actor: &Actor,
        year: i32,
    ) -> Result<Vec<NarrativeRow>, ServiceError> {
        decide(actor, Action::ViewDirectory)?;
        let y = parse_year(year)?;
        let progs = self.report_programmes().await?;
        let mut conn = self.store.conn().await?;
        let mut rows = st::narratives(&mut conn, y, None).await?;
        if decide(actor, Action::ReviewValues).is_err() {
            rows.retain(|n| n.organisation_code == actor.organisation_code);
        }
        Ok(rows
            .into_iter()
            .map(|n| NarrativeRow {
                node_title: progs
                    .iter()
                    .find(|p| p.code == n.node_code)
                    .map(|p| p.title.clone())
                    .unwrap_or_default(),
                node_code: n.node_code,
                organisation: n.organisation_code,
                status: n.status,
                updated_at: n.updated_at,
            })
            .collect())
    }

    /// Saves a narrative as a draft, or submits it. Every section is checked
    /// (length); submitting needs the activities section in French.
    #[allow(clippy::too_many_arguments)]
    pub async fn save_narrative(
        &self,
        actor: &Actor,
        node: &str,
        year: i32,
        org: &str,
        sections: &[(Section, SectionText)],
        submit: bool,
        op: &str,
    ) -> Result<SubmissionStatus, ServiceError> {
        let (_, org_id, n, y) = self.narrative_scope(actor, node, year, org).await?;
        decide(actor, Action::ReportValues(org_id))?;
        let current = n.as_ref().and_then(|n| SubmissionStatus::parse(&n.status));
        let t = if submit {
            Transition::Submit
        } else {
            Transition::SaveDraft
        };
        let status = rp::next(current, t).ok_or_else(wrong_state)?;
        let mut errors = Vec::new();
        let mut map = BTreeMap::new();
        for (s, text) in sections {
            let fr = text.fr.trim().to_string();
            let ar = text.ar.trim().to_string();
            if fr.chars().count() > SECTION_MAX || ar.chars().count() > SECTION_MAX {
                errors.push(DomainError::with_value(
                    "section",
                    ErrorCode::Length,
                    s.as_str(),
                ));
            }
            if !ar.is_empty() && fr.is_empty() {
                // French is the authority: an Arabic text needs its French original.
                errors.push(DomainError::with_value(
                    "section",
                    ErrorCode::Required,
                    s.as_str(),
                ));
            }
            map.insert(s.as_str().to_string(), SectionText { fr, ar });
        }
        if submit
            && map
                .get(Section::Activities.as_str())
                .is_none_or(|t| t.fr.is_empty())
        {
            errors.push(DomainError::with_value(
                "section",
                ErrorCode::Required,
                Section::Activities.as_str(),
            ));
        }
        if !errors.is_empty() {
            return Err(ServiceError::Invalid(errors));
        }
        let org = org.to_ascii_uppercase();
        let row = Narrative {
            narrative_id: 0,
            framework_code: REPORT_FRAMEWORK.into(),
            node_code: node.into(),
            year: y,
            organisation_code: org.clone(),
            sections: serde_json::to_string(&map)
                .map_err(|e| ServiceError::Internal(e.to_string()))?,
            status: status.as_str().into(),
            comment: n.as_ref().and_then(|n| n.comment.clone()),
            updated_by: Some(actor.user.id.0),
            updated_at: passerelle_store::now(),
            approved_by: None,
            approved_at: None,
        };
        let mut tx = self.store.begin().await?;
        let id = st::save_narrative(&mut tx, &row).await?;
        audit::append(
            &mut tx,
            audit_row(
                Some(actor),
                op,
                if submit { "submit" } else { "save_draft" },
                "report_narrative",
                Some(id.to_string()),
                json!({"node": node, "year": year, "organisation": org}),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(status)
    }

    /// Returns (with a comment), approves, locks or unlocks a narrative. Approving
    /// turns the planned measures and recommendations into follow-up items.
    #[allow(clippy::too_many_arguments)]
    pub async fn review_narrative(
        &self,
        actor: &Actor,
        node: &str,
        year: i32,
        org: &str,
        transition: Transition,
        comment: &str,
        op: &str,
    ) -> Result<SubmissionStatus, ServiceError> {
        let (_, _, n, _) = self.narrative_scope(actor, node, year, org).await?;
        decide(
            actor,
            if transition == Transition::Unlock {
                Action::UnlockValues
            } else {
                Action::ReviewValues
            },
        )?;
        let mut n = n.ok_or_else(wrong_state)?;
        let current = SubmissionStatus::parse(&n.status);
        let status = rp::next(current, transition).ok_or_else(wrong_state)?;
        if transition == Transition::Return && comment.trim().is_empty() {
            return Err(DomainError::new("comment", ErrorCode::Required).into());
        }
        let ts = passerelle_store::now();
        n.status = status.as_str().into();
        if matches!(transition, Transition::Return | Transition::Approve) {
            n.comment = Some(comment.trim().to_string()).filter(|c| !c.is_empty());
        }
        n.updated_by = Some(actor.user.id.0);
        n.updated_at = ts.clone();
        if transition == Transition::Approve {
            n.approved_by = Some(actor.user.id.0);
            n.approved_at = Some(ts);
        }
        let mut tx = self.store.begin().await?;
        let id = st::save_narrative(&mut tx, &n).await?;
        let mut items = 0;
        let mut tracked = Vec::new();
        if transition == Transition::Approve {
            for (s, text) in parse_sections(&n.sections) {
                if !s.is_tracked() {
                    continue;
                }
                for (i, line) in followup_items(&text.fr).into_iter().enumerate() {
                    let text_line = line.clone();
                    st::add_followup(
                        &mut tx,
                        &Followup {
                            followup_id: 0,
                            origin: "report_narrative".into(),
                            narrative_id: id,
                            framework_code: n.framework_code.clone(),
                            node_code: n.node_code.clone(),
                            organisation_code: n.organisation_code.clone(),
                            year: n.year,
                            section: s.as_str().into(),
                            position: i as i64 + 1,
                            text: line,
                            status: "open".into(),
                            status_note: None,
                        },
                        actor.user.id.0,
                    )
                    .await?;
                    tracked.push(crate::governance::ReportItem {
                        framework: n.framework_code.clone(),
                        node: n.node_code.clone(),
                        year: n.year + 1,
                        origin: if s == Section::Planned {
                            ActionOrigin::PlannedMeasure
                        } else {
                            ActionOrigin::Recommendation
                        },
                        title: item_title(&text_line),
                        owner: n.organisation_code.clone(),
                        due_on: Some(format!("{}-12-31", n.year + 1)),
                        source_ref: Some(format!(
                            "{} {} {} #{}",
                            n.year,
                            n.node_code,
                            s.as_str(),
                            i + 1
                        )),
                    });
                    items += 1;
                }
            }
            // The same items in the governance tracker, owned by the organisation that
            // wrote them, due by the end of next year, with the body steering the
            // programme: in this transaction, so approval and tracking go together.
            crate::governance::track_items(&mut tx, Some(actor), &tracked, op).await?;
        }
        let action = transition.review_action();
        audit::append(
            &mut tx,
            audit_row(
                Some(actor),
                op,
                action,
                "report_narrative",
                Some(id.to_string()),
                json!({"comment": comment.trim(), "followup_items": items}),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(status)
    }

    /// The follow-up items that came out of `year`'s narratives (listed in the
    /// report of `year + 1`).
    pub async fn followups(
        &self,
        actor: &Actor,
        year: i32,
    ) -> Result<Vec<FollowupView>, ServiceError> {
        decide(actor, Action::ViewDirectory)?;
        let y = parse_year(year)?;
        let progs = self.report_programmes().await?;
        let mut conn = self.store.conn().await?;
        Ok(st::followups(&mut conn, y)
            .await?
            .into_iter()
            .map(|item| FollowupView {
                node_title: progs
                    .iter()
                    .find(|p| p.code == item.node_code)
                    .map(|p| p.title.clone())
                    .unwrap_or_default(),
                item,
            })
            .collect())
    }

    /// Sets a follow-up item's status (the secretariat, or the item's organisation).
    pub async fn set_followup_status(
        &self,
        actor: &Actor,
        id: i64,
        status: &str,
        note: &str,
        op: &str,
    ) -> Result<(), ServiceError> {
        if !passerelle_domain::report::FOLLOWUP_STATUSES.contains(&status) {
            return Err(DomainError::with_value("status", ErrorCode::UnknownValue, status).into());
        }
        let mut tx = self.store.begin().await?;
        let row: Option<String> = {
            let all = st::followups_by_id(&mut tx, id).await?;
            all.map(|f| f.organisation_code)
        };
        let org = row.ok_or(ServiceError::NotFound)?;
        let org_id = orgs::by_code(&mut tx, &OrgCode::parse(&org)?)
            .await?
            .ok_or(ServiceError::NotFound)?
            .id;
        if decide(actor, Action::ReviewValues).is_err() {
            decide(actor, Action::ReportValues(org_id))?;
        }
        let note = note.trim();
        st::set_followup_status(
            &mut tx,
            id,
            status,
            Some(note).filter(|n| !n.is_empty()),
            actor.user.id.0,
        )
        .await?;
        audit::append(
            &mut tx,
            audit_row(
                Some(actor),
                op,
                "set_status",
                "report_followup",
                Some(id.to_string()),
                json!({"status": status}),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Freezes every figure the report of `year` prints (with its sources), the
    /// approved narratives and the previous year's follow-up items. `actor` is `None`
    /// for the operator (the CLI).
    pub async fn take_snapshot(
        &self,
        actor: Option<&Actor>,
        year: i32,
        label: &str,
        op: &str,
    ) -> Result<SnapshotInfo, ServiceError> {
        if let Some(a) = actor {
            decide(a, Action::ReviewValues)?;
        }
        let y = parse_year(year)?;
        let label = label.trim();
        if label.chars().count() > 200 {
            return Err(DomainError::new("label", ErrorCode::Length).into());
        }
        let content = self.snapshot_content(year).await?;
        let text =
            serde_json::to_string(&content).map_err(|e| ServiceError::Internal(e.to_string()))?;
        let hash = content_hash(&content);
        let mut tx = self.store.begin().await?;
        let id = st::insert_snapshot(&mut tx, y, label, &text, &hash, actor.map(|a| a.user.id.0))
            .await?;
        audit::append(
            &mut tx,
            audit_row(
                actor,
                op,
                "snapshot",
                "report_snapshot",
                Some(id.to_string()),
                json!({"year": year, "hash": hash, "figures": content.figures.len(), "narratives": content.narratives.len()}),
            ),
        )
        .await?;
        tx.commit().await?;
        let mut conn = self.store.conn().await?;
        st::snapshot(&mut conn, id)
            .await?
            .map(|(i, _)| i)
            .ok_or(ServiceError::NotFound)
    }

    /// The snapshots, newest first (of one year when given).
    pub async fn snapshots(
        &self,
        actor: Option<&Actor>,
        year: Option<i32>,
    ) -> Result<Vec<SnapshotInfo>, ServiceError> {
        if let Some(a) = actor {
            decide(a, Action::ViewDirectory)?;
        }
        let mut conn = self.store.conn().await?;
        Ok(st::snapshots(&mut conn, year.map(i64::from)).await?)
    }

    /// One snapshot: `id`, or the latest of `year`. An unknown id (or a year without
    /// any) is `UnknownSnapshot`, whose value lists the snapshots that exist.
    pub async fn snapshot(
        &self,
        actor: Option<&Actor>,
        id: Option<i64>,
        year: Option<i32>,
    ) -> Result<(SnapshotInfo, SnapshotContent), ServiceError> {
        if let Some(a) = actor {
            decide(a, Action::ViewDirectory)?;
        }
        let mut conn = self.store.conn().await?;
        let wanted = match id {
            Some(id) => Some(id),
            None => st::snapshots(&mut conn, year.map(i64::from))
                .await?
                .first()
                .map(|s| s.snapshot_id),
        };
        let found = match wanted {
            Some(id) => st::snapshot(&mut conn, id).await?,
            None => None,
        };
        match found {
            Some((info, text)) if year.is_none_or(|y| y == info.year) => {
                let content: SnapshotContent = serde_json::from_str(&text)
                    .map_err(|e| ServiceError::Internal(e.to_string()))?;
                Ok((info, content))
            }
            _ => {
                let all = st::snapshots(&mut conn, None).await?;
                let list: Vec<String> = all
                    .iter()
                    .map(|s| format!("{} ({})", s.snapshot_id, s.year))
                    .collect();
                let asked = match (id, year) {
                    (Some(id), _) => id.to_string(),
                    (None, Some(y)) => y.to_string(),
                    (None, None) => String::new(),
                };
                Err(DomainError::with_value(
                    "snapshot",
                    ErrorCode::UnknownSnapshot,
                    format!(
                        "{asked} → {}",
                        if list.is_empty() {
                            "—".to_string()
                        } else {
                            list.join(", ")
                        }
                    ),
                )
                .into())
            }
        }
    }

    async fn snapshot_content(&self, year: i32) -> Result<SnapshotContent, ServiceError> {
        let def = self.report_framework().await?;
        let progs = programmes(&def);
        let mut conn = self.store.conn().await?;
        let y = year as i64;
        let org_names: BTreeMap<String, Title> = orgs::list(&mut conn)
            .await?
            .into_iter()
            .map(|o| {
                (
                    o.code.as_str().to_string(),
                    Title {
                        fr: o.name_fr,
                        ar: o.name_ar,
                        en: o.name_en,
                    },
                )
            })
            .collect();

        let mut narratives = Vec::new();
        for n in st::narratives(&mut conn, y, None).await? {
            let Some(SubmissionStatus::Approved | SubmissionStatus::Locked) =
                SubmissionStatus::parse(&n.status)
            else {
                continue;
            };
            let title = org_names
                .get(&n.organisation_code)
                .cloned()
                .unwrap_or_else(|| Title {
                    fr: n.organisation_code.clone(),
                    ar: None,
                    en: None,
                });
            narratives.push(SnapNarrative {
                narrative_id: n.narrative_id,
                organisation_name: title.fr.clone(),
                organisation_title: title,
                node_code: n.node_code,
                organisation_code: n.organisation_code,
                approved_at: n.approved_at.unwrap_or_default(),
                sections: parse_sections(&n.sections)
                    .into_iter()
                    .filter(|(_, t)| !t.fr.is_empty())
                    .collect(),
            });
        }

        let followups = st::followups(&mut conn, y - 1)
            .await?
            .into_iter()
            .map(|f| SnapFollowup {
                item_id: f.followup_id,
                node_code: f.node_code,
                organisation_code: f.organisation_code,
                section: Section::parse(&f.section).unwrap_or(Section::Recommendations),
                text: f.text,
                status: f.status,
            })
            .collect();

        // Territory names, for the rows broken down by region.
        let mut names: BTreeMap<String, Title> = BTreeMap::new();
        let mut figures = Vec::new();
        drop(conn);
        for ind in &def.indicators {
            let Some(programme) = programme_of(&def, &ind.node) else {
                continue;
            };
            let periods = {
                let mut conn = self.store.conn().await?;
                values::periods(&mut conn, &ind.code).await?
            };
            let with_end: Vec<(String, i32)> = periods
                .iter()
                .filter_map(|p| Some((p.clone(), end_year(p)?)))
                .collect();
            // The periods ending in the report's year; else the latest before it (the
            // 2020 report prints 2019 trafficking figures).
            let mut chosen: Vec<String> = with_end
                .iter()
                .filter(|(_, e)| *e == year)
                .map(|(p, _)| p.clone())
                .collect();
            if chosen.is_empty()
                && let Some((p, _)) = with_end
                    .iter()
                    .filter(|(_, e)| *e < year)
                    .max_by_key(|(_, e)| *e)
            {
                chosen.push(p.clone());
            }
            chosen.sort();
            for period in &chosen {
                let raw = {
                    let mut conn = self.store.conn().await?;
                    values::for_indicator(&mut conn, &ind.code, period, &["approved"]).await?
                };
                let mut breakdowns: Vec<String> = vec!["territory".into()];
                breakdowns.extend(
                    ind.dimensions
                        .iter()
                        .filter(|d| d.as_str() != "territory")
                        .cloned(),
                );
                let mut produced = false;
                let mut total_row: Option<SnapRow> = None;
                for by in &breakdowns {
                    let table = self
                        .indicator_values(
                            None,
                            &ValuesQuery {
                                indicator: ind.code.clone(),
                                period: period.clone(),
                                territory: None,
                                by: vec![by.clone()],
                                include_submitted: false,
                                audience: Default::default(),
                            },
                        )
                        .await?;
                    if total_row.is_none()
                        && let Some(t) = &table.total
                    {
                        total_row = Some(SnapRow {
                            key: String::new(),
                            label: Title::default(),
                            value: t.value,
                            qualifier: t.qualifier.as_str().into(),
                            sources: self
                                .sources_of(&raw, &t.organisations, "MA", "", period, &ind.code)
                                .await?,
                        });
                    }
                    if table.rows.is_empty() {
                        continue;
                    }
                    let mut rows = Vec::new();
                    for line in &table.rows {
                        let key = line
                            .dims
                            .first()
                            .map(|(_, v)| v.clone())
                            .unwrap_or_default();
                        let label = if by == "territory" {
                            match names.get(&key) {
                                Some(t) => t.clone(),
                                None => {
                                    let t = self.territory_title(&key).await?;
                                    names.insert(key.clone(), t.clone());
                                    t
                                }
                            }
                        } else {
                            Title {
                                fr: key.clone(),
                                ar: None,
                                en: None,
                            }
                        };
                        let (terr, cells) = if by == "territory" {
                            (key.clone(), String::new())
                        } else {
                            ("MA".to_string(), format!("{by}={key}"))
                        };
                        rows.push(SnapRow {
                            sources: self
                                .sources_of(
                                    &raw,
                                    &line.organisations,
                                    &terr,
                                    &cells,
                                    period,
                                    &ind.code,
                                )
                                .await?,
                            key,
                            label,
                            value: line.value,
                            qualifier: line.qualifier.as_str().into(),
                        });
                    }
                    figures.push(SnapFigure {
                        indicator: ind.code.clone(),
                        title: ind.title.clone(),
                        unit: ind.unit.clone(),
                        programme: programme.clone(),
                        period: period.clone(),
                        breakdown: by.clone(),
                        rows,
                        total: total_row.clone(),
                    });
                    produced = true;
                }
                if !produced && total_row.is_some() {
                    figures.push(SnapFigure {
                        indicator: ind.code.clone(),
                        title: ind.title.clone(),
                        unit: ind.unit.clone(),
                        programme: programme.clone(),
                        period: period.clone(),
                        breakdown: "total".into(),
                        rows: vec![],
                        total: total_row,
                    });
                }
            }
            // A yearly series (assisted voluntary return, 2005–2020): one more table
            // over the periods up to the report's year.
            let yearly: Vec<&(String, i32)> = with_end
                .iter()
                .filter(|(p, e)| *e <= year && p.len() == 4)
                .collect();
            if yearly.len() >= 3 && !ind.cumulative {
                let mut rows = Vec::new();
                let mut sorted = yearly.clone();
                sorted.sort();
                for (p, _) in sorted {
                    let raw = {
                        let mut conn = self.store.conn().await?;
                        values::for_indicator(&mut conn, &ind.code, p, &["approved"]).await?
                    };
                    let nat: Vec<_> = raw
                        .iter()
                        .filter(|v| v.territory_code == "MA" && v.cells.is_empty())
                        .collect();
                    if nat.is_empty() {
                        continue;
                    }
                    let orgs: Vec<String> =
                        nat.iter().map(|v| v.organisation_code.clone()).collect();
                    rows.push(SnapRow {
                        key: p.clone(),
                        label: Title {
                            fr: p.clone(),
                            ar: None,
                            en: None,
                        },
                        value: nat.iter().map(|v| v.value).sum(),
                        qualifier: nat
                            .iter()
                            .map(|v| v.qualifier.clone())
                            .find(|q| q != "exact")
                            .unwrap_or_else(|| "exact".into()),
                        sources: self.sources_of(&raw, &orgs, "MA", "", p, &ind.code).await?,
                    });
                }
                if rows.len() >= 3 {
                    figures.push(SnapFigure {
                        indicator: ind.code.clone(),
                        title: ind.title.clone(),
                        unit: ind.unit.clone(),
                        programme: programme.clone(),
                        period: format!(
                            "{}–{}",
                            rows.first().map(|r| r.key.as_str()).unwrap_or(""),
                            rows.last().map(|r| r.key.as_str()).unwrap_or("")
                        ),
                        breakdown: "period".into(),
                        rows,
                        total: None,
                    });
                }
            }
        }
        Ok(SnapshotContent {
            year,
            framework: def.code.clone(),
            framework_title: def.title.clone(),
            programmes: progs,
            narratives,
            figures,
            followups,
        })
    }

    async fn territory_title(&self, code: &str) -> Result<Title, ServiceError> {
        let mut conn = self.store.conn().await?;
        let t = match passerelle_domain::TerritoryCode::parse(code) {
            Ok(c) => territories::get(&mut conn, &c).await?,
            Err(_) => None,
        };
        Ok(match t {
            Some(t) => Title {
                fr: t.name_fr,
                ar: t.name_ar,
                en: t.name_en,
            },
            None => Title {
                fr: code.to_string(),
                ar: None,
                en: None,
            },
        })
    }

    /// The sources of one figure: the stored rows it sums (file and line, or the
    /// submission), and "records" with the counting rule when people were counted
    /// from case records.
    async fn sources_of(
        &self,
        raw: &[values::DataValue],
        organisations: &[String],
        territory: &str,
        cells: &str,
        period: &str,
        indicator: &str,
    ) -> Result<Vec<SnapSource>, ServiceError> {
        let mut out = Vec::new();
        for v in raw
            .iter()
            .filter(|v| v.territory_code == territory && v.cells == cells)
        {
            let src = v.source.clone().unwrap_or_default();
            let s = if let Some(dataset) = src.strip_prefix("form:") {
                let mut conn = self.store.conn().await?;
                let id =
                    st::submission_id(&mut conn, dataset, &v.organisation_code, &v.period).await?;
                SnapSource {
                    kind: "submission".into(),
                    organisation: v.organisation_code.clone(),
                    period: v.period.clone(),
                    reference: match id {
                        Some(id) => format!("{dataset} #{id}"),
                        None => dataset.to_string(),
                    },
                }
            } else {
                SnapSource {
                    kind: "import".into(),
                    organisation: v.organisation_code.clone(),
                    period: v.period.clone(),
                    reference: match v.source_line {
                        Some(l) => format!("{src}:{l}"),
                        None => src,
                    },
                }
            };
            if !out.contains(&s) {
                out.push(s);
            }
        }
        if organisations.iter().any(|o| o == "records")
            && let Some(rule) = crate::records::source(indicator)
        {
            out.push(SnapSource {
                kind: "records".into(),
                organisation: rule.organisations.join(", "),
                period: period.to_string(),
                reference: rule.services.join(", "),
            });
        }
        Ok(out)
    }
}

/// A follow-up action's title from a line of a narrative: the line, cut at 480
/// characters on a character boundary.
fn item_title(line: &str) -> String {
    if line.chars().count() <= 480 {
        line.to_string()
    } else {
        let cut: String = line.chars().take(479).collect();
        format!("{cut}…")
    }
}
