//! Fluent catalogs: `locales/<locale>/*.ftl`, one bundle per locale, looked up along the
//! project's fallback chain.

use crate::config::{Limits, ProjectConfig};
use crate::diagnostic::{Code, Diagnostic, Location};
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentError, FluentResource};
use fluent_syntax::ast;
use letterpress_locales::pseudo::PseudoLocale;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use unic_langid::LanguageIdentifier;

/// One `.ftl` file, as read by the studio.
#[derive(Debug, Clone)]
pub struct CatalogFile {
    /// The locale folder it sits in (`locales/<locale>/`).
    pub locale: String,
    /// Project-relative path.
    pub path: String,
    /// Its text.
    pub text: String,
}

/// Direction and language of a locale, for `lang`/`dir` and for bidi isolation.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LocaleInfo {
    /// Canonical BCP 47 tag, e.g. `pl` or `de-AT`.
    pub tag: String,
    /// Value for the `lang` attribute (same as the tag).
    pub lang: String,
    /// `ltr` or `rtl`, derived from the tag's script (explicit or likely).
    pub dir: &'static str,
}

impl LocaleInfo {
    /// Derives the writing direction from the script of `tag` (`ar`, `he`, `fa`, `ur` → rtl;
    /// `az-Arab` → rtl; `ks-Deva` → ltr).
    pub fn new(tag: &str) -> LocaleInfo {
        let dir = letterpress_locales::tag::direction(tag);
        LocaleInfo {
            tag: tag.to_owned(),
            lang: tag.to_owned(),
            dir,
        }
    }

    /// True for right-to-left locales.
    pub fn is_rtl(&self) -> bool {
        self.dir == "rtl"
    }
}

/// Where a message is defined.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageSite {
    /// File, line and column of the message id.
    pub location: Location,
}

struct LocaleCatalog {
    bundle: FluentBundle<FluentResource>,
    messages: BTreeMap<String, MessageSite>,
}

/// All catalogs of a project.
pub struct Catalogs {
    by_locale: HashMap<String, LocaleCatalog>,
}

/// The result of formatting one message.
#[derive(Debug, Clone, PartialEq)]
pub enum Formatted {
    /// Found in `locale` (which may be a fallback of the one asked for).
    Found {
        /// The text.
        text: String,
        /// The locale it came from.
        locale: String,
        /// Problems while formatting (unknown variables, ...), as messages.
        errors: Vec<String>,
    },
    /// No locale in the chain has the message (or attribute).
    Missing,
}

