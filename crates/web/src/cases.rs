//! Case work's pages: register a person (search first), the person's file, the
//! caseload, a case (assessment, plan, notes, referrals, services, status), the
//! referral board, statistics without names, group activities, and the per-person
//! access log for administrators.
//!
//! Forms post back to the page they came from; a refused form is shown again with
//! what was typed and each error beside its field (answer 422); a success redirects
//! with `?done=KEY` so a reload does not post twice.

use crate::AppState;
use crate::ctx::Ctx;
use crate::error::{WebError, field_message};
use crate::i18n;
use crate::view::{Page, render_form_page, render_page};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, RawForm, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use passerelle_domain::casework::case::{CloseReason, SERVICE_TYPES};
use passerelle_domain::casework::form::{Answers, FieldKind, FormDef};
use passerelle_domain::casework::{ConsentPurpose, DocumentKind, LegalStatus, PersonInput};
use passerelle_domain::{DomainError, ErrorCode, Locale};
use passerelle_service::casework::{
    ACTIVITY_KINDS, ActivityInput, ActivityView, CaseStatistics, CaseView, Caseload, CaseworkError,
    LinkSummary, PairView, PersonFile, ReferralBoard, SearchResult, countries,
};
use passerelle_service::ref_lists::RefLists;
use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/people/new", get(new_person).post(new_person_post))
        .route("/people/{id}", get(person).post(person_post))
        .route("/people/{id}/edit", get(edit_person).post(edit_person_post))
        .route("/people/{id}/access-log.csv", get(access_log))
        .route("/cases", get(caseload))
        .route("/cases/{id}", get(case).post(case_post))
        .route("/referrals", get(referrals))
        .route("/referrals/{id}", post(referral_post))
        .route(
            "/casework/statistics",
            get(statistics).post(link_registries),
        )
        .route("/cases/duplicates", get(duplicates).post(duplicates_post))
        .route("/activities", get(activities).post(activities_post))
}

