//! Where a person starts: the sample copy in the user's data folder (made once, kept with
//! their changes, reset on request, never carrying the source repository's history), a new
//! empty project that opens and checks clean, and the enclosing repository of a project
//! folder inside someone else's checkout.

use letterpress_studio::history::History;
use letterpress_studio::sample::{
    ensure_sample_copy, existing_sample_copy, new_empty_project, reset_sample_copy,
    sample_copy_path,
};
use letterpress_studio::{Project, StudioSession};
use letterpress_test_support::repo_root;
use std::process::Command;

#[test]
fn the_sample_copy_is_made_once_kept_and_reset_on_request() {
    let data = tempfile::tempdir().unwrap();
    assert_eq!(existing_sample_copy(data.path()), None);
    let copy = ensure_sample_copy(&repo_root(), data.path()).unwrap();
    assert_eq!(copy, sample_copy_path(data.path()));
    assert_eq!(
        existing_sample_copy(data.path()),
        Some(copy.canonicalize().unwrap())
    );
    assert!(
        !copy.join(".git").exists(),
        "the source repository's history stays out"
    );
    let project = Project::open(&copy).unwrap();
    assert_eq!(project.templates().unwrap().len(), 6);

    // The person's changes (and versions) are kept by later starts.
    let body = copy.join("templates/welcome/body.mjml");
    std::fs::write(&body, "<mjml><mj-body></mj-body></mjml>").unwrap();
    History::init(&copy).unwrap();
    assert_eq!(ensure_sample_copy(&repo_root(), data.path()).unwrap(), copy);
    assert_eq!(
        std::fs::read_to_string(&body).unwrap(),
        "<mjml><mj-body></mj-body></mjml>"
    );

    // Reset: the sample as it ships, without the copy's history; nothing left beside it.
    let reset = reset_sample_copy(&repo_root(), data.path()).unwrap();
    assert_eq!(reset, copy);
    assert_eq!(
        std::fs::read_to_string(&body).unwrap(),
        std::fs::read_to_string(repo_root().join("templates/welcome/body.mjml")).unwrap()
    );
    assert!(!copy.join(".git").exists());
    let mut left: Vec<String> = std::fs::read_dir(data.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(left, ["Sample project"]);

    // A copy that is no project any more (its letterpress.toml deleted) is kept aside, and a
    // fresh copy made: nothing of the person's is deleted.
    std::fs::remove_file(copy.join("letterpress.toml")).unwrap();
    std::fs::write(copy.join("notes.txt"), "mine").unwrap();
    ensure_sample_copy(&repo_root(), data.path()).unwrap();
    assert!(copy.join("letterpress.toml").is_file());
    let kept = data.path().join("Sample project (kept 1)");
    assert_eq!(
        std::fs::read_to_string(kept.join("notes.txt")).unwrap(),
        "mine"
    );
}

#[test]
fn a_new_empty_project_opens_and_checks_clean_and_never_lands_on_files() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("Acme \"mail\"");
    new_empty_project(&root).unwrap();
    let project = Project::open(&root).unwrap();
    assert_eq!(project.config().name, "Acme \"mail\"");
    assert_eq!(project.config().locales, ["en"]);
    assert!(project.templates().unwrap().is_empty());
    let report = project.check(&|_, _| {}).unwrap();
    assert_eq!(report.errors(), 0, "{:#?}", report.diagnostics);
    // The app opens it and can add a first template.
    let mut session = StudioSession::open(&root).unwrap();
    assert!(session.snapshot().unwrap().templates.is_empty());
    session.create_template("first-email").unwrap();
    assert!(root.join("templates/first-email/body.mjml").is_file());

    // A folder with files in it is refused, and left as it was.
    let busy = tmp.path().join("busy");
    std::fs::create_dir_all(&busy).unwrap();
    std::fs::write(busy.join("notes.txt"), "mine").unwrap();
    let err = new_empty_project(&busy).unwrap_err().to_string();
    assert!(err.contains("is not empty"), "{err}");
    assert!(!busy.join("letterpress.toml").exists());
}

#[test]
fn a_project_inside_another_repository_names_it_until_it_has_its_own() {
    let tmp = tempfile::tempdir().unwrap();
    let outer = tmp.path().join("checkout");
    std::fs::create_dir_all(&outer).unwrap();
    assert!(
        Command::new("git")
            .args(["init", "-q"])
            .current_dir(&outer)
            .status()
            .unwrap()
            .success()
    );
    let project = outer.join("emails");
    letterpress_studio::copy_project(&repo_root(), &project).unwrap();
    assert_eq!(
        History::enclosing_repository(&project),
        Some(outer.canonicalize().unwrap())
    );
    History::init(&project).unwrap();
    assert_eq!(History::enclosing_repository(&project), None, "its own now");
    let alone = tmp.path().join("alone");
    letterpress_studio::copy_project(&repo_root(), &alone).unwrap();
    assert_eq!(History::enclosing_repository(&alone), None);
}
