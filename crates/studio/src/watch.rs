//! Watching the project folder: notify events, debounced, turned into a small [`Change`] list
//! of project-relative paths the studio cares about.

use crate::{StudioError, io_error};
use notify_debouncer_full::notify::{EventKind, RecursiveMode};
use notify_debouncer_full::{DebounceEventResult, Debouncer, RecommendedCache, new_debouncer};
use serde::Serialize;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Something changed on disk.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(tag = "kind", content = "path", rename_all = "kebab-case")]
pub enum Change {
    /// A project file was created or modified.
    Modified(String),
    /// A project file was removed (or renamed away).
    Removed(String),
    /// Events were lost (overflow) or cannot be attributed: re-read everything.
    Rescan,
}

/// Keeps the watch alive; dropping it stops watching.
pub struct ProjectWatcher {
    _debouncer: Debouncer<notify_debouncer_full::notify::RecommendedWatcher, RecommendedCache>,
}

/// How long a burst of events is gathered before it is reported (editors write in steps).
pub const DEBOUNCE: Duration = Duration::from_millis(150);

/// The project-relative path of `path` when it is a file the studio reads, else `None`.
pub fn project_path(root: &Path, path: &Path) -> Option<String> {
    let rel = path.strip_prefix(root).ok()?;
    let rel = rel.to_str()?.replace('\\', "/");
    let name = rel.rsplit('/').next().unwrap_or(&rel);
    // Our own atomic-write temp files, editors' swap files, hidden files.
    if name.starts_with('.') || name.ends_with('~') || name.ends_with(".swp") {
        return None;
    }
    let relevant = rel == letterpress_engine::PROJECT_FILE
        || ["templates/", "layouts/", "partials/", "locales/"]
            .iter()
            .any(|dir| rel.starts_with(dir));
    relevant.then_some(rel)
}

/// Starts watching `root`; `on_change` receives each debounced batch (sorted, no duplicates).
pub fn watch(
    root: &Path,
    on_change: impl Fn(Vec<Change>) + Send + 'static,
) -> Result<ProjectWatcher, StudioError> {
    let root: PathBuf = root.canonicalize().map_err(io_error(root))?;
    let base = root.clone();
    let mut debouncer = new_debouncer(DEBOUNCE, None, move |result: DebounceEventResult| {
        let mut changes = BTreeSet::new();
        match result {
            Ok(events) => {
                for event in events {
                    if event.need_rescan() {
                        changes.insert(Change::Rescan);
                        continue;
                    }
                    for path in &event.paths {
                        let Some(rel) = project_path(&base, path) else {
                            continue;
                        };
                        let exists = path.exists();
                        match event.kind {
                            EventKind::Access(_) => {}
                            EventKind::Remove(_) if !exists => {
                                changes.insert(Change::Removed(rel));
                            }
                            _ if exists => {
                                if path.is_file() {
                                    changes.insert(Change::Modified(rel));
                                }
                            }
                            _ => {
                                changes.insert(Change::Removed(rel));
                            }
                        }
                    }
                }
            }
            Err(_) => {
                changes.insert(Change::Rescan);
            }
        }
        if !changes.is_empty() {
            on_change(changes.into_iter().collect());
        }
    })
    .map_err(|e| io_error(&root)(std::io::Error::other(e)))?;
    debouncer
        .watch(&root, RecursiveMode::Recursive)
        .map_err(|e| io_error(&root)(std::io::Error::other(e)))?;
    Ok(ProjectWatcher {
        _debouncer: debouncer,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_project_files_are_reported() {
        let root = Path::new("/p");
        let rel = |p: &str| project_path(root, &root.join(p));
        assert_eq!(
            rel("templates/a/body.mjml").as_deref(),
            Some("templates/a/body.mjml")
        );
        assert_eq!(rel("letterpress.toml").as_deref(), Some("letterpress.toml"));
        assert_eq!(rel("templates/a/.letterpress-x.tmp"), None);
        assert_eq!(rel("dist/a.html"), None);
        assert_eq!(rel(".git/index"), None);
        assert_eq!(project_path(root, Path::new("/elsewhere/x")), None);
    }
}
