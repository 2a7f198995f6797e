//! Letterpress engine: turns a template, a locale and preview data into an email.
//!
//! Pure: no file system, network, clock or threads of its own. Files come in through
//! [`Sources`]; the same engine renders the preview, the build/export and production.
//!
//! Pipeline: Jinja (minijinja, strict undefined, HTML escaping, `t()` for Fluent) → MJML →
//! mrml → HTML, plus subject, preheader and a text part, with [`Diagnostic`]s that point at
//! file:line:col.

#![forbid(unsafe_code)]

pub mod bridge;
pub mod bundle;
pub mod catalog;
pub mod config;
pub mod dark;
pub mod deps;
pub mod diagnostic;
pub mod format;
mod guard;
pub mod instrument;
mod jinja;
pub mod load;
mod markup_events;
pub mod mjml;
pub mod properties;
pub mod send_config;
pub mod sources;
pub mod text;

pub use catalog::{CatalogFile, Catalogs, LocaleInfo};
pub use config::{
    BASE_VARIANT, Limits, PROJECT_FILE, ProjectConfig, Provider, TargetConfig, TemplateMeta,
    Variant,
};
pub use diagnostic::{Code, Diagnostic, Location, Severity};
pub use jinja::{escape_markup, normalise_newlines};
pub use load::{LoadError, ProjectFiles};
pub use sources::{MemorySources, SourceError, Sources, check_relative_path};

use jinja::{CatalogsHandle, Findings, RenderScope, SCOPE_VAR};
use minijinja::value::{Serde, Value};
use minijinja::{Environment, ErrorKind, context};
use mrml::prelude::parser::loader::IncludeLoader;
use mrml::prelude::parser::{ParserOptions, loader::IncludeLoaderError};
use mrml::prelude::render::RenderOptions;
use serde::Serialize;
use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

/// Fixture keys the engine provides itself; a fixture may not define them.
pub const RESERVED_KEYS: &[&str] = &["locale", "email", "globals"];

/// What to render: a template of the project, in a locale, with preview (or recipient) data.
#[derive(Debug, Clone, Copy)]
pub struct RenderRequest<'a> {
    /// Template id: the folder name under `templates/`.
    pub template: &'a str,
    /// A configured locale (tags are normalised: `de_at` works for `de-AT`).
    pub locale: &'a str,
    /// The data: a JSON object (a fixture, or a recipient's data at send time).
    pub data: &'a serde_json::Value,
    /// An A/B variant of the template (`template.toml`'s `[variants.<name>]`); `None` or
    /// [`BASE_VARIANT`]: the template itself.
    pub variant: Option<&'a str>,
}

/// A rendered email and everything found while rendering it.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RenderOutput {
    /// The HTML part (empty when an error stopped the render).
    pub html: String,
    /// The plain-text part.
    pub text: String,
    /// The MJML that the Jinja layer produced (what mrml rendered), for debugging and for
    /// comparing with other MJML implementations.
    pub mjml: String,
    /// The subject line.
    pub subject: String,
    /// The preheader (inbox preview text).
    pub preheader: String,
    /// Errors and warnings, errors first.
    pub diagnostics: Vec<Diagnostic>,
    /// Project files this render read (body, layouts, partials, template.toml...).
    pub files: Vec<String>,
    /// Fluent message ids the render asked for.
    pub used_messages: BTreeSet<String>,
    /// Locale and direction used.
    pub locale: Option<LocaleInfo>,
}

impl RenderOutput {
    /// True when there is no error (warnings allowed).
    pub fn is_ok(&self) -> bool {
        !self.diagnostics.iter().any(Diagnostic::is_error)
    }

    /// An output that only carries `error` (e.g. the preview data could not be read).
    pub fn with_error(error: Diagnostic) -> RenderOutput {
        RenderOutput::default().failed(error)
    }

    fn failed(mut self, d: Diagnostic) -> RenderOutput {
        self.diagnostics.push(d);
        self.finish()
    }

    fn finish(mut self) -> RenderOutput {
        let mut seen = std::collections::HashSet::new();
        self.diagnostics.retain(|d| seen.insert(d.clone()));
        self.diagnostics.sort_by(|a, b| {
            b.severity
                .cmp(&a.severity)
                .then_with(|| a.location.cmp(&b.location))
        });
        if !self.is_ok() {
            self.html.clear();
            self.text.clear();
        }
        self
    }
}

