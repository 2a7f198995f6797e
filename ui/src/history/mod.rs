//! The History screen: versions of the selected template (or the whole project), two of them
//! (or one and the working copy) compared as rendered emails and as sources, restore,
//! publish, and remotes (push, pull, conflicts). Its state lives in [`HistoryUi`]; the
//! sidebar's changes panel (`changes.rs`) shares it.

mod changes;

pub use changes::ChangesPanel;

use crate::core::{Core, Mode, language_of};
use crate::ipc;
use leptos::html::{Div, Iframe};
use leptos::prelude::*;
use leptos::task::spawn_local;
use letterpress_protocol::commands::{
    HistoryAbortMerge, HistoryAddRemote, HistoryAuthor, HistoryDiffRendered, HistoryDiffSources,
    HistoryEnclosing, HistoryInit, HistoryLog, HistoryPublish, HistoryPublished, HistoryPull,
    HistoryPush, HistoryRemotes, HistoryRestore, HistorySave, HistorySetAuthor, HistoryStatus,
    HistoryUnlock,
};
use letterpress_protocol::{
    AuthorInfo, ChangeKind, DiffSide, EmailPart, FileDiff, IpcCode, IpcError, PublishedVersion,
    PullOutcome, RemoteInfo, RenderedDiff, SourceDiff, VersionInfo, WorkingStatus,
    format_local_time,
};
use std::collections::BTreeSet;

/// The pseudo-version "files on disk now", as the studio names it.
pub const WORKING: &str = "working";

/// Versions per history page.
const PAGE_SIZE: usize = 20;

/// Whose history is listed.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The selected template (its files, catalogs, layouts and partials).
    Template,
    /// Every version of the project.
    Project,
}

/// How two versions are compared.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum DiffView {
    /// Both emails rendered, changed text marked.
    Rendered,
    /// The files side by side.
    Source,
}

/// What to do once the author is known (the form interrupts it).
#[derive(Clone, PartialEq, Eq)]
pub enum AfterAuthor {
    /// Save the version in the save form.
    SaveVersion,
    /// Publish as in the publish form.
    Publish,
    /// Pull from this remote.
    Pull(Option<String>),
}

/// Everything the History screen and the changes panel show, as signals.
#[derive(Clone, Copy)]
pub struct HistoryUi {
    /// The working copy against the last version (`None`: not known, or not versioned).
    pub status: RwSignal<Option<WorkingStatus>>,
    /// The project folder has no version history yet (offer "Start versioning").
    pub unversioned: RwSignal<bool>,
    /// The git repository the unversioned project folder sits inside (asked before
    /// versioning makes a nested history there).
    pub enclosing: RwSignal<Option<String>>,
    /// "Start versioning" inside another repository waits for a confirmation.
    pub confirm_nested: RwSignal<bool>,
    /// Who versions are saved as (`None`: nobody yet; asked when needed).
    pub author: RwSignal<Option<AuthorInfo>>,
    /// The author form is open; what to do after.
    pub author_form: RwSignal<Option<AfterAuthor>>,
    pub author_name: RwSignal<String>,
    pub author_email: RwSignal<String>,
    /// The save-version form is open.
    pub save_open: RwSignal<bool>,
    pub save_message: RwSignal<String>,
    /// Files chosen for the version.
    pub save_chosen: RwSignal<BTreeSet<String>>,
    pub scope: RwSignal<Scope>,
    /// Versions listed so far (newest first) and the cursor of the next page.
    pub versions: RwSignal<Vec<VersionInfo>>,
    pub next_cursor: RwSignal<Option<String>>,
    /// Picked for comparison: version ids or [`WORKING`], at most two.
    pub picked: RwSignal<Vec<String>>,
    pub view: RwSignal<DiffView>,
    pub rendered: RwSignal<Option<RenderedDiff>>,
    pub source: RwSignal<Option<SourceDiff>>,
    /// The file shown in the source comparison.
    pub source_file: RwSignal<Option<String>>,
    /// The version awaiting restore confirmation.
    pub confirm_restore: RwSignal<Option<VersionInfo>>,
    /// The version being published (form open).
    pub publish_target: RwSignal<Option<VersionInfo>>,
    pub publish_env: RwSignal<String>,
    pub publish_notes: RwSignal<String>,
    /// What is live where (latest publish per environment).
    pub published: RwSignal<Vec<PublishedVersion>>,
    pub remotes: RwSignal<Vec<RemoteInfo>>,
    pub remote_name: RwSignal<String>,
    pub remote_url: RwSignal<String>,
    /// Files a pull left with both sides in them.
    pub conflicts: RwSignal<Vec<String>>,
    /// The last thing done, in words.
    pub notice: RwSignal<Option<String>>,
    /// A git operation (push, pull) is under way.
    pub busy: RwSignal<bool>,
    /// The last failure was git's index lock (offer to clear it when stale).
    pub locked: RwSignal<bool>,
    /// Newest history and diff requests; older answers are dropped.
    pub log_seq: StoredValue<u64>,
    pub diff_seq: StoredValue<u64>,
}

