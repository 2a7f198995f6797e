//! Remote images for the preview, fetched by the app, never by the webview.
//!
//! The preview's webview loads nothing from the network (its CSP allows `data:` images only).
//! When a user turns on "load remote images" for a project, the app fetches the email's
//! `http(s)` images itself and shows them as `data:` URIs:
//! - `http` and `https` only; no cookies are kept or sent (the client has no cookie store)
//!   and no credentials; at most [`RemoteImageLimits::redirects`] redirects;
//! - bounded: [`RemoteImageLimits::connect_timeout`] to connect and
//!   [`RemoteImageLimits::total_timeout`] for the whole answer, at most
//!   [`RemoteImageLimits::max_bytes`] per image, at most [`RemoteImageLimits::per_call`]
//!   images per call (8 at once), only `image/*` answers (by their bytes, not their header);
//! - cached for the session (answers and failures), up to [`RemoteImageLimits::cache_bytes`].
//!
//! Whether a project allows it is the user's choice on this computer
//! ([`crate::local_state::LocalState::remote_images_allowed`]), never a file of the project.

use base64::Engine as _;
use std::collections::BTreeMap;
use std::io::Read;
use std::sync::Mutex;
use std::time::Duration;

/// Images fetched at once.
const FETCH_THREADS: usize = 8;

/// The bounds of remote image fetching.
#[derive(Debug, Clone, Copy)]
pub struct RemoteImageLimits {
    /// Connecting (TCP + TLS).
    pub connect_timeout: Duration,
    /// Everything, from connecting to the last byte.
    pub total_timeout: Duration,
    /// Largest image.
    pub max_bytes: u64,
    /// Images fetched per call (the rest are left out).
    pub per_call: usize,
    /// Redirects followed.
    pub redirects: u32,
    /// Bytes of `data:` URIs kept in the cache.
    pub cache_bytes: usize,
}

impl Default for RemoteImageLimits {
    fn default() -> Self {
        RemoteImageLimits {
            connect_timeout: Duration::from_secs(5),
            total_timeout: Duration::from_secs(10),
            max_bytes: 5 * 1024 * 1024,
            per_call: 64,
            redirects: 3,
            cache_bytes: 64 * 1024 * 1024,
        }
    }
}

/// Why a remote image is not shown.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RemoteImageError {
    /// Not an `http(s)` URL.
    #[error("only http and https images are loaded")]
    Scheme,
    /// The server answered with an error status.
    #[error("the server answered {0}")]
    Status(u16),
    /// More bytes than the limit.
    #[error("larger than {0} bytes")]
    TooLarge(u64),
    /// The bytes are no image the preview shows.
    #[error("not an image (PNG, JPEG, GIF, WebP or SVG)")]
    NotAnImage,
    /// Connecting, reading or a timeout failed.
    #[error("{0}")]
    Transport(String),
}

/// Fetched images of one session: the client and the cache.
pub struct RemoteImages {
    agent: ureq::Agent,
    limits: RemoteImageLimits,
    cache: Mutex<Cache>,
}

#[derive(Default)]
struct Cache {
    answers: BTreeMap<String, Result<String, RemoteImageError>>,
    bytes: usize,
}

impl std::fmt::Debug for RemoteImages {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RemoteImages")
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

impl Default for RemoteImages {
    fn default() -> Self {
        RemoteImages::new(RemoteImageLimits::default())
    }
}

/// What one call fetched: shown images as `data:` URIs, and why the others are not shown.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FetchedImages {
    /// URL → `data:` URI.
    pub images: BTreeMap<String, String>,
    /// URL → why it is not shown.
    pub failed: BTreeMap<String, String>,
}

