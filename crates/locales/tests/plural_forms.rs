//! The gettext `Plural-Forms` we write agree with CLDR: for n = 0..=1000, Python's `gettext`
//! module evaluates each `plural=` expression (an independent C-expression evaluator) and
//! PyPI `babel` (CLDR data) names the category n needs; the form at that index must be the
//! one holding that category.

mod common;

use letterpress_locales::plural::plural_forms;

const LANGUAGES: &[&str] = &[
    "en", "de", "fr", "pt", "pl", "ru", "uk", "cs", "sk", "ro", "ar", "ja", "zh", "tr", "es", "it",
    "nl", "sv", "vi",
];

#[test]
fn gettext_plural_expressions_pick_the_cldr_category() {
    common::assert_babel_has_our_cldr();
    let mut input = String::new();
    for lang in LANGUAGES {
        let forms = plural_forms(lang).unwrap();
        input.push_str(&format!("{lang}\t{}\n", forms.expression));
    }
    let script = r#"
import gettext, json, sys
try:
    import babel
except ImportError:
    sys.exit("PyPI `babel` is required by this test: pip install babel (scripts/env.sh does)")
out = {}
for line in sys.stdin.read().splitlines():
    lang, expr = line.split("\t")
    f = gettext.c2py(expr)
    locale = babel.Locale.parse(lang)
    out[lang] = [[f(n), locale.plural_form(n)] for n in range(1001)]
print(json.dumps(out))
"#;
    let results: std::collections::BTreeMap<String, Vec<(usize, String)>> =
        common::python_json(script, &input);
    for lang in LANGUAGES {
        let forms = plural_forms(lang).unwrap();
        for (n, (index, cldr)) in results[*lang].iter().enumerate() {
            let form = forms.categories[*index];
            assert_eq!(
                form, cldr,
                "{lang}: n={n} goes to msgstr[{index}], which holds `{form}`; CLDR says `{cldr}`"
            );
        }
    }
}
