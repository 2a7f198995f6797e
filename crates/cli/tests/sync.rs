//! `letterpress targets | auth | sync` against the real local SES peer: exit codes, JSON,
//! a process killed with SIGKILL in the middle of an apply (and the next apply resuming it),
//! and the real OS keychain path (Secret Service in a private D-Bus session).

use letterpress_studio::sync::{ENV_ACCESS_KEY_ID, ENV_SECRET_ACCESS_KEY, SyncState};
use letterpress_test_support::{FaultProxy, SesPeer, add_target, sample_copy, save_and_publish};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const TARGET: &str = "ses-staging";
const PREFIX: &str = "nw-staging-";
const SECRET: &str = "cli/test+SECRET+value";

fn letterpress(root: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_letterpress"));
    cmd.arg("--project").arg(root);
    cmd.env(ENV_ACCESS_KEY_ID, "AKIDCLITEST");
    cmd.env(ENV_SECRET_ACCESS_KEY, SECRET);
    cmd
}

fn run(cmd: &mut Command) -> (i32, String, String) {
    let out = cmd.output().expect("run letterpress");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn set_endpoint(root: &Path, endpoint: &str) {
    let path = root.join("letterpress.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let start = text.find("endpoint = \"").unwrap() + "endpoint = \"".len();
    let end = start + text[start..].find('"').unwrap();
    std::fs::write(
        &path,
        format!("{}{endpoint}{}", &text[..start], &text[end..]),
    )
    .unwrap();
}

#[test]
fn targets_plan_apply_exit_codes_and_json() {
    let peer = SesPeer::start();
    let (_tmp, root) = sample_copy();
    add_target(&root, TARGET, &peer.url(), PREFIX);

    let (code, out, err) = run(letterpress(&root).args(["targets"]));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains(TARGET) && out.contains(&peer.url()), "{out}");

    // Nothing published yet.
    let (code, _, err) = run(letterpress(&root).args(["sync", "plan", TARGET]));
    assert_eq!(code, 2, "{err}");
    save_and_publish(&root, "staging", 1);

    let (code, out, err) = run(letterpress(&root).args(["sync", "plan", TARGET]));
    assert_eq!(code, 3, "changes pending: {out}{err}");
    assert!(
        out.contains(&format!("+ create    {PREFIX}welcome-en")),
        "{out}"
    );
    assert!(out.contains("15 to create"), "{out}");

    let (code, out, err) =
        run(letterpress(&root).args(["sync", "apply", TARGET, "--format", "json"]));
    assert_eq!(code, 0, "{err}");
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["created"], 15);

    let (code, out, _) = run(letterpress(&root).args(["sync", "plan", TARGET, "--format", "json"]));
    assert_eq!(code, 0);
    let plan: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(plan["counts"]["unchanged"], 15);
    assert_eq!(plan["tag"], "published/staging/1");

    peer.edit_subject(
        &format!("{PREFIX}verify-email-fr"),
        "changed in the console",
    );
    let (code, out, _) = run(letterpress(&root).args(["sync", "plan", TARGET]));
    assert_eq!(code, 4, "{out}");
    assert!(out.contains("! drift"), "{out}");
    let (code, _, err) = run(letterpress(&root).args(["sync", "apply", TARGET]));
    assert_eq!(code, 4, "{err}");
    assert!(err.contains("warning[drift]"), "{err}");
    let (code, _, err) =
        run(letterpress(&root).args(["sync", "apply", TARGET, "--overwrite-drift"]));
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("1 updated"), "{err}");

    // The secret is nowhere: not in output, not in the sync database.
    let db = std::fs::read(root.join(".letterpress/sync.sqlite")).unwrap();
    assert!(!String::from_utf8_lossy(&db).contains(SECRET));

    // An invalid target is reported at its place in letterpress.toml.
    let path = root.join("letterpress.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        text.replace("region = \"eu-west-1\"", "region = \"EU West\""),
    )
    .unwrap();
    let (code, _, err) = run(letterpress(&root).args(["targets"]));
    assert_eq!(code, 2);
    assert!(
        err.contains("letterpress.toml:") && err.contains("not a region name"),
        "{err}"
    );
}

