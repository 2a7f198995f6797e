//! A designer builds an email without writing MJML, in the real app: a new template, a
//! two-column section and a button from the block library, the button moved by keyboard and
//! wrapped in a condition, saved; the file reads like hand-written code (a golden file) and
//! the project's check finds nothing in it. Screenshots at each step
//! (`$CARGO_TARGET_DIR/e2e-shots/build-*.png`). One test: one app per test binary.

use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;
use letterpress_e2e::{
    centre_of_text, click, click_at, editor_text, js, keys, sample_copy, shot, start_app,
    wait_for_mapped_preview, wait_for_text, wait_until,
};
use serde_json::Value;

#[tokio::test(flavor = "multi_thread")]
async fn a_designer_builds_an_email_from_blocks_and_keys() {
    let (tmp, project) = sample_copy();
    let (client, processes) = start_app(&project, &tmp.path().join("state"), &[]).await;

    // A new template from the sidebar, once the project is open (its templates listed, the
    // first one opening): creating one before would race the first template's opening.
    wait_until("the sidebar", || async {
        let there = js(
            &client,
            "return !!document.querySelector('[data-test=template-name]')
                 && !!document.querySelector('.sidebar .template')
                 && document.querySelector('[data-test=doc-path]').textContent !== '';",
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
    // The condition is a labelled frame around the button in the preview.
    let framed = wait_until("the condition's frame over the email", || async {
        let v = js(&client, "return Array.from(document.querySelectorAll('[data-test=logic-frame]')).map(f => f.textContent);").await;
        v.as_array().is_some_and(|a| !a.is_empty()).then_some(v)
    })
    .await;
    assert_eq!(framed, serde_json::json!(["if title != \"\""]));
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

    // The outline tree: blocks and conditions as labelled rows; arrows select, Enter types
    // in place, Delete deletes (Ctrl+Z brings it back).
    click(&client, "[data-test=outline-toggle]").await;
    let rows = wait_until("the outline rows", || async {
        let rows = js(&client, "return Array.from(document.querySelectorAll('[data-test=outline-tree] [role=treeitem]')).map(r => r.textContent);").await;
        (rows.as_array().is_some_and(|r| r.len() >= 8)).then_some(rows)
    })
    .await;
    let rows: Vec<String> = rows
        .as_array()
        .unwrap_or(&Vec::new())
        .iter()
        .filter_map(|r| r.as_str().map(str::to_owned))
        .collect();
    assert!(
        rows.iter().any(|r| r.starts_with("block content")),
        "{rows:?}"
    );
    assert!(
        rows.iter().any(|r| r.starts_with("if title != \"\"")),
        "{rows:?}"
    );

    // Preview both branches of the condition from its frame: the preview only changes, and
    // says so; the source stays as saved.
    let preview_has = |needle: &'static str| {
        let client = client.clone();
        async move {
            let script = format!(
                "const d = document.querySelector('[data-test=preview]').contentDocument; return !!d && d.body.innerHTML.includes({needle:?});"
            );
            js(&client, &script).await == Value::Bool(true)
        }
    };
    let choose_branch = |value: &'static str| {
        let client = client.clone();
        async move {
            let script = format!(
                "const s = document.querySelector('[data-test=outline-tree] .branch-switcher'); s.value = {value:?}; s.dispatchEvent(new Event('change')); return null;"
            );
            js(&client, &script).await;
        }
    };
    let source_before = editor_text(&client).await;
    choose_branch("1").await;
    wait_for_text(
        &client,
        "[data-test=forced]",
        "branch forced: no branch of `if title != \"\"`",
    )
    .await;
    wait_until("the button hidden by the forced branch", || async {
        (!preview_has(">Button<").await).then_some(Value::Null)
    })
    .await;
    assert!(preview_has("Write something here.").await);
    shot(&client, "build-05b-branch-none").await;
    choose_branch("0").await;
    wait_for_text(&client, "[data-test=forced]", "branch forced: `if`").await;
    wait_until("the button shown by the forced branch", || async {
        preview_has(">Button<").await.then_some(Value::Null)
    })
    .await;
    shot(&client, "build-05c-branch-if").await;
    click(&client, "[data-test=unforce]").await;
    wait_until("the banner gone", || async {
        let gone = js(
            &client,
            "return !document.querySelector('[data-test=forced]');",
        )
        .await;
        (gone == Value::Bool(true)).then_some(Value::Null)
    })
    .await;
    assert_eq!(
        editor_text(&client).await,
        source_before,
        "forcing writes nothing"
    );

    // The condition edited as an expression: one that does not parse is refused.
    click(&client, "[data-test=edit-condition]").await;
    let type_condition = |condition: &'static str| {
        let client = client.clone();
        async move {
            let script = format!(
                "const i = document.querySelector('[data-test=condition-0]'); i.value = {condition:?}; i.dispatchEvent(new KeyboardEvent('keydown', {{key: 'Enter', bubbles: true}})); return null;"
            );
            js(&client, &script).await;
        }
    };
    type_condition("title !=").await;
    wait_for_text(&client, "[data-test=visual-notice]", "would add an error").await;
    assert_eq!(editor_text(&client).await, source_before);
    type_condition("title | length > 0").await;
    wait_until("the new condition in the source", || async {
        editor_text(&client)
            .await
            .contains("{% if title | length > 0 %}")
            .then_some(Value::Null)
    })
    .await;
    keys(&client, &[Key::Control.into(), 'z']).await;
    wait_until("undo of the condition", || async {
        (editor_text(&client).await == source_before).then_some(Value::Null)
    })
    .await;
    // An undo is typing: the preview maps again once it pauses.
    wait_for_mapped_preview(&client, "Write something here.").await;

    js(
        &client,
        "document.querySelector('[data-test=outline-tree]').focus(); return null;",
    )
    .await;
    let press = |key: Key| {
        let client = client.clone();
        async move {
            let actions = KeyActions::new("keyboard".into())
                .then(KeyAction::Down { value: key.into() })
                .then(KeyAction::Up { value: key.into() });
            client.perform_actions(actions).await.expect("key");
        }
    };
    press(Key::Down).await;
    press(Key::Down).await;
    press(Key::Down).await;
    let crumbs = wait_for_text(&client, "[data-test=breadcrumb]", "mj-text").await;
    assert!(crumbs.ends_with("mj-text"), "{crumbs}");
    let selected = js(&client, "const r = document.querySelector('[data-test=outline-tree] .outline-row.selected'); return r ? r.textContent : null;").await;
    assert!(
        selected.as_str().is_some_and(|t| t.starts_with("mj-text")),
        "{selected}"
    );
    shot(&client, "build-06-outline-keyboard").await;
    press(Key::Enter).await;
    wait_until("the in-place editor from the outline", || async {
        let open = js(&client, "return !!document.querySelector('[data-test=inline-literal-text], [data-test=inline-text]');").await;
        (open == Value::Bool(true)).then_some(Value::Null)
    })
    .await;
    let editor = client
        .find(fantoccini::Locator::Css(
            "[data-test=inline-literal-text], [data-test=inline-text]",
        ))
        .await
        .expect("the in-place editor");
    editor
        .send_keys(&Key::Escape.to_string())
        .await
        .expect("escape");
    js(
        &client,
        "document.querySelector('[data-test=outline-tree]').focus(); return null;",
    )
    .await;
    let before_delete = editor_text(&client).await;
    press(Key::Delete).await;
    wait_until("the text deleted from the outline", || async {
        let now = editor_text(&client).await;
        (now != before_delete && now.len() < before_delete.len()).then_some(Value::Null)
    })
    .await;
    keys(&client, &[Key::Control.into(), 'z']).await;
    wait_until("undo of the deletion", || async {
        (editor_text(&client).await == before_delete).then_some(Value::Null)
    })
    .await;

    // The selected text saved as a block of the project: in blocks/, and in the library.
    // (After an undo, as after typing, the preview maps clicks again once typing pauses.)
    wait_for_mapped_preview(&client, "Write something here.").await;
    let (x, y) = centre_of_text(&client, "Write something here.").await;
    click_at(&client, x, y).await;
    wait_for_text(&client, "[data-test=breadcrumb]", "mj-text").await;
    click(&client, "[data-test=act-save-block]").await;
    js(&client, "const i = document.querySelector('[data-test=act-name]'); i.value = 'note-text'; i.dispatchEvent(new Event('input')); return null;").await;
    click(&client, "[data-test=act-apply]").await;
    wait_for_text(
        &client,
        "[data-test=visual-notice]",
        "Saved blocks/note-text.mjml",
    )
    .await;
    assert_eq!(
        std::fs::read_to_string(project.join("blocks/note-text.mjml")).unwrap(),
        "<mj-text>Write something here.</mj-text>\n"
    );
    wait_for_text(&client, "[data-test=block-library]", "Note text").await;
    shot(&client, "build-07-saved-block").await;

    // Drag and drop: a divider from the library before the note, then the button out of its
    // condition after the title, each one undo step; the zone says where it lands.
    let drag_to = |source: &'static str, x: f64, y: f64| {
        let client = client.clone();
        async move {
            let script = format!(
                "const done = arguments[arguments.length - 1];
                 (async () => {{
                   const src = document.querySelector({source:?});
                   const layer = document.querySelector('[data-test=select-layer]');
                   const dt = new DataTransfer();
                   src.dispatchEvent(new DragEvent('dragstart', {{ bubbles: true, dataTransfer: dt }}));
                   let label = null;
                   for (let i = 0; i < 100 && !label; i++) {{
                     await new Promise(r => setTimeout(r, 20));
                     layer.dispatchEvent(new DragEvent('dragover', {{ bubbles: true, cancelable: true, clientX: {x}, clientY: {y}, dataTransfer: dt }}));
                     const zone = document.querySelector('[data-test=drop-zone]');
                     label = zone ? zone.textContent : null;
                   }}
                   layer.dispatchEvent(new DragEvent('drop', {{ bubbles: true, cancelable: true, clientX: {x}, clientY: {y}, dataTransfer: dt }}));
                   src.dispatchEvent(new DragEvent('dragend', {{ bubbles: true, dataTransfer: dt }}));
                   done(label);
                 }})();"
            );
            client.execute_async(&script, vec![]).await.expect("drag")
        }
    };
    let before_drags = editor_text(&client).await;
    let (x, y) = centre_of_text(&client, "Write something here.").await;
    let label = drag_to("[data-test=block-basic-divider]", x, y - 4.0).await;
    assert_eq!(label, Value::String("before mj-text".into()));
    wait_until("the divider dropped before the note", || async {
        editor_text(&client)
            .await
            .contains(
                "    {% endif %}\n    <mj-divider />\n    <mj-text>Write something here.</mj-text>",
            )
            .then_some(Value::Null)
    })
    .await;
    wait_for_mapped_preview(&client, "Write something here.").await;
    shot(&client, "build-08-divider-dropped").await;

    // The button (selected, by its handle) dragged after the title's text, out of the `if`.
    wait_for_mapped_preview(&client, ">Button<").await;
    let (bx, by) = centre_of_text(&client, "Button").await;
    click_at(&client, bx, by).await;
    wait_for_text(&client, "[data-test=breadcrumb]", "mj-button").await;
    let (tx, ty) = centre_of_text(&client, "launch").await;
    // Three quarters down the title's box (its marked element, padding included): after it.
    let marked = js(&client, &format!("const f = document.querySelector('[data-test=preview]'); const o = f.getBoundingClientRect(); let m = f.contentDocument.elementFromPoint({tx} - o.left - f.clientLeft, {ty} - o.top - f.clientTop); while (m && !Array.from(m.classList || []).some(c => /^lp-\\d+-\\d+$/.test(c))) m = m.parentElement; const r = m.getBoundingClientRect(); return [o.top + f.clientTop + r.top, r.height];")).await;
    let (top, height) = (
        marked[0].as_f64().unwrap_or_default(),
        marked[1].as_f64().unwrap_or_default(),
    );
    let label = drag_to("[data-test=drag-handle]", tx, top + height * 0.75).await;
    assert_eq!(label, Value::String("after mj-text".into()));
    let moved = wait_until("the button moved after the title", || async {
        let text = editor_text(&client).await;
        text.contains("<mj-text>{{ title }}</mj-text>\n    <mj-button href=\"https://example.com\">Button</mj-button>\n")
            .then_some(Value::String(text))
    })
    .await;
    assert!(
        moved
            .as_str()
            .is_some_and(|t| t.contains("{% if title != \"\" %}\n    {% endif %}")),
        "the condition's tags stay where they were: {moved}"
    );
    shot(&client, "build-09-button-dragged").await;
    keys(&client, &[Key::Control.into(), 'z']).await;
    keys(&client, &[Key::Control.into(), 'z']).await;
    wait_until("both drops undone", || async {
        (editor_text(&client).await == before_drags).then_some(Value::Null)
    })
    .await;

    // The condition opens the third column: at the button's top edge a drop goes before the
    // `{% if %}`, outside it (regression: nothing could land above the condition).
    wait_for_mapped_preview(&client, ">Button<").await;
    let (bx, by) = centre_of_text(&client, "Button").await;
    let marked = js(&client, &format!("const f = document.querySelector('[data-test=preview]'); const o = f.getBoundingClientRect(); let m = f.contentDocument.elementFromPoint({bx} - o.left - f.clientLeft, {by} - o.top - f.clientTop); while (m && !Array.from(m.classList || []).some(c => /^lp-\\d+-\\d+$/.test(c))) m = m.parentElement; const r = m.getBoundingClientRect(); return [o.top + f.clientTop + r.top, r.height];")).await;
    let (top, height) = (
        marked[0].as_f64().unwrap_or_default(),
        marked[1].as_f64().unwrap_or_default(),
    );
    let label = drag_to("[data-test=block-basic-divider]", bx, top + height * 0.05).await;
    assert_eq!(
        label,
        Value::String("before {% if title != \"\" %}, outside it".into())
    );
    wait_until("the divider dropped above the condition", || async {
        editor_text(&client)
            .await
            .contains("  <mj-column>\n    <mj-divider />\n    {% if title != \"\" %}\n")
            .then_some(Value::Null)
    })
    .await;
    wait_for_mapped_preview(&client, ">Button<").await;
    shot(&client, "build-09b-dropped-above-condition").await;
    keys(&client, &[Key::Control.into(), 'z']).await;
    wait_until("the drop above the condition undone", || async {
        (editor_text(&client).await == before_drags).then_some(Value::Null)
    })
    .await;

    // The keyboard's drag: Ctrl+X on the button, select the title, Ctrl+V.
    wait_for_mapped_preview(&client, ">Button<").await;
    let (bx, by) = centre_of_text(&client, "Button").await;
    click_at(&client, bx, by).await;
    wait_for_text(&client, "[data-test=breadcrumb]", "mj-button").await;
    let layer_keys = |key: char| {
        let client = client.clone();
        async move {
            let script = format!(
                "document.querySelector('[data-test=select-layer]').dispatchEvent(new KeyboardEvent('keydown', {{ key: {key:?}, ctrlKey: true, bubbles: true }})); return null;"
            );
            js(&client, &script).await;
        }
    };
    layer_keys('x').await;
    wait_for_text(&client, "[data-test=visual-notice]", "Moving mj-button").await;
    let (tx, ty) = centre_of_text(&client, "launch").await;
    click_at(&client, tx, ty).await;
    wait_for_text(&client, "[data-test=breadcrumb]", "mj-text").await;
    layer_keys('v').await;
    wait_until("the button moved by keyboard", || async {
        editor_text(&client)
            .await
            .contains("<mj-text>{{ title }}</mj-text>\n    <mj-button href=\"https://example.com\">Button</mj-button>\n")
            .then_some(Value::Null)
    })
    .await;
    shot(&client, "build-10-button-moved-by-keyboard").await;

    // A block's thumbnail, rendered by the engine in the project's look, on hover.
    js(&client, "document.querySelector('[data-test=block-basic-button]').dispatchEvent(new MouseEvent('mouseenter')); return null;").await;
    let srcdoc = wait_until("the button block's thumbnail", || async {
        let v = js(&client, "const f = document.querySelector('[data-test=block-thumbnail] iframe'); return f ? f.getAttribute('srcdoc') : null;").await;
        v.is_string().then_some(v)
    })
    .await;
    assert!(
        srcdoc
            .as_str()
            .is_some_and(|h| h.contains("#4f46e5") && h.contains(">Button<")),
        "the brand's button: {srcdoc}"
    );
    shot(&client, "build-10b-block-thumbnail").await;
    js(&client, "document.querySelector('[data-test=block-basic-button]').dispatchEvent(new MouseEvent('mouseleave')); return null;").await;

    // Dark previews while editing: the email's own dark styles (none here: said so), and
    // the inverting clients' emulation; the selection still works on them.
    click(&client, "[data-test=scheme-dark]").await;
    wait_for_text(&client, "[data-test=appearance]", "no dark-mode styles").await;
    click(&client, "[data-test=scheme-darkinverted]").await;
    wait_for_text(&client, "[data-test=appearance]", "approximation").await;
    wait_until("the inverted preview", || async {
        let on = js(&client, "const d = document.querySelector('[data-test=preview]').contentDocument; return !!d.querySelector('style[data-lp-dark]');").await;
        (on == Value::Bool(true)).then_some(Value::Null)
    })
    .await;
    wait_for_mapped_preview(&client, "Write something here.").await;
    let (x, y) = centre_of_text(&client, "Write something here.").await;
    click_at(&client, x, y).await;
    wait_for_text(&client, "[data-test=breadcrumb]", "mj-text").await;
    shot(&client, "build-11-dark-inverted").await;
    click(&client, "[data-test=scheme-light]").await;
    wait_until("back to light", || async {
        let gone = js(
            &client,
            "return !document.querySelector('[data-test=appearance]');",
        )
        .await;
        (gone == Value::Bool(true)).then_some(Value::Null)
    })
    .await;

    let _ = client.close().await;
    drop(processes);
}
