//! Administration: organisations, users, the audit trail.

use crate::access::{Action, decide};
use crate::auth::{Actor, hash_password};
use crate::error::ServiceError;
use crate::{Service, audit_row};
use passerelle_domain::audit::{ChainFault, verify_chain};
use passerelle_domain::{
    DisplayName, DomainError, ErrorCode, OrgCode, OrgId, OrgKind, Password, Role, TerritoryCode,
    UserId, Username,
};
use passerelle_store::audit::StoredAudit;
use passerelle_store::orgs::{NewOrganisation, Organisation};
use passerelle_store::users::{NewUser, User};
use passerelle_store::{StoreError, audit, orgs, territories, users};
use serde_json::json;

/// A user as typed into a form or on the command line: raw text, parsed here so
/// every field's error can be reported at once.
#[derive(Debug, Clone, Default)]
pub struct NewUserInput {
    pub username: String,
    pub display_name: String,
    pub organisation: String,
    pub roles: Vec<String>,
    pub password: String,
}

#[derive(Debug, Clone, Default)]
pub struct NewOrgInput {
    pub code: String,
    pub kind: String,
    pub name_fr: String,
    pub name_ar: String,
    pub name_en: String,
    pub parent: String,
    pub territory: String,
}

/// The result of walking the audit chain.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AuditReport {
    pub rows: u64,
    pub last_hash: String,
}

fn optional(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_string())
}

