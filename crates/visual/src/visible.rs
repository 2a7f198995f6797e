//! An element's text as a reader sees it, and typing over it in place.
//!
//! In the source, a paragraph is often written over several indented lines; the reader sees
//! it on one line, with each whitespace run shown as one space and the edges trimmed. The
//! in-place editor shows that visible text, with Jinja tokens as atomic chips. Writing it back
//! ([`set_visible_text`]) compares the new visible text with the old one zone by zone
//! (between kept chips), keeps the source bytes of the unchanged start and end of each zone
//! (indentation and line breaks included) and writes only the changed middle, through
//! [`crate::set_text`], so entities, chips and everything else keep their bytes.

use crate::edit::{EditError, TextEdit, set_text};
use crate::text::TextSegment;
use crate::tree::{NodeId, NodeKind, SourceTree};
use serde::{Deserialize, Serialize};
use std::ops::Range;

/// One piece of visible text: what the reader reads, or a Jinja token shown as a chip.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "value", rename_all = "kebab-case")]
pub enum VisiblePiece {
    /// Text as shown (whitespace runs as one space, the element's edges trimmed).
    Text(String),
    /// A Jinja token of the text, by node id (kept byte for byte, may be left out).
    Chip(NodeId),
}

/// The text of an element, ready for the in-place editor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VisibleText {
    /// The element's text run; `None` for an empty element.
    pub run: Option<NodeId>,
    /// What the reader sees, in order; empty texts left out.
    pub pieces: Vec<VisiblePiece>,
}

/// The text of `element` as the reader sees it. Refused when the element holds markup (child
/// elements or comments: edit one part, or in code), is read-only, or is not content.
pub fn visible_text(tree: &SourceTree, element: NodeId) -> Result<VisibleText, EditError> {
    let run = text_run_of(tree, element)?;
    let Some(run) = run else {
        return Ok(VisibleText {
            run: None,
            pieces: Vec::new(),
        });
    };
    let zones = Zones::of(tree, run)?;
    let mut pieces = Vec::new();
    for (index, zone) in zones.zones.iter().enumerate() {
        if index > 0 {
            pieces.push(VisiblePiece::Chip(zones.chips[index - 1]));
        }
        let shown = zone.visible();
        if !shown.is_empty() {
            pieces.push(VisiblePiece::Text(shown));
        }
    }
    Ok(VisibleText {
        run: Some(run),
        pieces,
    })
}

/// The edits that make `element` read `pieces` (a changed [`visible_text`]): chips may be
/// left out (not reordered, and statements never), the unchanged start and end of each text
/// between chips keep their source bytes, and typed text is escaped. An unchanged text gives
/// no edit.
pub fn set_visible_text(
    tree: &SourceTree,
    text: &str,
    element: NodeId,
    pieces: &[VisiblePiece],
) -> Result<Vec<TextEdit>, EditError> {
    let run = text_run_of(tree, element)?;
    let Some(run) = run else {
        let typed: String = pieces
            .iter()
            .filter_map(|p| match p {
                VisiblePiece::Text(t) => Some(t.as_str()),
                VisiblePiece::Chip(_) => None,
            })
            .collect();
        if let Some(VisiblePiece::Chip(id)) =
            pieces.iter().find(|p| matches!(p, VisiblePiece::Chip(_)))
        {
            return Err(EditError::UnknownChip(*id));
        }
        if typed.is_empty() {
            return Ok(Vec::new());
        }
        return set_text(tree, text, element, &[TextSegment::Literal(typed)]);
    };
    let zones = Zones::of(tree, run)?;
    // The new visible text of each stretch between kept chips.
    let mut kept: Vec<NodeId> = Vec::new();
    let mut typed: Vec<String> = vec![String::new()];
    for piece in pieces {
        match piece {
            VisiblePiece::Text(t) => {
                if let Some(last) = typed.last_mut() {
                    last.push_str(t);
                }
            }
            VisiblePiece::Chip(id) => {
                let position = zones
                    .chips
                    .iter()
                    .position(|c| c == id)
                    .ok_or(EditError::UnknownChip(*id))?;
                if kept
                    .last()
                    .and_then(|last| zones.chips.iter().position(|c| c == last))
                    .is_some_and(|p| p >= position)
                {
                    return Err(EditError::ChipsReordered);
                }
                kept.push(*id);
                typed.push(String::new());
            }
        }
    }
    // Stretch k spans the old zones from after kept chip k-1 up to before kept chip k.
    let mut bounds: Vec<usize> = vec![0];
    for id in &kept {
        if let Some(p) = zones.chips.iter().position(|c| c == id) {
            bounds.push(p + 1);
        }
    }
    bounds.push(zones.zones.len());
    let mut segments = Vec::new();
    for (k, new_visible) in typed.iter().enumerate() {
        if k > 0 {
            segments.push(TextSegment::Jinja(kept[k - 1]));
        }
        let stretch = Stretch::join(&zones.zones[bounds[k]..bounds[k + 1]]);
        segments.push(TextSegment::Literal(stretch.rewritten(new_visible)));
    }
    set_text(tree, text, run, &segments)
}

