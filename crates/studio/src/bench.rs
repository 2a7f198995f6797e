//! `letterpress bench`: measurements, never assertions.
//!
//! - [`mjml`]: the engine on standalone `.mjml` files (what `letterpress render file.mjml`
//!   does: lint + mrml + text part), mean per file, with the lint and text stages also timed
//!   on their own so the remainder is (mostly) mrml. `scripts/bench-mjml.mjs` runs npm mjml on
//!   the same files for the side-by-side.
//! - [`build`]: generates a large project from an existing one (templates cloned round-robin,
//!   extra locales copied from the default locale) and times [`Project::open`] +
//!   [`Project::build`], then renders every job in memory (no file writes) on a fresh project
//!   and again warm, to show how much of the build is rendering and how much is writing.

use crate::{Project, StudioError, io_error};
use letterpress_engine::config::normalise_locale;
use letterpress_engine::{Diagnostic, Engine, Limits, MemorySources, PROJECT_FILE};
use rayon::prelude::*;
use serde::Serialize;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

/// Locales added after the source project's own, in this order.
pub const EXTRA_LOCALES: &[&str] = &[
    "es", "it", "nl", "pt", "sv", "da", "fi", "cs", "tr", "ja", "ko", "uk",
];

/// Why a benchmark could not run.
#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    /// A studio failure (I/O, configuration, a failed build).
    #[error(transparent)]
    Studio(#[from] StudioError),
    /// A file did not render: timing it would be meaningless.
    #[error("{file} has errors: {}", first_error(.diagnostics))]
    Render {
        /// The file.
        file: String,
        /// Its diagnostics.
        diagnostics: Vec<Diagnostic>,
    },
    /// The options cannot be satisfied.
    #[error("{0}")]
    Options(String),
}

fn first_error(diagnostics: &[Diagnostic]) -> String {
    diagnostics
        .iter()
        .find(|d| d.is_error())
        .map_or_else(String::new, ToString::to_string)
}

/// Any benchmark's result, printable as a table or serialisable as JSON.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum BenchReport {
    /// From [`mjml`].
    Mjml(MjmlReport),
    /// From [`build`].
    Build(BuildBenchReport),
}

impl fmt::Display for BenchReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BenchReport::Mjml(r) => r.fmt(f),
            BenchReport::Build(r) => r.fmt(f),
        }
    }
}

impl From<MjmlReport> for BenchReport {
    fn from(r: MjmlReport) -> Self {
        BenchReport::Mjml(r)
    }
}

impl From<BuildBenchReport> for BenchReport {
    fn from(r: BuildBenchReport) -> Self {
        BenchReport::Build(r)
    }
}

/// Mean timings of one `.mjml` file.
#[derive(Debug, Clone, Serialize)]
pub struct MjmlTiming {
    /// The file, as given.
    pub file: String,
    /// Size of the MJML.
    pub mjml_bytes: usize,
    /// Size of the HTML produced.
    pub html_bytes: usize,
    /// `Engine::render_mjml_file`: lint + depth check + mrml parse/render + text part.
    pub engine_ms: f64,
    /// The MJML lint alone.
    pub lint_ms: f64,
    /// The text part alone.
    pub text_ms: f64,
    /// MJML → HTML alone (`Engine::render_mjml`: depth guard + mrml parse + render): the
    /// same work npm mjml does.
    pub html_ms: f64,
}

/// Result of [`mjml`].
#[derive(Debug, Clone, Serialize)]
pub struct MjmlReport {
    /// Untimed renders per file before measuring.
    pub warmup: usize,
    /// Timed renders per file.
    pub iterations: usize,
    /// One entry per file, in the order given.
    pub files: Vec<MjmlTiming>,
}

impl fmt::Display for MjmlReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "letterpress engine on standalone MJML: mean of {} renders per file (after {} warm-up)",
            self.iterations, self.warmup
        )?;
        writeln!(
            f,
            "{:<32} {:>8} {:>10} {:>8} {:>9} {:>16}",
            "file", "KB mjml", "engine ms", "lint ms", "text ms", "mjml→html ms"
        )?;
        for t in &self.files {
            writeln!(
                f,
                "{:<32} {:>8.1} {:>10.3} {:>8.3} {:>9.3} {:>16.3}",
                short_name(&t.file),
                t.mjml_bytes as f64 / 1024.0,
                t.engine_ms,
                t.lint_ms,
                t.text_ms,
                t.html_ms
            )?;
        }
        Ok(())
    }
}

