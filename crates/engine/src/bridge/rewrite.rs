//! Source rewriting for the send-time bridge.
//!
//! Every `{% if %}` and `{% for %}` of a template is rewritten so that the same source renders
//! two ways at once: when its test or iterable is build-time data (globals, locale strings,
//! constants) it behaves exactly as written; when it is recipient data (a symbolic value, see
//! the parent module) both branches are rendered and framed by block markers that become
//! `{{#if}}…{{else}}…{{/if}}` or `{{#each}}…{{/each}}` after MJML.
//!
//! ```text
//! {% if T %}A{% else %}B{% endif %}
//! ⇒ {{ __lp_open(C) }}{% if __lp_sym(C) or (T) %}A{% endif %}{{ __lp_else(C) }}
//!    {% if __lp_sym(C) or not (T) %}B{% endif %}{{ __lp_close(C) }}
//! ```
//!
//! `C` is a condition built from `T` (see [`condition`]). Rewritten tags stay on the line of
//! the tag they replace and keep its whitespace-control flags, so line numbers in errors and
//! the whitespace of the output are those of the original source.

use minijinja::machinery::ast::{BinOpKind, Expr, UnaryOpKind};
use minijinja::machinery::parse_expr;

/// One `{% … %}` tag of the original source.
struct Tag<'a> {
    /// Byte range of the whole tag, `{%` to `%}`.
    start: usize,
    end: usize,
    /// Whitespace control on the left (`-` or `+`), if any.
    left: &'a str,
    /// Whitespace control on the right.
    right: &'a str,
    /// The text between the delimiters and the flags, trimmed.
    inner: &'a str,
}

enum Frame {
    /// An `if` chain: one condition (and test source) per `if`/`elif` seen so far.
    If(Vec<(String, String)>),
    /// A `for` loop over `iter`, with `with_loop` when its body mentions `loop`.
    For {
        iter: String,
        with_loop: bool,
        had_else: bool,
    },
    /// Any other block tag that has an end tag (kept as written).
    Other,
}

/// Rewrites `source` (a template file or an inline subject/preheader) for the bridge.
pub(crate) fn rewrite(source: &str) -> String {
    let mut out = String::with_capacity(source.len() * 2);
    let mut stack: Vec<Frame> = Vec::new();
    let mut copied = 0;
    let mut pos = 0;
    let bytes = source.as_bytes();
    while let Some(found) = source[pos..].find('{') {
        let at = pos + found;
        match bytes.get(at + 1) {
            Some(b'#') => {
                pos = source[at..].find("#}").map_or(source.len(), |e| at + e + 2);
            }
            Some(b'{') => {
                let end = find_close(source, at + 2, "}}").unwrap_or(source.len());
                // Inside a loop, `loop` is the bridge's loop variable (see `rename_loop`).
                let expr = &source[at..end];
                let renamed = rename_loop(expr, loop_depth(&stack));
                if renamed != expr {
                    out.push_str(&source[copied..at]);
                    out.push_str(&renamed);
                    copied = end;
                }
                pos = end;
            }
            Some(b'%') => {
                let Some(end) = find_close(source, at + 2, "%}") else {
                    break;
                };
                let tag = parse_tag(source, at, end);
                let keyword = tag.inner.split_whitespace().next().unwrap_or("");
                if keyword == "raw" {
                    // Skip to the matching endraw, untouched.
                    pos = find_endraw(source, end).unwrap_or(source.len());
                    continue;
                }
                let renamed = rename_loop(tag.inner, loop_depth(&stack));
                let tag = Tag {
                    inner: &renamed,
                    ..tag
                };
                let replacement = rewrite_tag(&tag, keyword, source, &mut stack).or_else(|| {
                    (tag.inner != parse_tag(source, at, end).inner)
                        .then(|| pieces(&tag, &[Piece::Stmt(tag.inner.to_owned())]))
                });
                if let Some(text) = replacement {
                    out.push_str(&source[copied..tag.start]);
                    out.push_str(&text);
                    copied = tag.end;
                }
                pos = end;
            }
            _ => pos = at + 1,
        }
    }
    out.push_str(&source[copied..]);
    out
}

/// How many `{% for %}` loops enclose the current position.
fn loop_depth(stack: &[Frame]) -> usize {
    stack
        .iter()
        .filter(|f| matches!(f, Frame::For { .. }))
        .count()
}

