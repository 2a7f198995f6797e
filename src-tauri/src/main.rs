//! Letterpress desktop shell: each command is a thin adapter onto `StudioSession`; watcher
//! changes become `FileEvent`s emitted to the window.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use letterpress_protocol::{
    CLOSE_REQUESTED_EVENT, FILE_EVENT, IpcError, OpenDocument, Preview, PreviewRequest,
    ProjectSnapshot, Resolution,
};
use letterpress_studio::StudioSession;
use letterpress_studio::watch::{ProjectWatcher, watch};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use tauri::{AppHandle, Emitter, Manager, State};

/// The open project (if any) and its watcher.
#[derive(Default)]
struct AppState {
    session: Arc<Mutex<Option<StudioSession>>>,
    watcher: Mutex<Option<ProjectWatcher>>,
    /// Project opened at start (command line, or the bundled sample).
    initial_project: Mutex<Option<PathBuf>>,
}

fn no_project() -> IpcError {
    IpcError {
        code: "no-project".into(),
        message: "no project is open".into(),
        location: None,
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn with_session<T>(
    state: &AppState,
    f: impl FnOnce(&mut StudioSession) -> Result<T, IpcError>,
) -> Result<T, IpcError> {
    let mut guard = lock(&state.session);
    let session = guard.as_mut().ok_or_else(no_project)?;
    f(session)
}

/// Opens a project folder (`None`: the one given at start) and starts watching it.
#[tauri::command(async)]
fn open_project(
    app: AppHandle,
    state: State<'_, AppState>,
    path: Option<String>,
) -> Result<ProjectSnapshot, IpcError> {
    let root = match path {
        Some(p) => PathBuf::from(p),
        None => lock(&state.initial_project)
            .clone()
            .ok_or_else(no_project)?,
    };
    let session = StudioSession::open(&root)?;
    let snapshot = session.snapshot()?;
    let watch_root = session.project().root().to_owned();
    *lock(&state.session) = Some(session);
    let shared = state.session.clone();
    let watcher = watch(&watch_root, move |changes| {
        let events = match lock(&shared).as_mut() {
            Some(session) => session.apply_changes(&changes).unwrap_or_default(),
            None => Vec::new(),
        };
        for event in events {
            let _ = app.emit(FILE_EVENT, event);
        }
    })?;
    *lock(&state.watcher) = Some(watcher);
    Ok(snapshot)
}

#[tauri::command(async)]
fn project_snapshot(state: State<'_, AppState>) -> Result<ProjectSnapshot, IpcError> {
    with_session(&state, |s| Ok(s.snapshot()?))
}

#[tauri::command(async)]
fn preview(state: State<'_, AppState>, request: PreviewRequest) -> Result<Preview, IpcError> {
    with_session(&state, |s| Ok(s.preview(&request)))
}

#[tauri::command(async)]
fn open_document(state: State<'_, AppState>, path: String) -> Result<OpenDocument, IpcError> {
    with_session(&state, |s| Ok(s.open_document(&path)?))
}

#[tauri::command(async)]
fn edit_document(state: State<'_, AppState>, path: String, text: String) -> Result<(), IpcError> {
    with_session(&state, |s| Ok(s.edit_document(&path, &text)?))
}

#[tauri::command(async)]
fn save_document(state: State<'_, AppState>, path: String) -> Result<(), IpcError> {
    with_session(&state, |s| Ok(s.save_document(&path)?))
}

#[tauri::command(async)]
fn resolve_conflict(
    state: State<'_, AppState>,
    path: String,
    resolution: Resolution,
) -> Result<Option<OpenDocument>, IpcError> {
    with_session(&state, |s| Ok(s.resolve_conflict(&path, resolution)?))
}

#[tauri::command(async)]
fn dirty_paths(state: State<'_, AppState>) -> Result<Vec<String>, IpcError> {
    with_session(&state, |s| Ok(s.dirty_paths()))
}

#[tauri::command(async)]
fn create_template(state: State<'_, AppState>, id: String) -> Result<ProjectSnapshot, IpcError> {
    with_session(&state, |s| Ok(s.create_template(&id)?))
}

#[tauri::command(async)]
fn duplicate_template(
    state: State<'_, AppState>,
    from: String,
    to: String,
) -> Result<ProjectSnapshot, IpcError> {
    with_session(&state, |s| Ok(s.duplicate_template(&from, &to)?))
}

#[tauri::command(async)]
fn rename_template(
    state: State<'_, AppState>,
    from: String,
    to: String,
) -> Result<ProjectSnapshot, IpcError> {
    with_session(&state, |s| Ok(s.rename_template(&from, &to)?))
}

#[tauri::command(async)]
fn delete_template(state: State<'_, AppState>, id: String) -> Result<ProjectSnapshot, IpcError> {
    with_session(&state, |s| Ok(s.delete_template(&id)?))
}

/// Leaves the app (after the UI dealt with unsaved changes).
#[tauri::command]
fn quit(app: AppHandle) {
    app.exit(0);
}

#[tauri::command(async)]
fn mjml_schema() -> BTreeMap<String, Option<Vec<String>>> {
    StudioSession::mjml_schema()
}

/// The project to open first: the command-line argument, else `LETTERPRESS_PROJECT`, else the
/// bundled sample (the repository this binary was built from).
fn initial_project() -> PathBuf {
    std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("LETTERPRESS_PROJECT").map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".."))
}

fn main() {
    let state = AppState::default();
    *lock(&state.initial_project) = Some(initial_project());
    let result = tauri::Builder::default()
        .manage(state)
        .invoke_handler(tauri::generate_handler![
            open_project,
            project_snapshot,
            preview,
            open_document,
            edit_document,
            save_document,
            resolve_conflict,
            dirty_paths,
            create_template,
            duplicate_template,
            rename_template,
            delete_template,
            mjml_schema,
            quit,
        ])
        .on_window_event(|window, event| {
            // Closing with unsaved edits: ask the UI, which saves or discards, then quits.
            if let tauri::WindowEvent::CloseRequested { api, .. } = event {
                let state = window.state::<AppState>();
                let dirty = lock(&state.session)
                    .as_ref()
                    .map(StudioSession::dirty_paths)
                    .unwrap_or_default();
                if !dirty.is_empty() {
                    api.prevent_close();
                    let _ = window.emit(CLOSE_REQUESTED_EVENT, dirty);
                }
            }
        })
        .setup(|app| {
            // Nothing outside our own UI may be shown in the main window.
            if let Some(window) = app.get_webview_window("main") {
                let _ = window.set_title("Letterpress");
            }
            Ok(())
        })
        .run(tauri::generate_context!());
    if let Err(e) = result {
        eprintln!("letterpress: {e}");
        std::process::exit(1);
    }
}
