//! Shared by the studio and CLI sync tests: the real local SES peer (npm `aws-ses-v2-local`,
//! started on a free 127.0.0.1 port and stopped by PID), a dependency-free HTTP/1.1 client to
//! talk to it directly, and a fault-injecting TCP proxy with a seeded RNG.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// The repository root (where node_modules lives).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A free TCP port on 127.0.0.1.
pub fn free_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("addr").port()
}

/// A running aws-ses-v2-local, killed (by PID) on drop.
pub struct SesPeer {
    child: Child,
    /// Its port.
    pub port: u16,
}

impl SesPeer {
    /// Starts the peer and waits until it answers.
    pub fn start() -> SesPeer {
        let bin = repo_root().join("node_modules/.bin/aws-ses-v2-local");
        assert!(
            bin.exists(),
            "{} is missing: run `npm install` in the repository (scripts/test.sh does)",
            bin.display()
        );
        let port = free_port();
        let child = Command::new(&bin)
            .args(["--host", "127.0.0.1", "--port", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start aws-ses-v2-local");
        let peer = SesPeer { child, port };
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok((200, _)) = http(port, "GET", "/health-check", None) {
                break;
            }
            assert!(Instant::now() < deadline, "aws-ses-v2-local did not start");
            thread::sleep(Duration::from_millis(100));
        }
        peer
    }

    /// `http://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Every stored template: name → (subject, html, text), read from the peer's `/store`.
    pub fn templates(&self) -> BTreeMap<String, (String, String, String)> {
        let (status, body) = http(self.port, "GET", "/store", None).expect("GET /store");
        assert_eq!(status, 200, "{body}");
        let store: serde_json::Value = serde_json::from_str(&body).expect("store JSON");
        let mut out = BTreeMap::new();
        if let Some(map) = store["templates"].as_object() {
            for (name, t) in map {
                let part = |k: &str| t["TemplateContent"][k].as_str().unwrap_or("").to_owned();
                out.insert(name.clone(), (part("Subject"), part("Html"), part("Text")));
            }
        }
        out
    }

    /// Changes a template's subject through the SES API directly (someone editing in the
    /// console): drift.
    pub fn edit_subject(&self, name: &str, subject: &str) {
        let t = self.templates();
        let (_, html, text) = t.get(name).expect("template to edit exists").clone();
        let body = serde_json::json!({
            "TemplateContent": {"Subject": subject, "Html": html, "Text": text}
        })
        .to_string();
        let (status, answer) = http(
            self.port,
            "PUT",
            &format!("/v2/email/templates/{name}"),
            Some(&body),
        )
        .expect("PUT");
        assert_eq!(status, 200, "{answer}");
    }

    /// Creates a template through the API directly.
    pub fn create(&self, name: &str, subject: &str) {
        let body = serde_json::json!({
            "TemplateName": name,
            "TemplateContent": {"Subject": subject, "Html": "<p>hand made</p>", "Text": "hand made"}
        })
        .to_string();
        let (status, answer) =
            http(self.port, "POST", "/v2/email/templates", Some(&body)).expect("POST");
        assert_eq!(status, 200, "{answer}");
    }
}

impl Drop for SesPeer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One HTTP/1.1 request with `Connection: close`; returns (status, body).
pub fn http(
    port: u16,
    method: &str,
    path: &str,
    body: Option<&str>,
) -> std::io::Result<(u16, String)> {
    let mut s = TcpStream::connect(("127.0.0.1", port))?;
    s.set_read_timeout(Some(Duration::from_secs(10)))?;
    let body = body.unwrap_or("");
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: AWS4-HMAC-SHA256 test\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw)?;
    let text = String::from_utf8_lossy(&raw).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    Ok((status, body))
}

/// A seeded xorshift RNG (reproducible fault sequences).
pub struct Rng(u64);

