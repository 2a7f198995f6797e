//! A real local SMTP server for the send tests: PyPI `aiosmtpd` (pinned in `scripts/env.sh`)
//! on a free 127.0.0.1 port with `smtp_sink.py`'s handler, which writes each message's bytes
//! exactly as received. Stopped by PID on drop.

use crate::free_port;
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

/// A running aiosmtpd, killed (by PID) on drop.
pub struct SmtpSink {
    child: Child,
    /// Its port.
    pub port: u16,
    dir: tempfile::TempDir,
}

/// One message the sink received.
#[derive(Debug, Clone)]
pub struct Received {
    /// The bytes after DATA, as the client sent them.
    pub bytes: Vec<u8>,
    /// `MAIL FROM`.
    pub mail_from: String,
    /// `RCPT TO`s.
    pub rcpt_tos: Vec<String>,
}

impl SmtpSink {
    /// Starts aiosmtpd and waits until it accepts connections.
    pub fn start() -> SmtpSink {
        let dir = tempfile::tempdir().expect("sink dir");
        let port = free_port();
        let here = Path::new(env!("CARGO_MANIFEST_DIR"));
        let child = Command::new("python3")
            .args(["-m", "aiosmtpd", "-n", "-l"])
            .arg(format!("127.0.0.1:{port}"))
            .args(["-c", "smtp_sink.RawSink"])
            .arg(dir.path())
            .env("PYTHONPATH", here)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start python3 -m aiosmtpd (pip install aiosmtpd==1.4.6: scripts/env.sh)");
        let mut sink = SmtpSink { child, port, dir };
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Ok(Some(status)) = sink.child.try_wait() {
                panic!("aiosmtpd exited ({status}): is aiosmtpd==1.4.6 installed?");
            }
            assert!(Instant::now() < deadline, "aiosmtpd did not start");
            thread::sleep(Duration::from_millis(50));
        }
        sink
    }

    /// `smtp://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Where messages land.
    pub fn dir(&self) -> PathBuf {
        self.dir.path().to_owned()
    }

    /// Every message received so far, in order.
    pub fn received(&self) -> Vec<Received> {
        let mut names: Vec<PathBuf> = std::fs::read_dir(self.dir.path())
            .expect("read sink dir")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "eml"))
            .collect();
        names.sort();
        names
            .into_iter()
            .map(|p| {
                let meta: serde_json::Value = serde_json::from_str(
                    &std::fs::read_to_string(p.with_extension("json")).expect("envelope"),
                )
                .expect("envelope JSON");
                Received {
                    bytes: std::fs::read(&p).expect("message"),
                    mail_from: meta["mail_from"].as_str().unwrap_or_default().to_owned(),
                    rcpt_tos: meta["rcpt_tos"]
                        .as_array()
                        .map(|a| {
                            a.iter()
                                .filter_map(|v| v.as_str().map(str::to_owned))
                                .collect()
                        })
                        .unwrap_or_default(),
                }
            })
            .collect()
    }

    /// Waits until `n` messages have arrived (the handler writes them before answering
    /// 250, so this returns at once after a send unless something is wrong).
    pub fn wait_for(&self, n: usize) -> Vec<Received> {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let got = self.received();
            if got.len() >= n || Instant::now() > deadline {
                return got;
            }
            thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Points `[send] smtp` of the project at `root` to `url` (the sample's line replaced).
pub fn set_smtp(root: &Path, url: &str) {
    let path = root.join("letterpress.toml");
    let text = std::fs::read_to_string(&path).expect("read letterpress.toml");
    let mut out = String::new();
    let mut replaced = false;
    for line in text.split_inclusive('\n') {
        if !replaced && line.starts_with("smtp = ") {
            out.push_str(&format!("smtp = \"{url}\"\n"));
            replaced = true;
        } else {
            out.push_str(line);
        }
    }
    assert!(replaced, "letterpress.toml has no `smtp = ` line in [send]");
    std::fs::write(&path, out).expect("write letterpress.toml");
}
