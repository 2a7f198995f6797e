//! The preview's visual mapping (engine `instrument`): markers that name each element's file
//! and offset, with the email unchanged once they are removed.

use letterpress_engine::RenderRequest;
use letterpress_engine::instrument::{MarkedHtml, strip_marks};
use letterpress_studio::Project;
use letterpress_test_support::editor::apply_editor_edits;
use std::collections::BTreeSet;
use std::path::Path;

fn sample() -> Project {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    Project::open(&root).expect("the sample project opens")
}

/// Every `lp-F-N` class and `data-lp="F-N"` of a marked render, as (file, offset): where the
/// mapping says each marker's element starts (every marker in the HTML must have one).
fn markers(marked: &MarkedHtml) -> BTreeSet<(usize, usize)> {
    let html = &marked.html;
    let mut found = BTreeSet::new();
    for (i, _) in html.match_indices("lp-") {
        let rest = &html[i + 3..];
        let digits = |s: &str| s.bytes().take_while(u8::is_ascii_digit).count();
        let f = digits(rest);
        if f == 0 || !rest[f..].starts_with('-') {
            continue;
        }
        let n = digits(&rest[f + 1..]);
        if n == 0 {
            continue;
        }
        let before = html[..i].chars().last();
        if matches!(before, Some(' ' | '"' | '=')) {
            let marker = &rest[..f + 1 + n];
            let offset = marked.offsets.get(marker).copied();
            let offset = offset.unwrap_or_else(|| panic!("marker {marker} has no offset"));
            found.insert((rest[..f].parse().unwrap(), offset));
        }
    }
    found
}

/// The transparency invariant: for every sample template × locale × fixture, the instrumented
/// preview with its markers stripped is the plain email byte for byte, and every marker names
/// the start tag of an element in the file it names.
#[test]
fn every_instrumented_sample_preview_is_the_plain_email_once_markers_are_stripped() {
    let project = sample();
    let mut jobs = 0;
    let mut elements = BTreeSet::new();
    let mut shown_keys = BTreeSet::new();
    for job in project.jobs().unwrap() {
        let data = project.fixture(&job.template, &job.fixture).unwrap();
        let request = RenderRequest {
            template: &job.template,
            locale: &job.locale,
            data: &data,
            variant: None,
        };
        let (plain, marked) = project.engine().render_with_markers(&request, false);
        let what = format!("{} {} {}", job.template, job.locale, job.fixture);
        assert!(plain.is_ok(), "{what}: {:?}", plain.diagnostics);
        let marked = marked.unwrap_or_else(|| {
            let unchecked = project.engine().render_marked(&request);
            let stripped = unchecked.map(|m| strip_marks(&m.html)).unwrap_or_default();
            let at = stripped
                .bytes()
                .zip(plain.html.bytes())
                .position(|(a, b)| a != b)
                .unwrap_or(stripped.len().min(plain.html.len()));
            let from = at.saturating_sub(120);
            panic!(
                "{what}: no transparent visual mapping; first difference at byte {at}:\n\
                 stripped: {}\nplain:    {}",
                stripped
                    .get(from..(at + 120).min(stripped.len()))
                    .unwrap_or_default(),
                plain
                    .html
                    .get(from..(at + 120).min(plain.html.len()))
                    .unwrap_or_default()
            )
        });
        assert_eq!(strip_marks(&marked.html), plain.html, "{what}");
        for (i, _) in marked.html.match_indices("<!--lp:t:") {
            let key = &marked.html[i + 9..];
            shown_keys.insert(key[..key.find("-->").unwrap()].to_owned());
        }
        let found = markers(&marked);
        assert!(found.len() > 10, "{what}: only {} markers", found.len());
        for (file, offset) in found {
            let path = &marked.files[file];
            let text = std::fs::read_to_string(project.root().join(path)).unwrap();
            assert!(
                text[offset..].starts_with('<') && !text[offset..].starts_with("</"),
                "{what}: marker {file}-{offset} is not a start tag in {path}"
            );
            elements.insert((path.clone(), offset));
        }
        jobs += 1;
    }
    assert_eq!(jobs, project.jobs().unwrap().len());
    // Every message written as text in a sample file (`{{ t("key") }}` in mj-text & co.) is
    // marked with its key in some preview: the app finds the key of a text by clicking it.
    let mut written_keys = BTreeSet::new();
    for dir in [
        "layouts",
        "partials",
        "templates/welcome",
        "templates/receipt",
        "templates/daily-digest",
        "templates/password-reset",
        "templates/team-invitation",
        "templates/verify-email",
    ] {
        for entry in std::fs::read_dir(project.root().join(dir)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "mjml") {
                let text = std::fs::read_to_string(&path).unwrap();
                let marked = letterpress_engine::instrument::mark_source(0, &text);
                for (i, _) in marked.match_indices("<!--lp:t:") {
                    let key = &marked[i + 9..];
                    written_keys.insert(key[..key.find("-->").unwrap()].to_owned());
                }
            }
        }
    }
    assert!(written_keys.len() > 10, "{written_keys:?}");
    let missing: Vec<_> = written_keys.difference(&shown_keys).collect();
    assert!(
        missing.is_empty(),
        "text messages never marked in a preview: {missing:?}"
    );
    // Elements of templates, the layout and the partials are all mapped.
    let files: BTreeSet<&str> = elements.iter().map(|(p, _)| p.as_str()).collect();
    assert!(files.contains("layouts/base.mjml"), "{files:?}");
    assert!(
        files.iter().any(|f| f.starts_with("partials/")),
        "{files:?}"
    );
    assert!(files.contains("templates/welcome/body.mjml"), "{files:?}");
}

