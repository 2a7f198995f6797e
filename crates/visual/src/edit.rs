//! Visual operations as minimal text edits, each checked by re-parsing its result.

use crate::jinja::JinjaKind;
use crate::span::LineCol;
use crate::text::{TextSegment, UnitKind, units};
use crate::tree::{Element, NodeId, NodeKind, Quote, SourceTree};
use serde::{Deserialize, Serialize};
use std::ops::Range;

/// Replace the bytes `range` of the current text with `insert`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TextEdit {
    /// Byte offsets in the text the edit was computed for.
    pub range: Range<usize>,
    /// What goes there.
    pub insert: String,
}

/// A [`TextEdit`]'s range as the editor addresses it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EditPosition {
    /// Where the replaced range starts.
    pub from: LineCol,
    /// Where it ends.
    pub to: LineCol,
}

impl TextEdit {
    /// The edit's range as line:column positions in `tree`'s text.
    pub fn position(&self, tree: &SourceTree) -> EditPosition {
        EditPosition {
            from: tree.line_col(self.range.start),
            to: tree.line_col(self.range.end),
        }
    }
}

/// Elements mrml reads without attributes (more than one makes it fail).
pub const NO_ATTRIBUTE_ELEMENTS: &[&str] = &[
    "mj-head",
    "mj-attributes",
    "mj-raw",
    "mj-title",
    "mj-preview",
];

/// Attributes mrml refuses to parse an element without (`MissingAttribute`).
pub const REQUIRED_ATTRIBUTES: &[(&str, &str)] = &[("mj-class", "name"), ("mj-include", "path")];

/// Why an operation was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(tag = "code", content = "detail", rename_all = "kebab-case")]
pub enum EditError {
    /// The tree was built from another text than the one given.
    #[error("the source tree is out of date with the text")]
    StaleTree,
    /// The node id is not in the tree.
    #[error("no node {0:?} in this tree")]
    NoSuchNode(NodeId),
    /// The operation needs an element.
    #[error("the node is not an element")]
    NotAnElement,
    /// The node is inside or crosses an opaque region.
    #[error("this part is read-only in visual mode (a Jinja region crosses it): edit it in code")]
    Opaque,
    /// Jinja in the start tag outside values.
    #[error("the element's attributes are written with Jinja: edit them in code")]
    TemplatedAttributes,
    /// The start tag could not be read completely.
    #[error("the element's start tag cannot be read: edit it in code")]
    MalformedStartTag,
    /// mrml reads this element without attributes.
    #[error("`{element}` takes no attributes")]
    TakesNoAttributes {
        /// The element's name.
        element: String,
    },
    /// Names must match `[a-z][a-z0-9-]*`.
    #[error("`{name}` is not an attribute name ([a-z][a-z0-9-]*)")]
    InvalidAttributeName {
        /// The name given.
        name: String,
    },
    /// A value or text would contain Jinja syntax.
    #[error("the value contains Jinja syntax (`{{{{`, `{{%` or `{{#`): edit it in code")]
    JinjaInValue,
    /// A character XML (and so mrml) cannot read.
    #[error("character U+{code:04X} cannot be written in a template")]
    InvalidCharacter {
        /// The code point.
        code: u32,
    },
    /// The attribute's value contains Jinja.
    #[error("`{name}` is computed with Jinja: edit it in code")]
    AttributeHasJinja {
        /// The attribute.
        name: String,
    },
    /// mrml cannot parse the element without this attribute.
    #[error("`{element}` needs its `{name}` attribute")]
    RequiredAttribute {
        /// The element's name.
        element: String,
        /// The attribute.
        name: String,
    },
    /// No such attribute on the element.
    #[error("the element has no `{name}` attribute")]
    AttributeNotFound {
        /// The attribute.
        name: String,
    },
    /// The attribute is written more than once.
    #[error("`{name}` is written more than once on the element: edit it in code")]
    DuplicateAttribute {
        /// The attribute.
        name: String,
    },
    /// The node is neither a text run nor an empty element.
    #[error("the node is not text")]
    NotATextRun,
    /// The run is not text a reader sees (between MJML elements, in CSS).
    #[error("text here is not content (inside `{parent}`)")]
    NotTextContent {
        /// The element the run sits in (empty for the document).
        parent: String,
    },
    /// The element's content holds markup: its text is in several parts.
    #[error("this text holds markup (`{inner}`): double-click one part of it, or edit it in code")]
    HoldsMarkup {
        /// The first markup inside (an element's name, or a comment).
        inner: String,
    },
    /// A chip that is not a Jinja token of the run.
    #[error("{0:?} is not a Jinja token of this text")]
    UnknownChip(NodeId),
    /// Chips in another order than in the source.
    #[error("Jinja tokens cannot be reordered in visual mode")]
    ChipsReordered,
    /// Removing a statement could unbalance blocks.
    #[error("a Jinja statement cannot be removed in visual mode: edit it in code")]
    StatementChipRemoved(NodeId),
    /// A move, copy, deletion or wrap would change what a Jinja block covers.
    #[error(
        "this would cross a Jinja block tag (`{{% if %}}`, `{{% for %}}`…): move it into or out of blocks in code"
    )]
    CrossesRegion,
    /// MJML does not allow the element there.
    #[error("`{element}` cannot go into {parent}")]
    DoesNotFit {
        /// What would be placed.
        element: String,
        /// Where (an element name, or the top of the file).
        parent: String,
    },
    /// `mjml`, `mj-head` and `mj-body` stay where they are.
    #[error("`{element}` is the email's frame: it stays where it is")]
    FrameElement {
        /// Its name.
        element: String,
    },
    /// A move to another parent element.
    #[error("elements move among their siblings here; drop it into another element instead")]
    OtherParent,
    /// Moving the first element up or the last down.
    #[error("the element is already at that end")]
    AtTheEnd,
    /// No region with that index.
    #[error("no Jinja block {0} in this file")]
    NoSuchRegion(usize),
    /// Only single-branch `if` and plain `for` blocks unwrap.
    #[error("a `{keyword}` block with its branches cannot be unwrapped here: edit it in code")]
    CannotUnwrap {
        /// The block's keyword.
        keyword: String,
    },
    /// Not one `{% if … %}` or `{% for … %}` tag.
    #[error("wrap with one `{{% if … %}}` or `{{% for … in … %}}` tag")]
    NotABlockTag,
    /// Edits overlap.
    #[error("edits overlap")]
    OverlappingEdits,
    /// An edit is outside the text or splits a character.
    #[error("an edit lies outside the text or splits a character")]
    EditOutOfBounds,
    /// The result would change structure beyond what was asked.
    #[error("the change would alter the template's structure ({reason})")]
    WouldBreakStructure {
        /// What changed.
        reason: String,
    },
}

