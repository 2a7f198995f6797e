//! The plain-text part, derived from the email's HTML.
//!
//! Email HTML is layout tables around short blocks of text, so a general HTML-to-text layout
//! engine (tables measured into columns) spends most of a render on structure that carries no
//! meaning in plain text. This walks the HTML5 tokenizer's stream once instead: blocks become
//! lines, table cells on one row are joined, links are followed by their address in angle
//! brackets (RFC 3986, appendix C), hidden content (head, styles, the preheader,
//! `display:none`) is dropped.
//!
//! Lines are not wrapped and links are not numbered: both would depend on the recipient's
//! data (a long name moves every break, an optional link shifts every number), and a sending
//! service that fills in a template at send time cannot do either. So the text is the same
//! whether Letterpress renders it or the service does (see [`crate::bridge`]).

use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{
    BufferQueue, Tag, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};
use std::cell::RefCell;

/// Converts email HTML to readable plain text.
pub fn html_to_text(html: &str) -> String {
    let sink = TextSink::default();
    let tokenizer = Tokenizer::new(sink, TokenizerOpts::default());
    // Nothing in <head> is shown, and MJML's head is mostly CSS: start at <body> when present.
    let body = match html.find("<body") {
        Some(i) => &html[i..],
        None => html,
    };
    let queue = BufferQueue::default();
    queue.push_back(body.into());
    let _ = tokenizer.feed(&queue);
    tokenizer.end();
    tokenizer.sink.state.into_inner().finish()
}

#[derive(Default)]
struct TextSink {
    state: RefCell<TextState>,
}

#[derive(Default)]
struct TextState {
    /// Finished text.
    out: String,
    /// The line being built (whitespace already collapsed).
    line: String,
    /// A space is owed before the next word on this line.
    pending_space: bool,
    /// Blank lines owed before the next text (0, 1 = line break, 2 = blank line).
    pending_breaks: u8,
    /// Depth inside elements whose content is not shown.
    hidden: Vec<String>,
    /// Open links: (href, text length of `line`+`out` when opened, image alt seen inside).
    links: Vec<(String, usize, Option<String>)>,
    /// Cells written on the current table row.
    cells_in_row: usize,
    /// Open lists: `None` for bullets, `Some(n)` for the next number.
    lists: Vec<Option<usize>>,
    in_pre: bool,
}

const BLOCKS: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "center",
    "dd",
    "div",
    "dl",
    "dt",
    "figure",
    "footer",
    "form",
    "header",
    "li",
    "main",
    "nav",
    "section",
    "tbody",
    "thead",
    "tfoot",
    "tr",
    "pre",
];
// Tables are MJML's sections and columns: each one is a group of its own.
const PARAGRAPHS: &[&str] = &[
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "hr", "table",
];
const HIDDEN: &[&str] = &["head", "style", "script", "title", "template", "noscript"];
const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr",
];

fn attr<'a>(tag: &'a Tag, name: &str) -> Option<&'a str> {
    tag.attrs
        .iter()
        .find(|a| &*a.name.local == name)
        .map(|a| &*a.value)
}

fn is_hidden_style(style: &str) -> bool {
    // Most elements of MJML output carry a style: decide cheaply when it cannot hide anything.
    let mentions = |needle: &[u8]| {
        style
            .as_bytes()
            .windows(needle.len())
            .any(|w| w.eq_ignore_ascii_case(needle))
    };
    if !mentions(b"none") && !mentions(b"mso-hide") {
        return false;
    }
    let compact: String = style
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_lowercase();
    compact.contains("display:none") || compact.contains("mso-hide:all")
}

impl TextState {
    fn written(&self) -> usize {
        self.out.len() + self.line.len()
    }

    fn want_break(&mut self, n: u8) {
        if !self.line.is_empty() || !self.out.is_empty() {
            self.pending_breaks = self.pending_breaks.max(n);
        }
        self.pending_space = false;
    }

    fn flush_line(&mut self) {
        if self.line.is_empty() {
            return;
        }
        let line = std::mem::take(&mut self.line);
        self.out.push_str(line.trim_end());
        self.out.push('\n');
    }

