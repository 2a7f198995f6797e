//! The MJML layer: validation of `mj-*` elements and attributes against MJML 4, a nesting
//! depth guard, and the mrml parse + render.

use crate::diagnostic::{Code, Diagnostic, Location};

const PADDING: &[&str] = &[
    "padding",
    "padding-top",
    "padding-bottom",
    "padding-left",
    "padding-right",
];
const BORDERS: &[&str] = &[
    "border",
    "border-top",
    "border-bottom",
    "border-left",
    "border-right",
    "border-radius",
];
const FONT: &[&str] = &[
    "color",
    "font-family",
    "font-size",
    "font-style",
    "font-weight",
    "letter-spacing",
    "line-height",
    "text-decoration",
    "text-transform",
];
const LINK: &[&str] = &["href", "rel", "target", "title", "name"];

/// Every MJML 4 element the linter knows.
pub const ELEMENTS: &[&str] = &[
    "mjml",
    "mj-head",
    "mj-title",
    "mj-preview",
    "mj-attributes",
    "mj-all",
    "mj-class",
    "mj-html-attributes",
    "mj-selector",
    "mj-html-attribute",
    "mj-body",
    "mj-breakpoint",
    "mj-font",
    "mj-style",
    "mj-include",
    "mj-raw",
    "mj-accordion",
    "mj-accordion-element",
    "mj-accordion-title",
    "mj-accordion-text",
    "mj-button",
    "mj-carousel",
    "mj-carousel-image",
    "mj-column",
    "mj-divider",
    "mj-group",
    "mj-hero",
    "mj-image",
    "mj-navbar",
    "mj-navbar-link",
    "mj-section",
    "mj-wrapper",
    "mj-social",
    "mj-social-element",
    "mj-spacer",
    "mj-table",
    "mj-text",
];

/// Element → attributes (`None`: any), for editor completion. Same table as the linter.
pub fn schema() -> std::collections::BTreeMap<&'static str, Option<Vec<&'static str>>> {
    ELEMENTS
        .iter()
        .filter_map(|e| element_attributes(e).map(|attrs| (*e, attrs)))
        .collect()
}