/// The element's only text run (`None` when it is empty), or why it has none to edit.
fn text_run_of(tree: &SourceTree, element: NodeId) -> Result<Option<NodeId>, EditError> {
    let node = tree.node(element).ok_or(EditError::NoSuchNode(element))?;
    let Some(found) = node.element() else {
        return Err(EditError::NotAnElement);
    };
    if node.opaque {
        return Err(EditError::Opaque);
    }
    if found.content.is_none() {
        return Err(EditError::NotATextRun);
    }
    // The same rule as `set_text`: text a reader sees, not CSS or what sits between elements.
    if !found.raw_html || matches!(found.name.as_str(), "mj-style" | "style" | "script") {
        return Err(EditError::NotTextContent {
            parent: found.name.clone(),
        });
    }
    let mut run = None;
    for &child in &node.children {
        let Some(part) = tree.node(child) else {
            continue;
        };
        match &part.kind {
            NodeKind::TextRun if run.is_none() => run = Some(child),
            NodeKind::Element(inner) => {
                return Err(EditError::HoldsMarkup {
                    inner: inner.name.clone(),
                });
            }
            _ => {
                return Err(EditError::HoldsMarkup {
                    inner: "<!-- -->".into(),
                });
            }
        }
    }
    Ok(run)
}

/// A run as the literal zones between its Jinja chips.
struct Zones {
    chips: Vec<NodeId>,
    zones: Vec<Zone>,
}

impl Zones {
    fn of(tree: &SourceTree, run: NodeId) -> Result<Zones, EditError> {
        let segments = crate::text::segments(tree, run).ok_or(EditError::NotATextRun)?;
        let mut chips = Vec::new();
        let mut decoded = vec![String::new()];
        for segment in segments {
            match segment {
                TextSegment::Literal(t) => push(&mut decoded, &t),
                TextSegment::Entity { decoded: d, .. } => push(&mut decoded, &d),
                TextSegment::Jinja(id) => {
                    chips.push(id);
                    decoded.push(String::new());
                }
            }
        }
        let last = decoded.len() - 1;
        let zones = decoded
            .into_iter()
            .enumerate()
            .map(|(i, d)| Zone::new(d, i == 0, i == last))
            .collect();
        Ok(Zones { chips, zones })
    }
}

fn push(zones: &mut [String], text: &str) {
    if let Some(last) = zones.last_mut() {
        last.push_str(text);
    }
}

/// HTML's whitespace (the characters a browser collapses; not U+00A0).
fn is_html_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\u{c}')
}

/// One zone's decoded text and how each visible character maps back to it.
struct Zone {
    decoded: String,
    /// Per visible character: its byte range in `decoded` (a space: the whole run).
    shown: Vec<(char, Range<usize>)>,
    /// Bytes of leading whitespace not shown (the element's start).
    lead: usize,
    /// Where trailing whitespace not shown starts (the element's end).
    trail: usize,
}

impl Zone {
    fn new(decoded: String, trim_start: bool, trim_end: bool) -> Zone {
        let mut shown: Vec<(char, Range<usize>)> = Vec::new();
        for (i, c) in decoded.char_indices() {
            let end = i + c.len_utf8();
            if is_html_space(c) {
                match shown.last_mut() {
                    Some((' ', range)) if range.end == i => range.end = end,
                    _ => shown.push((' ', i..end)),
                }
            } else {
                shown.push((c, i..end));
            }
        }
        let mut lead = 0;
        if trim_start
            && shown
                .first()
                .is_some_and(|(c, r)| *c == ' ' && r.start == 0)
        {
            lead = shown.remove(0).1.end;
        }
        let mut trail = decoded.len();
        if trim_end
            && shown
                .last()
                .is_some_and(|(c, r)| *c == ' ' && r.end == decoded.len())
        {
            trail = shown.pop().map_or(trail, |(_, r)| r.start);
        }
        let trail = trail.max(lead);
        Zone {
            decoded,
            shown,
            lead,
            trail,
        }
    }

    fn visible(&self) -> String {
        self.shown.iter().map(|(c, _)| *c).collect()
    }
}

/// Consecutive zones whose chips between them are left out, as one decoded text.
struct Stretch {
    decoded: String,
    shown: Vec<(char, Range<usize>)>,
    lead: usize,
    trail: usize,
}

impl Stretch {
    fn join(zones: &[Zone]) -> Stretch {
        let mut decoded = String::new();
        let mut shown = Vec::new();
        let (mut lead, mut trail) = (0, 0);
        for (i, zone) in zones.iter().enumerate() {
            let base = decoded.len();
            if i == 0 {
                lead = zone.lead;
            }
            shown.extend(
                zone.shown
                    .iter()
                    .map(|(c, r)| (*c, r.start + base..r.end + base)),
            );
            decoded.push_str(&zone.decoded);
            trail = base + zone.trail;
        }
        Stretch {
            decoded,
            shown,
            lead,
            trail,
        }
    }

    /// The decoded text that reads `new`: the source of the longest unchanged visible start
    /// and end, the typed middle between.
    fn rewritten(&self, new: &str) -> String {
        let new: Vec<char> = new.chars().collect();
        let old: Vec<char> = self.shown.iter().map(|(c, _)| *c).collect();
        let prefix = old.iter().zip(&new).take_while(|(a, b)| a == b).count();
        let room = old.len().min(new.len()) - prefix;
        let suffix = old
            .iter()
            .rev()
            .zip(new.iter().rev())
            .take(room)
            .take_while(|(a, b)| a == b)
            .count();
        let head_end = if prefix == 0 {
            self.lead
        } else {
            self.shown[prefix - 1].1.end
        };
        let tail_start = if suffix == 0 {
            self.trail
        } else {
            self.shown[old.len() - suffix].1.start
        };
        let middle: String = new[prefix..new.len() - suffix].iter().collect();
        format!(
            "{}{middle}{}",
            &self.decoded[..head_end],
            &self.decoded[tail_start.max(head_end)..]
        )
    }
}
