//! Passerelle's record-linkage engine: which registrations, across organisations that share
//! no identifier, are the same person — so that a person is counted once.
//!
//! A guided tour, in the order a record travels:
//!
//! 1. [`normalise`] — case, accents, punctuation, compound particles, Arabic-script
//!    letter variants.
//! 2. [`translit`] — Arabic → Latin transliteration, the table of name-variant families
//!    (Mohamed / Muhammad / محمد), and a cross-script consonant skeleton.
//! 3. [`date`], [`phone`], [`document`] — birth dates (year-only, day/month swaps), phone
//!    numbers (international and local forms), document numbers (formatting noise).
//! 4. [`record`] — the input [`Record`] and its prepared, comparison-ready form.
//! 5. [`blocking`] — candidate pairs from several keys, with a bound on their number.
//! 6. [`compare`] — each field of a pair becomes an agreement level.
//! 7. [`fellegi_sunter`] — m and u probabilities estimated by EM without labels; weights.
//! 8. [`cluster`] — persons from pairs, guarded against chaining (households, twins,
//!    common names).
//! 9. [`explain`] — every pair's per-field contributions.
//! 10. [`csvio`] — the CLI's core: CSV in (with column aliases and mapping), clusters or
//!     pairs out, bad values counted and reported.
//! 11. [`persons`] — the service layer's entry points: score a query person against
//!     candidates with explanations, index keys for a database, unique-person counts across
//!     organisations.
//! 12. [`pprl`] — privacy-preserving mode: keyed Bloom-filter encodings made by each
//!     organisation, linked by a matcher that never sees names or the key.
//! 13. [`generator`] and [`score`] — synthetic registries with known truth, and pairwise
//!     precision / recall / F1 to measure the engine.
//!
//! The crate has no web or database dependency: the CLI, the web service and the case-work
//! search-before-create all call [`link`], [`link_two`], [`Matcher::score_pair`],
//! [`SearchIndex::search`] or [`csvio::dedup_csv`].

#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod blocking;
pub mod cluster;
pub mod compare;
pub mod csvio;
pub mod date;
pub mod document;
mod engine;
pub mod error;
pub mod explain;
pub mod fellegi_sunter;
pub mod generator;
pub mod normalise;
pub mod persons;
pub mod phone;
pub mod pprl;
pub mod record;
pub mod score;
pub mod translit;

pub use csvio::{DedupOptions, DedupReport, OutputKind, dedup_csv, link_csv_files};
pub use engine::{
    Config, LinkReport, Linkage, Matcher, Progress, ScoredPair, SearchIndex, Stage, TwoWayLinkage,
    link, link_two,
};
pub use error::LinkageError;
pub use explain::{FieldAgreement, PairScore, format_explanation};
pub use persons::{
    PersonCount, PersonMatch, SameSource, SourceCount, count_persons, index_keys, match_person,
};
pub use pprl::{EncodeOptions, EncodeReport, MatchOptions, MatchReport, encode_csv, match_csv};
pub use record::{ParseIssues, Record};
