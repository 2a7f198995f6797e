//! `letterpress.toml` (the project) and `template.toml` (one template), parsed from text.

use crate::diagnostic::{Code, Diagnostic, Location};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::ops::Range;
use unic_langid::LanguageIdentifier;

pub use crate::send_config::{SendConfig, SmtpSecurity, SmtpServer};

/// File name of the project manifest at the project root.
pub const PROJECT_FILE: &str = "letterpress.toml";

/// The project manifest.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProjectConfig {
    /// Display name.
    pub name: String,
    /// The source locale: every message must exist in it; every chain ends with it.
    pub default_locale: String,
    /// All locales, default first.
    pub locales: Vec<String>,
    /// Extra fallbacks per locale, tried before the default locale.
    pub fallbacks: BTreeMap<String, Vec<String>>,
    /// Static values available to templates as `globals.*`.
    pub globals: serde_json::Map<String, serde_json::Value>,
    /// Web fonts (`name = "css url"`) that mrml may link when a template uses them.
    /// Empty by default: remote fonts leak opens and most clients ignore them.
    pub fonts: BTreeMap<String, String>,
    /// Production URL prefixes whose images the preview shows from a project folder
    /// (`"https://example.com/assets/" = "assets/"`); nothing remote is ever loaded.
    pub assets: BTreeMap<String, String>,
    /// Sync targets (`[targets.<name>]`): where published versions are uploaded, by name.
    pub targets: BTreeMap<String, TargetConfig>,
    /// Brand guardrails for the visual editor (`[brand]`).
    pub brand: BrandConfig,
    /// Test sends: From, the recipients' allow-list, the SMTP server (`[send]`).
    pub send: SendConfig,
}

/// The project's brand (`[brand]`): its palette and fonts, and the attributes the visual
/// editor lets take only those (a colour attribute the palette, `font-family` the fonts).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct BrandConfig {
    /// Brand colours, `#rrggbb` (or `#rgb`), lower case.
    pub palette: Vec<String>,
    /// Font stacks (`Helvetica, Arial, sans-serif`).
    pub fonts: Vec<String>,
    /// Attribute names locked to them (`color`, `background-color`, `font-family`).
    pub locked: Vec<String>,
}

impl BrandConfig {
    /// The only values attribute `name` may take in the visual editor, when it is locked.
    pub fn choices(&self, name: &str) -> Option<&[String]> {
        if !self.locked.iter().any(|l| l == name) {
            return None;
        }
        Some(if name == "font-family" {
            &self.fonts
        } else {
            &self.palette
        })
    }
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawBrand {
    #[serde(default)]
    palette: Vec<toml::Spanned<String>>,
    #[serde(default)]
    fonts: Vec<toml::Spanned<String>>,
    #[serde(default)]
    locked: Vec<toml::Spanned<String>>,
}

/// Whether `value` is a hex colour (`#rgb` or `#rrggbb`).
fn is_hex_colour(value: &str) -> bool {
    value
        .strip_prefix('#')
        .is_some_and(|h| matches!(h.len(), 3 | 6) && h.chars().all(|c| c.is_ascii_hexdigit()))
}

/// Validates `[brand]`; errors point at the offending value.
fn parse_brand(text: &str, raw: RawBrand) -> Result<BrandConfig, Box<Diagnostic>> {
    let at = |span: std::ops::Range<usize>, msg: String| {
        Box::new(Diagnostic::error(
            Code::InvalidConfig,
            msg,
            Some(Location::at_offset(PROJECT_FILE, text, span.start)),
        ))
    };
    let mut palette = Vec::new();
    for c in &raw.palette {
        if !is_hex_colour(c.get_ref()) {
            return Err(at(
                c.span(),
                format!(
                    "[brand] palette: `{}` is not a colour like `#4f46e5`",
                    c.get_ref()
                ),
            ));
        }
        palette.push(c.get_ref().to_ascii_lowercase());
    }
    let fonts: Vec<String> = raw
        .fonts
        .iter()
        .map(|f| f.get_ref().trim().to_owned())
        .collect();
    let mut locked = Vec::new();
    for name in &raw.locked {
        let n = name.get_ref().trim();
        let ok = if n == "font-family" {
            !fonts.is_empty()
        } else if n.ends_with("color") {
            !palette.is_empty()
        } else {
            return Err(at(
                name.span(),
                format!(
                    "[brand] locked: `{n}`: only colour attributes and font-family can be locked (to the palette and the fonts)"
                ),
            ));
        };
        if !ok {
            return Err(at(
                name.span(),
                format!(
                    "[brand] locked: `{n}` needs {} to choose from",
                    if n == "font-family" {
                        "fonts"
                    } else {
                        "a palette"
                    }
                ),
            ));
        }
        locked.push(n.to_owned());
    }
    Ok(BrandConfig {
        palette,
        fonts,
        locked,
    })
}

/// A sending service the published templates are synced to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Provider {
    /// Amazon SES v2 (email templates).
    Ses,
    /// Postmark (templates by alias, Mustachio).
    Postmark,
}

