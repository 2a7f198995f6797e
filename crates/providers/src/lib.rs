//! Sending services' template stores, behind [`RemoteTemplates`]: Amazon SES v2 ([`ses`],
//! SigV4 signed by hand in [`sigv4`]) and Postmark ([`postmark`]), on one HTTP transport
//! with timeouts and retries ([`http`]), with their credentials ([`credentials`]: the OS
//! keychain, the CI environment override, a redacting [`Secret`]).
//!
//! A next provider is one more module beside these: a client holding an `http::Http`
//! transport, its headers and error classification through `http::Wire`, and an
//! implementation of [`RemoteTemplates`]. Plan, apply and the sync state live in the studio, which knows
//! nothing of any provider's wire format. Errors are [`ProviderError`]; none holds a secret.

pub mod credentials;
pub mod http;
pub mod postmark;
pub mod remote;
pub mod ses;
pub mod sigv4;

pub use credentials::{
    AwsCredentials, CredentialSource, CredentialStore, Credentials, ENV_ACCESS_KEY_ID,
    ENV_POSTMARK_SERVER_TOKEN, ENV_SECRET_ACCESS_KEY, ENV_SESSION_TOKEN, ENV_SMTP_PASSWORD,
    EnvOverride, Keychain, MemorySmtpPasswords, MemoryStore, Secret, SmtpKeychain, SmtpPasswords,
    credentials_from_env, env_variables, key_id_hint, smtp_account,
};
pub use http::{ClientOptions, Clock, ProviderKind, system_clock};
pub use postmark::{OutgoingEmail, PostmarkClient};
pub use remote::{Created, Found, RemoteTemplates, TemplateContent};
pub use ses::SesClient;

use letterpress_protocol::{Coded, IpcCode};

/// What can go wrong talking to a provider or reading its credentials. Messages never hold
/// a secret. Codes are stable (CLI `error[code]`, IPC) and shared with the studio's
/// `SyncError`, which wraps this type.
#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    /// The target's endpoint cannot be used (not an http(s) URL).
    #[error("{0}")]
    Endpoint(String),
    /// Credentials of the wrong shape, or for another provider.
    #[error("invalid credentials: {0}")]
    InvalidCredentials(String),
    /// There is no OS keychain to use.
    #[error("{0}")]
    NoKeychain(String),
    /// The keychain refused or failed.
    #[error("keychain: {0}")]
    Keychain(String),
    /// The provider refused our credentials.
    #[error("the provider refused the credentials: {0}")]
    Auth(String),
    /// The provider answered with an error.
    #[error("provider error ({kind}, HTTP {status}): {message}")]
    ErrorAnswer {
        /// HTTP status.
        status: u16,
        /// What kind of refusal it was.
        kind: ProviderKind,
        /// The provider's message.
        message: String,
    },
    /// A timeout.
    #[error("timed out: {0}")]
    Timeout(String),
    /// A connection problem.
    #[error("network: {0}")]
    Network(String),
    /// The connection could not be made: the request never reached the provider (safe to
    /// send again).
    #[error("network: {0}")]
    Unreachable(String),
    /// Retries exhausted.
    #[error("gave up after {attempts} attempts: {last}")]
    GaveUp {
        /// Attempts made.
        attempts: u32,
        /// The last failure.
        last: Box<ProviderError>,
        /// The last answer's `Retry-After`, when it had one.
        retry_after: Option<std::time::Duration>,
    },
    /// The provider's answer made no sense.
    #[error("unexpected provider answer: {0}")]
    Protocol(String),
}

impl ProviderError {
    /// A stable code for the error (CLI `error[code]`, IPC); never renamed.
    pub fn code(&self) -> IpcCode {
        match self {
            ProviderError::Endpoint(_) => IpcCode::InvalidConfig,
            ProviderError::InvalidCredentials(_) => IpcCode::InvalidCredentials,
            ProviderError::NoKeychain(_) => IpcCode::NoKeychain,
            ProviderError::Keychain(_) => IpcCode::Keychain,
            ProviderError::Auth(_) => IpcCode::Auth,
            ProviderError::ErrorAnswer { .. } => IpcCode::Provider,
            ProviderError::Timeout(_) => IpcCode::Timeout,
            ProviderError::Network(_) | ProviderError::Unreachable(_) => IpcCode::Network,
            ProviderError::GaveUp { .. } => IpcCode::GaveUp,
            ProviderError::Protocol(_) => IpcCode::Protocol,
        }
    }

    /// Whether this is a provider answer of `kind`.
    pub fn is_answer(&self, kind: ProviderKind) -> bool {
        matches!(self, ProviderError::ErrorAnswer { kind: k, .. } if *k == kind)
    }
}

impl Coded for ProviderError {
    fn code(&self) -> IpcCode {
        ProviderError::code(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The codes and messages users see were `SyncError`'s before this crate existed; they
    /// must not change.
    #[test]
    fn codes_and_messages_stay_as_they_were() {
        let answer = ProviderError::ErrorAnswer {
            status: 404,
            kind: ProviderKind::NotFound,
            message: "GET /x: gone".into(),
        };
        assert_eq!(answer.code(), "provider");
        assert_eq!(
            answer.to_string(),
            "provider error (not-found, HTTP 404): GET /x: gone"
        );
        let gave_up = ProviderError::GaveUp {
            attempts: 3,
            last: Box::new(ProviderError::Timeout("GET /x: slow".into())),
            retry_after: None,
        };
        assert_eq!(gave_up.code(), "gave-up");
        assert_eq!(
            gave_up.to_string(),
            "gave up after 3 attempts: timed out: GET /x: slow"
        );
        let cases = [
            (ProviderError::Endpoint("e".into()), "invalid-config", "e"),
            (
                ProviderError::InvalidCredentials("c".into()),
                "invalid-credentials",
                "invalid credentials: c",
            ),
            (ProviderError::NoKeychain("k".into()), "no-keychain", "k"),
            (
                ProviderError::Keychain("k".into()),
                "keychain",
                "keychain: k",
            ),
            (
                ProviderError::Auth("a".into()),
                "auth",
                "the provider refused the credentials: a",
            ),
            (ProviderError::Network("n".into()), "network", "network: n"),
            (
                ProviderError::Protocol("p".into()),
                "protocol",
                "unexpected provider answer: p",
            ),
        ];
        for (error, code, message) in cases {
            assert_eq!(error.code(), code);
            assert_eq!(error.to_string(), message);
        }
    }
}
