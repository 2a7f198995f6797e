//! Provider credentials: a redacting [`Secret`], the [`CredentialStore`] trait (tests inject
//! their own), the OS keychain, and the environment-variable override for CI.
//! There is no plaintext fallback: without a keychain, the error says so.

use super::SyncError;
use std::fmt;

/// Environment variable with the access key id (CI override of the keychain).
pub const ENV_ACCESS_KEY_ID: &str = "LETTERPRESS_AWS_ACCESS_KEY_ID";
/// Environment variable with the secret access key (CI override of the keychain).
pub const ENV_SECRET_ACCESS_KEY: &str = "LETTERPRESS_AWS_SECRET_ACCESS_KEY";
/// Optional environment variable with a session token (temporary credentials).
pub const ENV_SESSION_TOKEN: &str = "LETTERPRESS_AWS_SESSION_TOKEN";

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
}

/// AWS-style credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    /// Access key id (not secret, but shown masked: [`key_id_hint`]).
    pub access_key_id: String,
    /// Secret access key.
    pub secret: Secret,
    /// Session token for temporary credentials.
    pub session_token: Option<Secret>,
}

impl Credentials {
    /// Checks the shape: a key id of letters and digits, a non-empty secret without spaces.
    pub fn validate(&self) -> Result<(), SyncError> {
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
            Err(SyncError::InvalidCredentials(
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
    /// The credentials for `account`, if any, and where they came from.
    fn get(&self, account: &str) -> Result<Option<(Credentials, CredentialSource)>, SyncError>;
    /// Stores credentials for `account`.
    fn set(&self, account: &str, credentials: &Credentials) -> Result<(), SyncError>;
}

/// The OS keychain (macOS Keychain, Windows Credential Manager, Secret Service on Linux).
#[derive(Debug, Default, Clone, Copy)]
pub struct Keychain;

fn keychain_error(e: keyring::Error) -> SyncError {
    match e {
        keyring::Error::PlatformFailure(inner) | keyring::Error::NoStorageAccess(inner) => {
            SyncError::NoKeychain(format!(
                "no OS keychain is available ({inner}); on Linux a Secret Service (GNOME \
                 Keyring, KWallet) must run on the session D-Bus. For CI set \
                 {ENV_ACCESS_KEY_ID} and {ENV_SECRET_ACCESS_KEY} instead. Letterpress never \
                 stores credentials in a plain file."
            ))
        }
        other => SyncError::Keychain(other.to_string()),
    }
}

impl CredentialStore for Keychain {
    fn get(&self, account: &str) -> Result<Option<(Credentials, CredentialSource)>, SyncError> {
        let entry = keyring::Entry::new(KEYCHAIN_SERVICE, account).map_err(keychain_error)?;
        match entry.get_password() {
            Ok(stored) => {
                let (id, secret) = stored.split_once('\n').ok_or_else(|| {
                    SyncError::Keychain(format!(
                        "the keychain entry for `{account}` is not in Letterpress's format; set it \
                         again with `letterpress auth set`"
                    ))
                })?;
                Ok(Some((
                    Credentials {
                        access_key_id: id.to_owned(),
                        secret: Secret::new(secret.to_owned()),
                        session_token: None,
                    },
                    CredentialSource::Keychain,
                )))
            }
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(keychain_error(e)),
        }
    }

    fn set(&self, account: &str, credentials: &Credentials) -> Result<(), SyncError> {
        credentials.validate()?;
        let entry = keyring::Entry::new(KEYCHAIN_SERVICE, account).map_err(keychain_error)?;
        entry
            .set_password(&format!(
                "{}\n{}",
                credentials.access_key_id,
                credentials.secret.expose()
            ))
            .map_err(keychain_error)
    }
}

/// Credentials from `LETTERPRESS_AWS_*` variables, read through `lookup` (the process
/// environment in the CLI and the app; a map in tests). Both id and secret, or none.
pub fn credentials_from_env(
    lookup: impl Fn(&str) -> Option<String>,
) -> Result<Option<Credentials>, SyncError> {
    let id = lookup(ENV_ACCESS_KEY_ID).filter(|v| !v.is_empty());
    let secret = lookup(ENV_SECRET_ACCESS_KEY).filter(|v| !v.is_empty());
    match (id, secret) {
        (Some(id), Some(secret)) => {
            let credentials = Credentials {
                access_key_id: id,
                secret: Secret::new(secret),
                session_token: lookup(ENV_SESSION_TOKEN)
                    .filter(|v| !v.is_empty())
                    .map(Secret::new),
            };
            credentials.validate()?;
            Ok(Some(credentials))
        }
        (None, None) => Ok(None),
        _ => Err(SyncError::InvalidCredentials(format!(
            "set both {ENV_ACCESS_KEY_ID} and {ENV_SECRET_ACCESS_KEY}, or neither"
        ))),
    }
}

/// The environment override in front of another store: `get` prefers the variables,
/// `set` always writes to the inner store.
pub struct EnvOverride<S> {
    env: Option<Credentials>,
    inner: S,
}

impl<S: CredentialStore> EnvOverride<S> {
    /// `env` from [`credentials_from_env`].
    pub fn new(env: Option<Credentials>, inner: S) -> EnvOverride<S> {
        EnvOverride { env, inner }
    }
}

impl<S: CredentialStore> CredentialStore for EnvOverride<S> {
    fn get(&self, account: &str) -> Result<Option<(Credentials, CredentialSource)>, SyncError> {
        match &self.env {
            Some(c) => Ok(Some((c.clone(), CredentialSource::Environment))),
            None => self.inner.get(account),
        }
    }

    fn set(&self, account: &str, credentials: &Credentials) -> Result<(), SyncError> {
        self.inner.set(account, credentials)
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
    fn get(&self, account: &str) -> Result<Option<(Credentials, CredentialSource)>, SyncError> {
        Ok(self
            .entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(account)
            .cloned()
            .map(|c| (c, CredentialSource::Injected)))
    }

    fn set(&self, account: &str, credentials: &Credentials) -> Result<(), SyncError> {
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
        Credentials {
            access_key_id: "AKIAEXAMPLE1234".into(),
            secret: Secret::new("very/secret+value".into()),
            session_token: Some(Secret::new("token-value".into())),
        }
    }

    #[test]
    fn secrets_never_show_in_debug_output() {
        let text = format!("{:?} {:#?}", creds(), creds());
        assert!(!text.contains("very/secret"), "{text}");
        assert!(!text.contains("token-value"), "{text}");
        assert!(text.contains("Secret(***)"));
        assert_eq!(key_id_hint("AKIAEXAMPLE1234"), "***********1234");
        assert_eq!(key_id_hint("ab"), "ab");
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
        let (c, source) = store.get("p/t").unwrap().unwrap();
        assert_eq!(c.access_key_id, "AKIDENV");
        assert_eq!(source, CredentialSource::Environment);
        let none = EnvOverride::new(None, MemoryStore::with("p/t", creds()));
        assert_eq!(
            none.get("p/t").unwrap().unwrap().1,
            CredentialSource::Injected
        );
        let half = |k: &str| (k == ENV_ACCESS_KEY_ID).then(|| "AKID".to_owned());
        let err = credentials_from_env(half).unwrap_err();
        assert_eq!(err.code(), "invalid-credentials");
    }
}
