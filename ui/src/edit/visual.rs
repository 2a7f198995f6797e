//! Selecting in the preview: a layer above the email turns a click into the element of the
//! source that made that box (through the preview's markers, see `engine::instrument`), puts
//! the editor's cursor on its start tag, and outlines it — in an overlay, never inside the
//! email. The editor's cursor outlines the element it is in.

use super::drag::Drag;
use crate::core::{Core, Selection};
use crate::ipc;
use crate::translate::Translations;
use leptos::prelude::*;
use letterpress_protocol::commands::LocateElement;
use letterpress_protocol::{Dragged, ElementLocation, InlinePiece, InlineText, StructureAction};
use wasm_bindgen::JsValue;

/// Whether `path` is locked in the visual view: a layout or partial (shared by templates)
/// the designer has not chosen to edit here.
pub(super) fn is_locked(core: Core, path: &str) -> bool {
    !path.starts_with("templates/") && !core.unlocked.with_untracked(|u| u.contains(path))
}

/// Says why a locked file's element is not changed.
pub(super) fn say_locked(core: Core, path: &str) {
    core.visual_notice.set(Some((
        format!("{path} is shared with other templates: choose \"Edit here\" to change it from this view."),
        true,
    )));
}

/// A labelled frame as preview.js draws it.
#[derive(serde::Serialize)]
struct DrawnFrame {
    label: String,
    kind: &'static str,
    markers: Vec<String>,
}

/// Starts an HTML drag (WebKit begins one only with data set): `what` as text, a move.
fn set_drag_data(ev: &web_sys::DragEvent, what: &str) {
    if let Some(data) = ev.data_transfer() {
        let _ = data.set_data("text/plain", what);
        data.set_effect_allowed("copyMove");
    }
}

/// What the layer needs: the frame it lies over and the overlay it draws in.
#[derive(Clone, Copy)]
pub struct SelectLayer {
    pub frame: NodeRef<leptos::html::Iframe>,
    pub overlay: NodeRef<leptos::html::Div>,
    /// The transparent layer that takes clicks and keys.
    pub pick: NodeRef<leptos::html::Div>,
}

impl SelectLayer {
    pub(super) fn frame(self) -> Option<JsValue> {
        self.frame.get_untracked().map(JsValue::from)
    }

    pub(super) fn overlay(self) -> Option<JsValue> {
        self.overlay.get_untracked().map(JsValue::from)
    }

    fn draw(self, marker: Option<String>, kind: &str) {
        if let (Some(frame), Some(overlay)) = (self.frame(), self.overlay()) {
            ipc::preview_outline(&frame, &overlay, marker, kind);
        }
    }
}

/// Selects the element at `location` (found from a click or the editor's cursor).
pub(super) fn select(core: Core, layer: SelectLayer, location: ElementLocation) {
    let marker = core.marker_of(&location.path, location.offset);
    let (instances, crumbs) = match (layer.frame(), &marker) {
        (Some(frame), Some(m)) => {
            let names = ipc::preview_ancestry(&frame, m)
                .iter()
                .filter_map(|a| core.mapped_names.with_untracked(|n| n.get(a).cloned()))
                .collect();
            (ipc::preview_count(&frame, m), names)
        }
        _ => (0, Vec::new()),
    };
    layer.draw(marker, "selected");
    core.selection.set(Some(Selection {
        location,
        crumbs,
        instances,
    }));
}

/// A click in the email: select its element and put the cursor on its start tag (opening
/// the layout or partial it comes from).
pub fn pick(core: Core, layer: SelectLayer, client_x: f64, client_y: f64) {
    let Some(frame) = layer.frame() else {
        return;
    };
    let Some((path, offset)) =
        ipc::preview_marker_at(&frame, client_x, client_y).and_then(|m| core.source_of(&m))
    else {
        core.selection.set(None);
        layer.draw(None, "selected");
        return;
    };
    leptos::task::spawn_local(async move {
        let asked = LocateElement {
            path: path.clone(),
            offset: Some(offset),
            line: 0,
            column: 0,
        };
        match ipc::call(&asked).await {
            Ok(Some(location)) => {
                let at = (location.line, location.column);
                if location.path == core.doc_path.get_untracked() {
                    if let Some(h) = core.editor.get_untracked() {
                        ipc::editor_reveal(h, at.0, at.1);
                    }
                } else {
                    core.open_revealing(&location.path, at);
                }
                select(core, layer, location);
            }
            Ok(None) => core.selection.set(None),
            Err(e) => core.fail(&e),
        }
    });
}

/// The editor's cursor moved (without typing): outline the element it is in.
pub fn follow_cursor(core: Core, layer: SelectLayer, line: u32, column: u32) {
    let path = core.doc_path.get_untracked();
    if path.is_empty() || !path.ends_with(".mjml") {
        return;
    }
    leptos::task::spawn_local(async move {
        let asked = LocateElement {
            path,
            offset: None,
            line,
            column,
        };
        match ipc::call(&asked).await {
            Ok(Some(location)) => {
                let same = core
                    .selection
                    .with_untracked(|s| s.as_ref().is_some_and(|s| s.location == location));
                if !same {
                    select(core, layer, location);
                }
            }
            Ok(None) => {
                core.selection.set(None);
                layer.draw(None, "selected");
            }
            // A file the studio cannot read now shows no outline; the editor says why.
            Err(_) => {}
        }
    });
}

/// Changes the structure around the selection (see `StructureAction`) in the editor, one
/// undo step, and selects what the studio says (the moved, copied or inserted element).
pub fn act(core: Core, action: StructureAction) {
    use letterpress_protocol::commands::StructureEditFor;
    let Some(selected) = core.selection.get_untracked() else {
        core.visual_notice
            .set(Some(("Select an element of the email first.".into(), true)));
        return;
    };
    let path = selected.location.path.clone();
    if is_locked(core, &path) {
        return say_locked(core, &path);
    }
    leptos::task::spawn_local(async move {
        let asked = StructureEditFor {
            path: path.clone(),
            offset: selected.location.offset,
            action,
            request: core.preview_request(),
        };
        match ipc::call(&asked).await {
            Ok(answer) if answer.edits.is_empty() => core.visual_notice.set(None),
            Ok(answer) => {
                if !apply_edits(core, &answer.edits) {
                    core.visual_notice
                        .set(Some((format!("Open {path} to change it."), true)));
                    return;
                }
                core.after_preview(move || {
                    core.visual_notice.set(None);
                    core.selection.set(answer.select.map(|location| Selection {
                        crumbs: location.breadcrumb.clone(),
                        instances: 1,
                        location,
                    }));
                });
            }
            Err(e) => core.visual_notice.set(Some((e.message, true))),
        }
    });
}

/// Saves the selection as `blocks/<name>.mjml` and refreshes the library.
fn save_as_block(core: Core, name: String) {
    use letterpress_protocol::commands::SaveBlock;
    let Some(selected) = core.selection.get_untracked() else {
        return;
    };
    leptos::task::spawn_local(async move {
        let asked = SaveBlock {
            path: selected.location.path.clone(),
            offset: selected.location.offset,
            name: name.clone(),
        };
        match ipc::call(&asked).await {
            Ok(library) => {
                core.library.set(library);
                core.visual_notice
                    .set(Some((format!("Saved blocks/{name}.mjml."), false)));
            }
            Err(e) => core.visual_notice.set(Some((e.message, true))),
        }
    });
}

/// Moves the selection into `partials/<name>.mjml` and includes it in its place.
fn make_partial(core: Core, name: String) {
    use letterpress_protocol::commands::MakePartial;
    let Some(selected) = core.selection.get_untracked() else {
        return;
    };
    let path = selected.location.path.clone();
    leptos::task::spawn_local(async move {
        let asked = MakePartial {
            path: path.clone(),
            offset: selected.location.offset,
            name: name.clone(),
            request: core.preview_request(),
        };
        match ipc::call(&asked).await {
            Ok(answer) => {
                if apply_edits(core, &answer.edits) {
                    core.selection.set(None);
                    core.visual_notice.set(Some((
                        format!(
                            "Moved into partials/{name}.mjml (the include is one undo step; the partial stays)."
                        ),
                        false,
                    )));
                } else {
                    core.visual_notice
                        .set(Some((format!("Open {path} to change it."), true)));
                }
            }
            Err(e) => core.visual_notice.set(Some((e.message, true))),
        }
    });
}

