//! The property panel's model, read from the source and written as minimal text edits: an
//! element's start tag with each attribute's exact bytes, where each attribute's effective
//! value comes from (own attribute, `mj-class`, `mj-attributes`, `mj-all`, MJML's default),
//! and `set` / `reset` as one [`TextEdit`] that touches the value's bytes only (or inserts
//! or removes one attribute). Pure: the studio applies and checks the edits.

use crate::instrument::blank_jinja;
use htmlparser::{ElementEnd, Token};
use std::collections::BTreeMap;
use std::ops::Range;

/// One attribute as written in a start tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceAttribute {
    /// Its name.
    pub name: String,
    /// Its value as written (entities not decoded).
    pub value: String,
    /// The bytes of the value, without quotes.
    pub value_range: Range<usize>,
    /// The whole attribute, name to closing quote.
    pub range: Range<usize>,
    /// The value holds Jinja (`{{ align }}`): shown as code, not edited here.
    pub has_jinja: bool,
}

/// An element's start tag as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StartTag {
    /// Element name.
    pub name: String,
    /// Offset of `<`.
    pub start: usize,
    /// Offset after the name.
    pub name_end: usize,
    /// Its attributes, in order.
    pub attributes: Vec<SourceAttribute>,
    /// Jinja sits in the tag outside attribute values (`{% if %}padding="0"{% endif %}`):
    /// its attributes are read-only here.
    pub templated: bool,
}

impl StartTag {
    /// The attribute `name`, if written.
    pub fn attribute(&self, name: &str) -> Option<&SourceAttribute> {
        self.attributes.iter().find(|a| a.name == name)
    }
}

/// The start tag at `offset` (its `<`) in `text`, a template file as on disk.
pub fn start_tag_at(text: &str, offset: usize) -> Option<StartTag> {
    let blanked = blank_jinja(text);
    let mut tag: Option<StartTag> = None;
    // Tokens that stop before the tag ends (an error) leave no tag: `None` below.
    for token in crate::instrument::tokenize(blanked.as_str()).0 {
        match token {
            Token::ElementStart {
                prefix,
                local,
                span,
            } if span.start() == offset => {
                let name = crate::instrument::qualified(prefix.as_str(), local.as_str());
                tag = Some(StartTag {
                    name,
                    start: offset,
                    name_end: local.end(),
                    attributes: Vec::new(),
                    templated: false,
                });
            }
            Token::ElementStart { span, .. } if span.start() > offset => break,
            Token::Attribute {
                prefix,
                local,
                value,
                span,
            } => {
                if let Some(tag) = tag.as_mut() {
                    let name = crate::instrument::qualified(prefix.as_str(), local.as_str());
                    let (value_range, value) = match value {
                        Some(v) => (v.start()..v.end(), text[v.start()..v.end()].to_owned()),
                        None => (span.end()..span.end(), String::new()),
                    };
                    tag.attributes.push(SourceAttribute {
                        name,
                        has_jinja: value.contains("{{")
                            || value.contains("{%")
                            || value.contains("{#"),
                        value,
                        value_range,
                        range: span.start()..span.end(),
                    });
                }
            }
            Token::ElementEnd { end, span } => {
                if let Some(mut found) = tag.take() {
                    let end = match end {
                        ElementEnd::Empty | ElementEnd::Open => span.start(),
                        ElementEnd::Close(..) => return None,
                    };
                    // Jinja in the tag outside every value: the blanked text differs there.
                    let outside_values = (found.start..end)
                        .filter(|i| !found.attributes.iter().any(|a| a.value_range.contains(i)));
                    found.templated = outside_values
                        .into_iter()
                        .any(|i| text.as_bytes()[i] != blanked.as_bytes()[i]);
                    return Some(found);
                }
            }
            _ => {}
        }
    }
    None
}

/// A replacement of bytes `range` of a file by `insert`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextEdit {
    /// Byte range replaced.
    pub range: Range<usize>,
    /// The new text.
    pub insert: String,
}

impl TextEdit {
    /// `text` with the edit applied.
    pub fn apply(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len() + self.insert.len());
        out.push_str(&text[..self.range.start]);
        out.push_str(&self.insert);
        out.push_str(&text[self.range.end..]);
        out
    }
}

