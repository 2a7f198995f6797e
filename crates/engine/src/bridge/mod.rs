//! The send-time bridge: compiles a template in one locale into a template for the sending
//! service's own language (Handlebars for Amazon SES), so the service renders at send time
//! what the preview renders now.
//!
//! Build-time parts (locale strings, layouts, includes, macros, globals) are resolved here;
//! recipient data stays a variable. It works by rendering the template once with *symbolic*
//! recipient data: every name the engine does not provide itself is a [`Sym`] that renders as
//! a marker. `{% if %}` and `{% for %}` over symbolic data are rewritten beforehand
//! ([`rewrite`]) to render both branches between block markers. After MJML, the markers
//! become Handlebars. Whatever Handlebars cannot express (a filter such as `money` on
//! recipient data, a comparison, a plural chosen by a recipient's number) is a diagnostic with
//! the file and line, never a silent change.
//!
//! Markers are private-use characters around an id (`\u{E000}lP12\u{E001}`): they survive
//! HTML escaping, MJML and CSS inlining untouched, and a filter that changes case or cuts the
//! text breaks them visibly instead of silently.

mod mustachio;
mod rewrite;
mod text;

use crate::diagnostic::{Code, Diagnostic, Location};
use crate::sources::{SourceError, Sources};
use minijinja::value::{Enumerator, Kwargs, Object, ObjectRepr, Rest, Value};
use minijinja::{Environment, Error, ErrorKind, State};
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

use mustachio::{Anchor, SymPath};
pub(crate) use rewrite::rewrite;

/// The template language of a sending service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dialect {
    /// Handlebars, as Amazon SES (and SendGrid, Mailgun) render it.
    Handlebars,
    /// Jinja, as this engine renders it at send time (bundles for self-hosted senders).
    Jinja,
    /// Mustachio, Postmark's Mustache variant: sections scope into their value, `../`
    /// climbs one context, no loop variables, no way to print `{{` literally.
    Mustachio,
}

/// A template compiled for a sending service: every part with send-time expressions in the
/// service's language.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct SendTimeTemplate {
    /// Subject line (unescaped expressions: it is not HTML).
    pub subject: String,
    /// Preheader (also inside the HTML).
    pub preheader: String,
    /// The HTML part.
    pub html: String,
    /// The plain-text part (unescaped expressions).
    pub text: String,
}

/// Name of the hidden context variable that carries the bridge state of one compile.
pub(crate) const BRIDGE_VAR: &str = "__lp_bridge";

const OPEN: char = '\u{E000}';
const CLOSE: char = '\u{E001}';

/// A path into recipient data, relative to where it was created.
#[derive(Debug, Clone)]
enum Base {
    /// The top-level data.
    Root,
    /// The current item of the symbolic loop at this depth (1 = outermost).
    Item(usize),
    /// The `loop` variable of the symbolic loop at this depth.
    Loop(usize),
}

/// How a condition tests its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    Truthy,
    Falsy,
    Defined,
    Undefined,
}

impl Mode {
    fn parse(text: &str) -> Mode {
        match text {
            "falsy" => Mode::Falsy,
            "defined" => Mode::Defined,
            "undefined" => Mode::Undefined,
            _ => Mode::Truthy,
        }
    }

    fn negated(self) -> bool {
        matches!(self, Mode::Falsy | Mode::Undefined)
    }
}

/// A value's spelling in each dialect, where it was rendered (an error when a dialect has
/// no spelling for it).
#[derive(Debug, Clone)]
struct Spelling {
    /// Handlebars path (`user.name`, `this.title`, `@root.x`, `@index`).
    handlebars: Result<String, String>,
    /// Handlebars `lookup` subexpression, for block helpers (absent fields are falsy).
    lookup: Result<String, String>,
    /// Jinja expression.
    jinja: Result<String, String>,
    /// Where the value lives, for Mustachio (spelled against the sections open around it).
    mustachio: Result<SymPath, String>,
}

impl Spelling {
    fn get(&self, dialect: Dialect, block: bool) -> Result<&str, &str> {
        let r = match (dialect, block) {
            (Dialect::Handlebars, false) => &self.handlebars,
            (Dialect::Handlebars, true) => &self.lookup,
            (Dialect::Jinja, _) => &self.jinja,
            (Dialect::Mustachio, _) => {
                return Err("internal: Mustachio paths are spelled against their sections");
            }
        };
        r.as_deref().map_err(String::as_str)
    }
}