fn short_name(file: &str) -> &str {
    Path::new(file)
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or(file)
}

/// Timing rounds per file in [`mjml`].
const ROUNDS: usize = 10;

/// Mean milliseconds of `iterations` calls of `f` (at least one).
fn mean_ms<T>(iterations: usize, mut f: impl FnMut() -> T) -> f64 {
    let n = iterations.max(1);
    let started = Instant::now();
    for _ in 0..n {
        std::hint::black_box(f());
    }
    started.elapsed().as_secs_f64() * 1000.0 / n as f64
}

/// Times the engine on each standalone `.mjml` file: `warmup` untimed renders, then the mean
/// of `iterations`. The file is held in memory, so no disk reads are timed.
pub fn mjml(files: &[PathBuf], warmup: usize, iterations: usize) -> Result<MjmlReport, BenchError> {
    let mut out = Vec::with_capacity(files.len());
    for file in files {
        let text = std::fs::read_to_string(file).map_err(io_error(file))?;
        let name = "bench.mjml";
        let sources = MemorySources::new().with(name, text.as_str());
        let engine = Engine::standalone(Arc::new(sources), Limits::default());
        let first = engine.render_mjml_file(name);
        if !first.is_ok() {
            return Err(BenchError::Render {
                file: file.display().to_string(),
                diagnostics: first.diagnostics,
            });
        }
        for _ in 0..warmup {
            std::hint::black_box(engine.render_mjml_file(name));
        }
        // The stages are timed in interleaved rounds, so a burst of load on the machine
        // affects all three alike and the difference (mrml) stays meaningful.
        let rounds = ROUNDS.min(iterations.max(1));
        let (mut engine_ms, mut lint_ms, mut text_ms, mut html_ms) = (0.0, 0.0, 0.0, 0.0);
        for r in 0..rounds {
            let n = iterations / rounds + usize::from(r < iterations % rounds);
            let share = n as f64 / iterations.max(1) as f64;
            engine_ms += share * mean_ms(n, || engine.render_mjml_file(name));
            lint_ms += share
                * mean_ms(n, || {
                    letterpress_engine::mjml::lint_source(name, std::hint::black_box(&text))
                });
            text_ms += share
                * mean_ms(n, || {
                    letterpress_engine::text::html_to_text(std::hint::black_box(&first.html))
                });
            html_ms += share * mean_ms(n, || engine.render_mjml(std::hint::black_box(&text), name));
        }
        out.push(MjmlTiming {
            file: file.display().to_string(),
            mjml_bytes: text.len(),
            html_bytes: first.html.len(),
            engine_ms,
            lint_ms,
            text_ms,
            html_ms,
        });
    }
    Ok(MjmlReport {
        warmup,
        iterations,
        files: out,
    })
}

/// Size of the project [`build`] generates.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// Templates, cloned round-robin from the source project's.
    pub templates: usize,
    /// Locales: the source project's first, then [`EXTRA_LOCALES`].
    pub locales: usize,
    /// Fixtures per template (at most as many as the original has).
    pub fixtures: usize,
    /// Generate into this directory (must be empty or missing) and keep it; otherwise a
    /// temporary directory that is removed afterwards.
    pub keep: Option<PathBuf>,
}

impl Default for BuildOptions {
    fn default() -> Self {
        BuildOptions {
            templates: 200,
            locales: 10,
            fixtures: 2,
            keep: None,
        }
    }
}

/// Result of [`build`].
#[derive(Debug, Clone, Serialize)]
pub struct BuildBenchReport {
    /// The generated project (removed afterwards unless kept).
    pub project: PathBuf,
    /// Whether it was kept.
    pub kept: bool,
    /// Templates generated.
    pub templates: usize,
    /// Locales configured.
    pub locales: Vec<String>,
    /// Renders (template × locale × fixture) of the build.
    pub renders: usize,
    /// Warnings the build reported.
    pub warnings: usize,
    /// Worker threads.
    pub threads: usize,
    /// Writing the generated project.
    pub generate_secs: f64,
    /// `Project::open` (config, catalogs, engine).
    pub open_secs: f64,
    /// `Project::build` (render everything, write html/text/manifest, fsync, swap in).
    pub build_secs: f64,
    /// `renders / (open + build)`.
    pub renders_per_sec: f64,
    /// A fresh `Project::open` + rendering every job in parallel, in memory, without writing
    /// anything: the build minus its writes (cold: sources read, templates compiled).
    pub render_cold_secs: f64,
    /// `renders / render_cold_secs`.
    pub render_cold_per_sec: f64,
    /// The same renders again on that project (warm: sources cached, templates compiled).
    pub render_warm_secs: f64,
    /// `renders / render_warm_secs`.
    pub render_warm_per_sec: f64,
    /// CPU milliseconds per warm render (`threads × render_warm_secs / renders`).
    pub cpu_ms_per_render: f64,
}

