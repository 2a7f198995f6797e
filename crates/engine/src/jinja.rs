//! The Jinja layer: a minijinja environment that loads from [`Sources`], escapes MJML as HTML,
//! and provides `t()` (Fluent) and the `money`, `number` and `date` filters.

use crate::catalog::{Catalogs, Formatted, LocaleInfo};
use crate::config::Limits;
use crate::diagnostic::{Code, Diagnostic, Location};
use crate::format::LocaleFormat;
use crate::sources::{Sources, check_relative_path};
use fluent_bundle::{FluentArgs, FluentValue};
use minijinja::value::{Kwargs, Object, Value, ValueKind};
use minijinja::{AutoEscape, Environment, Error, ErrorKind, State, UndefinedBehavior};
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex, PoisonError};

/// Name of the hidden context variable that carries the per-render scope.
pub(crate) const SCOPE_VAR: &str = "__letterpress";

/// Builds the environment shared by all renders of a project.
pub(crate) fn environment(sources: Arc<dyn Sources>, limits: &Limits) -> Environment<'static> {
    let mut env = Environment::new();
    let source_limit = limits.source_bytes;
    env.set_loader(move |name| {
        let path = check_relative_path(name)
            .map_err(|e| Error::new(ErrorKind::InvalidOperation, e.to_string()))?;
        match sources.read(path) {
            Ok(Some(text)) if text.len() > source_limit => Err(Error::new(
                ErrorKind::InvalidOperation,
                format!("`{name}` is larger than the source size limit ({source_limit} bytes)"),
            )),
            Ok(Some(text)) => Ok(Some(normalise_newlines(&text).into_owned())),
            Ok(None) => Ok(None),
            Err(e) => Err(Error::new(ErrorKind::InvalidOperation, e.to_string())),
        }
    });
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_fuel(Some(limits.template_fuel));
    env.set_recursion_limit(limits.include_depth.max(8) * 4);
    env.set_auto_escape_callback(|name| {
        if name.ends_with(".mjml") || name.ends_with(".html") {
            AutoEscape::Html
        } else {
            AutoEscape::None
        }
    });
    // minijinja's HTML escaping also turns `/` into `&#x2f;`, which is valid but makes every
    // URL in the output unreadable. XML-safe escaping of the five special characters suffices.
    env.set_formatter(|out, state, value| {
        if matches!(state.auto_escape(), AutoEscape::Html)
            && !value.is_safe()
            && !value.is_undefined()
            && !value.is_none()
        {
            let text = value.to_string();
            out.write_str(&escape_markup(&text))
                .map_err(|e| Error::new(ErrorKind::WriteFailure, e.to_string()))
        } else {
            minijinja::escape_formatter(out, state, value)
        }
    });
    env.add_function("t", translate);
    env.add_filter("money", money);
    env.add_filter("number", number);
    env.add_filter("date", date);
    #[cfg(feature = "test-hooks")]
    crate::guard::install_test_hooks(&mut env);
    env
}

/// CRLF and lone CR to LF (mrml and line numbers both want LF).
pub fn normalise_newlines(text: &str) -> std::borrow::Cow<'_, str> {
    if text.contains('\r') {
        std::borrow::Cow::Owned(text.replace("\r\n", "\n").replace('\r', "\n"))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// Escapes `& < > " '` for text and attribute values.
pub fn escape_markup(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// What one render needs beyond the template: locale, catalogs, and where to put findings.
#[derive(Debug)]
pub(crate) struct RenderScope {
    pub locale: LocaleInfo,
    pub chain: Vec<String>,
    pub format: LocaleFormat,
    pub catalogs: Arc<CatalogsHandle>,
    pub sources: Arc<dyn Sources>,
    pub findings: Mutex<Findings>,
}

/// Catalogs behind an `Arc`, with a `Debug` that does not dump every message.
pub(crate) struct CatalogsHandle(pub Catalogs);

impl std::fmt::Debug for CatalogsHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Catalogs")
    }
}

impl std::fmt::Debug for dyn Sources {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sources")
    }
}

/// Diagnostics and used message ids collected while rendering.
#[derive(Debug, Default)]
pub(crate) struct Findings {
    pub diagnostics: Vec<Diagnostic>,
    pub used_messages: BTreeSet<String>,
}

impl Object for RenderScope {}

impl RenderScope {
    fn record(&self, f: impl FnOnce(&mut Findings)) {
        let mut findings = self.findings.lock().unwrap_or_else(PoisonError::into_inner);
        f(&mut findings);
    }

    /// Where in the current template the string literal `needle` first appears.
    fn locate(&self, state: &State, needle: &str) -> Location {
        let file = state.name();
        let source = self.sources.read(file).ok().flatten();
        let offset = source.as_deref().and_then(|src| {
            ['"', '\'']
                .iter()
                .find_map(|q| src.find(&format!("{q}{needle}{q}")).map(|i| i + 1))
        });
        match (source, offset) {
            (Some(src), Some(offset)) => {
                Location::at_offset(file, &normalise_newlines(&src), offset)
            }
            _ => Location::start_of(file),
        }
    }
}

pub(crate) fn scope(state: &State) -> Result<Arc<RenderScope>, Error> {
    state
        .lookup(SCOPE_VAR)
        .and_then(|v| v.downcast_object::<RenderScope>())
        .ok_or_else(|| {
            Error::new(
                ErrorKind::InvalidOperation,
                "t() is only available in Letterpress renders",
            )
        })
}

