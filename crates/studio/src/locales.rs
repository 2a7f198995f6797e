//! The translators' workspace on disk: the locale grid, editing one translation, accepting
//! translations as current, XLIFF/PO export and all-or-nothing import, adding a locale and
//! per-locale template overrides. What the files contain is decided by the pure
//! `letterpress-locales` crate; this module reads and writes them.

use crate::session::StudioSession;
use crate::{Project, StudioError, fsx, io_error, load_error};
use letterpress_engine::{Code, Diagnostic, LocaleInfo, PROJECT_FILE, paths};
use letterpress_locales::exchange::{ExchangeContext, ImportedFile};
use letterpress_locales::ftl::{self, LocaleUnits};
use letterpress_locales::pseudo::PseudoLocale;
use letterpress_locales::status::{
    TranslatedFrom, locale_diagnostics, placeholder_diagnostics, record_path, translation_status,
};
use letterpress_locales::tag::{LocaleTagError, validate_new_locale};
use letterpress_locales::usage::message_references;
use letterpress_locales::{LocalesError, po, xliff};
use letterpress_protocol::locales::{
    CellStatus, ExchangeFormat, GridCell, GridRow, ImportRejection, ImportReport, LocaleGrid,
    LocaleProgress, RejectReason, SetTranslation,
};
use letterpress_protocol::{Coded, IpcCode, LocaleEntry, Location, Preview, PreviewRequest};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Why a translation operation failed.
#[derive(Debug, thiserror::Error)]
pub enum TranslationError {
    /// Reading or writing the project failed.
    #[error(transparent)]
    Studio(#[from] StudioError),
    /// The catalog edit was refused (syntax error in the text or the file).
    #[error(transparent)]
    Catalog(#[from] LocalesError),
    /// A locale code that cannot be added.
    #[error(transparent)]
    Tag(#[from] LocaleTagError),
    /// A locale that is not configured (or the default locale where a translation is needed).
    #[error("{0}")]
    Locale(String),
    /// A key the default locale does not define.
    #[error("`{0}` is not a key of the default locale")]
    UnknownKey(String),
    /// The translation drops or invents variables.
    #[error("{}", .0.iter().map(|d| d.message.clone()).collect::<Vec<_>>().join("; "))]
    Placeholders(Vec<Diagnostic>),
    /// The override already exists.
    #[error("{0} already exists")]
    Exists(String),
}

impl TranslationError {
    /// A stable code for JSON output and IPC.
    pub fn code(&self) -> IpcCode {
        match self {
            TranslationError::Studio(e) => e.code(),
            TranslationError::Catalog(LocalesError::Syntax { .. }) => IpcCode::FluentSyntax,
            TranslationError::Catalog(LocalesError::Refused(_)) => IpcCode::EditRefused,
            TranslationError::Tag(_) => IpcCode::InvalidLocale,
            TranslationError::Locale(_) => IpcCode::InvalidLocale,
            TranslationError::UnknownKey(_) => IpcCode::UnknownKey,
            TranslationError::Placeholders(_) => IpcCode::PlaceholderMismatch,
            TranslationError::Exists(_) => IpcCode::Exists,
        }
    }
}

impl Coded for TranslationError {
    fn code(&self) -> IpcCode {
        TranslationError::code(self)
    }
    fn location(&self) -> Option<Location> {
        match self {
            TranslationError::Placeholders(d) => d.first().and_then(|d| d.location.clone()),
            _ => None,
        }
    }
}

/// Every locale's units and records, read from disk.
struct CatalogState {
    default_locale: String,
    units: BTreeMap<String, LocaleUnits>,
    records: BTreeMap<String, TranslatedFrom>,
    /// Current text of every `.ftl` and record file, by project-relative path.
    files: BTreeMap<String, String>,
    /// Records that could not be read (treated as empty).
    diagnostics: Vec<Diagnostic>,
}

impl CatalogState {
    fn source(&self) -> &LocaleUnits {
        self.units(&self.default_locale)
    }

    fn units(&self, locale: &str) -> &LocaleUnits {
        static EMPTY: std::sync::OnceLock<LocaleUnits> = std::sync::OnceLock::new();
        self.units
            .get(locale)
            .unwrap_or_else(|| EMPTY.get_or_init(LocaleUnits::default))
    }

    fn record(&self, locale: &str) -> &TranslatedFrom {
        static EMPTY: std::sync::OnceLock<TranslatedFrom> = std::sync::OnceLock::new();
        self.records
            .get(locale)
            .unwrap_or_else(|| EMPTY.get_or_init(TranslatedFrom::default))
    }

    fn context<'a>(&'a self, locale: &'a str) -> ExchangeContext<'a> {
        ExchangeContext {
            default_locale: &self.default_locale,
            locale,
            source: self.source(),
            target: self.units(locale),
            record: self.record(locale),
        }
    }
}

impl Project {
    fn catalog_state(&self) -> Result<CatalogState, StudioError> {
        let config = self.config();
        let mut files = BTreeMap::new();
        let mut by_locale: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
        let catalogs = letterpress_engine::load::catalog_files(self.sources.as_ref())
            .map_err(load_error(self.root()))?;
        for file in catalogs {
            files.insert(file.path.clone(), file.text.clone());
            by_locale
                .entry(file.locale)
                .or_default()
                .push((file.path, file.text));
        }
        let mut units = BTreeMap::new();
        let mut records = BTreeMap::new();
        let mut diagnostics = Vec::new();
        for locale in &config.locales {
            let list = by_locale.remove(locale).unwrap_or_default();
            units.insert(
                locale.clone(),
                LocaleUnits::parse(list.iter().map(|(p, t)| (p.as_str(), t.as_str()))),
            );
            let path = record_path(locale);
            if let Some(text) = self.source(&path) {
                match TranslatedFrom::parse(&path, &text) {
                    Ok(record) => {
                        records.insert(locale.clone(), record);
                    }
                    Err(d) => diagnostics.push(d.with_help(
                        "fix or delete the file; translations count as current until then",
                    )),
                }
                files.insert(path, text.to_string());
            }
        }
        Ok(CatalogState {
            default_locale: config.default_locale.clone(),
            units,
            records,
            files,
            diagnostics,
        })
    }

    /// A configured locale other than the default one.
    fn translation_locale(&self, locale: &str) -> Result<String, TranslationError> {
        let config = self.config();
        match config.resolve_locale(locale) {
            Some(l) if l == config.default_locale => Err(TranslationError::Locale(format!(
                "`{l}` is the default locale: it is the source, not a translation"
            ))),
            Some(l) => Ok(l),
            None => Err(TranslationError::Locale(format!(
                "`{locale}` is not a locale of this project ({})",
                config.locales.join(", ")
            ))),
        }
    }

    /// Message key → templates whose files (body, overrides, layouts, partials, subject,
    /// text part) call `t("key")` literally.
    pub fn key_usage(&self) -> Result<BTreeMap<String, BTreeSet<String>>, StudioError> {
        let mut usage: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for t in self.templates()? {
            let mut files = BTreeSet::from([paths::meta(&t.id), paths::text(&t.id)]);
            let mut bodies = vec![paths::body(&t.id, None)];
            bodies.extend(t.overrides.iter().map(|l| paths::body(&t.id, Some(l))));
            for body in bodies {
                let (walked, _) = letterpress_engine::deps::walk(
                    self.sources.as_ref(),
                    &body,
                    self.engine.limits(),
                );
                files.extend(walked);
                files.insert(body);
            }
            for file in files {
                if let Some(text) = self.source(&file) {
                    for (key, _) in message_references(&text) {
                        usage.entry(key).or_default().insert(t.id.clone());
                    }
                }
            }
        }
        Ok(usage)
    }

    /// Keys × locales with a status per cell, for the grid.
    pub fn locale_grid(&self) -> Result<LocaleGrid, StudioError> {
        let state = self.catalog_state()?;
        let usage = self.key_usage()?;
        let config = self.config();
        let source = state.source();
        let mut keys: Vec<String> = source.order.clone();
        let mut extra = BTreeSet::new();
        for locale in &config.locales {
            for key in &state.units(locale).order {
                if source.get(key).is_none() {
                    extra.insert(key.clone());
                }
            }
        }
        keys.extend(extra);
        let mut progress: Vec<LocaleProgress> = config
            .locales
            .iter()
            .map(|l| LocaleProgress {
                locale: l.clone(),
                total: source.units.len(),
                ..LocaleProgress::default()
            })
            .collect();
        let mut rows = Vec::new();
        for key in keys {
            let any = config.locales.iter().find_map(|l| state.units(l).get(&key));
            let Some(any) = source.get(&key).or(any) else {
                continue;
            };
            let cells: Vec<GridCell> = config
                .locales
                .iter()
                .map(|l| self.cell(&state, l, &key))
                .collect();
            for (cell, p) in cells.iter().zip(progress.iter_mut()) {
                if source.get(&key).is_none() {
                    continue;
                }
                match cell.status {
                    CellStatus::Source | CellStatus::Translated => p.translated += 1,
                    CellStatus::SameAsSource => p.same_as_source += 1,
                    CellStatus::Outdated => p.outdated += 1,
                    CellStatus::Missing => p.missing += 1,
                    CellStatus::Fallback => p.fallback += 1,
                }
            }
            rows.push(GridRow {
                file: letterpress_locales::exchange::file_name(&any.file).to_owned(),
                note: source.get(&key).and_then(|u| u.note.clone()),
                group: source.get(&key).and_then(|u| u.group.clone()),
                variables: any.variables.iter().cloned().collect(),
                used_by: usage
                    .get(&key)
                    .map(|s| s.iter().cloned().collect())
                    .unwrap_or_default(),
                key,
                cells,
            });
        }
        let entry = |tag: &str| LocaleEntry {
            tag: tag.to_owned(),
            dir: LocaleInfo::new(tag).dir.to_owned(),
        };
        Ok(LocaleGrid {
            default_locale: config.default_locale.clone(),
            locales: config.locales.iter().map(|l| entry(l)).collect(),
            pseudo_locales: PseudoLocale::ALL.iter().map(|p| entry(p.tag())).collect(),
            rows,
            progress,
        })
    }

    fn cell(&self, state: &CatalogState, locale: &str, key: &str) -> GridCell {
        let source = state.source().get(key);
        let target = state.units(locale).get(key);
        let mut cell = GridCell {
            locale: locale.to_owned(),
            status: CellStatus::Missing,
            text: target.map(|t| t.text.clone()),
            fallback_locale: None,
            location: target.map(|t| t.location.clone()),
            diagnostics: Vec::new(),
        };
        if locale == state.default_locale {
            cell.status = if target.is_some() {
                CellStatus::Source
            } else {
                CellStatus::Missing
            };
            return cell;
        }
        match target {
            Some(t) => {
                cell.status = translation_status(
                    source,
                    Some(t),
                    state.record(locale).hashes.get(key).map(String::as_str),
                );
                if let Some(s) = source {
                    cell.diagnostics = placeholder_diagnostics(s, t, locale);
                }
            }
            None => {
                let chain = self.config().fallback_chain(locale);
                let via = chain
                    .iter()
                    .skip(1)
                    .find(|l| state.units(l).get(key).is_some());
                match via {
                    Some(l) if *l != state.default_locale => {
                        cell.status = CellStatus::Fallback;
                        cell.fallback_locale = Some(l.clone());
                    }
                    Some(l) => cell.fallback_locale = Some(l.clone()),
                    None => {}
                }
            }
        }
        cell
    }

    /// Missing, outdated and placeholder-mismatched translations of every locale, for
    /// `letterpress check`.
    pub fn translation_diagnostics(&self) -> Result<Vec<Diagnostic>, StudioError> {
        let state = self.catalog_state()?;
        let config = self.config();
        let mut out = state.diagnostics.clone();
        for locale in config
            .locales
            .iter()
            .filter(|l| **l != config.default_locale)
        {
            let chain = config.fallback_chain(locale);
            let intermediate: Vec<&String> = chain
                .iter()
                .skip(1)
                .filter(|l| **l != config.default_locale)
                .collect();
            let falls_back = |key: &str| {
                intermediate
                    .iter()
                    .find(|l| state.units(l).get(key).is_some())
                    .map(|l| (*l).clone())
            };
            out.extend(locale_diagnostics(
                locale,
                state.source(),
                state.units(locale),
                state.record(locale),
                &falls_back,
            ));
        }
        Ok(out)
    }

    /// Writes `files` (project-relative path → text) atomically, catalogs before records,
    /// then reloads the project.
    fn write_files(
        &mut self,
        files: &BTreeMap<String, String>,
    ) -> Result<Vec<String>, StudioError> {
        let mut order: Vec<&String> = files.keys().collect();
        order.sort_by_key(|p| (p.ends_with(".toml"), p.as_str()));
        let mut written = Vec::new();
        for path in order {
            let full = crate::disk::confined_write_target(self.root(), path)?;
            fsx::write_atomic(&full, files[path].as_bytes()).map_err(io_error(&full))?;
            written.push(path.clone());
        }
        self.reload(&written)?;
        Ok(written)
    }

    /// Sets (or with `None` removes) the translation of `key` in `locale`: validated (Fluent
    /// syntax, placeholders against the source), only that entry of the `.ftl` rewritten,
    /// written atomically and recorded as made from the current source. Setting a key of the
    /// default locale edits the source text. Returns the cell's new state.
    pub fn set_translation(
        &mut self,
        locale: &str,
        key: &str,
        text: Option<&str>,
    ) -> Result<GridCell, TranslationError> {
        let (locale, files) = self.translation_files(locale, key, text)?;
        self.write_files(&files)?;
        let state = self.catalog_state()?;
        Ok(self.cell(&state, &locale, key))
    }

    /// Renders `job` as if `text` were the translation of `key` in `locale`, over the
    /// editor's `buffers`; nothing is written. The text is validated as by
    /// [`Project::set_translation`], so a translator sees the refusal while typing.
    pub fn preview_translation(
        &self,
        job: &crate::RenderJob,
        locale: &str,
        key: &str,
        text: Option<&str>,
        buffers: &crate::Buffers,
    ) -> Result<letterpress_engine::RenderOutput, TranslationError> {
        let (_, files) = self.translation_files(locale, key, text)?;
        let mut buffers = buffers.clone();
        for (path, text) in files {
            if path.ends_with(".ftl") {
                buffers.insert(path, std::sync::Arc::from(text));
            }
        }
        Ok(self.preview(job, &buffers))
    }

    /// The resolved locale and the files (catalog and record) that setting `key` to `text`
    /// in `locale` writes, validated but not written.
    fn translation_files(
        &self,
        locale: &str,
        key: &str,
        text: Option<&str>,
    ) -> Result<(String, BTreeMap<String, String>), TranslationError> {
        let config = self.config();
        let locale = config.resolve_locale(locale).ok_or_else(|| {
            TranslationError::Locale(format!("`{locale}` is not a locale of this project"))
        })?;
        let state = self.catalog_state()?;
        let is_source = locale == config.default_locale;
        let text = match text {
            Some(t) => Some(
                ftl::canonical_text(t).map_err(|error| LocalesError::Syntax {
                    key: key.to_owned(),
                    error,
                })?,
            ),
            None => None,
        };
        let files = if is_source {
            let path = state
                .source()
                .get(key)
                .map(|u| u.file.clone())
                .ok_or_else(|| TranslationError::UnknownKey(key.to_owned()))?;
            let current = state.files.get(&path).cloned().unwrap_or_default();
            BTreeMap::from([(path, ftl::set_unit(&current, key, text.as_deref())?)])
        } else {
            let source = state
                .source()
                .get(key)
                .ok_or_else(|| TranslationError::UnknownKey(key.to_owned()))?;
            if let Some(t) = &text {
                let pattern = ftl::parse_pattern(t).map_err(|error| LocalesError::Syntax {
                    key: key.to_owned(),
                    error,
                })?;
                let candidate = ftl::Unit {
                    text: t.clone(),
                    variables: ftl::variables(&pattern),
                    variable_sites: BTreeMap::new(),
                    ..source.clone()
                };
                let problems = placeholder_diagnostics(source, &candidate, &locale);
                if !problems.is_empty() {
                    return Err(TranslationError::Placeholders(problems));
                }
            }
            state
                .context(&locale)
                .apply(&[(key.to_owned(), text)], &state.files)?
        };
        Ok((locale, files))
    }

    /// Marks translations of `locale` as made from the current source text (all translated
    /// keys, or only `keys`): outdated ones become current. Returns how many were recorded.
    pub fn accept_translations(
        &mut self,
        locale: &str,
        keys: &[String],
    ) -> Result<usize, TranslationError> {
        let locale = self.translation_locale(locale)?;
        let state = self.catalog_state()?;
        let mut record = state.record(&locale).clone();
        let mut count = 0;
        for unit in state.source().iter() {
            if (!keys.is_empty() && !keys.contains(&unit.key))
                || state.units(&locale).get(&unit.key).is_none()
            {
                continue;
            }
            record.record(&unit.key, &unit.text);
            count += 1;
        }
        for key in keys {
            if state.source().get(key).is_none() {
                return Err(TranslationError::UnknownKey(key.clone()));
            }
        }
        let path = record_path(&locale);
        let text = record.to_text(&state.default_locale);
        if state.files.get(&path) != Some(&text) {
            self.write_files(&BTreeMap::from([(path, text)]))?;
        }
        Ok(count)
    }

    /// The XLIFF 2.0 or PO file for `locale`.
    pub fn export_translations(
        &self,
        locale: &str,
        format: ExchangeFormat,
    ) -> Result<String, TranslationError> {
        let locale = self.translation_locale(locale)?;
        let state = self.catalog_state()?;
        let units = state.context(&locale).export(format);
        let config = self.config();
        Ok(match format {
            ExchangeFormat::Xliff => xliff::write(&config.default_locale, &locale, &units),
            ExchangeFormat::Po => po::write(&config.name, &config.default_locale, &locale, &units),
        })
    }

    /// Imports an XLIFF 2.0 or PO file (`name` for messages; the format from its extension
    /// or content). Everything is validated first; when anything is rejected, or on a dry
    /// run, nothing is written. The locale comes from the file (`trgLang`, `Language`).
    pub fn import_translations(
        &mut self,
        name: &str,
        text: &str,
        dry_run: bool,
    ) -> Result<ImportReport, TranslationError> {
        let format = detect_format(name, text);
        let parsed: ImportedFile = match format {
            ExchangeFormat::Xliff => xliff::parse(name, text),
            ExchangeFormat::Po => po::parse(name, text),
        };
        let config = self.config();
        let wrong_locale = |message: String, locale: String| ImportReport {
            locale,
            format,
            applied: false,
            changed: Vec::new(),
            unchanged: 0,
            untranslated: 0,
            rejected: vec![ImportRejection {
                key: None,
                reason: RejectReason::WrongLocale,
                message,
                location: Some(letterpress_engine::Location::start_of(name)),
            }],
            written: Vec::new(),
        };
        let declared = parsed.target_locale.clone().unwrap_or_default();
        if !parsed.rejected.is_empty() && parsed.entries.is_empty() {
            return Ok(ImportReport {
                rejected: parsed.rejected,
                ..wrong_locale(String::new(), declared)
            });
        }
        let locale = match config.resolve_locale(&declared) {
            Some(l) if l == config.default_locale => {
                return Ok(wrong_locale(
                    format!(
                        "the file targets `{l}`, the default locale; import translations into another locale"
                    ),
                    l,
                ));
            }
            Some(l) => l,
            None if declared.is_empty() => {
                return Ok(wrong_locale(
                    "the file does not name its target locale (XLIFF `trgLang`, PO `Language` header)".into(),
                    declared,
                ));
            }
            None => {
                return Ok(wrong_locale(
                    format!(
                        "the file targets `{declared}`, which is not a locale of this project ({})",
                        config.locales.join(", ")
                    ),
                    declared,
                ));
            }
        };
        if let Some(source) = &parsed.source_locale
            && config.resolve_locale(source).as_deref() != Some(config.default_locale.as_str())
        {
            return Ok(wrong_locale(
                format!(
                    "the file's source language is `{source}`, but this project's default locale is `{}`",
                    config.default_locale
                ),
                locale,
            ));
        }
        let state = self.catalog_state()?;
        let plan = state.context(&locale).plan_import(parsed, &state.files);
        let mut report = plan.report;
        if dry_run || !report.rejected.is_empty() || plan.files.is_empty() {
            return Ok(report);
        }
        report.written = self.write_files(&plan.files)?;
        report.applied = true;
        Ok(report)
    }

    /// Keys whose text in `locale` (or the fallback shown for it) matches text clicked in
    /// the preview, best match first.
    pub fn keys_for_text(&self, locale: &str, snippet: &str) -> Result<Vec<String>, StudioError> {
        let state = self.catalog_state()?;
        let chain = match self.config().resolve_locale(locale) {
            Some(l) => self.config().fallback_chain(&l),
            None => vec![self.config().default_locale.clone()],
        };
        let units = chain.iter().flat_map(|l| state.units(l).iter());
        Ok(letterpress_locales::usage::keys_for_text(units, snippet))
    }

    /// The default locale's units rendered in a pseudo-locale (`en-XA`, `ar-XB`): key → text.
    pub fn pseudo_translations(
        &self,
        tag: &str,
    ) -> Result<Vec<(String, String)>, TranslationError> {
        let pseudo = PseudoLocale::from_tag(tag).ok_or_else(|| {
            TranslationError::Locale(format!("`{tag}` is not a pseudo-locale (en-XA, ar-XB)"))
        })?;
        let state = self.catalog_state()?;
        let mut out = Vec::new();
        for unit in state.source().iter() {
            let text = pseudo
                .unit(&unit.text)
                .map_err(|error| LocalesError::Syntax {
                    key: unit.key.clone(),
                    error,
                })?;
            out.push((unit.key.clone(), text));
        }
        Ok(out)
    }

    /// Adds a locale: validates the BCP 47 code, creates `locales/<code>/` with the default
    /// locale's file names (a comment each), then appends it to `project.locales` in
    /// letterpress.toml keeping the rest of the file as it is. Returns the tag and direction.
    pub fn add_locale(&mut self, code: &str) -> Result<LocaleEntry, TranslationError> {
        let config = self.config().clone();
        let tag = validate_new_locale(code, &config.locales)?;
        let manifest = self.root().join(PROJECT_FILE);
        let text = std::fs::read_to_string(&manifest).map_err(io_error(&manifest))?;
        let mut doc: toml_edit::DocumentMut = text.parse().map_err(|e: toml_edit::TomlError| {
            StudioError::Config(Box::new(Diagnostic::error(
                Code::InvalidConfig,
                e.message().to_owned(),
                None,
            )))
        })?;
        let Some(list) = doc
            .get_mut("project")
            .and_then(|p| p.get_mut("locales"))
            .and_then(|l| l.as_array_mut())
        else {
            return Err(TranslationError::Locale(
                "letterpress.toml has no project.locales list".into(),
            ));
        };
        list.push(tag.as_str());
        let dir = LocaleInfo::new(&tag).dir.to_owned();
        let state = self.catalog_state()?;
        let mut names: BTreeSet<String> = state
            .source()
            .iter()
            .map(|u| letterpress_locales::exchange::file_name(&u.file).to_owned())
            .collect();
        for path in state.files.keys() {
            if let Some(name) = path
                .strip_prefix(&format!("locales/{}/", config.default_locale))
                .filter(|n| n.ends_with(".ftl"))
            {
                names.insert(name.to_owned());
            }
        }
        let mut files = BTreeMap::new();
        for name in names {
            let path = format!("locales/{tag}/{name}");
            if self.root().join(&path).exists() {
                continue;
            }
            files.insert(
                path,
                format!(
                    "### {tag} ({dir}) translations of locales/{}/{name}.\n",
                    config.default_locale
                ),
            );
        }
        std::fs::create_dir_all(self.root().join("locales").join(&tag))
            .map_err(io_error(&self.root().join("locales")))?;
        // Catalogs first: if writing the manifest fails, the project is still as configured.
        let mut written_files = files;
        written_files.insert(PROJECT_FILE.to_owned(), doc.to_string());
        self.write_files(&written_files)?;
        Ok(LocaleEntry { tag, dir })
    }

    /// Creates `templates/<id>/body.<locale>.mjml` from the template's base body, so the
    /// locale can have its own layout or wording. Returns its path.
    pub fn create_override(
        &mut self,
        template: &str,
        locale: &str,
    ) -> Result<String, TranslationError> {
        let locale = self.config().resolve_locale(locale).ok_or_else(|| {
            TranslationError::Locale(format!("`{locale}` is not a locale of this project"))
        })?;
        if !self.templates()?.iter().any(|t| t.id == template) {
            return Err(StudioError::NotFound(format!("no template `{template}`")).into());
        }
        let path = paths::body(template, Some(&locale));
        if self.source(&path).is_some() {
            return Err(TranslationError::Exists(path));
        }
        let base = self.source(&paths::body(template, None)).ok_or_else(|| {
            StudioError::NotFound(format!("template `{template}` has no body.mjml"))
        })?;
        self.write_files(&BTreeMap::from([(path.clone(), base.to_string())]))?;
        Ok(path)
    }
}

/// XLIFF for `.xlf`/`.xliff` names or XML content, else PO.
pub fn detect_format(name: &str, text: &str) -> ExchangeFormat {
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".xlf") || lower.ends_with(".xliff") {
        return ExchangeFormat::Xliff;
    }
    if lower.ends_with(".po") || lower.ends_with(".pot") {
        return ExchangeFormat::Po;
    }
    let start = text.trim_start_matches('\u{feff}').trim_start();
    if start.starts_with('<') {
        ExchangeFormat::Xliff
    } else {
        ExchangeFormat::Po
    }
}

/// Reads an exchange file from disk and imports it (see [`Project::import_translations`]).
pub fn import_file(
    project: &mut Project,
    file: &Path,
    dry_run: bool,
) -> Result<ImportReport, TranslationError> {
    let text = std::fs::read_to_string(file).map_err(io_error(file))?;
    let name = file
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("import");
    project.import_translations(name, &text, dry_run)
}

/// The grid's use cases for the desktop shell, one method per command.
impl StudioSession {
    /// The locale grid.
    pub fn locale_grid(&self) -> Result<LocaleGrid, StudioError> {
        self.project().locale_grid()
    }

    /// Sets one cell; the preview picks the change up on its next render.
    pub fn set_translation(
        &mut self,
        request: &SetTranslation,
    ) -> Result<GridCell, TranslationError> {
        self.project_mut()
            .set_translation(&request.locale, &request.key, request.text.as_deref())
    }

    /// Renders `request` with `translation` in place of the catalogs' text (unsaved, as the
    /// translator types); an invalid text is refused as by [`StudioSession::set_translation`].
    pub fn preview_translation(
        &self,
        request: &PreviewRequest,
        translation: &SetTranslation,
    ) -> Result<Preview, TranslationError> {
        let started = std::time::Instant::now();
        let out = self.project().preview_translation(
            &crate::session::render_job(request),
            &translation.locale,
            &translation.key,
            translation.text.as_deref(),
            &self.buffers(),
        )?;
        Ok(crate::session::preview_of(out, started))
    }

    /// Exports a locale as XLIFF 2.0 or PO text (the shell saves it where the user chose).
    pub fn export_translations(
        &self,
        locale: &str,
        format: ExchangeFormat,
    ) -> Result<String, TranslationError> {
        self.project().export_translations(locale, format)
    }

    /// Exports a locale as XLIFF 2.0 or PO into `file` (chosen by the user; written
    /// atomically, outside the project as well).
    pub fn export_translations_to(
        &self,
        locale: &str,
        format: ExchangeFormat,
        file: &Path,
    ) -> Result<(), TranslationError> {
        let text = self.project().export_translations(locale, format)?;
        fsx::write_atomic(file, text.as_bytes()).map_err(io_error(file))?;
        Ok(())
    }

    /// Imports an XLIFF/PO file the user picked.
    pub fn import_translations(
        &mut self,
        file: &Path,
        dry_run: bool,
    ) -> Result<ImportReport, TranslationError> {
        import_file(self.project_mut(), file, dry_run)
    }

    /// Imports XLIFF/PO text the UI already holds (drag and drop); `name` gives the format
    /// by its extension and names the file in rejections.
    pub fn import_translations_text(
        &mut self,
        name: &str,
        text: &str,
        dry_run: bool,
    ) -> Result<ImportReport, TranslationError> {
        self.project_mut().import_translations(name, text, dry_run)
    }

    /// Adds a locale.
    pub fn add_locale(&mut self, code: &str) -> Result<LocaleEntry, TranslationError> {
        self.project_mut().add_locale(code)
    }

    /// Creates a per-locale override of a template's body.
    pub fn create_override(
        &mut self,
        template: &str,
        locale: &str,
    ) -> Result<String, TranslationError> {
        self.project_mut().create_override(template, locale)
    }

    /// Keys matching text clicked in the preview.
    pub fn keys_for_text(&self, locale: &str, snippet: &str) -> Result<Vec<String>, StudioError> {
        self.project().keys_for_text(locale, snippet)
    }

    /// Marks translations as current.
    pub fn accept_translations(
        &mut self,
        locale: &str,
        keys: &[String],
    ) -> Result<usize, TranslationError> {
        self.project_mut().accept_translations(locale, keys)
    }
}
