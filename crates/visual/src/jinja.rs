//! The Jinja scanner: finds `{{ … }}`, `{% … %}` and `{# … #}` tokens with byte offsets, the way
//! minijinja's lexer delimits them (strings and bracket balance inside expressions and
//! statements, comments ending at the first `#}`, `{% raw %}…{% endraw %}` bodies as literal
//! text), without parsing what is inside.

use crate::span::Span;
use serde::{Deserialize, Serialize};

/// What kind of Jinja token a node is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum JinjaKind {
    /// `{{ expression }}`: prints a value.
    Expression,
    /// `{% keyword … %}`: a statement; `keyword` is its first word (`if`, `endfor`, `set`…).
    Statement {
        /// The statement's first identifier, empty when there is none.
        keyword: String,
    },
    /// `{# comment #}`.
    Comment,
}

/// A whitespace-control flag next to a Jinja delimiter (`{%-`, `+%}`…).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum WhitespaceControl {
    /// No flag.
    Default,
    /// `-`: trims whitespace on that side.
    Trim,
    /// `+`: keeps whitespace on that side (disables `lstrip_blocks`/`trim_blocks`).
    Preserve,
}

impl WhitespaceControl {
    fn from_byte(byte: Option<u8>) -> Self {
        match byte {
            Some(b'-') => Self::Trim,
            Some(b'+') => Self::Preserve,
            _ => Self::Default,
        }
    }
}

/// One Jinja token as the scanner found it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScannedToken {
    /// What the token is.
    pub kind: JinjaKind,
    /// The whole token, delimiters included.
    pub span: Span,
    /// Between the delimiters and their whitespace-control flags.
    pub inner: Span,
    /// Flag after the opening delimiter.
    pub trim_before: WhitespaceControl,
    /// Flag before the closing delimiter.
    pub trim_after: WhitespaceControl,
}

/// A token whose closing delimiter never comes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UnclosedToken {
    /// Where the token (or the `{% raw %}` whose `{% endraw %}` is missing) starts.
    pub start: usize,
    /// Whether it is an unterminated raw block rather than an unterminated token.
    pub raw_block: bool,
}

/// All tokens of a text, in order, and where scanning had to stop.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct JinjaScan {
    /// Tokens in document order; they never overlap.
    pub tokens: Vec<ScannedToken>,
    /// Set when a token is not closed: everything from there on is not Jinja-scanned.
    pub unclosed: Option<UnclosedToken>,
}

/// Scans `text` for Jinja tokens.
pub fn scan(text: &str) -> JinjaScan {
    let bytes = text.as_bytes();
    let mut tokens = Vec::new();
    let mut pos = 0;
    while let Some(found) = find_start(bytes, pos) {
        let marker = bytes[found + 1];
        let flag_byte = bytes.get(found + 2).copied();
        let trim_before = WhitespaceControl::from_byte(flag_byte);
        let body_start = found + 2 + usize::from(trim_before != WhitespaceControl::Default);
        let closed = match marker {
            b'#' => close_comment(bytes, body_start),
            b'{' => close_code(bytes, body_start, b'}'),
            _ => close_code(bytes, body_start, b'%'),
        };
        let Some((inner_end, end, trim_after)) = closed else {
            return JinjaScan {
                tokens,
                unclosed: Some(UnclosedToken {
                    start: found,
                    raw_block: false,
                }),
            };
        };
        let inner = Span::new(body_start, inner_end);
        let kind = match marker {
            b'#' => JinjaKind::Comment,
            b'{' => JinjaKind::Expression,
            _ => JinjaKind::Statement {
                keyword: first_identifier(&text[inner.range()]).to_owned(),
            },
        };
        let is_raw = matches!(&kind, JinjaKind::Statement { keyword } if keyword == "raw")
            && text[inner.range()].trim() == "raw";
        tokens.push(ScannedToken {
            kind,
            span: Span::new(found, end),
            inner,
            trim_before,
            trim_after,
        });
        pos = end;
        if is_raw {
            match find_endraw(text, end) {
                Some(endraw) => {
                    pos = endraw.span.end;
                    tokens.push(endraw);
                }
                None => {
                    return JinjaScan {
                        tokens,
                        unclosed: Some(UnclosedToken {
                            start: found,
                            raw_block: true,
                        }),
                    };
                }
            }
        }
    }
    JinjaScan {
        tokens,
        unclosed: None,
    }
}