/// One thing a marker stands for.
#[derive(Debug, Clone)]
enum Marker {
    /// A value, with the `default` filter's text if any.
    Value {
        spelling: Spelling,
        default: Option<String>,
        /// Renders as text that is never empty (a loop variable: a number or a boolean).
        never_empty: bool,
    },
    IfOpen {
        spelling: Spelling,
        mode: Mode,
    },
    Else,
    IfClose {
        mode: Mode,
    },
    EachOpen {
        spelling: Spelling,
        /// Loop depth inside (1 = outermost): names the Jinja loop variable.
        depth: usize,
    },
    EachClose,
}

/// The state of one compile: markers handed out, how deep in symbolic loops the render is,
/// and problems found by values that cannot raise errors themselves.
#[derive(Debug, Default)]
pub(crate) struct BridgeState {
    markers: Mutex<Vec<Marker>>,
    depth: Mutex<usize>,
    problems: Mutex<Vec<String>>,
}

impl Object for BridgeState {}

impl BridgeState {
    fn marker(&self, marker: Marker) -> String {
        let mut markers = self.markers.lock().unwrap_or_else(PoisonError::into_inner);
        markers.push(marker);
        format!("{OPEN}lP{}{CLOSE}", markers.len() - 1)
    }

    fn depth(&self) -> usize {
        *self.depth.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn problem(&self, message: String) {
        let mut problems = self.problems.lock().unwrap_or_else(PoisonError::into_inner);
        if !problems.contains(&message) {
            problems.push(message);
        }
    }

    /// Problems recorded during the render.
    pub(crate) fn problems(&self) -> Vec<String> {
        self.problems
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

/// Recipient data whose value is only known at send time.
#[derive(Debug, Clone)]
pub(crate) struct Sym {
    state: Arc<BridgeState>,
    base: Base,
    segments: Vec<String>,
    /// The expression as the template wrote it (`order.total`, `task.title`).
    label: String,
}

impl Sym {
    /// This value's spelling in every dialect, as seen from the current loop depth.
    fn spelling(&self) -> Spelling {
        let depth = self.state.depth();
        let rest = self.segments.join(".");
        let jinja_rest: String = self
            .segments
            .iter()
            .map(|s| {
                if !s.is_empty() && s.chars().all(|c| c.is_alphanumeric() || c == '_') {
                    format!(".{s}")
                } else {
                    format!("[{}]", serde_json::Value::from(s.as_str()))
                }
            })
            .collect();
        let up = |d: usize| "../".repeat(depth.saturating_sub(d));
        let mustachio = self.mustachio_path();
        match self.base {
            Base::Root => {
                let handlebars = if depth == 0 {
                    rest.clone()
                } else {
                    format!("@root.{rest}")
                };
                let base = if depth == 0 { "this" } else { "@root" };
                Spelling {
                    handlebars: Ok(handlebars),
                    lookup: Ok(self.lookup_chain(base)),
                    jinja: Ok(jinja_rest.trim_start_matches('.').to_owned()),
                    mustachio,
                }
            }
            Base::Item(d) => {
                let up = up(d);
                let handlebars = if rest.is_empty() {
                    format!("{up}this")
                } else if up.is_empty() {
                    format!("this.{rest}")
                } else {
                    format!("{up}{rest}")
                };
                Spelling {
                    handlebars: Ok(handlebars),
                    lookup: Ok(self.lookup_chain(&format!("{up}this"))),
                    jinja: Ok(format!("__lp_item{d}{jinja_rest}")),
                    mustachio,
                }
            }
            Base::Loop(d) => {
                let up = up(d);
                let handlebars = match rest.as_str() {
                    "index0" => Ok(format!("@{up}index")),
                    "first" => Ok(format!("@{up}first")),
                    "last" => Ok(format!("@{up}last")),
                    other => Err(format!(
                        "`loop.{other}` in a loop over recipient data has no Handlebars \
                         equivalent (only loop.index0, loop.first and loop.last do)"
                    )),
                };
                let jinja = if depth == d {
                    Ok(format!("loop{jinja_rest}"))
                } else {
                    Err(format!(
                        "`loop.{rest}` of an outer loop over recipient data is not reachable \
                         inside an inner one; keep it in a variable before the inner loop"
                    ))
                };
                Spelling {
                    lookup: handlebars.clone(),
                    handlebars,
                    jinja,
                    mustachio,
                }
            }
        }
    }

    /// Where this value lives, for Mustachio; an error where Mustachio cannot name it.
    fn mustachio_path(&self) -> Result<SymPath, String> {
        let anchor = match self.base {
            Base::Root => Anchor::Root,
            Base::Item(d) => Anchor::Item(d),
            Base::Loop(_) => {
                return Err(format!(
                    "`{}` in a loop over recipient data: Postmark's Mustachio has no loop \
                     variables (no first, last or index)",
                    self.label
                ));
            }
        };
        for segment in &self.segments {
            let word =
                !segment.is_empty() && segment.chars().all(|c| c.is_alphanumeric() || c == '_');
            if !word || segment.chars().all(|c| c.is_ascii_digit()) {
                return Err(format!(
                    "`{}`: Postmark's Mustachio paths name fields by letters, digits and `_` \
                     only, and cannot index lists (`{segment}`)",
                    self.label
                ));
            }
        }
        Ok(SymPath {
            anchor,
            segments: self.segments.clone(),
            label: self.label.clone(),
        })
    }

    /// `(lookup (lookup BASE "a") "b")`: yields nothing (instead of failing, as SES's strict
    /// Handlebars does for paths) when a field is absent.
    fn lookup_chain(&self, base: &str) -> String {
        let mut expr = base.to_owned();
        for segment in &self.segments {
            expr = format!("(lookup {expr} \"{}\")", segment.replace(['"', '\\'], ""));
        }
        expr
    }

    fn value_marker(&self, default: Option<String>) -> String {
        self.state.marker(Marker::Value {
            spelling: self.spelling(),
            default,
            never_empty: matches!(self.base, Base::Loop(_)),
        })
    }

    fn child(&self, key: &str) -> Sym {
        let mut segments = self.segments.clone();
        segments.push(key.to_owned());
        Sym {
            state: self.state.clone(),
            base: self.base.clone(),
            segments,
            label: format!("{}.{key}", self.label),
        }
    }
}

impl Object for Sym {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Plain
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let key = match key.as_str() {
            Some(k) => k.to_owned(),
            None => key.to_string(),
        };
        Some(Value::from_object(self.child(&key)))
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        self.state.problem(format!(
            "`{}` is recipient data: it can only be looped over by a `{{% for %}}` tag",
            self.label
        ));
        Enumerator::Empty
    }

    fn is_true(self: &Arc<Self>) -> bool {
        self.state.problem(format!(
            "`{}` is recipient data used as a condition inside an expression; only \
             `{{% if %}}` tags can test recipient data at send time",
            self.label
        ));
        true
    }

    fn render(self: &Arc<Self>, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.value_marker(None))
    }
}

fn as_sym(value: &Value) -> Option<Arc<Sym>> {
    value.downcast_object::<Sym>()
}

/// The top-level context of a bridge render: the engine's own names, and recipient data
/// (everything else) as symbols.
#[derive(Debug)]
pub(crate) struct SymbolicRoot {
    known: Value,
    state: Arc<BridgeState>,
}

/// Names that must fall through to the environment's globals (functions).
const GLOBALS: &[&str] = &[
    "t",
    "range",
    "dict",
    "debug",
    "namespace",
    "__lp_cond",
    "__lp_guard",
    "__lp_sym",
    "__lp_open",
    "__lp_else",
    "__lp_close",
    "__lp_each_open",
    "__lp_each_close",
    "__lp_iter",
    "__lp_loop",
];

impl SymbolicRoot {
    pub(crate) fn new(known: Value, state: Arc<BridgeState>) -> SymbolicRoot {
        SymbolicRoot { known, state }
    }
}

impl Object for SymbolicRoot {
    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let name = key.as_str()?;
        if name == BRIDGE_VAR {
            return Some(Value::from_dyn_object(self.state.clone()));
        }
        if let Ok(v) = self.known.get_attr(name)
            && !v.is_undefined()
        {
            return Some(v);
        }
        if GLOBALS.contains(&name) {
            return None;
        }
        Some(Value::from_object(Sym {
            state: self.state.clone(),
            base: Base::Root,
            segments: vec![name.to_owned()],
            label: name.to_owned(),
        }))
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Empty
    }
}

