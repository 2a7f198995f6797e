//! A/B variants in the real app: on a copy of the sample whose `welcome` has variants `b`
//! (own body and subject) and `short` (own subject), the preview's Variant picker lists each
//! with what it changes and its share of recipients; picking `b` opens `body.b.mjml` and
//! previews it; the sidebar lists the variant bodies; `short` previews its own subject over
//! the template's body. Screenshots go to `$CARGO_TARGET_DIR/e2e-shots/variants-*.png`.

use letterpress_e2e::{
    click, editor_text, js, sample_copy, shot, start_app, wait_for_text, wait_until,
};
use letterpress_test_support::project::{
    VARIANT_B_BANNER, VARIANT_SHORT_SUBJECT, add_welcome_variants,
};
use serde_json::{Value, json};

/// Waits until the preview's HTML contains `needle` (or, with `present` false, no longer).
async fn wait_for_preview(client: &fantoccini::Client, needle: &str, present: bool) {
    wait_until(
        &format!(
            "the preview {} {needle:?}",
            if present { "showing" } else { "without" }
        ),
        || async {
            let html = js(
                client,
                "const f = document.querySelector('[data-test=preview]');
                 return f ? LetterpressPreview.current(f) : '';",
            )
            .await;
            let html = html.as_str().unwrap_or_default().to_owned();
            (html.contains(needle) == present && !html.is_empty()).then_some(Value::Null)
        },
    )
    .await;
}

/// Picks `value` in the `<select>` `css`, as a person choosing an option would.
async fn choose(client: &fantoccini::Client, css: &str, value: &str) {
    js(
        client,
        &format!(
            "const s = document.querySelector({css:?});
             s.value = {value:?};
             s.dispatchEvent(new Event('change', {{ bubbles: true }}));
             return null;"
        ),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_designer_previews_each_variant_of_a_template() {
    let (tmp, project) = sample_copy();
    add_welcome_variants(&project);
    let state_dir = tmp.path().join("state");
    let (client, processes) = start_app(&project, &state_dir, &[]).await;
    click(&client, "[data-test=template-welcome] > a").await;
    wait_for_text(&client, "[data-test=subject]", "Welcome").await;

    // The picker: each variant, what it changes, and its share (weights 2 : 1 : 1).
    let options = wait_until("the variant picker", || async {
        let v = js(
            &client,
            "return [...document.querySelectorAll('[data-test=variant] option')].map(o => [o.value, o.textContent]);",
        )
        .await;
        v.as_array().filter(|a| a.len() == 3).map(|_| v.clone())
    })
    .await;
    assert_eq!(
        options,
        json!([
            ["a", "a · the template · 50.0 %"],
            ["b", "b · body, subject · 25.0 %"],
            ["short", "short · subject · 25.0 %"]
        ])
    );

    // Variant b: its own body opens in the editor and is previewed, with its subject.
    choose(&client, "[data-test=variant]", "b").await;
    wait_for_preview(&client, VARIANT_B_BANNER, true).await;
    wait_for_text(
        &client,
        "[data-test=subject]",
        "Your Northwind workspace is ready",
    )
    .await;
    let editor = wait_until("body.b.mjml in the editor", || async {
        let text = editor_text(&client).await;
        text.contains(VARIANT_B_BANNER).then_some(Value::Null)
    })
    .await;
    assert_eq!(editor, Value::Null);
    let listed = wait_for_text(&client, "[data-test=variant-welcome-b]", "body.b.mjml").await;
    assert!(listed.contains("variant b"), "{listed}");
    shot(&client, "variants-01-b").await;

    // Variant short, from the sidebar: its subject over the template's own body.
    click(&client, "[data-test=variant-welcome-short] > a").await;
    wait_for_text(&client, "[data-test=subject]", VARIANT_SHORT_SUBJECT).await;
    wait_for_preview(&client, VARIANT_B_BANNER, false).await;
    let picked = js(
        &client,
        "return document.querySelector('[data-test=variant]').value;",
    )
    .await;
    assert_eq!(picked, json!("short"));
    shot(&client, "variants-02-short").await;

    // Back to the template itself.
    choose(&client, "[data-test=variant]", "a").await;
    wait_for_text(&client, "[data-test=subject]", "Welcome to Northwind").await;
    let _ = client.close().await;
    drop(processes);
}
