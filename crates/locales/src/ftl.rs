//! Fluent catalogs as translation units: one unit per message value, message attribute
//! (`id.attr`) and term (`-id`), with its canonical text, translator notes and position; and
//! the text edits that replace one unit in a `.ftl` file without touching any other entry.

use crate::LocalesError;
use fluent_syntax::ast;
use fluent_syntax::parser;
use fluent_syntax::serializer;
use letterpress_protocol::{Code, Diagnostic, Location};
use std::collections::{BTreeMap, BTreeSet};

/// Name of the dummy message used to serialise and parse a lone pattern.
const SCRATCH_ID: &str = "letterpress-unit";

/// One translatable text of a catalog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unit {
    /// `message`, `message.attribute` or `-term`.
    pub key: String,
    /// Project-relative path of the `.ftl` file.
    pub file: String,
    /// The pattern in canonical Fluent syntax (as `fluent-syntax` serialises it, dedented),
    /// e.g. `Hi { $name },` or a select expression over several lines.
    pub text: String,
    /// The comment attached to the message (translator notes), lines joined by `\n`.
    pub note: Option<String>,
    /// The `##` group comment in force where the message is defined.
    pub group: Option<String>,
    /// Where the message id is.
    pub location: Location,
    /// Variables (`$name`) the pattern references, without `$`.
    pub variables: BTreeSet<String>,
    /// Where each variable is first referenced (for diagnostics); may be empty for units
    /// that were not read from a file.
    pub variable_sites: BTreeMap<String, Location>,
}

/// The units of one locale, parsed from its `.ftl` files.
#[derive(Debug, Clone, Default)]
pub struct LocaleUnits {
    /// Units by key.
    pub units: BTreeMap<String, Unit>,
    /// Keys in file order (file by file, files sorted by path).
    pub order: Vec<String>,
    /// Syntax errors and duplicate ids found while parsing.
    pub diagnostics: Vec<Diagnostic>,
}

impl LocaleUnits {
    /// Parses `files` (`(project-relative path, text)`) of one locale.
    pub fn parse<'a>(files: impl IntoIterator<Item = (&'a str, &'a str)>) -> LocaleUnits {
        let mut files: Vec<(&str, &str)> = files.into_iter().collect();
        files.sort_by(|a, b| a.0.cmp(b.0));
        let mut out = LocaleUnits::default();
        for (path, text) in files {
            out.add_file(path, text);
        }
        out
    }

    fn add_file(&mut self, path: &str, text: &str) {
        let resource = match parser::parse(text) {
            Ok(r) => r,
            Err((r, errors)) => {
                for e in errors {
                    self.diagnostics.push(Diagnostic::error(
                        Code::FluentSyntax,
                        e.kind.to_string(),
                        Some(Location::at_offset(path, text, e.pos.start)),
                    ));
                }
                r
            }
        };
        let mut group: Option<String> = None;
        for entry in &resource.body {
            let (id, prefix, value, attributes, comment) = match entry {
                ast::Entry::GroupComment(c) => {
                    let joined = c.content.join("\n");
                    group = (!joined.trim().is_empty()).then_some(joined);
                    continue;
                }
                ast::Entry::Message(m) => {
                    (m.id.name, "", m.value.as_ref(), &m.attributes, &m.comment)
                }
                ast::Entry::Term(t) => (t.id.name, "-", Some(&t.value), &t.attributes, &t.comment),
                _ => continue,
            };
            let location = Location::at_offset(path, text, offset_in(text, id));
            let note = comment.as_ref().map(|c| c.content.join("\n"));
            let mut push = |key: String, pattern: &ast::Pattern<&str>| {
                if let Some(previous) = self.units.get(&key) {
                    self.diagnostics.push(Diagnostic::error(
                        Code::FluentSyntax,
                        format!("`{key}` is defined twice (first at {})", previous.location),
                        Some(location.clone()),
                    ));
                    return;
                }
                let unit = Unit {
                    key: key.clone(),
                    file: path.to_owned(),
                    text: pattern_text(pattern),
                    note: note.clone(),
                    group: group.clone(),
                    location: location.clone(),
                    variables: variables(pattern),
                    variable_sites: variable_references(pattern)
                        .into_iter()
                        .rev()
                        .map(|name| {
                            // `$` precedes the name.
                            let at = offset_in(text, name).saturating_sub(1);
                            (name.to_owned(), Location::at_offset(path, text, at))
                        })
                        .collect(),
                };
                self.order.push(key.clone());
                self.units.insert(key, unit);
            };
            if let Some(value) = value {
                push(format!("{prefix}{id}"), value);
            }
            for attribute in attributes {
                push(
                    format!("{prefix}{id}.{}", attribute.id.name),
                    &attribute.value,
                );
            }
        }
    }

    /// The unit for `key`.
    pub fn get(&self, key: &str) -> Option<&Unit> {
        self.units.get(key)
    }

    /// Units in file order.
    pub fn iter(&self) -> impl Iterator<Item = &Unit> {
        self.order.iter().filter_map(|k| self.units.get(k))
    }
}

