//! The JSON API under `/api/v1`. Authentication by the session cookie (with the
//! `X-CSRF-Token` header on writes) or by `Authorization: Bearer <token>`. Errors are
//! `{code, message, fields?, operation_id}` with stable codes. The OpenAPI document
//! is generated from these handlers and served at `/api/v1/openapi.json`.

use crate::AppState;
use crate::ctx::Ctx;
use crate::error::{ApiError, WebError};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use passerelle_domain::{ErrorCode, TerritoryCode};
use passerelle_service::{NewOrgInput, NewUserInput, Permissions};
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/me", get(me))
        .route(
            "/organisations",
            get(list_organisations).post(create_organisation),
        )
        .route("/users", get(list_users).post(create_user))
        .route("/territories", get(list_territories))
        .route("/audit/verify", get(verify_audit))
        .route("/frameworks", get(list_frameworks).post(import_framework))
        .route("/frameworks/{code}", get(show_framework))
        .route("/indicators/{code}/values", get(indicator_values))
        .route("/data", axum::routing::post(import_data))
        .route("/openapi.json", get(openapi))
        .merge(crate::cases_api::routes())
        .merge(crate::directory::api_routes())
        .merge(crate::exchange::api_routes())
        .merge(crate::forms::api_routes())
        .merge(crate::governance::api_routes())
        .fallback(|| async { WebError::code(ErrorCode::NotFound) })
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Passerelle API", description = "Passerelle's JSON API. Errors are `{code, message, fields?, operation_id}`; `code` is stable."),
    paths(me, list_organisations, create_organisation, list_users, create_user, list_territories, verify_audit, list_frameworks, show_framework, import_framework, indicator_values, import_data),
    components(schemas(ApiError, crate::error::FieldError, MeView, OrganisationView, NewOrganisation, UserView, NewUser, TerritoryView, AuditView, PermissionsView, FrameworkSummaryView, ImportView)),
    modifiers(&Security)
)]
pub struct ApiDoc;

struct Security;

impl utoipa::Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    let mut doc = ApiDoc::openapi();
    doc.merge(crate::cases_api::CaseworkApiDoc::openapi());
    doc.merge(crate::directory::DirectoryApi::openapi());
    doc.merge(crate::exchange::ExchangeApi::openapi());
    doc.merge(crate::forms::FormsApi::openapi());
    doc.merge(crate::governance::GovernanceApi::openapi());
    Json(doc)
}

/// What the signed-in user may do, as computed by the service layer.
#[derive(Serialize, ToSchema)]
pub struct PermissionsView {
    pub manage_users: bool,
    pub manage_organisations: bool,
    pub view_team: bool,
    pub view_audit: bool,
    pub monitoring: bool,
    pub casework: bool,
}

