//! Postmark templates over its REST API (`/templates`, addressed by alias), authenticated by
//! a Server API token in `X-Postmark-Server-Token`, on the shared transport
//! ([`crate::http`]: timeouts, retries, `Retry-After`).
//!
//! Each template × locale is one *Standard* template whose alias is the remote name.
//! Letterpress resolves layouts when publishing (MJML compiles layout and content together),
//! so it uploads no Postmark *Layout* and attaches none; a layout attached in Postmark's web
//! UI is read back as part of the content and shows as drift.
//!
//! Errors carry `{"ErrorCode": n, "Message": "…"}` (HTTP 422 for API errors, 401 for a bad
//! token): 1101 is "template not found", 1123 / 1130 an alias or name already taken.

use crate::ProviderError;
use crate::credentials::Secret;
use crate::http::{ClientOptions, Http, Outgoing, ProviderKind, Wire, parse_body};
use crate::remote::{Created, Found, RemoteTemplates, TemplateContent, created, found};
use crate::sigv4::uri_encode;
use serde::{Deserialize, Serialize};

/// Postmark's API error code for an unknown template.
pub const TEMPLATE_NOT_FOUND: i64 = 1101;

/// Largest page `GET /templates` serves.
const PAGE: usize = 500;

/// A Postmark client for one server (its token chooses the server).
pub struct PostmarkClient {
    http: Http,
    token: Secret,
}

impl std::fmt::Debug for PostmarkClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostmarkClient")
            .field("http", &self.http)
            .field("token", &self.token)
            .finish()
    }
}

#[derive(Deserialize)]
struct WireList {
    #[serde(rename = "TotalCount", default)]
    total: usize,
    #[serde(rename = "Templates", default)]
    templates: Vec<WireListed>,
}

#[derive(Deserialize)]
struct WireListed {
    #[serde(rename = "Alias", default)]
    alias: Option<String>,
    #[serde(rename = "TemplateType", default)]
    template_type: Option<String>,
}

#[derive(Deserialize)]
struct WireTemplate {
    #[serde(rename = "Subject", default)]
    subject: Option<String>,
    #[serde(rename = "HtmlBody", default)]
    html: Option<String>,
    #[serde(rename = "TextBody", default)]
    text: Option<String>,
    #[serde(rename = "LayoutTemplate", default)]
    layout: Option<String>,
}

#[derive(Serialize)]
struct WireWrite<'a> {
    #[serde(rename = "Name")]
    name: &'a str,
    #[serde(rename = "Alias", skip_serializing_if = "Option::is_none")]
    alias: Option<&'a str>,
    #[serde(rename = "Subject")]
    subject: &'a str,
    #[serde(rename = "HtmlBody")]
    html: &'a str,
    #[serde(rename = "TextBody")]
    text: &'a str,
    #[serde(rename = "TemplateType", skip_serializing_if = "Option::is_none")]
    template_type: Option<&'a str>,
    /// Always written: `null` detaches a layout someone attached in the web UI.
    #[serde(rename = "LayoutTemplate")]
    layout: Option<&'a str>,
}

/// What Postmark's `/templates/validate` rendered, per part.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Rendered {
    /// The subject.
    pub subject: String,
    /// The HTML body.
    pub html: String,
    /// The text body.
    pub text: String,
}

/// One email for Postmark's `/email`.
#[derive(Debug, Clone)]
pub struct OutgoingEmail<'a> {
    /// The From mailbox.
    pub from: &'a str,
    /// The recipient.
    pub to: &'a str,
    /// The subject.
    pub subject: &'a str,
    /// The HTML body.
    pub html: &'a str,
    /// The text body.
    pub text: &'a str,
    /// Extra headers.
    pub headers: Vec<(String, String)>,
}

impl PostmarkClient {
    /// A client for `endpoint` (`https://api.postmarkapp.com`).
    pub fn new(
        endpoint: &str,
        token: Secret,
        options: ClientOptions,
    ) -> Result<PostmarkClient, ProviderError> {
        Ok(PostmarkClient {
            http: Http::new(endpoint, options)?,
            token,
        })
    }

    fn call(
        &self,
        method: &str,
        path: &str,
        query: &[(String, String)],
        body: Option<&[u8]>,
    ) -> Result<(u16, String), ProviderError> {
        self.http.call(self, method, path, query, body)
    }

