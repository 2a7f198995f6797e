//! Pairing Jinja block tags into regions, and marking what opaque regions cover.

use crate::jinja::{JinjaKind, is_block_set};
use crate::span::Span;
use crate::tree::{JinjaContext, JinjaRegion, Node, NodeId, NodeKind, Problem, ProblemKind};

/// Keywords that open a block closed by `end<keyword>`.
const BLOCK_KEYWORDS: &[&str] = &[
    "if",
    "for",
    "block",
    "macro",
    "call",
    "filter",
    "with",
    "autoescape",
    "raw",
    "set",
];

/// Where a tag sits, for the "same container" rule.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Container {
    ChildList(NodeId),
    AttributeValue(NodeId, usize),
    StartTag(NodeId),
    Leaf(NodeId),
}

fn container(nodes: &[Node], id: NodeId) -> Option<Container> {
    let node = &nodes[id.0];
    let parent = node.parent?;
    let jinja = node.jinja()?;
    Some(match jinja.context {
        JinjaContext::Content => Container::ChildList(nodes[parent.0].parent.unwrap_or(parent)),
        JinjaContext::AttributeValue { attribute } => Container::AttributeValue(parent, attribute),
        JinjaContext::StartTag => Container::StartTag(parent),
        JinjaContext::EndTag | JinjaContext::Comment | JinjaContext::Unparsed => {
            Container::Leaf(parent)
        }
    })
}

fn keyword_of(nodes: &[Node], source_inner: &str, id: NodeId) -> Option<(String, bool)> {
    match &nodes[id.0].jinja()?.token {
        JinjaKind::Statement { keyword } => {
            let opens = BLOCK_KEYWORDS.contains(&keyword.as_str())
                && (keyword != "set" || is_block_set(source_inner));
            Some((keyword.clone(), opens))
        }
        _ => None,
    }
}

struct OpenRegion {
    index: usize,
}

/// Pairs block tags of `jinja` (document order) into `regions`; marks unpaired tags and
/// everything crossing or inside a region that is not well-formed as opaque.
pub(crate) fn pair(
    nodes: &mut [Node],
    jinja: &[NodeId],
    regions: &mut Vec<JinjaRegion>,
    problems: &mut Vec<Problem>,
    source: &str,
) {
    let mut open: Vec<OpenRegion> = Vec::new();
    let mut opaque_spans: Vec<Span> = Vec::new();
    let unmatched = |nodes: &mut [Node],
                     problems: &mut Vec<Problem>,
                     opaque: &mut Vec<Span>,
                     id: NodeId,
                     what: &str| {
        nodes[id.0].opaque = true;
        let span = nodes[id.0].span;
        opaque.push(span);
        problems.push(Problem {
            kind: ProblemKind::UnmatchedBlockTag,
            span,
            message: what.to_owned(),
        });
    };
    for &id in jinja {
        let inner = nodes[id.0].jinja().map(|j| j.inner).unwrap_or_default();
        let Some((keyword, opens)) =
            keyword_of(nodes, source.get(inner.range()).unwrap_or_default(), id)
        else {
            continue;
        };
        let span = nodes[id.0].span;
        if opens {
            let index = regions.len();
            regions.push(JinjaRegion {
                keyword,
                tags: vec![id],
                span,
                well_formed: false,
            });
            set_region(nodes, id, index);
            open.push(OpenRegion { index });
        } else if keyword == "elif" || keyword == "else" {
            let fits = open.last().is_some_and(|top| {
                let kw = regions[top.index].keyword.as_str();
                kw == "if" || (keyword == "else" && kw == "for")
            });
            match open.last() {
                Some(top) if fits => {
                    regions[top.index].tags.push(id);
                    set_region(nodes, id, top.index);
                }
                _ => unmatched(
                    nodes,
                    problems,
                    &mut opaque_spans,
                    id,
                    "`elif`/`else` outside `if`/`for`",
                ),
            }
        } else if let Some(opened) = keyword
            .strip_prefix("end")
            .filter(|k| BLOCK_KEYWORDS.contains(k))
        {
            match open
                .iter()
                .rposition(|o| regions[o.index].keyword == opened)
            {
                Some(position) => {
                    while open.len() > position + 1 {
                        if let Some(unclosed) = open.pop() {
                            let region = &mut regions[unclosed.index];
                            region.span = Span::new(region.span.start, span.start);
                            problems.push(Problem {
                                kind: ProblemKind::UnclosedBlock,
                                span: region.span,
                                message: format!("`{{% {} %}}` never closed", region.keyword),
                            });
                            opaque_spans.push(region.span);
                        }
                    }
                    if let Some(closing) = open.pop() {
                        let region = &mut regions[closing.index];
                        region.tags.push(id);
                        region.span = Span::new(region.span.start, span.end);
                        let first = region.tags.first().and_then(|&t| container(nodes, t));
                        let same = region.tags.iter().all(|&t| container(nodes, t) == first);
                        region.well_formed = same;
                        set_region(nodes, id, closing.index);
                        if !same {
                            problems.push(Problem {
                                kind: ProblemKind::CrossingRegion,
                                span: region.span,
                                message: format!(
                                    "`{{% {} %}}` opens and closes in different places: edit it in code",
                                    region.keyword
                                ),
                            });
                            opaque_spans.push(region.span);
                        }
                    }
                }
                None => unmatched(
                    nodes,
                    problems,
                    &mut opaque_spans,
                    id,
                    "closing tag without its opening tag",
                ),
            }
        }
    }
    for unclosed in open {
        let region = &mut regions[unclosed.index];
        region.span = Span::new(region.span.start, source.len());
        problems.push(Problem {
            kind: ProblemKind::UnclosedBlock,
            span: region.span,
            message: format!("`{{% {} %}}` never closed", region.keyword),
        });
        opaque_spans.push(region.span);
    }
    mark_opaque(nodes, opaque_spans);
}

fn set_region(nodes: &mut [Node], id: NodeId, index: usize) {
    if let NodeKind::Jinja(jinja) = &mut nodes[id.0].kind {
        jinja.region = Some(index);
    }
}

/// Marks every node that lies inside an opaque span or partly overlaps one (a node enclosing
/// a whole opaque span, like the section around a crossing `if`, stays editable).
fn mark_opaque(nodes: &mut [Node], mut spans: Vec<Span>) {
    if spans.is_empty() {
        return;
    }
    spans.sort();
    let mut merged: Vec<Span> = Vec::with_capacity(spans.len());
    for span in spans {
        match merged.last_mut() {
            Some(last) if span.start < last.end => last.end = last.end.max(span.end),
            _ => merged.push(span),
        }
    }
    for node in nodes.iter_mut() {
        let span = node.span;
        let first = merged.partition_point(|m| m.end <= span.start);
        let touched = merged[first..]
            .iter()
            .take_while(|m| m.start < span.end.max(span.start + 1))
            .any(|m| {
                m.overlaps(span) && !span.encloses(*m) || m.encloses(span) && !span.is_empty()
            });
        if touched {
            node.opaque = true;
        }
    }
}
