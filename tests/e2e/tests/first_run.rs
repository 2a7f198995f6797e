//! The first run, as a new user meets it: started without a folder, the app shows the
//! welcome screen; "Open the sample project" opens a copy of the bundled sample in the
//! user's data folder (never the folder the sample ships in), kept across starts and reset
//! on request; a project folder inside another git repository says so, and versioning there
//! waits for a confirmation. Screenshots go to `$CARGO_TARGET_DIR/e2e-shots/first-run-*.png`.

use letterpress_e2e::{
    click, js, sample_copy, shot, start_app, start_app_with_args, wait_for_text, wait_until,
};
use serde_json::{Value, json};
use std::process::Command;

/// The harness starts one Xvfb display per test process, and the first app to finish stops
/// it: the tests of this file take turns.
static ONE_APP_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// The templates the sidebar lists.
async fn sidebar_templates(client: &fantoccini::Client) -> Value {
    js(
        client,
        "return [...document.querySelectorAll('.sidebar .template > a')].map(a => a.firstChild.textContent);",
    )
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn started_without_a_folder_the_app_welcomes_and_opens_a_copy_of_the_sample() {
    let _alone = ONE_APP_AT_A_TIME.lock().await;
    let tmp = tempfile::tempdir().unwrap();
    let state_dir = tmp.path().join("state");
    let (client, processes) = start_app_with_args(&[], &state_dir, &[]).await;
    let welcome = wait_for_text(&client, "[data-test=welcome]", "Open folder").await;
    for action in [
        "Open the sample project",
        "New project from sample",
        "New empty project",
    ] {
        assert!(welcome.contains(action), "{welcome}");
    }
    let hidden = js(
        &client,
        "return getComputedStyle(document.querySelector('.app')).display;",
    )
    .await;
    assert_eq!(hidden, json!("none"), "no editor without a project");
    shot(&client, "first-run-01-welcome").await;

    click(&client, "[data-test=welcome-sample]").await;
    wait_for_text(&client, "[data-test=sample-note]", "Reset sample").await;
    let copy = state_dir.join("Sample project");
    assert!(copy.join("letterpress.toml").is_file(), "the copy is made");
    assert!(!copy.join(".git").exists(), "the copy carries no history");
    let templates = sidebar_templates(&client).await;
    assert_eq!(templates.as_array().map(Vec::len), Some(6), "{templates}");
    // The filter above the list (for projects of real size).
    let filter = client
        .find(fantoccini::Locator::Css("[data-test=template-filter]"))
        .await
        .unwrap();
    filter.send_keys("rece").await.unwrap();
    wait_for_text(&client, "[data-test=filter-count]", "1 of 6 templates").await;
    assert_eq!(sidebar_templates(&client).await, json!(["receipt"]));
    filter.send_keys("\u{e00c}").await.unwrap(); // Escape clears it.
    wait_until("every template listed again", || async {
        let t = sidebar_templates(&client).await;
        (t.as_array().map(Vec::len) == Some(6)).then_some(Value::Null)
    })
    .await;
    shot(&client, "first-run-02-sample").await;

    // Changes to the copy stay in the copy; "Reset sample" brings the sample back.
    std::fs::remove_dir_all(copy.join("templates/receipt")).unwrap();
    wait_until("the sidebar without receipt", || async {
        let t = sidebar_templates(&client).await;
        (t.as_array().map(Vec::len) == Some(5)).then_some(Value::Null)
    })
    .await;
    click(&client, "[data-test=reset-sample]").await;
    click(&client, "[data-test=reset-sample-yes]").await;
    wait_until("the sidebar with receipt again", || async {
        let t = sidebar_templates(&client).await;
        (t.as_array().map(Vec::len) == Some(6)).then_some(Value::Null)
    })
    .await;
    assert!(copy.join("templates/receipt/template.toml").is_file());
    let _ = client.close().await;
    drop(processes);

    // `--sample` (what `npm start` passes) opens the same copy again, as it was left.
    std::fs::write(copy.join("templates/welcome/fixtures/mine.json"), "{}").unwrap();
    let (client, processes) = start_app_with_args(&["--sample"], &state_dir, &[]).await;
    wait_for_text(&client, "[data-test=sample-note]", "Reset sample").await;
    wait_for_text(&client, "[data-test=template-welcome]", "mine.json").await;
    let _ = client.close().await;
    drop(processes);
}

#[tokio::test(flavor = "multi_thread")]
async fn versioning_a_folder_inside_another_repository_asks_first() {
    let _alone = ONE_APP_AT_A_TIME.lock().await;
    let (tmp, _) = sample_copy();
    // A project folder inside someone's checkout.
    let outer = tmp.path().join("checkout");
    std::fs::create_dir_all(&outer).unwrap();
    let status = Command::new("git")
        .args(["init", "-q"])
        .current_dir(&outer)
        .status()
        .unwrap();
    assert!(status.success());
    let project = outer.join("emails");
    let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    letterpress_studio::copy_project(&repo, &project).unwrap();
    let state_dir = tmp.path().join("state");
    let (client, processes) = start_app(&project, &state_dir, &[]).await;
    click(&client, "[data-test=mode-history]").await;
    let outer_shown = outer.canonicalize().unwrap().display().to_string();
    let note = wait_for_text(
        &client,
        ".mode-history [data-test=nested-repository]",
        "is inside the git repository at",
    )
    .await;
    assert!(note.contains(&outer_shown), "{note}");
    click(&client, "[data-test=start-versioning-main]").await;
    wait_for_text(
        &client,
        ".mode-history [data-test=nested-repository]",
        "Start a separate history here",
    )
    .await;
    assert!(
        !project.join(".git").exists(),
        "nothing before the confirmation"
    );
    shot(&client, "first-run-03-nested-repository").await;
    click(
        &client,
        ".mode-history [data-test=nested-repository] [data-test=confirm-nested-yes]",
    )
    .await;
    wait_until("the nested history", || async {
        project.join(".git").is_dir().then_some(Value::Null)
    })
    .await;
    wait_for_text(&client, "[data-test=history-notice]", "Versioning started").await;
    let _ = client.close().await;
    drop(processes);
}
