//! `letterpress send` and `letterpress outbox` as a user runs them, against a real local
//! SMTP server (aiosmtpd): a batch from a file and from stdin, the exit codes, the JSON
//! report, and the crash loop — the sender SIGKILLed at random points while it sends
//! batches of 200, then resumed, with every idempotency key counted on the receiving side:
//! once over SMTP, once through the real SES peer's `SendEmail` (npm aws-ses-v2-local).

use letterpress_studio::sync::{ENV_ACCESS_KEY_ID, ENV_SECRET_ACCESS_KEY};
use letterpress_test_support::{SesPeer, SmtpSink, add_target, http};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

mod common;
use common::{run, sample_copy};

/// The two tests run one after the other: the kill loop keeps both cores busy (processes
/// started and killed, fsyncs), and on a loaded machine the other test's first message can
/// wait out the 20 s SMTP timeout — a retry this test would then report as a failure.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn one_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    ONE_AT_A_TIME
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// `letterpress outbox` of the project, to say what happened when an assertion fails.
fn outbox_report(root: &Path) -> String {
    let (_, stdout, stderr) = run(letterpress(root).arg("outbox"));
    format!("letterpress outbox:\n{stdout}{stderr}")
}

fn letterpress(root: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_letterpress"));
    cmd.arg("--project").arg(root);
    cmd
}

fn digest_lines(root: &Path, prefix: &str, n: usize) -> String {
    let data: Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("templates/daily-digest/fixtures/default.json"))
            .unwrap(),
    )
    .unwrap();
    let locales = ["en", "de", "fr", "pl", "ar"];
    (0..n)
        .map(|i| {
            json!({
                "template": "daily-digest",
                "locale": locales[i % locales.len()],
                "data": data,
                // The address names the key: the SES peer keeps no custom header.
                "to": format!("{prefix}-{i}@example.com"),
                "key": format!("{prefix}-{i}"),
            })
            .to_string()
                + "\n"
        })
        .collect()
}

/// Where the kill loop's messages go, and what arrived there.
enum Receiving {
    Smtp(SmtpSink),
    /// The SES peer, as target `ses-local` of the project, and the keys taken from its
    /// store so far (the store is emptied as it is read: thousands of stored emails would
    /// make one answer hundreds of megabytes).
    Ses(SesPeer, std::cell::RefCell<BTreeMap<String, usize>>),
}

impl Receiving {
    /// The `letterpress send` arguments that send there (after the project has the target).
    fn args(&self) -> Vec<String> {
        match self {
            Receiving::Smtp(sink) => vec!["--smtp".into(), sink.url()],
            Receiving::Ses(..) => vec!["--target".into(), "ses-local".into()],
        }
    }

    /// `letterpress` for `root`, with the peer's credentials when sending to it.
    fn letterpress(&self, root: &Path) -> Command {
        let mut cmd = letterpress(root);
        if let Receiving::Ses(..) = self {
            cmd.env(ENV_ACCESS_KEY_ID, "AKIDLOCALTEST")
                .env(ENV_SECRET_ACCESS_KEY, "local/test+secret");
        }
        cmd
    }

    /// Every key that arrived, with how often. Call it only while no sender runs.
    fn keys(&self) -> BTreeMap<String, usize> {
        match self {
            Receiving::Smtp(sink) => received_keys(sink),
            Receiving::Ses(peer, taken) => {
                let (status, body) = http(peer.port, "GET", "/store", None).expect("GET /store");
                assert_eq!(status, 200, "{}", &body[..body.len().min(500)]);
                let store: Value = serde_json::from_str(&body).expect("the peer's store");
                let mut taken = taken.borrow_mut();
                for email in store["emails"].as_array().expect("emails") {
                    let to = email["destination"]["to"][0].as_str().expect("a recipient");
                    let key = to.strip_suffix("@example.com").expect("a test address");
                    *taken.entry(key.to_owned()).or_insert(0) += 1;
                }
                let (status, body) =
                    http(peer.port, "POST", "/clear-store", None).expect("POST /clear-store");
                assert_eq!(status, 200, "{body}");
                taken.clone()
            }
        }
    }
}

/// Keys the sink received, with how often.
fn received_keys(sink: &SmtpSink) -> BTreeMap<String, usize> {
    let mut keys = BTreeMap::new();
    for r in sink.received() {
        let message = mail_parser::MessageParser::default()
            .parse(&r.bytes)
            .expect("a MIME message");
        let key = message
            .header_raw("X-Letterpress-Key")
            .expect("the key header")
            .trim()
            .to_owned();
        *keys.entry(key).or_insert(0) += 1;
    }
    keys
}

