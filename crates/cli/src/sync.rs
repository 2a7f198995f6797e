//! `letterpress targets`, `letterpress auth set|status TARGET`, `letterpress sync plan|apply
//! TARGET`: thin wrappers over `letterpress_studio::sync`.
//!
//! Exit codes of `sync plan`: 0 in sync, 3 changes pending, 4 drift conflicts, 1 templates
//! that do not compile (blocked). `sync apply`: 0 the remote matches the published version,
//! 4 drifted templates were left alone (use --overwrite-drift), 1 blocked (nothing written).
//! 2 for every other error (usage, credentials, network after retries, provider refusals).

use super::Format;
use anyhow::{Context, Result};
use clap::Subcommand;
use letterpress_engine::Provider;
use letterpress_protocol::sync::{SyncAction, SyncPlan};
use letterpress_studio::sync::{
    self, ApplyOptions, AwsCredentials, ClientOptions, Credentials, EnvOverride, Keychain,
    ProviderError, Secret, SyncError, TargetSync, credentials_from_env, system_clock,
};
use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;

/// `letterpress sync ...`
#[derive(Subcommand)]
pub enum SyncCommand {
    /// Compare the latest publish of the target's environment with the remote (reads only).
    /// Exit 0 in sync, 3 changes pending, 4 drift, 1 blocked.
    Plan {
        /// Target name (`[targets.<name>]` in letterpress.toml).
        target: String,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
    /// Make the remote match the latest publish. Exit 0 done, 4 drift left alone, 1 blocked.
    Apply {
        /// Target name.
        target: String,
        /// Overwrite (or delete) remote templates changed since the last sync.
        #[arg(long)]
        overwrite_drift: bool,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
}

/// `letterpress auth ...`
#[derive(Subcommand)]
pub enum AuthCommand {
    /// Store a target's access key id and secret in the OS keychain (read from stdin: asked
    /// without echo on a terminal, else two lines: key id, secret).
    Set {
        /// Target name.
        target: String,
    },
    /// Store the password of `[send] smtp`'s user in the OS keychain (asked without echo on
    /// a terminal, else one line of stdin); `LETTERPRESS_SMTP_PASSWORD` overrides it (CI).
    SetSmtp,
    /// Where a target's credentials come from (environment, keychain or none); exit 1 when
    /// there are none.
    Status {
        /// Target name.
        target: String,
    },
}

/// The process's credential store: `LETTERPRESS_AWS_*` variables, else the keychain.
fn store() -> Result<EnvOverride<Keychain>> {
    let env = credentials_from_env(|k| std::env::var(k).ok())?;
    Ok(EnvOverride::new(env, Keychain))
}

/// `letterpress targets`
pub fn targets(root: &Path, format: Format) -> Result<ExitCode> {
    let targets = sync::list_targets(root)?;
    match format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&targets)?),
        Format::Human => {
            if targets.is_empty() {
                eprintln!("no targets: add a [targets.<name>] table to letterpress.toml");
            }
            for t in &targets {
                let only = t
                    .templates
                    .as_ref()
                    .map(|l| format!("  templates: {}", l.join(", ")))
                    .unwrap_or_default();
                println!(
                    "{:<20} {} {:<12} {}  prefix `{}`{only}",
                    t.name, t.provider, t.environment, t.endpoint, t.prefix
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `letterpress auth ...`
pub fn auth(root: &Path, command: AuthCommand) -> Result<ExitCode> {
    match command {
        AuthCommand::SetSmtp => crate::send::set_smtp_password(root),
        AuthCommand::Set { target } => {
            let credentials = read_credentials(sync::target_provider(root, &target)?)?;
            sync::set_credentials(root, &target, &Keychain, &credentials)?;
            eprintln!(
                "stored credentials for `{target}` in the OS keychain ({}{})",
                match credentials.provider() {
                    Provider::Ses => "key id ",
                    Provider::Postmark => "",
                },
                credentials.hint()
            );
            Ok(ExitCode::SUCCESS)
        }
        AuthCommand::Status { target } => {
            let status = sync::credential_status(root, &target, &store()?)?;
            match &status.key_id_hint {
                Some(hint) => match sync::target_provider(root, &target)? {
                    Provider::Ses => println!("{target}: {} (key id {hint})", status.source),
                    Provider::Postmark => println!("{target}: {} ({hint})", status.source),
                },
                None => println!(
                    "{target}: no credentials (run `letterpress auth set {target}` or set {})",
                    sync::env_variables(sync::target_provider(root, &target)?)
                ),
            }
            Ok(if status.key_id_hint.is_some() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
    }
}

/// Credentials from stdin, prompted without echo on a terminal, else read as lines: an
/// access key id and a secret (SES), or a Server API token (Postmark).
fn read_credentials(provider: Provider) -> Result<Credentials> {
    let terminal = std::io::stdin().is_terminal();
    let mut lines = (!terminal).then(|| std::io::stdin().lock().lines());
    let mut line = || -> Result<String> {
        Ok(match lines.as_mut() {
            Some(l) => l.next().transpose()?.unwrap_or_default(),
            None => String::new(),
        })
    };
    let credentials = match provider {
        Provider::Ses => {
            let (id, secret) = if terminal {
                eprint!("access key id: ");
                std::io::stderr().flush()?;
                let mut id = String::new();
                std::io::stdin().lock().read_line(&mut id)?;
                let secret = rpassword::prompt_password("secret access key (not shown): ")
                    .context("reading the secret")?;
                (id, secret)
            } else {
                (line()?, line()?)
            };
            Credentials::Aws(AwsCredentials {
                access_key_id: id.trim().to_owned(),
                secret: Secret::new(secret.trim().to_owned()),
                session_token: None,
            })
        }
        Provider::Postmark => {
            let token = if terminal {
                rpassword::prompt_password("Postmark Server API token (not shown): ")
                    .context("reading the token")?
            } else {
                line()?
            };
            Credentials::PostmarkServerToken(Secret::new(token.trim().to_owned()))
        }
    };
    credentials.validate()?;
    Ok(credentials)
}

fn open(root: &Path, target: &str) -> Result<TargetSync> {
    Ok(TargetSync::open(
        root,
        target,
        &store()?,
        ClientOptions::default(),
        system_clock(),
    )?)
}

/// `letterpress sync ...`
pub fn run(root: &Path, command: SyncCommand) -> Result<ExitCode> {
    match command {
        SyncCommand::Plan { target, format } => {
            let plan = open(root, &target)?.plan()?;
            match format {
                Format::Json => println!("{}", serde_json::to_string_pretty(&plan)?),
                Format::Human => print_plan(&plan),
            }
            Ok(ExitCode::from(if plan.counts.blocked > 0 {
                1
            } else if plan.counts.drift > 0 {
                4
            } else if plan.counts.pending() > 0 {
                3
            } else {
                0
            }))
        }
        SyncCommand::Apply {
            target,
            overwrite_drift,
            format,
        } => {
            let sync = open(root, &target)?;
            let bar = super::progress_bar("syncing");
            let result = sync.apply(ApplyOptions { overwrite_drift }, &mut |p| match &bar {
                Some(b) => {
                    b.set_length(p.total as u64);
                    b.set_position(p.done as u64);
                }
                None if format == Format::Human => {
                    eprintln!(
                        "[{}/{}] {} {}",
                        p.done,
                        p.total,
                        p.action.as_str(),
                        p.remote_name
                    );
                }
                None => {}
            });
            if let Some(b) = bar {
                b.finish_and_clear();
            }
            let report = match result {
                Ok(r) => r,
                Err(SyncError::Blocked(items)) => {
                    for item in &items {
                        for d in &item.diagnostics {
                            eprintln!("{}", d.display_with_source(None));
                        }
                    }
                    eprintln!(
                        "error[blocked]: {} template(s) do not compile in the published version; \
                         nothing was synced",
                        items.len()
                    );
                    return Ok(ExitCode::from(1));
                }
                Err(e) => return Err(e.into()),
            };
            match format {
                Format::Json => println!("{}", serde_json::to_string_pretty(&report)?),
                Format::Human => {
                    if !report.resumed_runs.is_empty() {
                        eprintln!("resumed interrupted run(s) {:?}", report.resumed_runs);
                    }
                    eprintln!(
                        "{} {}: {} created, {} updated, {} deleted, {} unchanged ({} retries)",
                        report.target,
                        report.tag,
                        report.created,
                        report.updated,
                        report.deleted,
                        report.unchanged,
                        report.retries
                    );
                    for name in &report.drift_skipped {
                        eprintln!(
                            "warning[drift]: {name} changed on the remote since the last sync; left \
                             alone (apply --overwrite-drift to replace it)"
                        );
                    }
                }
            }
            Ok(if report.drift_skipped.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(4)
            })
        }
    }
}

fn print_plan(plan: &SyncPlan) {
    let short = plan.version.get(..10).unwrap_or(&plan.version);
    println!("target {} ← {} ({short})", plan.target, plan.tag);
    for item in &plan.items {
        let mark = match item.action {
            SyncAction::Create => "+",
            SyncAction::Update => "~",
            SyncAction::Delete => "-",
            SyncAction::Unchanged => continue,
            SyncAction::Drift => "!",
            SyncAction::Blocked => "x",
        };
        let note = if item.note.is_empty() {
            String::new()
        } else {
            format!("  ({})", item.note)
        };
        println!(
            "{mark} {:<9} {}{note}",
            item.action.as_str(),
            item.remote_name
        );
        for d in &item.diagnostics {
            eprintln!("{}", d.display_with_source(None));
        }
        if let Some(diff) = &item.diff {
            for line in diff.lines() {
                println!("    {line}");
            }
        }
    }
    let c = plan.counts;
    println!(
        "{} to create, {} to update, {} to delete, {} unchanged, {} drifted, {} blocked",
        c.create, c.update, c.delete, c.unchanged, c.drift, c.blocked
    );
}

/// The stable code of a sync error, for `error[code]:` (credentials read and checked here,
/// before the studio is asked, fail as a `ProviderError`).
pub fn error_code(e: &anyhow::Error) -> Option<letterpress_protocol::IpcCode> {
    e.downcast_ref::<SyncError>()
        .map(SyncError::code)
        .or_else(|| e.downcast_ref::<ProviderError>().map(ProviderError::code))
}

#[cfg(test)]
mod tests {
    use super::*;
    use letterpress_studio::sync::CredentialStore;

    #[test]
    fn env_credentials_need_both_variables() {
        // The store is built from the process environment; the parser itself is tested in
        // studio. Here: a missing pair is simply "none".
        let none = credentials_from_env(|_| None).unwrap();
        assert!(none.is_empty());
        let store = EnvOverride::new(none, letterpress_studio::sync::MemoryStore::default());
        assert!(store.get("p/t", Provider::Ses).unwrap().is_none());
        assert!(store.get("p/t", Provider::Postmark).unwrap().is_none());
    }
}