/// Byte offset of `slice` inside `text` (slices handed out by the parser point into it).
fn offset_in(text: &str, slice: &str) -> usize {
    (slice.as_ptr() as usize)
        .saturating_sub(text.as_ptr() as usize)
        .min(text.len())
}

/// The canonical text of a pattern: what `fluent-syntax` serialises, without the message id
/// and with the block indentation removed.
pub fn pattern_text<'s, S: parser::Slice<'s> + FromScratch>(pattern: &ast::Pattern<S>) -> String {
    let resource = ast::Resource {
        body: vec![ast::Entry::Message(ast::Message {
            id: ast::Identifier {
                name: S::from_scratch(SCRATCH_ID),
            },
            value: Some(pattern.clone()),
            attributes: Vec::new(),
            comment: None,
        })],
    };
    let serialized = serializer::serialize(&resource);
    let body = serialized
        .strip_prefix(SCRATCH_ID)
        .and_then(|s| s.strip_prefix(" ="))
        .unwrap_or(&serialized);
    let body = body.strip_suffix('\n').unwrap_or(body);
    match body.strip_prefix('\n') {
        // Block form: every line indented by four spaces.
        Some(block) => block
            .split('\n')
            .map(|line| line.strip_prefix("    ").unwrap_or(line))
            .collect::<Vec<_>>()
            .join("\n"),
        None => body.strip_prefix(' ').unwrap_or(body).to_owned(),
    }
}

/// A small extension so [`pattern_text`] can build the scratch id for `&str` and `String`.
pub trait FromScratch {
    /// The slice type holding `s`.
    fn from_scratch(s: &'static str) -> Self;
}

impl FromScratch for &str {
    fn from_scratch(s: &'static str) -> Self {
        s
    }
}

impl FromScratch for String {
    fn from_scratch(s: &'static str) -> Self {
        s.to_owned()
    }
}

/// Parses the text of one unit (as shown to translators) back into a pattern. Errors carry
/// the 1-based line and column inside `text`.
pub fn parse_pattern(text: &str) -> Result<ast::Pattern<String>, PatternError> {
    if text.trim().is_empty() {
        return Err(PatternError {
            message: "the text is empty".into(),
            line: 1,
            column: 1,
        });
    }
    let mut source = format!("{SCRATCH_ID} =\n");
    for line in text.split('\n') {
        if !line.is_empty() {
            source.push_str("    ");
        }
        source.push_str(line);
        source.push('\n');
    }
    let resource = match parser::parse(source.clone()) {
        Ok(r) => r,
        Err((_, errors)) => {
            let e = errors.first();
            let offset = e.map_or(0, |e| e.pos.start);
            let (line, column) = letterpress_protocol::diagnostic::line_col(&source, offset);
            // Line 1 is the scratch id; the text is indented by four columns.
            return Err(PatternError {
                message: e.map_or_else(|| "invalid Fluent syntax".into(), |e| e.kind.to_string()),
                line: line.saturating_sub(1).clamp(
                    1,
                    u32::try_from(text.split('\n').count()).unwrap_or(u32::MAX),
                ),
                column: column.saturating_sub(4).max(1),
            });
        }
    };
    match resource.body.into_iter().next() {
        Some(ast::Entry::Message(m)) if m.attributes.is_empty() => {
            m.value.ok_or_else(|| PatternError {
                message: "the text is empty".into(),
                line: 1,
                column: 1,
            })
        }
        _ => Err(PatternError {
            message:
                "the text must be one Fluent pattern (a line starting with `.` starts an attribute)"
                    .into(),
            line: 1,
            column: 1,
        }),
    }
}

/// A unit text that is not a valid Fluent pattern.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{line}:{column}: {message}")]
pub struct PatternError {
    /// What is wrong.
    pub message: String,
    /// 1-based line inside the unit text.
    pub line: u32,
    /// 1-based column inside the unit text.
    pub column: u32,
}

/// Checks a unit text and returns its canonical form.
pub fn canonical_text(text: &str) -> Result<String, PatternError> {
    parse_pattern(text).map(|p| pattern_text(&p))
}

/// Every variable a pattern references (selectors, placeables, function arguments).
pub fn variables<S: AsRef<str>>(pattern: &ast::Pattern<S>) -> BTreeSet<String> {
    variable_references(pattern)
        .into_iter()
        .map(str::to_owned)
        .collect()
}

/// Every variable reference of a pattern, in order, as slices of the pattern (for a pattern
/// parsed from a file, slices of the file text, so their positions are known).
pub fn variable_references<S: AsRef<str>>(pattern: &ast::Pattern<S>) -> Vec<&str> {
    let mut out = Vec::new();
    collect_pattern(pattern, &mut out);
    out
}

fn collect_pattern<'a, S: AsRef<str>>(pattern: &'a ast::Pattern<S>, out: &mut Vec<&'a str>) {
    for element in &pattern.elements {
        if let ast::PatternElement::Placeable { expression } = element {
            collect_expression(expression, out);
        }
    }
}

