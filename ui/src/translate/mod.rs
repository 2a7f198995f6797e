//! The Translate screen: the locale grid (keys × locales, a status per cell, per-locale
//! progress, filters and search), the cell editor with validation, and the preview beside
//! the grid in the cell's locale, re-rendered with the unsaved text as the translator types.
//! Clicking text in the preview selects its key. Also: accept outdated translations, add a
//! locale, pseudo-locales, per-locale template overrides, XLIFF/PO export and import.

use crate::core::coalescer::{Coalescer, Ticket};
use crate::core::{Core, Mode};
use crate::ipc;
use leptos::prelude::*;
use leptos::task::spawn_local;
use letterpress_protocol::commands::{
    AcceptTranslations, AddLocale, CreateOverride, ExportTranslations, GetLocaleGrid,
    ImportTranslations, KeysForText, PreviewTranslation, RenderPreview, SaveTranslation,
};
use letterpress_protocol::locales::{
    CellStatus, ExchangeFormat, GridCell, GridRow, ImportReport, LocaleGrid, RejectReason,
    SetTranslation,
};
use letterpress_protocol::{IpcError, LocaleEntry, Preview, PreviewRequest};
use wasm_bindgen::prelude::*;

/// The cell being edited.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SelectedCell {
    /// Message key.
    pub key: String,
    /// Project locale of the cell.
    pub locale: String,
}

/// State of the Translate screen, as signals (Copy). It lives in `Core`, so it survives
/// switching to the editor and back.
#[derive(Clone, Copy)]
pub struct Translations {
    /// The grid as last loaded.
    pub grid: RwSignal<Option<LocaleGrid>>,
    /// Show only rows with a cell in this status (`None`: all).
    pub status_filter: RwSignal<Option<CellStatus>>,
    /// Show only this locale's column beside the source (`""`: all locales).
    pub locale_filter: RwSignal<String>,
    /// Search in keys and texts.
    pub search: RwSignal<String>,
    /// The cell being edited.
    pub selected: RwSignal<Option<SelectedCell>>,
    /// The cell editor's text (Fluent syntax), unsaved.
    pub draft: RwSignal<String>,
    /// Why the draft is refused (syntax at line:col, placeholder mismatch).
    pub draft_error: RwSignal<Option<IpcError>>,
    /// A short confirmation (saved, accepted, exported...).
    pub notice: RwSignal<Option<String>>,
    /// Preview: template, fixture and locale (project locale or pseudo-locale).
    pub template: RwSignal<String>,
    pub fixture: RwSignal<String>,
    pub preview_locale: RwSignal<String>,
    /// The newest render, and the HTML of the newest one without errors.
    pub preview: RwSignal<Option<Preview>>,
    pub html: RwSignal<String>,
    /// The preview's requests while the translator types: one render under way at a time,
    /// keystrokes meanwhile coalesced into one render of the newest draft (read when sent).
    previews: StoredValue<Coalescer<()>>,
    /// Locale code typed in the "add locale" form.
    pub new_locale: RwSignal<String>,
    /// Locale and format for export.
    pub exchange_locale: RwSignal<String>,
    pub exchange_format: RwSignal<ExchangeFormat>,
    /// The last import's report.
    pub report: RwSignal<Option<ImportReport>>,
}

/// Every status, in the order of the filter menu.
const STATUSES: [CellStatus; 6] = [
    CellStatus::Missing,
    CellStatus::Outdated,
    CellStatus::SameAsSource,
    CellStatus::Fallback,
    CellStatus::Translated,
    CellStatus::Source,
];

/// What a person reads for a status.
fn status_label(status: CellStatus) -> &'static str {
    match status {
        CellStatus::Source => "source",
        CellStatus::Translated => "translated",
        CellStatus::SameAsSource => "same as source",
        CellStatus::Outdated => "outdated",
        CellStatus::Missing => "missing",
        CellStatus::Fallback => "fallback",
    }
}

fn reject_label(reason: RejectReason) -> &'static str {
    match reason {
        RejectReason::UnknownKey => "unknown key",
        RejectReason::BrokenPlaceholders => "broken placeholders",
        RejectReason::BadSyntax => "bad syntax",
        RejectReason::WrongLocale => "wrong locale",
        RejectReason::Malformed => "malformed file",
        RejectReason::DuplicateKey => "duplicate key",
    }
}

/// The first `max` characters of `text` on one line, with an ellipsis when cut.
fn excerpt(text: &str, max: usize) -> String {
    let line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() <= max {
        line
    } else {
        let cut: String = line.chars().take(max).collect();
        format!("{cut}…")
    }
}

/// The locale columns shown: every locale, or the default one and the filtered one.
fn shown_locales(grid: &LocaleGrid, filter: &str) -> Vec<LocaleEntry> {
    grid.locales
        .iter()
        .filter(|l| filter.is_empty() || l.tag == filter || l.tag == grid.default_locale)
        .cloned()
        .collect()
}

/// Rows passing the status filter (on the shown translation columns) and the search (key
/// or any shown text, case-insensitive).
fn visible_rows(
    grid: &LocaleGrid,
    shown: &[LocaleEntry],
    status: Option<CellStatus>,
    search: &str,
) -> Vec<GridRow> {
    let needle = search.trim().to_lowercase();
    let shown_cells = |row: &GridRow| -> Vec<GridCell> {
        row.cells
            .iter()
            .filter(|c| shown.iter().any(|l| l.tag == c.locale))
            .cloned()
            .collect()
    };
    grid.rows
        .iter()
        .filter(|row| {
            let cells = shown_cells(row);
            let status_ok = status.is_none_or(|s| cells.iter().any(|c| c.status == s));
            let search_ok = needle.is_empty()
                || row.key.to_lowercase().contains(&needle)
                || cells.iter().any(|c| {
                    c.text
                        .as_deref()
                        .is_some_and(|t| t.to_lowercase().contains(&needle))
                });
            status_ok && search_ok
        })
        .cloned()
        .collect()
}

