//! The translators' workspace on a real copy of the sample project: lossless XLIFF/PO round
//! trips for every locale, interoperability with independent tools (PyPI polib, gettext's
//! msgfmt, xmllint, npm xliff), all-or-nothing imports, grid edits, outdated detection,
//! adding locales and per-locale overrides.
//!
//! The external tools are required: a missing tool fails the test with how to install it
//! (`scripts/env.sh` installs them on CI).

use letterpress_protocol::locales::{CellStatus, ExchangeFormat, RejectReason};
use letterpress_protocol::{Code, Diagnostic};
use letterpress_studio::locales::TranslationError;
use letterpress_studio::{Project, copy_project};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn sample_copy() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("project");
    copy_project(&repo(), &root).unwrap();
    (tmp, root)
}

/// Every file under the project, path → bytes.
fn snapshot(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fn walk(dir: &Path, root: &Path, out: &mut BTreeMap<PathBuf, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, root, out);
            } else {
                out.insert(
                    path.strip_prefix(root).unwrap().to_owned(),
                    std::fs::read(&path).unwrap(),
                );
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

fn changed_files(before: &BTreeMap<PathBuf, Vec<u8>>, root: &Path) -> Vec<String> {
    let after = snapshot(root);
    let mut out: Vec<String> = after
        .iter()
        .filter(|(p, bytes)| before.get(*p) != Some(bytes))
        .map(|(p, _)| p.display().to_string())
        .collect();
    out.extend(
        before
            .keys()
            .filter(|p| !after.contains_key(*p))
            .map(|p| format!("removed {}", p.display())),
    );
    out
}

/// Runs an external tool; a missing tool is a test failure with install instructions.
fn tool(program: &str, install: &str) -> Command {
    let found = Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        found,
        "`{program}` is required by this test; install it with: {install} (scripts/env.sh does)"
    );
    Command::new(program)
}

