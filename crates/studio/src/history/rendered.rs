//! Rendered diffs: the same template, locale and fixture rendered at two versions (or a
//! version and the working copy), with the visible words that changed marked in both HTML
//! documents and listed as [`TextChange`]s.
//!
//! The highlighting works on byte ranges of the rendered HTML: a small scanner finds the
//! visible text runs (outside tags, comments — MSO conditionals included — `<head>`,
//! `<style>`, `<script>`), words are diffed with `similar`, and changed words are wrapped in
//! `<mark>` in place, so the rest of the document stays byte-for-byte what the engine made.

use super::diff::{DiffTarget, Side};
use super::{History, HistoryError, TreeSources};
use crate::{Project, RenderJob};
use letterpress_engine::{Code, Diagnostic, Engine, Limits, RenderOutput};
use letterpress_protocol::{EmailPart, RenderedDiff, RenderedSide, TextChange};
use similar::{Algorithm, DiffOp, capture_diff_slices};
use std::sync::Arc;

/// Class of `<mark>` around words only in the old render.
pub const REMOVED_CLASS: &str = "lp-removed";
/// Class of `<mark>` around words only in the new render.
pub const INSERTED_CLASS: &str = "lp-inserted";

const MARK_STYLE: &str = "<style>mark.lp-inserted{background:#c6efce;color:inherit}\
mark.lp-removed{background:#ffc7ce;color:inherit;text-decoration:line-through}</style>";

/// What to render on both sides.
#[derive(Debug, Clone)]
pub struct RenderedDiffRequest {
    /// Old side.
    pub from: DiffTarget,
    /// New side.
    pub to: DiffTarget,
    /// Template id.
    pub template: String,
    /// Locale (`None`: the project's default locale on each side).
    pub locale: Option<String>,
    /// Fixture (`None`: `default`).
    pub fixture: Option<String>,
    /// A/B variant (`None`: the template itself); a side whose template has no such variant
    /// says so in its diagnostics.
    pub variant: Option<String>,
}

impl History {
    /// Renders `request.template` on both sides and marks what changed in the visible text.
    /// Render problems do not fail the diff: they come back as each side's diagnostics.
    pub fn diff_rendered(
        &self,
        request: &RenderedDiffRequest,
    ) -> Result<RenderedDiff, HistoryError> {
        let fixture = request.fixture.clone().unwrap_or_else(|| "default".into());
        let left = self.side(&request.from)?;
        let right = self.side(&request.to)?;
        let (old, locale) = self.render_side(&left, request, &fixture)?;
        let (new, _) = self.render_side(&right, request, &fixture)?;
        let old_words = visible_words(&old.html);
        let new_words = visible_words(&new.html);
        let old_texts: Vec<&str> = old_words.iter().map(|w| w.text.as_str()).collect();
        let new_texts: Vec<&str> = new_words.iter().map(|w| w.text.as_str()).collect();
        let ops = capture_diff_slices(Algorithm::Myers, &old_texts, &new_texts);

        let mut changes = Vec::new();
        for (part, a, b) in [
            (EmailPart::Subject, &old.subject, &new.subject),
            (EmailPart::Preheader, &old.preheader, &new.preheader),
        ] {
            if a != b {
                changes.push(TextChange {
                    part,
                    removed: a.clone(),
                    inserted: b.clone(),
                });
            }
        }
        let mut old_marks = Vec::new();
        let mut new_marks = Vec::new();
        for op in &ops {
            let (removed, inserted) = match *op {
                DiffOp::Equal { .. } => continue,
                DiffOp::Delete {
                    old_index, old_len, ..
                } => (old_index..old_index + old_len, 0..0),
                DiffOp::Insert {
                    new_index, new_len, ..
                } => (0..0, new_index..new_index + new_len),
                DiffOp::Replace {
                    old_index,
                    old_len,
                    new_index,
                    new_len,
                } => (
                    old_index..old_index + old_len,
                    new_index..new_index + new_len,
                ),
            };
            old_marks.extend(mark_ranges(&old_words[removed.clone()]));
            new_marks.extend(mark_ranges(&new_words[inserted.clone()]));
            changes.push(TextChange {
                part: EmailPart::Body,
                removed: join_words(&old_words[removed]),
                inserted: join_words(&new_words[inserted]),
            });
        }
        Ok(RenderedDiff {
            template: request.template.clone(),
            locale,
            fixture,
            variant: request.variant.clone(),
            before: rendered_side(left.label, &old, &old_marks, REMOVED_CLASS),
            after: rendered_side(right.label, &new, &new_marks, INSERTED_CLASS),
            changes,
        })
    }

