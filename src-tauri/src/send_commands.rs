//! Test sends (issue 18): one thin adapter per `letterpress_studio::send` use case.
//!
//! The email is rendered under the session mutex (unsaved edits included, as the preview
//! shows it); the send itself (SMTP or a provider, up to `SEND_TIMEOUT` per step) runs after
//! the mutex is released. Secrets come from `LETTERPRESS_SMTP_PASSWORD` /
//! `LETTERPRESS_AWS_*` / `LETTERPRESS_POSTMARK_SERVER_TOKEN` when set, else the OS keychain,
//! as in the CLI. The last recipient is remembered in the local state.

use crate::AppState;
use crate::blocking::{lock, on_app, project_root, with_session};
use letterpress_protocol::commands::{GetTestSendSetup, SendStats, SendTest};
use letterpress_protocol::{Answer, IpcError};
use letterpress_studio::send::{self, SendSecrets, Stamp, TestSendRequest};
use letterpress_studio::sync::{EnvOverride, Keychain, SmtpKeychain, credentials_from_env};
use tauri::AppHandle;

/// Setting key of the last test-send recipient.
const LAST_TO: &str = "send-test-to";

fn last_to(state: &AppState) -> Option<String> {
    lock(&state.local)
        .as_ref()
        .and_then(|l| l.setting(LAST_TO).ok().flatten())
}

/// A stamp from the clock: the token from its nanoseconds and the process id.
fn stamp() -> Stamp {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let seed = (now.as_nanos() as u64) ^ (u64::from(std::process::id()) << 32);
    Stamp::new(seed, i64::try_from(now.as_secs()).unwrap_or(0))
}

/// What the "Send test…" dialog offers.
#[tauri::command]
pub async fn send_test_setup(app: AppHandle, args: GetTestSendSetup) -> Answer<GetTestSendSetup> {
    let GetTestSendSetup {} = args;
    on_app(app, |_, state| {
        let config = with_session(state, |s| Ok::<_, IpcError>(s.project().config().clone()))?;
        Ok::<_, IpcError>(send::setup(&config, last_to(state)))
    })
    .await
}

/// Sends the email of `request` to `to` (refused outside `[send] allow` unless confirmed).
#[tauri::command]
pub async fn send_test(app: AppHandle, args: SendTest) -> Answer<SendTest> {
    on_app(app, move |_, state| {
        let prepared = with_session(state, |s| {
            Ok::<_, IpcError>(s.prepare_test_send(&args.request))
        })?;
        let smtp = SmtpKeychain::new(|k: &str| std::env::var(k).ok());
        let targets = EnvOverride::new(credentials_from_env(|k| std::env::var(k).ok())?, Keychain);
        let request = TestSendRequest {
            to: args.to,
            transport: args.transport,
            confirmed: args.confirmed,
        };
        let secrets = SendSecrets {
            smtp: &smtp,
            targets: &targets,
        };
        let report = prepared.send(&request, &stamp(), &secrets)?;
        if let Some(local) = lock(&state.local).as_ref() {
            let _ = local.set_setting(LAST_TO, &report.to);
        }
        Ok::<_, IpcError>(report)
    })
    .await
}

/// What the sender did: the project's outbox per template × variant × locale and per day.
#[tauri::command]
pub async fn send_stats(app: AppHandle, args: SendStats) -> Answer<SendStats> {
    let SendStats {} = args;
    on_app(app, |_, state| {
        Ok::<_, IpcError>(send::stats(&project_root(state)?)?)
    })
    .await
}