impl Translations {
    /// Empty state; the grid loads when the screen opens.
    pub fn new() -> Translations {
        Translations {
            grid: RwSignal::new(None),
            status_filter: RwSignal::new(None),
            locale_filter: RwSignal::new(String::new()),
            search: RwSignal::new(String::new()),
            selected: RwSignal::new(None),
            draft: RwSignal::new(String::new()),
            draft_error: RwSignal::new(None),
            notice: RwSignal::new(None),
            template: RwSignal::new(String::new()),
            fixture: RwSignal::new(String::new()),
            preview_locale: RwSignal::new(String::new()),
            preview: RwSignal::new(None),
            html: RwSignal::new(String::new()),
            previews: StoredValue::new(Coalescer::newest_wins()),
            new_locale: RwSignal::new(String::new()),
            exchange_locale: RwSignal::new(String::new()),
            exchange_format: RwSignal::new(ExchangeFormat::Xliff),
            report: RwSignal::new(None),
        }
    }

    /// The selected row.
    fn selected_row(self) -> Option<GridRow> {
        let selected = self.selected.get_untracked()?;
        self.grid.with_untracked(|g| {
            g.as_ref()?
                .rows
                .iter()
                .find(|r| r.key == selected.key)
                .cloned()
        })
    }

    /// The saved text of a cell (`None`: missing in that locale).
    fn saved_text(self, key: &str, locale: &str) -> Option<String> {
        self.grid.with_untracked(|g| {
            g.as_ref()?
                .rows
                .iter()
                .find(|r| r.key == key)?
                .cells
                .iter()
                .find(|c| c.locale == locale)?
                .text
                .clone()
        })
    }

    /// Whether `locale` is a project locale written right to left.
    fn is_rtl(self, locale: &str) -> bool {
        self.grid.with_untracked(|g| {
            g.as_ref()
                .is_some_and(|g| g.locales.iter().any(|l| l.tag == locale && l.dir == "rtl"))
        })
    }

    fn is_project_locale(self, tag: &str) -> bool {
        self.grid.with_untracked(|g| {
            g.as_ref()
                .is_some_and(|g| g.locales.iter().any(|l| l.tag == tag))
        })
    }

    /// Loads (or reloads) the grid; on first load picks the preview's template and locale.
    pub fn load_grid(self, core: Core) {
        spawn_local(async move {
            match ipc::call(&GetLocaleGrid {}).await {
                Ok(grid) => {
                    // Another project, or locales/keys/templates gone: start from defaults.
                    let locale = self.preview_locale.get_untracked();
                    let known = |tag: &str| {
                        grid.locales
                            .iter()
                            .chain(&grid.pseudo_locales)
                            .any(|l| l.tag == tag)
                    };
                    if !known(&locale) {
                        self.preview_locale.set(String::new());
                    }
                    if !known(&self.exchange_locale.get_untracked()) {
                        self.exchange_locale.set(String::new());
                    }
                    if let Some(selected) = self.selected.get_untracked()
                        && !(known(&selected.locale)
                            && grid.rows.iter().any(|r| r.key == selected.key))
                    {
                        self.selected.set(None);
                        self.draft.set(String::new());
                        self.draft_error.set(None);
                    }
                    let template = self.template.get_untracked();
                    if !fixtures_of(core, &template).contains(&self.fixture.get_untracked()) {
                        self.template.set(String::new());
                    }
                    if self.preview_locale.get_untracked().is_empty() {
                        let first_translation = grid
                            .locales
                            .iter()
                            .find(|l| l.tag != grid.default_locale)
                            .or(grid.locales.first())
                            .map(|l| l.tag.clone())
                            .unwrap_or_default();
                        self.preview_locale.set(first_translation.clone());
                        if self.exchange_locale.get_untracked().is_empty() {
                            self.exchange_locale.set(first_translation);
                        }
                    }
                    self.grid.set(Some(grid));
                    if self.template.get_untracked().is_empty() {
                        self.set_template(core, &core.template.get_untracked());
                    }
                    self.refresh_preview(core);
                }
                Err(e) => core.fail(&e),
            }
        });
    }

    /// Sets the preview's template, keeping the fixture when the template has it.
    fn set_template(self, core: Core, id: &str) {
        let fixtures = fixtures_of(core, id);
        self.template.set(id.to_owned());
        if !fixtures.contains(&self.fixture.get_untracked()) {
            self.fixture
                .set(fixtures.first().cloned().unwrap_or_default());
        }
    }

    /// Selects a cell: its text goes to the editor, the preview follows its locale and
    /// shows a template using the key.
    pub fn select(self, core: Core, key: &str, locale: &str) {
        let next = SelectedCell {
            key: key.to_owned(),
            locale: locale.to_owned(),
        };
        if self.selected.get_untracked().as_ref() == Some(&next) {
            return;
        }
        self.selected.set(Some(next));
        self.draft
            .set(self.saved_text(key, locale).unwrap_or_default());
        self.draft_error.set(None);
        self.notice.set(None);
        self.preview_locale.set(locale.to_owned());
        if let Some(row) = self.selected_row()
            && !row.used_by.is_empty()
            && !row.used_by.contains(&self.template.get_untracked())
        {
            self.set_template(core, &row.used_by[0]);
        }
        self.refresh_preview(core);
    }

    /// The translation to render instead of the catalogs' text: the draft, when it differs
    /// from the saved text of a cell in the previewed locale.
    fn unsaved_translation(self) -> Option<SetTranslation> {
        let selected = self.selected.get_untracked()?;
        if selected.locale != self.preview_locale.get_untracked() {
            return None;
        }
        let draft = self.draft.get_untracked();
        let saved = self.saved_text(&selected.key, &selected.locale);
        if draft.trim().is_empty() || Some(&draft) == saved.as_ref() {
            return None;
        }
        Some(SetTranslation {
            locale: selected.locale,
            key: selected.key,
            text: Some(draft),
        })
    }

    /// Re-renders the preview (coalesced: at most one render under way).
    pub fn refresh_preview(self, core: Core) {
        if let Some(ticket) = self.previews.try_update_value(|c| c.offer(())).flatten() {
            self.send_preview(core, ticket);
        }
    }