/// Paths of a template's files.
pub mod paths {
    /// `templates/<id>/template.toml`
    pub fn meta(id: &str) -> String {
        format!("templates/{id}/template.toml")
    }
    /// `templates/<id>/body.mjml`, or the per-locale override `body.<locale>.mjml`.
    pub fn body(id: &str, locale: Option<&str>) -> String {
        body_file(id, None, locale)
    }
    /// [`body`] of a body file named by a variant (`body.b.mjml`; `None`: `body.mjml`), or
    /// its per-locale override (`body.b.<locale>.mjml`).
    pub fn body_file(id: &str, file: Option<&str>, locale: Option<&str>) -> String {
        let file = file.unwrap_or("body.mjml");
        match locale {
            Some(l) => {
                let stem = file.strip_suffix(".mjml").unwrap_or(file);
                format!("templates/{id}/{stem}.{l}.mjml")
            }
            None => format!("templates/{id}/{file}"),
        }
    }
    /// `templates/<id>/text.txt`, the optional hand-written text part.
    pub fn text(id: &str) -> String {
        format!("templates/{id}/text.txt")
    }
    /// `templates/<id>/fixtures/<name>.json`
    pub fn fixture(id: &str, name: &str) -> String {
        format!("templates/{id}/fixtures/{name}.json")
    }
}

/// A loaded project, ready to render any template × locale × data, from many threads.
pub struct Engine {
    config: ProjectConfig,
    limits: Limits,
    sources: Arc<dyn Sources>,
    env: Environment<'static>,
    catalogs: Arc<CatalogsHandle>,
    globals: Value,
    load_diagnostics: Vec<Diagnostic>,
    /// The same project prepared for the send-time bridge, built on first use.
    bridge: OnceLock<Box<Engine>>,
    /// The same project with preview markers (see [`instrument`]), built on first use.
    instrumented: OnceLock<Box<Engine>>,
    /// Set on the instrumented engine: the files it marked, by number.
    marking: Option<Arc<instrument::MarkingSources>>,
    /// The marked sources of the instrumented engines, shared by [`Engine::with_sources`].
    markings: Arc<instrument::Markings>,
}

/// The data a render sees: JSON (a fixture or a recipient's data), or symbolic recipient
/// data for the send-time bridge.
enum Data<'a> {
    Json(&'a serde_json::Value),
    Symbolic(Arc<bridge::BridgeState>),
}

impl Engine {
    /// Loads a project from its configuration, catalogs and sources. Catalog problems are kept
    /// in [`load_diagnostics`](Self::load_diagnostics); the engine still renders.
    pub fn new(
        config: ProjectConfig,
        catalog_files: Vec<CatalogFile>,
        sources: Arc<dyn Sources>,
        limits: Limits,
    ) -> Engine {
        let (catalogs, load_diagnostics) = Catalogs::build(&config, catalog_files, &limits);
        let env = jinja::environment(sources.clone(), &limits);
        let globals = Value::from(Serde(&config.globals));
        Engine {
            config,
            limits,
            sources,
            env,
            catalogs: Arc::new(CatalogsHandle(catalogs)),
            globals,
            load_diagnostics,
            bridge: OnceLock::new(),
            instrumented: OnceLock::new(),
            marking: None,
            markings: Arc::default(),
        }
    }

    /// The same project (configuration, catalogs) reading its templates from other sources:
    /// the live preview overlays unsaved editor buffers on the disk this way. Cheap: catalogs
    /// are shared, only the template cache starts empty (the preview markers of files whose
    /// text is unchanged are shared too).
    pub fn with_sources(&self, sources: Arc<dyn Sources>) -> Engine {
        Engine {
            config: self.config.clone(),
            limits: self.limits,
            env: jinja::environment(sources.clone(), &self.limits),
            sources,
            catalogs: self.catalogs.clone(),
            globals: self.globals.clone(),
            load_diagnostics: self.load_diagnostics.clone(),
            bridge: OnceLock::new(),
            instrumented: OnceLock::new(),
            marking: None,
            markings: self.markings.clone(),
        }
    }

    /// An engine for standalone `.mjml` files (no project, one locale, no catalogs).
    pub fn standalone(sources: Arc<dyn Sources>, limits: Limits) -> Engine {
        Engine::new(ProjectConfig::standalone(), Vec::new(), sources, limits)
    }

    /// The project configuration.
    pub fn config(&self) -> &ProjectConfig {
        &self.config
    }

    /// The limits in force.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Problems found while loading catalogs (syntax errors, duplicates).
    pub fn load_diagnostics(&self) -> &[Diagnostic] {
        &self.load_diagnostics
    }

    /// The catalogs.
    pub fn catalogs(&self) -> &Catalogs {
        &self.catalogs.0
    }

    /// The parsed `template.toml` of `template` (its subject, preheader, A/B variants);
    /// `None` when there is none or it does not parse (a render says why).
    pub fn template_meta(&self, template: &str) -> Option<TemplateMeta> {
        let path = paths::meta(template);
        let text = self.read(&path).ok().flatten()?;
        TemplateMeta::parse(&path, &text).ok()
    }

    /// Renders one template in one locale with `data`.
    pub fn render(&self, request: &RenderRequest<'_>) -> RenderOutput {
        self.render_contained(request, true)
    }

