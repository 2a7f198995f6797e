//! Golden snapshots of the bundled sample project (the repository root): subject, preheader,
//! text and HTML of every template × locale × fixture, and a clean `check`.

use letterpress_studio::Project;
use std::path::Path;

fn sample() -> Project {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    Project::open(&root).expect("the sample project opens")
}

#[test]
fn sample_project_checks_clean() {
    let project = sample();
    let report = project.check(&|_, _| {}).unwrap();
    let problems: Vec<String> = report.diagnostics.iter().map(|d| d.to_string()).collect();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    let templates = project.templates().unwrap();
    assert!(templates.len() >= 6);
    assert!(templates.iter().all(|t| t.fixtures.len() >= 2));
    assert_eq!(report.renders, project.jobs().unwrap().len());
}

#[test]
fn sample_project_renders_match_snapshots() {
    let project = sample();
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.set_snapshot_path("snapshots/sample");
    settings.bind(|| {
        for job in project.jobs().unwrap() {
            let out = project.render_job(&job);
            assert!(out.is_ok(), "{job:?}: {:?}", out.diagnostics);
            let name = format!("{}@{}@{}", job.template, job.locale, job.fixture);
            let dir = out.locale.as_ref().map_or("ltr", |l| l.dir);
            // lang/dir reach the <html> element: RTL locales read right to left.
            assert!(
                out.html
                    .contains(&format!("lang=\"{}\" dir=\"{dir}\"", job.locale)),
                "{name}: <html> lacks lang/dir"
            );
            insta::assert_snapshot!(
                format!("{name}.text"),
                format!(
                    "subject: {}\npreheader: {}\n---\n{}",
                    out.subject, out.preheader, out.text
                )
            );
            insta::assert_snapshot!(format!("{name}.html"), out.html);
        }
    });
}

#[test]
fn arabic_renders_right_to_left() {
    let project = sample();
    let out = project.render("welcome", Some("ar"), None).unwrap();
    assert!(out.is_ok(), "{:?}", out.diagnostics);
    assert_eq!(out.locale.unwrap().dir, "rtl");
    assert!(out.html.contains("dir=\"rtl\""));
}
