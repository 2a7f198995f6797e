//! `letterpress locales …` and the translation checks of `letterpress check`, on a temporary
//! copy of the sample project.

mod common;

use common::{run, sample_copy};
use std::path::Path;
use std::process::Command;

/// Runs `letterpress --project root ARGS`; returns (exit code, stdout, stderr).
fn letterpress(root: &Path, args: &[&str]) -> (i32, String, String) {
    run(Command::new(env!("CARGO_BIN_EXE_letterpress"))
        .arg("--project")
        .arg(root)
        .args(args))
}

#[test]
fn status_lists_progress_per_locale_and_the_grid_as_json() {
    let (_tmp, root) = sample_copy();
    let (code, out, err) = letterpress(&root, &["locales", "status"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("pl            103         100               3"),
        "{out}"
    );
    let (code, out, _) = letterpress(
        &root,
        &["locales", "status", "--locale", "ar", "--format", "json"],
    );
    assert_eq!(code, 0);
    let grid: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(grid["progress"].as_array().unwrap().len(), 1);
    let row = grid["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["key"] == "daily-digest-person-tasks")
        .unwrap();
    assert_eq!(row["cells"][0]["locale"], "ar");
    assert_eq!(row["cells"][0]["status"], "translated");
    assert_eq!(row["used_by"][0], "daily-digest");
}

#[test]
fn export_then_import_round_trips_and_a_bad_file_writes_nothing() {
    let (tmp, root) = sample_copy();
    for (format, ext) in [("po", "po"), ("xliff", "xlf")] {
        let file = tmp.path().join(format!("fr.{ext}"));
        let (code, _, err) = letterpress(
            &root,
            &[
                "locales",
                "export",
                "fr",
                "--format",
                format,
                "-o",
                file.to_str().unwrap(),
            ],
        );
        assert_eq!(code, 0, "{err}");
        let (code, _, err) = letterpress(&root, &["locales", "import", file.to_str().unwrap()]);
        assert_eq!(code, 0, "{err}");
        assert!(err.contains("fr: 0 changed, 103 unchanged"), "{err}");
    }
    let po = tmp.path().join("fr.po");
    let text = std::fs::read_to_string(&po).unwrap();
    let fr = std::fs::read_to_string(root.join("locales/fr/common.ftl")).unwrap();
    std::fs::write(
        &po,
        text.replace("{ $name }", "{ $nom }")
            .replace("msgstr \"Centre d’aide\"", "msgstr \"Aide\""),
    )
    .unwrap();
    let (code, _, err) = letterpress(
        &root,
        &[
            "locales",
            "import",
            po.to_str().unwrap(),
            "--format",
            "json",
        ],
    );
    assert_eq!(code, 1, "{err}");
    assert_eq!(
        std::fs::read_to_string(root.join("locales/fr/common.ftl")).unwrap(),
        fr
    );
    let (code, out, _) = letterpress(
        &root,
        &[
            "locales",
            "import",
            po.to_str().unwrap(),
            "--format",
            "json",
        ],
    );
    assert_eq!(code, 1);
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["applied"], false);
    assert_eq!(report["rejected"][0]["reason"], "broken-placeholders");
}

#[test]
fn check_reports_missing_outdated_and_broken_placeholders_per_locale() {
    let (_tmp, root) = sample_copy();
    let de = root.join("locales/de/common.ftl");
    let text = std::fs::read_to_string(&de).unwrap();
    let text = text
        .lines()
        .filter(|l| !l.starts_with("common-footer-terms"))
        .collect::<Vec<_>>()
        .join("\n")
        + "\n";
    std::fs::write(&de, text.replace("Hallo { $name },", "Hallo { $vorname },")).unwrap();
    let en = root.join("locales/en/welcome.ftl");
    let en_text = std::fs::read_to_string(&en).unwrap();
    std::fs::write(&en, en_text.replace("Welcome aboard", "Welcome")).unwrap();
    let (code, _, err) = letterpress(&root, &["check"]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("error[placeholder-mismatch]: `common-greeting` (de) uses { $vorname }"),
        "{err}"
    );
    // The invented variable is pointed at; the dropped one at its message.
    assert!(err.contains("--> locales/de/common.ftl:9:27"), "{err}");
    assert!(
        err.contains("error[placeholder-mismatch]: `common-greeting` (de) drops { $name }"),
        "{err}"
    );
    assert!(err.contains("--> locales/de/common.ftl:9:1"), "{err}");
    assert!(
        err.contains("warning[missing-translation]: `common-footer-terms` has no `de` translation"),
        "{err}"
    );
    assert!(
        err.contains("warning[outdated-translation]: `welcome-heading` (pl)"),
        "{err}"
    );
}

#[test]
fn add_pseudo_accept_and_override() {
    let (_tmp, root) = sample_copy();
    let (code, _, err) = letterpress(&root, &["locales", "add", "he"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("added he (rtl)"), "{err}");
    let (code, _, err) = letterpress(&root, &["locales", "add", "not a tag"]);
    assert_eq!(code, 2);
    assert!(err.contains("is not a BCP 47 language tag"), "{err}");
    let (code, out, _) = letterpress(&root, &["locales", "pseudo", "en-XA"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("common-greeting = [Ĥî { $name }, one]"),
        "{out}"
    );
    let (code, html, _) = letterpress(&root, &["render", "welcome", "--locale", "ar-XB"]);
    assert_eq!(code, 0);
    assert!(html.contains("lang=\"ar-XB\" dir=\"rtl\""));
    let (code, _, err) = letterpress(&root, &["locales", "accept", "de"]);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = letterpress(&root, &["locales", "override", "receipt", "fr"]);
    assert_eq!(code, 0, "{err}");
    assert!(root.join("templates/receipt/body.fr.mjml").is_file());
}