impl HistoryUi {
    /// Empty state (nothing loaded).
    pub fn new() -> HistoryUi {
        HistoryUi {
            status: RwSignal::new(None),
            unversioned: RwSignal::new(false),
            enclosing: RwSignal::new(None),
            confirm_nested: RwSignal::new(false),
            author: RwSignal::new(None),
            author_form: RwSignal::new(None),
            author_name: RwSignal::new(String::new()),
            author_email: RwSignal::new(String::new()),
            save_open: RwSignal::new(false),
            save_message: RwSignal::new(String::new()),
            save_chosen: RwSignal::new(BTreeSet::new()),
            scope: RwSignal::new(Scope::Template),
            versions: RwSignal::new(Vec::new()),
            next_cursor: RwSignal::new(None),
            picked: RwSignal::new(Vec::new()),
            view: RwSignal::new(DiffView::Rendered),
            rendered: RwSignal::new(None),
            source: RwSignal::new(None),
            source_file: RwSignal::new(None),
            confirm_restore: RwSignal::new(None),
            publish_target: RwSignal::new(None),
            publish_env: RwSignal::new("staging".into()),
            publish_notes: RwSignal::new(String::new()),
            published: RwSignal::new(Vec::new()),
            remotes: RwSignal::new(Vec::new()),
            remote_name: RwSignal::new("origin".into()),
            remote_url: RwSignal::new(String::new()),
            conflicts: RwSignal::new(Vec::new()),
            notice: RwSignal::new(None),
            busy: RwSignal::new(false),
            locked: RwSignal::new(false),
            log_seq: StoredValue::new(0),
            diff_seq: StoredValue::new(0),
        }
    }
}

/// The template a project path belongs to (`templates/<id>/...`).
pub fn template_of(path: &str) -> Option<&str> {
    path.strip_prefix("templates/")?
        .split_once('/')
        .map(|(id, _)| id)
}

/// The kind of change as a short word for the lists.
pub fn change_word(kind: ChangeKind) -> &'static str {
    match kind {
        ChangeKind::Added => "new",
        ChangeKind::Modified => "changed",
        ChangeKind::Deleted => "deleted",
        ChangeKind::Renamed => "moved",
        ChangeKind::Conflicted => "conflict",
    }
}

impl HistoryUi {
    /// Shows a failed history action in the banner; remembers a lock so it can be cleared.
    fn fail(self, core: Core, e: &IpcError) {
        self.locked.set(e.code == IpcCode::RepositoryLocked);
        core.fail(e);
    }

    /// Removes git's index lock when a crashed program left it behind (the studio refuses a
    /// recent one, which may belong to a git program still running).
    pub fn clear_lock(self, core: Core) {
        let h = self;
        spawn_local(async move {
            match ipc::call(&HistoryUnlock {}).await {
                Ok(cleared) => {
                    h.locked.set(false);
                    core.problem.set(None);
                    h.notice.set(Some(match cleared {
                        Some(lock) => format!("Removed the stale lock {}. Try again.", lock.path),
                        None => "There was no lock any more. Try again.".to_owned(),
                    }));
                }
                Err(e) => self.fail(core, &e),
            }
        });
    }

    /// Re-reads what changed since the last version, who saves versions, and what is live.
    pub fn refresh(self, core: Core) {
        let h = self;
        spawn_local(async move {
            match ipc::call(&HistoryStatus {}).await {
                Ok(status) => {
                    h.unversioned.set(false);
                    h.enclosing.set(None);
                    h.conflicts.update(|c| {
                        if !status.merging {
                            c.clear();
                        }
                    });
                    h.status.set(Some(status));
                }
                Err(e) if e.code == IpcCode::NotARepository => {
                    h.unversioned.set(true);
                    h.status.set(None);
                    h.versions.set(Vec::new());
                    h.published.set(Vec::new());
                    h.enclosing
                        .set(ipc::call(&HistoryEnclosing {}).await.ok().flatten());
                    return;
                }
                Err(e) => {
                    self.fail(core, &e);
                    return;
                }
            }
            if let Ok(author) = ipc::call(&HistoryAuthor {}).await {
                h.author.set(author);
            }
            match ipc::call(&HistoryPublished {}).await {
                Ok(live) => h.published.set(live),
                Err(e) => self.fail(core, &e),
            }
        });
    }

    /// Does this template have changes since the last version?
    pub fn template_changed(self, id: &str) -> bool {
        self.status.with(|s| {
            s.as_ref()
                .is_some_and(|s| s.groups.iter().any(|g| g.template.as_deref() == Some(id)))
        })
    }

    /// Starts versioning the project (no version yet: the first save makes one). Inside
    /// another git repository it asks first (`confirmed` answers).
    pub fn start_versioning(self, core: Core, confirmed: bool) {
        let h = self;
        if h.enclosing.with_untracked(Option::is_some) && !confirmed {
            h.confirm_nested.set(true);
            return;
        }
        h.confirm_nested.set(false);
        spawn_local(async move {
            match ipc::call(&HistoryInit {}).await {
                Ok(status) => {
                    h.unversioned.set(false);
                    h.status.set(Some(status));
                    h.notice.set(Some(
                        "Versioning started. Save a first version of the project.".into(),
                    ));
                    core.problem.set(None);
                    self.refresh(core);
                }
                Err(e) => self.fail(core, &e),
            }
        });
    }

    /// Opens the save form with every changed file chosen.
    pub fn open_save_form(self) {
        let h = self;
        let files: BTreeSet<String> = h.status.with_untracked(|s| {
            s.as_ref()
                .map(|s| s.files.iter().map(|f| f.path.clone()).collect())
                .unwrap_or_default()
        });
        h.save_chosen.set(files);
        h.notice.set(None);
        h.save_open.set(true);
    }

    /// Saves a version of the chosen files; asks for the author first when none is known.
    pub fn save_version(self, core: Core) {
        let h = self;
        let merging = h
            .status
            .with_untracked(|s| s.as_ref().is_some_and(|s| s.merging));
        let args = HistorySave {
            message: h.save_message.get_untracked(),
            // During a merge everything is saved at once (the studio insists).
            paths: if merging {
                Vec::new()
            } else {
                h.save_chosen.get_untracked().into_iter().collect()
            },
        };
        if !merging && args.paths.is_empty() {
            core.problem
                .set(Some("Choose at least one file for the version.".into()));
            return;
        }
        spawn_local(async move {
            core.edits_delivered().await;
            match ipc::call(&args).await {
                Ok(saved) => {
                    h.save_open.set(false);
                    h.save_message.set(String::new());
                    h.notice.set(Some(format!(
                        "Saved version {} “{}” ({} file{}).",
                        saved.version.short_id,
                        saved.version.summary,
                        saved.files.len(),
                        if saved.files.len() == 1 { "" } else { "s" }
                    )));
                    core.problem.set(None);
                    self.refresh(core);
                    self.load_log(core, false);
                }
                Err(e) if e.code == IpcCode::NoAuthor => {
                    h.author_form.set(Some(AfterAuthor::SaveVersion))
                }
                Err(e) => self.fail(core, &e),
            }
        });
    }

