//! Test sends (issue 18): the email of one template × locale × fixture, exactly as a
//! recipient gets it, over SMTP or a sync target's send API, with a token in the subject.
//!
//! `message.rs` builds the MIME message (the one place; the bulk sender will reuse it),
//! `smtp.rs` talks SMTP with a transcript. The CLI and the app both call
//! [`PreparedSend::send`]: the CLI after [`crate::Project::prepare_test_send`] (files on
//! disk), the app after [`crate::StudioSession::prepare_test_send`] (unsaved edits
//! included, as the preview shows them). The token and the date come in with [`Stamp`]:
//! nothing here reads the clock or a random source except to time the send.

pub mod bulk;
pub mod message;
pub mod outbox;
pub mod smtp;

use crate::StudioError;
use crate::sync::{ClientOptions, CredentialStore, SmtpPasswords, SyncError, TargetSync};
use letterpress_engine::config::SmtpServer;
use letterpress_engine::send_config::is_address;
use letterpress_engine::{Code, Diagnostic, Location, PROJECT_FILE, ProjectConfig, RenderOutput};
use letterpress_protocol::send::{SendTransport, TRANSCRIPT_MARK, TestSendReport, TestSendSetup};
use letterpress_protocol::{Coded, IpcCode};
use message::{BuiltMessage, Envelope};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Header carrying the token, so a test message can be found and filtered.
pub const TOKEN_HEADER: &str = "X-Letterpress-Test";

/// How long a test send may take to connect, and to get each reply.
pub const SEND_TIMEOUT: Duration = Duration::from_secs(20);

/// What can stop a test send. Messages never hold a secret.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// `[send]` lacks what the send needs (the diagnostic points into letterpress.toml).
    #[error("{}", .0.message)]
    Config(Box<Diagnostic>),
    /// An address that cannot be used.
    #[error("{0}")]
    InvalidAddress(String),
    /// The recipient is outside `[send] allow` and the send was not confirmed.
    #[error(
        "`{to}` is not in the allow-list of letterpress.toml ([send] allow = {allow}); confirm \
         to send anyway (`--yes`)"
    )]
    NotAllowed {
        /// The recipient.
        to: String,
        /// The allow-list as written.
        allow: String,
    },
    /// The email has errors; nothing was sent.
    #[error("the email does not render, nothing was sent: {}", .0.message)]
    Render(Box<Diagnostic>),
    /// The message could not be built.
    #[error("the message could not be built: {0}")]
    Message(String),
    /// No password for the SMTP login.
    #[error(
        "no SMTP password for `{account}`: run `letterpress auth set-smtp`, or set \
         LETTERPRESS_SMTP_PASSWORD"
    )]
    NoPassword {
        /// The keychain account (`smtp:user@host:port`).
        account: String,
    },
    /// The SMTP conversation failed; the transcript says where.
    #[error("{message}{TRANSCRIPT_MARK}{}", transcript.join("\n"))]
    Smtp {
        /// Network, timeout, tls, auth or smtp-refused.
        code: IpcCode,
        /// One sentence with the server's reply.
        message: String,
        /// Every command and reply up to the failure.
        transcript: Vec<String>,
    },
    /// Opening the target or its provider call failed.
    #[error(transparent)]
    Target(#[from] SyncError),
    /// The project failed.
    #[error(transparent)]
    Studio(#[from] StudioError),
    /// The sender's outbox failed (nothing more is sent until it works again).
    #[error(transparent)]
    Outbox(Box<outbox::OutboxError>),
}

impl SendError {
    /// A stable code (CLI `error[code]`, IPC).
    pub fn code(&self) -> IpcCode {
        match self {
            SendError::Config(_) => IpcCode::InvalidConfig,
            SendError::InvalidAddress(_) => IpcCode::InvalidAddress,
            SendError::NotAllowed { .. } => IpcCode::NotAllowed,
            SendError::Render(_) => IpcCode::RenderFailed,
            SendError::Message(_) => IpcCode::Internal,
            SendError::NoPassword { .. } => IpcCode::NoCredentials,
            SendError::Smtp { code, .. } => *code,
            SendError::Target(e) => e.code(),
            SendError::Studio(e) => e.code(),
            SendError::Outbox(_) => IpcCode::Io,
        }
    }
}

impl Coded for SendError {
    fn code(&self) -> IpcCode {
        SendError::code(self)
    }
    fn location(&self) -> Option<Location> {
        match self {
            SendError::Config(d) | SendError::Render(d) => d.location.clone(),
            SendError::Target(e) => e.location(),
            _ => None,
        }
    }
}

/// The token and the time of one send (passed in: the CLI and the app make them from the
/// clock; tests fix them).
#[derive(Debug, Clone)]
pub struct Stamp {
    /// Four lowercase hex digits (`7f3a`).
    pub token: String,
    /// Now, as Unix seconds (the Date header).
    pub now: i64,
}

impl Stamp {
    /// A stamp whose token is derived from `seed` (any number that differs per send: the
    /// clock's nanoseconds and the process id, say).
    pub fn new(seed: u64, now: i64) -> Stamp {
        // splitmix64's finaliser: neighbouring seeds give unrelated tokens.
        let mut z = seed.wrapping_add(0x9e37_79b9_7f4a_7c15);
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^= z >> 31;
        Stamp {
            token: format!("{:04x}", z & 0xffff),
            now,
        }
    }
}

/// The subject of a test send: `[test 7f3a] Welcome, Anna` (a new subject each time, so
/// Gmail does not thread test messages together).
pub fn test_subject(token: &str, subject: &str) -> String {
    format!("[test {token}] {subject}")
}

/// What the user asked for.
#[derive(Debug, Clone)]
pub struct TestSendRequest {
    /// The recipient.
    pub to: String,
    /// SMTP or a target.
    pub transport: SendTransport,
    /// A recipient outside the allow-list was confirmed.
    pub confirmed: bool,
}

/// Where the secrets come from.
pub struct SendSecrets<'a> {
    /// SMTP passwords (keychain, `LETTERPRESS_SMTP_PASSWORD`).
    pub smtp: &'a dyn SmtpPasswords,
    /// Targets' provider credentials.
    pub targets: &'a dyn CredentialStore,
}

