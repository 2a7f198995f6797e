//! Versions of a project without knowing git: the project folder is a git repository (git2)
//! and this module is the whole vocabulary the app and the CLI use on it — status, save a
//! version, history, diffs (source and rendered), restore, publish, remotes.
//!
//! Rules kept here:
//! - History is never rewritten: restore writes files, publish adds tags, pull merges.
//! - Nothing uncommitted is ever lost: restore, pull and abort refuse (with the files) when
//!   they would overwrite a change; conflicts stay in the files with both sides.
//! - The clock is a parameter ([`When`] for versions and tags, `now` for clearing a stale
//!   lock); only the age quoted in a [`HistoryError::Locked`] message is read from the clock.
//! - libgit2 is told to fsync the git directory (objects, refs, packs) once per process.
//! - The status is computed from the disk each time (HEAD tree vs. working files).

mod diff;
mod publish;
mod remote;
mod rendered;
mod tree_sources;
mod version;

pub use diff::DiffTarget;
pub use letterpress_protocol::{
    ChangeGroup, ChangeKind, ChangedFile, ClearedLock, DiffHunk, DiffLine, DiffRow, DiffSide,
    EmailPart, FileDiff, HistoryPage, PublishMark, PublishedVersion, PullOutcome, PullReport,
    PushOutcome, RemoteInfo, RenderedDiff, RenderedSide, RestoreOutcome, RowKind, SaveOutcome,
    Segment, SourceDiff, TextChange, VersionInfo, WorkingStatus,
};
pub use publish::{PUBLISH_TAG_PREFIX, validate_environment};
pub use rendered::RenderedDiffRequest;
pub use tree_sources::TreeSources;
pub use version::VersionProject;

use crate::fsx;
use git2::{
    Commit, DiffFindOptions, DiffOptions, ErrorCode, Oid, Repository, RepositoryState, Signature,
    Tree,
};
use letterpress_protocol::{Coded, IpcCode};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Once;
use std::time::{Duration, SystemTime};

/// The name that means "the files on disk now" wherever a revision is accepted.
pub const WORKING: &str = "working";

/// Written by `init` when the project has no `.gitignore` yet.
pub const GITIGNORE: &str = "\
# Letterpress: build output and local state are not versioned.
/dist/
/build/
/.letterpress/
*.tmp
.letterpress-*.tmp

# Operating system and editor junk.
.DS_Store
Thumbs.db
desktop.ini
*~
*.swp
.idea/
.vscode/
";

/// A lock file older than this is presumed left behind by a crashed program.
pub const STALE_LOCK_AGE: Duration = Duration::from_secs(10 * 60);