/// Why a property cannot be changed here.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EditError {
    /// No element starts at that offset.
    #[error("no element starts there")]
    NoElement,
    /// Jinja in the start tag decides its attributes.
    #[error("the attributes of this element are decided by Jinja: edit them in code")]
    Templated,
    /// The value holds Jinja.
    #[error("`{0}` holds Jinja: edit it in code")]
    JinjaValue(String),
    /// Not an attribute name.
    #[error("`{0}` is not an attribute name")]
    BadName(String),
    /// The new value would open Jinja.
    #[error("a value cannot contain `{{{{`, `{{%` or `{{#`: write Jinja in code")]
    JinjaInValue,
}

/// Sets attribute `name` of the element starting at `offset` to `value`: only the value's
/// bytes change when it is written already (its quote kept); otherwise ` name="value"` is
/// inserted after the last attribute (on its own line, indented alike, when the attributes
/// are one per line).
pub fn set_attribute(
    text: &str,
    offset: usize,
    name: &str,
    value: &str,
) -> Result<TextEdit, EditError> {
    check_name(name)?;
    if value.contains("{{") || value.contains("{%") || value.contains("{#") {
        return Err(EditError::JinjaInValue);
    }
    let tag = start_tag_at(text, offset).ok_or(EditError::NoElement)?;
    if tag.templated {
        return Err(EditError::Templated);
    }
    if let Some(a) = tag.attribute(name) {
        if a.has_jinja {
            return Err(EditError::JinjaValue(name.to_owned()));
        }
        let quote = text[..a.value_range.start].chars().last().unwrap_or('"');
        return Ok(TextEdit {
            range: a.value_range.clone(),
            insert: escape(value, quote),
        });
    }
    let after = tag.attributes.last().map_or(tag.name_end, |a| a.range.end);
    let separator = match tag.attributes.last() {
        // One per line: the last attribute starts its own line.
        Some(last) if line_indent(text, last.range.start).is_some() => {
            let indent = line_indent(text, last.range.start).unwrap_or_default();
            let newline = if text[..last.range.start].ends_with(&format!("\r\n{indent}")) {
                "\r\n"
            } else {
                "\n"
            };
            format!("{newline}{indent}")
        }
        _ => " ".to_owned(),
    };
    Ok(TextEdit {
        range: after..after,
        insert: format!("{separator}{name}=\"{}\"", escape(value, '"')),
    })
}

/// Removes attribute `name` (with the whitespace before it, so a line it had alone goes);
/// `Ok(None)` when it is not written.
pub fn remove_attribute(
    text: &str,
    offset: usize,
    name: &str,
) -> Result<Option<TextEdit>, EditError> {
    check_name(name)?;
    let tag = start_tag_at(text, offset).ok_or(EditError::NoElement)?;
    if tag.templated {
        return Err(EditError::Templated);
    }
    let Some(at) = tag.attributes.iter().position(|a| a.name == name) else {
        return Ok(None);
    };
    if tag.attributes[at].has_jinja {
        return Err(EditError::JinjaValue(name.to_owned()));
    }
    let before = if at == 0 {
        tag.name_end
    } else {
        tag.attributes[at - 1].range.end
    };
    Ok(Some(TextEdit {
        range: before..tag.attributes[at].range.end,
        insert: String::new(),
    }))
}

/// The indentation before `at` when only whitespace precedes it on its line.
fn line_indent(text: &str, at: usize) -> Option<String> {
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let indent = &text[line_start..at];
    (line_start > 0 && indent.chars().all(|c| c == ' ' || c == '\t')).then(|| indent.to_owned())
}

fn check_name(name: &str) -> Result<(), EditError> {
    let mut chars = name.chars();
    let ok = chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if ok {
        Ok(())
    } else {
        Err(EditError::BadName(name.to_owned()))
    }
}

fn escape(value: &str, quote: char) -> String {
    let mut out = value.replace('&', "&amp;").replace('<', "&lt;");
    if quote == '\'' {
        out = out.replace('\'', "&#39;");
    } else {
        out = out.replace('"', "&quot;");
    }
    out
}

