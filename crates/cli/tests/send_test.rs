//! `letterpress send-test` against a real local SMTP server (aiosmtpd): the printed token,
//! size and reply, the message received, the allow-list, JSON output and a refused
//! connection's transcript.

use letterpress_test_support::{SmtpSink, free_port, set_smtp};
use std::path::Path;
use std::process::Command;

mod common;
use common::{run, sample_copy};

const ME: &str = "me@northwind.example.com";

fn letterpress(root: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_letterpress"));
    cmd.arg("--project").arg(root);
    cmd
}

/// The token in `· token 7f3a ·`.
fn token_of(stdout: &str) -> String {
    let at = stdout.find("token ").expect("a token") + "token ".len();
    stdout[at..at + 4].to_owned()
}

#[test]
fn send_test_delivers_the_email_and_prints_token_size_and_reply() {
    let sink = SmtpSink::start();
    let (_tmp, root) = sample_copy();
    set_smtp(&root, &sink.url());
    let (code, stdout, stderr) = run(letterpress(&root).args([
        "send-test",
        "welcome",
        "--locale",
        "ar",
        "--data",
        "long-name",
        "--to",
        ME,
    ]));
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.starts_with(&format!("Sent to {ME} · ")), "{stdout}");
    assert!(stdout.contains(" KB encoded ("), "{stdout}");
    assert!(stdout.contains("250 OK"), "{stdout}");
    let token = token_of(&stdout);
    assert!(
        token.chars().all(|c| c.is_ascii_hexdigit()),
        "{token}: {stdout}"
    );
    let got = sink.wait_for(1);
    assert_eq!(got.len(), 1);
    let message = mail_parser::MessageParser::default()
        .parse(&got[0].bytes)
        .unwrap();
    let subject = message.subject().unwrap_or_default();
    assert!(
        subject.starts_with(&format!("[test {token}] ")),
        "{subject}"
    );
    assert!(stdout.contains(&format!("subject: {subject}")), "{stdout}");
    let size = format!("({} bytes)", got[0].bytes.len());
    assert!(stdout.contains(&size), "{size}: {stdout}");
    assert!(
        message
            .body_html(0)
            .is_some_and(|h| h.contains(r#"dir="rtl""#))
    );
    assert!(message.body_text(0).is_some_and(|t| !t.is_empty()));
}

#[test]
fn send_test_refuses_a_recipient_outside_the_allow_list_without_yes() {
    let sink = SmtpSink::start();
    let (_tmp, root) = sample_copy();
    set_smtp(&root, &sink.url());
    let args = [
        "send-test",
        "receipt",
        "--to",
        "someone@elsewhere.example",
        "--format",
        "json",
    ];
    let (code, stdout, stderr) = run(letterpress(&root).args(args));
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(stderr.starts_with("error[not-allowed]: "), "{stderr}");
    assert!(stderr.contains("--yes"), "{stderr}");
    assert!(sink.received().is_empty());
    let (code, stdout, stderr) = run(letterpress(&root).args(args).arg("--yes"));
    assert_eq!(code, 0, "{stdout}{stderr}");
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(report["to"], "someone@elsewhere.example");
    let bytes = report["encoded_bytes"].as_u64().unwrap();
    let got = sink.wait_for(1);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].bytes.len() as u64, bytes);
}

#[test]
fn send_test_to_a_closed_port_fails_with_the_transcript() {
    let (_tmp, root) = sample_copy();
    set_smtp(&root, &format!("smtp://127.0.0.1:{}", free_port()));
    let (code, stdout, stderr) = run(letterpress(&root).args(["send-test", "welcome", "--to", ME]));
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(
        stderr.starts_with("error[network]: SMTP connection failed"),
        "{stderr}"
    );
    assert!(
        stderr.contains("SMTP transcript:\n-- connecting to 127.0.0.1"),
        "{stderr}"
    );
    let (code, _, stderr) =
        run(letterpress(&root).args(["send-test", "no-such-template", "--to", ME]));
    assert_eq!(code, 2);
    assert!(stderr.starts_with("error"), "{stderr}");
}