    fn push_text(&mut self, text: &str) {
        if self.in_pre {
            self.start_text();
            for (i, part) in text.split('\n').enumerate() {
                if i > 0 {
                    self.flush_line();
                }
                self.line.push_str(part);
            }
            return;
        }
        for (i, word) in text.split(is_collapsible).enumerate() {
            if i > 0 {
                self.pending_space = true;
            }
            if word.is_empty() {
                continue;
            }
            self.start_text();
            if self.pending_space && !self.line.is_empty() {
                self.line.push(' ');
            }
            self.pending_space = false;
            self.line.push_str(word);
        }
    }

    /// Applies owed line breaks before text is written.
    fn start_text(&mut self) {
        if self.pending_breaks > 0 {
            self.flush_line();
            if self.pending_breaks > 1 && !self.out.is_empty() && !self.out.ends_with("\n\n") {
                self.out.push('\n');
            }
            self.pending_breaks = 0;
            self.pending_space = false;
        }
    }

    fn start_tag(&mut self, tag: &Tag) {
        let name = &*tag.name;
        if !self.hidden.is_empty() {
            if !tag.self_closing && !VOID.contains(&name) {
                self.hidden.push(name.to_owned());
            }
            return;
        }
        if HIDDEN.contains(&name) || attr(tag, "style").is_some_and(is_hidden_style) {
            if !tag.self_closing && !VOID.contains(&name) {
                self.hidden.push(name.to_owned());
            }
            return;
        }
        match name {
            "br" => {
                self.start_text();
                if self.line.is_empty() {
                    // <br><br>: an empty line.
                    if !self.out.is_empty() {
                        self.out.push('\n');
                    }
                } else {
                    self.flush_line();
                }
            }
            "td" | "th" => {
                if self.cells_in_row > 0 {
                    self.pending_space = true;
                }
                self.cells_in_row += 1;
            }
            "tr" => {
                self.cells_in_row = 0;
                self.want_break(1);
            }
            "a" => {
                let href = attr(tag, "href").unwrap_or("").trim().to_owned();
                self.links.push((href, self.written(), None));
            }
            "img" => {
                if let (Some(link), Some(alt)) = (self.links.last_mut(), attr(tag, "alt")) {
                    link.2 = Some(alt.trim().to_owned());
                }
            }
            "ul" => {
                self.lists.push(None);
                self.want_break(2);
            }
            "ol" => {
                self.lists.push(Some(1));
                self.want_break(2);
            }
            "li" => {
                self.want_break(1);
                self.start_text();
                let marker = match self.lists.last_mut() {
                    Some(Some(n)) => {
                        *n += 1;
                        format!("{}. ", *n - 1)
                    }
                    _ => "* ".to_owned(),
                };
                self.line
                    .push_str(&"  ".repeat(self.lists.len().saturating_sub(1)));
                self.line.push_str(&marker);
            }
            "pre" => {
                self.want_break(2);
                self.in_pre = true;
            }
            _ if PARAGRAPHS.contains(&name) => self.want_break(2),
            _ if BLOCKS.contains(&name) => self.want_break(1),
            _ => {}
        }
    }

    fn end_tag(&mut self, tag: &Tag) {
        let name = &*tag.name;
        if let Some(open) = self.hidden.last() {
            if open == name {
                self.hidden.pop();
            }
            return;
        }
        match name {
            "a" => {
                let Some((href, start, alt)) = self.links.pop() else {
                    return;
                };
                let has_text = self.written() > start;
                if !has_text && let Some(alt) = alt.filter(|a| !a.is_empty()) {
                    self.push_text(&alt);
                }
                let text_now = self.line.rsplit(' ').next().unwrap_or("").to_owned();
                let bare = href.strip_prefix("mailto:").unwrap_or(&href);
                let shows_url = text_now == bare || text_now.trim_end_matches(['.', ',']) == bare;
                if !href.is_empty()
                    && !href.starts_with('#')
                    && !shows_url
                    && self.written() > start
                {
                    self.line.push_str(" <");
                    self.line.push_str(&href);
                    self.line.push('>');
                }
            }
            "ul" | "ol" => {
                self.lists.pop();
                self.want_break(2);
            }
            "pre" => {
                self.in_pre = false;
                self.want_break(2);
            }
            "tr" => self.want_break(1),
            _ if PARAGRAPHS.contains(&name) => self.want_break(2),
            _ if BLOCKS.contains(&name) => self.want_break(1),
            _ => {}
        }
    }

