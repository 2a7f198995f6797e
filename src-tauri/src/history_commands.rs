//! Versions of the project (issue 5): one thin adapter per `History` use case.
//!
//! The session mutex is held only to read the project root (and the editor's unsaved files);
//! git work — push and pull above all — runs on a `History` opened from that root with the
//! lock released. Files that restore, pull or a merge abort write are applied to the session
//! right away (project reloaded, open documents reloaded) and emitted as `FileEvent`s, so the
//! UI refreshes without waiting for the watcher (which reports the same files again; applying
//! them twice changes nothing).

use crate::{AppState, lock, with_session};
use letterpress_protocol::{
    AuthorInfo, ClearedLock, FILE_EVENT, HistoryPage, IpcError, PublishedVersion, PullOutcome,
    PullReport, PushOutcome, RemoteInfo, RenderedDiff, RestoreOutcome, SaveOutcome, SourceDiff,
    WorkingStatus,
};
use letterpress_studio::history::{
    Author, DiffTarget, History, HistoryError, HistoryQuery, RenderedDiffRequest, STALE_LOCK_AGE,
    When,
};
use letterpress_studio::watch::Change;
use std::path::PathBuf;
use std::time::SystemTime;
use tauri::{AppHandle, Emitter, State};

/// Setting key of the author's name for new versions and publishes.
const AUTHOR_NAME: &str = "author-name";
/// Setting key of the author's email.
const AUTHOR_EMAIL: &str = "author-email";
/// The stable code of [`HistoryError::UncommittedChanges`] (kept when the message is reworded).
fn uncommitted_changes_code() -> &'static str {
    HistoryError::UncommittedChanges(Vec::new()).code()
}

/// Largest history page the UI may ask for.
const MAX_PAGE: usize = 200;

fn project_root(state: &AppState) -> Result<PathBuf, IpcError> {
    with_session(state, |s| Ok(s.project().root().to_owned()))
}

fn open_history(state: &AppState) -> Result<History, IpcError> {
    Ok(History::open(&project_root(state)?)?)
}

/// The clock, read at the shell's edge only.
fn now() -> When {
    When::utc(SystemTime::now())
}

/// The author stored in the app's settings, if both parts are.
fn settings_author(state: &AppState) -> Option<Author> {
    let local = lock(&state.local);
    let local = local.as_ref()?;
    let name = local.setting(AUTHOR_NAME).ok().flatten()?;
    let email = local.setting(AUTHOR_EMAIL).ok().flatten()?;
    Some(Author { name, email })
}

/// Settings first, then git config; `no-author` when neither has one (the UI then asks).
fn author_of(state: &AppState, history: &History) -> Result<Author, IpcError> {
    Ok(history.author(settings_author(state).as_ref())?)
}

fn refused(code: &str, message: String) -> IpcError {
    IpcError {
        code: code.into(),
        message,
        location: None,
    }
}

/// Refuses when the editor holds unsaved edits of `wanted` paths (all paths when `None`):
/// versions are made from the files on disk, so an unsaved edit would silently be left out.
fn refuse_unsaved_edits(
    state: &AppState,
    wanted: impl Fn(&str) -> bool,
    doing: &str,
) -> Result<(), IpcError> {
    let dirty: Vec<String> = with_session(state, |s| Ok(s.dirty_paths()))?
        .into_iter()
        .filter(|p| wanted(p))
        .collect();
    if dirty.is_empty() {
        return Ok(());
    }
    Err(refused(
        "unsaved-edits",
        format!(
            "unsaved edits in the editor ({}): save or discard them before you {doing}",
            dirty.join(", ")
        ),
    ))
}

/// Applies files written behind the editor's back to the session and tells the UI.
fn apply_written(app: &AppHandle, state: &AppState, root: &std::path::Path, paths: &[String]) {
    let changes: Vec<Change> = if paths.is_empty() {
        vec![Change::Rescan]
    } else {
        paths
            .iter()
            .map(|p| {
                if root.join(p).exists() {
                    Change::Modified(p.clone())
                } else {
                    Change::Removed(p.clone())
                }
            })
            .collect()
    };
    let events = with_session(state, |s| Ok(s.apply_changes(&changes))).unwrap_or_default();
    for event in events {
        let _ = app.emit(FILE_EVENT, event);
    }
}

/// What changed since the last version; `not-a-repository` when versioning has not started.
#[tauri::command(async)]
pub fn history_status(state: State<'_, AppState>) -> Result<WorkingStatus, IpcError> {
    Ok(open_history(&state)?.status()?)
}

