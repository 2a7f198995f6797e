//! `letterpress send-test TEMPLATE --locale L --data FIXTURE --to ADDR [--target NAME]`,
//! `letterpress send MESSAGES.jsonl|-`, `letterpress outbox` and `letterpress auth
//! set-smtp`: thin wrappers over `letterpress_studio::send`.
//!
//! `send` exits 0 when every message it handled was sent (or waits for its `send_at`), 1
//! when some failed or wait for a retry (the outbox says which and why), 2 on an error that
//! stopped it.
//!
//! Exit codes: 0 sent (the token, the encoded size and the server's reply are printed), 2
//! anything else (`error[not-allowed]`, `error[network]`, `error[smtp-refused]` with the SMTP
//! transcript...).

use super::Format;
use anyhow::{Context, Result};
use letterpress_engine::config::SmtpServer;
use letterpress_protocol::send::{SendTransport, format_size};
use letterpress_studio::Project;
use letterpress_studio::send::bulk::{
    self, Clock, Renderer, Sender, SenderOptions, SmtpTransport, TargetTransport, Transport,
};
use letterpress_studio::send::outbox::Outbox;
use letterpress_studio::send::{SendError, SendSecrets, Stamp, TestSendRequest};
use letterpress_studio::sync::{
    EnvOverride, Keychain, Secret, SmtpKeychain, credentials_from_env, smtp_account,
};
use std::io::{BufRead, IsTerminal, Read};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

/// A stamp from the clock: the token from its nanoseconds and the process id.
fn stamp() -> Stamp {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let seed = (now.as_nanos() as u64) ^ (u64::from(std::process::id()) << 32);
    Stamp::new(seed, i64::try_from(now.as_secs()).unwrap_or(0))
}

