//! The HTTP transport every provider client shares: blocking ureq with explicit timeouts,
//! and retries with exponential backoff and jitter on timeouts, connection errors, 5xx and
//! 429 (honouring `Retry-After`, capped). What differs per provider (authentication headers,
//! how errors are told apart) comes through [`Wire`].

use crate::ProviderError;
use serde::Deserialize;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// The TLS every outbound client of the app uses: the system's OpenSSL (native-tls) and
/// the platform's root certificates.
pub fn platform_tls() -> ureq::tls::TlsConfig {
    ureq::tls::TlsConfig::builder()
        .provider(ureq::tls::TlsProvider::NativeTls)
        .root_certs(ureq::tls::RootCerts::PlatformVerifier)
        .build()
}

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

/// One request as the provider sees it, for [`Wire::headers`].
pub(crate) struct Outgoing<'a> {
    pub(crate) method: &'a str,
    /// The path with the endpoint's own path in front.
    pub(crate) full_path: &'a str,
    pub(crate) query: &'a [(String, String)],
    pub(crate) body: Option<&'a [u8]>,
}

/// The provider-specific side of a call.
pub(crate) trait Wire {
    /// Every header of the request, authentication included.
    fn headers(&self, request: &Outgoing<'_>) -> Vec<(String, String)>;
    /// The kind and message of a non-2xx answer; `header` reads a response header.
    fn classify(
        &self,
        status: u16,
        header: &dyn Fn(&str) -> Option<String>,
        body: &str,
    ) -> (ProviderKind, String);
}

enum Attempt {
    Done(u16, String),
    Retry(ProviderError, Option<Duration>),
    Fail(ProviderError),
}

/// An HTTP client for one provider endpoint.
pub(crate) struct Http {
    agent: ureq::Agent,
    /// Scheme and host (`https://api.postmarkapp.com`).
    base: String,
    host: String,
    /// The endpoint's own path (`/proxy`), without a trailing slash.
    base_path: String,
    options: ClientOptions,
    rng: Mutex<u64>,
    retries: AtomicUsize,
}

impl std::fmt::Debug for Http {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Http")
            .field("base", &self.base)
            .field("base_path", &self.base_path)
            .finish_non_exhaustive()
    }
}

impl Http {
    /// A client for `endpoint` (`https://email.eu-west-1.amazonaws.com`).
    pub(crate) fn new(endpoint: &str, options: ClientOptions) -> Result<Http, ProviderError> {
        let rest = endpoint
            .strip_prefix("https://")
            .or_else(|| endpoint.strip_prefix("http://"))
            .ok_or_else(|| {
                ProviderError::Endpoint(format!("endpoint `{endpoint}` is not an http(s) URL"))
            })?;
        let (host, path) = match rest.find('/') {
            Some(i) => (&rest[..i], rest[i..].trim_end_matches('/')),
            None => (rest, ""),
        };
        let tls = platform_tls();
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
        Ok(Http {
            agent,
            base: format!("{}{host}", &endpoint[..endpoint.len() - rest.len()]),
            host: host.to_owned(),
            base_path: path.to_owned(),
            options,
            rng: Mutex::new(seed),
            retries: AtomicUsize::new(0),
        })
    }

    /// The endpoint's host (and port).
    pub(crate) fn host(&self) -> &str {
        &self.host
    }

    /// Concurrent reads while planning.
    pub(crate) fn read_concurrency(&self) -> usize {
        self.options.read_concurrency
    }

    /// Attempts retried so far by this client.
    pub(crate) fn retries(&self) -> usize {
        self.retries.load(Ordering::Relaxed)
    }