impl fmt::Display for BuildBenchReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "generated {} templates × {} locales ({}) in {:.2}s at {}{}",
            self.templates,
            self.locales.len(),
            self.locales.join(" "),
            self.generate_secs,
            self.project.display(),
            if self.kept { "" } else { " (removed)" }
        )?;
        writeln!(f, "open:   {:.3}s", self.open_secs)?;
        writeln!(
            f,
            "build:  {} renders in {:.3}s ({} warnings)",
            self.renders, self.build_secs, self.warnings
        )?;
        writeln!(
            f,
            "total:  {} renders in {:.3}s = {:.0} renders/s (open + build, {} threads)",
            self.renders,
            self.open_secs + self.build_secs,
            self.renders_per_sec,
            self.threads
        )?;
        writeln!(
            f,
            "render only, no writes (fresh open, cold): {:.3}s = {:.0} renders/s",
            self.render_cold_secs, self.render_cold_per_sec
        )?;
        writeln!(
            f,
            "render only, no writes (warm caches):      {:.3}s = {:.0} renders/s \
             (≈ {:.2} ms CPU per render)",
            self.render_warm_secs, self.render_warm_per_sec, self.cpu_ms_per_render
        )?;
        writeln!(
            f,
            "so writing the output took ≈ {:.3}s of the build",
            (self.open_secs + self.build_secs - self.render_cold_secs).max(0.0)
        )
    }
}

/// Generates a project of `options.templates` × `options.locales` × `options.fixtures` from
/// `source`, then times opening and building it.
pub fn build(source: &Project, options: &BuildOptions) -> Result<BuildBenchReport, BenchError> {
    let (_temp, base) = match &options.keep {
        Some(dir) => {
            if dir.exists()
                && std::fs::read_dir(dir)
                    .map_err(io_error(dir))?
                    .next()
                    .is_some()
            {
                return Err(BenchError::Options(format!(
                    "{} is not empty; --keep needs an empty or missing directory",
                    dir.display()
                )));
            }
            std::fs::create_dir_all(dir).map_err(io_error(dir))?;
            (None, dir.canonicalize().map_err(io_error(dir))?)
        }
        None => {
            let t = tempfile::Builder::new()
                .prefix("letterpress-bench-")
                .tempdir()
                .map_err(io_error(&std::env::temp_dir()))?;
            let p = t.path().to_owned();
            (Some(t), p)
        }
    };
    let project_dir = base.join("project");
    let out_dir = base.join("out");

    let started = Instant::now();
    let (templates, locales) = generate(source, &project_dir, options)?;
    // Flush the generated files now, so the build's sync does not pay for them.
    crate::fsx::sync_tree(&project_dir).map_err(io_error(&project_dir))?;
    let generate_secs = started.elapsed().as_secs_f64();

    let started = Instant::now();
    let project = Project::open(&project_dir)?;
    let open_secs = started.elapsed().as_secs_f64();

    let started = Instant::now();
    let report = project.build(&out_dir, &|_, _| {})?;
    let build_secs = started.elapsed().as_secs_f64();
    let renders = report.entries.len();

    drop(project);

    // The same renders without writing: once on a fresh project, once more on it warm.
    let render_all = |project: &Project| -> Result<f64, BenchError> {
        let started = Instant::now();
        let jobs = project.jobs()?;
        let failed = jobs
            .par_iter()
            .filter(|job| !project.render_job(job).is_ok())
            .count();
        if failed > 0 {
            return Err(BenchError::Options(format!(
                "{failed} renders failed without writing, although the build passed"
            )));
        }
        Ok(started.elapsed().as_secs_f64())
    };
    let started = Instant::now();
    let project = Project::open(&project_dir)?;
    let opened = started.elapsed().as_secs_f64();
    let render_cold_secs = opened + render_all(&project)?;
    let render_warm_secs = render_all(&project)?;
    let threads = rayon::current_num_threads();
    let per_sec = |secs: f64| renders as f64 / secs.max(1e-9);

    Ok(BuildBenchReport {
        project: project_dir,
        kept: options.keep.is_some(),
        templates,
        locales,
        renders,
        warnings: report.diagnostics.len(),
        threads,
        generate_secs,
        open_secs,
        build_secs,
        renders_per_sec: per_sec(open_secs + build_secs),
        render_cold_secs,
        render_cold_per_sec: per_sec(render_cold_secs),
        render_warm_secs,
        render_warm_per_sec: per_sec(render_warm_secs),
        cpu_ms_per_render: threads as f64 * render_warm_secs * 1000.0 / renders.max(1) as f64,
    })
}

