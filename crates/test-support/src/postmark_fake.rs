//! `PostmarkContractFake`: an in-process **contract fake** of Postmark's Templates API, for
//! testing the Postmark sync client over real HTTP (plain `http://127.0.0.1:PORT`). It is NOT
//! Postmark and NOT derived from Postmark's code: it models the public documentation only, so a
//! test passing here means "matches the documented contract", never "works against Postmark".
//!
//! Sources followed (as read from stored copies of the public pages/repositories):
//! * <https://postmarkapp.com/developer/api/templates-api> — endpoints, field names, the
//!   Alias format rule, Subject/LayoutTemplate rules for layouts, the validate request/response.
//! * <https://postmarkapp.com/developer/api/overview> — `X-Postmark-Server-Token`, header name
//!   and value case-insensitive, 401 on a bad/missing token, 422 + `{ErrorCode, Message}` for
//!   API errors, and the API error-code table (10, 402, 403, 409, 429, 1100–1131).
//! * <https://postmarkapp.com/support/article/1077-template-syntax> and
//!   <https://postmarkapp.com/support/article/1174-managing-layouts-with-postmark-s-api>.
//! * Messages copied from real responses recorded in public repositories: 1101 (cassette in
//!   Stranger6667/postmarker), `Template N removed.`, the validate response shape, 10
//!   (`Request does not contain a valid Server token.`), 402 (`Received invalid JSON input.`),
//!   1109 (`No template data received.`, also what `GET /templates/validate` answers), and the
//!   duplicate-alias message (ActiveCampaign/postmark-cli#33; its ErrorCode is not public —
//!   the fake uses 1122).
//! * The Mustachio engine (github.com/ActiveCampaign/mustachio: `Mustachio/Tokenizer.cs`,
//!   `Parser.cs`, `ContextObject.cs`) — reimplemented here, see [`render_mustachio`].
//!
//! Modelled: GET/POST `/templates`, GET/PUT/DELETE `/templates/{idOrAlias}`,
//! POST `/templates/validate`; auth; `Accept: application/json`; Standard/Layout templates and
//! the `{{{ @content }}}` placeholder; alias format/uniqueness; Mustachio syntax errors with
//! line/character; layout-in-use protection (1130); the 100-templates-per-server limit (1105);
//! HTTP/1.1 keep-alive, `Content-Length` and chunked bodies; injected faults and a rate limit.
//!
//! Answers (all errors are `{"ErrorCode": n, "Message": "…"}`): 401/10 missing or wrong token;
//! 422/409 no `Accept: application/json`; 422/1109 empty body; 422/402 invalid JSON; 422/403
//! body not an object; 422/1100 bad `Count`/`Offset`/`TemplateType` query; 422/1101 unknown
//! template or `LayoutTemplate`; 422/1120 missing `Name`/`Subject`/bodies; 422/1122 bad alias,
//! duplicate alias, wrong field type, Mustachio syntax error, CSS inlining requested; 422/1123
//! `Subject`/`LayoutTemplate` on a layout, `TemplateType` change; 422/1130 deleting a layout in
//! use; 422/1131 placeholder rules; 422/1105 template limit; 404/404 unknown route;
//! 400/413/431 malformed HTTP (then the connection is closed).
//!
//! Sending one email: `POST /email` (the Email API page: required `From`, `To`, a body;
//! ErrorCode 300 otherwise), kept in [`PostmarkContractFake::sent_emails`].
//!
//! NOT modelled: CSS inlining (validate answers 422 unless `InlineCssForHtmlTestRender` is
//! `false` whenever an `HtmlBody` is sent), sending with a template (`/email/withTemplate`,
//! batch),
//! `/templates/push`, the Servers/Account APIs and account tokens, `POSTMARK_API_TEST`,
//! `SuggestedTemplateModel` inference (always `{}`), TLS, HTTP/2, real rate-limit numbers,
//! field size limits (1121), and Mustachio's model-inference or formatter extensions.

use std::collections::VecDeque;
use std::fmt;
use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use serde_json::{Map, Value, json};

// ---------------------------------------------------------------------------------------------
// Mustachio
// ---------------------------------------------------------------------------------------------

/// A Mustachio template error: `line`/`column` are 1-based; `column` counts UTF-16 code units
/// like .NET (equal to characters for text in the BMP).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MustachioError {
    pub message: String,
    pub line: usize,
    pub column: usize,
}

impl fmt::Display for MustachioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} (line {}, character {})",
            self.message, self.line, self.column
        )
    }
}

impl std::error::Error for MustachioError {}

/// Section nesting deeper than this is rejected (a fake-only limit, so that hostile templates
/// cannot overflow the stack).
pub const MUSTACHIO_MAX_NESTING: usize = 100;
/// Rendered output larger than this many bytes is an error (fake-only limit).
pub const MUSTACHIO_MAX_OUTPUT: usize = 4 * 1024 * 1024;
/// At most this many template nodes are evaluated per render (fake-only limit).
pub const MUSTACHIO_MAX_STEPS: usize = 2_000_000;

/// Checks Mustachio syntax; returns the first error (errors ordered by line, then character,
/// as Mustachio's parser orders them).
pub fn check_mustachio(template: &str) -> Result<(), MustachioError> {
    match mustachio_errors(template).into_iter().next() {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// Every syntax error in `template`, ordered by line, then character.
pub fn mustachio_errors(template: &str) -> Vec<MustachioError> {
    tokenize(template).1
}

/// Renders `template` with `model` the way Postmark's Mustachio engine does for HTML content
/// (`{{ x }}` HTML-encoded). Semantics, from `Tokenizer.cs` / `Parser.cs` / `ContextObject.cs`:
///
/// * Tags are found with Mustachio's regex `{{[^{}]+?}}|{{{[^{}]+?}}}`; a tag is then classed
///   by its raw prefix in this order: `{{#each`, `{{/each`, `{{#`, `{{^`, `{{/`, `{{{`/`{{&`,
///   `{{!`, else a value. So whitespace is allowed after the sigil (`{{# a }}`, `{{ a }}`) but
///   not before it (`{{ #a}}` is the invalid path `#a`).
/// * Paths are validated by Mustachio's negative regex: only word characters, `.`, `/`, `_`;
///   `/` only right after `..`; no `...`; `..` must be followed by `/`. (`-`, `@`, spaces are
///   invalid. "Word character" is approximated by `char::is_alphanumeric`, exact for ASCII.)
/// * A path splits into `../` segments (go to the parent context; at the root: stay) and
///   dot-separated names; `.` (or an empty path) is the current context. Names are looked up in
///   the current context's JSON object only: there is NO walking up the context stack, a
///   missing name is simply empty. `this` is an ordinary key, not the current context.
/// * Resolving `a.b` builds a context for `a` (parent: current) and one for `b` (parent: `a`),
///   so inside `{{#a.b}}` the path `../x` reads `a.x`, and `../../x` the outer `x`.
/// * `{{#p}}…{{/p}}` renders its body once, with the resolved context, if the value "exists":
///   not null/missing, not `false`, not an empty string, array or object, and not a floating
///   point zero. An array renders the body ONCE with the array as context (use `#each`).
///   Integer `0` EXISTS: Mustachio tests `Value as int? != 0` / `Value as double? != 0`, and a
///   JSON.NET-parsed integer is an `Int64`, for which both casts give null (an assumption
///   about how Postmark converts the JSON model; `0.0` does not exist).
/// * `{{^p}}…{{/p}}` renders its body when the value does not exist, with the (falsy) resolved
///   context as the body's context. Re-opening the innermost open name (`{{#a}}x{{^a}}y{{/a}}`)
///   closes the first section and opens the second (an if/else).
/// * `{{#each p}}…{{/each}}` (closed only by exactly `{{/each}}`) iterates an array; each item's
///   context has the ARRAY's context as parent, so `../x` inside reads `x` of the array value
///   (nothing) and `../../x` the `x` next to the array. A missing/falsy value renders nothing;
///   any other non-array value is an error (`'p' is used like an array by the template, but
///   is a scalar value or object in your model.` — Mustachio gives it no position; the fake
///   reports the position of the `{{#each}}` tag).
/// * Printing: strings as-is; integers in decimal; floats like .NET Core's `double.ToString()`
///   (shortest round-trip, `1.5`, `10`, `1E+15`, `1E-05`); booleans `True`/`False`; objects,
///   arrays, integers beyond `Int64` (BigInteger) and null print nothing (not in Mustachio's
///   printable-types set).
/// * HTML encoding is .NET `WebUtility.HtmlEncode` (what `HttpUtility.HtmlEncode` does; checked
///   in dotnet/runtime `WebUtility.cs`): `<`→`&lt;`, `>`→`&gt;`, `&`→`&amp;`, `"`→`&quot;`,
///   `'`→`&#39;`, U+00A0..=U+00FF → `&#NNN;` (so `é` → `&#233;`), characters outside the BMP
///   (surrogate pairs) → `&#NNNNN;` (decimal code point); everything else is unchanged.
/// * Syntax errors (unbalanced/mismatched sections, invalid paths) make the whole template
///   fail; the first error is returned.
pub fn render_mustachio(template: &str, model: &Value) -> Result<String, MustachioError> {
    render_mustachio_with(template, model, true)
}

/// As [`render_mustachio`]; `html_escape = false` is Mustachio's `DisableContentSafety`, which
/// its documentation describes as the mode for "text bodies and subjects in emails" (the fake
/// renders `Subject` and `TextBody` that way).
pub fn render_mustachio_with(
    template: &str,
    model: &Value,
    html_escape: bool,
) -> Result<String, MustachioError> {
    let (tokens, errors) = tokenize(template);
    if let Some(e) = errors.into_iter().next() {
        return Err(e);
    }
    let mut iter = tokens.into_iter();
    let nodes = build_tree(&mut iter);
    let root = Rc::new(Ctx {
        value: Some(model),
        parent: None,
    });
    let mut r = Renderer {
        out: String::new(),
        html_escape,
        steps: 0,
    };
    r.render(&nodes, &root)?;
    Ok(r.out)
}

/// .NET `WebUtility.HtmlEncode` (see [`render_mustachio`]).
pub fn dotnet_html_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '&' => out.push_str("&amp;"),
            '\u{a0}'..='\u{ff}' | '\u{10000}'..=char::MAX => {
                out.push_str(&format!("&#{};", c as u32));
            }
            _ => out.push(c),
        }
    }
    out
}

