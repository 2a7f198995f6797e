//! The text of a run as segments: literal text, character references and Jinja chips.

use crate::span::Span;
use crate::tree::{NodeId, NodeKind, SourceTree};
use serde::{Deserialize, Serialize};

/// One piece of a text run, as the UI shows it (Jinja as atomic chips).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "value", rename_all = "kebab-case")]
pub enum TextSegment {
    /// Plain text (what the reader sees; no markup, no entities).
    Literal(String),
    /// A Jinja token of the run, by node id: kept byte for byte, may be left out (removed).
    Jinja(NodeId),
    /// A character reference (`&nbsp;`, `&#233;`): its source bytes and what it stands for.
    Entity {
        /// As written.
        raw: String,
        /// What it decodes to.
        decoded: String,
    },
}

/// The smallest piece of a run an edit keeps or replaces.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Unit {
    pub span: Span,
    pub decoded: String,
    pub kind: UnitKind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum UnitKind {
    Char,
    Entity,
    Jinja(NodeId),
}

/// The units of a text run, in order; `None` when `run` is not a text run.
pub(crate) fn units(tree: &SourceTree, run: NodeId) -> Option<Vec<Unit>> {
    let node = tree.node(run)?;
    if node.kind != NodeKind::TextRun {
        return None;
    }
    let mut units = Vec::new();
    for &child in &node.children {
        let Some(part) = tree.node(child) else {
            continue;
        };
        match part.kind {
            NodeKind::Jinja(_) => units.push(Unit {
                span: part.span,
                decoded: String::new(),
                kind: UnitKind::Jinja(child),
            }),
            _ => literal_units(tree.slice(part.span), part.span.start, &mut units),
        }
    }
    Some(units)
}

fn literal_units(text: &str, offset: usize, units: &mut Vec<Unit>) {
    let mut chars = text.char_indices().peekable();
    while let Some((index, ch)) = chars.next() {
        if ch == '&'
            && let Some((len, decoded)) = entity_at(&text[index..])
        {
            units.push(Unit {
                span: Span::new(offset + index, offset + index + len),
                decoded,
                kind: UnitKind::Entity,
            });
            while chars.peek().is_some_and(|&(next, _)| next < index + len) {
                chars.next();
            }
            continue;
        }
        units.push(Unit {
            span: Span::new(offset + index, offset + index + ch.len_utf8()),
            decoded: ch.to_string(),
            kind: UnitKind::Char,
        });
    }
}

/// Segments of a run: consecutive characters merged into literals.
pub(crate) fn segments(tree: &SourceTree, run: NodeId) -> Option<Vec<TextSegment>> {
    let mut segments: Vec<TextSegment> = Vec::new();
    for unit in units(tree, run)? {
        match unit.kind {
            UnitKind::Char => match segments.last_mut() {
                Some(TextSegment::Literal(text)) => text.push_str(&unit.decoded),
                _ => segments.push(TextSegment::Literal(unit.decoded)),
            },
            UnitKind::Entity => segments.push(TextSegment::Entity {
                raw: tree.slice(unit.span).to_owned(),
                decoded: unit.decoded,
            }),
            UnitKind::Jinja(id) => segments.push(TextSegment::Jinja(id)),
        }
    }
    Some(segments)
}

/// Named references common in email copy; others stay literal text.
const NAMED_ENTITIES: &[(&str, &str)] = &[
    ("amp", "&"),
    ("lt", "<"),
    ("gt", ">"),
    ("quot", "\""),
    ("apos", "'"),
    ("nbsp", "\u{a0}"),
    ("copy", "©"),
    ("reg", "®"),
    ("trade", "™"),
    ("hellip", "…"),
    ("mdash", "—"),
    ("ndash", "–"),
    ("lsquo", "‘"),
    ("rsquo", "’"),
    ("ldquo", "“"),
    ("rdquo", "”"),
    ("sbquo", "‚"),
    ("bdquo", "„"),
    ("laquo", "«"),
    ("raquo", "»"),
    ("bull", "•"),
    ("middot", "·"),
    ("euro", "€"),
    ("pound", "£"),
    ("yen", "¥"),
    ("cent", "¢"),
    ("deg", "°"),
    ("times", "×"),
    ("divide", "÷"),
    ("shy", "\u{ad}"),
    ("zwnj", "\u{200c}"),
    ("zwj", "\u{200d}"),
    ("ensp", "\u{2002}"),
    ("emsp", "\u{2003}"),
    ("thinsp", "\u{2009}"),
    ("sect", "§"),
    ("para", "¶"),
    ("iexcl", "¡"),
    ("iquest", "¿"),
    ("rarr", "→"),
    ("larr", "←"),
    ("uarr", "↑"),
    ("darr", "↓"),
    ("hearts", "♥"),
    ("check", "✓"),
];

/// The length and meaning of the character reference at the start of `text`, if it is one.
pub(crate) fn entity_at(text: &str) -> Option<(usize, String)> {
    let rest = text.strip_prefix('&')?;
    let end = rest.find(';')?;
    let body = &rest[..end];
    if body.is_empty() || end > 32 {
        return None;
    }
    let decoded = if let Some(number) = body.strip_prefix('#') {
        let code = match number.strip_prefix(['x', 'X']) {
            Some(hex) if !hex.is_empty() && hex.bytes().all(|b| b.is_ascii_hexdigit()) => {
                u32::from_str_radix(hex, 16).ok()?
            }
            Some(_) => return None,
            None if !number.is_empty() && number.bytes().all(|b| b.is_ascii_digit()) => {
                number.parse().ok()?
            }
            None => return None,
        };
        if code == 0 {
            return None;
        }
        char::from_u32(code)?.to_string()
    } else {
        NAMED_ENTITIES
            .iter()
            .find(|(name, _)| *name == body)?
            .1
            .to_owned()
    };
    Some((end + 2, decoded))
}
