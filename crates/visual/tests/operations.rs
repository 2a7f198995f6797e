//! Exact output of each operation on small hand-written inputs, and tree dumps (insta).

use letterpress_visual::{
    EditError, JinjaContext, NodeId, NodeKind, Quote, SourceTree, TextSegment, apply,
    remove_attribute, set_attribute, set_text, text_segments,
};
use std::fmt::Write;

fn element(tree: &SourceTree, name: &str, nth: usize) -> NodeId {
    tree.elements()
        .filter(|&id| tree.element(id).is_some_and(|e| e.name == name))
        .nth(nth)
        .unwrap_or_else(|| panic!("no element {name} #{nth}"))
}

fn run_in(tree: &SourceTree, parent: NodeId) -> NodeId {
    tree.node(parent)
        .and_then(|n| {
            n.children
                .iter()
                .copied()
                .find(|&c| tree.node(c).is_some_and(|n| n.kind == NodeKind::TextRun))
        })
        .unwrap_or_else(|| panic!("no text run in {parent:?}"))
}

fn edited(text: &str, edits: Result<Vec<letterpress_visual::TextEdit>, EditError>) -> String {
    let edits = edits.unwrap_or_else(|e| panic!("refused: {e}"));
    apply(text, &edits).unwrap_or_else(|e| panic!("apply: {e}"))
}

/// One line per node: kind, span, source excerpt, flags.
fn dump(tree: &SourceTree) -> String {
    let mut out = String::new();
    let mut stack = vec![(tree.root(), 0usize)];
    while let Some((id, depth)) = stack.pop() {
        let Some(node) = tree.node(id) else { continue };
        let indent = "  ".repeat(depth);
        let flag = if node.opaque { " OPAQUE" } else { "" };
        let excerpt = |s: letterpress_visual::Span| format!("{:?}", tree.slice(s));
        match &node.kind {
            NodeKind::Document => {
                let _ = writeln!(out, "{indent}document{flag}");
            }
            NodeKind::Element(e) => {
                let mut flags = String::new();
                if e.raw_html {
                    flags.push_str(" raw-html");
                }
                if e.attributes_templated {
                    flags.push_str(" templated");
                }
                if e.self_closing {
                    flags.push_str(" self-closing");
                }
                if e.end_tag.is_none() && e.content.is_some() {
                    flags.push_str(" unclosed");
                }
                let _ = writeln!(
                    out,
                    "{indent}<{}> {}..{}{flags}{flag}",
                    e.name, node.span.start, node.span.end
                );
                for a in &e.attributes {
                    let value = a.value.map_or("(none)".to_owned(), |v| {
                        format!("{} {:?}", excerpt(v.span), v.quote)
                    });
                    let jinja = if a.has_jinja { " has-jinja" } else { "" };
                    let _ = writeln!(out, "{indent}  @{} = {value}{jinja}", a.name);
                }
                for &j in &node.embedded_jinja {
                    if let Some(n) = tree.node(j) {
                        let context = n.jinja().map(|j| j.context);
                        let _ = writeln!(
                            out,
                            "{indent}  jinja {} in {:?}",
                            excerpt(n.span),
                            context.unwrap_or(JinjaContext::Unparsed)
                        );
                    }
                }
            }
            NodeKind::TextRun => {
                let _ = writeln!(out, "{indent}run{flag}");
            }
            NodeKind::Text => {
                let _ = writeln!(out, "{indent}text {}{flag}", excerpt(node.span));
            }
            NodeKind::Jinja(j) => {
                let region = j.region.map(|r| format!(" region {r}")).unwrap_or_default();
                let _ = writeln!(out, "{indent}jinja {}{region}{flag}", excerpt(node.span));
            }
            NodeKind::Comment { conditional } => {
                let _ = writeln!(
                    out,
                    "{indent}comment conditional={conditional} {}{flag}",
                    excerpt(node.span)
                );
            }
            NodeKind::OtherMarkup => {
                let _ = writeln!(out, "{indent}markup {}{flag}", excerpt(node.span));
            }
            NodeKind::Unparsed { reason } => {
                let _ = writeln!(
                    out,
                    "{indent}unparsed {reason:?} {}{flag}",
                    excerpt(node.span)
                );
            }
        }
        for &child in node.children.iter().rev() {
            stack.push((child, depth + 1));
        }
    }
    for region in tree.regions() {
        let _ = writeln!(
            out,
            "region {} {}..{} well-formed={}",
            region.keyword, region.span.start, region.span.end, region.well_formed
        );
    }
    for problem in tree.problems() {
        let _ = writeln!(
            out,
            "problem {:?} {}..{}: {}",
            problem.kind, problem.span.start, problem.span.end, problem.message
        );
    }
    out
}

