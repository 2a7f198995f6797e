//! `letterpress build`: every template × locale × fixture to files plus `manifest.json`,
//! rendered in parallel into a staging directory that replaces the output only when
//! everything succeeded.

use crate::{Project, RenderJob, StudioError, fsx, io_error, sort_unique};
use letterpress_engine::Diagnostic;
use rayon::prelude::*;
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

/// One rendered email in the manifest.
#[derive(Debug, Clone, Serialize)]
pub struct BuildEntry {
    /// Template id.
    pub template: String,
    /// The A/B variant (absent: the template itself).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
    /// Locale tag.
    pub locale: String,
    /// `ltr` or `rtl`.
    pub dir: String,
    /// Fixture name.
    pub fixture: String,
    /// Subject line.
    pub subject: String,
    /// Preheader.
    pub preheader: String,
    /// HTML file, relative to the output directory.
    pub html: String,
    /// Text file, relative to the output directory.
    pub text: String,
}

/// What a build produced.
#[derive(Debug, Clone, Serialize)]
pub struct BuildReport {
    /// Project name.
    pub project: String,
    /// Version of Letterpress that built it.
    pub generator: String,
    /// Every email, sorted by template, locale, fixture.
    pub entries: Vec<BuildEntry>,
    /// Warnings (a build with errors writes nothing).
    pub diagnostics: Vec<Diagnostic>,
}

/// Name of the manifest in the output directory.
pub const MANIFEST: &str = "manifest.json";

impl Project {
    /// Builds everything into `out`. On any error `out` is left exactly as it was.
    pub fn build(
        &self,
        out: &Path,
        progress: &(dyn Fn(usize, usize) + Sync),
    ) -> Result<BuildReport, StudioError> {
        let jobs = self.jobs()?;
        let staging = StagingDir::next_to(out, "build")?;
        let done = AtomicUsize::new(0);
        let results: Vec<Result<(BuildEntry, Vec<Diagnostic>), StudioError>> = jobs
            .par_iter()
            .map(|job| {
                let r = self.build_one(job, staging.path());
                progress(done.fetch_add(1, Ordering::Relaxed) + 1, jobs.len());
                r
            })
            .collect();
        let mut entries = Vec::with_capacity(results.len());
        let mut diagnostics = self.engine.load_diagnostics().to_vec();
        for r in results {
            let (entry, d) = r?;
            entries.push(entry);
            diagnostics.extend(d);
        }
        let diagnostics = sort_unique(diagnostics);
        if diagnostics.iter().any(Diagnostic::is_error) {
            return Err(StudioError::BuildFailed(diagnostics));
        }
        let report = BuildReport {
            project: self.config().name.clone(),
            generator: format!("letterpress {}", env!("CARGO_PKG_VERSION")),
            entries,
            diagnostics,
        };
        let manifest = serde_json::to_vec_pretty(&report).map_err(|e| StudioError::Io {
            path: out.join(MANIFEST),
            source: std::io::Error::other(e),
        })?;
        let manifest_path = staging.path().join(MANIFEST);
        fsx::write_atomic(&manifest_path, &manifest).map_err(io_error(&manifest_path))?;
        staging.swap_in()?;
        Ok(report)
    }

    fn build_one(
        &self,
        job: &RenderJob,
        staging: &Path,
    ) -> Result<(BuildEntry, Vec<Diagnostic>), StudioError> {
        let output = self.render_job(job);
        let fixture = if job.fixture.is_empty() {
            "empty"
        } else {
            &job.fixture
        };
        // A variant's renders sit in a folder of their own beside the template's.
        let rel = match &job.variant {
            Some(v) => format!("{}/{}/{v}/{}", job.template, job.locale, fixture),
            None => format!("{}/{}/{}", job.template, job.locale, fixture),
        };
        let entry = BuildEntry {
            template: job.template.clone(),
            variant: job.variant.clone(),
            locale: job.locale.clone(),
            dir: output.locale.as_ref().map_or("ltr", |l| l.dir).to_owned(),
            fixture: fixture.to_owned(),
            subject: output.subject.clone(),
            preheader: output.preheader.clone(),
            html: format!("{rel}.html"),
            text: format!("{rel}.txt"),
        };
        if output.is_ok() {
            let dir = staging.join(&rel);
            let dir = dir.parent().unwrap_or(staging);
            std::fs::create_dir_all(dir).map_err(io_error(dir))?;
            for (name, content) in [(&entry.html, &output.html), (&entry.text, &output.text)] {
                let path = staging.join(name);
                std::fs::write(&path, content).map_err(io_error(&path))?;
            }
        }
        Ok((entry, output.diagnostics))
    }
}

/// A directory filled privately next to its destination, then swapped in whole: the one
/// way `build` and bundle `export` replace an output directory. Dropped without
/// [`StagingDir::swap_in`] (an error on the way), it is removed and `out` is untouched.
pub(crate) struct StagingDir {
    dir: tempfile::TempDir,
    out: PathBuf,
}

impl StagingDir {
    /// A fresh staging directory beside `out` (same file system, so the swap is a rename);
    /// `purpose` names it (`.letterpress-build-…`).
    pub(crate) fn next_to(out: &Path, purpose: &str) -> Result<StagingDir, StudioError> {
        let parent = match out.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        std::fs::create_dir_all(&parent).map_err(io_error(&parent))?;
        let dir = tempfile::Builder::new()
            .prefix(&format!(".letterpress-{purpose}-"))
            .tempdir_in(&parent)
            .map_err(io_error(&parent))?;
        Ok(StagingDir {
            dir,
            out: out.to_owned(),
        })
    }

    /// Where to write.
    pub(crate) fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Makes the staged tree durable and puts it in place of `out`.
    pub(crate) fn swap_in(self) -> Result<(), StudioError> {
        replace_dir(self.dir.keep(), &self.out)
    }
}

/// Moves the finished `staging` directory to `out`, replacing what was there.
///
/// Staging files are fresh names in a private directory, written plainly (no temp file and
/// rename each); the whole tree is made durable here, before the swap, so a crash never
/// exposes an empty or partial file under `out`.
fn replace_dir(staging: PathBuf, out: &Path) -> Result<(), StudioError> {
    fsx::sync_tree(&staging).map_err(io_error(&staging))?;
    let cleanup = |e| {
        let _ = std::fs::remove_dir_all(&staging);
        e
    };
    if out.exists() {
        if !out.join(MANIFEST).is_file()
            && std::fs::read_dir(out)
                .map_err(io_error(out))?
                .next()
                .is_some()
        {
            return Err(cleanup(StudioError::Io {
                path: out.to_owned(),
                source: std::io::Error::other(
                    "exists, is not empty and is not a previous build (no manifest.json); refusing to replace it",
                ),
            }));
        }
        let old = staging.with_extension("old");
        std::fs::rename(out, &old)
            .map_err(io_error(out))
            .map_err(cleanup)?;
        if let Err(e) = std::fs::rename(&staging, out) {
            let _ = std::fs::rename(&old, out);
            return Err(cleanup(io_error(out)(e)));
        }
        let _ = std::fs::remove_dir_all(&old);
    } else {
        std::fs::rename(&staging, out)
            .map_err(io_error(out))
            .map_err(cleanup)?;
    }
    if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
        fsx::sync_dir(parent).map_err(io_error(parent))?;
    }
    Ok(())
}