    fn finish(mut self) -> String {
        self.flush_line();
        let mut out = String::with_capacity(self.out.len());
        // Collapse runs of blank lines left by nested layout blocks.
        let mut blank = 0;
        for line in self.out.lines() {
            if line.trim().is_empty() {
                blank += 1;
                continue;
            }
            if !out.is_empty() {
                out.push_str(if blank > 0 { "\n\n" } else { "\n" });
            }
            blank = 0;
            out.push_str(line);
        }
        out.push('\n');
        out
    }
}

/// HTML's collapsible whitespace (not the no-break space, which is meaningful in numbers).
fn is_collapsible(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\u{c}')
}

impl TokenSink for TextSink {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        let mut state = self.state.borrow_mut();
        match token {
            Token::TagToken(tag) => match tag.kind {
                TagKind::StartTag => {
                    state.start_tag(&tag);
                    // Style and script bodies are raw text, not markup.
                    match &*tag.name {
                        "style" | "script" if !tag.self_closing => {
                            return TokenSinkResult::RawData(RawKind::Rawtext);
                        }
                        "title" if !tag.self_closing => {
                            return TokenSinkResult::RawData(RawKind::Rcdata);
                        }
                        _ => {}
                    }
                }
                TagKind::EndTag => state.end_tag(&tag),
            },
            Token::CharacterTokens(text) if state.hidden.is_empty() => state.push_text(&text),
            _ => {}
        }
        TokenSinkResult::Continue
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_become_lines_and_hidden_content_disappears() {
        let html = r#"<!doctype html><html><head><title>T</title><style>p { color: red } a<b</style></head>
<body><div style="display:none;font-size:1px">preheader</div>
<table><tr><td><div>Hello   <b>Ada</b>,</div><p>Your order &amp; receipt.</p></td></tr></table>
<table><tr><td>Plan</td><td>2</td><td>€10.00</td></tr><tr><td>Seat</td><td>1</td><td>€5.00</td></tr></table>
</body></html>"#;
        assert_eq!(
            html_to_text(html),
            "Hello Ada,\n\nYour order & receipt.\n\nPlan 2 €10.00\nSeat 1 €5.00\n"
        );
    }

    #[test]
    fn links_are_followed_by_their_address_unless_they_show_it() {
        let html = r#"<p><a href="https://x.test/a">Open</a> or <a href="mailto:help@x.test">help@x.test</a>
or <a href="https://x.test/a">again</a> <a href="https://x.test/logo"><img alt="Logo" src="l.png"></a></p>"#;
        assert_eq!(
            html_to_text(html),
            "Open <https://x.test/a> or help@x.test or again <https://x.test/a> Logo <https://x.test/logo>\n"
        );
    }

    #[test]
    fn lists_breaks_and_long_lines() {
        let html = "<ul><li>one</li><li>two</li></ul><ol><li>first</li></ol>a<br>b<br><br>c";
        assert_eq!(
            html_to_text(html),
            "* one\n* two\n\n1. first\n\na\nb\n\nc\n"
        );
        // Not wrapped: where a line breaks would depend on the recipient's data.
        let long = format!("<p>{}</p>", "word ".repeat(30));
        let text = html_to_text(&long);
        assert_eq!(text.lines().count(), 1, "{text}");
        assert_eq!(text.split_whitespace().count(), 30);
    }

    #[test]
    fn no_break_spaces_in_numbers_survive() {
        assert_eq!(
            html_to_text("<p>1\u{a0}234,50\u{a0}zł</p>"),
            "1\u{a0}234,50\u{a0}zł\n"
        );
    }
}