    /// Renders the preview as the screen stands now (the draft overlaid when it differs
    /// from the saved text), then what was asked for meanwhile.
    fn send_preview(self, core: Core, ticket: Ticket<()>) {
        let request = PreviewRequest {
            template: self.template.get_untracked(),
            locale: self.preview_locale.get_untracked(),
            fixture: self.fixture.get_untracked(),
            text: false,
            markers: false,
            logic: Default::default(),
            dark: None,
            variant: None,
        };
        let translation = self.unsaved_translation();
        if translation.is_none() {
            self.draft_error.set(None);
        }
        spawn_local(async move {
            let answer = if request.template.is_empty() || request.locale.is_empty() {
                None
            } else {
                Some(match &translation {
                    Some(t) => {
                        let call = PreviewTranslation {
                            request,
                            translation: t.clone(),
                        };
                        ipc::call(&call).await
                    }
                    None => {
                        ipc::call(&RenderPreview {
                            request,
                            shown: None,
                        })
                        .await
                    }
                })
            };
            let settled = self.previews.try_update_value(|c| c.settle(ticket.seq));
            let (show, next) = settled.map_or((false, None), |s| (s.show, s.next));
            if show && let Some(answer) = answer {
                match answer {
                    Ok(p) => {
                        if translation.is_some() {
                            self.draft_error.set(None);
                        }
                        if p.is_ok() {
                            self.html.set(p.html.clone());
                        }
                        self.preview.set(Some(p));
                    }
                    // The draft is refused (syntax, placeholders): say why, keep the last
                    // good render.
                    Err(e) if translation.is_some() => self.draft_error.set(Some(e)),
                    Err(e) => core.fail(&e),
                }
            }
            if let Some(next) = next {
                self.send_preview(core, next);
            }
        });
    }

    /// Saves the draft into the selected cell (an empty draft removes the translation, so
    /// the fallback shows). A refused text writes nothing and shows the reason.
    pub fn save(self, core: Core) {
        let Some(selected) = self.selected.get_untracked() else {
            return;
        };
        let draft = self.draft.get_untracked();
        let translation = SetTranslation {
            locale: selected.locale.clone(),
            key: selected.key.clone(),
            text: (!draft.trim().is_empty()).then_some(draft),
        };
        spawn_local(async move {
            let args = SaveTranslation {
                translation: translation.clone(),
            };
            match ipc::call(&args).await {
                Ok(cell) => {
                    self.draft_error.set(None);
                    self.draft.set(cell.text.clone().unwrap_or_default());
                    self.notice.set(Some(format!(
                        "Saved {} ({}): {}",
                        translation.key,
                        translation.locale,
                        status_label(cell.status)
                    )));
                    self.load_grid(core);
                }
                Err(e) => {
                    self.notice.set(Some(format!(
                        "Not saved: {} ({}) was refused, nothing was written",
                        translation.key, translation.locale
                    )));
                    self.draft_error.set(Some(e));
                }
            }
        });
    }

    /// Accepts the selected (outdated) translation as made from the current source.
    fn accept(self, core: Core) {
        let Some(selected) = self.selected.get_untracked() else {
            return;
        };
        spawn_local(async move {
            let args = AcceptTranslations {
                locale: selected.locale.clone(),
                keys: vec![selected.key.clone()],
            };
            match ipc::call(&args).await {
                Ok(_) => {
                    self.notice.set(Some(format!(
                        "Accepted {} ({}) as current",
                        selected.key, selected.locale
                    )));
                    self.load_grid(core);
                }
                Err(e) => core.fail(&e),
            }
        });
    }

    /// Adds the locale typed in the form; the sidebar and pickers learn it from a new
    /// snapshot.
    fn add_locale(self, core: Core) {
        let code = self.new_locale.get_untracked();
        spawn_local(async move {
            match ipc::call(&AddLocale {
                code: code.trim().to_owned(),
            })
            .await
            {
                Ok(entry) => {
                    self.new_locale.set(String::new());
                    self.notice.set(Some(format!(
                        "Added locale {} (dir: {})",
                        entry.tag, entry.dir
                    )));
                    core.problem.set(None);
                    core.reload_snapshot().await;
                    self.load_grid(core);
                }
                Err(e) => core.fail(&e),
            }
        });
    }

    /// Creates a body override of the previewed template for the previewed locale (or
    /// opens the existing one) in the editor.
    fn open_override(self, core: Core) {
        let template = self.template.get_untracked();
        let locale = self.preview_locale.get_untracked();
        let path = format!("templates/{template}/body.{locale}.mjml");
        let exists = override_exists(core, &template, &locale);
        spawn_local(async move {
            if !exists {
                let args = CreateOverride {
                    template: template.clone(),
                    locale: locale.clone(),
                };
                if let Err(e) = ipc::call(&args).await {
                    core.fail(&e);
                    return;
                }
                core.reload_snapshot().await;
            }
            core.template.set(template.clone());
            core.locale.set(locale.clone());
            core.mode.set(Mode::Edit);
            core.open(&path, None);
        });
    }

    /// Exports the chosen locale to a file picked in the save dialog.
    fn export(self, core: Core) {
        let locale = self.exchange_locale.get_untracked();
        let format = self.exchange_format.get_untracked();
        spawn_local(async move {
            let args = ExportTranslations {
                locale: locale.clone(),
                format,
            };
            match ipc::call(&args).await {
                Ok(Some(path)) => self
                    .notice
                    .set(Some(format!("Exported {locale} to {path}"))),
                Ok(None) => {}
                Err(e) => core.fail(&e),
            }
        });
    }

    /// Imports a file picked in the open dialog and shows the report.
    fn import(self, core: Core) {
        spawn_local(async move {
            match ipc::call(&ImportTranslations {}).await {
                Ok(Some(report)) => {
                    let applied = report.applied;
                    self.report.set(Some(report));
                    if applied {
                        self.load_grid(core);
                    }
                }
                Ok(None) => {}
                Err(e) => core.fail(&e),
            }
        });
    }

    /// Opens the Translate screen on the cell of `key` in `locale` (from the Edit screen's
    /// preview: a plural or select message is edited in the cell editor).
    pub fn open_cell(self, core: Core, key: String, locale: String) {
        spawn_local(async move {
            match ipc::call(&GetLocaleGrid {}).await {
                Ok(grid) => {
                    self.grid.set(Some(grid));
                    self.search.set(String::new());
                    self.status_filter.set(None);
                    core.mode.set(Mode::Translate);
                    self.select(core, &key, &locale);
                    scroll_to_row(&key);
                }
                Err(e) => core.fail(&e),
            }
        });
    }

