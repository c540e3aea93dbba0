//! Governance of the strategy: the bodies and their members, meetings planned and
//! held, decisions and the follow-up actions they create, and the committee brief.
//!
//! Access: the secretariat and administrators manage everything
//! (`Action::ManageGovernance`); users of a member organisation (or of its parent:
//! an ANAPEC agency sits through ANAPEC) and viewers see a body, its meetings and
//! its brief (`Action::ViewBody`); the owner organisation's focal points and
//! supervisors update their actions (`Action::UpdateFollowUp`). A body the actor
//! may not see answers `NotFound`, as if it did not exist.
//!
//! The brief ([`Service::brief`]) never copies a figure: each indicator's latest
//! value and the one before are asked of the indicator engine
//! (`values::compute_values`) for the periods that had begun by the brief's date.

use crate::access::{Action, decide};
use crate::auth::Actor;
use crate::error::ServiceError;
use crate::values::GridQuery;
use crate::{Service, audit_row};
use passerelle_domain::framework::{ActionStatus, FrameworkDef, ProgressBand, Title};
use passerelle_domain::governance::{
    self as gov, ALERT_RULES, ActionInput, ActionOrigin, AlertKind, AlertRule, BodiesFile, Day,
    FollowUpStatus, GovIssue, MeetingInput, MeetingStatus, Presence, Trend,
};
use passerelle_domain::{DomainError, ErrorCode, OrgCode, OrgId, Period};
use passerelle_store::governance::{self as st, ActionRow, BodyRow, MeetingRow, MemberRow};
use passerelle_store::{Conn, audit, frameworks, orgs, reporting};
use serde::Serialize;
use serde_json::json;
use std::collections::{BTreeMap, HashMap, HashSet};

/// The shipped description: `data/governance/bodies.json` and `meetings.csv`.
pub const SHIPPED_BODIES: &str = include_str!("../../../data/governance/bodies.json");
pub const SHIPPED_MEETINGS: &str = include_str!("../../../data/governance/meetings.csv");

/// Today, as the service judges "in the future" and "overdue".
pub fn today() -> Day {
    let d = time::OffsetDateTime::now_utc().date();
    let s = format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day());
    Day::parse("today", &s).unwrap_or_else(|_| Day::parse("today", "2000-01-01").expect("a day"))
}

/// Why a governance import was refused.
#[derive(Debug)]
pub enum GovImportError {
    Invalid(Vec<GovIssue>),
    Service(ServiceError),
}

