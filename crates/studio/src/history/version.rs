//! A saved version loaded for rendering: its own configuration, catalogs and templates, read
//! from its git tree (never the working copy). Sync compiles what it uploads from this.

use super::{History, HistoryError, TreeSources};
use letterpress_engine::{Diagnostic, Engine, Limits, ProjectConfig, Sources, paths};
use std::sync::Arc;

/// A version of the project, ready to render.
pub struct VersionProject {
    /// Full commit id.
    pub id: String,
    /// The version's `letterpress.toml`.
    pub config: ProjectConfig,
    /// An engine over the version's tree.
    pub engine: Engine,
    /// Template ids (folders under `templates/` with a `template.toml`), sorted.
    pub templates: Vec<String>,
}

impl History {
    /// Loads `revision` for rendering. `Ok(Err(diagnostic))` when its configuration does not
    /// parse (a problem with the user's files, not with the history).
    pub fn version_project(
        &self,
        revision: &str,
    ) -> Result<Result<VersionProject, Box<Diagnostic>>, HistoryError> {
        let commit = self.resolve(revision)?;
        let tree = commit.tree()?;
        let limits = Limits::default();
        let sources = Arc::new(TreeSources::new(
            self.repo.path(),
            tree.id(),
            limits.source_bytes,
        )?);
        let templates = sources
            .entries("templates")
            .into_iter()
            .filter(|id| matches!(sources.read(&paths::meta(id)), Ok(Some(_))))
            .collect();
        let engine = match Engine::load(sources, limits) {
            Ok(engine) => engine,
            Err(e) => return Ok(Err(super::version_load_error(e))),
        };
        let config = engine.config().clone();
        Ok(Ok(VersionProject {
            id: commit.id().to_string(),
            config,
            engine,
            templates,
        }))
    }
}

impl History {
    /// Every project file of `revision` (letterpress.toml, templates, layouts, partials,
    /// locales) as (path, text), sorted. Files that are not UTF-8 text are skipped.
    pub fn version_files(&self, revision: &str) -> Result<Vec<(String, String)>, HistoryError> {
        let commit = self.resolve(revision)?;
        let tree = commit.tree()?;
        let mut files = Vec::new();
        let mut failure = None;
        tree.walk(git2::TreeWalkMode::PreOrder, |dir, entry| {
            let path = format!("{dir}{}", entry.name().unwrap_or_default());
            let top = path.split('/').next().unwrap_or_default();
            if !crate::PROJECT_ENTRIES.contains(&top) {
                return git2::TreeWalkResult::Skip;
            }
            if entry.kind() == Some(git2::ObjectType::Blob) {
                match entry.to_object(&self.repo).map(|o| o.peel_to_blob()) {
                    Ok(Ok(blob)) => {
                        if let Ok(text) = std::str::from_utf8(blob.content()) {
                            files.push((path, text.to_owned()));
                        }
                    }
                    Ok(Err(e)) | Err(e) => {
                        failure = Some(e);
                        return git2::TreeWalkResult::Abort;
                    }
                }
            }
            git2::TreeWalkResult::Ok
        })?;
        if let Some(e) = failure {
            return Err(e.into());
        }
        files.sort();
        Ok(files)
    }
}
