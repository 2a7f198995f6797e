//! `letterpress send`: the durable sender. Messages come in as JSON lines, go into the
//! [`Outbox`], are rendered by the engine that renders the preview (so what a recipient
//! gets is what the preview shows), and go out over SMTP or a target's send API, each
//! message exactly once across crashes (see `outbox.rs` for the one in-doubt case).
//!
//! A line: `{"template": "welcome", "locale": "de", "data": {...}, "to": "a@b.example",
//! "send_at": "2026-12-04T18:00", "time_zone": "Europe/Berlin", "key": "welcome-42"}` —
//! `locale` defaults to the project's, `data` to `{}`, `key` (the idempotency key) to a
//! hash of the line, `send_at` to now. A `send_at` without an offset is a time on the
//! recipient's clock and needs `time_zone` (IANA, bundled database).
//!
//! The clock and sleeping come in through [`Clock`] so tests can drive time.

use super::message::{BuiltMessage, Envelope, build_message};
use super::outbox::{NewMessage, Outbox, OutboxError, Recovered, RenderResult, StoredMessage};
use super::smtp::{SmtpFailureKind, SmtpLogin, SmtpSession};
use super::{SEND_TIMEOUT, SendError, SendSecrets};
use crate::Project;
use crate::sync::TargetSync;
use letterpress_engine::config::SmtpServer;
use letterpress_engine::send_config::is_address;
use letterpress_engine::{Diagnostic, RenderOutput, TemplateMeta};
use letterpress_providers::{ProviderError, ProviderKind};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::time::Duration;

/// The header that carries a message's idempotency key.
pub const KEY_HEADER: &str = "X-Letterpress-Key";

/// Longest idempotency key accepted.
pub const MAX_KEY_LEN: usize = 200;

/// Longest input line (bytes); a longer one is rejected.
pub const MAX_LINE_BYTES: usize = 1 << 20;

/// Messages rendered and sent per pass over the outbox.
const BATCH: usize = 256;

/// Time, for the sender: real in the CLI, driven in tests.
pub trait Clock {
    /// Now, as Unix seconds.
    fn now(&self) -> i64;
    /// Waits `d` (a test clock advances instead).
    fn sleep(&self, d: Duration);
}

