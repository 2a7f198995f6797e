//! Drag and drop in the visual editor: where a dragged block or element may land (computed
//! once per drag, so the drop zones follow the pointer without asking the shell), and the
//! drop itself as one checked edit.

use super::{Selects, StudioSession};
use crate::StudioError;
use letterpress_protocol::{Dragged, DropPlace, DropTarget, PreviewRequest, StructureEdit};
use letterpress_visual::{self as visual, NodeId, Place, SourceTree};

/// Elements nothing is dropped next to (the frame of the email).
const FRAME: &[&str] = &["mjml", "mj-head", "mj-body"];

/// Elements whose children sit side by side.
const ROWS: &[&str] = &["mj-section", "mj-group"];

impl StudioSession {
    /// Where `dragged` can be dropped in `path`: every element next to which (or inside
    /// which) MJML's content model takes it, outside the head and opaque Jinja, and for an
    /// element not in or next to itself.
    pub fn drop_targets(
        &self,
        path: &str,
        dragged: &Dragged,
    ) -> Result<Vec<DropTarget>, StudioError> {
        let text = self.current_text(path)?;
        let tree = SourceTree::parse(&text);
        let (name, own_span) = dragged_name(&tree, dragged)?;
        let head = tree
            .elements()
            .find(|&id| tree.element(id).is_some_and(|e| e.name == "mj-head"))
            .and_then(|id| tree.node(id).map(|n| n.span));
        let mut out = Vec::new();
        for id in tree.elements() {
            let (Some(node), Some(element)) = (tree.node(id), tree.element(id)) else {
                continue;
            };
            let in_head =
                head.is_some_and(|h| h.start <= node.span.start && node.span.end <= h.end);
            let in_itself =
                own_span.is_some_and(|s| s.start <= node.span.start && node.span.end <= s.end);
            let inside_html = node
                .parent
                .and_then(|p| tree.element(p))
                .is_some_and(|p| p.raw_html);
            if in_head || in_itself || inside_html || node.opaque {
                continue;
            }
            let parent = node.parent.and_then(|p| tree.element(p).map(|e| (p, e)));
            let mut places = Vec::new();
            let mut edges = visual::BlockEdges::default();
            if !FRAME.contains(&element.name.as_str())
                && let Some((p, parent)) = parent
                && tree.node(p).is_some_and(|n| !n.opaque)
                && visual::fits_in(&parent.name, &name)
            {
                places.extend([DropPlace::Before, DropPlace::After]);
                // Next to the Jinja blocks it opens or closes, outside them.
                edges = visual::block_edges(&tree, id);
                if edges.before.is_some() {
                    places.push(DropPlace::BeforeBlock);
                }
                if edges.after.is_some() {
                    places.push(DropPlace::AfterBlock);
                }
            }
            if element.end_tag.is_some()
                && !element.raw_html
                && element.name != "mj-head"
                && visual::fits_in(&element.name, &name)
            {
                places.push(DropPlace::Inside);
            }
            if places.is_empty() {
                continue;
            }
            out.push(DropTarget {
                offset: node.span.start,
                name: element.name.clone(),
                places,
                horizontal: parent.is_some_and(|(_, p)| ROWS.contains(&p.name.as_str())),
                regions: visual::blocks_around(&tree, node.span)
                    .into_iter()
                    .map(|(_, label)| label)
                    .collect(),
                block_before: edges.before.map(|(_, label)| label),
                block_after: edges.after.map(|(_, label)| label),
            });
        }
        Ok(out)
    }

    /// Drops `dragged` at `place` of the element at `target`: one checked edit (a move keeps
    /// the element's bytes, re-indented to its new siblings), selecting what landed.
    pub fn drop_edit(
        &self,
        path: &str,
        dragged: &Dragged,
        target: usize,
        place: DropPlace,
        request: &PreviewRequest,
    ) -> Result<StructureEdit, StudioError> {
        let (tree, target_id) = self.element_starting_at(path, target)?;
        let text = tree.source();
        let no_block =
            || StudioError::Refused(format!("no Jinja block starts or ends at {path}:{target}"));
        let place = match place {
            DropPlace::Before => Place::Before(target_id),
            DropPlace::After => Place::After(target_id),
            DropPlace::Inside => Place::End(target_id),
            DropPlace::BeforeBlock => visual::block_edges(&tree, target_id)
                .before
                .map(|(tag, _)| Place::Before(tag))
                .ok_or_else(no_block)?,
            DropPlace::AfterBlock => visual::block_edges(&tree, target_id)
                .after
                .map(|(tag, _)| Place::After(tag))
                .ok_or_else(no_block)?,
        };
        let refused = |e: visual::EditError| StudioError::Refused(e.to_string());
        let edits = match dragged {
            Dragged::Block { mjml } => visual::insert(&tree, text, place, mjml).map_err(refused)?,
            Dragged::Element { offset } => {
                let moved = element_at(&tree, *offset).ok_or_else(|| {
                    StudioError::NotFound(format!("no element at {path}:{offset}"))
                })?;
                if letterpress_engine::instrument::opaque_elements(text).contains(offset) {
                    return Err(StudioError::Refused(
                        "Jinja decides where this element is: move it in code".into(),
                    ));
                }
                visual::move_anywhere(&tree, text, moved, place).map_err(refused)?
            }
        };
        self.finish_structure_edit(path, text, target, edits, Selects::Placed, request)
    }
}

fn element_at(tree: &SourceTree, offset: usize) -> Option<NodeId> {
    tree.element_at(offset).filter(|&id| {
        tree.element(id)
            .is_some_and(|e| e.start_tag.start == offset)
    })
}

/// The top element name of what is dragged, and the dragged element's own span.
fn dragged_name(
    tree: &SourceTree,
    dragged: &Dragged,
) -> Result<(String, Option<visual::Span>), StudioError> {
    match dragged {
        Dragged::Block { mjml } => {
            let block = SourceTree::parse(mjml);
            let name = block
                .elements()
                .next()
                .and_then(|id| block.element(id))
                .map(|e| e.name.clone())
                .ok_or_else(|| StudioError::Refused("the block holds no MJML element".into()))?;
            Ok((name, None))
        }
        Dragged::Element { offset } => {
            let id = element_at(tree, *offset)
                .ok_or_else(|| StudioError::NotFound(format!("no element at byte {offset}")))?;
            let name = tree.element(id).map(|e| e.name.clone()).unwrap_or_default();
            Ok((name, tree.node(id).map(|n| n.span)))
        }
    }
}
