//! Markers → Mustachio, Postmark's template language.
//!
//! Mustachio differs from Handlebars in ways that decide how a path is spelled:
//! - a section `{{#a.b}}` *scopes into* its value: inside it, names are looked up in `b`, and
//!   each path segment is one context, so getting back out takes one `../` per segment;
//! - `{{^a}}` (inverted) scopes into its value in the same way;
//! - `{{#each a}}` scopes into each item, whose parent is the list's context;
//! - a name that is missing in the current context is *not* looked up in outer ones.
//!
//! So every value is spelled against the chain of contexts open where it is printed, which
//! [`Scopes`] follows marker by marker. Conditions become a section and an inverted section
//! on the same path (Mustachio has no `else`).

use super::{Marker, Mode, Spelling, value_tag};

/// Where a value's path starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Anchor {
    /// The top-level data.
    Root,
    /// The current item of the symbolic loop at this depth (1 = outermost).
    Item(usize),
}

/// A value's place in recipient data: an anchor and the fields below it.
#[derive(Debug, Clone)]
pub(super) struct SymPath {
    pub(super) anchor: Anchor,
    pub(super) segments: Vec<String>,
    /// The expression as the template wrote it, for messages.
    pub(super) label: String,
}

/// One context of Mustachio's chain: which value it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Context {
    anchor: Anchor,
    path: Vec<String>,
}

/// An open block and the chain to return to when it closes.
#[derive(Debug)]
struct Frame {
    /// The closing tag (`{{/a.b}}`, `{{/each}}`).
    close: String,
    /// The opening path and the condition's sense, for an `else`.
    reopen: Option<(String, bool)>,
    outer: Vec<Context>,
    /// The chain inside the block.
    inner: Vec<Context>,
}

/// The contexts open at the current position of one part (HTML, text, subject).
#[derive(Debug)]
pub(super) struct Scopes {
    chain: Vec<Context>,
    frames: Vec<Frame>,
}

impl Scopes {
    pub(super) fn new() -> Scopes {
        Scopes {
            chain: vec![Context {
                anchor: Anchor::Root,
                path: Vec::new(),
            }],
            frames: Vec::new(),
        }
    }

    /// The Mustachio text of one marker; problems go to `problems`.
    pub(super) fn emit(
        &mut self,
        marker: &Marker,
        escape: bool,
        problems: &mut Vec<String>,
    ) -> String {
        let value = |path: &str| value_tag(path, escape);
        match marker {
            Marker::Value {
                spelling,
                default: None,
                ..
            } => match self.resolve(spelling, problems) {
                Some((path, _, _)) => value(&path),
                None => String::new(),
            },
            Marker::Value {
                spelling,
                default: Some(d),
                ..
            } => match self.resolve(spelling, problems) {
                // Inside the section the value is the current context.
                Some((path, _, _)) => format!(
                    "{{{{#{path}}}}}{}{{{{/{path}}}}}{{{{^{path}}}}}{d}{{{{/{path}}}}}",
                    value(".")
                ),
                None => String::new(),
            },
            Marker::IfOpen { spelling, mode } => {
                let Some((path, base, rest)) = self.resolve(spelling, problems) else {
                    return self.unresolved_block();
                };
                // `is defined` cannot be told from an empty value: like Handlebars' `if`.
                let positive = !matches!(mode, Mode::Falsy | Mode::Undefined);
                let inner = self.entered(base, &rest);
                let tag = if positive { '#' } else { '^' };
                self.push(
                    format!("{{{{/{path}}}}}"),
                    Some((path.clone(), positive)),
                    inner,
                );
                format!("{{{{{tag}{path}}}}}")
            }
            Marker::Else => {
                let Some(frame) = self.frames.pop() else {
                    problems.push("internal: `else` outside a condition".into());
                    return String::new();
                };
                let Some((path, positive)) = frame.reopen.clone() else {
                    self.chain = frame.outer.clone();
                    self.frames.push(frame);
                    return String::new();
                };
                let tag = if positive { '^' } else { '#' };
                let out = format!("{}{{{{{tag}{path}}}}}", frame.close);
                self.chain = frame.inner.clone();
                self.frames.push(Frame {
                    reopen: None,
                    ..frame
                });
                out
            }
            Marker::IfClose { .. } | Marker::EachClose => match self.frames.pop() {
                Some(frame) => {
                    self.chain = frame.outer;
                    frame.close
                }
                None => {
                    problems.push("internal: a block closes that was not opened".into());
                    String::new()
                }
            },
            Marker::EachOpen { spelling, depth } => {
                let Some((path, base, rest)) = self.resolve(spelling, problems) else {
                    return self.unresolved_block();
                };
                let mut inner = self.entered(base, &rest);
                inner.push(Context {
                    anchor: Anchor::Item(*depth),
                    path: Vec::new(),
                });
                self.push("{{/each}}".into(), None, inner);
                format!("{{{{#each {path}}}}}")
            }
        }
    }

