//! `letterpress`: check, render and build email templates from the command line.
//!
//! Exit codes: 0 success (warnings allowed), 1 the templates have errors (or a pull stopped on
//! conflicts, or sync is blocked by templates that do not compile), 2 usage or I/O error, or a
//! refused history operation; `sync plan` 3 changes pending; `sync plan|apply` 4 drift.

mod history;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use letterpress_engine::{Diagnostic, Limits, RenderOutput};
use letterpress_studio::{Project, StudioError};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

mod locales;
mod send;

/// mimalloc: renders allocate many small strings (mrml, the text part); measured with
/// `npm run bench` against the system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
mod sync;

#[derive(Parser)]
#[command(
    name = "letterpress",
    version,
    about = "Transactional email templates: MJML + Jinja + Fluent"
)]
struct Cli {
    /// Project directory (default: search upward from the current directory).
    #[arg(long, global = true, value_name = "DIR")]
    project: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Render every template × locale × fixture and report problems (exit 1 on errors).
    Check {
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
    /// Render one template (or a standalone .mjml file) to stdout or a file.
    Render {
        /// Template id, or a path to a .mjml file.
        target: String,
        /// Locale (default: the project's default locale).
        #[arg(long, short)]
        locale: Option<String>,
        /// Fixture name (default: `default`, or the first one).
        #[arg(long, short)]
        data: Option<String>,
        /// An A/B variant of the template (`template.toml` `[variants.<name>]`).
        #[arg(long)]
        variant: Option<String>,
        /// Which part to print.
        #[arg(long, value_enum, default_value_t = Part::Html)]
        part: Part,
        /// Write to this file instead of stdout.
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
    /// Write a published version as a bundle for a self-hosted sender: a manifest, each
    /// template × locale compiled with recipient data kept as expressions, and the version's
    /// sources (nothing changes on failure).
    Export {
        /// A publish tag (`published/production/3` or `production/3`) or any commit.
        version: String,
        /// Output directory.
        #[arg(long)]
        out: PathBuf,
    },
    /// Render everything to a directory with a manifest.json (nothing changes on failure).
    Build {
        /// Output directory.
        #[arg(long)]
        out: PathBuf,
    },
    /// List templates with their fixtures and locale overrides.
    List {
        /// Output format (json adds the project's locales).
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
    #[command(flatten)]
    History(history::HistoryCommand),
    /// Translations: status, XLIFF/PO export and import, pseudo-locales, adding a locale.
    Locales {
        #[command(subcommand)]
        what: locales::LocalesCommand,
    },
    /// Sync the latest publish of a target's environment to its provider (plan, apply).
    Sync {
        #[command(subcommand)]
        what: sync::SyncCommand,
    },
    /// Provider credentials in the OS keychain.
    Auth {
        #[command(subcommand)]
        what: sync::AuthCommand,
    },
    /// Send one email to yourself, exactly as a recipient gets it, over `[send] smtp` or a
    /// target's send API; the subject starts with `[test <token>]`. Recipients outside
    /// `[send] allow` need --yes.
    SendTest(send::SendTestArgs),
    /// Send messages (JSON lines from a file or `-` for stdin) through the outbox, each
    /// exactly once: over SMTP or a sync target's send API, rendered by the preview's
    /// engine from the working copy, a published version or a bundle. Without --run, sends
    /// what is due and exits; a later call (or --resume) continues where a stopped one left.
    Send(send::SendArgs),
    /// The sender's outbox: counts per state, template and locale, and the latest failures.
    Outbox {
        /// The outbox file (default `.letterpress/outbox.sqlite` in the project).
        #[arg(long)]
        outbox: Option<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
    /// What the sender did: sent / failed / retried per template × variant × locale, and per
    /// day (from the outbox).
    Stats {
        /// The outbox file (default `.letterpress/outbox.sqlite` in the project).
        #[arg(long)]
        outbox: Option<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
    /// List the sync targets of letterpress.toml.
    Targets {
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
    /// Measure speed (timings are reported, never asserted; see scripts/bench.sh).
    Bench {
        #[command(subcommand)]
        what: BenchCommand,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Human, global = true)]
        format: Format,
    },
}

#[derive(Subcommand)]
enum BenchCommand {
    /// Time the engine (lint + mrml + text part) on standalone .mjml files, mean per file.
    Mjml {
        /// The .mjml files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Timed renders per file.
        #[arg(long, default_value_t = 200)]
        iterations: usize,
        /// Untimed renders per file first.
        #[arg(long, default_value_t = 20)]
        warmup: usize,
    },
    /// Generate a large project from this one, then time opening and building it.
    Build {
        /// Templates (cloned round-robin from this project's).
        #[arg(long, default_value_t = 200)]
        templates: usize,
        /// Locales (this project's, then es it nl pt sv ...).
        #[arg(long, default_value_t = 10)]
        locales: usize,
        /// Fixtures per template.
        #[arg(long, default_value_t = 2)]
        fixtures: usize,
        /// Generate into this (empty) directory and keep it.
        #[arg(long, value_name = "DIR")]
        keep: Option<PathBuf>,
    },
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
pub(crate) enum Format {
    Human,
    Json,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum Part {
    Html,
    Text,
    Subject,
    Preheader,
    /// The MJML produced by the Jinja layer (input of the MJML renderer).
    Mjml,
    /// Everything, with diagnostics, as JSON.
    Json,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            let code = history::error_code(&e)
                .or_else(|| sync::error_code(&e))
                .or_else(|| send::error_code(&e))
                .or_else(|| {
                    e.downcast_ref::<letterpress_studio::bundle::ExportError>()
                        .map(|x| x.code())
                });
            let mut msg = match code {
                Some(code) => format!("error[{code}]: {e}"),
                None => format!("error: {e}"),
            };
            for cause in e.chain().skip(1) {
                msg.push_str(&format!("\n  caused by: {cause}"));
            }
            if let Some(StudioError::Config(d)) = e.downcast_ref::<StudioError>() {
                msg = d.to_string();
            }
            if let Some(letterpress_studio::send::SendError::Config(d)) =
                e.downcast_ref::<letterpress_studio::send::SendError>()
            {
                msg = d.to_string();
            }
            // Already a compiler-style diagnostic with its code and location.
            if let Some(letterpress_studio::sync::SyncError::ConfigFile(d)) =
                e.downcast_ref::<letterpress_studio::sync::SyncError>()
            {
                msg = d.to_string();
            }
            eprintln!("{}", msg.trim_end());
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    let project_dir = cli.project.as_deref();
    match cli.command {
        Command::Render {
            target,
            locale,
            data,
            variant,
            part,
            output,
        } if target.ends_with(".mjml") && Path::new(&target).is_file() => {
            if locale.is_some() || data.is_some() || variant.is_some() {
                anyhow::bail!(
                    "--locale, --data and --variant apply to project templates; {target} is \
                     rendered as plain MJML"
                );
            }
            render_file(Path::new(&target), part, output.as_deref())
        }
        Command::Render {
            target,
            locale,
            data,
            variant,
            part,
            output,
        } => {
            let project = open_project(project_dir)?;
            let out = project.render_variant(
                &target,
                variant.as_deref(),
                locale.as_deref(),
                data.as_deref(),
            )?;
            emit_render(&out, part, output.as_deref(), &|f| {
                project.source(f).map(|s| s.to_string())
            })
        }
        Command::Check { format } => check(&open_project(project_dir)?, format),
        Command::Build { out } => build(&open_project(project_dir)?, &out),
        Command::Export { version, out } => export(&project_root(project_dir)?, &version, &out),
        Command::List { format } => list(&open_project(project_dir)?, format),
        Command::Bench { what, format } => bench(project_dir, what, format),
        Command::History(command) => history::run(project_dir, command),
        Command::Locales { what } => locales::run(open_project(project_dir)?, what),
        Command::Sync { what } => sync::run(&project_root(project_dir)?, what),
        Command::Auth {
            what: sync::AuthCommand::SetSmtp,
        } => send::set_smtp_password(&project_root(project_dir)?),
        Command::Auth { what } => sync::auth(&project_root(project_dir)?, what),
        Command::SendTest(args) => send::send_test(&open_project(project_dir)?, args),
        Command::Send(args) => send::send(&open_project(project_dir)?, args),
        Command::Outbox { outbox, format } => {
            send::outbox(&project_root(project_dir)?, outbox.as_deref(), format)
        }
        Command::Stats { outbox, format } => {
            send::stats(&project_root(project_dir)?, outbox.as_deref(), format)
        }
        Command::Targets { format } => sync::targets(&project_root(project_dir)?, format),
    }
}

/// `letterpress export VERSION --out DIR`.
fn export(root: &Path, version: &str, out: &Path) -> Result<ExitCode> {
    let started = std::time::Instant::now();
    let report = letterpress_studio::bundle::export(root, version, out)?;
    let entries = &report.manifest.entries;
    let compiled = entries.iter().filter(|e| e.compiled.is_some()).count();
    for e in entries.iter().filter(|e| e.compiled.is_none()) {
        if let Some(reason) = e.from_source_because.first() {
            eprintln!(
                "note: {} ({}) renders from source: {reason}",
                e.template, e.locale
            );
        }
    }
    eprintln!(
        "exported {} ({}) into {}: {} of {} emails compiled, {} render from source; {} files in {:.2}s",
        report.manifest.version,
        &report.manifest.commit[..report.manifest.commit.len().min(10)],
        out.display(),
        compiled,
        entries.len(),
        entries.len() - compiled,
        report.files,
        started.elapsed().as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}

/// `letterpress render file.mjml`: a standalone MJML file, like the mjml CLI.
fn render_file(file: &Path, part: Part, output: Option<&Path>) -> Result<ExitCode> {
    let out = letterpress_studio::render_standalone(file, Limits::default())?;
    let dir = file.parent().unwrap_or(Path::new("")).to_owned();
    emit_render(&out, part, output, &|name| {
        std::fs::read_to_string(dir.join(name)).ok()
    })
}

fn list(project: &Project, format: Format) -> Result<ExitCode> {
    let templates = project.templates()?;
    match format {
        Format::Json => {
            let listing = serde_json::json!({
                "name": project.config().name,
                "locales": project.config().locales,
                "templates": templates,
            });
            println!("{}", serde_json::to_string_pretty(&listing)?);
        }
        Format::Human => {
            for t in &templates {
                let overrides = if t.overrides.is_empty() {
                    String::new()
                } else {
                    format!("  overrides: {}", t.overrides.join(", "))
                };
                let variants = if t.variants.is_empty() {
                    String::new()
                } else {
                    let each: Vec<String> = t
                        .variants
                        .iter()
                        .map(|v| format!("{} {}.{} %", v.name, v.per_mille / 10, v.per_mille % 10))
                        .collect();
                    format!("  variants: {}", each.join(", "))
                };
                println!(
                    "{:<20} fixtures: {}{overrides}{variants}",
                    t.id,
                    t.fixtures.join(", ")
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn bench(project_dir: Option<&Path>, what: BenchCommand, format: Format) -> Result<ExitCode> {
    use letterpress_studio::bench;
    let report: bench::BenchReport = match what {
        BenchCommand::Mjml {
            files,
            iterations,
            warmup,
        } => bench::mjml(&files, warmup, iterations)?.into(),
        BenchCommand::Build {
            templates,
            locales,
            fixtures,
            keep,
        } => {
            let project = open_project(project_dir)?;
            let options = bench::BuildOptions {
                templates,
                locales,
                fixtures,
                keep,
            };
            bench::build(&project, &options)?.into()
        }
    };
    match format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&report)?),
        Format::Human => print!("{report}"),
    }
    Ok(ExitCode::SUCCESS)
}

/// The project folder: `--project`, or the folder holding letterpress.toml above the cwd.
pub(crate) fn project_root(dir: Option<&Path>) -> Result<PathBuf> {
    match dir {
        Some(d) => Ok(d.to_owned()),
        None => Ok(Project::discover(
            &std::env::current_dir().context("current directory")?,
        )?),
    }
}

fn open_project(dir: Option<&Path>) -> Result<Project> {
    let root = match dir {
        Some(d) => d.to_owned(),
        None => Project::discover(&std::env::current_dir().context("current directory")?)?,
    };
    Ok(Project::open(&root)?)
}

pub(crate) fn print_diagnostics(
    diagnostics: &[Diagnostic],
    source: &dyn Fn(&str) -> Option<String>,
) {
    let mut err = std::io::stderr().lock();
    for d in diagnostics {
        let text = d.location.as_ref().and_then(|l| source(&l.file));
        let _ = writeln!(err, "{}", d.display_with_source(text.as_deref()));
    }
}

fn emit_render(
    out: &RenderOutput,
    part: Part,
    file: Option<&Path>,
    source: &dyn Fn(&str) -> Option<String>,
) -> Result<ExitCode> {
    if part != Part::Json {
        print_diagnostics(&out.diagnostics, source);
    }
    if !out.is_ok() && part != Part::Json {
        return Ok(ExitCode::from(1));
    }
    let text = match part {
        Part::Html => out.html.clone(),
        Part::Text => out.text.clone(),
        Part::Subject => format!("{}\n", out.subject),
        Part::Preheader => format!("{}\n", out.preheader),
        Part::Mjml => out.mjml.clone(),
        Part::Json => serde_json::to_string_pretty(out)? + "\n",
    };
    match file {
        Some(path) => letterpress_studio::fsx::write_atomic(path, text.as_bytes())
            .with_context(|| format!("writing {}", path.display()))?,
        None => std::io::stdout().lock().write_all(text.as_bytes())?,
    }
    Ok(if out.is_ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

pub(crate) fn progress_bar(label: &str) -> Option<ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{prefix} [{bar:30}] {pos}/{len} {per_sec} {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_prefix(label.to_owned());
    Some(bar)
}

fn check(project: &Project, format: Format) -> Result<ExitCode> {
    let bar = progress_bar("checking");
    let report = project.check(&|done, total| {
        if let Some(b) = &bar {
            b.set_length(total as u64);
            b.set_position(done as u64);
        }
    })?;
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    match format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&report)?),
        Format::Human => {
            print_diagnostics(&report.diagnostics, &|f| {
                project.source(f).map(|s| s.to_string())
            });
            eprintln!(
                "checked {} renders: {} error(s), {} warning(s)",
                report.renders,
                report.errors(),
                report.warnings()
            );
        }
    }
    Ok(if report.errors() > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn build(project: &Project, out: &Path) -> Result<ExitCode> {
    let bar = progress_bar("building");
    let started = std::time::Instant::now();
    let result = project.build(out, &|done, total| {
        if let Some(b) = &bar {
            b.set_length(total as u64);
            b.set_position(done as u64);
        }
    });
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    match result {
        Ok(report) => {
            print_diagnostics(&report.diagnostics, &|f| {
                project.source(f).map(|s| s.to_string())
            });
            let secs = started.elapsed().as_secs_f64();
            eprintln!(
                "built {} emails into {} in {:.2}s ({:.0} renders/s)",
                report.entries.len(),
                out.display(),
                secs,
                report.entries.len() as f64 / secs.max(1e-9)
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(StudioError::BuildFailed(diagnostics)) => {
            print_diagnostics(&diagnostics, &|f| project.source(f).map(|s| s.to_string()));
            let n = diagnostics.iter().filter(|d| d.is_error()).count();
            eprintln!(
                "build failed with {n} error(s); {} was not changed",
                out.display()
            );
            Ok(ExitCode::from(1))
        }
        Err(e) => Err(e.into()),
    }
}