fn collect_expression<'a, S: AsRef<str>>(
    expression: &'a ast::Expression<S>,
    out: &mut Vec<&'a str>,
) {
    match expression {
        ast::Expression::Select { selector, variants } => {
            collect_inline(selector, out);
            for v in variants {
                collect_pattern(&v.value, out);
            }
        }
        ast::Expression::Inline(inline) => collect_inline(inline, out),
    }
}

fn collect_inline<'a, S: AsRef<str>>(inline: &'a ast::InlineExpression<S>, out: &mut Vec<&'a str>) {
    match inline {
        ast::InlineExpression::VariableReference { id } => {
            out.push(id.name.as_ref());
        }
        ast::InlineExpression::FunctionReference { arguments, .. } => {
            collect_arguments(arguments, out)
        }
        ast::InlineExpression::TermReference {
            arguments: Some(arguments),
            ..
        } => collect_arguments(arguments, out),
        ast::InlineExpression::Placeable { expression } => collect_expression(expression, out),
        _ => {}
    }
}

fn collect_arguments<'a, S: AsRef<str>>(args: &'a ast::CallArguments<S>, out: &mut Vec<&'a str>) {
    for p in &args.positional {
        collect_inline(p, out);
    }
    for n in &args.named {
        collect_inline(&n.value, out);
    }
}

/// Splits a unit key into (entry id as written in the file, attribute).
pub fn split_key(key: &str) -> (&str, Option<&str>) {
    match key.split_once('.') {
        Some((id, attribute)) => (id, Some(attribute)),
        None => (key, None),
    }
}

/// Byte range of the entry `id` (`name` or `-term`) in `text`: from the id to the end of its
/// last line, attached comment excluded. `None` when the file does not define it.
pub fn entry_range(text: &str, id: &str) -> Option<std::ops::Range<usize>> {
    let resource = match parser::parse(text) {
        Ok(r) => r,
        Err((r, _)) => r,
    };
    let start = resource.body.iter().find_map(|entry| match entry {
        ast::Entry::Message(m) if m.id.name == id => Some(offset_in(text, m.id.name)),
        ast::Entry::Term(t) if id.strip_prefix('-') == Some(t.id.name) => {
            Some(offset_in(text, t.id.name).saturating_sub(1))
        }
        _ => None,
    })?;
    // An entry continues on lines that do not start a new entry (Fluent entries start in
    // column 0 with an identifier, `-` or `#`); trailing blank lines are not part of it.
    let mut end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    let mut cursor = end;
    while cursor < text.len() {
        let line_start = cursor + 1;
        let line_end = text[line_start..]
            .find('\n')
            .map_or(text.len(), |i| line_start + i);
        let line = &text[line_start..line_end];
        let starts_entry = line
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '-' || c == '#');
        if starts_entry {
            break;
        }
        if !line.trim().is_empty() {
            end = line_end;
        }
        cursor = line_end;
    }
    Some(start..end)
}

/// Sets (or, with `None`, removes) the unit `key` in the `.ftl` text `file_text`, returning
/// the new text. Only the entry holding the unit is rewritten (in canonical form); every
/// other entry, comment and blank line stays byte for byte. A new entry is appended.
pub fn set_unit(file_text: &str, key: &str, value: Option<&str>) -> Result<String, LocalesError> {
    set_unit_after(file_text, key, value, &[])
}