/// Why a history operation failed. Every variant has a stable [`code`](Self::code).
#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    /// The project folder is not a git repository (offer `init`).
    #[error("{0} has no version history yet (run `letterpress init`)")]
    NotARepository(PathBuf),
    /// `init` on a folder that already is a repository.
    #[error("{0} already has a version history")]
    AlreadyARepository(PathBuf),
    /// No author name/email in the settings or git config.
    #[error(
        "no author for new versions: set your name and email in the settings, or run \
         `git config --global user.name \"Your Name\"` and `git config --global user.email you@example.com`"
    )]
    NoAuthor,
    /// An author's name or email that cannot be recorded.
    #[error("enter your name and an email address (name@example.com)")]
    InvalidAuthor,
    /// A revision that names nothing.
    #[error("no version `{0}` (use an id, a tag, HEAD, HEAD~N or `working`)")]
    UnknownRevision(String),
    /// The working copy was given where a saved version is needed.
    #[error("`{0}` is the working copy, not a saved version")]
    NotAVersion(String),
    /// Another git program holds the index lock (or left it behind when it crashed).
    #[error(
        "the repository is locked by {} (modified {age_seconds}s ago); another git program may be \
         running. If none is, clear the lock (`letterpress unlock`)",
        path.display()
    )]
    Locked {
        /// The lock file.
        path: PathBuf,
        /// Its age, seconds.
        age_seconds: u64,
    },
    /// Clearing a lock that is too recent to be presumed stale.
    #[error(
        "{} is only {age_seconds}s old; it is cleared only after {threshold_seconds}s, in case a \
         git program is still using it",
        path.display()
    )]
    LockInUse {
        /// The lock file.
        path: PathBuf,
        /// Its age, seconds.
        age_seconds: u64,
        /// The threshold, seconds.
        threshold_seconds: u64,
    },
    /// HEAD is not on a branch.
    #[error(
        "the project is at version {0} without a branch (detached HEAD); a version saved here \
         would belong to no branch and could be lost. Switch to a branch first (`git switch main`)"
    )]
    DetachedHead(String),
    /// Nothing to save.
    #[error("nothing to save: no changes since the last version")]
    NothingToSave,
    /// A path given to save has no change.
    #[error("no change to save in: {}", .0.join(", "))]
    NotChanged(Vec<String>),
    /// An empty message.
    #[error("a version needs a message")]
    EmptyMessage,
    /// Files still hold conflict markers or conflict entries.
    #[error("resolve the conflicts first (markers `<<<<<<<` remain) in: {}", .0.join(", "))]
    UnresolvedConflicts(Vec<String>),
    /// During a merge the whole working copy is saved at once.
    #[error(
        "a merge is in progress: save all changed files at once to conclude it (or abort the merge)"
    )]
    MergeNeedsAllFiles,
    /// The operation needs a merge in progress.
    #[error("no merge in progress")]
    NoMerge,
    /// The operation cannot run while a merge is in progress.
    #[error("a merge is in progress: resolve the conflicts and save, or abort the merge")]
    MergeInProgress,
    /// Uncommitted changes would be overwritten or left out.
    #[error("uncommitted changes in: {} (save a version first)", .0.join(", "))]
    UncommittedChanges(Vec<String>),
    /// A pull would overwrite local changes.
    #[error("the pull would overwrite unsaved changes in: {} (save a version first)", .0.join(", "))]
    WouldOverwrite(Vec<String>),
    /// A template (or path) that does not exist in that version.
    #[error("{0}")]
    NotFound(String),
    /// An invalid environment, remote or template name.
    #[error("{0}")]
    InvalidName(String),
    /// Publishing a version that is already live in that environment.
    #[error("version {short_id} is already live in {environment}")]
    AlreadyLive {
        /// Environment.
        environment: String,
        /// The version.
        short_id: String,
    },
    /// A remote that is not configured.
    #[error("no remote `{0}`")]
    UnknownRemote(String),
    /// No remote given and none (or several, none named `origin`) configured.
    #[error("no remote to use: add one (`letterpress remote add origin URL`) or name it")]
    NoRemote,
    /// The operation needs at least one saved version.
    #[error("no version saved yet")]
    NoVersions,
    /// The remote refused the push because it has versions this copy does not.
    #[error("the remote has versions this copy does not have; pull first, then push")]
    PushRejected(String),
    /// Credentials were missing or refused.
    #[error(
        "authentication to {0} failed (SSH agent for ssh URLs, git credential helper for https)"
    )]
    Authentication(String),
    /// An I/O error on the working copy.
    #[error("{path}: {source}")]
    Io {
        /// The path.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// Any other libgit2 failure.
    #[error("git: {0}")]
    Git(#[from] git2::Error),
    /// A file the confined reader refused or could not read (`outside-project`,
    /// `too-large`, `io`); nothing outside the project was read.
    #[error(transparent)]
    Source(#[from] letterpress_engine::SourceError),
}

/// What a version that cannot be loaded shows instead of its render.
pub(crate) fn version_load_error(
    e: letterpress_engine::LoadError,
) -> Box<letterpress_engine::Diagnostic> {
    match e {
        letterpress_engine::LoadError::Invalid(d) => d,
        letterpress_engine::LoadError::NoProjectFile => {
            Box::new(letterpress_engine::Diagnostic::error(
                letterpress_engine::Code::InvalidConfig,
                format!("this version has no {}", letterpress_engine::PROJECT_FILE),
                Some(letterpress_engine::Location::start_of(
                    letterpress_engine::PROJECT_FILE,
                )),
            ))
        }
    }
}

impl HistoryError {
    /// A stable kebab-case code for JSON output and IPC.
    pub fn code(&self) -> IpcCode {
        match self {
            HistoryError::NotARepository(_) => IpcCode::NotARepository,
            HistoryError::AlreadyARepository(_) => IpcCode::AlreadyARepository,
            HistoryError::NoAuthor => IpcCode::NoAuthor,
            HistoryError::InvalidAuthor => IpcCode::InvalidAuthor,
            HistoryError::UnknownRevision(_) => IpcCode::UnknownRevision,
            HistoryError::NotAVersion(_) => IpcCode::NotAVersion,
            HistoryError::Locked { .. } => IpcCode::RepositoryLocked,
            HistoryError::LockInUse { .. } => IpcCode::LockInUse,
            HistoryError::DetachedHead(_) => IpcCode::DetachedHead,
            HistoryError::NothingToSave => IpcCode::NothingToSave,
            HistoryError::NotChanged(_) => IpcCode::NotChanged,
            HistoryError::EmptyMessage => IpcCode::EmptyMessage,
            HistoryError::UnresolvedConflicts(_) => IpcCode::UnresolvedConflicts,
            HistoryError::MergeNeedsAllFiles => IpcCode::MergeNeedsAllFiles,
            HistoryError::NoMerge => IpcCode::NoMerge,
            HistoryError::MergeInProgress => IpcCode::MergeInProgress,
            HistoryError::UncommittedChanges(_) => IpcCode::UncommittedChanges,
            HistoryError::WouldOverwrite(_) => IpcCode::WouldOverwrite,
            HistoryError::NotFound(_) => IpcCode::NotFound,
            HistoryError::InvalidName(_) => IpcCode::InvalidName,
            HistoryError::AlreadyLive { .. } => IpcCode::AlreadyLive,
            HistoryError::UnknownRemote(_) => IpcCode::UnknownRemote,
            HistoryError::NoRemote => IpcCode::NoRemote,
            HistoryError::NoVersions => IpcCode::NoVersions,
            HistoryError::PushRejected(_) => IpcCode::PushRejected,
            HistoryError::Authentication(_) => IpcCode::AuthenticationFailed,
            HistoryError::Io { .. } => IpcCode::Io,
            HistoryError::Git(_) => IpcCode::Git,
            HistoryError::Source(e) => crate::source_code(e),
        }
    }
}

impl Coded for HistoryError {
    fn code(&self) -> IpcCode {
        HistoryError::code(self)
    }
}

impl From<crate::disk::WriteTargetError> for HistoryError {
    fn from(e: crate::disk::WriteTargetError) -> HistoryError {
        match e {
            crate::disk::WriteTargetError::Outside(e) => HistoryError::Source(e),
            crate::disk::WriteTargetError::Io { path, source } => HistoryError::Io { path, source },
        }
    }
}

pub(crate) fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> HistoryError + '_ {
    move |source| HistoryError::Io {
        path: path.to_owned(),
        source,
    }
}

/// Who saves or publishes versions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Author {
    /// Display name.
    pub name: String,
    /// Email.
    pub email: String,
}

