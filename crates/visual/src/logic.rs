//! The logic of a template as the visual editor shows it: the branches of an `{% if %}`
//! region, forcing one of them in a preview copy, the condition of a branch as an editable
//! expression, and the data a `{% for %}` loop walks.
//!
//! Forcing never writes the file: [`force_branch`] gives edits for a *preview copy* that keep
//! every byte offset and line of the text (each condition replaced by `1` or `0`, padded with
//! spaces, its line breaks kept), so the preview's markers still name the file as it is.

use crate::edit::{EditError, TextEdit};
use crate::jinja::JinjaKind;
use crate::span::Span;
use crate::tree::{NodeId, SourceTree};
use serde::{Deserialize, Serialize};

/// One branch of an `{% if %}` region.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Branch {
    /// `if`, `elif` or `else`.
    pub keyword: String,
    /// The condition's code (`people | length > 0`), empty for `else`.
    pub condition: String,
    /// Where the condition is in the text (empty at the tag's end for `else`).
    pub condition_span: Span,
}

/// One step of the data path a loop walks.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "step", content = "key", rename_all = "kebab-case")]
pub enum PathStep {
    /// A key of an object (`people`, `tasks`).
    Key(String),
    /// Every item of a list (the loop around that owns the variable).
    Each,
}

/// The well-formed region whose opening tag starts at `offset`.
fn region_at<'t>(
    tree: &'t SourceTree,
    offset: usize,
    keyword: &str,
) -> Result<&'t crate::tree::JinjaRegion, EditError> {
    tree.regions()
        .iter()
        .find(|r| r.keyword == keyword && r.span.start == offset)
        .filter(|r| r.well_formed)
        .ok_or_else(|| EditError::WouldBreakStructure {
            reason: format!("no well-formed `{{% {keyword} %}}` block starts here"),
        })
}

/// The branches of the `{% if %}` region whose opening tag starts at `offset`, in order.
pub fn branches(tree: &SourceTree, offset: usize) -> Result<Vec<Branch>, EditError> {
    let region = region_at(tree, offset, "if")?;
    let mut out = Vec::new();
    for &tag in &region.tags {
        let Some(node) = tree.node(tag) else { continue };
        let Some(jinja) = node.jinja() else { continue };
        let JinjaKind::Statement { keyword } = &jinja.token else {
            continue;
        };
        if keyword.starts_with("end") {
            continue;
        }
        let inner = tree.slice(jinja.inner);
        let lead = inner.len() - inner.trim_start().len();
        let after_keyword = jinja.inner.start + lead + keyword.len();
        let rest = &tree.source()[after_keyword..jinja.inner.end];
        let start = after_keyword + (rest.len() - rest.trim_start().len());
        let end = after_keyword + rest.trim_end().len();
        let condition_span = Span::new(start, end.max(start));
        out.push(Branch {
            keyword: keyword.clone(),
            condition: tree
                .slice(condition_span)
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" "),
            condition_span,
        });
    }
    Ok(out)
}

/// Edits of a preview copy that make the `{% if %}` at `offset` take branch `branch` (an
/// index into [`branches`]; one past the last condition with no `else`: no branch at all),
/// keeping every offset and line: the conditions before it become `0`, its own `1`.
pub fn force_branch(
    tree: &SourceTree,
    offset: usize,
    branch: usize,
) -> Result<Vec<TextEdit>, EditError> {
    let all = branches(tree, offset)?;
    let conditions = all.iter().filter(|b| b.keyword != "else").count();
    if branch > conditions.max(all.len().saturating_sub(1)) {
        return Err(EditError::WouldBreakStructure {
            reason: format!("this block has no branch {}", branch + 1),
        });
    }
    let text = tree.source();
    let mut edits = Vec::new();
    for (i, b) in all.iter().enumerate() {
        if b.keyword == "else" || i > branch {
            continue;
        }
        let digit = if i == branch { '1' } else { '0' };
        edits.push(TextEdit {
            range: b.condition_span.range(),
            insert: same_shape(
                &text[b.condition_span.range()],
                digit,
                text,
                b.condition_span,
            ),
        });
    }
    Ok(edits)
}

