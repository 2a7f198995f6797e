//! Test sends against real servers: aiosmtpd on 127.0.0.1 (every sample template × locale)
//! and the aws-ses-v2-local peer (SendEmail with the raw message).

use letterpress_protocol::send::{SendTransport, split_transcript};
use letterpress_protocol::{IpcCode, IpcError};
use letterpress_studio::Project;
use letterpress_studio::send::{SendError, SendSecrets, Stamp, TOKEN_HEADER, TestSendRequest};
use letterpress_studio::sync::{
    AwsCredentials, Credentials, MemorySmtpPasswords, MemoryStore, Secret,
};
use letterpress_test_support::{SesPeer, SmtpSink, add_target, free_port, repo_root, set_smtp};
use mail_parser::MimeHeaders;
use std::path::PathBuf;
use std::time::Instant;

/// A fixed time (2026-03-01 12:00:00 UTC) for every Date header.
const NOW: i64 = 1_772_366_400;
const ME: &str = "me@northwind.example.com";

fn sample() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("project");
    letterpress_studio::copy_project(&repo_root(), &root).unwrap();
    (tmp, root)
}

fn smtp_to(to: &str) -> TestSendRequest {
    TestSendRequest {
        to: to.into(),
        transport: SendTransport::Smtp,
        confirmed: false,
    }
}

fn no_secrets() -> (MemorySmtpPasswords, MemoryStore) {
    (MemorySmtpPasswords::default(), MemoryStore::default())
}

