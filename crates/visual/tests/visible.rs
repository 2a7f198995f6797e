//! Typing over an element's visible text: what the reader sees is shown, and only the changed
//! middle of each stretch between chips is written back.

use letterpress_visual::{
    EditError, NodeId, SourceTree, VisiblePiece, apply, set_visible_text, visible_text,
};

fn element(tree: &SourceTree, name: &str) -> NodeId {
    tree.elements()
        .find(|&id| tree.element(id).is_some_and(|e| e.name == name))
        .unwrap_or_else(|| panic!("no element {name}"))
}

fn shown(tree: &SourceTree, id: NodeId) -> Vec<String> {
    visible_text(tree, id)
        .unwrap_or_else(|e| panic!("refused: {e}"))
        .pieces
        .iter()
        .map(|p| match p {
            VisiblePiece::Text(t) => t.clone(),
            VisiblePiece::Chip(c) => format!(
                "[{}]",
                tree.slice(tree.node(*c).map(|n| n.span).unwrap_or_default())
            ),
        })
        .collect()
}

fn typed(text: &str, name: &str, pieces: impl Fn(&[VisiblePiece]) -> Vec<VisiblePiece>) -> String {
    let tree = SourceTree::parse(text);
    let id = element(&tree, name);
    let old = visible_text(&tree, id).unwrap_or_else(|e| panic!("refused: {e}"));
    let edits = set_visible_text(&tree, text, id, &pieces(&old.pieces))
        .unwrap_or_else(|e| panic!("refused: {e}"));
    apply(text, &edits).unwrap_or_else(|e| panic!("apply: {e}"))
}

const PARAGRAPH: &str =
    "<mj-text>\n    Thanks for\n    your order, {{ name }}!\n    See you &amp; soon.\n  </mj-text>";

#[test]
fn indented_lines_show_as_one_line_with_chips() {
    let tree = SourceTree::parse(PARAGRAPH);
    let id = element(&tree, "mj-text");
    assert_eq!(
        shown(&tree, id),
        vec![
            "Thanks for your order, ",
            "[{{ name }}]",
            "! See you & soon."
        ]
    );
}

#[test]
fn unchanged_visible_text_gives_no_edit() {
    let tree = SourceTree::parse(PARAGRAPH);
    let id = element(&tree, "mj-text");
    let old = visible_text(&tree, id)
        .map(|v| v.pieces)
        .unwrap_or_default();
    assert_eq!(set_visible_text(&tree, PARAGRAPH, id, &old), Ok(Vec::new()));
}

#[test]
fn a_typed_word_keeps_line_breaks_indentation_entities_and_chips() {
    let result = typed(PARAGRAPH, "mj-text", |old| {
        let mut new = old.to_vec();
        new[0] = VisiblePiece::Text("Thanks a lot for your order, ".into());
        new[2] = VisiblePiece::Text("! See you & soon <3".into());
        new
    });
    assert_eq!(
        result,
        "<mj-text>\n    Thanks a lot for\n    your order, {{ name }}!\n    See you &amp; soon &lt;3\n  </mj-text>"
    );
}

#[test]
fn typing_at_the_very_start_and_end_keeps_the_indentation_outside() {
    let result = typed(PARAGRAPH, "mj-text", |old| {
        let mut new = old.to_vec();
        new[0] = VisiblePiece::Text("Hi! Thanks for your order, ".into());
        new[2] = VisiblePiece::Text("! See you & soon. Bye".into());
        new
    });
    assert_eq!(
        result,
        "<mj-text>\n    Hi! Thanks for\n    your order, {{ name }}!\n    See you &amp; soon. Bye\n  </mj-text>"
    );
}

#[test]
fn leaving_out_an_expression_chip_deletes_only_its_bytes() {
    let result = typed(PARAGRAPH, "mj-text", |old| {
        vec![old[0].clone(), old[2].clone()]
    });
    assert_eq!(
        result,
        "<mj-text>\n    Thanks for\n    your order, !\n    See you &amp; soon.\n  </mj-text>"
    );
}

#[test]
fn button_label_is_replaced_between_its_edges() {
    let text = r#"<mj-button href="https://example.com"> Track   order </mj-button>"#;
    let result = typed(text, "mj-button", |_| {
        vec![VisiblePiece::Text("Follow the parcel".into())]
    });
    assert_eq!(
        result,
        r#"<mj-button href="https://example.com"> Follow the parcel </mj-button>"#
    );
}

#[test]
fn empty_element_gets_the_typed_text() {
    let text = "<mj-text></mj-text>";
    let result = typed(text, "mj-text", |_| {
        vec![VisiblePiece::Text("Hello {{ there".into())]
    });
    assert_eq!(result, "<mj-text>Hello &#123;{ there</mj-text>");
}

