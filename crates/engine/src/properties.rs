//! The property panel's model, read from the source: an element's start tag with each
//! attribute's exact bytes, and where each attribute's effective value comes from (own
//! attribute, `mj-class`, `mj-attributes`, `mj-all`, MJML's default). Pure. Changes are
//! written by `letterpress_visual`'s checked operations (`set_attribute`, `remove_attribute`).

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
