//! Fixture files for the visual tests: the mrml-compare corpus and the repository's samples.

// Tests read their fixtures from disk; the crate itself may not (crates/visual/clippy.toml).
#![allow(clippy::disallowed_methods, clippy::disallowed_types, dead_code)]

use std::path::{Path, PathBuf};

/// The MJML files no one here wrote (MIT, from mrml's comparison suite).
pub const CORPUS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/corpus/mrml-compare"
);
/// The repository root.
pub const REPO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

/// One fixture file.
pub struct Fixture {
    pub name: String,
    pub text: String,
}

fn mjml_files(dir: &Path) -> Vec<PathBuf> {
    let entries =
        std::fs::read_dir(dir).unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()));
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "mjml"))
        .collect();
    files.sort();
    files
}

fn read(path: &Path, name: String) -> Fixture {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    Fixture { name, text }
}

/// Every `.mjml` of the corpus folder; fails loudly when the folder is missing.
pub fn corpus() -> Vec<Fixture> {
    let dir = Path::new(CORPUS);
    assert!(
        dir.is_dir(),
        "the corpus folder {} is missing: the null round trip needs it",
        dir.display()
    );
    let files: Vec<Fixture> = mjml_files(dir)
        .into_iter()
        .map(|p| {
            let name = format!(
                "corpus/{}",
                p.file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default()
            );
            read(&p, name)
        })
        .collect();
    assert!(
        files.len() >= 150,
        "expected the 156 corpus files in {}, found {}",
        dir.display(),
        files.len()
    );
    files
}

/// `templates/*/*.mjml`, `layouts/*.mjml`, `partials/*.mjml` of the repository.
pub fn samples() -> Vec<Fixture> {
    let root = Path::new(REPO);
    let mut dirs = vec![root.join("layouts"), root.join("partials")];
    let templates = std::fs::read_dir(root.join("templates"))
        .unwrap_or_else(|e| panic!("cannot list templates: {e}"));
    let mut template_dirs: Vec<PathBuf> = templates
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    template_dirs.sort();
    dirs.extend(template_dirs);
    let mut files = Vec::new();
    for dir in dirs {
        for path in mjml_files(&dir) {
            let name = path
                .strip_prefix(root)
                .unwrap_or(&path)
                .to_string_lossy()
                .into_owned();
            files.push(read(&path, name));
        }
    }
    assert!(
        files.len() >= 10,
        "expected the sample templates, layouts and partials, found {}",
        files.len()
    );
    files
}

/// Corpus and samples together.
pub fn all() -> Vec<Fixture> {
    let mut files = corpus();
    files.extend(samples());
    files
}
