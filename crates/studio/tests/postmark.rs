//! Sync to Postmark, against `PostmarkContractFake` (letterpress-test-support's
//! `postmark_fake`): an
//! in-process HTTP server that follows Postmark's public Templates API documentation and
//! reimplements Mustachio from its published source. It is a fake, not Postmark: these tests
//! show that Letterpress keeps the documented contract, not that Postmark agrees.
//!
//! The differential property (preview == production) is checked twice: in process with the
//! fake's Mustachio on small projects (many data sets), and over HTTP with the fake's
//! `/templates/validate` on what was actually uploaded for the sample.
//!
//! Normalisation (the only one, `letterpress_test_support::normalise::canonical_references`):
//! character references are compared by the character they
//! stand for. Markup characters (`& < > " '`) must be escaped on both sides; others may be
//! written either way. Mustachio (.NET's `WebUtility.HtmlEncode`) writes `é` as `&#233;` and
//! `'` as `&#39;`; the preview writes `é` as it is.

use letterpress_engine::bridge::Dialect;
use letterpress_engine::{Engine, Limits, MemorySources, ProjectConfig, RenderRequest};
use letterpress_protocol::sync::SyncAction;
use letterpress_studio::Project;
use letterpress_studio::sync::{
    ApplyOptions, ClientOptions, Credentials, MemoryStore, ProviderError, RemoteTemplates, Secret,
    SyncError, TargetSync, system_clock,
};
use letterpress_test_support::normalise::canonical_references;
use letterpress_test_support::postmark_fake::{
    FakeTemplate, PostmarkContractFake, render_mustachio,
};
use letterpress_test_support::{add_postmark_target, sample_copy, save_and_publish};
use serde_json::json;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

const TARGET: &str = "postmark-staging";
const PREFIX: &str = "nw-staging-";
const TOKEN: &str = "5c2a9b1e-postmark-server-token";

fn store(token: &str) -> MemoryStore {
    MemoryStore::with(
        &format!("Northwind Cloud/{TARGET}"),
        Credentials::PostmarkServerToken(Secret::new(token.into())),
    )
}

fn fast() -> ClientOptions {
    ClientOptions {
        base_backoff: Duration::from_millis(5),
        max_backoff: Duration::from_millis(50),
        max_retry_after: Duration::from_millis(1500),
        ..ClientOptions::default()
    }
}

fn open(root: &Path, token: &str) -> TargetSync {
    TargetSync::open(root, TARGET, &store(token), fast(), system_clock()).expect("open target")
}

/// A one-template project whose body is `body` inside a one-column layout.
fn project(body: &str) -> Engine {
    let config = "[project]\nname = \"m\"\ndefault_locale = \"en\"\nlocales = [\"en\"]\n";
    let mut sources = MemorySources::new();
    sources.insert("letterpress.toml", config);
    sources.insert(
        "templates/t/template.toml",
        "subject = \"Hi {{ user.name | default(\\\"there\\\") }}\"\n",
    );
    let mjml = format!(
        "<mjml><mj-body><mj-section><mj-column>{body}</mj-column></mj-section></mj-body></mjml>"
    );
    sources.insert("templates/t/body.mjml", mjml.as_str());
    Engine::new(
        ProjectConfig::parse(config).unwrap(),
        Vec::new(),
        Arc::new(sources),
        Limits::default(),
    )
}

