//! Versions of a project (its git repository) as the history panel sees them: changes since
//! the last version, saved versions, source and rendered diffs, published versions, remotes.

use serde::{Deserialize, Serialize};

/// How a file changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChangeKind {
    /// The file is new.
    Added,
    /// The file's content changed.
    Modified,
    /// The file was deleted.
    Deleted,
    /// The file moved (`old_path` says from where), possibly with edits.
    Renamed,
    /// Both sides of a merge changed it; it holds conflict markers until resolved.
    Conflicted,
}

/// A file that differs between two states (the last version and the working copy, or two
/// versions).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangedFile {
    /// Project-relative path (`/`-separated); for a deletion, the deleted path.
    pub path: String,
    /// Where a renamed file came from.
    pub old_path: Option<String>,
    /// What happened to it.
    pub kind: ChangeKind,
    /// The template folder it belongs to (`templates/<id>/...`), if any.
    pub template: Option<String>,
}

/// Changed files of one template (or, with `template: None`, of the rest of the project).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeGroup {
    /// Template id, `None` for layouts, partials, locales and other project files.
    pub template: Option<String>,
    /// The files, sorted by path.
    pub files: Vec<ChangedFile>,
}

/// The working copy compared with the last saved version, always computed from the disk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkingStatus {
    /// The branch versions are saved on; `None` when HEAD is detached.
    pub branch: Option<String>,
    /// The last saved version; `None` before the first one.
    pub head: Option<VersionInfo>,
    /// A pull stopped on conflicts: resolve them, then save to conclude (or abort the merge).
    pub merging: bool,
    /// Every changed file, sorted by path.
    pub files: Vec<ChangedFile>,
    /// The same files per template (templates sorted, then the rest under `None`).
    pub groups: Vec<ChangeGroup>,
}

/// A publish mark on a version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublishMark {
    /// Environment name (`staging`, `production`...).
    pub environment: String,
    /// Publish number in that environment (1, 2, ...).
    pub number: u64,
}

/// A saved version (a commit).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionInfo {
    /// Full commit id (hex).
    pub id: String,
    /// Abbreviated id, unique in the repository.
    pub short_id: String,
    /// Author name.
    pub author: String,
    /// Author email.
    pub email: String,
    /// Author time, seconds since the Unix epoch.
    pub time: i64,
    /// The author's UTC offset at that time, in minutes.
    pub offset_minutes: i32,
    /// The first line of the message.
    pub summary: String,
    /// The whole message.
    pub message: String,
    /// Parent ids (two for a merge).
    pub parents: Vec<String>,
    /// Environments this exact version was published to.
    pub published: Vec<PublishMark>,
}

/// One page of history, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryPage {
    /// The versions of this page.
    pub versions: Vec<VersionInfo>,
    /// Pass as the cursor to get the next page; `None` at the end of history.
    pub next_cursor: Option<String>,
}

/// What a diff side is: a saved version or the working copy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum DiffSide {
    /// A saved version.
    Version {
        /// Full id.
        id: String,
        /// Abbreviated id.
        short_id: String,
    },
    /// The files on disk now.
    Working,
    /// Nothing (the file or the project did not exist yet).
    Empty,
}

/// How a side-by-side row changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RowKind {
    /// Same line on both sides.
    Equal,
    /// Only on the left (removed).
    Removed,
    /// Only on the right (added).
    Added,
    /// A left line replaced by a right line (inline changes are emphasised).
    Changed,
}

/// A run of text within a line; `emphasized` runs are what changed inside a changed line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Segment {
    /// The text (without the line ending).
    pub text: String,
    /// Part of the inline change.
    pub emphasized: bool,
}

/// One side of a row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiffLine {
    /// 1-based line number on this side.
    pub number: u32,
    /// The line, in segments.
    pub segments: Vec<Segment>,
}

/// A side-by-side row: left (old) and right (new).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiffRow {
    /// What happened.
    pub kind: RowKind,
    /// Old line (`None` for an added row).
    pub left: Option<DiffLine>,
    /// New line (`None` for a removed row).
    pub right: Option<DiffLine>,
}

/// A group of changed rows with a few unchanged lines around them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiffHunk {
    /// The rows.
    pub rows: Vec<DiffRow>,
}

/// The source diff of one file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileDiff {
    /// The file and what happened to it.
    pub file: ChangedFile,
    /// Not text (or too large to compare): no rows.
    pub binary: bool,
    /// Changed regions with context.
    pub hunks: Vec<DiffHunk>,
}

/// Source differences between two sides.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceDiff {
    /// Left side.
    pub from: DiffSide,
    /// Right side.
    pub to: DiffSide,
    /// Changed files, sorted by path.
    pub files: Vec<FileDiff>,
}

/// Which part of the email a text change is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EmailPart {
    /// The subject line.
    Subject,
    /// The preheader.
    Preheader,
    /// The visible text of the HTML body.
    Body,
}

/// A change of visible text between two renders.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TextChange {
    /// Where.
    pub part: EmailPart,
    /// Text only in the old render (empty for a pure insertion).
    pub removed: String,
    /// Text only in the new render (empty for a pure removal).
    pub inserted: String,
}