#[test]
fn existing_double_quoted_value_is_replaced_in_place_and_escaped() {
    let text = "<mj-section>\n  <mj-column>\n    <mj-text align=\"left\" color=\"#000\">Hi</mj-text>\n  </mj-column>\n</mj-section>\n";
    let tree = SourceTree::parse(text);
    let id = element(&tree, "mj-text", 0);
    let edits =
        set_attribute(&tree, text, id, "align", "a\"b&c<d'").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(edits.len(), 1);
    assert_eq!(&text[edits[0].range.clone()], "left");
    assert_eq!(
        edited(text, Ok(edits)),
        text.replace("\"left\"", "\"a&quot;b&amp;c&lt;d'\"")
    );
}

#[test]
fn single_quoted_value_keeps_its_quote() {
    let text = "<mj-image src='a.png' alt='x' />";
    let tree = SourceTree::parse(text);
    let id = element(&tree, "mj-image", 0);
    assert_eq!(
        edited(text, set_attribute(&tree, text, id, "alt", "it's \"ok\"")),
        "<mj-image src='a.png' alt='it&#39;s \"ok\"' />"
    );
}

#[test]
fn unquoted_value_is_kept_unquoted_when_safe_and_quoted_otherwise() {
    let text = "<td width=600 align=left>x</td>";
    let tree = SourceTree::parse(text);
    let id = element(&tree, "td", 0);
    let td = tree.element(id).unwrap_or_else(|| panic!("td"));
    assert_eq!(
        td.attributes
            .iter()
            .map(|a| a.value.map(|v| v.quote))
            .collect::<Vec<_>>(),
        vec![Some(Quote::None), Some(Quote::None)]
    );
    assert_eq!(
        edited(text, set_attribute(&tree, text, id, "width", "300")),
        "<td width=300 align=left>x</td>"
    );
    assert_eq!(
        edited(text, set_attribute(&tree, text, id, "width", "50 %")),
        "<td width=\"50 %\" align=left>x</td>"
    );
}

#[test]
fn missing_attribute_is_inserted_after_the_last_one_before_self_closing_slash() {
    let text = "<mj-image src=\"a.png\" />";
    let tree = SourceTree::parse(text);
    let id = element(&tree, "mj-image", 0);
    assert_eq!(
        edited(text, set_attribute(&tree, text, id, "alt", "Logo")),
        "<mj-image src=\"a.png\" alt=\"Logo\" />"
    );
    let bare = "<mj-divider/>";
    let tree = SourceTree::parse(bare);
    let id = element(&tree, "mj-divider", 0);
    assert_eq!(
        edited(bare, set_attribute(&tree, bare, id, "padding", "0")),
        "<mj-divider padding=\"0\"/>"
    );
}

#[test]
fn attributes_one_per_line_get_a_new_line_with_the_same_indentation_and_crlf() {
    let text =
        "<mj-section\r\n    padding=\"0\"\r\n    css-class=\"hero\"\r\n>\r\n</mj-section>\r\n";
    let tree = SourceTree::parse(text);
    let id = element(&tree, "mj-section", 0);
    assert_eq!(
        edited(
            text,
            set_attribute(&tree, text, id, "background-color", "#fff")
        ),
        "<mj-section\r\n    padding=\"0\"\r\n    css-class=\"hero\"\r\n    background-color=\"#fff\"\r\n>\r\n</mj-section>\r\n"
    );
}

