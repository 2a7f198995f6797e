//! Preview-only instrumentation: markers that let the app map a point in the preview back to
//! the element of the source file that made it, without changing the email.
//!
//! Two passes, because a file's elements are known before Jinja and the inherited
//! `css-class` of an element only after it (its `mj-class` may be defined in a layout):
//!
//! 1. [`mark_source`], on every `.mjml` file as it is loaded: a comment `<!--lp:F:N-->` right
//!    before the start tag of every body element (F: the file's number in the render, N: the
//!    element's number in the file). Jinja tokens are blanked first, so nothing is inserted
//!    inside them; loops repeat the comment with the element. The first time a file is
//!    marked, N is the byte offset of the tag's `<`; when its text changes, every element
//!    the edit left alone keeps its N and new elements get new ones (`carry_numbers`), so
//!    the marked preview changes only where the file did and the app patches only that.
//!    [`MarkedHtml::offsets`] gives each marker's offset in the file as it is now.
//! 2. [`apply_marks`], on the MJML Jinja produced: each such comment is removed and its
//!    element gets the marker in the output: an `mj-*` element gets the class `lp-F-N`
//!    *prepended* to the `css-class` it would otherwise have (its own, its first `mj-class`
//!    that sets one, its tag's `mj-attributes` default, `mj-all`), because mrml puts the
//!    `-outlook` suffix on the last class only; raw HTML inside `mj-text` & co. gets
//!    `data-lp="F-N"` (mrml keeps unknown attributes there, and drops them on `mj-*`).
//!
//! A file is marked once while its text is the same (per path and file number, shared by the
//! engines [`crate::Engine::with_sources`] makes); pass 2 reads the MJML's markup with a quick
//! scanner that leaves anything unusual to `htmlparser` (`markup_events`).
//!
//! [`strip_marks`] removes every marker from rendered HTML. The transparency invariant, tested
//! for every sample template × locale × fixture: `strip_marks(instrumented) == plain`. Where a
//! template breaks it, the app shows the plain render without visual mapping.

use crate::markup_events::{self, Event};
use crate::sources::{SourceError, Sources};
use htmlparser::{ElementEnd, Token, Tokenizer};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

/// An instrumented render: the HTML with markers, and the files they name by number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MarkedHtml {
    /// The email with markers (equal to the plain render once they are stripped).
    pub html: String,
    /// Project-relative paths; a marker's `F` is an index into this list.
    pub files: Vec<String>,
    /// The element name of every marker (`F-N` → `mj-text`).
    pub names: std::collections::BTreeMap<String, String>,
    /// The byte offset of every marker's element start (`<`) in its file.
    pub offsets: std::collections::BTreeMap<String, usize>,
    /// The markers of elements visual editing must not touch ([`opaque_elements`]).
    pub opaque: std::collections::BTreeSet<String>,
}

/// Sources whose `.mjml` files come marked by [`mark_source`], each file numbered the first
/// time it is read.
pub(crate) struct MarkingSources {
    inner: Arc<dyn Sources>,
    files: Mutex<Vec<String>>,
    names: Mutex<std::collections::BTreeMap<String, String>>,
    offsets: Mutex<std::collections::BTreeMap<String, usize>>,
    opaque: Mutex<std::collections::BTreeSet<String>>,
    /// The marking of each path read so far, reused while the file's text is the same: a
    /// render reads each file several times (include walk, Jinja) and renders repeat.
    marked: Mutex<HashMap<String, Arc<Marking>>>,
    /// Markings shared with the other engines of the project.
    shared: Arc<Markings>,
}

/// The markings of a project's files, shared by its engines: [`crate::Engine::with_sources`]
/// makes one engine per preview over unsaved buffers, and a file whose text did not change
/// is not marked again. Per path and file number it keeps the last [`KEPT_MARKINGS`] texts,
/// most recently used last, so going back to a text (an edit checked and not applied, an
/// undo) gives its markers again; a new text is numbered from the most recent one.
#[derive(Default)]
pub(crate) struct Markings(Mutex<HashMap<String, Vec<Arc<Marking>>>>);

/// A file's text as read, marked as file number `file`.
pub(crate) struct Marking {
    file: u32,
    source: Arc<str>,
    marked: Arc<str>,
    /// The marked elements, in source order, with their numbers.
    elements: Vec<NumberedElement>,
    /// The number the next new element of this file gets.
    next: u64,
    /// (`F-N`, element name) of each marker.
    names: Vec<(String, String)>,
    /// (`F-N`, offset of the element's `<`) of each marker.
    offsets: Vec<(String, usize)>,
    /// `F-N` of each opaque element ([`opaque_elements`]).
    opaque: Vec<String>,
}

/// A marked element of a file: where its start tag begins, its name, its number.
#[derive(Debug, Clone, PartialEq, Eq)]
struct NumberedElement {
    offset: usize,
    name: String,
    number: u64,
}

impl Marking {
    /// `source` marked as file number `file`. Without a `previous` marking of the same path,
    /// each element's number is its offset (as [`mark_source`] writes them); with one, the
    /// elements the edit from `previous` to `source` left alone keep their numbers
    /// ([`carry_numbers`]), so the preview's markers, and with them its DOM, change only
    /// where the file did. New elements are numbered from `next` on at least (the highest
    /// number any kept marking of the path used: a number is never given to two elements).
    fn new(file: u32, source: Arc<str>, previous: Option<&Marking>, next: u64) -> Marking {
        let scanned = scan_source(&source);
        let (numbers, next) = match previous {
            Some(previous) => {
                let mut next = previous.next.max(next);
                let numbers = carry_numbers(
                    &previous.source,
                    &previous.elements,
                    &source,
                    &scanned.marks,
                    &mut next,
                );
                (numbers, next)
            }
            None => (
                scanned.marks.iter().map(|(at, _)| *at as u64).collect(),
                source.len() as u64 + 1,
            ),
        };
        let marked = write_marks(file, &source, &scanned, &numbers);
        let elements: Vec<NumberedElement> = scanned
            .marks
            .into_iter()
            .zip(&numbers)
            .map(|((offset, name), &number)| NumberedElement {
                offset,
                name,
                number,
            })
            .collect();
        let names = elements
            .iter()
            .map(|e| (format!("{file}-{}", e.number), e.name.clone()))
            .collect();
        let offsets = elements
            .iter()
            .map(|e| (format!("{file}-{}", e.number), e.offset))
            .collect();
        let opaque = opaque_elements(&source)
            .into_iter()
            .filter_map(|offset| {
                let at = elements.binary_search_by_key(&offset, |e| e.offset).ok()?;
                Some(format!("{file}-{}", elements[at].number))
            })
            .collect();
        Marking {
            file,
            marked: Arc::from(marked),
            source,
            elements,
            next,
            names,
            offsets,
            opaque,
        }
    }

    /// Whether this is the marking of `text`.
    fn marks(&self, text: &Arc<str>) -> bool {
        Arc::ptr_eq(&self.source, text) || *self.source == **text
    }
}

/// How many texts of one file [`Markings`] keeps marked.
const KEPT_MARKINGS: usize = 4;

impl Markings {
    /// `text` (the file at `path`) marked as file number `file`: made now, or reused.
    fn marking(&self, path: &str, file: u32, text: &Arc<str>) -> Arc<Marking> {
        let (previous, next) = {
            let mut all = self.0.lock().unwrap_or_else(PoisonError::into_inner);
            let known = all.entry(path.to_owned()).or_default();
            if let Some(at) = known.iter().position(|m| m.file == file && m.marks(text)) {
                let marking = known.remove(at);
                known.push(marking.clone());
                return marking;
            }
            // The most recent marking (the same file number, else any): the elements the
            // edit from it left alone keep their numbers.
            let previous = known
                .iter()
                .rev()
                .find(|m| m.file == file)
                .or_else(|| known.last())
                .cloned();
            let next = known.iter().map(|m| m.next).max().unwrap_or(0);
            (previous, next)
        };
        let marking = Arc::new(Marking::new(file, text.clone(), previous.as_deref(), next));
        let mut all = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let known = all.entry(path.to_owned()).or_default();
        known.push(marking.clone());
        while known.iter().filter(|m| m.file == file).count() > KEPT_MARKINGS {
            if let Some(oldest) = known.iter().position(|m| m.file == file) {
                known.remove(oldest);
            }
        }
        marking
    }
}

