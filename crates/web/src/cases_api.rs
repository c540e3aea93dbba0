//! Case work over the JSON API: the same service calls as the pages. Refusals carry
//! the usual `{code, message, fields, operation_id}` body; a registration refused for
//! likely duplicates adds `matches`, an edit conflict lists each field's stored value.

use crate::AppState;
use crate::ctx::Ctx;
use crate::error::{ApiError, FieldError, WebError, field_message};
use crate::i18n;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use passerelle_domain::DomainError;
use passerelle_domain::casework::PersonInput;
use passerelle_domain::casework::form::Answers;
use passerelle_service::casework::CaseworkError;
use serde::Deserialize;
use serde_json::json;
use utoipa::{OpenApi, ToSchema};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/people/search", post(search))
        .route("/people", post(register))
        .route("/people/{id}", get(person))
        .route("/people/{id}/consents", post(add_consent))
        .route("/people/{id}/cases", post(open_case))
        .route("/cases", get(caseload))
        .route("/cases/{id}", get(case))
        .route("/cases/{id}/assessment", put(save_assessment))
        .route("/cases/{id}/referrals", post(refer))
        .route("/referrals", get(referrals))
        .route("/referrals/{id}", post(act_on_referral))
        .route("/casework/statistics", get(statistics))
        .route("/activities", get(activities).post(record_activity))
        .route("/assessment-form", get(form))
}

#[derive(OpenApi)]
#[openapi(
    paths(
        search,
        register,
        person,
        add_consent,
        open_case,
        caseload,
        case,
        save_assessment,
        refer,
        referrals,
        act_on_referral,
        statistics,
        activities,
        record_activity,
        form
    ),
    components(schemas(
        Registration,
        ConsentBody,
        AssessmentBody,
        ReferralBody,
        ReferralAction,
        ActivityBody
    ))
)]
pub struct CaseworkApiDoc;

/// A refused case-work action as JSON.
fn refusal(e: CaseworkError, ctx: &Ctx) -> Result<Response, WebError> {
    let l = ctx.locale;
    let code = e.code();
    let status = WebError::code(code).status();
    let mut extra = serde_json::Map::new();
    let fields: Vec<FieldError> = match &e {
        CaseworkError::Invalid(errors) => errors
            .iter()
            .map(|f| FieldError {
                field: f.field.to_string(),
                code: f.code.as_str().into(),
                message: field_message(f, l),
            })
            .collect(),
        CaseworkError::Form(issues) => issues
            .iter()
            .map(|i| FieldError {
                field: i.field.clone(),
                code: i.code.as_str().into(),
                message: field_message(
                    &DomainError {
                        field: "answer",
                        code: i.code,
                        value: i.value.clone(),
                    },
                    l,
                ),
            })
            .collect(),
        CaseworkError::Conflict(changed) => {
            extra.insert(
                "stored".into(),
                json!(
                    changed
                        .iter()
                        .map(|(f, v)| json!({"field": f, "value": v}))
                        .collect::<Vec<_>>()
                ),
            );
            Vec::new()
        }
        CaseworkError::PossibleDuplicates(found) => {
            extra.insert("matches".into(), json!(found));
            Vec::new()
        }
        CaseworkError::ConsentMissing { purpose, scope } => {
            extra.insert(
                "consent".into(),
                json!({"purpose": purpose, "scope": scope}),
            );
            Vec::new()
        }
        CaseworkError::WrongState { status } => {
            extra.insert("status".into(), json!(status));
            Vec::new()
        }
        CaseworkError::Service(_) => Vec::new(),
    };
    let message = match &e {
        CaseworkError::ConsentMissing { purpose, scope } => i18n::t_args(
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
        CaseworkError::PossibleDuplicates(_) => i18n::t(l, "cw-duplicates-found"),
        _ => i18n::t_args(l, &format!("error-{}", code.as_str()), &[("value", "")]),
    };
    if let CaseworkError::Service(s) = e {
        return Err(s.into());
    }
    let mut body = serde_json::to_value(ApiError {
        code: code.as_str().into(),
        message,
        fields,
        operation_id: ctx.op.clone(),
    })
    .unwrap_or_default();
    if let Some(obj) = body.as_object_mut() {
        obj.extend(extra);
    }
    Ok((status, Json(body)).into_response())
}

fn reply<T: serde::Serialize>(
    r: Result<T, CaseworkError>,
    ctx: &Ctx,
    ok: StatusCode,
) -> Result<Response, WebError> {
    match r {
        Ok(v) => Ok((ok, Json(v)).into_response()),
        Err(e) => refusal(e, ctx),
    }
}

/// A registration: the person, the consents given, and the ids of suggested
/// matches the case worker confirmed are other people.
#[derive(Deserialize, ToSchema)]
struct Registration {
    #[serde(flatten)]
    #[schema(value_type = Object)]
    person: PersonInput,
    /// `[{"purpose": "registration"}, {"purpose": "referral", "scope": "public_agency"}]`
    #[serde(default)]
    #[schema(value_type = Vec<Object>)]
    consents: Vec<ConsentBody>,
    #[serde(default)]
    not_the_same_as: Vec<i64>,
}

#[derive(Deserialize, ToSchema)]
struct ConsentBody {
    purpose: String,
    #[serde(default)]
    scope: String,
}

#[utoipa::path(post, path = "/api/v1/people/search", tag = "case work", request_body(content = Object, description = "The person as known: given_name, family_name, name_ar, sex, birth_date, phones, document_number…"),
    responses((status = 200, description = "Likely matches with why, and how many are registered elsewhere"), (status = 403, body = ApiError)), security(("bearer" = [])))]
