//! The translators' workspace in the real app, on a copy of the sample project: the locale
//! grid, editing a German string with the preview beside it, saving to the `.ftl`, refused
//! edits, finding a key from the preview, the Arabic preview and the en-XA pseudo-locale.
//! Same harness as `app.rs`: Xvfb (when no display is set) + tauri-driver + WebKitWebDriver +
//! fantoccini. Screenshots go to `$CARGO_TARGET_DIR/e2e-shots/` (or `target/e2e-shots/`).

use fantoccini::{Client, Locator, key::Key};
use letterpress_e2e::{click, click_at, js, sample_copy, shot, start_app, wait_until};
use serde_json::{Value, json};

/// The HTML the Translate screen's preview shows now.
async fn preview_html(client: &Client) -> String {
    js(
        client,
        "const f = document.querySelector('[data-test=tx-preview]'); return f ? LetterpressPreview.current(f) : '';",
    )
    .await
    .as_str()
    .unwrap_or_default()
    .to_owned()
}

async fn wait_for_preview(client: &Client, needle: &str) -> String {
    wait_until(
        &format!("translation preview containing {needle:?}"),
        || async {
            let html = preview_html(client).await;
            html.contains(needle).then_some(Value::String(html))
        },
    )
    .await
    .as_str()
    .unwrap_or_default()
    .to_owned()
}

async fn text_of(client: &Client, css: &str) -> Option<String> {
    let element = client.find(Locator::Css(css)).await.ok()?;
    element.text().await.ok()
}

async fn wait_for_text(client: &Client, css: &str, needle: &str) -> String {
    wait_until(&format!("{css} containing {needle:?}"), || async {
        text_of(client, css)
            .await
            .filter(|t| t.contains(needle))
            .map(Value::String)
    })
    .await
    .as_str()
    .unwrap_or_default()
    .to_owned()
}

/// Waits until the DOM text (`textContent`, no CSS applied) of `css` contains `needle`.
async fn wait_for_content(client: &Client, css: &str, needle: &str) {
    let script = format!(
        "const e = document.querySelector({}); return e ? e.textContent : null;",
        json!(css)
    );
    wait_until(&format!("{css} with text {needle:?}"), || async {
        js(client, &script)
            .await
            .as_str()
            .filter(|t| t.contains(needle))
            .map(|_| Value::Null)
    })
    .await;
}

/// Replaces the cell editor's text by typing, like a translator (select all, then type).
async fn retype_draft(client: &Client, text: &str) {
    let draft = client
        .find(Locator::Css("[data-test=tx-draft]"))
        .await
        .expect("the cell editor");
    draft.click().await.expect("focus the cell editor");
    draft
        .send_keys(&format!(
            "{}a{}",
            char::from(Key::Control),
            char::from(Key::Control)
        ))
        .await
        .expect("select all");
    draft.send_keys(text).await.expect("typing");
}