    /// Stores the author typed in the form, then does what was interrupted.
    pub fn store_author(self, core: Core) {
        let h = self;
        let args = HistorySetAuthor {
            name: h.author_name.get_untracked(),
            email: h.author_email.get_untracked(),
        };
        spawn_local(async move {
            match ipc::call(&args).await {
                Ok(author) => {
                    h.author.set(Some(author));
                    core.problem.set(None);
                    match h.author_form.try_update(Option::take).flatten() {
                        Some(AfterAuthor::SaveVersion) => self.save_version(core),
                        Some(AfterAuthor::Publish) => self.publish(core),
                        Some(AfterAuthor::Pull(remote)) => self.pull(core, remote),
                        None => {}
                    }
                }
                Err(e) => self.fail(core, &e),
            }
        });
    }

    /// Loads the first page of history (`more`: the next page) for the current scope.
    pub fn load_log(self, core: Core, more: bool) {
        let h = self;
        if h.unversioned.get_untracked() {
            return;
        }
        let template = match h.scope.get_untracked() {
            Scope::Template => Some(core.template.get_untracked()).filter(|t| !t.is_empty()),
            Scope::Project => None,
        };
        let cursor = if more {
            match h.next_cursor.get_untracked() {
                Some(c) => Some(c),
                None => return,
            }
        } else {
            None
        };
        let seq = h.log_seq.get_value() + 1;
        h.log_seq.set_value(seq);
        spawn_local(async move {
            let args = HistoryLog {
                template,
                cursor,
                limit: PAGE_SIZE,
            };
            match ipc::call(&args).await {
                Ok(page) if h.log_seq.get_value() == seq => {
                    if more {
                        h.versions.update(|v| v.extend(page.versions));
                    } else {
                        h.versions.set(page.versions);
                        // Picks that are no longer listed cannot be ordered: start again.
                        let listed: BTreeSet<String> = h
                            .versions
                            .with_untracked(|v| v.iter().map(|v| v.id.clone()).collect());
                        let before = h.picked.get_untracked();
                        let kept: Vec<String> = before
                            .iter()
                            .filter(|p| *p == WORKING || listed.contains(*p))
                            .cloned()
                            .collect();
                        if kept != before {
                            h.picked.set(kept);
                            self.clear_diff();
                        }
                    }
                    h.next_cursor.set(page.next_cursor);
                }
                Ok(_) => {}
                Err(e) => self.fail(core, &e),
            }
        });
    }

    fn clear_diff(self) {
        let h = self;
        h.rendered.set(None);
        h.source.set(None);
        h.source_file.set(None);
    }

    /// Picks (or unpicks) a version for comparison; with two picked the diff loads.
    pub fn pick(self, core: Core, id: String) {
        let h = self;
        h.picked.update(|p| {
            if let Some(at) = p.iter().position(|x| *x == id) {
                p.remove(at);
            } else {
                if p.len() == 2 {
                    p.remove(0);
                }
                p.push(id);
            }
        });
        if h.picked.with_untracked(Vec::len) == 2 {
            self.load_diff(core);
        } else {
            self.clear_diff();
        }
    }

    /// The picked pair as (older, newer): the working copy is newest, then list order.
    fn picked_pair(self) -> Option<(String, String)> {
        let h = self;
        let picked = h.picked.get_untracked();
        let [a, b] = picked.as_slice() else {
            return None;
        };
        let age = |id: &str| -> i64 {
            if id == WORKING {
                return -1;
            }
            h.versions.with_untracked(|v| {
                v.iter()
                    .position(|x| x.id == id)
                    .map_or(i64::MAX, |i| i64::try_from(i).unwrap_or(i64::MAX))
            })
        };
        Some(if age(a) >= age(b) {
            (a.clone(), b.clone())
        } else {
            (b.clone(), a.clone())
        })
    }

    /// Loads both comparisons of the picked pair for the current template, locale, fixture.
    pub fn load_diff(self, core: Core) {
        let h = self;
        let Some((from, to)) = self.picked_pair() else {
            return;
        };
        let seq = h.diff_seq.get_value() + 1;
        h.diff_seq.set_value(seq);
        let template = core.template.get_untracked();
        let locale = Some(core.locale.get_untracked()).filter(|l| !l.is_empty());
        let fixture = Some(core.fixture.get_untracked()).filter(|f| !f.is_empty());
        let variant = Some(core.variant.get_untracked()).filter(|v| !v.is_empty());
        spawn_local(async move {
            // The working copy's side renders the editor's buffers.
            core.edits_delivered().await;
            let rendered = HistoryDiffRendered {
                from: from.clone(),
                to: to.clone(),
                template: template.clone(),
                locale,
                fixture,
                variant,
            };
            match ipc::call(&rendered).await {
                Ok(d) if h.diff_seq.get_value() == seq => h.rendered.set(Some(d)),
                Ok(_) => return,
                Err(e) => self.fail(core, &e),
            }
            match ipc::call(&HistoryDiffSources { from, to }).await {
                Ok(d) if h.diff_seq.get_value() == seq => {
                    // The template's own files first.
                    let prefix = format!("templates/{template}/");
                    let first = d
                        .files
                        .iter()
                        .find(|f| f.file.path.starts_with(&prefix))
                        .or(d.files.first())
                        .map(|f| f.file.path.clone());
                    h.source_file.set(first);
                    h.source.set(Some(d));
                }
                Ok(_) => {}
                Err(e) => self.fail(core, &e),
            }
        });
    }