/// The posted form as a map (the last value wins), with `_csrf` removed.
fn fields(body: &[u8]) -> HashMap<String, String> {
    form_urlencoded::parse(body)
        .filter(|(k, _)| k != "_csrf")
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// Every value of a repeated field (checkboxes).
fn all(body: &[u8], name: &str) -> Vec<String> {
    form_urlencoded::parse(body)
        .filter(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
        .collect()
}

fn get_f(f: &HashMap<String, String>, k: &str) -> String {
    f.get(k).cloned().unwrap_or_default()
}

/// (field, sentence) pairs for a refused case-work action, and a page-level sentence.
fn explain(e: &CaseworkError, l: Locale) -> (Vec<(String, String)>, String) {
    let summary = i18n::t(l, "form-has-errors");
    match e {
        CaseworkError::Invalid(errors) => (
            errors
                .iter()
                .map(|e| (e.field.to_string(), field_message(e, l)))
                .collect(),
            summary,
        ),
        CaseworkError::Form(issues) => (
            issues
                .iter()
                .map(|i| {
                    let d = DomainError {
                        field: "answer",
                        code: i.code,
                        value: i.value.clone(),
                    };
                    (i.field.clone(), field_message(&d, l))
                })
                .collect(),
            summary,
        ),
        CaseworkError::ConsentMissing { purpose, scope } => (
            Vec::new(),
            i18n::t_args(
                l,
                "cw-consent-missing",
                &[
                    (
                        "purpose",
                        i18n::t(l, &format!("cw-purpose-{purpose}")).as_str(),
                    ),
                    ("scope", i18n::t(l, &format!("cw-scope-{scope}")).as_str()),
                ],
            ),
        ),
        CaseworkError::WrongState { status } => (
            Vec::new(),
            i18n::t_args(
                l,
                "cw-wrong-state",
                &[(
                    "status",
                    i18n::t(l, &format!("cw-status-{status}")).as_str(),
                )],
            ),
        ),
        CaseworkError::Conflict(changed) => (
            changed
                .iter()
                .map(|(f, v)| {
                    (
                        f.clone(),
                        i18n::t_args(
                            l,
                            "cw-conflict-field",
                            &[("value", if v.is_empty() { "—" } else { v.as_str() })],
                        ),
                    )
                })
                .collect(),
            i18n::t(l, "error-edit_conflict"),
        ),
        CaseworkError::PossibleDuplicates(_) => (Vec::new(), i18n::t(l, "cw-duplicates-found")),
        CaseworkError::Service(e) => (
            Vec::new(),
            crate::error::message(&WebError::from(clone_service_error(e)), l),
        ),
    }
}

fn clone_service_error(e: &passerelle_service::ServiceError) -> passerelle_service::ServiceError {
    use passerelle_service::ServiceError as S;
    match e {
        S::Invalid(v) => S::Invalid(v.clone()),
        S::NotFound => S::NotFound,
        S::Forbidden => S::Forbidden,
        S::Unauthenticated => S::Unauthenticated,
        other => S::Internal(other.to_string()),
    }
}

/// Service errors that are not about the form (not found, forbidden, storage) become
/// the error page; the others are shown on the form.
fn page_level(e: CaseworkError) -> Result<CaseworkError, WebError> {
    match e {
        CaseworkError::Service(passerelle_service::ServiceError::Invalid(v)) => {
            Ok(CaseworkError::Invalid(v))
        }
        CaseworkError::Service(e) => Err(e.into()),
        other => Ok(other),
    }
}

fn err(errors: &[(String, String)], field: &str) -> String {
    errors
        .iter()
        .filter(|(f, _)| f == field)
        .map(|(_, m)| m.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

fn done_notice(l: Locale, done: Option<&String>) -> Option<String> {
    done.filter(|d| d.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
        .map(|d| i18n::t(l, &format!("cw-done-{d}")))
}

// ---------------------------------------------------------------- registration

#[derive(Template)]
#[template(path = "person_new.html")]
struct NewPersonPage {
    p: Page,
    input: PersonInput,
    consents: Vec<String>,
    referral_scope: String,
    errors: Vec<(String, String)>,
    summary: Option<String>,
    result: Option<SearchResult>,
    /// Registration refused because of likely duplicates: ask to confirm.
    confirm: bool,
    countries: Vec<(String, String)>,
    /// The portal request this registration answers, if any.
    intake: Option<i64>,
}

impl NewPersonPage {
    fn e(&self, field: &str) -> String {
        err(&self.errors, field)
    }
    fn has(&self, purpose: &str) -> bool {
        self.consents.iter().any(|c| c == purpose)
    }
    fn statuses(&self) -> Vec<&'static str> {
        LegalStatus::ALL.iter().map(|s| s.as_str()).collect()
    }
    fn document_kinds(&self) -> Vec<&'static str> {
        DocumentKind::ALL.iter().map(|s| s.as_str()).collect()
    }
    fn scopes(&self) -> Vec<&'static str> {
        vec!["any", "public_agency", "ngo", "un_agency", "ministry"]
    }
    fn pct(&self, p: &f64) -> String {
        format!("{:.0} %", p * 100.0)
    }
    fn bits(&self, w: &f64) -> String {
        format!("{w:+.1}")
    }
}

fn country_options(l: Locale) -> Vec<(String, String)> {
    let mut c: Vec<(String, String)> = countries()
        .into_iter()
        .map(|(code, fr, ar, en)| {
            let name = match l {
                Locale::Ar => ar,
                Locale::En => en,
                Locale::Fr => fr,
            };
            (code, name)
        })
        .collect();
    c.sort_by(|a, b| a.1.cmp(&b.1));
    c
}

fn person_input(f: &HashMap<String, String>) -> PersonInput {
    PersonInput {
        given_name: get_f(f, "given_name"),
        family_name: get_f(f, "family_name"),
        name_ar: get_f(f, "name_ar"),
        sex: get_f(f, "sex"),
        birth_date: get_f(f, "birth_date"),
        birth_approximate: f
            .get("birth_approximate")
            .is_some_and(|v| v == "on" || v == "true"),
        nationality: get_f(f, "nationality"),
        languages: get_f(f, "languages"),
        phones: get_f(f, "phones"),
        document_kind: get_f(f, "document_kind"),
        document_number: get_f(f, "document_number"),
        document_expiry: get_f(f, "document_expiry"),
        legal_status: get_f(f, "legal_status"),
        territory: get_f(f, "territory"),
    }
}

async fn new_person(
    State(s): State<AppState>,
    ctx: Ctx,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, WebError> {
    let actor = ctx.actor()?;
    if !ctx.permissions.work_cases {
        return Err(WebError::code(ErrorCode::Forbidden));
    }
    // Answering a request from the portal: start from what the visitor wrote.
    let intake = q.get("intake").and_then(|i| i.parse::<i64>().ok());
    let mut input = PersonInput::default();
    if let Some(id) = intake {
        let req = s.svc.intake_request(actor, id, &ctx.op).await?;
        input.given_name = req.name.clone();
        if req.contact.chars().filter(char::is_ascii_digit).count() >= 8
            && !req.contact.contains('@')
        {
            input.phones = req.contact.clone();
        }
        input.territory = req.territory_code.clone();
        input.languages = req.preferred_language.clone().unwrap_or_default();
    }
    let page = NewPersonPage {
        p: Page::new(&ctx, "cw-new-person"),
        intake,
        input,
        consents: vec!["registration".into()],
        referral_scope: "any".into(),
        errors: Vec::new(),
        summary: None,
        result: None,
        confirm: false,
        countries: country_options(ctx.locale),
    };
    Ok(render_page(&page))
}

async fn new_person_post(
    State(s): State<AppState>,
    ctx: Ctx,
    RawForm(body): RawForm,
) -> Result<Response, WebError> {
    let actor = ctx.actor()?;
    let f = fields(&body);
    let input = person_input(&f);
    let consents = all(&body, "consent");
    let scope = f
        .get("referral_scope")
        .cloned()
        .unwrap_or_else(|| "any".into());
    let mut page = NewPersonPage {
        p: Page::new(&ctx, "cw-new-person"),
        input: input.clone(),
        consents: consents.clone(),
        referral_scope: scope.clone(),
        errors: Vec::new(),
        summary: None,
        result: None,
        confirm: false,
        countries: country_options(ctx.locale),
        intake: f.get("intake").and_then(|i| i.parse().ok()),
    };
    if f.get("action").map(String::as_str) == Some("search") {
        page.result = Some(s.svc.search_people(actor, &input, &ctx.op).await?);
        return Ok(render_page(&page));
    }
    let acknowledged: Vec<i64> = all(&body, "not_same")
        .iter()
        .filter_map(|v| v.parse().ok())
        .collect();
    let given: Vec<(String, String)> = consents
        .iter()
        .map(|c| {
            (
                c.clone(),
                if c == "referral" {
                    scope.clone()
                } else {
                    "any".into()
                },
            )
        })
        .collect();
    match s
        .svc
        .register_person(actor, &input, &given, &acknowledged, &ctx.op)
        .await
    {
        Ok(id) => {
            let intake = page
                .intake
                .map(|i| format!("&intake={i}"))
                .unwrap_or_default();
            Ok(Redirect::to(&format!("/people/{id}?done=registered{intake}")).into_response())
        }
        Err(CaseworkError::PossibleDuplicates(found)) => {
            page.summary = Some(i18n::t(ctx.locale, "cw-duplicates-found"));
            page.result = Some(found);
            page.confirm = true;
            Ok(render_form_page(&page, true))
        }
        Err(e) => {
            let e = page_level(e)?;
            let (errors, summary) = explain(&e, ctx.locale);
            page.errors = errors;
            page.summary = Some(summary);
            Ok(render_form_page(&page, true))
        }
    }
}

// ---------------------------------------------------------------- the person's file

#[derive(Template)]
#[template(path = "person.html")]
struct PersonPage {
    p: Page,
    f: PersonFile,
    /// A portal request to link to the case opened from this page.
    intake: Option<i64>,
    notice: Option<String>,
    error: Option<String>,
    errors: Vec<(String, String)>,
}

impl PersonPage {
    fn e(&self, field: &str) -> String {
        err(&self.errors, field)
    }
    fn purposes(&self) -> Vec<&'static str> {
        ConsentPurpose::ALL.iter().map(|s| s.as_str()).collect()
    }
    fn statuses(&self) -> Vec<&'static str> {
        LegalStatus::ALL.iter().map(|s| s.as_str()).collect()
    }
    fn scopes(&self) -> Vec<&'static str> {
        vec!["any", "public_agency", "ngo", "un_agency", "ministry"]
    }
    fn country(&self, code: &Option<String>) -> String {
        let Some(code) = code else {
            return String::new();
        };
        country_options(self.p.locale)
            .into_iter()
            .find(|(c, _)| c == code)
            .map(|(_, n)| n)
            .unwrap_or_else(|| code.clone())
    }
}

