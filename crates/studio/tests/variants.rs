//! A/B variants (issue 18, item 3) end to end on a copy of the sample whose `welcome` has two
//! variants besides itself — `b` with its own body and subject, `short` with its own subject
//! only: listed with their shares, checked and built, sent by the sender to a real SMTP
//! server (aiosmtpd) with one variant per recipient by the weights and recorded in the
//! outbox, listed in the bundle manifest with their weights and rendered from it as the
//! preview renders them, and synced to the real SES peer as remote templates of their own
//! that SES renders as the preview does.

use letterpress_studio::Project;
use letterpress_studio::bundle::{export, load};
use letterpress_studio::send::SendSecrets;
use letterpress_studio::send::bulk::{self, Clock, Sender, SenderOptions, SmtpTransport};
use letterpress_studio::send::outbox::Outbox;
use letterpress_studio::sync::{
    ApplyOptions, AwsCredentials, ClientOptions, Credentials, MemorySmtpPasswords, MemoryStore,
    Secret, TargetSync, system_clock,
};
use letterpress_test_support::normalise::{lf_line_ends, unescape_markup};
use letterpress_test_support::project::{
    VARIANT_B_BANNER, VARIANT_SHORT_SUBJECT, add_welcome_variants,
};
use letterpress_test_support::{SesPeer, SmtpSink, add_target, sample_copy, save_and_publish};
use serde_json::json;
use std::collections::BTreeMap;
use std::time::Duration;

const B_BANNER: &str = VARIANT_B_BANNER;
const SHORT_SUBJECT: &str = VARIANT_SHORT_SUBJECT;
const LOCALES: [&str; 5] = ["en", "de", "fr", "pl", "ar"];

fn variant_sample() -> (tempfile::TempDir, std::path::PathBuf) {
    let (tmp, root) = sample_copy();
    add_welcome_variants(&root);
    (tmp, root)
}

#[test]
fn variants_are_listed_with_their_shares_checked_and_built() {
    let (tmp, root) = variant_sample();
    let project = Project::open(&root).unwrap();
    let welcome = project
        .templates()
        .unwrap()
        .into_iter()
        .find(|t| t.id == "welcome")
        .unwrap();
    let listed: Vec<_> = welcome
        .variants
        .iter()
        .map(|v| {
            (
                v.name.as_str(),
                v.per_mille,
                v.changes.join("+"),
                v.body.clone(),
            )
        })
        .collect();
    assert_eq!(
        listed,
        [
            ("a", 500, String::new(), None),
            (
                "b",
                250,
                "body+subject".to_owned(),
                Some("templates/welcome/body.b.mjml".to_owned())
            ),
            ("short", 250, "subject".to_owned(), None),
        ]
    );

    // Check renders each variant in every locale with every fixture, without a problem.
    let jobs = project.jobs().unwrap();
    let of_welcome = |v: Option<&str>| {
        jobs.iter()
            .filter(|j| j.template == "welcome" && j.variant.as_deref() == v)
            .count()
    };
    assert_eq!(of_welcome(None), LOCALES.len() * welcome.fixtures.len());
    assert_eq!(of_welcome(Some("b")), of_welcome(None));
    assert_eq!(of_welcome(Some("short")), of_welcome(None));
    let report = project.check(&|_, _| {}).unwrap();
    assert_eq!(report.errors(), 0, "{:#?}", report.diagnostics);
    assert_eq!(report.renders, jobs.len());

    // Each variant renders its own body and subject; `short` keeps the template's body.
    let render = |v: Option<&str>, locale| {
        project
            .render_variant("welcome", v, Some(locale), None)
            .unwrap()
    };
    let (a, b, short) = (
        render(None, "de"),
        render(Some("b"), "de"),
        render(Some("short"), "de"),
    );
    assert!(b.html.contains(B_BANNER) && !a.html.contains(B_BANNER));
    assert!(
        b.subject.starts_with("Your Northwind workspace is ready, "),
        "{}",
        b.subject
    );
    assert_eq!(short.subject, SHORT_SUBJECT);
    // A subject-only variant keeps the body (the layout puts the subject in <title>).
    assert!(
        short.html.replace(SHORT_SUBJECT, &a.subject) == a.html,
        "a subject-only variant keeps the body"
    );
    assert!(
        render(Some("a"), "de").html == a.html,
        "`a` is the template itself"
    );
    let unknown = project
        .render_variant("welcome", Some("c"), Some("de"), None)
        .unwrap();
    assert_eq!(
        unknown.diagnostics[0].message,
        "template `welcome` has no variant `c` (its variants: a, b, short)"
    );

    // Build writes each variant's renders beside the template's.
    let out = tmp.path().join("dist");
    let built = project.build(&out, &|_, _| {}).unwrap();
    let b_entry = built
        .entries
        .iter()
        .find(|e| e.template == "welcome" && e.variant.as_deref() == Some("b") && e.locale == "pl")
        .unwrap();
    assert_eq!(b_entry.html, "welcome/pl/b/default.html");
    let html = std::fs::read_to_string(out.join(&b_entry.html)).unwrap();
    assert!(html.contains(B_BANNER));
    assert!(
        !std::fs::read_to_string(out.join("welcome/pl/default.html"))
            .unwrap()
            .contains(B_BANNER)
    );
}

