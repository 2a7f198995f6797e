//! Shared by the plural tests: Python (PyPI `babel`, the standard `gettext`) as an independent
//! reference implementation.

use std::process::{Command, Stdio};

/// Runs `python3 -c script` with `input` on stdin and parses what it prints as JSON.
pub fn python_json<T: serde::de::DeserializeOwned>(script: &str, input: &str) -> T {
    let mut child = Command::new("python3")
        .args(["-c", script])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 is required by this test (scripts/env.sh installs it)");
    std::io::Write::write_all(child.stdin.as_mut().expect("stdin"), input.as_bytes())
        .expect("write to python3");
    let out = child.wait_with_output().expect("python3 output");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("python3 prints JSON")
}