async fn person_page(
    s: &AppState,
    ctx: &Ctx,
    id: i64,
    notice: Option<String>,
    error: Option<(Vec<(String, String)>, String)>,
    intake: Option<i64>,
) -> Result<Response, WebError> {
    let actor = ctx.actor()?;
    let f = s.svc.person_file(actor, id, &ctx.op).await?;
    let failed = error.is_some();
    let (errors, error) = match error {
        Some((e, m)) => (e, Some(m)),
        None => (Vec::new(), None),
    };
    let mut p = Page::new(ctx, "cw-person");
    p.title = format!("{} {}", f.summary.given_name, f.summary.family_name)
        .trim()
        .to_string();
    if p.title.is_empty() {
        p.title = f.summary.name_ar.clone();
    }
    Ok(render_form_page(
        &PersonPage {
            p,
            f,
            intake,
            notice,
            error,
            errors,
        },
        failed,
    ))
}

async fn person(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, WebError> {
    let notice = done_notice(ctx.locale, q.get("done"));
    let intake = q.get("intake").and_then(|i| i.parse().ok());
    person_page(&s, &ctx, id, notice, None, intake).await
}

async fn person_post(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    RawForm(body): RawForm,
) -> Result<Response, WebError> {
    let actor = ctx.actor()?;
    let f = fields(&body);
    let op = &ctx.op;
    let result = match get_f(&f, "action").as_str() {
        "consent" => s
            .svc
            .add_consent(actor, id, &get_f(&f, "purpose"), &get_f(&f, "scope"), op)
            .await
            .map(|_| "consent".to_string()),
        "withdraw" => {
            let c = get_f(&f, "consent_id").parse().unwrap_or(0);
            s.svc
                .withdraw_consent(actor, id, c, op)
                .await
                .map(|_| "withdrawn".to_string())
        }
        "status" => s
            .svc
            .add_legal_status(
                actor,
                id,
                &get_f(&f, "legal_status"),
                &get_f(&f, "since"),
                &get_f(&f, "until"),
                &get_f(&f, "detail"),
                op,
            )
            .await
            .map(|_| "status".to_string()),
        "household" => {
            let other = get_f(&f, "other").trim().parse().unwrap_or(0);
            s.svc
                .link_household(actor, id, other, &get_f(&f, "relation"), op)
                .await
                .map(|_| "household".to_string())
        }
        "open_case" => match s
            .svc
            .open_case(actor, id, f.get("intake").and_then(|i| i.parse().ok()), op)
            .await
        {
            Ok(case) => {
                return Ok(Redirect::to(&format!("/cases/{case}?done=opened")).into_response());
            }
            Err(e) => Err(e),
        },
        _ => return Err(WebError::code(ErrorCode::BadRequest)),
    };
    match result {
        Ok(done) => Ok(Redirect::to(&format!("/people/{id}?done={done}")).into_response()),
        Err(e) => {
            let e = page_level(e)?;
            let explained = explain(&e, ctx.locale);
            let intake = f.get("intake").and_then(|i| i.parse().ok());
            person_page(&s, &ctx, id, None, Some(explained), intake).await
        }
    }
}

#[derive(Template)]
#[template(path = "person_edit.html")]
struct EditPersonPage {
    p: Page,
    id: i64,
    version: i64,
    input: PersonInput,
    errors: Vec<(String, String)>,
    summary: Option<String>,
    countries: Vec<(String, String)>,
}

impl EditPersonPage {
    fn e(&self, field: &str) -> String {
        err(&self.errors, field)
    }
    fn statuses(&self) -> Vec<&'static str> {
        LegalStatus::ALL.iter().map(|s| s.as_str()).collect()
    }
    fn document_kinds(&self) -> Vec<&'static str> {
        DocumentKind::ALL.iter().map(|s| s.as_str()).collect()
    }
}