/// What the project's sender did (`.letterpress/outbox.sqlite`); `None` before the first
/// `letterpress send`. Opening the outbox brings an older one up to date, never a newer one.
pub fn stats(root: &std::path::Path) -> Result<Option<outbox::OutboxStats>, SendError> {
    let path = outbox::Outbox::path_in(root);
    if !path.is_file() {
        return Ok(None);
    }
    let read = outbox::Outbox::open(&path).and_then(|o| o.stats());
    read.map(Some).map_err(|e| SendError::Outbox(Box::new(e)))
}

/// What the dialog offers.
pub fn setup(config: &ProjectConfig, last_to: Option<String>) -> TestSendSetup {
    TestSendSetup {
        from: config.send.from.clone(),
        allow: config.send.allow.clone(),
        smtp: config.send.smtp.as_ref().map(SmtpServer::url),
        targets: config
            .targets
            .values()
            .map(|t| (t.name.clone(), t.provider.as_str().to_owned()))
            .collect(),
        last_to,
    }
}

/// The login for `server`'s user, its password from `secrets` (`None`: no user, no AUTH).
pub(crate) fn smtp_login(
    server: &SmtpServer,
    secrets: &SendSecrets<'_>,
) -> Result<Option<smtp::SmtpLogin>, SendError> {
    let Some(user) = &server.user else {
        return Ok(None);
    };
    let account = letterpress_providers::smtp_account(user, &server.host, server.port);
    let (password, _) = secrets
        .smtp
        .get(&account)
        .map_err(SyncError::from)?
        .ok_or(SendError::NoPassword { account })?;
    Ok(Some(smtp::SmtpLogin {
        user: user.clone(),
        password,
    }))
}

/// Opens target `name` of the project at `root` for sending: one attempt per call (a retry
/// after a timeout could deliver the message twice; the outbox retries what is safe).
pub(crate) fn open_send_target(
    root: &Path,
    name: &str,
    secrets: &SendSecrets<'_>,
    now: i64,
) -> Result<TargetSync, SendError> {
    let options = ClientOptions {
        max_attempts: 1,
        connect_timeout: Duration::from_secs(10),
        read_timeout: SEND_TIMEOUT,
        ..ClientOptions::default()
    };
    Ok(TargetSync::open(
        root,
        name,
        secrets.targets,
        options,
        std::sync::Arc::new(move || now),
    )?)
}

/// Hands `message` to `target`'s send API: SES v2 `SendEmail` takes the MIME bytes, Postmark
/// `/email` the render's parts (`parts`) with `headers`. The provider's message id; `None`
/// when the target has no send API (or Postmark gets no parts). The one place both the test
/// send and the sender's [`bulk::TargetTransport`] reach a provider.
pub(crate) fn send_through_target(
    target: &TargetSync,
    from: &str,
    message: &BuiltMessage,
    parts: Option<&RenderOutput>,
    headers: Vec<(String, String)>,
) -> Option<Result<String, letterpress_providers::ProviderError>> {
    if let Some(ses) = target.ses() {
        return Some(ses.send_raw(from, &message.to_address, &message.bytes));
    }
    let (postmark, parts) = (target.postmark()?, parts?);
    Some(postmark.send_email(&letterpress_providers::OutgoingEmail {
        from,
        to: &message.to_address,
        subject: &message.subject,
        html: &parts.html,
        text: &parts.text,
        headers,
    }))
}

