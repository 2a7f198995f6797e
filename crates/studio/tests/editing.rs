//! Editing on a real copy of the sample project: saves, conflicts with outside edits, the
//! live preview over unsaved buffers, and the file watcher.

use letterpress_protocol::PreviewRequest;
use letterpress_studio::watch::{Change, watch};
use letterpress_studio::{
    EditSession, ExternalChange, Project, RenderJob, SaveError, StudioSession, copy_project,
};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

fn sample_copy() -> (tempfile::TempDir, PathBuf) {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("project");
    copy_project(&repo, &root).unwrap();
    (tmp, root)
}

const BODY: &str = "templates/welcome/body.mjml";

fn job(template: &str, locale: &str) -> RenderJob {
    RenderJob {
        template: template.into(),
        locale: locale.into(),
        fixture: "default".into(),
        variant: None,
    }
}

#[test]
fn save_is_refused_when_the_file_changed_on_disk_since_it_was_opened() {
    let (_tmp, root) = sample_copy();
    let project = Project::open(&root).unwrap();
    let mut session = EditSession::new();
    let original = session.open(&project, BODY).unwrap().text.clone();
    session
        .edit(BODY, &format!("{original}\n{{# mine #}}\n"))
        .unwrap();
    std::fs::write(root.join(BODY), "theirs").unwrap();

    match session.save(&project, BODY) {
        Err(SaveError::Conflict { theirs, .. }) => assert_eq!(theirs.as_deref(), Some("theirs")),
        other => panic!("expected a conflict, got {other:?}"),
    }
    assert_eq!(std::fs::read_to_string(root.join(BODY)).unwrap(), "theirs");

    // Keeping mine makes the next save overwrite, deliberately.
    session.keep_mine(&project, BODY).unwrap();
    session.save(&project, BODY).unwrap();
    assert!(
        std::fs::read_to_string(root.join(BODY))
            .unwrap()
            .ends_with("{# mine #}\n")
    );
    assert!(session.dirty_paths().is_empty());
}

#[test]
fn outside_changes_reload_clean_buffers_and_conflict_with_dirty_ones() {
    let (_tmp, root) = sample_copy();
    let project = Project::open(&root).unwrap();
    let mut session = EditSession::new();
    session.open(&project, BODY).unwrap();
    session.open(&project, "partials/footer.mjml").unwrap();

    // Our own save echoes back from the watcher: not a change.
    session.edit(BODY, "saved by us").unwrap();
    session.save(&project, BODY).unwrap();
    assert_eq!(session.on_disk_change(&project, BODY).unwrap(), None);

    // Clean buffer: reloads.
    std::fs::write(root.join(BODY), "from git pull").unwrap();
    assert_eq!(
        session.on_disk_change(&project, BODY).unwrap(),
        Some(ExternalChange::Reloaded { path: BODY.into() })
    );
    assert_eq!(session.document(BODY).unwrap().text, "from git pull");

    // Dirty buffer: conflict, both sides kept, nothing written.
    session.edit("partials/footer.mjml", "my footer").unwrap();
    std::fs::write(root.join("partials/footer.mjml"), "their footer").unwrap();
    let change = session
        .on_disk_change(&project, "partials/footer.mjml")
        .unwrap();
    assert_eq!(
        change,
        Some(ExternalChange::Conflict {
            path: "partials/footer.mjml".into(),
            mine: "my footer".into(),
            theirs: Some("their footer".into()),
        })
    );
    assert_eq!(
        session.document("partials/footer.mjml").unwrap().text,
        "my footer"
    );
    session
        .take_theirs(&project, "partials/footer.mjml")
        .unwrap();
    assert_eq!(
        session.document("partials/footer.mjml").unwrap().text,
        "their footer"
    );
    assert!(session.dirty_paths().is_empty());

    // Deleted while clean: closed.
    std::fs::remove_file(root.join(BODY)).unwrap();
    assert_eq!(
        session.on_disk_change(&project, BODY).unwrap(),
        Some(ExternalChange::Closed { path: BODY.into() })
    );
}

