//! Rearranging and building: delete, duplicate, move, insert, wrap and unwrap elements as
//! minimal text edits.
//!
//! An element is cut and placed as its bytes, never printed from a model:
//! - an element alone on its lines (only indentation before it, only whitespace after it) is
//!   a *block*: it is removed with its whole lines and placed as whole lines, re-indented to
//!   its new siblings (each continuation line's old base indentation swapped for the new);
//! - an element sharing its line with other markup is removed and placed as its own bytes.
//!
//! Moves stay among siblings of the same parent *and* the same Jinja regions: moving past a
//! `{% endif %}` would change what the condition covers, so it is refused
//! ([`EditError::CrossesRegion`]); regions change only by [`wrap`] and [`unwrap`]. Every
//! result is re-parsed and refused when elements or Jinja tokens other than the ones the
//! operation names would change, or new problems would appear.

use crate::edit::{EditError, TextEdit, apply};
use crate::jinja::JinjaKind;
use crate::span::Span;
use crate::tree::{NodeId, NodeKind, SourceTree};
use serde::{Deserialize, Serialize};

/// Where an element or snippet goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "at", content = "node", rename_all = "kebab-case")]
pub enum Place {
    /// Just before this element (same parent), or this Jinja block tag between elements
    /// (outside the block it opens: [`crate::block_edges`]).
    Before(NodeId),
    /// Just after this element, or this block tag (outside the block it closes).
    After(NodeId),
    /// As the last content of this element.
    End(NodeId),
}

/// Which way [`move_by_one`] goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Direction {
    /// Before the previous sibling element.
    Up,
    /// After the next sibling element.
    Down,
}

/// Where an element sits in its text: its bytes, and its lines when it is a block.
#[derive(Clone, Debug)]
struct Extent {
    span: Span,
    /// Whole lines (start of its first line .. after the newline of its last) when alone.
    lines: Option<Span>,
    /// Its first line's indentation when alone.
    indent: String,
}

fn is_blank(s: &str) -> bool {
    s.bytes().all(|b| matches!(b, b' ' | b'\t' | b'\r'))
}

fn extent(text: &str, span: Span) -> Extent {
    let line_start = text[..span.start].rfind('\n').map_or(0, |i| i + 1);
    let before = &text[line_start..span.start];
    let line_end = text[span.end..]
        .find('\n')
        .map_or(text.len(), |i| span.end + i);
    let after = &text[span.end..line_end];
    if is_blank(before) && !before.contains('\r') && is_blank(after) {
        let end = if line_end < text.len() {
            line_end + 1
        } else {
            line_end
        };
        Extent {
            span,
            lines: Some(Span::new(line_start, end)),
            indent: before.to_owned(),
        }
    } else {
        Extent {
            span,
            lines: None,
            indent: String::new(),
        }
    }
}

/// `slice` (whose first line starts at the element, the others indented by `from`) with its
/// continuation lines indented by `to` instead.
fn reindent(slice: &str, from: &str, to: &str) -> String {
    if from == to {
        return slice.to_owned();
    }
    let mut out = String::with_capacity(slice.len());
    for (i, line) in slice.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
            match line.strip_prefix(from) {
                Some(rest) if !line.trim().is_empty() => {
                    out.push_str(to);
                    out.push_str(rest);
                }
                _ => out.push_str(line),
            }
        } else {
            out.push_str(line);
        }
    }
    out
}

/// The well-formed Jinja regions that enclose `span` (by index), outermost first.
fn regions_around(tree: &SourceTree, span: Span) -> Vec<usize> {
    tree.regions()
        .iter()
        .enumerate()
        .filter(|(_, r)| r.span.start <= span.start && span.end <= r.span.end && r.span != span)
        .map(|(i, _)| i)
        .collect()
}

/// The frame of an email: never moved, copied, deleted or wrapped visually.
const FRAME_ELEMENTS: &[&str] = &["mjml", "mj-head", "mj-body"];

/// Elements an email has at most one of.
const SINGLE_ELEMENTS: &[&str] = &["mj-title", "mj-preview"];