impl Provider {
    /// The name used in `letterpress.toml`.
    pub fn as_str(self) -> &'static str {
        match self {
            Provider::Ses => "ses",
            Provider::Postmark => "postmark",
        }
    }

    /// Whether the provider takes `name` as a remote template name (SES: letters, digits,
    /// `-` and `_`, at most 64; Postmark aliases: a letter first, then letters, digits, `.`,
    /// `-` and `_`).
    pub fn accepts_remote_name(self, name: &str) -> bool {
        match self {
            Provider::Ses => is_remote_name(name),
            Provider::Postmark => {
                (1..=MAX_REMOTE_NAME).contains(&name.len())
                    && name.starts_with(|c: char| c.is_ascii_alphabetic())
                    && name
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
            }
        }
    }

    /// What [`Provider::accepts_remote_name`] asks for, in words.
    pub fn remote_name_rule(self) -> &'static str {
        match self {
            Provider::Ses => "letters, digits, `-`, `_`, at most 64 characters",
            Provider::Postmark => {
                "a letter first, then letters, digits, `.`, `-`, `_`, at most 64 characters"
            }
        }
    }
}

/// One `[targets.<name>]` table: a provider account/region and the environment it serves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TargetConfig {
    /// The table's key (`ses-staging`).
    pub name: String,
    /// The sending service.
    pub provider: Provider,
    /// Environment whose latest publish tag (`published/<environment>/<n>`) is synced.
    pub environment: String,
    /// Provider region (`eu-west-1`); empty for providers without regions (Postmark).
    pub region: String,
    /// API base URL (`None`: the provider's default for the region).
    pub endpoint: Option<String>,
    /// Prepended to every remote name: `<prefix><template>-<locale>`.
    pub prefix: String,
    /// Only these templates (`None`: all).
    pub templates: Option<Vec<String>>,
}

impl TargetConfig {
    /// The remote name of a template in a locale: `<prefix><template>-<locale>`.
    pub fn remote_name(&self, template: &str, locale: &str) -> String {
        format!("{}{template}-{locale}", self.prefix)
    }

    /// The remote name of an A/B variant of a template in a locale:
    /// `<prefix><template>-<locale>-<variant>`; the template itself (`None` or
    /// [`BASE_VARIANT`]) keeps [`TargetConfig::remote_name`], so adding variants renames
    /// nothing already synced.
    pub fn variant_remote_name(
        &self,
        template: &str,
        locale: &str,
        variant: Option<&str>,
    ) -> String {
        match variant.filter(|v| *v != BASE_VARIANT) {
            Some(v) => format!("{}{template}-{locale}-{v}", self.prefix),
            None => self.remote_name(template, locale),
        }
    }

    /// The API base URL: the configured endpoint, else the provider's regional default.
    pub fn endpoint_url(&self) -> String {
        match (&self.endpoint, self.provider) {
            (Some(e), _) => e.trim_end_matches('/').to_owned(),
            (None, Provider::Ses) => format!("https://email.{}.amazonaws.com", self.region),
            (None, Provider::Postmark) => "https://api.postmarkapp.com".to_owned(),
        }
    }
}

/// Longest remote template name SES accepts.
pub const MAX_REMOTE_NAME: usize = 64;

