//! Passerelle's web front: the server-rendered HTML interface and the JSON API
//! under `/api/v1`, both thin layers over [`passerelle_service::Service`].
//!
//! A request flows: [`ctx::context`] middleware gives it an operation id, finds its
//! language and its user (session cookie or bearer token), and refuses unsafe
//! methods without a valid anti-forgery token; the handler parses the input, calls
//! one service method and renders a template ([`pages`]) or JSON ([`api`]); errors
//! become a page or a `{code, message}` body in the user's language ([`error`]).

pub mod api;
mod cases;
mod cases_api;
mod chart;
pub mod ctx;
pub mod directory;
pub mod error;
pub mod exchange;
mod forms;
pub mod governance;
pub mod i18n;
pub mod pages;
pub mod portal;
pub mod report;
mod view;

use axum::Router;
use axum::http::{HeaderName, HeaderValue, header};
use passerelle_service::Service;
use std::sync::Arc;
use tower_http::set_header::SetResponseHeaderLayer;

/// Web settings from configuration.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Mark cookies `Secure` (HTTPS only). Off only for plain-HTTP local runs.
    pub secure_cookies: bool,
}

#[derive(Clone)]
pub struct AppState {
    pub svc: Service,
    pub config: Arc<WebConfig>,
}

/// The whole application: pages, API, static files, security headers.
pub fn app(svc: Service, config: WebConfig) -> Router {
    let state = AppState {
        svc,
        config: Arc::new(config),
    };
    Router::new()
        .merge(pages::routes())
        .merge(cases::routes())
        .merge(portal::routes())
        .merge(directory::routes())
        .merge(exchange::routes())
        .merge(forms::routes())
        .merge(governance::routes())
        .merge(report::routes())
        .nest("/api/v1", api::routes())
        .fallback(pages::not_found)
        .layer(axum::middleware::from_fn_with_state(state.clone(), ctx::context))
        .layer(tower_http::limit::RequestBodyLimitLayer::new(2 * 1024 * 1024))
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'"),
        ))
        .layer(SetResponseHeaderLayer::overriding(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::overriding(header::REFERRER_POLICY, HeaderValue::from_static("same-origin")))
        .layer(SetResponseHeaderLayer::overriding(HeaderName::from_static("x-frame-options"), HeaderValue::from_static("DENY")))
        .with_state(state)
}
