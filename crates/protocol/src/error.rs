//! Errors as the UI sees them: a stable [`IpcCode`], one sentence, and maybe a place.
//!
//! Every failure that crosses IPC has its code declared once, in [`ipc_codes!`]'s table
//! below: the wire string (kebab-case, never renamed: the UI, the CLI's `error[code]` and the
//! e2e tests rely on them) and the variant the Rust code compares with. The studio's errors
//! implement [`Coded`]; one blanket `From` turns any of them into an [`IpcError`].

use crate::Location;
use serde::{Deserialize, Serialize};

/// Declares [`IpcCode`] from `Variant = "wire-code"` pairs: the enum, its serde names (the
/// same strings), [`IpcCode::as_str`] and [`IpcCode::ALL`].
macro_rules! ipc_codes {
    ($( $(#[doc = $doc:literal])* $variant:ident = $wire:literal, )*) => {
        /// The stable machine-readable code of an [`IpcError`] (kebab-case on the wire).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum IpcCode {
            $(
                $(#[doc = $doc])*
                #[serde(rename = $wire)]
                $variant,
            )*
            /// A code this build does not know (a newer shell); shown with its message.
            #[serde(other, rename = "other")]
            Other,
        }

        impl IpcCode {
            /// Every declared code (not [`IpcCode::Other`]).
            pub const ALL: &'static [IpcCode] = &[$(IpcCode::$variant),*];

            /// The wire string.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(IpcCode::$variant => $wire,)*
                    IpcCode::Other => "other",
                }
            }
        }
    };
}

ipc_codes! {
    // The shell and the UI's client.
    /// No project is open.
    NoProject = "no-project",
    /// A command the client could not send or whose answer it could not read.
    Ipc = "ipc",
    /// A shell task stopped before answering.
    Internal = "internal",
    /// The editor holds unsaved edits of files the operation would use or replace.
    UnsavedEdits = "unsaved-edits",
    /// A document's change was of another text than the one the studio holds (the app then
    /// sends the whole text).
    StaleText = "stale-text",
    /// The name or email typed for versions is not usable.
    InvalidAuthor = "invalid-author",
    /// The app's settings store is unavailable.
    NoSettings = "no-settings",

    // The project (`StudioError`).
    /// No `letterpress.toml` here or above.
    NotAProject = "not-a-project",
    /// A file could not be read or written.
    Io = "io",
    /// `letterpress.toml` (or a version's) is invalid.
    InvalidConfig = "invalid-config",
    /// A template, fixture or path that does not exist.
    NotFound = "not-found",
    /// A path that leads outside the project (`..`, an absolute path, a symlink out).
    OutsideProject = "outside-project",
    /// A file over the size limit for its kind.
    TooLarge = "too-large",
    /// A request refused as asked (invalid name, name taken...); nothing changed.
    Refused = "refused",
    /// The build found errors; nothing was written.
    BuildFailed = "build-failed",

    // Saving (`SaveError`).
    /// The file changed on disk since it was opened; nothing was written.
    SaveConflict = "save-conflict",
    /// The file may not be saved (not open in the editor, or its path leads outside the project).
    SaveRefused = "save-refused",

    // Versions (`HistoryError`).
    /// Versioning has not started in this project.
    NotARepository = "not-a-repository",
    /// Versioning has already started.
    AlreadyARepository = "already-a-repository",
    /// Nobody to record as the author (the UI asks).
    NoAuthor = "no-author",
    /// A revision that does not exist.
    UnknownRevision = "unknown-revision",
    /// A revision that is not a version.
    NotAVersion = "not-a-version",
    /// Another program holds git's index lock.
    RepositoryLocked = "repository-locked",
    /// The index lock is recent: maybe still in use.
    LockInUse = "lock-in-use",
    /// Versions are saved only on a branch.
    DetachedHead = "detached-head",
    /// No change to save.
    NothingToSave = "nothing-to-save",
    /// A chosen file has no change.
    NotChanged = "not-changed",
    /// A version needs a message.
    EmptyMessage = "empty-message",
    /// Files still hold conflict markers.
    UnresolvedConflicts = "unresolved-conflicts",
    /// A merge is saved with all its files.
    MergeNeedsAllFiles = "merge-needs-all-files",
    /// No merge to abandon.
    NoMerge = "no-merge",
    /// A merge is under way.
    MergeInProgress = "merge-in-progress",
    /// Changes not in a version yet would be replaced.
    UncommittedChanges = "uncommitted-changes",
    /// Files changed here would be overwritten by a pull.
    WouldOverwrite = "would-overwrite",
    /// An invalid environment, remote or template name.
    InvalidName = "invalid-name",
    /// That version is already live in that environment.
    AlreadyLive = "already-live",
    /// A remote that is not configured.
    UnknownRemote = "unknown-remote",
    /// No remote to use.
    NoRemote = "no-remote",
    /// No version saved yet.
    NoVersions = "no-versions",
    /// The remote has versions this copy does not.
    PushRejected = "push-rejected",
    /// Git credentials missing or refused.
    AuthenticationFailed = "authentication-failed",
    /// Any other git failure.
    Git = "git",

    // Translations (`TranslationError`).
    /// A Fluent syntax error (at line:col).
    FluentSyntax = "fluent-syntax",
    /// A catalog edit refused.
    EditRefused = "edit-refused",
    /// Not a valid or not a project locale.
    InvalidLocale = "invalid-locale",
    /// A key the default locale does not define.
    UnknownKey = "unknown-key",
    /// A translation drops or invents variables.
    PlaceholderMismatch = "placeholder-mismatch",
    /// What would be created already exists.
    Exists = "exists",

    // Sync (`SyncError`) and bundles (`ExportError`).
    /// No such target in `letterpress.toml`.
    UnknownTarget = "unknown-target",
    /// Nothing published to the target's environment.
    NotPublished = "not-published",
    /// Reading the published version failed.
    History = "history",
    /// No credentials for the target.
    NoCredentials = "no-credentials",
    /// Credentials that cannot be used.
    InvalidCredentials = "invalid-credentials",
    /// No OS keychain on this computer.
    NoKeychain = "no-keychain",
    /// The keychain failed.
    Keychain = "keychain",
    /// The provider refused the credentials.
    Auth = "auth",
    /// The provider answered with an error.
    Provider = "provider",
    /// A provider call timed out.
    Timeout = "timeout",
    /// The provider could not be reached.
    Network = "network",
    /// Retries exhausted.
    GaveUp = "gave-up",
    /// The provider's answer made no sense.
    Protocol = "protocol",
    /// Templates do not compile for the provider; nothing was synced.
    Blocked = "blocked",
    /// The sync database failed.
    SyncState = "sync-state",
    /// Another apply of this project is running.
    Busy = "busy",
    /// A bundle folder that cannot be loaded.
    BadBundle = "bad-bundle",
    /// A test send to a recipient outside `[send] allow`, not confirmed.
    NotAllowed = "not-allowed",
    /// An email address that cannot be used (To, From).
    InvalidAddress = "invalid-address",
    /// The email does not render (its first error has the place); nothing was sent.
    RenderFailed = "render-failed",
    /// The SMTP server refused (its reply code and message, with the transcript).
    SmtpRefused = "smtp-refused",
    /// TLS could not be set up with the SMTP server (or STARTTLS is not offered).
    Tls = "tls",
}

