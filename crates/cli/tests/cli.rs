//! The `letterpress` binary on a copy of the sample project: exit codes, output files,
//! compiler-style errors, and builds that never half-write.

mod common;

use common::{run, sample_copy};
use std::process::Command;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_letterpress"))
}

#[test]
fn check_passes_on_the_sample_and_finds_the_project_from_a_subdirectory() {
    let (_tmp, root) = sample_copy();
    let (code, _, err) = run(bin()
        .arg("check")
        .current_dir(root.join("templates/welcome")));
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("0 error(s)"), "{err}");
}

#[test]
fn check_reports_errors_like_a_compiler_and_exits_1() {
    let (_tmp, root) = sample_copy();
    let body = root.join("templates/welcome/body.mjml");
    let text = std::fs::read_to_string(&body).unwrap();
    std::fs::write(&body, format!("{text}\n{{{{ no_such_variable }}}}\n")).unwrap();
    let (code, _, err) = run(bin().arg("--project").arg(&root).arg("check"));
    assert_eq!(code, 1, "{err}");
    let line = text.lines().count() + 2;
    assert!(
        err.contains("error[undefined-variable]: `no_such_variable` is undefined"),
        "{err}"
    );
    assert!(
        err.contains(&format!("--> templates/welcome/body.mjml:{line}:4")),
        "{err}"
    );

    let (code, out, _) = run(bin()
        .arg("--project")
        .arg(&root)
        .args(["check", "--format", "json"]));
    assert_eq!(code, 1);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let first = &json["diagnostics"][0];
    assert_eq!(first["code"], "undefined-variable");
    assert_eq!(first["location"]["line"], line);
}

#[test]
fn render_prints_each_part() {
    let (_tmp, root) = sample_copy();
    let render = |args: &[&str]| run(bin().arg("--project").arg(&root).arg("render").args(args));
    let (code, html, err) = render(&["receipt", "--locale", "de"]);
    assert_eq!(code, 0, "{err}");
    assert!(html.contains("<html") && html.contains("lang=\"de\""));
    let (_, subject, _) = render(&["receipt", "--locale", "de", "--part", "subject"]);
    assert!(!subject.trim().is_empty());
    let (_, text, _) = render(&["welcome", "--part", "text"]);
    // Plain text: no markup, links followed by their address.
    assert!(!text.contains("<div") && !text.contains("<a "), "{text}");
    assert!(text.contains("Go to your dashboard <https://"), "{text}");
    let (code, _, err) = render(&["welcome", "--data", "nope"]);
    assert_eq!(code, 2);
    assert!(err.contains("has no fixture `nope`"), "{err}");
    let (code, _, err) = render(&["no-such-template"]);
    assert_eq!(code, 2, "{err}");
}

#[test]
fn render_writes_a_standalone_mjml_file_like_the_mjml_cli() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("hello.mjml");
    std::fs::write(
        &file,
        "<mjml><mj-body><mj-section><mj-column><mj-text>Hello {{ name }}</mj-text></mj-column></mj-section></mj-body></mjml>",
    )
    .unwrap();
    let out_file = tmp.path().join("hello.html");
    let (code, _, err) = run(bin()
        .arg("render")
        .arg(&file)
        .arg("-o")
        .arg(&out_file)
        .current_dir(tmp.path()));
    assert_eq!(code, 0, "{err}");
    let html = std::fs::read_to_string(&out_file).unwrap();
    // No Jinja for plain MJML files: ESP placeholders pass through.
    assert!(html.contains("Hello {{ name }}"), "{html}");
    // Project-only flags are refused rather than silently ignored.
    let (code, _, err) = run(bin().arg("render").arg(&file).args(["--locale", "de"]));
    assert_eq!(code, 2);
    assert!(
        err.contains("--locale, --data and --variant apply to project templates"),
        "{err}"
    );
}