/// Inside the `depth`-th loop, the variable `loop` becomes `__lp_loop<depth>` (a `with` binds
/// it to the real loop, or to the symbolic one over recipient data); string literals and
/// attribute names (`x.loop`) are left alone.
fn rename_loop(text: &str, depth: usize) -> std::borrow::Cow<'_, str> {
    if depth == 0 || !text.contains("loop") {
        return text.into();
    }
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    let mut out = String::with_capacity(text.len() + 8);
    let mut quote: Option<char> = None;
    let mut prev: Option<char> = None;
    let mut i = 0;
    while i < text.len() {
        let rest = &text[i..];
        let Some(c) = rest.chars().next() else {
            break;
        };
        match quote {
            Some(q) if c == q && prev != Some('\\') => quote = None,
            Some(_) => {}
            None if c == '"' || c == '\'' => quote = Some(c),
            None if rest.starts_with("loop")
                && !prev.is_some_and(|p| ident(p) || p == '.')
                && !rest[4..].chars().next().is_some_and(ident) =>
            {
                out.push_str(&format!("__lp_loop{depth}"));
                prev = Some('p');
                i += 4;
                continue;
            }
            None => {}
        }
        out.push(c);
        prev = Some(c);
        i += c.len_utf8();
    }
    out.into()
}

/// Finds the end (exclusive) of a tag opened before `from`, skipping string literals.
fn find_close(source: &str, from: usize, close: &str) -> Option<usize> {
    let bytes = source.as_bytes();
    let mut i = from;
    let mut quote: Option<u8> = None;
    while i < bytes.len() {
        let b = bytes[i];
        match quote {
            Some(_) if b == b'\\' => i += 1,
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None if b == b'"' || b == b'\'' => quote = Some(b),
            None if source[i..].starts_with(close) => return Some(i + close.len()),
            None => {}
        }
        i += 1;
    }
    None
}

fn find_endraw(source: &str, from: usize) -> Option<usize> {
    let mut pos = from;
    while let Some(found) = source[pos..].find("{%") {
        let at = pos + found;
        let end = find_close(source, at + 2, "%}")?;
        let tag = parse_tag(source, at, end);
        if tag.inner == "endraw" {
            return Some(end);
        }
        pos = end;
    }
    None
}

fn parse_tag(source: &str, start: usize, end: usize) -> Tag<'_> {
    let mut body = &source[start + 2..end - 2];
    let mut left = "";
    let mut right = "";
    if let Some(rest) = body.strip_prefix(['-', '+']) {
        left = &body[..1];
        body = rest;
    }
    if let Some(rest) = body.strip_suffix(['-', '+']) {
        right = &body[body.len() - 1..];
        body = rest;
    }
    Tag {
        start,
        end,
        left,
        right,
        inner: body.trim(),
    }
}

/// Block tags with an end tag that may contain `else` of their own (none do, besides if/for),
/// tracked only so that an `else` is matched to the right `if` or `for`.
const OTHER_BLOCKS: &[&str] = &["block", "macro", "call", "filter", "with", "autoescape"];

