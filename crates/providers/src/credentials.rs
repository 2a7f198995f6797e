//! Provider credentials: a redacting [`Secret`], the [`CredentialStore`] trait (tests inject
//! their own), the OS keychain, and the environment-variable override for CI.
//! There is no plaintext fallback: without a keychain, the error says so.

use crate::ProviderError;
use letterpress_engine::Provider;
use std::fmt;

/// Environment variable with the access key id (CI override of the keychain).
pub const ENV_ACCESS_KEY_ID: &str = "LETTERPRESS_AWS_ACCESS_KEY_ID";
/// Environment variable with the secret access key (CI override of the keychain).
pub const ENV_SECRET_ACCESS_KEY: &str = "LETTERPRESS_AWS_SECRET_ACCESS_KEY";
/// Optional environment variable with a session token (temporary credentials).
pub const ENV_SESSION_TOKEN: &str = "LETTERPRESS_AWS_SESSION_TOKEN";
/// Environment variable with a Postmark Server API token (CI override of the keychain).
pub const ENV_POSTMARK_SERVER_TOKEN: &str = "LETTERPRESS_POSTMARK_SERVER_TOKEN";

/// First line of a keychain entry that holds a Postmark token (an AWS key id has no `-`).
const POSTMARK_ENTRY: &str = "postmark-server-token";

/// Keychain service name of every Letterpress credential.
pub const KEYCHAIN_SERVICE: &str = "letterpress";

/// A secret value. Its `Debug` prints `Secret(***)`; it has no `Display` and no `Serialize`,
/// so it cannot reach logs, errors, SQLite or IPC by accident. Read it with [`Secret::expose`].
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret.
    pub fn new(value: String) -> Secret {
        Secret(value)
    }

    /// The secret itself, for signing only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// Where credentials came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CredentialSource {
    /// `LETTERPRESS_AWS_*` environment variables.
    Environment,
    /// The OS keychain.
    Keychain,
    /// Given by the caller (tests, the app holding them for a moment).
    Injected,
}

impl CredentialSource {
    /// The stable name (`environment`, `keychain`, `injected`).
    pub fn as_str(self) -> &'static str {
        match self {
            CredentialSource::Environment => "environment",
            CredentialSource::Keychain => "keychain",
            CredentialSource::Injected => "injected",
        }
    }

    /// The same, as the UI and the CLI report it.
    pub fn origin(self) -> letterpress_protocol::sync::CredentialOrigin {
        use letterpress_protocol::sync::CredentialOrigin;
        match self {
            CredentialSource::Environment => CredentialOrigin::Environment,
            CredentialSource::Keychain => CredentialOrigin::Keychain,
            CredentialSource::Injected => CredentialOrigin::Injected,
        }
    }
}

/// A target's credentials, by provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credentials {
    /// Amazon SES: an access key pair.
    Aws(AwsCredentials),
    /// Postmark: a Server API token (it also chooses the Postmark server).
    PostmarkServerToken(Secret),
}

impl Credentials {
    /// Credentials for `provider` as a form gives them: a key id and a secret for SES, a
    /// token (`secret`; `key_id` unused) for Postmark. Surrounding spaces are dropped.
    pub fn from_form(provider: Provider, key_id: &str, secret: Secret) -> Credentials {
        let secret = Secret::new(secret.expose().trim().to_owned());
        match provider {
            Provider::Ses => Credentials::Aws(AwsCredentials {
                access_key_id: key_id.trim().to_owned(),
                secret,
                session_token: None,
            }),
            Provider::Postmark => Credentials::PostmarkServerToken(secret),
        }
    }

    /// The provider these credentials are for.
    pub fn provider(&self) -> Provider {
        match self {
            Credentials::Aws(_) => Provider::Ses,
            Credentials::PostmarkServerToken(_) => Provider::Postmark,
        }
    }