#[test]
fn mustachio_renders_what_the_preview_renders_for_any_data() {
    // Sections scope into their value and names are not looked up outside it: conditions
    // inside loops, values of outer scopes, `else`, `elif`, `default` and nested loops.
    let body = r#"
<mj-text>{% if user.vip %}VIP {{ user.name }}{% elif user.trial %}Trial for {{ user.name }} at {{ company }}{% else %}Hello {{ user.nickname | default("friend") }}{% endif %}</mj-text>
{% for group in groups %}
<mj-text>{{ group.title }}:{% for task in group.tasks %} {{ task.title }}{% if task.done %} (done by {{ task.owner.name }} for {{ group.title }}, {{ user.name }}){% else %} (open){% endif %}{% endfor %}</mj-text>
{% endfor %}
{% if not groups %}<mj-text>Nothing today, {{ user.name }}.</mj-text>{% endif %}"#;
    let engine = project(body);
    let compiled = engine
        .compile_send_time("t", "en", Dialect::Mustachio)
        .unwrap_or_else(|d| panic!("{d:#?}"));
    let data_sets = [
        json!({"company": "Northwind", "user": {"name": "Ada", "vip": true}, "groups": []}),
        json!({"company": "Northwind", "user": {"name": "Bo", "vip": false, "trial": 3, "nickname": "B"},
               "groups": [{"title": "Design", "tasks": [
                   {"title": "Logo", "done": true, "owner": {"name": "Cy"}},
                   {"title": "Icons", "done": false, "owner": {"name": "Di"}}]},
                   {"title": "Empty", "tasks": []}]}),
        json!({"company": "<Acme & Co>", "user": {"name": "Zoë 'Z' <z@x>", "vip": false, "trial": false},
               "groups": [{"title": "Ünïcödé 🚀", "tasks": [{"title": "\"quoted\"", "done": true, "owner": {"name": "Ève"}}]}]}),
        // Not `0`: JSON integers reach Mustachio as .NET Int64, which its truthiness test
        // (Int32 and Double only) counts as present, unlike the preview (see the README).
        // `default` and `is defined` at send time test presence as truthiness (so do SES's
        // Handlebars): a present but empty value is not compared here.
        json!({"user": {"vip": false, "trial": ""}, "groups": [{"title": "x", "tasks": [{"title": "t", "done": false}]}]}),
    ];
    for data in &data_sets {
        let preview = engine.render(&RenderRequest {
            template: "t",
            locale: "en",
            data,
            variant: None,
        });
        assert!(preview.is_ok(), "{:?}", preview.diagnostics);
        let html = render_mustachio(&compiled.html, data).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(
            canonical_references(&html),
            canonical_references(&preview.html),
            "html with {data}"
        );
        let text = render_mustachio(&compiled.text, data).unwrap();
        assert_eq!(text, preview.text, "text with {data}");
        let subject = render_mustachio(&compiled.subject, data).unwrap();
        assert_eq!(subject, preview.subject, "subject with {data}");
    }
}

/// The sample published to staging with a Postmark target on the fake.
fn published_sample(fake: &PostmarkContractFake) -> (tempfile::TempDir, std::path::PathBuf) {
    let (tmp, root) = sample_copy();
    add_postmark_target(&root, TARGET, &fake.endpoint(), PREFIX);
    save_and_publish(&root, "staging", 1);
    (tmp, root)
}

fn ours(fake: &PostmarkContractFake) -> Vec<FakeTemplate> {
    let mut t: Vec<FakeTemplate> = fake
        .templates()
        .into_iter()
        .filter(|t| t.alias.as_deref().is_some_and(|a| a.starts_with(PREFIX)))
        .collect();
    t.sort_by(|a, b| a.alias.cmp(&b.alias));
    t
}