    /// Postmark's own rendering of `content` with `model` (`POST /templates/validate`,
    /// without CSS inlining: the HTML is already inlined by MJML). Parts that do not
    /// validate are an error with Postmark's messages.
    pub fn test_render(
        &self,
        content: &TemplateContent,
        model: &serde_json::Value,
    ) -> Result<Rendered, ProviderError> {
        let body = serde_json::to_vec(&serde_json::json!({
            "Subject": content.subject,
            "HtmlBody": content.html,
            "TextBody": content.text,
            "TestRenderModel": model,
            "InlineCssForHtmlTestRender": false,
            "TemplateType": "Standard",
            "LayoutTemplate": content.layout,
        }))
        .map_err(|e| ProviderError::Protocol(e.to_string()))?;
        let (status, text) = self.call("POST", "/templates/validate", &[], Some(&body))?;
        let answer: serde_json::Value = parse_body(status, &text)?;
        let part = |key: &str| -> Result<String, ProviderError> {
            let p = &answer[key];
            if p["ContentIsValid"].as_bool() == Some(false) {
                return Err(ProviderError::ErrorAnswer {
                    status,
                    kind: ProviderKind::Rejected,
                    message: format!("{key} does not validate: {}", p["ValidationErrors"]),
                });
            }
            Ok(p["RenderedContent"].as_str().unwrap_or_default().to_owned())
        };
        Ok(Rendered {
            subject: part("Subject")?,
            html: part("HtmlBody")?,
            text: part("TextBody")?,
        })
    }

    /// Sends one email (`POST /email`): Postmark takes the parts, not a MIME message, and
    /// builds the MIME itself, so the bytes a recipient gets are Postmark's. `headers` are
    /// extra headers (`Message-ID`…). Returns Postmark's `MessageID`.
    pub fn send_email(&self, email: &OutgoingEmail<'_>) -> Result<String, ProviderError> {
        let headers: Vec<serde_json::Value> = email
            .headers
            .iter()
            .map(|(n, v)| serde_json::json!({ "Name": n, "Value": v }))
            .collect();
        let body = serde_json::to_vec(&serde_json::json!({
            "From": email.from,
            "To": email.to,
            "Subject": email.subject,
            "HtmlBody": email.html,
            "TextBody": email.text,
            "Headers": headers,
            "MessageStream": "outbound",
        }))
        .map_err(|e| ProviderError::Protocol(e.to_string()))?;
        let (status, text) = self.call("POST", "/email", &[], Some(&body))?;
        #[derive(Deserialize)]
        struct Sent {
            #[serde(rename = "MessageID")]
            message_id: String,
        }
        let sent: Sent = parse_body(status, &text)?;
        Ok(sent.message_id)
    }

    fn write_body(
        name: &str,
        content: &TemplateContent,
        create: bool,
    ) -> Result<Vec<u8>, ProviderError> {
        serde_json::to_vec(&WireWrite {
            name,
            alias: create.then_some(name),
            subject: &content.subject,
            html: &content.html,
            text: &content.text,
            template_type: create.then_some("Standard"),
            layout: content.layout.as_deref(),
        })
        .map_err(|e| ProviderError::Protocol(e.to_string()))
    }
}

fn template_path(alias: &str) -> String {
    format!("/templates/{}", uri_encode(alias))
}

impl RemoteTemplates for PostmarkClient {
    fn read_concurrency(&self) -> usize {
        self.http.read_concurrency()
    }

    fn retries(&self) -> usize {
        self.http.retries()
    }

    fn list_names(&self, prefix: &str) -> Result<Vec<String>, ProviderError> {
        let mut names = Vec::new();
        let mut offset = 0;
        loop {
            let query = [
                ("count".to_owned(), PAGE.to_string()),
                ("offset".to_owned(), offset.to_string()),
                ("TemplateType".to_owned(), "Standard".to_owned()),
            ];
            let (status, body) = self.call("GET", "/templates", &query, None)?;
            let page: WireList = parse_body(status, &body)?;
            let got = page.templates.len();
            names.extend(
                page.templates
                    .into_iter()
                    .filter(|t| t.template_type.as_deref().is_none_or(|k| k == "Standard"))
                    .filter_map(|t| t.alias)
                    .filter(|a| a.starts_with(prefix)),
            );
            offset += got;
            if got == 0 || offset >= page.total {
                break;
            }
        }
        names.sort();
        names.dedup();
        Ok(names)
    }