impl From<Permissions> for PermissionsView {
    fn from(p: Permissions) -> Self {
        PermissionsView {
            manage_users: p.manage_users,
            manage_organisations: p.manage_organisations,
            view_team: p.view_team,
            view_audit: p.view_audit,
            monitoring: p.monitoring,
            casework: p.casework,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct MeView {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub organisation: String,
    pub roles: Vec<String>,
    pub locale: String,
    pub permissions: PermissionsView,
}

/// The signed-in user.
#[utoipa::path(get, path = "/api/v1/me", tag = "account",
    responses((status = 200, body = MeView), (status = 401, body = ApiError)), security(("bearer" = [])))]
async fn me(ctx: Ctx) -> Result<Json<MeView>, WebError> {
    let a = ctx.actor()?;
    Ok(Json(MeView {
        id: a.user.id.0,
        username: a.user.username.clone(),
        display_name: a.user.display_name.clone(),
        organisation: a.organisation_code.clone(),
        roles: a
            .user
            .roles
            .iter()
            .map(|r| r.as_str().to_string())
            .collect(),
        locale: ctx.locale.code().to_string(),
        permissions: ctx.permissions.into(),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct OrganisationView {
    pub id: i64,
    pub code: String,
    /// ministry, public_agency, ngo, un_agency, donor, region, commune
    pub kind: String,
    pub name_fr: String,
    pub name_ar: Option<String>,
    pub name_en: Option<String>,
    pub parent: Option<String>,
    pub territory: Option<String>,
}

/// All organisations (every signed-in user).
#[utoipa::path(get, path = "/api/v1/organisations", tag = "organisations",
    responses((status = 200, body = Vec<OrganisationView>), (status = 401, body = ApiError)), security(("bearer" = [])))]
async fn list_organisations(
    State(s): State<AppState>,
    ctx: Ctx,
) -> Result<Json<Vec<OrganisationView>>, WebError> {
    let list = s.svc.organisations(ctx.actor()?).await?;
    let code_of = |id| list.iter().find(|o| o.id == id).map(|o| o.code.to_string());
    Ok(Json(
        list.iter()
            .map(|o| OrganisationView {
                id: o.id.0,
                code: o.code.to_string(),
                kind: o.kind.as_str().to_string(),
                name_fr: o.name_fr.clone(),
                name_ar: o.name_ar.clone(),
                name_en: o.name_en.clone(),
                parent: o.parent_id.and_then(code_of),
                territory: o.territory_code.clone(),
            })
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct NewOrganisation {
    pub code: String,
    pub kind: String,
    pub name_fr: String,
    #[serde(default)]
    pub name_ar: String,
    #[serde(default)]
    pub name_en: String,
    /// The parent organisation's code.
    #[serde(default)]
    pub parent: String,
    /// A territory code (MA, MA-04, MA-RAB…).
    #[serde(default)]
    pub territory: String,
}

#[derive(Serialize, ToSchema)]
pub struct Created {
    pub id: i64,
}

/// Creates an organisation (administrators).
#[utoipa::path(post, path = "/api/v1/organisations", tag = "organisations", request_body = NewOrganisation,
    responses((status = 201, description = "created"), (status = 403, body = ApiError), (status = 409, body = ApiError), (status = 422, body = ApiError)),
    security(("bearer" = [])))]
async fn create_organisation(
    State(s): State<AppState>,
    ctx: Ctx,
    Json(b): Json<NewOrganisation>,
) -> Result<Response, WebError> {
    let input = NewOrgInput {
        code: b.code,
        kind: b.kind,
        name_fr: b.name_fr,
        name_ar: b.name_ar,
        name_en: b.name_en,
        parent: b.parent,
        territory: b.territory,
    };
    let id = s
        .svc
        .create_organisation(Some(ctx.actor()?), &input, &ctx.op)
        .await?;
    Ok((StatusCode::CREATED, Json(Created { id: id.0 })).into_response())
}

#[derive(Serialize, ToSchema)]
pub struct UserView {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub organisation_id: i64,
    pub roles: Vec<String>,
    pub active: bool,
}

/// Users: all of them for an administrator, the team for a supervisor.
#[utoipa::path(get, path = "/api/v1/users", tag = "users",
    responses((status = 200, body = Vec<UserView>), (status = 403, body = ApiError)), security(("bearer" = [])))]
async fn list_users(State(s): State<AppState>, ctx: Ctx) -> Result<Json<Vec<UserView>>, WebError> {
    let list = s.svc.users(ctx.actor()?, None).await?;
    Ok(Json(
        list.into_iter()
            .map(|u| UserView {
                id: u.id.0,
                username: u.username,
                display_name: u.display_name,
                organisation_id: u.organisation_id.0,
                roles: u.roles.iter().map(|r| r.as_str().to_string()).collect(),
                active: u.active,
            })
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    /// The organisation's code.
    pub organisation: String,
    /// administrator, secretariat, focal_point, supervisor, case_worker, community_agent, viewer
    pub roles: Vec<String>,
    pub password: String,
}

/// Creates a user (administrators).
#[utoipa::path(post, path = "/api/v1/users", tag = "users", request_body = NewUser,
    responses((status = 201, description = "created"), (status = 403, body = ApiError), (status = 409, body = ApiError), (status = 422, body = ApiError)),
    security(("bearer" = [])))]
async fn create_user(
    State(s): State<AppState>,
    ctx: Ctx,
    Json(b): Json<NewUser>,
) -> Result<Response, WebError> {
    let input = NewUserInput {
        username: b.username,
        display_name: b.display_name,
        organisation: b.organisation,
        roles: b.roles,
        password: b.password,
    };
    let id = s
        .svc
        .create_user(Some(ctx.actor()?), &input, &ctx.op)
        .await?;
    Ok((StatusCode::CREATED, Json(Created { id: id.0 })).into_response())
}

#[derive(Serialize, ToSchema)]
pub struct TerritoryView {
    pub code: String,
    pub level: String,
    pub parent: Option<String>,
    pub kind: Option<String>,
    pub name_fr: String,
    pub name_ar: Option<String>,
    pub name_en: Option<String>,
    pub aliases: Vec<String>,
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct TerritoryQuery {
    /// A territory code or name; its children are listed. Without it, the 12 regions.
    pub parent: Option<String>,
}

/// The territorial tree, one level at a time.
#[utoipa::path(get, path = "/api/v1/territories", tag = "territories", params(TerritoryQuery),
    responses((status = 200, body = Vec<TerritoryView>), (status = 422, body = ApiError)), security(("bearer" = [])))]
async fn list_territories(
    State(s): State<AppState>,
    ctx: Ctx,
    Query(q): Query<TerritoryQuery>,
) -> Result<Json<Vec<TerritoryView>>, WebError> {
    ctx.actor()?;
    let parent: Option<TerritoryCode> = match q.parent.as_deref().filter(|p| !p.trim().is_empty()) {
        Some(p) => Some(s.svc.resolve_territory(p).await?.code),
        None => None,
    };
    let list = s.svc.territories(parent.as_ref()).await?;
    Ok(Json(
        list.into_iter()
            .map(|t| TerritoryView {
                code: t.code.to_string(),
                level: t.level.as_str().to_string(),
                parent: t.parent_code,
                kind: t.kind,
                name_fr: t.name_fr,
                name_ar: t.name_ar,
                name_en: t.name_en,
                aliases: t
                    .aliases
                    .split('|')
                    .filter(|a| !a.is_empty())
                    .map(str::to_string)
                    .collect(),
            })
            .collect(),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct AuditView {
    pub rows: u64,
    pub last_hash: String,
}

/// Verifies the audit trail's hash chain (administrators). 409 `audit_chain_broken` names the first bad row.
#[utoipa::path(get, path = "/api/v1/audit/verify", tag = "audit",
    responses((status = 200, body = AuditView), (status = 403, body = ApiError), (status = 409, body = ApiError)), security(("bearer" = [])))]
async fn verify_audit(State(s): State<AppState>, ctx: Ctx) -> Result<Json<AuditView>, WebError> {
    let r = s.svc.verify_audit(Some(ctx.actor()?)).await?;
    Ok(Json(AuditView {
        rows: r.rows,
        last_hash: r.last_hash,
    }))
}

#[derive(Serialize, ToSchema)]
pub struct FrameworkSummaryView {
    pub code: String,
    /// `{fr, ar?, en?}`
    #[schema(value_type = Object)]
    pub title: passerelle_domain::framework::Title,
    pub nodes: i64,
    pub indicators: i64,
    pub imported_at: String,
}

/// The results frameworks loaded.
#[utoipa::path(get, path = "/api/v1/frameworks", tag = "frameworks",
    responses((status = 200, body = Vec<FrameworkSummaryView>)), security(("bearer" = [])))]
