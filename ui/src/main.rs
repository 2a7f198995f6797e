//! Letterpress desktop UI: sidebar, editor, live preview, diagnostics.

mod ipc;

use leptos::html::Div;
use leptos::prelude::*;
use leptos::task::spawn_local;
use letterpress_protocol::{
    CLOSE_REQUESTED_EVENT, Diagnostic, FILE_EVENT, FileEvent, IpcError, OpenDocument, Preview,
    PreviewRequest, ProjectSnapshot, RecentProject, Resolution,
};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use wasm_bindgen::prelude::*;

fn main() {
    leptos::mount::mount_to_body(App);
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Width {
    Desktop,
    Mobile,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Tab {
    Html,
    Text,
}

#[derive(Serialize)]
struct NoArgs {}

#[derive(Serialize)]
struct PathArg<'a> {
    path: Option<&'a str>,
}

#[derive(Serialize)]
struct DocArg<'a> {
    path: &'a str,
}

#[derive(Serialize)]
struct EditArgs<'a> {
    path: &'a str,
    text: &'a str,
}

#[derive(Serialize)]
struct PreviewArgs<'a> {
    request: &'a PreviewRequest,
}

#[derive(Serialize)]
struct OwnedPath {
    path: Option<String>,
}

#[derive(Serialize)]
struct OwnedId {
    id: String,
}

#[derive(Serialize)]
struct OwnedFromTo {
    from: String,
    to: String,
}

#[derive(Serialize)]
struct ResolveArgs<'a> {
    path: &'a str,
    resolution: Resolution,
}

/// All UI state, as signals (Copy), so every handler can hold it.
#[derive(Clone, Copy)]
struct Ui {
    snapshot: RwSignal<Option<ProjectSnapshot>>,
    template: RwSignal<String>,
    locale: RwSignal<String>,
    fixture: RwSignal<String>,
    doc_path: RwSignal<String>,
    dirty: RwSignal<BTreeSet<String>>,
    preview: RwSignal<Option<Preview>>,
    last_good_html: RwSignal<String>,
    problem: RwSignal<Option<String>>,
    conflict: RwSignal<Option<String>>,
    width: RwSignal<Width>,
    tab: RwSignal<Tab>,
    editor: RwSignal<Option<u32>>,
    /// Name typed in the template form (new, duplicate, rename).
    new_name: RwSignal<String>,
    /// The template awaiting delete confirmation.
    confirm_delete: RwSignal<Option<String>>,
    /// Projects opened before on this computer.
    recent: RwSignal<Vec<RecentProject>>,
    /// Files with unsaved changes when the window was asked to close.
    closing: RwSignal<Option<Vec<String>>>,
    schema: RwSignal<Option<BTreeMap<String, Option<Vec<String>>>>>,
    /// Sequence number of the newest preview request; older answers are dropped.
    preview_seq: StoredValue<u64>,
    /// When the keystroke that asked for the pending preview happened.
    typed_at: StoredValue<Option<f64>>,
}

fn language_of(path: &str) -> &'static str {
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

impl Ui {
    fn new() -> Ui {
        Ui {
            snapshot: RwSignal::new(None),
            template: RwSignal::new(String::new()),
            locale: RwSignal::new(String::new()),
            fixture: RwSignal::new(String::new()),
            doc_path: RwSignal::new(String::new()),
            dirty: RwSignal::new(BTreeSet::new()),
            preview: RwSignal::new(None),
            last_good_html: RwSignal::new(String::new()),
            problem: RwSignal::new(None),
            conflict: RwSignal::new(None),
            width: RwSignal::new(Width::Desktop),
            tab: RwSignal::new(Tab::Html),
            editor: RwSignal::new(None),
            new_name: RwSignal::new(String::new()),
            confirm_delete: RwSignal::new(None),
            closing: RwSignal::new(None),
            recent: RwSignal::new(Vec::new()),
            schema: RwSignal::new(None),
            preview_seq: StoredValue::new(0),
            typed_at: StoredValue::new(None),
        }
    }

    fn fail(self, e: &IpcError) {
        self.problem.set(Some(e.to_string()));
    }