impl Author {
    /// An author typed by a person (the app's form, the CLI's `--author`): both parts
    /// trimmed, a name, an email with an `@`, and nothing that would break git's
    /// `Name <email>` line. Refused with [`HistoryError::InvalidAuthor`].
    pub fn new(name: &str, email: &str) -> Result<Author, HistoryError> {
        let (name, email) = (name.trim(), email.trim());
        let breaks_the_line = |s: &str| s.contains(['<', '>', '\n', '\r']);
        if name.is_empty()
            || breaks_the_line(name)
            || !email.contains('@')
            || breaks_the_line(email)
        {
            return Err(HistoryError::InvalidAuthor);
        }
        Ok(Author {
            name: name.to_owned(),
            email: email.to_owned(),
        })
    }
}

/// A moment, as git records it: seconds since the Unix epoch and the UTC offset. Passed in by
/// the caller (the CLI and app use the clock, tests fixed dates).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct When {
    /// Seconds since the Unix epoch.
    pub seconds: i64,
    /// Offset from UTC, minutes.
    pub offset_minutes: i32,
}

impl When {
    /// `time` in UTC.
    pub fn utc(time: SystemTime) -> When {
        let seconds = match time.duration_since(SystemTime::UNIX_EPOCH) {
            Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
            Err(e) => -i64::try_from(e.duration().as_secs()).unwrap_or(i64::MAX),
        };
        When {
            seconds,
            offset_minutes: 0,
        }
    }

    fn signature(&self, author: &Author) -> Result<Signature<'static>, HistoryError> {
        Ok(Signature::new(
            &author.name,
            &author.email,
            &git2::Time::new(self.seconds, self.offset_minutes),
        )?)
    }
}

/// Which versions a history page lists.
#[derive(Debug, Clone, Default)]
pub struct HistoryQuery {
    /// Only versions changing one of these paths (a folder ends with `/`); empty: all.
    pub paths: Vec<String>,
    /// Continue after this cursor (from the previous page's `next_cursor`).
    pub cursor: Option<String>,
    /// Page size (at least 1).
    pub limit: usize,
}

/// Turns on fsync of the git directory (objects, refs, packs) for the whole process, once:
/// libgit2 does not sync by default, and a version that vanishes after a power cut is not a
/// version. git2 has no safe wrapper for this option, hence the one FFI call.
fn enable_fsync() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // Any git2 `opts` call initialises libgit2 first (this one sets the default again).
        git2::opts::strict_hash_verification(true);
        let option = libgit2_sys::GIT_OPT_ENABLE_FSYNC_GITDIR as std::ffi::c_int;
        let enable: std::ffi::c_int = 1;
        // SAFETY: libgit2 is initialised (above); GIT_OPT_ENABLE_FSYNC_GITDIR takes exactly
        // one int argument; the call only sets a global flag. Failure leaves the default.
        #[allow(unsafe_code)]
        let _ = unsafe { libgit2_sys::git_libgit2_opts(option, enable) };
    });
}

/// The version history of one project: its folder is the repository's working directory.
pub struct History {
    repo: Repository,
    root: PathBuf,
}

impl History {
    /// Opens the history of the project at `root`, which must be the top of a repository
    /// (a project inside a larger repository is not searched for upwards).
    pub fn open(root: &Path) -> Result<History, HistoryError> {
        enable_fsync();
        let root = root.canonicalize().map_err(io_error(root))?;
        let repo = match Repository::open_ext(
            &root,
            git2::RepositoryOpenFlags::NO_SEARCH,
            std::iter::empty::<&std::ffi::OsStr>(),
        ) {
            Ok(r) => r,
            Err(e) if e.code() == ErrorCode::NotFound => {
                return Err(HistoryError::NotARepository(root));
            }
            Err(e) => return Err(e.into()),
        };
        if repo.is_bare() {
            return Err(HistoryError::NotARepository(root));
        }
        Ok(History { repo, root })
    }

    /// The folder of the git repository `root` sits inside, when `root` has no repository of
    /// its own (a project folder inside another project's checkout): versioning it would
    /// make a nested repository there, which the person should choose knowingly.
    pub fn enclosing_repository(root: &Path) -> Option<PathBuf> {
        let root = root.canonicalize().ok()?;
        if root.join(".git").exists() {
            return None;
        }
        let repo = Repository::discover(root.parent()?).ok()?;
        // Without git's trailing separator.
        repo.workdir().map(|w| w.components().collect())
    }