    /// Checks the shape (see [`AwsCredentials::validate`]; a token is 8–256 characters
    /// without spaces).
    pub fn validate(&self) -> Result<(), ProviderError> {
        match self {
            Credentials::Aws(aws) => aws.validate(),
            Credentials::PostmarkServerToken(token) => {
                let t = token.expose();
                if (8..=256).contains(&t.len()) && !t.chars().any(char::is_whitespace) {
                    Ok(())
                } else {
                    Err(ProviderError::InvalidCredentials(
                        "a Postmark Server API token is 8–256 characters without spaces".into(),
                    ))
                }
            }
        }
    }

    /// What may be shown of them: the key id or the token with all but four characters
    /// masked.
    pub fn hint(&self) -> String {
        match self {
            Credentials::Aws(aws) => key_id_hint(&aws.access_key_id),
            Credentials::PostmarkServerToken(token) => {
                let tail: String = {
                    let chars: Vec<char> = token.expose().chars().collect();
                    chars[chars.len().saturating_sub(4)..].iter().collect()
                };
                format!("token ****{tail}")
            }
        }
    }
}

/// AWS-style credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwsCredentials {
    /// Access key id (not secret, but shown masked: [`key_id_hint`]).
    pub access_key_id: String,
    /// Secret access key.
    pub secret: Secret,
    /// Session token for temporary credentials.
    pub session_token: Option<Secret>,
}

impl AwsCredentials {
    /// Checks the shape: a key id of letters and digits, a non-empty secret without spaces.
    pub fn validate(&self) -> Result<(), ProviderError> {
        let id_ok = (4..=128).contains(&self.access_key_id.len())
            && self
                .access_key_id
                .chars()
                .all(|c| c.is_ascii_alphanumeric());
        let secret_ok = !self.secret.expose().is_empty()
            && !self.secret.expose().chars().any(char::is_whitespace);
        if id_ok && secret_ok {
            Ok(())
        } else {
            Err(ProviderError::InvalidCredentials(
                "an access key id is 4–128 letters or digits and the secret may not be empty \
                 or hold spaces"
                    .into(),
            ))
        }
    }
}

/// The key id with all but its last four characters masked (`****MPLE`).
pub fn key_id_hint(access_key_id: &str) -> String {
    let chars: Vec<char> = access_key_id.chars().collect();
    let keep = chars.len().min(4);
    let tail: String = chars[chars.len() - keep..].iter().collect();
    format!("{}{tail}", "*".repeat(chars.len() - keep))
}

/// Where credentials are kept. `account` is `<project name>/<target>`.
pub trait CredentialStore: Send + Sync {
    /// The credentials for `account` (a target of `provider`), if any, and where they came
    /// from.
    fn get(
        &self,
        account: &str,
        provider: Provider,
    ) -> Result<Option<(Credentials, CredentialSource)>, ProviderError>;
    /// Stores credentials for `account`.
    fn set(&self, account: &str, credentials: &Credentials) -> Result<(), ProviderError>;
}

/// The OS keychain (macOS Keychain, Windows Credential Manager, Secret Service on Linux).
#[derive(Debug, Default, Clone, Copy)]
pub struct Keychain;

/// The environment variables that provide `provider`'s credentials, in words.
pub fn env_variables(provider: Provider) -> &'static str {
    match provider {
        Provider::Ses => "LETTERPRESS_AWS_ACCESS_KEY_ID and LETTERPRESS_AWS_SECRET_ACCESS_KEY",
        Provider::Postmark => ENV_POSTMARK_SERVER_TOKEN,
    }
}

/// A keychain failure; without a keychain the message names `provider`'s variables for CI.
fn keychain_error(e: keyring::Error, provider: Provider) -> ProviderError {
    match e {
        keyring::Error::PlatformFailure(inner) | keyring::Error::NoStorageAccess(inner) => {
            ProviderError::NoKeychain(format!(
                "no OS keychain is available ({inner}); on Linux a Secret Service (GNOME \
                 Keyring, KWallet) must run on the session D-Bus. For CI set {} instead. \
                 Letterpress never stores credentials in a plain file.",
                env_variables(provider)
            ))
        }
        other => ProviderError::Keychain(other.to_string()),
    }
}