fn rewrite_tag(
    tag: &Tag<'_>,
    keyword: &str,
    source: &str,
    stack: &mut Vec<Frame>,
) -> Option<String> {
    let rest = tag.inner[keyword.len()..].trim();
    match keyword {
        "if" => {
            let cond = condition(rest);
            let text = pieces(
                tag,
                &[
                    Piece::Expr(format!("__lp_open({cond})")),
                    Piece::Stmt(format!("if __lp_sym({cond}) or ({rest})")),
                ],
            );
            stack.push(Frame::If(vec![(cond, rest.to_owned())]));
            Some(text)
        }
        "elif" => {
            let Some(Frame::If(chain)) = stack.last_mut() else {
                return None;
            };
            let (cond, test) = chain.last().cloned()?;
            let next = condition(rest);
            let text = pieces(
                tag,
                &[
                    Piece::Stmt("endif".into()),
                    Piece::Expr(format!("__lp_else({cond})")),
                    Piece::Stmt(format!("if __lp_sym({cond}) or not ({test})")),
                    Piece::Expr(format!("__lp_open({next})")),
                    Piece::Stmt(format!("if __lp_sym({next}) or ({rest})")),
                ],
            );
            chain.push((next, rest.to_owned()));
            Some(text)
        }
        "else" => match stack.last() {
            Some(Frame::If(chain)) => {
                let (cond, test) = chain.last().cloned()?;
                Some(pieces(
                    tag,
                    &[
                        Piece::Stmt("endif".into()),
                        Piece::Expr(format!("__lp_else({cond})")),
                        Piece::Stmt(format!("if __lp_sym({cond}) or not ({test})")),
                    ],
                ))
            }
            Some(Frame::For { .. }) => {
                let Some(Frame::For {
                    with_loop,
                    had_else,
                    ..
                }) = stack.last_mut()
                else {
                    return None;
                };
                *had_else = true;
                let mut list = Vec::new();
                if *with_loop {
                    list.push(Piece::Stmt("endwith".into()));
                }
                list.push(Piece::Stmt("else".into()));
                Some(pieces(tag, &list))
            }
            _ => None,
        },
        "endif" => {
            let Some(Frame::If(chain)) = stack.pop() else {
                return None;
            };
            Some(pieces(tag, &closes(&chain)))
        }
        "for" => {
            let Some((target, iter)) = split_for(rest) else {
                stack.push(Frame::Other);
                return None;
            };
            let with_loop = body_mentions_loop(source, tag.end);
            let has_else = for_has_else(source, tag.end);
            let mut list = vec![
                Piece::Expr(format!("__lp_each_open({iter})")),
                Piece::Stmt(format!(
                    "for {target} in __lp_iter({iter}, {has_else}){}",
                    for_suffix(rest)
                )),
            ];
            if with_loop {
                // minijinja reserves `loop`: the body says `__lp_loopN` instead (renamed).
                let depth = loop_depth(stack) + 1;
                list.push(Piece::Stmt(format!(
                    "with __lp_loop{depth} = __lp_loop({iter}, loop)"
                )));
            }
            stack.push(Frame::For {
                iter: iter.to_owned(),
                with_loop,
                had_else: false,
            });
            Some(pieces(tag, &list))
        }
        "endfor" => {
            let Some(Frame::For {
                iter,
                with_loop,
                had_else,
            }) = stack.pop()
            else {
                return None;
            };
            let mut list = Vec::new();
            // An `else` already closed the `with`; a loop without one closes it here.
            if with_loop && !had_else {
                list.push(Piece::Stmt("endwith".into()));
            }
            list.push(Piece::Stmt("endfor".into()));
            list.push(Piece::Expr(format!("__lp_each_close({iter})")));
            Some(pieces(tag, &list))
        }
        k if OTHER_BLOCKS.contains(&k) => {
            // `{% set x = … %}` has no end tag; `{% set x %}…{% endset %}` does.
            stack.push(Frame::Other);
            None
        }
        "set" if !rest.contains('=') => {
            stack.push(Frame::Other);
            None
        }
        k if k.starts_with("end") => {
            if matches!(stack.last(), Some(Frame::Other)) {
                stack.pop();
            }
            None
        }
        _ => None,
    }
}

/// The statements that close an `if` chain, innermost condition first: each `elif` opened
/// its condition inside the previous one's else branch.
fn closes(chain: &[(String, String)]) -> Vec<Piece> {
    let mut list = Vec::new();
    for (cond, _) in chain.iter().rev() {
        list.push(Piece::Stmt("endif".into()));
        list.push(Piece::Expr(format!("__lp_close({cond})")));
    }
    list
}

enum Piece {
    Stmt(String),
    Expr(String),
}

/// Joins pieces into tags; the first carries the original left flag, the last the right.
fn pieces(tag: &Tag<'_>, list: &[Piece]) -> String {
    let mut out = String::new();
    let last = list.len().saturating_sub(1);
    for (i, piece) in list.iter().enumerate() {
        let left = if i == 0 { tag.left } else { "" };
        let right = if i == last { tag.right } else { "" };
        match piece {
            Piece::Stmt(s) => out.push_str(&format!("{{%{left} {s} {right}%}}")),
            Piece::Expr(s) => out.push_str(&format!("{{{{{left} {s} {right}}}}}")),
        }
    }
    out
}

/// `x in items` → (`x`, `items`); None for forms the bridge leaves alone.
fn split_for(rest: &str) -> Option<(&str, &str)> {
    let (target, tail) = rest.split_once(" in ")?;
    let target = target.trim();
    let tail = tail.trim();
    // `… if cond` filters and `recursive` follow the iterable.
    let iter_end = [" if ", " recursive"]
        .iter()
        .filter_map(|k| tail.find(k))
        .min()
        .unwrap_or(tail.len());
    let iter = tail[..iter_end].trim();
    (!iter.is_empty() && !target.is_empty()).then_some((target, iter))
}

/// The part of a for tag after the iterable (`if cond`, `recursive`).
fn for_suffix(rest: &str) -> String {
    let Some((_, tail)) = rest.split_once(" in ") else {
        return String::new();
    };
    let tail = tail.trim();
    let iter_end = [" if ", " recursive"]
        .iter()
        .filter_map(|k| tail.find(k))
        .min()
        .unwrap_or(tail.len());
    tail[iter_end..].to_owned()
}