/// The system clock.
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> i64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
            .unwrap_or(0)
    }
    fn sleep(&self, d: Duration) {
        std::thread::sleep(d);
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Line {
    template: String,
    #[serde(default)]
    locale: Option<String>,
    #[serde(default)]
    data: Option<serde_json::Value>,
    to: String,
    #[serde(default)]
    send_at: Option<String>,
    #[serde(default)]
    time_zone: Option<String>,
    #[serde(default)]
    key: Option<String>,
    #[serde(default)]
    variant: Option<String>,
}

/// The default idempotency key of a line: the SHA-256 of its bytes (trimmed), in hex.
pub fn line_key(line: &str) -> String {
    let digest = Sha256::digest(line.trim().as_bytes());
    digest.iter().take(16).map(|b| format!("{b:02x}")).collect()
}

/// When a message is due, from `send_at` and `time_zone`.
pub fn due_at(send_at: &str, time_zone: Option<&str>) -> Result<i64, String> {
    if let Ok(ts) = send_at.parse::<jiff::Timestamp>() {
        return Ok(ts.as_second());
    }
    let civil: jiff::civil::DateTime = send_at.parse().map_err(|_| {
        format!(
            "`send_at` `{send_at}` is not a time: write `2026-12-04T18:00` (with `time_zone`) or \
             `2026-12-04T18:00:00+01:00`"
        )
    })?;
    let Some(zone) = time_zone else {
        return Err(format!(
            "`send_at` `{send_at}` has no offset: add `\"time_zone\": \"Europe/Berlin\"` (the \
             recipient's) or write the offset"
        ));
    };
    let tz = jiff::tz::TimeZone::get(zone).map_err(|_| {
        format!("`time_zone` `{zone}` is not an IANA time zone (e.g. `Europe/Berlin`)")
    })?;
    // A time skipped by a DST change goes to the first time after the gap; a repeated one
    // to the first of the two.
    let zoned = tz
        .to_ambiguous_zoned_datetime(civil)
        .compatible()
        .map_err(|e| format!("`send_at` `{send_at}` in {zone}: {e}"))?;
    Ok(zoned.timestamp().as_second())
}

/// What the sender renders from: the working copy ([`Project`]), a published version or a
/// bundle ([`letterpress_engine::bundle::Bundle`]).
pub trait Renderer: Sync {
    /// Why `template` in `locale` cannot be rendered (`None`: it can).
    fn refuses(&self, template: &str, locale: &str) -> Option<String>;
    /// The locale of a message that names none.
    fn default_locale(&self) -> String;
    /// The template's settings (its A/B variants), `None` when it has none that parse.
    fn meta(&self, template: &str) -> Option<TemplateMeta>;
    /// Renders `template` (or its A/B `variant`) with `data`, the text part included.
    fn render(
        &self,
        template: &str,
        variant: Option<&str>,
        locale: &str,
        data: &serde_json::Value,
    ) -> RenderOutput;
}

/// The variant a message gets: the one its line names (checked), else one the template's
/// weights pick by a stable hash of the template and the recipient's address, so a
/// recipient gets the same variant in every batch. `Ok(None)`: the template has none.
pub fn pick_variant(
    meta: Option<&TemplateMeta>,
    template: &str,
    named: Option<&str>,
    recipient: &str,
) -> Result<Option<String>, String> {
    let Some(meta) = meta.filter(|m| !m.variants.is_empty()) else {
        return match named {
            Some(v) => Err(format!(
                "template `{template}` has no variant `{v}` (it has none)"
            )),
            None => Ok(None),
        };
    };
    match named {
        Some(v) => match meta.variant(v) {
            Ok(_) => Ok(Some(v.to_owned())),
            Err(names) => Err(format!(
                "template `{template}` has no variant `{v}` (its variants: {})",
                names.join(", ")
            )),
        },
        None => {
            let key = format!("{template}\u{0}{}", recipient.to_ascii_lowercase());
            Ok(meta.assign_variant(&key).map(str::to_owned))
        }
    }
}

impl Renderer for Project {
    fn refuses(&self, template: &str, locale: &str) -> Option<String> {
        let templates: Vec<String> = self
            .templates()
            .map(|ts| ts.into_iter().map(|t| t.id).collect())
            .unwrap_or_default();
        let config = self.config();
        if !templates.iter().any(|t| t == template) {
            Some(format!(
                "no template `{template}` (templates: {})",
                templates.join(", ")
            ))
        } else if !config.locales.iter().any(|l| l == locale) {
            Some(format!(
                "no locale `{locale}` in letterpress.toml (locales: {})",
                config.locales.join(", ")
            ))
        } else {
            None
        }
    }
    fn default_locale(&self) -> String {
        self.config().default_locale.clone()
    }
    fn meta(&self, template: &str) -> Option<TemplateMeta> {
        self.template_meta(template)
    }
    fn render(
        &self,
        template: &str,
        variant: Option<&str>,
        locale: &str,
        data: &serde_json::Value,
    ) -> RenderOutput {
        self.render_data(template, variant, locale, data)
    }
}

impl Renderer for letterpress_engine::bundle::Bundle {
    fn refuses(&self, template: &str, locale: &str) -> Option<String> {
        let entries = &self.manifest().entries;
        if entries
            .iter()
            .any(|e| e.template == template && e.locale == locale)
        {
            return None;
        }
        let mut templates: Vec<&str> = entries.iter().map(|e| e.template.as_str()).collect();
        templates.dedup();
        if templates.contains(&template) {
            Some(format!(
                "the bundle ({}) has no locale `{locale}` of `{template}`",
                self.manifest().version
            ))
        } else {
            Some(format!(
                "no template `{template}` in the bundle ({}; templates: {})",
                self.manifest().version,
                templates.join(", ")
            ))
        }
    }
    fn default_locale(&self) -> String {
        self.manifest().default_locale.clone()
    }
    fn meta(&self, template: &str) -> Option<TemplateMeta> {
        letterpress_engine::bundle::Bundle::template_meta(self, template)
    }
    fn render(
        &self,
        template: &str,
        variant: Option<&str>,
        locale: &str,
        data: &serde_json::Value,
    ) -> RenderOutput {
        letterpress_engine::bundle::Bundle::render_variant(self, template, variant, locale, data)
    }
}

/// Reads JSON lines into messages. A line that cannot be used is kept as a rejected
/// message (failed at once, with its line number and why), so nothing is lost and the
/// rest go on. Empty lines are skipped.
pub fn read_lines(renderer: &dyn Renderer, source: &str, text: &str) -> Vec<NewMessage> {
    let default_locale = renderer.default_locale();
    let mut metas: std::collections::HashMap<String, Option<TemplateMeta>> = Default::default();
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line_no = i + 1;
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            continue;
        }
        let mut message = NewMessage {
            key: line_key(trimmed),
            source: source.to_owned(),
            line: line_no,
            template: String::new(),
            variant: None,
            locale: String::new(),
            recipient: String::new(),
            data: "{}".into(),
            due_at: 0,
            rejected: None,
        };
        let reject = |mut m: NewMessage, why: String| {
            m.rejected = Some(format!("{source}:{line_no}: {why}"));
            m
        };
        if trimmed.len() > MAX_LINE_BYTES {
            out.push(reject(
                message,
                format!(
                    "the line has {} bytes (at most {MAX_LINE_BYTES})",
                    trimmed.len()
                ),
            ));
            continue;
        }
        let line: Line = match serde_json::from_str(trimmed) {
            Ok(l) => l,
            Err(e) => {
                out.push(reject(message, format!("not a message: {e}")));
                continue;
            }
        };
        if let Some(key) = &line.key {
            message.key = key.clone();
        }
        message.template = line.template.clone();
        message.locale = line
            .locale
            .clone()
            .unwrap_or_else(|| default_locale.clone());
        message.recipient = line.to.trim().to_owned();
        let data = line
            .data
            .clone()
            .unwrap_or_else(|| serde_json::Value::Object(serde_json::Map::new()));
        message.data = data.to_string();
        let problem = if message.key.is_empty()
            || message.key.len() > MAX_KEY_LEN
            || message.key.chars().any(char::is_control)
        {
            Some(format!(
                "`key` must be 1 to {MAX_KEY_LEN} characters without control characters"
            ))
        } else if let Some(why) = renderer.refuses(&line.template, &message.locale) {
            Some(why)
        } else if !is_address(&message.recipient) {
            Some(format!("`to` `{}` is not an email address", line.to))
        } else if !data.is_object() {
            Some("`data` must be an object".into())
        } else {
            None
        };
        if let Some(why) = problem {
            out.push(reject(message, why));
            continue;
        }
        let meta = metas
            .entry(line.template.clone())
            .or_insert_with(|| renderer.meta(&line.template));
        match pick_variant(
            meta.as_ref(),
            &line.template,
            line.variant.as_deref(),
            &message.recipient,
        ) {
            Ok(v) => message.variant = v,
            Err(why) => {
                out.push(reject(message, why));
                continue;
            }
        }
        if let Some(at) = &line.send_at {
            match due_at(at, line.time_zone.as_deref()) {
                Ok(t) => message.due_at = t,
                Err(why) => {
                    out.push(reject(message, why));
                    continue;
                }
            }
        } else if line.time_zone.is_some() {
            out.push(reject(message, "`time_zone` without `send_at`".into()));
            continue;
        }
        out.push(message);
    }
    out
}

