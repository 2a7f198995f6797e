//! The project on disk as engine [`Sources`]: confined to the project root (symlinks that
//! point outside are refused), size-limited, cached per path.

use letterpress_engine::{ProjectFiles, SourceError, Sources, check_relative_path};
use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Arc, PoisonError, RwLock};

/// Files under one root directory, read once and cached.
#[derive(Debug)]
pub struct DiskSources {
    root: PathBuf,
    max_bytes: u64,
    cache: RwLock<HashMap<String, Option<Arc<str>>>>,
}

impl DiskSources {
    /// Sources rooted at `root`, which must exist (it is canonicalised).
    pub fn new(root: &Path, max_bytes: usize) -> std::io::Result<DiskSources> {
        Ok(DiskSources {
            root: root.canonicalize()?,
            max_bytes: max_bytes as u64,
            cache: RwLock::new(HashMap::new()),
        })
    }

    /// The canonical root.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Forgets cached contents (after a file changed on disk).
    pub fn invalidate(&self) {
        self.cache
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }

    /// Forgets one cached file.
    pub fn invalidate_path(&self, path: &str) {
        self.cache
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(path);
    }

    fn read_uncached(&self, path: &str) -> Result<Option<Arc<str>>, SourceError> {
        Ok(read_confined_text(&self.root, path, self.max_bytes)?.map(Arc::from))
    }
}

impl ProjectFiles for DiskSources {
    fn list(&self, dir: &str) -> Result<Vec<String>, SourceError> {
        list_confined(&self.root, dir)
    }
}

/// The entries of folder `dir` under `root` (canonical), sorted, hidden ones left out; empty
/// when it does not exist. A folder that resolves outside `root` is refused like a file.
pub fn list_confined(root: &Path, dir: &str) -> Result<Vec<String>, SourceError> {
    check_relative_path(dir)?;
    let unreadable = |e: std::io::Error| SourceError::Unreadable {
        path: dir.to_owned(),
        reason: e.to_string(),
    };
    let canonical = match root.join(dir).canonicalize() {
        Ok(c) => c,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(unreadable(e)),
    };
    if !canonical.starts_with(root) {
        return Err(SourceError::OutsideProject(dir.to_owned()));
    }
    let entries = match std::fs::read_dir(&canonical) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotADirectory => return Ok(Vec::new()),
        Err(e) => return Err(unreadable(e)),
    };
    let mut names = Vec::new();
    for entry in entries {
        let entry = entry.map_err(unreadable)?;
        if let Some(name) = entry.file_name().to_str()
            && !name.starts_with('.')
        {
            names.push(name.to_owned());
        }
    }
    names.sort();
    Ok(names)
}