impl MarkingSources {
    pub(crate) fn new(inner: Arc<dyn Sources>, shared: Arc<Markings>) -> MarkingSources {
        MarkingSources {
            inner,
            files: Mutex::new(Vec::new()),
            names: Mutex::new(std::collections::BTreeMap::new()),
            offsets: Mutex::new(std::collections::BTreeMap::new()),
            opaque: Mutex::new(std::collections::BTreeSet::new()),
            marked: Mutex::new(HashMap::new()),
            shared,
        }
    }

    /// The element name of every marker made so far.
    pub(crate) fn names(&self) -> std::collections::BTreeMap<String, String> {
        self.names
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The element offset of every marker made so far.
    pub(crate) fn offsets(&self) -> std::collections::BTreeMap<String, usize> {
        self.offsets
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The markers of opaque elements seen so far.
    pub(crate) fn opaque(&self) -> std::collections::BTreeSet<String> {
        self.opaque
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The files numbered so far.
    pub(crate) fn files(&self) -> Vec<String> {
        self.files
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn number(&self, path: &str) -> u32 {
        let mut files = self.files.lock().unwrap_or_else(PoisonError::into_inner);
        let at = match files.iter().position(|f| f == path) {
            Some(at) => at,
            None => {
                files.push(path.to_owned());
                files.len() - 1
            }
        };
        u32::try_from(at).unwrap_or(u32::MAX)
    }
}

impl Sources for MarkingSources {
    fn read(&self, path: &str) -> Result<Option<Arc<str>>, SourceError> {
        let found = self.inner.read(path)?;
        Ok(match found {
            Some(text) if path.ends_with(".mjml") => {
                let read = self.marked.lock().unwrap_or_else(PoisonError::into_inner);
                if let Some(done) = read.get(path).filter(|done| done.marks(&text)) {
                    // Read before: its names and opaque elements are known already.
                    return Ok(Some(done.marked.clone()));
                }
                drop(read);
                let marking = self.shared.marking(path, self.number(path), &text);
                let mut known = self.names.lock().unwrap_or_else(PoisonError::into_inner);
                for (marker, name) in &marking.names {
                    known.insert(marker.clone(), name.clone());
                }
                drop(known);
                let mut offsets = self.offsets.lock().unwrap_or_else(PoisonError::into_inner);
                for (marker, offset) in &marking.offsets {
                    offsets.insert(marker.clone(), *offset);
                }
                drop(offsets);
                let mut opaque = self.opaque.lock().unwrap_or_else(PoisonError::into_inner);
                opaque.extend(marking.opaque.iter().cloned());
                drop(opaque);
                let marked = marking.marked.clone();
                self.marked
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .insert(path.to_owned(), marking);
                Some(marked)
            }
            other => other,
        })
    }
}

/// Elements that never show in the body (or carry no `css-class`): not marked.
const UNMARKED: &[&str] = &[
    "mjml",
    "mj-head",
    "mj-attributes",
    "mj-all",
    "mj-class",
    "mj-style",
    "mj-font",
    "mj-breakpoint",
    "mj-title",
    "mj-preview",
    "mj-html-attributes",
    "mj-html-attribute",
    "mj-selector",
    "mj-include",
    "mj-raw",
];

/// Elements whose content mrml copies as HTML: the HTML elements inside them are marked.
const HTML_CONTENT: &[&str] = &[
    "mj-text",
    "mj-button",
    "mj-table",
    "mj-accordion-title",
    "mj-accordion-text",
];

/// The markup tokens of `text` (a fragment: several top-level elements allowed), up to the
/// first error; `complete` is false when one stopped them. A panic inside the tokenizer (it
/// has one on some truncated input) also stops them: the mapping is then partial, never a
/// crash.
pub(crate) fn tokenize(text: &str) -> (Vec<Token<'_>>, bool) {
    let mut tokens = Vec::new();
    let mut complete = false;
    let finished = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        for token in Tokenizer::from_fragment(text, 0..text.len()) {
            match token {
                Ok(t) => tokens.push(t),
                Err(_) => return,
            }
        }
        complete = true;
    }));
    (tokens, finished.is_ok() && complete)
}

/// `text` with every Jinja token (`{{ }}`, `{% %}`, `{# #}`) and every `{% raw %}` block
/// replaced by spaces (newlines kept), so byte offsets still match. An unclosed token blanks
/// the rest of the file.
pub fn blank_jinja(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = bytes.to_vec();
    let mut i = 0;
    while i + 1 < bytes.len() {
        let close: &[u8] = match (bytes[i], bytes[i + 1]) {
            (b'{', b'{') => b"}}",
            (b'{', b'%') => b"%}",
            (b'{', b'#') => b"#}",
            _ => {
                i += 1;
                continue;
            }
        };
        let end = token_end(bytes, i + 2, close);
        let end = if close == b"%}" && is_raw_open(&text[i..end]) {
            // `{% raw %}…{% endraw %}`: the content is literal text, not markup to mark.
            find_endraw(text, end).unwrap_or(bytes.len())
        } else {
            end
        };
        for b in &mut out[i..end] {
            if *b != b'\n' {
                *b = b' ';
            }
        }
        i = end;
    }
    // Only ASCII bytes were replaced by ASCII spaces, whole tokens at a time: still UTF-8.
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// The end (exclusive) of a token whose inside starts at `from`: after `close`, skipping
/// quoted strings in `{{ }}` and `{% %}`.
fn token_end(bytes: &[u8], from: usize, close: &[u8]) -> usize {
    let mut i = from;
    let mut quote = None;
    while i < bytes.len() {
        let b = bytes[i];
        match quote {
            Some(_) if b == b'\\' => i += 1,
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None if close != b"#}" && (b == b'"' || b == b'\'') => quote = Some(b),
            None if bytes[i..].starts_with(close) => return i + close.len(),
            None => {}
        }
        i += 1;
    }
    bytes.len()
}

fn is_raw_open(token: &str) -> bool {
    let inner = token
        .trim_start_matches("{%")
        .trim_end_matches("%}")
        .trim_matches(|c: char| c == '-' || c == '+' || c.is_whitespace());
    inner == "raw"
}

fn find_endraw(text: &str, from: usize) -> Option<usize> {
    let mut at = from;
    while let Some(n) = text[at..].find("{%") {
        let start = at + n;
        let end = token_end(text.as_bytes(), start + 2, b"%}");
        let inner = text[start + 2..end.saturating_sub(2).max(start + 2)]
            .trim_matches(|c: char| c == '-' || c == '+' || c.is_whitespace());
        if inner == "endraw" {
            return Some(end);
        }
        at = end;
    }
    None
}

/// Pass 1: `text` (a `.mjml` file, file number `file`) with `<!--lp:F:O-->` before the start
/// tag of every body element. Stops marking (keeping what it marked) where the markup no
/// longer tokenizes.
pub fn mark_source(file: u32, text: &str) -> String {
    mark_source_with_names(file, text).0
}

/// [`mark_source`], also returning each marked element's (offset, name).
pub fn mark_source_with_names(file: u32, text: &str) -> (String, Vec<(usize, String)>) {
    let scanned = scan_source(text);
    let numbers: Vec<u64> = scanned.marks.iter().map(|(at, _)| *at as u64).collect();
    (write_marks(file, text, &scanned, &numbers), scanned.marks)
}

/// What pass 1 finds in a source file: the elements it marks and the text `t()` runs.
struct ScannedSource {
    /// (offset of `<`, element name) of every element to mark, in source order.
    marks: Vec<(usize, String)>,
    /// Text inside mj-text & co. (where a `{{ t(…) }}` shows as text, not in an attribute).
    text_runs: Vec<std::ops::Range<usize>>,
}

fn scan_source(text: &str) -> ScannedSource {
    let blanked = blank_jinja(text);
    let mut marks: Vec<(usize, String)> = Vec::new();
    // Open elements: (name, whether marked content is HTML inside it).
    let mut open: Vec<String> = Vec::new();
    let mut in_head = 0usize;
    let mut html_content = 0usize;
    let mut pending: Option<String> = None;
    // Text inside mj-text & co. (where a `{{ t(…) }}` shows as text, not in an attribute).
    let mut text_runs: Vec<std::ops::Range<usize>> = Vec::new();
    for token in tokenize(blanked.as_str()).0 {
        match token {
            Token::Text { text: run } if html_content > 0 && in_head == 0 => {
                text_runs.push(run.start()..run.end());
            }
            Token::ElementStart {
                prefix,
                local,
                span,
            } => {
                let name = qualified(prefix.as_str(), local.as_str());
                let is_mj = name.starts_with("mj-");
                let wanted = if is_mj {
                    in_head == 0 && !UNMARKED.contains(&name.as_str())
                } else {
                    html_content > 0 && in_head == 0
                };
                if wanted {
                    marks.push((span.start(), name.clone()));
                }
                pending = Some(name);
            }
            Token::ElementEnd { end, .. } => match end {
                ElementEnd::Open => {
                    if let Some(name) = pending.take() {
                        if name == "mj-head" {
                            in_head += 1;
                        }
                        if HTML_CONTENT.contains(&name.as_str()) {
                            html_content += 1;
                        }
                        open.push(name);
                    }
                }
                ElementEnd::Empty => pending = None,
                ElementEnd::Close(prefix, local) => {
                    let name = qualified(prefix.as_str(), local.as_str());
                    // HTML inside text may leave elements unclosed (`<br>`): close up to
                    // the matching one, if it is open at all.
                    if let Some(at) = open.iter().rposition(|n| *n == name) {
                        for closed in open.drain(at..) {
                            if closed == "mj-head" {
                                in_head = in_head.saturating_sub(1);
                            }
                            if HTML_CONTENT.contains(&closed.as_str()) {
                                html_content = html_content.saturating_sub(1);
                            }
                        }
                    }
                }
            },
            _ => {}
        }
    }
    ScannedSource { marks, text_runs }
}

/// `text` with a `<!--lp:F:N-->` before each of `scanned`'s elements (`numbers`: each one's
/// N, in the same order) and a comment pair around each text `t()`.
fn write_marks(file: u32, text: &str, scanned: &ScannedSource, numbers: &[u64]) -> String {
    // Insertions, by offset: element marks, and a comment pair around each text `t()`.
    let mut inserts: Vec<(usize, String)> = scanned
        .marks
        .iter()
        .zip(numbers)
        .map(|((at, _), n)| (*at, format!("<!--lp:{file}:{n}-->")))
        .collect();
    for run in &scanned.text_runs {
        for (range, key) in text_messages(text, run.clone()) {
            inserts.push((range.start, format!("<!--lp:t:{key}-->")));
            inserts.push((range.end, "<!--lp:/t-->".to_owned()));
        }
    }
    if inserts.is_empty() {
        return text.to_owned();
    }
    inserts.sort_by_key(|(at, _)| *at);
    let mut out = String::with_capacity(text.len() + inserts.len() * 20);
    let mut last = 0;
    for (at, insert) in &inserts {
        out.push_str(&text[last..*at]);
        out.push_str(insert);
        last = *at;
    }
    out.push_str(&text[last..]);
    out
}

/// The numbers of `marks` (the elements of `text`) after an edit from `previous_text`, whose
/// elements `previous` numbered: an element before the edited range or after it keeps the
/// number it had there; the elements inside it keep theirs when the range holds the same
/// elements as before in the same order (text typed inside one, an attribute changed, a
/// forced condition); otherwise they are new, numbered from `next` on. The edited range is
/// what lies between the longest common suffix and then the longest common prefix, so an
/// insertion before an element leaves that element its number.
fn carry_numbers(
    previous_text: &str,
    previous: &[NumberedElement],
    text: &str,
    marks: &[(usize, String)],
    next: &mut u64,
) -> Vec<u64> {
    use letterpress_protocol::{common_prefix, common_suffix};
    let (a, b) = (previous_text.as_bytes(), text.as_bytes());
    let shorter = a.len().min(b.len());
    let suffix = common_suffix(a, b, shorter);
    let prefix = common_prefix(&a[..shorter - suffix], &b[..shorter - suffix]);
    let (old_end, new_end) = (a.len() - suffix, b.len() - suffix);
    let old_element = |offset: usize| {
        previous
            .binary_search_by_key(&offset, |e| e.offset)
            .ok()
            .map(|at| &previous[at])
    };
    let mut numbers: Vec<Option<u64>> = vec![None; marks.len()];
    let mut changed: Vec<usize> = Vec::new();
    for (at, (offset, name)) in marks.iter().enumerate() {
        let before = if *offset < prefix {
            Some(*offset)
        } else if *offset >= new_end {
            Some(*offset - new_end + old_end)
        } else {
            None
        };
        match before.and_then(old_element).filter(|e| e.name == *name) {
            Some(e) => numbers[at] = Some(e.number),
            None => changed.push(at),
        }
    }
    let was: Vec<&NumberedElement> = previous
        .iter()
        .filter(|e| e.offset >= prefix && e.offset < old_end)
        .collect();
    let same = was.len() == changed.len()
        && changed
            .iter()
            .zip(&was)
            .all(|(&at, e)| marks[at].1 == e.name);
    for (k, &at) in changed.iter().enumerate() {
        numbers[at] = Some(if same {
            was[k].number
        } else {
            *next += 1;
            *next - 1
        });
    }
    numbers.into_iter().map(|n| n.unwrap_or_default()).collect()
}

/// Every `{{ t("key"…) }}` token inside `run` of `text` whose output is the message itself
/// (no whitespace control that would trim around it), with its key.
fn text_messages(text: &str, run: std::ops::Range<usize>) -> Vec<(std::ops::Range<usize>, String)> {
    let mut out = Vec::new();
    let mut at = run.start;
    while let Some(n) = text[at..run.end].find("{{") {
        let start = at + n;
        let end = token_end(text.as_bytes(), start + 2, b"}}");
        at = end;
        if end > run.end || end < start + 4 || !text[..end].ends_with("}}") {
            break;
        }
        let inner = &text[start + 2..end - 2];
        if inner.starts_with(['-', '+']) || inner.ends_with(['-', '+']) {
            continue;
        }
        let Some(args) = inner.trim().strip_prefix("t(") else {
            continue;
        };
        let args = args.trim_start();
        let Some(quote) = args.chars().next().filter(|c| *c == '"' || *c == '\'') else {
            continue;
        };
        let Some(key) = args[1..].split(quote).next() else {
            continue;
        };
        let is_key = key.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
            && key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.')
            && !key.contains("--");
        // Only the message alone: `t("k") | upper` or `t("k") ~ x` is not its text.
        let rest = args[1 + key.len() + 1..].trim_start();
        let closes_call = rest.starts_with(')') || rest.starts_with(',');
        let after_call = match rest.rfind(')') {
            Some(i) => rest[i + 1..].trim(),
            None => "x",
        };
        if is_key && closes_call && after_call.is_empty() {
            out.push((start..end, key.to_owned()));
        }
    }
    out
}

/// The innermost element of a source file that the preview can show as one (one that
/// [`mark_source`] marks) at a byte offset: inside its start tag or its content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ElementAt {
    /// Byte offset of its start tag's `<` (the offset [`MarkedHtml::offsets`] gives its marker).
    pub start: usize,
    /// Element names from the outermost down to it (`mjml`, `mj-body`, … `mj-text`, `a`).
    pub path: Vec<String>,
}

/// The element at `offset` in `text` (a `.mjml` file as on disk); `None` outside any markable
/// element (in `mj-head`, between `{% %}` tags at the top level…).
pub fn element_at(text: &str, offset: usize) -> Option<ElementAt> {
    let blanked = blank_jinja(text);
    // Open elements: (name, start, markable).
    let mut open: Vec<(String, usize, bool)> = Vec::new();
    let mut pending: Option<(String, usize, bool)> = None;
    let mut in_head = 0usize;
    let mut html_content = 0usize;
    let innermost = |open: &[(String, usize, bool)], pending: Option<&(String, usize, bool)>| {
        let all: Vec<&(String, usize, bool)> = open.iter().chain(pending).collect();
        let at = all.iter().rposition(|(_, _, markable)| *markable)?;
        Some(ElementAt {
            start: all[at].1,
            path: all[..=at].iter().map(|(n, _, _)| n.clone()).collect(),
        })
    };
    for token in tokenize(blanked.as_str()).0 {
        match token {
            Token::ElementStart {
                prefix,
                local,
                span,
            } => {
                if span.start() > offset {
                    break;
                }
                let name = qualified(prefix.as_str(), local.as_str());
                let markable = if name.starts_with("mj-") {
                    in_head == 0 && !UNMARKED.contains(&name.as_str())
                } else {
                    html_content > 0 && in_head == 0
                };
                pending = Some((name, span.start(), markable));
            }
            Token::ElementEnd { end, span } => {
                if span.end() > offset && pending.is_some() {
                    // The offset is inside this start tag.
                    return innermost(&open, pending.as_ref());
                }
                match end {
                    ElementEnd::Open => {
                        if let Some(element) = pending.take() {
                            if element.0 == "mj-head" {
                                in_head += 1;
                            }
                            if HTML_CONTENT.contains(&element.0.as_str()) {
                                html_content += 1;
                            }
                            open.push(element);
                        }
                    }
                    ElementEnd::Empty => pending = None,
                    ElementEnd::Close(prefix, local) => {
                        if span.start() >= offset {
                            break;
                        }
                        let name = qualified(prefix.as_str(), local.as_str());
                        if let Some(at) = open.iter().rposition(|(n, _, _)| *n == name) {
                            for (closed, _, _) in open.drain(at..) {
                                if closed == "mj-head" {
                                    in_head = in_head.saturating_sub(1);
                                }
                                if HTML_CONTENT.contains(&closed.as_str()) {
                                    html_content = html_content.saturating_sub(1);
                                }
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }
    innermost(&open, None)
}

/// Start offsets of the elements of `text` that visual editing must not touch: those inside
/// a Jinja block whose tags sit in different elements (`{% if %}<mj-section>{% endif %}…
/// </mj-section>`: badly nested, so no edit can keep both intact), and those whose start tag
/// holds Jinja outside attribute values (`<mj-column {% if x %}padding="0"{% endif %}>`).
pub fn opaque_elements(text: &str) -> std::collections::BTreeSet<usize> {
    let blanked = blank_jinja(text);
    let bytes = text.as_bytes();
    let blank = blanked.as_bytes();
    let mut opaque = std::collections::BTreeSet::new();
    // (offset, the open elements' starts there), at each element boundary.
    let mut snapshots: Vec<(usize, Vec<usize>)> = vec![(0, Vec::new())];
    let mut open: Vec<(String, usize)> = Vec::new();
    let mut starts = Vec::new();
    let mut pending: Option<(String, usize, Vec<std::ops::Range<usize>>)> = None;
    for token in tokenize(blanked.as_str()).0 {
        match token {
            Token::ElementStart {
                prefix,
                local,
                span,
            } => {
                starts.push(span.start());
                pending = Some((
                    qualified(prefix.as_str(), local.as_str()),
                    span.start(),
                    Vec::new(),
                ));
            }
            Token::Attribute { value: Some(v), .. } => {
                if let Some((_, _, values)) = pending.as_mut() {
                    values.push(v.start()..v.end());
                }
            }
            Token::ElementEnd { end, span } => {
                match end {
                    ElementEnd::Open | ElementEnd::Empty => {
                        if let Some((name, start, values)) = pending.take() {
                            let templated = (start..span.end()).any(|i| {
                                bytes[i] != blank[i] && !values.iter().any(|v| v.contains(&i))
                            });
                            if templated {
                                opaque.insert(start);
                            }
                            if matches!(end, ElementEnd::Open) {
                                open.push((name, start));
                            }
                        }
                    }
                    ElementEnd::Close(prefix, local) => {
                        let name = qualified(prefix.as_str(), local.as_str());
                        if let Some(at) = open.iter().rposition(|(n, _)| *n == name) {
                            open.truncate(at);
                        }
                    }
                }
                snapshots.push((span.end(), open.iter().map(|(_, s)| *s).collect()));
            }
            _ => {}
        }
    }
    let stack_at = |offset: usize| {
        let i = snapshots.partition_point(|(o, _)| *o <= offset);
        snapshots[i.saturating_sub(1)].1.clone()
    };
    // Block tags and the element stack where each sits.
    let mut blocks: Vec<(String, usize, Vec<usize>)> = Vec::new();
    let mut at = 0;
    while let Some(n) = text[at..].find("{%") {
        let start = at + n;
        let end = token_end(bytes, start + 2, b"%}");
        at = end;
        let inner = text[start + 2..end.saturating_sub(2).max(start + 2)]
            .trim_matches(|c: char| c == '-' || c == '+' || c.is_whitespace());
        let mut words = inner.split_whitespace();
        let keyword = words.next().unwrap_or_default();
        let opens = matches!(
            keyword,
            "if" | "for" | "block" | "macro" | "call" | "filter" | "with"
        ) || (keyword == "set" && !inner.contains('='));
        let middle = matches!(keyword, "elif" | "else");
        let closes = keyword.strip_prefix("end").is_some_and(|k| !k.is_empty());
        if keyword == "raw" {
            at = find_endraw(text, end).unwrap_or(text.len());
            continue;
        }
        if opens {
            blocks.push((keyword.to_owned(), start, stack_at(start)));
        } else if middle || closes {
            let Some((_, open_at, stack)) = blocks.last().cloned() else {
                continue;
            };
            if stack_at(start) != stack {
                let region = open_at..end;
                opaque.extend(starts.iter().filter(|s| region.contains(s)));
            }
            if closes {
                blocks.pop();
            }
        }
    }
    opaque
}

/// The `{% for … %}` loops of `text` still open at `offset`, outermost first, as written
/// (`for task in person.tasks`): the element there repeats once per item.
pub fn enclosing_loops(text: &str, offset: usize) -> Vec<String> {
    let mut open: Vec<String> = Vec::new();
    let mut at = 0;
    let end = offset.min(text.len());
    while let Some(n) = text[at..end].find("{%") {
        let start = at + n;
        let close = token_end(text.as_bytes(), start + 2, b"%}");
        if close > end || close < start + 4 || !text[..close].ends_with("%}") {
            break;
        }
        let inner = text[start + 2..close - 2]
            .trim_matches(|c: char| c == '-' || c == '+' || c.is_whitespace());
        let keyword = inner.split_whitespace().next().unwrap_or_default();
        match keyword {
            "for" => open.push(inner.split_whitespace().collect::<Vec<_>>().join(" ")),
            "endfor" => {
                open.pop();
            }
            "raw" => match find_endraw(text, close) {
                Some(after) if after <= end => {
                    at = after;
                    continue;
                }
                _ => break,
            },
            _ => {}
        }
        at = close;
    }
    open
}

/// An element or attribute name with its namespace prefix, if any (`prefix:local`).
pub(crate) fn qualified(prefix: &str, local: &str) -> String {
    if prefix.is_empty() {
        local.to_owned()
    } else {
        format!("{prefix}:{local}")
    }
}

/// An element start tag of the rendered MJML that pass 2 needs (one right after an element
/// marker comment, or one inside `mj-attributes`), with the first value of each attribute
/// pass 2 reads.
struct StartTag<'a> {
    /// The name as written (`prefix:local` with a prefix).
    name: &'a str,
    /// Offset of `<`.
    start: usize,
    /// `css-class`: its value and the value's span.
    css_class: Option<(&'a str, std::ops::Range<usize>)>,
    /// `mj-class`.
    mj_class: Option<&'a str>,
    /// `name` (of an `mj-class` definition).
    class_name: Option<&'a str>,
}

impl<'a> StartTag<'a> {
    fn new(name: &'a str, start: usize) -> StartTag<'a> {
        StartTag {
            name,
            start,
            css_class: None,
            mj_class: None,
            class_name: None,
        }
    }

    /// Notes an attribute (`name` as written); only the first of each name counts.
    fn attribute(&mut self, name: &str, value: &'a str, span: std::ops::Range<usize>) {
        match name {
            "css-class" if self.css_class.is_none() => self.css_class = Some((value, span)),
            "mj-class" if self.mj_class.is_none() => self.mj_class = Some(value),
            "name" if self.class_name.is_none() => self.class_name = Some(value),
            _ => {}
        }
    }
}

/// An element marker comment `<!--lp:F:O-->` of the rendered MJML.
struct ElementMark<'a> {
    /// The comment's span.
    span: std::ops::Range<usize>,
    /// `F` and `O`; `None` when the comment has no `:` after `lp:`.
    file_offset: Option<(&'a str, &'a str)>,
    /// The start tag that begins right where the comment ends, if one does.
    tag: Option<StartTag<'a>>,
}

/// What `mj-attributes` says about `css-class` (a handful of entries: scanned, not hashed).
#[derive(Default)]
struct InheritedClasses<'a> {
    /// (`mj-class` name, its `css-class`), the first definition of each name.
    by_class: Vec<(&'a str, &'a str)>,
    /// (element name, its default `css-class`), the last default of each element.
    by_tag: Vec<(&'a str, &'a str)>,
    all: Option<&'a str>,
}

/// An insertion (or the removal of the range it replaces) of pass 2.
enum Insert<'a> {
    /// Nothing (the range is removed).
    Nothing,
    /// Text copied as it is.
    Text(&'a str),
    /// `lp-F-O ` at the start of an existing `css-class` value.
    ClassPrefix(&'a str, &'a str),
    /// ` css-class="lp-F-O"` or ` css-class="lp-F-O <inherited>"` (escaped) after the name.
    CssClass(&'a str, &'a str, Option<&'a str>),
    /// ` data-lp="F-O"` after the name.
    DataLp(&'a str, &'a str),
}

impl Insert<'_> {
    fn write_to(&self, out: &mut String) {
        match *self {
            Insert::Nothing => {}
            Insert::Text(text) => out.push_str(text),
            Insert::ClassPrefix(file, offset) => {
                push_marker_class(out, file, offset, false);
                out.push(' ');
            }
            Insert::CssClass(file, offset, inherited) => {
                out.push_str(" css-class=\"");
                push_marker_class(out, file, offset, true);
                if let Some(class) = inherited.filter(|c| !c.is_empty()) {
                    out.push(' ');
                    push_escaped_attribute(out, class);
                }
                out.push('"');
            }
            Insert::DataLp(file, offset) => {
                out.push_str(" data-lp=\"");
                out.push_str(file);
                out.push('-');
                out.push_str(offset);
                out.push('"');
            }
        }
    }
}

/// `lp-F-O`, escaped for a double-quoted value when `escaped` (F and O are digits in the
/// comments pass 1 writes; other comments of that form are copied as they are written).
fn push_marker_class(out: &mut String, file: &str, offset: &str, escaped: bool) {
    out.push_str("lp-");
    if escaped {
        push_escaped_attribute(out, file);
        out.push('-');
        push_escaped_attribute(out, offset);
    } else {
        out.push_str(file);
        out.push('-');
        out.push_str(offset);
    }
}

/// `value` with `&` and `"` escaped, for a double-quoted attribute value.
fn push_escaped_attribute(out: &mut String, value: &str) {
    let mut last = 0;
    for (at, c) in value.match_indices(['&', '"']) {
        out.push_str(&value[last..at]);
        out.push_str(if c == "&" { "&amp;" } else { "&quot;" });
        last = at + 1;
    }
    out.push_str(&value[last..]);
}

/// Pass 2: the MJML Jinja rendered from marked sources, with each `<!--lp:F:O-->` removed
/// and its element marked (see the module documentation). Comments not followed by an
/// element are removed too. `None` when the MJML does not tokenize (the caller renders
/// without markers).
pub fn apply_marks(mjml: &str) -> Option<String> {
    apply_marks_measured(mjml).map(|applied| applied.mjml)
}

/// [`apply_marks`]'s MJML, with how deep its elements nest.
pub struct AppliedMarks {
    pub mjml: String,
    /// [`crate::mjml::max_depth`] of the MJML, measured by the same pass (the markers add
    /// no element): the depth and the offset, in the MJML given, of the deepest start tag.
    pub depth: (usize, usize),
}

/// [`apply_marks`], measuring the MJML's depth in the same pass over its tokens.
pub fn apply_marks_measured(mjml: &str) -> Option<AppliedMarks> {
    if !mjml.contains("<!--lp:") {
        return Some(AppliedMarks {
            mjml: mjml.to_owned(),
            depth: crate::mjml::max_depth(mjml),
        });
    }
    // One pass over the tokens, keeping only what the edits need.
    let (marks, messages, inherited, depth) = scan_marks(mjml)?;
    // Edits in document order: (range, replacement).
    let mut edits: Vec<(std::ops::Range<usize>, Insert<'_>)> =
        Vec::with_capacity(marks.len() * 2 + messages.len() * 2);
    for mark in &marks {
        edits.push((mark.span.clone(), Insert::Nothing));
        let (Some(tag), Some((file, offset))) = (&mark.tag, mark.file_offset) else {
            continue;
        };
        let after_name = tag.start + 1 + tag.name.len();
        if tag.name.starts_with("mj-") {
            match &tag.css_class {
                Some((_, range)) => {
                    edits.push((range.start..range.start, Insert::ClassPrefix(file, offset)))
                }
                None => edits.push((
                    after_name..after_name,
                    Insert::CssClass(file, offset, inherited.css_class(tag)),
                )),
            }
        } else {
            edits.push((after_name..after_name, Insert::DataLp(file, offset)));
        }
    }
    // mrml drops a whitespace-only text node next to a comment at the start or end of a
    // text's content: a message comment there moves past that whitespace (into the tag's
    // edge), so the whitespace stays part of the text.
    for (span, closing) in messages {
        let comment = &mjml[span.clone()];
        if closing {
            let after = &mjml[span.end..];
            let ws = after.len() - after.trim_start_matches([' ', '\t', '\n', '\r']).len();
            if ws > 0 && after[ws..].starts_with("</") {
                edits.push((span.clone(), Insert::Nothing));
                edits.push((span.end + ws..span.end + ws, Insert::Text(comment)));
            }
        } else {
            let before = &mjml[..span.start];
            let trimmed = before.trim_end_matches([' ', '\t', '\n', '\r']);
            if trimmed.len() < before.len() && trimmed.ends_with('>') && !trimmed.ends_with("-->") {
                edits.push((trimmed.len()..trimmed.len(), Insert::Text(comment)));
                edits.push((span.clone(), Insert::Nothing));
            }
        }
    }
    edits.sort_by_key(|(r, _)| (r.start, r.end));
    let mut out = String::with_capacity(mjml.len() + edits.len() * 24);
    let mut last = 0;
    for (range, insert) in edits {
        if range.start < last {
            return None;
        }
        out.push_str(&mjml[last..range.start]);
        insert.write_to(&mut out);
        last = range.end;
    }
    out.push_str(&mjml[last..]);
    Some(AppliedMarks { mjml: out, depth })
}

/// Element marks, message comments (span, whether it is the closing one), the classes
/// `mj-attributes` sets, and the depth [`crate::mjml::max_depth`] gives (counted the same
/// way on plain markup: void elements open nothing, an end tag closes one; measured by
/// `max_depth` itself when the text needed `htmlparser`), from the tokens of `mjml`;
/// `None` when they stop at an error (or the tokenizer panics, as it does on some
/// truncated input).
#[allow(clippy::type_complexity)]
fn scan_marks(
    mjml: &str,
) -> Option<(
    Vec<ElementMark<'_>>,
    Vec<(std::ops::Range<usize>, bool)>,
    InheritedClasses<'_>,
    (usize, usize),
)> {
    /// What the events have shown so far.
    #[derive(Default)]
    struct Scan<'a> {
        marks: Vec<ElementMark<'a>>,
        messages: Vec<(std::ops::Range<usize>, bool)>,
        inherited: InheritedClasses<'a>,
        /// Open elements' names (only whether the innermost is `mj-attributes` matters).
        stack: Vec<&'a str>,
        /// The name of the start tag being read, and the tag itself when pass 2 needs it.
        pending: Option<&'a str>,
        kept: Option<StartTag<'a>>,
        /// Where the last element marker comment ends: a start tag there is its element.
        mark_end: Option<usize>,
        /// Where the start tag being read begins.
        pending_start: usize,
        /// Open elements (void ones not counted), and the deepest so far with its start.
        depth: usize,
        deepest: (usize, usize),
    }
    let (scan, reader) = markup_events::read(mjml, Scan::default, |scan, event| match event {
        Event::Comment { text, span } => {
            if let Some(mark) = text.strip_prefix("lp:") {
                if mark.starts_with("t:") || mark == "/t" {
                    scan.messages.push((span, mark == "/t"));
                } else {
                    scan.mark_end = Some(span.end);
                    scan.marks.push(ElementMark {
                        span,
                        file_offset: mark.split_once(':'),
                        tag: None,
                    });
                }
            }
        }
        Event::Start { name, start } => {
            let in_attributes = scan.stack.last().is_some_and(|p| *p == "mj-attributes");
            scan.pending = Some(name);
            scan.pending_start = start;
            scan.kept =
                (scan.mark_end == Some(start) || in_attributes).then(|| StartTag::new(name, start));
        }
        Event::Attribute { name, value } => {
            if let (Some(tag), Some((value, span))) = (scan.kept.as_mut(), value) {
                tag.attribute(name, value, span);
            }
        }
        Event::Open | Event::Empty => {
            if let Some(tag) = scan.kept.take() {
                if scan.stack.last().is_some_and(|p| *p == "mj-attributes") {
                    scan.inherited.learn(&tag);
                }
                if scan.mark_end == Some(tag.start)
                    && let Some(mark) = scan.marks.last_mut()
                {
                    mark.tag = Some(tag);
                }
            }
            if let Some(name) = scan.pending.take()
                && matches!(event, Event::Open)
            {
                scan.stack.push(name);
                if !crate::mjml::is_void_element(name) {
                    scan.depth += 1;
                    if scan.depth > scan.deepest.0 {
                        scan.deepest = (scan.depth, scan.pending_start);
                    }
                }
            }
        }
        Event::Close => {
            scan.stack.pop();
            scan.depth = scan.depth.saturating_sub(1);
        }
    })?;
    let Scan {
        mut marks,
        messages,
        inherited,
        kept,
        mark_end,
        mut deepest,
        pending,
        pending_start,
        depth,
        ..
    } = scan;
    // A start tag the text ends inside of opens a level too (as `max_depth` counts it).
    if let Some(name) = pending
        && !crate::mjml::is_void_element(name)
        && depth + 1 > deepest.0
    {
        deepest = (depth + 1, pending_start);
    }
    // A start tag the text ends inside of is still its marker's element.
    if let Some(tag) = kept
        && mark_end == Some(tag.start)
        && let Some(mark) = marks.last_mut()
    {
        mark.tag = Some(tag);
    }
    // htmlparser reads elements inside conditional comments, and names `max_depth` does
    // not: for a text that needed it, the depth is measured on its own.
    let depth = match reader {
        markup_events::Reader::Quick => deepest,
        markup_events::Reader::Exact => crate::mjml::max_depth(mjml),
    };
    Some((marks, messages, inherited, depth))
}

impl<'a> InheritedClasses<'a> {
    fn learn(&mut self, tag: &StartTag<'a>) {
        let Some((class, _)) = tag.css_class else {
            return;
        };
        match tag.name {
            "mj-class" => {
                if let Some(name) = tag.class_name
                    && !self.by_class.iter().any(|(n, _)| *n == name)
                {
                    self.by_class.push((name, class));
                }
            }
            "mj-all" => self.all = Some(class),
            other => match self.by_tag.iter_mut().find(|(n, _)| *n == other) {
                Some(known) => known.1 = class,
                None => self.by_tag.push((other, class)),
            },
        }
    }

    /// The `css-class` mrml would use for `tag` without one of its own (its precedence: the
    /// first `mj-class` that sets one, the tag's default, `mj-all`).
    fn css_class(&self, tag: &StartTag<'_>) -> Option<&'a str> {
        let defined = |c: &str| self.by_class.iter().find(|(n, _)| *n == c).map(|d| d.1);
        if let Some(classes) = tag.mj_class
            && let Some(found) = classes.split(' ').map(str::trim).find_map(defined)
        {
            return Some(found);
        }
        self.by_tag
            .iter()
            .find(|(n, _)| *n == tag.name)
            .map(|d| d.1)
            .or(self.all)
    }
}

/// Whether `s` at `at` starts a class marker `lp-<digits>-<digits>`; returns its length.
fn marker_len(s: &[u8], at: usize) -> Option<usize> {
    if !s[at..].starts_with(b"lp-") {
        return None;
    }
    let mut i = at + 3;
    let digits = |i: &mut usize| {
        let from = *i;
        while *i < s.len() && s[*i].is_ascii_digit() {
            *i += 1;
        }
        *i > from
    };
    if !digits(&mut i) || i >= s.len() || s[i] != b'-' {
        return None;
    }
    i += 1;
    if !digits(&mut i) {
        return None;
    }
    Some(i - at)
}

/// Rendered HTML without any marker: `data-lp="…"` attributes, `<!--lp:…-->` comments, and
/// `lp-F-O` classes (with the space after them, or the `-outlook` suffix mrml adds to a
/// marker that is the only class); a `class` attribute left empty goes too, as mrml writes
/// none for an empty `css-class`.
pub fn strip_marks(html: &str) -> String {
    let bytes = html.as_bytes();
    let mut out = String::with_capacity(html.len());
    let mut i = 0;
    let mut last = 0;
    // Every marker form starts with a space or `<`: only those bytes are looked at.
    while let Some(n) = bytes[i..].iter().position(|&b| b == b' ' || b == b'<') {
        i += n;
        if bytes[i..].starts_with(b" data-lp=\"")
            && let Some(n) = html[i + 10..].find('"')
        {
            out.push_str(&html[last..i]);
            i += 10 + n + 1;
            last = i;
            continue;
        }
        if bytes[i..].starts_with(b"<!--lp:")
            && let Some(n) = html[i..].find("-->")
        {
            out.push_str(&html[last..i]);
            i += n + 3;
            last = i;
            continue;
        }
        if bytes[i..].starts_with(b" class=\"") {
            let value_start = i + 8;
            if let Some(n) = html[value_start..].find('"') {
                let value = &html[value_start..value_start + n];
                if value.contains("lp-") {
                    let stripped = strip_class_value(value);
                    out.push_str(&html[last..i]);
                    if !stripped.is_empty() {
                        out.push_str(" class=\"");
                        out.push_str(&stripped);
                        out.push('"');
                    }
                    i = value_start + n + 1;
                    last = i;
                    continue;
                }
            }
        }
        i += 1;
    }
    out.push_str(&html[last..]);
    out
}

/// A class list without its markers.
fn strip_class_value(value: &str) -> String {
    let bytes = value.as_bytes();
    let mut out = String::with_capacity(value.len());
    let mut i = 0;
    let mut last = 0;
    while i < bytes.len() {
        let at_word = i == 0 || bytes[i - 1] == b' ';
        if at_word && let Some(len) = marker_len(bytes, i) {
            let end = i + len;
            if value[end..].starts_with("-outlook") && value.len() == end + 8 {
                // The only class: mrml wrote `lp-F-O-outlook`.
                out.push_str(&value[last..i]);
                i = end + 8;
                last = i;
                continue;
            }
            if value[end..].starts_with(' ') {
                out.push_str(&value[last..i]);
                i = end + 1;
                last = i;
                continue;
            }
            if end == value.len() {
                // Last in the list: drop it with the space before it.
                out.push_str(&value[last..i]);
                if out.ends_with(' ') {
                    out.pop();
                }
                i = end;
                last = i;
                continue;
            }
        }
        i += 1;
    }
    out.push_str(&value[last..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jinja_is_blanked_to_the_same_length() {
        let text = "<a>{{ x }}</a>{% if y %}\n<b>{# <c> #}</b>{% endif %}{% raw %}<d>{% endraw %}";
        let blanked = blank_jinja(text);
        assert_eq!(blanked.len(), text.len());
        assert!(!blanked.contains('{') && !blanked.contains("<c>") && !blanked.contains("<d>"));
        assert!(blanked.contains("<a>") && blanked.contains("\n<b>"));
    }

    #[test]
    fn a_string_in_a_token_does_not_close_it() {
        let text = r#"{{ "%} }}" }}<mj-text>"#;
        assert_eq!(blank_jinja(text).trim_start(), "<mj-text>");
    }

    #[test]
    fn body_elements_and_html_in_text_are_marked_head_elements_not() {
        let text = "<mjml><mj-head><mj-attributes><mj-all padding=\"0\"/></mj-attributes></mj-head>\
                    <mj-body><mj-section><mj-column><mj-text>Hi <a href=\"x\">{{ name }}</a></mj-text>\
                    </mj-column></mj-section></mj-body></mjml>";
        let marked = mark_source(3, text);
        for element in [
            "<mj-body>",
            "<mj-section>",
            "<mj-column>",
            "<mj-text>",
            "<a href",
        ] {
            let at = text.find(element).unwrap();
            assert!(
                marked.contains(&format!("<!--lp:3:{at}-->{element}")),
                "{element} in {marked}"
            );
        }
        assert!(!marked.contains("-->mj-all") && !marked.contains("--><mj-all"));
        assert!(!marked.contains("--><mj-head"));
    }

    #[test]
    fn a_marker_is_prepended_to_the_class_the_element_would_inherit() {
        let mjml = "<mjml><mj-head><mj-attributes><mj-class name=\"h\" css-class=\"heading\"/>\
                    <mj-text css-class=\"t\"/></mj-attributes></mj-head><mj-body>\
                    <!--lp:1:10--><mj-text mj-class=\"h\">a</mj-text>\
                    <!--lp:1:20--><mj-text>b</mj-text>\
                    <!--lp:1:30--><mj-text css-class=\"own\">c</mj-text>\
                    <!--lp:1:40--><mj-image/></mj-body></mjml>";
        let out = apply_marks(mjml).unwrap();
        assert!(
            out.contains("<mj-text css-class=\"lp-1-10 heading\" mj-class=\"h\">a"),
            "{out}"
        );
        assert!(out.contains("<mj-text css-class=\"lp-1-20 t\">b"), "{out}");
        assert!(
            out.contains("<mj-text css-class=\"lp-1-30 own\">c"),
            "{out}"
        );
        assert!(out.contains("<mj-image css-class=\"lp-1-40\"/>"), "{out}");
        assert!(!out.contains("<!--lp:"));
    }

    #[test]
    fn a_message_shown_as_text_is_wrapped_in_a_comment_pair_and_nothing_else() {
        let text = "<mj-body><mj-text css-class=\"{{ t('no') }}\">{{ t(\"hello\", name=n) }} and \
                    {{ t('upper') | upper }} {{- t('trimmed') }} <a href=\"x\">{{ t('link') }}</a></mj-text>\
                    <mj-image alt=\"{{ t('alt') }}\"/></mj-body>";
        let marked = mark_source(0, text);
        assert!(
            marked.contains("<!--lp:t:hello-->{{ t(\"hello\", name=n) }}<!--lp:/t-->"),
            "{marked}"
        );
        assert!(
            marked.contains("<!--lp:t:link-->{{ t('link') }}<!--lp:/t-->"),
            "{marked}"
        );
        for not in ["lp:t:no", "lp:t:upper", "lp:t:trimmed", "lp:t:alt"] {
            assert!(!marked.contains(not), "{not} in {marked}");
        }
        // Pass 2 keeps them (the app reads them); stripping removes them.
        let kept = apply_marks(&marked.replace("{{", "").replace("}}", "")).unwrap();
        assert!(kept.contains("<!--lp:t:hello-->"), "{kept}");
        assert!(!strip_marks(&kept).contains("<!--lp"));
    }

    /// (number, offset, name) of each element of `text` marked after `previous`'s marking.
    fn numbered(text: &str, previous: Option<&Marking>) -> (Marking, Vec<(u64, usize, String)>) {
        let marking = Marking::new(0, Arc::from(text), previous, 0);
        let list = marking
            .elements
            .iter()
            .map(|e| (e.number, e.offset, e.name.clone()))
            .collect();
        (marking, list)
    }

    const THREE: &str = "<mjml><mj-body><mj-section><mj-column>\
        <mj-text>one</mj-text><mj-text>two</mj-text><mj-button>three</mj-button>\
        </mj-column></mj-section></mj-body></mjml>";

    #[test]
    fn a_first_marking_numbers_each_element_by_its_offset() {
        let (marking, list) = numbered(THREE, None);
        assert!(list.iter().all(|(n, at, _)| *n == *at as u64), "{list:?}");
        assert_eq!(marking.marked.as_ref(), mark_source(0, THREE));
    }

    #[test]
    fn typing_inside_an_element_keeps_every_elements_number() {
        let (first, before) = numbered(THREE, None);
        let typed = THREE.replace(">one<", ">one, and more<");
        let (_, after) = numbered(&typed, Some(&first));
        let numbers = |l: &[(u64, usize, String)]| l.iter().map(|e| e.0).collect::<Vec<_>>();
        assert_eq!(numbers(&before), numbers(&after));
        // The offsets are the new text's.
        for (_, at, name) in &after {
            assert!(
                typed[*at..].starts_with(&format!("<{name}")),
                "{name} at {at}"
            );
        }
    }

    #[test]
    fn an_element_inserted_is_new_and_the_others_keep_their_numbers() {
        let (first, before) = numbered(THREE, None);
        let at = THREE.find("<mj-text>two").unwrap();
        let inserted = format!("{}<mj-divider/>{}", &THREE[..at], &THREE[at..]);
        let (second, after) = numbered(&inserted, Some(&first));
        assert_eq!(after.len(), before.len() + 1);
        let new: Vec<_> = after
            .iter()
            .filter(|e| !before.iter().any(|b| b.0 == e.0))
            .collect();
        assert_eq!(new.len(), 1, "{after:?}");
        assert_eq!(new[0].2, "mj-divider");
        assert!(
            new[0].0 > THREE.len() as u64,
            "new numbers follow every used one"
        );
        // Deleting it again: the others keep their numbers, and no number repeats.
        let (_, again) = numbered(THREE, Some(&second));
        let numbers = |l: &[(u64, usize, String)]| l.iter().map(|e| e.0).collect::<Vec<_>>();
        assert_eq!(numbers(&again), numbers(&before));
    }

    #[test]
    fn an_attribute_changed_or_a_condition_forced_keeps_every_number() {
        let text = "<mjml><mj-body>{% if a %}<mj-section><mj-column><mj-text>x</mj-text>\
                    </mj-column></mj-section>{% endif %}<mj-section padding=\"1px\"><mj-column>\
                    <mj-text>y</mj-text></mj-column></mj-section></mj-body></mjml>";
        let (first, before) = numbered(text, None);
        let numbers = |l: &[(u64, usize, String)]| l.iter().map(|e| e.0).collect::<Vec<_>>();
        // Two edits far apart: the range between them holds the same elements.
        let forced = text
            .replace("{% if a %}", "{% if 1 %}")
            .replace("padding=\"1px\"", "padding=\"20px\"");
        let (_, after) = numbered(&forced, Some(&first));
        assert_eq!(numbers(&before), numbers(&after));
    }

    #[test]
    fn numbers_stay_unique_through_many_edits() {
        let mut text = THREE.to_owned();
        let (mut marking, _) = numbered(&text, None);
        for round in 0..50 {
            let at = text.find("<mj-text>").unwrap();
            text = if round % 3 == 2 {
                text.replacen("<mj-divider/>", "", 1)
            } else {
                format!("{}<mj-divider/>{}", &text[..at], &text[at..])
            };
            let (next, list) = numbered(&text, Some(&marking));
            let mut seen = std::collections::BTreeSet::new();
            assert!(
                list.iter().all(|e| seen.insert(e.0)),
                "round {round}: {list:?}"
            );
            marking = next;
        }
    }

    /// Back to a kept text, then another edit: the new element does not get the number an
    /// element of a text left meanwhile had (numbers come after every kept marking's).
    #[test]
    fn a_number_is_never_given_to_two_elements_of_a_path() {
        let markings = Markings::default();
        let path = "templates/t/body.mjml";
        let at = THREE.find("<mj-text>two").unwrap();
        let with =
            |insert: &str| Arc::<str>::from(format!("{}{insert}{}", &THREE[..at], &THREE[at..]));
        let numbers = |m: &Marking| m.elements.iter().map(|e| e.number).collect::<Vec<_>>();
        let a = markings.marking(path, 0, &Arc::from(THREE));
        let b = markings.marking(path, 0, &with("<mj-divider/>"));
        let again = markings.marking(path, 0, &Arc::from(THREE));
        assert_eq!(
            numbers(&again),
            numbers(&a),
            "the kept marking of the same text"
        );
        let c = markings.marking(path, 0, &with("<mj-spacer/>"));
        let new_in = |m: &Marking| {
            m.elements
                .iter()
                .filter(|e| !a.elements.iter().any(|o| o.number == e.number))
                .map(|e| (e.number, e.name.clone()))
                .collect::<Vec<_>>()
        };
        let (in_b, in_c) = (new_in(&b), new_in(&c));
        assert_eq!(in_b.len(), 1);
        assert_eq!(in_c.len(), 1);
        assert_ne!(in_b[0].0, in_c[0].0, "{in_b:?} {in_c:?}");
    }

    #[test]
    fn badly_nested_jinja_and_templated_start_tags_are_opaque() {
        let text = "<mj-body>{% if a %}<mj-section><mj-column>{% endif %}<mj-text>x</mj-text></mj-column></mj-section>\
                    <mj-section>{% if b %}<mj-column><mj-text>y</mj-text></mj-column>{% endif %}</mj-section>\
                    <mj-section><mj-column {% if c %}padding=\"0\"{% endif %} width=\"{{ w }}\"><mj-text>z</mj-text></mj-column></mj-section></mj-body>";
        let opaque = opaque_elements(text);
        let at = |n: &str, nth: usize| text.match_indices(n).nth(nth).unwrap().0;
        // The first if opens outside the section and closes inside its column.
        assert!(opaque.contains(&at("<mj-section>", 0)) && opaque.contains(&at("<mj-column>", 0)));
        // The second is well nested: nothing in it is opaque.
        assert!(!opaque.contains(&at("<mj-column>", 1)) && !opaque.contains(&at("<mj-text>", 1)));
        // Jinja in a start tag outside values; a Jinja value alone is not.
        assert!(opaque.contains(&at("<mj-column {%", 0)));
        assert!(!opaque.contains(&at("<mj-text>", 2)));
        assert!(!opaque.contains(&at("<mj-body>", 0)));
    }

    #[test]
    fn the_loops_around_an_element_are_named_as_written() {
        let text = "{% for p in people %}<mj-section>{%- for task in p.tasks -%}<mj-text>{{ task }}</mj-text>{% endfor %}<mj-divider/>{% endfor %}";
        let at = |n: &str| text.find(n).unwrap();
        assert_eq!(
            enclosing_loops(text, at("<mj-text")),
            ["for p in people", "for task in p.tasks"]
        );
        assert_eq!(
            enclosing_loops(text, at("<mj-divider")),
            ["for p in people"]
        );
        assert!(enclosing_loops(text, 0).is_empty());
    }

    #[test]
    fn the_element_at_an_offset_is_the_innermost_markable_one() {
        let text = "<mjml><mj-head><mj-title>t</mj-title></mj-head><mj-body>\n\
                    <mj-section><mj-column><mj-text>Hi <a href=\"x\">{{ n }}</a> there</mj-text>\n\
                    </mj-column></mj-section></mj-body></mjml>";
        let at = |needle: &str| text.find(needle).unwrap();
        let found = element_at(text, at("{{ n }}")).unwrap();
        assert_eq!(found.start, at("<a href"));
        assert_eq!(
            found.path,
            ["mjml", "mj-body", "mj-section", "mj-column", "mj-text", "a"]
        );
        let found = element_at(text, at(" there")).unwrap();
        assert_eq!(found.start, at("<mj-text>"));
        // Inside a start tag, at its `<`, and in the head.
        assert_eq!(
            element_at(text, at("href") + 2).unwrap().start,
            at("<a href")
        );
        assert_eq!(
            element_at(text, at("<mj-column>")).unwrap().start,
            at("<mj-column>")
        );
        assert_eq!(element_at(text, at("<mj-title>") + 3), None);
        assert_eq!(element_at(text, 2), None);
    }

    /// A project with `partial` included by the body of template `t`.
    fn engine_with(partial: &str) -> crate::Engine {
        let sources = crate::MemorySources::new()
            .with("templates/t/template.toml", "subject = \"s\"\n")
            .with(
                "templates/t/body.mjml",
                "<mjml><mj-body>{% include \"partials/p.mjml\" %}</mj-body></mjml>",
            )
            .with("partials/p.mjml", partial);
        crate::Engine::standalone(Arc::new(sources), crate::Limits::default())
    }

    #[test]
    fn engines_sharing_markings_mark_a_changed_file_afresh() {
        let data = serde_json::json!({});
        let request = crate::RenderRequest {
            template: "t",
            locale: "en",
            data: &data,
            variant: None,
        };
        let first =
            engine_with("<mj-section><mj-column><mj-text>a</mj-text></mj-column></mj-section>");
        let before = first.render_marked(&request).unwrap();
        // The same files again, through an engine that shares the first one's markings.
        let same = first.with_sources(Arc::new(
            crate::MemorySources::new()
                .with("templates/t/template.toml", "subject = \"s\"\n")
                .with(
                    "templates/t/body.mjml",
                    "<mjml><mj-body>{% include \"partials/p.mjml\" %}</mj-body></mjml>",
                )
                .with(
                    "partials/p.mjml",
                    "<mj-section><mj-column><mj-text>a</mj-text></mj-column></mj-section>",
                ),
        ));
        assert_eq!(same.render_marked(&request).unwrap(), before);
        // The partial edited: marked as it is now, as an engine of its own marks it.
        let edited = "<mj-section>\n<mj-column><mj-button>b</mj-button></mj-column></mj-section>";
        let changed = engine_with(edited);
        let shared = first.with_sources(Arc::new(
            crate::MemorySources::new()
                .with("templates/t/template.toml", "subject = \"s\"\n")
                .with(
                    "templates/t/body.mjml",
                    "<mjml><mj-body>{% include \"partials/p.mjml\" %}</mj-body></mjml>",
                )
                .with("partials/p.mjml", edited),
        ));
        let after = shared.render_marked(&request).unwrap();
        let fresh = changed.render_marked(&request).unwrap();
        // The same email and the same elements at the same offsets as an engine of its own
        // gives; the numbers differ only where the edit changed elements.
        assert_eq!(strip_marks(&after.html), strip_marks(&fresh.html));
        let placed = |m: &MarkedHtml| {
            m.offsets
                .iter()
                .map(|(marker, offset)| (*offset, m.names[marker].clone()))
                .collect::<std::collections::BTreeSet<_>>()
        };
        assert_eq!(placed(&after), placed(&fresh));
        assert_ne!(after, before);
        // The section the edit began inside keeps its marker; the button is new.
        assert_eq!(
            after.names.get("1-0").map(String::as_str),
            Some("mj-section")
        );
        let button = after
            .offsets
            .iter()
            .find(|(_, o)| **o == edited.find("<mj-button").unwrap())
            .map(|(m, _)| m.clone())
            .unwrap();
        assert_eq!(
            after.names.get(&button).map(String::as_str),
            Some("mj-button")
        );
        assert!(!before.names.contains_key(&button), "{button} is new");
        assert!(
            after.html.contains(&format!("lp-{button}")),
            "{}",
            after.html
        );
    }

    #[test]
    fn stripping_gives_back_the_plain_classes() {
        for (marked, plain) in [
            (r#"<div class="lp-1-2">"#, "<div>"),
            (r#"<div class="lp-1-2 x">"#, r#"<div class="x">"#),
            (r#"<table class="lp-1-2-outlook">"#, "<table>"),
            (
                r#"<table class="lp-1-2 x-outlook">"#,
                r#"<table class="x-outlook">"#,
            ),
            (
                r#"<div class="mj-column-per-100 lp-1-2">"#,
                r#"<div class="mj-column-per-100">"#,
            ),
            (r#"<a data-lp="1-2" href="x">"#, r#"<a href="x">"#),
            (r#"a<!--lp:1:2-->b"#, "ab"),
            (r#"<div class="help-1-2">"#, r#"<div class="help-1-2">"#),
            (r#"<div class="x lp-1-2 lp-3-4">"#, r#"<div class="x">"#),
        ] {
            assert_eq!(strip_marks(marked), plain, "{marked}");
        }
    }
}
