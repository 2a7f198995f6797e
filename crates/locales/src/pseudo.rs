//! Pseudo-locales, generated on the fly from the default locale (never written or synced):
//!
//! - `en-XA` (accented): every letter accented, about 35% longer, each text bracketed
//!   (`[Ĥéļļö { $name } one two]`), so truncation, untranslated strings and concatenation
//!   show at a glance.
//! - `ar-XB` (bidi): every word wrapped in right-to-left override marks, rendered `dir="rtl"`,
//!   so mirroring problems show without knowing an RTL language.
//!
//! Placeables (`{ $var }`, `{ -term }`, selectors) and markup (`<b>`, `&amp;`) stay intact.

use fluent_syntax::ast;
use fluent_syntax::parser;
use fluent_syntax::serializer;

/// A pseudo-locale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PseudoLocale {
    /// `en-XA`: accented, expanded, bracketed.
    Accented,
    /// `ar-XB`: right-to-left, mirrored.
    Bidi,
}

impl PseudoLocale {
    /// Both pseudo-locales.
    pub const ALL: [PseudoLocale; 2] = [PseudoLocale::Accented, PseudoLocale::Bidi];

    /// The BCP 47 tag.
    pub fn tag(self) -> &'static str {
        match self {
            PseudoLocale::Accented => "en-XA",
            PseudoLocale::Bidi => "ar-XB",
        }
    }

    /// The pseudo-locale for a tag (case-insensitive, `_` or `-`).
    pub fn from_tag(tag: &str) -> Option<PseudoLocale> {
        let tag = tag.replace('_', "-");
        PseudoLocale::ALL
            .into_iter()
            .find(|p| p.tag().eq_ignore_ascii_case(&tag))
    }

    /// Transforms one piece of text (no placeables in it).
    fn text(self, s: &str) -> String {
        let mut out = String::with_capacity(s.len() * 2);
        let mut chars = s.chars().peekable();
        while let Some(c) = chars.next() {
            // Markup and character references pass through untouched.
            if let Some(len) = markup_len(c, chars.clone()) {
                out.push(c);
                out.extend(chars.by_ref().take(len));
                continue;
            }
            match self {
                PseudoLocale::Accented => out.push(accent(c)),
                PseudoLocale::Bidi => {
                    if c.is_alphanumeric() {
                        out.push_str("\u{200F}\u{202E}");
                        out.push(c);
                        while let Some(&d) = chars.peek() {
                            if !d.is_alphanumeric() {
                                break;
                            }
                            out.push(d);
                            chars.next();
                        }
                        out.push_str("\u{202C}\u{200F}");
                    } else {
                        out.push(c);
                    }
                }
            }
        }
        out
    }

    /// Transforms a pattern in place.
    fn pattern(self, pattern: &mut ast::Pattern<String>) {
        let mut visible = 0usize;
        let mut has_text = false;
        for element in &mut pattern.elements {
            match element {
                ast::PatternElement::TextElement { value } => {
                    has_text = true;
                    visible += value.chars().filter(|c| !c.is_whitespace()).count();
                    *value = self.text(value);
                }
                ast::PatternElement::Placeable { expression } => self.expression(expression),
            }
        }
        if self != PseudoLocale::Accented || !has_text {
            return;
        }
        let mut padding = String::new();
        let target = (visible * 35).div_ceil(100);
        for word in PADDING.iter().cycle() {
            if padding.chars().count() >= target {
                break;
            }
            padding.push(' ');
            padding.push_str(word);
        }
        pattern
            .elements
            .insert(0, ast::PatternElement::TextElement { value: "[".into() });
        pattern.elements.push(ast::PatternElement::TextElement {
            value: format!("{padding}]"),
        });
        // Adjacent text elements are merged, as the parser would produce them.
        let mut merged: Vec<ast::PatternElement<String>> = Vec::new();
        for element in pattern.elements.drain(..) {
            match (merged.last_mut(), element) {
                (
                    Some(ast::PatternElement::TextElement { value: last }),
                    ast::PatternElement::TextElement { value },
                ) => last.push_str(&value),
                (_, element) => merged.push(element),
            }
        }
        pattern.elements = merged;
    }

    fn expression(self, expression: &mut ast::Expression<String>) {
        match expression {
            ast::Expression::Select { variants, .. } => {
                for v in variants {
                    self.pattern(&mut v.value);
                }
            }
            ast::Expression::Inline(ast::InlineExpression::Placeable { expression }) => {
                self.expression(expression);
            }
            ast::Expression::Inline(_) => {}
        }
    }

    /// The pseudo-localised version of a whole `.ftl` text (the default locale's). Entries
    /// with syntax errors are dropped (the engine reports them for the real catalog).
    pub fn catalog(self, ftl: &str) -> String {
        let mut resource = match parser::parse(ftl.to_owned()) {
            Ok(r) => r,
            Err((r, _)) => r,
        };
        resource
            .body
            .retain(|e| !matches!(e, ast::Entry::Junk { .. }));
        for entry in &mut resource.body {
            match entry {
                ast::Entry::Message(m) => {
                    if let Some(value) = &mut m.value {
                        self.pattern(value);
                    }
                    for a in &mut m.attributes {
                        self.pattern(&mut a.value);
                    }
                }
                ast::Entry::Term(t) => {
                    self.pattern(&mut t.value);
                    for a in &mut t.attributes {
                        self.pattern(&mut a.value);
                    }
                }
                _ => {}
            }
        }
        serializer::serialize(&resource)
    }

    /// The pseudo-localised text of one unit (Fluent syntax in, Fluent syntax out).
    pub fn unit(self, text: &str) -> Result<String, crate::PatternError> {
        let mut pattern = crate::ftl::parse_pattern(text)?;
        self.pattern(&mut pattern);
        Ok(crate::ftl::pattern_text(&pattern))
    }
}

