//! One message over SMTP, step by step on lettre's `SmtpConnection`, keeping a transcript of
//! every command and reply (lettre's transport keeps none) for the error shown on failure.
//!
//! The transcript holds commands as sent and replies as the server gave them, except: the
//! greeting and the first EHLO reply are read inside lettre's `connect` and shown as the
//! server information it parsed; `AUTH` shows only the mechanism (`AUTH PLAIN ***`); the
//! message itself is shown as its size. A password never appears in it.

use super::SendError;
use super::message::BuiltMessage;
use crate::sync::Secret;
use letterpress_engine::config::{SmtpSecurity, SmtpServer};
use letterpress_protocol::IpcCode;
use lettre::Address;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{SmtpConnection, TlsParameters};
use lettre::transport::smtp::commands::{Data, Mail, Quit, Rcpt};
use lettre::transport::smtp::extension::{ClientId, Extension, MailBodyParameter, MailParameter};
use lettre::transport::smtp::response::Response;
use std::time::Duration;

/// A user and password for `AUTH`.
pub struct SmtpLogin {
    /// The user name.
    pub user: String,
    /// Its password (from the keychain).
    pub password: Secret,
}

/// What the server said when it accepted the message.
#[derive(Debug, Clone)]
pub struct SmtpAccepted {
    /// The final reply (`250 OK`, `250 2.0.0 Ok: queued as 4F2…`).
    pub reply: String,
    /// The whole conversation.
    pub transcript: Vec<String>,
}

struct Conversation {
    transcript: Vec<String>,
}

impl Conversation {
    fn client(&mut self, line: impl AsRef<str>) {
        self.transcript
            .push(format!("C: {}", line.as_ref().trim_end()));
    }

    fn server(&mut self, response: &Response) -> String {
        let reply = reply_text(response);
        self.transcript.push(format!("S: {reply}"));
        reply
    }

    /// The failure of a step, with the transcript so far.
    fn failed(&mut self, e: &lettre::transport::smtp::Error, what: &str) -> SendError {
        // A reply is the server's; anything else (refused, timed out, TLS) happened here.
        let from = if e.is_permanent() || e.is_transient() {
            "S"
        } else {
            "--"
        };
        self.transcript.push(if from == "S" {
            format!("S: {e}")
        } else {
            format!("-- {e}")
        });
        let code = if e.is_timeout() {
            IpcCode::Timeout
        } else if e.is_tls() {
            IpcCode::Tls
        } else if e.is_permanent() || e.is_transient() {
            IpcCode::SmtpRefused
        } else {
            IpcCode::Network
        };
        let code = if what == "AUTH" && code == IpcCode::SmtpRefused {
            IpcCode::Auth
        } else {
            code
        };
        SendError::Smtp {
            code,
            message: format!("SMTP {what} failed: {e}"),
            transcript: self.transcript.clone(),
        }
    }

    fn refused(&mut self, code: IpcCode, message: String) -> SendError {
        self.transcript.push(format!("-- {message}"));
        SendError::Smtp {
            code,
            message,
            transcript: self.transcript.clone(),
        }
    }
}

/// A reply as one line: `250 OK`, multi-line replies joined with ` / `.
fn reply_text(response: &Response) -> String {
    let lines: Vec<&str> = response.message().collect();
    format!("{} {}", response.code(), lines.join(" / "))
}

/// Sends `message` through `server`; `timeout` bounds the connection and each reply.
pub fn send(
    server: &SmtpServer,
    login: Option<&SmtpLogin>,
    message: &BuiltMessage,
    timeout: Duration,
) -> Result<SmtpAccepted, SendError> {
    let mut session = SmtpSession::open(server, login, timeout)?;
    let reply = session.transmit(message, &mut || {}).map_err(|f| f.error)?;
    let transcript = session.quit();
    Ok(SmtpAccepted { reply, transcript })
}

/// How a message failed to go through an open session.
#[derive(Debug)]
pub struct SmtpFailure {
    /// What happened, with the transcript.
    pub error: SendError,
    /// What the failure means for the message.
    pub kind: SmtpFailureKind,
}

/// Whether a failed message can be sent again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpFailureKind {
    /// The server refused it for good (5xx), or it cannot be sent as it is.
    Permanent,
    /// Refused for now (4xx), or the connection failed before the end of the data: the
    /// server does not have it (RFC 5321 4.1.1.4), sending again is safe.
    Transient,
    /// The end of the data was written and no reply came: the server may have it.
    InDoubt,
}

