//! The native menu bar: File, Edit, View. Items that act on the UI's state are forwarded to the
//! window as a [`MenuCommand`]; Quit goes through the same unsaved-changes prompt as closing.

use letterpress_protocol::commands::MenuChosen;
use letterpress_protocol::{Event, MenuCommand};
use tauri::menu::{Menu, MenuBuilder, MenuItemBuilder, SubmenuBuilder};
use tauri::{AppHandle, Emitter, Runtime};

/// Menu id of Quit (handled by the shell, not the UI).
pub const QUIT: &str = "quit";

fn item<R: Runtime>(
    app: &AppHandle<R>,
    command: MenuCommand,
    text: &str,
    accelerator: Option<&str>,
) -> tauri::Result<tauri::menu::MenuItem<R>> {
    let mut builder = MenuItemBuilder::with_id(command.id(), text);
    if let Some(accelerator) = accelerator {
        builder = builder.accelerator(accelerator);
    }
    builder.build(app)
}

/// Builds the menu bar.
pub fn build<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<Menu<R>> {
    let file = SubmenuBuilder::new(app, "File")
        .item(&item(
            app,
            MenuCommand::OpenProject,
            "Open Project…",
            Some("CmdOrCtrl+O"),
        )?)
        .item(&item(
            app,
            MenuCommand::NewProject,
            "New Project from Sample…",
            None,
        )?)
        .separator()
        .item(&item(app, MenuCommand::Save, "Save", Some("CmdOrCtrl+S"))?)
        .item(&item(
            app,
            MenuCommand::SaveAll,
            "Save All",
            Some("CmdOrCtrl+Alt+S"),
        )?)
        .separator()
        .item(
            &MenuItemBuilder::with_id(QUIT, "Quit")
                .accelerator("CmdOrCtrl+Q")
                .build(app)?,
        )
        .build()?;
    let edit = SubmenuBuilder::new(app, "Edit")
        .cut()
        .copy()
        .paste()
        .separator()
        .select_all()
        .build()?;
    let view = SubmenuBuilder::new(app, "View")
        .item(&item(
            app,
            MenuCommand::DesktopWidth,
            "Desktop Width",
            Some("CmdOrCtrl+1"),
        )?)
        .item(&item(
            app,
            MenuCommand::MobileWidth,
            "Mobile Width",
            Some("CmdOrCtrl+2"),
        )?)
        .separator()
        .item(&item(
            app,
            MenuCommand::ShowHtml,
            "HTML Part",
            Some("CmdOrCtrl+Shift+H"),
        )?)
        .item(&item(
            app,
            MenuCommand::ShowText,
            "Text Part",
            Some("CmdOrCtrl+Shift+T"),
        )?)
        .build()?;
    MenuBuilder::new(app).items(&[&file, &edit, &view]).build()
}

/// Forwards a UI command chosen in the menu to the window.
pub fn forward<R: Runtime>(app: &AppHandle<R>, id: &str) {
    if let Some(command) = MenuCommand::from_id(id) {
        let _ = app.emit(MenuChosen::NAME, command);
    }
}
