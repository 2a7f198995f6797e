//! Building and rearranging from the visual editor on a copy of the sample: each action is
//! the edits of one undo step plus the element to select, checked against the email.

use letterpress_protocol::{PreviewRequest, StructureAction};
use letterpress_studio::StudioSession;
use letterpress_test_support::editor::apply_editor_edits as apply;

fn request() -> PreviewRequest {
    PreviewRequest {
        template: "welcome".into(),
        locale: "en".into(),
        fixture: "default".into(),
        text: false,
        markers: false,
        logic: Default::default(),
        dark: None,
        variant: None,
    }
}

#[test]
fn a_designer_rearranges_and_builds_the_welcome_email() {
    let (_tmp, root) = letterpress_test_support::sample_copy();
    let mut session = StudioSession::open(&root).unwrap();
    let path = "templates/welcome/body.mjml";
    let text = session.open_document(path).unwrap().text;
    let divider = text.find("<mj-divider />").unwrap();

    // Move the divider up: it swaps lines with the intro text; it stays selected.
    let moved = session
        .structure_edit(path, divider, &StructureAction::MoveUp, &request())
        .unwrap();
    let up = apply(&text, &moved.edits);
    let intro = "    <mj-text>{{ t(\"welcome-intro\", workspace=workspace.name) }}</mj-text>\n";
    assert_eq!(
        up,
        text.replacen(
            &format!("{intro}    <mj-divider />\n"),
            &format!("    <mj-divider />\n{intro}"),
            1
        )
    );
    let select = moved.select.unwrap();
    assert_eq!(&up[select.offset..select.offset + 12], "<mj-divider ");
    assert_eq!(
        select.breadcrumb.last().map(String::as_str),
        Some("mj-divider")
    );
    session.edit_document(path, &up).unwrap();

    // Duplicate it: the copy is selected, on the next line.
    let copied = session
        .structure_edit(path, select.offset, &StructureAction::Duplicate, &request())
        .unwrap();
    let two = apply(&up, &copied.edits);
    assert_eq!(two.matches("<mj-divider />").count(), 2);
    let copy = copied.select.unwrap();
    assert!(copy.offset > select.offset);
    assert_eq!(copy.line, select.line + 1);
    session.edit_document(path, &two).unwrap();

    // Delete the copy: back to one divider, nothing selected.
    let deleted = session
        .structure_edit(path, copy.offset, &StructureAction::Delete, &request())
        .unwrap();
    assert_eq!(apply(&two, &deleted.edits), up);
    assert!(deleted.select.is_none());

    // Wrap the divider in a condition; a broken expression is refused with the reason.
    let refused = session
        .structure_edit(
            path,
            select.offset,
            &StructureAction::WrapInCondition {
                condition: "user.plan ==".into(),
            },
            &request(),
        )
        .unwrap_err();
    assert!(
        refused.to_string().contains("would add an error"),
        "{refused}"
    );
    let wrapped = session
        .structure_edit(
            path,
            select.offset,
            &StructureAction::WrapInCondition {
                condition: "workspace.name != \"\"".into(),
            },
            &request(),
        )
        .unwrap();
    let with_if = apply(&up, &wrapped.edits);
    assert!(
        with_if
            .contains("    {% if workspace.name != \"\" %}\n    <mj-divider />\n    {% endif %}\n"),
        "{with_if}"
    );
    let still = wrapped.select.unwrap();
    assert_eq!(&with_if[still.offset..still.offset + 11], "<mj-divider");
    session.edit_document(path, &with_if).unwrap();
    let unwrapped = session
        .structure_edit(path, still.offset, &StructureAction::Unwrap, &request())
        .unwrap();
    assert_eq!(apply(&with_if, &unwrapped.edits), up);
    session.edit_document(path, &up).unwrap();

    // A two-column section from the library, with a text selected: it goes after the
    // text's section (a section fits at the top of the block, not in a column).
    let library = session.block_library();
    let two_columns = library
        .iter()
        .find(|b| b.id == "basic/two-columns")
        .unwrap();
    assert_eq!(two_columns.fits_in, ["mj-body", "mj-wrapper"]);
    let heading = up.find("<mj-text mj-class=\"heading\"").unwrap();
    let inserted = session
        .structure_edit(
            path,
            heading,
            &StructureAction::InsertBlock {
                mjml: two_columns.mjml.clone(),
            },
            &request(),
        )
        .unwrap();
    let built = apply(&up, &inserted.edits);
    assert!(
        built.contains("</mj-section>\n<mj-section>\n  <mj-column>\n    <mj-image src="),
        "{built}"
    );
    assert_eq!(
        inserted
            .select
            .unwrap()
            .breadcrumb
            .last()
            .map(String::as_str),
        Some("mj-section")
    );
    // A button goes into the selected column.
    let button = library.iter().find(|b| b.id == "basic/button").unwrap();
    let column = up.find("<mj-column>").unwrap();
    let added = session
        .structure_edit(
            path,
            column,
            &StructureAction::InsertBlock {
                mjml: button.mjml.clone(),
            },
            &request(),
        )
        .unwrap();
    let with_button = apply(&up, &added.edits);
    assert!(
        with_button.contains(
            "    <mj-button href=\"https://example.com\">Button</mj-button>\n  </mj-column>"
        ),
        "{with_button}"
    );
    // Nothing was written: the editor applies the edits, saving is the user's.
    assert_eq!(std::fs::read_to_string(root.join(path)).unwrap(), text);
}