/// When `first` starts a tag (`<b>`, `</a>`, `<br/>`) or a character reference (`&amp;`,
/// `&#233;`), how many more characters belong to it. A lone `<` or `&` is text.
fn markup_len(first: char, rest: std::iter::Peekable<std::str::Chars<'_>>) -> Option<usize> {
    let (close, max) = match first {
        '<' => ('>', 200),
        '&' => (';', 12),
        _ => return None,
    };
    let mut len = 0;
    for (i, c) in rest.enumerate() {
        len += 1;
        if c == close {
            return (i > 0).then_some(len);
        }
        let fits = match (first, i) {
            ('<', 0) => c.is_ascii_alphabetic() || c == '/',
            ('<', _) => c != '<' && c != '\n',
            (_, _) => c.is_ascii_alphanumeric() || (i == 0 && c == '#'),
        };
        if !fits || len >= max {
            return None;
        }
    }
    None
}

const PADDING: &[&str] = &[
    "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
];

fn accent(c: char) -> char {
    const FROM: &str = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    const TO: &str = "åƀçðéƒĝĥîĵķļɱñöþǫŕšţûṽŵẋýžÅƁÇÐÉƑĜĤÎĴĶĻṀÑÖÞǪŔŠŢÛṼŴẊÝŽ";
    FROM.chars()
        .position(|f| f == c)
        .and_then(|i| TO.chars().nth(i))
        .unwrap_or(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_resolve() {
        assert_eq!(
            PseudoLocale::from_tag("en_xa"),
            Some(PseudoLocale::Accented)
        );
        assert_eq!(PseudoLocale::from_tag("ar-XB"), Some(PseudoLocale::Bidi));
        assert_eq!(PseudoLocale::from_tag("en"), None);
    }

    #[test]
    fn accented_keeps_placeables_and_markup_and_grows_about_a_third() {
        let out = PseudoLocale::Accented
            .unit("Hello { $name }, see <b>your account</b> &amp; more")
            .unwrap();
        assert!(
            out.starts_with("[Ĥéļļö { $name }, šéé <b>ýöûŕ åççöûñţ</b> &amp; ɱöŕé"),
            "{out}"
        );
        assert!(out.ends_with(']'));
        // A lone `&` or `<` is text, not the start of markup.
        let out = PseudoLocale::Accented.unit("Q&A, a < b; c").unwrap();
        assert!(out.starts_with("[Ǫ&Å, å < ƀ; ç"), "{out}");
        let plain = "Hello, see your account and more";
        let grown = PseudoLocale::Accented.unit(plain).unwrap();
        let ratio = grown.chars().count() as f64 / plain.chars().count() as f64;
        assert!((1.3..1.6).contains(&ratio), "{ratio}: {grown}");
    }
}
