//! How the webview paints on machines without a GPU, and how much it caches.
//!
//! WebKitGTK composites pages with OpenGL. Without a GPU (virtual machines, remote desktops,
//! Xvfb) that GL is Mesa's software rasteriser, and each frame costs tens of milliseconds of
//! CPU: measured on the 2-core development machine, a preview update waited 33 ms (median)
//! for its frame with compositing and 4 ms without, which made typing → preview more than
//! twice as slow. So where no GPU render node exists, the webview paints without
//! compositing; with a GPU nothing changes. `WEBKIT_DISABLE_COMPOSITING_MODE`, set by the
//! user, still wins either way.
//!
//! The app shows local documents only, never browses: WebKit's "document viewer" cache model
//! (no page cache, small memory caches) fits it, instead of the web-browser default.

/// Whether this machine offers a GPU render node (`/dev/dri/renderD*`).
#[cfg(target_os = "linux")]
fn has_gpu_render_node() -> bool {
    std::fs::read_dir("/dev/dri").is_ok_and(|entries| {
        entries
            .flatten()
            .any(|e| e.file_name().to_string_lossy().starts_with("renderD"))
    })
}

/// Applies the painting policy and the cache model to the main window's webview.
#[cfg(target_os = "linux")]
pub fn adapt(window: &tauri::WebviewWindow) {
    use webkit2gtk::{
        CacheModel, HardwareAccelerationPolicy, SettingsExt, WebContextExt, WebViewExt,
    };
    let software_gl =
        !has_gpu_render_node() && std::env::var_os("WEBKIT_DISABLE_COMPOSITING_MODE").is_none();
    let _ = window.with_webview(move |webview| {
        let webview = webview.inner();
        if let Some(context) = webview.context() {
            context.set_cache_model(CacheModel::DocumentViewer);
        }
        if software_gl && let Some(settings) = webview.settings() {
            settings.set_hardware_acceleration_policy(HardwareAccelerationPolicy::Never);
        }
    });
}

/// Other platforms composite with their own GPU-less fallbacks.
#[cfg(not(target_os = "linux"))]
pub fn adapt(_window: &tauri::WebviewWindow) {}