    /// [`Engine::render`] without deriving the text part from the HTML (a hand-written
    /// `text.txt` is still rendered, with its diagnostics): for a live preview that shows the
    /// HTML, where deriving the text is about half the work.
    pub fn render_without_derived_text(&self, request: &RenderRequest<'_>) -> RenderOutput {
        self.render_contained(request, false)
    }

    /// [`Engine::render_without_derived_text`] (or with, when `derive_text`) plus the same
    /// email with preview markers, for the app's visual mapping: `marked_html` is set only
    /// when removing the markers gives this render's HTML byte for byte (see
    /// [`instrument`]); `marked_files` numbers the files the markers name.
    pub fn render_with_markers(
        &self,
        request: &RenderRequest<'_>,
        derive_text: bool,
    ) -> (RenderOutput, Option<instrument::MarkedHtml>) {
        let plain = self.render_contained(request, derive_text);
        if !plain.is_ok() {
            return (plain, None);
        }
        let marked = self
            .render_marked(request)
            .filter(|m| instrument::strip_marks(&m.html) == plain.html);
        (plain, marked)
    }

    /// The email with preview markers alone, not checked against the plain render (that is
    /// [`Engine::render_with_markers`]); `None` when it does not render.
    pub fn render_marked(&self, request: &RenderRequest<'_>) -> Option<instrument::MarkedHtml> {
        let engine = self.instrumented.get_or_init(|| {
            let marking = Arc::new(instrument::MarkingSources::new(
                self.sources.clone(),
                self.markings.clone(),
            ));
            let sources: Arc<dyn Sources> = marking.clone();
            Box::new(Engine {
                config: self.config.clone(),
                limits: self.limits,
                env: jinja::environment(sources.clone(), &self.limits),
                sources,
                catalogs: self.catalogs.clone(),
                globals: self.globals.clone(),
                load_diagnostics: Vec::new(),
                bridge: OnceLock::new(),
                instrumented: OnceLock::new(),
                marking: Some(marking),
                markings: self.markings.clone(),
            })
        });
        guard::contained(&paths::meta(request.template), || {
            engine.render_with(
                request.template,
                request.variant,
                request.locale,
                Data::Json(request.data),
                false,
            )
        })
        .ok()
        .filter(RenderOutput::is_ok)
        .map(|m| instrument::MarkedHtml {
            html: m.html,
            files: engine
                .marking
                .as_ref()
                .map(|f| f.files())
                .unwrap_or_default(),
            names: engine
                .marking
                .as_ref()
                .map(|f| f.names())
                .unwrap_or_default(),
            offsets: engine
                .marking
                .as_ref()
                .map(|f| f.offsets())
                .unwrap_or_default(),
            opaque: engine
                .marking
                .as_ref()
                .map(|f| f.opaque())
                .unwrap_or_default(),
        })
    }

    /// A render with any panic inside it reported as an `internal-error` for the template.
    fn render_contained(&self, request: &RenderRequest<'_>, derive_text: bool) -> RenderOutput {
        guard::contained(&paths::meta(request.template), || {
            self.render_with(
                request.template,
                request.variant,
                request.locale,
                Data::Json(request.data),
                derive_text,
            )
        })
        .unwrap_or_else(RenderOutput::with_error)
    }

    /// Compiles one template in one locale for a sending service: build-time parts resolved,
    /// recipient data left as the service's own expressions (see [`bridge`]). Errors (and
    /// everything that cannot be bridged) come back as diagnostics with file and line.
    pub fn compile_send_time(
        &self,
        template: &str,
        locale: &str,
        dialect: bridge::Dialect,
    ) -> Result<bridge::SendTimeTemplate, Vec<Diagnostic>> {
        self.compile_send_time_variant(template, None, locale, dialect)
    }

    /// [`Engine::compile_send_time`] of one A/B variant of the template (`None`: the template
    /// itself).
    pub fn compile_send_time_variant(
        &self,
        template: &str,
        variant: Option<&str>,
        locale: &str,
        dialect: bridge::Dialect,
    ) -> Result<bridge::SendTimeTemplate, Vec<Diagnostic>> {
        guard::contained(&paths::meta(template), || {
            self.compile_send_time_unguarded(template, variant, locale, dialect)
        })
        .unwrap_or_else(|d| Err(vec![d]))
    }