#[test]
fn project_blocks_come_from_the_blocks_folder() {
    let (_tmp, root) = letterpress_test_support::sample_copy();
    std::fs::create_dir_all(root.join("blocks")).unwrap();
    std::fs::write(root.join("blocks/order-summary.mjml"), "<mj-section>\n  <mj-column>\n    <mj-text>{{ order.number }}</mj-text>\n  </mj-column>\n</mj-section>\n").unwrap();
    std::fs::write(root.join("blocks/not-mjml.mjml"), "just text").unwrap();
    let session = StudioSession::open(&root).unwrap();
    let project: Vec<_> = session
        .block_library()
        .into_iter()
        .filter(|b| b.project)
        .collect();
    assert_eq!(project.len(), 1, "{project:?}");
    assert_eq!(project[0].name, "Order summary");
    assert_eq!(project[0].fits_in, ["mj-body", "mj-wrapper"]);
    assert!(project[0].mjml.ends_with("</mj-section>"));
}

/// Every well-formed `if` / `for` / `block` region and every `include` of every sample file
/// is a labelled row of its outline.
#[test]
fn every_sample_block_and_include_is_labelled_in_the_outline() {
    let (_tmp, root) = letterpress_test_support::sample_copy();
    let session = StudioSession::open(&root).unwrap();
    let mut files = Vec::new();
    for dir in ["layouts", "partials"] {
        for entry in std::fs::read_dir(root.join(dir)).unwrap() {
            let name = entry.unwrap().file_name().to_string_lossy().into_owned();
            if name.ends_with(".mjml") {
                files.push(format!("{dir}/{name}"));
            }
        }
    }
    for entry in std::fs::read_dir(root.join("templates")).unwrap() {
        let dir = entry.unwrap().file_name().to_string_lossy().into_owned();
        for file in std::fs::read_dir(root.join("templates").join(&dir)).unwrap() {
            let name = file.unwrap().file_name().to_string_lossy().into_owned();
            if name.ends_with(".mjml") {
                files.push(format!("templates/{dir}/{name}"));
            }
        }
    }
    let (mut expected_total, mut labelled_total) = (0, 0);
    for path in &files {
        let text = std::fs::read_to_string(root.join(path)).unwrap();
        let tree = letterpress_visual::SourceTree::parse(&text);
        let head_end = text.find("</mj-head>").unwrap_or(0);
        let mut expected: Vec<usize> = tree
            .regions()
            .iter()
            .filter(|r| r.well_formed && matches!(r.keyword.as_str(), "if" | "for" | "block"))
            .filter_map(|r| {
                r.tags
                    .first()
                    .and_then(|&t| tree.node(t))
                    .map(|n| n.span.start)
            })
            .filter(|&at| at >= head_end)
            .collect();
        expected.extend(
            letterpress_visual::scan_jinja(&text)
                .tokens
                .iter()
                .filter(|t| {
                    text[t.inner.range()]
                        .trim_start_matches(['-', '+', ' '])
                        .starts_with("include ")
                })
                .map(|t| t.span.start)
                .filter(|&at| at >= head_end),
        );
        expected.sort();
        let outline = session.outline(path).unwrap();
        let mut labelled: Vec<usize> = outline
            .iter()
            .filter(|n| n.kind != letterpress_protocol::OutlineKind::Element && !n.label.is_empty())
            .map(|n| n.offset)
            .collect();
        labelled.sort();
        assert_eq!(labelled, expected, "{path}: {outline:#?}");
        expected_total += expected.len();
        labelled_total += labelled.len();
    }
    assert!(
        expected_total >= 10,
        "only {expected_total} blocks in the sample"
    );
    assert_eq!(labelled_total, expected_total);
}

