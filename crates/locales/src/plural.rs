//! Plural messages: Fluent select expressions on CLDR plural categories, and the gettext
//! `Plural-Forms` of a language (which CLDR category each `msgstr[n]` holds).

use crate::ftl::{self, parse_pattern, pattern_text};
use fluent_syntax::ast;
use unic_langid::LanguageIdentifier;

/// The CLDR release every plural rule here follows. Three things move together, never one
/// alone: the vendored runtime rules (`vendor/intl_pluralrules`), the `Plural-Forms` table
/// below, and the pinned PyPI `babel` the tests compare both with (`scripts/env.sh`;
/// babel 2.19.0 ships CLDR 49). The tests fail when the installed babel carries another
/// release, so a CLDR update is always a deliberate change.
pub const CLDR_VERSION: &str = "49";

/// CLDR plural categories, in CLDR order.
pub const CATEGORIES: &[&str] = &["zero", "one", "two", "few", "many", "other"];

/// gettext plural forms of a language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PluralForms {
    /// The CLDR category each `msgstr[n]` holds, by index.
    pub categories: &'static [&'static str],
    /// The `plural=` C expression of the header.
    pub expression: &'static str,
}

impl PluralForms {
    /// The `Plural-Forms` header value.
    pub fn header(&self) -> String {
        format!(
            "nplurals={}; plural={};",
            self.categories.len(),
            self.expression
        )
    }
}

const ONE_OTHER: PluralForms = PluralForms {
    categories: &["one", "other"],
    expression: "(n != 1)",
};
const ONE_OTHER_ZERO_IS_ONE: PluralForms = PluralForms {
    categories: &["one", "other"],
    expression: "(n > 1)",
};
const OTHER_ONLY: PluralForms = PluralForms {
    categories: &["other"],
    expression: "0",
};
const EAST_SLAVIC: PluralForms = PluralForms {
    categories: &["one", "few", "many"],
    expression: "(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2)",
};

/// The gettext plural forms for `locale` (by language), from the gettext manual's table and
/// CLDR's categories for integers. `None` for languages not in the table: their plural
/// messages are exchanged as whole Fluent select expressions instead.
pub fn plural_forms(locale: &str) -> Option<PluralForms> {
    let language = locale.parse::<LanguageIdentifier>().ok()?;
    let forms = match language.language.as_str() {
        "en" | "de" | "nl" | "sv" | "da" | "nb" | "nn" | "no" | "fi" | "et" | "it" | "es"
        | "el" | "hu" | "bg" | "ca" | "eu" | "gl" | "tr" | "af" | "sq" | "hi" | "bn" | "ur"
        | "fa" | "sw" | "ta" | "te" | "ml" | "mr" | "kk" | "az" | "ka" | "hy" | "mn" => ONE_OTHER,
        // Vietnamese: `one` for 0 and 1 in CLDR 49 (CLDR 47 had `other` only).
        "fr" | "pt" | "vi" => ONE_OTHER_ZERO_IS_ONE,
        "ja" | "zh" | "ko" | "th" | "id" | "ms" | "lo" | "my" | "km" => OTHER_ONLY,
        "pl" => PluralForms {
            categories: &["one", "few", "many"],
            expression: "(n==1 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2)",
        },
        "ru" | "uk" | "be" => EAST_SLAVIC,
        "cs" | "sk" => PluralForms {
            categories: &["one", "few", "other"],
            expression: "(n==1 ? 0 : (n>=2 && n<=4) ? 1 : 2)",
        },
        "ro" => PluralForms {
            categories: &["one", "few", "other"],
            expression: "(n==1 ? 0 : (n==0 || (n%100 > 0 && n%100 < 20)) ? 1 : 2)",
        },
        "ar" => PluralForms {
            categories: &["zero", "one", "two", "few", "many", "other"],
            expression: "(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 : n%100>=11 ? 4 : 5)",
        },
        _ => return None,
    };
    Some(forms)
}

/// A message that is one select expression on a variable whose variants are all plural
/// categories: `{ $count -> [one] … *[other] … }`.
#[derive(Debug, Clone, PartialEq)]
pub struct PluralMessage {
    /// The variable selected on (without `$`).
    pub selector: String,
    /// (category, variant text, is default), in the message's order.
    pub variants: Vec<(String, String, bool)>,
}

impl PluralMessage {
    /// Recognises a plural message in a unit text.
    pub fn from_text(text: &str) -> Option<PluralMessage> {
        let pattern = parse_pattern(text).ok()?;
        let [ast::PatternElement::Placeable { expression }] = pattern.elements.as_slice() else {
            return None;
        };
        let ast::Expression::Select { selector, variants } = expression else {
            return None;
        };
        let ast::InlineExpression::VariableReference { id } = selector else {
            return None;
        };
        let mut out = Vec::new();
        for v in variants {
            let ast::VariantKey::Identifier { name } = &v.key else {
                return None;
            };
            if !CATEGORIES.contains(&name.as_str()) {
                return None;
            }
            out.push((name.clone(), pattern_text(&v.value), v.default));
        }
        Some(PluralMessage {
            selector: id.name.clone(),
            variants: out,
        })
    }

