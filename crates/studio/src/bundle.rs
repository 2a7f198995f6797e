//! `letterpress export`: a published version as a bundle for a self-hosted sender (see
//! [`letterpress_engine::bundle`] for what is in it and how it renders at send time).

use crate::build::StagingDir;
use crate::history::{History, HistoryError};
use crate::{StudioError, io_error};
use letterpress_engine::Diagnostic;
use letterpress_engine::bundle::{self, BundleError, FORMAT, MANIFEST, Manifest, SOURCES_DIR};
use letterpress_protocol::{Coded, IpcCode};
use std::path::{Path, PathBuf};

/// Why an export (or loading a bundle) failed.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The project has no history, or the version does not exist.
    #[error(transparent)]
    History(#[from] HistoryError),
    /// Writing the bundle failed.
    #[error(transparent)]
    Studio(#[from] StudioError),
    /// The version's configuration does not parse.
    #[error("{}", .0.message)]
    Version(Box<Diagnostic>),
    /// A bundle folder cannot be loaded.
    #[error("{path}: {source}")]
    Bundle {
        /// The folder.
        path: PathBuf,
        /// What is wrong.
        source: BundleError,
    },
}

impl ExportError {
    /// Stable code for scripts and the app.
    pub fn code(&self) -> IpcCode {
        match self {
            ExportError::History(e) => e.code(),
            ExportError::Studio(e) => e.code(),
            ExportError::Version(_) => IpcCode::InvalidConfig,
            ExportError::Bundle { .. } => IpcCode::BadBundle,
        }
    }
}

impl Coded for ExportError {
    fn code(&self) -> IpcCode {
        ExportError::code(self)
    }
}

/// What an export wrote.
#[derive(Debug, Clone)]
pub struct ExportReport {
    /// The manifest written.
    pub manifest: Manifest,
    /// Files written, manifest included.
    pub files: usize,
}

/// Writes the bundle of `version` (a publish tag such as `published/production/3`, its short
/// form `production/3`, or any commit) into `out`. `out` is replaced as a whole, or left as
/// it was on any error; a non-empty folder that is not a bundle or build is refused.
pub fn export(root: &Path, version: &str, out: &Path) -> Result<ExportReport, ExportError> {
    let history = History::open(root)?;
    let revision = match history.resolve(version) {
        Ok(_) => version.to_owned(),
        Err(first) => {
            let tag = format!("published/{version}");
            match history.resolve(&tag) {
                Ok(_) => tag,
                Err(_) => return Err(first.into()),
            }
        }
    };
    let loaded = history
        .version_project(&revision)?
        .map_err(ExportError::Version)?;
    let (entries, compiled) = bundle::compile(&loaded.engine, &loaded.templates);
    let manifest = Manifest {
        format: FORMAT,
        project: loaded.config.name.clone(),
        version: revision.clone(),
        commit: loaded.id.clone(),
        generator: format!("letterpress {}", env!("CARGO_PKG_VERSION")),
        default_locale: loaded.config.default_locale.clone(),
        entries,
    };
    let mut files: Vec<(String, String)> = history
        .version_files(&revision)?
        .into_iter()
        .map(|(p, t)| (format!("{SOURCES_DIR}/{p}"), t))
        .collect();
    files.extend(compiled);
    let text = serde_json::to_string_pretty(&manifest).map_err(|e| StudioError::Io {
        path: out.join(MANIFEST),
        source: std::io::Error::other(e),
    })?;
    files.push((MANIFEST.to_owned(), text));

    let staging = StagingDir::next_to(out, "export")?;
    for (rel, text) in &files {
        let path = staging.path().join(rel);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(io_error(dir))?;
        }
        std::fs::write(&path, text).map_err(io_error(&path))?;
    }
    staging.swap_in()?;
    Ok(ExportReport {
        manifest,
        files: files.len(),
    })
}

/// Reads a bundle folder back (every file under it, by bundle-relative path) and loads it.
pub fn load(dir: &Path) -> Result<bundle::Bundle, ExportError> {
    let mut files = std::collections::BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).map_err(io_error(&d))? {
            let entry = entry.map_err(io_error(&d))?;
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if let Ok(rel) = path.strip_prefix(dir) {
                let text = std::fs::read_to_string(&path).map_err(io_error(&path))?;
                files.insert(rel.to_string_lossy().replace('\\', "/"), text);
            }
        }
    }
    bundle::Bundle::load(files).map_err(|source| ExportError::Bundle {
        path: dir.to_owned(),
        source,
    })
}