#[test]
fn a_selection_saved_as_block_or_moved_into_a_partial_keeps_its_bytes_and_the_email() {
    let (_tmp, root) = letterpress_test_support::sample_copy();
    let mut session = StudioSession::open(&root).unwrap();
    let path = "templates/welcome/body.mjml";
    let text = session.open_document(path).unwrap().text;
    let section = text.find("<mj-section>").unwrap();
    let end = text.find("</mj-section>").unwrap() + "</mj-section>".len();

    // Save as block: the source as written (this section sits at column 1: no dedent).
    let library = session.save_block(path, section, "welcome-steps").unwrap();
    let saved = std::fs::read_to_string(root.join("blocks/welcome-steps.mjml")).unwrap();
    assert_eq!(saved, format!("{}\n", &text[section..end]));
    assert!(
        library
            .iter()
            .any(|b| b.id == "blocks/welcome-steps.mjml" && b.project)
    );
    assert!(
        session.save_block(path, section, "welcome-steps").is_err(),
        "never overwrites"
    );
    assert!(
        session.save_block(path, section, "../escape").is_err(),
        "a slug only"
    );

    // A nested element is dedented to its own line.
    let divider = text.find("<mj-divider />").unwrap();
    session.save_block(path, divider, "rule").unwrap();
    assert_eq!(
        std::fs::read_to_string(root.join("blocks/rule.mjml")).unwrap(),
        "<mj-divider />\n"
    );

    // Make partial: the include renders the same email; the partial is written now and the
    // template's edit is the editor's (one undo step).
    let moved = session
        .make_partial(path, section, "welcome-body", &request())
        .unwrap();
    let partial = std::fs::read_to_string(root.join("partials/welcome-body.mjml")).unwrap();
    assert_eq!(partial, format!("{}\n", &text[section..end]));
    let new_text = apply(&text, &moved.edits);
    assert_eq!(
        new_text,
        format!(
            "{}{{% include \"partials/welcome-body.mjml\" %}}{}",
            &text[..section],
            &text[end..]
        )
    );
    assert_eq!(
        std::fs::read_to_string(root.join(path)).unwrap(),
        text,
        "the template is the editor's to save"
    );
    assert!(
        session
            .make_partial(path, section, "welcome-body", &request())
            .is_err(),
        "exists"
    );
}

/// Two columns, a button shown only with a title, in a copy of the sample's welcome.
const DROPS: &str = "{% extends \"layouts/base.mjml\" %}\n{% block content %}\n<mj-section>\n  <mj-column>\n    <mj-text>Left</mj-text>\n  </mj-column>\n  <mj-column>\n    {% if workspace.name %}\n    <mj-button href=\"https://example.com\">Go</mj-button>\n    {% endif %}\n    <mj-text>Right</mj-text>\n  </mj-column>\n</mj-section>\n{% endblock %}\n";