/// Applies edits (any order, not overlapping) to `text`.
pub fn apply(text: &str, edits: &[TextEdit]) -> Result<String, EditError> {
    let mut sorted: Vec<&TextEdit> = edits.iter().collect();
    sorted.sort_by_key(|e| (e.range.start, e.range.end));
    let mut out = String::with_capacity(text.len());
    let mut cursor = 0;
    for edit in sorted {
        let Range { start, end } = edit.range;
        if start > end
            || end > text.len()
            || !text.is_char_boundary(start)
            || !text.is_char_boundary(end)
        {
            return Err(EditError::EditOutOfBounds);
        }
        if start < cursor {
            return Err(EditError::OverlappingEdits);
        }
        out.push_str(&text[cursor..start]);
        out.push_str(&edit.insert);
        cursor = end;
    }
    out.push_str(&text[cursor..]);
    Ok(out)
}

fn check_tree(tree: &SourceTree, text: &str) -> Result<(), EditError> {
    if tree.source() == text {
        Ok(())
    } else {
        Err(EditError::StaleTree)
    }
}

fn editable_element(tree: &SourceTree, id: NodeId) -> Result<&Element, EditError> {
    let node = tree.node(id).ok_or(EditError::NoSuchNode(id))?;
    let element = node.element().ok_or(EditError::NotAnElement)?;
    if node.opaque {
        return Err(EditError::Opaque);
    }
    if element.malformed_start_tag {
        return Err(EditError::MalformedStartTag);
    }
    if element.attributes_templated {
        return Err(EditError::TemplatedAttributes);
    }
    Ok(element)
}

