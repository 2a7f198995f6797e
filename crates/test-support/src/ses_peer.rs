//! The real local SES peer (npm `aws-ses-v2-local`, started on a free 127.0.0.1 port and
//! stopped by PID), and a dependency-free HTTP/1.1 client to talk to it directly.

use crate::{free_port, repo_root};
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

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
