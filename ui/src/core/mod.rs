//! The UI's core: the open project (snapshot), the documents in the editor, the preview,
//! diagnostics, and `project_epoch`, which screens watch to re-read what they show. It
//! imports no screen: each screen gets the core from the Leptos context and its methods take
//! it as an argument.

pub mod coalescer;
pub mod images;

use crate::ipc;
use coalescer::{Coalescer, Ticket};
use leptos::prelude::*;
use leptos::task::spawn_local;
use letterpress_protocol::commands::{
    ChooseProject, CloseRequested, CreateTemplate, DeleteTemplate, DuplicateFixture,
    DuplicateTemplate, EditAndPreview, EditDocument, FileChanged, GetConflictSides, GetPreferences,
    GetProjectSnapshot, MjmlSchema, NewProjectFromSample, OpenDocumentAt, OpenProject,
    PreviewAssets, Quit, RecentProjects, RenameTemplate, RenderPreview, ResolveConflict,
    SampleCopy, SaveDocument,
};
use letterpress_protocol::{
    Command, ConflictSides, Diagnostic, ElementLocation, FileEvent, IpcCode, IpcError, MenuCommand,
    Preferences, Preview, PreviewRequest, ProjectSnapshot, RecentProject, Resolution, VariantEntry,
};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Width {
    Desktop,
    Mobile,
}

/// The screen the workspace shows.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Templates in the editor beside the preview.
    Edit,
    /// The translators' locale grid beside the preview.
    Translate,
    /// Versions: history, comparisons, restore, publish, remotes.
    History,
    /// Published versions to a sending service: targets, plan, apply.
    Sync,
    /// What the sender did: the outbox per template × variant × locale and per day.
    Stats,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Html,
    Text,
}

/// What a preview request carries: the editor texts not sent yet (the newest per file) and
/// when the oldest of those keystrokes happened (for the latency record).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PreviewWork {
    /// Unsent editor texts by path.
    pub edits: BTreeMap<String, String>,
    /// The oldest unsent keystroke's time.
    pub typed_at: Option<f64>,
}

impl PreviewWork {
    /// Waiting work absorbs newer work: newer texts win per file, the oldest keystroke stays.
    fn absorb(waiting: &mut PreviewWork, newer: PreviewWork) {
        waiting.edits.extend(newer.edits);
        waiting.typed_at = waiting.typed_at.or(newer.typed_at);
    }
}

/// How long typing pauses before the preview is rendered again with the visual mapping's
/// markers (keystrokes render without them: one render, not two).
const IDLE_BEFORE_MARKERS_MS: u64 = 250;

/// An element selected in the preview (or under the editor's cursor): where it is in its
/// source. Its marker is found again in every render (file numbers change between renders).
#[derive(Debug, Clone, PartialEq)]
pub struct Selection {
    pub location: ElementLocation,
    /// Element names as the email nests it, outermost first (across layout, partials and
    /// template); empty when the email does not show it.
    pub crumbs: Vec<String>,
    /// How many boxes of the email it makes (a loop repeats it).
    pub instances: u32,
}

impl Core {
    /// `html` as the preview shows it: production image URLs replaced by the project's own
    /// files (the email itself is unchanged; nothing remote is loaded).
    pub fn with_local_images(self, html: &str) -> String {
        let replace = |shown: &mut String, images: &BTreeMap<String, String>| {
            for (url, data) in images {
                if shown.contains(url.as_str()) {
                    *shown = shown.replace(url.as_str(), data);
                }
            }
        };
        let mut shown = html.to_owned();
        self.assets.with(|assets| replace(&mut shown, assets));
        if self.remote_allowed.get() {
            self.remote_images
                .with(|remote| replace(&mut shown, remote));
        }
        shown
    }

    /// Fetches (through the app) the remote images of `html` not asked for yet, when the
    /// user allows remote images for the project; the preview shows them once they arrive.
    pub fn fetch_remote_images(self, html: &str) {
        use letterpress_protocol::commands::FetchRemoteImages;
        if !self.remote_allowed.get_untracked() {
            return;
        }
        let known = |url: &String| {
            self.assets.with_untracked(|a| a.contains_key(url))
                || self.remote_images.with_untracked(|r| r.contains_key(url))
                || self.remote_failed.with_untracked(|f| f.contains_key(url))
                || self.remote_pending.with_value(|p| p.contains(url))
        };
        let urls: Vec<String> = images::remote_image_urls(html)
            .into_iter()
            .filter(|u| !known(u))
            .collect();
        if urls.is_empty() {
            return;
        }
        // Asked once: renders meanwhile do not ask again.
        self.remote_pending
            .update_value(|p| p.extend(urls.iter().cloned()));
        spawn_local(async move {
            let asked = FetchRemoteImages { urls };
            let answer = ipc::call(&asked).await;
            self.remote_pending.update_value(|p| {
                for url in &asked.urls {
                    p.remove(url);
                }
            });
            match answer {
                Ok(fetched) => {
                    self.remote_failed.update(|f| f.extend(fetched.failed));
                    self.remote_images.update(|r| r.extend(fetched.images));
                }
                Err(e) => self.fail(&e),
            }
        });
    }

    /// Turns loading remote images for the project on or off (the user's choice, stored on
    /// this computer).
    pub fn allow_remote_images(self, allowed: bool) {
        use letterpress_protocol::commands::AllowRemoteImages;
        spawn_local(async move {
            match ipc::call(&AllowRemoteImages { allowed }).await {
                // The preview shows again and asks for the images it needs.
                Ok(now) => self.remote_allowed.set(now),
                Err(e) => self.fail(&e),
            }
        });
    }