/// Where an attribute's effective value comes from, in mrml's order of precedence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// Written on the element.
    Own,
    /// From `<mj-class name="…">` (the first of the element's classes that sets it).
    Class(String),
    /// From the element's tag in `<mj-attributes>`.
    Tag,
    /// From `<mj-all>`.
    All,
    /// MJML's default (not written anywhere in the project).
    Default,
}

/// What `mj-attributes` in a rendered document sets.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct HeadAttributes {
    by_class: BTreeMap<String, BTreeMap<String, String>>,
    by_tag: BTreeMap<String, BTreeMap<String, String>>,
    all: BTreeMap<String, String>,
}

impl HeadAttributes {
    /// Reads the `mj-attributes` of `mjml` (the document Jinja rendered).
    pub fn of(mjml: &str) -> HeadAttributes {
        let mut head = HeadAttributes::default();
        let mut stack: Vec<String> = Vec::new();
        let mut current: Option<(String, Vec<(String, String)>)> = None;
        for token in crate::instrument::tokenize(mjml).0 {
            match token {
                Token::ElementStart { local, .. } => {
                    current = Some((local.as_str().to_owned(), Vec::new()));
                }
                Token::Attribute { local, value, .. } => {
                    if let (Some((_, attrs)), Some(v)) = (current.as_mut(), value) {
                        attrs.push((local.as_str().to_owned(), v.as_str().to_owned()));
                    }
                }
                Token::ElementEnd { end, .. } => match end {
                    ElementEnd::Open | ElementEnd::Empty => {
                        if let Some((name, attrs)) = current.take() {
                            if stack.last().is_some_and(|p| p == "mj-attributes") {
                                head.learn(&name, attrs);
                            }
                            if matches!(end, ElementEnd::Open) {
                                stack.push(name);
                            }
                        }
                    }
                    ElementEnd::Close(..) => {
                        stack.pop();
                    }
                },
                _ => {}
            }
        }
        head
    }

    fn learn(&mut self, tag: &str, attrs: Vec<(String, String)>) {
        match tag {
            "mj-class" => {
                let name = attrs
                    .iter()
                    .find(|(n, _)| n == "name")
                    .map(|(_, v)| v.clone());
                if let Some(name) = name {
                    let entry = self.by_class.entry(name).or_default();
                    for (n, v) in attrs.into_iter().filter(|(n, _)| n != "name") {
                        entry.insert(n, v);
                    }
                }
            }
            "mj-all" => self.all.extend(attrs),
            other => self
                .by_tag
                .entry(other.to_owned())
                .or_default()
                .extend(attrs),
        }
    }