    fn compile_send_time_unguarded(
        &self,
        template: &str,
        variant: Option<&str>,
        locale: &str,
        dialect: bridge::Dialect,
    ) -> Result<bridge::SendTimeTemplate, Vec<Diagnostic>> {
        let engine = self.bridge.get_or_init(|| {
            let sources: Arc<dyn Sources> =
                Arc::new(bridge::RewritingSources(self.sources.clone()));
            let mut env = jinja::environment(sources.clone(), &self.limits);
            bridge::install(&mut env);
            Box::new(Engine {
                config: self.config.clone(),
                limits: self.limits,
                sources,
                env,
                catalogs: self.catalogs.clone(),
                globals: self.globals.clone(),
                load_diagnostics: Vec::new(),
                bridge: OnceLock::new(),
                instrumented: OnceLock::new(),
                marking: None,
                markings: self.markings.clone(),
            })
        });
        let state = Arc::new(bridge::BridgeState::default());
        let out = engine.render_with(
            template,
            variant,
            locale,
            Data::Symbolic(state.clone()),
            false,
        );
        let body = out
            .files
            .get(1)
            .cloned()
            .unwrap_or_else(|| paths::meta(template));
        let mut errors: Vec<Diagnostic> = out
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .cloned()
            .map(|mut d| {
                if d.code == Code::TemplateRuntime {
                    d.code = Code::SendTimeUnsupported;
                }
                d
            })
            .collect();
        let mut problems = state.problems();
        let html = bridge::to_dialect(&out.html, &state, dialect, true, &mut problems);
        let text = if out.files.contains(&paths::text(template)) {
            bridge::to_dialect(&out.text, &state, dialect, false, &mut problems)
        } else {
            // Derived the way the preview derives it, for any recipient data.
            bridge::derived_text(&out.html, &state, dialect, &mut problems)
        };
        let compiled = bridge::SendTimeTemplate {
            html,
            text,
            subject: bridge::to_dialect(&out.subject, &state, dialect, false, &mut problems),
            preheader: bridge::to_dialect(&out.preheader, &state, dialect, false, &mut problems),
        };
        if compiled.html.contains("%EE%80%80") {
            problems.push("a send-time value was URL-encoded by a filter".into());
        }
        problems.dedup();
        errors.extend(
            problems
                .into_iter()
                .map(|p| bridge::problem_diagnostic(p, &body)),
        );
        if errors.is_empty() {
            Ok(compiled)
        } else {
            Err(errors)
        }
    }