    /// Puts the template back as it was in `version` (after confirmation).
    pub fn restore(self, core: Core, version: VersionInfo) {
        let h = self;
        let template = core.template.get_untracked();
        spawn_local(async move {
            // The restore refuses for unsaved edits: the last keystrokes count too.
            core.edits_delivered().await;
            let args = HistoryRestore {
                template: template.clone(),
                revision: version.id.clone(),
            };
            match ipc::call(&args).await {
                Ok(outcome) => {
                    h.confirm_restore.set(None);
                    let count = outcome.written.len() + outcome.removed.len();
                    h.notice.set(Some(if count == 0 {
                        format!("{template} already matches version {}.", version.short_id)
                    } else {
                        format!(
                            "Restored {template} as it was in version {} ({count} file{} changed). \
                             Save a version to keep it.",
                            version.short_id,
                            if count == 1 { "" } else { "s" }
                        )
                    }));
                    core.problem.set(None);
                    self.refresh(core);
                    core.refresh();
                    if h.picked.with_untracked(|p| p.iter().any(|x| x == WORKING)) {
                        self.load_diff(core);
                    }
                }
                Err(e) => {
                    h.confirm_restore.set(None);
                    self.fail(core, &e);
                }
            }
        });
    }

    /// Publishes the version in the publish form.
    pub fn publish(self, core: Core) {
        let h = self;
        let Some(target) = h.publish_target.get_untracked() else {
            return;
        };
        let args = HistoryPublish {
            environment: h.publish_env.get_untracked().trim().to_owned(),
            revision: Some(target.id.clone()),
            notes: h.publish_notes.get_untracked(),
        };
        spawn_local(async move {
            match ipc::call(&args).await {
                Ok(p) => {
                    h.publish_target.set(None);
                    h.publish_notes.set(String::new());
                    h.notice.set(Some(format!(
                        "Version {} is live in {} (publish #{}).",
                        p.version.short_id, p.environment, p.number
                    )));
                    core.problem.set(None);
                    self.refresh(core);
                    self.load_log(core, false);
                }
                Err(e) if e.code == IpcCode::NoAuthor => {
                    h.author_form.set(Some(AfterAuthor::Publish))
                }
                Err(e) => self.fail(core, &e),
            }
        });
    }

    /// Loads the remotes.
    pub fn load_remotes(self, core: Core) {
        let h = self;
        if h.unversioned.get_untracked() {
            return;
        }
        spawn_local(async move {
            match ipc::call(&HistoryRemotes {}).await {
                Ok(list) => h.remotes.set(list),
                Err(e) => self.fail(core, &e),
            }
        });
    }

    /// Adds the remote typed in the form.
    pub fn add_remote(self, core: Core) {
        let h = self;
        let args = HistoryAddRemote {
            name: h.remote_name.get_untracked(),
            url: h.remote_url.get_untracked(),
        };
        spawn_local(async move {
            match ipc::call(&args).await {
                Ok(remote) => {
                    h.remote_url.set(String::new());
                    h.notice.set(Some(format!("Remote {} added.", remote.name)));
                    core.problem.set(None);
                    self.load_remotes(core);
                }
                Err(e) => self.fail(core, &e),
            }
        });
    }

    /// Sends the versions and publish marks to a remote.
    pub fn push(self, core: Core, remote: Option<String>) {
        let h = self;
        h.busy.set(true);
        spawn_local(async move {
            let answer = ipc::call(&HistoryPush { remote }).await;
            h.busy.set(false);
            match answer {
                Ok(p) => {
                    let mut text = format!("Sent {} to {}", p.branch, p.remote);
                    if !p.tags.is_empty() {
                        text.push_str(&format!(" with {}", p.tags.join(", ")));
                    }
                    text.push('.');
                    if !p.tag_conflicts.is_empty() {
                        text.push_str(&format!(
                            " Not sent (the remote published the same number for another version): {}.",
                            p.tag_conflicts.join(", ")
                        ));
                    }
                    h.notice.set(Some(text));
                    core.problem.set(None);
                }
                Err(e) => self.fail(core, &e),
            }
        });
    }

    /// Brings in a remote's versions; conflicts are listed, both sides kept in the files.
    pub fn pull(self, core: Core, remote: Option<String>) {
        let h = self;
        h.busy.set(true);
        spawn_local(async move {
            core.edits_delivered().await;
            let args = HistoryPull {
                remote: remote.clone(),
            };
            let answer = ipc::call(&args).await;
            h.busy.set(false);
            match answer {
                Ok(report) => {
                    let mut text = match &report.outcome {
                        PullOutcome::UpToDate => "Already up to date.".to_owned(),
                        PullOutcome::FastForward { to } => {
                            format!("Brought in the remote's versions, up to {}.", to.short_id)
                        }
                        PullOutcome::Merged { merge } => format!(
                            "Both sides had changes; they were combined in version {}.",
                            merge.short_id
                        ),
                        PullOutcome::Conflicts { paths } => format!(
                            "Both sides changed the same lines in {} file{}: see the conflicts.",
                            paths.len(),
                            if paths.len() == 1 { "" } else { "s" }
                        ),
                    };
                    if !report.tag_conflicts.is_empty() {
                        text.push_str(&format!(
                            " Publish marks kept as they are here (the remote has others of the \
                             same number): {}.",
                            report.tag_conflicts.join(", ")
                        ));
                    }
                    h.conflicts.set(match report.outcome {
                        PullOutcome::Conflicts { paths } => paths,
                        _ => Vec::new(),
                    });
                    h.notice.set(Some(text));
                    core.problem.set(None);
                    self.refresh(core);
                    self.load_log(core, false);
                }
                Err(e) if e.code == IpcCode::NoAuthor => {
                    h.author_form.set(Some(AfterAuthor::Pull(remote)))
                }
                Err(e) => self.fail(core, &e),
            }
        });
    }

