//! Letterpress desktop shell: each command is a thin adapter onto `StudioSession`; watcher
//! changes become `FileEvent`s emitted to the window.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod history_commands;
mod locales_commands;
mod menu;
mod rendering;
mod sync_commands;

use letterpress_protocol::{
    CLOSE_REQUESTED_EVENT, ConflictSides, FILE_EVENT, IpcError, OpenDocument, Preview,
    PreviewRequest, ProjectSnapshot, Resolution,
};
use letterpress_studio::local_state::{LocalState, RecentProject};
use letterpress_studio::watch::{ProjectWatcher, watch};
use letterpress_studio::{StudioSession, copy_project};
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
    /// Recent projects and window size, on this computer.
    local: Mutex<Option<LocalState>>,
}

/// Setting key of the window size (`WIDTHxHEIGHT`, logical pixels).
const WINDOW_SIZE: &str = "window-size";

fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// The bundled sample project (the repository this binary was built from).
fn sample_project() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
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

/// Opens `root`, starts watching it, and remembers it as recent.
fn open_root(
    app: &AppHandle,
    state: &AppState,
    root: &std::path::Path,
) -> Result<ProjectSnapshot, IpcError> {
    let session = StudioSession::open(root)?;
    let snapshot = session.snapshot()?;
    let watch_root = session.project().root().to_owned();
    *lock(&state.session) = Some(session);
    let shared = state.session.clone();
    let emitter = app.clone();
    let watcher = watch(&watch_root, move |changes| {
        let events = match lock(&shared).as_mut() {
            Some(session) => session.apply_changes(&changes),
            None => Vec::new(),
        };
        for event in events {
            let _ = emitter.emit(FILE_EVENT, event);
        }
    })?;
    *lock(&state.watcher) = Some(watcher);
    if let Some(local) = lock(&state.local).as_ref() {
        local.record_opened(&watch_root, &snapshot.name, now_unix())?;
    }
    Ok(snapshot)
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
    open_root(&app, &state, &root)
}

/// A folder chosen in the system dialog (`None`: cancelled).
fn pick_folder(app: &AppHandle, title: &str) -> Result<Option<PathBuf>, IpcError> {
    use tauri_plugin_dialog::DialogExt;
    let Some(folder) = app.dialog().file().set_title(title).blocking_pick_folder() else {
        return Ok(None);
    };
    folder.into_path().map(Some).map_err(|e| IpcError {
        code: "io".into(),
        message: e.to_string(),
        location: None,
    })
}

/// Asks for a project folder with the system dialog and opens it (`None`: cancelled).
#[tauri::command(async)]
fn choose_project(
    app: AppHandle,
    state: State<'_, AppState>,
) -> Result<Option<ProjectSnapshot>, IpcError> {
    match pick_folder(&app, "Open a Letterpress project")? {
        Some(root) => open_root(&app, &state, &root).map(Some),
        None => Ok(None),
    }
}

/// Asks for an empty folder, copies the bundled sample there as a starter, and opens it.
#[tauri::command(async)]
fn new_project_from_sample(
    app: AppHandle,
    state: State<'_, AppState>,
) -> Result<Option<ProjectSnapshot>, IpcError> {
    let Some(root) = pick_folder(&app, "Choose an empty folder for the new project")? else {
        return Ok(None);
    };
    copy_project(&sample_project(), &root)?;
    open_root(&app, &state, &root).map(Some)
}

