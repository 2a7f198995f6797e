//! Static include graph: which files a template pulls in through `extends`, `include`,
//! `import` and `from ... import` with literal names. Finds missing files, cycles and
//! over-deep nesting with the exact position of the offending tag, before anything runs.

use crate::config::Limits;
use crate::diagnostic::{Code, Diagnostic, Location};
use crate::jinja::normalise_newlines;
use crate::sources::{SourceError, Sources, check_relative_path};

/// One literal reference from a template to another file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// The referenced project-relative path, as written.
    pub target: String,
    /// Byte offset of the path's string literal in the referencing file.
    pub offset: usize,
}

/// Literal references in a Jinja source: `{% extends "x" %}`, `{% include "x" %}`,
/// `{% import "x" as y %}`, `{% from "x" import y %}`. Dynamic names are skipped (they are
/// checked when rendering).
pub fn references(source: &str) -> Vec<Reference> {
    let source = &blank_comments(source);
    let mut out = Vec::new();
    let mut rest = 0;
    while let Some(found) = source[rest..].find("{%") {
        let mut i = rest + found + 2;
        rest = i;
        let bytes = source.as_bytes();
        if matches!(bytes.get(i), Some(b'-' | b'+')) {
            i += 1;
        }
        while bytes.get(i).is_some_and(u8::is_ascii_whitespace) {
            i += 1;
        }
        let keyword_end = source[i..]
            .find(|c: char| !c.is_ascii_alphabetic())
            .map_or(source.len(), |n| i + n);
        if !matches!(
            &source[i..keyword_end],
            "extends" | "include" | "import" | "from"
        ) {
            continue;
        }
        i = keyword_end;
        while bytes.get(i).is_some_and(u8::is_ascii_whitespace) {
            i += 1;
        }
        let Some(&quote) = bytes.get(i).filter(|b| matches!(b, b'"' | b'\'')) else {
            continue;
        };
        let start = i + 1;
        if let Some(len) = source[start..].find(quote as char) {
            out.push(Reference {
                target: source[start..start + len].to_owned(),
                offset: start,
            });
        }
    }
    out
}

/// `source` with the inside of every Jinja comment (`{# ... #}`) replaced by spaces, keeping
/// newlines, so byte offsets and line numbers still match the original.
pub fn blank_comments(source: &str) -> std::borrow::Cow<'_, str> {
    if !source.contains("{#") {
        return std::borrow::Cow::Borrowed(source);
    }
    let mut out = String::with_capacity(source.len());
    let mut rest = source;
    while let Some(start) = rest.find("{#") {
        out.push_str(&rest[..start]);
        let end = rest[start..]
            .find("#}")
            .map_or(rest.len(), |n| start + n + 2);
        for c in rest[start..end].chars() {
            if c == '\n' {
                out.push('\n');
            } else {
                // One space per byte keeps every later offset valid.
                out.extend(std::iter::repeat_n(' ', c.len_utf8()));
            }
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    std::borrow::Cow::Owned(out)
}

/// Walks the include graph from `root`, returning every file reached (root first) and the
/// problems found: missing files, cycles, depth over the limit, paths leaving the project.
pub fn walk(sources: &dyn Sources, root: &str, limits: &Limits) -> (Vec<String>, Vec<Diagnostic>) {
    let mut visited = vec![root.to_owned()];
    let mut diagnostics = Vec::new();
    let mut stack = vec![root.to_owned()];
    visit(
        sources,
        root,
        limits,
        &mut stack,
        &mut visited,
        &mut diagnostics,
    );
    (visited, diagnostics)
}

fn visit(
    sources: &dyn Sources,
    file: &str,
    limits: &Limits,
    stack: &mut Vec<String>,
    visited: &mut Vec<String>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let Ok(Some(text)) = sources.read(file) else {
        return;
    };
    let text = normalise_newlines(&text);
    for reference in references(&text) {
        let here = || Location::at_offset(file, &text, reference.offset);
        if check_relative_path(&reference.target).is_err() {
            diagnostics.push(
                Diagnostic::error(
                    Code::PathOutsideProject,
                    format!("`{}` is not a path inside the project", reference.target),
                    Some(here()),
                )
                .with_help("write paths from the project root, e.g. \"partials/footer.mjml\""),
            );
            continue;
        }
        if let Some(pos) = stack.iter().position(|f| *f == reference.target) {
            let mut cycle = stack[pos..].to_vec();
            cycle.push(reference.target.clone());
            diagnostics.push(Diagnostic::error(
                Code::IncludeCycle,
                format!("include cycle: {}", cycle.join(" → ")),
                Some(here()),
            ));
            continue;
        }
        if stack.len() >= limits.include_depth {
            diagnostics.push(Diagnostic::error(
                Code::LimitIncludeDepth,
                format!(
                    "includes nest deeper than the limit of {} levels",
                    limits.include_depth
                ),
                Some(here()),
            ));
            continue;
        }
        match sources.read(&reference.target) {
            Ok(Some(_)) => {
                if !visited.contains(&reference.target) {
                    visited.push(reference.target.clone());
                }
                stack.push(reference.target.clone());
                visit(
                    sources,
                    &reference.target,
                    limits,
                    stack,
                    visited,
                    diagnostics,
                );
                stack.pop();
            }
            Ok(None) => diagnostics.push(Diagnostic::error(
                Code::MissingInclude,
                format!("`{}` does not exist", reference.target),
                Some(here()),
            )),
            Err(SourceError::OutsideProject(_)) => diagnostics.push(Diagnostic::error(
                Code::PathOutsideProject,
                format!("`{}` leads outside the project", reference.target),
                Some(here()),
            )),
            Err(e) => diagnostics.push(Diagnostic::error(
                Code::MissingInclude,
                e.to_string(),
                Some(here()),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sources::MemorySources;

    #[test]
    fn finds_literal_references_only() {
        let src = r#"{% extends "layouts/base.mjml" %}{%- include 'partials/a.mjml' %}
{% include name %}{% from "partials/m.mjml" import button %}{% if x %}{% endif %}"#;
        let targets: Vec<_> = references(src).into_iter().map(|r| r.target).collect();
        assert_eq!(
            targets,
            ["layouts/base.mjml", "partials/a.mjml", "partials/m.mjml"]
        );
    }

    #[test]
    fn references_in_comments_are_ignored() {
        let src = "{# {% import \"partials/m.mjml\" as ui %} #}\n{% include \"a.mjml\" %}";
        let refs = references(src);
        assert_eq!(refs.len(), 1);
        assert_eq!(refs[0].target, "a.mjml");
        assert_eq!(&src[refs[0].offset..refs[0].offset + 6], "a.mjml");
    }

    #[test]
    fn cycles_are_reported_at_the_include_that_closes_them() {
        let s = MemorySources::new()
            .with("a.mjml", "{% include \"b.mjml\" %}")
            .with("b.mjml", "x\n{% include \"a.mjml\" %}");
        let (_, d) = walk(&s, "a.mjml", &Limits::default());
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].code, Code::IncludeCycle);
        assert_eq!(d[0].message, "include cycle: a.mjml → b.mjml → a.mjml");
        assert_eq!(d[0].location.as_ref().unwrap().to_string(), "b.mjml:2:13");
    }
}
