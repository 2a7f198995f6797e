//! `letterpress send-test TEMPLATE --locale L --data FIXTURE --to ADDR [--target NAME]` and
//! `letterpress auth set-smtp`: thin wrappers over `letterpress_studio::send`.
//!
//! Exit codes: 0 sent (the token, the encoded size and the server's reply are printed), 2
//! anything else (`error[not-allowed]`, `error[network]`, `error[smtp-refused]` with the SMTP
//! transcript...).

use super::Format;
use anyhow::{Context, Result};
use letterpress_protocol::send::{SendTransport, format_size};
use letterpress_studio::Project;
use letterpress_studio::send::{SendError, SendSecrets, Stamp, TestSendRequest};
use letterpress_studio::sync::{
    EnvOverride, Keychain, Secret, SmtpKeychain, credentials_from_env, smtp_account,
};
use std::io::{BufRead, IsTerminal};
use std::path::Path;
use std::process::ExitCode;

/// A stamp from the clock: the token from its nanoseconds and the process id.
fn stamp() -> Stamp {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let seed = (now.as_nanos() as u64) ^ (u64::from(std::process::id()) << 32);
    Stamp::new(seed, i64::try_from(now.as_secs()).unwrap_or(0))
}

/// What `send-test` was asked.
pub struct SendTestArgs {
    pub template: String,
    pub locale: Option<String>,
    pub data: Option<String>,
    pub to: String,
    pub target: Option<String>,
    pub yes: bool,
    pub format: Format,
}

/// `letterpress send-test ...`
pub fn send_test(project: &Project, args: SendTestArgs) -> Result<ExitCode> {
    let prepared =
        project.prepare_test_send(&args.template, args.locale.as_deref(), args.data.as_deref())?;
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

/// The stable code of a send error.
pub fn error_code(e: &anyhow::Error) -> Option<letterpress_protocol::IpcCode> {
    e.downcast_ref::<SendError>().map(SendError::code)
}