fn run_ok(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{cmd:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn python_with_polib() -> Command {
    let mut check = tool("python3", "apt-get install python3");
    let has = check
        .args(["-c", "import polib"])
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        has,
        "PyPI `polib` is required by this test; install it with: pip install polib (scripts/env.sh does)"
    );
    Command::new("python3")
}

fn node_with_xliff() -> Command {
    let mut cmd = tool("node", "apt-get install nodejs npm");
    assert!(
        repo().join("node_modules/xliff/package.json").is_file(),
        "npm `xliff` is required by this test; run `npm install` at the repository root (scripts/env.sh does)"
    );
    cmd.current_dir(repo());
    cmd
}

const LOCALES: [&str; 4] = ["de", "fr", "pl", "ar"];

#[test]
fn export_then_import_changes_no_byte_for_every_locale_and_format() {
    let (_tmp, root) = sample_copy();
    let mut project = Project::open(&root).unwrap();
    let before = snapshot(&root);
    for locale in LOCALES {
        for (format, name) in [
            (ExchangeFormat::Xliff, "x.xlf"),
            (ExchangeFormat::Po, "x.po"),
        ] {
            let text = project.export_translations(locale, format).unwrap();
            let report = project.import_translations(name, &text, false).unwrap();
            assert!(
                report.rejected.is_empty(),
                "{locale} {format:?}: {report:?}"
            );
            assert!(report.changed.is_empty(), "{locale} {format:?}: {report:?}");
            assert_eq!(report.unchanged, 103, "{locale} {format:?}");
            assert!(!report.applied);
            // Exporting again gives the same bytes.
            assert_eq!(project.export_translations(locale, format).unwrap(), text);
        }
    }
    assert_eq!(changed_files(&before, &root), Vec::<String>::new());
}

#[test]
fn po_export_passes_msgfmt_check_and_reads_in_polib_with_plural_forms() {
    let (tmp, root) = sample_copy();
    let project = Project::open(&root).unwrap();
    for (locale, nplurals) in [("de", 2), ("fr", 2), ("pl", 3), ("ar", 6)] {
        let po = tmp.path().join(format!("{locale}.po"));
        std::fs::write(
            &po,
            project
                .export_translations(locale, ExchangeFormat::Po)
                .unwrap(),
        )
        .unwrap();
        run_ok(
            tool("msgfmt", "apt-get install gettext")
                .args(["--check", "-o", "/dev/null"])
                .arg(&po),
        );
        let script = r#"
import json, sys, polib
po = polib.pofile(sys.argv[1])
tasks = [e for e in po if e.msgctxt == "daily-digest-person-tasks"][0]
print(json.dumps({
    "language": po.metadata["Language"],
    "plural_forms": po.metadata["Plural-Forms"],
    "entries": len(po),
    "translated": len(po.translated_entries()),
    "tasks_id": tasks.msgid,
    "tasks_plural": tasks.msgid_plural,
    "tasks_forms": [tasks.msgstr_plural[i] for i in sorted(tasks.msgstr_plural)],
    "greeting": [e.msgstr for e in po if e.msgctxt == "common-greeting"][0],
    "greeting_note": [e.comment for e in po if e.msgctxt == "common-greeting"][0],
}))
"#;
        let out = run_ok(python_with_polib().args(["-c", script]).arg(&po));
        let json: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(json["language"], locale);
        assert_eq!(json["entries"], 103);
        assert_eq!(json["translated"], 103);
        assert!(
            json["plural_forms"]
                .as_str()
                .unwrap()
                .starts_with(&format!("nplurals={nplurals};")),
            "{json}"
        );
        assert_eq!(json["tasks_id"], "1 task completed");
        assert_eq!(json["tasks_plural"], "{ $count } tasks completed");
        let forms = json["tasks_forms"].as_array().unwrap();
        assert_eq!(forms.len(), nplurals, "{json}");
        assert!(json["greeting"].as_str().unwrap().contains("{ $name }"));
        assert!(
            json["greeting_note"]
                .as_str()
                .unwrap()
                .contains("Salutation")
        );
        if locale == "pl" {
            assert_eq!(forms[0], "1 ukończone zadanie");
            assert_eq!(forms[1], "{ $count } ukończone zadania");
            assert_eq!(forms[2], "{ $count } ukończonych zadań");
        }
    }
}

#[test]
fn a_po_file_edited_by_polib_imports_only_what_changed() {
    let (tmp, root) = sample_copy();
    let mut project = Project::open(&root).unwrap();
    let po = tmp.path().join("pl.po");
    std::fs::write(
        &po,
        project
            .export_translations("pl", ExchangeFormat::Po)
            .unwrap(),
    )
    .unwrap();
    // polib rewrites the whole file in its own layout (line wrapping, header order) and
    // changes one plain entry and one plural form.
    let script = r#"
import sys, polib
po = polib.pofile(sys.argv[1])
for e in po:
    if e.msgctxt == "common-greeting":
        e.msgstr = "Dzień dobry, { $name },"
    if e.msgctxt == "daily-digest-person-tasks":
        e.msgstr_plural[2] = "{ $count } zakończonych zadań"
po.save(sys.argv[1])
"#;
    run_ok(python_with_polib().args(["-c", script]).arg(&po));
    let before = snapshot(&root);
    let dry = letterpress_studio::locales::import_file(&mut project, &po, true).unwrap();
    assert_eq!(dry.changed.len(), 2, "{dry:?}");
    assert!(!dry.applied);
    assert_eq!(changed_files(&before, &root), Vec::<String>::new());

    let report = letterpress_studio::locales::import_file(&mut project, &po, false).unwrap();
    assert!(report.applied, "{report:?}");
    assert_eq!(report.unchanged, 101);
    // The record already names the current source texts, so it stays as it is.
    assert_eq!(
        changed_files(&before, &root),
        ["locales/pl/common.ftl", "locales/pl/daily-digest.ftl"]
    );
    let common = std::fs::read_to_string(root.join("locales/pl/common.ftl")).unwrap();
    let original = String::from_utf8(before[Path::new("locales/pl/common.ftl")].clone()).unwrap();
    let greeting = original
        .lines()
        .find(|l| l.starts_with("common-greeting ="))
        .unwrap();
    assert_eq!(
        common,
        original.replace(greeting, "common-greeting = Dzień dobry, { $name },")
    );
    let digest = std::fs::read_to_string(root.join("locales/pl/daily-digest.ftl")).unwrap();
    assert!(
        digest.contains("[many] { $count } zakończonych zadań"),
        "{digest}"
    );
    // The fraction variant (`other`), which gettext cannot express, is kept.
    assert!(
        digest.contains("*[other] { $count } ukończonego zadania"),
        "{digest}"
    );
    let grid = project.locale_grid().unwrap();
    let row = grid
        .rows
        .iter()
        .find(|r| r.key == "common-greeting")
        .unwrap();
    let pl = row.cells.iter().find(|c| c.locale == "pl").unwrap();
    assert_eq!(pl.status, CellStatus::Translated);
    let rendered = project.render("password-reset", Some("pl"), None).unwrap();
    assert!(
        rendered.html.contains("Dzień dobry,"),
        "greeting not rendered"
    );
}

#[test]
fn xliff_export_is_well_formed_and_npm_xliff_reads_and_writes_it() {
    let (tmp, root) = sample_copy();
    let mut project = Project::open(&root).unwrap();
    for locale in LOCALES {
        let path = tmp.path().join(format!("{locale}.xlf"));
        std::fs::write(
            &path,
            project
                .export_translations(locale, ExchangeFormat::Xliff)
                .unwrap(),
        )
        .unwrap();
        run_ok(
            tool("xmllint", "apt-get install libxml2-utils")
                .arg("--noout")
                .arg(&path),
        );
    }
    let input = tmp.path().join("de.xlf");
    let output = tmp.path().join("de-edited.xlf");
    let script = r#"
const { xliff2js, js2xliff } = require('xliff');
const fs = require('fs');
(async () => {
  const js = await xliff2js(fs.readFileSync(process.argv[1], 'utf8'));
  if (js.sourceLanguage !== 'en' || js.targetLanguage !== 'de') throw new Error('languages');
  const units = Object.values(js.resources).reduce((n, r) => n + Object.keys(r).length, 0);
  const tasks = js.resources['daily-digest']['daily-digest-person-tasks'];
  js.resources['common']['common-greeting'].target = 'Guten Tag { $name },';
  fs.writeFileSync(process.argv[2], await js2xliff(js));
  console.log(JSON.stringify({ units, tasks }));
})().catch(e => { console.error(e); process.exit(1); });
"#;
    let out = run_ok(
        node_with_xliff()
            .args(["-e", script])
            .arg(&input)
            .arg(&output),
    );
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["units"], 103);
    assert_eq!(
        json["tasks"]["target"],
        "{ $count ->\n    [one] 1 Aufgabe erledigt\n   *[other] { $count } Aufgaben erledigt\n}"
    );
    let before = snapshot(&root);
    let report = letterpress_studio::locales::import_file(&mut project, &output, false).unwrap();
    assert!(report.rejected.is_empty(), "{report:?}");
    assert_eq!(report.changed.len(), 1, "{report:?}");
    assert_eq!(report.changed[0].key, "common-greeting");
    assert_eq!(report.unchanged, 102);
    assert_eq!(changed_files(&before, &root), ["locales/de/common.ftl"]);
}