/// An element that may be moved, copied or deleted, with its parent element.
fn movable(tree: &SourceTree, id: NodeId) -> Result<(NodeId, Span), EditError> {
    let node = tree.node(id).ok_or(EditError::NoSuchNode(id))?;
    let element = node.element().ok_or(EditError::NotAnElement)?;
    if node.opaque {
        return Err(EditError::Opaque);
    }
    if FRAME_ELEMENTS.contains(&element.name.as_str()) {
        return Err(EditError::FrameElement {
            element: element.name.clone(),
        });
    }
    if element.end_tag.is_none() && !element.self_closing {
        return Err(EditError::WouldBreakStructure {
            reason: format!("`{}` is not closed", element.name),
        });
    }
    let parent = node.parent.ok_or(EditError::NotAnElement)?;
    if tree.node(parent).is_some_and(|p| p.opaque) {
        return Err(EditError::Opaque);
    }
    Ok((parent, node.span))
}

/// Refuses placing elements named `names` (top-level of what is placed) under `parent`
/// where MJML does not allow them. At the top of a file (a partial has no `<mjml>`), only
/// names already there fit.
fn check_fits(tree: &SourceTree, parent: NodeId, names: &[String]) -> Result<(), EditError> {
    let parent_name = match tree.element(parent) {
        Some(e) => e.name.clone(),
        None => {
            let top: Vec<String> = sibling_elements(tree, parent)
                .iter()
                .filter_map(|&id| tree.element(id).map(|e| e.name.clone()))
                .collect();
            return match names.iter().find(|n| !top.contains(n)) {
                Some(n) => Err(EditError::DoesNotFit {
                    element: n.clone(),
                    parent: "the top of this file".into(),
                }),
                None => Ok(()),
            };
        }
    };
    match names
        .iter()
        .find(|n| !crate::content::fits_in(&parent_name, n))
    {
        Some(n) => Err(EditError::DoesNotFit {
            element: n.clone(),
            parent: parent_name,
        }),
        None => Ok(()),
    }
}

/// The parent an element or snippet placed at `place` gets.
fn parent_at(tree: &SourceTree, place: Place) -> Result<NodeId, EditError> {
    match place {
        Place::Before(t) | Place::After(t) => {
            tree.node(t).ok_or(EditError::NoSuchNode(t))?;
            content_parent(tree, t).ok_or(EditError::NotAnElement)
        }
        Place::End(p) => Ok(p),
    }
}

/// The element (or document) whose content holds `id`: its parent, or for a Jinja tag
/// between elements, the parent of the text run it sits in.
pub(crate) fn content_parent(tree: &SourceTree, id: NodeId) -> Option<NodeId> {
    let parent = tree.node(id)?.parent?;
    match tree.node(parent) {
        Some(p) if matches!(p.kind, NodeKind::TextRun) => p.parent,
        _ => Some(parent),
    }
}

/// The sibling elements of `id` (its parent's element children), in order.
fn sibling_elements(tree: &SourceTree, parent: NodeId) -> Vec<NodeId> {
    tree.node(parent)
        .map(|p| {
            p.children
                .iter()
                .copied()
                .filter(|&c| tree.element(c).is_some())
                .collect()
        })
        .unwrap_or_default()
}

