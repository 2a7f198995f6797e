//! Byte spans and the line:column mapping the editor (CodeMirror) uses.

use serde::{Deserialize, Serialize};
use std::ops::Range;

/// A half-open byte range `start..end` in the source text.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
pub struct Span {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl Span {
    /// The span `start..end`.
    pub const fn new(start: usize, end: usize) -> Self {
        Self { start, end }
    }

    /// As a `Range` for slicing.
    pub const fn range(self) -> Range<usize> {
        self.start..self.end
    }

    /// Number of bytes.
    pub const fn len(self) -> usize {
        self.end - self.start
    }

    /// Whether the span covers no byte.
    pub const fn is_empty(self) -> bool {
        self.start == self.end
    }

    /// Whether `offset` lies in `start..end`.
    pub const fn contains(self, offset: usize) -> bool {
        self.start <= offset && offset < self.end
    }

    /// Whether `other` lies entirely inside this span.
    pub const fn encloses(self, other: Span) -> bool {
        self.start <= other.start && other.end <= self.end
    }

    /// Whether the two spans share at least one byte.
    pub const fn overlaps(self, other: Span) -> bool {
        self.start < other.end && other.start < self.end
    }
}

impl From<Span> for Range<usize> {
    fn from(span: Span) -> Self {
        span.range()
    }
}

/// A position as the editor shows it: 1-based line, 1-based column in UTF-16 code units.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct LineCol {
    /// 1-based line number.
    pub line: usize,
    /// 1-based column, counted in UTF-16 code units like CodeMirror.
    pub col: usize,
}

/// Where lines start. Line breaks are `\n`, `\r\n` and a lone `\r`, as CodeMirror splits them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct LineIndex {
    /// Byte offset of the first byte of each line.
    starts: Vec<usize>,
}

impl LineIndex {
    pub(crate) fn new(text: &str) -> Self {
        let bytes = text.as_bytes();
        let mut starts = vec![0];
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'\n' => starts.push(i + 1),
                b'\r' if bytes.get(i + 1) == Some(&b'\n') => {
                    starts.push(i + 2);
                    i += 1;
                }
                b'\r' => starts.push(i + 1),
                _ => {}
            }
            i += 1;
        }
        Self { starts }
    }

    /// The line and UTF-16 column of a byte offset. An offset inside a character or a
    /// `\r\n` pair maps to the position before it; past the end maps to the end.
    pub(crate) fn line_col(&self, text: &str, offset: usize) -> LineCol {
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let line = self.starts.partition_point(|&start| start <= offset);
        let line_start = self.starts[line - 1];
        let line_text = &text[line_start..offset];
        let line_text = line_text.strip_suffix('\r').unwrap_or(line_text);
        let col = line_text.encode_utf16().count() + 1;
        LineCol { line, col }
    }

    /// The byte offset of a line and UTF-16 column, if they name a position on that line
    /// (the column just past the line's last character is allowed).
    pub(crate) fn offset_at(&self, text: &str, position: LineCol) -> Option<usize> {
        let line_start = *self.starts.get(position.line.checked_sub(1)?)?;
        let line_end = self
            .starts
            .get(position.line)
            .map_or(text.len(), |&next| next);
        let line_text = &text[line_start..line_end];
        let content = line_text
            .strip_suffix("\r\n")
            .or_else(|| line_text.strip_suffix('\n'))
            .or_else(|| line_text.strip_suffix('\r'))
            .unwrap_or(line_text);
        let mut units = 0;
        let wanted = position.col.checked_sub(1)?;
        for (index, ch) in content.char_indices() {
            if units == wanted {
                return Some(line_start + index);
            }
            units += ch.len_utf16();
            if units > wanted {
                return None;
            }
        }
        (units == wanted).then_some(line_start + content.len())
    }
}

/// The largest char boundary at or before `offset`.
pub(crate) fn floor_char_boundary(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_utf16_units_and_crlf_is_one_break() {
        let text = "a\r\n😀b\rc\nd";
        let index = LineIndex::new(text);
        let b = text.find('b').unwrap_or_default();
        assert_eq!(index.line_col(text, b), LineCol { line: 2, col: 3 });
        assert_eq!(
            index.line_col(text, text.find('c').unwrap_or_default()),
            LineCol { line: 3, col: 1 }
        );
        assert_eq!(index.line_col(text, 1), LineCol { line: 1, col: 2 });
        assert_eq!(index.line_col(text, 2), LineCol { line: 1, col: 2 });
        assert_eq!(index.offset_at(text, LineCol { line: 2, col: 3 }), Some(b));
        assert_eq!(index.offset_at(text, LineCol { line: 2, col: 2 }), None);
        assert_eq!(
            index.offset_at(text, LineCol { line: 4, col: 2 }),
            Some(text.len())
        );
        assert_eq!(index.offset_at(text, LineCol { line: 5, col: 1 }), None);
    }
}
