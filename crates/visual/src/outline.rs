//! The outline of a template file: its body elements and the Jinja blocks and includes around
//! them, nested as they are written, for the outline tree beside the preview.

use crate::jinja::JinjaKind;
use crate::span::Span;
use crate::tree::{NodeKind, SourceTree};
use serde::{Deserialize, Serialize};

/// What an outline entry is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OutlineEntryKind {
    /// An MJML element.
    Element,
    /// A `{% if %}` block.
    Condition,
    /// A `{% for %}` block.
    Loop,
    /// A `{% block %}`.
    Block,
    /// An `{% include %}` tag.
    Include,
}

/// One row of the outline.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutlineEntry {
    /// What it is.
    pub kind: OutlineEntryKind,
    /// Element name, or the tag's code without its delimiters.
    pub label: String,
    /// The start of an element's visible text, when it holds text.
    pub excerpt: Option<String>,
    /// Its start: the element's `<`, the block's opening tag.
    pub offset: usize,
    /// Nesting depth (0: top).
    pub depth: usize,
    /// Inside or across an opaque region.
    pub opaque: bool,
}

/// Elements of the email's frame and head, left out of the outline.
const HIDDEN: &[&str] = &["mjml", "mj-body", "mj-head"];

/// Longest excerpt, in characters.
const EXCERPT_CHARS: usize = 40;

/// The outline of `tree`, in document order, containers before what they hold.
pub fn outline(tree: &SourceTree) -> Vec<OutlineEntry> {
    let head = tree
        .elements()
        .find(|&id| tree.element(id).is_some_and(|e| e.name == "mj-head"))
        .and_then(|id| tree.node(id).map(|n| n.span));
    let mut items: Vec<(Span, OutlineEntry)> = Vec::new();
    for id in tree.elements() {
        let (Some(node), Some(element)) = (tree.node(id), tree.element(id)) else {
            continue;
        };
        let in_head = head.is_some_and(|h| h.start <= node.span.start && node.span.end <= h.end);
        let inside_html = node
            .parent
            .and_then(|p| tree.element(p))
            .is_some_and(|p| p.raw_html);
        if in_head || inside_html || HIDDEN.contains(&element.name.as_str()) {
            continue;
        }
        let excerpt = element
            .raw_html
            .then(|| element.content.map(|c| excerpt_of(tree.slice(c))))
            .flatten()
            .filter(|e| !e.is_empty());
        items.push((
            node.span,
            OutlineEntry {
                kind: OutlineEntryKind::Element,
                label: element.name.clone(),
                excerpt,
                offset: node.span.start,
                depth: 0,
                opaque: node.opaque,
            },
        ));
    }
    for region in tree.regions() {
        let kind = match region.keyword.as_str() {
            "if" => OutlineEntryKind::Condition,
            "for" => OutlineEntryKind::Loop,
            "block" => OutlineEntryKind::Block,
            _ => continue,
        };
        let Some(open) = region.tags.first().and_then(|&t| tree.node(t)) else {
            continue;
        };
        let in_head =
            head.is_some_and(|h| h.start <= region.span.start && region.span.end <= h.end);
        if in_head {
            continue;
        }
        let mut label = tag_code(tree, open.span);
        if kind == OutlineEntryKind::Condition && region.tags.len() > 2 {
            label = format!("{label} · {} branches", region.tags.len() - 1);
        }
        items.push((
            region.span,
            OutlineEntry {
                kind,
                label,
                excerpt: None,
                offset: open.span.start,
                depth: 0,
                opaque: !region.well_formed,
            },
        ));
    }
    for &id in tree.jinja_tokens() {
        let Some(node) = tree.node(id) else { continue };
        let is_include = matches!(
            node.jinja().map(|j| &j.token),
            Some(JinjaKind::Statement { keyword }) if keyword == "include"
        );
        let in_head = head.is_some_and(|h| h.start <= node.span.start && node.span.end <= h.end);
        if !is_include || in_head || !matches!(node.kind, NodeKind::Jinja(_)) {
            continue;
        }
        items.push((
            node.span,
            OutlineEntry {
                kind: OutlineEntryKind::Include,
                label: tag_code(tree, node.span),
                excerpt: None,
                offset: node.span.start,
                depth: 0,
                opaque: node.opaque,
            },
        ));
    }
    items.sort_by_key(|(span, _)| (span.start, std::cmp::Reverse(span.end)));
    let mut open: Vec<Span> = Vec::new();
    let mut out = Vec::with_capacity(items.len());
    for (span, mut entry) in items {
        while open.last().is_some_and(|o| o.end <= span.start) {
            open.pop();
        }
        entry.depth = open.len();
        open.push(span);
        out.push(entry);
    }
    out
}