/// The text that places `slice` (indented by `from` on its continuation lines) at `place`.
fn placement(
    tree: &SourceTree,
    text: &str,
    place: Place,
    slice: &str,
    from: &str,
) -> Result<TextEdit, EditError> {
    match place {
        Place::Before(target) | Place::After(target) => {
            let node = tree.node(target).ok_or(EditError::NoSuchNode(target))?;
            // An element, or a Jinja block's tag (to land outside the block: `block_edges`).
            if node.element().is_none() && node.jinja().is_none() {
                return Err(EditError::NotAnElement);
            }
            let at = extent(text, node.span);
            let before = matches!(place, Place::Before(_));
            Ok(match at.lines {
                Some(lines) => {
                    let body = reindent(slice, from, &at.indent);
                    if before {
                        TextEdit {
                            range: lines.start..lines.start,
                            insert: format!("{}{body}\n", at.indent),
                        }
                    } else if lines.end == text.len() && !text.ends_with('\n') {
                        TextEdit {
                            range: lines.end..lines.end,
                            insert: format!("\n{}{body}", at.indent),
                        }
                    } else {
                        TextEdit {
                            range: lines.end..lines.end,
                            insert: format!("{}{body}\n", at.indent),
                        }
                    }
                }
                None => {
                    let offset = if before { at.span.start } else { at.span.end };
                    TextEdit {
                        range: offset..offset,
                        insert: slice.to_owned(),
                    }
                }
            })
        }
        Place::End(parent) => {
            let node = tree.node(parent).ok_or(EditError::NoSuchNode(parent))?;
            let element = node.element().ok_or(EditError::NotAnElement)?;
            if node.opaque {
                return Err(EditError::Opaque);
            }
            let (Some(content), Some(end_tag)) = (element.content, element.end_tag) else {
                return Err(EditError::WouldBreakStructure {
                    reason: format!("`{}` has no content to add to", element.name),
                });
            };
            let parent_extent = extent(text, node.span);
            let end_line_start = text[..end_tag.start].rfind('\n').map_or(0, |i| i + 1);
            let end_alone =
                end_line_start > content.start && is_blank(&text[end_line_start..end_tag.start]);
            if end_alone {
                // Indented like the last child alone on its line, else one step more.
                let last_child = sibling_elements(tree, parent)
                    .last()
                    .map(|&c| extent(text, tree.node(c).map(|n| n.span).unwrap_or_default()))
                    .filter(|e| e.lines.is_some());
                let indent = match last_child {
                    Some(e) => e.indent,
                    None => format!("{}  ", &text[end_line_start..end_tag.start]),
                };
                let body = reindent(slice, from, &indent);
                Ok(TextEdit {
                    range: end_line_start..end_line_start,
                    insert: format!("{indent}{body}\n"),
                })
            } else if parent_extent.lines.is_some() {
                // `<mj-column></mj-column>` alone on a line: the new content on its own line.
                let outer = &parent_extent.indent;
                let indent = format!("{outer}  ");
                let body = reindent(slice, from, &indent);
                Ok(TextEdit {
                    range: end_tag.start..end_tag.start,
                    insert: format!("\n{indent}{body}\n{outer}"),
                })
            } else {
                Ok(TextEdit {
                    range: end_tag.start..end_tag.start,
                    insert: slice.to_owned(),
                })
            }
        }
    }
}

/// The bytes removed to take out an element: its lines when it is a block, else its span.
fn removal(text: &str, span: Span) -> (TextEdit, String, String) {
    let at = extent(text, span);
    let slice = text[span.range()].to_owned();
    match at.lines {
        Some(lines) => (
            TextEdit {
                range: lines.range(),
                insert: String::new(),
            },
            slice,
            at.indent,
        ),
        None => (
            TextEdit {
                range: span.range(),
                insert: String::new(),
            },
            slice,
            String::new(),
        ),
    }
}

/// Deletes `element` (with its lines when it is alone on them).
pub fn delete(tree: &SourceTree, text: &str, element: NodeId) -> Result<Vec<TextEdit>, EditError> {
    check_tree(tree, text)?;
    let (_, span) = movable(tree, element)?;
    if crosses_regions(tree, span) {
        return Err(EditError::CrossesRegion);
    }
    let (edit, _, _) = removal(text, span);
    let edits = vec![edit];
    verify(tree, &edits, Expect::Removed(span))?;
    Ok(edits)
}

