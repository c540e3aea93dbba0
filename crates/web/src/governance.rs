//! Governance pages and API: bodies, a body's page (members, programmes steered,
//! meetings planned vs held, open actions), a meeting (agenda, attendance, minutes,
//! decisions and their actions, recorded by the secretariat), the actions tracker
//! (owners update their actions), and the committee brief (HTML for print, JSON).
//! Every handler calls one `Service` method; access is decided there.

use crate::AppState;
use crate::ctx::Ctx;
use crate::error::WebError;
use crate::view::{Page, field_errors, render_form_page, render_page};
use askama::Template;
use axum::Json;
use axum::Router;
use axum::extract::{Path, Query, RawForm, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use passerelle_domain::Locale;
use passerelle_domain::governance::{ActionInput, MeetingInput};
use passerelle_service::ServiceError;
use passerelle_service::governance::{
    ActionFilter, BodyView, Brief, FollowUpView, MeetingRef, MeetingView,
};
use serde::Deserialize;
use std::collections::HashMap;
use utoipa::OpenApi;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/governance", get(bodies_page))
        .route("/governance/bodies/{code}", get(body_page))
        .route("/governance/bodies/{code}/meetings", post(plan_post))
        .route("/governance/bodies/{code}/brief", get(brief_page))
        .route(
            "/governance/meetings/{id}",
            get(meeting_page).post(meeting_post),
        )
        .route("/governance/meetings/{id}/decisions", post(decision_post))
        .route("/governance/actions", get(actions_page))
        .route(
            "/governance/actions/{id}",
            get(action_page).post(action_post),
        )
}

pub fn api_routes() -> Router<AppState> {
    Router::new()
        .route("/governance/bodies", get(api_bodies))
        .route("/governance/bodies/{code}", get(api_body))
        .route("/governance/bodies/{code}/brief", get(api_brief))
        .route(
            "/governance/meetings/{id}",
            get(api_meeting).put(api_record_meeting),
        )
        .route("/governance/meetings/{id}/decisions", post(api_decision))
        .route("/governance/actions", get(api_actions))
        .route(
            "/governance/actions/{id}",
            get(api_action).post(api_update_action),
        )
}

#[derive(OpenApi)]
#[openapi(
    paths(api_bodies, api_body, api_brief, api_meeting, api_record_meeting, api_decision, api_actions, api_action, api_update_action),
    tags((name = "governance", description = "Bodies, meetings, decisions, follow-up actions and committee briefs"))
)]
pub struct GovernanceApi;

fn form(raw: &[u8]) -> HashMap<String, String> {
    form_urlencoded::parse(raw).into_owned().collect()
}

fn form_pairs(raw: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(raw).into_owned().collect()
}

fn get_or_empty(f: &HashMap<String, String>, k: &str) -> String {
    f.get(k).cloned().unwrap_or_default()
}

// ---- pages ----

#[derive(Template)]
#[template(path = "governance_bodies.html")]
struct BodiesPage {
    p: Page,
    bodies: Vec<BodyView>,
}

async fn bodies_page(State(s): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    let bodies = s.svc.bodies(ctx.actor()?).await?;
    Ok(render_page(&BodiesPage {
        p: Page::new(&ctx, "gov-title"),
        bodies,
    }))
}

#[derive(Template)]
#[template(path = "governance_body.html")]
struct BodyPage {
    p: Page,
    body: BodyView,
    meetings: Vec<MeetingRef>,
    actions: Vec<FollowUpView>,
    errors: Vec<(String, String)>,
    input: MeetingInput,
}