/// .NET Core 3.0+ `double.ToString()` ("G", shortest round-trippable digits): scientific when
/// the decimal exponent is below -5 or the number of integer digits exceeds
/// max(significant digits, 15), with an `E+XX`/`E-XX` exponent of at least two digits.
pub fn dotnet_double_to_string(v: f64) -> String {
    if v == 0.0 {
        return if v.is_sign_negative() {
            "-0".into()
        } else {
            "0".into()
        };
    }
    if !v.is_finite() {
        // Cannot come from JSON; .NET would print "NaN"/"∞".
        return if v.is_nan() {
            "NaN".into()
        } else if v > 0.0 {
            "∞".into()
        } else {
            "-∞".into()
        };
    }
    let sci = format!("{:e}", v.abs());
    let (mantissa, exp) = sci.split_once('e').unwrap_or((sci.as_str(), "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let n = digits.len() as i32;
    let scale = exp + 1; // value = 0.DIGITS × 10^scale
    let mut out = String::new();
    if v < 0.0 {
        out.push('-');
    }
    if scale > n.max(15) || scale < -3 {
        out.push_str(&digits[..1]);
        if n > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        out.push('E');
        out.push(if exp < 0 { '-' } else { '+' });
        out.push_str(&format!("{:02}", exp.abs()));
    } else if scale <= 0 {
        out.push_str("0.");
        out.push_str(&"0".repeat((-scale) as usize));
        out.push_str(&digits);
    } else if scale >= n {
        out.push_str(&digits);
        out.push_str(&"0".repeat((scale - n) as usize));
    } else {
        out.push_str(&digits[..scale as usize]);
        out.push('.');
        out.push_str(&digits[scale as usize..]);
    }
    out
}

enum Tok<'a> {
    Content(&'a str),
    Value {
        path: String,
        escape: bool,
    },
    Open {
        path: String,
        inverted: bool,
    },
    EachOpen {
        path: String,
        line: usize,
        column: usize,
    },
    Close,
}

enum Seg {
    Up,
    Name(String),
}

enum Node<'a> {
    Text(&'a str),
    Value {
        path: Vec<Seg>,
        escape: bool,
    },
    Section {
        path: Vec<Seg>,
        inverted: bool,
        children: Vec<Node<'a>>,
    },
    Each {
        raw: String,
        path: Vec<Seg>,
        line: usize,
        column: usize,
        children: Vec<Node<'a>>,
    },
}

/// 1-based line and UTF-16 column of byte offset `idx` (Mustachio's HumanizeCharacterLocation).
fn location(src: &str, idx: usize) -> (usize, usize) {
    let before = &src[..idx];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |p| p + 1);
    (line, src[line_start..idx].encode_utf16().count() + 1)
}

fn err_at(src: &str, idx: usize, message: String) -> MustachioError {
    let (line, column) = location(src, idx);
    MustachioError {
        message,
        line,
        column,
    }
}

/// `{n braces}[^{}]+?{n braces}` at byte `i`; returns the end of the match.
fn match_tag(b: &[u8], i: usize, n: usize) -> Option<usize> {
    if i + n > b.len() || b[i..i + n].iter().any(|&c| c != b'{') {
        return None;
    }
    let mut k = i + n;
    while k < b.len() && b[k] != b'{' && b[k] != b'}' {
        k += 1;
    }
    if k == i + n || k + n > b.len() || b[k..k + n].iter().any(|&c| c != b'}') {
        return None;
    }
    Some(k + n)
}

/// Byte ranges of Mustachio's `_tokenFinder` matches (leftmost, first alternative first).
fn find_tags(s: &str) -> Vec<(usize, usize)> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i + 1 < b.len() {
        if b[i] == b'{'
            && b[i + 1] == b'{'
            && let Some(end) = match_tag(b, i, 2).or_else(|| match_tag(b, i, 3))
        {
            out.push((i, end));
            i = end;
            continue;
        }
        i += 1;
    }
    out
}

/// Mustachio's `_negativePathSpec`.
fn path_is_invalid(path: &str) -> bool {
    let cs: Vec<char> = path.chars().collect();
    let mut i = 0;
    while i < cs.len() {
        let c = cs[i];
        if c == '.' {
            let start = i;
            while i < cs.len() && cs[i] == '.' {
                i += 1;
            }
            let run = i - start;
            if run >= 3 || (run == 2 && cs.get(i) != Some(&'/')) {
                return true;
            }
            continue;
        }
        if c == '/' {
            if i < 2 || cs[i - 1] != '.' || cs[i - 2] != '.' {
                return true;
            }
        } else if !(c == '_' || c.is_alphanumeric()) {
            return true;
        }
        i += 1;
    }
    false
}

/// Mustachio's `_pathFinder`: `(\.\.[\\/])|([^.]+)`.
fn parse_path(p: &str) -> Vec<Seg> {
    let b = p.as_bytes();
    let mut segs = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i..].starts_with(b"..") && i + 2 < b.len() && (b[i + 2] == b'/' || b[i + 2] == b'\\') {
            segs.push(Seg::Up);
            i += 3;
        } else if b[i] == b'.' {
            i += 1;
        } else {
            let start = i;
            while i < b.len() && b[i] != b'.' {
                i += 1;
            }
            segs.push(Seg::Name(p[start..i].to_string()));
        }
    }
    segs
}

