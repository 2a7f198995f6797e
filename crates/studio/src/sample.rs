//! Projects a person starts from in the app: the sample copy (the bundled sample copied once
//! into the user's data folder, so nothing done in the app touches the folder the sample
//! ships in — a source checkout, a package's files), and a new empty project.

use crate::{StudioError, copy_project, fsx, io_error};
use std::path::{Path, PathBuf};

/// The sample copy's folder name inside the user's data folder.
pub const SAMPLE_FOLDER: &str = "Sample project";

/// Where the sample copy lives in `data_dir`.
pub fn sample_copy_path(data_dir: &Path) -> PathBuf {
    data_dir.join(SAMPLE_FOLDER)
}

/// The sample copy in `data_dir` as the open project's root reads (canonical), when it
/// exists.
pub fn existing_sample_copy(data_dir: &Path) -> Option<PathBuf> {
    sample_copy_path(data_dir).canonicalize().ok()
}

/// The sample copy in `data_dir`, made from `bundled` the first time; later calls keep
/// what the person changed in it.
pub fn ensure_sample_copy(bundled: &Path, data_dir: &Path) -> Result<PathBuf, StudioError> {
    let copy = sample_copy_path(data_dir);
    if !copy.join(letterpress_engine::PROJECT_FILE).is_file() {
        fresh_copy(bundled, &copy)?;
    }
    Ok(copy)
}

/// Makes the sample copy at `copy`: copied beside it, synced and renamed into place, so a
/// half-made copy never looks like one. A folder already there without `letterpress.toml`
/// is renamed `Sample project (kept N)` first: nothing in it is lost.
fn fresh_copy(bundled: &Path, copy: &Path) -> Result<(), StudioError> {
    let parent = copy.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(io_error(parent))?;
    let making = parent.join(format!(".{SAMPLE_FOLDER}.making"));
    if making.exists() {
        std::fs::remove_dir_all(&making).map_err(io_error(&making))?;
    }
    copy_project(bundled, &making)?;
    fsx::sync_tree(&making).map_err(io_error(&making))?;
    if copy.exists() {
        // Not a project any more (its letterpress.toml is gone): kept aside, not deleted.
        let aside = (1..)
            .map(|n| parent.join(format!("{SAMPLE_FOLDER} (kept {n})")))
            .find(|p| !p.exists())
            .unwrap_or_else(|| parent.join(format!("{SAMPLE_FOLDER} (kept)")));
        std::fs::rename(copy, &aside).map_err(io_error(copy))?;
    }
    std::fs::rename(&making, copy).map_err(io_error(copy))?;
    fsx::sync_dir(parent).map_err(io_error(parent))
}

/// Replaces the sample copy in `data_dir` with a fresh copy of `bundled` (its versions
/// too: the copy's history goes with it). The fresh copy is made beside the old one and
/// swapped in, so a failure on the way leaves the old copy as it was.
pub fn reset_sample_copy(bundled: &Path, data_dir: &Path) -> Result<PathBuf, StudioError> {
    let copy = sample_copy_path(data_dir);
    if !copy.exists() {
        return ensure_sample_copy(bundled, data_dir);
    }
    let fresh = data_dir.join(format!(".{SAMPLE_FOLDER}.fresh"));
    let old = data_dir.join(format!(".{SAMPLE_FOLDER}.old"));
    for leftover in [&fresh, &old] {
        if leftover.exists() {
            std::fs::remove_dir_all(leftover).map_err(io_error(leftover))?;
        }
    }
    copy_project(bundled, &fresh)?;
    fsx::sync_tree(&fresh).map_err(io_error(&fresh))?;
    std::fs::rename(&copy, &old).map_err(io_error(&copy))?;
    if let Err(e) = std::fs::rename(&fresh, &copy) {
        // Put the old copy back: the person keeps a project either way.
        let _ = std::fs::rename(&old, &copy);
        return Err(io_error(&copy)(e));
    }
    fsx::sync_dir(data_dir).map_err(io_error(data_dir))?;
    std::fs::remove_dir_all(&old).map_err(io_error(&old))?;
    Ok(copy)
}

/// Starts an empty project at `root` (a folder that is empty or does not exist): a
/// `letterpress.toml` named after the folder, with English as its one locale, an empty
/// catalog and the project's folders. Templates are added in the app or by hand.
pub fn new_empty_project(root: &Path) -> Result<(), StudioError> {
    if std::fs::read_dir(root).is_ok_and(|mut d| d.next().is_some()) {
        return Err(io_error(root)(std::io::Error::new(
            std::io::ErrorKind::AlreadyExists,
            "is not empty: choose an empty folder for a new project",
        )));
    }
    let name = root
        .file_name()
        .and_then(|n| n.to_str())
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .unwrap_or("New project");
    let toml_name = name.replace('\\', "\\\\").replace('"', "\\\"");
    for dir in ["templates", "layouts", "partials", "locales/en"] {
        let path = root.join(dir);
        std::fs::create_dir_all(&path).map_err(io_error(&path))?;
    }
    let files = [
        (
            "letterpress.toml".to_owned(),
            format!(
                "[project]\nname = \"{toml_name}\"\ndefault_locale = \"en\"\nlocales = [\"en\"]\n"
            ),
        ),
        (
            "locales/en/main.ftl".to_owned(),
            "# Messages for templates: `greeting = Hello, { $name }!`, used as\n\
             # {{ t(\"greeting\", name=user.first_name) }}.\n"
                .to_owned(),
        ),
    ];
    for (rel, text) in files {
        let path = root.join(rel);
        fsx::write_atomic(&path, text.as_bytes()).map_err(io_error(&path))?;
    }
    Ok(())
}