impl Rng {
    /// From a seed.
    pub fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }
    /// A number in [0, 1).
    pub fn unit(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// What the proxy injects, as probabilities per request.
#[derive(Debug, Clone, Copy, Default)]
pub struct Faults {
    /// Hold the request longer than the client waits (before or after forwarding it).
    pub timeout: f64,
    /// Drop the connection without an answer (before or after forwarding).
    pub reset: f64,
    /// Answer 500 (before or after forwarding).
    pub server_error: f64,
    /// Answer 429 with `Retry-After: 1` (not forwarded).
    pub throttle: f64,
    /// How long a "timeout" holds the request.
    pub hold: Duration,
}

/// Counts of what the proxy did.
#[derive(Debug, Default, Clone, Copy)]
pub struct FaultStats {
    /// Requests seen.
    pub requests: usize,
    /// Forwarded to the peer.
    pub forwarded: usize,
    /// Writes (POST/PUT/DELETE) forwarded to the peer.
    pub writes_forwarded: usize,
    /// Timeouts injected.
    pub timeouts: usize,
    /// Connections dropped.
    pub resets: usize,
    /// 500s injected.
    pub server_errors: usize,
    /// 429s injected.
    pub throttles: usize,
    /// Injected after the peer had carried out the request (answer lost).
    pub after_forwarding: usize,
}

struct ProxyShared {
    upstream: u16,
    faults: Faults,
    rng: Mutex<Rng>,
    stats: Mutex<FaultStats>,
    /// Forward writes up to this count, then forward the next one and never answer it.
    stall_after_writes: Option<usize>,
    stalled: AtomicBool,
    stop: AtomicBool,
    writes: AtomicUsize,
}

/// A TCP proxy between the client and the peer that injects faults.
pub struct FaultProxy {
    shared: Arc<ProxyShared>,
    /// Its port.
    pub port: u16,
}

impl FaultProxy {
    /// Starts a proxy to `upstream` with `faults` drawn from `seed`.
    pub fn start(upstream: u16, seed: u64, faults: Faults) -> FaultProxy {
        Self::start_with(upstream, seed, faults, None)
    }

    /// A proxy without faults that forwards `k` writes, then forwards the next one to the
    /// peer and holds its answer (so a process can be killed right after a remote write).
    pub fn stalling_after(upstream: u16, k: usize) -> FaultProxy {
        Self::start_with(upstream, 1, Faults::default(), Some(k))
    }

    fn start_with(upstream: u16, seed: u64, faults: Faults, stall: Option<usize>) -> FaultProxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind proxy");
        let port = listener.local_addr().expect("addr").port();
        let shared = Arc::new(ProxyShared {
            upstream,
            faults,
            rng: Mutex::new(Rng::new(seed)),
            stats: Mutex::new(FaultStats::default()),
            stall_after_writes: stall,
            stalled: AtomicBool::new(false),
            stop: AtomicBool::new(false),
            writes: AtomicUsize::new(0),
        });
        let s = shared.clone();
        listener.set_nonblocking(true).expect("nonblocking");
        thread::spawn(move || {
            while !s.stop.load(Ordering::SeqCst) {
                match listener.accept() {
                    Ok((conn, _)) => {
                        let s = s.clone();
                        thread::spawn(move || serve(&s, conn));
                    }
                    Err(_) => thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        FaultProxy { shared, port }
    }

    /// `http://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// What happened so far.
    pub fn stats(&self) -> FaultStats {
        *self.shared.stats.lock().unwrap()
    }

    /// True once a write was forwarded and its answer is being held.
    pub fn stalled(&self) -> bool {
        self.shared.stalled.load(Ordering::SeqCst)
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
    }
}

/// Reads one request (head + Content-Length body).
fn read_request(conn: &mut TcpStream) -> Option<(String, Vec<u8>)> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = conn.read(&mut chunk).ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let len: usize = head
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse().ok())?
        })
        .unwrap_or(0);
    while buf.len() < head_end + len {
        let n = conn.read(&mut chunk).ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    Some((head, buf[head_end..head_end + len].to_vec()))
}

fn forward(upstream: u16, head: &str, body: &[u8]) -> Option<Vec<u8>> {
    let mut up = TcpStream::connect(("127.0.0.1", upstream)).ok()?;
    // One request per upstream connection, so the answer ends at EOF.
    let mut rewritten = String::new();
    for line in head.trim_end().split("\r\n") {
        if line.to_ascii_lowercase().starts_with("connection:") {
            continue;
        }
        rewritten.push_str(line);
        rewritten.push_str("\r\n");
    }
    rewritten.push_str("Connection: close\r\n\r\n");
    up.write_all(rewritten.as_bytes()).ok()?;
    up.write_all(body).ok()?;
    let mut answer = Vec::new();
    up.read_to_end(&mut answer).ok()?;
    Some(answer)
}

fn respond(conn: &mut TcpStream, status: &str, extra: &str, body: &str) {
    let _ = write!(
        conn,
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n{extra}Connection: close\r\n\r\n{body}",
        body.len()
    );
}

#[derive(Clone, Copy, PartialEq)]
enum Fault {
    None,
    Timeout,
    Reset,
    ServerError,
    Throttle,
}

fn serve(s: &ProxyShared, mut conn: TcpStream) {
    // One request per connection: every answer says `Connection: close`, so the client opens
    // a new connection for its next request (and a fault never leaks into the next one).
    if let Some((head, body)) = read_request(&mut conn) {
        let method = head.split_whitespace().next().unwrap_or("").to_owned();
        let is_write = matches!(method.as_str(), "POST" | "PUT" | "DELETE");
        let (fault, after) = {
            let mut rng = s.rng.lock().unwrap();
            let r = rng.unit();
            let f = &s.faults;
            let fault = if r < f.timeout {
                Fault::Timeout
            } else if r < f.timeout + f.reset {
                Fault::Reset
            } else if r < f.timeout + f.reset + f.server_error {
                Fault::ServerError
            } else if r < f.timeout + f.reset + f.server_error + f.throttle {
                Fault::Throttle
            } else {
                Fault::None
            };
            (fault, rng.unit() < 0.5 && fault != Fault::Throttle)
        };
        s.stats.lock().unwrap().requests += 1;
        if let Some(k) = s.stall_after_writes
            && is_write
            && s.writes.load(Ordering::SeqCst) >= k
        {
            let _ = forward(s.upstream, &head, &body);
            {
                let mut st = s.stats.lock().unwrap();
                st.forwarded += 1;
                st.writes_forwarded += 1;
            }
            s.stalled.store(true, Ordering::SeqCst);
            while !s.stop.load(Ordering::SeqCst) {
                thread::sleep(Duration::from_millis(20));
            }
            return;
        }
        let answer = if fault == Fault::None || after {
            let answer = forward(s.upstream, &head, &body);
            let mut st = s.stats.lock().unwrap();
            st.forwarded += 1;
            if is_write {
                st.writes_forwarded += 1;
                s.writes.fetch_add(1, Ordering::SeqCst);
            }
            if fault != Fault::None {
                st.after_forwarding += 1;
            }
            answer
        } else {
            None
        };
        match fault {
            Fault::None => match answer {
                Some(a) => {
                    // The upstream answer says `Connection: close`; so do we.
                    let _ = conn.write_all(&a);
                    let _ = conn.shutdown(Shutdown::Both);
                }
                None => {
                    respond(
                        &mut conn,
                        "502 Bad Gateway",
                        "",
                        "{\"message\":\"upstream\"}",
                    );
                }
            },
            Fault::Timeout => {
                s.stats.lock().unwrap().timeouts += 1;
                thread::sleep(s.faults.hold);
            }
            Fault::Reset => {
                s.stats.lock().unwrap().resets += 1;
                let _ = conn.shutdown(Shutdown::Both);
            }
            Fault::ServerError => {
                s.stats.lock().unwrap().server_errors += 1;
                respond(
                    &mut conn,
                    "500 Internal Server Error",
                    "",
                    "{\"message\":\"injected failure\"}",
                );
            }
            Fault::Throttle => {
                s.stats.lock().unwrap().throttles += 1;
                respond(
                    &mut conn,
                    "429 Too Many Requests",
                    "Retry-After: 1\r\n",
                    "{\"type\":\"TooManyRequestsException\",\"message\":\"slow down\"}",
                );
            }
        }
    }
}

/// Commits every file of `root` as a new version (creating the history when needed) and
/// publishes it to `environment`. `minute` orders the fixed dates.
pub fn save_and_publish(root: &Path, environment: &str, minute: i64) -> String {
    use letterpress_studio::history::{Author, History, When};
    let author = Author {
        name: "Ada Designer".into(),
        email: "ada@example.com".into(),
    };
    let when = When {
        seconds: 1_767_225_600 + minute * 60,
        offset_minutes: 0,
    };
    let history = match History::open(root) {
        Ok(h) => h,
        Err(_) => History::init(root).expect("init"),
    };
    if !history.changed_files().expect("status").is_empty() {
        history
            .save(&format!("Version {minute}"), &[], &author, when)
            .expect("save");
    }
    history
        .publish(
            environment,
            None,
            &format!("Release {minute}"),
            &author,
            when,
        )
        .expect("publish")
        .tag
}

/// Appends a `[targets.<name>]` table for the peer at `endpoint`.
pub fn add_target(root: &Path, name: &str, endpoint: &str, prefix: &str) {
    set_target(
        root,
        name,
        &format!(
            "provider = \"ses\"\nenvironment = \"staging\"\nregion = \"eu-west-1\"\n\
             endpoint = \"{endpoint}\"\nprefix = \"{prefix}\"\n"
        ),
    );
}

/// Sets `[targets.<name>]` of the project at `root` to a Postmark target on `endpoint`.
pub fn add_postmark_target(root: &Path, name: &str, endpoint: &str, prefix: &str) {
    set_target(
        root,
        name,
        &format!(
            "provider = \"postmark\"\nenvironment = \"staging\"\nendpoint = \"{endpoint}\"\n\
             prefix = \"{prefix}\"\n"
        ),
    );
}

/// Replaces (or adds) `[targets.<name>]` with `body`.
pub fn set_target(root: &Path, name: &str, body: &str) {
    let path = root.join("letterpress.toml");
    let mut text = std::fs::read_to_string(&path).expect("read letterpress.toml");
    // The sample defines a target of this name for the real provider: replace it.
    let header = format!("[targets.{name}]");
    if let Some(start) = text.find(&header) {
        let rest = &text[start + header.len()..];
        let end = rest
            .find("\n[")
            .map_or(text.len(), |i| start + header.len() + i + 1);
        text.replace_range(start..end, "");
    }
    text.push_str(&format!("\n{header}\n{body}"));
    std::fs::write(&path, text).expect("write letterpress.toml");
}

/// A temporary copy of the bundled sample project (`project/` inside the temp folder) with
/// only the templates Handlebars can express at send time (welcome, verify-email), plus
/// `onboarding`, a copy of welcome: 3 templates × 5 locales = 15 remote templates.
pub fn sample_copy() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path().join("project");
    letterpress_studio::copy_project(&repo_root(), &root).expect("copy sample");
    for t in [
        "receipt",
        "daily-digest",
        "password-reset",
        "team-invitation",
    ] {
        std::fs::remove_dir_all(root.join("templates").join(t)).expect("remove template");
    }
    let onboarding = root.join("templates/onboarding");
    std::fs::create_dir_all(onboarding.join("fixtures")).expect("mkdir");
    for file in ["template.toml", "body.mjml", "fixtures/default.json"] {
        std::fs::copy(
            root.join("templates/welcome").join(file),
            onboarding.join(file),
        )
        .expect("copy welcome");
    }
    (tmp, root)
}
