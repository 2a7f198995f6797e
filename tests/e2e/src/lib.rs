//! The harness the end-to-end tests in `tests/` share: a temp copy of the sample project, the
//! real app started under Xvfb (when no display is set) through tauri-driver and
//! WebKitWebDriver, a fantoccini client, waiting, scripts and screenshots.

use fantoccini::actions::{
    InputSource, KeyAction, KeyActions, MOUSE_BUTTON_LEFT, MouseActions, PointerAction,
};
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};
use std::ffi::OsStr;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Child processes stopped (SIGTERM via kill) when the test ends, pass or fail.
pub struct Processes(Vec<Child>);

impl Drop for Processes {
    fn drop(&mut self) {
        for child in self.0.iter_mut().rev() {
            let _ = Command::new("kill").arg(child.id().to_string()).status();
            let _ = child.wait();
        }
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// Where cargo builds (`$CARGO_TARGET_DIR`, else the workspace's `target/`).
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"))
}

/// The app under test: `LETTERPRESS_APP_BIN` (e.g. a release build, for measurements), else
/// the debug build.
pub fn app_binary() -> PathBuf {
    let bin = std::env::var_os("LETTERPRESS_APP_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| target_dir().join("debug/letterpress-app"));
    assert!(
        bin.is_file(),
        "{} is missing: run `cargo build -p letterpress-app` first (npm test does)",
        bin.display()
    );
    bin
}

/// A temp folder holding `project/`, a copy of the bundled sample project.
pub fn sample_copy() -> (tempfile::TempDir, PathBuf) {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let tmp = tempfile::tempdir().expect("tempdir");
    let project = tmp.path().join("project");
    letterpress_studio::copy_project(&repo, &project).expect("copy the sample");
    (tmp, project)
}

/// Starts the app on `project` with its SQLite state in `state_dir` (plus `env` for the app),
/// and a WebDriver session on it. Keep the processes alive as long as the client is used.
pub async fn start_app(
    project: &Path,
    state_dir: &Path,
    env: &[(&str, &OsStr)],
) -> (Client, Processes) {
    let project = project.to_string_lossy().into_owned();
    start_app_with_args(&[project.as_str()], state_dir, env).await
}

/// [`start_app`] with the app's command line `args` (none: the welcome screen; `--sample`:
/// the sample copy in `state_dir`, as `npm start` opens it).
pub async fn start_app_with_args(
    args: &[&str],
    state_dir: &Path,
    env: &[(&str, &OsStr)],
) -> (Client, Processes) {
    let mut processes = Processes(Vec::new());
    let display = match std::env::var("DISPLAY") {
        Ok(d) if !d.is_empty() => d,
        _ => {
            let d = format!(":{}", 90 + std::process::id() % 400);
            let xvfb = Command::new("Xvfb")
                .args([
                    d.as_str(),
                    "-screen",
                    "0",
                    "1440x900x24",
                    "-nolisten",
                    "tcp",
                ])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("Xvfb (apt install xvfb)");
            processes.0.push(xvfb);
            std::thread::sleep(Duration::from_millis(500));
            d
        }
    };
    let port = free_port();
    let native_port = free_port();
    let mut driver = Command::new("tauri-driver");
    driver
        .args([
            "--port",
            &port.to_string(),
            "--native-port",
            &native_port.to_string(),
        ])
        .env("DISPLAY", &display)
        .env("LETTERPRESS_STATE_DIR", state_dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    for (key, value) in env {
        driver.env(key, value);
    }
    let driver = driver
        .spawn()
        .expect("tauri-driver (cargo install tauri-driver --version 2.1.0 --locked)");
    processes.0.push(driver);

    let mut caps = serde_json::Map::new();
    caps.insert(
        "tauri:options".into(),
        json!({ "application": app_binary(), "args": args }),
    );
    caps.insert("browserName".into(), json!("wry"));
    let url = format!("http://127.0.0.1:{port}");
    let started = Instant::now();
    let client = loop {
        match ClientBuilder::native()
            .capabilities(caps.clone())
            .connect(&url)
            .await
        {
            Ok(c) => break c,
            Err(_) if started.elapsed() < Duration::from_secs(20) => {
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
            Err(e) => panic!("cannot start a session on tauri-driver: {e}"),
        }
    };
    (client, processes)
}

/// Polls `check` every 100 ms until it answers, for at most 30 s.
pub async fn wait_until<F, Fut>(what: &str, mut check: F) -> Value
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<Value>>,
{
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(v) = check().await {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Runs `script` in the app's window and returns its result.
/// Clicks `css` once it exists and is enabled (a disabled button would ignore the click).
pub async fn click(client: &Client, css: &str) {
    wait_until(&format!("{css} to be clickable"), || async {
        let el = client.find(Locator::Css(css)).await.ok()?;
        if !el.is_enabled().await.ok()? {
            return None;
        }
        el.click().await.ok().map(|_| Value::Null)
    })
    .await;
}

/// The text content of every element matching `css`, one per line; `None` when empty.
pub async fn text_of(client: &Client, css: &str) -> Option<String> {
    let texts = js(
        client,
        &format!(
            "return [...document.querySelectorAll({css:?})].map(e => e.textContent).join('\\n');"
        ),
    )
    .await;
    texts.as_str().filter(|t| !t.is_empty()).map(str::to_owned)
}

/// Waits until the text of `css` contains `needle` (for at most 30 s); returns that text.
/// On a timeout it says what `css` held last and what the app's problem bar said, and saves
/// a screenshot (`e2e-shots/timeout.png`): a failure in CI can be read from its log.
pub async fn wait_for_text(client: &Client, css: &str, needle: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let text = text_of(client, css).await;
        if let Some(text) = text.as_ref().filter(|t| t.contains(needle)) {
            return text.clone();
        }
        if Instant::now() >= deadline {
            let problem = text_of(client, "[data-test=problem]").await;
            let screenshot = shot(client, "timeout").await;
            panic!(
                "timed out waiting for {css} containing {needle:?}; it held {text:?}; \
                 the problem bar: {problem:?}; screenshot: {}",
                screenshot.display()
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

pub async fn js(client: &Client, script: &str) -> Value {
    client.execute(script, vec![]).await.expect(script)
}

/// Puts the cursor right after the `>` of the first `<mj-text ...>` in the open document.
pub async fn cursor_into_first_text(client: &Client) {
    js(
        client,
        "const doc = LetterpressEditor.getDoc(window.__letterpressEditor);
         const open = doc.indexOf('<mj-text');
         const at = doc.indexOf('>', open) + 1;
         const before = doc.slice(0, at).split('\\n');
         LetterpressEditor.goto(window.__letterpressEditor, before.length, before[before.length - 1].length + 1);
         return at;",
    )
    .await;
}

/// Saves a screenshot as `$CARGO_TARGET_DIR/e2e-shots/NAME.png` and returns its path.
pub async fn shot(client: &Client, name: &str) -> PathBuf {
    let dir = target_dir().join("e2e-shots");
    std::fs::create_dir_all(&dir).expect("screenshot dir");
    let path = dir.join(format!("{name}.png"));
    // WebKit takes the snapshot after its next paint. Painting without GL compositing (the
    // app's choice on machines without a GPU, like this one) an idle page may not paint
    // again, and the snapshot would wait for ever: a barely visible change of the page just
    // after the request makes that paint happen.
    js(
        client,
        "for (const [delay, value] of [[50, '1px solid rgba(0,0,0,0.01)'], [250, ''], [1000, '1px solid rgba(0,0,0,0.01)'], [1300, '']]) {
           setTimeout(() => { document.documentElement.style.outline = value; }, delay);
         }
         return null;",
    )
    .await;
    match tokio::time::timeout(Duration::from_secs(30), client.screenshot()).await {
        Ok(Ok(png)) => std::fs::write(&path, png).expect("write screenshot"),
        Ok(Err(e)) => panic!("screenshot {name}: {e}"),
        Err(_) => panic!("screenshot {name}: WebKit gave no snapshot within 30 s"),
    }
    path
}

// ---- the email and the editor, as a person uses them ----

/// Waits until the preview shows `template` with its visual mapping.
pub async fn wait_for_mapped_preview(client: &Client, needle: &str) {
    wait_until(
        &format!("a mapped preview containing {needle:?}"),
        || async {
            let ok = js(
                client,
                &format!(
                    "const f = document.querySelector('[data-test=preview]');
                 const html = f ? LetterpressPreview.current(f) : '';
                 return html.includes({needle:?}) && /class=\"lp-\\d+-\\d+/.test(html);"
                ),
            )
            .await;
            ok.as_bool().filter(|b| *b).map(|_| Value::Null)
        },
    )
    .await;
}

/// Clicks at a point of the app's viewport, as a person would.
pub async fn click_at(client: &Client, x: f64, y: f64) {
    let mouse = MouseActions::new("mouse".into())
        .then(PointerAction::MoveTo {
            duration: None,
            x: x.round(),
            y: y.round(),
        })
        .then(PointerAction::Down {
            button: MOUSE_BUTTON_LEFT,
        })
        .then(PointerAction::Up {
            button: MOUSE_BUTTON_LEFT,
        });
    client.perform_actions(mouse).await.expect("click");
}

/// The viewport point at the centre of the email's element whose text includes `text`
/// (scrolled into view first).
pub async fn centre_of_text(client: &Client, text: &str) -> (f64, f64) {
    let point = js(
        client,
        &format!(
            "const f = document.querySelector('[data-test=preview]');
             const d = f.contentDocument;
             // The deepest visible element holding the text.
             const hit = Array.from(d.querySelectorAll('body *'))
               .filter(e => e.textContent.includes({text:?})
                 && !Array.from(e.children).some(c => c.textContent.includes({text:?}))
                 && e.getBoundingClientRect().width > 0)
               .shift();
             if (!hit) return null;
             hit.scrollIntoView({{ block: 'center' }});
             const r = hit.getBoundingClientRect();
             const o = f.getBoundingClientRect();
             return [o.left + f.clientLeft + r.left + r.width / 2, o.top + f.clientTop + r.top + r.height / 2];"
        ),
    )
    .await;
    match point.as_array().map(|p| (p[0].as_f64(), p[1].as_f64())) {
        Some((Some(x), Some(y))) => (x, y),
        _ => panic!("{text:?} is not in the preview: {point}"),
    }
}

/// Double-clicks at a point of the app's viewport.
pub async fn double_click_at(client: &Client, x: f64, y: f64) {
    let mut mouse = MouseActions::new("mouse".into()).then(PointerAction::MoveTo {
        duration: None,
        x: x.round(),
        y: y.round(),
    });
    for _ in 0..2 {
        mouse = mouse
            .then(PointerAction::Down {
                button: MOUSE_BUTTON_LEFT,
            })
            .then(PointerAction::Up {
                button: MOUSE_BUTTON_LEFT,
            });
    }
    client.perform_actions(mouse).await.expect("double click");
}

/// The editor's text.
pub async fn editor_text(client: &Client) -> String {
    js(
        client,
        "return LetterpressEditor.getDoc(window.__letterpressEditor);",
    )
    .await
    .as_str()
    .unwrap_or_default()
    .to_owned()
}

/// Presses `chord` (modifiers first) in the editor, as a person would.
pub async fn keys(client: &Client, chord: &[char]) {
    js(
        client,
        "document.querySelector('.cm-content').focus(); return null;",
    )
    .await;
    let mut actions = KeyActions::new("keyboard".into());
    for c in chord {
        actions = actions.then(KeyAction::Down { value: *c });
    }
    for c in chord.iter().rev() {
        actions = actions.then(KeyAction::Up { value: *c });
    }
    client.perform_actions(actions).await.expect("keys");
}

/// The line of the editor's cursor.
pub async fn cursor_line(client: &Client) -> u64 {
    js(
        client,
        "const g = document.querySelector('.cm-activeLineGutter'); return g ? Number(g.textContent) : 0;",
    )
    .await
    .as_u64()
    .unwrap_or_default()
}
