//! Authentication: passwords (argon2id), server-side sessions, API tokens.
//!
//! Session cookies and API tokens are 256-bit random secrets; only their SHA-256
//! is stored. A failed login always takes the same path — an argon2 verification
//! against a dummy hash when the user does not exist — and the same answer, so
//! neither the message nor the timing tells whether a username exists.

use crate::access::{Action, decide};
use crate::error::ServiceError;
use crate::{Service, audit_row};
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use passerelle_domain::{DomainError, ErrorCode, Locale, Password, UserId};
use passerelle_store::users::{ApiToken, User};
use passerelle_store::{audit, orgs, sessions, users};
use rand::RngCore;
use serde_json::json;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::OnceLock;

/// A signed-in user, with what the interface shows about their organisation.
#[derive(Debug, Clone)]
pub struct Actor {
    pub user: User,
    pub organisation_code: String,
    /// The organisation's name in French, and in Arabic and English when known.
    pub organisation_name: String,
    pub organisation_name_ar: Option<String>,
    pub organisation_name_en: Option<String>,
}

/// What a successful login hands the front-end: the cookie secret and the user.
#[derive(Debug)]
pub struct LoginOutcome {
    pub session_token: String,
    pub csrf_token: String,
    pub actor: Actor,
}

/// A live session as a request sees it.
#[derive(Debug, Clone)]
pub struct SessionInfo {
    pub actor: Actor,
    pub csrf_token: String,
}

pub fn random_secret() -> String {
    let mut b = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut b);
    hex::encode(b)
}

pub fn secret_hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Hashes a password with argon2id (the crate's defaults: 19 MiB, 2 passes).
pub fn hash_password(password: &Password) -> Result<String, ServiceError> {
    let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
    Argon2::default()
        .hash_password(password.expose().as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| ServiceError::Internal(format!("argon2: {e}")))
}

fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

/// A real argon2id hash of a random password, verified against when the username
/// is unknown so that path costs the same time.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        Password::parse(&random_secret())
            .ok()
            .and_then(|p| hash_password(&p).ok())
            .unwrap_or_default()
    })
}

fn expiry(minutes: i64) -> String {
    passerelle_store::format_ts(time::OffsetDateTime::now_utc() + time::Duration::minutes(minutes))
}