/// The property panel of the welcome heading: its `mj-class` values are inherited with their
/// origin, and setting one writes only an attribute of that start tag (one edit, nothing
/// else in the file changes); resetting removes it again, byte for byte.
#[test]
fn a_property_edit_touches_only_the_elements_start_tag() {
    use letterpress_protocol::PreviewRequest;
    use letterpress_studio::StudioSession;
    let (_tmp, root) = letterpress_test_support::sample_copy();
    let mut session = StudioSession::open(&root).unwrap();
    let path = "templates/welcome/body.mjml";
    let text = session.open_document(path).unwrap().text;
    let offset = text.find("<mj-text mj-class=\"heading\"").unwrap();
    let request = PreviewRequest {
        template: "welcome".into(),
        locale: "en".into(),
        fixture: "default".into(),
        text: false,
        markers: false,
        logic: Default::default(),
        dark: None,
        variant: None,
    };
    let panel = session.element_properties(path, offset, &request).unwrap();
    assert_eq!(panel.element, "mj-text");
    assert!(!panel.templated);
    let row = |name: &str| {
        panel
            .properties
            .iter()
            .find(|p| p.name == name)
            .cloned()
            .unwrap()
    };
    assert_eq!(row("mj-class").origin, "own");
    let size = row("font-size");
    assert_eq!(size.origin, "mj-class heading", "{size:?}");
    assert!(size.value.is_some());

    let edits = session
        .property_edit(path, offset, "color", Some("#d1242f"), &request)
        .unwrap();
    assert_eq!(edits.len(), 1, "{edits:?}");
    assert_eq!(edits[0].from_line, edits[0].to_line);
    let new_text = apply_editor_edits(&text, &edits);
    assert_eq!(
        new_text,
        text.replacen(
            "<mj-text mj-class=\"heading\"",
            "<mj-text mj-class=\"heading\" color=\"#d1242f\"",
            1
        ),
        "one attribute more in the start tag, nothing else"
    );
    session.edit_document(path, &new_text).unwrap();
    let panel = session.element_properties(path, offset, &request).unwrap();
    let color = panel.properties.iter().find(|p| p.name == "color").unwrap();
    assert_eq!(
        (color.value.as_deref(), color.origin.as_str()),
        (Some("#d1242f"), "own")
    );

    // Reset: the attribute goes with its leading space; the file is as it was.
    let reset = session
        .property_edit(path, offset, "color", None, &request)
        .unwrap();
    assert!(reset.iter().all(|e| e.insert.is_empty()), "{reset:?}");
    assert_eq!(apply_editor_edits(&new_text, &reset), text);
    session.edit_document(path, &text).unwrap();
    // Resetting what the element does not set changes nothing.
    assert!(
        session
            .property_edit(path, offset, "align", None, &request)
            .unwrap()
            .is_empty()
    );
    // Jinja is not edited from the panel.
    let step = text.find("<mj-text>{{ t(\"welcome-intro\"").unwrap();
    assert!(
        session
            .property_edit(path, step, "color", Some("{{ c }}"), &request)
            .is_err()
    );
}