/// Mustachio's `Tokenizer.Tokenize`: tokens plus every error, ordered by line then character.
fn tokenize(src: &str) -> (Vec<Tok<'_>>, Vec<MustachioError>) {
    let mut toks = Vec::new();
    let mut errors: Vec<MustachioError> = Vec::new();
    // (what closes it: a path, or the raw `{{#each …}}` tag; byte offset)
    let mut stack: Vec<(String, usize)> = Vec::new();
    let mut nesting_reported = false;
    let mut idx = 0;
    let validated = |token: &str, at: usize, errors: &mut Vec<MustachioError>| -> String {
        let token = token.trim();
        if path_is_invalid(token) {
            errors.push(err_at(
                src,
                at,
                format!(
                    "The path '{token}' is not valid. Please see documentation for examples of valid paths."
                ),
            ));
        }
        token.to_string()
    };
    for (start, end) in find_tags(src) {
        if start > idx {
            toks.push(Tok::Content(&src[idx..start]));
        }
        let m = &src[start..end];
        let inner = || m.trim_start_matches('{').trim_end_matches('}');
        if m.starts_with("{{#each") {
            stack.push((m.to_string(), start));
            let token = inner().trim_start_matches('#').trim();
            let token = token.get(4..).unwrap_or("");
            if token.starts_with(' ') && !token.trim().is_empty() {
                let path = validated(token, start, &mut errors);
                let (line, column) = location(src, start);
                toks.push(Tok::EachOpen {
                    path: path.trim().to_string(),
                    line,
                    column,
                });
            } else {
                errors.push(err_at(
                    src,
                    start,
                    "The 'each' block being opened requires a model path to be specified in the form '{{#each <name>}}'.".into(),
                ));
            }
        } else if m.starts_with("{{/each") {
            if m != "{{/each}}" {
                errors.push(err_at(
                    src,
                    start,
                    "The syntax to close the 'each' block should be: '{{/each}}'.".into(),
                ));
            } else if stack.last().is_some_and(|(s, _)| s.starts_with("{{#each")) {
                stack.pop();
                toks.push(Tok::Close);
            } else {
                errors.push(err_at(
                    src,
                    start,
                    "An 'each' block is being closed, but no corresponding opening element ('{{#each <name>}}') was detected.".into(),
                ));
            }
        } else if m.starts_with("{{#") || m.starts_with("{{^") {
            let inverted = m.starts_with("{{^");
            let sigil = if inverted { '^' } else { '#' };
            let token = inner().trim_start_matches(sigil).trim().to_string();
            if stack.last().is_some_and(|(s, _)| *s == token) {
                validated(&token, start, &mut errors);
                toks.push(Tok::Close);
            } else {
                stack.push((token.clone(), start));
            }
            let path = validated(&token, start, &mut errors);
            toks.push(Tok::Open { path, inverted });
        } else if m.starts_with("{{/") {
            let token = inner().trim_start_matches('/').trim();
            if stack.last().is_some_and(|(s, _)| s == token) {
                stack.pop();
                validated(token, start, &mut errors);
                toks.push(Tok::Close);
            } else {
                errors.push(err_at(
                    src,
                    start,
                    "It appears that open and closing elements are mismatched.".into(),
                ));
            }
        } else if m.starts_with("{{{") || m.starts_with("{{&") {
            let token = inner().trim_start_matches('&').trim();
            let path = validated(token, start, &mut errors);
            toks.push(Tok::Value {
                path,
                escape: false,
            });
        } else if m.starts_with("{{!") {
            // A comment.
        } else {
            let path = validated(inner().trim(), start, &mut errors);
            toks.push(Tok::Value { path, escape: true });
        }
        if stack.len() > MUSTACHIO_MAX_NESTING && !nesting_reported {
            nesting_reported = true;
            errors.push(err_at(
                src,
                start,
                format!(
                    "PostmarkContractFake limit: sections nested deeper than {MUSTACHIO_MAX_NESTING}."
                ),
            ));
        }
        idx = end;
    }
    if idx < src.len() {
        toks.push(Tok::Content(&src[idx..]));
    }
    for (scope, at) in &stack {
        let mut value = scope.trim_matches(|c| c == '{' || c == '#' || c == '}');
        if let Some(rest) = value.strip_prefix("each ") {
            value = rest;
        }
        errors.push(err_at(
            src,
            *at,
            format!(
                "A scope block to the following path was opened but not closed: '{value}', please close it using the appropriate syntax."
            ),
        ));
    }
    errors.sort_by_key(|e| (e.line, e.column));
    (toks, errors)
}

/// Mustachio's `Parser.Parse`: a section's body runs to the next close token.
fn build_tree<'a>(toks: &mut std::vec::IntoIter<Tok<'a>>) -> Vec<Node<'a>> {
    let mut out = Vec::new();
    while let Some(t) = toks.next() {
        match t {
            Tok::Content(s) => out.push(Node::Text(s)),
            Tok::Value { path, escape } => out.push(Node::Value {
                path: parse_path(&path),
                escape,
            }),
            Tok::Open { path, inverted } => {
                let children = build_tree(toks);
                out.push(Node::Section {
                    path: parse_path(&path),
                    inverted,
                    children,
                });
            }
            Tok::EachOpen { path, line, column } => {
                let children = build_tree(toks);
                out.push(Node::Each {
                    path: parse_path(&path),
                    raw: path,
                    line,
                    column,
                    children,
                });
            }
            Tok::Close => return out,
        }
    }
    out
}

struct Ctx<'m> {
    value: Option<&'m Value>,
    parent: Option<Rc<Ctx<'m>>>,
}

impl Ctx<'_> {
    fn json(&self) -> Option<&Value> {
        self.value.filter(|v| !v.is_null())
    }
}

/// `ContextObject.GetContextForPath`.
fn resolve<'m>(ctx: &Rc<Ctx<'m>>, path: &[Seg]) -> Rc<Ctx<'m>> {
    let mut cur = Rc::clone(ctx);
    for seg in path {
        cur = match seg {
            Seg::Up => cur.parent.clone().unwrap_or(cur),
            Seg::Name(name) => {
                let value = cur
                    .value
                    .and_then(Value::as_object)
                    .and_then(|o| o.get(name.as_str()));
                Rc::new(Ctx {
                    value,
                    parent: Some(cur),
                })
            }
        };
    }
    cur
}

/// `ContextObject.Exists` (see [`render_mustachio`] for integer zero).
fn exists(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(Value::Number(n)) => n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|f| f != 0.0),
        Some(Value::String(s)) => !s.is_empty(),
        Some(Value::Array(a)) => !a.is_empty(),
        Some(Value::Object(o)) => !o.is_empty(),
    }
}

/// `ContextObject.ToString` (printable types only).
fn printable(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                i.to_string()
            } else if n.is_u64() {
                String::new() // beyond Int64: a BigInteger, not printable
            } else {
                n.as_f64().map(dotnet_double_to_string).unwrap_or_default()
            }
        }
        Value::Null | Value::Array(_) | Value::Object(_) => String::new(),
    }
}

struct Renderer {
    out: String,
    html_escape: bool,
    steps: usize,
}

impl Renderer {
    fn limit(message: &str) -> MustachioError {
        MustachioError {
            message: format!("PostmarkContractFake limit: {message}"),
            line: 0,
            column: 0,
        }
    }

    fn render<'m>(&mut self, nodes: &[Node<'_>], ctx: &Rc<Ctx<'m>>) -> Result<(), MustachioError> {
        for node in nodes {
            self.steps += 1;
            if self.steps > MUSTACHIO_MAX_STEPS {
                return Err(Self::limit("too many evaluation steps"));
            }
            match node {
                Node::Text(s) => self.out.push_str(s),
                Node::Value { path, escape } => {
                    let c = resolve(ctx, path);
                    if let Some(v) = c.json() {
                        let s = printable(v);
                        if *escape && self.html_escape {
                            self.out.push_str(&dotnet_html_encode(&s));
                        } else {
                            self.out.push_str(&s);
                        }
                    }
                }
                Node::Section {
                    path,
                    inverted,
                    children,
                } => {
                    let c = resolve(ctx, path);
                    if exists(c.value) != *inverted {
                        self.render(children, &c)?;
                    }
                }
                Node::Each {
                    raw,
                    path,
                    line,
                    column,
                    children,
                } => {
                    let c = resolve(ctx, path);
                    if !exists(c.value) {
                        continue;
                    }
                    let Some(Value::Array(items)) = c.value else {
                        return Err(MustachioError {
                            message: format!(
                                "'{raw}' is used like an array by the template, but is a scalar value or object in your model."
                            ),
                            line: *line,
                            column: *column,
                        });
                    };
                    for item in items {
                        let item_ctx = Rc::new(Ctx {
                            value: Some(item),
                            parent: Some(Rc::clone(&c)),
                        });
                        self.render(children, &item_ctx)?;
                    }
                }
            }
            if self.out.len() > MUSTACHIO_MAX_OUTPUT {
                return Err(Self::limit("rendered output too large"));
            }
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// Layout placeholder
// ---------------------------------------------------------------------------------------------

/// Byte ranges of `{{{ @content }}}` (whitespace inside the braces optional).
fn placeholder_ranges(s: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(pos) = s[from..].find("{{{") {
        let start = from + pos;
        let rest = s[start + 3..].trim_start();
        if let Some(after) = rest.strip_prefix("@content") {
            let after = after.trim_start();
            if after.starts_with("}}}") {
                let end = s.len() - after.len() + 3;
                out.push((start, end));
                from = end;
                continue;
            }
        }
        from = start + 1;
    }
    out
}

/// Replaces every placeholder with `with` (byte lengths of the replacement shift positions;
/// only used on content that is also checked separately).
fn replace_placeholder(s: &str, with: &str) -> String {
    let mut out = String::with_capacity(s.len() + with.len());
    let mut last = 0;
    for (a, b) in placeholder_ranges(s) {
        out.push_str(&s[last..a]);
        out.push_str(with);
        last = b;
    }
    out.push_str(&s[last..]);
    out
}

// ---------------------------------------------------------------------------------------------
// The fake server
// ---------------------------------------------------------------------------------------------

/// A template as stored by the fake (also used to seed and inspect it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FakeTemplate {
    /// `TemplateId`; `0` in [`PostmarkContractFake::insert_template`] means "assign the next".
    pub id: u64,
    pub name: String,
    pub alias: Option<String>,
    /// Empty for layouts (answered as `null`).
    pub subject: String,
    pub html_body: Option<String>,
    pub text_body: Option<String>,
    /// `"Standard"` or `"Layout"`.
    pub template_type: String,
    /// The alias of the Layout this Standard template uses.
    pub layout_template: Option<String>,
}

