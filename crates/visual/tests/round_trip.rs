//! Null round trip: every corpus and sample file parses, rebuilds to the same bytes, and
//! selecting every element (breadcrumb, line:col, attributes) with zero edits changes nothing.

mod common;

use letterpress_visual::{NodeKind, SourceTree, Span, apply};

#[test]
fn every_corpus_and_sample_file_rebuilds_byte_for_byte_and_selection_changes_nothing() {
    let files = common::all();
    let mut total_elements = 0;
    let mut total_attributes = 0;
    let mut with_problems = Vec::new();
    for file in &files {
        let tree = SourceTree::parse(&file.text);
        assert_eq!(tree.rebuild(), file.text, "{} does not rebuild", file.name);
        let spans = tree.leaf_spans();
        let mut cursor = 0;
        for span in &spans {
            assert_eq!(
                span.start, cursor,
                "{}: leaf spans leave a gap or overlap at {cursor}",
                file.name
            );
            assert!(
                span.end > span.start,
                "{}: empty leaf at {}",
                file.name,
                span.start
            );
            cursor = span.end;
        }
        assert_eq!(
            cursor,
            file.text.len(),
            "{}: leaf spans stop early",
            file.name
        );

        let elements: Vec<_> = tree.elements().collect();
        assert!(!elements.is_empty(), "{}: no element found", file.name);
        if tree.problems().is_empty() {
            assert_eq!(
                elements.len(),
                start_tags_outside_comments(&file.text),
                "{}: element count differs from its `<name` count",
                file.name
            );
        }
        for &id in &elements {
            let Some(element) = tree.element(id) else {
                panic!("{}: element id without element", file.name)
            };
            let path = tree.path(id);
            assert_eq!(
                path.last(),
                Some(&element.name),
                "{}: breadcrumb ends elsewhere",
                file.name
            );
            let position = tree.line_col(element.start_tag.start);
            assert_eq!(
                tree.offset_at(position.line, position.col),
                Some(element.start_tag.start),
                "{}: line:col does not map back",
                file.name
            );
            assert_eq!(
                tree.element_at(element.start_tag.start),
                Some(id),
                "{}: clicking the start tag of {} selects another element",
                file.name,
                element.name
            );
            assert!(
                file.text[element.name_span.range()] == element.name,
                "{}: name span",
                file.name
            );
            for attribute in &element.attributes {
                assert!(
                    element.start_tag.encloses(attribute.span),
                    "{}: attribute outside its tag",
                    file.name
                );
                assert_eq!(
                    &file.text[attribute.name_span.range()],
                    attribute.name,
                    "{}: attribute name span",
                    file.name
                );
                if let Some(value) = attribute.value {
                    assert!(
                        attribute.span.encloses(value.span),
                        "{}: value outside its attribute",
                        file.name
                    );
                }
                total_attributes += 1;
            }
        }
        assert_eq!(
            apply(&file.text, &[]).as_deref(),
            Ok(file.text.as_str()),
            "{}: zero edits changed bytes",
            file.name
        );
        total_elements += elements.len();
        if !tree.problems().is_empty() {
            with_problems.push(format!(
                "{} ({:?})",
                file.name,
                tree.problems().iter().map(|p| p.kind).collect::<Vec<_>>()
            ));
        }
        // Every Jinja token's node covers exactly the scanner's token.
        let scanned = letterpress_visual::scan_jinja(&file.text);
        if scanned.unclosed.is_none() && tree.problems().is_empty() {
            let nodes: Vec<Span> = tree
                .jinja_tokens()
                .iter()
                .filter_map(|&id| tree.node(id))
                .map(|n| n.span)
                .collect();
            let tokens: Vec<Span> = scanned.tokens.iter().map(|t| t.span).collect();
            assert_eq!(
                nodes, tokens,
                "{}: Jinja nodes differ from scanned tokens",
                file.name
            );
        }
        assert!(
            tree.nodes()
                .all(|(_, n)| !matches!(n.kind, NodeKind::Unparsed { .. }) || n.opaque)
        );
    }
    println!(
        "null round trip: {} files, {} elements, {} attributes; files with problems: {}",
        files.len(),
        total_elements,
        total_attributes,
        if with_problems.is_empty() {
            "none".to_owned()
        } else {
            with_problems.join(", ")
        }
    );
    assert!(
        total_elements >= 1200,
        "too few elements found overall: {total_elements}"
    );
}

/// An independent count: `<` followed by a letter, outside Jinja tokens and plain HTML comments.
fn start_tags_outside_comments(text: &str) -> usize {
    let mut plain = text.as_bytes().to_vec();
    for token in letterpress_visual::scan_jinja(text).tokens {
        plain[token.span.range()].fill(b' ');
    }
    let mut count = 0;
    let mut i = 0;
    while i < plain.len() {
        // Conditional comments (`<!--[if mso]><div><![endif]-->`) hold markup: not skipped.
        if plain[i..].starts_with(b"<!--")
            && !plain[i..].starts_with(b"<!--[")
            && !plain[i..].starts_with(b"<!--<!")
        {
            i += plain[i..]
                .windows(3)
                .position(|w| w == b"-->")
                .map_or(plain.len(), |p| p + 3);
            continue;
        }
        if plain[i] == b'<' && plain.get(i + 1).is_some_and(u8::is_ascii_alphabetic) {
            count += 1;
        }
        i += 1;
    }
    count
}

#[test]
fn corpus_files_that_mrml_parses_are_counted() {
    let files = common::corpus();
    let failing: Vec<&str> = files
        .iter()
        .filter(|f| mrml::parse(&f.text).is_err())
        .map(|f| f.name.as_str())
        .collect();
    println!(
        "mrml parses {} of {} corpus files; not: {:?}",
        files.len() - failing.len(),
        files.len(),
        failing
    );
    assert!(
        failing.len() < files.len() / 10,
        "mrml fails on too many corpus files: {failing:?}"
    );
}
