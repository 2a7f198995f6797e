//! The user's preferences (Preferences…): one-line adapters onto `LocalState`.

use crate::AppState;
use crate::blocking::{lock, on_app};
use letterpress_protocol::commands::{GetPreferences, SetPreferences};
use letterpress_protocol::{Answer, IpcCode, IpcError};
use letterpress_studio::local_state::LocalState;
use tauri::AppHandle;

/// Runs `f` on the app's local settings, or says they are unavailable.
fn with_local<T>(
    state: &AppState,
    f: impl FnOnce(&LocalState) -> Result<T, letterpress_studio::StudioError>,
) -> Result<T, IpcError> {
    let local = lock(&state.local);
    let local = local.as_ref().ok_or_else(|| {
        IpcError::new(
            IpcCode::NoSettings,
            "the app's settings are unavailable on this computer",
        )
    })?;
    Ok(f(local)?)
}

#[tauri::command]
pub async fn get_preferences(app: AppHandle, args: GetPreferences) -> Answer<GetPreferences> {
    let GetPreferences {} = args;
    on_app(app, |_, state| with_local(state, LocalState::preferences)).await
}

#[tauri::command]
pub async fn set_preferences(app: AppHandle, args: SetPreferences) -> Answer<SetPreferences> {
    on_app(app, move |_, state| {
        with_local(state, |l| l.set_preferences(&args.preferences))
    })
    .await
}