impl Catalogs {
    /// Parses every file, reporting syntax errors and duplicate ids. Bad entries are skipped;
    /// the rest still loads, so one typo does not blank a whole locale.
    pub fn build(
        config: &ProjectConfig,
        files: Vec<CatalogFile>,
        limits: &Limits,
    ) -> (Catalogs, Vec<Diagnostic>) {
        let mut diagnostics = Vec::new();
        let mut by_locale: HashMap<String, LocaleCatalog> = HashMap::new();
        for locale in &config.locales {
            let id: LanguageIdentifier = locale.parse().unwrap_or_default();
            let mut bundle = FluentBundle::new_concurrent(vec![id]);
            // Bidi isolation marks keep "{ $name }" from reordering RTL text; in LTR emails they
            // are invisible noise that some clients show as boxes in subjects.
            bundle.set_use_isolating(LocaleInfo::new(locale).is_rtl());
            by_locale.insert(
                locale.clone(),
                LocaleCatalog {
                    bundle,
                    messages: BTreeMap::new(),
                },
            );
        }
        let mut files = files;
        files.sort_by(|a, b| a.path.cmp(&b.path));
        let mut default_texts = Vec::new();
        for file in files {
            let Some(catalog) = by_locale.get_mut(&file.locale) else {
                diagnostics.push(Diagnostic::warning(
                    Code::InvalidLocale,
                    format!(
                        "catalog folder `{}` is not a locale listed in letterpress.toml; its messages are not used",
                        file.locale
                    ),
                    Some(Location::start_of(&file.path)),
                ));
                continue;
            };
            if file.text.len() > limits.source_bytes {
                diagnostics.push(Diagnostic::error(
                    Code::LimitSourceSize,
                    format!(
                        "catalog is {} bytes, more than the limit of {} bytes",
                        file.text.len(),
                        limits.source_bytes
                    ),
                    Some(Location::start_of(&file.path)),
                ));
                continue;
            }
            let text = file.text.replace("\r\n", "\n");
            if file.locale == config.default_locale {
                default_texts.push(text.clone());
            }
            let resource = match FluentResource::try_new(text) {
                Ok(r) => r,
                Err((r, errors)) => {
                    for e in errors {
                        diagnostics.push(Diagnostic::error(
                            Code::FluentSyntax,
                            e.kind.to_string(),
                            Some(Location::at_offset(&file.path, r.source(), e.pos.start)),
                        ));
                    }
                    r
                }
            };
            let mut sites = Vec::new();
            for entry in resource.entries() {
                if let ast::Entry::Message(m) = entry {
                    let offset = (m.id.name.as_ptr() as usize)
                        .saturating_sub(resource.source().as_ptr() as usize);
                    sites.push((
                        m.id.name.to_owned(),
                        Location::at_offset(&file.path, resource.source(), offset),
                    ));
                }
            }
            for (id, location) in &sites {
                if let Some(previous) = catalog.messages.get(id) {
                    diagnostics.push(Diagnostic::error(
                        Code::FluentSyntax,
                        format!(
                            "message `{id}` is defined twice (first at {})",
                            previous.location
                        ),
                        Some(location.clone()),
                    ));
                }
            }
            // Duplicates were reported above with positions; add_resource's own report is coarser.
            if let Err(errors) = catalog.bundle.add_resource(resource) {
                debug_assert!(
                    errors
                        .iter()
                        .all(|e| matches!(e, FluentError::Overriding { .. }))
                );
            }
            for (id, location) in sites {
                catalog
                    .messages
                    .entry(id)
                    .or_insert(MessageSite { location });
            }
        }
        // Pseudo-locales: generated from the default locale's catalogs, never from files.
        for pseudo in PseudoLocale::ALL {
            if by_locale.contains_key(pseudo.tag()) {
                continue;
            }
            let id: LanguageIdentifier = pseudo.tag().parse().unwrap_or_default();
            let mut bundle = FluentBundle::new_concurrent(vec![id]);
            bundle.set_use_isolating(LocaleInfo::new(pseudo.tag()).is_rtl());
            for text in &default_texts {
                let resource = match FluentResource::try_new(pseudo.catalog(text)) {
                    Ok(r) | Err((r, _)) => r,
                };
                // Syntax errors and duplicates were reported for the default locale itself.
                let _ = bundle.add_resource(resource);
            }
            by_locale.insert(
                pseudo.tag().to_owned(),
                LocaleCatalog {
                    bundle,
                    messages: BTreeMap::new(),
                },
            );
        }
        (Catalogs { by_locale }, diagnostics)
    }

    /// An empty set of catalogs (standalone files).
    pub fn empty() -> Catalogs {
        Catalogs {
            by_locale: HashMap::new(),
        }
    }

    /// Formats `id` (or `id.attribute`) with `args`, trying each locale of `chain` in order.
    pub fn format(&self, chain: &[String], id: &str, args: &FluentArgs) -> Formatted {
        let (message_id, attribute) = match id.split_once('.') {
            Some((m, a)) => (m, Some(a)),
            None => (id, None),
        };
        for locale in chain {
            let Some(catalog) = self.by_locale.get(locale) else {
                continue;
            };
            let Some(message) = catalog.bundle.get_message(message_id) else {
                continue;
            };
            let pattern = match attribute {
                Some(a) => message.get_attribute(a).map(|a| a.value()),
                None => message.value(),
            };
            let Some(pattern) = pattern else {
                continue;
            };
            let mut errors = Vec::new();
            let text = catalog
                .bundle
                .format_pattern(pattern, Some(args), &mut errors)
                .into_owned();
            return Formatted::Found {
                text,
                locale: locale.clone(),
                errors: errors.iter().map(ToString::to_string).collect(),
            };
        }
        Formatted::Missing
    }

    /// Variables of `id` (as found along `chain`) that choose a variant (`{ $n -> … }`) or
    /// that a function formats (`NUMBER($n)`): values that must be known when the message is
    /// formatted, not pasted in later.
    pub fn computed_variables(&self, chain: &[String], id: &str) -> BTreeSet<String> {
        use fluent_syntax::ast::{Expression, InlineExpression, Pattern, PatternElement};
        fn inline(e: &InlineExpression<&str>, computed: bool, out: &mut BTreeSet<String>) {
            match e {
                InlineExpression::VariableReference { id } if computed => {
                    out.insert(id.name.to_owned());
                }
                InlineExpression::FunctionReference { arguments, .. } => {
                    for a in &arguments.positional {
                        inline(a, true, out);
                    }
                    for n in &arguments.named {
                        inline(&n.value, true, out);
                    }
                }
                InlineExpression::Placeable { expression } => expr(expression, out),
                _ => {}
            }
        }
        fn expr(e: &Expression<&str>, out: &mut BTreeSet<String>) {
            match e {
                Expression::Select { selector, variants } => {
                    inline(selector, true, out);
                    for v in variants {
                        pattern(&v.value, out);
                    }
                }
                Expression::Inline(i) => inline(i, false, out),
            }
        }
        fn pattern(p: &Pattern<&str>, out: &mut BTreeSet<String>) {
            for element in &p.elements {
                if let PatternElement::Placeable { expression } = element {
                    expr(expression, out);
                }
            }
        }
        let (message_id, attribute) = match id.split_once('.') {
            Some((m, a)) => (m, Some(a)),
            None => (id, None),
        };
        let mut out = BTreeSet::new();
        for locale in chain {
            let Some(message) = self
                .by_locale
                .get(locale)
                .and_then(|c| c.bundle.get_message(message_id))
            else {
                continue;
            };
            let found = match attribute {
                Some(a) => message.get_attribute(a).map(|a| a.value()),
                None => message.value(),
            };
            if let Some(p) = found {
                pattern(p, &mut out);
                break;
            }
        }
        out
    }

