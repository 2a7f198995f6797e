//! What translators exchange, independent of the file format: one [`ExchangeUnit`] per key
//! on export, and on import a plan that validates every entry before anything is written.
//!
//! Lossless round trip by construction: an imported entry equal to what the export of the
//! current catalogs would contain is "unchanged" and never rewritten, so exporting and
//! importing without edits changes no byte. A changed entry rewrites only its own entry in
//! the `.ftl` file (see [`ftl::set_unit`]) and re-records its source hash.

use crate::LocalesError;
use crate::ftl::{self, LocaleUnits, Unit};
use crate::plural::{PluralForms, PluralMessage, plural_forms};
use crate::status::{TranslatedFrom, placeholder_diagnostics, record_path, translation_status};
use letterpress_protocol::Location;
use letterpress_protocol::locales::{
    CellStatus, ExchangeFormat, ImportChange, ImportRejection, ImportReport, RejectReason,
};
use std::collections::{BTreeMap, BTreeSet};

/// The text of one side of an entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Payload {
    /// The whole unit in Fluent syntax.
    Text(String),
    /// gettext plural forms: for the source `[one, other]`, for a target one text per
    /// `msgstr[n]` of the locale's `Plural-Forms`.
    Plural(Vec<String>),
}

/// One exported key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExchangeUnit {
    /// `message`, `message.attribute` or `-term`.
    pub key: String,
    /// Catalog file name (`common.ftl`).
    pub file_name: String,
    /// The default locale's text.
    pub source: Payload,
    /// The locale's text, `None` when missing.
    pub target: Option<Payload>,
    /// Translator notes (comment above the source message).
    pub note: Option<String>,
    /// The `##` section.
    pub group: Option<String>,
    /// Where the source message is.
    pub source_location: Location,
    /// Status of the translation.
    pub status: CellStatus,
}

/// The catalogs an export or import works on.
pub struct ExchangeContext<'a> {
    /// The default (source) locale.
    pub default_locale: &'a str,
    /// The locale translated into.
    pub locale: &'a str,
    /// Units of the default locale.
    pub source: &'a LocaleUnits,
    /// Units of `locale`.
    pub target: &'a LocaleUnits,
    /// `locales/<locale>/translated-from.toml`.
    pub record: &'a TranslatedFrom,
}

