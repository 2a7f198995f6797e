//! `letterpress locales …`: the translators' commands.

use crate::{Format, print_diagnostics};
use anyhow::{Context, Result};
use clap::{Subcommand, ValueEnum};
use letterpress_protocol::locales::{CellStatus, ExchangeFormat, ImportReport};
use letterpress_studio::Project;
use letterpress_studio::locales::import_file;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Subcommand)]
pub(crate) enum LocalesCommand {
    /// Translation progress per locale; with --locale, the keys that need work.
    Status {
        /// Only this locale.
        #[arg(long, short)]
        locale: Option<String>,
        /// Output format (json: the locale grid).
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
    /// Export a locale for translators (XLIFF 2.0 or gettext PO).
    Export {
        /// The locale.
        locale: String,
        /// File format.
        #[arg(long, value_enum)]
        format: ExchangeArg,
        /// Write to this file instead of stdout.
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
    /// Import an XLIFF 2.0 or PO file: all or nothing (exit 1 when anything is rejected).
    Import {
        /// The file (.xlf/.xliff or .po).
        file: PathBuf,
        /// Report what would change without writing.
        #[arg(long)]
        dry_run: bool,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
    /// Print the default locale's texts in a pseudo-locale (en-XA, ar-XB). Render a template
    /// in one with `letterpress render <template> --locale en-XA`.
    Pseudo {
        /// en-XA (accented, longer) or ar-XB (right-to-left).
        locale: String,
    },
    /// Add a locale (BCP 47 code) to letterpress.toml and create its catalogs.
    Add {
        /// The code, e.g. `pt-BR`.
        code: String,
    },
    /// Mark translations as made from the current source text (clears "outdated").
    Accept {
        /// The locale.
        locale: String,
        /// Only these keys (default: every translated key).
        keys: Vec<String>,
    },
    /// Create a per-locale override of a template's body (body.<locale>.mjml).
    Override {
        /// Template id.
        template: String,
        /// The locale.
        locale: String,
    },
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
pub(crate) enum ExchangeArg {
    Xliff,
    Po,
}

pub(crate) fn run(mut project: Project, what: LocalesCommand) -> Result<ExitCode> {
    match what {
        LocalesCommand::Status { locale, format } => status(&project, locale.as_deref(), format),
        LocalesCommand::Export {
            locale,
            format,
            output,
        } => {
            let format = match format {
                ExchangeArg::Xliff => ExchangeFormat::Xliff,
                ExchangeArg::Po => ExchangeFormat::Po,
            };
            let text = project.export_translations(&locale, format)?;
            match output {
                Some(path) => letterpress_studio::fsx::write_atomic(&path, text.as_bytes())
                    .with_context(|| format!("writing {}", path.display()))?,
                None => std::io::stdout().lock().write_all(text.as_bytes())?,
            }
            Ok(ExitCode::SUCCESS)
        }
        LocalesCommand::Import {
            file,
            dry_run,
            format,
        } => {
            let report = import_file(&mut project, &file, dry_run)?;
            match format {
                Format::Json => println!("{}", serde_json::to_string_pretty(&report)?),
                Format::Human => print_import(&report, dry_run),
            }
            Ok(if report.rejected.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        LocalesCommand::Pseudo { locale } => {
            let mut out = std::io::stdout().lock();
            for (key, text) in project.pseudo_translations(&locale)? {
                let text = text.replace('\n', "\n    ");
                writeln!(out, "{key} = {text}")?;
            }
            Ok(ExitCode::SUCCESS)
        }
        LocalesCommand::Add { code } => {
            let entry = project.add_locale(&code)?;
            eprintln!(
                "added {} ({}): letterpress.toml and locales/{}/",
                entry.tag, entry.dir, entry.tag
            );
            Ok(ExitCode::SUCCESS)
        }
        LocalesCommand::Accept { locale, keys } => {
            let n = project.accept_translations(&locale, &keys)?;
            eprintln!("{n} translation(s) recorded as current");
            Ok(ExitCode::SUCCESS)
        }
        LocalesCommand::Override { template, locale } => {
            let path = project.create_override(&template, &locale)?;
            eprintln!("created {path}");
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn status(project: &Project, locale: Option<&str>, format: Format) -> Result<ExitCode> {
    let mut grid = project.locale_grid()?;
    if let Some(wanted) = locale {
        let tag = project
            .config()
            .resolve_locale(wanted)
            .with_context(|| format!("`{wanted}` is not a locale of this project"))?;
        grid.progress.retain(|p| p.locale == tag);
        for row in &mut grid.rows {
            row.cells.retain(|c| c.locale == tag);
        }
    }
    if format == Format::Json {
        println!("{}", serde_json::to_string_pretty(&grid)?);
        return Ok(ExitCode::SUCCESS);
    }
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "{:<10} {:>6} {:>11} {:>15} {:>9} {:>8} {:>9}",
        "locale", "keys", "translated", "same-as-source", "outdated", "missing", "fallback"
    )?;
    for p in &grid.progress {
        writeln!(
            out,
            "{:<10} {:>6} {:>11} {:>15} {:>9} {:>8} {:>9}",
            p.locale, p.total, p.translated, p.same_as_source, p.outdated, p.missing, p.fallback
        )?;
    }
    if locale.is_some() {
        let mut diagnostics = Vec::new();
        for row in &grid.rows {
            for cell in &row.cells {
                diagnostics.extend(cell.diagnostics.iter().cloned());
                if !matches!(cell.status, CellStatus::Translated | CellStatus::Source) {
                    let via = cell
                        .fallback_locale
                        .as_deref()
                        .map(|l| format!(" (shows {l})"))
                        .unwrap_or_default();
                    writeln!(out, "  {:<15} {}{via}", cell.status.as_str(), row.key)?;
                }
            }
        }
        print_diagnostics(&diagnostics, &|f| project.source(f).map(|s| s.to_string()));
    }
    Ok(ExitCode::SUCCESS)
}

fn print_import(report: &ImportReport, dry_run: bool) {
    for change in &report.changed {
        let verb = if change.before.is_some() {
            "changed"
        } else {
            "added"
        };
        eprintln!("  {verb:<8} {} ({})", change.key, change.file);
    }
    for r in &report.rejected {
        let at = r
            .location
            .as_ref()
            .map(|l| format!("{l}: "))
            .unwrap_or_default();
        eprintln!(
            "  rejected {at}[{}] {}",
            serde_json::to_value(r.reason)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default(),
            r.message
        );
    }
    let outcome = if !report.rejected.is_empty() {
        "nothing was written"
    } else if dry_run {
        "dry run, nothing was written"
    } else if report.applied {
        "written"
    } else {
        "nothing to write"
    };
    eprintln!(
        "{}: {} changed, {} unchanged, {} untranslated, {} rejected; {outcome}",
        report.locale,
        report.changed.len(),
        report.unchanged,
        report.untranslated,
        report.rejected.len()
    );
}