/// Why one send failed, and what it means for the message.
#[derive(Debug)]
pub struct TransportFailure {
    /// One line for the outbox.
    pub message: String,
    /// Retry, give up, or in doubt.
    pub kind: FailureKind,
    /// The connection is gone: stop this pass (the rest wait for the retry).
    pub connection_lost: bool,
}

/// What a failure means for the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    /// Refused for good.
    Permanent,
    /// Try again later (after `Some(seconds)` when the service said so).
    Transient(Option<u64>),
    /// The service may have it: never sent again silently.
    InDoubt,
}

/// A message ready to go out, with what a parts-based API needs.
pub struct Outgoing<'a> {
    /// The MIME message.
    pub message: &'a BuiltMessage,
    /// The idempotency key.
    pub key: &'a str,
    /// HTML and text, for APIs that take parts (Postmark).
    pub parts: Option<&'a RenderOutput>,
}

/// Where messages go.
pub trait Transport {
    /// `smtp://host:port` or `name (provider)`.
    fn describe(&self) -> String;
    /// Whether sends need the HTML and text parts (the message is rendered again).
    fn needs_parts(&self) -> bool {
        false
    }
    /// Sends one message; `before_end` runs right before the point after which the service
    /// may have it.
    fn send(
        &mut self,
        out: &Outgoing<'_>,
        before_end: &mut dyn FnMut(),
    ) -> Result<String, TransportFailure>;
}