/// A clock that never waits: everything is due now.
struct Now;

impl Clock for Now {
    fn now(&self) -> i64 {
        1_796_385_600
    }
    fn sleep(&self, _: Duration) {}
}

fn welcome_line(project: &Project, to: &str, variant: Option<&str>) -> String {
    let data = project.fixture("welcome", "default").unwrap();
    let mut line = json!({ "template": "welcome", "locale": "en", "data": data, "to": to });
    if let Some(v) = variant {
        line["variant"] = json!(v);
    }
    line.to_string()
}

#[test]
fn the_sender_gives_each_recipient_one_variant_by_the_weights_and_records_it() {
    let (_tmp, root) = variant_sample();
    let project = Project::open(&root).unwrap();

    // 4,000 recipients: the shares follow the weights 2 : 1 : 1.
    let lines: String = (0..4000)
        .map(|i| welcome_line(&project, &format!("person{i}@example.com"), None) + "\n")
        .collect();
    let messages = bulk::read_lines(&project, "many.jsonl", &lines);
    let mut shares: BTreeMap<String, usize> = BTreeMap::new();
    for m in &messages {
        assert!(m.rejected.is_none(), "{:?}", m.rejected);
        *shares.entry(m.variant.clone().unwrap()).or_default() += 1;
    }
    let share = |v: &str| shares[v] as f64 / 4000.0;
    assert!((0.46..0.54).contains(&share("a")), "{shares:?}");
    assert!((0.21..0.29).contains(&share("b")), "{shares:?}");
    assert!((0.21..0.29).contains(&share("short")), "{shares:?}");
    // The same recipient gets the same variant in another batch (whatever the case of the
    // address); a line may name one; a name the template does not have is refused.
    let again = bulk::read_lines(
        &project,
        "again.jsonl",
        &welcome_line(&project, "PERSON7@example.com", None),
    );
    assert_eq!(again[0].variant, messages[7].variant);
    let named = format!(
        "{}\n{}\n",
        welcome_line(&project, "x@example.com", Some("short")),
        welcome_line(&project, "y@example.com", Some("c"))
    );
    let named = bulk::read_lines(&project, "named.jsonl", &named);
    assert_eq!(named[0].variant.as_deref(), Some("short"));
    assert_eq!(
        named[1].rejected.as_deref(),
        Some("named.jsonl:2: template `welcome` has no variant `c` (its variants: a, b, short)")
    );
    // A template without variants: none is recorded, and naming one is refused.
    let plain = bulk::read_lines(
        &project,
        "plain.jsonl",
        &json!({"template": "verify-email", "to": "z@example.com", "variant": "b",
                "data": project.fixture("verify-email", "default").unwrap()})
        .to_string(),
    );
    assert_eq!(
        plain[0].rejected.as_deref(),
        Some("plain.jsonl:1: template `verify-email` has no variant `b` (it has none)")
    );

    // 40 of them sent to a real SMTP server: each arrives as its variant renders it, and the
    // outbox's stats count them per variant.
    let sink = SmtpSink::start();
    let batch = &messages[..40];
    let mut outbox = Outbox::open(&Outbox::path_in(&root)).unwrap();
    outbox.enqueue(batch, Now.now()).unwrap();
    let passwords = MemorySmtpPasswords::default();
    let store = MemoryStore::default();
    let secrets = SendSecrets {
        smtp: &passwords,
        targets: &store,
    };
    let server = letterpress_engine::config::SmtpServer::parse(&sink.url()).unwrap();
    let mut transport = SmtpTransport::new(server, &secrets).unwrap();
    let report = Sender::new(
        &project,
        &project,
        &mut outbox,
        &mut transport,
        &Now,
        SenderOptions::default(),
    )
    .unwrap()
    .send_due(&mut |_| {})
    .unwrap();
    assert_eq!(report.sent, 40, "{report:?}");
    let received = sink.wait_for(40);
    let data = project.fixture("welcome", "default").unwrap();
    for m in batch {
        let got = received
            .iter()
            .find(|r| r.rcpt_tos == [m.recipient.clone()])
            .unwrap();
        let message = mail_parser::MessageParser::default()
            .parse(&got.bytes)
            .unwrap();
        let render = project.render_data("welcome", m.variant.as_deref(), "en", &data);
        assert_eq!(
            message.subject(),
            Some(render.subject.as_str()),
            "{}",
            m.recipient
        );
        assert_eq!(
            message.body_html(0).unwrap().contains(B_BANNER),
            m.variant.as_deref() == Some("b"),
            "{}",
            m.recipient
        );
    }
    let stats = outbox.stats().unwrap();
    let mut per_variant: BTreeMap<String, u64> = BTreeMap::new();
    for row in &stats.rows {
        assert_eq!(row.template, "welcome");
        *per_variant.entry(row.variant.clone().unwrap()).or_default() += row.sent;
    }
    let mut expected: BTreeMap<String, u64> = BTreeMap::new();
    for m in batch {
        *expected.entry(m.variant.clone().unwrap()).or_default() += 1;
    }
    assert_eq!(per_variant, expected);
}

