//! The Stats screen in the real app, over an outbox the real sender filled: messages sent to
//! a local SMTP server (PyPI `aiosmtpd`) through `letterpress_studio::send::bulk::Sender`,
//! one retried then delivered, one retried then given up. The screen's table gives the
//! counts per template × variant × locale, and each template's chart has a bar per day.
//! Screenshots go to `$CARGO_TARGET_DIR/e2e-shots/stats-*.png`.

use letterpress_e2e::{click, js, sample_copy, shot, start_app, wait_for_text};
use letterpress_studio::Project;
use letterpress_studio::send::SendSecrets;
use letterpress_studio::send::bulk::{
    Clock, Sender, SenderOptions, SmtpTransport, SystemClock, read_lines,
};
use letterpress_studio::send::outbox::Outbox;
use letterpress_studio::sync::{MemorySmtpPasswords, MemoryStore};
use letterpress_test_support::SmtpSink;
use serde_json::json;
use std::time::Duration;

/// Sends welcome (en ×3, de ×1: one of them 451 once) and a receipt whose recipient the
/// server always refuses for now, through the real sender.
fn fill_outbox(project: &std::path::Path, sink: &SmtpSink) {
    let opened = Project::open(project).expect("the copy opens");
    let welcome = opened.fixture("welcome", "default").unwrap();
    let receipt = opened.fixture("receipt", "default").unwrap();
    let lines = [
        json!({"template": "welcome", "to": "a@example.com", "data": welcome}),
        json!({"template": "welcome", "to": "b@example.com", "data": welcome}),
        json!({"template": "welcome", "to": "flaky@example.com", "data": welcome}),
        json!({"template": "welcome", "locale": "de", "to": "c@example.com", "data": welcome}),
        json!({"template": "receipt", "to": "tempfail@example.com", "data": receipt}),
    ]
    .map(|l| l.to_string())
    .join("\n");
    let mut outbox = Outbox::open(&Outbox::path_in(project)).unwrap();
    let now = SystemClock.now();
    outbox
        .enqueue(&read_lines(&opened, "batch.jsonl", &lines), now)
        .unwrap();
    let passwords = MemorySmtpPasswords::default();
    let store = MemoryStore::default();
    let secrets = SendSecrets {
        smtp: &passwords,
        targets: &store,
    };
    let server = letterpress_engine::config::SmtpServer::parse(&sink.url()).unwrap();
    let mut transport = SmtpTransport::new(server, &secrets).unwrap();
    let options = SenderOptions {
        max_attempts: 2,
        retry_base: Duration::from_secs(1),
        rate: None,
    };
    let report = Sender::new(
        &opened,
        &opened,
        &mut outbox,
        &mut transport,
        &SystemClock,
        options,
    )
    .unwrap()
    .run(&mut |_| {})
    .unwrap();
    assert_eq!((report.sent, report.failed), (4, 1), "{report:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_stats_screen_shows_what_the_sender_did() {
    let sink = SmtpSink::start();
    let (tmp, project) = sample_copy();
    let state_dir = tmp.path().join("state");
    // Before anything was sent: the screen says how to fill it.
    let (client, processes) = start_app(&project, &state_dir, &[]).await;
    click(&client, "[data-test=mode-stats]").await;
    wait_for_text(&client, "[data-test=stats-empty]", "Nothing sent yet").await;
    shot(&client, "stats-01-empty").await;

    fill_outbox(&project, &sink);
    click(&client, "[data-test=stats-refresh]").await;
    wait_for_text(&client, "[data-test=stats-table]", "receipt").await;
    let cells = js(
        &client,
        "return [...document.querySelectorAll('[data-test=stats-table] tbody tr')].map(r => [...r.children].map(c => c.textContent));",
    )
    .await;
    // template, variant, locale, sent, failed, retried, in doubt, waiting
    assert_eq!(
        cells,
        json!([
            ["receipt", "—", "en", "0", "1", "1", "0", "0"],
            ["welcome", "—", "de", "1", "0", "0", "0", "0"],
            ["welcome", "—", "en", "3", "0", "1", "0", "0"]
        ])
    );
    // A chart per template, a bar for today, labelled for screen readers.
    let charts = js(
        &client,
        "return [...document.querySelectorAll('[data-test^=stats-chart-] svg')].map(s => s.getAttribute('aria-label'));",
    )
    .await;
    assert_eq!(
        charts,
        json!([
            "receipt: 0 sent, 1 failed over 1 day(s)",
            "welcome: 4 sent, 0 failed over 1 day(s)"
        ])
    );
    let bar = js(
        &client,
        "const b = document.querySelector('[data-test=stats-chart-welcome] [data-test=stats-bar]');
         const r = b.querySelector('rect.sent').getBoundingClientRect();
         return [b.querySelector('title').textContent, r.height > 50];",
    )
    .await;
    assert!(
        bar[0]
            .as_str()
            .is_some_and(|t| t.ends_with(": 4 sent, 0 failed, 1 retried")),
        "{bar}"
    );
    assert_eq!(bar[1], json!(true), "the sent bar is drawn: {bar}");
    shot(&client, "stats-02-after-a-batch").await;
    let _ = client.close().await;
    drop(processes);
}