impl std::fmt::Display for IpcCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Lets tests and scripts compare with the wire string (`err.code() == "busy"`).
impl PartialEq<&str> for IpcCode {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// An error as the UI sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IpcError {
    /// Stable machine-readable code.
    pub code: IpcCode,
    /// One sentence for a person.
    pub message: String,
    /// Where, when it concerns a place in a project file.
    pub location: Option<Location>,
}

impl IpcError {
    /// An error without a place.
    pub fn new(code: IpcCode, message: impl Into<String>) -> IpcError {
        IpcError {
            code,
            message: message.into(),
            location: None,
        }
    }
}

impl std::fmt::Display for IpcError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.location {
            Some(l) => write!(f, "{l}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// An error with a stable code: what every studio error gives the UI.
pub trait Coded: std::fmt::Display {
    /// The stable code.
    fn code(&self) -> IpcCode;
    /// Where in a project file, when it concerns a place.
    fn location(&self) -> Option<Location> {
        None
    }
    /// One sentence for a person (the error's `Display`).
    fn message(&self) -> String {
        self.to_string()
    }
}

/// The one conversion from a studio error to what crosses IPC.
impl<E: Coded> From<E> for IpcError {
    fn from(e: E) -> IpcError {
        IpcError {
            code: e.code(),
            message: e.message(),
            location: e.location(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_its_wire_string_both_ways() {
        for &code in IpcCode::ALL {
            let wire = serde_json::to_string(&code).unwrap();
            assert_eq!(wire, format!("\"{}\"", code.as_str()));
            assert_eq!(serde_json::from_str::<IpcCode>(&wire).unwrap(), code);
            assert!(
                code.as_str()
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b == b'-'),
                "{code} is not kebab-case"
            );
        }
    }

    #[test]
    fn wire_codes_are_unique() {
        let mut seen = std::collections::BTreeSet::new();
        for code in IpcCode::ALL {
            assert!(seen.insert(code.as_str()), "{code} declared twice");
        }
    }

    #[test]
    fn an_unknown_code_reads_as_other() {
        let e: IpcError =
            serde_json::from_str(r#"{"code":"from-the-future","message":"m","location":null}"#)
                .unwrap();
        assert_eq!(e.code, IpcCode::Other);
    }

    #[test]
    fn a_coded_error_converts_with_its_code_message_and_place() {
        struct Broken;
        impl std::fmt::Display for Broken {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("it broke")
            }
        }
        impl Coded for Broken {
            fn code(&self) -> IpcCode {
                IpcCode::InvalidConfig
            }
            fn location(&self) -> Option<Location> {
                Some(Location {
                    file: "letterpress.toml".into(),
                    line: 3,
                    column: 1,
                })
            }
        }
        let e = IpcError::from(Broken);
        assert_eq!(e.code, IpcCode::InvalidConfig);
        assert_eq!(e.message, "it broke");
        assert_eq!(e.to_string(), "letterpress.toml:3:1: it broke");
    }
}
