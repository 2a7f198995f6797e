//! Sync of published versions to sending services (issue 7): one thin adapter per
//! `letterpress_studio::sync` use case.
//!
//! Provider calls and keychain access block (HTTP with retries, D-Bus): like every command,
//! each runs on the blocking pool (`on_app`), with the session mutex held only to read the
//! project root. Credentials come from `LETTERPRESS_AWS_*` / `LETTERPRESS_POSTMARK_SERVER_TOKEN` when set (CI, tests), else the OS keychain,
//! exactly as in the CLI. The secret typed in the UI goes straight into the keychain: it is
//! never logged, stored elsewhere, or sent back.

use crate::blocking::{emit, on_app, project_root};
use letterpress_protocol::commands::{
    ApplySync, PlanSync, SyncCredentialStatus, SyncProgressed, SyncSetCredentials, SyncTargets,
};
use letterpress_protocol::{Answer, IpcError};
use letterpress_studio::sync::{
    self, ApplyOptions, ClientOptions, Credentials, EnvOverride, Keychain, Secret, SyncError,
    TargetSync, credentials_from_env, system_clock,
};
use std::path::Path;
use tauri::AppHandle;

/// The app's credential store: the environment override, else the keychain (as the CLI).
fn store() -> Result<EnvOverride<Keychain>, SyncError> {
    let env = credentials_from_env(|name| std::env::var(name).ok())?;
    Ok(EnvOverride::new(env, Keychain))
}

/// The targets in `letterpress.toml`.
#[tauri::command]
pub async fn sync_targets(app: AppHandle, args: SyncTargets) -> Answer<SyncTargets> {
    let SyncTargets {} = args;
    on_app(app, |_, state| {
        Ok::<_, IpcError>(sync::list_targets(&project_root(state)?)?)
    })
    .await
}

/// Where `target`'s credentials come from, with the key id masked (never the secret).
#[tauri::command]
pub async fn sync_credential_status(
    app: AppHandle,
    args: SyncCredentialStatus,
) -> Answer<SyncCredentialStatus> {
    on_app(app, move |_, state| {
        let root = project_root(state)?;
        Ok::<_, IpcError>(sync::credential_status(&root, &args.target, &store()?)?)
    })
    .await
}

/// Stores credentials for `target` in the OS keychain: an access key id and secret for an
/// SES target, a Server API token (`secret`; `key_id` is ignored) for a Postmark target.
/// Returns the new status.
#[tauri::command]
pub async fn sync_set_credentials(
    app: AppHandle,
    args: SyncSetCredentials,
) -> Answer<SyncSetCredentials> {
    on_app(app, move |_, state| {
        let root = project_root(state)?;
        let SyncSetCredentials {
            target,
            key_id,
            secret,
        } = args;
        let provider = sync::target_provider(&root, &target)?;
        let credentials = Credentials::from_form(provider, &key_id, Secret::new(secret));
        sync::set_credentials(&root, &target, &Keychain, &credentials)?;
        Ok::<_, IpcError>(sync::credential_status(&root, &target, &store()?)?)
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
pub async fn sync_plan(app: AppHandle, args: PlanSync) -> Answer<PlanSync> {
    on_app(app, move |_, state| {
        let root = project_root(state)?;
        Ok::<_, IpcError>(open_target(&root, &args.target)?.plan()?)
    })
    .await
}

/// Makes the remote match the published version; a `SyncProgress` event after every write.
#[tauri::command]
pub async fn sync_apply(app: AppHandle, args: ApplySync) -> Answer<ApplySync> {
    on_app(app, move |app, state| {
        let root = project_root(state)?;
        let options = ApplyOptions {
            overwrite_drift: args.overwrite_drift,
        };
        let report = open_target(&root, &args.target)?.apply(options, &mut |progress| {
            emit::<SyncProgressed>(app, progress.clone());
        })?;
        Ok::<_, IpcError>(report)
    })
    .await
}