    /// Text clicked in the preview: selects the key it comes from.
    fn find_key(self, core: Core, snippet: String) {
        let locale = self.preview_locale.get_untracked();
        spawn_local(async move {
            let args = KeysForText {
                locale: locale.clone(),
                snippet: snippet.clone(),
            };
            match ipc::call(&args).await {
                Ok(keys) => match keys.first() {
                    Some(key) => {
                        let cell_locale = if self.is_project_locale(&locale) {
                            locale.clone()
                        } else {
                            self.selected
                                .get_untracked()
                                .map(|s| s.locale)
                                .unwrap_or_else(|| locale.clone())
                        };
                        // The row must be visible to be selected.
                        self.search.set(String::new());
                        self.status_filter.set(None);
                        self.select(core, key, &cell_locale);
                        self.notice.set(Some(format!("Found {key}")));
                        scroll_to_row(key);
                    }
                    None => self.notice.set(Some(format!(
                        "No key has the text “{}”",
                        excerpt(&snippet, 60)
                    ))),
                },
                Err(e) => core.fail(&e),
            }
        });
    }
}

impl Default for Translations {
    fn default() -> Self {
        Translations::new()
    }
}

fn fixtures_of(core: Core, template: &str) -> Vec<String> {
    core.snapshot.with_untracked(|s| {
        s.as_ref()
            .and_then(|s| s.templates.iter().find(|t| t.id == template))
            .map(|t| t.fixtures.clone())
            .unwrap_or_default()
    })
}

fn override_exists(core: Core, template: &str, locale: &str) -> bool {
    core.snapshot.with(|s| {
        s.as_ref()
            .and_then(|s| s.templates.iter().find(|t| t.id == template))
            .is_some_and(|t| t.overrides.iter().any(|l| l == locale))
    })
}

/// Brings the row of `key` into the middle of the grid, once the grid shows it.
fn scroll_to_row(key: &str) {
    scroll_into_view(format!("[data-test=\"row-{key}\"]"), "center");
}

/// Scrolls the element matching `selector` into view (`block`: `center`, `nearest`), once
/// the next frame has rendered it.
fn scroll_into_view(selector: String, block: &'static str) {
    request_animation_frame(move || {
        let Some(document) = web_sys::window().and_then(|w| w.document()) else {
            return;
        };
        let Ok(Some(element)) = document.query_selector(&selector) else {
            return;
        };
        let options = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&options, &"block".into(), &block.into());
        let _ = js_sys::Reflect::set(&options, &"inline".into(), &"nearest".into());
        if let Some(scroll) = js_sys::Reflect::get(&element, &"scrollIntoView".into())
            .ok()
            .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
        {
            let _ = scroll.call1(&element, &options);
        }
    });
}

/// Focuses the element matching `selector`, if it is there.
fn focus(selector: &str) {
    let element = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector(selector).ok().flatten());
    if let Some(element) = element
        && let Ok(element) = element.dyn_into::<web_sys::HtmlElement>()
    {
        let _ = element.focus();
    }
}

/// The cell an arrow key moves to from `current` (row key, locale) in a grid of `rows` ×
/// `locales`; the first cell when nothing is selected; `None` for other keys.
fn cell_after_key(
    key: &str,
    current: Option<(&str, &str)>,
    rows: &[&str],
    locales: &[&str],
) -> Option<(usize, usize)> {
    if rows.is_empty() || locales.is_empty() {
        return None;
    }
    let at = current.and_then(|(k, l)| {
        Some((
            rows.iter().position(|r| *r == k)?,
            locales.iter().position(|x| *x == l)?,
        ))
    });
    let Some((row, col)) = at else {
        return matches!(key, "ArrowUp" | "ArrowDown" | "ArrowLeft" | "ArrowRight")
            .then_some((0, 0));
    };
    let last_row = rows.len() - 1;
    let last_col = locales.len() - 1;
    match key {
        "ArrowUp" => Some((row.saturating_sub(1), col)),
        "ArrowDown" => Some(((row + 1).min(last_row), col)),
        "ArrowLeft" => Some((row, col.saturating_sub(1))),
        "ArrowRight" => Some((row, (col + 1).min(last_col))),
        "Home" => Some((row, 0)),
        "End" => Some((row, last_col)),
        "PageUp" => Some((row.saturating_sub(10), col)),
        "PageDown" => Some(((row + 10).min(last_row), col)),
        _ => None,
    }
}

/// The text under a click on the layer over the preview. Clicks inside the sandboxed
/// email reach no listener (WebKit runs no handler, not even the app's, in a frame without
/// scripts), so a transparent layer over it takes the click and asks the email's document,
/// from the app's side, which element is at that point.
fn text_at_point(frame: &JsValue, client_x: f64, client_y: f64) -> Option<String> {
    let element = element_at_point(frame, client_x, client_y)?;
    ["innerText", "textContent"]
        .iter()
        .filter_map(|p| js_sys::Reflect::get(&element, &(*p).into()).ok())
        .filter_map(|v| v.as_string())
        .map(|t| t.trim().to_owned())
        .find(|t| !t.is_empty())
}

/// Outlines the element under the pointer in the email (undone on the next one), so the
/// translator sees which text a click will look up. The next render replaces the outline.
fn highlight(previous: &StoredValue<Option<JsValue>, LocalStorage>, element: Option<JsValue>) {
    let set_outline = |element: &JsValue, value: &str| {
        if let Ok(style) = js_sys::Reflect::get(element, &"style".into())
            && style.is_object()
        {
            let _ = js_sys::Reflect::set(&style, &"outline".into(), &value.into());
        }
    };
    let old = previous.try_update_value(Option::take).flatten();
    if let Some(old) = &old
        && element.as_ref() != Some(old)
    {
        set_outline(old, "");
    }
    if let Some(element) = element {
        set_outline(&element, "2px dashed #4f46e5");
        previous.set_value(Some(element));
    }
}