impl CredentialStore for Keychain {
    fn get(
        &self,
        account: &str,
        provider: Provider,
    ) -> Result<Option<(Credentials, CredentialSource)>, ProviderError> {
        let failed = |e| keychain_error(e, provider);
        let entry = keyring::Entry::new(KEYCHAIN_SERVICE, account).map_err(failed)?;
        match entry.get_password() {
            Ok(stored) => {
                let (id, secret) = stored.split_once('\n').ok_or_else(|| {
                    ProviderError::Keychain(format!(
                        "the keychain entry for `{account}` is not in Letterpress's format; set it \
                         again with `letterpress auth set`"
                    ))
                })?;
                let credentials = if id == POSTMARK_ENTRY {
                    Credentials::PostmarkServerToken(Secret::new(secret.to_owned()))
                } else {
                    Credentials::Aws(AwsCredentials {
                        access_key_id: id.to_owned(),
                        secret: Secret::new(secret.to_owned()),
                        session_token: None,
                    })
                };
                Ok(Some((credentials, CredentialSource::Keychain)))
            }
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(failed(e)),
        }
    }

    fn set(&self, account: &str, credentials: &Credentials) -> Result<(), ProviderError> {
        credentials.validate()?;
        let failed = |e| keychain_error(e, credentials.provider());
        let entry = keyring::Entry::new(KEYCHAIN_SERVICE, account).map_err(failed)?;
        let stored = match credentials {
            Credentials::Aws(aws) => format!("{}\n{}", aws.access_key_id, aws.secret.expose()),
            Credentials::PostmarkServerToken(token) => {
                format!("{POSTMARK_ENTRY}\n{}", token.expose())
            }
        };
        entry.set_password(&stored).map_err(failed)
    }
}

/// Credentials from the environment, read through `lookup` (the process environment in
/// the CLI and the app; a map in tests): `LETTERPRESS_AWS_*` (both id and secret, or none)
/// and `LETTERPRESS_POSTMARK_SERVER_TOKEN`.
pub fn credentials_from_env(
    lookup: impl Fn(&str) -> Option<String>,
) -> Result<Vec<Credentials>, ProviderError> {
    let mut found = Vec::new();
    let id = lookup(ENV_ACCESS_KEY_ID).filter(|v| !v.is_empty());
    let secret = lookup(ENV_SECRET_ACCESS_KEY).filter(|v| !v.is_empty());
    match (id, secret) {
        (Some(id), Some(secret)) => {
            let credentials = AwsCredentials {
                access_key_id: id,
                secret: Secret::new(secret),
                session_token: lookup(ENV_SESSION_TOKEN)
                    .filter(|v| !v.is_empty())
                    .map(Secret::new),
            };
            credentials.validate()?;
            found.push(Credentials::Aws(credentials));
        }
        (None, None) => {}
        _ => {
            return Err(ProviderError::InvalidCredentials(format!(
                "set both {ENV_ACCESS_KEY_ID} and {ENV_SECRET_ACCESS_KEY}, or neither"
            )));
        }
    }
    if let Some(token) = lookup(ENV_POSTMARK_SERVER_TOKEN).filter(|v| !v.is_empty()) {
        let credentials = Credentials::PostmarkServerToken(Secret::new(token));
        credentials.validate()?;
        found.push(credentials);
    }
    Ok(found)
}

/// The environment override in front of another store: `get` prefers the variables of the
/// target's provider, `set` always writes to the inner store.
pub struct EnvOverride<S> {
    env: Vec<Credentials>,
    inner: S,
}

impl<S: CredentialStore> EnvOverride<S> {
    /// `env` from [`credentials_from_env`].
    pub fn new(env: Vec<Credentials>, inner: S) -> EnvOverride<S> {
        EnvOverride { env, inner }
    }
}

