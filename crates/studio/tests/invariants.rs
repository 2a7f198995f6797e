//! The invariants ARCHITECTURE.md states for the studio, one test each, named after it.

use letterpress_engine::SourceError;
use letterpress_protocol::{Code, FileEvent, IpcCode, PreviewRequest};
use letterpress_studio::history::{DiffTarget, History};
use letterpress_studio::watch::Change;
use letterpress_studio::{Project, StudioError, StudioSession};
use letterpress_test_support::{fixed_author, fixed_time, sample_copy};
use std::path::Path;

const BODY: &str = "templates/welcome/body.mjml";

fn request() -> PreviewRequest {
    PreviewRequest {
        template: "welcome".into(),
        locale: "en".into(),
        fixture: "default".into(),
        text: true,
        markers: false,
        logic: Default::default(),
        dark: None,
        variant: None,
    }
}

/// A secret file outside the project, and a symlink to it inside.
fn link_outside(root: &Path, outside: &Path, link: &str) {
    std::fs::write(outside.join("secret.txt"), "the secret outside").unwrap();
    std::os::unix::fs::symlink(outside.join("secret.txt"), root.join(link)).unwrap();
}

#[test]
fn every_read_on_a_users_behalf_stays_inside_the_project() {
    let (_tmp, root) = sample_copy();
    let outside = tempfile::tempdir().unwrap();
    link_outside(&root, outside.path(), "partials/leak.mjml");
    let mut session = StudioSession::open(&root).unwrap();

    // Open: a symlink out, and a path climbing out.
    for path in ["partials/leak.mjml", "../outside.mjml"] {
        match session.open_document(path) {
            Err(e @ StudioError::Source(SourceError::OutsideProject(_))) => {
                assert_eq!(e.code(), "outside-project")
            }
            other => panic!("{path}: expected outside-project, got {other:?}"),
        }
    }

    // Reload and conflict view: an open file replaced by a symlink out keeps the editor's
    // text, reports outside-project, and nothing of the secret is shown.
    session.open_document(BODY).unwrap();
    session.edit_document(BODY, "mine").unwrap();
    std::fs::remove_file(root.join(BODY)).unwrap();
    std::os::unix::fs::symlink(outside.path().join("secret.txt"), root.join(BODY)).unwrap();
    let events = session.apply_changes(&[Change::Modified(BODY.into())]);
    assert!(
        events.iter().any(|e| matches!(e,
            FileEvent::Unreadable { path, code, .. } if path == BODY && *code == IpcCode::OutsideProject)),
        "{events:?}"
    );
    assert!(!format!("{events:?}").contains("the secret outside"));
    match session.conflict_sides(BODY) {
        Err(e) => assert_eq!(e.code(), "outside-project"),
        Ok(sides) => panic!("the conflict view showed {sides:?}"),
    }

    // A file over the size limit is refused, not read.
    let big = "templates/welcome/big.mjml";
    std::fs::write(root.join(big), "x".repeat(4 * 1024 * 1024 + 1)).unwrap();
    match session.open_document(big) {
        Err(e @ StudioError::Source(SourceError::TooLarge { .. })) => {
            assert_eq!(e.code(), "too-large")
        }
        other => panic!("expected too-large, got {other:?}"),
    }
}

#[test]
fn every_compare_with_the_working_copy_stays_inside_the_project() {
    let (_tmp, root) = sample_copy();
    let history = History::init(&root).unwrap();
    history
        .save("Start", &[], &fixed_author(), fixed_time(0))
        .unwrap();
    // A symlink committed or created in the working copy (git stores symlinks) must not
    // show what it points at.
    let outside = tempfile::tempdir().unwrap();
    link_outside(&root, outside.path(), "partials/leak.mjml");
    let err = history
        .diff_sources(&DiffTarget::parse("HEAD"), &DiffTarget::Working, None)
        .expect_err("the compare read through a symlink leaving the project");
    assert_eq!(err.code(), "outside-project");
    assert!(!err.to_string().contains("the secret outside"));
}

