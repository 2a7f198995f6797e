//! Logic as labelled frames, on a copy of the sample's daily digest: the outline's branch
//! switcher and "preview with N items" force the preview only (the file on disk and in the
//! editor stays as it is, the markers still name it), and a condition is edited as one
//! checked edit.

use letterpress_protocol::{
    ForcedBranch, LoopItems, OutlineKind, Preview, PreviewLogic, PreviewRequest,
};
use letterpress_studio::StudioSession;
use letterpress_test_support::editor::apply_editor_edits as apply;

/// A temporary copy of the whole sample (the daily digest included).
fn whole_sample() -> (tempfile::TempDir, std::path::PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("project");
    letterpress_studio::copy_project(&letterpress_test_support::repo_root(), &root).unwrap();
    (tmp, root)
}

const PATH: &str = "templates/daily-digest/body.mjml";

fn request(fixture: &str, logic: PreviewLogic) -> PreviewRequest {
    PreviewRequest {
        template: "daily-digest".into(),
        locale: "en".into(),
        fixture: fixture.into(),
        text: false,
        markers: true,
        logic,
        dark: None,
        variant: None,
    }
}

/// How many boxes of the preview carry the marker of the element of `PATH` at `offset`.
fn boxes(preview: &Preview, offset: usize) -> usize {
    let mapping = preview.mapping.as_ref().expect("the digest is mapped");
    let file = mapping
        .files
        .iter()
        .position(|f| f == PATH)
        .expect("the body is among the files");
    let Some(marker) = mapping
        .offsets
        .iter()
        .find(|(m, o)| **o == offset && m.starts_with(&format!("{file}-")))
        .map(|(m, _)| format!("lp-{m}"))
    else {
        return 0;
    };
    mapping
        .html
        .match_indices(&marker)
        .filter(|(at, _)| {
            // `lp-0-12` must not count `lp-0-123`.
            !mapping.html[at + marker.len()..].starts_with(|c: char| c.is_ascii_digit())
        })
        .count()
}

#[test]
fn a_forced_branch_shows_in_the_preview_and_nothing_is_written() {
    let (_tmp, root) = whole_sample();
    let mut session = StudioSession::open(&root).unwrap();
    let text = session.open_document(PATH).unwrap().text;
    let on_disk = std::fs::read_to_string(root.join(PATH)).unwrap();

    let outline = session.outline(PATH).unwrap();
    let condition = outline
        .iter()
        .find(|n| n.kind == OutlineKind::Condition && n.label.starts_with("if people"))
        .expect("the digest's `if people | length > 0` is a frame");
    assert_eq!(
        condition.branches,
        ["if people | length > 0", "else"],
        "the branch switcher's entries"
    );
    let last = outline
        .iter()
        .find(|n| n.kind == OutlineKind::Condition && n.label == "if not loop.last")
        .expect("the divider's condition is a frame");
    assert_eq!(last.branches, ["if not loop.last", "none of them"]);
    let people = outline
        .iter()
        .find(|n| n.kind == OutlineKind::Loop && n.label == "for person in people")
        .expect("the people loop is a frame");
    assert!(people.repeatable, "a list of the data");

    let empty_title = text
        .find("<mj-text mj-class=\"subheading\" align=\"center\">")
        .unwrap();
    let plain = session.preview(&request("busy-day", PreviewLogic::default()));
    assert!(plain.forced.is_empty());
    assert_eq!(
        boxes(&plain, empty_title),
        0,
        "busy day: not the empty state"
    );

    let forced = session.preview(&request(
        "busy-day",
        PreviewLogic {
            branches: vec![ForcedBranch {
                path: PATH.into(),
                offset: condition.offset,
                branch: 1,
            }],
            items: Vec::new(),
        },
    ));
    assert!(forced.is_ok(), "{:?}", forced.diagnostics);
    assert_eq!(
        forced.forced,
        ["branch forced: `else` of `if people | length > 0`"]
    );
    assert!(
        boxes(&forced, empty_title) > 0,
        "the else branch is shown, and its marker names the file as it is"
    );
    assert_eq!(
        session.dirty_paths(),
        Vec::<String>::new(),
        "nothing edited"
    );
    assert_eq!(std::fs::read_to_string(root.join(PATH)).unwrap(), on_disk);

    // The empty day's fixture, forced into the `if` branch: no person, but the summary.
    let summary = text.find("<mj-text>{{ t(\"daily-digest-summary\"").unwrap();
    let forced_if = session.preview(&request(
        "empty-day",
        PreviewLogic {
            branches: vec![ForcedBranch {
                path: PATH.into(),
                offset: condition.offset,
                branch: 0,
            }],
            items: Vec::new(),
        },
    ));
    assert!(boxes(&forced_if, summary) > 0);
    assert_eq!(boxes(&forced_if, empty_title), 0);
}