async fn edit_person(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let actor = ctx.actor()?;
    let f = s.svc.person_file(actor, id, &ctx.op).await?;
    if !f.full {
        return Err(WebError::code(ErrorCode::NotFound));
    }
    let doc = f.contact.document.clone();
    let input = PersonInput {
        given_name: f.summary.given_name.clone(),
        family_name: f.summary.family_name.clone(),
        name_ar: f.summary.name_ar.clone(),
        sex: f.summary.sex.clone(),
        birth_date: f.summary.birth.clone().unwrap_or_default(),
        birth_approximate: f.summary.birth_approximate,
        nationality: f.summary.nationality.clone().unwrap_or_default(),
        languages: f.languages.clone(),
        phones: f.contact.phones.join(", "),
        document_kind: doc
            .as_ref()
            .map(|d| d.kind.as_str().to_string())
            .unwrap_or_default(),
        document_number: doc.as_ref().map(|d| d.number.clone()).unwrap_or_default(),
        document_expiry: doc.and_then(|d| d.expiry).unwrap_or_default(),
        legal_status: f.legal_status.clone().unwrap_or_default(),
        territory: f.territory.clone().unwrap_or_default(),
    };
    let page = EditPersonPage {
        p: Page::new(&ctx, "cw-edit-person"),
        id,
        version: f.version,
        input,
        errors: Vec::new(),
        summary: None,
        countries: country_options(ctx.locale),
    };
    Ok(render_page(&page))
}

async fn edit_person_post(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    RawForm(body): RawForm,
) -> Result<Response, WebError> {
    let actor = ctx.actor()?;
    let f = fields(&body);
    let input = person_input(&f);
    let version: i64 = get_f(&f, "version").parse().unwrap_or(0);
    match s
        .svc
        .update_person(actor, id, &input, version, &ctx.op)
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!("/people/{id}?done=updated")).into_response()),
        Err(e) => {
            let e = page_level(e)?;
            let (errors, summary) = explain(&e, ctx.locale);
            let page = EditPersonPage {
                p: Page::new(&ctx, "cw-edit-person"),
                id,
                version,
                input,
                errors,
                summary: Some(summary),
                countries: country_options(ctx.locale),
            };
            Ok(render_form_page(&page, true))
        }
    }
}

