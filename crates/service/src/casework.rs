//! Case work's use cases: search before create, registration with consents, the
//! person's file, cases (assessment, plan, notes, transitions, transfer), referrals
//! across organisations within consent, services delivered, group activities,
//! caseloads, statistics and the per-person access log.
//!
//! Access to a case is decided by [`access::case_access`] from the case's facts;
//! every read of a person or a case appends an audit row in the same transaction as
//! the read, so "who saw this file" is always answerable. Sensitive values are sealed
//! by [`crate::crypto`] before they reach the store.

use crate::access::{self, Action, CaseAccess, CaseScope, decide};
use crate::auth::Actor;
use crate::error::ServiceError;
use crate::ref_lists::RefLists;
use crate::reporting::user_name;
use crate::{Service, audit_row};
use passerelle_domain::casework::case::{CaseTransition, StepStatus, is_service_type};
use passerelle_domain::casework::form::{Answers, FormIssue};
use passerelle_domain::casework::person::Document;
use passerelle_domain::casework::{
    CaseStatus, CloseReason, ConsentPurpose, FormDef, LegalStatus, PersonInput, ReferralStatus,
    ReferralTransition, ValidPerson,
};
use passerelle_domain::{DomainError, ErrorCode, OrgId, UserId};
use passerelle_linkage::normalise::name_tokens;
use passerelle_linkage::translit::token_skeleton;
use passerelle_linkage::{Matcher, Record};
use passerelle_store::casework::{
    self as cw, ActivityRow, CaseFilter, CaseRow, PersonRow, ReferralRow, ReferralScope,
    ServiceEventRow, StatusRow,
};
use passerelle_store::{Conn, StoreError, audit, orgs, users};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::sync::Arc;

/// The default assessment form ("évaluation, orientation et suivi").
pub const SHIPPED_FORMS: &[&str] = &[include_str!(
    "../../../data/forms/evaluation-orientation-suivi.json"
)];
pub const DEFAULT_FORM: &str = "EOS";

/// ISO 3166-1 countries with their names (from CLDR via npm `i18n-iso-countries`).
pub const COUNTRIES_CSV: &str = include_str!("../../../data/countries.csv");

/// Referrals are due this many days after they are sent unless the sender says otherwise.
pub const REFERRAL_DEFAULT_DAYS: i64 = 14;

/// Why a case-work action was refused.
#[derive(Debug)]
pub enum CaseworkError {
    /// The registration form's fields in error.
    Invalid(Vec<DomainError>),
    /// The assessment's answers in error.
    Form(Vec<FormIssue>),
    /// Registration found people who may be the same; confirm to create anyway.
    PossibleDuplicates(SearchResult),
    /// Someone saved first: the fields that differ, with their stored values.
    Conflict(Vec<(String, String)>),
    /// The person has not given this consent (purpose, scope).
    ConsentMissing {
        purpose: String,
        scope: String,
    },
    /// Not possible in the current state.
    WrongState {
        status: String,
    },
    Service(ServiceError),
}

impl<E: Into<ServiceError>> From<E> for CaseworkError {
    fn from(e: E) -> Self {
        CaseworkError::Service(e.into())
    }
}

impl CaseworkError {
    pub fn code(&self) -> ErrorCode {
        match self {
            CaseworkError::Invalid(e) => e.first().map(|e| e.code).unwrap_or(ErrorCode::BadRequest),
            CaseworkError::Form(e) => e.first().map(|e| e.code).unwrap_or(ErrorCode::BadRequest),
            CaseworkError::PossibleDuplicates(_) => ErrorCode::AlreadyExists,
            CaseworkError::Conflict(_) => ErrorCode::EditConflict,
            CaseworkError::ConsentMissing { .. } => ErrorCode::ConsentMissing,
            CaseworkError::WrongState { .. } => ErrorCode::WrongState,
            CaseworkError::Service(e) => e.code(),
        }
    }
}

// ---------------------------------------------------------------- views

/// What a search or a person page shows of a person's identity.
#[derive(Debug, Clone, Serialize)]
pub struct PersonSummary {
    pub id: i64,
    pub given_name: String,
    pub family_name: String,
    pub name_ar: String,
    pub sex: String,
    pub birth: Option<String>,
    pub birth_approximate: bool,
    pub nationality: Option<String>,
    pub organisation: String,
}

/// A possible existing record, with why.
#[derive(Debug, Clone, Serialize)]
pub struct PersonMatch {
    pub person: PersonSummary,
    pub probability: f64,
    pub weight: f64,
    /// (field, agreement level, weight in bits), strongest first.
    pub why: Vec<(String, String, f64)>,
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct SearchResult {
    pub matches: Vec<PersonMatch>,
    /// Likely matches registered by organisations the actor may not see: counted, not shown.
    pub elsewhere: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize, Default, PartialEq, Eq)]
