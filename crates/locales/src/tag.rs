//! Locale tags: validating a locale to add, and its writing direction from its script.

use crate::pseudo::PseudoLocale;
use unic_langid::{CharacterDirection, LanguageIdentifier};

/// Why a locale cannot be added.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LocaleTagError {
    /// Not a BCP 47 language tag (language[-script][-region][-variant]).
    #[error("`{0}` is not a BCP 47 language tag (e.g. `de`, `pt-BR`, `sr-Latn`)")]
    Invalid(String),
    /// `und` or an empty language.
    #[error("`{0}` names no language")]
    Undetermined(String),
    /// A pseudo-locale tag, generated on the fly.
    #[error("`{0}` is a pseudo-locale; it is generated on the fly and cannot be added")]
    Pseudo(String),
    /// Already a locale of the project.
    #[error("`{0}` is already a locale of this project")]
    AlreadyConfigured(String),
}

/// `rtl` or `ltr` for a tag, from its script: the explicit one (`az-Arab`), else the likely
/// one for the language and region (CLDR likely subtags: `ar` → Arab, `ur` → Arab,
/// `he` → Hebr, `dv` → Thaa). Unknown tags are `ltr`.
pub fn direction(tag: &str) -> &'static str {
    let Ok(mut id) = tag.replace('_', "-").parse::<LanguageIdentifier>() else {
        return "ltr";
    };
    if id.script.is_none() {
        id.maximize();
    }
    match id.character_direction() {
        CharacterDirection::RTL => "rtl",
        _ => "ltr",
    }
}

/// Checks a tag to add to a project with `existing` locales and returns its canonical form.
pub fn validate_new_locale(code: &str, existing: &[String]) -> Result<String, LocaleTagError> {
    let trimmed = code.trim();
    let id: LanguageIdentifier = trimmed
        .replace('_', "-")
        .parse()
        .map_err(|_| LocaleTagError::Invalid(code.to_owned()))?;
    if trimmed.is_empty() || id.language.is_empty() {
        return Err(LocaleTagError::Undetermined(code.to_owned()));
    }
    // 5–8 letter language subtags are reserved for registration and none is registered.
    if !(2..=3).contains(&id.language.as_str().len()) {
        return Err(LocaleTagError::Invalid(code.to_owned()));
    }
    let canonical = id.to_string();
    if PseudoLocale::from_tag(&canonical).is_some() {
        return Err(LocaleTagError::Pseudo(canonical));
    }
    if existing.iter().any(|l| l.eq_ignore_ascii_case(&canonical)) {
        return Err(LocaleTagError::AlreadyConfigured(canonical));
    }
    Ok(canonical)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn direction_comes_from_the_script() {
        for rtl in [
            "ar", "he", "fa", "ur", "ps", "dv", "yi", "az-Arab", "pa-Arab", "ar-EG",
        ] {
            assert_eq!(direction(rtl), "rtl", "{rtl}");
        }
        for ltr in ["en", "pl", "de-AT", "sr-Latn", "az", "pa", "ks-Deva", "zz"] {
            assert_eq!(direction(ltr), "ltr", "{ltr}");
        }
    }

    #[test]
    fn new_locales_are_validated_and_canonicalised() {
        let existing = ["en".to_owned(), "de".to_owned()];
        assert_eq!(validate_new_locale("pt_br", &existing).unwrap(), "pt-BR");
        assert_eq!(
            validate_new_locale("sr-latn-rs", &existing).unwrap(),
            "sr-Latn-RS"
        );
        assert!(matches!(
            validate_new_locale("DE", &existing),
            Err(LocaleTagError::AlreadyConfigured(_))
        ));
        assert!(matches!(
            validate_new_locale("en-XA", &existing),
            Err(LocaleTagError::Pseudo(_))
        ));
        for bad in ["", "english", "e", "de-", "12", "en-US-x-private", "de DE"] {
            assert!(validate_new_locale(bad, &existing).is_err(), "{bad}");
        }
        assert!(matches!(
            validate_new_locale("und", &existing),
            Err(LocaleTagError::Undetermined(_))
        ));
    }
}
