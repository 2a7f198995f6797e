//! Letterpress desktop shell: each command is a one-line adapter onto the studio, run off the
//! async workers (`blocking.rs`); watcher changes become `FileEvent`s emitted to the window.
//! Every command is declared once in `letterpress_protocol::commands` and registered here, in
//! `registered_commands!`, which also checks the two lists agree.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod blocking;
mod history_commands;
mod image_commands;
mod locales_commands;
mod menu;
mod preference_commands;
mod project_commands;
mod rendering;
mod send_commands;
mod sync_commands;

use blocking::{emit, lock};
use letterpress_protocol::commands::CloseRequested;
use letterpress_studio::StudioSession;
use letterpress_studio::local_state::LocalState;
use letterpress_studio::watch::ProjectWatcher;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use tauri::{AppHandle, Manager};

/// The open project (if any) and its watcher.
#[derive(Default)]
pub struct AppState {
    session: Arc<Mutex<Option<StudioSession>>>,
    watcher: Mutex<Option<ProjectWatcher>>,
    /// What to open at start (the command line).
    initial_project: Mutex<Initial>,
    /// The user's data folder for this app (local state, the sample copy).
    data_dir: Mutex<Option<PathBuf>>,
    /// Recent projects, settings and window size, on this computer.
    local: Mutex<Option<LocalState>>,
    /// Remote preview images fetched by the app, cached for the session.
    remote_images: letterpress_studio::remote_images::RemoteImages,
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

/// Registers the shell's commands: `module::function => Declaration` for each. Yields the
/// invoke handler and the list of registered names, and checks, when compiling, that each
/// function has its declaration's name, takes it as `args` and answers its output.
macro_rules! registered_commands {
    ($($module:ident :: $name:ident => $Type:ident),* $(,)?) => {
        use letterpress_protocol::commands::{
            $($Type,)* Command, same_name,
        };

        /// The handler of every registered command.
        fn invoke_handler() -> impl Fn(tauri::ipc::Invoke) -> bool + Send + Sync + 'static {
            tauri::generate_handler![$($module::$name),*]
        }

        /// The name of every registered command.
        #[cfg(test)]
        const REGISTERED: &[&str] = &[$(stringify!($name)),*];

        $(
            const _: () = assert!(
                same_name(<$Type as Command>::NAME, stringify!($name)),
                concat!("`", stringify!($name), "` is registered with another command's declaration"),
            );
        )*

        /// Compiled, never called: each function is `(AppHandle, Declaration) -> Answer`.
        #[allow(dead_code)]
        fn command_shapes() {
            fn takes<C, F, Fut>(_: F)
            where
                C: Command,
                F: Fn(AppHandle, C) -> Fut,
                Fut: std::future::Future<Output = letterpress_protocol::Answer<C>>,
            {
            }
            $( takes::<$Type, _, _>($module::$name); )*
        }
    };
}

