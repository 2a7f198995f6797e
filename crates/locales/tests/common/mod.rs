//! Shared by the plural tests: Python (PyPI `babel`, the standard `gettext`) as an independent
//! reference implementation.

// Runs Python as the reference implementation; the crate itself may not (crates/locales/clippy.toml).
#![allow(clippy::disallowed_methods, clippy::disallowed_types)]

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

/// Fails unless the installed PyPI `babel` carries the CLDR release the rules follow
/// (`letterpress_locales::plural::CLDR_VERSION`), so a test never compares with whichever
/// CLDR a registry served that day.
pub fn assert_babel_has_our_cldr() {
    let script = r#"
import json, sys
try:
    import babel, babel.core
except ImportError:
    sys.exit("PyPI `babel` is required by this test (scripts/env.sh installs the pinned version)")
print(json.dumps([babel.__version__, babel.core.get_cldr_version()]))
"#;
    let (babel, cldr): (String, String) = python_json(script, "");
    assert_eq!(
        cldr,
        letterpress_locales::plural::CLDR_VERSION,
        "babel {babel} ships CLDR {cldr}, but the plural rules follow CLDR {}: install the \
         babel that scripts/env.sh pins, or update the vendored rules, the Plural-Forms table \
         and the pin together",
        letterpress_locales::plural::CLDR_VERSION
    );
}
