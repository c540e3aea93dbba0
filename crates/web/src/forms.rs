//! Assessment forms as data, in the browser and over the API: every stored version
//! with what it changes from the one before and how many assessments used it; a
//! version's definition read in the user's language; a new version imported by an
//! administrator or the secretariat (pasted JSON, every problem listed).

use crate::AppState;
use crate::ctx::Ctx;
use crate::error::{ApiError, WebError};
use crate::i18n;
use crate::view::{Page, render_form_page, render_page};
use askama::Template;
use axum::extract::{Path, RawForm, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Json, Router};
use passerelle_domain::casework::form::{FieldKind, FormDef, FormIssue};
use passerelle_domain::{ErrorCode, Locale};
use passerelle_service::casework::FormVersionView;
use serde_json::json;
use utoipa::OpenApi;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/forms", get(page).post(page_import))
        .route("/forms/{code}/{version}", get(version_page))
}

pub fn api_routes() -> Router<AppState> {
    Router::new()
        .route("/forms", get(api_list).post(api_import))
        .route("/forms/{code}/{version}", get(api_definition))
}

#[derive(OpenApi)]
#[openapi(paths(api_list, api_import, api_definition))]
pub struct FormsApi;

/// The sentence for a problem with a form definition: where, then what.
fn issue_message(i: &FormIssue, l: Locale) -> String {
    let what = i18n::t_args(
        l,
        &format!("error-{}", i.code.as_str()),
        &[("value", i.value.as_deref().unwrap_or(""))],
    );
    if i.field.is_empty() {
        what
    } else {
        format!("{} — {what}", i.field)
    }
}

fn status_of(issues: &[FormIssue]) -> StatusCode {
    if issues.iter().any(|i| i.code == ErrorCode::Forbidden) {
        StatusCode::FORBIDDEN
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    }
}

#[derive(Template)]
#[template(path = "forms.html")]
struct FormsPage {
    p: Page,
    list: Vec<FormVersionView>,
    text: String,
    issues: Vec<String>,
    notice: Option<String>,
}

impl FormsPage {
    fn title(&self, v: &FormVersionView) -> String {
        v.title.pick(self.p.locale).to_string()
    }
    fn size(&self, v: &FormVersionView) -> String {
        i18n::t_args(
            self.p.locale,
            "forms-size-value",
            &[
                ("sections", v.sections.to_string().as_str()),
                ("fields", v.fields.to_string().as_str()),
            ],
        )
    }
    fn changes(&self, v: &FormVersionView) -> String {
        let Some(c) = &v.changes else {
            return i18n::t(self.p.locale, "forms-first-version");
        };
        if c.is_empty() {
            return i18n::t(self.p.locale, "forms-no-change");
        }
        let mut parts = Vec::new();
        for (key, list) in [
            ("forms-added", &c.added),
            ("forms-removed", &c.removed),
            ("forms-changed", &c.changed),
        ] {
            if !list.is_empty() {
                parts.push(format!(
                    "{} : {}",
                    i18n::t(self.p.locale, key),
                    list.join(", ")
                ));
            }
        }
        parts.join(" · ")
    }
}

async fn list_page(
    s: &AppState,
    ctx: &Ctx,
    text: String,
    issues: Vec<String>,
    notice: Option<String>,
) -> Result<FormsPage, WebError> {
    Ok(FormsPage {
        p: Page::new(ctx, "nav-forms"),
        list: s.svc.form_versions(ctx.actor()?).await?,
        text,
        issues,
        notice,
    })
}

async fn page(
    State(s): State<AppState>,
    ctx: Ctx,
    axum::extract::Query(q): axum::extract::Query<std::collections::HashMap<String, String>>,
) -> Result<Response, WebError> {
    let notice = q
        .get("imported")
        .map(|v| i18n::t_args(ctx.locale, "forms-imported", &[("version", v.as_str())]));
    Ok(render_page(
        &list_page(&s, &ctx, String::new(), Vec::new(), notice).await?,
    ))
}

async fn page_import(
    State(s): State<AppState>,
    ctx: Ctx,
    RawForm(body): RawForm,
) -> Result<Response, WebError> {
    let text = form_urlencoded::parse(&body)
        .find(|(k, _)| k == "definition")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    match s
        .svc
        .import_form_as(Some(ctx.actor()?), &text, &ctx.op)
        .await
    {
        Ok((code, version)) => Ok(Redirect::to(&format!(
            "/forms?imported={}",
            form_urlencoded::byte_serialize(format!("{code} v{version}").as_bytes())
                .collect::<String>()
        ))
        .into_response()),
        Err(issues) if status_of(&issues) == StatusCode::FORBIDDEN => {
            Err(WebError::code(ErrorCode::Forbidden))
        }
        Err(issues) => {
            let issues = issues
                .iter()
                .map(|i| issue_message(i, ctx.locale))
                .collect();
            Ok(render_form_page(
                &list_page(&s, &ctx, text, issues, None).await?,
                true,
            ))
        }
    }
}