#[test]
fn import_is_all_or_nothing_and_says_why_entries_were_rejected() {
    let (_tmp, root) = sample_copy();
    let mut project = Project::open(&root).unwrap();
    let po = project
        .export_translations("de", ExchangeFormat::Po)
        .unwrap();
    let edited = po
        // A valid change that must not be written because others are rejected.
        .replace(
            "msgstr \"Hallo { $name },\"",
            "msgstr \"Servus { $name },\"",
        )
        // Drops a variable.
        .replace(
            "msgstr \"{ $workspace } öffnen\"",
            "msgstr \"Arbeitsbereich öffnen\"",
        )
        // Bad Fluent syntax.
        .replace("msgstr \"Ein ruhiger Tag\"", "msgstr \"Ein ruhiger { Tag\"")
        + "\nmsgctxt \"no-such-key\"\nmsgid \"x\"\nmsgstr \"y\"\n";
    assert_ne!(edited, po);
    let before = snapshot(&root);
    let report = project
        .import_translations("de.po", &edited, false)
        .unwrap();
    assert!(!report.applied);
    let reasons: Vec<(Option<String>, RejectReason)> = report
        .rejected
        .iter()
        .map(|r| (r.key.clone(), r.reason))
        .collect();
    assert_eq!(
        reasons,
        [
            (
                Some("daily-digest-cta".into()),
                RejectReason::BrokenPlaceholders
            ),
            (
                Some("daily-digest-empty-title".into()),
                RejectReason::BadSyntax
            ),
            (Some("no-such-key".into()), RejectReason::UnknownKey),
        ],
        "{report:#?}"
    );
    assert_eq!(report.changed.len(), 1);
    assert!(report.rejected[0].message.contains("drops { $workspace }"));
    assert!(report.rejected[0].location.as_ref().unwrap().line > 1);
    assert_eq!(changed_files(&before, &root), Vec::<String>::new());

    // A file for a locale the project does not have, or for the source locale.
    let other = po.replace("Language: de", "Language: es");
    let report = project.import_translations("es.po", &other, false).unwrap();
    assert_eq!(report.rejected[0].reason, RejectReason::WrongLocale);
    let xliff = project
        .export_translations("fr", ExchangeFormat::Xliff)
        .unwrap()
        .replace("trgLang=\"fr\"", "trgLang=\"en\"");
    let report = project
        .import_translations("fr.xlf", &xliff, false)
        .unwrap();
    assert_eq!(report.rejected[0].reason, RejectReason::WrongLocale);
    assert_eq!(changed_files(&before, &root), Vec::<String>::new());
}