/// `t("message-id", name=value, ...)`: the Fluent message in the render's locale.
pub(crate) fn translate(state: &State, id: &str, kwargs: Kwargs) -> Result<String, Error> {
    let scope = scope(state)?;
    let mut args = FluentArgs::new();
    for key in kwargs.args() {
        let value: Value = kwargs.get(key)?;
        let fluent = match value.kind() {
            ValueKind::Number => match f64::try_from(value.clone()) {
                Ok(n) => FluentValue::from(n),
                Err(_) => FluentValue::from(value.to_string()),
            },
            ValueKind::Undefined | ValueKind::None => FluentValue::None,
            _ => FluentValue::from(value.to_string()),
        };
        args.set(key.to_owned(), fluent);
    }
    let message_id = id.split_once('.').map_or(id, |(m, _)| m).to_owned();
    scope.record(|f| {
        f.used_messages.insert(message_id);
    });
    match scope.catalogs.0.format(&scope.chain, id, &args) {
        Formatted::Found {
            text,
            locale,
            errors,
        } => {
            let mut found = Vec::new();
            // Falling back to a configured intermediate locale (de-AT → de) is intended; only
            // reaching the default locale means a translation is missing.
            if locale != scope.locale.tag && scope.chain.last() == Some(&locale) {
                found.push(
                    Diagnostic::warning(
                        Code::MissingTranslation,
                        format!(
                            "message `{id}` has no `{}` translation; using `{locale}`",
                            scope.locale.tag
                        ),
                        Some(scope.locate(state, id)),
                    )
                    .with_help(format!("add `{id}` to locales/{}/", scope.locale.tag)),
                );
            }
            for e in errors {
                found.push(Diagnostic::error(
                    Code::FluentFormat,
                    format!("message `{id}` ({locale}): {e}"),
                    Some(scope.locate(state, id)),
                ));
            }
            if !found.is_empty() {
                scope.record(|f| f.diagnostics.extend(found));
            }
            Ok(text)
        }
        Formatted::Missing => {
            let d = Diagnostic::error(
                Code::MissingMessage,
                format!(
                    "message `{id}` is not defined in any of {}",
                    scope.chain.join(", ")
                ),
                Some(scope.locate(state, id)),
            )
            .with_help(format!(
                "define it in locales/{}/<file>.ftl",
                scope.chain.last().map_or("<default>", String::as_str)
            ));
            scope.record(|f| f.diagnostics.push(d));
            Ok(format!("{{{id}}}"))
        }
    }
}

fn number_arg(value: &Value, filter: &str) -> Result<f64, Error> {
    match value.kind() {
        ValueKind::Number => f64::try_from(value.clone()).map_err(|_| {
            Error::new(
                ErrorKind::InvalidOperation,
                format!("{filter}: {value} is not a number"),
            )
        }),
        ValueKind::String => value
            .as_str()
            .unwrap_or_default()
            .trim()
            .parse()
            .map_err(|_| {
                Error::new(
                    ErrorKind::InvalidOperation,
                    format!("{filter}: `{value}` is not a number"),
                )
            }),
        _ => Err(Error::new(
            ErrorKind::InvalidOperation,
            format!("{filter}: expected a number, got {}", value.kind()),
        )),
    }
}

/// `{{ 19.9 | money("EUR") }}` → `€19.90` / `19,90 €`.
pub(crate) fn money(state: &State, value: &Value, currency: &str) -> Result<String, Error> {
    let scope = scope(state)?;
    Ok(scope.format.money(number_arg(value, "money")?, currency))
}

/// `{{ 1234.5 | number }}` → `1,234.5`; `{{ x | number(2) }}` fixes the fraction digits.
pub(crate) fn number(state: &State, value: &Value, decimals: Option<u32>) -> Result<String, Error> {
    let scope = scope(state)?;
    let n = number_arg(value, "number")?;
    let decimals = match decimals {
        Some(d) => d as usize,
        None if n.fract() == 0.0 => 0,
        None => {
            // As many as needed, up to 3 (like Intl.NumberFormat's default).
            let s = format!("{:.3}", n.fract().abs());
            s.trim_end_matches('0').len().saturating_sub(2)
        }
    };
    Ok(scope.format.number(n, decimals))
}

/// `{{ "2026-11-24" | date("long") }}`: `short`, `medium` (default) or `long`.
pub(crate) fn date(state: &State, value: &Value, style: Option<&str>) -> Result<String, Error> {
    let scope = scope(state)?;
    let style = style.unwrap_or("medium");
    if !matches!(style, "short" | "medium" | "long") {
        return Err(Error::new(
            ErrorKind::InvalidOperation,
            format!("date: style must be short, medium or long, not `{style}`"),
        ));
    }
    let text = value.as_str().ok_or_else(|| {
        Error::new(
            ErrorKind::InvalidOperation,
            format!("date: expected an ISO 8601 string, got {}", value.kind()),
        )
    })?;
    scope.format.date(text, style).ok_or_else(|| {
        Error::new(
            ErrorKind::InvalidOperation,
            format!("date: `{text}` is not an ISO 8601 date (YYYY-MM-DD)"),
        )
    })
}