/// A field as the definition page shows it.
struct FieldRow {
    code: String,
    label: String,
    kind: String,
    required: bool,
    options: String,
    condition: String,
}

struct SectionView {
    code: String,
    title: String,
    sensitive: bool,
    fields: Vec<FieldRow>,
}

#[derive(Template)]
#[template(path = "form_version.html")]
struct VersionPage {
    p: Page,
    code: String,
    version: u32,
    title: String,
    sections: Vec<SectionView>,
}

fn kind_code(k: &FieldKind) -> String {
    serde_json::to_value(k)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

async fn definition(
    s: &AppState,
    ctx: &Ctx,
    code: &str,
    version: i64,
) -> Result<FormDef, WebError> {
    // Reading a definition needs the same right as the list.
    s.svc.form_versions(ctx.actor()?).await?;
    Ok(s.svc.form_definition(code, Some(version)).await?)
}

async fn version_page(
    State(s): State<AppState>,
    ctx: Ctx,
    Path((code, version)): Path<(String, i64)>,
) -> Result<Response, WebError> {
    let def = definition(&s, &ctx, &code, version).await?;
    let l = ctx.locale;
    let label_of = |field: &str| {
        def.fields()
            .find(|(_, f)| f.code == field)
            .map(|(_, f)| f.label.pick(l).to_string())
            .unwrap_or_else(|| field.to_string())
    };
    let sections = def
        .sections
        .iter()
        .map(|sec| SectionView {
            code: sec.code.clone(),
            title: sec.title.pick(l).to_string(),
            sensitive: sec.sensitive,
            fields: sec
                .fields
                .iter()
                .map(|f| FieldRow {
                    code: f.code.clone(),
                    label: f.label.pick(l).to_string(),
                    kind: i18n::t(l, &format!("forms-kind-{}", kind_code(&f.kind))),
                    required: f.required,
                    options: f
                        .options
                        .iter()
                        .map(|o| o.label.pick(l))
                        .collect::<Vec<_>>()
                        .join(" · "),
                    condition: f
                        .show_if
                        .as_ref()
                        .map(|c| {
                            i18n::t_args(
                                l,
                                "forms-shown-if",
                                &[
                                    ("field", label_of(&c.field).as_str()),
                                    ("values", c.any_of.join(", ").as_str()),
                                ],
                            )
                        })
                        .unwrap_or_default(),
                })
                .collect(),
        })
        .collect();
    Ok(render_page(&VersionPage {
        p: Page::new(&ctx, "nav-forms"),
        code: def.code.clone(),
        version: def.version,
        title: def.title.pick(l).to_string(),
        sections,
    }))
}

/// Every stored version of every form, newest first, with what each changes.
#[utoipa::path(get, path = "/api/v1/forms", tag = "case work",
    responses((status = 200, description = "`[{code, version, title, imported_at, sections, fields, assessments, latest, changes: {added, removed, changed}}]`"),
        (status = 403, body = ApiError)), security(("bearer" = [])))]
async fn api_list(State(s): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    Ok(Json(s.svc.form_versions(ctx.actor()?).await?).into_response())
}

/// A version's definition (sections, fields, options, conditions, labels).
#[utoipa::path(get, path = "/api/v1/forms/{code}/{version}", tag = "case work",
    params(("code" = String, Path), ("version" = i64, Path)),
    responses((status = 200, description = "the definition, as imported"), (status = 404, body = ApiError)), security(("bearer" = [])))]
async fn api_definition(
    State(s): State<AppState>,
    ctx: Ctx,
    Path((code, version)): Path<(String, i64)>,
) -> Result<Response, WebError> {
    Ok(Json(definition(&s, &ctx, &code, version).await?).into_response())
}

/// Imports a form version (administrators, the secretariat). 422 lists every problem
/// (`fields[].field` is a field code or `line N`); a version number already used for
/// another content is refused.
#[utoipa::path(post, path = "/api/v1/forms", tag = "case work", request_body(content = Object, description = "a form definition"),
    responses((status = 201, description = "`{code, version}`"), (status = 403, body = ApiError), (status = 422, body = ApiError)),
    security(("bearer" = [])))]
async fn api_import(
    State(s): State<AppState>,
    ctx: Ctx,
    body: String,
) -> Result<Response, WebError> {
    match s
        .svc
        .import_form_as(Some(ctx.actor()?), &body, &ctx.op)
        .await
    {
        Ok((code, version)) => Ok((
            StatusCode::CREATED,
            Json(json!({"code": code, "version": version})),
        )
            .into_response()),
        Err(issues) => {
            let status = status_of(&issues);
            if status == StatusCode::FORBIDDEN {
                return Err(WebError::code(ErrorCode::Forbidden));
            }
            Ok(crate::api::located_problems(
                &ctx,
                "forms-invalid",
                issues
                    .into_iter()
                    .map(|i| (i.field, i.code, i.value.unwrap_or_default()))
                    .collect(),
            ))
        }
    }
}