#[test]
fn grid_edit_rewrites_one_entry_and_validates_placeholders_first() {
    let (_tmp, root) = sample_copy();
    let mut project = Project::open(&root).unwrap();
    let path = root.join("locales/de/common.ftl");
    let original = std::fs::read_to_string(&path).unwrap();
    let err = project
        .set_translation("de", "common-greeting", Some("Hallo { $vorname },"))
        .unwrap_err();
    assert!(matches!(err, TranslationError::Placeholders(_)), "{err}");
    assert!(err.to_string().contains("{ $vorname }"), "{err}");
    let err = project
        .set_translation("de", "common-greeting", Some("Hallo { $name"))
        .unwrap_err();
    assert_eq!(err.code(), "fluent-syntax");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), original);

    let cell = project
        .set_translation("de", "common-greeting", Some("Moin { $name },"))
        .unwrap();
    assert_eq!(cell.status, CellStatus::Translated);
    assert_eq!(cell.text.as_deref(), Some("Moin { $name },"));
    let greeting = original
        .lines()
        .find(|l| l.starts_with("common-greeting ="))
        .unwrap();
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        original.replace(greeting, "common-greeting = Moin { $name },")
    );
    // The engine sees it at once.
    let out = project.render("password-reset", Some("de"), None).unwrap();
    assert!(
        out.html.contains("Moin"),
        "the preview does not show the edit"
    );

    // An attribute.
    let cell = project
        .set_translation(
            "de",
            "common-header-logo.alt",
            Some("Logo von { -brand-name }"),
        )
        .unwrap();
    assert_eq!(cell.status, CellStatus::Translated);
    // Removing a translation makes the cell missing (the default locale's text is shown).
    let cell = project
        .set_translation("de", "common-signoff", None)
        .unwrap();
    assert_eq!(cell.status, CellStatus::Missing);
    assert_eq!(cell.fallback_locale.as_deref(), Some("en"));
    let report = project.check(&|_, _| {}).unwrap();
    assert!(report.diagnostics.iter().any(|d| {
        d.code == Code::MissingTranslation
            && d.message
                .contains("`common-signoff` has no `de` translation")
    }));
    // Added again, it goes back to the source's position (after the greeting).
    project
        .set_translation("de", "common-signoff", Some("Beste Grüße"))
        .unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    let at = |needle: &str| text.find(needle).unwrap();
    assert!(at("common-greeting =") < at("common-signoff = Beste Grüße"));
    assert!(at("common-signoff = Beste Grüße") < at("common-signature ="));
}