/// The element of the email at a point of the app's viewport.
fn element_at_point(frame: &JsValue, client_x: f64, client_y: f64) -> Option<JsValue> {
    let get = |target: &JsValue, name: &str| js_sys::Reflect::get(target, &name.into()).ok();
    let call = |target: &JsValue, name: &str, args: &[JsValue]| -> Option<JsValue> {
        let function = get(target, name)?.dyn_into::<js_sys::Function>().ok()?;
        let args: js_sys::Array = args.iter().collect();
        function.apply(target, &args).ok()
    };
    let rect = call(frame, "getBoundingClientRect", &[])?;
    let number = |v: &JsValue, name: &str| get(v, name).and_then(|n| n.as_f64()).unwrap_or(0.0);
    let x = client_x - number(&rect, "left") - number(frame, "clientLeft");
    let y = client_y - number(&rect, "top") - number(frame, "clientTop");
    let document = get(frame, "contentDocument").filter(JsValue::is_object)?;
    call(&document, "elementFromPoint", &[x.into(), y.into()]).filter(JsValue::is_object)
}

/// Scrolls the email under the click layer (wheel events land on the layer).
fn scroll_frame(frame: &JsValue, dx: f64, dy: f64) {
    let Some(window) = js_sys::Reflect::get(frame, &"contentWindow".into())
        .ok()
        .filter(JsValue::is_object)
    else {
        return;
    };
    if let Some(scroll) = js_sys::Reflect::get(&window, &"scrollBy".into())
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
    {
        let _ = scroll.call2(&window, &dx.into(), &dy.into());
    }
}

/// The Translate screen.
#[component]
pub fn TranslationsScreen() -> impl IntoView {
    let core = expect_context::<Core>();
    let tx = expect_context::<Translations>();
    // Loaded on opening, and again when the project changes (files, locales).
    Effect::new(move |_| {
        core.project_epoch.track();
        tx.load_grid(core);
    });
    view! {
        <div class="translate" data-test="translate-screen">
            <section class="grid-pane">
                <GridToolbar core=core />
                {move || tx.report.get().map(|r| view! { <ImportReportView report=r /> })}
                <LocaleTable core=core />
                <CellEditor core=core />
            </section>
            <TranslationPreview core=core />
        </div>
    }
}

#[component]
fn GridToolbar(core: Core) -> impl IntoView {
    let tx = expect_context::<Translations>();
    let locales = move || {
        tx.grid
            .with(|g| g.as_ref().map(|g| g.locales.clone()).unwrap_or_default())
    };
    let default_locale = move || {
        tx.grid.with(|g| {
            g.as_ref()
                .map(|g| g.default_locale.clone())
                .unwrap_or_default()
        })
    };
    view! {
        <div class="toolbar grid-toolbar">
            <input class="search" data-test="tx-search" type="search" placeholder="Search keys and text"
                prop:value=move || tx.search.get()
                on:input=move |ev| tx.search.set(event_target_value(&ev)) />
            <label>"Status "
                <select data-test="tx-status-filter"
                    prop:value=move || tx.status_filter.get().map(|s| s.as_str()).unwrap_or("")
                    on:change=move |ev| {
                        let value = event_target_value(&ev);
                        tx.status_filter.set(STATUSES.into_iter().find(|s| s.as_str() == value));
                    }>
                    <option value="">"all"</option>
                    {STATUSES.into_iter().map(|s| view! { <option value=s.as_str()>{status_label(s)}</option> }).collect_view()}
                </select>
            </label>
            <label>"Locale "
                <select data-test="tx-locale-filter" prop:value=move || tx.locale_filter.get()
                    on:change=move |ev| tx.locale_filter.set(event_target_value(&ev))>
                    <option value="">"all"</option>
                    {move || locales().into_iter().filter(|l| l.tag != default_locale()).map(|l| {
                        view! { <option value=l.tag.clone()>{l.tag.clone()}</option> }
                    }).collect_view()}
                </select>
            </label>
            <span class="inline-form">
                <input data-test="tx-new-locale" placeholder="add locale (e.g. de-AT)"
                    prop:value=move || tx.new_locale.get()
                    on:input=move |ev| tx.new_locale.set(event_target_value(&ev))
                    on:keydown=move |ev| if ev.key() == "Enter" { tx.add_locale(core) } />
                <button data-test="tx-add-locale" on:click=move |_| tx.add_locale(core)>"Add"</button>
            </span>
            <span class="inline-form exchange">
                <select data-test="tx-exchange-locale" aria-label="Locale to export or import"
                    prop:value=move || tx.exchange_locale.get()
                    on:change=move |ev| tx.exchange_locale.set(event_target_value(&ev))>
                    {move || locales().into_iter().filter(|l| l.tag != default_locale()).map(|l| {
                        view! { <option value=l.tag.clone()>{l.tag.clone()}</option> }
                    }).collect_view()}
                </select>
                <select data-test="tx-exchange-format" aria-label="Exchange file format"
                    on:change=move |ev| tx.exchange_format.set(if event_target_value(&ev) == "po" { ExchangeFormat::Po } else { ExchangeFormat::Xliff })>
                    <option value="xliff">"XLIFF 2.0"</option>
                    <option value="po">"PO"</option>
                </select>
                <button data-test="tx-export" on:click=move |_| tx.export(core)>"Export…"</button>
                <button data-test="tx-import" on:click=move |_| tx.import(core)>"Import…"</button>
            </span>
        </div>
        {move || core.problem.get().map(|p| view! {
            <div class="banner" data-test="tx-problem">{p}
                <button class="dismiss" on:click=move |_| core.problem.set(None)>"×"</button>
            </div>
        })}
        {move || tx.notice.get().map(|n| view! { <div class="notice" data-test="tx-notice">{n}</div> })}
    }
}