async fn search(
    State(s): State<AppState>,
    ctx: Ctx,
    Json(input): Json<PersonInput>,
) -> Result<Response, WebError> {
    let r = s.svc.search_people(ctx.actor()?, &input, &ctx.op).await?;
    Ok(Json(r).into_response())
}

#[utoipa::path(post, path = "/api/v1/people", tag = "case work", request_body = Registration,
    responses((status = 201, description = "`{id}` of the new person"), (status = 409, description = "likely duplicates: `matches`", body = ApiError), (status = 422, body = ApiError)), security(("bearer" = [])))]
async fn register(
    State(s): State<AppState>,
    ctx: Ctx,
    Json(b): Json<Registration>,
) -> Result<Response, WebError> {
    let consents: Vec<(String, String)> = b
        .consents
        .into_iter()
        .map(|c| (c.purpose, c.scope))
        .collect();
    let r = s
        .svc
        .register_person(
            ctx.actor()?,
            &b.person,
            &consents,
            &b.not_the_same_as,
            &ctx.op,
        )
        .await;
    reply(r.map(|id| json!({"id": id})), &ctx, StatusCode::CREATED)
}

#[utoipa::path(get, path = "/api/v1/people/{id}", tag = "case work", params(("id" = i64, Path)),
    responses((status = 200, description = "The person's file, as much as the caller may see"), (status = 404, body = ApiError)), security(("bearer" = [])))]
async fn person(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    Ok(Json(s.svc.person_file(ctx.actor()?, id, &ctx.op).await?).into_response())
}

#[utoipa::path(post, path = "/api/v1/people/{id}/consents", tag = "case work", params(("id" = i64, Path)), request_body = ConsentBody,
    responses((status = 201, description = "recorded"), (status = 422, body = ApiError)), security(("bearer" = [])))]
async fn add_consent(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(b): Json<ConsentBody>,
) -> Result<Response, WebError> {
    let r = s
        .svc
        .add_consent(ctx.actor()?, id, &b.purpose, &b.scope, &ctx.op)
        .await;
    reply(r.map(|_| json!({})), &ctx, StatusCode::CREATED)
}

#[utoipa::path(post, path = "/api/v1/people/{id}/cases", tag = "case work", params(("id" = i64, Path)),
    responses((status = 201, description = "`{id}` of the new case"), (status = 422, description = "consent missing", body = ApiError)), security(("bearer" = [])))]
async fn open_case(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let r = s.svc.open_case(ctx.actor()?, id, None, &ctx.op).await;
    reply(r.map(|id| json!({"id": id})), &ctx, StatusCode::CREATED)
}

#[utoipa::path(get, path = "/api/v1/cases", tag = "case work",
    responses((status = 200, description = "The caller's caseload (and the team's for supervisors)")), security(("bearer" = [])))]
async fn caseload(State(s): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    Ok(Json(s.svc.caseload(ctx.actor()?).await?).into_response())
}

#[utoipa::path(get, path = "/api/v1/cases/{id}", tag = "case work", params(("id" = i64, Path)),
    responses((status = 200, description = "The case (only shared sections for a referral receiver)"), (status = 404, body = ApiError)), security(("bearer" = [])))]
async fn case(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    Ok(Json(s.svc.case_view(ctx.actor()?, id, &ctx.op).await?).into_response())
}

#[derive(Deserialize, ToSchema)]
struct AssessmentBody {
    /// Answers by field code; a multiple choice is its codes joined by `|`.
    #[schema(value_type = Object)]
    answers: Answers,
    /// The `assessment_version` read with the case (0 for a first assessment).
    version: i64,
}

#[utoipa::path(put, path = "/api/v1/cases/{id}/assessment", tag = "case work", params(("id" = i64, Path)), request_body = AssessmentBody,
    responses((status = 200, description = "saved"), (status = 409, description = "someone saved first: `stored`", body = ApiError), (status = 422, body = ApiError)), security(("bearer" = [])))]
async fn save_assessment(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(b): Json<AssessmentBody>,
) -> Result<Response, WebError> {
    let r = s
        .svc
        .save_assessment(ctx.actor()?, id, &b.answers, b.version, &ctx.op)
        .await;
    reply(r.map(|_| json!({})), &ctx, StatusCode::OK)
}

#[derive(Deserialize, ToSchema)]
struct ReferralBody {
    organisation: String,
    #[serde(default)]
    service: String,
    #[serde(default)]
    sections: Vec<String>,
    #[serde(default)]
    due_date: String,
    #[serde(default)]
    message: String,
}

