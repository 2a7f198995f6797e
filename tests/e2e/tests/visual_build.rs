//! A designer builds an email without writing MJML, in the real app: a new template, a
//! two-column section and a button from the block library, the button moved by keyboard and
//! wrapped in a condition, saved; the file reads like hand-written code (a golden file) and
//! the project's check finds nothing in it. Screenshots at each step
//! (`$CARGO_TARGET_DIR/e2e-shots/build-*.png`). One test: one app per test binary.

use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;
use letterpress_e2e::{
    centre_of_text, click, click_at, editor_text, js, sample_copy, shot, start_app,
    wait_for_mapped_preview, wait_for_text, wait_until,
};
use serde_json::Value;

#[tokio::test(flavor = "multi_thread")]
async fn a_designer_builds_an_email_from_blocks_and_keys() {
    let (tmp, project) = sample_copy();
    let (client, processes) = start_app(&project, &tmp.path().join("state"), &[]).await;

    // A new template from the sidebar.
    wait_until("the sidebar", || async {
        let there = js(
            &client,
            "return !!document.querySelector('[data-test=template-name]');",
        )
        .await;
        (there == Value::Bool(true)).then_some(Value::Null)
    })
    .await;
    js(&client, "const i = document.querySelector('[data-test=template-name]'); i.value = 'launch'; i.dispatchEvent(new Event('input')); return null;").await;
    click(&client, "[data-test=create-template]").await;
    wait_for_text(
        &client,
        "[data-test=doc-path]",
        "templates/launch/body.mjml",
    )
    .await;
    wait_for_mapped_preview(&client, "launch").await;
    shot(&client, "build-01-new-template").await;

    // Select its text, insert a two-column section: it goes after the text's section.
    let (x, y) = centre_of_text(&client, "launch").await;
    click_at(&client, x, y).await;
    wait_for_text(&client, "[data-test=breadcrumb]", "mj-text").await;
    click(&client, "[data-test=blocks-toggle]").await;
    click(&client, "[data-test=block-basic-two-columns]").await;
    wait_until("the section in the source", || async {
        editor_text(&client)
            .await
            .contains("<mj-image src=\"https://example.com/image.png\"")
            .then_some(Value::Null)
    })
    .await;
    wait_for_text(&client, "[data-test=breadcrumb]", "mj-section").await;
    wait_for_mapped_preview(&client, "Write something here.").await;
    shot(&client, "build-02-two-columns").await;

    // A button after the new text (a button does not go into a text: after it).
    let (x, y) = centre_of_text(&client, "Write something here.").await;
    click_at(&client, x, y).await;
    wait_for_text(&client, "[data-test=breadcrumb]", "mj-text").await;
    click(&client, "[data-test=block-basic-button]").await;
    wait_for_text(&client, "[data-test=breadcrumb]", "mj-button").await;
    wait_for_mapped_preview(&client, ">Button<").await;

    // Keyboard only: Alt+Up moves the selected button above the text.
    js(
        &client,
        "document.querySelector('[data-test=select-layer]').focus(); return null;",
    )
    .await;
    let alt_up = KeyActions::new("keyboard".into())
        .then(KeyAction::Down {
            value: Key::Alt.into(),
        })
        .then(KeyAction::Down {
            value: Key::Up.into(),
        })
        .then(KeyAction::Up {
            value: Key::Up.into(),
        })
        .then(KeyAction::Up {
            value: Key::Alt.into(),
        });
    client.perform_actions(alt_up).await.expect("alt+up");
    wait_until("the button above the text", || async {
        let text = editor_text(&client).await;
        let (b, t) = (
            text.find("<mj-button"),
            text.find("<mj-text>Write something"),
        );
        (b.is_some() && b < t).then_some(Value::Null)
    })
    .await;
    shot(&client, "build-03-button-moved").await;

    // Show the button only if there is a title: `{% if %}` lines around it.
    click(&client, "[data-test=act-if]").await;
    js(&client, "const i = document.querySelector('[data-test=act-condition]'); i.value = 'title != \"\"'; i.dispatchEvent(new Event('input')); return null;").await;
    click(&client, "[data-test=act-apply]").await;
    wait_until("the condition in the source", || async {
        editor_text(&client)
            .await
            .contains("{% if title != \"\" %}")
            .then_some(Value::Null)
    })
    .await;
    wait_for_mapped_preview(&client, ">Button<").await;
    shot(&client, "build-04-button-in-condition").await;

    // Save, then the file reads like code a developer would have written.
    click(&client, ".doc-bar .save").await;
    let body = project.join("templates/launch/body.mjml");
    let golden = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/golden/visual-build-launch.mjml"
    );
    let expected = std::fs::read_to_string(golden).expect("golden file");
    let saved = wait_until("the saved template", || async {
        let text = std::fs::read_to_string(&body).ok()?;
        text.contains("{% if").then_some(Value::String(text))
    })
    .await;
    assert_eq!(
        saved.as_str().unwrap_or_default(),
        expected,
        "compare with {golden}"
    );
    let report = letterpress_studio::Project::open(&project)
        .expect("the project opens")
        .check(&|_, _| {})
        .expect("check");
    let in_it: Vec<_> = report
        .diagnostics
        .iter()
        .filter(|d| format!("{d:?}").contains("templates/launch"))
        .collect();
    assert!(in_it.is_empty(), "check finds: {in_it:?}");
    shot(&client, "build-05-saved").await;

    let _ = client.close().await;
    drop(processes);
}