fn is_attribute_name(name: &str) -> bool {
    let mut bytes = name.bytes();
    bytes.next().is_some_and(|b| b.is_ascii_lowercase())
        && bytes.all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

fn has_jinja_syntax(text: &str) -> bool {
    text.contains("{{") || text.contains("{%") || text.contains("{#")
}

/// Characters htmlparser rejects (XML 1.0 `Char`), mrml with it.
fn check_characters(text: &str) -> Result<(), EditError> {
    match text.chars().find(|&c| !is_xml_char(c)) {
        Some(c) => Err(EditError::InvalidCharacter { code: u32::from(c) }),
        None => Ok(()),
    }
}

fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// `value` escaped to sit between `quote`s.
pub fn escape_attribute(value: &str, quote: Quote) -> String {
    let mut out = String::with_capacity(value.len());
    for ch in value.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '"' if quote != Quote::Single => out.push_str("&quot;"),
            '\'' if quote != Quote::Double => out.push_str("&#39;"),
            _ => out.push(ch),
        }
    }
    out
}

fn unique_attribute<'e>(
    element: &'e Element,
    name: &str,
) -> Result<Option<(usize, &'e crate::tree::Attribute)>, EditError> {
    let mut found = element
        .attributes
        .iter()
        .enumerate()
        .filter(|(_, a)| a.name == name);
    let first = found.next();
    if found.next().is_some() {
        return Err(EditError::DuplicateAttribute {
            name: name.to_owned(),
        });
    }
    Ok(first)
}

/// Sets attribute `name` of `element` to the plain `value`: replaces only the value's bytes
/// when the attribute exists (its quote kept), else inserts ` name="value"` after the last
/// attribute (on a new line with the same indentation when attributes are one per line).
pub fn set_attribute(
    tree: &SourceTree,
    text: &str,
    element: NodeId,
    name: &str,
    value: &str,
) -> Result<Vec<TextEdit>, EditError> {
    check_tree(tree, text)?;
    let data = editable_element(tree, element)?;
    if NO_ATTRIBUTE_ELEMENTS.contains(&data.name.as_str()) {
        return Err(EditError::TakesNoAttributes {
            element: data.name.clone(),
        });
    }
    if !is_attribute_name(name) {
        return Err(EditError::InvalidAttributeName {
            name: name.to_owned(),
        });
    }
    if has_jinja_syntax(value) {
        return Err(EditError::JinjaInValue);
    }
    check_characters(value)?;
    let edit = match unique_attribute(data, name)? {
        Some((_, attribute)) => {
            if attribute.has_jinja {
                return Err(EditError::AttributeHasJinja {
                    name: name.to_owned(),
                });
            }
            match attribute.value {
                Some(v) if v.quote == Quote::None && is_unquoted_safe(value) => TextEdit {
                    range: v.span.range(),
                    insert: value.to_owned(),
                },
                Some(v) if v.quote == Quote::None => TextEdit {
                    range: v.span.range(),
                    insert: format!("\"{}\"", escape_attribute(value, Quote::Double)),
                },
                Some(v) => TextEdit {
                    range: v.span.range(),
                    insert: escape_attribute(value, v.quote),
                },
                None => TextEdit {
                    range: attribute.name_span.end..attribute.name_span.end,
                    insert: format!("=\"{}\"", escape_attribute(value, Quote::Double)),
                },
            }
        }
        None => {
            let at = data
                .attributes
                .last()
                .map_or(data.name_span.end, |a| a.span.end);
            let separator = one_per_line_separator(tree, data).unwrap_or_else(|| " ".to_owned());
            TextEdit {
                range: at..at,
                insert: format!(
                    "{separator}{name}=\"{}\"",
                    escape_attribute(value, Quote::Double)
                ),
            }
        }
    };
    let edits = without_no_ops(text, vec![edit]);
    verify(
        tree,
        &edits,
        &Expect::Attribute {
            element,
            name,
            present: true,
        },
    )?;
    Ok(edits)
}

fn is_unquoted_safe(value: &str) -> bool {
    !value.is_empty()
        && !value.bytes().any(|b| {
            b.is_ascii_whitespace() || matches!(b, b'"' | b'\'' | b'=' | b'<' | b'>' | b'`' | b'&')
        })
}