#[test]
fn changing_the_source_text_makes_translations_outdated_until_edited_or_accepted() {
    let (_tmp, root) = sample_copy();
    let mut project = Project::open(&root).unwrap();
    let status = |project: &Project, locale: &str| {
        let grid = project.locale_grid().unwrap();
        let row = grid
            .rows
            .iter()
            .find(|r| r.key == "welcome-heading")
            .unwrap()
            .clone();
        row.cells
            .iter()
            .find(|c| c.locale == locale)
            .unwrap()
            .status
    };
    assert_eq!(status(&project, "fr"), CellStatus::Translated);
    let cell = project
        .set_translation(
            "en",
            "welcome-heading",
            Some("Welcome to the team, { $name }!"),
        )
        .unwrap();
    assert_eq!(cell.status, CellStatus::Source);
    for locale in LOCALES {
        assert_eq!(status(&project, locale), CellStatus::Outdated, "{locale}");
    }
    let report = project.check(&|_, _| {}).unwrap();
    let outdated: Vec<&Diagnostic> = report
        .diagnostics
        .iter()
        .filter(|d| d.code == Code::OutdatedTranslation)
        .collect();
    assert_eq!(outdated.len(), 4, "{outdated:#?}");
    assert_eq!(
        outdated[0].location.as_ref().unwrap().file,
        "locales/ar/welcome.ftl"
    );
    // The PO export flags it fuzzy, the XLIFF export with a subState.
    let po = project
        .export_translations("fr", ExchangeFormat::Po)
        .unwrap();
    assert!(po.contains("#, fuzzy\nmsgctxt \"welcome-heading\""), "{po}");
    let xlf = project
        .export_translations("fr", ExchangeFormat::Xliff)
        .unwrap();
    assert!(xlf.contains("subState=\"letterpress:outdated\""));
    // Editing re-bases one translation; accepting re-bases the rest.
    let fr = project.locale_grid().unwrap();
    let text = fr
        .rows
        .iter()
        .find(|r| r.key == "welcome-heading")
        .unwrap()
        .cells
        .iter()
        .find(|c| c.locale == "fr")
        .unwrap()
        .text
        .clone()
        .unwrap();
    project
        .set_translation(
            "fr",
            "welcome-heading",
            Some(&text.replace("à bord", "dans l’équipe")),
        )
        .unwrap();
    assert_eq!(status(&project, "fr"), CellStatus::Translated);
    assert_eq!(status(&project, "de"), CellStatus::Outdated);
    assert_eq!(
        project
            .accept_translations("de", &["welcome-heading".to_owned()])
            .unwrap(),
        1
    );
    assert_eq!(status(&project, "de"), CellStatus::Translated);
    let record = std::fs::read_to_string(root.join("locales/de/translated-from.toml")).unwrap();
    assert!(record.contains("\"welcome-heading\" = \""));
    // A broken record is a diagnostic, not a failure of `check`.
    std::fs::write(root.join("locales/de/translated-from.toml"), "\"x\" = \n").unwrap();
    project
        .reload(&["locales/de/translated-from.toml".to_owned()])
        .unwrap();
    let report = project.check(&|_, _| {}).unwrap();
    let broken = report
        .diagnostics
        .iter()
        .find(|d| d.code == Code::InvalidConfig)
        .unwrap_or_else(|| panic!("{:#?}", report.diagnostics));
    assert_eq!(
        broken.location.as_ref().unwrap().file,
        "locales/de/translated-from.toml"
    );
}

#[test]
fn add_locale_validates_derives_direction_and_keeps_the_manifest_layout() {
    let (_tmp, root) = sample_copy();
    let mut project = Project::open(&root).unwrap();
    let manifest = std::fs::read_to_string(root.join("letterpress.toml")).unwrap();
    for bad in ["english", "de_", "x", "en-XA", "de", "und", "12"] {
        assert!(project.add_locale(bad).is_err(), "{bad} was accepted");
    }
    assert_eq!(
        std::fs::read_to_string(root.join("letterpress.toml")).unwrap(),
        manifest
    );
    let entry = project.add_locale("pt_br").unwrap();
    assert_eq!((entry.tag.as_str(), entry.dir.as_str()), ("pt-BR", "ltr"));
    for (code, tag) in [("he", "he"), ("fa", "fa"), ("ur", "ur"), ("ar-ma", "ar-MA")] {
        let entry = project.add_locale(code).unwrap();
        assert_eq!(
            (entry.tag.as_str(), entry.dir.as_str()),
            (tag, "rtl"),
            "{code}"
        );
    }
    let after = std::fs::read_to_string(root.join("letterpress.toml")).unwrap();
    assert_eq!(
        after,
        manifest.replace(
            "locales = [\"en\", \"de\", \"fr\", \"pl\", \"ar\"]",
            "locales = [\"en\", \"de\", \"fr\", \"pl\", \"ar\", \"pt-BR\", \"he\", \"fa\", \"ur\", \"ar-MA\"]"
        )
    );
    assert_eq!(project.config().locales.len(), 10);
    let names = |dir: &str| {
        let mut v: Vec<String> = std::fs::read_dir(root.join(dir))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".ftl"))
            .collect();
        v.sort();
        v
    };
    assert_eq!(names("locales/he"), names("locales/en"));
    // A new locale is all missing, falls back to en, and renders right-to-left.
    let grid = project.locale_grid().unwrap();
    let he = grid.progress.iter().find(|p| p.locale == "he").unwrap();
    assert_eq!(he.missing, 103);
    let out = project.render("welcome", Some("he"), None).unwrap();
    assert!(out.html.contains("dir=\"rtl\""));
    // ar-MA falls back to ar first: shown as such.
    let row = grid
        .rows
        .iter()
        .find(|r| r.key == "common-greeting")
        .unwrap();
    let cell = row.cells.iter().find(|c| c.locale == "ar-MA").unwrap();
    assert_eq!(cell.status, CellStatus::Fallback);
    assert_eq!(cell.fallback_locale.as_deref(), Some("ar"));
}

