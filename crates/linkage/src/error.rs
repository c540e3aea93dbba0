//! The crate's error type. Bad values inside a file are never errors (they are counted
//! and kept as missing); only what prevents a run at all is.

/// Why a linkage run could not be done.
#[derive(Debug, thiserror::Error)]
pub enum LinkageError {
    /// Required columns are absent from the input's header.
    #[error(
        "missing columns: {}; the header has: {}. Name them with --map field=column (for example --map record_id=ID)",
        missing.join(", "),
        available.join(", ")
    )]
    MissingColumns {
        /// What is missing, as field names (alternatives joined with " or ").
        missing: Vec<String>,
        /// The columns the header does have.
        available: Vec<String>,
    },
    /// A `--map` value that is not `field=column`.
    #[error("invalid mapping {0:?}: expected field=column")]
    BadMapping(String),
    /// A mapping names a column the header does not have.
    #[error("mapping {field}={column}: no column {column:?} in the header")]
    UnknownColumn {
        /// The field being mapped.
        field: String,
        /// The missing column.
        column: String,
    },
    /// More extra fields than a comparison vector holds.
    #[error("{0} extra fields mapped; at most {max} are compared", max = crate::compare::MAX_FIELDS - crate::compare::FIXED_FIELDS)]
    TooManyExtraFields(usize),
    /// Blocking produced more candidate pairs than allowed even with the smallest blocks.
    #[error("blocking produced {pairs} candidate pairs, above the limit of {limit}")]
    TooManyPairs {
        /// Pairs produced.
        pairs: usize,
        /// The configured limit.
        limit: usize,
    },
    /// Privacy-preserving encoding was asked with an empty key.
    #[error("the linkage key is empty: give the key shared among the partner organisations")]
    EmptyKey,
    /// An option out of its range (Bloom filter size, number of hashes).
    #[error("invalid option: {0}")]
    InvalidOption(String),
    /// An encoded file is not what `passerelle linkage encode` writes.
    #[error("encoded file {file}, row {row}: {reason}")]
    BadEncoding {
        /// Position of the file among the inputs (1-based).
        file: usize,
        /// Data row (1-based, header excluded; 0 for the header).
        row: usize,
        /// What is wrong.
        reason: String,
    },
    /// Encoded files made with different keys or settings: they cannot be linked.
    #[error(
        "encoded files were made with different keys or settings ({first} vs {other}, file {file}): re-encode every file with the same key"
    )]
    SchemeMismatch {
        /// Scheme tag of the first file.
        first: String,
        /// Scheme tag of the file that differs.
        other: String,
        /// Position of that file (1-based).
        file: usize,
    },
    /// Malformed CSV.
    #[error("CSV error: {0}")]
    Csv(#[from] csv::Error),
    /// Reading or writing failed.
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
}