/// Attributes MJML 4 defines per element (besides `mj-class` and `css-class`, allowed
/// everywhere). `None` means any attribute is accepted (containers of defaults).
fn element_attributes(tag: &str) -> Option<Option<Vec<&'static str>>> {
    let list = |groups: &[&[&'static str]]| Some(Some(groups.concat()));
    match tag {
        "mjml" => list(&[&["lang", "dir", "owa"]]),
        "mj-head" | "mj-title" | "mj-preview" => list(&[]),
        "mj-attributes" | "mj-all" | "mj-class" | "mj-html-attributes" | "mj-selector"
        | "mj-html-attribute" => Some(None),
        "mj-body" => list(&[&["width", "background-color"]]),
        "mj-breakpoint" => list(&[&["width"]]),
        "mj-font" => list(&[&["name", "href"]]),
        "mj-style" => list(&[&["inline"]]),
        "mj-include" => list(&[&["path", "type", "css-inline"]]),
        "mj-raw" => list(&[&["position"]]),
        "mj-accordion" | "mj-accordion-element" => list(&[
            &[
                "border",
                "container-background-color",
                "font-family",
                "icon-align",
                "icon-height",
                "icon-position",
                "icon-unwrapped-alt",
                "icon-unwrapped-url",
                "icon-width",
                "icon-wrapped-alt",
                "icon-wrapped-url",
                "background-color",
            ],
            PADDING,
        ]),
        "mj-accordion-title" | "mj-accordion-text" => {
            list(&[&["background-color", "font-size"], FONT, PADDING])
        }
        "mj-button" => list(&[
            &[
                "align",
                "background-color",
                "container-background-color",
                "height",
                "inner-padding",
                "text-align",
                "vertical-align",
                "width",
            ],
            BORDERS,
            FONT,
            LINK,
            PADDING,
        ]),
        "mj-carousel" => list(&[
            &[
                "align",
                "border-radius",
                "container-background-color",
                "icon-width",
                "left-icon",
                "right-icon",
                "tb-border",
                "tb-border-radius",
                "tb-hover-border-color",
                "tb-selected-border-color",
                "tb-width",
                "thumbnails",
            ],
            PADDING,
        ]),
        "mj-carousel-image" => list(&[
            &[
                "alt",
                "src",
                "thumbnails-src",
                "border-radius",
                "tb-border",
                "tb-border-radius",
            ],
            LINK,
        ]),
        "mj-column" => list(&[
            &[
                "background-color",
                "inner-background-color",
                "inner-border",
                "inner-border-top",
                "inner-border-bottom",
                "inner-border-left",
                "inner-border-right",
                "inner-border-radius",
                "vertical-align",
                "width",
                "direction",
            ],
            BORDERS,
            PADDING,
        ]),
        "mj-divider" => list(&[
            &[
                "align",
                "border-color",
                "border-style",
                "border-width",
                "container-background-color",
                "width",
            ],
            PADDING,
        ]),
        "mj-group" => list(&[&["background-color", "direction", "vertical-align", "width"]]),
        "mj-hero" => list(&[
            &[
                "background-color",
                "background-height",
                "background-position",
                "background-url",
                "background-width",
                "border-radius",
                "container-background-color",
                "height",
                "inner-background-color",
                "inner-padding",
                "inner-padding-top",
                "inner-padding-bottom",
                "inner-padding-left",
                "inner-padding-right",
                "mode",
                "vertical-align",
                "width",
            ],
            PADDING,
        ]),
        "mj-image" => list(&[
            &[
                "align",
                "alt",
                "container-background-color",
                "fluid-on-mobile",
                "height",
                "sizes",
                "src",
                "srcset",
                "usemap",
                "width",
            ],
            BORDERS,
            LINK,
            PADDING,
        ]),
        "mj-navbar" => list(&[&[
            "align",
            "base-url",
            "hamburger",
            "ico-align",
            "ico-close",
            "ico-color",
            "ico-font-family",
            "ico-font-size",
            "ico-line-height",
            "ico-open",
            "ico-padding",
            "ico-padding-top",
            "ico-padding-bottom",
            "ico-padding-left",
            "ico-padding-right",
            "ico-text-decoration",
            "ico-text-transform",
        ]]),
        "mj-navbar-link" => list(&[FONT, LINK, PADDING]),
        "mj-section" | "mj-wrapper" => list(&[
            &[
                "background-color",
                "background-position",
                "background-position-x",
                "background-position-y",
                "background-repeat",
                "background-size",
                "background-url",
                "direction",
                "full-width",
                "text-align",
                "gap",
            ],
            BORDERS,
            PADDING,
        ]),
        "mj-social" => list(&[
            &[
                "align",
                "border-radius",
                "container-background-color",
                "icon-height",
                "icon-padding",
                "icon-size",
                "inner-padding",
                "mode",
                "table-layout",
                "text-padding",
            ],
            FONT,
            PADDING,
        ]),
        "mj-social-element" => list(&[
            &[
                "align",
                "alt",
                "background-color",
                "border-radius",
                "icon-height",
                "icon-padding",
                "icon-position",
                "icon-size",
                "sizes",
                "src",
                "srcset",
                "text-padding",
                "vertical-align",
            ],
            FONT,
            LINK,
            PADDING,
        ]),
        "mj-spacer" => list(&[&["container-background-color", "height"], PADDING]),
        "mj-table" => list(&[
            &[
                "align",
                "border",
                "cellpadding",
                "cellspacing",
                "container-background-color",
                "role",
                "table-layout",
                "width",
            ],
            FONT,
            PADDING,
        ]),
        "mj-text" => list(&[
            &["align", "container-background-color", "height"],
            FONT,
            PADDING,
        ]),
        _ => None,
    }
}

/// Warnings for unknown `mj-*` elements and attributes in a source file (Jinja included:
/// template expressions inside tags are skipped). Positions are exact, in the source.
pub fn lint_source(file: &str, source: &str) -> Vec<Diagnostic> {
    let source = &crate::deps::blank_comments(source);
    let mut out = Vec::new();
    let bytes = source.as_bytes();
    let mut search = 0;
    // Inside mj-attributes, children name elements whose defaults they set.
    let mut in_attributes = false;
    while let Some(found) = source[search..].find('<') {
        let start = search + found;
        search = start + 1;
        if source[start..].starts_with("</mj-attributes") {
            in_attributes = false;
            continue;
        }
        if source[start..].starts_with("<!--") {
            search = source[start..]
                .find("-->")
                .map_or(source.len(), |n| start + n + 3);
            continue;
        }
        let name_start = start + 1;
        let name_end = source[name_start..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
            .map_or(source.len(), |n| name_start + n);
        let tag = &source[name_start..name_end];
        if !(tag.starts_with("mj-") || tag == "mjml") {
            continue;
        }
        let allowed = match element_attributes(tag) {
            Some(a) => a,
            None => {
                out.push(
                    Diagnostic::warning(
                        Code::UnknownElement,
                        format!("`<{tag}>` is not an MJML element"),
                        Some(Location::at_offset(file, source, name_start)),
                    )
                    .with_help("see https://documentation.mjml.io for the list of elements"),
                );
                continue;
            }
        };
        let check_attrs = !in_attributes && tag != "mj-attributes";
        if tag == "mj-attributes" {
            in_attributes = !source[start..]
                .split('>')
                .next()
                .unwrap_or("")
                .ends_with('/');
        }
        // Walk the attributes up to the closing `>` of the tag.
        let mut i = name_end;
        loop {
            while bytes.get(i).is_some_and(u8::is_ascii_whitespace) {
                i += 1;
            }
            match bytes.get(i) {
                None | Some(b'>') => break,
                Some(b'/') => {
                    i += 1;
                    continue;
                }
                Some(b'{') if matches!(bytes.get(i + 1), Some(b'{' | b'%' | b'#')) => {
                    let close = match bytes[i + 1] {
                        b'{' => "}}",
                        b'%' => "%}",
                        _ => "#}",
                    };
                    i = source[i + 2..]
                        .find(close)
                        .map_or(source.len(), |n| i + 2 + n + 2);
                    continue;
                }
                _ => {}
            }
            let attr_start = i;
            // A name may be partly templated (`padding-{{ side }}`): then it is not checked.
            let mut templated = false;
            loop {
                match bytes.get(i) {
                    Some(b'{') if matches!(bytes.get(i + 1), Some(b'{' | b'%')) => {
                        let close = if bytes[i + 1] == b'{' { "}}" } else { "%}" };
                        i = source[i + 2..]
                            .find(close)
                            .map_or(source.len(), |n| i + 2 + n + 2);
                        templated = true;
                    }
                    Some(b)
                        if !b.is_ascii_whitespace() && !matches!(b, b'=' | b'>' | b'/' | b'{') =>
                    {
                        i += 1;
                    }
                    _ => break,
                }
            }
            let attr = &source[attr_start..i];
            if attr.is_empty() {
                i += 1;
                continue;
            }
            if check_attrs
                && !templated
                && let Some(allowed) = &allowed
                && attr != "mj-class"
                && attr != "css-class"
                && !allowed.contains(&attr)
            {
                out.push(Diagnostic::warning(
                    Code::UnknownAttribute,
                    format!("`{attr}` is not an attribute of `<{tag}>`"),
                    Some(Location::at_offset(file, source, attr_start)),
                ));
            }
            while bytes.get(i).is_some_and(u8::is_ascii_whitespace) {
                i += 1;
            }
            if bytes.get(i) == Some(&b'=') {
                i += 1;
                while bytes.get(i).is_some_and(u8::is_ascii_whitespace) {
                    i += 1;
                }
                match bytes.get(i) {
                    Some(&q @ (b'"' | b'\'')) => {
                        // Quotes inside `{{ t("x") }}` do not end the value.
                        i += 1;
                        while let Some(&b) = bytes.get(i) {
                            if b == q {
                                i += 1;
                                break;
                            }
                            if b == b'{' && matches!(bytes.get(i + 1), Some(b'{' | b'%')) {
                                let close = if bytes[i + 1] == b'{' { "}}" } else { "%}" };
                                i = source[i + 2..]
                                    .find(close)
                                    .map_or(source.len(), |n| i + 2 + n + 2);
                            } else {
                                i += 1;
                            }
                        }
                    }
                    _ => {
                        while bytes
                            .get(i)
                            .is_some_and(|b| !b.is_ascii_whitespace() && *b != b'>')
                        {
                            i += 1;
                        }
                    }
                }
            }
        }
        search = i.max(search);
    }
    out
}

const VOID_ELEMENTS: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr",
];

/// The deepest element nesting in `mjml` and the byte offset where it is reached.
/// Whether `name` is an HTML void element (it opens no nesting level).
pub(crate) fn is_void_element(name: &str) -> bool {
    VOID_ELEMENTS.iter().any(|v| v.eq_ignore_ascii_case(name))
}

pub fn max_depth(mjml: &str) -> (usize, usize) {
    let bytes = mjml.as_bytes();
    let (mut depth, mut max, mut at) = (0usize, 0usize, 0usize);
    let mut i = 0;
    while let Some(found) = mjml[i..].find('<') {
        let start = i + found;
        i = start + 1;
        if mjml[start..].starts_with("<!--") {
            i = mjml[start..]
                .find("-->")
                .map_or(mjml.len(), |n| start + n + 3);
            continue;
        }
        if mjml[start..].starts_with("<!") || mjml[start..].starts_with("<?") {
            continue;
        }
        let closing = bytes.get(start + 1) == Some(&b'/');
        let name_start = start + 1 + usize::from(closing);
        let name_end = mjml[name_start..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == ':'))
            .map_or(mjml.len(), |n| name_start + n);
        let name = &mjml[name_start..name_end];
        if name.is_empty() {
            continue;
        }
        let tag_end = find_tag_end(mjml, name_end);
        i = tag_end;
        if closing {
            depth = depth.saturating_sub(1);
        } else if !(mjml[..tag_end].ends_with("/>") || is_void_element(name)) {
            depth += 1;
            if depth > max {
                max = depth;
                at = start;
            }
        }
    }
    (max, at)
}

