//! Images of the preview: production URLs shown as the project's own files (`[assets]`), and,
//! when the user allows it for the project, remote images fetched by the app (the webview
//! loads nothing remote; its CSP allows `data:` images only).

use std::collections::BTreeSet;

/// The `http(s)` image URLs an email's HTML asks for: `src` and `background` attributes and
/// CSS `url(…)` (quoted or not), each once, in order of first appearance.
pub fn remote_image_urls(html: &str) -> Vec<String> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    let lower = html.to_ascii_lowercase();
    for opener in ["src=", "background=", "url("] {
        let mut from = 0;
        while let Some(found) = lower[from..].find(opener) {
            let start = from + found + opener.len();
            from = start;
            // For attributes, the name must start there (not `data-src=` or `xsrc=`).
            if opener != "url(" {
                let before = lower[..from - opener.len()].chars().next_back();
                if !matches!(before, Some(' ' | '\t' | '\n' | '\r' | '"' | '\'')) {
                    continue;
                }
            }
            let rest = &html[start..];
            let (quote, body) = match rest.chars().next() {
                Some(q @ ('"' | '\'')) => (Some(q), &rest[1..]),
                _ => (None, rest),
            };
            let end = body
                .find(|c: char| match quote {
                    Some(q) => c == q,
                    None => c.is_whitespace() || c == ')' || c == '>' || c == '"' || c == '\'',
                })
                .unwrap_or(body.len());
            let url = body[..end].replace("&amp;", "&");
            let scheme = url.get(..8).unwrap_or(&url).to_ascii_lowercase();
            if (scheme.starts_with("https://") || scheme.starts_with("http://"))
                && seen.insert(url.clone())
            {
                out.push(url);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::remote_image_urls;

    #[test]
    fn image_urls_come_from_src_background_and_css_once_each() {
        let html = r#"<td background="https://cdn.example.com/hero.jpg" style="background:url('https://cdn.example.com/hero.jpg') center">
            <img src="https://cdn.example.com/a.png?x=1&amp;y=2" alt=""><img data-src="https://no.example.com/lazy.png">
            <img SRC='http://plain.example.com/b.gif'><img src="data:image/png;base64,AAAA"><img src="/local.png">
            <div style="background-image: url(https://cdn.example.com/c.webp)"></div>
            <a href="https://example.com/page">link</a>"#;
        assert_eq!(
            remote_image_urls(html),
            [
                "https://cdn.example.com/a.png?x=1&y=2",
                "http://plain.example.com/b.gif",
                "https://cdn.example.com/hero.jpg",
                "https://cdn.example.com/c.webp",
            ]
        );
    }

    #[test]
    fn an_email_without_remote_images_asks_for_none() {
        assert!(remote_image_urls("<p>src= url( background=</p>").is_empty());
        assert!(remote_image_urls("").is_empty());
    }
}
