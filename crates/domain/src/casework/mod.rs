//! Case work: the person's path from reception to follow-up.
//!
//! A person is registered once (after a search), with consents per purpose; a case is
//! opened for them by an organisation, assessed with a form defined as data, given a
//! pathway plan, referred to other organisations within what the person consented to,
//! and the services they receive feed the indicators as counts of people.
//!
//! Everything here is pure: parsing of what a case worker typed, the state machines of
//! cases and referrals, the assessment form's rules. Storage, encryption and access
//! checks live above.

pub mod case;
pub mod form;
pub mod person;
pub mod referral;

pub use case::{CaseStatus, CloseReason};
pub use form::{FieldKind, FormDef};
pub use person::{
    BirthDate, ConsentPurpose, DocumentKind, LegalStatus, PersonInput, Sex, ValidPerson,
};
pub use referral::{ReferralStatus, ReferralTransition};