/// A condition over recipient data: its value's spelling and how it is tested.
#[derive(Debug)]
struct Cond {
    spelling: Spelling,
    mode: Mode,
}

impl Object for Cond {}

fn bridge_state(state: &State) -> Result<Arc<BridgeState>, Error> {
    state
        .lookup(BRIDGE_VAR)
        .and_then(|v| v.downcast_object::<BridgeState>())
        .ok_or_else(|| {
            Error::new(
                ErrorKind::InvalidOperation,
                "bridge functions only work while compiling for a sending service",
            )
        })
}

fn unsupported(message: String) -> Error {
    Error::new(ErrorKind::InvalidOperation, message)
}

fn safe(text: String) -> Value {
    Value::from_safe_string(text)
}

/// Adds the bridge's functions to an environment built by [`crate::jinja::environment`] and
/// replaces the filters that would silently compute with recipient data.
pub(crate) fn install(env: &mut Environment<'static>) {
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Chainable);
    env.add_function(
        "__lp_cond",
        |value: Value, mode: &str| -> Result<Value, Error> {
            Ok(match as_sym(&value) {
                Some(sym) => Value::from_object(Cond {
                    spelling: sym.spelling(),
                    mode: Mode::parse(mode),
                }),
                None => Value::from(false),
            })
        },
    );
    env.add_function(
        "__lp_guard",
        |test: &str, leaves: Rest<Value>| -> Result<Value, Error> {
            if let Some(sym) = leaves.iter().find_map(as_sym) {
                return Err(unsupported(format!(
                    "the condition `{test}` depends on recipient data (`{}`); at send time \
                     a sending service can only test whether a value is present: use \
                     `{{% if {} %}}`, `not`, `is defined`, or `| length > 0`",
                    sym.label, sym.label
                )));
            }
            Ok(Value::from(false))
        },
    );
    env.add_function("__lp_sym", |c: Value| {
        c.downcast_object_ref::<Cond>().is_some()
    });
    env.add_function("__lp_open", |state: &State, c: Value| {
        let Some(cond) = c.downcast_object_ref::<Cond>() else {
            return Ok(safe(String::new()));
        };
        let bridge = bridge_state(state)?;
        Ok(safe(bridge.marker(Marker::IfOpen {
            spelling: cond.spelling.clone(),
            mode: cond.mode,
        })))
    });
    env.add_function("__lp_else", |state: &State, c: Value| {
        if c.downcast_object_ref::<Cond>().is_none() {
            return Ok(safe(String::new()));
        }
        Ok(safe(bridge_state(state)?.marker(Marker::Else)))
    });
    env.add_function("__lp_close", |state: &State, c: Value| {
        let Some(cond) = c.downcast_object_ref::<Cond>() else {
            return Ok(safe(String::new()));
        };
        let mode = cond.mode;
        Ok(safe(bridge_state(state)?.marker(Marker::IfClose { mode })))
    });
    env.add_function("__lp_each_open", |state: &State, iter: Value| {
        let Some(sym) = as_sym(&iter) else {
            return Ok(safe(String::new()));
        };
        let bridge = bridge_state(state)?;
        let marker = bridge.marker(Marker::EachOpen {
            spelling: sym.spelling(),
            depth: bridge.depth() + 1,
        });
        *bridge.depth.lock().unwrap_or_else(PoisonError::into_inner) += 1;
        Ok(safe(marker))
    });
    env.add_function("__lp_each_close", |state: &State, iter: Value| {
        if as_sym(&iter).is_none() {
            return Ok(safe(String::new()));
        }
        let bridge = bridge_state(state)?;
        let mut depth = bridge.depth.lock().unwrap_or_else(PoisonError::into_inner);
        *depth = depth.saturating_sub(1);
        drop(depth);
        Ok(safe(bridge.marker(Marker::EachClose)))
    });
    env.add_function(
        "__lp_iter",
        |state: &State, iter: Value, has_else: bool| -> Result<Value, Error> {
            let Some(sym) = as_sym(&iter) else {
                return Ok(iter);
            };
            if has_else {
                return Err(unsupported(format!(
                    "`{{% for … in {} %}}` has an `{{% else %}}` branch; over recipient data \
                     write `{{% if {} %}}…{{% else %}}…{{% endif %}}` around the loop instead",
                    sym.label, sym.label
                )));
            }
            let bridge = bridge_state(state)?;
            let item = Sym {
                state: bridge.clone(),
                base: Base::Item(bridge.depth()),
                segments: Vec::new(),
                label: format!("{}[…]", sym.label),
            };
            Ok(Value::from(vec![Value::from_object(item)]))
        },
    );
    env.add_function(
        "__lp_loop",
        |state: &State, iter: Value, real: Value| -> Result<Value, Error> {
            if as_sym(&iter).is_none() {
                return Ok(real);
            }
            let bridge = bridge_state(state)?;
            Ok(Value::from_object(Sym {
                state: bridge.clone(),
                base: Base::Loop(bridge.depth()),
                segments: Vec::new(),
                label: "loop".into(),
            }))
        },
    );
    // Formatting recipient data needs the engine at send time.
    env.add_filter(
        "money",
        |state: &State, value: Value, currency: Value| -> Result<String, Error> {
            refuse_formatting("money", &value)?;
            refuse_formatting("money", &currency)?;
            let currency = currency.as_str().ok_or_else(|| {
                Error::new(
                    ErrorKind::InvalidOperation,
                    "money: the currency must be a string",
                )
            })?;
            crate::jinja::money(state, &value, currency)
        },
    );
    env.add_filter(
        "number",
        |state: &State, value: Value, decimals: Option<u32>| -> Result<String, Error> {
            refuse_formatting("number", &value)?;
            crate::jinja::number(state, &value, decimals)
        },
    );
    env.add_filter(
        "date",
        |state: &State, value: Value, style: Option<&str>| -> Result<String, Error> {
            refuse_formatting("date", &value)?;
            crate::jinja::date(state, &value, style)
        },
    );
    for name in ["default", "d"] {
        env.add_filter(
            name,
            |value: Value, fallback: Option<Value>, _boolean: Option<bool>| -> Value {
                match as_sym(&value) {
                    Some(sym) => {
                        let text = fallback.map(|v| v.to_string()).unwrap_or_default();
                        safe(sym.value_marker(Some(text)))
                    }
                    None if value.is_undefined() || value.is_none() => fallback.unwrap_or_default(),
                    None => value,
                }
            },
        );
    }
    // Filters that would quietly compute with the marker text instead of the value (case
    // changes and cuts break the marker and are caught when it is replaced).
    for name in ["length", "count"] {
        env.add_filter(name, move |value: Value| -> Result<usize, Error> {
            refuse_filter(name, &value)?;
            minijinja::filters::length(&value)
        });
    }
    env.add_filter(
        "replace",
        |state: &State, value: Value, from: &str, to: &str| -> Result<String, Error> {
            refuse_filter("replace", &value)?;
            let text = value.to_string();
            let _ = state;
            Ok(text.replace(from, to))
        },
    );
    env.add_filter("urlencode", |value: Value| -> Result<String, Error> {
        refuse_filter("urlencode", &value)?;
        minijinja::filters::urlencode(&value)
    });
    env.add_function(
        "t",
        |state: &State, id: &str, kwargs: Kwargs| -> Result<String, Error> {
            let scope = crate::jinja::scope(state)?;
            let computed = scope.catalogs.0.computed_variables(&scope.chain, id);
            check_translation_args(id, &kwargs, &computed)?;
            crate::jinja::translate(state, id, kwargs)
        },
    );
}

