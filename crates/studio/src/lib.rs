//! Letterpress studio: the project on disk and every side effect around the pure engine.
//! One use-case API, called by the CLI (and later the desktop shell).

pub mod bench;
pub mod blocks;
pub mod build;
pub mod bundle;
pub mod disk;
pub mod edit;
pub mod fsx;
pub mod history;
pub mod local_state;
pub mod locales;
pub mod preview_logic;
pub mod remote_images;
pub mod sample;
pub mod send;
pub mod session;
mod sqlite;
pub mod sync;
pub mod templates;
pub mod watch;

pub use build::{BuildEntry, BuildReport};
pub use disk::DiskSources;
pub use edit::{Buffers, EditSession, ExternalChange, OverlaySources, Revision, SaveError};
pub use history::{Author, History, HistoryError, When};
pub use preview_logic::ListCounts;
pub use session::StudioSession;

use letterpress_engine::instrument::MarkedHtml;
use letterpress_engine::{
    Code, Diagnostic, Engine, Limits, LoadError, Location, PROJECT_FILE, ProjectConfig,
    RenderOutput, RenderRequest, Sources, TemplateMeta, paths,
};
use letterpress_protocol::{IpcCode, VariantEntry};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Failures of the studio itself (as opposed to diagnostics about the user's templates).
#[derive(Debug, thiserror::Error)]
pub enum StudioError {
    /// No `letterpress.toml` in the directory or any parent.
    #[error("no letterpress.toml found in {0} or any parent directory")]
    NotAProject(PathBuf),
    /// An I/O error on a path.
    #[error("{path}: {source}")]
    Io {
        /// The path.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The project configuration is invalid.
    #[error("{0}")]
    Config(Box<Diagnostic>),
    /// A named template or fixture does not exist.
    #[error("{0}")]
    NotFound(String),
    /// A request that cannot be carried out as asked: an invalid name, a name already taken,
    /// data that does not parse. Nothing was changed.
    #[error("{0}")]
    Refused(String),
    /// The build found errors (all its diagnostics are here); nothing was written.
    #[error("the build found {} error(s); nothing was written", .0.iter().filter(|d| d.is_error()).count())]
    BuildFailed(Vec<Diagnostic>),
    /// A file the confined reader refused or could not read (`outside-project`,
    /// `too-large`, `io`); nothing outside the project was read.
    #[error(transparent)]
    Source(#[from] letterpress_engine::SourceError),
    /// The editor holds unsaved edits of files the operation would replace or remove.
    #[error(transparent)]
    Unsaved(#[from] session::UnsavedEdits),
    /// A change of a document's text did not fit the text held for it (nothing changed).
    #[error("{0}: the change does not fit the text held for it")]
    StaleText(String),
}

impl StudioError {
    /// A stable code for the error, for JSON output and IPC.
    pub fn code(&self) -> IpcCode {
        match self {
            StudioError::NotAProject(_) => IpcCode::NotAProject,
            StudioError::Io { .. } => IpcCode::Io,
            StudioError::Config(_) => IpcCode::InvalidConfig,
            StudioError::NotFound(_) => IpcCode::NotFound,
            StudioError::Refused(_) => IpcCode::Refused,
            StudioError::BuildFailed(_) => IpcCode::BuildFailed,
            StudioError::Source(e) => source_code(e),
            StudioError::Unsaved(_) => IpcCode::UnsavedEdits,
            StudioError::StaleText(_) => IpcCode::StaleText,
        }
    }
}

/// The stable code of a confined read's failure.
pub(crate) fn source_code(e: &letterpress_engine::SourceError) -> IpcCode {
    match e {
        letterpress_engine::SourceError::OutsideProject(_) => IpcCode::OutsideProject,
        letterpress_engine::SourceError::TooLarge { .. } => IpcCode::TooLarge,
        letterpress_engine::SourceError::Unreadable { .. } => IpcCode::Io,
    }
}

/// A project that no longer loads, as a diagnostic at file:line:col (at the start of
/// `letterpress.toml` when the error has no place of its own).
pub(crate) fn config_diagnostic(e: &StudioError) -> Diagnostic {
    match e {
        StudioError::Config(d) => (**d).clone(),
        other => Diagnostic::error(
            Code::InvalidConfig,
            other.to_string(),
            Some(Location::start_of(PROJECT_FILE)),
        ),
    }
}

/// A project at `root` that does not load, as a studio error.
pub(crate) fn load_error(root: &Path) -> impl FnOnce(LoadError) -> StudioError + '_ {
    move |e| match e {
        LoadError::NoProjectFile => StudioError::NotAProject(root.to_owned()),
        LoadError::Invalid(d) => StudioError::Config(d),
    }
}

impl From<disk::WriteTargetError> for StudioError {
    fn from(e: disk::WriteTargetError) -> StudioError {
        match e {
            disk::WriteTargetError::Outside(e) => StudioError::Source(e),
            disk::WriteTargetError::Io { path, source } => StudioError::Io { path, source },
        }
    }
}

pub(crate) fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> StudioError + '_ {
    move |source| StudioError::Io {
        path: path.to_owned(),
        source,
    }
}

/// A template as listed in the sidebar / CLI.
#[derive(Debug, Clone, Serialize)]
pub struct TemplateInfo {
    /// Folder name under `templates/`.
    pub id: String,
    /// From template.toml (empty when it cannot be parsed).
    pub description: String,
    /// Fixture names, sorted (`default` first when present).
    pub fixtures: Vec<String>,
    /// Locales with a per-locale body override.
    pub overrides: Vec<String>,
    /// Its A/B variants, the template itself (`a`) first; empty when it has none (or its
    /// template.toml does not parse).
    pub variants: Vec<VariantEntry>,
}

/// The variants of `meta` as the sidebar and the CLI list them.
pub fn variant_entries(id: &str, meta: &TemplateMeta) -> Vec<VariantEntry> {
    if meta.variants.is_empty() {
        return Vec::new();
    }
    let total: u64 = u64::from(meta.base_weight)
        + meta
            .variants
            .iter()
            .map(|v| u64::from(v.weight))
            .sum::<u64>();
    let per_mille =
        |w: u32| u32::try_from((u64::from(w) * 1000 + total / 2) / total.max(1)).unwrap_or(1000);
    let mut out = vec![VariantEntry {
        name: letterpress_engine::BASE_VARIANT.to_owned(),
        weight: meta.base_weight,
        per_mille: per_mille(meta.base_weight),
        body: None,
        changes: Vec::new(),
    }];
    for v in &meta.variants {
        let changes = [
            v.body.as_ref().map(|_| "body"),
            v.subject.as_ref().map(|_| "subject"),
            v.preheader.as_ref().map(|_| "preheader"),
        ];
        out.push(VariantEntry {
            name: v.name.clone(),
            weight: v.weight,
            per_mille: per_mille(v.weight),
            body: v
                .body
                .as_deref()
                .map(|file| paths::body_file(id, Some(file), None)),
            changes: changes.into_iter().flatten().map(str::to_owned).collect(),
        });
    }
    out
}

/// The result of checking every template × locale × fixture.
#[derive(Debug, Clone, Serialize)]
pub struct CheckReport {
    /// Renders performed.
    pub renders: usize,
    /// Unique diagnostics, errors first.
    pub diagnostics: Vec<Diagnostic>,
}

impl CheckReport {
    /// Number of errors.
    pub fn errors(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count()
    }
    /// Number of warnings.
    pub fn warnings(&self) -> usize {
        self.diagnostics.len() - self.errors()
    }
}

/// One unit of work: a template (or one of its A/B variants) in a locale with a fixture.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RenderJob {
    /// Template id.
    pub template: String,
    /// Locale tag.
    pub locale: String,
    /// Fixture name.
    pub fixture: String,
    /// An A/B variant (`None`: the template itself).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
}

/// An open project: its root, configuration and a loaded engine.
pub struct Project {
    root: PathBuf,
    sources: Arc<DiskSources>,
    engine: Engine,
    /// Why the files on disk no longer load, while the last good configuration is in use.
    config_problem: Option<Box<Diagnostic>>,
}

impl Project {
    /// The directory holding `letterpress.toml`, searching `start` and then its parents.
    pub fn discover(start: &Path) -> Result<PathBuf, StudioError> {
        let start = start.canonicalize().map_err(io_error(start))?;
        start
            .ancestors()
            .find(|dir| dir.join(PROJECT_FILE).is_file())
            .map(Path::to_path_buf)
            .ok_or(StudioError::NotAProject(start))
    }

    /// Opens the project at `root` with the default limits.
    pub fn open(root: &Path) -> Result<Project, StudioError> {
        Project::open_with_limits(root, Limits::default())
    }

    /// Opens the project at `root`.
    pub fn open_with_limits(root: &Path, limits: Limits) -> Result<Project, StudioError> {
        let sources =
            Arc::new(DiskSources::new(root, limits.source_bytes).map_err(io_error(root))?);
        let engine = Engine::load(sources.clone(), limits).map_err(load_error(root))?;
        Ok(Project {
            root: sources.root().to_owned(),
            sources,
            engine,
            config_problem: None,
        })
    }

    /// Why `letterpress.toml` or a catalog on disk no longer loads, while the last good
    /// configuration is in use (`None` once they load again).
    pub fn config_problem(&self) -> Option<&Diagnostic> {
        self.config_problem.as_deref()
    }

    /// Takes changes on disk into account: forgets cached files and, when the configuration or
    /// a catalog changed, reloads them. Call it for every [`watch::Change`].
    pub fn reload(&mut self, changed: &[String]) -> Result<(), StudioError> {
        if changed.is_empty() {
            self.sources.invalidate();
        } else {
            for path in changed {
                self.sources.invalidate_path(path);
            }
        }
        let engine_inputs_changed = changed.is_empty()
            || changed
                .iter()
                .any(|p| p == PROJECT_FILE || (p.starts_with("locales/") && p.ends_with(".ftl")));
        if engine_inputs_changed {
            match Project::open_with_limits(&self.root, *self.engine.limits()) {
                Ok(reloaded) => *self = reloaded,
                Err(e) => {
                    // The last good configuration and catalogs stay; templates changed in
                    // the same batch are still read afresh.
                    self.engine = self.engine.with_sources(self.sources.clone());
                    self.config_problem = Some(Box::new(config_diagnostic(&e)));
                    return Err(e);
                }
            }
        } else {
            // Compiled templates are cached by the environment: start from a fresh one.
            self.engine = self.engine.with_sources(self.sources.clone());
        }
        Ok(())
    }

    /// Renders one job with unsaved editor buffers (`path → text`) in place of the files on
    /// disk: templates, layouts, partials, fixtures, catalogs and letterpress.toml alike.
    pub fn preview(&self, job: &RenderJob, buffers: &Buffers) -> RenderOutput {
        self.preview_with(job, buffers, true)
    }

    /// [`Project::preview`], deriving the text part from the HTML only when `text` is set
    /// (the app's live preview asks for it while the text part is shown).
    pub fn preview_with(&self, job: &RenderJob, buffers: &Buffers, text: bool) -> RenderOutput {
        self.preview_shaped(job, buffers, text, &ListCounts::default())
    }

    /// [`Project::preview_with`] with the fixture's lists cut or repeated to `lists` (the
    /// preview's "preview with N items").
    pub fn preview_shaped(
        &self,
        job: &RenderJob,
        buffers: &Buffers,
        text: bool,
        lists: &ListCounts,
    ) -> RenderOutput {
        self.preview_over(buffers, |engine, sources| {
            render_with(engine, sources, job, text, lists)
        })
        .unwrap_or_else(RenderOutput::with_error)
    }

    /// [`Project::preview_with`] plus the same email with the markers of the visual mapping
    /// (`None` where the template cannot be mapped: see `letterpress_engine::instrument`).
    pub fn preview_with_markers(
        &self,
        job: &RenderJob,
        buffers: &Buffers,
        text: bool,
        lists: &ListCounts,
    ) -> (RenderOutput, Option<MarkedHtml>) {
        self.preview_over(buffers, |engine, sources| {
            let data = match job_data(sources, job) {
                Ok(mut data) => {
                    lists.apply(&mut data);
                    data
                }
                Err(d) => return (RenderOutput::with_error(*d), None),
            };
            let request = RenderRequest {
                template: &job.template,
                locale: &job.locale,
                data: &data,
                variant: job.variant.as_deref(),
            };
            engine.render_with_markers(&request, text)
        })
        .unwrap_or_else(|d| (RenderOutput::with_error(d), None))
    }

    /// Calls `render` with the engine and sources that see `buffers` over the disk (a fresh
    /// engine when `letterpress.toml` or a catalog is among them). `Err`: those buffers do
    /// not load.
    fn preview_over<T>(
        &self,
        buffers: &Buffers,
        render: impl FnOnce(&Engine, &dyn Sources) -> T,
    ) -> Result<T, Diagnostic> {
        if buffers.is_empty() {
            return Ok(render(&self.engine, self.sources.as_ref()));
        }
        let overlay = Arc::new(OverlaySources {
            base: self.sources.clone(),
            buffers: buffers.clone(),
        });
        let catalogs_edited = buffers
            .keys()
            .any(|p| p == PROJECT_FILE || (p.starts_with("locales/") && p.ends_with(".ftl")));
        let engine = if catalogs_edited {
            match Engine::load(overlay.clone(), *self.engine.limits()) {
                Ok(engine) => engine,
                Err(LoadError::Invalid(d)) => return Err(*d),
                // The buffer of letterpress.toml cannot be missing; the disk's may be.
                Err(LoadError::NoProjectFile) => self.engine.with_sources(overlay.clone()),
            }
        } else {
            self.engine.with_sources(overlay.clone())
        };
        Ok(render(&engine, overlay.as_ref()))
    }

    /// Templates whose render reads `path` (a layout, partial, or one of their own files).
    pub fn dependents(&self, path: &str) -> Result<Vec<String>, StudioError> {
        let mut out = Vec::new();
        for t in self.templates()? {
            if path.starts_with(&format!("templates/{}/", t.id)) {
                out.push(t.id);
                continue;
            }
            let mut bodies = vec![paths::body(&t.id, None)];
            bodies.extend(t.overrides.iter().map(|l| paths::body(&t.id, Some(l))));
            let uses = bodies.iter().any(|body| {
                let (files, _) = letterpress_engine::deps::walk(
                    self.sources.as_ref(),
                    body,
                    self.engine.limits(),
                );
                files.iter().any(|f| f == path)
            });
            if uses {
                out.push(t.id);
            }
        }
        Ok(out)
    }

    /// Saves `text` to the project file `path` atomically. `base` is the revision the editor
    /// loaded: when the file changed on disk since then, nothing is written and the disk's
    /// text comes back as a conflict. `base: None` overwrites (after the user chose to).
    pub fn save(
        &self,
        path: &str,
        text: &str,
        base: Option<Revision>,
    ) -> Result<Revision, SaveError> {
        let full = disk::confined_write_target(&self.root, path).map_err(|e| match e {
            disk::WriteTargetError::Outside(e) => SaveError::Refused(e.to_string()),
            e => SaveError::Io(e.into()),
        })?;
        if let Some(base) = base {
            let on_disk = match std::fs::read_to_string(&full) {
                Ok(t) => Some(t),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
                Err(e) => return Err(SaveError::Io(io_error(&full)(e))),
            };
            let disk_revision = on_disk.as_deref().map_or(Revision::ABSENT, Revision::of);
            if disk_revision != base {
                return Err(SaveError::Conflict {
                    path: path.to_owned(),
                    theirs: on_disk,
                });
            }
        }
        fsx::write_atomic(&full, text.as_bytes()).map_err(|e| SaveError::Io(io_error(&full)(e)))?;
        self.sources.invalidate_path(path);
        Ok(Revision::of(text))
    }

    /// The project root (canonical).
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The engine.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// The configuration.
    pub fn config(&self) -> &ProjectConfig {
        self.engine.config()
    }

    /// The text of a project file, for source excerpts in diagnostics.
    pub fn source(&self, path: &str) -> Option<Arc<str>> {
        self.sources.read(path).ok().flatten()
    }

    /// Every template (folders under `templates/` with a template.toml), sorted by id.
    pub fn templates(&self) -> Result<Vec<TemplateInfo>, StudioError> {
        let dir = self.root.join("templates");
        let mut out = Vec::new();
        for id in sorted_entries(&dir)? {
            let meta_path = paths::meta(&id);
            let Some(meta_text) = self.source(&meta_path) else {
                continue;
            };
            let meta = TemplateMeta::parse(&meta_path, &meta_text).ok();
            let description = meta
                .as_ref()
                .map(|m| m.description.clone())
                .unwrap_or_default();
            let variants = meta
                .as_ref()
                .map(|m| variant_entries(&id, m))
                .unwrap_or_default();
            let mut fixtures: Vec<String> = sorted_entries(&dir.join(&id).join("fixtures"))?
                .into_iter()
                .filter_map(|f| f.strip_suffix(".json").map(str::to_owned))
                .collect();
            if let Some(i) = fixtures.iter().position(|f| f == "default") {
                let d = fixtures.remove(i);
                fixtures.insert(0, d);
            }
            let overrides = self
                .config()
                .locales
                .iter()
                .filter(|l| self.source(&paths::body(&id, Some(l))).is_some())
                .cloned()
                .collect();
            out.push(TemplateInfo {
                id,
                description,
                fixtures,
                overrides,
                variants,
            });
        }
        Ok(out)
    }

    /// Reads and parses a fixture; problems come back as a diagnostic at the JSON error.
    pub fn fixture(
        &self,
        template: &str,
        name: &str,
    ) -> Result<serde_json::Value, Box<Diagnostic>> {
        read_fixture(self.sources.as_ref(), template, name)
    }

    /// Renders a template in a locale with a named fixture (`None`: the first fixture, or `{}`).
    pub fn render(
        &self,
        template: &str,
        locale: Option<&str>,
        fixture: Option<&str>,
    ) -> Result<RenderOutput, StudioError> {
        self.render_variant(template, None, locale, fixture)
    }

    /// [`Project::render`] of one A/B variant of the template (`None`: the template itself).
    pub fn render_variant(
        &self,
        template: &str,
        variant: Option<&str>,
        locale: Option<&str>,
        fixture: Option<&str>,
    ) -> Result<RenderOutput, StudioError> {
        let info = self
            .templates()?
            .into_iter()
            .find(|t| t.id == template)
            .ok_or_else(|| {
                StudioError::NotFound(format!(
                    "no template `{template}` in {}",
                    self.root.join("templates").display()
                ))
            })?;
        let fixture = match fixture {
            Some(f) if !info.fixtures.iter().any(|x| x == f) => {
                return Err(StudioError::NotFound(format!(
                    "template `{template}` has no fixture `{f}` (it has: {})",
                    info.fixtures.join(", ")
                )));
            }
            Some(f) => Some(f.to_owned()),
            None => info.fixtures.first().cloned(),
        };
        let locale = locale.unwrap_or(&self.config().default_locale).to_owned();
        Ok(self.render_job(&RenderJob {
            template: template.to_owned(),
            locale,
            fixture: fixture.unwrap_or_default(),
            variant: variant.map(str::to_owned),
        }))
    }

    /// The email of a template × locale × fixture as on disk, ready for a test send
    /// (`letterpress send-test`).
    pub fn prepare_test_send(
        &self,
        template: &str,
        variant: Option<&str>,
        locale: Option<&str>,
        fixture: Option<&str>,
    ) -> Result<send::PreparedSend, StudioError> {
        let render = self.render_variant(template, variant, locale, fixture)?;
        Ok(send::PreparedSend::new(
            &self.root,
            self.config().clone(),
            render,
        ))
    }

    /// Renders a template (or one of its variants) in a locale with `data` (the sender's
    /// messages), with the text part.
    pub fn render_data(
        &self,
        template: &str,
        variant: Option<&str>,
        locale: &str,
        data: &serde_json::Value,
    ) -> RenderOutput {
        self.engine.render(&RenderRequest {
            template,
            locale,
            data,
            variant,
        })
    }

    /// The parsed template.toml of `template`, `None` when it has none or it does not parse.
    pub fn template_meta(&self, template: &str) -> Option<TemplateMeta> {
        let path = paths::meta(template);
        TemplateMeta::parse(&path, &self.source(&path)?).ok()
    }

    /// Renders one job; a bad fixture becomes the render's error.
    pub fn render_job(&self, job: &RenderJob) -> RenderOutput {
        render_with(
            &self.engine,
            self.sources.as_ref(),
            job,
            true,
            &ListCounts::default(),
        )
    }

    /// Every template × variant × locale × fixture (templates without fixtures render once
    /// with `{}`; the template itself is the job without a variant).
    pub fn jobs(&self) -> Result<Vec<RenderJob>, StudioError> {
        let mut jobs = Vec::new();
        for t in self.templates()? {
            let fixtures = if t.fixtures.is_empty() {
                vec![String::new()]
            } else {
                t.fixtures.clone()
            };
            let variants = std::iter::once(None)
                .chain(t.variants.iter().skip(1).map(|v| Some(v.name.clone())));
            for variant in variants {
                for locale in &self.config().locales {
                    for f in &fixtures {
                        jobs.push(RenderJob {
                            template: t.id.clone(),
                            locale: locale.clone(),
                            fixture: f.clone(),
                            variant: variant.clone(),
                        });
                    }
                }
            }
        }
        Ok(jobs)
    }

    /// Renders everything in parallel and reports every unique problem. `progress` is called
    /// with (done, total) from worker threads.
    pub fn check(
        &self,
        progress: &(dyn Fn(usize, usize) + Sync),
    ) -> Result<CheckReport, StudioError> {
        let jobs = self.jobs()?;
        let done = AtomicUsize::new(0);
        let outputs: Vec<(Vec<Diagnostic>, BTreeSet<String>)> = jobs
            .par_iter()
            .map(|job| {
                let out = self.render_job(job);
                progress(done.fetch_add(1, Ordering::Relaxed) + 1, jobs.len());
                (out.diagnostics, out.used_messages)
            })
            .collect();
        let mut used = BTreeSet::new();
        let mut diagnostics: Vec<Diagnostic> = self.engine.load_diagnostics().to_vec();
        for (d, u) in outputs {
            diagnostics.extend(d);
            used.extend(u);
        }
        for t in self.templates()? {
            if t.fixtures.is_empty() {
                diagnostics.push(Diagnostic::warning(
                    Code::InvalidFixture,
                    format!(
                        "template `{}` has no preview data; add templates/{}/fixtures/default.json",
                        t.id, t.id
                    ),
                    Some(Location::start_of(paths::meta(&t.id))),
                ));
            }
        }
        diagnostics.extend(self.engine.catalog_diagnostics(&used));
        diagnostics.extend(self.translation_diagnostics()?);
        Ok(CheckReport {
            renders: jobs.len(),
            diagnostics: sort_unique(diagnostics),
        })
    }
}

/// Reads and parses a fixture through `sources`.
fn read_fixture(
    sources: &dyn Sources,
    template: &str,
    name: &str,
) -> Result<serde_json::Value, Box<Diagnostic>> {
    let path = paths::fixture(template, name);
    let text = match sources.read(&path) {
        Ok(Some(t)) => t,
        Ok(None) => {
            return Err(Box::new(Diagnostic::error(
                Code::InvalidFixture,
                format!("fixture `{name}` of `{template}` does not exist"),
                None,
            )));
        }
        Err(e) => {
            return Err(Box::new(Diagnostic::error(
                Code::InvalidFixture,
                e.to_string(),
                Some(Location::start_of(&path)),
            )));
        }
    };
    serde_json::from_str(&text).map_err(|e| {
        Box::new(Diagnostic::error(
            Code::InvalidFixture,
            format!("invalid JSON: {e}"),
            Some(Location {
                file: path.clone(),
                line: u32::try_from(e.line()).unwrap_or(1).max(1),
                column: u32::try_from(e.column()).unwrap_or(1).max(1),
            }),
        ))
    })
}

/// Renders a job with `engine`, reading the fixture through `sources`.
fn render_with(
    engine: &Engine,
    sources: &dyn Sources,
    job: &RenderJob,
    text: bool,
    lists: &ListCounts,
) -> RenderOutput {
    let data = match job_data(sources, job) {
        Ok(mut d) => {
            lists.apply(&mut d);
            d
        }
        Err(d) => return RenderOutput::with_error(*d),
    };
    let request = RenderRequest {
        template: &job.template,
        locale: &job.locale,
        data: &data,
        variant: job.variant.as_deref(),
    };
    if text {
        engine.render(&request)
    } else {
        engine.render_without_derived_text(&request)
    }
}

/// The data a job renders with: its fixture, or `{}` without one.
fn job_data(sources: &dyn Sources, job: &RenderJob) -> Result<serde_json::Value, Box<Diagnostic>> {
    if job.fixture.is_empty() {
        Ok(serde_json::Value::Object(serde_json::Map::new()))
    } else {
        read_fixture(sources, &job.template, &job.fixture)
    }
}

/// Errors first, then by location; duplicates (the same problem seen from many renders) once.
pub fn sort_unique(mut diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
    diagnostics.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| a.location.cmp(&b.location))
            .then_with(|| a.code.cmp(&b.code))
            .then_with(|| a.message.cmp(&b.message))
    });
    diagnostics.dedup();
    diagnostics
}