#[test]
fn text_with_markup_inside_is_refused_with_the_markup_named() {
    let text = "<mj-text>Hello <strong>{{ name }}</strong></mj-text>";
    let tree = SourceTree::parse(text);
    let id = element(&tree, "mj-text");
    assert_eq!(
        visible_text(&tree, id),
        Err(EditError::HoldsMarkup {
            inner: "strong".into()
        })
    );
    // The inner element's own text can be edited.
    let result = typed(text, "strong", |_| {
        vec![VisiblePiece::Text("friend".into())]
    });
    assert_eq!(result, "<mj-text>Hello <strong>friend</strong></mj-text>");
}

#[test]
fn statement_chips_cannot_be_left_out_or_reordered() {
    let text = "<mj-text>{% if vip %}Dear VIP{% else %}Hello{% endif %} {{ a }}{{ b }}</mj-text>";
    let tree = SourceTree::parse(text);
    let id = element(&tree, "mj-text");
    let old = visible_text(&tree, id)
        .map(|v| v.pieces)
        .unwrap_or_default();
    let without_if: Vec<VisiblePiece> = old.iter().skip(1).cloned().collect();
    assert!(matches!(
        set_visible_text(&tree, text, id, &without_if),
        Err(EditError::StatementChipRemoved(_))
    ));
    let mut swapped = old.clone();
    let n = swapped.len();
    swapped.swap(n - 1, n - 2);
    assert_eq!(
        set_visible_text(&tree, text, id, &swapped),
        Err(EditError::ChipsReordered)
    );
}

#[test]
fn typing_text_that_looks_like_jinja_or_markup_is_escaped() {
    let result = typed("<mj-button>Go</mj-button>", "mj-button", |_| {
        vec![VisiblePiece::Text("{% raw %} <b> & {{x}}".into())]
    });
    assert_eq!(
        result,
        "<mj-button>&#123;% raw %} &lt;b&gt; &amp; &#123;{x}}</mj-button>"
    );
}

#[test]
fn nbsp_entities_are_visible_characters_and_keep_their_bytes() {
    let text = "<mj-text>Price:&nbsp;{{ total }}</mj-text>";
    let tree = SourceTree::parse(text);
    let id = element(&tree, "mj-text");
    assert_eq!(shown(&tree, id), vec!["Price:\u{a0}", "[{{ total }}]"]);
    let result = typed(text, "mj-text", |old| {
        let mut new = old.to_vec();
        new[0] = VisiblePiece::Text("Total:\u{a0}".into());
        new
    });
    assert_eq!(result, "<mj-text>Total:&nbsp;{{ total }}</mj-text>");
}

mod common;

use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::{Config, RngSeed, TestRunner};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Every element of the corpus and samples whose visible text can be edited.
fn editable() -> &'static [(String, SourceTree, NodeId)] {
    static EDITABLE: OnceLock<Vec<(String, SourceTree, NodeId)>> = OnceLock::new();
    EDITABLE.get_or_init(|| {
        let mut out = Vec::new();
        for fixture in common::all() {
            let tree = SourceTree::parse(&fixture.text);
            let ids: Vec<NodeId> = tree
                .elements()
                .filter(|&id| visible_text(&tree, id).is_ok_and(|v| v.run.is_some()))
                .collect();
            for id in ids {
                out.push((fixture.name.clone(), tree.clone(), id));
            }
        }
        out
    })
}

fn collapsed(pieces: &[VisiblePiece]) -> Vec<VisiblePiece> {
    let mut out: Vec<VisiblePiece> = Vec::new();
    for piece in pieces {
        match (piece, out.last_mut()) {
            (VisiblePiece::Text(t), Some(VisiblePiece::Text(last))) => last.push_str(t),
            (VisiblePiece::Text(t), _) => out.push(VisiblePiece::Text(t.clone())),
            (chip, _) => out.push(chip.clone()),
        }
    }
    out.into_iter()
        .filter_map(|p| match p {
            VisiblePiece::Text(t) => {
                let mut s = String::new();
                for c in t.chars() {
                    let space = matches!(c, ' ' | '\t' | '\n' | '\r' | '\u{c}');
                    if !(space && s.ends_with(' ')) {
                        s.push(if space { ' ' } else { c });
                    }
                }
                (!s.is_empty()).then_some(VisiblePiece::Text(s))
            }
            chip => Some(chip),
        })
        .collect()
}

fn trimmed(mut pieces: Vec<VisiblePiece>) -> Vec<VisiblePiece> {
    if let Some(VisiblePiece::Text(t)) = pieces.first_mut() {
        *t = t.trim_start_matches(' ').to_owned();
    }
    if let Some(VisiblePiece::Text(t)) = pieces.last_mut() {
        *t = t.trim_end_matches(' ').to_owned();
    }
    pieces.retain(|p| !matches!(p, VisiblePiece::Text(t) if t.is_empty()));
    pieces
}

