//! Every command the shell answers, declared once: its name, its argument struct and its
//! output. The UI calls `ipc::call(&EditAndPreview { .. })`; the shell's command of that name
//! takes `args: EditAndPreview` and returns [`Answer<EditAndPreview>`]. The shell's
//! registration is checked against [`COMMANDS`] by a test in `src-tauri`.
//!
//! On the wire a call is `invoke(NAME, { args: <the struct> })` ([`Invocation`]).
//!
//! Events the shell emits are declared the same way ([`Event`]: name and payload).

use crate::locales::{ExchangeFormat, GridCell, ImportReport, LocaleGrid, SetTranslation};
use crate::send::{SendTransport, TestSendReport, TestSendSetup};
use crate::sync::{ApplyReport, CredentialStatus, SyncPlan, SyncTarget};
use crate::{
    AuthorInfo, ClearedLock, ConflictSides, Dragged, DropPlace, DropTarget, EditorEdit,
    ElementLocation, ElementProperties, HistoryPage, InlinePiece, InlineText, IpcError,
    LibraryBlock, LocaleEntry, OpenDocument, OutlineNode, Preferences, Preview, PreviewRequest,
    ProjectSnapshot, PublishedVersion, PullReport, PushOutcome, RecentProject, RemoteImagesFetched,
    RemoteInfo, RenderedDiff, Resolution, RestoreOutcome, SaveOutcome, SourceDiff, StructureAction,
    StructureEdit, WorkingStatus,
};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A command of the shell: the argument struct names it and says what it answers.
pub trait Command: Serialize + DeserializeOwned {
    /// The command's name (the shell's function of that name answers it).
    const NAME: &'static str;
    /// What it answers on success.
    type Output: Serialize + DeserializeOwned;
}

/// What a command answers: its output or an error with a code.
pub type Answer<C> = Result<<C as Command>::Output, IpcError>;

/// The payload of an invoke: the command's argument struct under `args` (the name of every
/// shell command's parameter).
#[derive(Serialize)]
pub struct Invocation<'a, C> {
    /// The arguments.
    pub args: &'a C,
}

