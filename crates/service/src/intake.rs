//! "Ask to be contacted": the portal's form creates an intake request in the queue of
//! the nearest reception organisation, where its case workers take it.
//!
//! Spam is kept out without any third-party service: a hidden field people leave
//! empty (the honeypot: a filled one is thanked and dropped), a question whose answer
//! the server checks against a signed token (so no state is kept per form), and a
//! limit of submissions per client address. The request holds personal data (a name,
//! a phone number or e-mail), so every read of the queue is audited, and the audit
//! rows never carry that data.

use crate::access::{Action, decide};
use crate::auth::Actor;
use crate::directory::{Names, top_category};
use crate::error::ServiceError;
use crate::portal::{Places, region_distance};
use crate::{Service, audit_row};
use hmac::{Hmac, Mac};
use passerelle_domain::directory::{Directory, KNOWN_LANGUAGES, parse_contact};
use passerelle_domain::{DomainError, ErrorCode, Locale, OrgCode};
use passerelle_store::directory::{self as store, IntakeRequest, NewIntake};
use passerelle_store::{audit, orgs};
use serde_json::json;
use sha2::Sha256;

/// How long a challenge stays valid.
const CHALLENGE_SECONDS: u64 = 2 * 3600;

/// A question for the form: "how much is `a` + `b`?", and its signed token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    pub a: u32,
    pub b: u32,
    pub token: String,
}

/// What the visitor typed.
#[derive(Debug, Clone, Default)]
pub struct ContactInput {
    pub name: String,
    pub contact: String,
    pub language: String,
    pub territory: String,
    pub category: String,
    pub service: String,
    pub message: String,
    pub consent: bool,
    /// The honeypot: a field hidden from people.
    pub website: String,
    pub challenge: String,
    pub answer: String,
    pub locale: Locale,
}

/// What became of a submission.
#[derive(Debug, Clone, PartialEq)]
pub enum ContactOutcome {
    /// Queued for this organisation.
    Queued { id: i64, organisation: Names },
    /// Looked like a robot's: thanked, not kept.
    Discarded,
}

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Where the request should go: the nearest location of an organisation that receives
/// requests — one delivering the chosen service, else one offering the category asked
/// for, else any — nearest meaning the same province, then the same region, then the
/// region whose centre is closest. Organisations without an office that cover the
/// place come last.
pub fn route(
    d: &Directory,
    places: &Places,
    territory: &str,
    service: Option<&str>,
    category: Option<&str>,
) -> Option<OrgCode> {
    let accepts = |code: &OrgCode| {
        d.organisations
            .iter()
            .any(|o| &o.code == code && o.accepts_requests)
    };
    let wanted_region = places.region(territory);
    let wanted_province = places.province(territory);
    let score = |t: &str| -> f64 {
        if t == territory {
            return 0.0;
        }
        if wanted_province.is_some() && places.province(t) == wanted_province {
            return 1.0;
        }
        match (places.region(t), &wanted_region) {
            (Some(r), Some(w)) if &r == w => 2.0,
            (Some(r), Some(w)) => 3.0 + region_distance(&r, w).unwrap_or(5000.0),
            _ => 10_000.0,
        }
    };
    let nearest = |codes: Vec<&passerelle_domain::directory::LocationRecord>| {
        codes
            .into_iter()
            .filter(|l| accepts(&l.organization_code))
            .map(|l| (score(l.territory_code.as_str()), l))
            .min_by(|a, b| a.0.total_cmp(&b.0).then_with(|| a.1.code.cmp(&b.1.code)))
            .map(|(_, l)| l.organization_code.clone())
    };
    let service = service.and_then(|c| d.services.iter().find(|s| s.code == c));
    if let Some(s) = service {
        let at: Vec<_> = d
            .locations
            .iter()
            .filter(|l| s.location_codes.contains(&l.code))
            .collect();
        if let Some(org) = nearest(at) {
            return Some(org);
        }
    }
    let category = category
        .map(str::to_string)
        .or_else(|| service.map(|s| top_category(d, &s.category)));
    if let Some(c) = category {
        let offering: Vec<_> = d
            .locations
            .iter()
            .filter(|l| {
                d.services.iter().any(|s| {
                    s.location_codes.contains(&l.code) && top_category(d, &s.category) == c
                })
            })
            .collect();
        if let Some(org) = nearest(offering) {
            return Some(org);
        }
    }
    if let Some(org) = nearest(d.locations.iter().collect()) {
        return Some(org);
    }
    d.organisations
        .iter()
        .filter(|o| o.accepts_requests)
        .find(|o| {
            o.territories
                .iter()
                .any(|t| places.within(territory, t.as_str()))
        })
        .map(|o| o.code.clone())
}