/// Like [`set_unit`], but a new entry goes right after the first of `anchors` (entry ids,
/// nearest first: the keys that precede it in the source catalog) that the file defines,
/// so translations keep the source's order.
pub fn set_unit_after(
    file_text: &str,
    key: &str,
    value: Option<&str>,
    anchors: &[&str],
) -> Result<String, LocalesError> {
    let (id, attribute) = split_key(key);
    let pattern = match value {
        Some(v) => Some(parse_pattern(v).map_err(|e| LocalesError::Syntax {
            key: key.to_owned(),
            error: e,
        })?),
        None => None,
    };
    let range = entry_range(file_text, id);
    let existing = match &range {
        Some(r) => Some(parse_entry(&file_text[r.clone()], id)?),
        None => None,
    };
    let mut entry = existing.unwrap_or_else(|| EntryParts {
        value: None,
        attributes: Vec::new(),
    });
    match attribute {
        None => entry.value = pattern,
        Some(a) => {
            let position = entry.attributes.iter().position(|(n, _)| n == a);
            match (position, pattern) {
                (Some(i), Some(p)) => entry.attributes[i].1 = p,
                (Some(i), None) => {
                    entry.attributes.remove(i);
                }
                (None, Some(p)) => entry.attributes.push((a.to_owned(), p)),
                (None, None) => {}
            }
        }
    }
    let term = id.starts_with('-');
    if term && entry.value.is_none() && !(entry.attributes.is_empty() && range.is_some()) {
        if entry.attributes.is_empty() {
            // Removing the whole term below.
        } else {
            return Err(LocalesError::Refused(format!(
                "term `{id}` needs a value before it can have attributes"
            )));
        }
    }
    let serialized = if entry.value.is_none() && entry.attributes.is_empty() {
        None
    } else {
        Some(serialize_entry(id, &entry))
    };
    let mut out = String::with_capacity(file_text.len() + 64);
    match (range, serialized) {
        (Some(r), Some(s)) => {
            out.push_str(&file_text[..r.start]);
            out.push_str(s.trim_end_matches('\n'));
            out.push_str(&file_text[r.end..]);
        }
        (Some(r), None) => {
            // Drop the entry's lines, its attached comment and its line break.
            let end = if file_text[r.end..].starts_with('\n') {
                r.end + 1
            } else {
                r.end
            };
            out.push_str(&file_text[..attached_comment_start(file_text, r.start)]);
            out.push_str(&file_text[end..]);
        }
        (None, Some(s))
            if let Some(anchor) = anchors.iter().find_map(|a| entry_range(file_text, a)) =>
        {
            out.push_str(&file_text[..anchor.end]);
            out.push('\n');
            out.push_str(s.trim_end_matches('\n'));
            out.push_str(&file_text[anchor.end..]);
            if anchor.end == file_text.len() {
                out.push('\n');
            }
        }
        (None, Some(s)) => {
            out.push_str(file_text);
            if !out.is_empty() && !out.ends_with('\n') {
                out.push('\n');
            }
            if !out.is_empty() && !out.ends_with("\n\n") {
                out.push('\n');
            }
            out.push_str(&s);
        }
        (None, None) => out.push_str(file_text),
    }
    Ok(out)
}

/// Where the `#` comment attached to the entry starting at `start` begins (Fluent attaches
/// the single-`#` comment lines directly above an entry), or `start` when there is none.
fn attached_comment_start(text: &str, start: usize) -> usize {
    let mut begin = start;
    while begin > 0 {
        let line_end = begin - 1;
        let line_start = text[..line_end].rfind('\n').map_or(0, |i| i + 1);
        let line = &text[line_start..line_end];
        if line == "#" || line.starts_with("# ") {
            begin = line_start;
        } else {
            break;
        }
    }
    begin
}

struct EntryParts {
    value: Option<ast::Pattern<String>>,
    attributes: Vec<(String, ast::Pattern<String>)>,
}

fn parse_entry(block: &str, id: &str) -> Result<EntryParts, LocalesError> {
    let refused = || {
        LocalesError::Refused(format!(
            "`{id}` has a syntax error in its catalog; fix the file before editing it"
        ))
    };
    let resource = parser::parse(block.to_owned()).map_err(|_| refused())?;
    match resource.body.into_iter().next() {
        Some(ast::Entry::Message(m)) => Ok(EntryParts {
            value: m.value,
            attributes: m
                .attributes
                .into_iter()
                .map(|a| (a.id.name, a.value))
                .collect(),
        }),
        Some(ast::Entry::Term(t)) => Ok(EntryParts {
            value: Some(t.value),
            attributes: t
                .attributes
                .into_iter()
                .map(|a| (a.id.name, a.value))
                .collect(),
        }),
        _ => Err(refused()),
    }
}