#[test]
fn a_bundle_lists_each_variant_with_its_weight_and_renders_it_as_the_preview() {
    let (tmp, root) = variant_sample();
    save_and_publish(&root, "production", 1);
    let out = tmp.path().join("bundle");
    let report = export(&root, "production/1", &out).unwrap();
    let of_welcome: Vec<_> = report
        .manifest
        .entries
        .iter()
        .filter(|e| e.template == "welcome" && e.locale == "de")
        .map(|e| (e.variant.as_deref(), e.weight, e.compiled.is_some()))
        .collect();
    assert_eq!(
        of_welcome,
        [
            (Some("a"), Some(2), true),
            (Some("b"), Some(1), true),
            (Some("short"), Some(1), true)
        ]
    );
    assert!(out.join("compiled/welcome/de/html.html").is_file());
    assert!(
        out.join("compiled/welcome/de/variant-b/html.html")
            .is_file()
    );
    // Templates without variants are listed as before.
    assert!(
        report
            .manifest
            .entries
            .iter()
            .filter(|e| e.template == "verify-email")
            .all(|e| e.variant.is_none() && e.weight.is_none())
    );

    let bundle = load(&out).unwrap();
    let project = Project::open(&root).unwrap();
    let data = project.fixture("welcome", "default").unwrap();
    for locale in LOCALES {
        for variant in [None, Some("a"), Some("b"), Some("short")] {
            let sent = bundle.render_variant("welcome", variant, locale, &data);
            let preview = project.render_data("welcome", variant, locale, &data);
            assert!(sent.is_ok(), "{:?}", sent.diagnostics);
            assert_eq!(sent.subject, preview.subject, "{locale} {variant:?}");
            assert_eq!(sent.html, preview.html, "{locale} {variant:?}");
            assert_eq!(sent.text, preview.text, "{locale} {variant:?}");
        }
    }
    // The sender picks variants from the bundle's own template.toml.
    let line = welcome_line(&project, "person7@example.com", None);
    let from_bundle = bulk::read_lines(&bundle, "b.jsonl", &line);
    let from_project = bulk::read_lines(&project, "p.jsonl", &line);
    assert_eq!(from_bundle[0].variant, from_project[0].variant);
    assert!(from_bundle[0].variant.is_some());
}

