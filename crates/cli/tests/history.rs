//! The history commands of the `letterpress` binary on a temp copy of the sample: init, save,
//! status, history, diff (source and rendered), publish, restore, remotes with push/pull and a
//! conflict (exit 1) aborted, locks, and the errors' stable codes and exit codes.

mod common;

use common::run;
use std::path::{Path, PathBuf};
use std::process::Command;

const ADA: &str = "Ada Designer <ada@example.com>";
const BEN: &str = "Ben Translator <ben@example.com>";

/// The binary, with no global or system git configuration (no author unless given).
fn bin(home: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_letterpress"));
    cmd.env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("GIT_CONFIG_NOSYSTEM", "1");
    cmd
}

/// A copy of the sample with an empty `home/` beside it (no git identity).
fn sample_copy() -> (tempfile::TempDir, PathBuf) {
    let (tmp, root) = common::sample_copy();
    std::fs::create_dir_all(tmp.path().join("home")).unwrap();
    (tmp, root)
}

/// Runs `letterpress --project root ARGS` and returns (exit code, stdout, stderr).
fn lp(root: &Path, args: &[&str]) -> (i32, String, String) {
    let home = root.parent().unwrap().join("home");
    run(bin(&home).arg("--project").arg(root).args(args))
}

fn edit(root: &Path, path: &str, from: &str, to: &str) {
    let full = root.join(path);
    let text = std::fs::read_to_string(&full).unwrap();
    assert!(text.contains(from), "{path} has no `{from}`");
    std::fs::write(&full, text.replacen(from, to, 1)).unwrap();
}

