//! Hostile inputs: deep nesting, oversized files, unclosed Jinja, NUL bytes, broken HTML,
//! and arbitrary or mutated text: never a panic, always lossless, limits reported.

mod common;

use letterpress_visual::{NodeKind, ProblemKind, SourceTree, TreeLimits};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};

fn kinds(tree: &SourceTree) -> Vec<ProblemKind> {
    tree.problems().iter().map(|p| p.kind).collect()
}

fn assert_lossless(text: &str) -> SourceTree {
    let tree = SourceTree::parse(text);
    assert_eq!(tree.rebuild(), text);
    let mut cursor = 0;
    for span in tree.leaf_spans() {
        assert_eq!(span.start, cursor, "gap or overlap at {cursor} in {text:?}");
        cursor = span.end;
    }
    assert_eq!(cursor, text.len());
    tree
}

#[test]
fn hundred_thousand_nested_sections_stop_at_the_depth_limit_without_overflow() {
    let text = "<mj-section>".repeat(100_000) + &"</mj-section>".repeat(100_000);
    let tree = assert_lossless(&text);
    assert!(
        kinds(&tree).contains(&ProblemKind::TooDeep),
        "{:?}",
        kinds(&tree)
    );
    assert_eq!(tree.elements().count(), TreeLimits::default().max_depth);
    assert!(tree.nodes().any(|(_, n)| matches!(
        n.kind,
        NodeKind::Unparsed {
            reason: ProblemKind::TooDeep
        }
    ) && n.opaque));
}

#[test]
fn five_mib_input_reports_the_size_limit() {
    let text = "<mj-text>é</mj-text>".repeat(5 * 1024 * 1024 / 21 + 1);
    assert!(text.len() > 5 * 1024 * 1024);
    let tree = assert_lossless(&text);
    assert_eq!(
        tree.problems().first().map(|p| p.kind),
        Some(ProblemKind::TooLarge)
    );
}

#[test]
fn node_limit_makes_the_rest_one_opaque_region() {
    let text = "<mj-text>a {{ b }} c</mj-text>".repeat(100);
    let tree = SourceTree::parse_with_limits(
        &text,
        TreeLimits {
            max_nodes: 50,
            ..TreeLimits::default()
        },
    );
    assert_eq!(tree.rebuild(), text);
    assert!(tree.nodes().count() <= 50);
    assert!(kinds(&tree).contains(&ProblemKind::TooManyNodes));
}

#[test]
fn unclosed_expression_makes_the_rest_opaque() {
    let text = "<mj-text>Hi {{ user.name </mj-text><mj-text>after</mj-text>";
    let tree = assert_lossless(text);
    assert_eq!(kinds(&tree), vec![ProblemKind::UnclosedJinja]);
    let after = text.find("after").unwrap_or_default();
    assert_eq!(
        tree.element_at(after),
        tree.elements().next(),
        "the rest is not parsed into elements"
    );
    assert!(
        tree.nodes()
            .any(|(_, n)| n.opaque && n.span.contains(after))
    );
}

#[test]
fn nul_bytes_and_invalid_html_become_unparsed_leaves() {
    for text in [
        "<mj-text>a\0b</mj-text>",
        "<mj-section <<>>< / ='\"x</mj-section>",
        "<!--[if mso",
        "<![endifx]>",
        "<!--[if x]oops",
        "</nothing>",
        "<a b=\"1\"c=\"2\">x</a>",
        "<!DOCTYPE html><p>x</p>",
        "<mj-text>{% raw %}<b>{{ x }}</mj-text>",
        "<a href='x>y</a>",
        "{% endif %}{% else %}{% if %}",
    ] {
        let tree = assert_lossless(text);
        assert!(
            !tree.problems().is_empty(),
            "no problem reported for {text:?}"
        );
        assert!(
            tree.nodes()
                .all(|(_, n)| !matches!(n.kind, NodeKind::Unparsed { .. }) || n.opaque)
        );
    }
    let with_bom = assert_lossless("\u{feff}<mjml></mjml>");
    assert!(with_bom.problems().is_empty());
    assert_eq!(with_bom.elements().count(), 1);
}

fn config(cases: u32) -> Config {
    Config {
        cases,
        failure_persistence: None,
        rng_seed: RngSeed::Fixed(0x1e77e5),
        ..Config::default()
    }
}

fn markup_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("<".to_owned()),
        Just(">".to_owned()),
        Just("</".to_owned()),
        Just("/>".to_owned()),
        Just("<mj-text".to_owned()),
        Just("<mj-section>".to_owned()),
        Just("</mj-section>".to_owned()),
        Just("{{".to_owned()),
        Just("}}".to_owned()),
        Just("{%".to_owned()),
        Just("%}".to_owned()),
        Just("{# ".to_owned()),
        Just("#}".to_owned()),
        Just("{% if x %}".to_owned()),
        Just("{% endif %}".to_owned()),
        Just("{% raw %}".to_owned()),
        Just("<!--".to_owned()),
        Just("-->".to_owned()),
        Just("<!--[if mso]>".to_owned()),
        Just("<![endif]-->".to_owned()),
        Just("\"".to_owned()),
        Just("'".to_owned()),
        Just("=".to_owned()),
        Just(" a=\"1\"".to_owned()),
        Just("&amp;".to_owned()),
        Just("&".to_owned()),
        Just("\r\n".to_owned()),
        Just("\0".to_owned()),
        Just("<![CDATA[".to_owned()),
        Just("<?x ".to_owned()),
        any::<String>(),
    ];
    proptest::collection::vec(piece, 0..40).prop_map(|pieces| pieces.concat())
}

proptest! {
    #![proptest_config(config(2000))]

    #[test]
    fn arbitrary_markup_rebuilds_losslessly(text in markup_text()) {
        let tree = SourceTree::parse(&text);
        prop_assert_eq!(tree.rebuild(), text);
    }

    #[test]
    fn arbitrary_strings_rebuild_losslessly(text in any::<String>()) {
        let tree = SourceTree::parse(&text);
        prop_assert_eq!(tree.rebuild(), text);
    }
}

proptest! {
    #![proptest_config(config(1000))]

    #[test]
    fn mutated_corpus_files_rebuild_losslessly(
        file in any::<prop::sample::Index>(),
        cuts in proptest::collection::vec((any::<prop::sample::Index>(), any::<prop::sample::Index>(), markup_text()), 1..4),
    ) {
        let files = corpus_files();
        let mut text = files[file.index(files.len())].clone();
        for (at, len, insert) in cuts {
            let start = floor(&text, at.index(text.len() + 1));
            let end = floor(&text, (start + len.index(20)).min(text.len())).max(start);
            text.replace_range(start..end, &insert);
        }
        let tree = SourceTree::parse(&text);
        prop_assert_eq!(tree.rebuild(), text);
    }
}

fn floor(text: &str, mut at: usize) -> usize {
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn corpus_files() -> &'static [String] {
    static FILES: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    FILES.get_or_init(|| common::all().into_iter().map(|f| f.text).collect())
}
