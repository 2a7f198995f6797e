//! Visual edits over MJML no one here wrote (`../shared/corpus/mrml-compare/`, MIT: mrml's
//! comparison templates, every element) and the sample project's files:
//! - every element is selectable: its marker offset is a start tag of that element, the
//!   element at that offset is itself, and each attribute value reads back byte for byte
//!   (selection is read-only: nothing is written until an edit);
//! - locality: 10,000 applied random property operations (set an attribute that exists, add one,
//!   remove one, reset) each change only bytes inside that element's start tag, keep every
//!   Jinja token, keep the element sequence, and keep the file parsing with mrml.
#![allow(clippy::disallowed_methods, clippy::disallowed_types)]

use letterpress_engine::instrument::{blank_jinja, element_at, mark_source_with_names};
use letterpress_engine::properties::{EditError, remove_attribute, set_attribute, start_tag_at};
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

/// Every Jinja token of `text` (`{{ }}`, `{% %}`, `{# #}`), in order.
fn jinja_tokens(text: &str) -> Vec<&str> {
    let mut tokens = Vec::new();
    let mut rest = 0;
    while let Some(i) = text[rest..].find('{') {
        let start = rest + i;
        let close = match text.as_bytes().get(start + 1) {
            Some(b'{') => "}}",
            Some(b'%') => "%}",
            Some(b'#') => "#}",
            _ => {
                rest = start + 1;
                continue;
            }
        };
        let end = text[start + 2..]
            .find(close)
            .map_or(text.len(), |n| start + 2 + n + 2);
        tokens.push(&text[start..end]);
        rest = end;
    }
    tokens
}

/// A small deterministic generator (xorshift), so a failure reproduces.
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
fn ten_thousand_property_edits_stay_inside_their_start_tag() {
    let files = files();
    let mut rng = Rng(0x5eed_1e77_e7b7_e55e);
    let names = [
        "color",
        "align",
        "padding",
        "css-class",
        "background-color",
        "font-size",
        "href",
        "width",
    ];
    let values = [
        "#d1242f",
        "center",
        "0 0 16px 0",
        "lp-free",
        "a\"b'c<d&e",
        "12px",
        "https://example.com/?a=1&b=2",
        "100%",
        "ünïcødé ✓",
    ];
    let (mut applied, mut refused, mut checked_with_mrml) = (0, 0, 0);
    let mut ops = 0;
    while applied < 10_000 {
        assert!(ops < 50_000, "{ops} operations for {applied} edits");
        let (name, text) = &files[rng.below(files.len())];
        let found = elements(text);
        if found.is_empty() {
            continue;
        }
        let (offset, element) = &found[rng.below(found.len())];
        let tag = start_tag_at(text, *offset).unwrap();
        let after_attributes = tag.attributes.last().map_or(tag.name_end, |a| a.range.end);
        let end_of_tag = blank_jinja(text)[after_attributes..]
            .find('>')
            .map(|i| after_attributes + i + 1)
            .unwrap();
        let op = rng.below(3);
        let attribute = match (op, tag.attributes.is_empty()) {
            (0, false) | (2, false) => tag.attributes[rng.below(tag.attributes.len())].name.clone(),
            _ => names[rng.below(names.len())].to_owned(),
        };
        let value = values[rng.below(values.len())];
        ops += 1;
        let result = match op {
            2 => remove_attribute(text, *offset, &attribute),
            _ => set_attribute(text, *offset, &attribute, value).map(Some),
        };
        let edit = match result {
            Ok(Some(edit)) => edit,
            Ok(None) => continue,
            Err(e) => {
                // Refused for its stated reason only.
                let reason_holds = match &e {
                    EditError::Templated => tag.templated,
                    EditError::JinjaValue(n) => tag.attribute(n).is_some_and(|a| a.has_jinja),
                    _ => false,
                };
                assert!(
                    reason_holds,
                    "{name}:{offset} {element} {attribute}: refused: {e}"
                );
                refused += 1;
                continue;
            }
        };
        let what = format!("{name}:{offset} {element} {attribute}={value:?}");
        assert!(
            edit.range.start > *offset && edit.range.end < end_of_tag,
            "{what}: edit {:?} outside the start tag ..{end_of_tag}",
            edit.range
        );
        let out = edit.apply(text);
        // Every byte outside the edit's range is unchanged.
        assert_eq!(
            &out[..edit.range.start],
            &text[..edit.range.start],
            "{what}"
        );
        assert_eq!(
            &out[edit.range.start + edit.insert.len()..],
            &text[edit.range.end..],
            "{what}"
        );
        assert_eq!(
            jinja_tokens(&out),
            jinja_tokens(text),
            "{what}: a Jinja token changed"
        );
        let names_before: Vec<&String> = found.iter().map(|(_, n)| n).collect();
        let after = elements(&out);
        let names_after: Vec<&String> = after.iter().map(|(_, n)| n).collect();
        assert_eq!(
            names_after, names_before,
            "{what}: the element sequence changed"
        );
        // The edited value reads back as written.
        let reread = start_tag_at(&out, *offset).unwrap();
        if op != 2 {
            let a = reread
                .attribute(&attribute)
                .unwrap_or_else(|| panic!("{what}: {out}"));
            let decoded = a
                .value
                .replace("&quot;", "\"")
                .replace("&#39;", "'")
                .replace("&lt;", "<")
                .replace("&amp;", "&");
            assert_eq!(decoded, value, "{what}");
        } else {
            assert!(reread.attribute(&attribute).is_none(), "{what}");
        }
        if name.starts_with("corpus/") && mrml::parse(text).is_ok() {
            assert!(
                mrml::parse(&out).is_ok(),
                "{what}: mrml no longer parses it"
            );
            checked_with_mrml += 1;
        }
        applied += 1;
    }
    println!(
        "locality: {ops} operations, {applied} applied, {refused} refused for their reason, {checked_with_mrml} re-parsed with mrml"
    );
    assert_eq!(applied, 10_000);
}

/// Every prefix of every file (cut anywhere: inside a tag, a Jinja token, a multi-byte
/// character) goes through every visual-mapping function without a panic.
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
