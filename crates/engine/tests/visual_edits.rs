//! Visual edits over MJML no one here wrote (`../shared/corpus/mrml-compare/`, MIT: mrml's
//! comparison templates, every element) and the sample project's files:
//! - every element is selectable: its marker offset is a start tag of that element, the
//!   element at that offset is itself, and each attribute value reads back byte for byte
//!   (selection is read-only: nothing is written until an edit);
//! - truncated files never panic the mapping.
//!
//! The locality of property and text edits over the same files is `crates/visual`'s
//! (`tests/locality.rs`, `tests/visible.rs`): the app writes every visual edit through it.
#![allow(clippy::disallowed_methods, clippy::disallowed_types)]

use letterpress_engine::instrument::{element_at, mark_source_with_names};
use letterpress_engine::properties::start_tag_at;
use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Every corpus file and every sample `.mjml` file, with its text.
fn files() -> Vec<(String, String)> {
    let corpus = repo().join("../shared/corpus/mrml-compare");
    let mut out = Vec::new();
    let entries = std::fs::read_dir(&corpus).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (the MJML corpus lives in ../shared beside the repository)",
            corpus.display()
        )
    });
    for entry in entries {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "mjml") {
            out.push((
                format!("corpus/{}", path.file_name().unwrap().to_string_lossy()),
                std::fs::read_to_string(&path).unwrap(),
            ));
        }
    }
    let corpus_files = out.len();
    assert!(corpus_files >= 150, "only {corpus_files} corpus files");
    for dir in ["layouts", "partials"] {
        for entry in std::fs::read_dir(repo().join(dir)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "mjml") {
                out.push((
                    format!("{dir}/{}", path.file_name().unwrap().to_string_lossy()),
                    std::fs::read_to_string(&path).unwrap(),
                ));
            }
        }
    }
    for entry in std::fs::read_dir(repo().join("templates")).unwrap() {
        let dir = entry.unwrap().path();
        for file in std::fs::read_dir(&dir).unwrap() {
            let path = file.unwrap().path();
            if path.extension().is_some_and(|e| e == "mjml") {
                out.push((
                    path.strip_prefix(repo()).unwrap().display().to_string(),
                    std::fs::read_to_string(&path).unwrap(),
                ));
            }
        }
    }
    out.sort();
    out
}

/// The start offsets of the elements the preview marks, in order.
fn elements(text: &str) -> Vec<(usize, String)> {
    mark_source_with_names(0, text).1
}

#[test]
fn every_element_of_the_corpus_is_selectable_and_reads_back_byte_for_byte() {
    let mut total = 0;
    for (name, text) in files() {
        let found = elements(&text);
        if !name.starts_with("corpus/mj-head") && !name.contains("mj-raw") {
            assert!(
                !found.is_empty() || !text.contains("<mj-body"),
                "{name}: no element found"
            );
        }
        for (offset, element) in &found {
            let tag = start_tag_at(&text, *offset)
                .unwrap_or_else(|| panic!("{name}:{offset}: {element}"));
            assert_eq!(&tag.name, element, "{name}:{offset}");
            let at = element_at(&text, *offset).unwrap_or_else(|| panic!("{name}:{offset}"));
            assert_eq!(at.start, *offset, "{name}:{offset}");
            assert_eq!(at.path.last(), Some(element), "{name}:{offset}");
            for a in &tag.attributes {
                assert_eq!(
                    text[a.value_range.clone()],
                    a.value,
                    "{name}:{offset} {}",
                    a.name
                );
            }
        }
        total += found.len();
    }
    println!(
        "every element selectable: {total} elements, each start tag and value read back byte for byte"
    );
    assert!(total > 800, "only {total} elements");
}

#[test]
fn truncated_files_never_panic_the_mapping() {
    use letterpress_engine::instrument::{
        apply_marks, enclosing_loops, mark_source, opaque_elements, strip_marks,
    };
    let mut cuts = 0;
    for (_, text) in files().iter().step_by(3) {
        let step = (text.len() / 40).max(1);
        for end in (0..=text.len()).step_by(step).chain([text.len()]) {
            let mut end = end;
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            let cut = &text[..end];
            let marked = mark_source(1, cut);
            let _ = apply_marks(&marked);
            let _ = strip_marks(&marked);
            let _ = opaque_elements(cut);
            for at in (0..=cut.len()).step_by(step.max(7)) {
                let _ = element_at(cut, at);
                let _ = enclosing_loops(cut, at);
                let _ = start_tag_at(cut, at);
            }
            cuts += 1;
        }
    }
    assert!(cuts > 1000, "{cuts}");
}

/// The marking pass measures the depth the MJML depth limit checks, instead of a second
/// pass: it must give `max_depth`'s figure for every file and every cut of one.
#[test]
fn the_marking_pass_measures_the_same_depth_as_max_depth() {
    use letterpress_engine::instrument::{apply_marks_measured, mark_source};
    use letterpress_engine::mjml::max_depth;
    let mut compared = 0;
    let mut deep = 0;
    let extra = [
        "<mj-text><p>a<br>b<img src=\"x>y\"><hr/></p><!-- <x><y> --></mj-text>".to_owned(),
        "<mj-raw><!--[if mso]><table><tr><td><![endif]--><div><br></div></mj-raw>".to_owned(),
        format!(
            "<mjml><mj-body>{}{}</mj-body></mjml>",
            "<mj-wrapper>".repeat(40),
            "</mj-wrapper>".repeat(40)
        ),
    ];
    let texts = files().into_iter().map(|(_, t)| t).chain(extra);
    for text in texts {
        let step = (text.len() / 20).max(1);
        for end in (0..=text.len()).step_by(step).chain([text.len()]) {
            let mut end = end;
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            let marked = mark_source(1, &text[..end]);
            let Some(applied) = apply_marks_measured(&marked) else {
                continue;
            };
            let (depth, at) = applied.depth;
            assert_eq!(depth, max_depth(&marked).0, "{:?}", &text[..end]);
            assert_eq!(depth, max_depth(&applied.mjml).0, "{:?}", &text[..end]);
            if depth > 0 {
                assert!(marked[at..].starts_with('<'), "{:?}", &marked[at..]);
            }
            deep = deep.max(depth);
            compared += 1;
        }
    }
    assert!(compared > 500 && deep >= 40, "{compared} {deep}");
}
