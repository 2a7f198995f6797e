//! Bundles for self-hosted senders: a published version compiled ahead of time, rendered with
//! each recipient's data at send time by this same engine (what the preview shows is what is
//! sent).
//!
//! A bundle is a set of text files (the studio writes them to a folder; [`Bundle::load`]
//! takes them back as a map, so this module stays free of IO):
//!
//! - `manifest.json`: a [`Manifest`]: the version, and one entry per template × locale (and
//!   per A/B variant, with its weight: the sender picks variants from them);
//! - `compiled/<template>/<locale>/{subject,preheader,text}.txt` and `…/html.html`: the email
//!   with layouts, partials, locale strings and MJML already resolved, and recipient data left
//!   as Jinja (`{{ user.first_name }}`, `{% if %}`, `{% for %}`); see [`crate::bridge`]; a
//!   variant's in `compiled/<template>/<locale>/variant-<name>/`;
//! - `sources/…`: the version's project files, for entries the bridge cannot compile (a money
//!   amount or a plural chosen by recipient data): those render from source at send time,
//!   exactly as the preview does.

use crate::bridge::{Dialect, SendTimeTemplate};
use crate::catalog::LocaleInfo;
use crate::config::{Limits, PROJECT_FILE};
use crate::diagnostic::{Code, Diagnostic, Location};
use crate::sources::MemorySources;
use crate::{Engine, LoadError, RenderOutput, RenderRequest};
use minijinja::Environment;
use minijinja::value::Value;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// Version of the bundle layout; [`Bundle::load`] refuses others.
pub const FORMAT: u32 = 1;
/// The manifest's file name.
pub const MANIFEST: &str = "manifest.json";
/// Where the version's project files are kept.
pub const SOURCES_DIR: &str = "sources";

/// What a bundle holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// [`FORMAT`].
    pub format: u32,
    /// Project name.
    pub project: String,
    /// The version as asked for (a publish tag, a commit).
    pub version: String,
    /// Full commit id.
    pub commit: String,
    /// What wrote it (`letterpress 0.1.0`).
    pub generator: String,
    /// The project's default locale.
    pub default_locale: String,
    /// One per template × locale, sorted.
    pub entries: Vec<ManifestEntry>,
}

/// One template (or one of its A/B variants) in one locale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestEntry {
    /// Template id.
    pub template: String,
    /// The A/B variant (`a` is the template itself); absent when the template has none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
    /// The variant's weight among the template's variants.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<u32>,
    /// Locale tag.
    pub locale: String,
    /// Text direction (`ltr`, `rtl`).
    pub dir: String,
    /// Compiled files, when the bridge could compile this entry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compiled: Option<CompiledFiles>,
    /// Why it renders from source instead (the bridge's diagnostics).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub from_source_because: Vec<String>,
}

/// Paths of an entry's compiled parts, relative to the bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompiledFiles {
    /// Subject line template.
    pub subject: String,
    /// Preheader template.
    pub preheader: String,
    /// HTML template.
    pub html: String,
    /// Plain-text template.
    pub text: String,
}

impl CompiledFiles {
    fn for_entry(template: &str, locale: &str, variant: Option<&str>) -> CompiledFiles {
        let dir = match variant {
            Some(v) => format!("compiled/{template}/{locale}/variant-{v}"),
            None => format!("compiled/{template}/{locale}"),
        };
        CompiledFiles {
            subject: format!("{dir}/subject.txt"),
            preheader: format!("{dir}/preheader.txt"),
            html: format!("{dir}/html.html"),
            text: format!("{dir}/text.txt"),
        }
    }
}