    /// The marker (`F-N`) the current preview gives the element at `path`:`offset`.
    pub fn marker_of(self, path: &str, offset: usize) -> Option<String> {
        let file = self
            .mapped_files
            .with(|files| files.iter().position(|f| f == path))?;
        self.mapped_offsets
            .with_value(|m| m.by_source.get(&(file, offset)).cloned())
    }

    /// The source element of a marker of the current preview, as (path, offset).
    pub fn source_of(self, marker: &str) -> Option<(String, usize)> {
        let (file, _) = marker.split_once('-')?;
        let file: usize = file.parse().ok()?;
        let offset = self
            .mapped_offsets
            .with_value(|m| m.by_marker.get(marker).copied())?;
        let path = self.mapped_files.with(|files| files.get(file).cloned())?;
        Some((path, offset))
    }
}

/// The source offset of each marker of a preview, and the marker of each (file, offset).
#[derive(Debug, Default)]
struct MarkerOffsets {
    by_marker: std::collections::HashMap<String, usize>,
    by_source: std::collections::HashMap<(usize, usize), String>,
}

impl MarkerOffsets {
    fn new(offsets: &BTreeMap<String, usize>) -> MarkerOffsets {
        let by_source = offsets
            .iter()
            .filter_map(|(marker, &offset)| {
                let file = marker.split_once('-')?.0.parse().ok()?;
                Some(((file, offset), marker.clone()))
            })
            .collect();
        MarkerOffsets {
            by_marker: offsets.iter().map(|(m, &o)| (m.clone(), o)).collect(),
            by_source,
        }
    }
}

/// The core state, as signals (Copy), so every handler can hold it.
#[derive(Clone, Copy)]
pub struct Core {
    pub snapshot: RwSignal<Option<ProjectSnapshot>>,
    pub template: RwSignal<String>,
    pub locale: RwSignal<String>,
    pub fixture: RwSignal<String>,
    /// The A/B variant previewed (empty: the template itself).
    pub variant: RwSignal<String>,
    pub doc_path: RwSignal<String>,
    pub dirty: RwSignal<BTreeSet<String>>,
    pub preview: RwSignal<Option<Preview>>,
    pub last_good_html: RwSignal<String>,
    /// The files the markers of `last_good_html` name (empty: shown without visual mapping).
    pub mapped_files: RwSignal<Vec<String>>,
    /// The last marked HTML the studio gave, whole, with its number: named in the next
    /// preview request so that answer carries only what changed.
    marked_base: StoredValue<Option<(u64, String)>>,
    /// Where the element of each marker of `last_good_html` starts, both ways.
    mapped_offsets: StoredValue<MarkerOffsets>,
    /// Markers of `last_good_html`'s opaque elements (left to the code).
    pub mapped_opaque: RwSignal<Vec<String>>,
    /// The element name of each marker of `last_good_html`.
    pub mapped_names: RwSignal<BTreeMap<String, String>>,
    /// Production image URLs → the project's files as `data:` URIs (`[assets]`), shown in
    /// the preview in their place.
    pub assets: RwSignal<BTreeMap<String, String>>,
    /// Whether the user lets the app load this project's remote images in the preview.
    pub remote_allowed: RwSignal<bool>,
    /// Remote image URLs → `data:` URIs the app fetched.
    pub remote_images: RwSignal<BTreeMap<String, String>>,
    /// Remote image URLs → why they are not shown.
    pub remote_failed: RwSignal<BTreeMap<String, String>>,
    /// Remote image URLs asked for and not answered yet.
    remote_pending: StoredValue<BTreeSet<String>>,
    /// The pending refresh that brings the markers back after typing.
    idle_refresh: StoredValue<Option<TimeoutHandle>, LocalStorage>,
    /// The shown document's text as the studio last took it (path, text): the next keystroke
    /// or visual edit is sent as a change of it.
    studio_text: StoredValue<Option<(String, String)>>,
    /// UI work of a visual edit that waits for the edit's preview (see `after_preview`).
    after_preview: StoredValue<Vec<Box<dyn FnOnce()>>, LocalStorage>,
    /// Resolvers of [`Core::edits_delivered`]'s promises, called once no edit waits.
    after_edits: StoredValue<Vec<js_sys::Function>, LocalStorage>,
    /// The next editor change is a visual action's (not typing): render it with markers.
    visual_edit: StoredValue<bool>,
    /// The element selected in the preview (or under the editor's cursor).
    pub selection: RwSignal<Option<Selection>>,
    /// What the last visual action did, or why it was refused (`true`), shown in the
    /// selection bar.
    pub visual_notice: RwSignal<Option<(String, bool)>>,
    /// The block library (basics and the project's `blocks/`).
    pub library: RwSignal<Vec<letterpress_protocol::LibraryBlock>>,
    pub problem: RwSignal<Option<String>>,
    pub conflict: RwSignal<Option<String>>,
    pub width: RwSignal<Width>,
    /// The code editor is hidden: the preview takes the width, with the selection's
    /// inspector beside it (a designer's layout).
    pub code_hidden: RwSignal<bool>,
    /// What the preview forces of the template's logic (branches, loop items): preview only.
    pub logic: RwSignal<letterpress_protocol::PreviewLogic>,
    /// Layouts and partials the designer chose to edit from a template's visual view ("Edit
    /// here — affects N"); every other shared file is locked there.
    pub unlocked: RwSignal<BTreeSet<String>>,
    /// A dark-mode preview (`None`: light).
    pub dark: RwSignal<Option<letterpress_protocol::DarkMode>>,
    pub tab: RwSignal<Tab>,
    pub editor: RwSignal<Option<u32>>,
    /// Name typed in the template form (new, duplicate, rename).
    pub new_name: RwSignal<String>,
    /// The template awaiting delete confirmation.
    pub confirm_delete: RwSignal<Option<String>>,
    /// Projects opened before on this computer.
    pub recent: RwSignal<Vec<RecentProject>>,
    /// No project is open: the welcome screen is shown.
    pub welcome: RwSignal<bool>,
    /// Where the sample copy is (the sidebar offers "Reset sample…" while it is open).
    pub sample_copy: RwSignal<Option<String>>,
    /// "Reset sample…" asks first.
    pub confirm_reset_sample: RwSignal<bool>,
    /// The user's preferences as stored (`None` until read).
    pub preferences: RwSignal<Option<Preferences>>,
    /// The Preferences dialog is open.
    pub preferences_open: RwSignal<bool>,
    /// Files with unsaved changes when the window was asked to close.
    pub closing: RwSignal<Option<Vec<String>>>,
    pub schema: RwSignal<Option<BTreeMap<String, Option<Vec<String>>>>>,
    /// Bumped whenever the project's files or the project itself changed (a new snapshot):
    /// screens watch it to re-read what they show.
    pub project_epoch: RwSignal<u64>,
    /// The editor's live preview: keystrokes and refreshes, coalesced.
    previews: StoredValue<Coalescer<PreviewWork>>,
    /// The diagnostics the editor shows now, and for which file.
    pub editor_diagnostics: StoredValue<(String, Vec<EditorDiagnostic>)>,
    /// Sequence number of the newest `open`; older answers are dropped.
    pub open_seq: StoredValue<u64>,
    /// Both sides of the conflict being compared.
    pub compare: RwSignal<Option<ConflictSides>>,
    /// Name typed for a new fixture copied from the current one (`None`: form closed).
    pub new_fixture: RwSignal<Option<String>>,
    /// The screen shown.
    pub mode: RwSignal<Mode>,
}

