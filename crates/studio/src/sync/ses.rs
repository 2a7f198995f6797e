//! Amazon SES v2 email templates over its REST JSON API: blocking HTTP (ureq), SigV4 signed
//! by hand ([`super::sigv4`]), explicit timeouts, and retries with exponential backoff and
//! jitter on timeouts, connection errors, 5xx and 429 (honouring `Retry-After`, capped).
//!
//! Errors are told apart by the `X-Amzn-ErrorType` header when present, else by the JSON
//! body's `__type`/`type`/`code`, else by the status: aws-ses-v2-local sends no such header.

use super::SyncError;
use super::credentials::Credentials;
use super::sigv4::{RequestToSign, Scope, amz_date, authorization, canonical_query, sha256_hex};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// A source of the current Unix time in seconds (passed in; tests may fix it).
pub type Clock = Arc<dyn Fn() -> i64 + Send + Sync>;

/// The system clock.
pub fn system_clock() -> Clock {
    Arc::new(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
            .unwrap_or(0)
    })
}

/// Timeouts and retry policy of provider calls.
#[derive(Debug, Clone)]
pub struct ClientOptions {
    /// Connecting (TCP + TLS).
    pub connect_timeout: Duration,
    /// Waiting for the response head, and again for its body.
    pub read_timeout: Duration,
    /// Attempts per call, the first included (at least 1).
    pub max_attempts: u32,
    /// Backoff before the first retry; doubled each time.
    pub base_backoff: Duration,
    /// Longest backoff.
    pub max_backoff: Duration,
    /// Longest wait a `Retry-After` may ask for.
    pub max_retry_after: Duration,
    /// Seed of the jitter (a fixed seed makes retries reproducible in tests).
    pub jitter_seed: u64,
    /// Concurrent reads while planning.
    pub read_concurrency: usize,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            connect_timeout: Duration::from_secs(5),
            read_timeout: Duration::from_secs(20),
            max_attempts: 6,
            base_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(10),
            max_retry_after: Duration::from_secs(30),
            jitter_seed: 0x5eed_1e77_e4b0_55e5,
            read_concurrency: 8,
        }
    }
}

/// A remote email template's content.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TemplateContent {
    /// Subject.
    pub subject: String,
    /// HTML part.
    pub html: String,
    /// Text part.
    pub text: String,
}

impl TemplateContent {
    /// A stable hash of the three parts (what sync state records).
    pub fn hash(&self) -> String {
        let mut buf =
            Vec::with_capacity(self.subject.len() + self.html.len() + self.text.len() + 32);
        for part in [&self.subject, &self.html, &self.text] {
            buf.extend_from_slice(format!("{}:", part.len()).as_bytes());
            buf.extend_from_slice(part.as_bytes());
        }
        sha256_hex(&buf)
    }
}

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

/// Outcome of a create.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Created {
    /// Created now.
    Created,
    /// A template of that name exists (maybe from an earlier attempt whose answer was lost).
    AlreadyExists,
}

/// Outcome of an update or delete.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Found {
    /// Done.
    Done,
    /// No template of that name.
    NotFound,
}

/// An SES v2 client for one endpoint, region and set of credentials.
pub struct SesClient {
    agent: ureq::Agent,
    base: String,
    host: String,
    base_path: String,
    region: String,
    credentials: Credentials,
    options: ClientOptions,
    clock: Clock,
    rng: Mutex<u64>,
    retries: AtomicUsize,
}

impl std::fmt::Debug for SesClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SesClient")
            .field("base", &self.base)
            .field("region", &self.region)
            .field("credentials", &self.credentials)
            .finish_non_exhaustive()
    }
}

enum Attempt {
    Done(u16, String),
    Retry(SyncError, Option<Duration>),
    Fail(SyncError),
}