/// Compiles every template × locale of `engine`'s project: the manifest entries and the
/// compiled files to write beside them (path, content).
pub fn compile(
    engine: &Engine,
    templates: &[String],
) -> (Vec<ManifestEntry>, Vec<(String, String)>) {
    let mut entries = Vec::new();
    let mut files = Vec::new();
    for template in templates {
        // The template itself, then each of its variants (each compiled on its own).
        let meta = engine.template_meta(template);
        let variants: Vec<(Option<String>, Option<u32>)> = match &meta {
            Some(m) if !m.variants.is_empty() => {
                std::iter::once((Some(crate::BASE_VARIANT.to_owned()), Some(m.base_weight)))
                    .chain(
                        m.variants
                            .iter()
                            .map(|v| (Some(v.name.clone()), Some(v.weight))),
                    )
                    .collect()
            }
            _ => vec![(None, None)],
        };
        for (variant, weight) in &variants {
            // The template's own files stay where a bundle without variants has them.
            let own = variant.as_deref().filter(|v| *v != crate::BASE_VARIANT);
            for locale in &engine.config().locales {
                let dir = LocaleInfo::new(locale).dir.to_owned();
                let entry = |compiled, from_source_because| ManifestEntry {
                    template: template.clone(),
                    variant: variant.clone(),
                    weight: *weight,
                    locale: locale.clone(),
                    dir: dir.clone(),
                    compiled,
                    from_source_because,
                };
                match engine.compile_send_time_variant(template, own, locale, Dialect::Jinja) {
                    Ok(SendTimeTemplate {
                        subject,
                        preheader,
                        html,
                        text,
                    }) => {
                        let paths = CompiledFiles::for_entry(template, locale, own);
                        files.push((paths.subject.clone(), subject));
                        files.push((paths.preheader.clone(), preheader));
                        files.push((paths.html.clone(), html));
                        files.push((paths.text.clone(), text));
                        entries.push(entry(Some(paths), Vec::new()));
                    }
                    Err(diagnostics) => entries.push(entry(
                        None,
                        diagnostics
                            .iter()
                            .map(|d| match &d.location {
                                Some(at) => format!("{at}: {}", d.message),
                                None => d.message.clone(),
                            })
                            .collect::<BTreeSet<_>>()
                            .into_iter()
                            .collect(),
                    )),
                }
            }
        }
    }
    (entries, files)
}

/// Why a bundle cannot be loaded.
#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    /// `manifest.json` is missing.
    #[error("not a Letterpress bundle: {MANIFEST} is missing")]
    NoManifest,
    /// The manifest does not parse, or is of another format.
    #[error("{MANIFEST}: {0}")]
    BadManifest(String),
    /// A file the manifest lists is missing, or a compiled template does not parse.
    #[error("{path}: {message}")]
    BadFile {
        /// Bundle-relative path.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// The version's configuration does not parse.
    #[error("{0}")]
    Config(Box<Diagnostic>),
}

/// A loaded bundle, ready to render any of its entries with recipient data, from many threads.
pub struct Bundle {
    manifest: Manifest,
    engine: Engine,
    env: Environment<'static>,
}

impl Bundle {
    /// Loads a bundle from its files (bundle-relative path → text).
    pub fn load(files: BTreeMap<String, String>) -> Result<Bundle, BundleError> {
        let manifest_text = files.get(MANIFEST).ok_or(BundleError::NoManifest)?;
        let manifest: Manifest = serde_json::from_str(manifest_text)
            .map_err(|e| BundleError::BadManifest(e.to_string()))?;
        if manifest.format != FORMAT {
            return Err(BundleError::BadManifest(format!(
                "format {} (this engine reads format {FORMAT})",
                manifest.format
            )));
        }
        let prefix = format!("{SOURCES_DIR}/");
        let mut sources = MemorySources::new();
        for (path, text) in &files {
            if let Some(rel) = path.strip_prefix(&prefix) {
                sources.insert(rel, text.as_str());
            }
        }
        let limits = Limits::default();
        let sources: Arc<MemorySources> = Arc::new(sources);
        let engine = Engine::load(sources.clone(), limits).map_err(|e| match e {
            LoadError::NoProjectFile => BundleError::BadFile {
                path: format!("{prefix}{PROJECT_FILE}"),
                message: "missing".into(),
            },
            LoadError::Invalid(d) => BundleError::Config(d),
        })?;
        let mut env = crate::jinja::environment(sources, &limits);
        for entry in &manifest.entries {
            let Some(compiled) = &entry.compiled else {
                continue;
            };
            for path in [
                &compiled.subject,
                &compiled.preheader,
                &compiled.html,
                &compiled.text,
            ] {
                let text = files.get(path).ok_or_else(|| BundleError::BadFile {
                    path: path.clone(),
                    message: "listed in the manifest but missing".into(),
                })?;
                // minijinja drops one trailing newline of a template; the compiled parts end
                // exactly where the preview's output does, so give it one to drop.
                env.add_template_owned(path.clone(), format!("{text}\n"))
                    .map_err(|e| BundleError::BadFile {
                        path: path.clone(),
                        message: e.to_string(),
                    })?;
            }
        }
        Ok(Bundle {
            manifest,
            engine,
            env,
        })
    }

