//! Letterpress desktop UI: sidebar, editor, live preview, diagnostics.

mod changes;
mod history;
mod ipc;
mod preview;
mod problems;
mod sidebar;
mod state;
mod sync;
mod translations;

use leptos::html::Div;
use leptos::prelude::*;
use letterpress_protocol::Resolution;
use preview::PreviewPane;
use problems::Problems;
use sidebar::Sidebar;
use state::{Mode, Ui};
use std::collections::BTreeSet;
use translations::TranslationsScreen;
use wasm_bindgen::prelude::*;

fn main() {
    leptos::mount::mount_to_body(App);
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
    Effect::new(move |shown: Option<String>| {
        let name = ui
            .snapshot
            .with(|s| s.as_ref().map(|s| s.name.clone()).unwrap_or_default());
        let marker = if ui.dirty.with(BTreeSet::is_empty) {
            ""
        } else {
            "• "
        };
        let title = format!("{marker}{name} — Letterpress");
        if shown.as_deref() != Some(title.as_str()) {
            if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
                doc.set_title(&title);
            }
            ipc::set_window_title(&title);
        }
        title
    });

    view! {
        <div class="app">
            <Sidebar ui=ui />
            <div class="stage">
            <div class="mode-bar">
                <span class="segmented" data-test="mode-switch">
                    <button data-test="mode-edit" class:on=move || ui.mode.get() == Mode::Edit
                        on:click=move |_| ui.mode.set(Mode::Edit)>"Edit"</button>
                    <button data-test="mode-translate" class:on=move || ui.mode.get() == Mode::Translate
                        on:click=move |_| ui.mode.set(Mode::Translate)>"Translate"</button>
                    <button data-test="mode-history" class:on=move || ui.mode.get() == Mode::History
                        on:click=move |_| ui.mode.set(Mode::History)>"History"</button>
                    <button data-test="mode-sync" class:on=move || ui.mode.get() == Mode::Sync
                        on:click=move |_| ui.mode.set(Mode::Sync)>"Sync"</button>
                </span>
            </div>
            // The editor stays mounted (hidden) while another screen shows.
            <div class="mode-edit" class:hidden=move || ui.mode.get() != Mode::Edit>
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
                        <button data-test="compare" on:click=move |_| ui.compare_conflict()>"Compare"</button>
                    </div>
                })}
                <Compare ui=ui />
                <div class="editor" node_ref=editor_ref></div>
                <Problems ui=ui />
            </main>
            <PreviewPane ui=ui />
            </div>
            {move || (ui.mode.get() == Mode::Translate).then(|| view! { <TranslationsScreen ui=ui /> })}
            <div class="mode-history" class:hidden=move || ui.mode.get() != Mode::History>
                <history::HistoryScreen ui=ui />
            </div>
            <div class="mode-sync" class:hidden=move || ui.mode.get() != Mode::Sync>
                <sync::SyncScreen ui=ui />
            </div>
            </div>
        </div>
    }
}

/// Conflict comparison: the editor's text beside the disk's, changes highlighted.
#[component]
fn Compare(ui: Ui) -> impl IntoView {
    let host = NodeRef::<Div>::new();
    let mounted = StoredValue::new(None::<u32>);
    Effect::new(move |_| {
        let sides = ui.compare.get();
        if let Some(handle) = mounted.try_update_value(Option::take).flatten() {
            ipc::editor_destroy_compare(handle);
        }
        if let (Some(sides), Some(el)) = (sides, host.get()) {
            let theirs = sides
                .theirs
                .unwrap_or_else(|| "(deleted on disk)".to_owned());
            let language = state::language_of(&sides.path);
            mounted.set_value(Some(ipc::editor_compare(
                &el,
                &sides.mine,
                &theirs,
                language,
            )));
        }
    });
    view! {
        <div class="compare" data-test="compare-view" class:open=move || ui.compare.with(Option::is_some)>
            <div class="compare-head">
                <span>"Yours (unsaved)"</span>
                <span>"On disk now"</span>
                <button on:click=move |_| ui.compare.set(None)>"Close"</button>
            </div>
            <div class="compare-body" node_ref=host></div>
        </div>
    }
}
