//! The documented normalisations of the differential tests (preview == what each sending
//! path renders), one copy each: a difference these do not explain is a real difference.

/// Handlebars (the `handlebars` crate, like SES's) escapes `=` as `&#x3D;`, `'` as `&#x27;`
/// and `` ` `` as `&#x60;`; the preview writes `=` and `` ` `` as they are and `'` as
/// `&#39;`. Both mean the same characters to every HTML parser.
pub fn handlebars_escapes(html: &str) -> String {
    html.replace("&#x3D;", "=")
        .replace("&#x27;", "&#39;")
        .replace("&#x60;", "`")
}

/// Canonical character references (Postmark's Mustachio against the preview): markup
/// characters (`& < > " '`) as `&#xNN;`, every other reference as the character itself;
/// raw characters stay raw. Markup characters must be escaped on both sides; others may be
/// written either way (Mustachio, .NET's `WebUtility.HtmlEncode`, writes `é` as `&#233;`
/// and `'` as `&#39;`; the preview writes `é` as it is).
pub fn canonical_references(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let end = rest.bytes().take(12).position(|b| b == b';');
        let decoded = end.and_then(|e| {
            let name = &rest[1..e];
            let c = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                n if n.starts_with("#x") || n.starts_with("#X") => u32::from_str_radix(&n[2..], 16)
                    .ok()
                    .and_then(char::from_u32),
                n if n.starts_with('#') => n[1..].parse().ok().and_then(char::from_u32),
                _ => None,
            }?;
            Some((c, e))
        });
        match decoded {
            Some((c, e)) => {
                if matches!(c, '&' | '<' | '>' | '"' | '\'') {
                    out.push_str(&format!("&#x{:x};", u32::from(c)));
                } else {
                    out.push(c);
                }
                rest = &rest[e + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// MIME text travels with CRLF line ends (SES's TestRenderEmailTemplate answer): compared
/// as `\n`.
pub fn lf_line_ends(text: &str) -> String {
    text.replace("\r\n", "\n")
}

/// The five escaped markup characters unescaped: SES (and so the local peer) inserts
/// recipient data into HTML without escaping where the preview escapes it (`&amp;` there is
/// `&` here), so SES's HTML and the preview's are compared through this.
pub fn unescape_markup(html: &str) -> String {
    html.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}
