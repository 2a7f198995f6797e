//! The one typed client for the Tauri shell: commands through `invoke` (each a declaration of
//! `letterpress_protocol::commands`, so names and types come from there), events through
//! `listen`, and the CodeMirror editor bundle (`window.LetterpressEditor`).

use letterpress_protocol::commands::Invocation;
use letterpress_protocol::{Answer, Command, Event, IpcCode, IpcError};
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = ["window", "__TAURI__", "core"], js_name = invoke, catch)]
    async fn tauri_invoke(cmd: &str, args: JsValue) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(js_namespace = ["window", "__TAURI__", "event"], js_name = listen, catch)]
    async fn tauri_listen(event: &str, handler: &js_sys::Function) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(js_namespace = LetterpressEditor, js_name = create)]
    pub fn editor_create(parent: &web_sys::HtmlElement, options: &JsValue) -> u32;
    #[wasm_bindgen(js_namespace = LetterpressEditor, js_name = setDoc)]
    pub fn editor_set_doc(handle: u32, text: &str);
    #[wasm_bindgen(js_namespace = LetterpressEditor, js_name = getDoc)]
    pub fn editor_get_doc(handle: u32) -> String;
    #[wasm_bindgen(js_namespace = LetterpressEditor, js_name = setLanguage)]
    pub fn editor_set_language(handle: u32, language: &str);
    #[wasm_bindgen(js_namespace = LetterpressEditor, js_name = setDiagnostics)]
    pub fn editor_set_diagnostics(handle: u32, list: &JsValue);
    #[wasm_bindgen(js_namespace = LetterpressEditor, js_name = goto)]
    pub fn editor_goto(handle: u32, line: u32, column: u32);
    /// Moves the cursor there and scrolls to it, without taking the focus.
    #[wasm_bindgen(js_namespace = LetterpressEditor, js_name = reveal)]
    pub fn editor_reveal(handle: u32, line: u32, column: u32);
    /// Applies the edits of one visual action (`[{ from_line, from_column, to_line,
    /// to_column, insert }]`, positions in the current text) as one undo step.
    #[wasm_bindgen(js_namespace = LetterpressEditor, js_name = applyEdits)]
    pub fn editor_apply_edits(handle: u32, edits: &JsValue) -> bool;
    /// Records a catalog message changed from the preview (already saved) as one undo step;
    /// undo and redo call the editor's `onMessage(key, locale, text)`.
    #[wasm_bindgen(js_namespace = LetterpressEditor, js_name = recordMessage)]
    pub fn editor_record_message(
        handle: u32,
        key: &str,
        locale: &str,
        before: Option<String>,
        after: Option<String>,
    ) -> bool;
    #[wasm_bindgen(js_namespace = LetterpressEditor, js_name = compare)]
    pub fn editor_compare(
        parent: &web_sys::HtmlElement,
        left: &str,
        right: &str,
        language: &str,
    ) -> u32;
    #[wasm_bindgen(js_namespace = LetterpressEditor, js_name = destroyCompare)]
    pub fn editor_destroy_compare(handle: u32);

    /// Patches `html` into the preview iframe (see ui/editor/preview.js).
    #[wasm_bindgen(js_namespace = LetterpressPreview, js_name = show)]
    pub fn preview_show(frame: &JsValue, html: &str);

    /// The marker (`F-O`) of the email's element under a point of the app's viewport.
    #[wasm_bindgen(js_namespace = LetterpressPreview, js_name = markerAt)]
    pub fn preview_marker_at(frame: &JsValue, client_x: f64, client_y: f64) -> Option<String>;
    /// The markers of a marker's first box and of the boxes around it, outermost first.
    #[wasm_bindgen(js_namespace = LetterpressPreview, js_name = ancestry)]
    pub fn preview_ancestry(frame: &JsValue, marker: &str) -> Vec<String>;
    /// The message (`t()` output) under a point: `{ key, left, top, width, height }`
    /// relative to the overlay, or null.
    #[wasm_bindgen(js_namespace = LetterpressPreview, js_name = messageAt)]
    pub fn preview_message_at(
        frame: &JsValue,
        layer: &JsValue,
        client_x: f64,
        client_y: f64,
    ) -> JsValue;
    /// The marked element under a point: `{ marker, left, top, width, height, style }`
    /// relative to the overlay (`style`: its font and colour as CSS), or null.
    #[wasm_bindgen(js_namespace = LetterpressPreview, js_name = elementBoxAt)]
    pub fn preview_element_box_at(
        frame: &JsValue,
        layer: &JsValue,
        client_x: f64,
        client_y: f64,
    ) -> JsValue;
    /// Focuses an in-place editor, puts the caret at the point, and makes paste plain text.
    #[wasm_bindgen(js_namespace = LetterpressPreview, js_name = typeInPlace)]
    pub fn preview_type_in_place(element: &web_sys::Element, client_x: f64, client_y: f64);
    /// The centre of a marker's first box in the app's viewport (scrolled into view first):
    /// `{ x, y }`, or null.
    #[wasm_bindgen(js_namespace = LetterpressPreview, js_name = centreOf)]
    pub fn preview_centre_of(frame: &JsValue, marker: &str) -> JsValue;
    /// How many boxes of the email carry a marker.
    #[wasm_bindgen(js_namespace = LetterpressPreview, js_name = count)]
    pub fn preview_count(frame: &JsValue, marker: &str) -> u32;
    /// Outlines every box of a marker (`None`: none) in the overlay, as "selected" or "hovered".
    #[wasm_bindgen(js_namespace = LetterpressPreview, js_name = outline)]
    pub fn preview_outline(frame: &JsValue, layer: &JsValue, marker: Option<String>, kind: &str);
    /// Hatches every box of the given markers (opaque elements) in the overlay.
    #[wasm_bindgen(js_namespace = LetterpressPreview, js_name = hatch)]
    pub fn preview_hatch(frame: &JsValue, layer: &JsValue, markers: Vec<String>);
    /// The first box of a marker in the app's viewport: `{ left, top, width, height }`, or null.
    #[wasm_bindgen(js_namespace = LetterpressPreview, js_name = boxOf)]
    pub fn preview_box_of(frame: &JsValue, marker: &str) -> JsValue;
    /// Draws (or, with no marker, removes) the drop zone of a drag in the overlay.
    #[wasm_bindgen(js_namespace = LetterpressPreview, js_name = dropZone)]
    pub fn preview_drop_zone(
        frame: &JsValue,
        layer: &JsValue,
        marker: Option<String>,
        place: &str,
        horizontal: bool,
        label: &str,
    );
    /// Frames the Jinja blocks around the selection: `[{ label, kind, markers }]`.
    #[wasm_bindgen(js_namespace = LetterpressPreview, js_name = frames)]
    pub fn preview_frames(frame: &JsValue, layer: &JsValue, list: &JsValue);
    /// Scrolls the email under the overlay; the outlines follow.
    #[wasm_bindgen(js_namespace = LetterpressPreview, js_name = scrollBy)]
    pub fn preview_scroll_by(frame: &JsValue, dx: f64, dy: f64);

    #[wasm_bindgen(js_namespace = ["window", "__TAURI__", "window"], js_name = getCurrentWindow, catch)]
    fn current_window() -> Result<JsValue, JsValue>;
}

