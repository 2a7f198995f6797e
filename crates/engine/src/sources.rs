//! Where template text comes from. The engine never touches the file system: the studio
//! hands it a [`Sources`] backed by the disk (plus unsaved buffers), tests hand it memory.

use std::collections::BTreeMap;
use std::sync::Arc;

/// Why a source could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SourceError {
    /// The path leaves the project (`..`, absolute, or a symlink pointing outside).
    #[error("path `{0}` leaves the project")]
    OutsideProject(String),
    /// The file is larger than the source size limit.
    #[error("`{path}` is {size} bytes, more than the limit of {limit} bytes")]
    TooLarge {
        /// The file.
        path: String,
        /// Its size.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// Any other read failure (permissions, not UTF-8...).
    #[error("cannot read `{path}`: {reason}")]
    Unreadable {
        /// The file.
        path: String,
        /// The reason, from the operating system or the decoder.
        reason: String,
    },
}

/// Read access to the files of a project, by project-relative path (`/`-separated).
pub trait Sources: Send + Sync {
    /// The text of `path`, `Ok(None)` when it does not exist. Implementations must refuse
    /// paths that escape the project, symlinks included. CRLF need not be normalised here.
    fn read(&self, path: &str) -> Result<Option<Arc<str>>, SourceError>;
}

/// Checks that `path` is a clean project-relative path: no leading `/`, no `\`, no drive
/// letters, no `.`/`..` segments, no empty segments. Returns it unchanged when it is.
pub fn check_relative_path(path: &str) -> Result<&str, SourceError> {
    let outside = || SourceError::OutsideProject(path.to_owned());
    if path.is_empty() || path.starts_with('/') || path.contains('\\') || path.contains(':') {
        return Err(outside());
    }
    if path
        .split('/')
        .any(|seg| seg.is_empty() || seg == "." || seg == "..")
    {
        return Err(outside());
    }
    Ok(path)
}

/// Resolves `name` relative to the directory of `parent` (for `mj-include path="../x.mjml"`),
/// refusing anything that would climb above the project root.
pub fn join_relative(parent: &str, name: &str) -> Result<String, SourceError> {
    let mut segments: Vec<&str> = parent.split('/').collect();
    segments.pop();
    for seg in name.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                if segments.pop().is_none() {
                    return Err(SourceError::OutsideProject(name.to_owned()));
                }
            }
            s => segments.push(s),
        }
    }
    let joined = segments.join("/");
    check_relative_path(&joined).map(str::to_owned)
}

/// An in-memory project, for tests, benchmarks and standalone files.
#[derive(Debug, Default, Clone)]
pub struct MemorySources {
    files: BTreeMap<String, Arc<str>>,
}

impl MemorySources {
    /// An empty set of files.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds or replaces a file.
    pub fn insert(&mut self, path: impl Into<String>, text: impl Into<Arc<str>>) -> &mut Self {
        self.files.insert(path.into(), text.into());
        self
    }

    /// Builder form of [`insert`](Self::insert).
    pub fn with(mut self, path: impl Into<String>, text: impl Into<Arc<str>>) -> Self {
        self.insert(path, text);
        self
    }

    /// All paths, sorted.
    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.files.keys().map(String::as_str)
    }
}

impl Sources for MemorySources {
    fn read(&self, path: &str) -> Result<Option<Arc<str>>, SourceError> {
        check_relative_path(path)?;
        Ok(self.files.get(path).cloned())
    }
}

impl crate::ProjectFiles for MemorySources {
    fn list(&self, dir: &str) -> Result<Vec<String>, SourceError> {
        let prefix = format!("{}/", check_relative_path(dir)?);
        let mut names: Vec<String> = self
            .files
            .range(prefix.clone()..)
            .map(|(path, _)| path)
            .take_while(|path| path.starts_with(&prefix))
            .filter_map(|path| path[prefix.len()..].split('/').next())
            .filter(|name| !name.starts_with('.'))
            .map(str::to_owned)
            .collect();
        names.sort();
        names.dedup();
        Ok(names)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_that_escape_are_refused() {
        for bad in [
            "../x",
            "/etc/passwd",
            "a/../../b",
            "a//b",
            "C:/x",
            "a\\b",
            "",
            "./a",
        ] {
            assert!(check_relative_path(bad).is_err(), "{bad}");
        }
        assert_eq!(
            check_relative_path("partials/a.mjml"),
            Ok("partials/a.mjml")
        );
    }

    #[test]
    fn join_relative_resolves_and_refuses_climbing_out() {
        assert_eq!(
            join_relative("emails/a.mjml", "parts/b.mjml").unwrap(),
            "emails/parts/b.mjml"
        );
        assert_eq!(
            join_relative("emails/a.mjml", "../b.mjml").unwrap(),
            "b.mjml"
        );
        assert!(join_relative("a.mjml", "../b.mjml").is_err());
    }
}