/// Keys on the preview (focused by a click): Delete, Ctrl+D duplicates, Alt+↑/↓ move,
/// Escape clears the selection.
fn on_layer_key(core: Core, layer: SelectLayer, drag: Drag, ev: &web_sys::KeyboardEvent) {
    if cut_or_paste(core, layer, drag, ev) {
        return;
    }
    let action = match ev.key().as_str() {
        "Delete" | "Backspace" => Some(StructureAction::Delete),
        "d" | "D" if ev.ctrl_key() || ev.meta_key() => Some(StructureAction::Duplicate),
        "ArrowUp" if ev.alt_key() => Some(StructureAction::MoveUp),
        "ArrowDown" if ev.alt_key() => Some(StructureAction::MoveDown),
        "Escape" => {
            core.selection.set(None);
            layer.draw(None, "selected");
            ev.prevent_default();
            return;
        }
        _ => None,
    };
    if let Some(action) = action
        && core.selection.with_untracked(Option::is_some)
    {
        ev.prevent_default();
        act(core, action);
    }
}

/// Ctrl+X / Ctrl+V (move the selection to another place, the keyboard's drag) and Escape
/// while such a move is under way; `true` when the key was one of them.
fn cut_or_paste(core: Core, layer: SelectLayer, drag: Drag, ev: &web_sys::KeyboardEvent) -> bool {
    let ctrl = ev.ctrl_key() || ev.meta_key();
    match ev.key().as_str() {
        "x" | "X" if ctrl && core.selection.with_untracked(Option::is_some) => drag.cut(core),
        "v" | "V" if ctrl && drag.active() => drag.paste(core, layer),
        "Escape" if drag.active() => {
            drag.end(layer);
            core.visual_notice.set(None);
        }
        _ => return false,
    }
    ev.prevent_default();
    true
}

