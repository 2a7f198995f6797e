//! The translators' workspace: the locale grid (keys × locales with a status per cell) and
//! the report of an XLIFF/PO import.

use crate::{Diagnostic, Location};
use serde::{Deserialize, Serialize};

/// The state of one key in one locale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CellStatus {
    /// The default locale's own text (the source every translation is made from).
    Source,
    /// Translated, and the source has not changed since.
    Translated,
    /// Present, but identical to the source text (often not translated yet).
    SameAsSource,
    /// Translated from a source text that has changed since (recorded in
    /// `locales/<locale>/translated-from.toml`).
    Outdated,
    /// Not in this locale: the default locale's text is shown instead.
    Missing,
    /// Not in this locale: an intermediate fallback locale's text is shown (`de-AT` → `de`).
    Fallback,
}

impl CellStatus {
    /// The stable kebab-case name, e.g. `same-as-source`.
    pub fn as_str(self) -> &'static str {
        match self {
            CellStatus::Source => "source",
            CellStatus::Translated => "translated",
            CellStatus::SameAsSource => "same-as-source",
            CellStatus::Outdated => "outdated",
            CellStatus::Missing => "missing",
            CellStatus::Fallback => "fallback",
        }
    }
}

impl std::fmt::Display for CellStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One key in one locale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GridCell {
    /// Locale tag.
    pub locale: String,
    /// Its state.
    pub status: CellStatus,
    /// The locale's own text in Fluent syntax (`None` when missing).
    pub text: Option<String>,
    /// For `missing`/`fallback`: the locale whose text is used instead.
    pub fallback_locale: Option<String>,
    /// Where the key is defined in this locale.
    pub location: Option<Location>,
    /// Problems with this cell (placeholder mismatches...).
    pub diagnostics: Vec<Diagnostic>,
}

/// One key (`message`, `message.attribute` or `-term`) across all locales.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GridRow {
    /// The key.
    pub key: String,
    /// Catalog file name (`common.ftl`), the same in every locale.
    pub file: String,
    /// Translator notes (the comment above the message in the default locale).
    pub note: Option<String>,
    /// The `##` section the key is in.
    pub group: Option<String>,
    /// Variables the source text uses (without `$`).
    pub variables: Vec<String>,
    /// Templates whose render can use the key (via `t("key")` in their files, layouts and
    /// partials), for the preview beside the grid.
    pub used_by: Vec<String>,
    /// One cell per project locale, in the project's order (default first).
    pub cells: Vec<GridCell>,
}

/// Counts per status for one locale.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LocaleProgress {
    /// Locale tag.
    pub locale: String,
    /// Keys of the default locale.
    pub total: usize,
    /// Translated and current.
    pub translated: usize,
    /// Identical to the source.
    pub same_as_source: usize,
    /// Source changed since translated.
    pub outdated: usize,
    /// Absent (default locale's text used).
    pub missing: usize,
    /// Absent (an intermediate locale's text used).
    pub fallback: usize,
}

/// The whole grid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LocaleGrid {
    /// The source locale.
    pub default_locale: String,
    /// Project locales, default first.
    pub locales: Vec<crate::LocaleEntry>,
    /// Pseudo-locales the preview can render (never written or synced).
    pub pseudo_locales: Vec<crate::LocaleEntry>,
    /// Keys of every locale (source keys first, in file order; keys only other locales
    /// define come last).
    pub rows: Vec<GridRow>,
    /// Per-locale counts.
    pub progress: Vec<LocaleProgress>,
}

/// Request to set one cell from the grid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetTranslation {
    /// Locale tag.
    pub locale: String,
    /// The key.
    pub key: String,
    /// New text in Fluent syntax; `None` removes the translation.
    pub text: Option<String>,
}

/// Exchange formats for translators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ExchangeFormat {
    /// XLIFF 2.0.
    Xliff,
    /// gettext PO.
    Po,
}

/// A translation an import changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportChange {
    /// The key.
    pub key: String,
    /// Project-relative `.ftl` path written.
    pub file: String,
    /// Text before (`None`: it was missing).
    pub before: Option<String>,
    /// Text after.
    pub after: String,
}

/// Why an imported entry (or the whole file) was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RejectReason {
    /// The key is not in the default locale.
    UnknownKey,
    /// The translation drops or invents a `{ $variable }`.
    BrokenPlaceholders,
    /// The translation is not valid Fluent.
    BadSyntax,
    /// The file is for another locale (or for the default locale).
    WrongLocale,
    /// The file is not valid XLIFF 2.0 / PO, or has a form we cannot map back.
    Malformed,
    /// The same key appears twice in the file.
    DuplicateKey,
}

/// One refused entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportRejection {
    /// The key, when the problem concerns one entry.
    pub key: Option<String>,
    /// Category.
    pub reason: RejectReason,
    /// One sentence for a person.
    pub message: String,
    /// Where in the imported file.
    pub location: Option<Location>,
}

/// What an import did (or, on a dry run or a rejection, would have done).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportReport {
    /// Target locale of the file.
    pub locale: String,
    /// Its format.
    pub format: ExchangeFormat,
    /// True when the changes were written (nothing rejected, not a dry run).
    pub applied: bool,
    /// Translations that differ from the catalogs.
    pub changed: Vec<ImportChange>,
    /// Entries identical to the catalogs.
    pub unchanged: usize,
    /// Entries without a translation (left alone).
    pub untranslated: usize,
    /// Refused entries; any of them means nothing was written.
    pub rejected: Vec<ImportRejection>,
    /// Project files written.
    pub written: Vec<String>,
}
