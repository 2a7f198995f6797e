//! Rearranging and building as minimal text edits: exact results on hand-written inputs, and
//! 10,000+ random operations over the corpus and samples (locality, Jinja kept, mrml still
//! parses, undo restores every byte).

mod common;

use letterpress_visual::{
    Direction, EditError, NodeId, Place, SourceTree, TextEdit, apply, block_edges, delete,
    duplicate, insert, move_anywhere, move_by_one, move_to, unwrap, wrap,
};

fn nth(tree: &SourceTree, name: &str, n: usize) -> NodeId {
    tree.elements()
        .filter(|&id| tree.element(id).is_some_and(|e| e.name == name))
        .nth(n)
        .unwrap_or_else(|| panic!("no {name} #{n}"))
}

fn run(text: &str, op: impl Fn(&SourceTree) -> Result<Vec<TextEdit>, EditError>) -> String {
    let tree = SourceTree::parse(text);
    let edits = op(&tree).unwrap_or_else(|e| panic!("refused: {e}"));
    apply(text, &edits).unwrap_or_else(|e| panic!("apply: {e}"))
}

const COLUMN: &str = "<mj-column>\n  <mj-text>One</mj-text>\n  <mj-image\n    src=\"a.png\" />\n  <mj-button href=\"#\">Go</mj-button>\n</mj-column>\n";

/// A column that starts and ends with `{% if %}` blocks: before its first element and after
/// its last one, the only places outside them are next to their tags.
const BLOCKED: &str = "<mj-column>\n  {% if title %}\n  <mj-button href=\"#\">Go</mj-button>\n  <mj-text>One</mj-text>\n  {% endif %}\n  {% for p in people %}\n  <mj-text>{{ p }}</mj-text>\n  {% endfor %}\n</mj-column>\n";

#[test]
fn a_drop_before_a_block_that_opens_a_column_lands_outside_it() {
    let tree = SourceTree::parse(BLOCKED);
    let button = nth(&tree, "mj-button", 0);
    let edges = block_edges(&tree, button);
    let (open, label) = edges.before.clone().expect("the button opens the if block");
    assert_eq!(label, "if title");
    assert_eq!(edges.after, None, "the button does not end the block");
    let first_text = nth(&tree, "mj-text", 0);
    assert_eq!(block_edges(&tree, first_text).before, None);
    let (close, label) = block_edges(&tree, first_text)
        .after
        .expect("ends the if block");
    assert_eq!(label, "if title");
    let looped = nth(&tree, "mj-text", 1);
    let edges = block_edges(&tree, looped);
    assert_eq!(
        edges.before.as_ref().map(|b| b.1.as_str()),
        Some("for p in people")
    );
    assert_eq!(
        edges.after.as_ref().map(|b| b.1.as_str()),
        Some("for p in people")
    );

    let inserted = run(BLOCKED, |t| {
        insert(t, BLOCKED, Place::Before(open), "<mj-divider />")
    });
    assert_eq!(
        inserted,
        BLOCKED.replace("<mj-column>\n", "<mj-column>\n  <mj-divider />\n"),
        "one line before the tag, indented like it"
    );
    // Between the two blocks: after the if block's end tag.
    let between = run(BLOCKED, |t| {
        insert(t, BLOCKED, Place::After(close), "<mj-spacer />")
    });
    assert_eq!(
        between,
        BLOCKED.replace("{% endif %}\n", "{% endif %}\n  <mj-spacer />\n")
    );
    // An element moved out of its block, before it: the block keeps the rest.
    let out = run(BLOCKED, |t| {
        move_anywhere(t, BLOCKED, nth(t, "mj-text", 1), Place::Before(open))
    });
    assert_eq!(
        out,
        "<mj-column>\n  <mj-text>{{ p }}</mj-text>\n  {% if title %}\n  <mj-button href=\"#\">Go</mj-button>\n  <mj-text>One</mj-text>\n  {% endif %}\n  {% for p in people %}\n  {% endfor %}\n</mj-column>\n"
    );
}