#[test]
fn plan_apply_drift_layouts_and_deletes_against_the_contract_fake() {
    let fake = PostmarkContractFake::start(TOKEN);
    fake.insert_template(FakeTemplate::standard(
        "someone-elses",
        "Not ours",
        "Hello",
        Some("<p>hi</p>"),
        None,
    ));
    fake.insert_template(FakeTemplate::layout(
        "brand-layout",
        "Brand layout",
        Some("<div>{{{ @content }}}</div>"),
        None,
    ));
    let (_tmp, root) = published_sample(&fake);
    let sync = open(&root, TOKEN);

    let plan = sync.plan().unwrap();
    assert_eq!(plan.counts.create, 15, "{:#?}", plan.counts);
    assert_eq!(fake.templates().len(), 2, "plan wrote nothing");

    let report = sync.apply(ApplyOptions::default(), &mut |_| {}).unwrap();
    assert_eq!(report.created, 15);
    let uploaded = ours(&fake);
    assert_eq!(uploaded.len(), 15);
    for t in &uploaded {
        assert_eq!(t.template_type, "Standard");
        assert_eq!(t.layout_template, None);
        assert_eq!(Some(&t.name), t.alias.as_ref());
        assert!(t.html_body.as_deref().is_some_and(|h| h.contains("<html")));
        assert!(!t.subject.is_empty());
    }
    let welcome = fake.template(&format!("{PREFIX}welcome-de")).unwrap();
    assert!(
        welcome.subject.contains("{{{user.first_name}}}"),
        "recipient data stays a Mustachio value: {}",
        welcome.subject
    );

    // Again: nothing to do, nothing written.
    fake.clear_requests();
    let again = sync.apply(ApplyOptions::default(), &mut |_| {}).unwrap();
    assert_eq!((again.created, again.updated, again.unchanged), (0, 0, 15));
    assert!(
        fake.requests().iter().all(|(m, _)| m == "GET"),
        "{:?}",
        fake.requests()
    );

    // Someone edits a subject and attaches a layout in Postmark's web UI: drift, refused
    // without permission, replaced (and the layout detached) with it.
    let edited = format!("{PREFIX}welcome-fr");
    let laid_out = format!("{PREFIX}verify-email-pl");
    fake.edit_template(&edited, |t| t.subject = "Changed in the web UI".into());
    fake.edit_template(&laid_out, |t| {
        t.layout_template = Some("brand-layout".into());
    });
    let plan = sync.plan().unwrap();
    let drifted: Vec<&str> = plan
        .items
        .iter()
        .filter(|i| i.action == SyncAction::Drift)
        .map(|i| i.remote_name.as_str())
        .collect();
    assert_eq!(drifted, [laid_out.as_str(), edited.as_str()]);
    let report = sync.apply(ApplyOptions::default(), &mut |_| {}).unwrap();
    assert_eq!(report.drift_skipped.len(), 2);
    assert_eq!(
        fake.template(&edited).unwrap().subject,
        "Changed in the web UI"
    );
    let report = sync
        .apply(
            ApplyOptions {
                overwrite_drift: true,
            },
            &mut |_| {},
        )
        .unwrap();
    assert_eq!(report.updated, 2);
    assert_ne!(
        fake.template(&edited).unwrap().subject,
        "Changed in the web UI"
    );
    assert_eq!(fake.template(&laid_out).unwrap().layout_template, None);
    assert_eq!(sync.plan().unwrap().counts.pending(), 0);

    // A template leaves the project: its five remote templates are deleted, nothing else.
    std::fs::remove_dir_all(root.join("templates/onboarding")).unwrap();
    save_and_publish(&root, "staging", 2);
    let plan = sync.plan().unwrap();
    assert_eq!(plan.counts.delete, 5, "{:#?}", plan.counts);
    let report = sync.apply(ApplyOptions::default(), &mut |_| {}).unwrap();
    assert_eq!(report.deleted, 5);
    assert_eq!(ours(&fake).len(), 10);
    assert!(fake.template("someone-elses").is_some());
    assert!(fake.template("brand-layout").is_some());
}

