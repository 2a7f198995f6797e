//! Locality: ≥ 10,000 random operations on corpus and sample files. Every byte outside the
//! returned edit ranges is unchanged, every Jinja token is unchanged, the result re-parses
//! losslessly with the same elements (and with mrml when the original did), and every refusal
//! states a reason that is true of the situation.

mod common;

use letterpress_visual::{
    EditError, JinjaKind, NO_ATTRIBUTE_ELEMENTS, NodeId, NodeKind, SourceTree, TextEdit,
    TextSegment, remove_attribute, scan_jinja, set_attribute, set_text, text_segments,
};
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::{Config, RngSeed};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Cases run; the acceptance figure is at least 10,000.
const CASES: u32 = 20_000;

struct Parsed {
    name: String,
    text: String,
    tree: SourceTree,
    mrml_ok: bool,
    runs: Vec<NodeId>,
    content_runs: Vec<NodeId>,
    elements: Vec<NodeId>,
}

fn files() -> &'static [Parsed] {
    static FILES: OnceLock<Vec<Parsed>> = OnceLock::new();
    FILES.get_or_init(|| {
        let mut fixtures = common::all();
        // Hand-written files with the read-only situations the corpus lacks.
        for (name, text) in [
            ("crossing-if", "<mjml><mj-body><mj-section>\n  <mj-column>{% if a %}<mj-text>one</mj-text></mj-column>\n  <mj-column><mj-text>two {{ b }}</mj-text>{% endif %}</mj-column>\n  <mj-column><mj-text css-class=\"x\">three &amp; {# c #}</mj-text></mj-column>\n</mj-section></mj-body></mjml>\n"),
            ("templated-tag", "<mjml><mj-body><mj-section {% if x %}padding=\"0\"{% endif %}>\n  <mj-column width=\"{{ w }}\" padding=\"1px\" padding=\"2px\"><mj-text>Hi {{ name }}{% if vip %}!{% endif %}</mj-text></mj-column>\n</mj-section></mj-body></mjml>\n"),
        ] {
            fixtures.push(common::Fixture { name: name.to_owned(), text: text.to_owned() });
        }
        fixtures
            .into_iter()
            .map(|f| {
                let tree = SourceTree::parse(&f.text);
                let runs = tree.nodes().filter(|(_, n)| n.kind == NodeKind::TextRun).map(|(id, _)| id).collect();
                let elements = tree.elements().collect();
                let content_runs = tree
                    .nodes()
                    .filter(|(_, n)| n.kind == NodeKind::TextRun && n.parent.and_then(|p| tree.element(p)).is_some_and(|e| e.raw_html))
                    .map(|(id, _)| id)
                    .collect();
                Parsed { mrml_ok: mrml::parse(&f.text).is_ok(), name: f.name, text: f.text, tree, runs, content_runs, elements }
            })
            .collect()
    })
}

#[derive(Clone, Debug)]
enum Op {
    SetExisting {
        attribute: Index,
        value: String,
    },
    Add {
        name: Index,
        value: String,
    },
    Remove {
        attribute: Index,
    },
    SetText {
        run: Index,
        content: bool,
        text: String,
        drop: Vec<bool>,
    },
}

const NEW_NAMES: &[&str] = &[
    "padding",
    "css-class",
    "title",
    "data-lp",
    "x-new-1",
    "Bad_Name",
    "9lives",
];

fn tricky_string(max: usize) -> impl Strategy<Value = String> {
    let ch = prop_oneof![
        4 => proptest::sample::select(vec!['<', '&', '"', '\'', '{', '}', '%', '#', '>', ' ', '\n', 'a', 'é', '😀', ';', '=']),
        2 => any::<char>(),
    ];
    prop_oneof![
        9 => proptest::collection::vec(ch, 0..max).prop_map(|c| c.into_iter().collect::<String>()),
        1 => Just("{{ injected }}".to_owned()),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (any::<Index>(), tricky_string(10))
            .prop_map(|(attribute, value)| Op::SetExisting { attribute, value }),
        (any::<Index>(), tricky_string(10)).prop_map(|(name, value)| Op::Add { name, value }),
        any::<Index>().prop_map(|attribute| Op::Remove { attribute }),
        (
            any::<Index>(),
            proptest::bool::weighted(0.8),
            tricky_string(24),
            proptest::collection::vec(any::<bool>(), 0..8)
        )
            .prop_map(|(run, content, text, drop)| Op::SetText {
                run,
                content,
                text,
                drop
            }),
    ]
}

