//! Where every command's work runs: on the blocking pool, never on the async workers.
//!
//! Renders, saves, git (push and pull over the network), provider calls, keychain access and
//! system dialogs all block. Each command is one line handing its work to [`on_session`] (work
//! on the open project, under the session mutex) or [`on_app`] (work that takes the mutex
//! only for a moment, to read the root or the unsaved files, like git and sync).

use crate::AppState;
use letterpress_protocol::{Event, IpcCode, IpcError};
use letterpress_studio::StudioSession;
use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard};
use tauri::{AppHandle, Emitter, Manager};

/// Runs `work` on the blocking pool with the app and its state.
pub async fn on_app<T, E>(
    app: AppHandle,
    work: impl FnOnce(&AppHandle, &AppState) -> Result<T, E> + Send + 'static,
) -> Result<T, IpcError>
where
    T: Send + 'static,
    E: Send + 'static,
    IpcError: From<E>,
{
    tauri::async_runtime::spawn_blocking(move || {
        let state = app.state::<AppState>();
        work(&app, &state).map_err(IpcError::from)
    })
    .await
    .map_err(|e| IpcError::new(IpcCode::Internal, format!("the command stopped: {e}")))?
}

/// Runs `work` on the blocking pool with the open project (`no-project` when none is).
pub async fn on_session<T, E>(
    app: AppHandle,
    work: impl FnOnce(&mut StudioSession) -> Result<T, E> + Send + 'static,
) -> Result<T, IpcError>
where
    T: Send + 'static,
    E: Send + 'static,
    IpcError: From<E>,
{
    on_app::<T, IpcError>(app, move |_, state| with_session(state, work)).await
}

/// Calls `f` with the open project, under the session mutex.
pub fn with_session<T, E>(
    state: &AppState,
    f: impl FnOnce(&mut StudioSession) -> Result<T, E>,
) -> Result<T, IpcError>
where
    IpcError: From<E>,
{
    let mut guard = lock(&state.session);
    let session = guard.as_mut().ok_or_else(no_project)?;
    Ok(f(session)?)
}

/// The open project's folder (the mutex is held only to read it).
pub fn project_root(state: &AppState) -> Result<PathBuf, IpcError> {
    with_session(state, |s| Ok::<_, IpcError>(s.project().root().to_owned()))
}

/// The error when no project is open.
pub fn no_project() -> IpcError {
    IpcError::new(IpcCode::NoProject, "no project is open")
}

/// Locks `m`, also after a panic elsewhere (the state stays usable).
pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Emits event `E` to the window (a closed window only misses it).
pub fn emit<E: Event>(app: &AppHandle, payload: E::Payload)
where
    E::Payload: Clone,
{
    let _ = app.emit(E::NAME, payload);
}