    fn render_with(
        &self,
        id: &str,
        variant: Option<&str>,
        locale: &str,
        data: Data<'_>,
        derive_text: bool,
    ) -> RenderOutput {
        let mut out = RenderOutput::default();
        if id.contains('/') || check_relative_path(id).is_err() {
            return out.failed(Diagnostic::error(
                Code::UnknownTemplate,
                format!("`{id}` is not a template name"),
                None,
            ));
        }
        let meta_path = paths::meta(id);
        let meta_text = match self.read(&meta_path) {
            Ok(Some(t)) => t,
            Ok(None) => {
                return out.failed(Diagnostic::error(
                    Code::UnknownTemplate,
                    format!("template `{id}` does not exist (no {meta_path})"),
                    None,
                ));
            }
            Err(d) => return out.failed(*d),
        };
        out.files.push(meta_path.clone());
        let meta = match TemplateMeta::parse(&meta_path, &meta_text) {
            Ok(m) => m,
            Err(d) => return out.failed(*d),
        };
        let variant = match variant.map(|name| (name, meta.variant(name))) {
            None | Some((_, Ok(None))) => None,
            Some((_, Ok(Some(v)))) => Some(v),
            Some((name, Err(names))) => {
                let there = if names.is_empty() {
                    "it has none".to_owned()
                } else {
                    format!("its variants: {}", names.join(", "))
                };
                return out.failed(Diagnostic::error(
                    Code::UnknownVariant,
                    format!("template `{id}` has no variant `{name}` ({there})"),
                    Some(Location::start_of(&meta_path)),
                ));
            }
        };
        // What the variant changes of the template: its subject, preheader, body.
        let (subject, subject_span) = match variant.and_then(|v| Some((v.subject.as_ref()?, v))) {
            Some((s, v)) => (s, &v.subject_span),
            None => (&meta.subject, &meta.subject_span),
        };
        let (preheader, preheader_span) =
            match variant.and_then(|v| Some((v.preheader.as_ref()?, v))) {
                Some((p, v)) => (p, &v.preheader_span),
                None => (&meta.preheader, &meta.preheader_span),
            };
        let body_file = variant.and_then(|v| v.body.as_deref());
        let configured = self.config.resolve_locale(locale);
        // A pseudo-locale (en-XA, ar-XB) renders the default locale's text, transformed.
        let pseudo = match configured {
            Some(_) => None,
            None => letterpress_locales::pseudo::PseudoLocale::from_tag(locale),
        };
        let Some(locale) = configured.or_else(|| pseudo.map(|p| p.tag().to_owned())) else {
            return out.failed(Diagnostic::error(
                Code::InvalidLocale,
                format!(
                    "`{}` is not a locale of this project ({})",
                    locale,
                    self.config.locales.join(", ")
                ),
                Some(Location::start_of(PROJECT_FILE)),
            ));
        };
        if let Data::Json(json) = data
            && let Err(d) = check_data(json)
        {
            return out.failed(*d);
        }
        let chain = match pseudo {
            Some(_) => vec![locale.clone(), self.config.default_locale.clone()],
            None => self.config.fallback_chain(&locale),
        };
        let scope = Arc::new(RenderScope {
            locale: LocaleInfo::new(&locale),
            chain: chain.clone(),
            format: format::LocaleFormat::for_locale(&locale),
            catalogs: self.catalogs.clone(),
            sources: self.sources.clone(),
            findings: Mutex::new(Findings::default()),
        });
        out.locale = Some(scope.locale.clone());
        let scope_value = Value::from_dyn_object(scope.clone());
        // Engine names win over data keys (check_data refuses collisions anyway).
        let known = context! {
            locale => Value::from(Serde(&scope.locale)),
            globals => self.globals.clone(),
            __letterpress => scope_value,
        };
        let symbolic = match &data {
            Data::Json(_) => None,
            Data::Symbolic(state) => Some(state.clone()),
        };
        let base = match data {
            Data::Json(json) => minijinja::value::merge_maps([known, Value::from(Serde(json))]),
            Data::Symbolic(state) => Value::from_object(bridge::SymbolicRoot::new(known, state)),
        };
        debug_assert!(base.get_attr(SCOPE_VAR).is_ok());

        let inline = |source: &str, span: &std::ops::Range<usize>, part: &str| {
            let name = meta_path.clone();
            let source = match symbolic {
                Some(_) => Cow::Owned(bridge::rewrite(source)),
                None => Cow::Borrowed(source),
            };
            self.env
                .render_named_str(&name, &source, base.clone())
                .map(|s| collapse_whitespace(&s))
                .map_err(|e| self.inline_error(&e, &meta_path, &meta_text, span, part))
        };
        match inline(subject, subject_span, "subject") {
            Ok(s) => out.subject = s,
            Err(d) => out.diagnostics.push(d),
        }
        if !preheader.is_empty() {
            match inline(preheader, preheader_span, "preheader") {
                Ok(s) => out.preheader = s,
                Err(d) => out.diagnostics.push(d),
            }
        }

        // The body (body.mjml, or the variant's): the first per-locale override along the
        // chain (body.de.mjml, body.b.de.mjml), else the body itself.
        let mut body_path = paths::body_file(id, body_file, None);
        if let Some(v) = variant.filter(|_| body_file.is_some()) {
            match self.read(&body_path) {
                Ok(Some(_)) => {}
                // Too large, outside the project...: that file's own diagnostic.
                Err(d) => return out.failed(*d),
                Ok(None) => {
                    let at = Location::at_offset(&meta_path, &meta_text, v.body_span.start);
                    return out.failed(Diagnostic::error(
                        Code::UnknownTemplate,
                        format!(
                            "variant `{}` of template `{id}` names a body that does not \
                             exist ({body_path})",
                            v.name
                        ),
                        Some(at),
                    ));
                }
            }
        }
        for l in &chain {
            let candidate = paths::body_file(id, body_file, Some(l));
            match self.read(&candidate) {
                Ok(Some(_)) => {
                    body_path = candidate;
                    break;
                }
                Ok(None) => {}
                Err(d) => return out.failed(*d),
            }
        }
        match self.read(&body_path) {
            Ok(Some(_)) => {}
            Ok(None) => {
                return out.failed(Diagnostic::error(
                    Code::UnknownTemplate,
                    format!("template `{id}` has no body ({body_path})"),
                    Some(Location::start_of(&meta_path)),
                ));
            }
            Err(d) => return out.failed(*d),
        }
        let (files, problems) = deps::walk(self.sources.as_ref(), &body_path, &self.limits);
        out.files.extend(files.iter().cloned());
        out.diagnostics.extend(problems);
        // Lint findings are warnings; a marked render's diagnostics are not shown (and the
        // lint would read the markers as source), so the instrumented engine skips them.
        if self.marking.is_none() {
            for file in &files {
                if let Ok(Some(text)) = self.read(file) {
                    out.diagnostics.extend(mjml::lint_source(file, &text));
                }
            }
        }
        if !out.is_ok() {
            return self.collect(out, &scope);
        }

        let body_ctx = context! {
            email => context! { subject => out.subject.clone(), preheader => out.preheader.clone() },
            ..base.clone()
        };
        let mjml_source = match self.render_file(&body_path, &body_ctx) {
            Ok(s) => s,
            Err(d) => {
                out.diagnostics.push(d);
                return self.collect(out, &scope);
            }
        };
        let mjml_source = match &symbolic {
            Some(state) => bridge::place_block_markers(&mjml_source, state.as_ref()),
            None => mjml_source,
        };
        let rendered = self.mjml_to_html(&mjml_source, &body_path, &files);
        out.mjml = mjml_source;
        match rendered {
            Ok(html) => out.html = html,
            Err(d) => {
                out.diagnostics.push(d);
                return self.collect(out, &scope);
            }
        }

        let text_path = paths::text(id);
        match self.read(&text_path) {
            Ok(Some(_)) => {
                out.files.push(text_path.clone());
                match self.render_file(&text_path, &body_ctx) {
                    Ok(t) => out.text = t,
                    Err(d) => out.diagnostics.push(d),
                }
            }
            // Not wanted (a live preview of the HTML), or derived by the bridge from the
            // finished send-time HTML instead.
            Ok(None) if !derive_text => {}
            Ok(None) => out.text = text::html_to_text(&out.html),
            Err(d) => out.diagnostics.push(*d),
        }
        self.collect(out, &scope)
    }

