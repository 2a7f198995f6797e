//! A designer's new email, built in the app without writing MJML (the e2e test
//! `tests/e2e/tests/visual_build.rs` saves it and pins it as the golden file
//! `tests/e2e/golden/visual-build-launch.mjml`), renders identically through every way an
//! email leaves Letterpress: `letterpress build`, a published bundle, the send-time bridge
//! rendered by Handlebars in process, Postmark (the contract fake's Mustachio, in process
//! and on the uploaded template) and SES (the real local peer's renderer on the upload).
//!
//! The email is added to a temp copy of the sample as template `launch`, the way the app
//! adds one (`Project::create_template`), with the golden file (read at test time) as its
//! body, and listed in both sample targets. Fixtures: the starter's `default` (a title),
//! `no-title` (an empty title: the `{% if title != "" %}` around the button is false) and
//! `marked-up-title` (markup characters and non-ASCII letters to escape). Every assertion
//! compares each locale × fixture of `launch` with the preview (`Project::render_job`).
//!
//! Normalisations: only the documented ones, shared with the other differential tests
//! (`letterpress_test_support::normalise`).
//!
//! Finding 1, a refusal: the bridge refuses the designer's condition. `title != ""` compares
//! recipient data with a constant, which is not one of the forms Handlebars and Mustachio
//! can say at send time (`crates/engine/src/bridge/rewrite.rs`, `condition` and `simple`: a
//! path, `not`, `is defined`, `| length` against 0); it is guarded (`__lp_guard`) and
//! refused with `send-time-unsupported` at `templates/launch/body.mjml:14:18`
//! (`crates/engine/src/bridge/mod.rs`, "can only test whether a value is present: use
//! `{% if title %}`…"). So SES and Postmark block the template, and the bundle renders it
//! from source. That refusal is asserted as it is
//! (`the_bridge_refuses_the_designers_condition_at_its_line`, and the blocked plans); the
//! Handlebars, Postmark, SES and compiled-bundle comparisons then run on a copy whose only
//! change is the condition the bridge suggests, `{% if title %}` (the same for every string
//! title), after checking that the copy's preview equals the original's for every locale ×
//! fixture.
//!
//! Finding 2, a difference (fixed): on that copy the compiled text part differed from the
//! preview in every locale × fixture, on every send-time path (HTML, subject and preheader
//! were identical). The text was derived from the compiled HTML with the block tags as
//! words, so the `{% if %}` marker (between the column's `<tbody>` and the button's `<tr>`)
//! got a paragraph of its own (`{{{title}}}\n\n{{#if …}}\n\nButton`: one blank line too
//! many before `Button`), and the `{{{title}}}` paragraph stayed an empty paragraph when the
//! title was empty (`no-title`: `logo\n\n\n\nWrite…`), where the preview writes no empty
//! paragraph and merges the breaks around it (`crates/engine/src/text.rs`). The engine now
//! writes the text template so that it merges them as the preview does for any data
//! (`crates/engine/src/bridge/text.rs`); these tests list every difference if one returns.

use handlebars::Handlebars;
use letterpress_engine::Code;
use letterpress_engine::bridge::Dialect;
use letterpress_protocol::sync::SyncAction;
use letterpress_studio::bundle::{export, load};
use letterpress_studio::sync::{
    ApplyOptions, AwsCredentials, ClientOptions, Credentials, MemoryStore, RemoteTemplates, Secret,
    SyncError, TargetSync, system_clock,
};
use letterpress_studio::{Project, RenderJob};
use letterpress_test_support::normalise::{
    canonical_references, handlebars_escapes, lf_line_ends, unescape_markup,
};
use letterpress_test_support::postmark_fake::render_mustachio;
use letterpress_test_support::{
    PostmarkContractFake, SesPeer, repo_root, sample_copy, save_and_publish, set_target,
};
use serde_json::json;
use std::path::{Path, PathBuf};

