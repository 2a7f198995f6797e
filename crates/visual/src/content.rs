//! Which MJML elements may hold which: the content model the structural operations keep, so
//! a move or an inserted block never produces MJML that mrml refuses (`UnexpectedElement`).

/// Elements that hold the content of a column (`mj-column`, `mj-hero`).
const COLUMN_CONTENT: &[&str] = &[
    "mj-accordion",
    "mj-button",
    "mj-carousel",
    "mj-divider",
    "mj-image",
    "mj-navbar",
    "mj-raw",
    "mj-social",
    "mj-spacer",
    "mj-table",
    "mj-text",
    "mj-include",
];

/// The children `parent` may hold; `None` when the parent is not an MJML element with
/// element content (HTML, or `mj-attributes`, whose defaults are edited in code).
pub fn children_of(parent: &str) -> Option<&'static [&'static str]> {
    Some(match parent {
        "mjml" => &["mj-head", "mj-body", "mj-include"],
        "mj-head" => &[
            "mj-attributes",
            "mj-breakpoint",
            "mj-font",
            "mj-html-attributes",
            "mj-preview",
            "mj-raw",
            "mj-style",
            "mj-title",
            "mj-include",
        ],
        "mj-body" => &[
            "mj-hero",
            "mj-raw",
            "mj-section",
            "mj-wrapper",
            "mj-include",
        ],
        "mj-wrapper" => &["mj-hero", "mj-raw", "mj-section", "mj-include"],
        "mj-section" => &["mj-column", "mj-group", "mj-raw", "mj-include"],
        "mj-group" => &["mj-column", "mj-raw"],
        "mj-column" | "mj-hero" => COLUMN_CONTENT,
        "mj-social" => &["mj-raw", "mj-social-element"],
        "mj-navbar" => &["mj-navbar-link", "mj-raw"],
        "mj-carousel" => &["mj-carousel-image"],
        "mj-accordion" => &["mj-accordion-element", "mj-raw"],
        "mj-accordion-element" => &["mj-accordion-text", "mj-accordion-title"],
        _ => return None,
    })
}

/// Whether an element named `child` may sit in one named `parent`. Elements kept as HTML by
/// mrml (`mj-text`'s content…) take no MJML; unknown parents take none either.
pub fn fits_in(parent: &str, child: &str) -> bool {
    children_of(parent).is_some_and(|allowed| allowed.contains(&child))
}
