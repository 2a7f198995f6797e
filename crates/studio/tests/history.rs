//! Versions on real git repositories built by code with fixed dates: init, status, save,
//! paged history, source and rendered diffs, restore, publish, push/pull against a local bare
//! repository with a second clone (merge, conflicts, abort, dirty pull), stale locks,
//! detached HEAD and empty repositories.

use git2::Repository;
use letterpress_studio::history::{
    Author, ChangeKind, DiffTarget, History, HistoryError, HistoryQuery, PullOutcome,
    RenderedDiffRequest, RowKind, SourceDiff, When,
};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// 2026-01-01T00:00:00Z.
const EPOCH: i64 = 1_767_225_600;

fn at(minutes: i64) -> When {
    When {
        seconds: EPOCH + minutes * 60,
        offset_minutes: 60,
    }
}

fn ada() -> Author {
    Author {
        name: "Ada Designer".into(),
        email: "ada@example.com".into(),
    }
}

fn ben() -> Author {
    Author {
        name: "Ben Translator".into(),
        email: "ben@example.com".into(),
    }
}

/// A temporary copy of the bundled sample project (not a repository yet).
fn sample() -> (tempfile::TempDir, PathBuf) {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("project");
    letterpress_studio::copy_project(&repo, &root).unwrap();
    (tmp, root)
}

/// The sample with a history of one version.
fn sample_with_history() -> (tempfile::TempDir, PathBuf, History) {
    let (tmp, root) = sample();
    let history = History::init(&root).unwrap();
    history
        .save("Start from the sample", &[], &ada(), at(0))
        .unwrap();
    (tmp, root, history)
}

fn edit(root: &Path, path: &str, from: &str, to: &str) {
    let full = root.join(path);
    let text = std::fs::read_to_string(&full).unwrap();
    assert!(text.contains(from), "{path} has no `{from}`");
    std::fs::write(&full, text.replacen(from, to, 1)).unwrap();
}

fn append(root: &Path, path: &str, line: &str) {
    let full = root.join(path);
    let text = std::fs::read_to_string(&full).unwrap();
    std::fs::write(&full, format!("{text}{line}\n")).unwrap();
}

fn read(root: &Path, path: &str) -> String {
    std::fs::read_to_string(root.join(path)).unwrap()
}

fn paths(history: &History) -> Vec<(String, ChangeKind)> {
    history
        .changed_files()
        .unwrap()
        .into_iter()
        .map(|f| (f.path, f.kind))
        .collect()
}

fn all(history: &History, paths: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    let mut cursor = None;
    loop {
        let page = history
            .history(&HistoryQuery {
                paths: paths.iter().map(|p| p.to_string()).collect(),
                cursor,
                limit: 50,
            })
            .unwrap();
        out.extend(page.versions.into_iter().map(|v| v.summary));
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => return out,
        }
    }
}

#[test]
fn init_then_first_save_creates_the_root_version() {
    let (_tmp, root) = sample();
    assert!(matches!(
        History::open(&root),
        Err(HistoryError::NotARepository(_))
    ));
    let history = History::init(&root).unwrap();
    let ignore = read(&root, ".gitignore");
    for line in ["/dist/", "/.letterpress/", ".DS_Store"] {
        assert!(ignore.contains(line), "{ignore}");
    }
    let err = History::init(&root).err().unwrap();
    assert_eq!(err.code(), "already-a-repository");

    // Empty repository: unborn HEAD, no history, every file is new.
    let status = history.status().unwrap();
    assert_eq!(status.branch.as_deref(), Some("main"));
    assert!(status.head.is_none());
    assert!(status.files.iter().all(|f| f.kind == ChangeKind::Added));
    assert!(status.files.iter().any(|f| f.path == ".gitignore"));
    assert!(all(&history, &[]).is_empty());
    let err = history
        .publish("staging", None, "x", &ada(), at(1))
        .err()
        .unwrap();
    assert_eq!(err.code(), "uncommitted-changes");

    // Build output and OS junk are ignored.
    std::fs::create_dir_all(root.join("dist")).unwrap();
    std::fs::write(root.join("dist/welcome.html"), "<html>").unwrap();
    std::fs::write(root.join("templates/.DS_Store"), "junk").unwrap();
    let saved = history.save("First version", &[], &ada(), at(0)).unwrap();
    assert!(saved.version.parents.is_empty());
    assert_eq!(saved.version.author, "Ada Designer");
    assert_eq!(saved.version.time, EPOCH);
    assert_eq!(saved.version.offset_minutes, 60);
    assert!(!saved.files.iter().any(|f| f.path.starts_with("dist/")));
    assert!(history.status().unwrap().files.is_empty());
    assert_eq!(all(&history, &[]), ["First version"]);
    assert_eq!(
        history
            .save("again", &[], &ada(), at(1))
            .err()
            .unwrap()
            .code(),
        "nothing-to-save"
    );
}

/// A change group as (template, [(path, kind)]).
type Group = (Option<String>, Vec<(String, ChangeKind)>);