#[test]
fn removing_an_attribute_alone_on_its_line_removes_the_line() {
    let text = "<mj-section\n    padding=\"0\"   \n    css-class=\"hero\"\n>\n</mj-section>\n";
    let tree = SourceTree::parse(text);
    let id = element(&tree, "mj-section", 0);
    assert_eq!(
        edited(text, remove_attribute(&tree, text, id, "padding")),
        "<mj-section\n    css-class=\"hero\"\n>\n</mj-section>\n"
    );
    // The whitespace before an attribute includes the trailing blanks of the line above.
    assert_eq!(
        edited(text, remove_attribute(&tree, text, id, "css-class")),
        "<mj-section\n    padding=\"0\"\n>\n</mj-section>\n"
    );
    let inline = "<mj-text a=\"1\" b=\"2\">x</mj-text>";
    let tree = SourceTree::parse(inline);
    let id = element(&tree, "mj-text", 0);
    assert_eq!(
        edited(inline, remove_attribute(&tree, inline, id, "a")),
        "<mj-text b=\"2\">x</mj-text>"
    );
    assert_eq!(
        remove_attribute(&tree, inline, id, "c"),
        Err(EditError::AttributeNotFound { name: "c".into() })
    );
}

#[test]
fn link_inside_mj_text_is_an_element_with_editable_attributes() {
    let text =
        "<mj-text>Read <a href=\"https://a.example/?x=1&amp;y=2\">the post</a> now</mj-text>";
    let tree = SourceTree::parse(text);
    let link = element(&tree, "a", 0);
    assert_eq!(tree.path(link), vec!["mj-text", "a"]);
    assert!(tree.element(link).is_some_and(|e| e.raw_html));
    let offset = text.find("the post").unwrap_or_default();
    assert_eq!(tree.element_at(offset), Some(link));
    assert_eq!(
        edited(
            text,
            set_attribute(&tree, text, link, "href", "https://b.example/?q=a&b")
        ),
        "<mj-text>Read <a href=\"https://b.example/?q=a&amp;b\">the post</a> now</mj-text>"
    );
    let run = run_in(&tree, link);
    assert_eq!(
        edited(
            text,
            set_text(
                &tree,
                text,
                run,
                &[TextSegment::Literal("this post".into())]
            )
        ),
        text.replace("the post", "this post")
    );
}