async fn access_log(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let actor = ctx.actor()?;
    let csv = s.svc.person_access_log(actor, id, &ctx.op).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"access-log-person-{id}.csv\""),
            ),
        ],
        csv,
    )
        .into_response())
}

// ---------------------------------------------------------------- caseload and case

#[derive(Template)]
#[template(path = "caseload.html")]
struct CaseloadPage {
    p: Page,
    load: Caseload,
    notice: Option<String>,
}

async fn caseload(
    State(s): State<AppState>,
    ctx: Ctx,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, WebError> {
    let actor = ctx.actor()?;
    let load = s.svc.caseload(actor).await?;
    let notice = done_notice(ctx.locale, q.get("done"));
    Ok(render_page(&CaseloadPage {
        p: Page::new(&ctx, "cw-caseload"),
        load,
        notice,
    }))
}

/// A refused form: (field errors, summary, what was typed, the answers typed).
type Failure = (
    Vec<(String, String)>,
    String,
    HashMap<String, String>,
    Option<Answers>,
);

/// One field of the assessment as the form shows it.
struct FieldView {
    code: String,
    kind: &'static str,
    label: String,
    required: bool,
    value: String,
    options: Vec<(String, String, bool)>,
    error: String,
    /// Shown only when another field has one of these answers (`field=v1|v2`).
    condition: String,
}

struct SectionView {
    code: String,
    title: String,
    sensitive: bool,
    fields: Vec<FieldView>,
}

#[derive(Template)]
#[template(path = "case.html")]
struct CasePage {
    p: Page,
    c: CaseView,
    sections: Vec<SectionView>,
    notice: Option<String>,
    error: Option<String>,
    errors: Vec<(String, String)>,
    /// What was typed in the form that failed, to show it again.
    typed: HashMap<String, String>,
    /// The referral form's organisations, the one typed before a refusal selected.
    referral_organisations: String,
    options: Arc<OptionLists>,
}

/// A `<select>`'s options: (value, label), one selected.
#[derive(Template)]
#[template(
    source = "{% for (code, name) in items %}<option value=\"{{ code }}\"{% if code == selected %} selected{% endif %}>{{ name }}</option>{% endfor %}",
    ext = "html"
)]
struct Options<'a> {
    items: &'a [(String, String)],
    selected: &'a str,
}

impl Options<'_> {
    fn html(items: &[(String, String)], selected: &str) -> String {
        Options { items, selected }.render().unwrap_or_default()
    }
}

/// The case page's long option lists, as HTML: the other organisations (referral
/// and transfer forms) and the directory's services. They are the same on every
/// page of a language until an organisation or a service changes, and escaping two
/// hundred options for each page was a sixth of its rendering, so they are built
/// once per reference lists' stamp, language and organisation.
struct OptionLists {
    organisation_items: Vec<(String, String)>,
    organisations: String,
    services: String,
}

fn option_lists(lists: &RefLists, own_org: i64, locale: Locale) -> Arc<OptionLists> {
    type Key = (String, Locale, i64);
    static BUILT: LazyLock<Mutex<HashMap<Key, Arc<OptionLists>>>> = LazyLock::new(Default::default);
    let key = (lists.stamp.clone(), locale, own_org);
    if let Some(built) = BUILT.lock().ok().and_then(|b| b.get(&key).cloned()) {
        return built;
    }
    let organisation_items: Vec<(String, String)> = lists
        .organisations
        .iter()
        .filter(|o| o.id.0 != own_org)
        .map(|o| {
            let name = match locale {
                Locale::Ar => o.name_ar.clone(),
                Locale::En => o.name_en.clone(),
                Locale::Fr => None,
            }
            .unwrap_or(o.name_fr.clone());
            (o.code.as_str().to_string(), name)
        })
        .collect();
    let services = passerelle_service::casework::service_options(lists, locale);
    let built = Arc::new(OptionLists {
        organisations: Options::html(&organisation_items, ""),
        services: Options::html(&services, ""),
        organisation_items,
    });
    if let Ok(mut b) = BUILT.lock() {
        // Old stamps' lists are never asked for again: start afresh now and then.
        if b.len() >= 64 {
            b.clear();
        }
        b.insert(key, built.clone());
    }
    built
}

impl CasePage {
    fn e(&self, field: &str) -> String {
        err(&self.errors, field)
    }
    fn typed(&self, field: &str) -> String {
        self.typed.get(field).cloned().unwrap_or_default()
    }
    fn service_types(&self) -> Vec<&'static str> {
        SERVICE_TYPES.to_vec()
    }
    fn close_reasons(&self) -> Vec<&'static str> {
        CloseReason::ALL.iter().map(|r| r.as_str()).collect()
    }
    fn section_title(&self, code: &str) -> String {
        self.c
            .form
            .section(code)
            .map(|s| s.title.pick(self.p.locale).to_string())
            .unwrap_or_else(|| code.to_string())
    }
    fn is_closed(&self) -> bool {
        self.c.status == "closed"
    }
    fn back(&self) -> String {
        format!("/cases/{}", self.c.id)
    }
    fn is_assigned(&self, id: &i64) -> bool {
        self.c.assigned_user_id == Some(*id)
    }
}