impl BodyPage {
    fn error(&self, field: &str) -> String {
        self.errors
            .iter()
            .filter(|(f, _)| f == field)
            .map(|(_, m)| m.clone())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

async fn body_view(
    s: &AppState,
    ctx: &Ctx,
    code: &str,
    input: MeetingInput,
    errors: Vec<(String, String)>,
) -> Result<BodyPage, WebError> {
    let actor = ctx.actor()?;
    let body = s.svc.body(actor, code).await?;
    let meetings = s.svc.body_meetings(actor, code).await?;
    let actions = s
        .svc
        .follow_ups(
            actor,
            &ActionFilter {
                body: Some(body.code.clone()),
                ..Default::default()
            },
        )
        .await?
        .into_iter()
        .filter(|a| a.status == "open" || a.status == "in_progress")
        .collect();
    let mut p = Page::new(ctx, "gov-title");
    p.title = p
        .pick(&body.name.fr, &body.name.ar, &body.name.en)
        .to_string();
    Ok(BodyPage {
        p,
        body,
        meetings,
        actions,
        errors,
        input,
    })
}

async fn body_page(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
) -> Result<Response, WebError> {
    let input = MeetingInput {
        status: "planned".into(),
        ..Default::default()
    };
    Ok(render_page(
        &body_view(&s, &ctx, &code, input, Vec::new()).await?,
    ))
}

fn meeting_input(f: &HashMap<String, String>) -> MeetingInput {
    MeetingInput {
        planned_on: get_or_empty(f, "planned_on"),
        status: get_or_empty(f, "status"),
        held_on: get_or_empty(f, "held_on"),
        place: get_or_empty(f, "place"),
        agenda: get_or_empty(f, "agenda"),
        minutes: get_or_empty(f, "minutes"),
    }
}

async fn plan_post(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    RawForm(raw): RawForm,
) -> Result<Response, WebError> {
    let f = form(&raw);
    let input = meeting_input(&f);
    match s
        .svc
        .plan_meeting(ctx.actor()?, &code, &input, &ctx.op)
        .await
    {
        Ok(id) => Ok(Redirect::to(&format!("/governance/meetings/{id}")).into_response()),
        Err(ServiceError::Invalid(errors)) => {
            let errors = field_errors(&errors, ctx.locale);
            Ok(render_form_page(
                &body_view(&s, &ctx, &code, input, errors).await?,
                true,
            ))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "governance_meeting.html")]
struct MeetingPage {
    p: Page,
    m: MeetingView,
    input: MeetingInput,
    errors: Vec<(String, String)>,
    decision_errors: Vec<(String, String)>,
    decision_text: String,
    action: ActionInput,
    /// Member organisations for the owner list: (code, name).
    owners: Vec<(String, String)>,
    notice: Option<String>,
}

impl MeetingPage {
    fn error(&self, field: &str) -> String {
        self.errors
            .iter()
            .chain(self.decision_errors.iter())
            .filter(|(f, _)| f == field)
            .map(|(_, m)| m.clone())
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn presence_is(&self, presence: &Option<String>, value: &str) -> bool {
        presence.as_deref() == Some(value)
    }
}

async fn meeting_view(
    s: &AppState,
    ctx: &Ctx,
    id: i64,
    input: Option<MeetingInput>,
) -> Result<MeetingPage, WebError> {
    let m = s.svc.meeting(ctx.actor()?, id).await?;
    let input = input.unwrap_or_else(|| MeetingInput {
        planned_on: m.planned_on.clone(),
        status: m.status.clone(),
        held_on: m.held_on.clone().unwrap_or_default(),
        place: m.place.clone().unwrap_or_default(),
        agenda: m.agenda.join("\n"),
        minutes: m.minutes.clone().unwrap_or_default(),
    });
    let mut p = Page::new(ctx, "gov-meeting");
    p.title = format!(
        "{} · {}",
        m.body,
        m.held_on.clone().unwrap_or_else(|| m.planned_on.clone())
    );
    let owners = m
        .attendance
        .iter()
        .map(|(code, name, _)| {
            (
                code.clone(),
                p.pick(&name.fr, &name.ar, &name.en).to_string(),
            )
        })
        .collect();
    Ok(MeetingPage {
        p,
        m,
        input,
        errors: Vec::new(),
        decision_errors: Vec::new(),
        decision_text: String::new(),
        action: ActionInput::default(),
        owners,
        notice: None,
    })
}

#[derive(Deserialize)]
struct NoticeQuery {
    saved: Option<String>,
}

async fn meeting_page(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, WebError> {
    let mut page = meeting_view(&s, &ctx, id, None).await?;
    if q.saved.is_some() {
        page.notice = Some(page.p.t("gov-saved"));
    }
    Ok(render_page(&page))
}

/// `presence_ORG=present` fields → (ORG, presence).
fn attendance_of(pairs: &[(String, String)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .filter_map(|(k, v)| {
            k.strip_prefix("presence_")
                .map(|org| (org.to_string(), v.clone()))
        })
        .collect()
}

async fn meeting_post(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    RawForm(raw): RawForm,
) -> Result<Response, WebError> {
    let f = form(&raw);
    let input = meeting_input(&f);
    let attendance = attendance_of(&form_pairs(&raw));
    match s
        .svc
        .record_meeting(ctx.actor()?, id, &input, &attendance, &ctx.op)
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!("/governance/meetings/{id}?saved=1")).into_response()),
        Err(ServiceError::Invalid(errors)) => {
            let mut page = meeting_view(&s, &ctx, id, Some(input)).await?;
            page.errors = field_errors(&errors, ctx.locale);
            Ok(render_form_page(&page, true))
        }
        Err(e) => Err(e.into()),
    }
}

fn action_input(f: &HashMap<String, String>) -> Option<ActionInput> {
    let a = ActionInput {
        title: get_or_empty(f, "action_title"),
        origin: "decision".into(),
        source_ref: String::new(),
        owner: get_or_empty(f, "owner"),
        due_on: get_or_empty(f, "due_on"),
    };
    let any =
        !a.title.trim().is_empty() || !a.owner.trim().is_empty() || !a.due_on.trim().is_empty();
    any.then_some(a)
}

async fn decision_post(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    RawForm(raw): RawForm,
) -> Result<Response, WebError> {
    let f = form(&raw);
    let text = get_or_empty(&f, "decision");
    let action = action_input(&f);
    match s
        .svc
        .add_decision(ctx.actor()?, id, &text, action.as_ref(), &ctx.op)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/governance/meetings/{id}?saved=1")).into_response()),
        Err(ServiceError::Invalid(errors)) => {
            let mut page = meeting_view(&s, &ctx, id, None).await?;
            page.decision_errors = field_errors(&errors, ctx.locale);
            page.decision_text = text;
            page.action = action.unwrap_or_default();
            Ok(render_form_page(&page, true))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default, utoipa::IntoParams)]
pub struct ActionsQuery {
    /// A body's code.
    body: Option<String>,
    /// The owner organisation's code.
    owner: Option<String>,
    /// open, in_progress, done, dropped.
    status: Option<String>,
    /// Only actions past their due date and not done.
    overdue: Option<String>,
}

impl ActionsQuery {
    fn filter(&self) -> ActionFilter {
        ActionFilter {
            body: self.body.clone(),
            owner: self.owner.clone(),
            status: self.status.clone(),
            overdue: self
                .overdue
                .as_deref()
                .is_some_and(|v| v == "1" || v == "true" || v == "on"),
        }
    }
}

#[derive(Template)]
#[template(path = "governance_actions.html")]
struct ActionsPage {
    p: Page,
    actions: Vec<FollowUpView>,
    bodies: Vec<(String, String)>,
    body: String,
    owner: String,
    status: String,
    overdue: bool,
}

async fn actions_page(
    State(s): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ActionsQuery>,
) -> Result<Response, WebError> {
    let actor = ctx.actor()?;
    let filter = q.filter();
    let actions = s.svc.follow_ups(actor, &filter).await?;
    let p = Page::new(&ctx, "gov-actions");
    let bodies = s
        .svc
        .bodies(actor)
        .await?
        .into_iter()
        .map(|b| (b.code.clone(), b.code))
        .collect();
    Ok(render_page(&ActionsPage {
        p,
        actions,
        bodies,
        body: q.body.unwrap_or_default(),
        owner: q.owner.unwrap_or_default(),
        status: q.status.unwrap_or_default(),
        overdue: filter.overdue,
    }))
}

#[derive(Template)]
#[template(path = "governance_action.html")]
struct ActionPage {
    p: Page,
    a: FollowUpView,
    errors: Vec<(String, String)>,
    note: String,
    notice: Option<String>,
}

impl ActionPage {
    fn error(&self, field: &str) -> String {
        self.errors
            .iter()
            .filter(|(f, _)| f == field)
            .map(|(_, m)| m.clone())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

async fn action_page(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, WebError> {
    let a = s.svc.follow_up(ctx.actor()?, id).await?;
    let mut p = Page::new(&ctx, "gov-action");
    p.title = a.title.clone();
    let notice = q.saved.map(|_| p.t("gov-saved"));
    Ok(render_page(&ActionPage {
        p,
        a,
        errors: Vec::new(),
        note: String::new(),
        notice,
    }))
}

async fn action_post(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    RawForm(raw): RawForm,
) -> Result<Response, WebError> {
    let f = form(&raw);
    let status = get_or_empty(&f, "status");
    let note = get_or_empty(&f, "note");
    match s
        .svc
        .update_follow_up(ctx.actor()?, id, &status, &note, &ctx.op)
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!("/governance/actions/{id}?saved=1")).into_response()),
        Err(ServiceError::Invalid(errors)) => {
            let a = s.svc.follow_up(ctx.actor()?, id).await?;
            let mut p = Page::new(&ctx, "gov-action");
            p.title = a.title.clone();
            Ok(render_form_page(
                &ActionPage {
                    p,
                    a,
                    errors: field_errors(&errors, ctx.locale),
                    note,
                    notice: None,
                },
                true,
            ))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default, utoipa::IntoParams)]
pub struct BriefQuery {
    /// A meeting of the body: the brief prepares it (its date by default).
    meeting: Option<i64>,
    /// The brief's date, `YYYY-MM-DD` (today by default).
    date: Option<String>,
}

/// The committee brief; `standalone` for a document outside the site (the CLI).
#[derive(Template)]
#[template(path = "governance_brief.html")]
struct BriefPage {
    p: Page,
    b: Brief,
    standalone: bool,
}

/// The same brief as a standalone document (its print stylesheet inside), for the CLI.
#[derive(Template)]
#[template(path = "governance_brief_doc.html")]
struct BriefDoc {
    p: Page,
    b: Brief,
    standalone: bool,
}

impl BriefPage {
    fn follow_up(&self, id: &i64) -> Option<&FollowUpView> {
        self.b.follow_ups.iter().find(|f| f.id == *id)
    }
}

impl BriefDoc {
    fn follow_up(&self, id: &i64) -> Option<&FollowUpView> {
        self.b.follow_ups.iter().find(|f| f.id == *id)
    }
}

async fn brief_page(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    Query(q): Query<BriefQuery>,
) -> Result<Response, WebError> {
    let b = s
        .svc
        .brief(Some(ctx.actor()?), &code, q.meeting, q.date.as_deref())
        .await?;
    let mut p = Page::new(&ctx, "gov-brief");
    p.title = format!("{} · {}", p.t("gov-brief"), b.body);
    Ok(render_page(&BriefPage {
        p,
        b,
        standalone: false,
    }))
}

/// The brief as a standalone HTML document (print stylesheet inside), for the CLI.
pub fn brief_document(b: Brief, locale: Locale) -> Result<String, askama::Error> {
    let mut p = Page::bare(locale, "cli");
    p.title = format!("{} · {}", p.t("gov-brief"), b.body);
    BriefDoc {
        p,
        b,
        standalone: true,
    }
    .render()
}

// ---- API ----

/// The bodies the caller may see, with members, programmes steered and meetings held per year.
#[utoipa::path(get, path = "/api/v1/governance/bodies", tag = "governance",
    responses((status = 200, description = "bodies", body = Object)), security(("bearer" = [])))]
async fn api_bodies(State(s): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    Ok(Json(s.svc.bodies(ctx.actor()?).await?).into_response())
}

/// One body and its meetings (newest first).
#[utoipa::path(get, path = "/api/v1/governance/bodies/{code}", tag = "governance", params(("code" = String, Path, description = "CP3…")),
    responses((status = 200, description = "`{body, meetings}`", body = Object), (status = 404)), security(("bearer" = [])))]
