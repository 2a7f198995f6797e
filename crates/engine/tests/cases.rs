//! Golden tests: one file per case in `tests/cases/`, each a small project in one text file.
//! `err_*` cases must produce an error; `ok_*` and `warn_*` cases must render.
//!
//! Case format: sections introduced by `--- <path>` lines. Paths are project files; the
//! special sections `--- @data` (JSON, default `{}`), `--- @locale` (default `en`) and
//! `--- @variant` (default: none) set the request. Without a `letterpress.toml` section the project has locales en, de, pl, ar.
//! The template rendered is `t`.

// The test reads its fixtures from disk; the engine itself may not (crates/engine/clippy.toml).
#![allow(clippy::disallowed_methods)]

use letterpress_engine::{
    CatalogFile, Engine, Limits, MemorySources, ProjectConfig, RenderRequest,
};
use std::fmt::Write;
use std::sync::Arc;

const DEFAULT_CONFIG: &str = r#"[project]
name = "cases"
default_locale = "en"
locales = ["en", "de", "pl", "ar"]
"#;

struct Case {
    files: Vec<(String, String)>,
    data: String,
    locale: String,
    variant: Option<String>,
}

fn parse_case(text: &str) -> Case {
    let mut files: Vec<(String, String)> = Vec::new();
    for line in text.split_inclusive('\n') {
        if let Some(path) = line.strip_prefix("--- ") {
            files.push((path.trim().to_owned(), String::new()));
        } else if let Some((_, body)) = files.last_mut() {
            body.push_str(line);
        }
    }
    let take = |files: &mut Vec<(String, String)>, name: &str| {
        files
            .iter()
            .position(|(p, _)| p == name)
            .map(|i| files.remove(i).1)
    };
    let data = take(&mut files, "@data").unwrap_or_else(|| "{}".into());
    let locale = take(&mut files, "@locale").map_or("en".into(), |l| l.trim().to_owned());
    let variant = take(&mut files, "@variant").map(|v| v.trim().to_owned());
    Case {
        files,
        data,
        locale,
        variant,
    }
}

fn limits_for(path: &std::path::Path) -> Limits {
    let name = path.file_stem().unwrap().to_string_lossy();
    let mut limits = Limits::default();
    if name.contains("fuel") {
        limits.template_fuel = 10_000;
    }
    if name.contains("output_size") {
        limits.output_bytes = 10_000;
    }
    limits
}

pub fn render_case(path: &std::path::Path) -> String {
    let case = parse_case(&std::fs::read_to_string(path).unwrap());
    let mut sources = MemorySources::new();
    let mut catalogs = Vec::new();
    let mut config_text = DEFAULT_CONFIG.to_owned();
    for (p, body) in &case.files {
        if p == "letterpress.toml" {
            config_text = body.clone();
        }
        if let Some(rest) = p.strip_prefix("locales/") {
            let locale = rest.split('/').next().unwrap().to_owned();
            catalogs.push(CatalogFile {
                locale,
                path: p.clone(),
                text: body.clone(),
            });
        }
        sources.insert(p.clone(), body.as_str());
    }
    let config = ProjectConfig::parse(&config_text).expect("case config");
    let engine = Engine::new(
        config,
        catalogs,
        Arc::new(sources.clone()),
        limits_for(path),
    );
    let data: serde_json::Value = serde_json::from_str(&case.data).expect("case data");
    let out = engine.render(&RenderRequest {
        template: "t",
        locale: &case.locale,
        data: &data,
        variant: case.variant.as_deref(),
    });
    let mut report = String::new();
    let mut diagnostics = engine.load_diagnostics().to_vec();
    diagnostics.extend(out.diagnostics.iter().cloned());
    for d in &diagnostics {
        let src = d.location.as_ref().and_then(|l| {
            sources
                .paths()
                .find(|p| *p == l.file)
                .and_then(|p| case.files.iter().find(|(f, _)| f == p))
                .map(|(_, b)| b.as_str())
        });
        writeln!(report, "{}", d.display_with_source(src)).unwrap();
    }
    if out.is_ok() {
        writeln!(report, "subject: {}", out.subject).unwrap();
        writeln!(report, "preheader: {}", out.preheader).unwrap();
        writeln!(report, "--- text\n{}", out.text).unwrap();
    }
    report
}

#[test]
fn cases() {
    insta::glob!("cases/*.txt", |path| {
        let name = path.file_stem().unwrap().to_string_lossy().to_string();
        let case = parse_case(&std::fs::read_to_string(path).unwrap());
        let report = render_case(path);
        let has_error = report.lines().any(|l| l.starts_with("error["));
        if name.starts_with("err_") {
            assert!(has_error, "{name} should fail:\n{report}");
        } else {
            assert!(!has_error, "{name} should render:\n{report}");
        }
        if name.starts_with("warn_") {
            assert!(
                report.lines().any(|l| l.starts_with("warning[")),
                "{name} should warn:\n{report}"
            );
        }
        let _ = case;
        insta::assert_snapshot!(report);
    });
}