pub fn language_of(path: &str) -> &'static str {
    if path.ends_with(".mjml") {
        "mjml"
    } else if path.ends_with(".json") {
        "json"
    } else if path.ends_with(".ftl") {
        "ftl"
    } else {
        "text"
    }
}

impl Core {
    pub fn new() -> Core {
        Core {
            snapshot: RwSignal::new(None),
            template: RwSignal::new(String::new()),
            locale: RwSignal::new(String::new()),
            fixture: RwSignal::new(String::new()),
            variant: RwSignal::new(String::new()),
            doc_path: RwSignal::new(String::new()),
            dirty: RwSignal::new(BTreeSet::new()),
            preview: RwSignal::new(None),
            last_good_html: RwSignal::new(String::new()),
            mapped_files: RwSignal::new(Vec::new()),
            mapped_names: RwSignal::new(BTreeMap::new()),
            mapped_offsets: StoredValue::new(MarkerOffsets::default()),
            marked_base: StoredValue::new(None),
            mapped_opaque: RwSignal::new(Vec::new()),
            selection: RwSignal::new(None),
            idle_refresh: StoredValue::new_local(None),
            after_preview: StoredValue::new_local(Vec::new()),
            after_edits: StoredValue::new_local(Vec::new()),
            studio_text: StoredValue::new(None),
            visual_edit: StoredValue::new(false),
            assets: RwSignal::new(BTreeMap::new()),
            remote_allowed: RwSignal::new(false),
            remote_images: RwSignal::new(BTreeMap::new()),
            remote_failed: RwSignal::new(BTreeMap::new()),
            remote_pending: StoredValue::new(BTreeSet::new()),
            visual_notice: RwSignal::new(None),
            library: RwSignal::new(Vec::new()),
            problem: RwSignal::new(None),
            conflict: RwSignal::new(None),
            width: RwSignal::new(Width::Desktop),
            code_hidden: RwSignal::new(false),
            logic: RwSignal::new(Default::default()),
            dark: RwSignal::new(None),
            unlocked: RwSignal::new(BTreeSet::new()),
            tab: RwSignal::new(Tab::Html),
            editor: RwSignal::new(None),
            new_name: RwSignal::new(String::new()),
            confirm_delete: RwSignal::new(None),
            closing: RwSignal::new(None),
            recent: RwSignal::new(Vec::new()),
            welcome: RwSignal::new(false),
            sample_copy: RwSignal::new(None),
            confirm_reset_sample: RwSignal::new(false),
            preferences: RwSignal::new(None),
            preferences_open: RwSignal::new(false),
            schema: RwSignal::new(None),
            project_epoch: RwSignal::new(0),
            previews: StoredValue::new(Coalescer::merging(PreviewWork::absorb)),
            open_seq: StoredValue::new(0),
            editor_diagnostics: StoredValue::new((String::new(), Vec::new())),
            compare: RwSignal::new(None),
            new_fixture: RwSignal::new(None),
            mode: RwSignal::new(Mode::Edit),
        }
    }

    pub fn fail(self, e: &IpcError) {
        self.problem.set(Some(e.to_string()));
    }

    pub fn start(self) {
        spawn_local(async move {
            match ipc::call(&MjmlSchema {}).await {
                Ok(schema) => self.schema.set(Some(schema)),
                Err(e) => self.fail(&e),
            }
            match ipc::call(&OpenProject { path: None }).await {
                Ok(snapshot) => {
                    self.locale.set(snapshot.default_locale.clone());
                    let first = snapshot.templates.first().map(|t| t.id.clone());
                    self.set_snapshot(snapshot);
                    // The first template, unless one was chosen meanwhile.
                    if let Some(id) = first
                        && self.template.get_untracked().is_empty()
                    {
                        self.select_template(&id);
                    }
                    self.load_recent();
                }
                // Started without a folder: the welcome screen.
                Err(e) if e.code == IpcCode::NoProject => {
                    self.welcome.set(true);
                    self.load_recent();
                }
                Err(e) => self.fail(&e),
            }
            // After the project: nothing delays opening it.
            if let Ok(p) = ipc::call(&GetPreferences {}).await {
                self.apply_preferences(p);
            }
            ipc::listen::<FileChanged>(move |event| self.on_file_event(event)).await;
            ipc::listen::<CloseRequested>(move |dirty| self.closing.set(Some(dirty))).await;
        });
    }