/// The body of the loop starting at `from`, up to its matching endfor (or the end).
fn loop_body(source: &str, from: usize) -> &str {
    let mut depth = 0usize;
    let mut pos = from;
    while let Some(found) = source[pos..].find("{%") {
        let at = pos + found;
        let Some(end) = find_close(source, at + 2, "%}") else {
            break;
        };
        let tag = parse_tag(source, at, end);
        let keyword = tag.inner.split_whitespace().next().unwrap_or("");
        match keyword {
            "for" => depth += 1,
            "endfor" if depth == 0 => return &source[from..at],
            "endfor" => depth -= 1,
            _ => {}
        }
        pos = end;
    }
    &source[from..]
}

fn body_mentions_loop(source: &str, from: usize) -> bool {
    let body = loop_body(source, from);
    body.match_indices("loop").any(|(i, _)| {
        let before = body[..i].chars().next_back();
        let after = body[i + 4..].chars().next();
        !before.is_some_and(|c| c.is_alphanumeric() || c == '_')
            && !after.is_some_and(|c| c.is_alphanumeric() || c == '_')
    })
}

/// Whether the loop starting at `from` has its own `{% else %}`.
fn for_has_else(source: &str, from: usize) -> bool {
    let body = loop_body(source, from);
    let mut depth = 0usize;
    let mut pos = 0;
    while let Some(found) = body[pos..].find("{%") {
        let at = pos + found;
        let Some(end) = find_close(body, at + 2, "%}") else {
            break;
        };
        let tag = parse_tag(body, at, end);
        let keyword = tag.inner.split_whitespace().next().unwrap_or("");
        match keyword {
            "for" | "if" => depth += 1,
            "endfor" | "endif" => depth = depth.saturating_sub(1),
            "else" if depth == 0 => return true,
            _ => {}
        }
        pos = end;
    }
    false
}

/// Builds the condition expression for test `test`: `__lp_cond(path, "mode")` for the forms
/// Handlebars can express, else `__lp_guard("test", leaf paths…)`, which refuses at render
/// time when a leaf is recipient data.
pub(crate) fn condition(test: &str) -> String {
    let quoted = quote(test);
    let Ok(expr) = parse_expr(test) else {
        return format!("__lp_guard({quoted})");
    };
    if let Some((path, mode)) = simple(&expr, test) {
        return format!("__lp_cond({path}, \"{mode}\")");
    }
    let mut leaves = Vec::new();
    leaf_paths(&expr, test, &mut leaves);
    let mut call = format!("__lp_guard({quoted}");
    for leaf in leaves {
        call.push_str(", ");
        call.push_str(leaf);
    }
    call.push(')');
    call
}

fn quote(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn source_of<'s>(expr: &Expr<'_>, test: &'s str) -> &'s str {
    let span = expr.span();
    test.get(span.start_offset as usize..span.end_offset as usize)
        .unwrap_or(test)
}

fn is_path(expr: &Expr<'_>) -> bool {
    match expr {
        Expr::Var(_) => true,
        Expr::GetAttr(a) => is_path(&a.expr),
        Expr::GetItem(i) => is_path(&i.expr) && matches!(i.subscript_expr, Expr::Const(_)),
        _ => false,
    }
}

/// `path`, `not X`, `path is defined`, `path is not defined`, `path | length`,
/// `path | length > 0`, `path | length == 0` → (path source, mode: truthy, falsy, defined or
/// undefined).
fn simple<'s>(expr: &Expr<'_>, test: &'s str) -> Option<(&'s str, &'static str)> {
    match expr {
        e if is_path(e) => Some((source_of(e, test), "truthy")),
        Expr::UnaryOp(u) if matches!(u.op, UnaryOpKind::Not) => {
            simple(&u.expr, test).map(|(p, mode)| {
                let flipped = match mode {
                    "truthy" => "falsy",
                    "falsy" => "truthy",
                    "defined" => "undefined",
                    _ => "defined",
                };
                (p, flipped)
            })
        }
        Expr::Test(t) if t.args.is_empty() && is_path(&t.expr) => match t.name {
            "defined" => Some((source_of(&t.expr, test), "defined")),
            "undefined" => Some((source_of(&t.expr, test), "undefined")),
            _ => None,
        },
        Expr::Filter(f) if f.name == "length" && f.args.is_empty() => {
            let inner = f.expr.as_ref()?;
            is_path(inner).then(|| (source_of(inner, test), "truthy"))
        }
        // A single comparison parses as a binary operation.
        Expr::BinOp(c) => {
            let Expr::Filter(f) = &c.left else {
                return None;
            };
            let inner = f.expr.as_ref()?;
            if f.name != "length" || !f.args.is_empty() || !is_path(inner) {
                return None;
            }
            let zero = c
                .right
                .as_const()
                .is_some_and(|v| i64::try_from(v).ok() == Some(0));
            if !zero {
                return None;
            }
            let path = source_of(inner, test);
            match c.op {
                BinOpKind::Gt | BinOpKind::Ne => Some((path, "truthy")),
                BinOpKind::Eq | BinOpKind::Lte => Some((path, "falsy")),
                _ => None,
            }
        }
        _ => None,
    }
}