    /// One call with retries: returns status and body of a 2xx answer.
    pub(crate) fn call(
        &self,
        wire: &dyn Wire,
        method: &str,
        path: &str,
        query: &[(String, String)],
        body: Option<&[u8]>,
    ) -> Result<(u16, String), ProviderError> {
        let attempts = self.options.max_attempts.max(1);
        let mut attempt = 1;
        loop {
            match self.attempt(wire, method, path, query, body) {
                Attempt::Done(status, text) => return Ok((status, text)),
                Attempt::Fail(e) => return Err(e),
                Attempt::Retry(e, retry_after) => {
                    if attempt >= attempts {
                        return Err(ProviderError::GaveUp {
                            attempts,
                            last: Box::new(e),
                            retry_after,
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
        wire: &dyn Wire,
        method: &str,
        path: &str,
        query: &[(String, String)],
        body: Option<&[u8]>,
    ) -> Attempt {
        let full_path = format!("{}{path}", self.base_path);
        let headers = wire.headers(&Outgoing {
            method,
            full_path: &full_path,
            query,
            body,
        });
        let qs = crate::sigv4::canonical_query(query);
        let url = if qs.is_empty() {
            format!("{}{full_path}", self.base)
        } else {
            format!("{}{full_path}?{qs}", self.base)
        };
        let result = match (method, body) {
            ("GET", _) => with_headers(self.agent.get(&url), &headers).call(),
            ("DELETE", _) => with_headers(self.agent.delete(&url), &headers).call(),
            ("POST", b) => {
                with_headers(self.agent.post(&url), &headers).send(b.unwrap_or_default())
            }
            ("PUT", b) => with_headers(self.agent.put(&url), &headers).send(b.unwrap_or_default()),
            _ => {
                return Attempt::Fail(ProviderError::Protocol(format!(
                    "unsupported method {method}"
                )));
            }
        };
        let (head, mut body) = match result {
            Ok(r) => r.into_parts(),
            Err(e) => return transport_failure(method, path, e),
        };
        let status = head.status.as_u16();
        let header = |name: &str| {
            head.headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let retry_after = header("retry-after")
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        let text = match body.read_to_string() {
            Ok(t) => t,
            Err(e) => return transport_failure(method, path, e),
        };
        if (200..300).contains(&status) {
            return Attempt::Done(status, text);
        }
        let (kind, message) = wire.classify(status, &header, &text);
        let error = ProviderError::ErrorAnswer {
            status,
            kind,
            message: format!("{method} {path}: {message}"),
        };
        match kind {
            ProviderKind::Throttled => Attempt::Retry(error, retry_after),
            ProviderKind::Server => Attempt::Retry(error, retry_after),
            ProviderKind::Auth => {
                Attempt::Fail(ProviderError::Auth(format!("{method} {path}: {message}")))
            }
            _ => Attempt::Fail(error),
        }
    }
}

fn with_headers<B>(
    mut request: ureq::RequestBuilder<B>,
    headers: &[(String, String)],
) -> ureq::RequestBuilder<B> {
    for (k, v) in headers {
        request = request.header(k.as_str(), v.as_str());
    }
    request
}

fn transport_failure(method: &str, path: &str, e: ureq::Error) -> Attempt {
    let what = format!("{method} {path}");
    match e {
        ureq::Error::Timeout(t) => {
            Attempt::Retry(ProviderError::Timeout(format!("{what}: {t}")), None)
        }
        ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => {
            Attempt::Retry(ProviderError::Unreachable(format!("{what}: {io}")), None)
        }
        ureq::Error::Io(io) => {
            Attempt::Retry(ProviderError::Network(format!("{what}: {io}")), None)
        }
        ureq::Error::ConnectionFailed => Attempt::Retry(
            ProviderError::Unreachable(format!("{what}: connection failed")),
            None,
        ),
        ureq::Error::Protocol(p) => {
            Attempt::Retry(ProviderError::Network(format!("{what}: {p}")), None)
        }
        ureq::Error::HostNotFound => {
            Attempt::Fail(ProviderError::Network(format!("{what}: host not found")))
        }
        other => Attempt::Fail(ProviderError::Network(format!("{what}: {other}"))),
    }
}

/// Provider error kinds the clients tell apart.
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
    /// Stable name, as [`ProviderError::ErrorAnswer`] prints its `kind`.
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

impl std::fmt::Display for ProviderKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Parses a JSON answer (an empty body reads as `{}`).
pub(crate) fn parse_body<T: for<'de> Deserialize<'de>>(
    status: u16,
    body: &str,
) -> Result<T, ProviderError> {
    serde_json::from_str(if body.trim().is_empty() { "{}" } else { body })
        .map_err(|e| ProviderError::Protocol(format!("unexpected answer (HTTP {status}): {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_stays_bounded() {
        let http = Http::new("http://127.0.0.1:9", ClientOptions::default()).unwrap();
        let first = http.backoff(1);
        assert!(first >= Duration::from_millis(100) && first <= Duration::from_millis(200));
        let late = http.backoff(30);
        assert!(late <= Duration::from_secs(10) && late >= Duration::from_secs(5));
    }
}