    /// Abandons a conflicted pull.
    pub fn abort_merge(self, core: Core) {
        let h = self;
        spawn_local(async move {
            match ipc::call(&HistoryAbortMerge {}).await {
                Ok(files) => {
                    h.conflicts.set(Vec::new());
                    h.notice.set(Some(format!(
                        "Merge abandoned: {} file{} back as before the pull.",
                        files.len(),
                        if files.len() == 1 { "" } else { "s" }
                    )));
                    core.problem.set(None);
                    self.refresh(core);
                }
                Err(e) => self.fail(core, &e),
            }
        });
    }

    /// Shows a project file in the editor (switching templates when it belongs to another).
    pub fn show_file(self, core: Core, path: &str) {
        core.mode.set(Mode::Edit);
        if let Some(id) = template_of(path)
            && id != core.template.get_untracked()
        {
            core.use_template(id);
        }
        core.open(path, None);
    }
}

/// The text of one side of a file diff: its changed regions with their context, regions
/// separated by a `⋯` line (the studio sends regions, not whole files).
fn side_text(file: &FileDiff, left: bool) -> String {
    let mut lines: Vec<String> = Vec::new();
    for (i, hunk) in file.hunks.iter().enumerate() {
        if i > 0 {
            lines.push("⋯".into());
        }
        for row in &hunk.rows {
            let line = if left { &row.left } else { &row.right };
            if let Some(line) = line {
                lines.push(line.segments.iter().map(|s| s.text.as_str()).collect());
            }
        }
    }
    lines.join("\n")
}

fn side_label(side: &DiffSide, versions: &[VersionInfo]) -> String {
    match side {
        DiffSide::Working => "Working copy (not a version yet)".into(),
        DiffSide::Empty => "Nothing".into(),
        DiffSide::Version { id, short_id } => match versions.iter().find(|v| &v.id == id) {
            Some(v) => format!(
                "{short_id} · {} · {}",
                v.summary,
                format_local_time(v.time, v.offset_minutes)
            ),
            None => format!("Version {short_id}"),
        },
    }
}

/// A problem (from `core.fail`) and the last notice, shown where the History screen is.
#[component]
pub fn HistoryMessages(core: Core) -> impl IntoView {
    let h = expect_context::<HistoryUi>();
    view! {
        {move || core.problem.get().map(|p| view! {
            <div class="banner" data-test="history-problem">
                {p}
                {move || h.locked.get().then(|| view! {
                    " "<button data-test="clear-lock" on:click=move |_| h.clear_lock(core)>"Clear the lock"</button>
                })}
            </div>
        })}
        {move || h.notice.get().map(|n| view! {
            <div class="notice" data-test="history-notice">
                <span>{n}</span>
                <button on:click=move |_| h.notice.set(None)>"×"</button>
            </div>
        })}
    }
}

/// Files that hold both sides after a pull, and the way out.
#[component]
pub fn MergeBanner(core: Core) -> impl IntoView {
    let h = expect_context::<HistoryUi>();
    let conflicted = move || {
        let mut files: Vec<String> = h.status.with(|s| {
            s.as_ref()
                .map(|s| {
                    s.files
                        .iter()
                        .filter(|f| f.kind == ChangeKind::Conflicted)
                        .map(|f| f.path.clone())
                        .collect()
                })
                .unwrap_or_default()
        });
        for c in h.conflicts.get() {
            if !files.contains(&c) {
                files.push(c);
            }
        }
        files
    };
    let merging = move || h.status.with(|s| s.as_ref().is_some_and(|s| s.merging));
    view! {
        {move || (merging() || !conflicted().is_empty()).then(|| view! {
            <div class="merge-banner" data-test="merge-banner">
                <strong>"Both you and someone else changed the same lines."</strong>
                <p>"Both versions are kept in these files, between lines starting with "
                    <code>"<<<<<<<"</code>" and "<code>">>>>>>>"</code>
                    ". Edit each one to keep what you want, save it, then save a version. Or abort the merge to put the files back as before the pull."</p>
                <ul>
                    {conflicted().into_iter().map(|path| {
                        let open = path.clone();
                        view! {
                            <li data-test="conflict-file"><a href="#" on:click=move |ev| {
                                ev.prevent_default();
                                h.show_file(core, &open);
                            }>{path}</a></li>
                        }
                    }).collect_view()}
                </ul>
                <button data-test="abort-merge" on:click=move |_| h.abort_merge(core)>"Abort merge"</button>
            </div>
        })}
    }
}