async fn list_frameworks(
    State(s): State<AppState>,
    ctx: Ctx,
) -> Result<Json<Vec<FrameworkSummaryView>>, WebError> {
    let list = s.svc.frameworks(Some(ctx.actor()?)).await?;
    Ok(Json(
        list.into_iter()
            .map(|f| FrameworkSummaryView {
                code: f.code,
                title: f.title,
                nodes: f.nodes,
                indicators: f.indicators,
                imported_at: f.imported_at,
            })
            .collect(),
    ))
}

/// A framework as a tree: every node has `code`, `level`, `title` (`fr`, `ar`, `en`), `indicators` and `children`.
#[utoipa::path(get, path = "/api/v1/frameworks/{code}", tag = "frameworks", params(("code" = String, Path, description = "SNIA, AMUDDU…")),
    responses((status = 200, description = "the tree", body = Object), (status = 404, body = ApiError)), security(("bearer" = [])))]
async fn show_framework(
    State(s): State<AppState>,
    ctx: Ctx,
    axum::extract::Path(code): axum::extract::Path<String>,
) -> Result<Json<serde_json::Value>, WebError> {
    let view = s.svc.framework(Some(ctx.actor()?), &code).await?;
    Ok(Json(view.definition.tree()))
}

#[derive(Serialize, ToSchema)]
pub struct ImportView {
    pub code: String,
    pub nodes: usize,
    pub indicators: usize,
    pub targets_added: u64,
    pub targets_revised: u64,
    pub targets_withdrawn: u64,
}