async fn api_body(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
) -> Result<Response, WebError> {
    let actor = ctx.actor()?;
    let body = s.svc.body(actor, &code).await?;
    let meetings = s.svc.body_meetings(actor, &code).await?;
    Ok(Json(serde_json::json!({"body": body, "meetings": meetings})).into_response())
}

/// The committee brief of a body for a meeting or a date.
#[utoipa::path(get, path = "/api/v1/governance/bodies/{code}/brief", tag = "governance",
    params(("code" = String, Path, description = "CP3…"), BriefQuery),
    responses((status = 200, description = "the brief", body = Object), (status = 404), (status = 422)), security(("bearer" = [])))]
async fn api_brief(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    Query(q): Query<BriefQuery>,
) -> Result<Response, WebError> {
    let b = s
        .svc
        .brief(Some(ctx.actor()?), &code, q.meeting, q.date.as_deref())
        .await?;
    Ok(Json(b).into_response())
}

#[utoipa::path(get, path = "/api/v1/governance/meetings/{id}", tag = "governance", params(("id" = i64, Path)),
    responses((status = 200, description = "the meeting", body = Object), (status = 404)), security(("bearer" = [])))]
async fn api_meeting(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    Ok(Json(s.svc.meeting(ctx.actor()?, id).await?).into_response())
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct RecordMeeting {
    planned_on: String,
    status: String,
    #[serde(default)]
    held_on: String,
    #[serde(default)]
    place: String,
    #[serde(default)]
    agenda: Vec<String>,
    #[serde(default)]
    minutes: String,
    /// Organisation code → present / absent / excused.
    #[serde(default)]
    attendance: HashMap<String, String>,
}

/// Records a meeting (the secretariat): a meeting cannot be held in the future.
#[utoipa::path(put, path = "/api/v1/governance/meetings/{id}", tag = "governance", params(("id" = i64, Path)), request_body = RecordMeeting,
    responses((status = 200, description = "the meeting", body = Object), (status = 403), (status = 422)), security(("bearer" = [])))]