    /// The manifest.
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// Renders `template` in `locale` with a recipient's `data`: from the compiled files when
    /// the entry has them, else from the version's sources. Same output as the preview.
    pub fn render(&self, template: &str, locale: &str, data: &serde_json::Value) -> RenderOutput {
        self.render_variant(template, None, locale, data)
    }

    /// [`Bundle::render`] of one A/B variant of the template (`None`: the template itself).
    pub fn render_variant(
        &self,
        template: &str,
        variant: Option<&str>,
        locale: &str,
        data: &serde_json::Value,
    ) -> RenderOutput {
        crate::guard::contained(&crate::paths::meta(template), || {
            self.render_unguarded(template, variant, locale, data)
        })
        .unwrap_or_else(RenderOutput::with_error)
    }

    /// The version's `template.toml` of `template`, parsed (its variants).
    pub fn template_meta(&self, template: &str) -> Option<crate::TemplateMeta> {
        self.engine.template_meta(template)
    }

    fn render_unguarded(
        &self,
        template: &str,
        variant: Option<&str>,
        locale: &str,
        data: &serde_json::Value,
    ) -> RenderOutput {
        // An entry without a variant is the template itself, as is variant `a`.
        let same_variant = |e: &ManifestEntry| match (e.variant.as_deref(), variant) {
            (None, None) => true,
            (Some(crate::BASE_VARIANT), None) => true,
            (a, b) => a == b,
        };
        let entry = self
            .manifest
            .entries
            .iter()
            .find(|e| e.template == template && e.locale == locale && same_variant(e));
        let Some(entry) = entry else {
            let what = match variant {
                Some(v) => format!("variant `{v}` of `{template}`"),
                None => format!("`{template}`"),
            };
            return RenderOutput::with_error(Diagnostic::error(
                if variant.is_some() {
                    Code::UnknownVariant
                } else {
                    Code::UnknownTemplate
                },
                format!("the bundle has no {what} in `{locale}`"),
                Some(Location::start_of(MANIFEST)),
            ));
        };
        let Some(compiled) = &entry.compiled else {
            return self.engine.render(&RenderRequest {
                template,
                locale,
                data,
                variant,
            });
        };
        if let Err(d) = crate::check_data(data) {
            return RenderOutput::with_error(*d);
        }
        let context = Value::from(minijinja::value::Serde(data));
        let part = |path: &str| {
            self.env
                .get_template(path)
                .and_then(|t| t.render(context.clone()))
                .map_err(|e| {
                    Diagnostic::error(
                        Code::TemplateRuntime,
                        format!("{path}: {e}"),
                        Some(Location::start_of(path)),
                    )
                })
        };
        let mut out = RenderOutput {
            locale: Some(LocaleInfo::new(locale)),
            ..RenderOutput::default()
        };
        match (
            part(&compiled.subject),
            part(&compiled.preheader),
            part(&compiled.html),
            part(&compiled.text),
        ) {
            (Ok(subject), Ok(preheader), Ok(html), Ok(text)) => {
                out.subject = crate::collapse_whitespace(&subject);
                out.preheader = crate::collapse_whitespace(&preheader);
                out.html = html;
                out.text = text;
                out
            }
            (a, b, c, d) => {
                out.diagnostics = [a, b, c, d].into_iter().filter_map(Result::err).collect();
                out
            }
        }
    }
}