/// SMTP, one connection kept open across messages.
pub struct SmtpTransport {
    server: SmtpServer,
    login: Option<SmtpLogin>,
    session: Option<SmtpSession>,
}

impl SmtpTransport {
    /// The transport for `server`, logging in with the password from `secrets`.
    pub fn new(server: SmtpServer, secrets: &SendSecrets<'_>) -> Result<SmtpTransport, SendError> {
        let login = super::smtp_login(&server, secrets)?;
        Ok(SmtpTransport {
            server,
            login,
            session: None,
        })
    }
}

fn last_lines(error: &SendError) -> String {
    match error {
        SendError::Smtp {
            message,
            transcript,
            ..
        } => {
            let tail: Vec<&str> = transcript
                .iter()
                .rev()
                .take(3)
                .rev()
                .map(String::as_str)
                .collect();
            format!("{message} [{}]", tail.join(" | "))
        }
        other => other.to_string(),
    }
}

impl Transport for SmtpTransport {
    fn describe(&self) -> String {
        self.server.url()
    }

    fn send(
        &mut self,
        out: &Outgoing<'_>,
        before_end: &mut dyn FnMut(),
    ) -> Result<String, TransportFailure> {
        if self.session.is_none() {
            match SmtpSession::open(&self.server, self.login.as_ref(), SEND_TIMEOUT) {
                Ok(s) => self.session = Some(s),
                Err(e) => {
                    return Err(TransportFailure {
                        message: last_lines(&e),
                        kind: if e.code() == letterpress_protocol::IpcCode::Auth {
                            FailureKind::Permanent
                        } else {
                            FailureKind::Transient(None)
                        },
                        connection_lost: true,
                    });
                }
            }
        }
        let Some(session) = self.session.as_mut() else {
            return Err(TransportFailure {
                message: "no SMTP session".into(),
                kind: FailureKind::Transient(None),
                connection_lost: true,
            });
        };
        match session.transmit(out.message, before_end) {
            Ok(reply) => Ok(reply),
            Err(f) => {
                let kind = match f.kind {
                    SmtpFailureKind::Permanent => FailureKind::Permanent,
                    SmtpFailureKind::Transient => FailureKind::Transient(None),
                    SmtpFailureKind::InDoubt => FailureKind::InDoubt,
                };
                // A reply (or a message refused before any byte went out) leaves the
                // session usable; anything else broke the connection.
                let lost = matches!(&f.error, SendError::Smtp { code, .. }
                    if *code != letterpress_protocol::IpcCode::SmtpRefused);
                if lost {
                    self.session = None;
                }
                Err(TransportFailure {
                    message: last_lines(&f.error),
                    kind,
                    connection_lost: lost,
                })
            }
        }
    }
}