impl RemoteImages {
    /// A client with `limits` and an empty cache.
    pub fn new(limits: RemoteImageLimits) -> RemoteImages {
        let tls = letterpress_providers::http::platform_tls();
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(limits.redirects)
            .timeout_connect(Some(limits.connect_timeout))
            .timeout_global(Some(limits.total_timeout))
            .tls_config(tls)
            .user_agent(concat!("letterpress-preview/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        RemoteImages {
            agent,
            limits,
            cache: Mutex::new(Cache::default()),
        }
    }

    /// The images of `urls` (the first [`RemoteImageLimits::per_call`] distinct ones), from
    /// the cache or fetched in parallel.
    pub fn fetch(&self, urls: &[String]) -> FetchedImages {
        let mut wanted: Vec<&String> = urls.iter().collect();
        wanted.sort();
        wanted.dedup();
        wanted.truncate(self.limits.per_call);
        let missing: Vec<&String> = {
            let cache = self.lock();
            wanted
                .iter()
                .copied()
                .filter(|u| !cache.answers.contains_key(u.as_str()))
                .collect()
        };
        // Network waits, not CPU: up to FETCH_THREADS at once whatever the core count, so
        // 64 slow servers cost about 64 / FETCH_THREADS timeouts, not 64 / cores.
        let next = std::sync::atomic::AtomicUsize::new(0);
        let fetched: Mutex<Vec<(String, Result<String, RemoteImageError>)>> = Mutex::default();
        std::thread::scope(|scope| {
            for _ in 0..FETCH_THREADS.min(missing.len()) {
                scope.spawn(|| {
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(url) = missing.get(i) else { break };
                        let answer = self.fetch_one(url);
                        fetched
                            .lock()
                            .unwrap_or_else(std::sync::PoisonError::into_inner)
                            .push(((*url).clone(), answer));
                    }
                });
            }
        });
        let fetched = fetched
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut cache = self.lock();
        for (url, answer) in fetched {
            let size = answer.as_ref().map_or(0, String::len);
            if cache.bytes + size <= self.limits.cache_bytes {
                cache.bytes += size;
                cache.answers.insert(url, answer);
            }
        }
        let mut out = FetchedImages::default();
        for url in wanted {
            match cache.answers.get(url.as_str()) {
                Some(Ok(data)) => {
                    out.images.insert(url.clone(), data.clone());
                }
                Some(Err(e)) => {
                    out.failed.insert(url.clone(), e.to_string());
                }
                None => {
                    out.failed
                        .insert(url.clone(), "not cached: the image cache is full".into());
                }
            }
        }
        out
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Cache> {
        self.cache
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn fetch_one(&self, url: &str) -> Result<String, RemoteImageError> {
        let lower = url.to_ascii_lowercase();
        if !(lower.starts_with("https://") || lower.starts_with("http://")) {
            return Err(RemoteImageError::Scheme);
        }
        let response = self
            .agent
            .get(url)
            .header("Accept", "image/*")
            .call()
            .map_err(|e| RemoteImageError::Transport(e.to_string()))?;
        let status = response.status().as_u16();
        if !(200..300).contains(&status) {
            return Err(RemoteImageError::Status(status));
        }
        let limit = self.limits.max_bytes;
        let mut bytes = Vec::new();
        response
            .into_body()
            .into_reader()
            .take(limit + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| RemoteImageError::Transport(e.to_string()))?;
        if bytes.len() as u64 > limit {
            return Err(RemoteImageError::TooLarge(limit));
        }
        let mime = sniff_image(&bytes).ok_or(RemoteImageError::NotAnImage)?;
        Ok(format!(
            "data:{mime};base64,{}",
            base64::engine::general_purpose::STANDARD.encode(&bytes)
        ))
    }
}

/// The image type of `bytes` by their signature (what the server claims is not trusted).
pub fn sniff_image(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some("image/gif")
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else {
        let head = String::from_utf8_lossy(&bytes[..bytes.len().min(512)]).to_ascii_lowercase();
        let head = head.trim_start_matches('\u{feff}').trim_start();
        (head.starts_with("<svg") || (head.starts_with("<?xml") && head.contains("<svg")))
            .then_some("image/svg+xml")
    }
}