/// Puts a copy of `element` right after it (its bytes, on their own lines when it is alone).
pub fn duplicate(
    tree: &SourceTree,
    text: &str,
    element: NodeId,
) -> Result<Vec<TextEdit>, EditError> {
    check_tree(tree, text)?;
    let (_, span) = movable(tree, element)?;
    if crosses_regions(tree, span) {
        return Err(EditError::CrossesRegion);
    }
    if let Some(name) = tree
        .element(element)
        .map(|e| e.name.as_str())
        .filter(|n| SINGLE_ELEMENTS.contains(n))
    {
        return Err(EditError::DoesNotFit {
            element: name.to_owned(),
            parent: "an email twice".into(),
        });
    }
    let at = extent(text, span);
    let slice = &text[span.range()];
    let edit = placement(tree, text, Place::After(element), slice, &at.indent)?;
    let edits = vec![edit];
    verify(tree, &edits, Expect::Copied(span))?;
    Ok(edits)
}

/// Moves `element` to `place` among the same parent's children and within the same Jinja
/// regions (into or out of a block only in code; [`wrap`] and [`unwrap`] change blocks).
pub fn move_to(
    tree: &SourceTree,
    text: &str,
    element: NodeId,
    place: Place,
) -> Result<Vec<TextEdit>, EditError> {
    moved(tree, text, element, place, false)
}

/// Moves `element` to `place` anywhere in the file MJML's content model lets it be: under
/// another parent, and into or out of Jinja blocks (the explicit drop of a drag, whose drop
/// zone names the block it enters). Its bytes move as they are, re-indented as a block; it
/// may not hold only part of a block, nor go into itself or an opaque place.
pub fn move_anywhere(
    tree: &SourceTree,
    text: &str,
    element: NodeId,
    place: Place,
) -> Result<Vec<TextEdit>, EditError> {
    moved(tree, text, element, place, true)
}

fn moved(
    tree: &SourceTree,
    text: &str,
    element: NodeId,
    place: Place,
    anywhere: bool,
) -> Result<Vec<TextEdit>, EditError> {
    check_tree(tree, text)?;
    let (parent, span) = movable(tree, element)?;
    let (target_parent, target_span) = match place {
        Place::Before(t) | Place::After(t) => {
            let node = tree.node(t).ok_or(EditError::NoSuchNode(t))?;
            (
                content_parent(tree, t).ok_or(EditError::NotAnElement)?,
                node.span,
            )
        }
        Place::End(p) => {
            let node = tree.node(p).ok_or(EditError::NoSuchNode(p))?;
            let content = node.element().and_then(|e| e.content).unwrap_or(node.span);
            (p, Span::new(content.end, content.end))
        }
    };
    if matches!(place, Place::Before(t) | Place::After(t) if t == element)
        || (target_span.start >= span.start && target_span.end <= span.end)
    {
        return Err(EditError::WouldBreakStructure {
            reason: "an element cannot move next to or into itself".into(),
        });
    }
    if anywhere {
        if tree.node(target_parent).is_some_and(|p| p.opaque) {
            return Err(EditError::Opaque);
        }
        let name = tree
            .element(element)
            .map(|e| e.name.clone())
            .unwrap_or_default();
        if target_parent != parent {
            check_fits(tree, target_parent, &[name])?;
        }
        if crosses_regions(tree, span) {
            return Err(EditError::CrossesRegion);
        }
    } else {
        if target_parent != parent {
            return Err(EditError::OtherParent);
        }
        if crosses_regions(tree, span)
            || regions_around(tree, span) != regions_around(tree, target_span)
        {
            return Err(EditError::CrossesRegion);
        }
    }
    let (cut, slice, indent) = removal(text, span);
    let placed = placement(tree, text, place, &slice, &indent)?;
    if ranges_overlap(&cut, &placed) {
        return Ok(Vec::new());
    }
    let edits = vec![cut, placed];
    verify(tree, &edits, Expect::Moved)?;
    Ok(without_no_op_move(text, edits))
}