/// Names of the entries of `dir`, sorted; a missing directory is empty.
pub(crate) fn sorted_entries(dir: &Path) -> Result<Vec<String>, StudioError> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(io_error(dir)(e)),
    };
    let mut names = Vec::new();
    for entry in entries {
        let entry = entry.map_err(io_error(dir))?;
        if let Some(name) = entry.file_name().to_str()
            && !name.starts_with('.')
        {
            names.push(name.to_owned());
        }
    }
    names.sort();
    Ok(names)
}

/// The files and folders that make up a project (everything else, like `dist/` or `.git/`,
/// is not copied when starting a new project from another).
pub const PROJECT_ENTRIES: &[&str] = &[
    PROJECT_FILE,
    "templates",
    "layouts",
    "partials",
    "locales",
    "assets",
];

/// Starts a new project at `to` as a copy of the project at `from` (e.g. the bundled sample).
/// `to` must not exist or be empty.
pub fn copy_project(from: &Path, to: &Path) -> Result<(), StudioError> {
    if std::fs::read_dir(to).is_ok_and(|mut d| d.next().is_some()) {
        return Err(io_error(to)(std::io::Error::new(
            std::io::ErrorKind::AlreadyExists,
            "is not empty",
        )));
    }
    std::fs::create_dir_all(to).map_err(io_error(to))?;
    for entry in PROJECT_ENTRIES {
        let src = from.join(entry);
        if src.is_dir() {
            copy_tree(&src, &to.join(entry))?;
        } else if src.is_file() {
            std::fs::copy(&src, to.join(entry)).map_err(io_error(&src))?;
        }
    }
    Ok(())
}