/// `digit` in place of `code`, padded with spaces to the same length, line breaks kept; a
/// space first when the code touches its keyword (`if(x)` → `if 1 `).
fn same_shape(code: &str, digit: char, text: &str, span: Span) -> String {
    let touches_keyword = text[..span.start]
        .chars()
        .next_back()
        .is_some_and(|c| c.is_alphanumeric() || c == '_');
    let mut out = String::with_capacity(code.len());
    let mut placed = false;
    let mut leading_space = touches_keyword;
    for c in code.chars() {
        if c == '\n' || c == '\r' {
            out.push(c);
            continue;
        }
        for _ in 0..c.len_utf8() {
            if leading_space {
                out.push(' ');
                leading_space = false;
            } else if !placed {
                out.push(digit);
                placed = true;
            } else {
                out.push(' ');
            }
        }
    }
    out
}

/// The `{% if %}`/`{% elif %}` condition of branch `branch` of the region at `offset`
/// replaced by `condition` (one line, checked by the caller's render).
pub fn set_condition(
    tree: &SourceTree,
    offset: usize,
    branch: usize,
    condition: &str,
) -> Result<Vec<TextEdit>, EditError> {
    let all = branches(tree, offset)?;
    let b = all
        .get(branch)
        .filter(|b| b.keyword != "else")
        .ok_or_else(|| EditError::WouldBreakStructure {
            reason: "only an `if` or `elif` branch has a condition".into(),
        })?;
    Ok(vec![TextEdit {
        range: b.condition_span.range(),
        insert: condition.to_owned(),
    }])
}

/// The loop variable and list expression of the `{% for %}` at `offset` (`person`, `people`).
fn loop_parts(tree: &SourceTree, offset: usize) -> Result<(String, String), EditError> {
    let region = region_at(tree, offset, "for")?;
    let open = region
        .tags
        .first()
        .and_then(|&t| tree.node(t))
        .and_then(|n| n.jinja())
        .ok_or(EditError::NotAnElement)?;
    let inner = tree.slice(open.inner).trim();
    let rest = inner.strip_prefix("for").unwrap_or(inner);
    let (variable, list) =
        rest.split_once(" in ")
            .ok_or_else(|| EditError::WouldBreakStructure {
                reason: "not a `for … in …` loop".into(),
            })?;
    let list = list
        .split(" recursive")
        .next()
        .unwrap_or(list)
        .split(" if ")
        .next()
        .unwrap_or(list);
    Ok((variable.trim().to_owned(), list.trim().to_owned()))
}

/// The data path the `{% for %}` at `offset` walks, from the render's data: `people` →
/// `[Key(people)]`; `person.tasks` inside `for person in people` → `[Key(people), Each,
/// Key(tasks)]`. `None` when the list is computed (filters, calls, indexes by variable) or
/// rooted in a name the file does not get from its data.
pub fn loop_data_path(tree: &SourceTree, offset: usize) -> Option<Vec<PathStep>> {
    let (_, list) = loop_parts(tree, offset).ok()?;
    let mut keys = Vec::new();
    for part in list.split('.') {
        let part = part.trim();
        let valid = part
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && part.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !valid {
            return None;
        }
        keys.push(part.to_owned());
    }
    let root = keys.first()?.clone();
    // The innermost enclosing loop that binds the root name.
    let owner = tree
        .regions()
        .iter()
        .filter(|r| {
            r.keyword == "for"
                && r.well_formed
                && r.span.start < offset
                && offset < r.span.end
                && r.span.start != offset
        })
        .filter(|r| loop_parts(tree, r.span.start).is_ok_and(|(v, _)| v == root))
        .max_by_key(|r| r.span.start);
    let mut path = match owner {
        Some(r) => {
            let mut p = loop_data_path(tree, r.span.start)?;
            p.push(PathStep::Each);
            keys.remove(0);
            p
        }
        None => Vec::new(),
    };
    path.extend(keys.into_iter().map(PathStep::Key));
    Some(path)
}

/// A `{% if %}` or `{% for %}` block around an element, as the preview frames it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Frame {
    /// Where its opening tag starts.
    pub offset: usize,
    /// Its opening tag's code on one line (`if people | length > 0`).
    pub label: String,
    /// The start of each element directly inside it (the ones its frame surrounds).
    pub members: Vec<usize>,
}