#[test]
fn sync_uploads_each_variant_as_its_own_remote_template_that_ses_renders_as_the_preview() {
    const TARGET: &str = "ses-staging";
    const PREFIX: &str = "nw-staging-";
    let peer = SesPeer::start();
    let (_tmp, root) = variant_sample();
    add_target(&root, TARGET, &peer.url(), PREFIX);
    save_and_publish(&root, "staging", 1);
    let store = MemoryStore::with(
        &format!("Northwind Cloud/{TARGET}"),
        Credentials::Aws(AwsCredentials {
            access_key_id: "AKIDLOCALTEST".into(),
            secret: Secret::new("local/test+secret".into()),
            session_token: None,
        }),
    );
    let sync = TargetSync::open(
        &root,
        TARGET,
        &store,
        ClientOptions::default(),
        system_clock(),
    )
    .unwrap();
    let plan = sync.plan().unwrap();
    for locale in LOCALES {
        for (variant, name) in [
            (None, format!("{PREFIX}welcome-{locale}")),
            (Some("b"), format!("{PREFIX}welcome-{locale}-b")),
            (Some("short"), format!("{PREFIX}welcome-{locale}-short")),
        ] {
            let item = plan
                .items
                .iter()
                .find(|i| i.remote_name == name)
                .unwrap_or_else(|| panic!("{name} is planned"));
            assert_eq!(item.variant.as_deref(), variant, "{name}");
            assert!(item.diagnostics.is_empty(), "{:?}", item.diagnostics);
        }
    }
    assert!(
        !plan.items.iter().any(|i| i.remote_name.ends_with("-a")),
        "the template itself keeps its name"
    );
    sync.apply(ApplyOptions::default(), &mut |_| {}).unwrap();
    let remote = peer.templates();
    let (subject, _, _) = &remote[&format!("{PREFIX}welcome-en-short")];
    assert_eq!(subject, SHORT_SUBJECT);

    // What SES renders from each variant's template is what the preview shows for it.
    let project = Project::open(&root).unwrap();
    let data = project.fixture("welcome", "default").unwrap();
    for locale in LOCALES {
        for variant in ["b", "short"] {
            let name = format!("{PREFIX}welcome-{locale}-{variant}");
            let mime = sync.ses().unwrap().test_render(&name, &data).unwrap();
            let message = mail_parser::MessageParser::default()
                .parse(mime.as_bytes())
                .unwrap();
            let preview = project.render_data("welcome", Some(variant), locale, &data);
            assert_eq!(message.subject(), Some(preview.subject.as_str()), "{name}");
            assert_eq!(
                unescape_markup(&lf_line_ends(&message.body_html(0).unwrap())),
                unescape_markup(&preview.html),
                "{name}"
            );
            assert_eq!(
                lf_line_ends(&message.body_text(0).unwrap()),
                preview.text,
                "{name}"
            );
        }
    }
}