async fn api_record_meeting(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(r): Json<RecordMeeting>,
) -> Result<Response, WebError> {
    let actor = ctx.actor()?;
    let input = MeetingInput {
        planned_on: r.planned_on,
        status: r.status,
        held_on: r.held_on,
        place: r.place,
        agenda: r.agenda.join("\n"),
        minutes: r.minutes,
    };
    let attendance: Vec<(String, String)> = r.attendance.into_iter().collect();
    s.svc
        .record_meeting(actor, id, &input, &attendance, &ctx.op)
        .await?;
    Ok(Json(s.svc.meeting(actor, id).await?).into_response())
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct NewDecision {
    decision: String,
    /// The follow-up action the decision creates, if any: `{title, owner, due_on}`.
    action: Option<NewAction>,
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct NewAction {
    #[serde(default)]
    title: String,
    #[serde(default)]
    owner: String,
    #[serde(default)]
    due_on: String,
}

/// Records a decision of a held meeting and the follow-up action it creates.
#[utoipa::path(post, path = "/api/v1/governance/meetings/{id}/decisions", tag = "governance", params(("id" = i64, Path)), request_body = NewDecision,
    responses((status = 201, description = "`{decision, action}` ids", body = Object), (status = 403), (status = 422)), security(("bearer" = [])))]