#[test]
fn an_apply_killed_mid_way_is_resumed_without_duplicates_or_losses() {
    let peer = SesPeer::start();
    // Forward 7 writes, then forward the 8th and hold its answer: the process is killed
    // after the peer acted but before the outcome was recorded.
    let proxy = FaultProxy::stalling_after(peer.port, 7);
    let (_tmp, root) = sample_copy();
    add_target(&root, TARGET, &proxy.url(), PREFIX);
    save_and_publish(&root, "staging", 1);

    let mut child = letterpress(&root)
        .args(["sync", "apply", TARGET])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    while !proxy.stalled() {
        assert!(
            Instant::now() < deadline,
            "the apply never reached the 8th write"
        );
        assert!(child.try_wait().unwrap().is_none(), "apply ended early");
        std::thread::sleep(Duration::from_millis(10));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    assert_eq!(peer.templates().len(), 8);

    set_endpoint(&root, &peer.url());
    let (code, out, err) =
        run(letterpress(&root).args(["sync", "apply", TARGET, "--format", "json"]));
    assert_eq!(code, 0, "{err}");
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["created"], 7, "{report}");
    assert_eq!(report["unchanged"], 8, "{report}");
    assert_eq!(report["resumed_runs"], serde_json::json!([1]));

    let names: Vec<String> = peer.templates().into_keys().collect();
    assert_eq!(names.len(), 15);
    assert!(names.iter().all(|n| n.starts_with(PREFIX)));

    let state = SyncState::open(&root).unwrap();
    let runs = state.runs(TARGET).unwrap();
    assert_eq!(runs[0].outcome.as_deref(), Some("interrupted"));
    assert_eq!(runs[0].resumed_by, Some(runs[1].id));
    assert_eq!(runs[1].outcome.as_deref(), Some("completed"));
    let audit = state.audit(TARGET).unwrap();
    let interrupted: Vec<_> = audit
        .iter()
        .filter(|a| a.outcome.as_deref() == Some("interrupted"))
        .collect();
    assert_eq!(interrupted.len(), 1, "{audit:#?}");
    assert!(audit.iter().all(|a| a.outcome.is_some()));
    // Each remote name was created exactly once over both runs (the interrupted one counts).
    for name in &names {
        let creates = audit.iter().filter(|a| &a.remote_name == name).count();
        assert_eq!(creates, 1, "{name}: {audit:#?}");
        assert!(state.synced_hash(TARGET, name).unwrap().is_some());
    }
    let (code, _, _) = run(letterpress(&root).args(["sync", "plan", TARGET]));
    assert_eq!(code, 0);
}

fn have(bin: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {bin}")])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

#[test]
fn credentials_go_through_the_real_keychain() {
    if !(have("dbus-run-session") && have("gnome-keyring-daemon")) {
        // scripts/test.sh installs them (gnome-keyring, dbus); this only happens elsewhere.
        println!("SKIPPED: dbus-run-session or gnome-keyring-daemon missing");
        return;
    }
    let peer = SesPeer::start();
    let (tmp, root) = sample_copy();
    add_target(&root, TARGET, &peer.url(), PREFIX);
    save_and_publish(&root, "staging", 1);
    let home = tmp.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let bin = env!("CARGO_BIN_EXE_letterpress");
    let script = format!(
        "echo -n test | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1; \
         \"$LP\" --project \"$ROOT\" auth status {TARGET}; echo \"status-before=$?\"; \
         printf 'AKIDKEYCHAIN42\\n{SECRET}\\n' | \"$LP\" --project \"$ROOT\" auth set {TARGET} || exit 10; \
         \"$LP\" --project \"$ROOT\" auth status {TARGET} || exit 11; \
         \"$LP\" --project \"$ROOT\" sync plan {TARGET} --format json > \"$ROOT/../plan.json\"; echo \"plan=$?\"; \
         {ENV_ACCESS_KEY_ID}=AKIDFROMENV {ENV_SECRET_ACCESS_KEY}=x \"$LP\" --project \"$ROOT\" auth status {TARGET}"
    );
    let (code, out, err) = run(Command::new("dbus-run-session")
        .args(["--", "sh", "-c", &script])
        .env("LP", bin)
        .env("ROOT", &root)
        .env("HOME", &home)
        .env("XDG_DATA_HOME", home.join(".local/share"))
        .env("XDG_RUNTIME_DIR", &home)
        .env_remove(ENV_ACCESS_KEY_ID)
        .env_remove(ENV_SECRET_ACCESS_KEY));
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("status-before=1"), "{out}");
    assert!(
        out.contains(&format!("{TARGET}: keychain (key id **********IN42)")),
        "{out}"
    );
    assert!(
        out.contains("plan=3"),
        "plan with keychain credentials: {out}\n{err}"
    );
    assert!(
        out.contains(&format!("{TARGET}: environment (key id *******MENV)")),
        "{out}"
    );
    let plan = std::fs::read_to_string(tmp.path().join("plan.json")).unwrap();
    assert!(plan.contains("\"create\": 15"), "{plan}");
    assert!(!out.contains(SECRET) && !err.contains(SECRET) && !plan.contains(SECRET));
}