    /// Renders a standalone `.mjml` file (no Jinja, like the mjml CLI); `mj-include` resolves
    /// relative to the file, inside the sources' root.
    pub fn render_mjml_file(&self, path: &str) -> RenderOutput {
        guard::contained(path, || self.render_mjml_file_unguarded(path))
            .unwrap_or_else(RenderOutput::with_error)
    }

    fn render_mjml_file_unguarded(&self, path: &str) -> RenderOutput {
        let mut out = RenderOutput::default();
        match self.read(path) {
            Ok(Some(text)) => {
                out.files.push(path.to_owned());
                out.diagnostics.extend(mjml::lint_source(path, &text));
                out.mjml = text.to_string();
                match self.mjml_to_html(&text, path, &[path.to_owned()]) {
                    Ok(html) => {
                        out.text = text::html_to_text(&html);
                        out.html = html;
                    }
                    Err(d) => out.diagnostics.push(d),
                }
                out.finish()
            }
            Ok(None) => out.failed(Diagnostic::error(
                Code::UnknownTemplate,
                format!("`{path}` does not exist"),
                None,
            )),
            Err(d) => out.failed(*d),
        }
    }

    /// Catalog-wide checks that need the set of messages used by all renders: messages no
    /// template used (in the default locale), and messages other locales define that the
    /// default locale does not.
    pub fn catalog_diagnostics(&self, used: &BTreeSet<String>) -> Vec<Diagnostic> {
        let catalogs = &self.catalogs.0;
        let default = &self.config.default_locale;
        let mut out = Vec::new();
        for (id, site) in catalogs.messages(default) {
            if !used.contains(id) {
                out.push(Diagnostic::warning(
                    Code::UnusedMessage,
                    format!("message `{id}` is not used by any template"),
                    Some(site.location.clone()),
                ));
            }
        }
        for locale in self.config.locales.iter().filter(|l| *l != default) {
            for (id, site) in catalogs.messages(locale) {
                if !catalogs.has_message(default, id) {
                    out.push(
                        Diagnostic::warning(
                            Code::UnknownMessage,
                            format!(
                                "message `{id}` does not exist in the default locale `{default}`"
                            ),
                            Some(site.location.clone()),
                        )
                        .with_help(format!("add it to locales/{default}/ or remove it")),
                    );
                }
            }
        }
        out
    }

    fn read(&self, path: &str) -> Result<Option<Arc<str>>, Box<Diagnostic>> {
        match self.sources.read(path) {
            Ok(Some(text)) if text.len() > self.limits.source_bytes => {
                Err(Box::new(Diagnostic::error(
                    Code::LimitSourceSize,
                    format!(
                        "file is {} bytes, more than the limit of {} bytes",
                        text.len(),
                        self.limits.source_bytes
                    ),
                    Some(Location::start_of(path)),
                )))
            }
            Ok(Some(text)) if text.contains('\r') => {
                Ok(Some(Arc::from(normalise_newlines(&text).as_ref())))
            }
            Ok(found) => Ok(found),
            Err(SourceError::OutsideProject(p)) => Err(Box::new(Diagnostic::error(
                Code::PathOutsideProject,
                format!("`{p}` leads outside the project"),
                None,
            ))),
            Err(e) => Err(Box::new(Diagnostic::error(
                Code::UnknownTemplate,
                e.to_string(),
                Some(Location::start_of(path)),
            ))),
        }
    }

    fn collect(&self, mut out: RenderOutput, scope: &RenderScope) -> RenderOutput {
        let findings = std::mem::take(
            &mut *scope
                .findings
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        );
        out.diagnostics.extend(findings.diagnostics);
        out.used_messages = findings.used_messages;
        out.finish()
    }

    fn render_file(&self, path: &str, ctx: &Value) -> Result<String, Diagnostic> {
        let template = self
            .env
            .get_template(path)
            .map_err(|e| self.jinja_error(&e, path))?;
        let rendered = template
            .render(ctx.clone())
            .map_err(|e| self.jinja_error(&e, path))?;
        if rendered.len() > self.limits.output_bytes {
            return Err(Diagnostic::error(
                Code::LimitOutputSize,
                format!(
                    "the rendered template is {} bytes, more than the limit of {} bytes",
                    rendered.len(),
                    self.limits.output_bytes
                ),
                Some(Location::start_of(path)),
            ));
        }
        Ok(rendered)
    }

