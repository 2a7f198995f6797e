//! The durable sender (issue 18, item 2) against a real SMTP server (aiosmtpd on
//! 127.0.0.1), a real SQLite outbox and a driven clock: batches arrive once with the bytes
//! the outbox built, bad lines fail with their line number while the rest go out, `send_at`
//! is read on the recipient's clock, refusals are retried or failed as configured, and a
//! stopped run is taken up without sending anything twice.

use letterpress_studio::Project;
use letterpress_studio::send::SendSecrets;
use letterpress_studio::send::bulk::{
    self, Clock, KEY_HEADER, Progress, Sender, SenderOptions, SmtpTransport,
};
use letterpress_studio::send::outbox::{DayStats, MessageState, Outbox, StatsRow};
use letterpress_studio::sync::{MemorySmtpPasswords, MemoryStore};
use letterpress_test_support::{SmtpSink, free_port, repo_root};
use serde_json::json;
use std::cell::Cell;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

/// 2026-12-04 12:00:00 UTC.
const NOON: i64 = 1_796_385_600;

/// A clock the test moves: `sleep` advances it.
struct DrivenClock {
    now: Cell<i64>,
    slept: Cell<u64>,
}

impl DrivenClock {
    fn at(now: i64) -> DrivenClock {
        DrivenClock {
            now: Cell::new(now),
            slept: Cell::new(0),
        }
    }
}

impl Clock for DrivenClock {
    fn now(&self) -> i64 {
        self.now.get()
    }
    fn sleep(&self, d: Duration) {
        self.slept.set(self.slept.get() + d.as_secs());
        self.now
            .set(self.now.get() + i64::try_from(d.as_secs()).unwrap_or(0));
    }
}

fn sample() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("project");
    letterpress_studio::copy_project(&repo_root(), &root).unwrap();
    (tmp, root)
}

fn smtp(url: &str) -> SmtpTransport {
    let passwords = MemorySmtpPasswords::default();
    let store = MemoryStore::default();
    let secrets = SendSecrets {
        smtp: &passwords,
        targets: &store,
    };
    let server = letterpress_engine::config::SmtpServer::parse(url).unwrap();
    SmtpTransport::new(server, &secrets).unwrap()
}

/// Every template of the sample × every locale, with the template's first fixture.
fn sample_lines(project: &Project) -> String {
    let mut out = String::new();
    for t in project.templates().unwrap() {
        let data = match t.fixtures.first() {
            Some(f) => project.fixture(&t.id, f).unwrap(),
            None => json!({}),
        };
        for locale in &project.config().locales {
            out.push_str(
                &json!({
                    "template": t.id,
                    "locale": locale,
                    "data": data,
                    "to": format!("{}.{locale}@example.com", t.id),
                    "key": format!("{}-{locale}", t.id),
                })
                .to_string(),
            );
            out.push('\n');
        }
    }
    out
}

fn header(bytes: &[u8], name: &str) -> Option<String> {
    let message = mail_parser::MessageParser::default().parse(bytes)?;
    message.header_raw(name).map(|v| v.trim().to_owned())
}

fn keys_received(sink: &SmtpSink) -> BTreeMap<String, usize> {
    let mut keys = BTreeMap::new();
    for r in sink.received() {
        let key = header(&r.bytes, KEY_HEADER).expect("every message carries its key");
        *keys.entry(key).or_insert(0) += 1;
    }
    keys
}

/// The SES peer's test credentials for target `name` of the sample.
fn peer_credentials(name: &str) -> MemoryStore {
    use letterpress_studio::sync::{AwsCredentials, Credentials, Secret};
    MemoryStore::with(
        &format!("Northwind Cloud/{name}"),
        Credentials::Aws(AwsCredentials {
            access_key_id: "AKIDLOCALTEST".into(),
            secret: Secret::new("local/test+secret".into()),
            session_token: None,
        }),
    )
}

fn no_progress() -> impl FnMut(Progress) {
    |_| {}
}