#[component]
fn LocaleTable(core: Core) -> impl IntoView {
    let tx = expect_context::<Translations>();
    let shown = move || {
        tx.grid.with(|g| {
            g.as_ref()
                .map(|g| shown_locales(g, &tx.locale_filter.get()))
                .unwrap_or_default()
        })
    };
    let header = move || {
        let progress = tx
            .grid
            .with(|g| g.as_ref().map(|g| g.progress.clone()).unwrap_or_default());
        let default_locale = tx.grid.with(|g| {
            g.as_ref()
                .map(|g| g.default_locale.clone())
                .unwrap_or_default()
        });
        shown()
            .into_iter()
            .map(|l| {
                let p = progress.iter().find(|p| p.locale == l.tag).cloned();
                let summary = if l.tag == default_locale {
                    "source".to_owned()
                } else {
                    p.as_ref().map_or_else(String::new, |p| {
                        let pct = (p.translated * 100).checked_div(p.total).unwrap_or(0);
                        format!("{pct}% · {}/{} translated", p.translated, p.total)
                    })
                };
                let detail = p.as_ref().map_or_else(String::new, |p| {
                    format!(
                        "{} missing, {} outdated, {} same as source, {} fallback",
                        p.missing, p.outdated, p.same_as_source, p.fallback
                    )
                });
                let width = |n: usize| {
                    let total = p.as_ref().map_or(0, |p| p.total).max(1);
                    format!("width: {}%", n * 100 / total)
                };
                let bar = p.as_ref().filter(|_| l.tag != default_locale).map(|p| {
                    view! {
                        <div class="progress" title=detail.clone()>
                            <span class="translated" style=width(p.translated)></span>
                            <span class="outdated" style=width(p.outdated)></span>
                            <span class="same-as-source" style=width(p.same_as_source)></span>
                            <span class="fallback" style=width(p.fallback)></span>
                        </div>
                    }
                });
                view! {
                    <th class="locale" data-test=format!("progress-{}", l.tag) title=detail.clone()>
                        <div>{l.tag.clone()} <span class="dir">{l.dir.clone()}</span></div>
                        <div class="summary">{summary}</div>
                        {bar}
                    </th>
                }
            })
            .collect_view()
    };
    let rows = move || {
        let shown = shown();
        tx.grid.with(|g| {
            g.as_ref()
                .map(|g| visible_rows(g, &shown, tx.status_filter.get(), &tx.search.get()))
                .unwrap_or_default()
        })
    };
    // Keyboard: arrows, Home/End and PageUp/PageDown move between cells; Enter edits the
    // cell (Escape in the editor comes back here).
    let on_key = move |ev: web_sys::KeyboardEvent| {
        if ev.key() == "Enter" {
            if tx.selected.get_untracked().is_some() {
                ev.prevent_default();
                focus("[data-test=tx-draft]");
            }
            return;
        }
        let rows = rows();
        let shown = shown();
        let keys: Vec<&str> = rows.iter().map(|r| r.key.as_str()).collect();
        let tags: Vec<&str> = shown.iter().map(|l| l.tag.as_str()).collect();
        let selected = tx.selected.get_untracked();
        let current = selected
            .as_ref()
            .map(|s| (s.key.as_str(), s.locale.as_str()));
        if let Some((row, col)) = cell_after_key(&ev.key(), current, &keys, &tags) {
            ev.prevent_default();
            tx.select(core, keys[row], tags[col]);
            scroll_into_view(
                format!("[data-test=\"cell-{}-{}\"]", keys[row], tags[col]),
                "nearest",
            );
        }
    };
    view! {
        <div class="grid-scroll" tabindex="0" data-test="grid-keys" on:keydown=on_key
            title="Arrow keys move between cells, Enter edits">
            <table class="locale-grid" data-test="locale-grid">
                <thead><tr><th class="key">"Key"</th>{header}</tr></thead>
                <tbody>
                    {move || {
                        let shown = shown();
                        let rows = rows();
                        if rows.is_empty() {
                            return view! { <tr><td class="empty" colspan="99">"No key matches."</td></tr> }.into_any();
                        }
                        rows.into_iter().map(|row| grid_row(core, row, &shown)).collect_view().into_any()
                    }}
                </tbody>
            </table>
        </div>
    }
}

fn grid_row(core: Core, row: GridRow, shown: &[LocaleEntry]) -> impl IntoView + use<> {
    let tx = expect_context::<Translations>();
    let key = row.key.clone();
    let row_key = row.key.clone();
    let cells = shown
        .iter()
        .filter_map(|l| row.cells.iter().find(|c| c.locale == l.tag).cloned())
        .map(|cell| {
            let key = row.key.clone();
            let key_sel = row.key.clone();
            let locale = cell.locale.clone();
            let locale_sel = cell.locale.clone();
            let label = match (&cell.status, &cell.fallback_locale) {
                (CellStatus::Missing | CellStatus::Fallback, Some(from)) => {
                    format!("{} → {from}", status_label(cell.status))
                }
                _ => status_label(cell.status).to_owned(),
            };
            let warning = (!cell.diagnostics.is_empty()).then(|| {
                let text = cell
                    .diagnostics
                    .iter()
                    .map(|d| d.message.clone())
                    .collect::<Vec<_>>()
                    .join("\n");
                view! { <span class="cell-warning" title=text>"⚠"</span> }
            });
            let text = cell.text.as_deref().map(|t| excerpt(t, 140)).unwrap_or_default();
            view! {
                <td class=format!("cell {}", cell.status.as_str())
                    class:current=move || tx.selected.with(|s| s.as_ref().is_some_and(|s| s.key == key_sel && s.locale == locale_sel))
                    data-test=format!("cell-{}-{}", row.key, cell.locale)
                    dir=move || if tx.is_rtl(&locale) { "rtl" } else { "auto" }
                    on:click=move |_| tx.select(core, &key, &cell.locale)>
                    <div class="cell-text">{text}</div>
                    <div class="status" dir="ltr">{warning}{label}</div>
                </td>
            }
        })
        .collect_view();
    view! {
        <tr data-test=format!("row-{}", row.key)
            class:selected=move || tx.selected.with(|s| s.as_ref().is_some_and(|s| s.key == row_key))>
            <th class="key" title=row.note.clone().unwrap_or_default()>
                <div class="key-name">{key}</div>
                <div class="key-file">{row.file.clone()}</div>
            </th>
            {cells}
        </tr>
    }
}