static APPLIED: AtomicUsize = AtomicUsize::new(0);

#[test]
fn random_typing_reads_back_as_typed_and_touches_only_its_edits() {
    let all = editable();
    assert!(all.len() > 250, "only {} editable elements", all.len());
    let config = Config {
        cases: 4_000,
        failure_persistence: None,
        rng_seed: RngSeed::Fixed(0x7e47_71e5),
        ..Config::default()
    };
    let typed_text = proptest::collection::vec(
        proptest::sample::select(vec![
            'a', ' ', '\n', '<', '&', '{', '%', '}', 'é', '😀', '\u{a0}',
        ]),
        0..12,
    )
    .prop_map(|c| c.into_iter().collect::<String>());
    let mut runner = TestRunner::new(config);
    let outcome = runner.run(
        &(
            any::<Index>(),
            any::<Index>(),
            any::<Index>(),
            typed_text,
            any::<bool>(),
        ),
        |(pick, piece, at, insert, drop_chip)| {
            let (name, tree, id) = &all[pick.index(all.len())];
            let text = tree.source();
            let old = visible_text(tree, *id)
                .map(|v| v.pieces)
                .unwrap_or_default();
            let mut new = old.clone();
            if !new.is_empty() {
                let i = piece.index(new.len());
                match &new[i] {
                    VisiblePiece::Text(t) => {
                        let chars: Vec<char> = t.chars().collect();
                        let cut = at.index(chars.len() + 1);
                        let keep_to = (cut + 3).min(chars.len());
                        let s: String = chars[..cut]
                            .iter()
                            .chain(insert.chars().collect::<Vec<_>>().iter())
                            .chain(&chars[keep_to..])
                            .collect();
                        new[i] = VisiblePiece::Text(s);
                    }
                    VisiblePiece::Chip(c) if drop_chip => {
                        let statement = tree
                            .slice(tree.node(*c).map(|n| n.span).unwrap_or_default())
                            .starts_with("{%");
                        if !statement {
                            new.remove(i);
                        }
                    }
                    VisiblePiece::Chip(_) => new.insert(i, VisiblePiece::Text(insert.clone())),
                }
            }
            let edits = match set_visible_text(tree, text, *id, &new) {
                Ok(edits) => edits,
                // The structure check may refuse (e.g. a character that cannot be written).
                Err(EditError::InvalidCharacter { .. } | EditError::WouldBreakStructure { .. }) => {
                    return Ok(());
                }
                Err(e) => panic!("{name}: refused {new:?}: {e}"),
            };
            APPLIED.fetch_add(1, Ordering::Relaxed);
            let result = apply(text, &edits).unwrap_or_else(|e| panic!("apply: {e}"));
            // Bytes outside the edits are kept.
            let mut cursor = 0;
            let mut out = 0;
            for edit in &edits {
                let len = edit.range.start - cursor;
                assert_eq!(
                    &result[out..out + len],
                    &text[cursor..edit.range.start],
                    "{name}: outside bytes changed"
                );
                out += len + edit.insert.len();
                cursor = edit.range.end;
            }
            assert_eq!(
                &result[out..],
                &text[cursor..],
                "{name}: bytes after the edits changed"
            );
            // It reads back as typed (chips by their source, whitespace as the reader sees it).
            let new_tree = SourceTree::parse(&result);
            let index = tree
                .elements()
                .position(|e| e == *id)
                .unwrap_or_else(|| panic!("index"));
            let new_id = new_tree
                .elements()
                .nth(index)
                .unwrap_or_else(|| panic!("{name}: element gone"));
            let as_code = |t: &SourceTree, pieces: Vec<VisiblePiece>| -> Vec<String> {
                pieces
                    .into_iter()
                    .map(|p| match p {
                        VisiblePiece::Text(s) => s,
                        VisiblePiece::Chip(c) => format!(
                            "[{}]",
                            t.slice(t.node(c).map(|n| n.span).unwrap_or_default())
                        ),
                    })
                    .collect()
            };
            let read_back = visible_text(&new_tree, new_id)
                .map(|v| v.pieces)
                .unwrap_or_default();
            assert_eq!(
                as_code(&new_tree, read_back),
                as_code(tree, trimmed(collapsed(&new))),
                "{name}: typed text does not read back"
            );
            Ok(())
        },
    );
    if let Err(e) = outcome {
        panic!("{e}");
    }
    assert!(
        APPLIED.load(Ordering::Relaxed) > 3_000,
        "only {} applied",
        APPLIED.load(Ordering::Relaxed)
    );
}