const TEMPLATE: &str = "launch";
const LOCALES: usize = 5;
const FIXTURES: usize = 3;
/// The designer's condition, as the golden file writes it, and the copy's for the bridge.
const CONDITION: &str = "{% if title != \"\" %}";
const BRIDGEABLE_CONDITION: &str = "{% if title %}";
const SES_TARGET: &str = "ses-staging";
const POSTMARK_TARGET: &str = "postmark-staging";
const PREFIX: &str = "nw-staging-";
const POSTMARK_TOKEN: &str = "5c2a9b1e-postmark-server-token";
const TARGET_TEMPLATES: &str = "templates = [\"welcome\", \"verify-email\", \"launch\"]";

fn golden_path() -> PathBuf {
    repo_root().join("tests/e2e/golden/visual-build-launch.mjml")
}

/// The golden file, read now: the test follows it when the e2e test's email changes.
fn golden() -> String {
    let path = golden_path();
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The golden file with the designer's condition written the way the bridge can say it.
fn bridgeable_body() -> String {
    let golden = golden();
    assert_eq!(
        golden.matches(CONDITION).count(),
        1,
        "the golden file's condition changed: {}",
        golden_path().display()
    );
    golden.replacen(CONDITION, BRIDGEABLE_CONDITION, 1)
}

/// The 1-based line of the golden file's `{% if %}`.
fn condition_line() -> u32 {
    let golden = golden();
    let index = golden
        .lines()
        .position(|l| l.contains(CONDITION))
        .expect("the condition in the golden file");
    u32::try_from(index + 1).unwrap()
}

/// The sample (test-support's copy) with the designer's email as template `launch`, its
/// body `body`, listed in both sample targets.
fn with_launch(body: &str) -> (tempfile::TempDir, PathBuf) {
    let (tmp, root) = sample_copy();
    let project = Project::open(&root).unwrap();
    project.create_template(TEMPLATE).unwrap();
    let dir = root.join("templates").join(TEMPLATE);
    std::fs::write(dir.join("body.mjml"), body).unwrap();
    // The starter's fixture has a title; the other two are the designer's test data.
    let default: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("fixtures/default.json")).unwrap())
            .unwrap();
    assert_eq!(
        default,
        json!({"title": TEMPLATE}),
        "the starter fixture changed"
    );
    let write = |name: &str, value: serde_json::Value| {
        std::fs::write(
            dir.join("fixtures").join(format!("{name}.json")),
            serde_json::to_string_pretty(&value).unwrap(),
        )
        .unwrap();
    };
    write("no-title", json!({"title": ""}));
    write(
        "marked-up-title",
        json!({"title": "Zoë's <Launch> & \"Ünïcödé\" 🚀"}),
    );
    let config = root.join("letterpress.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    let listed = "templates = [\"welcome\", \"verify-email\"]";
    assert_eq!(
        text.matches(listed).count(),
        2,
        "the sample's targets changed"
    );
    std::fs::write(&config, text.replace(listed, TARGET_TEMPLATES)).unwrap();
    (tmp, root)
}

/// Every locale × fixture of `launch`, checked to show both branches of the condition.
fn launch_jobs(project: &Project) -> Vec<RenderJob> {
    let jobs: Vec<RenderJob> = project
        .jobs()
        .unwrap()
        .into_iter()
        .filter(|j| j.template == TEMPLATE)
        .collect();
    assert_eq!(jobs.len(), LOCALES * FIXTURES, "{jobs:?}");
    for job in &jobs {
        let preview = project.render_job(job);
        let what = format!("{} {}", job.locale, job.fixture);
        assert!(preview.is_ok(), "{what}: {:?}", preview.diagnostics);
        let button = preview.html.contains("href=\"https://example.com\"");
        assert_eq!(
            button,
            job.fixture != "no-title",
            "the button is shown exactly when there is a title ({what})"
        );
        assert!(preview.html.contains("Write something here."), "{what}");
    }
    jobs
}

fn what(job: &RenderJob) -> String {
    format!("{} {} {}", job.template, job.locale, job.fixture)
}

/// The renders of one path compared with the preview, every difference kept (with its first
/// differing line) so that one run reports all of them; asserted empty at the end.
#[derive(Default)]
struct Comparison {
    renders: usize,
    differences: Vec<String>,
}

impl Comparison {
    fn check(&mut self, part: &str, what: &str, got: &str, preview: &str) {
        if got == preview {
            return;
        }
        let (got_lines, preview_lines): (Vec<&str>, Vec<&str>) =
            (got.split('\n').collect(), preview.split('\n').collect());
        let line = got_lines
            .iter()
            .zip(&preview_lines)
            .position(|(a, b)| a != b)
            .unwrap_or(got_lines.len().min(preview_lines.len()));
        let around =
            |lines: &[&str]| lines[line.saturating_sub(2)..(line + 2).min(lines.len())].join("\n");
        self.differences.push(format!(
            "{part} of {what}, from line {}:\n  sent:    {:?}\n  preview: {:?}",
            line + 1,
            around(&got_lines),
            around(&preview_lines)
        ));
    }

    fn rendered(&mut self) {
        self.renders += 1;
    }

    fn assert_identical(self, path: &str) {
        assert_eq!(self.renders, LOCALES * FIXTURES, "{path}: renders compared");
        assert!(
            self.differences.is_empty(),
            "{path}: {} differences from the preview in {} renders:\n{}",
            self.differences.len(),
            self.renders,
            self.differences.join("\n")
        );
    }
}

#[test]
fn the_build_writes_what_the_preview_renders() {
    let (tmp, root) = with_launch(&golden());
    let project = Project::open(&root).unwrap();
    let out = tmp.path().join("build");
    project.build(&out, &|_, _| {}).unwrap();
    // What `letterpress build` leaves on disk: the manifest and one file per part.
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    let entries = manifest["entries"].as_array().unwrap();
    let mut build = Comparison::default();
    for job in launch_jobs(&project) {
        let what = what(&job);
        let entry = entries
            .iter()
            .find(|e| {
                e["template"] == job.template.as_str()
                    && e["locale"] == job.locale.as_str()
                    && e["fixture"] == job.fixture.as_str()
            })
            .unwrap_or_else(|| panic!("no manifest entry for {what}"));
        let preview = project.render_job(&job);
        let file =
            |key: &str| std::fs::read_to_string(out.join(entry[key].as_str().unwrap())).unwrap();
        let manifest_part = |key: &str| entry[key].as_str().unwrap().to_owned();
        build.check("html", &what, &file("html"), &preview.html);
        build.check("text", &what, &file("text"), &preview.text);
        build.check(
            "subject",
            &what,
            &manifest_part("subject"),
            &preview.subject,
        );
        build.check(
            "preheader",
            &what,
            &manifest_part("preheader"),
            &preview.preheader,
        );
        build.rendered();
    }
    build.assert_identical("letterpress build");
}

#[test]
fn a_published_bundle_renders_what_the_preview_renders() {
    let (tmp, root) = with_launch(&golden());
    let tag = save_and_publish(&root, "production", 1);
    assert_eq!(tag, "published/production/1");
    let out = tmp.path().join("bundle");
    let report = export(&root, "production/1", &out).unwrap();
    let launch: Vec<_> = report
        .manifest
        .entries
        .iter()
        .filter(|e| e.template == TEMPLATE)
        .collect();
    assert_eq!(launch.len(), LOCALES);
    // The bridge refuses the condition (see the crate doc): each entry renders from the
    // bundled sources, and says why.
    for entry in &launch {
        assert!(entry.compiled.is_none(), "{entry:?}");
        assert!(
            entry
                .from_source_because
                .iter()
                .any(|r| r.contains("title != \"\"")),
            "{entry:?}"
        );
    }

    let bundle = load(&out).unwrap();
    let project = Project::open(&root).unwrap();
    let mut sent_from_bundle = Comparison::default();
    for job in launch_jobs(&project) {
        let what = what(&job);
        let data = project.fixture(&job.template, &job.fixture).unwrap();
        let sent = bundle.render(&job.template, &job.locale, &data);
        assert!(sent.is_ok(), "{what}: {:?}", sent.diagnostics);
        let preview = project.render_job(&job);
        sent_from_bundle.check("subject", &what, &sent.subject, &preview.subject);
        sent_from_bundle.check("preheader", &what, &sent.preheader, &preview.preheader);
        sent_from_bundle.check("html", &what, &sent.html, &preview.html);
        sent_from_bundle.check("text", &what, &sent.text, &preview.text);
        sent_from_bundle.rendered();
    }
    sent_from_bundle.assert_identical("the bundle (from its sources)");
}

#[test]
fn the_bundle_compiles_the_bridgeable_copy_and_renders_what_the_preview_renders() {
    let (tmp, root) = with_launch(&bridgeable_body());
    save_and_publish(&root, "production", 1);
    let out = tmp.path().join("bundle");
    let report = export(&root, "production/1", &out).unwrap();
    for entry in report
        .manifest
        .entries
        .iter()
        .filter(|e| e.template == TEMPLATE)
    {
        assert!(entry.compiled.is_some(), "{entry:?}");
    }
    let bundle = load(&out).unwrap();
    let project = Project::open(&root).unwrap();
    let mut sent_from_bundle = Comparison::default();
    for job in launch_jobs(&project) {
        let what = what(&job);
        let data = project.fixture(&job.template, &job.fixture).unwrap();
        let sent = bundle.render(&job.template, &job.locale, &data);
        assert!(sent.is_ok(), "{what}: {:?}", sent.diagnostics);
        let preview = project.render_job(&job);
        sent_from_bundle.check("subject", &what, &sent.subject, &preview.subject);
        sent_from_bundle.check("preheader", &what, &sent.preheader, &preview.preheader);
        sent_from_bundle.check("html", &what, &sent.html, &preview.html);
        sent_from_bundle.check("text", &what, &sent.text, &preview.text);
        sent_from_bundle.rendered();
    }
    sent_from_bundle.assert_identical("the bundle (compiled)");
}

#[test]
fn the_bridge_refuses_the_designers_condition_at_its_line() {
    let (_tmp, root) = with_launch(&golden());
    let project = Project::open(&root).unwrap();
    let line = condition_line();
    let mut refused = 0;
    for locale in &project.config().locales {
        for dialect in [Dialect::Handlebars, Dialect::Mustachio] {
            let errors = project
                .engine()
                .compile_send_time(TEMPLATE, locale, dialect)
                .err()
                .unwrap_or_else(|| panic!("{locale} {dialect:?} compiled"));
            let at_the_condition = errors.iter().find(|d| {
                d.code == Code::SendTimeUnsupported
                    && d.is_error()
                    && d.message.contains("title != \"\"")
                    && d.location
                        .as_ref()
                        .is_some_and(|l| l.file == "templates/launch/body.mjml" && l.line == line)
            });
            assert!(
                at_the_condition.is_some(),
                "{locale} {dialect:?}: {errors:#?}"
            );
            refused += 1;
        }
    }
    assert_eq!(refused, LOCALES * 2);
}

/// The copy's preview is the original's, part by part, for every locale × fixture: what the
/// bridge checks compare on the copy holds for the designer's file.
fn copy_previews_like_the_original(copy: &Project) {
    let (_tmp, root) = with_launch(&golden());
    let original = Project::open(&root).unwrap();
    let jobs = launch_jobs(&original);
    assert_eq!(jobs.len(), launch_jobs(copy).len());
    for job in &jobs {
        let (a, b) = (original.render_job(job), copy.render_job(job));
        let what = what(job);
        assert_eq!(a.html, b.html, "html of {what}");
        assert_eq!(a.text, b.text, "text of {what}");
        assert_eq!(a.subject, b.subject, "subject of {what}");
        assert_eq!(a.preheader, b.preheader, "preheader of {what}");
    }
}

#[test]
fn handlebars_renders_what_the_preview_renders() {
    let (_tmp, root) = with_launch(&bridgeable_body());
    let project = Project::open(&root).unwrap();
    copy_previews_like_the_original(&project);
    let mut hb = Handlebars::new();
    hb.set_strict_mode(false);
    let mut handlebars = Comparison::default();
    for job in launch_jobs(&project) {
        let what = what(&job);
        let compiled = project
            .engine()
            .compile_send_time(&job.template, &job.locale, Dialect::Handlebars)
            .unwrap_or_else(|d| panic!("{what}: {d:#?}"));
        let data = project.fixture(&job.template, &job.fixture).unwrap();
        let preview = project.render_job(&job);
        let render = |t: &str| hb.render_template(t, &data).unwrap();
        let html = handlebars_escapes(&render(&compiled.html));
        handlebars.check("html", &what, &html, &preview.html);
        handlebars.check("text", &what, &render(&compiled.text), &preview.text);
        handlebars.check(
            "subject",
            &what,
            &render(&compiled.subject),
            &preview.subject,
        );
        handlebars.check(
            "preheader",
            &what,
            &render(&compiled.preheader),
            &preview.preheader,
        );
        handlebars.rendered();
    }
    handlebars.assert_identical("Handlebars (in process)");
}

fn postmark_store() -> MemoryStore {
    MemoryStore::with(
        &format!("Northwind Cloud/{POSTMARK_TARGET}"),
        Credentials::PostmarkServerToken(Secret::new(POSTMARK_TOKEN.into())),
    )
}

fn ses_store() -> MemoryStore {
    MemoryStore::with(
        &format!("Northwind Cloud/{SES_TARGET}"),
        Credentials::Aws(AwsCredentials {
            access_key_id: "AKIDLOCALTEST".into(),
            secret: Secret::new("local/test+secret".into()),
            session_token: None,
        }),
    )
}

/// The sample's target `name` pointed at a local `endpoint`, listing `launch`.
fn point_target(root: &Path, name: &str, provider: &str, endpoint: &str) {
    let region = if provider == "ses" {
        "region = \"eu-west-1\"\n"
    } else {
        ""
    };
    set_target(
        root,
        name,
        &format!(
            "provider = \"{provider}\"\nenvironment = \"staging\"\n{region}\
             endpoint = \"{endpoint}\"\nprefix = \"{PREFIX}\"\n{TARGET_TEMPLATES}\n"
        ),
    );
}

/// The plan of the designer's original file blocks `launch` in every locale, at the
/// condition's line, and apply refuses while it does.
fn blocked_at_the_condition(sync: &TargetSync) {
    let plan = sync.plan().unwrap();
    let launch: Vec<_> = plan
        .items
        .iter()
        .filter(|i| i.template == TEMPLATE)
        .collect();
    assert_eq!(launch.len(), LOCALES, "{plan:#?}");
    let line = condition_line();
    for item in &launch {
        assert_eq!(item.action, SyncAction::Blocked, "{item:#?}");
        assert!(
            item.diagnostics.iter().any(|d| d
                .location
                .as_ref()
                .is_some_and(|l| { l.file == "templates/launch/body.mjml" && l.line == line })),
            "{item:#?}"
        );
    }
    match sync.apply(ApplyOptions::default(), &mut |_| {}) {
        Err(SyncError::Blocked(items)) => assert_eq!(items.len(), LOCALES),
        other => panic!("apply must refuse while launch is blocked: {other:?}"),
    }
}

#[test]
fn postmark_renders_what_the_preview_renders() {
    let fake = PostmarkContractFake::start(POSTMARK_TOKEN);
    let open = |root: &Path| {
        TargetSync::open(
            root,
            POSTMARK_TARGET,
            &postmark_store(),
            ClientOptions::default(),
            system_clock(),
        )
        .unwrap()
    };

    // The designer's file: blocked, nothing uploaded.
    let (_tmp, root) = with_launch(&golden());
    point_target(&root, POSTMARK_TARGET, "postmark", &fake.endpoint());
    save_and_publish(&root, "staging", 1);
    blocked_at_the_condition(&open(&root));
    assert!(fake.templates().is_empty(), "nothing was uploaded");

    // The bridgeable copy: in process (the fake's Mustachio on the compiled template), then
    // uploaded and rendered by the fake's `/templates/validate`.
    let (_tmp, root) = with_launch(&bridgeable_body());
    point_target(&root, POSTMARK_TARGET, "postmark", &fake.endpoint());
    save_and_publish(&root, "staging", 1);
    let sync = open(&root);
    sync.apply(ApplyOptions::default(), &mut |_| {}).unwrap();
    let client = sync.postmark().expect("a Postmark target");
    let project = Project::open(&root).unwrap();
    copy_previews_like_the_original(&project);
    let (mut in_process, mut uploaded) = (Comparison::default(), Comparison::default());
    for job in launch_jobs(&project) {
        let what = what(&job);
        let data = project.fixture(&job.template, &job.fixture).unwrap();
        let preview = project.render_job(&job);

        let compiled = project
            .engine()
            .compile_send_time(&job.template, &job.locale, Dialect::Mustachio)
            .unwrap_or_else(|d| panic!("{what}: {d:#?}"));
        let render =
            |t: &str| render_mustachio(t, &data).unwrap_or_else(|e| panic!("{what}: {e:?}"));
        in_process.check(
            "html",
            &what,
            &canonical_references(&render(&compiled.html)),
            &canonical_references(&preview.html),
        );
        in_process.check("text", &what, &render(&compiled.text), &preview.text);
        in_process.check(
            "subject",
            &what,
            &render(&compiled.subject),
            &preview.subject,
        );
        in_process.rendered();

        let name = format!("{PREFIX}{}-{}", job.template, job.locale);
        let stored = client.get(&name).unwrap().expect("uploaded");
        let rendered = client
            .test_render(&stored, &data)
            .unwrap_or_else(|e| panic!("{what}: {e}"));
        uploaded.check(
            "html",
            &what,
            &canonical_references(&rendered.html),
            &canonical_references(&preview.html),
        );
        uploaded.check("text", &what, &rendered.text, &preview.text);
        uploaded.check("subject", &what, &rendered.subject, &preview.subject);
        uploaded.rendered();
    }
    let both = std::panic::catch_unwind(|| in_process.assert_identical("Mustachio (in process)"));
    uploaded.assert_identical("Postmark (the uploaded templates, rendered by the fake)");
    if let Err(panic) = both {
        std::panic::resume_unwind(panic);
    }
}

#[test]
fn ses_renders_what_the_preview_renders() {
    let peer = SesPeer::start();
    let open = |root: &Path| {
        TargetSync::open(
            root,
            SES_TARGET,
            &ses_store(),
            ClientOptions::default(),
            system_clock(),
        )
        .unwrap()
    };

    // The designer's file: blocked, nothing uploaded.
    let (_tmp, root) = with_launch(&golden());
    point_target(&root, SES_TARGET, "ses", &peer.url());
    save_and_publish(&root, "staging", 1);
    blocked_at_the_condition(&open(&root));
    assert!(peer.templates().is_empty(), "nothing was uploaded");

    // The bridgeable copy: uploaded, then SES's own renderer (TestRenderEmailTemplate: real
    // Handlebars in the local peer) fills it with each fixture.
    let (_tmp, root) = with_launch(&bridgeable_body());
    point_target(&root, SES_TARGET, "ses", &peer.url());
    save_and_publish(&root, "staging", 1);
    let sync = open(&root);
    sync.apply(ApplyOptions::default(), &mut |_| {}).unwrap();
    let project = Project::open(&root).unwrap();
    copy_previews_like_the_original(&project);
    let mut ses = Comparison::default();
    for job in launch_jobs(&project) {
        let what = what(&job);
        let name = format!("{PREFIX}{}-{}", job.template, job.locale);
        let data = project.fixture(&job.template, &job.fixture).unwrap();
        let mime = sync
            .ses()
            .expect("an SES target")
            .test_render(&name, &data)
            .unwrap_or_else(|e| panic!("{what}: {e}"));
        let message = mail_parser::MessageParser::default()
            .parse(mime.as_bytes())
            .expect("SES returns a MIME message");
        let preview = project.render_job(&job);
        // An empty subject (`no-title`) is no Subject to mail-parser: compared as "".
        let subject = message.subject().unwrap_or_default();
        ses.check("subject", &what, subject, &preview.subject);
        let html = message.body_html(0).expect("an HTML part");
        ses.check(
            "html",
            &what,
            &unescape_markup(&lf_line_ends(&html)),
            &unescape_markup(&preview.html),
        );
        let text = message.body_text(0).expect("a text part");
        ses.check("text", &what, &lf_line_ends(&text), &preview.text);
        ses.rendered();
    }
    ses.assert_identical("SES (the local peer's TestRenderEmailTemplate)");
}
