//! The markup events of a text that the preview instrumentation reads (comments, start tags
//! with their attributes, the ends of tags), exactly as `htmlparser` (the tokenizer mrml is
//! built on) tokenizes the text as a fragment.
//!
//! A quick scanner reads the plain markup MJML is made of (ASCII names, quoted values,
//! comments, text). At anything else (a conditional comment, CDATA, a processing
//! instruction, a non-ASCII name, a character XML forbids, the end of the text inside a tag,
//! anything `htmlparser` would refuse) it gives up, and the whole text is read again with
//! `htmlparser` itself. So the events are `htmlparser`'s in every case; the scanner only
//! makes the common case cheaper (pass 2 of the instrumentation reads every marked render).

use htmlparser::{ElementEnd, StrSpan, Token, Tokenizer};
use std::ops::Range;

/// One markup event, in text order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Event<'a> {
    /// `<!--text-->`, with the span of the whole comment.
    Comment { text: &'a str, span: Range<usize> },
    /// `<name`: the name as written (`prefix:local` with a prefix) and the offset of `<`.
    Start { name: &'a str, start: usize },
    /// An attribute of the start tag being read: its name as written and, when it has one,
    /// its value (as written, without the quotes) and the value's span.
    Attribute {
        name: &'a str,
        value: Option<(&'a str, Range<usize>)>,
    },
    /// The `>` that ends a start tag.
    Open,
    /// The `/>` that ends an empty element.
    Empty,
    /// An end tag `</name>`.
    Close,
}

/// How the events were read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reader {
    /// The quick scanner: the text is all plain markup.
    Quick,
    /// `htmlparser`, for a text with something unusual in it.
    Exact,
}

/// Reads the events of `text` into a state made by `init`: `Some(state)` when the whole
/// text tokenizes, `None` when `htmlparser` stops at an error (or panics, as it does on
/// some truncated input).
pub(crate) fn read<'a, S>(
    text: &'a str,
    init: impl Fn() -> S,
    mut visit: impl FnMut(&mut S, Event<'a>),
) -> Option<(S, Reader)> {
    let mut state = init();
    if quick(text, &mut state, &mut visit).is_ok() {
        return Some((state, Reader::Quick));
    }
    let mut state = init();
    let complete = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        exact(text, &mut state, &mut visit)
    }));
    match complete {
        Ok(true) => Some((state, Reader::Exact)),
        _ => None,
    }
}

/// The events `htmlparser` gives; false when it stops at an error.
fn exact<'a, S>(text: &'a str, state: &mut S, visit: &mut impl FnMut(&mut S, Event<'a>)) -> bool {
    for token in Tokenizer::from_fragment(text, 0..text.len()) {
        let Ok(token) = token else {
            return false;
        };
        let event = match token {
            Token::Comment { text: inside, span } => Event::Comment {
                text: inside.as_str(),
                span: span.start()..span.end(),
            },
            Token::ElementStart {
                prefix,
                local,
                span,
            } => Event::Start {
                name: written_name(text, prefix, local),
                start: span.start(),
            },
            Token::Attribute {
                prefix,
                local,
                value,
                ..
            } => Event::Attribute {
                name: written_name(text, prefix, local),
                value: value.map(|v| (v.as_str(), v.start()..v.end())),
            },
            Token::ElementEnd { end, .. } => match end {
                ElementEnd::Open => Event::Open,
                ElementEnd::Empty => Event::Empty,
                ElementEnd::Close(..) => Event::Close,
            },
            _ => continue,
        };
        visit(state, event);
    }
    true
}

/// An element or attribute name as written: `local`, or `prefix:local` (htmlparser reads a
/// prefixed name as one run of name characters with one `:` in it).
fn written_name<'a>(text: &'a str, prefix: StrSpan<'a>, local: StrSpan<'a>) -> &'a str {
    if prefix.is_empty() {
        local.as_str()
    } else {
        text.get(prefix.start()..local.end())
            .unwrap_or(local.as_str())
    }
}

/// The quick scanner gave up: the text needs `htmlparser`.
#[derive(Debug)]
struct Unsure;

