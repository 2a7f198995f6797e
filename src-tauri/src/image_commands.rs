//! Remote preview images: the user's per-project choice (on this computer) and fetching them
//! through the app (`letterpress_studio::remote_images`), never through the webview.

use crate::AppState;
use crate::blocking::{lock, on_app, project_root};
use letterpress_protocol::commands::{AllowRemoteImages, FetchRemoteImages, RemoteImagesAllowed};
use letterpress_protocol::{Answer, IpcCode, IpcError, RemoteImagesFetched};
use tauri::AppHandle;

/// Whether remote images are allowed for the open project (off without local settings).
fn allowed(state: &AppState) -> Result<bool, IpcError> {
    let root = project_root(state)?;
    let local = lock(&state.local);
    Ok(match local.as_ref() {
        Some(local) => local.remote_images_allowed(&root)?,
        None => false,
    })
}

#[tauri::command]
pub async fn remote_images_allowed(
    app: AppHandle,
    args: RemoteImagesAllowed,
) -> Answer<RemoteImagesAllowed> {
    let RemoteImagesAllowed {} = args;
    on_app(app, |_, state| allowed(state)).await
}

#[tauri::command]
pub async fn allow_remote_images(
    app: AppHandle,
    args: AllowRemoteImages,
) -> Answer<AllowRemoteImages> {
    on_app(app, move |_, state| {
        let root = project_root(state)?;
        let local = lock(&state.local);
        let local = local
            .as_ref()
            .ok_or_else(|| IpcError::new(IpcCode::Io, "the app's settings could not be opened"))?;
        local.allow_remote_images(&root, args.allowed)?;
        Ok::<_, IpcError>(args.allowed)
    })
    .await
}

#[tauri::command]
pub async fn remote_images(app: AppHandle, args: FetchRemoteImages) -> Answer<FetchRemoteImages> {
    on_app(app, move |_, state| {
        if !allowed(state)? {
            return Err(IpcError::new(
                IpcCode::Refused,
                "remote images are off for this project",
            ));
        }
        let fetched = state.remote_images.fetch(&args.urls);
        Ok(RemoteImagesFetched {
            images: fetched.images,
            failed: fetched.failed,
        })
    })
    .await
}
