//! Errors as the user sees them. Handlers return a [`WebError`] carrying a stable
//! code; the context middleware renders it once, knowing the language, the
//! operation id and whether the request was for the API (JSON `{code, message}`)
//! or a page (an error page, or a redirect to login).

use crate::i18n;
use crate::view::{Page, render_page};
use askama::Template;
use axum::Json;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use passerelle_domain::{DomainError, ErrorCode, Locale};
use passerelle_service::ServiceError;
use serde::Serialize;

#[derive(Debug, Clone)]
pub struct WebError {
    pub code: ErrorCode,
    pub fields: Vec<DomainError>,
    pub retry_after: Option<u64>,
    /// For `AuditChainBroken`: the first bad row.
    pub seq: Option<i64>,
}

impl WebError {
    pub fn code(code: ErrorCode) -> WebError {
        WebError {
            code,
            fields: Vec::new(),
            retry_after: None,
            seq: None,
        }
    }

    pub fn status(&self) -> StatusCode {
        match self.code {
            ErrorCode::Required
            | ErrorCode::Length
            | ErrorCode::Format
            | ErrorCode::UnknownValue
            | ErrorCode::UnknownOrganisation
            | ErrorCode::UnknownTerritory
            | ErrorCode::PasswordMismatch
            | ErrorCode::WrongPassword
            | ErrorCode::ImpossibleDate
            | ErrorCode::ConsentMissing => StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::EditConflict | ErrorCode::WrongState => StatusCode::CONFLICT,
            ErrorCode::AlreadyExists => StatusCode::CONFLICT,
            ErrorCode::InvalidCredentials | ErrorCode::Unauthenticated => StatusCode::UNAUTHORIZED,
            ErrorCode::Throttled => StatusCode::TOO_MANY_REQUESTS,
            ErrorCode::Forbidden | ErrorCode::CsrfInvalid => StatusCode::FORBIDDEN,
            ErrorCode::NotFound | ErrorCode::UnknownSnapshot => StatusCode::NOT_FOUND,
            ErrorCode::BadRequest => StatusCode::BAD_REQUEST,
            ErrorCode::AuditChainBroken => StatusCode::CONFLICT,
            ErrorCode::RuleViolated => StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl From<ServiceError> for WebError {
    fn from(e: ServiceError) -> WebError {
        let mut w = WebError::code(e.code());
        match e {
            ServiceError::Invalid(fields) => w.fields = fields,
            ServiceError::Throttled { retry_after_secs } => w.retry_after = Some(retry_after_secs),
            ServiceError::AuditChainBroken { seq } => w.seq = Some(seq),
            ServiceError::Store(ref inner) if w.code == ErrorCode::Internal => {
                tracing::error!(error = %inner, "storage failure");
            }
            ServiceError::Internal(ref inner) => {
                tracing::error!(error = %inner, "internal failure")
            }
            _ => {}
        }
        w
    }
}

impl IntoResponse for WebError {
    /// A placeholder carrying the error; [`render`] replaces it in the middleware.
    fn into_response(self) -> Response {
        let mut r = self.status().into_response();
        r.extensions_mut().insert(self);
        r
    }
}

/// A field error in the API: which field, its code, and a sentence.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FieldError {
    pub field: String,
    pub code: String,
    pub message: String,
}

/// Every API error has this shape; `code` is stable, `message` is in the caller's language.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ApiError {
    pub code: String,
    pub message: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldError>,
    pub operation_id: String,
}

/// The sentence for one field error, in `locale`.
pub fn field_message(e: &DomainError, locale: Locale) -> String {
    let value = e.value.clone().unwrap_or_default();
    i18n::t_args(
        locale,
        &format!("error-{}", e.code.as_str()),
        &[("value", value.as_str())],
    )
}

/// The sentence for one problem of an import or a form: a broken validation rule in
/// the reader's language (`rule-{kind}`, naming the rule and the cells), any other
/// problem as its error code's message.
pub fn issue_message(i: &passerelle_domain::values::RowIssue, locale: Locale) -> String {
    match &i.rule {
        Some(b) => {
            let args: Vec<(String, String)> = b
                .args
                .iter()
                .map(|(k, v)| match k.as_str() {
                    "cells" => (k.clone(), i18n::cells_label(locale, v)),
                    _ => (k.clone(), v.clone()),
                })
                .collect();
            let args: Vec<(&str, &str)> =
                args.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            i18n::t_args(locale, &format!("rule-{}", b.rule), &args)
        }
        None => field_message(
            &DomainError::with_value("value", i.code, i.value.clone()),
            locale,
        ),
    }
}

/// The page-level sentence for an error.
pub fn message(err: &WebError, locale: Locale) -> String {
    let retry = err
        .retry_after
        .map(|s| s.div_ceil(60).max(1).to_string())
        .unwrap_or_default();
    let seq = err.seq.map(|s| s.to_string()).unwrap_or_default();
    match err.fields.first() {
        Some(f) if err.fields.len() == 1 => format!(
            "{} — {}",
            i18n::t(locale, &format!("field-{}", f.field)),
            field_message(f, locale)
        ),
        _ => i18n::t_args(
            locale,
            &format!("error-{}", err.code.as_str()),
            &[
                ("minutes", retry.as_str()),
                ("seq", seq.as_str()),
                ("value", ""),
            ],
        ),
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    p: Page,
    status: u16,
    title: String,
    message: String,
    fields: Vec<(String, String)>,
}

/// Renders `err`; with the request's context when there is one, so an error page
/// keeps the user's navigation.
pub fn render(
    err: WebError,
    locale: Locale,
    op: &str,
    path: &str,
    ctx: Option<&crate::ctx::Ctx>,
) -> Response {
    let status = err.status();
    if path.starts_with("/api/") {
        let body = ApiError {
            code: err.code.as_str().to_string(),
            message: message(&err, locale),
            fields: err
                .fields
                .iter()
                .map(|f| FieldError {
                    field: f.field.to_string(),
                    code: f.code.as_str().to_string(),
                    message: field_message(f, locale),
                })
                .collect(),
            operation_id: op.to_string(),
        };
        let mut r = (status, Json(body)).into_response();
        if let Some(s) = err.retry_after
            && let Ok(v) = s.to_string().parse()
        {
            r.headers_mut().insert(header::RETRY_AFTER, v);
        }
        return r;
    }
    if err.code == ErrorCode::Unauthenticated {
        let next: String = form_urlencoded::byte_serialize(path.as_bytes()).collect();
        return Redirect::to(&format!("/login?next={next}")).into_response();
    }
    let page = ErrorPage {
        p: ctx
            .map(|c| Page::new(c, ""))
            .unwrap_or_else(|| Page::bare(locale, op)),
        status: status.as_u16(),
        title: i18n::t(locale, &format!("status-{}", status.as_u16())),
        message: message(&err, locale),
        fields: err
            .fields
            .iter()
            .map(|f| {
                (
                    i18n::t(locale, &format!("field-{}", f.field)),
                    field_message(f, locale),
                )
            })
            .collect(),
    };
    let mut r = render_page(&page);
    *r.status_mut() = status;
    r
}