fn to_error(e: JsValue) -> IpcError {
    serde_wasm_bindgen::from_value(e.clone()).unwrap_or_else(|_| {
        IpcError::new(
            IpcCode::Ipc,
            e.as_string().unwrap_or_else(|| format!("{e:?}")),
        )
    })
}

/// Calls the shell's command `C` (declared in `letterpress_protocol::commands`) and decodes
/// its answer.
pub async fn call<C: Command>(command: &C) -> Answer<C> {
    let args = serde_wasm_bindgen::to_value(&Invocation { args: command })
        .map_err(|e| IpcError::new(IpcCode::Ipc, e.to_string()))?;
    let value = tauri_invoke(C::NAME, args).await.map_err(to_error)?;
    serde_wasm_bindgen::from_value(value)
        .map_err(|e| IpcError::new(IpcCode::Ipc, format!("{}: unexpected answer: {e}", C::NAME)))
}

/// Calls `f` with every payload of event `E`, for the life of the page.
pub async fn listen<E: Event>(f: impl Fn(E::Payload) + 'static)
where
    E::Payload: 'static,
{
    let handler = Closure::<dyn Fn(JsValue)>::new(move |e: JsValue| {
        let payload = js_sys::Reflect::get(&e, &"payload".into()).unwrap_or(JsValue::NULL);
        if let Ok(value) = serde_wasm_bindgen::from_value(payload) {
            f(value);
        }
    });
    let function: js_sys::Function = handler.into_js_value().unchecked_into();
    let _ = tauri_listen(E::NAME, &function).await;
}

/// Milliseconds since page load (for keystroke → preview timings).
pub fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

/// Appends a measurement to the array `window[list]` (keystroke → preview latencies and
/// engine times, read by the e2e tests).
pub fn record_timing(list: &str, ms: f64) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let key = JsValue::from_str(list);
    let list = match js_sys::Reflect::get(&window, &key) {
        Ok(v) if v.is_object() => v,
        _ => {
            let a = js_sys::Array::new().into();
            let _ = js_sys::Reflect::set(&window, &key, &a);
            a
        }
    };
    let list: js_sys::Array = list.unchecked_into();
    list.push(&JsValue::from_f64(ms));
}

/// Sets the native window title (the document title is not shown by every platform).
pub fn set_window_title(title: &str) {
    let Ok(window) = current_window() else {
        return;
    };
    if let Ok(set) = js_sys::Reflect::get(&window, &"setTitle".into())
        && let Some(set) = set.dyn_ref::<js_sys::Function>()
    {
        // Returns a promise; a refusal only leaves the old title.
        let _ = set.call1(&window, &title.into());
    }
}
