//! The project on disk as engine [`Sources`]: confined to the project root (symlinks that
//! point outside are refused), size-limited, cached per path.

use letterpress_engine::{SourceError, Sources, check_relative_path};
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
        let full = self.root.join(path);
        let canonical = match full.canonicalize() {
            Ok(c) => c,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => {
                return Err(SourceError::Unreadable {
                    path: path.to_owned(),
                    reason: e.to_string(),
                });
            }
        };
        if !canonical.starts_with(&self.root) {
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
        if meta.len() > self.max_bytes {
            return Err(SourceError::TooLarge {
                path: path.to_owned(),
                size: meta.len(),
                limit: self.max_bytes,
            });
        }
        let mut bytes = Vec::with_capacity(meta.len() as usize);
        // Read at most one byte past the limit, in case the file grew after metadata().
        file.take(self.max_bytes + 1)
            .read_to_end(&mut bytes)
            .map_err(unreadable)?;
        if bytes.len() as u64 > self.max_bytes {
            return Err(SourceError::TooLarge {
                path: path.to_owned(),
                size: bytes.len() as u64,
                limit: self.max_bytes,
            });
        }
        let text = String::from_utf8(bytes).map_err(|_| SourceError::Unreadable {
            path: path.to_owned(),
            reason: "not valid UTF-8".into(),
        })?;
        Ok(Some(Arc::from(text)))
    }
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
