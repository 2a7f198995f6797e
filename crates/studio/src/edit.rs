//! Editing: unsaved buffers over the disk, saves that never overwrite someone else's change,
//! and what to do when a file changes on disk while it is open.

use crate::{DiskSources, Project, StudioError};
use letterpress_engine::{ProjectFiles, SourceError, Sources, check_relative_path};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// Unsaved editor buffers: project-relative path → text.
pub type Buffers = HashMap<String, Arc<str>>;

/// A fingerprint of a file's content (FNV-1a, 64 bits): what the editor loaded, to detect
/// that the disk changed since. Stable across runs and platforms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Revision(pub u64);

impl Revision {
    /// The revision of a file that does not exist.
    pub const ABSENT: Revision = Revision(0);

    /// The revision of `text`.
    pub fn of(text: &str) -> Revision {
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for byte in text.as_bytes() {
            hash ^= u64::from(*byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        // Keep 0 for "absent".
        Revision(hash.max(1))
    }
}

/// Why a save did not happen.
#[derive(Debug, thiserror::Error)]
pub enum SaveError {
    /// The file changed on disk since it was loaded; `theirs` is what is there now (`None`:
    /// it was deleted). Nothing was written.
    #[error("`{path}` changed on disk since it was opened")]
    Conflict {
        /// The file.
        path: String,
        /// The text on disk now.
        theirs: Option<String>,
    },
    /// The path is not a file of this project.
    #[error("{0}")]
    Refused(String),
    /// Writing failed.
    #[error(transparent)]
    Io(#[from] StudioError),
}

/// The disk with unsaved buffers on top.
pub struct OverlaySources {
    /// The files on disk.
    pub base: Arc<DiskSources>,
    /// Unsaved buffers, which win over the disk.
    pub buffers: Buffers,
}

impl Sources for OverlaySources {
    fn read(&self, path: &str) -> Result<Option<Arc<str>>, SourceError> {
        check_relative_path(path)?;
        match self.buffers.get(path) {
            Some(text) => Ok(Some(text.clone())),
            None => self.base.read(path),
        }
    }
}

impl ProjectFiles for OverlaySources {
    fn list(&self, dir: &str) -> Result<Vec<String>, SourceError> {
        let mut names = self.base.list(dir)?;
        let prefix = format!("{dir}/");
        names.extend(
            self.buffers
                .keys()
                .filter_map(|path| path.strip_prefix(&prefix))
                .filter_map(|rest| rest.split('/').next())
                .filter(|name| !name.starts_with('.'))
                .map(str::to_owned),
        );
        names.sort();
        names.dedup();
        Ok(names)
    }
}

/// One open file.
#[derive(Debug, Clone, Serialize)]
pub struct Document {
    /// Project-relative path.
    pub path: String,
    /// The editor's text.
    pub text: String,
    /// The revision on disk when it was loaded or last saved.
    pub base: Revision,
    /// The disk text at `base`, for "compare" and to tell whether the buffer is dirty.
    pub saved_text: Option<String>,
}

impl Document {
    /// True when the editor's text differs from what was loaded or saved.
    pub fn is_dirty(&self) -> bool {
        self.saved_text.as_deref() != Some(self.text.as_str())
    }
}

/// What happened to an open document when its file changed on disk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum ExternalChange {
    /// The buffer was clean: it now holds the new disk text.
    Reloaded {
        /// The file.
        path: String,
    },
    /// The buffer has unsaved edits and the disk changed too: both are kept until the user
    /// chooses ([`EditSession::keep_mine`] / [`EditSession::take_theirs`]).
    Conflict {
        /// The file.
        path: String,
        /// The editor's text.
        mine: String,
        /// The disk's text (`None`: deleted).
        theirs: Option<String>,
    },
    /// The file was deleted and the buffer was clean: the document was closed.
    Closed {
        /// The file.
        path: String,
    },
}

/// The documents open in the editor.
#[derive(Debug, Default)]
pub struct EditSession {
    documents: BTreeMap<String, Document>,
}

/// A project file as the editor sees it, through the confined reader: a path or symlink
/// leaving the project is `outside-project`, a file over the size limit `too-large`.
pub(crate) fn read_disk(project: &Project, path: &str) -> Result<Option<String>, StudioError> {
    Ok(crate::disk::read_confined_text(
        project.root(),
        path,
        project.engine().limits().source_bytes as u64,
    )?)
}

impl EditSession {
    /// An empty session.
    pub fn new() -> EditSession {
        EditSession::default()
    }

    /// Opens `path` (or returns it when already open).
    pub fn open(&mut self, project: &Project, path: &str) -> Result<&Document, StudioError> {
        if !self.documents.contains_key(path) {
            let text = read_disk(project, path)?
                .ok_or_else(|| StudioError::NotFound(format!("`{path}` does not exist")))?;
            self.documents.insert(
                path.to_owned(),
                Document {
                    path: path.to_owned(),
                    base: Revision::of(&text),
                    saved_text: Some(text.clone()),
                    text,
                },
            );
        }
        self.document(path)
            .ok_or_else(|| StudioError::NotFound(format!("`{path}` is not open")))
    }

    /// An open document.
    pub fn document(&self, path: &str) -> Option<&Document> {
        self.documents.get(path)
    }

    /// Replaces the editor's text of an open document (every keystroke).
    pub fn edit(&mut self, path: &str, text: &str) -> Result<(), StudioError> {
        let doc = self
            .documents
            .get_mut(path)
            .ok_or_else(|| StudioError::NotFound(format!("`{path}` is not open")))?;
        text.clone_into(&mut doc.text);
        Ok(())
    }

    /// Closes every document whose path starts with `prefix` (a template folder).
    pub fn close_under(&mut self, prefix: &str) {
        self.documents.retain(|path, _| !path.starts_with(prefix));
    }

    /// Unsaved buffers, for [`Project::preview`].
    pub fn buffers(&self) -> Buffers {
        self.documents
            .values()
            .filter(|d| d.is_dirty())
            .map(|d| (d.path.clone(), Arc::from(d.text.as_str())))
            .collect()
    }

    /// Paths with unsaved changes (for dirty markers and the prompt on close).
    pub fn dirty_paths(&self) -> Vec<String> {
        self.documents
            .values()
            .filter(|d| d.is_dirty())
            .map(|d| d.path.clone())
            .collect()
    }

    /// Saves an open document; refuses with [`SaveError::Conflict`] when the disk changed.
    pub fn save(&mut self, project: &Project, path: &str) -> Result<Revision, SaveError> {
        let doc = self
            .documents
            .get_mut(path)
            .ok_or_else(|| SaveError::Refused(format!("`{path}` is not open")))?;
        let revision = project.save(path, &doc.text, Some(doc.base))?;
        doc.base = revision;
        doc.saved_text = Some(doc.text.clone());
        Ok(revision)
    }

    /// Both sides of a conflict on `path`: the editor's text and the disk's (`None`: deleted).
    pub fn conflict_sides(
        &self,
        project: &Project,
        path: &str,
    ) -> Result<(String, Option<String>), StudioError> {
        let mine = self
            .documents
            .get(path)
            .map(|d| d.text.clone())
            .ok_or_else(|| StudioError::NotFound(format!("`{path}` is not open")))?;
        Ok((mine, read_disk(project, path)?))
    }

    /// Resolves a conflict by keeping the editor's text: the next save overwrites the disk.
    pub fn keep_mine(&mut self, project: &Project, path: &str) -> Result<(), StudioError> {
        let theirs = read_disk(project, path)?;
        if let Some(doc) = self.documents.get_mut(path) {
            doc.base = theirs.as_deref().map_or(Revision::ABSENT, Revision::of);
            doc.saved_text = theirs;
        }
        Ok(())
    }

    /// Resolves a conflict by taking the disk's text (the editor's edits are dropped).
    pub fn take_theirs(&mut self, project: &Project, path: &str) -> Result<(), StudioError> {
        match read_disk(project, path)? {
            Some(text) => {
                if let Some(doc) = self.documents.get_mut(path) {
                    doc.base = Revision::of(&text);
                    doc.saved_text = Some(text.clone());
                    doc.text = text;
                }
            }
            None => {
                self.documents.remove(path);
            }
        }
        Ok(())
    }

    /// Applies a change on disk to the open document at `path`: a clean buffer reloads (or
    /// closes when deleted), a dirty one becomes a conflict, and a change that only echoes
    /// our own save is ignored (`None`). Nothing is ever overwritten silently.
    pub fn on_disk_change(
        &mut self,
        project: &Project,
        path: &str,
    ) -> Result<Option<ExternalChange>, StudioError> {
        let Some(doc) = self.documents.get_mut(path) else {
            return Ok(None);
        };
        let theirs = read_disk(project, path)?;
        let revision = theirs.as_deref().map_or(Revision::ABSENT, Revision::of);
        if revision == doc.base {
            return Ok(None);
        }
        if doc.is_dirty() && theirs.as_deref() != Some(doc.text.as_str()) {
            return Ok(Some(ExternalChange::Conflict {
                path: path.to_owned(),
                mine: doc.text.clone(),
                theirs,
            }));
        }
        match theirs {
            Some(text) => {
                doc.base = revision;
                doc.saved_text = Some(text.clone());
                doc.text = text;
                Ok(Some(ExternalChange::Reloaded {
                    path: path.to_owned(),
                }))
            }
            None => {
                self.documents.remove(path);
                Ok(Some(ExternalChange::Closed {
                    path: path.to_owned(),
                }))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn revisions_differ_by_content_and_never_collide_with_absent() {
        assert_eq!(Revision::of("a"), Revision::of("a"));
        assert_ne!(Revision::of("a"), Revision::of("b"));
        assert_ne!(Revision::of(""), Revision::ABSENT);
    }
}