#[test]
fn preview_renders_unsaved_buffers_and_leaves_the_disk_alone() {
    let (_tmp, root) = sample_copy();
    let project = Project::open(&root).unwrap();
    let mut session = EditSession::new();

    // A template body.
    let body = session.open(&project, BODY).unwrap().text.clone();
    let edited = body.replacen(
        "{% block content %}",
        "{% block content %}<mj-text>Typed just now</mj-text>",
        1,
    );
    assert_ne!(body, edited, "the welcome body fills the content block");
    session.edit(BODY, &edited).unwrap();
    let out = project.preview(&job("welcome", "en"), &session.buffers());
    assert!(out.is_ok(), "{:?}", out.diagnostics);
    assert!(out.text.contains("Typed just now"));
    assert_eq!(std::fs::read_to_string(root.join(BODY)).unwrap(), body);

    // A partial: every template that includes it is affected.
    let users = project.dependents("partials/footer.mjml").unwrap();
    assert!(users.len() >= 6, "{users:?}");
    let footer = session
        .open(&project, "partials/footer.mjml")
        .unwrap()
        .text
        .clone();
    session
        .edit("partials/footer.mjml", &format!("{footer}<mj-section><mj-column><mj-text>Footer edit</mj-text></mj-column></mj-section>"))
        .unwrap();
    let out = project.preview(&job("receipt", "de"), &session.buffers());
    assert!(out.text.contains("Footer edit"), "{:?}", out.diagnostics);

    // A catalog: the German text changes in the preview.
    let ftl = "locales/de/welcome.ftl";
    let catalog = session.open(&project, ftl).unwrap().text.clone();
    let line = catalog
        .lines()
        .find(|l| l.starts_with("welcome-cta ="))
        .unwrap()
        .to_owned();
    session
        .edit(ftl, &catalog.replace(&line, "welcome-cta = Los geht's"))
        .unwrap();
    let out = project.preview(&job("welcome", "de"), &session.buffers());
    assert!(out.text.contains("Los geht's"), "{}", out.text);

    // A syntax error in the buffer is a diagnostic at its line; the disk is untouched.
    session.edit(BODY, "{% if %}").unwrap();
    let out = project.preview(&job("welcome", "en"), &session.buffers());
    assert!(!out.is_ok());
    assert_eq!(out.diagnostics[0].location.as_ref().unwrap().file, BODY);
}

#[test]
fn reload_picks_up_changes_made_outside() {
    let (_tmp, root) = sample_copy();
    let mut project = Project::open(&root).unwrap();
    let before = project.render_job(&job("welcome", "en"));
    assert!(before.is_ok());
    let ftl = root.join("locales/en/welcome.ftl");
    let text = std::fs::read_to_string(&ftl).unwrap();
    let line = text
        .lines()
        .find(|l| l.starts_with("welcome-cta ="))
        .unwrap()
        .to_owned();
    std::fs::write(&ftl, text.replace(&line, "welcome-cta = Changed outside")).unwrap();
    project.reload(&["locales/en/welcome.ftl".into()]).unwrap();
    assert!(
        project
            .render_job(&job("welcome", "en"))
            .text
            .contains("Changed outside")
    );
}

fn wait_for(rx: &mpsc::Receiver<Vec<Change>>, wanted: &Change) -> Vec<Change> {
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut seen = Vec::new();
    while Instant::now() < deadline {
        if let Ok(batch) = rx.recv_timeout(Duration::from_millis(200)) {
            seen.extend(batch);
            if seen.contains(wanted) {
                return seen;
            }
        }
    }
    panic!("no {wanted:?} within 10 s; saw {seen:?}");
}

#[test]
fn watcher_reports_project_files_changed_outside_and_by_atomic_saves() {
    let (_tmp, root) = sample_copy();
    let project = Project::open(&root).unwrap();
    let (tx, rx) = mpsc::channel();
    let _watcher = watch(&root, move |changes| {
        let _ = tx.send(changes);
    })
    .unwrap();

    std::fs::write(root.join("partials/footer.mjml"), "changed").unwrap();
    wait_for(&rx, &Change::Modified("partials/footer.mjml".into()));

    // An atomic save shows up as the target file, never as our temp file.
    project.save(BODY, "saved", None).unwrap();
    let seen = wait_for(&rx, &Change::Modified(BODY.into()));
    assert!(
        seen.iter()
            .all(|c| !format!("{c:?}").contains(".letterpress-")),
        "{seen:?}"
    );

    std::fs::remove_file(root.join("templates/welcome/fixtures/long-name.json")).unwrap();
    wait_for(
        &rx,
        &Change::Removed("templates/welcome/fixtures/long-name.json".into()),
    );

    // Files outside the project's folders are not reported.
    std::fs::write(root.join("notes.txt"), "x").unwrap();
    std::fs::write(root.join("layouts/base.mjml"), "y").unwrap();
    let seen = wait_for(&rx, &Change::Modified("layouts/base.mjml".into()));
    assert!(
        !seen.iter().any(|c| format!("{c:?}").contains("notes.txt")),
        "{seen:?}"
    );
}

