//! Invariant: a render never takes the process down. A panic anywhere inside a render (here:
//! the sources a dependency reads through, standing in for mrml, minijinja or html5ever)
//! comes back as an `internal-error` diagnostic for that template, and the engine keeps
//! working for the next render.

use letterpress_engine::bridge::Dialect;
use letterpress_engine::{
    Code, Engine, Limits, MemorySources, ProjectConfig, RenderRequest, SourceError, Sources,
};
use std::sync::Arc;

/// Memory sources whose read of one path panics.
struct PanickingSources {
    files: MemorySources,
    panics_on: &'static str,
}

impl Sources for PanickingSources {
    fn read(&self, path: &str) -> Result<Option<Arc<str>>, SourceError> {
        if path == self.panics_on {
            panic!("forced by the test while reading {path}");
        }
        self.files.read(path)
    }
}

fn engine(panics_on: &'static str) -> Engine {
    let files = [
        ("templates/ok/template.toml", "subject = \"Hi\"\n"),
        (
            "templates/ok/body.mjml",
            "<mjml><mj-body><mj-section><mj-column><mj-text>Hello</mj-text></mj-column></mj-section></mj-body></mjml>",
        ),
        ("templates/boom/template.toml", "subject = \"Boom\"\n"),
        ("templates/boom/body.mjml", "<mjml><mj-body></mj-body></mjml>"),
        ("standalone.mjml", "<mjml><mj-body></mj-body></mjml>"),
    ]
    .into_iter()
    .fold(MemorySources::new(), |files, (path, text)| files.with(path, text));
    let config = ProjectConfig::parse(
        "[project]\nname = \"p\"\ndefault_locale = \"en\"\nlocales = [\"en\"]\n",
    )
    .expect("config");
    Engine::new(
        config,
        Vec::new(),
        Arc::new(PanickingSources { files, panics_on }),
        Limits::default(),
    )
}

fn request<'a>(template: &'a str, data: &'a serde_json::Value) -> RenderRequest<'a> {
    RenderRequest {
        template,
        locale: "en",
        data,
        variant: None,
    }
}

#[test]
fn a_render_never_takes_the_process_down() {
    let engine = engine("templates/boom/body.mjml");
    let data = serde_json::json!({});
    for out in [
        engine.render(&request("boom", &data)),
        engine.render_without_derived_text(&request("boom", &data)),
    ] {
        assert!(!out.is_ok());
        let d = &out.diagnostics[0];
        assert_eq!(d.code, Code::InternalError);
        assert_eq!(d.code.as_str(), "internal-error");
        assert_eq!(
            d.location.as_ref().map(|l| l.file.as_str()),
            Some("templates/boom/template.toml")
        );
        assert!(
            d.message
                .contains("forced by the test while reading templates/boom/body.mjml"),
            "{}",
            d.message
        );
        assert!(out.html.is_empty());
    }
    // The engine is still usable: the next template renders.
    let ok = engine.render(&request("ok", &data));
    assert!(ok.is_ok(), "{:?}", ok.diagnostics);
    assert!(ok.html.contains("Hello"));
}

#[test]
fn a_send_time_compile_never_takes_the_process_down() {
    let engine = engine("templates/boom/body.mjml");
    let errors = engine
        .compile_send_time("boom", "en", Dialect::Handlebars)
        .expect_err("the compile panicked");
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].code, Code::InternalError);
    assert!(
        engine
            .compile_send_time("ok", "en", Dialect::Handlebars)
            .is_ok()
    );
}

#[test]
fn a_standalone_mjml_render_never_takes_the_process_down() {
    let engine = engine("standalone.mjml");
    let out = engine.render_mjml_file("standalone.mjml");
    assert_eq!(out.diagnostics[0].code, Code::InternalError);
    assert_eq!(
        out.diagnostics[0]
            .location
            .as_ref()
            .map(|l| l.file.as_str()),
        Some("standalone.mjml")
    );
}