#[tauri::command(async)]
fn recent_projects(state: State<'_, AppState>) -> Result<Vec<RecentProject>, IpcError> {
    match lock(&state.local).as_ref() {
        Some(local) => Ok(local.recent(10)?),
        None => Ok(Vec::new()),
    }
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
fn edit_and_preview(
    state: State<'_, AppState>,
    path: String,
    text: String,
    request: PreviewRequest,
) -> Result<Preview, IpcError> {
    with_session(&state, |s| Ok(s.edit_and_preview(&path, &text, &request)?))
}

#[tauri::command(async)]
fn save_document(
    state: State<'_, AppState>,
    path: String,
    text: Option<String>,
) -> Result<(), IpcError> {
    with_session(&state, |s| match text {
        Some(text) => Ok(s.save_text(&path, &text)?),
        None => Ok(s.save_document(&path)?),
    })
}

#[tauri::command(async)]
fn conflict_sides(state: State<'_, AppState>, path: String) -> Result<ConflictSides, IpcError> {
    with_session(&state, |s| Ok(s.conflict_sides(&path)?))
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
fn duplicate_fixture(
    state: State<'_, AppState>,
    template: String,
    from: String,
    to: String,
) -> Result<(ProjectSnapshot, String), IpcError> {
    with_session(&state, |s| Ok(s.duplicate_fixture(&template, &from, &to)?))
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

/// Remembers the main window's size for the next start.
fn remember_window_size(app: &AppHandle) {
    let state = app.state::<AppState>();
    let local = lock(&state.local);
    let (Some(window), Some(local)) = (app.get_webview_window("main"), local.as_ref()) else {
        return;
    };
    if let (Ok(size), Ok(scale)) = (window.inner_size(), window.scale_factor()) {
        let logical = size.to_logical::<f64>(scale);
        let value = format!("{}x{}", logical.width.round(), logical.height.round());
        let _ = local.set_setting(WINDOW_SIZE, &value);
    }
}

/// Files with unsaved edits; when there are any, the UI is asked what to do with them
/// (save and quit / discard / cancel) and the caller must not close.
fn ask_before_closing(app: &AppHandle) -> bool {
    let state = app.state::<AppState>();
    let dirty = lock(&state.session)
        .as_ref()
        .map(StudioSession::dirty_paths)
        .unwrap_or_default();
    if dirty.is_empty() {
        return false;
    }
    let _ = app.emit(CLOSE_REQUESTED_EVENT, dirty);
    true
}

/// Leaves the app (after the UI dealt with unsaved changes).
#[tauri::command]
fn quit(app: AppHandle) {
    remember_window_size(&app);
    app.exit(0);
}

#[tauri::command(async)]
fn mjml_schema() -> BTreeMap<String, Option<Vec<String>>> {
    StudioSession::mjml_schema()
}

/// The project to open first: the command-line argument, else `LETTERPRESS_PROJECT`, else the
/// bundled sample.
fn initial_project() -> PathBuf {
    std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("LETTERPRESS_PROJECT").map(PathBuf::from))
        .unwrap_or_else(sample_project)
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
            edit_and_preview,
            save_document,
            resolve_conflict,
            conflict_sides,
            dirty_paths,
            create_template,
            duplicate_template,
            rename_template,
            duplicate_fixture,
            delete_template,
            mjml_schema,
            quit,
            choose_project,
            new_project_from_sample,
            recent_projects,
            history_commands::history_status,
            history_commands::history_init,
            history_commands::history_author,
            history_commands::history_set_author,
            history_commands::history_save,
            history_commands::history_log,
            history_commands::history_diff_sources,
            history_commands::history_diff_rendered,
            history_commands::history_restore,
            history_commands::history_publish,
            history_commands::history_published,
            history_commands::history_remotes,
            history_commands::history_add_remote,
            history_commands::history_push,
            history_commands::history_pull,
            history_commands::history_abort_merge,
            history_commands::history_unlock,
            locales_commands::locale_grid,
            locales_commands::set_translation,
            locales_commands::preview_translation,
            locales_commands::accept_translations,
            locales_commands::add_locale,
            locales_commands::create_override,
            locales_commands::keys_for_text,
            locales_commands::export_translations,
            locales_commands::import_translations,
            sync_commands::sync_targets,
            sync_commands::sync_credential_status,
            sync_commands::sync_set_credentials,
            sync_commands::sync_plan,
            sync_commands::sync_apply,
        ])
        .plugin(tauri_plugin_dialog::init())
        .on_window_event(|window, event| {
            // Closing with unsaved edits: ask the UI, which saves or discards, then quits.
            if let tauri::WindowEvent::CloseRequested { api, .. } = event {
                remember_window_size(window.app_handle());
                if ask_before_closing(window.app_handle()) {
                    api.prevent_close();
                }
            }
        })
        .on_menu_event(|app, event| {
            let id = event.id().as_ref();
            if id == menu::QUIT {
                if !ask_before_closing(app) {
                    quit(app.clone());
                }
            } else {
                menu::forward(app, id);
            }
        })
        .setup(|app| {
            let menu = menu::build(app.handle())?;
            app.set_menu(menu)?;
            if let Some(window) = app.get_webview_window("main") {
                rendering::adapt(&window);
            }
            // Local state: LETTERPRESS_STATE_DIR (tests) or the platform's app data folder.
            let dir = std::env::var_os("LETTERPRESS_STATE_DIR")
                .map(PathBuf::from)
                .or_else(|| app.path().app_data_dir().ok());
            if let Some(dir) = dir {
                match LocalState::open(&dir.join("letterpress.sqlite")) {
                    Ok(local) => {
                        let size = local.setting(WINDOW_SIZE).ok().flatten();
                        if let (Some(size), Some(window)) = (size, app.get_webview_window("main"))
                            && let Some((w, h)) = size.split_once('x')
                            && let (Ok(w), Ok(h)) = (w.parse::<f64>(), h.parse::<f64>())
                        {
                            let _ = window
                                .set_size(tauri::LogicalSize::new(w.max(900.0), h.max(560.0)));
                        }
                        *lock(&app.state::<AppState>().local) = Some(local);
                    }
                    Err(e) => eprintln!("letterpress: recent projects unavailable: {e}"),
                }
            }
            Ok(())
        })
        .run(tauri::generate_context!());
    if let Err(e) = result {
        eprintln!("letterpress: {e}");
        std::process::exit(1);
    }
}