#[test]
fn templates_are_created_duplicated_renamed_and_deleted_whole() {
    let (_tmp, root) = sample_copy();
    let mut session = letterpress_studio::StudioSession::open(&root).unwrap();
    let ids = |s: &letterpress_protocol::ProjectSnapshot| {
        s.templates.iter().map(|t| t.id.clone()).collect::<Vec<_>>()
    };

    let snap = session.create_template("order-shipped").unwrap();
    assert!(ids(&snap).contains(&"order-shipped".to_owned()));
    let out = session
        .project()
        .render("order-shipped", Some("de"), None)
        .unwrap();
    assert!(out.is_ok(), "{:?}", out.diagnostics);
    assert!(out.text.contains("order-shipped"));
    assert!(
        session.create_template("order-shipped").is_err(),
        "names are unique"
    );
    assert!(session.create_template("../escape").is_err());

    let snap = session
        .duplicate_template("receipt", "receipt-copy")
        .unwrap();
    assert!(ids(&snap).contains(&"receipt-copy".to_owned()));
    assert!(root.join("templates/receipt-copy/body.de.mjml").is_file());

    // A template with unsaved edits is not renamed or deleted under the editor.
    session
        .open_document("templates/receipt-copy/body.mjml")
        .unwrap();
    session
        .edit_document("templates/receipt-copy/body.mjml", "unsaved")
        .unwrap();
    // Refused as unsaved-edits (it used to be reported as not-found).
    for refused in [
        session.delete_template("receipt-copy").err(),
        session.rename_template("receipt-copy", "invoice").err(),
    ] {
        let e = refused.expect("refused");
        assert_eq!(e.code(), "unsaved-edits", "{e}");
        assert!(
            e.to_string().contains("templates/receipt-copy/body.mjml"),
            "{e}"
        );
    }
    assert!(root.join("templates/receipt-copy").is_dir());
    session
        .save_document("templates/receipt-copy/body.mjml")
        .unwrap();

    let snap = session.rename_template("receipt-copy", "invoice").unwrap();
    assert!(ids(&snap).contains(&"invoice".to_owned()));
    assert!(!ids(&snap).contains(&"receipt-copy".to_owned()));
    let snap = session.delete_template("invoice").unwrap();
    assert!(!ids(&snap).contains(&"invoice".to_owned()));
    assert!(!root.join("templates/invoice").exists());
    let leftovers: Vec<_> = std::fs::read_dir(root.join("templates"))
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with('.'))
        .collect();
    assert!(leftovers.is_empty());
}

#[test]
fn one_call_takes_a_keystroke_and_renders_it() {
    let (_tmp, root) = sample_copy();
    let mut session = StudioSession::open(&root).unwrap();
    let original = session.open_document(BODY).unwrap().text;
    let typed = original.replacen("<mj-text", "<mj-text>Typed just now</mj-text><mj-text", 1);
    let mut request = PreviewRequest {
        template: "welcome".into(),
        locale: "en".into(),
        fixture: "default".into(),
        text: false,
        markers: false,
        logic: Default::default(),
        dark: None,
        variant: None,
    };
    let preview = session
        .edit_and_preview(BODY, &typed, &request, None)
        .unwrap();
    assert!(preview.is_ok(), "{:?}", preview.diagnostics);
    assert!(preview.html.contains("Typed just now"));
    // The text part is derived only when asked for (the app shows it in its own tab).
    assert!(preview.text.is_empty());
    request.text = true;
    let preview = session
        .edit_and_preview(BODY, &typed, &request, None)
        .unwrap();
    assert!(preview.text.contains("Typed just now"), "{}", preview.text);
    assert_eq!(session.dirty_paths(), vec![BODY.to_owned()]);
    assert_eq!(std::fs::read_to_string(root.join(BODY)).unwrap(), original);
    assert!(
        session
            .edit_and_preview("templates/nope/body.mjml", "x", &request, None)
            .is_err(),
        "a file that is not open is refused"
    );
}

