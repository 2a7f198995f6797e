//! The translators' workflow, pure (no IO): catalogs as translation units with statuses,
//! placeholder validation, pseudo-locales, locale tags, and lossless XLIFF 2.0 / gettext PO
//! exchange. The studio reads and writes the files; this crate decides what they contain.

#![forbid(unsafe_code)]

pub mod exchange;
pub mod ftl;
pub mod plural;
pub mod po;
pub mod pseudo;
pub mod status;
pub mod tag;
pub mod usage;
pub mod xliff;

pub use ftl::{LocaleUnits, PatternError, Unit};

/// Why a translation operation was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LocalesError {
    /// The text is not valid Fluent.
    #[error("`{key}`: {error}")]
    Syntax {
        /// The unit.
        key: String,
        /// Where and what.
        error: PatternError,
    },
    /// The operation cannot be done on this catalog as it stands.
    #[error("{0}")]
    Refused(String),
}