impl Service {
    fn sign(&self, text: &str) -> String {
        let mut mac = match Hmac::<Sha256>::new_from_slice(self.challenge_key.as_slice()) {
            Ok(m) => m,
            Err(_) => return String::new(),
        };
        mac.update(text.as_bytes());
        hex::encode(&mac.finalize().into_bytes()[..16])
    }

    /// A fresh question for the contact form.
    pub fn contact_challenge(&self) -> Challenge {
        use rand::Rng;
        let mut rng = rand::thread_rng();
        let (a, b) = (rng.gen_range(1..=9), rng.gen_range(1..=9));
        let body = format!("{a}-{b}-{}", unix_now() + CHALLENGE_SECONDS);
        Challenge {
            a,
            b,
            token: format!("{body}-{}", self.sign(&body)),
        }
    }

    /// The question a token carries, when the token is ours and still valid.
    pub fn challenge_of(&self, token: &str) -> Option<Challenge> {
        let (body, sig) = token.rsplit_once('-')?;
        let parts: Vec<&str> = body.split('-').collect();
        let [a, b, expires] = parts.as_slice() else {
            return None;
        };
        let expected = self.sign(body);
        let same = expected.len() == sig.len()
            && expected
                .bytes()
                .zip(sig.bytes())
                .fold(0u8, |acc, (x, y)| acc | (x ^ y))
                == 0;
        let expires: u64 = expires.parse().ok()?;
        (same && expires >= unix_now()).then(|| Challenge {
            a: a.parse().unwrap_or(0),
            b: b.parse().unwrap_or(0),
            token: token.to_string(),
        })
    }