/// One side of a rendered diff.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RenderedSide {
    /// Which state was rendered.
    pub side: DiffSide,
    /// The HTML with changed words wrapped in `<mark class="lp-removed">` (old side) or
    /// `<mark class="lp-inserted">` (new side); empty when the render failed.
    pub html: String,
    /// Subject line.
    pub subject: String,
    /// Preheader.
    pub preheader: String,
    /// Errors and warnings of this render.
    pub diagnostics: Vec<crate::Diagnostic>,
}

/// Two renders of a template (same locale and fixture) with changed text highlighted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RenderedDiff {
    /// Template id.
    pub template: String,
    /// Locale.
    pub locale: String,
    /// Fixture.
    pub fixture: String,
    /// The A/B variant rendered (`None`: the template itself).
    #[serde(default)]
    pub variant: Option<String>,
    /// The old render.
    pub before: RenderedSide,
    /// The new render.
    pub after: RenderedSide,
    /// Every text change, in document order (subject, preheader, then body).
    pub changes: Vec<TextChange>,
}

/// A version published to an environment (an annotated tag `published/<env>/<n>`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublishedVersion {
    /// Environment name.
    pub environment: String,
    /// Publish number in the environment, increasing.
    pub number: u64,
    /// The tag name.
    pub tag: String,
    /// Release notes.
    pub notes: String,
    /// Who published.
    pub publisher: String,
    /// Their email.
    pub publisher_email: String,
    /// When, seconds since the Unix epoch.
    pub time: i64,
    /// The published version.
    pub version: VersionInfo,
}

/// A remote repository.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemoteInfo {
    /// Its name (`origin`).
    pub name: String,
    /// Its URL (never with credentials: URLs carrying a password are refused when added).
    pub url: String,
}

/// What a pull did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "kebab-case")]
pub enum PullOutcome {
    /// Nothing new on the remote.
    UpToDate,
    /// Only the remote changed: the working copy moved forward to its version.
    FastForward {
        /// The new last version.
        to: VersionInfo,
    },
    /// Both sides changed different files: a merge version was saved.
    Merged {
        /// The merge version.
        merge: VersionInfo,
    },
    /// Both sides changed the same lines: the files hold both sides with conflict markers.
    /// Resolve them and save a version, or abort the merge.
    Conflicts {
        /// The conflicting files.
        paths: Vec<String>,
    },
}

/// A version just saved and the files it contains.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SaveOutcome {
    /// The new version.
    pub version: VersionInfo,
    /// The files it saved.
    pub files: Vec<ChangedFile>,
    /// It concluded a merge (two parents).
    pub concluded_merge: bool,
}

/// What restoring a template wrote into the working copy (a change, not yet a version).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RestoreOutcome {
    /// Files written (created or overwritten), project-relative.
    pub written: Vec<String>,
    /// Files removed because they did not exist in that version.
    pub removed: Vec<String>,
}

/// What a push sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushOutcome {
    /// The remote's name.
    pub remote: String,
    /// The branch pushed.
    pub branch: String,
    /// The publish tags sent (those the remote did not have yet).
    pub tags: Vec<String>,
    /// Publish tags the remote has for another version (both sides published the same
    /// number): not sent; the remote's record stays.
    pub tag_conflicts: Vec<String>,
}

/// A stale git lock file that was removed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClearedLock {
    /// The removed lock file.
    pub path: String,
    /// Its age when removed, seconds.
    pub age_seconds: u64,
}

/// What a pull did, and publish tags that could not be taken over.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PullReport {
    /// What happened to the versions.
    pub outcome: PullOutcome,
    /// Publish tags that exist on both sides for different versions (both published the same
    /// number to an environment): the local tag is kept, the remote's is not applied, and a
    /// later push of it is rejected until someone decides.
    pub tag_conflicts: Vec<String>,
}

/// Who new versions and publishes are recorded as (from the app's settings or git config).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthorInfo {
    /// Display name.
    pub name: String,
    /// Email.
    pub email: String,
}

/// `YYYY-MM-DD HH:MM` of a git time in its author's own UTC offset (what git recorded),
/// without a date library: civil date from days since 1970-01-01 (Howard Hinnant's
/// algorithm). Shared by the CLI and the app so both show versions alike.
pub fn format_local_time(seconds: i64, offset_minutes: i32) -> String {
    let local = seconds + i64::from(offset_minutes) * 60;
    let days = local.div_euclid(86_400);
    let secs = local.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}",
        secs / 3600,
        (secs % 3600) / 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tagged_enums_use_kebab_case_names_the_ui_can_match() {
        let conflicts = PullOutcome::Conflicts {
            paths: vec!["templates/a/body.mjml".into()],
        };
        assert_eq!(
            serde_json::to_string(&conflicts).unwrap(),
            r#"{"outcome":"conflicts","paths":["templates/a/body.mjml"]}"#
        );
        assert_eq!(
            serde_json::to_string(&PullOutcome::UpToDate).unwrap(),
            r#"{"outcome":"up-to-date"}"#
        );
        assert_eq!(
            serde_json::to_string(&DiffSide::Working).unwrap(),
            r#"{"kind":"working"}"#
        );
        let back: PullOutcome = serde_json::from_str(r#"{"outcome":"up-to-date"}"#).unwrap();
        assert_eq!(back, PullOutcome::UpToDate);
        assert_eq!(
            serde_json::to_string(&ChangeKind::Conflicted).unwrap(),
            r#""conflicted""#
        );
    }
}