impl<S: CredentialStore> CredentialStore for EnvOverride<S> {
    fn get(
        &self,
        account: &str,
        provider: Provider,
    ) -> Result<Option<(Credentials, CredentialSource)>, ProviderError> {
        match self.env.iter().find(|c| c.provider() == provider) {
            Some(c) => Ok(Some((c.clone(), CredentialSource::Environment))),
            None => self.inner.get(account, provider),
        }
    }

    fn set(&self, account: &str, credentials: &Credentials) -> Result<(), ProviderError> {
        self.inner.set(account, credentials)
    }
}

/// Environment variable with the SMTP password of test sends (CI override of the keychain).
pub const ENV_SMTP_PASSWORD: &str = "LETTERPRESS_SMTP_PASSWORD";

/// First line of a keychain entry that holds an SMTP password.
const SMTP_ENTRY: &str = "smtp-password";

/// The keychain account of an SMTP login: `smtp:<user>@<host>:<port>`.
pub fn smtp_account(user: &str, host: &str, port: u16) -> String {
    format!("smtp:{user}@{host}:{port}")
}

/// Where SMTP passwords are kept: [`SmtpKeychain`], or a map in tests.
pub trait SmtpPasswords: Send + Sync {
    /// The password of `account` ([`smtp_account`]), if any, and where it came from.
    fn get(&self, account: &str) -> Result<Option<(Secret, CredentialSource)>, ProviderError>;
}

/// SMTP passwords: `LETTERPRESS_SMTP_PASSWORD` when set (read through `env`), else the OS
/// keychain. Never a file.
pub struct SmtpKeychain<F> {
    env: F,
}

impl<F: Fn(&str) -> Option<String> + Send + Sync> SmtpKeychain<F> {
    /// `env` reads an environment variable (the process environment outside tests).
    pub fn new(env: F) -> SmtpKeychain<F> {
        SmtpKeychain { env }
    }

    /// Stores `password` for `account` in the OS keychain.
    pub fn set(&self, account: &str, password: &Secret) -> Result<(), ProviderError> {
        if password.expose().is_empty() {
            return Err(ProviderError::InvalidCredentials(
                "the SMTP password is empty".into(),
            ));
        }
        let entry = keyring::Entry::new(KEYCHAIN_SERVICE, account).map_err(smtp_keychain_error)?;
        entry
            .set_password(&format!("{SMTP_ENTRY}\n{}", password.expose()))
            .map_err(smtp_keychain_error)
    }
}

impl<F: Fn(&str) -> Option<String> + Send + Sync> SmtpPasswords for SmtpKeychain<F> {
    fn get(&self, account: &str) -> Result<Option<(Secret, CredentialSource)>, ProviderError> {
        if let Some(p) = (self.env)(ENV_SMTP_PASSWORD).filter(|p| !p.is_empty()) {
            return Ok(Some((Secret::new(p), CredentialSource::Environment)));
        }
        let entry = keyring::Entry::new(KEYCHAIN_SERVICE, account).map_err(smtp_keychain_error)?;
        match entry.get_password() {
            Ok(stored) => match stored.split_once('\n') {
                Some((SMTP_ENTRY, secret)) => Ok(Some((
                    Secret::new(secret.to_owned()),
                    CredentialSource::Keychain,
                ))),
                _ => Err(ProviderError::Keychain(format!(
                    "the keychain entry for `{account}` is not an SMTP password; set it again \
                     with `letterpress auth set-smtp`"
                ))),
            },
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(smtp_keychain_error(e)),
        }
    }
}

/// SMTP passwords held in memory (tests).
#[derive(Default)]
pub struct MemorySmtpPasswords(pub std::collections::HashMap<String, Secret>);

impl SmtpPasswords for MemorySmtpPasswords {
    fn get(&self, account: &str) -> Result<Option<(Secret, CredentialSource)>, ProviderError> {
        Ok(self
            .0
            .get(account)
            .cloned()
            .map(|s| (s, CredentialSource::Injected)))
    }
}