/// Moves `element` before its previous or after its next sibling element (refused at the
/// ends, and across a Jinja block tag).
pub fn move_by_one(
    tree: &SourceTree,
    text: &str,
    element: NodeId,
    direction: Direction,
) -> Result<Vec<TextEdit>, EditError> {
    let (parent, _) = movable(tree, element)?;
    let siblings = sibling_elements(tree, parent);
    let index = siblings
        .iter()
        .position(|&s| s == element)
        .ok_or(EditError::NotAnElement)?;
    let place = match direction {
        Direction::Up if index > 0 => Place::Before(siblings[index - 1]),
        Direction::Down if index + 1 < siblings.len() => Place::After(siblings[index + 1]),
        _ => return Err(EditError::AtTheEnd),
    };
    move_to(tree, text, element, place)
}

/// Inserts `snippet` (MJML written without base indentation, e.g. a block of the library)
/// at `place`, indented to its new siblings. Refused when it holds Jinja block tags that do
/// not pair up, or does not parse as complete elements.
pub fn insert(
    tree: &SourceTree,
    text: &str,
    place: Place,
    snippet: &str,
) -> Result<Vec<TextEdit>, EditError> {
    check_tree(tree, text)?;
    let snippet = snippet.trim_matches(|c| c == '\n' || c == '\r');
    let parsed = SourceTree::parse(snippet);
    if !parsed.problems().is_empty() || parsed.elements().next().is_none() {
        return Err(EditError::WouldBreakStructure {
            reason: "the block is not complete MJML".into(),
        });
    }
    let target = match place {
        Place::Before(t) | Place::After(t) => t,
        Place::End(p) => p,
    };
    let node = tree.node(target).ok_or(EditError::NoSuchNode(target))?;
    if node.opaque {
        return Err(EditError::Opaque);
    }
    if let Place::Before(t) | Place::After(t) = place
        && content_parent(tree, t)
            .and_then(|p| tree.node(p))
            .is_some_and(|p| p.opaque)
    {
        return Err(EditError::Opaque);
    }
    let top: Vec<String> = sibling_elements(&parsed, parsed.root())
        .iter()
        .filter_map(|&id| parsed.element(id).map(|e| e.name.clone()))
        .collect();
    check_fits(tree, parent_at(tree, place)?, &top)?;
    let edit = placement(tree, text, place, snippet, "")?;
    let edits = vec![edit];
    verify(
        tree,
        &edits,
        Expect::Inserted {
            elements: parsed.elements().count(),
            jinja: parsed.jinja_tokens().len(),
            regions: parsed.regions().iter().filter(|r| r.well_formed).count(),
        },
    )?;
    Ok(edits)
}

/// Writes `open` (`{% if … %}`, `{% for … in … %}`) before `first` and its closing tag after
/// `last` (siblings in one parent and the same regions, `last` not before `first`): on their
/// own lines, indented like `first`, when the elements are blocks.
pub fn wrap(
    tree: &SourceTree,
    text: &str,
    first: NodeId,
    last: NodeId,
    open: &str,
) -> Result<Vec<TextEdit>, EditError> {
    check_tree(tree, text)?;
    let (parent, first_span) = movable(tree, first)?;
    let (last_parent, last_span) = movable(tree, last)?;
    if parent != last_parent {
        return Err(EditError::OtherParent);
    }
    if last_span.start < first_span.start {
        return Err(EditError::WouldBreakStructure {
            reason: "the last element comes before the first".into(),
        });
    }
    let covered = Span::new(first_span.start, last_span.end);
    if crosses_regions(tree, covered)
        || regions_around(tree, first_span) != regions_around(tree, last_span)
    {
        return Err(EditError::CrossesRegion);
    }
    let close = closing_tag(open)?;
    let (a, b) = (extent(text, first_span), extent(text, last_span));
    let edits = match (a.lines, b.lines) {
        (Some(first_lines), Some(last_lines)) => {
            let end_insert = if last_lines.end == text.len() && !text.ends_with('\n') {
                format!("\n{}{close}", a.indent)
            } else {
                format!("{}{close}\n", a.indent)
            };
            vec![
                TextEdit {
                    range: first_lines.start..first_lines.start,
                    insert: format!("{}{open}\n", a.indent),
                },
                TextEdit {
                    range: last_lines.end..last_lines.end,
                    insert: end_insert,
                },
            ]
        }
        _ => vec![
            TextEdit {
                range: first_span.start..first_span.start,
                insert: open.to_owned(),
            },
            TextEdit {
                range: last_span.end..last_span.end,
                insert: close.to_owned(),
            },
        ],
    };
    verify(tree, &edits, Expect::Wrapped)?;
    Ok(edits)
}