/// Whether two names are the same (usable in `const` assertions).
pub const fn same_name(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// Declares each command's argument struct with its [`Command`] impl, and [`COMMANDS`].
macro_rules! commands {
    ($(
        $(#[doc = $doc:literal])*
        $name:ident => $Type:ident { $( $(#[doc = $fdoc:literal])* $field:ident : $fty:ty ),* $(,)? }
            -> $output:ty;
    )*) => {
        $(
            $(#[doc = $doc])*
            #[derive(Clone, Serialize, Deserialize)]
            pub struct $Type {
                $( $(#[doc = $fdoc])* pub $field: $fty, )*
            }

            impl Command for $Type {
                const NAME: &'static str = stringify!($name);
                type Output = $output;
            }
        )*

        /// The name of every declared command.
        pub const COMMANDS: &[&str] = &[$(stringify!($name)),*];
    };
}

commands! {
    // The project and the editor.
    /// Opens a project folder (`None`: the one given at start) and starts watching it.
    open_project => OpenProject {
        /// The folder.
        path: Option<String>,
    } -> ProjectSnapshot;
    /// Asks for a project folder with the system dialog and opens it (`None`: cancelled).
    choose_project => ChooseProject {} -> Option<ProjectSnapshot>;
    /// Asks for an empty folder, copies the bundled sample there and opens it.
    new_project_from_sample => NewProjectFromSample {} -> Option<ProjectSnapshot>;
    /// Asks for an empty folder and starts an empty project there (English, no templates).
    new_empty_project => NewEmptyProject {} -> Option<ProjectSnapshot>;
    /// Opens the sample copy in the user's data folder (made from the bundled sample the
    /// first time, then kept with the person's changes).
    open_sample => OpenSample {} -> ProjectSnapshot;
    /// Replaces the sample copy with a fresh one (its versions too) and opens it.
    reset_sample => ResetSample {} -> ProjectSnapshot;
    /// Where the sample copy is (`None`: there is none yet, or no data folder for it).
    sample_copy => SampleCopy {} -> Option<String>;
    /// Projects opened before on this computer, newest first.
    recent_projects => RecentProjects {} -> Vec<RecentProject>;
    /// The open project, as the sidebar and pickers need it.
    project_snapshot => GetProjectSnapshot {} -> ProjectSnapshot;
    /// Renders an email from the editor's buffers (saved or not).
    preview => RenderPreview {
        /// Which email.
        request: PreviewRequest,
        /// The number of the marked preview the app shows ([`crate::VisualMapping::id`]):
        /// a marked answer may then give only what changed from it.
        shown: Option<u64>,
    } -> Preview;
    /// Opens a project file in the editor.
    open_document => OpenDocumentAt {
        /// Project-relative path.
        path: String,
    } -> OpenDocument;
    /// The editor's text of a document changed.
    edit_document => EditDocument {
        /// Project-relative path.
        path: String,
        /// The editor's whole text.
        text: String,
    } -> ();
    /// One keystroke: the new text of `path`, and the render of `request` with it.
    edit_and_preview => EditAndPreview {
        /// Project-relative path.
        path: String,
        /// The editor's whole text (empty when `change` gives it).
        text: String,
        /// The editor's text as a change of the one the studio holds for `path`
        /// (`stale-text` when it does not fit: the app then sends the whole text).
        change: Option<crate::DocumentChange>,
        /// Which email to render.
        request: PreviewRequest,
        /// As for [`RenderPreview`]: the marked preview the app shows.
        shown: Option<u64>,
    } -> Preview;
    /// Saves a document (with `text`: as the editor shows it); `save-conflict` when the file
    /// changed on disk meanwhile.
    save_document => SaveDocument {
        /// Project-relative path.
        path: String,
        /// The editor's text (`None`: what the studio holds).
        text: Option<String>,
    } -> ();
    /// Both sides of a conflict, for the side-by-side comparison.
    conflict_sides => GetConflictSides {
        /// Project-relative path.
        path: String,
    } -> ConflictSides;
    /// Resolves a conflict; answers the document as it now stands.
    resolve_conflict => ResolveConflict {
        /// Project-relative path.
        path: String,
        /// Keep mine or take theirs.
        resolution: Resolution,
    } -> Option<OpenDocument>;
    /// Files with unsaved edits.
    dirty_paths => DirtyPaths {} -> Vec<String>;
    /// Creates a template from the starter.
    create_template => CreateTemplate {
        /// The new template's id.
        id: String,
    } -> ProjectSnapshot;
    /// Copies a template under a new name.
    duplicate_template => DuplicateTemplate {
        /// The template copied.
        from: String,
        /// The new id.
        to: String,
    } -> ProjectSnapshot;
    /// A new fixture copied from another as the editor holds it; answers its path too.
    duplicate_fixture => DuplicateFixture {
        /// The template.
        template: String,
        /// The fixture copied.
        from: String,
        /// The new fixture's name.
        to: String,
    } -> (ProjectSnapshot, String);
    /// Renames a template.
    rename_template => RenameTemplate {
        /// The current id.
        from: String,
        /// The new id.
        to: String,
    } -> ProjectSnapshot;
    /// Deletes a template.
    delete_template => DeleteTemplate {
        /// Its id.
        id: String,
    } -> ProjectSnapshot;
    /// MJML elements and their attributes, for completion.
    mjml_schema => MjmlSchema {} -> BTreeMap<String, Option<Vec<String>>>;
    /// The element of `path` (the editor's text when open) at a byte offset, or at a line and
    /// column when `offset` is absent (the editor's cursor); `None`: no element there.
    locate_element => LocateElement {
        /// Project-relative path.
        path: String,
        /// A byte offset (a preview marker's `O`).
        offset: Option<usize>,
        /// 1-based line, when `offset` is absent.
        line: u32,
        /// 1-based column in characters, when `offset` is absent.
        column: u32,
    } -> Option<ElementLocation>;
    /// Production image URLs and the project files the preview shows for them (`data:`
    /// URIs), from letterpress.toml's `[assets]`.
    preview_assets => PreviewAssets {} -> BTreeMap<String, String>;
    /// The user's preferences (author for versions, editor font size).
    get_preferences => GetPreferences {} -> Preferences;
    /// Stores the user's preferences; answers them as stored. An author needs both a name and
    /// a valid email (or neither); the font size is one of `EDITOR_FONT_SIZES`.
    set_preferences => SetPreferences {
        /// What to store.
        preferences: Preferences,
    } -> Preferences;
    /// Whether the user lets the app load the open project's remote preview images.
    remote_images_allowed => RemoteImagesAllowed {} -> bool;
    /// Turns loading remote preview images for the open project on or off (stored on this
    /// computer, not in the project); answers the new setting.
    allow_remote_images => AllowRemoteImages {
        /// On or off.
        allowed: bool,
    } -> bool;
    /// Fetches remote images of the preview (bounded, cached, no cookies); `refused` unless
    /// allowed for the open project.
    remote_images => FetchRemoteImages {
        /// Image URLs of the email.
        urls: Vec<String>,
    } -> RemoteImagesFetched;
    /// The property panel of the element of `path` starting at `offset`, with effective
    /// values as the email of `request` inherits them.
    element_properties => GetElementProperties {
        /// Project-relative path.
        path: String,
        /// Byte offset of its start tag.
        offset: usize,
        /// The email whose `mj-attributes` apply.
        request: PreviewRequest,
    } -> ElementProperties;
    /// The minimal edits that set (`Some`) or reset (`None`: remove the element's own)
    /// attribute `name`, one undo step; refused when it would add an error to the email of
    /// `request`; empty: nothing to change.
    property_edit => PropertyEditFor {
        /// Project-relative path.
        path: String,
        /// Byte offset of the element's start tag.
        offset: usize,
        /// Attribute name.
        name: String,
        /// The new value, or `None` to fall back to the inherited one.
        value: Option<String>,
        /// The email the change is checked with.
        request: PreviewRequest,
    } -> Vec<EditorEdit>;
    /// The text of the element of `path` starting at `offset`, as the reader sees it (for
    /// typing over it in place); refused when it holds markup or Jinja decides it.
    inline_text => GetInlineText {
        /// Project-relative path.
        path: String,
        /// Byte offset of the element's start tag.
        offset: usize,
    } -> InlineText;
    /// The minimal edits that make the element read `pieces` (literal stretches only; chips
    /// keep their bytes or are left out), as one editor transaction; refused when the email
    /// of `request` would gain an error, or the text changed meanwhile.
    inline_text_edit => InlineTextEditFor {
        /// Project-relative path.
        path: String,
        /// Byte offset of the element's start tag.
        offset: usize,
        /// The new text.
        pieces: Vec<InlinePiece>,
        /// The email the change is checked with.
        request: PreviewRequest,
    } -> Vec<EditorEdit>;
    /// Changes the structure around the element of `path` at `offset` (delete, duplicate,
    /// move, wrap, unwrap, insert a block) as one undo step; refused when it would cross a
    /// Jinja block, break MJML's content model, or add an error to the email of `request`.
    structure_edit => StructureEditFor {
        /// Project-relative path.
        path: String,
        /// Byte offset of the element's start tag.
        offset: usize,
        /// What to do.
        action: StructureAction,
        /// The email the change is checked with.
        request: PreviewRequest,
    } -> StructureEdit;
    /// Replaces the condition of branch `branch` (0: the `if`) of the `{% if %}` whose tag
    /// starts at `offset` in `path` (one edit of its bytes, one undo step); refused when it
    /// spans lines or would add an error (it does not parse) to the email of `request`.
    condition_edit => ConditionEditFor {
        /// Project-relative path.
        path: String,
        /// Byte offset of the `{% if %}` tag.
        offset: usize,
        /// Which branch.
        branch: u32,
        /// The new condition (`people | length > 1`).
        condition: String,
        /// The email the change is checked with.
        request: PreviewRequest,
    } -> Vec<EditorEdit>;
    /// Where `dragged` can be dropped in `path` (the editor's text when open).
    drop_targets => GetDropTargets {
        /// Project-relative path.
        path: String,
        /// What is dragged.
        dragged: Dragged,
    } -> Vec<DropTarget>;
    /// Drops `dragged` at `place` of the element of `path` at `target`: a block inserted, or
    /// the element moved (into or out of Jinja blocks, under another parent), as one undo
    /// step; refused when MJML would not allow it or the email of `request` would gain an
    /// error.
    drop_edit => DropEditFor {
        /// Project-relative path.
        path: String,
        /// What is dragged.
        dragged: Dragged,
        /// Byte offset of the target element's start tag.
        target: usize,
        /// Where, relative to it.
        place: DropPlace,
        /// The email the change is checked with.
        request: PreviewRequest,
    } -> StructureEdit;
    /// The outline tree of `path` (the editor's text when open): body elements and the Jinja
    /// blocks and includes around them, in document order.
    outline => GetOutline {
        /// Project-relative path.
        path: String,
    } -> Vec<OutlineNode>;
    /// Saves the element of `path` at `offset` as `blocks/<name>.mjml` (its source as
    /// written, dedented to its own line); answers the library with it.
    save_block => SaveBlock {
        /// Project-relative path.
        path: String,
        /// Byte offset of the element's start tag.
        offset: usize,
        /// The block's file name without `.mjml` (a slug).
        name: String,
    } -> Vec<LibraryBlock>;
    /// Moves the element of `path` at `offset` into a new `partials/<name>.mjml` (written
    /// now) and leaves an `{% include %}` in its place (the edits, one undo step); refused
    /// unless the email of `request` renders the same with it.
    make_partial => MakePartial {
        /// Project-relative path.
        path: String,
        /// Byte offset of the element's start tag.
        offset: usize,
        /// The partial's file name without `.mjml` (a slug).
        name: String,
        /// The email that must render the same.
        request: PreviewRequest,
    } -> StructureEdit;
    /// The block library: MJML basics and the project's `blocks/*.mjml`.
    block_library => BlockLibrary {} -> Vec<LibraryBlock>;
    /// Leaves the app (after the UI dealt with unsaved changes).
    quit => Quit {} -> ();

    // Versions.
    /// What changed since the last version; `not-a-repository` before versioning started.
    history_status => HistoryStatus {} -> WorkingStatus;
    /// Starts versioning the project.
    history_init => HistoryInit {} -> WorkingStatus;
    /// The git repository the project folder sits inside, when it has no history of its own
    /// (versioning there makes a separate, nested history): its folder.
    history_enclosing => HistoryEnclosing {} -> Option<String>;
    /// Who new versions are saved as (`None`: nobody set yet).
    history_author => HistoryAuthor {} -> Option<AuthorInfo>;
    /// Stores the author in the app's settings.
    history_set_author => HistorySetAuthor {
        /// Display name.
        name: String,
        /// Email.
        email: String,
    } -> AuthorInfo;
    /// Saves a version of the chosen changed files (`paths` empty: all).
    history_save => HistorySave {
        /// The version's message.
        message: String,
        /// The files (empty: every changed file).
        paths: Vec<String>,
    } -> SaveOutcome;
    /// A page of versions, newest first, of a template or (`None`) of the project.
    history_log => HistoryLog {
        /// The template.
        template: Option<String>,
        /// The last version id shown (`None`: from the newest).
        cursor: Option<String>,
        /// Page size.
        limit: usize,
    } -> HistoryPage;
    /// Source differences between two sides (`working`: the files on disk).
    history_diff_sources => HistoryDiffSources {
        /// Older side.
        from: String,
        /// Newer side.
        to: String,
    } -> SourceDiff;
    /// Both renders of a template, changed words marked.
    history_diff_rendered => HistoryDiffRendered {
        /// Older side.
        from: String,
        /// Newer side.
        to: String,
        /// The template.
        template: String,
        /// The locale (`None`: the default one).
        locale: Option<String>,
        /// The fixture (`None`: the first one).
        fixture: Option<String>,
        /// The A/B variant (`None`: the template itself).
        variant: Option<String>,
    } -> RenderedDiff;
    /// Puts a template's files back as they were in a version.
    history_restore => HistoryRestore {
        /// The template.
        template: String,
        /// The version.
        revision: String,
    } -> RestoreOutcome;
    /// Marks a version (`None`: the last one) live in an environment.
    history_publish => HistoryPublish {
        /// The environment.
        environment: String,
        /// The version.
        revision: Option<String>,
        /// Release notes.
        notes: String,
    } -> PublishedVersion;
    /// What is live where.
    history_published => HistoryPublished {} -> Vec<PublishedVersion>;
    /// The configured remotes.
    history_remotes => HistoryRemotes {} -> Vec<RemoteInfo>;
    /// Adds a remote.
    history_add_remote => HistoryAddRemote {
        /// Its name.
        name: String,
        /// Its URL (no password).
        url: String,
    } -> RemoteInfo;
    /// Sends the branch and the publish tags to a remote.
    history_push => HistoryPush {
        /// The remote (`None`: the only one, or `origin`).
        remote: Option<String>,
    } -> PushOutcome;
    /// Brings in a remote's versions.
    history_pull => HistoryPull {
        /// The remote (`None`: the only one, or `origin`).
        remote: Option<String>,
    } -> PullReport;
    /// Abandons a conflicted pull; answers the files put back.
    history_abort_merge => HistoryAbortMerge {} -> Vec<String>;
    /// Removes git's index lock left by a crashed program.
    history_unlock => HistoryUnlock {} -> Option<ClearedLock>;

    // Translations.
    /// Keys × locales with a status per cell.
    locale_grid => GetLocaleGrid {} -> LocaleGrid;
    /// Validates and saves one cell.
    set_translation => SaveTranslation {
        /// The cell and its text.
        translation: SetTranslation,
    } -> GridCell;
    /// Renders an email with one unsaved cell text overlaid (invalid text is an error).
    preview_translation => PreviewTranslation {
        /// Which email.
        request: PreviewRequest,
        /// The unsaved cell.
        translation: SetTranslation,
    } -> Preview;
    /// Marks keys as translated from the current source text.
    accept_translations => AcceptTranslations {
        /// The locale.
        locale: String,
        /// The keys.
        keys: Vec<String>,
    } -> usize;
    /// Adds a project locale.
    add_locale => AddLocale {
        /// BCP 47 code.
        code: String,
    } -> LocaleEntry;
    /// Creates a per-locale body override; answers its path.
    create_override => CreateOverride {
        /// The template.
        template: String,
        /// The locale.
        locale: String,
    } -> String;
    /// Keys whose text matches a snippet clicked in the preview, best first.
    keys_for_text => KeysForText {
        /// The preview's locale.
        locale: String,
        /// The text clicked.
        snippet: String,
    } -> Vec<String>;
    /// Asks where to save, then exports a locale there (`None`: cancelled).
    export_translations => ExportTranslations {
        /// The locale.
        locale: String,
        /// XLIFF or PO.
        format: ExchangeFormat,
    } -> Option<String>;
    /// Asks for a file and imports it, all or nothing (`None`: cancelled).
    import_translations => ImportTranslations {} -> Option<ImportReport>;

    // Sync.
    /// The targets in `letterpress.toml`.
    sync_targets => SyncTargets {} -> Vec<SyncTarget>;
    /// Where a target's credentials come from (never the secret).
    sync_credential_status => SyncCredentialStatus {
        /// The target.
        target: String,
    } -> CredentialStatus;
    /// Stores a target's credentials in the OS keychain (the secret crosses IPC once,
    /// inbound; this struct has no `Debug`).
    sync_set_credentials => SyncSetCredentials {
        /// The target.
        target: String,
        /// Access key id (SES; ignored for Postmark).
        key_id: String,
        /// The secret or server token.
        secret: String,
    } -> CredentialStatus;
    /// What apply would do.
    sync_plan => PlanSync {
        /// The target.
        target: String,
    } -> SyncPlan;
    /// Makes the remote match the published version.
    sync_apply => ApplySync {
        /// The target.
        target: String,
        /// Overwrite remote templates changed since the last sync.
        overwrite_drift: bool,
    } -> ApplyReport;
    /// What the "Send test…" dialog offers: From, the allow-list, the SMTP server, the
    /// targets, the last recipient.
    send_test_setup => GetTestSendSetup {} -> TestSendSetup;
    /// Sends the email of `request` (template × locale × fixture, unsaved edits included) to
    /// `to` with a token in the subject; a recipient outside `[send] allow` is refused
    /// (`not-allowed`) unless `confirmed`.
    send_test => SendTest {
        /// The email (its logic and dark settings are ignored: the real email is sent).
        request: PreviewRequest,
        /// The recipient.
        to: String,
        /// SMTP or a sync target.
        transport: SendTransport,
        /// The user confirmed a recipient outside the allow-list.
        confirmed: bool,
    } -> TestSendReport;
    /// What the sender did (the project's outbox): per template × variant × locale and per
    /// day; `None` when nothing was ever sent with `letterpress send`.
    send_stats => SendStats {} -> Option<crate::send::OutboxStats>;
}

/// An event the shell emits to the window: its name and its payload.
pub trait Event {
    /// The event's name.
    const NAME: &'static str;
    /// What it carries.
    type Payload: Serialize + DeserializeOwned;
}

/// Declares each event as a marker type with its [`Event`] impl.
macro_rules! events {
    ($( $(#[doc = $doc:literal])* $Type:ident = $name:path => $payload:ty; )*) => {
        $(
            $(#[doc = $doc])*
            pub enum $Type {}

            impl Event for $Type {
                const NAME: &'static str = $name;
                type Payload = $payload;
            }
        )*
    };
}

events! {
    /// Something happened on disk to the project or an open file.
    FileChanged = crate::FILE_EVENT => crate::FileEvent;
    /// The window is asked to close with unsaved edits (their paths).
    CloseRequested = crate::CLOSE_REQUESTED_EVENT => Vec<String>;
    /// A native menu item (or its shortcut) was chosen.
    MenuChosen = crate::MENU_EVENT => crate::MenuCommand;
    /// An apply made one more remote write.
    SyncProgressed = crate::sync::SYNC_PROGRESS_EVENT => crate::sync::SyncProgress;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_names_are_unique() {
        let mut seen = std::collections::BTreeSet::new();
        for name in COMMANDS {
            assert!(seen.insert(name), "{name} declared twice");
        }
    }

    #[test]
    fn a_call_puts_the_arguments_under_args() {
        let call = EditDocument {
            path: "templates/welcome/body.mjml".into(),
            text: "<mjml/>".into(),
        };
        assert_eq!(
            serde_json::to_value(Invocation { args: &call }).unwrap(),
            serde_json::json!({"args": {"path": "templates/welcome/body.mjml", "text": "<mjml/>"}})
        );
        assert_eq!(EditDocument::NAME, "edit_document");
    }

    #[test]
    fn names_compare_in_const_context() {
        const { assert!(same_name(EditAndPreview::NAME, "edit_and_preview")) };
        assert!(!same_name("preview", "previews"));
        assert!(!same_name("preview", "preview_"));
    }
}
