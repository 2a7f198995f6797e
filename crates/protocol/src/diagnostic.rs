//! Diagnostics: what went wrong (or looks wrong), where, under a stable code.

use serde::{Deserialize, Serialize};
use std::fmt;

/// How bad a diagnostic is. Errors stop a render from producing output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth a look, but the email is still produced.
    Warning,
    /// The email cannot be produced as written.
    Error,
}

/// A position in a project file: 1-based line and column (columns count characters).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Location {
    /// Project-relative path with `/` separators, e.g. `templates/welcome/body.mjml`.
    pub file: String,
    /// 1-based line.
    pub line: u32,
    /// 1-based column, in characters.
    pub column: u32,
}

impl Location {
    /// The location of byte `offset` in `source` (clamped to the source).
    pub fn at_offset(file: impl Into<String>, source: &str, offset: usize) -> Location {
        let (line, column) = line_col(source, offset);
        Location {
            file: file.into(),
            line,
            column,
        }
    }

    /// The start of a file, for problems that concern a whole file.
    pub fn start_of(file: impl Into<String>) -> Location {
        Location {
            file: file.into(),
            line: 1,
            column: 1,
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// 1-based (line, column) of a byte offset; columns count chars, offsets inside a char round down.
pub fn line_col(source: &str, offset: usize) -> (u32, u32) {
    let mut offset = offset.min(source.len());
    while !source.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &source[..offset];
    let line = before.bytes().filter(|b| *b == b'\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (to_u32(line), to_u32(column))
}

/// Byte offset of a 1-based line start, if the line exists.
pub fn line_offset(source: &str, line: u32) -> Option<usize> {
    if line == 0 {
        return None;
    }
    if line == 1 {
        return Some(0);
    }
    source
        .match_indices('\n')
        .nth(line as usize - 2)
        .map(|(i, _)| i + 1)
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Stable diagnostic codes. The string form (kebab-case) is part of the public interface:
/// CI scripts and the app match on it, so never rename one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Code {
    /// `letterpress.toml` or a `template.toml` is not valid.
    InvalidConfig,
    /// A fixture is not valid JSON or not an object, or uses a reserved key.
    InvalidFixture,
    /// Jinja syntax error.
    TemplateSyntax,
    /// A variable or attribute that the preview data does not define.
    UndefinedVariable,
    /// Any other error raised while evaluating the Jinja template.
    TemplateRuntime,
    /// `include`/`extends`/`import` names a file that does not exist.
    MissingInclude,
    /// Templates include each other in a circle.
    IncludeCycle,
    /// A path leaves the project (`..`, absolute paths, symlinks pointing outside).
    PathOutsideProject,
    /// A Fluent message used by a template exists in no locale of the fallback chain.
    MissingMessage,
    /// A Fluent message is missing in this locale; the fallback locale's text was used.
    MissingTranslation,
    /// A Fluent message no template uses.
    UnusedMessage,
    /// A Fluent message exists in a locale but not in the default locale.
    UnknownMessage,
    /// A Fluent catalog has a syntax error.
    FluentSyntax,
    /// Formatting a Fluent message failed (e.g. a variable the template did not pass).
    FluentFormat,
    /// The MJML produced by the template could not be parsed.
    MjmlSyntax,
    /// An `mj-*` element that MJML does not define.
    UnknownElement,
    /// An attribute that the MJML element does not define.
    UnknownAttribute,
    /// The template ran out of fuel (too many instructions: a runaway loop).
    LimitFuel,
    /// The rendered output exceeds the output size limit.
    LimitOutputSize,
    /// Includes/extends/imports nest deeper than the limit.
    LimitIncludeDepth,
    /// MJML elements nest deeper than the limit.
    LimitMjmlDepth,
    /// A source file is larger than the limit.
    LimitSourceSize,
    /// A locale tag is not a valid BCP 47 language tag, or is not configured.
    InvalidLocale,
    /// The requested template does not exist.
    UnknownTemplate,
    /// The requested A/B variant is not one of the template's (`template.toml`).
    UnknownVariant,
    /// A translation was made from a source text that has changed since.
    OutdatedTranslation,
    /// A translation drops or invents a `{ $variable }` compared to the source text.
    PlaceholderMismatch,
    /// Recipient data is used in a way the sending service's template language cannot
    /// express at send time (a filter, a comparison, a plural choice...).
    SendTimeUnsupported,
    /// A bug, not a problem in the project: a library panicked while rendering. The render
    /// is abandoned and reported; the process goes on.
    InternalError,
}

impl Code {
    /// The stable kebab-case name, e.g. `undefined-variable`.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::InvalidConfig => "invalid-config",
            Code::InvalidFixture => "invalid-fixture",
            Code::TemplateSyntax => "template-syntax",
            Code::UndefinedVariable => "undefined-variable",
            Code::TemplateRuntime => "template-runtime",
            Code::MissingInclude => "missing-include",
            Code::IncludeCycle => "include-cycle",
            Code::PathOutsideProject => "path-outside-project",
            Code::MissingMessage => "missing-message",
            Code::MissingTranslation => "missing-translation",
            Code::UnusedMessage => "unused-message",
            Code::UnknownMessage => "unknown-message",
            Code::FluentSyntax => "fluent-syntax",
            Code::FluentFormat => "fluent-format",
            Code::MjmlSyntax => "mjml-syntax",
            Code::UnknownElement => "unknown-element",
            Code::UnknownAttribute => "unknown-attribute",
            Code::LimitFuel => "limit-fuel",
            Code::LimitOutputSize => "limit-output-size",
            Code::LimitIncludeDepth => "limit-include-depth",
            Code::LimitMjmlDepth => "limit-mjml-depth",
            Code::LimitSourceSize => "limit-source-size",
            Code::InvalidLocale => "invalid-locale",
            Code::UnknownTemplate => "unknown-template",
            Code::UnknownVariant => "unknown-variant",
            Code::OutdatedTranslation => "outdated-translation",
            Code::PlaceholderMismatch => "placeholder-mismatch",
            Code::SendTimeUnsupported => "send-time-unsupported",
            Code::InternalError => "internal-error",
        }
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One problem found while loading or rendering, with where it is.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// Stable machine-readable code.
    pub code: Code,
    /// Human-readable message, one sentence, no location in it.
    pub message: String,
    /// Where it is, when it can be pinned to a file.
    pub location: Option<Location>,
    /// An optional hint on how to fix it.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub help: Option<String>,
}

impl Diagnostic {
    /// An error diagnostic.
    pub fn error(code: Code, message: impl Into<String>, location: Option<Location>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            code,
            message: message.into(),
            location,
            help: None,
        }
    }

    /// A warning diagnostic.
    pub fn warning(code: Code, message: impl Into<String>, location: Option<Location>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            code,
            message: message.into(),
            location,
            help: None,
        }
    }

    /// Adds a fix-it hint.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// True for errors.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// Formats the diagnostic like a compiler: header, location, source excerpt with a caret.
    /// `source` is the text of `location.file`, when the caller has it.
    pub fn display_with_source<'a>(&'a self, source: Option<&'a str>) -> DisplayDiagnostic<'a> {
        DisplayDiagnostic {
            diagnostic: self,
            source,
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.display_with_source(None).fmt(f)
    }
}

/// Compiler-style rendering of a diagnostic (see [`Diagnostic::display_with_source`]).
pub struct DisplayDiagnostic<'a> {
    diagnostic: &'a Diagnostic,
    source: Option<&'a str>,
}

impl fmt::Display for DisplayDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.diagnostic;
        let label = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        writeln!(f, "{label}[{}]: {}", d.code, d.message)?;
        if let Some(loc) = &d.location {
            writeln!(f, "  --> {loc}")?;
            if let Some(line_text) = self
                .source
                .and_then(|src| src.lines().nth(loc.line.saturating_sub(1) as usize))
            {
                let gutter = loc.line.to_string().len();
                writeln!(f, "{:gutter$} |", "")?;
                writeln!(f, "{} | {}", loc.line, line_text.trim_end())?;
                let pad: String = line_text
                    .chars()
                    .take(loc.column.saturating_sub(1) as usize)
                    .map(|c| if c == '\t' { '\t' } else { ' ' })
                    .collect();
                writeln!(f, "{:gutter$} | {pad}^", "")?;
            }
        }
        if let Some(help) = &d.help {
            writeln!(f, "  = help: {help}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_chars_not_bytes() {
        let src = "ab\nçé x";
        assert_eq!(line_col(src, 0), (1, 1));
        assert_eq!(line_col(src, 3), (2, 1));
        let x = src.find('x').unwrap();
        assert_eq!(line_col(src, x), (2, 4));
        assert_eq!(line_col(src, 10_000), (2, 5));
    }

    #[test]
    fn line_offset_finds_line_starts() {
        let src = "a\nbb\nccc";
        assert_eq!(line_offset(src, 1), Some(0));
        assert_eq!(line_offset(src, 3), Some(5));
        assert_eq!(line_offset(src, 4), None);
    }
}