/// The maximal variable paths in `expr` (`order.vat_rate`, `user`), as source text.
fn leaf_paths<'s>(expr: &Expr<'_>, test: &'s str, out: &mut Vec<&'s str>) {
    if is_path(expr) {
        out.push(source_of(expr, test));
        return;
    }
    match expr {
        Expr::UnaryOp(u) => leaf_paths(&u.expr, test, out),
        Expr::BinOp(b) => {
            leaf_paths(&b.left, test, out);
            leaf_paths(&b.right, test, out);
        }
        Expr::Compare(c) => {
            leaf_paths(&c.expr, test, out);
            for op in &c.ops {
                leaf_paths(&op.expr, test, out);
            }
        }
        Expr::IfExpr(i) => {
            leaf_paths(&i.test_expr, test, out);
            leaf_paths(&i.true_expr, test, out);
            if let Some(f) = &i.false_expr {
                leaf_paths(f, test, out);
            }
        }
        Expr::Filter(f) => {
            if let Some(e) = &f.expr {
                leaf_paths(e, test, out);
            }
        }
        Expr::Test(t) => leaf_paths(&t.expr, test, out),
        Expr::GetAttr(a) => leaf_paths(&a.expr, test, out),
        Expr::GetItem(i) => leaf_paths(&i.expr, test, out),
        Expr::List(l) => {
            for item in &l.items {
                leaf_paths(item, test, out);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_other_than_if_and_for_are_left_alone() {
        let src =
            "{% extends \"layouts/base.mjml\" %}{% block content %}{{ x }}{# c #}{% endblock %}";
        assert_eq!(rewrite(src), src);
    }

    #[test]
    fn an_if_chain_keeps_its_lines_and_whitespace_flags() {
        let src = "a\n{%- if user.vip %}V\n{%- elif not user.name %}N{% else -%}\n E{% endif %}\nb";
        let out = rewrite(src);
        assert_eq!(out.lines().count(), src.lines().count(), "{out}");
        assert!(
            out.starts_with("a\n{{- __lp_open(__lp_cond(user.vip, \"truthy\""),
            "{out}"
        );
        assert!(out.contains("__lp_cond(user.name, \"falsy\""), "{out}");
        // The else branch keeps its right-trim flag; the chain closes innermost first.
        assert!(out.contains("or not (not user.name) -%}"), "{out}");
        let closes: Vec<_> = out.match_indices("__lp_close(").collect();
        assert_eq!(closes.len(), 2);
    }

    #[test]
    fn a_loop_gets_its_symbolic_form_and_loop_variable() {
        let src = "{% for t in tasks %}{{ loop.index0 }}{{ t.title }}{% endfor %}";
        let out = rewrite(src);
        assert!(out.contains("{{ __lp_each_open(tasks) }}"), "{out}");
        assert!(out.contains("for t in __lp_iter(tasks, false)"), "{out}");
        assert!(
            out.contains("with __lp_loop1 = __lp_loop(tasks, loop)"),
            "{out}"
        );
        assert!(out.contains("{{ __lp_loop1.index0 }}"), "{out}");
        assert!(
            out.ends_with("{% endwith %}{% endfor %}{{ __lp_each_close(tasks) }}"),
            "{out}"
        );
    }

    #[test]
    fn conditions_handlebars_cannot_express_are_guarded() {
        assert_eq!(
            condition("order.vat_rate == 0"),
            "__lp_guard(\"order.vat_rate == 0\", order.vat_rate)"
        );
        assert_eq!(
            condition("people | length > 0"),
            "__lp_cond(people, \"truthy\")"
        );
        assert_eq!(
            condition("request.ip is not defined"),
            "__lp_cond(request.ip, \"undefined\")"
        );
    }

    #[test]
    fn raw_blocks_and_strings_with_delimiters_are_not_rewritten() {
        let src = "{% raw %}{% if x %}{% endraw %}{{ \"%}\" }}";
        assert_eq!(rewrite(src), src);
    }
}