/// The newline and indentation before the last attribute, when every attribute after the
/// first starts on its own line (and there are at least two, or the only one is on its own).
fn one_per_line_separator(tree: &SourceTree, element: &Element) -> Option<String> {
    let leading = |a: &crate::tree::Attribute| &tree.source()[a.span.start..a.name_span.start];
    let own_line = |a: &crate::tree::Attribute| leading(a).contains(['\n', '\r']);
    let laid_out = match element.attributes.as_slice() {
        [] => false,
        [only] => own_line(only),
        [_, rest @ ..] => rest.iter().all(own_line),
    };
    if !laid_out {
        return None;
    }
    let last = element.attributes.last()?;
    let ws = leading(last);
    let break_at = ws.rfind(['\n', '\r'])?;
    let newline = if ws[..=break_at].ends_with("\r\n") {
        "\r\n"
    } else if ws[..=break_at].ends_with('\r') {
        "\r"
    } else {
        "\n"
    };
    Some(format!("{newline}{}", &ws[break_at + 1..]))
}

/// Removes attribute `name` of `element` with the whitespace before it (and the rest of its
/// line when it was alone on it).
pub fn remove_attribute(
    tree: &SourceTree,
    text: &str,
    element: NodeId,
    name: &str,
) -> Result<Vec<TextEdit>, EditError> {
    check_tree(tree, text)?;
    let data = editable_element(tree, element)?;
    let (_, attribute) =
        unique_attribute(data, name)?.ok_or_else(|| EditError::AttributeNotFound {
            name: name.to_owned(),
        })?;
    if attribute.has_jinja {
        return Err(EditError::AttributeHasJinja {
            name: name.to_owned(),
        });
    }
    if REQUIRED_ATTRIBUTES.contains(&(data.name.as_str(), name)) {
        return Err(EditError::RequiredAttribute {
            element: data.name.clone(),
            name: name.to_owned(),
        });
    }
    let mut end = attribute.span.end;
    let leading = &text[attribute.span.start..attribute.name_span.start];
    if leading.contains(['\n', '\r']) {
        let trailing = text[end..data.start_tag.end]
            .bytes()
            .take_while(|b| *b == b' ' || *b == b'\t')
            .count();
        let after = text.as_bytes().get(end + trailing);
        if matches!(after, Some(b'\n' | b'\r')) {
            end += trailing;
        }
    }
    let edits = vec![TextEdit {
        range: attribute.span.start..end,
        insert: String::new(),
    }];
    verify(
        tree,
        &edits,
        &Expect::Attribute {
            element,
            name,
            present: false,
        },
    )?;
    Ok(edits)
}