impl Drop for SmtpTransport {
    fn drop(&mut self) {
        if let Some(s) = self.session.take() {
            let _ = s.quit();
        }
    }
}

/// A sync target's send API: SES v2 `SendEmail` (the raw message) or Postmark `/email`.
pub struct TargetTransport {
    target: TargetSync,
    name: String,
    from: String,
}

impl TargetTransport {
    /// Opens target `name` of the project at `root` with one attempt per call (a retry
    /// after a timeout could deliver twice; the outbox retries what is safe).
    pub fn open(
        project: &Project,
        name: &str,
        secrets: &SendSecrets<'_>,
        now: i64,
    ) -> Result<TargetTransport, SendError> {
        let target = super::open_send_target(project.root(), name, secrets, now)?;
        if target.ses().is_none() && target.postmark().is_none() {
            return Err(SendError::Message(format!(
                "target `{name}` has no send API"
            )));
        }
        Ok(TargetTransport {
            target,
            name: name.to_owned(),
            from: project.config().send.from.clone().unwrap_or_default(),
        })
    }
}

/// What a provider's failure means for a message. Only what surely did not reach the
/// provider is sent again: a refused connection, a 429 (after its `Retry-After`). A 5xx, a
/// timeout or a dropped connection after the request went out may have been acted on: in
/// doubt, never resent silently.
fn provider_failure(e: ProviderError) -> TransportFailure {
    let message = e.to_string();
    let (inner, retry_after) = match e {
        ProviderError::GaveUp {
            last, retry_after, ..
        } => (*last, retry_after),
        other => (other, None),
    };
    let (kind, connection_lost) = match &inner {
        ProviderError::ErrorAnswer {
            kind: ProviderKind::Throttled,
            ..
        } => (
            FailureKind::Transient(retry_after.map(|d| d.as_secs().max(1))),
            false,
        ),
        ProviderError::Unreachable(_) => (FailureKind::Transient(None), true),
        ProviderError::ErrorAnswer {
            kind: ProviderKind::Server,
            ..
        }
        | ProviderError::Network(_)
        | ProviderError::Timeout(_) => (FailureKind::InDoubt, false),
        _ => (FailureKind::Permanent, false),
    };
    TransportFailure {
        message,
        kind,
        connection_lost,
    }
}

impl Transport for TargetTransport {
    fn describe(&self) -> String {
        format!("{} ({})", self.name, self.target.target().provider)
    }

    fn needs_parts(&self) -> bool {
        self.target.ses().is_none()
    }

    fn send(
        &mut self,
        out: &Outgoing<'_>,
        before_end: &mut dyn FnMut(),
    ) -> Result<String, TransportFailure> {
        before_end();
        let id = super::send_through_target(
            &self.target,
            &self.from,
            out.message,
            out.parts,
            vec![(KEY_HEADER.to_owned(), out.key.to_owned())],
        )
        .ok_or_else(|| TransportFailure {
            message: "the target has no send API".into(),
            kind: FailureKind::Permanent,
            connection_lost: false,
        })?;
        id.map(|id| format!("accepted, message id {id}"))
            .map_err(provider_failure)
    }
}

/// How the sender behaves.
#[derive(Debug, Clone)]
pub struct SenderOptions {
    /// Attempts before a message fails for good.
    pub max_attempts: u32,
    /// The first retry waits this long; each next one twice as long (capped at an hour).
    pub retry_base: Duration,
    /// At most this many messages per second (`None`: as fast as the service takes them).
    pub rate: Option<u32>,
}