static REFUSED: AtomicUsize = AtomicUsize::new(0);
static APPLIED: AtomicUsize = AtomicUsize::new(0);
static RUN: AtomicUsize = AtomicUsize::new(0);
static REASONS: std::sync::Mutex<std::collections::BTreeMap<String, usize>> =
    std::sync::Mutex::new(std::collections::BTreeMap::new());

fn xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// Reasons that are true for an attribute operation on `element`.
fn attribute_reasons(
    tree: &SourceTree,
    element: NodeId,
    name: &str,
    value: Option<&str>,
    must_exist: bool,
) -> Vec<EditError> {
    let mut reasons = Vec::new();
    let node = tree.node(element).unwrap_or_else(|| panic!("element"));
    let data = node.element().unwrap_or_else(|| panic!("element data"));
    if node.opaque {
        reasons.push(EditError::Opaque);
    }
    if data.malformed_start_tag {
        reasons.push(EditError::MalformedStartTag);
    }
    if data.attributes_templated {
        reasons.push(EditError::TemplatedAttributes);
    }
    let same: Vec<_> = data.attributes.iter().filter(|a| a.name == name).collect();
    if same.len() > 1 {
        reasons.push(EditError::DuplicateAttribute {
            name: name.to_owned(),
        });
    }
    if same.iter().any(|a| a.has_jinja) {
        reasons.push(EditError::AttributeHasJinja {
            name: name.to_owned(),
        });
    }
    if must_exist && same.is_empty() {
        reasons.push(EditError::AttributeNotFound {
            name: name.to_owned(),
        });
    }
    if value.is_none()
        && matches!(
            (data.name.as_str(), name),
            ("mj-class", "name") | ("mj-include", "path")
        )
    {
        reasons.push(EditError::RequiredAttribute {
            element: data.name.clone(),
            name: name.to_owned(),
        });
    }
    if let Some(value) = value {
        if NO_ATTRIBUTE_ELEMENTS.contains(&data.name.as_str()) {
            reasons.push(EditError::TakesNoAttributes {
                element: data.name.clone(),
            });
        }
        let valid_name = name.starts_with(|c: char| c.is_ascii_lowercase())
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !valid_name {
            reasons.push(EditError::InvalidAttributeName {
                name: name.to_owned(),
            });
        }
        if value.contains("{{") || value.contains("{%") || value.contains("{#") {
            reasons.push(EditError::JinjaInValue);
        }
        if let Some(c) = value.chars().find(|&c| !xml_char(c)) {
            reasons.push(EditError::InvalidCharacter { code: u32::from(c) });
        }
    }
    reasons
}

fn text_reasons(tree: &SourceTree, run: NodeId, text: &str, removed: &[NodeId]) -> Vec<EditError> {
    let mut reasons = Vec::new();
    let node = tree.node(run).unwrap_or_else(|| panic!("run"));
    let parent = node.parent.and_then(|p| tree.node(p));
    if node.opaque
        || node
            .children
            .iter()
            .any(|&c| tree.node(c).is_some_and(|n| n.opaque))
        || parent.is_some_and(|p| p.opaque)
    {
        reasons.push(EditError::Opaque);
    }
    let parent_element = parent.and_then(|p| p.element());
    let content = parent_element
        .is_some_and(|e| e.raw_html && !matches!(e.name.as_str(), "mj-style" | "style" | "script"));
    if !content {
        reasons.push(EditError::NotTextContent {
            parent: parent_element.map(|e| e.name.clone()).unwrap_or_default(),
        });
    }
    if let Some(c) = text.chars().find(|&c| !xml_char(c)) {
        reasons.push(EditError::InvalidCharacter { code: u32::from(c) });
    }
    for &chip in removed {
        if tree
            .node(chip)
            .and_then(|n| n.jinja())
            .is_some_and(|j| matches!(j.token, JinjaKind::Statement { .. }))
        {
            reasons.push(EditError::StatementChipRemoved(chip));
        }
    }
    reasons
}