    /// MJML → HTML alone, exactly as a render does after the Jinja layer (depth guard, mrml
    /// with this project's options). `root` names the document for diagnostics and
    /// `mj-include` resolution.
    pub fn render_mjml(&self, mjml_source: &str, root: &str) -> Result<String, Diagnostic> {
        guard::contained(root, || {
            self.mjml_to_html(mjml_source, root, &[root.to_owned()])
        })?
    }

    fn mjml_to_html(
        &self,
        mjml_source: &str,
        root: &str,
        files: &[String],
    ) -> Result<String, Diagnostic> {
        let marked = self
            .marking
            .as_ref()
            .and_then(|_| instrument::apply_marks_measured(mjml_source));
        // The marking pass measures the depth as it goes; otherwise one pass of its own.
        let (mjml_source, (depth, at), measured) = match &marked {
            Some(applied) => (applied.mjml.as_str(), applied.depth, mjml_source),
            None => (mjml_source, mjml::max_depth(mjml_source), mjml_source),
        };
        if depth > self.limits.mjml_depth {
            let snippet: String = measured[at..].chars().take(40).collect();
            return Err(Diagnostic::error(
                Code::LimitMjmlDepth,
                format!(
                    "elements nest {depth} levels deep, more than the limit of {}",
                    self.limits.mjml_depth
                ),
                Some(self.find_in_files(
                    files,
                    snippet.split_whitespace().next().unwrap_or(""),
                    root,
                )),
            ));
        }
        let options = ParserOptions {
            include_loader: Box::new(BoundedIncludeLoader {
                sources: self.sources.clone(),
                root: root.to_owned(),
                remaining: AtomicUsize::new(self.limits.include_depth * 4),
            }),
        };
        let parsed = mrml::parse_with_options(mjml_source, &options).map_err(|e| {
            let location = match mjml::error_span(&e) {
                // Inside an mj-include: the span is in that file.
                Some((Some(include), start, _)) => match sources::join_relative(root, include)
                    .ok()
                    .and_then(|p| self.read(&p).ok().flatten().map(|text| (p, text)))
                {
                    Some((p, text)) => Location::at_offset(p, &text, start),
                    None => Location::start_of(root),
                },
                // In the MJML that Jinja produced: find the offending text in the sources.
                Some((None, start, end)) => {
                    let snippet = mjml_source.get(start..end.min(start + 60)).unwrap_or("");
                    let needle = snippet.split(['>', '\n']).next().unwrap_or(snippet).trim();
                    self.find_in_files(files, needle, root)
                }
                None => Location::start_of(root),
            };
            let message = match &e {
                mrml::prelude::parser::Error::IncludeLoaderError { source, .. } => {
                    format!(
                        "mj-include `{}`: {}",
                        source.path,
                        source.message.unwrap_or("cannot be loaded")
                    )
                }
                other => other.to_string(),
            };
            Diagnostic::error(Code::MjmlSyntax, message, Some(location))
        })?;
        let options = RenderOptions {
            disable_comments: false,
            social_icon_origin: None,
            fonts: self
                .config
                .fonts
                .iter()
                .map(|(k, v)| (k.clone(), Cow::Owned(v.clone())))
                .collect::<HashMap<_, _>>(),
        };
        let html = parsed.element.render(&options).map_err(|e| {
            Diagnostic::error(
                Code::MjmlSyntax,
                e.to_string(),
                Some(Location::start_of(root)),
            )
        })?;
        if html.len() > self.limits.output_bytes {
            return Err(Diagnostic::error(
                Code::LimitOutputSize,
                format!(
                    "the HTML is {} bytes, more than the limit of {} bytes",
                    html.len(),
                    self.limits.output_bytes
                ),
                Some(Location::start_of(root)),
            ));
        }
        Ok(html)
    }

    /// The first place `needle` appears in `files`, or the start of `fallback`.
    fn find_in_files(&self, files: &[String], needle: &str, fallback: &str) -> Location {
        if !needle.is_empty() {
            for file in files {
                if let Ok(Some(text)) = self.read(file)
                    && let Some(offset) = text.find(needle)
                {
                    return Location::at_offset(file, &text, offset);
                }
            }
        }
        Location::start_of(fallback)
    }

    fn jinja_error(&self, e: &minijinja::Error, fallback_file: &str) -> Diagnostic {
        // Errors raised inside an include carry the innermost template in their cause chain.
        let mut innermost = e;
        let mut cur: &dyn std::error::Error = e;
        while let Some(next) = cur.source() {
            if let Some(j) = next.downcast_ref::<minijinja::Error>()
                && j.name().is_some()
            {
                innermost = j;
            }
            cur = next;
        }
        let file = innermost.name().unwrap_or(fallback_file).to_owned();
        let source = self.read(&file).ok().flatten();
        let location = match (&source, innermost.range(), innermost.line()) {
            (Some(src), Some(range), _) => Location::at_offset(&file, src, range.start),
            (Some(src), None, Some(line)) => Location::at_offset(
                &file,
                src,
                diagnostic::line_offset(src, line as u32).unwrap_or(0),
            ),
            _ => Location::start_of(&file),
        };
        let expression = match (&source, innermost.range()) {
            (Some(src), Some(range)) => src.get(range).map(str::to_owned),
            _ => None,
        };
        jinja_diagnostic(innermost, location, expression.as_deref())
    }