    /// Takes a contact request from the portal. `client` is the visitor's address, for
    /// the flood limit. Every field's error is reported at once.
    pub async fn submit_contact(
        &self,
        input: &ContactInput,
        client: &str,
        op: &str,
    ) -> Result<ContactOutcome, ServiceError> {
        let key = format!("contact:{client}");
        if let Some(wait) = self.contact_throttle.blocked(&key, 1) {
            return Err(ServiceError::Throttled {
                retry_after_secs: wait,
            });
        }
        self.contact_throttle.fail(&key);
        if !input.website.trim().is_empty() {
            tracing::info!(op = %op, "contact form: honeypot filled, request dropped");
            return Ok(ContactOutcome::Discarded);
        }
        let d = self.directory_snapshot().await?;
        let places = self.places().await?;
        let mut errors = Vec::new();
        let name = input.name.trim();
        if name.is_empty() {
            errors.push(DomainError::new("name", ErrorCode::Required));
        } else if name.chars().count() > 80 {
            errors.push(DomainError::new("name", ErrorCode::Length));
        } else if name.chars().any(char::is_control) {
            errors.push(DomainError::new("name", ErrorCode::Format));
        }
        let contact = parse_contact(&input.contact)
            .map_err(|e| errors.push(e))
            .ok();
        let territory = input.territory.trim().to_ascii_uppercase();
        if territory.is_empty() {
            errors.push(DomainError::new("territory", ErrorCode::Required));
        } else if places.region(&territory).is_none() {
            errors.push(DomainError::with_value(
                "territory",
                ErrorCode::UnknownTerritory,
                territory.clone(),
            ));
        }
        let language = input.language.trim().to_ascii_lowercase();
        if !language.is_empty() && !KNOWN_LANGUAGES.contains(&language.as_str()) {
            errors.push(DomainError::with_value(
                "language",
                ErrorCode::UnknownValue,
                language.clone(),
            ));
        }
        let category = input.category.trim();
        if !category.is_empty()
            && !d
                .taxonomy
                .iter()
                .any(|t| t.code == category && t.parent_code.is_none())
        {
            errors.push(DomainError::with_value(
                "category",
                ErrorCode::UnknownValue,
                category,
            ));
        }
        let service = input.service.trim().to_ascii_uppercase();
        if !service.is_empty() && !d.services.iter().any(|s| s.code == service) {
            errors.push(DomainError::with_value(
                "service",
                ErrorCode::UnknownValue,
                service.clone(),
            ));
        }
        let message = input.message.trim();
        if message.chars().count() > 1000 {
            errors.push(DomainError::with_value(
                "message",
                ErrorCode::Length,
                "1000",
            ));
        }
        if !input.consent {
            errors.push(DomainError::new("consent", ErrorCode::Required));
        }
        match self.challenge_of(input.challenge.trim()) {
            Some(c) if input.answer.trim().parse::<u32>().ok() == Some(c.a + c.b) => {}
            Some(_) if input.answer.trim().is_empty() => {
                errors.push(DomainError::new("answer", ErrorCode::Required));
            }
            _ => errors.push(DomainError::new("answer", ErrorCode::Format)),
        }
        if !errors.is_empty() {
            return Err(ServiceError::Invalid(errors));
        }
        let Some(contact) = contact else {
            return Err(ServiceError::Invalid(vec![DomainError::new(
                "contact",
                ErrorCode::Format,
            )]));
        };
        let Some(org_code) = route(
            &d,
            &places,
            &territory,
            (!service.is_empty()).then_some(service.as_str()),
            (!category.is_empty()).then_some(category),
        ) else {
            return Err(DomainError::with_value(
                "territory",
                ErrorCode::UnknownOrganisation,
                territory,
            )
            .into());
        };
        // The contact and the message are personal data: sealed at rest like case work's.
        let contact = self.cipher.seal(&contact);
        let message = (!message.is_empty()).then(|| self.cipher.seal(message));
        let mut tx = self.store.begin().await?;
        let org = orgs::by_code(&mut tx, &org_code)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let id = store::insert_intake(
            &mut tx,
            &NewIntake {
                organisation_id: org.id,
                territory_code: &territory,
                locale: input.locale.code(),
                name,
                contact: &contact,
                preferred_language: (!language.is_empty()).then_some(language.as_str()),
                help_category: (!category.is_empty()).then_some(category),
                service_code: (!service.is_empty()).then_some(service.as_str()),
                message: message.as_deref(),
            },
        )
        .await?;
        audit::append(
            &mut tx,
            audit_row(
                None,
                op,
                "create_intake",
                "intake_request",
                Some(id.to_string()),
                json!({"organisation": org.code.as_str(), "territory": territory, "category": category, "service": service}),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(ContactOutcome::Queued {
            id,
            organisation: Names::new(&org.name_fr, &org.name_ar, &org.name_en),
        })
    }

    /// Opens a request's sealed contact and message (rows written before they were
    /// sealed are shown as stored).
    fn open_intake(&self, mut r: IntakeRequest) -> IntakeRequest {
        r.contact = self.open_sealed(&r.contact);
        r.message = r.message.as_deref().map(|m| self.open_sealed(m));
        r
    }

    fn open_sealed(&self, v: &str) -> String {
        if v.starts_with("v1:") {
            self.cipher.open(v).unwrap_or_default()
        } else {
            v.to_string()
        }
    }

    /// The actor's organisation's intake requests. The read is audited.
    pub async fn intake_queue(
        &self,
        actor: &Actor,
        op: &str,
    ) -> Result<Vec<IntakeRequest>, ServiceError> {
        decide(actor, Action::ViewIntake(actor.user.organisation_id))?;
        let mut tx = self.store.begin().await?;
        let list: Vec<IntakeRequest> = store::intake_for_org(&mut tx, actor.user.organisation_id)
            .await?
            .into_iter()
            .map(|r| self.open_intake(r))
            .collect();
        let ids: Vec<i64> = list.iter().map(|r| r.id).collect();
        audit::append(
            &mut tx,
            audit_row(
                Some(actor),
                op,
                "read_intake_queue",
                "intake_request",
                None,
                json!({"ids": ids}),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(list)
    }

    /// One request, for case work (issue #4) to open a case from. The read is audited.
    pub async fn intake_request(
        &self,
        actor: &Actor,
        id: i64,
        op: &str,
    ) -> Result<IntakeRequest, ServiceError> {
        let mut tx = self.store.begin().await?;
        let req = store::intake(&mut tx, id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        if decide(actor, Action::ViewIntake(req.organisation_id)).is_err() {
            return Err(ServiceError::NotFound);
        }
        audit::append(
            &mut tx,
            audit_row(
                Some(actor),
                op,
                "read_intake",
                "intake_request",
                Some(id.to_string()),
                json!({}),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(self.open_intake(req))
    }

    /// Takes a new request: the actor will call back.
    pub async fn take_intake(&self, actor: &Actor, id: i64, op: &str) -> Result<(), ServiceError> {
        self.move_intake(actor, id, true, op).await
    }

    /// Closes a request (done, unreachable, a duplicate).
    pub async fn close_intake(&self, actor: &Actor, id: i64, op: &str) -> Result<(), ServiceError> {
        self.move_intake(actor, id, false, op).await
    }

    async fn move_intake(
        &self,
        actor: &Actor,
        id: i64,
        take: bool,
        op: &str,
    ) -> Result<(), ServiceError> {
        let mut tx = self.store.begin().await?;
        let req = store::intake(&mut tx, id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        if decide(actor, Action::HandleIntake(req.organisation_id)).is_err() {
            return Err(ServiceError::NotFound);
        }
        let done = if take {
            store::take_intake(&mut tx, id, actor.user.id.0).await?
        } else {
            store::close_intake(&mut tx, id, actor.user.id.0).await?
        };
        if !done {
            return Err(
                DomainError::with_value("status", ErrorCode::RuleViolated, req.status).into(),
            );
        }
        audit::append(
            &mut tx,
            audit_row(
                Some(actor),
                op,
                if take { "take_intake" } else { "close_intake" },
                "intake_request",
                Some(id.to_string()),
                json!({}),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use passerelle_store::{Store, testing};

    #[tokio::test]
    async fn challenges_are_signed_and_checked() {
        let store: Store = match testing::fresh_store(passerelle_store::Backend::Sqlite).await {
            Ok(s) => s,
            Err(e) => panic!("{e}"),
        };
        let svc = Service::new(store, crate::ServiceConfig::default());
        let c = svc.contact_challenge();
        assert_eq!(svc.challenge_of(&c.token), Some(c.clone()));
        let forged = c
            .token
            .replacen(&format!("{}-", c.a), &format!("{}-", c.a % 9 + 1), 1);
        assert_eq!(svc.challenge_of(&forged), None);
        assert_eq!(svc.challenge_of("1-2-99999999999-00"), None);
        let other = Service::new(
            testing::fresh_store(passerelle_store::Backend::Sqlite)
                .await
                .unwrap_or_else(|e| panic!("{e}")),
            crate::ServiceConfig::default(),
        );
        assert_eq!(other.challenge_of(&c.token), None);
    }
}
