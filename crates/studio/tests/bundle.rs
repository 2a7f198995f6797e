//! `letterpress export`: a published version as a bundle, rendered at send time by the engine.
//! Every sample template × locale × fixture renders from the bundle exactly as the preview
//! renders it (no normalisation): compiled entries (recipient data kept as Jinja) and entries
//! that render from the bundled sources alike.

use letterpress_engine::bundle::MANIFEST;
use letterpress_studio::Project;
use letterpress_studio::bundle::{export, load};
use letterpress_studio::history::{Author, History, When};
use std::path::Path;

fn published_sample() -> (tempfile::TempDir, std::path::PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("project");
    letterpress_studio::copy_project(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../.."), &root)
        .unwrap();
    let history = History::init(&root).unwrap();
    let author = Author {
        name: "Ada Designer".into(),
        email: "ada@example.com".into(),
    };
    let when = When {
        seconds: 1_767_225_600,
        offset_minutes: 0,
    };
    history.save("First version", &[], &author, when).unwrap();
    history
        .publish("production", None, "Launch", &author, when)
        .unwrap();
    (tmp, root)
}

#[test]
fn a_bundle_renders_every_email_exactly_as_the_preview() {
    let (tmp, root) = published_sample();
    let out = tmp.path().join("bundle");
    let report = export(&root, "production/1", &out).unwrap();
    assert_eq!(report.manifest.version, "published/production/1");
    assert!(out.join(MANIFEST).is_file());
    assert!(out.join("compiled/welcome/de/html.html").is_file());
    assert!(out.join("sources/letterpress.toml").is_file());
    let compiled: Vec<_> = report
        .manifest
        .entries
        .iter()
        .filter(|e| e.compiled.is_some())
        .map(|e| e.template.as_str())
        .collect();
    assert!(compiled.contains(&"welcome") && compiled.contains(&"verify-email"));
    let receipt = report
        .manifest
        .entries
        .iter()
        .find(|e| e.template == "receipt" && e.locale == "de")
        .unwrap();
    assert!(receipt.compiled.is_none());
    assert!(
        receipt
            .from_source_because
            .iter()
            .any(|r| r.contains("money")),
        "{receipt:?}"
    );

    // Send time: load the folder, render each email with its fixture as recipient data.
    let bundle = load(&out).unwrap();
    let project = Project::open(&root).unwrap();
    let mut rendered = 0;
    for job in project.jobs().unwrap() {
        let data = project.fixture(&job.template, &job.fixture).unwrap();
        let sent = bundle.render(&job.template, &job.locale, &data);
        let preview = project.render_job(&job);
        let what = format!("{} {} {}", job.template, job.locale, job.fixture);
        assert!(sent.is_ok(), "{what}: {:?}", sent.diagnostics);
        assert_eq!(sent.subject, preview.subject, "subject of {what}");
        assert_eq!(sent.preheader, preview.preheader, "preheader of {what}");
        assert_eq!(sent.html, preview.html, "html of {what}");
        assert_eq!(sent.text, preview.text, "text of {what}");
        rendered += 1;
    }
    assert_eq!(rendered, 70);

    // The compiled HTML keeps recipient data as expressions; build-time text is resolved.
    let html = std::fs::read_to_string(out.join("compiled/welcome/de/html.html")).unwrap();
    assert!(html.contains("{{user.first_name}}"), "{html}");
    assert!(html.contains("Northwind"));
    assert!(!html.contains("t(\""));
}

#[test]
fn export_refuses_unknown_versions_and_foreign_folders() {
    let (tmp, root) = published_sample();
    let err = export(&root, "production/9", &tmp.path().join("b")).unwrap_err();
    assert_eq!(err.code(), "unknown-revision", "{err}");
    let foreign = tmp.path().join("foreign");
    std::fs::create_dir_all(&foreign).unwrap();
    std::fs::write(foreign.join("keep.txt"), "mine").unwrap();
    assert!(export(&root, "production/1", &foreign).is_err());
    assert_eq!(
        std::fs::read_to_string(foreign.join("keep.txt")).unwrap(),
        "mine"
    );
}

/// The working copy, a saved version and a bundle load a project through one loader: a
/// catalog folder spelled with an underscore (`pt_BR`) is the `pt-BR` locale in all three
/// (the bundle loader used to keep the folder name, so a bundle's `pt-BR` email rendered from
/// its sources, like `receipt`, lost its catalog while the preview showed the translation).
#[test]
fn the_working_copy_a_version_and_a_bundle_load_the_same_catalogs() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("project");
    letterpress_studio::copy_project(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../.."), &root)
        .unwrap();
    let config = std::fs::read_to_string(root.join("letterpress.toml")).unwrap();
    let config = config.replace(
        "locales = [\"en\", \"de\", \"fr\", \"pl\", \"ar\"]",
        "locales = [\"en\", \"de\", \"fr\", \"pl\", \"ar\", \"pt-BR\"]",
    );
    assert!(
        config.contains("\"pt-BR\""),
        "the sample's locale list changed"
    );
    std::fs::write(root.join("letterpress.toml"), config).unwrap();
    std::fs::create_dir_all(root.join("locales/pt_BR")).unwrap();
    // Brazilian Portuguese in name only: the German catalogs, so the text is recognisable.
    for entry in std::fs::read_dir(root.join("locales/de")).unwrap() {
        let entry = entry.unwrap();
        if entry.file_name().to_string_lossy().ends_with(".ftl") {
            std::fs::copy(
                entry.path(),
                root.join("locales/pt_BR").join(entry.file_name()),
            )
            .unwrap();
        }
    }
    let history = History::init(&root).unwrap();
    let author = Author::new("Ada Designer", "ada@example.com").unwrap();
    let when = When {
        seconds: 1_767_225_600,
        offset_minutes: 0,
    };
    history.save("With pt-BR", &[], &author, when).unwrap();
    history
        .publish("production", None, "Launch", &author, when)
        .unwrap();

    let project = Project::open(&root).unwrap();
    let job = letterpress_studio::RenderJob {
        template: "receipt".into(),
        locale: "pt-BR".into(),
        fixture: "default".into(),
        variant: None,
    };
    let preview = project.render_job(&job);
    assert!(
        preview.subject.starts_with("Ihre Rechnung"),
        "{:?}",
        preview.subject
    );

    let version = history
        .version_project("published/production/1")
        .unwrap()
        .unwrap();
    let data = project.fixture("receipt", "default").unwrap();
    let saved = version.engine.render(&letterpress_engine::RenderRequest {
        template: "receipt",
        locale: "pt-BR",
        data: &data,
        variant: None,
    });
    assert_eq!(saved.subject, preview.subject);

    let out = tmp.path().join("bundle");
    export(&root, "production/1", &out).unwrap();
    let sent = load(&out).unwrap().render("receipt", "pt-BR", &data);
    assert!(sent.is_ok(), "{:?}", sent.diagnostics);
    assert_eq!(sent.subject, preview.subject);
    assert_eq!(sent.html, preview.html);
}