#[test]
fn delete_takes_the_element_with_its_lines() {
    let out = run(COLUMN, |t| delete(t, COLUMN, nth(t, "mj-image", 0)));
    assert_eq!(
        out,
        "<mj-column>\n  <mj-text>One</mj-text>\n  <mj-button href=\"#\">Go</mj-button>\n</mj-column>\n"
    );
}

#[test]
fn duplicate_puts_the_same_bytes_on_the_next_lines() {
    let out = run(COLUMN, |t| duplicate(t, COLUMN, nth(t, "mj-image", 0)));
    assert_eq!(
        out,
        "<mj-column>\n  <mj-text>One</mj-text>\n  <mj-image\n    src=\"a.png\" />\n  <mj-image\n    src=\"a.png\" />\n  <mj-button href=\"#\">Go</mj-button>\n</mj-column>\n"
    );
}

#[test]
fn move_up_and_down_swap_lines_and_keep_bytes() {
    let up = run(COLUMN, |t| {
        move_by_one(t, COLUMN, nth(t, "mj-button", 0), Direction::Up)
    });
    assert_eq!(
        up,
        "<mj-column>\n  <mj-text>One</mj-text>\n  <mj-button href=\"#\">Go</mj-button>\n  <mj-image\n    src=\"a.png\" />\n</mj-column>\n"
    );
    let back = run(&up, |t| {
        move_by_one(t, &up, nth(t, "mj-button", 0), Direction::Down)
    });
    assert_eq!(back, COLUMN, "down undoes up");
    let tree = SourceTree::parse(COLUMN);
    assert_eq!(
        move_by_one(&tree, COLUMN, nth(&tree, "mj-text", 0), Direction::Up),
        Err(EditError::AtTheEnd)
    );
}

#[test]
fn a_moved_block_is_reindented_to_its_new_siblings() {
    let text = "<mj-wrapper>\n  <mj-section>\n    <mj-column>\n      <mj-text>\n        Deep\n      </mj-text>\n    </mj-column>\n  </mj-section>\n  <mj-section>\n  </mj-section>\n</mj-wrapper>\n";
    let out = run(text, |t| {
        insert(
            t,
            text,
            Place::End(nth(t, "mj-section", 1)),
            "<mj-column>\n  <mj-text>New</mj-text>\n</mj-column>",
        )
    });
    assert_eq!(
        out,
        "<mj-wrapper>\n  <mj-section>\n    <mj-column>\n      <mj-text>\n        Deep\n      </mj-text>\n    </mj-column>\n  </mj-section>\n  <mj-section>\n    <mj-column>\n      <mj-text>New</mj-text>\n    </mj-column>\n  </mj-section>\n</mj-wrapper>\n"
    );
}

#[test]
fn insert_after_an_element_is_indented_like_it() {
    let out = run(COLUMN, |t| {
        insert(
            t,
            COLUMN,
            Place::After(nth(t, "mj-text", 0)),
            "<mj-divider />",
        )
    });
    assert_eq!(
        out,
        "<mj-column>\n  <mj-text>One</mj-text>\n  <mj-divider />\n  <mj-image\n    src=\"a.png\" />\n  <mj-button href=\"#\">Go</mj-button>\n</mj-column>\n"
    );
    let tree = SourceTree::parse(COLUMN);
    assert!(
        insert(
            &tree,
            COLUMN,
            Place::After(nth(&tree, "mj-text", 0)),
            "<mj-text>open"
        )
        .is_err()
    );
}

#[test]
fn an_empty_element_on_one_line_gets_its_content_on_new_lines() {
    let text = "<mj-section>\n  <mj-column></mj-column>\n</mj-section>\n";
    let out = run(text, |t| {
        insert(
            t,
            text,
            Place::End(nth(t, "mj-column", 0)),
            "<mj-text>Hi</mj-text>",
        )
    });
    assert_eq!(
        out,
        "<mj-section>\n  <mj-column>\n    <mj-text>Hi</mj-text>\n  </mj-column>\n</mj-section>\n"
    );
}