    /// A new snapshot of the project: screens re-read what they show (`project_epoch`).
    pub fn set_snapshot(self, snapshot: ProjectSnapshot) {
        self.snapshot.set(Some(snapshot));
        self.project_epoch.update(|e| *e += 1);
        spawn_local(async move {
            use letterpress_protocol::commands::RemoteImagesAllowed;
            if let Ok(assets) = ipc::call(&PreviewAssets {}).await {
                self.assets.set(assets);
            }
            if let Ok(allowed) = ipc::call(&RemoteImagesAllowed {}).await {
                self.remote_allowed.set(allowed);
            }
        });
    }

    /// Reads the snapshot again (after a change the watcher reports later).
    pub async fn reload_snapshot(self) {
        match ipc::call(&GetProjectSnapshot {}).await {
            Ok(s) => self.set_snapshot(s),
            Err(e) => self.fail(&e),
        }
    }

    /// Makes `id` the previewed template, keeping the fixture when it has one of that name.
    pub fn use_template(self, id: &str) {
        let fixtures = self.snapshot.with_untracked(|s| {
            s.as_ref()
                .and_then(|s| s.templates.iter().find(|t| t.id == id))
                .map(|t| t.fixtures.clone())
                .unwrap_or_default()
        });
        let variants: Vec<String> = self.snapshot.with_untracked(|s| {
            s.as_ref()
                .and_then(|s| s.templates.iter().find(|t| t.id == id))
                .map(|t| t.variants.iter().map(|v| v.name.clone()).collect())
                .unwrap_or_default()
        });
        if !variants.contains(&self.variant.get_untracked()) {
            self.variant.set(String::new());
        }
        self.template.set(id.to_owned());
        if !fixtures.contains(&self.fixture.get_untracked()) {
            self.fixture
                .set(fixtures.first().cloned().unwrap_or_default());
        }
    }

    pub fn select_template(self, id: &str) {
        self.use_template(id);
        self.open(&format!("templates/{id}/body.mjml"), None);
    }

    /// Replaces the editor's text (a fresh editor state: its diagnostics are gone too).
    fn set_editor_doc(self, handle: u32, text: &str) {
        ipc::editor_set_doc(handle, text);
        self.editor_diagnostics
            .set_value((String::new(), Vec::new()));
    }

    /// Opens a file in the editor, then optionally moves the cursor. When several opens
    /// overlap (quick clicks), only the newest one is shown.
    pub fn open(self, path: &str, goto: Option<(u32, u32)>) {
        self.open_with(path, goto, true);
    }

    /// [`Core::open`] for a selection in the preview: the cursor moves to `at` without taking
    /// the focus (a double-click goes on to type in the preview).
    pub fn open_revealing(self, path: &str, at: (u32, u32)) {
        self.open_with(path, Some(at), false);
    }

    fn open_with(self, path: &str, goto: Option<(u32, u32)>, focus: bool) {
        self.mode.set(Mode::Edit);
        let path = path.to_owned();
        if focus && !path.starts_with("templates/") {
            // Opened on purpose (not by selecting one of its elements in a template's
            // preview): the visual view may change it.
            self.unlocked.update(|u| {
                u.insert(path.clone());
            });
        }
        let seq = self.open_seq.get_value() + 1;
        self.open_seq.set_value(seq);
        spawn_local(async move {
            match ipc::call(&OpenDocumentAt { path }).await {
                Ok(_) if self.open_seq.get_value() != seq => {}
                Ok(doc) => {
                    self.doc_path.set(doc.path.clone());
                    if let Some(h) = self.editor.get_untracked() {
                        ipc::editor_set_language(h, language_of(&doc.path));
                        self.set_editor_doc(h, &doc.text);
                        match goto {
                            Some((line, column)) if focus => ipc::editor_goto(h, line, column),
                            Some((line, column)) => ipc::editor_reveal(h, line, column),
                            None => {}
                        }
                    }
                    self.refresh();
                }
                Err(e) => self.fail(&e),
            }
        });
    }

    /// Every keystroke: the buffer goes to the studio, which renders it in the same call.
    /// While one round trip is under way, further keystrokes are coalesced: only the newest
    /// text is sent when it returns, so the preview never falls behind the typing.
    pub fn on_edit(self, text: String) {
        let path = self.doc_path.get_untracked();
        if path.is_empty() {
            return;
        }
        // Only a change of the dirty set notifies (title, markers), not every keystroke.
        if !self.dirty.with_untracked(|d| d.contains(&path)) {
            self.dirty.update(|d| {
                d.insert(path.clone());
            });
        }
        // A visual action's edit renders with the markers at once (the designer goes on
        // clicking); typing renders without them until it pauses.
        let visual = self
            .visual_edit
            .try_update_value(std::mem::take)
            .unwrap_or(false);
        let work = PreviewWork {
            edits: BTreeMap::from([(path, text)]),
            typed_at: (!visual).then(ipc::now_ms),
        };
        if let Some(ticket) = self.previews.try_update_value(|c| c.offer(work)).flatten() {
            self.send_preview(ticket);
        }
        if visual {
            return;
        }
        // Markers for the visual mapping once typing pauses.
        if let Some(previous) = self.idle_refresh.try_update_value(Option::take).flatten() {
            previous.clear();
        }
        let handle = set_timeout_with_handle(
            move || self.refresh(),
            std::time::Duration::from_millis(IDLE_BEFORE_MARKERS_MS),
        );
        self.idle_refresh.set_value(handle.ok());
    }