impl Service {
    async fn actor_for(
        &self,
        conn: &mut passerelle_store::Conn,
        user: User,
    ) -> Result<Actor, ServiceError> {
        let org = orgs::get(conn, user.organisation_id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        Ok(Actor {
            user,
            organisation_code: org.code.to_string(),
            organisation_name: org.name_fr,
            organisation_name_ar: org.name_ar,
            organisation_name_en: org.name_en,
        })
    }

    /// Checks a username and password. Every failure is `InvalidCredentials` after
    /// the configured delay, or `Throttled` once too many failures came from the
    /// same username or address.
    pub async fn login(
        &self,
        username: &str,
        password: &str,
        client: &str,
        op: &str,
    ) -> Result<LoginOutcome, ServiceError> {
        let username = username.trim().to_ascii_lowercase();
        let user_key = format!("u:{username}");
        let client_key = format!("c:{client}");
        if let Some(wait) = self
            .throttle
            .blocked(&user_key, 1)
            .or_else(|| self.throttle.blocked(&client_key, 10))
        {
            return Err(ServiceError::Throttled {
                retry_after_secs: wait,
            });
        }
        let creds = {
            let mut conn = self.store.conn().await?;
            users::credentials_by_username(&mut conn, &username).await?
        };
        let hash = creds
            .as_ref()
            .map(|c| c.password_hash.clone())
            .unwrap_or_else(|| dummy_hash().to_string());
        let password = password.to_string();
        let matches = tokio::task::spawn_blocking(move || verify_password(&password, &hash))
            .await
            .map_err(|e| ServiceError::Internal(e.to_string()))?;
        let creds = match creds {
            Some(c) if matches && c.user.active => c,
            _ => {
                self.throttle.fail(&user_key);
                self.throttle.fail(&client_key);
                let mut tx = self.store.begin().await?;
                audit::append(
                    &mut tx,
                    audit_row(None, op, "login_failed", "session", None, json!({})),
                )
                .await?;
                tx.commit().await?;
                tokio::time::sleep(std::time::Duration::from_millis(
                    self.config.login_failure_delay_ms,
                ))
                .await;
                return Err(ServiceError::InvalidCredentials);
            }
        };
        self.throttle.clear(&user_key);
        let session_token = random_secret();
        let csrf_token = random_secret();
        let mut tx = self.store.begin().await?;
        sessions::insert(
            &mut tx,
            &secret_hash(&session_token),
            creds.user.id,
            &csrf_token,
            &expiry(self.config.session_idle_minutes),
        )
        .await?;
        let actor = self.actor_for(&mut tx, creds.user).await?;
        audit::append(
            &mut tx,
            audit_row(
                Some(&actor),
                op,
                "login",
                "session",
                Some(actor.user.id.0.to_string()),
                json!({}),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(LoginOutcome {
            session_token,
            csrf_token,
            actor,
        })
    }

    /// The session a cookie secret names, if it is live; slides its expiry.
    pub async fn session(&self, token: &str) -> Result<Option<SessionInfo>, ServiceError> {
        let hash = secret_hash(token);
        if let Some(info) = self.session_memo.fresh(&hash) {
            return Ok(Some(info));
        }
        let mut conn = self.store.conn().await?;
        // One query for the session, its user, their roles and organisation.
        let Some((session, user, org)) = sessions::with_user(&mut conn, &hash).await? else {
            return Ok(None);
        };
        if session.expires_at < passerelle_store::now() {
            sessions::delete(&mut conn, &hash).await?;
            return Ok(None);
        }
        if !user.active {
            return Ok(None);
        }
        // Touch at most once a minute: a page view should not always be a write.
        let a_minute_ago = passerelle_store::format_ts(
            time::OffsetDateTime::now_utc() - time::Duration::minutes(1),
        );
        if session.last_seen_at < a_minute_ago {
            sessions::touch(&mut conn, &hash, &expiry(self.config.session_idle_minutes)).await?;
        }
        let actor = Actor {
            user,
            organisation_code: org.code,
            organisation_name: org.name_fr,
            organisation_name_ar: org.name_ar,
            organisation_name_en: org.name_en,
        };
        let info = SessionInfo {
            actor,
            csrf_token: session.csrf_token,
        };
        self.session_memo
            .keep(hash, info.clone(), session.expires_at);
        Ok(Some(info))
    }

    pub async fn logout(&self, token: &str, actor: &Actor, op: &str) -> Result<(), ServiceError> {
        let mut tx = self.store.begin().await?;
        let hash = secret_hash(token);
        self.session_memo.forget_user(actor.user.id.0);
        sessions::delete(&mut tx, &hash).await?;
        audit::append(
            &mut tx,
            audit_row(
                Some(actor),
                op,
                "logout",
                "session",
                Some(actor.user.id.0.to_string()),
                json!({}),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Changes the actor's own password after checking the current one, and ends
    /// their other sessions.
    pub async fn change_password(
        &self,
        actor: &Actor,
        current: &str,
        new: &str,
        confirm: &str,
        keep_session: Option<&str>,
        op: &str,
    ) -> Result<(), ServiceError> {
        decide(actor, Action::ManageOwnAccount)?;
        let mut errors = Vec::new();
        let new_password = match Password::parse(new) {
            Ok(p) => Some(p),
            Err(e) => {
                errors.push(DomainError::new("new_password", e.code));
                None
            }
        };
        if new != confirm {
            errors.push(DomainError::new(
                "confirm_password",
                ErrorCode::PasswordMismatch,
            ));
        }
        let stored = {
            let mut conn = self.store.conn().await?;
            users::credentials(&mut conn, actor.user.id)
                .await?
                .ok_or(ServiceError::NotFound)?
                .password_hash
        };
        let current = current.to_string();
        let ok = tokio::task::spawn_blocking(move || verify_password(&current, &stored))
            .await
            .map_err(|e| ServiceError::Internal(e.to_string()))?;
        if !ok {
            errors.insert(
                0,
                DomainError::new("current_password", ErrorCode::WrongPassword),
            );
        }
        let Some(new_password) = new_password.filter(|_| errors.is_empty()) else {
            return Err(ServiceError::Invalid(errors));
        };
        let hash = tokio::task::spawn_blocking(move || hash_password(&new_password))
            .await
            .map_err(|e| ServiceError::Internal(e.to_string()))??;
        let mut tx = self.store.begin().await?;
        users::set_password_hash(&mut tx, actor.user.id, &hash).await?;
        self.session_memo.forget_user(actor.user.id.0);
        let ended = sessions::delete_for_user(
            &mut tx,
            actor.user.id,
            keep_session.map(secret_hash).as_deref(),
        )
        .await?;
        audit::append(
            &mut tx,
            audit_row(
                Some(actor),
                op,
                "change_password",
                "user",
                Some(actor.user.id.0.to_string()),
                json!({"other_sessions_ended": ended}),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Remembers the actor's language.
    pub async fn set_locale(
        &self,
        actor: &Actor,
        locale: Locale,
        op: &str,
    ) -> Result<(), ServiceError> {
        decide(actor, Action::ManageOwnAccount)?;
        let mut tx = self.store.begin().await?;
        users::set_locale(&mut tx, actor.user.id, locale.code()).await?;
        self.session_memo.forget_user(actor.user.id.0);
        audit::append(
            &mut tx,
            audit_row(
                Some(actor),
                op,
                "set_locale",
                "user",
                Some(actor.user.id.0.to_string()),
                json!({"locale": locale.code()}),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Creates an API token for the actor and returns its secret, shown once.
    pub async fn create_token(
        &self,
        actor: &Actor,
        name: &str,
        op: &str,
    ) -> Result<(i64, String), ServiceError> {
        decide(actor, Action::ManageOwnAccount)?;
        let name = name.trim();
        if name.is_empty() {
            return Err(DomainError::new("name", ErrorCode::Required).into());
        }
        if name.chars().count() > 80 {
            return Err(DomainError::new("name", ErrorCode::Length).into());
        }
        let secret = format!("psl_{}", random_secret());
        let mut tx = self.store.begin().await?;
        let id = users::insert_token(&mut tx, actor.user.id, name, &secret_hash(&secret)).await?;
        audit::append(
            &mut tx,
            audit_row(
                Some(actor),
                op,
                "create_token",
                "api_token",
                Some(id.to_string()),
                json!({"name": name}),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok((id, secret))
    }

    pub async fn tokens(&self, actor: &Actor) -> Result<Vec<ApiToken>, ServiceError> {
        decide(actor, Action::ManageOwnAccount)?;
        let mut conn = self.store.conn().await?;
        Ok(users::tokens(&mut conn, actor.user.id).await?)
    }

    pub async fn revoke_token(
        &self,
        actor: &Actor,
        token_id: i64,
        op: &str,
    ) -> Result<(), ServiceError> {
        decide(actor, Action::ManageOwnAccount)?;
        let mut tx = self.store.begin().await?;
        if !users::revoke_token(&mut tx, actor.user.id, token_id).await? {
            return Err(ServiceError::NotFound);
        }
        audit::append(
            &mut tx,
            audit_row(
                Some(actor),
                op,
                "revoke_token",
                "api_token",
                Some(token_id.to_string()),
                json!({}),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The actor an API bearer token names, if it is live.
    pub async fn authenticate_token(&self, secret: &str) -> Result<Option<Actor>, ServiceError> {
        let mut conn = self.store.conn().await?;
        let Some(id) = users::user_by_token(&mut conn, &secret_hash(secret)).await? else {
            return Ok(None);
        };
        let Some(user) = users::get(&mut conn, id).await?.filter(|u| u.active) else {
            return Ok(None);
        };
        Ok(Some(self.actor_for(&mut conn, user).await?))
    }

    /// Loads a user as an actor: for the command line, which acts as the operator.
    pub async fn actor(&self, id: UserId) -> Result<Actor, ServiceError> {
        let mut conn = self.store.conn().await?;
        let user = users::get(&mut conn, id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        self.actor_for(&mut conn, user).await
    }
}

/// Sessions checked against the database in the last [`SessionMemo::RECHECK`].
///
/// Every page names its session, and reading it is a statement plus a connection
/// given back to the pool, each a hand-off to the database's thread: a third of
/// what a case page asked of the database. A session read less than two seconds
/// ago is taken from here, still within its expiry. What this process changes
/// about a user (logout, password, language) forgets that user's sessions at once;
/// a change made by another process (another server on the same PostgreSQL, the
/// CLI) shows within two seconds.
#[derive(Default)]
pub(crate) struct SessionMemo {
    seen: std::sync::Mutex<HashMap<String, (std::time::Instant, SessionInfo, String)>>,
}

impl SessionMemo {
    const RECHECK: std::time::Duration = std::time::Duration::from_secs(2);
    /// Beyond this many sessions, the stale ones are dropped.
    const BOUND: usize = 10_000;

    fn fresh(&self, hash: &str) -> Option<SessionInfo> {
        let seen = self.seen.lock().ok()?;
        let (at, info, expires_at) = seen.get(hash)?;
        (at.elapsed() < Self::RECHECK && expires_at.as_str() > passerelle_store::now().as_str())
            .then(|| info.clone())
    }

    fn keep(&self, hash: String, info: SessionInfo, expires_at: String) {
        if let Ok(mut seen) = self.seen.lock() {
            if seen.len() >= Self::BOUND {
                seen.retain(|_, (at, _, _)| at.elapsed() < Self::RECHECK);
            }
            seen.insert(hash, (std::time::Instant::now(), info, expires_at));
        }
    }

    fn forget_user(&self, user: i64) {
        if let Ok(mut seen) = self.seen.lock() {
            seen.retain(|_, (_, info, _)| info.actor.user.id.0 != user);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::admin::{NewOrgInput, NewUserInput};
    use passerelle_store::testing;

    /// The sessions kept in memory change when this process changes them: a logout,
    /// a new password or a new language show on the very next request.
    #[tokio::test]
    async fn a_kept_session_follows_logout_password_and_language_at_once() {
        for backend in testing::backends() {
            let store = testing::fresh_store(backend).await.unwrap();
            let svc = Service::new(store, crate::ServiceConfig::default());
            let org = NewOrgInput {
                code: "EN-RABAT".into(),
                kind: "public_agency".into(),
                name_fr: "Entraide Nationale Rabat".into(),
                ..NewOrgInput::default()
            };
            svc.create_organisation(None, &org, "op").await.unwrap();
            let user = NewUserInput {
                username: "fatima".into(),
                display_name: "Fatima".into(),
                organisation: "EN-RABAT".into(),
                roles: vec!["case_worker".into()],
                password: "un mot de passe assez long".into(),
            };
            svc.create_user(None, &user, "op").await.unwrap();
            let login = |svc: &Service, password: &'static str| {
                let svc = svc.clone();
                async move { svc.login("fatima", password, "test", "op").await.unwrap() }
            };

            let first = login(&svc, "un mot de passe assez long").await;
            let kept = svc.session(&first.session_token).await.unwrap().unwrap();
            assert_eq!(kept.actor.user.locale, None, "{backend:?}");
            // Read again within the window: from memory, the same.
            let again = svc.session(&first.session_token).await.unwrap().unwrap();
            assert_eq!(again.csrf_token, kept.csrf_token);

            svc.set_locale(&kept.actor, Locale::Ar, "op").await.unwrap();
            let after = svc.session(&first.session_token).await.unwrap().unwrap();
            assert_eq!(
                after.actor.user.locale.as_deref(),
                Some("ar"),
                "{backend:?}"
            );

            let second = login(&svc, "un mot de passe assez long").await;
            assert!(svc.session(&second.session_token).await.unwrap().is_some());
            svc.change_password(
                &after.actor,
                "un mot de passe assez long",
                "un autre mot de passe long",
                "un autre mot de passe long",
                Some(&first.session_token),
                "op",
            )
            .await
            .unwrap();
            assert!(
                svc.session(&second.session_token).await.unwrap().is_none(),
                "{backend:?}: the other session ended with the password"
            );
            assert!(svc.session(&first.session_token).await.unwrap().is_some());

            svc.logout(&first.session_token, &after.actor, "op")
                .await
                .unwrap();
            assert!(
                svc.session(&first.session_token).await.unwrap().is_none(),
                "{backend:?}: a logout ends the session at once"
            );
        }
    }

    #[test]
    fn an_expired_session_is_not_taken_from_memory() {
        let memo = SessionMemo::default();
        let info = |id: i64| SessionInfo {
            actor: Actor {
                user: User {
                    id: UserId(id),
                    username: "u".into(),
                    display_name: "U".into(),
                    organisation_id: passerelle_domain::OrgId(1),
                    active: true,
                    locale: None,
                    roles: Vec::new(),
                    created_at: String::new(),
                },
                organisation_code: "ORG".into(),
                organisation_name: "Org".into(),
                organisation_name_ar: None,
                organisation_name_en: None,
            },
            csrf_token: "t".into(),
        };
        memo.keep("live".into(), info(1), "9999-01-01T00:00:00Z".into());
        memo.keep("expired".into(), info(1), "2000-01-01T00:00:00Z".into());
        memo.keep("other".into(), info(2), "9999-01-01T00:00:00Z".into());
        assert!(memo.fresh("live").is_some());
        assert!(memo.fresh("expired").is_none());
        assert!(memo.fresh("unknown").is_none());
        memo.forget_user(1);
        assert!(memo.fresh("live").is_none());
        assert!(memo.fresh("other").is_some());
    }
}