/// The transparent layer above the email: click to select, hover to preview the outline,
/// wheel to scroll.
#[component]
pub fn SelectionLayer(layer: SelectLayer) -> impl IntoView {
    let core = expect_context::<Core>();
    let drag = expect_context::<Drag>();
    let on_drag_over = move |ev: web_sys::DragEvent| {
        if drag.active()
            && drag.over(
                core,
                layer,
                f64::from(ev.client_x()),
                f64::from(ev.client_y()),
            )
        {
            ev.prevent_default();
        }
    };
    let on_drop = move |ev: web_sys::DragEvent| {
        ev.prevent_default();
        drag.drop_here(core, layer);
    };
    let hovered = StoredValue::new(None::<String>);
    let on_click = move |ev: web_sys::MouseEvent| {
        pick(
            core,
            layer,
            f64::from(ev.client_x()),
            f64::from(ev.client_y()),
        );
    };
    let on_move = move |ev: web_sys::MouseEvent| {
        let Some(frame) = layer.frame() else {
            return;
        };
        let marker =
            ipc::preview_marker_at(&frame, f64::from(ev.client_x()), f64::from(ev.client_y()));
        if hovered.get_value() != marker {
            hovered.set_value(marker.clone());
            layer.draw(marker, "hovered");
        }
    };
    let on_leave = move |_: web_sys::MouseEvent| {
        hovered.set_value(None);
        layer.draw(None, "hovered");
    };
    let on_wheel = move |ev: web_sys::WheelEvent| {
        if let Some(frame) = layer.frame() {
            ev.prevent_default();
            ipc::preview_scroll_by(&frame, ev.delta_x(), ev.delta_y());
        }
    };
    // After every render the selection's marker may have another file number.
    Effect::new(move |_| {
        core.mapped_files.track();
        core.last_good_html.track();
        let marker = core
            .selection
            .with_untracked(|s| {
                s.as_ref()
                    .map(|s| (s.location.path.clone(), s.location.offset))
            })
            .and_then(|(path, offset)| core.marker_of(&path, offset));
        layer.draw(marker, "selected");
        if let (Some(frame), Some(overlay)) = (layer.frame(), layer.overlay()) {
            ipc::preview_hatch(&frame, &overlay, core.mapped_opaque.get_untracked());
        }
    });
    // The Jinja blocks around the selection, framed and labelled over the email.
    Effect::new(move |_| {
        core.last_good_html.track();
        core.mapped_files.track();
        let frames = core.selection.with(|s| {
            s.as_ref()
                .map(|s| {
                    s.location
                        .frames
                        .iter()
                        .map(|f| {
                            let markers: Vec<String> = f
                                .members
                                .iter()
                                .filter_map(|&o| core.marker_of(&s.location.path, o))
                                .collect();
                            let kind = if f.label.starts_with("for") {
                                "loop"
                            } else {
                                "condition"
                            };
                            DrawnFrame {
                                label: f.label.clone(),
                                kind,
                                markers,
                            }
                        })
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        });
        if let (Some(frame), Some(overlay)) = (layer.frame(), layer.overlay())
            && let Ok(list) = serde_wasm_bindgen::to_value(&frames)
        {
            ipc::preview_frames(&frame, &overlay, &list);
        }
    });
    let mapped = move || core.mapped_files.with(|f| !f.is_empty());
    let inline = RwSignal::new(None::<InlineMessage>);
    let literal = RwSignal::new(None::<InlineLiteral>);
    let translations = expect_context::<Translations>();
    let notice = RwSignal::new(None::<String>);
    let on_double = move |ev: web_sys::MouseEvent| {
        ev.prevent_default();
        let (x, y) = (f64::from(ev.client_x()), f64::from(ev.client_y()));
        if !edit_message_at(core, translations, layer, inline, notice, x, y) {
            let editors = InPlaceEditors {
                inline,
                literal,
                notice,
            };
            edit_text_at(core, translations, layer, editors, x, y);
        }
    };
    view! {
        <div class="pick-layer select-layer" data-test="select-layer" tabindex="0" role="application" node_ref=layer.pick
            aria-label="Email preview: click to select; Delete, Ctrl+D, Alt+Up/Down act on the selection"
            on:keydown=move |ev: web_sys::KeyboardEvent| on_layer_key(core, layer, drag, &ev)
            on:dragover=on_drag_over on:drop=on_drop
            class:unmapped=move || !mapped()
            title=move || if mapped() { "Click to select, double-click a text to edit it" } else { "Visual mapping unavailable for this email" }
            on:click=on_click on:dblclick=on_double on:mousemove=on_move on:mouseleave=on_leave on:wheel=on_wheel></div>
        <InlineMessageEditor inline=inline notice=notice />
        <InlineTextEditor literal=literal />
        {move || notice.get().map(|n| view! {
            <div class="inline-notice" data-test="inline-notice" on:click=move |_| notice.set(None)>{n}</div>
        })}
    }
}

/// The breadcrumb of the selection, and where it comes from.
#[component]
pub fn SelectionBar() -> impl IntoView {
    let core = expect_context::<Core>();
    let form = WrapForm {
        asking: RwSignal::new(Asking::Nothing),
        condition: RwSignal::new(String::new()),
        item: RwSignal::new(String::from("item")),
        list: RwSignal::new(String::new()),
        name: RwSignal::new(String::new()),
    };
    let mapped = move || core.mapped_files.with(|f| !f.is_empty());
    let has_preview = move || core.preview.with(|p| p.as_ref().is_some_and(|p| p.is_ok()));
    view! {
        <div class="selection-bar" data-test="selection">
            {move || match core.selection.get() {
                Some(s) => {
                    let crumbs = if s.crumbs.is_empty() {
                        s.location.breadcrumb.join(" › ")
                    } else {
                        s.crumbs.join(" › ")
                    };
                    let from = (!s.location.path.starts_with("templates/")).then(|| {
                        let used = s.location.used_by.len();
                        format!(
                            "from {}, used by {used} template{}",
                            s.location.path,
                            if used == 1 { "" } else { "s" }
                        )
                    });
                    let repeated = (s.instances > 1 || !s.location.loops.is_empty()).then(|| {
                        match s.location.loops.last() {
                            Some(l) => format!("× {} · {l}", s.instances),
                            None => format!("× {}", s.instances),
                        }
                    });
                    let opaque = core
                        .marker_of(&s.location.path, s.location.offset)
                        .is_some_and(|m| core.mapped_opaque.with(|o| o.contains(&m)));
                    let (line, column) = (s.location.line, s.location.column);
                    let edit_in_code = move |_| {
                        if let Some(h) = core.editor.get_untracked() {
                            ipc::editor_goto(h, line, column);
                        }
                    };
                    view! {
                        {opaque.then(|| view! {
                            <span class="opaque-note" data-test="selection-opaque">"Jinja decides this element."</span>
                            <button class="edit-in-code" data-test="edit-in-code" title="Put the cursor on its start tag in the code editor"
                                on:click=edit_in_code>"Edit in code"</button>
                        })}
                        <span class="crumbs" data-test="breadcrumb">{crumbs}</span>
                        <span class="at" data-test="selection-at">
                            {format!("{}:{}:{}", s.location.path, s.location.line, s.location.column)}
                        </span>
                        {from.map(|f| view! { <span class="from" data-test="selection-from">{f}</span> })}
                        {repeated.map(|r| view! { <span class="repeated" data-test="selection-instances">{r}</span> })}
                        {move || {
                            let path = s.location.path.clone();
                            let locked = core.unlocked.with(|_| is_locked(core, &path));
                            let used = s.location.used_by.len();
                            let open_path = path.clone();
                            match (opaque, locked) {
                                (true, _) => ().into_any(),
                                (false, true) => view! {
                                    <span class="locked-note" data-test="selection-locked">"Locked: shared by "{used}" template"{if used == 1 { "" } else { "s" }}</span>
                                    <button class="act" data-test="open-shared" title="Open it in the code editor"
                                        on:click=move |_| core.open(&open_path, Some((line, column)))>{if path.starts_with("layouts/") { "Open layout" } else { "Open partial" }}</button>
                                    <button class="act" data-test="unlock" title="Change it from this view: every template that uses it changes"
                                        on:click=move |_| {
                                            core.unlocked.update(|u| { u.insert(path.clone()); });
                                            core.visual_notice.set(Some((format!("Editing {path}: changes reach {used} template{}.", if used == 1 { "" } else { "s" }), false)));
                                        }>{format!("Edit here — affects {used}")}</button>
                                }.into_any(),
                                (false, false) => view! { <StructureActions form=form /> }.into_any(),
                            }
                        }}
                    }.into_any()
                }
                None if has_preview() && !mapped() => view! {
                    <span class="hint" data-test="unmapped">"Visual mapping unavailable for this email: edit it in code."</span>
                }.into_any(),
                None => view! { <span class="hint">"Click an element of the email to select it."</span> }.into_any(),
            }}
            {move || core.visual_notice.get().map(|(n, refused)| view! {
                <span class="visual-notice" class:refused=refused data-test="visual-notice" role="status">{n}</span>
            })}
        </div>
    }
}

/// Which wrap the selection bar asks for.
#[derive(Clone, Copy, PartialEq)]
enum Asking {
    Nothing,
    Condition,
    Repeat,
    BlockName,
    PartialName,
}

/// The "If…" / "Repeat…" form of the selection bar; it outlives a re-render of the bar
/// (another answer about the same selection), so typing is never lost.
#[derive(Clone, Copy)]
struct WrapForm {
    asking: RwSignal<Asking>,
    condition: RwSignal<String>,
    item: RwSignal<String>,
    list: RwSignal<String>,
    /// The file name of a new block or partial.
    name: RwSignal<String>,
}

/// What can be done to the selection's place in the email: move, duplicate, delete, show
/// only if…, repeat for each…, unwrap; the same as the keys on the preview.
#[component]
fn StructureActions(form: WrapForm) -> impl IntoView {
    let core = expect_context::<Core>();
    let drag = expect_context::<Drag>();
    let layer = expect_context::<SelectLayer>();
    let WrapForm {
        asking,
        condition,
        item,
        list,
        name,
    } = form;
    let button = move |label: &'static str,
                       title: &'static str,
                       test: &'static str,
                       action: StructureAction| {
        view! {
            // The visible label is the name; the title says more.
            <button class="act" title=title data-test=test
                on:click=move |_| act(core, action.clone())>{label}</button>
        }
    };
    let wrap = move || {
        let action = match asking.get_untracked() {
            Asking::Condition => StructureAction::WrapInCondition {
                condition: condition.get_untracked(),
            },
            Asking::Repeat => StructureAction::RepeatForEach {
                item: item.get_untracked(),
                list: list.get_untracked(),
            },
            Asking::BlockName => {
                asking.set(Asking::Nothing);
                return save_as_block(core, name.get_untracked());
            }
            Asking::PartialName => {
                asking.set(Asking::Nothing);
                return make_partial(core, name.get_untracked());
            }
            Asking::Nothing => return,
        };
        asking.set(Asking::Nothing);
        act(core, action);
    };
    let on_key = move |ev: web_sys::KeyboardEvent| match ev.key().as_str() {
        "Enter" => wrap(),
        "Escape" => asking.set(Asking::Nothing),
        _ => {}
    };
    view! {
        <span class="structure-actions" role="toolbar" aria-label="Selection">
            <span class="act drag-handle" data-test="drag-handle" draggable="true" role="button"
                title="Drag into the preview to move it anywhere (keyboard: Ctrl+X, select the new place, Ctrl+V)"
                on:dragstart=move |ev: web_sys::DragEvent| {
                    if let Some(s) = core.selection.get_untracked() {
                        set_drag_data(&ev, "element");
                        drag.begin(core, Dragged::Element { offset: s.location.offset });
                    }
                }
                on:dragend=move |_| drag.end(layer)>"⠿ Move"</span>
            {button("Up", "Move up (Alt+Up)", "act-move-up", StructureAction::MoveUp)}
            {button("Down", "Move down (Alt+Down)", "act-move-down", StructureAction::MoveDown)}
            {button("Duplicate", "Duplicate (Ctrl+D)", "act-duplicate", StructureAction::Duplicate)}
            {button("Delete", "Delete (Delete)", "act-delete", StructureAction::Delete)}
            <button class="act" data-test="act-if" title="Show only if a condition holds" on:click=move |_| asking.set(Asking::Condition)>"If…"</button>
            <button class="act" data-test="act-repeat" title="Repeat for each item of a list" on:click=move |_| asking.set(Asking::Repeat)>"Repeat…"</button>
            {button("Unwrap", "Remove the if/for around it", "act-unwrap", StructureAction::Unwrap)}
            <button class="act" data-test="act-save-block" title="Save it as a block of the project (blocks/)" on:click=move |_| asking.set(Asking::BlockName)>"Save as block…"</button>
            <button class="act" data-test="act-make-partial" title="Move it into a partial and include it here" on:click=move |_| asking.set(Asking::PartialName)>"Make partial…"</button>
            {move || match asking.get() {
                Asking::Nothing => ().into_any(),
                Asking::Condition => view! {
                    <span class="inline-form">
                        "if " <input data-test="act-condition" placeholder="people | length > 0" aria-label="Condition (a Jinja expression)"
                            prop:value=move || condition.get() on:input=move |ev| condition.set(event_target_value(&ev)) on:keydown=on_key autofocus=true />
                        <button data-test="act-apply" on:click=move |_| wrap()>"Apply"</button>
                    </span>
                }.into_any(),
                Asking::BlockName | Asking::PartialName => view! {
                    <span class="inline-form">
                        {if asking.get_untracked() == Asking::BlockName { "blocks/" } else { "partials/" }}
                        <input data-test="act-name" placeholder="order-summary" aria-label="File name (lower case, digits, -)"
                            prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) on:keydown=on_key autofocus=true />
                        ".mjml"
                        <button data-test="act-apply" on:click=move |_| wrap()>"Save"</button>
                    </span>
                }.into_any(),
                Asking::Repeat => view! {
                    <span class="inline-form">
                        "for " <input data-test="act-item" size="8" aria-label="Name of each item"
                            prop:value=move || item.get() on:input=move |ev| item.set(event_target_value(&ev)) on:keydown=on_key />
                        " in " <input data-test="act-list" placeholder="people" aria-label="List (a Jinja expression)"
                            prop:value=move || list.get() on:input=move |ev| list.set(event_target_value(&ev)) on:keydown=on_key autofocus=true />
                        <button data-test="act-apply" on:click=move |_| wrap()>"Apply"</button>
                    </span>
                }.into_any(),
            }}
        </span>
    }
}

/// The outline tree of the open file beside the preview: elements nested as written, with
/// the Jinja blocks and includes around them as labelled rows. A click or the arrows select
/// (the preview outline follows); Alt+Up/Down reorder, Delete deletes, Ctrl+D duplicates,
/// Enter types over the element's text in place, Escape clears the selection.
#[component]
pub fn OutlinePanel(layer: SelectLayer) -> impl IntoView {
    use letterpress_protocol::commands::GetOutline;
    use letterpress_protocol::{OutlineKind, OutlineNode};
    let core = expect_context::<Core>();
    let drag = expect_context::<Drag>();
    let rows = RwSignal::new(Vec::<OutlineNode>::new());
    let open = RwSignal::new(false);
    Effect::new(move |_| {
        core.last_good_html.track();
        let path = core.doc_path.get();
        if !open.get() || !path.ends_with(".mjml") {
            return;
        }
        leptos::task::spawn_local(async move {
            if let Ok(list) = ipc::call(&GetOutline { path }).await {
                rows.set(list);
            }
        });
    });
    let choose = move |offset: usize| {
        let path = core.doc_path.get_untracked();
        leptos::task::spawn_local(async move {
            let asked = LocateElement {
                path,
                offset: Some(offset),
                line: 0,
                column: 0,
            };
            if let Ok(Some(location)) = ipc::call(&asked).await {
                if let Some(h) = core.editor.get_untracked() {
                    ipc::editor_reveal(h, location.line, location.column);
                }
                if let (Some(frame), Some(marker)) = (
                    layer.frame(),
                    core.marker_of(&location.path, location.offset),
                ) {
                    let _ = ipc::preview_centre_of(&frame, &marker);
                }
                select(core, layer, location);
            }
        });
    };
    let selected_offset = move || {
        core.selection.with(|s| {
            s.as_ref()
                .filter(|s| s.location.path == core.doc_path.get())
                .map(|s| s.location.offset)
        })
    };
    let step = move |by: i32| {
        let elements: Vec<usize> = rows.with_untracked(|r| {
            r.iter()
                .filter(|n| n.kind == OutlineKind::Element)
                .map(|n| n.offset)
                .collect()
        });
        let now = selected_offset().and_then(|o| elements.iter().position(|&e| e == o));
        let next = match (now, by) {
            (None, _) => elements.first().copied(),
            (Some(i), b) if b < 0 => elements.get(i.saturating_sub(1)).copied(),
            (Some(i), _) => elements
                .get((i + 1).min(elements.len().saturating_sub(1)))
                .copied(),
        };
        if let Some(offset) = next {
            choose(offset);
        }
    };
    let type_here = move || {
        let (Some(frame), Some(layer_el)) = (layer.frame(), layer.pick.get_untracked()) else {
            return;
        };
        let Some(marker) = core.selection.with_untracked(|s| {
            s.as_ref()
                .and_then(|s| core.marker_of(&s.location.path, s.location.offset))
        }) else {
            return;
        };
        let at = ipc::preview_centre_of(&frame, &marker);
        let get = |k: &str| {
            js_sys::Reflect::get(&at, &k.into())
                .ok()
                .and_then(|v| v.as_f64())
        };
        if let (Some(x), Some(y)) = (get("x"), get("y")) {
            let init = web_sys::MouseEventInit::new();
            init.set_client_x(x as i32);
            init.set_client_y(y as i32);
            init.set_bubbles(true);
            if let Ok(ev) = web_sys::MouseEvent::new_with_mouse_event_init_dict("dblclick", &init) {
                let target: &web_sys::EventTarget = &layer_el;
                let _ = target.dispatch_event(&ev);
            }
        }
    };
    let on_key = move |ev: web_sys::KeyboardEvent| {
        if cut_or_paste(core, layer, drag, &ev) {
            return;
        }
        let action = match ev.key().as_str() {
            "ArrowDown" if !ev.alt_key() => {
                step(1);
                None
            }
            "ArrowUp" if !ev.alt_key() => {
                step(-1);
                None
            }
            "ArrowUp" => Some(StructureAction::MoveUp),
            "ArrowDown" => Some(StructureAction::MoveDown),
            "Delete" | "Backspace" => Some(StructureAction::Delete),
            "d" | "D" if ev.ctrl_key() || ev.meta_key() => Some(StructureAction::Duplicate),
            "Enter" => {
                type_here();
                None
            }
            "Escape" => {
                core.selection.set(None);
                layer.draw(None, "selected");
                None
            }
            _ => return,
        };
        ev.prevent_default();
        if let Some(action) = action {
            act(core, action);
        }
    };
    view! {
        <aside class="outline-panel" class:open=move || open.get() data-test="outline">
            <button class="toggle" data-test="outline-toggle" aria-expanded=move || open.get().to_string()
                title="The email's structure as a tree" on:click=move |_| open.update(|o| *o = !*o)>
                {move || if open.get() { "Outline ◂" } else { "Outline ▸" }}
            </button>
            {move || open.get().then(|| view! {
                <ul class="outline-tree" role="tree" tabindex="0" aria-label="Outline of the email" data-test="outline-tree"
                    aria-activedescendant=move || selected_offset().map(|o| format!("outline-{o}")).unwrap_or_default()
                    on:keydown=on_key>
                    {move || rows.get().into_iter().map(|n| {
                        let offset = n.offset;
                        let element = n.kind == OutlineKind::Element;
                        let kind = match n.kind {
                            OutlineKind::Element => "element",
                            OutlineKind::Condition => "condition",
                            OutlineKind::Loop => "loop",
                            OutlineKind::Block => "block",
                            OutlineKind::Include => "include",
                        };
                        let partial = (n.kind == OutlineKind::Include)
                            .then(|| n.label.split('"').nth(1).map(str::to_owned))
                            .flatten();
                        // Deep trees indent less past ten levels, so rows stay readable in the panel.
                        let style = format!("padding-left:{}px", 6 + n.depth.min(10) * 10 + n.depth.saturating_sub(10) * 3);
                        view! {
                            <li role="treeitem" id=format!("outline-{offset}") attr:aria-level=(n.depth + 1).to_string()
                                aria-selected=move || (selected_offset() == Some(offset)).to_string()
                                class=format!("outline-row {kind}") class:selected=move || selected_offset() == Some(offset)
                                class:opaque=n.opaque style=style data-test=format!("outline-{}", n.label)
                                title=format!("{} · line {}", n.label, n.line)
                                draggable=(element && !n.opaque).then_some("true")
                                on:dragstart=move |ev: web_sys::DragEvent| if element {
                                    set_drag_data(&ev, "element");
                                    drag.begin(core, Dragged::Element { offset });
                                }
                                on:dragend=move |_| drag.end(layer)
                                on:click=move |_| if element { choose(offset) }>
                                <span class="label">{n.label.clone()}</span>
                                {n.excerpt.clone().map(|x| view! { <span class="excerpt">{x}</span> })}
                                {(n.kind == OutlineKind::Condition && !n.opaque && !n.branches.is_empty()).then(|| {
                                    let path = core.doc_path.get_untracked();
                                    view! {
                                        <super::logic::BranchSwitcher path=path.clone() offset=offset branches=n.branches.clone() />
                                        <super::logic::ConditionEditor path=path offset=offset branches=n.branches.clone() />
                                    }
                                })}
                                {(n.kind == OutlineKind::Loop && n.repeatable && !n.opaque).then(|| view! {
                                    <super::logic::LoopItemsInput path=core.doc_path.get_untracked() offset=offset label=n.label.clone() />
                                })}
                                {partial.map(|p| view! {
                                    <button class="open" title=format!("Open {p}") on:click=move |ev| { ev.stop_propagation(); core.open(&p, None); }>"Open"</button>
                                })}
                            </li>
                        }
                    }).collect_view()}
                </ul>
            })}
        </aside>
    }
}

/// The block library: MJML basics and the project's `blocks/*.mjml`; a click inserts the
/// block into the selection when it fits there, else after it (one undo step).
#[component]
pub fn BlockLibraryPanel() -> impl IntoView {
    use letterpress_protocol::commands::BlockLibrary;
    let core = expect_context::<Core>();
    let drag = expect_context::<Drag>();
    let layer = expect_context::<SelectLayer>();
    let blocks = core.library;
    // The block under the pointer or focus: its thumbnail, as the engine renders it.
    let preview_block = RwSignal::new(None::<(String, String)>);
    let open = RwSignal::new(false);
    Effect::new(move |_| {
        core.project_epoch.track();
        leptos::task::spawn_local(async move {
            if let Ok(list) = ipc::call(&BlockLibrary {}).await {
                blocks.set(list);
            }
        });
    });
    view! {
        <div class="block-library" data-test="block-library">
            <button class="toggle" data-test="blocks-toggle" aria-expanded=move || open.get().to_string()
                on:click=move |_| open.update(|o| *o = !*o)>
                {move || if open.get() { "Blocks ▾" } else { "Blocks ▸" }}
            </button>
            {move || open.get().then(|| view! {
                <span class="blocks" role="list">
                    {move || blocks.get().into_iter().map(|b| {
                        let mjml = b.mjml.clone();
                        let thumb = b.thumbnail.clone().map(|html| (b.name.clone(), html));
                        let title = format!("Insert {} (fits in {})", b.name, b.fits_in.join(", "));
                        view! {
                            <button class="block" class:project=b.project role="listitem" title=title
                                data-test=format!("block-{}", b.id.replace(['/', '.'], "-"))
                                draggable="true"
                                on:dragstart={
                                    let mjml = mjml.clone();
                                    move |ev: web_sys::DragEvent| {
                                        set_drag_data(&ev, "block");
                                        drag.begin(core, Dragged::Block { mjml: mjml.clone() });
                                    }
                                }
                                on:dragend=move |_| drag.end(layer)
                                on:mouseenter={ let t = thumb.clone(); move |_| preview_block.set(t.clone()) }
                                on:focus={ let t = thumb.clone(); move |_| preview_block.set(t.clone()) }
                                on:mouseleave=move |_| preview_block.set(None)
                                on:blur=move |_| preview_block.set(None)
                                on:click=move |_| act(core, StructureAction::InsertBlock { mjml: mjml.clone() })>
                                {b.name.clone()}
                            </button>
                        }
                    }).collect_view()}
                </span>
            })}
            {move || preview_block.get().map(|(name, html)| view! {
                <div class="block-thumb" data-test="block-thumbnail" role="img" aria-label=format!("{name}, as it renders")>
                    <iframe sandbox="" tabindex="-1" title=format!("{name}, as it renders") srcdoc=html></iframe>
                </div>
            })}
        </div>
    }
}

/// The property panel of the selection: every attribute MJML defines for the element, its
/// effective value and origin, typed inputs; a change is one minimal edit of the start tag,
/// applied in the editor as one undo step.
#[component]
pub fn PropertyPanel() -> impl IntoView {
    use letterpress_protocol::commands::{GetElementProperties, PropertyEditFor};
    use letterpress_protocol::{ElementProperties, Property, PropertyKind};
    let core = expect_context::<Core>();
    let panel = RwSignal::new(None::<ElementProperties>);
    let notice = RwSignal::new(None::<String>);
    // Read again for every selection and every render (values follow the source).
    Effect::new(move |_| {
        core.last_good_html.track();
        let Some(location) = core
            .selection
            .with(|s| s.as_ref().map(|s| s.location.clone()))
        else {
            panel.set(None);
            return;
        };
        leptos::task::spawn_local(async move {
            let asked = GetElementProperties {
                path: location.path.clone(),
                offset: location.offset,
                request: core.preview_request(),
            };
            match ipc::call(&asked).await {
                Ok(p) => panel.set(Some(p)),
                Err(_) => panel.set(None),
            }
        });
    });
    let commit = move |name: String, value: Option<String>| {
        let Some(p) = panel.get_untracked() else {
            return;
        };
        leptos::task::spawn_local(async move {
            let asked = PropertyEditFor {
                path: p.path.clone(),
                offset: p.offset,
                name: name.clone(),
                value,
                request: core.preview_request(),
            };
            match ipc::call(&asked).await {
                Ok(edits) if edits.is_empty() => notice.set(None),
                Ok(edits) => {
                    let applied = apply_edits(core, &edits);
                    notice.set((!applied).then(|| format!("Open {} to change it.", p.path)));
                }
                Err(e) => notice.set(Some(e.message)),
            }
        });
    };
    let row = move |p: Property, read_only: bool| {
        let name = p.name.clone();
        let value = p.value.clone().unwrap_or_default();
        let own = p.origin == "own";
        let input = if read_only || p.jinja {
            view! { <code class="prop-code">{value.clone()}</code> }.into_any()
        } else {
            let on_change = {
                let name = name.clone();
                move |ev: leptos::ev::Event| {
                    let v = event_target_value(&ev);
                    commit(name.clone(), (!v.is_empty()).then_some(v));
                }
            };
            match p.kind {
                _ if !p.choices.is_empty() && p.kind == PropertyKind::Color => {
                    let current = value.to_ascii_lowercase();
                    view! {
                        <span class="prop-choices" role="radiogroup" data-test=format!("prop-{name}")
                            aria-label=format!("{name}: the brand palette")>
                            {p.choices.iter().map(|c| {
                                let (name, chosen) = (name.clone(), c.clone());
                                let on = current == c.to_ascii_lowercase();
                                view! {
                                    <button class="swatch" role="radio" aria-checked=on.to_string() class:on=on
                                        title=c.clone() aria-label=c.clone() data-test=format!("swatch-{}", c.trim_start_matches('#'))
                                        style=format!("background:{c}")
                                        on:click=move |_| commit(name.clone(), Some(chosen.clone()))></button>
                                }
                            }).collect_view()}
                        </span>
                    }
                    .into_any()
                }
                _ if !p.choices.is_empty() => view! {
                    <select data-test=format!("prop-{name}") prop:value=value.clone() on:change=on_change
                        aria-label=format!("{name}: the brand's choices")>
                        <option value="">"(inherited)"</option>
                        {p.choices.iter().map(|c| view! { <option value=c.clone()>{c.clone()}</option> }).collect_view()}
                    </select>
                }
                .into_any(),
                PropertyKind::Color => {
                    let hex = (value.len() == 7 && value.starts_with('#')).then(|| value.clone());
                    let on_pick = on_change.clone();
                    view! {
                        <span class="prop-color">
                            <input type="color" aria-label=format!("{name} colour") class:unset=hex.is_none()
                                title=if hex.is_some() { "Pick a colour" } else { "No colour set: pick one" }
                                prop:value=hex.clone().unwrap_or_else(|| "#ffffff".into())
                                on:change=on_pick />
                            <input type="text" data-test=format!("prop-{name}") prop:value=value.clone()
                                placeholder="inherited" on:change=on_change />
                        </span>
                    }
                    .into_any()
                }
                PropertyKind::Align => view! {
                    <select data-test=format!("prop-{name}") prop:value=value.clone() on:change=on_change
                        aria-label=name.clone()>
                        <option value="">"(inherited)"</option>
                        {["left", "center", "right", "justify"].map(|a| view! { <option value=a>{a}</option> }).collect_view()}
                    </select>
                }
                .into_any(),
                PropertyKind::Image => {
                    let picking = RwSignal::new(false);
                    let pick_name = name.clone();
                    view! {
                        <span class="prop-image">
                            <input type="text" data-test=format!("prop-{name}") prop:value=value.clone()
                                placeholder="inherited" on:change=on_change />
                            <button data-test=format!("pick-{name}") title="Choose an image of the project's assets"
                                aria-expanded=move || picking.get().to_string()
                                on:click=move |_| picking.update(|p| *p = !*p)>"Assets…"</button>
                            {move || picking.get().then(|| {
                                let name = pick_name.clone();
                                let images = asset_choices(&core.assets.get());
                                view! {
                                    <div class="asset-picker" data-test="asset-picker" role="listbox" aria-label="Project images">
                                        {images.is_empty().then(|| view! {
                                            <p class="hint">"No images: add files under a folder of letterpress.toml's [assets]."</p>
                                        })}
                                        {images.into_iter().map(|(url, data)| {
                                            let name = name.clone();
                                            let file = url.rsplit('/').next().unwrap_or(&url).to_owned();
                                            let chosen = url.clone();
                                            view! {
                                                <button class="asset" role="option" title=url.clone() data-test="asset"
                                                    on:click=move |_| { commit(name.clone(), Some(chosen.clone())); picking.set(false); }>
                                                    <img src=data alt="" />
                                                    <span>{file}</span>
                                                </button>
                                            }
                                        }).collect_view()}
                                    </div>
                                }
                            })}
                        </span>
                    }
                    .into_any()
                }
                PropertyKind::Length if split_length(&value).is_some() || value.is_empty() => {
                    let (number, unit) = split_length(&value).unwrap_or((String::new(), "px".into()));
                    let unit = RwSignal::new(unit);
                    let number = RwSignal::new(number);
                    let send = {
                        let name = name.clone();
                        move || {
                            let n = number.get_untracked();
                            commit(name.clone(), (!n.trim().is_empty()).then(|| format!("{}{}", n.trim(), unit.get_untracked())));
                        }
                    };
                    let send_unit = send.clone();
                    view! {
                        <span class="prop-length">
                            <input type="number" step="any" data-test=format!("prop-{name}") aria-label=format!("{name} value")
                                prop:value=move || number.get() placeholder="inherited"
                                on:change=move |ev| { number.set(event_target_value(&ev)); send(); } />
                            <select aria-label=format!("{name} unit") prop:value=move || unit.get()
                                on:change=move |ev| { unit.set(event_target_value(&ev)); if !number.get_untracked().is_empty() { send_unit(); } }>
                                {["px", "%", "em", "rem"].map(|u| view! { <option value=u>{u}</option> }).collect_view()}
                            </select>
                        </span>
                    }
                    .into_any()
                }
                _ => view! {
                    <input type="text" data-test=format!("prop-{name}") prop:value=value.clone()
                        placeholder="inherited" on:change=on_change />
                }
                .into_any(),
            }
        };
        let reset_name = name.clone();
        view! {
            <tr class:own=own>
                <th scope="row">{name.clone()}</th>
                <td>{input}</td>
                <td class="origin">{if p.jinja { "Jinja: edit in code".to_owned() } else if !p.choices.is_empty() { format!("{} · brand", p.origin) } else { p.origin.clone() }}</td>
                <td>{(own && !read_only && !p.jinja).then(|| view! {
                    <button class="reset" data-test=format!("reset-{reset_name}") title="Reset to inherited"
                        on:click=move |_| commit(reset_name.clone(), None)>"↺"</button>
                })}</td>
            </tr>
        }
    };
    view! {
        {move || panel.get().map(|p| {
            let locked = core.unlocked.with(|_| is_locked(core, &p.path));
            let read_only = p.templated || locked;
            view! {
                <div class="property-panel" data-test="properties">
                    {p.templated.then(|| view! { <div class="notice">"Jinja decides these attributes: edit them in code."</div> })}
                    {(locked && !p.templated).then(|| view! { <div class="notice" data-test="properties-locked">{format!("From {}, shared with other templates: locked here.", p.path)}</div> })}
                    {move || notice.get().map(|n| view! { <div class="notice" data-test="property-notice">{n}</div> })}
                    <table>
                        <tbody>
                            {p.properties.into_iter().map(|prop| row(prop, read_only)).collect_view()}
                        </tbody>
                    </table>
                </div>
            }
        })}
    }
}

/// The images the picker offers: one per file (two `[assets]` prefixes may map one folder),
/// under its shortest production URL (the most specific prefix), sorted by URL.
fn asset_choices(assets: &std::collections::BTreeMap<String, String>) -> Vec<(String, String)> {
    let mut by_file: std::collections::BTreeMap<&str, &str> = std::collections::BTreeMap::new();
    for (url, data) in assets {
        let entry = by_file.entry(data.as_str()).or_insert(url.as_str());
        if url.len() < entry.len() {
            *entry = url.as_str();
        }
    }
    let mut choices: Vec<(String, String)> = by_file
        .into_iter()
        .map(|(data, url)| (url.to_owned(), data.to_owned()))
        .collect();
    choices.sort();
    choices
}

/// A single length as number and unit (`12px` → ("12", "px"), `0` → ("0", "px")); `None`
/// for several values (`0 0 16px 0`) or anything else, edited as text.
fn split_length(value: &str) -> Option<(String, String)> {
    let value = value.trim();
    let digits = value
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-'))
        .unwrap_or(value.len());
    let (number, unit) = value.split_at(digits);
    if number.is_empty() || number.parse::<f64>().is_err() {
        return None;
    }
    match unit {
        "" if number.parse::<f64>().ok() == Some(0.0) => Some((number.to_owned(), "px".into())),
        "px" | "%" | "em" | "rem" => Some((number.to_owned(), unit.to_owned())),
        _ => None,
    }
}

/// A message being edited in place: its key, the preview's locale, and where it is drawn.
#[derive(Debug, Clone, PartialEq)]
pub struct InlineMessage {
    pub key: String,
    pub locale: String,
    /// The locale's own text, or its fallback's (then saving creates it in `locale`).
    pub text: String,
    /// The locale whose text it shows when `locale` has none.
    pub inherited_from: Option<String>,
    pub left: f64,
    pub top: f64,
    pub width: f64,
    pub height: f64,
}

/// A double-click on a message of the email: edit it in place, in the preview's locale.
/// `false`: no message there.
pub fn edit_message_at(
    core: Core,
    translations: Translations,
    layer: SelectLayer,
    inline: RwSignal<Option<InlineMessage>>,
    notice: RwSignal<Option<String>>,
    client_x: f64,
    client_y: f64,
) -> bool {
    let (Some(frame), Some(overlay)) = (layer.frame(), layer.overlay()) else {
        return false;
    };
    let found = ipc::preview_message_at(&frame, &overlay, client_x, client_y);
    let get = |name: &str| js_sys::Reflect::get(&found, &name.into()).ok();
    let Some(key) = get("key").and_then(|k| k.as_string()) else {
        return false;
    };
    let number = |name: &str| get(name).and_then(|v| v.as_f64()).unwrap_or(0.0);
    let (left, top, width, height) = (
        number("left"),
        number("top"),
        number("width"),
        number("height"),
    );
    let locale = core.locale.get_untracked();
    let place = (left, top, width, height);
    leptos::task::spawn_local(async move {
        open_message(
            core,
            translations,
            inline,
            notice,
            MessageKey::Known(key),
            locale,
            place,
        )
        .await;
    });
    true
}

/// Which message to edit in place.
enum MessageKey {
    /// Marked in the preview (`<!--lp:t:key-->`).
    Known(String),
    /// Shown by an expression (a macro's argument): the message whose text in the preview's
    /// locale is exactly this.
    ShowingText(String),
}

/// Opens the in-place editor of a message at `place` (left, top, width, height) in the
/// preview's locale (a plural or select message opens the translators' cell editor).
async fn open_message(
    core: Core,
    translations: Translations,
    inline: RwSignal<Option<InlineMessage>>,
    notice: RwSignal<Option<String>>,
    key: MessageKey,
    locale: String,
    place: (f64, f64, f64, f64),
) {
    use letterpress_protocol::commands::{GetLocaleGrid, KeysForText};
    let grid = match ipc::call(&GetLocaleGrid {}).await {
        Ok(g) => g,
        Err(e) => return notice.set(Some(e.message)),
    };
    let text_in = |row: &letterpress_protocol::locales::GridRow| {
        let cell = |l: &str| row.cells.iter().find(|c| c.locale == l);
        match cell(&locale).and_then(|c| c.text.clone()) {
            Some(t) => (t, None),
            None => {
                let from = cell(&locale)
                    .and_then(|c| c.fallback_locale.clone())
                    .unwrap_or_else(|| grid.default_locale.clone());
                (
                    cell(&from).and_then(|c| c.text.clone()).unwrap_or_default(),
                    Some(from),
                )
            }
        }
    };
    let key = match key {
        MessageKey::Known(key) => key,
        MessageKey::ShowingText(shown) => {
            let asked = KeysForText {
                locale: locale.clone(),
                snippet: shown.clone(),
            };
            let candidates = ipc::call(&asked).await.unwrap_or_default();
            let exact: Vec<String> = candidates
                .into_iter()
                .filter(|k| {
                    grid.rows
                        .iter()
                        .find(|r| &r.key == k)
                        .is_some_and(|r| text_in(r).0.trim() == shown.trim())
                })
                .collect();
            match exact.as_slice() {
                [one] => one.clone(),
                [] => {
                    return notice.set(Some(
                        "This text comes from an expression: edit it in code.".into(),
                    ));
                }
                _ => {
                    return notice.set(Some(format!(
                        "Several messages read “{shown}” ({}): edit it in Translate.",
                        exact.join(", ")
                    )));
                }
            }
        }
    };
    let Some(row) = grid.rows.iter().find(|r| r.key == key) else {
        return notice.set(Some(format!("`{key}` is not in the catalogs.")));
    };
    let (text, inherited_from) = text_in(row);
    if text.contains("->") {
        // Variants are edited where they are all shown: the translators' cell editor.
        notice.set(None);
        return translations.open_cell(core, key, locale);
    }
    notice.set(None);
    let (left, top, width, height) = place;
    inline.set(Some(InlineMessage {
        key,
        locale,
        text,
        inherited_from,
        left,
        top,
        width,
        height,
    }));
}

/// The in-place editor of a message, over the email: Enter saves the preview locale's entry
/// through the translators' path (placeholders checked; nothing written on refusal), Escape
/// cancels. The template's .mjml is not touched.
#[component]
pub fn InlineMessageEditor(
    inline: RwSignal<Option<InlineMessage>>,
    notice: RwSignal<Option<String>>,
) -> impl IntoView {
    use letterpress_protocol::commands::SaveTranslation;
    use letterpress_protocol::locales::SetTranslation;
    let core = expect_context::<Core>();
    let error = RwSignal::new(None::<String>);
    let save = move |text: String| {
        let Some(m) = inline.get_untracked() else {
            return;
        };
        leptos::task::spawn_local(async move {
            let asked = SaveTranslation {
                translation: SetTranslation {
                    locale: m.locale.clone(),
                    key: m.key.clone(),
                    text: Some(text.clone()),
                },
            };
            match ipc::call(&asked).await {
                Ok(_) => {
                    error.set(None);
                    inline.set(None);
                    // One undo step in the editor's history, shared with typing.
                    let before = m.inherited_from.is_none().then(|| m.text.clone());
                    if let Some(h) = core.editor.get_untracked() {
                        ipc::editor_record_message(h, &m.key, &m.locale, before, Some(text));
                    }
                    notice.set(Some(format!(
                        "Saved `{}` in {} (Ctrl+Z undoes it).",
                        m.key, m.locale
                    )));
                    core.refresh();
                }
                Err(e) => error.set(Some(e.message)),
            }
        });
    };
    view! {
        {move || inline.get().map(|m| {
            let style = format!(
                "left:{}px;top:{}px;min-width:{}px;min-height:{}px",
                m.left - 4.0, m.top - 4.0, (m.width + 8.0).max(160.0), m.height + 8.0
            );
            let label = match &m.inherited_from {
                Some(from) => format!("{} · {} (from {from}: saving creates it in {})", m.key, m.locale, m.locale),
                None => format!("{} · {}", m.key, m.locale),
            };
            let on_key = move |ev: web_sys::KeyboardEvent| {
                if ev.key() == "Escape" {
                    ev.prevent_default();
                    error.set(None);
                    inline.set(None);
                } else if ev.key() == "Enter" && !ev.shift_key() {
                    ev.prevent_default();
                    save(event_target_value(&ev));
                }
            };
            view! {
                <div class="inline-message" style=style data-test="inline-message">
                    <div class="inline-label">{label}</div>
                    <textarea data-test="inline-text" prop:value=m.text.clone() on:keydown=on_key
                        aria-label="Message text (Enter saves, Escape cancels)" autofocus=true></textarea>
                    {move || error.get().map(|e| view! { <div class="inline-error" data-test="inline-error">{e}</div> })}
                </div>
            }
        })}
    }
}

/// [`apply_edits`] of a structure or logic change (the preview marks it at once); when they
/// are for a file that is not open, says so.
pub(super) fn apply_visual_edits(core: Core, edits: &[letterpress_protocol::EditorEdit]) -> bool {
    let applied = apply_edits(core, edits);
    if !applied && let Some(e) = edits.first() {
        core.visual_notice
            .set(Some((format!("Open {} to change it.", e.path), true)));
    }
    applied
}

/// Applies the edits of one visual action in the editor as one undo step; `false` when they
/// are for another file than the one open (nothing applied). The preview after it comes
/// with its markers at once (the designer goes on selecting): they are those of the preview
/// shown, except where the edit changed elements, so it is the cheapest preview to patch in.
fn apply_edits(core: Core, edits: &[letterpress_protocol::EditorEdit]) -> bool {
    if !edits
        .iter()
        .all(|e| e.path == core.doc_path.get_untracked())
    {
        return false;
    }
    core.expect_visual_edit(true);
    let applied = core.editor.get_untracked().is_some_and(|h| {
        serde_wasm_bindgen::to_value(edits).is_ok_and(|list| ipc::editor_apply_edits(h, &list))
    });
    // The change (if any) came synchronously: the next one is typing again.
    core.expect_visual_edit(false);
    applied
}

/// Undo or redo reached a message edited from the preview: write back the text it had
/// (`None`: the locale had no entry) through the translators' path.
pub fn put_back_message(core: Core, key: String, locale: String, text: Option<String>) {
    use letterpress_protocol::commands::SaveTranslation;
    use letterpress_protocol::locales::SetTranslation;
    leptos::task::spawn_local(async move {
        let asked = SaveTranslation {
            translation: SetTranslation { locale, key, text },
        };
        match ipc::call(&asked).await {
            Ok(_) => core.refresh(),
            Err(e) => core.fail(&e),
        }
    });
}

/// The in-place editors of the preview and their notice line.
#[derive(Clone, Copy)]
pub struct InPlaceEditors {
    /// A message being edited.
    pub inline: RwSignal<Option<InlineMessage>>,
    /// Literal text being typed over.
    pub literal: RwSignal<Option<InlineLiteral>>,
    /// Why a double-click opened nothing.
    pub notice: RwSignal<Option<String>>,
}

/// Literal text of the template being typed over in place: the element, its visible text
/// (Jinja as chips), and where it is drawn (with the email's font).
#[derive(Debug, Clone, PartialEq)]
pub struct InlineLiteral {
    pub text: InlineText,
    pub left: f64,
    pub top: f64,
    pub width: f64,
    pub height: f64,
    /// The element's font, colour and alignment as CSS.
    pub style: String,
    /// The point double-clicked (the caret goes there).
    pub at: (f64, f64),
}

/// A double-click on literal text of the email: type over it in place.
pub fn edit_text_at(
    core: Core,
    translations: Translations,
    layer: SelectLayer,
    editors: InPlaceEditors,
    client_x: f64,
    client_y: f64,
) {
    let InPlaceEditors {
        inline,
        literal,
        notice,
    } = editors;
    use letterpress_protocol::commands::GetInlineText;
    let (Some(frame), Some(overlay)) = (layer.frame(), layer.overlay()) else {
        return;
    };
    let found = ipc::preview_element_box_at(&frame, &overlay, client_x, client_y);
    let get = |name: &str| js_sys::Reflect::get(&found, &name.into()).ok();
    let Some((path, offset)) = get("marker")
        .and_then(|m| m.as_string())
        .and_then(|m| core.source_of(&m))
    else {
        notice.set(Some("No text of the template there.".into()));
        return;
    };
    let locked = is_locked(core, &path);
    let shared = path.clone();
    let number = |name: &str| get(name).and_then(|v| v.as_f64()).unwrap_or(0.0);
    let (left, top, width, height) = (
        number("left"),
        number("top"),
        number("width"),
        number("height"),
    );
    let style = get("style").and_then(|v| v.as_string()).unwrap_or_default();
    let shown = get("text").and_then(|v| v.as_string()).unwrap_or_default();
    leptos::task::spawn_local(async move {
        match ipc::call(&GetInlineText { path, offset }).await {
            // Only expressions (a macro's `{{ label }}`): the text may be a message passed in.
            Ok(text)
                if !shown.trim().is_empty()
                    && text
                        .pieces
                        .iter()
                        .all(|p| matches!(p, InlinePiece::Chip { .. })) =>
            {
                let locale = core.locale.get_untracked();
                open_message(
                    core,
                    translations,
                    inline,
                    notice,
                    MessageKey::ShowingText(shown),
                    locale,
                    (left, top, width, height),
                )
                .await;
            }
            // Literal text of a shared file: locked here (a message above is the catalog's).
            Ok(_) if locked => say_locked(core, &shared),
            Ok(text) => {
                notice.set(None);
                literal.set(Some(InlineLiteral {
                    text,
                    left,
                    top,
                    width,
                    height,
                    style,
                    at: (client_x, client_y),
                }));
            }
            Err(e) => notice.set(Some(e.message)),
        }
    });
}

/// The pieces an in-place editor holds now: its text nodes as text, chips by their id
/// (markup the browser added around typing is read through).
fn typed_pieces(root: &web_sys::Node, chips: &[(usize, String)], out: &mut Vec<InlinePiece>) {
    use wasm_bindgen::JsCast;
    let children = root.child_nodes();
    for i in 0..children.length() {
        let Some(node) = children.item(i) else {
            continue;
        };
        if node.node_type() == web_sys::Node::TEXT_NODE {
            let text = node.text_content().unwrap_or_default();
            match out.last_mut() {
                Some(InlinePiece::Text { text: last }) => last.push_str(&text),
                _ => out.push(InlinePiece::Text { text }),
            }
            continue;
        }
        let Some(element) = node.dyn_ref::<web_sys::Element>() else {
            continue;
        };
        let chip = element
            .get_attribute("data-chip")
            .and_then(|id| id.parse::<usize>().ok())
            .and_then(|id| chips.iter().find(|(c, _)| *c == id));
        match chip {
            Some((id, code)) => out.push(InlinePiece::Chip {
                id: *id,
                code: code.clone(),
            }),
            None if element.tag_name().eq_ignore_ascii_case("br") => {}
            None => typed_pieces(&node, chips, out),
        }
    }
}

/// The in-place editor of literal text: the element's visible text with Jinja as atomic
/// chips (Backspace deletes a whole chip), drawn in the email's font over the text. Enter or
/// leaving it writes the changed stretches into the editor as one undo step; Escape cancels.
#[component]
pub fn InlineTextEditor(literal: RwSignal<Option<InlineLiteral>>) -> impl IntoView {
    use letterpress_protocol::commands::InlineTextEditFor;
    let core = expect_context::<Core>();
    let error = RwSignal::new(None::<String>);
    let busy = StoredValue::new(false);
    let host = NodeRef::<leptos::html::Div>::new();
    let close = move || {
        error.set(None);
        literal.set(None);
    };
    let commit = move || {
        let (Some(l), Some(el)) = (literal.get_untracked(), host.get_untracked()) else {
            return;
        };
        if busy.get_value() {
            return;
        }
        busy.set_value(true);
        let chips: Vec<(usize, String)> = l
            .text
            .pieces
            .iter()
            .filter_map(|p| match p {
                InlinePiece::Chip { id, code } => Some((*id, code.clone())),
                InlinePiece::Text { .. } => None,
            })
            .collect();
        let mut pieces = Vec::new();
        let node: &web_sys::Node = &el;
        typed_pieces(node, &chips, &mut pieces);
        leptos::task::spawn_local(async move {
            let asked = InlineTextEditFor {
                path: l.text.path.clone(),
                offset: l.text.offset,
                pieces,
                request: core.preview_request(),
            };
            let sent_at = ipc::now_ms();
            let outcome = ipc::call(&asked).await;
            // The edit's own round trip (edit, checked render), for the measurements.
            ipc::record_timing("__letterpressVisualTrips", ipc::now_ms() - sent_at);
            busy.set_value(false);
            match outcome {
                Ok(edits) if edits.is_empty() => close(),
                Ok(edits) => {
                    if apply_edits(core, &edits) {
                        core.after_preview(close);
                    } else {
                        error.set(Some(format!("Open {} to change it.", l.text.path)));
                    }
                }
                Err(e) => error.set(Some(e.message)),
            }
        });
    };
    // Focus and caret once the editor is drawn.
    Effect::new(move |_| {
        let at = literal.with(|l| l.as_ref().map(|l| l.at));
        if let (Some((x, y)), Some(el)) = (at, host.get()) {
            let element: &web_sys::Element = &el;
            ipc::preview_type_in_place(element, x, y);
        }
    });
    view! {
        {move || literal.get().map(|l| {
            let frame_style = format!(
                "left:{}px;top:{}px;min-width:{}px;min-height:{}px",
                l.left - 4.0, l.top - 4.0, (l.width + 8.0).max(120.0), l.height + 8.0
            );
            let label = format!("{} · {}:{}:{} · Enter saves, Esc cancels", l.text.element, l.text.path, l.text.line, l.text.column);
            let on_key = move |ev: web_sys::KeyboardEvent| {
                if ev.key() == "Escape" {
                    ev.prevent_default();
                    busy.set_value(true);
                    close();
                    busy.set_value(false);
                } else if ev.key() == "Enter" {
                    ev.prevent_default();
                    commit();
                }
            };
            let on_blur = move |_: web_sys::FocusEvent| {
                if literal.with_untracked(Option::is_some) && error.with_untracked(Option::is_none) {
                    commit();
                }
            };
            let pieces = l.text.pieces.clone().into_iter().map(|p| match p {
                InlinePiece::Text { text } => text.into_any(),
                InlinePiece::Chip { id, code } => view! {
                    <span class="chip" contenteditable="false" data-chip=id.to_string() title="Jinja: kept as written (Backspace removes it)">{code}</span>
                }.into_any(),
            }).collect_view();
            view! {
                <div class="inline-message inline-literal" style=frame_style data-test="inline-literal">
                    <div class="inline-label">{label}</div>
                    <div class="inline-text" contenteditable="true" role="textbox" aria-multiline="false"
                        aria-label="Text (Enter saves, Escape cancels)" data-test="inline-literal-text"
                        style=l.style.clone() node_ref=host on:keydown=on_key on:blur=on_blur>{pieces}</div>
                    {move || error.get().map(|e| view! { <div class="inline-error" data-test="inline-error">{e}</div> })}
                </div>
            }
        })}
    }
}

#[cfg(test)]
mod tests {
    use super::{asset_choices, split_length};

    #[test]
    fn the_picker_offers_each_file_once_under_its_most_specific_url() {
        let assets: std::collections::BTreeMap<String, String> = [
            ("https://x.example/assets/avatars/a.png", "data:A"),
            ("https://x.example/avatars/a.png", "data:A"),
            ("https://x.example/assets/logo.png", "data:L"),
        ]
        .into_iter()
        .map(|(u, d)| (u.to_owned(), d.to_owned()))
        .collect();
        let urls: Vec<String> = asset_choices(&assets).into_iter().map(|(u, _)| u).collect();
        assert_eq!(
            urls,
            [
                "https://x.example/assets/logo.png",
                "https://x.example/avatars/a.png"
            ]
        );
    }

    #[test]
    fn single_lengths_split_into_number_and_unit_and_the_rest_stay_text() {
        let split = |v: &str| split_length(v).map(|(n, u)| format!("{n}|{u}"));
        assert_eq!(split("12px").as_deref(), Some("12|px"));
        assert_eq!(split(" 50% ").as_deref(), Some("50|%"));
        assert_eq!(split("1.5em").as_deref(), Some("1.5|em"));
        assert_eq!(split("0").as_deref(), Some("0|px"));
        assert_eq!(split("-2px").as_deref(), Some("-2|px"));
        assert_eq!(split("0 0 16px 0"), None);
        assert_eq!(
            split("12"),
            None,
            "a unitless non-zero length is not guessed"
        );
        assert_eq!(split("auto"), None);
        assert_eq!(split("12pt"), None);
        assert_eq!(split("{{ w }}"), None);
    }
}