    /// The text of `category`, or of the default variant when the message has none.
    pub fn text_for(&self, category: &str) -> &str {
        self.variants
            .iter()
            .find(|(c, _, _)| c == category)
            .or_else(|| self.variants.iter().find(|(_, _, d)| *d))
            .map_or("", |(_, t, _)| t.as_str())
    }

    /// The texts for each gettext form.
    pub fn forms(&self, forms: &PluralForms) -> Vec<String> {
        forms
            .categories
            .iter()
            .map(|c| self.text_for(c).to_owned())
            .collect()
    }

    /// This message with the gettext forms' texts put in (`texts[i]` for
    /// `forms.categories[i]`), keeping variants gettext has no form for. A category the
    /// message lacks is added only when its text differs from the default variant's.
    pub fn with_forms(&self, forms: &PluralForms, texts: &[String]) -> PluralMessage {
        let mut out = self.clone();
        for (category, text) in forms.categories.iter().zip(texts) {
            if let Some(v) = out.variants.iter_mut().find(|(c, _, _)| c == category) {
                v.1 = text.clone();
            } else if out.text_for(category) != text {
                let position = out
                    .variants
                    .iter()
                    .position(|(c, _, _)| category_rank(c) > category_rank(category))
                    .unwrap_or(out.variants.len());
                out.variants
                    .insert(position, ((*category).to_owned(), text.clone(), false));
            }
        }
        out
    }

    /// A new plural message from gettext forms; the last form is the default variant.
    pub fn from_forms(selector: &str, forms: &PluralForms, texts: &[String]) -> PluralMessage {
        let n = forms.categories.len();
        PluralMessage {
            selector: selector.to_owned(),
            variants: forms
                .categories
                .iter()
                .zip(texts)
                .enumerate()
                .map(|(i, (c, t))| ((*c).to_owned(), t.clone(), i + 1 == n))
                .collect(),
        }
    }

    /// The unit text (Fluent syntax). Fails when a variant text is not a valid pattern.
    pub fn to_text(&self) -> Result<String, (String, ftl::PatternError)> {
        let mut variants = Vec::new();
        for (category, text, default) in &self.variants {
            let value = parse_pattern(text).map_err(|e| (category.clone(), e))?;
            variants.push(ast::Variant {
                key: ast::VariantKey::Identifier {
                    name: category.clone(),
                },
                value,
                default: *default,
            });
        }
        let pattern = ast::Pattern {
            elements: vec![ast::PatternElement::Placeable {
                expression: ast::Expression::Select {
                    selector: ast::InlineExpression::VariableReference {
                        id: ast::Identifier {
                            name: self.selector.clone(),
                        },
                    },
                    variants,
                },
            }],
        };
        Ok(pattern_text(&pattern))
    }
}

fn category_rank(category: &str) -> usize {
    CATEGORIES
        .iter()
        .position(|c| *c == category)
        .unwrap_or(CATEGORIES.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_for_the_sample_languages() {
        assert_eq!(
            plural_forms("pl").unwrap().categories,
            ["one", "few", "many"]
        );
        assert_eq!(plural_forms("ar").unwrap().categories.len(), 6);
        assert_eq!(
            plural_forms("fr").unwrap().header(),
            "nplurals=2; plural=(n > 1);"
        );
        assert_eq!(plural_forms("de-AT").unwrap().categories, ["one", "other"]);
        assert!(plural_forms("tlh").is_none());
    }

    #[test]
    fn polish_plural_keeps_the_fraction_variant_gettext_cannot_express() {
        let text = "{ $count ->\n    [one] 1 zadanie\n    [few] { $count } zadania\n    [many] { $count } zadań\n   *[other] { $count } zadania\n}";
        let m = PluralMessage::from_text(text).unwrap();
        let pl = plural_forms("pl").unwrap();
        let forms = m.forms(&pl);
        assert_eq!(
            forms,
            ["1 zadanie", "{ $count } zadania", "{ $count } zadań"]
        );
        assert_eq!(m.with_forms(&pl, &forms).to_text().unwrap(), text);
        let fresh = PluralMessage::from_forms("count", &pl, &forms)
            .to_text()
            .unwrap();
        assert_eq!(
            fresh,
            "{ $count ->\n    [one] 1 zadanie\n    [few] { $count } zadania\n   *[many] { $count } zadań\n}"
        );
    }

    #[test]
    fn numeric_variants_are_not_plain_plurals() {
        assert!(PluralMessage::from_text("{ $n ->\n    [0] none\n   *[other] some\n}").is_none());
        assert!(PluralMessage::from_text("Hi { $n }").is_none());
    }
}