/// Starts versioning the project (a repository with a `.gitignore`, no version yet).
#[tauri::command(async)]
pub fn history_init(state: State<'_, AppState>) -> Result<WorkingStatus, IpcError> {
    Ok(History::init(&project_root(&state)?)?.status()?)
}

/// Who new versions are saved as (`None`: nobody set yet, the UI asks).
#[tauri::command(async)]
pub fn history_author(state: State<'_, AppState>) -> Result<Option<AuthorInfo>, IpcError> {
    let explicit = settings_author(&state);
    let found = match History::open(&project_root(&state)?) {
        Ok(history) => history.author(explicit.as_ref()).ok(),
        Err(_) => explicit,
    };
    Ok(found.map(|a| AuthorInfo {
        name: a.name,
        email: a.email,
    }))
}

/// Stores the author in the app's settings (asked once).
#[tauri::command(async)]
pub fn history_set_author(
    state: State<'_, AppState>,
    name: String,
    email: String,
) -> Result<AuthorInfo, IpcError> {
    let (name, email) = (name.trim().to_owned(), email.trim().to_owned());
    if name.is_empty() || !email.contains('@') || email.contains(['<', '>', '\n']) {
        return Err(refused(
            "invalid-author",
            "enter your name and an email address (name@example.com)".into(),
        ));
    }
    let local = lock(&state.local);
    let local = local.as_ref().ok_or_else(|| {
        refused(
            "no-settings",
            "the app's settings are unavailable on this computer".into(),
        )
    })?;
    local.set_setting(AUTHOR_NAME, &name)?;
    local.set_setting(AUTHOR_EMAIL, &email)?;
    Ok(AuthorInfo { name, email })
}

/// Saves a version of the chosen changed files (`paths` empty: all) with `message`.
#[tauri::command(async)]
pub fn history_save(
    state: State<'_, AppState>,
    message: String,
    paths: Vec<String>,
) -> Result<SaveOutcome, IpcError> {
    refuse_unsaved_edits(
        &state,
        |p| paths.is_empty() || paths.iter().any(|c| c == p),
        "save a version",
    )?;
    let history = open_history(&state)?;
    let author = author_of(&state, &history)?;
    Ok(history.save(&message, &paths, &author, now())?)
}

/// A page of versions, newest first: of a template (its files, catalogs, layouts and
/// partials) or, with `template: None`, of the project.
#[tauri::command(async)]
pub fn history_log(
    state: State<'_, AppState>,
    template: Option<String>,
    cursor: Option<String>,
    limit: usize,
) -> Result<HistoryPage, IpcError> {
    let (root, paths) = with_session(&state, |s| {
        let paths = template
            .as_deref()
            .map(|t| History::template_paths(s.project(), t))
            .unwrap_or_default();
        Ok((s.project().root().to_owned(), paths))
    })?;
    let query = HistoryQuery {
        paths,
        cursor,
        limit: limit.clamp(1, MAX_PAGE),
    };
    Ok(History::open(&root)?.history(&query)?)
}

/// Source differences between two sides (`working`: the files on disk).
#[tauri::command(async)]
pub fn history_diff_sources(
    state: State<'_, AppState>,
    from: String,
    to: String,
) -> Result<SourceDiff, IpcError> {
    Ok(open_history(&state)?.diff_sources(
        &DiffTarget::parse(&from),
        &DiffTarget::parse(&to),
        None,
    )?)
}

/// Both renders of a template for a locale and fixture, changed words marked.
#[tauri::command(async)]
pub fn history_diff_rendered(
    state: State<'_, AppState>,
    from: String,
    to: String,
    template: String,
    locale: Option<String>,
    fixture: Option<String>,
) -> Result<RenderedDiff, IpcError> {
    Ok(open_history(&state)?.diff_rendered(&RenderedDiffRequest {
        from: DiffTarget::parse(&from),
        to: DiffTarget::parse(&to),
        template,
        locale,
        fixture,
    })?)
}

