//! Versions of the project (issue 5): one thin adapter per `History` use case.
//!
//! Everything runs on the blocking pool (`on_app`). The session mutex is held only to read
//! the project root and to ask the studio whether unsaved edits stand in the way; git work —
//! push and pull above all — runs on a `History` opened from that root with the lock
//! released. Files that restore, pull or a merge abort write are applied to the session
//! right away (project reloaded, open documents reloaded) and emitted as `FileEvent`s, so the
//! UI refreshes without waiting for the watcher (which reports the same files again; applying
//! them twice changes nothing).

use crate::AppState;
use crate::blocking::{emit, lock, on_app, project_root, with_session};
use letterpress_protocol::commands::{
    FileChanged, HistoryAbortMerge, HistoryAddRemote, HistoryAuthor, HistoryDiffRendered,
    HistoryDiffSources, HistoryEnclosing, HistoryInit, HistoryLog, HistoryPublish,
    HistoryPublished, HistoryPull, HistoryPush, HistoryRemotes, HistoryRestore, HistorySave,
    HistorySetAuthor, HistoryStatus, HistoryUnlock,
};
use letterpress_protocol::{Answer, AuthorInfo, IpcCode, IpcError, PullOutcome};
use letterpress_studio::history::{
    Author, DiffTarget, History, HistoryError, HistoryQuery, RenderedDiffRequest, STALE_LOCK_AGE,
    When,
};
use letterpress_studio::local_state::{AUTHOR_EMAIL, AUTHOR_NAME};
use letterpress_studio::watch::Change;
use std::time::SystemTime;
use tauri::AppHandle;

/// Largest history page the UI may ask for.
const MAX_PAGE: usize = 200;

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
    let events =
        with_session(state, |s| Ok::<_, IpcError>(s.apply_changes(&changes))).unwrap_or_default();
    for event in events {
        emit::<FileChanged>(app, event);
    }
}

/// What changed since the last version; `not-a-repository` when versioning has not started.
#[tauri::command]
pub async fn history_status(app: AppHandle, args: HistoryStatus) -> Answer<HistoryStatus> {
    let HistoryStatus {} = args;
    on_app(app, |_, state| {
        Ok::<_, IpcError>(open_history(state)?.status()?)
    })
    .await
}

/// Starts versioning the project (a repository with a `.gitignore`, no version yet).
#[tauri::command]
pub async fn history_init(app: AppHandle, args: HistoryInit) -> Answer<HistoryInit> {
    let HistoryInit {} = args;
    on_app(app, |_, state| {
        Ok::<_, IpcError>(History::init(&project_root(state)?)?.status()?)
    })
    .await
}

/// The repository the project folder sits inside, when it has none of its own.
#[tauri::command]
pub async fn history_enclosing(app: AppHandle, args: HistoryEnclosing) -> Answer<HistoryEnclosing> {
    let HistoryEnclosing {} = args;
    on_app(app, |_, state| {
        Ok::<_, IpcError>(
            History::enclosing_repository(&project_root(state)?).map(|p| p.display().to_string()),
        )
    })
    .await
}

/// Who new versions are saved as (`None`: nobody set yet, the UI asks).
#[tauri::command]
pub async fn history_author(app: AppHandle, args: HistoryAuthor) -> Answer<HistoryAuthor> {
    let HistoryAuthor {} = args;
    on_app(app, |_, state| {
        let explicit = settings_author(state);
        let found = match History::open(&project_root(state)?) {
            Ok(history) => history.author(explicit.as_ref()).ok(),
            Err(_) => explicit,
        };
        Ok::<_, IpcError>(found.map(|a| AuthorInfo {
            name: a.name,
            email: a.email,
        }))
    })
    .await
}

/// Stores the author in the app's settings (asked once), validated by the studio.
#[tauri::command]
pub async fn history_set_author(
    app: AppHandle,
    args: HistorySetAuthor,
) -> Answer<HistorySetAuthor> {
    on_app(app, move |_, state| {
        let author = Author::new(&args.name, &args.email)?;
        let local = lock(&state.local);
        let local = local.as_ref().ok_or_else(|| {
            IpcError::new(
                IpcCode::NoSettings,
                "the app's settings are unavailable on this computer",
            )
        })?;
        local.set_setting(AUTHOR_NAME, &author.name)?;
        local.set_setting(AUTHOR_EMAIL, &author.email)?;
        Ok::<_, IpcError>(AuthorInfo {
            name: author.name,
            email: author.email,
        })
    })
    .await
}

/// Saves a version of the chosen changed files (`paths` empty: all) with `message`; refused
/// while the editor holds unsaved edits of them.
#[tauri::command]
pub async fn history_save(app: AppHandle, args: HistorySave) -> Answer<HistorySave> {
    on_app(app, move |_, state| {
        with_session(state, |s| s.ensure_saved_for_version(&args.paths))?;
        let history = open_history(state)?;
        let author = author_of(state, &history)?;
        Ok::<_, IpcError>(history.save(&args.message, &args.paths, &author, now())?)
    })
    .await
}

/// A page of versions, newest first: of a template (its files, catalogs, layouts and
/// partials) or, with `template: None`, of the project.
#[tauri::command]
pub async fn history_log(app: AppHandle, args: HistoryLog) -> Answer<HistoryLog> {
    on_app(app, move |_, state| {
        let (root, paths) = with_session(state, |s| {
            let paths = args
                .template
                .as_deref()
                .map(|t| History::template_paths(s.project(), t))
                .unwrap_or_default();
            Ok::<_, IpcError>((s.project().root().to_owned(), paths))
        })?;
        let query = HistoryQuery {
            paths,
            cursor: args.cursor,
            limit: args.limit.clamp(1, MAX_PAGE),
        };
        Ok::<_, IpcError>(History::open(&root)?.history(&query)?)
    })
    .await
}

