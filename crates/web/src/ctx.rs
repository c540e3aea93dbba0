//! The request context: operation id, language, user, anti-forgery token.
//!
//! CSRF is enforced here, for every unsafe method, so no handler can forget it:
//! a request authenticated by its session cookie must carry the session's token (a
//! `_csrf` form field or an `X-CSRF-Token` header); an anonymous form (login,
//! language) must carry the token of the `passerelle_csrf` cookie (double submit);
//! a request authenticated by a bearer token carries no cookie and needs none.

use crate::AppState;
use crate::error::WebError;
use axum::body::{Body, to_bytes};
use axum::extract::{FromRequestParts, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, header, request::Parts};
use axum::middleware::Next;
use axum::response::Response;
use passerelle_domain::{ErrorCode, Locale};
use passerelle_service::{Actor, Permissions};

pub const SESSION_COOKIE: &str = "passerelle_session";
pub const CSRF_COOKIE: &str = "passerelle_csrf";
pub const LANG_COOKIE: &str = "passerelle_lang";

/// Everything a handler needs to know about who is asking and how to answer.
#[derive(Clone)]
pub struct Ctx {
    pub op: String,
    pub locale: Locale,
    pub actor: Option<Actor>,
    pub permissions: Permissions,
    /// The token forms must echo back.
    pub csrf: String,
    /// The session cookie's secret, when the user came by session.
    pub session_token: Option<String>,
    /// A session cookie was sent but named no live session.
    pub session_expired: bool,
    pub via_bearer: bool,
    /// The path and query asked for, for "back to this page after login".
    pub path: String,
    pub client: String,
}

impl Ctx {
    pub fn actor(&self) -> Result<&Actor, WebError> {
        self.actor
            .as_ref()
            .ok_or_else(|| WebError::code(ErrorCode::Unauthenticated))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Ctx {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Ctx>()
            .cloned()
            .ok_or_else(|| WebError::code(ErrorCode::Internal))
    }
}

pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// A `Set-Cookie` value: `HttpOnly`, `SameSite=Lax`, `Path=/`, `Secure` when configured.
pub fn set_cookie(state: &AppState, name: &str, value: &str, max_age: Option<i64>) -> HeaderValue {
    let mut c = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
    if let Some(age) = max_age {
        c.push_str(&format!("; Max-Age={age}"));
    }
    if state.config.secure_cookies {
        c.push_str("; Secure");
    }
    HeaderValue::from_str(&c).unwrap_or_else(|_| HeaderValue::from_static(""))
}

fn is_hex_token(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

pub async fn context(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let op = passerelle_service::new_operation_id();
    let (mut parts, body) = req.into_parts();
    let headers = parts.headers.clone();
    let path = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "/".into());
    let client = headers
        .get("x-forwarded-for")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|| "local".into());

    // Who is asking: a bearer token, or a session cookie, never both.
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    let mut actor = None;
    let mut session_csrf = None;
    let mut session_token = None;
    let mut session_expired = false;
    if let Some(token) = bearer {
        match state.svc.authenticate_token(token).await {
            Ok(Some(a)) => actor = Some(a),
            Ok(None) => {}
            Err(e) => return crate::error::render(WebError::from(e), Locale::Fr, &op, &path, None),
        }
    } else if let Some(token) = cookie(&headers, SESSION_COOKIE).filter(|t| is_hex_token(t)) {
        match state.svc.session(token).await {
            Ok(Some(s)) => {
                actor = Some(s.actor);
                session_csrf = Some(s.csrf_token);
                session_token = Some(token.to_string());
            }
            Ok(None) => session_expired = true,
            Err(e) => return crate::error::render(WebError::from(e), Locale::Fr, &op, &path, None),
        }
    }

    let locale = cookie(&headers, LANG_COOKIE)
        .and_then(Locale::parse)
        .or_else(|| {
            actor
                .as_ref()
                .and_then(|a| a.user.locale.as_deref())
                .and_then(Locale::parse)
        })
        .unwrap_or_else(|| {
            Locale::negotiate(
                headers
                    .get(header::ACCEPT_LANGUAGE)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or(""),
            )
        });

    // The anonymous double-submit token, minted on first visit.
    let anon_cookie = cookie(&headers, CSRF_COOKIE)
        .filter(|t| is_hex_token(t))
        .map(str::to_string);
    let new_anon = anon_cookie
        .is_none()
        .then(passerelle_service::auth::random_secret);
    let csrf = session_csrf
        .clone()
        .or(anon_cookie.clone())
        .or(new_anon.clone())
        .unwrap_or_default();

    let unsafe_method = !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
    let mut body = body;
    if unsafe_method && bearer.is_none() {
        let expected = session_csrf.clone().or(anon_cookie.clone());
        let is_form = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
        let mut given = headers
            .get("x-csrf-token")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        if given.is_none() && is_form {
            let bytes = match to_bytes(body, 2 * 1024 * 1024).await {
                Ok(b) => b,
                Err(_) => {
                    return crate::error::render(
                        WebError::code(ErrorCode::BadRequest),
                        locale,
                        &op,
                        &path,
                        None,
                    );
                }
            };
            given = form_urlencoded::parse(&bytes)
                .find(|(k, _)| k == "_csrf")
                .map(|(_, v)| v.into_owned());
            body = Body::from(bytes);
        }
        let ok = matches!((&expected, &given), (Some(e), Some(g)) if constant_eq(e, g));
        if !ok {
            tracing::info!(op = %op, "refused an unsafe request without a valid anti-forgery token");
            let mut err = WebError::code(ErrorCode::CsrfInvalid);
            if session_expired {
                err = WebError::code(ErrorCode::Unauthenticated);
            }
            return crate::error::render(err, locale, &op, &path, None);
        }
    }

    let permissions = actor.as_ref().map(Permissions::of).unwrap_or_default();
    let ctx = Ctx {
        op: op.clone(),
        locale,
        actor,
        permissions,
        csrf,
        session_token,
        session_expired,
        via_bearer: bearer.is_some(),
        path: path.clone(),
        client,
    };
    parts.extensions.insert(ctx.clone());
    let mut response = next.run(Request::from_parts(parts, body)).await;
    if let Some(err) = response.extensions_mut().remove::<WebError>() {
        response = crate::error::render(err, locale, &op, &path, Some(&ctx));
    }
    if let Ok(v) = HeaderValue::from_str(&op) {
        response.headers_mut().insert("x-operation-id", v);
    }
    if let Some(token) = new_anon {
        response.headers_mut().append(
            header::SET_COOKIE,
            set_cookie(&state, CSRF_COOKIE, &token, None),
        );
    }
    response
}

fn constant_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}
