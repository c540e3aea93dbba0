//! Storage errors, mapped by kind (not by constraint name, which SQLite does not
//! report) so the service layer can say "already exists" or "unknown reference".

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot connect to {url}: {reason}")]
    Connect { url: String, reason: String },
    #[error("unsupported database URL {url}: use sqlite://PATH or postgres://USER@HOST/DB")]
    UnsupportedUrl { url: String },
    #[error("migration failed: {0}")]
    Migrate(String),
    #[error("a row with the same unique value already exists")]
    UniqueViolation,
    #[error("a reference points to a row that does not exist")]
    ForeignKeyViolation,
    /// Someone else saved the row since it was read; nothing was changed.
    #[error("the row was changed by someone else since it was read")]
    Conflict,
    #[error("row not found")]
    NotFound,
    #[error("stored data is invalid: {0}")]
    Corrupt(String),
    #[error("database error: {0}")]
    Database(sqlx::Error),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        if let sqlx::Error::Database(db) = &e {
            match db.kind() {
                sqlx::error::ErrorKind::UniqueViolation => return StoreError::UniqueViolation,
                sqlx::error::ErrorKind::ForeignKeyViolation => {
                    return StoreError::ForeignKeyViolation;
                }
                _ => {}
            }
        }
        if let sqlx::Error::RowNotFound = e {
            return StoreError::NotFound;
        }
        StoreError::Database(e)
    }
}

impl From<passerelle_domain::DomainError> for StoreError {
    fn from(e: passerelle_domain::DomainError) -> Self {
        StoreError::Corrupt(e.to_string())
    }
}