    fn get(&self, name: &str) -> Result<Option<TemplateContent>, ProviderError> {
        match self.call("GET", &template_path(name), &[], None) {
            Ok((status, body)) => {
                let t: WireTemplate = parse_body(status, &body)?;
                Ok(Some(TemplateContent {
                    subject: t.subject.unwrap_or_default(),
                    html: t.html.unwrap_or_default(),
                    text: t.text.unwrap_or_default(),
                    layout: t.layout.filter(|l| !l.is_empty()),
                }))
            }
            Err(e) if e.is_answer(ProviderKind::NotFound) => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn create(&self, name: &str, content: &TemplateContent) -> Result<Created, ProviderError> {
        let body = Self::write_body(name, content, true)?;
        created(self.call("POST", "/templates", &[], Some(&body)))
    }

    fn update(&self, name: &str, content: &TemplateContent) -> Result<Found, ProviderError> {
        let body = Self::write_body(name, content, false)?;
        found(self.call("PUT", &template_path(name), &[], Some(&body)))
    }

    fn delete(&self, name: &str) -> Result<Found, ProviderError> {
        found(self.call("DELETE", &template_path(name), &[], None))
    }
}

impl Wire for PostmarkClient {
    fn headers(&self, request: &Outgoing<'_>) -> Vec<(String, String)> {
        let mut headers = vec![
            ("accept".to_owned(), "application/json".to_owned()),
            (
                "x-postmark-server-token".to_owned(),
                self.token.expose().to_owned(),
            ),
        ];
        if request.body.is_some() {
            headers.push(("content-type".to_owned(), "application/json".to_owned()));
        }
        headers
    }

    fn classify(
        &self,
        status: u16,
        _header: &dyn Fn(&str) -> Option<String>,
        body: &str,
    ) -> (ProviderKind, String) {
        classify(status, body)
    }
}

/// Error kind and message from the status and Postmark's `{ErrorCode, Message}` body.
pub fn classify(status: u16, body: &str) -> (ProviderKind, String) {
    let json: Option<serde_json::Value> = serde_json::from_str(body).ok();
    let code = json
        .as_ref()
        .and_then(|j| j.get("ErrorCode"))
        .and_then(serde_json::Value::as_i64);
    let message = json
        .as_ref()
        .and_then(|j| j.get("Message"))
        .and_then(|m| m.as_str())
        .map_or_else(|| format!("HTTP {status}"), str::to_owned);
    let message = match code {
        Some(c) => format!("ErrorCode {c}: {message}"),
        None => message,
    };
    let lower = message.to_lowercase();
    let kind = match (status, code) {
        (429, _) => ProviderKind::Throttled,
        (401 | 403, _) | (_, Some(10)) => ProviderKind::Auth,
        (_, Some(TEMPLATE_NOT_FOUND)) | (404, _) => ProviderKind::NotFound,
        (s, _) if s >= 500 => ProviderKind::Server,
        (422, Some(_)) if lower.contains("alias") && lower.contains("already") => {
            ProviderKind::AlreadyExists
        }
        _ => ProviderKind::Rejected,
    };
    (kind, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_are_classified_by_status_and_error_code() {
        let not_found = r#"{"ErrorCode":1101,"Message":"The Template's 'Alias' associated with this request is not valid or was not found."}"#;
        assert_eq!(classify(422, not_found).0, ProviderKind::NotFound);
        let token = r#"{"ErrorCode":10,"Message":"The Server Token you provided in the X-Postmark-Server-Token request header was invalid."}"#;
        assert_eq!(classify(401, token).0, ProviderKind::Auth);
        assert_eq!(classify(429, "").0, ProviderKind::Throttled);
        assert_eq!(classify(500, "<html>").0, ProviderKind::Server);
        let taken = r#"{"ErrorCode":1123,"Message":"The 'Alias' value 'a' is already in use by another template."}"#;
        assert_eq!(classify(422, taken).0, ProviderKind::AlreadyExists);
        let bad = r#"{"ErrorCode":1105,"Message":"The 'Subject' is missing."}"#;
        let (kind, message) = classify(422, bad);
        assert_eq!(kind, ProviderKind::Rejected);
        assert!(message.contains("1105"), "{message}");
    }

    #[test]
    fn the_token_never_shows_in_debug_output() {
        let client = PostmarkClient::new(
            "http://127.0.0.1:9",
            Secret::new("server-token-secret".into()),
            ClientOptions::default(),
        )
        .unwrap();
        assert!(!format!("{client:?}").contains("server-token-secret"));
    }
}