impl SesClient {
    /// A client for `endpoint` (`https://email.eu-west-1.amazonaws.com`).
    pub fn new(
        endpoint: &str,
        region: &str,
        credentials: Credentials,
        options: ClientOptions,
        clock: Clock,
    ) -> Result<SesClient, SyncError> {
        let rest = endpoint
            .strip_prefix("https://")
            .or_else(|| endpoint.strip_prefix("http://"))
            .ok_or_else(|| {
                SyncError::Config(format!("endpoint `{endpoint}` is not an http(s) URL"))
            })?;
        let (host, path) = match rest.find('/') {
            Some(i) => (&rest[..i], rest[i..].trim_end_matches('/')),
            None => (rest, ""),
        };
        let tls = ureq::tls::TlsConfig::builder()
            .provider(ureq::tls::TlsProvider::NativeTls)
            .root_certs(ureq::tls::RootCerts::PlatformVerifier)
            .build();
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_connect(Some(options.connect_timeout))
            .timeout_recv_response(Some(options.read_timeout))
            .timeout_recv_body(Some(options.read_timeout))
            .timeout_send_body(Some(options.read_timeout))
            .tls_config(tls)
            .user_agent(concat!("letterpress/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        let seed = options.jitter_seed.max(1);
        Ok(SesClient {
            agent,
            base: format!("{}{host}", &endpoint[..endpoint.len() - rest.len()]),
            host: host.to_owned(),
            base_path: path.to_owned(),
            region: region.to_owned(),
            credentials,
            options,
            clock,
            rng: Mutex::new(seed),
            retries: AtomicUsize::new(0),
        })
    }

    /// Concurrent reads while planning.
    pub fn read_concurrency(&self) -> usize {
        self.options.read_concurrency
    }

    /// Attempts retried so far by this client.
    pub fn retries(&self) -> usize {
        self.retries.load(Ordering::Relaxed)
    }

    /// Names of every remote template starting with `prefix` (all pages).
    pub fn list_names(&self, prefix: &str) -> Result<Vec<String>, SyncError> {
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
    pub fn get(&self, name: &str) -> Result<Option<TemplateContent>, SyncError> {
        match self.call("GET", &template_path(name), &[], None) {
            Ok((status, body)) => {
                let t: WireTemplate = parse_body(status, &body)?;
                Ok(Some(TemplateContent {
                    subject: t.content.subject.unwrap_or_default(),
                    html: t.content.html.unwrap_or_default(),
                    text: t.content.text.unwrap_or_default(),
                }))
            }
            Err(SyncError::Provider { kind, .. }) if kind == ProviderKind::NotFound.as_str() => {
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    /// Creates a template.
    pub fn create(&self, name: &str, content: &TemplateContent) -> Result<Created, SyncError> {
        let body = template_body(Some(name), content)?;
        match self.call("POST", "/v2/email/templates", &[], Some(&body)) {
            Ok(_) => Ok(Created::Created),
            Err(SyncError::Provider { kind, .. })
                if kind == ProviderKind::AlreadyExists.as_str() =>
            {
                Ok(Created::AlreadyExists)
            }
            Err(e) => Err(e),
        }
    }

    /// Replaces a template's content.
    pub fn update(&self, name: &str, content: &TemplateContent) -> Result<Found, SyncError> {
        let body = template_body(None, content)?;
        match self.call("PUT", &template_path(name), &[], Some(&body)) {
            Ok(_) => Ok(Found::Done),
            Err(SyncError::Provider { kind, .. }) if kind == ProviderKind::NotFound.as_str() => {
                Ok(Found::NotFound)
            }
            Err(e) => Err(e),
        }
    }

    /// Deletes a template.
    pub fn delete(&self, name: &str) -> Result<Found, SyncError> {
        match self.call("DELETE", &template_path(name), &[], None) {
            Ok(_) => Ok(Found::Done),
            Err(SyncError::Provider { kind, .. }) if kind == ProviderKind::NotFound.as_str() => {
                Ok(Found::NotFound)
            }
            Err(e) => Err(e),
        }
    }

    /// SES's own rendering of a stored template with `data` (TestRenderEmailTemplate): the
    /// MIME message it would send.
    pub fn test_render(&self, name: &str, data: &serde_json::Value) -> Result<String, SyncError> {
        let body = serde_json::to_vec(&serde_json::json!({ "TemplateData": data.to_string() }))
            .map_err(|e| SyncError::Protocol(e.to_string()))?;
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

    /// One call with retries: returns status and body of a 2xx answer.
    fn call(
        &self,
        method: &str,
        path: &str,
        query: &[(String, String)],
        body: Option<&[u8]>,
    ) -> Result<(u16, String), SyncError> {
        let attempts = self.options.max_attempts.max(1);
        let mut attempt = 1;
        loop {
            match self.attempt(method, path, query, body) {
                Attempt::Done(status, text) => return Ok((status, text)),
                Attempt::Fail(e) => return Err(e),
                Attempt::Retry(e, retry_after) => {
                    if attempt >= attempts {
                        return Err(SyncError::GaveUp {
                            attempts,
                            last: Box::new(e),
                        });
                    }
                    let wait = match retry_after {
                        Some(d) => d.min(self.options.max_retry_after),
                        None => self.backoff(attempt),
                    };
                    self.retries.fetch_add(1, Ordering::Relaxed);
                    std::thread::sleep(wait);
                    attempt += 1;
                }
            }
        }
    }

    /// Exponential backoff with jitter: a random wait in [d/2, d], d = base·2^(n-1) ≤ max.
    fn backoff(&self, attempt: u32) -> Duration {
        let exp = self
            .options
            .base_backoff
            .saturating_mul(1u32 << attempt.saturating_sub(1).min(16));
        let d = exp.min(self.options.max_backoff);
        let r = {
            let mut state = self
                .rng
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            // xorshift64: enough for jitter, and reproducible from the seed.
            *state ^= *state << 13;
            *state ^= *state >> 7;
            *state ^= *state << 17;
            *state
        };
        let half = d / 2;
        let nanos = u64::try_from(half.as_nanos()).unwrap_or(u64::MAX).max(1);
        half + Duration::from_nanos(r % nanos)
    }

    fn attempt(
        &self,
        method: &str,
        path: &str,
        query: &[(String, String)],
        body: Option<&[u8]>,
    ) -> Attempt {
        let full_path = format!("{}{path}", self.base_path);
        let date = amz_date((self.clock)());
        let mut headers = vec![
            ("host".to_owned(), self.host.clone()),
            ("x-amz-date".to_owned(), date.clone()),
        ];
        if body.is_some() {
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
                method,
                path: &full_path,
                query,
                headers: &headers,
                body: body.unwrap_or_default(),
            },
        );
        let qs = canonical_query(query);
        let url = if qs.is_empty() {
            format!("{}{full_path}", self.base)
        } else {
            format!("{}{full_path}?{qs}", self.base)
        };
        let result = match (method, body) {
            ("GET", _) => with_headers(self.agent.get(&url), &headers, &auth).call(),
            ("DELETE", _) => with_headers(self.agent.delete(&url), &headers, &auth).call(),
            ("POST", b) => {
                with_headers(self.agent.post(&url), &headers, &auth).send(b.unwrap_or_default())
            }
            ("PUT", b) => {
                with_headers(self.agent.put(&url), &headers, &auth).send(b.unwrap_or_default())
            }
            _ => return Attempt::Fail(SyncError::Protocol(format!("unsupported method {method}"))),
        };
        let mut response = match result {
            Ok(r) => r,
            Err(e) => return transport_failure(method, path, e),
        };
        let status = response.status().as_u16();
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let error_type = header("x-amzn-errortype");
        let retry_after = header("retry-after")
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        let text = match response.body_mut().read_to_string() {
            Ok(t) => t,
            Err(e) => return transport_failure(method, path, e),
        };
        if (200..300).contains(&status) {
            return Attempt::Done(status, text);
        }
        let (kind, message) = classify(status, error_type.as_deref(), &text);
        let error = SyncError::Provider {
            status,
            kind: kind.as_str().to_owned(),
            message: format!("{method} {path}: {message}"),
        };
        match kind {
            ProviderKind::Throttled => Attempt::Retry(error, retry_after),
            ProviderKind::Server => Attempt::Retry(error, retry_after),
            ProviderKind::Auth => {
                Attempt::Fail(SyncError::Auth(format!("{method} {path}: {message}")))
            }
            _ => Attempt::Fail(error),
        }
    }
}

fn with_headers<B>(
    mut request: ureq::RequestBuilder<B>,
    headers: &[(String, String)],
    auth: &str,
) -> ureq::RequestBuilder<B> {
    for (k, v) in headers {
        request = request.header(k.as_str(), v.as_str());
    }
    request.header("authorization", auth)
}

fn transport_failure(method: &str, path: &str, e: ureq::Error) -> Attempt {
    let what = format!("{method} {path}");
    match e {
        ureq::Error::Timeout(t) => Attempt::Retry(SyncError::Timeout(format!("{what}: {t}")), None),
        ureq::Error::Io(io) => Attempt::Retry(SyncError::Network(format!("{what}: {io}")), None),
        ureq::Error::ConnectionFailed => Attempt::Retry(
            SyncError::Network(format!("{what}: connection failed")),
            None,
        ),
        ureq::Error::Protocol(p) => {
            Attempt::Retry(SyncError::Network(format!("{what}: {p}")), None)
        }
        ureq::Error::HostNotFound => {
            Attempt::Fail(SyncError::Network(format!("{what}: host not found")))
        }
        other => Attempt::Fail(SyncError::Network(format!("{what}: {other}"))),
    }
}

/// Provider error kinds this client tells apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProviderKind {
    /// 404 / NotFoundException.
    NotFound,
    /// AlreadyExistsException.
    AlreadyExists,
    /// 429 / TooManyRequestsException / throttling.
    Throttled,
    /// 5xx.
    Server,
    /// 401/403: credentials refused.
    Auth,
    /// Any other 4xx (bad request, limits).
    Rejected,
}

impl ProviderKind {
    /// Stable name, used as [`SyncError::Provider`]'s `kind`.
    pub fn as_str(self) -> &'static str {
        match self {
            ProviderKind::NotFound => "not-found",
            ProviderKind::AlreadyExists => "already-exists",
            ProviderKind::Throttled => "throttled",
            ProviderKind::Server => "server-error",
            ProviderKind::Auth => "auth",
            ProviderKind::Rejected => "rejected",
        }
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
    format!("/v2/email/templates/{}", super::sigv4::uri_encode(name))
}

fn template_body(name: Option<&str>, content: &TemplateContent) -> Result<Vec<u8>, SyncError> {
    let non_empty = |s: &str| (!s.is_empty()).then(|| s.to_owned());
    serde_json::to_vec(&WireTemplate {
        name: name.map(str::to_owned),
        content: WireContent {
            subject: Some(content.subject.clone()),
            html: non_empty(&content.html),
            text: non_empty(&content.text),
        },
    })
    .map_err(|e| SyncError::Protocol(e.to_string()))
}

fn parse_body<T: for<'de> Deserialize<'de>>(status: u16, body: &str) -> Result<T, SyncError> {
    serde_json::from_str(if body.trim().is_empty() { "{}" } else { body })
        .map_err(|e| SyncError::Protocol(format!("unexpected answer (HTTP {status}): {e}")))
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
        };
        let b = TemplateContent {
            subject: "a".into(),
            html: "bc".into(),
            text: String::new(),
        };
        assert_ne!(a.hash(), b.hash());
        assert_eq!(a.hash(), a.clone().hash());
    }

    #[test]
    fn backoff_grows_and_stays_bounded() {
        let client = SesClient::new(
            "http://127.0.0.1:9",
            "eu-west-1",
            Credentials {
                access_key_id: "AKID".into(),
                secret: super::super::credentials::Secret::new("s".into()),
                session_token: None,
            },
            ClientOptions::default(),
            system_clock(),
        )
        .unwrap();
        let first = client.backoff(1);
        assert!(first >= Duration::from_millis(100) && first <= Duration::from_millis(200));
        let late = client.backoff(30);
        assert!(late <= Duration::from_secs(10) && late >= Duration::from_secs(5));
        assert!(!format!("{client:?}").contains("\"s\""));
    }
}