/// Null round trip: open every sample `.mjml` file, select every element once (location,
/// property panel), save without an edit: 0 bytes change on disk.
#[test]
fn selecting_everything_and_saving_without_edits_changes_no_byte() {
    use letterpress_protocol::PreviewRequest;
    use letterpress_studio::StudioSession;
    let (_tmp, root) = letterpress_test_support::sample_copy();
    let mut session = StudioSession::open(&root).unwrap();
    let request = PreviewRequest {
        template: "welcome".into(),
        locale: "de".into(),
        fixture: "default".into(),
        text: false,
        markers: false,
        logic: Default::default(),
        dark: None,
        variant: None,
    };
    let mut files = Vec::new();
    for dir in ["layouts", "partials"] {
        for e in std::fs::read_dir(root.join(dir)).unwrap() {
            files.push(format!(
                "{dir}/{}",
                e.unwrap().file_name().to_string_lossy()
            ));
        }
    }
    for t in std::fs::read_dir(root.join("templates")).unwrap() {
        let t = t.unwrap().file_name().to_string_lossy().into_owned();
        for e in std::fs::read_dir(root.join("templates").join(&t)).unwrap() {
            let name = e.unwrap().file_name().to_string_lossy().into_owned();
            if name.ends_with(".mjml") {
                files.push(format!("templates/{t}/{name}"));
            }
        }
    }
    let mut selected = 0;
    for path in files.iter().filter(|p| p.ends_with(".mjml")) {
        let before = std::fs::read(root.join(path)).unwrap();
        let text = session.open_document(path).unwrap().text;
        for (offset, _) in letterpress_engine::instrument::mark_source_with_names(0, &text).1 {
            let location = session
                .locate_element(path, Some(offset), 0, 0)
                .unwrap()
                .unwrap();
            assert_eq!(location.offset, offset, "{path}");
            session.element_properties(path, offset, &request).unwrap();
            selected += 1;
        }
        session.save_text(path, &text).unwrap();
        assert_eq!(
            std::fs::read(root.join(path)).unwrap(),
            before,
            "{path} changed"
        );
    }
    assert!(selected > 50, "only {selected} elements");
}

/// The preview shows the project's own images for production URLs under an `[assets]`
/// prefix (the sample's logo and avatars), as `data:` URIs read through the confined reader:
/// a symlink in the folder that leads outside is not shown.
#[test]
fn production_image_urls_map_to_the_projects_assets() {
    use letterpress_studio::StudioSession;
    let (_tmp, root) = letterpress_test_support::sample_copy();
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.png"), b"\x89PNG not yours").unwrap();
    std::os::unix::fs::symlink(
        outside.path().join("secret.png"),
        root.join("assets/email/leak.png"),
    )
    .unwrap();
    let session = StudioSession::open(&root).unwrap();
    let assets = session.preview_assets();
    let logo = &assets["https://northwind.example.com/assets/email/northwind-logo@2x.png"];
    assert!(
        logo.starts_with("data:image/png;base64,iVBORw0KGgo"),
        "{}",
        &logo[..40]
    );
    assert!(assets.contains_key("https://northwind.example.com/avatars/hannah-schmidt-80.png"));
    assert!(
        !assets.keys().any(|k| k.contains("leak")),
        "{:?}",
        assets.keys()
    );
    // Every avatar a fixture names has its file.
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    for fixture in std::fs::read_dir(repo.join("templates/daily-digest/fixtures")).unwrap() {
        let text = std::fs::read_to_string(fixture.unwrap().path()).unwrap();
        for url in text
            .split('"')
            .filter(|s| s.starts_with("https://northwind.example.com/avatars/"))
        {
            assert!(
                assets.contains_key(url),
                "{url} has no file under assets/avatars"
            );
        }
    }
}