#[test]
fn without_a_keychain_auth_set_says_so_and_stores_nothing() {
    let (_tmp, root) = sample_copy();
    add_target(&root, TARGET, "http://127.0.0.1:9", PREFIX);
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_letterpress"));
    cmd.arg("--project")
        .arg(&root)
        .args(["auth", "set", TARGET])
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
        .env_remove("DISPLAY")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        writeln!(stdin, "AKIDNOKEYCHAIN\n{SECRET}").unwrap();
    }
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("error[no-keychain]")
            && err.contains("never stores credentials in a plain file"),
        "{err}"
    );
    assert!(!err.contains(SECRET));
    assert!(
        !root.join(".letterpress").exists()
            || !String::from_utf8_lossy(
                &std::fs::read(root.join(".letterpress/sync.sqlite")).unwrap_or_default()
            )
            .contains(SECRET)
    );
}

#[test]
fn a_postmark_token_goes_through_the_real_keychain_and_syncs() {
    if !(have("dbus-run-session") && have("gnome-keyring-daemon")) {
        println!("SKIPPED: dbus-run-session or gnome-keyring-daemon missing");
        return;
    }
    const POSTMARK: &str = "postmark-staging";
    const TOKEN: &str = "0f7e5c1a-cli-server-token";
    let fake = letterpress_test_support::PostmarkContractFake::start(TOKEN);
    let (tmp, root) = sample_copy();
    letterpress_test_support::add_postmark_target(&root, POSTMARK, &fake.endpoint(), PREFIX);
    save_and_publish(&root, "staging", 1);
    let home = tmp.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let script = format!(
        "echo -n test | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1; \
         \"$LP\" --project \"$ROOT\" auth status {POSTMARK}; echo \"status-before=$?\"; \
         printf '{TOKEN}\\n' | \"$LP\" --project \"$ROOT\" auth set {POSTMARK} || exit 10; \
         \"$LP\" --project \"$ROOT\" auth status {POSTMARK} || exit 11; \
         \"$LP\" --project \"$ROOT\" sync apply {POSTMARK} --format json > \"$ROOT/../apply.json\"; echo \"apply=$?\"; \
         \"$LP\" --project \"$ROOT\" sync plan {POSTMARK}; echo \"plan=$?\""
    );
    let (code, out, err) = run(Command::new("dbus-run-session")
        .args(["--", "sh", "-c", &script])
        .env("LP", env!("CARGO_BIN_EXE_letterpress"))
        .env("ROOT", &root)
        .env("HOME", &home)
        .env("XDG_DATA_HOME", home.join(".local/share"))
        .env("XDG_RUNTIME_DIR", &home)
        .env_remove(letterpress_studio::sync::ENV_POSTMARK_SERVER_TOKEN));
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("status-before=1"), "{out}");
    assert!(
        out.contains(&format!("{POSTMARK}: keychain (token ****oken)")),
        "{out}"
    );
    assert!(
        out.contains("apply=0") && out.contains("plan=0"),
        "{out}\n{err}"
    );
    let report = std::fs::read_to_string(tmp.path().join("apply.json")).unwrap();
    assert!(report.contains("\"created\": 15"), "{report}");
    let aliases: Vec<String> = fake
        .templates()
        .into_iter()
        .filter_map(|t| t.alias)
        .collect();
    assert_eq!(aliases.len(), 15, "{aliases:?}");
    assert!(!out.contains(TOKEN) && !err.contains(TOKEN) && !report.contains(TOKEN));
    let state = std::fs::read(root.join(".letterpress/sync.sqlite")).unwrap_or_default();
    assert!(!String::from_utf8_lossy(&state).contains(TOKEN));
}