/// Why a file cannot be written where it was asked to be.
#[derive(Debug, thiserror::Error)]
pub enum WriteTargetError {
    /// The path, or a folder on the way to it, leads outside the project.
    #[error(transparent)]
    Outside(SourceError),
    /// A folder could not be created or resolved.
    #[error("{}: {source}", path.display())]
    Io {
        /// The folder.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
}

/// The one check before every write on a user's behalf (save, restore, pull, import): `path`
/// must be a clean project-relative path, and the folder it goes into must resolve (symlinks
/// followed) under `root` (canonical) — checked on the deepest folder that exists *before*
/// any missing one is created, so nothing is ever created outside. A file that is itself a
/// symlink is refused too (an atomic write would replace the link, a plain one follow it).
/// Returns the file's path under the resolved folder, ready for an atomic write.
pub fn confined_write_target(root: &Path, path: &str) -> Result<PathBuf, WriteTargetError> {
    check_relative_path(path).map_err(WriteTargetError::Outside)?;
    let outside = || WriteTargetError::Outside(SourceError::OutsideProject(path.to_owned()));
    let full = root.join(path);
    let (Some(parent), Some(name)) = (full.parent(), full.file_name()) else {
        return Err(outside());
    };
    let io = |path: &Path| {
        let path = path.to_owned();
        move |source| WriteTargetError::Io { path, source }
    };
    let mut existing = parent;
    while !existing.exists() {
        // A dangling symlink is not a folder to create things under.
        if existing.symlink_metadata().is_ok() {
            return Err(outside());
        }
        existing = existing.parent().ok_or_else(outside)?;
    }
    if !existing
        .canonicalize()
        .map_err(io(existing))?
        .starts_with(root)
    {
        return Err(outside());
    }
    std::fs::create_dir_all(parent).map_err(io(parent))?;
    let resolved = parent.canonicalize().map_err(io(parent))?;
    let target = resolved.join(name);
    if !resolved.starts_with(root)
        || target
            .symlink_metadata()
            .is_ok_and(|m| m.file_type().is_symlink())
    {
        return Err(outside());
    }
    Ok(target)
}

/// The one reader for files read on a user's behalf (the engine's sources, the editor's
/// open / reload / conflict view, history's compare with the working copy): `path` must be
/// a clean project-relative path, the file it resolves to (symlinks followed) must lie under
/// `root` (canonical), and it may not be larger than `max_bytes`. `Ok(None)`: no such file
/// (or a directory).
pub fn read_confined(
    root: &Path,
    path: &str,
    max_bytes: u64,
) -> Result<Option<Vec<u8>>, SourceError> {
    check_relative_path(path)?;
    let full = root.join(path);
    let canonical = match full.canonicalize() {
        Ok(c) => c,
        // Also a dangling symlink: nothing is read, wherever it points.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(SourceError::Unreadable {
                path: path.to_owned(),
                reason: e.to_string(),
            });
        }
    };
    if !canonical.starts_with(root) {
        return Err(SourceError::OutsideProject(path.to_owned()));
    }
    let unreadable = |e: std::io::Error| SourceError::Unreadable {
        path: path.to_owned(),
        reason: e.to_string(),
    };
    let file = std::fs::File::open(&canonical).map_err(unreadable)?;
    let meta = file.metadata().map_err(unreadable)?;
    if meta.is_dir() {
        return Ok(None);
    }
    if meta.len() > max_bytes {
        return Err(SourceError::TooLarge {
            path: path.to_owned(),
            size: meta.len(),
            limit: max_bytes,
        });
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    // Read at most one byte past the limit, in case the file grew after metadata().
    file.take(max_bytes + 1)
        .read_to_end(&mut bytes)
        .map_err(unreadable)?;
    if bytes.len() as u64 > max_bytes {
        return Err(SourceError::TooLarge {
            path: path.to_owned(),
            size: bytes.len() as u64,
            limit: max_bytes,
        });
    }
    Ok(Some(bytes))
}

/// [`read_confined`] for text: the file must be UTF-8.
pub fn read_confined_text(
    root: &Path,
    path: &str,
    max_bytes: u64,
) -> Result<Option<String>, SourceError> {
    read_confined(root, path, max_bytes)?
        .map(|bytes| {
            String::from_utf8(bytes).map_err(|_| SourceError::Unreadable {
                path: path.to_owned(),
                reason: "not valid UTF-8".into(),
            })
        })
        .transpose()
}

impl Sources for DiskSources {
    fn read(&self, path: &str) -> Result<Option<Arc<str>>, SourceError> {
        check_relative_path(path)?;
        if let Some(hit) = self
            .cache
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(path)
        {
            return Ok(hit.clone());
        }
        let found = self.read_uncached(path)?;
        self.cache
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(path.to_owned(), found.clone());
        Ok(found)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn symlinks_leaving_the_root_are_refused() {
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret.txt"), "secret").unwrap();
        let root = tempfile::tempdir().unwrap();
        std::fs::write(root.path().join("ok.mjml"), "ok").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(
            outside.path().join("secret.txt"),
            root.path().join("link.mjml"),
        )
        .unwrap();
        let sources = DiskSources::new(root.path(), 1024).unwrap();
        assert_eq!(sources.read("ok.mjml").unwrap().as_deref(), Some("ok"));
        assert_eq!(sources.read("missing.mjml").unwrap(), None);
        #[cfg(unix)]
        assert!(matches!(
            sources.read("link.mjml"),
            Err(SourceError::OutsideProject(_))
        ));
        assert!(matches!(
            sources.read("../secret.txt"),
            Err(SourceError::OutsideProject(_))
        ));
    }

    #[test]
    fn files_over_the_limit_are_refused() {
        let root = tempfile::tempdir().unwrap();
        std::fs::write(root.path().join("big.mjml"), "x".repeat(2000)).unwrap();
        let sources = DiskSources::new(root.path(), 1000).unwrap();
        assert!(matches!(
            sources.read("big.mjml"),
            Err(SourceError::TooLarge { .. })
        ));
    }
}