impl Default for SenderOptions {
    fn default() -> Self {
        SenderOptions {
            max_attempts: 5,
            retry_base: Duration::from_secs(30),
            rate: None,
        }
    }
}

/// What one pass (or a whole run) did.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct SendReport {
    /// Accepted by the service.
    pub sent: u64,
    /// Failed for good in this run (render errors, refusals, attempts exhausted).
    pub failed: u64,
    /// Failed for now, waiting for a retry.
    pub retrying: u64,
    /// Sent without a reply: the service may have them.
    pub in_doubt: u64,
    /// Rendered in this run.
    pub rendered: u64,
    /// What a previous, stopped run left and how it was taken up.
    pub recovered: Recovered,
    /// When the next waiting message is due (Unix seconds; now or later).
    pub next_due: Option<i64>,
    /// The connection failed: nothing is tried before this time (the failed message's
    /// retry), even what is due.
    pub paused_until: Option<i64>,
}

/// Where a pass is: handled so far, and when the last message went (for `--rate`).
struct Pace {
    done: u64,
    last_send: Option<std::time::Instant>,
}

/// Progress of a run, for a progress line.
#[derive(Debug, Clone, Copy)]
pub struct Progress {
    /// Handled in this run.
    pub done: u64,
    /// Due now (handled + still to go in this pass).
    pub due: u64,
}

/// The sender: a project, its outbox and a transport.
pub struct Sender<'a> {
    renderer: &'a dyn Renderer,
    outbox: &'a mut Outbox,
    transport: &'a mut dyn Transport,
    clock: &'a dyn Clock,
    options: SenderOptions,
    /// The From mailbox, and its address (the envelope sender).
    from: String,
    from_address: String,
}

/// Renders a stored message; the first error, at its place, when it does not render.
fn render(renderer: &dyn Renderer, m: &StoredMessage) -> Result<RenderOutput, String> {
    let data: serde_json::Value =
        serde_json::from_str(&m.data).map_err(|e| format!("stored data: {e}"))?;
    let render = renderer.render(&m.template, m.variant.as_deref(), &m.locale, &data);
    if let Some(d) = render.diagnostics.iter().find(|d| d.is_error()) {
        return Err(describe(d));
    }
    Ok(render)
}

/// Renders and builds a stored message: its subject and MIME bytes. The Message-ID comes
/// from the key, so a message sent again (after a crash) has the same one.
fn build(
    renderer: &dyn Renderer,
    from: &str,
    m: &StoredMessage,
    now: i64,
) -> Result<(String, Vec<u8>), String> {
    let render = render(renderer, m)?;
    let built = build_message(
        &render,
        &Envelope {
            from: from.to_owned(),
            to: m.recipient.clone(),
            subject: render.subject.clone(),
            date: now,
            unique: format!("lp-{}", line_key(&m.key)),
            headers: vec![(KEY_HEADER.to_owned(), m.key.clone())],
        },
    )
    .map_err(|e| match e {
        SendError::Render(d) => describe(&d),
        other => other.to_string(),
    })?;
    Ok((built.subject, built.bytes))
}

fn describe(d: &Diagnostic) -> String {
    match &d.location {
        Some(l) => format!("{}:{}:{}: {}", l.file, l.line, l.column, d.message),
        None => d.message.clone(),
    }
}

