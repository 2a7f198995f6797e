//! The real Letterpress app on a copy of the sample project, driven like a designer would:
//! Xvfb (when no display is set) + tauri-driver + WebKitWebDriver + fantoccini.
//! Screenshots go to `$CARGO_TARGET_DIR/e2e-shots/` (or `target/e2e-shots/`).

use fantoccini::{Client, Locator, key::Key};
use letterpress_e2e::{
    cursor_into_first_text, editor_text, js, sample_copy, shot, start_app, wait_until,
};
use serde_json::Value;
use std::time::Duration;

async fn srcdoc(client: &Client) -> String {
    js(
        client,
        "const f = document.querySelector('[data-test=preview]'); return f ? LetterpressPreview.current(f) : '';",
    )
    .await
    .as_str()
    .unwrap_or_default()
    .to_owned()
}

async fn wait_for_srcdoc(client: &Client, needle: &str) {
    wait_until(&format!("preview containing {needle:?}"), || async {
        srcdoc(client).await.contains(needle).then_some(Value::Null)
    })
    .await;
}

async fn type_keys(client: &Client, keys: &str) {
    let content = client
        .find(Locator::Css(".editor .cm-content"))
        .await
        .expect("the editor content");
    content.send_keys(keys).await.expect("typing");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_designer_edits_previews_and_saves_a_template() {
    let (tmp, project) = sample_copy();

    let state_dir = tmp.path().join("state");
    let (client, processes) = start_app(&project, &state_dir, &[]).await;

    // The sample opens with the first template selected; pick the welcome email.
    let welcome = wait_until("the template list", || async {
        client
            .find(Locator::Css("[data-test=template-welcome] > a"))
            .await
            .ok()
            .map(|_| Value::Null)
    })
    .await;
    let _ = welcome;
    client
        .find(Locator::Css("[data-test=template-welcome] > a"))
        .await
        .expect("welcome")
        .click()
        .await
        .expect("click welcome");
    wait_for_srcdoc(&client, "northwind").await;
    // The project is remembered (SQLite in the app's state folder) and listed as recent.
    wait_until("the recent projects list", || async {
        let text = js(
            &client,
            "return document.querySelector('.recent').textContent;",
        )
        .await;
        text.as_str()
            .is_some_and(|t| t.contains("Northwind Cloud"))
            .then_some(Value::Null)
    })
    .await;
    assert!(state_dir.join("letterpress.sqlite").is_file());
    wait_until("the welcome body in the editor", || async {
        editor_text(&client)
            .await
            .contains("mj-text")
            .then_some(Value::Null)
    })
    .await;
    shot(&client, "01-welcome").await;

    // Type into the editor: the preview follows every keystroke.
    cursor_into_first_text(&client).await;
    type_keys(&client, "Typed by e2e ").await;
    wait_for_srcdoc(&client, "Typed by e2e").await;
    let dirty = client
        .find(Locator::Css("[data-test=dirty]"))
        .await
        .expect("dirty marker")
        .text()
        .await
        .expect("dirty text");
    assert!(dirty.contains("unsaved"), "{dirty}");

    // German, then Arabic (right to left).
    js(&client, "const s = document.querySelector('[data-test=locale]'); s.value = 'de'; s.dispatchEvent(new Event('change'));").await;
    wait_for_srcdoc(&client, "lang=\"de\"").await;
    js(&client, "const s = document.querySelector('[data-test=locale]'); s.value = 'ar'; s.dispatchEvent(new Event('change'));").await;
    wait_for_srcdoc(&client, "dir=\"rtl\"").await;
    shot(&client, "02-arabic").await;
    js(&client, "const s = document.querySelector('[data-test=fixture]'); s.value = 'long-name'; s.dispatchEvent(new Event('change'));").await;
    wait_for_srcdoc(&client, "Maximiliana").await;
    js(&client, "const s = document.querySelector('[data-test=locale]'); s.value = 'en'; s.dispatchEvent(new Event('change'));").await;
    wait_for_srcdoc(&client, "lang=\"en\"").await;

    // A syntax error: `{{` (the editor closes the braces) → a diagnostic on that line; the
    // last good render stays. Backspace twice removes the pair and the error clears.
    let line_of_cursor = js(
        &client,
        "const doc = LetterpressEditor.getDoc(window.__letterpressEditor);
         return doc.slice(0, doc.indexOf('Typed by e2e')).split('\\n').length;",
    )
    .await;
    type_keys(&client, "{{").await;
    let problem = wait_until("a template-syntax diagnostic", || async {
        let items = js(
            &client,
            "return [...document.querySelectorAll('[data-test=diagnostic]')].map(e => e.textContent);",
        )
        .await;
        items
            .as_array()?
            .iter()
            .find(|t| t.as_str().is_some_and(|t| t.contains("template-syntax")))
            .cloned()
    })
    .await;
    let expected = format!("templates/welcome/body.mjml:{}:", line_of_cursor);
    assert!(
        problem.as_str().unwrap_or_default().contains(&expected),
        "{problem} (want {expected})"
    );
    assert!(
        client
            .find(Locator::Css("[data-test=error-banner]"))
            .await
            .is_ok()
    );
    assert!(
        srcdoc(&client).await.contains("Typed by e2e"),
        "the last good render stays"
    );
    shot(&client, "03-syntax-error").await;
    type_keys(
        &client,
        &format!(
            "{}{}",
            char::from(Key::Backspace),
            char::from(Key::Backspace)
        ),
    )
    .await;
    wait_until("the error to clear", || async {
        client
            .find(Locator::Css("[data-test=error-banner]"))
            .await
            .is_err()
            .then_some(Value::Null)
    })
    .await;

    // Save with Ctrl+S: the file on disk has the new content.
    type_keys(
        &client,
        &format!("{}s{}", char::from(Key::Control), char::from(Key::Control)),
    )
    .await;
    let body = project.join("templates/welcome/body.mjml");
    wait_until("the save", || async {
        std::fs::read_to_string(&body)
            .ok()
            .filter(|t| t.contains("Typed by e2e"))
            .map(|_| Value::Null)
    })
    .await;

    // Changed outside while clean: the editor reloads it.
    let outside = std::fs::read_to_string(&body)
        .expect("body")
        .replace("Typed by e2e", "Changed outside");
    std::fs::write(&body, &outside).expect("write outside");
    wait_until("the reload", || async {
        editor_text(&client)
            .await
            .contains("Changed outside")
            .then_some(Value::Null)
    })
    .await;
    wait_for_srcdoc(&client, "Changed outside").await;

    // Changed outside while dirty: a conflict, nothing overwritten.
    cursor_into_first_text(&client).await;
    type_keys(&client, "Mine ").await;
    wait_for_srcdoc(&client, "Mine").await;
    std::fs::write(&body, outside.replace("Changed outside", "Theirs")).expect("write outside");
    wait_until("the conflict bar", || async {
        client
            .find(Locator::Css("[data-test=conflict]"))
            .await
            .ok()
            .map(|_| Value::Null)
    })
    .await;
    // Compare: both sides side by side before choosing.
    client
        .find(Locator::Css("[data-test=compare]"))
        .await
        .expect("compare")
        .click()
        .await
        .expect("click compare");
    let sides = wait_until("the comparison", || async {
        let text = js(
            &client,
            "const v = document.querySelector('[data-test=compare-view] .cm-mergeView'); return v ? v.textContent : null;",
        )
        .await;
        text.as_str().map(|t| Value::String(t.to_owned()))
    })
    .await;
    let sides = sides.as_str().unwrap_or_default();
    assert!(
        sides.contains("Mine") && sides.contains("Theirs"),
        "both sides shown: {sides}"
    );
    shot(&client, "04-conflict").await;
    assert!(
        std::fs::read_to_string(&body)
            .expect("body")
            .contains("Theirs")
    );
    assert!(editor_text(&client).await.contains("Mine"));

    // A new fixture from the current one, then opened in the editor.
    client
        .find(Locator::Css("[data-test=new-fixture]"))
        .await
        .expect("copy fixture")
        .click()
        .await
        .expect("click copy");
    client
        .find(Locator::Css("[data-test=new-fixture-name]"))
        .await
        .expect("fixture name")
        .send_keys("returning-user")
        .await
        .expect("type the fixture name");
    client
        .find(Locator::Css("[data-test=new-fixture-create]"))
        .await
        .expect("create fixture")
        .click()
        .await
        .expect("click create");
    let fixture = project.join("templates/welcome/fixtures/returning-user.json");
    wait_until("the new fixture file and editor", || async {
        let shown = js(
            &client,
            "return document.querySelector('[data-test=doc-path]').textContent;",
        )
        .await;
        (fixture.is_file()
            && shown.as_str() == Some("templates/welcome/fixtures/returning-user.json"))
        .then_some(Value::Null)
    })
    .await;
    let copied = std::fs::read_to_string(&fixture).expect("the new fixture");
    assert_eq!(
        copied,
        std::fs::read_to_string(project.join("templates/welcome/fixtures/long-name.json"))
            .expect("its source"),
        "copied from the fixture shown"
    );

    // Menu commands reach the UI (the native menu emits these; WebDriver cannot open it).
    js(
        &client,
        "window.__TAURI__.event.emit('letterpress://menu', 'show-text'); return null;",
    )
    .await;
    wait_until("the text part", || async {
        client
            .find(Locator::Css("[data-test=text-part]"))
            .await
            .ok()
            .map(|_| Value::Null)
    })
    .await;
    js(
        &client,
        "window.__TAURI__.event.emit('letterpress://menu', 'show-html'); return null;",
    )
    .await;
    wait_for_srcdoc(&client, "northwind").await;

    // Templates: create one from the starter, then delete it after confirming.
    let name = client
        .find(Locator::Css("[data-test=template-name]"))
        .await
        .expect("name field");
    name.send_keys("order-shipped").await.expect("type a name");
    client
        .find(Locator::Css("[data-test=create-template]"))
        .await
        .expect("new")
        .click()
        .await
        .expect("click new");
    wait_until("the new template in the sidebar", || async {
        client
            .find(Locator::Css("[data-test=template-order-shipped]"))
            .await
            .ok()
            .map(|_| Value::Null)
    })
    .await;
    wait_for_srcdoc(&client, "order-shipped").await;
    assert!(
        project
            .join("templates/order-shipped/fixtures/default.json")
            .is_file()
    );
    client
        .find(Locator::Css("[data-test=delete-template]"))
        .await
        .expect("delete")
        .click()
        .await
        .expect("click delete");
    client
        .find(Locator::Css("[data-test=confirm-delete-yes]"))
        .await
        .expect("the confirmation")
        .click()
        .await
        .expect("confirm");
    wait_until("the template to go", || async {
        (!project.join("templates/order-shipped").exists()).then_some(Value::Null)
    })
    .await;

    wait_until("the sidebar without it", || async {
        client
            .find(Locator::Css("[data-test=template-order-shipped]"))
            .await
            .is_err()
            .then_some(Value::Null)
    })
    .await;

    // A longer burst of typing for the latency figures (the receipt: the largest template).
    client
        .find(Locator::Css("[data-test=template-receipt] > a"))
        .await
        .expect("receipt")
        .click()
        .await
        .expect("click receipt");
    wait_until("the receipt body in the editor", || async {
        (js(
            &client,
            "return document.querySelector('[data-test=doc-path]').textContent;",
        )
        .await
        .as_str()
            == Some("templates/receipt/body.mjml")
            && editor_text(&client).await.contains("mj-text"))
        .then_some(Value::Null)
    })
    .await;
    cursor_into_first_text(&client).await;
    let burst = "Thank you for your order, we are preparing it now ";
    type_keys(&client, burst).await;
    wait_for_srcdoc(&client, burst.trim_end()).await;

    // Keystroke → preview latency measured inside the app: the burst above (keys as fast as
    // WebDriver sends them, so renders queue), then typing at a fast typist's pace.
    let burst_figures = take_timings(&client, "burst typing").await;
    assert!(
        burst_figures > 0,
        "the app records keystroke → preview timings"
    );
    let paced = "and it ships today from our warehouse in Berlin";
    for key in paced.chars() {
        type_keys(&client, &key.to_string()).await;
        tokio::time::sleep(Duration::from_millis(120)).await;
    }
    wait_for_srcdoc(&client, paced).await;
    assert!(take_timings(&client, "paced typing (120 ms per key)").await > 0);
    // The floor under those figures: a round trip of a command that does nothing.
    let floor = client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             (async () => {
               const times = [];
               for (let i = 0; i < 30; i++) {
                 const t = performance.now();
                 await window.__TAURI__.core.invoke('dirty_paths', { args: {} });
                 times.push(performance.now() - t);
               }
               times.sort((a, b) => a - b);
               const path = 'templates/receipt/body.mjml';
               const text = LetterpressEditor.getDoc(window.__letterpressEditor);
               const request = { template: 'receipt', locale: 'en', fixture: 'default' };
               const renders = [];
               for (let i = 0; i < 30; i++) {
                 const t = performance.now();
                 await window.__TAURI__.core.invoke('edit_and_preview', { args: { path, text, request } });
                 renders.push(performance.now() - t);
               }
               renders.sort((a, b) => a - b);
               done(`empty command ${times[15]} ms, edit_and_preview of the receipt ${renders[15]} ms (idle, median of 30)`);
             })();",
            vec![],
        )
        .await
        .expect("timing an empty command");
    println!("IPC floor: {}", floor.as_str().unwrap_or_default());

    // letterpress.toml broken on disk while the app watches: the error shows at file:line:col
    // (banner and Problems panel), the preview keeps rendering with the last good
    // configuration, and fixing the file clears it.
    let config_path = project.join("letterpress.toml");
    let good_config = std::fs::read_to_string(&config_path).expect("letterpress.toml");
    std::fs::write(&config_path, format!("{good_config}\n[project\n")).expect("break the config");
    let banner = wait_until("the configuration error", || async {
        let text = js(
            &client,
            "const b = document.querySelector('[data-test=config-problem]'); return b ? b.textContent : null;",
        )
        .await;
        text.as_str().map(|t| Value::String(t.to_owned()))
    })
    .await;
    let banner = banner.as_str().unwrap_or_default().to_owned();
    assert!(banner.starts_with("letterpress.toml:"), "{banner}");
    assert!(banner.contains("last valid configuration"), "{banner}");
    let problems = js(
        &client,
        "return document.querySelector('[data-test=problems]').textContent;",
    )
    .await;
    assert!(
        problems
            .as_str()
            .is_some_and(|p| p.contains("letterpress.toml:")),
        "{problems}"
    );
    shot(&client, "04b-config-error").await;
    std::fs::write(&config_path, &good_config).expect("fix the config");
    wait_until("the configuration error to clear", || async {
        js(
            &client,
            "return document.querySelector('[data-test=config-problem]') ? null : true;",
        )
        .await
        .as_bool()
        .map(|_| Value::Null)
    })
    .await;

    // Closing with unsaved edits asks first (the shell sends this event when the window is
    // asked to close; WebDriver cannot press the window manager's close button). "Save and
    // quit" writes the file, then the app exits.
    js(
        &client,
        "window.__TAURI__.event.emit('letterpress://close-requested', ['templates/receipt/body.mjml']); return null;",
    )
    .await;
    let prompt = wait_until("the close prompt", || async {
        let text = js(
            &client,
            "const p = document.querySelector('[data-test=close-prompt]'); return p ? p.textContent : null;",
        )
        .await;
        text.as_str().map(|t| Value::String(t.to_owned()))
    })
    .await;
    assert!(
        prompt
            .as_str()
            .unwrap_or_default()
            .contains("templates/receipt/body.mjml"),
        "{prompt}"
    );
    shot(&client, "05-close-prompt").await;
    client
        .find(Locator::Css("[data-test=save-and-quit]"))
        .await
        .expect("save and quit")
        .click()
        .await
        .expect("click save and quit");
    let receipt = project.join("templates/receipt/body.mjml");
    wait_until("the save before quitting", || async {
        std::fs::read_to_string(&receipt)
            .ok()
            .filter(|t| t.contains(paced))
            .map(|_| Value::Null)
    })
    .await;
    // The app has quit: the session may already be gone.
    let _ = client.close().await;
    drop(processes);
}

/// Prints (and clears) the app's latency records; returns how many keystroke samples there were.
async fn take_timings(client: &Client, label: &str) -> usize {
    let mut keystrokes = 0;
    for (list, what) in [
        ("__letterpressTimings", "keystroke → preview"),
        ("__letterpressEngineTimings", "engine"),
        ("__letterpressRoundTrips", "IPC round trip incl. engine"),
        ("__letterpressPatchTimings", "preview patch incl. layout"),
        ("__letterpressFrameWaits", "answer shown → next frame"),
    ] {
        let values = js(
            client,
            &format!("const v = window.{list} || []; window.{list} = []; return v;"),
        )
        .await;
        let mut values: Vec<f64> = values
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_f64).collect())
            .unwrap_or_default();
        values.sort_by(f64::total_cmp);
        if list == "__letterpressTimings" {
            keystrokes = values.len();
        }
        if !values.is_empty() {
            let p95 = values[((values.len() as f64 * 0.95).ceil() as usize).saturating_sub(1)];
            println!(
                "{label}: {what}: {} samples, median {:.1} ms, p95 {:.1} ms",
                values.len(),
                values[values.len() / 2],
                p95
            );
        }
    }
    keystrokes
}