#[test]
fn a_batch_of_every_template_and_locale_arrives_once_with_the_bytes_the_outbox_built() {
    let sink = SmtpSink::start();
    let (_tmp, root) = sample();
    let project = Project::open(&root).unwrap();
    let lines = sample_lines(&project);
    let expected = lines.lines().count();
    let messages = bulk::read_lines(&project, "batch.jsonl", &lines);
    assert!(messages.iter().all(|m| m.rejected.is_none()));
    let mut outbox = Outbox::open(&Outbox::path_in(&root)).unwrap();
    assert_eq!(outbox.enqueue(&messages, NOON).unwrap(), expected);
    // The same file again adds nothing: the keys are already there.
    assert_eq!(outbox.enqueue(&messages, NOON).unwrap(), 0);

    let clock = DrivenClock::at(NOON);
    let mut transport = smtp(&sink.url());
    let mut done = Vec::new();
    let report = {
        let mut sender = Sender::new(
            &project,
            &project,
            &mut outbox,
            &mut transport,
            &clock,
            SenderOptions::default(),
        )
        .unwrap();
        sender
            .send_due(&mut |p: Progress| done.push(p.done))
            .unwrap()
    };
    assert_eq!(report.sent, expected as u64, "{report:?}");
    assert_eq!((report.failed, report.retrying, report.in_doubt), (0, 0, 0));
    assert_eq!(done.last().copied(), Some(expected as u64));
    assert_eq!(report.next_due, None);

    let received = sink.wait_for(expected);
    assert_eq!(received.len(), expected);
    let keys = keys_received(&sink);
    assert_eq!(keys.len(), expected);
    assert!(keys.values().all(|n| *n == 1), "{keys:?}");
    for r in &received {
        let message = mail_parser::MessageParser::default()
            .parse(&r.bytes)
            .unwrap();
        let key = header(&r.bytes, KEY_HEADER).unwrap();
        let (template, locale) = key.rsplit_once('-').unwrap();
        assert_eq!(r.rcpt_tos, vec![format!("{template}.{locale}@example.com")]);
        assert_eq!(r.mail_from, "hello@northwind.example.com");
        // Both parts, in the recipient's locale and direction; the Message-ID from the key.
        let html = message.body_html(0).unwrap();
        assert!(!message.body_text(0).unwrap().trim().is_empty(), "{key}");
        assert!(html.contains(&format!(r#"lang="{locale}""#)), "{key}");
        assert_eq!(html.contains(r#"dir="rtl""#), locale == "ar", "{key}");
        let id = message.message_id().unwrap();
        assert!(id.starts_with("lp-"), "{id}");
        // What the sink received is what the engine renders for that data, as the preview.
        let data: serde_json::Value = serde_json::from_str(
            &bulk::read_lines(
                &project,
                "x",
                lines
                    .lines()
                    .find(|l| l.contains(&format!("\"{key}\"")))
                    .unwrap(),
            )[0]
            .data,
        )
        .unwrap();
        let render = project.render_data(template, None, locale, &data);
        assert_eq!(message.subject().unwrap(), render.subject, "{key}");
        let crlf = |s: &str| s.replace("\r\n", "\n").trim_end().to_owned();
        assert!(crlf(&html) == crlf(&render.html), "{key}: the HTML differs");
    }

    // Every message is `sent` in the outbox, its bytes dropped; a second run sends nothing.
    let counts = outbox.counts().unwrap();
    assert_eq!(counts.states, vec![("sent".to_owned(), expected as u64)]);
    let stored = outbox.get("welcome-de").unwrap().unwrap();
    assert_eq!(stored.state, MessageState::Sent);
    assert!(stored.message.is_none());
    let again = Sender::new(
        &project,
        &project,
        &mut outbox,
        &mut transport,
        &clock,
        SenderOptions::default(),
    )
    .unwrap()
    .send_due(&mut no_progress())
    .unwrap();
    assert_eq!(again.sent, 0);
    assert_eq!(sink.received().len(), expected);
}

#[test]
fn bad_lines_fail_with_their_line_number_and_the_rest_are_sent() {
    let sink = SmtpSink::start();
    let (_tmp, root) = sample();
    let project = Project::open(&root).unwrap();
    let good = json!({"template": "welcome", "to": "anna@example.com", "key": "good",
        "data": project.fixture("welcome", "default").unwrap()});
    let text = [
        good.to_string(),
        "{not json".to_owned(),
        json!({"template": "nope", "to": "a@example.com"}).to_string(),
        json!({"template": "welcome", "locale": "xx", "to": "a@example.com"}).to_string(),
        json!({"template": "welcome", "to": "not an address"}).to_string(),
        String::new(),
        json!({"template": "receipt", "to": "r@example.com", "key": "no-data"}).to_string(),
        json!({"template": "welcome", "to": "a@example.com", "colour": "red"}).to_string(),
        json!({"template": "welcome", "to": "a@example.com", "send_at": "2026-12-04T18:00"})
            .to_string(),
    ]
    .join("\n");
    let messages = bulk::read_lines(&project, "in.jsonl", &text);
    // The empty line is skipped; every other line is kept, rejected or not.
    assert_eq!(messages.len(), 8);
    let rejected: Vec<String> = messages.iter().filter_map(|m| m.rejected.clone()).collect();
    let expect = [
        "in.jsonl:2: not a message",
        "in.jsonl:3: no template `nope`",
        "in.jsonl:4: no locale `xx`",
        "in.jsonl:5: `to` `not an address` is not an email address",
        "in.jsonl:8: not a message: unknown field `colour`",
        "in.jsonl:9: `send_at` `2026-12-04T18:00` has no offset",
    ];
    assert_eq!(rejected.len(), expect.len(), "{rejected:#?}");
    for (got, want) in rejected.iter().zip(expect) {
        assert!(got.starts_with(want), "{got} / {want}");
    }

    let mut outbox = Outbox::open(&Outbox::path_in(&root)).unwrap();
    assert_eq!(outbox.enqueue(&messages, NOON).unwrap(), 8);
    let clock = DrivenClock::at(NOON);
    let mut transport = smtp(&sink.url());
    let report = Sender::new(
        &project,
        &project,
        &mut outbox,
        &mut transport,
        &clock,
        SenderOptions::default(),
    )
    .unwrap()
    .send_due(&mut no_progress())
    .unwrap();
    assert_eq!(report.sent, 1, "{report:?}");
    // The receipt without data fails at render, with the engine's place for it.
    assert_eq!(report.failed, 1);
    let error = outbox.last_error("no-data").unwrap().unwrap();
    assert!(
        error.starts_with("templates/receipt/template.toml:") && error.contains("is undefined"),
        "{error}"
    );
    assert_eq!(keys_received(&sink).keys().collect::<Vec<_>>(), ["good"]);
    let counts = outbox.counts().unwrap();
    assert!(
        counts.states.contains(&("failed".to_owned(), 7)),
        "{counts:?}"
    );
    assert!(counts.failures.iter().any(|f| f.at == "in.jsonl:7"));
}

#[test]
fn send_at_is_read_on_the_recipients_clock() {
    // 18:00 in Berlin in December is 17:00 UTC; in New York 23:00 UTC.
    let berlin = bulk::due_at("2026-12-04T18:00", Some("Europe/Berlin")).unwrap();
    let new_york = bulk::due_at("2026-12-04T18:00", Some("America/New_York")).unwrap();
    assert_eq!(berlin, NOON + 5 * 3600);
    assert_eq!(new_york, NOON + 11 * 3600);
    // With an offset, the zone is not needed.
    assert_eq!(
        bulk::due_at("2026-12-04T18:00:00+01:00", None).unwrap(),
        berlin
    );
    // 02:30 does not exist in Berlin on 2026-03-29 (clocks jump 02:00 → 03:00): the first
    // time after the gap, 03:30 CEST = 01:30 UTC.
    assert_eq!(
        bulk::due_at("2026-03-29T02:30", Some("Europe/Berlin")).unwrap(),
        bulk::due_at("2026-03-29T01:30:00Z", None).unwrap()
    );
    assert!(
        bulk::due_at("2026-12-04T18:00", Some("Mars/Olympus"))
            .unwrap_err()
            .contains("not an IANA time zone")
    );

    // Everyone's digest at 18:00 local: `run` sends each when it is due, sleeping between.
    let sink = SmtpSink::start();
    let (_tmp, root) = sample();
    let project = Project::open(&root).unwrap();
    let data = project.fixture("daily-digest", "default").unwrap();
    let mut text = String::new();
    for (who, zone) in [
        ("tokyo", "Asia/Tokyo"),
        ("ny", "America/New_York"),
        ("berlin", "Europe/Berlin"),
    ] {
        text.push_str(
            &json!({"template": "daily-digest", "to": format!("{who}@example.com"), "key": who,
                "data": data, "send_at": "2026-12-04T18:00", "time_zone": zone})
            .to_string(),
        );
        text.push('\n');
    }
    let messages = bulk::read_lines(&project, "digest.jsonl", &text);
    assert!(messages.iter().all(|m| m.rejected.is_none()));
    let mut outbox = Outbox::open(&Outbox::path_in(&root)).unwrap();
    outbox.enqueue(&messages, NOON).unwrap();
    let clock = DrivenClock::at(NOON);
    let mut transport = smtp(&sink.url());
    let mut order = Vec::new();
    let report = {
        let mut sender = Sender::new(
            &project,
            &project,
            &mut outbox,
            &mut transport,
            &clock,
            SenderOptions::default(),
        )
        .unwrap();
        // Nothing is due at noon UTC except Tokyo's (18:00 JST = 09:00 UTC).
        let first = sender.send_due(&mut no_progress()).unwrap();
        assert_eq!(first.sent, 1);
        assert_eq!(first.next_due, Some(berlin));
        order.push(keys_received(&sink).len());
        sender.run(&mut no_progress()).unwrap()
    };
    assert_eq!(report.sent, 2);
    assert_eq!(report.next_due, None);
    // The clock ran to New York's 18:00 and no further.
    assert_eq!(clock.now(), new_york);
    let received = sink.wait_for(3);
    let keys: Vec<String> = received
        .iter()
        .map(|r| header(&r.bytes, KEY_HEADER).unwrap())
        .collect();
    assert_eq!(keys, ["tokyo", "berlin", "ny"]);
    assert_eq!(order, [1]);
}

#[test]
fn refusals_for_now_are_retried_with_backoff_and_refusals_for_good_fail() {
    let sink = SmtpSink::start();
    let (_tmp, root) = sample();
    let project = Project::open(&root).unwrap();
    let data = project.fixture("welcome", "default").unwrap();
    let line = |to: &str| json!({"template": "welcome", "to": to, "key": to, "data": data});
    let text = [
        line("flaky@example.com"),
        line("refuse@example.com"),
        line("tempfail@example.com"),
        line("fine@example.com"),
    ]
    .map(|l| l.to_string())
    .join("\n");
    let mut outbox = Outbox::open(&Outbox::path_in(&root)).unwrap();
    outbox
        .enqueue(&bulk::read_lines(&project, "in.jsonl", &text), NOON)
        .unwrap();
    let clock = DrivenClock::at(NOON);
    let mut transport = smtp(&sink.url());
    let options = SenderOptions {
        max_attempts: 3,
        retry_base: Duration::from_secs(60),
        rate: None,
    };
    let report = Sender::new(
        &project,
        &project,
        &mut outbox,
        &mut transport,
        &clock,
        options,
    )
    .unwrap()
    .run(&mut no_progress())
    .unwrap();
    // flaky: 451 once, then accepted; refuse: 550, failed at once; tempfail: 451 three
    // times, then given up.
    assert_eq!(report.sent, 2, "{report:?}");
    assert_eq!(report.failed, 2, "{report:?}");
    let keys = keys_received(&sink);
    assert_eq!(
        keys.keys().map(String::as_str).collect::<Vec<_>>(),
        ["fine@example.com", "flaky@example.com"]
    );
    assert!(keys.values().all(|n| *n == 1));
    let refused = outbox.get("refuse@example.com").unwrap().unwrap();
    assert_eq!((refused.state, refused.attempts), (MessageState::Failed, 1));
    assert!(
        outbox
            .last_error("refuse@example.com")
            .unwrap()
            .unwrap()
            .contains("550")
    );
    let gave_up = outbox.get("tempfail@example.com").unwrap().unwrap();
    assert_eq!((gave_up.state, gave_up.attempts), (MessageState::Failed, 3));
    let why = outbox.last_error("tempfail@example.com").unwrap().unwrap();
    assert!(
        why.starts_with("gave up after 3 attempts") && why.contains("451"),
        "{why}"
    );
    // Backoff: 60 s after the first refusal, 120 s after the second.
    assert_eq!(clock.slept.get(), 60 + 120);

    // The stats: 2 sent, 2 failed, 3 retries (flaky once, tempfail twice before giving up).
    let stats = outbox.stats().unwrap();
    assert_eq!(
        stats.rows,
        [StatsRow {
            template: "welcome".into(),
            variant: None,
            locale: "en".into(),
            sent: 2,
            failed: 2,
            retried: 3,
            in_doubt: 0,
            waiting: 0,
        }]
    );
    let noon = jiff::Timestamp::from_second(NOON).unwrap();
    assert_eq!(
        stats.days,
        [DayStats {
            day: noon.strftime("%Y-%m-%d").to_string(),
            template: "welcome".into(),
            variant: None,
            locale: "en".into(),
            sent: 2,
            failed: 2,
            retried: 3,
        }]
    );
}

#[test]
fn a_server_that_is_down_keeps_the_messages_and_counts_the_attempts() {
    let (_tmp, root) = sample();
    let project = Project::open(&root).unwrap();
    let data = project.fixture("welcome", "default").unwrap();
    let text = (0..3)
        .map(|i| json!({"template": "welcome", "to": format!("u{i}@example.com"), "data": data}))
        .map(|l| l.to_string())
        .collect::<Vec<_>>()
        .join("\n");
    let mut outbox = Outbox::open(&Outbox::path_in(&root)).unwrap();
    outbox
        .enqueue(&bulk::read_lines(&project, "in.jsonl", &text), NOON)
        .unwrap();
    let clock = DrivenClock::at(NOON);
    let mut transport = smtp(&format!("smtp://127.0.0.1:{}", free_port()));
    let report = Sender::new(
        &project,
        &project,
        &mut outbox,
        &mut transport,
        &clock,
        SenderOptions::default(),
    )
    .unwrap()
    .send_due(&mut no_progress())
    .unwrap();
    // The first message finds the server down; the pass stops there (no 20 s timeout per
    // message) and everything waits for the retry.
    assert_eq!((report.sent, report.retrying, report.failed), (0, 1, 0));
    assert_eq!(report.next_due, Some(NOON));
    // Nothing goes out before the failed one's retry, 30 s later.
    assert_eq!(report.paused_until, Some(NOON + 30));
    let counts = outbox.counts().unwrap();
    assert!(
        counts.states.contains(&("rendered".to_owned(), 2)),
        "{counts:?}"
    );
    assert!(counts.states.contains(&("retry".to_owned(), 1)));
    assert!(
        counts.failures[0].error.contains("connection"),
        "{counts:?}"
    );

    // The server comes back (here: another port): a later run sends all three, once.
    let sink = SmtpSink::start();
    let mut transport = smtp(&sink.url());
    clock.sleep(Duration::from_secs(30));
    let report = Sender::new(
        &project,
        &project,
        &mut outbox,
        &mut transport,
        &clock,
        SenderOptions::default(),
    )
    .unwrap()
    .run(&mut no_progress())
    .unwrap();
    assert_eq!(report.sent, 3, "{report:?}");
    assert_eq!(keys_received(&sink).len(), 3);
}

#[test]
fn a_stopped_run_is_taken_up_interrupted_sends_again_in_doubt_ones_not() {
    let sink = SmtpSink::start();
    let (_tmp, root) = sample();
    let project = Project::open(&root).unwrap();
    let data = project.fixture("welcome", "default").unwrap();
    let text = ["a", "b", "c"]
        .map(|k| {
            json!({"template": "welcome", "to": format!("{k}@example.com"), "key": k, "data": data})
                .to_string()
        })
        .join("\n");
    let path = Outbox::path_in(&root);
    let mut outbox = Outbox::open(&path).unwrap();
    outbox
        .enqueue(&bulk::read_lines(&project, "in.jsonl", &text), NOON)
        .unwrap();
    // A run rendered everything and was killed: `a` before the end of its data (the server
    // dropped the transaction), `b` after it (the server may have it).
    let clock = DrivenClock::at(NOON);
    let mut transport = smtp(&format!("smtp://127.0.0.1:{}", free_port()));
    let _ = Sender::new(
        &project,
        &project,
        &mut outbox,
        &mut transport,
        &clock,
        SenderOptions::default(),
    )
    .unwrap()
    .send_due(&mut no_progress())
    .unwrap();
    drop(outbox);
    {
        let db = rusqlite::Connection::open(&path).unwrap();
        db.execute(
            "UPDATE messages SET state = 'sending', next_attempt_at = 0 WHERE key = 'a'",
            [],
        )
        .unwrap();
        db.execute(
            "UPDATE messages SET state = 'committing' WHERE key = 'b'",
            [],
        )
        .unwrap();
    }
    let mut outbox = Outbox::open(&path).unwrap();
    let mut transport = smtp(&sink.url());
    let report = {
        let mut sender = Sender::new(
            &project,
            &project,
            &mut outbox,
            &mut transport,
            &clock,
            SenderOptions::default(),
        )
        .unwrap();
        let recovered = sender.recover(false).unwrap();
        assert_eq!((recovered.requeued, recovered.in_doubt), (1, 1));
        sender.send_due(&mut no_progress()).unwrap()
    };
    assert_eq!(report.sent, 2, "{report:?}");
    assert_eq!(
        keys_received(&sink)
            .keys()
            .map(String::as_str)
            .collect::<Vec<_>>(),
        ["a", "c"]
    );
    let counts = outbox.counts().unwrap();
    assert_eq!(counts.in_doubt, 1);
    assert_eq!(counts.states, vec![("sent".to_owned(), 3)]);

    // On request, the in-doubt one is sent again.
    let report = {
        let mut sender = Sender::new(
            &project,
            &project,
            &mut outbox,
            &mut transport,
            &clock,
            SenderOptions::default(),
        )
        .unwrap();
        sender.recover(true).unwrap();
        sender.send_due(&mut no_progress()).unwrap()
    };
    assert_eq!(report.sent, 1);
    assert_eq!(keys_received(&sink).get("b"), Some(&1));
    assert_eq!(outbox.counts().unwrap().in_doubt, 0);
}

#[test]
fn a_newer_outbox_is_refused_not_rewritten() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("outbox.sqlite");
    drop(Outbox::open(&path).unwrap());
    {
        let db = rusqlite::Connection::open(&path).unwrap();
        db.pragma_update(None, "user_version", 99).unwrap();
    }
    let Err(e) = Outbox::open(&path) else {
        panic!("a newer outbox opened");
    };
    assert!(e.to_string().contains("newer Letterpress"), "{e}");
}

#[test]
fn a_batch_through_the_ses_peer_arrives_once_per_key() {
    let peer = letterpress_test_support::SesPeer::start();
    let (_tmp, root) = sample();
    letterpress_test_support::add_target(&root, "ses-local", &peer.url(), "t-");
    let project = Project::open(&root).unwrap();
    let data = project.fixture("verify-email", "default").unwrap();
    let text = (0..4)
        .map(|i| {
            let locale = ["en", "ar"][i % 2];
            json!({"template": "verify-email", "locale": locale, "data": data,
                "to": format!("s{i}@example.com"), "key": format!("ses-{i}")})
            .to_string()
        })
        .collect::<Vec<_>>()
        .join("\n");
    let mut outbox = Outbox::open(&Outbox::path_in(&root)).unwrap();
    outbox
        .enqueue(&bulk::read_lines(&project, "in.jsonl", &text), NOON)
        .unwrap();
    let passwords = MemorySmtpPasswords::default();
    let store = peer_credentials("ses-local");
    let secrets = SendSecrets {
        smtp: &passwords,
        targets: &store,
    };
    let mut transport = bulk::TargetTransport::open(&project, "ses-local", &secrets, NOON).unwrap();
    let clock = DrivenClock::at(NOON);
    let report = Sender::new(
        &project,
        &project,
        &mut outbox,
        &mut transport,
        &clock,
        SenderOptions::default(),
    )
    .unwrap()
    .run(&mut no_progress())
    .unwrap();
    assert_eq!(report.sent, 4, "{report:?}");
    let (status, body) = letterpress_test_support::http(peer.port, "GET", "/store", None).unwrap();
    assert_eq!(status, 200, "{body}");
    let store: serde_json::Value = serde_json::from_str(&body).unwrap();
    let emails = store["emails"].as_array().expect("emails");
    assert_eq!(emails.len(), 4, "{body}");
    let mut to: Vec<&str> = emails
        .iter()
        .filter_map(|e| e["destination"]["to"][0].as_str())
        .collect();
    to.sort();
    assert_eq!(
        to,
        [
            "s0@example.com",
            "s1@example.com",
            "s2@example.com",
            "s3@example.com"
        ]
    );
    assert!(emails.iter().any(|e| {
        e["body"]["html"]
            .as_str()
            .is_some_and(|h| h.contains(r#"dir="rtl""#))
    }));
    let sent = outbox.get("ses-1").unwrap().unwrap();
    assert_eq!(sent.state, MessageState::Sent);
}

#[test]
fn throttling_and_lost_answers_from_the_provider_never_send_twice() {
    use letterpress_test_support::{FaultProxy, Faults};
    let peer = letterpress_test_support::SesPeer::start();
    let proxy = FaultProxy::start(
        peer.port,
        7,
        Faults {
            throttle: 0.35,
            server_error: 0.15,
            ..Faults::default()
        },
    );
    let (_tmp, root) = sample();
    letterpress_test_support::add_target(&root, "ses-faulty", &proxy.url(), "t-");
    let project = Project::open(&root).unwrap();
    let data = project.fixture("verify-email", "default").unwrap();
    let n = 24;
    let text = (0..n)
        .map(|i| {
            json!({"template": "verify-email", "data": data,
                "to": format!("f{i}@example.com"), "key": format!("f-{i}")})
            .to_string()
        })
        .collect::<Vec<_>>()
        .join("\n");
    let mut outbox = Outbox::open(&Outbox::path_in(&root)).unwrap();
    outbox
        .enqueue(&bulk::read_lines(&project, "in.jsonl", &text), NOON)
        .unwrap();
    let passwords = MemorySmtpPasswords::default();
    let store = peer_credentials("ses-faulty");
    let secrets = SendSecrets {
        smtp: &passwords,
        targets: &store,
    };
    let mut transport =
        bulk::TargetTransport::open(&project, "ses-faulty", &secrets, NOON).unwrap();
    let clock = DrivenClock::at(NOON);
    let options = SenderOptions {
        max_attempts: 50,
        retry_base: Duration::from_secs(1),
        rate: None,
    };
    let report = Sender::new(
        &project,
        &project,
        &mut outbox,
        &mut transport,
        &clock,
        options,
    )
    .unwrap()
    .run(&mut no_progress())
    .unwrap();
    let stats = proxy.stats();
    assert!(stats.throttles > 0 && stats.server_errors > 0, "{stats:?}");
    assert_eq!(report.failed, 0, "{report:?}");
    assert_eq!(report.sent + report.in_doubt, n as u64, "{report:?}");
    // Every 500 is in doubt (SES may have sent it), never retried.
    assert_eq!(
        report.in_doubt as usize, stats.server_errors,
        "{report:?} {stats:?}"
    );

    let (_, body) = letterpress_test_support::http(peer.port, "GET", "/store", None).unwrap();
    let emails: serde_json::Value = serde_json::from_str(&body).unwrap();
    let mut delivered: BTreeMap<String, usize> = BTreeMap::new();
    for e in emails["emails"].as_array().unwrap() {
        let to = e["destination"]["to"][0].as_str().unwrap().to_owned();
        *delivered.entry(to).or_insert(0) += 1;
    }
    assert!(
        delivered.values().all(|c| *c == 1),
        "sent twice: {delivered:?}"
    );
    // What was confirmed sent was delivered; only in-doubt ones may be missing (a 500
    // before forwarding), and exactly those the proxy answered before forwarding.
    assert_eq!(
        delivered.len(),
        n - (stats.server_errors - stats.after_forwarding),
        "{stats:?}"
    );
    // 429s waited for their Retry-After (1 s each at least).
    assert!(clock.slept.get() >= 1, "{}", clock.slept.get());
}