    /// The editor's next change comes from a visual action (see `on_edit`); `false` undoes
    /// the announcement when the action was not applied.
    pub fn expect_visual_edit(self, expected: bool) {
        self.visual_edit.set_value(expected);
    }

    pub fn preview_request(self) -> PreviewRequest {
        PreviewRequest {
            template: self.template.get_untracked(),
            locale: self.locale.get_untracked(),
            fixture: self.fixture.get_untracked(),
            // Deriving the text part is half a render: only while it is shown.
            text: self.tab.get_untracked() == Tab::Text,
            markers: true,
            logic: self.logic.get_untracked(),
            dark: self.dark.get_untracked(),
            variant: Some(self.variant.get_untracked()).filter(|v| !v.is_empty()),
        }
    }

    /// The variants of the template shown (empty when it has none).
    pub fn variants(self) -> Vec<VariantEntry> {
        let template = self.template.get();
        self.snapshot.with(|s| {
            s.as_ref()
                .and_then(|s| s.templates.iter().find(|t| t.id == template))
                .map(|t| t.variants.clone())
                .unwrap_or_default()
        })
    }

    /// Previews `variant` of the template shown (empty or `a`: the template itself), and
    /// opens its body when it has one of its own and a body of the template is open.
    pub fn use_variant(self, variant: &str) {
        let template = self.template.get_untracked();
        let body_of = |name: &str| {
            self.snapshot.with_untracked(|s| {
                s.as_ref()
                    .and_then(|s| s.templates.iter().find(|t| t.id == template))
                    .and_then(|t| t.variants.iter().find(|v| v.name == name))
                    .and_then(|v| v.body.clone())
            })
        };
        let main_body = format!("templates/{template}/body.mjml");
        let open = self.doc_path.get_untracked();
        let before = body_of(&self.variant.get_untracked()).unwrap_or_else(|| main_body.clone());
        let variant = if variant == "a" { "" } else { variant };
        self.variant.set(variant.to_owned());
        let after = body_of(variant).unwrap_or(main_body);
        if open == before && after != before {
            self.open(&after, None);
        } else {
            self.refresh();
        }
    }

    /// Shows the HTML or the text part; the text part is rendered when it is shown.
    pub fn show_tab(self, tab: Tab) {
        if self.tab.get_untracked() != tab {
            self.tab.set(tab);
            if tab == Tab::Text {
                self.refresh();
            }
        }
    }

    /// Sends one coalesced request: the unsent edits (the shown document's with its render,
    /// files left meanwhile only stored), or a plain render; then what waited meanwhile.
    fn send_preview(self, ticket: Ticket<PreviewWork>) {
        let Ticket { seq, work } = ticket;
        let PreviewWork {
            mut edits,
            typed_at,
        } = work;
        let mut request = self.preview_request();
        // While typing, the preview comes without the visual mapping's markers (a second
        // render); they follow once typing pauses (`on_edit`'s idle refresh).
        request.markers = typed_at.is_none();
        let shown_path = self.doc_path.get_untracked();
        let shown = edits.remove(&shown_path);
        let base = self
            .marked_base
            .with_value(|b| b.as_ref().map(|(id, _)| *id));
        spawn_local(async move {
            let sent_at = ipc::now_ms();
            let mut answer: Result<Option<Preview>, IpcError> = Ok(None);
            for (path, text) in edits {
                if let Err(e) = ipc::call(&EditDocument { path, text }).await {
                    answer = Err(e);
                }
            }
            let rendered = match shown {
                Some(text) if request.template.is_empty() => ipc::call(&EditDocument {
                    path: shown_path,
                    text,
                })
                .await
                .map(|()| None),
                Some(text) => self
                    .edit_and_preview(shown_path, text, request, base)
                    .await
                    .map(Some),
                None if request.template.is_empty() => Ok(None),
                None => ipc::call(&RenderPreview {
                    request,
                    shown: base,
                })
                .await
                .map(Some),
            };
            let answer = answer.and(rendered);
            // A marked answer that is a change of the last one: made whole (and kept as the
            // base of the next), whether it is shown or not.
            let (answer, broken) = match answer {
                Ok(Some(p)) => match self.made_whole(p) {
                    Some(p) => (Ok(Some(p)), false),
                    None => (Ok(None), true),
                },
                other => (other, false),
            };
            if typed_at.is_some() {
                // The round trip alone (IPC both ways + render), next to the full latency.
                ipc::record_timing("__letterpressRoundTrips", ipc::now_ms() - sent_at);
            } else {
                // A marked preview (a visual edit's, or a refresh): its round trip.
                ipc::record_timing("__letterpressMarkedTrips", ipc::now_ms() - sent_at);
            }
            let settled = self.previews.try_update_value(|c| c.settle(seq));
            let (show, next) = settled.map_or((false, None), |s| (s.show, s.next));
            match answer {
                Ok(Some(p)) if show => self.show(p, typed_at),
                Ok(_) => {}
                Err(e) => self.fail(&e),
            }
            if let Some(next) = next {
                self.send_preview(next);
            } else if broken {
                self.refresh();
            }
            let waiting = self
                .after_preview
                .try_update_value(std::mem::take)
                .unwrap_or_default();
            for then in waiting {
                then();
            }
            if self.previews.with_value(Coalescer::is_idle) {
                let delivered = self
                    .after_edits
                    .try_update_value(std::mem::take)
                    .unwrap_or_default();
                for resolve in delivered {
                    // A resolver cannot fail: what it resolves is awaited by our own code.
                    let _ = resolve.call0(&wasm_bindgen::JsValue::NULL);
                }
            }
        });
    }

