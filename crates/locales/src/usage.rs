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
