use std::fmt::Write;

use super::{Classes, Styles};

#[derive(Debug, Default)]
pub(crate) struct RenderBuffer {
    inner: String,
}

impl std::fmt::Write for RenderBuffer {
    #[inline]
    fn write_fmt(&mut self, args: std::fmt::Arguments<'_>) -> std::fmt::Result {
        self.inner.write_fmt(args)
    }

    #[inline]
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.inner.write_str(s)
    }

    #[inline]
    fn write_char(&mut self, c: char) -> std::fmt::Result {
        self.inner.write_char(c)
    }
}

/// An attribute value written the way `{:?}` writes a string (mrml's output format): quoted,
/// with Rust's escapes. Written without the formatting machinery when nothing needs escaping.
fn push_quoted(out: &mut String, value: &str) {
    // Printable ASCII other than a double quote and a backslash: `str`'s Debug writes it as is.
    if value
        .bytes()
        .all(|b| (0x20..0x7f).contains(&b) && b != b'"' && b != b'\\')
    {
        out.reserve(value.len() + 2);
        out.push('"');
        out.push_str(value);
        out.push('"');
    } else {
        // Cannot fail: writing to a String.
        let _ = write!(out, "{value:?}");
    }
}

pub(crate) trait RenderAttribute {
    fn push_value(&self, out: &mut String);
}

impl RenderAttribute for &str {
    #[inline]
    fn push_value(&self, out: &mut String) {
        out.push('=');
        push_quoted(out, self);
    }
}

impl RenderAttribute for &Classes<'_> {
    #[inline]
    fn push_value(&self, out: &mut String) {
        out.push('=');
        self.push_quoted(out);
    }
}

impl RenderAttribute for &Styles<'_> {
    #[inline]
    fn push_value(&self, out: &mut String) {
        out.push('=');
        self.push_quoted(out);
    }
}

impl RenderAttribute for Option<&str> {
    #[inline]
    fn push_value(&self, out: &mut String) {
        if let Some(value) = self {
            value.push_value(out);
        }
    }
}

impl RenderBuffer {
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            inner: String::with_capacity(capacity),
        }
    }

    #[inline]
    pub fn len(&self) -> usize {
        self.inner.len()
    }

    #[inline]
    pub fn push_str(&mut self, value: &str) {
        self.inner.push_str(value);
    }

    #[inline]
    pub fn push(&mut self, value: char) {
        self.inner.push(value);
    }

    #[inline]
    pub fn push_attribute<V: RenderAttribute>(&mut self, key: &str, value: V) -> std::fmt::Result {
        self.inner.push(' ');
        self.inner.push_str(key);
        value.push_value(&mut self.inner);
        Ok(())
    }

    #[inline]
    pub fn open_tag(&mut self, tag: &str) {
        self.inner.push('<');
        self.inner.push_str(tag);
    }

    #[inline]
    pub fn closed_tag(&mut self) {
        self.inner.push_str(" />");
    }

    #[inline]
    pub fn close_tag(&mut self) {
        self.inner.push('>');
    }

    #[inline]
    pub fn end_tag(&mut self, tag: &str) {
        self.inner.push_str("</");
        self.inner.push_str(tag);
        self.inner.push('>');
    }
}

const START_CONDITIONAL_TAG: &str = "<!--[if mso | IE]>";
const START_MSO_CONDITIONAL_TAG: &str = "<!--[if mso]>";
const END_CONDITIONAL_TAG: &str = "<![endif]-->";
const START_NEGATION_CONDITIONAL_TAG: &str = "<!--[if !mso | IE]><!-->";
const START_MSO_NEGATION_CONDITIONAL_TAG: &str = "<!--[if !mso]><!-->";
const END_NEGATION_CONDITIONAL_TAG: &str = "<!--<![endif]-->";

impl RenderBuffer {
    #[inline]
    pub fn start_conditional_tag(&mut self) {
        self.inner.push_str(START_CONDITIONAL_TAG);
    }

    #[inline]
    pub fn start_negation_conditional_tag(&mut self) {
        self.inner.push_str(START_NEGATION_CONDITIONAL_TAG);
    }

    #[inline]
    pub fn start_mso_conditional_tag(&mut self) {
        self.inner.push_str(START_MSO_CONDITIONAL_TAG);
    }

    #[inline]
    pub fn start_mso_negation_conditional_tag(&mut self) {
        self.inner.push_str(START_MSO_NEGATION_CONDITIONAL_TAG);
    }

    #[inline]
    pub fn end_conditional_tag(&mut self) {
        self.inner.push_str(END_CONDITIONAL_TAG);
    }

    #[inline]
    pub fn end_negation_conditional_tag(&mut self) {
        self.inner.push_str(END_NEGATION_CONDITIONAL_TAG);
    }
}

impl AsRef<str> for RenderBuffer {
    fn as_ref(&self) -> &str {
        self.inner.as_str()
    }
}

impl From<RenderBuffer> for String {
    fn from(value: RenderBuffer) -> Self {
        value.inner
    }
}