    /// Resolves once every edit typed so far has reached the studio (at once when none is
    /// on its way). An operation that works from the studio's buffers (save a version,
    /// restore, pull, send a test) awaits it first: the last keystrokes may still wait
    /// behind a preview round trip, and the operation must see them (or refuse for them).
    pub async fn edits_delivered(self) {
        if self.previews.with_value(Coalescer::is_idle) {
            return;
        }
        let promise = js_sys::Promise::new(&mut |resolve, _reject| {
            self.after_edits
                .update_value(|waiting| waiting.push(resolve));
        });
        // The promise is only ever resolved (never rejected).
        let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
    }

    /// `EditAndPreview` of the shown document: its text as a change of the one the studio
    /// took last (a few bytes instead of the whole text), or whole when there is none or the
    /// studio holds another (`stale-text`).
    async fn edit_and_preview(
        self,
        path: String,
        text: String,
        request: PreviewRequest,
        shown: Option<u64>,
    ) -> Result<Preview, IpcError> {
        use letterpress_protocol::DocumentChange;
        let change = self.studio_text.with_value(|held| {
            held.as_ref()
                .filter(|(p, _)| *p == path)
                .map(|(_, before)| DocumentChange::between(before, &text))
        });
        let mut answer = None;
        if let Some(change) = change {
            let asked = EditAndPreview {
                path: path.clone(),
                text: String::new(),
                change: Some(change),
                request: request.clone(),
                shown,
            };
            match ipc::call(&asked).await {
                Err(e) if e.code == IpcCode::StaleText => {}
                other => answer = Some(other),
            }
        }
        let answer = match answer {
            Some(answer) => answer,
            None => {
                let asked = EditAndPreview {
                    path: path.clone(),
                    text: text.clone(),
                    change: None,
                    request,
                    shown,
                };
                ipc::call(&asked).await
            }
        };
        let held = answer.is_ok().then_some((path, text));
        self.studio_text.set_value(held);
        answer
    }

    /// Runs `then` once the next preview answer has come (the visual edit's own, unless one
    /// was already on its way): the UI work of a visual edit (selection, breadcrumbs, the
    /// panels and their requests) then sees the new preview's markers, and never delays that
    /// preview's request or its patch.
    pub fn after_preview(self, then: impl FnOnce() + 'static) {
        self.after_preview
            .update_value(|waiting| waiting.push(Box::new(then)));
    }

    /// `p` with its marked HTML whole (a [`letterpress_protocol::HtmlDelta`] applied to the
    /// base it names), remembered as the next base; `None` when the base it names is not the
    /// one kept (the base is then forgotten, so the next request asks for the whole email).
    fn made_whole(self, mut p: Preview) -> Option<Preview> {
        let Some(mapping) = p.mapping.as_mut() else {
            return Some(p);
        };
        if let Some(delta) = mapping.delta.take() {
            let whole = self.marked_base.with_value(|b| {
                b.as_ref()
                    .filter(|(id, _)| *id == delta.base)
                    .and_then(|(_, base)| delta.apply(base, &mapping.html))
            });
            match whole {
                Some(whole) => mapping.html = whole,
                None => {
                    self.marked_base.set_value(None);
                    return None;
                }
            }
        }
        self.marked_base
            .set_value(Some((mapping.id, mapping.html.clone())));
        Some(p)
    }

    /// Renders the preview again (another template, locale, fixture, or the files changed);
    /// an answer still on its way for the previous state is not shown.
    pub fn refresh(self) {
        let work = PreviewWork::default();
        if let Some(ticket) = self
            .previews
            .try_update_value(|c| c.supersede(work))
            .flatten()
        {
            self.send_preview(ticket);
        }
    }

    /// Shows a render; `typed_at` is the keystroke it answers, for the latency record.
    pub fn show(self, p: Preview, typed_at: Option<f64>) {
        let shown_at = ipc::now_ms();
        if p.is_ok() {
            match &p.mapping {
                Some(m) => {
                    self.mapped_offsets
                        .set_value(MarkerOffsets::new(&m.offsets));
                    self.mapped_files.set(m.files.clone());
                    self.mapped_names.set(m.names.clone());
                    self.mapped_opaque.set(m.opaque.clone());
                    self.last_good_html.set(m.html.clone());
                }
                // A keystroke's preview comes without markers (see `send_preview`): the
                // mapping of the last marked one stays until the idle refresh brings markers.
                None if typed_at.is_some() => self.last_good_html.set(p.html.clone()),
                None => {
                    self.mapped_offsets.set_value(MarkerOffsets::default());
                    self.mapped_files.set(Vec::new());
                    self.mapped_names.set(BTreeMap::new());
                    self.mapped_opaque.set(Vec::new());
                    self.last_good_html.set(p.html.clone());
                }
            }
            self.problem.set(None);
        }
        let path = self.doc_path.get_untracked();
        if let Some(h) = self.editor.get_untracked() {
            let here: Vec<EditorDiagnostic> = p
                .diagnostics
                .iter()
                .filter_map(|d| {
                    let loc = d.location.as_ref().filter(|l| l.file == path)?;
                    Some(EditorDiagnostic {
                        line: loc.line,
                        column: loc.column,
                        severity: if d.is_error() { "error" } else { "warning" },
                        message: d.message.clone(),
                        code: d.code.as_str(),
                    })
                })
                .collect();
            // Most keystrokes change no diagnostic: leave the editor alone then.
            let shown = (path.clone(), here.clone());
            if self.editor_diagnostics.with_value(|d| d != &shown)
                && let Ok(list) = serde_wasm_bindgen::to_value(&here)
            {
                ipc::editor_set_diagnostics(h, &list);
                self.editor_diagnostics.set_value(shown);
            }
        }
        let engine_ms = p.engine_micros as f64 / 1000.0;
        self.preview.set(Some(p));
        if let Some(t0) = typed_at {
            // Measured at the next animation frame: the preview document has been patched
            // (synchronously, by the effect that follows `last_good_html`) and the frame that
            // paints it is due, so the figure covers IPC, render and the DOM update.
            request_animation_frame(move || {
                ipc::record_timing("__letterpressFrameWaits", ipc::now_ms() - shown_at);
                ipc::record_timing("__letterpressTimings", ipc::now_ms() - t0);
                ipc::record_timing("__letterpressEngineTimings", engine_ms);
            });
        }
    }