fn jinja_texts(text: &str) -> Vec<String> {
    let scan = scan_jinja(text);
    scan.tokens
        .iter()
        .map(|t| text[t.span.range()].to_owned())
        .collect()
}

fn element_names(tree: &SourceTree) -> Vec<String> {
    tree.elements()
        .filter_map(|id| tree.element(id).map(|e| e.name.clone()))
        .collect()
}

/// The result must be the original with only the edit ranges replaced.
fn assert_outside_unchanged(original: &str, result: &str, edits: &[TextEdit]) {
    let mut sorted = edits.to_vec();
    sorted.sort_by_key(|e| e.range.start);
    let mut delta: isize = 0;
    let mut cursor = 0;
    for edit in &sorted {
        assert!(edit.range.start >= cursor, "edits overlap: {sorted:?}");
        assert_ne!(
            &original[edit.range.clone()],
            edit.insert,
            "an edit that changes nothing: {edit:?}"
        );
        let at = cursor
            .checked_add_signed(delta)
            .unwrap_or_else(|| panic!("offset"));
        assert_eq!(
            &result[at..at + (edit.range.start - cursor)],
            &original[cursor..edit.range.start],
            "bytes outside the edits changed"
        );
        delta += edit.insert.len() as isize - edit.range.len() as isize;
        cursor = edit.range.end;
    }
    let at = cursor
        .checked_add_signed(delta)
        .unwrap_or_else(|| panic!("offset"));
    assert_eq!(
        &result[at..],
        &original[cursor..],
        "bytes after the last edit changed"
    );
}

/// An operation's result, the reasons the situation gives for refusing it, the chips it
/// removes and, for a set value, the attribute it may touch.
type Outcome = (
    Result<Vec<TextEdit>, EditError>,
    Vec<EditError>,
    Vec<NodeId>,
    Option<std::ops::Range<usize>>,
);