fn smtp_keychain_error(e: keyring::Error) -> ProviderError {
    match e {
        keyring::Error::PlatformFailure(inner) | keyring::Error::NoStorageAccess(inner) => {
            ProviderError::NoKeychain(format!(
                "no OS keychain is available ({inner}); on Linux a Secret Service (GNOME \
                 Keyring, KWallet) must run on the session D-Bus. For CI set \
                 {ENV_SMTP_PASSWORD} instead. Letterpress never stores credentials in a plain \
                 file."
            ))
        }
        other => ProviderError::Keychain(other.to_string()),
    }
}

/// Credentials held in memory (tests, or the app passing what the user just typed).
#[derive(Default)]
pub struct MemoryStore {
    entries: std::sync::Mutex<std::collections::HashMap<String, Credentials>>,
}

impl MemoryStore {
    /// A store where every account has `credentials`.
    pub fn with(account: &str, credentials: Credentials) -> MemoryStore {
        let store = MemoryStore::default();
        store
            .entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(account.to_owned(), credentials);
        store
    }
}

impl CredentialStore for MemoryStore {
    fn get(
        &self,
        account: &str,
        _provider: Provider,
    ) -> Result<Option<(Credentials, CredentialSource)>, ProviderError> {
        Ok(self
            .entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(account)
            .cloned()
            .map(|c| (c, CredentialSource::Injected)))
    }

    fn set(&self, account: &str, credentials: &Credentials) -> Result<(), ProviderError> {
        credentials.validate()?;
        self.entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(account.to_owned(), credentials.clone());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn creds() -> Credentials {
        Credentials::Aws(AwsCredentials {
            access_key_id: "AKIAEXAMPLE1234".into(),
            secret: Secret::new("very/secret+value".into()),
            session_token: Some(Secret::new("token-value".into())),
        })
    }

    #[test]
    fn secrets_never_show_in_debug_output() {
        let text = format!("{:?} {:#?}", creds(), creds());
        assert!(!text.contains("very/secret"), "{text}");
        assert!(!text.contains("token-value"), "{text}");
        assert!(text.contains("Secret(***)"));
        assert_eq!(key_id_hint("AKIAEXAMPLE1234"), "***********1234");
        assert_eq!(key_id_hint("ab"), "ab");
        let token = Credentials::PostmarkServerToken(Secret::new(
            "7b3f41f4-5d1c-4a43-9c21-1f2e3d4c5b6a".into(),
        ));
        let text = format!("{token:?}");
        assert!(!text.contains("7b3f41f4"), "{text}");
        assert_eq!(token.hint(), "token ****5b6a");
    }

    #[test]
    fn environment_overrides_the_store() {
        let env = |k: &str| match k {
            ENV_ACCESS_KEY_ID => Some("AKIDENV".to_owned()),
            ENV_SECRET_ACCESS_KEY => Some("s3cret".to_owned()),
            _ => None,
        };
        let store = EnvOverride::new(
            credentials_from_env(env).unwrap(),
            MemoryStore::with("p/t", creds()),
        );
        let (c, source) = store.get("p/t", Provider::Ses).unwrap().unwrap();
        assert_eq!(c.hint(), "***DENV");
        assert_eq!(source, CredentialSource::Environment);
        // The AWS variables do not answer for a Postmark target.
        assert_eq!(
            store.get("p/t", Provider::Postmark).unwrap().unwrap().1,
            CredentialSource::Injected
        );
        let none = EnvOverride::new(Vec::new(), MemoryStore::with("p/t", creds()));
        assert_eq!(
            none.get("p/t", Provider::Ses).unwrap().unwrap().1,
            CredentialSource::Injected
        );
        let postmark =
            |k: &str| (k == ENV_POSTMARK_SERVER_TOKEN).then(|| "server-token-from-ci".to_owned());
        let found = credentials_from_env(postmark).unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].provider(), Provider::Postmark);
        let half = |k: &str| (k == ENV_ACCESS_KEY_ID).then(|| "AKID".to_owned());
        let err = credentials_from_env(half).unwrap_err();
        assert_eq!(err.code(), "invalid-credentials");
    }
}
