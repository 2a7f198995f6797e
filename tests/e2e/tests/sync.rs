//! The Sync screen in the real app against the real local SES peer (npm `aws-ses-v2-local`,
//! started on a free 127.0.0.1 port, stopped by PID): a temp copy of the sample whose
//! `ses-staging` target points at the peer, a version published to staging through the
//! studio's history API, credentials through the `LETTERPRESS_AWS_*` override. Plan shows
//! 10 creates (welcome + verify-email × 5 locales), apply reports them with progress
//! events and the peer holds them, a new plan is all unchanged; a template edited on the
//! provider shows as drift with its diff and is overwritten only after confirmation.
//! The same for a Postmark target against `PostmarkContractFake` (an in-process fake of
//! Postmark's documented Templates API, not Postmark), its Server API token typed into the
//! screen and kept in a real Secret Service (GNOME Keyring on a private D-Bus), as is an SES
//! access key in another test.
//! Screenshots go to `$CARGO_TARGET_DIR/e2e-shots/sync-*.png`.

use fantoccini::{Client, Locator};
use letterpress_e2e::{
    click, js, sample_copy, shot, start_app, text_of, wait_for_text, wait_until,
};
use letterpress_studio::history::{Author, History, When};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::ffi::OsStr;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const TEMPLATES: [&str; 2] = ["verify-email", "welcome"];
const LOCALES: [&str; 5] = ["ar", "de", "en", "fr", "pl"];
const PREFIX: &str = "northwind-staging-";

/// The harness starts one Xvfb display per test process, and the first app to finish stops
/// it: the tests of this file take turns.
static ONE_APP_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

// The local SES peer (npm `aws-ses-v2-local`, killed by PID on drop) and the in-process
// contract fake of Postmark's Templates API, shared with the studio and CLI sync tests.
use letterpress_test_support::{PostmarkContractFake, SesPeer, fixed_author, fixed_time};

/// Names of the templates the peer holds.
fn template_names(peer: &SesPeer) -> BTreeSet<String> {
    peer.templates().into_keys().collect()
}

/// Points the sample's `ses-staging` target at `endpoint`.
fn point_target_at(project: &Path, endpoint: &str) {
    let path = project.join("letterpress.toml");
    let text = std::fs::read_to_string(&path).expect("read letterpress.toml");
    let table = "[targets.ses-staging]\n";
    assert!(
        text.contains(table),
        "the sample has the ses-staging target"
    );
    let mut text = text.replacen(table, &format!("{table}endpoint = \"{endpoint}\"\n"), 1);
    // A second target with a template SES's Handlebars cannot express (money formatting).
    text.push_str(&format!(
        "\n[targets.ses-staging-receipts]\nprovider = \"ses\"\nenvironment = \"staging\"\n\
         region = \"eu-central-1\"\nendpoint = \"{endpoint}\"\nprefix = \"northwind-receipts-\"\n\
         templates = [\"receipt\"]\n"
    ));
    std::fs::write(&path, text).expect("write letterpress.toml");
}

/// Points the sample's `postmark-staging` target at `endpoint`.
fn point_postmark_target_at(project: &Path, endpoint: &str) {
    let path = project.join("letterpress.toml");
    let text = std::fs::read_to_string(&path).expect("read letterpress.toml");
    let table = "[targets.postmark-staging]\n";
    assert!(
        text.contains(table),
        "the sample has the postmark-staging target"
    );
    let text = text.replacen(table, &format!("{table}endpoint = \"{endpoint}\"\n"), 1);
    std::fs::write(&path, text).expect("write letterpress.toml");
}

/// Selects `name` in the target picker (the first target in name order is selected at
/// first) and waits until its card shows.
async fn select_target(client: &Client, name: &str) {
    let script = format!(
        "const s = document.querySelector('[data-test=sync-target-select]');
         if (!s || ![...s.options].some(o => o.value === {name:?})) return false;
         s.value = {name:?};
         s.dispatchEvent(new Event('change', {{ bubbles: true }}));
         return true;"
    );
    wait_until(&format!("target {name} in the picker"), || async {
        (js(client, &script).await == json!(true)).then_some(Value::Null)
    })
    .await;
    wait_for_target(client, name).await;
}