#[test]
fn wrap_writes_tag_lines_and_unwrap_takes_them_away() {
    let wrapped = run(COLUMN, |t| {
        wrap(
            t,
            COLUMN,
            nth(t, "mj-button", 0),
            nth(t, "mj-button", 0),
            "{% if cta_url %}",
        )
    });
    assert_eq!(
        wrapped,
        "<mj-column>\n  <mj-text>One</mj-text>\n  <mj-image\n    src=\"a.png\" />\n  {% if cta_url %}\n  <mj-button href=\"#\">Go</mj-button>\n  {% endif %}\n</mj-column>\n"
    );
    let tree = SourceTree::parse(&wrapped);
    let index = tree
        .regions()
        .iter()
        .position(|r| r.keyword == "if")
        .unwrap();
    assert_eq!(run(&wrapped, |t| unwrap(t, &wrapped, index)), COLUMN);
    assert_eq!(
        wrap(
            &SourceTree::parse(COLUMN),
            COLUMN,
            NodeId(0),
            NodeId(0),
            "{{ x }}"
        )
        .err(),
        Some(EditError::NotAnElement)
    );
    let tree = SourceTree::parse(COLUMN);
    let b = nth(&tree, "mj-button", 0);
    assert_eq!(
        wrap(&tree, COLUMN, b, b, "{{ x }}"),
        Err(EditError::NotABlockTag)
    );
}

#[test]
fn moves_never_cross_a_block_tag() {
    let text = "<mj-column>\n  <mj-text>A</mj-text>\n  {% if vip %}\n  <mj-text>B</mj-text>\n  {% endif %}\n  <mj-text>C</mj-text>\n</mj-column>\n";
    let tree = SourceTree::parse(text);
    assert_eq!(
        move_by_one(&tree, text, nth(&tree, "mj-text", 1), Direction::Up),
        Err(EditError::CrossesRegion)
    );
    assert_eq!(
        move_by_one(&tree, text, nth(&tree, "mj-text", 2), Direction::Up),
        Err(EditError::CrossesRegion)
    );
    // Outside the block, past it: allowed (both in no region).
    let moved = run(text, |t| {
        move_to(
            t,
            text,
            nth(t, "mj-text", 0),
            Place::After(nth(t, "mj-text", 2)),
        )
    });
    assert_eq!(
        moved,
        "<mj-column>\n  {% if vip %}\n  <mj-text>B</mj-text>\n  {% endif %}\n  <mj-text>C</mj-text>\n  <mj-text>A</mj-text>\n</mj-column>\n"
    );
    let index = tree
        .regions()
        .iter()
        .position(|r| r.keyword == "if")
        .unwrap();
    let else_text = "<mj-column>{% if a %}<mj-text>A</mj-text>{% else %}<mj-text>B</mj-text>{% endif %}</mj-column>";
    let else_tree = SourceTree::parse(else_text);
    assert!(matches!(
        unwrap(&else_tree, else_text, 0),
        Err(EditError::CannotUnwrap { .. })
    ));
    assert!(unwrap(&tree, text, index).is_ok());
}

// ---- random operations -------------------------------------------------------------

/// A small deterministic generator (xorshift), so a failure reproduces from its case number.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const BLOCKS: &[&str] = &[
    "<mj-text>New text</mj-text>",
    "<mj-button href=\"https://example.com\">Button</mj-button>",
    "<mj-divider />",
    "<mj-spacer height=\"16px\" />",
    "<mj-section>\n  <mj-column>\n    <mj-text>One</mj-text>\n  </mj-column>\n  <mj-column>\n    <mj-image src=\"https://example.com/a.png\" />\n  </mj-column>\n</mj-section>",
];