/// The History screen (shown instead of the editor and preview in History mode).
#[component]
pub fn HistoryScreen() -> impl IntoView {
    let core = expect_context::<Core>();
    let h = expect_context::<HistoryUi>();
    // The project's files changed or another project opened: status, author and what is
    // live are read again (and the list, for another project).
    Effect::new(move |shown: Option<Option<String>>| {
        core.project_epoch.track();
        let root = core
            .snapshot
            .with_untracked(|s| s.as_ref().map(|s| s.root.clone()));
        if root.is_some() {
            h.refresh(core);
        }
        if shown.is_some_and(|before| before.is_some() && before != root) {
            h.load_log(core, false);
        }
        root
    });
    // Entering History mode, switching scope or template: the list is read again.
    Effect::new(move |_| {
        let mode = core.mode.get();
        let _scope = h.scope.get();
        let _template = core.template.get();
        let _versioned = !h.unversioned.get();
        if mode == Mode::History {
            h.load_log(core, false);
            h.load_remotes(core);
        }
    });
    let live = move || h.published.get();
    view! {
        <section class="history-screen" data-test="history-screen">
            <div class="history-head">
                <span class="segmented">
                    <button data-test="scope-template" class:on=move || h.scope.get() == Scope::Template
                        on:click=move |_| h.scope.set(Scope::Template)>
                        {move || format!("Template: {}", core.template.get())}
                    </button>
                    <button data-test="scope-project" class:on=move || h.scope.get() == Scope::Project
                        on:click=move |_| h.scope.set(Scope::Project)>"Whole project"</button>
                </span>
                <span class="live" data-test="live">
                    {move || if live().is_empty() {
                        view! { <span class="muted">"Nothing published yet"</span> }.into_any()
                    } else {
                        live().into_iter().map(|p| view! {
                            <span class="live-env" data-test=format!("live-{}", p.environment)
                                title=format!("{} — published by {} on {}", p.notes, p.publisher, format_local_time(p.time, 0))>
                                <b>{p.environment.clone()}</b>
                                {format!(" #{} · {} · {}", p.number, p.version.short_id, p.version.summary)}
                            </span>
                        }).collect_view().into_any()
                    }}
                </span>
                {move || h.author.get().map(|a| view! {
                    <span class="muted author">{format!("Saving as {} <{}>", a.name, a.email)}</span>
                })}
            </div>
            <HistoryMessages core=core />
            <MergeBanner core=core />
            {move || h.unversioned.get().then(|| view! {
                <div class="empty-state">
                    <p>"This project has no versions yet. Start versioning to keep every change, compare versions and publish them."</p>
                    <button data-test="start-versioning-main" on:click=move |_| h.start_versioning(core, false)>"Start versioning"</button>
                    <NestedRepositoryNote core=core />
                </div>
            })}
            <div class="history-body" class:hidden=move || h.unversioned.get()>
                <VersionList core=core />
                <Comparison core=core />
            </div>
        </section>
    }
}

/// The note (and the confirmation) for a project folder inside another git repository:
/// versioning there makes a separate history nested in that repository.
#[component]
pub fn NestedRepositoryNote(core: Core) -> impl IntoView {
    let h = expect_context::<HistoryUi>();
    move || {
        h.enclosing.get().map(|outer| {
            view! {
                <div class="nested-note" data-test="nested-repository" role="note">
                    <p>{format!(
                        "This folder is inside the git repository at {outer}. Versions would be a \
                         separate history in this folder, nested in that repository (which then \
                         sees this folder as a repository of its own)."
                    )}</p>
                    {move || h.confirm_nested.get().then(|| view! {
                        <div class="confirm" role="group" aria-label="Version inside another repository">
                            <button data-test="confirm-nested-yes" on:click=move |_| h.start_versioning(core, true)>"Start a separate history here"</button>
                            <button data-test="confirm-nested-no" on:click=move |_| h.confirm_nested.set(false)>"Cancel"</button>
                        </div>
                    })}
                </div>
            }
        })
    }
}

/// The version list with its actions, and the remotes under it.
#[component]
fn VersionList(core: Core) -> impl IntoView {
    let h = expect_context::<HistoryUi>();
    let has_changes = move || {
        let template = core.template.get();
        h.status.with(|s| {
            s.as_ref().is_some_and(|s| match h.scope.get() {
                Scope::Project => !s.files.is_empty(),
                Scope::Template => s
                    .groups
                    .iter()
                    .any(|g| g.template.as_deref() == Some(template.as_str())),
            })
        })
    };
    let picked = move |id: &str| h.picked.with(|p| p.iter().any(|x| x == id));
    view! {
        <div class="versions">
            <h2>"Versions"</h2>
            {move || h.confirm_restore.get().map(|v| {
                let target = v.clone();
                view! {
                    <div class="confirm" data-test="confirm-restore">
                        <span>{format!(
                            "Put {} back as it was in version {} (“{}”)? Its files change now; nothing is lost — the current state stays in history, and you can save the result as a new version.",
                            core.template.get_untracked(), v.short_id, v.summary
                        )}</span>
                        <button data-test="confirm-restore-yes" on:click=move |_| h.restore(core, target.clone())>"Restore"</button>
                        <button on:click=move |_| h.confirm_restore.set(None)>"Cancel"</button>
                    </div>
                }
            })}
            {move || h.publish_target.get().map(|v| view! {
                <div class="publish-form" data-test="publish-form">
                    <div>{format!("Publish version {} (“{}”)", v.short_id, v.summary)}</div>
                    <label>"Environment "
                        <input data-test="publish-env" list="lp-environments" prop:value=move || h.publish_env.get()
                            on:input=move |ev| h.publish_env.set(event_target_value(&ev)) />
                    </label>
                    <datalist id="lp-environments">
                        <option value="staging"></option>
                        <option value="production"></option>
                    </datalist>
                    <textarea data-test="publish-notes" placeholder="Release notes: what changed for recipients"
                        prop:value=move || h.publish_notes.get()
                        on:input=move |ev| h.publish_notes.set(event_target_value(&ev))></textarea>
                    <div class="row">
                        <button data-test="publish" on:click=move |_| h.publish(core)>"Publish"</button>
                        <button on:click=move |_| h.publish_target.set(None)>"Cancel"</button>
                    </div>
                </div>
            })}
            <ul class="version-list">
                {move || has_changes().then(|| view! {
                    <li class="version working" class:picked=move || picked(WORKING) data-test="version-working">
                        <label>
                            <input type="checkbox" data-test="pick" prop:checked=move || picked(WORKING)
                                on:change=move |_| h.pick(core, WORKING.to_owned()) />
                            <span class="summary">"Working copy"</span>
                        </label>
                        <div class="meta">"Changes not saved as a version yet"</div>
                    </li>
                })}
                <For each=move || h.versions.get() key=|v| (v.id.clone(), v.published.len()) children=move |v| {
                    let id = v.id.clone();
                    let id_pick = v.id.clone();
                    let id_class = v.id.clone();
                    let for_restore = v.clone();
                    let for_publish = v.clone();
                    let live_here = move |env: &str, n: u64| {
                        h.published.with(|l| l.iter().any(|p| p.environment == env && p.number == n))
                    };
                    view! {
                        <li class="version" class:picked=move || picked(&id_class) data-test="version" data-id=v.id.clone()>
                            <label>
                                <input type="checkbox" data-test="pick" prop:checked=move || picked(&id_pick)
                                    on:change=move |_| h.pick(core, id.clone()) />
                                <span class="summary" data-test="version-summary">{v.summary.clone()}</span>
                            </label>
                            <div class="meta">
                                {format!("{} · {} · {}", v.author, format_local_time(v.time, v.offset_minutes), v.short_id)}
                            </div>
                            <div class="badges">
                                {v.published.iter().map(|m| {
                                    let (env, number) = (m.environment.clone(), m.number);
                                    let env_title = env.clone();
                                    view! {
                                        <span class="badge" class:live=move || live_here(&env, number) data-test="badge"
                                            title=move || if live_here(&env_title, number) { "live now" } else { "published before" }>
                                            {format!("{} #{}", m.environment, m.number)}
                                        </span>
                                    }
                                }).collect_view()}
                            </div>
                            <div class="actions">
                                <button data-test="restore" title="Put this template's files back as they were in this version"
                                    on:click=move |_| h.confirm_restore.set(Some(for_restore.clone()))
                                    disabled=move || h.scope.get() != Scope::Template>"Restore…"</button>
                                <button data-test="publish-open" on:click=move |_| {
                                    h.publish_target.set(Some(for_publish.clone()));
                                }>"Publish…"</button>
                            </div>
                        </li>
                    }
                } />
            </ul>
            {move || h.next_cursor.with(Option::is_some).then(|| view! {
                <button class="load-more" data-test="load-more" on:click=move |_| h.load_log(core, true)>"Load more"</button>
            })}
            {move || (h.versions.with(Vec::is_empty) && !h.unversioned.get()).then(|| view! {
                <p class="muted">"No versions yet: save one from the Changes list."</p>
            })}
            <Remotes core=core />
        </div>
    }
}