/// Index just past the `>` closing a tag, skipping quoted attribute values.
fn find_tag_end(s: &str, from: usize) -> usize {
    let bytes = s.as_bytes();
    let mut i = from;
    loop {
        let Some(n) = bytes
            .get(i..)
            .and_then(|rest| rest.iter().position(|&b| matches!(b, b'>' | b'"' | b'\'')))
        else {
            return s.len();
        };
        i += n;
        match bytes[i] {
            b'>' => return i + 1,
            quote => match bytes[i + 1..].iter().position(|&b| b == quote) {
                Some(m) => i += m + 2,
                None => return s.len(),
            },
        }
    }
}

/// Byte span of an mrml parse error, and the `mj-include` path it is in (`None`: the root).
pub fn error_span(e: &mrml::prelude::parser::Error) -> Option<(Option<&str>, usize, usize)> {
    use mrml::prelude::parser::{Error as E, Origin};
    let (origin, position) = match e {
        E::UnexpectedElement { origin, position }
        | E::UnexpectedToken { origin, position }
        | E::MissingAttribute {
            origin, position, ..
        }
        | E::InvalidAttribute { origin, position }
        | E::InvalidFormat { origin, position }
        | E::IncludeLoaderError {
            origin, position, ..
        } => (origin, position),
        _ => return None,
    };
    let include = match origin {
        Origin::Root => None,
        Origin::Include { path } => Some(path.as_str()),
    };
    Some((include, position.start, position.end))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lint_flags_unknown_elements_and_attributes_at_their_position() {
        let src = "<mjml>\n  <mj-body>\n    <mj-text colour=\"red\" color=\"{{ t(\"a\") }}\" padding-{{ side }}=\"0\" {% if x %}align=\"left\"{% endif %} padding=\"0\">Hi</mj-text>\n    <mj-txt>no</mj-txt>\n  </mj-body>\n</mjml>";
        let d = lint_source("t.mjml", src);
        let got: Vec<_> = d
            .iter()
            .map(|d| format!("{} {} {}", d.code, d.location.as_ref().unwrap(), d.message))
            .collect();
        assert_eq!(
            got,
            [
                "unknown-attribute t.mjml:3:14 `colour` is not an attribute of `<mj-text>`",
                "unknown-element t.mjml:4:6 `<mj-txt>` is not an MJML element",
            ]
        );
    }

    #[test]
    fn schema_lists_every_element_the_linter_knows() {
        let schema = schema();
        assert_eq!(schema.len(), ELEMENTS.len());
        assert!(schema["mj-button"].as_ref().unwrap().contains(&"href"));
        assert!(schema["mj-all"].is_none());
    }

    #[test]
    fn lint_accepts_defaults_inside_mj_attributes() {
        let src =
            "<mj-attributes><mj-all font-family=\"x\" /><mj-text padding=\"0\" /></mj-attributes>";
        assert!(lint_source("t.mjml", src).is_empty());
    }

    #[test]
    fn depth_counts_nesting_and_ignores_void_and_self_closing() {
        let (d, _) = max_depth("<a><b><br><img src=\"x>y\"/><c/></b><!-- <x><y><z> --></a>");
        assert_eq!(d, 2);
        let deep = "<mj-section>".repeat(1000);
        assert_eq!(max_depth(&deep).0, 1000);
    }
}