/// One SMTP connection, for one message (a test send) or many (the sender).
pub struct SmtpSession {
    conn: SmtpConnection,
    talk: Conversation,
    sent: usize,
}

impl SmtpSession {
    /// Connects, says EHLO, upgrades to TLS as `server` requires and logs in.
    pub fn open(
        server: &SmtpServer,
        login: Option<&SmtpLogin>,
        timeout: Duration,
    ) -> Result<SmtpSession, SendError> {
        open_connection(server, login, timeout)
    }

    /// Sends one message: MAIL, RCPT, DATA, the data. `before_end` runs after the data and
    /// just before the final `.`: the last moment at which a crash leaves the server
    /// without the message (the sender records "committing" there).
    pub fn transmit(
        &mut self,
        message: &BuiltMessage,
        before_end: &mut dyn FnMut(),
    ) -> Result<String, SmtpFailure> {
        if self.sent > 0 {
            // A long session keeps only the current message's conversation.
            self.talk.transcript.clear();
        }
        self.sent += 1;
        transmit(&mut self.conn, &mut self.talk, message, before_end)
    }

    /// Says QUIT and returns the conversation.
    pub fn quit(mut self) -> Vec<String> {
        self.talk.client(Quit.to_string());
        if let Ok(r) = self.conn.command(Quit) {
            self.talk.server(&r);
        }
        self.talk.transcript
    }
}

fn permanent(error: SendError) -> SmtpFailure {
    SmtpFailure {
        error,
        kind: SmtpFailureKind::Permanent,
    }
}

fn open_connection(
    server: &SmtpServer,
    login: Option<&SmtpLogin>,
    timeout: Duration,
) -> Result<SmtpSession, SendError> {
    let mut talk = Conversation {
        transcript: Vec::new(),
    };
    let security = match server.security {
        SmtpSecurity::ImplicitTls => "TLS",
        SmtpSecurity::StartTls => "STARTTLS required",
        SmtpSecurity::Plain => "no TLS: loopback",
    };
    talk.transcript.push(format!(
        "-- connecting to {}:{} ({security}, timeout {} s)",
        server.host,
        server.port,
        timeout.as_secs()
    ));
    let tls = match server.security {
        SmtpSecurity::Plain => None,
        SmtpSecurity::ImplicitTls | SmtpSecurity::StartTls => {
            match TlsParameters::new(server.host.clone()) {
                Ok(p) => Some(p),
                Err(e) => return Err(talk.failed(&e, "TLS setup")),
            }
        }
    };
    let client_id = ClientId::default();
    let implicit = match server.security {
        SmtpSecurity::ImplicitTls => tls.as_ref(),
        _ => None,
    };
    let mut conn = match SmtpConnection::connect(
        (server.host.as_str(), server.port),
        Some(timeout),
        &client_id,
        implicit,
        None,
    ) {
        Ok(c) => c,
        Err(e) => return Err(talk.failed(&e, "connection")),
    };
    talk.transcript
        .push("S: (greeting read by the client)".to_owned());
    talk.client(format!("EHLO {client_id}"));
    talk.transcript
        .push(format!("S: 250 {}", conn.server_info()));
    if server.security == SmtpSecurity::StartTls {
        if !conn.can_starttls() {
            conn.abort();
            return Err(talk.refused(
                IpcCode::Tls,
                format!(
                    "{} does not offer STARTTLS; Letterpress sends over plain SMTP only to \
                     localhost (use `smtps://` if the server takes TLS on another port)",
                    server.host
                ),
            ));
        }
        talk.client("STARTTLS");
        let Some(params) = tls.as_ref() else {
            return Err(talk.refused(IpcCode::Tls, "no TLS parameters".into()));
        };
        if let Err(e) = conn.starttls(params, &client_id) {
            return Err(talk.failed(&e, "STARTTLS"));
        }
        talk.transcript.push("S: 220 (TLS established)".to_owned());
        talk.client(format!("EHLO {client_id}"));
        talk.transcript
            .push(format!("S: 250 {}", conn.server_info()));
    }
    if let Some(login) = login {
        let credentials = Credentials::new(login.user.clone(), login.password.expose().to_owned());
        let mechanisms = [Mechanism::Plain, Mechanism::Login];
        let chosen = mechanisms
            .iter()
            .find(|m| conn.server_info().supports_auth_mechanism(**m));
        match chosen {
            Some(m) => talk.client(format!("AUTH {m} *** (user {})", login.user)),
            None => {
                conn.abort();
                return Err(talk.refused(
                    IpcCode::Auth,
                    "the server offers neither AUTH PLAIN nor AUTH LOGIN".into(),
                ));
            }
        }
        match conn.auth(&mechanisms, &credentials) {
            Ok(r) => {
                talk.server(&r);
            }
            Err(e) => return Err(talk.failed(&e, "AUTH")),
        }
    }
    Ok(SmtpSession {
        conn,
        talk,
        sent: 0,
    })
}

