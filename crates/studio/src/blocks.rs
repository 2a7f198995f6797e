//! The block library of the visual editor: MJML basics, written as a developer would, and
//! the project's own blocks (`blocks/*.mjml`, read through the confined reader).

use crate::Project;
use letterpress_protocol::LibraryBlock;

/// Largest project block file read.
const BLOCK_FILE_LIMIT: u64 = 256 * 1024;
/// Most project blocks listed.
const BLOCK_COUNT_LIMIT: usize = 200;

/// The built-in blocks: (id, name, MJML).
const BASICS: &[(&str, &str, &str)] = &[
    (
        "basic/one-column",
        "One column",
        "<mj-section>\n  <mj-column>\n    <mj-text>Write something here.</mj-text>\n  </mj-column>\n</mj-section>",
    ),
    (
        "basic/two-columns",
        "Two columns",
        "<mj-section>\n  <mj-column>\n    <mj-image src=\"https://example.com/image.png\" alt=\"Describe the image\" />\n  </mj-column>\n  <mj-column>\n    <mj-text>Write something here.</mj-text>\n  </mj-column>\n</mj-section>",
    ),
    (
        "basic/three-columns",
        "Three columns",
        "<mj-section>\n  <mj-column>\n    <mj-text>First</mj-text>\n  </mj-column>\n  <mj-column>\n    <mj-text>Second</mj-text>\n  </mj-column>\n  <mj-column>\n    <mj-text>Third</mj-text>\n  </mj-column>\n</mj-section>",
    ),
    (
        "basic/text",
        "Text",
        "<mj-text>Write something here.</mj-text>",
    ),
    (
        "basic/heading",
        "Heading",
        "<mj-text font-size=\"24px\" line-height=\"32px\" font-weight=\"bold\">Heading</mj-text>",
    ),
    (
        "basic/button",
        "Button",
        "<mj-button href=\"https://example.com\">Button</mj-button>",
    ),
    (
        "basic/image",
        "Image",
        "<mj-image src=\"https://example.com/image.png\" alt=\"Describe the image\" />",
    ),
    ("basic/divider", "Divider", "<mj-divider />"),
    ("basic/spacer", "Spacer", "<mj-spacer height=\"24px\" />"),
    (
        "basic/social",
        "Social links",
        "<mj-social>\n  <mj-social-element name=\"facebook\" href=\"https://example.com\">Facebook</mj-social-element>\n  <mj-social-element name=\"linkedin\" href=\"https://example.com\">LinkedIn</mj-social-element>\n</mj-social>",
    ),
    (
        "basic/table",
        "Table",
        "<mj-table>\n  <tr>\n    <th align=\"left\">Item</th>\n    <th align=\"right\">Price</th>\n  </tr>\n  <tr>\n    <td>Item</td>\n    <td align=\"right\">0.00</td>\n  </tr>\n</mj-table>",
    ),
    (
        "basic/hero",
        "Hero",
        "<mj-hero background-color=\"#f3f4f6\" padding=\"40px 24px\">\n  <mj-text align=\"center\" font-size=\"28px\" line-height=\"36px\">A headline</mj-text>\n</mj-hero>",
    ),
];

/// Element names a block may be placed in, by the MJML content model.
const PARENTS: &[&str] = &[
    "mj-body",
    "mj-wrapper",
    "mj-section",
    "mj-group",
    "mj-column",
    "mj-hero",
    "mj-social",
    "mj-navbar",
    "mj-carousel",
    "mj-accordion",
    "mj-accordion-element",
];

/// The name of a block's first element (`<mj-section …>` → `mj-section`).
fn top_element(mjml: &str) -> Option<String> {
    let tree = letterpress_visual::SourceTree::parse(mjml);
    let first = tree.elements().next()?;
    tree.element(first).map(|e| e.name.clone())
}

fn fits(mjml: &str) -> Vec<String> {
    let Some(top) = top_element(mjml) else {
        return Vec::new();
    };
    PARENTS
        .iter()
        .filter(|p| letterpress_visual::fits_in(p, &top))
        .map(|p| (*p).to_owned())
        .collect()
}

/// `order-summary.mjml` → "Order summary".
fn display_name(file: &str) -> String {
    let stem = file
        .strip_suffix(".mjml")
        .unwrap_or(file)
        .replace(['-', '_'], " ");
    let mut chars = stem.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => stem,
    }
}