/// Imports or replaces a framework from its JSON definition (secretariat, administrators).
/// All or nothing: 422 lists every problem with its place (`fields[].field` is the location).
#[utoipa::path(post, path = "/api/v1/frameworks", tag = "frameworks", request_body(content = Object, description = "a framework definition"),
    responses((status = 200, body = ImportView), (status = 403, body = ApiError), (status = 422, body = ApiError)), security(("bearer" = [])))]
async fn import_framework(
    State(s): State<AppState>,
    ctx: Ctx,
    body: String,
) -> Result<Response, WebError> {
    use passerelle_service::frameworks::ImportError;
    match s
        .svc
        .import_framework(Some(ctx.actor()?), &body, &ctx.op)
        .await
    {
        Ok(r) => Ok(Json(ImportView {
            code: r.code,
            nodes: r.nodes,
            indicators: r.indicators,
            targets_added: r.targets.added,
            targets_revised: r.targets.revised,
            targets_withdrawn: r.targets.withdrawn,
        })
        .into_response()),
        Err(ImportError::Service(e)) => Err(e.into()),
        Err(ImportError::Invalid(issues)) => Ok(located_problems(
            &ctx,
            "frameworks-invalid",
            issues
                .into_iter()
                .map(|i| (i.location, i.code, i.value))
                .collect(),
        )),
    }
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct ValuesParams {
    /// `2020`, `2020Q3`, `2020-07`, `SY2019-2020`, `2020-03-18/2020-06-30`…
    pub period: String,
    /// A territory code or name; default `MA`.
    pub territory: Option<String>,
    /// Comma-separated: `territory`, `organisation`, or a dimension of `data/dimensions.json` (`sex`, `age`, `status`, `nationality`, `school_level`, `group`); `age:age-2` folds finer age bands into that category set.
    pub by: Option<String>,
    /// `json` (default), `csv` (the dimension columns, then `value`; a last total row),
    /// `hxl` (CSV with an HXL hashtag row) or `xlsx` (the same two header rows).
    pub format: Option<String>,
    /// Count submitted values too, not only approved ones.
    pub include_submitted: Option<bool>,
    /// `internal` (default), `partners` or `public`: for the last two, counts of fewer
    /// people than the configured threshold (5 by default), and the figures that would
    /// reveal them, are withheld (`value: null, withheld: true`).
    pub audience: Option<String>,
}

/// An indicator's values for a period and territory, broken down by dimensions. Shares are recomputed.
#[utoipa::path(get, path = "/api/v1/indicators/{code}/values", tag = "indicators",
    params(("code" = String, Path, description = "indicator code"), ValuesParams),
    responses((status = 200, description = "`{indicator, period, territory, by, rows: [{dims, value, qualifier, share}], total, notes}`", body = Object),
        (status = 422, body = ApiError)), security(("bearer" = [])))]
async fn indicator_values(
    State(s): State<AppState>,
    ctx: Ctx,
    axum::extract::Path(code): axum::extract::Path<String>,
    Query(p): Query<ValuesParams>,
) -> Result<Response, WebError> {
    let q = passerelle_service::values::ValuesQuery {
        indicator: code,
        period: p.period,
        territory: p.territory,
        by: p
            .by
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|b| !b.is_empty())
            .map(str::to_string)
            .collect(),
        include_submitted: p.include_submitted.unwrap_or(false),
        audience: crate::pages::audience(p.audience.as_deref())?,
    };
    let table = s.svc.indicator_values(Some(ctx.actor()?), &q).await?;
    let hxl_or_xlsx = matches!(p.format.as_deref(), Some("hxl") | Some("xlsx"));
    if hxl_or_xlsx {
        use passerelle_service::exchange::hxl;
        let period = passerelle_domain::Period::parse(&table.period)
            .map_err(passerelle_service::ServiceError::from)?;
        let name = format!("{}-{}", table.indicator, table.period.replace('/', "_"));
        let (bytes, kind, ext) = if p.format.as_deref() == Some("xlsx") {
            (
                hxl::to_xlsx(&table, period.start(), period.end())
                    .map_err(|_| WebError::code(ErrorCode::Internal))?,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "xlsx",
            )
        } else {
            (
                hxl::to_csv(&table, period.start(), period.end()),
                "text/csv; charset=utf-8",
                "hxl.csv",
            )
        };
        return Ok((
            [
                (axum::http::header::CONTENT_TYPE, kind.to_string()),
                (
                    axum::http::header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{name}.{ext}\""),
                ),
            ],
            bytes,
        )
            .into_response());
    }
    if p.format.as_deref() == Some("csv") {
        return Ok((
            [(axum::http::header::CONTENT_TYPE, "text/csv; charset=utf-8")],
            table.to_csv(),
        )
            .into_response());
    }
    Ok(Json(table).into_response())
}

