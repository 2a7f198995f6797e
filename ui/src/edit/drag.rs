//! Drag and drop in the visual editor: blocks from the library, the selected element (its
//! handle) and outline rows dragged over the preview. Where a drop may land is asked once
//! when the drag starts; while dragging, the zone under the pointer (before / after / into
//! an element, naming the Jinja blocks it enters) is found in the preview and drawn in the
//! overlay without a round trip. The keyboard's equivalent: Ctrl+X on a selection, then
//! Ctrl+V on the element it should follow (or go into).

use super::visual::{SelectLayer, apply_visual_edits, select};
use crate::core::Core;
use crate::ipc;
use leptos::prelude::*;
use letterpress_protocol::{Dragged, DropPlace, DropTarget};
use std::collections::HashMap;

/// A drag (or a keyboard move) under way.
pub struct DragState {
    path: String,
    dragged: Dragged,
    targets: HashMap<usize, DropTarget>,
    /// The zone shown: target offset and place.
    zone: Option<(usize, DropPlace)>,
}

/// The drag under way, shared by the sources and the preview's layer.
#[derive(Clone, Copy)]
pub struct Drag(StoredValue<Option<DragState>>);

impl Drag {
    pub fn new() -> Drag {
        Drag(StoredValue::new(None))
    }

    /// Starts dragging `dragged` (of the open file): its drop targets are fetched now.
    pub fn begin(self, core: Core, dragged: Dragged) {
        use letterpress_protocol::commands::GetDropTargets;
        let path = core.doc_path.get_untracked();
        if super::visual::is_locked(core, &path) {
            super::visual::say_locked(core, &path);
            return;
        }
        self.0.set_value(Some(DragState {
            path: path.clone(),
            dragged: dragged.clone(),
            targets: HashMap::new(),
            zone: None,
        }));
        let state = self.0;
        leptos::task::spawn_local(async move {
            if let Ok(list) = ipc::call(&GetDropTargets { path, dragged }).await {
                state.update_value(|s| {
                    if let Some(s) = s {
                        s.targets = list.into_iter().map(|t| (t.offset, t)).collect();
                    }
                });
            }
        });
    }

    /// Whether a drag or keyboard move is under way.
    pub fn active(self) -> bool {
        self.0.with_value(Option::is_some)
    }

    /// Ends the drag without a drop.
    pub fn end(self, layer: SelectLayer) {
        self.0.set_value(None);
        clear_zone(layer);
    }

    /// The pointer is at (x, y) over the preview: shows the zone a drop would land in there;
    /// `false` when there is none.
    pub fn over(self, core: Core, layer: SelectLayer, x: f64, y: f64) -> bool {
        let (Some(frame), Some(overlay)) = (layer.frame(), layer.overlay()) else {
            return false;
        };
        let Some(under) = ipc::preview_marker_at(&frame, x, y) else {
            self.0.update_value(|s| {
                if let Some(s) = s {
                    s.zone = None;
                }
            });
            clear_zone(layer);
            return false;
        };
        let found = self.0.with_value(|s| {
            let s = s.as_ref()?;
            // Innermost first: the first element around the pointer that takes the drop.
            ipc::preview_ancestry(&frame, &under)
                .into_iter()
                .rev()
                .find_map(|marker| {
                    let (path, offset) = core.source_of(&marker)?;
                    let target = s.targets.get(&offset).filter(|_| path == s.path)?;
                    let place = place_at(target, &ipc::preview_box_of(&frame, &marker), x, y)?;
                    Some((
                        marker,
                        offset,
                        place,
                        label(target, place),
                        target.horizontal,
                    ))
                })
        });
        match found {
            Some((marker, offset, place, label, horizontal)) => {
                ipc::preview_drop_zone(
                    &frame,
                    &overlay,
                    Some(marker),
                    place_name(place),
                    horizontal,
                    &label,
                );
                self.0.update_value(|s| {
                    if let Some(s) = s {
                        s.zone = Some((offset, place));
                    }
                });
                true
            }
            None => {
                self.0.update_value(|s| {
                    if let Some(s) = s {
                        s.zone = None;
                    }
                });
                clear_zone(layer);
                false
            }
        }
    }

    /// Drops at the zone shown (one checked edit, one undo step) and selects what landed.
    pub fn drop_here(self, core: Core, layer: SelectLayer) {
        let state = self.0.try_update_value(Option::take).flatten();
        clear_zone(layer);
        let Some(state) = state else { return };
        let Some((target, place)) = state.zone else {
            core.visual_notice
                .set(Some(("Nothing can be dropped there.".into(), true)));
            return;
        };
        drop_at(core, layer, state.path, state.dragged, target, place);
    }

    /// Ctrl+X: the selection will move to where Ctrl+V is pressed.
    pub fn cut(self, core: Core) {
        let Some(selected) = core.selection.get_untracked() else {
            return;
        };
        if selected.location.path != core.doc_path.get_untracked() {
            core.visual_notice.set(Some((
                format!("Open {} to move it.", selected.location.path),
                true,
            )));
            return;
        }
        let name = selected
            .location
            .breadcrumb
            .last()
            .cloned()
            .unwrap_or_default();
        self.begin(
            core,
            Dragged::Element {
                offset: selected.location.offset,
            },
        );
        core.visual_notice.set(Some((
            format!(
                "Moving {name}: select the element it should follow (or go into) and press Ctrl+V; Escape cancels."
            ),
            false,
        )));
    }