/// The events of `text` when it is all plain markup (see the module documentation).
fn quick<'a, S>(
    text: &'a str,
    state: &mut S,
    visit: &mut impl FnMut(&mut S, Event<'a>),
) -> Result<(), Unsure> {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'<' {
            i = text_end(text, i)?;
            continue;
        }
        match bytes.get(i + 1) {
            Some(b'!') => {
                if !bytes[i..].starts_with(b"<!--") {
                    return Err(Unsure);
                }
                let inside = i + 4;
                if matches!(bytes.get(inside), Some(b'[' | b'<'))
                    && (bytes[inside..].starts_with(b"[if")
                        || bytes[inside..].starts_with(b"<![endif"))
                {
                    return Err(Unsure);
                }
                let close = comment_end(bytes, inside)?;
                check_chars(&bytes[inside..close])?;
                visit(
                    state,
                    Event::Comment {
                        text: &text[inside..close],
                        span: i..close + 3,
                    },
                );
                i = close + 3;
            }
            Some(b'/') => {
                let (_, after) = name(text, i + 2)?;
                let after = skip_spaces(bytes, after);
                if bytes.get(after) != Some(&b'>') {
                    return Err(Unsure);
                }
                visit(state, Event::Close);
                i = after + 1;
            }
            Some(b'?') | None => return Err(Unsure),
            Some(_) => {
                let (element, after) = name(text, i + 1)?;
                visit(
                    state,
                    Event::Start {
                        name: element,
                        start: i,
                    },
                );
                i = start_tag_rest(text, after, state, visit)?;
            }
        }
    }
    Ok(())
}

/// The attributes and end of a start tag whose name ends at `at`; returns the offset after
/// its `>` or `/>`.
fn start_tag_rest<'a, S>(
    text: &'a str,
    mut at: usize,
    state: &mut S,
    visit: &mut impl FnMut(&mut S, Event<'a>),
) -> Result<usize, Unsure> {
    let bytes = text.as_bytes();
    loop {
        let spaced = skip_spaces(bytes, at);
        let had_space = spaced > at;
        at = spaced;
        match bytes.get(at) {
            None => return Err(Unsure),
            Some(b'>') => {
                visit(state, Event::Open);
                return Ok(at + 1);
            }
            Some(b'/') => {
                if bytes.get(at + 1) != Some(&b'>') {
                    return Err(Unsure);
                }
                visit(state, Event::Empty);
                return Ok(at + 2);
            }
            Some(_) if !had_space => return Err(Unsure),
            Some(_) => {}
        }
        let (attribute, after) = name(text, at)?;
        let eq = skip_spaces(bytes, after);
        if bytes.get(eq) != Some(&b'=') {
            // A name alone (htmlparser reads it as an attribute without a value).
            visit(
                state,
                Event::Attribute {
                    name: attribute,
                    value: None,
                },
            );
            at = after;
            continue;
        }
        let quote_at = skip_spaces(bytes, eq + 1);
        let quote = match bytes.get(quote_at) {
            Some(&q @ (b'"' | b'\'')) => q,
            _ => return Err(Unsure),
        };
        let value_start = quote_at + 1;
        let value_end = run_end(bytes, value_start, quote)?;
        if value_end == bytes.len() {
            return Err(Unsure);
        }
        visit(
            state,
            Event::Attribute {
                name: attribute,
                value: Some((&text[value_start..value_end], value_start..value_end)),
            },
        );
        at = value_end + 1;
    }
}

/// A name at `at` made of ASCII name characters, with at most one `:` inside it (both parts
/// starting with a letter or `_`); returns it and the offset after it.
fn name(text: &str, at: usize) -> Result<(&str, usize), Unsure> {
    let bytes = text.as_bytes();
    let starts_part = |i: usize| {
        bytes
            .get(i)
            .is_some_and(|&b| b.is_ascii_alphabetic() || b == b'_')
    };
    if !starts_part(at) {
        return Err(Unsure);
    }
    let run = |from: usize| {
        bytes[from..]
            .iter()
            .position(|&b| !NAME_BYTES[usize::from(b)])
            .map_or(bytes.len(), |found| from + found)
    };
    let mut end = run(at + 1);
    if bytes.get(end) == Some(&b':') {
        if !starts_part(end + 1) {
            return Err(Unsure);
        }
        end = run(end + 2);
        if bytes.get(end) == Some(&b':') {
            return Err(Unsure);
        }
    }
    if bytes.get(end).is_some_and(|b| !b.is_ascii()) {
        // A non-ASCII character may continue the name.
        return Err(Unsure);
    }
    Ok((&text[at..end], end))
}

