//! Passerelle's domain: the words of the SNIA and of case work as Rust types.
//!
//! Nothing here touches a database, a network or a clock. Types *parse*: a value of
//! type [`Username`] or [`TerritoryCode`] is valid by construction, so the layers
//! above never re-check it. Errors carry a stable [`ErrorCode`] and the field they
//! concern, never prose: the web layer turns codes into sentences in the user's
//! language.

pub mod audit;
pub mod casework;
pub mod dimensions;
pub mod directory;
pub mod disclosure;
pub mod error;
pub mod exchange;
pub mod framework;
pub mod governance;
pub mod locale;
pub mod org;
pub mod period;
pub mod report;
pub mod reporting;
pub mod rules;
pub mod territory;
pub mod user;
pub mod values;

pub use error::{DomainError, ErrorCode};
pub use locale::Locale;
pub use org::{OrgCode, OrgId, OrgKind};
pub use period::Period;
pub use territory::{TerritoryCode, TerritoryLevel};
pub use user::{DisplayName, Password, Role, UserId, Username};