#[test]
fn status_is_read_from_disk_and_grouped_per_template() {
    let (_tmp, root, history) = sample_with_history();
    edit(
        &root,
        "templates/welcome/body.mjml",
        "<mj-divider />",
        "<mj-divider /><mj-spacer />",
    );
    std::fs::write(root.join("templates/receipt/fixtures/refund.json"), "{}").unwrap();
    std::fs::remove_file(root.join("templates/receipt/fixtures/default.json")).unwrap();
    std::fs::rename(
        root.join("templates/welcome/fixtures/long-name.json"),
        root.join("templates/welcome/fixtures/very-long-name.json"),
    )
    .unwrap();
    edit(&root, "layouts/base.mjml", "<mj-", "<mj-");
    std::fs::write(root.join("partials/new.mjml"), "<mj-text>new</mj-text>").unwrap();

    let status = history.status().unwrap();
    let summary: Vec<Group> = status
        .groups
        .iter()
        .map(|g| {
            (
                g.template.clone(),
                g.files.iter().map(|f| (f.path.clone(), f.kind)).collect(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (
                Some("receipt".to_owned()),
                vec![
                    (
                        "templates/receipt/fixtures/default.json".into(),
                        ChangeKind::Deleted
                    ),
                    (
                        "templates/receipt/fixtures/refund.json".into(),
                        ChangeKind::Added
                    ),
                ]
            ),
            (
                Some("welcome".to_owned()),
                vec![
                    ("templates/welcome/body.mjml".into(), ChangeKind::Modified),
                    (
                        "templates/welcome/fixtures/very-long-name.json".into(),
                        ChangeKind::Renamed
                    ),
                ]
            ),
            (None, vec![("partials/new.mjml".into(), ChangeKind::Added)]),
        ]
    );
    let renamed = status
        .files
        .iter()
        .find(|f| f.kind == ChangeKind::Renamed)
        .unwrap();
    assert_eq!(
        renamed.old_path.as_deref(),
        Some("templates/welcome/fixtures/long-name.json")
    );
}

#[test]
fn save_commits_only_the_chosen_files() {
    let (_tmp, root, history) = sample_with_history();
    edit(
        &root,
        "templates/welcome/body.mjml",
        "<mj-divider />",
        "<mj-spacer />",
    );
    std::fs::write(root.join("templates/receipt/notes.txt"), "draft").unwrap();
    let err = history
        .save("x", &["templates/nope.txt".into()], &ada(), at(1))
        .err()
        .unwrap();
    assert_eq!(err.code(), "not-changed");
    assert_eq!(
        history.save("  ", &[], &ada(), at(1)).err().unwrap().code(),
        "empty-message"
    );

    let saved = history
        .save(
            "Welcome: spacer instead of divider",
            &["templates/welcome/body.mjml".into()],
            &ada(),
            at(1),
        )
        .unwrap();
    assert_eq!(saved.files.len(), 1);
    assert_eq!(
        paths(&history),
        [("templates/receipt/notes.txt".to_owned(), ChangeKind::Added)]
    );
    let head = history.resolve("HEAD").unwrap();
    let tree = head.tree().unwrap();
    assert!(
        tree.get_path(Path::new("templates/receipt/notes.txt"))
            .is_err()
    );
    // The index agrees with the saved version, so git itself sees the same status.
    let repo = history.repository();
    let statuses = repo.statuses(None).unwrap();
    let dirty: Vec<String> = statuses
        .iter()
        .map(|s| s.path().unwrap().to_owned())
        .collect();
    assert_eq!(dirty, ["templates/receipt/notes.txt"]);
}

#[test]
fn history_per_template_and_project_with_publish_marks() {
    let (_tmp, root, history) = sample_with_history();
    edit(
        &root,
        "templates/welcome/body.mjml",
        "<mj-divider />",
        "<mj-spacer />",
    );
    history
        .save("Welcome: spacing", &[], &ada(), at(1))
        .unwrap();
    edit(&root, "templates/receipt/template.toml", "=", " =");
    history.save("Receipt: tidy", &[], &ben(), at(2)).unwrap();
    std::fs::write(root.join("partials/extra.mjml"), "<mj-text />").unwrap();
    history.save("Partials: extra", &[], &ada(), at(3)).unwrap();
    history
        .publish("production", Some("HEAD~1"), "Receipt tidy", &ada(), at(4))
        .unwrap();

    assert_eq!(
        all(&history, &[]),
        [
            "Partials: extra",
            "Receipt: tidy",
            "Welcome: spacing",
            "Start from the sample"
        ]
    );
    assert_eq!(
        all(&history, &["templates/welcome/"]),
        ["Welcome: spacing", "Start from the sample"]
    );
    let project = letterpress_studio::Project::open(&root).unwrap();
    let scope = History::template_paths(&project, "welcome");
    assert!(scope.contains(&"layouts/base.mjml".to_owned()), "{scope:?}");
    assert!(
        scope.contains(&"locales/de/welcome.ftl".to_owned()),
        "{scope:?}"
    );
    assert!(
        scope.contains(&"partials/macros.mjml".to_owned()),
        "{scope:?}"
    );
    let scoped: Vec<&str> = scope.iter().map(String::as_str).collect();
    assert_eq!(
        all(&history, &scoped),
        ["Welcome: spacing", "Start from the sample"]
    );
    let page = history
        .history(&HistoryQuery {
            paths: vec!["templates/receipt/".into()],
            cursor: None,
            limit: 1,
        })
        .unwrap();
    let v = &page.versions[0];
    assert_eq!(
        (
            v.summary.as_str(),
            v.author.as_str(),
            v.email.as_str(),
            v.time
        ),
        (
            "Receipt: tidy",
            "Ben Translator",
            "ben@example.com",
            EPOCH + 120
        )
    );
    assert_eq!(v.short_id.len(), 7);
    assert!(v.id.starts_with(&v.short_id));
    assert_eq!(v.published.len(), 1);
    assert_eq!(v.published[0].environment, "production");
    assert_eq!(v.published[0].number, 1);
    assert!(page.next_cursor.is_some());
}

/// 2,000 versions built directly with git2 (one small change each, alternating templates),
/// then listed page by page: every version exactly once, newest first. The objects are built
/// in memory and written as one pack (the studio fsyncs every loose object it writes).
#[test]
fn a_long_history_is_listed_in_pages() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    std::fs::write(root.join("letterpress.toml"), "[project]\nname = \"x\"\n").unwrap();
    History::init(root).unwrap();
    const N: usize = 2000;
    let build_started = std::time::Instant::now();
    {
        let repo = Repository::open(root).unwrap();
        let odb = repo.odb().unwrap();
        let mempack = odb.add_new_mempack_backend(1000).unwrap();
        let mut parent: Option<git2::Oid> = None;
        let mut tree = repo
            .find_tree(repo.treebuilder(None).unwrap().write().unwrap())
            .unwrap();
        for i in 0..N {
            let template = if i % 4 == 0 { "alpha" } else { "beta" };
            let blob = repo.blob(format!("version {i}").as_bytes()).unwrap();
            let mut update = git2::build::TreeUpdateBuilder::new();
            update.upsert(
                format!("templates/{template}/body.mjml"),
                blob,
                git2::FileMode::Blob,
            );
            tree = repo
                .find_tree(update.create_updated(&repo, &tree).unwrap())
                .unwrap();
            let parents: Vec<git2::Commit> = parent
                .iter()
                .map(|p| repo.find_commit(*p).unwrap())
                .collect();
            let refs: Vec<&git2::Commit> = parents.iter().collect();
            let s = git2::Signature::new(
                "Ada",
                "ada@example.com",
                &git2::Time::new(EPOCH + i as i64 * 60, 0),
            )
            .unwrap();
            parent = Some(
                repo.commit(None, &s, &s, &format!("v{i}"), &tree, &refs)
                    .unwrap(),
            );
        }
        let mut pack = git2::Buf::new();
        mempack.dump(&repo, &mut pack).unwrap();
        let mut writer = odb.packwriter().unwrap();
        std::io::Write::write_all(&mut writer, &pack).unwrap();
        writer.commit().unwrap();
        mempack.reset().unwrap();
        repo.reference("refs/heads/main", parent.unwrap(), true, "fixture")
            .unwrap();
    }
    let history = History::open(root).unwrap();
    eprintln!("built {N} versions in {:?}", build_started.elapsed());
    let started = std::time::Instant::now();
    let mut seen = Vec::new();
    let mut cursor = None;
    let mut pages = 0;
    loop {
        let page = history
            .history(&HistoryQuery {
                paths: Vec::new(),
                cursor,
                limit: 100,
            })
            .unwrap();
        pages += 1;
        seen.extend(page.versions.into_iter().map(|v| v.summary));
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    eprintln!(
        "{N} versions in {pages} pages of 100: {:?}",
        started.elapsed()
    );
    assert_eq!(pages, 20);
    let expected: Vec<String> = (0..N).rev().map(|i| format!("v{i}")).collect();
    assert_eq!(seen, expected);

    let started = std::time::Instant::now();
    let first = history
        .history(&HistoryQuery {
            paths: vec!["templates/alpha/".into()],
            cursor: None,
            limit: 50,
        })
        .unwrap();
    eprintln!(
        "first page of one template's history: {:?}",
        started.elapsed()
    );
    assert_eq!(first.versions.len(), 50);
    assert_eq!(first.versions[0].summary, "v1996");
    assert_eq!(first.versions[49].summary, format!("v{}", 1996 - 49 * 4));
    let alpha = all(&history, &["templates/alpha/"]);
    assert_eq!(alpha.len(), N / 4);
}

/// A plain-text rendering of a source diff for snapshots: `-`/`+`/`~` rows, inline changes
/// in `[-…-]` and `{+…+}`.
fn side_by_side(diff: &SourceDiff) -> String {
    let mut out = String::new();
    for file in &diff.files {
        out.push_str(&format!(
            "== {} ({:?}{})\n",
            file.file.path,
            file.file.kind,
            file.file
                .old_path
                .as_ref()
                .map(|o| format!(" from {o}"))
                .unwrap_or_default()
        ));
        for hunk in &file.hunks {
            out.push_str("@@\n");
            for row in &hunk.rows {
                let side = |line: &Option<letterpress_studio::history::DiffLine>, del: bool| {
                    line.as_ref().map_or(String::from("    |"), |l| {
                        let text: String = l
                            .segments
                            .iter()
                            .map(|s| match (s.emphasized, del) {
                                (false, _) => s.text.clone(),
                                (true, true) => format!("[-{}-]", s.text),
                                (true, false) => format!("{{+{}+}}", s.text),
                            })
                            .collect();
                        format!("{:>3} | {text}", l.number)
                    })
                };
                let mark = match row.kind {
                    RowKind::Equal => ' ',
                    RowKind::Removed => '-',
                    RowKind::Added => '+',
                    RowKind::Changed => '~',
                };
                out.push_str(&format!(
                    "{mark} {}  ||  {}\n",
                    side(&row.left, true),
                    side(&row.right, false)
                ));
            }
        }
    }
    out
}

#[test]
fn source_diff_between_versions_and_the_working_copy() {
    let (_tmp, root, history) = sample_with_history();
    edit(
        &root,
        "locales/en/welcome.ftl",
        "welcome-heading = Welcome aboard, { $name }!",
        "welcome-heading = Welcome on board, { $name }!\nwelcome-extra = One more thing",
    );
    std::fs::remove_file(root.join("templates/welcome/fixtures/long-name.json")).unwrap();
    history
        .save("Welcome: wording", &[], &ada(), at(1))
        .unwrap();
    edit(
        &root,
        "templates/welcome/body.mjml",
        "<mj-divider />",
        "<mj-divider border-width=\"2px\" />",
    );

    let diff = history
        .diff_sources(
            &DiffTarget::parse("HEAD~1"),
            &DiffTarget::parse("HEAD"),
            None,
        )
        .unwrap();
    insta::assert_snapshot!("source_diff_versions", side_by_side(&diff));

    let working = history
        .diff_sources(
            &DiffTarget::parse("HEAD"),
            &DiffTarget::parse("working"),
            Some("templates/welcome/"),
        )
        .unwrap();
    insta::assert_snapshot!("source_diff_working", side_by_side(&working));

    // The other way round: the working copy on the left.
    let reversed = history
        .diff_sources(&DiffTarget::Working, &DiffTarget::parse("HEAD~1"), None)
        .unwrap();
    let kinds: Vec<(String, ChangeKind)> = reversed
        .files
        .iter()
        .map(|f| (f.file.path.clone(), f.file.kind))
        .collect();
    assert_eq!(
        kinds,
        [
            ("locales/en/welcome.ftl".to_owned(), ChangeKind::Modified),
            (
                "templates/welcome/body.mjml".to_owned(),
                ChangeKind::Modified
            ),
            (
                "templates/welcome/fixtures/long-name.json".to_owned(),
                ChangeKind::Added
            ),
        ]
    );
    let short = history.version("HEAD").unwrap().short_id;
    assert!(
        history
            .diff_sources(&DiffTarget::parse(&short), &DiffTarget::Working, None)
            .is_ok()
    );
    assert_eq!(
        history
            .diff_sources(&DiffTarget::parse("nope"), &DiffTarget::Working, None)
            .err()
            .unwrap()
            .code(),
        "unknown-revision"
    );
}

#[test]
fn rendered_diff_marks_changed_words_on_both_sides() {
    let (_tmp, root, history) = sample_with_history();
    edit(
        &root,
        "locales/en/welcome.ftl",
        "welcome-heading = Welcome aboard, { $name }!",
        "welcome-heading = Welcome on board, { $name }!",
    );
    edit(
        &root,
        "locales/en/welcome.ftl",
        "welcome-subject = Welcome to { -brand-name }, { $name }!",
        "welcome-subject = { $name }, welcome to { -brand-name }",
    );
    history
        .save("Welcome: wording", &[], &ada(), at(1))
        .unwrap();
    edit(
        &root,
        "templates/welcome/body.mjml",
        "<mj-divider />",
        "<mj-text>Brand new paragraph</mj-text><mj-divider />",
    );

    let diff = history
        .diff_rendered(&RenderedDiffRequest {
            from: DiffTarget::parse("HEAD~1"),
            to: DiffTarget::parse("HEAD"),
            template: "welcome".into(),
            locale: Some("en".into()),
            fixture: Some("default".into()),
            variant: None,
        })
        .unwrap();
    assert!(
        diff.before.diagnostics.is_empty(),
        "{:?}",
        diff.before.diagnostics
    );
    assert!(
        diff.after.diagnostics.is_empty(),
        "{:?}",
        diff.after.diagnostics
    );
    insta::assert_json_snapshot!("rendered_diff_versions", diff.changes);
    assert!(
        diff.before
            .html
            .contains("<mark class=\"lp-removed\">aboard,</mark>")
    );
    assert!(
        diff.after
            .html
            .contains("<mark class=\"lp-inserted\">on board,</mark>")
    );

    let working = history
        .diff_rendered(&RenderedDiffRequest {
            from: DiffTarget::parse("HEAD"),
            to: DiffTarget::Working,
            template: "welcome".into(),
            locale: Some("de".into()),
            fixture: None,
            variant: None,
        })
        .unwrap();
    assert_eq!(working.locale, "de");
    insta::assert_json_snapshot!("rendered_diff_working", working.changes);
    assert!(
        working
            .after
            .html
            .contains("<mark class=\"lp-inserted\">Brand new paragraph</mark>")
    );
    assert!(!working.before.html.contains("<mark "));
}

#[test]
fn restore_brings_a_template_back_as_a_new_change() {
    let (_tmp, root, history) = sample_with_history();
    let original_body = read(&root, "templates/welcome/body.mjml");
    edit(
        &root,
        "templates/welcome/body.mjml",
        "<mj-divider />",
        "<mj-spacer />",
    );
    std::fs::write(root.join("templates/welcome/fixtures/extra.json"), "{}").unwrap();
    std::fs::remove_file(root.join("templates/welcome/fixtures/long-name.json")).unwrap();
    history.save("Welcome: rework", &[], &ada(), at(1)).unwrap();

    // Unsaved changes in the template are not overwritten silently.
    edit(
        &root,
        "templates/welcome/body.mjml",
        "<mj-spacer />",
        "<mj-spacer /><!-- wip -->",
    );
    let err = history
        .restore_template("welcome", "HEAD~1", false)
        .err()
        .unwrap();
    assert_eq!(err.code(), "uncommitted-changes");
    assert!(read(&root, "templates/welcome/body.mjml").contains("wip"));

    let restored = history.restore_template("welcome", "HEAD~1", true).unwrap();
    assert_eq!(
        restored.written,
        [
            "templates/welcome/body.mjml",
            "templates/welcome/fixtures/long-name.json"
        ]
    );
    assert_eq!(restored.removed, ["templates/welcome/fixtures/extra.json"]);
    assert_eq!(read(&root, "templates/welcome/body.mjml"), original_body);
    assert_eq!(all(&history, &[]).len(), 2, "history is not rewritten");
    assert_eq!(paths(&history).len(), 3);
    let saved = history
        .save("Welcome: back to the original", &[], &ada(), at(2))
        .unwrap();
    assert_eq!(saved.version.parents.len(), 1);
    let same = history
        .diff_sources(
            &DiffTarget::parse("HEAD~2"),
            &DiffTarget::parse("HEAD"),
            Some("templates/welcome/"),
        )
        .unwrap();
    assert!(same.files.is_empty());
    assert_eq!(
        history
            .restore_template("nope", "HEAD", false)
            .err()
            .unwrap()
            .code(),
        "not-found"
    );
}

#[test]
fn publish_marks_versions_per_environment() {
    let (_tmp, root, history) = sample_with_history();
    edit(
        &root,
        "templates/welcome/body.mjml",
        "<mj-divider />",
        "<mj-spacer />",
    );
    let err = history
        .publish("staging", None, "Try it", &ada(), at(1))
        .err()
        .unwrap();
    assert_eq!(err.code(), "uncommitted-changes");
    assert_eq!(
        history
            .publish("Prod!", Some("HEAD"), "x", &ada(), at(1))
            .err()
            .unwrap()
            .code(),
        "invalid-name"
    );
    // A committed revision can be published while the working copy is dirty.
    let first = history
        .publish("production", Some("HEAD"), "Launch", &ada(), at(1))
        .unwrap();
    assert_eq!(first.tag, "published/production/1");
    history
        .save("Welcome: spacing", &[], &ada(), at(2))
        .unwrap();
    let staging = history
        .publish("staging", None, "Spacing for review", &ben(), at(3))
        .unwrap();
    assert_eq!(
        (staging.number, staging.publisher.as_str()),
        (1, "Ben Translator")
    );
    assert_eq!(
        history
            .publish("staging", None, "again", &ben(), at(4))
            .err()
            .unwrap()
            .code(),
        "already-live"
    );
    let second = history
        .publish(
            "production",
            None,
            "Spacing live\n\n- welcome",
            &ada(),
            at(5),
        )
        .unwrap();
    assert_eq!(second.tag, "published/production/2");
    assert_eq!(second.notes, "Spacing live\n\n- welcome");
    assert_eq!(second.time, EPOCH + 300);

    let live: Vec<(String, u64, String)> = history
        .published()
        .unwrap()
        .into_iter()
        .map(|p| (p.environment, p.number, p.version.summary))
        .collect();
    assert_eq!(
        live,
        [
            ("production".to_owned(), 2, "Welcome: spacing".to_owned()),
            ("staging".to_owned(), 1, "Welcome: spacing".to_owned()),
        ]
    );
    let production: Vec<(u64, String)> = history
        .publish_history("production")
        .unwrap()
        .into_iter()
        .map(|p| (p.number, p.notes))
        .collect();
    assert_eq!(
        production,
        [
            (2, "Spacing live\n\n- welcome".to_owned()),
            (1, "Launch".to_owned())
        ]
    );
    // Tags are real annotated git tags, and revisions accept them.
    let tag = history
        .repository()
        .find_reference("refs/tags/published/production/1")
        .unwrap()
        .peel_to_tag()
        .unwrap();
    assert_eq!(tag.message().unwrap().unwrap(), "Launch\n");
    assert_eq!(
        history.version("published/production/1").unwrap().summary,
        "Start from the sample"
    );
}

#[test]
fn a_stale_index_lock_is_reported_and_cleared_only_when_old() {
    let (_tmp, root, history) = sample_with_history();
    edit(
        &root,
        "templates/welcome/body.mjml",
        "<mj-divider />",
        "<mj-spacer />",
    );
    let lock = root.join(".git/index.lock");
    std::fs::write(&lock, "").unwrap();
    let err = history.save("x", &[], &ada(), at(1)).err().unwrap();
    assert_eq!(err.code(), "repository-locked");
    assert!(err.to_string().contains("index.lock"), "{err}");

    let modified = std::fs::metadata(&lock).unwrap().modified().unwrap();
    let err = history
        .clear_stale_lock(modified + Duration::from_secs(5), Duration::from_secs(600))
        .err()
        .unwrap();
    assert_eq!(err.code(), "lock-in-use");
    assert!(lock.exists());
    let cleared = history
        .clear_stale_lock(
            modified + Duration::from_secs(3600),
            Duration::from_secs(600),
        )
        .unwrap()
        .unwrap();
    assert_eq!(cleared.age_seconds, 3600);
    assert!(!lock.exists());
    assert!(
        history
            .clear_stale_lock(SystemTime::now(), Duration::from_secs(600))
            .unwrap()
            .is_none()
    );
    history.save("After the lock", &[], &ada(), at(1)).unwrap();
}

#[test]
fn detached_head_lists_history_but_refuses_to_save() {
    let (_tmp, root, history) = sample_with_history();
    edit(
        &root,
        "templates/welcome/body.mjml",
        "<mj-divider />",
        "<mj-spacer />",
    );
    history.save("Second", &[], &ada(), at(1)).unwrap();
    let first = history.resolve("HEAD~1").unwrap().id();
    let repo = history.repository();
    repo.set_head_detached(first).unwrap();
    let mut checkout = git2::build::CheckoutBuilder::new();
    checkout.force();
    repo.checkout_head(Some(&mut checkout)).unwrap();

    assert_eq!(all(&history, &[]), ["Start from the sample"]);
    let status = history.status().unwrap();
    assert_eq!(status.branch, None);
    edit(
        &root,
        "templates/welcome/body.mjml",
        "<mj-divider />",
        "<mj-divider /> ",
    );
    let err = history.save("x", &[], &ada(), at(2)).err().unwrap();
    assert_eq!(err.code(), "detached-head");
    assert!(err.to_string().contains(&first.to_string()[..7]), "{err}");
}

// ----- remotes -----------------------------------------------------------------------------

struct Remotes {
    _tmp: tempfile::TempDir,
    a_root: PathBuf,
    a: History,
    b_root: PathBuf,
    b: History,
}

/// A bare repository at a file URL, clone A (which created it) and clone B.
fn two_clones() -> Remotes {
    let (tmp, a_root, a) = sample_with_history();
    let bare = tmp.path().join("shared.git");
    let mut options = git2::RepositoryInitOptions::new();
    options.bare(true).initial_head("main");
    Repository::init_opts(&bare, &options).unwrap();
    let url = format!("file://{}", bare.display());
    a.add_remote("origin", &url).unwrap();
    let pushed = a.push(None).unwrap();
    assert_eq!(
        (pushed.remote.as_str(), pushed.branch.as_str()),
        ("origin", "main")
    );
    let b_root = tmp.path().join("clone-b");
    Repository::clone(&url, &b_root).unwrap();
    let b = History::open(&b_root).unwrap();
    Remotes {
        _tmp: tmp,
        a_root,
        a,
        b_root,
        b,
    }
}

#[test]
fn pull_fast_forwards_and_merges_changes_to_different_files() {
    let r = two_clones();
    assert_eq!(r.a.remotes().unwrap()[0].name, "origin");
    append(&r.b_root, "templates/receipt/template.toml", "# from B");
    r.b.save("Receipt from B", &[], &ben(), at(1)).unwrap();
    r.b.publish("staging", None, "B on staging", &ben(), at(2))
        .unwrap();
    r.b.push(None).unwrap();

    edit(
        &r.a_root,
        "templates/welcome/body.mjml",
        "<mj-divider />",
        "<mj-spacer />",
    );
    r.a.save("Welcome from A", &[], &ada(), at(3)).unwrap();
    // An unsaved change in a file the pull does not touch stays as it is.
    append(
        &r.a_root,
        "templates/verify-email/template.toml",
        "# unsaved in A",
    );
    let outcome = r.a.pull(None, &ada(), at(4)).unwrap().outcome;
    let PullOutcome::Merged { merge } = outcome else {
        panic!("expected a merge, got {outcome:?}");
    };
    assert_eq!(merge.parents.len(), 2);
    assert_eq!(merge.time, EPOCH + 240);
    assert!(read(&r.a_root, "templates/receipt/template.toml").contains("# from B"));
    assert!(read(&r.a_root, "templates/welcome/body.mjml").contains("<mj-spacer />"));
    assert_eq!(
        paths(&r.a),
        [(
            "templates/verify-email/template.toml".to_owned(),
            ChangeKind::Modified
        )]
    );
    // B's publish tag came along.
    assert_eq!(
        r.a.published().unwrap()[0].version.summary,
        "Receipt from B"
    );
    r.a.push(None).unwrap();

    let outcome = r.b.pull(None, &ben(), at(5)).unwrap().outcome;
    let PullOutcome::FastForward { to } = outcome else {
        panic!("expected a fast-forward, got {outcome:?}");
    };
    assert_eq!(to.id, merge.id);
    assert!(read(&r.b_root, "templates/welcome/body.mjml").contains("<mj-spacer />"));
    assert!(r.b.status().unwrap().files.is_empty());
    assert_eq!(
        r.b.pull(None, &ben(), at(6)).unwrap().outcome,
        PullOutcome::UpToDate
    );
}

fn conflict(r: &Remotes) -> PullOutcome {
    edit(
        &r.b_root,
        "templates/welcome/body.mjml",
        "<mj-divider />",
        "<mj-divider border-color=\"#b00\" />",
    );
    r.b.save("Welcome: red divider", &[], &ben(), at(1))
        .unwrap();
    r.b.push(None).unwrap();
    edit(
        &r.a_root,
        "templates/welcome/body.mjml",
        "<mj-divider />",
        "<mj-divider border-color=\"#00b\" />",
    );
    r.a.save(
        "Welcome: blue divider",
        &["templates/welcome/body.mjml".into()],
        &ada(),
        at(2),
    )
    .unwrap();
    r.a.pull(None, &ada(), at(3)).unwrap().outcome
}

#[test]
fn conflicting_pull_keeps_both_sides_until_resolved_and_saved() {
    let r = two_clones();
    let outcome = conflict(&r);
    assert_eq!(
        outcome,
        PullOutcome::Conflicts {
            paths: vec!["templates/welcome/body.mjml".into()]
        }
    );
    let body = read(&r.a_root, "templates/welcome/body.mjml");
    assert!(
        body.contains("<<<<<<< ") && body.contains(">>>>>>> "),
        "{body}"
    );
    assert!(body.contains("#b00") && body.contains("#00b"), "{body}");
    let status = r.a.status().unwrap();
    assert!(status.merging);
    assert_eq!(status.files[0].kind, ChangeKind::Conflicted);
    assert!(r.a.repository().index().unwrap().has_conflicts());
    assert_eq!(
        r.a.pull(None, &ada(), at(4)).err().unwrap().code(),
        "merge-in-progress"
    );
    assert_eq!(
        r.a.save("too early", &[], &ada(), at(4))
            .err()
            .unwrap()
            .code(),
        "unresolved-conflicts"
    );

    // Resolve by hand, then saving concludes the merge.
    let resolved: String = body
        .lines()
        .filter(|l| {
            !l.starts_with("<<<<<<<")
                && !l.starts_with("=======")
                && !l.starts_with(">>>>>>>")
                && !l.contains("#b00")
        })
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(r.a_root.join("templates/welcome/body.mjml"), &resolved).unwrap();
    let saved =
        r.a.save("Keep the blue divider", &[], &ada(), at(5))
            .unwrap();
    assert!(saved.concluded_merge);
    assert_eq!(saved.version.parents.len(), 2);
    let status = r.a.status().unwrap();
    assert!(!status.merging);
    assert!(status.files.is_empty());
    assert!(!r.a.repository().index().unwrap().has_conflicts());
    r.a.push(None).unwrap();
    assert!(matches!(
        r.b.pull(None, &ben(), at(6)).unwrap().outcome,
        PullOutcome::FastForward { .. }
    ));
    assert_eq!(read(&r.b_root, "templates/welcome/body.mjml"), resolved);
}

#[test]
fn a_conflicting_pull_can_be_aborted_without_losing_other_changes() {
    let r = two_clones();
    append(&r.b_root, "templates/receipt/template.toml", "# from B");
    // A has an unsaved change elsewhere that must survive the abort.
    append(
        &r.a_root,
        "templates/verify-email/template.toml",
        "# unsaved in A",
    );
    let before = read(&r.a_root, "templates/welcome/body.mjml");
    let outcome = conflict(&r);
    assert!(matches!(outcome, PullOutcome::Conflicts { .. }));
    let blue = before.replacen("<mj-divider />", "<mj-divider border-color=\"#00b\" />", 1);

    let touched = r.a.abort_merge().unwrap();
    assert!(touched.contains(&"templates/welcome/body.mjml".to_owned()));
    assert_eq!(read(&r.a_root, "templates/welcome/body.mjml"), blue);
    assert!(!read(&r.a_root, "templates/receipt/template.toml").contains("# from B"));
    assert!(read(&r.a_root, "templates/verify-email/template.toml").contains("# unsaved in A"));
    let status = r.a.status().unwrap();
    assert!(!status.merging);
    assert_eq!(
        paths(&r.a),
        [(
            "templates/verify-email/template.toml".to_owned(),
            ChangeKind::Modified
        )]
    );
    assert_eq!(r.a.abort_merge().err().unwrap().code(), "no-merge");
}

#[test]
fn a_pull_that_would_overwrite_unsaved_changes_is_refused() {
    let r = two_clones();
    edit(
        &r.b_root,
        "templates/welcome/body.mjml",
        "<mj-divider />",
        "<mj-spacer />",
    );
    r.b.save("Welcome from B", &[], &ben(), at(1)).unwrap();
    r.b.push(None).unwrap();
    edit(
        &r.a_root,
        "templates/welcome/body.mjml",
        "<mj-divider />",
        "<mj-divider /><!-- mine -->",
    );
    let mine = read(&r.a_root, "templates/welcome/body.mjml");
    let err = r.a.pull(None, &ada(), at(2)).err().unwrap();
    assert_eq!(err.code(), "would-overwrite");
    assert!(
        matches!(&err, HistoryError::WouldOverwrite(p) if p == &["templates/welcome/body.mjml"])
    );
    assert_eq!(read(&r.a_root, "templates/welcome/body.mjml"), mine);
    assert_eq!(all(&r.a, &[]), ["Start from the sample"]);

    // Once saved, the same pull merges (different lines) or conflicts; nothing is lost.
    r.a.save("Mine", &[], &ada(), at(3)).unwrap();
    let outcome = r.a.pull(None, &ada(), at(4)).unwrap().outcome;
    assert!(matches!(
        outcome,
        PullOutcome::Conflicts { .. } | PullOutcome::Merged { .. }
    ));
    let text = read(&r.a_root, "templates/welcome/body.mjml");
    assert!(
        text.contains("mine") && text.contains("<mj-spacer />"),
        "{text}"
    );
}

#[test]
fn push_is_rejected_when_the_remote_moved_on() {
    let r = two_clones();
    append(&r.b_root, "templates/receipt/template.toml", "# from B");
    r.b.save("B", &[], &ben(), at(1)).unwrap();
    r.b.push(None).unwrap();
    edit(
        &r.a_root,
        "templates/welcome/body.mjml",
        "<mj-divider />",
        "<mj-spacer />",
    );
    r.a.save("A", &[], &ada(), at(2)).unwrap();
    assert_eq!(r.a.push(None).err().unwrap().code(), "push-rejected");
    assert_eq!(
        r.a.add_remote("backup", "https://me:secret@example.com/x.git")
            .err()
            .unwrap()
            .code(),
        "invalid-name"
    );
    assert_eq!(
        r.a.push(Some("nope")).err().unwrap().code(),
        "unknown-remote"
    );
}

#[test]
fn an_empty_history_pulls_a_shared_project_and_needs_a_remote() {
    let r = two_clones();
    let joined = r.a_root.parent().unwrap().join("joined");
    std::fs::create_dir_all(&joined).unwrap();
    let history = History::init(&joined).unwrap();
    assert_eq!(history.push(None).err().unwrap().code(), "no-remote");
    assert_eq!(
        history.pull(None, &ben(), at(1)).err().unwrap().code(),
        "no-remote"
    );
    let url = r.a.remotes().unwrap()[0].url.clone();
    history.add_remote("origin", &url).unwrap();
    assert_eq!(history.push(None).err().unwrap().code(), "no-versions");
    // init wrote a .gitignore that the remote also has: the same content, so not in the way.
    let outcome = history.pull(None, &ben(), at(1)).unwrap().outcome;
    assert!(
        matches!(outcome, PullOutcome::FastForward { .. }),
        "{outcome:?}"
    );
    assert_eq!(
        read(&joined, "templates/welcome/body.mjml"),
        read(&r.b_root, "templates/welcome/body.mjml")
    );
    assert!(history.status().unwrap().files.is_empty());
    assert_eq!(all(&history, &[]), ["Start from the sample"]);
}

#[test]
fn publish_tags_colliding_on_pull_keep_the_local_record() {
    let r = two_clones();
    edit(
        &r.b_root,
        "templates/welcome/body.mjml",
        "<mj-divider />",
        "<mj-spacer />",
    );
    r.b.save("B", &[], &ben(), at(1)).unwrap();
    r.b.publish("staging", None, "B's release", &ben(), at(2))
        .unwrap();
    r.b.publish("production", None, "B to production", &ben(), at(2))
        .unwrap();
    r.b.push(None).unwrap();
    r.a.publish("staging", None, "A's release", &ada(), at(3))
        .unwrap();

    let report = r.a.pull(None, &ada(), at(4)).unwrap();
    assert!(matches!(report.outcome, PullOutcome::FastForward { .. }));
    assert_eq!(report.tag_conflicts, ["published/staging/1"]);
    let live: Vec<(String, String)> =
        r.a.published()
            .unwrap()
            .into_iter()
            .map(|p| (p.tag, p.notes))
            .collect();
    assert_eq!(
        live,
        [
            (
                "published/production/1".to_owned(),
                "B to production".to_owned()
            ),
            ("published/staging/1".to_owned(), "A's release".to_owned()),
        ]
    );
    // The colliding tag is not pushed over the remote's; the rest is.
    r.a.publish("staging", None, "A again", &ada(), at(5))
        .unwrap();
    let pushed = r.a.push(None).unwrap();
    assert_eq!(pushed.tags, ["published/staging/2"]);
    assert_eq!(pushed.tag_conflicts, ["published/staging/1"]);
    let report = r.b.pull(None, &ben(), at(6)).unwrap();
    assert_eq!(report.outcome, PullOutcome::UpToDate);
    assert!(
        report.tag_conflicts.is_empty(),
        "B's own tag is the remote's"
    );
    let notes: Vec<String> =
        r.b.publish_history("staging")
            .unwrap()
            .into_iter()
            .map(|p| p.notes)
            .collect();
    assert_eq!(notes, ["A again", "B's release"]);
}