/// Puts a template's files back as they were in `revision` (a change to save as a version).
/// Refused while the editor or the disk holds unsaved changes of that template.
#[tauri::command(async)]
pub fn history_restore(
    app: AppHandle,
    state: State<'_, AppState>,
    template: String,
    revision: String,
) -> Result<RestoreOutcome, IpcError> {
    let prefix = format!("templates/{template}/");
    refuse_unsaved_edits(&state, |p| p.starts_with(&prefix), "restore a version")?;
    let root = project_root(&state)?;
    let outcome = History::open(&root)?
        .restore_template(&template, &revision, false)
        .map_err(|e| match e {
            // Said without git's words: the designer's way out is "save a version".
            HistoryError::UncommittedChanges(files) => refused(
                uncommitted_changes_code(),
                format!(
                    "{template} has changes that are not in a version yet ({}): save a version \
                     first, so nothing is lost",
                    files.join(", ")
                ),
            ),
            other => other.into(),
        })?;
    let touched: Vec<String> = outcome
        .written
        .iter()
        .chain(&outcome.removed)
        .cloned()
        .collect();
    if !touched.is_empty() {
        apply_written(&app, &state, &root, &touched);
    }
    Ok(outcome)
}

/// Marks a version (`None`: the last one) live in `environment` with release notes.
#[tauri::command(async)]
pub fn history_publish(
    state: State<'_, AppState>,
    environment: String,
    revision: Option<String>,
    notes: String,
) -> Result<PublishedVersion, IpcError> {
    let history = open_history(&state)?;
    let author = author_of(&state, &history)?;
    Ok(history.publish(&environment, revision.as_deref(), &notes, &author, now())?)
}

/// What is live where.
#[tauri::command(async)]
pub fn history_published(state: State<'_, AppState>) -> Result<Vec<PublishedVersion>, IpcError> {
    Ok(open_history(&state)?.published()?)
}

/// The configured remotes.
#[tauri::command(async)]
pub fn history_remotes(state: State<'_, AppState>) -> Result<Vec<RemoteInfo>, IpcError> {
    Ok(open_history(&state)?.remotes()?)
}

/// Adds a remote (URLs carrying a password are refused).
#[tauri::command(async)]
pub fn history_add_remote(
    state: State<'_, AppState>,
    name: String,
    url: String,
) -> Result<RemoteInfo, IpcError> {
    Ok(open_history(&state)?.add_remote(name.trim(), url.trim())?)
}

/// Sends the branch and the publish tags to a remote.
#[tauri::command(async)]
pub fn history_push(
    state: State<'_, AppState>,
    remote: Option<String>,
) -> Result<PushOutcome, IpcError> {
    Ok(open_history(&state)?.push(remote.as_deref())?)
}

/// Brings in a remote's versions; conflicts stay in the files (both sides) until resolved.
#[tauri::command(async)]
pub fn history_pull(
    app: AppHandle,
    state: State<'_, AppState>,
    remote: Option<String>,
) -> Result<PullReport, IpcError> {
    let root = project_root(&state)?;
    let history = History::open(&root)?;
    let author = author_of(&state, &history)?;
    let before = history.version("HEAD").ok().map(|v| v.id);
    let report = history.pull(remote.as_deref(), &author, now())?;
    let touched: Vec<String> = match &report.outcome {
        PullOutcome::UpToDate => return Ok(report),
        PullOutcome::Conflicts { paths } => {
            let mut all = paths.clone();
            all.extend(changed_since(&history, before.as_deref(), "working"));
            all
        }
        PullOutcome::FastForward { .. } | PullOutcome::Merged { .. } => {
            changed_since(&history, before.as_deref(), "HEAD")
        }
    };
    apply_written(&app, &state, &root, &touched);
    Ok(report)
}

/// Paths that differ between `before` and `after`; empty (meaning "re-read everything") when
/// there was no version before or the comparison fails.
fn changed_since(history: &History, before: Option<&str>, after: &str) -> Vec<String> {
    let Some(before) = before else {
        return Vec::new();
    };
    history
        .diff_sources(&DiffTarget::parse(before), &DiffTarget::parse(after), None)
        .map(|d| {
            d.files
                .into_iter()
                .flat_map(|f| std::iter::once(f.file.path).chain(f.file.old_path))
                .collect()
        })
        .unwrap_or_default()
}

/// Abandons a conflicted pull: the files it brought in go back to the last version.
#[tauri::command(async)]
pub fn history_abort_merge(
    app: AppHandle,
    state: State<'_, AppState>,
) -> Result<Vec<String>, IpcError> {
    let root = project_root(&state)?;
    let touched = History::open(&root)?.abort_merge()?;
    apply_written(&app, &state, &root, &touched);
    Ok(touched)
}

/// Removes git's index lock when a crashed program left it (older than ten minutes).
#[tauri::command(async)]
pub fn history_unlock(state: State<'_, AppState>) -> Result<Option<ClearedLock>, IpcError> {
    Ok(open_history(&state)?.clear_stale_lock(SystemTime::now(), STALE_LOCK_AGE)?)
}