#[test]
fn compare_shows_the_editor_text_beside_the_disk_text() {
    let (_tmp, root) = sample_copy();
    let mut session = StudioSession::open(&root).unwrap();
    session.open_document(BODY).unwrap();
    session.edit_document(BODY, "mine").unwrap();
    std::fs::write(root.join(BODY), "theirs").unwrap();
    let sides = session.conflict_sides(BODY).unwrap();
    assert_eq!(sides.mine, "mine");
    assert_eq!(sides.theirs.as_deref(), Some("theirs"));
    std::fs::remove_file(root.join(BODY)).unwrap();
    assert_eq!(session.conflict_sides(BODY).unwrap().theirs, None);
    assert!(
        session
            .conflict_sides("templates/receipt/body.mjml")
            .is_err()
    );
}

#[test]
fn a_new_fixture_starts_from_the_current_one_as_edited() {
    let (_tmp, root) = sample_copy();
    let mut session = StudioSession::open(&root).unwrap();
    let source = "templates/welcome/fixtures/default.json";
    let text = session.open_document(source).unwrap().text;
    let edited = text.replacen('{', "{\"edited\": true,", 1);
    session.edit_document(source, &edited).unwrap();

    let (snapshot, path) = session
        .duplicate_fixture("welcome", "default", "returning-user")
        .unwrap();
    assert_eq!(path, "templates/welcome/fixtures/returning-user.json");
    assert_eq!(std::fs::read_to_string(root.join(&path)).unwrap(), edited);
    let welcome = snapshot
        .templates
        .iter()
        .find(|t| t.id == "welcome")
        .unwrap();
    assert!(welcome.fixtures.contains(&"returning-user".to_owned()));
    assert_eq!(
        std::fs::read_to_string(root.join(source)).unwrap(),
        text,
        "the source fixture keeps its unsaved edits in the editor only"
    );

    let again = session.duplicate_fixture("welcome", "default", "returning-user");
    assert_eq!(
        again.map(|_| ()).map_err(|e| e.code().as_str()),
        Err("refused"),
        "an existing fixture is never replaced"
    );
    assert!(
        session
            .duplicate_fixture("welcome", "default", "../x")
            .is_err()
    );
    session.edit_document(source, "{ not json").unwrap();
    let broken = session
        .duplicate_fixture("welcome", "default", "broken")
        .unwrap_err();
    assert!(broken.to_string().contains("not valid JSON"), "{broken}");
    assert!(!root.join("templates/welcome/fixtures/broken.json").exists());
}

#[test]
fn restore_refuses_unsaved_edits_in_studio() {
    let (_tmp, root) = sample_copy();
    let mut session = StudioSession::open(&root).unwrap();
    let text = session.open_document(BODY).unwrap().text;
    assert!(session.ensure_saved_for_restore("welcome").is_ok());
    session.edit_document(BODY, &format!("{text}\n")).unwrap();
    let refused = session.ensure_saved_for_restore("welcome").unwrap_err();
    assert_eq!(refused.paths, vec![BODY.to_owned()]);
    let ipc = letterpress_protocol::IpcError::from(refused);
    assert_eq!(ipc.code, "unsaved-edits");
    assert!(ipc.message.contains(BODY), "{}", ipc.message);
    // Another template's edits do not stand in the way.
    assert!(session.ensure_saved_for_restore("receipt").is_ok());
}

#[test]
fn save_version_refuses_unsaved_edits_in_studio() {
    let (_tmp, root) = sample_copy();
    let mut session = StudioSession::open(&root).unwrap();
    let text = session.open_document(BODY).unwrap().text;
    session.edit_document(BODY, &format!("{text}\n")).unwrap();
    // All changed files, or a choice that includes the edited one: refused.
    assert!(session.ensure_saved_for_version(&[]).is_err());
    assert!(
        session
            .ensure_saved_for_version(&[BODY.to_owned()])
            .is_err()
    );
    // A version of other files leaves the unsaved edit alone.
    let other = ["templates/receipt/body.mjml".to_owned()];
    assert!(session.ensure_saved_for_version(&other).is_ok());
}

#[test]
fn author_validation_lives_in_studio() {
    use letterpress_studio::history::Author;
    let ada = Author::new("  Ada Designer ", " ada@example.com ").unwrap();
    assert_eq!(ada.name, "Ada Designer");
    assert_eq!(ada.email, "ada@example.com");
    for (name, email) in [
        ("", "ada@example.com"),
        ("Ada", "not an email"),
        ("Ada", "ada@example.com>"),
        ("Ada <x@y>", "ada@example.com"),
        ("Ada", "ada@example.com\nX-Evil: 1"),
    ] {
        let err = Author::new(name, email).unwrap_err();
        assert_eq!(err.code(), "invalid-author", "{name:?} {email:?}");
    }
}
