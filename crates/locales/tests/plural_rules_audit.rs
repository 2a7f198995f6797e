//! The plural rules fluent uses at runtime (intl_pluralrules, vendored with fixes, see
//! vendor/README.md) agree with CLDR — the release `plural::CLDR_VERSION` names, as the
//! pinned PyPI `babel` ships it — for integers 0..=1000, in every language both know.

mod common;

use intl_pluralrules::{PluralCategory, PluralRuleType, PluralRules};

fn name(c: PluralCategory) -> &'static str {
    match c {
        PluralCategory::ZERO => "zero",
        PluralCategory::ONE => "one",
        PluralCategory::TWO => "two",
        PluralCategory::FEW => "few",
        PluralCategory::MANY => "many",
        PluralCategory::OTHER => "other",
    }
}

#[test]
fn runtime_plural_rules_match_cldr_for_integers() {
    common::assert_babel_has_our_cldr();
    let locales = PluralRules::get_locales(PluralRuleType::CARDINAL);
    let tags: Vec<String> = locales.iter().map(|l| l.to_string()).collect();
    let script = r#"
import json, sys
try:
    import babel
except ImportError:
    sys.exit("PyPI `babel` is required by this test: pip install babel (scripts/env.sh does)")
out = {}
for tag in sys.stdin.read().split():
    try:
        locale = babel.Locale.parse(tag.replace("-", "_"))
    except Exception:
        continue
    out[tag] = [locale.plural_form(n) for n in range(1001)]
print(json.dumps(out))
"#;
    let cldr: std::collections::BTreeMap<String, Vec<String>> =
        common::python_json(script, &tags.join(" "));
    let mut wrong = Vec::new();
    for (locale, tag) in locales.iter().zip(&tags) {
        let Some(expected) = cldr.get(tag) else {
            continue;
        };
        let rules = PluralRules::create(locale.clone(), PluralRuleType::CARDINAL).unwrap();
        let bad: Vec<String> = (0..=1000u32)
            .filter_map(|n| {
                let got = name(rules.select(n).unwrap());
                (got != expected[n as usize])
                    .then(|| format!("{n}: {got} ≠ {}", expected[n as usize]))
            })
            .take(3)
            .collect();
        if !bad.is_empty() {
            wrong.push(format!("{tag}: {}", bad.join(", ")));
        }
    }
    assert!(
        cldr.len() > 100,
        "babel knew only {} of {} locales",
        cldr.len(),
        tags.len()
    );
    assert!(
        wrong.is_empty(),
        "{} languages disagree with CLDR:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}