    /// Renders one side; returns the output and the locale used.
    fn render_side(
        &self,
        side: &Side<'_>,
        request: &RenderedDiffRequest,
        fixture: &str,
    ) -> Result<(RenderOutput, String), HistoryError> {
        let job = |default_locale: &str| RenderJob {
            template: request.template.clone(),
            locale: request
                .locale
                .clone()
                .unwrap_or_else(|| default_locale.to_owned()),
            fixture: fixture.to_owned(),
            variant: request.variant.clone(),
        };
        if side.working {
            return match Project::open(&self.root) {
                Ok(project) => {
                    let job = job(&project.config().default_locale);
                    Ok((project.render_job(&job), job.locale))
                }
                Err(e) => Ok((
                    RenderOutput::with_error(Diagnostic::error(
                        Code::InvalidConfig,
                        e.to_string(),
                        None,
                    )),
                    request.locale.clone().unwrap_or_default(),
                )),
            };
        }
        let Some(tree) = &side.tree else {
            return Ok((RenderOutput::default(), String::new()));
        };
        let limits = Limits::default();
        let sources = Arc::new(TreeSources::new(
            self.repo.path(),
            tree.id(),
            limits.source_bytes,
        )?);
        let engine = match Engine::load(sources.clone(), limits) {
            Ok(engine) => engine,
            Err(e) => {
                return Ok((
                    RenderOutput::with_error(*super::version_load_error(e)),
                    request.locale.clone().unwrap_or_default(),
                ));
            }
        };
        let job = job(&engine.config().default_locale);
        Ok((
            crate::render_with(
                &engine,
                sources.as_ref(),
                &job,
                true,
                &crate::ListCounts::default(),
            ),
            job.locale,
        ))
    }
}

fn rendered_side(
    label: letterpress_protocol::DiffSide,
    out: &RenderOutput,
    marks: &[(usize, usize)],
    class: &str,
) -> RenderedSide {
    RenderedSide {
        side: label,
        html: if out.html.is_empty() {
            String::new()
        } else {
            highlight(&out.html, marks, class)
        },
        subject: out.subject.clone(),
        preheader: out.preheader.clone(),
        diagnostics: out.diagnostics.clone(),
    }
}

/// A visible word of an HTML document: its decoded text and byte range, and which text run
/// (between two tags) it is in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VisibleWord {
    /// Decoded text (entities resolved).
    pub text: String,
    /// Byte offset of the first byte in the HTML.
    pub start: usize,
    /// Byte offset after the last byte.
    pub end: usize,
    /// Index of the text run.
    pub run: usize,
}

/// The words a reader sees, in document order.
pub fn visible_words(html: &str) -> Vec<VisibleWord> {
    let mut words = Vec::new();
    let bytes = html.as_bytes();
    let mut i = 0;
    let mut run = 0;
    while i < bytes.len() {
        if bytes[i] == b'<' {
            i = skip_markup(html, i);
            continue;
        }
        let end = html[i..].find('<').map_or(html.len(), |n| i + n);
        let text = &html[i..end];
        let mut offset = i;
        for piece in text.split_inclusive(|c: char| c.is_whitespace()) {
            let word = piece.trim_end_matches(|c: char| c.is_whitespace());
            if !word.is_empty() {
                words.push(VisibleWord {
                    text: decode_entities(word),
                    start: offset,
                    end: offset + word.len(),
                    run,
                });
            }
            offset += piece.len();
        }
        run += 1;
        i = end;
    }
    words
}

