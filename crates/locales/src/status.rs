//! Statuses of translations and the record that makes "outdated" reviewable in git.
//!
//! `locales/<locale>/translated-from.toml` maps each key to a hash of the source (default
//! locale) text the translation was made from. It is written whenever a translation is set
//! from the grid or imported, and by `letterpress locales accept`. When the source text
//! changes, its hash no longer matches and the translation is `outdated` until it is edited
//! or accepted again. One line per key, sorted: diffs show exactly which translations were
//! re-based.

use crate::ftl::{LocaleUnits, Unit};
use letterpress_protocol::locales::CellStatus;
use letterpress_protocol::{Code, Diagnostic, Location};
use std::collections::BTreeMap;

/// File name of the record, inside each locale's folder.
pub const RECORD_FILE: &str = "translated-from.toml";

/// Project-relative path of a locale's record.
pub fn record_path(locale: &str) -> String {
    format!("locales/{locale}/{RECORD_FILE}")
}

/// Stable 64-bit FNV-1a hash of a source text, as 16 hex digits.
pub fn source_hash(text: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in text.as_bytes() {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{hash:016x}")
}

/// Key → hash of the source text each translation was made from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TranslatedFrom {
    /// The hashes by key.
    pub hashes: BTreeMap<String, String>,
}

impl TranslatedFrom {
    /// Parses a record file; `path` is for the diagnostic.
    pub fn parse(path: &str, text: &str) -> Result<TranslatedFrom, Box<Diagnostic>> {
        let table: toml::Table = toml::from_str(text).map_err(|e| {
            let location = match e.span() {
                Some(span) => Location::at_offset(path, text, span.start),
                None => Location::start_of(path),
            };
            Box::new(Diagnostic::error(
                Code::InvalidConfig,
                e.message().trim().to_owned(),
                Some(location),
            ))
        })?;
        let mut hashes = BTreeMap::new();
        for (key, value) in table {
            if let toml::Value::String(hash) = value {
                hashes.insert(key, hash);
            }
        }
        Ok(TranslatedFrom { hashes })
    }

    /// The file text: a header and one `"key" = "hash"` line per key, sorted.
    pub fn to_text(&self, default_locale: &str) -> String {
        let mut out = format!(
            "# Hash of the `{default_locale}` text each translation was made from. Written by Letterpress when a\n\
             # translation is edited, imported or accepted; a mismatch marks it outdated.\n"
        );
        for (key, hash) in &self.hashes {
            out.push_str(&format!(
                "\"{}\" = \"{}\"\n",
                escape_toml(key),
                escape_toml(hash)
            ));
        }
        out
    }

    /// Records that the translation of `key` was made from `source_text`.
    pub fn record(&mut self, key: &str, source_text: &str) {
        self.hashes.insert(key.to_owned(), source_hash(source_text));
    }
}