fn serialize_entry(id: &str, entry: &EntryParts) -> String {
    let attributes = entry
        .attributes
        .iter()
        .map(|(name, value)| ast::Attribute {
            id: ast::Identifier { name: name.clone() },
            value: value.clone(),
        })
        .collect();
    let body = match id.strip_prefix('-') {
        Some(term) => ast::Entry::Term(ast::Term {
            id: ast::Identifier {
                name: term.to_owned(),
            },
            value: entry.value.clone().unwrap_or(ast::Pattern {
                elements: Vec::new(),
            }),
            attributes,
            comment: None,
        }),
        None => ast::Entry::Message(ast::Message {
            id: ast::Identifier {
                name: id.to_owned(),
            },
            value: entry.value.clone(),
            attributes,
            comment: None,
        }),
    };
    serializer::serialize(&ast::Resource { body: vec![body] })
}

#[cfg(test)]
mod tests {
    use super::*;

    const FTL: &str = "## Group\n\n# Note for\n# translators.\nhello = Hello { $name }!\n    .title = Greeting\n-brand = Northwind\n\ntasks = { $count ->\n    [one] one task\n   *[other] { $count } tasks\n}\n\n# trailing\nlast = Bye\n";

    #[test]
    fn units_cover_values_attributes_and_terms_with_notes() {
        let units = LocaleUnits::parse([("locales/en/a.ftl", FTL)]);
        assert!(units.diagnostics.is_empty(), "{:?}", units.diagnostics);
        assert_eq!(
            units.order,
            ["hello", "hello.title", "-brand", "tasks", "last"]
        );
        let hello = units.get("hello").unwrap();
        assert_eq!(hello.text, "Hello { $name }!");
        assert_eq!(hello.note.as_deref(), Some("Note for\ntranslators."));
        assert_eq!(hello.group.as_deref(), Some("Group"));
        assert_eq!(hello.location.line, 5);
        let tasks = units.get("tasks").unwrap();
        assert_eq!(
            tasks.text,
            "{ $count ->\n    [one] one task\n   *[other] { $count } tasks\n}"
        );
        assert_eq!(tasks.variables, BTreeSet::from(["count".to_owned()]));
    }

    #[test]
    fn unit_text_parses_back_to_the_same_text() {
        let units = LocaleUnits::parse([("a.ftl", FTL)]);
        for unit in units.iter() {
            assert_eq!(
                canonical_text(&unit.text).unwrap(),
                unit.text,
                "{}",
                unit.key
            );
        }
    }

    #[test]
    fn set_unit_rewrites_only_that_entry() {
        let out = set_unit(
            FTL,
            "tasks",
            Some("{ $count ->\n   *[other] { $count } things\n}"),
        )
        .unwrap();
        assert_eq!(
            out,
            FTL.replace(
                "tasks = { $count ->\n    [one] one task\n   *[other] { $count } tasks\n}",
                "tasks =\n    { $count ->\n       *[other] { $count } things\n    }"
            )
        );
        let out = set_unit(FTL, "hello.title", Some("Hi")).unwrap();
        assert!(
            out.contains("hello = Hello { $name }!\n    .title = Hi\n-brand"),
            "{out}"
        );
        let out = set_unit(FTL, "new-one", Some("New")).unwrap();
        assert!(out.ends_with("last = Bye\n\nnew-one = New\n"), "{out}");
        let out = set_unit_after(FTL, "between", Some("B"), &["nope", "-brand"]).unwrap();
        assert!(
            out.contains("-brand = Northwind\nbetween = B\n\ntasks ="),
            "{out}"
        );
        let out = set_unit(FTL, "last", None).unwrap();
        assert!(out.ends_with("}\n\n"), "{out}");
        let out = set_unit(FTL, "hello", None).unwrap();
        assert!(
            out.contains("# translators.\nhello =\n    .title = Greeting\n-brand"),
            "{out}"
        );
        let out = set_unit(&out, "hello.title", None).unwrap();
        assert!(out.starts_with("## Group\n\n-brand = Northwind\n"), "{out}");
    }

    #[test]
    fn syntax_errors_point_into_the_unit_text() {
        let e = parse_pattern("Hello\n{ $name").unwrap_err();
        assert_eq!(e.line, 2);
        assert!(parse_pattern("").is_err());
    }
}