/// Badly nested Jinja (an `if` opening outside a section and closing inside its column) and
/// Jinja inside a start tag are opaque: the preview names their markers (the app hatches
/// them), the panel is read-only, and a property edit is refused with nothing written.
#[test]
fn elements_jinja_places_are_opaque_and_refuse_property_edits() {
    use letterpress_protocol::PreviewRequest;
    use letterpress_studio::StudioSession;
    let (_tmp, root) = letterpress_test_support::sample_copy();
    let path = "templates/welcome/body.mjml";
    let tangled = "{% extends \"layouts/base.mjml\" %}\n{% block content %}\n{% if user.first_name %}<mj-section><mj-column>{% endif %}\n<mj-text>Hi</mj-text>\n</mj-column></mj-section>\n<mj-section><mj-column {% if true %}padding=\"0\"{% endif %}><mj-text>There</mj-text></mj-column></mj-section>\n{% endblock %}\n";
    std::fs::write(root.join(path), tangled).unwrap();
    let mut session = StudioSession::open(&root).unwrap();
    session.open_document(path).unwrap();
    let mut request = PreviewRequest {
        template: "welcome".into(),
        locale: "en".into(),
        fixture: "default".into(),
        text: false,
        markers: true,
        logic: Default::default(),
        dark: None,
        variant: None,
    };
    let preview = session.preview(&request);
    assert!(preview.is_ok(), "{:?}", preview.diagnostics);
    // The email is sent once: in the mapping, markers aside.
    assert!(preview.html.is_empty());
    let mapping = preview.mapping.expect("mapped");
    request.markers = false;
    assert_eq!(
        letterpress_engine::instrument::strip_marks(&mapping.html),
        session.preview(&request).html
    );
    request.markers = true;
    let file = mapping.files.iter().position(|f| f == path).unwrap();
    let marker_at = |offset: usize| {
        mapping
            .offsets
            .iter()
            .find(|(m, o)| **o == offset && m.starts_with(&format!("{file}-")))
            .map(|(m, _)| m.clone())
            .unwrap_or_default()
    };
    for needle in ["<mj-section><mj-column>{%", "<mj-column {%"] {
        let offset = tangled.find(needle).unwrap();
        assert!(
            mapping.opaque.contains(&marker_at(offset)),
            "{needle}: {:?}",
            mapping.opaque
        );
        request.markers = false;
        let panel = session.element_properties(path, offset, &request).unwrap();
        assert!(panel.templated, "{needle}");
        let refused = session.property_edit(path, offset, "padding", Some("4px"), &request);
        assert!(refused.is_err(), "{needle}: {refused:?}");
    }
    // A well-placed element stays editable.
    let there = tangled.find("<mj-text>There").unwrap();
    assert!(!mapping.opaque.contains(&marker_at(there)));
    assert!(
        session
            .property_edit(path, there, "color", Some("#111111"), &request)
            .is_ok_and(|edits| !edits.is_empty())
    );
    assert_eq!(std::fs::read_to_string(root.join(path)).unwrap(), tangled);
}

#[test]
fn typing_over_literal_text_writes_only_the_typed_stretch_and_keeps_chips() {
    use letterpress_protocol::{InlinePiece, PreviewRequest};
    use letterpress_studio::StudioSession;
    let (_tmp, root) = letterpress_test_support::sample_copy();
    let mut session = StudioSession::open(&root).unwrap();
    let path = "partials/footer.mjml";
    let text = session.open_document(path).unwrap().text;
    let request = PreviewRequest {
        template: "welcome".into(),
        locale: "en".into(),
        fixture: "default".into(),
        text: false,
        markers: false,
        logic: Default::default(),
        dark: None,
        variant: None,
    };
    let offset = text
        .find("<mj-text mj-class=\"footer\">{{ globals.company_name }}")
        .unwrap();
    let shown = session.inline_text(path, offset).unwrap();
    let (line, column) = letterpress_protocol::diagnostic::line_col(&text, offset);
    assert_eq!((shown.line, shown.column), (line, column));
    let codes: Vec<&str> = shown
        .pieces
        .iter()
        .map(|p| match p {
            InlinePiece::Text { text } => text.as_str(),
            InlinePiece::Chip { code, .. } => code.as_str(),
        })
        .collect();
    assert_eq!(
        codes,
        [
            "{{ globals.company_name }}",
            " · ",
            "{{ globals.company_address }}"
        ]
    );
    let mut typed = shown.pieces.clone();
    typed[1] = InlinePiece::Text { text: " | ".into() };
    let edits = session
        .inline_text_edit(path, offset, &typed, &request)
        .unwrap();
    assert_eq!(edits.len(), 1, "{edits:?}");
    assert_eq!(edits[0].insert, "|");
    let new_text = apply_editor_edits(&text, &edits);
    assert_eq!(
        new_text,
        text.replacen(
            "{{ globals.company_name }} · {{",
            "{{ globals.company_name }} | {{",
            1
        )
    );
    // Unchanged text: no edit.
    assert!(
        session
            .inline_text_edit(path, offset, &shown.pieces, &request)
            .unwrap()
            .is_empty()
    );
    // A chip that is not there any more (the text changed meanwhile) is refused.
    let mut stale = shown.pieces.clone();
    if let InlinePiece::Chip { code, .. } = &mut stale[0] {
        *code = "{{ something_else }}".into();
    }
    let refused = session
        .inline_text_edit(path, offset, &stale, &request)
        .unwrap_err();
    assert!(
        refused.to_string().contains("no longer where it was"),
        "{refused}"
    );
    // Text with links inside is refused with the markup named.
    let links = text
        .find("<mj-text mj-class=\"footer\" css-class=\"footer\">")
        .unwrap();
    let refused = session.inline_text(path, links).unwrap_err();
    assert!(refused.to_string().contains("`a`"), "{refused}");
    // An offset that is not a start tag is not an element.
    assert!(session.inline_text(path, offset + 1).is_err());
}