/// XML name characters in ASCII but `:` (htmlparser's `is_xml_name` for bytes), by byte.
static NAME_BYTES: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        table[b] = c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.');
        b += 1;
    }
    table
};

fn skip_spaces(bytes: &[u8], mut at: usize) -> usize {
    while bytes
        .get(at)
        .is_some_and(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
    {
        at += 1;
    }
    at
}

/// The end of the text run starting at `at` (the next `<`, or the end), when htmlparser
/// accepts it as text.
fn text_end(text: &str, at: usize) -> Result<usize, Unsure> {
    let bytes = text.as_bytes();
    let end = run_end(bytes, at, b'<')?;
    let run = &bytes[at..end];
    // htmlparser refuses a run whose first `>` closes a `]]>`; it looks for that two bytes
    // before the `>`, and panics when those bytes are inside a character.
    if let Some(gt) = memchr::memchr(b'>', run)
        && (run[..gt].ends_with(b"]]") || gt >= 2 && is_continuation(run[gt - 2]))
    {
        return Err(Unsure);
    }
    Ok(end)
}

/// The offset of the first `stop` at or after `at` (the end of `bytes` when there is none),
/// when every character before it is one XML allows (see [`check_chars`]).
fn run_end(bytes: &[u8], at: usize, stop: u8) -> Result<usize, Unsure> {
    let rest = bytes.get(at..).unwrap_or_default();
    let end = memchr::memchr(stop, rest).map_or(bytes.len(), |found| at + found);
    check_chars(&bytes[at..end])?;
    Ok(end)
}

/// The offset of the `-->` that ends a comment whose text starts at `at`, when htmlparser
/// accepts the comment: no `--` inside it, and it does not end with `-`.
fn comment_end(bytes: &[u8], at: usize) -> Result<usize, Unsure> {
    let mut from = at;
    while let Some(found) = memchr::memchr(b'-', bytes.get(from..).unwrap_or_default()) {
        let dash = from + found;
        if bytes.get(dash + 1) == Some(&b'-') {
            // The first `--` either ends the comment or makes it one htmlparser refuses.
            return if bytes.get(dash + 2) == Some(&b'>') {
                Ok(dash)
            } else {
                Err(Unsure)
            };
        }
        from = dash + 1;
    }
    Err(Unsure)
}

/// Whether `b` continues a multi-byte UTF-8 character.
fn is_continuation(b: u8) -> bool {
    b & 0xC0 == 0x80
}

/// Refuses the characters XML does not allow (controls other than tab, newline and carriage
/// return; U+FFFE and U+FFFF).
fn check_chars(bytes: &[u8]) -> Result<(), Unsure> {
    // One branch-free pass for the common case (the compiler vectorises it).
    let suspect = bytes.iter().fold(false, |found, &b| {
        found | (b < 0x20 && b != b'\t' && b != b'\n' && b != b'\r') | (b == 0xEF)
    });
    if !suspect {
        return Ok(());
    }
    for (i, &b) in bytes.iter().enumerate() {
        if b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r') {
            return Err(Unsure);
        }
        if b == 0xEF
            && bytes.get(i + 1) == Some(&0xBF)
            && matches!(bytes.get(i + 2), Some(0xBE | 0xBF))
        {
            return Err(Unsure);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quick_events(text: &str) -> Option<Vec<Event<'_>>> {
        let mut events = Vec::new();
        quick(text, &mut events, &mut |e: &mut Vec<Event<'_>>, ev| {
            e.push(ev)
        })
        .ok()?;
        Some(events)
    }

    fn exact_events(text: &str) -> Option<Vec<Event<'_>>> {
        let mut events = Vec::new();
        let complete = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            exact(text, &mut events, &mut |e: &mut Vec<Event<'_>>, ev| {
                e.push(ev)
            })
        }));
        matches!(complete, Ok(true)).then_some(events)
    }

    /// Whenever the quick scanner reads a text, htmlparser reads it completely and gives the
    /// same events.
    fn agrees(text: &str) -> bool {
        match quick_events(text) {
            Some(quick) => {
                assert_eq!(Some(&quick), exact_events(text).as_ref(), "{text:?}");
                true
            }
            None => false,
        }
    }

    #[test]
    fn plain_markup_is_read_quickly_and_as_htmlparser_reads_it() {
        for text in [
            "",
            "text only",
            "<mjml><mj-body><!--lp:0:6--><mj-text css-class=\"a\" mj-class='b c'>Hi <a href=\"x\">y</a></mj-text></mj-body></mjml>",
            "<mj-attributes><mj-class name=\"h\" css-class=\"x\" /><mj-all padding=\"0\"/></mj-attributes>",
            "<p:mj-x a:b=\"1\"  c = 'two' disabled>x</p:mj-x >",
            "<br>a > b ]] > c<hr/>",
            "<mj-text>\n  <!--lp:t:k-->Hello<!--lp:/t-->\n</mj-text>",
            "<a title=\"<b> & ]]>\">é ü — 😀</a>",
            "<p>é> aé> ü</p>",
        ] {
            assert!(agrees(text), "not read quickly: {text:?}");
        }
    }

    #[test]
    fn anything_else_is_left_to_htmlparser() {
        for text in [
            "<!--[if mso]><table><![endif]-->",
            "<![CDATA[x]]>",
            "<?php x ?>",
            "<a b=c>",
            "<a b=\"c>",
            "<a",
            "<a b=\"1\"",
            "a ]]> b",
            "<!-- a -- b -->",
            "<!-- a --->",
            "<é>",
            "<a:b:c>",
            "<1a>",
            "<a\u{1}>",
            "x\u{FFFF}y",
            "<a/ >",
            "<a b=\"1\"c=\"2\">",
            "<",
            "</a b>",
            // htmlparser panics on these (it slices inside the `é`).
            "<a>éa> b</a>",
            "éa>",
        ] {
            assert!(quick_events(text).is_none(), "read quickly: {text:?}");
        }
    }

    #[test]
    fn mutated_markup_is_read_quickly_only_where_htmlparser_agrees() {
        let base = "<mjml><mj-head><mj-attributes><mj-class name=\"h\" css-class=\"x y\"/>\
                    <mj-text css-class='t'/></mj-attributes></mj-head><mj-body>\n  \
                    <!--lp:0:90--><mj-section><!--lp:0:102--><mj-column>\
                    <!--lp:0:113--><mj-text mj-class=\"h\">\n <!--lp:t:k-->Hi <b>x</b><!--lp:/t-->\n\
                    </mj-text><!--lp:0:150--><mj-image src=\"a.png\" /></mj-column></mj-section>\
                    </mj-body></mjml>";
        let pieces = [
            "<",
            ">",
            "/",
            "\"",
            "'",
            "=",
            " ",
            "\n",
            "-",
            "--",
            "!",
            "?",
            ":",
            "]]",
            "<!--",
            "-->",
            "<![CDATA[",
            "é",
            "\u{1}",
            "a",
            "1",
            "<b>",
            "</b>",
            "<!--lp:1:2-->",
        ];
        // A fixed pseudo-random sequence (xorshift), so every run checks the same texts.
        let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            usize::try_from(seed % n as u64).unwrap_or(0)
        };
        let mut quick_reads = 0;
        for _ in 0..4000 {
            let mut text = base.to_owned();
            for _ in 0..1 + next(3) {
                let mut at = next(text.len() + 1);
                while !text.is_char_boundary(at) {
                    at -= 1;
                }
                if next(3) == 0 {
                    let mut end = (at + next(12)).min(text.len());
                    while !text.is_char_boundary(end) {
                        end -= 1;
                    }
                    text.replace_range(at..end, "");
                } else {
                    text.insert_str(at, pieces[next(pieces.len())]);
                }
            }
            if agrees(&text) {
                quick_reads += 1;
            }
        }
        assert!(quick_reads > 1000, "only {quick_reads} texts read quickly");
    }
}