    /// A block whose path could not be spelled (the problem is recorded): an empty frame
    /// keeps the blocks balanced; the compile fails anyway.
    fn unresolved_block(&mut self) -> String {
        self.push(String::new(), None, self.chain.clone());
        String::new()
    }

    /// Any block left open at the end of the part.
    pub(super) fn finish(&self, problems: &mut Vec<String>) {
        if !self.frames.is_empty() {
            problems.push("internal: a send-time block is not closed in this part".into());
        }
    }

    fn push(&mut self, close: String, reopen: Option<(String, bool)>, inner: Vec<Context>) {
        let outer = std::mem::replace(&mut self.chain, inner.clone());
        self.frames.push(Frame {
            close,
            reopen,
            outer,
            inner,
        });
    }

    /// The chain inside a section on the path `rest` below context `base`: one context per
    /// segment, as Mustachio's lookup creates them.
    fn entered(&self, base: usize, rest: &[String]) -> Vec<Context> {
        let mut chain = self.chain[..=base].to_vec();
        let mut path = chain[base].path.clone();
        for segment in rest {
            path.push(segment.clone());
            chain.push(Context {
                anchor: chain[base].anchor,
                path: path.clone(),
            });
        }
        chain
    }

    /// The path of `spelling` as seen from the current context, with the index of the
    /// context it starts from and the segments below that context.
    fn resolve(
        &self,
        spelling: &Spelling,
        problems: &mut Vec<String>,
    ) -> Option<(String, usize, Vec<String>)> {
        let target = match &spelling.mustachio {
            Ok(t) => t,
            Err(message) => {
                problems.push(message.clone());
                return None;
            }
        };
        // The innermost context that holds the value or one of its parents.
        let Some(base) = self
            .chain
            .iter()
            .rposition(|c| c.anchor == target.anchor && target.segments.starts_with(&c.path))
        else {
            problems.push(format!(
                "`{}` cannot be reached here in Postmark's Mustachio: a loop over other data \
                 hides the item it belongs to; keep it in a variable of that loop's item",
                target.label
            ));
            return None;
        };
        let ups = self.chain.len() - 1 - base;
        let rest = target.segments[self.chain[base].path.len()..].to_vec();
        let path = match (ups, rest.is_empty()) {
            (0, true) => ".".to_owned(),
            (_, true) => "../".repeat(ups),
            _ => format!("{}{}", "../".repeat(ups), rest.join(".")),
        };
        Some((path, base, rest))
    }
}

/// Whether Mustachio would read part of `text` as a tag: it has no way to print `{{`.
pub(super) fn looks_like_a_tag(text: &str) -> Option<&str> {
    let mut rest = text;
    while let Some(i) = rest.find("{{") {
        let after = &rest[i + 2..];
        let inner_len = after.find(['{', '}']).unwrap_or(after.len());
        if inner_len > 0 && after[inner_len..].starts_with("}}") {
            return Some(&rest[i..i + 2 + inner_len + 2]);
        }
        rest = &rest[i + 2..];
    }
    None
}