#[test]
fn send_takes_a_file_or_stdin_reports_and_exits_by_outcome() {
    let _alone = one_at_a_time();
    let sink = SmtpSink::start();
    let (_tmp, root) = sample_copy();
    let batch = root.join("batch.jsonl");
    let mut text = digest_lines(&root, "file", 5);
    text.push_str("{\"template\": \"welcome\", \"to\": \"broken\n");
    std::fs::write(&batch, &text).unwrap();
    let (code, stdout, stderr) = run(letterpress(&root)
        .arg("send")
        .arg(&batch)
        .args(["--smtp", &sink.url()]));
    // One bad line: the rest are sent, the exit code says something needs a look.
    assert_eq!(code, 1, "{stdout}\n{stderr}\n{}", outbox_report(&root));
    assert!(
        stderr.contains("error[invalid-message]: ")
            && stderr.contains("batch.jsonl:6: not a message"),
        "{stderr}"
    );
    assert!(
        stdout.starts_with(
            "5 sent, 0 failed, 0 waiting for a retry, 0 in doubt · via smtp://127.0.0.1:"
        ),
        "{stdout}\n{}",
        outbox_report(&root)
    );
    assert_eq!(received_keys(&sink).len(), 5);

    // From stdin, with JSON output: only the new lines go out.
    let mut child = letterpress(&root)
        .args(["send", "-", "--smtp", &sink.url(), "--format", "json"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all((digest_lines(&root, "file", 5) + &digest_lines(&root, "stdin", 2)).as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["queued"], 2);
    assert_eq!(report["report"]["sent"], 2);
    assert_eq!(received_keys(&sink).len(), 7);

    // The outbox, for people and for scripts.
    let (code, stdout, _) = run(letterpress(&root).arg("outbox"));
    assert_eq!(code, 0);
    assert!(stdout.starts_with("7 sent · 1 failed"), "{stdout}");
    assert!(stdout.contains("daily-digest de: 2 sent"), "{stdout}");
    assert!(stdout.contains("batch.jsonl:6 ["), "{stdout}");
    let (code, stdout, _) = run(letterpress(&root).args(["outbox", "--format", "json"]));
    assert_eq!(code, 0);
    let counts: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(counts["states"], json!([["sent", 7], ["failed", 1]]));

    // The stats: per template × variant × locale (7 digests over 5 locales; the unreadable
    // line belongs to no template), and per day.
    let (code, stdout, _) = run(letterpress(&root).args(["stats", "--format", "json"]));
    assert_eq!(code, 0);
    let stats: Value = serde_json::from_str(&stdout).unwrap();
    let sent: BTreeMap<String, u64> = stats["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            assert_eq!(r["template"], "daily-digest", "{r}");
            assert_eq!(
                (r["failed"].as_u64(), r["retried"].as_u64()),
                (Some(0), Some(0))
            );
            (
                r["locale"].as_str().unwrap().to_owned(),
                r["sent"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        sent,
        BTreeMap::from(
            [("ar", 1), ("de", 2), ("en", 2), ("fr", 1), ("pl", 1)].map(|(l, n)| (l.to_owned(), n))
        )
    );
    let per_day: u64 = stats["days"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["sent"].as_u64().unwrap())
        .sum();
    assert_eq!(per_day, 7);
    let (code, stdout, _) = run(letterpress(&root).arg("stats"));
    assert_eq!(code, 0);
    assert!(
        stdout.starts_with(
            "template      variant  locale  sent  failed  retried  in doubt  waiting\n"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains("daily-digest  -        de         2       0        0         0        0"),
        "{stdout}"
    );
    assert!(stdout.contains("per day (UTC):\n"), "{stdout}");

    // Nothing to send from: a clear error.
    let (code, _, stderr) = run(letterpress(&root).args(["send", "--smtp", &sink.url()]));
    assert_eq!(code, 2);
    assert!(stderr.contains("--resume"), "{stderr}");
}

/// A small xorshift generator: the kill points, reproducible from the printed seed.
struct Points(u64);

impl Points {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn a_sender_killed_at_random_points_delivers_every_message_exactly_once() {
    let _alone = one_at_a_time();
    kill_loop(&Receiving::Smtp(SmtpSink::start()));
}

#[test]
fn a_sender_killed_at_random_points_sends_through_ses_exactly_once() {
    let _alone = one_at_a_time();
    kill_loop(&Receiving::Ses(SesPeer::start(), Default::default()));
}

/// SIGKILLs `letterpress send` at random points of batches of 200 (half the runs given the
/// file again, half `--resume`), then checks on the receiving side: no key twice, none lost
/// but the ones the outbox holds in doubt.
fn kill_loop(receiving: &Receiving) {
    // LETTERPRESS_SEND_KILLS sets the number of kills (the campaign for the closing note
    // ran 1,000); the default keeps the suite quick.
    let kills_wanted: usize = std::env::var("LETTERPRESS_SEND_KILLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(25);
    let seed = std::env::var("LETTERPRESS_SEND_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
                | 1
        });
    eprintln!("kill loop: seed {seed}, {kills_wanted} kills");
    let mut points = Points(seed);
    let (tmp, root) = sample_copy();
    if let Receiving::Ses(peer, _) = receiving {
        add_target(&root, "ses-local", &peer.url(), "t-");
    }
    let to = receiving.args();
    let letterpress = |root: &Path| receiving.letterpress(root);

    // How long an unkilled run of one batch takes: kills land anywhere in that span.
    let probe = tmp.path().join("probe.jsonl");
    std::fs::write(&probe, digest_lines(&root, "probe", 200)).unwrap();
    let started = Instant::now();
    let (code, _, stderr) = run(letterpress(&root).arg("send").arg(&probe).args(&to));
    assert_eq!(code, 0, "{stderr}");
    let span = started.elapsed().as_micros().max(1000) as u64;
    eprintln!("one batch of 200 unkilled: {} ms", span / 1000);

    let mut expected: BTreeSet<String> = (0..200).map(|i| format!("probe-{i}")).collect();
    let mut kills = 0;
    let mut runs = 0;
    let mut batch = 0;
    let mut batch_file = tmp.path().join("batch-0.jsonl");
    std::fs::write(&batch_file, digest_lines(&root, "b0", 200)).unwrap();
    expected.extend((0..200).map(|i| format!("b0-{i}")));
    while kills < kills_wanted {
        runs += 1;
        let mut cmd = letterpress(&root);
        cmd.arg("send");
        // Half the runs give the file again (already queued keys are skipped), half resume.
        if points.next().is_multiple_of(2) {
            cmd.arg(&batch_file);
        } else {
            cmd.arg("--resume");
        }
        let mut child = cmd
            .args(&to)
            .args(["--format", "json"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let delay = Duration::from_micros(points.next() % span);
        std::thread::sleep(delay);
        match child.try_wait().unwrap() {
            Some(_) => {
                // It finished before the kill point: was the batch done?
                let out = child.wait_with_output().unwrap();
                let report: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
                let (code, stdout, _) =
                    run(letterpress(&root).args(["outbox", "--format", "json"]));
                assert_eq!(code, 0);
                let counts: Value = serde_json::from_str(&stdout).unwrap();
                // Done when every message of every batch so far is sent (a run that
                // resumed before the batch file was ever read finishes with nothing to do).
                let sent = counts["states"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|s| s[0] == "sent")
                    .and_then(|s| s[1].as_u64())
                    .unwrap_or(0);
                if sent == expected.len() as u64 && report != Value::Null {
                    // Between runs: what arrived so far is taken from the receiving side.
                    receiving.keys();
                    batch += 1;
                    let prefix = format!("b{batch}");
                    batch_file = tmp.path().join(format!("batch-{batch}.jsonl"));
                    std::fs::write(&batch_file, digest_lines(&root, &prefix, 200)).unwrap();
                    expected.extend((0..200).map(|i| format!("{prefix}-{i}")));
                }
            }
            None => {
                child.kill().unwrap();
                child.wait().unwrap();
                kills += 1;
            }
        }
    }
    // A last, unkilled run takes up what the last kill left.
    let (code, stdout, stderr) = run(letterpress(&root)
        .arg("send")
        .arg(&batch_file)
        .args(&to)
        .args(["--format", "json"]));
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    let (_, stdout, _) = run(letterpress(&root).args(["outbox", "--format", "json"]));
    let counts: Value = serde_json::from_str(&stdout).unwrap();
    let in_doubt = counts["in_doubt"].as_u64().unwrap();
    assert_eq!(
        counts["states"],
        json!([["sent", expected.len()]]),
        "every message ends sent: {counts}"
    );

    let received = receiving.keys();
    let duplicates: Vec<_> = received.iter().filter(|(_, n)| **n > 1).collect();
    let lost: Vec<_> = expected
        .iter()
        .filter(|k| !received.contains_key(*k))
        .collect();
    let strangers: Vec<_> = received.keys().filter(|k| !expected.contains(*k)).collect();
    eprintln!(
        "kill loop ({}): {kills} kills in {runs} runs over {} batches of 200 ({} messages): \
         {} duplicates, {} lost, {in_doubt} in doubt",
        to.join(" "),
        batch + 1,
        expected.len(),
        duplicates.len(),
        lost.len()
    );
    assert!(duplicates.is_empty(), "sent twice: {duplicates:?}");
    assert!(strangers.is_empty(), "{strangers:?}");
    // A message is lost only if a kill landed between recording "committing" and writing the
    // final "." (one prepared statement); such a message is held in doubt, never silently.
    let db = rusqlite::Connection::open(root.join(".letterpress/outbox.sqlite")).unwrap();
    let mut stmt = db
        .prepare("SELECT key FROM messages WHERE in_doubt = 1")
        .unwrap();
    let doubtful: BTreeSet<String> = stmt
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(doubtful.len() as u64, in_doubt);
    let silently_lost: Vec<_> = lost.iter().filter(|k| !doubtful.contains(**k)).collect();
    assert!(
        silently_lost.is_empty(),
        "lost without being in doubt: {silently_lost:?}"
    );
}