    /// Message ids defined in `locale`, with where each is defined.
    pub fn messages(&self, locale: &str) -> impl Iterator<Item = (&str, &MessageSite)> {
        self.by_locale
            .get(locale)
            .into_iter()
            .flat_map(|c| c.messages.iter().map(|(k, v)| (k.as_str(), v)))
    }

    /// True when `locale` defines message `id` (attributes are not checked).
    pub fn has_message(&self, locale: &str, id: &str) -> bool {
        let message_id = id.split_once('.').map_or(id, |(m, _)| m);
        self.by_locale
            .get(locale)
            .is_some_and(|c| c.messages.contains_key(message_id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> ProjectConfig {
        ProjectConfig::parse("[project]\nname='t'\ndefault_locale='en'\nlocales=['en','pl','ar']\n")
            .unwrap()
    }

    fn files() -> Vec<CatalogFile> {
        let f = |locale: &str, text: &str| CatalogFile {
            locale: locale.into(),
            path: format!("locales/{locale}/main.ftl"),
            text: text.into(),
        };
        vec![
            f(
                "en",
                "tasks = { $count ->\n    [one] one task\n   *[other] { $count } tasks\n}\nhello = Hello\n",
            ),
            f(
                "pl",
                "tasks = { $count ->\n    [one] { $count } zadanie\n    [few] { $count } zadania\n    [many] { $count } zadań\n   *[other] { $count } zadania\n}\n",
            ),
            f("ar", "hello = مرحبا { $name }\n"),
        ]
    }

    fn text(f: Formatted) -> String {
        match f {
            Formatted::Found { text, .. } => text,
            Formatted::Missing => "<missing>".into(),
        }
    }

    #[test]
    fn polish_plurals_pick_one_few_many() {
        let (c, d) = Catalogs::build(&config(), files(), &Limits::default());
        assert!(d.is_empty(), "{d:?}");
        let chain = config().fallback_chain("pl");
        let n = |count: i64| {
            let mut args = FluentArgs::new();
            args.set("count", count);
            text(c.format(&chain, "tasks", &args))
        };
        assert_eq!(n(1), "1 zadanie");
        assert_eq!(n(3), "3 zadania");
        assert_eq!(n(5), "5 zadań");
        assert_eq!(n(22), "22 zadania");
    }

    #[test]
    fn fallback_reports_the_locale_it_used() {
        let (c, _) = Catalogs::build(&config(), files(), &Limits::default());
        match c.format(&config().fallback_chain("pl"), "hello", &FluentArgs::new()) {
            Formatted::Found { locale, .. } => assert_eq!(locale, "en"),
            Formatted::Missing => panic!("hello should fall back to en"),
        }
        assert_eq!(
            c.format(&config().fallback_chain("pl"), "nope", &FluentArgs::new()),
            Formatted::Missing
        );
    }

    #[test]
    fn rtl_locales_isolate_placeables() {
        let (c, _) = Catalogs::build(&config(), files(), &Limits::default());
        let mut args = FluentArgs::new();
        args.set("name", "Ada");
        assert_eq!(
            text(c.format(&config().fallback_chain("ar"), "hello", &args)),
            "مرحبا \u{2068}Ada\u{2069}"
        );
        assert!(LocaleInfo::new("ar").is_rtl());
        assert!(LocaleInfo::new("fa-IR").is_rtl());
        assert!(!LocaleInfo::new("pl").is_rtl());
    }

    #[test]
    fn syntax_errors_have_positions_and_the_rest_loads() {
        let mut f = files();
        f[0].text.push_str("broken = { $x\nok-after = fine\n");
        let (c, d) = Catalogs::build(&config(), f, &Limits::default());
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].code, Code::FluentSyntax);
        // Fluent reports where it noticed the unclosed placeable: the next line.
        assert_eq!(d[0].location.as_ref().unwrap().line, 7);
        assert!(c.has_message("en", "ok-after"));
    }
}
