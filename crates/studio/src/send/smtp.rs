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
    fn failed(mut self, e: &lettre::transport::smtp::Error, what: &str) -> SendError {
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
            transcript: self.transcript,
        }
    }

    fn refused(mut self, code: IpcCode, message: String) -> SendError {
        self.transcript.push(format!("-- {message}"));
        SendError::Smtp {
            code,
            message,
            transcript: self.transcript,
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
    let address = |a: &str, what: &str| {
        a.parse::<Address>()
            .map_err(|e| SendError::InvalidAddress(format!("{what} `{a}`: {e}")))
    };
    let from = address(&message.from_address, "From")?;
    let to = address(&message.to_address, "To")?;
    let mut parameters = Vec::new();
    if !message.bytes.is_ascii() {
        if !conn.server_info().supports_feature(Extension::EightBitMime) {
            conn.abort();
            return Err(talk.refused(
                IpcCode::SmtpRefused,
                "the message has 8-bit content and the server does not offer 8BITMIME".into(),
            ));
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
                conn.abort();
                return Err(talk.failed(&e, what));
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
    let reply = match conn.message(data) {
        Ok(r) => talk.server(&r),
        Err(e) => {
            conn.abort();
            return Err(talk.failed(&e, "message"));
        }
    };
    talk.client(Quit.to_string());
    if let Ok(r) = conn.command(Quit) {
        talk.server(&r);
    }
    Ok(SmtpAccepted {
        reply,
        transcript: talk.transcript,
    })
}