    /// A command from the native menu or its shortcut (the app routes Save to the screen
    /// shown).
    pub fn on_menu(self, command: MenuCommand) {
        match command {
            MenuCommand::Save => self.save(),
            MenuCommand::SaveAll => self.save_all(),
            MenuCommand::OpenProject => self.switch_project(ChooseProject {}),
            MenuCommand::NewProject => self.switch_project(NewProjectFromSample {}),
            MenuCommand::DesktopWidth => self.width.set(Width::Desktop),
            MenuCommand::MobileWidth => self.width.set(Width::Mobile),
            MenuCommand::ShowHtml => self.show_tab(Tab::Html),
            MenuCommand::ShowText => self.show_tab(Tab::Text),
        }
    }

    /// Saves every file with unsaved edits; stops at the first conflict and shows it.
    pub fn save_all(self) {
        let dirty: Vec<String> = self.dirty.get_untracked().into_iter().collect();
        spawn_local(async move {
            for path in dirty {
                let text = self.editor_text_of(&path);
                let save = SaveDocument {
                    path: path.clone(),
                    text,
                };
                match ipc::call(&save).await {
                    Ok(()) => self.dirty.update(|d| {
                        d.remove(&path);
                    }),
                    Err(e) if e.code == IpcCode::SaveConflict => {
                        self.conflict.set(Some(path));
                        return;
                    }
                    Err(e) => {
                        self.fail(&e);
                        return;
                    }
                }
            }
            self.refresh();
        });
    }

    /// The editor's text when `path` is the document it shows (what a save must write).
    fn editor_text_of(self, path: &str) -> Option<String> {
        (path == self.doc_path.get_untracked())
            .then(|| self.editor.get_untracked().map(ipc::editor_get_doc))
            .flatten()
    }

    /// Saves the editor's document with the text it shows now.
    pub fn save(self) {
        let path = self.doc_path.get_untracked();
        if path.is_empty() {
            return;
        }
        let text = self.editor_text_of(&path);
        spawn_local(async move {
            let save = SaveDocument {
                path: path.clone(),
                text,
            };
            match ipc::call(&save).await {
                Ok(()) => {
                    self.dirty.update(|d| {
                        d.remove(&path);
                    });
                    self.refresh();
                }
                Err(e) if e.code == IpcCode::SaveConflict => self.conflict.set(Some(path)),
                Err(e) => self.fail(&e),
            }
        });
    }

    pub fn resolve(self, resolution: Resolution) {
        let Some(path) = self.conflict.get_untracked() else {
            return;
        };
        spawn_local(async move {
            match ipc::call(&ResolveConflict { path, resolution }).await {
                Ok(doc) => {
                    self.conflict.set(None);
                    self.compare.set(None);
                    if let (Some(doc), Some(h)) = (doc, self.editor.get_untracked())
                        && doc.path == self.doc_path.get_untracked()
                    {
                        self.set_editor_doc(h, &doc.text);
                        if !doc.dirty {
                            self.dirty.update(|d| {
                                d.remove(&doc.path);
                            });
                        }
                    }
                    if resolution == Resolution::KeepMine {
                        self.save();
                    } else {
                        self.refresh();
                    }
                }
                Err(e) => self.fail(&e),
            }
        });
    }

    /// Switches to another project (`cmd` returns its snapshot, or `None` when cancelled).
    pub fn switch_project<C>(self, command: C)
    where
        C: Command + 'static,
        C::Output: Into<Option<ProjectSnapshot>>,
    {
        if !self.dirty.with_untracked(BTreeSet::is_empty) {
            self.problem.set(Some(
                "Save your changes before opening another project.".into(),
            ));
            return;
        }
        spawn_local(async move {
            match ipc::call(&command).await.map(Into::into) {
                Ok(Some(snapshot)) => {
                    self.locale.set(snapshot.default_locale.clone());
                    let first = snapshot.templates.first().map(|t| t.id.clone());
                    self.fixture.set(String::new());
                    self.variant.set(String::new());
                    self.set_snapshot(snapshot);
                    self.problem.set(None);
                    self.welcome.set(false);
                    self.confirm_reset_sample.set(false);
                    if first.is_none() {
                        // An empty project: nothing to edit yet.
                        self.template.set(String::new());
                        self.doc_path.set(String::new());
                        if let Some(h) = self.editor.get_untracked() {
                            self.set_editor_doc(h, "");
                        }
                    }
                    if let Some(id) = first {
                        self.select_template(&id);
                    }
                    self.load_recent();
                }
                Ok(None) => {}
                Err(e) => self.fail(&e),
            }
        });
    }

    pub fn load_recent(self) {
        spawn_local(async move {
            if let Ok(list) = ipc::call(&RecentProjects {}).await {
                self.recent.set(list);
            }
            if let Ok(copy) = ipc::call(&SampleCopy {}).await {
                self.sample_copy.set(copy);
            }
        });
    }