/// Removes the tags of region `index` (an `if` without `elif`/`else`, or a `for` without
/// `else`), keeping what they held; a tag alone on its line goes with its line.
pub fn unwrap(tree: &SourceTree, text: &str, index: usize) -> Result<Vec<TextEdit>, EditError> {
    check_tree(tree, text)?;
    let region = tree
        .regions()
        .get(index)
        .ok_or(EditError::NoSuchRegion(index))?;
    if !region.well_formed {
        return Err(EditError::Opaque);
    }
    if !matches!(region.keyword.as_str(), "if" | "for") || region.tags.len() != 2 {
        return Err(EditError::CannotUnwrap {
            keyword: region.keyword.clone(),
        });
    }
    let mut edits = Vec::new();
    for &tag in &region.tags {
        let node = tree.node(tag).ok_or(EditError::NoSuchNode(tag))?;
        let at = extent(text, node.span);
        edits.push(TextEdit {
            range: at.lines.unwrap_or(node.span).range(),
            insert: String::new(),
        });
    }
    verify(tree, &edits, Expect::Unwrapped(region.tags.len()))?;
    Ok(edits)
}

/// The closing tag of a block-opening statement (`{%- if x %}` → `{% endif %}`).
fn closing_tag(open: &str) -> Result<String, EditError> {
    let scan = crate::jinja::scan(open);
    let [token] = scan.tokens.as_slice() else {
        return Err(EditError::NotABlockTag);
    };
    if token.span.start != 0 || token.span.end != open.len() || scan.unclosed.is_some() {
        return Err(EditError::NotABlockTag);
    }
    match &token.kind {
        JinjaKind::Statement { keyword } if keyword == "if" || keyword == "for" => {
            Ok(format!("{{% end{keyword} %}}"))
        }
        _ => Err(EditError::NotABlockTag),
    }
}

fn check_tree(tree: &SourceTree, text: &str) -> Result<(), EditError> {
    if tree.source() == text {
        Ok(())
    } else {
        Err(EditError::StaleTree)
    }
}

/// Whether `span` holds only part of a region (a tag of it inside, another outside).
fn crosses_regions(tree: &SourceTree, span: Span) -> bool {
    tree.regions().iter().any(|r| {
        let inside = r
            .tags
            .iter()
            .filter_map(|&t| tree.node(t))
            .filter(|n| span.start <= n.span.start && n.span.end <= span.end)
            .count();
        inside > 0 && inside < r.tags.len()
    })
}

/// Whether `b` inserts strictly inside the bytes `a` removes (a place inside the moved
/// element itself).
fn ranges_overlap(a: &TextEdit, b: &TextEdit) -> bool {
    b.range.start > a.range.start && b.range.start < a.range.end
}

/// A move that puts the element back where it was gives no edit.
fn without_no_op_move(text: &str, edits: Vec<TextEdit>) -> Vec<TextEdit> {
    match apply(text, &edits) {
        Ok(result) if result == text => Vec::new(),
        _ => edits,
    }
}

enum Expect {
    Removed(Span),
    Copied(Span),
    Moved,
    Inserted {
        elements: usize,
        jinja: usize,
        regions: usize,
    },
    Wrapped,
    Unwrapped(usize),
}