/// The well-formed `if`/`for` blocks around the element starting at `offset`, outermost
/// first, each with the elements at its top level.
pub fn frames_around(tree: &SourceTree, offset: usize) -> Vec<Frame> {
    let Some(span) = tree
        .element_at(offset)
        .and_then(|id| tree.node(id))
        .filter(|n| n.span.start == offset)
        .map(|n| n.span)
    else {
        return Vec::new();
    };
    blocks_around(tree, span)
        .into_iter()
        .map(|(region, label)| {
            let inside = |s: Span| region.start <= s.start && s.end <= region.end;
            let members = tree
                .elements()
                .filter_map(|id| tree.node(id))
                .filter(|n| {
                    inside(n.span)
                        && !n
                            .parent
                            .and_then(|p| tree.node(p))
                            .is_some_and(|p| p.element().is_some() && inside(p.span))
                })
                .map(|n| n.span.start)
                .collect();
            Frame {
                offset: region.start,
                label,
                members,
            }
        })
        .collect()
}

/// The well-formed `if`/`for` blocks around `span`, outermost first: each one's span and its
/// opening tag's code on one line (`if people | length > 0`).
pub fn blocks_around(tree: &SourceTree, span: Span) -> Vec<(Span, String)> {
    let mut out: Vec<(Span, String)> = tree
        .regions()
        .iter()
        .filter(|r| {
            r.well_formed
                && matches!(r.keyword.as_str(), "if" | "for")
                && r.span.start <= span.start
                && span.end <= r.span.end
        })
        .map(|r| {
            let label = r
                .tags
                .first()
                .and_then(|&t| tree.node(t))
                .and_then(|n| n.jinja())
                .map(|j| {
                    tree.slice(j.inner)
                        .split_whitespace()
                        .collect::<Vec<_>>()
                        .join(" ")
                })
                .unwrap_or_default();
            (r.span, label)
        })
        .collect();
    out.sort_by_key(|(s, _)| s.start);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::edit::apply;

    const TEXT: &str = "<mj-column>\n  {% if people | length > 1 %}\n  <mj-text>many</mj-text>\n  {%- elif people\n     | length == 1 -%}\n  <mj-text>one</mj-text>\n  {% else %}\n  <mj-text>none</mj-text>\n  {% endif %}\n  {% for person in people %}{% for task in person.tasks %}<mj-text>{{ task }}</mj-text>{% endfor %}{% endfor %}\n  {% for x in people | sort %}{% endfor %}\n</mj-column>\n";

    fn if_offset() -> usize {
        TEXT.find("{% if").unwrap_or_default()
    }

    #[test]
    fn branches_are_labelled_in_order() {
        let tree = SourceTree::parse(TEXT);
        let b = branches(&tree, if_offset()).unwrap_or_default();
        let labels: Vec<String> = b
            .iter()
            .map(|b| format!("{} {}", b.keyword, b.condition))
            .collect();
        assert_eq!(
            labels,
            [
                "if people | length > 1",
                "elif people | length == 1",
                "else "
            ]
        );
    }

    #[test]
    fn forcing_keeps_every_offset_and_line() {
        let tree = SourceTree::parse(TEXT);
        for branch in 0..3 {
            let edits = force_branch(&tree, if_offset(), branch).unwrap_or_default();
            let forced = apply(TEXT, &edits).unwrap_or_default();
            assert_eq!(forced.len(), TEXT.len());
            assert_eq!(forced.matches('\n').count(), TEXT.matches('\n').count());
            let forced_tree = SourceTree::parse(&forced);
            let starts = |t: &SourceTree| -> Vec<usize> {
                t.elements()
                    .filter_map(|e| t.node(e).map(|n| n.span.start))
                    .collect()
            };
            assert_eq!(starts(&forced_tree), starts(&tree));
            let conditions: Vec<String> = branches(&forced_tree, if_offset())
                .unwrap_or_default()
                .iter()
                .map(|b| b.condition.clone())
                .collect();
            let expected: &[&str] = match branch {
                0 => &["1", "people | length == 1", ""],
                1 => &["0", "1", ""],
                _ => &["0", "0", ""],
            };
            assert_eq!(conditions, expected, "branch {branch}");
        }
        assert!(force_branch(&tree, if_offset(), 3).is_err());
        assert!(force_branch(&tree, 0, 0).is_err());
    }

    #[test]
    fn a_condition_touching_its_keyword_gets_a_space() {
        let text = "{%if(a or b)%}<mj-text>x</mj-text>{%endif%}";
        let tree = SourceTree::parse(text);
        let edits = force_branch(&tree, 0, 0).unwrap_or_default();
        assert_eq!(
            apply(text, &edits).unwrap_or_default(),
            "{%if 1      %}<mj-text>x</mj-text>{%endif%}"
        );
    }

    #[test]
    fn a_condition_is_replaced_as_one_edit() {
        let tree = SourceTree::parse(TEXT);
        let edits = set_condition(&tree, if_offset(), 0, "people").unwrap_or_default();
        let out = apply(TEXT, &edits).unwrap_or_default();
        assert!(out.contains("{% if people %}"), "{out}");
        assert!(set_condition(&tree, if_offset(), 2, "x").is_err());
    }

    #[test]
    fn frames_surround_the_top_elements_of_each_block_around() {
        let tree = SourceTree::parse(TEXT);
        let task = TEXT.find("<mj-text>{{ task }}").unwrap_or_default();
        let frames = frames_around(&tree, task);
        let labels: Vec<&str> = frames.iter().map(|f| f.label.as_str()).collect();
        assert_eq!(labels, ["for person in people", "for task in person.tasks"]);
        assert!(frames.iter().all(|f| f.members == [task]));
        let many = TEXT.find("<mj-text>many").unwrap_or_default();
        let frames = frames_around(&tree, many);
        assert_eq!(frames.len(), 1);
        assert_eq!(
            frames[0].members,
            [
                many,
                TEXT.find("<mj-text>one").unwrap_or_default(),
                TEXT.find("<mj-text>none").unwrap_or_default()
            ],
            "every branch's elements"
        );
        assert!(
            frames_around(&tree, 0).is_empty(),
            "the column is in no block"
        );
    }

    #[test]
    fn loop_paths_follow_the_loops_around() {
        let tree = SourceTree::parse(TEXT);
        let outer = TEXT.find("{% for person").unwrap_or_default();
        let inner = TEXT.find("{% for task").unwrap_or_default();
        let sorted = TEXT.find("{% for x").unwrap_or_default();
        assert_eq!(
            loop_data_path(&tree, outer),
            Some(vec![PathStep::Key("people".into())])
        );
        assert_eq!(
            loop_data_path(&tree, inner),
            Some(vec![
                PathStep::Key("people".into()),
                PathStep::Each,
                PathStep::Key("tasks".into())
            ])
        );
        assert_eq!(loop_data_path(&tree, sorted), None);
    }
}

