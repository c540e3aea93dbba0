//! Passerelle's use cases. Every front-end — the HTML interface, the JSON API, the
//! command line — calls these methods and nothing below them.
//!
//! Each method takes the acting user (an [`Actor`]) and the request's operation id,
//! asks [`access`] whether the actor may do it (the one place where access is
//! decided), does the work in one store transaction and appends the audit row in
//! that same transaction, so a write without its audit row cannot exist.

pub mod access;
pub mod auth;
pub mod casework;
pub mod crypto;
pub mod demo;
pub mod directory;
pub mod error;
pub mod exchange;
pub mod frameworks;
pub mod governance;
pub mod intake;
pub mod portal;
pub mod records;
pub mod reference;
pub mod report;
pub mod reporting;
pub mod throttle;
pub mod values;

mod admin;
mod read_audit;
pub mod ref_lists;

pub use access::{Action, Permissions};
pub use admin::{AuditReport, NewOrgInput, NewUserInput};
pub use auth::{Actor, LoginOutcome, SessionInfo};
pub use error::ServiceError;

use passerelle_store::Store;
use passerelle_store::audit::NewAudit;
use std::sync::Arc;

/// Tunables the service needs from configuration.
#[derive(Debug, Clone)]
pub struct ServiceConfig {
    /// A session ends after this many minutes without a request.
    pub session_idle_minutes: i64,
    /// Failed logins allowed per username (and ten times that per address) in the window.
    pub login_max_failures: u32,
    pub login_window_seconds: u64,
    /// Extra wait after a failed login, to slow guessing.
    pub login_failure_delay_ms: u64,
    /// The key that encrypts sensitive fields and keys their blind indexes. The
    /// default is random per process (tests); the binary loads it from configuration.
    pub field_key: crypto::FieldKey,
    /// Contact-form submissions allowed per client address in the window (the portal's
    /// "ask to be contacted"), whatever their outcome.
    pub contact_max_per_window: u32,
    pub contact_window_seconds: u64,
    /// The smallest count of people each audience may see in published figures.
    pub disclosure: passerelle_domain::disclosure::Policy,
}

impl Default for ServiceConfig {
    fn default() -> Self {
        Self {
            session_idle_minutes: 60,
            login_max_failures: 5,
            login_window_seconds: 900,
            login_failure_delay_ms: 400,
            field_key: crypto::FieldKey::random(),
            contact_max_per_window: 5,
            contact_window_seconds: 3600,
            disclosure: Default::default(),
        }
    }
}

/// The service layer's handle: cheap to clone, shared by every request.
#[derive(Clone)]
pub struct Service {
    store: Store,
    config: Arc<ServiceConfig>,
    throttle: Arc<throttle::Throttle>,
    cipher: Arc<crypto::FieldCipher>,
    /// Counts the portal's contact-form submissions per address.
    contact_throttle: Arc<throttle::Throttle>,
    /// Signs the contact form's challenges; new at each start, so a form older than the
    /// process asks again.
    challenge_key: Arc<[u8; 32]>,
    /// The group commit of the audit rows of reads (see [`read_audit`]).
    read_audit: Arc<read_audit::ReadAudit>,
    /// Assessment forms parsed once per (code, version); see `casework::form_def`.
    forms: Arc<std::sync::Mutex<FormCache>>,
    /// Organisations and directory services, kept until their tables change.
    ref_lists: Arc<ref_lists::RefCache>,
    session_memo: Arc<auth::SessionMemo>,
}

type FormCache =
    std::collections::HashMap<(String, i64), Arc<passerelle_domain::casework::FormDef>>;

impl Service {
    /// The smallest counts of people each audience may see in published figures.
    pub fn disclosure(&self) -> passerelle_domain::disclosure::Policy {
        self.config.disclosure
    }

    pub fn new(store: Store, config: ServiceConfig) -> Service {
        let throttle =
            throttle::Throttle::new(config.login_max_failures, config.login_window_seconds);
        let cipher = Arc::new(crypto::FieldCipher::new(&config.field_key));
        let contact_throttle =
            throttle::Throttle::new(config.contact_max_per_window, config.contact_window_seconds);
        let mut key = [0u8; 32];
        rand::RngCore::fill_bytes(&mut rand::thread_rng(), &mut key);
        Service {
            store,
            cipher,
            config: Arc::new(config),
            throttle: Arc::new(throttle),
            contact_throttle: Arc::new(contact_throttle),
            challenge_key: Arc::new(key),
            read_audit: Arc::default(),
            forms: Arc::default(),
            ref_lists: Arc::default(),
            session_memo: Arc::default(),
        }
    }

    pub fn store(&self) -> &Store {
        &self.store
    }
}

/// Who did something, for the audit row: an actor, or the system itself (CLI
/// commands run by the operator, start-up loading).
pub(crate) fn audit_row<'a>(
    actor: Option<&Actor>,
    op: &'a str,
    action: &'a str,
    entity: &'a str,
    entity_id: Option<String>,
    detail: serde_json::Value,
) -> NewAudit<'a> {
    NewAudit {
        actor_user_id: actor.map(|a| a.user.id.0),
        actor_org_id: actor.map(|a| a.user.organisation_id.0),
        action,
        entity,
        entity_id,
        operation_id: op,
        detail: detail.to_string(),
    }
}

/// A fresh random identifier for an operation, shown on error pages and logged.
pub fn new_operation_id() -> String {
    use rand::RngCore;
    let mut b = [0u8; 8];
    rand::thread_rng().fill_bytes(&mut b);
    hex::encode(b)
}