#[test]
fn what_postmark_renders_from_the_upload_equals_the_preview() {
    // The whole sample: templates that Mustachio can express are uploaded, and Postmark's
    // validate endpoint (the fake's Mustachio) renders each stored template with each
    // fixture; the others are blocked with the file and line, and nothing is uploaded.
    let fake = PostmarkContractFake::start(TOKEN);
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("project");
    letterpress_studio::copy_project(&letterpress_test_support::repo_root(), &root).unwrap();
    add_postmark_target(&root, TARGET, &fake.endpoint(), PREFIX);
    save_and_publish(&root, "staging", 1);
    let sync = open(&root, TOKEN);
    let plan = sync.plan().unwrap();
    let mut blocked: Vec<&str> = plan
        .items
        .iter()
        .filter(|i| i.action == SyncAction::Blocked)
        .map(|i| i.template.as_str())
        .collect();
    blocked.dedup();
    assert_eq!(
        blocked,
        [
            "daily-digest",
            "password-reset",
            "receipt",
            "team-invitation"
        ],
        "money, dates and plurals chosen by recipient data cannot be said in Mustachio"
    );
    for item in plan
        .items
        .iter()
        .filter(|i| i.action == SyncAction::Blocked)
    {
        assert!(
            item.diagnostics.iter().any(|d| d
                .location
                .as_ref()
                .is_some_and(|l| l.file.starts_with("templates/") && l.line > 0)),
            "{item:#?}"
        );
    }
    match sync.apply(ApplyOptions::default(), &mut |_| {}) {
        Err(SyncError::Blocked(items)) => assert_eq!(items.len(), 20),
        other => panic!("apply must refuse while templates are blocked: {other:?}"),
    }
    assert!(ours(&fake).is_empty(), "nothing was uploaded");

    // Only the templates Mustachio can express.
    let text = std::fs::read_to_string(root.join("letterpress.toml")).unwrap();
    std::fs::write(
        root.join("letterpress.toml"),
        format!("{text}templates = [\"welcome\", \"verify-email\"]\n"),
    )
    .unwrap();
    let sync = open(&root, TOKEN);
    sync.apply(ApplyOptions::default(), &mut |_| {}).unwrap();
    let client = sync.postmark().expect("a Postmark target");
    let project = Project::open(&root).unwrap();
    let mut compared = 0;
    for job in project.jobs().unwrap() {
        if !["welcome", "verify-email"].contains(&job.template.as_str()) {
            continue;
        }
        let what = format!("{} {} {}", job.template, job.locale, job.fixture);
        let name = format!("{PREFIX}{}-{}", job.template, job.locale);
        let stored = client.get(&name).unwrap().expect("uploaded");
        let data = project.fixture(&job.template, &job.fixture).unwrap();
        let rendered = client
            .test_render(&stored, &data)
            .unwrap_or_else(|e| panic!("{what}: {e}"));
        let preview = project.render_job(&job);
        assert!(preview.is_ok(), "{:?}", preview.diagnostics);
        assert_eq!(
            canonical_references(&rendered.html),
            canonical_references(&preview.html),
            "html of {what}"
        );
        assert_eq!(rendered.text, preview.text, "text of {what}");
        assert_eq!(rendered.subject, preview.subject, "subject of {what}");
        compared += 1;
    }
    assert_eq!(compared, 2 * 5 * 2, "2 templates × 5 locales × 2 fixtures");
}

#[test]
fn throttling_and_server_errors_are_retried_and_a_bad_token_is_not() {
    let fake = PostmarkContractFake::start(TOKEN);
    let (_tmp, root) = published_sample(&fake);

    let wrong = open(&root, "not-the-server-token");
    match wrong.plan() {
        Err(e @ SyncError::Provider(ProviderError::Auth(_))) => {
            assert_eq!(e.code(), "auth");
            assert!(!e.to_string().contains("not-the-server-token"), "{e}");
        }
        other => panic!("expected an auth error: {other:?}"),
    }

    let sync = open(&root, TOKEN);
    fake.fail_next(2, 429, Some(1));
    let plan = sync.plan().unwrap();
    assert_eq!(plan.counts.create, 15);
    fake.fail_next(3, 500, None);
    let report = sync.apply(ApplyOptions::default(), &mut |_| {}).unwrap();
    assert_eq!(report.created, 15);
    assert!(report.retries >= 3, "{report:#?}");
    assert_eq!(ours(&fake).len(), 15, "no duplicates, nothing missing");

    fake.set_rate_limit(5, Duration::from_millis(300));
    let plan = sync.plan().unwrap();
    assert_eq!(plan.counts.unchanged, 15);
}

#[test]
fn alias_rules_are_checked_before_anything_is_sent() {
    let fake = PostmarkContractFake::start(TOKEN);
    let (_tmp, root) = published_sample(&fake);
    // A template id that starts with a digit cannot start an alias without a prefix.
    letterpress_test_support::set_target(
        &root,
        TARGET,
        &format!(
            "provider = \"postmark\"\nenvironment = \"staging\"\nendpoint = \"{}\"\n",
            fake.endpoint()
        ),
    );
    let welcome = root.join("templates/welcome");
    std::fs::rename(&welcome, root.join("templates/1-welcome")).unwrap();
    save_and_publish(&root, "staging", 2);
    let plan = open(&root, TOKEN).plan().unwrap();
    let blocked: Vec<&str> = plan
        .items
        .iter()
        .filter(|i| i.action == SyncAction::Blocked)
        .map(|i| i.remote_name.as_str())
        .collect();
    assert_eq!(blocked.len(), 5, "{plan:#?}");
    assert!(blocked.iter().all(|n| n.starts_with("1-welcome-")));
    assert!(
        plan.items
            .iter()
            .find(|i| i.action == SyncAction::Blocked)
            .is_some_and(|i| i.diagnostics[0].message.contains("a letter first"))
    );
}