/// Replaces the text of a run (or fills an element with empty content) with `segments`:
/// only changed literal stretches are rewritten (escaped), Jinja chips keep every byte and
/// may only be left out, and entities keep their bytes where their character stays.
pub fn set_text(
    tree: &SourceTree,
    text: &str,
    node: NodeId,
    segments: &[TextSegment],
) -> Result<Vec<TextEdit>, EditError> {
    check_tree(tree, text)?;
    let target = tree.node(node).ok_or(EditError::NoSuchNode(node))?;
    let (old_units, zone_span, parent) = match &target.kind {
        NodeKind::TextRun => (
            units(tree, node).unwrap_or_default(),
            target.span,
            target.parent,
        ),
        NodeKind::Element(element) => match element.content {
            Some(content) if target.children.is_empty() => (Vec::new(), content, Some(node)),
            _ => return Err(EditError::NotATextRun),
        },
        _ => return Err(EditError::NotATextRun),
    };
    if target.opaque
        || target
            .children
            .iter()
            .any(|&c| tree.node(c).is_some_and(|n| n.opaque))
    {
        return Err(EditError::Opaque);
    }
    let parent_element = parent.and_then(|p| tree.element(p));
    let parent_name = parent_element.map(|e| e.name.clone()).unwrap_or_default();
    let is_content = parent_element.is_some_and(|e| e.raw_html)
        && !matches!(parent_name.as_str(), "mj-style" | "style" | "script");
    if !is_content {
        return Err(EditError::NotTextContent {
            parent: parent_name,
        });
    }
    if tree.node(parent.unwrap_or(node)).is_some_and(|n| n.opaque) {
        return Err(EditError::Opaque);
    }
    // Chips kept, in order, and the literal text of each zone between them.
    let run_chips: Vec<NodeId> = old_units
        .iter()
        .filter_map(|u| match u.kind {
            UnitKind::Jinja(id) => Some(id),
            _ => None,
        })
        .collect();
    let mut kept: Vec<NodeId> = Vec::new();
    let mut zones: Vec<String> = vec![String::new()];
    for segment in segments {
        match segment {
            TextSegment::Literal(text) => push_zone(&mut zones, text),
            TextSegment::Entity { decoded, .. } => push_zone(&mut zones, decoded),
            TextSegment::Jinja(id) => {
                let position = run_chips
                    .iter()
                    .position(|c| c == id)
                    .ok_or(EditError::UnknownChip(*id))?;
                if kept.last().is_some_and(|last| {
                    run_chips
                        .iter()
                        .position(|c| c == last)
                        .is_some_and(|p| p >= position)
                }) {
                    return Err(EditError::ChipsReordered);
                }
                kept.push(*id);
                zones.push(String::new());
            }
        }
    }
    for zone in &zones {
        check_characters(zone)?;
    }
    for chip in &run_chips {
        if !kept.contains(chip)
            && tree
                .node(*chip)
                .and_then(|n| n.jinja())
                .is_some_and(|j| matches!(j.token, JinjaKind::Statement { .. }))
        {
            return Err(EditError::StatementChipRemoved(*chip));
        }
    }
    let mut edits = Vec::new();
    let mut zone_units: Vec<&crate::text::Unit> = Vec::new();
    let mut zone_start = zone_span.start;
    let mut zone_index = 0;
    for unit in &old_units {
        if let UnitKind::Jinja(id) = unit.kind
            && kept.contains(&id)
        {
            diff_zone(
                text,
                &zone_units,
                zone_start,
                &zones[zone_index],
                &mut edits,
            );
            zone_units.clear();
            zone_start = unit.span.end;
            zone_index += 1;
            continue;
        }
        zone_units.push(unit);
    }
    diff_zone(
        text,
        &zone_units,
        zone_start,
        &zones[zone_index],
        &mut edits,
    );
    edits.sort_by_key(|e| e.range.start);
    let edits = without_no_ops(text, edits);
    let removed: Vec<NodeId> = run_chips
        .iter()
        .copied()
        .filter(|c| !kept.contains(c))
        .collect();
    verify(tree, &edits, &Expect::Text { removed: &removed })?;
    Ok(edits)
}

/// Edits that would write the bytes already there are dropped (setting a value to itself
/// returns no edit).
fn without_no_ops(text: &str, mut edits: Vec<TextEdit>) -> Vec<TextEdit> {
    edits.retain(|e| text.get(e.range.clone()) != Some(e.insert.as_str()));
    edits
}

fn push_zone(zones: &mut [String], text: &str) {
    if let Some(last) = zones.last_mut() {
        last.push_str(text);
    }
}

/// Keeps the longest unchanged start and end of a zone (entities included) and replaces the
/// middle; removed chips are deleted on their own where they sit in kept stretches.
fn diff_zone(
    text: &str,
    units: &[&crate::text::Unit],
    zone_start: usize,
    new: &str,
    edits: &mut Vec<TextEdit>,
) {
    let is_removed_chip = |u: &crate::text::Unit| matches!(u.kind, UnitKind::Jinja(_));
    let (mut p, mut q) = (0, 0);
    while p < units.len() {
        let unit = units[p];
        if is_removed_chip(unit) {
            edits.push(TextEdit {
                range: unit.span.range(),
                insert: String::new(),
            });
        } else if new[q..].starts_with(unit.decoded.as_str()) {
            q += unit.decoded.len();
        } else {
            break;
        }
        p += 1;
    }
    let (mut r, mut s) = (units.len(), new.len());
    while r > p {
        let unit = units[r - 1];
        if is_removed_chip(unit) {
            edits.push(TextEdit {
                range: unit.span.range(),
                insert: String::new(),
            });
        } else if new[q..s].ends_with(unit.decoded.as_str()) {
            s -= unit.decoded.len();
        } else {
            break;
        }
        r -= 1;
    }
    if p == r && q == s {
        return;
    }
    let range = if p < r {
        units[p].span.start..units[r - 1].span.end
    } else {
        let at = if p > 0 {
            units[p - 1].span.end
        } else if r < units.len() {
            units[r].span.start
        } else {
            zone_start
        };
        at..at
    };
    let before = text[..range.start].chars().next_back();
    let after = text[range.end..].chars().next();
    edits.push(TextEdit {
        insert: escape_text(&new[q..s], before, after),
        range,
    });
}

