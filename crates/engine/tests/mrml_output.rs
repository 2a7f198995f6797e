//! The vendored mrml (vendor/mrml) writes HTML without going through `std::fmt`; these pin
//! that its output is what mrml 6.0.1 always wrote. The sample's golden snapshots cover the
//! common case (plain ASCII values); these cover values the fast path must hand back to the
//! old rule: quotes, backslashes, control characters, non-ASCII, combining marks.

use letterpress_engine::{Engine, Limits, MemorySources};
use std::sync::Arc;

fn render(mjml: &str) -> String {
    render_with(mjml, &[])
}

/// Renders `mjml` as `test.mjml`, with `files` beside it (for `mj-include`).
fn render_with(mjml: &str, files: &[(&str, &str)]) -> String {
    let mut sources = MemorySources::new().with("test.mjml", mjml);
    for (path, text) in files {
        sources = sources.with(*path, *text);
    }
    let engine = Engine::standalone(Arc::new(sources), Limits::default());
    engine
        .render_mjml(mjml, "test.mjml")
        .unwrap_or_else(|d| panic!("{d:?}"))
}

/// mrml writes an attribute value as Rust's `{:?}` writes a string: quoted, with `"`, `\`
/// and control characters escaped, and grapheme-extending marks as `\u{…}`.
#[test]
fn attribute_values_are_written_as_mrml_always_wrote_them() {
    let values = [
        "https://example.test/welcome?utm_source=email&amp;step=1",
        "say \"hi\"",
        r"back\slash",
        "tab\there",
        "line\nbreak",
        "del\u{7f}",
        "café, Łódź, €",
        "مرحبا بك",
        "e\u{301}",
        "👋🏽",
        "",
    ];
    for value in values {
        // Single-quoted in the source, so `"` can appear in the value.
        let mjml = format!(
            "<mjml><mj-body><mj-raw><a title='{value}' href=\"#\">x</a></mj-raw></mj-body></mjml>"
        );
        let html = render(&mjml);
        let expected = format!(" title={value:?}");
        assert!(
            html.contains(&expected),
            "value {value:?}: expected `{expected}` in\n{html}"
        );
    }
}

/// Classes and styles are written as they are, in the order they were added.
#[test]
fn classes_and_styles_keep_their_order_and_text() {
    let html = render(
        r##"<mjml><mj-body><mj-section css-class="hero wide"><mj-column>
        <mj-text color="#1a2b3c" font-family="'Source Sans 3', Arial">Hi</mj-text>
        </mj-column></mj-section></mj-body></mjml>"##,
    );
    assert!(html.contains(r#"class="hero wide""#), "{html}");
    assert!(
        html.contains(
            r##"style="font-family:'Source Sans 3', Arial;font-size:13px;line-height:1;text-align:left;color:#1a2b3c;""##
        ),
        "{html}"
    );
}

/// A body bigger than the first buffer (32 KiB) grows it without losing anything.
#[test]
fn a_large_body_renders_whole() {
    let rows: String = (0..2_000)
        .map(|i| format!("<mj-text>row {i}</mj-text>"))
        .collect();
    let html = render(&format!(
        "<mjml><mj-body><mj-section><mj-column>{rows}</mj-column></mj-section></mj-body></mjml>"
    ));
    assert!(html.len() > 64 * 1024, "{}", html.len());
    for i in [0, 999, 1_999] {
        assert!(html.contains(&format!(">row {i}</div>")), "row {i}");
    }
    assert!(html.trim_end().ends_with("</html>"));
}

/// mrml 6.0.1 panicked (`todo!()`) on `<mj-include type="html">` inside `<mj-head>`, which
/// took the CLI down and would take a preview with it. Included HTML now goes into the head
/// as an `mj-raw`, as mjml does.
#[test]
fn mj_include_of_html_in_the_head_renders_instead_of_panicking() {
    let mjml = r#"<mjml><mj-head><mj-include path="head.html" type="html" /></mj-head>
<mj-body><mj-section><mj-column><mj-text>Body</mj-text></mj-column></mj-section></mj-body></mjml>"#;
    let html = render_with(
        mjml,
        &[(
            "head.html",
            r#"<meta name="x-letterpress" content="included">"#,
        )],
    );
    let head = &html[..html.find("</head>").expect("a head")];
    // mrml writes the void element back as `<meta … />`.
    assert!(
        head.contains(r#"<meta name="x-letterpress" content="included" />"#),
        "{html}"
    );
    assert!(html.contains(">Body</div>"), "{html}");
}

/// htmlparser 0.2.1 sliced two bytes back from a `>` in text and panicked when that fell
/// inside a multi-byte character (`là > ici`): the render failed as an internal error. The
/// vendored htmlparser reads the text before the `>` instead.
#[test]
fn a_multibyte_character_right_before_a_greater_than_sign_in_text_renders() {
    for text in ["là > ici", "é>", "日本 > 語", "ab]]c > d"] {
        let html = render(&format!(
            "<mjml><mj-body><mj-section><mj-column><mj-text>{text}</mj-text></mj-column></mj-section></mj-body></mjml>"
        ));
        let shown = text.replace('>', "&gt;");
        assert!(
            html.contains(text) || html.contains(&shown),
            "{text}: {html}"
        );
    }
}