#[component]
fn CellEditor(core: Core) -> impl IntoView {
    let tx = expect_context::<Translations>();
    let row = move || {
        tx.selected.track();
        tx.grid.track();
        tx.selected_row()
    };
    let cell = move || {
        let selected = tx.selected.get()?;
        row()?
            .cells
            .into_iter()
            .find(|c| c.locale == selected.locale)
    };
    let source_text = move || {
        let row = row()?;
        let default_locale = tx
            .grid
            .with(|g| g.as_ref().map(|g| g.default_locale.clone()))?;
        row.cells
            .into_iter()
            .find(|c| c.locale == default_locale)
            .and_then(|c| c.text)
    };
    let is_source = move || cell().is_some_and(|c| c.status == CellStatus::Source);
    let is_outdated = move || cell().is_some_and(|c| c.status == CellStatus::Outdated);
    view! {
        <div class="cell-editor" data-test="cell-editor">
            {move || match tx.selected.get() {
                None => view! { <p class="hint">"Select a cell to translate it. Click text in the preview to find its key."</p> }.into_any(),
                Some(selected) => view! {
                    <div class="cell-head">
                        <strong data-test="tx-selected-key">{selected.key.clone()}</strong>
                        <span class="badge" data-test="tx-selected-locale">{selected.locale.clone()}</span>
                        {move || cell().map(|c| view! {
                            <span class=format!("status-chip {}", c.status.as_str())>{status_label(c.status)}</span>
                        })}
                        {move || row().map(|r| {
                            let vars = r.variables.iter().map(|v| format!("${v}")).collect::<Vec<_>>().join(" ");
                            view! { <span class="vars" title="Variables the translation must use">{vars}</span> }
                        })}
                    </div>
                    {move || row().and_then(|r| r.note).map(|n| view! { <div class="note">{n}</div> })}
                    {move || (!is_source()).then(|| view! {
                        <div class="source-text" dir="auto"><span class="label">"Source: "</span>{source_text().unwrap_or_default()}</div>
                    })}
                    {move || is_source().then(|| view! {
                        <div class="note">"You are editing the source text: translations of this key become outdated."</div>
                    })}
                    <textarea data-test="tx-draft" rows="4" spellcheck="false"
                        dir=move || if tx.is_rtl(&tx.selected.get().map(|s| s.locale).unwrap_or_default()) { "rtl" } else { "ltr" }
                        placeholder="Fluent text, e.g. { $count -> [one] One file *[other] { $count } files }"
                        prop:value=move || tx.draft.get()
                        on:input=move |ev| { tx.draft.set(event_target_value(&ev)); tx.notice.set(None); tx.refresh_preview(core); }
                        on:keydown=move |ev| {
                            let save = (ev.key() == "Enter" && !ev.shift_key() && !ev.alt_key() && !ev.is_composing())
                                || ((ev.ctrl_key() || ev.meta_key()) && ev.key().eq_ignore_ascii_case("s"));
                            if save {
                                ev.prevent_default();
                                tx.save(core);
                            } else if ev.key() == "Escape" {
                                ev.prevent_default();
                                focus("[data-test=grid-keys]");
                            }
                        }></textarea>
                    {move || tx.draft_error.get().map(|e| view! {
                        <div class="cell-error" data-test="cell-error">
                            <span class="code">{e.code.as_str()}</span>" "{e.to_string()}
                        </div>
                    })}
                    <div class="cell-actions">
                        <button data-test="tx-save" on:click=move |_| tx.save(core)>"Save"</button>
                        <button data-test="tx-revert" on:click=move |_| {
                            if let Some(s) = tx.selected.get_untracked() {
                                tx.draft.set(tx.saved_text(&s.key, &s.locale).unwrap_or_default());
                                tx.refresh_preview(core);
                            }
                        }>"Revert"</button>
                        {move || is_outdated().then(|| view! {
                            <button data-test="tx-accept" title="The source changed since this was translated; keep the translation as it is"
                                on:click=move |_| tx.accept(core)>"Accept as current"</button>
                        })}
                        <span class="hint">"Enter or Ctrl+S saves, Shift+Enter: new line, empty: remove (fallback shows)"</span>
                    </div>
                }.into_any(),
            }}
        </div>
    }
}