fn check(file: &Parsed, element_pick: Index, op: Op) {
    RUN.fetch_add(1, Ordering::Relaxed);
    let tree = &file.tree;
    let text = &file.text;
    let element = file.elements[element_pick.index(file.elements.len())];
    let data = tree.element(element).unwrap_or_else(|| panic!("element"));
    let (result, reasons, removed, target_value): Outcome = match op {
        Op::SetExisting { attribute, value } if !data.attributes.is_empty() => {
            let attribute = &data.attributes[attribute.index(data.attributes.len())];
            let reasons = attribute_reasons(tree, element, &attribute.name, Some(&value), true);
            (
                set_attribute(tree, text, element, &attribute.name, &value),
                reasons,
                Vec::new(),
                Some(attribute.span.range()),
            )
        }
        Op::SetExisting { attribute, value }
        | Op::Add {
            name: attribute,
            value,
        } => {
            let name = NEW_NAMES[attribute.index(NEW_NAMES.len())];
            let reasons = attribute_reasons(tree, element, name, Some(&value), false);
            (
                set_attribute(tree, text, element, name, &value),
                reasons,
                Vec::new(),
                None,
            )
        }
        Op::Remove { attribute } => {
            let name = if data.attributes.is_empty() {
                "padding".to_owned()
            } else {
                data.attributes[attribute.index(data.attributes.len())]
                    .name
                    .clone()
            };
            let reasons = attribute_reasons(tree, element, &name, None, true);
            (
                remove_attribute(tree, text, element, &name),
                reasons,
                Vec::new(),
                None,
            )
        }
        Op::SetText {
            run,
            content,
            text: new_text,
            drop,
        } => {
            // Mostly runs a reader sees (in mj-text, links…), sometimes any run.
            let runs = if content && !file.content_runs.is_empty() {
                &file.content_runs
            } else {
                &file.runs
            };
            let run = runs[run.index(runs.len())];
            let segments = text_segments(tree, run).unwrap_or_default();
            let mut new = Vec::new();
            let mut removed = Vec::new();
            let chips: Vec<NodeId> = segments
                .iter()
                .filter_map(|s| match s {
                    TextSegment::Jinja(id) => Some(*id),
                    _ => None,
                })
                .collect();
            let half = new_text
                .char_indices()
                .nth(new_text.chars().count() / 2)
                .map_or(new_text.len(), |(i, _)| i);
            new.push(TextSegment::Literal(new_text[..half].to_owned()));
            for (i, chip) in chips.iter().enumerate() {
                if drop.get(i).copied().unwrap_or(false) {
                    removed.push(*chip);
                } else {
                    new.push(TextSegment::Jinja(*chip));
                }
            }
            new.push(TextSegment::Literal(new_text[half..].to_owned()));
            let reasons = text_reasons(tree, run, &new_text, &removed);
            (set_text(tree, text, run, &new), reasons, removed, None)
        }
    };
    match result {
        Err(error) => {
            REFUSED.fetch_add(1, Ordering::Relaxed);
            if let Ok(mut reasons) = REASONS.lock() {
                let code = format!("{error:?}");
                let code = code
                    .split([' ', '(', '{'])
                    .next()
                    .unwrap_or_default()
                    .to_owned();
                *reasons.entry(code).or_insert(0) += 1;
            }
            assert!(
                reasons.contains(&error),
                "{}: refused with {error:?}, but the situation only gives {reasons:?}",
                file.name
            );
        }
        Ok(edits) => {
            APPLIED.fetch_add(1, Ordering::Relaxed);
            assert!(
                reasons.is_empty(),
                "{}: accepted although {reasons:?}",
                file.name
            );
            let result =
                letterpress_visual::apply(text, &edits).unwrap_or_else(|e| panic!("apply: {e}"));
            assert_outside_unchanged(text, &result, &edits);
            if let Some(range) = target_value {
                assert!(
                    edits
                        .iter()
                        .all(|e| range.start <= e.range.start && e.range.end <= range.end),
                    "setting a value edited outside its attribute"
                );
            }
            let removed_spans: Vec<letterpress_visual::Span> = removed
                .iter()
                .filter_map(|&id| tree.node(id))
                .map(|n| n.span)
                .collect();
            let expected: Vec<String> = scan_jinja(text)
                .tokens
                .iter()
                .filter(|t| !removed_spans.contains(&t.span))
                .map(|t| text[t.span.range()].to_owned())
                .collect();
            assert_eq!(
                jinja_texts(&result),
                expected,
                "{}: Jinja tokens changed",
                file.name
            );
            let new_tree = SourceTree::parse(&result);
            assert_eq!(new_tree.rebuild(), result);
            assert_eq!(
                element_names(&new_tree),
                element_names(tree),
                "{}: elements changed",
                file.name
            );
            if file.mrml_ok {
                assert!(
                    mrml::parse(&result).is_ok(),
                    "{}: mrml no longer parses after {edits:?}: {:?}",
                    file.name,
                    mrml::parse(&result).err()
                );
            }
        }
    }
}

#[test]
fn random_operations_touch_only_their_edit_ranges() {
    let config = Config {
        cases: CASES,
        failure_persistence: None,
        rng_seed: RngSeed::Fixed(0x5eed_1e77),
        ..Config::default()
    };
    let mut runner = proptest::test_runner::TestRunner::new(config);
    let files = files();
    let outcome = runner.run(
        &(any::<Index>(), any::<Index>(), op()),
        |(file, element, op)| {
            check(&files[file.index(files.len())], element, op);
            Ok(())
        },
    );
    if let Err(failure) = outcome {
        panic!("{failure}");
    }
    let (run, applied, refused) = (
        RUN.load(Ordering::Relaxed),
        APPLIED.load(Ordering::Relaxed),
        REFUSED.load(Ordering::Relaxed),
    );
    let reasons = REASONS.lock().map(|r| format!("{r:?}")).unwrap_or_default();
    println!(
        "locality: {run} operations over {} files, {applied} applied, {refused} refused for their stated reason: {reasons}",
        files.len()
    );
    assert!(run >= 10_000, "only {run} operations ran");
    assert!(
        REASONS
            .lock()
            .is_ok_and(|r| r.contains_key("Opaque") && r.contains_key("TemplatedAttributes")),
        "the read-only situations were never exercised"
    );
    assert_eq!(run, applied + refused);
    assert!(
        applied >= 8_000,
        "too few operations applied to mean anything: {applied}"
    );
}