    fn start(self) {
        spawn_local(async move {
            match ipc::call::<_, BTreeMap<String, Option<Vec<String>>>>("mjml_schema", &NoArgs {})
                .await
            {
                Ok(schema) => self.schema.set(Some(schema)),
                Err(e) => self.fail(&e),
            }
            match ipc::call::<_, ProjectSnapshot>("open_project", &PathArg { path: None }).await {
                Ok(snapshot) => {
                    self.locale.set(snapshot.default_locale.clone());
                    let first = snapshot.templates.first().map(|t| t.id.clone());
                    self.snapshot.set(Some(snapshot));
                    if let Some(id) = first {
                        self.select_template(&id);
                    }
                    self.load_recent();
                }
                Err(e) => self.fail(&e),
            }
            ipc::listen(FILE_EVENT, move |event: FileEvent| {
                self.on_file_event(event)
            })
            .await;
            ipc::listen(CLOSE_REQUESTED_EVENT, move |dirty: Vec<String>| {
                self.closing.set(Some(dirty))
            })
            .await;
        });
    }

    fn select_template(self, id: &str) {
        let fixtures = self.snapshot.with_untracked(|s| {
            s.as_ref()
                .and_then(|s| s.templates.iter().find(|t| t.id == id))
                .map(|t| t.fixtures.clone())
                .unwrap_or_default()
        });
        self.template.set(id.to_owned());
        if !fixtures.contains(&self.fixture.get_untracked()) {
            self.fixture
                .set(fixtures.first().cloned().unwrap_or_default());
        }
        self.open(&format!("templates/{id}/body.mjml"), None);
    }

    /// Opens a file in the editor, then optionally moves the cursor.
    fn open(self, path: &str, goto: Option<(u32, u32)>) {
        let path = path.to_owned();
        spawn_local(async move {
            match ipc::call::<_, OpenDocument>("open_document", &DocArg { path: &path }).await {
                Ok(doc) => {
                    self.doc_path.set(doc.path.clone());
                    if let Some(h) = self.editor.get_untracked() {
                        ipc::editor_set_language(h, language_of(&doc.path));
                        ipc::editor_set_doc(h, &doc.text);
                        if let Some((line, column)) = goto {
                            ipc::editor_goto(h, line, column);
                        }
                    }
                    self.refresh();
                }
                Err(e) => self.fail(&e),
            }
        });
    }

    /// Every keystroke: hand the buffer to the studio and re-render the preview.
    fn on_edit(self, text: String) {
        let path = self.doc_path.get_untracked();
        if path.is_empty() {
            return;
        }
        self.typed_at.set_value(Some(ipc::now_ms()));
        self.dirty.update(|d| {
            d.insert(path.clone());
        });
        spawn_local(async move {
            if let Err(e) = ipc::call::<_, ()>(
                "edit_document",
                &EditArgs {
                    path: &path,
                    text: &text,
                },
            )
            .await
            {
                self.fail(&e);
                return;
            }
            self.refresh();
        });
    }

    fn refresh(self) {
        let request = PreviewRequest {
            template: self.template.get_untracked(),
            locale: self.locale.get_untracked(),
            fixture: self.fixture.get_untracked(),
        };
        if request.template.is_empty() {
            return;
        }
        let seq = self.preview_seq.get_value() + 1;
        self.preview_seq.set_value(seq);
        spawn_local(async move {
            match ipc::call::<_, Preview>("preview", &PreviewArgs { request: &request }).await {
                Ok(p) if self.preview_seq.get_value() == seq => self.show(p),
                Ok(_) => {}
                Err(e) => self.fail(&e),
            }
        });
    }

    fn show(self, p: Preview) {
        if p.is_ok() {
            self.last_good_html.set(p.html.clone());
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
            if let Ok(list) = serde_wasm_bindgen::to_value(&here) {
                ipc::editor_set_diagnostics(h, &list);
            }
        }
        self.preview.set(Some(p));
        if let Some(t0) = self.typed_at.get_value() {
            self.typed_at.set_value(None);
            // Measured at the next animation frame: the new srcdoc is in the DOM and the frame
            // that paints it is due, so the figure covers IPC, render and the DOM update.
            request_animation_frame(move || ipc::record_timing(ipc::now_ms() - t0));
        }
    }

    fn save(self) {
        let path = self.doc_path.get_untracked();
        spawn_local(async move {
            match ipc::call::<_, ()>("save_document", &DocArg { path: &path }).await {
                Ok(()) => {
                    self.dirty.update(|d| {
                        d.remove(&path);
                    });
                    self.refresh();
                }
                Err(e) if e.code == "save-conflict" => self.conflict.set(Some(path)),
                Err(e) => self.fail(&e),
            }
        });
    }