fn refuse_formatting(filter: &str, value: &Value) -> Result<(), Error> {
    match as_sym(value) {
        Some(sym) => Err(unsupported(format!(
            "`{filter}` formats recipient data (`{}`) for the locale; the sending service's \
             template language cannot do that at send time: send the value already \
             formatted, or ship this template as a bundle",
            sym.label
        ))),
        None => Ok(()),
    }
}

fn refuse_filter(filter: &str, value: &Value) -> Result<(), Error> {
    match as_sym(value) {
        Some(sym) => Err(unsupported(format!(
            "the `{filter}` filter needs the value of recipient data (`{}`), which only \
             exists at send time; sending services' template languages have no equivalent",
            sym.label
        ))),
        None => Ok(()),
    }
}

/// `t()` for the bridge: refuses recipient data that a message uses to choose a variant or
/// formats with a function, then formats as the preview does.
fn check_translation_args(
    id: &str,
    kwargs: &Kwargs,
    computed: &std::collections::BTreeSet<String>,
) -> Result<(), Error> {
    for key in kwargs.args() {
        let value: Value = kwargs.peek(key)?;
        if let Some(sym) = as_sym(&value)
            && computed.contains(key)
        {
            return Err(unsupported(format!(
                "message `{id}` chooses its wording (e.g. a plural form) from `${key}`, which \
                 is recipient data (`{}`); the sending service cannot choose at send time: \
                 pass a value known when publishing, or ship this template as a bundle",
                sym.label
            )));
        }
    }
    Ok(())
}