/// Imports aggregate values from a CSV body (`indicator,period,territory,organisation,value`, optional
/// `qualifier`, `comment` and dimension columns). All or nothing: 422 lists every bad row as
/// `fields[].field = "line N, column C"`. Focal points may report for their own organisation only.
#[utoipa::path(post, path = "/api/v1/data", tag = "indicators", request_body(content = String, content_type = "text/csv"),
    responses((status = 200, description = "`{imported, updated}`", body = Object), (status = 403, body = ApiError), (status = 422, body = ApiError)),
    security(("bearer" = [])))]
async fn import_data(
    State(s): State<AppState>,
    ctx: Ctx,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, WebError> {
    use passerelle_service::values::ValuesImportError;
    let actor = ctx.actor()?;
    // A spreadsheet (XLSX, ODS) is read as its first sheet; anything else as CSV text.
    let sheet = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.contains("spreadsheet") || t.contains("opendocument"));
    let text = if sheet {
        passerelle_service::values::spreadsheet_to_csv(&body)
    } else {
        String::from_utf8(body.to_vec()).map_err(|_| {
            ValuesImportError::Invalid(vec![passerelle_domain::values::RowIssue {
                line: 1,
                column: "file".into(),
                code: ErrorCode::Format,
                value: "not UTF-8 text: send CSV in UTF-8, or XLSX".into(),
                rule: None,
            }])
        })
    };
    let result = match text {
        Ok(text) => {
            s.svc
                .import_values(
                    Some(actor),
                    &text,
                    &format!("api:{}", actor.user.username),
                    &ctx.op,
                )
                .await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(r) => Ok(Json(r).into_response()),
        Err(ValuesImportError::Service(e)) => Err(e.into()),
        Err(ValuesImportError::Invalid(issues)) => {
            Ok(issue_problems(&ctx, "data-invalid", &issues))
        }
    }
}

/// A 422 listing an import's problems by line and column, a broken rule named with
/// its cells in the caller's language.
pub(crate) fn issue_problems(
    ctx: &Ctx,
    summary_key: &str,
    issues: &[passerelle_domain::values::RowIssue],
) -> Response {
    let fields: Vec<crate::error::FieldError> = issues
        .iter()
        .map(|i| crate::error::FieldError {
            field: format!("line {}, column {}", i.line, i.column),
            code: i.code.as_str().to_string(),
            message: crate::error::issue_message(i, ctx.locale),
        })
        .collect();
    let body = ApiError {
        code: issues
            .first()
            .map(|i| i.code.as_str())
            .unwrap_or("format")
            .to_string(),
        message: crate::i18n::t_args(
            ctx.locale,
            summary_key,
            &[("count", issues.len().to_string().as_str())],
        ),
        fields,
        operation_id: ctx.op.clone(),
    };
    (StatusCode::UNPROCESSABLE_ENTITY, Json(body)).into_response()
}

/// A 422 listing located problems (`fields[].field` is where: a JSON path or a line and
/// column), with a summary sentence from `summary_key` taking `$count`.
pub(crate) fn located_problems(
    ctx: &Ctx,
    summary_key: &str,
    problems: Vec<(String, passerelle_domain::ErrorCode, String)>,
) -> Response {
    let fields: Vec<crate::error::FieldError> = problems
        .iter()
        .map(|(place, code, value)| crate::error::FieldError {
            field: place.clone(),
            code: code.as_str().to_string(),
            message: crate::error::field_message(
                &passerelle_domain::DomainError::with_value("value", *code, value.clone()),
                ctx.locale,
            ),
        })
        .collect();
    let body = ApiError {
        code: problems
            .first()
            .map(|p| p.1.as_str())
            .unwrap_or("format")
            .to_string(),
        message: crate::i18n::t_args(
            ctx.locale,
            summary_key,
            &[("count", problems.len().to_string().as_str())],
        ),
        fields,
        operation_id: ctx.op.clone(),
    };
    (StatusCode::UNPROCESSABLE_ENTITY, Json(body)).into_response()
}
