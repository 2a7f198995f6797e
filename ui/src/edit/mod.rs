//! The Edit screen: the document bar, the close prompt and conflict banners, the editor
//! (CodeMirror, mounted once and kept while other screens show), the Problems panel and the
//! live preview.

mod drag;
mod logic;
mod preview;
mod problems;
mod send;
mod visual;

use crate::core::{Core, Mode, language_of};
use crate::ipc;
use leptos::html::Div;
use leptos::prelude::*;
use letterpress_protocol::Resolution;
use preview::PreviewPane;
use problems::Problems;
use wasm_bindgen::prelude::*;

/// The Edit screen (hidden, not unmounted, in the other modes).
#[component]
pub fn EditScreen() -> impl IntoView {
    let core = expect_context::<Core>();
    // Ctrl+Shift+E shows or hides the code editor (the designer's layout), from anywhere in
    // the edit screen.
    let toggle_code = window_event_listener(leptos::ev::keydown, move |ev| {
        if core.mode.get_untracked() == Mode::Edit
            && (ev.ctrl_key() || ev.meta_key())
            && ev.shift_key()
            && ev.key().eq_ignore_ascii_case("e")
        {
            ev.prevent_default();
            core.code_hidden.update(|h| *h = !*h);
        }
    });
    on_cleanup(move || toggle_code.remove());
    provide_context(drag::Drag::new());
    let editor_ref = NodeRef::<Div>::new();
    let layer = visual::SelectLayer {
        frame: NodeRef::new(),
        overlay: NodeRef::new(),
        pick: NodeRef::new(),
    };
    provide_context(layer);
    Effect::new(move |_| {
        let (Some(el), Some(schema)) = (editor_ref.get(), core.schema.get()) else {
            return;
        };
        if core.editor.get_untracked().is_some() {
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
            &Closure::<dyn Fn(String)>::new(move |text: String| core.on_edit(text)).into_js_value(),
        );
        set(
            "onCursor",
            &Closure::<dyn Fn(u32, u32)>::new(move |line: u32, column: u32| {
                visual::follow_cursor(core, layer, line, column);
            })
            .into_js_value(),
        );
        set(
            "onMessage",
            &Closure::<dyn Fn(String, String, Option<String>)>::new(
                move |key: String, locale: String, text: Option<String>| {
                    visual::put_back_message(core, key, locale, text);
                },
            )
            .into_js_value(),
        );
        set(
            "onSave",
            &Closure::<dyn Fn()>::new(move || core.save()).into_js_value(),
        );
        let element: &web_sys::HtmlElement = &el;
        let handle = ipc::editor_create(element, &options);
        core.editor.set(Some(handle));
        // End-to-end tests find the editor through this handle.
        if let Some(w) = web_sys::window() {
            let _ = js_sys::Reflect::set(&w, &"__letterpressEditor".into(), &JsValue::from(handle));
        }
        let path = core.doc_path.get_untracked();
        if !path.is_empty() {
            core.open(&path, None);
        }
    });

    view! {
            <div class="mode-edit" class:hidden=move || core.mode.get() != Mode::Edit
                class:code-hidden=move || core.code_hidden.get()>
            <div class="workspace">
                <div class="doc-bar">
                    <span class="doc-path" data-test="doc-path">{move || core.doc_path.get()}</span>
                    <span class="dirty-marker" data-test="dirty">
                        {move || if core.dirty.with(|d| d.contains(&core.doc_path.get())) { "● unsaved" } else { "" }}
                    </span>
                    <button class="save" on:click=move |_| core.save()>"Save"</button>
                    <button data-test="hide-code" title="Give the preview the whole width, the selection's properties beside it (Ctrl+Shift+E)"
                        on:click=move |_| core.code_hidden.set(true)>"Hide code"</button>
                </div>
                {move || core.closing.get().map(|dirty| view! {
                    <div class="conflict" data-test="close-prompt">
                        <span>{format!("Unsaved changes in {}.", dirty.join(", "))}</span>
                        <button data-test="save-and-quit" on:click=move |_| core.quit(true)>"Save and quit"</button>
                        <button data-test="discard-and-quit" on:click=move |_| core.quit(false)>"Discard and quit"</button>
                        <button on:click=move |_| core.closing.set(None)>"Cancel"</button>
                    </div>
                })}
                {move || core.conflict.get().map(|path| view! {
                    <div class="conflict" data-test="conflict">
                        <span>{format!("{path} changed on disk while you have unsaved edits.")}</span>
                        <button data-test="keep-mine" on:click=move |_| core.resolve(Resolution::KeepMine)>"Keep mine"</button>
                        <button data-test="take-theirs" on:click=move |_| core.resolve(Resolution::TakeTheirs)>"Take theirs"</button>
                        <button data-test="compare" on:click=move |_| core.compare_conflict()>"Compare"</button>
                    </div>
                })}
                <Compare core=core />
                <div class="editor" node_ref=editor_ref></div>
                <Problems />
            </div>
            <PreviewPane layer=layer />
            </div>
    }
}

/// Conflict comparison: the editor's text beside the disk's, changes highlighted.
#[component]
fn Compare(core: Core) -> impl IntoView {
    let host = NodeRef::<Div>::new();
    let mounted = StoredValue::new(None::<u32>);
    Effect::new(move |_| {
        let sides = core.compare.get();
        if let Some(handle) = mounted.try_update_value(Option::take).flatten() {
            ipc::editor_destroy_compare(handle);
        }
        if let (Some(sides), Some(el)) = (sides, host.get()) {
            let theirs = sides
                .theirs
                .unwrap_or_else(|| "(deleted on disk)".to_owned());
            let language = language_of(&sides.path);
            mounted.set_value(Some(ipc::editor_compare(
                &el,
                &sides.mine,
                &theirs,
                language,
            )));
        }
    });
    view! {
        <div class="compare" data-test="compare-view" class:open=move || core.compare.with(Option::is_some)>
            <div class="compare-head">
                <span>"Yours (unsaved)"</span>
                <span>"On disk now"</span>
                <button on:click=move |_| core.compare.set(None)>"Close"</button>
            </div>
            <div class="compare-body" node_ref=host></div>
        </div>
    }
}