/// Every marker of every sample preview names an element start the visual source tree
/// knows (the instrumented render and the tree agree on offsets).
#[test]
fn every_preview_marker_is_an_element_of_the_visual_source_tree() {
    let project = sample();
    let mut checked = 0;
    for job in project.jobs().unwrap() {
        let data = project.fixture(&job.template, &job.fixture).unwrap();
        let request = RenderRequest {
            template: &job.template,
            locale: &job.locale,
            data: &data,
            variant: None,
        };
        let Some(marked) = project.engine().render_marked(&request) else {
            continue;
        };
        let mut trees = std::collections::BTreeMap::new();
        for (file, offset) in markers(&marked) {
            let path = &marked.files[file];
            let tree = trees.entry(path.clone()).or_insert_with(|| {
                let text = std::fs::read_to_string(project.root().join(path)).unwrap();
                letterpress_visual::SourceTree::parse(&text)
            });
            let id = tree.element_at(offset);
            assert!(
                id.and_then(|id| tree.element(id))
                    .is_some_and(|e| e.start_tag.start == offset),
                "{} {}: marker {path}:{offset} is no element start in the source tree",
                job.template,
                job.locale
            );
            checked += 1;
        }
    }
    assert!(checked > 300, "only {checked} markers checked");
}

/// The marked preview after an edit keeps the marker of every element the edit left alone
/// (so the app's patch of the preview touches only what changed): a colour changed and a
/// text typed keep every marker; a block inserted adds one; each marker's offset is where its
/// element starts in the text as it is now.
#[test]
fn an_edit_keeps_the_markers_of_the_elements_it_left_alone() {
    use letterpress_protocol::{PreviewRequest, VisualMapping};
    use letterpress_studio::StudioSession;
    let (_tmp, root) = letterpress_test_support::sample_copy();
    let mut session = StudioSession::open(&root).unwrap();
    let path = "templates/welcome/body.mjml";
    let text = session.open_document(path).unwrap().text;
    let request = PreviewRequest {
        template: "welcome".into(),
        locale: "en".into(),
        fixture: "default".into(),
        text: false,
        markers: true,
        logic: Default::default(),
        dark: None,
        variant: None,
    };
    let mapped = |session: &StudioSession| -> VisualMapping {
        let preview = session.preview(&request);
        assert!(preview.is_ok(), "{:?}", preview.diagnostics);
        preview.mapping.expect("mapped")
    };
    let starts_in = |mapping: &VisualMapping, text: &str| {
        let file = mapping.files.iter().position(|f| f == path).unwrap();
        let prefix = format!("{file}-");
        let mut n = 0;
        for (marker, &offset) in &mapping.offsets {
            if marker.starts_with(&prefix) {
                assert!(
                    text[offset..].starts_with('<') && !text[offset..].starts_with("</"),
                    "{marker} at {offset} is no start tag"
                );
                n += 1;
            }
        }
        assert!(n > 3, "only {n} markers in {path}");
    };
    let before = mapped(&session);
    starts_in(&before, &text);
    let markers = |m: &VisualMapping| m.offsets.keys().cloned().collect::<BTreeSet<_>>();

    // A property changed: every marker stays, the HTML changes.
    let first_text = text.find("<mj-text").unwrap();
    let edits = session
        .property_edit(path, first_text, "color", Some("#123456"), &request)
        .unwrap();
    let coloured = apply_editor_edits(&text, &edits);
    session.edit_document(path, &coloured).unwrap();
    let after = mapped(&session);
    assert_eq!(markers(&before), markers(&after));
    assert_ne!(before.html, after.html);
    starts_in(&after, &coloured);

    // Text typed inside the first text (moving every later element): every marker stays.
    let inside = coloured[first_text..].find('>').unwrap() + first_text + 1;
    let typed = format!("{}Typed here. {}", &coloured[..inside], &coloured[inside..]);
    session.edit_document(path, &typed).unwrap();
    let after_typing = mapped(&session);
    assert_eq!(markers(&before), markers(&after_typing));
    assert!(after_typing.html.contains("Typed here."));
    starts_in(&after_typing, &typed);

    // A block inserted before the first text: one new marker, the others kept.
    let block = "<mj-divider border-color=\"#dddddd\" />\n";
    let inserted = format!("{}{block}{}", &typed[..first_text], &typed[first_text..]);
    session.edit_document(path, &inserted).unwrap();
    let after_insert = mapped(&session);
    let added: Vec<_> = markers(&after_insert)
        .difference(&markers(&before))
        .cloned()
        .collect();
    assert_eq!(added.len(), 1, "{added:?}");
    assert_eq!(after_insert.names[&added[0]], "mj-divider");
    assert_eq!(after_insert.offsets[&added[0]], first_text);
    assert!(markers(&before).is_subset(&markers(&after_insert)));
    starts_in(&after_insert, &inserted);
}