fn sections_view(
    form: &FormDef,
    answers: &Answers,
    only: Option<&[String]>,
    issues: &[(String, String)],
    l: Locale,
) -> Vec<SectionView> {
    form.sections
        .iter()
        .filter(|s| only.is_none_or(|o| o.contains(&s.code)))
        .map(|s| SectionView {
            code: s.code.clone(),
            title: s.title.pick(l).to_string(),
            sensitive: s.sensitive,
            fields: s
                .fields
                .iter()
                .map(|f| {
                    let value = answers.get(&f.code).cloned().unwrap_or_default();
                    let chosen: Vec<&str> = value.split('|').collect();
                    FieldView {
                        code: f.code.clone(),
                        kind: match f.kind {
                            FieldKind::Text => "text",
                            FieldKind::Textarea => "textarea",
                            FieldKind::YesNo => "yes_no",
                            FieldKind::Select => "select",
                            FieldKind::MultiSelect => "multi_select",
                            FieldKind::Date => "date",
                            FieldKind::Number => "number",
                        },
                        label: f.label.pick(l).to_string(),
                        required: f.required,
                        options: f
                            .options
                            .iter()
                            .map(|o| {
                                (
                                    o.code.clone(),
                                    o.label.pick(l).to_string(),
                                    chosen.contains(&o.code.as_str()),
                                )
                            })
                            .collect(),
                        error: err(issues, &f.code),
                        condition: f
                            .show_if
                            .as_ref()
                            .map(|c| format!("{}={}", c.field, c.any_of.join("|")))
                            .unwrap_or_default(),
                        value,
                    }
                })
                .collect(),
        })
        .collect()
}

async fn case_page(
    s: &AppState,
    ctx: &Ctx,
    id: i64,
    notice: Option<String>,
    failure: Option<Failure>,
) -> Result<Response, WebError> {
    let actor = ctx.actor()?;
    let c = s.svc.case_view(actor, id, &ctx.op).await?;
    let failed = failure.is_some();
    let (errors, error, typed, answers) = match failure {
        Some((e, m, t, a)) => (e, Some(m), t, a),
        None => (Vec::new(), None, HashMap::new(), None),
    };
    let shown = answers.as_ref().unwrap_or(&c.answers);
    let only = (!c.full).then_some(c.shared_sections.as_slice());
    let sections = sections_view(&c.form, shown, only, &errors, ctx.locale);
    let options = option_lists(&c.lists, c.organisation_id, ctx.locale);
    let referral_organisations = match typed.get("organisation") {
        Some(chosen) if !chosen.is_empty() => Options::html(&options.organisation_items, chosen),
        _ => options.organisations.clone(),
    };
    let mut p = Page::new(ctx, "cw-case");
    p.title = format!("{} · {}", c.case_ref, i18n::t(ctx.locale, "cw-case"));
    Ok(render_form_page(
        &CasePage {
            p,
            c,
            sections,
            notice,
            error,
            errors,
            typed,
            referral_organisations,
            options,
        },
        failed,
    ))
}

