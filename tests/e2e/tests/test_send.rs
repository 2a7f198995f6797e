//! "Send test…" in the real app, delivering to a real local SMTP server (PyPI `aiosmtpd` on
//! a free 127.0.0.1 port, stopped by PID): the Arabic welcome email sent with Enter, the
//! result line (recipient, encoded size, token, the server's 250), the message received
//! (subject with the token, both parts, `dir="rtl"`); a recipient outside the allow-list
//! asks first; a server that is gone shows the error with the SMTP transcript; Esc closes.
//! Screenshots go to `$CARGO_TARGET_DIR/e2e-shots/send-test-*.png`.

use fantoccini::{Client, Locator};
use letterpress_e2e::{click, js, sample_copy, shot, start_app, wait_for_text, wait_until};
use letterpress_test_support::{SmtpSink, free_port, set_smtp};
use serde_json::{Value, json};
use std::time::Duration;

const ME: &str = "me@northwind.example.com";

/// Types `text` into the dialog's To field (replacing what is there), then `end` keys.
async fn type_to(client: &Client, text: &str, end: &str) {
    let input = client
        .find(Locator::Css("[data-test=send-to]"))
        .await
        .expect("the To field");
    input.clear().await.expect("clear To");
    input
        .send_keys(&format!("{text}{end}"))
        .await
        .expect("type To");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_designer_sends_a_test_email_to_a_local_smtp_server() {
    let sink = SmtpSink::start();
    let (tmp, project) = sample_copy();
    set_smtp(&project, &sink.url());
    let state_dir = tmp.path().join("state");
    let (client, processes) = start_app(&project, &state_dir, &[]).await;

    click(&client, "[data-test=template-welcome] > a").await;
    let pick_arabic = "const s = document.querySelector('[data-test=locale]');
         if (!s || ![...s.options].some(o => o.value === 'ar')) return false;
         s.value = 'ar'; s.dispatchEvent(new Event('change', { bubbles: true })); return true;";
    wait_until("the ar locale", || async {
        (js(&client, pick_arabic).await == json!(true)).then_some(Value::Null)
    })
    .await;
    wait_for_text(&client, "[data-test=preheader]", "Brightlane").await;

    // Open with the button, type the recipient, send with Enter.
    click(&client, "[data-test=send-test]").await;
    wait_for_text(&client, "[data-test=send-dialog]", "From Northwind Cloud").await;
    type_to(&client, ME, "\u{E007}").await;
    let line = wait_for_text(&client, "[data-test=send-result]", "Sent to").await;
    assert!(line.starts_with(&format!("Sent to {ME} · ")), "{line}");
    assert!(line.contains(" KB encoded · token "), "{line}");
    assert!(line.contains("· 250 OK"), "{line}");
    let token = {
        let at = line.find("token ").expect("token") + "token ".len();
        line[at..at + 4].to_owned()
    };
    let got = sink.wait_for(1);
    assert_eq!(got.len(), 1);
    let message = mail_parser::MessageParser::default()
        .parse(&got[0].bytes)
        .expect("a MIME message");
    let subject = message.subject().unwrap_or_default().to_owned();
    assert!(
        subject.starts_with(&format!("[test {token}] ")),
        "{subject}"
    );
    assert!(
        line.contains(&subject),
        "the dialog shows the subject: {line}"
    );
    let size = got[0].bytes.len() as f64 / 1000.0;
    assert!(line.contains(&format!("{size:.1} KB")), "{size}: {line}");
    assert!(
        message
            .body_html(0)
            .is_some_and(|h| h.contains(r#"dir="rtl""#))
    );
    assert!(message.body_text(0).is_some_and(|t| !t.trim().is_empty()));
    let sent = shot(&client, "send-test-sent").await;
    eprintln!("screenshot: {}", sent.display());

    // Outside the allow-list: asked first, sent after "Send anyway".
    type_to(&client, "someone@elsewhere.example", "").await;
    click(&client, "[data-test=send-go]").await;
    wait_for_text(
        &client,
        "[data-test=send-confirm]",
        "someone@elsewhere.example",
    )
    .await;
    assert_eq!(sink.received().len(), 1, "nothing sent before confirming");
    let confirm = shot(&client, "send-test-confirm").await;
    eprintln!("screenshot: {}", confirm.display());
    click(&client, "[data-test=send-anyway]").await;
    wait_for_text(
        &client,
        "[data-test=send-result]",
        "Sent to someone@elsewhere.example",
    )
    .await;
    assert_eq!(sink.wait_for(2).len(), 2);

    // Esc closes; the recipient is remembered for the next time.
    type_to(&client, ME, "\u{E00C}").await;
    wait_until("the dialog to close", || async {
        client
            .find(Locator::Css("[data-test=send-dialog]"))
            .await
            .is_err()
            .then_some(Value::Null)
    })
    .await;

    // The server goes away (letterpress.toml now names a closed port): the error and the
    // transcript.
    set_smtp(&project, &format!("smtp://127.0.0.1:{}", free_port()));
    tokio::time::sleep(Duration::from_secs(3)).await;
    click(&client, "[data-test=send-test]").await;
    let remembered = wait_until("the last recipient", || async {
        let v = js(
            &client,
            "const i = document.querySelector('[data-test=send-to]'); return i ? i.value : '';",
        )
        .await;
        v.as_str().filter(|v| !v.is_empty()).map(|v| json!(v))
    })
    .await;
    assert_eq!(remembered, json!("someone@elsewhere.example"));
    type_to(&client, ME, "\u{E007}").await;
    let failed = wait_for_text(&client, "[data-test=send-result]", "network").await;
    assert!(failed.contains("SMTP connection failed"), "{failed}");
    let transcript = wait_for_text(&client, "[data-test=send-transcript]", "-- connecting").await;
    assert!(transcript.contains("refused"), "{transcript}");
    let failure = shot(&client, "send-test-failed").await;
    eprintln!("screenshot: {}", failure.display());
    assert_eq!(sink.received().len(), 2);

    let _ = client.close().await;
    drop(processes);
}