/// Yields the data, then runs the hook when lettre asks for more (just before it writes
/// the final `.`).
struct ThenHook<'a> {
    data: Option<&'a [u8]>,
    hook: Option<&'a mut dyn FnMut()>,
    ran: &'a mut bool,
}

impl<'a> Iterator for ThenHook<'a> {
    type Item = &'a [u8];
    fn next(&mut self) -> Option<&'a [u8]> {
        if let Some(d) = self.data.take() {
            return Some(d);
        }
        if let Some(hook) = self.hook.take() {
            hook();
            *self.ran = true;
        }
        None
    }
}

fn transmit(
    conn: &mut SmtpConnection,
    talk: &mut Conversation,
    message: &BuiltMessage,
    before_end: &mut dyn FnMut(),
) -> Result<String, SmtpFailure> {
    let address = |a: &str, what: &str| {
        a.parse::<Address>()
            .map_err(|e| SendError::InvalidAddress(format!("{what} `{a}`: {e}")))
    };
    let from = address(&message.from_address, "From").map_err(permanent)?;
    let to = address(&message.to_address, "To").map_err(permanent)?;
    let mut parameters = Vec::new();
    if !message.bytes.is_ascii() {
        if !conn.server_info().supports_feature(Extension::EightBitMime) {
            return Err(permanent(talk.refused(
                IpcCode::SmtpRefused,
                "the message has 8-bit content and the server does not offer 8BITMIME".into(),
            )));
        }
        parameters.push(MailParameter::Body(MailBodyParameter::EightBitMime));
    }
    let steps: [(&str, String); 3] = [
        ("MAIL FROM", Mail::new(Some(from), parameters).to_string()),
        ("RCPT TO", Rcpt::new(to, Vec::new()).to_string()),
        ("DATA", Data.to_string()),
    ];
    for (what, command) in steps {
        talk.client(&command);
        match conn.command(&command) {
            Ok(r) => {
                talk.server(&r);
            }
            Err(e) => {
                let kind = if e.is_permanent() {
                    SmtpFailureKind::Permanent
                } else {
                    SmtpFailureKind::Transient
                };
                let error = talk.failed(&e, what);
                if !e.is_permanent() && !e.is_transient() {
                    conn.abort();
                } else {
                    // The session stays usable for the next message.
                    let _ = conn.command(lettre::transport::smtp::commands::Rset);
                }
                return Err(SmtpFailure { error, kind });
            }
        }
    }
    talk.client(format!(
        "<message: {} bytes> then \".\"",
        message.bytes.len()
    ));
    // lettre writes `\r\n.\r\n` after the data; the message's own last CRLF is the first
    // half of it (RFC 5321 4.1.1.4), else the server would get an extra empty line.
    let data = message
        .bytes
        .strip_suffix(b"\r\n")
        .unwrap_or(&message.bytes);
    let mut ended = false;
    let parts = ThenHook {
        data: Some(data),
        hook: Some(before_end),
        ran: &mut ended,
    };
    let result = conn.message_iter(parts);
    match result {
        Ok(r) => Ok(talk.server(&r)),
        Err(e) => {
            let kind = if e.is_permanent() {
                SmtpFailureKind::Permanent
            } else if e.is_transient() {
                SmtpFailureKind::Transient
            } else if ended {
                SmtpFailureKind::InDoubt
            } else {
                SmtpFailureKind::Transient
            };
            let error = talk.failed(&e, "message");
            if kind == SmtpFailureKind::InDoubt
                || kind == SmtpFailureKind::Transient && !e.is_transient()
            {
                conn.abort();
            }
            Err(SmtpFailure { error, kind })
        }
    }
}
