//! Amazon SES v2 email templates over its REST JSON API, SigV4 signed by hand
//! ([`crate::sigv4`]), on the shared transport ([`crate::http`]: timeouts, retries).
//!
//! Errors are told apart by the `X-Amzn-ErrorType` header when present, else by the JSON
//! body's `__type`/`type`/`code`, else by the status: aws-ses-v2-local sends no such header.

use crate::ProviderError;
use crate::credentials::AwsCredentials;
use crate::http::{ClientOptions, Clock, Http, Outgoing, ProviderKind, Wire, parse_body};
use crate::remote::{Created, Found, RemoteTemplates, TemplateContent, created, found};
use crate::sigv4::{RequestToSign, Scope, amz_date, authorization, uri_encode};
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Default)]
struct WireContent {
    #[serde(rename = "Subject", default, skip_serializing_if = "Option::is_none")]
    subject: Option<String>,
    #[serde(rename = "Html", default, skip_serializing_if = "Option::is_none")]
    html: Option<String>,
    #[serde(rename = "Text", default, skip_serializing_if = "Option::is_none")]
    text: Option<String>,
}

#[derive(Serialize, Deserialize)]
struct WireTemplate {
    #[serde(
        rename = "TemplateName",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    name: Option<String>,
    #[serde(rename = "TemplateContent", default)]
    content: WireContent,
}

#[derive(Deserialize)]
struct WireList {
    #[serde(rename = "TemplatesMetadata", default)]
    templates: Vec<WireMeta>,
    #[serde(rename = "NextToken", default)]
    next_token: Option<String>,
}

#[derive(Deserialize)]
struct WireMeta {
    #[serde(rename = "TemplateName")]
    name: String,
}

/// An SES v2 client for one endpoint, region and set of credentials.
pub struct SesClient {
    http: Http,
    region: String,
    credentials: AwsCredentials,
    clock: Clock,
}

impl std::fmt::Debug for SesClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SesClient")
            .field("http", &self.http)
            .field("region", &self.region)
            .field("credentials", &self.credentials)
            .finish_non_exhaustive()
    }
}