/// Re-parses the result and refuses any change of elements, Jinja tokens or problems beyond
/// what the operation names.
fn verify(tree: &SourceTree, edits: &[TextEdit], expect: Expect) -> Result<(), EditError> {
    let broken = |reason: &str| EditError::WouldBreakStructure {
        reason: reason.to_owned(),
    };
    let new_text = apply(tree.source(), edits)?;
    let new_tree = SourceTree::parse_with_limits(&new_text, tree.limits());
    let names = |t: &SourceTree| -> Vec<String> {
        let mut names: Vec<String> = t
            .elements()
            .filter_map(|id| t.element(id).map(|e| e.name.clone()))
            .collect();
        names.sort();
        names
    };
    let tokens = |t: &SourceTree| -> Vec<String> {
        let mut tokens: Vec<String> = t
            .jinja_tokens()
            .iter()
            .filter_map(|&id| t.node(id).map(|n| t.slice(n.span).to_owned()))
            .collect();
        tokens.sort();
        tokens
    };
    let inside = |span: Span| -> (Vec<String>, Vec<String>) {
        let mut names: Vec<String> = tree
            .elements()
            .filter_map(|id| tree.node(id))
            .filter(|n| span.start <= n.span.start && n.span.end <= span.end)
            .filter_map(|n| n.element().map(|e| e.name.clone()))
            .collect();
        names.sort();
        let mut jinja: Vec<String> = tree
            .jinja_tokens()
            .iter()
            .filter_map(|&id| tree.node(id))
            .filter(|n| span.start <= n.span.start && n.span.end <= span.end)
            .map(|n| tree.slice(n.span).to_owned())
            .collect();
        jinja.sort();
        (names, jinja)
    };
    let (old_names, old_tokens) = (names(tree), tokens(tree));
    let (new_names, new_tokens) = (names(&new_tree), tokens(&new_tree));
    let multiset_sum = |a: &[String], b: &[String]| {
        let mut all: Vec<String> = a.iter().chain(b).cloned().collect();
        all.sort();
        all
    };
    let ok = match expect {
        Expect::Removed(span) => {
            let (names_in, jinja_in) = inside(span);
            multiset_sum(&new_names, &names_in) == old_names
                && multiset_sum(&new_tokens, &jinja_in) == old_tokens
        }
        Expect::Copied(span) => {
            let (names_in, jinja_in) = inside(span);
            new_names == multiset_sum(&old_names, &names_in)
                && new_tokens == multiset_sum(&old_tokens, &jinja_in)
        }
        Expect::Moved => new_names == old_names && new_tokens == old_tokens,
        Expect::Inserted {
            elements, jinja, ..
        } => {
            new_names.len() == old_names.len() + elements
                && new_tokens.len() == old_tokens.len() + jinja
        }
        Expect::Wrapped => new_names == old_names && new_tokens.len() == old_tokens.len() + 2,
        Expect::Unwrapped(tags) => {
            new_names == old_names && new_tokens.len() + tags == old_tokens.len()
        }
    };
    if !ok {
        return Err(broken("other elements or Jinja tokens would change"));
    }
    if new_tree.problems().len() > tree.problems().len() {
        return Err(broken("the result would have new problems"));
    }
    let well_formed = |t: &SourceTree| t.regions().iter().filter(|r| r.well_formed).count();
    let regions_in = |span: Span| {
        tree.regions()
            .iter()
            .filter(|r| r.well_formed && span.start <= r.span.start && r.span.end <= span.end)
            .count()
    };
    let expected_regions = match expect {
        Expect::Wrapped => well_formed(tree) + 1,
        Expect::Unwrapped(_) => well_formed(tree).saturating_sub(1),
        Expect::Removed(span) => well_formed(tree).saturating_sub(regions_in(span)),
        Expect::Copied(span) => well_formed(tree) + regions_in(span),
        Expect::Inserted { regions, .. } => well_formed(tree) + regions,
        Expect::Moved => well_formed(tree),
    };
    if well_formed(&new_tree) < expected_regions {
        return Err(broken("a Jinja block would no longer pair up"));
    }
    let kind_count = |t: &SourceTree| {
        t.nodes()
            .filter(|(_, n)| matches!(n.kind, NodeKind::Unparsed { .. }))
            .count()
    };
    if kind_count(&new_tree) > kind_count(tree) {
        return Err(broken("the result would have unparsed markup"));
    }
    Ok(())
}