impl FakeTemplate {
    /// A Standard template (id 0: assigned on insert).
    pub fn standard(
        alias: &str,
        name: &str,
        subject: &str,
        html: Option<&str>,
        text: Option<&str>,
    ) -> Self {
        FakeTemplate {
            id: 0,
            name: name.into(),
            alias: Some(alias.into()),
            subject: subject.into(),
            html_body: html.map(Into::into),
            text_body: text.map(Into::into),
            template_type: "Standard".into(),
            layout_template: None,
        }
    }

    /// A Layout template (id 0: assigned on insert); bodies should contain `{{{ @content }}}`.
    pub fn layout(alias: &str, name: &str, html: Option<&str>, text: Option<&str>) -> Self {
        FakeTemplate {
            id: 0,
            name: name.into(),
            alias: Some(alias.into()),
            subject: String::new(),
            html_body: html.map(Into::into),
            text_body: text.map(Into::into),
            template_type: "Layout".into(),
            layout_template: None,
        }
    }

    fn is_layout(&self) -> bool {
        self.template_type == "Layout"
    }

    fn summary_json(&self) -> Value {
        json!({
            "Active": true,
            "TemplateId": self.id,
            "Name": self.name,
            "Alias": self.alias,
            "TemplateType": self.template_type,
            "LayoutTemplate": self.layout_template,
        })
    }

    fn write_json(&self) -> Value {
        json!({
            "TemplateId": self.id,
            "Name": self.name,
            "Alias": self.alias,
            "Active": true,
            "TemplateType": self.template_type,
            "LayoutTemplate": self.layout_template,
        })
    }

    fn full_json(&self) -> Value {
        json!({
            "TemplateId": self.id,
            "Name": self.name,
            "Alias": self.alias,
            "Subject": if self.subject.is_empty() { Value::Null } else { Value::from(self.subject.clone()) },
            "HtmlBody": self.html_body,
            "TextBody": self.text_body,
            "AssociatedServerId": ASSOCIATED_SERVER_ID,
            "Active": true,
            "TemplateType": self.template_type,
            "LayoutTemplate": self.layout_template,
        })
    }
}

/// `AssociatedServerId` of every template.
pub const ASSOCIATED_SERVER_ID: u64 = 4_242;
/// First `TemplateId` handed out.
pub const FIRST_TEMPLATE_ID: u64 = 1_000_001;
/// Templates per server (templates-api page and the Templates FAQ: 100); error 1105 beyond.
pub const MAX_TEMPLATES: usize = 100;
/// Largest `count` accepted by `GET /templates` (not verified in Postmark's docs).
pub const MAX_LIST_COUNT: u64 = 500;
const MAX_HEADER_BYTES: usize = 64 * 1024;
const MAX_BODY_BYTES: usize = 10 * 1024 * 1024;
const IDLE_TIMEOUT: Duration = Duration::from_secs(30);

const MSG_MISSING_TOKEN: &str = "No Account or Server API tokens were supplied in the HTTP headers. Please add a header for either X-Postmark-Server-Token or X-Postmark-Account-Token.";
const MSG_BAD_TOKEN: &str = "Request does not contain a valid Server token.";
const MSG_RATE_LIMIT: &str = "Rate Limit Exceeded: We have detected an excessive volume of requests originating from your application, please reduce the concurrency and request rate of your requests.";
const MSG_NOT_FOUND: &str =
    "The 'TemplateId' associated with this request is not valid or was not found.";
const MSG_DUPLICATE_ALIAS: &str =
    "The specified alias is already in use by another template or layout.";
const MSG_BAD_ALIAS: &str = "The 'Alias' is invalid. Allowed characters are numbers, ASCII letters, and '.', '-', '_' characters, and the string has to start with a letter.";
const MSG_PLACEHOLDER_LAYOUT: &str = "The layout content placeholder must be present in the layout HTML and/or Text body exactly once.";
const MSG_PLACEHOLDER_STANDARD: &str =
    "The content placeholder cannot be present in a standard template.";

struct State {
    templates: Vec<FakeTemplate>,
    next_id: u64,
    requests: Vec<(String, String)>,
    faults: VecDeque<(u16, Option<u32>)>,
    rate_limit: Option<(usize, Duration)>,
    admitted: VecDeque<Instant>,
    emails: Vec<Value>,
}

struct Shared {
    token: String,
    state: Mutex<State>,
    shutdown: AtomicBool,
}

impl Shared {
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The fake server; stops accepting connections when dropped.
pub struct PostmarkContractFake {
    shared: Arc<Shared>,
    addr: SocketAddr,
    acceptor: Option<JoinHandle<()>>,
}

impl PostmarkContractFake {
    /// Binds `127.0.0.1:0` and serves on background threads (one per connection).
    pub fn start(server_token: &str) -> PostmarkContractFake {
        let listener =
            TcpListener::bind("127.0.0.1:0").expect("PostmarkContractFake: bind 127.0.0.1:0");
        let addr = listener
            .local_addr()
            .expect("PostmarkContractFake: local_addr");
        let shared = Arc::new(Shared {
            token: server_token.to_string(),
            state: Mutex::new(State {
                templates: Vec::new(),
                next_id: FIRST_TEMPLATE_ID,
                requests: Vec::new(),
                faults: VecDeque::new(),
                rate_limit: None,
                admitted: VecDeque::new(),
                emails: Vec::new(),
            }),
            shutdown: AtomicBool::new(false),
        });
        let acceptor_shared = Arc::clone(&shared);
        let acceptor = thread::Builder::new()
            .name("postmark-fake-accept".into())
            .spawn(move || {
                for stream in listener.incoming() {
                    if acceptor_shared.shutdown.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    let conn_shared = Arc::clone(&acceptor_shared);
                    let _ = thread::Builder::new()
                        .name("postmark-fake-conn".into())
                        .spawn(move || serve_connection(stream, &conn_shared));
                }
            })
            .expect("PostmarkContractFake: spawn acceptor");
        PostmarkContractFake {
            shared,
            addr,
            acceptor: Some(acceptor),
        }
    }

    /// `http://127.0.0.1:PORT` (no trailing slash).
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The next `n` authenticated requests answer `status` (a `Retry-After` header when given),
    /// body `{"ErrorCode":…,"Message":…}`: 429 → ErrorCode 429 (overview's rate-limit text),
    /// 401 → 10, 503 → 100 (maintenance), anything else → ErrorCode 0 and a "fake" message.
    pub fn fail_next(&self, n: usize, status: u16, retry_after: Option<u32>) {
        let mut st = self.shared.state();
        for _ in 0..n {
            st.faults.push_back((status, retry_after));
        }
    }

    /// At most `max_requests` authenticated requests are admitted per sliding window `per`;
    /// others get 429 (ErrorCode 429, `Retry-After` = seconds until a slot frees, at least 1).
    pub fn set_rate_limit(&self, max_requests: usize, per: Duration) {
        let mut st = self.shared.state();
        st.rate_limit = Some((max_requests, per));
        st.admitted.clear();
    }

    /// Removes the rate limit.
    pub fn clear_rate_limit(&self) {
        self.shared.state().rate_limit = None;
    }