/// What `send-test` was asked.
#[derive(clap::Args)]
pub struct SendTestArgs {
    /// Template id.
    pub template: String,
    /// Locale (default: the project's default locale).
    #[arg(long, short)]
    pub locale: Option<String>,
    /// Fixture name (default: the first one).
    #[arg(long, short)]
    pub data: Option<String>,
    /// An A/B variant of the template.
    #[arg(long)]
    pub variant: Option<String>,
    /// The recipient.
    #[arg(long)]
    pub to: String,
    /// Send through this sync target's provider instead of SMTP.
    #[arg(long)]
    pub target: Option<String>,
    /// Send to a recipient outside `[send] allow`.
    #[arg(long)]
    pub yes: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

/// `letterpress send-test ...`
pub fn send_test(project: &Project, args: SendTestArgs) -> Result<ExitCode> {
    let prepared = project.prepare_test_send(
        &args.template,
        args.variant.as_deref(),
        args.locale.as_deref(),
        args.data.as_deref(),
    )?;
    let request = TestSendRequest {
        to: args.to.clone(),
        transport: match args.target {
            Some(name) => SendTransport::Target { name },
            None => SendTransport::Smtp,
        },
        confirmed: args.yes,
    };
    let smtp = SmtpKeychain::new(|k: &str| std::env::var(k).ok());
    let targets = EnvOverride::new(credentials_from_env(|k| std::env::var(k).ok())?, Keychain);
    let secrets = SendSecrets {
        smtp: &smtp,
        targets: &targets,
    };
    let report = prepared.send(&request, &stamp(), &secrets)?;
    match args.format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&report)?),
        Format::Human => {
            println!(
                "Sent to {} · {} encoded ({} bytes) · token {} · {}",
                report.to,
                format_size(report.encoded_bytes),
                report.encoded_bytes,
                report.token,
                report.reply
            );
            println!("  subject: {}", report.subject);
            println!("  via {} in {} ms", report.via, report.millis);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `letterpress auth set-smtp`: the password of `[send] smtp`'s user into the OS keychain
/// (asked without echo on a terminal, else one line of stdin).
pub fn set_smtp_password(root: &Path) -> Result<ExitCode> {
    let project = Project::open(root)?;
    let server = project.config().send.smtp.clone().context(
        "letterpress.toml has no `[send] smtp` (e.g. `smtp = \"smtp://me@mail.example.com:587\"`)",
    )?;
    let user = server.user.clone().context(
        "`[send] smtp` names no user (`smtp://USER@host:port`): this server needs no password",
    )?;
    let account = smtp_account(&user, &server.host, server.port);
    let password = if std::io::stdin().is_terminal() {
        rpassword::prompt_password(format!(
            "SMTP password for {user}@{} (not shown): ",
            server.host
        ))
        .context("reading the password")?
    } else {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        line.trim_end_matches(['\r', '\n']).to_owned()
    };
    SmtpKeychain::new(|_: &str| None).set(&account, &Secret::new(password))?;
    eprintln!("stored the SMTP password for `{account}` in the OS keychain");
    Ok(ExitCode::SUCCESS)
}

/// What `send` was asked.
#[derive(clap::Args)]
pub struct SendArgs {
    /// The messages: a JSON-lines file, or `-` for stdin (omit with --resume).
    pub input: Option<String>,
    /// Send over this SMTP server (`smtp[s]://[user@]host:port`; default `[send] smtp`).
    #[arg(long, conflicts_with = "target")]
    pub smtp: Option<String>,
    /// Send through this sync target's provider (SES, Postmark).
    #[arg(long)]
    pub target: Option<String>,
    /// Continue the outbox without new input.
    #[arg(long)]
    pub resume: bool,
    /// Keep running: send what is due, sleep until the next `send_at`, until nothing waits.
    #[arg(long)]
    pub run: bool,
    /// Render from this published version (`production/3`) instead of the working copy.
    #[arg(long, conflicts_with = "bundle")]
    pub version: Option<String>,
    /// Render from this bundle folder (`letterpress export`).
    #[arg(long)]
    pub bundle: Option<PathBuf>,
    /// The outbox file (default `.letterpress/outbox.sqlite` in the project).
    #[arg(long)]
    pub outbox: Option<PathBuf>,
    /// Attempts before a message fails for good.
    #[arg(long, default_value_t = 5)]
    pub max_attempts: u32,
    /// Seconds before the first retry (doubling each time, at most an hour).
    #[arg(long, default_value_t = 30)]
    pub retry_after: u64,
    /// At most this many messages per second.
    #[arg(long)]
    pub rate: Option<u32>,
    /// Send again messages whose earlier send is in doubt (may deliver twice).
    #[arg(long)]
    pub resend_in_doubt: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

fn unix_now() -> i64 {
    bulk::SystemClock.now()
}

/// `letterpress send ...`
pub fn send(project: &Project, args: SendArgs) -> Result<ExitCode> {
    if args.input.is_none() && !args.resume {
        anyhow::bail!(
            "give the messages (a JSON-lines file, or `-` for stdin), or --resume to continue \
             the outbox"
        );
    }
    // What renders: the working copy, a published version (exported to a temporary
    // bundle) or a bundle.
    let loaded_bundle = match (&args.version, &args.bundle) {
        (Some(version), _) => {
            let dir = tempfile::tempdir().context("a temporary folder for the version")?;
            let out = dir.path().join("bundle");
            letterpress_studio::bundle::export(project.root(), version, &out)?;
            Some(letterpress_studio::bundle::load(&out)?)
        }
        (None, Some(dir)) => Some(letterpress_studio::bundle::load(dir)?),
        (None, None) => None,
    };
    let renderer: &dyn Renderer = match &loaded_bundle {
        Some(b) => b,
        None => project,
    };
    let smtp = SmtpKeychain::new(|k: &str| std::env::var(k).ok());
    let targets = EnvOverride::new(credentials_from_env(|k| std::env::var(k).ok())?, Keychain);
    let secrets = SendSecrets {
        smtp: &smtp,
        targets: &targets,
    };
    let mut transport: Box<dyn Transport> = match (&args.smtp, &args.target) {
        (_, Some(name)) => Box::new(TargetTransport::open(project, name, &secrets, unix_now())?),
        (Some(url), None) => {
            let server =
                SmtpServer::parse(url).map_err(|e| anyhow::anyhow!("--smtp `{url}`: {e}"))?;
            Box::new(SmtpTransport::new(server, &secrets)?)
        }
        (None, None) => {
            let server = project.config().send.smtp.clone().context(
                "say where to send: --smtp smtp://host:port, --target NAME, or `[send] smtp` in                  letterpress.toml",
            )?;
            Box::new(SmtpTransport::new(server, &secrets)?)
        }
    };
    let path = args
        .outbox
        .clone()
        .unwrap_or_else(|| Outbox::path_in(project.root()));
    let mut outbox = Outbox::open(&path)?;
    let mut queued = 0;
    let mut rejected = Vec::new();
    if let Some(input) = &args.input {
        let (source, text) = if input == "-" {
            let mut text = String::new();
            std::io::stdin()
                .read_to_string(&mut text)
                .context("reading messages from stdin")?;
            ("-".to_owned(), text)
        } else {
            let text =
                std::fs::read_to_string(input).with_context(|| format!("reading {input}"))?;
            (input.clone(), text)
        };
        let messages = bulk::read_lines(renderer, &source, &text);
        queued = outbox.enqueue(&messages, unix_now())?;
        rejected = messages
            .iter()
            .filter_map(|m| m.rejected.clone())
            .collect::<Vec<_>>();
        for r in &rejected {
            eprintln!("error[invalid-message]: {r}");
        }
        if args.format == Format::Human {
            eprintln!(
                "queued {queued} new message(s) from {source} ({} already in the outbox)",
                messages.len() - queued
            );
        }
    }
    let clock = bulk::SystemClock;
    let options = SenderOptions {
        max_attempts: args.max_attempts.max(1),
        retry_base: Duration::from_secs(args.retry_after.max(1)),
        rate: args.rate,
    };
    let via = transport.describe();
    let mut sender = Sender::new(
        project,
        renderer,
        &mut outbox,
        transport.as_mut(),
        &clock,
        options,
    )?;
    let recovered = sender.recover(args.resend_in_doubt)?;
    if args.format == Format::Human && (recovered.requeued > 0 || recovered.in_doubt > 0) {
        eprintln!(
            "resumed: {} interrupted message(s) sent again, {} in doubt (the server may have              them; `--resend-in-doubt` sends them again)",
            recovered.requeued, recovered.in_doubt
        );
    }
    let bar = if args.format == Format::Human {
        crate::progress_bar("sending")
    } else {
        None
    };
    let mut progress = |p: bulk::Progress| {
        if let Some(bar) = &bar {
            bar.set_length(p.due);
            bar.set_position(p.done);
        }
    };
    let mut report = if args.run {
        sender.run(&mut progress)?
    } else {
        sender.send_due(&mut progress)?
    };
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    report.recovered = recovered;
    match args.format {
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({
                "queued": queued,
                "rejected": rejected.len(),
                "via": via,
                "outbox": path,
                "report": report,
            }))?
        ),
        Format::Human => {
            println!(
                "{} sent, {} failed, {} waiting for a retry, {} in doubt · via {via}",
                report.sent, report.failed, report.retrying, report.in_doubt
            );
            if let Some(next) = report.next_due {
                println!(
                    "  next due: {} (run again, or `letterpress send --resume --run`)",
                    when(next)
                );
            }
            if report.failed > 0 || report.retrying > 0 || !rejected.is_empty() {
                println!("  see `letterpress outbox` for what failed and why");
            }
        }
    }
    let clean = report.failed == 0 && report.retrying == 0 && rejected.is_empty();
    Ok(if clean {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn when(unix: i64) -> String {
    if unix <= unix_now() {
        return "now".into();
    }
    jiff::Timestamp::from_second(unix)
        .map(|t| t.to_string())
        .unwrap_or_else(|_| unix.to_string())
}

/// The outbox at `path` (default: the project's), which `letterpress send` must have made.
fn existing_outbox(root: &Path, path: Option<&Path>) -> Result<Outbox> {
    let path = path
        .map(Path::to_owned)
        .unwrap_or_else(|| Outbox::path_in(root));
    if !path.is_file() {
        anyhow::bail!(
            "no outbox at {} yet: `letterpress send` makes it",
            path.display()
        );
    }
    Ok(Outbox::open(&path)?)
}

/// `letterpress outbox [--format json]`
pub fn outbox(root: &Path, path: Option<&Path>, format: Format) -> Result<ExitCode> {
    let counts = existing_outbox(root, path)?.counts()?;
    match format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&counts)?),
        Format::Human => {
            let states: Vec<String> = counts
                .states
                .iter()
                .map(|(s, n)| format!("{n} {s}"))
                .collect();
            println!(
                "{}",
                if states.is_empty() {
                    "empty".to_owned()
                } else {
                    states.join(" · ")
                }
            );
            if counts.in_doubt > 0 {
                println!(
                    "{} in doubt (sent, no reply recorded: the sender stopped while the server answered)",
                    counts.in_doubt
                );
            }
            if let Some(next) = counts.next_due {
                println!("next due: {}", when(next));
            }
            let mut current = String::new();
            for row in &counts.by_template {
                let head = if row.template.is_empty() {
                    "(unreadable lines)".to_owned()
                } else {
                    format!("{} {}", row.template, row.locale)
                };
                if head != current {
                    print!("{}{head}:", if current.is_empty() { "" } else { "\n" });
                    current = head;
                }
                print!(" {} {}", row.count, row.state);
            }
            if !current.is_empty() {
                println!();
            }
            for f in &counts.failures {
                println!(
                    "{} [{}] after {} attempt(s): {}",
                    f.at, f.key, f.attempts, f.error
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `letterpress stats [--format json]`: sent / failed / retried per template × variant ×
/// locale, and per UTC day.
pub fn stats(root: &Path, path: Option<&Path>, format: Format) -> Result<ExitCode> {
    let stats = existing_outbox(root, path)?.stats()?;
    match format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&stats)?),
        Format::Human => print!("{}", stats_table(&stats)),
    }
    Ok(ExitCode::SUCCESS)
}

/// The stats as aligned columns: the totals, then one line per day.
fn stats_table(stats: &letterpress_studio::send::outbox::OutboxStats) -> String {
    use std::fmt::Write;
    if stats.rows.is_empty() {
        return "nothing sent yet\n".to_owned();
    }
    let variant = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".into());
    let mut lines = vec![
        [
            "template", "variant", "locale", "sent", "failed", "retried", "in doubt", "waiting",
        ]
        .map(str::to_owned),
    ];
    for r in &stats.rows {
        lines.push([
            r.template.clone(),
            variant(&r.variant),
            r.locale.clone(),
            r.sent.to_string(),
            r.failed.to_string(),
            r.retried.to_string(),
            r.in_doubt.to_string(),
            r.waiting.to_string(),
        ]);
    }
    let widths: Vec<usize> = (0..8)
        .map(|c| {
            lines
                .iter()
                .map(|l| l[c].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for line in &lines {
        let cells: Vec<String> = line
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(c, (cell, w))| {
                if c < 3 {
                    format!("{cell:<w$}")
                } else {
                    format!("{cell:>w$}")
                }
            })
            .collect();
        let _ = writeln!(out, "{}", cells.join("  ").trim_end());
    }
    let _ = writeln!(out, "\nper day (UTC):");
    for d in &stats.days {
        let _ = writeln!(
            out,
            "{}  {} {} {}: {} sent, {} failed, {} retried",
            d.day,
            d.template,
            variant(&d.variant),
            d.locale,
            d.sent,
            d.failed,
            d.retried
        );
    }
    out
}

/// The stable code of a send error.
pub fn error_code(e: &anyhow::Error) -> Option<letterpress_protocol::IpcCode> {
    e.downcast_ref::<SendError>()
        .map(SendError::code)
        .or_else(|| {
            e.downcast_ref::<letterpress_studio::send::outbox::OutboxError>()
                .map(|_| letterpress_protocol::IpcCode::Io)
        })
}