async fn api_decision(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(d): Json<NewDecision>,
) -> Result<Response, WebError> {
    let action = d.action.map(|a| ActionInput {
        title: a.title,
        origin: "decision".into(),
        source_ref: String::new(),
        owner: a.owner,
        due_on: a.due_on,
    });
    let (decision, action) = s
        .svc
        .add_decision(ctx.actor()?, id, &d.decision, action.as_ref(), &ctx.op)
        .await?;
    Ok((
        axum::http::StatusCode::CREATED,
        Json(serde_json::json!({"decision": decision, "action": action})),
    )
        .into_response())
}

/// The actions tracker, filtered by body, owner, status, overdue.
#[utoipa::path(get, path = "/api/v1/governance/actions", tag = "governance", params(ActionsQuery),
    responses((status = 200, description = "actions", body = Object), (status = 422)), security(("bearer" = [])))]
async fn api_actions(
    State(s): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ActionsQuery>,
) -> Result<Response, WebError> {
    Ok(Json(s.svc.follow_ups(ctx.actor()?, &q.filter()).await?).into_response())
}

#[utoipa::path(get, path = "/api/v1/governance/actions/{id}", tag = "governance", params(("id" = i64, Path)),
    responses((status = 200, description = "the action and its history", body = Object), (status = 404)), security(("bearer" = [])))]
async fn api_action(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    Ok(Json(s.svc.follow_up(ctx.actor()?, id).await?).into_response())
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct UpdateAction {
    status: String,
    #[serde(default)]
    note: String,
}

/// Sets an action's status with a progress note (the owner organisation's focal
/// points and supervisors, the secretariat).
#[utoipa::path(post, path = "/api/v1/governance/actions/{id}", tag = "governance", params(("id" = i64, Path)), request_body = UpdateAction,
    responses((status = 200, description = "the action", body = Object), (status = 403), (status = 422)), security(("bearer" = [])))]
async fn api_update_action(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(u): Json<UpdateAction>,
) -> Result<Response, WebError> {
    let actor = ctx.actor()?;
    s.svc
        .update_follow_up(actor, id, &u.status, &u.note, &ctx.op)
        .await?;
    Ok(Json(s.svc.follow_up(actor, id).await?).into_response())
}