#[test]
fn per_locale_override_is_created_from_the_base_body_and_listed() {
    let (_tmp, root) = sample_copy();
    let mut project = Project::open(&root).unwrap();
    let path = project.create_override("welcome", "pl").unwrap();
    assert_eq!(path, "templates/welcome/body.pl.mjml");
    assert_eq!(
        std::fs::read(root.join(&path)).unwrap(),
        std::fs::read(root.join("templates/welcome/body.mjml")).unwrap()
    );
    let info = project
        .templates()
        .unwrap()
        .into_iter()
        .find(|t| t.id == "welcome")
        .unwrap();
    assert_eq!(info.overrides, ["pl"]);
    assert!(matches!(
        project.create_override("welcome", "pl"),
        Err(TranslationError::Exists(_))
    ));
    // Its diagnostics point into the override.
    std::fs::write(
        root.join(&path),
        "<mjml><mj-body>{{ nope }}</mj-body></mjml>",
    )
    .unwrap();
    project.reload(std::slice::from_ref(&path)).unwrap();
    let out = project.render("welcome", Some("pl"), None).unwrap();
    assert_eq!(out.diagnostics[0].location.as_ref().unwrap().file, path);
}

#[test]
fn grid_rows_know_which_templates_use_each_key() {
    let (_tmp, root) = sample_copy();
    let project = Project::open(&root).unwrap();
    let grid = project.locale_grid().unwrap();
    let used_by = |key: &str| {
        grid.rows
            .iter()
            .find(|r| r.key == key)
            .unwrap()
            .used_by
            .clone()
    };
    assert_eq!(used_by("welcome-heading"), ["welcome"]);
    // Text clicked in the German preview leads back to its key.
    assert_eq!(
        project
            .keys_for_text("de", "Hallo Amara,")
            .unwrap()
            .first()
            .map(String::as_str),
        Some("common-greeting")
    );
    // From the shared layout: every template.
    assert_eq!(used_by("common-footer-privacy").len(), 6);
    let row = grid
        .rows
        .iter()
        .find(|r| r.key == "common-greeting")
        .unwrap();
    assert_eq!(row.variables, ["name"]);
    assert_eq!(row.cells.len(), 5);
    assert_eq!(row.cells[0].status, CellStatus::Source);
    assert_eq!(
        grid.pseudo_locales
            .iter()
            .map(|l| (l.tag.as_str(), l.dir.as_str()))
            .collect::<Vec<_>>(),
        [("en-XA", "ltr"), ("ar-XB", "rtl")]
    );
}

#[test]
fn pseudo_locales_render_without_touching_the_disk() {
    let (_tmp, root) = sample_copy();
    let project = Project::open(&root).unwrap();
    let before = snapshot(&root);
    let xa = project.render("welcome", Some("en-XA"), None).unwrap();
    assert!(xa.is_ok(), "{:?}", xa.diagnostics);
    insta::assert_snapshot!("pseudo_en_xa_subject", xa.subject);
    assert!(xa.html.contains("lang=\"en-XA\" dir=\"ltr\""));
    let xb = project.render("welcome", Some("ar-XB"), None).unwrap();
    assert!(xb.is_ok(), "{:?}", xb.diagnostics);
    let visible = xb
        .subject
        .replace('\u{200F}', "<RLM>")
        .replace('\u{202E}', "<RLO>")
        .replace('\u{202C}', "<PDF>")
        .replace('\u{2068}', "<FSI>")
        .replace('\u{2069}', "<PDI>");
    insta::assert_snapshot!("pseudo_ar_xb_subject", visible);
    assert!(xb.html.contains("dir=\"rtl\""));
    assert!(
        !project
            .config()
            .locales
            .iter()
            .any(|l| l.ends_with("XA") || l.ends_with("XB"))
    );
    assert_eq!(changed_files(&before, &root), Vec::<String>::new());
    let texts = project.pseudo_translations("en-XA").unwrap();
    let lines: Vec<String> = texts
        .iter()
        .filter(|(k, _)| k.starts_with("common-") || k.starts_with("daily-digest-person"))
        .map(|(k, t)| format!("{k} = {t}"))
        .collect();
    insta::assert_snapshot!("pseudo_en_xa_common", lines.join("\n"));
}

