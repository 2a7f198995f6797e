//! Loading a project's engine from its files: the one function the working copy, a saved
//! version and a bundle all go through, so that they read `letterpress.toml` and the
//! catalogs the same way (same paths, same locale names, same errors).

use crate::Engine;
use crate::catalog::CatalogFile;
use crate::config::{Limits, PROJECT_FILE, ProjectConfig, normalise_locale};
use crate::diagnostic::{Code, Diagnostic, Location};
use crate::sources::{SourceError, Sources, check_relative_path};
use std::sync::Arc;

/// A project's files: read any of them, and list a folder (for `locales/`).
pub trait ProjectFiles: Sources {
    /// The names of the entries of folder `dir` (project-relative), sorted, hidden ones
    /// (starting with `.`) left out; empty when the folder does not exist.
    fn list(&self, dir: &str) -> Result<Vec<String>, SourceError>;
}

/// Why a project could not be loaded.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LoadError {
    /// There is no `letterpress.toml`.
    #[error("no {PROJECT_FILE}")]
    NoProjectFile,
    /// `letterpress.toml` or a catalog cannot be read or parsed; the diagnostic says where.
    #[error("{0}")]
    Invalid(Box<Diagnostic>),
}

impl Engine {
    /// Loads the project in `files`: its configuration, every `locales/<locale>/*.ftl`, and
    /// templates read from the same files. Catalog syntax problems are kept in
    /// [`Engine::load_diagnostics`]; a file that cannot be read at all is a [`LoadError`].
    pub fn load(files: Arc<dyn ProjectFiles>, limits: Limits) -> Result<Engine, LoadError> {
        let config = read_config(files.as_ref())?;
        let catalogs = catalog_files(files.as_ref())?;
        Ok(Engine::new(config, catalogs, files, limits))
    }
}

/// Reads and parses `letterpress.toml`.
pub fn read_config(files: &dyn Sources) -> Result<ProjectConfig, LoadError> {
    match files.read(PROJECT_FILE) {
        Ok(Some(text)) => ProjectConfig::parse(&text).map_err(LoadError::Invalid),
        Ok(None) => Err(LoadError::NoProjectFile),
        Err(e) => Err(unreadable(PROJECT_FILE, &e, Code::InvalidConfig)),
    }
}

/// Every `locales/<locale>/*.ftl`, with its locale name normalised (`pt_BR` → `pt-BR`).
pub fn catalog_files(files: &dyn ProjectFiles) -> Result<Vec<CatalogFile>, LoadError> {
    let listed = |dir: &str| {
        files
            .list(dir)
            .map_err(|e| unreadable(dir, &e, Code::InvalidConfig))
    };
    let mut catalogs = Vec::new();
    for locale in listed("locales")? {
        let dir = format!("locales/{locale}");
        if check_relative_path(&dir).is_err() {
            continue;
        }
        for name in listed(&dir)? {
            if !name.ends_with(".ftl") {
                continue;
            }
            let path = format!("{dir}/{name}");
            match files.read(&path) {
                Ok(Some(text)) => catalogs.push(CatalogFile {
                    locale: normalise_locale(&locale).unwrap_or_else(|| locale.clone()),
                    path,
                    text: text.to_string(),
                }),
                // A folder named `x.ftl`, or a file gone since it was listed.
                Ok(None) => {}
                Err(e) => return Err(unreadable(&path, &e, Code::InvalidConfig)),
            }
        }
    }
    Ok(catalogs)
}

/// The diagnostic for a project file that cannot be read.
fn unreadable(path: &str, e: &SourceError, other: Code) -> LoadError {
    let code = match e {
        SourceError::OutsideProject(_) => Code::PathOutsideProject,
        SourceError::TooLarge { .. } => Code::LimitSourceSize,
        SourceError::Unreadable { .. } => other,
    };
    LoadError::Invalid(Box::new(Diagnostic::error(
        code,
        e.to_string(),
        Some(Location::start_of(path)),
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::MemorySources;

    const CONFIG: &str =
        "[project]\nname = \"t\"\ndefault_locale = \"en\"\nlocales = [\"en\", \"pt-BR\"]\n";

    fn load(files: MemorySources) -> Result<Engine, LoadError> {
        Engine::load(Arc::new(files), Limits::default())
    }

    #[test]
    fn a_project_without_its_file_is_no_project() {
        let err = load(MemorySources::new().with("templates/a/body.mjml", "<mjml/>")).err();
        assert_eq!(err, Some(LoadError::NoProjectFile));
    }

    #[test]
    fn a_broken_configuration_says_where() {
        let Err(LoadError::Invalid(d)) =
            load(MemorySources::new().with(PROJECT_FILE, "[project\n"))
        else {
            panic!("a broken letterpress.toml loaded");
        };
        assert_eq!(
            d.location.as_ref().map(|l| l.file.as_str()),
            Some(PROJECT_FILE)
        );
    }

    #[test]
    fn catalogs_are_found_under_locales_with_normalised_names() {
        let files = MemorySources::new()
            .with(PROJECT_FILE, CONFIG)
            .with("locales/en/main.ftl", "hello = Hello\n")
            .with("locales/pt_BR/main.ftl", "hello = Olá\n")
            .with("locales/pt_BR/notes.txt", "not a catalog")
            .with(
                "locales/en/deeper/x.ftl",
                "ignored = deeper than a locale\n",
            );
        let found = catalog_files(&files).unwrap();
        let found: Vec<(&str, &str)> = found
            .iter()
            .map(|c| (c.locale.as_str(), c.path.as_str()))
            .collect();
        assert_eq!(
            found,
            [
                ("en", "locales/en/main.ftl"),
                ("pt-BR", "locales/pt_BR/main.ftl")
            ]
        );
        assert!(load(files).is_ok());
    }
}