registered_commands! {
    project_commands::open_project => OpenProject,
    project_commands::choose_project => ChooseProject,
    project_commands::new_project_from_sample => NewProjectFromSample,
    project_commands::new_empty_project => NewEmptyProject,
    project_commands::open_sample => OpenSample,
    project_commands::reset_sample => ResetSample,
    project_commands::sample_copy => SampleCopy,
    project_commands::recent_projects => RecentProjects,
    project_commands::project_snapshot => GetProjectSnapshot,
    project_commands::preview => RenderPreview,
    project_commands::open_document => OpenDocumentAt,
    project_commands::edit_document => EditDocument,
    project_commands::edit_and_preview => EditAndPreview,
    project_commands::save_document => SaveDocument,
    project_commands::conflict_sides => GetConflictSides,
    project_commands::resolve_conflict => ResolveConflict,
    project_commands::dirty_paths => DirtyPaths,
    project_commands::create_template => CreateTemplate,
    project_commands::duplicate_template => DuplicateTemplate,
    project_commands::duplicate_fixture => DuplicateFixture,
    project_commands::rename_template => RenameTemplate,
    project_commands::delete_template => DeleteTemplate,
    project_commands::mjml_schema => MjmlSchema,
    project_commands::locate_element => LocateElement,
    project_commands::element_properties => GetElementProperties,
    project_commands::property_edit => PropertyEditFor,
    project_commands::inline_text => GetInlineText,
    project_commands::inline_text_edit => InlineTextEditFor,
    project_commands::structure_edit => StructureEditFor,
    project_commands::condition_edit => ConditionEditFor,
    project_commands::drop_targets => GetDropTargets,
    project_commands::drop_edit => DropEditFor,
    project_commands::block_library => BlockLibrary,
    project_commands::outline => GetOutline,
    project_commands::save_block => SaveBlock,
    project_commands::make_partial => MakePartial,
    project_commands::preview_assets => PreviewAssets,
    image_commands::remote_images_allowed => RemoteImagesAllowed,
    preference_commands::get_preferences => GetPreferences,
    preference_commands::set_preferences => SetPreferences,
    image_commands::allow_remote_images => AllowRemoteImages,
    image_commands::remote_images => FetchRemoteImages,
    project_commands::quit => Quit,
    history_commands::history_status => HistoryStatus,
    history_commands::history_init => HistoryInit,
    history_commands::history_enclosing => HistoryEnclosing,
    history_commands::history_author => HistoryAuthor,
    history_commands::history_set_author => HistorySetAuthor,
    history_commands::history_save => HistorySave,
    history_commands::history_log => HistoryLog,
    history_commands::history_diff_sources => HistoryDiffSources,
    history_commands::history_diff_rendered => HistoryDiffRendered,
    history_commands::history_restore => HistoryRestore,
    history_commands::history_publish => HistoryPublish,
    history_commands::history_published => HistoryPublished,
    history_commands::history_remotes => HistoryRemotes,
    history_commands::history_add_remote => HistoryAddRemote,
    history_commands::history_push => HistoryPush,
    history_commands::history_pull => HistoryPull,
    history_commands::history_abort_merge => HistoryAbortMerge,
    history_commands::history_unlock => HistoryUnlock,
    locales_commands::locale_grid => GetLocaleGrid,
    locales_commands::set_translation => SaveTranslation,
    locales_commands::preview_translation => PreviewTranslation,
    locales_commands::accept_translations => AcceptTranslations,
    locales_commands::add_locale => AddLocale,
    locales_commands::create_override => CreateOverride,
    locales_commands::keys_for_text => KeysForText,
    locales_commands::export_translations => ExportTranslations,
    locales_commands::import_translations => ImportTranslations,
    sync_commands::sync_targets => SyncTargets,
    sync_commands::sync_credential_status => SyncCredentialStatus,
    sync_commands::sync_set_credentials => SyncSetCredentials,
    sync_commands::sync_plan => PlanSync,
    sync_commands::sync_apply => ApplySync,
    send_commands::send_test_setup => GetTestSendSetup,
    send_commands::send_test => SendTest,
    send_commands::send_stats => SendStats,
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
    emit::<CloseRequested>(app, dirty);
    true
}

/// Leaves the app, remembering the window's size.
fn leave(app: &AppHandle) {
    remember_window_size(app);
    app.exit(0);
}

/// What the app opens at start.
#[derive(Debug, Clone, Default)]
pub enum Initial {
    /// Nothing: the welcome screen.
    #[default]
    Welcome,
    /// The sample copy in the user's data folder (`--sample`, what `npm start` passes).
    Sample,
    /// A project folder.
    Folder(PathBuf),
}

/// The command-line argument (a folder, or `--sample`), else `LETTERPRESS_PROJECT`, else
/// nothing (the welcome screen).
fn initial_project() -> Initial {
    match std::env::args_os().nth(1) {
        Some(a) if a == "--sample" => Initial::Sample,
        Some(a) => Initial::Folder(PathBuf::from(a)),
        None => std::env::var_os("LETTERPRESS_PROJECT")
            .map_or(Initial::Welcome, |p| Initial::Folder(PathBuf::from(p))),
    }
}

fn main() {
    let state = AppState::default();
    *lock(&state.initial_project) = initial_project();
    let result = tauri::Builder::default()
        .manage(state)
        .invoke_handler(invoke_handler())
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
                    leave(app);
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
            *lock(&app.state::<AppState>().data_dir) = dir.clone();
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

#[cfg(test)]
mod tests {
    use super::REGISTERED;
    use letterpress_protocol::commands::COMMANDS;
    use std::collections::BTreeSet;

    #[test]
    fn every_declared_command_is_registered_and_nothing_else() {
        let registered: BTreeSet<&str> = REGISTERED.iter().copied().collect();
        let declared: BTreeSet<&str> = COMMANDS.iter().copied().collect();
        assert_eq!(
            registered.len(),
            REGISTERED.len(),
            "a command is registered twice"
        );
        let undeclared: Vec<_> = registered.difference(&declared).collect();
        let unregistered: Vec<_> = declared.difference(&registered).collect();
        assert!(
            undeclared.is_empty() && unregistered.is_empty(),
            "registered but not declared in protocol: {undeclared:?}; declared but not \
             registered: {unregistered:?}"
        );
    }
}