/// A tag's code without its delimiters and whitespace control (`{%- if x %}` → `if x`).
fn tag_code(tree: &SourceTree, span: Span) -> String {
    let code = tree.slice(span);
    let code = code
        .trim_start_matches("{%")
        .trim_end_matches("%}")
        .trim_matches(['-', '+', ' ', '\t', '\n', '\r']);
    code.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The start of what a reader sees of some markup: tags left out, whitespace as one space.
fn excerpt_of(markup: &str) -> String {
    // Block-level tags separate words; inline ones (`<b>`, `<a>`) do not.
    const BREAKS: &[&str] = &[
        "br", "p", "div", "tr", "td", "th", "li", "h1", "h2", "h3", "h4",
    ];
    let mut text = String::new();
    let mut tag: Option<String> = None;
    for c in markup.chars() {
        match (&mut tag, c) {
            (None, '<') => tag = Some(String::new()),
            (Some(name), '>') => {
                let name = name.trim_start_matches('/').to_ascii_lowercase();
                let name = name.split([' ', '/']).next().unwrap_or_default();
                if BREAKS.contains(&name) {
                    text.push(' ');
                }
                tag = None;
            }
            (Some(name), c) => name.push(c),
            (None, c) => text.push(c),
        }
    }
    let words: Vec<&str> = text.split_whitespace().collect();
    let joined = words.join(" ");
    if joined.chars().count() > EXCERPT_CHARS {
        let cut: String = joined.chars().take(EXCERPT_CHARS - 1).collect();
        format!("{}…", cut.trim_end())
    } else {
        joined
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_outline_nests_elements_blocks_and_includes_as_written() {
        let text = "{% extends \"layouts/base.mjml\" %}\n{% block content %}\n<mj-section>\n  <mj-column>\n    {% if people | length > 0 %}\n    <mj-text>Hello <b>{{ name }}</b>, welcome aboard our lovely product today!</mj-text>\n    {% else %}\n    <mj-divider />\n    {% endif %}\n    {%- for p in people %}<mj-button href=\"#\">Go</mj-button>{% endfor %}\n  </mj-column>\n</mj-section>\n{% include \"partials/footer.mjml\" %}\n{% endblock %}\n";
        let tree = SourceTree::parse(text);
        let rows: Vec<String> = outline(&tree)
            .iter()
            .map(|e| {
                format!(
                    "{}{:?} {}{}",
                    "  ".repeat(e.depth),
                    e.kind,
                    e.label,
                    e.excerpt
                        .as_ref()
                        .map(|x| format!(" — {x}"))
                        .unwrap_or_default()
                )
            })
            .collect();
        assert_eq!(
            rows,
            [
                "Block block content",
                "  Element mj-section",
                "    Element mj-column",
                "      Condition if people | length > 0 · 2 branches",
                "        Element mj-text — Hello {{ name }}, welcome aboard our lo…",
                "        Element mj-divider",
                "      Loop for p in people",
                "        Element mj-button — Go",
                "  Include include \"partials/footer.mjml\"",
            ]
        );
    }
}