    /// All stored templates, by id.
    pub fn templates(&self) -> Vec<FakeTemplate> {
        self.shared.state().templates.clone()
    }

    /// The template with this id (all digits) or alias.
    pub fn template(&self, id_or_alias: &str) -> Option<FakeTemplate> {
        let st = self.shared.state();
        find_index(&st.templates, id_or_alias).map(|i| st.templates[i].clone())
    }

    /// Every email accepted by `POST /email`, as sent (the request's JSON object).
    pub fn sent_emails(&self) -> Vec<Value> {
        self.shared.state().emails.clone()
    }

    /// Every request received (also unauthenticated ones): (method, path with query).
    pub fn requests(&self) -> Vec<(String, String)> {
        self.shared.state().requests.clone()
    }

    /// Forgets the recorded requests.
    pub fn clear_requests(&self) {
        self.shared.state().requests.clear();
    }

    /// Edits a template as someone in Postmark's web UI would (no validation). Panics if no
    /// template has this alias.
    pub fn edit_template(&self, alias: &str, f: impl FnOnce(&mut FakeTemplate)) {
        let mut st = self.shared.state();
        let t = st
            .templates
            .iter_mut()
            .find(|t| t.alias.as_deref() == Some(alias))
            .unwrap_or_else(|| {
                panic!("PostmarkContractFake::edit_template: no template with alias {alias:?}")
            });
        f(t);
    }