pub(crate) fn copy_tree(from: &Path, to: &Path) -> Result<(), StudioError> {
    std::fs::create_dir_all(to).map_err(io_error(to))?;
    for entry in std::fs::read_dir(from).map_err(io_error(from))? {
        let entry = entry.map_err(io_error(from))?;
        let target = to.join(entry.file_name());
        let kind = entry.file_type().map_err(io_error(&entry.path()))?;
        if kind.is_dir() {
            copy_tree(&entry.path(), &target)?;
        } else if kind.is_file() {
            std::fs::copy(entry.path(), &target).map_err(io_error(&entry.path()))?;
        }
    }
    Ok(())
}

/// Renders a standalone `.mjml` file outside any project, like the mjml CLI.
pub fn render_standalone(file: &Path, limits: Limits) -> Result<RenderOutput, StudioError> {
    let dir = match file.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    };
    let name = file
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| StudioError::NotFound(format!("{} is not a file name", file.display())))?;
    if !file.is_file() {
        return Err(StudioError::NotFound(format!(
            "{} does not exist",
            file.display()
        )));
    }
    let sources = Arc::new(DiskSources::new(&dir, limits.source_bytes).map_err(io_error(&dir))?);
    let engine = Engine::standalone(sources, limits);
    Ok(engine.render_mjml_file(name))
}