#[test]
fn text_with_jinja_and_entities_changes_only_the_edited_literal() {
    let text = "<mj-text>Hello&nbsp;{{ user.name }}, caf&#233; &amp; more</mj-text>";
    let tree = SourceTree::parse(text);
    let mj_text = element(&tree, "mj-text", 0);
    let run = run_in(&tree, mj_text);
    let segments = text_segments(&tree, run).unwrap_or_default();
    let chip = segments
        .iter()
        .find_map(|s| match s {
            TextSegment::Jinja(id) => Some(*id),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no chip"));
    assert_eq!(segments.len(), 8, "{segments:?}");
    let new = [
        TextSegment::Literal("Hello\u{a0}".into()),
        TextSegment::Jinja(chip),
        TextSegment::Literal(", café & less <b>".into()),
    ];
    let edits = set_text(&tree, text, run, &new).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(edits.len(), 1, "{edits:?}");
    assert_eq!(&text[edits[0].range.clone()], "more");
    assert_eq!(
        apply(text, &edits).unwrap_or_default(),
        "<mj-text>Hello&nbsp;{{ user.name }}, caf&#233; &amp; less &lt;b&gt;</mj-text>"
    );
}

#[test]
fn removing_an_expression_chip_deletes_exactly_its_bytes() {
    let text = "<mj-text>Hi {{ name }}, welcome</mj-text>";
    let tree = SourceTree::parse(text);
    let run = run_in(&tree, element(&tree, "mj-text", 0));
    assert_eq!(
        edited(
            text,
            set_text(
                &tree,
                text,
                run,
                &[TextSegment::Literal("Hi , welcome".into())]
            )
        ),
        "<mj-text>Hi , welcome</mj-text>"
    );
}

#[test]
fn chips_cannot_be_invented_or_reordered_and_statements_stay() {
    let text = "<mj-text>{{ a }} and {{ b }}{% if x %}!{% endif %}</mj-text>";
    let tree = SourceTree::parse(text);
    let run = run_in(&tree, element(&tree, "mj-text", 0));
    let chips: Vec<NodeId> = text_segments(&tree, run)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|s| match s {
            TextSegment::Jinja(id) => Some(id),
            _ => None,
        })
        .collect();
    assert_eq!(chips.len(), 4);
    let swapped = [
        TextSegment::Jinja(chips[1]),
        TextSegment::Jinja(chips[0]),
        TextSegment::Jinja(chips[2]),
        TextSegment::Jinja(chips[3]),
    ];
    assert_eq!(
        set_text(&tree, text, run, &swapped),
        Err(EditError::ChipsReordered)
    );
    assert_eq!(
        set_text(&tree, text, run, &[TextSegment::Jinja(NodeId(0))]),
        Err(EditError::UnknownChip(NodeId(0)))
    );
    let without_if = [
        TextSegment::Jinja(chips[0]),
        TextSegment::Jinja(chips[1]),
        TextSegment::Jinja(chips[3]),
    ];
    assert_eq!(
        set_text(&tree, text, run, &without_if),
        Err(EditError::StatementChipRemoved(chips[2]))
    );
}

#[test]
fn typed_braces_never_become_jinja() {
    let text = "<mj-text>x{{ a }}</mj-text>";
    let tree = SourceTree::parse(text);
    let run = run_in(&tree, element(&tree, "mj-text", 0));
    let chip = text_segments(&tree, run)
        .unwrap_or_default()
        .into_iter()
        .find_map(|s| match s {
            TextSegment::Jinja(id) => Some(id),
            _ => None,
        });
    let chip = chip.unwrap_or_else(|| panic!("chip"));
    let result = edited(
        text,
        set_text(
            &tree,
            text,
            run,
            &[
                TextSegment::Literal("{{ b }} {".into()),
                TextSegment::Jinja(chip),
            ],
        ),
    );
    assert_eq!(result, "<mj-text>&#123;{ b }} &#123;{{ a }}</mj-text>");
    assert_eq!(letterpress_visual::scan_jinja(&result).tokens.len(), 1);
}

#[test]
fn empty_element_content_can_be_filled() {
    let text = "<mj-button href=\"#\"></mj-button>";
    let tree = SourceTree::parse(text);
    let button = element(&tree, "mj-button", 0);
    assert_eq!(
        edited(
            text,
            set_text(
                &tree,
                text,
                button,
                &[TextSegment::Literal("Go & see".into())]
            )
        ),
        "<mj-button href=\"#\">Go &amp; see</mj-button>"
    );
}

#[test]
fn whitespace_between_mjml_elements_is_not_text_content() {
    let text = "<mj-column>\n  <mj-text>a</mj-text>\n</mj-column>";
    let tree = SourceTree::parse(text);
    let run = run_in(&tree, element(&tree, "mj-column", 0));
    assert_eq!(
        set_text(&tree, text, run, &[TextSegment::Literal("x".into())]),
        Err(EditError::NotTextContent {
            parent: "mj-column".into()
        })
    );
}

#[test]
fn refusals_name_their_reason() {
    let text = "<mj-head><mj-title>T</mj-title></mj-head><mj-text align=\"{{ a }}\">x</mj-text>";
    let tree = SourceTree::parse(text);
    let head = element(&tree, "mj-head", 0);
    let mj_text = element(&tree, "mj-text", 0);
    assert_eq!(
        set_attribute(&tree, text, head, "a", "b"),
        Err(EditError::TakesNoAttributes {
            element: "mj-head".into()
        })
    );
    assert_eq!(
        set_attribute(&tree, text, mj_text, "align", "left"),
        Err(EditError::AttributeHasJinja {
            name: "align".into()
        })
    );
    assert_eq!(
        remove_attribute(&tree, text, mj_text, "align"),
        Err(EditError::AttributeHasJinja {
            name: "align".into()
        })
    );
    assert_eq!(
        set_attribute(&tree, text, mj_text, "Color", "red"),
        Err(EditError::InvalidAttributeName {
            name: "Color".into()
        })
    );
    assert_eq!(
        set_attribute(&tree, text, mj_text, "color", "{{ c }}"),
        Err(EditError::JinjaInValue)
    );
    assert_eq!(
        set_attribute(&tree, text, mj_text, "color", "a\u{0}"),
        Err(EditError::InvalidCharacter { code: 0 })
    );
    assert_eq!(
        set_attribute(&tree, "other", mj_text, "color", "red"),
        Err(EditError::StaleTree)
    );
}

#[test]
fn jinja_inside_a_start_tag_makes_attributes_templated() {
    let text = "<mj-column {% if wide %}width=\"100%\"{% endif %} padding=\"0\">\n</mj-column>";
    let tree = SourceTree::parse(text);
    let column = element(&tree, "mj-column", 0);
    assert!(tree.element(column).is_some_and(|e| e.attributes_templated));
    assert_eq!(
        set_attribute(&tree, text, column, "padding", "4px"),
        Err(EditError::TemplatedAttributes)
    );
    insta::assert_snapshot!("templated_start_tag", dump(&tree));
}

#[test]
fn if_between_sections_is_a_well_formed_region() {
    let text = "<mj-body>\n  {% if promo %}\n  <mj-section><mj-column><mj-text>Sale</mj-text></mj-column></mj-section>\n  {% else %}\n  <mj-section></mj-section>\n  {% endif %}\n</mj-body>\n";
    let tree = SourceTree::parse(text);
    assert_eq!(tree.regions().len(), 1);
    assert!(tree.regions()[0].well_formed);
    assert!(tree.nodes().all(|(_, n)| !n.opaque));
    let mj_text = element(&tree, "mj-text", 0);
    assert_eq!(
        edited(text, set_attribute(&tree, text, mj_text, "color", "red")),
        text.replace("<mj-text>", "<mj-text color=\"red\">")
    );
    insta::assert_snapshot!("if_between_sections", dump(&tree));
}

#[test]
fn if_crossing_elements_makes_an_opaque_region() {
    let text = "<mj-section>\n  <mj-column>{% if a %}<mj-text>one</mj-text></mj-column>\n  <mj-column><mj-text>two</mj-text>{% endif %}</mj-column>\n  <mj-column><mj-text>three</mj-text></mj-column>\n</mj-section>";
    let tree = SourceTree::parse(text);
    assert_eq!(tree.regions().len(), 1);
    assert!(!tree.regions()[0].well_formed);
    let section = element(&tree, "mj-section", 0);
    let first_column = element(&tree, "mj-column", 0);
    let one = element(&tree, "mj-text", 0);
    let three = element(&tree, "mj-text", 2);
    assert_eq!(
        set_attribute(&tree, text, one, "color", "red"),
        Err(EditError::Opaque)
    );
    assert_eq!(
        set_attribute(&tree, text, first_column, "width", "50%"),
        Err(EditError::Opaque)
    );
    assert!(set_attribute(&tree, text, three, "color", "red").is_ok());
    assert!(set_attribute(&tree, text, section, "padding", "0").is_ok());
    insta::assert_snapshot!("if_crossing_elements", dump(&tree));
}

#[test]
fn attributes_and_tree_of_a_small_template_are_dumped() {
    let text = "<mjml>\n  <mj-body>\n    <!-- hero -->\n    <mj-section css-class='hero' padding=\"0\">\n      <mj-column>\n        <mj-image src=\"{{ logo }}\" />\n        <mj-text>Hi {{ user.name }}<br/>&copy; 2024</mj-text>\n      </mj-column>\n    </mj-section>\n  </mj-body>\n</mjml>\n";
    let tree = SourceTree::parse(text);
    assert_eq!(tree.rebuild(), text);
    insta::assert_snapshot!("small_template", dump(&tree));
}

#[test]
fn line_col_counts_utf16_on_crlf_files() {
    let text = "<mjml>\r\n  <mj-text>😀 <b>x</b></mj-text>\r\n</mjml>";
    let tree = SourceTree::parse(text);
    let b = element(&tree, "b", 0);
    let start = tree
        .element(b)
        .map(|e| e.start_tag.start)
        .unwrap_or_default();
    let position = tree.line_col(start);
    assert_eq!((position.line, position.col), (2, 15));
    assert_eq!(tree.offset_at(2, 15), Some(start));
    let edits = set_attribute(&tree, text, b, "class", "x").unwrap_or_else(|e| panic!("{e}"));
    let at = edits[0].position(&tree);
    assert_eq!((at.from.line, at.from.col), (2, 17));
}