/// Plain text as markup: `&`, `<`, `>` escaped, and braces that would start Jinja
/// (`{{`, `{%`, `{#`, also with the characters around the insertion) written as references.
pub fn escape_text(text: &str, before: Option<char>, after: Option<char>) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    for (i, &ch) in chars.iter().enumerate() {
        let next = chars.get(i + 1).copied().or(after);
        let previous = if i == 0 {
            before
        } else {
            chars.get(i - 1).copied()
        };
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '{' if matches!(next, Some('{' | '%' | '#')) => out.push_str("&#123;"),
            '{' | '%' | '#' if i == 0 && previous == Some('{') => {
                out.push_str(&format!("&#{};", u32::from(ch)))
            }
            _ => out.push(ch),
        }
    }
    out
}

enum Expect<'a> {
    Attribute {
        element: NodeId,
        name: &'a str,
        present: bool,
    },
    Text {
        removed: &'a [NodeId],
    },
}

/// Re-parses the edited text and refuses any structural change beyond the intended one.
fn verify(tree: &SourceTree, edits: &[TextEdit], expect: &Expect<'_>) -> Result<(), EditError> {
    let broken = |reason: &str| EditError::WouldBreakStructure {
        reason: reason.to_owned(),
    };
    let new_text = apply(tree.source(), edits)?;
    let new_tree = SourceTree::parse_with_limits(&new_text, tree.limits());
    if new_tree.rebuild() != new_text {
        return Err(broken("the result does not rebuild losslessly"));
    }
    let names = |t: &SourceTree| {
        t.elements()
            .filter_map(|id| t.element(id).map(|e| e.name.clone()))
            .collect::<Vec<_>>()
    };
    if names(tree) != names(&new_tree) {
        return Err(broken("elements would change"));
    }
    let removed: &[NodeId] = match expect {
        Expect::Text { removed } => removed,
        Expect::Attribute { .. } => &[],
    };
    let old_jinja: Vec<&str> = tree
        .jinja_tokens()
        .iter()
        .filter(|id| !removed.contains(id))
        .filter_map(|&id| tree.node(id).map(|n| tree.slice(n.span)))
        .collect();
    let new_jinja: Vec<&str> = new_tree
        .jinja_tokens()
        .iter()
        .filter_map(|&id| new_tree.node(id).map(|n| new_tree.slice(n.span)))
        .collect();
    if old_jinja != new_jinja {
        return Err(broken("Jinja tokens would change"));
    }
    if new_tree.problems().len() > tree.problems().len() {
        return Err(broken("the result would have new problems"));
    }
    if let Expect::Attribute {
        element,
        name,
        present,
    } = expect
    {
        let index = tree.elements().position(|id| id == *element);
        let new_element = index
            .and_then(|i| new_tree.elements().nth(i))
            .and_then(|id| new_tree.element(id));
        let old_element = tree.element(*element);
        let (Some(old), Some(new)) = (old_element, new_element) else {
            return Err(broken("the element would disappear"));
        };
        let expected: Vec<&str> = old
            .attributes
            .iter()
            .map(|a| a.name.as_str())
            .filter(|n| n != name)
            .collect();
        let got: Vec<&str> = new
            .attributes
            .iter()
            .map(|a| a.name.as_str())
            .filter(|n| n != name)
            .collect();
        if expected != got || new.attributes.iter().any(|a| a.name == *name) != *present {
            return Err(broken("other attributes would change"));
        }
    }
    Ok(())
}

/// The segments of a text run (see [`TextSegment`]); `None` when `run` is not a text run.
pub fn text_segments(tree: &SourceTree, run: NodeId) -> Option<Vec<TextSegment>> {
    crate::text::segments(tree, run)
}