#[component]
fn TranslationPreview(core: Core) -> impl IntoView {
    let tx = expect_context::<Translations>();
    let templates = move || {
        let all: Vec<String> = core.snapshot.with(|s| {
            s.as_ref()
                .map(|s| s.templates.iter().map(|t| t.id.clone()).collect())
                .unwrap_or_default()
        });
        tx.selected.track();
        match tx.grid.with(|_| tx.selected_row()) {
            Some(row) if !row.used_by.is_empty() => row.used_by,
            _ => all,
        }
    };
    let unused = move || {
        tx.selected.track();
        tx.grid
            .with(|_| tx.selected_row())
            .is_some_and(|r| r.used_by.is_empty())
    };
    let fixtures = move || fixtures_of(core, &tx.template.get());
    let locales = move || {
        tx.grid.with(|g| {
            g.as_ref()
                .map(|g| {
                    let project = g.locales.iter().map(|l| (l.clone(), false));
                    let pseudo = g.pseudo_locales.iter().map(|l| (l.clone(), true));
                    project.chain(pseudo).collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    };
    let has_override = move || override_exists(core, &tx.template.get(), &tx.preview_locale.get());
    let is_pseudo = move || {
        let locale = tx.preview_locale.get();
        tx.grid.with(|g| {
            g.as_ref()
                .is_some_and(|g| g.pseudo_locales.iter().any(|l| l.tag == locale))
        })
    };
    let field =
        move |f: fn(&Preview) -> String| tx.preview.with(|p| p.as_ref().map(f).unwrap_or_default());
    let frame = NodeRef::<leptos::html::Iframe>::new();
    Effect::new(move |_| {
        let html = core.with_local_images(&tx.html.get());
        if let Some(el) = frame.get() {
            ipc::preview_show(el.as_ref(), &html);
        }
    });
    let on_pick = move |ev: web_sys::MouseEvent| {
        let Some(el) = frame.get_untracked() else {
            return;
        };
        match text_at_point(
            el.as_ref(),
            f64::from(ev.client_x()),
            f64::from(ev.client_y()),
        ) {
            Some(text) => tx.find_key(core, text),
            None => tx.notice.set(Some("No text there.".into())),
        }
    };
    let hovered = StoredValue::new_local(None::<JsValue>);
    let on_hover = move |ev: web_sys::MouseEvent| {
        if let Some(el) = frame.get_untracked() {
            let element = element_at_point(
                el.as_ref(),
                f64::from(ev.client_x()),
                f64::from(ev.client_y()),
            );
            highlight(&hovered, element);
        }
    };
    let on_leave = move |_: web_sys::MouseEvent| highlight(&hovered, None);
    let on_wheel = move |ev: web_sys::WheelEvent| {
        if let Some(el) = frame.get_untracked() {
            ev.prevent_default();
            scroll_frame(el.as_ref(), ev.delta_x(), ev.delta_y());
        }
    };
    let on_locale = move |value: String| {
        tx.preview_locale.set(value.clone());
        // A project locale: the editor follows, on the same key.
        if tx.is_project_locale(&value)
            && let Some(selected) = tx.selected.get_untracked()
        {
            tx.select(core, &selected.key, &value);
        }
        tx.refresh_preview(core);
    };
    view! {
        <section class="preview-pane tx-preview-pane">
            <div class="toolbar">
                <label>"Template "
                    <select data-test="tx-template" prop:value=move || tx.template.get()
                        on:change=move |ev| { tx.set_template(core, &event_target_value(&ev)); tx.refresh_preview(core); }>
                        {move || templates().into_iter().map(|t| view! { <option value=t.clone()>{t.clone()}</option> }).collect_view()}
                    </select>
                </label>
                <label>"Data "
                    <select data-test="tx-fixture" prop:value=move || tx.fixture.get()
                        on:change=move |ev| { tx.fixture.set(event_target_value(&ev)); tx.refresh_preview(core); }>
                        {move || fixtures().into_iter().map(|f| view! { <option value=f.clone()>{f.clone()}</option> }).collect_view()}
                    </select>
                </label>
                <label>"Locale "
                    <select data-test="tx-preview-locale" prop:value=move || tx.preview_locale.get()
                        on:change=move |ev| on_locale(event_target_value(&ev))>
                        {move || locales().into_iter().map(|(l, pseudo)| {
                            let mut label = l.tag.clone();
                            if pseudo { label.push_str(" (pseudo)"); }
                            if l.dir == "rtl" { label.push_str(" · rtl"); }
                            view! { <option value=l.tag.clone() class:pseudo=pseudo>{label}</option> }
                        }).collect_view()}
                    </select>
                </label>
                {move || (!is_pseudo()).then(|| view! {
                    <button data-test="tx-override"
                        title="A body.<locale>.mjml for this template: its own layout or wording in this locale"
                        on:click=move |_| tx.open_override(core)>
                        {move || if has_override() { format!("Open {} override", tx.preview_locale.get()) } else { format!("Create {} override", tx.preview_locale.get()) }}
                    </button>
                })}
            </div>
            {move || unused().then(|| view! { <div class="notice">"No template uses this key through t(\"…\"): showing another template."</div> })}
            {move || is_pseudo().then(|| view! { <div class="notice pseudo-note" data-test="tx-pseudo-note">"Pseudo-locale: generated from the source text to spot truncation and untranslated strings; never saved or synced."</div> })}
            <div class="inbox" dir=move || field(|p| p.dir.clone())>
                <div class="subject" data-test="tx-subject">{move || field(|p| p.subject.clone())}</div>
                <div class="preheader">{move || field(|p| p.preheader.clone())}</div>
            </div>
            <div class="frame">
                <div class="frame-box">
                    <iframe title="Email preview in the cell's locale" data-test="tx-preview" node_ref=frame
                        sandbox="allow-same-origin" referrerpolicy="no-referrer"></iframe>
                    <div class="pick-layer" data-test="tx-pick" title="Click text to find its key"
                        on:click=on_pick on:wheel=on_wheel on:mousemove=on_hover on:mouseleave=on_leave></div>
                </div>
            </div>
        </section>
    }
}

#[component]
fn ImportReportView(report: ImportReport) -> impl IntoView {
    let tx = expect_context::<Translations>();
    let format = match report.format {
        ExchangeFormat::Xliff => "XLIFF",
        ExchangeFormat::Po => "PO",
    };
    let title = if report.applied {
        format!("Imported {} ({format})", report.locale)
    } else {
        format!("Nothing written: {} ({format}) was rejected", report.locale)
    };
    let counts = format!(
        "{} changed, {} unchanged, {} untranslated, {} rejected",
        report.changed.len(),
        report.unchanged,
        report.untranslated,
        report.rejected.len()
    );
    view! {
        <div class="import-report" class:rejected=!report.applied data-test="import-report">
            <div class="report-head">
                <strong>{title}</strong>" "<span>{counts}</span>
                <button class="dismiss" on:click=move |_| tx.report.set(None)>"×"</button>
            </div>
            <ul class="changed">
                {report.changed.into_iter().map(|c| view! {
                    <li><code>{c.key}</code>": "<del>{c.before.unwrap_or_default()}</del>" → "<ins>{c.after}</ins></li>
                }).collect_view()}
            </ul>
            <ul class="rejections">
                {report.rejected.into_iter().map(|r| {
                    let place = r.location.map(|l| format!(" ({l})")).unwrap_or_default();
                    view! {
                        <li><code>{r.key.unwrap_or_default()}</code>" "<strong>{reject_label(r.reason)}</strong>": "{r.message}{place}</li>
                    }
                }).collect_view()}
            </ul>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::cell_after_key;

    #[test]
    fn arrow_keys_move_between_cells_and_stop_at_the_edges() {
        let rows = ["a", "b", "c"];
        let locales = ["en", "de"];
        let at = |k, cur| cell_after_key(k, cur, &rows, &locales);
        assert_eq!(at("ArrowDown", None), Some((0, 0)));
        assert_eq!(at("ArrowDown", Some(("a", "de"))), Some((1, 1)));
        assert_eq!(at("ArrowDown", Some(("c", "de"))), Some((2, 1)));
        assert_eq!(at("ArrowUp", Some(("a", "en"))), Some((0, 0)));
        assert_eq!(at("ArrowRight", Some(("b", "en"))), Some((1, 1)));
        assert_eq!(at("ArrowRight", Some(("b", "de"))), Some((1, 1)));
        assert_eq!(at("ArrowLeft", Some(("b", "de"))), Some((1, 0)));
        assert_eq!(at("Home", Some(("b", "de"))), Some((1, 0)));
        assert_eq!(at("End", Some(("b", "en"))), Some((1, 1)));
        assert_eq!(at("PageDown", Some(("a", "en"))), Some((2, 0)));
        assert_eq!(at("x", Some(("a", "en"))), None);
        // A selection the filter hides starts again at the first cell.
        assert_eq!(at("ArrowDown", Some(("gone", "en"))), Some((0, 0)));
        assert_eq!(cell_after_key("ArrowDown", None, &[], &locales), None);
    }
}
