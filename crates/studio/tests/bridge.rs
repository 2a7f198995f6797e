//! The send-time bridge against Handlebars in process (the `handlebars` crate): for every
//! sample template × locale × fixture that can be bridged, Handlebars rendering the compiled
//! template with the fixture gives exactly what the preview gives. Templates that cannot be
//! bridged say where, with the file and line.
//!
//! Normalisation (the only one, `letterpress_test_support::normalise::handlebars_escapes`):
//! Handlebars escapes `=` as `&#x3D;`, `'` as `&#x27;` and
//! `` ` `` as `&#x60;`; the preview writes `=` and `` ` `` as they are and `'` as `&#39;`.
//! Both mean the same characters to every HTML parser.

use handlebars::Handlebars;
use letterpress_engine::Code;
use letterpress_engine::bridge::Dialect;
use letterpress_studio::Project;
use letterpress_test_support::normalise::handlebars_escapes as normalise_handlebars_escapes;
use std::path::Path;

fn sample() -> Project {
    Project::open(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")).unwrap()
}

/// The sample templates that only use what Handlebars can express at send time.
const BRIDGEABLE: &[&str] = &["welcome", "verify-email"];

fn handlebars() -> Handlebars<'static> {
    let mut hb = Handlebars::new();
    hb.set_strict_mode(false);
    hb
}

#[test]
fn handlebars_renders_what_the_preview_renders() {
    let project = sample();
    let hb = handlebars();
    let mut compared = 0;
    for job in project.jobs().unwrap() {
        if !BRIDGEABLE.contains(&job.template.as_str()) {
            continue;
        }
        let compiled = project
            .engine()
            .compile_send_time(&job.template, &job.locale, Dialect::Handlebars)
            .unwrap_or_else(|d| panic!("{} {}: {d:#?}", job.template, job.locale));
        let data = project.fixture(&job.template, &job.fixture).unwrap();
        let preview = project.render_job(&job);
        assert!(preview.is_ok(), "{:?}", preview.diagnostics);
        let what = format!("{} {} {}", job.template, job.locale, job.fixture);
        let html = hb.render_template(&compiled.html, &data).unwrap();
        assert_eq!(
            normalise_handlebars_escapes(&html),
            preview.html,
            "html of {what}"
        );
        let text = hb.render_template(&compiled.text, &data).unwrap();
        assert_eq!(text, preview.text, "text of {what}");
        let subject = hb.render_template(&compiled.subject, &data).unwrap();
        assert_eq!(subject, preview.subject, "subject of {what}");
        let preheader = hb.render_template(&compiled.preheader, &data).unwrap();
        assert_eq!(preheader, preview.preheader, "preheader of {what}");
        compared += 1;
    }
    assert_eq!(compared, 2 * 5 * 2, "2 templates × 5 locales × 2 fixtures");
}

#[test]
fn recipient_data_is_kept_as_handlebars_expressions() {
    let project = sample();
    let compiled = project
        .engine()
        .compile_send_time("welcome", "en", Dialect::Handlebars)
        .unwrap();
    assert!(
        compiled.subject.contains("{{{user.first_name}}}"),
        "{}",
        compiled.subject
    );
    assert!(
        compiled
            .html
            .contains("Welcome aboard, {{user.first_name}}!")
    );
    assert!(compiled.html.contains("href=\"{{dashboard_url}}\""));
    // An optional footer link becomes a Handlebars block, not a fixed choice.
    assert!(
        compiled
            .html
            .contains("{{#if (lookup this \"preferences_url\")}}")
    );
    assert!(compiled.html.contains("{{/if}}"));
    // Build-time parts are resolved: locale strings and globals are plain text.
    assert!(compiled.html.contains("Northwind Cloud GmbH"));
    assert!(!compiled.html.contains("t(\""));
}

#[test]
fn what_cannot_be_bridged_is_an_error_at_its_line() {
    let project = sample();
    let errors = project
        .engine()
        .compile_send_time("receipt", "en", Dialect::Handlebars)
        .unwrap_err();
    assert!(
        errors
            .iter()
            .all(|d| d.code == Code::SendTimeUnsupported && d.is_error()),
        "{errors:#?}"
    );
    let money = errors
        .iter()
        .find(|d| d.message.contains("`money`"))
        .unwrap_or_else(|| panic!("{errors:#?}"));
    assert!(money.message.contains("order.total"), "{}", money.message);
    let at = money.location.as_ref().unwrap();
    assert_eq!(at.file, "templates/receipt/template.toml");

    // A plural chosen by recipient data.
    let errors = project
        .engine()
        .compile_send_time("team-invitation", "pl", Dialect::Handlebars)
        .unwrap_err();
    let plural = errors
        .iter()
        .find(|d| d.message.contains("plural") && d.message.contains("$count"))
        .unwrap_or_else(|| panic!("{errors:#?}"));
    assert!(plural.message.contains("workspace.member_count"));
    let at = plural.location.as_ref().unwrap();
    assert_eq!(at.file, "templates/team-invitation/body.mjml");
    let body = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../templates/team-invitation/body.mjml"),
    )
    .unwrap();
    let line = body.lines().nth(at.line as usize - 1).unwrap();
    assert!(line.contains("team-invitation-members"), "{line}");

    // A date of the recipient's formatted for the locale.
    let errors = project
        .engine()
        .compile_send_time("password-reset", "de", Dialect::Handlebars)
        .unwrap_err();
    assert!(
        errors
            .iter()
            .any(|d| d.message.contains("`date`") && d.message.contains("request.requested_at")),
        "{errors:#?}"
    );
}
