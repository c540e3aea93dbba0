//! The service layer's errors: a stable code for each, plus the fields a form
//! should show errors beside. No prose here; the web layer translates.

use passerelle_domain::{DomainError, ErrorCode};
use passerelle_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// One or more fields are invalid; nothing was saved.
    #[error("invalid input: {0:?}")]
    Invalid(Vec<DomainError>),
    #[error("invalid credentials")]
    InvalidCredentials,
    #[error("too many attempts; retry in {retry_after_secs} s")]
    Throttled { retry_after_secs: u64 },
    #[error("not authenticated")]
    Unauthenticated,
    #[error("forbidden")]
    Forbidden,
    #[error("not found")]
    NotFound,
    #[error("audit chain broken at row {seq}")]
    AuditChainBroken { seq: i64 },
    #[error("storage: {0}")]
    Store(#[from] StoreError),
    #[error("internal: {0}")]
    Internal(String),
}

impl ServiceError {
    pub fn code(&self) -> ErrorCode {
        match self {
            ServiceError::Invalid(errors) => errors
                .first()
                .map(|e| e.code)
                .unwrap_or(ErrorCode::BadRequest),
            ServiceError::InvalidCredentials => ErrorCode::InvalidCredentials,
            ServiceError::Throttled { .. } => ErrorCode::Throttled,
            ServiceError::Unauthenticated => ErrorCode::Unauthenticated,
            ServiceError::Forbidden => ErrorCode::Forbidden,
            ServiceError::NotFound => ErrorCode::NotFound,
            ServiceError::AuditChainBroken { .. } => ErrorCode::AuditChainBroken,
            ServiceError::Store(StoreError::UniqueViolation) => ErrorCode::AlreadyExists,
            ServiceError::Store(StoreError::Conflict) => ErrorCode::EditConflict,
            ServiceError::Store(_) | ServiceError::Internal(_) => ErrorCode::Internal,
        }
    }

    pub fn invalid(e: DomainError) -> ServiceError {
        ServiceError::Invalid(vec![e])
    }
}

impl From<DomainError> for ServiceError {
    fn from(e: DomainError) -> Self {
        ServiceError::invalid(e)
    }
}

impl From<passerelle_store::SqlError> for ServiceError {
    fn from(e: passerelle_store::SqlError) -> Self {
        ServiceError::Store(StoreError::from(e))
    }
}
