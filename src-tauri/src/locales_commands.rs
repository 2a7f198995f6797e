//! The translators' workspace (issue 6): one-line adapters onto `StudioSession`'s locale
//! use cases, plus the system file dialogs for XLIFF/PO export and import.

use crate::blocking::{on_app, on_session, with_session};
use letterpress_protocol::commands::{
    AcceptTranslations, AddLocale, CreateOverride, ExportTranslations, GetLocaleGrid,
    ImportTranslations, KeysForText, PreviewTranslation, SaveTranslation,
};
use letterpress_protocol::locales::ExchangeFormat;
use letterpress_protocol::{Answer, IpcCode, IpcError};
use std::path::PathBuf;
use tauri::AppHandle;

/// A path from the file dialog, or an `io` error when it is not a local file.
fn dialog_path(file: tauri_plugin_dialog::FilePath) -> Result<PathBuf, IpcError> {
    file.into_path()
        .map_err(|e| IpcError::new(IpcCode::Io, e.to_string()))
}

/// Keys × locales with a status per cell, per-locale progress and the pseudo-locales.
#[tauri::command]
pub async fn locale_grid(app: AppHandle, args: GetLocaleGrid) -> Answer<GetLocaleGrid> {
    let GetLocaleGrid {} = args;
    on_session(app, |s| s.locale_grid()).await
}

/// Validates and saves one cell; returns its new state.
#[tauri::command]
pub async fn set_translation(app: AppHandle, args: SaveTranslation) -> Answer<SaveTranslation> {
    on_session(app, move |s| s.set_translation(&args.translation)).await
}

/// Renders `request` with an unsaved cell text (the translator typing); invalid text is an error.
#[tauri::command]
pub async fn preview_translation(
    app: AppHandle,
    args: PreviewTranslation,
) -> Answer<PreviewTranslation> {
    on_session(app, move |s| {
        s.preview_translation(&args.request, &args.translation)
    })
    .await
}

/// Marks `keys` of `locale` as translated from the current source text (no longer outdated).
#[tauri::command]
pub async fn accept_translations(
    app: AppHandle,
    args: AcceptTranslations,
) -> Answer<AcceptTranslations> {
    on_session(app, move |s| {
        s.accept_translations(&args.locale, &args.keys)
    })
    .await
}

/// Adds a project locale (BCP 47 code, validated); returns its tag and direction.
#[tauri::command]
pub async fn add_locale(app: AppHandle, args: AddLocale) -> Answer<AddLocale> {
    on_session(app, move |s| s.add_locale(&args.code)).await
}

/// Creates `templates/<template>/body.<locale>.mjml`; returns its path.
#[tauri::command]
pub async fn create_override(app: AppHandle, args: CreateOverride) -> Answer<CreateOverride> {
    on_session(app, move |s| {
        s.create_override(&args.template, &args.locale)
    })
    .await
}

/// Keys whose text matches `snippet` (text clicked in the preview), best first.
#[tauri::command]
pub async fn keys_for_text(app: AppHandle, args: KeysForText) -> Answer<KeysForText> {
    on_session(app, move |s| s.keys_for_text(&args.locale, &args.snippet)).await
}

/// Asks where to save, then exports `locale` as XLIFF 2.0 or PO there. Returns the path
/// written (`None`: cancelled). The dialog is open without the session mutex.
#[tauri::command]
pub async fn export_translations(
    app: AppHandle,
    args: ExportTranslations,
) -> Answer<ExportTranslations> {
    on_app(app, move |app, state| {
        use tauri_plugin_dialog::DialogExt;
        let ExportTranslations { locale, format } = args;
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
        with_session(state, |s| s.export_translations_to(&locale, format, &path))?;
        Ok::<_, IpcError>(Some(path.display().to_string()))
    })
    .await
}

/// Asks for an XLIFF/PO file and imports it (all or nothing). Returns the report
/// (`None`: cancelled).
#[tauri::command]
pub async fn import_translations(
    app: AppHandle,
    args: ImportTranslations,
) -> Answer<ImportTranslations> {
    let ImportTranslations {} = args;
    on_app(app, |app, state| {
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
        with_session(state, |s| s.import_translations(&path, false)).map(Some)
    })
    .await
}