/// Waits until the target card shows `name`.
async fn wait_for_target(client: &Client, name: &str) {
    wait_until(&format!("the card of target {name}"), || async {
        (text_of(client, "[data-test=sync-target] .target-name")
            .await
            .as_deref()
            == Some(name))
        .then_some(Value::Null)
    })
    .await;
}

fn author() -> (Author, When) {
    (fixed_author(), fixed_time(0))
}

/// Starts versioning and saves everything as the first version.
fn save_first_version(project: &Path) {
    let (author, when) = author();
    History::init(project)
        .expect("start versioning")
        .save("First version", &[], &author, when)
        .expect("save a version");
}

/// Publishes the last version to staging.
fn publish_to_staging(project: &Path) -> String {
    let (author, when) = author();
    History::open(project)
        .expect("open the history")
        .publish("staging", None, "First release", &author, when)
        .expect("publish")
        .tag
}

fn expected_names() -> BTreeSet<String> {
    TEMPLATES
        .iter()
        .flat_map(|t| LOCALES.iter().map(move |l| format!("{PREFIX}{t}-{l}")))
        .collect()
}

/// The plan table's rows as (remote name, action).
async fn plan_rows(client: &Client) -> Vec<(String, String)> {
    let rows = js(
        client,
        "return [...document.querySelectorAll('[data-test=sync-item]')]
             .map(r => [r.dataset.remote, r.dataset.action]);",
    )
    .await;
    rows.as_array()
        .map(|rows| {
            rows.iter()
                .map(|r| {
                    (
                        r[0].as_str().unwrap_or_default().to_owned(),
                        r[1].as_str().unwrap_or_default().to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// No plan or apply is under way (the plan button is enabled again): the table shows the
/// answer to the last request (a later answer would replace it and fold its diffs).
async fn plan_idle(client: &Client) -> bool {
    js(
        client,
        "const b = document.querySelector('[data-test=sync-plan]'); return !!b && !b.disabled;",
    )
    .await
        == json!(true)
}

/// Waits until the plan table lists `count` rows, all with `action` except those in `other`
/// (and no other plan is under way).
async fn wait_for_plan(
    client: &Client,
    count: usize,
    action: &str,
    other: &[(&str, &str)],
) -> Vec<(String, String)> {
    let want: Vec<(String, String)> = expected_names()
        .into_iter()
        .map(|n| {
            let a = other
                .iter()
                .find(|(name, _)| *name == n)
                .map_or(action, |(_, a)| a);
            (n, a.to_owned())
        })
        .collect();
    assert_eq!(want.len(), count);
    let started = Instant::now();
    loop {
        let mut rows = plan_rows(client).await;
        rows.sort();
        if rows == want && plan_idle(client).await {
            return rows;
        }
        if started.elapsed() > Duration::from_secs(30) {
            let error = text_of(client, "[data-test=sync-error]").await;
            panic!("plan rows {rows:?}, want {want:?} (error shown: {error:?})");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// `secret` is in the private keychain, and not in the page nor in any file under `dirs`
/// (the project with its git and sync.sqlite, the app's local state).
async fn assert_only_in_the_keychain(
    client: &Client,
    keyring: &SessionKeyring,
    dirs: &[&Path],
    secret: &str,
) {
    let stored = Command::new("secret-tool")
        .args(["lookup", "service", "letterpress"])
        .env("DBUS_SESSION_BUS_ADDRESS", &keyring.address)
        .output()
        .expect("secret-tool (libsecret-tools)");
    assert!(
        String::from_utf8_lossy(&stored.stdout).contains(secret),
        "the keychain holds it (secret-tool: {})",
        String::from_utf8_lossy(&stored.stderr)
    );
    let page = js(client, "return document.documentElement.outerHTML;").await;
    assert!(!page.as_str().unwrap_or_default().contains(secret));
    for dir in dirs {
        assert_eq!(
            files_containing(dir, secret.as_bytes()),
            Vec::<PathBuf>::new(),
            "it is in no file under {}",
            dir.display()
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn sync_screen_plans_and_applies_against_the_local_ses_peer() {
    let _turn = ONE_APP_AT_A_TIME.lock().await;
    let started = Instant::now();
    let peer = SesPeer::start();
    let (tmp, project) = sample_copy();
    point_target_at(&project, &peer.url());
    save_first_version(&project);
    assert!(
        template_names(&peer).is_empty(),
        "a fresh peer holds nothing"
    );

    let state_dir: PathBuf = tmp.path().join("state");
    let env: [(&str, &OsStr); 2] = [
        (
            "LETTERPRESS_AWS_ACCESS_KEY_ID",
            OsStr::new("AKIAE2ETESTEXAMPLE"),
        ),
        (
            "LETTERPRESS_AWS_SECRET_ACCESS_KEY",
            OsStr::new("e2e-secret/not-a-real-key"),
        ),
    ];
    let (client, _processes) = start_app(&project, &state_dir, &env).await;
    wait_for_text(&client, "[data-test=doc-path]", "templates/").await;

    // Progress events, as the screen receives them.
    js(
        &client,
        "window.__syncProgress = [];
         window.__TAURI__.event.listen('letterpress://sync-progress', e => window.__syncProgress.push(e.payload));
         return true;",
    )
    .await;

    // The target, with credentials from the environment (key id masked, secret never shown).
    // (postmark-staging comes first in name order, so it is selected at first.)
    click(&client, "[data-test=mode-sync]").await;
    select_target(&client, "ses-staging").await;
    wait_for_text(&client, "[data-test=sync-endpoint]", &peer.url()).await;
    wait_for_text(&client, "[data-test=sync-environment]", "staging").await;
    wait_for_text(&client, "[data-test=sync-provider]", "Amazon SES").await;
    let status = wait_for_text(
        &client,
        "[data-test=sync-credential-status]",
        "environment variables",
    )
    .await;
    assert!(status.contains("MPLE"), "key id hint: {status}");
    assert!(!status.contains("AKIAE2E"), "key id masked: {status}");
    let page = js(&client, "return document.body.innerHTML;").await;
    assert!(
        !page.as_str().unwrap_or_default().contains("not-a-real-key"),
        "the secret never reaches the page"
    );

    // Saved but not published: nothing to sync, said plainly.
    wait_for_text(&client, "[data-test=sync-live]", "Nothing is published").await;
    click(&client, "[data-test=sync-plan]").await;
    let error = wait_for_text(&client, "[data-test=sync-error]", "Nothing published").await;
    assert!(error.contains("not-published"), "{error}");
    let error_shot = shot(&client, "sync-not-published").await;

    // Plan: 2 templates × 5 locales to create, from the published version.
    assert_eq!(publish_to_staging(&project), "published/staging/1");
    click(&client, "[data-test=sync-plan]").await;
    wait_for_plan(&client, 10, "create", &[]).await;
    let summary = wait_for_text(&client, "[data-test=sync-count-create]", "10").await;
    assert!(summary.contains("create"), "{summary}");
    wait_for_text(&client, "[data-test=sync-published]", "published/staging/1").await;
    wait_for_text(&client, "[data-test=sync-live]", "First release").await;
    let groups = js(
        &client,
        "return [...document.querySelectorAll('[data-test=sync-group]')].map(g => g.dataset.template);",
    )
    .await;
    assert_eq!(groups, json!(["verify-email", "welcome"]));
    let plan_shot = shot(&client, "sync-plan").await;

    // Apply: the report, a progress event per write, and the peer holds the published set.
    click(&client, "[data-test=sync-apply]").await;
    wait_for_text(&client, "[data-test=report-created]", "10").await;
    wait_for_text(&client, "[data-test=report-updated]", "0").await;
    wait_for_text(&client, "[data-test=report-deleted]", "0").await;
    let progress = js(&client, "return window.__syncProgress;").await;
    let progress = progress.as_array().cloned().unwrap_or_default();
    assert_eq!(
        progress.len(),
        10,
        "one progress event per write: {progress:?}"
    );
    assert_eq!(progress[9]["done"], json!(10));
    assert_eq!(progress[9]["total"], json!(10));
    assert_eq!(template_names(&peer), expected_names());
    let subject = peer.templates()[&format!("{PREFIX}welcome-en")].0.clone();
    assert!(
        !subject.is_empty() && !subject.contains("{%"),
        "subject: {subject}"
    );

    // Plan again: everything unchanged, nothing to apply.
    click(&client, "[data-test=sync-plan]").await;
    wait_for_plan(&client, 10, "unchanged", &[]).await;
    wait_for_text(&client, "[data-test=sync-count-unchanged]", "10").await;
    let disabled = js(
        &client,
        "return document.querySelector('[data-test=sync-apply]').disabled;",
    )
    .await;
    assert_eq!(disabled, json!(true), "nothing to apply");
    let applied_shot = shot(&client, "sync-applied").await;

    // Someone edits a template in the provider's console: drift, with its diff.
    let drifted = format!("{PREFIX}welcome-de");
    peer.edit_subject(&drifted, "Edited in the console");
    click(&client, "[data-test=sync-plan]").await;
    wait_for_plan(&client, 10, "unchanged", &[(drifted.as_str(), "drift")]).await;
    js(
        &client,
        "document.querySelector('[data-test=sync-item][data-action=drift] [data-test=sync-toggle-detail]').click(); return true;",
    )
    .await;
    let diff = wait_for_text(&client, "[data-test=sync-diff]", "Edited in the console").await;
    assert!(diff.contains("-Edited in the console"), "{diff}");
    let drift_shot = shot(&client, "sync-drift").await;

    // Apply without overwrite is refused by the button; with it, after confirmation.
    click(&client, "[data-test=sync-overwrite]").await;
    click(&client, "[data-test=sync-apply]").await;
    wait_for_text(&client, "[data-test=sync-confirm-overwrite]", &drifted).await;
    click(&client, "[data-test=sync-confirm-apply]").await;
    wait_for_text(&client, "[data-test=report-updated]", "1").await;
    wait_for_plan(&client, 10, "unchanged", &[]).await;
    assert_ne!(peer.templates()[&drifted].0, "Edited in the console");

    // A target whose template does not compile: blocked, with the diagnostic at its place;
    // apply stays disabled; the diagnostic opens the file in the editor.
    select_target(&client, "ses-staging-receipts").await;
    wait_for_text(&client, "[data-test=sync-target]", "northwind-receipts-").await;
    click(&client, "[data-test=sync-plan]").await;
    wait_for_text(&client, "[data-test=sync-count-blocked]", "5").await;
    let rows = plan_rows(&client).await;
    assert_eq!(rows.len(), 5, "{rows:?}");
    assert!(rows.iter().all(|(_, a)| a == "blocked"), "{rows:?}");
    let disabled = js(
        &client,
        "return document.querySelector('[data-test=sync-apply]').disabled;",
    )
    .await;
    assert_eq!(disabled, json!(true), "apply refuses blocked templates");
    click(&client, "[data-test=sync-toggle-detail]").await;
    let diagnostic = wait_for_text(
        &client,
        "[data-test=sync-diagnostic]",
        "templates/receipt/template.toml:3:61",
    )
    .await;
    assert!(diagnostic.contains("send-time-unsupported"), "{diagnostic}");
    let blocked_shot = shot(&client, "sync-blocked").await;
    click(&client, "[data-test=sync-diagnostic]").await;
    wait_for_text(
        &client,
        "[data-test=doc-path]",
        "templates/receipt/template.toml",
    )
    .await;
    let edit_shown = js(
        &client,
        "return !document.querySelector('.mode-edit').classList.contains('hidden');",
    )
    .await;
    assert_eq!(edit_shown, json!(true), "the editor is shown");

    client.close().await.expect("close the session");
    println!(
        "sync e2e: {:.1} s; screenshots {}, {}, {}, {}, {}",
        started.elapsed().as_secs_f64(),
        error_shot.display(),
        plan_shot.display(),
        applied_shot.display(),
        drift_shot.display(),
        blocked_shot.display()
    );
}

/// A private D-Bus session with an unlocked GNOME Keyring (the Secret Service the app's
/// keychain uses on Linux), both killed by PID on drop.
struct SessionKeyring {
    dbus: Child,
    keyring: Child,
    address: String,
}

impl SessionKeyring {
    /// `None` when the tools are missing (scripts/test.sh installs them).
    fn start(home: &Path) -> Option<SessionKeyring> {
        use std::io::BufRead;
        let mut dbus = Command::new("dbus-daemon")
            .args(["--session", "--nofork", "--print-address=1"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .ok()?;
        let mut address = String::new();
        let read = dbus
            .stdout
            .take()
            .map(|out| std::io::BufReader::new(out).read_line(&mut address));
        let address = address.trim().to_owned();
        if !matches!(read, Some(Ok(n)) if n > 0) || address.is_empty() {
            let _ = dbus.kill();
            let _ = dbus.wait();
            return None;
        }
        std::fs::create_dir_all(home.join(".local/share")).expect("keyring home");
        let keyring = Command::new("gnome-keyring-daemon")
            .args(["--foreground", "--unlock", "--components=secrets"])
            .env("DBUS_SESSION_BUS_ADDRESS", &address)
            .env("HOME", home)
            .env("XDG_DATA_HOME", home.join(".local/share"))
            .env("XDG_RUNTIME_DIR", home)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
        let mut keyring = match keyring {
            Ok(k) => k,
            Err(_) => {
                let _ = dbus.kill();
                let _ = dbus.wait();
                return None;
            }
        };
        // The login keyring's password, then end of input.
        if let Some(mut stdin) = keyring.stdin.take() {
            let _ = stdin.write_all(b"test");
        }
        let session = SessionKeyring {
            dbus,
            keyring,
            address,
        };
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let owned = Command::new("dbus-send")
                .args([
                    "--session",
                    "--print-reply",
                    "--dest=org.freedesktop.DBus",
                    "/org/freedesktop/DBus",
                    "org.freedesktop.DBus.NameHasOwner",
                    "string:org.freedesktop.secrets",
                ])
                .env("DBUS_SESSION_BUS_ADDRESS", &session.address)
                .output()
                .map(|o| String::from_utf8_lossy(&o.stdout).contains("boolean true"))
                .unwrap_or(false);
            if owned {
                return Some(session);
            }
            assert!(
                Instant::now() < deadline,
                "gnome-keyring-daemon did not register the Secret Service"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for SessionKeyring {
    fn drop(&mut self) {
        let _ = self.keyring.kill();
        let _ = self.keyring.wait();
        let _ = self.dbus.kill();
        let _ = self.dbus.wait();
    }
}

/// Every file under `dir` whose bytes contain `needle` (for "the secret is nowhere").
fn files_containing(dir: &Path, needle: &[u8]) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if std::fs::read(&path)
                .is_ok_and(|bytes| bytes.windows(needle.len()).any(|w| w == needle))
            {
                found.push(path);
            }
        }
    }
    found
}

#[tokio::test(flavor = "multi_thread")]
async fn credentials_typed_in_the_sync_screen_go_to_the_keychain() {
    let _turn = ONE_APP_AT_A_TIME.lock().await;
    const SECRET: &str = "typed-in-the-app-SECRET-7f3a";
    assert!(
        std::env::var_os("LETTERPRESS_AWS_ACCESS_KEY_ID").is_none(),
        "run without LETTERPRESS_AWS_* (they override the keychain)"
    );
    let (tmp, project) = sample_copy();
    let Some(keyring) = SessionKeyring::start(&tmp.path().join("home")) else {
        println!("SKIPPED: dbus-daemon or gnome-keyring-daemon missing");
        return;
    };
    let peer = SesPeer::start();
    point_target_at(&project, &peer.url());
    save_first_version(&project);
    publish_to_staging(&project);

    let state_dir = tmp.path().join("state");
    let env: [(&str, &OsStr); 1] = [("DBUS_SESSION_BUS_ADDRESS", OsStr::new(&keyring.address))];
    let (client, _processes) = start_app(&project, &state_dir, &env).await;
    wait_for_text(&client, "[data-test=doc-path]", "templates/").await;
    click(&client, "[data-test=mode-sync]").await;
    select_target(&client, "ses-staging").await;

    // No credentials yet: said so, the form is open, and plan explains what to do.
    wait_for_text(&client, "[data-test=sync-credential-status]", "Not set").await;
    click(&client, "[data-test=sync-plan]").await;
    let error = wait_for_text(&client, "[data-test=sync-error]", "No credentials").await;
    assert!(error.contains("no-credentials"), "{error}");
    let form = client
        .find(Locator::Css("[data-test=sync-key-id]"))
        .await
        .expect("the credential form is open");
    form.send_keys("AKIAKEYCHAINE2E9")
        .await
        .expect("type key id");
    client
        .find(Locator::Css("[data-test=sync-secret]"))
        .await
        .expect("secret field")
        .send_keys(SECRET)
        .await
        .expect("type secret");
    let form_shot = shot(&client, "sync-credentials").await;
    click(&client, "[data-test=sync-store-credentials]").await;

    // Stored in the keychain: the status says so with the masked key id; the secret field is
    // cleared and the error about missing credentials is gone.
    let status = wait_for_text(&client, "[data-test=sync-credential-status]", "keychain").await;
    assert!(
        status.contains("E2E9") && !status.contains("AKIAKEY"),
        "{status}"
    );
    let secret_field = js(
        &client,
        "const e = document.querySelector('[data-test=sync-secret]'); return e ? e.value : '';",
    )
    .await;
    assert_eq!(secret_field, json!(""));

    // Plan with the keychain's credentials.
    click(&client, "[data-test=sync-plan]").await;
    wait_for_plan(&client, 10, "create", &[]).await;

    assert_only_in_the_keychain(&client, &keyring, &[&project, &state_dir], SECRET).await;
    client.close().await.expect("close the session");
    println!("sync credentials e2e: screenshot {}", form_shot.display());
}

#[tokio::test(flavor = "multi_thread")]
async fn postmark_token_typed_in_the_sync_screen_plans_and_applies_against_the_contract_fake() {
    let _turn = ONE_APP_AT_A_TIME.lock().await;
    let started = Instant::now();
    const TOKEN: &str = "e2e-postmark-server-TOKEN-4b1d";
    assert!(
        std::env::var_os("LETTERPRESS_POSTMARK_SERVER_TOKEN").is_none(),
        "run without LETTERPRESS_POSTMARK_SERVER_TOKEN (it overrides the keychain)"
    );
    let (tmp, project) = sample_copy();
    let Some(keyring) = SessionKeyring::start(&tmp.path().join("home")) else {
        println!("SKIPPED: dbus-daemon or gnome-keyring-daemon missing");
        return;
    };
    let fake = PostmarkContractFake::start(TOKEN);
    point_postmark_target_at(&project, &fake.endpoint());
    save_first_version(&project);
    assert_eq!(publish_to_staging(&project), "published/staging/1");

    let state_dir = tmp.path().join("state");
    let env: [(&str, &OsStr); 1] = [("DBUS_SESSION_BUS_ADDRESS", OsStr::new(&keyring.address))];
    let (client, _processes) = start_app(&project, &state_dir, &env).await;
    wait_for_text(&client, "[data-test=doc-path]", "templates/").await;
    click(&client, "[data-test=mode-sync]").await;

    // The first target in name order is selected: postmark-staging, on the fake, no region.
    wait_for_target(&client, "postmark-staging").await;
    wait_for_text(&client, "[data-test=sync-provider]", "Postmark").await;
    wait_for_text(&client, "[data-test=sync-endpoint]", &fake.endpoint()).await;
    wait_for_text(&client, "[data-test=sync-environment]", "staging").await;
    let facts = js(
        &client,
        "return [...document.querySelectorAll('[data-test=sync-target] dt')].map(d => d.textContent);",
    )
    .await;
    assert_eq!(
        facts,
        json!(["Provider", "Endpoint", "Name prefix", "Templates"]),
        "no Region row for Postmark"
    );

    // No token yet: said so, the form asks for the Server API token only, plan explains.
    wait_for_text(&client, "[data-test=sync-credential-status]", "Not set").await;
    wait_for_text(
        &client,
        "[data-test=sync-credential-form]",
        "Server API token",
    )
    .await;
    let key_id_field = js(
        &client,
        "return document.querySelector('[data-test=sync-key-id]') === null;",
    )
    .await;
    assert_eq!(key_id_field, json!(true), "no access key id field");
    let form = text_of(&client, "[data-test=sync-credential-form]")
        .await
        .unwrap_or_default();
    assert!(!form.contains("Access key"), "{form}");
    click(&client, "[data-test=sync-plan]").await;
    let error = wait_for_text(&client, "[data-test=sync-error]", "No credentials").await;
    assert!(error.contains("no-credentials"), "{error}");
    assert!(fake.templates().is_empty(), "nothing reached the fake");

    // The token goes to the keychain; the status shows its last four characters only.
    client
        .find(Locator::Css("[data-test=sync-secret]"))
        .await
        .expect("token field")
        .send_keys(TOKEN)
        .await
        .expect("type the token");
    let credentials_shot = shot(&client, "sync-postmark-credentials").await;
    click(&client, "[data-test=sync-store-credentials]").await;
    let status = wait_for_text(&client, "[data-test=sync-credential-status]", "keychain").await;
    assert!(
        status.contains("token ****4b1d") && !status.contains("TOKEN"),
        "{status}"
    );
    wait_for_text(
        &client,
        "[data-test=sync-change-credentials]",
        "Set another token",
    )
    .await;
    let error = text_of(&client, "[data-test=sync-error]").await;
    assert_eq!(error, None, "the missing-credentials error is gone");

    // Plan with the keychain's token: 2 templates × 5 locales to create.
    click(&client, "[data-test=sync-plan]").await;
    wait_for_plan(&client, 10, "create", &[]).await;
    wait_for_text(&client, "[data-test=sync-count-create]", "10").await;
    wait_for_text(&client, "[data-test=sync-published]", "published/staging/1").await;
    assert!(fake.templates().is_empty(), "plan wrote nothing");
    let plan_shot = shot(&client, "sync-postmark-plan").await;

    // Apply: exactly the 10 aliases, Standard templates without a layout.
    click(&client, "[data-test=sync-apply]").await;
    wait_for_text(&client, "[data-test=report-created]", "10").await;
    wait_for_text(&client, "[data-test=report-updated]", "0").await;
    wait_for_text(&client, "[data-test=report-deleted]", "0").await;
    let uploaded = fake.templates();
    let aliases: BTreeSet<String> = uploaded.iter().filter_map(|t| t.alias.clone()).collect();
    assert_eq!(uploaded.len(), 10);
    assert_eq!(aliases, expected_names());
    for t in &uploaded {
        assert_eq!(t.template_type, "Standard", "{:?}", t.alias);
        assert_eq!(t.layout_template, None, "{:?}", t.alias);
        assert!(!t.subject.is_empty(), "{:?}", t.alias);
        assert!(
            t.html_body.as_deref().is_some_and(|h| h.contains("<html")),
            "{:?}",
            t.alias
        );
    }

    // Plan again: everything unchanged, nothing to apply.
    click(&client, "[data-test=sync-plan]").await;
    wait_for_plan(&client, 10, "unchanged", &[]).await;
    wait_for_text(&client, "[data-test=sync-count-unchanged]", "10").await;
    let disabled = js(
        &client,
        "return document.querySelector('[data-test=sync-apply]').disabled;",
    )
    .await;
    assert_eq!(disabled, json!(true), "nothing to apply");

    // Someone edits a subject in Postmark's web UI: drift, with its diff.
    let drifted = format!("{PREFIX}welcome-de");
    fake.edit_template(&drifted, |t| t.subject = "Edited in Postmark".into());
    click(&client, "[data-test=sync-plan]").await;
    wait_for_plan(&client, 10, "unchanged", &[(drifted.as_str(), "drift")]).await;
    js(
        &client,
        "document.querySelector('[data-test=sync-item][data-action=drift] [data-test=sync-toggle-detail]').click(); return true;",
    )
    .await;
    let diff = wait_for_text(&client, "[data-test=sync-diff]", "Edited in Postmark").await;
    assert!(diff.contains("-Edited in Postmark"), "{diff}");
    let drift_shot = shot(&client, "sync-postmark-drift").await;

    // The token is in the keychain and nowhere else.
    assert_only_in_the_keychain(&client, &keyring, &[&project, &state_dir], TOKEN).await;
    client.close().await.expect("close the session");
    println!(
        "sync postmark e2e: {:.1} s; screenshots {}, {}, {}",
        started.elapsed().as_secs_f64(),
        credentials_shot.display(),
        plan_shot.display(),
        drift_shot.display()
    );
}