#[test]
fn a_broken_config_while_watching_loses_no_event_of_the_batch() {
    let (_tmp, root) = sample_copy();
    let mut session = StudioSession::open(&root).unwrap();
    let opened = session.open_document(BODY).unwrap();

    let config = std::fs::read_to_string(root.join("letterpress.toml")).unwrap();
    std::fs::write(
        root.join("letterpress.toml"),
        format!("{config}\n[project\nbroken = \n"),
    )
    .unwrap();
    let changed_body = opened.text.replacen(
        "<mj-column>",
        "<mj-column><mj-text>changed outside</mj-text>",
        1,
    );
    std::fs::write(root.join(BODY), &changed_body).unwrap();

    let events = session.apply_changes(&[
        Change::Modified("letterpress.toml".into()),
        Change::Modified(BODY.into()),
    ]);
    let diagnostic = events
        .iter()
        .find_map(|e| match e {
            FileEvent::ConfigInvalid { diagnostic } => Some(diagnostic),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no config error in {events:?}"));
    let at = diagnostic.location.as_ref().expect("a location");
    assert_eq!(at.file, "letterpress.toml");
    assert_eq!(
        at.line as usize,
        config.lines().count() + 2,
        "{diagnostic:?}"
    );
    assert!(at.column >= 1);
    // The body's reload in the same batch still arrived, and the project goes on with its
    // last good configuration.
    assert!(
        events.iter().any(
            |e| matches!(e, FileEvent::Reloaded { path, text } if path == BODY && *text == changed_body)
        ),
        "{events:?}"
    );
    assert_eq!(events.last(), Some(&FileEvent::ProjectChanged));
    let preview = session.preview(&request());
    assert!(
        preview.diagnostics.iter().all(|d| !d.is_error()),
        "{:?}",
        preview.diagnostics
    );
    assert!(preview.html.contains("changed outside"));

    // Fixed: the next batch carries no config error.
    std::fs::write(root.join("letterpress.toml"), &config).unwrap();
    let events = session.apply_changes(&[Change::Modified("letterpress.toml".into())]);
    assert!(
        !events
            .iter()
            .any(|e| matches!(e, FileEvent::ConfigInvalid { .. })),
        "{events:?}"
    );
}

/// The body with a call to the test-only template function that panics (engine feature
/// `test-hooks`, enabled for tests only).
fn panicking_body(root: &Path) -> String {
    let body = std::fs::read_to_string(root.join(BODY)).unwrap();
    body.replacen(
        "{% block content %}",
        "{% block content %}{{ __letterpress_test_panic(\"forced panic\") }}",
        1,
    )
}

#[test]
fn a_panic_inside_a_render_becomes_an_internal_error_and_the_process_goes_on() {
    let (_tmp, root) = sample_copy();
    let mut session = StudioSession::open(&root).unwrap();
    let text = session.open_document(BODY).unwrap().text;

    // Preview (the app's keystroke path).
    let preview = session
        .edit_and_preview(BODY, &panicking_body(&root), &request(), None)
        .unwrap();
    let d = preview
        .diagnostics
        .iter()
        .find(|d| d.code == Code::InternalError)
        .unwrap_or_else(|| panic!("{:?}", preview.diagnostics));
    assert_eq!(
        d.location.as_ref().map(|l| l.file.as_str()),
        Some("templates/welcome/template.toml")
    );
    assert!(d.message.contains("forced panic"), "{}", d.message);
    // The next keystroke renders again.
    let preview = session
        .edit_and_preview(BODY, &text, &request(), None)
        .unwrap();
    assert!(preview.diagnostics.iter().all(|d| !d.is_error()));

    // Check and build (rayon workers) over the file on disk.
    std::fs::write(root.join(BODY), panicking_body(&root)).unwrap();
    let project = Project::open(&root).unwrap();
    let report = project.check(&|_, _| {}).unwrap();
    assert!(
        report
            .diagnostics
            .iter()
            .any(|d| d.code == Code::InternalError && d.message.contains("forced panic")),
        "{:?}",
        report.diagnostics
    );
    let out = root.join("out");
    match project.build(&out, &|_, _| {}) {
        Err(StudioError::BuildFailed(diagnostics)) => {
            assert!(diagnostics.iter().any(|d| d.code == Code::InternalError))
        }
        other => panic!("expected a failed build, got {other:?}"),
    }
    assert!(!out.exists(), "a failed build wrote its output");
}

/// Every write on a user's behalf (save, restore, import) goes through one check: a folder on
/// the way that leads outside the project refuses the write, and nothing is created or
/// changed outside.
#[test]
fn every_write_on_a_users_behalf_stays_inside_the_project() {
    let (_tmp, root) = sample_copy();
    let history = History::init(&root).unwrap();
    history
        .save("Start", &[], &fixed_author(), fixed_time(0))
        .unwrap();
    let outside = tempfile::tempdir().unwrap();
    let listing = |dir: &Path| -> Vec<String> {
        let mut names: Vec<String> = walk(dir);
        names.sort();
        names
    };

    // Save through a symlinked folder, and into a folder not yet there under it.
    std::os::unix::fs::symlink(outside.path(), root.join("partials/out")).unwrap();
    let project = Project::open(&root).unwrap();
    for path in ["partials/out/new.mjml", "partials/out/deeper/new.mjml"] {
        let err = project
            .save(path, "<mj-text>x</mj-text>", None)
            .unwrap_err();
        assert!(
            err.to_string().contains("leaves the project"),
            "{path}: {err}"
        );
    }
    assert_eq!(
        listing(outside.path()),
        Vec::<String>::new(),
        "created outside"
    );

    // Restore a template whose folder is now a symlink to a folder outside.
    let welcome = root.join("templates/welcome");
    std::fs::rename(&welcome, outside.path().join("welcome")).unwrap();
    std::os::unix::fs::symlink(outside.path().join("welcome"), &welcome).unwrap();
    std::fs::write(outside.path().join("welcome/body.mjml"), "changed outside").unwrap();
    let before = listing(outside.path());
    let err = history
        .restore_template("welcome", "HEAD", true)
        .unwrap_err();
    assert_eq!(err.code(), "outside-project", "{err}");
    assert_eq!(listing(outside.path()), before);
    assert_eq!(
        std::fs::read_to_string(outside.path().join("welcome/body.mjml")).unwrap(),
        "changed outside"
    );
}

/// Every file under `dir`, relative, folders included.
fn walk(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            out.push(path.strip_prefix(dir).unwrap().display().to_string());
            if path.is_dir() && !path.is_symlink() {
                stack.push(path);
            }
        }
    }
    out
}