/// Where the markup starting at `i` (a `<`) ends: comments, declarations, tags, and the
/// whole content of `<head>`, `<style>`, `<script>` and `<title>`.
fn skip_markup(html: &str, i: usize) -> usize {
    let rest = &html[i..];
    let after = |needle: &str, from: usize| -> usize {
        html[from..]
            .find(needle)
            .map_or(html.len(), |n| from + n + needle.len())
    };
    if rest.starts_with("<!--") {
        return after("-->", i + 4);
    }
    if rest.starts_with("<!") || rest.starts_with("<?") {
        return after(">", i + 1);
    }
    // A tag: find its end, respecting quoted attribute values.
    let mut quote = None;
    let mut end = html.len();
    for (k, c) in rest.char_indices().skip(1) {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '>') => {
                end = i + k + 1;
                break;
            }
            _ => {}
        }
    }
    let name: String = rest[1..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase();
    if matches!(name.as_str(), "head" | "style" | "script" | "title") {
        let close = format!("</{name}");
        let lower = html[end..].to_ascii_lowercase();
        return match lower.find(&close) {
            Some(n) => after(">", end + n),
            None => html.len(),
        };
    }
    end
}

/// Resolves the character references mrml and minijinja produce.
fn decode_entities(word: &str) -> String {
    if !word.contains('&') {
        return word.to_owned();
    }
    let mut out = String::with_capacity(word.len());
    let mut rest = word;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let tail = &rest[amp..];
        let Some(semi) = tail.find(';').filter(|&s| s <= 10) else {
            out.push('&');
            rest = &tail[1..];
            continue;
        };
        let name = &tail[1..semi];
        let decoded = match name {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            "nbsp" => Some('\u{a0}'),
            _ => name
                .strip_prefix("#x")
                .or_else(|| name.strip_prefix("#X"))
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| name.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &tail[semi + 1..];
            }
            None => {
                out.push('&');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Byte ranges to mark for consecutive changed words: one range per text run.
fn mark_ranges(words: &[VisibleWord]) -> Vec<(usize, usize)> {
    let mut ranges: Vec<(usize, usize, usize)> = Vec::new();
    for w in words {
        match ranges.last_mut() {
            Some(last) if last.2 == w.run => last.1 = w.end,
            _ => ranges.push((w.start, w.end, w.run)),
        }
    }
    ranges.into_iter().map(|(s, e, _)| (s, e)).collect()
}

fn join_words(words: &[VisibleWord]) -> String {
    words
        .iter()
        .map(|w| w.text.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Wraps each range of `html` in `<mark class="{class}">` and adds the marks' style to the
/// head.
pub fn highlight(html: &str, ranges: &[(usize, usize)], class: &str) -> String {
    let mut sorted = ranges.to_vec();
    sorted.sort_unstable();
    let mut out = String::with_capacity(html.len() + ranges.len() * 40 + MARK_STYLE.len());
    let mut at = 0;
    for (start, end) in sorted {
        if start < at || end > html.len() {
            continue;
        }
        out.push_str(&html[at..start]);
        out.push_str(&format!("<mark class=\"{class}\">"));
        out.push_str(&html[start..end]);
        out.push_str("</mark>");
        at = end;
    }
    out.push_str(&html[at..]);
    match out.to_ascii_lowercase().find("</head>") {
        Some(n) => out.insert_str(n, MARK_STYLE),
        None => out.insert_str(0, MARK_STYLE),
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn visible_words_skip_head_comments_and_tags() {
        let html = "<html><head><title>T</title><style>p{}</style></head><body>\
            <!--[if mso]><p>hidden</p><![endif]--><p class=\"a>b\">Hello &amp; <b>wide</b> world</p></body></html>";
        let words: Vec<String> = visible_words(html).into_iter().map(|w| w.text).collect();
        assert_eq!(words, ["Hello", "&", "wide", "world"]);
    }

    #[test]
    fn highlight_wraps_ranges_and_keeps_the_rest() {
        let html = "<html><head></head><body><p>one two three</p></body></html>";
        let words = visible_words(html);
        let marked = highlight(html, &mark_ranges(&words[1..3]), INSERTED_CLASS);
        assert!(
            marked.contains("<p>one <mark class=\"lp-inserted\">two three</mark></p>"),
            "{marked}"
        );
        assert!(marked.contains("mark.lp-inserted{"));
    }
}