/// An email rendered for a test send, with the project it belongs to.
pub struct PreparedSend {
    pub(crate) root: PathBuf,
    pub(crate) config: ProjectConfig,
    pub(crate) render: RenderOutput,
}

fn config_error(message: String) -> SendError {
    SendError::Config(Box::new(Diagnostic::error(
        Code::InvalidConfig,
        message,
        Some(Location::start_of(PROJECT_FILE)),
    )))
}

impl PreparedSend {
    /// Wraps a render of the project at `root` (tests, and the callers below).
    pub fn new(root: &Path, config: ProjectConfig, render: RenderOutput) -> PreparedSend {
        PreparedSend {
            root: root.to_owned(),
            config,
            render,
        }
    }

    /// The message a test send would send, without sending it.
    pub fn message(&self, to: &str, stamp: &Stamp) -> Result<BuiltMessage, SendError> {
        let from = self.config.send.from.clone().ok_or_else(|| {
            config_error(
                "letterpress.toml has no `[send] from`: add e.g. `[send]` with \
                 `from = \"Acme <hello@acme.test>\"`"
                    .into(),
            )
        })?;
        message::build_message(
            &self.render,
            &Envelope {
                from,
                to: to.to_owned(),
                subject: test_subject(&stamp.token, &self.render.subject),
                date: stamp.now,
                unique: format!("lp-test-{}-{}", stamp.token, stamp.now),
                headers: vec![(TOKEN_HEADER.to_owned(), stamp.token.clone())],
            },
        )
    }

    /// Sends the test message; refuses a recipient outside the allow-list unless confirmed.
    pub fn send(
        &self,
        request: &TestSendRequest,
        stamp: &Stamp,
        secrets: &SendSecrets<'_>,
    ) -> Result<TestSendReport, SendError> {
        let to = request.to.trim();
        if !is_address(to) {
            return Err(SendError::InvalidAddress(format!(
                "`{to}` is not an email address"
            )));
        }
        if !request.confirmed && !self.config.send.allows(to) {
            return Err(SendError::NotAllowed {
                to: to.to_owned(),
                allow: format!("{:?}", self.config.send.allow),
            });
        }
        let message = self.message(to, stamp)?;
        let started = Instant::now();
        let (reply, via) = match &request.transport {
            SendTransport::Smtp => self.send_smtp(&message, secrets)?,
            SendTransport::Target { name } => self.send_target(name, &message, stamp, secrets)?,
        };
        Ok(TestSendReport {
            to: message.to_address.clone(),
            subject: message.subject.clone(),
            token: stamp.token.clone(),
            encoded_bytes: message.encoded_size(),
            reply,
            via,
            millis: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        })
    }

    fn send_smtp(
        &self,
        message: &BuiltMessage,
        secrets: &SendSecrets<'_>,
    ) -> Result<(String, String), SendError> {
        let server = self.config.send.smtp.as_ref().ok_or_else(|| {
            config_error(
                "letterpress.toml has no `[send] smtp`: add e.g. `smtp = \
                 \"smtp://me@mail.example.com:587\"`, or send through a target"
                    .into(),
            )
        })?;
        let login = smtp_login(server, secrets)?;
        let accepted = smtp::send(server, login.as_ref(), message, SEND_TIMEOUT)?;
        Ok((accepted.reply, server.url()))
    }

    fn send_target(
        &self,
        name: &str,
        message: &BuiltMessage,
        stamp: &Stamp,
        secrets: &SendSecrets<'_>,
    ) -> Result<(String, String), SendError> {
        let target = open_send_target(&self.root, name, secrets, stamp.now)?;
        let provider = target.target().provider;
        let id = send_through_target(
            &target,
            self.config.send.from.as_deref().unwrap_or_default(),
            message,
            Some(&self.render),
            vec![(TOKEN_HEADER.to_owned(), stamp.token.clone())],
        )
        .ok_or_else(|| SendError::Message(format!("target `{name}` has no send API")))?
        .map_err(SyncError::from)?;
        Ok((
            format!("accepted, message id {id}"),
            format!("{name} ({provider})"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_four_hex_digits_and_neighbouring_seeds_differ() {
        let tokens: std::collections::BTreeSet<String> =
            (0..1000).map(|seed| Stamp::new(seed, 0).token).collect();
        assert!(tokens.iter().all(|t| {
            t.len() == 4
                && t.chars()
                    .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        }));
        // 1000 draws from 65536 values: a few collisions at most.
        assert!(tokens.len() > 980, "{}", tokens.len());
        assert_eq!(test_subject("7f3a", "Welcome"), "[test 7f3a] Welcome");
    }
}