/// The edits that undo `edits` on `result` (what an editor's history records).
fn inverse(original: &str, edits: &[TextEdit]) -> Vec<TextEdit> {
    let mut sorted = edits.to_vec();
    sorted.sort_by_key(|e| (e.range.start, e.range.end));
    let mut delta: isize = 0;
    let mut out = Vec::new();
    for e in sorted {
        let start = (e.range.start as isize + delta) as usize;
        out.push(TextEdit {
            range: start..start + e.insert.len(),
            insert: original[e.range.clone()].to_owned(),
        });
        delta += e.insert.len() as isize - e.range.len() as isize;
    }
    out
}

/// `text` with every Jinja token blanked to spaces, as mrml sees a template once its
/// statements have rendered to nothing (structure only).
fn blanked(text: &str) -> String {
    let mut out = text.to_owned();
    for t in letterpress_visual::scan_jinja(text).tokens {
        let blank: String = text[t.span.range()]
            .chars()
            .map(|c| if c == '\n' { '\n' } else { ' ' })
            .collect();
        out.replace_range(t.span.range(), &blank);
    }
    out
}

fn jinja(text: &str) -> Vec<String> {
    let mut tokens: Vec<String> = letterpress_visual::scan_jinja(text)
        .tokens
        .iter()
        .map(|t| text[t.span.range()].to_owned())
        .collect();
    tokens.sort();
    tokens
}