#[test]
fn build_writes_every_email_and_a_manifest() {
    let (_tmp, root) = sample_copy();
    let out = root.join("dist");
    let (code, _, err) = run(bin()
        .arg("--project")
        .arg(&root)
        .arg("build")
        .arg("--out")
        .arg(&out));
    assert_eq!(code, 0, "{err}");
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    let entries = manifest["entries"].as_array().unwrap();
    assert!(entries.len() >= 6 * 5 * 2);
    for e in entries {
        let html = std::fs::read_to_string(out.join(e["html"].as_str().unwrap())).unwrap();
        assert!(html.starts_with("<!doctype html>"), "{}", e["html"]);
        assert!(out.join(e["text"].as_str().unwrap()).is_file());
        assert!(!e["subject"].as_str().unwrap().is_empty());
    }
    assert!(entries.iter().any(|e| e["dir"] == "rtl"));
}

#[test]
fn failed_build_leaves_the_previous_output_untouched() {
    let (_tmp, root) = sample_copy();
    let out = root.join("dist");
    let build = || {
        run(bin()
            .arg("--project")
            .arg(&root)
            .arg("build")
            .arg("--out")
            .arg(&out))
    };
    assert_eq!(build().0, 0);
    let before = std::fs::read_to_string(out.join("manifest.json")).unwrap();
    std::fs::write(root.join("templates/receipt/body.mjml"), "{% if %}").unwrap();
    let (code, _, err) = build();
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("error[template-syntax]"), "{err}");
    assert_eq!(
        std::fs::read_to_string(out.join("manifest.json")).unwrap(),
        before
    );
    // No staging directories are left behind.
    let leftovers: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with(".letterpress"))
        .collect();
    assert!(leftovers.is_empty());
}

#[test]
fn build_refuses_to_replace_a_directory_that_is_not_a_build() {
    let (_tmp, root) = sample_copy();
    let out = root.join("precious");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("notes.txt"), "keep me").unwrap();
    let (code, _, err) = run(bin()
        .arg("--project")
        .arg(&root)
        .arg("build")
        .arg("--out")
        .arg(&out));
    assert_eq!(code, 2, "{err}");
    assert_eq!(
        std::fs::read_to_string(out.join("notes.txt")).unwrap(),
        "keep me"
    );
}

#[test]
fn no_project_is_a_clear_error() {
    let tmp = tempfile::tempdir().unwrap();
    let (code, _, err) = run(bin().arg("check").current_dir(tmp.path()));
    assert_eq!(code, 2);
    assert!(err.contains("no letterpress.toml found"), "{err}");
}

/// Invariant: a panic inside a render never takes the CLI down: `check`, `render` and `build`
/// report an `internal-error` for the template and exit 1. The panic is forced with the
/// test-only template function of the engine's `test-hooks` feature (dev builds only).
#[test]
fn a_panic_inside_a_render_is_an_internal_error_and_exit_1() {
    let (_tmp, root) = sample_copy();
    let body = root.join("templates/welcome/body.mjml");
    let text = std::fs::read_to_string(&body).unwrap();
    std::fs::write(
        &body,
        text.replacen(
            "{% block content %}",
            "{% block content %}{{ __letterpress_test_panic(\"forced panic\") }}",
            1,
        ),
    )
    .unwrap();
    let out = root.join("out");
    for args in [
        &["check"][..],
        &["render", "welcome"][..],
        &["build", "--out", out.to_str().unwrap()][..],
    ] {
        let (code, _, err) = run(bin().arg("--project").arg(&root).args(args));
        assert_eq!(code, 1, "{args:?}: {err}");
        assert!(err.contains("error[internal-error]"), "{args:?}: {err}");
        assert!(err.contains("forced panic"), "{args:?}: {err}");
        assert!(
            err.contains("templates/welcome/template.toml"),
            "{args:?}: {err}"
        );
    }
    assert!(!out.exists(), "a failed build wrote its output");
}