#[test]
fn files_rewritten_by_polib_and_npm_xliff_without_edits_import_as_unchanged() {
    let (tmp, root) = sample_copy();
    let mut project = Project::open(&root).unwrap();
    let before = snapshot(&root);
    for locale in LOCALES {
        let po = tmp.path().join(format!("{locale}.po"));
        std::fs::write(
            &po,
            project
                .export_translations(locale, ExchangeFormat::Po)
                .unwrap(),
        )
        .unwrap();
        run_ok(
            python_with_polib()
                .args([
                    "-c",
                    "import sys, polib; polib.pofile(sys.argv[1]).save(sys.argv[1])",
                ])
                .arg(&po),
        );
        let xlf = tmp.path().join(format!("{locale}.xlf"));
        std::fs::write(
            &xlf,
            project
                .export_translations(locale, ExchangeFormat::Xliff)
                .unwrap(),
        )
        .unwrap();
        let script = r#"
const { xliff2js, js2xliff } = require('xliff');
const fs = require('fs');
xliff2js(fs.readFileSync(process.argv[1], 'utf8'))
  .then(js => js2xliff(js))
  .then(out => fs.writeFileSync(process.argv[1], out))
  .catch(e => { console.error(e); process.exit(1); });
"#;
        run_ok(node_with_xliff().args(["-e", script]).arg(&xlf));
        for file in [&po, &xlf] {
            let report =
                letterpress_studio::locales::import_file(&mut project, file, false).unwrap();
            assert!(report.rejected.is_empty(), "{locale}: {report:?}");
            assert!(report.changed.is_empty(), "{locale}: {report:?}");
            assert_eq!(report.unchanged, 103, "{locale} {}", file.display());
        }
    }
    assert_eq!(changed_files(&before, &root), Vec::<String>::new());
}

#[test]
fn an_unsaved_cell_is_previewed_validated_and_never_written() {
    let (_tmp, root) = sample_copy();
    let project = Project::open(&root).unwrap();
    let before = snapshot(&root);
    let job = letterpress_studio::RenderJob {
        template: "welcome".into(),
        locale: "de".into(),
        fixture: "default".into(),
        variant: None,
    };
    let buffers = letterpress_studio::Buffers::default();
    let out = project
        .preview_translation(
            &job,
            "de",
            "welcome-heading",
            Some("Hallo und willkommen, { $name }!"),
            &buffers,
        )
        .unwrap();
    assert!(
        out.html.contains("Hallo und willkommen"),
        "the draft is rendered"
    );
    let err = project
        .preview_translation(&job, "de", "welcome-heading", Some("Hallo!"), &buffers)
        .unwrap_err();
    assert_eq!(err.code(), "placeholder-mismatch");
    let err = project
        .preview_translation(
            &job,
            "de",
            "welcome-heading",
            Some("Hallo { $name"),
            &buffers,
        )
        .unwrap_err();
    assert_eq!(err.code(), "fluent-syntax");
    assert!(err.to_string().contains("1:"), "line:column: {err}");
    assert!(changed_files(&before, &root).is_empty(), "nothing written");
}

#[test]
fn the_app_exports_to_the_chosen_file_and_imports_it_back_without_changes() {
    let (tmp, root) = sample_copy();
    let mut session = letterpress_studio::StudioSession::open(&root).unwrap();
    let before = snapshot(&root);
    for (format, name) in [
        (ExchangeFormat::Xliff, "de.xlf"),
        (ExchangeFormat::Po, "de.po"),
    ] {
        let file = tmp.path().join(name);
        session.export_translations_to("de", format, &file).unwrap();
        let report = session.import_translations(&file, false).unwrap();
        assert_eq!(report.locale, "de");
        assert!(report.rejected.is_empty(), "{:?}", report.rejected);
        assert!(report.changed.is_empty(), "{:?}", report.changed);
        assert!(report.written.is_empty(), "{:?}", report.written);
    }
    assert!(changed_files(&before, &root).is_empty());
}