/// Wraps markers that sit between MJML elements in `<mj-raw>` so that MJML keeps them in
/// place; markers inside text-like elements and attribute values stay as they are. MJML trims
/// the whitespace around a text element's content; block markers at either end would shield
/// it, so whitespace next to them there is dropped too.
pub(crate) fn place_block_markers(mjml: &str, state: &BridgeState) -> String {
    const ENDING: &[&str] = &[
        "mj-text",
        "mj-button",
        "mj-table",
        "mj-raw",
        "mj-navbar-link",
        "mj-accordion-title",
        "mj-accordion-text",
        "mj-social-element",
        "mj-style",
        "mj-title",
        "mj-preview",
    ];
    let mut out = String::with_capacity(mjml.len() + 64);
    // Inside a text-like element: its name and where its content starts in `out`.
    let mut ending: Option<(&str, usize)> = None;
    let mut rest = mjml;
    while let Some(i) = rest.find(['<', OPEN]) {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        if rest.starts_with(OPEN) {
            let end = rest
                .find(CLOSE)
                .map_or(rest.len(), |e| e + CLOSE.len_utf8());
            if ending.is_none() {
                out.push_str("<mj-raw>");
                out.push_str(&rest[..end]);
                out.push_str("</mj-raw>");
            } else {
                out.push_str(&rest[..end]);
            }
            rest = &rest[end..];
            continue;
        }
        // A tag or comment: copy it whole (markers in attribute values stay put).
        let end = if rest.starts_with("<!--") {
            rest.find("-->").map_or(rest.len(), |e| e + 3)
        } else {
            tag_end(rest)
        };
        let tag = &rest[..end];
        if let Some((name, start)) = ending {
            if tag.starts_with("</") && tag[2..].starts_with(name) {
                let content = out.split_off(start);
                out.push_str(&tidy_edges(&content, state));
                ending = None;
            }
            out.push_str(tag);
        } else {
            out.push_str(tag);
            if !tag.starts_with("</") && !tag.ends_with("/>") && !tag.starts_with("<!--") {
                let name: &str = tag[1..]
                    .split(|c: char| c.is_whitespace() || c == '>' || c == '/')
                    .next()
                    .unwrap_or("");
                ending = ENDING
                    .iter()
                    .copied()
                    .find(|e| *e == name)
                    .map(|e| (e, out.len()));
            }
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// The block marker at the start of `text`, if any (with its length).
fn leading_block_marker(text: &str, state: &BridgeState) -> Option<usize> {
    let after = text.strip_prefix(OPEN)?;
    let end = after.find(CLOSE)?;
    let id: usize = after[..end].strip_prefix("lP")?.parse().ok()?;
    let markers = state.markers.lock().unwrap_or_else(PoisonError::into_inner);
    match markers.get(id)? {
        Marker::Value { .. } => None,
        _ => Some(OPEN.len_utf8() + end + CLOSE.len_utf8()),
    }
}

fn trailing_block_marker(text: &str, state: &BridgeState) -> Option<usize> {
    let before = text.strip_suffix(CLOSE)?;
    let start = before.rfind(OPEN)?;
    leading_block_marker(&text[start..], state).filter(|len| start + len == text.len())?;
    Some(text.len() - start)
}

fn tidy_edges(content: &str, state: &BridgeState) -> String {
    let mut head = String::new();
    let mut rest = content.trim_start();
    while let Some(len) = leading_block_marker(rest, state) {
        head.push_str(&rest[..len]);
        rest = rest[len..].trim_start();
    }
    let mut tail: Vec<&str> = Vec::new();
    rest = rest.trim_end();
    while let Some(len) = trailing_block_marker(rest, state) {
        tail.push(&rest[rest.len() - len..]);
        rest = rest[..rest.len() - len].trim_end();
    }
    let mut out = head;
    out.push_str(rest);
    for marker in tail.iter().rev() {
        out.push_str(marker);
    }
    out
}

fn tag_end(text: &str) -> usize {
    let mut quote: Option<char> = None;
    for (i, c) in text.char_indices() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '"' || c == '\'' => quote = Some(c),
            None if c == '>' => return i + 1,
            None => {}
        }
    }
    text.len()
}

/// Replaces markers in `text` with `dialect`'s expressions; for Handlebars `escape` picks
/// `{{x}}` (HTML) over `{{{x}}}` (Jinja escapes by where the template is rendered).
pub(crate) fn to_dialect(
    text: &str,
    state: &BridgeState,
    dialect: Dialect,
    escape: bool,
    problems: &mut Vec<String>,
) -> String {
    let text = unescape_markers(text);
    let markers = state.markers.lock().unwrap_or_else(PoisonError::into_inner);
    let text = text.as_ref();
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut scopes = mustachio::Scopes::new();
    let plain = |text: &str, problems: &mut Vec<String>| {
        if dialect == Dialect::Mustachio
            && let Some(tag) = mustachio::looks_like_a_tag(text)
        {
            problems.push(format!(
                "the text `{tag}` would be read as a tag by Postmark's Mustachio, which has no \
                 way to print `{{{{` as text"
            ));
        }
        literal(text, dialect).into_owned()
    };
    while let Some(i) = rest.find(OPEN) {
        out.push_str(&plain(&rest[..i], problems));
        let after = &rest[i + OPEN.len_utf8()..];
        let Some(end) = after.find(CLOSE) else {
            problems.push("a send-time value was cut by a filter".into());
            rest = after;
            continue;
        };
        let id = after[..end]
            .strip_prefix("lP")
            .and_then(|n| n.parse::<usize>().ok());
        match id.and_then(|n| markers.get(n)) {
            Some(marker) => match dialect {
                Dialect::Handlebars => out.push_str(&handlebars(marker, escape, problems)),
                Dialect::Jinja => out.push_str(&jinja(marker, problems)),
                Dialect::Mustachio => out.push_str(&scopes.emit(marker, escape, problems)),
            },
            None => problems.push(format!(
                "a send-time value was changed by a filter (`{}`): filters cannot run on \
                 recipient data",
                &after[..end]
            )),
        }
        rest = &after[end + CLOSE.len_utf8()..];
    }
    out.push_str(&plain(rest, problems));
    if dialect == Dialect::Mustachio {
        scopes.finish(problems);
    }
    out
}

fn spelled(
    spelling: &Spelling,
    dialect: Dialect,
    block: bool,
    problems: &mut Vec<String>,
) -> String {
    match spelling.get(dialect, block) {
        Ok(s) => s.to_owned(),
        Err(message) => {
            problems.push(message.to_owned());
            String::new()
        }
    }
}

/// `{{path}}` (HTML-escaped by the service) or `{{{path}}}` (as it is): the same in
/// Handlebars and Mustachio.
fn value_tag(path: &str, escape: bool) -> String {
    if escape {
        format!("{{{{{path}}}}}")
    } else {
        format!("{{{{{{{path}}}}}}}")
    }
}

fn handlebars(marker: &Marker, escape: bool, problems: &mut Vec<String>) -> String {
    let h = Dialect::Handlebars;
    let value = |path: &str| value_tag(path, escape);
    match marker {
        Marker::Value {
            spelling,
            default: None,
            ..
        } => value(&spelled(spelling, h, false, problems)),
        Marker::Value {
            spelling,
            default: Some(d),
            ..
        } => format!(
            "{{{{#if {}}}}}{}{{{{else}}}}{d}{{{{/if}}}}",
            spelled(spelling, h, true, problems),
            value(&spelled(spelling, h, false, problems))
        ),
        Marker::IfOpen { spelling, mode } => {
            let helper = if mode.negated() { "unless" } else { "if" };
            format!("{{{{#{helper} {}}}}}", spelled(spelling, h, true, problems))
        }
        Marker::Else => "{{else}}".into(),
        Marker::IfClose { mode } if mode.negated() => "{{/unless}}".into(),
        Marker::IfClose { .. } => "{{/if}}".into(),
        Marker::EachOpen { spelling, .. } => {
            format!("{{{{#each {}}}}}", spelled(spelling, h, true, problems))
        }
        Marker::EachClose => "{{/each}}".into(),
    }
}

fn jinja(marker: &Marker, problems: &mut Vec<String>) -> String {
    let j = Dialect::Jinja;
    match marker {
        Marker::Value {
            spelling,
            default: None,
            ..
        } => format!("{{{{{}}}}}", spelled(spelling, j, false, problems)),
        Marker::Value {
            spelling,
            default: Some(d),
            ..
        } => format!(
            "{{{{{}|default({})}}}}",
            spelled(spelling, j, false, problems),
            serde_json::Value::from(d.as_str())
        ),
        Marker::IfOpen { spelling, mode } => {
            let path = spelled(spelling, j, true, problems);
            match mode {
                Mode::Truthy => format!("{{% if {path} %}}"),
                Mode::Falsy => format!("{{% if not {path} %}}"),
                Mode::Defined => format!("{{% if {path} is defined %}}"),
                Mode::Undefined => format!("{{% if {path} is not defined %}}"),
            }
        }
        Marker::Else => "{% else %}".into(),
        Marker::IfClose { .. } => "{% endif %}".into(),
        Marker::EachOpen { spelling, depth } => format!(
            "{{% for __lp_item{depth} in {} %}}",
            spelled(spelling, j, true, problems)
        ),
        Marker::EachClose => "{% endfor %}".into(),
    }
}

/// Text the build produced, made literal for `dialect`: a `{{` (or Jinja's `{%`, `{#`) that
/// a template printed on purpose must not become syntax at send time.
fn literal(text: &str, dialect: Dialect) -> std::borrow::Cow<'_, str> {
    match dialect {
        Dialect::Handlebars if text.contains("{{") => text.replace("{{", "\\{{").into(),
        Dialect::Jinja if text.contains("{{") || text.contains("{%") || text.contains("{#") => {
            let mut out = String::with_capacity(text.len() + 16);
            let mut chars = text.char_indices().peekable();
            while let Some((_, c)) = chars.next() {
                match (c, chars.peek().map(|&(_, n)| n)) {
                    ('{', Some(n @ ('{' | '%' | '#'))) => {
                        chars.next();
                        out.push_str(&format!("{{{{ \"{{{n}\" }}}}"));
                    }
                    _ => out.push(c),
                }
            }
            out.into()
        }
        _ => text.into(),
    }
}

