//! What the preview forces of a template's logic, in copies only: a chosen branch of an
//! `{% if %}` (the file's text with its conditions replaced by `1`/`0`, every offset kept, so
//! the preview's markers still name the file as it is) and a chosen number of items for a
//! `{% for %}` (the fixture's list cut, or its items repeated). Nothing is written.

use crate::StudioError;
use crate::edit::Buffers;
use letterpress_protocol::PreviewLogic;
use letterpress_visual::{PathStep, SourceTree};
use serde_json::Value;
use std::sync::Arc;

/// The most items "preview with N items" makes of a list.
pub const MAX_PREVIEW_ITEMS: u32 = 1000;

/// Lists of the data to cut or repeat to a count, by their path.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListCounts(Vec<(Vec<PathStep>, usize)>);

impl ListCounts {
    /// Cuts or repeats every named list of `data` (a list that is missing, not a list, or
    /// empty stays as it is: there is nothing to repeat).
    pub fn apply(&self, data: &mut Value) {
        for (path, count) in &self.0 {
            resize(data, path, *count);
        }
    }

    /// No list is changed.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

fn resize(value: &mut Value, path: &[PathStep], count: usize) {
    match path.split_first() {
        None => {
            if let Value::Array(items) = value
                && !items.is_empty()
            {
                let fixture = std::mem::take(items);
                items.extend(fixture.iter().cycle().take(count).cloned());
            }
        }
        Some((PathStep::Key(key), rest)) => {
            if let Some(inner) = value.get_mut(key.as_str()) {
                resize(inner, rest, count);
            }
        }
        Some((PathStep::Each, rest)) => {
            if let Value::Array(items) = value {
                for item in items {
                    resize(item, rest, count);
                }
            }
        }
    }
}

/// A preview's copy of the sources and data with `logic` forced.
#[derive(Debug, Default)]
pub struct LogicCopy {
    /// Forced texts of the files holding forced branches (over the editor's buffers).
    pub buffers: Buffers,
    /// The lists to reshape.
    pub lists: ListCounts,
    /// What was forced, and what could not be, for the preview's header.
    pub said: Vec<String>,
}

/// The copy `logic` asks for, reading each file's current text with `text_of`.
pub fn copy(
    logic: &PreviewLogic,
    text_of: impl Fn(&str) -> Result<String, StudioError>,
) -> LogicCopy {
    let mut out = LogicCopy::default();
    let mut texts: std::collections::BTreeMap<String, String> = Default::default();
    for forced in &logic.branches {
        let text = match texts.get(&forced.path) {
            Some(t) => t.clone(),
            None => match text_of(&forced.path) {
                Ok(t) => t,
                Err(e) => {
                    out.said.push(format!("cannot force a branch: {e}"));
                    continue;
                }
            },
        };
        let tree = SourceTree::parse(&text);
        let branches = letterpress_visual::branches(&tree, forced.offset);
        let tag = tag_label(&tree, forced.offset);
        let branch = usize::try_from(forced.branch).unwrap_or(usize::MAX);
        let edits = letterpress_visual::force_branch(&tree, forced.offset, branch);
        match (branches, edits) {
            (Ok(branches), Ok(edits)) => match letterpress_visual::apply(&text, &edits) {
                Ok(forced_text) => {
                    let which = branches
                        .get(branch)
                        .map_or("no branch".to_owned(), |b| format!("`{}`", b.keyword));
                    out.said.push(format!("branch forced: {which} of `{tag}`"));
                    texts.insert(forced.path.clone(), forced_text);
                }
                Err(e) => out.said.push(format!("cannot force `{tag}`: {e}")),
            },
            (Err(e), _) | (_, Err(e)) => out.said.push(format!("cannot force `{tag}`: {e}")),
        }
    }
    for items in &logic.items {
        let text = match text_of(&items.path) {
            Ok(t) => t,
            Err(e) => {
                out.said.push(format!("cannot change a loop's items: {e}"));
                continue;
            }
        };
        let tree = SourceTree::parse(&text);
        let tag = tag_label(&tree, items.offset);
        let count = items.count.min(MAX_PREVIEW_ITEMS);
        match letterpress_visual::loop_data_path(&tree, items.offset) {
            Some(path) => {
                out.said.push(format!(
                    "{count} item{} for `{tag}` (the fixture's, repeated as needed)",
                    if count == 1 { "" } else { "s" }
                ));
                out.lists
                    .0
                    .push((path, usize::try_from(count).unwrap_or(usize::MAX)));
            }
            None => out.said.push(format!(
                "cannot preview `{tag}` with {count} items: its list is computed, not a list of the data"
            )),
        }
    }
    out.buffers = texts
        .into_iter()
        .map(|(path, text)| (path, Arc::from(text)))
        .collect();
    out
}

/// The code of the tag at `offset` on one line (`if people | length > 0`).
fn tag_label(tree: &SourceTree, offset: usize) -> String {
    let node = tree
        .jinja_tokens()
        .iter()
        .filter_map(|&id| tree.node(id))
        .find(|n| n.span.start == offset);
    match node.and_then(|n| n.jinja().map(|j| tree.slice(j.inner))) {
        Some(code) => code.split_whitespace().collect::<Vec<_>>().join(" "),
        None => format!("the block at byte {offset}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn lists_are_cut_or_repeated_along_their_path() {
        let mut data = json!({"people": [{"n": 1, "tasks": ["a"]}, {"n": 2, "tasks": []}]});
        ListCounts(vec![(
            vec![
                PathStep::Key("people".into()),
                PathStep::Each,
                PathStep::Key("tasks".into()),
            ],
            3,
        )])
        .apply(&mut data);
        assert_eq!(data["people"][0]["tasks"], json!(["a", "a", "a"]));
        assert_eq!(data["people"][1]["tasks"], json!([]));
        ListCounts(vec![(vec![PathStep::Key("people".into())], 5)]).apply(&mut data);
        let ns: Vec<i64> = data["people"]
            .as_array()
            .map(|a| a.iter().filter_map(|p| p["n"].as_i64()).collect())
            .unwrap_or_default();
        assert_eq!(ns, [1, 2, 1, 2, 1]);
        ListCounts(vec![(vec![PathStep::Key("people".into())], 0)]).apply(&mut data);
        assert_eq!(data["people"], json!([]));
    }
}