#[test]
fn drops_go_where_mjml_takes_them_and_into_jinja_blocks_only_when_aimed_there() {
    use letterpress_protocol::{Dragged, DropPlace};
    let (_tmp, root) = letterpress_test_support::sample_copy();
    let path = "templates/welcome/body.mjml";
    std::fs::write(root.join(path), DROPS).unwrap();
    let mut session = StudioSession::open(&root).unwrap();
    let text = session.open_document(path).unwrap().text;
    let at = |needle: &str| text.find(needle).unwrap();

    // A button fits next to texts and into columns, never next to a section.
    let targets = session
        .drop_targets(
            path,
            &Dragged::Block {
                mjml: "<mj-button href=\"#\">New</mj-button>".into(),
            },
        )
        .unwrap();
    let of = |offset: usize| targets.iter().find(|t| t.offset == offset);
    let left = of(at("<mj-text>Left")).expect("next to the left text");
    assert_eq!(left.places, [DropPlace::Before, DropPlace::After]);
    assert!(left.regions.is_empty());
    let button = of(at("<mj-button")).expect("next to the button");
    assert_eq!(
        button.regions,
        ["if workspace.name"],
        "the zone names the block"
    );
    // The condition opens the column: the button's outer edges are the places outside it.
    assert_eq!(
        button.places,
        [
            DropPlace::Before,
            DropPlace::After,
            DropPlace::BeforeBlock,
            DropPlace::AfterBlock
        ]
    );
    assert_eq!(button.block_before.as_deref(), Some("if workspace.name"));
    assert_eq!(button.block_after.as_deref(), Some("if workspace.name"));
    assert_eq!(left.block_before, None);
    let column = of(at("<mj-column>")).expect("into a column");
    assert_eq!(column.places, [DropPlace::Inside]);
    assert!(column.horizontal, "columns sit side by side");
    assert!(
        of(at("<mj-section>")).is_none(),
        "a button does not fit in mj-body"
    );

    // The button dragged out of its condition into the left column: its bytes move as they
    // are, the condition's tags stay, nothing else changes.
    let moved = session
        .drop_edit(
            path,
            &Dragged::Element {
                offset: at("<mj-button"),
            },
            at("<mj-text>Left"),
            DropPlace::After,
            &request(),
        )
        .unwrap();
    let out = apply(&text, &moved.edits);
    assert_eq!(
        out,
        DROPS
            .replace(
                "    {% if workspace.name %}\n    <mj-button href=\"https://example.com\">Go</mj-button>\n",
                "    {% if workspace.name %}\n"
            )
            .replace(
                "    <mj-text>Left</mj-text>\n",
                "    <mj-text>Left</mj-text>\n    <mj-button href=\"https://example.com\">Go</mj-button>\n"
            )
    );
    let select = moved.select.expect("the moved button is selected");
    assert_eq!(
        select.breadcrumb.last().map(String::as_str),
        Some("mj-button")
    );
    assert_eq!(&out[select.offset..select.offset + 10], "<mj-button");

    // A block dropped before the button lands inside the condition.
    let inserted = session
        .drop_edit(
            path,
            &Dragged::Block {
                mjml: "<mj-divider />".into(),
            },
            at("<mj-button"),
            DropPlace::Before,
            &request(),
        )
        .unwrap();
    assert_eq!(
        apply(&text, &inserted.edits),
        DROPS.replace(
            "    {% if workspace.name %}\n",
            "    {% if workspace.name %}\n    <mj-divider />\n"
        )
    );

    // Dropped at the button's outer edge: before the condition, at the top of the column
    // (regression: nothing could land there, the if block being the column's first child).
    let outside = session
        .drop_edit(
            path,
            &Dragged::Block {
                mjml: "<mj-divider />".into(),
            },
            at("<mj-button"),
            DropPlace::BeforeBlock,
            &request(),
        )
        .unwrap();
    let out = apply(&text, &outside.edits);
    assert_eq!(
        out,
        DROPS.replace(
            "    {% if workspace.name %}\n",
            "    <mj-divider />\n    {% if workspace.name %}\n"
        )
    );
    let select = outside.select.expect("the divider is selected");
    assert_eq!(&out[select.offset..select.offset + 11], "<mj-divider");
    // And the button moved out after its own condition.
    let after = session
        .drop_edit(
            path,
            &Dragged::Element {
                offset: at("<mj-button"),
            },
            at("<mj-button"),
            DropPlace::AfterBlock,
            &request(),
        )
        .unwrap();
    assert_eq!(
        apply(&text, &after.edits),
        DROPS.replace(
            "    {% if workspace.name %}\n    <mj-button href=\"https://example.com\">Go</mj-button>\n    {% endif %}\n",
            "    {% if workspace.name %}\n    {% endif %}\n    <mj-button href=\"https://example.com\">Go</mj-button>\n"
        )
    );
    // Where no block starts, there is no outside to go to.
    assert!(
        session
            .drop_edit(
                path,
                &Dragged::Block {
                    mjml: "<mj-divider />".into(),
                },
                at("<mj-text>Left"),
                DropPlace::BeforeBlock,
                &request(),
            )
            .is_err()
    );

    // A section dropped into a column is refused, and nothing changes.
    let refused = session
        .drop_edit(
            path,
            &Dragged::Block {
                mjml: "<mj-section><mj-column></mj-column></mj-section>".into(),
            },
            at("<mj-column>"),
            DropPlace::Inside,
            &request(),
        )
        .unwrap_err();
    assert!(refused.to_string().contains("mj-section"), "{refused}");
    // An element cannot go into itself.
    assert!(
        session
            .drop_edit(
                path,
                &Dragged::Element {
                    offset: at("<mj-section>")
                },
                at("<mj-text>Left"),
                DropPlace::After,
                &request(),
            )
            .is_err()
    );
}