async fn press(client: &Client, keys: &str) {
    client
        .find(Locator::Css("[data-test=tx-draft]"))
        .await
        .expect("the cell editor")
        .send_keys(keys)
        .await
        .expect("keys");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_translator_edits_german_in_the_grid_with_the_preview_beside_it() {
    let (tmp, project) = sample_copy();

    let state_dir = tmp.path().join("state");
    let (client, processes) = start_app(&project, &state_dir, &[]).await;

    let de_welcome = project.join("locales/de/welcome.ftl");
    let original = std::fs::read_to_string(&de_welcome).expect("the German catalog");

    // The Translate screen: the grid with a status per cell and per-locale progress.
    click(&client, "[data-test=mode-translate]").await;
    wait_for_text(&client, "[data-test=progress-de]", "translated").await;
    let status = wait_for_text(&client, "[data-test=cell-welcome-heading-de]", "Schön").await;
    assert!(
        status.to_lowercase().contains("translated"),
        "status shown as text: {status}"
    );

    // Search narrows the rows; the German cell of a key used by the welcome template.
    client
        .find(Locator::Css("[data-test=tx-search]"))
        .await
        .expect("search")
        .send_keys("welcome-heading")
        .await
        .expect("type a search");
    wait_until("only matching rows", || async {
        let rows = js(
            &client,
            "return document.querySelectorAll('[data-test=locale-grid] tbody tr').length;",
        )
        .await;
        (rows.as_u64() == Some(1)).then_some(Value::Null)
    })
    .await;
    click(&client, "[data-test=cell-welcome-heading-de]").await;
    wait_for_text(&client, "[data-test=tx-selected-key]", "welcome-heading").await;
    // The keyboard moves between cells (the click focused the grid) and Enter edits.
    let grid_keys = |key: Key| {
        let client = client.clone();
        async move {
            client
                .find(Locator::Css("[data-test=grid-keys]"))
                .await
                .expect("the grid")
                .send_keys(&char::from(key).to_string())
                .await
                .expect("keys");
        }
    };
    grid_keys(Key::Left).await;
    wait_for_text(&client, "[data-test=tx-selected-locale]", "en").await;
    grid_keys(Key::Right).await;
    wait_for_text(&client, "[data-test=tx-selected-locale]", "de").await;
    grid_keys(Key::Enter).await;
    wait_until("the cell editor to have the focus", || async {
        let focused = js(
            &client,
            "return document.activeElement && document.activeElement.dataset.test;",
        )
        .await;
        (focused.as_str() == Some("tx-draft")).then_some(Value::Null)
    })
    .await;
    let template = js(
        &client,
        "return document.querySelector('[data-test=tx-template]').value;",
    )
    .await;
    assert_eq!(
        template.as_str(),
        Some("welcome"),
        "a template using the key"
    );
    let before = wait_for_preview(&client, "Schön, dass Sie da sind").await;
    assert!(
        before.contains("lang=\"de\""),
        "the cell's locale is previewed"
    );

    // Typing updates the preview before anything is saved.
    retype_draft(&client, "Hallo und herzlich willkommen, { $name }!").await;
    wait_for_preview(&client, "Hallo und herzlich willkommen").await;
    assert_eq!(
        std::fs::read_to_string(&de_welcome).expect("catalog"),
        original,
        "typing writes nothing"
    );
    shot(&client, "translate-typing-de").await;

    // Enter saves: only that entry of the .ftl changed on disk.
    press(&client, &char::from(Key::Enter).to_string()).await;
    wait_for_text(
        &client,
        "[data-test=tx-notice]",
        "Saved welcome-heading (de)",
    )
    .await;
    let saved = std::fs::read_to_string(&de_welcome).expect("catalog");
    assert!(
        saved.contains("welcome-heading = Hallo und herzlich willkommen, { $name }!"),
        "saved: {saved}"
    );
    assert_eq!(
        saved.replace(
            "welcome-heading = Hallo und herzlich willkommen, { $name }!",
            "welcome-heading = Schön, dass Sie da sind, { $name }!"
        ),
        original,
        "every other byte kept"
    );
    wait_for_text(
        &client,
        "[data-test=cell-welcome-heading-de]",
        "Hallo und herzlich",
    )
    .await;

    // Dropping the placeholder: the error shows while typing, and a save writes nothing.
    retype_draft(&client, "Hallo ohne Namen!").await;
    let error = wait_for_text(&client, "[data-test=cell-error]", "placeholder").await;
    assert!(error.contains("$name"), "names the variable: {error}");
    press(
        &client,
        &format!("{}s{}", char::from(Key::Control), char::from(Key::Control)),
    )
    .await;
    wait_for_text(&client, "[data-test=tx-notice]", "Not saved").await;
    assert_eq!(
        std::fs::read_to_string(&de_welcome).expect("catalog"),
        saved,
        "a refused edit writes nothing"
    );
    shot(&client, "translate-placeholder-error").await;

    // A Fluent syntax error is shown at its line:column.
    retype_draft(&client, "Hallo { $name").await;
    let syntax = wait_for_text(&client, "[data-test=cell-error]", "fluent-syntax").await;
    assert!(syntax.contains("1:"), "line:column shown: {syntax}");
    click(&client, "[data-test=tx-revert]").await;
    wait_until("the error cleared", || async {
        client
            .find(Locator::Css("[data-test=cell-error]"))
            .await
            .is_err()
            .then_some(Value::Null)
    })
    .await;

    // Clicking text in the preview selects its key.
    client
        .find(Locator::Css("[data-test=tx-search]"))
        .await
        .expect("search")
        .clear()
        .await
        .expect("clear the search");
    // The click lands where the intro paragraph is drawn (viewport coordinates).
    let point = js(
        &client,
        "const f = document.querySelector('[data-test=tx-preview]');
         const d = f.contentDocument;
         const hit = Array.from(d.querySelectorAll('body *'))
           .find(e => e.children.length === 0 && e.textContent.includes('ist eingerichtet'));
         if (!hit) return null;
         hit.scrollIntoView({ block: 'center' });
         const r = hit.getBoundingClientRect();
         const o = f.getBoundingClientRect();
         return [o.left + f.clientLeft + r.left + Math.min(20, r.width / 2),
                 o.top + f.clientTop + r.top + r.height / 2];",
    )
    .await;
    let (x, y) = match point.as_array().map(|p| (p[0].as_f64(), p[1].as_f64())) {
        Some((Some(x), Some(y))) => (x, y),
        _ => panic!("the intro paragraph is not in the preview: {point}"),
    };
    click_at(&client, x, y).await;
    wait_for_text(&client, "[data-test=tx-selected-key]", "welcome-intro").await;
    let selected_row = js(
        &client,
        "const r = document.querySelector('[data-test=row-welcome-intro]'); return r ? r.className : '';",
    )
    .await;
    assert!(
        selected_row
            .as_str()
            .unwrap_or_default()
            .contains("selected"),
        "the row is selected: {selected_row}"
    );

    // Arabic: the preview turns right-to-left; the grid beside it.
    client
        .find(Locator::Css("[data-test=tx-preview-locale]"))
        .await
        .expect("locale picker")
        .select_by_value("ar")
        .await
        .expect("pick Arabic");
    let arabic = wait_for_preview(&client, "dir=\"rtl\"").await;
    assert!(arabic.contains("lang=\"ar\""), "Arabic preview");
    wait_for_text(&client, "[data-test=tx-selected-locale]", "ar").await;
    shot(&client, "translate-grid-arabic").await;

    // The pseudo-locale en-XA renders bracketed, accented text.
    let picker = client
        .find(Locator::Css("[data-test=tx-preview-locale]"))
        .await
        .expect("locale picker");
    let options = picker.text().await.expect("options");
    assert!(
        options.contains("en-XA (pseudo)"),
        "pseudo-locales marked: {options}"
    );
    picker.select_by_value("en-XA").await.expect("pick en-XA");
    wait_for_text(&client, "[data-test=tx-pseudo-note]", "Pseudo-locale").await;
    let pseudo = wait_for_preview(&client, "lang=\"en-XA\"").await;
    assert!(pseudo.contains('[') && pseudo.contains(']'), "bracketed");
    assert!(
        pseudo.contains('é') || pseudo.contains('á') || pseudo.contains('ö'),
        "accented"
    );
    shot(&client, "translate-pseudo-en-xa").await;

    // A Polish plural (one/few/many/other selector), typed over several lines (Shift+Enter),
    // previewed in Polish, saved with Ctrl+S.
    click(&client, "[data-test=cell-daily-digest-person-tasks-pl]").await;
    wait_for_content(&client, "[data-test=tx-selected-locale]", "pl").await;
    let draft = js(
        &client,
        "return document.querySelector('[data-test=tx-draft]').value;",
    )
    .await;
    assert!(
        draft.as_str().unwrap_or_default().contains("[few]"),
        "the plural's variants are edited as Fluent: {draft}"
    );
    let newline = format!(
        "{}{}{}",
        char::from(Key::Shift),
        char::from(Key::Enter),
        char::from(Key::Shift)
    );
    let plural = [
        "{ $count ->",
        "    [one] 1 zadanie GOTOWE",
        "    [few] { $count } zadania GOTOWE",
        "    [many] { $count } zadań GOTOWE",
        "   *[other] { $count } zadania GOTOWE",
        "}",
    ]
    .join(&newline);
    retype_draft(&client, &plural).await;
    let polish = wait_for_preview(&client, "zadania GOTOWE").await;
    assert!(polish.contains("lang=\"pl\""), "previewed in Polish");
    press(
        &client,
        &format!("{}s{}", char::from(Key::Control), char::from(Key::Control)),
    )
    .await;
    wait_for_content(
        &client,
        "[data-test=tx-notice]",
        "Saved daily-digest-person-tasks (pl)",
    )
    .await;
    let pl_digest = std::fs::read_to_string(project.join("locales/pl/daily-digest.ftl"))
        .expect("the Polish catalog");
    assert!(
        pl_digest.contains("[many] { $count } zadań GOTOWE"),
        "saved: {pl_digest}"
    );

    // Editing the source text makes the translations outdated; the filter finds them and a
    // translator accepts one as current (recorded in translated-from.toml).
    click(&client, "[data-test=cell-welcome-signoff-en]").await;
    wait_for_content(&client, "[data-test=tx-selected-locale]", "en").await;
    retype_draft(&client, "Happy planning, everyone!").await;
    press(&client, &char::from(Key::Enter).to_string()).await;
    wait_for_content(
        &client,
        "[data-test=tx-notice]",
        "Saved welcome-signoff (en)",
    )
    .await;
    wait_for_content(&client, "[data-test=cell-welcome-signoff-de]", "outdated").await;
    client
        .find(Locator::Css("[data-test=tx-locale-filter]"))
        .await
        .expect("locale filter")
        .select_by_value("de")
        .await
        .expect("only German");
    client
        .find(Locator::Css("[data-test=tx-status-filter]"))
        .await
        .expect("status filter")
        .select_by_value("outdated")
        .await
        .expect("filter outdated");
    wait_until("the German column only", || async {
        let columns = js(
            &client,
            "return document.querySelectorAll('[data-test=locale-grid] thead th.locale').length;",
        )
        .await;
        (columns.as_u64() == Some(2)).then_some(Value::Null)
    })
    .await;
    wait_until("only outdated rows", || async {
        let rows = js(
            &client,
            "return Array.from(document.querySelectorAll('[data-test=locale-grid] tbody tr'))
               .map(r => r.dataset.test);",
        )
        .await;
        (rows == json!(["row-welcome-signoff"])).then_some(Value::Null)
    })
    .await;
    let record = project.join("locales/de/translated-from.toml");
    let record_before = std::fs::read_to_string(&record).unwrap_or_default();
    click(&client, "[data-test=cell-welcome-signoff-de]").await;
    click(&client, "[data-test=tx-accept]").await;
    wait_for_content(
        &client,
        "[data-test=tx-notice]",
        "Accepted welcome-signoff (de)",
    )
    .await;
    wait_for_content(&client, "[data-test=locale-grid]", "No key matches.").await;
    assert_ne!(
        std::fs::read_to_string(&record).unwrap_or_default(),
        record_before,
        "the acceptance is recorded"
    );
    client
        .find(Locator::Css("[data-test=tx-status-filter]"))
        .await
        .expect("status filter")
        .select_by_value("")
        .await
        .expect("all statuses");
    client
        .find(Locator::Css("[data-test=tx-locale-filter]"))
        .await
        .expect("locale filter")
        .select_by_value("")
        .await
        .expect("all locales");

    // Adding a locale: an invalid code is refused in the banner; a valid one gets a column
    // with its direction.
    let new_locale = client
        .find(Locator::Css("[data-test=tx-new-locale]"))
        .await
        .expect("add locale field");
    new_locale.send_keys("not a locale!").await.expect("type");
    click(&client, "[data-test=tx-add-locale]").await;
    wait_until("the refusal", || async {
        client
            .find(Locator::Css("[data-test=tx-problem]"))
            .await
            .ok()
            .map(|_| Value::Null)
    })
    .await;
    new_locale.clear().await.expect("clear");
    new_locale.send_keys("fa").await.expect("type");
    click(&client, "[data-test=tx-add-locale]").await;
    wait_for_content(
        &client,
        "[data-test=tx-notice]",
        "Added locale fa (dir: rtl)",
    )
    .await;
    wait_for_content(&client, "[data-test=progress-fa]", "rtl").await;
    let manifest = std::fs::read_to_string(project.join("letterpress.toml")).expect("manifest");
    assert!(manifest.contains("\"fa\""), "fa added: {manifest}");
    shot(&client, "translate-added-locale").await;

    // A German override of the welcome template, marked in the sidebar, opened in the editor.
    client
        .find(Locator::Css("[data-test=tx-preview-locale]"))
        .await
        .expect("locale picker")
        .select_by_value("de")
        .await
        .expect("pick German");
    wait_for_content(&client, "[data-test=tx-override]", "Create de override").await;
    click(&client, "[data-test=tx-override]").await;
    wait_for_content(
        &client,
        "[data-test=doc-path]",
        "templates/welcome/body.de.mjml",
    )
    .await;
    wait_for_content(&client, "[data-test=override-welcome-de]", "de override").await;
    assert!(project.join("templates/welcome/body.de.mjml").is_file());
    shot(&client, "translate-override-in-editor").await;

    // Back to the editor.
    click(&client, "[data-test=mode-edit]").await;
    client.close().await.expect("close the session");
    drop(processes);
}