fn escape_toml(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

/// The status of one translation (not for the default locale itself, which is `source`).
pub fn translation_status(
    source: Option<&Unit>,
    target: Option<&Unit>,
    recorded_hash: Option<&str>,
) -> CellStatus {
    match (source, target) {
        (_, None) => CellStatus::Missing,
        (None, Some(_)) => CellStatus::Translated,
        (Some(s), Some(t)) if s.text == t.text => CellStatus::SameAsSource,
        (Some(s), Some(_)) => match recorded_hash {
            Some(hash) if hash != source_hash(&s.text) => CellStatus::Outdated,
            _ => CellStatus::Translated,
        },
    }
}

/// Placeholder problems of a translation compared to its source: variables it drops or
/// invents. Each is an error located at the translation.
pub fn placeholder_diagnostics(source: &Unit, target: &Unit, locale: &str) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let invented: Vec<_> = target.variables.difference(&source.variables).collect();
    let dropped: Vec<_> = source.variables.difference(&target.variables).collect();
    let list = |vars: &[&String]| {
        vars.iter()
            .map(|v| format!("{{ ${v} }}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if !invented.is_empty() {
        out.push(
            Diagnostic::error(
                Code::PlaceholderMismatch,
                format!(
                    "`{}` ({locale}) uses {} that the source text does not have",
                    target.key,
                    list(&invented)
                ),
                // At the first invented variable when the position is known.
                Some(
                    invented
                        .iter()
                        .find_map(|v| target.variable_sites.get(*v))
                        .unwrap_or(&target.location)
                        .clone(),
                ),
            )
            .with_help(format!(
                "the source has: {}",
                if source.variables.is_empty() {
                    "no variables".to_owned()
                } else {
                    list(&source.variables.iter().collect::<Vec<_>>())
                }
            )),
        );
    }
    if !dropped.is_empty() {
        out.push(Diagnostic::error(
            Code::PlaceholderMismatch,
            format!(
                "`{}` ({locale}) drops {} from the source text",
                target.key,
                list(&dropped)
            ),
            Some(target.location.clone()),
        ));
    }
    out
}

/// Per-locale completeness for `letterpress check`: keys missing in `locale`, translations
/// made from an older source text, and placeholder mismatches. (Keys that only `locale`
/// defines are reported by the engine as `unknown-message`.)
pub fn locale_diagnostics(
    locale: &str,
    source: &LocaleUnits,
    target: &LocaleUnits,
    record: &TranslatedFrom,
    falls_back_to: &dyn Fn(&str) -> Option<String>,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for unit in source.iter() {
        match target.get(&unit.key) {
            None => {
                if falls_back_to(&unit.key).is_some() {
                    continue;
                }
                let file = unit.file.rsplit('/').next().unwrap_or(&unit.file);
                out.push(
                    Diagnostic::warning(
                        Code::MissingTranslation,
                        format!("`{}` has no `{locale}` translation", unit.key),
                        Some(unit.location.clone()),
                    )
                    .with_help(format!("add it to locales/{locale}/{file}")),
                );
            }
            Some(t) => {
                out.extend(placeholder_diagnostics(unit, t, locale));
                let status = translation_status(
                    Some(unit),
                    Some(t),
                    record.hashes.get(&unit.key).map(String::as_str),
                );
                if status == CellStatus::Outdated {
                    out.push(
                        Diagnostic::warning(
                            Code::OutdatedTranslation,
                            format!(
                                "`{}` ({locale}) was translated from an earlier `{}` text",
                                unit.key,
                                unit.location.file.split('/').nth(1).unwrap_or("source")
                            ),
                            Some(t.location.clone()),
                        )
                        .with_help(format!(
                            "update the translation, or run `letterpress locales accept {locale} {}` if it still fits",
                            unit.key
                        )),
                    );
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn units(locale: &str, text: &str) -> LocaleUnits {
        LocaleUnits::parse([(format!("locales/{locale}/a.ftl").as_str(), text)])
    }

    #[test]
    fn outdated_after_the_source_text_changes() {
        let en = units("en", "hello = Hello { $name }\n");
        let de = units("de", "hello = Hallo { $name }\n");
        let mut record = TranslatedFrom::default();
        record.record("hello", &en.get("hello").unwrap().text);
        let status = |en: &LocaleUnits, record: &TranslatedFrom| {
            translation_status(
                en.get("hello"),
                de.get("hello"),
                record.hashes.get("hello").map(String::as_str),
            )
        };
        assert_eq!(status(&en, &record), CellStatus::Translated);
        let en2 = units("en", "hello = Hello there, { $name }\n");
        assert_eq!(status(&en2, &record), CellStatus::Outdated);
        let diagnostics = locale_diagnostics("de", &en2, &de, &record, &|_| None);
        assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
        assert_eq!(diagnostics[0].code, Code::OutdatedTranslation);
        // Re-recording (an edit or `accept`) makes it current again.
        record.record("hello", &en2.get("hello").unwrap().text);
        assert_eq!(status(&en2, &record), CellStatus::Translated);
    }

    #[test]
    fn same_as_source_and_missing() {
        let en = units("en", "a = Northwind\nb = B\n");
        let fr = units("fr", "a = Northwind\n");
        assert_eq!(
            translation_status(en.get("a"), fr.get("a"), None),
            CellStatus::SameAsSource
        );
        assert_eq!(
            translation_status(en.get("b"), fr.get("b"), None),
            CellStatus::Missing
        );
        let d = locale_diagnostics("fr", &en, &fr, &TranslatedFrom::default(), &|_| None);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].code, Code::MissingTranslation);
        assert_eq!(
            d[0].location.as_ref().unwrap().to_string(),
            "locales/en/a.ftl:2:1"
        );
    }

    #[test]
    fn placeholders_dropped_or_invented_are_errors_at_the_translation() {
        let en = units("en", "hi = Hi { $name }, you have { $count } tasks\n");
        let pl = units("pl", "\nhi = Cześć { $imie }, masz zadania\n");
        let d = placeholder_diagnostics(en.get("hi").unwrap(), pl.get("hi").unwrap(), "pl");
        assert_eq!(d.len(), 2, "{d:?}");
        assert!(
            d.iter()
                .all(|d| d.code == Code::PlaceholderMismatch && d.is_error())
        );
        assert!(d[0].message.contains("{ $imie }"), "{}", d[0].message);
        assert!(
            d[1].message.contains("{ $count }, { $name }"),
            "{}",
            d[1].message
        );
        // Invented: at the variable; dropped: at the message.
        assert_eq!(
            d[0].location.as_ref().unwrap().to_string(),
            "locales/pl/a.ftl:2:14"
        );
        assert_eq!(
            d[1].location.as_ref().unwrap().to_string(),
            "locales/pl/a.ftl:2:1"
        );
        // Variables used only as a plural selector still count as used.
        let en = units(
            "en",
            "n = { $count ->\n    [one] one\n   *[other] { $count } many\n}\n",
        );
        let pl = units(
            "pl",
            "n = { $count ->\n    [one] jedno\n   *[other] dużo\n}\n",
        );
        assert!(
            placeholder_diagnostics(en.get("n").unwrap(), pl.get("n").unwrap(), "pl").is_empty()
        );
    }

    #[test]
    fn record_text_round_trips_and_is_sorted() {
        let mut r = TranslatedFrom::default();
        r.record("b", "B");
        r.record("a.title", "A \"quoted\"");
        let text = r.to_text("en");
        assert!(text.find("\"a.title\"").unwrap() < text.find("\"b\"").unwrap());
        assert_eq!(TranslatedFrom::parse("x", &text).unwrap(), r);
        assert_eq!(source_hash(""), "cbf29ce484222325");
    }
}