/// Every block: the basics, then the project's `blocks/*.mjml` (sorted by file name; files
/// that are too large, unreadable or hold no element are left out).
pub fn library(project: &Project) -> Vec<LibraryBlock> {
    let mut out: Vec<LibraryBlock> = BASICS
        .iter()
        .map(|(id, name, mjml)| LibraryBlock {
            id: (*id).to_owned(),
            name: (*name).to_owned(),
            fits_in: fits(mjml),
            mjml: (*mjml).to_owned(),
            project: false,
            thumbnail: None,
        })
        .collect();
    let root = project.root();
    let mut names = crate::disk::list_confined(root, "blocks").unwrap_or_default();
    names.retain(|n| n.ends_with(".mjml"));
    names.sort();
    for name in names.into_iter().take(BLOCK_COUNT_LIMIT) {
        let path = format!("blocks/{name}");
        let Ok(Some(bytes)) = crate::disk::read_confined(root, &path, BLOCK_FILE_LIMIT) else {
            continue;
        };
        let Ok(mjml) = String::from_utf8(bytes) else {
            continue;
        };
        let mjml = mjml.trim_matches(['\n', '\r']).to_owned();
        let fits_in = fits(&mjml);
        if fits_in.is_empty() {
            continue;
        }
        out.push(LibraryBlock {
            id: path,
            name: display_name(&name),
            fits_in,
            mjml,
            project: true,
            thumbnail: None,
        });
    }
    let head = project_head(project);
    let limits = *project.engine().limits();
    for block in &mut out {
        block.thumbnail = thumbnail(&head, &block.mjml, &block.fits_in, limits);
    }
    out
}

/// The `<mj-head>` of the project's first template as rendered (its fonts, colours and
/// `mj-attributes` after Jinja), so thumbnails look like the project's emails; empty when
/// there is none.
fn project_head(project: &Project) -> String {
    let Some(job) = project.jobs().ok().and_then(|jobs| jobs.into_iter().next()) else {
        return String::new();
    };
    let mjml = project.render_job(&job).mjml;
    let start = mjml.find("<mj-head");
    let end = mjml.find("</mj-head>").map(|e| e + "</mj-head>".len());
    match (start, end) {
        (Some(s), Some(e)) if s < e => {
            let head = &mjml[s..e];
            // A thumbnail shows no title or preview text.
            strip_element(&strip_element(head, "mj-title"), "mj-preview")
        }
        _ => String::new(),
    }
}

/// `text` without its `<name>…</name>` elements.
fn strip_element(text: &str, name: &str) -> String {
    let (open, close) = (format!("<{name}"), format!("</{name}>"));
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(&open) {
        out.push_str(&rest[..at]);
        match rest[at..].find(&close) {
            Some(end) => rest = &rest[at + end + close.len()..],
            None => {
                rest = "";
                break;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The block rendered alone by the engine (standalone MJML, `head` first), placed where it
/// fits: in the body, a section, or a section's column.
fn thumbnail(
    head: &str,
    mjml: &str,
    fits_in: &[String],
    limits: letterpress_engine::config::Limits,
) -> Option<String> {
    use letterpress_engine::sources::MemorySources;
    let body = if fits_in.iter().any(|p| p == "mj-body") {
        mjml.to_owned()
    } else if fits_in.iter().any(|p| p == "mj-section") {
        format!("<mj-section>{mjml}</mj-section>")
    } else {
        format!("<mj-section><mj-column>{mjml}</mj-column></mj-section>")
    };
    let doc = format!("<mjml>{head}<mj-body width=\"600px\">{body}</mj-body></mjml>");
    let sources = MemorySources::new().with("block.mjml", doc);
    let engine = letterpress_engine::Engine::standalone(std::sync::Arc::new(sources), limits);
    let out = engine.render_mjml_file("block.mjml");
    (out.is_ok() && !out.html.is_empty()).then_some(out.html)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_basic_block_is_complete_mjml_that_fits_somewhere() {
        for (id, _, mjml) in BASICS {
            let tree = letterpress_visual::SourceTree::parse(mjml);
            assert!(tree.problems().is_empty(), "{id}: {:?}", tree.problems());
            assert!(!fits(mjml).is_empty(), "{id} fits nowhere");
            let wrapped = match fits(mjml).first().map(String::as_str) {
                Some("mj-body") => format!("<mjml><mj-body>{mjml}</mj-body></mjml>"),
                _ => format!(
                    "<mjml><mj-body><mj-section><mj-column>{mjml}</mj-column></mj-section></mj-body></mjml>"
                ),
            };
            assert!(
                mrml::parse(&wrapped).is_ok(),
                "{id}: {:?}",
                mrml::parse(&wrapped).err()
            );
        }
        assert_eq!(
            fits("<mj-section><mj-column/></mj-section>"),
            ["mj-body", "mj-wrapper"]
        );
        assert_eq!(display_name("order-summary.mjml"), "Order summary");
    }

    #[test]
    fn every_basic_block_has_a_thumbnail_in_the_projects_look() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let project = Project::open(&root).expect("the sample opens");
        let head = project_head(&project);
        assert!(head.contains("<mj-attributes>"), "{head}");
        assert!(!head.contains("<mj-title"), "{head}");
        for block in library(&project).iter().filter(|b| !b.project) {
            let html = block
                .thumbnail
                .as_deref()
                .unwrap_or_else(|| panic!("{} has no thumbnail", block.id));
            assert!(html.contains("<body"), "{}", block.id);
            // The project's brand colour reaches the button's thumbnail.
            if block.id == "basic/button" {
                assert!(html.contains("#4f46e5"), "{html}");
            }
        }
    }
}