    /// Starts a history for the project at `root`: an empty repository on branch `main` and a
    /// `.gitignore` (kept if one exists). The first [`save`](Self::save) creates the first
    /// version.
    pub fn init(root: &Path) -> Result<History, HistoryError> {
        enable_fsync();
        let root = root.canonicalize().map_err(io_error(root))?;
        if root.join(".git").exists() {
            return Err(HistoryError::AlreadyARepository(root));
        }
        let mut options = git2::RepositoryInitOptions::new();
        options.initial_head("main").no_reinit(true);
        Repository::init_opts(&root, &options)?;
        let ignore = root.join(".gitignore");
        if !ignore.exists() {
            fsx::write_atomic(&ignore, GITIGNORE.as_bytes()).map_err(io_error(&ignore))?;
        }
        History::open(&root)
    }

    /// The underlying repository (for tests and tools; the app goes through this API).
    pub fn repository(&self) -> &Repository {
        &self.repo
    }

    /// The project folder (canonical).
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The author for new versions: `explicit` (the app's settings) when given, else git's
    /// `user.name`/`user.email` (repository, then global config).
    pub fn author(&self, explicit: Option<&Author>) -> Result<Author, HistoryError> {
        if let Some(a) = explicit
            && !a.name.trim().is_empty()
            && !a.email.trim().is_empty()
        {
            return Ok(a.clone());
        }
        let config = self.repo.config()?;
        match (
            config.get_string("user.name"),
            config.get_string("user.email"),
        ) {
            (Ok(name), Ok(email)) if !name.trim().is_empty() && !email.trim().is_empty() => {
                Ok(Author { name, email })
            }
            _ => Err(HistoryError::NoAuthor),
        }
    }

    // ----- locks -------------------------------------------------------------------------

    fn index_lock_path(&self) -> PathBuf {
        self.repo.path().join("index.lock")
    }

    /// Fails with [`HistoryError::Locked`] when git's index lock exists.
    fn check_lock(&self) -> Result<(), HistoryError> {
        let path = self.index_lock_path();
        match std::fs::symlink_metadata(&path) {
            Ok(meta) => {
                let age = meta
                    .modified()
                    .ok()
                    .and_then(|m| SystemTime::now().duration_since(m).ok())
                    .unwrap_or_default();
                Err(HistoryError::Locked {
                    path,
                    age_seconds: age.as_secs(),
                })
            }
            Err(_) => Ok(()),
        }
    }

    /// Removes git's index lock when it is older than `threshold` at `now` (a crashed git
    /// program left it). `Ok(None)`: there was no lock.
    pub fn clear_stale_lock(
        &self,
        now: SystemTime,
        threshold: Duration,
    ) -> Result<Option<ClearedLock>, HistoryError> {
        let path = self.index_lock_path();
        let meta = match std::fs::symlink_metadata(&path) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io_error(&path)(e)),
        };
        let modified = meta.modified().map_err(io_error(&path))?;
        let age = now.duration_since(modified).unwrap_or_default();
        if age < threshold {
            return Err(HistoryError::LockInUse {
                path,
                age_seconds: age.as_secs(),
                threshold_seconds: threshold.as_secs(),
            });
        }
        std::fs::remove_file(&path).map_err(io_error(&path))?;
        Ok(Some(ClearedLock {
            path: path.display().to_string(),
            age_seconds: age.as_secs(),
        }))
    }

    /// Maps libgit2's "locked" failures to [`HistoryError::Locked`].
    fn locked(&self, e: git2::Error) -> HistoryError {
        if e.code() == ErrorCode::Locked
            && let Err(locked @ HistoryError::Locked { .. }) = self.check_lock()
        {
            return locked;
        }
        e.into()
    }

    // ----- revisions ---------------------------------------------------------------------

    /// The last saved version, `None` before the first save (unborn HEAD).
    pub(crate) fn head_commit(&self) -> Result<Option<Commit<'_>>, HistoryError> {
        match self.repo.head() {
            Ok(r) => Ok(Some(r.peel_to_commit()?)),
            Err(e) if e.code() == ErrorCode::UnbornBranch || e.code() == ErrorCode::NotFound => {
                Ok(None)
            }
            Err(e) => Err(e.into()),
        }
    }

    fn head_tree(&self) -> Result<Option<Tree<'_>>, HistoryError> {
        Ok(match self.head_commit()? {
            Some(c) => Some(c.tree()?),
            None => None,
        })
    }

    /// Resolves a saved version: a full or short id, a tag, a branch, `HEAD`, `HEAD~N`.
    pub fn resolve(&self, revision: &str) -> Result<Commit<'_>, HistoryError> {
        if revision == WORKING {
            return Err(HistoryError::NotAVersion(revision.to_owned()));
        }
        let unknown = || HistoryError::UnknownRevision(revision.to_owned());
        let object = match self.repo.revparse_single(revision) {
            Ok(o) => o,
            Err(e)
                if matches!(
                    e.code(),
                    ErrorCode::NotFound
                        | ErrorCode::Ambiguous
                        | ErrorCode::InvalidSpec
                        | ErrorCode::UnbornBranch
                ) || e.class() == git2::ErrorClass::Reference =>
            {
                return Err(unknown());
            }
            Err(e) => return Err(e.into()),
        };
        object.peel_to_commit().map_err(|_| unknown())
    }

    /// The [`VersionInfo`] of a saved version.
    pub fn version(&self, revision: &str) -> Result<VersionInfo, HistoryError> {
        let commit = self.resolve(revision)?;
        let marks = self.publish_marks()?;
        self.version_info(&commit, &marks)
    }

    pub(crate) fn version_info(
        &self,
        commit: &Commit<'_>,
        marks: &HashMap<Oid, Vec<PublishMark>>,
    ) -> Result<VersionInfo, HistoryError> {
        let author = commit.author();
        let short_id = commit
            .as_object()
            .short_id()?
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let message = String::from_utf8_lossy(commit.message_bytes()).into_owned();
        Ok(VersionInfo {
            id: commit.id().to_string(),
            short_id,
            author: String::from_utf8_lossy(author.name_bytes()).into_owned(),
            email: String::from_utf8_lossy(author.email_bytes()).into_owned(),
            time: author.when().seconds(),
            offset_minutes: author.when().offset_minutes(),
            summary: message.lines().next().unwrap_or_default().to_owned(),
            message: message.trim_end().to_owned(),
            parents: commit.parent_ids().map(|p| p.to_string()).collect(),
            published: marks.get(&commit.id()).cloned().unwrap_or_default(),
        })
    }

    // ----- status ------------------------------------------------------------------------

    /// The working copy against the last version, read from the disk now.
    pub fn status(&self) -> Result<WorkingStatus, HistoryError> {
        let files = self.changed_files()?;
        let head = match self.head_commit()? {
            Some(c) => Some(self.version_info(&c, &self.publish_marks()?)?),
            None => None,
        };
        let branch = self.branch_name()?;
        Ok(WorkingStatus {
            branch,
            head,
            merging: self.repo.state() == RepositoryState::Merge,
            groups: group_by_template(&files),
            files,
        })
    }

    /// The branch HEAD is on (also when it has no version yet), `None` when detached.
    pub fn branch_name(&self) -> Result<Option<String>, HistoryError> {
        if self.repo.head_detached()? {
            return Ok(None);
        }
        let head = self.repo.find_reference("HEAD")?;
        Ok(head
            .symbolic_target()
            .ok()
            .flatten()
            .and_then(|t| t.strip_prefix("refs/heads/"))
            .map(str::to_owned))
    }

    /// Files that differ between the last version and the disk (ignored files excluded),
    /// renames detected, conflicts marked.
    pub fn changed_files(&self) -> Result<Vec<ChangedFile>, HistoryError> {
        let head_tree = self.head_tree()?;
        let mut options = DiffOptions::new();
        options
            .include_untracked(true)
            .recurse_untracked_dirs(true)
            .include_typechange(true);
        let mut diff = self
            .repo
            .diff_tree_to_workdir_with_index(head_tree.as_ref(), Some(&mut options))?;
        let mut find = DiffFindOptions::new();
        find.renames(true).for_untracked(true);
        diff.find_similar(Some(&mut find))?;
        let mut files = diff::changed_files_of(&diff);
        let conflicts = self.conflicted_paths()?;
        for path in &conflicts {
            match files.iter_mut().find(|f| &f.path == path) {
                Some(f) => f.kind = ChangeKind::Conflicted,
                None => files.push(ChangedFile {
                    path: path.clone(),
                    old_path: None,
                    kind: ChangeKind::Conflicted,
                    template: template_of(path),
                }),
            }
        }
        files.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(files)
    }

    /// Paths with conflict entries in the index (after a pull that conflicted).
    pub fn conflicted_paths(&self) -> Result<Vec<String>, HistoryError> {
        let index = self.repo.index()?;
        if !index.has_conflicts() {
            return Ok(Vec::new());
        }
        let mut out = Vec::new();
        for conflict in index.conflicts()? {
            let conflict = conflict?;
            let entry = conflict.our.or(conflict.their).or(conflict.ancestor);
            if let Some(e) = entry {
                out.push(String::from_utf8_lossy(&e.path).into_owned());
            }
        }
        out.sort();
        out.dedup();
        Ok(out)
    }

    // ----- save --------------------------------------------------------------------------

    /// Saves a version of the chosen changed files (`paths` empty: every changed file) with
    /// `message`, by `author` at `when`. During a merge every file is saved and the version
    /// concludes the merge (two parents); files still holding conflict markers are refused.
    pub fn save(
        &self,
        message: &str,
        paths: &[String],
        author: &Author,
        when: When,
    ) -> Result<SaveOutcome, HistoryError> {
        if message.trim().is_empty() {
            return Err(HistoryError::EmptyMessage);
        }
        self.check_lock()?;
        if self.repo.head_detached()? {
            let short = self
                .head_commit()?
                .map(|c| c.id().to_string()[..7].to_owned())
                .unwrap_or_default();
            return Err(HistoryError::DetachedHead(short));
        }
        let merging = self.repo.state() == RepositoryState::Merge;
        let changed = self.changed_files()?;
        if changed.is_empty() && !merging {
            return Err(HistoryError::NothingToSave);
        }
        let chosen: Vec<ChangedFile> = if paths.is_empty() {
            changed.clone()
        } else {
            let missing: Vec<String> = paths
                .iter()
                .filter(|p| {
                    !changed
                        .iter()
                        .any(|f| &f.path == *p || f.old_path.as_ref() == Some(*p))
                })
                .cloned()
                .collect();
            if !missing.is_empty() {
                return Err(HistoryError::NotChanged(missing));
            }
            changed
                .iter()
                .filter(|f| {
                    paths
                        .iter()
                        .any(|p| &f.path == p || f.old_path.as_ref() == Some(p))
                })
                .cloned()
                .collect()
        };
        if merging && chosen.len() != changed.len() {
            return Err(HistoryError::MergeNeedsAllFiles);
        }
        let with_markers: Vec<String> = chosen
            .iter()
            .filter(|f| f.kind != ChangeKind::Deleted && self.has_conflict_markers(&f.path))
            .map(|f| f.path.clone())
            .collect();
        if !with_markers.is_empty() {
            return Err(HistoryError::UnresolvedConflicts(with_markers));
        }

        let head = self.head_commit()?;
        let base_tree = match &head {
            Some(c) => Some(c.tree()?),
            None => None,
        };
        let mut update = git2::build::TreeUpdateBuilder::new();
        let mut index = self.repo.index().map_err(|e| self.locked(e))?;
        for file in &chosen {
            if let Some(old) = &file.old_path {
                update.remove(old.as_str());
                index
                    .remove_path(Path::new(old))
                    .map_err(|e| self.locked(e))?;
            }
            let full = self.root.join(&file.path);
            match std::fs::symlink_metadata(&full) {
                Ok(meta) => {
                    let (oid, mode) = self.blob_of(&full, &meta)?;
                    update.upsert(file.path.as_str(), oid, mode);
                    index
                        .add_path(Path::new(&file.path))
                        .map_err(|e| self.locked(e))?;
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    update.remove(file.path.as_str());
                    index
                        .remove_path(Path::new(&file.path))
                        .map_err(|e| self.locked(e))?;
                }
                Err(e) => return Err(io_error(&full)(e)),
            }
        }
        let tree_id = match &base_tree {
            Some(t) => update.create_updated(&self.repo, t)?,
            None => {
                let empty = self.repo.treebuilder(None)?.write()?;
                update.create_updated(&self.repo, &self.repo.find_tree(empty)?)?
            }
        };
        let tree = self.repo.find_tree(tree_id)?;
        let mut parents: Vec<Commit<'_>> = head.into_iter().collect();
        if merging {
            for oid in self.merge_heads()? {
                parents.push(self.repo.find_commit(oid)?);
            }
        }
        let signature = when.signature(author)?;
        let parent_refs: Vec<&Commit<'_>> = parents.iter().collect();
        let oid = self
            .repo
            .commit(
                Some("HEAD"),
                &signature,
                &signature,
                &normalise_message(message),
                &tree,
                &parent_refs,
            )
            .map_err(|e| self.locked(e))?;
        index.write().map_err(|e| self.locked(e))?;
        if merging {
            self.repo.cleanup_state()?;
        }
        let commit = self.repo.find_commit(oid)?;
        Ok(SaveOutcome {
            version: self.version_info(&commit, &HashMap::new())?,
            files: chosen,
            concluded_merge: merging,
        })
    }

    /// The versions being merged in (`MERGE_HEAD`), read from the file so `&self` suffices.
    pub(crate) fn merge_heads(&self) -> Result<Vec<Oid>, HistoryError> {
        let path = self.repo.path().join("MERGE_HEAD");
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(io_error(&path)(e)),
        };
        text.lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| Oid::from_str(l.trim()).map_err(HistoryError::from))
            .collect()
    }

    fn blob_of(
        &self,
        full: &Path,
        meta: &std::fs::Metadata,
    ) -> Result<(Oid, git2::FileMode), HistoryError> {
        if meta.file_type().is_symlink() {
            let target = std::fs::read_link(full).map_err(io_error(full))?;
            let bytes = target.to_string_lossy().into_owned().into_bytes();
            return Ok((self.repo.blob(&bytes)?, git2::FileMode::Link));
        }
        let oid = self.repo.blob_path(full)?;
        #[cfg(unix)]
        let mode = {
            use std::os::unix::fs::PermissionsExt;
            if meta.permissions().mode() & 0o111 != 0 {
                git2::FileMode::BlobExecutable
            } else {
                git2::FileMode::Blob
            }
        };
        #[cfg(not(unix))]
        let mode = git2::FileMode::Blob;
        Ok((oid, mode))
    }

    fn has_conflict_markers(&self, path: &str) -> bool {
        std::fs::read(self.root.join(path)).is_ok_and(|bytes| {
            let text = String::from_utf8_lossy(&bytes);
            text.lines().any(|l| l.starts_with("<<<<<<< "))
                && text.lines().any(|l| l.starts_with(">>>>>>> "))
        })
    }

    // ----- history -----------------------------------------------------------------------

    /// One page of history, newest first, optionally only versions changing `query.paths`.
    /// Walks from HEAD; the cursor is the id of the last version of the previous page, so
    /// the walk skips to it without comparing trees (cheap) and filters from there.
    pub fn history(&self, query: &HistoryQuery) -> Result<HistoryPage, HistoryError> {
        let limit = query.limit.max(1);
        let Some(head) = self.head_commit()? else {
            return Ok(HistoryPage {
                versions: Vec::new(),
                next_cursor: None,
            });
        };
        let cursor = match &query.cursor {
            Some(c) => {
                Some(Oid::from_str(c).map_err(|_| HistoryError::UnknownRevision(c.clone()))?)
            }
            None => None,
        };
        let mut walk = self.repo.revwalk()?;
        walk.set_sorting(git2::Sort::TOPOLOGICAL | git2::Sort::TIME)?;
        walk.push(head.id())?;
        let mut skipping = cursor.is_some();
        let marks = self.publish_marks()?;
        let mut versions = Vec::new();
        let mut more = false;
        for oid in walk {
            let oid = oid?;
            if skipping {
                if Some(oid) == cursor {
                    skipping = false;
                }
                continue;
            }
            let commit = self.repo.find_commit(oid)?;
            if !query.paths.is_empty() && !self.touches(&commit, &query.paths)? {
                continue;
            }
            if versions.len() == limit {
                more = true;
                break;
            }
            versions.push(self.version_info(&commit, &marks)?);
        }
        if skipping {
            return Err(HistoryError::UnknownRevision(
                query.cursor.clone().unwrap_or_default(),
            ));
        }
        let next_cursor = if more {
            versions.last().map(|v| v.id.clone())
        } else {
            None
        };
        Ok(HistoryPage {
            versions,
            next_cursor,
        })
    }

    /// True when `commit` changes one of `paths` compared with every parent (a merge that
    /// took the change from one side is not listed again, like `git log -- path`).
    fn touches(&self, commit: &Commit<'_>, paths: &[String]) -> Result<bool, HistoryError> {
        let tree = commit.tree()?;
        let entry_id = |tree: &Tree<'_>, path: &str| -> Option<Oid> {
            let p = path.trim_end_matches('/');
            tree.get_path(Path::new(p)).ok().map(|e| e.id())
        };
        let mine: Vec<Option<Oid>> = paths.iter().map(|p| entry_id(&tree, p)).collect();
        if commit.parent_count() == 0 {
            return Ok(mine.iter().any(Option::is_some));
        }
        for parent in commit.parents() {
            let parent_tree = parent.tree()?;
            let same = paths
                .iter()
                .zip(&mine)
                .all(|(p, m)| entry_id(&parent_tree, p) == *m);
            if same {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// The paths whose history is a template's history: its folder, its catalogs by the
    /// project's naming convention (`locales/<locale>/<template>.ftl`), and the layouts and
    /// partials its bodies include (as they are on disk now).
    pub fn template_paths(project: &crate::Project, template: &str) -> Vec<String> {
        let mut out = vec![format!("templates/{template}/")];
        for locale in crate::sorted_entries(&project.root().join("locales")).unwrap_or_default() {
            let catalog = format!("locales/{locale}/{template}.ftl");
            if project.root().join(&catalog).is_file() {
                out.push(catalog);
            }
        }
        let mut bodies = vec![letterpress_engine::paths::body(template, None)];
        for locale in &project.config().locales {
            bodies.push(letterpress_engine::paths::body(template, Some(locale)));
        }
        for body in bodies {
            let (files, _) = letterpress_engine::deps::walk(
                project.sources.as_ref(),
                &body,
                project.engine().limits(),
            );
            for f in files {
                if !f.starts_with("templates/") && !out.contains(&f) {
                    out.push(f);
                }
            }
        }
        out
    }

    // ----- restore -----------------------------------------------------------------------

    /// Puts the files of `template` back as they were in `revision`: files written
    /// atomically, files that did not exist then removed. History is not touched: the result
    /// shows as changes and becomes a version when saved. Refused when the template has
    /// unsaved changes, unless `discard_changes`.
    pub fn restore_template(
        &self,
        template: &str,
        revision: &str,
        discard_changes: bool,
    ) -> Result<RestoreOutcome, HistoryError> {
        validate_template_id(template)?;
        let commit = self.resolve(revision)?;
        let prefix = format!("templates/{template}/");
        let tree = commit.tree()?;
        let folder = tree
            .get_path(Path::new(prefix.trim_end_matches('/')))
            .map_err(|_| {
                HistoryError::NotFound(format!(
                    "template `{template}` does not exist in version {revision}"
                ))
            })?;
        let folder = self.repo.find_tree(folder.id()).map_err(|_| {
            HistoryError::NotFound(format!("`{prefix}` is not a folder in version {revision}"))
        })?;
        if !discard_changes {
            let dirty: Vec<String> = self
                .changed_files()?
                .into_iter()
                .filter(|f| {
                    f.path.starts_with(&prefix)
                        || f.old_path
                            .as_deref()
                            .is_some_and(|o| o.starts_with(&prefix))
                })
                .map(|f| f.path)
                .collect();
            if !dirty.is_empty() {
                return Err(HistoryError::UncommittedChanges(dirty));
            }
        }
        let mut wanted: BTreeMap<String, (Oid, git2::FileMode)> = BTreeMap::new();
        let mut walk_error = None;
        folder.walk(git2::TreeWalkMode::PreOrder, |dir, entry| {
            if entry.kind() == Some(git2::ObjectType::Blob) {
                match entry.name() {
                    Ok(name) => {
                        let mode = match entry.filemode() {
                            0o100755 => git2::FileMode::BlobExecutable,
                            0o120000 => git2::FileMode::Link,
                            _ => git2::FileMode::Blob,
                        };
                        wanted.insert(format!("{prefix}{dir}{name}"), (entry.id(), mode));
                    }
                    Err(_) => walk_error = Some(format!("{prefix}{dir}")),
                }
            }
            git2::TreeWalkResult::Ok
        })?;
        if let Some(path) = walk_error {
            return Err(HistoryError::NotFound(format!(
                "a file name under `{path}` is not UTF-8"
            )));
        }
        if let Some(bad) = wanted.keys().find(|p| !is_safe_work_path(p)) {
            return Err(HistoryError::NotFound(format!(
                "version {revision} has a file name that cannot be written safely: `{bad}`"
            )));
        }
        let mut written = Vec::new();
        for (path, (oid, mode)) in &wanted {
            if *mode == git2::FileMode::Link {
                continue;
            }
            let blob = self.repo.find_blob(*oid)?;
            let full = self.root.join(path);
            let current = std::fs::read(&full).ok();
            if current.as_deref() == Some(blob.content()) {
                continue;
            }
            let full = crate::disk::confined_write_target(&self.root, path)?;
            fsx::write_atomic(&full, blob.content()).map_err(io_error(&full))?;
            written.push(path.clone());
        }
        let mut removed = Vec::new();
        let folder_on_disk = self.root.join(&prefix);
        for path in files_under(&self.root, &folder_on_disk)? {
            if wanted.contains_key(&path) || self.repo.is_path_ignored(Path::new(&path))? {
                continue;
            }
            let full = self.root.join(&path);
            std::fs::remove_file(&full).map_err(io_error(&full))?;
            removed.push(path);
        }
        remove_empty_dirs(&folder_on_disk);
        Ok(RestoreOutcome { written, removed })
    }
}

/// Every file under `dir`, as project-relative `/` paths, sorted.
fn files_under(root: &Path, dir: &Path) -> Result<Vec<String>, HistoryError> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        let entries = match std::fs::read_dir(&d) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(io_error(&d)(e)),
        };
        for entry in entries {
            let entry = entry.map_err(io_error(&d))?;
            let kind = entry.file_type().map_err(io_error(&entry.path()))?;
            if kind.is_dir() {
                stack.push(entry.path());
            } else if let Ok(rel) = entry.path().strip_prefix(root) {
                let parts: Vec<String> = rel
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect();
                out.push(parts.join("/"));
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Removes empty folders under (and including) `dir`, deepest first; best effort.
fn remove_empty_dirs(dir: &Path) {
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                remove_empty_dirs(&entry.path());
            }
        }
    }
    let _ = std::fs::remove_dir(dir);
}