/// The next `{{`, `{%` or `{#` at or after `from`.
fn find_start(bytes: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    while i + 1 < bytes.len() {
        if bytes[i] == b'{' && matches!(bytes[i + 1], b'{' | b'%' | b'#') {
            return Some(i);
        }
        i += 1;
    }
    None
}

/// A comment ends at the first `#}`; a `-`/`+` right before it is its flag.
fn close_comment(bytes: &[u8], from: usize) -> Option<(usize, usize, WhitespaceControl)> {
    let mut i = from;
    while i + 1 < bytes.len() {
        if bytes[i] == b'#' && bytes[i + 1] == b'}' {
            return Some(with_end_flag(bytes, from, i, i + 2));
        }
        i += 1;
    }
    None
}

/// Expressions and statements end at `}}` / `%}` outside strings and brackets (minijinja's
/// lexer only looks for the end delimiter when its bracket balance is zero).
fn close_code(
    bytes: &[u8],
    from: usize,
    end_marker: u8,
) -> Option<(usize, usize, WhitespaceControl)> {
    let mut i = from;
    let mut balance: isize = 0;
    while i < bytes.len() {
        let byte = bytes[i];
        // Like minijinja: the end delimiter is looked for before the byte is lexed.
        if balance <= 0 {
            if byte == end_marker && bytes.get(i + 1) == Some(&b'}') {
                return Some(with_end_flag(bytes, from, i, i + 2));
            }
            if matches!(byte, b'-' | b'+')
                && bytes.get(i + 1) == Some(&end_marker)
                && bytes.get(i + 2) == Some(&b'}')
            {
                return Some((i, i + 3, WhitespaceControl::from_byte(Some(byte))));
            }
        }
        match byte {
            b'"' | b'\'' => {
                i = skip_string(bytes, i)?;
                continue;
            }
            b'(' | b'[' | b'{' => balance += 1,
            b')' | b']' | b'}' => balance -= 1,
            _ => {}
        }
        i += 1;
    }
    None
}

fn with_end_flag(
    bytes: &[u8],
    from: usize,
    delimiter: usize,
    end: usize,
) -> (usize, usize, WhitespaceControl) {
    let flag = if delimiter > from {
        WhitespaceControl::from_byte(bytes.get(delimiter - 1).copied())
    } else {
        WhitespaceControl::Default
    };
    let inner_end = if flag == WhitespaceControl::Default {
        delimiter
    } else {
        delimiter - 1
    };
    (inner_end, end, flag)
}

/// Past the closing quote of the string starting at `start` (backslash escapes allowed).
fn skip_string(bytes: &[u8], start: usize) -> Option<usize> {
    let quote = bytes[start];
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            byte if byte == quote => return Some(i + 1),
            _ => i += 1,
        }
    }
    None
}

fn first_identifier(inner: &str) -> &str {
    let trimmed = inner.trim_start();
    let end = trimmed
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(trimmed.len());
    &trimmed[..end]
}

/// The `{% endraw %}` (any flags, any spacing) closing a raw block whose body starts at `from`.
fn find_endraw(text: &str, from: usize) -> Option<ScannedToken> {
    let bytes = text.as_bytes();
    let mut i = from;
    while let Some(offset) = text.get(i..).and_then(|rest| rest.find("{%")) {
        let start = i + offset;
        let mut p = start + 2;
        let trim_before = WhitespaceControl::from_byte(bytes.get(p).copied());
        if trim_before != WhitespaceControl::Default {
            p += 1;
        }
        let inner_start = p;
        while bytes.get(p).is_some_and(u8::is_ascii_whitespace) {
            p += 1;
        }
        if text.get(p..).is_some_and(|rest| rest.starts_with("endraw")) {
            p += "endraw".len();
            while bytes.get(p).is_some_and(u8::is_ascii_whitespace) {
                p += 1;
            }
            let trim_after = WhitespaceControl::from_byte(bytes.get(p).copied());
            let inner_end = p;
            if trim_after != WhitespaceControl::Default {
                p += 1;
            }
            if text.get(p..).is_some_and(|rest| rest.starts_with("%}")) {
                return Some(ScannedToken {
                    kind: JinjaKind::Statement {
                        keyword: "endraw".to_owned(),
                    },
                    span: Span::new(start, p + 2),
                    inner: Span::new(inner_start, inner_end),
                    trim_before,
                    trim_after,
                });
            }
        }
        i = start + 2;
    }
    None
}