    fn inline_error(
        &self,
        e: &minijinja::Error,
        meta_path: &str,
        meta_text: &str,
        span: &std::ops::Range<usize>,
        part: &str,
    ) -> Diagnostic {
        let in_string = span.start..span.end.max(span.start);
        let offset = match (e.range(), e.line()) {
            (Some(r), _) => in_string.start + r.start,
            (None, Some(line)) => {
                let body = &meta_text[in_string.clone()];
                in_string.start + diagnostic::line_offset(body, line as u32).unwrap_or(0)
            }
            _ => in_string.start,
        };
        let expression = e
            .range()
            .and_then(|r| meta_text.get(in_string.start + r.start..in_string.start + r.end));
        let mut d = jinja_diagnostic(
            e,
            Location::at_offset(meta_path, meta_text, offset),
            expression,
        );
        d.message = format!("{part}: {}", d.message);
        d
    }
}

/// The data must be a JSON object that leaves the engine's own names alone.
fn check_data(data: &serde_json::Value) -> Result<(), Box<Diagnostic>> {
    let Some(map) = data.as_object() else {
        return Err(Box::new(Diagnostic::error(
            Code::InvalidFixture,
            "preview data must be a JSON object",
            None,
        )));
    };
    if let Some(key) = map
        .keys()
        .find(|k| RESERVED_KEYS.contains(&k.as_str()) || k.starts_with("__"))
    {
        return Err(Box::new(Diagnostic::error(
            Code::InvalidFixture,
            format!("`{key}` is reserved for the engine; rename this key in the data"),
            None,
        )));
    }
    Ok(())
}

fn jinja_diagnostic(
    e: &minijinja::Error,
    location: Location,
    expression: Option<&str>,
) -> Diagnostic {
    let detail = e.detail().map(str::to_owned);
    let (code, message) = match e.kind() {
        ErrorKind::SyntaxError => (
            Code::TemplateSyntax,
            format!(
                "syntax error: {}",
                detail.unwrap_or_else(|| "unexpected input".into())
            ),
        ),
        ErrorKind::UndefinedError => (
            Code::UndefinedVariable,
            match expression {
                Some(expr) if !expr.trim().is_empty() => {
                    format!("`{}` is undefined in the preview data", expr.trim())
                }
                _ => "undefined value".to_owned(),
            },
        ),
        ErrorKind::TemplateNotFound => (
            Code::MissingInclude,
            detail.unwrap_or_else(|| "template not found".into()),
        ),
        ErrorKind::OutOfFuel => (
            Code::LimitFuel,
            "the template ran out of fuel (too many steps: is there a runaway loop?)".to_owned(),
        ),
        kind => (
            Code::TemplateRuntime,
            match detail {
                Some(d) => format!("{kind}: {d}"),
                None => kind.to_string(),
            },
        ),
    };
    let d = Diagnostic::error(code, message, Some(location));
    match code {
        Code::UndefinedVariable => d.with_help(
            "add it to the fixture, or guard it: {% if x is defined %} or {{ x | default(\"\") }}",
        ),
        _ => d,
    }
}

/// Subjects and preheaders are one line: collapse whitespace left by template tags.
fn collapse_whitespace(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// mrml include loader that reads through [`Sources`] relative to the including file and
/// stops after a fixed number of loads (a self-including file would never end otherwise).
struct BoundedIncludeLoader {
    sources: Arc<dyn Sources>,
    root: String,
    remaining: AtomicUsize,
}

impl std::fmt::Debug for BoundedIncludeLoader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BoundedIncludeLoader")
            .field("root", &self.root)
            .finish_non_exhaustive()
    }
}

impl IncludeLoader for BoundedIncludeLoader {
    fn resolve(&self, path: &str) -> Result<String, IncludeLoaderError> {
        use mrml::prelude::parser::loader::IncludeLoaderError as E;
        use std::io::ErrorKind as K;
        if self
            .remaining
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1))
            .is_err()
        {
            return Err(E::new(path, K::OutOfMemory)
                .with_message("too many mj-include loads (include cycle?)"));
        }
        let joined = sources::join_relative(&self.root, path).map_err(|_| {
            E::new(path, K::PermissionDenied).with_message("path leaves the project")
        })?;
        match self.sources.read(&joined) {
            Ok(Some(text)) => Ok(normalise_newlines(&text).into_owned()),
            Ok(None) => Err(E::not_found(path)),
            Err(_) => {
                Err(E::new(path, K::PermissionDenied).with_message("path leaves the project"))
            }
        }
    }
}