#[test]
fn ten_thousand_random_rearrangements_are_local_keep_jinja_parse_and_undo_exactly() {
    let files: Vec<(String, String, bool)> = common::all()
        .into_iter()
        .map(|f| {
            let ok = mrml::parse(blanked(&f.text)).is_ok();
            (f.name, f.text, ok)
        })
        .collect();
    let mut rng = Rng(0x5eed_0016);
    let (mut applied, mut refused) = (0usize, std::collections::BTreeMap::<String, usize>::new());
    let mut case = 0;
    while applied < 10_500 && case < 80_000 {
        case += 1;
        let (name, text, mrml_ok) = &files[rng.below(files.len())];
        let tree = SourceTree::parse(text);
        let frame = |id: &NodeId| {
            tree.element(*id)
                .is_some_and(|e| matches!(e.name.as_str(), "mjml" | "mj-head" | "mj-body"))
        };
        let elements: Vec<NodeId> = tree.elements().filter(|id| !frame(id)).collect();
        if elements.len() < 2 {
            continue;
        }
        let a = elements[rng.below(elements.len())];
        let parent_of = |id: NodeId| tree.node(id).and_then(|n| n.parent);
        let siblings: Vec<NodeId> = elements
            .iter()
            .copied()
            .filter(|&e| parent_of(e) == parent_of(a) && e != a)
            .collect();
        let b = elements[rng.below(elements.len())];
        let (op, result) = match rng.below(8) {
            0 => ("delete", delete(&tree, text, a)),
            1 => ("duplicate", duplicate(&tree, text, a)),
            2 => ("move-up", move_by_one(&tree, text, a, Direction::Up)),
            3 => ("move-down", move_by_one(&tree, text, a, Direction::Down)),
            4 => {
                let place = match rng.below(3) {
                    0 => Place::Before(b),
                    1 => Place::After(b),
                    _ => Place::End(b),
                };
                let parent = match place {
                    Place::End(p) => Some(p),
                    Place::Before(t) | Place::After(t) => parent_of(t),
                };
                let parent_name = parent
                    .and_then(|p| tree.element(p))
                    .map(|e| e.name.clone())
                    .unwrap_or_default();
                let fitting: Vec<&str> = BLOCKS
                    .iter()
                    .copied()
                    .filter(|blk| {
                        let top = blk
                            .trim_start_matches('<')
                            .split([' ', '>', '/'])
                            .next()
                            .unwrap_or_default();
                        letterpress_visual::fits_in(&parent_name, top)
                    })
                    .collect();
                let block = if fitting.is_empty() {
                    BLOCKS[rng.below(BLOCKS.len())]
                } else {
                    fitting[rng.below(fitting.len())]
                };
                ("insert", insert(&tree, text, place, block))
            }
            7 => {
                // Next to an element, or outside the Jinja blocks it opens or closes.
                let edges = block_edges(&tree, b);
                let place = match rng.below(5) {
                    0 => Place::Before(b),
                    1 => Place::After(b),
                    2 => edges
                        .before
                        .map_or(Place::Before(b), |(t, _)| Place::Before(t)),
                    3 => edges
                        .after
                        .map_or(Place::After(b), |(t, _)| Place::After(t)),
                    _ => Place::End(b),
                };
                ("move-anywhere", move_anywhere(&tree, text, a, place))
            }
            5 => {
                let last = siblings
                    .iter()
                    .copied()
                    .find(|&s| {
                        tree.node(s).map(|n| n.span.start) > tree.node(a).map(|n| n.span.start)
                    })
                    .filter(|_| rng.below(2) == 0)
                    .unwrap_or(a);
                ("wrap", wrap(&tree, text, a, last, "{% if show_it %}"))
            }
            _ => match (tree.regions().len(), siblings.is_empty(), rng.below(3)) {
                (n, _, 0) if n > 0 => ("unwrap", unwrap(&tree, text, rng.below(n))),
                (_, false, _) => {
                    let t = siblings[rng.below(siblings.len())];
                    let place = if rng.below(2) == 0 {
                        Place::Before(t)
                    } else {
                        Place::After(t)
                    };
                    ("move-to", move_to(&tree, text, a, place))
                }
                _ => ("delete", delete(&tree, text, a)),
            },
        };
        let edits = match result {
            Ok(edits) => edits,
            Err(e) => {
                let code = format!("{e:?}");
                *refused
                    .entry(format!(
                        "{op}: {}",
                        code.split([' ', '(', '{']).next().unwrap_or_default()
                    ))
                    .or_default() += 1;
                continue;
            }
        };
        if edits.is_empty() {
            continue;
        }
        applied += 1;
        let what = format!("case {case}, {name}, {op}: {edits:?}");
        let out = apply(text, &edits).unwrap_or_else(|e| panic!("{what}: {e}"));
        // Locality: outside the edits' ranges, every byte is the original's.
        let mut sorted = edits.clone();
        sorted.sort_by_key(|e| (e.range.start, e.range.end));
        let (mut cursor, mut at) = (0usize, 0usize);
        for e in &sorted {
            let len = e.range.start - cursor;
            assert_eq!(
                &out[at..at + len],
                &text[cursor..e.range.start],
                "{what}: bytes outside changed"
            );
            at += len + e.insert.len();
            cursor = e.range.end;
        }
        assert_eq!(&out[at..], &text[cursor..], "{what}: bytes after changed");
        // Jinja: kept, except what the operation names.
        let (before, after) = (jinja(text), jinja(&out));
        match op {
            "wrap" => assert_eq!(after.len(), before.len() + 2, "{what}"),
            "unwrap" => assert_eq!(after.len() + 2, before.len(), "{what}"),
            "move-up" | "move-down" | "move-to" | "move-anywhere" => {
                assert_eq!(after, before, "{what}")
            }
            _ => {}
        }
        let new_tree = SourceTree::parse(&out);
        assert_eq!(new_tree.rebuild(), out, "{what}");
        assert!(
            new_tree.problems().len() <= tree.problems().len(),
            "{what}: new problems {:?}",
            new_tree.problems()
        );
        if *mrml_ok {
            let parsed = mrml::parse(blanked(&out));
            assert!(
                parsed.is_ok(),
                "{what}: mrml no longer parses: {:?}\n{out}",
                parsed.err()
            );
        }
        // Undo (the inverse edits, as an editor's history applies them) restores every byte.
        let undone =
            apply(&out, &inverse(text, &edits)).unwrap_or_else(|e| panic!("{what}: undo {e}"));
        assert_eq!(&undone, text, "{what}: undo");
    }
    println!("applied {applied} operations; refused: {refused:?}");
    assert!(
        applied >= 10_000,
        "only {applied} applied; refused {refused:?}"
    );
}