#[test]
fn every_sample_template_and_locale_arrives_as_built_with_both_parts() {
    let sink = SmtpSink::start();
    let (_tmp, root) = sample();
    set_smtp(&root, &sink.url());
    let project = Project::open(&root).unwrap();
    let (smtp, targets) = no_secrets();
    let secrets = SendSecrets {
        smtp: &smtp,
        targets: &targets,
    };
    let mut sent = Vec::new();
    let mut sizes = Vec::new();
    let started = Instant::now();
    for template in project.templates().unwrap() {
        for locale in &project.config().locales {
            let prepared = project
                .prepare_test_send(&template.id, None, Some(locale), None)
                .unwrap();
            let stamp = Stamp::new(sent.len() as u64, NOW);
            let report = prepared.send(&smtp_to(ME), &stamp, &secrets).unwrap();
            assert!(report.reply.starts_with("250"), "{}", report.reply);
            assert_eq!(report.token, stamp.token);
            let built = prepared.message(ME, &stamp).unwrap();
            assert_eq!(report.encoded_bytes, built.bytes.len() as u64);
            sizes.push(format!(
                "{}@{locale} {} B",
                template.id, report.encoded_bytes
            ));
            sent.push((template.id.clone(), locale.clone(), stamp, built, report));
        }
    }
    let elapsed = started.elapsed();
    // 6 templates × 5 locales.
    assert_eq!(sent.len(), 30);
    eprintln!(
        "{} test sends to aiosmtpd in {:?} ({:?} each); sizes: {}",
        sent.len(),
        elapsed,
        elapsed / sent.len() as u32,
        sizes.join(", ")
    );
    let received = sink.wait_for(sent.len());
    assert_eq!(received.len(), sent.len());
    for ((template, locale, stamp, built, report), got) in sent.iter().zip(&received) {
        let what = format!("{template}@{locale}");
        // aiosmtpd's handler stores what came after DATA: exactly the message we built
        // (the server adds no header; Received/Return-Path would be added by a relay).
        if got.bytes != built.bytes {
            let at = got
                .bytes
                .iter()
                .zip(&built.bytes)
                .position(|(a, b)| a != b)
                .unwrap_or(got.bytes.len().min(built.bytes.len()));
            let around = |b: &[u8]| {
                String::from_utf8_lossy(&b[at.saturating_sub(60)..(at + 60).min(b.len())])
                    .into_owned()
            };
            panic!(
                "{what}: the bytes received differ from the message built at byte {at} \
                 (received {} bytes, built {}):\n{:?}\n---\n{:?}",
                got.bytes.len(),
                built.bytes.len(),
                around(&got.bytes),
                around(&built.bytes)
            );
        }
        assert_eq!(got.mail_from, "hello@northwind.example.com", "{what}");
        assert_eq!(got.rcpt_tos, vec![ME.to_owned()], "{what}");
        let message = mail_parser::MessageParser::default()
            .parse(&got.bytes)
            .expect("a MIME message");
        let subject = message.subject().unwrap_or_default();
        assert!(
            subject.starts_with(&format!("[test {}] ", stamp.token)),
            "{what}: {subject}"
        );
        assert_eq!(subject, report.subject, "{what}");
        assert_eq!(
            message.header_raw(TOKEN_HEADER).map(str::trim),
            Some(stamp.token.as_str()),
            "{what}"
        );
        let parts: Vec<String> = message
            .parts
            .iter()
            .filter_map(|p| p.content_type())
            .map(|c| format!("{}/{}", c.ctype(), c.subtype().unwrap_or_default()))
            .collect();
        assert!(
            parts.contains(&"text/plain".to_owned()) && parts.contains(&"text/html".to_owned()),
            "{what}: parts {parts:?}"
        );
        let rendered = project.render(template, Some(locale), None).unwrap();
        let html = message.body_html(0).expect("an HTML part");
        assert_eq!(html.replace("\r\n", "\n"), rendered.html, "{what}: html");
        let text = message.body_text(0).expect("a text part");
        assert_eq!(text.replace("\r\n", "\n"), rendered.text, "{what}: text");
        assert!(
            !rendered.preheader.is_empty()
                && html.contains(
                    letterpress_engine::escape_markup(rendered.preheader.trim()).as_str()
                ),
            "{what}: the preheader is in the HTML"
        );
        if locale == "ar" {
            assert!(html.contains(r#"dir="rtl""#), "{what}: dir=\"rtl\"");
        }
    }
}

#[test]
fn a_recipient_outside_the_allow_list_is_refused_unless_confirmed() {
    let sink = SmtpSink::start();
    let (_tmp, root) = sample();
    set_smtp(&root, &sink.url());
    let project = Project::open(&root).unwrap();
    let prepared = project
        .prepare_test_send("welcome", None, Some("de"), Some("default"))
        .unwrap();
    let (smtp, targets) = no_secrets();
    let secrets = SendSecrets {
        smtp: &smtp,
        targets: &targets,
    };
    let stamp = Stamp::new(1, NOW);
    let err = prepared
        .send(&smtp_to("someone@elsewhere.example"), &stamp, &secrets)
        .unwrap_err();
    assert_eq!(err.code(), IpcCode::NotAllowed, "{err}");
    assert!(
        err.to_string().contains("someone@elsewhere.example"),
        "{err}"
    );
    assert!(sink.received().is_empty(), "nothing was sent");
    let err = prepared
        .send(&smtp_to("not an address"), &stamp, &secrets)
        .unwrap_err();
    assert_eq!(err.code(), IpcCode::InvalidAddress, "{err}");
    let confirmed = TestSendRequest {
        confirmed: true,
        ..smtp_to("someone@elsewhere.example")
    };
    prepared.send(&confirmed, &stamp, &secrets).unwrap();
    let got = sink.wait_for(1);
    assert_eq!(got.len(), 1);
    assert_eq!(
        got[0].rcpt_tos,
        vec!["someone@elsewhere.example".to_owned()]
    );
}

#[test]
fn a_refused_connection_is_a_network_error_with_its_transcript() {
    let (_tmp, root) = sample();
    // Nothing listens on a port just freed.
    set_smtp(&root, &format!("smtp://127.0.0.1:{}", free_port()));
    let project = Project::open(&root).unwrap();
    let prepared = project
        .prepare_test_send("welcome", None, None, None)
        .unwrap();
    let (smtp, targets) = no_secrets();
    let secrets = SendSecrets {
        smtp: &smtp,
        targets: &targets,
    };
    let err = prepared
        .send(&smtp_to(ME), &Stamp::new(2, NOW), &secrets)
        .unwrap_err();
    assert!(matches!(err, SendError::Smtp { .. }), "{err:?}");
    assert_eq!(err.code(), IpcCode::Network, "{err}");
    let ipc = IpcError::from(err);
    let (sentence, transcript) = split_transcript(&ipc.message);
    assert!(sentence.starts_with("SMTP connection failed"), "{sentence}");
    assert!(sentence.to_lowercase().contains("refused"), "{sentence}");
    assert!(
        transcript.is_some_and(|t| t.contains("-- connecting to 127.0.0.1")),
        "{transcript:?}"
    );
}

#[test]
fn a_recipient_the_server_refuses_comes_back_with_the_reply_and_the_transcript() {
    let sink = SmtpSink::start();
    let (_tmp, root) = sample();
    set_smtp(&root, &sink.url());
    let project = Project::open(&root).unwrap();
    let prepared = project
        .prepare_test_send("receipt", None, Some("pl"), None)
        .unwrap();
    let (smtp, targets) = no_secrets();
    let secrets = SendSecrets {
        smtp: &smtp,
        targets: &targets,
    };
    let err = prepared
        .send(
            &smtp_to("refuse-me@northwind.example.com"),
            &Stamp::new(3, NOW),
            &secrets,
        )
        .unwrap_err();
    assert_eq!(err.code(), IpcCode::SmtpRefused, "{err}");
    let text = err.to_string();
    let (sentence, transcript) = split_transcript(&text);
    assert!(
        sentence.contains("RCPT TO") && sentence.contains("550"),
        "{sentence}"
    );
    let transcript = transcript.expect("a transcript");
    for expected in [
        "C: EHLO",
        "C: MAIL FROM:<hello@northwind.example.com>",
        "S: 250",
        "C: RCPT TO:<refuse-me@northwind.example.com>",
        "Recipient address rejected",
    ] {
        assert!(transcript.contains(expected), "{expected}: {transcript}");
    }
    assert!(sink.received().is_empty());
}

#[test]
fn an_smtp_login_without_a_password_says_where_to_put_it() {
    let (_tmp, root) = sample();
    set_smtp(&root, "smtp://anna@127.0.0.1:2525");
    let project = Project::open(&root).unwrap();
    let prepared = project
        .prepare_test_send("welcome", None, None, None)
        .unwrap();
    let (smtp, targets) = no_secrets();
    let secrets = SendSecrets {
        smtp: &smtp,
        targets: &targets,
    };
    let err = prepared
        .send(&smtp_to(ME), &Stamp::new(4, NOW), &secrets)
        .unwrap_err();
    assert_eq!(err.code(), IpcCode::NoCredentials, "{err}");
    assert!(
        err.to_string().contains("smtp:anna@127.0.0.1:2525"),
        "{err}"
    );
}

#[test]
fn the_ses_peer_receives_the_raw_message() {
    let peer = SesPeer::start();
    let (_tmp, root) = sample();
    add_target(&root, "ses-local", &peer.url(), "t-");
    let project = Project::open(&root).unwrap();
    let prepared = project
        .prepare_test_send("verify-email", None, Some("ar"), Some("default"))
        .unwrap();
    let smtp = MemorySmtpPasswords::default();
    let targets = MemoryStore::with(
        "Northwind Cloud/ses-local",
        Credentials::Aws(AwsCredentials {
            access_key_id: "AKIDLOCALTEST".into(),
            secret: Secret::new("local/test+secret".into()),
            session_token: None,
        }),
    );
    let secrets = SendSecrets {
        smtp: &smtp,
        targets: &targets,
    };
    let stamp = Stamp::new(5, NOW);
    let request = TestSendRequest {
        to: ME.into(),
        transport: SendTransport::Target {
            name: "ses-local".into(),
        },
        confirmed: false,
    };
    let report = prepared.send(&request, &stamp, &secrets).unwrap();
    assert!(report.reply.contains("message id"), "{}", report.reply);
    assert_eq!(report.via, "ses-local (ses)");
    let (status, body) = letterpress_test_support::http(peer.port, "GET", "/store", None).unwrap();
    assert_eq!(status, 200, "{body}");
    let store: serde_json::Value = serde_json::from_str(&body).unwrap();
    let emails = store["emails"].as_array().expect("emails");
    assert_eq!(emails.len(), 1, "{body}");
    let email = &emails[0];
    assert_eq!(email["subject"].as_str(), Some(report.subject.as_str()));
    assert!(
        email["from"]
            .as_str()
            .is_some_and(|f| f.contains("hello@northwind.example.com")),
        "{email}"
    );
    assert_eq!(email["destination"]["to"][0].as_str(), Some(ME));
    let rendered = project
        .render("verify-email", Some("ar"), Some("default"))
        .unwrap();
    let html = email["body"]["html"].as_str().expect("the HTML part");
    assert_eq!(html.replace("\r\n", "\n"), rendered.html);
    assert!(html.contains(r#"dir="rtl""#));
    let text = email["body"]["text"].as_str().expect("the text part");
    assert_eq!(
        text.replace("\r\n", "\n").trim_end(),
        rendered.text.trim_end()
    );
}

#[test]
fn a_postmark_target_receives_the_parts_through_its_email_api() {
    const TOKEN: &str = "pm-server-token-test-send";
    let fake = letterpress_test_support::PostmarkContractFake::start(TOKEN);
    let (_tmp, root) = sample();
    letterpress_test_support::add_postmark_target(&root, "pm-local", &fake.endpoint(), "t-");
    let project = Project::open(&root).unwrap();
    let prepared = project
        .prepare_test_send("receipt", None, Some("de"), None)
        .unwrap();
    let smtp = MemorySmtpPasswords::default();
    let targets = MemoryStore::with(
        "Northwind Cloud/pm-local",
        Credentials::PostmarkServerToken(Secret::new(TOKEN.into())),
    );
    let secrets = SendSecrets {
        smtp: &smtp,
        targets: &targets,
    };
    let stamp = Stamp::new(6, NOW);
    let request = TestSendRequest {
        to: ME.into(),
        transport: SendTransport::Target {
            name: "pm-local".into(),
        },
        confirmed: false,
    };
    let report = prepared.send(&request, &stamp, &secrets).unwrap();
    assert_eq!(report.via, "pm-local (postmark)");
    assert!(
        report.reply.contains("message id 00000000-"),
        "{}",
        report.reply
    );
    let emails = fake.sent_emails();
    assert_eq!(emails.len(), 1);
    let email = &emails[0];
    let rendered = project.render("receipt", Some("de"), None).unwrap();
    assert_eq!(email["To"], ME);
    assert_eq!(
        email["From"],
        "Northwind Cloud <hello@northwind.example.com>"
    );
    assert_eq!(email["Subject"].as_str(), Some(report.subject.as_str()));
    assert!(
        report
            .subject
            .starts_with(&format!("[test {}] ", stamp.token))
    );
    assert_eq!(email["HtmlBody"].as_str(), Some(rendered.html.as_str()));
    assert_eq!(email["TextBody"].as_str(), Some(rendered.text.as_str()));
    assert_eq!(email["Headers"][0]["Name"], TOKEN_HEADER);
    assert_eq!(
        email["Headers"][0]["Value"].as_str(),
        Some(stamp.token.as_str())
    );
    // A wrong token: the provider's refusal, typed, and nothing sent.
    let wrong = MemoryStore::with(
        "Northwind Cloud/pm-local",
        Credentials::PostmarkServerToken(Secret::new("not-the-token".into())),
    );
    let err = prepared
        .send(
            &request,
            &stamp,
            &SendSecrets {
                smtp: &smtp,
                targets: &wrong,
            },
        )
        .unwrap_err();
    assert_eq!(err.code(), IpcCode::Auth, "{err}");
    assert!(!err.to_string().contains("not-the-token"), "{err}");
    assert_eq!(fake.sent_emails().len(), 1);
}

#[test]
fn a_server_without_starttls_or_tls_gets_nothing_in_plain_text() {
    use letterpress_engine::config::{SmtpSecurity, SmtpServer};
    let sink = SmtpSink::start();
    let (_tmp, root) = sample();
    let project = Project::open(&root).unwrap();
    let prepared = project
        .prepare_test_send("welcome", None, None, None)
        .unwrap();
    let message = prepared.message(ME, &Stamp::new(7, NOW)).unwrap();
    // aiosmtpd here offers no STARTTLS: a server that is not loopback would be asked for it
    // (`smtp://` to any other host); the same rule is applied to the sink directly.
    let server = SmtpServer {
        host: "127.0.0.1".into(),
        port: sink.port,
        user: None,
        security: SmtpSecurity::StartTls,
    };
    let timeout = std::time::Duration::from_secs(10);
    let err = letterpress_studio::send::smtp::send(&server, None, &message, timeout).unwrap_err();
    assert_eq!(err.code(), IpcCode::Tls, "{err}");
    let text = err.to_string();
    assert!(text.contains("does not offer STARTTLS"), "{text}");
    assert!(text.contains("C: EHLO"), "{text}");
    assert!(!text.contains("MAIL FROM"), "nothing after EHLO: {text}");
    // `smtps://` to a plain server: the TLS handshake fails before any command.
    let implicit = SmtpServer {
        security: SmtpSecurity::ImplicitTls,
        ..server
    };
    let err = letterpress_studio::send::smtp::send(&implicit, None, &message, timeout).unwrap_err();
    assert!(
        matches!(
            err.code(),
            IpcCode::Tls | IpcCode::Network | IpcCode::Timeout
        ),
        "{err}"
    );
    assert!(!err.to_string().contains("MAIL FROM"), "{err}");
    assert!(sink.received().is_empty());
}