async fn case(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, WebError> {
    let notice = done_notice(ctx.locale, q.get("done"));
    case_page(&s, &ctx, id, notice, None).await
}

async fn case_post(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    RawForm(body): RawForm,
) -> Result<Response, WebError> {
    let actor = ctx.actor()?;
    let f = fields(&body);
    let op = &ctx.op;
    let action = get_f(&f, "action");
    let mut answers_typed: Option<Answers> = None;
    let result: Result<(), CaseworkError> = match action.as_str() {
        "assessment" => {
            let mut answers = Answers::new();
            for (k, v) in form_urlencoded::parse(&body) {
                if let Some(code) = k.strip_prefix("a:") {
                    let entry = answers.entry(code.to_string()).or_default();
                    if !entry.is_empty() {
                        entry.push('|');
                    }
                    entry.push_str(&v);
                }
            }
            answers.retain(|_, v| !v.is_empty());
            answers_typed = Some(answers.clone());
            let version = get_f(&f, "assessment_version").parse().unwrap_or(0);
            s.svc
                .save_assessment(actor, id, &answers, version, op)
                .await
        }
        "step" => {
            s.svc
                .add_plan_step(
                    actor,
                    id,
                    &get_f(&f, "goal"),
                    &get_f(&f, "step"),
                    &get_f(&f, "due_date"),
                    op,
                )
                .await
        }
        "step_status" => {
            let step = get_f(&f, "step_id").parse().unwrap_or(0);
            s.svc
                .set_step_status(actor, id, step, &get_f(&f, "status"), op)
                .await
        }
        "note" => s.svc.add_note(actor, id, &get_f(&f, "body"), op).await,
        "refer" => {
            let sections = all(&body, "sections");
            s.svc
                .refer(
                    actor,
                    id,
                    &get_f(&f, "organisation"),
                    &get_f(&f, "service"),
                    &sections,
                    &get_f(&f, "due_date"),
                    &get_f(&f, "message"),
                    op,
                )
                .await
                .map(|_| ())
        }
        "service" => {
            s.svc
                .record_service(
                    actor,
                    id,
                    &get_f(&f, "service_type"),
                    &get_f(&f, "date"),
                    &get_f(&f, "framework_node"),
                    op,
                )
                .await
        }
        "close" | "reopen" => {
            let version = get_f(&f, "version").parse().unwrap_or(0);
            s.svc
                .case_transition(actor, id, &action, &get_f(&f, "reason"), version, op)
                .await
        }
        "assign" => {
            let user = get_f(&f, "user").parse().unwrap_or(0);
            s.svc.assign_case(actor, id, user, op).await
        }
        "transfer" => {
            s.svc
                .request_transfer(actor, id, &get_f(&f, "organisation"), op)
                .await
        }
        "accept_transfer" | "decline_transfer" => {
            let accept = action == "accept_transfer";
            s.svc.answer_transfer(actor, id, accept, op).await
        }
        _ => return Err(WebError::code(ErrorCode::BadRequest)),
    };
    match result {
        Ok(()) if action == "decline_transfer" => {
            Ok(Redirect::to("/cases?done=transfer_declined").into_response())
        }
        Ok(()) => Ok(Redirect::to(&format!("/cases/{id}?done={action}")).into_response()),
        Err(e) => {
            let e = page_level(e)?;
            let (errors, summary) = explain(&e, ctx.locale);
            case_page(
                &s,
                &ctx,
                id,
                None,
                Some((errors, summary, f, answers_typed)),
            )
            .await
        }
    }
}

// ---------------------------------------------------------------- referrals

#[derive(Template)]
#[template(path = "referrals.html")]
struct ReferralsPage {
    p: Page,
    board: ReferralBoard,
    notice: Option<String>,
    error: Option<String>,
}

impl ReferralsPage {
    fn service_types(&self) -> Vec<&'static str> {
        SERVICE_TYPES.to_vec()
    }
}

async fn referrals_page(
    s: &AppState,
    ctx: &Ctx,
    notice: Option<String>,
    error: Option<String>,
) -> Result<Response, WebError> {
    let actor = ctx.actor()?;
    let board = s.svc.referral_board(actor).await?;
    let failed = error.is_some();
    Ok(render_form_page(
        &ReferralsPage {
            p: Page::new(ctx, "cw-referrals"),
            board,
            notice,
            error,
        },
        failed,
    ))
}

