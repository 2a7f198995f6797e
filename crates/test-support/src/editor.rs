//! What the app's editor does with the studio's answers, for tests without a UI.

use letterpress_protocol::EditorEdit;

/// `text` with `edits` applied as CodeMirror applies them: 1-based lines, columns counted in
/// characters, positions in `text` (the edits do not overlap).
pub fn apply_editor_edits(text: &str, edits: &[EditorEdit]) -> String {
    let offset = |line: u32, column: u32| {
        let start = letterpress_protocol::diagnostic::line_offset(text, line)
            .unwrap_or_else(|| panic!("line {line} is not in the text"));
        start
            + text[start..]
                .char_indices()
                .nth(column as usize - 1)
                .map_or(text.len() - start, |(i, _)| i)
    };
    let mut ranges: Vec<(usize, usize, &str)> = edits
        .iter()
        .map(|e| {
            (
                offset(e.from_line, e.from_column),
                offset(e.to_line, e.to_column),
                e.insert.as_str(),
            )
        })
        .collect();
    ranges.sort_by_key(|r| std::cmp::Reverse(r.0));
    let mut out = text.to_owned();
    for (from, to, insert) in ranges {
        out.replace_range(from..to, insert);
    }
    out
}