    fn resolve(self, resolution: Resolution) {
        let Some(path) = self.conflict.get_untracked() else {
            return;
        };
        spawn_local(async move {
            match ipc::call::<_, Option<OpenDocument>>(
                "resolve_conflict",
                &ResolveArgs {
                    path: &path,
                    resolution,
                },
            )
            .await
            {
                Ok(doc) => {
                    self.conflict.set(None);
                    if let (Some(doc), Some(h)) = (doc, self.editor.get_untracked())
                        && doc.path == self.doc_path.get_untracked()
                    {
                        ipc::editor_set_doc(h, &doc.text);
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
    fn switch_project<A: Serialize + 'static>(self, cmd: &'static str, args: A) {
        if !self.dirty.with_untracked(BTreeSet::is_empty) {
            self.problem.set(Some(
                "Save your changes before opening another project.".into(),
            ));
            return;
        }
        spawn_local(async move {
            match ipc::call::<_, Option<ProjectSnapshot>>(cmd, &args).await {
                Ok(Some(snapshot)) => {
                    self.locale.set(snapshot.default_locale.clone());
                    let first = snapshot.templates.first().map(|t| t.id.clone());
                    self.snapshot.set(Some(snapshot));
                    self.fixture.set(String::new());
                    self.problem.set(None);
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

    fn load_recent(self) {
        spawn_local(async move {
            if let Ok(list) =
                ipc::call::<_, Vec<RecentProject>>("recent_projects", &NoArgs {}).await
            {
                self.recent.set(list);
            }
        });
    }

    /// Runs a template command that returns the new snapshot, then selects `select`.
    fn manage<A: Serialize + 'static>(self, cmd: &'static str, args: A, select: Option<String>) {
        spawn_local(async move {
            match ipc::call::<_, ProjectSnapshot>(cmd, &args).await {
                Ok(snapshot) => {
                    self.snapshot.set(Some(snapshot));
                    self.new_name.set(String::new());
                    self.confirm_delete.set(None);
                    self.problem.set(None);
                    match select {
                        Some(id) => self.select_template(&id),
                        None => {
                            let first = self.snapshot.with_untracked(|s| {
                                s.as_ref()
                                    .and_then(|s| s.templates.first().map(|t| t.id.clone()))
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

    fn create_template(self) {
        let name = self.new_name.get_untracked();
        self.manage("create_template", OwnedId { id: name.clone() }, Some(name));
    }

    fn duplicate_template(self) {
        let (from, to) = (self.template.get_untracked(), self.new_name.get_untracked());
        self.manage(
            "duplicate_template",
            OwnedFromTo {
                from,
                to: to.clone(),
            },
            Some(to),
        );
    }

    fn rename_template(self) {
        let (from, to) = (self.template.get_untracked(), self.new_name.get_untracked());
        self.manage(
            "rename_template",
            OwnedFromTo {
                from,
                to: to.clone(),
            },
            Some(to),
        );
    }

    fn delete_template(self, id: String) {
        self.manage("delete_template", OwnedId { id }, None);
    }

    /// Saves every dirty file (or none) and leaves. A failed save keeps the app open.
    fn quit(self, save: bool) {
        let dirty = self.closing.get_untracked().unwrap_or_default();
        spawn_local(async move {
            if save {
                for path in &dirty {
                    if let Err(e) = ipc::call::<_, ()>("save_document", &DocArg { path }).await {
                        self.closing.set(None);
                        if e.code == "save-conflict" {
                            self.conflict.set(Some(path.clone()));
                        }
                        self.fail(&e);
                        return;
                    }
                }
            }
            let _ = ipc::call::<_, ()>("quit", &NoArgs {}).await;
        });
    }

    fn on_file_event(self, event: FileEvent) {
        match event {
            FileEvent::Reloaded { path, text } => {
                if path == self.doc_path.get_untracked()
                    && let Some(h) = self.editor.get_untracked()
                {
                    ipc::editor_set_doc(h, &text);
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
            FileEvent::ProjectChanged => {
                spawn_local(async move {
                    if let Ok(s) =
                        ipc::call::<_, ProjectSnapshot>("project_snapshot", &NoArgs {}).await
                    {
                        self.snapshot.set(Some(s));
                    }
                    self.refresh();
                });
            }
        }
    }

    fn jump(self, d: &Diagnostic) {
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

#[derive(Serialize)]
struct EditorDiagnostic {
    line: u32,
    column: u32,
    severity: &'static str,
    message: String,
    code: &'static str,
}

#[component]
fn App() -> impl IntoView {
    let ui = Ui::new();
    ui.start();

    let editor_ref = NodeRef::<Div>::new();
    Effect::new(move |_| {
        let (Some(el), Some(schema)) = (editor_ref.get(), ui.schema.get()) else {
            return;
        };
        if ui.editor.get_untracked().is_some() {
            return;
        }
        let options = js_sys::Object::new();
        let set = |k: &str, v: &JsValue| {
            let _ = js_sys::Reflect::set(&options, &k.into(), v);
        };
        set("doc", &"".into());
        set("language", &"mjml".into());
        set(
            "schema",
            &serde_wasm_bindgen::to_value(&schema).unwrap_or(JsValue::NULL),
        );
        set(
            "onChange",
            &Closure::<dyn Fn(String)>::new(move |text: String| ui.on_edit(text)).into_js_value(),
        );
        set(
            "onSave",
            &Closure::<dyn Fn()>::new(move || ui.save()).into_js_value(),
        );
        let element: &web_sys::HtmlElement = &el;
        let handle = ipc::editor_create(element, &options);
        ui.editor.set(Some(handle));
        // End-to-end tests find the editor through this handle.
        if let Some(w) = web_sys::window() {
            let _ = js_sys::Reflect::set(&w, &"__letterpressEditor".into(), &JsValue::from(handle));
        }
        let path = ui.doc_path.get_untracked();
        if !path.is_empty() {
            ui.open(&path, None);
        }
    });

    // The window title carries the project name and a dirty marker.
    Effect::new(move |_| {
        let name = ui
            .snapshot
            .with(|s| s.as_ref().map(|s| s.name.clone()).unwrap_or_default());
        let marker = if ui.dirty.with(BTreeSet::is_empty) {
            ""
        } else {
            "• "
        };
        if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
            doc.set_title(&format!("{marker}{name} — Letterpress"));
        }
    });

    view! {
        <div class="app">
            <Sidebar ui=ui />
            <main class="workspace">
                <div class="doc-bar">
                    <span class="doc-path" data-test="doc-path">{move || ui.doc_path.get()}</span>
                    <span class="dirty-marker" data-test="dirty">
                        {move || if ui.dirty.with(|d| d.contains(&ui.doc_path.get())) { "● unsaved" } else { "" }}
                    </span>
                    <button class="save" on:click=move |_| ui.save()>"Save"</button>
                </div>
                {move || ui.closing.get().map(|dirty| view! {
                    <div class="conflict" data-test="close-prompt">
                        <span>{format!("Unsaved changes in {}.", dirty.join(", "))}</span>
                        <button data-test="save-and-quit" on:click=move |_| ui.quit(true)>"Save and quit"</button>
                        <button data-test="discard-and-quit" on:click=move |_| ui.quit(false)>"Discard and quit"</button>
                        <button on:click=move |_| ui.closing.set(None)>"Cancel"</button>
                    </div>
                })}
                {move || ui.conflict.get().map(|path| view! {
                    <div class="conflict" data-test="conflict">
                        <span>{format!("{path} changed on disk while you have unsaved edits.")}</span>
                        <button data-test="keep-mine" on:click=move |_| ui.resolve(Resolution::KeepMine)>"Keep mine"</button>
                        <button data-test="take-theirs" on:click=move |_| ui.resolve(Resolution::TakeTheirs)>"Take theirs"</button>
                    </div>
                })}
                <div class="editor" node_ref=editor_ref></div>
                <Problems ui=ui />
            </main>
            <PreviewPane ui=ui />
        </div>
    }
}

#[component]
fn Sidebar(ui: Ui) -> impl IntoView {
    let templates = move || {
        ui.snapshot
            .with(|s| s.as_ref().map(|s| s.templates.clone()).unwrap_or_default())
    };
    let files = move |f: fn(&ProjectSnapshot) -> &Vec<String>| {
        ui.snapshot
            .with(|s| s.as_ref().map(|s| f(s).clone()).unwrap_or_default())
    };
    let file_link = move |path: String| {
        let label = path.rsplit('/').next().unwrap_or(&path).to_owned();
        let p = path.clone();
        view! {
            <li class:active=move || ui.doc_path.get() == p>
                <a href="#" on:click=move |ev| { ev.prevent_default(); ui.open(&path, None); }>{label}</a>
            </li>
        }
    };
    view! {
        <nav class="sidebar">
            <h1>{move || ui.snapshot.with(|s| s.as_ref().map(|s| s.name.clone()).unwrap_or_else(|| "Letterpress".into()))}</h1>
            <div class="project-actions">
                <button data-test="open-project" on:click=move |_| ui.switch_project("choose_project", NoArgs {})>"Open…"</button>
                <button data-test="new-project" on:click=move |_| ui.switch_project("new_project_from_sample", NoArgs {})>"New from sample…"</button>
            </div>
            <details class="recent">
                <summary>"Recent projects"</summary>
                <ul>
                    {move || ui.recent.get().into_iter().map(|r| {
                        let path = r.path.clone();
                        view! {
                            <li><a href="#" title=r.path.clone() on:click=move |ev| {
                                ev.prevent_default();
                                ui.switch_project("open_project", OwnedPath { path: Some(path.clone()) });
                            }>{r.name.clone()}</a></li>
                        }
                    }).collect_view()}
                </ul>
            </details>
            <h2>"Templates"</h2>
            <div class="template-form">
                <input data-test="template-name" placeholder="new-template-name"
                    prop:value=move || ui.new_name.get()
                    on:input=move |ev| ui.new_name.set(event_target_value(&ev)) />
                <div class="template-actions">
                    <button data-test="create-template" on:click=move |_| ui.create_template()>"New"</button>
                    <button data-test="duplicate-template" on:click=move |_| ui.duplicate_template()>"Duplicate"</button>
                    <button data-test="rename-template" on:click=move |_| ui.rename_template()>"Rename"</button>
                    <button data-test="delete-template" on:click=move |_| ui.confirm_delete.set(Some(ui.template.get_untracked()))>"Delete"</button>
                </div>
                {move || ui.confirm_delete.get().map(|id| {
                    let target = id.clone();
                    view! {
                        <div class="confirm" data-test="confirm-delete">
                            <span>{format!("Delete {id} and all its files?")}</span>
                            <button data-test="confirm-delete-yes" on:click=move |_| ui.delete_template(target.clone())>"Delete"</button>
                            <button on:click=move |_| ui.confirm_delete.set(None)>"Cancel"</button>
                        </div>
                    }
                })}
            </div>
            <ul class="templates">
                <For each=templates key=|t| t.id.clone() children=move |t| {
                    let id = t.id.clone();
                    let id_active = t.id.clone();
                    let fixtures = t.fixtures.clone();
                    let tid = t.id.clone();
                    view! {
                        <li class="template" class:active=move || ui.template.get() == id_active data-test=format!("template-{}", t.id)>
                            <a href="#" title=t.description.clone() on:click=move |ev| { ev.prevent_default(); ui.select_template(&id); }>{t.id.clone()}</a>
                            <ul class="fixtures">
                                {fixtures.into_iter().map(|f| {
                                    let path = format!("templates/{tid}/fixtures/{f}.json");
                                    let fname = f.clone();
                                    let tid2 = tid.clone();
                                    view! {
                                        <li><a href="#" on:click=move |ev| {
                                            ev.prevent_default();
                                            ui.template.set(tid2.clone());
                                            ui.fixture.set(fname.clone());
                                            ui.open(&path, None);
                                        }>{format!("{f}.json")}</a></li>
                                    }
                                }).collect_view()}
                            </ul>
                        </li>
                    }
                } />
            </ul>
            <h2>"Layouts"</h2>
            <ul class="files">{move || files(|s| &s.layouts).into_iter().map(file_link).collect_view()}</ul>
            <h2>"Partials"</h2>
            <ul class="files">{move || files(|s| &s.partials).into_iter().map(file_link).collect_view()}</ul>
        </nav>
    }
}

#[component]
fn Problems(ui: Ui) -> impl IntoView {
    let diagnostics = move || {
        ui.preview.with(|p| {
            p.as_ref()
                .map(|p| p.diagnostics.clone())
                .unwrap_or_default()
        })
    };
    view! {
        <section class="problems" data-test="problems">
            <h2>{move || format!("Problems ({})", diagnostics().len())}</h2>
            <ul>
                {move || diagnostics().into_iter().map(|d| {
                    let place = d.location.as_ref().map(|l| l.to_string()).unwrap_or_default();
                    let severity = if d.is_error() { "error" } else { "warning" };
                    let text = format!("{} [{}]", d.message, d.code.as_str());
                    view! {
                        <li class=severity data-test="diagnostic" on:click=move |_| ui.jump(&d)>
                            <span class="place">{place}</span>
                            <span class="message">{text}</span>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
    }
}

#[component]
fn PreviewPane(ui: Ui) -> impl IntoView {
    let locales = move || {
        ui.snapshot
            .with(|s| s.as_ref().map(|s| s.locales.clone()).unwrap_or_default())
    };
    let fixtures = move || {
        let t = ui.template.get();
        ui.snapshot.with(|s| {
            s.as_ref()
                .and_then(|s| s.templates.iter().find(|x| x.id == t))
                .map(|t| t.fixtures.clone())
                .unwrap_or_default()
        })
    };
    let field =
        move |f: fn(&Preview) -> String| ui.preview.with(|p| p.as_ref().map(f).unwrap_or_default());
    let has_error = move || ui.preview.with(|p| p.as_ref().is_some_and(|p| !p.is_ok()));
    view! {
        <section class="preview-pane">
            <div class="toolbar">
                <label>"Locale "
                    <select data-test="locale" prop:value=move || ui.locale.get()
                        on:change=move |ev| { ui.locale.set(event_target_value(&ev)); ui.refresh(); }>
                        {move || locales().into_iter().map(|l| {
                            let label = if l.dir == "rtl" { format!("{} (rtl)", l.tag) } else { l.tag.clone() };
                            view! { <option value=l.tag.clone()>{label}</option> }
                        }).collect_view()}
                    </select>
                </label>
                <label>"Data "
                    <select data-test="fixture" prop:value=move || ui.fixture.get()
                        on:change=move |ev| { ui.fixture.set(event_target_value(&ev)); ui.refresh(); }>
                        {move || fixtures().into_iter().map(|f| view! { <option value=f.clone()>{f.clone()}</option> }).collect_view()}
                    </select>
                </label>
                <span class="segmented">
                    <button class:on=move || ui.width.get() == Width::Desktop on:click=move |_| ui.width.set(Width::Desktop)>"Desktop"</button>
                    <button data-test="mobile" class:on=move || ui.width.get() == Width::Mobile on:click=move |_| ui.width.set(Width::Mobile)>"Mobile"</button>
                </span>
                <span class="segmented">
                    <button class:on=move || ui.tab.get() == Tab::Html on:click=move |_| ui.tab.set(Tab::Html)>"HTML"</button>
                    <button data-test="text-tab" class:on=move || ui.tab.get() == Tab::Text on:click=move |_| ui.tab.set(Tab::Text)>"Text"</button>
                </span>
            </div>
            <div class="inbox" dir=move || field(|p| p.dir.clone())>
                <div class="subject" data-test="subject">{move || field(|p| p.subject.clone())}</div>
                <div class="preheader" data-test="preheader">{move || field(|p| p.preheader.clone())}</div>
            </div>
            {move || has_error().then(|| view! {
                <div class="banner" data-test="error-banner">"The template has errors: showing the last good render."</div>
            })}
            {move || ui.problem.get().map(|p| view! { <div class="banner" data-test="problem">{p}</div> })}
            <div class="frame" class:mobile=move || ui.width.get() == Width::Mobile>
                {move || match ui.tab.get() {
                    Tab::Html => view! {
                        <iframe title="Email preview" data-test="preview" sandbox="" referrerpolicy="no-referrer"
                            prop:srcdoc=move || ui.last_good_html.get()></iframe>
                    }.into_any(),
                    Tab::Text => view! {
                        <pre class="text-part" data-test="text-part">{move || field(|p| p.text.clone())}</pre>
                    }.into_any(),
                }}
            </div>
            <div class="timing">{move || ui.preview.with(|p| p.as_ref().map(|p| format!("engine {:.1} ms", p.engine_micros as f64 / 1000.0)).unwrap_or_default())}</div>
        </section>
    }
}
