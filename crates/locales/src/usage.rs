//! Which keys a template file asks for: the literal `t("key")` / `t('key')` calls in its
//! Jinja source (dynamic keys cannot be known without rendering).

/// Keys of every literal `t("…")` call in `source`, with their byte offsets, in order.
pub fn message_references(source: &str) -> Vec<(String, usize)> {
    let bytes = source.as_bytes();
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(found) = source[from..].find("t(") {
        let at = from + found;
        from = at + 2;
        let preceded_by_name = at > 0
            && bytes
                .get(at - 1)
                .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_' || *b == b'.');
        if preceded_by_name {
            continue;
        }
        let rest = source[at + 2..].trim_start();
        let Some(quote) = rest.chars().next().filter(|c| *c == '"' || *c == '\'') else {
            continue;
        };
        let Some(end) = rest[1..].find(quote) else {
            continue;
        };
        let key = &rest[1..1 + end];
        if !key.is_empty()
            && key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        {
            out.push((key.to_owned(), at));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_literal_calls_only() {
        let src = "{{ t(\"a-b\") }} {{ t( 'c.alt', n=1) }} {{ not(\"x\") }} {{ t(var) }} {{ x.t(\"y\") }}";
        let keys: Vec<_> = message_references(src)
            .into_iter()
            .map(|(k, _)| k)
            .collect();
        assert_eq!(keys, ["a-b", "c.alt"]);
    }
}

/// Keys whose text matches the `snippet` clicked in a rendered email, best match first.
/// A text matches when the snippet reads like it with its placeables filled in
/// (`Hi { $name },` matches "Hi Ada,"), or when the snippet is part of one of its literal
/// pieces (a selection inside a long paragraph). `units` are searched in order (the locale,
/// then its fallbacks); the first unit of a key wins.
pub fn keys_for_text<'a>(
    units: impl IntoIterator<Item = &'a crate::ftl::Unit>,
    snippet: &str,
) -> Vec<String> {
    let snippet = normalise(snippet);
    if snippet.chars().count() < 2 {
        return Vec::new();
    }
    let mut seen = std::collections::BTreeSet::new();
    let mut scored: Vec<(usize, String)> = Vec::new();
    for unit in units {
        if !seen.insert(unit.key.clone()) {
            continue;
        }
        let Ok(pattern) = crate::ftl::parse_pattern(&unit.text) else {
            continue;
        };
        let mut best = None;
        for shape in shapes(&pattern) {
            let literal: usize = shape
                .iter()
                .filter_map(|p| p.as_deref())
                .map(str::len)
                .sum();
            let score = if literal > 0 && glob_matches(&shape, &snippet) {
                Some(literal * 2)
            } else if shape
                .iter()
                .flatten()
                .any(|piece| piece.chars().count() >= 3 && piece.contains(snippet.as_str()))
            {
                Some(snippet.len())
            } else {
                None
            };
            best = best.max(score);
        }
        if let Some(score) = best {
            scored.push((score, unit.key.clone()));
        }
    }
    scored.sort_by_key(|(score, _)| std::cmp::Reverse(*score));
    scored.into_iter().map(|(_, k)| k).collect()
}

fn normalise(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A pattern as literal pieces (`Some`) and holes (`None`), one shape per combination of
/// select variants (capped).
type Shape = Vec<Option<String>>;

fn shapes(pattern: &fluent_syntax::ast::Pattern<String>) -> Vec<Shape> {
    use fluent_syntax::ast;
    const MAX: usize = 32;
    let mut out: Vec<Shape> = vec![Vec::new()];
    for element in &pattern.elements {
        match element {
            ast::PatternElement::TextElement { value } => {
                for shape in &mut out {
                    shape.push(Some(normalise(value)));
                }
            }
            ast::PatternElement::Placeable {
                expression: ast::Expression::Select { variants, .. },
            } => {
                let mut next = Vec::new();
                for shape in &out {
                    for v in variants {
                        for tail in shapes(&v.value) {
                            if next.len() < MAX {
                                let mut s = shape.clone();
                                s.extend(tail);
                                next.push(s);
                            }
                        }
                    }
                }
                out = next;
            }
            ast::PatternElement::Placeable { .. } => {
                for shape in &mut out {
                    shape.push(None);
                }
            }
        }
    }
    out
}

/// True when `text` is `shape` with its holes filled (whitespace-normalised, so the pieces
/// are compared without their surrounding spaces).
fn glob_matches(shape: &Shape, text: &str) -> bool {
    let pieces: Vec<&str> = shape
        .iter()
        .map(|p| p.as_deref().map_or("", str::trim))
        .collect();
    let holes_at_start = shape.first().is_some_and(Option::is_none);
    let holes_at_end = shape.last().is_some_and(Option::is_none);
    let literal: Vec<&str> = pieces.iter().copied().filter(|p| !p.is_empty()).collect();
    let Some((first, rest)) = literal.split_first() else {
        return false;
    };
    let mut cursor = match (holes_at_start, text.find(first)) {
        (_, None) => return false,
        (false, Some(0)) => first.len(),
        (false, Some(_)) => return false,
        (true, Some(i)) => i + first.len(),
    };
    for piece in rest {
        match text[cursor..].find(piece) {
            Some(i) => cursor += i + piece.len(),
            None => return false,
        }
    }
    holes_at_end || text[cursor..].trim().is_empty()
}

#[cfg(test)]
mod text_tests {
    use super::*;
    use crate::ftl::LocaleUnits;

    #[test]
    fn clicked_text_finds_its_key() {
        // "Hi" alone is not enough: the whole shape must match.
        let units = LocaleUnits::parse([(
            "locales/en/a.ftl",
            "greeting = Hi { $name },\nsignoff = Best regards,\ntasks = { $n ->\n    [one] one task done\n   *[other] { $n } tasks done\n}\n",
        )]);
        assert_eq!(keys_for_text(units.iter(), "Hi Ada,"), ["greeting"]);
        assert_eq!(
            keys_for_text(units.iter(), "  Best\n regards, "),
            ["signoff"]
        );
        assert_eq!(keys_for_text(units.iter(), "3 tasks done"), ["tasks"]);
        assert!(keys_for_text(units.iter(), "nothing like it").is_empty());
        assert!(keys_for_text(units.iter(), "Hi there, how are you? Bye").is_empty());
        assert_eq!(keys_for_text(units.iter(), "regards"), ["signoff"]);
    }
}