/// The plain-text part of `html` (the compiled HTML with markers) in `dialect`: what the
/// preview derives from the rendered HTML, for any recipient data ([`text`]).
pub(crate) fn derived_text(
    html: &str,
    state: &BridgeState,
    dialect: Dialect,
    problems: &mut Vec<String>,
) -> String {
    let html = same_values_same_markers(&unescape_markers(html), state);
    let derived = crate::text::html_to_text(&html);
    match text::text_template(&derived, state) {
        Ok(template) => to_dialect(&template, state, dialect, false, problems),
        Err(problem) => {
            problems.push(problem);
            String::new()
        }
    }
}

/// mrml writes private-use characters in attribute values as Rust escapes.
fn unescape_markers(text: &str) -> std::borrow::Cow<'_, str> {
    if text.contains("\\u{e000}") {
        text.replace("\\u{e000}", &OPEN.to_string())
            .replace("\\u{e001}", &CLOSE.to_string())
            .into()
    } else {
        text.into()
    }
}

/// Each value marker replaced by the first marker of the same value, so that the text
/// derivation sees that a link shows its own address (`<a href="{{url}}">{{url}}</a>`).
fn same_values_same_markers(html: &str, state: &BridgeState) -> String {
    let markers = state.markers.lock().unwrap_or_else(PoisonError::into_inner);
    let mut first: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let canonical: Vec<usize> = markers
        .iter()
        .enumerate()
        .map(|(id, marker)| match marker {
            Marker::Value { .. } => *first.entry(format!("{marker:?}")).or_insert(id),
            _ => id,
        })
        .collect();
    drop(markers);
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(i) = rest.find(OPEN) {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let after = &rest[OPEN.len_utf8()..];
        let parsed = after.find(CLOSE).and_then(|end| {
            let id: usize = after[..end].strip_prefix("lP")?.parse().ok()?;
            Some((id, OPEN.len_utf8() + end + CLOSE.len_utf8()))
        });
        match parsed {
            Some((id, len)) => {
                let id = canonical.get(id).copied().unwrap_or(id);
                out.push_str(&format!("{OPEN}lP{id}{CLOSE}"));
                rest = &rest[len..];
            }
            None => {
                out.push(OPEN);
                rest = &rest[OPEN.len_utf8()..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Sources that hand the bridge's rewritten text to the Jinja loader.
pub(crate) struct RewritingSources(pub Arc<dyn Sources>);

impl Sources for RewritingSources {
    fn read(&self, path: &str) -> Result<Option<Arc<str>>, SourceError> {
        Ok(self.0.read(path)?.map(|text| {
            if path.ends_with(".mjml") || path.ends_with(".txt") || path.ends_with(".html") {
                let text = crate::jinja::normalise_newlines(&text);
                Arc::from(rewrite(&text).as_str())
            } else {
                text
            }
        }))
    }
}

/// A diagnostic for a problem recorded without a position.
pub(crate) fn problem_diagnostic(message: String, file: &str) -> Diagnostic {
    Diagnostic::error(
        Code::SendTimeUnsupported,
        message,
        Some(Location::start_of(file)),
    )
}