/// Whether a `{% set … %}` statement is the block form (`{% set x %}…{% endset %}`): it has no
/// `=` assignment outside strings and brackets.
pub(crate) fn is_block_set(inner: &str) -> bool {
    let bytes = inner.as_bytes();
    let mut i = 0;
    let mut balance = 0isize;
    while i < bytes.len() {
        match bytes[i] {
            b'"' | b'\'' => match skip_string(bytes, i) {
                Some(next) => {
                    i = next;
                    continue;
                }
                None => return false,
            },
            b'(' | b'[' | b'{' => balance += 1,
            b')' | b']' | b'}' => balance -= 1,
            b'=' if balance == 0 => {
                let before = i.checked_sub(1).map(|j| bytes[j]);
                let after = bytes.get(i + 1).copied();
                let comparison =
                    matches!(before, Some(b'=' | b'!' | b'<' | b'>')) || after == Some(b'=');
                if !comparison {
                    return false;
                }
            }
            _ => {}
        }
        i += 1;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spans(text: &str) -> Vec<&str> {
        scan(text)
            .tokens
            .iter()
            .map(|t| &text[t.span.range()])
            .collect()
    }

    #[test]
    fn percent_brace_inside_a_string_does_not_close_a_statement() {
        let text = r#"a {% set x = "%}" %} b {{ '}}' }} c"#;
        assert_eq!(spans(text), vec![r#"{% set x = "%}" %}"#, "{{ '}}' }}"]);
    }

    #[test]
    fn dict_literal_braces_do_not_close_an_expression() {
        let text = "{{ {'a': {'b': 1}} }}x";
        assert_eq!(spans(text), vec!["{{ {'a': {'b': 1}} }}"]);
    }

    #[test]
    fn whitespace_flags_are_read_on_both_sides() {
        let scan = scan("{%- if x +%}{{- y -}}{#- c -#}");
        let flags: Vec<_> = scan
            .tokens
            .iter()
            .map(|t| (t.trim_before, t.trim_after))
            .collect();
        assert_eq!(
            flags,
            vec![
                (WhitespaceControl::Trim, WhitespaceControl::Preserve),
                (WhitespaceControl::Trim, WhitespaceControl::Trim),
                (WhitespaceControl::Trim, WhitespaceControl::Trim),
            ]
        );
        assert_eq!(
            scan.tokens[0].kind,
            JinjaKind::Statement {
                keyword: "if".into()
            }
        );
    }

    #[test]
    fn raw_block_body_is_not_scanned() {
        let text = "{% raw %}{{ not }}{% if %}{%- endraw -%}{{ yes }}";
        assert_eq!(
            spans(text),
            vec!["{% raw %}", "{%- endraw -%}", "{{ yes }}"]
        );
    }

    #[test]
    fn unclosed_expression_stops_the_scan_where_it_starts() {
        let scan = scan("ok {{ x }} then {{ never");
        assert_eq!(scan.tokens.len(), 1);
        assert_eq!(
            scan.unclosed,
            Some(UnclosedToken {
                start: 16,
                raw_block: false
            })
        );
    }

    #[test]
    fn comment_ends_at_first_close_even_inside_quotes() {
        assert_eq!(spans("{# '#}' #}"), vec!["{# '#}"]);
    }

    #[test]
    fn block_set_is_told_from_assignment() {
        assert!(is_block_set(" set body "));
        assert!(!is_block_set(" set x = 1 "));
        assert!(is_block_set(" set x | upper "));
        assert!(!is_block_set(" set x = a == b "));
    }
}
