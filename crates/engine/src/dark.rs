//! Dark previews: copies of a rendered email as two kinds of mail client show it in dark
//! mode. Preview only; the email itself is never changed.
//!
//! - [`DarkProfile::PrefersColorScheme`]: clients that honour `prefers-color-scheme` (Apple
//!   Mail, iOS Mail, Outlook for macOS…) apply the email's own dark styles. The copy applies
//!   them unconditionally: in every `<style>`, each query of an `@media` list that asks for
//!   `prefers-color-scheme: dark` loses that condition (`all` when nothing else is left),
//!   and each one asking for `light` no longer matches (`not all`).
//! - [`DarkProfile::Inverting`]: clients that force dark mode on any email (the Gmail apps,
//!   Outlook.com and Outlook for Windows in dark mode) change its colours themselves, each
//!   by its own rules. The copy approximates a full inversion: the page's colours inverted
//!   with their hue kept (`invert(1) hue-rotate(180deg)`), images and background images
//!   inverted back so they look as they are. An approximation, and said so.

/// Which kind of client a dark preview shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DarkProfile {
    /// Clients that apply the email's `prefers-color-scheme: dark` styles.
    PrefersColorScheme,
    /// Clients that invert colours themselves (an approximation).
    Inverting,
}

/// A dark copy of an email and what the preview should say about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DarkCopy {
    /// The HTML as that kind of client shows it.
    pub html: String,
    /// What the copy is (and is not), for the preview's header.
    pub note: String,
}

/// The style the inverting emulation adds at the end of `<head>`.
const INVERTING_STYLE: &str = "<style data-lp-dark=\"inverting\">html{filter:invert(1) hue-rotate(180deg);background:#ffffff}img,video,[style*=\"background-image\"],[background]{filter:invert(1) hue-rotate(180deg)}</style>";

/// `html` as clients of `profile` show it in dark mode.
pub fn dark_copy(html: &str, profile: DarkProfile) -> DarkCopy {
    match profile {
        DarkProfile::PrefersColorScheme => {
            let (html, rules) = apply_dark_media(html);
            let note = if rules == 0 {
                "dark (prefers-color-scheme): this email has no dark-mode styles, so these clients show it as in light mode".to_owned()
            } else {
                format!(
                    "dark (prefers-color-scheme): the email's own dark styles applied ({rules} media quer{})",
                    if rules == 1 { "y" } else { "ies" }
                )
            };
            DarkCopy { html, note }
        }
        DarkProfile::Inverting => {
            let at = find_ascii_ci(html, "</head>").unwrap_or(0);
            let mut out = String::with_capacity(html.len() + INVERTING_STYLE.len());
            out.push_str(&html[..at]);
            out.push_str(INVERTING_STYLE);
            out.push_str(&html[at..]);
            DarkCopy {
                html: out,
                note: "dark (inverting clients, an approximation): colours inverted the way the Gmail apps and Outlook force dark mode; each client's own rules differ".to_owned(),
            }
        }
    }
}

/// The byte offset of the first ASCII-case-insensitive occurrence of `needle` (ASCII).
fn find_ascii_ci(hay: &str, needle: &str) -> Option<usize> {
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    if n.is_empty() || h.len() < n.len() {
        return None;
    }
    (0..=h.len() - n.len()).find(|&i| h[i..i + n.len()].eq_ignore_ascii_case(n))
}

/// `html` with the dark `@media` queries of its `<style>` elements always on, and how many
/// queries were changed.
fn apply_dark_media(html: &str) -> (String, usize) {
    let mut out = String::with_capacity(html.len());
    let mut changed = 0;
    let mut rest = html;
    while let Some(open) = find_ascii_ci(rest, "<style") {
        let Some(body_start) = rest[open..].find('>').map(|i| open + i + 1) else {
            break;
        };
        let Some(body_end) = find_ascii_ci(&rest[body_start..], "</style").map(|i| body_start + i)
        else {
            break;
        };
        out.push_str(&rest[..body_start]);
        let (css, n) = force_dark_queries(&rest[body_start..body_end]);
        out.push_str(&css);
        changed += n;
        rest = &rest[body_end..];
    }
    out.push_str(rest);
    (out, changed)
}

