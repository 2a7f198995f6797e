//! How the webview paints on machines without a GPU.
//!
//! WebKitGTK composites pages with OpenGL. Without a GPU (virtual machines, remote desktops,
//! Xvfb) that GL is Mesa's software rasteriser, and each frame costs tens of milliseconds of
//! CPU: measured on the 2-core development machine, a preview update waited 33 ms (median)
//! for its frame with compositing and 4 ms without, which made typing → preview more than
//! twice as slow. So where no GPU render node exists, the webview paints without
//! compositing; with a GPU nothing changes. `WEBKIT_DISABLE_COMPOSITING_MODE`, set by the
//! user, still wins either way.

/// Whether this machine offers a GPU render node (`/dev/dri/renderD*`).
#[cfg(target_os = "linux")]
fn has_gpu_render_node() -> bool {
    std::fs::read_dir("/dev/dri").is_ok_and(|entries| {
        entries
            .flatten()
            .any(|e| e.file_name().to_string_lossy().starts_with("renderD"))
    })
}

/// Applies the painting policy to the main window's webview.
#[cfg(target_os = "linux")]
pub fn adapt(window: &tauri::WebviewWindow) {
    use webkit2gtk::{HardwareAccelerationPolicy, SettingsExt, WebViewExt};
    if has_gpu_render_node() || std::env::var_os("WEBKIT_DISABLE_COMPOSITING_MODE").is_some() {
        return;
    }
    let _ = window.with_webview(|webview| {
        if let Some(settings) = webview.inner().settings() {
            settings.set_hardware_acceleration_policy(HardwareAccelerationPolicy::Never);
        }
    });
}

/// Other platforms composite with their own GPU-less fallbacks.
#[cfg(not(target_os = "linux"))]
pub fn adapt(_window: &tauri::WebviewWindow) {}