impl<'a> Sender<'a> {
    /// A sender rendering with `renderer`, from the `[send] from` of `project` (refused
    /// without one).
    pub fn new(
        project: &Project,
        renderer: &'a dyn Renderer,
        outbox: &'a mut Outbox,
        transport: &'a mut dyn Transport,
        clock: &'a dyn Clock,
        options: SenderOptions,
    ) -> Result<Sender<'a>, SendError> {
        let from = project.config().send.from.clone().ok_or_else(|| {
            super::config_error(
                "letterpress.toml has no `[send] from`: add e.g. `[send]` with \
                 `from = \"Acme <hello@acme.test>\"`"
                    .into(),
            )
        })?;
        let from_address = from
            .parse::<lettre::message::Mailbox>()
            .map(|m| m.email.to_string())
            .map_err(|e| {
                super::config_error(format!(
                    "`[send] from` `{from}` in letterpress.toml cannot be used: {e}"
                ))
            })?;
        Ok(Sender {
            renderer,
            from_address,
            outbox,
            transport,
            clock,
            options,
            from,
        })
    }

    fn retry_at(&self, attempts: u32, after: Option<u64>, now: i64) -> i64 {
        let base = self.options.retry_base.as_secs().max(1);
        let exp = base.saturating_mul(1u64 << attempts.saturating_sub(1).min(16));
        let wait = after.unwrap_or(0).max(exp).min(3600);
        now.saturating_add(i64::try_from(wait).unwrap_or(3600))
    }

    /// Takes up what a stopped run left (see [`Outbox::recover`]).
    pub fn recover(&mut self, resend_in_doubt: bool) -> Result<Recovered, OutboxError> {
        let now = self.clock.now();
        self.outbox.recover(resend_in_doubt, now)
    }

    /// Sends everything due now; returns when nothing due is left (or the connection is
    /// lost: the rest wait for their retry). Rendering the next batch (in parallel) overlaps
    /// sending the current one, so the server and the engine work at the same time.
    pub fn send_due(
        &mut self,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<SendReport, SendError> {
        let mut report = SendReport::default();
        let mut pace = Pace {
            done: 0,
            last_send: None,
        };
        loop {
            let now = self.clock.now();
            let due = self.outbox.due(now, 2 * BATCH).map_err(outbox_error)?;
            if due.is_empty() {
                break;
            }
            let (ready, unrendered): (Vec<StoredMessage>, Vec<StoredMessage>) =
                due.into_iter().partition(|m| m.message.is_some());
            let ready: Vec<StoredMessage> = ready.into_iter().take(BATCH).collect();
            let unrendered: Vec<StoredMessage> = unrendered.into_iter().take(BATCH).collect();
            let (renderer, from) = (self.renderer, self.from.clone());
            let render_all = move |list: &[StoredMessage]| -> Vec<RenderResult> {
                list.par_iter()
                    .map(|m| (m.id, build(renderer, &from, m, now)))
                    .collect()
            };
            let (renders, sent) = if ready.is_empty() {
                (render_all(&unrendered), Ok(false))
            } else {
                std::thread::scope(|scope| {
                    let rendering = scope.spawn(|| render_all(&unrendered));
                    let sent = self.send_ready(ready, &mut report, &mut pace, progress);
                    let renders = rendering.join().unwrap_or_else(|_| {
                        // The engine contains its own panics; this is a last resort: the
                        // batch stays queued and is rendered again on the next pass.
                        Vec::new()
                    });
                    (renders, sent)
                })
            };
            if !renders.is_empty() {
                report.rendered += renders.iter().filter(|(_, r)| r.is_ok()).count() as u64;
                report.failed += renders.iter().filter(|(_, r)| r.is_err()).count() as u64;
                self.outbox
                    .record_renders(&renders, now)
                    .map_err(outbox_error)?;
            }
            if sent? {
                break;
            }
        }
        let now = self.clock.now();
        report.next_due = self
            .outbox
            .next_due()
            .map_err(outbox_error)?
            .map(|t| t.max(now));
        Ok(report)
    }

    /// Sends rendered messages in order; `Ok(true)` when the connection was lost (the pass
    /// stops there).
    fn send_ready(
        &mut self,
        ready: Vec<StoredMessage>,
        report: &mut SendReport,
        pace: &mut Pace,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<bool, SendError> {
        let total = pace.done + ready.len() as u64;
        let mut lost = false;
        for m in ready {
            let Some(bytes) = m.message.clone() else {
                continue;
            };
            if let (Some(rate), Some(prev)) = (self.options.rate, pace.last_send) {
                let gap = Duration::from_secs(1) / rate.max(1);
                let elapsed = prev.elapsed();
                if elapsed < gap {
                    self.clock.sleep(gap - elapsed);
                }
            }
            pace.last_send = Some(std::time::Instant::now());
            let message = BuiltMessage {
                bytes,
                from_address: self.from_address.clone(),
                to_address: m.recipient.clone(),
                subject: m.subject.clone().unwrap_or_default(),
            };
            let parts = if self.transport.needs_parts() {
                match render(self.renderer, &m) {
                    Ok(r) => Some(r),
                    Err(e) => {
                        self.outbox
                            .mark_failed(m.id, &e, None, self.clock.now())
                            .map_err(outbox_error)?;
                        report.failed += 1;
                        continue;
                    }
                }
            } else {
                None
            };
            self.outbox.mark_sending(m.id).map_err(outbox_error)?;
            let mut mark_error = None;
            let outbox = &mut *self.outbox;
            let result = self.transport.send(
                &Outgoing {
                    message: &message,
                    key: &m.key,
                    parts: parts.as_ref(),
                },
                &mut || {
                    if let Err(e) = outbox.mark_committing(m.id) {
                        mark_error = Some(e);
                    }
                },
            );
            let now = self.clock.now();
            match result {
                Ok(reply) => {
                    self.outbox
                        .mark_sent(m.id, &reply, now)
                        .map_err(outbox_error)?;
                    report.sent += 1;
                }
                Err(f) => {
                    match f.kind {
                        FailureKind::InDoubt => {
                            self.outbox
                                .mark_in_doubt(m.id, &f.message, now)
                                .map_err(outbox_error)?;
                            report.in_doubt += 1;
                        }
                        FailureKind::Permanent => {
                            self.outbox
                                .mark_failed(m.id, &f.message, None, now)
                                .map_err(outbox_error)?;
                            report.failed += 1;
                        }
                        FailureKind::Transient(after) => {
                            let attempts = m.attempts + 1;
                            if attempts >= self.options.max_attempts {
                                let why =
                                    format!("gave up after {attempts} attempts: {}", f.message);
                                self.outbox
                                    .mark_failed(m.id, &why, None, now)
                                    .map_err(outbox_error)?;
                                report.failed += 1;
                            } else {
                                let at = self.retry_at(attempts, after, now);
                                self.outbox
                                    .mark_failed(m.id, &f.message, Some(at), now)
                                    .map_err(outbox_error)?;
                                report.retrying += 1;
                                if f.connection_lost {
                                    report.paused_until = Some(at);
                                }
                            }
                        }
                    }
                    lost = f.connection_lost;
                }
            }
            if let Some(e) = mark_error {
                return Err(outbox_error(e));
            }
            pace.done += 1;
            progress(Progress {
                done: pace.done,
                due: total,
            });
            if lost {
                break;
            }
        }
        Ok(lost)
    }

    /// Sends what is due, sleeps until the next message is due, and so on until nothing
    /// waits (`send --run`).
    pub fn run(&mut self, progress: &mut dyn FnMut(Progress)) -> Result<SendReport, SendError> {
        let mut total = SendReport::default();
        loop {
            let pass = self.send_due(progress)?;
            total.sent += pass.sent;
            total.failed += pass.failed;
            total.in_doubt += pass.in_doubt;
            total.rendered += pass.rendered;
            total.retrying = pass.retrying;
            total.next_due = pass.next_due;
            let Some(next) = pass.next_due else {
                return Ok(total);
            };
            let next = pass.paused_until.map_or(next, |p| p.max(next));
            let wait = next.saturating_sub(self.clock.now()).max(1);
            self.clock
                .sleep(Duration::from_secs(u64::try_from(wait).unwrap_or(1)));
        }
    }
}

fn outbox_error(e: OutboxError) -> SendError {
    SendError::Outbox(Box::new(e))
}