/// Remotes: list, add, push, pull.
#[component]
fn Remotes(core: Core) -> impl IntoView {
    let h = expect_context::<HistoryUi>();
    view! {
        <details class="remotes" data-test="remotes">
            <summary>"Share (remotes)"</summary>
            <ul>
                {move || h.remotes.get().into_iter().map(|r| {
                    let push_name = r.name.clone();
                    let pull_name = r.name.clone();
                    view! {
                        <li data-test="remote">
                            <div><b>{r.name.clone()}</b>" "<span class="muted">{r.url.clone()}</span></div>
                            <button data-test="push" disabled=move || h.busy.get()
                                on:click=move |_| h.push(core, Some(push_name.clone()))>"Send (push)"</button>
                            <button data-test="pull" disabled=move || h.busy.get()
                                on:click=move |_| h.pull(core, Some(pull_name.clone()))>"Bring in (pull)"</button>
                        </li>
                    }
                }).collect_view()}
            </ul>
            <div class="remote-form">
                <input data-test="remote-name" placeholder="origin" prop:value=move || h.remote_name.get()
                    on:input=move |ev| h.remote_name.set(event_target_value(&ev)) />
                <input data-test="remote-url" placeholder="git@github.com:team/emails.git" prop:value=move || h.remote_url.get()
                    on:input=move |ev| h.remote_url.set(event_target_value(&ev)) />
                <button data-test="add-remote" on:click=move |_| h.add_remote(core)>"Add remote"</button>
            </div>
            {move || h.busy.get().then(|| view! { <p class="muted">"Working…"</p> })}
        </details>
    }
}