impl ExchangeContext<'_> {
    /// The plural forms used for `format` (PO only, and only for languages in the table).
    fn forms(&self, format: ExchangeFormat) -> Option<PluralForms> {
        match format {
            ExchangeFormat::Po => plural_forms(self.locale),
            ExchangeFormat::Xliff => None,
        }
    }

    fn source_plural(
        &self,
        key: &str,
        format: ExchangeFormat,
    ) -> Option<(PluralForms, PluralMessage)> {
        let forms = self.forms(format)?;
        let message = PluralMessage::from_text(&self.source.get(key)?.text)?;
        Some((forms, message))
    }

    /// The target payload the export carries for `key` (None when missing).
    fn target_payload(&self, key: &str, format: ExchangeFormat) -> Option<Payload> {
        let target = self.target.get(key)?;
        match self.source_plural(key, format) {
            Some((forms, source)) => match PluralMessage::from_text(&target.text) {
                Some(t) if t.selector == source.selector => Some(Payload::Plural(t.forms(&forms))),
                _ => Some(Payload::Plural(vec![
                    target.text.clone();
                    forms.categories.len()
                ])),
            },
            None => Some(Payload::Text(target.text.clone())),
        }
    }

    /// Every key of the default locale, in file order, with this locale's translation.
    pub fn export(&self, format: ExchangeFormat) -> Vec<ExchangeUnit> {
        self.source
            .iter()
            .map(|unit| {
                let source = match self.source_plural(&unit.key, format) {
                    Some((_, m)) => Payload::Plural(vec![
                        m.text_for("one").to_owned(),
                        m.text_for("other").to_owned(),
                    ]),
                    None => Payload::Text(unit.text.clone()),
                };
                ExchangeUnit {
                    key: unit.key.clone(),
                    file_name: file_name(&unit.file).to_owned(),
                    source,
                    target: self.target_payload(&unit.key, format),
                    note: unit.note.clone(),
                    group: unit.group.clone(),
                    source_location: unit.location.clone(),
                    status: translation_status(
                        Some(unit),
                        self.target.get(&unit.key),
                        self.record.hashes.get(&unit.key).map(String::as_str),
                    ),
                }
            })
            .collect()
    }

    /// Validates an imported file against the catalogs and computes the files to write.
    /// `files` holds the current text of every `.ftl` of the locale and of its record.
    /// Nothing is planned for writing when any entry is rejected.
    pub fn plan_import(
        &self,
        imported: ImportedFile,
        files: &BTreeMap<String, String>,
    ) -> ImportPlan {
        let mut report = ImportReport {
            locale: self.locale.to_owned(),
            format: imported.format,
            applied: false,
            changed: Vec::new(),
            unchanged: 0,
            untranslated: 0,
            rejected: imported.rejected,
            written: Vec::new(),
        };
        let mut seen = BTreeSet::new();
        let mut edits = Vec::new();
        for entry in imported.entries {
            let reject = |reason: RejectReason, message: String| ImportRejection {
                key: Some(entry.key.clone()),
                reason,
                message,
                location: Some(entry.location.clone()),
            };
            if !seen.insert(entry.key.clone()) {
                report.rejected.push(reject(
                    RejectReason::DuplicateKey,
                    format!("`{}` appears more than once in the file", entry.key),
                ));
                continue;
            }
            let Some(source) = self.source.get(&entry.key) else {
                report.rejected.push(reject(
                    RejectReason::UnknownKey,
                    format!(
                        "`{}` is not a key of the default locale `{}`",
                        entry.key, self.default_locale
                    ),
                ));
                continue;
            };
            let Some(payload) = entry.target else {
                report.untranslated += 1;
                continue;
            };
            if Some(&payload) == self.target_payload(&entry.key, imported.format).as_ref() {
                report.unchanged += 1;
                continue;
            }
            let text = match self.payload_text(&entry.key, &payload, imported.format) {
                Ok(Some(t)) => t,
                Ok(None) => {
                    report.untranslated += 1;
                    continue;
                }
                Err(rejection) => {
                    report.rejected.push(reject(rejection.0, rejection.1));
                    continue;
                }
            };
            let current = self.target.get(&entry.key);
            if current.is_some_and(|c| c.text == text) {
                report.unchanged += 1;
                continue;
            }
            let candidate = Unit {
                text: text.clone(),
                variables: ftl::parse_pattern(&text)
                    .map(|p| ftl::variables(&p))
                    .unwrap_or_default(),
                location: entry.location.clone(),
                variable_sites: BTreeMap::new(),
                ..source.clone()
            };
            let problems = placeholder_diagnostics(source, &candidate, self.locale);
            if !problems.is_empty() {
                let message = problems
                    .iter()
                    .map(|d| d.message.clone())
                    .collect::<Vec<_>>()
                    .join("; ");
                report
                    .rejected
                    .push(reject(RejectReason::BrokenPlaceholders, message));
                continue;
            }
            let file = self.file_for(&entry.key);
            report.changed.push(ImportChange {
                key: entry.key.clone(),
                file: file.clone(),
                before: current.map(|c| c.text.clone()),
                after: text.clone(),
            });
            edits.push((entry.key, Some(text)));
        }
        let mut plan = ImportPlan {
            report,
            files: BTreeMap::new(),
        };
        if !plan.report.rejected.is_empty() || edits.is_empty() {
            return plan;
        }
        match self.apply(&edits, files) {
            Ok(written) => plan.files = written,
            Err(e) => plan.report.rejected.push(ImportRejection {
                key: None,
                reason: RejectReason::BadSyntax,
                message: e.to_string(),
                location: None,
            }),
        }
        plan
    }

    /// The project-relative `.ftl` path holding (or to hold) `key` in this locale.
    pub fn file_for(&self, key: &str) -> String {
        match (self.target.get(key), self.source.get(key)) {
            (Some(t), _) => t.file.clone(),
            (None, Some(s)) => format!("locales/{}/{}", self.locale, file_name(&s.file)),
            (None, None) => format!("locales/{}/{}", self.locale, "main.ftl"),
        }
    }

    /// Applies edits (`None` removes a translation) to the locale's files and returns every
    /// file that changes, record included. Fails when a result would not parse cleanly.
    pub fn apply(
        &self,
        edits: &[(String, Option<String>)],
        files: &BTreeMap<String, String>,
    ) -> Result<BTreeMap<String, String>, LocalesError> {
        let mut texts: BTreeMap<String, String> = BTreeMap::new();
        let mut record = self.record.clone();
        for (key, text) in edits {
            let path = self.file_for(key);
            let current = texts
                .get(&path)
                .or_else(|| files.get(&path))
                .cloned()
                .unwrap_or_default();
            let anchors = self.anchors(key);
            let anchors: Vec<&str> = anchors.iter().map(String::as_str).collect();
            let updated = ftl::set_unit_after(&current, key, text.as_deref(), &anchors)?;
            texts.insert(path, updated);
            match (text, self.source.get(key)) {
                (Some(_), Some(source)) => record.record(key, &source.text),
                _ => {
                    record.hashes.remove(key);
                }
            }
        }
        for (path, text) in &texts {
            let before = files.get(path).map_or(0, |t| {
                LocaleUnits::parse([(path.as_str(), t.as_str())])
                    .diagnostics
                    .len()
            });
            let after = LocaleUnits::parse([(path.as_str(), text.as_str())]);
            if after.diagnostics.len() > before {
                return Err(LocalesError::Refused(format!(
                    "the edit would break {path}: {}",
                    after.diagnostics[0].message
                )));
            }
        }
        texts.retain(|path, text| files.get(path) != Some(text));
        if record != *self.record {
            let path = record_path(self.locale);
            let text = record.to_text(self.default_locale);
            if files.get(&path) != Some(&text) {
                texts.insert(path, text);
            }
        }
        Ok(texts)
    }

    /// Entry ids that precede `key` in its source file, nearest first.
    fn anchors(&self, key: &str) -> Vec<String> {
        let Some(file) = self.source.get(key).map(|u| u.file.as_str()) else {
            return Vec::new();
        };
        let (id, _) = ftl::split_key(key);
        let mut out: Vec<String> = Vec::new();
        let position = self.source.order.iter().position(|k| k == key).unwrap_or(0);
        for other in self.source.order[..position].iter().rev() {
            let (other_id, _) = ftl::split_key(other);
            if other_id != id
                && self.source.get(other).is_some_and(|u| u.file == file)
                && !out.iter().any(|o| o == other_id)
            {
                out.push(other_id.to_owned());
            }
        }
        out
    }

    /// Fluent text for an imported payload; `Ok(None)` when it carries no translation.
    fn payload_text(
        &self,
        key: &str,
        payload: &Payload,
        format: ExchangeFormat,
    ) -> Result<Option<String>, (RejectReason, String)> {
        match payload {
            Payload::Text(t) if t.is_empty() => Ok(None),
            Payload::Text(t) => ftl::canonical_text(t).map(Some).map_err(|e| {
                (
                    RejectReason::BadSyntax,
                    format!(
                        "`{key}`: Fluent syntax error at {}:{} of the text: {}",
                        e.line, e.column, e.message
                    ),
                )
            }),
            Payload::Plural(texts) => {
                let Some((forms, source)) = self.source_plural(key, format) else {
                    return Err((
                        RejectReason::Malformed,
                        format!("`{key}` is not a plural message in the source"),
                    ));
                };
                if texts.len() != forms.categories.len() {
                    return Err((
                        RejectReason::Malformed,
                        format!(
                            "`{key}` has {} plural forms; `{}` has {} ({})",
                            texts.len(),
                            self.locale,
                            forms.categories.len(),
                            forms.categories.join(", ")
                        ),
                    ));
                }
                if texts.iter().all(String::is_empty) {
                    return Ok(None);
                }
                if let Some(i) = texts.iter().position(String::is_empty) {
                    return Err((
                        RejectReason::Malformed,
                        format!(
                            "`{key}`: plural form {i} ({}) is empty",
                            forms.categories[i]
                        ),
                    ));
                }
                let message = match self
                    .target
                    .get(key)
                    .and_then(|t| PluralMessage::from_text(&t.text))
                {
                    Some(existing) if existing.selector == source.selector => {
                        existing.with_forms(&forms, texts)
                    }
                    _ => PluralMessage::from_forms(&source.selector, &forms, texts),
                };
                message.to_text().map(Some).map_err(|(category, e)| {
                    (
                        RejectReason::BadSyntax,
                        format!(
                            "`{key}` [{category}]: Fluent syntax error at {}:{}: {}",
                            e.line, e.column, e.message
                        ),
                    )
                })
            }
        }
    }
}

/// An exchange file, parsed.
#[derive(Debug, Clone)]
pub struct ImportedFile {
    /// Its format.
    pub format: ExchangeFormat,
    /// Source language it declares.
    pub source_locale: Option<String>,
    /// Target language it declares.
    pub target_locale: Option<String>,
    /// Entries in file order.
    pub entries: Vec<ImportedEntry>,
    /// Problems found while reading it.
    pub rejected: Vec<ImportRejection>,
}

/// One entry of an imported file.
#[derive(Debug, Clone)]
pub struct ImportedEntry {
    /// The key (XLIFF unit id, PO msgctxt).
    pub key: String,
    /// The translation, `None` when the entry has none.
    pub target: Option<Payload>,
    /// Where the entry is in the imported file.
    pub location: Location,
}

/// The outcome of validating an import.
#[derive(Debug, Clone)]
pub struct ImportPlan {
    /// What changes and what was refused.
    pub report: ImportReport,
    /// Project-relative path → new text, for every file to write (empty when rejected).
    pub files: BTreeMap<String, String>,
}

/// `locales/en/common.ftl` → `common.ftl`.
pub fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}