impl Service {
    /// Creates a user. `actor` is `None` when the operator runs the command line.
    pub async fn create_user(
        &self,
        actor: Option<&Actor>,
        input: &NewUserInput,
        op: &str,
    ) -> Result<UserId, ServiceError> {
        if let Some(a) = actor {
            decide(a, Action::ManageUsers)?;
        }
        let mut errors = Vec::new();
        let username = Username::parse(&input.username)
            .map_err(|e| errors.push(e))
            .ok();
        let display = DisplayName::parse(&input.display_name)
            .map_err(|e| errors.push(e))
            .ok();
        let roles = Role::parse_list(&input.roles.join(","))
            .map_err(|e| errors.push(e))
            .ok();
        let password = Password::parse(&input.password)
            .map_err(|e| errors.push(e))
            .ok();
        let org = match OrgCode::parse(&input.organisation) {
            Ok(code) => {
                let mut conn = self.store.conn().await?;
                let found = orgs::by_code(&mut conn, &code).await?;
                if found.is_none() {
                    errors.push(DomainError::with_value(
                        "organisation",
                        ErrorCode::UnknownOrganisation,
                        code.as_str(),
                    ));
                }
                found
            }
            Err(e) => {
                errors.push(DomainError {
                    field: "organisation",
                    ..e
                });
                None
            }
        };
        let (Some(username), Some(display), Some(roles), Some(password), Some(org)) =
            (username, display, roles, password, org)
        else {
            return Err(ServiceError::Invalid(errors));
        };
        let hash = tokio::task::spawn_blocking(move || hash_password(&password))
            .await
            .map_err(|e| ServiceError::Internal(e.to_string()))??;
        let mut tx = self.store.begin().await?;
        let new = NewUser {
            username: username.as_str(),
            display_name: display.as_str(),
            organisation_id: org.id,
            password_hash: &hash,
            roles: &roles,
        };
        let id = match users::insert(&mut tx, &new).await {
            Err(StoreError::UniqueViolation) => {
                return Err(DomainError::with_value(
                    "username",
                    ErrorCode::AlreadyExists,
                    username.as_str(),
                )
                .into());
            }
            other => other?,
        };
        let role_names: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
        audit::append(
            &mut tx,
            audit_row(
                actor,
                op,
                "create_user",
                "user",
                Some(id.0.to_string()),
                json!({"organisation": org.code.as_str(), "roles": role_names}),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Users the actor may see: all for an administrator, their organisation's for
    /// a supervisor.
    pub async fn users(
        &self,
        actor: &Actor,
        organisation: Option<OrgId>,
    ) -> Result<Vec<User>, ServiceError> {
        let scope = organisation.unwrap_or(actor.user.organisation_id);
        if organisation.is_none() && decide(actor, Action::ManageUsers).is_ok() {
            let mut conn = self.store.conn().await?;
            return Ok(users::list(&mut conn, None).await?);
        }
        decide(actor, Action::ViewUsers(scope))?;
        let mut conn = self.store.conn().await?;
        Ok(users::list(&mut conn, Some(scope)).await?)
    }

    pub async fn organisations(&self, actor: &Actor) -> Result<Vec<Organisation>, ServiceError> {
        decide(actor, Action::ViewDirectory)?;
        let mut conn = self.store.conn().await?;
        Ok(orgs::list(&mut conn).await?)
    }

    /// Creates an organisation. `actor` is `None` for the operator (CLI, demo).
    pub async fn create_organisation(
        &self,
        actor: Option<&Actor>,
        input: &NewOrgInput,
        op: &str,
    ) -> Result<OrgId, ServiceError> {
        if let Some(a) = actor {
            decide(a, Action::ManageOrganisations)?;
        }
        let mut errors = Vec::new();
        let code = OrgCode::parse(&input.code).map_err(|e| errors.push(e)).ok();
        let kind = OrgKind::parse(&input.kind).map_err(|e| errors.push(e)).ok();
        if input.name_fr.trim().is_empty() {
            errors.push(DomainError::new("name_fr", ErrorCode::Required));
        }
        let mut conn = self.store.conn().await?;
        let parent = match optional(&input.parent) {
            None => None,
            Some(p) => match OrgCode::parse(&p) {
                Ok(c) => match orgs::by_code(&mut conn, &c).await? {
                    Some(o) => Some(o.id),
                    None => {
                        errors.push(DomainError::with_value(
                            "parent",
                            ErrorCode::UnknownOrganisation,
                            c.as_str(),
                        ));
                        None
                    }
                },
                Err(e) => {
                    errors.push(DomainError {
                        field: "parent",
                        ..e
                    });
                    None
                }
            },
        };
        let territory = match optional(&input.territory) {
            None => None,
            Some(t) => match TerritoryCode::parse(&t) {
                Ok(c) if territories::get(&mut conn, &c).await?.is_some() => Some(c.to_string()),
                Ok(c) => {
                    errors.push(DomainError::with_value(
                        "territory",
                        ErrorCode::UnknownTerritory,
                        c.as_str(),
                    ));
                    None
                }
                Err(e) => {
                    errors.push(e);
                    None
                }
            },
        };
        drop(conn);
        let (Some(code), Some(kind), true) = (code, kind, errors.is_empty()) else {
            return Err(ServiceError::Invalid(errors));
        };
        let new = NewOrganisation {
            code: code.clone(),
            kind,
            name_fr: input.name_fr.trim().to_string(),
            name_ar: optional(&input.name_ar),
            name_en: optional(&input.name_en),
            parent_id: parent,
            territory_code: territory,
        };
        let mut tx = self.store.begin().await?;
        let id = match orgs::insert(&mut tx, &new).await {
            Err(StoreError::UniqueViolation) => {
                return Err(DomainError::with_value(
                    "code",
                    ErrorCode::AlreadyExists,
                    code.as_str(),
                )
                .into());
            }
            other => other?,
        };
        audit::append(
            &mut tx,
            audit_row(
                actor,
                op,
                "create_organisation",
                "organisation",
                Some(id.0.to_string()),
                json!({"code": code.as_str()}),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Walks the whole audit chain; `AuditChainBroken` names the first bad row.
    /// `actor` is `None` for the operator's `passerelle audit verify`.
    pub async fn verify_audit(&self, actor: Option<&Actor>) -> Result<AuditReport, ServiceError> {
        if let Some(a) = actor {
            decide(a, Action::ViewAudit)?;
        }
        let mut conn = self.store.conn().await?;
        let mut rows = Vec::new();
        let mut after = 0;
        loop {
            let page = audit::page(&mut conn, after, 5000).await?;
            let Some(last) = page.last() else { break };
            after = last.entry.seq;
            rows.extend(page.into_iter().map(|r| (r.entry, r.prev_hash, r.hash)));
        }
        let (head_seq, head_hash) = audit::head(&mut conn).await?;
        match verify_chain(rows) {
            Ok((n, last)) if n as i64 == head_seq && last == head_hash => Ok(AuditReport {
                rows: n,
                last_hash: last,
            }),
            // The chain is intact but shorter or different from the head: rows were cut at the end.
            Ok((n, _)) => Err(ServiceError::AuditChainBroken { seq: n as i64 + 1 }),
            Err(ChainFault::Gap { expected, .. }) => {
                Err(ServiceError::AuditChainBroken { seq: expected })
            }
            Err(ChainFault::PrevMismatch { seq } | ChainFault::HashMismatch { seq }) => {
                Err(ServiceError::AuditChainBroken { seq })
            }
        }
    }

    /// The newest audit rows, for the administrator's audit page.
    pub async fn audit_trail(
        &self,
        actor: &Actor,
        before: Option<i64>,
        limit: i64,
    ) -> Result<Vec<StoredAudit>, ServiceError> {
        decide(actor, Action::ViewAudit)?;
        let mut conn = self.store.conn().await?;
        Ok(audit::recent(&mut conn, None, before, limit.clamp(1, 500)).await?)
    }
}
