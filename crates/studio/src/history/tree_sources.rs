//! A saved version as engine [`Sources`]: files are read from the version's git tree, so the
//! engine renders the project exactly as it was, without touching the working copy.

use letterpress_engine::{ProjectFiles, SourceError, Sources, check_relative_path};
use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};

/// Project files as they are in one git tree. libgit2 repositories are not `Sync`, so the
/// repository handle (a second one, opened on the same directory) sits behind a mutex.
pub struct TreeSources {
    repo: Mutex<git2::Repository>,
    tree: git2::Oid,
    max_bytes: usize,
    cache: Mutex<HashMap<String, Option<Arc<str>>>>,
}

impl TreeSources {
    /// Sources for `tree` of the repository whose git directory is `git_dir`.
    pub fn new(git_dir: &Path, tree: git2::Oid, max_bytes: usize) -> Result<Self, git2::Error> {
        Ok(TreeSources {
            repo: Mutex::new(git2::Repository::open(git_dir)?),
            tree,
            max_bytes,
            cache: Mutex::new(HashMap::new()),
        })
    }

    /// Paths of the files directly in `dir` (a project-relative folder), sorted.
    pub fn entries(&self, dir: &str) -> Vec<String> {
        let repo = self.repo.lock().unwrap_or_else(PoisonError::into_inner);
        let Ok(tree) = repo.find_tree(self.tree) else {
            return Vec::new();
        };
        let Ok(entry) = tree.get_path(Path::new(dir)) else {
            return Vec::new();
        };
        let Ok(sub) = repo.find_tree(entry.id()) else {
            return Vec::new();
        };
        let mut names: Vec<String> = sub
            .iter()
            .filter_map(|e| e.name().ok().map(str::to_owned))
            .filter(|n| !n.starts_with('.'))
            .collect();
        names.sort();
        names
    }

    fn read_uncached(&self, path: &str) -> Result<Option<Arc<str>>, SourceError> {
        let repo = self.repo.lock().unwrap_or_else(PoisonError::into_inner);
        let unreadable = |reason: String| SourceError::Unreadable {
            path: path.to_owned(),
            reason,
        };
        let tree = repo
            .find_tree(self.tree)
            .map_err(|e| unreadable(e.message().to_owned()))?;
        let Ok(entry) = tree.get_path(Path::new(path)) else {
            return Ok(None);
        };
        if entry.kind() != Some(git2::ObjectType::Blob) {
            return Ok(None);
        }
        if entry.filemode() == 0o120000 {
            // A symlink's target may lead anywhere; versions are read without following them.
            return Err(SourceError::OutsideProject(path.to_owned()));
        }
        let blob = repo
            .find_blob(entry.id())
            .map_err(|e| unreadable(e.message().to_owned()))?;
        if blob.size() > self.max_bytes {
            return Err(SourceError::TooLarge {
                path: path.to_owned(),
                size: blob.size() as u64,
                limit: self.max_bytes as u64,
            });
        }
        let text = std::str::from_utf8(blob.content())
            .map_err(|_| unreadable("not valid UTF-8".into()))?;
        Ok(Some(Arc::from(text)))
    }
}

impl ProjectFiles for TreeSources {
    fn list(&self, dir: &str) -> Result<Vec<String>, SourceError> {
        check_relative_path(dir)?;
        Ok(self.entries(dir))
    }
}

impl Sources for TreeSources {
    fn read(&self, path: &str) -> Result<Option<Arc<str>>, SourceError> {
        check_relative_path(path)?;
        if let Some(hit) = self
            .cache
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(path)
        {
            return Ok(hit.clone());
        }
        let found = self.read_uncached(path)?;
        self.cache
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(path.to_owned(), found.clone());
        Ok(found)
    }
}
