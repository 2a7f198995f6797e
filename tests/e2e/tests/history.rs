//! Versions in the real app, as a designer without git knowledge uses them: start
//! versioning, save versions (the author is asked once), the History screen, the rendered
//! diff (two previews, changed text marked), restore, publish. A real git repository on a
//! temp copy of the sample; Xvfb (when no display is set) + tauri-driver + fantoccini.
//! Screenshots go to `$CARGO_TARGET_DIR/e2e-shots/` (or `target/e2e-shots/`).

use fantoccini::{Client, Locator, key::Key};
use letterpress_e2e::{
    click, cursor_into_first_text, editor_text, js, sample_copy, shot, start_app, text_of,
    wait_for_text, wait_until,
};
use serde_json::{Value, json};
use std::ffi::OsStr;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

async fn js_text(client: &Client, script: &str) -> String {
    js(client, script)
        .await
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// The document shown in the iframe `data-test=<name>`, as patched by LetterpressPreview.
async fn frame_html(client: &Client, name: &str) -> String {
    js_text(
        client,
        &format!(
            "const f = document.querySelector('[data-test={name}]'); return f ? LetterpressPreview.current(f) : '';"
        ),
    )
    .await
}

async fn wait_for_frame(client: &Client, name: &str, needle: &str) -> String {
    let html = wait_until(&format!("{name} containing {needle:?}"), || async {
        let html = frame_html(client, name).await;
        html.contains(needle).then_some(Value::String(html))
    })
    .await;
    html.as_str().unwrap_or_default().to_owned()
}

async fn type_into(client: &Client, css: &str, text: &str) {
    client
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .send_keys(text)
        .await
        .unwrap_or_else(|e| panic!("typing into {css}: {e}"));
}

/// Types `text` right after the `>` of the first `<mj-text ...>` of the open document.
async fn type_into_first_text(client: &Client, text: &str) {
    cursor_into_first_text(client).await;
    type_into(client, ".editor .cm-content", text).await;
}

/// Ctrl+S in the editor, then waits until the file holds `needle`.
async fn save_file(client: &Client, file: &Path, needle: &str) {
    type_into(
        client,
        ".editor .cm-content",
        &format!("{}s{}", char::from(Key::Control), char::from(Key::Control)),
    )
    .await;
    wait_until(
        &format!("{} to hold {needle:?}", file.display()),
        || async {
            std::fs::read_to_string(file)
                .ok()
                .filter(|t| t.contains(needle))
                .map(|_| Value::Null)
        },
    )
    .await;
}

/// Clicks `button` (a data-test name) inside the history row whose summary is `summary`.
async fn click_in_version(client: &Client, summary: &str, button: &str) {
    let script = format!(
        "const row = [...document.querySelectorAll('[data-test=version]')]
             .find(li => li.querySelector('[data-test=version-summary]').textContent === {summary:?});
         if (!row) return false;
         row.querySelector('[data-test={button}]').click();
         return true;"
    );
    wait_until(&format!("{button} of version {summary:?}"), || async {
        (js(client, &script).await == Value::Bool(true)).then_some(Value::Null)
    })
    .await;
}

/// Opens the save dialog, chooses every changed file, writes `message` and saves.
async fn save_version(client: &Client, message: &str) {
    click(client, "[data-test=save-version-open]").await;
    wait_until("the save dialog", || async {
        client
            .find(Locator::Css("[data-test=save-dialog]"))
            .await
            .ok()
            .map(|_| Value::Null)
    })
    .await;
    type_into(client, "[data-test=save-message]", message).await;
    click(client, "[data-test=save-version]").await;
}

fn git(project: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .arg("-C")
        .arg(project)
        .args(args)
        .output()
        .expect("git");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_designer_versions_compares_restores_and_publishes_a_template() {
    let (tmp, project) = sample_copy();
    // A home without git identity: the app must ask for the author (once).
    let home = tmp.path().join("home");
    std::fs::create_dir_all(home.join(".config")).expect("home");

    let state_dir = tmp.path().join("state");
    let config_home = home.join(".config");
    let (client, processes) = start_app(
        &project,
        &state_dir,
        &[
            ("HOME", home.as_os_str()),
            ("XDG_CONFIG_HOME", config_home.as_os_str()),
            ("GIT_CONFIG_NOSYSTEM", OsStr::new("1")),
        ],
    )
    .await;

    // The welcome email in the editor.
    click(&client, "[data-test=template-welcome] > a").await;
    wait_for_frame(&client, "preview", "northwind").await;
    wait_until("the welcome body in the editor", || async {
        let shown = text_of(&client, "[data-test=doc-path]").await;
        (shown.as_deref() == Some("templates/welcome/body.mjml")
            && editor_text(&client).await.contains("mj-text"))
        .then_some(Value::Null)
    })
    .await;

    // Not a repository yet: the sidebar offers to start versioning.
    click(&client, "[data-test=start-versioning]").await;
    wait_until("the changes list after init", || async {
        client
            .find(Locator::Css("[data-test=changes-welcome]"))
            .await
            .ok()
            .map(|_| Value::Null)
    })
    .await;
    assert!(project.join(".git").is_dir(), "a repository was created");
    assert!(project.join(".gitignore").is_file(), "with a .gitignore");

    // Edit + save the body, then the first version (the author is asked once).
    let body = project.join("templates/welcome/body.mjml");
    type_into_first_text(&client, "Version one ").await;
    save_file(&client, &body, "Version one").await;
    save_version(&client, "First version").await;
    wait_until("the author form", || async {
        client
            .find(Locator::Css("[data-test=author-dialog]"))
            .await
            .ok()
            .map(|_| Value::Null)
    })
    .await;
    type_into(&client, "[data-test=author-name]", "Dana Designer").await;
    type_into(&client, "[data-test=author-email]", "dana@example.com").await;
    shot(&client, "history-01-author").await;
    click(&client, "[data-test=author-save]").await;
    wait_for_text(&client, "[data-test=history-notice]", "First version").await;
    assert_eq!(
        git(&project, &["log", "--format=%s|%an|%ae"]),
        "First version|Dana Designer|dana@example.com"
    );
    wait_until("no changes left", || async {
        client
            .find(Locator::Css("[data-test=no-changes]"))
            .await
            .ok()
            .map(|_| Value::Null)
    })
    .await;

    // A second change and version: no author question this time.
    type_into_first_text(&client, "Version two ").await;
    save_file(&client, &body, "Version two").await;
    wait_until("the change in the sidebar", || async {
        client
            .find(Locator::Css("[data-test=changes-welcome]"))
            .await
            .ok()
            .map(|_| Value::Null)
    })
    .await;
    assert!(
        client
            .find(Locator::Css(
                "[data-test=template-welcome] [data-test=changed]"
            ))
            .await
            .is_ok(),
        "the template is marked as changed"
    );
    save_version(&client, "Second version").await;
    wait_for_text(&client, "[data-test=history-notice]", "Second version").await;
    assert!(
        client
            .find(Locator::Css("[data-test=author-dialog]"))
            .await
            .is_err(),
        "the author is asked only once"
    );
    let first_id = git(&project, &["rev-parse", "HEAD~1"]);

    // The History screen lists both versions of the template, newest first.
    click(&client, "[data-test=mode-history]").await;
    let summaries = wait_until("both versions listed", || async {
        let list = js(
            &client,
            "return [...document.querySelectorAll('[data-test=version-summary]')].map(e => e.textContent);",
        )
        .await;
        (list.as_array().map(Vec::len) == Some(2)).then_some(list)
    })
    .await;
    assert_eq!(summaries, json!(["Second version", "First version"]));
    let meta = text_of(&client, "[data-test=version] .meta")
        .await
        .unwrap_or_default();
    assert!(meta.contains("Dana Designer"), "author shown: {meta}");

    // Rendered diff: both previews side by side, the insertion marked on the right.
    click_in_version(&client, "First version", "pick").await;
    click_in_version(&client, "Second version", "pick").await;
    let after = wait_for_frame(&client, "diff-after", "<mark").await;
    assert!(
        after.contains("class=\"lp-inserted\""),
        "inserted words are marked"
    );
    let marked = js_text(
        &client,
        "const f = document.querySelector('[data-test=diff-after]');
         return [...f.contentDocument.querySelectorAll('mark.lp-inserted')].map(m => m.textContent).join(' ');",
    )
    .await;
    assert!(
        marked.contains("Version") && marked.contains("two"),
        "marked: {marked}"
    );
    let before = wait_for_frame(&client, "diff-before", "Version one").await;
    assert!(
        before.contains("Version one") && !before.contains("Version two"),
        "the left preview is the first version"
    );
    let changes = wait_for_text(&client, "[data-test=text-changes]", "two").await;
    assert!(changes.contains("Body"), "{changes}");
    // Let the two frames paint before the picture.
    tokio::time::sleep(Duration::from_millis(400)).await;
    let picture = shot(&client, "history-02-rendered-diff").await;
    println!("rendered diff screenshot: {}", picture.display());

    // Source diff: the same two versions side by side (CodeMirror merge view).
    click(&client, "[data-test=view-source]").await;
    let source = wait_until("the source comparison", || async {
        let text = js(
            &client,
            "const v = document.querySelector('[data-test=source-compare] .cm-mergeView'); return v ? v.textContent : null;",
        )
        .await;
        text.as_str()
            .filter(|t| t.contains("Version two"))
            .map(|t| Value::String(t.to_owned()))
    })
    .await;
    assert!(source.as_str().unwrap_or_default().contains("Version one"));
    shot(&client, "history-03-source-diff").await;
    click(&client, "[data-test=view-rendered]").await;

    // Restore the first version: confirmed, the file on disk is back, the editor follows.
    click_in_version(&client, "First version", "restore").await;
    click(&client, "[data-test=confirm-restore-yes]").await;
    wait_until("the restored body on disk", || async {
        std::fs::read_to_string(&body)
            .ok()
            .filter(|t| t.contains("Version one") && !t.contains("Version two"))
            .map(|_| Value::Null)
    })
    .await;
    wait_for_text(&client, "[data-test=history-notice]", "Restored welcome").await;
    wait_until("the editor to show the restored body", || async {
        let doc = editor_text(&client).await;
        (doc.contains("Version one") && !doc.contains("Version two")).then_some(Value::Null)
    })
    .await;
    assert_eq!(
        git(&project, &["log", "--format=%s"]),
        "Second version\nFirst version",
        "history is not rewritten by a restore"
    );

    // A version against the working copy: picking "Working copy" replaces the oldest pick;
    // the words the restore took out are marked as removed on the left.
    click(&client, "[data-test=version-working] [data-test=pick]").await;
    wait_for_text(&client, "[data-test=after-label]", "Working copy").await;
    let left = wait_for_frame(&client, "diff-before", "lp-removed").await;
    assert!(left.contains("two"), "the second version on the left");
    let right = wait_for_frame(&client, "diff-after", "Version one").await;
    assert!(
        !right.contains("Version two"),
        "the working copy on the right"
    );

    // Publish the first version to staging: badge and live marker shown, tag in the repo.
    click_in_version(&client, "First version", "publish-open").await;
    let env = client
        .find(Locator::Css("[data-test=publish-env]"))
        .await
        .expect("environment field");
    assert_eq!(
        env.prop("value").await.ok().flatten().as_deref(),
        Some("staging")
    );
    type_into(&client, "[data-test=publish-notes]", "First release").await;
    click(&client, "[data-test=publish]").await;
    wait_for_text(&client, "[data-test=live-staging]", "staging").await;
    let badge = wait_for_text(&client, "[data-test=version] .badge.live", "staging #1").await;
    assert_eq!(badge.trim(), "staging #1");
    assert_eq!(
        git(&project, &["tag", "--list", "published/*"]),
        "published/staging/1"
    );
    assert_eq!(
        git(&project, &["rev-parse", "published/staging/1^{commit}"]),
        first_id
    );
    assert_eq!(
        git(
            &project,
            &[
                "tag",
                "--list",
                "--format=%(contents:subject)",
                "published/*"
            ]
        ),
        "First release"
    );
    shot(&client, "history-04-published").await;

    // The restored wording becomes a version of its own (nothing was rewritten).
    wait_until("the restore listed as a change", || async {
        client
            .find(Locator::Css("[data-test=changes-welcome]"))
            .await
            .ok()
            .map(|_| Value::Null)
    })
    .await;
    save_version(&client, "Back to the first wording").await;
    wait_for_text(
        &client,
        "[data-test=history-notice]",
        "Back to the first wording",
    )
    .await;

    // Share: a remote (a bare repository at a file URL), push versions and the publish mark.
    let remote = tmp.path().join("remote.git");
    git(tmp.path(), &["init", "--bare", "-b", "main", "remote.git"]);
    click(&client, "[data-test=remotes] summary").await;
    let remote_url = format!("file://{}", remote.display());
    type_into(&client, "[data-test=remote-url]", &remote_url).await;
    click(&client, "[data-test=add-remote]").await;
    wait_for_text(&client, "[data-test=remote]", "origin").await;
    click(&client, "[data-test=push]").await;
    wait_for_text(&client, "[data-test=history-notice]", "Sent main to origin").await;
    let head = git(&project, &["rev-parse", "HEAD"]);
    assert_eq!(git(&remote, &["rev-parse", "main"]), head);
    assert_eq!(
        git(&remote, &["tag", "--list", "published/*"]),
        "published/staging/1"
    );

    // A colleague changes the same heading and pushes; here it changes too and is saved.
    let clone = tmp.path().join("clone");
    git(tmp.path(), &["clone", "-q", &remote_url, "clone"]);
    let theirs = clone.join("templates/welcome/body.mjml");
    let text = std::fs::read_to_string(&theirs).expect("the clone's body");
    std::fs::write(
        &theirs,
        text.replacen("Version one", "Version from a colleague", 1),
    )
    .expect("the colleague's edit");
    git(
        &clone,
        &[
            "-c",
            "user.name=Colleague",
            "-c",
            "user.email=colleague@example.com",
            "commit",
            "-qam",
            "Colleague's wording",
        ],
    );
    git(&clone, &["push", "-q", "origin", "main"]);
    click(&client, "[data-test=mode-edit]").await;
    type_into_first_text(&client, "Mine ").await;
    save_file(&client, &body, "Mine Version one").await;
    save_version(&client, "My wording").await;
    wait_for_text(&client, "[data-test=history-notice]", "My wording").await;

    // Pull: the conflict is listed, both sides are kept in the file; abort puts it back.
    click(&client, "[data-test=mode-history]").await;
    click(&client, "[data-test=pull]").await;
    wait_for_text(
        &client,
        "[data-test=merge-banner] [data-test=conflict-file]",
        "templates/welcome/body.mjml",
    )
    .await;
    let conflicted = std::fs::read_to_string(&body).expect("body");
    assert!(
        conflicted.contains("<<<<<<<")
            && conflicted.contains("Mine Version one")
            && conflicted.contains("Version from a colleague"),
        "both sides kept: {conflicted}"
    );
    shot(&client, "history-05-conflict").await;
    click(&client, "[data-test=abort-merge]").await;
    wait_until("the merge banner to go", || async {
        client
            .find(Locator::Css("[data-test=merge-banner]"))
            .await
            .is_err()
            .then_some(Value::Null)
    })
    .await;
    let after_abort = std::fs::read_to_string(&body).expect("body");
    assert!(
        after_abort.contains("Mine Version one") && !after_abort.contains("<<<<<<<"),
        "back as before the pull: {after_abort}"
    );
    wait_until("the editor to follow the abort", || async {
        let doc = editor_text(&client).await;
        (doc.contains("Mine Version one") && !doc.contains("<<<<<<<")).then_some(Value::Null)
    })
    .await;

    // A lock left behind by a crashed git program: saving says so, the lock is cleared from
    // the app, and saving works again.
    let lock = project.join(".git/index.lock");
    let stale = std::fs::File::create(&lock).expect("a stale lock");
    stale
        .set_modified(std::time::SystemTime::now() - Duration::from_secs(3600))
        .expect("an old lock");
    drop(stale);
    click(&client, "[data-test=mode-edit]").await;
    type_into_first_text(&client, "Locked ").await;
    save_file(&client, &body, "Locked Mine").await;
    save_version(&client, "After the lock").await;
    wait_for_text(
        &client,
        "[data-test=save-dialog] [data-test=history-problem]",
        "locked",
    )
    .await;
    click(&client, "[data-test=save-dialog] [data-test=clear-lock]").await;
    wait_for_text(
        &client,
        "[data-test=history-notice]",
        "Removed the stale lock",
    )
    .await;
    assert!(!lock.exists(), "the stale lock is gone");
    click(&client, "[data-test=save-version]").await;
    wait_for_text(&client, "[data-test=history-notice]", "After the lock").await;
    click(&client, "[data-test=mode-history]").await;

    // Restore with unsaved edits of that template: refused, with the reason.
    click(&client, "[data-test=mode-edit]").await;
    type_into_first_text(&client, "Unsaved ").await;
    click(&client, "[data-test=mode-history]").await;
    click_in_version(&client, "Second version", "restore").await;
    click(&client, "[data-test=confirm-restore-yes]").await;
    let refusal = wait_for_text(&client, "[data-test=history-problem]", "unsaved edits").await;
    assert!(refusal.contains("templates/welcome/body.mjml"), "{refusal}");
    assert!(
        !std::fs::read_to_string(&body)
            .expect("body")
            .contains("Version two"),
        "nothing was restored"
    );

    // A longer history (made outside the app) is listed a page at a time.
    for n in 1..=20 {
        git(
            &project,
            &[
                "-c",
                "user.name=Script",
                "-c",
                "user.email=script@example.com",
                "commit",
                "-q",
                "--allow-empty",
                "-m",
                &format!("Housekeeping {n}"),
            ],
        );
    }
    let count = "return document.querySelectorAll('[data-test=version]').length;";
    click(&client, "[data-test=scope-project]").await;
    wait_until("the first page of the project's history", || async {
        let listed = js(&client, count).await;
        (listed == json!(20)).then_some(Value::Null)
    })
    .await;
    click(&client, "[data-test=load-more]").await;
    wait_until("the rest of the history", || async {
        let listed = js(&client, count).await;
        (listed == json!(25)).then_some(Value::Null)
    })
    .await;
    assert!(
        client
            .find(Locator::Css("[data-test=load-more]"))
            .await
            .is_err(),
        "no more pages"
    );

    client.close().await.expect("close the session");
    drop(processes);
}