/// Source differences between two sides (`working`: the files on disk).
#[tauri::command]
pub async fn history_diff_sources(
    app: AppHandle,
    args: HistoryDiffSources,
) -> Answer<HistoryDiffSources> {
    on_app(app, move |_, state| {
        let (from, to) = (DiffTarget::parse(&args.from), DiffTarget::parse(&args.to));
        Ok::<_, IpcError>(open_history(state)?.diff_sources(&from, &to, None)?)
    })
    .await
}

/// Both renders of a template for a locale and fixture, changed words marked.
#[tauri::command]
pub async fn history_diff_rendered(
    app: AppHandle,
    args: HistoryDiffRendered,
) -> Answer<HistoryDiffRendered> {
    on_app(app, move |_, state| {
        let request = RenderedDiffRequest {
            from: DiffTarget::parse(&args.from),
            to: DiffTarget::parse(&args.to),
            template: args.template,
            locale: args.locale,
            fixture: args.fixture,
            variant: args.variant,
        };
        Ok::<_, IpcError>(open_history(state)?.diff_rendered(&request)?)
    })
    .await
}

/// Puts a template's files back as they were in `revision` (a change to save as a version).
/// Refused while the editor or the disk holds unsaved changes of that template.
#[tauri::command]
pub async fn history_restore(app: AppHandle, args: HistoryRestore) -> Answer<HistoryRestore> {
    on_app(app, move |app, state| {
        let HistoryRestore { template, revision } = args;
        with_session(state, |s| s.ensure_saved_for_restore(&template))?;
        let root = project_root(state)?;
        let outcome = History::open(&root)?
            .restore_template(&template, &revision, false)
            .map_err(|e| match e {
                // Said without git's words: the designer's way out is "save a version".
                HistoryError::UncommittedChanges(files) => IpcError::new(
                    IpcCode::UncommittedChanges,
                    format!(
                        "{template} has changes that are not in a version yet ({}): save a \
                         version first, so nothing is lost",
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
            apply_written(app, state, &root, &touched);
        }
        Ok::<_, IpcError>(outcome)
    })
    .await
}

/// Marks a version (`None`: the last one) live in `environment` with release notes.
#[tauri::command]
pub async fn history_publish(app: AppHandle, args: HistoryPublish) -> Answer<HistoryPublish> {
    on_app(app, move |_, state| {
        let history = open_history(state)?;
        let author = author_of(state, &history)?;
        let revision = args.revision.as_deref();
        Ok::<_, IpcError>(history.publish(
            &args.environment,
            revision,
            &args.notes,
            &author,
            now(),
        )?)
    })
    .await
}

/// What is live where.
#[tauri::command]
pub async fn history_published(app: AppHandle, args: HistoryPublished) -> Answer<HistoryPublished> {
    let HistoryPublished {} = args;
    on_app(app, |_, state| {
        Ok::<_, IpcError>(open_history(state)?.published()?)
    })
    .await
}

/// The configured remotes.
#[tauri::command]
pub async fn history_remotes(app: AppHandle, args: HistoryRemotes) -> Answer<HistoryRemotes> {
    let HistoryRemotes {} = args;
    on_app(app, |_, state| {
        Ok::<_, IpcError>(open_history(state)?.remotes()?)
    })
    .await
}

/// Adds a remote (URLs carrying a password are refused).
#[tauri::command]
pub async fn history_add_remote(
    app: AppHandle,
    args: HistoryAddRemote,
) -> Answer<HistoryAddRemote> {
    on_app(app, move |_, state| {
        Ok::<_, IpcError>(open_history(state)?.add_remote(args.name.trim(), args.url.trim())?)
    })
    .await
}

/// Sends the branch and the publish tags to a remote.
#[tauri::command]
pub async fn history_push(app: AppHandle, args: HistoryPush) -> Answer<HistoryPush> {
    on_app(app, move |_, state| {
        Ok::<_, IpcError>(open_history(state)?.push(args.remote.as_deref())?)
    })
    .await
}

/// Brings in a remote's versions; conflicts stay in the files (both sides) until resolved.
#[tauri::command]
pub async fn history_pull(app: AppHandle, args: HistoryPull) -> Answer<HistoryPull> {
    on_app(app, move |app, state| {
        let root = project_root(state)?;
        let history = History::open(&root)?;
        let author = author_of(state, &history)?;
        let before = history.version("HEAD").ok().map(|v| v.id);
        let report = history.pull(args.remote.as_deref(), &author, now())?;
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
        apply_written(app, state, &root, &touched);
        Ok::<_, IpcError>(report)
    })
    .await
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
#[tauri::command]
pub async fn history_abort_merge(
    app: AppHandle,
    args: HistoryAbortMerge,
) -> Answer<HistoryAbortMerge> {
    let HistoryAbortMerge {} = args;
    on_app(app, |app, state| {
        let root = project_root(state)?;
        let touched = History::open(&root)?.abort_merge()?;
        apply_written(app, state, &root, &touched);
        Ok::<_, IpcError>(touched)
    })
    .await
}

/// Removes git's index lock when a crashed program left it (older than ten minutes).
#[tauri::command]
pub async fn history_unlock(app: AppHandle, args: HistoryUnlock) -> Answer<HistoryUnlock> {
    let HistoryUnlock {} = args;
    on_app(app, |_, state| {
        Ok::<_, IpcError>(open_history(state)?.clear_stale_lock(SystemTime::now(), STALE_LOCK_AGE)?)
    })
    .await
}