#[test]
fn a_loop_previews_with_any_number_of_the_fixtures_items() {
    let (_tmp, root) = whole_sample();
    let mut session = StudioSession::open(&root).unwrap();
    let text = session.open_document(PATH).unwrap().text;
    let people = session
        .outline(PATH)
        .unwrap()
        .into_iter()
        .find(|n| n.kind == OutlineKind::Loop && n.label == "for person in people")
        .unwrap();
    let name = text
        .find("<mj-text color=\"#111827\" font-weight=\"bold\"")
        .unwrap();
    let with = |count: u32| {
        session.preview(&request(
            "busy-day",
            PreviewLogic {
                branches: Vec::new(),
                items: vec![LoopItems {
                    path: PATH.into(),
                    offset: people.offset,
                    count,
                }],
            },
        ))
    };
    let one = with(1);
    assert!(one.is_ok(), "{:?}", one.diagnostics);
    let per_person = boxes(&one, name);
    assert!(per_person > 0);
    let seven = with(7);
    assert_eq!(boxes(&seven, name), 7 * per_person, "seven people");
    assert_eq!(
        seven.forced,
        ["7 items for `for person in people` (the fixture's, repeated as needed)"]
    );
    // No one: the template's own empty state, as the data decides.
    let none = with(0);
    let empty_title = text
        .find("<mj-text mj-class=\"subheading\" align=\"center\">")
        .unwrap();
    assert_eq!(boxes(&none, name), 0);
    assert!(boxes(&none, empty_title) > 0);
}

#[test]
fn a_condition_is_edited_as_a_checked_expression() {
    let (_tmp, root) = whole_sample();
    let mut session = StudioSession::open(&root).unwrap();
    let text = session.open_document(PATH).unwrap().text;
    let offset = text.find("{%- if people | length > 0 %}").unwrap();
    let plain = request("busy-day", PreviewLogic::default());

    let edits = session
        .condition_edit(PATH, offset, 0, "people | length > 2", &plain)
        .unwrap();
    let edited = apply(&text, &edits);
    assert_eq!(
        edited,
        text.replacen(
            "{%- if people | length > 0 %}",
            "{%- if people | length > 2 %}",
            1
        ),
        "only the condition's bytes change"
    );

    let broken = session
        .condition_edit(PATH, offset, 0, "people | length >", &plain)
        .unwrap_err();
    assert!(
        broken.to_string().contains("would add an error"),
        "{broken}"
    );
    let else_branch = session
        .condition_edit(PATH, offset, 1, "x", &plain)
        .unwrap_err();
    assert!(
        else_branch.to_string().contains("condition"),
        "{else_branch}"
    );
    let two_lines = session
        .condition_edit(PATH, offset, 0, "a\nb", &plain)
        .unwrap_err();
    assert!(two_lines.to_string().contains("spans lines"), "{two_lines}");
}

#[test]
fn dark_previews_apply_the_emails_dark_styles_or_emulate_inversion_and_keep_the_markers() {
    use letterpress_protocol::DarkMode;
    let (_tmp, root) = whole_sample();
    let path = "templates/welcome/body.mjml";
    let body = std::fs::read_to_string(root.join(path)).unwrap();
    let dark_style = "{% block head %}<mj-style>@media (prefers-color-scheme: dark) { .card { background-color: #111827 !important; } }</mj-style>{% endblock %}\n";
    let with_dark = body.replacen(
        "{% block content %}",
        &format!("{dark_style}{{% block content %}}"),
        1,
    );
    assert_ne!(with_dark, body, "the welcome body extends the layout");
    std::fs::write(root.join(path), &with_dark).unwrap();
    let session = StudioSession::open(&root).unwrap();
    let ask = |dark: Option<DarkMode>| {
        session.preview(&PreviewRequest {
            template: "welcome".into(),
            locale: "en".into(),
            fixture: "default".into(),
            text: false,
            markers: true,
            logic: PreviewLogic::default(),
            dark,
            variant: None,
        })
    };
    let mapped = |p: &Preview| {
        p.mapping
            .as_ref()
            .map(|m| m.html.clone())
            .unwrap_or_default()
    };
    let light = ask(None);
    assert!(light.appearance.is_none());
    assert!(mapped(&light).contains("prefers-color-scheme"));

    let dark = ask(Some(DarkMode::PrefersColorScheme));
    let html = mapped(&dark);
    assert!(
        !html.contains("prefers-color-scheme"),
        "the dark query always applies"
    );
    assert!(html.contains("@media all"), "{html}");
    assert!(html.contains("lp-"), "the markers stay");
    assert_eq!(
        html.matches("lp-").count(),
        mapped(&light).matches("lp-").count()
    );
    assert!(
        dark.appearance
            .as_deref()
            .is_some_and(|a| a.contains("1 media query")),
        "{:?}",
        dark.appearance
    );

    let inverted = ask(Some(DarkMode::Inverting));
    assert!(mapped(&inverted).contains("data-lp-dark=\"inverting\""));
    assert!(
        inverted
            .appearance
            .as_deref()
            .is_some_and(|a| a.contains("approximation"))
    );
    assert_eq!(
        std::fs::read_to_string(root.join(path)).unwrap(),
        with_dark,
        "nothing written"
    );
}