#[test]
fn brand_locked_attributes_offer_and_take_only_the_palette_and_fonts() {
    let (_tmp, root) = letterpress_test_support::sample_copy();
    let mut session = StudioSession::open(&root).unwrap();
    let path = "templates/welcome/body.mjml";
    let text = session.open_document(path).unwrap().text;
    // The welcome's first text: its properties come with the brand's choices.
    let at = text.find("<mj-text").unwrap();
    let props = session.element_properties(path, at, &request()).unwrap();
    let prop = |name: &str| {
        props
            .properties
            .iter()
            .find(|p| p.name == name)
            .unwrap_or_else(|| panic!("{name} is in the panel"))
            .clone()
    };
    assert_eq!(
        prop("font-family").choices,
        ["Helvetica, Arial, sans-serif"]
    );
    assert!(
        prop("container-background-color").choices.is_empty(),
        "not locked"
    );
    assert!(
        prop("color").choices.is_empty(),
        "the sample locks background-color, not color"
    );

    // Off-palette is refused, on-palette and reset are edits.
    let refused = session
        .property_edit(path, at, "font-family", Some("Comic Sans MS"), &request())
        .unwrap_err();
    assert!(
        refused.to_string().contains("locked to the brand fonts"),
        "{refused}"
    );
    let ok = session
        .property_edit(
            path,
            at,
            "font-family",
            Some("Helvetica, Arial, sans-serif"),
            &request(),
        )
        .unwrap();
    assert_eq!(ok.len(), 1);
    assert!(
        ok[0]
            .insert
            .contains("font-family=\"Helvetica, Arial, sans-serif\"")
    );
}

#[test]
fn a_brand_section_that_cannot_hold_is_an_error_at_its_value() {
    let bad = "[project]\nname = \"x\"\ndefault_locale = \"en\"\nlocales = [\"en\"]\n\n[brand]\npalette = [\"#4f46e5\", \"indigo\"]\n";
    let e = letterpress_engine::config::ProjectConfig::parse(bad).unwrap_err();
    assert!(
        e.message.contains("`indigo` is not a colour"),
        "{}",
        e.message
    );
    assert_eq!(e.location.as_ref().map(|l| l.line), Some(7));
    let unlockable = "[project]\nname = \"x\"\ndefault_locale = \"en\"\nlocales = [\"en\"]\n\n[brand]\npalette = [\"#000\"]\nlocked = [\"padding\"]\n";
    let e = letterpress_engine::config::ProjectConfig::parse(unlockable).unwrap_err();
    assert!(
        e.message.contains("only colour attributes and font-family"),
        "{}",
        e.message
    );
    let no_fonts = "[project]\nname = \"x\"\ndefault_locale = \"en\"\nlocales = [\"en\"]\n\n[brand]\nlocked = [\"font-family\"]\n";
    let e = letterpress_engine::config::ProjectConfig::parse(no_fonts).unwrap_err();
    assert!(e.message.contains("needs fonts"), "{}", e.message);
}

/// The preview right after a visual edit reuses the render the edit was checked with: it
/// must be exactly the email a fresh render of the same text gives.
#[test]
fn the_preview_after_a_visual_edit_is_the_email_a_fresh_render_gives() {
    let (_tmp, root) = letterpress_test_support::sample_copy();
    let mut session = StudioSession::open(&root).unwrap();
    let path = "templates/welcome/body.mjml";
    let text = session.open_document(path).unwrap().text;
    let marked = PreviewRequest {
        markers: true,
        ..request()
    };
    let divider = text.find("<mj-divider />").unwrap();
    let moved = session
        .structure_edit(path, divider, &StructureAction::MoveUp, &marked)
        .unwrap();
    let after = apply(&text, &moved.edits);
    session.edit_document(path, &after).unwrap();
    let kept = session.preview(&marked);
    let fresh = session.preview(&marked);
    assert!(kept.mapping.is_some());
    assert_eq!(kept.mapping, fresh.mapping);
    assert_eq!(kept.html, fresh.html);
    assert_eq!(kept.diagnostics, fresh.diagnostics);
    assert_eq!(kept.subject, fresh.subject);

    // A render kept for text the editor never got is not used: the preview is of its text.
    let back = after.find("<mj-divider />").unwrap();
    let down = session
        .structure_edit(path, back, &StructureAction::MoveDown, &marked)
        .unwrap();
    assert_eq!(apply(&after, &down.edits), text);
    let not_applied = session.preview(&marked);
    assert_eq!(
        not_applied.mapping, fresh.mapping,
        "still the edited text's email"
    );
}
