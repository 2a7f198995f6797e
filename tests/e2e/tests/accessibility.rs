//! The app's own accessibility, screen by screen, under axe-core (npm `axe-core`, pinned in
//! package.json, injected through WebDriver): the welcome screen, Edit (code and preview),
//! the visual editor with an element selected, Translate, History, Sync and Stats. Each
//! screen must have no serious or critical violation; every violation found is printed with
//! its rule, impact and elements, and the counts per screen are printed (for the closing
//! note). The email inside the preview frames is not the app: its accessibility is checked
//! by the email QA checks, so the frames are excluded. The welcome screen is also worked by
//! keyboard alone, with the focus drawn.

use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;
use letterpress_e2e::{
    centre_of_text, click, click_at, js, shot, start_app_with_args, wait_for_mapped_preview,
    wait_for_text, wait_until,
};
use serde_json::{Value, json};
use std::path::Path;

/// The element `css` (it must exist).
async fn field(client: &fantoccini::Client, css: &str) -> fantoccini::elements::Element {
    client.find(fantoccini::Locator::Css(css)).await.expect(css)
}

/// Presses and releases `key` where the focus is.
async fn press(client: &fantoccini::Client, key: Key) {
    let actions = KeyActions::new("keyboard".into())
        .then(KeyAction::Down { value: key.into() })
        .then(KeyAction::Up { value: key.into() });
    client.perform_actions(actions).await.expect("a key");
}

/// axe-core's script, from node_modules (installed by `npm ci`).
fn axe_source() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../node_modules/axe-core/axe.min.js");
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (run `npm ci`)", path.display()))
}

/// Runs axe on the page as it is; returns (serious or critical count, all, report lines).
async fn audit(client: &fantoccini::Client, screen: &str) -> (usize, usize, Vec<String>) {
    let loaded = js(client, "return typeof window.axe === 'object';").await;
    if loaded != Value::Bool(true) {
        client
            .execute(&axe_source(), vec![])
            .await
            .expect("axe-core loads");
    }
    let result = client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run({ exclude: [['iframe']] }, { resultTypes: ['violations'] })
               .then(r => done(r.violations.map(v => ({
                   id: v.id, impact: v.impact, help: v.help,
                   nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 6),
                   count: v.nodes.length }))))
               .catch(e => done({ error: String(e) }));",
            vec![],
        )
        .await
        .expect("axe runs");
    assert!(result.get("error").is_none(), "{screen}: {result}");
    let violations = result.as_array().cloned().unwrap_or_default();
    let mut lines = Vec::new();
    let mut serious = 0;
    let mut all = 0;
    for v in &violations {
        let impact = v["impact"].as_str().unwrap_or("?");
        let count = v["count"].as_u64().unwrap_or(0) as usize;
        all += count;
        if matches!(impact, "serious" | "critical") {
            serious += count;
        }
        lines.push(format!(
            "{screen}: {impact} {} ({count}): {} — {}",
            v["id"].as_str().unwrap_or("?"),
            v["help"].as_str().unwrap_or(""),
            v["nodes"]
        ));
    }
    (serious, all, lines)
}

#[tokio::test(flavor = "multi_thread")]
async fn every_screen_has_no_serious_or_critical_accessibility_violation() {
    let tmp = tempfile::tempdir().unwrap();
    let state_dir = tmp.path().join("state");
    let (client, processes) = start_app_with_args(&[], &state_dir, &[]).await;
    let mut report: Vec<(String, usize, usize)> = Vec::new();
    let mut details = Vec::new();
    let mut check = async |client: &fantoccini::Client, screen: &str| {
        let (serious, all, lines) = audit(client, screen).await;
        details.extend(lines);
        report.push((screen.to_owned(), serious, all));
    };

    wait_for_text(&client, "[data-test=welcome]", "Open folder").await;
    check(&client, "welcome").await;

    // By keyboard alone: the first action has the focus, drawn; Tab moves on; Enter opens.
    let focus = "const e = document.activeElement;
                 return [e.dataset.test || e.tagName, getComputedStyle(e).outlineStyle];";
    assert_eq!(js(&client, focus).await, json!(["welcome-open", "solid"]));
    press(&client, Key::Tab).await;
    assert_eq!(js(&client, focus).await, json!(["welcome-sample", "solid"]));
    press(&client, Key::Enter).await;
    wait_for_text(&client, "[data-test=sample-note]", "Reset sample").await;
    click(&client, "[data-test=template-welcome] > a").await;
    wait_for_mapped_preview(&client, "Welcome aboard").await;
    check(&client, "edit").await;

    // The visual editor: an element selected, its property panel open.
    let (x, y) = centre_of_text(&client, "Welcome aboard").await;
    click_at(&client, x, y).await;
    wait_for_text(&client, "[data-test=breadcrumb]", "mj-").await;
    check(&client, "visual editor").await;
    shot(&client, "accessibility-visual").await;

    // Preferences…: audited, then used (a bad email is refused with why; the font size
    // applies to the editor at once, and the dialog shows what was stored).
    click(&client, "[data-test=open-preferences]").await;
    wait_for_text(&client, "[data-test=preferences]", "Editor font size").await;
    check(&client, "preferences").await;
    field(&client, "[data-test=pref-author-name]")
        .await
        .send_keys("Ada Designer")
        .await
        .unwrap();
    field(&client, "[data-test=pref-author-email]")
        .await
        .send_keys("ada at example")
        .await
        .unwrap();
    click(&client, "[data-test=pref-save]").await;
    wait_for_text(&client, "[data-test=pref-problem]", "email").await;
    field(&client, "[data-test=pref-author-email]")
        .await
        .clear()
        .await
        .unwrap();
    field(&client, "[data-test=pref-author-email]")
        .await
        .send_keys("ada@example.com")
        .await
        .unwrap();
    js(
        &client,
        "const s = document.querySelector('[data-test=pref-font-size]');
         s.value = '16'; s.dispatchEvent(new Event('change', { bubbles: true })); return null;",
    )
    .await;
    click(&client, "[data-test=pref-save]").await;
    wait_until("the editor at 16 px", || async {
        let size = js(
            &client,
            "return getComputedStyle(document.querySelector('.editor .cm-editor')).fontSize;",
        )
        .await;
        (size == json!("16px")).then_some(Value::Null)
    })
    .await;
    click(&client, "[data-test=open-preferences]").await;
    let shown = js(
        &client,
        "return [document.querySelector('[data-test=pref-author-name]').value,
                 document.querySelector('[data-test=pref-author-email]').value];",
    )
    .await;
    assert_eq!(shown, json!(["Ada Designer", "ada@example.com"]));
    click(&client, "[data-test=pref-cancel]").await;

    for (mode, screen) in [
        ("translate", "translate"),
        ("history", "history"),
        ("sync", "sync"),
        ("stats", "stats"),
    ] {
        click(&client, &format!("[data-test=mode-{mode}]")).await;
        tokio::time::sleep(std::time::Duration::from_millis(800)).await;
        check(&client, screen).await;
    }
    let _ = client.close().await;
    drop(processes);

    for line in &details {
        eprintln!("{line}");
    }
    for (screen, serious, all) in &report {
        eprintln!("axe: {screen}: {serious} serious or critical, {all} in all");
    }
    let failing: Vec<_> = report.iter().filter(|(_, s, _)| *s > 0).collect();
    assert!(
        failing.is_empty(),
        "serious or critical violations: {failing:?}\n{}",
        details.join("\n")
    );
}