/// Writes the generated project into `dir`; returns (templates, locales).
pub fn generate(
    source: &Project,
    dir: &Path,
    options: &BuildOptions,
) -> Result<(usize, Vec<String>), BenchError> {
    let src = source.root();
    let config = source.config();
    let originals = source.templates()?;
    if originals.is_empty() {
        return Err(BenchError::Options(format!(
            "{} has no templates to clone",
            src.display()
        )));
    }
    if options.templates == 0 || options.locales == 0 {
        return Err(BenchError::Options(
            "--templates and --locales must be at least 1".into(),
        ));
    }

    // Locales: the source's (default first), then extras it does not have yet.
    let mut locales: Vec<String> = config.locales.clone();
    for extra in EXTRA_LOCALES {
        if !locales.iter().any(|l| l == extra) {
            locales.push((*extra).to_owned());
        }
    }
    if options.locales > locales.len() {
        return Err(BenchError::Options(format!(
            "at most {} locales are available",
            locales.len()
        )));
    }
    locales.truncate(options.locales);

    std::fs::create_dir_all(dir).map_err(io_error(dir))?;
    for sub in ["layouts", "partials"] {
        copy_tree(&src.join(sub), &dir.join(sub), &|_| true)?;
    }

    // letterpress.toml with the new locale list (comments are not kept).
    let config_path = src.join(PROJECT_FILE);
    let text = std::fs::read_to_string(&config_path).map_err(io_error(&config_path))?;
    let mut table: toml::Table = text.parse().map_err(|e: toml::de::Error| {
        BenchError::Options(format!("{}: {e}", config_path.display()))
    })?;
    let project = table
        .get_mut("project")
        .and_then(toml::Value::as_table_mut)
        .ok_or_else(|| BenchError::Options(format!("{PROJECT_FILE} has no [project]")))?;
    project.insert(
        "locales".into(),
        toml::Value::Array(locales.iter().cloned().map(toml::Value::String).collect()),
    );
    let text = toml::to_string(&table).map_err(|e| BenchError::Options(e.to_string()))?;
    let path = dir.join(PROJECT_FILE);
    std::fs::write(&path, text).map_err(io_error(&path))?;

    // Catalogs: the source's folders for its locales; extras copy the default locale's.
    let folders = locale_folders(&src.join("locales"))?;
    let folder_of = |tag: &str| {
        folders
            .iter()
            .find(|(_, t)| t == tag)
            .map(|(f, _)| f.clone())
    };
    let default_folder = folder_of(&config.default_locale).ok_or_else(|| {
        BenchError::Options(format!(
            "no locales/{}/ folder in {}",
            config.default_locale,
            src.display()
        ))
    })?;
    for locale in &locales {
        let (from, to) = match folder_of(locale) {
            Some(f) => (f.clone(), f),
            None => (default_folder.clone(), locale.clone()),
        };
        copy_tree(
            &src.join("locales").join(from),
            &dir.join("locales").join(to),
            &|_| true,
        )?;
    }

    // Templates: round-robin clones, each with the original's first fixtures.
    for i in 0..options.templates {
        let original = &originals[i % originals.len()];
        let from = src.join("templates").join(&original.id);
        let to = dir
            .join("templates")
            .join(format!("{}-{i:03}", original.id));
        copy_tree(&from, &to, &|p| p != Path::new("fixtures"))?;
        for fixture in original.fixtures.iter().take(options.fixtures) {
            let name = format!("{fixture}.json");
            let from = from.join("fixtures").join(&name);
            let to_dir = to.join("fixtures");
            std::fs::create_dir_all(&to_dir).map_err(io_error(&to_dir))?;
            std::fs::copy(&from, to_dir.join(&name)).map_err(io_error(&from))?;
        }
    }
    Ok((options.templates, locales))
}