pub struct Contact {
    #[serde(default)]
    pub phones: Vec<String>,
    #[serde(default)]
    pub document: Option<Document>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ConsentView {
    pub id: i64,
    pub purpose: String,
    pub scope: String,
    pub given_at: String,
    pub recorded_by: String,
    pub withdrawn_at: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct StatusView {
    pub status: String,
    pub since: Option<String>,
    pub until: Option<String>,
    pub detail: Option<String>,
    pub recorded_at: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct CaseListItem {
    pub id: i64,
    pub case_ref: String,
    pub person_id: i64,
    pub person_name: String,
    pub organisation: String,
    pub assigned_to: Option<String>,
    pub status: String,
    pub opened_at: String,
    pub overdue_steps: usize,
    pub overdue_referrals: usize,
}

/// A person's file, as much of it as the actor may see.
#[derive(Debug, Clone, Serialize)]
pub struct PersonFile {
    pub summary: PersonSummary,
    /// The whole identity is shown to the registering organisation's case workers;
    /// referral receivers see the summary only.
    pub full: bool,
    pub version: i64,
    pub languages: String,
    pub territory: Option<String>,
    pub legal_status: Option<String>,
    pub contact: Contact,
    pub consents: Vec<ConsentView>,
    pub statuses: Vec<StatusView>,
    pub household: Vec<(PersonSummary, String)>,
    pub cases: Vec<CaseListItem>,
    pub services: Vec<ServiceEventRow>,
    pub created_anyway: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct StepView {
    pub id: i64,
    pub goal: String,
    pub step: String,
    pub due_date: Option<String>,
    pub status: String,
    pub overdue: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct NoteView {
    pub body: String,
    pub author: String,
    pub at: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReferralView {
    pub id: i64,
    pub case_id: i64,
    pub case_ref: String,
    pub person_name: String,
    pub from_org: String,
    pub from_org_id: i64,
    pub to_org: String,
    pub to_org_id: i64,
    pub service_code: Option<String>,
    /// The directory service's name (French, Arabic, English) when the referral names one.
    pub service_name: Option<(String, Option<String>, Option<String>)>,
    pub sections: Vec<String>,
    pub status: String,
    pub reason: Option<String>,
    pub outcome: Option<String>,
    pub due_date: Option<String>,
    pub overdue: bool,
    pub sent_at: String,
    pub version: i64,
    /// Whether the actor is on the sending or the receiving side.
    pub is_sender: bool,
    pub is_receiver: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct EventView {
    pub at: String,
    pub who: Option<String>,
    pub kind: String,
    pub detail: String,
}

/// A case as the actor may see it.
#[derive(Debug, Clone, Serialize)]
pub struct CaseView {
    pub id: i64,
    pub case_ref: String,
    pub person: PersonSummary,
    pub organisation: String,
    pub organisation_id: i64,
    pub assigned_to: Option<String>,
    pub assigned_user_id: Option<i64>,
    pub status: String,
    pub close_reason: Option<String>,
    pub transfer_to: Option<String>,
    pub opened_at: String,
    pub version: i64,
    /// Full access, or only the listed sections through a referral.
    pub full: bool,
    pub shared_sections: Vec<String>,
    /// Shared with the form cache: a page does not copy the whole definition.
    pub form: Arc<FormDef>,
    pub answers: Answers,
    pub assessment_version: i64,
    pub steps: Vec<StepView>,
    pub notes: Vec<NoteView>,
    pub referrals: Vec<ReferralView>,
    pub services: Vec<ServiceEventRow>,
    pub events: Vec<EventView>,
    /// Active consents: (purpose, scope).
    pub consents: Vec<(String, String)>,
    /// Workers of the organisation, for assignment (supervisors only).
    pub team: Vec<(i64, String)>,
    pub can_supervise: bool,
    /// Every organisation and directory service, for the referral and transfer
    /// forms (empty when the actor may not view the directory). Not part of the
    /// API's case.
    #[serde(skip)]
    pub lists: Arc<RefLists>,
}

/// The case a page shows, so its referrals need not read it again.
struct KnownCase<'a> {
    case_id: i64,
    case_ref: &'a str,
    person_id: i64,
    person_name: String,
}

impl KnownCase<'_> {
    /// Whether `r` is a referral of this case (its reference and person known).
    fn is_of(&self, r: &ReferralRow) -> bool {
        self.case_id == r.case_id && self.person_id == r.person_id
    }
}

/// The connection in `slot`, taken from the pool the first time it is needed.
async fn lazy_conn<'a>(
    store: &passerelle_store::Store,
    slot: &'a mut Option<passerelle_store::PoolConn>,
) -> Result<&'a mut Conn, ServiceError> {
    Ok(match slot {
        Some(conn) => conn,
        None => slot.insert(store.conn().await?),
    })
}

#[derive(Debug, Clone, Serialize)]
pub struct Caseload {
    pub mine: Vec<CaseListItem>,
    /// For supervisors: every open case of the organisation.
    pub team: Vec<CaseListItem>,
    /// For supervisors: (worker, open cases, overdue items).
    pub workers: Vec<(String, usize, usize)>,
    /// Transfers waiting for the actor's organisation to accept.
    pub incoming_transfers: Vec<CaseListItem>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReferralBoard {
    pub incoming: Vec<ReferralView>,
    pub outgoing: Vec<ReferralView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CaseStatistics {
    /// (from organisation, to organisation, status, count)
    pub flows: Vec<(String, String, String, i64)>,
    /// (organisation, status, count)
    pub cases: Vec<(String, String, i64)>,
}

/// A group activity as recorded.
#[derive(Debug, Clone, Deserialize, Serialize, Default)]
pub struct ActivityInput {
    pub kind: String,
    pub topic: String,
    pub held_on: String,
    #[serde(default)]
    pub territory: String,
    #[serde(default)]
    pub place: String,
    pub women: String,
    pub men: String,
    #[serde(default)]
    pub minors: String,
    #[serde(default)]
    pub score_entry: String,
    #[serde(default)]
    pub score_exit: String,
    #[serde(default)]
    pub framework_node: String,
}

pub const ACTIVITY_KINDS: &[&str] = &[
    "awareness",
    "outreach",
    "professional_training",
    "orientation",
];

/// A stored version of a form, for the forms page and API.
#[derive(Debug, Clone, Serialize)]
pub struct FormVersionView {
    pub code: String,
    pub version: i64,
    pub title: passerelle_domain::framework::Title,
    pub imported_at: String,
    pub sections: usize,
    pub fields: usize,
    pub assessments: i64,
    pub latest: bool,
    /// What it changes from the version before it (none for a first version).
    pub changes: Option<passerelle_domain::casework::form::FormChanges>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ActivityView {
    pub id: i64,
    pub organisation: String,
    pub kind: String,
    pub topic: String,
    pub held_on: String,
    pub territory: Option<String>,
    pub place: String,
    pub women: i64,
    pub men: i64,
    pub minors: i64,
    pub total: i64,
    pub score_entry: Option<f64>,
    pub score_exit: Option<f64>,
    /// Exit score minus entry score, in points.
    pub gain: Option<f64>,
}

// ---------------------------------------------------------------- helpers

/// (probability, weight, person, why) of a search candidate.
type Scored<'a> = (f64, f64, &'a PersonRow, Vec<(String, String, f64)>);

fn today() -> String {
    passerelle_store::now()[0..10].to_string()
}

/// The date `days` after `date` (`YYYY-MM-DD`).
fn add_days(date: &str, days: i64) -> String {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(date, &fmt)
        .ok()
        .and_then(|d| d.checked_add(time::Duration::days(days)))
        .and_then(|d| d.format(&fmt).ok())
        .unwrap_or_else(|| date.to_string())
}

fn is_iso_date(s: &str) -> bool {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(s, &fmt).is_ok()
}

pub fn country_known(code: &str) -> bool {
    COUNTRIES_CSV
        .lines()
        .skip(1)
        .any(|l| l.split(',').next() == Some(code))
}

/// (alpha-2, French, Arabic, English) for every country, sorted by code.
pub fn countries() -> Vec<(String, String, String, String)> {
    let mut r = csv::Reader::from_reader(COUNTRIES_CSV.as_bytes());
    r.records()
        .filter_map(Result::ok)
        .map(|rec| {
            (
                rec.get(0).unwrap_or_default().to_string(),
                rec.get(2).unwrap_or_default().to_string(),
                rec.get(3).unwrap_or_default().to_string(),
                rec.get(4).unwrap_or_default().to_string(),
            )
        })
        .collect()
}

/// The phone number's last nine digits: the same subscriber whether written
/// `+212 612…`, `00212612…` or `0612…`.
fn phone_key(p: &str) -> String {
    let digits: String = p.chars().filter(char::is_ascii_digit).collect();
    digits[digits.len().saturating_sub(9)..].to_string()
}

/// Search keys of a person. Name keys pair two name tokens by their cross-script
/// consonant skeleton (Mohamed / Muhammad / محمد share one), alone and with the
/// birth year; phone and document keys are blind indexes.
fn search_keys(
    svc: &Service,
    names: &[&str],
    years: &[i32],
    phones: &[String],
    document: Option<&str>,
) -> Vec<(String, String)> {
    let mut skeletons: Vec<String> = names
        .iter()
        .flat_map(|n| name_tokens(n))
        .map(|t| token_skeleton(&t))
        .filter(|s| s.len() >= 2)
        .collect();
    skeletons.sort();
    skeletons.dedup();
    let mut keys = Vec::new();
    for (i, a) in skeletons.iter().enumerate() {
        for b in &skeletons[i + 1..] {
            keys.push(("names".to_string(), format!("nn:{a}|{b}")));
            for y in years {
                keys.push(("names_year".to_string(), format!("nny:{a}|{b}|{y}")));
            }
        }
    }
    for p in phones {
        let k = phone_key(p);
        if k.len() >= 8 {
            keys.push(("phone".to_string(), svc.cipher.blind_index("phone", &k)));
        }
    }
    if let Some(d) = document {
        keys.push(("document".to_string(), svc.cipher.blind_index("doc", d)));
    }
    keys
}

fn to_record(p: &PersonRow, contact: &Contact) -> Record {
    Record {
        id: p.id.to_string(),
        given_name: Some(p.given_name.clone()).filter(|s| !s.is_empty()),
        family_name: Some(p.family_name.clone()).filter(|s| !s.is_empty()),
        name_arabic: Some(p.name_ar.clone()).filter(|s| !s.is_empty()),
        sex: Some(p.sex.clone()),
        birth_date: p
            .birth_date
            .clone()
            .or_else(|| p.birth_year.map(|y| y.to_string())),
        nationality: p.nationality.clone(),
        phone: contact.phones.first().cloned(),
        document_number: contact.document.as_ref().map(|d| d.number.clone()),
        city: None,
        extra: Vec::new(),
    }
}

async fn org_name(conn: &mut Conn, id: i64) -> String {
    orgs::get(conn, OrgId(id))
        .await
        .ok()
        .flatten()
        .map(|o| o.name_fr)
        .unwrap_or_default()
}

fn display_name(p: &PersonRow) -> String {
    let latin = format!("{} {}", p.given_name, p.family_name.to_uppercase());
    let latin = latin.trim();
    match (latin.is_empty(), p.name_ar.is_empty()) {
        (false, false) => format!("{latin} — {}", p.name_ar),
        (false, true) => latin.to_string(),
        _ => p.name_ar.clone(),
    }
}

impl Service {
    fn open_contact(&self, p: &PersonRow) -> Contact {
        p.contact_enc
            .as_deref()
            .and_then(|c| self.cipher.open(c).ok())
            .and_then(|c| serde_json::from_str(&c).ok())
            .unwrap_or_default()
    }

    fn open_opt(&self, v: Option<&str>) -> Option<String> {
        v.and_then(|v| self.cipher.open(v).ok())
    }

    async fn summary(&self, conn: &mut Conn, p: &PersonRow) -> PersonSummary {
        summary_with(p, org_name(conn, p.organisation_id).await)
    }
}

fn summary_with(p: &PersonRow, organisation: String) -> PersonSummary {
    PersonSummary {
        id: p.id,
        given_name: p.given_name.clone(),
        family_name: p.family_name.clone(),
        name_ar: p.name_ar.clone(),
        sex: p.sex.clone(),
        birth: p
            .birth_date
            .clone()
            .or_else(|| p.birth_year.map(|y| y.to_string())),
        birth_approximate: p.birth_approximate,
        nationality: p.nationality.clone(),
        organisation,
    }
}

impl Service {
    /// Records a read (or a refused read) of personal data before the data is
    /// returned: committed with the other reads waiting at the same moment, in one
    /// transaction (group commit, [`crate::read_audit`]).
    async fn audit_read(
        &self,
        actor: &Actor,
        op: &str,
        action: &str,
        entity: &str,
        id: i64,
        detail: serde_json::Value,
    ) -> Result<(), ServiceError> {
        let row = crate::read_audit::ReadRow {
            actor_user_id: Some(actor.user.id.0),
            actor_org_id: Some(actor.user.organisation_id.0),
            action: action.to_string(),
            entity: entity.to_string(),
            entity_id: Some(id.to_string()),
            operation_id: op.to_string(),
            detail: detail.to_string(),
        };
        self.read_audit.append(&self.store, row).await
    }

    /// Loads the shipped assessment forms (idempotent).
    pub async fn ensure_shipped_forms(&self) -> Result<(), ServiceError> {
        let mut tx = self.store.begin().await?;
        for text in SHIPPED_FORMS {
            let def = FormDef::from_json(text)
                .map_err(|e| ServiceError::Internal(format!("shipped form: {e:?}")))?;
            cw::upsert_form(&mut tx, &def.code, i64::from(def.version), text).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// A form's definition, parsed once per process and version: a loaded version
    /// never changes (`import_form` refuses a different definition under the same
    /// number), so the parsed copy stays right.
    /// A form version already read (versions never change once loaded).
    fn form_cached(&self, code: &str, version: i64) -> Option<Arc<FormDef>> {
        let forms = self.forms.lock().ok()?;
        forms.get(&(code.to_string(), version)).cloned()
    }

    async fn form_def(
        &self,
        conn: &mut Conn,
        code: &str,
        version: Option<i64>,
    ) -> Result<Arc<FormDef>, ServiceError> {
        let version = match version {
            Some(v) => Some(v),
            None => cw::form_latest_version(conn, code).await?,
        };
        let missing = || ServiceError::Internal(format!("form {code} is not loaded"));
        let version = version.ok_or_else(missing)?;
        if let Some(def) = self.form_cached(code, version) {
            return Ok(def);
        }
        let key = (code.to_string(), version);
        let text = cw::form(conn, code, Some(version))
            .await?
            .ok_or_else(missing)?;
        let def = FormDef::from_json(&text)
            .map_err(|e| ServiceError::Internal(format!("form {code}: {e:?}")))?;
        let def = Arc::new(def);
        if let Ok(mut forms) = self.forms.lock() {
            forms.insert(key, def.clone());
        }
        Ok(def)
    }

    /// Loads a new version of an assessment form. A version already loaded is never
    /// changed (answers saved with it must keep their meaning): loading it again with
    /// a different definition is refused; the same definition is accepted as is.
    pub async fn import_form(&self, text: &str, op: &str) -> Result<(String, u32), Vec<FormIssue>> {
        self.import_form_as(None, text, op).await
    }

    /// Imports a form version for a user who may manage forms (administrators, the
    /// secretariat); `None` is the operator. A version already stored with another
    /// content is refused: a new content takes a new version number.
    pub async fn import_form_as(
        &self,
        actor: Option<&Actor>,
        text: &str,
        op: &str,
    ) -> Result<(String, u32), Vec<FormIssue>> {
        if let Some(a) = actor
            && decide(a, Action::ManageForms).is_err()
        {
            return Err(vec![FormIssue {
                field: String::new(),
                code: ErrorCode::Forbidden,
                value: None,
            }]);
        }
        let def = FormDef::from_json(text)?;
        let internal = |e: &dyn std::fmt::Display| {
            vec![FormIssue {
                field: String::new(),
                code: ErrorCode::Internal,
                value: Some(e.to_string()),
            }]
        };
        let mut tx = self.store.begin().await.map_err(|e| internal(&e))?;
        if let Some(existing) = cw::form(&mut tx, &def.code, Some(i64::from(def.version)))
            .await
            .map_err(|e| internal(&e))?
        {
            let same = FormDef::from_json(&existing).is_ok_and(|e| e == def);
            if !same {
                return Err(vec![FormIssue {
                    field: "version".into(),
                    code: ErrorCode::AlreadyExists,
                    value: Some(def.version.to_string()),
                }]);
            }
        }
        cw::upsert_form(&mut tx, &def.code, i64::from(def.version), text)
            .await
            .map_err(|e| internal(&e))?;
        audit::append(
            &mut tx,
            audit_row(
                actor,
                op,
                "import",
                "form",
                Some(format!("{}@{}", def.code, def.version)),
                json!({}),
            ),
        )
        .await
        .map_err(|e| internal(&e))?;
        tx.commit().await.map_err(|e| internal(&e))?;
        Ok((def.code, def.version))
    }

    /// Every stored version of every form, newest first, with what each changes from
    /// the version before it and how many assessments used it. Case workers see them
    /// (to read an old assessment's form); importing needs `ManageForms`.
    pub async fn form_versions(&self, actor: &Actor) -> Result<Vec<FormVersionView>, ServiceError> {
        if decide(actor, Action::ManageForms).is_err() {
            decide(actor, Action::WorkCases(actor.user.organisation_id))?;
        }
        let mut conn = self.store.conn().await?;
        let rows = cw::form_versions(&mut conn).await?;
        let defs: Vec<Option<FormDef>> = rows
            .iter()
            .map(|r| FormDef::from_json(&r.definition).ok())
            .collect();
        let mut out = Vec::new();
        for (i, (r, def)) in rows.iter().zip(&defs).enumerate() {
            let Some(def) = def else { continue };
            // Rows are by code, newest first: the older version is the next row.
            let older = rows
                .get(i + 1)
                .filter(|o| o.code == r.code)
                .and_then(|_| defs[i + 1].as_ref());
            out.push(FormVersionView {
                code: r.code.clone(),
                version: r.version,
                title: def.title.clone(),
                imported_at: r.imported_at.clone(),
                sections: def.sections.len(),
                fields: def.fields().count(),
                assessments: r.assessments,
                latest: i == 0 || rows[i - 1].code != r.code,
                changes: older.map(|o| def.changes_from(o)),
            });
        }
        Ok(out)
    }

    /// A form's definition, at a version or its latest.
    pub async fn form_definition(
        &self,
        code: &str,
        version: Option<i64>,
    ) -> Result<FormDef, ServiceError> {
        let mut conn = self.store.conn().await?;
        if cw::form(&mut conn, code, version).await?.is_none() {
            return Err(ServiceError::NotFound);
        }
        Ok((*self.form_def(&mut conn, code, version).await?).clone())
    }

    /// The directory's services a referral may name: (code, "name — organisation").
    pub async fn referral_services(
        &self,
        locale: passerelle_domain::Locale,
    ) -> Result<Vec<(String, String)>, ServiceError> {
        let mut conn = self.store.conn().await?;
        let lists = self.ref_lists.get(&mut conn).await?;
        Ok(service_options(&lists, locale))
    }
}

/// The directory's services a referral may name, in `locale`: (code, "name — organisation").
pub fn service_options(
    lists: &RefLists,
    locale: passerelle_domain::Locale,
) -> Vec<(String, String)> {
    lists
        .services
        .iter()
        .cloned()
        .map(|(code, org, fr, ar, en)| {
            let name = match locale {
                passerelle_domain::Locale::Ar => ar.unwrap_or(fr),
                passerelle_domain::Locale::En => en.unwrap_or(fr),
                passerelle_domain::Locale::Fr => fr,
            };
            (code, format!("{name} — {org}"))
        })
        .collect()
}

impl Service {
    /// The default assessment form (for the API and for building pages).
    pub async fn assessment_form(&self) -> Result<FormDef, ServiceError> {
        let mut conn = self.store.conn().await?;
        Ok((*self.form_def(&mut conn, DEFAULT_FORM, None).await?).clone())
    }

    // ------------------------------------------------------------ search and registration

    /// Search before create: people who may be the one described, best first, with why.
    /// Shows the actor's organisation's registry and people referred to it; likely
    /// matches registered elsewhere are only counted.
    pub async fn search_people(
        &self,
        actor: &Actor,
        input: &PersonInput,
        op: &str,
    ) -> Result<SearchResult, ServiceError> {
        decide(actor, Action::WorkCases(actor.user.organisation_id))?;
        let mut conn = self.store.conn().await?;
        let result = self.search_in(&mut conn, actor, input).await?;
        drop(conn);
        let mut tx = self.store.begin().await?;
        audit::append(
            &mut tx,
            audit_row(
                Some(actor),
                op,
                "search",
                "person",
                None,
                json!({"shown": result.matches.len(), "elsewhere": result.elsewhere}),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(result)
    }

    async fn search_in(
        &self,
        conn: &mut Conn,
        actor: &Actor,
        input: &PersonInput,
    ) -> Result<SearchResult, ServiceError> {
        let year: Option<i32> = input
            .birth_date
            .trim()
            .get(0..4)
            .and_then(|y| y.parse().ok())
            .or_else(|| {
                input
                    .birth_date
                    .trim()
                    .rsplit('/')
                    .next()
                    .and_then(|y| y.parse().ok())
            });
        let years: Vec<i32> = year.map(|y| vec![y - 1, y, y + 1]).unwrap_or_default();
        let phones: Vec<String> = input
            .phones
            .split([',', ';'])
            .filter(|p| !p.trim().is_empty())
            .map(str::to_string)
            .collect();
        let doc: String = input
            .document_number
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_ascii_uppercase();
        let keys: Vec<String> = search_keys(
            self,
            &[&input.given_name, &input.family_name, &input.name_ar],
            &years,
            &phones,
            (doc.len() >= 4).then_some(doc.as_str()),
        )
        .into_iter()
        .map(|(_, k)| k)
        .collect();
        let hits = cw::candidates(conn, &keys, 500, 200).await?;
        let ids: Vec<i64> = hits.iter().map(|(id, _)| *id).collect();
        let people = cw::people(conn, &ids).await?;
        let query = Record {
            id: String::new(),
            given_name: Some(input.given_name.clone()).filter(|s| !s.trim().is_empty()),
            family_name: Some(input.family_name.clone()).filter(|s| !s.trim().is_empty()),
            name_arabic: Some(input.name_ar.clone()).filter(|s| !s.trim().is_empty()),
            sex: Some(input.sex.clone()).filter(|s| !s.trim().is_empty()),
            birth_date: Some(input.birth_date.clone()).filter(|s| !s.trim().is_empty()),
            nationality: Some(input.nationality.clone()).filter(|s| !s.trim().is_empty()),
            phone: phones.first().cloned(),
            document_number: (!doc.is_empty()).then_some(doc),
            city: None,
            extra: Vec::new(),
        };
        let matcher = Matcher::untrained(Vec::new());
        let mut result = SearchResult::default();
        let mut scored: Vec<Scored> = Vec::new();
        for p in &people {
            let contact = self.open_contact(p);
            let s = matcher.score_pair(&query, &to_record(p, &contact));
            if s.probability < 0.3 {
                continue;
            }
            let mut why: Vec<(String, String, f64)> = s
                .explanation
                .iter()
                .filter(|f| f.level != "missing")
                .map(|f| (f.field.clone(), f.level.to_string(), f.weight))
                .collect();
            why.sort_by(|a, b| b.2.total_cmp(&a.2));
            scored.push((s.probability, s.weight, p, why));
        }
        scored.sort_by(|a, b| b.1.total_cmp(&a.1));
        let my_org = actor.user.organisation_id.0;
        // People referred to the actor's organisation are visible too; their list is only
        // read when a candidate belongs to another organisation.
        let referred: Vec<i64> = if scored.iter().any(|s| s.2.organisation_id != my_org) {
            cw::referrals(conn, ReferralScope::To(my_org))
                .await?
                .into_iter()
                .map(|r| r.person_id)
                .collect()
        } else {
            Vec::new()
        };
        for (probability, weight, p, why) in scored {
            if p.organisation_id == my_org || referred.contains(&p.id) {
                if result.matches.len() < 10 {
                    let person = self.summary(conn, p).await;
                    result.matches.push(PersonMatch {
                        person,
                        probability,
                        weight,
                        why,
                    });
                }
            } else if probability >= 0.5 {
                result.elsewhere += 1;
            }
        }
        Ok(result)
    }

    /// Registers a person after a search. `consents` are (purpose, scope) given now;
    /// registration consent is required. When the search finds likely matches that
    /// the case worker has not acknowledged (`acknowledged` lists their ids), nothing
    /// is saved and the matches are returned; creating anyway is recorded.
    pub async fn register_person(
        &self,
        actor: &Actor,
        input: &PersonInput,
        consents: &[(String, String)],
        acknowledged: &[i64],
        op: &str,
    ) -> Result<i64, CaseworkError> {
        let org = actor.user.organisation_id;
        decide(actor, Action::WorkCases(org))?;
        let valid = self.validate_person(input).await?;
        let consents = parse_consents(consents)?;
        if !consents
            .iter()
            .any(|(p, _)| *p == ConsentPurpose::Registration)
        {
            return Err(CaseworkError::ConsentMissing {
                purpose: "registration".into(),
                scope: "any".into(),
            });
        }
        let mut tx = self.store.begin().await?;
        let found = self.search_in(&mut tx, actor, input).await?;
        let unacknowledged: Vec<&PersonMatch> = found
            .matches
            .iter()
            .filter(|m| m.probability >= 0.5 && !acknowledged.contains(&m.person.id))
            .collect();
        if !unacknowledged.is_empty() {
            return Err(CaseworkError::PossibleDuplicates(found));
        }
        let created_anyway = (!acknowledged.is_empty()).then(|| {
            json!(found
                .matches
                .iter()
                .filter(|m| acknowledged.contains(&m.person.id))
                .map(|m| json!({"person_id": m.person.id, "probability": (m.probability * 1000.0).round() / 1000.0}))
                .collect::<Vec<_>>())
            .to_string()
        });
        let row = self.person_row(&valid, org.0, actor.user.id.0, created_anyway);
        let id = cw::insert_person(&mut tx, &row).await?;
        self.index_person(&mut tx, id, &valid).await?;
        if let Some(s) = valid.legal_status {
            cw::add_status(
                &mut tx,
                id,
                &StatusRow {
                    status: s.as_str().into(),
                    since: None,
                    until: valid.document.as_ref().and_then(|d| d.expiry.clone()),
                    detail_enc: None,
                    recorded_by: actor.user.id.0,
                    recorded_at: passerelle_store::now(),
                },
            )
            .await?;
        }
        for (purpose, scope) in &consents {
            cw::add_consent(&mut tx, id, purpose.as_str(), scope, actor.user.id.0, org.0).await?;
        }
        audit::append(
            &mut tx,
            audit_row(
                Some(actor),
                op,
                "create",
                "person",
                Some(id.to_string()),
                json!({"created_despite_matches": acknowledged, "consents": consents.iter().map(|(p, s)| format!("{}:{s}", p.as_str())).collect::<Vec<_>>()}),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Checks a registration form and resolves its territory to an official code.
    async fn validate_person(&self, input: &PersonInput) -> Result<ValidPerson, CaseworkError> {
        let mut valid = input
            .validate(&today(), country_known)
            .map_err(CaseworkError::Invalid)?;
        if let Some(t) = valid.territory.clone() {
            let territory = self.resolve_territory(&t).await.map_err(|_| {
                CaseworkError::Invalid(vec![DomainError::with_value(
                    "territory",
                    ErrorCode::UnknownTerritory,
                    t,
                )])
            })?;
            valid.territory = Some(territory.code.as_str().to_string());
        }
        Ok(valid)
    }

    /// Loads an existing registry without the search before create (migrating an
    /// organisation's records, benchmarks): each valid row becomes a person of `org`
    /// with a registration consent recorded by `user`; rows that do not validate are
    /// returned with their line (1-based) and errors, and skipped. Commits every 5,000,
    /// then refreshes the planner's statistics (`Store::refresh_statistics`).
    pub async fn bulk_register(
        &self,
        org: OrgId,
        user: UserId,
        people: &[PersonInput],
        op: &str,
    ) -> Result<(usize, Vec<(usize, Vec<DomainError>)>), ServiceError> {
        let today = today();
        let mut loaded = 0;
        let mut refused = Vec::new();
        for (chunk_no, chunk) in people.chunks(5_000).enumerate() {
            let mut tx = self.store.begin().await?;
            for (i, input) in chunk.iter().enumerate() {
                let v = match input.validate(&today, country_known) {
                    Ok(v) => v,
                    Err(e) => {
                        refused.push((chunk_no * 5_000 + i + 1, e));
                        continue;
                    }
                };
                let row = self.person_row(&v, org.0, user.0, None);
                let id = cw::insert_person(&mut tx, &row).await?;
                self.index_person(&mut tx, id, &v).await?;
                cw::add_consent(&mut tx, id, "registration", "any", user.0, org.0).await?;
                loaded += 1;
            }
            tx.commit().await?;
        }
        let mut tx = self.store.begin().await?;
        audit::append(
            &mut tx,
            audit_row(
                None,
                op,
                "bulk_register",
                "person",
                None,
                json!({"loaded": loaded, "refused": refused.len(), "organisation": org.0}),
            ),
        )
        .await?;
        tx.commit().await?;
        self.store.refresh_statistics().await?;
        Ok((loaded, refused))
    }

    fn person_row(
        &self,
        v: &ValidPerson,
        org: i64,
        user: i64,
        created_anyway: Option<String>,
    ) -> PersonRow {
        let contact = Contact {
            phones: v.phones.clone(),
            document: v.document.clone(),
        };
        let contact_enc = (!contact.phones.is_empty() || contact.document.is_some()).then(|| {
            self.cipher
                .seal(&serde_json::to_string(&contact).unwrap_or_default())
        });
        PersonRow {
            organisation_id: org,
            given_name: v.given_name.clone(),
            family_name: v.family_name.clone(),
            name_ar: v.name_ar.clone(),
            sex: v.sex.as_str().into(),
            birth_date: v.birth.and_then(|b| match b {
                passerelle_domain::casework::BirthDate::Exact { .. } => Some(b.as_text()),
                _ => None,
            }),
            birth_year: v.birth.map(|b| i64::from(b.year())),
            birth_approximate: matches!(
                v.birth,
                Some(passerelle_domain::casework::BirthDate::Year {
                    approximate: true,
                    ..
                })
            ),
            nationality: v.nationality.clone(),
            languages: v.languages.join(","),
            territory_code: v.territory.clone(),
            legal_status: v.legal_status.map(|s| s.as_str().to_string()),
            contact_enc,
            created_anyway,
            created_by: user,
            ..Default::default()
        }
    }

    async fn index_person(
        &self,
        conn: &mut Conn,
        id: i64,
        v: &ValidPerson,
    ) -> Result<(), StoreError> {
        let years: Vec<i32> = v.birth.map(|b| vec![b.year()]).unwrap_or_default();
        let keys = search_keys(
            self,
            &[&v.given_name, &v.family_name, &v.name_ar],
            &years,
            &v.phones,
            v.document.as_ref().map(|d| d.number.as_str()),
        );
        cw::set_keys(conn, id, &keys).await
    }

    /// Whether the actor may see the person: Full (their organisation registered
    /// them, or they have full access to one of their cases), Summary (a case of
    /// theirs is referred or transferred to the actor's organisation), or not at all.
    async fn person_access(
        &self,
        conn: &mut Conn,
        actor: &Actor,
        p: &PersonRow,
    ) -> Result<Option<bool>, ServiceError> {
        let org = actor.user.organisation_id;
        if p.organisation_id == org.0 && decide(actor, Action::WorkCases(org)).is_ok() {
            return Ok(Some(true));
        }
        let mut any = None;
        for c in cw::cases(
            conn,
            &CaseFilter {
                person_id: Some(p.id),
                ..Default::default()
            },
        )
        .await?
        {
            match access::case_access(actor, &self.case_scope(conn, &c).await?) {
                CaseAccess::Full => return Ok(Some(true)),
                CaseAccess::Shared(_) => any = Some(false),
                CaseAccess::None => {}
            }
        }
        Ok(any)
    }

    async fn case_scope(&self, conn: &mut Conn, c: &CaseRow) -> Result<CaseScope, ServiceError> {
        let refs = cw::referrals(conn, ReferralScope::Case(c.id)).await?;
        Ok(scope_of(c, &refs))
    }
}

/// The facts `access::case_access` decides on, from the case and its referrals.
fn scope_of(c: &CaseRow, refs: &[ReferralRow]) -> CaseScope {
    CaseScope {
        organisation_id: OrgId(c.organisation_id),
        assigned_user_id: c.assigned_user_id.map(UserId),
        opened_by: UserId(c.opened_by),
        transfer_to: c.transfer_org_id.map(OrgId),
        referrals: refs
            .iter()
            .filter(|r| {
                ReferralStatus::parse(&r.status).is_some_and(ReferralStatus::receiver_may_read)
            })
            .map(|r| (OrgId(r.to_org_id), split_list(&r.sections)))
            .collect(),
    }
}

impl Service {
    /// A person's file; the read is audited. Unknown or not visible: `NotFound`
    /// (audited too, as a refused read).
    pub async fn person_file(
        &self,
        actor: &Actor,
        id: i64,
        op: &str,
    ) -> Result<PersonFile, ServiceError> {
        let mut tx = self.store.conn().await?;
        let p = cw::person(&mut tx, id).await?;
        let access = match &p {
            Some(p) => self.person_access(&mut tx, actor, p).await?,
            None => None,
        };
        // One connection at a time: the audit row takes its own from the pool.
        drop(tx);
        let (Some(p), Some(full)) = (p, access) else {
            self.audit_read(actor, op, "read_refused", "person", id, json!({}))
                .await?;
            return Err(ServiceError::NotFound);
        };
        self.audit_read(actor, op, "read", "person", id, json!({"full": full}))
            .await?;
        let mut tx = self.store.conn().await?;
        let summary = self.summary(&mut tx, &p).await;
        let mut file = PersonFile {
            summary,
            full,
            version: p.version,
            languages: String::new(),
            territory: None,
            legal_status: None,
            contact: Contact::default(),
            consents: Vec::new(),
            statuses: Vec::new(),
            household: Vec::new(),
            cases: Vec::new(),
            services: Vec::new(),
            created_anyway: p.created_anyway.is_some(),
        };
        let all_cases = cw::cases(
            &mut tx,
            &CaseFilter {
                person_id: Some(id),
                ..Default::default()
            },
        )
        .await?;
        for c in &all_cases {
            if access::case_access(actor, &self.case_scope(&mut tx, c).await?) != CaseAccess::None {
                file.cases.push(self.list_item(&mut tx, c, &p).await?);
            }
        }
        if full {
            file.languages = p.languages.clone();
            file.territory = p.territory_code.clone();
            file.legal_status = p.legal_status.clone();
            file.contact = self.open_contact(&p);
            for c in cw::consents(&mut tx, id).await? {
                file.consents.push(ConsentView {
                    id: c.id,
                    purpose: c.purpose,
                    scope: c.scope,
                    given_at: c.given_at,
                    recorded_by: user_name(&mut tx, Some(c.recorded_by))
                        .await
                        .unwrap_or_default(),
                    withdrawn_at: c.withdrawn_at,
                });
            }
            for s in cw::status_history(&mut tx, id).await? {
                file.statuses.push(StatusView {
                    detail: self.open_opt(s.detail_enc.as_deref()),
                    status: s.status,
                    since: s.since,
                    until: s.until,
                    recorded_at: s.recorded_at,
                });
            }
            for (other, relation) in cw::household(&mut tx, id).await? {
                if let Some(o) = cw::person(&mut tx, other).await? {
                    let s = self.summary(&mut tx, &o).await;
                    file.household.push((s, relation));
                }
            }
            file.services = cw::service_events(&mut tx, id).await?;
        }
        Ok(file)
    }

    /// Corrects a person's identity. Refused with the differing stored values when
    /// someone saved since `version`.
    pub async fn update_person(
        &self,
        actor: &Actor,
        id: i64,
        input: &PersonInput,
        version: i64,
        op: &str,
    ) -> Result<(), CaseworkError> {
        let valid = self.validate_person(input).await?;
        let mut tx = self.store.begin().await?;
        let current = cw::person(&mut tx, id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        if self.person_access(&mut tx, actor, &current).await? != Some(true) {
            return Err(ServiceError::NotFound.into());
        }
        let mut row = self.person_row(
            &valid,
            current.organisation_id,
            current.created_by,
            current.created_anyway.clone(),
        );
        row.id = id;
        row.version = version;
        match cw::update_person(&mut tx, &row).await {
            Err(StoreError::Conflict) => {
                let contact = self.open_contact(&current);
                let theirs = [
                    (
                        "given_name",
                        current.given_name.clone(),
                        valid.given_name.clone(),
                    ),
                    (
                        "family_name",
                        current.family_name.clone(),
                        valid.family_name.clone(),
                    ),
                    ("name_ar", current.name_ar.clone(), valid.name_ar.clone()),
                    ("sex", current.sex.clone(), valid.sex.as_str().to_string()),
                    (
                        "birth_date",
                        current
                            .birth_date
                            .clone()
                            .or(current.birth_year.map(|y| y.to_string()))
                            .unwrap_or_default(),
                        valid.birth.map(|b| b.as_text()).unwrap_or_default(),
                    ),
                    (
                        "nationality",
                        current.nationality.clone().unwrap_or_default(),
                        valid.nationality.clone().unwrap_or_default(),
                    ),
                    (
                        "languages",
                        current.languages.clone(),
                        valid.languages.join(","),
                    ),
                    ("phones", contact.phones.join(", "), valid.phones.join(", ")),
                    (
                        "territory",
                        current.territory_code.clone().unwrap_or_default(),
                        valid.territory.clone().unwrap_or_default(),
                    ),
                ];
                let changed = theirs
                    .into_iter()
                    .filter(|(_, stored, mine)| stored != mine)
                    .map(|(f, stored, _)| (f.to_string(), stored))
                    .collect();
                return Err(CaseworkError::Conflict(changed));
            }
            other => other?,
        }
        self.index_person(&mut tx, id, &valid).await?;
        if valid.legal_status.map(|s| s.as_str().to_string()) != current.legal_status
            && let Some(s) = valid.legal_status
        {
            cw::add_status(
                &mut tx,
                id,
                &StatusRow {
                    status: s.as_str().into(),
                    since: Some(today()),
                    until: valid.document.as_ref().and_then(|d| d.expiry.clone()),
                    detail_enc: None,
                    recorded_by: actor.user.id.0,
                    recorded_at: passerelle_store::now(),
                },
            )
            .await?;
        }
        audit::append(
            &mut tx,
            audit_row(
                Some(actor),
                op,
                "update",
                "person",
                Some(id.to_string()),
                json!({}),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn full_person(
        &self,
        conn: &mut Conn,
        actor: &Actor,
        id: i64,
    ) -> Result<PersonRow, ServiceError> {
        let p = cw::person(conn, id).await?.ok_or(ServiceError::NotFound)?;
        if self.person_access(conn, actor, &p).await? != Some(true) {
            return Err(ServiceError::NotFound);
        }
        Ok(p)
    }

    /// Records a consent (purpose and, for referrals, the kind of organisation).
    pub async fn add_consent(
        &self,
        actor: &Actor,
        person: i64,
        purpose: &str,
        scope: &str,
        op: &str,
    ) -> Result<(), CaseworkError> {
        let parsed = parse_consents(&[(purpose.to_string(), scope.to_string())])?;
        let mut tx = self.store.begin().await?;
        self.full_person(&mut tx, actor, person).await?;
        for (p, s) in parsed {
            cw::add_consent(
                &mut tx,
                person,
                p.as_str(),
                &s,
                actor.user.id.0,
                actor.user.organisation_id.0,
            )
            .await?;
        }
        audit::append(
            &mut tx,
            audit_row(
                Some(actor),
                op,
                "consent",
                "person",
                Some(person.to_string()),
                json!({"purpose": purpose, "scope": scope}),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Withdraws a consent. Referrals that relied on it and are still open are revoked.
    pub async fn withdraw_consent(
        &self,
        actor: &Actor,
        person: i64,
        consent: i64,
        op: &str,
    ) -> Result<(), CaseworkError> {
        let mut tx = self.store.begin().await?;
        self.full_person(&mut tx, actor, person).await?;
        if !cw::withdraw_consent(&mut tx, person, consent, actor.user.id.0).await? {
            return Err(ServiceError::NotFound.into());
        }
        let active = active_consents(&cw::consents(&mut tx, person).await?);
        for r in cw::referrals(&mut tx, ReferralScope::Person(person)).await? {
            let status = ReferralStatus::parse(&r.status);
            if status.is_some_and(ReferralStatus::is_open) {
                let kind = orgs::get(&mut tx, OrgId(r.to_org_id))
                    .await?
                    .map(|o| o.kind.as_str().to_string())
                    .unwrap_or_default();
                if !consent_covers(&active, ConsentPurpose::Referral, &kind) {
                    cw::update_referral(
                        &mut tx,
                        r.id,
                        r.version,
                        ReferralStatus::Revoked.as_str(),
                        None,
                        None,
                        actor.user.id.0,
                    )
                    .await?;
                    cw::add_event(
                        &mut tx,
                        r.case_id,
                        Some(actor.user.id.0),
                        "referral_revoked",
                        &format!("{}: consent withdrawn", r.id),
                    )
                    .await?;
                }
            }
        }
        audit::append(
            &mut tx,
            audit_row(
                Some(actor),
                op,
                "consent_withdrawn",
                "person",
                Some(person.to_string()),
                json!({"consent_id": consent}),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Adds a legal status to the person's history (the detail is encrypted).
    #[allow(clippy::too_many_arguments)]
    pub async fn add_legal_status(
        &self,
        actor: &Actor,
        person: i64,
        status: &str,
        since: &str,
        until: &str,
        detail: &str,
        op: &str,
    ) -> Result<(), CaseworkError> {
        let mut errors = Vec::new();
        let s = LegalStatus::parse(status);
        if s.is_none() {
            errors.push(DomainError::with_value(
                "legal_status",
                ErrorCode::UnknownValue,
                status,
            ));
        }
        for (field, v) in [("since", since), ("until", until)] {
            if !v.trim().is_empty() && !is_iso_date(v.trim()) {
                errors.push(DomainError::with_value(field, ErrorCode::Format, v.trim()));
            }
        }
        if !errors.is_empty() {
            return Err(CaseworkError::Invalid(errors));
        }
        let mut tx = self.store.begin().await?;
        self.full_person(&mut tx, actor, person).await?;
        let opt = |v: &str| Some(v.trim().to_string()).filter(|v| !v.is_empty());
        cw::add_status(
            &mut tx,
            person,
            &StatusRow {
                status: status.trim().to_string(),
                since: opt(since),
                until: opt(until),
                detail_enc: opt(detail).map(|d| self.cipher.seal(&d)),
                recorded_by: actor.user.id.0,
                recorded_at: passerelle_store::now(),
            },
        )
        .await?;
        audit::append(
            &mut tx,
            audit_row(
                Some(actor),
                op,
                "legal_status",
                "person",
                Some(person.to_string()),
                json!({"status": status}),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Links two people of the same household.
    pub async fn link_household(
        &self,
        actor: &Actor,
        person: i64,
        other: i64,
        relation: &str,
        op: &str,
    ) -> Result<(), CaseworkError> {
        const RELATIONS: &[&str] = &["spouse", "child", "parent", "sibling", "other"];
        if !RELATIONS.contains(&relation) {
            return Err(CaseworkError::Invalid(vec![DomainError::with_value(
                "relation",
                ErrorCode::UnknownValue,
                relation,
            )]));
        }
        if person == other {
            return Err(CaseworkError::Invalid(vec![DomainError::new(
                "other",
                ErrorCode::UnknownValue,
            )]));
        }
        let mut tx = self.store.begin().await?;
        self.full_person(&mut tx, actor, person).await?;
        self.full_person(&mut tx, actor, other).await?;
        cw::link_household(&mut tx, person, other, relation, actor.user.id.0).await?;
        audit::append(
            &mut tx,
            audit_row(
                Some(actor),
                op,
                "household",
                "person",
                Some(person.to_string()),
                json!({"other": other, "relation": relation}),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    // ------------------------------------------------------------ cases

    /// Opens a case for a person registered by (or visible to) the actor's
    /// organisation; needs the person's consent to case work.
    pub async fn open_case(
        &self,
        actor: &Actor,
        person: i64,
        intake: Option<i64>,
        op: &str,
    ) -> Result<i64, CaseworkError> {
        let org = actor.user.organisation_id;
        decide(actor, Action::WorkCases(org))?;
        let mut tx = self.store.begin().await?;
        let p = self.full_person(&mut tx, actor, person).await?;
        let active = active_consents(&cw::consents(&mut tx, p.id).await?);
        if !consent_covers(&active, ConsentPurpose::CaseWork, "") {
            return Err(CaseworkError::ConsentMissing {
                purpose: "case_work".into(),
                scope: "any".into(),
            });
        }
        let code = orgs::get(&mut tx, org)
            .await?
            .map(|o| o.code.as_str().to_string())
            .unwrap_or_default();
        let c = cw::insert_case(
            &mut tx,
            &CaseRow {
                person_id: p.id,
                organisation_id: org.0,
                assigned_user_id: Some(actor.user.id.0),
                status: CaseStatus::Open.as_str().into(),
                intake_id: intake,
                opened_by: actor.user.id.0,
                ..Default::default()
            },
            &code,
        )
        .await?;
        cw::add_event(&mut tx, c.id, Some(actor.user.id.0), "opened", "").await?;
        if let Some(intake) = intake {
            // A request from the portal: it must be one routed to the actor's organisation.
            let req = passerelle_store::directory::intake(&mut tx, intake)
                .await?
                .ok_or(ServiceError::NotFound)?;
            decide(actor, Action::HandleIntake(req.organisation_id))?;
            passerelle_store::directory::link_intake_case(&mut tx, intake, &c.case_ref).await?;
        }
        cw::add_service_event(
            &mut tx,
            &ServiceEventRow {
                person_id: p.id,
                case_id: Some(c.id),
                organisation_id: org.0,
                service_type: "reception".into(),
                delivered_on: today(),
                territory_code: p.territory_code.clone(),
                recorded_by: actor.user.id.0,
                ..Default::default()
            },
        )
        .await?;
        audit::append(
            &mut tx,
            audit_row(
                Some(actor),
                op,
                "create",
                "case",
                Some(c.id.to_string()),
                json!({"person_id": p.id}),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(c.id)
    }

    async fn list_item(
        &self,
        conn: &mut Conn,
        c: &CaseRow,
        p: &PersonRow,
    ) -> Result<CaseListItem, ServiceError> {
        let today = today();
        let overdue_steps = cw::overdue_steps(conn, &[c.id], &today).await?.len();
        let overdue_referrals = cw::referrals(conn, ReferralScope::Case(c.id))
            .await?
            .iter()
            .filter(|r| referral_overdue(r, &today))
            .count();
        Ok(CaseListItem {
            id: c.id,
            case_ref: c.case_ref.clone(),
            person_id: c.person_id,
            person_name: display_name(p),
            organisation: org_name(conn, c.organisation_id).await,
            assigned_to: user_name(conn, c.assigned_user_id).await,
            status: c.status.clone(),
            opened_at: c.opened_at.clone(),
            overdue_steps,
            overdue_referrals,
        })
    }

    async fn load_case(
        &self,
        conn: &mut Conn,
        actor: &Actor,
        id: i64,
    ) -> Result<(CaseRow, CaseAccess), ServiceError> {
        let c = cw::case(conn, id).await?.ok_or(ServiceError::NotFound)?;
        let access = access::case_access(actor, &self.case_scope(conn, &c).await?);
        Ok((c, access))
    }

    /// Loads a case the actor has full access to, or `NotFound`.
    async fn full_case(
        &self,
        conn: &mut Conn,
        actor: &Actor,
        id: i64,
    ) -> Result<CaseRow, ServiceError> {
        match self.load_case(conn, actor, id).await {
            Ok((c, CaseAccess::Full)) => Ok(c),
            _ => Err(ServiceError::NotFound),
        }
    }

    /// A case, as much as the actor may see; the read (or the refused read) is audited.
    ///
    /// The page is read in a fixed, small number of queries whatever the case holds:
    /// the case's referrals are read once (for the access decision and for the
    /// page), organisation names come from one list, the authors of notes and events
    /// from one query, and the form's parsed definition from the per-version cache.
    pub async fn case_view(
        &self,
        actor: &Actor,
        id: i64,
        op: &str,
    ) -> Result<CaseView, ServiceError> {
        // Reads go through a plain connection (readers do not queue behind the writer);
        // the audit row is committed first, with the other reads of the moment.
        // Each statement is a hand-off to the database's thread or a round trip, so
        // the page reads in two: the case with its person, assessment and assignee,
        // then everything it lists (`cw::case_file_rows`), referrals included, which
        // the access decision needs. None of it leaves this function unless access is
        // granted and the audit row is in.
        let mut conn = self.store.conn().await?;
        let loaded = match cw::case_with_person(&mut conn, id).await {
            Ok(Some(cp)) => {
                match cw::case_file_rows(&mut conn, cp.case.id, cp.case.person_id).await {
                    Ok(file) => {
                        let access =
                            access::case_access(actor, &scope_of(&cp.case, &file.referrals));
                        Ok((cp, file, access))
                    }
                    Err(e) => Err(ServiceError::from(e)),
                }
            }
            Ok(None) => Err(ServiceError::NotFound),
            Err(e) => Err(e.into()),
        };
        // One connection at a time: the audit flush takes its own from the pool.
        drop(conn);
        let (cp, file, access) = match loaded {
            Ok((cp, file, access)) if access != CaseAccess::None => (cp, file, access),
            Ok(_) | Err(ServiceError::NotFound) => {
                self.audit_read(actor, op, "read_refused", "case", id, json!({}))
                    .await?;
                return Err(ServiceError::NotFound);
            }
            Err(e) => return Err(e),
        };
        let cw::CaseWithPerson {
            case: c,
            person: p,
            assessment,
            assigned_name: assignee,
            reference_stamp,
        } = cp;
        let full = access == CaseAccess::Full;
        let shared = match &access {
            CaseAccess::Shared(s) => s.clone(),
            _ => Vec::new(),
        };
        self.audit_read(
            actor,
            op,
            "read",
            "case",
            id,
            json!({"full": full, "sections": shared}),
        )
        .await?;
        // The reference lists and the assessment's form are usually in memory: a
        // connection is taken only for what is not (giving one back to the pool
        // is a hand-off to its thread too).
        let mut conn = None;
        let lists = match self.ref_lists.cached(&reference_stamp) {
            Some(lists) => lists,
            None => {
                let conn = lazy_conn(&self.store, &mut conn).await?;
                self.ref_lists.get_stamped(conn, reference_stamp).await?
            }
        };
        let org_name = |id: i64| lists.org_name(id);
        let person = summary_with(&p, org_name(p.organisation_id));
        let cached = assessment
            .as_ref()
            .and_then(|a| self.form_cached(&a.form_code, a.form_version));
        let form = match (cached, &assessment) {
            (Some(form), _) => form,
            (None, Some(a)) => {
                let conn = lazy_conn(&self.store, &mut conn).await?;
                self.form_def(conn, &a.form_code, Some(a.form_version))
                    .await?
            }
            (None, None) => {
                let conn = lazy_conn(&self.store, &mut conn).await?;
                self.form_def(conn, DEFAULT_FORM, None).await?
            }
        };
        let mut answers: Answers = assessment
            .as_ref()
            .and_then(|a| self.cipher.open(&a.answers_enc).ok())
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or_default();
        if !full {
            answers = form.only_sections(&answers, &shared);
        }
        let today = today();
        let can_supervise = decide(actor, Action::SuperviseCases(OrgId(c.organisation_id))).is_ok();
        let mut view = CaseView {
            id: c.id,
            case_ref: c.case_ref.clone(),
            person,
            organisation: org_name(c.organisation_id),
            organisation_id: c.organisation_id,
            assigned_to: None,
            assigned_user_id: c.assigned_user_id,
            status: c.status.clone(),
            close_reason: c.close_reason.clone(),
            transfer_to: c.transfer_org_id.map(org_name),
            opened_at: c.opened_at.clone(),
            version: c.version,
            full,
            shared_sections: shared,
            form,
            answers,
            assessment_version: assessment.as_ref().map(|a| a.version).unwrap_or(0),
            steps: Vec::new(),
            notes: Vec::new(),
            referrals: Vec::new(),
            services: Vec::new(),
            events: Vec::new(),
            consents: Vec::new(),
            team: Vec::new(),
            can_supervise,
            lists: Arc::new(RefLists::default()),
        };
        let my_org = actor.user.organisation_id.0;
        let known = KnownCase {
            case_id: c.id,
            case_ref: &c.case_ref,
            person_id: p.id,
            person_name: display_name(&p),
        };
        let cw::CaseFileRows {
            referrals,
            steps,
            journal,
            services,
            consents,
        } = file;
        for r in &referrals {
            if full || r.to_org_id == my_org {
                let v = if known.is_of(r) {
                    self.referral_view_of(
                        r,
                        my_org,
                        &today,
                        &lists,
                        known.case_ref,
                        &known.person_name,
                    )
                } else {
                    let conn = lazy_conn(&self.store, &mut conn).await?;
                    self.referral_view_with(conn, r, my_org, &today, &lists, Some(&known))
                        .await?
                };
                view.referrals.push(v);
            }
        }
        view.services = services
            .into_iter()
            .filter(|e| full || e.organisation_id == my_org)
            .collect();
        // Full or shared, the page names the worker the case is assigned to.
        view.assigned_to = assignee;
        if full {
            for s in steps {
                view.steps.push(StepView {
                    overdue: s.status == "planned"
                        && s.due_date.as_deref().is_some_and(|d| d < today.as_str()),
                    id: s.id,
                    goal: s.goal,
                    step: s.step,
                    due_date: s.due_date,
                    status: s.status,
                });
            }
            for (body, _, at, author) in journal.notes {
                view.notes.push(NoteView {
                    body: self.cipher.open(&body).unwrap_or_default(),
                    author: author.unwrap_or_default(),
                    at,
                });
            }
            for (e, who) in journal.events {
                view.events.push(EventView {
                    who: e.user_id.and(who),
                    at: e.at,
                    kind: e.kind,
                    detail: e.detail,
                });
            }
            view.consents = active_consents(&consents)
                .into_iter()
                .map(|(p, s)| (p.as_str().to_string(), s))
                .collect();
            if view.can_supervise {
                let conn = lazy_conn(&self.store, &mut conn).await?;
                view.team = users::list(conn, Some(OrgId(c.organisation_id)))
                    .await?
                    .into_iter()
                    .filter(|u| {
                        u.active
                            && u.roles.iter().any(|r| {
                                matches!(
                                    r,
                                    passerelle_domain::Role::CaseWorker
                                        | passerelle_domain::Role::Supervisor
                                )
                            })
                    })
                    .map(|u| (u.id.0, u.display_name))
                    .collect();
            }
        }
        // The organisations a referral or a transfer may name, for the forms; the
        // same list, already read, under the same rule as `Service::organisations`.
        if decide(actor, Action::ViewDirectory).is_ok() {
            view.lists = lists;
        }
        Ok(view)
    }

    async fn referral_view(
        &self,
        conn: &mut Conn,
        r: &ReferralRow,
        my_org: i64,
        today: &str,
    ) -> Result<ReferralView, ServiceError> {
        let lists = self.ref_lists.get(conn).await?;
        self.referral_view_with(conn, r, my_org, today, &lists, None)
            .await
    }

    /// A referral for display, with organisation and service names from `lists` and,
    /// when the referral is of the case being shown, that case's reference and person.
    async fn referral_view_with(
        &self,
        conn: &mut Conn,
        r: &ReferralRow,
        my_org: i64,
        today: &str,
        lists: &RefLists,
        known: Option<&KnownCase<'_>>,
    ) -> Result<ReferralView, ServiceError> {
        let (case_ref, person_name) = match known {
            Some(k) if k.is_of(r) => (k.case_ref.to_string(), k.person_name.clone()),
            _ => (
                cw::case(conn, r.case_id)
                    .await?
                    .map(|c| c.case_ref)
                    .unwrap_or_default(),
                cw::person(conn, r.person_id)
                    .await?
                    .as_ref()
                    .map(display_name)
                    .unwrap_or_default(),
            ),
        };
        Ok(self.referral_view_of(r, my_org, today, lists, &case_ref, &person_name))
    }

    /// A referral for display, its case's reference and person's name known.
    fn referral_view_of(
        &self,
        r: &ReferralRow,
        my_org: i64,
        today: &str,
        lists: &RefLists,
        case_ref: &str,
        person_name: &str,
    ) -> ReferralView {
        let org_name = |id: i64| lists.org_name(id);
        ReferralView {
            id: r.id,
            case_id: r.case_id,
            case_ref: case_ref.to_string(),
            person_name: person_name.to_string(),
            from_org: org_name(r.from_org_id),
            from_org_id: r.from_org_id,
            to_org: org_name(r.to_org_id),
            to_org_id: r.to_org_id,
            service_code: r.service_code.clone(),
            service_name: r
                .service_code
                .as_deref()
                .filter(|c| !is_service_type(c))
                .and_then(|code| lists.service_names(code)),
            sections: split_list(&r.sections),
            status: r.status.clone(),
            reason: self.open_opt(r.reason_enc.as_deref()),
            outcome: self.open_opt(r.outcome_enc.as_deref()),
            due_date: r.due_date.clone(),
            overdue: referral_overdue(r, today),
            sent_at: r.sent_at.clone(),
            version: r.version,
            is_sender: r.from_org_id == my_org,
            is_receiver: r.to_org_id == my_org,
        }
    }

    /// Saves the case's assessment (validated against its form; encrypted).
    pub async fn save_assessment(
        &self,
        actor: &Actor,
        case_id: i64,
        raw: &Answers,
        version: i64,
        op: &str,
    ) -> Result<(), CaseworkError> {
        let mut tx = self.store.begin().await?;
        let c = self.full_case(&mut tx, actor, case_id).await?;
        if c.status == CaseStatus::Closed.as_str() {
            return Err(CaseworkError::WrongState { status: c.status });
        }
        let form = self.form_def(&mut tx, DEFAULT_FORM, None).await?;
        let answers = form.check(raw).map_err(CaseworkError::Form)?;
        let sealed = self
            .cipher
            .seal(&serde_json::to_string(&answers).unwrap_or_default());
        match cw::save_assessment(
            &mut tx,
            case_id,
            &form.code,
            i64::from(form.version),
            &sealed,
            actor.user.id.0,
            version,
        )
        .await
        {
            Err(StoreError::Conflict) => {
                let stored: Answers = cw::assessment(&mut tx, case_id)
                    .await?
                    .and_then(|a| self.cipher.open(&a.answers_enc).ok())
                    .and_then(|t| serde_json::from_str(&t).ok())
                    .unwrap_or_default();
                let mut changed: Vec<(String, String)> = Vec::new();
                for (k, v) in &stored {
                    if answers.get(k) != Some(v) {
                        changed.push((k.clone(), v.clone()));
                    }
                }
                for k in answers.keys() {
                    if !stored.contains_key(k) {
                        changed.push((k.clone(), String::new()));
                    }
                }
                return Err(CaseworkError::Conflict(changed));
            }
            other => other?,
        }
        self.activate(&mut tx, &c, actor).await?;
        cw::add_event(
            &mut tx,
            case_id,
            Some(actor.user.id.0),
            "assessment_saved",
            "",
        )
        .await?;
        audit::append(
            &mut tx,
            audit_row(
                Some(actor),
                op,
                "assessment",
                "case",
                Some(case_id.to_string()),
                json!({"form": form.code, "version": form.version}),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Open → active on the first piece of work.
    async fn activate(
        &self,
        conn: &mut Conn,
        c: &CaseRow,
        actor: &Actor,
    ) -> Result<(), ServiceError> {
        if c.status == CaseStatus::Open.as_str() {
            let fresh = cw::case(conn, c.id).await?.ok_or(ServiceError::NotFound)?;
            let mut next = fresh.clone();
            next.status = CaseStatus::Active.as_str().into();
            cw::update_case(conn, &next).await?;
            cw::add_event(conn, c.id, Some(actor.user.id.0), "activated", "").await?;
        }
        Ok(())
    }

    /// Adds a step to the pathway plan.
    pub async fn add_plan_step(
        &self,
        actor: &Actor,
        case_id: i64,
        goal: &str,
        step: &str,
        due: &str,
        op: &str,
    ) -> Result<(), CaseworkError> {
        let mut errors = Vec::new();
        if goal.trim().is_empty() {
            errors.push(DomainError::new("goal", ErrorCode::Required));
        }
        if step.trim().is_empty() {
            errors.push(DomainError::new("step", ErrorCode::Required));
        }
        if !due.trim().is_empty() && !is_iso_date(due.trim()) {
            errors.push(DomainError::with_value(
                "due_date",
                ErrorCode::Format,
                due.trim(),
            ));
        }
        if goal.chars().count() > 300 || step.chars().count() > 1000 {
            errors.push(DomainError::new("step", ErrorCode::Length));
        }
        if !errors.is_empty() {
            return Err(CaseworkError::Invalid(errors));
        }
        let mut tx = self.store.begin().await?;
        let c = self.full_case(&mut tx, actor, case_id).await?;
        if c.status == CaseStatus::Closed.as_str() {
            return Err(CaseworkError::WrongState { status: c.status });
        }
        let due = Some(due.trim()).filter(|d| !d.is_empty());
        cw::add_step(
            &mut tx,
            case_id,
            goal.trim(),
            step.trim(),
            due,
            actor.user.id.0,
        )
        .await?;
        self.activate(&mut tx, &c, actor).await?;
        cw::add_event(
            &mut tx,
            case_id,
            Some(actor.user.id.0),
            "step_added",
            goal.trim(),
        )
        .await?;
        audit::append(
            &mut tx,
            audit_row(
                Some(actor),
                op,
                "plan_step",
                "case",
                Some(case_id.to_string()),
                json!({}),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn set_step_status(
        &self,
        actor: &Actor,
        case_id: i64,
        step_id: i64,
        status: &str,
        op: &str,
    ) -> Result<(), CaseworkError> {
        let s = StepStatus::parse(status).ok_or_else(|| {
            CaseworkError::Invalid(vec![DomainError::with_value(
                "status",
                ErrorCode::UnknownValue,
                status,
            )])
        })?;
        let mut tx = self.store.begin().await?;
        self.full_case(&mut tx, actor, case_id).await?;
        if !cw::set_step_status(&mut tx, case_id, step_id, s.as_str()).await? {
            return Err(ServiceError::NotFound.into());
        }
        cw::add_event(
            &mut tx,
            case_id,
            Some(actor.user.id.0),
            "step_status",
            s.as_str(),
        )
        .await?;
        audit::append(
            &mut tx,
            audit_row(
                Some(actor),
                op,
                "plan_step_status",
                "case",
                Some(case_id.to_string()),
                json!({"step": step_id, "status": s.as_str()}),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Adds a follow-up note (encrypted).
    pub async fn add_note(
        &self,
        actor: &Actor,
        case_id: i64,
        body: &str,
        op: &str,
    ) -> Result<(), CaseworkError> {
        let body = body.trim();
        if body.is_empty() {
            return Err(CaseworkError::Invalid(vec![DomainError::new(
                "body",
                ErrorCode::Required,
            )]));
        }
        if body.chars().count() > 10_000 {
            return Err(CaseworkError::Invalid(vec![DomainError::new(
                "body",
                ErrorCode::Length,
            )]));
        }
        let mut tx = self.store.begin().await?;
        let c = self.full_case(&mut tx, actor, case_id).await?;
        cw::add_note(&mut tx, case_id, &self.cipher.seal(body), actor.user.id.0).await?;
        self.activate(&mut tx, &c, actor).await?;
        audit::append(
            &mut tx,
            audit_row(
                Some(actor),
                op,
                "note",
                "case",
                Some(case_id.to_string()),
                json!({}),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Closes (with a reason) or reopens a case.
    pub async fn case_transition(
        &self,
        actor: &Actor,
        case_id: i64,
        action: &str,
        reason: &str,
        version: i64,
        op: &str,
    ) -> Result<(), CaseworkError> {
        let t = match action {
            "close" => CaseTransition::Close(CloseReason::parse(reason).ok_or_else(|| {
                CaseworkError::Invalid(vec![DomainError::new("reason", ErrorCode::Required)])
            })?),
            "reopen" => CaseTransition::Reopen,
            _ => {
                return Err(CaseworkError::Invalid(vec![DomainError::with_value(
                    "action",
                    ErrorCode::UnknownValue,
                    action,
                )]));
            }
        };
        let mut tx = self.store.begin().await?;
        let c = self.full_case(&mut tx, actor, case_id).await?;
        let status = CaseStatus::parse(&c.status).unwrap_or(CaseStatus::Open);
        let next = status.next(t).ok_or(CaseworkError::WrongState {
            status: c.status.clone(),
        })?;
        let mut row = c.clone();
        row.version = version;
        row.status = next.as_str().into();
        match t {
            CaseTransition::Close(r) => {
                row.close_reason = Some(r.as_str().into());
                row.closed_at = Some(passerelle_store::now());
            }
            _ => {
                row.close_reason = None;
                row.closed_at = None;
            }
        }
        if let Err(StoreError::Conflict) = cw::update_case(&mut tx, &row).await {
            return Err(CaseworkError::Conflict(vec![("status".into(), c.status)]));
        }
        cw::add_event(
            &mut tx,
            case_id,
            Some(actor.user.id.0),
            if action == "close" {
                "closed"
            } else {
                "reopened"
            },
            reason,
        )
        .await?;
        audit::append(
            &mut tx,
            audit_row(
                Some(actor),
                op,
                action,
                "case",
                Some(case_id.to_string()),
                json!({"reason": reason}),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Assigns a case to a worker of its organisation (supervisors).
    pub async fn assign_case(
        &self,
        actor: &Actor,
        case_id: i64,
        user: i64,
        op: &str,
    ) -> Result<(), CaseworkError> {
        let mut tx = self.store.begin().await?;
        let c = self.full_case(&mut tx, actor, case_id).await?;
        decide(actor, Action::SuperviseCases(OrgId(c.organisation_id)))?;
        let u = users::get(&mut tx, UserId(user)).await?.ok_or_else(|| {
            CaseworkError::Invalid(vec![DomainError::new("user", ErrorCode::UnknownValue)])
        })?;
        if u.organisation_id.0 != c.organisation_id || !u.active {
            return Err(CaseworkError::Invalid(vec![DomainError::new(
                "user",
                ErrorCode::UnknownValue,
            )]));
        }
        let mut row = c.clone();
        row.assigned_user_id = Some(user);
        cw::update_case(&mut tx, &row).await?;
        cw::add_event(
            &mut tx,
            case_id,
            Some(actor.user.id.0),
            "assigned",
            &u.display_name,
        )
        .await?;
        audit::append(
            &mut tx,
            audit_row(
                Some(actor),
                op,
                "assign",
                "case",
                Some(case_id.to_string()),
                json!({"user": user}),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Asks another organisation to take the case over; it moves when they accept.
    pub async fn request_transfer(
        &self,
        actor: &Actor,
        case_id: i64,
        to_org: &str,
        op: &str,
    ) -> Result<(), CaseworkError> {
        let mut tx = self.store.begin().await?;
        let c = self.full_case(&mut tx, actor, case_id).await?;
        let code = passerelle_domain::OrgCode::parse(to_org).map_err(|_| {
            CaseworkError::Invalid(vec![DomainError::with_value(
                "organisation",
                ErrorCode::UnknownOrganisation,
                to_org,
            )])
        })?;
        let target = orgs::by_code(&mut tx, &code).await?.ok_or_else(|| {
            CaseworkError::Invalid(vec![DomainError::with_value(
                "organisation",
                ErrorCode::UnknownOrganisation,
                to_org,
            )])
        })?;
        if target.id.0 == c.organisation_id || c.status == CaseStatus::Closed.as_str() {
            return Err(CaseworkError::WrongState { status: c.status });
        }
        let mut row = c.clone();
        row.transfer_org_id = Some(target.id.0);
        cw::update_case(&mut tx, &row).await?;
        cw::add_event(
            &mut tx,
            case_id,
            Some(actor.user.id.0),
            "transfer_requested",
            target.code.as_str(),
        )
        .await?;
        audit::append(
            &mut tx,
            audit_row(
                Some(actor),
                op,
                "transfer_request",
                "case",
                Some(case_id.to_string()),
                json!({"to": target.code.as_str()}),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The receiving organisation accepts (the case becomes theirs, assigned to the
    /// accepting worker) or declines a transfer.
    pub async fn answer_transfer(
        &self,
        actor: &Actor,
        case_id: i64,
        accept: bool,
        op: &str,
    ) -> Result<(), CaseworkError> {
        let org = actor.user.organisation_id;
        decide(actor, Action::WorkCases(org))?;
        let mut tx = self.store.begin().await?;
        let c = cw::case(&mut tx, case_id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        if c.transfer_org_id != Some(org.0) {
            return Err(ServiceError::NotFound.into());
        }
        let mut row = c.clone();
        row.transfer_org_id = None;
        if accept {
            row.organisation_id = org.0;
            row.assigned_user_id = Some(actor.user.id.0);
        }
        cw::update_case(&mut tx, &row).await?;
        cw::add_event(
            &mut tx,
            case_id,
            Some(actor.user.id.0),
            if accept {
                "transfer_accepted"
            } else {
                "transfer_declined"
            },
            &actor.organisation_code,
        )
        .await?;
        audit::append(
            &mut tx,
            audit_row(
                Some(actor),
                op,
                if accept {
                    "transfer_accept"
                } else {
                    "transfer_decline"
                },
                "case",
                Some(case_id.to_string()),
                json!({}),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    // ------------------------------------------------------------ referrals

    /// Refers the case's person to another organisation, sharing the chosen sections of
    /// the assessment. Refused, naming the consent, when the person has not consented
    /// to referrals to that kind of organisation.
    #[allow(clippy::too_many_arguments)]
    pub async fn refer(
        &self,
        actor: &Actor,
        case_id: i64,
        to_org: &str,
        service_code: &str,
        sections: &[String],
        due: &str,
        message: &str,
        op: &str,
    ) -> Result<i64, CaseworkError> {
        let mut errors = Vec::new();
        if !due.trim().is_empty() && !is_iso_date(due.trim()) {
            errors.push(DomainError::with_value(
                "due_date",
                ErrorCode::Format,
                due.trim(),
            ));
        }
        let mut tx = self.store.begin().await?;
        let c = self.full_case(&mut tx, actor, case_id).await?;
        let target = match passerelle_domain::OrgCode::parse(to_org) {
            Ok(code) => orgs::by_code(&mut tx, &code).await?,
            Err(_) => None,
        };
        if target.is_none() {
            errors.push(DomainError::with_value(
                "organisation",
                ErrorCode::UnknownOrganisation,
                to_org.trim(),
            ));
        }
        let form = self.form_def(&mut tx, DEFAULT_FORM, None).await?;
        for s in sections {
            if form.section(s).is_none() {
                errors.push(DomainError::with_value(
                    "sections",
                    ErrorCode::UnknownValue,
                    s.as_str(),
                ));
            }
        }
        let service = service_code.trim();
        if !service.is_empty() && !is_service_type(service) {
            // A service from the directory: it must exist and be the receiving
            // organisation's (or its parent's or branch's).
            let owner = cw::directory_service(&mut tx, service).await?.map(|d| d.0);
            let related = |a: &str, b: &str| {
                a == b || a.starts_with(&format!("{b}-")) || b.starts_with(&format!("{a}-"))
            };
            let fits = match (&owner, &target) {
                (Some(o), Some(t)) => related(o, t.code.as_str()),
                (Some(_), None) => true,
                (None, _) => false,
            };
            if !fits {
                errors.push(DomainError::with_value(
                    "service",
                    ErrorCode::UnknownValue,
                    service,
                ));
            }
        }
        if !errors.is_empty() {
            return Err(CaseworkError::Invalid(errors));
        }
        let target = target.ok_or(ServiceError::NotFound)?;
        if target.id.0 == c.organisation_id {
            return Err(CaseworkError::Invalid(vec![DomainError::with_value(
                "organisation",
                ErrorCode::UnknownOrganisation,
                to_org.trim(),
            )]));
        }
        if c.status == CaseStatus::Closed.as_str() {
            return Err(CaseworkError::WrongState { status: c.status });
        }
        let active = active_consents(&cw::consents(&mut tx, c.person_id).await?);
        if !consent_covers(&active, ConsentPurpose::Referral, target.kind.as_str()) {
            return Err(CaseworkError::ConsentMissing {
                purpose: "referral".into(),
                scope: target.kind.as_str().into(),
            });
        }
        let due = if due.trim().is_empty() {
            add_days(&today(), REFERRAL_DEFAULT_DAYS)
        } else {
            due.trim().to_string()
        };
        let message = message.trim();
        let id = cw::insert_referral(
            &mut tx,
            &ReferralRow {
                case_id,
                person_id: c.person_id,
                from_org_id: c.organisation_id,
                to_org_id: target.id.0,
                service_code: Some(service.to_string()).filter(|s| !s.is_empty()),
                sections: sections.join("|"),
                reason_enc: (!message.is_empty()).then(|| self.cipher.seal(message)),
                due_date: Some(due),
                sent_by: actor.user.id.0,
                ..Default::default()
            },
        )
        .await?;
        self.activate(&mut tx, &c, actor).await?;
        cw::add_event(
            &mut tx,
            case_id,
            Some(actor.user.id.0),
            "referred",
            target.code.as_str(),
        )
        .await?;
        audit::append(
            &mut tx,
            audit_row(
                Some(actor),
                op,
                "refer",
                "case",
                Some(case_id.to_string()),
                json!({"referral": id, "to": target.code.as_str(), "sections": sections}),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Moves a referral on: the receiver accepts, declines (with a reason), records
    /// the service given (a service event of `service_type`) or completes it with an
    /// outcome for the sender; the sender may revoke.
    #[allow(clippy::too_many_arguments)]
    pub async fn act_on_referral(
        &self,
        actor: &Actor,
        referral_id: i64,
        action: &str,
        text: &str,
        service_type: &str,
        version: i64,
        op: &str,
    ) -> Result<(), CaseworkError> {
        let t = ReferralTransition::parse(action).ok_or_else(|| {
            CaseworkError::Invalid(vec![DomainError::with_value(
                "action",
                ErrorCode::UnknownValue,
                action,
            )])
        })?;
        let mut tx = self.store.begin().await?;
        let r = cw::referral(&mut tx, referral_id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let org = actor.user.organisation_id;
        let side_org = match t.side() {
            passerelle_domain::casework::referral::Side::Sender => r.from_org_id,
            passerelle_domain::casework::referral::Side::Receiver => r.to_org_id,
        };
        if side_org != org.0 || decide(actor, Action::WorkCases(org)).is_err() {
            audit::append(
                &mut tx,
                audit_row(
                    Some(actor),
                    op,
                    "refused",
                    "referral",
                    Some(referral_id.to_string()),
                    json!({"action": action}),
                ),
            )
            .await?;
            tx.commit().await?;
            return Err(ServiceError::NotFound.into());
        }
        let status = ReferralStatus::parse(&r.status).unwrap_or(ReferralStatus::Sent);
        let next = status.next(t).ok_or(CaseworkError::WrongState {
            status: r.status.clone(),
        })?;
        let text = text.trim();
        if matches!(
            t,
            ReferralTransition::Decline | ReferralTransition::Complete
        ) && text.is_empty()
        {
            return Err(CaseworkError::Invalid(vec![DomainError::new(
                if t == ReferralTransition::Decline {
                    "reason"
                } else {
                    "outcome"
                },
                ErrorCode::Required,
            )]));
        }
        if t == ReferralTransition::ServiceGiven && !is_service_type(service_type) {
            return Err(CaseworkError::Invalid(vec![DomainError::with_value(
                "service_type",
                ErrorCode::UnknownValue,
                service_type,
            )]));
        }
        let sealed = (!text.is_empty()).then(|| self.cipher.seal(text));
        let (reason, outcome) = match t {
            ReferralTransition::Decline | ReferralTransition::Revoke => (sealed.as_deref(), None),
            ReferralTransition::Complete => (None, sealed.as_deref()),
            _ => (None, None),
        };
        if let Err(StoreError::Conflict) = cw::update_referral(
            &mut tx,
            r.id,
            version,
            next.as_str(),
            reason,
            outcome,
            actor.user.id.0,
        )
        .await
        {
            return Err(CaseworkError::Conflict(vec![(
                "status".into(),
                r.status.clone(),
            )]));
        }
        if t == ReferralTransition::ServiceGiven {
            let p = cw::person(&mut tx, r.person_id).await?;
            cw::add_service_event(
                &mut tx,
                &ServiceEventRow {
                    person_id: r.person_id,
                    case_id: Some(r.case_id),
                    referral_id: Some(r.id),
                    organisation_id: org.0,
                    service_type: service_type.to_string(),
                    delivered_on: today(),
                    territory_code: p.and_then(|p| p.territory_code),
                    recorded_by: actor.user.id.0,
                    ..Default::default()
                },
            )
            .await?;
        }
        cw::add_event(
            &mut tx,
            r.case_id,
            Some(actor.user.id.0),
            &format!("referral_{}", next.as_str()),
            format!(
                "{} {}",
                r.id,
                if t == ReferralTransition::ServiceGiven {
                    service_type
                } else {
                    ""
                }
            )
            .trim(),
        )
        .await?;
        audit::append(
            &mut tx,
            audit_row(
                Some(actor),
                op,
                action,
                "referral",
                Some(referral_id.to_string()),
                json!({"case": r.case_id, "status": next.as_str()}),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Referrals to and from the actor's organisation, overdue ones flagged.
    pub async fn referral_board(&self, actor: &Actor) -> Result<ReferralBoard, ServiceError> {
        let org = actor.user.organisation_id;
        decide(actor, Action::WorkCases(org))?;
        let mut conn = self.store.conn().await?;
        let today = today();
        let mut board = ReferralBoard {
            incoming: Vec::new(),
            outgoing: Vec::new(),
        };
        for r in cw::referrals(&mut conn, ReferralScope::To(org.0)).await? {
            board
                .incoming
                .push(self.referral_view(&mut conn, &r, org.0, &today).await?);
        }
        for r in cw::referrals(&mut conn, ReferralScope::From(org.0)).await? {
            // A case worker sees the referrals of the cases they may read.
            let (_, access) = self.load_case(&mut conn, actor, r.case_id).await?;
            if access == CaseAccess::Full {
                board
                    .outgoing
                    .push(self.referral_view(&mut conn, &r, org.0, &today).await?);
            }
        }
        Ok(board)
    }

    /// Records a service given to the case's person (by the actor's organisation).
    pub async fn record_service(
        &self,
        actor: &Actor,
        case_id: i64,
        service_type: &str,
        date: &str,
        node: &str,
        op: &str,
    ) -> Result<(), CaseworkError> {
        let mut errors = Vec::new();
        if !is_service_type(service_type) {
            errors.push(DomainError::with_value(
                "service_type",
                ErrorCode::UnknownValue,
                service_type,
            ));
        }
        let date = if date.trim().is_empty() {
            today()
        } else {
            date.trim().to_string()
        };
        if !is_iso_date(&date) || date > today() {
            errors.push(DomainError::with_value(
                "date",
                ErrorCode::ImpossibleDate,
                date.as_str(),
            ));
        }
        if !errors.is_empty() {
            return Err(CaseworkError::Invalid(errors));
        }
        let mut tx = self.store.begin().await?;
        let c = self.full_case(&mut tx, actor, case_id).await?;
        let p = cw::person(&mut tx, c.person_id).await?;
        cw::add_service_event(
            &mut tx,
            &ServiceEventRow {
                person_id: c.person_id,
                case_id: Some(case_id),
                organisation_id: actor.user.organisation_id.0,
                service_type: service_type.into(),
                delivered_on: date,
                territory_code: p.and_then(|p| p.territory_code),
                framework_node: Some(node.trim().to_string()).filter(|n| !n.is_empty()),
                recorded_by: actor.user.id.0,
                ..Default::default()
            },
        )
        .await?;
        self.activate(&mut tx, &c, actor).await?;
        cw::add_event(
            &mut tx,
            case_id,
            Some(actor.user.id.0),
            "service",
            service_type,
        )
        .await?;
        audit::append(
            &mut tx,
            audit_row(
                Some(actor),
                op,
                "service",
                "case",
                Some(case_id.to_string()),
                json!({"type": service_type}),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    // ------------------------------------------------------------ caseloads and statistics

    /// The actor's open cases with what is overdue; for a supervisor, the team's too.
    pub async fn caseload(&self, actor: &Actor) -> Result<Caseload, ServiceError> {
        let org = actor.user.organisation_id;
        decide(actor, Action::WorkCases(org))?;
        let mut conn = self.store.conn().await?;
        let mut load = Caseload {
            mine: Vec::new(),
            team: Vec::new(),
            workers: Vec::new(),
            incoming_transfers: Vec::new(),
        };
        let mine = cw::cases(
            &mut conn,
            &CaseFilter {
                organisation_id: Some(org.0),
                assigned_user_id: Some(actor.user.id.0),
                open_only: true,
                ..Default::default()
            },
        )
        .await?;
        for c in &mine {
            let p = cw::person(&mut conn, c.person_id)
                .await?
                .unwrap_or_default();
            load.mine.push(self.list_item(&mut conn, c, &p).await?);
        }
        if decide(actor, Action::SuperviseCases(org)).is_ok() {
            let all = cw::cases(
                &mut conn,
                &CaseFilter {
                    organisation_id: Some(org.0),
                    open_only: true,
                    ..Default::default()
                },
            )
            .await?;
            for c in &all {
                let p = cw::person(&mut conn, c.person_id)
                    .await?
                    .unwrap_or_default();
                let item = self.list_item(&mut conn, c, &p).await?;
                let who = item.assigned_to.clone().unwrap_or_else(|| "—".into());
                let overdue = item.overdue_steps + item.overdue_referrals;
                match load.workers.iter_mut().find(|w| w.0 == who) {
                    Some(w) => {
                        w.1 += 1;
                        w.2 += overdue;
                    }
                    None => load.workers.push((who, 1, overdue)),
                }
                load.team.push(item);
            }
            load.workers.sort();
        }
        for c in cw::cases(
            &mut conn,
            &CaseFilter {
                transfer_to: Some(org.0),
                ..Default::default()
            },
        )
        .await?
        {
            let p = cw::person(&mut conn, c.person_id)
                .await?
                .unwrap_or_default();
            load.incoming_transfers
                .push(self.list_item(&mut conn, &c, &p).await?);
        }
        Ok(load)
    }

    /// Referral flows between organisations and case counts, without names.
    pub async fn case_statistics(&self, actor: &Actor) -> Result<CaseStatistics, ServiceError> {
        decide(actor, Action::ViewCaseStatistics)?;
        let mut conn = self.store.conn().await?;
        let mut stats = CaseStatistics {
            flows: Vec::new(),
            cases: Vec::new(),
        };
        for (from, to, status, n) in cw::referral_flows(&mut conn).await? {
            stats.flows.push((
                org_name(&mut conn, from).await,
                org_name(&mut conn, to).await,
                status,
                n,
            ));
        }
        let rows = cw::cases(&mut conn, &CaseFilter::default()).await?;
        for c in rows {
            let name = org_name(&mut conn, c.organisation_id).await;
            match stats
                .cases
                .iter_mut()
                .find(|(o, s, _)| *o == name && *s == c.status)
            {
                Some(e) => e.2 += 1,
                None => stats.cases.push((name, c.status.clone(), 1)),
            }
        }
        stats.cases.sort();
        Ok(stats)
    }

    /// Who read or changed one person's file and cases (administrators), as CSV.
    pub async fn person_access_log(
        &self,
        actor: &Actor,
        person: i64,
        op: &str,
    ) -> Result<String, ServiceError> {
        decide(actor, Action::ExportAccessLog)?;
        let mut tx = self.store.begin().await?;
        cw::person(&mut tx, person)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let cases: Vec<i64> = cw::cases(
            &mut tx,
            &CaseFilter {
                person_id: Some(person),
                ..Default::default()
            },
        )
        .await?
        .iter()
        .map(|c| c.id)
        .collect();
        let rows = cw::access_log(&mut tx, person, &cases).await?;
        let mut w = csv::Writer::from_writer(Vec::new());
        let _ = w.write_record([
            "seq",
            "at",
            "user",
            "organisation",
            "action",
            "entity",
            "entity_id",
        ]);
        for (seq, at, user, org, action, entity, entity_id) in rows {
            let who = user_name(&mut tx, user).await.unwrap_or_default();
            let org = match org {
                Some(o) => org_name(&mut tx, o).await,
                None => String::new(),
            };
            let _ = w.write_record([
                seq.to_string(),
                at,
                who,
                org,
                action,
                entity,
                entity_id.unwrap_or_default(),
            ]);
        }
        audit::append(
            &mut tx,
            audit_row(
                Some(actor),
                op,
                "export_access_log",
                "person",
                Some(person.to_string()),
                json!({}),
            ),
        )
        .await?;
        tx.commit().await?;
        String::from_utf8(
            w.into_inner()
                .map_err(|e| ServiceError::Internal(e.to_string()))?,
        )
        .map_err(|e| ServiceError::Internal(e.to_string()))
    }

    // ------------------------------------------------------------ group activities

    /// Records an awareness session or a training: participants counted, never named.
    pub async fn record_activity(
        &self,
        actor: &Actor,
        input: &ActivityInput,
        op: &str,
    ) -> Result<i64, CaseworkError> {
        let org = actor.user.organisation_id;
        if decide(actor, Action::WorkCases(org)).is_err() {
            decide(actor, Action::ReportValues(org))?;
        }
        let mut errors = Vec::new();
        if !ACTIVITY_KINDS.contains(&input.kind.as_str()) {
            errors.push(DomainError::with_value(
                "kind",
                ErrorCode::UnknownValue,
                input.kind.as_str(),
            ));
        }
        if input.topic.trim().is_empty() {
            errors.push(DomainError::new("topic", ErrorCode::Required));
        }
        if !is_iso_date(input.held_on.trim()) || input.held_on.trim() > today().as_str() {
            errors.push(DomainError::with_value(
                "held_on",
                ErrorCode::ImpossibleDate,
                input.held_on.trim(),
            ));
        }
        let count = |field: &'static str, v: &str, errors: &mut Vec<DomainError>| -> i64 {
            if v.trim().is_empty() {
                return 0;
            }
            match v.trim().parse::<i64>() {
                Ok(n) if (0..=100_000).contains(&n) => n,
                _ => {
                    errors.push(DomainError::with_value(field, ErrorCode::Format, v.trim()));
                    0
                }
            }
        };
        let women = count("women", &input.women, &mut errors);
        let men = count("men", &input.men, &mut errors);
        let minors = count("minors", &input.minors, &mut errors);
        if women + men == 0 && errors.is_empty() {
            errors.push(DomainError::new("women", ErrorCode::Required));
        }
        let score = |field: &'static str, v: &str, errors: &mut Vec<DomainError>| -> Option<f64> {
            if v.trim().is_empty() {
                return None;
            }
            match v.trim().replace(',', ".").parse::<f64>() {
                Ok(n) if (0.0..=100.0).contains(&n) => Some(n),
                _ => {
                    errors.push(DomainError::with_value(field, ErrorCode::Format, v.trim()));
                    None
                }
            }
        };
        let entry = score("score_entry", &input.score_entry, &mut errors);
        let exit = score("score_exit", &input.score_exit, &mut errors);
        if entry.is_some() != exit.is_some() {
            errors.push(DomainError::new(
                if entry.is_some() {
                    "score_exit"
                } else {
                    "score_entry"
                },
                ErrorCode::Required,
            ));
        }
        let territory = if input.territory.trim().is_empty() {
            None
        } else {
            match self.resolve_territory(&input.territory).await {
                Ok(t) => Some(t.code.as_str().to_string()),
                Err(_) => {
                    errors.push(DomainError::with_value(
                        "territory",
                        ErrorCode::UnknownTerritory,
                        input.territory.trim(),
                    ));
                    None
                }
            }
        };
        if !errors.is_empty() {
            return Err(CaseworkError::Invalid(errors));
        }
        let mut tx = self.store.begin().await?;
        let id = cw::add_activity(
            &mut tx,
            &ActivityRow {
                organisation_id: org.0,
                kind: input.kind.clone(),
                topic: input.topic.trim().to_string(),
                held_on: input.held_on.trim().to_string(),
                territory_code: territory,
                place: input.place.trim().to_string(),
                participants: json!({"F": women, "M": men, "minors": minors}).to_string(),
                score_entry: entry,
                score_exit: exit,
                framework_node: Some(input.framework_node.trim().to_string())
                    .filter(|n| !n.is_empty()),
                recorded_by: actor.user.id.0,
                ..Default::default()
            },
        )
        .await?;
        audit::append(
            &mut tx,
            audit_row(
                Some(actor),
                op,
                "create",
                "group_activity",
                Some(id.to_string()),
                json!({}),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Group activities: the actor's organisation's, or all for those who see statistics.
    pub async fn activities(&self, actor: &Actor) -> Result<Vec<ActivityView>, ServiceError> {
        decide(actor, Action::ViewDirectory)?;
        let mut conn = self.store.conn().await?;
        let scope = if decide(actor, Action::ViewCaseStatistics).is_ok()
            && decide(actor, Action::SuperviseCases(actor.user.organisation_id)).is_err()
        {
            None
        } else {
            Some(actor.user.organisation_id.0)
        };
        let mut out = Vec::new();
        for a in cw::activities(&mut conn, scope).await? {
            let p: serde_json::Value = serde_json::from_str(&a.participants).unwrap_or_default();
            let n = |k: &str| p.get(k).and_then(serde_json::Value::as_i64).unwrap_or(0);
            out.push(ActivityView {
                id: a.id,
                organisation: org_name(&mut conn, a.organisation_id).await,
                kind: a.kind,
                topic: a.topic,
                held_on: a.held_on,
                territory: a.territory_code,
                place: a.place,
                women: n("F"),
                men: n("M"),
                minors: n("minors"),
                total: n("F") + n("M"),
                gain: a
                    .score_entry
                    .zip(a.score_exit)
                    .map(|(e, x)| ((x - e) * 10.0).round() / 10.0),
                score_entry: a.score_entry,
                score_exit: a.score_exit,
            });
        }
        Ok(out)
    }
}

/// What linking the registries did.
#[derive(Debug, Clone, Serialize, Default)]
pub struct LinkSummary {
    pub people: usize,
    /// Pairs at or above the match threshold (new or already known).
    pub pairs: usize,
    /// People who belong to a cluster of two registrations or more.
    pub clustered: usize,
}

/// A pair for a supervisor to review.
#[derive(Debug, Clone, Serialize)]
pub struct PairView {
    pub id: i64,
    pub a: PersonSummary,
    pub b: PersonSummary,
    pub probability: f64,
    /// (field, agreement level, weight in bits)
    pub why: Vec<(String, String, f64)>,
    pub status: String,
}

impl Service {
    /// Runs the linkage engine over every registry (all organisations) and records the
    /// pairs that are likely the same person; clusters are recomputed so that the
    /// indicators count each person once. Pairs a supervisor ruled out stay apart.
    /// Nobody sees a name: the result is counts. Audited.
    pub async fn link_registries(
        &self,
        actor: Option<&Actor>,
        op: &str,
    ) -> Result<LinkSummary, ServiceError> {
        if let Some(a) = actor {
            decide(a, Action::LinkRegistries)?;
        }
        let mut conn = self.store.conn().await?;
        let people = cw::all_people(&mut conn).await?;
        drop(conn);
        let records: Vec<Record> = people
            .iter()
            .map(|p| to_record(p, &self.open_contact(p)))
            .collect();
        let linkage = passerelle_linkage::link(&records, &passerelle_linkage::Config::default())
            .map_err(|e| ServiceError::Internal(e.to_string()))?;
        let threshold = passerelle_linkage::Config::default().threshold;
        let mut tx = self.store.begin().await?;
        let mut pairs = 0;
        for pair in linkage.pairs.iter().filter(|p| p.probability >= threshold) {
            let (a, b) = (&people[pair.a], &people[pair.b]);
            let score = linkage
                .matcher
                .score_pair(&records[pair.a], &records[pair.b]);
            let why: Vec<(String, String, f64)> = score
                .explanation
                .iter()
                .filter(|f| f.level != "missing")
                .map(|f| {
                    (
                        f.field.clone(),
                        f.level.to_string(),
                        (f.weight * 10.0).round() / 10.0,
                    )
                })
                .collect();
            cw::upsert_pair(
                &mut tx,
                a.id,
                b.id,
                pair.probability,
                &json!(why).to_string(),
            )
            .await?;
            pairs += 1;
        }
        let clustered = cw::recompute_clusters(&mut tx).await?;
        let summary = LinkSummary {
            people: people.len(),
            pairs,
            clustered,
        };
        audit::append(
            &mut tx,
            audit_row(actor, op, "link_registries", "person", None, json!(summary)),
        )
        .await?;
        tx.commit().await?;
        Ok(summary)
    }

    /// Pairs within the supervisor's organisation: those the engine linked and nobody
    /// has reviewed yet, then those decided, with both summaries and the explanation.
    pub async fn duplicate_queue(&self, actor: &Actor) -> Result<Vec<PairView>, ServiceError> {
        let org = actor.user.organisation_id;
        decide(actor, Action::SuperviseCases(org))?;
        let mut conn = self.store.conn().await?;
        let mut out = Vec::new();
        for p in cw::pairs(&mut conn, None).await? {
            let (Some(a), Some(b)) = (
                cw::person(&mut conn, p.person_a).await?,
                cw::person(&mut conn, p.person_b).await?,
            ) else {
                continue;
            };
            if a.organisation_id != org.0 || b.organisation_id != org.0 {
                continue;
            }
            out.push(PairView {
                id: p.id,
                a: self.summary(&mut conn, &a).await,
                b: self.summary(&mut conn, &b).await,
                probability: p.probability,
                why: serde_json::from_str(&p.explanation).unwrap_or_default(),
                status: p.status,
            });
        }
        Ok(out)
    }

    /// A supervisor confirms a pair (the same person) or rules it out (not the same);
    /// `reopen` puts a decided pair back in the queue (a split). Clusters follow at once.
    pub async fn decide_duplicate(
        &self,
        actor: &Actor,
        pair_id: i64,
        decision: &str,
        op: &str,
    ) -> Result<(), CaseworkError> {
        let status = match decision {
            "same" => "confirmed",
            "distinct" => "distinct",
            "reopen" => "linked",
            _ => {
                return Err(CaseworkError::Invalid(vec![DomainError::with_value(
                    "decision",
                    ErrorCode::UnknownValue,
                    decision,
                )]));
            }
        };
        let org = actor.user.organisation_id;
        decide(actor, Action::SuperviseCases(org))?;
        let mut tx = self.store.begin().await?;
        let p = cw::pair(&mut tx, pair_id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        for id in [p.person_a, p.person_b] {
            let person = cw::person(&mut tx, id)
                .await?
                .ok_or(ServiceError::NotFound)?;
            if person.organisation_id != org.0 {
                return Err(ServiceError::NotFound.into());
            }
        }
        cw::decide_pair(&mut tx, pair_id, status, actor.user.id.0).await?;
        cw::recompute_clusters(&mut tx).await?;
        for id in [p.person_a, p.person_b] {
            audit::append(
                &mut tx,
                audit_row(
                    Some(actor),
                    op,
                    &format!("pair_{status}"),
                    "person",
                    Some(id.to_string()),
                    json!({"pair": pair_id}),
                ),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

fn split_list(s: &str) -> Vec<String> {
    s.split('|')
        .filter(|x| !x.is_empty())
        .map(str::to_string)
        .collect()
}

fn referral_overdue(r: &ReferralRow, today: &str) -> bool {
    ReferralStatus::parse(&r.status)
        .is_some_and(|s| matches!(s, ReferralStatus::Sent | ReferralStatus::Accepted))
        && r.due_date.as_deref().is_some_and(|d| d < today)
}

/// Organisation kinds a referral consent may name (or `any`).
const CONSENT_SCOPES: &[&str] = &[
    "any",
    "ministry",
    "public_agency",
    "ngo",
    "un_agency",
    "region",
    "commune",
];

fn parse_consents(
    given: &[(String, String)],
) -> Result<Vec<(ConsentPurpose, String)>, CaseworkError> {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for (p, s) in given {
        let scope = if s.trim().is_empty() { "any" } else { s.trim() };
        match ConsentPurpose::parse(p) {
            Some(purpose) if CONSENT_SCOPES.contains(&scope) => {
                out.push((purpose, scope.to_string()))
            }
            Some(_) => errors.push(DomainError::with_value(
                "consent_scope",
                ErrorCode::UnknownValue,
                scope,
            )),
            None => errors.push(DomainError::with_value(
                "consent",
                ErrorCode::UnknownValue,
                p.as_str(),
            )),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(CaseworkError::Invalid(errors))
    }
}

fn active_consents(rows: &[cw::ConsentRow]) -> Vec<(ConsentPurpose, String)> {
    rows.iter()
        .filter(|c| c.withdrawn_at.is_none())
        .filter_map(|c| ConsentPurpose::parse(&c.purpose).map(|p| (p, c.scope.clone())))
        .collect()
}

/// Whether an active consent covers `purpose` for an organisation of `kind`.
fn consent_covers(
    active: &[(ConsentPurpose, String)],
    purpose: ConsentPurpose,
    kind: &str,
) -> bool {
    active
        .iter()
        .any(|(p, s)| *p == purpose && (s == "any" || s == kind))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn consent_scopes() {
        let active = vec![
            (ConsentPurpose::Referral, "public_agency".to_string()),
            (ConsentPurpose::CaseWork, "any".to_string()),
        ];
        assert!(consent_covers(
            &active,
            ConsentPurpose::Referral,
            "public_agency"
        ));
        assert!(!consent_covers(&active, ConsentPurpose::Referral, "ngo"));
        assert!(consent_covers(&active, ConsentPurpose::CaseWork, ""));
        assert!(parse_consents(&[("referral".into(), "martians".into())]).is_err());
    }

    #[test]
    fn dates_and_phones() {
        assert_eq!(add_days("2026-11-23", 14), "2026-12-07");
        assert_eq!(phone_key("+212 612-345-678"), phone_key("0612345678"));
        assert!(country_known("SN") && !country_known("XX"));
    }
}