impl SesClient {
    /// A client for `endpoint` (`https://email.eu-west-1.amazonaws.com`).
    pub fn new(
        endpoint: &str,
        region: &str,
        credentials: AwsCredentials,
        options: ClientOptions,
        clock: Clock,
    ) -> Result<SesClient, ProviderError> {
        Ok(SesClient {
            http: Http::new(endpoint, options)?,
            region: region.to_owned(),
            credentials,
            clock,
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

    /// SES's own rendering of a stored template with `data` (TestRenderEmailTemplate): the
    /// MIME message it would send.
    pub fn test_render(
        &self,
        name: &str,
        data: &serde_json::Value,
    ) -> Result<String, ProviderError> {
        let body = serde_json::to_vec(&serde_json::json!({ "TemplateData": data.to_string() }))
            .map_err(|e| ProviderError::Protocol(e.to_string()))?;
        let (status, text) = self.call(
            "POST",
            &format!("{}/render", template_path(name)),
            &[],
            Some(&body),
        )?;
        #[derive(Deserialize)]
        struct Rendered {
            #[serde(rename = "RenderedTemplate")]
            rendered: String,
        }
        let r: Rendered = parse_body(status, &text)?;
        Ok(r.rendered)
    }
}

impl SesClient {
    /// Sends a raw MIME message (SendEmail with `Content.Raw`): the bytes go out as they are,
    /// SES adds only its own trace headers. Returns SES's message id. One attempt per
    /// configured `max_attempts`; a send should use 1 so a timeout never sends twice.
    pub fn send_raw(&self, from: &str, to: &str, message: &[u8]) -> Result<String, ProviderError> {
        use base64::Engine as _;
        let body = serde_json::to_vec(&serde_json::json!({
            "FromEmailAddress": from,
            "Destination": { "ToAddresses": [to] },
            "Content": { "Raw": {
                "Data": base64::engine::general_purpose::STANDARD.encode(message)
            } },
        }))
        .map_err(|e| ProviderError::Protocol(e.to_string()))?;
        let (status, text) = self.call("POST", "/v2/email/outbound-emails", &[], Some(&body))?;
        #[derive(Deserialize)]
        struct Sent {
            #[serde(rename = "MessageId")]
            message_id: String,
        }
        let sent: Sent = parse_body(status, &text)?;
        Ok(sent.message_id)
    }
}

impl RemoteTemplates for SesClient {
    fn read_concurrency(&self) -> usize {
        self.http.read_concurrency()
    }

    fn retries(&self) -> usize {
        self.http.retries()
    }

    fn list_names(&self, prefix: &str) -> Result<Vec<String>, ProviderError> {
        let mut names = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let mut query = vec![("PageSize".to_owned(), "100".to_owned())];
            if let Some(t) = &token {
                query.push(("NextToken".to_owned(), t.clone()));
            }
            let (status, body) = self.call("GET", "/v2/email/templates", &query, None)?;
            let list: WireList = parse_body(status, &body)?;
            names.extend(
                list.templates
                    .into_iter()
                    .map(|m| m.name)
                    .filter(|n| n.starts_with(prefix)),
            );
            match list.next_token.filter(|t| !t.is_empty()) {
                Some(t) if Some(&t) != token.as_ref() => token = Some(t),
                _ => break,
            }
        }
        names.sort();
        names.dedup();
        Ok(names)
    }

    /// A template's content, `None` when it does not exist.
    fn get(&self, name: &str) -> Result<Option<TemplateContent>, ProviderError> {
        match self.call("GET", &template_path(name), &[], None) {
            Ok((status, body)) => {
                let t: WireTemplate = parse_body(status, &body)?;
                Ok(Some(TemplateContent {
                    subject: t.content.subject.unwrap_or_default(),
                    html: t.content.html.unwrap_or_default(),
                    text: t.content.text.unwrap_or_default(),
                    layout: None,
                }))
            }
            Err(e) if e.is_answer(ProviderKind::NotFound) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Creates a template.
    fn create(&self, name: &str, content: &TemplateContent) -> Result<Created, ProviderError> {
        let body = template_body(Some(name), content)?;
        created(self.call("POST", "/v2/email/templates", &[], Some(&body)))
    }

    /// Replaces a template's content.
    fn update(&self, name: &str, content: &TemplateContent) -> Result<Found, ProviderError> {
        let body = template_body(None, content)?;
        found(self.call("PUT", &template_path(name), &[], Some(&body)))
    }

    /// Deletes a template.
    fn delete(&self, name: &str) -> Result<Found, ProviderError> {
        found(self.call("DELETE", &template_path(name), &[], None))
    }
}

impl Wire for SesClient {
    fn headers(&self, request: &Outgoing<'_>) -> Vec<(String, String)> {
        let date = amz_date((self.clock)());
        let mut headers = vec![
            ("host".to_owned(), self.http.host().to_owned()),
            ("x-amz-date".to_owned(), date.clone()),
        ];
        if request.body.is_some() {
            headers.push(("content-type".to_owned(), "application/json".to_owned()));
        }
        if let Some(token) = &self.credentials.session_token {
            headers.push(("x-amz-security-token".to_owned(), token.expose().to_owned()));
        }
        let auth = authorization(
            &self.credentials,
            &Scope {
                region: &self.region,
                service: "ses",
                amz_date: &date,
            },
            &RequestToSign {
                method: request.method,
                path: request.full_path,
                query: request.query,
                headers: &headers,
                body: request.body.unwrap_or_default(),
            },
        );
        headers.push(("authorization".to_owned(), auth));
        headers
    }

    fn classify(
        &self,
        status: u16,
        header: &dyn Fn(&str) -> Option<String>,
        body: &str,
    ) -> (ProviderKind, String) {
        classify(status, header("x-amzn-errortype").as_deref(), body)
    }
}

/// Error kind and message from the status, `X-Amzn-ErrorType` and the JSON body.
pub fn classify(status: u16, error_type: Option<&str>, body: &str) -> (ProviderKind, String) {
    let json: Option<serde_json::Value> = serde_json::from_str(body).ok();
    let field = |k: &str| {
        json.as_ref()
            .and_then(|j| j.get(k))
            .and_then(|v| v.as_str())
            .map(str::to_owned)
    };
    let named = error_type
        .map(str::to_owned)
        .or_else(|| field("__type"))
        .or_else(|| field("type"))
        .or_else(|| field("code"))
        .unwrap_or_default();
    // `X-Amzn-ErrorType: NotFoundException:http://...`, `__type: com.amazon...#NotFoundException`
    let name = named
        .split(':')
        .next()
        .unwrap_or_default()
        .rsplit('#')
        .next()
        .unwrap_or_default()
        .to_owned();
    let mut message = field("message")
        .or_else(|| field("Message"))
        .unwrap_or_default();
    if let Some(detail) = field("detail") {
        message = format!("{message} ({detail})");
    }
    if message.is_empty() {
        message = format!("HTTP {status}");
    }
    if !name.is_empty() {
        message = format!("{name}: {message}");
    }
    let kind = match name.as_str() {
        "NotFoundException" => ProviderKind::NotFound,
        "AlreadyExistsException" => ProviderKind::AlreadyExists,
        "TooManyRequestsException" | "ThrottlingException" | "LimitExceededException"
            if status == 429 || name != "LimitExceededException" =>
        {
            ProviderKind::Throttled
        }
        _ => match status {
            429 => ProviderKind::Throttled,
            401 | 403 => ProviderKind::Auth,
            404 => ProviderKind::NotFound,
            s if s >= 500 => ProviderKind::Server,
            _ => ProviderKind::Rejected,
        },
    };
    (kind, message)
}

fn template_path(name: &str) -> String {
    format!("/v2/email/templates/{}", uri_encode(name))
}

fn template_body(name: Option<&str>, content: &TemplateContent) -> Result<Vec<u8>, ProviderError> {
    let non_empty = |s: &str| (!s.is_empty()).then(|| s.to_owned());
    serde_json::to_vec(&WireTemplate {
        name: name.map(str::to_owned),
        content: WireContent {
            subject: Some(content.subject.clone()),
            html: non_empty(&content.html),
            text: non_empty(&content.text),
        },
    })
    .map_err(|e| ProviderError::Protocol(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_are_classified_with_or_without_the_header() {
        let peer = r#"{"type":"AlreadyExistsException","message":"exists"}"#;
        assert_eq!(classify(400, None, peer).0, ProviderKind::AlreadyExists);
        assert_eq!(
            classify(
                404,
                Some("NotFoundException:http://internal.amazon.com/"),
                "{}"
            )
            .0,
            ProviderKind::NotFound
        );
        assert_eq!(classify(429, None, "").0, ProviderKind::Throttled);
        assert_eq!(classify(503, None, "<html>").0, ProviderKind::Server);
        assert_eq!(
            classify(403, None, r#"{"message":"Missing Authentication Token"}"#).0,
            ProviderKind::Auth
        );
        assert_eq!(
            classify(400, None, r#"{"type":"BadRequestException"}"#).0,
            ProviderKind::Rejected
        );
        assert_eq!(
            classify(400, None, r#"{"__type":"x#LimitExceededException"}"#).0,
            ProviderKind::Rejected
        );
    }

    #[test]
    fn content_hash_separates_parts() {
        let a = TemplateContent {
            subject: "ab".into(),
            html: "c".into(),
            text: String::new(),
            layout: None,
        };
        let b = TemplateContent {
            subject: "a".into(),
            html: "bc".into(),
            text: String::new(),
            layout: None,
        };
        assert_ne!(a.hash(), b.hash());
        assert_eq!(a.hash(), a.clone().hash());
        let with_layout = TemplateContent {
            layout: Some("base".into()),
            ..a.clone()
        };
        assert_ne!(a.hash(), with_layout.hash());
    }
}
