//! What the CLI integration tests share: a temp copy of the sample project and running the
//! binary.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A temporary copy of the bundled sample project (`project/` inside the temp folder).
pub fn sample_copy() -> (tempfile::TempDir, PathBuf) {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("project");
    letterpress_studio::copy_project(&repo, &root).unwrap();
    (tmp, root)
}

/// Runs `cmd`; returns (exit code, stdout, stderr).
pub fn run(cmd: &mut Command) -> (i32, String, String) {
    let Output {
        status,
        stdout,
        stderr,
    } = cmd.output().unwrap();
    (
        status.code().unwrap_or(-1),
        String::from_utf8_lossy(&stdout).into_owned(),
        String::from_utf8_lossy(&stderr).into_owned(),
    )
}
