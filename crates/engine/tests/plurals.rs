//! Plural selection with the sample project's real catalogs: Polish one/few/many, French
//! (0 and 1 are singular), Arabic zero/one/two/few/many/other, and the pseudo-locales.

// The test reads its fixtures from disk; the engine itself may not (crates/engine/clippy.toml).
#![allow(clippy::disallowed_methods)]

use fluent_bundle::FluentArgs;
use letterpress_engine::catalog::Formatted;
use letterpress_engine::{CatalogFile, Catalogs, Limits, ProjectConfig};
use std::path::Path;

fn sample() -> (ProjectConfig, Catalogs) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let config =
        ProjectConfig::parse(&std::fs::read_to_string(root.join("letterpress.toml")).unwrap())
            .unwrap();
    let mut files = Vec::new();
    for locale in &config.locales {
        let path = format!("locales/{locale}/daily-digest.ftl");
        files.push(CatalogFile {
            locale: locale.clone(),
            text: std::fs::read_to_string(root.join(&path)).unwrap(),
            path,
        });
    }
    let (catalogs, diagnostics) = Catalogs::build(&config, files, &Limits::default());
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    (config, catalogs)
}

fn tasks(config: &ProjectConfig, catalogs: &Catalogs, locale: &str, count: i64) -> String {
    let mut args = FluentArgs::new();
    args.set("count", count);
    let chain = match locale {
        "en-XA" | "ar-XB" => vec![locale.to_owned(), "en".to_owned()],
        _ => config.fallback_chain(locale),
    };
    match catalogs.format(&chain, "daily-digest-person-tasks", &args) {
        Formatted::Found {
            text,
            locale: from,
            errors,
        } => {
            assert!(errors.is_empty(), "{errors:?}");
            assert_eq!(from, locale);
            // Bidi isolation marks (Arabic) are not part of the comparison.
            text.replace(['\u{2068}', '\u{2069}'], "")
        }
        Formatted::Missing => panic!("missing"),
    }
}

#[test]
fn polish_picks_one_few_many() {
    let (config, catalogs) = sample();
    let pl = |n| tasks(&config, &catalogs, "pl", n);
    assert_eq!(pl(1), "1 ukończone zadanie");
    for few in [2, 3, 4, 22, 34, 102] {
        assert_eq!(pl(few), format!("{few} ukończone zadania"));
    }
    for many in [0, 5, 11, 12, 14, 21, 25, 111, 112] {
        assert_eq!(pl(many), format!("{many} ukończonych zadań"));
    }
}

#[test]
fn french_treats_zero_and_one_as_singular() {
    let (config, catalogs) = sample();
    let fr = |n| tasks(&config, &catalogs, "fr", n);
    assert_eq!(fr(0), "0 tâche terminée");
    assert_eq!(fr(1), "1 tâche terminée");
    assert_eq!(fr(2), "2 tâches terminées");
    assert_eq!(fr(100), "100 tâches terminées");
}

#[test]
fn arabic_uses_all_six_categories() {
    let (config, catalogs) = sample();
    let ar = |n| tasks(&config, &catalogs, "ar", n);
    assert_eq!(ar(0), "لا مهام منجزة");
    assert_eq!(ar(1), "مهمة واحدة منجزة");
    assert_eq!(ar(2), "مهمتان منجزتان");
    assert_eq!(ar(3), "3 مهام منجزة");
    assert_eq!(ar(10), "10 مهام منجزة");
    assert_eq!(ar(11), "11 مهمة منجزة");
    assert_eq!(ar(99), "99 مهمة منجزة");
    assert_eq!(ar(100), "100 مهمة منجزة");
    assert_eq!(ar(102), "102 مهمة منجزة");
    // CLDR: few is `n % 100 = 3..10`, many `n % 100 = 11..99`, for every hundred. The
    // published intl_pluralrules dropped the `% 100`; vendor/intl_pluralrules fixes it.
    assert_eq!(ar(103), "103 مهام منجزة");
    assert_eq!(ar(110), "110 مهام منجزة");
    assert_eq!(ar(1005), "1005 مهام منجزة");
    assert_eq!(ar(111), "111 مهمة منجزة");
    assert_eq!(ar(200), "200 مهمة منجزة");
}

#[test]
fn pseudo_locales_select_english_plurals_on_transformed_text() {
    let (config, catalogs) = sample();
    assert_eq!(
        tasks(&config, &catalogs, "en-XA", 1),
        "[1 ţåšķ çöɱþļéţéð one two]"
    );
    assert_eq!(
        tasks(&config, &catalogs, "en-XA", 4),
        "[4 ţåšķš çöɱþļéţéð one two]"
    );
    assert!(tasks(&config, &catalogs, "ar-XB", 4).contains("\u{202E}tasks\u{202C}"));
}
