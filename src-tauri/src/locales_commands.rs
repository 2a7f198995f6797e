//! The translators' workspace (issue 6): one-line adapters onto `StudioSession`'s locale
//! use cases, plus the system file dialogs for XLIFF/PO export and import.

use crate::{AppState, with_session};
use letterpress_protocol::locales::{
    ExchangeFormat, GridCell, ImportReport, LocaleGrid, SetTranslation,
};
use letterpress_protocol::{IpcError, LocaleEntry, Preview, PreviewRequest};
use std::path::PathBuf;
use tauri::{AppHandle, State};

/// A path from the file dialog, or an `io` error when it is not a local file.
fn dialog_path(file: tauri_plugin_dialog::FilePath) -> Result<PathBuf, IpcError> {
    file.into_path().map_err(|e| IpcError {
        code: "io".into(),
        message: e.to_string(),
        location: None,
    })
}

/// Keys × locales with a status per cell, per-locale progress and the pseudo-locales.
#[tauri::command(async)]
pub fn locale_grid(state: State<'_, AppState>) -> Result<LocaleGrid, IpcError> {
    with_session(&state, |s| Ok(s.locale_grid()?))
}

/// Validates and saves one cell; returns its new state.
#[tauri::command(async)]
pub fn set_translation(
    state: State<'_, AppState>,
    translation: SetTranslation,
) -> Result<GridCell, IpcError> {
    with_session(&state, |s| Ok(s.set_translation(&translation)?))
}

/// Renders `request` with an unsaved cell text (the translator typing); invalid text is an error.
#[tauri::command(async)]
pub fn preview_translation(
    state: State<'_, AppState>,
    request: PreviewRequest,
    translation: SetTranslation,
) -> Result<Preview, IpcError> {
    with_session(&state, |s| {
        Ok(s.preview_translation(&request, &translation)?)
    })
}

/// Marks `keys` of `locale` as translated from the current source text (no longer outdated).
#[tauri::command(async)]
pub fn accept_translations(
    state: State<'_, AppState>,
    locale: String,
    keys: Vec<String>,
) -> Result<usize, IpcError> {
    with_session(&state, |s| Ok(s.accept_translations(&locale, &keys)?))
}

/// Adds a project locale (BCP 47 code, validated); returns its tag and direction.
#[tauri::command(async)]
pub fn add_locale(state: State<'_, AppState>, code: String) -> Result<LocaleEntry, IpcError> {
    with_session(&state, |s| Ok(s.add_locale(&code)?))
}

/// Creates `templates/<template>/body.<locale>.mjml`; returns its path.
#[tauri::command(async)]
pub fn create_override(
    state: State<'_, AppState>,
    template: String,
    locale: String,
) -> Result<String, IpcError> {
    with_session(&state, |s| Ok(s.create_override(&template, &locale)?))
}

/// Keys whose text matches `snippet` (text clicked in the preview), best first.
#[tauri::command(async)]
pub fn keys_for_text(
    state: State<'_, AppState>,
    locale: String,
    snippet: String,
) -> Result<Vec<String>, IpcError> {
    with_session(&state, |s| Ok(s.keys_for_text(&locale, &snippet)?))
}

/// Asks where to save, then exports `locale` as XLIFF 2.0 or PO there. Returns the path
/// written (`None`: cancelled).
#[tauri::command(async)]
pub fn export_translations(
    app: AppHandle,
    state: State<'_, AppState>,
    locale: String,
    format: ExchangeFormat,
) -> Result<Option<String>, IpcError> {
    use tauri_plugin_dialog::DialogExt;
    let (extension, kind) = match format {
        ExchangeFormat::Xliff => ("xlf", "XLIFF 2.0"),
        ExchangeFormat::Po => ("po", "gettext PO"),
    };
    let Some(file) = app
        .dialog()
        .file()
        .set_title(format!("Export {locale} translations"))
        .set_file_name(format!("{locale}.{extension}"))
        .add_filter(kind, &[extension])
        .blocking_save_file()
    else {
        return Ok(None);
    };
    let path = dialog_path(file)?;
    with_session(&state, |s| {
        Ok(s.export_translations_to(&locale, format, &path)?)
    })?;
    Ok(Some(path.display().to_string()))
}

/// Asks for an XLIFF/PO file and imports it (all or nothing). Returns the report
/// (`None`: cancelled).
#[tauri::command(async)]
pub fn import_translations(
    app: AppHandle,
    state: State<'_, AppState>,
) -> Result<Option<ImportReport>, IpcError> {
    use tauri_plugin_dialog::DialogExt;
    let Some(file) = app
        .dialog()
        .file()
        .set_title("Import translations")
        .add_filter("XLIFF 2.0 or gettext PO", &["xlf", "xliff", "po"])
        .blocking_pick_file()
    else {
        return Ok(None);
    };
    let path = dialog_path(file)?;
    with_session(&state, |s| Ok(s.import_translations(&path, false)?)).map(Some)
}