/// The `if`/`for` blocks an element opens or closes, for dropping next to them rather than
/// into them: `before` is the opening tag of the outermost block whose first element is
/// `element`, `after` the closing tag of the outermost block whose last element it is (each
/// block well formed, with its tags among the element's siblings), with their labels.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BlockEdges {
    pub before: Option<(NodeId, String)>,
    pub after: Option<(NodeId, String)>,
}

/// [`BlockEdges`] of `element`.
pub fn block_edges(tree: &SourceTree, element: NodeId) -> BlockEdges {
    let Some(node) = tree.node(element) else {
        return BlockEdges::default();
    };
    let Some(siblings) = node
        .parent
        .and_then(|p| tree.node(p))
        .map(|p| p.children.clone())
    else {
        return BlockEdges::default();
    };
    let mut edges = BlockEdges::default();
    // Outermost first: the first block that qualifies is the one to go around.
    for (span, label) in blocks_around(tree, node.span) {
        let Some(region) = tree.regions().iter().find(|r| r.span == span) else {
            continue;
        };
        let (Some(&open), Some(&close)) = (region.tags.first(), region.tags.last()) else {
            continue;
        };
        let parent = node.parent;
        let among_siblings = |tag: NodeId| {
            crate::structure::content_parent(tree, tag) == parent && tree.node(tag).is_some()
        };
        if !among_siblings(open) || !among_siblings(close) {
            continue;
        }
        let members: Vec<NodeId> = siblings
            .iter()
            .copied()
            .filter(|&c| {
                tree.element(c).is_some()
                    && tree
                        .node(c)
                        .is_some_and(|n| span.start <= n.span.start && n.span.end <= span.end)
            })
            .collect();
        if edges.before.is_none() && members.first() == Some(&element) {
            edges.before = Some((open, label.clone()));
        }
        if edges.after.is_none() && members.last() == Some(&element) {
            edges.after = Some((close, label));
        }
    }
    edges
}