#[test]
fn versions_from_init_to_publish_and_restore() {
    let (_tmp, root) = sample_copy();
    let (code, _, err) = lp(&root, &["status"]);
    assert_eq!(code, 2);
    assert!(err.contains("error[not-a-repository]"), "{err}");

    let (code, out, err) = lp(&root, &["init"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("started a version history"), "{out}");
    let (code, _, err) = lp(&root, &["init"]);
    assert_eq!(
        (code, err.contains("error[already-a-repository]")),
        (2, true),
        "{err}"
    );

    // No author anywhere: a clear error, nothing saved.
    let (code, _, err) = lp(&root, &["save", "-m", "First"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("error[no-author]") && err.contains("user.email"),
        "{err}"
    );

    let (code, out, err) = lp(&root, &["save", "-m", "First", "--author", ADA]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("saved version "), "{out}");

    edit(
        &root,
        "locales/en/welcome.ftl",
        "welcome-heading = Welcome aboard, { $name }!",
        "welcome-heading = Welcome on board, { $name }!",
    );
    let (_, out, _) = lp(&root, &["status"]);
    assert!(out.contains("modified  locales/en/welcome.ftl"), "{out}");
    let (_, out, _) = lp(&root, &["status", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["files"][0]["path"], "locales/en/welcome.ftl");
    assert_eq!(json["files"][0]["kind"], "modified");

    let (code, out, err) = lp(&root, &["diff", "HEAD"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("- welcome-heading = Welcome aboard"), "{out}");
    assert!(
        out.contains("+ welcome-heading = Welcome on board"),
        "{out}"
    );

    let html = root.parent().unwrap().join("html");
    let (code, out, err) = lp(
        &root,
        &[
            "diff",
            "HEAD",
            "working",
            "--rendered",
            "--template",
            "welcome",
            "--locale",
            "en",
            "--html",
            html.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, "body: - aboard,\nbody: + on board,\n");
    let after = std::fs::read_to_string(html.join("after.html")).unwrap();
    assert!(after.contains("<mark class=\"lp-inserted\">on board,</mark>"));

    let (code, _, err) = lp(&root, &["publish", "staging", "-m", "x", "--author", ADA]);
    assert_eq!(code, 2);
    assert!(err.contains("error[uncommitted-changes]"), "{err}");

    let (code, _, err) = lp(&root, &["save", "-m", "Welcome: wording", "--author", BEN]);
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = lp(
        &root,
        &[
            "publish",
            "production",
            "-m",
            "Wording live",
            "--author",
            ADA,
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("as published/production/1"), "{out}");

    // The template's history includes its catalogs.
    let (code, out, err) = lp(&root, &["history", "welcome", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let summaries: Vec<&str> = json["versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["summary"].as_str().unwrap())
        .collect();
    assert_eq!(summaries, ["Welcome: wording", "First"]);
    assert_eq!(json["versions"][0]["author"], "Ben Translator");
    assert_eq!(
        json["versions"][0]["published"][0]["environment"],
        "production"
    );
    let (_, out, _) = lp(&root, &["history", "--limit", "1"]);
    assert!(out.contains("Welcome: wording  [production #1]"), "{out}");
    assert!(out.contains("(more: --cursor "), "{out}");

    let (code, out, _) = lp(&root, &["published"]);
    assert_eq!(code, 0);
    assert!(out.starts_with("production   #1 "), "{out}");
    assert!(out.contains("Wording live"), "{out}");

    let (code, out, err) = lp(&root, &["restore", "welcome", "HEAD~1"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.lines().count(), 1, "{out}");
    edit(
        &root,
        "templates/welcome/body.mjml",
        "<mj-divider />",
        "<mj-spacer />",
    );
    let (code, _, err) = lp(&root, &["restore", "welcome", "HEAD~1"]);
    assert_eq!(code, 2);
    assert!(err.contains("error[uncommitted-changes]"), "{err}");
    let (code, out, err) = lp(
        &root,
        &["restore", "welcome", "HEAD~1", "--discard-changes"],
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("restored templates/welcome/body.mjml"),
        "{out}"
    );
    let (code, _, err) = lp(&root, &["diff", "nope"]);
    assert_eq!(code, 2);
    assert!(err.contains("error[unknown-revision]"), "{err}");
}

#[test]
fn pull_conflicts_exit_1_and_merge_abort_restores() {
    let (tmp, a) = sample_copy();
    let bare = tmp.path().join("shared.git");
    let mut options = git2::RepositoryInitOptions::new();
    options.bare(true).initial_head("main");
    git2::Repository::init_opts(&bare, &options).unwrap();
    let url = format!("file://{}", bare.display());
    assert_eq!(lp(&a, &["init"]).0, 0);
    assert_eq!(lp(&a, &["save", "-m", "First", "--author", ADA]).0, 0);
    let (code, out, err) = lp(&a, &["remote", "add", "origin", &url]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("added remote origin"));
    let (_, out, _) = lp(&a, &["remote"]);
    assert!(out.starts_with("origin"), "{out}");
    let (code, out, err) = lp(&a, &["push"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("pushed main"), "{out}");

    let b = tmp.path().join("b");
    git2::Repository::clone(&url, &b).unwrap();
    edit(
        &b,
        "templates/welcome/body.mjml",
        "<mj-divider />",
        "<mj-divider border-color=\"#b00\" />",
    );
    assert_eq!(lp(&b, &["save", "-m", "Red", "--author", BEN]).0, 0);
    assert_eq!(lp(&b, &["push"]).0, 0);

    edit(
        &a,
        "templates/welcome/body.mjml",
        "<mj-divider />",
        "<mj-divider border-color=\"#00b\" />",
    );
    assert_eq!(lp(&a, &["save", "-m", "Blue", "--author", ADA]).0, 0);
    let (code, _, err) = lp(&a, &["pull", "--author", ADA]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("templates/welcome/body.mjml"), "{err}");
    let (_, out, _) = lp(&a, &["status"]);
    assert!(
        out.contains("CONFLICT  templates/welcome/body.mjml"),
        "{out}"
    );
    let (code, _, err) = lp(&a, &["save", "-m", "too early", "--author", ADA]);
    assert_eq!(code, 2);
    assert!(err.contains("error[unresolved-conflicts]"), "{err}");

    let (code, _, err) = lp(&a, &["merge", "--abort"]);
    assert_eq!(code, 0, "{err}");
    let body = std::fs::read_to_string(a.join("templates/welcome/body.mjml")).unwrap();
    assert!(body.contains("#00b") && !body.contains("#b00") && !body.contains("<<<<<<<"));
    let (_, out, _) = lp(&a, &["status"]);
    assert!(out.contains("no changes since the last version"), "{out}");
}

#[test]
fn a_stale_lock_blocks_saving_until_unlocked() {
    let (_tmp, root) = sample_copy();
    assert_eq!(lp(&root, &["init"]).0, 0);
    std::fs::write(root.join(".git/index.lock"), "").unwrap();
    let (code, _, err) = lp(&root, &["save", "-m", "First", "--author", ADA]);
    assert_eq!(code, 2);
    assert!(
        err.contains("error[repository-locked]") && err.contains("letterpress unlock"),
        "{err}"
    );
    let (code, _, err) = lp(&root, &["unlock"]);
    assert_eq!(code, 2);
    assert!(err.contains("error[lock-in-use]"), "{err}");
    let (code, out, err) = lp(&root, &["unlock", "--older-than", "0"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("removed "), "{out}");
    assert_eq!(lp(&root, &["save", "-m", "First", "--author", ADA]).0, 0);
}

#[test]
fn export_writes_a_bundle_of_a_published_version() {
    let (tmp, root) = sample_copy();
    for args in [
        &["init"][..],
        &["save", "-m", "First", "--author", ADA],
        &["publish", "production", "-m", "Launch", "--author", ADA],
    ] {
        let (code, _, err) = lp(&root, args);
        assert_eq!(code, 0, "{args:?}: {err}");
    }
    let out = tmp.path().join("bundle");
    let out_arg = out.to_string_lossy().into_owned();
    let (code, _, err) = lp(&root, &["export", "production/1", "--out", &out_arg]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("exported published/production/1"), "{err}");
    assert!(err.contains("renders from source: "), "{err}");
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["version"], "published/production/1");
    assert!(out.join("compiled/welcome/en/html.html").is_file());
    // An unknown version is an error with its code, and writes nothing.
    let other = tmp.path().join("other").to_string_lossy().into_owned();
    let (code, _, err) = lp(&root, &["export", "production/7", "--out", &other]);
    assert_eq!(code, 2);
    assert!(err.contains("error[unknown-revision]"), "{err}");
    assert!(!tmp.path().join("other").exists());
}