#[utoipa::path(post, path = "/api/v1/cases/{id}/referrals", tag = "case work", params(("id" = i64, Path)), request_body = ReferralBody,
    responses((status = 201, description = "`{id}` of the referral"), (status = 422, description = "invalid, or consent missing: `consent`", body = ApiError)), security(("bearer" = [])))]
async fn refer(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(b): Json<ReferralBody>,
) -> Result<Response, WebError> {
    let r = s
        .svc
        .refer(
            ctx.actor()?,
            id,
            &b.organisation,
            &b.service,
            &b.sections,
            &b.due_date,
            &b.message,
            &ctx.op,
        )
        .await;
    reply(r.map(|id| json!({"id": id})), &ctx, StatusCode::CREATED)
}

#[utoipa::path(get, path = "/api/v1/referrals", tag = "case work",
    responses((status = 200, description = "Referrals to and from the caller's organisation")), security(("bearer" = [])))]
async fn referrals(State(s): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    Ok(Json(s.svc.referral_board(ctx.actor()?).await?).into_response())
}

#[derive(Deserialize, ToSchema)]
struct ReferralAction {
    /// accept, decline, service_given, complete, revoke
    action: String,
    /// The reason (decline, revoke) or the outcome (complete).
    #[serde(default)]
    text: String,
    /// For service_given: the service type.
    #[serde(default)]
    service_type: String,
    version: i64,
}

#[utoipa::path(post, path = "/api/v1/referrals/{id}", tag = "case work", params(("id" = i64, Path)), request_body = ReferralAction,
    responses((status = 200, description = "done"), (status = 404, body = ApiError), (status = 409, body = ApiError)), security(("bearer" = [])))]
async fn act_on_referral(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(b): Json<ReferralAction>,
) -> Result<Response, WebError> {
    let r = s
        .svc
        .act_on_referral(
            ctx.actor()?,
            id,
            &b.action,
            &b.text,
            &b.service_type,
            b.version,
            &ctx.op,
        )
        .await;
    reply(r.map(|_| json!({})), &ctx, StatusCode::OK)
}

#[utoipa::path(get, path = "/api/v1/casework/statistics", tag = "case work",
    responses((status = 200, description = "Referral flows and case counts, no names"), (status = 403, body = ApiError)), security(("bearer" = [])))]
async fn statistics(State(s): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    Ok(Json(s.svc.case_statistics(ctx.actor()?).await?).into_response())
}

/// A group activity: participants counted by sex without names, optional entry and
/// exit test scores (percent) giving the knowledge-gain indicators.
#[derive(Deserialize, ToSchema)]
pub struct ActivityBody {
    /// `awareness`, `outreach`, `professional_training`, `orientation`…
    pub kind: String,
    pub topic: String,
    /// `YYYY-MM-DD`, not in the future.
    pub held_on: String,
    #[serde(default)]
    pub territory: String,
    #[serde(default)]
    pub place: String,
    pub women: u32,
    pub men: u32,
    #[serde(default)]
    pub minors: u32,
    /// Mean entry test score, 0–100; given with `score_exit`.
    pub score_entry: Option<f64>,
    pub score_exit: Option<f64>,
    /// The SNIA action or AMUDDU node it serves (`OI1-2`, `A01 05`).
    #[serde(default)]
    pub framework_node: String,
}

#[utoipa::path(get, path = "/api/v1/activities", tag = "case work",
    responses((status = 200, description = "Group activities of the caller's organisation (all of them for the secretariat)")), security(("bearer" = [])))]
async fn activities(State(s): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    Ok(Json(s.svc.activities(ctx.actor()?).await?).into_response())
}

#[utoipa::path(post, path = "/api/v1/activities", tag = "case work", request_body = ActivityBody,
    responses((status = 201, description = "`{id}` of the activity"), (status = 422, body = ApiError)), security(("bearer" = [])))]
async fn record_activity(
    State(s): State<AppState>,
    ctx: Ctx,
    Json(b): Json<ActivityBody>,
) -> Result<Response, WebError> {
    let score = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_default();
    let input = passerelle_service::casework::ActivityInput {
        kind: b.kind,
        topic: b.topic,
        held_on: b.held_on,
        territory: b.territory,
        place: b.place,
        women: b.women.to_string(),
        men: b.men.to_string(),
        minors: b.minors.to_string(),
        score_entry: score(b.score_entry),
        score_exit: score(b.score_exit),
        framework_node: b.framework_node,
    };
    let r = s.svc.record_activity(ctx.actor()?, &input, &ctx.op).await;
    reply(r.map(|id| json!({"id": id})), &ctx, StatusCode::CREATED)
}

#[utoipa::path(get, path = "/api/v1/assessment-form", tag = "case work",
    responses((status = 200, description = "The assessment form definition (sections, fields, options, conditions, labels)")), security(("bearer" = [])))]
async fn form(State(s): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    ctx.actor()?;
    Ok(Json(s.svc.assessment_form().await?).into_response())
}