    /// Ctrl+V: the element cut moves after the selection (into it when only that fits).
    pub fn paste(self, core: Core, layer: SelectLayer) {
        let Some(selected) = core.selection.get_untracked() else {
            return;
        };
        let Some(state) = self.0.try_update_value(Option::take).flatten() else {
            return;
        };
        let target = selected.location.offset;
        let place = state.targets.get(&target).and_then(|t| {
            [DropPlace::After, DropPlace::Inside]
                .into_iter()
                .find(|p| t.places.contains(p))
        });
        match place {
            Some(place) if selected.location.path == state.path => {
                drop_at(core, layer, state.path, state.dragged, target, place);
            }
            _ => {
                core.visual_notice.set(Some((
                    "It does not fit there: select another element and press Ctrl+V again.".into(),
                    true,
                )));
                self.0.set_value(Some(state));
            }
        }
    }
}

fn drop_at(
    core: Core,
    layer: SelectLayer,
    path: String,
    dragged: Dragged,
    target: usize,
    place: DropPlace,
) {
    use letterpress_protocol::commands::DropEditFor;
    leptos::task::spawn_local(async move {
        let asked = DropEditFor {
            path,
            dragged,
            target,
            place,
            request: core.preview_request(),
        };
        let sent_at = ipc::now_ms();
        let answer = ipc::call(&asked).await;
        // The drop's own round trip (targets, edit, checked render), for the measurements.
        ipc::record_timing("__letterpressVisualTrips", ipc::now_ms() - sent_at);
        match answer {
            Ok(answer) if answer.edits.is_empty() => core.visual_notice.set(None),
            Ok(answer) => {
                if apply_visual_edits(core, &answer.edits) {
                    core.after_preview(move || {
                        core.visual_notice.set(None);
                        if let Some(location) = answer.select {
                            select(core, layer, location);
                        }
                    });
                }
            }
            Err(e) => core.visual_notice.set(Some((e.message, true))),
        }
    });
}

fn clear_zone(layer: SelectLayer) {
    if let (Some(frame), Some(overlay)) = (layer.frame(), layer.overlay()) {
        ipc::preview_drop_zone(&frame, &overlay, None, "", false, "");
    }
}

/// The place of a drop at (x, y) over a target's box: outside the Jinja block it opens
/// (closes) at its outer edge, then before / after by the half the
/// pointer is in (left/right for columns), into it in the middle half when it takes that too.
fn place_at(
    target: &DropTarget,
    rect: &wasm_bindgen::JsValue,
    x: f64,
    y: f64,
) -> Option<DropPlace> {
    let get = |k: &str| {
        js_sys::Reflect::get(rect, &k.into())
            .ok()
            .and_then(|v| v.as_f64())
    };
    let (left, top, width, height) = (get("left")?, get("top")?, get("width")?, get("height")?);
    let (pos, len) = if target.horizontal {
        (x - left, width)
    } else {
        (y - top, height)
    };
    let at = if len > 0.0 { pos / len } else { 0.5 };
    // The outer edge of an element that opens (closes) a Jinja block: outside the block.
    if at < BLOCK_EDGE && target.places.contains(&DropPlace::BeforeBlock) {
        return Some(DropPlace::BeforeBlock);
    }
    if at > 1.0 - BLOCK_EDGE && target.places.contains(&DropPlace::AfterBlock) {
        return Some(DropPlace::AfterBlock);
    }
    let sides = target.places.contains(&DropPlace::Before);
    let inside = target.places.contains(&DropPlace::Inside);
    Some(match (sides, inside) {
        (true, true) if at < 0.25 => DropPlace::Before,
        (true, true) if at > 0.75 => DropPlace::After,
        (true, true) => DropPlace::Inside,
        (true, false) if at < 0.5 => DropPlace::Before,
        (true, false) => DropPlace::After,
        (false, true) => DropPlace::Inside,
        (false, false) => return None,
    })
}

/// The share of an element's box, at its start and end, where a drop goes outside the
/// Jinja block it opens or closes.
const BLOCK_EDGE: f64 = 0.15;

fn place_name(place: DropPlace) -> &'static str {
    match place {
        DropPlace::Before | DropPlace::BeforeBlock => "before",
        DropPlace::After | DropPlace::AfterBlock => "after",
        DropPlace::Inside => "inside",
    }
}

/// What the zone says: `after mj-text · in if title != ""`, or `before {% if title %},
/// outside it`.
fn label(target: &DropTarget, place: DropPlace) -> String {
    let block = match place {
        DropPlace::BeforeBlock => target.block_before.as_ref().map(|b| ("before", b)),
        DropPlace::AfterBlock => target.block_after.as_ref().map(|b| ("after", b)),
        _ => None,
    };
    if let Some((where_, block)) = block {
        let mut out = format!("{where_} {{% {block} %}}, outside it");
        let outer: Vec<&str> = target
            .regions
            .iter()
            .take_while(|r| *r != block)
            .map(String::as_str)
            .collect();
        if !outer.is_empty() {
            out.push_str(" · in ");
            out.push_str(&outer.join(" › "));
        }
        return out;
    }
    let where_ = match place {
        DropPlace::Before | DropPlace::BeforeBlock => "before",
        DropPlace::After | DropPlace::AfterBlock => "after",
        DropPlace::Inside => "into",
    };
    let mut out = format!("{where_} {}", target.name);
    if !target.regions.is_empty() {
        out.push_str(" · in ");
        out.push_str(&target.regions.join(" › "));
    }
    out
}