/// The app's marked preview after an edit carries only what changed from the one it shows:
/// made whole, it is exactly the full preview; naming another preview (or none) gets the
/// whole email.
#[test]
fn a_marked_preview_after_an_edit_sends_only_what_changed() {
    use letterpress_protocol::PreviewRequest;
    use letterpress_studio::StudioSession;
    let (_tmp, root) = letterpress_test_support::sample_copy();
    let mut session = StudioSession::open(&root).unwrap();
    let path = "templates/welcome/body.mjml";
    let text = session.open_document(path).unwrap().text;
    let request = PreviewRequest {
        template: "welcome".into(),
        locale: "en".into(),
        fixture: "default".into(),
        text: false,
        markers: true,
        logic: Default::default(),
        dark: None,
        variant: None,
    };
    let first = session.preview_for(&request, None).mapping.unwrap();
    assert!(first.delta.is_none(), "nothing shown yet: the whole email");
    let edited = text.replacen("</mj-text>", " More words.</mj-text>", 1);
    let answer = session
        .edit_and_preview(path, &edited, &request, Some(first.id))
        .unwrap()
        .mapping
        .unwrap();
    let delta = answer.delta.clone().expect("a change of the one shown");
    assert_eq!(delta.base, first.id);
    assert!(
        answer.html.len() * 20 < first.html.len(),
        "{} bytes sent of {}",
        answer.html.len(),
        first.html.len()
    );
    let whole = delta.apply(&first.html, &answer.html).unwrap();
    let full = session.preview(&request).mapping.unwrap();
    assert_eq!(whole, full.html);
    assert!(whole.contains("More words."));
    // The next text as a change of the one held: applied; a change that does not give its
    // text from the one held: refused with `stale-text`, nothing changed.
    let more = edited.replacen("More words.", "More words, again.", 1);
    let change = letterpress_protocol::DocumentChange::between(&edited, &more);
    let changed = session
        .change_and_preview(path, &change, &request, Some(answer.id))
        .unwrap()
        .mapping
        .unwrap();
    assert!(changed.delta.is_some());
    // (a change meant to give `edited` that keeps 5 bytes the held text ends with, after
    // all but the last 3 bytes of `edited`: it cannot give `edited`)
    let stale = letterpress_protocol::DocumentChange {
        keep_start: 0,
        keep_end: 5,
        inserted: edited[..edited.len() - 3].to_owned(),
        hash: letterpress_protocol::text_hash(&edited),
    };
    let refused = session.change_and_preview(path, &stale, &request, None);
    assert!(
        matches!(refused, Err(letterpress_studio::StudioError::StaleText(_))),
        "{refused:?}"
    );
    let full = session.preview(&request).mapping.unwrap();
    assert!(
        full.html.contains("More words, again."),
        "nothing changed by the refusal"
    );
    // A preview the studio did not give last (the app dropped one, or never had it): whole.
    let stale = session
        .preview_for(&request, Some(first.id))
        .mapping
        .unwrap();
    assert!(stale.delta.is_none());
    assert_eq!(stale.html, full.html);
    assert!(stale.id > answer.id);
}