impl<E: Into<ServiceError>> From<E> for GovImportError {
    fn from(e: E) -> Self {
        GovImportError::Service(e.into())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GovImportSummary {
    pub bodies: usize,
    pub members: usize,
    pub meetings_added: usize,
    pub meetings_unchanged: usize,
}

/// A body as lists and pages show it.
#[derive(Debug, Clone, Serialize)]
pub struct BodyView {
    pub code: String,
    pub kind: String,
    pub name: Title,
    pub legal_basis: Option<String>,
    pub frequency: Option<String>,
    pub parent: Option<String>,
    pub source: Option<String>,
    /// (framework, node, title) steered.
    pub steers: Vec<(String, String, Title)>,
    pub members: Vec<MemberView>,
    /// Meetings per year: planned (expected) vs held.
    pub years: Vec<YearRate>,
    pub member_of: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct MemberView {
    pub organisation: String,
    pub name: Title,
    pub role: String,
    pub title: Option<String>,
}

/// Meetings of one year: recorded, held, postponed or cancelled, expected from the
/// body's frequency, and the share held of what was planned.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct YearRate {
    pub year: i64,
    pub recorded: i64,
    pub held: i64,
    pub not_held: i64,
    /// From the frequency (12 for monthly), or what was recorded when the body has none.
    pub expected: i64,
    /// held / max(expected, recorded).
    pub rate: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct MeetingView {
    pub id: i64,
    pub body: String,
    pub body_name: Title,
    pub planned_on: String,
    pub status: String,
    pub held_on: Option<String>,
    pub place: Option<String>,
    pub minutes: Option<String>,
    pub source: Option<String>,
    pub agenda: Vec<String>,
    /// Every member organisation once, with its presence when recorded.
    pub attendance: Vec<(String, Title, Option<String>)>,
    pub decisions: Vec<DecisionView>,
    pub actions: Vec<FollowUpView>,
    pub can_manage: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct DecisionView {
    pub id: i64,
    pub text: String,
    pub illustrative: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct FollowUpView {
    pub id: i64,
    pub body: Option<String>,
    pub title: String,
    pub origin: String,
    pub source_ref: Option<String>,
    pub framework: Option<String>,
    pub node: Option<String>,
    pub year: Option<i64>,
    pub owner: String,
    pub owner_name: Title,
    pub due_on: Option<String>,
    pub status: String,
    pub overdue: bool,
    pub illustrative: bool,
    pub meeting_id: Option<i64>,
    pub reviewed_meeting_id: Option<i64>,
    pub can_update: bool,
    /// (status, note, by, at), oldest first; filled on request.
    pub history: Vec<(String, Option<String>, Option<String>, String)>,
}

/// Filters of the actions tracker.
#[derive(Debug, Clone, Default)]
pub struct ActionFilter {
    pub body: Option<String>,
    pub owner: Option<String>,
    pub status: Option<String>,
    pub overdue: bool,
}

/// A tracked item the yearly report creates: a recommendation or a planned measure
/// of a programme, for a year.
#[derive(Debug, Clone)]
pub struct ReportItem {
    pub framework: String,
    pub node: String,
    pub year: i64,
    pub origin: ActionOrigin,
    pub title: String,
    pub owner: String,
    pub due_on: Option<String>,
    pub source_ref: Option<String>,
}

// ---- the brief ----

#[derive(Debug, Clone, Serialize)]
pub struct Brief {
    pub body: String,
    pub body_name: Title,
    pub date: String,
    pub meeting: Option<MeetingRef>,
    /// The last meeting held before the brief's date: "since the last meeting".
    pub previous_meeting: Option<MeetingRef>,
    pub programmes: Vec<BriefProgramme>,
    pub submissions: Vec<BriefSubmission>,
    pub follow_ups: Vec<FollowUpView>,
    pub alerts: Vec<Alert>,
    pub rules: Vec<AlertRule>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MeetingRef {
    pub id: i64,
    pub planned_on: String,
    pub held_on: Option<String>,
    pub status: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct BriefProgramme {
    pub framework: String,
    pub code: String,
    pub title: Title,
    /// The nodes under the programme (specific objectives and actions), depth first.
    pub actions: Vec<BriefAction>,
}

#[derive(Debug, Clone, Serialize)]
pub struct BriefAction {
    pub code: String,
    pub level: String,
    pub depth: usize,
    pub title: Title,
    /// From its indicators (`None`: nothing measures it).
    pub status: Option<ActionStatus>,
    pub indicators: Vec<BriefIndicator>,
    pub follow_ups: Vec<i64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct BriefIndicator {
    pub framework: String,
    pub code: String,
    /// The node it is attached to (another framework's node when it contributes).
    pub node: String,
    pub title: Title,
    pub unit: String,
    pub direction: String,
    pub latest: Option<Figure>,
    pub previous: Option<Figure>,
    pub target: Option<Figure>,
    pub progress: Option<f64>,
    pub band: Option<ProgressBand>,
    pub trend: Trend,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Figure {
    pub period: String,
    pub value: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct BriefSubmission {
    pub dataset: String,
    pub dataset_title: Title,
    pub organisation: String,
    pub period: String,
    /// `missing`, `draft` or `returned`.
    pub status: String,
    pub comment: Option<String>,
    pub days_overdue: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Alert {
    pub kind: AlertKind,
    /// What it is about: an indicator code, an action id, `dataset/organisation/period`, a meeting date.
    pub subject: String,
    pub label: Title,
    pub days: Option<i64>,
}

fn member_view(m: &MemberRow) -> MemberView {
    MemberView {
        organisation: m.organisation_code.clone(),
        name: Title {
            fr: m.name_fr.clone(),
            ar: m.name_ar.clone(),
            en: m.name_en.clone(),
        },
        role: m.role.clone(),
        title: m.title.clone(),
    }
}

fn body_name(b: &BodyRow) -> Title {
    Title {
        fr: b.name_fr.clone(),
        ar: b.name_ar.clone(),
        en: b.name_en.clone(),
    }
}

fn year_rates(body: &BodyRow, meetings: &[MeetingRow]) -> Vec<YearRate> {
    let per_year = body
        .frequency
        .as_deref()
        .and_then(|f| gov::Frequency::parse("frequency", f).ok())
        .map(|f| f.per_year());
    let mut years: BTreeMap<i64, (i64, i64)> = BTreeMap::new();
    for m in meetings.iter().filter(|m| m.body_code == body.code) {
        let y: i64 = m
            .planned_on
            .get(..4)
            .and_then(|y| y.parse().ok())
            .unwrap_or(0);
        let e = years.entry(y).or_default();
        e.0 += 1;
        if m.status == MeetingStatus::Held.as_str() {
            e.1 += 1;
        }
    }
    years
        .into_iter()
        .rev()
        .map(|(year, (recorded, held))| {
            let expected = per_year.unwrap_or(recorded);
            let base = expected.max(recorded).max(1);
            YearRate {
                year,
                recorded,
                held,
                not_held: recorded - held,
                expected,
                rate: held as f64 / base as f64,
            }
        })
        .collect()
}

fn follow_up_view(a: &ActionRow, actor: Option<&Actor>, today: &Day) -> FollowUpView {
    let open = FollowUpStatus::parse("status", &a.status).is_ok_and(|s| s.is_open());
    FollowUpView {
        id: a.id,
        body: a.body_code.clone(),
        title: a.title.clone(),
        origin: a.origin.clone(),
        source_ref: a.source_ref.clone(),
        framework: a.framework_code.clone(),
        node: a.node_code.clone(),
        year: a.year,
        owner: a.owner_code.clone(),
        owner_name: Title {
            fr: a.owner_name_fr.clone(),
            ar: a.owner_name_ar.clone(),
            en: a.owner_name_en.clone(),
        },
        due_on: a.due_on.clone(),
        status: a.status.clone(),
        overdue: open && a.due_on.as_deref().is_some_and(|d| d < today.as_str()),
        illustrative: a.illustrative,
        meeting_id: a.meeting_id,
        reviewed_meeting_id: a.reviewed_meeting_id,
        can_update: actor
            .is_some_and(|x| decide(x, Action::UpdateFollowUp(OrgId(a.owner_org_id))).is_ok()),
        history: Vec::new(),
    }
}

/// The organisations whose users sit for `org`: itself and its parent.
async fn sitting_orgs(conn: &mut Conn, actor: &Actor) -> Result<Vec<i64>, ServiceError> {
    let mut out = vec![actor.user.organisation_id.0];
    if let Some(o) = orgs::get(conn, actor.user.organisation_id).await?
        && let Some(p) = o.parent_id
    {
        out.push(p.0);
    }
    Ok(out)
}

impl Service {
    /// Imports the bodies and the meetings calendar, all or nothing: every problem
    /// is reported with its file, line and field. Bodies and members are replaced;
    /// meetings are added when the body has none on that planned date.
    pub async fn import_governance(
        &self,
        actor: Option<&Actor>,
        bodies_json: &str,
        meetings_csv: &str,
        op: &str,
    ) -> Result<GovImportSummary, GovImportError> {
        if let Some(a) = actor {
            decide(a, Action::ManageGovernance)?;
        }
        let file: BodiesFile = serde_json::from_str(bodies_json).map_err(|e| {
            GovImportError::Invalid(vec![GovIssue {
                file: "bodies.json".into(),
                line: e.line() as u64,
                field: "json".into(),
                code: ErrorCode::Format,
                value: e.to_string(),
            }])
        })?;
        let mut issues = gov::check_bodies(&file);
        let codes: Vec<String> = file.bodies.iter().map(|b| b.code.clone()).collect();
        let (meetings, mut meeting_issues) = gov::parse_meetings_csv(meetings_csv, &codes);
        issues.append(&mut meeting_issues);
        let mut tx = self.store.begin().await?;
        // References to the store: organisations and framework nodes.
        let mut org_ids: HashMap<String, i64> = HashMap::new();
        for (i, b) in file.bodies.iter().enumerate() {
            for (k, m) in b.members.iter().enumerate() {
                let code = m.organisation.trim().to_ascii_uppercase();
                let found = match OrgCode::parse(&code) {
                    Ok(c) => orgs::by_code(&mut tx, &c).await?,
                    Err(_) => None,
                };
                match found {
                    Some(o) => {
                        org_ids.insert(code, o.id.0);
                    }
                    None => issues.push(GovIssue {
                        file: "bodies.json".into(),
                        line: 0,
                        field: format!("bodies[{i}].members[{k}].organisation"),
                        code: ErrorCode::UnknownOrganisation,
                        value: code,
                    }),
                }
            }
            for (k, s) in b.steers.iter().enumerate() {
                if let Some((fw, node)) = s.split_once(':')
                    && !frameworks::node_exists(&mut tx, fw, node).await?
                {
                    issues.push(GovIssue {
                        file: "bodies.json".into(),
                        line: 0,
                        field: format!("bodies[{i}].steers[{k}]"),
                        code: ErrorCode::UnknownValue,
                        value: s.clone(),
                    });
                }
            }
        }
        if !issues.is_empty() {
            return Err(GovImportError::Invalid(issues));
        }
        // Parents first: a body's parent must exist when it is written.
        let mut order: Vec<&gov::BodyDef> = Vec::new();
        let mut placed: HashSet<&str> = HashSet::new();
        while order.len() < file.bodies.len() {
            let before = order.len();
            for b in &file.bodies {
                if !placed.contains(b.code.as_str())
                    && b.parent.as_deref().is_none_or(|p| placed.contains(p))
                {
                    placed.insert(&b.code);
                    order.push(b);
                }
            }
            if order.len() == before {
                return Err(GovImportError::Invalid(vec![GovIssue {
                    file: "bodies.json".into(),
                    line: 0,
                    field: "parent".into(),
                    code: ErrorCode::RuleViolated,
                    value: "cycle".into(),
                }]));
            }
        }
        let mut members = 0;
        for b in order {
            let position = file
                .bodies
                .iter()
                .position(|x| x.code == b.code)
                .unwrap_or(0) as i64;
            st::upsert_body(
                &mut tx,
                &BodyRow {
                    code: b.code.clone(),
                    kind: b.kind.clone(),
                    name_fr: b.name.fr.clone(),
                    name_ar: b.name.ar.clone(),
                    name_en: b.name.en.clone(),
                    legal_basis: b.legal_basis.clone(),
                    frequency: b.frequency.clone(),
                    parent_code: b.parent.clone(),
                    source: b.source.clone(),
                    position,
                },
            )
            .await?;
            let nodes: Vec<(String, String)> = b
                .steers
                .iter()
                .filter_map(|s| s.split_once(':'))
                .map(|(f, n)| (f.to_string(), n.to_string()))
                .collect();
            st::set_body_nodes(&mut tx, &b.code, &nodes).await?;
            let rows: Vec<(i64, String, Option<String>)> = b
                .members
                .iter()
                .filter_map(|m| {
                    org_ids
                        .get(&m.organisation.trim().to_ascii_uppercase())
                        .map(|id| (*id, m.role.clone(), m.title.clone()))
                })
                .collect();
            members += rows.len();
            st::set_members(&mut tx, &b.code, &rows).await?;
        }
        let (mut added, mut unchanged) = (0, 0);
        for m in &meetings {
            if st::meeting_on(&mut tx, &m.body, m.planned_on.as_str())
                .await?
                .is_some()
            {
                unchanged += 1;
                continue;
            }
            st::insert_meeting(
                &mut tx,
                &MeetingRow {
                    id: 0,
                    body_code: m.body.clone(),
                    planned_on: m.planned_on.to_string(),
                    status: m.status.as_str().to_string(),
                    held_on: m.held_on.as_ref().map(ToString::to_string),
                    place: m.place.clone(),
                    minutes: None,
                    source: m.source.clone(),
                    updated_by: actor.map(|a| a.user.id.0),
                    updated_at: String::new(),
                },
            )
            .await?;
            added += 1;
        }
        let summary = GovImportSummary {
            bodies: file.bodies.len(),
            members,
            meetings_added: added,
            meetings_unchanged: unchanged,
        };
        audit::append(
            &mut tx,
            audit_row(
                actor,
                op,
                "import_governance",
                "gov_body",
                None,
                json!({"bodies": summary.bodies, "members": members, "meetings_added": added}),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(summary)
    }

    /// Loads the shipped bodies and 2020 calendar when the store has no body yet.
    pub async fn ensure_shipped_governance(&self, op: &str) -> Result<(), ServiceError> {
        let present = {
            let mut conn = self.store.conn().await?;
            !st::bodies(&mut conn).await?.is_empty()
        };
        if present {
            return Ok(());
        }
        match self
            .import_governance(None, SHIPPED_BODIES, SHIPPED_MEETINGS, op)
            .await
        {
            Ok(_) => Ok(()),
            Err(GovImportError::Service(e)) => Err(e),
            Err(GovImportError::Invalid(issues)) => Err(ServiceError::Internal(format!(
                "data/governance: {}",
                issues
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("; ")
            ))),
        }
    }

    /// The bodies the actor may see (every body for the secretariat and viewers;
    /// those their organisation sits on otherwise).
    pub async fn bodies(&self, actor: &Actor) -> Result<Vec<BodyView>, ServiceError> {
        self.bodies_for(Some(actor)).await
    }

    /// `None` is the operator (the command line), who sees every body.
    async fn bodies_for(&self, actor: Option<&Actor>) -> Result<Vec<BodyView>, ServiceError> {
        let mut conn = self.store.conn().await?;
        let sitting = match actor {
            Some(a) => sitting_orgs(&mut conn, a).await?,
            None => Vec::new(),
        };
        let bodies = st::bodies(&mut conn).await?;
        let members = st::members(&mut conn, None).await?;
        let nodes = st::body_nodes(&mut conn).await?;
        let meetings = st::meetings(&mut conn, None).await?;
        let mut titles: HashMap<String, FrameworkDef> = HashMap::new();
        let mut out = Vec::new();
        for b in &bodies {
            let member_of = members
                .iter()
                .any(|m| m.body_code == b.code && sitting.contains(&m.organisation_id));
            if let Some(actor) = actor
                && decide(actor, Action::ViewBody { member: member_of }).is_err()
            {
                continue;
            }
            let mut steers = Vec::new();
            for (_, fw, node) in nodes.iter().filter(|(bc, _, _)| *bc == b.code) {
                if !titles.contains_key(fw)
                    && let Some(def) = frameworks::definition(&mut conn, fw).await?
                {
                    titles.insert(fw.clone(), def);
                }
                let title = titles
                    .get(fw)
                    .and_then(|d| d.nodes.iter().find(|n| n.code == *node))
                    .map(|n| n.title.clone())
                    .unwrap_or_default();
                steers.push((fw.clone(), node.clone(), title));
            }
            out.push(BodyView {
                code: b.code.clone(),
                kind: b.kind.clone(),
                name: body_name(b),
                legal_basis: b.legal_basis.clone(),
                frequency: b.frequency.clone(),
                parent: b.parent_code.clone(),
                source: b.source.clone(),
                steers,
                members: members
                    .iter()
                    .filter(|m| m.body_code == b.code)
                    .map(member_view)
                    .collect(),
                years: year_rates(b, &meetings),
                member_of,
            });
        }
        Ok(out)
    }

    /// One body, or `NotFound` when it does not exist or the actor may not see it.
    pub async fn body(&self, actor: &Actor, code: &str) -> Result<BodyView, ServiceError> {
        self.body_for(Some(actor), code).await
    }

    async fn body_for(&self, actor: Option<&Actor>, code: &str) -> Result<BodyView, ServiceError> {
        let code = code.trim().to_ascii_uppercase();
        self.bodies_for(actor)
            .await?
            .into_iter()
            .find(|b| b.code == code)
            .ok_or(ServiceError::NotFound)
    }

    /// A body's meetings, newest first.
    pub async fn body_meetings(
        &self,
        actor: &Actor,
        code: &str,
    ) -> Result<Vec<MeetingRef>, ServiceError> {
        let body = self.body(actor, code).await?;
        let mut conn = self.store.conn().await?;
        let mut out: Vec<MeetingRef> = st::meetings(&mut conn, Some(&body.code))
            .await?
            .into_iter()
            .map(|m| MeetingRef {
                id: m.id,
                planned_on: m.planned_on,
                held_on: m.held_on,
                status: m.status,
            })
            .collect();
        out.reverse();
        Ok(out)
    }

    /// Plans a meeting of a body (or records one already held). Returns its id.
    pub async fn plan_meeting(
        &self,
        actor: &Actor,
        body: &str,
        input: &MeetingInput,
        op: &str,
    ) -> Result<i64, ServiceError> {
        decide(actor, Action::ManageGovernance)?;
        let body = self.body(actor, body).await?;
        let rec = input.validate(&today()).map_err(ServiceError::Invalid)?;
        let mut tx = self.store.begin().await?;
        let id = st::insert_meeting(
            &mut tx,
            &MeetingRow {
                id: 0,
                body_code: body.code.clone(),
                planned_on: rec.planned_on.to_string(),
                status: rec.status.as_str().to_string(),
                held_on: rec.held_on.as_ref().map(ToString::to_string),
                place: rec.place.clone(),
                minutes: rec.minutes.clone(),
                source: None,
                updated_by: Some(actor.user.id.0),
                updated_at: String::new(),
            },
        )
        .await?;
        st::set_agenda(&mut tx, id, &rec.agenda).await?;
        audit::append(
            &mut tx,
            audit_row(
                Some(actor),
                op,
                "plan_meeting",
                "gov_meeting",
                Some(id.to_string()),
                json!({"body": body.code, "planned_on": rec.planned_on.as_str(), "status": rec.status.as_str()}),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn visible_meeting(
        &self,
        actor: &Actor,
        id: i64,
    ) -> Result<(MeetingRow, BodyView), ServiceError> {
        let m = {
            let mut conn = self.store.conn().await?;
            st::meeting(&mut conn, id)
                .await?
                .ok_or(ServiceError::NotFound)?
        };
        let body = self.body(actor, &m.body_code).await?;
        Ok((m, body))
    }

    pub async fn meeting(&self, actor: &Actor, id: i64) -> Result<MeetingView, ServiceError> {
        let (m, body) = self.visible_meeting(actor, id).await?;
        let mut conn = self.store.conn().await?;
        let agenda = st::agenda(&mut conn, id).await?;
        let present: HashMap<i64, String> =
            st::attendance(&mut conn, id).await?.into_iter().collect();
        let members = st::members(&mut conn, Some(&body.code)).await?;
        let mut attendance: Vec<(String, Title, Option<String>)> = Vec::new();
        let mut seen = HashSet::new();
        for mr in &members {
            if seen.insert(mr.organisation_id) {
                let v = member_view(mr);
                attendance.push((
                    v.organisation,
                    v.name,
                    present.get(&mr.organisation_id).cloned(),
                ));
            }
        }
        let decisions = st::decisions(&mut conn, id)
            .await?
            .into_iter()
            .map(|d| DecisionView {
                id: d.id,
                text: d.text,
                illustrative: d.illustrative,
            })
            .collect();
        let today = today();
        let actions = st::actions(&mut conn)
            .await?
            .iter()
            .filter(|a| a.meeting_id == Some(id) || a.reviewed_meeting_id == Some(id))
            .map(|a| follow_up_view(a, Some(actor), &today))
            .collect();
        Ok(MeetingView {
            id,
            body: body.code.clone(),
            body_name: body.name.clone(),
            planned_on: m.planned_on,
            status: m.status,
            held_on: m.held_on,
            place: m.place,
            minutes: m.minutes,
            source: m.source,
            agenda,
            attendance,
            decisions,
            actions,
            can_manage: decide(actor, Action::ManageGovernance).is_ok(),
        })
    }

    /// Records a meeting: status, dates, place, agenda, minutes and attendance
    /// (organisation code → `present` / `absent` / `excused`; members only). A
    /// meeting cannot be held in the future; every problem comes back at once.
    pub async fn record_meeting(
        &self,
        actor: &Actor,
        id: i64,
        input: &MeetingInput,
        attendance: &[(String, String)],
        op: &str,
    ) -> Result<(), ServiceError> {
        decide(actor, Action::ManageGovernance)?;
        let (m, body) = self.visible_meeting(actor, id).await?;
        let mut errors = Vec::new();
        let rec = input.validate(&today()).map_err(|e| errors.extend(e));
        let mut rows = Vec::new();
        {
            let mut conn = self.store.conn().await?;
            let members = st::members(&mut conn, Some(&body.code)).await?;
            for (org, presence) in attendance {
                if presence.trim().is_empty() {
                    continue;
                }
                let org = org.trim().to_ascii_uppercase();
                let Some(member) = members.iter().find(|x| x.organisation_code == org) else {
                    errors.push(DomainError::with_value(
                        "attendance",
                        ErrorCode::UnknownOrganisation,
                        org,
                    ));
                    continue;
                };
                match Presence::parse("attendance", presence) {
                    Ok(p) => rows.push((member.organisation_id, p.as_str().to_string())),
                    Err(e) => errors.push(e),
                }
            }
        }
        let rec = match rec {
            Ok(r) if errors.is_empty() => r,
            _ => return Err(ServiceError::Invalid(errors)),
        };
        if !rows.is_empty() && rec.status != MeetingStatus::Held {
            return Err(ServiceError::invalid(DomainError::with_value(
                "attendance",
                ErrorCode::WrongState,
                rec.status.as_str(),
            )));
        }
        let mut tx = self.store.begin().await?;
        st::update_meeting(
            &mut tx,
            &MeetingRow {
                planned_on: rec.planned_on.to_string(),
                status: rec.status.as_str().to_string(),
                held_on: rec.held_on.as_ref().map(ToString::to_string),
                place: rec.place.clone(),
                minutes: rec.minutes.clone(),
                updated_by: Some(actor.user.id.0),
                ..m
            },
        )
        .await?;
        st::set_agenda(&mut tx, id, &rec.agenda).await?;
        st::set_attendance(&mut tx, id, &rows).await?;
        audit::append(
            &mut tx,
            audit_row(
                Some(actor),
                op,
                "record_meeting",
                "gov_meeting",
                Some(id.to_string()),
                json!({"status": rec.status.as_str(), "held_on": rec.held_on.as_ref().map(|d| d.as_str()), "attendance": rows.len(), "agenda": rec.agenda.len()}),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records a decision of a held meeting, and the follow-up action it creates
    /// when `action` is given (origin `decision`, the body of the meeting).
    pub async fn add_decision(
        &self,
        actor: &Actor,
        meeting: i64,
        text: &str,
        action: Option<&ActionInput>,
        op: &str,
    ) -> Result<(i64, Option<i64>), ServiceError> {
        decide(actor, Action::ManageGovernance)?;
        let (m, body) = self.visible_meeting(actor, meeting).await?;
        let mut errors = Vec::new();
        let text = text.trim();
        if text.is_empty() {
            errors.push(DomainError::new("decision", ErrorCode::Required));
        } else if text.chars().count() > 2000 {
            errors.push(DomainError::with_value(
                "decision",
                ErrorCode::Length,
                "2000",
            ));
        }
        if m.status != MeetingStatus::Held.as_str() {
            errors.push(DomainError::with_value(
                "decision",
                ErrorCode::WrongState,
                m.status.clone(),
            ));
        }
        let record = match action {
            Some(a) => {
                let a = ActionInput {
                    origin: ActionOrigin::Decision.as_str().into(),
                    ..a.clone()
                };
                match a.validate() {
                    Ok(r) => Some(r),
                    Err(e) => {
                        errors.extend(e);
                        None
                    }
                }
            }
            None => None,
        };
        let mut tx = self.store.begin().await?;
        let owner = match &record {
            Some(r) => resolve_owner(&mut tx, &r.owner, &mut errors).await?,
            None => None,
        };
        if !errors.is_empty() {
            return Err(ServiceError::Invalid(errors));
        }
        let decision =
            st::insert_decision(&mut tx, meeting, text, false, Some(actor.user.id.0)).await?;
        let mut action_id = None;
        if let (Some(r), Some(owner)) = (record, owner) {
            let id = st::insert_action(
                &mut tx,
                &ActionRow {
                    body_code: Some(body.code.clone()),
                    title: r.title.clone(),
                    origin: r.origin.as_str().into(),
                    source_ref: r.source_ref.clone(),
                    decision_id: Some(decision),
                    owner_org_id: owner,
                    due_on: r.due_on.as_ref().map(ToString::to_string),
                    status: FollowUpStatus::Open.as_str().into(),
                    reviewed_meeting_id: Some(meeting),
                    ..Default::default()
                },
                Some(actor.user.id.0),
            )
            .await?;
            st::add_note(
                &mut tx,
                id,
                FollowUpStatus::Open.as_str(),
                None,
                Some(actor.user.id.0),
            )
            .await?;
            action_id = Some(id);
        }
        audit::append(
            &mut tx,
            audit_row(
                Some(actor),
                op,
                "add_decision",
                "gov_decision",
                Some(decision.to_string()),
                json!({"meeting": meeting, "action": action_id}),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok((decision, action_id))
    }

    /// Creates follow-up actions from the yearly report: its recommendations and
    /// planned measures, each attached to a framework node (a programme), a year and
    /// an owner organisation; the body is the one steering that node (or one of its
    /// ancestors). Items already tracked (same title, origin and source) are skipped.
    /// Returns the ids created. All or nothing.
    pub async fn track_from_report(
        &self,
        actor: Option<&Actor>,
        items: &[ReportItem],
        op: &str,
    ) -> Result<Vec<i64>, ServiceError> {
        if let Some(a) = actor {
            decide(a, Action::ManageGovernance)?;
        }
        let mut tx = self.store.begin().await?;
        let ids = track_items(&mut tx, actor, items, op).await?;
        tx.commit().await?;
        Ok(ids)
    }

    /// Creates an illustrative follow-up action for the demo (marked as such).
    pub(crate) async fn demo_follow_up(
        &self,
        meeting: i64,
        decision: &str,
        action: &ActionInput,
        op: &str,
    ) -> Result<(), ServiceError> {
        let rec = action.validate().map_err(ServiceError::Invalid)?;
        let mut tx = self.store.begin().await?;
        let m = st::meeting(&mut tx, meeting)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let mut errors = Vec::new();
        let Some(owner) = resolve_owner(&mut tx, &rec.owner, &mut errors).await? else {
            return Err(ServiceError::Invalid(errors));
        };
        let d = st::insert_decision(&mut tx, meeting, decision, true, None).await?;
        let id = st::insert_action(
            &mut tx,
            &ActionRow {
                body_code: Some(m.body_code.clone()),
                title: rec.title,
                origin: rec.origin.as_str().into(),
                source_ref: rec.source_ref,
                decision_id: Some(d),
                owner_org_id: owner,
                due_on: rec.due_on.map(|d| d.to_string()),
                status: FollowUpStatus::Open.as_str().into(),
                illustrative: true,
                reviewed_meeting_id: Some(meeting),
                ..Default::default()
            },
            None,
        )
        .await?;
        st::add_note(&mut tx, id, FollowUpStatus::Open.as_str(), None, None).await?;
        audit::append(
            &mut tx,
            audit_row(
                None,
                op,
                "add_decision",
                "gov_decision",
                Some(d.to_string()),
                json!({"illustrative": true, "action": id}),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The actions tracker: the secretariat, administrators and viewers see every
    /// action; others the actions of the bodies they sit on and those they own.
    pub async fn follow_ups(
        &self,
        actor: &Actor,
        filter: &ActionFilter,
    ) -> Result<Vec<FollowUpView>, ServiceError> {
        let bodies: Vec<String> = self
            .bodies(actor)
            .await?
            .into_iter()
            .map(|b| b.code)
            .collect();
        let mut conn = self.store.conn().await?;
        let sitting = sitting_orgs(&mut conn, actor).await?;
        let all_visible = decide(actor, Action::ViewBody { member: false }).is_ok();
        if let Some(s) = filter.status.as_deref().filter(|s| !s.is_empty()) {
            FollowUpStatus::parse("status", s)?;
        }
        let today = today();
        let rows = st::actions(&mut conn).await?;
        Ok(rows
            .iter()
            .filter(|a| {
                all_visible
                    || sitting.contains(&a.owner_org_id)
                    || a.body_code.as_ref().is_some_and(|b| bodies.contains(b))
            })
            .filter(|a| {
                filter
                    .body
                    .as_deref()
                    .filter(|b| !b.is_empty())
                    .is_none_or(|b| a.body_code.as_deref() == Some(&b.to_ascii_uppercase()))
            })
            .filter(|a| {
                filter
                    .owner
                    .as_deref()
                    .filter(|o| !o.is_empty())
                    .is_none_or(|o| a.owner_code.eq_ignore_ascii_case(o.trim()))
            })
            .filter(|a| {
                filter
                    .status
                    .as_deref()
                    .filter(|s| !s.is_empty())
                    .is_none_or(|s| a.status == s)
            })
            .map(|a| follow_up_view(a, Some(actor), &today))
            .filter(|v| !filter.overdue || v.overdue)
            .collect())
    }

    /// One action with its history.
    pub async fn follow_up(&self, actor: &Actor, id: i64) -> Result<FollowUpView, ServiceError> {
        let mut v = self
            .follow_ups(actor, &ActionFilter::default())
            .await?
            .into_iter()
            .find(|a| a.id == id)
            .ok_or(ServiceError::NotFound)?;
        let mut conn = self.store.conn().await?;
        v.history = st::notes(&mut conn, id)
            .await?
            .into_iter()
            .map(|n| (n.status, n.note, n.created_by, n.created_at))
            .collect();
        Ok(v)
    }

    /// Sets an action's status and adds a progress note (its history keeps both).
    /// Only the owner organisation's focal points and supervisors, and the
    /// secretariat, may; anyone else gets `Forbidden` (or `NotFound` when they may
    /// not even see it).
    pub async fn update_follow_up(
        &self,
        actor: &Actor,
        id: i64,
        status: &str,
        note: &str,
        op: &str,
    ) -> Result<(), ServiceError> {
        let current = self.follow_up(actor, id).await?;
        let row = {
            let mut conn = self.store.conn().await?;
            st::action(&mut conn, id)
                .await?
                .ok_or(ServiceError::NotFound)?
        };
        decide(actor, Action::UpdateFollowUp(OrgId(row.owner_org_id)))?;
        let mut errors = Vec::new();
        let status = FollowUpStatus::parse("status", status).map_err(|e| errors.push(e));
        let note = note.trim();
        if note.chars().count() > 4000 {
            errors.push(DomainError::with_value("note", ErrorCode::Length, "4000"));
        }
        let status = match status {
            Ok(s) if errors.is_empty() => s,
            _ => return Err(ServiceError::Invalid(errors)),
        };
        if status.as_str() == current.status && note.is_empty() {
            return Err(ServiceError::invalid(DomainError::new(
                "note",
                ErrorCode::Required,
            )));
        }
        let mut tx = self.store.begin().await?;
        st::set_action_status(&mut tx, id, status.as_str(), None).await?;
        st::add_note(
            &mut tx,
            id,
            status.as_str(),
            Some(note).filter(|n| !n.is_empty()),
            Some(actor.user.id.0),
        )
        .await?;
        audit::append(
            &mut tx,
            audit_row(
                Some(actor),
                op,
                "update_follow_up",
                "gov_action",
                Some(id.to_string()),
                json!({"from": current.status, "to": status.as_str()}),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The committee brief of a body for a meeting (its planned date) or a date
    /// (today by default): for each programme it steers, each node under it with its
    /// indicators' latest and previous figures from the engine, targets, progress and
    /// trend; submissions overdue or returned; follow-up actions; and the alerts to
    /// raise to the steering committee by [`ALERT_RULES`].
    pub async fn brief(
        &self,
        actor: Option<&Actor>,
        body: &str,
        meeting: Option<i64>,
        date: Option<&str>,
    ) -> Result<Brief, ServiceError> {
        let body = self.body_for(actor, body).await?;
        let mut conn = self.store.conn().await?;
        let meetings = st::meetings(&mut conn, Some(&body.code)).await?;
        let this_meeting = match meeting {
            Some(id) => Some(
                meetings
                    .iter()
                    .find(|m| m.id == id)
                    .cloned()
                    .ok_or(ServiceError::NotFound)?,
            ),
            None => None,
        };
        let date = match (&this_meeting, date.map(str::trim).filter(|d| !d.is_empty())) {
            (_, Some(d)) => Day::parse("date", d)?,
            (Some(m), None) => Day::parse("date", m.held_on.as_deref().unwrap_or(&m.planned_on))?,
            (None, None) => today(),
        };
        let as_ref = |m: &MeetingRow| MeetingRef {
            id: m.id,
            planned_on: m.planned_on.clone(),
            held_on: m.held_on.clone(),
            status: m.status.clone(),
        };
        let previous = meetings
            .iter()
            .filter(|m| m.status == MeetingStatus::Held.as_str())
            .filter(|m| m.held_on.as_deref().unwrap_or(&m.planned_on) < date.as_str())
            .filter(|m| Some(m.id) != this_meeting.as_ref().map(|x| x.id))
            .max_by(|a, b| a.held_on.cmp(&b.held_on));
        let previous_ref = previous.map(as_ref);
        let previous_date = previous
            .and_then(|m| m.held_on.clone())
            .unwrap_or_else(|| date.to_string());

        // The nodes under each steered programme, and the indicators measuring them.
        let mut defs: HashMap<String, FrameworkDef> = HashMap::new();
        for (fw, _, _) in &body.steers {
            if !defs.contains_key(fw)
                && let Some(d) = frameworks::definition(&mut conn, fw).await?
            {
                defs.insert(fw.clone(), d);
            }
        }
        let mut contributions: Vec<(String, String, String)> = Vec::new();
        for fw in defs.keys().cloned().collect::<Vec<_>>() {
            contributions.extend(frameworks::contributions_to(&mut conn, &fw).await?);
        }
        for (other, _, _) in &contributions {
            if !defs.contains_key(other)
                && let Some(d) = frameworks::definition(&mut conn, other).await?
            {
                defs.insert(other.clone(), d);
            }
        }
        // (framework, node) → indicators attached (own, then contributing nodes').
        let indicators_of = |fw: &str, node: &str| -> Vec<(String, String)> {
            let mut out: Vec<(String, String)> = defs
                .get(fw)
                .map(|d| {
                    d.indicators
                        .iter()
                        .filter(|i| i.node == node)
                        .map(|i| (fw.to_string(), i.code.clone()))
                        .collect()
                })
                .unwrap_or_default();
            for (other, from, to) in &contributions {
                if to == node
                    && let Some(d) = defs.get(other)
                {
                    for i in d.indicators.iter().filter(|i| i.node == *from) {
                        if !out.iter().any(|(_, c)| *c == i.code) {
                            out.push((other.clone(), i.code.clone()));
                        }
                    }
                }
            }
            out
        };
        let mut tree: Vec<SteeredProgramme> = Vec::new();
        let mut wanted: Vec<(String, String)> = Vec::new();
        for (fw, prog, _) in &body.steers {
            let Some(def) = defs.get(fw) else { continue };
            let mut nodes = Vec::new();
            let mut stack: Vec<(String, usize)> = def
                .children_of(Some(prog))
                .iter()
                .rev()
                .map(|n| (n.code.clone(), 0))
                .collect();
            while let Some((code, depth)) = stack.pop() {
                if nodes.len() > def.nodes.len() {
                    break;
                }
                for c in def.children_of(Some(&code)).iter().rev() {
                    stack.push((c.code.clone(), depth + 1));
                }
                nodes.push((code, depth));
            }
            for code in std::iter::once(prog.clone()).chain(nodes.iter().map(|(c, _)| c.clone())) {
                for w in indicators_of(fw, &code) {
                    if !wanted.contains(&w) {
                        wanted.push(w);
                    }
                }
            }
            tree.push((fw.clone(), prog.clone(), nodes));
        }

        // Figures from the engine: for each indicator the periods begun by the date.
        let codes: Vec<String> = wanted.iter().map(|(_, c)| c.clone()).collect();
        let mut periods: HashMap<String, Vec<(String, String, String)>> = HashMap::new();
        for (ind, p, start, end) in st::approved_periods(&mut conn, &codes).await? {
            periods.entry(ind).or_default().push((p, start, end));
        }
        for code in &codes {
            for y in crate::records::years(&mut conn, code).await? {
                if let Ok(p) = Period::parse(&y) {
                    let e = periods.entry(code.clone()).or_default();
                    if !e.iter().any(|(x, _, _)| *x == y) {
                        e.push((y.clone(), p.start().to_string(), p.end().to_string()));
                    }
                }
            }
        }
        let pick = |code: &str, by: &str, not: Option<&str>, end_at_most: Option<&str>| {
            periods
                .get(code)
                .into_iter()
                .flatten()
                .filter(|(p, start, end)| {
                    start.as_str() <= by
                        && Some(p.as_str()) != not
                        && end_at_most.is_none_or(|e| end.as_str() <= e)
                })
                .max_by(|a, b| a.2.cmp(&b.2).then(a.1.cmp(&b.1)))
                .map(|(p, _, end)| (p.clone(), end.clone()))
        };
        let mut chosen: HashMap<String, (Option<String>, Option<String>)> = HashMap::new();
        let mut asks: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
        for (fw, code) in &wanted {
            let latest = pick(code, date.as_str(), None, None);
            let prev = latest.as_ref().and_then(|(lp, lend)| {
                pick(code, &previous_date, Some(lp), Some(lend))
                    .or_else(|| pick(code, date.as_str(), Some(lp), Some(lend)))
            });
            for (p, _) in latest.iter().chain(prev.iter()) {
                asks.entry((fw.clone(), p.clone()))
                    .or_default()
                    .push(code.clone());
            }
            chosen.insert(code.clone(), (latest.map(|x| x.0), prev.map(|x| x.0)));
        }
        let refs = frameworks::indicators(&mut conn).await?;
        let mut targets_of: HashMap<
            String,
            Vec<(String, passerelle_store::frameworks::StoredTarget)>,
        > = HashMap::new();
        for fw in defs.keys() {
            targets_of.insert(fw.clone(), frameworks::targets(&mut conn, fw).await?);
        }
        // Submissions, follow-ups and data sets need the connection too; the engine takes its own.
        let datasets = reporting::datasets(&mut conn).await?;
        let all_actions = st::actions(&mut conn).await?;
        drop(conn);
        let mut figures: HashMap<(String, String), f64> = HashMap::new();
        for ((fw, period), inds) in asks {
            let inds: Vec<_> = refs
                .iter()
                .filter(|r| r.framework_code == fw && inds.contains(&r.code))
                .cloned()
                .collect();
            let q = GridQuery {
                framework: fw.clone(),
                period: period.clone(),
                ..Default::default()
            };
            for table in self.compute_values(inds, &q).await? {
                if let Some(total) = table.total {
                    figures.insert((table.indicator, period.clone()), total.value);
                }
            }
        }

        let mut alerts = Vec::new();
        let rule = |k: AlertKind| ALERT_RULES.iter().find(|r| r.kind == k).copied();
        let mut brief_indicator = |fw: &str, code: &str| -> Option<BriefIndicator> {
            let def = defs.get(fw)?;
            let idef = def.indicators.iter().find(|i| i.code == code)?;
            let (lp, pp) = chosen.get(code).cloned().unwrap_or_default();
            let fig = |p: &Option<String>| {
                p.as_ref().and_then(|p| {
                    figures.get(&(code.to_string(), p.clone())).map(|v| Figure {
                        period: p.clone(),
                        value: *v,
                    })
                })
            };
            let latest = fig(&lp);
            let previous = fig(&pp);
            let target = targets_of
                .get(fw)
                .into_iter()
                .flatten()
                .filter(|(c, t)| c == code && t.superseded_at.is_none() && t.cells.is_empty())
                .filter_map(|(_, t)| {
                    t.value.map(|v| Figure {
                        period: t.period.clone(),
                        value: v,
                    })
                })
                .next_back();
            let progress = match (&latest, &target) {
                (Some(l), Some(t)) => passerelle_domain::framework::progress(
                    idef.kind,
                    &idef.direction,
                    idef.baseline.as_ref().and_then(|b| b.value),
                    t.value,
                    l.value,
                ),
                _ => None,
            };
            let band = progress.map(ProgressBand::of);
            if band == Some(ProgressBand::Behind)
                && let Some(r) = rule(AlertKind::IndicatorBehind)
            {
                alerts.push(Alert {
                    kind: r.kind,
                    subject: code.to_string(),
                    label: idef.title.clone(),
                    days: None,
                });
            }
            Some(BriefIndicator {
                framework: fw.to_string(),
                code: code.to_string(),
                node: idef.node.clone(),
                title: idef.title.clone(),
                unit: idef.unit.clone(),
                direction: idef.direction.clone(),
                trend: Trend::of(
                    &idef.direction,
                    previous.as_ref().map(|f| f.value),
                    latest.as_ref().map(|f| f.value),
                ),
                latest,
                previous,
                target,
                progress,
                band,
            })
        };
        let today_day = date.clone();
        let steered_nodes: Vec<(String, String)> = tree
            .iter()
            .flat_map(|(fw, prog, nodes)| {
                std::iter::once((fw.clone(), prog.clone()))
                    .chain(nodes.iter().map(|(c, _)| (fw.clone(), c.clone())))
                    .collect::<Vec<_>>()
            })
            .collect();
        let follow_rows: Vec<&ActionRow> = all_actions
            .iter()
            .filter(|a| {
                a.body_code.as_deref() == Some(&body.code)
                    || match (&a.framework_code, &a.node_code) {
                        (Some(f), Some(n)) => steered_nodes.contains(&(f.clone(), n.clone())),
                        _ => false,
                    }
            })
            .collect();
        let mut programmes = Vec::new();
        for (fw, prog, nodes) in &tree {
            let Some(def) = defs.get(fw).cloned() else {
                continue;
            };
            let title = def
                .nodes
                .iter()
                .find(|n| n.code == *prog)
                .map(|n| n.title.clone())
                .unwrap_or_default();
            let mut actions = Vec::new();
            for (code, depth) in std::iter::once((prog.clone(), 0usize))
                .chain(nodes.iter().map(|(c, d)| (c.clone(), d + 1)))
            {
                let Some(node) = def.nodes.iter().find(|n| n.code == code) else {
                    continue;
                };
                let inds: Vec<BriefIndicator> = indicators_of(fw, &code)
                    .iter()
                    .filter_map(|(f, c)| brief_indicator(f, c))
                    .collect();
                let status = ActionStatus::of(
                    &inds
                        .iter()
                        .map(|i| {
                            (
                                i.latest.is_some(),
                                if i.target.is_some() {
                                    Some(i.progress.unwrap_or(0.0))
                                } else {
                                    None
                                },
                            )
                        })
                        .collect::<Vec<_>>(),
                );
                let follow_ups = follow_rows
                    .iter()
                    .filter(|a| {
                        a.framework_code.as_deref() == Some(fw)
                            && a.node_code.as_deref() == Some(&code)
                    })
                    .map(|a| a.id)
                    .collect();
                if depth == 0 && inds.is_empty() {
                    continue;
                }
                actions.push(BriefAction {
                    code: code.clone(),
                    level: node.level.clone(),
                    depth,
                    title: node.title.clone(),
                    status,
                    indicators: inds,
                    follow_ups,
                });
            }
            programmes.push(BriefProgramme {
                framework: fw.clone(),
                code: prog.clone(),
                title,
                actions,
            });
        }

        // Submissions of the data sets whose indicators the body follows.
        let mut submissions = Vec::new();
        let mut conn = self.store.conn().await?;
        for ds in datasets
            .iter()
            .filter(|d| d.indicators.iter().any(|i| codes.contains(i)))
        {
            let y = date.year();
            let month: i64 = date
                .as_str()
                .get(5..7)
                .and_then(|m| m.parse().ok())
                .unwrap_or(1);
            let period = match ds.period_type.as_str() {
                "school_year" if month >= 9 => format!("SY{}-{}", y - 1, y),
                "school_year" => format!("SY{}-{}", y - 2, y - 1),
                _ => (y - 1).to_string(),
            };
            let Ok(p) = Period::parse(&period) else {
                continue;
            };
            let Ok(end) = Day::parse("end", p.end()) else {
                continue;
            };
            let days = date.days_since(&end);
            for org in &ds.organisations {
                let sub = reporting::get(&mut conn, &ds.code, org, &period).await?;
                let status = sub.as_ref().map(|s| s.status.clone());
                let done = matches!(status.as_deref(), Some("submitted" | "approved" | "locked"));
                if done {
                    continue;
                }
                let has = st::has_values(&mut conn, &ds.indicators, org, &period).await?;
                if has && status.as_deref() != Some("returned") {
                    continue;
                }
                let s = BriefSubmission {
                    dataset: ds.code.clone(),
                    dataset_title: ds.title.clone(),
                    organisation: org.clone(),
                    period: period.clone(),
                    status: status.unwrap_or_else(|| "missing".into()),
                    comment: sub.and_then(|s| s.comment),
                    days_overdue: days,
                };
                if let Some(r) = rule(AlertKind::SubmissionOverdue)
                    && s.days_overdue > r.days
                {
                    alerts.push(Alert {
                        kind: r.kind,
                        subject: format!("{}/{}/{}", s.dataset, s.organisation, s.period),
                        label: s.dataset_title.clone(),
                        days: Some(s.days_overdue),
                    });
                }
                submissions.push(s);
            }
        }
        drop(conn);
        let follow_ups: Vec<FollowUpView> = follow_rows
            .iter()
            .map(|a| follow_up_view(a, actor, &today_day))
            .collect();
        if let Some(r) = rule(AlertKind::ActionOverdue) {
            for f in follow_ups.iter().filter(|f| f.overdue) {
                let late = f
                    .due_on
                    .as_deref()
                    .and_then(|d| Day::parse("due_on", d).ok())
                    .map(|d| date.days_since(&d))
                    .unwrap_or(0);
                if late > r.days {
                    alerts.push(Alert {
                        kind: r.kind,
                        subject: f.id.to_string(),
                        label: Title {
                            fr: f.title.clone(),
                            ..Default::default()
                        },
                        days: Some(late),
                    });
                }
            }
        }
        if let Some(r) = rule(AlertKind::MeetingNotHeld) {
            for m in meetings.iter().filter(|m| {
                m.status != MeetingStatus::Held.as_str()
                    && m.planned_on.as_str() < date.as_str()
                    && m.planned_on.get(..4) == date.as_str().get(..4)
            }) {
                alerts.push(Alert {
                    kind: r.kind,
                    subject: m.planned_on.clone(),
                    label: Title {
                        fr: m.status.clone(),
                        ..Default::default()
                    },
                    days: Day::parse("planned_on", &m.planned_on)
                        .ok()
                        .map(|d| date.days_since(&d)),
                });
            }
        }
        Ok(Brief {
            body: body.code.clone(),
            body_name: body.name.clone(),
            date: date.to_string(),
            meeting: this_meeting.as_ref().map(as_ref),
            previous_meeting: previous_ref,
            programmes,
            submissions,
            follow_ups,
            alerts,
            rules: ALERT_RULES.to_vec(),
        })
    }
}

/// (framework, programme, the nodes under it with their depth), depth first.
type SteeredProgramme = (String, String, Vec<(String, usize)>);

/// The owner organisation's id, or a field error.
async fn resolve_owner(
    conn: &mut Conn,
    code: &str,
    errors: &mut Vec<DomainError>,
) -> Result<Option<i64>, ServiceError> {
    let code = code.trim().to_ascii_uppercase();
    if code.is_empty() {
        return Ok(None);
    }
    let found = match OrgCode::parse(&code) {
        Ok(c) => orgs::by_code(conn, &c).await?,
        Err(_) => None,
    };
    match found {
        Some(o) => Ok(Some(o.id.0)),
        None => {
            errors.push(DomainError::with_value(
                "owner",
                ErrorCode::UnknownOrganisation,
                code,
            ));
            Ok(None)
        }
    }
}

/// French words for the codes the Markdown brief shows.
fn fr(code: &str) -> &str {
    match code {
        "not_started" => "non commencée",
        "in_progress" => "en cours",
        "achieved" => "atteinte",
        "improving" => "en amélioration",
        "worsening" => "en dégradation",
        "stable" => "stable",
        "new" => "première valeur",
        "none" => "—",
        "missing" => "non transmise",
        "draft" => "brouillon non soumis",
        "returned" => "renvoyée pour correction",
        "open" => "ouverte",
        "done" => "réalisée",
        "dropped" => "abandonnée",
        "indicator_behind" => "indicateur en retard sur sa cible",
        "action_overdue" => "action de suivi en retard",
        "submission_overdue" => "transmission de données en retard",
        "meeting_not_held" => "réunion prévue non tenue",
        "planned" => "prévue",
        "postponed" => "reportée",
        "cancelled" => "annulée",
        other => other,
    }
}

fn fmt_num(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        format!("{}", v.round() as i64)
    } else {
        format!("{v:.1}")
    }
}

impl Brief {
    /// The brief as Markdown (French), for the CLI and for mailing before a meeting.
    pub fn to_markdown(&self) -> String {
        let mut s = String::new();
        s.push_str(&format!(
            "# Note de préparation — {} ({})\n\n",
            self.body_name.fr, self.body
        ));
        s.push_str(&format!("Date : {}", self.date));
        if let Some(p) = &self.previous_meeting {
            s.push_str(&format!(
                " · dernière réunion tenue : {}",
                p.held_on.as_deref().unwrap_or(&p.planned_on)
            ));
        }
        s.push_str("\n\n");
        for p in &self.programmes {
            s.push_str(&format!(
                "## {} {} — {}\n\n",
                p.framework, p.code, p.title.fr
            ));
            s.push_str("| nœud | intitulé | statut | indicateur | dernière valeur | précédente | cible | progression | tendance |\n");
            s.push_str("|---|---|---|---|---|---|---|---|---|\n");
            for a in &p.actions {
                let status = a.status.map(|x| fr(x.as_str())).unwrap_or("non mesurée");
                if a.indicators.is_empty() {
                    s.push_str(&format!(
                        "| {} | {} | {} | | | | | | |\n",
                        a.code, a.title.fr, status
                    ));
                }
                for i in &a.indicators {
                    let f = |x: &Option<Figure>| {
                        x.as_ref()
                            .map(|f| format!("{} ({})", fmt_num(f.value), f.period))
                            .unwrap_or_else(|| "—".into())
                    };
                    s.push_str(&format!(
                        "| {} | {} | {} | {} {} | {} | {} | {} | {} | {} |\n",
                        a.code,
                        a.title.fr,
                        status,
                        i.code,
                        i.title.fr,
                        f(&i.latest),
                        f(&i.previous),
                        f(&i.target),
                        i.progress
                            .map(|p| format!("{:.0} %", p * 100.0))
                            .unwrap_or_else(|| "—".into()),
                        fr(i.trend.as_str())
                    ));
                }
            }
            s.push('\n');
        }
        s.push_str("## Transmissions en retard ou renvoyées\n\n");
        if self.submissions.is_empty() {
            s.push_str("Aucune.\n\n");
        }
        for x in &self.submissions {
            s.push_str(&format!(
                "- {} — {} — {} : {} ({} jours)\n",
                x.dataset,
                x.organisation,
                x.period,
                fr(&x.status),
                x.days_overdue
            ));
        }
        s.push_str("\n## Actions de suivi\n\n");
        if self.follow_ups.is_empty() {
            s.push_str("Aucune.\n\n");
        }
        for f in &self.follow_ups {
            s.push_str(&format!(
                "- #{} {} — {} — échéance {} — {}{}{}\n",
                f.id,
                f.title,
                f.owner,
                f.due_on.as_deref().unwrap_or("—"),
                fr(&f.status),
                if f.overdue { " — EN RETARD" } else { "" },
                if f.illustrative { " (illustratif)" } else { "" }
            ));
        }
        s.push_str("\n## Alertes à remonter au comité de pilotage\n\n");
        if self.alerts.is_empty() {
            s.push_str("Aucune.\n");
        }
        for a in &self.alerts {
            s.push_str(&format!(
                "- {} : {} — {}{}\n",
                fr(a.kind.as_str()),
                a.subject,
                fr(&a.label.fr),
                a.days.map(|d| format!(" ({d} jours)")).unwrap_or_default()
            ));
        }
        s
    }
}

/// The work of [`Service::track_from_report`] inside the caller's transaction, so that
/// approving a narrative and tracking its recommendations happen together or not at all.
pub(crate) async fn track_items(
    tx: &mut Conn,
    actor: Option<&Actor>,
    items: &[ReportItem],
    op: &str,
) -> Result<Vec<i64>, ServiceError> {
    let mut errors = Vec::new();
    let steered = st::body_nodes(&mut *tx).await?;
    let mut defs: HashMap<String, FrameworkDef> = HashMap::new();
    let mut rows = Vec::new();
    for it in items {
        if !matches!(
            it.origin,
            ActionOrigin::Recommendation | ActionOrigin::PlannedMeasure
        ) {
            errors.push(DomainError::with_value(
                "origin",
                ErrorCode::UnknownValue,
                it.origin.as_str(),
            ));
        }
        let input = ActionInput {
            title: it.title.clone(),
            origin: it.origin.as_str().into(),
            source_ref: it.source_ref.clone().unwrap_or_default(),
            owner: it.owner.clone(),
            due_on: it.due_on.clone().unwrap_or_default(),
        };
        let rec = match input.validate() {
            Ok(r) => r,
            Err(e) => {
                errors.extend(e);
                continue;
            }
        };
        let fw = it.framework.trim().to_ascii_uppercase();
        if !defs.contains_key(&fw) {
            match frameworks::definition(&mut *tx, &fw).await? {
                Some(d) => {
                    defs.insert(fw.clone(), d);
                }
                None => {
                    errors.push(DomainError::with_value(
                        "framework",
                        ErrorCode::UnknownValue,
                        fw,
                    ));
                    continue;
                }
            }
        }
        let Some(def) = defs.get(&fw) else { continue };
        if !def.nodes.iter().any(|n| n.code == it.node) {
            errors.push(DomainError::with_value(
                "node",
                ErrorCode::UnknownValue,
                it.node.clone(),
            ));
            continue;
        }
        // The node and its ancestors, nearest first; the first one a body steers.
        let mut chain = vec![it.node.clone()];
        while let Some(parent) = chain
            .last()
            .and_then(|c| def.nodes.iter().find(|n| n.code == *c))
            .and_then(|n| n.parent.clone())
        {
            if chain.contains(&parent) {
                break;
            }
            chain.push(parent);
        }
        // Prefer the most specific body: the one steering the fewest nodes (a
        // programme committee rather than the CoPil, which steers all eleven).
        let breadth = |b: &str| steered.iter().filter(|(x, _, _)| x == b).count();
        let body = chain.iter().find_map(|c| {
            steered
                .iter()
                .filter(|(_, f, n)| *f == fw && n == c)
                .map(|(b, _, _)| b)
                .min_by_key(|b| breadth(b))
                .cloned()
        });
        let Some(owner) = resolve_owner(&mut *tx, &rec.owner, &mut errors).await? else {
            continue;
        };
        if st::action_exists(
            &mut *tx,
            &rec.title,
            rec.origin.as_str(),
            rec.source_ref.as_deref(),
        )
        .await?
        {
            continue;
        }
        rows.push(ActionRow {
            body_code: body,
            title: rec.title,
            origin: rec.origin.as_str().into(),
            source_ref: rec.source_ref,
            framework_code: Some(fw),
            node_code: Some(it.node.clone()),
            year: Some(it.year),
            owner_org_id: owner,
            due_on: rec.due_on.map(|d| d.to_string()),
            status: FollowUpStatus::Open.as_str().into(),
            ..Default::default()
        });
    }
    if !errors.is_empty() {
        return Err(ServiceError::Invalid(errors));
    }
    let mut ids = Vec::new();
    for r in &rows {
        let id = st::insert_action(&mut *tx, r, actor.map(|a| a.user.id.0)).await?;
        st::add_note(
            &mut *tx,
            id,
            FollowUpStatus::Open.as_str(),
            None,
            actor.map(|a| a.user.id.0),
        )
        .await?;
        ids.push(id);
    }
    audit::append(
        &mut *tx,
        audit_row(
            actor,
            op,
            "track_from_report",
            "gov_action",
            None,
            json!({"created": ids}),
        ),
    )
    .await?;
    Ok(ids)
}

#[cfg(test)]
mod tests {
    use super::*;
    use passerelle_store::testing;

    #[tokio::test]
    async fn report_items_become_tracked_actions_of_the_steering_body_once() {
        for backend in testing::backends() {
            let store = testing::fresh_store(backend)
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            let svc = Service::new(store, crate::ServiceConfig::default());
            svc.load_demo("test")
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            let item = |node: &str, origin: ActionOrigin, title: &str| ReportItem {
                framework: "SNIA".into(),
                node: node.into(),
                year: 2020,
                origin,
                title: title.into(),
                owner: "ANAPEC".into(),
                due_on: Some("2021-12-31".into()),
                source_ref: Some("Rapport 2020, P7 §4".into()),
            };
            let items = [
                item(
                    "7.1",
                    ActionOrigin::PlannedMeasure,
                    "Mesure prévue pour 2021 (test)",
                ),
                item("P8", ActionOrigin::Recommendation, "Recommandation (test)"),
            ];
            let ids = svc
                .track_from_report(None, &items, "test")
                .await
                .unwrap_or_else(|e| panic!("{backend:?} {e}"));
            assert_eq!(ids.len(), 2);
            let mut conn = svc.store.conn().await.unwrap_or_else(|e| panic!("{e}"));
            let first = st::action(&mut conn, ids[0]).await.ok().flatten();
            // 7.1 is under P7, which CP3 steers (the CoPil too: the nearest wins).
            assert_eq!(
                first.as_ref().and_then(|a| a.body_code.as_deref()),
                Some("CP3")
            );
            assert_eq!(
                first.as_ref().map(|a| a.origin.as_str()),
                Some("planned_measure")
            );
            let second = st::action(&mut conn, ids[1]).await.ok().flatten();
            assert_eq!(second.and_then(|a| a.body_code), Some("CP4".to_string()));
            drop(conn);
            // Run twice: nothing new.
            let again = svc.track_from_report(None, &items, "test").await;
            assert_eq!(again.ok(), Some(Vec::new()));
            // Bad items: every problem, nothing written.
            let bad = [
                item("7.99", ActionOrigin::PlannedMeasure, "x"),
                ReportItem {
                    owner: String::new(),
                    ..item("7.2", ActionOrigin::Decision, "y")
                },
            ];
            match svc.track_from_report(None, &bad, "test").await {
                Err(ServiceError::Invalid(errors)) => {
                    let fields: Vec<&str> = errors.iter().map(|e| e.field).collect();
                    assert_eq!(fields, vec!["node", "origin", "owner"], "{backend:?}");
                }
                other => panic!("{other:?}"),
            }
        }
    }
}