    /// The effective value of `attribute` on an element `tag` with its own attributes
    /// `own` (name → value), and where it comes from.
    pub fn effective(
        &self,
        tag: &str,
        own: &BTreeMap<String, String>,
        attribute: &str,
    ) -> (Option<String>, Origin) {
        if let Some(v) = own.get(attribute) {
            return (Some(v.clone()), Origin::Own);
        }
        if let Some(classes) = own.get("mj-class") {
            for class in classes.split(' ').map(str::trim).filter(|c| !c.is_empty()) {
                if let Some(v) = self.by_class.get(class).and_then(|a| a.get(attribute)) {
                    return (Some(v.clone()), Origin::Class(class.to_owned()));
                }
            }
        }
        if let Some(v) = self.by_tag.get(tag).and_then(|a| a.get(attribute)) {
            return (Some(v.clone()), Origin::Tag);
        }
        if let Some(v) = self.all.get(attribute) {
            return (Some(v.clone()), Origin::All);
        }
        (None, Origin::Default)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "<mj-section>\n  <mj-text mj-class=\"h\" color='#111'>Hi {{ n }}</mj-text>\n  <mj-image\n    src=\"{{ logo }}\"\n    width=\"120px\" />\n  <mj-button {% if x %}href=\"a\"{% endif %}>Go</mj-button>\n</mj-section>\n";

    fn at(needle: &str) -> usize {
        TEXT.find(needle).unwrap()
    }

    #[test]
    fn a_start_tag_is_read_with_the_bytes_of_each_value() {
        let tag = start_tag_at(TEXT, at("<mj-text")).unwrap();
        assert_eq!(tag.name, "mj-text");
        assert!(!tag.templated);
        let color = tag.attribute("color").unwrap();
        assert_eq!(&TEXT[color.value_range.clone()], "#111");
        let image = start_tag_at(TEXT, at("<mj-image")).unwrap();
        assert!(image.attribute("src").unwrap().has_jinja);
        assert!(start_tag_at(TEXT, at("<mj-button")).unwrap().templated);
        assert_eq!(start_tag_at(TEXT, at("<mj-text") + 1), None);
    }

    #[test]
    fn setting_an_existing_value_replaces_its_bytes_only_and_keeps_its_quote() {
        let edit = set_attribute(TEXT, at("<mj-text"), "color", "#0a0 'x'").unwrap();
        let out = edit.apply(TEXT);
        assert_eq!(&TEXT[edit.range.clone()], "#111");
        assert!(out.contains("color='#0a0 &#39;x&#39;'"), "{out}");
        assert_eq!(out.len() - TEXT.len(), edit.insert.len() - 4);
    }

    #[test]
    fn a_new_attribute_goes_after_the_last_one_on_its_own_line_when_they_are_one_per_line() {
        let out = set_attribute(TEXT, at("<mj-text"), "align", "center")
            .unwrap()
            .apply(TEXT);
        assert!(
            out.contains("<mj-text mj-class=\"h\" color='#111' align=\"center\">"),
            "{out}"
        );
        let out = set_attribute(TEXT, at("<mj-image"), "alt", "Logo \"N\"")
            .unwrap()
            .apply(TEXT);
        assert!(
            out.contains("    width=\"120px\"\n    alt=\"Logo &quot;N&quot;\" />"),
            "{out}"
        );
        let out = set_attribute("<mj-divider/>", 0, "border-color", "red")
            .unwrap()
            .apply("<mj-divider/>");
        assert_eq!(out, "<mj-divider border-color=\"red\"/>");
    }

    #[test]
    fn jinja_is_never_edited_here() {
        assert_eq!(
            set_attribute(TEXT, at("<mj-image"), "src", "x.png"),
            Err(EditError::JinjaValue("src".into()))
        );
        assert_eq!(
            set_attribute(TEXT, at("<mj-button"), "href", "b"),
            Err(EditError::Templated)
        );
        assert_eq!(
            set_attribute(TEXT, at("<mj-text"), "color", "{{ c }}"),
            Err(EditError::JinjaInValue)
        );
        assert_eq!(
            set_attribute(TEXT, at("<mj-text"), "on click", "x"),
            Err(EditError::BadName("on click".into()))
        );
    }

    #[test]
    fn removing_takes_the_attribute_and_its_line() {
        let out = remove_attribute(TEXT, at("<mj-image"), "width")
            .unwrap()
            .unwrap()
            .apply(TEXT);
        assert!(out.contains("src=\"{{ logo }}\" />"), "{out}");
        let out = remove_attribute(TEXT, at("<mj-text"), "mj-class")
            .unwrap()
            .unwrap()
            .apply(TEXT);
        assert!(out.contains("<mj-text color='#111'>"), "{out}");
        assert_eq!(remove_attribute(TEXT, at("<mj-text"), "align"), Ok(None));
        assert_eq!(
            remove_attribute(TEXT, at("<mj-image"), "src"),
            Err(EditError::JinjaValue("src".into()))
        );
    }

    #[test]
    fn effective_values_follow_mrmls_precedence() {
        let head = HeadAttributes::of(
            "<mjml><mj-head><mj-attributes><mj-all font-family=\"Inter\"/>\
             <mj-text color=\"#333\" font-size=\"14px\"/><mj-class name=\"h\" font-size=\"24px\"/>\
             </mj-attributes></mj-head><mj-body/></mjml>",
        );
        let own: BTreeMap<String, String> = [("mj-class".into(), "h".into())].into();
        assert_eq!(
            head.effective("mj-text", &own, "font-size"),
            (Some("24px".into()), Origin::Class("h".into()))
        );
        assert_eq!(
            head.effective("mj-text", &own, "color"),
            (Some("#333".into()), Origin::Tag)
        );
        assert_eq!(
            head.effective("mj-text", &own, "font-family"),
            (Some("Inter".into()), Origin::All)
        );
        assert_eq!(
            head.effective("mj-text", &own, "align"),
            (None, Origin::Default)
        );
    }
}