    /// Takes stored preferences: the editor's font size follows at once.
    pub fn apply_preferences(self, p: Preferences) {
        use wasm_bindgen::JsCast;
        if let Some(root) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.document_element())
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        {
            // A page without the property keeps the editor's default size.
            let _ = root
                .style()
                .set_property("--editor-font-size", &format!("{}px", p.editor_font_size));
        }
        self.preferences.set(Some(p));
    }

    /// The open project is the sample copy.
    pub fn is_sample_copy(self) -> bool {
        let copy = self.sample_copy.get();
        self.snapshot.with(|s| {
            s.as_ref()
                .is_some_and(|s| copy.as_deref() == Some(s.root.as_str()))
        })
    }

    /// Runs a template command that returns the new snapshot, then selects `select`.
    pub fn manage<C>(self, command: C, select: Option<String>)
    where
        C: Command<Output = ProjectSnapshot> + 'static,
    {
        spawn_local(async move {
            match ipc::call(&command).await {
                Ok(snapshot) => {
                    self.set_snapshot(snapshot);
                    self.new_name.set(String::new());
                    self.confirm_delete.set(None);
                    self.problem.set(None);
                    match select {
                        Some(id) => self.select_template(&id),
                        None => {
                            // Only move away when the shown template is gone (the person may
                            // have picked another one meanwhile).
                            let current = self.template.get_untracked();
                            let first = self.snapshot.with_untracked(|s| {
                                let s = s.as_ref()?;
                                if s.templates.iter().any(|t| t.id == current) {
                                    return None;
                                }
                                s.templates.first().map(|t| t.id.clone())
                            });
                            if let Some(id) = first {
                                self.select_template(&id);
                            }
                        }
                    }
                }
                Err(e) => self.fail(&e),
            }
        });
    }

    pub fn create_template(self) {
        let name = self.new_name.get_untracked();
        self.manage(CreateTemplate { id: name.clone() }, Some(name));
    }

    pub fn duplicate_template(self) {
        let (from, to) = (self.template.get_untracked(), self.new_name.get_untracked());
        self.manage(
            DuplicateTemplate {
                from,
                to: to.clone(),
            },
            Some(to),
        );
    }

    pub fn rename_template(self) {
        let (from, to) = (self.template.get_untracked(), self.new_name.get_untracked());
        self.manage(
            RenameTemplate {
                from,
                to: to.clone(),
            },
            Some(to),
        );
    }

    /// A new fixture copied from the current one (unsaved edits included), then opened.
    pub fn duplicate_fixture(self) {
        let Some(to) = self.new_fixture.get_untracked() else {
            return;
        };
        let template = self.template.get_untracked();
        let from = self.fixture.get_untracked();
        spawn_local(async move {
            let copy = DuplicateFixture {
                template,
                from,
                to: to.clone(),
            };
            match ipc::call(&copy).await {
                Ok((snapshot, path)) => {
                    self.set_snapshot(snapshot);
                    self.new_fixture.set(None);
                    self.problem.set(None);
                    self.fixture.set(to.clone());
                    self.open(&path, None);
                }
                Err(e) => self.fail(&e),
            }
        });
    }

    /// Opens the side-by-side comparison of the conflicting file.
    pub fn compare_conflict(self) {
        let Some(path) = self.conflict.get_untracked() else {
            return;
        };
        spawn_local(async move {
            match ipc::call(&GetConflictSides { path }).await {
                Ok(sides) => self.compare.set(Some(sides)),
                Err(e) => self.fail(&e),
            }
        });
    }

    pub fn delete_template(self, id: String) {
        self.manage(DeleteTemplate { id }, None);
    }

    /// Saves every dirty file (or none) and leaves. A failed save keeps the app open.
    pub fn quit(self, save: bool) {
        let dirty = self.closing.get_untracked().unwrap_or_default();
        spawn_local(async move {
            if save {
                for path in &dirty {
                    let text = self.editor_text_of(path);
                    let save = SaveDocument {
                        path: path.clone(),
                        text,
                    };
                    if let Err(e) = ipc::call(&save).await {
                        self.closing.set(None);
                        if e.code == IpcCode::SaveConflict {
                            self.conflict.set(Some(path.clone()));
                        }
                        self.fail(&e);
                        return;
                    }
                }
            }
            let _ = ipc::call(&Quit {}).await;
        });
    }

    pub fn on_file_event(self, event: FileEvent) {
        match event {
            FileEvent::Reloaded { path, text } => {
                if path == self.doc_path.get_untracked()
                    && let Some(h) = self.editor.get_untracked()
                {
                    self.set_editor_doc(h, &text);
                }
                self.dirty.update(|d| {
                    d.remove(&path);
                });
            }
            FileEvent::Conflict { path, .. } => self.conflict.set(Some(path)),
            FileEvent::Closed { path } => {
                if path == self.doc_path.get_untracked() {
                    self.problem
                        .set(Some(format!("{path} was deleted on disk")));
                }
            }
            // Shown from the snapshot (banner and Problems panel) until a reload succeeds;
            // the ProjectChanged of the same batch reads it again.
            FileEvent::ConfigInvalid { diagnostic } => self.snapshot.update(|s| {
                if let Some(s) = s {
                    s.config_problem = Some(diagnostic);
                }
            }),
            FileEvent::Unreadable { message, .. } => self.problem.set(Some(message)),
            FileEvent::ProjectChanged => {
                spawn_local(async move {
                    if let Ok(s) = ipc::call(&GetProjectSnapshot {}).await {
                        self.set_snapshot(s);
                    }
                    self.refresh();
                });
            }
        }
    }

    pub fn jump(self, d: &Diagnostic) {
        let Some(loc) = d.location.clone() else {
            return;
        };
        if loc.file == self.doc_path.get_untracked() {
            if let Some(h) = self.editor.get_untracked() {
                ipc::editor_goto(h, loc.line, loc.column);
            }
        } else {
            self.open(&loc.file, Some((loc.line, loc.column)));
        }
    }
}

#[derive(Serialize, Clone, PartialEq)]
pub struct EditorDiagnostic {
    pub line: u32,
    pub column: u32,
    pub severity: &'static str,
    pub message: String,
    pub code: &'static str,
}