/// A path from a git tree that may be written under the project: relative, no `.`/`..`
/// segments, nothing inside `.git` (a crafted repository must not write outside).
pub(crate) fn is_safe_work_path(path: &str) -> bool {
    letterpress_engine::check_relative_path(path).is_ok()
        && !path
            .split('/')
            .any(|segment| segment.eq_ignore_ascii_case(".git"))
}

/// Template ids are folder names: no separators, no dots at the start.
fn validate_template_id(id: &str) -> Result<(), HistoryError> {
    if id.is_empty() || id.starts_with('.') || id.contains(['/', '\\', ':']) {
        return Err(HistoryError::InvalidName(format!(
            "`{id}` is not a template id"
        )));
    }
    Ok(())
}

/// The template a path belongs to (`templates/<id>/...`).
pub(crate) fn template_of(path: &str) -> Option<String> {
    let rest = path.strip_prefix("templates/")?;
    let (id, _) = rest.split_once('/')?;
    Some(id.to_owned())
}

/// Groups files per template (sorted), the rest last under `None`.
fn group_by_template(files: &[ChangedFile]) -> Vec<ChangeGroup> {
    let mut by: BTreeMap<Option<String>, Vec<ChangedFile>> = BTreeMap::new();
    for f in files {
        by.entry(f.template.clone()).or_default().push(f.clone());
    }
    let rest = by.remove(&None);
    let mut groups: Vec<ChangeGroup> = by
        .into_iter()
        .map(|(template, files)| ChangeGroup { template, files })
        .collect();
    if let Some(files) = rest {
        groups.push(ChangeGroup {
            template: None,
            files,
        });
    }
    groups
}

/// One trailing newline, no trailing whitespace on the ends.
fn normalise_message(message: &str) -> String {
    format!("{}\n", message.trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_relative_paths_are_written() {
        assert!(is_safe_work_path("templates/a/body.mjml"));
        for bad in [
            "../x",
            "templates/../../x",
            ".git/config",
            "a/.GIT/hooks/x",
            "/etc/x",
            "a//b",
        ] {
            assert!(!is_safe_work_path(bad), "{bad}");
        }
    }

    #[test]
    fn template_of_paths() {
        assert_eq!(
            template_of("templates/welcome/body.mjml").as_deref(),
            Some("welcome")
        );
        assert_eq!(template_of("templates/x"), None);
        assert_eq!(template_of("layouts/base.mjml"), None);
    }
}
