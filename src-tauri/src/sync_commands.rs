//! Sync of published versions to sending services (issue 7): one thin adapter per
//! `letterpress_studio::sync` use case.
//!
//! Provider calls and keychain access block (HTTP with retries, D-Bus), so each command reads
//! the project root under the session mutex, releases it, and runs the work on the blocking
//! pool. Credentials come from `LETTERPRESS_AWS_*` / `LETTERPRESS_POSTMARK_SERVER_TOKEN` when set (CI, tests), else the OS keychain,
//! exactly as in the CLI. The secret typed in the UI goes straight into the keychain: it is
//! never logged, stored elsewhere, or sent back.

use crate::{AppState, with_session};
use letterpress_protocol::IpcError;
use letterpress_protocol::sync::{
    ApplyReport, CredentialStatus, SYNC_PROGRESS_EVENT, SyncPlan, SyncTarget,
};
use letterpress_studio::sync::{
    self, ApplyOptions, ClientOptions, Credentials, EnvOverride, Keychain, Secret, SyncError,
    TargetSync, credentials_from_env, system_clock,
};
use std::path::{Path, PathBuf};
use tauri::{AppHandle, Emitter, State};

fn project_root(state: &AppState) -> Result<PathBuf, IpcError> {
    with_session(state, |s| Ok(s.project().root().to_owned()))
}

/// The app's credential store: the environment override, else the keychain (as the CLI).
fn store() -> Result<EnvOverride<Keychain>, SyncError> {
    let env = credentials_from_env(|name| std::env::var(name).ok())?;
    Ok(EnvOverride::new(env, Keychain))
}

/// Runs `work` on the blocking pool (it makes network and keychain calls).
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, SyncError> + Send + 'static,
) -> Result<T, IpcError> {
    tauri::async_runtime::spawn_blocking(work)
        .await
        .map_err(|e| IpcError {
            code: "internal".into(),
            message: format!("the sync task stopped: {e}"),
            location: None,
        })?
        .map_err(IpcError::from)
}

/// The targets in `letterpress.toml`.
#[tauri::command]
pub async fn sync_targets(state: State<'_, AppState>) -> Result<Vec<SyncTarget>, IpcError> {
    let root = project_root(&state)?;
    blocking(move || sync::list_targets(&root)).await
}

/// Where `target`'s credentials come from, with the key id masked (never the secret).
#[tauri::command]
pub async fn sync_credential_status(
    state: State<'_, AppState>,
    target: String,
) -> Result<CredentialStatus, IpcError> {
    let root = project_root(&state)?;
    blocking(move || sync::credential_status(&root, &target, &store()?)).await
}

/// Stores credentials for `target` in the OS keychain: an access key id and secret for an
/// SES target, a Server API token (`secret`; `key_id` is ignored) for a Postmark target.
/// Returns the new status.
#[tauri::command]
pub async fn sync_set_credentials(
    state: State<'_, AppState>,
    target: String,
    key_id: String,
    secret: String,
) -> Result<CredentialStatus, IpcError> {
    let root = project_root(&state)?;
    blocking(move || {
        let provider = sync::target_provider(&root, &target)?;
        let credentials = Credentials::from_form(provider, &key_id, Secret::new(secret));
        sync::set_credentials(&root, &target, &Keychain, &credentials)?;
        sync::credential_status(&root, &target, &store()?)
    })
    .await
}

/// A target of the project, with the app's credentials and the default client settings.
fn open_target(root: &Path, target: &str) -> Result<TargetSync, SyncError> {
    TargetSync::open(
        root,
        target,
        &store()?,
        ClientOptions::default(),
        system_clock(),
    )
}

/// What apply would do: the latest publish of the target's environment against the remote.
#[tauri::command]
pub async fn sync_plan(state: State<'_, AppState>, target: String) -> Result<SyncPlan, IpcError> {
    let root = project_root(&state)?;
    blocking(move || open_target(&root, &target)?.plan()).await
}

/// Makes the remote match the published version; a `SyncProgress` event after every write.
#[tauri::command]
pub async fn sync_apply(
    app: AppHandle,
    state: State<'_, AppState>,
    target: String,
    overwrite_drift: bool,
) -> Result<ApplyReport, IpcError> {
    let root = project_root(&state)?;
    blocking(move || {
        open_target(&root, &target)?.apply(ApplyOptions { overwrite_drift }, &mut |progress| {
            let _ = app.emit(SYNC_PROGRESS_EVENT, progress);
        })
    })
    .await
}