/// The comparison of the two picked versions: rendered (two previews) or source.
#[component]
fn Comparison(core: Core) -> impl IntoView {
    let h = expect_context::<HistoryUi>();
    let before = NodeRef::<Iframe>::new();
    let after = NodeRef::<Iframe>::new();
    Effect::new(move |_| {
        let (old, new) = h.rendered.with(|d| {
            d.as_ref()
                .map(|d| (d.before.html.clone(), d.after.html.clone()))
                .unwrap_or_default()
        });
        if let Some(el) = before.get() {
            ipc::preview_show(el.as_ref(), &old);
        }
        if let Some(el) = after.get() {
            ipc::preview_show(el.as_ref(), &new);
        }
    });
    // Locale, fixture or variant changed while comparing: render again.
    Effect::new(move |previous: Option<(String, String, String)>| {
        let now = (core.locale.get(), core.fixture.get(), core.variant.get());
        if previous.as_ref().is_some_and(|p| *p != now) && h.picked.with_untracked(|p| p.len() == 2)
        {
            h.load_diff(core);
        }
        now
    });
    let host = NodeRef::<Div>::new();
    let mounted = StoredValue::new(None::<u32>);
    Effect::new(move |_| {
        let shown = h.view.get() == DiffView::Source;
        let file = h.source_file.get();
        let texts = h.source.with(|d| {
            let d = d.as_ref()?;
            let f = d
                .files
                .iter()
                .find(|f| Some(&f.file.path) == file.as_ref())?;
            (!f.binary).then(|| (side_text(f, true), side_text(f, false), f.file.path.clone()))
        });
        if let Some(handle) = mounted.try_update_value(Option::take).flatten() {
            ipc::editor_destroy_compare(handle);
        }
        if let (true, Some((left, right, path)), Some(el)) = (shown, texts, host.get()) {
            mounted.set_value(Some(ipc::editor_compare(
                &el,
                &left,
                &right,
                language_of(&path),
            )));
        }
    });
    let label = move |after_side: bool| {
        h.rendered.with(|d| {
            d.as_ref()
                .map(|d| {
                    let side = if after_side {
                        &d.after.side
                    } else {
                        &d.before.side
                    };
                    h.versions.with(|v| side_label(side, v))
                })
                .unwrap_or_default()
        })
    };
    let subject = move |after_side: bool| {
        h.rendered.with(|d| {
            d.as_ref()
                .map(|d| {
                    if after_side {
                        d.after.subject.clone()
                    } else {
                        d.before.subject.clone()
                    }
                })
                .unwrap_or_default()
        })
    };
    let ready = move || h.rendered.with(Option::is_some);
    // A side that could not be rendered (the template did not exist yet, or had errors).
    let render_failure = move |after_side: bool| {
        h.rendered.with(|d| {
            let side = d
                .as_ref()
                .map(|d| if after_side { &d.after } else { &d.before })?;
            let first = side.diagnostics.iter().find(|x| x.is_error())?;
            let text = if side.html.is_empty() {
                format!("Not rendered: {}", first.message)
            } else {
                format!("Errors: {}", first.message)
            };
            Some(view! { <div class="side-error">{text}</div> })
        })
    };
    view! {
        <div class="comparison" data-test="comparison">
            <div class="comparison-head">
                <span class="segmented">
                    <button data-test="view-rendered" class:on=move || h.view.get() == DiffView::Rendered
                        on:click=move |_| h.view.set(DiffView::Rendered)>"Rendered"</button>
                    <button data-test="view-source" class:on=move || h.view.get() == DiffView::Source
                        on:click=move |_| h.view.set(DiffView::Source)>"Source"</button>
                </span>
                <span class="muted">
                    {move || if ready() {
                        h.rendered.with(|d| d.as_ref().map(|d| match &d.variant {
                            Some(v) => format!("{} · variant {v} · {} · {}", d.template, d.locale, d.fixture),
                            None => format!("{} · {} · {}", d.template, d.locale, d.fixture),
                        }).unwrap_or_default())
                    } else {
                        "Tick two versions (or a version and the working copy) to compare them.".to_owned()
                    }}
                </span>
                {move || {
                    let variants = core.variants();
                    (!variants.is_empty()).then(|| view! {
                        <label>"Variant "
                            <select data-test="diff-variant"
                                prop:value=move || { let v = core.variant.get(); if v.is_empty() { "a".to_owned() } else { v } }
                                on:change=move |ev| { let v = event_target_value(&ev); core.variant.set(if v == "a" { String::new() } else { v }); }>
                                {variants.into_iter().map(|v| view! { <option value=v.name.clone()>{v.name.clone()}</option> }).collect_view()}
                            </select>
                        </label>
                    })
                }}
            </div>
            <div class="rendered-diff" class:hidden=move || h.view.get() != DiffView::Rendered || !ready()>
                <div class="side">
                    <div class="side-label" data-test="before-label">{move || label(false)}</div>
                    {move || render_failure(false)}
                    <div class="side-subject">{move || subject(false)}</div>
                    <iframe title="Before" data-test="diff-before" node_ref=before
                        sandbox="allow-same-origin" referrerpolicy="no-referrer"></iframe>
                </div>
                <div class="side">
                    <div class="side-label" data-test="after-label">{move || label(true)}</div>
                    {move || render_failure(true)}
                    <div class="side-subject">{move || subject(true)}</div>
                    <iframe title="After" data-test="diff-after" node_ref=after
                        sandbox="allow-same-origin" referrerpolicy="no-referrer"></iframe>
                </div>
            </div>
            {move || (h.view.get() == DiffView::Rendered).then(|| h.rendered.get().map(|d| view! {
                <ul class="text-changes" data-test="text-changes">
                    {d.changes.is_empty().then(|| view! { <li class="muted">"No visible text changed."</li> })}
                    {d.changes.into_iter().map(|c| {
                        let part = match c.part {
                            EmailPart::Subject => "Subject",
                            EmailPart::Preheader => "Preheader",
                            EmailPart::Body => "Body",
                        };
                        view! {
                            <li data-test="text-change">
                                <span class="part">{part}</span>
                                {(!c.removed.is_empty()).then(|| view! { <del>{c.removed.clone()}</del> })}
                                {(!c.inserted.is_empty()).then(|| view! { <ins>{c.inserted.clone()}</ins> })}
                            </li>
                        }
                    }).collect_view()}
                </ul>
            }))}
            <div class="source-diff" class:hidden=move || h.view.get() != DiffView::Source>
                <ul class="diff-files">
                    {move || h.source.get().map(|d| d.files.into_iter().map(|f| {
                        let path = f.file.path.clone();
                        let shown = f.file.path.clone();
                        view! {
                            <li class:active=move || h.source_file.get().as_deref() == Some(shown.as_str())>
                                <a href="#" data-test="diff-file" on:click=move |ev| {
                                    ev.prevent_default();
                                    h.source_file.set(Some(path.clone()));
                                }>{format!("{} ({})", f.file.path, change_word(f.file.kind))}</a>
                            </li>
                        }
                    }).collect_view())}
                </ul>
                {move || h.source.with(|d| d.as_ref().is_some_and(|d| d.files.is_empty())).then(|| view! {
                    <p class="muted">"No file differs."</p>
                })}
                {move || {
                    let file = h.source_file.get();
                    h.source.with(|d| d.as_ref().and_then(|d| d.files.iter().find(|f| Some(&f.file.path) == file.as_ref()).map(|f| f.binary)))
                }.filter(|binary| *binary).map(|_| view! {
                    <p class="muted">"Not a text file (or too large to compare)."</p>
                })}
                <p class="muted small">"Changed regions with three lines around each; ⋯ separates regions."</p>
                <div class="compare-body" data-test="source-compare" node_ref=host></div>
            </div>
        </div>
    }
}