async fn referrals(
    State(s): State<AppState>,
    ctx: Ctx,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, WebError> {
    let notice = done_notice(ctx.locale, q.get("done"));
    referrals_page(&s, &ctx, notice, None).await
}

async fn referral_post(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    RawForm(body): RawForm,
) -> Result<Response, WebError> {
    let actor = ctx.actor()?;
    let f = fields(&body);
    let action = get_f(&f, "action");
    let version = get_f(&f, "version").parse().unwrap_or(0);
    let result = s
        .svc
        .act_on_referral(
            actor,
            id,
            &action,
            &get_f(&f, "text"),
            &get_f(&f, "service_type"),
            version,
            &ctx.op,
        )
        .await;
    let back = f
        .get("back")
        .filter(|b| b.starts_with("/cases/") && !b.contains("//"))
        .cloned();
    match result {
        Ok(()) => Ok(Redirect::to(&format!(
            "{}?done=referral_{action}",
            back.as_deref().unwrap_or("/referrals")
        ))
        .into_response()),
        Err(e) => {
            let e = page_level(e)?;
            let (errors, summary) = explain(&e, ctx.locale);
            let detail = errors
                .first()
                .map(|(f, m)| {
                    format!(
                        "{summary} — {} : {m}",
                        i18n::t(ctx.locale, &format!("field-{f}"))
                    )
                })
                .unwrap_or(summary);
            referrals_page(&s, &ctx, None, Some(detail)).await
        }
    }
}

// ---------------------------------------------------------------- statistics and activities

#[derive(Template)]
#[template(path = "case_statistics.html")]
struct StatisticsPage {
    p: Page,
    stats: CaseStatistics,
    linked: Option<LinkSummary>,
    can_link: bool,
}

async fn statistics(State(s): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    let actor = ctx.actor()?;
    let stats = s.svc.case_statistics(actor).await?;
    let can_link =
        passerelle_service::access::decide(actor, passerelle_service::Action::LinkRegistries)
            .is_ok();
    Ok(render_page(&StatisticsPage {
        p: Page::new(&ctx, "cw-statistics"),
        stats,
        linked: None,
        can_link,
    }))
}

async fn link_registries(State(s): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    let actor = ctx.actor()?;
    let linked = s.svc.link_registries(Some(actor), &ctx.op).await?;
    let stats = s.svc.case_statistics(actor).await?;
    Ok(render_page(&StatisticsPage {
        p: Page::new(&ctx, "cw-statistics"),
        stats,
        linked: Some(linked),
        can_link: true,
    }))
}

#[derive(Template)]
#[template(path = "duplicates.html")]
struct DuplicatesPage {
    p: Page,
    pairs: Vec<PairView>,
    notice: Option<String>,
}

impl DuplicatesPage {
    fn pct(&self, p: &f64) -> String {
        format!("{:.0} %", p * 100.0)
    }
    fn bits(&self, w: &f64) -> String {
        format!("{w:+.1}")
    }
}

async fn duplicates(
    State(s): State<AppState>,
    ctx: Ctx,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, WebError> {
    let actor = ctx.actor()?;
    let pairs = s.svc.duplicate_queue(actor).await?;
    let notice = done_notice(ctx.locale, q.get("done"));
    Ok(render_page(&DuplicatesPage {
        p: Page::new(&ctx, "cw-duplicates"),
        pairs,
        notice,
    }))
}

async fn duplicates_post(
    State(s): State<AppState>,
    ctx: Ctx,
    RawForm(body): RawForm,
) -> Result<Response, WebError> {
    let actor = ctx.actor()?;
    let f = fields(&body);
    let pair = get_f(&f, "pair").parse().unwrap_or(0);
    match s
        .svc
        .decide_duplicate(actor, pair, &get_f(&f, "decision"), &ctx.op)
        .await
    {
        Ok(()) => Ok(Redirect::to("/cases/duplicates?done=pair_decided").into_response()),
        Err(e) => Err(match page_level(e)? {
            CaseworkError::Invalid(v) => passerelle_service::ServiceError::Invalid(v).into(),
            _ => WebError::code(ErrorCode::BadRequest),
        }),
    }
}

#[derive(Template)]
#[template(path = "activities.html")]
struct ActivitiesPage {
    p: Page,
    list: Vec<ActivityView>,
    input: ActivityInput,
    errors: Vec<(String, String)>,
    summary: Option<String>,
    notice: Option<String>,
}

impl ActivitiesPage {
    fn e(&self, field: &str) -> String {
        err(&self.errors, field)
    }
    fn kinds(&self) -> Vec<&'static str> {
        ACTIVITY_KINDS.to_vec()
    }
    fn gain(&self, g: &Option<f64>) -> String {
        g.map(|g| format!("{g:+.1}")).unwrap_or_default()
    }
    fn score(&self, g: &Option<f64>) -> String {
        g.map(|g| format!("{g:.1}")).unwrap_or_default()
    }
}

async fn activities(
    State(s): State<AppState>,
    ctx: Ctx,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, WebError> {
    let actor = ctx.actor()?;
    let list = s.svc.activities(actor).await?;
    let notice = done_notice(ctx.locale, q.get("done"));
    Ok(render_page(&ActivitiesPage {
        p: Page::new(&ctx, "cw-activities"),
        list,
        input: ActivityInput::default(),
        errors: Vec::new(),
        summary: None,
        notice,
    }))
}

async fn activities_post(
    State(s): State<AppState>,
    ctx: Ctx,
    RawForm(body): RawForm,
) -> Result<Response, WebError> {
    let actor = ctx.actor()?;
    let f = fields(&body);
    let input = ActivityInput {
        kind: get_f(&f, "kind"),
        topic: get_f(&f, "topic"),
        held_on: get_f(&f, "held_on"),
        territory: get_f(&f, "territory"),
        place: get_f(&f, "place"),
        women: get_f(&f, "women"),
        men: get_f(&f, "men"),
        minors: get_f(&f, "minors"),
        score_entry: get_f(&f, "score_entry"),
        score_exit: get_f(&f, "score_exit"),
        framework_node: get_f(&f, "framework_node"),
    };
    match s.svc.record_activity(actor, &input, &ctx.op).await {
        Ok(_) => Ok(Redirect::to("/activities?done=activity").into_response()),
        Err(e) => {
            let e = page_level(e)?;
            let (errors, summary) = explain(&e, ctx.locale);
            let list = s.svc.activities(actor).await?;
            Ok(render_form_page(
                &ActivitiesPage {
                    p: Page::new(&ctx, "cw-activities"),
                    list,
                    input,
                    errors,
                    summary: Some(summary),
                    notice: None,
                },
                true,
            ))
        }
    }
}
