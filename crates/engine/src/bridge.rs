// SHIM until the bridge lands: the real `compile_send_time` (Jinja send-time logic →
// Handlebars) is being written on `main`. This stand-in has the same signature and types and
// renders the template with its `default` fixture (recipient data resolved at build time), so
// the sync back end can be built and tested now. Delete this file when "Bridge:" is merged.

//! Send-time templates for providers that render recipient data themselves.

use crate::{Diagnostic, Engine, RenderRequest, paths};

/// The provider's template language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// Handlebars (Amazon SES, SendGrid, Mailgun).
    Handlebars,
}

/// A template compiled for the provider: build-time parts resolved, send-time parts in the
/// provider's syntax.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SendTimeTemplate {
    /// Subject line.
    pub subject: String,
    /// Preheader (inbox preview text).
    pub preheader: String,
    /// HTML part.
    pub html: String,
    /// Plain-text part.
    pub text: String,
}

impl Engine {
    /// Compiles `template` in `locale` for a provider speaking `dialect` (SHIM: renders the
    /// `default` fixture, or `{}` when there is none).
    pub fn compile_send_time(
        &self,
        template: &str,
        locale: &str,
        dialect: Dialect,
    ) -> Result<SendTimeTemplate, Vec<Diagnostic>> {
        let Dialect::Handlebars = dialect;
        let data = match self.sources.read(&paths::fixture(template, "default")) {
            Ok(Some(text)) => serde_json::from_str(&text)
                .unwrap_or_else(|_| serde_json::Value::Object(serde_json::Map::new())),
            _ => serde_json::Value::Object(serde_json::Map::new()),
        };
        let out = self.render(&RenderRequest {
            template,
            locale,
            data: &data,
        });
        if !out.is_ok() {
            return Err(out
                .diagnostics
                .into_iter()
                .filter(Diagnostic::is_error)
                .collect());
        }
        Ok(SendTimeTemplate {
            subject: out.subject,
            preheader: out.preheader,
            html: out.html,
            text: out.text,
        })
    }
}