    /// Seeds a template without validation (e.g. a Layout "created by hand"); `id == 0` takes
    /// the next id. Returns the id. Panics if the id is taken.
    pub fn insert_template(&self, mut t: FakeTemplate) -> u64 {
        let mut st = self.shared.state();
        if t.id == 0 {
            t.id = st.next_id;
        }
        assert!(
            st.templates.iter().all(|x| x.id != t.id),
            "PostmarkContractFake::insert_template: id {} already exists",
            t.id
        );
        st.next_id = st.next_id.max(t.id + 1);
        let id = t.id;
        st.templates.push(t);
        st.templates.sort_by_key(|t| t.id);
        id
    }
}

impl Drop for PostmarkContractFake {
    fn drop(&mut self) {
        self.shared.shutdown.store(true, Ordering::SeqCst);
        // Unblock accept().
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
        if let Some(h) = self.acceptor.take() {
            let _ = h.join();
        }
    }
}

// ---- HTTP/1.1 ------------------------------------------------------------------------------

struct Request {
    method: String,
    target: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Request {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

struct Response {
    status: u16,
    body: String,
    headers: Vec<(&'static str, String)>,
}

fn api_error(status: u16, code: u32, message: impl Into<String>) -> Response {
    let body = json!({ "ErrorCode": code, "Message": message.into() }).to_string();
    Response {
        status,
        body,
        headers: Vec::new(),
    }
}

fn ok(body: Value) -> Response {
    Response {
        status: 200,
        body: body.to_string(),
        headers: Vec::new(),
    }
}

/// A request that could not be read: `Closed` = just close; `Reply` = answer this, then close.
enum ReadError {
    Closed,
    Reply(Response),
}

struct Conn {
    stream: TcpStream,
    buf: Vec<u8>,
}

impl Conn {
    /// Reads more bytes into `buf`; `Ok(false)` on EOF.
    fn fill(&mut self, shared: &Shared) -> io::Result<bool> {
        let started = Instant::now();
        let mut chunk = [0u8; 16 * 1024];
        loop {
            if shared.shutdown.load(Ordering::SeqCst) {
                return Err(io::Error::other("shutdown"));
            }
            match self.stream.read(&mut chunk) {
                Ok(0) => return Ok(false),
                Ok(n) => {
                    self.buf.extend_from_slice(&chunk[..n]);
                    return Ok(true);
                }
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                    ) =>
                {
                    if started.elapsed() > IDLE_TIMEOUT {
                        return Err(e);
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }

    fn take_line(&mut self, shared: &Shared) -> Result<String, ReadError> {
        loop {
            if let Some(p) = self.buf.windows(2).position(|w| w == b"\r\n") {
                let line: Vec<u8> = self.buf.drain(..p + 2).take(p).collect();
                return String::from_utf8(line)
                    .map_err(|_| ReadError::Reply(bad_request("invalid chunk line")));
            }
            if self.buf.len() > MAX_HEADER_BYTES {
                return Err(ReadError::Reply(bad_request("line too long")));
            }
            match self.fill(shared) {
                Ok(true) => {}
                _ => return Err(ReadError::Closed),
            }
        }
    }

    fn take_exact(&mut self, n: usize, shared: &Shared) -> Result<Vec<u8>, ReadError> {
        while self.buf.len() < n {
            match self.fill(shared) {
                Ok(true) => {}
                _ => return Err(ReadError::Closed),
            }
        }
        Ok(self.buf.drain(..n).collect())
    }

    fn read_request(&mut self, shared: &Shared) -> Result<(Request, bool), ReadError> {
        let head_end = loop {
            if let Some(p) = self.buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break p;
            }
            if self.buf.len() > MAX_HEADER_BYTES {
                return Err(ReadError::Reply(api_error(
                    431,
                    0,
                    "PostmarkContractFake: request headers too large.",
                )));
            }
            match self.fill(shared) {
                Ok(true) => {}
                _ => return Err(ReadError::Closed),
            }
        };
        let head: Vec<u8> = self.buf.drain(..head_end + 4).collect();
        let head = String::from_utf8(head[..head_end].to_vec())
            .map_err(|_| ReadError::Reply(bad_request("request head is not UTF-8")))?;
        let mut lines = head.split("\r\n");
        let request_line = lines.next().unwrap_or("");
        let parts: Vec<&str> = request_line.split(' ').collect();
        let [method, target, version] = parts.as_slice() else {
            return Err(ReadError::Reply(bad_request("malformed request line")));
        };
        let http10 = match *version {
            "HTTP/1.1" => false,
            "HTTP/1.0" => true,
            _ => return Err(ReadError::Reply(bad_request("unsupported HTTP version"))),
        };
        if method.is_empty() || !target.starts_with('/') {
            return Err(ReadError::Reply(bad_request("malformed request line")));
        }
        let mut headers = Vec::new();
        for line in lines {
            let Some((name, value)) = line.split_once(':') else {
                return Err(ReadError::Reply(bad_request("malformed header line")));
            };
            if name.is_empty() || name.contains(' ') {
                return Err(ReadError::Reply(bad_request("malformed header name")));
            }
            headers.push((name.to_string(), value.trim().to_string()));
        }
        let mut req = Request {
            method: method.to_string(),
            target: target.to_string(),
            headers,
            body: Vec::new(),
        };
        let connection = req.header("connection").unwrap_or("").to_ascii_lowercase();
        let keep_alive = if http10 {
            connection.contains("keep-alive")
        } else {
            !connection.contains("close")
        };
        if req
            .header("expect")
            .is_some_and(|v| v.eq_ignore_ascii_case("100-continue"))
        {
            let _ = self.stream.write_all(b"HTTP/1.1 100 Continue\r\n\r\n");
        }
        if let Some(te) = req.header("transfer-encoding") {
            if !te.to_ascii_lowercase().contains("chunked") {
                return Err(ReadError::Reply(bad_request(
                    "unsupported Transfer-Encoding",
                )));
            }
            let mut body = Vec::new();
            loop {
                let line = self.take_line(shared)?;
                let size_text = line.split(';').next().unwrap_or("").trim();
                let size = usize::from_str_radix(size_text, 16)
                    .map_err(|_| ReadError::Reply(bad_request("invalid chunk size")))?;
                if body.len() + size > MAX_BODY_BYTES {
                    return Err(ReadError::Reply(too_large()));
                }
                if size == 0 {
                    while !self.take_line(shared)?.is_empty() {}
                    break;
                }
                body.extend(self.take_exact(size, shared)?);
                if !self.take_line(shared)?.is_empty() {
                    return Err(ReadError::Reply(bad_request("chunk not followed by CRLF")));
                }
            }
            req.body = body;
        } else if let Some(len) = req.header("content-length") {
            let len: usize = len
                .parse()
                .map_err(|_| ReadError::Reply(bad_request("invalid Content-Length")))?;
            if len > MAX_BODY_BYTES {
                return Err(ReadError::Reply(too_large()));
            }
            req.body = self.take_exact(len, shared)?;
        }
        Ok((req, keep_alive))
    }
}

fn bad_request(what: &str) -> Response {
    api_error(
        400,
        0,
        format!("PostmarkContractFake: malformed HTTP request ({what})."),
    )
}

fn too_large() -> Response {
    api_error(413, 0, "PostmarkContractFake: request body too large.")
}

fn reason(status: u16) -> &'static str {
    match status {
        100 => "Continue",
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        413 => "Payload Too Large",
        422 => "Unprocessable Entity",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Status",
    }
}

fn write_response(
    stream: &mut TcpStream,
    resp: &Response,
    keep_alive: bool,
    head_only: bool,
) -> io::Result<()> {
    let mut out = format!(
        "HTTP/1.1 {} {}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: {}\r\nServer: PostmarkContractFake\r\n",
        resp.status,
        reason(resp.status),
        resp.body.len()
    );
    for (name, value) in &resp.headers {
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    out.push_str(if keep_alive {
        "Connection: keep-alive\r\n\r\n"
    } else {
        "Connection: close\r\n\r\n"
    });
    if !head_only {
        out.push_str(&resp.body);
    }
    stream.write_all(out.as_bytes())?;
    stream.flush()
}

fn serve_connection(stream: TcpStream, shared: &Shared) {
    let _ = stream.set_read_timeout(Some(Duration::from_millis(200)));
    let _ = stream.set_nodelay(true);
    let mut conn = Conn {
        stream,
        buf: Vec::new(),
    };
    loop {
        if shared.shutdown.load(Ordering::SeqCst) {
            break;
        }
        match conn.read_request(shared) {
            Ok((req, keep_alive)) => {
                if shared.shutdown.load(Ordering::SeqCst) {
                    break;
                }
                let resp = handle(shared, &req);
                let head_only = req.method == "HEAD";
                if write_response(&mut conn.stream, &resp, keep_alive, head_only).is_err()
                    || !keep_alive
                {
                    break;
                }
            }
            Err(ReadError::Closed) => break,
            Err(ReadError::Reply(resp)) => {
                let _ = write_response(&mut conn.stream, &resp, false, false);
                break;
            }
        }
    }
    let _ = conn.stream.shutdown(Shutdown::Both);
}

// ---- Routing -------------------------------------------------------------------------------

fn handle(shared: &Shared, req: &Request) -> Response {
    shared
        .state()
        .requests
        .push((req.method.clone(), req.target.clone()));

    // Auth (overview: header name and value are case-insensitive).
    match req.header("X-Postmark-Server-Token") {
        None => return api_error(401, 10, MSG_MISSING_TOKEN),
        Some(t) if !t.eq_ignore_ascii_case(&shared.token) => {
            return api_error(401, 10, MSG_BAD_TOKEN);
        }
        Some(_) => {}
    }

    // Injected faults, then the rate limit.
    {
        let mut st = shared.state();
        if let Some((status, retry_after)) = st.faults.pop_front() {
            let (code, message) = match status {
                429 => (429, MSG_RATE_LIMIT.to_string()),
                401 => (10, MSG_BAD_TOKEN.to_string()),
                503 => (
                    100,
                    "The Postmark API is offline for maintenance.".to_string(),
                ),
                _ => (
                    0,
                    format!("PostmarkContractFake: injected failure (HTTP {status})."),
                ),
            };
            let mut resp = api_error(status, code, message);
            if let Some(secs) = retry_after {
                resp.headers.push(("Retry-After", secs.to_string()));
            }
            return resp;
        }
        if let Some((max, per)) = st.rate_limit {
            let now = Instant::now();
            while st
                .admitted
                .front()
                .is_some_and(|t| now.duration_since(*t) >= per)
            {
                st.admitted.pop_front();
            }
            if st.admitted.len() >= max {
                let wait = st
                    .admitted
                    .front()
                    .map_or(per, |t| per.saturating_sub(now.duration_since(*t)));
                let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
                let mut resp = api_error(429, 429, MSG_RATE_LIMIT);
                resp.headers.push(("Retry-After", secs.max(1).to_string()));
                return resp;
            }
            st.admitted.push_back(now);
        }
    }

    let accepts_json = req
        .header("accept")
        .is_some_and(|a| a.to_ascii_lowercase().contains("application/json"));
    if !accepts_json {
        return api_error(
            422,
            409,
            "JSON required: the request must have an 'Accept: application/json' header.",
        );
    }

    let (path, query) = req
        .target
        .split_once('?')
        .unwrap_or((req.target.as_str(), ""));
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let method = req.method.as_str();
    match (method, segments.as_slice()) {
        ("GET", ["templates"]) => list_templates(shared, query),
        ("POST", ["templates"]) => with_body(req, |body| create_template(shared, body)),
        ("POST", ["templates", "validate"]) => {
            with_body(req, |body| validate_template(shared, body))
        }
        (_, ["templates", "validate"]) => api_error(422, 1109, "No template data received."),
        ("POST", ["email"]) => with_body(req, |body| send_email(shared, body)),
        ("GET", ["templates", key]) if !key.is_empty() => {
            get_template(shared, &percent_decode(key))
        }
        ("PUT", ["templates", key]) if !key.is_empty() => {
            let key = percent_decode(key);
            with_body(req, |body| edit_template(shared, &key, body))
        }
        ("DELETE", ["templates", key]) if !key.is_empty() => {
            delete_template(shared, &percent_decode(key))
        }
        _ => api_error(
            404,
            404,
            format!("PostmarkContractFake: no route for {method} {path}."),
        ),
    }
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let hex = std::str::from_utf8(&b[i + 1..i + 3]).ok();
            if let Some(v) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn query_param(query: &str, name: &str) -> Option<String> {
    query
        .split('&')
        .filter_map(|kv| kv.split_once('=').or(Some((kv, ""))))
        .find(|(k, _)| percent_decode(k).eq_ignore_ascii_case(name))
        .map(|(_, v)| percent_decode(v))
}

/// Parses the JSON object body: empty → 1109, not JSON → 402, not an object → 403.
/// `POST /email` (developer/api/email-api): `From` and `To` required, and `HtmlBody` and/or
/// `TextBody`; otherwise 422 with ErrorCode 300 ("Invalid email request", the overview's
/// table). Answers `{To, SubmittedAt, MessageID, ErrorCode: 0, Message: "OK"}`. Not
/// modelled: sender signatures (405/400), inactive recipients (406), the 50-recipient
/// limit, attachments, message streams other than accepting the field.
fn send_email(shared: &Shared, body: &Map<String, Value>) -> Response {
    let text = |k: &str| {
        body.get(k)
            .and_then(Value::as_str)
            .filter(|v| !v.trim().is_empty())
    };
    let address_ok = |a: &str| {
        let a = a
            .rsplit_once('<')
            .map_or(a, |(_, r)| r.trim_end_matches('>'));
        a.split_once('@')
            .is_some_and(|(l, d)| !l.is_empty() && d.contains('.') && !a.contains(' '))
    };
    let (Some(from), Some(to)) = (text("From"), text("To")) else {
        return api_error(
            422,
            300,
            "Invalid email request: 'From' and 'To' are required.",
        );
    };
    if !address_ok(from) || !to.split(',').all(|t| address_ok(t.trim())) {
        return api_error(422, 300, "Invalid email request: Illegal email address.");
    }
    if text("HtmlBody").is_none() && text("TextBody").is_none() {
        return api_error(
            422,
            300,
            "Invalid email request: Provide either email TextBody or HtmlBody or both.",
        );
    }
    let mut st = shared.state();
    st.emails.push(Value::Object(body.clone()));
    let id = format!("00000000-0000-4000-8000-{:012x}", st.emails.len());
    ok(json!({
        "To": to,
        "SubmittedAt": "2026-03-01T12:00:00.0000000-05:00",
        "MessageID": id,
        "ErrorCode": 0,
        "Message": "OK",
    }))
}

fn with_body(req: &Request, f: impl FnOnce(&Map<String, Value>) -> Response) -> Response {
    if req.body.iter().all(u8::is_ascii_whitespace) {
        return api_error(422, 1109, "No template data received.");
    }
    match serde_json::from_slice::<Value>(&req.body) {
        Ok(Value::Object(map)) => f(&map),
        Ok(_) => api_error(
            422,
            403,
            "Incompatible JSON: the request body must be a JSON object.",
        ),
        Err(_) => api_error(422, 402, "Received invalid JSON input."),
    }
}

fn find_index(templates: &[FakeTemplate], key: &str) -> Option<usize> {
    if !key.is_empty() && key.bytes().all(|b| b.is_ascii_digit()) {
        let id: u64 = key.parse().ok()?;
        templates.iter().position(|t| t.id == id)
    } else {
        templates
            .iter()
            .position(|t| t.alias.as_deref() == Some(key))
    }
}

fn not_found() -> Response {
    api_error(422, 1101, MSG_NOT_FOUND)
}

fn list_templates(shared: &Shared, query: &str) -> Response {
    let Some(count) = query_param(query, "count") else {
        return api_error(422, 1100, "The 'Count' query parameter is required.");
    };
    let count = match count.parse::<u64>() {
        Ok(c) if (1..=MAX_LIST_COUNT).contains(&c) => c as usize,
        _ => {
            return api_error(
                422,
                1100,
                format!(
                    "The 'Count' query parameter must be an integer between 1 and {MAX_LIST_COUNT}."
                ),
            );
        }
    };
    let Some(offset) = query_param(query, "offset") else {
        return api_error(422, 1100, "The 'Offset' query parameter is required.");
    };
    let Ok(offset) = offset.parse::<usize>() else {
        return api_error(
            422,
            1100,
            "The 'Offset' query parameter must be a non-negative integer.",
        );
    };
    let kind = query_param(query, "templatetype").unwrap_or_else(|| "All".into());
    let kind = match kind.to_ascii_lowercase().as_str() {
        "all" => None,
        "standard" => Some("Standard"),
        "layout" => Some("Layout"),
        _ => {
            return api_error(
                422,
                1100,
                "The 'TemplateType' query parameter must be All, Standard or Layout.",
            );
        }
    };
    let layout = query_param(query, "layouttemplate");
    let st = shared.state();
    let matching: Vec<&FakeTemplate> = st
        .templates
        .iter()
        .filter(|t| kind.is_none_or(|k| t.template_type == k))
        .filter(|t| {
            layout
                .as_ref()
                .is_none_or(|l| t.layout_template.as_ref() == Some(l))
        })
        .collect();
    let page: Vec<Value> = matching
        .iter()
        .skip(offset)
        .take(count)
        .map(|t| t.summary_json())
        .collect();
    ok(json!({ "TotalCount": matching.len(), "Templates": page }))
}

fn get_template(shared: &Shared, key: &str) -> Response {
    let st = shared.state();
    match find_index(&st.templates, key) {
        Some(i) => ok(st.templates[i].full_json()),
        None => not_found(),
    }
}

fn delete_template(shared: &Shared, key: &str) -> Response {
    let mut st = shared.state();
    let Some(i) = find_index(&st.templates, key) else {
        return not_found();
    };
    let t = &st.templates[i];
    if t.is_layout()
        && t.alias.is_some()
        && st.templates.iter().any(|x| x.layout_template == t.alias)
    {
        return api_error(
            422,
            1130,
            "The layout template cannot be deleted because it has dependent templates using it.",
        );
    }
    let id = t.id;
    st.templates.remove(i);
    ok(json!({ "ErrorCode": 0, "Message": format!("Template {id} removed.") }))
}

/// A body field: absent, `null`, or a string.
enum Field {
    Absent,
    Null,
    Str(String),
}

impl Field {
    /// `Some(non-empty string)`, `Some(None)` for null/"", `None` when absent.
    fn opt(&self) -> Option<Option<String>> {
        match self {
            Field::Absent => None,
            Field::Null => Some(None),
            Field::Str(s) if s.is_empty() => Some(None),
            Field::Str(s) => Some(Some(s.clone())),
        }
    }
}

/// JSON.NET binds property names case-insensitively; an exact match wins.
fn get_field<'a>(body: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    body.get(name).or_else(|| {
        body.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    })
}

fn str_field(body: &Map<String, Value>, name: &str) -> Result<Field, Response> {
    match get_field(body, name) {
        None => Ok(Field::Absent),
        Some(Value::Null) => Ok(Field::Null),
        Some(Value::String(s)) => Ok(Field::Str(s.clone())),
        Some(_) => Err(api_error(
            422,
            1122,
            format!("The '{name}' field must be a string."),
        )),
    }
}

fn template_type_field(body: &Map<String, Value>) -> Result<Option<&'static str>, Response> {
    match str_field(body, "TemplateType")?.opt() {
        None | Some(None) => Ok(None),
        Some(Some(s)) if s.eq_ignore_ascii_case("standard") => Ok(Some("Standard")),
        Some(Some(s)) if s.eq_ignore_ascii_case("layout") => Ok(Some("Layout")),
        Some(Some(s)) => Err(api_error(
            422,
            1122,
            format!(
                "The 'TemplateType' value '{s}' is invalid. Possible options: Standard or Layout."
            ),
        )),
    }
}

fn alias_is_valid(alias: &str) -> bool {
    let mut chars = alias.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
}

/// The checks shared by create and edit, on the would-be template (`self_id` = the edited
/// template). Returns the 422 to answer, if any.
fn check_template(
    templates: &[FakeTemplate],
    t: &FakeTemplate,
    self_id: Option<u64>,
) -> Option<Response> {
    if t.name.trim().is_empty() {
        return Some(api_error(422, 1120, "The 'Name' field is required."));
    }
    if t.is_layout() {
        if !t.subject.is_empty() {
            return Some(api_error(
                422,
                1123,
                "The 'Subject' field is not allowed for Layout templates.",
            ));
        }
        if t.layout_template.is_some() {
            return Some(api_error(
                422,
                1123,
                "The 'LayoutTemplate' field is not allowed for Layout templates.",
            ));
        }
    } else if t.subject.trim().is_empty() {
        return Some(api_error(
            422,
            1120,
            "The 'Subject' field is required for Standard templates.",
        ));
    }
    if t.html_body.is_none() && t.text_body.is_none() {
        return Some(api_error(
            422,
            1120,
            "Either 'HtmlBody' or 'TextBody' must be specified.",
        ));
    }
    if let Some(alias) = &t.alias {
        if !alias_is_valid(alias) {
            return Some(api_error(422, 1122, MSG_BAD_ALIAS));
        }
        if templates
            .iter()
            .any(|x| Some(x.id) != self_id && x.alias.as_ref() == Some(alias))
        {
            return Some(api_error(422, 1122, MSG_DUPLICATE_ALIAS));
        }
    }
    if let Some(layout) = &t.layout_template {
        let found = templates
            .iter()
            .any(|x| Some(x.id) != self_id && x.is_layout() && x.alias.as_ref() == Some(layout));
        if !found {
            return Some(api_error(
                422,
                1101,
                format!(
                    "The 'LayoutTemplate' '{layout}' associated with this request is not valid or was not found."
                ),
            ));
        }
    }
    let parts = [
        ("Subject", Some(&t.subject)),
        ("HtmlBody", t.html_body.as_ref()),
        ("TextBody", t.text_body.as_ref()),
    ];
    for (field, content) in parts {
        let Some(content) = content else { continue };
        let placeholders = placeholder_ranges(content).len();
        if t.is_layout() && field != "Subject" && placeholders != 1 {
            return Some(api_error(
                422,
                1131,
                format!("{MSG_PLACEHOLDER_LAYOUT} ({field})"),
            ));
        }
        if !t.is_layout() && placeholders > 0 {
            return Some(api_error(
                422,
                1131,
                format!("{MSG_PLACEHOLDER_STANDARD} ({field})"),
            ));
        }
        let checked = replace_placeholder(content, "");
        if let Some(e) = mustachio_errors(&checked).into_iter().next() {
            return Some(api_error(
                422,
                1122,
                format!("The '{field}' field contains invalid template syntax: {e}."),
            ));
        }
    }
    None
}

fn create_template(shared: &Shared, body: &Map<String, Value>) -> Response {
    let read = || -> Result<FakeTemplate, Response> {
        let template_type = template_type_field(body)?.unwrap_or("Standard");
        Ok(FakeTemplate {
            id: 0,
            name: str_field(body, "Name")?.opt().flatten().unwrap_or_default(),
            alias: str_field(body, "Alias")?.opt().flatten(),
            subject: str_field(body, "Subject")?
                .opt()
                .flatten()
                .unwrap_or_default(),
            html_body: str_field(body, "HtmlBody")?.opt().flatten(),
            text_body: str_field(body, "TextBody")?.opt().flatten(),
            template_type: template_type.to_string(),
            layout_template: str_field(body, "LayoutTemplate")?.opt().flatten(),
        })
    };
    let mut t = match read() {
        Ok(t) => t,
        Err(resp) => return resp,
    };
    let mut st = shared.state();
    if let Some(resp) = check_template(&st.templates, &t, None) {
        return resp;
    }
    if st.templates.len() >= MAX_TEMPLATES {
        return api_error(
            422,
            1105,
            format!(
                "Template limit would be exceeded. A Server may have up to {MAX_TEMPLATES} templates."
            ),
        );
    }
    t.id = st.next_id;
    st.next_id += 1;
    let resp = ok(t.write_json());
    st.templates.push(t);
    resp
}

fn edit_template(shared: &Shared, key: &str, body: &Map<String, Value>) -> Response {
    let mut st = shared.state();
    let Some(i) = find_index(&st.templates, key) else {
        return not_found();
    };
    let old = st.templates[i].clone();
    let apply = || -> Result<FakeTemplate, Response> {
        let mut t = old.clone();
        if let Some(kind) = template_type_field(body)?
            && kind != t.template_type
        {
            return Err(api_error(
                422,
                1123,
                "The 'TemplateType' of a template cannot be changed after it is created.",
            ));
        }
        if let Some(name) = str_field(body, "Name")?.opt() {
            t.name = name.unwrap_or_default();
        }
        if let Some(subject) = str_field(body, "Subject")?.opt() {
            t.subject = subject.unwrap_or_default();
        }
        if let Some(html) = str_field(body, "HtmlBody")?.opt() {
            t.html_body = html;
        }
        if let Some(text) = str_field(body, "TextBody")?.opt() {
            t.text_body = text;
        }
        if let Some(alias) = str_field(body, "Alias")?.opt() {
            t.alias = alias;
        }
        if let Some(layout) = str_field(body, "LayoutTemplate")?.opt() {
            t.layout_template = layout;
        }
        Ok(t)
    };
    let t = match apply() {
        Ok(t) => t,
        Err(resp) => return resp,
    };
    if let Some(resp) = check_template(&st.templates, &t, Some(t.id)) {
        return resp;
    }
    if old.is_layout() && old.alias != t.alias {
        let dependents = st
            .templates
            .iter()
            .any(|x| old.alias.is_some() && x.layout_template == old.alias);
        if dependents {
            match &t.alias {
                None => {
                    return api_error(
                        422,
                        1122,
                        "A layout used by other templates must keep an alias.",
                    );
                }
                Some(_) => {
                    for x in st
                        .templates
                        .iter_mut()
                        .filter(|x| x.layout_template == old.alias)
                    {
                        x.layout_template = t.alias.clone();
                    }
                }
            }
        }
    }
    let resp = ok(t.write_json());
    st.templates[i] = t;
    resp
}

fn validation_part(result: Result<String, Vec<MustachioError>>) -> Value {
    match result {
        Ok(rendered) => {
            json!({ "ContentIsValid": true, "ValidationErrors": [], "RenderedContent": rendered })
        }
        Err(errors) => {
            let errors: Vec<Value> = errors
                .iter()
                .map(|e| json!({ "Message": e.message, "Line": e.line, "CharacterPosition": e.column }))
                .collect();
            json!({ "ContentIsValid": false, "ValidationErrors": errors, "RenderedContent": Value::Null })
        }
    }
}

fn placeholder_error(message: &str) -> MustachioError {
    MustachioError {
        message: message.to_string(),
        line: 1,
        column: 1,
    }
}

/// What a validate part is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Part {
    Subject,
    Html,
    Text,
}

/// One `{ContentIsValid, ValidationErrors, RenderedContent}` of the validate response (`None`
/// when the part was not sent). Syntax is checked on the submitted content first, so error
/// positions refer to it; then the content is merged into the layout body (if any) and
/// rendered: HtmlBody HTML-encoded, TextBody and Subject with DisableContentSafety.
fn validate_part(
    part: Part,
    content: Option<&str>,
    layout_body: Option<&str>,
    model: &Value,
    is_layout: bool,
) -> Option<Value> {
    let content = content?;
    let placeholders = placeholder_ranges(content).len();
    let mut errors = Vec::new();
    if is_layout && part != Part::Subject && placeholders != 1 {
        errors.push(placeholder_error(MSG_PLACEHOLDER_LAYOUT));
    }
    if (!is_layout || part == Part::Subject) && placeholders > 0 {
        errors.push(placeholder_error(MSG_PLACEHOLDER_STANDARD));
    }
    let own = replace_placeholder(content, "");
    errors.extend(mustachio_errors(&own));
    let result = if errors.is_empty() {
        let merged = match layout_body {
            Some(l) if part != Part::Subject => replace_placeholder(l, content),
            _ => own,
        };
        render_mustachio_with(&merged, model, part == Part::Html).map_err(|e| vec![e])
    } else {
        Err(errors)
    };
    Some(validation_part(result))
}

fn validate_template(shared: &Shared, body: &Map<String, Value>) -> Response {
    let read = || -> Result<_, Response> {
        let to_opt = |f: Field| match f {
            Field::Str(s) => Some(s),
            Field::Absent | Field::Null => None,
        };
        let subject = to_opt(str_field(body, "Subject")?);
        let html = to_opt(str_field(body, "HtmlBody")?);
        let text = to_opt(str_field(body, "TextBody")?);
        let kind = template_type_field(body)?.unwrap_or("Standard");
        let layout = str_field(body, "LayoutTemplate")?.opt().flatten();
        let inline_css = match get_field(body, "InlineCssForHtmlTestRender") {
            None | Some(Value::Null) => true,
            Some(Value::Bool(b)) => *b,
            Some(_) => {
                return Err(api_error(
                    422,
                    1122,
                    "The 'InlineCssForHtmlTestRender' field must be a boolean.",
                ));
            }
        };
        Ok((subject, html, text, kind, layout, inline_css))
    };
    let (subject, html, text, kind, layout, inline_css) = match read() {
        Ok(v) => v,
        Err(resp) => return resp,
    };
    if subject.is_none() && html.is_none() && text.is_none() {
        return api_error(
            422,
            1120,
            "At least one of 'Subject', 'HtmlBody' or 'TextBody' must be specified.",
        );
    }
    if html.is_some() && inline_css {
        return api_error(
            422,
            1122,
            "PostmarkContractFake does not inline CSS: send \"InlineCssForHtmlTestRender\": false \
             (Postmark's default is true, which inlines <style> blocks into the rendered HtmlBody).",
        );
    }
    let is_layout = kind == "Layout";
    if is_layout && layout.is_some() {
        return api_error(
            422,
            1123,
            "The 'LayoutTemplate' field is not allowed for Layout templates.",
        );
    }
    let layout_template = match &layout {
        None => None,
        Some(alias) => {
            let st = shared.state();
            match st
                .templates
                .iter()
                .find(|t| t.is_layout() && t.alias.as_ref() == Some(alias))
            {
                Some(t) => Some(t.clone()),
                None => {
                    return api_error(
                        422,
                        1101,
                        format!(
                            "The 'LayoutTemplate' '{alias}' associated with this request is not valid or was not found."
                        ),
                    );
                }
            }
        }
    };
    let empty = Value::Object(Map::new());
    let model = match get_field(body, "TestRenderModel") {
        None | Some(Value::Null) => &empty,
        Some(m) => m,
    };
    let layout_html = layout_template
        .as_ref()
        .and_then(|l| l.html_body.as_deref());
    let layout_text = layout_template
        .as_ref()
        .and_then(|l| l.text_body.as_deref());
    let html_part = validate_part(Part::Html, html.as_deref(), layout_html, model, is_layout);
    let text_part = validate_part(Part::Text, text.as_deref(), layout_text, model, is_layout);
    let subject_part = validate_part(Part::Subject, subject.as_deref(), None, model, is_layout);
    let valid = |p: &Option<Value>| {
        p.as_ref()
            .is_none_or(|v| v["ContentIsValid"] == Value::Bool(true))
    };
    let all_valid = valid(&html_part) && valid(&text_part) && valid(&subject_part);
    ok(json!({
        "AllContentIsValid": all_valid,
        "HtmlBody": html_part,
        "TextBody": text_part,
        "Subject": subject_part,
        "SuggestedTemplateModel": {},
    }))
}
