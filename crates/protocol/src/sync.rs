//! Sync of published versions to sending services: targets, plans, progress and reports.
//! Nothing here ever carries a secret.

use crate::Diagnostic;
use serde::{Deserialize, Serialize};

/// Event carrying a [`SyncProgress`] after every remote write of an apply started in the app.
pub const SYNC_PROGRESS_EVENT: &str = "letterpress://sync-progress";

/// A configured target, as listed by `letterpress targets` and the Sync screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncTarget {
    /// Name (the `[targets.<name>]` key).
    pub name: String,
    /// Provider (`ses`).
    pub provider: String,
    /// Environment whose latest publish is synced.
    pub environment: String,
    /// Provider region.
    pub region: String,
    /// API base URL in use.
    pub endpoint: String,
    /// Remote name prefix.
    pub prefix: String,
    /// Templates synced (`None`: all).
    pub templates: Option<Vec<String>>,
}

/// Where a target's credentials come from (never the credentials themselves).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CredentialStatus {
    /// Target name.
    pub target: String,
    /// Where they are, if anywhere.
    pub source: CredentialOrigin,
    /// The access key id with all but its last four characters masked, when known.
    pub key_id_hint: Option<String>,
}

/// Where a target's credentials come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CredentialOrigin {
    /// The `LETTERPRESS_*` environment variables (CI).
    Environment,
    /// The OS keychain.
    Keychain,
    /// Held by the caller for the moment (tests).
    Injected,
    /// Not set anywhere.
    None,
}

impl CredentialOrigin {
    /// The wire name (`environment`, `keychain`, `injected`, `none`).
    pub const fn as_str(self) -> &'static str {
        match self {
            CredentialOrigin::Environment => "environment",
            CredentialOrigin::Keychain => "keychain",
            CredentialOrigin::Injected => "injected",
            CredentialOrigin::None => "none",
        }
    }
}

impl std::fmt::Display for CredentialOrigin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What apply would do to one remote template.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SyncAction {
    /// Not on the remote yet: created.
    Create,
    /// On the remote with other content: replaced.
    Update,
    /// On the remote under our prefix but no longer published: deleted.
    Delete,
    /// Already as published.
    Unchanged,
    /// Changed on the remote since our last sync: a conflict, only overwritten when asked.
    Drift,
    /// The template does not compile (see the item's diagnostics): apply refuses to run.
    Blocked,
}

impl SyncAction {
    /// The stable kebab-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            SyncAction::Create => "create",
            SyncAction::Update => "update",
            SyncAction::Delete => "delete",
            SyncAction::Unchanged => "unchanged",
            SyncAction::Drift => "drift",
            SyncAction::Blocked => "blocked",
        }
    }
}

/// One template × locale (or one remote template no longer published) in a plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncItem {
    /// Remote template name (`<prefix><template>-<locale>`).
    pub remote_name: String,
    /// Template id (empty for a remote template we cannot attribute).
    pub template: String,
    /// Locale (empty for a remote template we cannot attribute).
    pub locale: String,
    /// The template's A/B variant this remote template holds (`<…>-<locale>-<variant>`);
    /// absent for the template itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
    /// What apply does.
    pub action: SyncAction,
    /// Unified diff of subject, html and text (remote → published) for update and drift.
    pub diff: Option<String>,
    /// Why the item is blocked: the compile errors, with file:line:col.
    pub diagnostics: Vec<Diagnostic>,
    /// A short explanation for a person (why drift, adopted names...), may be empty.
    pub note: String,
}

/// Counts per action.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncCounts {
    /// Creates.
    pub create: usize,
    /// Updates.
    pub update: usize,
    /// Deletes.
    pub delete: usize,
    /// Unchanged.
    pub unchanged: usize,
    /// Drift conflicts.
    pub drift: usize,
    /// Blocked (do not compile).
    pub blocked: usize,
}

impl SyncCounts {
    /// Counts the actions of `items`.
    pub fn of(items: &[SyncItem]) -> SyncCounts {
        let mut c = SyncCounts::default();
        for item in items {
            match item.action {
                SyncAction::Create => c.create += 1,
                SyncAction::Update => c.update += 1,
                SyncAction::Delete => c.delete += 1,
                SyncAction::Unchanged => c.unchanged += 1,
                SyncAction::Drift => c.drift += 1,
                SyncAction::Blocked => c.blocked += 1,
            }
        }
        c
    }

    /// Remote writes apply would make (drift only with overwrite).
    pub fn pending(&self) -> usize {
        self.create + self.update + self.delete
    }
}

/// The difference between the published version and a target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncPlan {
    /// Target name.
    pub target: String,
    /// Environment synced.
    pub environment: String,
    /// The publish tag the desired state comes from (`published/staging/3`).
    pub tag: String,
    /// Full id of the published version (commit).
    pub version: String,
    /// Every item, sorted by remote name.
    pub items: Vec<SyncItem>,
    /// Counts per action.
    pub counts: SyncCounts,
}

/// Progress of an apply, reported after every remote write.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncProgress {
    /// Writes finished so far.
    pub done: usize,
    /// Writes this apply makes.
    pub total: usize,
    /// The remote template just written.
    pub remote_name: String,
    /// What was done to it.
    pub action: SyncAction,
}

/// What an apply did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplyReport {
    /// Target name.
    pub target: String,
    /// The publish tag applied.
    pub tag: String,
    /// Audit run id (in `.letterpress/sync.sqlite`).
    pub run: i64,
    /// Earlier runs that had been interrupted and were completed by this one.
    pub resumed_runs: Vec<i64>,
    /// Templates created.
    pub created: usize,
    /// Templates updated (drift overwritten included).
    pub updated: usize,
    /// Templates deleted.
    pub deleted: usize,
    /// Templates already as published.
    pub unchanged: usize,
    /// HTTP attempts that were retried (timeouts, resets, 5xx, 429).
    pub retries: usize,
    /// Drifted templates left alone (apply without overwrite): still conflicts.
    pub drift_skipped: Vec<String>,
}