/// (folder name, normalised tag) of every folder under `locales/`.
fn locale_folders(dir: &Path) -> Result<Vec<(String, String)>, BenchError> {
    let mut out = Vec::new();
    if !dir.is_dir() {
        return Ok(out);
    }
    for entry in std::fs::read_dir(dir).map_err(io_error(dir))? {
        let entry = entry.map_err(io_error(dir))?;
        if let Some(name) = entry.file_name().to_str()
            && entry.path().is_dir()
        {
            let tag = normalise_locale(name).unwrap_or_else(|| name.to_owned());
            out.push((name.to_owned(), tag));
        }
    }
    Ok(out)
}

/// Copies the tree `from` to `to`, skipping entries whose path relative to `from` fails
/// `keep`. A missing `from` copies nothing.
fn copy_tree(from: &Path, to: &Path, keep: &dyn Fn(&Path) -> bool) -> Result<(), StudioError> {
    fn walk(
        root: &Path,
        from: &Path,
        to: &Path,
        keep: &dyn Fn(&Path) -> bool,
    ) -> Result<(), StudioError> {
        std::fs::create_dir_all(to).map_err(io_error(to))?;
        for entry in std::fs::read_dir(from).map_err(io_error(from))? {
            let entry = entry.map_err(io_error(from))?;
            let path = entry.path();
            let rel = path.strip_prefix(root).unwrap_or(&path);
            if !keep(rel) {
                continue;
            }
            let target = to.join(entry.file_name());
            if entry.file_type().map_err(io_error(&path))?.is_dir() {
                walk(root, &path, &target, keep)?;
            } else {
                std::fs::copy(&path, &target).map_err(io_error(&path))?;
            }
        }
        Ok(())
    }
    if !from.is_dir() {
        return Ok(());
    }
    walk(from, from, to, keep)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let write = |p: &str, text: &str| {
            let path = root.join(p);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        };
        write(
            PROJECT_FILE,
            "[project]\nname = \"s\"\ndefault_locale = \"en\"\nlocales = [\"en\", \"de\"]\n",
        );
        write(
            "layouts/base.mjml",
            "<mjml><mj-body>{% block content %}{% endblock %}</mj-body></mjml>\n",
        );
        write("locales/en/hello.ftl", "hello-title = Hello { $name }\n");
        write("locales/de/hello.ftl", "hello-title = Hallo { $name }\n");
        write(
            "templates/hello/template.toml",
            "description = \"d\"\nsubject = '{{ t(\"hello-title\", name=name) }}'\n",
        );
        write(
            "templates/hello/body.mjml",
            "{% extends \"layouts/base.mjml\" %}{% block content %}<mj-section><mj-column>\
             <mj-text>{{ t(\"hello-title\", name=name) }}</mj-text></mj-column></mj-section>\
             {% endblock %}\n",
        );
        for f in ["default", "other", "third"] {
            write(
                &format!("templates/hello/fixtures/{f}.json"),
                "{\"name\": \"Ada\"}",
            );
        }
        dir
    }

    #[test]
    fn generates_and_builds_the_requested_size() {
        let src = sample();
        let project = Project::open(src.path()).unwrap();
        let keep = tempfile::tempdir().unwrap();
        let options = BuildOptions {
            templates: 3,
            locales: 4,
            fixtures: 2,
            keep: Some(keep.path().join("gen")),
        };
        let report = build(&project, &options).unwrap();
        assert_eq!(report.renders, 3 * 4 * 2);
        assert_eq!(report.locales, ["en", "de", "es", "it"]);
        let generated = keep.path().join("gen/project");
        assert!(generated.join("templates/hello-002/body.mjml").is_file());
        assert!(generated.join("locales/es/hello.ftl").is_file());
        assert!(
            !generated
                .join("templates/hello-000/fixtures/third.json")
                .exists()
        );
        assert!(keep.path().join("gen/out/manifest.json").is_file());
    }

    #[test]
    fn times_standalone_mjml_files() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.mjml");
        std::fs::write(
            &file,
            "<mjml><mj-body><mj-section><mj-column><mj-text>Hi</mj-text></mj-column>\
             </mj-section></mj-body></mjml>",
        )
        .unwrap();
        let report = mjml(&[file], 1, 2).unwrap();
        assert_eq!(report.files.len(), 1);
        assert!(report.files[0].html_bytes > 0);
    }
}