/// `css` with each `@media` prelude's dark condition removed (light: never matches).
fn force_dark_queries(css: &str) -> (String, usize) {
    let mut out = String::with_capacity(css.len());
    let mut changed = 0;
    let mut rest = css;
    while let Some(at) = find_ascii_ci(rest, "@media") {
        let prelude_start = at + "@media".len();
        let Some(brace) = rest[prelude_start..].find('{').map(|i| prelude_start + i) else {
            break;
        };
        out.push_str(&rest[..prelude_start]);
        let prelude = &rest[prelude_start..brace];
        if find_ascii_ci(prelude, "prefers-color-scheme").is_some() {
            let queries: Vec<String> = prelude.split(',').map(forced_query).collect();
            out.push(' ');
            out.push_str(&queries.join(", "));
            out.push(' ');
            changed += 1;
        } else {
            out.push_str(prelude);
        }
        rest = &rest[brace..];
    }
    out.push_str(rest);
    (out, changed)
}

/// One media query with its `prefers-color-scheme` feature decided for dark mode.
fn forced_query(query: &str) -> String {
    let lower = query.to_ascii_lowercase();
    let Some(start) = lower.find("(prefers-color-scheme") else {
        return query.trim().to_owned();
    };
    let Some(end) = lower[start..].find(')').map(|i| start + i + 1) else {
        return query.trim().to_owned();
    };
    if !lower[start..end].contains("dark") {
        return "not all".to_owned();
    }
    let before = query[..start].trim();
    let after = query[end..].trim();
    let before = before
        .strip_suffix("and")
        .or_else(|| before.strip_suffix("AND"))
        .map_or(before, str::trim_end);
    let after = after
        .strip_prefix("and")
        .or_else(|| after.strip_prefix("AND"))
        .map_or(after, str::trim_start);
    let left = match (before.is_empty(), after.is_empty()) {
        (true, true) => "all".to_owned(),
        (false, true) => before.to_owned(),
        (true, false) => after.to_owned(),
        (false, false) => format!("{before} and {after}"),
    };
    if left.eq_ignore_ascii_case("only") || left.eq_ignore_ascii_case("only screen") {
        return "all".to_owned();
    }
    left
}

#[cfg(test)]
mod tests {
    use super::*;

    const EMAIL: &str = "<html><head><style>a{color:#00f}@media (prefers-color-scheme: dark) { .card { background:#111 !important } }@media screen and (prefers-color-scheme:dark) and (max-width:480px){.x{color:#fff}}@media (prefers-color-scheme: light){.y{color:#000}}@media only screen and (max-width:480px){.m{width:100%}}</style></head><body><div class=\"card\">Hi</div></body></html>";

    #[test]
    fn dark_queries_apply_unconditionally_and_light_ones_never() {
        let copy = dark_copy(EMAIL, DarkProfile::PrefersColorScheme);
        assert!(copy.html.contains("@media all { .card"), "{}", copy.html);
        assert!(
            copy.html
                .contains("@media screen and (max-width:480px) {.x"),
            "{}",
            copy.html
        );
        assert!(copy.html.contains("@media not all {.y"), "{}", copy.html);
        assert!(
            copy.html
                .contains("@media only screen and (max-width:480px){.m"),
            "other queries keep their bytes"
        );
        assert!(copy.note.contains("3 media queries"), "{}", copy.note);
        assert!(
            copy.html
                .ends_with("<body><div class=\"card\">Hi</div></body></html>")
        );
    }

    #[test]
    fn an_email_without_dark_styles_says_so_and_is_unchanged() {
        let plain = "<html><head><style>a{color:red}</style></head><body>x</body></html>";
        let copy = dark_copy(plain, DarkProfile::PrefersColorScheme);
        assert_eq!(copy.html, plain);
        assert!(copy.note.contains("no dark-mode styles"));
    }

    #[test]
    fn the_inverting_emulation_adds_one_style_at_the_end_of_the_head() {
        let copy = dark_copy(EMAIL, DarkProfile::Inverting);
        assert_eq!(copy.html.len(), EMAIL.len() + INVERTING_STYLE.len());
        assert!(copy.html.contains(&format!("{INVERTING_STYLE}</head>")));
        assert!(copy.note.contains("approximation"));
    }
}