/// True for a valid SES template name: ASCII letters, digits, `-` and `_`, 1–64 characters.
pub fn is_remote_name(name: &str) -> bool {
    (1..=MAX_REMOTE_NAME).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTarget {
    provider: toml::Spanned<String>,
    environment: toml::Spanned<String>,
    #[serde(default)]
    region: Option<toml::Spanned<String>>,
    #[serde(default)]
    endpoint: Option<toml::Spanned<String>>,
    #[serde(default)]
    prefix: Option<toml::Spanned<String>>,
    #[serde(default)]
    templates: Option<Vec<toml::Spanned<String>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProjectFile {
    project: RawProject,
    #[serde(default)]
    locales: RawLocales,
    #[serde(default)]
    globals: toml::Table,
    #[serde(default)]
    fonts: BTreeMap<String, String>,
    #[serde(default)]
    assets: BTreeMap<toml::Spanned<String>, toml::Spanned<String>>,
    #[serde(default)]
    targets: BTreeMap<toml::Spanned<String>, RawTarget>,
    #[serde(default)]
    brand: RawBrand,
    #[serde(default)]
    send: crate::send_config::RawSend,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProject {
    name: String,
    default_locale: String,
    locales: Vec<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawLocales {
    #[serde(default)]
    fallbacks: BTreeMap<String, Vec<String>>,
}

impl ProjectConfig {
    /// A one-locale configuration, for standalone `.mjml` files outside any project.
    pub fn standalone() -> ProjectConfig {
        ProjectConfig {
            name: "standalone".into(),
            default_locale: "en".into(),
            locales: vec!["en".into()],
            fallbacks: BTreeMap::new(),
            globals: serde_json::Map::new(),
            fonts: BTreeMap::new(),
            assets: BTreeMap::new(),
            targets: BTreeMap::new(),
            brand: BrandConfig::default(),
            send: SendConfig::default(),
        }
    }

    /// Parses and validates `letterpress.toml`.
    pub fn parse(text: &str) -> Result<ProjectConfig, Box<Diagnostic>> {
        let raw: RawProjectFile =
            toml::from_str(text).map_err(|e| toml_diagnostic(PROJECT_FILE, text, &e))?;
        let invalid = |msg: String| {
            Box::new(Diagnostic::error(
                Code::InvalidConfig,
                msg,
                Some(Location::start_of(PROJECT_FILE)),
            ))
        };
        let mut locales = Vec::new();
        for tag in &raw.project.locales {
            let normalised = normalise_locale(tag).ok_or_else(|| {
                invalid(format!(
                    "`{tag}` in project.locales is not a valid BCP 47 language tag"
                ))
            })?;
            if locales.contains(&normalised) {
                return Err(invalid(format!("locale `{tag}` is listed twice")));
            }
            locales.push(normalised);
        }
        let default_locale = normalise_locale(&raw.project.default_locale).ok_or_else(|| {
            invalid(format!(
                "default_locale `{}` is not a valid BCP 47 language tag",
                raw.project.default_locale
            ))
        })?;
        if !locales.contains(&default_locale) {
            return Err(invalid(format!(
                "default_locale `{default_locale}` is not in project.locales"
            )));
        }
        locales.retain(|l| *l != default_locale);
        locales.insert(0, default_locale.clone());
        let mut fallbacks = BTreeMap::new();
        for (from, chain) in raw.locales.fallbacks {
            let from_n = normalise_locale(&from)
                .filter(|l| locales.contains(l))
                .ok_or_else(|| {
                    invalid(format!("fallbacks for `{from}`: not a configured locale"))
                })?;
            let mut to = Vec::new();
            for l in chain {
                let n = normalise_locale(&l)
                    .filter(|n| locales.contains(n))
                    .ok_or_else(|| {
                        invalid(format!(
                            "fallback `{l}` of `{from}` is not a configured locale"
                        ))
                    })?;
                to.push(n);
            }
            fallbacks.insert(from_n, to);
        }
        let globals = match serde_json::to_value(&raw.globals) {
            Ok(serde_json::Value::Object(map)) => map,
            _ => serde_json::Map::new(),
        };
        let mut assets = BTreeMap::new();
        for (prefix, folder) in raw.assets {
            let at = |span: std::ops::Range<usize>, msg: String| {
                Box::new(Diagnostic::error(
                    Code::InvalidConfig,
                    msg,
                    Some(Location::at_offset(PROJECT_FILE, text, span.start)),
                ))
            };
            let url = prefix.get_ref();
            if !(url.starts_with("https://") || url.starts_with("http://")) || !url.ends_with('/') {
                return Err(at(
                    prefix.span(),
                    format!(
                        "[assets] `{url}`: use a URL prefix like `https://example.com/assets/`"
                    ),
                ));
            }
            let dir = folder.get_ref().trim_end_matches('/');
            if crate::sources::check_relative_path(dir).is_err() {
                return Err(at(
                    folder.span(),
                    format!(
                        "[assets] `{}`: use a folder inside the project",
                        folder.get_ref()
                    ),
                ));
            }
            assets.insert(url.clone(), dir.to_owned());
        }
        let mut targets = BTreeMap::new();
        for (name, target) in raw.targets {
            let parsed = parse_target(text, &name, target)?;
            targets.insert(parsed.name.clone(), parsed);
        }
        let brand = parse_brand(text, raw.brand)?;
        let send = crate::send_config::parse_send(text, raw.send)?;
        Ok(ProjectConfig {
            brand,
            send,
            name: raw.project.name,
            default_locale,
            locales,
            fallbacks,
            globals,
            fonts: raw.fonts,
            assets,
            targets,
        })
    }

    /// The locales tried in order for `locale`: itself, its configured fallbacks, its bare
    /// language when configured (`de-AT` → `de`), then the default locale. No duplicates.
    pub fn fallback_chain(&self, locale: &str) -> Vec<String> {
        let mut chain = vec![locale.to_owned()];
        let mut push = |l: &str| {
            if !chain.iter().any(|c| c == l) {
                chain.push(l.to_owned());
            }
        };
        if let Some(extra) = self.fallbacks.get(locale) {
            for l in extra {
                push(l);
            }
        }
        if let Some((lang, _)) = locale.split_once('-')
            && self.locales.iter().any(|l| l == lang)
        {
            push(lang);
        }
        push(&self.default_locale);
        chain
    }

    /// Resolves a user-typed locale tag to a configured locale (`de_at` → `de-AT`).
    pub fn resolve_locale(&self, tag: &str) -> Option<String> {
        let n = normalise_locale(tag)?;
        self.locales.iter().find(|l| **l == n).cloned()
    }
}

/// Validates one `[targets.<name>]` table; errors point at the offending value.
fn parse_target(
    text: &str,
    name: &toml::Spanned<String>,
    raw: RawTarget,
) -> Result<TargetConfig, Box<Diagnostic>> {
    let at = |span: std::ops::Range<usize>, msg: String| {
        Box::new(Diagnostic::error(
            Code::InvalidConfig,
            msg,
            Some(Location::at_offset(PROJECT_FILE, text, span.start)),
        ))
    };
    let target = name.get_ref();
    if !is_remote_name(target) {
        return Err(at(
            name.span(),
            format!(
                "target name `{target}`: use letters, digits, `-` and `_` (at most \
                 {MAX_REMOTE_NAME} characters)"
            ),
        ));
    }
    let provider = match raw.provider.get_ref().as_str() {
        "ses" => Provider::Ses,
        "postmark" => Provider::Postmark,
        other => {
            return Err(at(
                raw.provider.span(),
                format!(
                    "target `{target}`: unknown provider `{other}` (supported: `ses`, `postmark`)"
                ),
            ));
        }
    };
    let env = raw.environment.get_ref();
    if !letterpress_protocol::names::is_slug(env, letterpress_protocol::names::MAX_ENVIRONMENT) {
        return Err(at(
            raw.environment.span(),
            format!(
                "target `{target}`: `{env}` is not an environment name (lowercase letters, \
                 digits and `-`, starting with a letter, e.g. `staging`)"
            ),
        ));
    }
    let region = match (&raw.region, provider) {
        (Some(r), Provider::Ses) => {
            let region = r.get_ref();
            let region_ok = !region.is_empty()
                && region.len() <= 32
                && region
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
            if !region_ok {
                return Err(at(
                    r.span(),
                    format!(
                        "target `{target}`: `{region}` is not a region name (e.g. `eu-west-1`)"
                    ),
                ));
            }
            region.clone()
        }
        (None, Provider::Ses) => {
            return Err(at(
                name.span(),
                format!("target `{target}`: an SES target needs a `region` (e.g. `eu-west-1`)"),
            ));
        }
        (Some(r), Provider::Postmark) => {
            return Err(at(
                r.span(),
                format!(
                    "target `{target}`: Postmark has no regions; remove `region` (a Postmark \
                     server is chosen by its API token)"
                ),
            ));
        }
        (None, Provider::Postmark) => String::new(),
    };
    let endpoint = match &raw.endpoint {
        Some(e) => {
            let url = e.get_ref();
            let rest = url
                .strip_prefix("https://")
                .or_else(|| url.strip_prefix("http://"));
            let host_ok = rest.is_some_and(|r| {
                let host = r.split('/').next().unwrap_or_default();
                !host.is_empty() && !host.contains('@')
            });
            if !host_ok || url.contains(['?', '#', ' ']) {
                return Err(at(
                    e.span(),
                    format!(
                        "target `{target}`: endpoint `{url}` must be an http:// or https:// URL \
                         without user info, query or fragment"
                    ),
                ));
            }
            Some(url.clone())
        }
        None => None,
    };
    let prefix = match &raw.prefix {
        Some(p) => {
            let value = p.get_ref();
            if !value.is_empty() && !provider.accepts_remote_name(value) {
                return Err(at(
                    p.span(),
                    format!(
                        "target `{target}`: prefix `{value}` starts every remote template name: \
                         {}",
                        provider.remote_name_rule()
                    ),
                ));
            }
            value.clone()
        }
        None => String::new(),
    };
    let templates = match raw.templates {
        Some(list) => {
            let mut out: Vec<String> = Vec::new();
            for t in list {
                let id = t.get_ref();
                if id.is_empty()
                    || !id
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
                {
                    return Err(at(
                        t.span(),
                        format!(
                            "target `{target}`: `{id}` is not a template id that can be synced \
                             (letters, digits, `-` and `_`)"
                        ),
                    ));
                }
                if out.contains(id) {
                    return Err(at(
                        t.span(),
                        format!("target `{target}`: template `{id}` is listed twice"),
                    ));
                }
                out.push(id.clone());
            }
            Some(out)
        }
        None => None,
    };
    Ok(TargetConfig {
        name: target.clone(),
        provider,
        environment: env.clone(),
        region: region.clone(),
        endpoint,
        prefix,
        templates,
    })
}

/// Canonical BCP 47 form (`de_at` → `de-AT`), `None` when not a language tag.
pub fn normalise_locale(tag: &str) -> Option<String> {
    tag.replace('_', "-")
        .parse::<LanguageIdentifier>()
        .ok()
        .map(|l| l.to_string())
}

/// Per-template settings from `templates/<id>/template.toml`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TemplateMeta {
    /// What the email is for (shown in the app).
    pub description: String,
    /// Jinja source of the subject (plain text).
    pub subject: String,
    /// Byte range of the subject's string body inside template.toml.
    #[serde(skip)]
    pub subject_span: Range<usize>,
    /// Jinja source of the preheader (plain text), may be empty.
    pub preheader: String,
    /// Byte range of the preheader's string body inside template.toml.
    #[serde(skip)]
    pub preheader_span: Range<usize>,
    /// The A/B variants besides the template itself (which is variant [`BASE_VARIANT`]),
    /// sorted by name; empty when the template has none.
    pub variants: Vec<Variant>,
    /// The weight of the template itself among its variants (`[variants.a] weight`).
    pub base_weight: u32,
}

/// The name of a template's own content among its A/B variants.
pub const BASE_VARIANT: &str = "a";

/// The longest variant name (it becomes part of remote template names).
pub const MAX_VARIANT_NAME: usize = 32;

/// One A/B variant of a template (`[variants.<name>]` in `template.toml`): what it changes
/// of the template, and how often the sender picks it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Variant {
    /// Lowercase letters, digits and hyphens (part of remote template names).
    pub name: String,
    /// Relative share of recipients (the template itself has [`TemplateMeta::base_weight`]);
    /// 0 pauses the variant: previewed and checked, never assigned.
    pub weight: u32,
    /// Its own body file in the template's folder (`body.b.mjml`); `None`: the template's.
    pub body: Option<String>,
    /// Where `body` is written in template.toml (for diagnostics).
    #[serde(skip)]
    pub body_span: Range<usize>,
    /// Its own subject (Jinja); `None`: the template's.
    pub subject: Option<String>,
    #[serde(skip)]
    pub subject_span: Range<usize>,
    /// Its own preheader (Jinja); `None`: the template's.
    pub preheader: Option<String>,
    #[serde(skip)]
    pub preheader_span: Range<usize>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTemplateMeta {
    #[serde(default)]
    description: String,
    subject: toml::Spanned<String>,
    #[serde(default)]
    preheader: Option<toml::Spanned<String>>,
    #[serde(default)]
    variants: BTreeMap<toml::Spanned<String>, RawVariant>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawVariant {
    #[serde(default)]
    weight: Option<toml::Spanned<i64>>,
    #[serde(default)]
    body: Option<toml::Spanned<String>>,
    #[serde(default)]
    subject: Option<toml::Spanned<String>>,
    #[serde(default)]
    preheader: Option<toml::Spanned<String>>,
}

/// Whether `name` can name a variant: 1 to [`MAX_VARIANT_NAME`] lowercase ASCII letters,
/// digits and inner hyphens.
pub fn is_variant_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= MAX_VARIANT_NAME
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !name.starts_with('-')
        && !name.ends_with('-')
}

impl TemplateMeta {
    /// Parses `template.toml`; `file` is its project-relative path (for diagnostics).
    pub fn parse(file: &str, text: &str) -> Result<TemplateMeta, Box<Diagnostic>> {
        let raw: RawTemplateMeta =
            toml::from_str(text).map_err(|e| toml_diagnostic(file, text, &e))?;
        let body = |s: &toml::Spanned<String>| {
            let span = s.span();
            // Skip the opening quote(s) so Jinja positions map onto the string's text.
            let quote = text[span.clone()]
                .find(|c| c != '"' && c != '\'')
                .unwrap_or(0)
                .min(3);
            span.start + quote..span.end
        };
        let invalid = |at: usize, message: String| {
            Box::new(Diagnostic::error(
                Code::InvalidConfig,
                message,
                Some(Location::at_offset(file, text, at)),
            ))
        };
        let (preheader, preheader_span) = match &raw.preheader {
            Some(p) => (p.get_ref().clone(), body(p)),
            None => (String::new(), 0..0),
        };
        let mut base_weight = 1;
        let mut variants = Vec::new();
        for (name, v) in &raw.variants {
            let at = name.span().start;
            let name = name.get_ref();
            if !is_variant_name(name) {
                return Err(invalid(
                    at,
                    format!(
                        "`{name}` cannot name a variant: use 1 to {MAX_VARIANT_NAME} lowercase \
                         letters, digits and hyphens (it becomes part of remote template names)"
                    ),
                ));
            }
            let weight = match &v.weight {
                None => 1,
                Some(w) => u32::try_from(*w.get_ref())
                    .ok()
                    .filter(|w| *w <= 1_000_000)
                    .ok_or_else(|| {
                        invalid(
                            w.span().start,
                            format!(
                                "the weight of variant `{name}` must be a whole number from 0 \
                                 to 1000000"
                            ),
                        )
                    })?,
            };
            if name == BASE_VARIANT {
                if let Some(field) = [&v.body, &v.subject, &v.preheader]
                    .into_iter()
                    .flatten()
                    .next()
                {
                    return Err(invalid(
                        field.span().start,
                        format!(
                            "variant `{BASE_VARIANT}` is the template itself: it takes only a \
                             `weight` (change the template, or name another variant)"
                        ),
                    ));
                }
                base_weight = weight;
                continue;
            }
            if v.body.is_none() && v.subject.is_none() && v.preheader.is_none() {
                return Err(invalid(
                    at,
                    format!(
                        "variant `{name}` changes nothing: give it a `body`, a `subject` or a \
                         `preheader` of its own"
                    ),
                ));
            }
            if let Some(b) = &v.body {
                let file_name = b.get_ref();
                let plain = !file_name.contains(['/', '\\'])
                    && file_name.len() > ".mjml".len()
                    && file_name.ends_with(".mjml")
                    && !file_name.starts_with('.');
                if !plain {
                    return Err(invalid(
                        b.span().start,
                        format!(
                            "the body of variant `{name}` must be an .mjml file in the \
                             template's folder (e.g. `body.{name}.mjml`), not `{file_name}`"
                        ),
                    ));
                }
            }
            variants.push(Variant {
                name: name.clone(),
                weight,
                body_span: v.body.as_ref().map_or(0..0, body),
                body: v.body.as_ref().map(|b| b.get_ref().clone()),
                subject_span: v.subject.as_ref().map_or(0..0, body),
                subject: v.subject.as_ref().map(|s| s.get_ref().clone()),
                preheader_span: v.preheader.as_ref().map_or(0..0, body),
                preheader: v.preheader.as_ref().map(|p| p.get_ref().clone()),
            });
        }
        if !variants.is_empty()
            && base_weight == 0
            && variants.iter().all(|v| v.weight == 0)
            && let Some((name, _)) = raw.variants.iter().next()
        {
            return Err(invalid(
                name.span().start,
                "every variant has weight 0: the sender could pick none".to_owned(),
            ));
        }
        Ok(TemplateMeta {
            description: raw.description,
            subject_span: body(&raw.subject),
            subject: raw.subject.into_inner(),
            preheader,
            preheader_span,
            variants,
            base_weight,
        })
    }

    /// The names of every variant, the template's own ([`BASE_VARIANT`]) first; empty when
    /// the template has no variants.
    pub fn variant_names(&self) -> Vec<String> {
        if self.variants.is_empty() {
            return Vec::new();
        }
        std::iter::once(BASE_VARIANT.to_owned())
            .chain(self.variants.iter().map(|v| v.name.clone()))
            .collect()
    }

    /// The variant `name` (`Ok(None)`: the template itself, [`BASE_VARIANT`]); `Err` with the
    /// names there are when the template has no such variant.
    pub fn variant(&self, name: &str) -> Result<Option<&Variant>, Vec<String>> {
        if name == BASE_VARIANT && !self.variants.is_empty() {
            return Ok(None);
        }
        self.variants
            .iter()
            .find(|v| v.name == name)
            .map(Some)
            .ok_or_else(|| self.variant_names())
    }

    /// The variant a recipient gets, the same every time for the same `key` (e.g. template
    /// and address): a stable hash of `key` picks a point in the summed weights. `None` when
    /// the template has no variants.
    pub fn assign_variant(&self, key: &str) -> Option<&str> {
        if self.variants.is_empty() {
            return None;
        }
        let total: u64 = u64::from(self.base_weight)
            + self
                .variants
                .iter()
                .map(|v| u64::from(v.weight))
                .sum::<u64>();
        if total == 0 {
            return None;
        }
        let mut point = stable_hash(key) % total;
        if point < u64::from(self.base_weight) {
            return Some(BASE_VARIANT);
        }
        point -= u64::from(self.base_weight);
        for v in &self.variants {
            if point < u64::from(v.weight) {
                return Some(&v.name);
            }
            point -= u64::from(v.weight);
        }
        None
    }
}

/// 64-bit FNV-1a, then a final mix (splitmix64) so nearby keys spread over the weights. Part
/// of the stored behaviour: a recipient keeps their variant across versions of Letterpress.
pub fn stable_hash(key: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in key.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h ^= h >> 30;
    h = h.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h ^= h >> 27;
    h = h.wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^ (h >> 31)
}

fn toml_diagnostic(file: &str, text: &str, e: &toml::de::Error) -> Box<Diagnostic> {
    let location = match e.span() {
        Some(span) => Location::at_offset(file, text, span.start),
        None => Location::start_of(file),
    };
    Box::new(Diagnostic::error(
        Code::InvalidConfig,
        e.message().trim().to_owned(),
        Some(location),
    ))
}

/// Every user-reachable limit of the engine, in one place.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Limits {
    /// Jinja instructions one render may execute (minijinja fuel).
    pub template_fuel: u64,
    /// Nesting of include/extends/import.
    pub include_depth: usize,
    /// Nesting of MJML elements (mrml recurses once per level).
    pub mjml_depth: usize,
    /// Bytes of rendered MJML or HTML.
    pub output_bytes: usize,
    /// Bytes of one source file (template, catalog, fixture).
    pub source_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            template_fuel: 5_000_000,
            include_depth: 16,
            mjml_depth: 64,
            output_bytes: 8 * 1024 * 1024,
            source_bytes: 4 * 1024 * 1024,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONFIG: &str = r#"
[project]
name = "Acme"
default_locale = "en"
locales = ["de", "en", "de_AT", "ar"]

[locales.fallbacks]
"de-AT" = ["de"]

[globals]
company = "Acme"
"#;

    #[test]
    fn default_locale_comes_first_and_tags_are_normalised() {
        let c = ProjectConfig::parse(CONFIG).unwrap();
        assert_eq!(c.locales, ["en", "de", "de-AT", "ar"]);
        assert_eq!(c.globals["company"], "Acme");
    }

    #[test]
    fn fallback_chain_ends_with_the_default_locale() {
        let c = ProjectConfig::parse(CONFIG).unwrap();
        assert_eq!(c.fallback_chain("de-AT"), ["de-AT", "de", "en"]);
        assert_eq!(c.fallback_chain("en"), ["en"]);
        assert_eq!(c.resolve_locale("DE_at").as_deref(), Some("de-AT"));
    }

    #[test]
    fn config_errors_point_into_the_file() {
        let err = ProjectConfig::parse("[project]\nname = 3\n").unwrap_err();
        assert_eq!(err.code, Code::InvalidConfig);
        assert_eq!(err.location.as_ref().unwrap().line, 2);
    }

    #[test]
    fn targets_are_parsed_with_defaults() {
        let text = format!(
            "{CONFIG}\n[targets.ses-staging]\nprovider = \"ses\"\nenvironment = \"staging\"\n\
             region = \"eu-west-1\"\nprefix = \"nw-\"\ntemplates = [\"welcome\"]\n\n\
             [targets.prod]\nprovider = \"ses\"\nenvironment = \"production\"\n\
             region = \"us-east-1\"\nendpoint = \"http://127.0.0.1:8005/\"\n"
        );
        let c = ProjectConfig::parse(&text).unwrap();
        let staging = &c.targets["ses-staging"];
        assert_eq!(staging.provider, Provider::Ses);
        assert_eq!(staging.environment, "staging");
        assert_eq!(
            staging.templates.as_deref(),
            Some(&["welcome".to_owned()][..])
        );
        assert_eq!(
            staging.endpoint_url(),
            "https://email.eu-west-1.amazonaws.com"
        );
        assert_eq!(staging.remote_name("welcome", "de"), "nw-welcome-de");
        let prod = &c.targets["prod"];
        assert_eq!(prod.prefix, "");
        assert_eq!(prod.endpoint_url(), "http://127.0.0.1:8005");

        let text = format!(
            "{CONFIG}\n[targets.pm]\nprovider = \"postmark\"\nenvironment = \"production\"\n\
             prefix = \"nw.\"\n"
        );
        let pm = &ProjectConfig::parse(&text).unwrap().targets["pm"];
        assert_eq!(pm.provider, Provider::Postmark);
        assert_eq!(pm.region, "");
        assert_eq!(pm.endpoint_url(), "https://api.postmarkapp.com");
        assert_eq!(pm.remote_name("welcome", "de"), "nw.welcome-de");
    }

    #[test]
    fn target_errors_point_at_the_value() {
        let base = "[project]\nname = \"A\"\ndefault_locale = \"en\"\nlocales = [\"en\"]\n";
        for (table, line, column, needle) in [
            (
                "[targets.\"a b\"]\nprovider = \"ses\"\nenvironment = \"staging\"\nregion = \"x\"\n",
                5,
                10,
                "target name",
            ),
            (
                "[targets.t]\nprovider = \"sendgrid\"\nenvironment = \"staging\"\nregion = \"x\"\n",
                6,
                12,
                "unknown provider",
            ),
            (
                "[targets.t]\nprovider = \"postmark\"\nenvironment = \"staging\"\nregion = \"x\"\n",
                8,
                10,
                "no regions",
            ),
            (
                "[targets.t]\nprovider = \"ses\"\nenvironment = \"staging\"\n",
                5,
                10,
                "needs a `region`",
            ),
            (
                "[targets.t]\nprovider = \"postmark\"\nenvironment = \"staging\"\nprefix = \"1-\"\n",
                8,
                10,
                "a letter first",
            ),
            (
                "[targets.t]\nprovider = \"ses\"\nenvironment = \"Staging\"\nregion = \"x\"\n",
                7,
                15,
                "environment name",
            ),
            (
                "[targets.t]\nprovider = \"ses\"\nenvironment = \"staging\"\nregion = \"x\"\nprefix = \"a.b\"\n",
                9,
                10,
                "prefix",
            ),
            (
                "[targets.t]\nprovider = \"ses\"\nenvironment = \"staging\"\nregion = \"x\"\nendpoint = \"ftp://h\"\n",
                9,
                12,
                "endpoint",
            ),
            (
                "[targets.t]\nprovider = \"ses\"\nenvironment = \"staging\"\nregion = \"x\"\ntemplates = [\"a\", \"a\"]\n",
                9,
                19,
                "twice",
            ),
            (
                "[targets.t]\nprovider = \"ses\"\nenvironment = \"staging\"\nregion = \"x\"\nsecret = \"s\"\n",
                9,
                1,
                "unknown field",
            ),
        ] {
            let err = ProjectConfig::parse(&format!("{base}{table}")).unwrap_err();
            let loc = err.location.as_ref().unwrap();
            assert_eq!(
                (loc.line, loc.column),
                (line, column),
                "{table}: {}",
                err.message
            );
            assert!(err.message.contains(needle), "{}", err.message);
        }
    }

    #[test]
    fn remote_names() {
        assert!(is_remote_name("nw-welcome-de_AT"));
        assert!(!is_remote_name("a.b"));
        assert!(!is_remote_name(&"x".repeat(65)));
    }

    #[test]
    fn template_meta_spans_point_at_the_string_body() {
        let text = "description = \"x\"\nsubject = \"Hi {{ name }}\"\n";
        let m = TemplateMeta::parse("t.toml", text).unwrap();
        assert_eq!(&text[m.subject_span.clone()], "Hi {{ name }}\"");
        assert_eq!(m.preheader, "");
    }

    #[test]
    fn assets_map_url_prefixes_to_project_folders_and_say_where_they_are_wrong() {
        let base = "[project]\nname = \"t\"\ndefault_locale = \"en\"\nlocales = [\"en\"]\n";
        let ok = ProjectConfig::parse(&format!(
            "{base}[assets]\n\"https://x.example/img/\" = \"assets/\"\n"
        ))
        .unwrap();
        assert_eq!(ok.assets["https://x.example/img/"], "assets");
        for bad in [
            "\"ftp://x/\" = \"assets\"",
            "\"https://x.example/img\" = \"assets\"",
            "\"https://x.example/\" = \"../out\"",
        ] {
            let err = ProjectConfig::parse(&format!("{base}[assets]\n{bad}\n")).unwrap_err();
            assert_eq!(
                err.location.as_ref().map(|l| l.line),
                Some(6),
                "{bad}: {err:?}"
            );
            assert!(err.message.starts_with("[assets]"), "{}", err.message);
        }
    }

    fn variants(toml_tail: &str) -> TemplateMeta {
        TemplateMeta::parse(
            "templates/t/template.toml",
            &format!("subject = \"Hello\"\n{toml_tail}"),
        )
        .expect("template.toml")
    }

    #[test]
    fn variant_assignment_follows_the_weights_and_is_stable_per_key() {
        let meta = variants(
            "[variants.a]\nweight = 3\n[variants.b]\nweight = 1\nsubject = \"Hi\"\n\
             [variants.paused]\nweight = 0\nsubject = \"Paused\"\n",
        );
        assert_eq!(meta.variant_names(), ["a", "b", "paused"]);
        let mut counts = BTreeMap::new();
        for i in 0..20_000 {
            let key = format!("t\u{0}person{i}@example.com");
            let picked = meta.assign_variant(&key).expect("a variant");
            assert_eq!(
                meta.assign_variant(&key),
                Some(picked),
                "the same key, the same one"
            );
            *counts.entry(picked.to_owned()).or_insert(0u32) += 1;
        }
        assert_eq!(counts.get("paused"), None, "weight 0 is never assigned");
        let b = f64::from(counts["b"]) / 20_000.0;
        assert!((0.23..0.27).contains(&b), "b gets about 1/4: {b}");
    }

    #[test]
    fn the_stable_hash_never_changes_between_releases() {
        // A recipient keeps their variant when Letterpress is upgraded: these are stored.
        assert_eq!(stable_hash(""), 0xf52a15e9a9b5e89b);
        assert_eq!(
            stable_hash("welcome\u{0}ada@example.com"),
            0x399933ac93521db
        );
    }

    #[test]
    fn a_template_without_variants_assigns_none() {
        let meta = variants("");
        assert!(meta.variant_names().is_empty());
        assert_eq!(meta.assign_variant("anyone"), None);
        assert!(meta.variant("a").is_err(), "no variants: not even `a`");
    }
}
